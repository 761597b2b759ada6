"""Pages of the competitions app. Thin: each finds its object through the permissions module
(another body's record is a 404), calls one service, and shows what went wrong in Chinese."""

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import caches
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, F, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string

from liandong.accounts.models import AuthenticatedHttpRequest
from liandong.competitions import services
from liandong.competitions.documents import certificate_pdf, results_xlsx
from liandong.competitions.forms import (
    ContestBackEntryForm,
    ContestForm,
    CorrectionForm,
    JudgeAssignForm,
    NominateForm,
    PrizeTierForm,
    RegisterForm,
    ReviewForm,
    RoundForm,
    SegmentForm,
    TeamForm,
    UploadForm,
)
from liandong.competitions.importing import scores_from_xlsx
from liandong.competitions.models import Contest, ContestStatus, Entrant, Round, ScoreSheet, Segment
from liandong.competitions.permissions import (
    MANAGER_ROLES,
    can_back_enter_contest,
    can_list_contests,
    can_manage_contest,
    can_register,
    can_view_results,
    contests_visible_to,
    entrants_visible_to,
    is_assigned,
    is_body_staff,
    is_chief_judge,
    is_judge,
    segments_judged_by,
)
from liandong.competitions.scoring import EntryResult, rank_teams
from liandong.competitions.selectors import (
    WorkRow,
    contest_list,
    current_round,
    judge_worksheet,
    public_contest,
    round_results,
    scoreboard_data,
    scoreboard_version,
    segments_progress,
    team_list,
    team_standings,
    tour_stations,
)
from liandong.competitions.services import ScoreInput, eligibility_problems
from liandong.core.documents import XLSX
from liandong.core.forms import form_add_service_error
from liandong.core.masking import mask_name
from liandong.workers.models import Worker
from liandong.workers.permissions import workers_visible_to

ENTRANTS_SHOWN = 30


def _refused(request: HttpRequest, error: ValidationError | str, back: str) -> HttpResponse:
    text = error if isinstance(error, str) else "；".join(error.messages)
    return render(request, "competitions/refused.html", {"message": text, "back": back})


# ---------------------------------------------------------------------------------------------
# Finding objects: another body's record is a 404, a visible one without the right a 403.


def _visible_contest(request: HttpRequest, pk: int) -> Contest:
    return get_object_or_404(
        contests_visible_to(request.user).select_related("organization", "chief_judge"), pk=pk
    )


def _managed_contest(request: HttpRequest, pk: int) -> Contest:
    contest = _visible_contest(request, pk)
    if not can_manage_contest(request.user, contest):
        raise PermissionDenied
    return contest


def _managed_round(request: HttpRequest, pk: int) -> Round:
    round_ = get_object_or_404(
        Round.objects.filter(contest__in=contests_visible_to(request.user)).select_related(
            "contest__organization"
        ),
        pk=pk,
    )
    if not can_manage_contest(request.user, round_.contest):
        raise PermissionDenied
    return round_


def _visible_entrant(request: HttpRequest, pk: int) -> Entrant:
    entrant = get_object_or_404(
        Entrant.objects.select_related("contest__organization", "worker__employer", "team"),
        pk=pk,
        contest__in=contests_visible_to(request.user),
    )
    if not entrants_visible_to(request.user, entrant.contest).filter(pk=entrant.pk).exists():
        raise Http404
    return entrant


# ---------------------------------------------------------------------------------------------
# Contests.


@login_required
def contest_list_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not can_list_contests(request.user):
        raise PermissionDenied
    contests = contest_list(contests_visible_to(request.user))
    return render(
        request,
        "competitions/contest_list.html",
        {
            "contests": contests,
            "can_create": request.user.role in MANAGER_ROLES and is_body_staff(request.user),
            "can_back_enter": can_back_enter_contest(request.user),
            "is_judge": is_judge(request.user),
        },
    )


