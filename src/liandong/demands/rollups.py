"""Rebuilding the statistics rollups from the demands themselves.

``services`` keeps ``DemandRollup``, ``DemandIndustryRollup`` and ``DemandAreaRollup``
current in the same transaction as every write (``_rollup_move``); this module recomputes all
three from the records with the same per-demand rule (``services.rollup_key``,
``rollup_contribution`` and ``area_rows``), for an upgrade that adds a rollup and for repair
(``liandong rebuild-rollups``; ``--check`` compares only). A rebuild reads every demand once,
in chunks, and replaces the three tables in one transaction.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from liandong.demands.models import (
    Demand,
    DemandAreaRollup,
    DemandIndustryRollup,
    DemandRollup,
)
from liandong.demands.services import (
    AREA_ROLLUP_KEY,
    INDUSTRY_ROLLUP_KEY,
    ROLLUP_COUNTERS,
    ROLLUP_KEY,
    RollupKey,
    area_ids,
    area_rows,
    rollup_contribution,
    rollup_key,
)
from liandong.organizations.models import Organization

FIELDS = [
    "created_at",
    "body_id",
    "category",
    "city",
    "industry",
    "state",
    "responded_at",
    "resolved_at",
    "response_breached",
    "resolution_breached",
    "is_breached",
    "ratings_total",
    "ratings_satisfied",
]
Rows = dict[tuple[Any, ...], dict[str, int]]
TABLES: list[tuple[Any, tuple[str, ...]]] = [
    (DemandRollup, ROLLUP_KEY),
    (DemandIndustryRollup, INDUSTRY_ROLLUP_KEY),
    (DemandAreaRollup, AREA_ROLLUP_KEY),
]


@dataclass
class RebuildResult:
    demands: int
    rows: dict[str, int]


def compute(demands: Iterable[Any], paths: dict[int, str]) -> tuple[Rows, Rows, Rows]:
    """The three rollups' rows as the records say they should be (key tuple → counters, in the
    order of each table's key), zero counters left out. ``paths``: body id → path."""
    plain: Rows = defaultdict(dict)
    industry: Rows = defaultdict(dict)
    area: Rows = defaultdict(dict)
    for demand in demands:
        key = rollup_key(demand)
        counts = {n: v for n, v in rollup_contribution(demand).items() if v}
        head = (key["month"], key["body_id_key"], key["category"])
        targets = [plain[(*head, key["city"])], plain[(*head, DemandRollup.ALL_CITIES)]]
        if key["industry"]:
            targets += [
                industry[(*head, key["industry"], key["city"])],
                industry[(*head, key["industry"], DemandRollup.ALL_CITIES)],
            ]
        targets += [area[row] for row in area_rows(area_ids(paths, key["body_id_key"]), key)]
        for row in targets:
            for name, value in counts.items():
                row[name] = row.get(name, 0) + value
    return dict(plain), dict(industry), dict(area)


def body_paths(demand_model: Any = Demand, organization_model: Any = Organization) -> dict:
    bodies = demand_model.objects.exclude(body_id=None).values("body_id").distinct()
    return dict(organization_model.objects.filter(pk__in=bodies).values_list("pk", "path"))


def computed_rollups() -> tuple[Rows, Rows, Rows]:
    demands = Demand.objects.only(*FIELDS).order_by("pk").iterator(chunk_size=5000)
    return compute(demands, body_paths())


def stored_rollups() -> tuple[Rows, Rows, Rows]:
    """The three rollups' rows as stored, in the shape of ``computed_rollups`` (rows whose
    counters are all zero, left by a demand that moved away, are left out)."""
    result = []
    for model, key in TABLES:
        rows = {}
        for row in model.objects.values(*key, *ROLLUP_COUNTERS):
            counts = {n: row[n] for n in ROLLUP_COUNTERS if row[n]}
            if counts:
                rows[tuple(row[k] for k in key)] = counts
        result.append(rows)
    return result[0], result[1], result[2]


def write(models: list[Any], computed: tuple[Rows, Rows, Rows], *, batch_size: int = 5000) -> None:
    """Replace each table's rows with ``computed`` (models in the order of ``TABLES``)."""
    for model, (_, key), rows in zip(models, TABLES, computed, strict=True):
        model.objects.all().delete()
        model.objects.bulk_create(
            [model(**dict(zip(key, k, strict=True)), **v) for k, v in rows.items()],
            batch_size=batch_size,
        )


@transaction.atomic
def rebuild_rollups() -> RebuildResult:
    """Replace the three rollups with what the demands say (takes the tables' rows for the
    duration: run it when intake is quiet, e.g. during an upgrade)."""
    computed = computed_rollups()
    write([model for model, _ in TABLES], computed)
    return RebuildResult(
        demands=Demand.objects.count(),
        rows={model.__name__: len(rows) for (model, _), rows in zip(TABLES, computed, strict=True)},
    )


def add_counts(
    *, month: Any, body_id: int, category: str, city: str, industry: str = "", **counts: int
) -> None:
    """Add counts to the three rollups as the services would for demands with these keys
    (tests, and data built for a benchmark without the demands themselves)."""
    from liandong.demands.services import _area_move, _plain_move

    key: RollupKey = {
        "month": month,
        "body_id_key": body_id,
        "category": category,
        "city": city,
        "industry": industry,
    }
    _plain_move(None, key, counts)
    _area_move(None, key, counts)


def write_counts(cells: Iterable[tuple[tuple[Any, ...], dict[str, int]]]) -> dict[str, int]:
    """Bulk-write the three rollups for ``cells``: ((month, body id, category, industry, city),
    counters) each standing for that many demands (a benchmark's data); returns row counts."""
    plain: Rows = defaultdict(dict)
    industry: Rows = defaultdict(dict)
    area: Rows = defaultdict(dict)
    cells = list(cells)
    paths = dict(
        Organization.objects.filter(pk__in={c[0][1] for c in cells}).values_list("pk", "path")
    )
    for (month, body, category, ind, city), counts in cells:
        key: RollupKey = {
            "month": month,
            "body_id_key": body,
            "category": category,
            "city": city,
            "industry": ind,
        }
        head = (month, body, category)
        targets = [plain[(*head, city)], plain[(*head, DemandRollup.ALL_CITIES)]]
        if ind:
            targets += [industry[(*head, ind, city)], industry[(*head, ind, "*")]]
        targets += [area[row] for row in area_rows(area_ids(paths, body), key)]
        for row in targets:
            for name, value in counts.items():
                if value:
                    row[name] = row.get(name, 0) + value
    computed = (dict(plain), dict(industry), dict(area))
    write([model for model, _ in TABLES], computed)
    return {model.__name__: len(rows) for (model, _), rows in zip(TABLES, computed, strict=True)}
