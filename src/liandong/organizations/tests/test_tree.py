"""The organization tree: materialized paths, one indexed query for a subtree whatever its
depth, coverage figures on a small tree worked out by hand, and the pages and API on top."""

from datetime import date
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from liandong.core.tests.client import BrowserClient
from liandong.organizations.models import PATH_STEP, Organization, path_segment
from liandong.organizations.selectors import organization_coverage, organization_subtree
from liandong.organizations.services import organization_create, organization_link_partner
from liandong.organizations.tests.factories import OrganizationFactory
from liandong.workers.services import worker_update
from liandong.workers.tests.factories import WorkerFactory

K = Organization.Kind
S = Organization.UnionStatus


def chain(depth: int) -> list[Organization]:
    """A root union and ``depth`` unions below it, each the child of the previous one."""
    nodes = [OrganizationFactory(kind=K.UNION)]
    for _ in range(depth):
        nodes.append(OrganizationFactory(kind=K.UNION, parent=nodes[-1]))
    return nodes


def test_paths_and_depths_after_creation(db: None) -> None:
    root, child, grandchild = chain(2)
    assert root.path == path_segment(root.pk) == str(root.pk).zfill(PATH_STEP)
    assert child.path == root.path + path_segment(child.pk)
    assert grandchild.path == child.path + path_segment(grandchild.pk)
    assert [root.depth, child.depth, grandchild.depth] == [0, 1, 2]
    assert grandchild.ancestor_ids == [root.pk, child.pk]
    assert root.ancestor_ids == []
    # As stored, not only as returned.
    assert Organization.objects.get(pk=grandchild.pk).path == grandchild.path


def test_an_outlet_belongs_to_an_enterprise(db: None) -> None:
    union = OrganizationFactory(kind=K.UNION)
    with pytest.raises(ValidationError) as refused:
        organization_create(actor=None, name="孤立网点", code="T-LONE", kind=K.OUTLET, parent=union)
    assert "parent" in refused.value.message_dict
    assert not Organization.objects.filter(code="T-LONE").exists()


