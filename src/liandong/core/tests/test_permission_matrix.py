"""S1 and S2 of the security brief: every page and API operation × every principal has one
expected outcome, pinned in the tables below; a route without a row fails the build. Then the
cross-tenant (IDOR) cases: another union's records answer 404 exactly like records that do not
exist, lists never carry them, and taking access away works on the very next request.

The objects asked for all lie in union A's subtree (worker A, union A, an import into
enterprise A). Principals come from the ``world`` fixture (conftest.py).
"""

import inspect
import io
import random
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import URLResolver, get_resolver

from liandong.accounts.models import Role
from liandong.accounts.tests.factories import TEST_PASSWORD
from liandong.api import api
from liandong.core.models import AuditLog
from liandong.core.tests.client import BrowserClient
from liandong.core.tests.matrix import (
    PRINCIPALS,
    USERNAME_KEY,
    Case,
    MatrixClient,
    Request,
    assert_no_pii,
    check_outcome,
    collected,
    outcomes,
    over_operations,
    over_pages,
    run_api_row,
    run_page_post_row,
    run_page_row,
)
from liandong.workers.models import RosterImport, Worker

# The foundation's rows; outcomes are explained in core/tests/matrix.py. Other apps keep theirs
# in their own tests/test_permission_matrix.py.
PAGE_TABLE: dict[str, tuple[str, str]] = {
    # route (Django pattern)               method  anon  worker admin staff staffB liaison ent  judge prov
    # The public front door; each person lands on their work (workbench/tests).
    "": ("GET", "200   me    bench bench bench  bench   org   judging bench"),
    "audit-log/": ("GET", "login 403   200   403   403    403     403   403   200"),
    "healthz": ("GET", "200   200   200   200   200    200     200   200   200"),
    "accounts/login/": ("GET", "200   200   200   200   200    200     200   200   200"),
    "accounts/login/worker/": ("GET", "200   200   200   200   200    200     200   200   200"),
    "accounts/logout/": ("POST", "login login login login login login   login login login"),
    "accounts/password/": ("GET", "login 200   200   200   200    200     200   200   200"),
    "organizations/": ("GET", "login 403   200   200   200    200     200   403   200"),
    "organizations/<int:pk>/": ("GET", "login 403   200   200   404    200     404   403   200"),
    "organizations/<int:pk>/edit/": (
        "GET",
        "login 403   200   200   404    404     404   403   200",
    ),
    "organizations/<int:pk>/children/new/": (
        "GET",
        "login 403  200   200   404    404     404   403   200",
    ),
    "workers/": ("GET", "login me    200   200   200    200     200   403   200"),
    "workers/export.xlsx": ("GET", "login 403   200   200   200    200     200   403   200"),
    "workers/new/": ("GET", "login 403   200   200   200    403     200   403   200"),
    "workers/me/": ("GET", "login 200   home  home  home   home    home  home  home"),
    "workers/<int:pk>/": ("GET", "login 200   200   200   404    404     200   404   200"),
    "workers/<int:pk>/reveal/": ("POST", "login 200  200   200   404    404     200   404   200"),
    "workers/<int:pk>/edit/": ("GET", "login 403   200   200   404    404     200   404   200"),
    "workers/imports/": ("GET", "login 403   200   200   200    403     200   403   200"),
    "workers/imports/template.xlsx": (
        "GET",
        "login 403   200   200   200    403     200   403   200",
    ),
    "workers/imports/<int:pk>/": ("GET", "login 404   200   200   404    404     200   404   200"),
    "workers/imports/<int:pk>/report.xlsx": (
        "GET",
        "login 404  200   200   404    404     200   404   200",
    ),
}
API_TABLE: dict[tuple[str, str], str] = {
    # (method, OpenAPI path)                                anon worker admin staff staffB liaison ent judge prov
    ("POST", "/api/v1/auth/token"): "403 200  200   200   200    200     200  200   200",
    ("GET", "/api/v1/me"): "401 200  200   200   200    200     200  200   200",
    ("GET", "/api/v1/organizations/"): "401 403  200   200   200    200     200  403   200",
    (
        "GET",
        "/api/v1/organizations/{organization_id}",
    ): "401 403  200   200   404    200     404  403   200",
    ("GET", "/api/v1/workers/"): "401 200  200   200   200    200     200  403   200",
    ("POST", "/api/v1/workers/search"): "401 200  200   200   200    200     200  403   200",
    ("GET", "/api/v1/workers/export"): "401 403  200   200   200    200     200  403   200",
    ("GET", "/api/v1/workers/{worker_id}"): "401 200  200   200   404    404     200  404   200",
    (
        "POST",
        "/api/v1/workers/{worker_id}/reveal",
    ): "401 200  200   200   404    404     200  404   200",
    ("POST", "/api/v1/workers/imports"): "401 403  200   200   404    403     200  403   200",
    (
        "GET",
        "/api/v1/workers/imports/{import_id}",
    ): "401 404  200   200   404    404     200  404   200",
    ("GET", "/api/v1/audit-log/"): "401 403  200   403   403    403     403  403   200",
}
PAGE_POST_TABLE: dict[str, str] = {
    # the POST of a page whose GET row is in PAGE_TABLE  anon worker admin staff staffB liaison ent judge prov
    # A stranger's sign-in fails (the form again; only its login_failed audit row is written).
    "accounts/login/": "kept  done  done  done  done   done    done  done  done",
    "accounts/login/worker/": "done  done  done  done  done   done    done  done  done",
    "accounts/password/": "login done  done  done  done   done    done  done  done",
    "organizations/<int:pk>/edit/": "login 403   done  done  404    404     404   403   done",
    "organizations/<int:pk>/children/new/": "login 403   done  done  404    404     404   403   done",
    "workers/": "login me    done  done  done   done    done  403   done",
    "workers/new/": "login 403   done  done  kept    403     done  403   done",
    "workers/<int:pk>/edit/": "login 403   done  done  404    404     done  404   done",
    "workers/imports/": "login 403   done  done  kept    403     done  403   done",
}
# Django routes under the API prefix that are not operations of the OpenAPI document, with
# what every principal gets: the document itself is public, the root only marks the prefix.
API_EXTRA_ROUTES = {"api/v1/openapi.json": 200, "api/v1/": 404}
# Who may see the full ID and mobile numbers (in a reveal answer, and only there).
REVEAL_ROUTES = {"workers/<int:pk>/reveal/", ("POST", "/api/v1/workers/{worker_id}/reveal")}
PUBLIC_OPERATIONS = {"auth_token"}
UNMASKED_SCHEMAS = {"WorkerPiiOut"}
REVEAL_OPERATIONS = {"workers_reveal"}
# The roster template's example row is made of invented numbers, and is meant to look real.
PII_SCAN_EXEMPT = {"workers/imports/template.xlsx"}