@login_required
def contest_create_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not (is_body_staff(request.user) and request.user.role in MANAGER_ROLES):
        raise PermissionDenied
    form = ContestForm(
        request.POST or None,
        initial={"status": ContestStatus.DRAFT},
        organization=request.user.organization,
    )
    if request.method == "POST" and form.is_valid():
        try:
            contest = services.contest_create(
                actor=request.user, organization=request.user.organization, **form.cleaned_data
            )
        except ValidationError as error:
            # core's helper is typed for forms.Form; it needs only BaseForm's fields and add_error.
            form_add_service_error(form, error)
        else:
            messages.success(request, "竞赛已创建，请继续设置赛段、环节和奖项。")
            return redirect("competitions:contest-detail", contest.pk)
    return render(
        request,
        "competitions/form.html",
        {"form": form, "title": "新建技能竞赛", "submit_label": "创建"},
    )


@login_required
def contest_detail_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    contest = _visible_contest(request, pk)
    manage = can_manage_contest(request.user, contest)
    if not (
        manage or is_body_staff(request.user) or entrants_visible_to(request.user, contest).exists()
    ):
        raise PermissionDenied
    rounds = list(contest.rounds.prefetch_related("segments__assignments__judge"))
    entrants = entrants_visible_to(request.user, contest).select_related(
        "worker__employer", "registered_by", "team"
    )
    entrant_total = entrants.count()
    progress = segments_progress(Segment.objects.filter(round__contest=contest)) if manage else {}
    for round_ in rounds:
        round_.entry_count = round_.entries.count()  # type: ignore[attr-defined]  # for the template
        for segment in round_.segments.all():
            segment.submitted = progress.get(segment.pk, 0)  # type: ignore[attr-defined]  # ditto
    return render(
        request,
        "competitions/contest_detail.html",
        {
            "contest": contest,
            "rounds": rounds,
            "stations": [r for r in rounds if r.station],
            "entrants": entrants.order_by(F("final_rank").asc(nulls_last=True), "id")[
                :ENTRANTS_SHOWN
            ],
            "entrant_total": entrant_total,
            "tiers": contest.prize_tiers.all(),
            "teams": team_list(contest) if manage else [],
            "can_manage": manage,
            "can_register": can_register(request.user, contest)
            and contest.status == ContestStatus.REGISTRATION,
            "pending": contest.entrants.filter(status=Entrant.Status.PENDING).count()
            if manage
            else 0,
            "last_round": rounds[-1] if rounds else None,
        },
    )


@login_required
def contest_edit_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    contest = _managed_contest(request, pk)
    form = ContestForm(request.POST or None, instance=contest, organization=contest.organization)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.contest_update(actor=request.user, contest=Contest.objects.get(pk=pk), **data)
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, "竞赛设置已保存。")
            return redirect("competitions:contest-detail", pk)
    return render(
        request,
        "competitions/form.html",
        {"form": form, "title": f"修改：{contest.name}", "contest": contest},
    )


def _child_form(
    request: HttpRequest,
    contest: Contest,
    form_class: type[forms.BaseForm],
    title: str,
    save: Callable[[dict[str, Any]], object],
) -> HttpResponse:
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            save(form.cleaned_data)
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, "已保存。")
            return redirect("competitions:contest-detail", contest.pk)
    return render(
        request, "competitions/form.html", {"form": form, "title": title, "contest": contest}
    )


@login_required
def round_create_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    contest = _managed_contest(request, pk)
    return _child_form(
        request,
        contest,
        RoundForm,
        "增加赛段",
        lambda data: services.round_create(actor=request.user, contest=contest, **data),
    )


@login_required
def segment_create_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    round_ = _managed_round(request, pk)
    return _child_form(
        request,
        round_.contest,
        SegmentForm,
        f"为“{round_.name}”增加比赛环节",
        lambda data: services.segment_create(actor=request.user, round=round_, **data),
    )


@login_required
def prize_tier_create_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    contest = _managed_contest(request, pk)
    return _child_form(
        request,
        contest,
        PrizeTierForm,
        "增加奖项",
        lambda data: services.prize_tier_create(actor=request.user, contest=contest, **data),
    )


