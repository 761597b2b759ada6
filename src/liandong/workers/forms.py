from datetime import date
from typing import Any

from django import forms
from django.db.models import QuerySet

from liandong.core.identity import normalize_name, validate_id_number, validate_mobile
from liandong.demands.forms import IntakeForm
from liandong.organizations.models import Organization
from liandong.workers.models import HonourCategory, WorkerType

MEMBER_CHOICES = [("", "全部"), ("yes", "会员"), ("no", "非会员")]
CHOICES_SHOWN = 200


def limit_choices(
    field: forms.Field,
    organizations: QuerySet[Organization],
    selected: str | int | None,
    shown: QuerySet[Organization] | None = None,
) -> None:
    """Validate against every unit of ``organizations`` but list only ``shown`` (by default
    the first units in tree order) plus the selected one.

    A province has some 20,000 units: rendering them all would make the page slow and the
    drop-down useless. Deeper units are reached from their own organization page, which
    links here with ``?organization=<id>``.
    """
    if not isinstance(field, forms.ModelChoiceField):
        raise TypeError(f"{field!r} is not a ModelChoiceField")
    field.queryset = organizations
    listed = list((shown if shown is not None else organizations).order_by("path")[:CHOICES_SHOWN])
    if selected and str(selected).isdigit() and all(str(o.pk) != str(selected) for o in listed):
        listed += list(organizations.filter(pk=selected))
    empty = [("", field.empty_label)] if field.empty_label is not None else []
    base = min((o.depth for o in listed), default=0)
    field.widget.choices = empty + [(o.pk, f"{'　' * (o.depth - base)}{o.name}") for o in listed]


class WorkerFilterForm(forms.Form):
    q = forms.CharField(
        label="姓名 / 手机尾号",
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "姓名、手机尾号 4 位或完整号码"}),
    )
    employer = forms.CharField(label="工作单位", max_length=60, required=False)
    worker_type = forms.ChoiceField(
        label="职工类型", choices=[("", "全部"), *WorkerType.choices], required=False
    )
    city = forms.CharField(label="城市", max_length=40, required=False)
    organization = forms.ModelChoiceField(
        label="组织范围",
        queryset=Organization.objects.none(),
        required=False,
        empty_label="我的全部范围",
    )
    member = forms.ChoiceField(label="会籍", choices=MEMBER_CHOICES, required=False)

    def __init__(
        self,
        *args: Any,
        organizations: QuerySet[Organization] | None = None,
        shown: QuerySet[Organization] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if organizations is not None:
            limit_choices(
                self.fields["organization"], organizations, self.data.get("organization"), shown
            )


class RosterUploadForm(forms.Form):
    file = forms.FileField(label="名册文件（.xlsx）")
    organization = forms.ModelChoiceField(label="导入到", queryset=Organization.objects.none())
    dry_run = forms.BooleanField(label="仅校验，不写入（试导入）", required=False)
    skip_invalid = forms.BooleanField(label="跳过有错误的行，只导入正确的行", required=False)

    def __init__(
        self,
        *args: Any,
        organizations: QuerySet[Organization] | None = None,
        shown: QuerySet[Organization] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if organizations is not None:
            limit_choices(
                self.fields["organization"], organizations, self.data.get("organization"), shown
            )


class RevealForm(forms.Form):
    purpose = forms.CharField(label="查看原因", max_length=200, required=False)


class WorkerForm(forms.Form):
    """Register one worker by hand, or change one (the ID number is fixed once registered)."""

    name = forms.CharField(label="姓名", max_length=60)
    id_number = forms.CharField(label="身份证号", max_length=30)
    mobile = forms.CharField(label="手机号", max_length=20)
    employer = forms.ModelChoiceField(label="工作单位", queryset=Organization.objects.none())
    occupation = forms.CharField(
        label="职业",
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "如 快递员、外卖骑手、美发师"}),
    )
    joined_union_on = forms.DateField(
        label="入会日期",
        required=False,
        help_text="不填表示未入会",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(
        self,
        *args: Any,
        employers: QuerySet[Organization],
        editing: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        limit_choices(
            self.fields["employer"],
            employers,
            self.data.get("employer") or self.initial.get("employer"),
        )
        if editing:
            del self.fields["id_number"]
            self.fields["mobile"].required = False
            self.fields["mobile"].help_text = "不修改请留空"

    def clean_name(self) -> str:
        name = normalize_name(self.cleaned_data["name"])  # as the roster import stores it
        if name[:1] in {"=", "+", "-", "@"}:
            raise forms.ValidationError("姓名不能以 = + - @ 开头")
        return name

    # The service checks these again; checking here too shows every mistake at once.
    def clean_id_number(self) -> str:
        return validate_id_number(self.cleaned_data["id_number"])

    def clean_mobile(self) -> str:
        value = self.cleaned_data.get("mobile") or ""
        return validate_mobile(value) if value else value

    def clean_joined_union_on(self) -> date | None:
        from django.utils import timezone

        value = self.cleaned_data.get("joined_union_on")
        if value and value > timezone.localdate():
            raise forms.ValidationError("入会日期不能晚于今天")
        return value


class OwnDemandForm(IntakeForm):
    """The demand form on a signed-in worker's home: the public intake's fields, pre-filled
    from the roster, without the mobile (the roster's, so that the demand shows in 我的诉求)."""

    mobile = None  # type: ignore[assignment]


class HonourForm(forms.Form):
    category = forms.ChoiceField(label="荣誉类别", choices=HonourCategory.choices)
    title = forms.CharField(
        label="荣誉名称",
        max_length=120,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "如：2025年全国劳动模范（不填则用类别名称）"}),
    )
    awarded_by = forms.CharField(label="授予单位", max_length=120, required=False)
    awarded_on = forms.DateField(label="授予日期", widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label="备注", max_length=200, required=False)
