"""Account management (issue 14): who may give which role and organization, the last
administrator, disabling (sessions and tokens end at once), the audit trail, scoping, and
the setup command."""

from io import StringIO
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from liandong.accounts import services
from liandong.accounts.models import AccountSession, ApiToken, Role, User
from liandong.accounts.permissions import accounts_visible_to
from liandong.accounts.tests.factories import TEST_PASSWORD, UserFactory
from liandong.core.models import AuditLog
from liandong.core.tests.client import BrowserClient
from liandong.organizations.models import Organization

pytestmark = pytest.mark.django_db


def create(world: Any, actor: str = "admin_a", **fields: Any) -> User:
    values = {"username": "new_one", "display_name": "新账号", "role": Role.UNION_STAFF}
    values["organization"] = world.union_a
    values.update(fields)
    return services.account_create(actor=world.users[actor], **values)


def refused(field: str, call: Any) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        call()
    assert field in caught.value.message_dict, caught.value.message_dict
    return caught.value


# -- granting -------------------------------------------------------------------------------


def test_an_admin_creates_each_role_in_scope(world) -> None:
    staff = create(world, username="s1")
    admin = create(world, username="a1", role=Role.UNION_ADMIN)
    ent = create(world, username="e1", role=Role.ENTERPRISE_UNION, organization=world.enterprise_a)
    liaison = create(
        world, username="l1", role=Role.LIAISON, organization=world.authority, is_leader=True
    )
    judge = create(world, username="j1", role=Role.JUDGE, organization=None)
    judge_with_org = create(world, username="j2", role=Role.JUDGE, organization=world.enterprise_a)
    for account in [staff, admin, ent, liaison, judge, judge_with_org]:
        assert not account.has_usable_password()  # set through the invitation
        assert account.managed_by == world.union_a
    assert liaison.is_leader
    visible = set(accounts_visible_to(world.users["admin_a"]).values_list("username", flat=True))
    assert {"s1", "a1", "e1", "l1", "j1", "j2"} <= visible
    assert "staff_b" not in visible
    assert "province_admin" not in visible


def test_nobody_grants_beyond_their_scope(world) -> None:
    refused("organization", lambda: create(world, organization=world.union_b))
    refused("organization", lambda: create(world, organization=world.province))
    refused("role", lambda: create(world, role=Role.WORKER))
    refused("role", lambda: create(world, role="superuser"))
    refused(
        "organization",
        lambda: create(world, role=Role.UNION_ADMIN, organization=world.enterprise_a),
    )
    refused(
        "organization", lambda: create(world, role=Role.UNION_STAFF, organization=world.authority)
    )
    refused(
        "organization",
        lambda: create(world, role=Role.ENTERPRISE_UNION, organization=world.union_a),
    )
    refused("organization", lambda: create(world, role=Role.LIAISON, organization=world.union_a))
    refused("organization", lambda: create(world, role=Role.LIAISON, organization=None))
    refused("organization", lambda: create(world, role=Role.JUDGE, organization=world.enterprise_b))
    refused("is_leader", lambda: create(world, role=Role.JUDGE, organization=None, is_leader=True))
    refused("username", lambda: create(world, username="admin_a"))
    refused("mobile", lambda: create(world, mobile="12345"))
    assert not User.objects.filter(username="new_one").exists()


def test_an_edit_cannot_move_an_account_out_of_scope(world) -> None:
    account = create(world)
    admin = world.users["admin_a"]
    refused(
        "organization",
        lambda: services.account_update(
            actor=admin,
            account=account,
            display_name="x",
            role=Role.UNION_STAFF,
            organization=world.union_b,
        ),
    )
    account.refresh_from_db()
    assert account.organization == world.union_a


def test_only_union_admins_manage_accounts(world, client) -> None:
    for key in ["staff_a", "liaison", "enterprise_a", "judge", "worker_a"]:
        client.force_login(world.users[key])
        assert client.get("/accounts/users/").status_code == 403, key
        assert client.get("/accounts/users/new/").status_code == 403, key
        assert client.post("/accounts/users/new/", {"username": "x"}).status_code == 403, key
    assert not User.objects.filter(username="x").exists()