@login_required
def segment_judges_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    segment = get_object_or_404(
        Segment.objects.select_related("round__contest__organization"),
        pk=pk,
        round__contest__in=contests_visible_to(request.user),
    )
    contest = segment.round.contest
    if not can_manage_contest(request.user, contest):
        raise PermissionDenied
    form = JudgeAssignForm(request.POST or None, organization=contest.organization)
    if request.method == "POST" and form.is_valid():
        try:
            services.judge_assign(
                actor=request.user, segment=segment, judge=form.cleaned_data["judge"]
            )
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, "评委已分配。")
            return redirect("competitions:segment-judges", segment.pk)
    return render(
        request,
        "competitions/segment_judges.html",
        {
            "segment": segment,
            "contest": contest,
            "form": form,
            "assignments": segment.assignments.select_related("judge__organization"),
        },
    )


# ---------------------------------------------------------------------------------------------
# Registration and review.


def _registrable_workers(request: HttpRequest) -> QuerySet[Worker]:
    return workers_visible_to(request.user).select_related("employer").order_by("name", "pk")


@login_required
def register_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    contest = _visible_contest(request, pk)
    if not can_register(request.user, contest):
        raise PermissionDenied
    form = RegisterForm(
        request.POST or None, workers=_registrable_workers(request), q=request.GET.get("q", "")[:20]
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.entrant_register(
                actor=request.user,
                contest=contest,
                worker=form.cleaned_data["worker"],
                registered_by=request.user.organization,
                group=form.cleaned_data["group"],
            )
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, "报名已提交，等待组委会审核。")
            return redirect("competitions:contest-detail", contest.pk)
    return render(
        request,
        "competitions/register.html",
        {"contest": contest, "form": form, "team": False, "q": request.GET.get("q", "")[:20]},
    )


@login_required
def team_register_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    contest = _visible_contest(request, pk)
    if not can_register(request.user, contest):
        raise PermissionDenied
    form = TeamForm(
        request.POST or None, workers=_registrable_workers(request), q=request.GET.get("q", "")[:20]
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.team_register(
                actor=request.user,
                contest=contest,
                name=form.cleaned_data["name"],
                registered_by=request.user.organization,
                workers=list(form.cleaned_data["workers"]),
                group=form.cleaned_data["group"],
            )
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, "代表队报名已提交，等待组委会审核。")
            return redirect("competitions:contest-detail", contest.pk)
    return render(
        request,
        "competitions/register.html",
        {"contest": contest, "form": form, "team": True, "q": request.GET.get("q", "")[:20]},
    )


def _entrants_page(request: HttpRequest, contest: Contest, *, error: str = "") -> HttpResponse:
    entrants = list(
        contest.entrants.select_related("worker__employer", "registered_by", "team").order_by(
            "status", "id"
        )
    )
    for entrant in entrants:
        entrant.problems = (  # type: ignore[attr-defined]  # for the template
            eligibility_problems(contest, entrant.worker) if entrant.status == "pending" else []
        )
    return render(
        request,
        "competitions/entrants.html",
        {"contest": contest, "entrants": entrants, "form": ReviewForm(), "error": error},
    )


@login_required
def entrants_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _entrants_page(request, _managed_contest(request, pk))


@login_required
def entrant_review_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    entrant = _visible_entrant(request, pk)
    contest = entrant.contest
    if not can_manage_contest(request.user, contest):
        raise PermissionDenied
    if request.method != "POST":
        return redirect("competitions:contest-entrants", contest.pk)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        return _entrants_page(request, contest, error="请选择审核结果")
    try:
        services.entrant_review(
            actor=request.user,
            entrant=entrant,
            approve=form.cleaned_data["decision"] == "approve",
            note=form.cleaned_data["note"],
        )
    except ValidationError as error:
        return _entrants_page(
            request, contest, error=f"{entrant.worker.name}：{'；'.join(error.messages)}"
        )
    messages.success(request, f"{entrant.worker.name}：审核结果已保存。")
    return redirect("competitions:contest-entrants", contest.pk)


