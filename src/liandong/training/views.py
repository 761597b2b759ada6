"""Pages of training and the guidance library. Thin: scope from permissions, rules in services.
A page carries the forms of the actions the viewer may take; each POST names its ``action``; a
refusal shows the service's Chinese message on the form and changes nothing."""

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from liandong.accounts.models import AuthenticatedHttpRequest
from liandong.core.forms import form_add_service_error
from liandong.training import forms as f
from liandong.training.models import Document
from liandong.training.permissions import (
    can_keep_documents,
    can_manage_document,
    can_manage_session,
    can_reveal_lecturer,
    documents_visible_to,
    is_training_staff,
    is_union_trainer,
    lecturers_for_sessions,
    lecturers_visible_to,
    organizations_for,
    sessions_visible_to,
)
from liandong.training.selectors import figures_for, year_bounds
from liandong.training.services import (
    attendance_mark,
    congress_choices,
    document_create,
    document_publish,
    document_version_add,
    download_count,
    lecturer_add,
    lecturer_reveal,
    newest_version,
    session_record,
    teaching_point_choices,
)

if TYPE_CHECKING:
    from liandong.accounts.models import StaffUser


def _staff(request: HttpRequest) -> "StaffUser":
    user = request.user
    if not is_training_staff(user):
        raise PermissionDenied
    return user


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


# --- Sessions ------------------------------------------------------------------------------------


@login_required
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The year's figures (per organizing body), the sessions, and the form to record one."""
    user = _staff(request)
    choices = organizations_for(user, unions_only=False)
    organization, year = user.organization, timezone.localdate().year
    filters = f.FiguresForm(
        request.GET or None,
        organizations=choices,
        initial={"organization": organization.pk, "year": year},
    )
    if filters.is_valid():
        organization = filters.cleaned_data["organization"] or organization
        year = filters.cleaned_data["year"] or year
    action = request.POST.get("action") if request.method == "POST" else None
    if action and action != "session":
        raise Http404
    form = f.SessionForm(
        request.POST if action else None,
        organizations=choices,
        lecturers=lecturers_for_sessions(user),
        congresses=congress_choices(user.organization),
        teaching_points=teaching_point_choices(user.organization),
        initial={"organization": user.organization.pk},
    )
    if action:
        created: list[Any] = []

        def record(d: dict[str, Any]) -> None:
            created.append(
                session_record(
                    actor=user,
                    organization=d["organization"],
                    topic=d["topic"],
                    starts_at=d["starts_at"],
                    place=d["place"],
                    teaching_point=d["teaching_point"],
                    lecturers=list(d["lecturers"]),
                    congress_key=d["congress"],
                    note=d["note"],
                )
            )

        if _attempt(request, form, record, "培训已登记"):
            return redirect("training:session-detail", pk=created[0].pk)
    start, end = year_bounds(year)
    sessions = (
        sessions_visible_to(user)
        .filter(
            starts_at__gte=start,
            starts_at__lt=end,
            organization__path__startswith=organization.path,
        )
        .select_related("organization")
        .prefetch_related("lecturers")
        .annotate(invited=Count("attendances"))
        .order_by("-starts_at", "-id")
    )
    return render(
        request,
        "training/home.html",
        {
            "filters": filters,
            "figures": figures_for(organization=organization, year=year),
            "organization": organization,
            "sessions": sessions[:200],
            "form": form,
            "lecturer_count": lecturers_visible_to(user).filter(active=True).count(),
        },
    )


@login_required
def session_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = _staff(request)
    session = get_object_or_404(sessions_visible_to(user).select_related("organization"), pk=pk)
    rows = list(session.attendances.select_related("worker__employer").order_by("worker__name"))
    invited = [(a.worker_id, a.worker.name) for a in rows]
    manage = can_manage_session(user, session)
    action = request.POST.get("action") if request.method == "POST" else None
    if action and not manage:
        raise PermissionDenied
    if action == "attendance_all":
        request_data: Any = request.POST.copy()
        request_data.setlist("workers", [str(w) for w, _ in invited if w])
        request_data["attended"] = "1"
    else:
        request_data = request.POST if action == "attendance" else None
    if action and action not in {"attendance", "attendance_all"}:
        raise Http404
    form = f.AttendanceForm(request_data, invited=invited)
    if action:

        def mark(d: dict[str, Any]) -> None:
            attendance_mark(
                actor=user, session=session, worker_ids=d["workers"], attended=d["attended"]
            )

        if _attempt(request, form, mark, "参训情况已登记"):
            return redirect("training:session-detail", pk=session.pk)
    return render(
        request,
        "training/session_detail.html",
        {
            "session": session,
            "rows": rows,
            "attended": sum(1 for a in rows if a.attended),
            "manage": manage,
            # Attendance opens when the session begins (services.attendance_mark).
            "can_mark": manage and bool(rows) and session.starts_at <= timezone.now(),
            "form": form,
            "lecturers": session.lecturers.select_related("organization"),
        },
    )


# --- Lecturers ------------------------------------------------------------------------------------


