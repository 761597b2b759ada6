"""Exact statement counts of the outreach app's hot read paths (the key enterprises with their
coverage, the visits, the agreements, a page of each, and their API), for one and for several
rows: the count must not grow with the rows shown. The first record of each kind comes from
the ``ow`` fixture (conftest.py)."""

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from liandong.accounts.tests.factories import UserFactory
from liandong.core.tests.query_counts import ROWS, SIGNED_IN, measure
from liandong.meetings.tests.conftest import held_meeting
from liandong.organizations.tests.factories import EnterpriseFactory
from liandong.outreach import services
from liandong.outreach.hooks import year_figures
from liandong.outreach.models import Agreement
from liandong.outreach.tests.conftest import OutreachWorld, problem_visit


@pytest.fixture
def admin(world: Any, login: Any) -> Any:
    return login(world.users["admin_a"])


def keys(world: Any, ow: OutreachWorld, rows: int) -> None:
    """``rows`` key enterprises of union A (the fixture's one, and more), each with its own
    leader and a visit that found a problem."""
    for i in range(rows - 1):
        leader = UserFactory(organization=world.union_a, display_name=f"领导{i}")
        key = services.key_enterprise_add(
            actor=None,
            union=world.union_a,
            enterprise=EnterpriseFactory(name=f"重点企业{i}", parent=world.union_a),
            leader=leader,
            area=f"片区{i}",
        )
        problem_visit(world, key)


def visits(world: Any, ow: OutreachWorld, rows: int) -> None:
    """``rows`` visits of the fixture's key enterprise (its problem visit, and more)."""
    for i in range(rows - 1):
        problem_visit(world, ow.key, problem=f"问题{i}")


def agreements(world: Any, ow: OutreachWorld, rows: int) -> None:
    """``rows`` agreements of union A (the fixture's one, and more), each with a body of the
    tree and an external one as parties, and a follow-up item."""
    staff = world.users["staff_a"]
    for i in range(rows - 1):
        services.agreement_create(
            actor=None,
            owner=world.union_a,
            title=f"合作协议{i}",
            kind=Agreement.Kind.COOPERATION,
            signed_on=timezone.localdate() - timedelta(days=10 + i),
            expires_on=timezone.localdate() + timedelta(days=300),
            staff=staff,
            parties=[world.union_a, world.enterprise_a],
            external_parties=[services.ExternalParty(f"境外工会{i}", "老挝")],
        )
    for agreement in Agreement.objects.all():
        follow_up(world, ow, agreement, "落实培训合作")


def follow_up(world: Any, ow: OutreachWorld, agreement: Agreement, resolution: str) -> None:
    services.agreement_follow_up(
        actor=world.users["staff_a"],
        agreement=agreement,
        meeting_id=ow.held.pk,
        resolution=resolution,
        lead_body=world.authority,
        deadline=timezone.localdate() + timedelta(days=30),
    )


# -- pages ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("rows", ROWS)
def test_key_list_page(
    world: Any, ow: OutreachWorld, admin: Any, django_assert_num_queries: Any, rows: int
) -> None:
    keys(world, ow, rows)
    # + the coverage (the totals over the key enterprises and their visits in one query, the
    # leaders' rows grouped in one, their names in one) and the list (the key enterprises
    # with their union, enterprise, leader and visit figures in one query).
    response = measure(admin, "/outreach/", SIGNED_IN + 4, django_assert_num_queries)
    assert len(response.context["rows"]) == rows


@pytest.mark.parametrize("rows", ROWS)
def test_key_detail_page(
    world: Any, ow: OutreachWorld, admin: Any, django_assert_num_queries: Any, rows: int
) -> None:
    visits(world, ow, rows)
    # + the key enterprise with its union, enterprise and leader; the leaders offered by the
    # form; the visits.
    response = measure(admin, f"/outreach/{ow.key.pk}/", SIGNED_IN + 3, django_assert_num_queries)
    assert len(response.context["visits"]) == rows


@pytest.mark.parametrize("rows", ROWS)
def test_visit_list_page(
    world: Any, ow: OutreachWorld, admin: Any, django_assert_num_queries: Any, rows: int
) -> None:
    keys(world, ow, rows)
    # + the visits with their key enterprise's enterprise and union.
    response = measure(admin, "/outreach/visits/", SIGNED_IN + 1, django_assert_num_queries)
    assert len(response.context["visits"]) == rows


