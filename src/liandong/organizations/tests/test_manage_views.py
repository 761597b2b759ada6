"""Adding and editing units through the pages."""

import pytest

from liandong.core.models import AuditLog
from liandong.organizations.models import Organization


@pytest.fixture
def staff_a(world, login):
    return login(world.users["staff_a"])


def test_staff_adds_an_enterprise_under_their_union(world, staff_a) -> None:
    response = staff_a.post(
        f"/organizations/{world.union_a.pk}/children/new/",
        {
            "name": "兰州顺达快递有限公司",
            "code": "NEW-1",
            "kind": "enterprise",
            "city": "兰州",
            "union_status": "founded",
            "union_founded_on": "2025-06-01",
        },
    )
    child = Organization.objects.get(code="NEW-1")
    assert response.status_code == 302
    assert response["Location"] == f"/organizations/{child.pk}/"
    assert child.parent_id == world.union_a.pk
    assert child.path.startswith(world.union_a.path)
    assert (
        AuditLog.objects.filter(action="organizations.created", target_id=str(child.pk)).count()
        == 1
    )


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"kind": "outlet"}, "kind", "选择一个有效的选项"),  # an outlet needs an enterprise parent
        ({"code": "W-EA"}, "code", "已存在"),
        ({"kind": "union", "union_status": "founded"}, "union_status", "只有企业、网点和行业协会"),
        ({"union_status": "none", "union_founded_on": "2025-01-01"}, "union_founded_on", "未建会"),
        ({"name": ""}, "name", "这个字段是必填项"),
    ],
)
def test_bad_input_is_explained_and_changes_nothing(world, staff_a, fields, field, message) -> None:
    before = Organization.objects.count()
    data = {
        "name": "新单位",
        "code": "NEW-2",
        "kind": "enterprise",
        "union_status": "none",
        **fields,
    }
    response = staff_a.post(f"/organizations/{world.union_a.pk}/children/new/", data)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert Organization.objects.count() == before


def test_staff_edits_union_status_and_it_is_audited(world, staff_a) -> None:
    response = staff_a.post(
        f"/organizations/{world.enterprise_a.pk}/edit/",
        {
            "name": world.enterprise_a.name,
            "short_name": "甲快递",
            "city": "兰州",
            "union_status": "covered",
        },
    )
    assert response.status_code == 302
    world.enterprise_a.refresh_from_db()
    assert world.enterprise_a.union_status == "covered"
    assert world.enterprise_a.code == "W-EA"  # fixed once made
    entry = AuditLog.objects.get(
        action="organizations.updated", target_id=str(world.enterprise_a.pk)
    )
    assert entry.changes["union_status"] == ["founded", "covered"]


def test_other_union_cannot_add_or_edit(world, login) -> None:
    client = login(world.users["staff_b"])
    assert client.get(f"/organizations/{world.union_a.pk}/children/new/").status_code == 404
    response = client.post(
        f"/organizations/{world.enterprise_a.pk}/edit/", {"name": "改名", "union_status": "none"}
    )
    assert response.status_code == 404
    world.enterprise_a.refresh_from_db()
    assert world.enterprise_a.name == "甲快递公司"


@pytest.mark.parametrize("user", ["liaison", "enterprise_a", "worker_a", "judge"])
def test_roles_that_do_not_maintain_the_tree_are_refused(world, login, user) -> None:
    client = login(world.users[user])
    response = client.post(
        f"/organizations/{world.enterprise_a.pk}/children/new/",
        {"name": "网点", "code": "NEW-3", "kind": "outlet", "union_status": "none"},
    )
    assert response.status_code in {403, 404}
    assert not Organization.objects.filter(code="NEW-3").exists()