@login_required
def round_order_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    round_ = _managed_round(request, pk)
    error = ""
    if request.method == "POST":
        try:
            if request.POST.get("action") == "draw":
                services.round_draw_order(actor=request.user, round=round_)
                messages.success(request, "已抽签确定出场顺序。")
                return redirect("competitions:round-order", round_.pk)
            if request.POST.get("action") == "assign":
                numbers = {}
                for key in request.POST:
                    value = request.POST[key]
                    if key.startswith("entry_"):
                        try:
                            numbers[int(key[6:])] = int(value)
                        except ValueError:
                            raise ValidationError({"order_no": "出场顺序必须是正整数"}) from None
                services.round_assign_order(actor=request.user, round=round_, numbers=numbers)
                messages.success(request, "出场顺序已保存。")
                return redirect("competitions:round-order", round_.pk)
            error = "请选择抽签或手工指定"
        except ValidationError as refusal:
            error = "；".join(refusal.messages)
    entries = round_.entries.select_related("entrant__worker__employer").order_by("order_no", "id")
    return render(
        request,
        "competitions/round_order.html",
        {"round": round_, "contest": round_.contest, "entries": entries, "error": error},
    )


# ---------------------------------------------------------------------------------------------
# Results.


def _named(round_: Round, results: list[EntryResult]) -> list[tuple[EntryResult, Entrant]]:
    entrants = {
        e.pk: e.entrant
        for e in round_.entries.select_related("entrant__worker__employer", "entrant__team")
    }
    return [(r, entrants[r.entry.id]) for r in results]


@login_required
def round_results_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    round_ = get_object_or_404(
        Round.objects.select_related("contest__organization"),
        pk=pk,
        contest__in=contests_visible_to(request.user),
    )
    contest = round_.contest
    if not can_view_results(request.user, contest):
        raise PermissionDenied
    results, chosen = round_results(round_)
    segments = [s.segment for s in results[0].segments] if results else list(round_.segments.all())
    is_last = not contest.rounds.filter(order__gt=round_.order).exists()
    teams = rank_teams(team_standings(contest)) if is_last and contest.team_size else []
    return render(
        request,
        "competitions/round_results.html",
        {
            "round": round_,
            "contest": contest,
            "rows": _named(round_, results),
            "segments": segments,
            "chosen": chosen,
            "missing": sum(r.missing for r in results),
            "is_last": is_last,
            "can_manage": can_manage_contest(request.user, contest),
            "teams": teams,
        },
    )


@login_required
def round_advance_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    round_ = _managed_round(request, pk)
    back = f"/competitions/rounds/{round_.pk}/"
    if request.method != "POST":
        return redirect(back)
    try:
        created = services.round_advance(actor=request.user, round=round_)
    except ValidationError as error:
        return _refused(request, error, back)
    messages.success(request, f"已完成晋级：{len(created)} 名选手进入下一赛段。请为下一赛段抽签。")
    return redirect(back)


@login_required
def contest_prizes_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    contest = _managed_contest(request, pk)
    back = f"/competitions/{contest.pk}/"
    if request.method != "POST":
        return redirect(back)
    try:
        if request.POST.get("action") == "reopen":
            services.contest_reopen_prizes(actor=request.user, contest=contest)
            messages.success(request, "已撤销评奖，可更正后重新评定。")
        elif request.POST.get("action") == "award":
            services.contest_award_prizes(actor=request.user, contest=contest)
            messages.success(request, "奖项已评定，请核对后公示。")
        else:
            return _refused(request, "请选择评定或撤销奖项", back)
    except ValidationError as error:
        return _refused(request, error, back)
    return redirect(back)


@login_required
def contest_publish_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    contest = _managed_contest(request, pk)
    back = f"/competitions/{contest.pk}/"
    if request.method != "POST":
        return redirect(back)
    if request.POST.get("confirm") != "yes":
        return _refused(request, "请确认公示（公示后成绩不能再更改）", back)
    try:
        services.contest_publish(actor=request.user, contest=contest)
    except ValidationError as error:
        return _refused(request, error, back)
    messages.success(request, "成绩已公示。")
    return redirect(back)


