"""Pages of democratic management. Thin: scope from permissions, rules in services. A detail page
carries the forms of the actions the viewer may take; each POST names its ``action``; a refusal
shows the service's Chinese message on the form and changes nothing."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from liandong.accounts.models import AuthenticatedHttpRequest, User
from liandong.accounts.permissions import is_worker
from liandong.core.forms import form_add_service_error
from liandong.core.masking import mask_name
from liandong.core.paging import page_by_id
from liandong.democracy import forms as f
from liandong.democracy.models import (
    AgendaItem,
    CaseAttachment,
    Congress,
    Delegate,
    DisclosureRead,
    Nomination,
    Objection,
    Proposal,
)
from liandong.democracy.permissions import (
    can_curate_cases,
    can_manage_congress,
    can_manage_enterprise,
    can_nominate,
    can_review_nomination,
    cases_visible_to,
    congresses_visible_to,
    delegate_for,
    disclosures_visible_to,
    is_democracy_staff,
    negotiations_visible_to,
    nominations_visible_to,
    proposals_visible_to,
    public_nominations,
    teaching_points_visible_to,
    worker_of,
)
from liandong.democracy.selectors import ProposalFilters, figures_for, library, proposal_list
from liandong.democracy.services import (
    ObjectionsThrottled,
    agenda_add,
    case_create,
    congress_close,
    congress_create,
    congress_open,
    congress_quota,
    contract_sign,
    delegate_add,
    disclosure_mark_read,
    disclosure_publish,
    negotiation_create,
    negotiation_outcome_add,
    negotiation_round_add,
    nomination_confirm,
    nomination_create,
    nomination_review,
    objection_resolve,
    objection_submit,
    proposal_answer,
    proposal_cosign,
    proposal_decide,
    proposal_mark_outstanding,
    proposal_rate,
    proposal_submit,
    teaching_point_mark,
    vote_record,
)
from liandong.organizations.models import Organization
from liandong.organizations.permissions import organizations_in_scope
from liandong.workers.models import Worker
from liandong.workers.permissions import workers_visible_to


def _require_staff(request: HttpRequest) -> None:
    if not is_democracy_staff(request.user):
        raise PermissionDenied


def _require_staff_or_worker(request: HttpRequest) -> None:
    if not (is_democracy_staff(request.user) or is_worker(request.user)):
        raise PermissionDenied


def _enterprises(user: User | AnonymousUser | None) -> QuerySet[Organization]:
    return organizations_in_scope(user).filter(kind=Organization.Kind.ENTERPRISE)


def _attempt(
    request: HttpRequest, form: Any, action: Callable[[dict[str, Any]], Any], success: str
) -> bool:
    """Run ``action`` with the form's data; True when it succeeded (a success message is queued)."""
    if not form.is_valid():
        return False
    try:
        action(form.cleaned_data)
    except ValidationError as error:
        form_add_service_error(form, error)
        return False
    except PermissionDenied as error:
        form.add_error(None, str(error) or "您没有权限执行此操作")
        return False
    messages.success(request, success)
    return True


def _cursor(request: HttpRequest) -> int | None:
    try:
        return int(request.GET["cursor"]) if request.GET.get("cursor") else None
    except ValueError:
        return None


# --- Home and congresses ---------------------------------------------------------------------------


