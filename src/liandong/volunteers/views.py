"""Pages of volunteer teams. Thin: permissions.py decides who sees and does what (another
body's team is a 404), services.py does the work, a refused rule comes back on the form."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from liandong.accounts.models import AuthenticatedHttpRequest
from liandong.core import crypto
from liandong.core.forms import form_add_service_error
from liandong.core.identity import validate_mobile
from liandong.volunteers import permissions as perms
from liandong.volunteers import selectors, services
from liandong.volunteers.forms import (
    AttendanceForm,
    HonourForm,
    MemberForm,
    RemoveForm,
    RevealForm,
    ServiceForm,
    TeamForm,
    TrainingForm,
)
from liandong.volunteers.models import Member, Team, Training

FIRST_YEAR = 2000


def _require_staff(request: AuthenticatedHttpRequest) -> None:
    if not perms.can_use_volunteers(request.user):
        raise PermissionDenied


def _team(request: AuthenticatedHttpRequest, pk: int, *, manage: bool = False) -> Team:
    team = get_object_or_404(perms.teams_visible_to(request.user), pk=pk)
    if manage and not perms.can_manage_team(request.user, team):
        raise PermissionDenied
    return team


def _year(request: AuthenticatedHttpRequest) -> int | None:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return None
    return year if FIRST_YEAR <= year <= timezone.localdate().year + 1 else None


def _form_page(
    request: AuthenticatedHttpRequest, form: Any, title: str, team: Team | None, submit: str
) -> HttpResponse:
    return render(
        request,
        "volunteers/form_page.html",
        {"form": form, "title": title, "team": team, "submit_label": submit},
    )


@login_required
def team_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_staff(request)
    year = _year(request)
    visible = perms.teams_visible_to(request.user)
    teams = list(visible.order_by("-founded_on", "-pk")[:200])
    counts = selectors.team_rows([t.pk for t in teams])
    return render(
        request,
        "volunteers/team_list.html",
        {
            "rows": [(t, counts[t.pk]) for t in teams],
            "figures": selectors.figures_of(visible, year),
            "year": year,
            "can_create": perms.can_create_team(request.user),
        },
    )


@login_required
def team_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not perms.can_create_team(request.user):
        raise PermissionDenied
    form = TeamForm(request.POST or None, sponsors=perms.sponsor_choices(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            team = services.team_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, "志愿服务队已建立。")
            return redirect("volunteers:team-detail", team.pk)
    return _form_page(request, form, "建立志愿服务队", None, "建立服务队")


@login_required
def team_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    team = _team(request, pk, manage=True)
    initial = {name: getattr(team, name) for name in services.TEAM_FIELDS}
    form = TeamForm(
        request.POST or None, initial=initial, sponsors=perms.sponsor_choices(request.user)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.team_update(actor=request.user, team=team, **form.cleaned_data)
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, "已保存。")
            return redirect("volunteers:team-detail", team.pk)
    return _form_page(request, form, f"编辑 {team.name}", team, "保存")


def _detail(
    request: AuthenticatedHttpRequest, team: Team, *, revealed: dict[int, str] | None = None
) -> HttpResponse:
    members = list(team.members.select_related("worker").order_by("left_on", "pk"))
    hours = selectors.member_hours(team)
    services_done = list(team.services.order_by("-served_on", "-pk")[:50])
    links = {
        a.id: a.url
        for a in selectors.service_activities(
            request.user, sorted({s.activity_id for s in services_done})
        )
    }
    can_manage = perms.can_manage_team(request.user, team)
    shown = revealed or {}
    return render(
        request,
        "volunteers/team_detail.html",
        {
            "team": team,
            "figures": selectors.team_figures(team),
            "active": [
                (m, hours.get(m.pk, 0), shown.get(m.pk, m.mobile_masked))
                for m in members
                if m.left_on is None
            ],
            "former": [(m, hours.get(m.pk, 0)) for m in members if m.left_on is not None],
            "honours": list(team.honours.all()),
            "services": [(s, links.get(s.activity_id, "")) for s in services_done],
            "trainings": list(team.trainings.all()[:50]),
            "can_manage": can_manage,
            "revealed": bool(revealed),
            "revealed_ids": list(shown),
            "reveal_form": RevealForm(),
            "remove_form": RemoveForm(),
        },
    )


@login_required
def team_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _team(request, pk))


def _find_worker(request: AuthenticatedHttpRequest, mobile: str) -> Any:
    try:
        mobile = validate_mobile(mobile)
    except ValidationError as error:
        raise ValidationError({"mobile": error.messages[0]}, code="mobile") from None
    worker = (
        perms.workers_addable_by(request.user)
        .filter(mobile_digest=crypto.mobile_digest(mobile))
        .first()
    )
    if worker is None:
        raise ValidationError(
            {"mobile": "您工作范围内的职工名册中没有该手机号；不在名册的请选“社会志愿者”。"},
            code="worker_unknown",
        )
    return worker


@login_required
def member_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    team = _team(request, pk, manage=True)
    form = MemberForm(request.POST or None, initial={"joined_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        common = {
            "actor": request.user,
            "team": team,
            "joined_on": data["joined_on"],
            "skills": data["skills"],
            "role": data["role"],
        }
        try:
            if data["kind"] == "worker":
                member = services.member_add_worker(
                    worker=_find_worker(request, data["mobile"]), **common
                )
            else:
                member = services.member_add_outside(
                    name=data["name"], mobile=data["mobile"], **common
                )
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, f"{member.name} 已加入服务队。")
            return redirect("volunteers:team-detail", team.pk)
    return _form_page(request, form, f"添加志愿者 · {team.name}", team, "加入服务队")


def _member(request: AuthenticatedHttpRequest, pk: int) -> Member:
    member = get_object_or_404(perms.members_visible_to(request.user), pk=pk)
    if not perms.can_manage_team(request.user, member.team):
        raise PermissionDenied
    return member


@login_required
@require_POST
def member_remove(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    member = _member(request, pk)
    form = RemoveForm(request.POST)
    left_on = form.cleaned_data["left_on"] if form.is_valid() else None
    try:
        services.member_remove(actor=request.user, member=member, left_on=left_on)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, f"{member.name} 已离队，服务时长仍计入本队。")
    return redirect("volunteers:team-detail", member.team_id)


@login_required
@require_POST
def member_reveal(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    member = get_object_or_404(perms.members_visible_to(request.user), pk=pk)
    if not perms.can_reveal_mobile(request.user, member):
        raise PermissionDenied
    form = RevealForm(request.POST)
    purpose = form.cleaned_data["purpose"] if form.is_valid() else ""
    mobile = services.member_reveal(actor=request.user, member=member, purpose=purpose)
    return _detail(request, member.team, revealed={member.pk: mobile})


@login_required
def honour_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    team = _team(request, pk, manage=True)
    form = HonourForm(request.POST or None, initial={"title": "授旗"})
    if request.method == "POST" and form.is_valid():
        try:
            services.honour_add(actor=request.user, team=team, **form.cleaned_data)
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, "荣誉已登记。")
            return redirect("volunteers:team-detail", team.pk)
    return _form_page(request, form, f"登记荣誉 · {team.name}", team, "登记")


def _members_on_roll(team: Team) -> list[Member]:
    return list(team.members.filter(left_on__isnull=True).order_by("pk"))


@login_required
def service_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    team = _team(request, pk, manage=True)
    activities = selectors.service_activities(request.user)
    form = ServiceForm(
        request.POST or None,
        activities=activities,
        members=_members_on_roll(team),
        initial={"served_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        # Scoped again by id: the hook answers only activities this user may see.
        found = selectors.service_activities(request.user, [data["activity"]])
        try:
            if not found:
                raise ValidationError({"activity": "服务活动不存在。"}, code="activity")
            services.service_record(
                actor=request.user,
                team=team,
                activity=found[0],
                served_on=data["served_on"],
                people_served=data["people_served"],
                note=data["note"],
                hours=form.hours(),
            )
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, "服务时长已登记。")
            return redirect("volunteers:team-detail", team.pk)
    return render(
        request,
        "volunteers/service_form.html",
        {"form": form, "team": team, "has_activities": bool(activities)},
    )


@login_required
def training_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    team = _team(request, pk, manage=True)
    form = TrainingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            training = services.training_create(actor=request.user, team=team, **form.cleaned_data)
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, "培训已登记，请勾选参训志愿者。")
            return redirect("volunteers:training-detail", training.pk)
    return _form_page(request, form, f"登记培训 · {team.name}", team, "登记培训")


def _attendable(training: Training) -> Any:
    day = training.held_on
    return training.team.members.filter(
        Q(left_on__isnull=True) | Q(left_on__gte=day), joined_on__lte=day
    ).order_by("pk")


@login_required
def training_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    training = get_object_or_404(perms.trainings_visible_to(request.user), pk=pk)
    can_manage = perms.can_manage_team(request.user, training.team)
    if request.method == "POST" and not can_manage:
        raise PermissionDenied
    form = AttendanceForm(
        request.POST or None,
        members=_attendable(training),
        initial={"members": list(training.attendance.values_list("member_id", flat=True))},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.attendance_set(
                actor=request.user, training=training, members=list(form.cleaned_data["members"])
            )
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, "签到已保存。")
            return redirect("volunteers:training-detail", training.pk)
    return render(
        request,
        "volunteers/training_detail.html",
        {
            "training": training,
            "team": training.team,
            "attendees": list(training.attendees.order_by("pk")),
            "form": form,
            "can_manage": can_manage,
            "back": reverse("volunteers:team-detail", args=[training.team_id]),
        },
    )
