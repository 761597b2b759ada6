from collections.abc import Sequence
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.db.models import QuerySet

from liandong.core.extensions import ServiceActivity
from liandong.organizations.models import Organization
from liandong.volunteers.models import Member

TEXTAREA = {"rows": 3}
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class OrgChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Organization) -> str:
        return obj.name


class TeamForm(forms.Form):
    name = forms.CharField(label="服务队名称", max_length=120)
    organization = OrgChoice(label="主管工会", queryset=Organization.objects.none())
    founded_on = forms.DateField(label="成立日期", widget=DATE)
    skills = forms.CharField(
        label="专业技能",
        max_length=300,
        required=False,
        help_text="用顿号分隔，如：新能源电池维护、充电规范、应急处置",
    )
    service_mode = forms.CharField(
        label="服务方式", max_length=120, required=False, help_text="如：服务+培训"
    )
    contact_name = forms.CharField(label="负责人", max_length=40, required=False)
    description = forms.CharField(
        label="简介", required=False, widget=forms.Textarea(attrs=TEXTAREA)
    )

    def __init__(self, *args: Any, sponsors: QuerySet[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["organization"]).queryset = sponsors


class MemberForm(forms.Form):
    KINDS = [("worker", "名册中的职工（按手机号查找）"), ("outside", "社会志愿者（不在职工名册）")]
    kind = forms.ChoiceField(label="志愿者类型", choices=KINDS, initial="worker")
    mobile = forms.CharField(label="手机号", max_length=20)
    name = forms.CharField(
        label="姓名", max_length=40, required=False, help_text="社会志愿者填写；名册职工按名册"
    )
    joined_on = forms.DateField(label="入队日期", widget=DATE)
    skills = forms.CharField(label="专业技能", max_length=200, required=False)
    role = forms.CharField(
        label="队内职务", max_length=40, required=False, help_text="如：队长、技术骨干"
    )


class RemoveForm(forms.Form):
    left_on = forms.DateField(label="离队日期", required=False, widget=DATE, help_text="默认今天")


class RevealForm(forms.Form):
    purpose = forms.CharField(label="查看原因", max_length=200, required=False)


class HonourForm(forms.Form):
    title = forms.CharField(label="荣誉 / 授旗", max_length=120, help_text="如：授旗")
    awarded_on = forms.DateField(label="日期", widget=DATE)
    awarded_by = forms.CharField(label="授予单位", max_length=120, required=False)
    note = forms.CharField(label="说明", max_length=300, required=False)


class ServiceForm(forms.Form):
    """One turnout: the activity, the day, people served, and a field of hours per member."""

    activity = forms.TypedChoiceField(label="服务活动", coerce=int, choices=[])
    served_on = forms.DateField(label="服务日期", widget=DATE)
    people_served = forms.IntegerField(label="服务人次", min_value=0, initial=0)
    note = forms.CharField(label="服务内容", max_length=300, required=False)

    def __init__(
        self,
        *args: Any,
        activities: Sequence[ServiceActivity],
        members: Sequence[Member],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.TypedChoiceField, self.fields["activity"]).choices = [
            ("", "请选择服务活动"),
            *[(a.id, f"{a.title}（{a.starts_on:%Y年%-m月%-d日}）") for a in activities],
        ]
        self.members = list(members)
        for member in self.members:
            self.fields[f"hours_{member.pk}"] = forms.DecimalField(
                label=f"{member.name} 服务时长（小时）",
                required=False,
                max_digits=6,
                decimal_places=1,
                min_value=Decimal("0.1"),
                max_value=Decimal("24"),
                help_text="未参加的留空",
            )

    def hours(self) -> dict[Member, Decimal]:
        return {
            member: self.cleaned_data[f"hours_{member.pk}"]
            for member in self.members
            if self.cleaned_data.get(f"hours_{member.pk}") is not None
        }


class TrainingForm(forms.Form):
    title = forms.CharField(label="培训主题", max_length=120)
    held_on = forms.DateField(label="培训日期", widget=DATE)
    place = forms.CharField(label="地点", max_length=120, required=False)
    trainer = forms.CharField(label="授课人", max_length=60, required=False)
    hours = forms.DecimalField(
        label="学时", max_digits=4, decimal_places=1, min_value=Decimal("0.5"), initial=2
    )
    content = forms.CharField(
        label="培训内容", required=False, widget=forms.Textarea(attrs=TEXTAREA)
    )


class MemberChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Member) -> str:
        return f"{obj.name}（{obj.kind_label}）"


class AttendanceForm(forms.Form):
    members = MemberChoice(
        label="参训志愿者",
        queryset=Member.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, members: QuerySet[Member], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelMultipleChoiceField, self.fields["members"]).queryset = members