@login_required
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_staff_or_worker(request)
    user = request.user
    if is_worker(user):
        worker = worker_of(user)
        delegacies = Delegate.objects.filter(worker__user=user).select_related(
            "congress__enterprise"
        )
        mine = Proposal.objects.filter(proposer__worker__user=user).select_related("congress")
        unread = disclosures_visible_to(user).exclude(reads__worker=worker).count() if worker else 0
        return render(
            request,
            "democracy/worker_home.html",
            {
                "delegacies": delegacies,
                "mine": mine[:20],
                "unread": unread,
                "congresses": congresses_visible_to(user).select_related("enterprise")[:10],
            },
        )
    if not is_democracy_staff(user):  # _require_staff_or_worker let only staff this far
        raise PermissionDenied
    form = f.CongressForm(
        request.POST or None,
        enterprises=_enterprises(user),
        initial={"held_on": timezone.localdate()},
    )
    created: list[Congress] = []
    if request.method == "POST" and _attempt(
        request,
        form,
        lambda d: created.append(congress_create(actor=user, **d)),
        "职工代表大会已创建",
    ):
        return redirect("democracy:congress-detail", created[0].pk)
    congresses = congresses_visible_to(user).select_related("enterprise")[:50]
    today = timezone.localdate()
    return render(
        request,
        "democracy/home.html",
        {
            "congresses": congresses,
            "form": form,
            "figures": figures_for(organization=user.organization, year=today.year),
            "teaching_points": teaching_points_visible_to(user).select_related("enterprise")[:10],
        },
    )


@login_required
def congress_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _require_staff_or_worker(request)
    user = request.user
    congress = get_object_or_404(congresses_visible_to(user).select_related("enterprise"), pk=pk)
    manage = can_manage_congress(user, congress)
    action = request.POST.get("action") if request.method == "POST" else None
    if action and not manage:
        raise PermissionDenied
    data = request.POST if action else None
    workers = (
        workers_visible_to(user)
        .filter(employer__path__startswith=congress.enterprise.path)
        .exclude(delegacies__congress=congress)
        if manage
        else Worker.objects.none()
    )
    forms_ = {
        "delegate": f.DelegateForm(data if action == "delegate" else None, workers=workers),
        "agenda": f.AgendaForm(data if action == "agenda" else None),
        "vote": f.VoteForm(data if action == "vote" else None),
        "status": f.forms.Form(data if action in {"open", "close"} else None),
    }
    done = False
    if action == "delegate":
        done = _attempt(
            request,
            forms_["delegate"],
            lambda d: delegate_add(actor=user, congress=congress, **d),
            "已增补职工代表",
        )
    elif action == "agenda":
        done = _attempt(
            request,
            forms_["agenda"],
            lambda d: agenda_add(actor=user, congress=congress, **d),
            "已增加议程",
        )
    elif action == "vote":

        def vote(d: dict[str, Any]) -> None:
            item = get_object_or_404(AgendaItem, pk=d.pop("item"), congress=congress)
            vote_record(actor=user, item=item, **d)

        done = _attempt(request, forms_["vote"], vote, "表决结果已记录")
    elif action == "open":
        done = _attempt(
            request,
            forms_["status"],
            lambda d: congress_open(actor=user, congress=congress),
            "大会已开幕",
        )
    elif action == "close":
        done = _attempt(
            request,
            forms_["status"],
            lambda d: congress_close(actor=user, congress=congress),
            "大会已闭幕",
        )
    elif action:
        raise Http404
    if done:
        return redirect("democracy:congress-detail", congress.pk)
    congress.refresh_from_db()
    return render(
        request,
        "democracy/congress_detail.html",
        {
            "congress": congress,
            "manage": manage,
            "forms": forms_,
            "quota": congress_quota(congress),
            "delegates": congress.delegates.select_related("worker__employer"),
            "items": congress.agenda_items.all(),
            "vote_item": request.POST.get("item") if action == "vote" else "",
            "proposals": congress.proposals.select_related("proposer__worker")[:100],
            "delegate": delegate_for(user, congress),
        },
    )