def django_routes() -> set[str]:
    def walk(patterns: list[Any], prefix: str) -> set[str]:
        found: set[str] = set()
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                found |= walk(pattern.url_patterns, prefix + str(pattern.pattern))
            else:
                found.add(prefix + str(pattern.pattern))
        return found

    return walk(get_resolver().url_patterns, "")


def route_views() -> dict[str, Any]:
    """Every Django route with the view that answers it."""

    def walk(patterns: list[Any], prefix: str) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                found |= walk(pattern.url_patterns, prefix + str(pattern.pattern))
            else:
                found[prefix + str(pattern.pattern)] = pattern.callback
        return found

    return walk(get_resolver().url_patterns, "")


_READS_POST = re.compile(r"request\.POST\b|request\.method\s*[!=]=\s*\"POST\"")


def handles_post(view: Any) -> bool:
    """Whether a page's view reads a POST, in its own body or in a helper of its module that it
    calls (``_child_form(request, ...)``): a page that shows a form and takes its write."""
    function = inspect.unwrap(view)
    source = inspect.getsource(function)
    if _READS_POST.search(source):
        return True
    module = inspect.getmodule(function)
    for name in set(re.findall(r"\b(\w+)\(", source)):
        helper = getattr(module, name, None)
        if (
            inspect.isfunction(helper)
            and helper.__module__ == function.__module__
            and _READS_POST.search(inspect.getsource(helper))
        ):
            return True
    return False


