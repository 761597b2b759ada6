"""The dashboard's demand rollups (demands.DemandAreaRollup, DemandIndustryRollup): kept by the
demand services as records change, equal to a rebuild from the records, held to hand counts,
and giving the same figure as the statistics page and API (one selector: demand_stats)."""

from datetime import date
from typing import Any

import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.utils import timezone

from liandong.core.tests.client import BrowserClient
from liandong.demands.models import Demand, DemandAreaRollup
from liandong.demands.rollups import computed_rollups, stored_rollups
from liandong.demands.selectors import StatsFilters, demand_stats, rollup_of_union
from liandong.demands.services import (
    demand_accept,
    demand_assign,
    demand_rate,
    demand_resolve,
    demand_return,
    demand_transfer,
)
from liandong.demands.tests.conftest import _fresh_configuration, rules  # noqa: F401
from liandong.demands.tests.factories import make_demand
from liandong.reports.selectors import (
    Links,
    ReportFilters,
    demand_cities,
    demand_rates_by_month,
    demand_top_categories,
)


@pytest.fixture
def handled(world: Any, rules: Any) -> dict[str, Any]:  # noqa: F811
    """Five demands through the services: intake (routed by the rules), acceptance,
    resolution, a rating, a transfer and a return with a reassignment."""
    liaison, staff = world.users["liaison"], world.users["staff_a"]
    # 1. Courier wages in 兰州: to the authority (union A's partner); accepted, resolved, rated.
    one = make_demand()
    one = demand_accept(actor=liaison, demand=one, note="已联系网点核实。")
    one = demand_resolve(actor=liaison, demand=one, note="已补发派费。")
    demand_rate(demand=one, rating="satisfied")
    # 2. Courier safety in 天水: to enterprise A (union A's subtree); left open.
    make_demand(category="safety", city="天水")
    # 3. Ride-hailing wages: to union A itself (the catch-all rule).
    make_demand(industry="网约车", city="兰州")
    # 4. Courier wages, transferred from the authority to enterprise A.
    four = make_demand(city="天水")
    demand_transfer(actor=liaison, demand=four, body=world.enterprise_a, reason="企业内部问题")
    # 5. Courier wages, returned by the authority and assigned to enterprise A.
    five = make_demand()
    five = demand_return(actor=liaison, demand=five, reason="不属本单位")
    demand_assign(actor=staff, demand=five, body=world.enterprise_a, note="请企业处理")
    return {"one": one}


def test_the_rollups_after_the_services_equal_a_rebuild(world: Any, handled: Any) -> None:
    stored = stored_rollups()
    assert stored == computed_rollups()
    area = stored[2]
    assert area  # the services wrote area rows
    # Hand counts: union A's own rows (its subtree: enterprise A, union A; not the authority,
    # a partner outside it), this month, all industries and cities.
    month = timezone.localdate().replace(day=1)
    mine = {
        key[2]: counts
        for key, counts in area.items()
        if key[0] == world.union_a.pk and key[1] == month and key[3] == key[4] == "*"
    }
    assert mine["wages"]["received"] == 3  # 3 (union A), 4 and 5 (enterprise A)
    assert mine["safety"]["received"] == 1
    courier = sum(
        c["received"]
        for k, c in area.items()
        if k[0] == world.union_a.pk and k[3] == "快递" and k[4] == "*"
    )
    assert courier == 3  # 2, 4, 5
    # The authority's own area rows: demand 1, responded, resolved and rated satisfied.
    authority = area[(world.authority.pk, month, "wages", "*", "*")]
    assert authority["received"] == 1
    assert authority["resolved"] == authority["satisfied"] == authority["rated"] == 1


def test_rebuild_rollups_repairs_and_check_notices(world: Any, handled: Any) -> None:
    before = stored_rollups()
    DemandAreaRollup.objects.filter(area_id_key=world.union_a.pk).update(received=99)
    with pytest.raises(SystemExit):
        call_command("rebuild-rollups", "--check")
    call_command("rebuild-rollups")
    assert stored_rollups() == before
    call_command("rebuild-rollups", "--check")


@pytest.mark.parametrize("group_by", ["month", "category", "city", "body"])
@pytest.mark.parametrize("industry", ["", "快递"])
def test_the_union_figures_from_area_rows_equal_the_sums_over_its_bodies(
    world: Any, handled: Any, group_by: str, industry: str
) -> None:
    filters = StatsFilters(group_by=group_by, industry=industry)
    fast = demand_stats(union=world.union_a, filters=filters)
    scanned = demand_stats(rows=rollup_of_union(world.union_a), filters=filters)
    assert fast[0].counts == scanned[0].counts
    assert [(r.key, r.counts) for r in fast[1]] == [(r.key, r.counts) for r in scanned[1]]
    # The partner outside the subtree is counted (demand 1 went to the authority).
    assert fast[0].received == (5 if not industry else 4)


