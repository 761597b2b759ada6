"""Pages of service activities. Thin: every check is in permissions, every rule in services."""

import io
from datetime import datetime, timedelta
from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from liandong.accounts.models import AuthenticatedHttpRequest
from liandong.accounts.permissions import acts_for_organization, is_worker
from liandong.activities import permissions as perms
from liandong.activities import services
from liandong.activities.exporting import figures_xlsx
from liandong.activities.forms import (
    PRIORITY_SLOTS,
    ActivityBackEntryForm,
    ActivityForm,
    BookingForm,
    BudgetLineForm,
    CancelBookingForm,
    ExpenseForm,
    ExpenseReverseForm,
    FeedbackForm,
    HomeForm,
    MerchantForm,
    NominateForm,
    NoticeForm,
    OverrideDecisionForm,
    PartnerUnitForm,
    ServedForm,
    WithdrawForm,
)
from liandong.activities.models import (
    HOLDING_PLACE,
    Activity,
    ActivityStatus,
    Application,
    ApplicationStatus,
    Booking,
    ExpenseStatus,
    Quota,
    Selection,
)
from liandong.activities.selectors import (
    activity_figures,
    activity_list,
    budget_usage,
    home_usage,
    merchant_spending,
    partner_unit_ratings,
    period_figures,
    public_notice,
    waitlist_position,
)
from liandong.core.documents import XLSX
from liandong.core.forms import form_add_service_error
from liandong.organizations.models import Organization
from liandong.organizations.permissions import organizations_in_scope, organizations_visible_to
from liandong.workers.permissions import workers_visible_to

LISTED = 100


def _errors(error: ValidationError) -> str:
    return "；".join(error.messages)


def _visible(request: HttpRequest, pk: int) -> Activity:
    queryset = (
        perms.activities_visible_to(request.user)
        .select_related("organizer")
        .prefetch_related(
            Prefetch("quotas", queryset=Quota.objects.select_related("body")),
            "sub_venues",
            "co_organizers",
        )
    )
    return get_object_or_404(queryset, pk=pk)


def _managed(request: HttpRequest, pk: int) -> Activity:
    activity = _visible(request, pk)
    if not perms.can_manage_activity(request.user, activity):
        raise PermissionDenied
    return activity


def _year(request: HttpRequest) -> int:
    value = request.GET.get("year", "")
    return (
        int(value) if value.isdigit() and 2000 <= int(value) <= 2100 else timezone.localdate().year
    )


