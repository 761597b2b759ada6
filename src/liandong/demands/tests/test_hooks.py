from datetime import timedelta

import pytest
from django.utils import timezone

from liandong.core.extensions import AgendaCandidate, hooks, nav_items
from liandong.core.tests.matrix import assert_no_pii
from liandong.demands.hooks import agenda_candidates, worker_sections, year_figures
from liandong.demands.jobs import demands_escalate, demands_mark_breaches, demands_to_agenda
from liandong.demands.models import Demand
from liandong.demands.services import demand_accept, demand_rate, demand_resolve
from liandong.demands.tests.factories import make_demand

pytestmark = pytest.mark.django_db


class Mechanism:
    """A stand-in for meetings' Mechanism: the two attributes the hook reads."""

    def __init__(self, members: list[int], industry: str = "") -> None:
        self._members = members
        self.industry = industry

    def member_organization_ids(self) -> list[int]:
        return self._members


def _escalated(**kwargs) -> Demand:
    demand = make_demand(**kwargs)
    Demand.objects.filter(pk=demand.pk).update(
        response_due=timezone.now() - timedelta(hours=1),
        resolution_due=timezone.now() - timedelta(days=40),
    )
    demands_mark_breaches()
    demands_escalate()
    demands_to_agenda()
    demand.refresh_from_db()
    assert demand.agenda_at is not None
    return demand


def test_agenda_candidates_for_the_mechanism_covering_the_body(world, rules) -> None:
    demand = _escalated(mobile="13919310301", submitter_name="马建华")
    make_demand(mobile="13919310302")  # not escalated
    candidates = agenda_candidates(
        Mechanism([world.authority.pk, world.union_a.pk], industry="快递")
    )
    assert [c.key for c in candidates] == [f"demands.demand:{demand.pk}"]
    candidate = candidates[0]
    assert isinstance(candidate, AgendaCandidate)
    assert candidate.kind == "demand"
    assert candidate.url == f"/demands/{demand.pk}/"
    assert "马建华" not in candidate.title + candidate.note
    assert_no_pii((candidate.title + candidate.note).encode(), "agenda candidate")
    assert agenda_candidates(Mechanism([world.enterprise_b.pk], industry="快递")) == []
    assert agenda_candidates(Mechanism([world.authority.pk], industry="美发美容")) == []
    assert agenda_candidates in hooks("agenda_candidates")


def test_year_figures_count_the_subtree_and_link_to_the_records(world, rules) -> None:
    demand = make_demand()
    demand = demand_accept(actor=world.users["liaison"], demand=demand, note="已受理。")
    demand = demand_resolve(actor=world.users["liaison"], demand=demand, note="已补发。")
    demand_rate(demand=demand, rating="satisfied")
    make_demand(mobile="13919310311", category="rest", description="每天干十四个小时没有休息。")
    year = timezone.localdate().year
    figures = {f.label: f for f in year_figures(world.union_a, year)}
    assert figures["受理职工诉求"].value == 2
    assert figures["办结职工诉求"].value == 1
    assert figures["满意率"].value == 100.0
    assert figures["响应率"].value == 100.0
    assert figures["受理职工诉求"].url.startswith("/demands/stats/")
    assert {f.label: f.value for f in year_figures(world.union_b, year)}["受理职工诉求"] == 0
    assert year_figures in hooks("year_figures")


def test_nav_item_for_staff_only(world) -> None:
    assert "职工诉求" in [i.label for i in nav_items(world.users["liaison"])]
    assert "职工诉求" not in [i.label for i in nav_items(world.users["judge"])]
    assert "职工诉求" not in [i.label for i in nav_items(world.users["worker_a"])]


def test_worker_section_shows_the_workers_own_demands(world, rules) -> None:
    mine = make_demand(mobile="13919310001")  # worker A's mobile
    make_demand(mobile="13919310399")
    sections = worker_sections(world.users["worker_a"], world.worker_a)
    assert [row[0].split()[0] for row in sections[0].rows] == [mine.code]
    staff_view = worker_sections(world.users["staff_a"], world.worker_a)
    assert len(staff_view[0].rows) == 1
    assert worker_sections(world.users["staff_b"], world.worker_a)[0].rows == []
    assert worker_sections(world.users["judge"], world.worker_a) == []