def test_each_dashboard_demand_figure_is_the_statistics_api_figure(
    world: Any, handled: Any
) -> None:
    client = BrowserClient()
    client.force_login(world.users["staff_a"])
    year = timezone.localdate().year
    start, end = date(year, 1, 1).isoformat(), date(year, 12, 31).isoformat()
    for industry in ("", "快递"):
        filters = ReportFilters(year=year, industry=industry)
        query = f"start={start}&end={end}" + (f"&industry={industry}" if industry else "")

        def api(group_by: str, query: str = query) -> dict[str, Any]:
            response = client.get(f"/api/v1/demands/stats?{query}&group_by={group_by}")
            assert response.status_code == 200
            return response.json()

        months = api("month")
        chart = demand_rates_by_month(world.union_a, filters, Links(True))
        assert [r.values[0] for r in chart.rows] == [r["received"] for r in months["rows"]]
        assert [r.values[2] for r in chart.rows] == [r["resolution_rate"] for r in months["rows"]]
        categories = {r["label"]: r["received"] for r in api("category")["rows"]}
        chart = demand_top_categories(world.union_a, filters, Links(True))
        assert {r.label: r.values[0] for r in chart.rows} == categories
        cities = {r["label"]: r["received"] for r in api("city")["rows"]}
        chart = demand_cities(world.union_a, filters, Links(True))
        assert {r.label: r.values[0] for r in chart.rows} == cities
        expected = {"": {"兰州": 3, "天水": 2}, "快递": {"兰州": 2, "天水": 2}}[industry]
        assert cities == expected


def test_a_unit_moved_by_the_tree_import_takes_its_rollup_rows_along(
    world: Any, handled: Any
) -> None:
    """Enterprise A (three demands, a delegate trained) moves, with a new union, under another
    new union; then a second import takes it out of both, back under union A: the area rows of
    the unions joined, then left, follow, so the stored rollups equal a rebuild after each
    (before the subtree_moved hook they kept the old unions' counts: ``rebuild-rollups
    --check`` failed)."""
    from liandong.democracy.tests.factories import congress_setup
    from liandong.organizations.importing import organization_import
    from liandong.organizations.tests.factories import UnionFactory
    from liandong.organizations.tests.test_tree_import import workbook
    from liandong.training import rollups as training_rollups
    from liandong.training.models import DelegateAreaRollup
    from liandong.training.selectors import figures_for
    from liandong.training.services import attendance_mark
    from liandong.training.tests.factories import congress_key, make_session

    staff = world.users["admin_a"]
    setup = congress_setup(world, delegates=1)
    session = make_session(staff, world.enterprise_a, congress_key=congress_key(setup.congress))
    attendance_mark(actor=staff, session=session, worker_ids=[setup.delegates[0].worker_id])
    first = UnionFactory(code="U-1", parent=world.union_a)
    second = UnionFactory(code="U-2", parent=world.union_a)
    enterprise = world.enterprise_a
    record = organization_import(
        actor=world.users["staff_a"],
        root=world.union_a,
        file=workbook(
            [
                (enterprise.code, enterprise.name, "U-1", "企业"),
                ("U-1", first.name, "U-2", "工会"),
            ]
        ),
        filename="架构.xlsx",
    )
    assert record.committed, record.errors
    assert record.rows_moved == 2
    assert stored_rollups() == computed_rollups()
    assert training_rollups.stored() == training_rollups.computed()
    call_command("rebuild-rollups", "--check")
    year = session.starts_at.year
    at_enterprise = Demand.objects.filter(body=enterprise).count()
    assert at_enterprise == 3
    for union in (first, second):  # they got the enterprise's records by the moves alone
        rows = DemandAreaRollup.objects.filter(area_id_key=union.pk, industry="*", city="*")
        assert rows.aggregate(n=Sum("received"))["n"] == at_enterprise
        assert figures_for(organization=union, year=year).delegates == 1

    # Out of U-1 and U-2 (the areas it leaves), back under union A.
    record = organization_import(
        actor=world.users["staff_a"],
        root=world.union_a,
        file=workbook([(enterprise.code, enterprise.name, world.union_a.code, "企业")]),
        filename="架构.xlsx",
    )
    assert record.committed, record.errors
    assert record.rows_moved == 1
    assert stored_rollups() == computed_rollups()
    assert training_rollups.stored() == training_rollups.computed()
    for union in (first, second):
        rows = DemandAreaRollup.objects.filter(area_id_key=union.pk, industry="*", city="*")
        assert not rows.aggregate(n=Sum("received"))["n"]
        assert figures_for(organization=union, year=year).delegates == 0
        assert not DelegateAreaRollup.objects.filter(area=union).exists()
    assert figures_for(organization=world.union_a, year=year).delegates == 1
