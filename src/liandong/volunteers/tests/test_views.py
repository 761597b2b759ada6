"""The pages: figures on the team page, Chinese messages on the forms, masking."""

from typing import Any

from liandong.core.models import AuditLog
from liandong.core.tests.client import BrowserClient
from liandong.volunteers import services
from liandong.volunteers.models import Service


def staff(world: Any) -> BrowserClient:
    client = BrowserClient()
    client.force_login(world.users["staff_a"])
    return client


def test_team_page_shows_figures_members_masked_and_activity_link(world: Any, vol: Any) -> None:
    from decimal import Decimal

    services.service_record(
        actor=None,
        team=vol.team,
        activity=vol.activity,
        served_on=vol.today,
        people_served=86,
        hours={vol.worker_member: Decimal("4"), vol.outside: Decimal("3")},
    )
    body = staff(world).get(f"/volunteers/{vol.team.pk}/").content.decode()
    assert "86" in body
    assert "7.0" in body
    assert "138****0301" in body
    assert "13801100301" not in body
    assert vol.activity.url in body
    assert "成立于2014年1月1日" in body


def test_reveal_on_the_page_is_audited(world: Any, vol: Any) -> None:
    response = staff(world).post(
        f"/volunteers/members/{vol.outside.pk}/reveal/", {"purpose": "联系"}
    )
    assert "13801100301" in response.content.decode()
    assert AuditLog.objects.filter(action="volunteers.mobile_viewed").count() == 1


def test_hours_form_refuses_25_hours_with_a_chinese_message(world: Any, vol: Any) -> None:
    response = staff(world).post(
        f"/volunteers/{vol.team.pk}/services/new/",
        {
            "activity": str(vol.activity.id),
            "served_on": vol.today.isoformat(),
            "people_served": "3",
            f"hours_{vol.worker_member.pk}": "25",
        },
    )
    assert response.status_code == 200
    assert "24" in response.content.decode()
    assert not Service.objects.exists()


def test_hours_form_offers_only_visible_activities(world: Any, vol: Any) -> None:
    body = staff(world).get(f"/volunteers/{vol.team.pk}/services/new/").content.decode()
    assert vol.activity.title in body
    assert vol.activity_b.title not in body


def test_adding_a_worker_by_mobile_outside_the_subtree_is_refused(world: Any, vol: Any) -> None:
    mobile = "13919310002"
    world.worker_b.refresh_from_db()
    response = staff(world).post(
        f"/volunteers/{vol.team.pk}/members/new/",
        {"kind": "worker", "mobile": mobile, "joined_on": vol.today.isoformat()},
    )
    assert response.status_code == 200
    assert "名册中没有该手机号" in response.content.decode()
    assert vol.team.members.count() == 2


def test_list_and_year_figures_link(world: Any, vol: Any) -> None:
    body = staff(world).get(f"/volunteers/?year={vol.today.year}").content.decode()
    assert vol.team.name in body
    assert vol.team_b.name not in body


def test_the_worker_page_shows_the_team(world: Any, vol: Any) -> None:
    body = staff(world).get(f"/workers/{world.worker_a.pk}/").content.decode()
    assert "志愿服务" in body
    assert vol.team.name in body


def test_the_list_counts_do_not_multiply(world: Any, vol: Any) -> None:
    from decimal import Decimal

    services.service_record(
        actor=None,
        team=vol.team,
        activity=vol.activity,
        served_on=vol.today,
        people_served=40,
        hours={vol.worker_member: Decimal("4"), vol.outside: Decimal("3")},
    )
    body = staff(world).get("/volunteers/").content.decode()
    row = body[body.index(vol.team.name) :]
    assert 'data-label="服务时长（小时）">7.0</td>' in row
    assert 'data-label="服务人次">40</td>' in row
    assert "14.0" not in body
