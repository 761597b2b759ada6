"""The 工作台's counts against hand counts: each fixture below says which records must be
counted for whom, and which must not (closed, far from a limit, outside the scope)."""

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from liandong.activities.models import Activity, ActivityStatus
from liandong.activities.tests.factories import make_activity
from liandong.core.tests.client import BrowserClient
from liandong.demands.models import Demand, State
from liandong.demands.services import routing_rule_create
from liandong.demands.tests.factories import make_demand
from liandong.democracy.models import Nomination
from liandong.democracy.tests.factories import congress_setup, submitted_proposal
from liandong.meetings import services as meeting_services
from liandong.meetings.models import ActionItem
from liandong.meetings.tests.conftest import MeetingWorld, build
from liandong.workbench import selectors
from liandong.workers.models import RosterImport


@pytest.fixture
def mw(world: Any, settings: Any, tmp_path: Any) -> MeetingWorld:
    settings.DATA_DIR = tmp_path
    return build(world)


def tile(desk: selectors.UnionDesk, label: str) -> selectors.Tile:
    return next(t for t in desk.tiles if t.label == label)


@pytest.fixture
def demands(world: Any) -> dict[str, Demand]:
    """Wage demands of 快递 go to the authority (the liaison's body) under union A."""
    routing_rule_create(
        actor=None, union=world.union_a, body=world.authority, category="wages", industry="快递"
    )
    now = timezone.now()
    made = {name: make_demand() for name in ["breached", "near", "far", "closed", "working"]}
    assert {d.body_id for d in made.values()} == {world.authority.pk}
    Demand.objects.filter(pk=made["breached"].pk).update(is_breached=True)
    Demand.objects.filter(pk=made["near"].pk).update(response_due=now + timedelta(hours=30))
    Demand.objects.filter(pk=made["far"].pk).update(
        response_due=now + timedelta(days=5), resolution_due=now + timedelta(days=20)
    )
    # Resolved, even though late: no longer anybody's work.
    Demand.objects.filter(pk=made["closed"].pk).update(
        state=State.RESOLVED, is_breached=True, response_due=now - timedelta(days=1)
    )
    # Answered (in progress): its resolution limit is the one that runs, tomorrow.
    Demand.objects.filter(pk=made["working"].pk).update(
        state=State.IN_PROGRESS,
        responded_at=now,
        response_due=now + timedelta(days=9),
        resolution_due=now + timedelta(days=1),
    )
    return made


def test_demands_near_or_past_their_limit_by_hand(world: Any, demands: dict[str, Demand]) -> None:
    desk = selectors.union_desk(world.users["staff_a"])
    # breached, near (response in 30 h), working (resolution tomorrow); not far, not closed.
    assert tile(desk, "诉求临近或超过时限").value == 3
    assert tile(desk, "诉求临近或超过时限").url == "/demands/?view=limit"
    # Union B supervises none of them.
    assert tile(selectors.union_desk(world.users["staff_b"]), "诉求临近或超过时限").value == 0


def test_the_demand_list_view_shows_the_same_demands(
    world: Any, demands: dict[str, Demand], client: BrowserClient
) -> None:
    client.force_login(world.users["staff_a"])
    page = client.get("/demands/?view=limit").content.decode()
    shown = {name for name, d in demands.items() if d.code in page}
    assert shown == {"breached", "near", "working"}


def test_items_overdue_and_due_this_week_by_lead_body(world: Any, mw: MeetingWorld) -> None:
    today = timezone.localdate()
    week_end = today + timedelta(days=6 - today.weekday())

    def item(lead: Any, deadline: Any, status: str = ActionItem.Status.TODO) -> None:
        made = meeting_services.resolution_record(
            actor=None, meeting=mw.held, resolution="事项", lead_body=lead, deadline=today
        )
        ActionItem.objects.filter(pk=made.pk).update(deadline=deadline, status=status)

    item(world.authority, today - timedelta(days=3))
    item(world.authority, today - timedelta(days=1))
    item(world.authority, week_end)
    item(world.enterprise_a, today)
    item(world.enterprise_a, today - timedelta(days=2), ActionItem.Status.DONE)  # done: no count
    item(world.enterprise_a, week_end + timedelta(days=1))  # next week: no count
    # mw.item (the authority's, due in a month) counts nowhere.
    desk = selectors.union_desk(world.users["staff_a"])
    rows = {row.lead_body_id: (row.overdue, row.due_week) for row in desk.bodies}
    assert rows == {world.authority.pk: (2, 1), world.enterprise_a.pk: (0, 1)}
    assert desk.bodies[0].lead_body_id == world.authority.pk  # most overdue first
    assert tile(desk, "督办事项逾期").value == 2
    assert tile(desk, "督办事项逾期").note == "本周另有 2 项到期"
    assert desk.bodies[0].overdue_url == (
        f"/meetings/items/?lead_body={world.authority.pk}&state=overdue"
    )
    assert selectors.union_desk(world.users["staff_b"]).bodies == []


def test_the_item_list_filters_this_week(
    world: Any, mw: MeetingWorld, client: BrowserClient
) -> None:
    today = timezone.localdate()
    due = meeting_services.resolution_record(
        actor=None,
        meeting=mw.held,
        resolution="本周要办的事",
        lead_body=world.authority,
        deadline=today + timedelta(days=6 - today.weekday()),
    )
    client.force_login(world.users["staff_a"])
    page = client.get(f"/meetings/items/?lead_body={world.authority.pk}&state=week")
    assert due.resolution in page.content.decode()
    assert mw.item.resolution not in page.content.decode()  # due in a month


