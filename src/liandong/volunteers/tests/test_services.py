"""Each rule of the volunteers services, and that a refusal changes nothing."""

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from liandong.core import crypto
from liandong.core.models import AuditLog
from liandong.volunteers import selectors, services
from liandong.volunteers.models import Attendance, Hours, Member, Service, Team, Training
from liandong.volunteers.permissions import (
    can_manage_team,
    teams_visible_to,
    workers_addable_by,
)
from liandong.volunteers.selectors import service_activities


def fields_of(error: pytest.ExceptionInfo[ValidationError]) -> set[str]:
    return set(error.value.message_dict)


def test_outside_mobile_is_sealed_masked_and_revealed_with_an_audit(world: Any, vol: Any) -> None:
    member = vol.outside
    assert "13801100301" not in member.mobile_cipher
    assert member.mobile_masked == "138****0301"
    assert member.mobile_digest == crypto.mobile_digest("13801100301")
    before = AuditLog.objects.filter(action="volunteers.mobile_viewed").count()
    shown = services.member_reveal(actor=world.users["staff_a"], member=member, purpose="联系")
    assert shown == "13801100301"
    assert AuditLog.objects.filter(action="volunteers.mobile_viewed").count() == before + 1
    entry = AuditLog.objects.filter(action="volunteers.mobile_viewed").latest("id")
    assert "13801100301" not in str(entry.changes)


def test_a_worker_is_a_member_of_a_team_once(world: Any, vol: Any) -> None:
    with pytest.raises(ValidationError) as error:
        services.member_add_worker(
            actor=None, team=vol.team, worker=world.worker_a, joined_on=date(2020, 1, 1)
        )
    assert fields_of(error) == {"worker"}
    assert vol.team.members.count() == 2


def test_an_outside_volunteer_is_a_member_once_by_mobile(vol: Any) -> None:
    with pytest.raises(ValidationError) as error:
        services.member_add_outside(
            actor=None, team=vol.team, name="另一人", mobile="138 0110 0301", joined_on=vol.today
        )
    assert fields_of(error) == {"mobile"}
    assert vol.team.members.count() == 2


def test_after_leaving_a_member_may_join_again(world: Any, vol: Any) -> None:
    services.member_remove(actor=None, member=vol.worker_member)
    again = services.member_add_worker(
        actor=None, team=vol.team, worker=world.worker_a, joined_on=vol.today
    )
    assert again.pk != vol.worker_member.pk
    assert vol.team.members.filter(worker=world.worker_a).count() == 2


def test_bad_mobile_and_name_name_their_fields(vol: Any) -> None:
    with pytest.raises(ValidationError) as error:
        services.member_add_outside(
            actor=None, team=vol.team, name=" ", mobile="12345", joined_on=vol.today
        )
    assert fields_of(error) == {"name", "mobile"}


def test_join_date_not_before_founding_nor_in_future(vol: Any) -> None:
    for day in (date(2013, 12, 31), vol.today + timedelta(days=1)):
        with pytest.raises(ValidationError) as error:
            services.member_add_outside(
                actor=None, team=vol.team, name="新人", mobile="13801100399", joined_on=day
            )
        assert fields_of(error) == {"joined_on"}
    assert vol.team.members.count() == 2


def test_another_unions_worker_is_out_of_reach(world: Any) -> None:
    addable = workers_addable_by(world.users["staff_a"])
    assert addable.filter(pk=world.worker_a.pk).exists()
    assert not addable.filter(pk=world.worker_b.pk).exists()


def test_teams_are_scoped_to_the_subtree(world: Any, vol: Any) -> None:
    assert list(teams_visible_to(world.users["staff_a"])) == [vol.team]
    assert set(teams_visible_to(world.users["province_admin"])) == {vol.team, vol.team_b}
    assert not teams_visible_to(world.users["worker_a"]).exists()
    assert not can_manage_team(world.users["enterprise_a"], vol.team)
    assert can_manage_team(world.users["admin_a"], vol.team)


def test_the_hook_offers_only_the_activities_the_user_may_see(world: Any, vol: Any) -> None:
    ids = {a.id for a in service_activities(world.users["staff_a"])}
    assert vol.activity.id in ids
    assert vol.activity_b.id not in ids
    assert service_activities(world.users["staff_a"], [vol.activity_b.id]) == []


