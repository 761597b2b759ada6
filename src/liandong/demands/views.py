import secrets
import tempfile
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.forms import Form
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from liandong.accounts.models import AuthenticatedHttpRequest
from liandong.core.audit import request_context
from liandong.core.busy import retry_when_busy
from liandong.core.crypto import mobile_digest
from liandong.core.documents import XLSX
from liandong.core.forms import form_add_service_error
from liandong.core.paging import DEFAULT_PAGE_SIZE, Page, page_by_id
from liandong.demands import classify, learning, notices, throttle
from liandong.demands.exporting import stats_xlsx
from liandong.demands.forms import (
    ActionForm,
    CalendarForm,
    ClassifierForm,
    FilterForm,
    IntakeForm,
    RateForm,
    RevealForm,
    RuleForm,
    StaffIntakeForm,
    StatsForm,
    TimeLimitForm,
    TrackForm,
    TriageForm,
)
from liandong.demands.models import (
    CalendarDay,
    CalendarYear,
    Category,
    CategoryCorrection,
    Channel,
    ClassifierVersion,
    Demand,
    DemandPhoto,
    RoutingRule,
    TimeLimit,
)
from liandong.demands.permissions import (
    allowed_actions,
    bodies_visible_to,
    can_configure,
    can_enter_demands,
    can_manage_classifier,
    can_reveal_mobile,
    can_triage,
    can_use_demands,
    demands_visible_to,
)
from liandong.demands.presenters import public_view
from liandong.demands.selectors import (
    DemandFilters,
    StatsFilters,
    by_urgency,
    demand_by_code,
    demand_list,
    demand_stats,
    linked_work,
    triage_queue,
)
from liandong.demands.services import (
    ACTIONS,
    calendar_year_set,
    demand_act,
    demand_rate,
    demand_reveal_mobile,
    demand_submit,
    demand_triage,
    routing_rule_create,
    routing_rule_deactivate,
    time_limit_set,
    valid_mobile,
)
from liandong.demands.workdays import package_covers


def _require_staff(request: HttpRequest) -> None:
    if not can_use_demands(request.user):
        raise PermissionDenied


def _ip() -> str | None:
    return (request_context.get() or {}).get("ip")


# ---------------------------------------------------------------------------------------------
# Public pages (no login): submit on a phone, follow up, rate


