"""Sign-in codes by SMS: limited per mobile, per client address and in total per hour (one
address once sent codes to 30 numbers in seconds); the demo's file outbox is readable by its
owner only, and a production configuration refuses it unless allowed."""

import re
import stat
import threading
from typing import Any

import pytest
from django.core.checks import Error
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client

from liandong.accounts.sms import FILE_BACKEND, MemoryBackend, check_sms_backend, send_sms
from liandong.workers.signin import OTP_HOURLY_LIMIT_MESSAGE, otp_send
from liandong.workers.tests.factories import WorkerFactory

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SENT = "如果该手机号已登记，验证码已发送"


@pytest.fixture(autouse=True)
def empty_outbox() -> None:
    MemoryBackend.outbox.clear()


def send_code(mobile: str, ip: str = "127.0.0.1") -> str:
    """The worker sign-in page as a browser uses it: GET for the CSRF token, then the POST."""
    client = Client(enforce_csrf_checks=True, REMOTE_ADDR=ip)
    token = CSRF.search(client.get("/accounts/login/worker/").content.decode()).group(1)
    response = client.post(
        "/accounts/login/worker/",
        {"mobile": mobile, "action": "send", "csrfmiddlewaretoken": token},
        follow=True,
    )
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_one_address_cannot_send_codes_to_thirty_numbers_at_once(world: Any, settings) -> None:
    """30 concurrent requests from one address, each for another number (half of them on the
    roster): exactly LIANDONG_OTP_SENDS_PER_IP_HOUR are answered, the rest refused, and no SMS
    goes out for a refused one. Each slot is claimed with the cache's atomic ``add``, so the
    count is exact under concurrency (on SQLite the writes queue behind the busy timeout)."""
    assert settings.LIANDONG_OTP_SENDS_PER_IP_HOUR == 10  # the default
    numbers = [f"1370931{i:04d}" for i in range(30)]
    for mobile in numbers[::2]:
        WorkerFactory(employer=world.outlet_a, mobile=mobile)
    barrier = threading.Barrier(len(numbers))
    answers: dict[str, str] = {}

    def request(mobile: str) -> None:
        try:
            barrier.wait()
            answers[mobile] = send_code(mobile, ip="203.0.113.7")
        finally:
            connection.close()

    threads = [threading.Thread(target=request, args=(m,)) for m in numbers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(answers) == 30
    accepted = [m for m, body in answers.items() if SENT in body]
    refused = [m for m, body in answers.items() if OTP_HOURLY_LIMIT_MESSAGE in body]
    assert len(accepted) == 10, len(accepted)
    assert len(refused) == 20
    registered = set(numbers[::2])
    assert sorted(to for to, _ in MemoryBackend.outbox) == sorted(registered & set(accepted))
    # Another address is not held up by this one.
    assert SENT in send_code("13709319999", ip="198.51.100.2")


def test_codes_per_mobile_per_hour(world: Any, settings) -> None:
    settings.LIANDONG_OTP_RESEND_SECONDS = 0  # the minute between two codes is tested elsewhere
    mobile = "13709310042"
    WorkerFactory(employer=world.outlet_a, mobile=mobile)
    for i in range(settings.LIANDONG_OTP_SENDS_PER_MOBILE_HOUR):
        otp_send(mobile=mobile, ip=f"198.51.100.{i}")
    with pytest.raises(ValidationError) as refused:
        otp_send(mobile=mobile, ip="198.51.100.99")
    assert refused.value.code == "otp_hourly_limit"
    assert refused.value.messages == [OTP_HOURLY_LIMIT_MESSAGE]
    assert len(MemoryBackend.outbox) == 5


def test_codes_in_total_per_hour(world: Any, settings) -> None:
    settings.LIANDONG_OTP_SENDS_PER_HOUR = 3
    for i in range(3):
        otp_send(mobile=f"1370931000{i}", ip=f"198.51.100.{i}")
    with pytest.raises(ValidationError, match="上限"):
        otp_send(mobile="13709310009", ip="198.51.100.9")


def test_the_file_outbox_is_readable_by_its_owner_only(settings, tmp_path) -> None:
    settings.LIANDONG_SMS_BACKEND = FILE_BACKEND
    settings.LIANDONG_SMS_FILE = tmp_path / "sms-outbox.log"
    settings.LIANDONG_SMS_FILE.write_text("")
    settings.LIANDONG_SMS_FILE.chmod(0o644)  # an outbox left by an older version
    send_sms(mobile="13709310042", text="验证码 123456")
    mode = stat.S_IMODE(settings.LIANDONG_SMS_FILE.stat().st_mode)
    assert mode == 0o600, oct(mode)
    settings.LIANDONG_SMS_FILE.unlink()
    send_sms(mobile="13709310042", text="验证码 654321")
    assert stat.S_IMODE(settings.LIANDONG_SMS_FILE.stat().st_mode) == 0o600
    assert "654321" in settings.LIANDONG_SMS_FILE.read_text()


@pytest.mark.parametrize(
    ("debug", "backend", "allowed", "refused"),
    [
        (False, FILE_BACKEND, False, True),  # production with the demo's outbox
        (False, FILE_BACKEND, True, False),  # explicitly allowed (liandong demo)
        (True, FILE_BACKEND, False, False),  # development
        (False, "liandong.accounts.sms.ConsoleBackend", False, False),
    ],
)
def test_production_refuses_the_file_backend(settings, debug, backend, allowed, refused) -> None:
    settings.DEBUG, settings.LIANDONG_SMS_BACKEND = debug, backend
    settings.LIANDONG_SMS_ALLOW_FILE = allowed
    errors = check_sms_backend()
    assert [(type(e), e.id) for e in errors] == ([(Error, "liandong.E001")] if refused else [])
    if refused:
        assert "LIANDONG_SMS_ALLOW_FILE=1" in errors[0].msg
