"""Exact statement counts of the mediation app's hot read paths (the case list with the year's
figures, a case, and their API), for one and for several rows: the count must not grow with
the rows shown."""

from typing import Any

import pytest
from django.utils import timezone

from liandong.accounts.tests.factories import UserFactory
from liandong.core.tests.query_counts import ROWS, SIGNED_IN, measure
from liandong.mediation import services
from liandong.mediation.models import Case, Party
from liandong.mediation.tests.conftest import open_case


@pytest.fixture
def admin(world: Any, login: Any) -> Any:
    return login(world.users["admin_a"])


def cases(world: Any, rows: int) -> None:
    """``rows`` open cases of union A, each with its own two parties."""
    for i in range(rows):
        open_case(
            world,
            summary=f"拖欠工资案{i}",
            applicant=services.PartyData(kind=Party.Kind.PERSON, name=f"申请人{i}"),
            respondent=services.PartyData(kind=Party.Kind.ENTERPRISE, name=f"网点{i}"),
        )


def worked_case(world: Any, rows: int) -> Case:
    """A case with ``rows`` mediators (union A's staff, each one also a candidate of the
    mediators' form) and ``rows`` sessions, each recorded by another of them."""
    case = open_case(world)
    mediators = [
        world.users["staff_a"],
        *(UserFactory(organization=world.union_a) for _ in range(rows - 1)),
    ]
    services.mediators_assign(actor=None, case=case, mediators=mediators)
    for i, mediator in enumerate(mediators):
        services.session_record(
            actor=mediator,
            case=case,
            held_on=timezone.localdate(),
            place=f"调解室{i}",
            attendees="双方当事人",
        )
    return case


# -- pages ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("rows", ROWS)
def test_case_list_page(world: Any, admin: Any, django_assert_num_queries: Any, rows: int) -> None:
    cases(world, rows)
    # + the cases with their union, their parties (one prefetch), the year's figures (one
    # aggregate).
    response = measure(admin, "/mediation/", SIGNED_IN + 3, django_assert_num_queries)
    assert len(response.context["cases"]) == rows
    assert f"申请人{rows - 1} 诉 网点{rows - 1}" in response.content.decode()


@pytest.mark.parametrize("rows", ROWS)
def test_case_detail_page(
    world: Any, admin: Any, django_assert_num_queries: Any, rows: int
) -> None:
    case = worked_case(world, rows)
    # + the case with its union; its parties; its mediators; the mediator candidates with
    # their union (before: one more query per candidate); the sessions with who recorded
    # them; the delivery status (its outbox rows, its inbox counts).
    response = measure(admin, f"/mediation/{case.pk}/", SIGNED_IN + 7, django_assert_num_queries)
    assert len(response.context["sessions"]) == rows
    assert len(response.context["mediators"]) == rows


# -- API ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("rows", ROWS)
def test_cases_api(world: Any, admin: Any, django_assert_num_queries: Any, rows: int) -> None:
    cases(world, rows)
    # + the page of cases with their union.
    url = "/api/v1/mediation/cases"
    response = measure(admin, url, SIGNED_IN + 1, django_assert_num_queries)
    assert len(response.json()["items"]) == rows


@pytest.mark.parametrize("rows", ROWS)
def test_case_api(world: Any, admin: Any, django_assert_num_queries: Any, rows: int) -> None:
    case = worked_case(world, rows)
    # + the case with its union; its parties; its mediators' ids; its sessions.
    url = f"/api/v1/mediation/cases/{case.pk}"
    response = measure(admin, url, SIGNED_IN + 4, django_assert_num_queries)
    assert len(response.json()["sessions"]) == rows
    assert len(response.json()["mediator_ids"]) == rows