@login_required
def activity_list_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Staff: the activities of their scope. A worker: the activities open to them and their own
    applications (the phone page 活动报名)."""
    if is_worker(request.user):
        worker = perms.own_worker(request.user)
        if worker is None:
            raise PermissionDenied
        mine = {
            a.activity_id: a
            for a in Application.objects.filter(worker=worker).select_related("activity")
        }
        offered = list(perms.activities_visible_to(request.user).select_related("organizer")[:50])
        return render(
            request,
            "activities/worker_list.html",
            {
                "open": [
                    a for a in offered if a.status == ActivityStatus.OPEN and a.pk not in mine
                ],
                "mine": [(a, mine[a.pk]) for a in offered if a.pk in mine],
                "others": [
                    a for a in offered if a.status != ActivityStatus.OPEN and a.pk not in mine
                ],
            },
        )
    if not acts_for_organization(request.user):
        raise PermissionDenied
    year = request.GET.get("year", "")
    activities = activity_list(
        perms.activities_visible_to(request.user),
        year=_year(request) if year else None,
        kind=request.GET.get("kind", "")[:20],
    )
    # ?status=notice: only those in one state (the 工作台's 公示 count links here).
    if request.GET.get("status", "") in ActivityStatus.values:
        activities = activities.filter(status=request.GET["status"])
    return render(
        request,
        "activities/activity_list.html",
        {
            "activities": activities[:200],
            "can_create": perms.can_create_activity(request.user),
            "can_back_enter": perms.can_back_enter_activity(request.user),
            "year": year,
        },
    )


@login_required
def activity_create_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not perms.can_create_activity(request.user):
        raise PermissionDenied
    scope = organizations_in_scope(request.user)
    partners = organizations_visible_to(request.user).exclude(pk__in=scope.values("pk"))
    form = ActivityForm(
        request.POST or None,
        organizers=scope,
        partners=partners,
        partner_units=list(perms.partner_units_usable_by(request.user)),
        initial={"organizer": request.user.organization_id},
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        organizer = data.pop("organizer")
        co_organizers = data.pop("co_organizers")
        quotas = data.pop("quotas")
        sub_venues = data.pop("sub_venues")
        try:
            activity = services.activity_create(
                actor=request.user,
                organizer=organizer,
                co_organizers=co_organizers,
                quotas=quotas,
                sub_venues=sub_venues,
                **data,
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, "活动已创建（草稿）。核对无误后请发布。")
            return redirect("activities:activity-detail", pk=activity.pk)
    return render(request, "activities/activity_form.html", {"form": form})


def _add_errors(form: Any, error: ValidationError, rename: dict[str, str] | None = None) -> None:
    errors = error.error_dict if hasattr(error, "error_dict") else {None: error.error_list}
    for field, items in errors.items():
        target = (rename or {}).get(field, field) if field else None
        form.add_error(target if target in form.fields else None, items)


def _activity_initial(activity: Activity) -> dict[str, Any]:
    initial: dict[str, Any] = {name: getattr(activity, name) for name in services.ACTIVITY_FIELDS}
    for name in ["applications_open_at", "applications_close_at"]:
        if initial[name] is not None:
            initial[name] = timezone.localtime(initial[name])
    for slot, rule in zip(PRIORITY_SLOTS, activity.priority_rules, strict=False):
        initial[slot] = rule
    if activity.partner_unit_id:
        initial["partner_route"] = f"{activity.partner_unit_id}|{activity.route}"
    initial["quotas"] = [(q.body, q.places) for q in activity.quotas.all()]
    initial["co_organizers"] = list(activity.co_organizers.all())
    return initial


@login_required
def activity_edit_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Change an activity's fields and quotas; the service refuses what would break a rule."""
    activity = _visible(request, pk)
    if not perms.can_edit_activity(request.user, activity):
        raise PermissionDenied
    scope = organizations_in_scope(request.user)
    partners = organizations_visible_to(request.user).exclude(pk__in=scope.values("pk"))
    form = ActivityForm(
        request.POST or None,
        organizers=scope,
        partners=partners,
        editing=True,
        partner_units=list(perms.partner_units_usable_by(request.user, keep=activity.partner_unit)),
        extra_rules=list(activity.priority_rules),
        initial=_activity_initial(activity),
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        co_organizers = data.pop("co_organizers")
        quotas = data.pop("quotas")
        for name in services.WINDOW_FIELDS:
            # The page shows times to the minute: the same minute submitted back is no change.
            stored, sent = getattr(activity, name), data.get(name)
            if (
                stored
                and sent
                and sent.replace(second=0, microsecond=0) == stored.replace(second=0, microsecond=0)
            ):
                data[name] = stored
        try:
            services.activity_update(
                actor=request.user,
                activity=activity,
                co_organizers=co_organizers,
                quotas=quotas,
                **data,
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, "活动已修改。")
            return redirect("activities:activity-detail", pk=activity.pk)
    return render(request, "activities/activity_form.html", {"form": form, "activity": activity})


@login_required
def activity_detail_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    activity = _visible(request, pk)
    if is_worker(request.user):
        worker = perms.own_worker(request.user)
        application = (
            Application.objects.filter(activity=activity, worker=worker)
            .select_related("activity")
            .first()
        )
        eligibility = (
            services.eligibility_check(activity=activity, worker=worker) if worker else None
        )
        return render(
            request,
            "activities/worker_activity.html",
            {
                "activity": activity,
                "application": application,
                "eligibility": eligibility,
                "position": waitlist_position(activity, application) if application else None,
                "feedback_form": FeedbackForm(),
                "can_apply": application is None
                and activity.status == ActivityStatus.OPEN
                and activity.selection in {Selection.FIRST_COME, Selection.LOTTERY},
            },
        )
    manage = perms.can_manage_activity(request.user, activity)
    applications = perms.applications_visible_to(request.user, activity).select_related(
        "worker", "body", "activity"
    )
    # Selected first, then the others, at most LISTED rows on the page.
    listed = list(applications.filter(status__in=HOLDING_PLACE).order_by("id")[:LISTED])
    listed += list(
        applications.exclude(status__in=HOLDING_PLACE).order_by("id")[: LISTED - len(listed)]
    )
    total = applications.count()
    return render(
        request,
        "activities/activity_detail.html",
        {
            "activity": activity,
            "manage": manage,
            "can_edit": manage and activity.status in services.EDITABLE_STATUSES,
            "figures": activity_figures(activity) if manage else None,
            "applications": listed,
            "more_applications": total - len(listed),
            "can_nominate": perms.can_nominate(request.user, activity)
            and activity.status == ActivityStatus.OPEN,
            "nominate_form": NominateForm(),
            "notice_form": NoticeForm(initial={"objection_channel": activity.objection_channel}),
            "served_form": ServedForm(
                sub_venues=[(v.pk, v.name) for v in activity.sub_venues.all()],
                initial={"served_on": timezone.localdate()},
            ),
            "rules": [services.rule_label(r) for r in activity.priority_rules],
            "now": timezone.now(),
        },
    )


def _act(request: HttpRequest, pk: int, action: Any, done: str) -> HttpResponse:
    activity = _managed(request, pk)
    try:
        action(activity)
    except ValidationError as error:
        messages.error(request, _errors(error))
    else:
        messages.success(request, done)
    return redirect("activities:activity-detail", pk=activity.pk)


@login_required
@require_POST
def activity_publish_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda a: services.activity_publish(actor=request.user, activity=a),
        "活动已发布，开始报名。",
    )


