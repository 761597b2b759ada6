"""S6 and C3 of the security brief: signing in (staff password, worker one-time code and
password), throttling, one-time codes, bearer tokens, CSRF, the idle timeout and redirects.

Time moves through the ``clock`` fixture, which shifts the clocks the database cache and the
idle-timeout middleware read, so a lock is seen to last its 30 minutes.
"""

import re
import time
from collections.abc import Callable
from datetime import timedelta
from types import SimpleNamespace
from typing import Any
from urllib.parse import unquote

import pytest
from django.core.cache.backends import base as cache_base
from django.core.cache.backends import db as cache_db
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from liandong.accounts import middleware as idle_middleware
from liandong.accounts.models import ApiToken, OneTimeCode, Role, User
from liandong.accounts.services import FAILED_MESSAGE, LOCKED_MESSAGE
from liandong.accounts.sms import MemoryBackend
from liandong.accounts.tests.factories import TEST_PASSWORD
from liandong.core.models import AuditLog
from liandong.core.tests.client import BrowserClient
from liandong.workers.models import Worker
from liandong.workers.services import worker_register
from liandong.workers.signin import otp_send, otp_verify
from liandong.workers.tests.factories import WorkerFactory

WORKER_LOCKED_OR_FAILED = "手机号、验证码或密码不正确"
MOBILE = "13709310042"
UNKNOWN_MOBILE = "13709319999"
CSRF_INPUT = re.compile(rb'<input type="hidden" name="csrfmiddlewaretoken" value="[^"]*">')


