"""Shared machinery of the permission matrices. Every app has a
``tests/test_permission_matrix.py`` with a ``PAGE_TABLE`` and an ``API_TABLE`` (one row per page
route and API operation of that app, one expected outcome per principal) and runs its rows
with the helpers here; core's completeness test collects all the tables, so a route or an
operation of any app without a row fails the build.

Each app's ``test_page``/``test_api`` is one call of ``run_page_row``/``run_api_row`` (parametrized
with ``over_pages``/``over_operations``): the runner signs every principal in (a session on
pages; a session and a bearer token on the API), asks the app's ``request(case)`` callback to
send that principal's request, checks the outcome and scans the answer for unmasked personal
data. What differs between apps (the URL, the body, fresh objects for writes, audited reveals,
records that must not change) is passed in as arguments.

An app's matrix module may also declare (all optional):
``PUBLIC_OPERATIONS``  operationIds answered without authentication (``auth=None``);
``UNMASKED_SCHEMAS``   response schemas that carry full ``id_number``/``mobile`` (audited reveals);
``REVEAL_OPERATIONS``  operationIds answering with such a schema;
``API_EXTRA_ROUTES``   Django routes under /api/v1/ that are not operations, with their status.

Principals come from the ``world`` fixture (src/liandong/conftest.py). Outcomes:
  200    answered                       201   created (API)
  login  302 to the login page          me    302 to /workers/me/
  home   302 to /                       org   302 to the user's own organization page
  bench  302 to the 工作台 /workbench/   judging  302 to 我的评分任务 /competitions/judging/
  done   302 anywhere but the login page (a page's write that went through)
  kept   200 to a page's POST that wrote nothing: its form back with the reason it was refused
         (a field outside the sender's scope, a stage that does not allow it), or a page that
         has no such form for the sender; like every refusal, it must change no row
  401 403 404 405                       the status, with a JSON {"detail": ...} on the API
"""

import io
import pkgutil
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from importlib.util import find_spec
from types import ModuleType
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection
from django.test import Client

from liandong.core.models import AuditLog
from liandong.core.tests.client import UNSAFE, BrowserClient, page_forms

PRINCIPALS = [
    "anonymous",
    "worker",
    "union_admin",
    "union_staff",
    "other_union_staff",
    "liaison",
    "enterprise_union",
    "judge",
    "province_admin",
]
USERNAME_KEY = {
    "worker": "worker_a",
    "union_admin": "admin_a",
    "union_staff": "staff_a",
    "other_union_staff": "staff_b",
    "liaison": "liaison",
    "enterprise_union": "enterprise_a",
    "judge": "judge",
    "province_admin": "province_admin",
}

# A number standing alone: not a run of digits inside a hex request id or a longer number
# (a 32-character hex id holds eleven decimal digits in a row now and then).
_ALONE_BEFORE, _ALONE_AFTER = rb"(?<![0-9A-Za-z])", rb"(?![0-9A-Za-z])"
PII = [
    re.compile(_ALONE_BEFORE + rb"\d{17}[\dXx]" + _ALONE_AFTER),
    re.compile(_ALONE_BEFORE + rb"1[3-9]\d{9}" + _ALONE_AFTER),
]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def outcomes(row: str) -> dict[str, str]:
    cells = row.split()
    assert len(cells) == len(PRINCIPALS), row
    return dict(zip(PRINCIPALS, cells, strict=True))