# Form pages whose POST has no PAGE_POST_TABLE row yet, with the reason (none today). Each is a
# gap to close in its app's matrix; the guard below fails for any other form page without its
# POST row, and for an exemption left behind once the row exists.
POST_ROW_EXEMPT: dict[str, str] = {}


def openapi_operations() -> set[tuple[str, str]]:
    schema = api.get_openapi_schema()
    return {(method.upper(), path) for path, item in schema["paths"].items() for method in item}


def roster_workbook(world: Any) -> bytes:
    """A one-row roster for a dry-run import into enterprise A."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["姓名", "身份证号", "手机号", "工作单位", "职业"])
    sheet.append(["赵矩阵", "620102199001011233", "13700001111", world.outlet_a.name, "快递员"])
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()


@pytest.fixture
def imports(world: Any) -> dict[str, RosterImport]:
    return {
        "a": RosterImport.objects.create(
            organization=world.enterprise_a,
            actor=world.users["admin_a"],
            filename="甲名册.xlsx",
            rows_read=3,
            rows_imported=3,
            committed=True,
        ),
        "b": RosterImport.objects.create(
            organization=world.enterprise_b,
            actor=world.users["staff_b"],
            filename="乙名册.xlsx",
            rows_read=2,
            rows_imported=2,
            committed=True,
        ),
    }


pytestmark = pytest.mark.usefixtures("no_pii_in_logs")  # the fixture lives in conftest.py


def page_url(route: str, world: Any, imports: dict[str, RosterImport]) -> str:
    ids = {
        "organizations/<int:pk>/": world.union_a.pk,
        "organizations/<int:pk>/edit/": world.union_a.pk,
        "organizations/<int:pk>/children/new/": world.union_a.pk,
        "workers/<int:pk>/edit/": world.worker_a.pk,
        "workers/<int:pk>/": world.worker_a.pk,
        "workers/<int:pk>/reveal/": world.worker_a.pk,
        "workers/imports/<int:pk>/": imports["a"].pk,
        "workers/imports/<int:pk>/report.xlsx": imports["a"].pk,
    }
    return "/" + route.replace("<int:pk>", str(ids.get(route, "")))


def api_url(path: str, world: Any, imports: dict[str, RosterImport]) -> str:
    return (
        path.replace("{organization_id}", str(world.union_a.pk))
        .replace("{worker_id}", str(world.worker_a.pk))
        .replace("{import_id}", str(imports["a"].pk))
    )


# ---------------------------------------------------------------------------------------------
# Completeness: a route or operation without a row fails the build.


def test_every_page_route_has_a_row() -> None:
    pages = {route for route in django_routes() if not route.startswith("api/v1/")}
    tables = collected("PAGE_TABLE")
    assert pages - set(tables) == set(), "routes without a row in any app's PAGE_TABLE"
    assert set(tables) - pages == set(), "rows in a PAGE_TABLE for routes that no longer exist"


def test_every_api_operation_has_a_row() -> None:
    operations = openapi_operations()
    tables = collected("API_TABLE")
    assert operations - set(tables) == set(), "API operations without a row in any app's API_TABLE"
    assert set(tables) - operations == set(), (
        "rows in an API_TABLE for operations that no longer exist"
    )
    documented = {path for _, path in operations}
    extra = collected("API_EXTRA_ROUTES")
    for route in django_routes():
        if route.startswith("api/v1/") and route not in extra:
            path = "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)
            assert path in documented, f"API route {route} is not in the OpenAPI document"


@pytest.mark.parametrize("principal", PRINCIPALS)
def test_api_routes_outside_the_document(principal: str, world: Any) -> None:
    client = BrowserClient()
    if principal != "anonymous":
        client.force_login(world.users[USERNAME_KEY[principal]])
    for route, status in API_EXTRA_ROUTES.items():
        response = client.get("/" + route)
        assert response.status_code == status
        assert response["Content-Type"].startswith("application/json")


def test_every_row_names_every_principal() -> None:
    for _, row in collected("PAGE_TABLE").values():
        outcomes(row)
    for row in collected("API_TABLE").values():
        outcomes(row)


# ---------------------------------------------------------------------------------------------
# The matrix itself.


def page_request(route: str, world: Any, imports: dict[str, RosterImport]) -> Request:
    url = page_url(route, world, imports)
    return lambda case: case.send(url, {"purpose": "核实身份"})


def api_request(
    operation: tuple[str, str], world: Any, imports: dict[str, RosterImport]
) -> Request:
    path = operation[1]
    url = api_url(path, world, imports)

    def request(case: Case) -> Any:
        if path == "/api/v1/auth/token":
            user = world.users.get(USERNAME_KEY.get(case.principal, ""))
            username = user.username if user is not None else "nobody"
            return case.client.post(
                url,
                {"username": username, "password": "test-pass-2026"},
                content_type="application/json",
            )
        if path == "/api/v1/workers/imports":
            upload = io.BytesIO(roster_workbook(world))
            upload.name = "名册.xlsx"
            return case.client.post(
                url,
                {"file": upload, "organization": world.enterprise_a.pk, "dry_run": "true"},
                **case.headers,
            )
        return case.send(url, {"purpose": "核实身份"})

    return request


def reveal_checks(key: Any) -> dict[str, Any]:
    """A reveal writes one pii_viewed row when answered, and its answer shows the numbers."""
    if key not in REVEAL_ROUTES:
        return {"may_show_pii": key in PII_SCAN_EXEMPT}
    return {"audited": "workers.pii_viewed", "may_show_pii": lambda expected: expected == "200"}


@over_pages(PAGE_TABLE)
def test_page(route: str, world: Any, imports: dict[str, RosterImport]) -> None:
    request = page_request(route, world, imports)
    run_page_row(PAGE_TABLE, route, world, request, **reveal_checks(route))


def page_post(route: str, world: Any) -> dict[str, Any]:
    """What the POST row of ``route`` sends: the URL, who is shown the form, the values typed
    into it (for each principal where a value must be their own), and any upload."""
    from liandong.core.sample_data import id_number, mobile

    rng = random.Random(13)
    new_password = "Xin-mima-2026!"

    def own_username(principal: str) -> dict[str, str]:
        user = world.users.get(USERNAME_KEY.get(principal, ""))
        return {"username": user.username if user else "nobody", "password": TEST_PASSWORD}

    typed: list[bytes] = []  # the numbers typed into the new-worker form

    def new_worker(principal: str) -> dict[str, str]:
        numbers = id_number(rng), mobile(rng)
        typed.extend(number.encode() for number in numbers)
        return {
            "name": "赵新",
            "id_number": numbers[0],
            "mobile": numbers[1],
            "employer": str(world.outlet_a.pk),
            "occupation": "快递员",
        }

    def roster() -> dict[str, Any]:
        upload = io.BytesIO(roster_workbook(world))
        upload.name = "名册.xlsx"
        return {"file": upload, "dry_run": "on"}

    rows: dict[str, dict[str, Any]] = {
        "accounts/login/": {"shown_to": "anonymous", "values": own_username},
        "accounts/login/worker/": {
            "shown_to": "anonymous",
            "values": {"mobile": "13919310001", "password": TEST_PASSWORD},
        },
        "accounts/password/": {
            "values": {
                "old_password": TEST_PASSWORD,
                "password1": new_password,
                "password2": new_password,
            }
        },
        "organizations/<int:pk>/edit/": {"values": {"name": "甲产业工会（新）", "city": "天水"}},
        "organizations/<int:pk>/children/new/": {
            "values": lambda principal: {
                "name": f"甲新网点{principal}",
                "code": f"W-N-{principal}",
                "kind": "union",
            }
        },
        "workers/": {"values": {"q": "王甲"}},
        # A refused new worker's form comes back with the numbers its sender typed, and only those.
        "workers/new/": {"values": new_worker, "scrub": lambda body: scrub(typed, body)},
        "workers/<int:pk>/edit/": {"values": {"mobile": "13709310777"}},
        "workers/imports/": {
            "values": {"organization": str(world.enterprise_a.pk)},
            "ticked": roster,
        },
    }
    return rows[route]


def scrub(typed: list[bytes], body: bytes) -> bytes:
    for number in typed:
        body = body.replace(number, b"")
    return body


@pytest.mark.parametrize("route", list(PAGE_POST_TABLE))
def test_page_post(route: str, world: Any, imports: dict[str, RosterImport]) -> None:
    """The write a page's form sends, with its real fields and each principal's CSRF token;
    a refused one changes no row of the database."""
    url = page_url(route, world, imports)
    checks: dict[str, Any] = {}
    if route.startswith("accounts/login/"):
        checks["refusal_audit"] = "accounts.login_failed"
    run_page_post_row(PAGE_POST_TABLE, route, world, url, **page_post(route, world), **checks)


@over_operations(API_TABLE)
def test_api(
    operation: tuple[str, str],
    auth: str,
    world: Any,
    imports: dict[str, RosterImport],
    api_token: Callable[..., dict[str, str]],
) -> None:
    request = api_request(operation, world, imports)
    checks = reveal_checks(operation)
    if operation == ("POST", "/api/v1/auth/token"):
        checks["refusal_audit"] = "accounts.login_failed"  # a failed sign-in is recorded
    run_api_row(API_TABLE, operation, auth, world, api_token, request, **checks)


def test_the_matrix_can_fail(world: Any, imports: dict[str, RosterImport]) -> None:
    """The checker rejects a wrong outcome: a 200 is not a 404, a redirect elsewhere is not login."""
    client = BrowserClient()
    client.force_login(world.users["staff_a"])
    response = client.get(f"/workers/{world.worker_a.pk}/")
    with pytest.raises(AssertionError):
        check_outcome(response, "404", principal="union_staff", world=world, is_api=False)
    with pytest.raises(AssertionError):
        assert_no_pii(b"<td>13919310001</td>", "a page")
    with pytest.raises(AssertionError):
        assert_no_pii(b"620102198403152712", "a page")
    with pytest.raises(AssertionError):
        assert_no_pii("电话13919310001，".encode(), "a page")
    assert_no_pii(b'"request_id": "9f18216154158e0a"', "a hex id is not a mobile number")


# ---------------------------------------------------------------------------------------------
# S2: cross-tenant access. Staff of union B ask for union A's records.


def test_other_union_gets_404_like_a_record_that_does_not_exist(
    world: Any, imports: dict[str, RosterImport], api_token: Callable[..., dict[str, str]]
) -> None:
    staff_b = world.users["staff_b"]
    page = BrowserClient()
    page.force_login(staff_b)
    bearer = api_token(staff_b)
    missing = 10_000_000
    pairs = [
        (f"/workers/{world.worker_a.pk}/", f"/workers/{missing}/"),
        (f"/organizations/{world.union_a.pk}/", f"/organizations/{missing}/"),
        (f"/workers/imports/{imports['a'].pk}/", f"/workers/imports/{missing}/"),
    ]
    for theirs, nothing in pairs:
        assert page.get(theirs).status_code == 404
        assert page.get(nothing).status_code == 404
    api_pairs = [
        (f"/api/v1/workers/{world.worker_a.pk}", f"/api/v1/workers/{missing}"),
        (f"/api/v1/organizations/{world.union_a.pk}", f"/api/v1/organizations/{missing}"),
        (f"/api/v1/workers/imports/{imports['a'].pk}", f"/api/v1/workers/imports/{missing}"),
    ]
    client = BrowserClient()
    for theirs, nothing in api_pairs:
        for headers, login in [(bearer, None), ({}, staff_b)]:
            if login:
                client.force_login(login)
            a, b = client.get(theirs, **headers), client.get(nothing, **headers)
            assert (a.status_code, a.content) == (b.status_code, b.content) == (404, b.content)
    # And a reveal of A's worker by B is a 404 that writes nothing.
    count = AuditLog.objects.count()
    assert (
        client.post(
            f"/api/v1/workers/{world.worker_a.pk}/reveal",
            {},
            content_type="application/json",
            **bearer,
        ).status_code
        == 404
    )
    assert page.post(f"/workers/{world.worker_a.pk}/reveal/", {"purpose": "x"}).status_code == 404
    assert AuditLog.objects.count() == count


def test_guessed_sequential_ids_reach_nothing_outside_the_subtree(
    world: Any, imports: dict[str, RosterImport], api_token: Callable[..., dict[str, str]]
) -> None:
    """Staff of B walk every id from before the first to past the last: only B's own records
    answer. (On PostgreSQL a rolled-back test does not give its ids back, so the world's ids
    start wherever the suite has got to: the walk starts a few below the lowest, not at 1,
    which was thousands of ids of nothing and seven minutes of the PostgreSQL pass.)"""
    from liandong.organizations.models import Organization, subtree_q

    staff_b = world.users["staff_b"]
    page = BrowserClient()
    page.force_login(staff_b)
    bearer = api_token(staff_b)
    mine_workers = set(
        Worker.objects.filter(subtree_q(world.union_b.path, "employer__path")).values_list(
            "pk", flat=True
        )
    )
    partner_ids = set(world.union_b.partners.values_list("pk", flat=True))
    mine_orgs = (
        set(Organization.objects.filter(subtree_q(world.union_b.path)).values_list("pk", flat=True))
        | partner_ids
    )
    mine_imports = {imports["b"].pk}
    top = (
        max(
            Worker.objects.order_by("-pk").first().pk,
            Organization.objects.order_by("-pk").first().pk,
            imports["b"].pk,
        )
        + 3
    )
    bottom = max(
        1,
        min(
            Worker.objects.order_by("pk").first().pk,
            Organization.objects.order_by("pk").first().pk,
            RosterImport.objects.order_by("pk").first().pk,
        )
        - 3,
    )
    for pk in range(bottom, top):
        for url, api_path, mine in [
            (f"/workers/{pk}/", f"/api/v1/workers/{pk}", mine_workers),
            (f"/organizations/{pk}/", f"/api/v1/organizations/{pk}", mine_orgs),
            (f"/workers/imports/{pk}/", f"/api/v1/workers/imports/{pk}", mine_imports),
        ]:
            expected = 200 if pk in mine else 404
            assert page.get(url).status_code == expected, url
            assert BrowserClient().get(api_path, **bearer).status_code == expected, api_path


def test_lists_never_carry_the_other_unions_rows(
    world: Any, imports: dict[str, RosterImport], api_token: Callable[..., dict[str, str]]
) -> None:
    # Records that exist only in B, with names that would show on A's pages.
    from liandong.workers.tests.factories import WorkerFactory

    WorkerFactory.create_batch(3, employer=world.outlet_b, name="乙方职工")
    client = BrowserClient()
    client.force_login(world.users["staff_b"])
    client.post(
        f"/workers/{world.worker_b.pk}/reveal/", {"purpose": "乙方核实"}
    )  # an audit row by B

    a_bearer = api_token(world.users["admin_a"])
    workers = BrowserClient().get("/api/v1/workers/?limit=100", **a_bearer).json()["items"]
    assert {w["id"] for w in workers} == {world.worker_a.pk}
    organizations = (
        BrowserClient().get("/api/v1/organizations/?limit=100", **a_bearer).json()["items"]
    )
    names = {o["name"] for o in organizations}
    assert names == {
        world.union_a.name,
        world.enterprise_a.name,
        world.outlet_a.name,
        world.authority.name,
    }
    entries = BrowserClient().get("/api/v1/audit-log/?limit=100", **a_bearer).json()["items"]
    assert entries, "admin A sees the entries of A's own accounts"
    assert all(e["actor_repr"] != "staff_b" for e in entries)
    assert all(
        e["target_id"] != str(world.worker_b.pk) or e["target_type"] != "workers.worker"
        for e in entries
    )

    page = BrowserClient()
    page.force_login(world.users["admin_a"])
    for url in [
        "/workers/",
        "/organizations/",
        "/audit-log/",
        "/workers/imports/",
        "/workers/?q=乙方",
    ]:
        body = page.get(url).content.decode()
        for foreign in [
            "乙方职工",
            world.worker_b.name,
            world.union_b.name,
            world.enterprise_b.name,
            "乙名册.xlsx",
            "乙方核实",
        ]:
            assert foreign not in body, (url, foreign)
    assert world.worker_a.name in page.get("/workers/").content.decode()
    assert "甲名册.xlsx" in page.get("/workers/imports/").content.decode()


def test_a_worker_sees_only_themself(world: Any, api_token: Callable[..., dict[str, str]]) -> None:
    worker = world.users["worker_a"]
    page = BrowserClient()
    page.force_login(worker)
    bearer = api_token(worker)
    count = AuditLog.objects.count()
    assert page.get(f"/workers/{world.worker_b.pk}/").status_code == 404
    assert page.post(f"/workers/{world.worker_b.pk}/reveal/").status_code == 404
    assert (
        BrowserClient()
        .post(
            f"/api/v1/workers/{world.worker_b.pk}/reveal",
            {},
            content_type="application/json",
            **bearer,
        )
        .status_code
        == 404
    )
    assert AuditLog.objects.count() == count
    items = BrowserClient().get("/api/v1/workers/", **bearer).json()["items"]
    assert [w["id"] for w in items] == [world.worker_a.pk]


# ---------------------------------------------------------------------------------------------
# Revoking access works on the next request, for an open session and an issued token alike.


@pytest.fixture
def staff_a_sessions(
    world: Any, api_token: Callable[..., dict[str, str]]
) -> tuple[Client, Client, dict[str, str]]:
    """Staff A with an open browser session and an issued bearer token, both working now."""
    user = world.users["staff_a"]
    page = BrowserClient()
    page.force_login(user)
    bearer = api_token(user)
    api = BrowserClient()
    assert page.get(f"/workers/{world.worker_a.pk}/").status_code == 200
    assert api.get(f"/api/v1/workers/{world.worker_a.pk}", **bearer).status_code == 200
    return page, api, bearer


def test_moving_a_user_to_another_organization_moves_their_scope_at_once(
    world: Any, staff_a_sessions: Any
) -> None:
    page, api_client, bearer = staff_a_sessions
    user = world.users["staff_a"]
    user.organization = world.union_b
    user.save(update_fields=["organization"])
    assert page.get(f"/workers/{world.worker_a.pk}/").status_code == 404
    assert api_client.get(f"/api/v1/workers/{world.worker_a.pk}", **bearer).status_code == 404
    assert page.get(f"/workers/{world.worker_b.pk}/").status_code == 200
    assert api_client.get(f"/api/v1/workers/{world.worker_b.pk}", **bearer).status_code == 200
    items = api_client.get("/api/v1/workers/", **bearer).json()["items"]
    assert [w["id"] for w in items] == [world.worker_b.pk]


def test_deactivating_a_user_ends_their_session_and_tokens_at_once(
    world: Any, staff_a_sessions: Any
) -> None:
    page, api_client, bearer = staff_a_sessions
    user = world.users["staff_a"]
    user.is_active = False
    user.save(update_fields=["is_active"])
    response = page.get(f"/workers/{world.worker_a.pk}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert api_client.get(f"/api/v1/workers/{world.worker_a.pk}", **bearer).status_code == 401
    assert page.get("/api/v1/me").status_code == 401


def test_a_role_change_applies_at_once(world: Any, staff_a_sessions: Any) -> None:
    page, api_client, bearer = staff_a_sessions
    user = world.users["staff_a"]
    user.role = Role.LIAISON
    user.save(update_fields=["role"])
    count = AuditLog.objects.count()
    assert page.post(f"/workers/{world.worker_a.pk}/reveal/").status_code == 403
    assert (
        api_client.post(
            f"/api/v1/workers/{world.worker_a.pk}/reveal",
            {},
            content_type="application/json",
            **bearer,
        ).status_code
        == 403
    )
    assert AuditLog.objects.count() == count
    assert page.get("/workers/imports/").status_code == 403


def test_denied_writes_change_nothing(world: Any) -> None:
    """The edit forms' POSTs, by callers outside the scope or without the role."""
    from liandong.organizations.models import Organization

    attempts = [
        (
            "staff_b",
            f"/organizations/{world.union_a.pk}/edit/",
            {"name": "改名", "city": "天水"},
            404,
        ),
        (
            "liaison",
            f"/organizations/{world.union_a.pk}/edit/",
            {"name": "改名", "city": "天水"},
            404,
        ),
        (
            "enterprise_a",
            f"/organizations/{world.enterprise_a.pk}/edit/",
            {"name": "改名", "city": "天水"},
            403,
        ),
        (
            "staff_b",
            f"/organizations/{world.enterprise_a.pk}/children/new/",
            {"name": "新网点", "code": "X-NEW", "kind": "outlet", "union_status": "none"},
            404,
        ),
        (
            "staff_b",
            f"/workers/{world.worker_a.pk}/edit/",
            {"name": "改名", "employer": world.outlet_b.pk, "mobile": "13709310777"},
            404,
        ),
        (
            "liaison",
            "/workers/new/",
            {
                "name": "新人",
                "id_number": "620102199001011233",
                "mobile": "13709310777",
                "employer": world.authority.pk,
            },
            403,
        ),
        (
            "worker_a",
            f"/workers/{world.worker_a.pk}/edit/",
            {"name": "改名", "employer": world.outlet_a.pk},
            403,
        ),
    ]
    before = (
        list(Organization.objects.values_list("pk", "name", "city").order_by("pk")),
        list(
            Worker.objects.values_list("pk", "name", "employer_id", "mobile_digest").order_by("pk")
        ),
        AuditLog.objects.count(),
    )
    for who, url, data, status in attempts:
        client = BrowserClient()
        client.force_login(world.users[who])
        assert client.post(url, data).status_code == status, (who, url)
    after = (
        list(Organization.objects.values_list("pk", "name", "city").order_by("pk")),
        list(
            Worker.objects.values_list("pk", "name", "employer_id", "mobile_digest").order_by("pk")
        ),
        AuditLog.objects.count(),
    )
    assert after == before


