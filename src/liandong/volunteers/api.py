"""Volunteer teams' API: the same permissions and services as the pages. Another body's team,
member, worker or activity answers 404; a body that may see but not manage answers 403; a
broken rule answers 422 naming the field."""

from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Status

from liandong.accounts.models import AuthenticatedHttpRequest
from liandong.core.paging import page_by_id
from liandong.core.schemas import InputSchema
from liandong.volunteers import permissions as perms
from liandong.volunteers import selectors, services
from liandong.volunteers.models import Hours, Member, Service, Team, Training
from liandong.volunteers.schemas import (
    VolunteerAttendanceIn,
    VolunteerHonourIn,
    VolunteerHonourOut,
    VolunteerMemberIn,
    VolunteerMemberOut,
    VolunteerMobileOut,
    VolunteerRemoveIn,
    VolunteerRevealIn,
    VolunteerServiceIn,
    VolunteerServiceOut,
    VolunteerTeamDetailOut,
    VolunteerTeamIn,
    VolunteerTeamPage,
    VolunteerTeamPatch,
    VolunteerTrainingIn,
    VolunteerTrainingOut,
)

router = Router(tags=["志愿服务队"])


class VolunteerPageQuery(InputSchema):
    cursor: int | None = None
    limit: int = 20


def team_item(t: Team) -> dict[str, Any]:
    return {
        "id": t.pk,
        "name": t.name,
        "organization_id": t.organization_id,
        "organization_name": t.organization.name,
        "founded_on": t.founded_on,
        "skills": t.skill_list,
        "service_mode": t.service_mode,
        "description": t.description,
        "contact_name": t.contact_name,
    }


def member_item(m: Member, hours: Decimal | int = 0) -> dict[str, Any]:
    return {
        "id": m.pk,
        "team_id": m.team_id,
        "kind": "worker" if m.worker_id else "outside",
        "worker_id": m.worker_id,
        "name": m.name,
        "mobile_masked": m.mobile_masked,
        "skills": m.skills,
        "role": m.role,
        "joined_on": m.joined_on,
        "left_on": m.left_on,
        "hours": hours,
    }


def training_item(t: Training) -> dict[str, Any]:
    return {
        "id": t.pk,
        "team_id": t.team_id,
        "title": t.title,
        "held_on": t.held_on,
        "place": t.place,
        "trainer": t.trainer,
        "hours": t.hours,
        "content": t.content,
        "attendee_ids": sorted(a.member_id for a in t.attendance.all()),
    }


def with_hours() -> Prefetch:
    """A service's hours with their members, in member order, for ``service_item``."""
    return Prefetch("hours", queryset=Hours.objects.select_related("member").order_by("member_id"))


def service_item(s: Service) -> dict[str, Any]:
    """``s`` with its hours prefetched (``with_hours``)."""
    return {
        "id": s.pk,
        "team_id": s.team_id,
        "activity_id": s.activity_id,
        "activity_title": s.activity_title,
        "served_on": s.served_on,
        "people_served": s.people_served,
        "note": s.note,
        "hours": [
            {"member_id": h.member_id, "name": h.member.name, "hours": h.hours}
            for h in s.hours.all()
        ],
    }


def _team(request: AuthenticatedHttpRequest, team_id: int, *, manage: bool = False) -> Team:
    team = get_object_or_404(perms.teams_visible_to(request.user), pk=team_id)
    if manage and not perms.can_manage_team(request.user, team):
        raise PermissionDenied
    return team


@router.get("/teams", response=VolunteerTeamPage, operation_id="volunteers_list_teams")
def list_teams(request: AuthenticatedHttpRequest, query: Query[VolunteerPageQuery]) -> dict:
    """Teams sponsored in the caller's subtree, newest first."""
    if not perms.can_use_volunteers(request.user):
        raise PermissionDenied
    page = page_by_id(perms.teams_visible_to(request.user), cursor=query.cursor, size=query.limit)
    return {"items": [team_item(t) for t in page.items], "next_cursor": page.next_cursor}