@login_required
def entrant_detail_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """How an entrant's totals were formed, sheet by sheet (计分说明)."""
    entrant = _visible_entrant(request, pk)
    contest = entrant.contest
    full = can_view_results(request.user, contest)
    if not (full or contest.is_published):
        raise PermissionDenied
    rounds: list[dict[str, Any]] = []
    for entry in entrant.round_entries.select_related("round").order_by("round__order"):
        results, chosen = round_results(entry.round)
        mine = next((r for r in results if r.entry.id == entry.pk), None)
        if mine is None:
            continue
        rounds.append(
            {
                "round": entry.round,
                "entry": entry,
                "result": mine,
                "advanced": entry.pk in chosen,
                "of": len(results),
            }
        )
    if full:  # organizers and the chief judge see who gave which score; others see 评委1, 评委2…
        sheets = {
            (s.segment_id, s.entry_id, s.judge_id): s
            for s in ScoreSheet.objects.filter(entry__entrant=entrant).select_related("judge")
        }
        for item in rounds:
            for segment in item["result"].segments:
                for mark in segment.marks:
                    mark.sheet = sheets.get((segment.segment.id, item["entry"].pk, mark.judge_id))
    return render(
        request,
        "competitions/entrant_detail.html",
        {
            "entrant": entrant,
            "contest": contest,
            "rounds": rounds,
            "full": full,
            "is_chief": is_chief_judge(request.user, contest),
            "can_nominate": can_manage_contest(request.user, contest) and contest.is_published,
        },
    )


@login_required
def certificate_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    entrant = _visible_entrant(request, pk)
    if not entrant.contest.is_published or not entrant.prize:
        raise Http404
    response = HttpResponse(certificate_pdf(entrant), content_type="application/pdf")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''certificate-{entrant.pk}.pdf"
    return response


@login_required
def export_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    contest = _visible_contest(request, pk)
    if not can_view_results(request.user, contest):
        raise PermissionDenied
    response = HttpResponse(results_xlsx(contest), content_type=XLSX)
    response["Content-Disposition"] = (
        f"attachment; filename*=UTF-8''contest-{contest.pk}-results.xlsx"
    )
    return response


@login_required
def nominate_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    entrant = _visible_entrant(request, pk)
    source = entrant.contest
    if not can_manage_contest(request.user, source):
        raise PermissionDenied
    targets = (
        contests_visible_to(request.user)
        .filter(status=ContestStatus.REGISTRATION)
        .exclude(pk=source.pk)
    )
    form = NominateForm(request.POST or None, targets=targets)
    if request.method == "POST" and form.is_valid():
        try:
            services.entrant_nominate(
                actor=request.user, entrant=entrant, target=form.cleaned_data["target"]
            )
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(
                request, f"已推荐 {entrant.worker.name} 参加“{form.cleaned_data['target'].name}”。"
            )
            return redirect("competitions:entrant-detail", entrant.pk)
    return render(
        request,
        "competitions/form.html",
        {
            "form": form,
            "title": f"推荐 {entrant.worker.name} 参加上级竞赛",
            "contest": source,
            "submit_label": "推荐",
        },
    )


# ---------------------------------------------------------------------------------------------
# Public: the live scoreboard and the published results.


# The rendered board of each contest, by version, in the per-process cache
# (``CACHES["local"]``): the public page is asked every 5 seconds by every screen in the hall.
# A newly submitted sheet shows within BOARD_MAX_STALE seconds (the board is rebuilt at most
# that often while judges keep submitting); a new round or the publication shows at once.
BOARD_MAX_STALE = 2.0
BOARD_KEEP_SECONDS = 600


