"""The API never answers 500: malformed or hostile input is a JSON ``{"detail": ...}`` with a
4xx status that names the field where there is one. (The schemathesis fuzz of every
operation is test_api_fuzz.py.)"""

import json
from typing import Any

import pytest

from liandong.core.tests.client import BrowserClient

PROTECTED = [
    ("get", "/api/v1/me"),
    ("get", "/api/v1/organizations/"),
    ("get", "/api/v1/organizations/1"),
    ("get", "/api/v1/workers/"),
    ("get", "/api/v1/workers/1"),
    ("post", "/api/v1/workers/1/reveal"),
    ("get", "/api/v1/workers/export"),
    ("post", "/api/v1/workers/imports"),
    ("get", "/api/v1/workers/imports/1"),
    ("get", "/api/v1/audit-log/"),
]


@pytest.fixture
def bearer(world: Any, api_token: Any) -> dict[str, str]:
    return api_token(world.users["province_admin"])


def detail(response: Any, status: int) -> Any:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert set(body) == {"detail"}, body
    return body["detail"]


def locs(errors: list[dict[str, Any]]) -> list[list[Any]]:
    return [error["loc"] for error in errors]


@pytest.mark.parametrize(("method", "path"), PROTECTED)
def test_missing_auth_is_401(db: None, method: str, path: str) -> None:
    response = getattr(BrowserClient(), method)(path)
    assert isinstance(detail(response, 401), str)


def test_malformed_json(world: Any, bearer: dict[str, str]) -> None:
    client = BrowserClient()
    for body in ["{bad", "", "[1, 2", '{"username": "a", "password": }', "\xff\xfe"]:
        response = client.post("/api/v1/auth/token", body, content_type="application/json")
        assert 400 <= response.status_code < 500
        detail(response, response.status_code)
    response = client.post(
        f"/api/v1/workers/{world.worker_a.pk}/reveal",
        "{",
        content_type="application/json",
        **bearer,
    )
    detail(response, 400)


def test_wrong_types_and_missing_fields_name_the_field(world: Any, bearer: dict[str, str]) -> None:
    client = BrowserClient()
    errors = detail(
        client.post(
            "/api/v1/auth/token", {"username": 1, "password": []}, content_type="application/json"
        ),
        422,
    )
    assert locs(errors) == [["body", "payload", "username"], ["body", "payload", "password"]]
    errors = detail(
        client.post("/api/v1/auth/token", {"username": "a"}, content_type="application/json"), 422
    )
    assert locs(errors) == [["body", "payload", "password"]]
    errors = detail(client.post("/api/v1/auth/token", [1, 2], content_type="application/json"), 422)
    assert errors
    errors = detail(
        client.post(
            f"/api/v1/workers/{world.worker_a.pk}/reveal",
            {"purpose": {"x": 1}},
            content_type="application/json",
            **bearer,
        ),
        422,
    )
    assert locs(errors) == [["body", "payload", "purpose"]]
    errors = detail(client.post("/api/v1/workers/imports", {"organization": "abc"}, **bearer), 422)
    assert ["file"] in [loc[-1:] for loc in locs(errors)]
    assert ["organization"] in [loc[-1:] for loc in locs(errors)]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/workers/",
        "/api/v1/organizations/",
        "/api/v1/audit-log/",
    ],
)
@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("cursor=abc", "cursor"),
        ("cursor=1.5", "cursor"),
        (f"cursor={10**30}", "cursor"),
        (f"cursor={2**63}", "cursor"),
        ("limit=abc", "limit"),
        (f"limit={10**40}", "limit"),
    ],
)
def test_bad_cursors_and_limits(
    world: Any, bearer: dict[str, str], path: str, query: str, field: str
) -> None:
    errors = detail(BrowserClient().get(f"{path}?{query}", **bearer), 422)
    assert locs(errors) == [["query", field]]


@pytest.mark.parametrize(
    "path", ["/api/v1/workers/", "/api/v1/organizations/", "/api/v1/audit-log/"]
)
def test_odd_but_valid_cursors_and_limits(world: Any, bearer: dict[str, str], path: str) -> None:
    client = BrowserClient()
    assert client.get(f"{path}?cursor=-1", **bearer).json()["items"] == []
    assert client.get(f"{path}?cursor=0", **bearer).json()["items"] == []
    assert client.get(f"{path}?cursor={2**63 - 1}", **bearer).status_code == 200
    assert len(client.get(f"{path}?limit=1000000", **bearer).json()["items"]) <= 100
    assert len(client.get(f"{path}?limit=-3", **bearer).json()["items"]) <= 1
    assert client.get(f"{path}?unknown=1&limit=2", **bearer).status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/workers/{big}",
        "/api/v1/organizations/{big}",
        "/api/v1/workers/imports/{big}",
        "/api/v1/workers/0",
        "/api/v1/organizations/-1",
    ],
)
def test_unknown_ids_are_404(world: Any, bearer: dict[str, str], path: str) -> None:
    for big in (10_000_000, 2**63 - 1, 2**63, 10**30):
        assert detail(BrowserClient().get(path.format(big=big), **bearer), 404) == "未找到"


