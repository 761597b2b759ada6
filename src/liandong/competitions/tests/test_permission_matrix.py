"""Permission matrix of the competitions app: one row per page route and API operation of this app
(the completeness test in core/tests/test_permission_matrix.py collects these tables), run for
every principal of the ``world`` fixture, pages by session and API by session and bearer token.

The objects asked for lie in union A's subtree: contest C of union A, finished and published,
whose chief judge is the world's ``judge`` (no organization) and whose entrants include
worker A (二等奖). Then the cross-tenant cases: union B's staff get 404 for A's records, exactly
like records that do not exist, and lists never carry them.
"""

import io
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import Workbook

from liandong.accounts.models import Role
from liandong.accounts.tests.factories import UserFactory
from liandong.competitions import services
from liandong.competitions.models import ContestStatus, ScoreSheet
from liandong.competitions.tests.factories import Setup, contest_setup
from liandong.competitions.tests.test_services import finish, score_all
from liandong.core.models import AuditLog
from liandong.core.tests.client import BrowserClient
from liandong.core.tests.matrix import (
    XLSX,
    over_operations,
    over_pages,
    run_api_row,
    run_page_post_row,
    run_page_row,
)
from liandong.workers.tests.factories import WorkerFactory

PAGE_TABLE: dict[str, tuple[str, str]] = {
    # route (Django pattern)                              method  anon  worker admin staff staffB liaison ent judge prov
    "competitions/": ("GET", "login 200   200   200   200    403     200   200   200"),
    "competitions/new/": ("GET", "login 403   200   200   200    403     403   403   200"),
    "competitions/<int:pk>/": ("GET", "login 200   200   200   404    404     200   200   200"),
    "competitions/<int:pk>/edit/": (
        "GET",
        "login 403   200   200   404    404     403   403   200",
    ),
    "competitions/<int:pk>/rounds/new/": (
        "GET",
        "login 403   200   200   404    404     403   403   200",
    ),
    "competitions/<int:pk>/prizes/new/": (
        "GET",
        "login 403   200   200   404    404     403   403   200",
    ),
    "competitions/<int:pk>/register/": (
        "GET",
        "login 403   200   200   404    404     200   403   200",
    ),
    "competitions/<int:pk>/teams/new/": (
        "GET",
        "login 403   200   200   404    404     200   403   200",
    ),
    "competitions/<int:pk>/entrants/": (
        "GET",
        "login 403   200   200   404    404     403   403   200",
    ),
    "competitions/<int:pk>/prizes/": (
        "POST",
        "login 403  200   200   404    404     403   403   200",
    ),
    "competitions/<int:pk>/publish/": (
        "POST",
        "login 403  200   200   404    404     403   403   200",
    ),
    "competitions/<int:pk>/export.xlsx": (
        "GET",
        "login 403   200   200   404    404     403   200   200",
    ),
    "competitions/<int:pk>/scoreboard/": (
        "GET",
        "200   200   200   200   200    200     200   200   200",
    ),
    "competitions/<int:pk>/results/": (
        "GET",
        "200   200   200   200   200    200     200   200   200",
    ),
    "competitions/rounds/<int:pk>/": (
        "GET",
        "login 403   200   200   404    404     403   200   200",
    ),
    "competitions/rounds/<int:pk>/segments/new/": (
        "GET",
        "login 403   200   200   404    404     403   403   200",
    ),
    "competitions/rounds/<int:pk>/order/": (
        "GET",
        "login 403   200   200   404    404     403   403   200",
    ),
    "competitions/rounds/<int:pk>/advance/": (
        "POST",
        "login 403  200   200   404    404     403   403   200",
    ),
    "competitions/segments/<int:pk>/judges/": (
        "GET",
        "login 403   200   200   404    404     403   403   200",
    ),
    "competitions/entrants/<int:pk>/": (
        "GET",
        "login 200   200   200   404    404     200   200   200",
    ),
    "competitions/entrants/<int:pk>/review/": (
        "POST",
        "login 403  200   200   404    404     403   403   200",
    ),
    "competitions/entrants/<int:pk>/certificate.pdf": (
        "GET",
        "login 200   200   200   404    404     200   200   200",
    ),
    "competitions/entrants/<int:pk>/nominate/": (
        "GET",
        "login 403   200   200   404    404     403   403   200",
    ),
    "competitions/judging/": ("GET", "login 403   403   403   403    403     403   200   403"),
    "competitions/judging/segments/<int:pk>/": (
        "GET",
        "login 403   403   403   403    403     403   200   403",
    ),
    "competitions/judging/segments/<int:pk>/upload/": (
        "GET",
        "login 403   403   403   403    403     403   200   403",
    ),
    "competitions/sheets/<int:pk>/correct/": (
        "GET",
        "login 403   403   403   404    404     403   200   403",
    ),
    # -- 补录 (records from before the platform) --------------------------------------------
    "competitions/back-entry/": ("GET", "login 403   200   200   200    403     403   403   200"),
}
API_TABLE: dict[tuple[str, str], str] = {
    # (method, OpenAPI path)                                          anon worker admin staff staffB liaison ent judge prov
    ("GET", "/api/v1/competitions/"): "401 200  200   200   200    403     200  200   200",
    (
        "GET",
        "/api/v1/competitions/{contest_id}",
    ): "401 200  200   200   404    404     200  200   200",
    (
        "POST",
        "/api/v1/competitions/{contest_id}/entrants",
    ): "401 403  422   422   404    404     422  403   422",
    (
        "GET",
        "/api/v1/competitions/rounds/{round_id}/results",
    ): "401 403  200   200   404    404     403  200   200",
    (
        "POST",
        "/api/v1/competitions/rounds/{round_id}/advance",
    ): "401 403  422   422   404    404     403  403   422",
    (
        "GET",
        "/api/v1/competitions/judging/sheets",
    ): "401 403  403   403   403    403     403  200   403",
    (
        "POST",
        "/api/v1/competitions/judging/sheets",
    ): "401 403  403   403   403    403     403  422   403",
    (
        "POST",
        "/api/v1/competitions/sheets/{sheet_id}/correct",
    ): "401 403  403   403   404    404     403  422   403",
    (
        "GET",
        "/api/v1/public/competitions/{contest_id}/scoreboard",
    ): "200 200  200   200   200    200     200  200   200",
}
PAGE_POST_TABLE: dict[str, str] = {
    # the POST of a page whose GET row is in PAGE_TABLE   anon  worker admin staff staffB liaison ent judge prov
    # The setup pages are written to in a contest under way (UNDER_WAY): the published one
    # refuses any change of its settings. Each manager adds a round, a prize, a segment of
    # their own; the order form's first button draws the order again.
    "competitions/new/": "login 403   done  done  done   403     403   403   done",
    "competitions/<int:pk>/edit/": "login 403   done  done  404    404     403   403   done",
    "competitions/<int:pk>/rounds/new/": "login 403   done  done  404    404     403   403   done",
    "competitions/<int:pk>/prizes/new/": "login 403   done  done  404    404     403   403   done",
    "competitions/rounds/<int:pk>/segments/new/": "login 403   done  done  404    404     403   403   done",
    "competitions/rounds/<int:pk>/order/": "login 403   done  done  404    404     403   403   done",
    # In a contest taking entries (REGISTERING): each principal enters fresh couriers of
    # outlet A (enterprise A for its own), or calls a new judge of the platform's pool.
    "competitions/<int:pk>/register/": "login 403   done  done  404    404     done  403   done",
    "competitions/<int:pk>/teams/new/": "login 403   done  done  404    404     done  403   done",
    "competitions/segments/<int:pk>/judges/": "login 403   done  done  404    404     403   403   done",
    # Sent as the page shows it, with no contest chosen to recommend the entrant to: the form
    # comes back saying what is missing, and nothing is written.
    "competitions/entrants/<int:pk>/nominate/": "login 403   kept  kept  404    404     403   403   kept",
    # The judge scores the three entrants of the theory segment of a contest under way, by
    # hand or by uploading a workbook (the published contest has no open sheet, so no form);
    # as chief judge, corrects a sheet that judge X has submitted (SCORED).
    "competitions/judging/segments/<int:pk>/": "login 403   403   403   403    403     403   done  403",
    "competitions/judging/segments/<int:pk>/upload/": (
        "login 403   403   403   403    403     403   done  403"
    ),
    "competitions/sheets/<int:pk>/correct/": "login 403   403   403   404    404     403   done  403",
    # -- 补录 (records from before the platform) --------------------------------------------
    # Staff of union B may back-enter for their own union, but worker A is not theirs (the
    # form again with the refusal).
    "competitions/back-entry/": "login 403   done  done  kept   403     403   403   done",
}
# What each form needs typed in, by the world (a function of the principal where each one
# writes a record of their own, under a unique name).
FORM_VALUES: dict[str, Any] = {
    "competitions/<int:pk>/register/": lambda world: (
        lambda principal: {"worker": str(fresh_worker(world, principal).pk)}
    ),
    "competitions/<int:pk>/teams/new/": lambda world: (
        lambda principal: {
            "name": f"甲快递代表队（{principal}）",
            "workers": [str(fresh_worker(world, f"{principal}{n}").pk) for n in (1, 2)],
        }
    ),
    "competitions/segments/<int:pk>/judges/": lambda world: (
        lambda principal: {
            "judge": str(
                UserFactory(
                    username=f"judge_{principal}", display_name="新评委", role=Role.JUDGE
                ).pk
            )
        }
    ),
    "competitions/new/": lambda world: (
        lambda principal: {
            "name": f"甲市外卖骑手技能竞赛（{principal}）",
            "profession": "外卖骑手",
            "starts_on": "2027-05-20",
        }
    ),
    "competitions/<int:pk>/edit/": lambda world: {"venue": "甲市职工文化宫"},
    "competitions/<int:pk>/rounds/new/": lambda world: (
        lambda principal: {"name": f"复赛（{principal}）"}
    ),
    "competitions/<int:pk>/prizes/new/": lambda world: (
        lambda principal: {
            "name": f"优秀奖（{principal}）",
            "count": "1",
        }
    ),
    "competitions/rounds/<int:pk>/segments/new/": lambda world: (
        lambda principal: {
            "name": f"安全规范（{principal}）",
            "weight": "10",
            "full_marks": "100",
        }
    ),
    "competitions/judging/segments/<int:pk>/": lambda world: {
        "score_1": "88",
        "score_2": "91.5",
        "score_3": "79",
    },
    "competitions/sheets/<int:pk>/correct/": lambda world: {"score": "86", "reason": "核分有误"},
    # 补录: worker A, first, a month ago.
    "competitions/back-entry/": lambda world: {
        "name": "补录的技能竞赛",
        "profession": "快递员",
        "starts_on": (timezone.localdate() - timedelta(days=30)).isoformat(),
        "results": f"{world.worker_a.pk},1,一等奖,95.5",
    },
}
# Who is shown the form whose fields every principal sends (the rest: union_admin).
FORM_SHOWN_TO = {
    "competitions/judging/segments/<int:pk>/": "judge",
    "competitions/judging/segments/<int:pk>/upload/": "judge",
    "competitions/sheets/<int:pk>/correct/": "judge",
}
# What the person adds that the page's fields leave out: the file they choose.
FORM_TICKED: dict[str, Callable[[], dict[str, Any]]] = {
    "competitions/judging/segments/<int:pk>/upload/": lambda: {
        "file": SimpleUploadedFile("理论知识成绩.xlsx", scores_workbook(), content_type=XLSX)
    },
}
# POST rows asked of a contest under way instead of the published one (whose settings and
# scores are locked), and of one under way whose preliminary sheets are all submitted.
SCORED = {"competitions/sheets/<int:pk>/correct/"}
REGISTERING = {
    "competitions/<int:pk>/register/",
    "competitions/<int:pk>/teams/new/",
    "competitions/segments/<int:pk>/judges/",
}
UNDER_WAY = {
    "competitions/<int:pk>/edit/",
    "competitions/<int:pk>/rounds/new/",
    "competitions/<int:pk>/prizes/new/",
    "competitions/rounds/<int:pk>/segments/new/",
    "competitions/rounds/<int:pk>/order/",
    "competitions/judging/segments/<int:pk>/",
    "competitions/judging/segments/<int:pk>/upload/",
}
PUBLIC_OPERATIONS = {"competitions_scoreboard"}

