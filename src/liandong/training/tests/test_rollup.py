"""The delegates-trained rollup follows every mark and unmark, equals what the attendances
make, and ``rebuild-rollups`` repairs it; the year figures read it."""

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from liandong.democracy.tests.factories import congress_setup
from liandong.training import rollups
from liandong.training.models import DelegateAreaRollup
from liandong.training.selectors import figures_for
from liandong.training.services import attendance_mark
from liandong.training.tests.factories import congress_key, days_from_now, make_session

pytestmark = pytest.mark.django_db


def _scanned(organization: Any, year: int) -> tuple[int, int]:
    """(人次, distinct delegates) of ``organization``'s subtree, counted from the attendances."""
    rows = [
        (w, n)
        for (area, y, w), n in rollups.computed().items()
        if area == organization.pk and y == year
    ]
    return sum(n for _, n in rows), len(rows)


# Mid-June in Beijing: both sessions (two days and one day before) fall in one year whatever
# the day the suite runs (on January 2nd they would not).
JUNE = datetime(2026, 6, 15, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@time_machine.travel(JUNE, tick=False)
def test_marks_and_unmarks_move_the_rollup_of_every_area_on_the_path(world: Any) -> None:
    setup = congress_setup(world, delegates=3)
    staff = world.users["admin_a"]
    key = congress_key(setup.congress)
    w1, w2, w3 = (d.worker_id for d in setup.delegates)
    at_union = make_session(staff, world.union_a, congress_key=key, days=-2)
    at_enterprise = make_session(staff, world.enterprise_a, congress_key=key, days=-1)
    year = days_from_now(-1).year

    attendance_mark(actor=staff, session=at_union, worker_ids=[w1, w2])
    attendance_mark(actor=staff, session=at_enterprise, worker_ids=[w1, w3])
    assert rollups.stored() == rollups.computed()
    union = figures_for(organization=world.union_a, year=year, by_union=False)
    assert (union.attendances, union.delegates) == (4, 3) == _scanned(world.union_a, year)
    enterprise = figures_for(organization=world.enterprise_a, year=year, by_union=False)
    assert (enterprise.attendances, enterprise.delegates) == (2, 2)
    province = figures_for(organization=world.province, year=year, by_union=False)
    assert (province.attendances, province.delegates) == (4, 3)
    assert figures_for(organization=world.union_b, year=year).delegates == 0

    # w1 withdrawn at the union's session: still trained once, by the enterprise.
    attendance_mark(actor=staff, session=at_union, worker_ids=[w1], attended=False)
    # w3 withdrawn at the enterprise's: trained nowhere, the rows go.
    attendance_mark(actor=staff, session=at_enterprise, worker_ids=[w3], attended=False)
    assert rollups.stored() == rollups.computed()
    union = figures_for(organization=world.union_a, year=year, by_union=False)
    assert (union.attendances, union.delegates) == (2, 2) == _scanned(world.union_a, year)
    assert not DelegateAreaRollup.objects.filter(worker_id=w3).exists()
    assert not DelegateAreaRollup.objects.filter(attended__lte=0).exists()

    # Marking again what is already marked changes nothing.
    assert attendance_mark(actor=staff, session=at_enterprise, worker_ids=[w1]) == 0
    assert rollups.stored() == rollups.computed()


def test_rebuild_rollups_repairs_the_delegates_and_check_notices(world: Any) -> None:
    setup = congress_setup(world, delegates=2)
    staff = world.users["admin_a"]
    session = make_session(staff, world.union_a, congress_key=congress_key(setup.congress))
    attendance_mark(actor=staff, session=session, worker_ids=[d.worker_id for d in setup.delegates])
    before = rollups.stored()
    assert len(before) == 2 * (len(world.union_a.ancestor_ids) + 1)
    DelegateAreaRollup.objects.filter(area=world.union_a).update(attended=9)
    with pytest.raises(SystemExit):
        call_command("rebuild-rollups", "--check")
    call_command("rebuild-rollups")
    assert rollups.stored() == before
    call_command("rebuild-rollups", "--check")
