"""Writes to volunteer teams. Every write is checked (``full_clean`` and the rules below),
audited with a diff, and refused as a ValidationError naming the field, changing nothing.

Rules: a worker or an outside volunteer (by mobile) is a member of a team once at a time; a
member's hours are positive and, over every team and activity, at most 24 on one day; hours
are recorded for members of the team on that day, within the activity's dates and not in the
future; one service record per team, activity and day; training attendance is of the team's
members on the day."""

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone

from liandong.accounts.models import User
from liandong.core import crypto, races
from liandong.core.audit import audit_log, diff, snapshot
from liandong.core.extensions import ServiceActivity
from liandong.core.identity import normalize_name, validate_mobile
from liandong.core.masking import mask_mobile
from liandong.organizations.models import Organization
from liandong.volunteers.models import (
    MAX_HOURS_PER_DAY,
    Attendance,
    Honour,
    Hours,
    Member,
    Service,
    Team,
    Training,
)
from liandong.workers.models import Worker

TEAM_FIELDS = [
    "name",
    "organization",
    "founded_on",
    "skills",
    "service_mode",
    "description",
    "contact_name",
]
MEMBER_FIELDS = ["name", "worker", "mobile_masked", "skills", "role", "joined_on", "left_on"]
# Off only in the concurrency test's control run (tests/test_concurrency.py).
HOURS_LOCK = True
TRAINING_FIELDS = ["title", "held_on", "place", "trainer", "hours", "content"]


def _not_future(day: date, field: str, what: str) -> None:
    if day > timezone.localdate():
        raise ValidationError({field: f"{what}不能晚于今天。"}, code="future")


@transaction.atomic
def team_create(
    *,
    actor: User | None,
    organization: Organization,
    name: str,
    founded_on: date,
    skills: str = "",
    service_mode: str = "",
    description: str = "",
    contact_name: str = "",
) -> Team:
    _not_future(founded_on, "founded_on", "成立日期")
    team = Team(
        organization=organization,
        name=name.strip(),
        founded_on=founded_on,
        skills=skills.strip(),
        service_mode=service_mode.strip(),
        description=description.strip(),
        contact_name=contact_name.strip(),
        created_by=actor,
    )
    team.full_clean()
    if Team.objects.filter(organization=organization, name=team.name).exists():
        raise ValidationError({"name": "该工会已有同名的志愿服务队。"}, code="duplicate")
    team.save()
    audit_log(
        actor=actor,
        action="volunteers.team_created",
        target=team,
        changes=diff({}, snapshot(team, TEAM_FIELDS)),
    )
    return team


@transaction.atomic
def team_update(*, actor: User | None, team: Team, **fields: Any) -> Team:
    unknown = set(fields) - set(TEAM_FIELDS)
    if unknown:
        raise ValueError(f"unknown fields {unknown}")
    team = Team.objects.select_for_update().get(pk=team.pk)
    before = snapshot(team, TEAM_FIELDS)
    for name, value in fields.items():
        setattr(team, name, value.strip() if isinstance(value, str) else value)
    if "founded_on" in fields:
        _not_future(team.founded_on, "founded_on", "成立日期")
    team.full_clean()
    if (
        Team.objects.filter(organization=team.organization, name=team.name)
        .exclude(pk=team.pk)
        .exists()
    ):
        raise ValidationError({"name": "该工会已有同名的志愿服务队。"}, code="duplicate")
    team.save()
    changes = diff(before, snapshot(team, TEAM_FIELDS))
    if changes:
        audit_log(actor=actor, action="volunteers.team_updated", target=team, changes=changes)
    return team


def _check_joined(team: Team, joined_on: date) -> None:
    _not_future(joined_on, "joined_on", "入队日期")
    if joined_on < team.founded_on:
        raise ValidationError({"joined_on": "入队日期不能早于服务队成立日期。"}, code="before_team")


def _save_member(actor: User | None, member: Member) -> Member:
    member.full_clean(validate_constraints=False)
    member.save()
    audit_log(
        actor=actor,
        action="volunteers.member_added",
        target=member,
        changes={"team": member.team_id, **diff({}, snapshot(member, MEMBER_FIELDS))},
    )
    return member


@transaction.atomic
def member_add_worker(
    *,
    actor: User | None,
    team: Team,
    worker: Worker,
    joined_on: date,
    skills: str = "",
    role: str = "",
) -> Member:
    """Enrol a worker of the roster (the caller has scoped ``worker`` to the actor)."""
    Team.objects.select_for_update().filter(pk=team.pk).first()
    _check_joined(team, joined_on)
    if team.members.filter(worker=worker, left_on__isnull=True).exists():
        raise ValidationError({"worker": f"{worker.name} 已是本队志愿者。"}, code="member_once")
    member = Member(
        team=team,
        worker=worker,
        name=worker.name,
        mobile_masked=worker.mobile_masked,
        skills=skills.strip(),
        role=role.strip(),
        joined_on=joined_on,
    )
    return _save_member(actor, member)


