"""Delivery reports (回执): the gateway's id of each accepted SMS is kept, and the reports it
POSTs to /api/v1/public/sms-reports/<token> turn 已发送 into 已送达 or 发送失败 with the carrier's
reason; a group robot's acceptance is a delivery. Through the real HTTP gateway backend and a
local fake gateway, and the API with CSRF enforced."""

import json

import pytest
from django.test import Client

from liandong.notifications import outbox, services
from liandong.notifications.models import Delivery, WebhookEndpoint

TOKEN = "r3port-t0ken"
MOBILES = ["13900000001", "13900000002", "13900000003"]


@pytest.fixture
def gateway(fake_server, settings):
    settings.LIANDONG_SMS_BACKEND = "liandong.accounts.sms.HttpGatewayBackend"
    settings.LIANDONG_SMS_GATEWAY_URL = fake_server.url
    settings.LIANDONG_SMS_REPORT_TOKEN = TOKEN
    # 阿里云's answer: {"Code": "OK", "BizId": ...}; one id per message, from its mobile.
    fake_server.answer = lambda r: (
        200,
        {"Code": "OK", "BizId": f"biz-{r['json']['mobile'][-4:]}", "RequestId": "x"},
    )
    return fake_server


def sent_sms(world):
    services.notify(
        "notifications.test", [], context={}, event_key="r", mobiles=MOBILES, urgent=True
    )
    assert outbox.deliver_due() == {"sent": 3}
    return {d.address_masked[-4:]: d for d in Delivery.objects.filter(channel="sms")}


def post(path, body, **extra):
    client = Client(enforce_csrf_checks=True)
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(path, data, content_type="application/json", **extra)


def test_the_gateways_id_is_kept_and_its_reports_mark_delivery(world, gateway):
    rows = sent_sms(world)
    assert {tail: d.provider_ref for tail, d in rows.items()} == {
        "0001": "biz-0001",
        "0002": "biz-0002",
        "0003": "biz-0003",
    }
    assert {d.status for d in rows.values()} == {"sent"}
    answer = post(
        f"/api/v1/public/sms-reports/{TOKEN}",
        [
            {"biz_id": "biz-0001", "success": True, "err_code": "DELIVERED"},  # 阿里云
            {"sid": "biz-0002", "report_status": "FAIL", "description": "用户关机"},  # 腾讯云
            {"msgid": "biz-9999", "stat": "DELIVRD"},  # not ours
        ],
    )
    assert answer.status_code == 200, answer.content
    assert answer.json() == {"code": 0, "msg": "成功", "delivered": 1, "failed": 1, "unmatched": 0}
    for d in rows.values():
        d.refresh_from_db()
    assert (rows["0001"].status, rows["0002"].status, rows["0003"].status) == (
        "delivered",
        "failed",
        "sent",
    )
    assert rows["0001"].delivered_at is not None
    assert rows["0002"].last_error == "运营商回执：未送达（用户关机）"
    # A failed report is not retried by itself (the message went out); an admin may resend.
    assert outbox.deliver_due() == {}


def test_a_report_wrapped_in_an_object_and_one_that_says_nothing(world, gateway):
    rows = sent_sms(world)
    answer = post(
        f"/api/v1/public/sms-reports/{TOKEN}",
        {"reports": [{"msgid": "biz-0003", "stat": "DELIVRD"}, {"msgid": "biz-0001"}]},
    )
    assert answer.json()["delivered"] == 1
    assert answer.json()["unmatched"] == 1
    rows["0001"].refresh_from_db()
    assert rows["0001"].status == "sent"  # a report that does not say is no report


@pytest.mark.parametrize(
    "path",
    [f"/api/v1/public/sms-reports/{TOKEN}x", "/api/v1/public/sms-reports/wrong"],
)
def test_a_wrong_token_is_not_found_and_changes_nothing(world, gateway, path):
    rows = sent_sms(world)
    answer = post(path, [{"biz_id": "biz-0001", "success": True}])
    assert answer.status_code == 404
    assert answer.json()["detail"]
    rows["0001"].refresh_from_db()
    assert rows["0001"].status == "sent"


def test_without_a_token_configured_there_is_no_such_address(world, gateway, settings):
    settings.LIANDONG_SMS_REPORT_TOKEN = ""
    assert post("/api/v1/public/sms-reports/", []).status_code == 404
    assert post("/api/v1/public/sms-reports/anything", []).status_code == 404


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("{not json", "请求体不是有效的 JSON"),
        ('"text"', "回执应为 JSON 对象或数组"),
        ([1, 2], "第 1 条回执不是 JSON 对象"),
        ([{}] * 1001, "一次最多 1000 条回执"),
    ],
)
def test_a_malformed_report_is_a_422_naming_the_field(world, gateway, body, message):
    rows = sent_sms(world)
    answer = post(f"/api/v1/public/sms-reports/{TOKEN}", body)
    assert answer.status_code == 422
    assert message in json.dumps(answer.json(), ensure_ascii=False)
    assert "reports" in json.dumps(answer.json())
    assert {d.status for d in Delivery.objects.filter(pk__in=[d.pk for d in rows.values()])} == {
        "sent"
    }


def test_a_robot_that_accepted_the_message_has_delivered_it(world, fake_server):
    WebhookEndpoint.objects.create(
        organization=world.union_a, name="群", flavor="wecom", url=fake_server.url
    )
    WebhookEndpoint.objects.create(
        organization=world.union_b, name="自建", flavor="json", url=fake_server.url
    )
    fake_server.answer = lambda r: (
        200,
        {"errcode": 0, "errmsg": "ok"} if "msgtype" in (r["json"] or {}) else {},
    )
    services.notify(
        "notifications.test",
        [],
        context={},
        event_key="w",
        organizations=[world.union_a.pk, world.union_b.pk],
    )
    assert outbox.deliver_due() == {"sent": 2}
    statuses = dict(Delivery.objects.values_list("endpoint__flavor", "status"))
    # 企业微信 answered errcode 0: in the group. A plain JSON endpoint said nothing: sent.
    assert statuses == {"wecom": "delivered", "json": "sent"}