@router.post(
    "/teams", response={201: VolunteerTeamDetailOut}, operation_id="volunteers_create_team"
)
def create_team(request: AuthenticatedHttpRequest, payload: VolunteerTeamIn) -> Status:
    if not perms.can_create_team(request.user):
        raise PermissionDenied
    data = payload.dict()
    sponsor = perms.sponsor_choices(request.user).filter(pk=data.pop("organization_id")).first()
    if sponsor is None:
        raise ValidationError(
            {"organization_id": "主管工会须是您所在工会或其下级工会。"}, code="sponsor"
        )
    team = services.team_create(actor=request.user, organization=sponsor, **data)
    return Status(201, get_team(request, team.pk))


@router.get(
    "/teams/{int:team_id}", response=VolunteerTeamDetailOut, operation_id="volunteers_get_team"
)
def get_team(request: AuthenticatedHttpRequest, team_id: int) -> dict:
    """The team with its members, honours, trainings and figures (hours, people served)."""
    team = _team(request, team_id)
    hours = selectors.member_hours(team)
    return {
        **team_item(team),
        "figures": selectors.team_figures(team).__dict__,
        "members": [member_item(m, hours.get(m.pk, 0)) for m in team.members.all()],
        "honours": [VolunteerHonourOut.from_orm(h).dict() for h in team.honours.all()],
        "trainings": [
            training_item(t) for t in team.trainings.prefetch_related("attendance")[:100]
        ],
        "can_manage": perms.can_manage_team(request.user, team),
    }


@router.patch(
    "/teams/{int:team_id}", response=VolunteerTeamDetailOut, operation_id="volunteers_update_team"
)
def update_team(
    request: AuthenticatedHttpRequest, team_id: int, payload: VolunteerTeamPatch
) -> dict:
    team = _team(request, team_id, manage=True)
    services.team_update(actor=request.user, team=team, **payload.dict(exclude_unset=True))
    return get_team(request, team.pk)


@router.post(
    "/teams/{int:team_id}/members",
    response={201: VolunteerMemberOut},
    operation_id="volunteers_add_member",
)
def add_member(
    request: AuthenticatedHttpRequest, team_id: int, payload: VolunteerMemberIn
) -> Status:
    """A worker by ``worker_id`` (one outside the caller's subtree is a 404), or an outside
    volunteer by ``name`` and ``mobile``."""
    team = _team(request, team_id, manage=True)
    common: dict[str, Any] = {
        "actor": request.user,
        "team": team,
        "joined_on": payload.joined_on,
        "skills": payload.skills,
        "role": payload.role,
    }
    if payload.worker_id is not None:
        worker = get_object_or_404(perms.workers_addable_by(request.user), pk=payload.worker_id)
        member = services.member_add_worker(worker=worker, **common)
    else:
        member = services.member_add_outside(name=payload.name, mobile=payload.mobile, **common)
    return Status(201, member_item(member))


def _member(request: AuthenticatedHttpRequest, member_id: int) -> Member:
    return get_object_or_404(perms.members_visible_to(request.user), pk=member_id)


@router.post(
    "/members/{int:member_id}/remove",
    response=VolunteerMemberOut,
    operation_id="volunteers_remove_member",
)
def remove_member(
    request: AuthenticatedHttpRequest, member_id: int, payload: VolunteerRemoveIn
) -> dict:
    member = _member(request, member_id)
    if not perms.can_manage_team(request.user, member.team):
        raise PermissionDenied
    member = services.member_remove(actor=request.user, member=member, left_on=payload.left_on)
    return member_item(member, selectors.member_hours(member.team).get(member.pk, 0))


