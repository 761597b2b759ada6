"""Each dashboard figure held to a hand count on small data, and to the number the module's
own selector (the year-end summary's figure) gives for the same scope and year."""

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from liandong.activities.models import (
    Activity,
    ActivityKind,
    Application,
    ApplicationStatus,
    BudgetLine,
    ServiceEntry,
)
from liandong.activities.services import tallies_recount
from liandong.competitions.models import Entrant, RoundEntry
from liandong.competitions.selectors import contests_of_year, entrants_by_body
from liandong.competitions.tests.factories import contest_setup
from liandong.demands.rollups import add_counts
from liandong.organizations.models import Organization
from liandong.organizations.selectors import organization_coverage
from liandong.reports.selectors import (
    Links,
    ReportFilters,
    contests_by_body,
    coverage,
    coverage_totals,
    demand_breaches_by_body,
    demand_cities,
    demand_rates_by_month,
    demand_top_categories,
    founding_by_month,
    funds_by_line,
    headline_figures,
    served_by_month,
    union_dashboard,
)
from liandong.workers.tests.factories import WorkerFactory

YEAR = 2026
LINKS = Links(True)


def figure(world: Any, label: str, year: int = YEAR) -> Any:
    found = [
        f
        for f in headline_figures(world.union_a, year, user=world.users["admin_a"])
        if f.label == label
    ]
    assert len(found) == 1, label
    return found[0].value


def rollup(
    month: date, body: Organization, category: str, city: str, industry: str = "快递", **counts: int
) -> None:
    """Counts as the demand services add them, to the three rollups."""
    add_counts(
        month=month, body_id=body.pk, category=category, city=city, industry=industry, **counts
    )


@pytest.fixture
def demands(world: Any) -> None:
    # January: 3 received at enterprise A (wages), 2 responded on time of 2 due, 1 breached.
    rollup(
        date(YEAR, 1, 1),
        world.enterprise_a,
        "wages",
        "兰州",
        received=3,
        response_due=2,
        responded_on_time=2,
        resolution_due=2,
        resolved=1,
        rated=1,
        satisfied=1,
        breached=1,
    )
    # March: 2 received at the authority (a partner of union A), safety, none resolved.
    rollup(
        date(YEAR, 3, 1),
        world.authority,
        "safety",
        "天水",
        received=2,
        response_due=2,
        responded_on_time=1,
        resolution_due=1,
        breached=2,
    )
    # Union B's enterprise: never in union A's figures.
    rollup(date(YEAR, 3, 1), world.enterprise_b, "wages", "天水", received=7)


def test_demand_rates_by_month_are_the_hand_counts(world: Any, demands: None) -> None:
    chart = demand_rates_by_month(world.union_a, ReportFilters(year=YEAR), LINKS)
    by_label = {row.label: row.values for row in chart.rows}
    assert by_label[f"{YEAR}年1月"][:4] == [3, 100.0, 50.0, 100.0]
    assert by_label[f"{YEAR}年3月"][:4] == [2, 50.0, 0.0, None]
    assert sum(values[0] for values in by_label.values()) == 5 == figure(world, "受理职工诉求")
    assert all(row.url.startswith("/demands/stats/") for row in chart.rows)


def test_demand_date_range_narrows_to_its_months(world: Any, demands: None) -> None:
    march = ReportFilters(year=YEAR, start=date(YEAR, 2, 1), end=date(YEAR, 12, 31))
    chart = demand_rates_by_month(world.union_a, march, LINKS)
    assert [row.values[0] for row in chart.rows] == [2]


def test_breaches_categories_and_cities(world: Any, demands: None) -> None:
    filters = ReportFilters(year=YEAR)
    breaches = demand_breaches_by_body(world.union_a, filters, LINKS)
    assert [(r.label, r.values[0]) for r in breaches.rows] == [
        (world.authority.name, 2),
        (world.enterprise_a.name, 1),
    ]
    assert "breached=yes" in breaches.rows[0].url
    categories = demand_top_categories(world.union_a, filters, LINKS)
    assert [r.values[0] for r in categories.rows] == [3, 2]
    cities = demand_cities(world.union_a, filters, LINKS)
    assert {r.label: r.values[0] for r in cities.rows} == {"兰州": 3, "天水": 2}


def test_coverage_and_founding_over_the_year(world: Any) -> None:
    Organization.objects.filter(pk=world.enterprise_a.pk).update(
        union_status=Organization.UnionStatus.FOUNDED,
        union_founded_on=date(YEAR, 4, 9),
        industry="快递",
    )
    Organization.objects.filter(pk=world.outlet_a.pk).update(
        union_status=Organization.UnionStatus.FOUNDED,
        union_founded_on=date(YEAR, 4, 20),
        industry="快递",
    )
    filters = ReportFilters(year=YEAR)
    founding = founding_by_month(world.union_a, filters, LINKS)
    assert [r.values[0] for r in founding.rows] == [0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0]
    assert founding.rows[-1].values[1] == 2
    total = organization_coverage(root=world.union_a)
    assert (total["enterprises"], total["enterprises_with_union"]) == (1, 1)
    chart = coverage(world.union_a, filters, LINKS)
    assert sum(r.values[1] for r in chart.rows) == total["enterprises_with_union"]
    assert sum(r.values[3] for r in chart.rows) == total["outlets_reached"] == 1
    # the cards read the industry rows' sum: the organization page's figures, to the number
    cards = coverage_totals(world.union_a, filters)
    assert {k: cards[k] for k in total} == total
    assert total["unions"] >= 1
    assert total["workers"] > 0
    cards = coverage_totals(world.union_a, ReportFilters(year=YEAR, industry="快递"))
    assert (cards["enterprises_with_union"], cards["outlets_reached"]) == (1, 1)
    assert cards["enterprise_rate"] == 100.0
    nothing = coverage_totals(world.union_a, ReportFilters(year=YEAR, industry="美发"))
    assert nothing["enterprises"] == 0


