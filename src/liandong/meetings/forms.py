from typing import Any, cast

from django import forms
from django.db.models import QuerySet

from liandong.meetings.models import (
    CollaborationMode,
    Mechanism,
    MechanismMember,
    Meeting,
    PlanTarget,
)
from liandong.organizations.models import Organization

TEXTAREA = {"rows": 4}


class OrgChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Organization) -> str:
        return obj.name


class OrgMultiChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Organization) -> str:
        return obj.name


class MechanismForm(forms.Form):
    name = forms.CharField(label="机制名称", max_length=120)
    industry = forms.CharField(label="行业", max_length=40, help_text="如：快递、美发美容")
    convening_union = OrgChoice(label="召集工会", queryset=Organization.objects.none())
    collaboration_mode = forms.ChoiceField(label="协作模式", choices=CollaborationMode.choices)
    custom_mode = forms.CharField(
        label="自定义协作模式", max_length=120, required=False, help_text="选择“自定义”时填写"
    )
    status = forms.ChoiceField(
        label="状态", choices=Mechanism.Status.choices, initial=Mechanism.Status.ACTIVE
    )
    description = forms.CharField(
        label="工作机制说明", required=False, widget=forms.Textarea(attrs=TEXTAREA)
    )
    members = OrgMultiChoice(
        label="成员单位",
        queryset=Organization.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text="可多选；联络员可在成员单位页登记",
    )

    def __init__(
        self,
        *args: Any,
        unions: QuerySet[Organization],
        bodies: QuerySet[Organization],
        editing: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["convening_union"]).queryset = unions
        cast(forms.ModelChoiceField, self.fields["members"]).queryset = bodies
        if editing:
            del self.fields["convening_union"]
            del self.fields["members"]
        else:
            del self.fields["status"]