@retry_when_busy
def public_submit(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        form = IntakeForm(initial={"token": secrets.token_urlsafe(16)})
        return render(request, "demands/public_submit.html", {"form": form})
    form = IntakeForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        # The token makes a double tap or a re-sent form the same demand (idempotency key).
        key = f"web:{data['token']}" if data.get("token") else ""
        existing = Demand.objects.filter(idempotency_key=key).first() if key else None
        if existing is not None:
            return _receipt(request, existing, token=data.get("token") or "")
        try:
            digest = mobile_digest(valid_mobile(data["mobile"]))
        except ValidationError:
            digest = None
        try:
            with transaction.atomic():
                if not throttle.claim(("submit-ip", _ip()), ("submit-mobile", digest)):
                    transaction.set_rollback(True)  # a refused submission counts nowhere
                    form.add_error(
                        None, "提交过于频繁，请稍后再试；紧急情况请拨打 12351 职工服务热线。"
                    )
                    page = render(request, "demands/public_submit.html", {"form": form}, status=429)
                    return _retry_after(page, "submit-ip")
                demand, _ = demand_submit(
                    channel=Channel.ONLINE,
                    category=data["category"],
                    description=data["description"],
                    industry=data["industry"],
                    city=data["city"],
                    mobile=data["mobile"],
                    employer_name=data["employer_name"],
                    submitter_name=data["name"],
                    consent=data["consent"],
                    urgency=data["urgency"],
                    photos=request.FILES.getlist("photos"),
                    idempotency_key=key,
                    key_checked=True,
                )
        except ValidationError as error:
            form_add_service_error(form, error)
        except IntegrityError:
            first = Demand.objects.filter(idempotency_key=key).first() if key else None
            if first is None:
                raise
            return _receipt(request, first, token=data.get("token") or "")
        else:
            return _receipt(request, demand, token=data.get("token") or "")
    return render(request, "demands/public_submit.html", {"form": form})


def _receipt(
    request: HttpRequest, demand: Demand, *, token: str, status: int = 200, **extra: str
) -> HttpResponse:
    """The receipt: the tracking code, with 复制 and 发短信到我的手机. The form's one-time
    token (the demand's idempotency key) is what proves, on the SMS request, that this browser
    submitted the demand."""
    return render(
        request,
        "demands/public_submitted.html",
        {"demand": demand, "token": token, **extra},
        status=status,
    )


@require_POST
@retry_when_busy
def public_text_code(request: HttpRequest) -> HttpResponse:
    """发短信到我的手机 on the receipt: the tracking code by SMS to the mobile given on the form,
    for the browser that submitted it (code and the form's token), a few times a day at most."""
    code = request.POST.get("code", "").strip().upper()[:12]
    token = request.POST.get("token", "")[:64]
    demand = (
        Demand.objects.filter(code=code, idempotency_key=f"web:{token}").first()
        if code and token
        else None
    )
    if demand is None:
        raise Http404("没有找到这条诉求，请用查询码和手机号后四位查询。")
    with transaction.atomic():
        if not throttle.claim(("text-code-demand", str(demand.pk)), ("text-code-ip", _ip())):
            transaction.set_rollback(True)
            page = _receipt(
                request,
                demand,
                token=token,
                status=429,
                text_error="短信发送次数已达上限，请记下或复制查询码。",
            )
            return _retry_after(page, "text-code-demand")
        notices.text_tracking_code(demand, sequence=secrets.token_hex(4))
    return _receipt(
        request, demand, token=token, texted="查询码已发送到您填写的手机号，请注意查收。"
    )


def _retry_after(response: HttpResponse, kind: str) -> HttpResponse:
    response["Retry-After"] = str(throttle.window(kind))
    return response


def _track_page(
    request: HttpRequest, demand: Demand, rate_form: RateForm | None = None
) -> HttpResponse:
    view = public_view(demand)
    if rate_form is None and view["can_rate"]:
        rate_form = RateForm(initial={"code": demand.code, "mobile_tail": demand.mobile_tail})
    return render(
        request,
        "demands/public_track.html",
        {"form": TrackForm(initial={"code": demand.code}), "view": view, "rate_form": rate_form},
    )


@retry_when_busy
def public_track(request: HttpRequest) -> HttpResponse:
    """Code and the last four digits by POST, so that neither sits in a URL or an access log."""
    if request.method != "POST":
        return render(
            request,
            "demands/public_track.html",
            {"form": TrackForm(initial={"code": request.GET.get("code", "")[:12]})},
        )
    form = TrackForm(request.POST)
    if form.is_valid():
        if throttle.exceeded("lookup-ip", _ip()):
            form.add_error(None, "查询失败次数过多，请一小时后再试。")
            page = render(request, "demands/public_track.html", {"form": form}, status=429)
            return _retry_after(page, "lookup-ip")
        demand = demand_by_code(form.cleaned_data["code"], form.cleaned_data["mobile_tail"])
        if demand is not None:
            return _track_page(request, demand)
        throttle.hit("lookup-ip", _ip())
        form.add_error(None, "查询码或手机号后四位不正确，请核对后再试。")
    return render(request, "demands/public_track.html", {"form": form})


@require_POST
@retry_when_busy
def public_rate(request: HttpRequest) -> HttpResponse:
    form = RateForm(request.POST)
    if throttle.exceeded("lookup-ip", _ip()):
        page = render(request, "demands/public_track.html", {"form": TrackForm()}, status=429)
        return _retry_after(page, "lookup-ip")
    code, tail = request.POST.get("code", ""), request.POST.get("mobile_tail", "")
    demand = demand_by_code(code, tail)
    if demand is None:
        throttle.hit("lookup-ip", _ip())
        track = TrackForm({"code": code[:12], "mobile_tail": tail[:4]})
        track.is_valid()
        track.add_error(None, "查询码或手机号后四位不正确，请重新查询。")
        return render(request, "demands/public_track.html", {"form": track})
    if form.is_valid():
        try:
            demand = demand_rate(
                demand=demand,
                rating=form.cleaned_data["rating"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            form_add_service_error(form, error)
            return _track_page(request, demand, form)
        messages.success(request, "感谢您的评价。")
        return _track_page(request, demand)
    return _track_page(request, demand, form)


# ---------------------------------------------------------------------------------------------
# Staff pages


def _filters(request: HttpRequest, form: FilterForm) -> DemandFilters | None:
    if not form.is_valid():
        return None
    data = form.cleaned_data
    view = data.get("view") or ""
    return DemandFilters(
        body=data.get("body"),
        state=data.get("state") or "",
        breached={"yes": True, "no": False}.get(data.get("breached") or ""),
        category=data.get("category") or "",
        city=data.get("city") or "",
        escalated=True if view == "escalated" else None,
        agenda=True if view == "agenda" else None,
        duplicates=view == "duplicates",
        near_limit=view == "limit",
        q=data.get("q") or "",
    )


def page_by_offset(demands: QuerySet[Demand], *, offset: int) -> Page[Demand]:
    """A page of an ordered list that is not by id (the urgency order): the next cursor is the
    offset of the next page."""
    found = list(demands[offset : offset + DEFAULT_PAGE_SIZE + 1])
    more = len(found) > DEFAULT_PAGE_SIZE
    return Page(
        items=found[:DEFAULT_PAGE_SIZE], next_cursor=offset + DEFAULT_PAGE_SIZE if more else None
    )


@login_required
def demand_list_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_staff(request)
    form = FilterForm(request.GET, bodies=bodies_visible_to(request.user).order_by("path"))
    filters = _filters(request, form)
    demands = demand_list(user=request.user, filters=filters) if filters else Demand.objects.none()
    try:
        cursor = int(request.GET["cursor"]) if request.GET.get("cursor") else None
    except ValueError:
        cursor = None
    if form.is_valid() and form.cleaned_data.get("sort") == "new":
        page = page_by_id(demands, cursor=cursor)
    else:  # by urgency, the default: the cursor is the offset of the page
        page = page_by_offset(by_urgency(demands), offset=max(0, cursor or 0))
    query = {k: v for k, v in request.GET.items() if k != "cursor" and v}
    return render(
        request,
        "demands/demand_list.html",
        {
            "form": form,
            "page": page,
            "is_first_page": cursor is None,
            "query": urlencode(query),
            "next_query": urlencode({**query, "cursor": page.next_cursor})
            if page.next_cursor
            else "",
            "can_enter": can_enter_demands(request.user),
            "can_configure": can_configure(request.user),
        },
    )


@login_required
def demand_create_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_staff(request)
    if not can_enter_demands(request.user):
        raise PermissionDenied
    if request.method != "POST":
        form = StaffIntakeForm(initial={"token": secrets.token_urlsafe(16)})
        return render(request, "demands/demand_form.html", {"form": form})
    form = StaffIntakeForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            demand, _ = demand_submit(
                actor=request.user,
                channel=data["channel"],
                category=data["category"],
                description=data["description"],
                industry=data["industry"],
                city=data["city"],
                mobile=data["mobile"],
                employer_name=data["employer_name"],
                submitter_name=data["name"],
                consent=data["consent"],
                urgency=data["urgency"],
                photos=request.FILES.getlist("photos"),
                idempotency_key=f"staff:{data['token']}" if data.get("token") else "",
            )
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, f"诉求已登记，查询码 {demand.code}，请告知来电职工。")
            return redirect("demands:demand-detail", demand.pk)
    return render(request, "demands/demand_form.html", {"form": form})


# The actions that move a demand on (受理 = 开始办理, 答复, 办结, 转办; 派单 for one not yet
# routed), in the order a handler takes them.
NEXT_ACTIONS = ["accept", "reply", "resolve", "assign", "transfer"]


def _visible(request: HttpRequest, pk: int) -> Demand:
    _require_staff(request)
    return get_object_or_404(
        demands_visible_to(request.user).select_related(
            "body", "union", "possible_duplicate_of", "merged_into", "entered_by"
        ),
        pk=pk,
    )


def _detail(
    request: HttpRequest,
    demand: Demand,
    *,
    forms: dict | None = None,
    revealed: str = "",
    status: int = 200,
) -> HttpResponse:
    actions = allowed_actions(request.user, demand)
    bodies = bodies_visible_to(request.user).order_by("path")
    action_forms = {
        name: ActionForm(initial={"action": name, "category": demand.category}, bodies=bodies)
        for name in actions
    }
    action_forms.update(forms or {})
    # Other modules' buttons and timeline entries (a mediation opened from it, its outcome).
    linked_actions, linked_entries = linked_work(request.user, demand)
    events = list(demand.events.select_related("body", "actor"))
    timeline = sorted(
        [(e.created_at, e, None) for e in events] + [(x.at, None, x) for x in linked_entries],
        key=lambda row: row[0],
    )
    return render(
        request,
        "demands/demand_detail.html",
        {
            "demand": demand,
            "events": events,
            "timeline": timeline,
            "linked_actions": linked_actions,
            "co_bodies": list(demand.co_bodies.all()),
            "photos": list(demand.photos.values_list("pk", flat=True)),
            # The next step of the demand's handling, shown as open forms with their button;
            # the rarer actions stay folded below them.
            "next_actions": [
                (name, ACTIONS[name], action_forms[name])
                for name in NEXT_ACTIONS
                if name in actions
            ],
            "actions": [
                (name, ACTIONS[name], action_forms[name])
                for name in ACTIONS
                if name in actions and name not in NEXT_ACTIONS
            ],
            "can_reveal": can_reveal_mobile(request.user, demand) and not revealed,
            "revealed": revealed,
            "reveal_form": RevealForm(),
            "calendar_warning": demand.calendar_fallback,
            # who was told of it, and whether it went out (notifications' include)
            "delivery_target": f"demands.demand:{demand.pk}",
        },
        status=status,
    )


@login_required
def demand_detail_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _visible(request, pk))


@login_required
@require_POST
def demand_act_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    demand = _visible(request, pk)
    bodies = bodies_visible_to(request.user).order_by("path")
    form = ActionForm(request.POST, bodies=bodies)
    action = request.POST.get("action", "")
    allowed = allowed_actions(request.user, demand)
    if action not in allowed:
        if not allowed and action in ACTIONS:
            raise PermissionDenied
        messages.error(request, "当前状态下不能执行该操作。")
        return _detail(request, demand)
    if form.is_valid():
        data = form.cleaned_data
        into = None
        if action == "merge":
            into = (
                demands_visible_to(request.user)
                .filter(code=(data["into_code"] or "").strip().upper())
                .first()
            )
        try:
            if action == "merge" and into is None:
                raise ValidationError({"into_code": ["找不到该查询码的诉求"]})
            demand_act(
                actor=request.user,
                demand=demand,
                action=action,
                note=data["note"],
                reason=data["reason"],
                body=data["body"],
                category=data["category"],
                into=into,
            )
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, f"已{ACTIONS[action]}。")
            return redirect("demands:demand-detail", demand.pk)
    return _detail(request, demand, forms={action: form})