def record(vol: Any, hours: dict[Member, str], **kw: Any) -> Service:
    values: dict[str, Any] = {
        "actor": None,
        "team": vol.team,
        "activity": vol.activity,
        "served_on": vol.today,
        "people_served": 80,
        "hours": {m: Decimal(v) for m, v in hours.items()},
    }
    values.update(kw)
    return services.service_record(**values)


def test_hours_are_recorded_and_counted(vol: Any) -> None:
    record(vol, {vol.worker_member: "4", vol.outside: "3.5"})
    figures = selectors.team_figures(vol.team)
    assert figures.hours == Decimal("7.5")
    assert figures.people_served == 80
    assert figures.volunteers_served == 2
    assert figures.services == 1


@pytest.mark.parametrize("value", ["0", "-1", "24.5"])
def test_hours_must_be_positive_and_at_most_24(vol: Any, value: str) -> None:
    with pytest.raises(ValidationError) as error:
        record(vol, {vol.worker_member: value})
    assert fields_of(error) == {f"hours_{vol.worker_member.pk}"}
    assert not Service.objects.exists()


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("abc", "数字"),
        ("0", "大于 0"),
        ("25", "24 小时"),
        ("1.25", "一位小数"),
    ],
)
def test_parse_hours(raw: str, code: str) -> None:
    with pytest.raises(ValidationError) as error:
        services.parse_hours(raw, "h")
    assert code in error.value.message_dict["h"][0]
    assert services.parse_hours("24", "h") == Decimal("24")


def test_a_day_holds_at_most_24_hours_over_activities_and_teams(world: Any, vol: Any) -> None:
    record(vol, {vol.worker_member: "20"})
    other = services.team_create(
        actor=None, organization=world.union_a, name="第二支队", founded_on=date(2020, 1, 1)
    )
    again = services.member_add_worker(
        actor=None, team=other, worker=world.worker_a, joined_on=date(2020, 1, 1)
    )
    with pytest.raises(ValidationError) as error:
        record(vol, {again: "5"}, team=other)
    assert fields_of(error) == {f"hours_{again.pk}"}
    assert "20" in str(error.value)
    record(vol, {again: "4"}, team=other)  # 24 in all is allowed
    assert Hours.objects.count() == 2


def test_one_record_per_team_activity_and_day(vol: Any) -> None:
    record(vol, {vol.worker_member: "2"})
    with pytest.raises(ValidationError) as error:
        record(vol, {vol.outside: "2"})
    assert fields_of(error) == {"served_on"}
    assert Service.objects.count() == 1


def test_the_day_lies_within_the_activity_and_not_in_the_future(vol: Any) -> None:
    for day in (vol.activity.starts_on - timedelta(days=1), vol.today + timedelta(days=1)):
        with pytest.raises(ValidationError) as error:
            record(vol, {vol.worker_member: "2"}, served_on=day)
        assert fields_of(error) == {"served_on"}
    assert not Service.objects.exists()


def test_hours_only_for_members_of_the_team_on_that_day(world: Any, vol: Any) -> None:
    foreign = services.member_add_outside(
        actor=None, team=vol.team_b, name="乙队员", mobile="13801100388", joined_on=vol.today
    )
    with pytest.raises(ValidationError):
        record(vol, {foreign: "2"})
    services.member_remove(actor=None, member=vol.outside, left_on=vol.today - timedelta(days=2))
    vol.outside.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        record(vol, {vol.outside: "2"})
    assert fields_of(error) == {f"hours_{vol.outside.pk}"}
    assert not Service.objects.exists()


def test_at_least_one_member_has_hours(vol: Any) -> None:
    with pytest.raises(ValidationError) as error:
        record(vol, {})
    assert fields_of(error) == {"hours"}


def test_removing_keeps_the_hours_and_cannot_be_repeated(vol: Any) -> None:
    record(vol, {vol.outside: "3"})
    services.member_remove(actor=None, member=vol.outside)
    assert selectors.team_figures(vol.team).hours == Decimal("3")
    assert selectors.team_figures(vol.team).members == 1
    with pytest.raises(ValidationError) as error:
        services.member_remove(actor=None, member=vol.outside)
    assert fields_of(error) == {"left_on"}


