"""Shared machinery of the permission matrices. Every app has a
``tests/test_permission_matrix.py`` with a ``PAGE_TABLE`` and an ``API_TABLE`` (one row per page
route and API operation of that app, one expected outcome per principal) and runs its rows
with the helpers here; core's completeness test collects all the tables, so a route or an
operation of any app without a row fails the build.

An app's matrix module may also declare (all optional):
``PUBLIC_OPERATIONS``  operationIds answered without authentication (``auth=None``);
``UNMASKED_SCHEMAS``   response schemas that carry full ``id_number``/``mobile`` (audited reveals);
``REVEAL_OPERATIONS``  operationIds answering with such a schema;
``API_EXTRA_ROUTES``   Django routes under /api/v1/ that are not operations, with their status.

Principals come from the ``world`` fixture (src/liandong/conftest.py). Outcomes:
  200    answered                       201   created (API)
  login  302 to the login page          me    302 to /workers/me/
  home   302 to /                       org   302 to the user's own organization page
  401 403 404 405                       the status, with a JSON {"detail": ...} on the API
"""

import io
import re
import zipfile
from collections.abc import Callable
from importlib import import_module
from importlib.util import find_spec
from types import ModuleType
from typing import Any

from django.conf import settings
from django.test import Client

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


def check_outcome(
    response: Any, expected: str, *, principal: str, world: Any, is_api: bool
) -> None:
    status = response.status_code
    location = response.get("Location", "")
    if expected in ("200", "201"):  # answered; 201 for an API operation that creates
        assert status == int(expected), (status, response.content[:300])
    elif expected == "login":
        assert status == 302, (status, location)
        assert location.startswith("/accounts/login/"), location
    elif expected == "me":
        assert (status, location) == (302, "/workers/me/")
    elif expected == "home":
        assert (status, location) == (302, "/")
    elif expected == "org":
        user = world.users[USERNAME_KEY[principal]]
        assert (status, location) == (302, f"/organizations/{user.organization_id}/")
    else:
        assert status == int(expected), (status, response.content[:300])
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
) -> tuple[Client, dict[str, str]]:
    """A client signed in as ``principal`` (by session, or by bearer token when ``auth`` is
    "bearer"), and the headers to send with each request."""
    client = Client()
    user = world.users.get(USERNAME_KEY.get(principal, ""))
    if user is None:
        return client, {}
    if auth == "bearer":
        assert api_token is not None
        return client, api_token(user)
    client.force_login(user)
    return client, {}


def app_matrices() -> list[ModuleType]:
    """Every app's matrix module, core's first."""
    modules = []
    for name in settings.INSTALLED_APPS:
        if (
            name.startswith("liandong.")
            and find_spec(f"{name}.tests.test_permission_matrix") is not None
        ):
            modules.append(import_module(f"{name}.tests.test_permission_matrix"))
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
