from typing import Any

from django import forms
from django.db.models import QuerySet

from liandong.accounts.models import User
from liandong.core.extensions import hooks
from liandong.organizations.models import Organization
from liandong.organizations.permissions import organizations_visible_to
from liandong.outreach.models import Agreement
from liandong.outreach.permissions import MANAGER_ROLES, enterprises_for, parties_for, unions_for

TEXTAREA = {"rows": 4}
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# The demands module's categories and industries, as its intake offers them (the values are
# checked again by the demands module itself).
CATEGORIES = [
    ("wages", "工资报酬"),
    ("safety", "劳动安全"),
    ("insurance", "社会保险"),
    ("injury", "职业伤害"),
    ("rest", "休息休假"),
    ("skills", "技能提升"),
    ("rights", "权益维护"),
    ("hardship", "生活困难"),
    ("other", "其他"),
]
INDUSTRIES = [
    ("其他", "其他"),
    ("快递", "快递"),
    ("即时配送", "外卖/即时配送"),
    ("网约车", "网约车"),
    ("货运", "货车运输"),
    ("美发美容", "美发美容"),
    ("物流", "物流"),
]


class OrgChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Organization) -> str:
        return obj.name


class OrgMultiChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Organization) -> str:
        return obj.name


class UserChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        org = obj.organization.name if obj.organization else ""
        return f"{obj}（{org}）"


def staff_of(unions: QuerySet[Organization]) -> QuerySet[User]:
    return (
        User.objects.filter(organization__in=unions, role__in=MANAGER_ROLES, is_active=True)
        .select_related("organization")
        .order_by("organization__path", "display_name", "id")
    )