pytestmark = pytest.mark.usefixtures("no_pii_in_logs")


@pytest.fixture
def published(world: Any) -> Setup:
    setup = contest_setup(world, status=ContestStatus.IN_PROGRESS)
    finish(setup, {0: "88", 1: "93"})
    services.contest_award_prizes(actor=None, contest=setup.contest)
    services.contest_publish(actor=None, contest=setup.contest)
    setup.contest.refresh_from_db()
    return setup


@pytest.fixture
def under_way(world: Any) -> Setup:
    return contest_setup(world, status=ContestStatus.IN_PROGRESS)


@pytest.fixture
def registering(world: Any) -> Setup:
    return contest_setup(world)


def fresh_worker(world: Any, key: str) -> Any:
    """A courier of outlet A, not yet entered in any contest."""
    return WorkerFactory(employer=world.outlet_a, name=f"新选手{key}")


@pytest.fixture
def scored(under_way: Setup) -> Setup:
    score_all(under_way, {0: ("90", "90"), 1: ("80", "85"), 2: ("85", "80")})
    return under_way


def scores_workbook() -> bytes:
    """A theory score sheet as a judge fills it in: order number and score of each entrant."""
    book = Workbook()
    sheet = book.active
    sheet.append(["出场顺序", "成绩"])
    for order_no, score in [(1, 88), (2, 91.5), (3, 79)]:
        sheet.append([order_no, score])
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()