@login_required
@require_POST
def activity_draw_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda a: services.activity_draw(actor=request.user, activity=a),
        "已开签：入选名单和候补名单已生成，随机种子已公开。",
    )


@login_required
@require_POST
def activity_notice_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    form = NoticeForm(request.POST)
    if not form.is_valid():
        _managed(request, pk)
        messages.error(request, "公示期应为 1 至 30 天")
        return redirect("activities:activity-detail", pk=pk)
    return _act(
        request,
        pk,
        lambda a: services.activity_publish_notice(
            actor=request.user,
            activity=a,
            days=form.cleaned_data["days"],
            objection_channel=form.cleaned_data["objection_channel"],
        ),
        "公示已发布。",
    )


@login_required
@require_POST
def activity_confirm_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda a: services.activity_confirm(actor=request.user, activity=a),
        "名单已确认。",
    )


@login_required
@require_POST
def activity_served_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    activity = _managed(request, pk)
    form = ServedForm(request.POST, sub_venues=[(v.pk, v.name) for v in activity.sub_venues.all()])
    if not form.is_valid():
        messages.error(request, "请填写日期和服务人次（1 至 100000）")
        return redirect("activities:activity-detail", pk=pk)
    data = form.cleaned_data
    sub_venue = (
        activity.sub_venues.filter(pk=data["sub_venue"]).first() if data["sub_venue"] else None
    )
    return _act(
        request,
        pk,
        lambda a: services.service_entry_record(
            actor=request.user,
            activity=a,
            people=data["people"],
            served_on=data["served_on"],
            sub_venue=sub_venue,
            note=data["note"],
        ),
        f"已记录服务 {data['people']} 人次。",
    )


@login_required
@require_POST
def activity_apply_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    worker = perms.own_worker(request.user)
    if worker is None:
        raise PermissionDenied
    activity = _visible(request, pk)
    try:
        application = services.application_submit(
            actor=request.user, activity=activity, worker=worker
        )
    except ValidationError as error:
        messages.error(request, f"“{activity.title}”报名未成功：{_errors(error)}")
    else:
        messages.success(
            request,
            f"已报名“{activity.title}”，您已入选。"
            if application.status == ApplicationStatus.SELECTED
            else f"已报名“{activity.title}”。报名截止后公开抽签，请留意结果。",
        )
    # From the phone home (我的 · 活动报名) back to it: ``next`` is a path on this site only.
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(back)
    return redirect("activities:activity-detail", pk=pk)


@login_required
@require_POST
def activity_nominate_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    activity = _visible(request, pk)
    if not perms.can_nominate(request.user, activity):
        raise PermissionDenied
    form = NominateForm(request.POST)
    worker = None
    if form.is_valid():
        worker = (
            workers_visible_to(request.user)
            .select_related("employer")
            .filter(pk=form.cleaned_data["worker"])
            .first()
        )
    if worker is None:
        messages.error(request, "职工编号不存在或不在您的范围内")
        return redirect("activities:activity-detail", pk=pk)
    try:
        services.application_submit(
            actor=request.user, activity=activity, worker=worker, nominated_by=request.user
        )
    except ValidationError as error:
        messages.error(request, f"推荐未成功：{_errors(error)}")
    else:
        messages.success(request, f"已推荐 {worker.name}。")
    return redirect("activities:activity-detail", pk=pk)