@login_required
def proposal_new(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _require_staff_or_worker(request)
    congress = get_object_or_404(congresses_visible_to(request.user), pk=pk)
    if delegate_for(request.user, congress) is None:
        raise PermissionDenied("只有本次大会的职工代表才能提交提案")
    form = f.ProposalForm(request.POST or None)
    created: list[Proposal] = []
    if request.method == "POST" and _attempt(
        request,
        form,
        lambda d: created.append(proposal_submit(actor=request.user, congress=congress, **d)),
        "提案已提交，请邀请其他代表附议",
    ):
        return redirect("democracy:proposal-detail", created[0].pk)
    return render(request, "democracy/proposal_form.html", {"form": form, "congress": congress})


# --- Proposals ------------------------------------------------------------------------------------


@login_required
def proposal_list_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_staff_or_worker(request)
    form = f.ProposalFilterForm(request.GET or None)
    filters = ProposalFilters()
    if form.is_valid():
        filters = ProposalFilters(q=form.cleaned_data["q"], status=form.cleaned_data["status"])
    page = page_by_id(proposal_list(user=request.user, filters=filters), cursor=_cursor(request))
    query = {k: v for k, v in request.GET.items() if k != "cursor" and v}
    from urllib.parse import urlencode

    return render(
        request,
        "democracy/proposal_list.html",
        {
            "form": form,
            "page": page,
            "is_first_page": _cursor(request) is None,
            "next_query": urlencode({**query, "cursor": page.next_cursor})
            if page.next_cursor
            else "",
            "staff": is_democracy_staff(request.user),
        },
    )


@login_required
def proposal_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _require_staff_or_worker(request)
    user = request.user
    proposal = get_object_or_404(
        proposals_visible_to(user).select_related(
            "congress__enterprise", "proposer__worker", "department"
        ),
        pk=pk,
    )
    congress = proposal.congress
    manage = can_manage_congress(user, congress)
    delegate = delegate_for(user, congress)
    is_proposer = delegate is not None and delegate.pk == proposal.proposer_id
    action = request.POST.get("action") if request.method == "POST" else None
    data = request.POST if action else None
    forms_ = {
        "cosign": f.forms.Form(data if action == "cosign" else None),
        "decide": f.DecisionForm(data if action == "decide" else None),
        "answer": f.AnswerForm(data if action == "answer" else None),
        "rate": f.RatingForm(data if action == "rate" else None),
        "outstanding": f.forms.Form(data if action == "outstanding" else None),
    }
    actions: dict[str, tuple[Callable[[dict[str, Any]], Any], str]] = {
        "cosign": (lambda d: proposal_cosign(actor=user, proposal=proposal), "您已附议该提案"),
        "decide": (lambda d: proposal_decide(actor=user, proposal=proposal, **d), "审查结论已记录"),
        "answer": (
            lambda d: proposal_answer(actor=user, proposal=proposal, **d),
            "答复已记录，等待提案人评价",
        ),
        "rate": (lambda d: proposal_rate(actor=user, proposal=proposal, **d), "感谢您的评价"),
        "outstanding": (
            lambda d: proposal_mark_outstanding(
                actor=user, proposal=proposal, outstanding=not proposal.is_outstanding
            ),
            "已更新优秀提案标记",
        ),
    }
    if action:
        if action not in actions:
            raise Http404
        fn, success = actions[action]
        if _attempt(request, forms_[action], fn, success):
            return redirect("democracy:proposal-detail", proposal.pk)
    cosigners = proposal.cosignatures.select_related("delegate__worker")
    already = delegate is not None and any(c.delegate_id == delegate.pk for c in cosigners)
    return render(
        request,
        "democracy/proposal_detail.html",
        {
            "proposal": proposal,
            "congress": congress,
            "manage": manage,
            "forms": forms_,
            "action": action,
            "cosigners": cosigners,
            "can_cosign": delegate is not None
            and not is_proposer
            and not already
            and proposal.status == Proposal.Status.COSIGNING,
            "can_rate": is_proposer and proposal.status == Proposal.Status.ANSWERED,
            "overdue": proposal.status == Proposal.Status.ACCEPTED
            and proposal.deadline
            and proposal.deadline < timezone.localdate(),
            "needed": max(0, congress.cosign_threshold - proposal.cosign_count),
        },
    )


# --- Library: outstanding proposals, cases, teaching points ----------------------------------------


@login_required
def library_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_staff(request)
    user = request.user
    q = (request.GET.get("q") or "").strip()[:60]
    curate = can_curate_cases(user)
    action = request.POST.get("action") if request.method == "POST" else None
    if action and not curate:
        raise PermissionDenied
    data = request.POST if action else None
    case_form = f.CaseForm(
        data if action == "case" else None,
        request.FILES if action == "case" else None,
        organizations=organizations_in_scope(user).exclude(kind=Organization.Kind.OUTLET),
    )
    point_form = f.TeachingPointForm(
        data if action == "point" else None, enterprises=_enterprises(user)
    )
    if action == "case":

        def add_case(d: dict[str, Any]) -> None:
            upload = d.pop("attachment", None)
            case_create(actor=user, files=[upload] if upload else [], **d)

        if _attempt(request, case_form, add_case, "案例已编入案例库"):
            return redirect("democracy:library")
    elif action == "point":
        if _attempt(
            request, point_form, lambda d: teaching_point_mark(actor=user, **d), "已设为教学点"
        ):
            return redirect("democracy:library")
    elif action:
        raise Http404
    proposals, cases = library(user=user, q=q)
    return render(
        request,
        "democracy/library.html",
        {
            "q": q,
            "proposals": proposals[:100],
            "cases": cases[:100],
            "curate": curate,
            "case_form": case_form,
            "point_form": point_form,
            "teaching_points": teaching_points_visible_to(user).select_related("enterprise"),
        },
    )


@login_required
def case_attachment(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    _require_staff(request)
    attachment = get_object_or_404(
        CaseAttachment.objects.filter(case__in=cases_visible_to(request.user)), pk=pk
    )
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.name)


# --- Open affairs ---------------------------------------------------------------------------------


@login_required
def disclosure_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_staff_or_worker(request)
    user = request.user
    staff = is_democracy_staff(user)
    form = f.DisclosureForm(
        request.POST or None,
        enterprises=_enterprises(user) if staff else None,
        initial={"publish_on": timezone.localdate()},
    )
    if request.method == "POST":
        if not staff:
            raise PermissionDenied
        if _attempt(
            request, form, lambda d: disclosure_publish(actor=user, **d), "厂务公开事项已发布"
        ):
            return redirect("democracy:disclosure-list")
    items = disclosures_visible_to(user).select_related("enterprise")
    worker = worker_of(user)
    read_ids = (
        set(DisclosureRead.objects.filter(worker=worker).values_list("disclosure_id", flat=True))
        if worker
        else set()
    )
    return render(
        request,
        "democracy/disclosure_list.html",
        {
            "items": items[:100],
            "form": form,
            "staff": staff,
            "read_ids": read_ids,
            "today": timezone.localdate(),
        },
    )


@login_required
def disclosure_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _require_staff_or_worker(request)
    disclosure = get_object_or_404(
        disclosures_visible_to(request.user).select_related("enterprise"), pk=pk
    )
    worker = worker_of(request.user)
    if worker is not None:
        disclosure_mark_read(worker=worker, disclosure=disclosure)
        disclosure.refresh_from_db(fields=["read_count"])
    staff = is_democracy_staff(request.user)
    workers_total = (
        Worker.objects.filter(employer__path__startswith=disclosure.enterprise.path).count()
        if staff
        else 0
    )
    return render(
        request,
        "democracy/disclosure_detail.html",
        {
            "item": disclosure,
            "staff": staff,
            "workers_total": workers_total,
            "readers": disclosure.reads.select_related("worker")[:50] if staff else [],
        },
    )


# --- Collective negotiation ------------------------------------------------------------------------


@login_required
def negotiation_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_staff(request)
    user = request.user
    form = f.NegotiationForm(
        request.POST or None,
        initial={"started_on": timezone.localdate()},
        organizations=organizations_in_scope(user).exclude(kind=Organization.Kind.OUTLET),
    )
    created: list[Any] = []
    if request.method == "POST" and _attempt(
        request,
        form,
        lambda d: created.append(negotiation_create(actor=user, **d)),
        "集体协商已登记",
    ):
        return redirect("democracy:negotiation-detail", created[0].pk)
    negotiations = negotiations_visible_to(user).select_related("organization", "contract")
    return render(
        request,
        "democracy/negotiation_list.html",
        {"negotiations": negotiations[:100], "form": form, "today": timezone.localdate()},
    )


@login_required
def negotiation_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _require_staff(request)
    user = request.user
    negotiation = get_object_or_404(
        negotiations_visible_to(user).select_related("organization"), pk=pk
    )
    manage = can_manage_enterprise(user, negotiation.organization)
    action = request.POST.get("action") if request.method == "POST" else None
    if action and not manage:
        raise PermissionDenied
    data = request.POST if action else None
    forms_ = {
        "round": f.RoundForm(data if action == "round" else None),
        "outcome": f.OutcomeForm(data if action == "outcome" else None),
        "contract": f.ContractForm(data if action == "contract" else None),
    }
    actions = {
        "round": (
            lambda d: negotiation_round_add(actor=user, negotiation=negotiation, **d),
            "已记录协商轮次",
        ),
        "outcome": (
            lambda d: negotiation_outcome_add(actor=user, negotiation=negotiation, **d),
            "已记录协商成果",
        ),
        "contract": (
            lambda d: contract_sign(actor=user, negotiation=negotiation, **d),
            "集体合同已登记",
        ),
    }
    if action:
        if action not in actions:
            raise Http404
        fn, success = actions[action]
        if _attempt(request, forms_[action], fn, success):
            return redirect("democracy:negotiation-detail", negotiation.pk)
    negotiation.refresh_from_db()
    contract = getattr(negotiation, "contract", None)
    return render(
        request,
        "democracy/negotiation_detail.html",
        {
            "negotiation": negotiation,
            "manage": manage,
            "forms": forms_,
            "contract": contract,
            "rounds": negotiation.rounds.all(),
            "outcomes": negotiation.outcomes.all(),
            "today": timezone.localdate(),
        },
    )


# --- Model-worker nominations and public notices ---------------------------------------------------


@login_required
def nomination_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_staff_or_worker(request)
    user = request.user
    staff = is_democracy_staff(user)
    form = f.NominationForm(request.POST or None, initial={"year": timezone.localdate().year})
    if request.method == "POST":
        if not staff:
            raise PermissionDenied
        created: list[Nomination] = []

        def nominate(d: dict[str, Any]) -> None:
            worker = (
                workers_visible_to(user)
                .select_related("employer")
                .filter(pk=d.pop("worker"))
                .first()
            )
            if worker is None or not can_nominate(user, worker):
                raise ValidationError({"worker": "您的范围内没有这个编号的职工"})
            created.append(nomination_create(actor=user, worker=worker, **d))

        if _attempt(request, form, nominate, "劳模推荐已提交，等待上级工会审核"):
            return redirect("democracy:nomination-detail", created[0].pk)
    nominations = nominations_visible_to(user).select_related("worker__employer", "nominated_by")
    # ?status=notice: only those under public notice (the 工作台's count links here).
    status = request.GET.get("status", "")
    if status in Nomination.Status.values:
        nominations = nominations.filter(status=status).order_by("notice_ends_on", "-id")
    return render(
        request,
        "democracy/nomination_list.html",
        {"nominations": nominations[:100], "form": form, "staff": staff},
    )


@login_required
def nomination_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _require_staff_or_worker(request)
    user = request.user
    nomination = get_object_or_404(
        nominations_visible_to(user).select_related("worker__employer", "nominated_by"), pk=pk
    )
    review = can_review_nomination(user, nomination)
    action = request.POST.get("action") if request.method == "POST" else None
    if action and not review:
        raise PermissionDenied
    data = request.POST if action else None
    forms_ = {
        "review": f.ReviewForm(data if action == "review" else None),
        "confirm": f.forms.Form(data if action == "confirm" else None),
        "objection": f.ObjectionResolveForm(data if action == "objection" else None),
    }

    def resolve(d: dict[str, Any]) -> None:
        objection = get_object_or_404(Objection, pk=d.pop("objection"), nomination=nomination)
        objection_resolve(actor=user, objection=objection, **d)

    actions = {
        "review": (
            lambda d: nomination_review(actor=user, nomination=nomination, **d),
            "审核意见已记录",
        ),
        "confirm": (
            lambda d: nomination_confirm(actor=user, nomination=nomination),
            "已确认为劳动模范",
        ),
        "objection": (resolve, "异议核查结论已记录"),
    }
    if action:
        if action not in actions:
            raise Http404
        fn, success = actions[action]
        if _attempt(request, forms_[action], fn, success):
            return redirect("democracy:nomination-detail", nomination.pk)
    nomination.refresh_from_db()
    return render(
        request,
        "democracy/nomination_detail.html",
        {
            "nomination": nomination,
            "review": review,
            "forms": forms_,
            "staff": is_democracy_staff(user),
            "reviews": nomination.reviews.select_related("organization"),
            "objections": nomination.objections.all(),
            "reviewed_here": review
            and nomination.reviews.filter(organization=user.organization).exists(),
        },
    )


def notice_list(request: HttpRequest) -> HttpResponse:
    """Public (no login): nominations under public notice, names masked."""
    notices = public_nominations().select_related("worker__employer", "nominated_by")
    return render(
        request,
        "democracy/notice_list.html",
        {"notices": [(n, mask_name(n.worker.name)) for n in notices[:100]]},
    )


def notice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Public: one nomination's notice with the objection channel. Over the per-address limit
    the form comes back with the reason, as 429 with Retry-After (as the API answers)."""
    nomination = get_object_or_404(
        public_nominations().select_related("worker__employer", "nominated_by"), pk=pk
    )
    form = f.ObjectionForm(request.POST or None)
    throttled: list[ObjectionsThrottled] = []

    def submit(d: dict[str, Any]) -> None:
        try:
            objection_submit(
                nomination=nomination, client_key=request.META.get("REMOTE_ADDR", ""), **d
            )
        except ObjectionsThrottled as error:
            throttled.append(error)
            raise

    if request.method == "POST" and _attempt(
        request, form, submit, "您的异议已收到，工会将在公示期内核查"
    ):
        return redirect("democracy:notice-detail", nomination.pk)
    response = render(
        request,
        "democracy/notice_detail.html",
        {"nomination": nomination, "masked_name": mask_name(nomination.worker.name), "form": form},
        status=429 if throttled else 200,
    )
    if throttled:
        response["Retry-After"] = str(throttled[0].retry_after)
    return response


# --- Figures --------------------------------------------------------------------------------------


@login_required
def figures_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    if not is_democracy_staff(user):
        raise PermissionDenied
    choices = organizations_in_scope(user).exclude(kind=Organization.Kind.OUTLET)
    organization, year = user.organization, timezone.localdate().year
    form = f.FiguresForm(
        request.GET or None,
        organizations=choices,
        initial={"organization": organization.pk, "year": year},
    )
    if form.is_valid():
        organization = form.cleaned_data["organization"] or organization
        year = form.cleaned_data["year"] or year
    figures = figures_for(organization=organization, year=year)
    children = [
        figures_for(organization=child, year=year)
        for child in choices.filter(parent=organization).exclude(kind=Organization.Kind.OUTLET)[:30]
    ]
    return render(
        request, "democracy/figures.html", {"form": form, "figures": figures, "children": children}
    )