class Clock:
    """Moves the clocks of the database cache and the idle-timeout middleware forward."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.offset = 0.0
        real_now, real_time = cache_db.tz_now, time.time
        shifted = SimpleNamespace(time=lambda: real_time() + self.offset)
        monkeypatch.setattr(cache_db, "tz_now", lambda: real_now() + timedelta(seconds=self.offset))
        monkeypatch.setattr(cache_base, "time", shifted)
        monkeypatch.setattr(idle_middleware, "time", shifted)

    def advance(self, *, minutes: float) -> None:
        self.offset += minutes * 60


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


@pytest.fixture
def registered(world: Any) -> Worker:
    """A worker on the roster who has never signed in (no account yet)."""
    return WorkerFactory(name="周师傅", employer=world.outlet_a, mobile=MOBILE)


def staff_login(client: Client, username: str, password: str, **extra: Any) -> Any:
    return client.post("/accounts/login/", {"username": username, "password": password}, **extra)


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def send_code(client: Client, mobile: str) -> Any:
    return client.post("/accounts/login/worker/", {"mobile": mobile, "action": "send"})


def last_code(mobile: str) -> str:
    sent = [text for to, text in MemoryBackend.outbox if to == mobile]
    assert sent, f"no SMS to {mobile}"
    return re.search(r"\d{6}", sent[-1]).group()


def worker_login(client: Client, mobile: str, *, code: str = "", password: str = "") -> Any:
    return client.post(
        "/accounts/login/worker/",
        {"mobile": mobile, "code": code, "password": password, "action": "login"},
    )


def without_csrf(body: bytes) -> bytes:
    return CSRF_INPUT.sub(b"", body)


# ---------------------------------------------------------------------------------------------
# Staff login and lockout


def test_staff_login_with_the_right_password(world: Any) -> None:
    client = BrowserClient()
    response = staff_login(client, "admin_a", TEST_PASSWORD)
    assert response.status_code == 302
    assert signed_in(client)
    assert (
        AuditLog.objects.filter(action="accounts.logged_in", actor=world.users["admin_a"]).count()
        == 1
    )


def test_wrong_password_and_unknown_user_get_the_same_answer(world: Any) -> None:
    known = staff_login(BrowserClient(), "admin_a", "wrong-password")
    unknown = staff_login(BrowserClient(), "nobody_here", "wrong-password")
    assert known.status_code == unknown.status_code == 200
    assert FAILED_MESSAGE in known.content.decode()
    # The form shows back what was typed; apart from that the pages are identical.
    assert without_csrf(known.content).replace(b"admin_a", b"") == without_csrf(
        unknown.content
    ).replace(b"nobody_here", b"")


def test_five_failures_lock_the_account_for_thirty_minutes(world: Any, clock: Clock) -> None:
    client = BrowserClient()
    for _ in range(5):
        response = staff_login(client, "admin_a", "wrong-password")
        assert FAILED_MESSAGE in response.content.decode()
    response = staff_login(client, "admin_a", TEST_PASSWORD)  # the right password, too late
    assert LOCKED_MESSAGE in response.content.decode()
    assert not signed_in(client)
    clock.advance(minutes=29)
    assert LOCKED_MESSAGE in staff_login(client, "admin_a", TEST_PASSWORD).content.decode()
    assert not signed_in(client)
    clock.advance(minutes=2)
    assert staff_login(client, "admin_a", TEST_PASSWORD).status_code == 302
    assert signed_in(client)


def test_an_unknown_user_is_locked_the_same_way(world: Any) -> None:
    known, unknown = BrowserClient(), BrowserClient()
    for _ in range(6):
        a = staff_login(known, "admin_a", "wrong-password")
        b = staff_login(unknown, "nobody_here", "wrong-password")
        assert without_csrf(a.content).replace(b"admin_a", b"") == without_csrf(b.content).replace(
            b"nobody_here", b""
        )
    assert LOCKED_MESSAGE in b.content.decode()


def test_the_lock_holds_for_the_api_token_endpoint_too(world: Any) -> None:
    client = BrowserClient()
    for _ in range(5):
        client.post(
            "/api/v1/auth/token",
            {"username": "staff_a", "password": "nope"},
            content_type="application/json",
        )
    response = client.post(
        "/api/v1/auth/token",
        {"username": "staff_a", "password": TEST_PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert response.json() == {"detail": LOCKED_MESSAGE}
    assert not ApiToken.objects.filter(user=world.users["staff_a"]).exists()


def test_an_address_spraying_many_accounts_is_stopped(world: Any) -> None:
    spray = {"REMOTE_ADDR": "203.0.113.7"}
    client = BrowserClient()
    for n in range(20):
        staff_login(client, f"guess{n}", "password123", **spray)
    # A real account with its right password, from the spraying address: refused.
    assert LOCKED_MESSAGE in staff_login(client, "staff_a", TEST_PASSWORD, **spray).content.decode()
    assert not signed_in(client)
    # The same account from elsewhere is not punished.
    other = BrowserClient()
    assert (
        staff_login(other, "staff_a", TEST_PASSWORD, REMOTE_ADDR="198.51.100.4").status_code == 302
    )


def test_a_deactivated_account_gets_the_ordinary_failure(world: Any) -> None:
    user = world.users["staff_a"]
    user.is_active = False
    user.save(update_fields=["is_active"])
    response = staff_login(BrowserClient(), "staff_a", TEST_PASSWORD)
    assert FAILED_MESSAGE in response.content.decode()


def test_session_key_changes_at_login(world: Any) -> None:
    client = BrowserClient()
    session = client.session
    session["probe"] = 1
    session.save()
    before = session.session_key
    assert staff_login(client, "staff_a", TEST_PASSWORD).status_code == 302
    assert client.session.session_key != before


def test_logout_needs_a_post_and_ends_the_session(world: Any) -> None:
    client = BrowserClient()
    staff_login(client, "staff_a", TEST_PASSWORD)
    assert client.get("/accounts/logout/").status_code == 405
    assert signed_in(client)
    assert client.post("/accounts/logout/")["Location"] == "/accounts/login/"
    assert not signed_in(client)
    assert client.get("/workers/").status_code == 302


# ---------------------------------------------------------------------------------------------
# Open redirects


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "https://evil.example",
        "javascript:alert(1)",
        "http://evil.example/workers/",
        "/\\evil.example",
        "\\\\evil.example",
        " //evil.example",
    ],
)
def test_next_never_leaves_the_site(world: Any, target: str) -> None:
    via_post = BrowserClient().post(
        "/accounts/login/", {"username": "staff_a", "password": TEST_PASSWORD, "next": target}
    )
    assert via_post["Location"] == "/"
    via_query = BrowserClient().post(
        f"/accounts/login/?next={target}", {"username": "staff_a", "password": TEST_PASSWORD}
    )
    assert via_query["Location"] == "/"
    page = BrowserClient().get("/accounts/login/", {"next": target}).content.decode()
    assert "evil.example" not in page
    assert "javascript:" not in page


def test_next_within_the_site_is_followed(world: Any) -> None:
    response = BrowserClient().post(
        "/accounts/login/",
        {"username": "staff_a", "password": TEST_PASSWORD, "next": "/workers/?q=王"},
    )
    assert unquote(response["Location"]) == "/workers/?q=王"


# ---------------------------------------------------------------------------------------------
# Workers: one-time codes and passwords


def test_worker_signs_in_with_a_code_then_sets_a_password_and_uses_it(registered: Worker) -> None:
    client = BrowserClient()
    response = send_code(client, MOBILE)
    assert response.status_code == 200
    assert len(MemoryBackend.outbox) == 1
    assert MemoryBackend.outbox[0][0] == MOBILE
    response = worker_login(client, MOBILE, code=last_code(MOBILE))
    assert response["Location"] == "/workers/me/"
    registered.refresh_from_db()
    assert registered.user is not None
    assert registered.user.role == Role.WORKER
    assert client.get("/workers/me/").status_code == 200

    response = client.post(
        "/accounts/password/", {"password1": "ma-lu-2026-kuai", "password2": "ma-lu-2026-kuai"}
    )
    assert response.status_code == 302
    assert signed_in(client), "setting a password keeps the session"
    client.post("/accounts/logout/")

    client = BrowserClient()
    response = worker_login(client, MOBILE, password="ma-lu-2026-kuai")
    assert response["Location"] == "/workers/me/"
    assert int(client.session["_auth_user_id"]) == registered.user.pk
    # The same mobile typed another way is the same account.
    other = BrowserClient()
    assert (
        worker_login(other, "+86 137-0931-0042", password="ma-lu-2026-kuai")["Location"]
        == "/workers/me/"
    )


@pytest.mark.parametrize(
    ("password1", "password2"),
    [
        ("ma-lu-2026-kuai", "ma-lu-2026-kaui"),  # mismatch
        ("12345678901", "12345678901"),  # all digits
        ("abc", "abc"),  # too short
        ("password", "password"),  # common
    ],
)
def test_weak_or_mismatched_passwords_are_refused(
    registered: Worker, password1: str, password2: str
) -> None:
    client = BrowserClient()
    send_code(client, MOBILE)
    worker_login(client, MOBILE, code=last_code(MOBILE))
    response = client.post("/accounts/password/", {"password1": password1, "password2": password2})
    assert response.status_code == 200
    registered.refresh_from_db()
    assert not registered.user.has_usable_password()


def test_password_page_needs_a_login() -> None:
    response = BrowserClient().get("/accounts/password/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_unknown_mobile_gets_the_same_answer_and_no_sms(registered: Worker) -> None:
    known = send_code(BrowserClient(), MOBILE)
    unknown = send_code(BrowserClient(), UNKNOWN_MOBILE)
    assert without_csrf(known.content).replace(MOBILE.encode(), b"") == without_csrf(
        unknown.content
    ).replace(UNKNOWN_MOBILE.encode(), b"")
    assert [to for to, _ in MemoryBackend.outbox] == [MOBILE]
    # Asking again at once: both are told to wait, so "too soon" does not tell who is registered.
    known = send_code(BrowserClient(), MOBILE)
    unknown = send_code(BrowserClient(), UNKNOWN_MOBILE)
    assert "过于频繁" in known.content.decode()
    assert without_csrf(known.content).replace(MOBILE.encode(), b"") == without_csrf(
        unknown.content
    ).replace(UNKNOWN_MOBILE.encode(), b"")
    assert len(MemoryBackend.outbox) == 1


def test_resend_is_throttled_for_a_minute(registered: Worker, clock: Clock) -> None:
    otp_send(mobile=MOBILE)
    with pytest.raises(ValidationError) as refused:
        otp_send(mobile=MOBILE)
    assert refused.value.code == "otp_too_soon"
    clock.advance(minutes=1.1)
    otp_send(mobile=MOBILE)
    assert len(MemoryBackend.outbox) == 2


def test_a_code_expires(registered: Worker) -> None:
    otp_send(mobile=MOBILE)
    code = last_code(MOBILE)
    record = OneTimeCode.objects.get()
    assert abs(record.expires_at - record.created_at - timedelta(minutes=5)) < timedelta(seconds=1)
    OneTimeCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    client = BrowserClient()
    response = worker_login(client, MOBILE, code=code)
    assert response.status_code == 200
    assert WORKER_LOCKED_OR_FAILED in response.content.decode()
    assert not signed_in(client)


def test_a_code_works_once(registered: Worker) -> None:
    otp_send(mobile=MOBILE)
    code = last_code(MOBILE)
    assert otp_verify(mobile=MOBILE, code=code)
    assert not otp_verify(mobile=MOBILE, code=code)


def test_five_wrong_tries_burn_the_code(registered: Worker) -> None:
    otp_send(mobile=MOBILE)
    code = last_code(MOBILE)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(5):
        assert not otp_verify(mobile=MOBILE, code=wrong)
    assert not otp_verify(mobile=MOBILE, code=code)
    assert OneTimeCode.objects.get().used_at is None


def test_four_wrong_tries_leave_the_code_usable(registered: Worker) -> None:
    otp_send(mobile=MOBILE)
    code = last_code(MOBILE)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(4):
        assert not otp_verify(mobile=MOBILE, code=wrong)
    assert otp_verify(mobile=MOBILE, code=code)


def test_wrong_codes_lock_the_worker_like_wrong_passwords(registered: Worker) -> None:
    client = BrowserClient()
    send_code(client, MOBILE)
    code = last_code(MOBILE)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(5):
        worker_login(client, MOBILE, code=wrong)
    response = worker_login(client, MOBILE, code=code)
    assert LOCKED_MESSAGE in response.content.decode()
    assert not signed_in(client)


def test_retyping_the_mobile_does_not_buy_more_tries(world: Any) -> None:
    """Spellings of one number are one account to the throttle."""
    worker = world.worker_a  # has an account with a password
    spellings = [
        "13919310001",
        "+8613919310001",
        "139 1931 0001",
        "139-1931-0001",
        "008613919310001",
    ]
    client = BrowserClient()
    for spelling in spellings:
        worker_login(client, spelling, password="wrong-password")
    response = worker_login(client, "+86 139 1931 0001", password=TEST_PASSWORD)
    assert LOCKED_MESSAGE in response.content.decode()
    assert not signed_in(client)
    assert worker.user.check_password(TEST_PASSWORD)


def test_failed_worker_logins_keep_the_mobile_out_of_the_audit_log(world: Any) -> None:
    worker_login(BrowserClient(), "13919310001", password="wrong-password")
    BrowserClient().post(
        "/api/v1/auth/token",
        {"username": "620102198403152712", "password": "x"},
        content_type="application/json",
    )
    entries = AuditLog.objects.filter(action="accounts.login_failed")
    assert sorted(e.target_repr for e in entries) == ["139****0001", "620102********2712"]


@pytest.mark.parametrize("landline", ["01062345678", "0931-8812345", "+86 10 6234 5678"])
def test_a_landline_is_not_a_mobile(world: Any, landline: str) -> None:
    response = send_code(BrowserClient(), landline)
    assert "固定电话" in response.content.decode()
    assert MemoryBackend.outbox == []
    with pytest.raises(ValidationError) as refused:
        worker_register(
            actor=None,
            name="座机",
            id_number="620102199001011233",
            mobile=landline,
            employer=world.outlet_a,
        )
    assert "mobile" in refused.value.message_dict


# ---------------------------------------------------------------------------------------------
# Bearer tokens


def test_token_is_issued_stored_hashed_and_expires(world: Any) -> None:
    client = BrowserClient()
    response = client.post(
        "/api/v1/auth/token",
        {"username": "staff_a", "password": TEST_PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer"
    record = ApiToken.objects.get(user=world.users["staff_a"])
    assert record.key_digest != body["token"]
    assert not ApiToken.objects.filter(key_digest__contains=body["token"]).exists()
    assert abs(record.expires_at - timezone.now() - timedelta(days=30)) < timedelta(minutes=1)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {body['token']}"}
    assert client.get("/api/v1/me", **headers).json()["username"] == "staff_a"
    ApiToken.objects.filter(pk=record.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.get("/api/v1/me", **headers)
    assert response.status_code == 401
    assert set(response.json()) == {"detail"}


def test_a_token_stops_working_when_its_account_is_deactivated(world: Any) -> None:
    token = (
        BrowserClient()
        .post(
            "/api/v1/auth/token",
            {"username": "staff_a", "password": TEST_PASSWORD},
            content_type="application/json",
        )
        .json()["token"]
    )
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    assert BrowserClient().get("/api/v1/me", **headers).status_code == 200
    User.objects.filter(username="staff_a").update(is_active=False)
    assert BrowserClient().get("/api/v1/me", **headers).status_code == 401


def test_a_worker_gets_a_token_with_mobile_and_password(world: Any) -> None:
    response = BrowserClient().post(
        "/api/v1/auth/token",
        {"username": "139 1931 0001", "password": TEST_PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200
    me = (
        BrowserClient()
        .get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {response.json()['token']}")
        .json()
    )
    assert me["role"] == Role.WORKER


def test_token_endpoint_answers_the_same_for_unknown_users(world: Any) -> None:
    known = BrowserClient().post(
        "/api/v1/auth/token",
        {"username": "staff_a", "password": "nope"},
        content_type="application/json",
    )
    unknown = BrowserClient().post(
        "/api/v1/auth/token",
        {"username": "nobody_here", "password": "nope"},
        content_type="application/json",
    )
    assert known.status_code == unknown.status_code == 403
    assert known.json() == unknown.json() == {"detail": FAILED_MESSAGE}


@pytest.mark.parametrize(
    "header",
    ["Bearer", "Bearer ", "Bearer not-a-token", "Token abc", "Basic c3RhZmZfYTp4", "bearer"],
)
def test_bad_authorization_headers_are_401(world: Any, header: str) -> None:
    response = BrowserClient().get("/api/v1/workers/", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert set(response.json()) == {"detail"}


# ---------------------------------------------------------------------------------------------
# CSRF


def test_login_form_needs_its_csrf_token(world: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    assert staff_login(client, "staff_a", TEST_PASSWORD).status_code == 403
    assert not signed_in(client)
    client.get("/accounts/login/")
    token = client.cookies["csrftoken"].value
    response = client.post(
        "/accounts/login/",
        {"username": "staff_a", "password": TEST_PASSWORD, "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302
    assert signed_in(client)


def test_worker_login_and_logout_need_the_csrf_token(world: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    assert (
        client.post(
            "/accounts/login/worker/", {"mobile": "13919310001", "action": "send"}
        ).status_code
        == 403
    )
    assert MemoryBackend.outbox == []
    client.force_login(world.users["staff_a"])
    assert client.post("/accounts/logout/").status_code == 403
    assert signed_in(client)


def test_session_api_posts_need_the_csrf_token(
    world: Any, api_token: Callable[..., dict[str, str]]
) -> None:
    url = f"/api/v1/workers/{world.worker_a.pk}/reveal"
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["staff_a"])
    count = AuditLog.objects.filter(action="workers.pii_viewed").count()
    response = client.post(url, {"purpose": "核实"}, content_type="application/json")
    assert response.status_code == 403
    assert set(response.json()) == {"detail"}
    assert AuditLog.objects.filter(action="workers.pii_viewed").count() == count
    client.get(f"/workers/{world.worker_a.pk}/")  # a page with a form sets the cookie
    response = client.post(
        url,
        {"purpose": "核实"},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value,
    )
    assert response.status_code == 200
    # A bearer token is not a cookie: no CSRF token needed.
    bearer = api_token(world.users["staff_a"])
    assert (
        Client(enforce_csrf_checks=True)
        .post(url, {}, content_type="application/json", **bearer)
        .status_code
        == 200
    )
    assert AuditLog.objects.filter(action="workers.pii_viewed").count() == count + 2


def test_reveal_page_needs_the_csrf_token(world: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["staff_a"])
    assert client.post(f"/workers/{world.worker_a.pk}/reveal/", {"purpose": "x"}).status_code == 403
    assert not AuditLog.objects.filter(action="workers.pii_viewed").exists()


# ---------------------------------------------------------------------------------------------
# Idle timeout


def test_thirty_idle_minutes_end_the_session(world: Any, clock: Clock) -> None:
    client = BrowserClient()
    assert (
        staff_login(client, "staff_a", TEST_PASSWORD).status_code == 302
    )  # through the middleware
    clock.advance(minutes=31)
    response = client.get("/workers/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert not signed_in(client)


def test_activity_keeps_the_session(world: Any, clock: Clock) -> None:
    client = BrowserClient()
    staff_login(client, "staff_a", TEST_PASSWORD)
    for _ in range(4):
        clock.advance(minutes=20)
        assert client.get("/workers/").status_code == 200
    clock.advance(minutes=29)
    assert client.get("/workers/").status_code == 200


def test_idle_timeout_applies_to_the_session_api_too(world: Any, clock: Clock) -> None:
    client = BrowserClient()
    staff_login(client, "staff_a", TEST_PASSWORD)
    assert client.get("/api/v1/me").status_code == 200
    clock.advance(minutes=31)
    assert client.get("/api/v1/me").status_code == 401


def test_a_bearer_request_creates_no_session(
    world: Any, api_token: Callable[..., dict[str, str]]
) -> None:
    bearer = api_token(world.users["staff_a"])
    client = BrowserClient()
    response = client.get("/api/v1/me", **bearer)
    assert response.status_code == 200
    assert "sessionid" not in response.cookies
