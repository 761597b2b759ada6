"""The API end to end: a meeting's life, a resolution, progress by the lead body, and bad input
as 422 naming the field with nothing changed."""

from datetime import timedelta
from typing import Any

from django.test import Client
from django.utils import timezone

from liandong.core.models import AuditLog
from liandong.core.tests.client import BrowserClient
from liandong.meetings.models import ActionItem, Mechanism, Meeting

P = "/api/v1/meetings"


def post(client: Client, url: str, body: dict, headers: dict) -> Any:
    return client.post(url, body, content_type="application/json", **headers)


def fields(response: Any) -> set[str]:
    return {item["loc"][-1] for item in response.json()["detail"]}


def test_a_meeting_from_schedule_to_action_item(world: Any, mw: Any, api_token: Any) -> None:
    staff = api_token(world.users["staff_a"])
    client = BrowserClient()
    response = post(
        client,
        f"{P}/mechanisms/{mw.mechanism.pk}/meetings",
        {
            "title": "第五次联席会议",
            "topic": "技能提升",
            "starts_at": (timezone.now() + timedelta(days=7)).isoformat(),
            "location": "省快递协会培训中心",
            "host_body_id": world.authority.pk,
        },
        staff,
    )
    assert response.status_code == 200, response.content
    meeting = response.json()
    assert meeting["status"] == "preparing"
    assert {
        a["organization_id"] for a in meeting["attendances"]
    } == mw.mechanism.member_organization_ids()
    agenda = post(
        client, f"{P}/meetings/{meeting['id']}/agenda", {"title": "研究技能培训计划"}, staff
    )
    assert agenda.json()["title"] == "研究技能培训计划"
    notified = post(client, f"{P}/meetings/{meeting['id']}/transition", {"action": "notify"}, staff)
    assert notified.json()["status"] == "notified"
    # Held: the meeting took place (its date moved to the past as time passes).
    Meeting.objects.filter(pk=meeting["id"]).update(starts_at=timezone.now() - timedelta(hours=3))
    assert (
        post(client, f"{P}/meetings/{meeting['id']}/transition", {"action": "hold"}, staff).json()[
            "status"
        ]
        == "held"
    )
    item = post(
        client,
        f"{P}/meetings/{meeting['id']}/resolutions",
        {
            "resolution": "年底前完成快递员技能培训 500 人次",
            "lead_body_id": world.authority.pk,
            "co_body_ids": [world.union_a.pk],
            "deadline": (timezone.localdate() + timedelta(days=35)).isoformat(),
            "expected_output": "培训 500 人次",
            "target_id": mw.target.pk,
        },
        staff,
    )
    assert item.status_code == 200, item.content
    assert item.json()["status"] == "todo"
    published = post(
        client,
        f"{P}/meetings/{meeting['id']}/transition",
        {"action": "publish", "minutes": "会议议定：开展技能培训。"},
        staff,
    )
    assert published.json()["status"] == "published"
    # The lead body's liaison sees it and reports.
    liaison = api_token(world.users["liaison"])
    mine = BrowserClient().get(f"{P}/action-items?mine=true&state=open", **liaison).json()["items"]
    assert item.json()["id"] in {i["id"] for i in mine}
    done = post(
        BrowserClient(),
        f"{P}/action-items/{item.json()['id']}/progress",
        {"percent": 100, "text": "已完成"},
        liaison,
    )
    assert done.json()["status"] == "done"
    assert done.json()["reports"][0]["percent"] == 100
    assert (
        BrowserClient().get(f"{P}/meetings/{meeting['id']}", **liaison).json()["minutes"]
        == "会议议定：开展技能培训。"
    )


def test_bad_input_is_a_422_naming_the_field_and_changes_nothing(
    world: Any, mw: Any, api_token: Any
) -> None:
    staff = api_token(world.users["staff_a"])
    client = BrowserClient()
    before = (
        Meeting.objects.count(),
        ActionItem.objects.count(),
        AuditLog.objects.count(),
        list(ActionItem.objects.values_list("progress", flat=True)),
    )
    cases = [
        (
            f"{P}/meetings/{mw.held.pk}/resolutions",
            {"resolution": "没有牵头单位", "deadline": "2026-12-31"},
            "lead_body",
        ),
        (
            f"{P}/meetings/{mw.held.pk}/resolutions",
            {"resolution": "没有时限", "lead_body_id": world.authority.pk},
            "deadline",
        ),
        (
            f"{P}/meetings/{mw.held.pk}/resolutions",
            {
                "resolution": "非成员牵头",
                "lead_body_id": world.union_b.pk,
                "deadline": "2026-12-31",
            },
            "lead_body",
        ),
        (f"{P}/action-items/{mw.item.pk}/progress", {"percent": 120, "text": "超过"}, "percent"),
        (f"{P}/action-items/{mw.item.pk}/progress", {"percent": 5, "text": "回退"}, "reason"),
        (
            f"{P}/mechanisms/{mw.mechanism.pk}/meetings",
            {
                "title": "无地点",
                "host_body_id": world.union_a.pk,
                "starts_at": "2026-12-30T09:00:00+08:00",
            },
            "location",
        ),
        (
            f"{P}/mechanisms",
            {
                "name": "x",
                "industry": "快递",
                "convening_union_id": world.union_a.pk,
                "collaboration_mode": "custom",
            },
            "custom_mode",
        ),
        (f"{P}/action-items/{mw.item.pk}/progress", {"percent": 50, "text": "坏字符\x00"}, "text"),
    ]
    for url, body, field in cases:
        response = post(client, url, body, staff)
        assert response.status_code == 422, (url, response.content)
        assert field in fields(response), (field, response.json())
    Meeting.objects.filter(pk=mw.future.pk).update(starts_at=timezone.now() - timedelta(minutes=5))
    response = post(client, f"{P}/meetings/{mw.future.pk}/transition", {"action": "notify"}, staff)
    assert response.status_code == 422
    assert "会议时间已过" in response.json()["detail"][0]["msg"]
    after = (
        Meeting.objects.count(),
        ActionItem.objects.count(),
        AuditLog.objects.count(),
        list(ActionItem.objects.values_list("progress", flat=True)),
    )
    assert after == before
    assert Meeting.objects.get(pk=mw.future.pk).status == Meeting.Status.PREPARING


def test_the_summary_answers_with_the_figures_behind_it(
    world: Any, mw: Any, api_token: Any
) -> None:
    year = timezone.localdate().year
    body = (
        BrowserClient()
        .get(
            f"{P}/mechanisms/{mw.mechanism.pk}/summary/{year}", **api_token(world.users["liaison"])
        )
        .json()
    )
    assert body["figures"]["items_total"] == 1
    assert body["targets"][0]["title"] == "疗休养"
    assert body["bodies"][0]["name"] == world.authority.name


def test_lists_page_by_cursor(world: Any, mw: Any, api_token: Any) -> None:
    from liandong.meetings import services

    for n in range(3):
        services.mechanism_create(
            actor=None,
            name=f"机制{n}",
            industry="快递",
            convening_union=world.union_a,
            collaboration_mode="authority",
        )
    bearer = api_token(world.users["admin_a"])
    first = BrowserClient().get(f"{P}/mechanisms?limit=2", **bearer).json()
    second = (
        BrowserClient()
        .get(f"{P}/mechanisms?limit=2&cursor={first['next_cursor']}", **bearer)
        .json()
    )
    ids = [m["id"] for m in first["items"] + second["items"]]
    assert ids == sorted(Mechanism.objects.values_list("pk", flat=True), reverse=True)
    assert second["next_cursor"] is None
