"""Forms of the mediation pages: they shape the input; the services check the rules."""

from typing import Any

from django import forms
from django.db.models import QuerySet

from liandong.accounts.models import User
from liandong.mediation.models import MAX_EXTENSION_DAYS, CaseType, Party
from liandong.organizations.models import Organization

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class _Numbers:
    id_attrs = {"autocomplete": "off", "spellcheck": "false"}
    mobile_attrs = {"inputmode": "numeric", "autocomplete": "off"}


class CaseForm(forms.Form):
    union = forms.ModelChoiceField(label="受理工会", queryset=Organization.objects.none())
    case_type = forms.ChoiceField(label="案件类型", choices=[("", "请选择"), *CaseType.choices])
    summary = forms.CharField(
        label="争议事项", max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
    claim_amount = forms.DecimalField(
        label="申请金额（元）", required=False, max_digits=12, decimal_places=2, min_value=0
    )
    applicant_name = forms.CharField(label="申请人姓名", max_length=100)
    applicant_id_number = forms.CharField(
        label="申请人身份证号",
        max_length=18,
        required=False,
        widget=forms.TextInput(_Numbers.id_attrs),
    )
    applicant_mobile = forms.CharField(
        label="申请人手机号",
        max_length=11,
        required=False,
        widget=forms.TextInput(_Numbers.mobile_attrs),
    )
    respondent_kind = forms.ChoiceField(
        label="被申请人类别", choices=Party.Kind.choices, initial=Party.Kind.ENTERPRISE
    )
    respondent_name = forms.CharField(label="被申请人（用人单位或个人）", max_length=100)
    respondent_contact = forms.CharField(label="被申请人联系人", max_length=40, required=False)
    respondent_mobile = forms.CharField(
        label="被申请人联系电话（手机）",
        max_length=11,
        required=False,
        widget=forms.TextInput(_Numbers.mobile_attrs),
    )

    def __init__(self, *args: Any, unions: QuerySet[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["union"]
        if isinstance(field, forms.ModelChoiceField):
            field.queryset = unions


class PartyForm(forms.Form):
    kind = forms.ChoiceField(label="类别", choices=Party.Kind.choices)
    name = forms.CharField(label="姓名或单位名称", max_length=100)
    contact_name = forms.CharField(label="联系人", max_length=40, required=False)
    id_number = forms.CharField(
        label="身份证号（不改请留空）",
        max_length=18,
        required=False,
        widget=forms.TextInput(_Numbers.id_attrs),
    )
    mobile = forms.CharField(
        label="手机号（不改请留空）",
        max_length=11,
        required=False,
        widget=forms.TextInput(_Numbers.mobile_attrs),
    )


class MediatorField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.display_name or obj.username}（{obj.organization}）"


class MediatorsForm(forms.Form):
    mediators = MediatorField(
        label="调解员", queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, candidates: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["mediators"]
        if isinstance(field, forms.ModelMultipleChoiceField):
            field.queryset = candidates


class SessionForm(forms.Form):
    held_on = forms.DateField(label="调解日期", widget=DATE)
    place = forms.CharField(label="地点", max_length=100)
    attendees = forms.CharField(label="参加人员", max_length=300)
    notes = forms.CharField(
        label="调解记录", max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class AgreementForm(forms.Form):
    terms = forms.CharField(
        label="协议内容", max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    amount = forms.DecimalField(
        label="协议金额（元）", required=False, max_digits=12, decimal_places=2, min_value=0
    )
    signed_on = forms.DateField(label="签订日期", widget=DATE)
    document = forms.FileField(label="协议文件（PDF 或图片，可不传）", required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label="原因", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class ExtensionForm(forms.Form):
    days = forms.IntegerField(
        label="延长工作日数", min_value=1, max_value=MAX_EXTENSION_DAYS, initial=15
    )
    reason = forms.CharField(label="延长理由", max_length=200)


class RevealForm(forms.Form):
    purpose = forms.CharField(label="查看用途", max_length=200, initial="联系当事人安排调解")


class FilterForm(forms.Form):
    state = forms.ChoiceField(label="状态", required=False)
    year = forms.IntegerField(label="受理年份", required=False, min_value=2000, max_value=2100)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from liandong.mediation.models import State

        super().__init__(*args, **kwargs)
        field = self.fields["state"]
        if isinstance(field, forms.ChoiceField):
            field.choices = [("", "全部"), *State.choices]


class TimeLimitForm(forms.Form):
    case_type = forms.ChoiceField(label="案件类型", choices=CaseType.choices)
    working_days = forms.IntegerField(label="调解时限（工作日）", min_value=1, max_value=60)
