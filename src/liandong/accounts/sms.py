"""Pluggable SMS backends, chosen by LIANDONG_SMS_BACKEND (like Django's email backends).

A real deployment writes a backend for its provider's gateway; the demo writes messages to
a file in the data dir, and the tests keep them in memory.
"""

import logging

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class BaseBackend:
    def send(self, *, mobile: str, text: str) -> None:
        raise NotImplementedError


class FileBackend(BaseBackend):
    """Appends each message to ``LIANDONG_SMS_FILE`` (the demo's outbox)."""

    def send(self, *, mobile: str, text: str) -> None:
        path = settings.LIANDONG_SMS_FILE
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as handle:
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
