"""Permission matrix of the organization-tree import and export (organizations/importing.py):
one row per page route and API operation, run for every principal (core/tests/matrix.py's
``app_matrices`` collects these tables beside each app's test_permission_matrix.py; the
organization pages of before keep their rows in core's table).

Every row asks for union A's subtree: an import into union A (``into=W-A``), an export of
it, and a dry-run record of admin A's into union A. Union B's staff is a 404 there."""

import io
from collections.abc import Callable
from typing import Any

import pytest
from openpyxl import Workbook

from liandong.core.tests.matrix import (
    Case,
    Request,
    check_case,
    client_as,
    outcomes,
    over_operations,
    over_pages,
    page_form_fields,
    run_api_row,
    run_page_row,
    run_row,
)
from liandong.organizations.importing import organization_import
from liandong.organizations.models import OrganizationImport

PAGE_TABLE: dict[str, tuple[str, str]] = {
    # route (Django pattern)                  method  anon  worker admin staff staffB liaison ent  judge prov
    "organizations/imports/": ("GET", "login 403   200   200   200    403     403   403   200"),
    "organizations/imports/template.xlsx": (
        "GET",
        "login 403   200   200   200    403     403   403   200",
    ),
    "organizations/imports/<int:pk>/": (
        "GET",
        "login 404   200   200   404    404     404   404   200",
    ),
    "organizations/export.xlsx": ("GET", "login 403   200   200   404    403     403   403   200"),
}
# The upload form's POST (a dry run into union A): union B's staff gets the form back with
# "不在您的管辖范围内" on the 导入到 field, and nothing is imported.
PAGE_POST_TABLE: dict[str, str] = {
    "organizations/imports/": "login 403   done  done  200    403     403   403   done",
}
API_TABLE: dict[tuple[str, str], str] = {
    # (method, OpenAPI path)                         anon worker admin staff staffB liaison ent judge prov
    ("POST", "/api/v1/organizations/imports"): "401 403  200   200   404    403     403  403   200",
    (
        "GET",
        "/api/v1/organizations/imports/{import_id}",
    ): "401 404  200   200   404    404     404  404   200",
    ("GET", "/api/v1/organizations/export"): "401 403  200   200   404    403     403  403   200",
}


def tree_workbook() -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["编码", "名称", "上级编码", "类型"])
    sheet.append(["M-NEW", "矩阵新公司", "W-A", "企业"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


class Upload(io.BytesIO):
    """A file the test client reads whole each time it is sent (one per principal)."""

    name = "架构.xlsx"

    def read(self, size: int | None = -1) -> bytes:
        self.seek(0)
        return super().read()


@pytest.fixture
def record(world: Any) -> OrganizationImport:
    upload = io.BytesIO(tree_workbook())
    return organization_import(
        actor=world.users["admin_a"],
        root=world.union_a,
        file=upload,
        filename="架构.xlsx",
        dry_run=True,
    )


def page_url(route: str, record: OrganizationImport) -> str:
    if route == "organizations/export.xlsx":
        return "/organizations/export.xlsx?into=W-A"
    return "/" + route.replace("<int:pk>", str(record.pk))


@over_pages(PAGE_TABLE)
def test_page(route: str, world: Any, record: OrganizationImport) -> None:
    url = page_url(route, record)
    run_page_row(PAGE_TABLE, route, world, lambda case: case.send(url))


@pytest.mark.parametrize("route", list(PAGE_POST_TABLE))
def test_page_post(route: str, world: Any) -> None:
    """The upload form as the page shows it, with a workbook, each principal's CSRF token."""
    url = "/" + route
    fields = page_form_fields(url, world, "union_admin", {"into": "W-A"})
    fields |= {"file": Upload(tree_workbook()), "dry_run": "on"}
    expected = outcomes(PAGE_POST_TABLE[route])

    def case(principal: str) -> None:
        client, headers = client_as(principal, world)
        check_case(
            Case(principal, expected[principal], "POST", client, headers, "session", False),
            lambda case: case.send(url, fields),
            world,
            unchanged=lambda: list(OrganizationImport.objects.filter(organization__code="W-B")),
        )

    run_row(case)


def api_request(path: str, record: OrganizationImport) -> Request:
    def request(case: Case) -> Any:
        if path == "/api/v1/organizations/imports":
            upload = Upload(tree_workbook())
            return case.client.post(
                "/api/v1/organizations/imports",
                {"file": upload, "into": "W-A", "dry_run": "true"},
                **case.headers,
            )
        if path == "/api/v1/organizations/export":
            return case.send("/api/v1/organizations/export?into=W-A")
        return case.send(path.replace("{import_id}", str(record.pk)))

    return request


@over_operations(API_TABLE)
def test_api(
    operation: tuple[str, str],
    auth: str,
    world: Any,
    record: OrganizationImport,
    api_token: Callable[..., dict[str, str]],
) -> None:
    run_api_row(API_TABLE, operation, auth, world, api_token, api_request(operation[1], record))


def test_the_post_row_can_fail(world: Any) -> None:
    """Union B's staff is refused the import into union A, by the page as by the API."""
    client, _ = client_as("other_union_staff", world)
    page = client.post(
        "/organizations/imports/",
        {"file": Upload(tree_workbook()), "into": "W-A", "dry_run": "on"},
    )
    assert page.status_code == 200
    assert "不在您的管辖范围内" in page.content.decode()
    assert not OrganizationImport.objects.exists()