def test_every_form_page_has_a_post_row() -> None:
    """A page (a GET row) whose view takes a POST has its POST's row in its app's
    PAGE_POST_TABLE: a new form page without one fails the build."""
    views = route_views()
    pages = collected("PAGE_TABLE")
    posts = set(collected("PAGE_POST_TABLE"))
    form_pages = {
        route
        for route, (method, _) in pages.items()
        if method == "GET" and handles_post(views[route])
    }
    assert form_pages - posts - set(POST_ROW_EXEMPT) == set(), "form pages without a POST row"
    assert posts <= form_pages, "POST rows for pages whose view reads no POST"
    assert set(POST_ROW_EXEMPT) <= form_pages - posts, "exemptions that are no longer needed"


def test_handles_post_tells_form_pages_from_others() -> None:
    """The guard's detector can fail both ways: a page that only reads, a form page, and a
    form page whose POST is read by a helper of its module."""
    views = route_views()
    assert not handles_post(views["healthz"])
    assert not handles_post(views["workers/<int:pk>/"])
    assert handles_post(views["organizations/<int:pk>/edit/"])
    assert handles_post(views["competitions/<int:pk>/rounds/new/"])


def test_a_refused_write_that_changes_rows_fails_the_matrix(world: Any) -> None:
    """The matrix client's check can fail: a POST that writes, sent where the row expects a
    refusal, is reported with the tables it changed."""
    client = MatrixClient()
    client.force_login(world.users["staff_a"])
    client.refused_write = True
    with pytest.raises(AssertionError, match=r"changed rows of \['core.AuditLog'\]"):
        client.post("/accounts/logout/")  # signing out writes its audit row


def test_every_page_post_row_is_the_post_of_a_get_row() -> None:
    """A PAGE_POST_TABLE row is the write of a page whose GET row is in its app's PAGE_TABLE."""
    pages = collected("PAGE_TABLE")
    posts = collected("PAGE_POST_TABLE")
    assert posts, "no app declares the POST of its form pages"
    for route, row in posts.items():
        assert pages[route][0] == "GET", route
        outcomes(row)