def response_bytes(response: Any) -> bytes:
    """The body, and for a workbook the text of every part inside it."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if response.get("Content-Type", "").startswith(XLSX) and body[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            return b"\n".join(archive.read(name) for name in archive.namelist())
    return body


def assert_no_pii(body: bytes, where: str) -> None:
    for pattern in PII:
        match = pattern.search(body)
        assert match is None, f"{where} shows unmasked personal data: {match.group()!r}"


_SAID = re.compile(
    r'class="(?:errorlist[^"]*|field-error[^"]*|form-errors|message[^"]*|error-message)"[^>]*>(.*?)</',
    re.S,
)


def what_the_page_says(response: Any) -> str:
    """The form errors and messages of an HTML answer (else the start of its main text), to
    explain an unexpected outcome."""
    if response.streaming or not response.get("Content-Type", "").startswith("text/html"):
        return ""
    html = response.content.decode()
    said = [re.sub(r"<[^>]+>|\s+", " ", text).strip() for text in _SAID.findall(html)]
    if not any(said):
        main = html.split("<main", 1)[-1]
        said = [re.sub(r"<[^>]+>|\s+", " ", main.split(">", 1)[-1]).strip()[:200]]
    return " | ".join(text for text in said if text)


def check_outcome(
    response: Any, expected: str, *, principal: str, world: Any, is_api: bool
) -> None:
    status = response.status_code
    location = response.get("Location", "")
    if expected in ("200", "201"):  # answered; 201 for an API operation that creates
        assert status == int(expected), (
            status,
            what_the_page_says(response) or response.content[:300],
        )
    elif expected == "login":
        assert status == 302, (status, location)
        assert location.startswith("/accounts/login/"), location
    elif expected == "me":
        assert (status, location) == (302, "/workers/me/")
    elif expected == "home":
        assert (status, location) == (302, "/")
    elif expected == "bench":
        assert (status, location) == (302, "/workbench/")
    elif expected == "judging":
        assert (status, location) == (302, "/competitions/judging/")
    elif expected == "kept":  # the database is compared by MatrixClient (REFUSED)
        assert status == 200, (status, what_the_page_says(response) or response.content[:300])
    elif expected == "done":
        assert status == 302, (status, what_the_page_says(response) or response.content[:300])
        assert not location.startswith("/accounts/login/"), location
    elif expected == "org":
        user = world.users[USERNAME_KEY[principal]]
        assert (status, location) == (302, f"/organizations/{user.organization_id}/")
    else:
        assert status == int(expected), (
            status,
            what_the_page_says(response) or response.content[:300],
        )
        if is_api:
            assert response["Content-Type"].startswith("application/json")
            assert set(response.json()) == {"detail"}


def run_row(case: Callable[[str], None]) -> None:
    """Every principal of one row; all mismatches are reported together."""
    mismatches = []
    for principal in PRINCIPALS:
        try:
            case(principal)
        except AssertionError as error:
            mismatches.append(f"{principal}: {str(error).splitlines()[0]}")
    assert not mismatches, "\n".join(mismatches)


def client_as(
    principal: str,
    world: Any,
    *,
    auth: str = "session",
    api_token: Callable[..., dict[str, str]] | None = None,
) -> tuple["MatrixClient", dict[str, str]]:
    """A client signed in as ``principal`` (by session, or by bearer token when ``auth`` is
    "bearer"), and the headers to send with each request."""
    client = MatrixClient()
    user = world.users.get(USERNAME_KEY.get(principal, ""))
    if user is None:
        return client, {}
    if auth == "bearer":
        assert api_token is not None
        return client, api_token(user)
    user.refresh_from_db()  # the session keeps the hash of the password as it is now
    client.force_login(user)
    return client, {}


def app_matrices() -> list[ModuleType]:
    """Every app's matrix modules, core's first: ``tests/test_permission_matrix.py`` and any
    ``tests/test_permission_matrix_<part>.py`` beside it (a part of an app with its own tables)."""
    modules = []
    for name in settings.INSTALLED_APPS:
        if not name.startswith("liandong.") or find_spec(f"{name}.tests") is None:
            continue
        tests = import_module(f"{name}.tests")
        found = sorted(
            info.name
            for info in pkgutil.iter_modules(tests.__path__)
            if info.name == "test_permission_matrix"
            or info.name.startswith("test_permission_matrix_")
        )
        modules += [import_module(f"{name}.tests.{module}") for module in found]
    return modules


def collected(attribute: str) -> dict[Any, Any] | set[Any]:
    """The union of one table (dict) or set over all apps' matrix modules; a key claimed by two
    apps is an error."""
    merged: dict[Any, Any] = {}
    as_set = False
    for module in app_matrices():
        value = getattr(module, attribute, None)
        if value is None:
            continue
        if isinstance(value, set):
            as_set = True
            value = dict.fromkeys(value)
        clash = set(merged) & set(value)
        assert not clash, f"{attribute}: rows claimed twice: {clash}"
        merged.update(value)
    return set(merged) if as_set else merged


# ---------------------------------------------------------------------------------------------
# The runner: one row of a PAGE_TABLE or API_TABLE, every principal.

AUTHS = ["session", "bearer"]


def over_pages(table: dict[str, tuple[str, str]]) -> Any:
    """Parametrizes a test over the routes of a PAGE_TABLE (argument ``route``)."""
    return pytest.mark.parametrize("route", list(table))


def over_operations(table: dict[tuple[str, str], str]) -> Callable[[Any], Any]:
    """Parametrizes a test over the operations of an API_TABLE (``operation``) and both ways of
    signing in (``auth``)."""

    def decorate(test: Any) -> Any:
        by_operation = pytest.mark.parametrize(
            "operation", list(table), ids=lambda op: f"{op[0]} {op[1]}"
        )
        return pytest.mark.parametrize("auth", AUTHS)(by_operation(test))

    return decorate


@dataclass
class Case:
    """One principal's request of one row: who asks, what they should get, and a client signed
    in as them (``headers`` carry the bearer token when ``auth`` is "bearer")."""

    principal: str
    expected: str
    method: str
    client: Client
    headers: dict[str, str]
    auth: str
    is_api: bool

    def send(self, url: str, data: Any = None) -> Any:
        """The row's request to ``url``: a GET, or ``data`` as a form POST on a page and as
        JSON on the API (POST or PATCH)."""
        if self.method == "GET":
            return self.client.get(url, **self.headers)
        if not self.is_api:
            assert self.method == "POST", self.method
            return self.client.post(url, {} if data is None else data)
        send = {"POST": self.client.post, "PATCH": self.client.patch}[self.method]
        return send(
            url, {} if data is None else data, content_type="application/json", **self.headers
        )


Request = Callable[[Case], Any]


def run_page_row(
    table: dict[str, tuple[str, str]],
    route: str,
    world: Any,
    request: Request,
    **checks: Any,
) -> None:
    """Every principal asks for one page route; ``checks`` as in ``check_case``."""
    method, row = table[route]
    expected = outcomes(row)

    def case(principal: str) -> None:
        client, headers = client_as(principal, world)
        check_case(
            Case(principal, expected[principal], method, client, headers, "session", False),
            request,
            world,
            **checks,
        )

    run_row(case)


def page_form_fields(
    url: str, world: Any, principal: str, values: dict[str, Any]
) -> dict[str, Any]:
    """The fields of the page's own POST form as ``principal`` (who may open the page) is shown
    it, with ``values`` typed over them, without the page's CSRF token: each principal's client
    sends its own token, so that a refusal is the permission's, never the CSRF check's."""
    client, _ = client_as(principal, world)
    page = client.get(url)
    assert page.status_code == 200, (url, principal, page.status_code)
    forms = [
        form
        for form in page_forms(page.content.decode())
        if form.action in ("", url) and set(values) <= form.names
    ]
    assert forms, f"{url} shows {principal} no POST form with the fields {sorted(values)}"
    fields = {**forms[0].fields, **values}
    fields.pop("csrfmiddlewaretoken", None)
    return fields


def run_page_post_row(
    table: dict[str, str],
    route: str,
    world: Any,
    url: str | Callable[[str], str],
    *,
    shown_to: str = "union_admin",
    values: dict[str, Any] | Callable[[str], dict[str, Any]] | None = None,
    ticked: Callable[[], dict[str, Any]] | None = None,
    **checks: Any,
) -> None:
    """Every principal POSTs the form that the page at ``url`` (a route of the PAGE_TABLE, whose
    row is its GET) shows ``shown_to``, with its real field names and ``values``, and the
    principal's own CSRF token. ``table`` (an app's PAGE_POST_TABLE) holds the POST's outcomes;
    a refused POST must change nothing (``check_case``).

    The form is read afresh for each principal (a fresh one-time token where the form carries
    one). ``url`` and ``values`` may be functions of the principal, for a write that each
    principal must try on a fresh object or with values of their own (a unique code, their own
    password). ``ticked`` returns what the person adds that ``page_forms`` leaves out of a
    page's fields: the uploads of its file inputs and the boxes they tick."""
    expected = outcomes(table[route])

    def case(principal: str) -> None:
        where = url(principal) if callable(url) else url
        typed = values(principal) if callable(values) else values or {}
        fields = page_form_fields(where, world, shown_to, typed)
        if ticked is not None:
            fields.update(ticked())
        client, headers = client_as(principal, world)
        check_case(
            Case(principal, expected[principal], "POST", client, headers, "session", False),
            lambda case: case.send(where, fields),
            world,
            **checks,
        )

    run_row(case)


