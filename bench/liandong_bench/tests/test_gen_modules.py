from liandong.accounts.models import User
from liandong.activities.models import Application
from liandong.demands.models import DemandAreaRollup, DemandIndustryRollup, DemandRollup
from liandong.demands.selectors import StatsFilters, demand_stats, rollup_of_union
from liandong.meetings.models import ActionItem
from liandong.reports import selectors as s
from liandong_bench.gen_data import BENCH_STAFF, gen_data
from liandong_bench.gen_modules import build_rollup, gen_modules


def test_every_module_gets_records_the_dashboard_counts(db: None) -> None:
    gen_data(scale=0.001, seed=7)
    counts = gen_modules(scale=0.01)
    assert counts["applications"] == Application.objects.count() > 0
    assert counts["items"] == ActionItem.objects.count() > 0
    rows = build_rollup(20_000)
    assert rows["DemandRollup"] == DemandRollup.objects.count() > 0
    assert rows["DemandIndustryRollup"] == DemandIndustryRollup.objects.count() > 0
    assert rows["DemandAreaRollup"] == DemandAreaRollup.objects.count() > 0
    user = User.objects.get(username=BENCH_STAFF)
    from django.utils import timezone

    filters = s.ReportFilters(year=timezone.localdate().year)
    data = s.union_dashboard(user.organization, filters, user=user, links=s.Links(True))
    charts = {c.key: c for c in data["charts"]}
    received = sum(r.values[0] or 0 for r in charts["demand-rates"].rows)
    assert 15_000 < received <= 20_000  # int() of each small cell's share loses some
    scanned, _ = demand_stats(
        rows=rollup_of_union(user.organization),
        filters=StatsFilters(start=filters.first, end=filters.last, group_by="month"),
    )
    assert received == scanned.received  # the area rows say what every body's rows say
    assert sum(r.values[-1] for r in charts["served"].rows) > 0
    assert any(r.values[0] for r in charts["contests"].rows)
    assert any(r.values[0] for r in charts["proposals"].rows)
    assert charts["mechanisms"].rows
    # Tenfold demands: no more rows than there are cells (here some empty cells fill).
    tenfold = build_rollup(200_000)
    assert all(tenfold[k] < 2 * rows[k] for k in rows)