def _application(request: HttpRequest, pk: int) -> Application:
    return get_object_or_404(
        perms.all_applications_visible_to(request.user).select_related(
            "activity__organizer", "worker__employer"
        ),
        pk=pk,
    )


@login_required
@require_POST
def application_withdraw_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    if not perms.can_withdraw(request.user, application):
        raise PermissionDenied
    form = WithdrawForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.application_withdraw(actor=request.user, application=application, reason=reason)
    except ValidationError as error:
        messages.error(request, _errors(error))
    else:
        messages.success(request, "已退出报名。")
    return redirect("activities:activity-detail", pk=application.activity_id)


@login_required
@require_POST
def application_feedback_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    application = get_object_or_404(Application.objects.filter(worker__user=request.user), pk=pk)
    form = FeedbackForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择 1 至 5 分")
    else:
        try:
            services.application_feedback(
                actor=request.user,
                application=application,
                rating=form.cleaned_data["rating"],
                feedback=form.cleaned_data["feedback"],
            )
        except ValidationError as error:
            messages.error(request, _errors(error))
        else:
            messages.success(request, "感谢您的评价。")
    return redirect("activities:activity-detail", pk=application.activity_id)


@login_required
def application_qr_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The participant's check-in code as SVG (no external assets). It encodes the check-in
    page's URL with the application's unguessable token."""
    application = _application(request, pk)
    if not (
        application.worker.user_id == request.user.pk
        or perms.can_manage_activity(request.user, application.activity)
    ):
        raise Http404
    if not application.checkin_token:
        raise Http404
    url = request.build_absolute_uri(
        reverse("activities:checkin", args=[application.checkin_token])
    )
    stream = io.BytesIO()
    segno.make(url, error="m").save(stream, kind="svg", scale=6, border=2)
    response = HttpResponse(stream.getvalue(), content_type="image/svg+xml")
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def checkin_view(request: AuthenticatedHttpRequest, token: str) -> HttpResponse:
    """What a manager sees after scanning a participant's code; POST checks them in."""
    application = (
        Application.objects.select_related("activity__organizer", "worker", "body")
        .filter(checkin_token=token)
        .first()
    )
    if application is None or not perms.can_manage_activity(request.user, application.activity):
        raise Http404
    if request.method == "POST":
        try:
            services.application_check_in(actor=request.user, application=application)
        except ValidationError as error:
            messages.error(request, _errors(error))
        else:
            messages.success(request, f"{application.worker.name} 已签到。")
        return redirect("activities:checkin", token=token)
    return render(request, "activities/checkin.html", {"application": application})


