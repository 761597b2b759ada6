"""Exact statement counts of the training app's hot read paths (the sessions page with its
figures, the library, and their API lists), for one and for several rows: the count must not
grow with the rows shown."""

from typing import Any

import pytest
from django.utils import timezone

from liandong.core.tests.query_counts import ROWS, SIGNED_IN, measure
from liandong.democracy.tests.factories import congress_setup
from liandong.training.hooks import year_figures
from liandong.training.models import Session
from liandong.training.services import attendance_mark
from liandong.training.tests.factories import (
    congress_key,
    make_document,
    make_lecturer,
    make_session,
)


@pytest.fixture
def admin(world: Any, login: Any) -> Any:
    return login(world.users["admin_a"])


def sessions(world: Any, rows: int) -> None:
    setup = congress_setup(world, delegates=3)
    staff = world.users["admin_a"]
    lecturer = make_lecturer(staff, world.union_a)
    for i in range(rows):
        session = make_session(
            staff,
            world.union_a,
            congress_key=congress_key(setup.congress),
            lecturers=[lecturer],
            topic=f"培训{i}",
        )
        attendance_mark(actor=staff, session=session, worker_ids=[setup.delegates[0].worker_id])


@pytest.mark.parametrize("rows", ROWS)
def test_sessions_page(world: Any, admin: Any, django_assert_num_queries: Any, rows: int) -> None:
    sessions(world, rows)
    # + figures (the totals: sessions, attendances and distinct delegates in one; per body;
    # the bodies' names), the lecturer count, the sessions with their counts and lecturers
    # (two), and the form's choices: bodies for the filter and the form, lecturers,
    # congresses with their delegates (two, through the hook), teaching points.
    # The year of the sessions (yesterday's): on January 1st the page's default year has none.
    year = timezone.localtime(Session.objects.latest("starts_at").starts_at).year
    measure(admin, f"/training/?year={year}", SIGNED_IN + 12, django_assert_num_queries)


@pytest.mark.parametrize("rows", ROWS)
def test_sessions_api(world: Any, admin: Any, django_assert_num_queries: Any, rows: int) -> None:
    sessions(world, rows)
    # + the sessions with their organization and counts, and their lecturers.
    response = measure(admin, "/api/v1/training/sessions", SIGNED_IN + 2, django_assert_num_queries)
    assert len(response.json()) == rows
    assert {s["attended"] for s in response.json()} == {1}


@pytest.mark.parametrize("rows", ROWS)
def test_library_page(world: Any, admin: Any, django_assert_num_queries: Any, rows: int) -> None:
    for i in range(rows):
        make_document(world.users["admin_a"], world.union_a, title=f"手册{i}")
    # + the documents with their version counts, and the form's bodies.
    measure(admin, "/training/library/", SIGNED_IN + 2, django_assert_num_queries)


@pytest.mark.parametrize("rows", ROWS)
def test_documents_api(world: Any, admin: Any, django_assert_num_queries: Any, rows: int) -> None:
    for i in range(rows):
        make_document(world.users["admin_a"], world.union_a, title=f"手册{i}")
    response = measure(
        admin, "/api/v1/training/documents", SIGNED_IN + 1, django_assert_num_queries
    )
    assert len(response.json()) == rows


@pytest.mark.parametrize("rows", ROWS)
def test_year_figures(world: Any, django_assert_num_queries: Any, rows: int) -> None:
    """The dashboard's hook for union A, whose sessions had delegates attend."""
    sessions(world, rows)
    year = timezone.localtime(Session.objects.latest("starts_at").starts_at).year
    # The sessions held, and the union's rows of the delegates-trained rollup (attendances
    # and distinct delegates), whatever the number of sessions.
    with django_assert_num_queries(2):
        figures = {f.label: f.value for f in year_figures(world.union_a, year)}
    assert figures == {"职工代表培训场次": rows, "职工代表参训人次": rows, "参训职工代表": 1}