def run_api_row(
    table: dict[tuple[str, str], str],
    operation: tuple[str, str],
    auth: str,
    world: Any,
    api_token: Callable[..., dict[str, str]],
    request: Request,
    **checks: Any,
) -> None:
    """Every principal calls one API operation, signed in by ``auth``; ``checks`` as in
    ``check_case``."""
    expected = outcomes(table[operation])

    def case(principal: str) -> None:
        client, headers = client_as(principal, world, auth=auth, api_token=api_token)
        check_case(
            Case(principal, expected[principal], operation[0], client, headers, auth, True),
            request,
            world,
            **checks,
        )

    run_row(case)


# The outcomes that refuse a write (the login redirect: when the principal is anonymous). A
# POST or PATCH so answered must leave every row of every table of the product as it was.
REFUSED = {
    "401",
    "403",
    "404",
    "405",
    "422",
    "429",
    "me",
    "home",
    "bench",
    "judging",
    "org",
    "kept",
}


def refuses(principal: str, expected: str) -> bool:
    return expected in REFUSED or (expected == "login" and principal == "anonymous")


def database_snapshot(*, but_audit: str | None = None) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every model of the product's apps, by model (audit rows of the action
    ``but_audit`` aside). The matrix's world holds a few dozen rows, so the whole database is
    cheaper to compare than to reason about which tables a refused request might touch."""
    models = [m for m in apps.get_models() if m.__module__.startswith("liandong.")]
    counts = row_counts(models)
    snapshot: dict[str, list[tuple[Any, ...]]] = {}
    for model, count in zip(models, counts, strict=True):
        # An empty table is known empty from the count: its rows are not asked for (a
        # snapshot asked ~150 tables one by one, a second of every refused write on PostgreSQL).
        if count or model is AuditLog:
            rows = model._default_manager.order_by("pk")
            if model is AuditLog and but_audit:
                rows = rows.exclude(action=but_audit)
            snapshot[model._meta.label] = list(rows.values_list())
        else:
            snapshot[model._meta.label] = []
    return snapshot


def row_counts(models: list[Any]) -> list[int]:
    """The number of rows of each model's table, in one statement."""
    quote = connection.ops.quote_name
    sql = " UNION ALL ".join(
        f"SELECT {i}, COUNT(*) FROM {quote(model._meta.db_table)}"  # noqa: S608 - model names
        for i, model in enumerate(models)
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        by_index = dict(cursor.fetchall())
    return [by_index[i] for i in range(len(models))]


class MatrixClient(BrowserClient):
    """The matrix's client: while ``refused_write`` is set (the row expects the write to be
    refused), each unsafe request it sends must leave every row of the database as it was.
    The snapshot is taken at the request itself, after the row has made its fresh objects."""

    refused_write = False
    refusal_audit: str | None = None  # an audit action that a refusal writes on purpose

    def generic(self, method: str, path: str, *args: Any, **kwargs: Any) -> Any:
        if method.upper() not in UNSAFE or not self.refused_write:
            return super().generic(method, path, *args, **kwargs)
        before = database_snapshot(but_audit=self.refusal_audit)
        response = super().generic(method, path, *args, **kwargs)
        after = database_snapshot(but_audit=self.refusal_audit)
        changed = sorted(label for label in after if after[label] != before[label])
        assert not changed, f"a refused {method} {path} changed rows of {changed}"
        return response


def check_case(
    case: Case,
    request: Request,
    world: Any,
    *,
    may_show_pii: bool | Callable[[str], bool] = False,
    audited: str | None = None,
    unchanged: Callable[[], Any] | None = None,
    scrub: Callable[[bytes], bytes] | None = None,
    refusal_audit: str | None = None,
) -> None:
    """Sends ``request(case)`` and checks the answer against ``case.expected``. Then:
    ``unchanged``   a snapshot of records the request must leave as they were;
    ``audited``     an audit action the request writes exactly once when answered (200), and
                    not at all otherwise (a reveal);
    ``may_show_pii`` True, or a function of the expected outcome returning True, when the
                    answer may carry full ID and mobile numbers: otherwise they must be masked;
    ``scrub``       removes from the body what is public on purpose before that scan;
    ``refusal_audit`` an audit action a refused write records on purpose (a failed sign-in).
    Whatever these say, a write the row refuses (``refuses``) must change no other row."""
    audit_rows = AuditLog.objects.filter(action=audited) if audited else None
    audit_before = audit_rows.count() if audit_rows is not None else 0
    snapshot = unchanged() if unchanged else None
    if isinstance(case.client, MatrixClient):
        case.client.refused_write = case.method != "GET" and refuses(case.principal, case.expected)
        case.client.refusal_audit = refusal_audit
    response = request(case)
    check_outcome(
        response, case.expected, principal=case.principal, world=world, is_api=case.is_api
    )
    if unchanged:
        assert unchanged() == snapshot, "the request changed records it must leave alone"
    if audit_rows is not None:
        written = audit_rows.count() - audit_before
        assert written == (1 if case.expected == "200" else 0), f"{written} {audited} rows"
    if callable(may_show_pii):
        may_show_pii = may_show_pii(case.expected)
    if not may_show_pii:
        body = response_bytes(response)
        where = f"{case.method} {response.request['PATH_INFO']} as {case.principal}"
        if case.is_api:
            where += f" ({case.auth})"
        assert_no_pii(scrub(body) if scrub else body, where)
