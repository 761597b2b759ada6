"""The accounts API: the same rules as the pages, refusals as Chinese 4xx naming the field."""

from typing import Any

import pytest

from liandong.accounts.models import ApiToken, Invitation, Role, User
from liandong.core.tests.client import BrowserClient

pytestmark = pytest.mark.django_db
A = "/api/v1/accounts"


@pytest.fixture
def admin(world: Any, api_token: Any) -> tuple[BrowserClient, dict[str, str]]:
    return BrowserClient(), api_token(world.users["admin_a"])


def post(admin: Any, url: str, body: dict[str, Any]) -> Any:
    client, bearer = admin
    return client.post(url, body, content_type="application/json", **bearer)


def body(**fields: Any) -> dict[str, Any]:
    values = {"username": "api_new", "display_name": "接口新建", "role": "liaison"}
    values.update(fields)
    return values


def fields_of(response: Any) -> set[str]:
    return {item["loc"][-1] for item in response.json()["detail"]}


def test_create_then_read_update_disable_enable(world, admin) -> None:
    client, bearer = admin
    created = post(admin, f"{A}/", body(organization_id=world.authority.pk, mobile="13800003333"))
    assert created.status_code == 200, created.content
    data = created.json()
    assert data["invitation_link"].startswith("http://testserver/accounts/invitation/#")
    account = data["account"]
    assert account["mobile_masked"] == "138****3333"
    assert "13800003333" not in created.content.decode()
    pk = account["id"]
    assert client.get(f"{A}/{pk}", **bearer).json()["role"] == Role.LIAISON
    listed = client.get(f"{A}/?role=liaison&q=接口", **bearer).json()["items"]
    assert [a["id"] for a in listed] == [pk]
    patched = client.patch(
        f"{A}/{pk}", {"title": "处长", "is_leader": True}, content_type="application/json", **bearer
    )
    assert patched.status_code == 200
    assert (patched.json()["title"], patched.json()["is_leader"]) == ("处长", True)
    assert post(admin, f"{A}/{pk}/disable", {}).json()["is_active"] is False
    again = post(admin, f"{A}/{pk}/disable", {})
    assert again.status_code == 422
    assert "已经停用" in again.json()["detail"][0]["msg"]
    assert post(admin, f"{A}/{pk}/enable", {}).json()["is_active"] is True
    invited = post(admin, f"{A}/{pk}/invite", {"channel": "show"})
    assert invited.status_code == 200
    assert "#" in invited.json()["invitation_link"]
    assert Invitation.objects.filter(user_id=pk, revoked_at__isnull=True).count() == 1
    assert post(admin, f"{A}/{pk}/revoke", {}).status_code == 200
    assert not Invitation.objects.filter(user_id=pk, revoked_at__isnull=True).exists()


def test_refusals_name_the_field_and_change_nothing(world, admin) -> None:
    cases = [
        (body(organization_id=world.union_b.pk), "organization_id"),
        (body(role="worker", organization_id=world.authority.pk), "role"),
        (body(role="union_admin", organization_id=world.authority.pk), "organization_id"),
        (body(organization_id=world.authority.pk, username="admin_a"), "username"),
        (body(organization_id=world.authority.pk, channel="sms"), "channel"),
        (body(organization_id=world.authority.pk, mobile="123"), "mobile"),
        (body(organization_id=world.authority.pk, email="bad"), "email"),
    ]
    for payload, field in cases:
        response = post(admin, f"{A}/", payload)
        assert response.status_code == 422, (payload, response.content)
        assert field in fields_of(response), (field, response.json())
        assert any("\u4e00" <= ch <= "\u9fff" for ch in str(response.json()["detail"]))
    assert not User.objects.filter(username="api_new").exists()


def test_disabling_by_api_ends_the_tokens(world, admin, api_token) -> None:
    staff = world.users["staff_a"]
    bearer = api_token(staff)
    assert post(admin, f"{A}/{staff.pk}/disable", {}).status_code == 200
    assert not ApiToken.objects.filter(user=staff).exists()
    assert BrowserClient().get("/api/v1/me", **bearer).status_code == 401


def test_the_last_admin_by_api(world, api_token) -> None:
    bearer = api_token(world.users["province_admin"])
    response = BrowserClient().post(
        f"{A}/{world.users['admin_a'].pk}/disable", {}, content_type="application/json", **bearer
    )
    assert response.status_code == 422
    assert "最后一位" in response.json()["detail"][0]["msg"]
