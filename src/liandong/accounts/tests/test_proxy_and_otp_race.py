"""Client address behind nginx, and one-time-code tries counted without a race."""

import threading

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import RequestFactory, override_settings

from liandong.accounts.models import OneTimeCode
from liandong.core import races
from liandong.core.middleware import client_ip
from liandong.workers import signin
from liandong.workers.signin import OTP_MAX_ATTEMPTS, otp_send, otp_verify


@pytest.mark.parametrize(
    ("behind_proxy", "forwarded", "expected"),
    [
        (False, "203.0.113.9", "127.0.0.1"),  # not behind a proxy: the header is ignored
        (True, "203.0.113.9", "203.0.113.9"),
        (True, "198.51.100.1, 203.0.113.9", "203.0.113.9"),  # the hop nginx added
        (True, "not-an-ip", "127.0.0.1"),  # garbage never reaches the audit log
        (True, "", "127.0.0.1"),
    ],
)
def test_client_ip(behind_proxy: bool, forwarded: str, expected: str) -> None:
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    with override_settings(LIANDONG_BEHIND_PROXY=behind_proxy):
        assert client_ip(request) == expected


def _twelve_concurrent_wrong_codes() -> list[bool]:
    cache.clear()  # the resend interval of an earlier test's code
    otp_send(mobile="13919310001")
    barrier = threading.Barrier(12)
    results: list[bool] = []

    def guess(code: str) -> None:
        barrier.wait()
        try:
            results.append(otp_verify(mobile="13919310001", code=code))
        finally:
            connection.close()

    threads = [threading.Thread(target=guess, args=(f"{i:06d}x",)) for i in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.django_db(transaction=True)
def test_concurrent_wrong_codes_never_exceed_the_limit(world) -> None:
    if connection.vendor == "sqlite":
        pytest.skip("concurrent writers are a PostgreSQL matter; SQLite serializes them")
    assert signin.OTP_ATTEMPTS_GUARD
    results = _twelve_concurrent_wrong_codes()
    assert results == [False] * 12
    assert OneTimeCode.objects.get().attempts == OTP_MAX_ATTEMPTS


@pytest.mark.django_db(transaction=True)
def test_control_unguarded_tries_exceed_the_limit(world, monkeypatch) -> None:
    """The control run: the tries read, then counted (``OTP_ATTEMPTS_GUARD`` off). Guesses that
    all read fewer than five tries are all compared: more than five tries counted. This one
    fails on SQLite too: otp_verify runs in autocommit (no transaction, so no IMMEDIATE write
    lock around the read and the write), and the reads of the guesses interleave there."""
    monkeypatch.setattr(signin, "OTP_ATTEMPTS_GUARD", False)
    with races.all_read_first(12, autocommit=True):
        results = _twelve_concurrent_wrong_codes()
    assert results == [False] * 12
    assert OneTimeCode.objects.get().attempts > OTP_MAX_ATTEMPTS


def test_changing_a_password_asks_for_the_current_one(world, login) -> None:
    from liandong.accounts.tests.factories import TEST_PASSWORD

    user = world.users["staff_a"]
    client = login(user)
    new = {"password1": "xin-mi-ma-2026", "password2": "xin-mi-ma-2026"}
    response = client.post("/accounts/password/", {**new, "old_password": "wrong-one"})
    assert response.status_code == 200
    assert "当前密码不正确" in response.context["form"].errors["old_password"]
    user.refresh_from_db()
    assert user.check_password(TEST_PASSWORD)
    response = client.post("/accounts/password/", {**new, "old_password": TEST_PASSWORD})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("xin-mi-ma-2026")
