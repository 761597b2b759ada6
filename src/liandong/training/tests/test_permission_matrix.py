"""Permission matrix of the training app: one row per page route and API operation, run for
every principal, by session and by bearer token. The records asked for lie in union A's subtree
(a session of union A for enterprise A's congress, union A's lecturer and handbook). Then the
cross-tenant cases."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from liandong.core.tests.client import BrowserClient
from liandong.core.tests.matrix import (
    PRINCIPALS,
    outcomes,
    over_operations,
    over_pages,
    run_api_row,
    run_page_post_row,
    run_page_row,
)
from liandong.democracy.tests.factories import CongressSetup, congress_setup
from liandong.training.models import Attendance, Document, Lecturer, Session
from liandong.training.tests.factories import (
    congress_key,
    days_from_now,
    make_document,
    make_lecturer,
    make_session,
    pdf_upload,
)

PAGE_TABLE: dict[str, tuple[str, str]] = {
    # route (Django pattern)                 method  anon  worker admin staff staffB liaison ent  judge prov
    "training/": ("GET", "login 403   200   200   200    403     200   403   200"),
    "training/sessions/<int:pk>/": (
        "GET",
        "login 403   200   200   404    403     404   403   200",
    ),
    "training/lecturers/": ("GET", "login 403   200   200   200    403     200   403   200"),
    "training/lecturers/<int:pk>/": (
        "GET",
        "login 403   200   200   404    403     404   403   200",
    ),
    # The full mobile number: union admins of the lecturer's subtree only, audited.
    "training/lecturers/<int:pk>/reveal/": (
        "POST",
        "login 403   200   403   404    403     404   403   200",
    ),
    "training/library/": ("GET", "login 403   200   200   200    403     200   403   200"),
    "training/library/<int:pk>/": ("GET", "login 403   200   200   404    403     404   403   200"),
    "training/library/<int:pk>/download/": (
        "GET",
        "login 403   200   200   404    403     404   403   200",
    ),
}
PAGE_POST_TABLE: dict[str, str] = {
    # the POST of a page whose GET row is in PAGE_TABLE   anon  worker admin staff staffB liaison ent  judge prov
    # Union B's staff and enterprise A's union may not choose union A: the form says so.
    "training/": "login 403   done  done  kept   403     kept  403   done",
    "training/sessions/<int:pk>/": "login 403   done  done  404    403     404   403   done",
    "training/lecturers/": "login 403   done  done  kept   403     403   403   done",
    "training/library/": "login 403   done  done  kept   403     403   403   done",
    "training/library/<int:pk>/": "login 403   done  done  404    403     404   403   done",
}
P = "/api/v1/training"
API_TABLE: dict[tuple[str, str], str] = {
    # (method, OpenAPI path)                       anon worker admin staff staffB liaison ent judge prov
    ("GET", f"{P}/lecturers"): "401 403  200   200   200    403     200  403   200",
    ("POST", f"{P}/lecturers"): "401 403  200   200   422    403     403  403   200",
    ("GET", f"{P}/sessions"): "401 403  200   200   200    403     200  403   200",
    ("POST", f"{P}/sessions"): "401 403  200   200   422    403     422  403   200",
    ("GET", f"{P}/sessions/{{session_id}}"): "401 403  200   200   404    403     404  403   200",
    (
        "POST",
        f"{P}/sessions/{{session_id}}/attendance",
    ): "401 403  200   200   404    403     404  403   200",
    ("GET", f"{P}/documents"): "401 403  200   200   200    403     200  403   200",
    ("GET", f"{P}/documents/{{document_id}}"): "401 403  200   200   404    403     404  403   200",
    # Union B's staff may keep a library, but not union A's (422 names the organization).
    ("POST", f"{P}/documents"): "401 403  200   200   422    403     403  403   200",
    (
        "POST",
        f"{P}/documents/{{document_id}}/versions",
    ): "401 403  200   200   404    403     404  403   200",
    ("GET", f"{P}/figures"): "401 403  200   200   200    403     200  403   200",
}
# The lecturer's mobile number is taken in (sealed at once), never answered in full.
UNMASKED_SCHEMAS = {"TrainingLecturerIn"}

pytestmark = pytest.mark.usefixtures("no_pii_in_logs")


@dataclass
class Objects:
    setup: CongressSetup
    session: Session
    lecturer: Lecturer
    document: Document


@pytest.fixture
def objects(world: Any) -> Objects:
    setup = congress_setup(world, delegates=3)
    admin = world.users["admin_a"]
    lecturer = make_lecturer(admin, world.union_a)
    session = make_session(
        admin, world.union_a, congress_key=congress_key(setup.congress), lecturers=[lecturer]
    )
    return Objects(setup, session, lecturer, make_document(admin, world.union_a))


def page_url(route: str, o: Objects) -> str:
    ids = {
        "training/sessions/<int:pk>/": o.session.pk,
        "training/lecturers/<int:pk>/": o.lecturer.pk,
        "training/lecturers/<int:pk>/reveal/": o.lecturer.pk,
        "training/library/<int:pk>/": o.document.pk,
        "training/library/<int:pk>/download/": o.document.pk,
    }
    return "/" + route.replace("<int:pk>", str(ids.get(route, "")))


@over_pages(PAGE_TABLE)
def test_page(route: str, world: Any, objects: Objects) -> None:
    url = page_url(route, objects)
    checks: dict[str, Any] = {}
    if route.endswith("/reveal/"):  # the full number, audited once when shown
        checks = {
            "audited": "training.lecturer_mobile_viewed",
            "may_show_pii": lambda e: e == "200",
        }
    run_page_row(PAGE_TABLE, route, world, lambda case: case.send(url), **checks)


def page_post(route: str, o: Objects, world: Any) -> dict[str, Any]:
    invited = [d.worker_id for d in o.setup.delegates]
    rows: dict[str, dict[str, Any]] = {
        "training/": {
            "values": {
                "action": "session",
                "organization": str(world.union_a.pk),
                "topic": "职代会制度培训",
                "starts_at": days_from_now(-1).strftime("%Y-%m-%dT%H:%M"),
                "place": "职工服务中心",
            }
        },
        "training/sessions/<int:pk>/": {
            "values": {"action": "attendance"},
            "ticked": lambda: {"workers": [str(w) for w in invited], "attended": "1"},
        },
        "training/lecturers/": {
            "values": {
                "action": "lecturer",
                "organization": str(world.union_a.pk),
                "name": "孙晓梅",
                "affiliation": "法律工作部",
                "topics": "集体协商",
            }
        },
        "training/library/": {
            "values": {
                "action": "document",
                "organization": str(world.union_a.pk),
                "kind": "toolkit",
                "category": "职代会",
                "title": "民主管理工具包",
            },
            "ticked": lambda: {"file": pdf_upload("工具包.pdf")},
        },
        "training/library/<int:pk>/": {
            "values": {"action": "version", "note": "修订"},
            "ticked": lambda: {"file": pdf_upload("新版.pdf", "v2")},
        },
    }
    return rows[route]


@pytest.mark.parametrize("route", list(PAGE_POST_TABLE))
def test_page_post(route: str, world: Any, objects: Objects) -> None:
    """The write a page's form sends, with its real fields and each principal's CSRF token;
    a refused one changes no row of the database."""
    row = page_post(route, objects, world)
    run_page_post_row(PAGE_POST_TABLE, route, world, page_url(route, objects), **row)


def api_request(
    operation: tuple[str, str], client: Client, headers: dict[str, str], o: Objects, world: Any
) -> Any:
    method, path = operation
    url = path.replace("{session_id}", str(o.session.pk)).replace(
        "{document_id}", str(o.document.pk)
    )
    body: dict[str, Any] = {}
    if path.endswith("/lecturers"):
        body = {
            "organization": world.union_a.pk,
            "name": "孙晓梅",
            "affiliation": "法律工作部",
            "topics": "集体协商",
        }
    elif path.endswith("/sessions"):
        body = {
            "organization": world.union_a.pk,
            "topic": "职代会制度培训",
            "starts_at": days_from_now(-1).isoformat(),
            "place": "职工服务中心",
            "lecturers": [o.lecturer.pk],
            "congress": congress_key(o.setup.congress),
        }
    elif path.endswith("/attendance"):
        body = {"workers": [d.worker_id for d in o.setup.delegates]}
    if path.endswith("/documents") and method == "POST":  # multipart, with the file
        form = {"organization": world.union_a.pk, "kind": "handbook", "category": "厂务公开"}
        form |= {"title": "接口手册", "file": pdf_upload()}
        return client.post(url, form, **headers)
    if path.endswith("/versions"):
        return client.post(url, {"file": pdf_upload(text="v2"), "note": "接口修订"}, **headers)
    if method == "POST":
        return client.post(url, body, content_type="application/json", **headers)
    return client.get(url, **headers)


@over_operations(API_TABLE)
def test_api(
    operation: tuple[str, str],
    auth: str,
    world: Any,
    objects: Objects,
    api_token: Callable[..., dict[str, str]],
) -> None:
    run_api_row(
        API_TABLE,
        operation,
        auth,
        world,
        api_token,
        lambda case: api_request(operation, case.client, case.headers, objects, world),
    )


def test_every_principal_is_in_every_row() -> None:
    for _, row in PAGE_TABLE.values():
        assert len(outcomes(row)) == len(PRINCIPALS)
    for row in [*PAGE_POST_TABLE.values(), *API_TABLE.values()]:
        assert len(outcomes(row)) == len(PRINCIPALS)


# --- Cross-tenant: union B's staff ask for union A's records --------------------------------------


def test_other_union_gets_404_like_a_record_that_does_not_exist(
    world: Any, objects: Objects, api_token: Callable[..., dict[str, str]]
) -> None:
    page = BrowserClient()
    page.force_login(world.users["staff_b"])
    missing = 10_000_000
    for route, (method, _) in PAGE_TABLE.items():
        if "<int:pk>" not in route:
            continue
        theirs, nothing = page_url(route, objects), "/" + route.replace("<int:pk>", str(missing))
        send = page.post if method == "POST" else page.get
        assert send(theirs).status_code == send(nothing).status_code == 404, route
    bearer = api_token(world.users["staff_b"])
    for path in [f"{P}/sessions/{{}}", f"{P}/documents/{{}}"]:
        theirs = BrowserClient().get(
            path.format(objects.session.pk if "sessions" in path else objects.document.pk), **bearer
        )
        nothing = BrowserClient().get(path.format(missing), **bearer)
        assert (theirs.status_code, theirs.content) == (nothing.status_code, nothing.content)
    marked = BrowserClient().post(
        f"{P}/sessions/{objects.session.pk}/attendance",
        {"workers": [d.worker_id for d in objects.setup.delegates]},
        content_type="application/json",
        **bearer,
    )
    assert marked.status_code == 404
    assert not Attendance.objects.filter(attended=True).exists()
    objects.document.refresh_from_db()
    assert objects.document.download_count == 0


def test_lists_never_carry_the_other_unions_rows(
    world: Any, objects: Objects, api_token: Callable[..., dict[str, str]]
) -> None:
    staff_b = world.users["staff_b"]
    make_lecturer(staff_b, world.union_b, name="乙方讲师")
    make_session(staff_b, world.union_b, topic="乙方培训")
    make_document(staff_b, world.union_b, title="乙方手册")
    page = BrowserClient()
    page.force_login(world.users["admin_a"])
    for url in ["/training/", "/training/lecturers/", "/training/library/"]:
        body = page.get(url).content.decode()
        for words in ["乙方讲师", "乙方培训", "乙方手册"]:
            assert words not in body, url
    bearer = api_token(world.users["admin_a"])
    assert "乙方讲师" not in BrowserClient().get(f"{P}/lecturers", **bearer).content.decode()
    assert "乙方培训" not in BrowserClient().get(f"{P}/sessions", **bearer).content.decode()
    assert "乙方手册" not in BrowserClient().get(f"{P}/documents", **bearer).content.decode()


def test_bad_api_input_is_a_422_naming_the_field_and_changes_nothing(
    world: Any, objects: Objects, api_token: Callable[..., dict[str, str]]
) -> None:
    bearer = api_token(world.users["admin_a"])
    before = Session.objects.count()
    cases = [
        ({"place": ""}, "place"),
        ({"congress": "democracy.congress:999999"}, "congress"),
        ({"lecturers": [999999]}, "lecturers"),
        ({"organization": world.union_b.pk}, "organization"),
        ({"starts_at": "明天"}, "starts_at"),
    ]
    for change, field in cases:
        body = {
            "organization": world.union_a.pk,
            "topic": "培训",
            "starts_at": days_from_now(-1).isoformat(),
            "place": "报告厅",
            **change,
        }
        answer = BrowserClient().post(
            f"{P}/sessions", body, content_type="application/json", **bearer
        )
        assert answer.status_code == 422, (field, answer.content)
        assert field in answer.content.decode(), (field, answer.content)
    assert Session.objects.count() == before
    later = make_session(
        world.users["admin_a"],
        world.union_a,
        congress_key=congress_key(objects.setup.congress),
        days=5,
    )
    answer = BrowserClient().post(
        f"{P}/sessions/{later.pk}/attendance",
        {"workers": [objects.setup.delegates[0].worker_id]},
        content_type="application/json",
        **bearer,
    )
    assert answer.status_code == 422
    assert "workers" in answer.content.decode()
    assert "尚未举行" in answer.content.decode()