def ids(setup: Setup) -> dict[str, int]:
    sheet = ScoreSheet.objects.filter(segment=setup.theory, judge=setup.judges["x"]).first()
    return {
        "contest": setup.contest.pk,
        "round": setup.preliminary.pk,
        "segment": setup.theory.pk,
        "entrant": setup.entrants[0].pk,
        "sheet": sheet.pk if sheet else 0,  # none yet in a contest under way
    }


def page_url(route: str, setup: Setup) -> str:
    known = ids(setup)
    kind = (
        "round"
        if route.startswith("competitions/rounds/")
        else "segment"
        if "segments/<int:pk>" in route
        else "entrant"
        if route.startswith("competitions/entrants/")
        else "sheet"
        if route.startswith("competitions/sheets/")
        else "contest"
    )
    return "/" + route.replace("<int:pk>", str(known[kind]))


def api_url(path: str, setup: Setup) -> str:
    known = ids(setup)
    return (
        path.replace("{contest_id}", str(known["contest"]))
        .replace("{round_id}", str(known["round"]))
        .replace("{sheet_id}", str(known["sheet"]))
    )


def api_body(path: str, world: Any, setup: Setup) -> dict[str, Any]:
    if path.endswith("/entrants"):
        return {"worker": world.worker_a.pk}
    if path.endswith("/judging/sheets"):
        return {"segment": setup.theory.pk, "scores": [{"order_no": 1, "score": "90"}]}
    if path.endswith("/correct"):
        return {"score": "80", "reason": "核对"}
    return {}


