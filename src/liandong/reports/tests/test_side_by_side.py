"""The dashboard computed side by side on the read pool (core/fanout.py, each figure on its own
connection) is the dashboard computed one after another: the same figures, cards and charts,
over the demo's records of every module."""

import threading
from typing import Any

import pytest

from liandong.accounts.models import Role, User
from liandong.core import fanout
from liandong.core.demo import demo_load
from liandong.organizations.models import Organization
from liandong.reports.selectors import Links, ReportFilters, union_dashboard


@pytest.mark.django_db(transaction=True)
def test_side_by_side_is_one_after_another(settings: Any, monkeypatch: Any) -> None:
    ctx = demo_load()
    admin = User.objects.select_related("organization").get(  # the first login printed
        username=next(name for label, name, *_ in ctx["logins"] if label == Role.UNION_ADMIN.label)
    )
    root: Organization = admin.organization
    year = max(
        y
        for y in range(2020, 2040)
        if Organization.objects.filter(union_founded_on__year=y).exists()
    )
    threads: set[str] = set()
    run = fanout._run

    def counted(call: Any) -> Any:
        threads.add(threading.current_thread().name)
        return run(call)

    monkeypatch.setattr(fanout, "_run", counted)

    def dashboard(read_threads: int) -> dict[str, Any]:
        settings.LIANDONG_READ_THREADS = read_threads
        data = union_dashboard(root, ReportFilters(year=year), user=admin, links=Links(True))
        return {key: value for key, value in data.items() if key != "computed_at"}

    apart = dashboard(3)
    assert len(threads) > 1  # it did run on the pool, on more than one thread
    threads.clear()
    together = dashboard(0)
    assert not threads
    assert apart == together
    # not an empty page equal to an empty page: the demo's year has records in every section
    assert sum(1 for f in apart["figures"] if f.value) >= 20
    assert all(chart.rows for chart in apart["charts"] if chart.key != "funds")