def public_notice_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The public notice (公示): no login, names and ID numbers masked."""
    activity = get_object_or_404(
        Activity.objects.select_related("organizer").exclude(status=ActivityStatus.DRAFT), pk=pk
    )
    return render(
        request,
        "activities/public_notice.html",
        {
            "activity": activity,
            "notice": public_notice(activity),
            "quotas": activity.quotas.select_related("body"),
            "rules": [services.rule_label(r) for r in activity.priority_rules],
        },
    )


# -- homes ------------------------------------------------------------------------------------------


@login_required
def home_list_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not acts_for_organization(request.user):
        raise PermissionDenied
    homes = perms.homes_visible_to(request.user).prefetch_related("owners")
    return render(
        request,
        "activities/home_list.html",
        {"homes": homes, "can_create": perms.can_create_home(request.user)},
    )


@login_required
def home_create_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not perms.can_create_home(request.user):
        raise PermissionDenied
    form = HomeForm(
        request.POST or None,
        owners=perms.home_owner_choices(request.user),
        initial={
            "owners": [request.user.organization_id],
            "opens_at": "09:00",
            "closes_at": "21:00",
            "open_weekdays": list("1234567"),
        },
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            home = services.home_create(actor=request.user, owners=list(data.pop("owners")), **data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, "共享职工之家已创建。")
            return redirect("activities:home-detail", pk=home.pk)
    return render(request, "activities/home_form.html", {"form": form, "home": None})


@login_required
def home_edit_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    home = get_object_or_404(perms.homes_visible_to(request.user), pk=pk)
    if not perms.can_edit_home(request.user, home):
        raise PermissionDenied
    initial = {name: getattr(home, name) for name in services.HOME_FIELDS}
    initial["open_weekdays"] = list(home.open_weekdays)
    initial["owners"] = list(home.owners.all())
    form = HomeForm(
        request.POST or None, owners=perms.home_owner_choices(request.user, home), initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.home_update(
                actor=request.user, home=home, owners=list(data.pop("owners")), **data
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, "已保存。")
            return redirect("activities:home-detail", pk=home.pk)
    return render(request, "activities/home_form.html", {"form": form, "home": home})


@login_required
@require_POST
def booking_cancel_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    booking = get_object_or_404(
        perms.bookings_visible_to(request.user).select_related("home", "owner"), pk=pk
    )
    if not perms.can_cancel_booking(request.user, booking):
        raise PermissionDenied
    form = CancelBookingForm(request.POST)
    if not form.is_valid():
        messages.error(request, "取消未成功：请填写取消原因")
    else:
        try:
            services.booking_cancel(
                actor=request.user, booking=booking, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            messages.error(request, f"取消未成功：{_errors(error)}")
        else:
            messages.success(request, "预约已取消，该时段可重新预约。")
    return redirect("activities:home-detail", pk=booking.home_id)


@login_required
def home_detail_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    home = get_object_or_404(perms.homes_visible_to(request.user).prefetch_related("owners"), pk=pk)
    owners = perms.booking_owners_for(request.user, home)
    form = BookingForm(
        request.POST or None,
        owners=owners,
        initial={"day": timezone.localdate(), "owner": owners.first()},
    )
    if request.method == "POST":
        if not perms.can_book(request.user):
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            tz = timezone.get_current_timezone()
            try:
                services.booking_create(
                    actor=request.user,
                    home=home,
                    owner=data["owner"],
                    starts_at=datetime.combine(data["day"], data["starts"], tzinfo=tz),
                    ends_at=datetime.combine(data["day"], data["ends"], tzinfo=tz),
                    purpose=data["purpose"],
                    people=data["people"],
                )
            except ValidationError as error:
                for field, items in error.error_dict.items():
                    target = {"starts_at": "starts", "ends_at": "ends"}.get(field, field)
                    form.add_error(target if target in form.fields else None, items)
            else:
                messages.success(request, "预约成功。")
                return redirect("activities:home-detail", pk=home.pk)
    now = timezone.now()
    upcoming = list(
        Booking.objects.filter(home=home, cancelled=False, ends_at__gte=now).select_related(
            "owner"
        )[:50]
    )
    for booking in upcoming:
        booking.may_cancel = perms.can_cancel_booking(request.user, booking)
    cancelled = (
        Booking.objects.filter(home=home, cancelled=True, starts_at__gte=now - timedelta(days=90))
        .select_related("owner")
        .order_by("-cancelled_at")[:20]
    )
    return render(
        request,
        "activities/home_detail.html",
        {
            "home": home,
            "form": form,
            "upcoming": upcoming,
            "cancelled": cancelled,
            "usage": home_usage(home),
            "can_book": perms.can_book(request.user) and owners.exists(),
            "can_edit": perms.can_edit_home(request.user, home),
            "cancel_form": CancelBookingForm(),
        },
    )


# -- funds and figures ---------------------------------------------------------------------------------


def _expense_form(request: AuthenticatedHttpRequest, lines: list[Any]) -> ExpenseForm:
    activities = list(perms.activities_visible_to(request.user).order_by("-starts_on")[:100])
    merchants = list(perms.merchants_visible_to(request.user).filter(active=True)[:200])
    form = ExpenseForm(
        request.POST or None,
        lines=[(b.pk, f"{b} · {b.owner.name}") for b in lines],
        activities=[(a.pk, a.title) for a in activities],
        merchants=[(m.pk, f"{m.name}（{m.products}）") for m in merchants],
        initial={"spent_on": timezone.localdate()},
    )
    form.activity_objects = {str(a.pk): a for a in activities}  # type: ignore[attr-defined]
    form.merchant_objects = {str(m.pk): m for m in merchants}  # type: ignore[attr-defined]
    return form


@login_required
def funds_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    """活动经费: budget lines with what is spent and left, overrides waiting for a second
    admin, the latest entries, and the form to record an expense."""
    if not perms.is_manager(request.user):
        raise PermissionDenied
    lines = list(perms.budget_lines_visible_to(request.user).select_related("owner")[:200])
    form = _expense_form(request, lines)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        line = next(b for b in lines if str(b.pk) == data["budget_line"])
        activity = form.activity_objects.get(data["activity"])  # type: ignore[attr-defined]
        local_merchant = form.merchant_objects.get(data["local_merchant"])  # type: ignore[attr-defined]
        enterprise = None
        if data["enterprise"]:
            enterprise = (
                organizations_in_scope(request.user)
                .filter(code=data["enterprise"], kind=Organization.Kind.ENTERPRISE)
                .first()
            )
            if enterprise is None:
                form.add_error("enterprise", "企业编码不存在或不在您的范围内")
        if not form.errors:
            try:
                expense = services.expense_record(
                    actor=request.user,
                    budget_line=line,
                    kind=data["kind"],
                    amount=data["amount"],
                    spent_on=data["spent_on"],
                    activity=activity,
                    enterprise=enterprise,
                    merchant=data["merchant"],
                    local_merchant=local_merchant,
                    note=data["note"],
                    override_reason=data["override_reason"],
                    may_override=perms.can_override_budget(request.user),
                )
            except ValidationError as error:
                form_add_service_error(form, error)
            else:
                if expense.status == ExpenseStatus.PENDING:
                    messages.success(request, "超预算支出已提交，待另一位工会管理员审批后入账。")
                else:
                    messages.success(request, "支出已记录。")
                return redirect("activities:funds")
    expenses = perms.expenses_visible_to(request.user).select_related(
        "budget_line", "activity", "enterprise"
    )
    return render(
        request,
        "activities/funds.html",
        {
            "lines": budget_usage(perms.budget_lines_visible_to(request.user)),
            "has_lines": bool(lines),
            "form": form,
            "expenses": expenses[:100],
            "pending": expenses.filter(status=ExpenseStatus.PENDING).order_by("id")[:50],
            "can_manage_lines": perms.can_manage_budget_lines(request.user),
        },
    )


def _line(request: AuthenticatedHttpRequest, pk: int) -> Any:
    return get_object_or_404(
        perms.budget_lines_visible_to(request.user).select_related("owner"), pk=pk
    )


@login_required
def budget_line_create_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not perms.can_manage_budget_lines(request.user):
        raise PermissionDenied
    form = BudgetLineForm(
        request.POST or None,
        owners=perms.budget_line_owner_choices(request.user),
        initial={"owner": request.user.organization_id, "year": timezone.localdate().year},
    )
    if request.method == "POST" and form.is_valid():
        try:
            line = services.budget_line_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, "预算科目已创建。")
            return redirect("activities:budget-line-detail", pk=line.pk)
    return render(request, "activities/budget_line_form.html", {"form": form})


@login_required
def budget_line_detail_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    line = _line(request, pk)
    usage = budget_usage(perms.budget_lines_visible_to(request.user).filter(pk=line.pk))[0]
    entries = line.expenses.select_related(
        "activity", "enterprise", "reverses", "corrects", "created_by", "decided_by"
    ).order_by("-id")[:200]
    return render(
        request,
        "activities/budget_line_detail.html",
        {
            "line": line,
            "usage": usage,
            "entries": entries,
            "can_edit": perms.can_manage_budget_lines(request.user),
        },
    )


@login_required
def budget_line_edit_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    line = _line(request, pk)
    if not perms.can_manage_budget_lines(request.user):
        raise PermissionDenied
    form = BudgetLineForm(
        request.POST or None,
        owners=perms.budget_line_owner_choices(request.user),
        editing=True,
        initial={f: getattr(line, f) for f in services.BUDGET_LINE_FIELDS},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.budget_line_update(actor=request.user, line=line, **form.cleaned_data)
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, "预算科目已修改。")
            return redirect("activities:budget-line-detail", pk=line.pk)
    return render(request, "activities/budget_line_form.html", {"form": form, "line": line})


def _expense(request: AuthenticatedHttpRequest, pk: int) -> Any:
    return get_object_or_404(
        perms.expenses_visible_to(request.user).select_related(
            "budget_line__owner",
            "activity",
            "enterprise",
            "reverses",
            "corrects",
            "created_by",
            "decided_by",
            "local_merchant",
        ),
        pk=pk,
    )


@login_required
def expense_detail_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One entry with its reversal and corrections; the form to reverse or correct it."""
    expense = _expense(request, pk)
    may_reverse = perms.can_reverse_expense(request.user, expense) and not hasattr(
        expense, "reversal"
    )
    form = ExpenseReverseForm(request.POST or None)
    if request.method == "POST":
        if not perms.can_reverse_expense(request.user, expense):
            raise PermissionDenied
        if form.is_valid():
            try:
                _, correction = services.expense_reverse(
                    actor=request.user,
                    expense=expense,
                    reason=form.cleaned_data["reason"],
                    corrected_amount=form.cleaned_data["corrected_amount"],
                    may_override=perms.can_override_budget(request.user),
                )
            except ValidationError as error:
                form_add_service_error(form, error)
            else:
                messages.success(
                    request,
                    "已更正：原支出已冲销并按新金额重新记录。" if correction else "已冲销。",
                )
                return redirect("activities:expense-detail", pk=expense.pk)
    return render(
        request,
        "activities/expense_detail.html",
        {
            "expense": expense,
            "reversal": getattr(expense, "reversal", None),
            "corrections": expense.corrections.order_by("id"),
            "form": form,
            "may_reverse": may_reverse,
            "may_decide": perms.can_decide_override(request.user, expense),
            "decision_form": OverrideDecisionForm(),
        },
    )


