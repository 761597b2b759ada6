"""The API's refusals: 422 naming the field, 404 for another body's worker or activity, and
nothing changed."""

from typing import Any

from liandong.core.tests.client import BrowserClient
from liandong.volunteers.models import Hours, Member, Service

P = "/api/v1/volunteers"


def post(client: Any, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, body, content_type="application/json")


def staff(world: Any) -> BrowserClient:
    client = BrowserClient()
    client.force_login(world.users["staff_a"])
    return client


def service_body(vol: Any, hours: str, **kw: Any) -> dict[str, Any]:
    body = {
        "activity_id": vol.activity.id,
        "served_on": vol.today.isoformat(),
        "people_served": 10,
        "hours": [{"member_id": vol.worker_member.pk, "hours": hours}],
    }
    body.update(kw)
    return body


def test_hours_over_24_is_a_422_naming_the_line(world: Any, vol: Any) -> None:
    response = post(staff(world), f"{P}/teams/{vol.team.pk}/services", service_body(vol, "25"))
    assert response.status_code == 422
    assert "hours.0.hours" in response.content.decode()
    assert not Service.objects.exists()


def test_zero_hours_is_a_422(world: Any, vol: Any) -> None:
    response = post(staff(world), f"{P}/teams/{vol.team.pk}/services", service_body(vol, "0"))
    assert response.status_code == 422
    assert not Hours.objects.exists()


def test_a_member_of_another_team_is_a_422(world: Any, vol: Any) -> None:
    body = service_body(vol, "2")
    body["hours"] = [{"member_id": 10_000_000, "hours": "2"}]
    response = post(staff(world), f"{P}/teams/{vol.team.pk}/services", body)
    assert response.status_code == 422
    assert "hours.0.member_id" in response.content.decode()


def test_another_unions_activity_is_a_404(world: Any, vol: Any) -> None:
    body = service_body(vol, "2", activity_id=vol.activity_b.id)
    response = post(staff(world), f"{P}/teams/{vol.team.pk}/services", body)
    assert response.status_code == 404
    assert not Service.objects.exists()


def test_hours_recorded_through_the_api(world: Any, vol: Any) -> None:
    response = post(staff(world), f"{P}/teams/{vol.team.pk}/services", service_body(vol, "3.5"))
    assert response.status_code == 201, response.content
    assert response.json()["hours"][0]["hours"] == "3.5"
    team = staff(world).get(f"{P}/teams/{vol.team.pk}").json()
    assert team["figures"]["hours"] == "3.5"
    assert team["figures"]["people_served"] == 10


def test_a_worker_of_another_subtree_is_a_404(world: Any, vol: Any) -> None:
    body = {"worker_id": world.worker_b.pk, "joined_on": vol.today.isoformat()}
    response = post(staff(world), f"{P}/teams/{vol.team.pk}/members", body)
    assert response.status_code == 404
    assert not Member.objects.filter(worker=world.worker_b).exists()


def test_a_worker_twice_is_a_422_naming_the_worker(world: Any, vol: Any) -> None:
    body = {"worker_id": world.worker_a.pk, "joined_on": vol.today.isoformat()}
    response = post(staff(world), f"{P}/teams/{vol.team.pk}/members", body)
    assert response.status_code == 422
    assert "worker" in response.content.decode()


def test_a_bad_mobile_is_a_422_naming_mobile_and_the_answer_is_masked(world: Any, vol: Any) -> None:
    url = f"{P}/teams/{vol.team.pk}/members"
    body = {"name": "周", "mobile": "123", "joined_on": vol.today.isoformat()}
    response = post(staff(world), url, body)
    assert response.status_code == 422
    assert "mobile" in response.content.decode()
    body["mobile"] = "13801100399"
    created = post(staff(world), url, body)
    assert created.status_code == 201
    assert created.json()["mobile_masked"] == "138****0399"
    assert "13801100399" not in created.content.decode()


def test_the_enterprise_union_and_other_staff_cannot_write(world: Any, vol: Any) -> None:
    for who in ("enterprise_a", "staff_b"):
        client = BrowserClient()
        client.force_login(world.users[who])
        response = post(
            client,
            f"{P}/teams/{vol.team.pk}/honours",
            {"title": "x", "awarded_on": vol.today.isoformat()},
        )
        assert response.status_code == 404
    assert not vol.team.honours.exists()