@pytest.mark.parametrize("rows", ROWS)
def test_visit_detail_page(
    world: Any, ow: OutreachWorld, admin: Any, django_assert_num_queries: Any, rows: int
) -> None:
    """The fixture's problem visit, with ``rows`` held meetings to record it at."""
    for i in range(rows - 1):
        held_meeting(mechanism=ow.mechanism, host=world.union_a, title=f"会议{i}")
    url = f"/outreach/visits/{ow.visit.pk}/"
    # + the visit with its key enterprise; the held meetings offered (with their mechanism,
    # through the hook); the bodies offered as lead body.
    response = measure(admin, url, SIGNED_IN + 3, django_assert_num_queries)
    assert len(response.context["action_form"].fields["meeting"].choices) == rows + 1


@pytest.mark.parametrize("rows", ROWS)
def test_agreement_list_page(
    world: Any, ow: OutreachWorld, admin: Any, django_assert_num_queries: Any, rows: int
) -> None:
    agreements(world, ow, rows)
    # + the agreements with their owner and staff, their parties, the parties' bodies.
    response = measure(admin, "/outreach/agreements/", SIGNED_IN + 3, django_assert_num_queries)
    assert len(response.context["agreements"]) == rows


@pytest.mark.parametrize("rows", ROWS)
def test_agreement_detail_page(
    world: Any, ow: OutreachWorld, admin: Any, django_assert_num_queries: Any, rows: int
) -> None:
    """The fixture's agreement with ``rows`` follow-up items."""
    for i in range(rows):
        follow_up(world, ow, ow.agreement, f"跟进事项{i}")
    url = f"/outreach/agreements/{ow.agreement.pk}/"
    # + the agreement with its owner and staff; its parties with their bodies; its follow-ups;
    # the form's held meetings (with their mechanism, through the hook) and lead bodies.
    response = measure(admin, url, SIGNED_IN + 5, django_assert_num_queries)
    assert len(response.context["follow_ups"]) == rows


# -- API ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("rows", ROWS)
def test_coverage_api(
    world: Any, ow: OutreachWorld, admin: Any, django_assert_num_queries: Any, rows: int
) -> None:
    keys(world, ow, rows)
    # + the totals over the key enterprises and their visits (one query), the leaders' rows
    # (grouped in one) and their names (one).
    url = "/api/v1/outreach/coverage"
    response = measure(admin, url, SIGNED_IN + 3, django_assert_num_queries)
    assert response.json()["enterprises"] == rows


@pytest.mark.parametrize("rows", ROWS)
def test_key_enterprises_api(
    world: Any, ow: OutreachWorld, admin: Any, django_assert_num_queries: Any, rows: int
) -> None:
    keys(world, ow, rows)
    # + the key enterprises with their union, enterprise and leader.
    url = "/api/v1/outreach/key-enterprises"
    response = measure(admin, url, SIGNED_IN + 1, django_assert_num_queries)
    assert len(response.json()) == rows


@pytest.mark.parametrize("rows", ROWS)
def test_key_enterprise_api(
    world: Any, ow: OutreachWorld, admin: Any, django_assert_num_queries: Any, rows: int
) -> None:
    visits(world, ow, rows)
    # + the key enterprise with its union, enterprise and leader; its visits.
    url = f"/api/v1/outreach/key-enterprises/{ow.key.pk}"
    response = measure(admin, url, SIGNED_IN + 2, django_assert_num_queries)
    assert len(response.json()["visits"]) == rows


@pytest.mark.parametrize("rows", ROWS)
def test_agreements_api(
    world: Any, ow: OutreachWorld, admin: Any, django_assert_num_queries: Any, rows: int
) -> None:
    agreements(world, ow, rows)
    # + the agreements with their owner and staff, their parties with their bodies, their
    # follow-ups (before: two queries per agreement).
    url = "/api/v1/outreach/agreements"
    response = measure(admin, url, SIGNED_IN + 3, django_assert_num_queries)
    assert len(response.json()) == rows
    assert {len(a["follow_ups"]) for a in response.json()} == {1}


@pytest.mark.parametrize("rows", ROWS)
def test_year_figures(
    world: Any, ow: OutreachWorld, django_assert_num_queries: Any, rows: int
) -> None:
    """The dashboard's hook for union A, whose key enterprises each have a leader, a visit
    with a problem, and an agreement in force."""
    keys(world, ow, rows)
    agreements(world, ow, rows)
    year = ow.visit.visited_on.year
    # The key enterprises with their leaders and all their visit counts; the agreements in
    # force (before: the key enterprises, each leader apart, and three counts of visits).
    with django_assert_num_queries(2):
        figures = {f.label: f.value for f in year_figures(world.union_a, year)}
    assert figures["联系重点企业"] == rows
    assert figures["走访企业"] == rows
    assert figures["走访发现问题未解决"] == rows
    assert figures["有效协议"] == rows