@login_required
@require_POST
def demand_reveal_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    demand = _visible(request, pk)
    if not can_reveal_mobile(request.user, demand):
        raise PermissionDenied
    form = RevealForm(request.POST)
    purpose = form.cleaned_data["purpose"] if form.is_valid() else ""
    response = _detail(
        request,
        demand,
        revealed=demand_reveal_mobile(actor=request.user, demand=demand, purpose=purpose),
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
def demand_photo_view(request: AuthenticatedHttpRequest, pk: int, photo_id: int) -> HttpResponse:
    demand = _visible(request, pk)
    photo = DemandPhoto.objects.filter(demand=demand, pk=photo_id).first()
    if photo is None:
        raise Http404
    response = HttpResponse(bytes(photo.content), content_type=photo.content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _stats_filters(form: StatsForm) -> StatsFilters:
    data = form.cleaned_data if form.is_valid() else {}
    return StatsFilters(
        start=data.get("start"),
        end=data.get("end"),
        body=data.get("body"),
        category=data.get("category") or "",
        city=data.get("city") or "",
        group_by=data.get("group_by") or "category",
        industry=data.get("industry") or "",
    )


@login_required
def demand_stats_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_staff(request)
    form = StatsForm(request.GET, bodies=bodies_visible_to(request.user).order_by("path"))
    filters = _stats_filters(form)
    total, rows = demand_stats(user=request.user, filters=filters)
    peak = max([row.received for row in rows] or [1]) or 1
    bars = [
        {"row": row, "width": round(600 * row.received / peak), "y": 8 + i * 28}
        for i, row in enumerate(rows)
    ]
    return render(
        request,
        "demands/demand_stats.html",
        {
            "form": form,
            "total": total,
            "rows": rows,
            "bars": bars,
            "chart_height": 16 + 28 * len(rows),
            "query": urlencode({k: v for k, v in request.GET.items() if v}),
        },
    )


@login_required
def demand_stats_export_view(request: AuthenticatedHttpRequest) -> FileResponse:
    _require_staff(request)
    form = StatsForm(request.GET, bodies=bodies_visible_to(request.user))
    filters = _stats_filters(form)
    total, rows = demand_stats(user=request.user, filters=filters)
    stream = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it when sent
    stats_xlsx(stream, total, rows, filters)
    stream.seek(0)
    return FileResponse(stream, as_attachment=True, filename="诉求统计.xlsx", content_type=XLSX)


@login_required
def demand_settings_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Routing rules, time limits and the working-day calendar (union admins)."""
    _require_staff(request)
    if not can_configure(request.user):
        raise PermissionDenied
    bodies = bodies_visible_to(request.user).order_by("path")
    forms: dict[str, Form] = {
        "rule": RuleForm(bodies=bodies),
        "limit": TimeLimitForm(),
        "calendar": CalendarForm(),
    }
    which = request.POST.get("form", "") if request.method == "POST" else ""
    if which == "deactivate":
        rule = get_object_or_404(
            RoutingRule,
            pk=request.POST.get("rule") or 0,
            union__in=bodies.filter(pk=request.user.organization_id),
        )
        routing_rule_deactivate(actor=request.user, rule=rule)
        messages.success(request, "分派规则已停用。")
        return redirect("demands:demand-settings")
    if which in forms:
        form = {"rule": RuleForm, "limit": TimeLimitForm, "calendar": CalendarForm}[which](
            request.POST, **({"bodies": bodies} if which == "rule" else {})
        )
        forms[which] = form
        if form.is_valid():
            data = form.cleaned_data
            try:
                if which == "rule":
                    routing_rule_create(
                        actor=request.user,
                        union=request.user.organization,
                        body=data["body"],
                        category=data["category"],
                        industry=data["industry"],
                        city=data["city"],
                        co_bodies=list(data["co_bodies"]),
                        priority=data["priority"],
                    )
                elif which == "limit":
                    time_limit_set(
                        actor=request.user,
                        category=data["category"],
                        urgency=data["urgency"],
                        response_days=data["response_days"],
                        resolution_days=data["resolution_days"],
                        escalation_days=data["escalation_days"],
                    )
                else:
                    calendar_year_set(actor=request.user, year=data["year"], days=data["parsed"])
            except ValidationError as error:
                form_add_service_error(form, error)
            else:
                messages.success(request, "已保存。")
                return redirect("demands:demand-settings")
    rules = (
        RoutingRule.objects.filter(is_active=True, union__in=bodies)
        .select_related("body")
        .prefetch_related("co_bodies")
        .order_by("category", "industry", "city")
    )
    years = sorted(
        {day.year for day in CalendarDay.objects.dates("date", "year")}
        | set(CalendarYear.objects.values_list("year", flat=True))
    )
    return render(
        request,
        "demands/demand_settings.html",
        {
            "forms": forms,
            "rules": rules,
            "limits": TimeLimit.objects.all(),
            "entered_years": years,
            "covered_2026": package_covers(2026),
            "covered_2027": package_covers(2027),
        },
    )


# ---------------------------------------------------------------------------------------------
# 待分类: demands the classifier was unsure of, and the model itself


@login_required
def triage_queue_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_staff(request)
    if not can_triage(request.user):
        raise PermissionDenied
    return _triage_page(request)


def _triage_page(request: AuthenticatedHttpRequest, error: str = "") -> HttpResponse:
    demands = list(triage_queue(request.user)[:100])
    return render(
        request,
        "demands/triage_queue.html",
        {
            "error": error,
            "demands": demands,
            "form": TriageForm(),
            "labels": dict(Category.choices),
            "can_manage_classifier": can_manage_classifier(request.user),
        },
    )


@login_required
@require_POST
def triage_choose_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _require_staff(request)
    if not can_triage(request.user):
        raise PermissionDenied
    demand = get_object_or_404(triage_queue(request.user), pk=pk)
    form = TriageForm(request.POST)
    if form.is_valid():
        try:
            demand = demand_triage(
                actor=request.user, demand=demand, category=form.cleaned_data["category"]
            )
        except ValidationError as error:
            return _triage_page(request, "；".join(error.messages))
        where = f"，已派至{demand.body.name}" if demand.body else "，请派单"
        messages.success(
            request, f"诉求 {demand.code} 已归入“{demand.get_category_display()}”{where}。"
        )
        return redirect("demands:triage-queue")
    return _triage_page(
        request,
        f"诉求 {demand.code}：" + "；".join(str(e) for v in form.errors.values() for e in v),
    )


@login_required
def classifier_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_staff(request)
    if not can_manage_classifier(request.user):
        raise PermissionDenied
    form = ClassifierForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        number = form.cleaned_data["version"]
        row = ClassifierVersion.objects.filter(version=number).first()
        if number and row is None:
            form.add_error("version", "没有这个版本")
        else:
            try:
                learning.classifier_activate(actor=request.user, row=row)
            except ValidationError as error:
                form_add_service_error(form, error)
            else:
                messages.success(request, f"已启用分类模型 {f'v{number}' if row else '内置版本'}。")
                return redirect("demands:classifier")
    shipped = classify.model_at(classify.SHIPPED_MODEL).meta
    active = ClassifierVersion.objects.filter(is_active=True).first()
    return render(
        request,
        "demands/classifier.html",
        {
            "form": form,
            "active": active,
            "shipped": shipped,
            "shipped_scores": shipped.get("scores", {}),
            "versions": ClassifierVersion.objects.all()[:20],
            "corrections": CategoryCorrection.objects.all()[:20],
            "pending": CategoryCorrection.objects.filter(trained_in__isnull=True).count(),
            "retrain_min": learning.RETRAIN_MIN_CORRECTIONS,
            "labels": dict(Category.choices),
        },
        status=400 if form.errors else 200,
    )
