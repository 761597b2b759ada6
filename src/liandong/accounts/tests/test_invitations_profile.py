"""Invitations (one-time links to set a password) and one's own profile (issue 14)."""

import logging
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from liandong.accounts import services
from liandong.accounts.models import Invitation, OneTimeCode, Role, User
from liandong.accounts.sms import MemoryBackend
from liandong.core import crypto
from liandong.core.models import AuditLog
from liandong.core.tests.client import BrowserClient

pytestmark = pytest.mark.django_db
PASSWORD = "Gansu-Kuaidi-2026"


def new_liaison(world: Any, **fields: Any) -> User:
    values = {
        "username": "new_liaison",
        "display_name": "钱联络",
        "role": Role.LIAISON,
        "organization": world.authority,
    }
    values.update(fields)
    return services.account_create(actor=world.users["admin_a"], **values)


def issue(world: Any, account: User, channel: str = "show", **kwargs: Any) -> str | None:
    _, shown = services.invitation_issue(
        actor=world.users["admin_a"],
        account=account,
        channel=channel,
        base_url="https://ld.example.org/",
        **kwargs,
    )
    return shown


def token_of(link: str) -> str:
    return link.split("#", 1)[1]


def redeem(link_or_token: str, password: str = PASSWORD) -> Any:
    client = BrowserClient()
    token = token_of(link_or_token) if "#" in link_or_token else link_or_token
    response = client.post(
        "/accounts/invitation/", {"token": token, "password1": password, "password2": password}
    )
    return client, response


def test_a_link_is_random_stored_as_a_digest_and_kept_out_of_the_address(world) -> None:
    account = new_liaison(world)
    link = issue(world, account)
    assert link is not None
    assert link.startswith("https://ld.example.org/accounts/invitation/#")
    token = token_of(link)
    assert len(token) >= 43  # 32 random bytes: 256 bits
    invitation = Invitation.objects.get(user=account)
    assert token not in str(Invitation.objects.filter(pk=invitation.pk).values().get())
    assert invitation.token_digest == crypto.blind_index("invitation", token)
    assert invitation.expires_at - timezone.now() > timedelta(hours=71, minutes=59)
    assert token not in str(list(AuditLog.objects.values_list("changes", "target_repr")))