def test_imports_with_rejected_rows(world: Any, client: BrowserClient) -> None:
    for organization, rejected in [
        (world.enterprise_a, 3),
        (world.outlet_a, 1),
        (world.enterprise_a, 0),
        (world.enterprise_b, 5),
    ]:
        RosterImport.objects.create(
            organization=organization, filename=f"名册{rejected}.xlsx", rows_rejected=rejected
        )
    assert tile(selectors.union_desk(world.users["admin_a"]), "名册导入有拒绝行").value == 2
    assert tile(selectors.union_desk(world.users["staff_b"]), "名册导入有拒绝行").value == 1
    client.force_login(world.users["admin_a"])
    page = client.get("/workers/imports/?rejected=1").content.decode()
    assert "名册3.xlsx" in page
    assert "名册1.xlsx" in page
    assert "名册0.xlsx" not in page
    assert "名册5.xlsx" not in page


def test_proposals_awaiting_review(world: Any) -> None:
    setup = congress_setup(world)
    submitted_proposal(setup, cosigners=2, title="待审查一")
    submitted_proposal(setup, cosigners=0, title="待审查二")
    assert tile(selectors.union_desk(world.users["staff_a"]), "提案待审查").value == 2
    assert tile(selectors.union_desk(world.users["staff_b"]), "提案待审查").value == 0


def test_public_notices_ending_soon(world: Any, client: BrowserClient) -> None:
    today = timezone.localdate()
    for days in [1, 3, 10]:
        activity = make_activity(world.union_a, title=f"公示{days}天")
        Activity.objects.filter(pk=activity.pk).update(
            status=ActivityStatus.NOTICE,
            notice_starts_on=today,
            notice_ends_on=today + timedelta(days=days),
        )
    make_activity(world.union_a, title="报名中的活动")
    make_activity(world.union_b, title="乙的公示")
    Activity.objects.filter(title="乙的公示").update(
        status=ActivityStatus.NOTICE, notice_ends_on=today
    )
    counted = tile(selectors.union_desk(world.users["staff_a"]), "活动公示将截止")
    assert (counted.value, counted.note) == (2, "3 天内截止 · 公示中共 3 项")
    client.force_login(world.users["staff_a"])
    page = client.get(counted.url).content.decode()
    assert "公示10天" in page
    assert "报名中的活动" not in page
    assert "乙的公示" not in page


def test_nominations_notice_ending_soon(world: Any) -> None:
    today = timezone.localdate()
    for worker, days in [(world.worker_a, 2), (world.worker_b, 2)]:
        Nomination.objects.create(
            worker=worker,
            nominated_by=worker.employer,
            level=Nomination.Level.CITY,
            year=today.year,
            deeds="事迹",
            status=Nomination.Status.NOTICE,
            notice_starts_on=today,
            notice_ends_on=today + timedelta(days=days),
        )
    counted = tile(selectors.union_desk(world.users["staff_a"]), "劳模公示将截止")
    assert (counted.value, counted.note) == (1, "3 天内截止 · 公示中共 1 项")
    assert tile(selectors.union_desk(world.users["province_admin"]), "劳模公示将截止").value == 2


def test_next_meeting_and_recent_records(world: Any, mw: MeetingWorld) -> None:
    staff = world.users["staff_a"]
    meeting_services.agenda_item_add(actor=staff, meeting=mw.future, title="快递员休息驿站")
    desk = selectors.union_desk(staff)
    assert desk.next_meeting == mw.future
    assert [a.title for a in desk.next_meeting.agenda_items.all()] == ["快递员休息驿站"]
    assert desk.recent[0].url == f"/meetings/meetings/{mw.future.pk}/"
    assert selectors.union_desk(world.users["staff_b"]).next_meeting is None


def test_body_desk_lists_the_bodys_items_overdue_first(world: Any, mw: MeetingWorld) -> None:
    today = timezone.localdate()
    late = meeting_services.resolution_record(
        actor=None,
        meeting=mw.held,
        resolution="逾期的事",
        lead_body=world.authority,
        deadline=today,
    )
    ActionItem.objects.filter(pk=late.pk).update(deadline=today - timedelta(days=4))
    meeting_services.resolution_record(
        actor=None,
        meeting=mw.held,
        resolution="别人牵头",
        lead_body=world.enterprise_a,
        deadline=today,
    )
    desk = selectors.body_desk(world.users["liaison"])
    assert [i.resolution for i in desk.items] == ["逾期的事", mw.item.resolution]
    assert desk.overdue == 1
    assert [m.pk for m in desk.meetings] == [mw.future.pk]


def test_body_desk_demands_by_limit(world: Any, demands: dict[str, Demand]) -> None:
    desk = selectors.body_desk(world.users["liaison"])
    codes = [row.demand.code for row in desk.demands]
    assert codes[0] == demands["breached"].code
    assert demands["closed"].code not in codes
    assert len(codes) == 4
    limits = {row.demand.code: row.limit_label for row in desk.demands}
    assert limits[demands["working"].code] == "办结时限"
    assert limits[demands["near"].code] == "首次响应时限"
    assert selectors.body_desk(world.users["enterprise_a"]).demands == []


def test_the_union_desk_costs_the_same_few_queries_however_many_records(
    world: Any, mw: MeetingWorld, demands: dict[str, Demand], django_assert_max_num_queries: Any
) -> None:
    """One query per figure (two for proposals: the subtree's enterprises, then the count),
    whatever the number of demands, items and bodies."""
    staff = world.users["admin_a"]
    today = timezone.localdate()
    for n in range(5):
        meeting_services.resolution_record(
            actor=None,
            meeting=mw.held,
            resolution=f"事项{n}",
            lead_body=world.authority,
            deadline=today,
        )
    for _ in range(3):
        make_demand()
    with django_assert_max_num_queries(12):
        desk = selectors.union_desk(staff)
    assert len(desk.tiles) == 6  # an administrator sees every figure