@login_required
def lecturer_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = _staff(request)
    keep = is_union_trainer(user)
    action = request.POST.get("action") if request.method == "POST" else None
    if action and not keep:
        raise PermissionDenied
    if action and action != "lecturer":
        raise Http404
    form = f.LecturerForm(
        request.POST if action else None,
        organizations=organizations_for(user, unions_only=True),
        initial={"organization": user.organization.pk},
    )
    if action and _attempt(
        request,
        form,
        lambda d: lecturer_add(actor=user, **d),
        "讲师已加入讲师团",
    ):
        return redirect("training:lecturers")
    lecturers = (
        lecturers_visible_to(user)
        .select_related("organization")
        .annotate(session_count=Count("sessions"))
    )
    return render(
        request,
        "training/lecturer_list.html",
        {"lecturers": lecturers[:300], "form": form, "keep": keep},
    )


def _lecturer_page(
    request: AuthenticatedHttpRequest, pk: int, *, purpose: str | None = None
) -> HttpResponse:
    """The lecturer's page; with a ``purpose``, the full mobile number shown once (audited)."""
    user = _staff(request)
    lecturer = get_object_or_404(lecturers_visible_to(user).select_related("organization"), pk=pk)
    reveal = can_reveal_lecturer(user, lecturer) and bool(lecturer.mobile_cipher)
    revealed = ""
    if purpose is not None:
        if not reveal:
            raise PermissionDenied
        revealed = lecturer_reveal(actor=user, lecturer=lecturer, purpose=purpose)
    return render(
        request,
        "training/lecturer_detail.html",
        {
            "lecturer": lecturer,
            "revealed": revealed,
            "can_reveal": reveal,
            "reveal_form": f.RevealForm(),
            "sessions": lecturer.sessions.select_related("organization")[:50],
        },
    )


@login_required
def lecturer_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _lecturer_page(request, pk)


@login_required
@require_POST
def lecturer_reveal_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Show the full mobile number once, for this response only; audited."""
    form = f.RevealForm(request.POST)
    return _lecturer_page(
        request, pk, purpose=form.cleaned_data["purpose"] if form.is_valid() else ""
    )


# --- Guidance library ------------------------------------------------------------------------------


@login_required
def library(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = _staff(request)
    keep = is_union_trainer(user)
    action = request.POST.get("action") if request.method == "POST" else None
    if action and not keep:
        raise PermissionDenied
    if action and action != "document":
        raise Http404
    form = f.DocumentForm(
        request.POST if action else None,
        request.FILES if action else None,
        organizations=organizations_for(user, unions_only=True),
        initial={"organization": user.organization.pk},
    )
    created: list[Document] = []
    if action and _attempt(
        request,
        form,
        lambda d: created.append(document_create(actor=user, **d)),
        "资料已编入资料库",
    ):
        return redirect("training:document-detail", pk=created[0].pk)
    kind = request.GET.get("kind", "")
    q = (request.GET.get("q") or "").strip()[:60]
    documents = documents_visible_to(user).select_related("organization")
    if kind in Document.Kind.values:
        documents = documents.filter(kind=kind)
    if q:
        documents = documents.filter(title__icontains=q) | documents.filter(category__icontains=q)
    return render(
        request,
        "training/library.html",
        {
            "documents": documents.annotate(version_count=Count("versions"))[:300],
            "kinds": Document.Kind.choices,
            "kind": kind,
            "q": q,
            "form": form,
            "keep": keep,
        },
    )


@login_required
def document_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = _staff(request)
    document = get_object_or_404(documents_visible_to(user).select_related("organization"), pk=pk)
    manage = can_manage_document(user, document)
    action = request.POST.get("action") if request.method == "POST" else None
    if action and not manage:
        raise PermissionDenied
    if action and action not in {"version", "publish"}:
        raise Http404
    version_form = f.VersionForm(
        request.POST if action == "version" else None,
        request.FILES if action == "version" else None,
    )
    publish_form = f.PublishForm(
        request.POST if action == "publish" else None,
        initial={"published": document.published},
    )
    if action == "version" and _attempt(
        request,
        version_form,
        lambda d: document_version_add(actor=user, document=document, **d),
        "新版本已上传，旧版本仍可下载",
    ):
        return redirect("training:document-detail", pk=document.pk)
    if action == "publish" and _attempt(
        request,
        publish_form,
        lambda d: document_publish(actor=user, document=document, **d),
        "发布范围已保存",
    ):
        return redirect("training:document-detail", pk=document.pk)
    return render(
        request,
        "training/document_detail.html",
        {
            "document": document,
            "versions": list(document.versions.all()),
            "manage": manage,
            "version_form": version_form,
            "publish_form": publish_form,
            "keep_here": can_keep_documents(user, document.organization),
        },
    )


@login_required
def document_download(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    """The newest version, or ``?version=N``; each download is counted."""
    _staff(request)
    document = get_object_or_404(documents_visible_to(request.user), pk=pk)
    number = request.GET.get("version", "")
    if number:
        if not number.isdigit():
            raise Http404
        version = get_object_or_404(document.versions, number=int(number))
    else:
        found = newest_version(document)
        if found is None:
            raise Http404
        version = found
    download_count(document=document, version=version)
    return FileResponse(version.file.open("rb"), as_attachment=True, filename=version.name)