def sheets() -> list[Any]:
    return list(ScoreSheet.objects.values_list("pk", "score", "status"))


def sheets_and_audit() -> tuple[list[Any], int]:
    return sheets(), AuditLog.objects.count()


@over_pages(PAGE_TABLE)
def test_page(route: str, world: Any, published: Setup) -> None:
    url = page_url(route, published)
    run_page_row(PAGE_TABLE, route, world, lambda case: case.send(url), unchanged=sheets_and_audit)


@pytest.mark.parametrize("route", list(PAGE_POST_TABLE))
def test_page_post(route: str, world: Any, request: pytest.FixtureRequest) -> None:
    """The write a page's form sends, with its real fields and each principal's CSRF token;
    a refused one changes no row of the database."""
    setup = request.getfixturevalue(
        "scored"
        if route in SCORED
        else "under_way"
        if route in UNDER_WAY
        else "registering"
        if route in REGISTERING
        else "published"
    )
    url = page_url(route, setup)
    shown_to = FORM_SHOWN_TO.get(route, "union_admin")
    values = FORM_VALUES[route](world) if route in FORM_VALUES else None
    run_page_post_row(
        PAGE_POST_TABLE,
        route,
        world,
        url,
        shown_to=shown_to,
        values=values,
        ticked=FORM_TICKED.get(route),
    )
    if route == "competitions/judging/segments/<int:pk>/upload/":  # saved, unsubmitted
        saved = ScoreSheet.objects.filter(segment=setup.theory, judge=world.users["judge"])
        assert sorted(saved.values_list("score", flat=True)) == [79, Decimal("88"), Decimal("91.5")]


