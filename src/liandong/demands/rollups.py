"""Rebuilding the statistics rollups from the demands themselves.

``services`` keeps ``DemandRollup``, ``DemandIndustryRollup``, ``DemandAreaRollup`` and
``DemandBodyRollup`` current in the same transaction as every write (``_rollup_move``); this
module recomputes all four from the records with the same per-demand rule
(``services.rollup_key``, ``rollup_contribution``, ``body_rows`` and ``area_rows``), for an
upgrade that adds a rollup and for repair (``liandong rebuild-rollups``; ``--check`` compares
only). A rebuild reads every demand once, in chunks, and replaces the tables in one
transaction.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from liandong.core import rawsql
from liandong.demands.models import (
    Demand,
    DemandAreaRollup,
    DemandBodyRollup,
    DemandIndustryRollup,
    DemandRollup,
)
from liandong.demands.services import (
    AREA_ROLLUP_KEY,
    BODY_ROLLUP_KEY,
    INDUSTRY_ROLLUP_KEY,
    ROLLUP_COUNTERS,
    ROLLUP_KEY,
    RollupKey,
    area_ids,
    area_rows,
    body_rows,
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
# In the order of ``Computed``; a rollup added later goes last (migrations 0004 and 0005 write
# only their own tables from ``compute``).
TABLES: list[tuple[Any, tuple[str, ...]]] = [
    (DemandRollup, ROLLUP_KEY),
    (DemandIndustryRollup, INDUSTRY_ROLLUP_KEY),
    (DemandAreaRollup, AREA_ROLLUP_KEY),
    (DemandBodyRollup, BODY_ROLLUP_KEY),
]
Computed = tuple[Rows, Rows, Rows, Rows]


@dataclass
class RebuildResult:
    demands: int
    rows: dict[str, int]


class _Tables:
    """The rows of the four rollups being computed, filled one key at a time."""

    def __init__(self, paths: dict[int, str]) -> None:
        self.paths = paths
        self.rows: list[Rows] = [defaultdict(dict) for _ in TABLES]

    def add(self, key: RollupKey, counts: dict[str, int]) -> None:
        plain, industry, area, body = self.rows
        head = (key["month"], key["body_id_key"], key["category"])
        targets = [plain[(*head, key["city"])], plain[(*head, DemandRollup.ALL_CITIES)]]
        if key["industry"]:
            targets += [
                industry[(*head, key["industry"], key["city"])],
                industry[(*head, key["industry"], DemandRollup.ALL_CITIES)],
            ]
        targets += [body[row] for row in body_rows(key)]
        targets += [area[row] for row in area_rows(area_ids(self.paths, key["body_id_key"]), key)]
        for row in targets:
            for name, value in counts.items():
                if value:
                    row[name] = row.get(name, 0) + value

    def result(self) -> Computed:
        plain, industry, area, body = (dict(rows) for rows in self.rows)
        return plain, industry, area, body


def compute(demands: Iterable[Any], paths: dict[int, str]) -> Computed:
    """The rollups' rows as the records say they should be (key tuple → counters, in the
    order of each table's key and of ``TABLES``), zero counters left out. ``paths``: body id →
    path."""
    tables = _Tables(paths)
    for demand in demands:
        tables.add(rollup_key(demand), rollup_contribution(demand))
    return tables.result()


def body_paths(demand_model: Any = Demand, organization_model: Any = Organization) -> dict:
    bodies = demand_model.objects.exclude(body_id=None).values("body_id").distinct()
    return dict(organization_model.objects.filter(pk__in=bodies).values_list("pk", "path"))


def computed_rollups() -> Computed:
    demands = Demand.objects.only(*FIELDS).order_by("pk").iterator(chunk_size=5000)
    return compute(demands, body_paths())


def stored_rollups() -> Computed:
    """The rollups' rows as stored, in the shape of ``computed_rollups`` (rows whose
    counters are all zero, left by a demand that moved away, are left out)."""
    result = []
    for model, key in TABLES:
        rows = {}
        for row in model.objects.values(*key, *ROLLUP_COUNTERS):
            counts = {n: row[n] for n in ROLLUP_COUNTERS if row[n]}
            if counts:
                rows[tuple(row[k] for k in key)] = counts
        result.append(rows)
    return result[0], result[1], result[2], result[3]


def write(models: list[Any], computed: Computed, *, batch_size: int = 5000) -> None:
    """Replace each table's rows with ``computed`` (models in the order of ``TABLES``)."""
    for model, (_, key), rows in zip(models, TABLES, computed, strict=True):
        model.objects.all().delete()
        model.objects.bulk_create(
            [model(**dict(zip(key, k, strict=True)), **v) for k, v in rows.items()],
            batch_size=batch_size,
        )


@transaction.atomic
def rebuild_rollups() -> RebuildResult:
    """Replace the rollups with what the demands say (takes the tables' rows for the
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
    """Add counts to the rollups as the services would for demands with these keys (tests,
    and data built for a benchmark without the demands themselves)."""
    from liandong.demands.services import _key_move

    key: RollupKey = {
        "month": month,
        "body_id_key": body_id,
        "category": category,
        "city": city,
        "industry": industry,
    }
    _key_move(None, key, counts)


def write_counts(cells: Iterable[tuple[tuple[Any, ...], dict[str, int]]]) -> dict[str, int]:
    """Bulk-write the rollups for ``cells``: ((month, body id, category, industry, city),
    counters) each standing for that many demands (a benchmark's data); returns row counts."""
    cells = list(cells)
    paths = dict(
        Organization.objects.filter(pk__in={c[0][1] for c in cells}).values_list("pk", "path")
    )
    tables = _Tables(paths)
    for (month, body, category, ind, city), counts in cells:
        key: RollupKey = {
            "month": month,
            "body_id_key": body,
            "category": category,
            "city": city,
            "industry": ind,
        }
        tables.add(key, counts)
    computed = tables.result()
    write([model for model, _ in TABLES], computed)
    return {model.__name__: len(rows) for (model, _), rows in zip(TABLES, computed, strict=True)}


# Rows per UPSERT when a unit's area rows move (SQLite binds at most 32,766 values; an area row
# carries 5 key columns and every counter).
MOVE_BATCH = 400


def move_area(node_id: int, *, left: list[int], joined: list[int]) -> None:
    """A unit moved in the tree (the organization import) with its subtree: its own area rows,
    which hold its whole subtree's demands, are taken out of the areas it ``left`` and added to
    those it ``joined``, in the move's transaction. The rows are written in key order, one
    UPSERT per batch, as every demand write takes them; rows left at nought stay, as a
    demand moving away leaves them (``stored_rollups`` leaves them out)."""
    if not (left or joined):
        return
    names = tuple(ROLLUP_COUNTERS)
    own = DemandAreaRollup.objects.filter(area_id_key=node_id).values_list(
        *AREA_ROLLUP_KEY[1:], *names
    )
    rows = sorted(
        ((area, *values[:4]), {n: sign * v for n, v in zip(names, values[4:], strict=True)})
        for values in own
        for area, sign in [*((a, -1) for a in left), *((a, 1) for a in joined)]
    )
    for start in range(0, len(rows), MOVE_BATCH):
        rawsql.upsert_add(DemandAreaRollup, AREA_ROLLUP_KEY, rows[start : start + MOVE_BATCH])
