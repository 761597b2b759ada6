import base64
import io
import json

import pytest
from django.core.cache import cache
from django.test import Client
from openpyxl import load_workbook
from PIL import Image

from liandong.core.models import AuditLog
from liandong.core.tests.client import BrowserClient
from liandong.core.tests.matrix import assert_no_pii
from liandong.demands.models import Demand, DemandPhoto, State
from liandong.demands.services import demand_accept, demand_resolve
from liandong.demands.tests.factories import make_demand

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_pii_in_logs")]
URL = "/api/v1/public/demands"


@pytest.fixture(autouse=True)
def _fresh_limits() -> None:
    cache.clear()


def body(**changes: object) -> dict:
    data = {
        "description": "网点两个月没结算派费，站长一直拖着不给。",
        "industry": "快递",
        "city": "兰州",
        "mobile": "13919316666",
        "consent": True,
        "employer_name": "甲快递城关网点",
    }
    data.update(changes)
    return data


def post(client: Client, data: dict, **headers: str):
    return client.post(URL, json.dumps(data), content_type="application/json", **headers)


def test_public_submit_answers_with_a_tracking_code_committed_before_the_answer(
    client, world, rules
) -> None:
    response = post(client, body())
    assert response.status_code == 200, response.content
    assert response.json()["created"] is True
    code = response.json()["code"]
    demand = Demand.objects.get(code=code)
    assert demand.channel == "api"
    assert demand.state == State.DISPATCHED
    assert demand.category == "wages"  # suggested from the text
    # the receipt names the category used
    assert (response.json()["category"], response.json()["category_label"]) == ("wages", "工资报酬")
    assert_no_pii(response.content, "receipt")


def test_the_same_idempotency_key_returns_the_same_code(client, world, rules) -> None:
    first = post(client, body(), HTTP_IDEMPOTENCY_KEY="retry-7f3a")
    second = post(client, body(), HTTP_IDEMPOTENCY_KEY="retry-7f3a")
    assert (first.status_code, second.status_code) == (200, 200)
    assert (first.json()["created"], second.json()["created"]) == (True, False)
    assert first.json()["code"] == second.json()["code"]
    assert Demand.objects.count() == 1


def test_a_used_idempotency_key_with_another_body_is_refused(client, world, rules) -> None:
    """A key is bound to its request: another demand sent with a used key is not silently
    dropped with someone else's tracking code; it is a 422 that says why."""
    first = post(client, body(), HTTP_IDEMPOTENCY_KEY="shared-key")
    other = post(
        client,
        body(description="另一位职工：公司拖欠三个月工资，请帮忙"),
        HTTP_IDEMPOTENCY_KEY="shared-key",
    )
    assert other.status_code == 422, other.content
    [error] = other.json()["detail"]
    assert error["loc"] == ["body", "idempotency_key"]
    assert "已用于另一份内容不同的诉求" in error["msg"]
    assert first.json()["code"] not in other.content.decode()
    assert Demand.objects.count() == 1
    # The same body, spelled in another key order, is the same request: the first answer.
    again = client.post(
        "/api/v1/public/demands",
        json.dumps(dict(reversed(list(body().items()))), ensure_ascii=False),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="shared-key",
    )
    assert (again.status_code, again.json()["code"]) == (200, first.json()["code"])
    assert again.json()["created"] is False


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"description": "短"}, "description"),
        ({"mobile": "1391931"}, "mobile"),
        ({"industry": "木工"}, "industry"),
        ({"consent": False}, "consent"),
        ({"category": "nonsense"}, "category"),
        ({"photos": ["bm90IGFuIGltYWdl"]}, "photos"),  # "not an image"
        ({"photos": ["%%%"]}, "photos"),
        ({"description": "诉求\x00内容很长很长"}, "description"),
    ],
)
def test_bad_input_is_a_4xx_naming_the_field(client, world, rules, changes, field) -> None:
    response = post(client, body(**changes))
    assert response.status_code == 422, response.content
    detail = response.json()["detail"]
    assert any(field in item["loc"] for item in detail), detail
    assert Demand.objects.count() == 0


def test_a_missing_field_and_a_broken_body_are_4xx(client, world, rules) -> None:
    data = body()
    del data["city"]
    response = post(client, data)
    assert response.status_code == 422
    assert "city" in json.dumps(response.json()["detail"])
    response = client.post(URL, "{not json", content_type="application/json")
    assert 400 <= response.status_code < 500
    response = client.post(URL, "x" * (3 * 1024 * 1024), content_type="application/json")
    assert response.status_code == 413
    assert Demand.objects.count() == 0