class MemberForm(forms.Form):
    organization = OrgChoice(label="成员单位", queryset=Organization.objects.none())
    role = forms.ChoiceField(
        label="角色", choices=MechanismMember.Role.choices, initial=MechanismMember.Role.MEMBER
    )
    liaison_name = forms.CharField(label="联络员", max_length=60, required=False)
    liaison_title = forms.CharField(label="联络员职务", max_length=60, required=False)

    def __init__(self, *args: Any, bodies: QuerySet[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["organization"]).queryset = bodies


class PlanSummaryForm(forms.Form):
    summary = forms.CharField(
        label="总体安排", required=False, widget=forms.Textarea(attrs=TEXTAREA)
    )


class TargetForm(forms.Form):
    title = forms.CharField(
        label="目标任务", max_length=120, help_text="如：疗休养、新建工会、双十一慰问"
    )
    lead_body = OrgChoice(label="牵头单位", queryset=Organization.objects.none())
    target_value = forms.IntegerField(label="目标数", min_value=1, max_value=1_000_000, initial=1)
    unit = forms.CharField(label="单位", max_length=10, initial="项")
    note = forms.CharField(label="说明", max_length=200, required=False)

    def __init__(self, *args: Any, bodies: QuerySet[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["lead_body"]).queryset = bodies


class TargetRecordForm(forms.Form):
    achieved_value = forms.IntegerField(label="已完成数", min_value=0, max_value=1_000_000)
    note = forms.CharField(label="说明", max_length=200, required=False)


class PlannedMeetingForm(forms.Form):
    month = forms.IntegerField(label="计划月份", min_value=1, max_value=12)
    topic = forms.CharField(label="议题方向", max_length=120)


class PlanApproveForm(forms.Form):
    meeting: "forms.ModelChoiceField[Meeting]" = forms.ModelChoiceField(
        label="审议会议", queryset=None, empty_label="请选择"
    )

    def __init__(self, *args: Any, meetings: QuerySet[Meeting], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["meeting"]).queryset = meetings


class MeetingForm(forms.Form):
    title = forms.CharField(label="会议名称", max_length=120, help_text="如：2026年第三次联席会议")
    topic = forms.CharField(label="主题", max_length=120, required=False)
    starts_at = forms.DateTimeField(
        label="开始时间",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    duration_minutes = forms.IntegerField(
        label="时长（分钟）", min_value=15, max_value=1440, initial=120
    )
    location = forms.CharField(label="地点", max_length=200, required=False)
    online_url = forms.CharField(label="线上会议链接", max_length=300, required=False)
    host_body = OrgChoice(label="承办单位", queryset=Organization.objects.none())

    def __init__(self, *args: Any, bodies: QuerySet[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["host_body"]).queryset = bodies


class AgendaForm(forms.Form):
    title = forms.CharField(label="议题", max_length=200)
    note = forms.CharField(label="说明", max_length=300, required=False)


class CancelForm(forms.Form):
    cancel_reason = forms.CharField(label="取消原因", max_length=200)


class MinutesForm(forms.Form):
    minutes = forms.CharField(
        label="会议纪要", required=False, widget=forms.Textarea(attrs={"rows": 14})
    )


class ResolutionForm(forms.Form):
    resolution = forms.CharField(
        label="议定事项", max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )
    lead_body = OrgChoice(label="牵头单位", queryset=Organization.objects.none(), required=False)
    co_bodies = OrgMultiChoice(
        label="配合单位",
        queryset=Organization.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )
    deadline = forms.DateField(
        label="完成时限", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    expected_output = forms.CharField(label="预期成果", max_length=200, required=False)
    target: "forms.ModelChoiceField[PlanTarget]" = forms.ModelChoiceField(
        label="对应年度目标", queryset=None, required=False
    )

    def __init__(
        self,
        *args: Any,
        bodies: QuerySet[Organization],
        targets: QuerySet[PlanTarget],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["lead_body"]).queryset = bodies
        cast(forms.ModelChoiceField, self.fields["co_bodies"]).queryset = bodies
        cast(forms.ModelChoiceField, self.fields["target"]).queryset = targets


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class ProgressForm(forms.Form):
    percent = forms.IntegerField(label="进度（%）", min_value=0, max_value=100)
    text = forms.CharField(
        label="进展情况", max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
    reason = forms.CharField(
        label="进度回退原因", max_length=200, required=False, help_text="进度比上次低时必须填写"
    )
    attachments = MultipleFileField(
        label="附件",
        required=False,
        help_text="PDF、Word、Excel 或 JPG/PNG 图片，每个不超过 10 MB，最多 5 个",
    )


class ItemFilterForm(forms.Form):
    STATES = [
        ("", "全部"),
        ("open", "未完成"),
        ("overdue", "逾期"),
        ("week", "本周到期"),
        ("done", "已完成"),
        ("cancelled", "已取消"),
    ]
    mechanism = forms.IntegerField(required=False, widget=forms.HiddenInput)
    year = forms.IntegerField(
        required=False, min_value=2000, max_value=2100, widget=forms.HiddenInput
    )
    lead_body = forms.IntegerField(required=False, widget=forms.HiddenInput)
    state = forms.ChoiceField(label="状态", choices=STATES, required=False)
    mine = forms.BooleanField(label="只看本单位牵头", required=False)


# -- 补录 -----------------------------------------------------------------------------------------


class BackEntryMeetingForm(forms.Form):
    """补录会议: a meeting held before the platform, with attendance and minutes."""

    title = forms.CharField(label="会议名称", max_length=120, help_text="如：2026年第一次联席会议")
    topic = forms.CharField(label="主题", max_length=120, required=False)
    held_on = forms.DateField(
        label="召开日期",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="已召开的日期：不能晚于今天，最多补录两年内的会议",
    )
    start_time = forms.TimeField(
        label="开始时间",
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text="不填按 9:00 记",
    )
    duration_minutes = forms.IntegerField(
        label="时长（分钟）", min_value=15, max_value=1440, initial=120
    )
    location = forms.CharField(label="地点", max_length=200, required=False)
    online_url = forms.CharField(label="线上会议链接", max_length=300, required=False)
    host_body = OrgChoice(label="承办单位", queryset=Organization.objects.none())
    present_bodies = OrgMultiChoice(
        label="参会单位",
        queryset=Organization.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    minutes = forms.CharField(
        label="会议纪要", required=False, widget=forms.Textarea(attrs={"rows": 10})
    )

    def __init__(self, *args: Any, bodies: QuerySet[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["host_body"]).queryset = bodies
        cast(forms.ModelChoiceField, self.fields["present_bodies"]).queryset = bodies


class BackEntryProgressForm(ProgressForm):
    """A progress report of a back-entered item, on the day it was really made."""

    reported_on = forms.DateField(
        label="进展日期",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="进展发生的日期；进度 100% 时即为完成日期",
    )

    field_order = ["reported_on", "percent", "text", "reason", "attachments"]