def test_another_unions_account_is_a_404(world, client, api_token) -> None:
    theirs = world.users["staff_b"]
    client.force_login(world.users["admin_a"])
    assert client.get(f"/accounts/users/{theirs.pk}/").status_code == 404
    assert client.get("/accounts/users/99999999/").status_code == 404
    assert client.post(f"/accounts/users/{theirs.pk}/disable/").status_code == 404
    bearer = api_token(world.users["admin_a"])
    other = BrowserClient()
    assert other.get(f"/api/v1/accounts/{theirs.pk}", **bearer).status_code == 404
    assert (
        other.post(
            f"/api/v1/accounts/{theirs.pk}/disable", {}, content_type="application/json", **bearer
        ).status_code
        == 404
    )
    theirs.refresh_from_db()
    assert theirs.is_active
    # The province's administrator manages both.
    client.force_login(world.users["province_admin"])
    assert client.get(f"/accounts/users/{theirs.pk}/").status_code == 200


# -- disabling ------------------------------------------------------------------------------


def test_the_last_active_admin_of_a_union_stays(world) -> None:
    province = world.users["province_admin"]
    admin_a = world.users["admin_a"]
    error = refused("account", lambda: services.account_disable(actor=province, account=admin_a))
    assert "最后一位" in error.messages[0]
    refused(
        "account",
        lambda: services.account_update(
            actor=province,
            account=admin_a,
            display_name="甲",
            role=Role.UNION_STAFF,
            organization=world.union_a,
        ),
    )
    second = create(world, username="admin_a2", role=Role.UNION_ADMIN)
    services.account_disable(actor=province, account=admin_a)
    admin_a.refresh_from_db()
    assert not admin_a.is_active
    refused("account", lambda: services.account_disable(actor=province, account=second))
    refused("account", lambda: services.account_disable(actor=second, account=second))


def test_disabling_ends_sessions_and_tokens_at_once(world, api_token) -> None:
    staff = world.users["staff_a"]
    browser = BrowserClient()
    assert (
        browser.post(
            "/accounts/login/", {"username": staff.username, "password": TEST_PASSWORD}
        ).status_code
        == 302
    )
    assert browser.get("/workers/").status_code == 200
    assert AccountSession.objects.filter(user=staff).exists()
    bearer = api_token(staff)
    assert BrowserClient().get("/api/v1/me", **bearer).status_code == 200

    admin = BrowserClient()
    admin.force_login(world.users["admin_a"])
    response = admin.post(f"/accounts/users/{staff.pk}/disable/")
    assert response.status_code == 302
    staff.refresh_from_db()
    assert not staff.is_active
    assert not ApiToken.objects.filter(user=staff).exists()
    assert not AccountSession.objects.filter(user=staff).exists()
    assert browser.get("/workers/")["Location"].startswith("/accounts/login/")
    assert BrowserClient().get("/api/v1/me", **bearer).status_code == 401
    entry = AuditLog.objects.get(action="accounts.account_disabled", target_id=str(staff.pk))
    assert entry.changes["is_active"] == [True, False]

    services.account_enable(actor=world.users["admin_a"], account=staff)
    staff.refresh_from_db()
    assert staff.is_active
    assert AuditLog.objects.filter(action="accounts.account_enabled").count() == 1


def test_every_change_is_audited_with_before_and_after(world) -> None:
    account = create(world, mobile="13800001111", email="a@example.org")
    created = AuditLog.objects.get(action="accounts.account_created", target_id=str(account.pk))
    assert created.changes["role"] == [None, Role.UNION_STAFF]
    assert created.changes["mobile_masked"] == [None, "138****1111"]
    assert "13800001111" not in str(created.changes)
    services.account_update(
        actor=world.users["admin_a"],
        account=account,
        display_name="改名",
        role=Role.UNION_ADMIN,
        organization=world.union_a,
        title="副主席",
        email="a@example.org",
        mobile="13800002222",
    )
    updated = AuditLog.objects.get(action="accounts.account_updated", target_id=str(account.pk))
    assert updated.changes["display_name"] == ["新账号", "改名"]
    assert updated.changes["role"] == [Role.UNION_STAFF, Role.UNION_ADMIN]
    assert updated.changes["title"] == ["", "副主席"]
    assert updated.changes["mobile_masked"] == ["138****1111", "138****2222"]
    account.refresh_from_db()
    assert "13800002222" not in account.mobile_cipher  # encrypted at rest