@login_required
@require_POST
def expense_decide_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A second union admin approves or rejects an override."""
    expense = _expense(request, pk)
    if not perms.can_decide_override(request.user, expense):
        raise PermissionDenied
    form = OverrideDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择批准或驳回。")
        return redirect("activities:expense-detail", pk=expense.pk)
    decide = (
        services.expense_approve
        if form.cleaned_data["decision"] == "approve"
        else services.expense_reject
    )
    try:
        decide(actor=request.user, expense=expense, note=form.cleaned_data["note"])
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(
            request,
            "已批准，支出已入账。" if form.cleaned_data["decision"] == "approve" else "已驳回。",
        )
    return redirect("activities:expense-detail", pk=expense.pk)


# -- partner units and merchants -------------------------------------------------------------------


@login_required
def partner_unit_list_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    """疗休养合作单位: the register, with ratings from participants' feedback; the form to add one."""
    if not perms.is_manager(request.user):
        raise PermissionDenied
    owners = perms.register_owner_choices(request.user)
    form = PartnerUnitForm(
        request.POST or None, owners=owners, initial={"owner": request.user.organization_id}
    )
    if request.method == "POST" and form.is_valid():
        try:
            unit = services.partner_unit_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, f"已登记合作单位：{unit.name}")
            return redirect("activities:partner-unit-detail", pk=unit.pk)
    units = list(perms.partner_units_visible_to(request.user).select_related("owner")[:300])
    ratings = partner_unit_ratings([u.pk for u in units])
    for unit in units:
        unit.rating = ratings.get(unit.pk)  # type: ignore[attr-defined]
    return render(
        request,
        "activities/partner_unit_list.html",
        {"units": units, "form": form, "can_add": owners.exists()},
    )