def test_a_photo_is_verified_and_stored(client, world, rules) -> None:
    stream = io.BytesIO()
    Image.new("RGB", (32, 32), (10, 120, 60)).save(stream, format="JPEG")
    response = post(
        client,
        body(photos=["data:image/jpeg;base64," + base64.b64encode(stream.getvalue()).decode()]),
    )
    assert response.status_code == 200
    assert DemandPhoto.objects.get().content_type == "image/jpeg"


def test_rate_limits_per_ip_and_per_mobile(client, world, rules, settings) -> None:
    settings.LIANDONG_DEMANDS_SUBMITS_PER_MOBILE_DAY = 2
    settings.LIANDONG_DEMANDS_SUBMITS_PER_IP_HOUR = 3
    assert post(client, body(description="第一件事：派费拖欠。")).status_code == 200
    assert post(client, body(description="第二件事：没有休息日。")).status_code == 200
    limited = post(client, body(description="第三件事：社保断缴。"))
    assert limited.status_code == 429
    assert "频繁" in limited.json()["detail"]
    assert limited["Retry-After"] == "3600"  # the per-IP window: a client knows when to retry
    assert (
        post(client, body(mobile="13919316667", description="另一个人：工伤认定。")).status_code
        == 200
    )
    assert (
        post(client, body(mobile="13919316668", description="再一个人：培训报名。")).status_code
        == 429
    )
    assert Demand.objects.count() == 3


def test_follow_up_needs_code_and_mobile_tail_and_shows_no_personal_data(
    client, world, rules
) -> None:
    demand = make_demand(mobile="13919317777", submitter_name="马建华")
    demand_accept(actor=world.users["liaison"], demand=demand, note="已联系网点核实。")
    assert client.get(f"{URL}/{demand.code}?mobile_tail=0000").status_code == 404
    assert client.get(f"{URL}/{demand.code}").status_code == 404
    assert client.get(f"{URL}/SQNOTEXIST?mobile_tail=7777").status_code == 404
    response = client.get(f"{URL}/{demand.code}?mobile_tail=7777")
    assert response.status_code == 200
    data = response.json()
    assert data["state_label"] == "办理中"
    assert [s["kind_label"] for s in data["timeline"]] == ["提交诉求", "派单", "开始办理"]
    text = response.content.decode()
    assert "马建华" not in text
    assert world.users["liaison"].username not in text
    assert str(world.users["liaison"]) not in text
    assert_no_pii(response.content, "public view")


def test_failed_lookups_are_limited_per_ip(client, world, rules, settings) -> None:
    settings.LIANDONG_DEMANDS_FAILED_LOOKUPS_PER_IP_HOUR = 3
    demand = make_demand(mobile="13919317778")
    for tail in ["0001", "0002", "0003"]:
        assert client.get(f"{URL}/{demand.code}?mobile_tail={tail}").status_code == 404
    limited = client.get(f"{URL}/{demand.code}?mobile_tail=7778")
    assert limited.status_code == 429
    assert limited["Retry-After"] == "3600"


