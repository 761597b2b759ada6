"""Exact statement counts of the meetings app's hot pages (the mechanism list, a mechanism, a
meeting), for one and for several rows: the count must not grow with the rows shown. The
objects come from the ``mw`` fixture (conftest.py)."""

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from liandong.core.tests.query_counts import ROWS, SIGNED_IN, measure
from liandong.meetings import services


@pytest.fixture
def admin(world: Any, login: Any) -> Any:
    return login(world.users["admin_a"])


@pytest.mark.parametrize("rows", ROWS)
def test_mechanism_list_page(
    world: Any, mw: Any, admin: Any, django_assert_num_queries: Any, rows: int
) -> None:
    for i in range(rows - 1):
        services.mechanism_create(
            actor=None,
            name=f"联席会议{i}",
            industry="快递",
            convening_union=world.union_a,
            collaboration_mode="authority",
            members=[world.authority, world.enterprise_a],
        )
    # + the mechanisms (with convener and member count), this year's meetings and this
    # year's action items of all of them (one query each, not one per mechanism).
    measure(admin, "/meetings/", SIGNED_IN + 3, django_assert_num_queries)


@pytest.mark.parametrize("rows", ROWS)
def test_mechanism_detail_page(
    world: Any, mw: Any, admin: Any, django_assert_num_queries: Any, rows: int
) -> None:
    for i in range(rows - 1):
        services.meeting_schedule(
            actor=None,
            mechanism=mw.mechanism,
            title=f"会议{i}",
            topic="技能提升",
            starts_at=timezone.now() + timedelta(days=11 + i),
            location="工会会议室",
            host_body=world.union_a,
        )
    # + the mechanism; this year's meetings and action items (counts); the plan; its targets;
    # the members; the meetings list; the planned meetings; open and overdue action items.
    measure(admin, f"/meetings/{mw.mechanism.pk}/", SIGNED_IN + 10, django_assert_num_queries)


@pytest.mark.parametrize("rows", ROWS)
def test_meeting_detail_page_with_agenda(
    world: Any, mw: Any, admin: Any, django_assert_num_queries: Any, rows: int
) -> None:
    """The coming meeting with ``rows`` agenda items."""
    for i in range(rows):
        services.agenda_item_add(actor=None, meeting=mw.future, title=f"议题{i}")
    # + the meeting with its mechanism; members (three times: rights, candidates, hosts);
    # the agenda suggestions (added ones, overdue items, demands put on the agenda, their
    # bodies, congress proposals); the agenda; resolutions; attendance; the delivery status
    # (outbox rows, inbox messages read).
    measure(admin, f"/meetings/meetings/{mw.future.pk}/", SIGNED_IN + 14, django_assert_num_queries)


@pytest.mark.parametrize("rows", ROWS)
def test_meeting_detail_page_with_resolutions(
    world: Any, mw: Any, admin: Any, django_assert_num_queries: Any, rows: int
) -> None:
    """The held meeting with ``rows`` resolutions (the fixture's one, and more)."""
    for i in range(rows - 1):
        services.resolution_record(
            actor=None,
            meeting=mw.held,
            resolution=f"议定事项{i}",
            lead_body=world.authority,
            deadline=timezone.localdate() + timedelta(days=30),
        )
    # + the meeting with its mechanism; members; added agenda suggestions; the agenda; the
    # resolutions, their co-bodies (one prefetch); the bodies offered (twice); the plan's
    # targets; attendance; the delivery status (outbox rows, inbox messages read).
    measure(admin, f"/meetings/meetings/{mw.held.pk}/", SIGNED_IN + 12, django_assert_num_queries)