@pytest.mark.parametrize("depth", [1, 3, 7])
def test_subtree_is_one_query_whatever_the_depth(
    db: None, depth: int, django_assert_num_queries: Any
) -> None:
    nodes = chain(depth)
    sibling = OrganizationFactory(kind=K.UNION)  # another root, outside
    with django_assert_num_queries(1):
        found = list(organization_subtree(root=nodes[0]))
    assert [o.pk for o in found] == [o.pk for o in nodes]
    with django_assert_num_queries(1):
        middle = list(organization_subtree(root=nodes[depth // 2 + 1 if depth > 1 else 1]))
    assert sibling not in found
    assert nodes[0] not in middle


def test_subtree_never_takes_in_a_neighbour_with_a_similar_path(db: None) -> None:
    """Fixed-width segments: node 1's subtree does not take in node 10, 11 or 100."""
    roots = [OrganizationFactory(kind=K.UNION) for _ in range(12)]
    first = roots[0]
    child = OrganizationFactory(kind=K.UNION, parent=first)
    assert {o.pk for o in organization_subtree(root=first)} == {first.pk, child.pk}
    for other in roots[1:]:
        assert {o.pk for o in organization_subtree(root=other)} == {other.pk}


def test_subtree_query_uses_the_path_index(db: None) -> None:
    root, *_ = chain(3)
    queryset = organization_subtree(root=root)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SET LOCAL enable_seqscan = off"
            )  # a tiny table would be scanned otherwise
        sql, params = queryset.query.sql_with_params()
        prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
        cursor.execute(prefix + sql, params)
        plan = "\n".join(str(row) for row in cursor.fetchall())
    if connection.vendor == "sqlite":
        assert "USING INDEX" in plan or "USING COVERING INDEX" in plan, plan
        assert "path>? AND path<?" in plan, plan
    else:
        assert "Index" in plan, plan
        assert "Index Cond: (((path)::text >=" in plan, plan


# ---------------------------------------------------------------------------------------------
# Coverage on a tree worked out by hand


@pytest.fixture
def tree(db: None) -> dict[str, Organization]:
    """
    R 市总工会 (union)
    ├── F 快递业工会联合会 (federation)
    │   ├── E1 顺达快递 (enterprise, founded)
    │   │   ├── O1 城关网点 (covered)   workers: 2, members 1
    │   │   └── O2 七里河网点 (none)     workers: 1
    │   └── E2 迅达配送 (enterprise, none)
    │       └── O3 安宁站 (founded)     workers: 1, members 1
    └── E3 陆港物流 (enterprise, covered)  workers: 2, members 2
        └── O4 西固仓 (none)
    """

    def add(key: str, kind: str, parent: str | None, status: str = S.NONE) -> None:
        nodes[key] = organization_create(
            actor=None,
            name=f"节点{key}",
            code=f"TREE-{key}",
            kind=kind,
            parent=nodes[parent] if parent else None,
            union_status=status,
            city="兰州",
        )

    nodes: dict[str, Organization] = {}
    add("R", K.UNION, None)
    add("F", K.UNION_FEDERATION, "R")
    add("E1", K.ENTERPRISE, "F", S.FOUNDED)
    add("O1", K.OUTLET, "E1", S.COVERED)
    add("O2", K.OUTLET, "E1")
    add("E2", K.ENTERPRISE, "F")
    add("O3", K.OUTLET, "E2", S.FOUNDED)
    add("E3", K.ENTERPRISE, "R", S.COVERED)
    add("O4", K.OUTLET, "E3")
    joined = date(2025, 3, 1)
    WorkerFactory(employer=nodes["O1"], joined_union_on=joined)
    WorkerFactory(employer=nodes["O1"])
    WorkerFactory(employer=nodes["O2"])
    WorkerFactory(employer=nodes["O3"], joined_union_on=joined)
    WorkerFactory(employer=nodes["E3"], joined_union_on=joined)
    WorkerFactory(employer=nodes["E3"], joined_union_on=joined)
    return nodes


def test_coverage_of_the_whole_tree(
    tree: dict[str, Organization], django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(1):
        figures = organization_coverage(root=tree["R"])
    assert figures == {
        "unions": 2,
        "enterprises": 3,
        "enterprises_with_union": 2,
        "outlets": 4,
        "outlets_reached": 2,
        "workers": 6,
        "members": 4,
    }


def test_coverage_of_a_branch_and_a_leaf(tree: dict[str, Organization]) -> None:
    assert organization_coverage(root=tree["F"]) == {
        "unions": 1,
        "enterprises": 2,
        "enterprises_with_union": 1,
        "outlets": 3,
        "outlets_reached": 2,
        "workers": 4,
        "members": 2,
    }
    assert organization_coverage(root=tree["O2"]) == {
        "unions": 0,
        "enterprises": 0,
        "enterprises_with_union": 0,
        "outlets": 1,
        "outlets_reached": 0,
        "workers": 1,
        "members": 0,
    }


def test_coverage_follows_a_worker_who_moves_and_joins(tree: dict[str, Organization]) -> None:
    mover = tree["O2"].workers.get()
    worker_update(actor=None, worker=mover, employer=tree["E3"], joined_union_on=date(2026, 1, 5))
    assert organization_coverage(root=tree["F"])["workers"] == 3
    assert organization_coverage(root=tree["E3"])["workers"] == 3
    assert organization_coverage(root=tree["E3"])["members"] == 3
    assert organization_coverage(root=tree["R"])["workers"] == 6
    assert organization_coverage(root=tree["R"])["members"] == 5


def test_coverage_through_api_and_page(tree: dict[str, Organization], api_token: Any) -> None:
    from liandong.accounts.models import Role
    from liandong.accounts.tests.factories import UserFactory

    admin = UserFactory(username="tree_admin", role=Role.UNION_ADMIN, organization=tree["R"])
    body = BrowserClient().get(f"/api/v1/organizations/{tree['F'].pk}", **api_token(admin)).json()
    assert body["coverage"] == {
        "unions": 1,
        "enterprises": 2,
        "enterprises_with_union": 1,
        "enterprise_union_rate": 50.0,
        "outlets": 3,
        "outlets_reached": 2,
        "outlet_reach_rate": 66.7,
        "workers": 4,
        "members": 2,
        "membership_rate": 50.0,
    }
    page = BrowserClient()
    page.force_login(admin)
    html = page.get(f"/organizations/{tree['R'].pk}/").content.decode()
    assert "企业建会率 66.7%" in html
    assert "网点覆盖率 50.0%" in html
    assert "入会率 66.7%" in html
    # The tree below R shows each node's subtree total: F holds 4 workers, 2 of them members.
    assert f'href="/organizations/{tree["F"].pk}/">节点F</a>' in html
    assert "职工 4 人 · 会员 2 人" in html


@pytest.mark.parametrize("children", [1, 20])
def test_organization_page_queries_do_not_grow_with_children(
    db: None, children: int, django_assert_num_queries: Any
) -> None:
    from liandong.accounts.models import Role
    from liandong.accounts.tests.factories import UserFactory

    root = OrganizationFactory(kind=K.UNION)
    for _ in range(children):
        enterprise = OrganizationFactory(kind=K.ENTERPRISE, parent=root)
        OrganizationFactory(kind=K.OUTLET, parent=enterprise)
    admin = UserFactory(role=Role.UNION_ADMIN, organization=root)
    client = BrowserClient()
    client.force_login(admin)
    client.get(f"/organizations/{root.pk}/")
    # session, user, user's organization, the organization, displayed nodes, subtree counts,
    # coverage, partners (a root has no ancestors to fetch), the header's unread count
    with django_assert_num_queries(9):
        response = client.get(f"/organizations/{root.pk}/")
    assert response.content.decode().count('class="name"') == 2 * children


# ---------------------------------------------------------------------------------------------
# Partners


def test_partner_ids_show_only_partners_the_caller_may_see(world: Any, api_token: Any) -> None:
    association = OrganizationFactory(name="省快递协会", code="W-ASSOC", kind=K.ASSOCIATION)
    organization_link_partner(actor=None, union=world.union_a, partner=association)
    url = f"/api/v1/organizations/{world.union_a.pk}"
    staff = BrowserClient().get(url, **api_token(world.users["staff_a"])).json()
    assert sorted(staff["partner_ids"]) == sorted([world.authority.pk, association.pk])
    liaison = BrowserClient().get(url, **api_token(world.users["liaison"])).json()
    assert liaison["partner_ids"] == [world.authority.pk]
    # And the association itself is a 404 to the liaison.
    assert (
        BrowserClient()
        .get(f"/api/v1/organizations/{association.pk}", **api_token(world.users["liaison"]))
        .status_code
        == 404
    )


def test_a_liaison_sees_its_body_and_partner_unions_not_their_insides(
    world: Any, api_token: Any
) -> None:
    bearer = api_token(world.users["liaison"])
    names = {
        o["name"] for o in BrowserClient().get("/api/v1/organizations/", **bearer).json()["items"]
    }
    assert names == {world.authority.name, world.union_a.name}
    for hidden in (world.enterprise_a, world.outlet_a, world.province, world.union_b):
        assert (
            BrowserClient().get(f"/api/v1/organizations/{hidden.pk}", **bearer).status_code == 404
        )
    page = BrowserClient()
    page.force_login(world.users["liaison"])
    html = page.get(f"/organizations/{world.union_a.pk}/").content.decode()
    assert world.enterprise_a.name not in html
    assert world.outlet_a.name not in html
