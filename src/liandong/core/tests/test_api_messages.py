"""The API's validation messages are Chinese in the same ``{"detail": [{"loc", "msg", "type"}]}``
shape everywhere: pydantic's English ("Field required", "Input should be a valid integer") is
translated (core/api_errors.py). A cheap "no English" check: no ASCII word of 3+ letters."""

import re
from typing import Any

import pytest
from django.test import Client

from liandong.core.api_errors import MESSAGES, chinese_message

ENGLISH_WORD = re.compile(r"[A-Za-z]{3,}")


@pytest.fixture
def bearer(world: Any, api_token: Any) -> dict[str, str]:
    return api_token(world.users["province_admin"])


def errors_of(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 422, response.content[:300]
    body = response.json()
    assert set(body) == {"detail"}, body
    assert isinstance(body["detail"], list), body
    for error in body["detail"]:
        assert {"loc", "msg", "type"} <= set(error), error
        assert not ENGLISH_WORD.search(error["msg"]), error
        assert "error" not in error.get("ctx", {}), error
    return body["detail"]


def post(client: Client, path: str, body: Any, bearer: dict[str, str]) -> Any:
    return client.post(path, body, content_type="application/json", **bearer)


BAD_BODIES = [
    # (path, body, [(field, expected message)])
    ("/api/v1/auth/token", {}, [("username", "此项为必填项")]),
    ("/api/v1/auth/token", {"username": 1, "password": []}, [("username", "请输入文本")]),
    (
        "/api/v1/public/demands",
        {"content": "x" * 6000, "mobile": "13900000000", "category": "nope"},
        [("category", "不是可选的值")],
    ),
    (
        "/api/v1/meetings/mechanisms",
        {"name": "x" * 200, "industry": "快递", "convening_union_id": "abc"},
        [("name", "不能超过 120 个字符"), ("convening_union_id", "请输入整数")],
    ),
    (
        "/api/v1/meetings/mechanisms",
        {"name": "机制", "industry": "快递", "convening_union_id": 1, "member_ids": [2**70]},
        [("member_ids", "不能大于 9223372036854775807")],
    ),
    (
        "/api/v1/democracy/proposals",
        {"congress": 1.5, "title": "t", "reasons": "r", "measures": "m", "category": "nope"},
        [("congress", "请输入整数"), ("category", "不是可选的值")],
    ),
    ("/api/v1/activities/", {"starts_at": "tomorrow", "title": []}, [("title", "请输入文本")]),
]


@pytest.mark.parametrize(("path", "body", "expected"), BAD_BODIES)
def test_validation_messages_are_chinese(
    world: Any, bearer: dict[str, str], path: str, body: Any, expected: list[tuple[str, str]]
) -> None:
    errors = errors_of(post(Client(), path, body, bearer))
    found = {
        (str(e["loc"][-1]) if e["loc"][-1] != 0 else str(e["loc"][-2]), e["msg"]) for e in errors
    }
    for field, message in expected:
        assert any(f == field and m.startswith(message) for f, m in found), (field, found)


@pytest.mark.parametrize(
    "query",
    ["limit=abc", "cursor=1.5", "year=3000", "year=abc", "state=nope", "body=x"],
)
def test_query_messages_are_chinese(world: Any, bearer: dict[str, str], query: str) -> None:
    for path in ["/api/v1/demands/", "/api/v1/activities/", "/api/v1/meetings/items"]:
        response = Client().get(f"{path}?{query}", **bearer)
        if response.status_code == 422:
            errors_of(response)


def test_a_year_out_of_range_is_a_chinese_422(world: Any, bearer: dict[str, str]) -> None:
    # The path is checked before the mechanism is looked up.
    for year in (0, 1999, 2101, 10000):
        errors = errors_of(Client().get(f"/api/v1/meetings/mechanisms/1/summary/{year}", **bearer))
        assert [e["loc"] for e in errors] == [["path", "year"]]


def test_a_multipart_body_without_boundary_is_a_400(world: Any, bearer: dict[str, str]) -> None:
    response = Client().post(
        "/api/v1/workers/imports",
        b'--x\r\nContent-Disposition: form-data; name="organization"\r\n\r\n1\r\n--x--\r\n',
        content_type="multipart/form-data",
        **bearer,
    )
    assert response.status_code == 400, response.content
    assert set(response.json()) == {"detail"}
    assert not ENGLISH_WORD.search(response.json()["detail"])


def test_malformed_json_is_chinese(world: Any, bearer: dict[str, str]) -> None:
    response = Client().post("/api/v1/auth/token", "{bad", content_type="application/json")
    assert 400 <= response.status_code < 500
    assert not ENGLISH_WORD.search(str(response.json()["detail"])), response.json()


@pytest.mark.parametrize("error_type", sorted(MESSAGES))
def test_every_message_fills_its_context(error_type: str) -> None:
    ctx = {
        "max_length": 5,
        "min_length": 1,
        "gt": 0,
        "ge": 0,
        "lt": 9,
        "le": 9,
        "multiple_of": 2,
        "max_digits": 8,
        "decimal_places": 2,
        "whole_digits": 6,
        "expected": "'a' or 'b'",
    }
    message = chinese_message({"type": error_type, "ctx": ctx, "msg": "Some English"})
    assert "{" not in message
    assert not ENGLISH_WORD.search(message.replace("http", "").replace("https", ""))


def test_unknown_types_and_english_value_errors_fall_back_to_chinese() -> None:
    assert chinese_message({"type": "brand_new", "msg": "Input is odd"}) == "输入无效"
    assert (
        chinese_message({"type": "value_error", "msg": "Value error, bad", "ctx": {"error": "bad"}})
        == "输入无效"
    )
    assert (
        chinese_message(
            {
                "type": "value_error",
                "msg": "Value error, 数值超出范围",
                "ctx": {"error": "数值超出范围"},
            }
        )
        == "数值超出范围"
    )