def test_people_served_by_month_add_up_to_the_year_figure(world: Any) -> None:
    today = timezone.localdate()
    year = today.year
    caravan = Activity.objects.create(
        title="爱心义剪",
        kind=ActivityKind.VOLUNTEER,
        organizer=world.union_a,
        starts_on=date(year, 5, 10),
        ends_on=date(year, 5, 10),
    )
    ServiceEntry.objects.create(activity=caravan, served_on=date(year, 5, 10), people=300)
    ServiceEntry.objects.create(activity=caravan, served_on=date(year, 5, 11), people=12)
    trip = Activity.objects.create(
        title="微疗养",
        kind=ActivityKind.RECUPERATION,
        organizer=world.enterprise_a,
        starts_on=date(year, 8, 1),
        ends_on=date(year, 8, 3),
        total_places=10,
    )
    for i, checked in enumerate([True, True, False]):
        Application.objects.create(
            activity=trip,
            worker=WorkerFactory(employer=world.outlet_a, name=f"职工{i}"),
            status=ApplicationStatus.SELECTED,
            checked_in_at=timezone.now() if checked else None,
        )
    tallies_recount(Activity.objects.filter(pk=trip.pk))  # rows made around the services
    other = Activity.objects.create(
        title="乙方活动",
        kind=ActivityKind.VOLUNTEER,
        organizer=world.union_b,
        starts_on=date(year, 5, 1),
        ends_on=date(year, 5, 1),
    )
    ServiceEntry.objects.create(activity=other, served_on=date(year, 5, 1), people=999)
    chart = served_by_month(world.union_a, ReportFilters(year=year), LINKS)
    totals = [r.values[-1] for r in chart.rows]
    assert (totals[4], totals[7], sum(totals)) == (312, 2, 314)
    assert sum(totals) == figure(world, "服务群众人次", year)


def test_funds_by_line(world: Any) -> None:
    line = BudgetLine.objects.create(
        owner=world.union_a, year=YEAR, source="union_funds", name="疗休养经费", amount=1000
    )
    BudgetLine.objects.filter(pk=line.pk).update(spent=Decimal("250"))
    BudgetLine.objects.create(
        owner=world.union_b, year=YEAR, source="union_funds", name="乙方经费", amount=5
    )
    chart = funds_by_line(world.union_a, ReportFilters(year=YEAR), LINKS)
    assert [r.values for r in chart.rows] == [[1000.0, 250.0, 25.0]]


def test_contests_by_body_match_the_year_figures(world: Any) -> None:
    setup = contest_setup(world)
    Entrant.objects.filter(contest=setup.contest).update(status=Entrant.Status.APPROVED)
    RoundEntry.objects.filter(entrant=setup.entrants[0]).update(advanced=True)
    year = setup.contest.starts_on.year
    chart = contests_by_body(world.union_a, ReportFilters(year=year), LINKS)
    entrants = sum(r.values[0] for r in chart.rows)
    assert entrants == len(setup.entrants) == figure(world, "参赛选手", year)
    assert sum(r.values[1] for r in chart.rows) == 1
    assert sum(r.values[2] for r in chart.rows) == 0 == figure(world, "获奖选手", year)


def test_contests_by_body_ranks_cuts_and_narrows_in_the_database(world: Any) -> None:
    """Bodies by entrants, most first (ties by name), at most 30 of them; the 行业 filter keeps
    the entrants whose registering body is of that industry (the enterprise: 快递; the
    union: none), before the cut."""
    setup = contest_setup(world)
    Entrant.objects.filter(contest=setup.contest).update(status=Entrant.Status.APPROVED)
    Entrant.objects.filter(pk=setup.entrants[0].pk).update(registered_by=world.enterprise_a)
    year = setup.contest.starts_on.year
    chart = contests_by_body(world.union_a, ReportFilters(year=year), LINKS)
    assert [(r.label, r.values[0]) for r in chart.rows] == [
        (world.union_a.name, 2),
        (world.enterprise_a.name, 1),
    ]
    narrowed = contests_by_body(world.union_a, ReportFilters(year=year, industry="快递"), LINKS)
    assert [(r.label, r.values[0]) for r in narrowed.rows] == [(world.enterprise_a.name, 1)]
    rows = entrants_by_body(contests_of_year(world.union_a, year), limit=1)
    assert [r["name"] for r in rows] == [world.union_a.name]


def test_liaison_gets_no_links(world: Any, demands: None) -> None:
    data = union_dashboard(
        world.union_a, ReportFilters(year=YEAR), user=world.users["liaison"], links=Links(False)
    )
    assert all(not f.url for f in data["figures"])
    assert all(not r.url for c in data["charts"] for r in c.rows)
    staff = union_dashboard(
        world.union_a, ReportFilters(year=YEAR), user=world.users["admin_a"], links=LINKS
    )
    assert any(r.url for c in staff["charts"] for r in c.rows)
    # The same charts, the same numbers, whoever looks.
    assert [[r.values for r in c.rows] for c in data["charts"]] == [
        [r.values for r in c.rows] for c in staff["charts"]
    ]


def test_a_year_without_records_is_all_zero(world: Any) -> None:
    data = union_dashboard(
        world.union_a,
        ReportFilters(year=YEAR - 5),
        user=world.users["admin_a"],
        links=LINKS,
    )
    served = next(c for c in data["charts"] if c.key == "served")
    assert served.rows
    assert all(r.values == [0] for r in served.rows)
    assert next(c for c in data["charts"] if c.key == "demand-rates").rows == []
