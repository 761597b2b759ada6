"""The rules of campaigns, one test each: targets, counted and reported progress, the task
board (first come, first served; release), milestones with the overdue reminder, results,
and scoping."""

from datetime import date
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from liandong.campaigns import selectors, services
from liandong.campaigns.models import Campaign, Milestone, ProgressEntry, Task, TaskStatus
from liandong.campaigns.permissions import campaigns_visible_to, can_claim, can_manage
from liandong.campaigns.tests.conftest import YEAR
from liandong.core.models import AuditLog
from liandong.notifications.models import Message
from liandong.organizations.models import Organization
from liandong.organizations.services import organization_create

pytestmark = pytest.mark.django_db


def _founded(parent: Organization, code: str, on: date) -> Organization:
    return organization_create(
        actor=None,
        name=f"新建工会{code}",
        code=code,
        kind=Organization.Kind.ENTERPRISE,
        parent=parent,
        union_status=Organization.UnionStatus.FOUNDED,
        union_founded_on=on,
    )


def test_the_end_may_not_come_before_the_start(world: Any) -> None:
    with pytest.raises(ValidationError) as refused:
        services.campaign_create(
            actor=None,
            owner=world.union_a,
            name="x",
            starts_on=date(YEAR, 5, 1),
            ends_on=date(YEAR, 4, 1),
        )
    assert "ends_on" in refused.value.message_dict
    assert not Campaign.objects.exists()


def test_only_a_union_owns_a_campaign(world: Any) -> None:
    with pytest.raises(ValidationError) as refused:
        services.campaign_create(
            actor=None,
            owner=world.enterprise_a,
            name="x",
            starts_on=date(YEAR, 1, 1),
            ends_on=date(YEAR, 2, 1),
        )
    assert "owner" in refused.value.message_dict


def test_targets_go_to_unions_of_the_subtree_only(world: Any, campaign: Campaign) -> None:
    for organization in [world.union_b, world.enterprise_a, world.province]:
        with pytest.raises(ValidationError) as refused:
            services.target_set(
                actor=None,
                campaign=campaign,
                organization=organization,
                measure="organizations.unions_founded",
                value=5,
            )
        assert "organization" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.target_set(
            actor=None, campaign=campaign, organization=world.union_a, measure="nope", value=5
        )
    assert "measure" in refused.value.message_dict
    assert not campaign.targets.exists()


def test_setting_a_target_twice_changes_its_value(world: Any, campaign: Campaign) -> None:
    for value in [57, 60]:
        services.target_set(
            actor=None,
            campaign=campaign,
            organization=world.union_a,
            measure="organizations.unions_founded",
            value=value,
        )
    assert list(campaign.targets.values_list("value", flat=True)) == [60]
    entry = AuditLog.objects.filter(action="campaigns.target_set").order_by("id").last()
    assert entry is not None
    assert entry.changes["value"] == [57, 60]


def test_unions_founded_in_the_period_and_subtree_are_counted(
    world: Any, campaign: Campaign
) -> None:
    services.target_set(
        actor=None,
        campaign=campaign,
        organization=world.union_a,
        measure="organizations.unions_founded",
        value=4,
    )
    _founded(world.union_a, "N1", date(YEAR, 3, 1))
    _founded(world.enterprise_a, "N2", date(YEAR, 12, 31))
    _founded(world.union_a, "OLD", date(YEAR - 1, 12, 31))  # before the period
    _founded(world.union_b, "ELSE", date(YEAR, 3, 1))  # another subtree
    [row] = selectors.progress(campaign)
    assert row.actual == 2
    assert row.percent == 50.0
    titles = [
        title for title, _, _ in selectors.records(campaign, world.union_a, row.target.measure)
    ]
    assert titles == ["新建工会N1", "新建工会N2"]