def test_rating_and_one_reopening(client, world, rules) -> None:
    demand = make_demand(mobile="13919318881")
    early = client.post(
        f"{URL}/{demand.code}/rating",
        {"mobile_tail": "8881", "rating": "satisfied"},
        content_type="application/json",
    )
    assert early.status_code == 422
    assert "rating" in json.dumps(early.json())
    demand = demand_accept(actor=world.users["liaison"], demand=demand, note="已受理。")
    demand_resolve(actor=world.users["liaison"], demand=demand, note="已补发派费。")
    wrong = client.post(
        f"{URL}/{demand.code}/rating",
        {"mobile_tail": "1111", "rating": "satisfied"},
        content_type="application/json",
    )
    assert wrong.status_code == 404
    response = client.post(
        f"{URL}/{demand.code}/rating",
        {"mobile_tail": "8881", "rating": "unsatisfied", "comment": "只补了一半"},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["state"] == "in_progress"


def test_staff_list_filters_and_scoping(world, rules, api_token) -> None:
    wages = make_demand()
    rest = make_demand(
        category="rest", description="每天工作十四个小时，没有休息日。", mobile="13919310091"
    )
    client = BrowserClient()
    headers = api_token(world.users["liaison"])
    items = client.get("/api/v1/demands/", **headers).json()["items"]
    assert [i["code"] for i in items] == [wages.code]  # only what was routed to the authority
    assert items[0]["mobile_masked"].startswith("138****")
    staff = api_token(world.users["staff_a"])
    codes = {i["code"] for i in client.get("/api/v1/demands/", **staff).json()["items"]}
    assert codes == {wages.code, rest.code}
    filtered = client.get(
        f"/api/v1/demands/?body={world.enterprise_a.pk}&state=dispatched&breached=false", **staff
    ).json()["items"]
    assert [i["code"] for i in filtered] == [rest.code]
    other = api_token(world.users["staff_b"])
    assert client.get("/api/v1/demands/", **other).json()["items"] == []
    assert client.get(f"/api/v1/demands/{wages.pk}", **other).status_code == 404
    bad = client.get("/api/v1/demands/?state=nonsense", **staff)
    assert bad.status_code == 422


def test_staff_actions_over_the_api(world, rules, api_token) -> None:
    demand = make_demand()
    client = BrowserClient()
    liaison = api_token(world.users["liaison"])
    url = f"/api/v1/demands/{demand.pk}/actions"
    empty = client.post(
        url, {"action": "accept", "note": ""}, content_type="application/json", **liaison
    )
    assert empty.status_code == 422
    assert "note" in json.dumps(empty.json())
    wrong_state = client.post(
        url, {"action": "resolve", "note": "x"}, content_type="application/json", **liaison
    )
    assert wrong_state.status_code == 409
    ok = client.post(
        url,
        {"action": "accept", "note": "已受理，正在核实。"},
        content_type="application/json",
        **liaison,
    )
    assert ok.status_code == 200
    assert ok.json()["state"] == "in_progress"
    assert "resolve" in ok.json()["allowed_actions"]
    transfer = client.post(
        url,
        {"action": "transfer", "reason": "企业内部问题", "body_id": world.enterprise_b.pk},
        content_type="application/json",
        **liaison,
    )
    assert transfer.status_code == 422  # enterprise B is not in the liaison's view
    assert "body_id" in json.dumps(transfer.json())


def test_hotline_intake_records_the_channel_and_the_operator(world, rules, api_token) -> None:
    client = BrowserClient()
    staff = api_token(world.users["staff_a"])
    response = client.post(
        "/api/v1/demands/",
        body(channel="hotline", mobile="13919312351"),
        content_type="application/json",
        **staff,
    )
    assert response.status_code == 200, response.content
    demand = Demand.objects.get(pk=response.json()["id"])
    assert demand.channel == "hotline"
    assert demand.entered_by == world.users["staff_a"]
    liaison = api_token(world.users["liaison"])
    assert (
        client.post(
            "/api/v1/demands/", body(), content_type="application/json", **liaison
        ).status_code
        == 403
    )


def test_reveal_is_for_the_handler_and_union_staff_and_audited(world, rules, api_token) -> None:
    demand = make_demand(mobile="13919315555")
    client = BrowserClient()
    for key in ["liaison", "staff_a"]:
        response = client.post(
            f"/api/v1/demands/{demand.pk}/reveal",
            {"purpose": "回访"},
            content_type="application/json",
            **api_token(world.users[key]),
        )
        assert response.json()["mobile"] == "13919315555"
    assert (
        AuditLog.objects.filter(action="demands.mobile_viewed", target_id=str(demand.pk)).count()
        == 2
    )


def test_stats_and_export(world, rules, api_token) -> None:
    demand = make_demand()
    demand = demand_accept(actor=world.users["liaison"], demand=demand, note="已受理。")
    make_demand(
        category="rest", description="每天工作十四个小时，没有休息日。", mobile="13919310092"
    )
    client = BrowserClient()
    staff = api_token(world.users["staff_a"])
    data = client.get("/api/v1/demands/stats?group_by=category", **staff).json()
    assert data["total"]["received"] == 2
    assert data["total"]["response_rate"] == 100.0
    assert {r["label"] for r in data["rows"]} == {"工资报酬", "休息休假"}
    by_body = client.get("/api/v1/demands/stats?group_by=body", **staff).json()
    assert {r["label"] for r in by_body["rows"]} == {world.authority.name, world.enterprise_a.name}
    assert client.get("/api/v1/demands/stats?group_by=nonsense", **staff).status_code == 422
    export = client.get("/api/v1/demands/stats/export", **staff)
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(export.streaming_content))).active
    assert sheet.cell(row=2, column=2).value == "受理量"
    liaison = client.get("/api/v1/demands/stats", **api_token(world.users["liaison"])).json()
    assert liaison["total"]["received"] == 1
    other = client.get("/api/v1/demands/stats", **api_token(world.users["staff_b"])).json()
    assert other["total"]["received"] == 0