def test_the_invitee_sets_a_password_and_lands_signed_in(world, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    account = new_liaison(world)
    link = issue(world, account)
    page = BrowserClient().get("/accounts/invitation/")
    assert page.status_code == 200
    assert "设置登录密码" in page.content.decode()
    client, response = redeem(link)
    assert (response.status_code, response["Location"]) == (302, "/")
    home = client.get("/", follow=True)
    assert home.context["user"] == account
    account.refresh_from_db()
    assert account.check_password(PASSWORD)
    assert AuditLog.objects.filter(action="accounts.invitation_redeemed").count() == 1
    # Used: refused the second time, with a Chinese message, and the password stays.
    _, again = redeem(link, "Another-Pass-2026")
    assert again.status_code == 200
    assert "已使用过" in again.content.decode()
    account.refresh_from_db()
    assert account.check_password(PASSWORD)
    assert token_of(link) not in caplog.text  # never logged


def test_expired_revoked_and_unknown_links_are_refused(world) -> None:
    account = new_liaison(world)
    first = issue(world, account)
    second = issue(world, account)  # resend: the first is revoked
    assert "已作废" in redeem(first)[1].content.decode()
    Invitation.objects.filter(revoked_at__isnull=True).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    assert "已过期" in redeem(second)[1].content.decode()
    third = issue(world, account)
    services.invitation_revoke(actor=world.users["admin_a"], account=account)
    assert "已作废" in redeem(third)[1].content.decode()
    assert "无效" in redeem("not-a-token")[1].content.decode()
    account.refresh_from_db()
    assert not account.has_usable_password()
    with pytest.raises(ValidationError):
        services.invitation_revoke(actor=world.users["admin_a"], account=account)


def test_the_projects_password_rules_apply(world) -> None:
    account = new_liaison(world)
    link = issue(world, account)
    _, response = redeem(link, "12345678")
    assert response.status_code == 200
    account.refresh_from_db()
    assert not account.has_usable_password()
    assert Invitation.objects.get(user=account).used_at is None  # the link still works
    assert redeem(link)[1].status_code == 302


def test_a_disabled_account_cannot_use_its_link(world) -> None:
    account = new_liaison(world)
    link = issue(world, account)
    services.account_disable(actor=world.users["admin_a"], account=account)
    assert "作废" in redeem(link)[1].content.decode()
    with pytest.raises(ValidationError):
        issue(world, account)


def test_delivery_by_sms_and_email(world) -> None:
    account = new_liaison(world, mobile="13800005555", email="qian@example.org")
    assert issue(world, account, channel="sms") is None
    ((mobile, text),) = MemoryBackend.outbox
    assert mobile == "13800005555"
    assert "/accounts/invitation/#" in text
    assert issue(world, account, channel="email") is None
    assert "/accounts/invitation/#" in mail.outbox[0].body
    assert mail.outbox[0].to == ["qian@example.org"]
    bare = new_liaison(world, username="bare")
    with pytest.raises(ValidationError) as caught:
        issue(world, bare, channel="sms")
    assert "channel" in caught.value.message_dict


class UnreachableGateway:
    def send(self, *, mobile: str, text: str) -> None:
        raise ConnectionRefusedError("gateway down")


def test_a_failed_send_is_refused_and_leaves_no_live_link(world, settings) -> None:
    """The administrator is told at once (a Chinese message on the channel field) and no
    invitation the invitee never received stays open; the one shown earlier still works."""
    account = new_liaison(world, mobile="13800005556")
    shown = issue(world, account)
    settings.LIANDONG_SMS_BACKEND = f"{__name__}.UnreachableGateway"
    with pytest.raises(ValidationError) as caught:
        issue(world, account, channel="sms")
    assert "发送失败" in caught.value.message_dict["channel"][0]
    assert Invitation.objects.filter(user=account).count() == 1
    assert shown is not None
    assert redeem(shown)[1].status_code == 302


def test_an_admin_resets_a_forgotten_password_the_same_way(world, client) -> None:
    staff = world.users["staff_a"]
    client.force_login(world.users["admin_a"])
    response = client.post(f"/accounts/users/{staff.pk}/invite/", {"channel": "show"})
    assert response.status_code == 200
    body = response.content.decode()
    link = body.split('id="invitation-link" readonly value="', 1)[1].split('"', 1)[0]
    assert "#" in link
    assert Invitation.objects.get(user=staff).purpose == Invitation.Purpose.RESET
    assert AuditLog.objects.filter(action="accounts.password_reset_issued").count() == 1
    assert redeem(link)[1].status_code == 302
    staff.refresh_from_db()
    assert staff.check_password(PASSWORD)


def test_creating_on_the_page_shows_the_link_once(world, client) -> None:
    client.force_login(world.users["admin_a"])
    response = client.post(
        "/accounts/users/new/",
        {
            "username": "page_made",
            "display_name": "页面新建",
            "role": Role.LIAISON,
            "organization": world.authority.pk,
            "channel": "show",
        },
    )
    assert response.status_code == 200
    assert "/accounts/invitation/#" in response.content.decode()
    account = User.objects.get(username="page_made")
    detail = client.get(f"/accounts/users/{account.pk}/").content.decode()
    assert "/accounts/invitation/#" not in detail
    bad = client.post(
        "/accounts/users/new/",
        {
            "username": "x2",
            "display_name": "乙",
            "role": Role.UNION_STAFF,
            "organization": world.union_b.pk,
            "channel": "show",
        },
    )
    assert bad.status_code == 200
    assert "选择一个有效的选项" in bad.content.decode()  # union B is not offered
    assert not User.objects.filter(username="x2").exists()


# -- own profile ----------------------------------------------------------------------------


def test_profile_changes_are_audited(world, client) -> None:
    staff = world.users["staff_a"]
    client.force_login(staff)
    response = client.post(
        "/accounts/profile/", {"display_name": "赵静", "title": "科长", "email": "z@example.org"}
    )
    assert response.status_code == 302
    staff.refresh_from_db()
    assert (staff.display_name, staff.title, staff.email) == ("赵静", "科长", "z@example.org")
    entry = AuditLog.objects.get(action="accounts.profile_updated")
    assert entry.changes["title"] == ["", "科长"]
    bad = client.post("/accounts/profile/", {"display_name": "赵静", "email": "not-an-email"})
    assert "格式不正确" in bad.content.decode()


def test_changing_the_mobile_needs_a_code_sent_to_the_new_number(world, client) -> None:
    staff = world.users["staff_a"]
    client.force_login(staff)
    sent = client.post("/accounts/profile/mobile/", {"mobile": "13900007777", "action": "send"})
    assert sent.status_code == 200
    ((mobile, text),) = MemoryBackend.outbox
    assert mobile == "13900007777"
    code = text.split("验证码 ", 1)[1][:6]
    wrong = "000000" if code != "000000" else "111111"
    refused = client.post(
        "/accounts/profile/mobile/", {"mobile": "13900007777", "code": wrong, "action": "confirm"}
    )
    assert "验证码不正确" in refused.content.decode()
    staff.refresh_from_db()
    assert staff.mobile_masked == ""
    assert OneTimeCode.objects.get().attempts == 1  # the wrong try stays counted
    too_soon = client.post("/accounts/profile/mobile/", {"mobile": "13900007777", "action": "send"})
    assert "过于频繁" in too_soon.content.decode()
    done = client.post(
        "/accounts/profile/mobile/", {"mobile": "13900007777", "code": code, "action": "confirm"}
    )
    assert done.status_code == 302
    staff.refresh_from_db()
    assert staff.mobile_masked == "139****7777"
    assert crypto.decrypt(staff.mobile_cipher) == "13900007777"
    assert "13900007777" not in staff.mobile_cipher
    page = client.get("/accounts/profile/").content.decode()
    assert "139****7777" in page
    assert "13900007777" not in page
    entry = AuditLog.objects.get(action="accounts.mobile_changed")
    assert entry.changes["mobile_masked"] == ["", "139****7777"]


def test_five_wrong_codes_burn_it(world) -> None:
    staff = world.users["staff_a"]
    services.profile_mobile_code_send(user=staff, mobile="13900008888")
    code = MemoryBackend.outbox[0][1].split("验证码 ", 1)[1][:6]
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        with pytest.raises(ValidationError):
            services.profile_mobile_confirm(user=staff, mobile="13900008888", code=wrong)
    with pytest.raises(ValidationError):
        services.profile_mobile_confirm(user=staff, mobile="13900008888", code=code)


def test_a_mobile_change_code_is_no_worker_sign_in_code(world) -> None:
    """The code for changing an account's mobile is filed apart from workers' sign-in codes
    for that number, so it cannot sign anyone in."""
    from liandong.workers.signin import otp_verify

    services.profile_mobile_code_send(user=world.users["staff_a"], mobile="13919310001")
    code = MemoryBackend.outbox[0][1].split("验证码 ", 1)[1][:6]
    assert not otp_verify(mobile="13919310001", code=code)


def test_changing_the_password_needs_the_old_one(world, client) -> None:
    staff = world.users["staff_a"]
    client.force_login(staff)
    response = client.post(
        "/accounts/password/",
        {"old_password": "wrong", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert "当前密码不正确" in response.content.decode()
    staff.refresh_from_db()
    assert not staff.check_password(PASSWORD)


def test_workers_have_no_staff_profile(world, client) -> None:
    client.force_login(world.users["worker_a"])
    assert client.get("/accounts/profile/").status_code == 403