def test_democratic_units_count_enterprises_whose_first_congress_sat_in_the_period(
    world: Any, campaign: Campaign
) -> None:
    from liandong.democracy.models import Congress  # the test may reach the provider's records

    def sit(enterprise: Organization, session: int, held_on: date) -> None:
        Congress.objects.create(
            enterprise=enterprise,
            term=1,
            session=session,
            title=f"第一届第{session}次",
            held_on=held_on,
        )

    sit(world.enterprise_a, 1, date(YEAR, 4, 1))
    sit(world.enterprise_a, 2, date(YEAR, 9, 1))  # the same unit: counted once
    second = _founded(world.union_a, "EA2", date(2010, 1, 1))
    sit(second, 1, date(YEAR - 1, 4, 1))  # established before the period
    sit(second, 2, date(YEAR, 4, 1))
    assert selectors.actual_for(campaign, world.union_a, "democracy.units_established") == 1
    [(_title, day, url)] = selectors.records(campaign, world.union_a, "democracy.units_established")
    assert day == date(YEAR, 4, 1)
    assert "/democracy/congresses/" in url


def test_reported_progress_needs_evidence_and_a_date_in_the_period(
    world: Any, campaign: Campaign
) -> None:
    base = {
        "actor": None,
        "campaign": campaign,
        "organization": world.enterprise_a,
        "measure": "reported.publicity",
        "count": 12,
        "occurred_on": date(YEAR, 3, 1),
        "evidence": "物流园区宣讲",
    }
    for change, field in [
        ({"evidence": " "}, "evidence"),
        ({"occurred_on": date(YEAR - 1, 3, 1)}, "occurred_on"),
        ({"count": 0}, "count"),
        ({"measure": "organizations.unions_founded"}, "measure"),
    ]:
        with pytest.raises(ValidationError) as refused:
            services.progress_report(**{**base, **change})
        assert field in refused.value.message_dict
    assert not campaign.entries.exists()
    services.progress_report(**base)
    services.progress_report(**{**base, "organization": world.authority, "count": 3})
    # A union's row sums its subtree; the owner's row also takes what partner bodies reported.
    assert selectors.reported_total(campaign, world.union_a, "reported.publicity") == 15
    child = organization_create(
        actor=None, name="甲区工会", code="W-A1", kind="union", parent=world.union_a
    )
    assert selectors.reported_total(campaign, child, "reported.publicity") == 0


def test_the_progress_table_sums_reported_entries_as_reported_total_does(
    world: Any, campaign: Campaign
) -> None:
    """The table reads every hand-reported target from one grouped query: each row is the
    same as ``reported_total`` of its union (subtree; the owner's row also takes partners')."""
    child = organization_create(
        actor=None, name="甲区工会", code="W-A1", kind="union", parent=world.union_a
    )
    below_child = organization_create(
        actor=None, name="甲区快递公司", code="W-A1E", kind="enterprise", parent=child
    )
    for organization, measure, count in [
        (world.enterprise_a, "reported.publicity", 12),
        (world.authority, "reported.publicity", 3),
        (below_child, "reported.publicity", 5),
        (child, "reported.publicity", 1),
        (below_child, "reported.visit", 7),
        (world.enterprise_a, "reported.other", 2),
    ]:
        services.progress_report(
            actor=None,
            campaign=campaign,
            organization=organization,
            measure=measure,
            count=count,
            occurred_on=date(YEAR, 3, 1),
            evidence="佐证",
        )
    for union in [world.union_a, child]:
        for measure in ["reported.publicity", "reported.visit", "reported.briefing"]:
            services.target_set(
                actor=None, campaign=campaign, organization=union, measure=measure, value=10
            )
    actual = {
        (r.target.organization_id, r.target.measure): r.actual for r in selectors.progress(campaign)
    }
    assert actual == {
        (union.pk, measure): selectors.reported_total(campaign, union, measure)
        for union in [world.union_a, child]
        for measure in ["reported.publicity", "reported.visit", "reported.briefing"]
    }
    assert actual[(world.union_a.pk, "reported.publicity")] == 21
    assert actual[(child.pk, "reported.publicity")] == 6
    assert actual[(child.pk, "reported.visit")] == 7
    assert actual[(child.pk, "reported.briefing")] == 0


def test_a_body_below_or_a_partner_claims_and_the_owners_staff_hear_of_it(
    world: Any, task: Task
) -> None:
    liaison = world.users["liaison"]
    assert can_claim(liaison, task)
    assert not can_claim(world.users["staff_a"], task)  # the owner does not claim its own tasks
    claimed = services.task_claim(actor=liaison, task=task, organization=world.authority)
    assert claimed.status == "claimed"
    assert claimed.claimed_by == world.authority
    told = Message.objects.filter(kind="campaigns.task_claimed")
    assert {n.recipient.username for n in told} >= {"staff_a", "admin_a"}


