"""Permission matrix of the workbench app: the 工作台 is for every account that acts for an
organization (union staff get the union desk, a liaison or an enterprise union their body's
desk); workers and judges have their own start pages and get 403 here. The start page ``/``
itself keeps its row in core/tests/test_permission_matrix.py. Outcomes are explained in
core/tests/matrix.py."""

from typing import Any

import pytest

from liandong.core.tests.matrix import over_pages, run_page_row

pytestmark = pytest.mark.usefixtures("no_pii_in_logs")

PAGE_TABLE: dict[str, tuple[str, str]] = {
    # route          method  anon  worker admin staff staffB liaison ent  judge prov
    "workbench/": ("GET", "login 403   200   200   200    200     200   403   200"),
}
PAGE_POST_TABLE: dict[str, str] = {}
API_TABLE: dict[tuple[str, str], str] = {}


@over_pages(PAGE_TABLE)
def test_page(route: str, world: Any) -> None:
    run_page_row(PAGE_TABLE, route, world, lambda case: case.send("/" + route))
