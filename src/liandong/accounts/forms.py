from typing import Any, cast

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.db.models import QuerySet

from liandong.accounts.models import Invitation, User
from liandong.accounts.permissions import GRANTABLE_ROLES, organizations_managed_by
from liandong.organizations.models import Organization


class StaffLoginForm(forms.Form):
    username = forms.CharField(
        label="用户名",
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label="密码",
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class WorkerLoginForm(forms.Form):
    mobile = forms.CharField(
        label="手机号",
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "tel"}),
    )
    code = forms.CharField(
        label="验证码",
        max_length=6,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )
    password = forms.CharField(
        label="或使用密码",
        max_length=128,
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class SetPasswordForm(forms.Form):
    """Set or change one's password. Changing an existing password asks for it first
    (ASVS 6.2.3); a worker who has only ever used one-time codes has none to give."""

    old_password = forms.CharField(
        label="当前密码",
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    password1 = forms.CharField(
        label="新密码",
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label="再次输入新密码",
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, user: User | None = None, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)
        if user is None or not user.has_usable_password():
            del self.fields["old_password"]

    def clean_old_password(self) -> str:
        value = self.cleaned_data["old_password"]
        # The field exists only for a user with a usable password.
        if self.user is None or not self.user.check_password(value):
            raise forms.ValidationError("当前密码不正确")
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", "两次输入的密码不一致")
        elif data.get("password1"):
            try:
                validate_password(data["password1"], self.user)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


# ---------------------------------------------------------------------------------------------
# Account management, invitations and one's own profile.

ROLE_CHOICES = [(role.value, role.label) for role in GRANTABLE_ROLES]
CHANNEL_CHOICES = Invitation.Channel.choices


def organization_choices(actor: User) -> QuerySet[Organization]:
    """The organizations an administrator may give an account, without the outlets and the
    enterprises deep in the tree (thousands in a province): a drop-down stays usable."""
    depth = actor.organization.depth if actor.organization is not None else 0
    return (
        organizations_managed_by(actor)
        .exclude(kind=Organization.Kind.OUTLET)
        .exclude(kind=Organization.Kind.ENTERPRISE, depth__gt=depth + 3)
        .order_by("path")
    )


class AccountForm(forms.Form):
    username = forms.CharField(label="用户名", max_length=150, help_text="登录用，创建后不能更改")
    display_name = forms.CharField(label="姓名", max_length=60)
    title = forms.CharField(label="职务", max_length=60, required=False)
    role = forms.ChoiceField(label="角色", choices=ROLE_CHOICES)
    organization = forms.ModelChoiceField(
        label="所属组织",
        queryset=Organization.objects.none(),
        required=False,
        help_text="评委可不选；选了单位的评委不能为本单位选手评分",
    )
    is_leader = forms.BooleanField(
        label="单位负责人", required=False, help_text="本单位的诉求超时督办时通知负责人"
    )
    email = forms.CharField(label="电子邮件", max_length=254, required=False)
    mobile = forms.CharField(label="手机号", max_length=20, required=False)
    channel = forms.ChoiceField(
        label="邀请链接发送方式", choices=CHANNEL_CHOICES, initial=Invitation.Channel.SHOW
    )

    def __init__(self, *args: Any, actor: User, account: User | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        queryset = organization_choices(actor)
        if account is not None and account.organization_id:
            # The account's own organization stays choosable even if the list leaves it out.
            queryset = queryset | Organization.objects.filter(pk=account.organization_id)
        self.fields["organization"].queryset = queryset.distinct()  # type: ignore[attr-defined]
        if account is not None:
            del self.fields["username"]
            del self.fields["channel"]
            self.fields["mobile"].label = "新手机号"
            self.fields["mobile"].help_text = (
                f"当前 {account.mobile_masked}，不改请留空" if account.mobile_masked else "未登记"
            )


class InviteForm(forms.Form):
    channel = forms.ChoiceField(label="发送方式", choices=CHANNEL_CHOICES)


class InvitationAcceptForm(forms.Form):
    token = forms.CharField(
        label="邀请码",
        max_length=100,
        help_text="打开邀请链接时自动填入；也可以粘贴链接中 # 之后的部分",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    password1 = forms.CharField(
        label="新密码",
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label="再次输入新密码",
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", "两次输入的密码不一致")
        return data


class ProfileForm(forms.Form):
    display_name = forms.CharField(label="姓名", max_length=60)
    title = forms.CharField(label="职务", max_length=60, required=False)
    email = forms.CharField(label="电子邮件", max_length=254, required=False)


class MobileChangeForm(forms.Form):
    mobile = forms.CharField(
        label="新手机号",
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "tel"}),
    )
    code = forms.CharField(
        label="验证码",
        max_length=6,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class AuditActorChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        body = obj.organization.name if obj.organization is not None else "无单位"
        return f"{obj.display_name or obj.username}（{body}）"


def _grouped(items: dict[str, str], names: dict[str, str]) -> list[Any]:
    """Choices grouped by module ("workers.imported" under 职工名册)."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for value, label in sorted(items.items()):
        groups.setdefault(value.partition(".")[0], []).append((value, label))
    return [("", "全部")] + [
        (names.get(app, app), sorted(choices, key=lambda c: c[1]))
        for app, choices in groups.items()
    ]


class AuditFilterForm(forms.Form):
    """The audit log's filters: chosen from lists, never typed as codes."""

    actor = AuditActorChoice(label="操作人", queryset=User.objects.none(), required=False)
    target_type = forms.ChoiceField(label="对象类型", required=False)
    action = forms.ChoiceField(label="操作", required=False)
    date_from = forms.DateField(
        label="起始日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label="截止日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(
        self,
        *args: Any,
        actors: QuerySet[User],
        actions: dict[str, str],
        target_types: dict[str, str],
        app_names: dict[str, str],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        actor = cast(forms.ModelChoiceField, self.fields["actor"])
        actor.queryset = actors
        actor.empty_label = "全部"
        for name, items in (("action", actions), ("target_type", target_types)):
            cast(forms.ChoiceField, self.fields[name]).choices = _grouped(items, app_names)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "截止日期不能早于起始日期")
        return data
