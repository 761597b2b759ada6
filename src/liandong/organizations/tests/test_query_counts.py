"""Exact statement counts of the organizations app's read paths, for one and for several
rows: the count must not grow with the rows shown."""

from typing import Any

import pytest

from liandong.core.tests.query_counts import ROWS, SIGNED_IN, measure
from liandong.organizations.tests.factories import EnterpriseFactory


@pytest.fixture
def admin(world: Any, login: Any) -> Any:
    return login(world.users["admin_a"])


def enterprises(world: Any, rows: int) -> None:
    """Union A has enterprise A already; ``rows`` enterprises in all."""
    EnterpriseFactory.create_batch(rows - 1, parent=world.union_a)


@pytest.mark.parametrize("rows", ROWS)
def test_organization_list_page(
    world: Any, admin: Any, django_assert_num_queries: Any, rows: int
) -> None:
    enterprises(world, rows)
    # + the page of organizations (with parent, one query).
    measure(admin, "/organizations/", SIGNED_IN + 1, django_assert_num_queries)


@pytest.mark.parametrize("rows", ROWS)
def test_organization_list_api(
    world: Any, admin: Any, django_assert_num_queries: Any, rows: int
) -> None:
    enterprises(world, rows)
    # + the page of organizations (with parent, one query).
    response = measure(
        admin, "/api/v1/organizations/?limit=100", SIGNED_IN + 1, django_assert_num_queries
    )
    assert len(response.json()["items"]) == 3 + rows  # union A, outlet A, the authority


@pytest.mark.parametrize("rows", ROWS)
def test_organization_detail_page(
    world: Any, admin: Any, django_assert_num_queries: Any, rows: int
) -> None:
    enterprises(world, rows)
    # + the organization, the two-level tree, its rolled-up totals, the coverage counts,
    # the ancestors, the partners.
    measure(admin, f"/organizations/{world.union_a.pk}/", SIGNED_IN + 6, django_assert_num_queries)


@pytest.mark.parametrize("rows", ROWS)
def test_organization_detail_api(
    world: Any, admin: Any, django_assert_num_queries: Any, rows: int
) -> None:
    enterprises(world, rows)
    # + the organization, the coverage counts, the partner ids.
    measure(
        admin, f"/api/v1/organizations/{world.union_a.pk}", SIGNED_IN + 3, django_assert_num_queries
    )


@pytest.mark.parametrize("rows", ROWS)
def test_tree_import_page_with_its_recent_imports(
    world: Any, admin: Any, django_assert_num_queries: Any, rows: int
) -> None:
    import io

    from openpyxl import Workbook

    from liandong.organizations.importing import organization_import

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["编码", "名称", "类型"])
    sheet.append(["Q-1", "某公司", "企业"])
    buffer = io.BytesIO()
    book.save(buffer)
    for _ in range(rows):
        buffer.seek(0)
        organization_import(
            actor=None, root=world.union_a, file=buffer, filename="x.xlsx", dry_run=True
        )
    # + the recent imports with where they went (the breadcrumb's organization is the user's,
    # loaded with them).
    measure(admin, "/organizations/imports/", SIGNED_IN + 1, django_assert_num_queries)
