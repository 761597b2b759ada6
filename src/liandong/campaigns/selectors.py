"""Reads of campaigns: the measures on offer and the progress table (target against actual)."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Sum
from django.urls import reverse

from liandong.campaigns.models import REPORTED_MEASURES, Campaign, ProgressEntry, Target
from liandong.core.extensions import CampaignMeasure, hooks
from liandong.organizations.models import Organization, path_successor, subtree_q

RECORDS_LIMIT = 500


@dataclass(frozen=True)
class Measure:
    key: str
    label: str
    unit: str
    counted: CampaignMeasure | None  # None: reported by hand

    @property
    def source(self) -> str:
        return "系统记录自动统计" if self.counted else "人工填报"


def measures() -> dict[str, Measure]:
    """Every measure a target may name: those the installed apps count, then the reported."""
    found = {m.key: Measure(m.key, m.label, m.unit, m) for m in hooks("campaign_measures")}
    for key, (label, unit) in REPORTED_MEASURES.items():
        found[key] = Measure(key, label, unit, None)
    return found


def measure_choices() -> list[tuple[str, str]]:
    return [(m.key, f"{m.label}（{m.unit}，{m.source}）") for m in measures().values()]


def reported_choices() -> list[tuple[str, str]]:
    return [(k, f"{label}（{unit}）") for k, (label, unit) in REPORTED_MEASURES.items()]


def measure_label(key: str) -> str:
    m = measures().get(key)
    return f"{m.label}" if m else key


def _reported_sums(campaign: Campaign, keys: set[str]) -> list[dict[str, Any]]:
    """The campaign's hand-reported counts of ``keys``, summed per measure and reporting body."""
    rows = (
        ProgressEntry.objects.filter(campaign=campaign, measure__in=keys)
        .values("measure", "organization__path")
        .annotate(n=Sum("count"))
        .order_by()
    )
    return [dict(row) for row in rows]


def _total_for(
    campaign: Campaign, organization: Organization, measure: str, sums: list[dict[str, Any]]
) -> int:
    """The rule of a hand-reported figure: what ``organization``'s subtree reported; the owning
    union's row also takes what partner bodies outside its subtree reported."""
    root, everyone = organization.path, organization.pk == campaign.owner_id
    return sum(
        row["n"] or 0
        for row in sums
        if row["measure"] == measure
        and (everyone or root <= row["organization__path"] < path_successor(root))
    )


def reported_total(campaign: Campaign, organization: Organization, measure: str) -> int:
    return _total_for(campaign, organization, measure, _reported_sums(campaign, {measure}))


@dataclass(frozen=True)
class ProgressRow:
    target: Target
    measure: Measure | None
    actual: int
    records_url: str

    @property
    def percent(self) -> float | None:
        if not self.target.value:
            return None
        return round(self.actual * 100 / self.target.value, 1)

    @property
    def bar_percent(self) -> float:
        return min(self.percent or 0, 100)

    @property
    def reached(self) -> bool:
        return self.actual >= self.target.value


def actual_for(campaign: Campaign, organization: Organization, key: str) -> int:
    measure = measures().get(key)
    if measure is None:
        return 0
    if measure.counted is None:
        return reported_total(campaign, organization, key)
    return measure.counted.count(organization, campaign.starts_on, campaign.ends_on)


def reported_totals(
    campaign: Campaign, targets: list[Target], known: dict[str, Measure]
) -> dict[int, int]:
    """``reported_total`` of each target measured by hand, by target id, from one grouped
    query for all of them."""
    keys = {t.measure for t in targets if t.measure in known and known[t.measure].counted is None}
    if not keys:
        return {}
    sums = _reported_sums(campaign, keys)
    return {
        t.pk: _total_for(campaign, t.organization, t.measure, sums)
        for t in targets
        if t.measure in keys
    }


def progress(campaign: Campaign) -> list[ProgressRow]:
    """One row per target: the count of the records (or reported entries) behind it. The
    targets measured by hand are summed in one grouped query; a counted target costs its
    measure's count (the hook counts one organization at a time)."""
    known = measures()
    targets = list(campaign.targets.select_related("organization"))
    reported = reported_totals(campaign, targets, known)
    rows = []
    for target in targets:
        measure = known.get(target.measure)
        actual = reported.get(target.pk)
        rows.append(
            ProgressRow(
                target=target,
                measure=measure,
                actual=(
                    actual
                    if actual is not None
                    else actual_for(campaign, target.organization, target.measure)
                ),
                records_url=reverse(
                    "campaigns:campaign-records",
                    args=[campaign.pk, target.organization_id, target.measure],
                ),
            )
        )
    return rows


def records(
    campaign: Campaign, organization: Organization, key: str
) -> list[tuple[str, date | None, str]]:
    """The records behind a count: those of the measure's app, or the reported entries."""
    measure = measures().get(key)
    if measure is None:
        return []
    if measure.counted is not None:
        return measure.counted.records(
            organization, campaign.starts_on, campaign.ends_on, RECORDS_LIMIT
        )
    entries = ProgressEntry.objects.filter(campaign=campaign, measure=key).select_related(
        "organization"
    )
    if organization.pk != campaign.owner_id:
        entries = entries.filter(subtree_q(organization.path, "organization__path"))
    return [
        (f"{e.organization.name}：{e.count}{measure.unit} · {e.evidence}", e.occurred_on, "")
        for e in entries[:RECORDS_LIMIT]
    ]


def chart(campaign: Campaign, rows: list[ProgressRow]) -> dict[str, object]:
    """Completion (%) per union and measure, in the shape reports/static/reports/reports.js
    draws: one row per union, one series per measure."""
    labels: dict[str, str] = {}
    by_union: dict[int, dict[str, float | None]] = {}
    names: dict[int, str] = {}
    for r in rows:
        labels.setdefault(r.target.measure, r.measure.label if r.measure else r.target.measure)
        org = r.target.organization
        names[org.pk] = org.short_name or org.name
        by_union.setdefault(org.pk, {})[r.target.measure] = r.percent
    keys = list(labels)
    return {
        "key": f"campaign-{campaign.pk}",
        "title": "各工会目标完成率",
        "section": "专项行动",
        "kind": "bar",
        "columns": ["工会", *[f"{labels[k]}完成率 %" for k in keys]],
        "rows": [
            {"label": names[pk], "values": [values.get(k) for k in keys], "url": ""}
            for pk, values in by_union.items()
        ],
        "plotted": list(range(len(keys))),
    }


def open_tasks_count(campaign: Campaign) -> int:
    return campaign.tasks.filter(status="open").count()