def _board_html(contest: Contest) -> str:
    round_ = current_round(contest)
    version = scoreboard_version(contest, round_)
    stage = version[:4]  # contest, round, round changed, published
    key = f"competitions.board.{contest.pk}"
    cached = caches["local"].get(key)
    now = time.monotonic()
    if (
        cached is not None
        and cached[1] == stage
        and (cached[0] == version or now - cached[2] < BOARD_MAX_STALE)
    ):
        return cached[3]
    html = render_to_string("competitions/partials/board.html", scoreboard_data(contest))
    caches["local"].set(key, (version, stage, now, html), BOARD_KEEP_SECONDS)
    return html


def scoreboard_view(request: HttpRequest, pk: int) -> HttpResponse:
    contest = public_contest(pk)
    board = _board_html(contest)
    if request.GET.get("partial"):
        return HttpResponse(board)
    return render(
        request,
        "competitions/scoreboard.html",
        {"contest": contest, "board": board, "stations": tour_stations(contest)},
    )


def public_results_view(request: HttpRequest, pk: int) -> HttpResponse:
    contest = public_contest(pk)
    if not contest.is_published:
        raise Http404
    entrants = (
        contest.entrants.filter(status=Entrant.Status.APPROVED)
        .exclude(prize="")
        .select_related("worker__employer")
        .order_by("final_rank", "id")
    )
    rows = [
        {
            "rank": e.final_rank,
            "name": mask_name(e.worker.name),
            "unit": e.worker.employer.name,
            "prize": e.prize,
            "total": e.final_total,
        }
        for e in entrants
    ]
    teams = contest.teams.exclude(prize="").select_related("organization")
    return render(
        request,
        "competitions/public_results.html",
        {"contest": contest, "rows": rows, "teams": teams, "stations": tour_stations(contest)},
    )


# ---------------------------------------------------------------------------------------------
# Judging.


@login_required
def judging_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not is_judge(request.user):
        raise PermissionDenied
    segments = list(
        segments_judged_by(request.user).order_by(
            "-round__contest__starts_on", "round__order", "order"
        )
    )
    mine = dict(
        ScoreSheet.objects.filter(judge=request.user)
        .values_list("segment_id")
        .annotate(n=Count("id"))
    )
    for segment in segments:
        segment.mine = mine.get(segment.pk, 0)  # type: ignore[attr-defined]  # for the template
    chief_of = Contest.objects.filter(chief_judge=request.user)
    return render(
        request, "competitions/judging.html", {"segments": segments, "chief_of": chief_of}
    )


def _judge_segment(request: HttpRequest, pk: int) -> Segment:
    """A segment this judge is assigned to; any other is a 404."""
    if not is_judge(request.user):
        raise PermissionDenied
    segment = get_object_or_404(Segment.objects.select_related("round__contest"), pk=pk)
    if not is_assigned(request.user, segment):
        raise Http404
    return segment


@dataclass
class WorksheetRow(WorkRow):
    key: str  # the score input's name
    error: str
    typed: object  # what the judge typed, else the saved score


def _worksheet(
    request: AuthenticatedHttpRequest,
    segment: Segment,
    *,
    errors: dict[str, str] | None = None,
    typed: dict[str, str] | None = None,
    upload: UploadForm | None = None,
) -> HttpResponse:
    rows = []
    errors = errors or {}
    for row in judge_worksheet(judge=request.user, segment=segment):
        key = f"score_{row.entry.order_no}"
        rows.append(
            WorksheetRow(
                row.entry,
                row.sheet,
                row.conflicted,
                key=key,
                error=errors.get(key, ""),
                typed=(typed or {}).get(key, row.sheet.score if row.sheet else ""),
            )
        )
    return render(
        request,
        "competitions/judge_segment.html",
        {
            "segment": segment,
            "round": segment.round,
            "contest": segment.round.contest,
            "rows": rows,
            "errors": errors,
            "general": errors.get("__all__", ""),
            "invalid": [r for r in rows if r.error],
            "upload": upload or UploadForm(),
            "submitted": sum(1 for r in rows if r.sheet and r.sheet.status == "submitted"),
            "open": sum(
                1
                for r in rows
                if not r.conflicted and not (r.sheet and r.sheet.status == "submitted")
            ),
        },
    )