def test_list_filters_and_search(world, client) -> None:
    create(world, username="zhang", display_name="张工作")
    create(
        world, username="li", display_name="李联络", role=Role.LIAISON, organization=world.authority
    )
    client.force_login(world.users["admin_a"])
    body = client.get("/accounts/users/?role=liaison").content.decode()
    assert "李联络" in body
    assert "张工作" not in body
    body = client.get("/accounts/users/?q=张").content.decode()
    assert "张工作" in body
    assert "李联络" not in body
    body = client.get(f"/accounts/users/?organization={world.authority.pk}").content.decode()
    assert "李联络" in body
    assert "张工作" not in body
    body = client.get("/accounts/users/?active=0").content.decode()
    assert "张工作" not in body
    assert client.get("/accounts/users/?q=%00&organization=x&cursor=y").status_code == 200
    assert "乙" not in "".join(
        a.organization.name for a in accounts_visible_to(world.users["admin_a"]) if a.organization
    )


# -- setup ----------------------------------------------------------------------------------


def setup_args(tmp_path: Any) -> list[str]:
    secret = tmp_path / "pw"
    secret.write_text("Lian-Dong-first-2026\n", encoding="utf-8")
    return [
        "--union-name",
        "某省总工会",
        "--union-code",
        "ROOT-1",
        "--city",
        "兰州",
        "--admin-username",
        "root_admin",
        "--admin-name",
        "王管理",
        "--admin-password-file",
        str(secret),
        "--no-input",
    ]


def test_setup_creates_the_root_union_and_its_admin(db, tmp_path) -> None:
    out = StringIO()
    call_command("setup", *setup_args(tmp_path), stdout=out)
    union = Organization.objects.get(code="ROOT-1")
    admin = User.objects.get(username="root_admin")
    assert (union.parent, union.kind, union.city) == (None, Organization.Kind.UNION, "兰州")
    assert (admin.role, admin.organization, admin.is_active) == (Role.UNION_ADMIN, union, True)
    assert admin.check_password("Lian-Dong-first-2026")
    assert "/accounts/login/" in out.getvalue()
    # The admin signs in and manages accounts.
    client = BrowserClient()
    client.post("/accounts/login/", {"username": "root_admin", "password": "Lian-Dong-first-2026"})
    assert client.get("/accounts/users/").status_code == 200


def test_setup_refuses_a_database_that_is_not_empty(db, tmp_path) -> None:
    UserFactory(username="someone", role=Role.JUDGE)
    with pytest.raises(CommandError, match="已有账号"):
        call_command("setup", *setup_args(tmp_path), stdout=StringIO())
    assert not Organization.objects.exists()


def test_setup_refuses_when_a_root_union_exists(world, tmp_path) -> None:
    with pytest.raises(CommandError, match="已有根工会"):
        call_command("setup", *setup_args(tmp_path), stdout=StringIO())


def test_setup_refuses_a_weak_password_and_missing_flags(db, tmp_path) -> None:
    args = setup_args(tmp_path)
    with pytest.raises(CommandError, match="不符合要求"):
        call_command("setup", *args[:-3], "--admin-password", "12345678", "--no-input")
    with pytest.raises(CommandError, match="缺少参数"):
        call_command("setup", "--no-input")
    assert not User.objects.exists()


def test_setup_exits_non_zero_from_the_command_line(world) -> None:
    """From the command line a refusal is exit status 1 (the world has a root union)."""
    from django.core.management import ManagementUtility

    with pytest.raises(SystemExit) as exited:
        ManagementUtility(["liandong", "setup", "--no-input"]).execute()
    assert exited.value.code == 1


def test_a_session_renewed_by_a_password_change_is_ended_too(world) -> None:
    staff = world.users["staff_a"]
    browser = BrowserClient()
    browser.post("/accounts/login/", {"username": staff.username, "password": TEST_PASSWORD})
    new = "Renewed-Pass-2026"
    changed = browser.post(
        "/accounts/password/",
        {"old_password": TEST_PASSWORD, "password1": new, "password2": new},
    )
    assert changed.status_code == 302
    assert browser.get("/workers/").status_code == 200  # still signed in, with a new key
    key = browser.cookies["sessionid"].value
    assert AccountSession.objects.filter(user=staff, session_key=key).exists()
    services.account_disable(actor=world.users["admin_a"], account=staff)
    from django.contrib.sessions.models import Session

    assert not Session.objects.filter(session_key=key).exists()