def test_unknown_id_on_reveal_is_404_and_writes_nothing(world: Any, bearer: dict[str, str]) -> None:
    from liandong.core.models import AuditLog

    count = AuditLog.objects.count()
    detail(
        BrowserClient().post(
            "/api/v1/workers/99999999/reveal", {}, content_type="application/json", **bearer
        ),
        404,
    )
    assert AuditLog.objects.count() == count


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/workers/abc",
        "/api/v1/workers/1.5",
        "/api/v1/workers/%E7%8E%8B",
        "/api/v1/organizations/x",
        "/api/v1/workers/imports/x",
        "/api/v1/workers/1/reveal/x",
        "/api/v1/nothing-here",
        "/api/v1/",
        "/api/v2/workers/",
    ],
)
def test_paths_that_match_nothing_are_json_404(
    world: Any, bearer: dict[str, str], path: str
) -> None:
    detail(BrowserClient().get(path, **bearer), 404)


def test_pages_keep_their_html_404(world: Any) -> None:
    client = BrowserClient()
    client.force_login(world.users["staff_a"])
    response = client.get("/workers/abc/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/auth/token"),
        ("post", "/api/v1/me"),
        ("delete", "/api/v1/workers/1"),
        ("put", "/api/v1/organizations/"),
    ],
)
def test_wrong_method_is_405(world: Any, bearer: dict[str, str], method: str, path: str) -> None:
    response = getattr(BrowserClient(), method)(path, **bearer)
    assert response.status_code == 405
    assert response["Allow"]


@pytest.mark.parametrize(
    ("path", "param"),
    [
        ("/api/v1/workers/", "q"),
        ("/api/v1/workers/", "employer"),
        ("/api/v1/workers/", "city"),
        ("/api/v1/organizations/", "q"),
        ("/api/v1/organizations/", "kind"),
        ("/api/v1/audit-log/", "action"),
        ("/api/v1/audit-log/", "target_type"),
        ("/api/v1/audit-log/", "target_id"),
    ],
)
def test_nul_in_a_query_parameter_is_422(
    world: Any, bearer: dict[str, str], path: str, param: str
) -> None:
    """PostgreSQL text holds no NUL; it must be refused before it reaches the database."""
    errors = detail(BrowserClient().get(f"{path}?{param}=a%00b", **bearer), 422)
    assert locs(errors) == [["query", param]]


@pytest.mark.parametrize("value", ["a\u0000b", "\ud800"])
def test_unstorable_strings_in_a_body_are_422(
    world: Any, bearer: dict[str, str], value: str
) -> None:
    client = BrowserClient()
    raw = json.dumps({"username": value, "password": "x"})  # escapes survive as \u0000 / \ud800
    errors = detail(client.post("/api/v1/auth/token", raw, content_type="application/json"), 422)
    assert locs(errors) == [["body", "payload", "username"]]
    raw = json.dumps({"purpose": value})
    errors = detail(
        client.post(
            f"/api/v1/workers/{world.worker_a.pk}/reveal",
            raw,
            content_type="application/json",
            **bearer,
        ),
        422,
    )
    assert locs(errors) == [["body", "payload", "purpose"]]


def test_integer_filters_beyond_64_bits_are_422(world: Any, bearer: dict[str, str]) -> None:
    errors = detail(BrowserClient().get(f"/api/v1/organizations/?parent={10**25}", **bearer), 422)
    assert locs(errors) == [["query", "parent"]]
    errors = detail(BrowserClient().get(f"/api/v1/workers/?organization={10**25}", **bearer), 422)
    assert locs(errors) == [["query", "organization"]]


def test_pages_take_nul_in_the_query_string_without_a_500(world: Any) -> None:
    client = BrowserClient()
    client.force_login(world.users["province_admin"])
    for url in [
        "/organizations/?q=a%00",
        "/audit-log/?action=a%00",
        "/audit-log/?target=a%00:1",
        "/workers/?q=a%00",
        "/workers/?employer=%00",
    ]:
        assert client.get(url).status_code == 200, url


def test_an_oversized_body_is_413(world: Any) -> None:
    body = json.dumps({"username": "x" * 3_000_000, "password": "y"})
    assert isinstance(
        detail(
            BrowserClient().post("/api/v1/auth/token", body, content_type="application/json"), 413
        ),
        str,
    )


def test_a_form_body_where_json_is_expected(world: Any) -> None:
    response = BrowserClient().post("/api/v1/auth/token", {"username": "staff_a", "password": "x"})
    assert 400 <= response.status_code < 500
    detail(response, response.status_code)
