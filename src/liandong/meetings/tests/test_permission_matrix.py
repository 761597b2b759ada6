"""Permission matrix of the meetings app: one row per page route and API operation of this app
(the completeness test in core/tests/test_permission_matrix.py collects these tables), each run
for every principal, pages and API with session and bearer. The objects lie in union A's
subtree: a mechanism convened by A with the authority (the liaison's body) and enterprise A as
members. Outcomes are explained in core/tests/matrix.py; 302 is a POST answered with a redirect
back to the page (done, or refused with a message)."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from liandong.core.models import AuditLog
from liandong.core.tests.client import BrowserClient
from liandong.core.tests.matrix import (
    over_operations,
    over_pages,
    run_api_row,
    run_page_post_row,
    run_page_row,
)
from liandong.meetings.models import ActionItem, Mechanism, Meeting
from liandong.meetings.tests.conftest import back_entered_item

pytestmark = pytest.mark.usefixtures("no_pii_in_logs")

MANAGE_GET = "login 404   200   200   404    403     403   404   200"
VIEW_GET = "login 404   200   200   404    200     200   404   200"
MANAGE_POST = "login 404   302   302   404    403     403   404   302"
LIST_GET = "login 403   200   200   200    200     200   403   200"

PAGE_TABLE: dict[str, tuple[str, str]] = {
    # route (Django pattern)                                 method  anon  worker admin staff staffB liaison ent judge prov
    "meetings/": ("GET", LIST_GET),
    "meetings/new/": ("GET", "login 403   200   200   200    403     403   403   200"),
    "meetings/<int:pk>/": ("GET", VIEW_GET),
    "meetings/<int:pk>/edit/": ("GET", MANAGE_GET),
    "meetings/<int:pk>/members/": ("GET", VIEW_GET),
    "meetings/<int:pk>/members/<int:member_id>/remove/": ("POST", MANAGE_POST),
    "meetings/<int:pk>/plan/<int:year>/": ("GET", VIEW_GET),
    "meetings/<int:pk>/plan/<int:year>/approve/": ("POST", MANAGE_POST),
    "meetings/<int:pk>/review/<int:year>/": ("GET", VIEW_GET),
    "meetings/<int:pk>/summary/<int:year>/": ("GET", VIEW_GET),
    "meetings/<int:pk>/summary/<int:year>/summary.docx": ("GET", VIEW_GET),
    "meetings/<int:pk>/summary/<int:year>/summary.pdf": ("GET", VIEW_GET),
    "meetings/<int:pk>/meetings/new/": ("GET", MANAGE_GET),
    "meetings/targets/<int:pk>/record/": ("POST", MANAGE_POST),
    "meetings/meetings/<int:pk>/": ("GET", VIEW_GET),
    "meetings/meetings/<int:pk>/edit/": ("GET", MANAGE_GET),
    "meetings/meetings/<int:pk>/notify/": ("POST", MANAGE_POST),
    "meetings/meetings/<int:pk>/invite.ics": ("GET", VIEW_GET),
    "meetings/meetings/<int:pk>/agenda/": ("POST", MANAGE_POST),
    "meetings/meetings/<int:pk>/attendance/": ("POST", MANAGE_POST),
    "meetings/meetings/<int:pk>/hold/": ("POST", MANAGE_POST),
    "meetings/meetings/<int:pk>/minutes/": ("GET", MANAGE_GET),
    "meetings/meetings/<int:pk>/publish/": ("POST", MANAGE_POST),
    "meetings/meetings/<int:pk>/cancel/": ("POST", MANAGE_POST),
    # An empty resolution form comes back with its errors (200) for those who may record one.
    "meetings/meetings/<int:pk>/resolutions/": (
        "POST",
        "login 404 200 200  404    403     403   404   200",
    ),
    "meetings/meetings/<int:pk>/minutes.docx": ("GET", VIEW_GET),
    "meetings/items/": ("GET", LIST_GET),
    "meetings/items/<int:pk>/": ("GET", VIEW_GET),
    "meetings/items/<int:pk>/cancel/": ("POST", MANAGE_POST),
    "meetings/attachments/<int:pk>/": ("GET", VIEW_GET),
    # -- 补录 (records from before the platform) --------------------------------------------
    "meetings/<int:pk>/meetings/back-entry/": ("GET", MANAGE_GET),
}

MANAGE_DONE = "login 404   done  done  404    403     403   404   done"
PAGE_POST_TABLE: dict[str, str] = {
    # the POST of a page whose GET row is in PAGE_TABLE        anon  worker admin staff staffB liaison ent  judge prov
    # Staff of B may set up mechanisms, but not convened by union A: the form says so (200).
    "meetings/new/": "login 403   done  done  kept    403     403   403   done",
    "meetings/<int:pk>/edit/": MANAGE_DONE,
    # Seats enterprise A in a fresh mechanism of union A that it is not (yet) a member of.
    "meetings/<int:pk>/members/": "login 404   done  done  404    403     404   404   done",
    "meetings/<int:pk>/plan/<int:year>/": MANAGE_DONE,
    "meetings/<int:pk>/meetings/new/": MANAGE_DONE,
    "meetings/meetings/<int:pk>/edit/": MANAGE_DONE,
    "meetings/meetings/<int:pk>/minutes/": MANAGE_DONE,
    # The lead body (the liaison's authority) reports; enterprise A is a member but does not lead.
    "meetings/items/<int:pk>/": "login 404   done  done  404    done    403   404   done",
    # 补录 (records from before the platform): a meeting already held, by its managers.
    "meetings/<int:pk>/meetings/back-entry/": MANAGE_DONE,
}

API_VIEW = "401 404  200   200   404    200     200  404   200"
API_MANAGE = "401 404  200   200   404    403     403  404   200"
API_LIST = "401 403  200   200   200    200     200  403   200"
P = "/api/v1/meetings"
API_TABLE: dict[tuple[str, str], str] = {
    # (method, OpenAPI path)                                     anon worker admin staff staffB liaison ent judge prov
    ("GET", f"{P}/mechanisms"): API_LIST,
    # Staff of B may create mechanisms, but not convened by union A (422 names the field).
    ("POST", f"{P}/mechanisms"): "401 403  200   200   422    403     403  403   200",
    ("GET", f"{P}/mechanisms/{{mechanism_id}}"): API_VIEW,
    ("GET", f"{P}/mechanisms/{{mechanism_id}}/summary/{{year}}"): API_VIEW,
    ("GET", f"{P}/mechanisms/{{mechanism_id}}/meetings"): API_VIEW,
    ("POST", f"{P}/mechanisms/{{mechanism_id}}/meetings"): API_MANAGE,
    ("GET", f"{P}/meetings/{{meeting_id}}"): API_VIEW,
    ("POST", f"{P}/meetings/{{meeting_id}}/transition"): API_MANAGE,
    ("POST", f"{P}/meetings/{{meeting_id}}/agenda"): API_MANAGE,
    ("POST", f"{P}/meetings/{{meeting_id}}/resolutions"): API_MANAGE,
    ("GET", f"{P}/action-items"): API_LIST,
    ("GET", f"{P}/action-items/{{item_id}}"): API_VIEW,
    # The lead body (the liaison's authority) reports; enterprise A is a member but does not lead.
    (
        "POST",
        f"{P}/action-items/{{item_id}}/progress",
    ): "401 404  200   200   404    200     403  404   200",
    # -- 补录 (records from before the platform) --------------------------------------------
    ("POST", f"{P}/mechanisms/{{mechanism_id}}/back-entries"): API_MANAGE,
    ("POST", f"{P}/action-items/{{item_id}}/back-progress"): API_MANAGE,
}


def page_request(route: str, mw: Any) -> tuple[str, dict[str, Any]]:
    """The URL of a route for the fixture objects, and the data a POST sends."""
    year = timezone.localdate().year
    convener_seat = mw.mechanism.members.get(organization_id=mw.mechanism.convening_union_id)
    urls = {
        "meetings/<int:pk>/members/<int:member_id>/remove/": (mw.mechanism.pk, convener_seat.pk),
        "meetings/<int:pk>/plan/<int:year>/": (mw.mechanism.pk, year),
        "meetings/<int:pk>/plan/<int:year>/approve/": (mw.mechanism.pk, year),
        "meetings/<int:pk>/review/<int:year>/": (mw.mechanism.pk, year),
        "meetings/<int:pk>/summary/<int:year>/": (mw.mechanism.pk, year),
        "meetings/<int:pk>/summary/<int:year>/summary.docx": (mw.mechanism.pk, year),
        "meetings/<int:pk>/summary/<int:year>/summary.pdf": (mw.mechanism.pk, year),
        "meetings/targets/<int:pk>/record/": (mw.target.pk,),
        "meetings/meetings/<int:pk>/attendance/": (mw.held.pk,),
        "meetings/meetings/<int:pk>/minutes/": (mw.held.pk,),
        "meetings/meetings/<int:pk>/publish/": (mw.held.pk,),
        "meetings/meetings/<int:pk>/resolutions/": (mw.held.pk,),
        "meetings/meetings/<int:pk>/minutes.docx": (mw.published.pk,),
        "meetings/items/<int:pk>/": (mw.item.pk,),
        "meetings/items/<int:pk>/cancel/": (mw.item.pk,),
        "meetings/attachments/<int:pk>/": (mw.attachment.pk,),
    }
    if route in urls:
        values = urls[route]
    elif route.startswith("meetings/meetings/"):
        values = (mw.future.pk,)
    else:
        values = (mw.mechanism.pk,)
    url = "/" + route
    for value in values[: url.count("<")]:
        url = url.replace(url[url.index("<") : url.index(">") + 1], str(value), 1)
    data = {
        "meetings/targets/<int:pk>/record/": {"achieved_value": "12"},
        "meetings/meetings/<int:pk>/agenda/": {"title": "矩阵议题"},
        "meetings/meetings/<int:pk>/attendance/": {
            "present": [str(mw.mechanism.convening_union_id)]
        },
        "meetings/meetings/<int:pk>/cancel/": {"cancel_reason": "场地冲突"},
    }.get(route, {})
    return url, data


def api_request(
    operation: tuple[str, str], mw: Any, world: Any
) -> tuple[str, dict[str, Any] | None]:
    method, path = operation
    meeting = mw.held if path.endswith("/resolutions") else mw.future
    item = back_entered_item(world, mw.mechanism) if path.endswith("/back-progress") else mw.item
    url = (
        path.replace("{mechanism_id}", str(mw.mechanism.pk))
        .replace("{meeting_id}", str(meeting.pk))
        .replace("{item_id}", str(item.pk))
        .replace("{year}", str(timezone.localdate().year))
    )
    deadline = (timezone.localdate() + timedelta(days=20)).isoformat()
    bodies: dict[str, dict[str, Any]] = {
        f"{P}/mechanisms": {
            "name": "矩阵新机制",
            "industry": "快递",
            "convening_union_id": world.union_a.pk,
            "collaboration_mode": "authority",
            "member_ids": [world.authority.pk],
        },
        f"{P}/mechanisms/{{mechanism_id}}/meetings": {
            "title": "矩阵会议",
            "starts_at": (timezone.now() + timedelta(days=5)).isoformat(),
            "location": "会议室",
            "host_body_id": world.union_a.pk,
        },
        f"{P}/meetings/{{meeting_id}}/transition": {"action": "notify"},
        f"{P}/meetings/{{meeting_id}}/agenda": {"title": "矩阵议题"},
        f"{P}/meetings/{{meeting_id}}/resolutions": {
            "resolution": "矩阵议定事项",
            "lead_body_id": world.authority.pk,
            "deadline": deadline,
        },
        f"{P}/action-items/{{item_id}}/progress": {"percent": 30, "text": "推进中"},
        # 补录
        f"{P}/mechanisms/{{mechanism_id}}/back-entries": {
            "title": "矩阵补录会议",
            "held_on": (timezone.localdate() - timedelta(days=60)).isoformat(),
            "location": "会议室",
            "host_body_id": world.union_a.pk,
            "present_body_ids": [world.authority.pk],
            "minutes": "补录纪要",
        },
        f"{P}/action-items/{{item_id}}/back-progress": {
            "reported_on": timezone.localdate().isoformat(),
            "percent": 30,
            "text": "补录进展",
        },
    }
    return url, (bodies[path] if method == "POST" else None)


@over_pages(PAGE_TABLE)
def test_page(route: str, world: Any, mw: Any) -> None:
    url, data = page_request(route, mw)
    run_page_row(PAGE_TABLE, route, world, lambda case: case.send(url, data))


def page_post(route: str, mw: Any, world: Any) -> dict[str, Any]:
    """What the POST row of ``route`` sends: the URL (of a fresh mechanism for each principal
    where the write would change what the next one finds) and the values typed in."""
    from liandong.meetings import services

    year = timezone.localdate().year
    starts = (timezone.localtime() + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")
    percents = iter(range(30, 100, 5))

    def fresh(principal: str) -> Mechanism:
        return services.mechanism_create(
            actor=None,
            name=f"矩阵机制{principal}",
            industry="快递",
            convening_union=world.union_a,
            collaboration_mode="authority",
            members=[world.authority],
        )

    m = mw.mechanism.pk
    rows: dict[str, dict[str, Any]] = {
        "meetings/new/": {
            "url": "/meetings/new/",
            "values": lambda principal: {
                "name": f"矩阵新机制{principal}",
                "industry": "快递",
                "convening_union": str(world.union_a.pk),
                "collaboration_mode": "authority",
            },
        },
        "meetings/<int:pk>/edit/": {
            "url": f"/meetings/{m}/edit/",
            "values": {"name": "甲快递行业联席会议（新）"},
        },
        "meetings/<int:pk>/members/": {
            "url": lambda principal: f"/meetings/{fresh(principal).pk}/members/",
            "values": {"organization": str(world.enterprise_a.pk), "liaison_name": "张联络"},
        },
        "meetings/<int:pk>/plan/<int:year>/": {
            "url": f"/meetings/{m}/plan/{year}/",
            "values": {
                "form": "target",
                "title": "技能培训",
                "lead_body": str(world.authority.pk),
                "target_value": "20",
            },
        },
        "meetings/<int:pk>/meetings/new/": {
            "url": f"/meetings/{m}/meetings/new/",
            "values": {"title": "矩阵会议", "starts_at": starts, "location": "会议室"},
        },
        "meetings/meetings/<int:pk>/edit/": {
            "url": f"/meetings/meetings/{mw.future.pk}/edit/",
            "values": {"location": "第二会议室"},
        },
        "meetings/meetings/<int:pk>/minutes/": {
            "url": f"/meetings/meetings/{mw.held.pk}/minutes/",
            "values": {"minutes": "矩阵纪要：研究了技能培训。"},
        },
        "meetings/items/<int:pk>/": {
            "url": f"/meetings/items/{mw.item.pk}/",
            "values": lambda principal: {"percent": str(next(percents)), "text": "推进中"},
        },
        "meetings/<int:pk>/meetings/back-entry/": {
            "url": page_request(route, mw)[0],
            "values": {
                "title": "矩阵补录会议",
                "held_on": (timezone.localdate() - timedelta(days=60)).isoformat(),
                "location": "会议室",
            },
        },
    }
    return rows[route]


@pytest.mark.parametrize("route", list(PAGE_POST_TABLE))
def test_page_post(route: str, world: Any, mw: Any) -> None:
    """The write a page's form sends, with its real fields and each principal's CSRF token;
    a refused one changes no row of the database."""
    row = page_post(route, mw, world)
    run_page_post_row(PAGE_POST_TABLE, route, world, row.pop("url"), **row)


@over_operations(API_TABLE)
def test_api(
    operation: tuple[str, str],
    auth: str,
    world: Any,
    mw: Any,
    api_token: Callable[..., dict[str, str]],
) -> None:
    url, body = api_request(operation, mw, world)
    run_api_row(API_TABLE, operation, auth, world, api_token, lambda case: case.send(url, body))


# -- cross-tenant: union B's staff ask for union A's records ------------------------------------


def test_other_union_gets_404_like_a_record_that_does_not_exist(
    world: Any, mw: Any, api_token: Callable[..., dict[str, str]]
) -> None:
    staff_b = world.users["staff_b"]
    page = BrowserClient()
    page.force_login(staff_b)
    bearer = api_token(staff_b)
    missing = 10_000_000
    for pattern in [
        "/meetings/{}/",
        "/meetings/meetings/{}/",
        "/meetings/items/{}/",
        "/meetings/attachments/{}/",
        "/meetings/meetings/{}/invite.ics",
    ]:
        ids = {
            "/meetings/{}/": mw.mechanism.pk,
            "/meetings/meetings/{}/": mw.published.pk,
            "/meetings/items/{}/": mw.item.pk,
            "/meetings/attachments/{}/": mw.attachment.pk,
            "/meetings/meetings/{}/invite.ics": mw.future.pk,
        }
        theirs, nothing = page.get(pattern.format(ids[pattern])), page.get(pattern.format(missing))
        assert theirs.status_code == nothing.status_code == 404, pattern
    for pattern, pk in [
        (f"{P}/mechanisms/{{}}", mw.mechanism.pk),
        (f"{P}/meetings/{{}}", mw.held.pk),
        (f"{P}/action-items/{{}}", mw.item.pk),
    ]:
        a, b = (
            BrowserClient().get(pattern.format(pk), **bearer),
            BrowserClient().get(pattern.format(missing), **bearer),
        )
        assert (a.status_code, a.content) == (b.status_code, b.content), pattern
        assert a.status_code == 404


def test_lists_never_carry_the_other_unions_records(
    world: Any, mw: Any, api_token: Callable[..., dict[str, str]]
) -> None:
    from liandong.meetings import services

    theirs = services.mechanism_create(
        actor=None,
        name="乙方机密机制",
        industry="快递",
        convening_union=world.union_b,
        collaboration_mode="custom",
        custom_mode="乙方模式",
    )
    bearer = api_token(world.users["admin_a"])
    names = {m["name"] for m in BrowserClient().get(f"{P}/mechanisms", **bearer).json()["items"]}
    assert names == {mw.mechanism.name}
    page = BrowserClient()
    page.force_login(world.users["admin_a"])
    assert "乙方机密机制" not in page.get("/meetings/").content.decode()
    # And B sees only its own, through both doors.
    b_bearer = api_token(world.users["staff_b"])
    assert [
        m["id"] for m in BrowserClient().get(f"{P}/mechanisms", **b_bearer).json()["items"]
    ] == [theirs.pk]
    assert BrowserClient().get(f"{P}/action-items", **b_bearer).json()["items"] == []
    page.force_login(world.users["staff_b"])
    body = page.get("/meetings/items/").content.decode()
    assert "组织快递员疗休养" not in body


def test_a_liaison_sees_only_the_mechanisms_of_their_body(world: Any, mw: Any) -> None:
    from liandong.meetings import services

    services.mechanism_create(
        actor=None,
        name="无关机制",
        industry="美发美容",
        convening_union=world.union_a,
        collaboration_mode="federation",
        members=[world.enterprise_a],
    )
    client = BrowserClient()
    client.force_login(world.users["liaison"])
    body = client.get("/meetings/").content.decode()
    assert mw.mechanism.name in body
    assert "无关机制" not in body


def test_members_see_published_minutes_but_not_drafts(world: Any, mw: Any) -> None:
    client = BrowserClient()
    client.force_login(world.users["liaison"])
    assert "会议纪要草稿" not in client.get(f"/meetings/meetings/{mw.held.pk}/").content.decode()
    assert client.get(f"/meetings/meetings/{mw.held.pk}/minutes.docx").status_code == 404
    assert (
        "已发布的纪要正文" in client.get(f"/meetings/meetings/{mw.published.pk}/").content.decode()
    )
    assert client.get(f"{P}/meetings/{mw.held.pk}").json()["minutes"] is None
    client.force_login(world.users["staff_a"])
    assert "会议纪要草稿" in client.get(f"/meetings/meetings/{mw.held.pk}/").content.decode()


def test_denied_writes_change_nothing(world: Any, mw: Any) -> None:
    attempts = [
        (
            "staff_b",
            f"/meetings/meetings/{mw.future.pk}/cancel/",
            {"cancel_reason": "乙方取消"},
            404,
        ),
        (
            "liaison",
            f"/meetings/meetings/{mw.future.pk}/cancel/",
            {"cancel_reason": "联络员取消"},
            403,
        ),
        (
            "enterprise_a",
            f"/meetings/items/{mw.item.pk}/",
            {"percent": "90", "text": "越权报送"},
            403,
        ),
        ("staff_b", f"/meetings/items/{mw.item.pk}/", {"percent": "90", "text": "越权报送"}, 404),
        (
            "liaison",
            f"/meetings/{mw.mechanism.pk}/edit/",
            {
                "name": "改名",
                "industry": "快递",
                "collaboration_mode": "authority",
                "status": "active",
            },
            403,
        ),
    ]

    def state() -> tuple:
        return (
            list(Meeting.objects.values_list("pk", "status").order_by("pk")),
            list(ActionItem.objects.values_list("pk", "progress", "status").order_by("pk")),
            list(Mechanism.objects.values_list("pk", "name").order_by("pk")),
            AuditLog.objects.count(),
        )

    before = state()
    for who, url, data, status in attempts:
        client = BrowserClient()
        client.force_login(world.users[who])
        assert client.post(url, data).status_code == status, (who, url)
    assert state() == before
