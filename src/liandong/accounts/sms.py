"""Pluggable SMS backends, chosen by LIANDONG_SMS_BACKEND (like Django's email backends).

A real deployment writes a backend for its provider's gateway; the demo writes messages to
a file in the data dir, and the tests keep them in memory.
"""

import logging
import os

from django.conf import settings
from django.core import checks
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class BaseBackend:
    def send(self, *, mobile: str, text: str) -> None:
        raise NotImplementedError


FILE_BACKEND = "liandong.accounts.sms.FileBackend"


class FileBackend(BaseBackend):
    """Appends each message to ``LIANDONG_SMS_FILE`` (the demo's outbox). It holds full
    mobiles and valid codes, so only its owner may read it (0600, also when it existed with
    wider rights); a production configuration needs LIANDONG_SMS_ALLOW_FILE for it."""

    def send(self, *, mobile: str, text: str) -> None:
        path = settings.LIANDONG_SMS_FILE
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as handle:
            handle.write(f"{timezone.localtime():%Y-%m-%d %H:%M:%S} {mobile} {text}\n")


class ConsoleBackend(BaseBackend):
    def send(self, *, mobile: str, text: str) -> None:
        logger.warning("SMS to %s: %s", mobile, text)


class MemoryBackend(BaseBackend):
    """Keeps messages in ``outbox`` for tests."""

    outbox: list[tuple[str, str]] = []

    def send(self, *, mobile: str, text: str) -> None:
        MemoryBackend.outbox.append((mobile, text))


def send_sms(*, mobile: str, text: str) -> None:
    backend = import_string(settings.LIANDONG_SMS_BACKEND)()
    backend.send(mobile=mobile, text=text)


FILE_IN_PRODUCTION = (
    "短信后端是演示用的文件后端（{backend}）：它把完整手机号和有效验证码写进 {path}。"
    "生产环境（DEBUG 关闭）请把 LIANDONG_SMS_BACKEND 设为短信网关的后端；"
    "确需使用文件后端时设 LIANDONG_SMS_ALLOW_FILE=1。"
)


def check_sms_backend(**kwargs: object) -> list[checks.CheckMessage]:
    """System check (registered in AccountsConfig.ready): the file backend is refused when
    DEBUG is off unless LIANDONG_SMS_ALLOW_FILE allows it. The error shows in ``liandong
    check --deploy`` and stops ``liandong serve`` (which runs the "liandong-serve" checks)."""
    if settings.DEBUG or settings.LIANDONG_SMS_ALLOW_FILE:
        return []
    if settings.LIANDONG_SMS_BACKEND != FILE_BACKEND:
        return []
    return [
        checks.Error(
            FILE_IN_PRODUCTION.format(backend=FILE_BACKEND, path=settings.LIANDONG_SMS_FILE),
            hint="LIANDONG_SMS_BACKEND=<your gateway's backend> or LIANDONG_SMS_ALLOW_FILE=1",
            id="liandong.E001",
        )
    ]
