"""Exact statement counts of the democracy app's hot read paths (congresses and proposals, as
pages and through the API), for one and for several rows: the count must not grow with the
rows shown."""

from datetime import timedelta
from typing import Any

import pytest

from liandong.core.tests.query_counts import ROWS, SIGNED_IN, measure
from liandong.democracy.services import congress_open, contract_sign, negotiation_create
from liandong.democracy.tests.factories import congress_setup, submitted_proposal


@pytest.fixture
def admin(world: Any, login: Any) -> Any:
    return login(world.users["admin_a"])


def proposals(world: Any, rows: int, *, cosigners: int = 0) -> Any:
    setup = congress_setup(world, delegates=5)
    congress_open(actor=setup.manager, congress=setup.congress)
    return [submitted_proposal(setup, cosigners=cosigners, title=f"提案{i}") for i in range(rows)]


@pytest.mark.parametrize("rows", ROWS)
def test_congress_list_page(
    world: Any, admin: Any, django_assert_num_queries: Any, rows: int
) -> None:
    for _ in range(rows):
        congress_setup(world, delegates=1)
    # + the staff home's figures: proposal tallies, negotiations with their contracts,
    # disclosures; the congresses, the enterprises offered, the teaching points.
    measure(admin, "/democracy/", SIGNED_IN + 6, django_assert_num_queries)


@pytest.mark.parametrize("rows", ROWS)
def test_congress_list_api(
    world: Any, admin: Any, django_assert_num_queries: Any, rows: int
) -> None:
    for _ in range(rows):
        congress_setup(world, delegates=1)
    # + the congresses with their enterprise (a plain list, one query).
    response = measure(
        admin, "/api/v1/democracy/congresses", SIGNED_IN + 1, django_assert_num_queries
    )
    assert len(response.json()) == rows


@pytest.mark.parametrize("rows", ROWS)
def test_congress_detail_page(
    world: Any, admin: Any, django_assert_num_queries: Any, rows: int
) -> None:
    """A congress with ``rows`` delegates and ``rows`` proposals."""
    setup = congress_setup(world, delegates=rows)
    congress_open(actor=setup.manager, congress=setup.congress)
    for i in range(rows):
        submitted_proposal(setup, title=f"提案{i}")
    # + the visible congress, the congress, the delegate count, the frontline count, the
    # enterprise, the proposals, the agenda, the delegates, the workers offered as delegates.
    measure(
        admin,
        f"/democracy/congresses/{setup.congress.pk}/",
        SIGNED_IN + 9,
        django_assert_num_queries,
    )


@pytest.mark.parametrize("rows", ROWS)
def test_proposal_list_page(
    world: Any, admin: Any, django_assert_num_queries: Any, rows: int
) -> None:
    proposals(world, rows)
    # + the enterprises in scope, the page of proposals (congress, proposer in one query).
    response = measure(admin, "/democracy/proposals/", SIGNED_IN + 2, django_assert_num_queries)
    assert "提案0" in response.content.decode()


@pytest.mark.parametrize("rows", ROWS)
def test_proposal_list_api(
    world: Any, admin: Any, django_assert_num_queries: Any, rows: int
) -> None:
    proposals(world, rows)
    # + the enterprises in scope, the page of proposals (congress, proposer in one query).
    response = measure(
        admin, "/api/v1/democracy/proposals", SIGNED_IN + 2, django_assert_num_queries
    )
    assert len(response.json()["items"]) == rows


@pytest.mark.parametrize("rows", ROWS)
def test_proposal_detail_page(
    world: Any, admin: Any, django_assert_num_queries: Any, rows: int
) -> None:
    """A proposal with ``rows`` co-signers."""
    [proposal] = proposals(world, 1, cosigners=rows)
    # + the enterprises in scope, the proposal, its co-signatures with the delegates; the
    # delivery status (its outbox rows, its inbox counts).
    measure(admin, f"/democracy/proposals/{proposal.pk}/", SIGNED_IN + 5, django_assert_num_queries)


@pytest.mark.parametrize("rows", ROWS)
def test_proposal_detail_api(
    world: Any, admin: Any, django_assert_num_queries: Any, rows: int
) -> None:
    [proposal] = proposals(world, 1, cosigners=rows)
    url = f"/api/v1/democracy/proposals/{proposal.pk}"
    # + the enterprises in scope, the proposal (co-signer count in the same query).
    measure(admin, url, SIGNED_IN + 2, django_assert_num_queries)


@pytest.mark.parametrize("rows", ROWS)
def test_year_figures(world: Any, django_assert_num_queries: Any, rows: int) -> None:
    """The dashboard's hook for union A: proposals, and negotiations with their contracts."""
    from liandong.democracy.hooks import year_figures

    day = proposals(world, rows)[0].congress.held_on  # the tallies' year
    for i in range(rows):
        negotiation = negotiation_create(
            actor=world.users["staff_a"],
            organization=world.enterprise_a,
            title=f"工资协商{i}",
            union_side="工会",
            employer_side="企业",
            topics="工资",
            started_on=day,
        )
        contract_sign(
            actor=world.users["staff_a"],
            negotiation=negotiation,
            title=f"工资专项集体合同{i}",
            signed_on=day,
            effective_on=day,
            expires_on=day + timedelta(days=365),
            enterprises_covered=1,
            workers_covered=80,
        )
    # The proposal tallies; the negotiations with their contracts; the disclosures (before:
    # five, the contracts signed and in force and the negotiations each apart).
    with django_assert_num_queries(3):
        figures = {f.label: f.value for f in year_figures(world.union_a, day.year)}
    assert figures["征集职工代表提案"] == rows
    assert figures["集体合同覆盖职工"] == 80 * rows
