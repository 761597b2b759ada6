import re
from datetime import date
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from liandong.demands.models import Category, Industry, Rating, State, Urgency
from liandong.organizations.models import Organization

CATEGORY_OPTIONAL = [("", "不清楚，请帮我判断"), *Category.choices]


class IntakeForm(forms.Form):
    """The phone page (and the hotline page, with a channel): what the service needs, checked
    again there; the form only shapes the input."""

    category = forms.ChoiceField(label="诉求类别", choices=CATEGORY_OPTIONAL, required=False)
    description = forms.CharField(
        label="诉求内容",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=2000,
        help_text="请写清楚发生了什么、涉及哪家单位或平台、希望怎么解决。",
    )
    industry = forms.ChoiceField(label="所在行业", choices=[("", "请选择"), *Industry.choices])
    employer_name = forms.CharField(label="工作单位或平台", max_length=100, required=False)
    city = forms.CharField(label="所在城市", max_length=40, initial="兰州")
    mobile = forms.CharField(
        label="手机号",
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "tel"}),
        help_text="用于查询进度和回访，仅办理人员可见。",
    )
    name = forms.CharField(label="姓名（可不填，匿名提交）", max_length=40, required=False)
    urgency = forms.ChoiceField(label="紧急程度", choices=Urgency.choices, initial=Urgency.NORMAL)
    consent = forms.BooleanField(
        label="我同意工会为办理本诉求处理我的手机号等个人信息，并在必要时提供给责任单位",
        required=False,
    )
    token = forms.CharField(widget=forms.HiddenInput, required=False)


class StaffIntakeForm(IntakeForm):
    channel = forms.ChoiceField(
        label="来源渠道", choices=[("hotline", "热线电话"), ("visit", "来访")]
    )
    consent = forms.BooleanField(label="已告知来电职工个人信息处理的用途并取得同意", required=False)


class TrackForm(forms.Form):
    code = forms.CharField(label="查询码", max_length=12)
    mobile_tail = forms.CharField(
        label="手机号后四位",
        min_length=4,
        max_length=4,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )


class RateForm(forms.Form):
    code = forms.CharField(widget=forms.HiddenInput)
    mobile_tail = forms.CharField(widget=forms.HiddenInput)
    rating = forms.ChoiceField(
        label="您对办理结果是否满意", choices=Rating.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label="评价意见（可不填）",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ActionForm(forms.Form):
    action = forms.CharField(widget=forms.HiddenInput)
    note = forms.CharField(
        label="说明", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    reason = forms.CharField(label="理由", required=False, max_length=500)
    body = forms.ModelChoiceField(
        label="责任单位", queryset=Organization.objects.none(), required=False
    )
    category = forms.ChoiceField(
        label="类别", choices=[("", "—"), *Category.choices], required=False
    )
    into_code = forms.CharField(label="合并到（查询码）", max_length=12, required=False)

    def __init__(
        self, *args: Any, bodies: QuerySet[Organization] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if bodies is not None:
            cast(forms.ModelChoiceField, self.fields["body"]).queryset = bodies


class RevealForm(forms.Form):
    purpose = forms.CharField(label="查看原因", max_length=200, required=False, initial="回访职工")


BREACH_CHOICES = [("", "全部"), ("yes", "已超时"), ("no", "未超时")]


class FilterForm(forms.Form):
    q = forms.CharField(label="查询码", max_length=12, required=False)
    state = forms.ChoiceField(label="状态", choices=[("", "全部"), *State.choices], required=False)
    breached = forms.ChoiceField(label="超时", choices=BREACH_CHOICES, required=False)
    category = forms.ChoiceField(
        label="类别", choices=[("", "全部"), *Category.choices], required=False
    )
    body = forms.ModelChoiceField(
        label="责任单位", queryset=Organization.objects.none(), required=False, empty_label="全部"
    )
    city = forms.CharField(label="城市", max_length=40, required=False)
    view = forms.ChoiceField(
        label="视图",
        required=False,
        choices=[
            ("", "全部"),
            ("escalated", "已督办"),
            ("agenda", "提交联席会议"),
            ("duplicates", "疑似重复"),
            ("limit", "临近或超过时限"),
        ],
    )
    sort = forms.ChoiceField(
        label="排序",
        required=False,
        choices=[("", "紧急优先"), ("new", "最新受理")],
    )

    def __init__(
        self, *args: Any, bodies: QuerySet[Organization] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if bodies is not None:
            cast(forms.ModelChoiceField, self.fields["body"]).queryset = bodies


class StatsForm(forms.Form):
    start = forms.DateField(
        label="起始日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label="截止日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    group_by = forms.ChoiceField(
        label="分组",
        initial="category",
        required=False,
        choices=[
            ("category", "按类别"),
            ("body", "按责任单位"),
            ("city", "按城市"),
            ("month", "按月份"),
        ],
    )
    category = forms.ChoiceField(
        label="类别", choices=[("", "全部"), *Category.choices], required=False
    )
    body = forms.ModelChoiceField(
        label="责任单位", queryset=Organization.objects.none(), required=False, empty_label="全部"
    )
    city = forms.CharField(label="城市", max_length=40, required=False)
    # The dashboard's links carry its 行业 filter (reports); the demands filed under it.
    industry = forms.ChoiceField(
        label="行业", choices=[("", "全部"), *Industry.choices], required=False
    )

    def __init__(
        self, *args: Any, bodies: QuerySet[Organization] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if bodies is not None:
            cast(forms.ModelChoiceField, self.fields["body"]).queryset = bodies

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise ValidationError("起始日期不能晚于截止日期")
        return data


class RuleForm(forms.Form):
    category = forms.ChoiceField(
        label="类别", choices=[("", "任意"), *Category.choices], required=False
    )
    industry = forms.ChoiceField(
        label="行业", choices=[("", "任意"), *Industry.choices], required=False
    )
    city = forms.CharField(label="城市（空为任意）", max_length=40, required=False)
    body = forms.ModelChoiceField(label="责任单位", queryset=Organization.objects.none())
    co_bodies = forms.ModelMultipleChoiceField(
        label="协办单位", queryset=Organization.objects.none(), required=False
    )
    priority = forms.IntegerField(
        label="优先级（小者优先）", min_value=0, max_value=999, initial=100
    )

    def __init__(
        self, *args: Any, bodies: QuerySet[Organization] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if bodies is not None:
            cast(forms.ModelChoiceField, self.fields["body"]).queryset = bodies
            cast(forms.ModelMultipleChoiceField, self.fields["co_bodies"]).queryset = bodies


class TimeLimitForm(forms.Form):
    category = forms.ChoiceField(
        label="类别", choices=[("", "全部类别"), *Category.choices], required=False
    )
    urgency = forms.ChoiceField(label="紧急程度", choices=Urgency.choices)
    response_days = forms.IntegerField(
        label="首次响应（工作日）", min_value=1, max_value=30, initial=1
    )
    resolution_days = forms.IntegerField(
        label="办结（工作日）", min_value=1, max_value=90, initial=5
    )
    escalation_days = forms.IntegerField(
        label="超时后提交联席会议（工作日）", min_value=1, max_value=90, initial=5
    )


DAY_LINE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})\s*(休|班)\s*(.*)$")


class CalendarForm(forms.Form):
    """A year's official schedule, one line per day: ``2027-02-06 休 春节`` or
    ``2027-02-14 班 春节调休``; days not listed follow Monday–Friday."""

    year = forms.IntegerField(label="年份", min_value=2000, max_value=2100)
    days = forms.CharField(
        label="放假与调休安排",
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="每行一天：日期、“休”或“班”、说明。例如：2027-10-01 休 国庆节；2027-10-09 班 国庆节调休。",
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        year = data.get("year")
        parsed: list[tuple[date, bool, str]] = []
        for number, line in enumerate((data.get("days") or "").splitlines(), start=1):
            line = line.strip()
            if not line:
                continue
            match = DAY_LINE.match(line)
            if not match:
                self.add_error("days", f"第 {number} 行格式不正确：{line[:30]}")
                continue
            try:
                day = date(int(match[1]), int(match[2]), int(match[3]))
            except ValueError:
                self.add_error("days", f"第 {number} 行日期不存在：{line[:30]}")
                continue
            if year and day.year != year:
                self.add_error("days", f"第 {number} 行不属于 {year} 年")
                continue
            parsed.append((day, match[4] == "班", match[5].strip()[:40]))
        if not parsed and not self.errors:
            self.add_error("days", "请至少填写一天")
        data["parsed"] = parsed
        return data


class TriageForm(forms.Form):
    """One tap in the 待分类 queue: the category a person chose."""

    category = forms.ChoiceField(
        label="类别",
        choices=[("", "请选择类别"), *Category.choices],
        error_messages={"required": "请选择类别", "invalid_choice": "请选择有效的诉求类别"},
    )


class ClassifierForm(forms.Form):
    """Roll back (or forward) to a version; 0 = the model shipped with the software."""

    version = forms.IntegerField(
        label="版本", min_value=0, error_messages={"required": "请选择要启用的版本"}
    )


class SuggestForm(forms.Form):
    description = forms.CharField(max_length=2000, required=False)
