from datetime import date
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from liandong.activities.models import ActivityKind, ExpenseKind, FundSource, PartnerUnit, Selection
from liandong.organizations.models import Organization
from liandong.workers.models import HonourCategory, WorkerType

PRIORITY_SLOTS = ["priority_1", "priority_2", "priority_3", "priority_4"]
HONOUR_RULE_TITLES = ["劳模", *[str(label) for label in HonourCategory.labels]]


def priority_rule_choices(extra: list[str]) -> list[tuple[str, str]]:
    """Every priority condition by its label (工会会员, 荣誉：全国劳模, 职工类型：快递员…), plus any
    rule an activity already holds that is not among them (``extra``), so editing keeps it."""
    from liandong.activities.services import PRIORITY_RULE_LABELS, rule_label

    codes = [
        *PRIORITY_RULE_LABELS,
        *[f"honour:{title}" for title in HONOUR_RULE_TITLES],
        *[f"worker_type:{value}" for value in WorkerType.values],
    ]
    codes += [rule for rule in extra if rule not in codes]
    return [(code, rule_label(code)) for code in codes]


def sane_year(value: date | None) -> None:
    if value is not None and not 2000 <= value.year <= 2100:
        raise ValidationError("日期应在 2000 年至 2100 年之间")


DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


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
    priority_1 = forms.ChoiceField(label="第一优先（抽签用）", required=False)
    priority_2 = forms.ChoiceField(label="第二优先", required=False)
    priority_3 = forms.ChoiceField(label="第三优先", required=False)
    priority_4 = forms.ChoiceField(label="第四优先", required=False)
    partner_route = forms.ChoiceField(
        label="疗休养合作单位 / 主题线路",
        required=False,
        help_text="疗休养活动可选择协议期内的合作单位及其主题线路",
    )
    route = forms.CharField(label="其他线路（未签约单位时填写）", max_length=120, required=False)
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
        partner_units: "list[PartnerUnit] | None" = None,
        extra_rules: list[str] | None = None,
        **kwargs: Any,
    ) -> None:
        initial_quotas = (kwargs.get("initial") or {}).get("quotas") or []
        super().__init__(*args, **kwargs)
        self.scope = organizers
        # 名额分配: rows of (unit, places), a formset submitted with the form (prefix "quota").
        self.quota_rows = cast(
            BaseQuotaFormSet,
            QuotaFormSet(
                args[0] if args else kwargs.get("data"),
                prefix="quota",
                initial=[{"body": body, "places": places} for body, places in initial_quotas],
                form_kwargs={"bodies": organizers.order_by("path", "id")},
            ),
        )
        self.quota_errors: list[str] = []
        rule_choices = [("", "—（不设）"), *priority_rule_choices(extra_rules or [])]
        for name in PRIORITY_SLOTS:
            cast(forms.ChoiceField, self.fields[name]).choices = rule_choices
        self.partner_units = {str(u.pk): u for u in partner_units or []}
        routes: list[tuple[str, str]] = [("", "—（不选合作单位）")]
        for unit in partner_units or []:
            routes.append((f"{unit.pk}|", f"{unit.name}（不指定线路）"))
            routes += [(f"{unit.pk}|{r}", f"{unit.name} · {r}") for r in unit.route_list]
        cast(forms.ChoiceField, self.fields["partner_route"]).choices = routes
        cast(forms.ModelChoiceField, self.fields["organizer"]).queryset = organizers.filter(
            kind__in=[Organization.Kind.UNION, Organization.Kind.UNION_FEDERATION]
        )
        cast(forms.ModelChoiceField, self.fields["co_organizers"]).queryset = partners
        if editing:
            # The organizer decides who manages the activity and sub-venues carry the people
            # served: neither changes on the edit page.
            del self.fields["organizer"]
            del self.fields["sub_venues"]

    def _clean_rules(self) -> dict[str, Any]:
        data = super().clean() or {}
        rules: list[str] = []
        for name in PRIORITY_SLOTS:
            rule = data.pop(name, "") or ""
            if rule and rule in rules:
                self.add_error(name, "同一优先条件只能选一次")
            elif rule:
                rules.append(rule)
        data["priority_rules"] = rules
        choice = data.pop("partner_route", "") or ""
        unit_id, _, route = choice.partition("|")
        data["partner_unit"] = self.partner_units.get(unit_id) if unit_id else None
        if data["partner_unit"] is not None:
            data["route"] = route
        return data

    def clean_sub_venues(self) -> list[str]:
        return [
            line.strip() for line in self.cleaned_data["sub_venues"].splitlines() if line.strip()
        ]

    def is_valid(self) -> bool:
        rows_valid = self.quota_rows.is_valid()
        return super().is_valid() and rows_valid

    def clean(self) -> dict[str, Any]:
        data = self._clean_rules()
        data["quotas"] = self.quota_rows.quotas() if self.quota_rows.is_valid() else []
        return data

    def add_service_error(self, error: ValidationError) -> None:
        """A service's refusal: what concerns the quotas shown above the rows, the rest against
        the field it names (or above the form)."""
        if hasattr(error, "error_dict") and "quotas" in error.error_dict:
            for item in error.error_dict.pop("quotas"):
                self.quota_errors.extend(item.messages)
            if not error.error_dict:
                return
        errors = error.error_dict if hasattr(error, "error_dict") else {None: error.error_list}
        for field, items in errors.items():
            self.add_error(field if field in self.fields else None, items)


