"""The delegates-trained rollup (``DelegateAreaRollup``): kept as attendances are marked, and
rebuilt from the attendances themselves.

An attended invitation counts once for every organization on its session's organizing body's
path (``areas``), in the session's year: the row (area, year, delegate) holds how many of that
year's sessions in the area's subtree the delegate attended. A union's distinct delegates are
its rows, its 人次 their sum (``selectors.figures_for``). ``move`` is the only writer besides
``rebuild``: one UPSERT adding ±1 to each row (a row missing is created; a concurrent creation
is no conflict; PostgreSQL locks the rows in the order of the VALUES, which are sorted), and on
a withdrawal one DELETE of the rows left at nought.
"""

from collections import Counter
from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from liandong.core import races, rawsql
from liandong.organizations.models import path_ids as areas
from liandong.training.models import Attendance, DelegateAreaRollup

KEY = ("area", "year", "worker")
Rows = Counter[tuple[int, int, int]]
# One UPSERT per change. Switched off only by the control run of tests/test_concurrency.py,
# which shows that reading a row and writing it back plus one loses attendances.
UPSERT_GUARD = True


def session_year(starts_at: datetime) -> int:
    return timezone.localtime(starts_at).year


def contributions(attended: Iterable[tuple[str, datetime, int]]) -> Rows:
    """The rows the attended invitations ``(organizing body's path, starts_at, worker)`` make."""
    rows: Rows = Counter()
    for path, starts_at, worker_id in attended:
        year = session_year(starts_at)
        for area in areas(path):
            rows[(area, year, worker_id)] += 1
    return rows


def move(*, path: str, starts_at: datetime, worker_ids: Iterable[int], delta: int) -> None:
    """Add ``delta`` (1: marked attended, -1: no longer) for each of ``worker_ids`` at one
    session, in the caller's transaction."""
    year = session_year(starts_at)
    keys = sorted((area, year, w) for area in areas(path) for w in set(worker_ids))
    if not keys:
        return
    if not UPSERT_GUARD:  # the control run's read-modify-write
        _read_then_write(keys, delta)
        return
    rawsql.upsert_add(DelegateAreaRollup, KEY, [(key, {"attended": delta}) for key in keys])
    if delta < 0:
        DelegateAreaRollup.objects.filter(
            area_id__in={k[0] for k in keys},
            year=year,
            worker_id__in={k[2] for k in keys},
            attended__lte=0,
        ).delete()


# Rows per UPSERT when a unit's rows move (SQLite binds at most 32,766 values).
MOVE_BATCH = 2000


def move_area(node_id: int, *, left: list[int], joined: list[int]) -> None:
    """A unit moved in the tree (the organization import) with its subtree: its own rows, which
    hold its whole subtree's delegates, are taken out of the areas it ``left`` (rows left at
    nought go) and added to those it ``joined``, in the move's transaction, in key order."""
    if not (left or joined):
        return
    own = DelegateAreaRollup.objects.filter(area_id=node_id).values_list(
        "year", "worker_id", "attended"
    )
    rows = sorted(
        ((area, year, worker), {"attended": sign * n})
        for year, worker, n in own
        for area, sign in [*((a, -1) for a in left), *((a, 1) for a in joined)]
    )
    for start in range(0, len(rows), MOVE_BATCH):
        rawsql.upsert_add(DelegateAreaRollup, KEY, rows[start : start + MOVE_BATCH])
    if left:
        DelegateAreaRollup.objects.filter(area_id__in=left, attended__lte=0).delete()


def _read_then_write(keys: list[tuple[int, int, int]], delta: int) -> None:
    rows = [
        DelegateAreaRollup.objects.get_or_create(area_id=a, year=y, worker_id=w)[0]
        for a, y, w in keys
    ]
    races.window()  # all threads read before any writes
    for row in rows:
        row.attended += delta
        row.save(update_fields=["attended"])


def computed() -> Rows:
    """The rows the attendances make, read in chunks."""
    return contributions(
        Attendance.objects.filter(attended=True)
        .values_list("session__organization__path", "session__starts_at", "worker_id")
        .order_by()
        .iterator(chunk_size=5000)
    )


def stored() -> Rows:
    return Counter(
        {
            (a, y, w): n
            for a, y, w, n in DelegateAreaRollup.objects.values_list(
                "area_id", "year", "worker_id", "attended"
            ).iterator(chunk_size=5000)
        }
    )


@transaction.atomic
def rebuild() -> int:
    """Replace the rollup with the rows the attendances make; returns how many."""
    rows = computed()
    DelegateAreaRollup.objects.all().delete()
    DelegateAreaRollup.objects.bulk_create(
        (
            DelegateAreaRollup(area_id=a, year=y, worker_id=w, attended=n)
            for (a, y, w), n in sorted(rows.items())
        ),
        batch_size=2000,
    )
    return len(rows)
