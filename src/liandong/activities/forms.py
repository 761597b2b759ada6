from datetime import date
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from liandong.activities.models import ActivityKind, ExpenseKind, Selection
from liandong.activities.services import rule_label
from liandong.organizations.models import Organization
from liandong.workers.models import WorkerType


def sane_year(value: date | None) -> None:
    if value is not None and not 2000 <= value.year <= 2100:
        raise ValidationError("日期应在 2000 年至 2100 年之间")


DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


# The conditions a lottery can put first, in words (the codes stay in the database and the API).
PRIORITY_CHOICES = [
    ("honour:劳模", "荣誉称号：劳模"),
    ("member", "工会会员"),
    ("never_recuperated", "从未参加过疗休养"),
    *[(f"worker_type:{value}", f"职工类型：{label}") for value, label in WorkerType.choices],
]
PRIORITY_SLOTS = 4


class PriorityRulesWidget(forms.MultiWidget):
    """Four selects, 第一优先 to 第四优先, each naming a condition instead of its code."""

    def __init__(self) -> None:
        names = ["第一优先", "第二优先", "第三优先", "第四优先"]
        super().__init__([forms.Select(attrs={"aria-label": name}) for name in names])

    def value_from_datadict(self, data: Any, files: Any, name: str) -> list[str]:
        # The rules as one value, a code per line (how the form was posted before it had
        # selects), are still read.
        if name in data and not any(f"{name}_{i}" in data for i in range(PRIORITY_SLOTS)):
            return self.decompress(data.get(name))
        return cast(list[str], super().value_from_datadict(data, files, name))

    def decompress(self, value: Any) -> list[str]:
        rules = value.splitlines() if isinstance(value, str) else list(value or [])
        rules = [rule.strip() for rule in rules if rule.strip()]
        return (rules + [""] * PRIORITY_SLOTS)[:PRIORITY_SLOTS]


class PriorityRulesField(forms.MultiValueField):
    """The ordered priority rules of a lottery as a list of codes, chosen by their labels."""

    widget: PriorityRulesWidget

    def __init__(self, **kwargs: Any) -> None:
        fields = [forms.ChoiceField(required=False) for _ in range(PRIORITY_SLOTS)]
        super().__init__(fields=fields, require_all_fields=False, **kwargs)
        self.widget = PriorityRulesWidget()
        self.set_choices(PRIORITY_CHOICES)

    def set_choices(self, choices: list[tuple[str, str]]) -> None:
        options = [("", "不设"), *choices]
        for field, widget in zip(self.fields, self.widget.widgets, strict=True):
            cast(forms.ChoiceField, field).choices = options
            cast(forms.Select, widget).choices = options

    def compress(self, data_list: list[str]) -> list[str]:
        return list(dict.fromkeys(rule for rule in data_list or [] if rule))