@transaction.atomic
def member_add_outside(
    *,
    actor: User | None,
    team: Team,
    name: str,
    mobile: str,
    joined_on: date,
    skills: str = "",
    role: str = "",
) -> Member:
    """Enrol a volunteer who is not on the roster, known by name and mobile (sealed)."""
    Team.objects.select_for_update().filter(pk=team.pk).first()
    errors: dict[str, str] = {}
    name = normalize_name(name)
    if not name:
        errors["name"] = "请填写志愿者姓名。"
    try:
        mobile = validate_mobile(mobile)
    except ValidationError as error:
        errors["mobile"] = error.messages[0]
    if errors:
        raise ValidationError(errors, code="invalid")
    _check_joined(team, joined_on)
    digest = crypto.mobile_digest(mobile)
    if team.members.filter(mobile_digest=digest, left_on__isnull=True).exists():
        raise ValidationError({"mobile": "该手机号的志愿者已在本队。"}, code="member_once")
    member = Member(
        team=team,
        name=name,
        mobile_cipher=crypto.encrypt(mobile),
        mobile_digest=digest,
        mobile_masked=mask_mobile(mobile),
        skills=skills.strip(),
        role=role.strip(),
        joined_on=joined_on,
    )
    return _save_member(actor, member)


@transaction.atomic
def member_remove(*, actor: User | None, member: Member, left_on: date | None = None) -> Member:
    """The member leaves the team; the hours they served stay with it."""
    member = Member.objects.select_for_update().select_related("team").get(pk=member.pk)
    if member.left_on is not None:
        raise ValidationError({"left_on": "该志愿者已离队。"}, code="already_left")
    left_on = left_on or timezone.localdate()
    _not_future(left_on, "left_on", "离队日期")
    if left_on < member.joined_on:
        raise ValidationError({"left_on": "离队日期不能早于入队日期。"}, code="before_joined")
    before = snapshot(member, MEMBER_FIELDS)
    member.left_on = left_on
    member.full_clean(validate_constraints=False)
    member.save(update_fields=["left_on", "updated_at"])
    audit_log(
        actor=actor,
        action="volunteers.member_removed",
        target=member,
        changes=diff(before, snapshot(member, MEMBER_FIELDS)),
    )
    return member


def member_reveal(*, actor: User | None, member: Member, purpose: str = "") -> str:
    """An outside volunteer's full mobile, for someone who must call them. Always audited;
    callers check ``permissions.can_reveal_mobile`` first."""
    audit_log(
        actor=actor,
        action="volunteers.mobile_viewed",
        target=member,
        changes={"fields": ["mobile"], "purpose": purpose[:200]},
    )
    return crypto.decrypt(member.mobile_cipher)


@transaction.atomic
def honour_add(
    *,
    actor: User | None,
    team: Team,
    title: str,
    awarded_on: date,
    awarded_by: str = "",
    note: str = "",
) -> Honour:
    _not_future(awarded_on, "awarded_on", "日期")
    honour = Honour(
        team=team,
        title=title.strip(),
        awarded_on=awarded_on,
        awarded_by=awarded_by.strip(),
        note=note.strip(),
    )
    honour.full_clean()
    honour.save()
    audit_log(
        actor=actor,
        action="volunteers.honour_added",
        target=team,
        changes={"honour": [None, honour.title], "awarded_on": [None, str(awarded_on)]},
    )
    return honour


def parse_hours(raw: object, field: str) -> Decimal:
    """Hours as entered ("2", "1.5"): positive, at most 24, one decimal place."""
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({field: "服务时长须是数字（小时）。"}, code="hours_number") from None
    if not value.is_finite() or value <= 0:
        raise ValidationError({field: "服务时长须大于 0 小时。"}, code="hours_positive")
    if value > MAX_HOURS_PER_DAY:
        raise ValidationError({field: "一天的服务时长不能超过 24 小时。"}, code="hours_day")
    if value != value.quantize(Decimal("0.1")):
        raise ValidationError({field: "服务时长最多保留一位小数。"}, code="hours_precision")
    return value


def _member_on(member: Member, team: Team, day: date, field: str) -> None:
    if member.team_id != team.pk:
        raise ValidationError({field: f"{member.name} 不是本队志愿者。"}, code="not_member")
    if member.joined_on > day or (member.left_on is not None and member.left_on < day):
        raise ValidationError(
            {field: f"{member.name} 在 {day:%Y年%-m月%-d日} 不在队中。"}, code="not_member_then"
        )


