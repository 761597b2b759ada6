"""Pluggable SMS backends, chosen by LIANDONG_SMS_BACKEND (like Django's email backends).

A real deployment writes a backend for its provider's gateway; the demo writes messages to
a file in the data dir, and the tests keep them in memory.
"""

import hashlib
import hmac
import json
import logging
import os
import string
import time
import urllib.parse
import urllib.request

from django.conf import settings
from django.core import checks
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class BaseBackend:
    def send(self, *, mobile: str, text: str) -> str | None:
        raise NotImplementedError


FILE_BACKEND = "liandong.accounts.sms.FileBackend"


class FileBackend(BaseBackend):
    """Appends each message to ``LIANDONG_SMS_FILE`` (the demo's outbox). It holds full
    mobiles and valid codes, so only its owner may read it (0600, also when it existed with
    wider rights); a production configuration needs LIANDONG_SMS_ALLOW_FILE for it."""

    def send(self, *, mobile: str, text: str) -> str | None:
        path = settings.LIANDONG_SMS_FILE
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as handle:
            handle.write(f"{timezone.localtime():%Y-%m-%d %H:%M:%S} {mobile} {text}\n")
        return None


class ConsoleBackend(BaseBackend):
    def send(self, *, mobile: str, text: str) -> str | None:
        logger.warning("SMS to %s: %s", mobile, text)
        return None


class MemoryBackend(BaseBackend):
    """Keeps messages in ``outbox`` for tests."""

    outbox: list[tuple[str, str]] = []

    def send(self, *, mobile: str, text: str) -> str | None:
        MemoryBackend.outbox.append((mobile, text))
        return None


# The gateway's request body: a JSON object whose string values may name $mobile, $text,
# $sign_name, $template_id, $key, $timestamp, $nonce and $signature (string.Template).
DEFAULT_GATEWAY_BODY = (
    '{"mobile": "$mobile", "sign_name": "$sign_name", "template_id": "$template_id",'
    ' "params": {"content": "$text"}, "key": "$key", "timestamp": "$timestamp",'
    ' "nonce": "$nonce", "signature": "$signature"}'
)


# Where gateways put the id of an accepted message, which their delivery reports (回执) name:
# 阿里云 BizId, 腾讯云 SerialNo/sid, others msgid or id; at the top of the answer or in "data"
# (or the first element of a list there).
MESSAGE_ID_FIELDS = ("BizId", "biz_id", "SerialNo", "sid", "msgid", "msg_id", "message_id", "id")


def message_id(answer: object) -> str | None:
    """The gateway's id of the message in its (parsed JSON) answer, if it gives one."""
    for node in (answer, answer.get("data") if isinstance(answer, dict) else None):
        if isinstance(node, list) and node:
            node = node[0]
        if not isinstance(node, dict):
            continue
        for field in MESSAGE_ID_FIELDS:
            value = node.get(field)
            if isinstance(value, str | int) and not isinstance(value, bool) and str(value):
                return str(value)[:80]
    return None


class GatewayError(Exception):
    pass


class HttpGatewayBackend(BaseBackend):
    """A generic HTTP SMS gateway, as Chinese providers expect: a POST to
    ``LIANDONG_SMS_GATEWAY_URL`` with a body built from ``LIANDONG_SMS_GATEWAY_BODY`` (a JSON
    template, see DEFAULT_GATEWAY_BODY) sent as JSON or as a form
    (``LIANDONG_SMS_GATEWAY_FORMAT``), carrying the registered signature name and template id,
    the account key, and ``signature`` = HMAC-SHA256(secret, key + timestamp + nonce + mobile)
    in hex. Any answer but 2xx, or a JSON answer whose ``code``/``errcode``/``status`` is not
    0/"OK", is a failure (raised, so that the outbox retries)."""

    def payload(self, *, mobile: str, text: str) -> dict[str, object]:
        key = settings.LIANDONG_SMS_GATEWAY_KEY
        timestamp = str(int(time.time()))
        nonce = os.urandom(8).hex()
        signature = hmac.new(
            settings.LIANDONG_SMS_GATEWAY_SECRET.encode(),
            f"{key}{timestamp}{nonce}{mobile}".encode(),
            hashlib.sha256,
        ).hexdigest()
        values = {
            "mobile": mobile,
            "text": text,
            "sign_name": settings.LIANDONG_SMS_GATEWAY_SIGN_NAME,
            "template_id": settings.LIANDONG_SMS_GATEWAY_TEMPLATE_ID,
            "key": key,
            "timestamp": timestamp,
            "nonce": nonce,
            "signature": signature,
        }
        template = json.loads(settings.LIANDONG_SMS_GATEWAY_BODY or DEFAULT_GATEWAY_BODY)

        def fill(node: object) -> object:
            if isinstance(node, str):
                return string.Template(node).safe_substitute(values)
            if isinstance(node, dict):
                return {k: fill(v) for k, v in node.items()}
            if isinstance(node, list):
                return [fill(v) for v in node]
            return node

        filled = fill(template)
        if not isinstance(filled, dict):
            raise GatewayError("LIANDONG_SMS_GATEWAY_BODY must be a JSON object")
        return filled

    def send(self, *, mobile: str, text: str) -> str | None:
        url = settings.LIANDONG_SMS_GATEWAY_URL
        if not url.startswith(("http://", "https://")):
            raise GatewayError("LIANDONG_SMS_GATEWAY_URL must be an http(s) address")
        payload = self.payload(mobile=mobile, text=text)
        if settings.LIANDONG_SMS_GATEWAY_FORMAT == "form":
            flat = {
                k: v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)
                for k, v in payload.items()
            }
            data = urllib.parse.urlencode(flat).encode()
            content_type = "application/x-www-form-urlencoded"
        else:
            data = json.dumps(payload, ensure_ascii=False).encode()
            content_type = "application/json; charset=utf-8"
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
            url, data=data, headers={"Content-Type": content_type}, method="POST"
        )
        timeout = settings.LIANDONG_SMS_GATEWAY_TIMEOUT
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310
            body = answer.read(65536)
        try:
            parsed = json.loads(body or b"{}")
        except ValueError:
            return None
        if isinstance(parsed, dict):
            for field in ("code", "errcode", "status"):
                if field in parsed and str(parsed[field]).upper() not in {"0", "OK", "SUCCESS"}:
                    raise GatewayError(f"gateway refused: {field}={parsed[field]}")
        return message_id(parsed)


def send_sms(*, mobile: str, text: str) -> str | None:
    """Send through the configured backend; the gateway's message id when it gives one."""
    backend = import_string(settings.LIANDONG_SMS_BACKEND)()
    result: str | None = backend.send(mobile=mobile, text=text)
    return result


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