@over_operations(API_TABLE)
def test_api(
    operation: tuple[str, str],
    auth: str,
    world: Any,
    published: Setup,
    api_token: Callable[..., dict[str, str]],
) -> None:
    path = operation[1]
    url, body = api_url(path, published), api_body(path, world, published)
    run_api_row(
        API_TABLE,
        operation,
        auth,
        world,
        api_token,
        lambda case: case.send(url, body),
        unchanged=sheets,
    )


def test_other_union_gets_404_like_a_record_that_does_not_exist(
    world: Any, published: Setup, api_token: Callable[..., dict[str, str]]
) -> None:
    page = BrowserClient()
    page.force_login(world.users["staff_b"])
    bearer = api_token(world.users["staff_b"])
    known = ids(published)
    missing = 10_000_000
    for route in [
        "competitions/{}/",
        "competitions/rounds/{}/",
        "competitions/entrants/{}/",
        "competitions/entrants/{}/certificate.pdf",
        "competitions/{}/export.xlsx",
    ]:
        kind = "round" if "rounds" in route else "entrant" if "entrants" in route else "contest"
        assert page.get("/" + route.format(known[kind])).status_code == 404
        assert page.get("/" + route.format(missing)).status_code == 404
    for path, kind in [
        ("/api/v1/competitions/{}", "contest"),
        ("/api/v1/competitions/rounds/{}/results", "round"),
    ]:
        theirs = BrowserClient().get(path.format(known[kind]), **bearer)
        nothing = BrowserClient().get(path.format(missing), **bearer)
        assert (theirs.status_code, theirs.content) == (nothing.status_code, nothing.content)
        assert theirs.status_code == 404


def test_lists_never_carry_another_unions_contests(
    world: Any, published: Setup, api_token: Callable[..., dict[str, str]]
) -> None:
    services.contest_create(
        actor=world.users["staff_b"],
        organization=world.union_b,
        name="乙方美发技能竞赛",
        profession="美发师",
        status=ContestStatus.REGISTRATION,
    )
    page = BrowserClient()
    page.force_login(world.users["admin_a"])
    body = page.get("/competitions/").content.decode()
    assert published.contest.name in body
    assert "乙方美发技能竞赛" not in body
    items = (
        BrowserClient()
        .get("/api/v1/competitions/", **api_token(world.users["admin_a"]))
        .json()["items"]
    )
    assert [c["name"] for c in items] == [published.contest.name]
    items = (
        BrowserClient()
        .get("/api/v1/competitions/", **api_token(world.users["staff_b"]))
        .json()["items"]
    )
    assert [c["name"] for c in items] == ["乙方美发技能竞赛"]


def test_a_judge_sees_only_their_own_sheets(
    world: Any, published: Setup, api_token: Callable[..., dict[str, str]]
) -> None:
    judge = published.judges["x"]
    items = BrowserClient().get("/api/v1/competitions/judging/sheets", **api_token(judge)).json()
    assert items
    assert {s["id"] for s in items} == set(
        ScoreSheet.objects.filter(judge=judge).values_list("pk", flat=True)
    )
    # A judge not assigned to a segment gets a 404 for it.
    outsider_segment = published.final_segment
    outsider_segment.assignments.filter(judge=judge).delete()
    client = BrowserClient()
    client.force_login(judge)
    assert client.get(f"/competitions/judging/segments/{outsider_segment.pk}/").status_code == 404
    # An ordinary judge is not the chief judge: no corrections, no full results.
    sheet = ScoreSheet.objects.filter(judge=world.users["judge"]).first()
    assert client.get(f"/competitions/sheets/{sheet.pk}/correct/").status_code == 403
    assert client.get(f"/competitions/rounds/{published.preliminary.pk}/").status_code == 403


def test_the_scoreboard_shows_order_numbers_until_published(world: Any) -> None:
    setup = contest_setup(world, status=ContestStatus.IN_PROGRESS)
    score_all(setup, {0: ("90", "90"), 1: ("80", "85"), 2: ("85", "80")})
    anonymous = BrowserClient()
    body = anonymous.get(f"/competitions/{setup.contest.pk}/scoreboard/").content.decode()
    assert "90.00" in body
    for entrant in setup.entrants:
        assert entrant.worker.name not in body
    board = anonymous.get(f"/api/v1/public/competitions/{setup.contest.pk}/scoreboard").json()
    assert {r["name"] for r in board["rows"]} == {""}
    assert anonymous.get(f"/competitions/{setup.contest.pk}/results/").status_code == 404