@transaction.atomic
def service_record(
    *,
    actor: User | None,
    team: Team,
    activity: ServiceActivity,
    served_on: date,
    hours: Mapping[Member, Decimal],
    people_served: int = 0,
    note: str = "",
) -> Service:
    """The team's service at ``activity`` on ``served_on`` (the caller has scoped ``activity``
    to the actor through the ``service_activities`` hook), with each member's hours."""
    if not activity.starts_on <= served_on <= activity.ends_on:
        raise ValidationError(
            {
                "served_on": f"服务日期须在活动日期内（{activity.starts_on:%Y年%-m月%-d日}至"
                f"{activity.ends_on:%Y年%-m月%-d日}）。"
            },
            code="outside_activity",
        )
    _not_future(served_on, "served_on", "服务日期")
    if people_served < 0:
        raise ValidationError({"people_served": "服务人次不能为负数。"}, code="negative")
    if not hours:
        raise ValidationError({"hours": "请至少为一名志愿者填写服务时长。"}, code="no_hours")
    if Service.objects.filter(team=team, activity_id=activity.id, served_on=served_on).exists():
        raise ValidationError(
            {"served_on": "本队这一天在该活动的服务已经登记过。"}, code="service_once"
        )
    members = list(Member.objects.filter(pk__in=[m.pk for m in hours]))
    by_pk = {m.pk: m for m in members}
    if HOURS_LOCK:
        # Lock every membership of the same people (in any team, in id order) so that two
        # entries for one person at once cannot both pass the 24-hour rule.
        person = Q(pk__in=list(by_pk))
        for held in members:
            if held.worker_id:
                person |= Q(worker_id=held.worker_id)
            elif held.mobile_digest:
                person |= Q(mobile_digest=held.mobile_digest)
        list(Member.objects.select_for_update().filter(person).order_by("pk").values_list("pk"))
    for given, value in hours.items():
        member = by_pk.get(given.pk)
        if member is None:
            raise ValidationError({"hours": "志愿者不存在。"}, code="not_member")
        field = f"hours_{member.pk}"
        _member_on(member, team, served_on, field)
        if not Decimal("0") < value <= MAX_HOURS_PER_DAY:
            raise ValidationError(
                {field: f"{member.name} 的服务时长须大于 0 且不超过 24 小时。"}, code="hours_day"
            )
        same_person = Q(member=member)
        if member.worker_id:
            same_person |= Q(member__worker_id=member.worker_id)
        elif member.mobile_digest:
            same_person |= Q(member__mobile_digest=member.mobile_digest)
        already = Hours.objects.filter(same_person, service__served_on=served_on).aggregate(
            total=Sum("hours")
        )["total"] or Decimal("0")
        if already + value > MAX_HOURS_PER_DAY:
            raise ValidationError(
                {
                    field: f"{member.name} 当天已登记 {already} 小时，"
                    f"再加 {value} 小时将超过一天 24 小时。"
                },
                code="hours_day",
            )
    if not HOURS_LOCK:
        races.window()  # the control run's check-then-act only: all threads read, then write
    service = Service(
        team=team,
        activity_id=activity.id,
        activity_title=activity.title[:120],
        served_on=served_on,
        people_served=people_served,
        note=note.strip(),
        recorded_by=actor,
    )
    service.full_clean()
    service.save()
    rows = [Hours(service=service, member=by_pk[m.pk], hours=v) for m, v in hours.items()]
    for row in rows:
        row.full_clean(exclude=["service"], validate_constraints=False)
    Hours.objects.bulk_create(rows)
    audit_log(
        actor=actor,
        action="volunteers.service_recorded",
        target=team,
        changes={
            "activity": [None, service.activity_title],
            "served_on": [None, str(served_on)],
            "people_served": [None, people_served],
            "hours": [None, {by_pk[m.pk].name: str(v) for m, v in hours.items()}],
        },
    )
    return service


@transaction.atomic
def training_create(
    *,
    actor: User | None,
    team: Team,
    title: str,
    held_on: date,
    place: str = "",
    trainer: str = "",
    hours: Decimal = Decimal("2"),
    content: str = "",
) -> Training:
    training = Training(
        team=team,
        title=title.strip(),
        held_on=held_on,
        place=place.strip(),
        trainer=trainer.strip(),
        hours=hours,
        content=content.strip(),
    )
    training.full_clean()
    if held_on < team.founded_on:
        raise ValidationError({"held_on": "培训日期不能早于服务队成立日期。"}, code="before_team")
    training.save()
    audit_log(
        actor=actor,
        action="volunteers.training_created",
        target=training,
        changes=diff({}, snapshot(training, TRAINING_FIELDS)),
    )
    return training


@transaction.atomic
def attendance_set(
    *, actor: User | None, training: Training, members: Sequence[Member]
) -> list[Member]:
    """Who attended the training: the team's members on its day. Replaces the list."""
    if training.held_on > timezone.localdate():
        raise ValidationError({"members": "培训尚未举行，不能登记签到。"}, code="not_held")
    team = training.team
    for member in members:
        _member_on(member, team, training.held_on, "members")
    before = sorted(training.attendance.values_list("member_id", flat=True))
    wanted = sorted({m.pk for m in members})
    training.attendance.exclude(member_id__in=wanted).delete()
    Attendance.objects.bulk_create(
        [Attendance(training=training, member_id=pk) for pk in wanted if pk not in set(before)]
    )
    if before != wanted:
        audit_log(
            actor=actor,
            action="volunteers.attendance_recorded",
            target=training,
            changes={"attendees": [len(before), len(wanted)]},
        )
    return list(members)