class KeyEnterpriseForm(forms.Form):
    union = OrgChoice(label="联系工会", queryset=Organization.objects.none())
    enterprise = OrgChoice(label="重点企业", queryset=Organization.objects.none())
    leader = UserChoice(label="包干领导", queryset=User.objects.none(), required=False)
    area = forms.CharField(label="片区", max_length=40, required=False, help_text="如：环翠区")
    note = forms.CharField(label="备注", max_length=200, required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unions = unions_for(user)
        self.fields["union"].queryset = unions  # type: ignore[attr-defined]
        self.fields["union"].initial = user.organization_id
        self.fields["enterprise"].queryset = enterprises_for(user).order_by("name")  # type: ignore[attr-defined]
        self.fields["leader"].queryset = staff_of(unions)  # type: ignore[attr-defined]


class KeyEditForm(forms.Form):
    leader = UserChoice(label="包干领导", queryset=User.objects.none(), required=False)
    area = forms.CharField(label="片区", max_length=40, required=False)
    note = forms.CharField(label="备注", max_length=200, required=False)
    is_active = forms.BooleanField(label="仍在联系名单中", required=False)

    def __init__(self, *args: Any, union: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["leader"].queryset = staff_of(Organization.objects.filter(pk=union.pk))  # type: ignore[attr-defined]


class VisitForm(forms.Form):
    visited_on = forms.DateField(label="走访日期", widget=DATE)
    visitors = forms.CharField(
        label="走访人员", max_length=200, help_text="如：王建国（市总副主席）、李明"
    )
    findings = forms.CharField(label="走访情况", widget=forms.Textarea(attrs=TEXTAREA))
    problem = forms.CharField(
        label="发现的问题",
        required=False,
        widget=forms.Textarea(attrs=TEXTAREA),
        help_text="有问题时填写；可一键转为职工诉求或督办事项",
    )
    follow_up = forms.CharField(
        label="跟进措施", required=False, widget=forms.Textarea(attrs=TEXTAREA)
    )


class ToDemandForm(forms.Form):
    category = forms.ChoiceField(label="诉求类别", choices=CATEGORIES)
    industry = forms.ChoiceField(label="行业", choices=INDUSTRIES)
    contact_name = forms.CharField(label="联系人", max_length=40, required=False)
    mobile = forms.CharField(label="联系人手机号", max_length=20)
    consent = forms.BooleanField(label="已征得联系人同意，由工会回访", required=False)


def meeting_choices(user: User) -> list[tuple[str, str]]:
    choices: list[tuple[str, str]] = [("", "请选择已召开的联席会议")]
    for provider in hooks("action_item_meetings"):
        choices += [(str(pk), label) for pk, label in provider(user)]
    return choices


class ActionItemForm(forms.Form):
    meeting = forms.TypedChoiceField(
        label="联席会议", coerce=int, choices=[], required=False, empty_value=None
    )
    lead_body = OrgChoice(label="牵头单位", queryset=Organization.objects.none(), required=False)
    deadline = forms.DateField(label="完成时限", widget=DATE, required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["meeting"].choices = meeting_choices(user)  # type: ignore[attr-defined]
        self.fields[
            "meeting"
        ].help_text = "督办事项记为该次会议的议定事项（会议须已召开、纪要未发布）"
        self.fields["lead_body"].queryset = organizations_visible_to(user).order_by("path")  # type: ignore[attr-defined]


class FollowUpForm(ActionItemForm):
    resolution = forms.CharField(
        label="跟进事项", max_length=900, widget=forms.Textarea(attrs=TEXTAREA)
    )

    field_order = ["resolution", "meeting", "lead_body", "deadline"]


class CloseProblemForm(forms.Form):
    problem_closed_on = forms.DateField(label="解决日期", widget=DATE)


def parties_field() -> OrgMultiChoice:
    """签约单位 in the tree: the registering and the edit form's (queryset set by the form)."""
    return OrgMultiChoice(
        label="签约单位（平台内）",
        queryset=Organization.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )


def external_parties_field() -> forms.CharField:
    """Parties outside the tree as lines (``parse_external``, ``format_external``)."""
    return forms.CharField(
        label="外部签约方",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="平台外的单位（如境外工会），每行一个：名称｜国家或地区｜签署人",
    )


class AgreementForm(forms.Form):
    owner = OrgChoice(label="归口单位", queryset=Organization.objects.none())
    title = forms.CharField(label="协议名称", max_length=120)
    kind = forms.ChoiceField(label="类型", choices=Agreement.Kind.choices)
    mechanism = forms.TypedChoiceField(
        label="联席会议机制",
        coerce=int,
        choices=[],
        required=False,
        empty_value=None,
        help_text="机制章程：选择机制，未选签约方时以其成员单位为签约方",
    )
    signed_on = forms.DateField(label="签署日期", widget=DATE)
    effective_on = forms.DateField(label="生效日期", widget=DATE, required=False)
    expires_on = forms.DateField(
        label="到期日期", widget=DATE, required=False, help_text="长期有效可不填"
    )
    parties = parties_field()
    external_parties = external_parties_field()
    terms = forms.CharField(label="主要条款", required=False, widget=forms.Textarea(attrs=TEXTAREA))
    staff = UserChoice(
        label="经办人",
        queryset=User.objects.none(),
        required=False,
        help_text="到期前 30 天提醒经办人",
    )
    document = forms.FileField(
        label="协议文本", required=False, help_text="PDF、Word 或图片，不超过 10 MB"
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unions = unions_for(user)
        self.fields["owner"].queryset = unions  # type: ignore[attr-defined]
        self.fields["owner"].initial = user.organization_id
        self.fields["parties"].queryset = parties_for(user).order_by("path")  # type: ignore[attr-defined]
        self.fields["staff"].queryset = staff_of(unions)  # type: ignore[attr-defined]
        choices: list[tuple[str, str]] = [("", "（不是机制章程）")]
        for provider in hooks("mechanism_choices"):
            choices += [(str(pk), name) for pk, name, _ in provider(user)]
        self.fields["mechanism"].choices = choices  # type: ignore[attr-defined]


def parse_external(text: str) -> list[tuple[str, str, str]]:
    """Lines "名称｜国家或地区｜签署人" (| or ｜), blank lines skipped."""
    rows = []
    for line in (text or "").splitlines():
        parts = [p.strip() for p in line.replace("｜", "|").split("|")]
        if parts and parts[0]:
            rows.append(
                (parts[0], parts[1] if len(parts) > 1 else "", parts[2] if len(parts) > 2 else "")
            )
    return rows


def format_external(agreement: Agreement) -> str:
    """The external parties as the form's lines (``parse_external`` reads them back)."""
    lines = []
    for party in agreement.parties.filter(organization__isnull=True).order_by("pk"):
        fields = [party.external_name, party.external_country, party.signatory]
        while not fields[-1]:
            fields.pop()
        lines.append("｜".join(fields))
    return "\n".join(lines)


class AgreementEditForm(forms.Form):
    title = forms.CharField(label="协议名称", max_length=120)
    signed_on = forms.DateField(label="签署日期", widget=DATE)
    effective_on = forms.DateField(label="生效日期", widget=DATE, required=False)
    expires_on = forms.DateField(label="到期日期", widget=DATE, required=False)
    terms = forms.CharField(label="主要条款", required=False, widget=forms.Textarea(attrs=TEXTAREA))
    staff = UserChoice(label="经办人", queryset=User.objects.none(), required=False)
    parties = parties_field()
    external_parties = external_parties_field()
    document = forms.FileField(
        label="更换协议文本", required=False, help_text="PDF、Word 或图片，不超过 10 MB"
    )

    def __init__(self, *args: Any, agreement: Agreement, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner = Organization.objects.filter(pk=agreement.owner_id)
        self.fields["staff"].queryset = staff_of(owner)  # type: ignore[attr-defined]
        self.fields["parties"].queryset = parties_for(user, agreement).order_by("path")  # type: ignore[attr-defined]