def _partner_unit(request: AuthenticatedHttpRequest, pk: int) -> Any:
    return get_object_or_404(
        perms.partner_units_visible_to(request.user).select_related("owner"), pk=pk
    )


@login_required
def partner_unit_detail_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    unit = _partner_unit(request, pk)
    activities = (
        perms.activities_visible_to(request.user).filter(partner_unit=unit).order_by("-starts_on")
    )
    return render(
        request,
        "activities/partner_unit_detail.html",
        {
            "unit": unit,
            "rating": partner_unit_ratings([unit.pk]).get(unit.pk),
            "activities": activities[:100],
            "feedback": Application.objects.filter(activity__in=activities, rating__isnull=False)
            .exclude(feedback="")
            .select_related("activity")
            .order_by("-id")[:20],
            "can_edit": perms.can_edit_register(request.user, unit.owner),
        },
    )


@login_required
def partner_unit_edit_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    unit = _partner_unit(request, pk)
    if not perms.can_edit_register(request.user, unit.owner):
        raise PermissionDenied
    form = PartnerUnitForm(
        request.POST or None,
        owners=perms.register_owner_choices(request.user),
        editing=True,
        initial={f: getattr(unit, f) for f in services.PARTNER_UNIT_FIELDS},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.partner_unit_update(actor=request.user, unit=unit, **form.cleaned_data)
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, "合作单位已修改。")
            return redirect("activities:partner-unit-detail", pk=unit.pk)
    return render(request, "activities/partner_unit_form.html", {"form": form, "unit": unit})