def test_training_attendance_is_of_members_on_the_day(vol: Any) -> None:
    training = services.training_create(
        actor=None, team=vol.team, title="冬季用车保养知识培训", held_on=vol.today
    )
    services.attendance_set(actor=None, training=training, members=[vol.worker_member])
    services.attendance_set(actor=None, training=training, members=[vol.worker_member, vol.outside])
    assert training.attendance.count() == 2
    services.attendance_set(actor=None, training=training, members=[vol.outside])
    assert list(training.attendance.values_list("member_id", flat=True)) == [vol.outside.pk]
    late = services.member_add_outside(
        actor=None, team=vol.team, name="新人", mobile="13801100377", joined_on=vol.today
    )
    early = services.training_create(
        actor=None, team=vol.team, title="早先培训", held_on=vol.today - timedelta(days=3)
    )
    with pytest.raises(ValidationError) as error:
        services.attendance_set(actor=None, training=early, members=[late])
    assert fields_of(error) == {"members"}
    assert not early.attendance.exists()


def test_training_not_before_the_team(vol: Any) -> None:
    with pytest.raises(ValidationError) as error:
        services.training_create(actor=None, team=vol.team, title="x", held_on=date(2013, 1, 1))
    assert fields_of(error) == {"held_on"}


def test_team_name_once_per_union_and_founding_not_in_future(world: Any, vol: Any) -> None:
    with pytest.raises(ValidationError) as error:
        services.team_create(
            actor=None, organization=world.union_a, name=vol.team.name, founded_on=vol.today
        )
    assert fields_of(error) == {"name"}
    with pytest.raises(ValidationError) as error:
        services.team_update(actor=None, team=vol.team, founded_on=vol.today + timedelta(days=1))
    assert fields_of(error) == {"founded_on"}
    vol.team.refresh_from_db()
    assert vol.team.founded_on == date(2014, 1, 1)


def test_every_write_is_audited_with_a_diff(world: Any, vol: Any) -> None:
    services.team_update(actor=world.users["staff_a"], team=vol.team, service_mode="服务")
    entry = AuditLog.objects.filter(action="volunteers.team_updated").latest("id")
    assert entry.changes == {"service_mode": ["服务+培训", "服务"]}
    services.honour_add(actor=None, team=vol.team, title="授旗", awarded_on=vol.today)
    record(vol, {vol.worker_member: "2"})
    actions = set(AuditLog.objects.values_list("action", flat=True))
    assert {
        "volunteers.team_created",
        "volunteers.member_added",
        "volunteers.honour_added",
        "volunteers.service_recorded",
    } <= actions


def test_year_figures_hook(world: Any, vol: Any) -> None:
    from liandong.volunteers.hooks import year_figures

    record(vol, {vol.worker_member: "4", vol.outside: "2"})
    figures = {f.label: f for f in year_figures(world.union_a, vol.today.year)}
    assert figures["志愿服务时长"].value == 6.0
    assert figures["志愿服务人次"].value == 80
    assert figures["参加服务的志愿者"].value == 2
    assert figures["志愿服务队"].value == 1
    assert figures["志愿服务时长"].url.endswith(f"?year={vol.today.year}")
    assert figures["志愿服务时长"].opens_for(world.users["staff_a"])
    assert not figures["志愿服务时长"].opens_for(world.users["worker_a"])
    other = {f.label: f for f in year_figures(world.union_b, vol.today.year)}
    assert other["志愿服务时长"].value == 0


# --- Year figures over every branch of their filters ------------------------------------------


YEAR = 2024


def _team(organization: Any, name: str, founded_on: date) -> Team:
    return Team.objects.create(organization=organization, name=name, founded_on=founded_on)


def _member(team: Team, name: str, left_on: date | None = None) -> Member:
    return Member.objects.create(team=team, name=name, joined_on=date(2015, 1, 1), left_on=left_on)