def _error_map(error: ValidationError) -> dict[str, str]:
    """Field -> its message (every field at fault, not only the first); ``__all__`` holds the
    refusals that name no score (an unassigned segment, a locked round)."""
    if hasattr(error, "error_dict"):
        found = {
            field: "；".join(item.messages[0] for item in items)
            for field, items in error.error_dict.items()
        }
        general = [m for field, m in found.items() if not field.startswith("score_")]
        found["__all__"] = "；".join(general)
        return found
    return {"__all__": "；".join(error.messages)}


@login_required
def judge_segment_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    segment = _judge_segment(request, pk)
    if request.method != "POST":
        return _worksheet(request, segment)
    typed = {k: request.POST[k].strip() for k in request.POST if k.startswith("score_")}
    scores = []
    for key, value in typed.items():
        if value == "":
            continue
        try:
            scores.append(ScoreInput(order_no=int(key[6:]), score=value))
        except ValueError:
            continue
    submit = request.POST.get("action") == "submit"
    try:
        services.sheets_save(
            actor=request.user, segment=segment, scores=scores, submit=submit, whole_sheet=submit
        )
    except ValidationError as error:
        return _worksheet(request, segment, errors=_error_map(error), typed=typed)
    messages.success(
        request,
        f"已提交 {len(scores)} 份评分表，提交后已锁定。"
        if submit
        else f"已暂存 {len(scores)} 个分数。",
    )
    return redirect("competitions:judge-segment", segment.pk)


@login_required
def judge_upload_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    segment = _judge_segment(request, pk)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            scores = scores_from_xlsx(form.cleaned_data["file"])
            services.sheets_save(
                actor=request.user,
                segment=segment,
                scores=scores,
                submit=form.cleaned_data["submit"],
            )
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, f"已导入 {len(scores)} 个成绩。")
            return redirect("competitions:judge-segment", segment.pk)
    return _worksheet(request, segment, upload=form)


@login_required
def sheet_correct_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    sheet = get_object_or_404(
        ScoreSheet.objects.select_related(
            "segment__round__contest", "entry__entrant__worker", "judge"
        ),
        pk=pk,
    )
    contest = sheet.segment.round.contest
    if not is_chief_judge(request.user, contest):
        if (
            can_view_results(request.user, contest)
            or contests_visible_to(request.user).filter(pk=contest.pk).exists()
        ):
            raise PermissionDenied
        raise Http404
    form = CorrectionForm(request.POST or None, initial={"score": sheet.score})
    if request.method == "POST" and form.is_valid():
        try:
            services.sheet_correct(
                actor=request.user,
                sheet=sheet,
                score=form.cleaned_data["score"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, "评分表已更正，并记入操作日志。")
            return redirect("competitions:entrant-detail", sheet.entry.entrant_id)
    return render(
        request,
        "competitions/sheet_correct.html",
        {"sheet": sheet, "contest": contest, "form": form},
    )


# ---------------------------------------------------------------------------------------------
# 补录.


@login_required
def contest_back_entry_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    """补录竞赛: a contest decided before the platform, entered with its final results and
    published at once (no rounds, judges or score sheets); counted in the year's figures."""
    if not can_back_enter_contest(request.user):
        raise PermissionDenied
    form = ContestBackEntryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        text = data.pop("results")
        try:
            results = services.contest_results_parse(
                scope=workers_visible_to(request.user), text=text
            )
            contest = services.contest_back_enter(
                actor=request.user,
                organization=request.user.organization,
                results=results,
                **data,
            )
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, f"竞赛已补录并公示（选手 {len(results)} 名），计入年度统计。")
            return redirect("competitions:contest-detail", contest.pk)
    return render(
        request,
        "competitions/form.html",
        {
            "form": form,
            "title": "补录竞赛",
            "intro": "登记使用平台之前已经举办的竞赛及其最终成绩：竞赛直接记为已公示，"
            "不设赛段、评委和评分表；选手须为您范围内的职工。",
            "submit_label": "补录并公示",
        },
    )