@router.post(
    "/members/{int:member_id}/reveal",
    response=VolunteerMobileOut,
    operation_id="volunteers_reveal_member",
)
def reveal_member(
    request: AuthenticatedHttpRequest, member_id: int, payload: VolunteerRevealIn
) -> dict:
    """An outside volunteer's full mobile, for the team's managers. Written to the audit log."""
    member = _member(request, member_id)
    if not perms.can_reveal_mobile(request.user, member):
        raise PermissionDenied
    mobile = services.member_reveal(actor=request.user, member=member, purpose=payload.purpose)
    return {"id": member.pk, "mobile": mobile}


@router.post(
    "/teams/{int:team_id}/honours",
    response={201: VolunteerHonourOut},
    operation_id="volunteers_add_honour",
)
def add_honour(
    request: AuthenticatedHttpRequest, team_id: int, payload: VolunteerHonourIn
) -> Status:
    team = _team(request, team_id, manage=True)
    honour = services.honour_add(actor=request.user, team=team, **payload.dict())
    return Status(201, VolunteerHonourOut.from_orm(honour).dict())


@router.get(
    "/teams/{int:team_id}/services",
    response=list[VolunteerServiceOut],
    operation_id="volunteers_list_services",
)
def list_services(request: AuthenticatedHttpRequest, team_id: int) -> list[dict]:
    team = _team(request, team_id)
    found = team.services.prefetch_related(with_hours()).order_by("-served_on", "-pk")[:100]
    return [service_item(s) for s in found]


@router.post(
    "/teams/{int:team_id}/services",
    response={201: VolunteerServiceOut},
    operation_id="volunteers_record_service",
)
def record_service(
    request: AuthenticatedHttpRequest, team_id: int, payload: VolunteerServiceIn
) -> Status:
    """Hours per member at an activity of the activities app (one the caller may see: else
    404). Each member's hours are positive and, on one day, at most 24 in all."""
    team = _team(request, team_id, manage=True)
    found = selectors.service_activities(request.user, [payload.activity_id])
    if not found:  # another body's activity does not exist for the caller
        raise Http404("服务活动不存在。")
    members = {m.pk: m for m in team.members.filter(pk__in=[h.member_id for h in payload.hours])}
    hours: dict[Member, Decimal] = {}
    for index, line in enumerate(payload.hours):
        field = f"hours.{index}"
        member = members.get(line.member_id)
        if member is None:
            raise ValidationError({f"{field}.member_id": "不是本队志愿者。"}, code="not_member")
        if member in hours:
            raise ValidationError(
                {f"{field}.member_id": "同一志愿者只能填写一次。"}, code="duplicate"
            )
        hours[member] = services.parse_hours(line.hours, f"{field}.hours")
    service = services.service_record(
        actor=request.user,
        team=team,
        activity=found[0],
        served_on=payload.served_on,
        people_served=payload.people_served,
        note=payload.note,
        hours=hours,
    )
    prefetch_related_objects([service], with_hours())
    return Status(201, service_item(service))


@router.post(
    "/teams/{int:team_id}/trainings",
    response={201: VolunteerTrainingOut},
    operation_id="volunteers_create_training",
)
def create_training(
    request: AuthenticatedHttpRequest, team_id: int, payload: VolunteerTrainingIn
) -> Status:
    team = _team(request, team_id, manage=True)
    training = services.training_create(actor=request.user, team=team, **payload.dict())
    return Status(201, training_item(training))


@router.post(
    "/trainings/{int:training_id}/attendance",
    response=VolunteerTrainingOut,
    operation_id="volunteers_set_attendance",
)
def set_attendance(
    request: AuthenticatedHttpRequest, training_id: int, payload: VolunteerAttendanceIn
) -> dict:
    training = get_object_or_404(perms.trainings_visible_to(request.user), pk=training_id)
    if not perms.can_manage_team(request.user, training.team):
        raise PermissionDenied
    members = list(training.team.members.filter(pk__in=payload.member_ids))
    if len(members) != len(set(payload.member_ids)):
        raise ValidationError({"member_ids": "有的志愿者不是本队成员。"}, code="not_member")
    services.attendance_set(actor=request.user, training=training, members=members)
    return training_item(training)
