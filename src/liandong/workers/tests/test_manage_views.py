"""Registering and editing one worker through the pages."""

import pytest

from liandong.core.models import AuditLog
from liandong.core.tests.client import BrowserClient
from liandong.workers.models import Worker

VALID = {
    "name": "赵晓东",
    "id_number": "330324197001011234",
    "mobile": "13919310099",
    "occupation": "外卖骑手",
    "joined_union_on": "2025-05-01",
}


def test_staff_registers_a_worker_and_counts_follow(world, login) -> None:
    client = login(world.users["staff_a"])
    response = client.post("/workers/new/", {**VALID, "employer": world.outlet_a.pk})
    worker = Worker.objects.get(name="赵晓东")
    assert response.status_code == 302
    assert response["Location"] == f"/workers/{worker.pk}/"
    assert worker.worker_type == "rider"
    assert worker.mobile_masked == "139****0099"
    world.outlet_a.refresh_from_db()
    assert (world.outlet_a.worker_count, world.outlet_a.member_count) == (2, 1)
    assert AuditLog.objects.filter(action="workers.created", target_id=str(worker.pk)).count() == 1


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"id_number": "330324197001011230"}, "id_number", "校验位错误"),
        ({"id_number": "620102198403152712"}, "id_number", "已登记"),
        ({"mobile": "09318123456"}, "mobile", "固定电话"),
        ({"mobile": "13919310001"}, "mobile", "已被其他职工登记"),
        ({"name": "=HYPERLINK(1)"}, "name", "不能以"),
        ({"joined_union_on": "2999-01-01"}, "joined_union_on", "不能晚于今天"),
    ],
)
def test_bad_input_is_explained_and_changes_nothing(world, login, fields, field, message) -> None:
    client = login(world.users["staff_a"])
    before = (Worker.objects.count(), AuditLog.objects.count())
    response = client.post("/workers/new/", {**VALID, "employer": world.outlet_a.pk, **fields})
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert (Worker.objects.count(), AuditLog.objects.count()) == before


def test_employer_outside_scope_is_not_a_choice(world, login) -> None:
    client = login(world.users["staff_a"])
    response = client.post("/workers/new/", {**VALID, "employer": world.outlet_b.pk})
    assert response.status_code == 200
    assert "employer" in response.context["form"].errors
    assert not Worker.objects.filter(name="赵晓东").exists()


def test_staff_moves_a_worker_and_changes_mobile(world, login) -> None:
    client = login(world.users["staff_a"])
    new_outlet = world.enterprise_a
    response = client.post(
        f"/workers/{world.worker_a.pk}/edit/",
        {
            "name": "王甲",
            "mobile": "13919310077",
            "employer": new_outlet.pk,
            "occupation": "快递员",
            "joined_union_on": "",
        },
    )
    assert response.status_code == 302
    world.worker_a.refresh_from_db()
    assert world.worker_a.employer_id == new_outlet.pk
    assert world.worker_a.mobile_tail == "0077"
    world.outlet_a.refresh_from_db()
    new_outlet.refresh_from_db()
    assert world.outlet_a.worker_count == 0
    assert new_outlet.worker_count == 1
    entry = AuditLog.objects.get(action="workers.updated", target_id=str(world.worker_a.pk))
    assert entry.changes["mobile_masked"] == ["139****0001", "139****0077"]
    assert "13919310077" not in str(entry.changes)


def test_other_union_and_liaison_cannot_edit(world, login) -> None:
    for user, expected in [("staff_b", 404), ("liaison", 404)]:
        client = login(world.users[user])
        response = client.post(
            f"/workers/{world.worker_a.pk}/edit/", {"name": "篡改", "employer": world.outlet_a.pk}
        )
        assert response.status_code == expected
    world.worker_a.refresh_from_db()
    assert world.worker_a.name == "王甲"


def test_export_from_the_page_and_api_records_the_filters_masked(world, login, api_token) -> None:
    client = login(world.users["staff_a"])
    # A full number is searched by POST; the export link carries the search's token.
    search = client.post("/workers/", {"q": "13919310001", "member": "no"})["Location"]
    response = client.get(search.replace("/workers/", "/workers/export.xlsx", 1))
    assert response.status_code == 200
    b"".join(response.streaming_content)
    page_entry = AuditLog.objects.filter(action="workers.exported").latest("id")
    assert page_entry.changes["rows"] == 1
    assert "139****0001" in str(page_entry.changes["filters"])
    assert "13919310001" not in str(page_entry.changes)

    headers = api_token(world.users["staff_a"])
    response = client.get("/api/v1/workers/export", {"city": "兰州"}, **headers)
    assert response.status_code == 200
    b"".join(response.streaming_content)
    api_entry = AuditLog.objects.filter(action="workers.exported").latest("id")
    assert api_entry.pk != page_entry.pk
    assert "兰州" in str(api_entry.changes["filters"])


def test_searching_a_full_mobile_keeps_it_out_of_every_url(world, login) -> None:
    client = login(world.users["staff_a"])
    response = client.post("/workers/", {"q": "139 1931 0001", "member": ""})
    assert response.status_code == 302
    location = response["Location"]
    assert "1931" not in location
    assert "qs=" in location
    page = client.get(location)
    assert [w["id"] for w in page.context["page"].items] == [world.worker_a.pk]
    assert "13919310001" not in page.context["query"]
    # The export link carries the token, not the number, and exports the same one worker.
    export = client.get(f"/workers/export.xlsx?{page.context['query']}")
    b"".join(export.streaming_content)
    assert AuditLog.objects.filter(action="workers.exported").latest("id").changes["rows"] == 1


def test_a_search_token_means_nothing_in_another_session(world, login) -> None:
    staff = login(world.users["staff_a"])
    location = staff.post("/workers/", {"q": "13919310001"})["Location"]

    other = BrowserClient()
    other.force_login(world.users["admin_a"])
    page = other.get(location)
    assert page.status_code == 200
    assert not page.context["form"].data.get("q")  # the token restores nothing here


def test_api_search_takes_the_number_in_the_body(world, client, api_token) -> None:
    headers = api_token(world.users["staff_a"])
    response = client.post(
        "/api/v1/workers/search", {"q": "13919310001"}, content_type="application/json", **headers
    )
    assert response.status_code == 200
    assert [item["id"] for item in response.json()["items"]] == [world.worker_a.pk]
    assert response.json()["items"][0]["mobile_masked"] == "139****0001"


def test_every_mistake_is_shown_at_once(world, login) -> None:
    client = login(world.users["staff_a"])
    response = client.post(
        "/workers/new/",
        {"name": "测试", "id_number": "110105194912310021", "mobile": "09318123456"},
    )
    errors = response.context["form"].errors
    assert "校验位错误" in errors["id_number"][0]
    assert "固定电话" in errors["mobile"][0]
    assert "employer" in errors


def test_import_form_starts_at_ones_own_unit(world, login) -> None:
    response = login(world.users["staff_a"]).get("/workers/imports/")
    assert response.context["form"]["organization"].value() == world.union_a.pk
