"""Permission matrix of account management, invitations and one's own profile (issue 14): one
row per new page route and API operation (the completeness test in
core/tests/test_permission_matrix.py collects these tables; the sign-in, audit-log and
password pages keep their rows there), each run for every principal, pages and API with session
and bearer. The accounts asked for lie in union A's subtree; writes that would use up a target
(disable, enable, invite, revoke) get a fresh one for each principal. Outcomes are explained in
core/tests/matrix.py."""

from collections.abc import Callable
from itertools import count
from typing import Any

import pytest

from liandong.accounts import services
from liandong.accounts.models import Role, User
from liandong.accounts.tests.factories import UserFactory
from liandong.core.tests.matrix import (
    Case,
    over_operations,
    over_pages,
    run_api_row,
    run_page_post_row,
    run_page_row,
)

pytestmark = pytest.mark.usefixtures("no_pii_in_logs")

MANAGE_GET = "login 403   200   403   403    403     403   403   200"
MANAGE_POST = "login 403   done  403   403    403     403   403   done"
OWN_PROFILE = "login 403   200   200   200    200     200   200   200"

PAGE_TABLE: dict[str, tuple[str, str]] = {
    # route (Django pattern)                  method  anon  worker admin staff staffB liaison ent  judge prov
    "accounts/profile/": ("GET", OWN_PROFILE),
    "accounts/profile/mobile/": ("GET", OWN_PROFILE),
    "accounts/invitation/": ("GET", "200   200   200   200   200    200     200   200   200"),
    "accounts/users/": ("GET", MANAGE_GET),
    "accounts/users/new/": ("GET", MANAGE_GET),
    "accounts/users/<int:pk>/": ("GET", MANAGE_GET),
    "accounts/users/<int:pk>/edit/": ("GET", MANAGE_GET),
    "accounts/users/<int:pk>/disable/": ("POST", MANAGE_POST),
    "accounts/users/<int:pk>/enable/": ("POST", MANAGE_POST),
    # A link to be passed on is shown on the answer itself (200).
    "accounts/users/<int:pk>/invite/": ("POST", MANAGE_GET),
    "accounts/users/<int:pk>/revoke/": ("POST", MANAGE_POST),
}
PAGE_POST_TABLE: dict[str, str] = {
    # the POST of a page whose GET row is above  anon  worker admin staff staffB liaison ent  judge prov
    # The administrator creates the account and is shown its link; the province's gets the
    # form back (the username is taken by then).
    "accounts/users/new/": MANAGE_GET,
    "accounts/users/<int:pk>/edit/": MANAGE_POST,
    "accounts/profile/": "login 403   done  done  done   done    done  done  done",
    # A malformed number comes back with its error.
    "accounts/profile/mobile/": OWN_PROFILE,
    # No valid token: the form comes back with the refusal, for anyone.
    "accounts/invitation/": "200   200   200   200   200    200     200   200   200",
}
FORM_VALUES: dict[str, dict[str, Any]] = {
    "accounts/users/new/": {
        "username": "matrix_new",
        "display_name": "矩阵新账号",
        "role": Role.UNION_STAFF,
        "channel": "show",
    },
    "accounts/users/<int:pk>/edit/": {"display_name": "矩阵改名"},
    "accounts/profile/": {"display_name": "矩阵本人"},
    "accounts/profile/mobile/": {"mobile": "abc", "code": "123456"},
    "accounts/invitation/": {"token": "no-such-token", "password1": "x", "password2": "x"},
}

API_MANAGE = "401 403  200   403   403    403     403  403   200"
A = "/api/v1/accounts"
API_TABLE: dict[tuple[str, str], str] = {
    # (method, OpenAPI path)                       anon worker admin staff staffB liaison ent judge prov
    ("GET", f"{A}/"): API_MANAGE,
    ("POST", f"{A}/"): API_MANAGE,
    ("GET", f"{A}/{{account_id}}"): API_MANAGE,
    ("PATCH", f"{A}/{{account_id}}"): API_MANAGE,
    ("POST", f"{A}/{{account_id}}/disable"): API_MANAGE,
    ("POST", f"{A}/{{account_id}}/enable"): API_MANAGE,
    ("POST", f"{A}/{{account_id}}/invite"): API_MANAGE,
    ("POST", f"{A}/{{account_id}}/revoke"): API_MANAGE,
}

# Request bodies that carry a full mobile: the number an administrator gives an account. No
# answer carries one (AccountOut has the masked number only).
UNMASKED_SCHEMAS = {"AccountIn", "AccountPatch"}

_serial = count()


def fresh_target(world: Any, route: str) -> User:
    """An account of union A in the state the write needs (disabled for enable, with an open
    link for revoke)."""
    account = UserFactory(
        username=f"target{next(_serial)}", role=Role.UNION_STAFF, organization=world.union_a
    )
    if route.endswith("enable/") or route.endswith("/enable"):
        User.objects.filter(pk=account.pk).update(is_active=False)
    if route.endswith("revoke/") or route.endswith("/revoke"):
        services.invitation_issue(
            actor=world.users["admin_a"], account=account, channel="show", base_url="http://t/"
        )
    return account


@pytest.fixture
def target(world: Any) -> User:
    return UserFactory(username="matrix_target", role=Role.UNION_STAFF, organization=world.union_a)


@over_pages(PAGE_TABLE)
def test_page(route: str, world: Any, target: User) -> None:
    method = PAGE_TABLE[route][0]

    def request(case: Case) -> Any:
        pk = fresh_target(world, route).pk if method == "POST" else target.pk
        url = "/" + route.replace("<int:pk>", str(pk))
        return case.send(url, {"channel": "show"} if route.endswith("invite/") else None)

    run_page_row(PAGE_TABLE, route, world, request)


@pytest.mark.parametrize("route", list(PAGE_POST_TABLE))
def test_page_post(route: str, world: Any, target: User) -> None:
    """The write a page's form sends, with its real fields and each principal's CSRF token."""
    url = "/" + route.replace("<int:pk>", str(target.pk))
    values = dict(FORM_VALUES[route])
    if route == "accounts/users/new/":
        values["organization"] = world.union_a.pk
    run_page_post_row(PAGE_POST_TABLE, route, world, url, values=values)


def api_body(path: str, case: Case) -> dict[str, Any]:
    if path == f"{A}/":
        return {
            "username": f"api_{case.principal}_{case.auth}",
            "display_name": "接口新账号",
            "role": Role.UNION_STAFF,
            "organization_id": None,
            "channel": "show",
        }
    if path.endswith("{account_id}"):
        return {"title": "接口职务"}
    if path.endswith("/invite"):
        return {"channel": "show"}
    return {}


@over_operations(API_TABLE)
def test_api(
    operation: tuple[str, str],
    auth: str,
    world: Any,
    target: User,
    api_token: Callable[..., dict[str, str]],
) -> None:
    path = operation[1]

    def request(case: Case) -> Any:
        pk = fresh_target(world, path).pk if operation[0] == "POST" else target.pk
        body = api_body(path, case)
        if path == f"{A}/":
            body["organization_id"] = world.union_a.pk
        return case.send(path.replace("{account_id}", str(pk)), body)

    run_api_row(API_TABLE, operation, auth, world, api_token, request)