@login_required
def merchant_list_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    """特产商户: local-product merchants with what was spent at each (特产消费)."""
    if not perms.is_manager(request.user):
        raise PermissionDenied
    owners = perms.register_owner_choices(request.user)
    form = MerchantForm(
        request.POST or None, owners=owners, initial={"owner": request.user.organization_id}
    )
    if request.method == "POST" and form.is_valid():
        try:
            merchant = services.merchant_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, f"已登记特产商户：{merchant.name}")
            return redirect("activities:merchant-list")
    merchants = list(perms.merchants_visible_to(request.user).select_related("owner")[:300])
    spending = merchant_spending(perms.expenses_visible_to(request.user), [m.pk for m in merchants])
    for merchant in merchants:
        merchant.spent = spending.get(merchant.pk, 0)  # type: ignore[attr-defined]
    return render(
        request,
        "activities/merchant_list.html",
        {
            "merchants": merchants,
            "form": form,
            "can_add": owners.exists(),
            "editable": {m.pk for m in merchants if perms.can_edit_register(request.user, m.owner)},
        },
    )


def _merchant(request: AuthenticatedHttpRequest, pk: int) -> Any:
    merchant = get_object_or_404(
        perms.merchants_visible_to(request.user).select_related("owner"), pk=pk
    )
    if not perms.can_edit_register(request.user, merchant.owner):
        raise PermissionDenied
    return merchant


@login_required
def merchant_edit_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Correct a merchant; stop or resume the partnership (a separate button below)."""
    merchant = _merchant(request, pk)
    form = MerchantForm(
        request.POST or None,
        owners=perms.register_owner_choices(request.user),
        editing=True,
        initial={f: getattr(merchant, f) for f in services.MERCHANT_EDITABLE},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.merchant_update(actor=request.user, merchant=merchant, **form.cleaned_data)
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, f"已修改特产商户：{form.cleaned_data['name']}")
            return redirect("activities:merchant-list")
    spent = merchant_spending(perms.expenses_visible_to(request.user), [merchant.pk])
    return render(
        request,
        "activities/merchant_form.html",
        {"form": form, "merchant": merchant, "spent": spent.get(merchant.pk, 0)},
    )


@login_required
@require_POST
def merchant_active_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """停止合作 / 恢复合作: ``active=0`` or ``1``."""
    merchant = _merchant(request, pk)
    active = request.POST.get("active", "") == "1"
    try:
        services.merchant_set_active(actor=request.user, merchant=merchant, active=active)
    except ValidationError as error:
        messages.error(request, _errors(error))
    else:
        messages.success(
            request,
            f"已恢复与{merchant.name}的合作。"
            if active
            else f"已停止与{merchant.name}的合作：登记特产消费时不能再选择该商户。",
        )
    return redirect("activities:merchant-edit", pk=merchant.pk)


@login_required
def figures_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not perms.can_view_figures(request.user):
        raise PermissionDenied
    year = _year(request)
    data = period_figures(
        perms.activities_visible_to(request.user),
        perms.expenses_visible_to(request.user),
        year=year,
    )
    return render(
        request,
        "activities/figures.html",
        {"data": data, "year": year, "years": range(timezone.localdate().year, 2021, -1)},
    )


@login_required
def figures_export_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not perms.can_view_figures(request.user):
        raise PermissionDenied
    data = period_figures(
        perms.activities_visible_to(request.user),
        perms.expenses_visible_to(request.user),
        year=_year(request),
    )
    response = HttpResponse(
        figures_xlsx(data, scope_name=request.user.organization.name), content_type=XLSX
    )
    response["Content-Disposition"] = f'attachment; filename="activities-{data["year"]}.xlsx"'
    return response


# -- 补录 -----------------------------------------------------------------------------------------


@login_required
def activity_back_entry_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    """补录活动: an activity held before the platform, with its participants (chosen among the
    workers in the user's scope by 职工编号 or ID number, e.g. a roster's column pasted in)."""
    if not perms.can_back_enter_activity(request.user):
        raise PermissionDenied
    form = ActivityBackEntryForm(
        request.POST or None,
        organizers=organizations_in_scope(request.user),
        initial={"organizer": request.user.organization_id},
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        lines = data.pop("participants")
        try:
            participants = services.participants_resolve(
                scope=workers_visible_to(request.user), lines=lines
            )
            activity = services.activity_back_enter(
                actor=request.user, participants=participants, **data
            )
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(
                request,
                f"活动已补录（参加职工 {activity.places_taken} 人），计入年度统计，未发送任何通知。",
            )
            return redirect("activities:activity-detail", pk=activity.pk)
    return render(request, "activities/back_entry_form.html", {"form": form})