def test_a_claimed_task_cannot_be_claimed_again(world: Any, task: Task) -> None:
    services.task_claim(actor=world.users["liaison"], task=task, organization=world.authority)
    with pytest.raises(ValidationError) as refused:
        services.task_claim(
            actor=world.users["enterprise_a"], task=task, organization=world.enterprise_a
        )
    assert "省邮政管理局" in refused.value.message_dict["task"][0]
    assert Task.objects.get(pk=task.pk).claimed_by == world.authority


def test_staff_release_a_claim_with_a_reason_and_the_task_reopens(world: Any, task: Task) -> None:
    services.task_claim(actor=world.users["liaison"], task=task, organization=world.authority)
    with pytest.raises(ValidationError):
        services.task_release(actor=None, task=task, reason=" ")
    reopened = services.task_release(actor=world.users["staff_a"], task=task, reason="单位撤回")
    assert reopened.status == "open"
    assert reopened.claimed_by is None
    again = services.task_claim(
        actor=world.users["enterprise_a"], task=task, organization=world.enterprise_a
    )
    assert again.claimed_by == world.enterprise_a


def test_milestones_fall_in_the_period_and_a_task_completes_once_all_are_done(
    world: Any, task: Task
) -> None:
    services.task_claim(actor=world.users["liaison"], task=task, organization=world.authority)
    with pytest.raises(ValidationError) as refused:
        services.milestone_add(actor=None, task=task, title="x", due_on=date(YEAR + 1, 1, 5))
    assert "due_on" in refused.value.message_dict
    step = services.milestone_add(actor=None, task=task, title="摸底", due_on=date(YEAR, 3, 1))
    with pytest.raises(ValidationError) as refused:
        services.task_complete(actor=None, task=task, result="完成", completed_on=date(YEAR, 5, 1))
    assert "task" in refused.value.message_dict
    services.milestone_done(actor=None, milestone=step, done_on=date(YEAR, 2, 27))
    done = services.task_complete(
        actor=None, task=task, result="12家国企全部建立职代会", completed_on=date(YEAR, 5, 1)
    )
    assert done.status == "done"
    assert done.result == "12家国企全部建立职代会"


def test_an_overdue_milestone_is_told_to_the_claiming_body_once(world: Any, task: Task) -> None:
    services.task_claim(actor=world.users["liaison"], task=task, organization=world.authority)
    step = services.milestone_add(
        actor=None, task=task, title="召开职代会", due_on=date(YEAR, 6, 1)
    )
    services.milestone_add(actor=None, task=task, title="later", due_on=date(YEAR, 9, 1))
    assert services.milestones_remind_overdue(today=date(YEAR, 6, 1)) == []  # due today: not yet
    assert services.milestones_remind_overdue(today=date(YEAR, 6, 2)) == [step.pk]
    assert services.milestones_remind_overdue(today=date(YEAR, 6, 3)) == []  # once
    told = Message.objects.filter(kind="campaigns.milestone_overdue")
    assert [n.recipient.username for n in told] == ["liaison"]


def test_campaigns_are_seen_by_the_subtree_the_bodies_above_and_the_partners(
    world: Any, campaign: Campaign
) -> None:
    seeing = {
        name
        for name, user in world.users.items()
        if campaigns_visible_to(user).filter(pk=campaign.pk)
    }
    assert seeing == {"province_admin", "admin_a", "staff_a", "liaison", "enterprise_a"}
    managing = {name for name, user in world.users.items() if can_manage(user, campaign)}
    assert managing == {"province_admin", "admin_a", "staff_a"}


def test_year_figures_count_claimed_and_done_tasks(world: Any, task: Task) -> None:
    from liandong.campaigns.hooks import year_figures

    services.task_claim(actor=world.users["liaison"], task=task, organization=world.authority)
    figures = {f.label: f.value for f in year_figures(world.province, YEAR)}
    assert figures["开展专项行动"] == 1
    assert figures["任务被揭榜"] == 1
    assert figures["揭榜任务完成"] == 0
    assert {f.label: f.value for f in year_figures(world.union_b, YEAR)}["开展专项行动"] == 0


