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


def test_the_newer_modules_figures_are_counted_over_generated_records(db: None) -> None:
    """Volunteers, campaigns, outreach, training and mediation: each figure the dashboard shows
    for the province is counted over generated records (it was zero before they were built)."""
    from datetime import date

    from django.utils import timezone

    from liandong.campaigns.hooks import year_figures as campaign_figures
    from liandong.mediation.hooks import year_figures as mediation_figures
    from liandong.outreach.hooks import year_figures as outreach_figures
    from liandong.training.hooks import year_figures as training_figures
    from liandong.volunteers.hooks import year_figures as volunteer_figures

    gen_data(scale=0.001, seed=7)
    today = timezone.localdate()
    # Records are dated up to today: in the first days of January the year has too few days
    # behind it for every figure to be sure of a record, so the test builds the last year.
    year = today.year if today >= date(today.year, 1, 15) else today.year - 1
    counts = gen_modules(scale=0.05, year=year)
    root = User.objects.get(username=BENCH_STAFF).organization  # the province's union

    def values(figures: list) -> dict[str, float]:
        return {f.label: f.value for f in figures}

    volunteers = values(volunteer_figures(root, year))
    assert volunteers["志愿服务队"] == counts["volunteer_teams"] > 0
    assert volunteers["参加服务的志愿者"] > 0
    assert volunteers["志愿服务时长"] > 0
    assert volunteers["志愿服务人次"] > 0
    assert volunteers["志愿者培训"] == counts["volunteer_trainings"] > 0
    campaigns = values(campaign_figures(root, year))
    assert campaigns["开展专项行动"] == counts["campaigns"] > 0
    assert 0 < campaigns["揭榜任务完成"] < campaigns["任务被揭榜"] < counts["campaign_tasks"]
    assert campaigns["完成任务节点"] > 0
    assert campaigns["开展宣传活动"] > 0
    outreach = values(outreach_figures(root, year))
    assert outreach["联系重点企业"] > 0
    assert outreach["走访企业"] == counts["visits"] > 0
    assert outreach["有效协议"] > 0
    if year == today.year:  # the quarter is today's
        assert 0 < outreach["本季度已走访重点企业"] <= outreach["联系重点企业"]
    training = values(training_figures(root, year))
    assert training["职工代表培训场次"] > 0
    assert training["职工代表参训人次"] > training["参训职工代表"] > 0  # delegates attend again
    mediation = values(mediation_figures(root, year))
    assert mediation["受理调解案件"] == counts["mediation_cases"] > 0
    assert mediation["调解达成协议"] > 0
    assert mediation["转劳动仲裁"] > 0
    assert mediation["协议金额"] > 0
    assert 0 < mediation["期限内结案率"] <= 100