class ActivityForm(forms.Form):
    title = forms.CharField(label="活动名称", max_length=120)
    kind = forms.ChoiceField(label="活动类型", choices=ActivityKind.choices)
    organizer = forms.ModelChoiceField(
        label="主办单位", queryset=Organization.objects.none(), empty_label=None
    )
    co_organizers = forms.ModelMultipleChoiceField(
        label="协办单位",
        queryset=Organization.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    place = forms.CharField(label="地点 / 线路", max_length=200, required=False)
    starts_on = forms.DateField(validators=[sane_year], label="开始日期", widget=DATE)
    ends_on = forms.DateField(validators=[sane_year], label="结束日期", widget=DATE)
    target_group = forms.CharField(
        label="服务对象",
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "如：快递员、外卖骑手"}),
    )
    target_worker_types = forms.MultipleChoiceField(
        label="限职工类型（不选则不限）",
        choices=WorkerType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    selection = forms.ChoiceField(label="产生方式", choices=Selection.choices)
    total_places = forms.IntegerField(label="名额", min_value=0, initial=0)
    applications_open_at = forms.DateTimeField(
        validators=[sane_year], label="报名开始", required=False, widget=DATETIME
    )
    applications_close_at = forms.DateTimeField(
        validators=[sane_year], label="报名截止", required=False, widget=DATETIME
    )
    members_only = forms.BooleanField(label="仅限工会会员", required=False)
    no_recuperation_years = forms.IntegerField(
        label="近几年内未参加过疗休养（0 为不限）", min_value=0, max_value=20, initial=0
    )
    min_years_registered = forms.IntegerField(
        label="从业登记满几年（0 为不限）", min_value=0, max_value=50, initial=0
    )
    min_age = forms.IntegerField(label="最低年龄", min_value=0, max_value=120, required=False)
    max_age = forms.IntegerField(label="最高年龄", min_value=0, max_value=120, required=False)
    priority_rules = PriorityRulesField(
        label="优先序（抽签用，靠前优先）",
        required=False,
        help_text="从第一优先起选择；不需要的留空",
    )
    quotas = forms.CharField(
        label="名额分配（每行：单位编码 名额）",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "KD-ZTO 10"}),
    )
    sub_venues = forms.CharField(
        label="分会场 / 服务点（每行一个）",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    objection_channel = forms.CharField(
        label="异议受理渠道",
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "如：0931-1234567（工作日）"}),
    )
    description = forms.CharField(
        label="活动内容", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(
        self,
        *args: Any,
        organizers: QuerySet[Organization],
        partners: QuerySet[Organization],
        editing: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.scope = organizers
        cast(forms.ModelChoiceField, self.fields["organizer"]).queryset = organizers.filter(
            kind__in=[Organization.Kind.UNION, Organization.Kind.UNION_FEDERATION]
        )
        cast(forms.ModelChoiceField, self.fields["co_organizers"]).queryset = partners
        # A rule the activity already has stays choosable (another honour, set through the API).
        offered = dict(PRIORITY_CHOICES)
        current = self.initial.get("priority_rules") or []
        current = current.splitlines() if isinstance(current, str) else current
        extra = [(r, rule_label(r)) for r in current if r.strip() and r not in offered]
        if extra:
            cast(PriorityRulesField, self.fields["priority_rules"]).set_choices(
                [*PRIORITY_CHOICES, *extra]
            )
        if editing:
            # The organizer decides who manages the activity and sub-venues carry the people
            # served: neither changes on the edit page.
            del self.fields["organizer"]
            del self.fields["sub_venues"]

    def clean_sub_venues(self) -> list[str]:
        return [
            line.strip() for line in self.cleaned_data["sub_venues"].splitlines() if line.strip()
        ]

    def clean_quotas(self) -> list[tuple[Organization, int]]:
        quotas = []
        for number, line in enumerate(self.cleaned_data["quotas"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = line.split()
            if len(parts) != 2 or not parts[1].isdigit():
                raise ValidationError(f"第 {number} 行格式应为“单位编码 名额”")
            body = self.scope.filter(code=parts[0]).first()
            if body is None:
                raise ValidationError(f"第 {number} 行：单位编码 {parts[0]} 不存在或不在您的范围内")
            quotas.append((body, int(parts[1])))
        return quotas


WEEKDAYS = [
    ("1", "周一"),
    ("2", "周二"),
    ("3", "周三"),
    ("4", "周四"),
    ("5", "周五"),
    ("6", "周六"),
    ("7", "周日"),
]
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class HomeForm(forms.Form):
    name = forms.CharField(label="名称", max_length=120)
    address = forms.CharField(label="地址", max_length=200, required=False)
    owners = forms.ModelMultipleChoiceField(
        label="共建单位",
        queryset=Organization.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "请至少选择一个共建单位"},
    )
    facilities = forms.CharField(
        label="设施",
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "如：休息区、饮水、充电、微波炉、图书角"}),
    )
    opens_at = forms.TimeField(label="开放时间", widget=TIME)
    closes_at = forms.TimeField(label="关闭时间", widget=TIME)
    open_weekdays = forms.MultipleChoiceField(
        label="开放日",
        choices=WEEKDAYS,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "请至少选择一个开放日"},
    )
    capacity = forms.IntegerField(
        label="容纳人数（0 为不限）", min_value=0, max_value=100_000, initial=0
    )

    def __init__(self, *args: Any, owners: QuerySet[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["owners"]).queryset = owners

    def clean_open_weekdays(self) -> str:
        return "".join(sorted(self.cleaned_data["open_weekdays"]))


class CancelBookingForm(forms.Form):
    reason = forms.CharField(
        label="取消原因", max_length=200, error_messages={"required": "请填写取消原因"}
    )


class NominateForm(forms.Form):
    worker = forms.IntegerField(label="职工编号", min_value=1)


class WithdrawForm(forms.Form):
    reason = forms.CharField(label="原因", max_length=200, required=False)


class NoticeForm(forms.Form):
    days = forms.IntegerField(label="公示期（天）", min_value=1, max_value=30, initial=5)
    objection_channel = forms.CharField(label="异议受理渠道", max_length=200, required=False)


class FeedbackForm(forms.Form):
    rating = forms.TypedChoiceField(
        label="评分", coerce=int, choices=[(i, f"{i} 分") for i in range(5, 0, -1)]
    )
    feedback = forms.CharField(
        label="意见建议", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ServedForm(forms.Form):
    sub_venue = forms.ChoiceField(label="分会场", required=False)
    served_on = forms.DateField(validators=[sane_year], label="日期", widget=DATE)
    people = forms.IntegerField(label="服务人次", min_value=1, max_value=100_000)
    note = forms.CharField(label="备注", max_length=200, required=False)

    def __init__(self, *args: Any, sub_venues: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["sub_venue"]).choices = [("", "主会场"), *sub_venues]


class BookingForm(forms.Form):
    owner = forms.ModelChoiceField(
        label="预约单位", queryset=Organization.objects.none(), empty_label=None
    )
    day = forms.DateField(validators=[sane_year], label="日期", widget=DATE)
    starts = forms.TimeField(label="开始", widget=forms.TimeInput(attrs={"type": "time"}))
    ends = forms.TimeField(label="结束", widget=forms.TimeInput(attrs={"type": "time"}))
    purpose = forms.CharField(label="用途", max_length=120)
    people = forms.IntegerField(label="人数", min_value=0, max_value=100_000, initial=0)

    def __init__(self, *args: Any, owners: QuerySet[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["owner"]).queryset = owners


class ExpenseForm(forms.Form):
    budget_line = forms.ChoiceField(label="预算科目")
    kind = forms.ChoiceField(label="类别", choices=ExpenseKind.choices)
    amount = forms.DecimalField(label="金额（元）", min_value=0.01, max_digits=14, decimal_places=2)
    spent_on = forms.DateField(validators=[sane_year], label="日期", widget=DATE)
    activity = forms.ChoiceField(label="关联活动", required=False)
    enterprise = forms.CharField(label="受补助企业编码", max_length=40, required=False)
    merchant = forms.CharField(label="合作商户（特产消费）", max_length=120, required=False)
    note = forms.CharField(label="说明", max_length=200, required=False)
    override_reason = forms.CharField(
        label="超预算说明（仅管理员）", max_length=200, required=False
    )

    def __init__(
        self,
        *args: Any,
        lines: list[tuple[int, str]],
        activities: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["budget_line"]).choices = lines
        cast(forms.ChoiceField, self.fields["activity"]).choices = [("", "—"), *activities]


class ActivityBackEntryForm(forms.Form):
    """补录活动: an activity already held, with who took part."""

    organizer = forms.ModelChoiceField(label="主办单位", queryset=Organization.objects.none())
    title = forms.CharField(label="活动名称", max_length=120)
    kind = forms.ChoiceField(label="活动类型", choices=ActivityKind.choices)
    starts_on = forms.DateField(
        label="开始日期",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="已举办的日期：不能晚于今天，最多补录两年内的活动",
    )
    ends_on = forms.DateField(label="结束日期", widget=forms.DateInput(attrs={"type": "date"}))
    place = forms.CharField(label="地点 / 线路", max_length=200, required=False)
    target_group = forms.CharField(label="服务对象", max_length=200, required=False)
    description = forms.CharField(
        label="活动内容", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    participants = forms.CharField(
        label="参加职工",
        required=False,
        max_length=200_000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="每行一人：职工编号，或身份证号（可从花名册整列粘贴）；须为您范围内的职工",
    )
    people_served = forms.IntegerField(
        label="服务人次",
        required=False,
        min_value=0,
        max_value=100_000,
        help_text="无需报名的活动（义剪、义诊等）填写服务人次",
    )

    def __init__(self, *args: Any, organizers: QuerySet[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["organizer"]).queryset = organizers