def _service(team: Team, served_on: date, people: int, hours: dict[Member, str]) -> Service:
    service = Service.objects.create(
        team=team,
        activity_id=served_on.toordinal(),
        activity_title="志愿服务",
        served_on=served_on,
        people_served=people,
    )
    for member, value in hours.items():
        Hours.objects.create(service=service, member=member, hours=Decimal(value))
    return service


def _training(team: Team, held_on: date, attendees: list[Member]) -> Training:
    training = Training.objects.create(team=team, title="培训", held_on=held_on)
    for member in attendees:
        Attendance.objects.create(training=training, member=member)
    return training


@pytest.fixture
def ledger(world: Any) -> None:
    """Written straight to the tables (the services date everything around today). In union
    A's subtree: a team founded before ``YEAR`` with three members (one has left, after
    serving), four services (one without hours, one of the year before) and three trainings
    (one without attendance, one of the year before); a team of the enterprise founded after
    ``YEAR``, with an active member and a service after it. In union B's: one of each."""
    a = _team(world.union_a, "甲队", date(2014, 1, 1))
    m1, m2 = _member(a, "甲一"), _member(a, "甲二")
    m3 = _member(a, "甲三", left_on=date(YEAR, 10, 1))
    _service(a, date(YEAR, 1, 1), 80, {m1: "4", m2: "2.5"})
    _service(a, date(YEAR, 12, 31), 20, {m1: "3", m3: "1"})
    _service(a, date(YEAR, 6, 1), 5, {})
    _service(a, date(YEAR - 1, 12, 31), 100, {m2: "6"})
    _training(a, date(YEAR, 3, 1), [m1, m2])
    _training(a, date(YEAR, 4, 1), [])
    _training(a, date(YEAR - 1, 3, 1), [m1, m2, m3])
    late = _team(world.enterprise_a, "甲企业队", date(YEAR + 1, 1, 1))
    m4 = _member(late, "企一")
    _service(late, date(YEAR + 1, 2, 1), 7, {m4: "2"})
    b = _team(world.union_b, "乙队", date(2020, 1, 1))
    mb = _member(b, "乙一")
    _service(b, date(YEAR, 5, 1), 50, {mb: "8"})
    _training(b, date(YEAR, 5, 1), [mb])


def test_year_figures_are_the_hand_counts(world: Any, ledger: None) -> None:
    from liandong.volunteers.hooks import year_figures

    figures = {f.label: f for f in year_figures(world.union_a, YEAR)}
    assert {label: f.value for label, f in figures.items()} == {
        "志愿服务队": 1,  # the enterprise's team was founded after the year
        "参加服务的志愿者": 3,  # 甲一, 甲二, and 甲三 who left later
        "志愿服务时长": 10.5,  # 4 + 2.5 + 3 + 1
        "志愿服务人次": 105,  # 80 + 20 + 5
        "志愿者培训": 2,
    }
    assert figures["志愿者培训"].detail == {"attendance": 2}
    whole = {f.label: f.value for f in year_figures(world.province, YEAR)}
    assert whole == {
        "志愿服务队": 2,
        "参加服务的志愿者": 4,
        "志愿服务时长": 18.5,
        "志愿服务人次": 155,
        "志愿者培训": 3,
    }


def test_figures_of_a_subtree_and_of_a_team_are_the_hand_counts(world: Any, ledger: None) -> None:
    in_a = teams_visible_to(world.users["staff_a"])
    assert selectors.figures_of(in_a, YEAR) == selectors.TeamFigures(
        teams=1,
        members=3,  # 甲一, 甲二, 企一: active now, whatever the year
        services=3,
        hours=Decimal("10.5"),
        people_served=105,
        volunteers_served=3,
        trainings=2,
        training_attendance=2,
    )
    team = Team.objects.get(name="甲队")
    assert selectors.team_figures(team) == selectors.TeamFigures(
        teams=1,
        members=2,
        services=4,
        hours=Decimal("16.5"),
        people_served=205,
        volunteers_served=3,
        trainings=3,
        training_attendance=5,
    )
    assert selectors.figures_of(in_a, YEAR - 2) == selectors.TeamFigures(
        teams=1,
        members=3,
        services=0,
        hours=Decimal("0.0"),
        people_served=0,
        volunteers_served=0,
        trainings=0,
        training_attendance=0,
    )