class QuotaRowForm(forms.Form):
    """One row of 名额分配: a unit chosen by name and its number of places."""

    body = forms.ModelChoiceField(
        label="单位",
        queryset=Organization.objects.none(),
        required=False,
        empty_label="—（选择单位）",
    )
    places = forms.IntegerField(label="名额", min_value=0, max_value=100_000, required=False)

    def __init__(self, *args: Any, bodies: QuerySet[Organization], row: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.row = row
        body = cast(forms.ModelChoiceField, self.fields["body"])
        body.queryset = bodies
        body.error_messages["invalid_choice"] = f"第 {row} 行：所选单位不存在或不在您的范围内"
        places = cast(forms.IntegerField, self.fields["places"])
        places.error_messages.update(
            invalid=f"第 {row} 行：名额应为整数",
            min_value=f"第 {row} 行：名额不能为负数",
            max_value=f"第 {row} 行：名额不能超过 100000",
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        if data.get("body") is not None and data.get("places") is None:
            self.add_error("places", f"第 {self.row} 行：请填写{data['body'].name}的名额")
        if data.get("body") is None and data.get("places") is not None:
            self.add_error("body", f"第 {self.row} 行：请选择单位")
        return data


class BaseQuotaFormSet(forms.BaseFormSet):
    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        kwargs = super().get_form_kwargs(index)
        kwargs["row"] = (index or 0) + 1 if index is not None else 0
        return kwargs

    def _kept(self) -> list[QuotaRowForm]:
        return [
            form
            for form in self.forms
            if form.cleaned_data.get("body") is not None and not form.cleaned_data.get("DELETE")
        ]

    def clean(self) -> None:
        if any(self.errors):
            return
        seen: dict[int, int] = {}
        for form in self._kept():
            body = form.cleaned_data["body"]
            if body.pk in seen:
                form.add_error(
                    "body",
                    f"第 {form.row} 行：{body.name}与第 {seen[body.pk]} 行重复，请合并为一行",
                )
            seen.setdefault(body.pk, form.row)

    def quotas(self) -> list[tuple[Organization, int]]:
        return [(f.cleaned_data["body"], f.cleaned_data["places"]) for f in self._kept()]


QuotaFormSet = forms.formset_factory(
    QuotaRowForm, formset=BaseQuotaFormSet, extra=3, can_delete=True, max_num=200
)


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
    local_merchant = forms.ChoiceField(label="特产商户（特产消费）", required=False)
    merchant = forms.CharField(label="其他商户（未登记时填写）", max_length=120, required=False)
    note = forms.CharField(label="说明", max_length=200, required=False)
    override_reason = forms.CharField(
        label="超预算说明（仅管理员，须另一位管理员审批）", max_length=200, required=False
    )

    def __init__(
        self,
        *args: Any,
        lines: list[tuple[int, str]],
        activities: list[tuple[int, str]],
        merchants: list[tuple[int, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["budget_line"]).choices = lines
        cast(forms.ChoiceField, self.fields["activity"]).choices = [("", "—"), *activities]
        cast(forms.ChoiceField, self.fields["local_merchant"]).choices = [
            ("", "—"),
            *(merchants or []),
        ]


class BudgetLineForm(forms.Form):
    owner = forms.ModelChoiceField(
        label="所属单位", queryset=Organization.objects.none(), empty_label=None
    )
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    source = forms.ChoiceField(label="经费来源", choices=FundSource.choices)
    name = forms.CharField(label="科目名称", max_length=120)
    amount = forms.DecimalField(
        label="预算金额（元）", min_value=0.01, max_digits=14, decimal_places=2
    )
    override_ceiling = forms.DecimalField(
        label="超预算上限（元）",
        min_value=0,
        max_digits=14,
        decimal_places=2,
        initial=0,
        help_text="经另一位管理员批准的超预算支出，累计最多可超出预算的金额；0 表示不允许超支",
    )
    note = forms.CharField(label="说明", max_length=200, required=False)

    def __init__(
        self, *args: Any, owners: QuerySet[Organization], editing: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["owner"]).queryset = owners
        if editing:
            del self.fields["owner"]


class ExpenseReverseForm(forms.Form):
    reason = forms.CharField(label="冲销 / 更正原因", max_length=200)
    corrected_amount = forms.DecimalField(
        label="更正后的金额（元，只冲销不填）",
        min_value=0.01,
        max_digits=14,
        decimal_places=2,
        required=False,
    )


class OverrideDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="审批", choices=[("approve", "批准"), ("reject", "驳回")], widget=forms.HiddenInput
    )
    note = forms.CharField(label="审批意见（驳回时必填）", max_length=200, required=False)


class PartnerUnitForm(forms.Form):
    owner = forms.ModelChoiceField(
        label="签约工会", queryset=Organization.objects.none(), empty_label=None
    )
    name = forms.CharField(label="单位名称", max_length=120)
    address = forms.CharField(label="地址", max_length=200, required=False)
    contact = forms.CharField(label="联系人 / 电话", max_length=120, required=False)
    agreement_starts_on = forms.DateField(validators=[sane_year], label="协议开始", widget=DATE)
    agreement_ends_on = forms.DateField(validators=[sane_year], label="协议截止", widget=DATE)
    capacity = forms.IntegerField(label="每批接待人数", min_value=0, max_value=100_000, initial=0)
    price_per_person = forms.DecimalField(
        label="人均价格（元）", min_value=0, max_digits=10, decimal_places=2, initial=0
    )
    routes = forms.CharField(
        label="主题线路（每行一条）",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "疗养+山水线\n文化+养生线"}),
    )
    active = forms.BooleanField(label="合作中", required=False, initial=True)

    def __init__(
        self, *args: Any, owners: QuerySet[Organization], editing: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["owner"]).queryset = owners
        if editing:
            del self.fields["owner"]


class MerchantForm(forms.Form):
    owner = forms.ModelChoiceField(
        label="所属工会", queryset=Organization.objects.none(), empty_label=None
    )
    name = forms.CharField(label="商户名称", max_length=120)
    town = forms.CharField(label="所在乡镇", max_length=60, required=False)
    products = forms.CharField(label="主要特产", max_length=200)
    contact = forms.CharField(label="联系人 / 电话", max_length=120, required=False)

    def __init__(
        self, *args: Any, owners: QuerySet[Organization], editing: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["owner"]).queryset = owners
        if editing:
            del self.fields["owner"]


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