# --- Year figures over every branch of their filters ------------------------------------------


FIGURES_YEAR = 2024


def _campaign(owner: Organization, starts_on: date, ends_on: date) -> Campaign:
    """Written straight to the tables (the services date claims and results around today)."""
    return Campaign.objects.create(owner=owner, name="行动", starts_on=starts_on, ends_on=ends_on)


def _task(
    campaign: Campaign, status: str, by: Organization | None, completed_on: date | None = None
) -> Task:
    return Task.objects.create(
        campaign=campaign, title="任务", status=status, claimed_by=by, completed_on=completed_on
    )


def _milestone(task: Task, done_on: date | None) -> None:
    Milestone.objects.create(task=task, title="节点", due_on=date(2024, 6, 30), done_on=done_on)


def _entry(campaign: Campaign, measure: str, count: int, on: date) -> None:
    ProgressEntry.objects.create(
        campaign=campaign,
        organization=campaign.owner,
        measure=measure,
        count=count,
        occurred_on=on,
        evidence="台账",
    )


def test_year_figures_are_the_hand_counts(world: Any) -> None:
    """Every branch of the figures' filters: campaigns within the year, reaching into it from
    the year before and spanning it, of the year after and of another subtree; tasks open,
    claimed and done in and out of the year; milestones done in and out of the year and not
    yet; publicity entries of the year, of the year before, and of another measure. A
    campaign has several tasks and entries, a task several milestones: a wrong join would
    multiply them."""
    from liandong.campaigns.hooks import year_figures

    y, ea = FIGURES_YEAR, world.enterprise_a
    whole = _campaign(world.union_a, date(y, 1, 1), date(y, 12, 31))
    reaching = _campaign(world.union_a, date(y - 1, 6, 1), date(y, 3, 31))
    spanning = _campaign(ea, date(y - 2, 1, 1), date(y + 2, 12, 31))
    later = _campaign(world.union_a, date(y + 1, 1, 1), date(y + 1, 6, 30))
    theirs = _campaign(world.union_b, date(y, 1, 1), date(y, 12, 31))
    unclaimed = _task(whole, TaskStatus.OPEN, None)
    _task(whole, TaskStatus.CLAIMED, ea)
    done = _task(whole, TaskStatus.DONE, ea, completed_on=date(y, 5, 1))
    done_before = _task(reaching, TaskStatus.DONE, ea, completed_on=date(y - 1, 12, 20))
    _task(spanning, TaskStatus.CLAIMED, ea)
    done_later = _task(later, TaskStatus.DONE, ea, completed_on=date(y + 1, 2, 1))
    _task(theirs, TaskStatus.DONE, world.enterprise_b, completed_on=date(y, 5, 1))
    _milestone(unclaimed, date(y, 2, 1))
    _milestone(done, date(y, 4, 1))
    _milestone(done, date(y - 1, 11, 1))
    _milestone(done, None)
    _milestone(done_before, date(y, 1, 10))
    _milestone(done_later, date(y, 12, 1))  # its campaign is not of the year
    publicity = "reported.publicity"
    _entry(whole, publicity, 3, date(y, 3, 1))
    _entry(whole, publicity, 2, date(y - 1, 12, 1))
    _entry(whole, "reported.briefing", 7, date(y, 3, 1))
    _entry(reaching, publicity, 4, date(y, 2, 1))
    _entry(later, publicity, 6, date(y, 12, 31))
    _entry(theirs, publicity, 9, date(y, 3, 1))
    assert {f.label: f.value for f in year_figures(world.union_a, y)} == {
        "开展专项行动": 3,
        "任务被揭榜": 4,
        "揭榜任务完成": 1,
        "完成任务节点": 3,
        "开展宣传活动": 7,
    }
    assert {f.label: f.value for f in year_figures(world.province, y)} == {
        "开展专项行动": 4,
        "任务被揭榜": 5,
        "揭榜任务完成": 2,
        "完成任务节点": 3,
        "开展宣传活动": 16,
    }
    assert {f.label: f.value for f in year_figures(world.union_a, y + 3)} == {
        "开展专项行动": 0,
        "任务被揭榜": 0,
        "揭榜任务完成": 0,
        "完成任务节点": 0,
        "开展宣传活动": 0,
    }
