"""Sending one delivery through its channel. Each function raises on failure (the message of
the exception is kept as the delivery's last error) and returns a ``Sent`` on success: the
gateway's id of the message (which its delivery report names later), and whether the far end
has confirmed it already (a group robot that accepted the message has posted it)."""

import base64
import hashlib
import hmac
import json
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from typing import Any, NamedTuple

from django.conf import settings
from django.core.mail import EmailMessage

from liandong.accounts.sms import send_sms
from liandong.core import crypto
from liandong.notifications.kinds import kind
from liandong.notifications.models import Delivery, WebhookEndpoint
from liandong.notifications.selectors import mobile_ciphers


class Undeliverable(Exception):
    """Sending cannot succeed however often it is tried (no address): not retried."""


class Sent(NamedTuple):
    ref: str = ""
    confirmed: bool = False


def send_email(delivery: Delivery) -> Sent:
    user = delivery.recipient
    if user is None or not user.email:
        raise Undeliverable("账号没有电子邮箱")
    body = delivery.body + (f"\n\n查看详情：{delivery.link}" if delivery.link else "")
    message = EmailMessage(
        subject=f"【联动】{delivery.subject}",
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
    )
    attachments = kind(delivery.kind).attachments
    if attachments is not None and delivery.target:
        for name, content, mimetype in attachments(delivery.target):
            message.attach(name, content, mimetype)
    message.send()
    return Sent()  # accepted by the mail server; mail gives no receipt


def sms_address(delivery: Delivery) -> str:
    if delivery.address_cipher:
        return crypto.decrypt(delivery.address_cipher)
    if delivery.recipient_id is None:
        raise Undeliverable("没有接收号码")
    cipher = mobile_ciphers([delivery.recipient_id]).get(delivery.recipient_id)
    if not cipher:
        raise Undeliverable("账号没有登记手机号")
    return crypto.decrypt(cipher)


def send_sms_delivery(delivery: Delivery) -> Sent:
    return Sent(ref=send_sms(mobile=sms_address(delivery), text=delivery.body) or "")


def _signed_query(url: str, secret: str) -> str:
    """钉钉's signature: timestamp and HMAC-SHA256(secret, "timestamp\\nsecret") in the query."""
    timestamp = str(round(time.time() * 1000))
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest))
    return f"{url}{'&' if '?' in url else '?'}timestamp={timestamp}&sign={sign}"


def webhook_payload(
    endpoint: WebhookEndpoint, delivery: Delivery, secret: str
) -> tuple[str, dict[str, Any], dict[str, str]]:
    """URL, JSON body and extra headers for the robot's flavour."""
    text = f"【{delivery.subject}】\n{delivery.body}" + (
        f"\n{delivery.link}" if delivery.link else ""
    )
    if endpoint.keyword and endpoint.keyword not in text:
        text = f"{endpoint.keyword} {text}"
    url = endpoint.url
    headers: dict[str, str] = {}
    if endpoint.flavor == WebhookEndpoint.Flavor.WECOM:
        return url, {"msgtype": "text", "text": {"content": text}}, headers
    if endpoint.flavor == WebhookEndpoint.Flavor.DINGTALK:
        if secret:
            url = _signed_query(url, secret)
        return url, {"msgtype": "text", "text": {"content": text}}, headers
    if endpoint.flavor == WebhookEndpoint.Flavor.FEISHU:
        payload: dict[str, Any] = {"msg_type": "text", "content": {"text": text}}
        if secret:
            timestamp = str(int(time.time()))
            key = f"{timestamp}\n{secret}".encode()
            payload["timestamp"] = timestamp
            payload["sign"] = base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
        return url, payload, headers
    payload = {
        "event": delivery.event_key,
        "kind": delivery.kind,
        "title": delivery.subject,
        "text": delivery.body,
        "link": delivery.link,
        "urgent": delivery.urgent,
    }
    if secret:
        raw = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()
        headers["X-Liandong-Signature"] = hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    return url, payload, headers


def post_json(url: str, payload: dict[str, Any], headers: dict[str, str]) -> bytes:
    if not url.startswith(("http://", "https://")):
        raise Undeliverable("地址必须以 http:// 或 https:// 开头")
    data = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
        url, data=data, headers={"Content-Type": "application/json", **headers}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=settings.LIANDONG_WEBHOOK_TIMEOUT) as answer:  # noqa: S310
        return bytes(answer.read(65536))


def send_webhook(delivery: Delivery) -> Sent:
    endpoint = delivery.endpoint
    if endpoint is None or not endpoint.is_active:
        raise Undeliverable("群机器人已停用或已删除")
    secret = crypto.decrypt(endpoint.secret_cipher) if endpoint.secret_cipher else ""
    url, payload, headers = webhook_payload(endpoint, delivery, secret)
    answer = post_json(url, payload, headers)
    # The robots answer 200 with an error code in the body (企业微信/钉钉 errcode, 飞书 code).
    try:
        parsed = json.loads(answer or b"{}")
    except ValueError:
        return Sent()
    if isinstance(parsed, dict):
        code = parsed.get("errcode", parsed.get("code", 0))
        if code not in (0, None, "0"):
            raise RuntimeError(
                f"群机器人拒收：{code} {parsed.get('errmsg') or parsed.get('msg') or ''}"
            )
        # 企业微信, 钉钉 and 飞书 answer errcode/code 0 once the message is in the group; a
        # generic JSON endpoint's answer says only that it was received.
        robots = (
            WebhookEndpoint.Flavor.WECOM,
            WebhookEndpoint.Flavor.DINGTALK,
            WebhookEndpoint.Flavor.FEISHU,
        )
        return Sent(
            confirmed=endpoint.flavor in robots and ("errcode" in parsed or "code" in parsed)
        )
    return Sent()


SENDERS: dict[str, Callable[[Delivery], Sent]] = {
    "email": send_email,
    "sms": send_sms_delivery,
    "webhook": send_webhook,
}
