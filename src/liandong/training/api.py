"""The training API: lecturers, sessions with bulk attendance marking, the guidance library's
documents (added and revised here with their files, multipart; downloaded on the pages, where
downloads are counted), and the figures per union and year. Every operation is scoped like
the pages."""

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from ninja import File, Form, Router
from ninja.files import UploadedFile

from liandong.accounts.models import AuthenticatedHttpRequest
from liandong.organizations.models import Organization
from liandong.training.models import Document, Lecturer, Session
from liandong.training.permissions import (
    documents_visible_to,
    is_training_staff,
    is_union_trainer,
    lecturers_visible_to,
    organizations_for,
    sessions_visible_to,
)
from liandong.training.schemas import (
    TrainingAttendanceIn,
    TrainingAttendanceResult,
    TrainingDocumentDetailOut,
    TrainingDocumentOut,
    TrainingFiguresOut,
    TrainingLecturerIn,
    TrainingLecturerOut,
    TrainingSessionDetailOut,
    TrainingSessionIn,
    TrainingSessionOut,
)
from liandong.training.selectors import figures_for, figures_url
from liandong.training.services import (
    attendance_mark,
    document_create,
    document_version_add,
    lecturer_add,
    session_record,
)

if TYPE_CHECKING:
    from liandong.accounts.models import StaffUser

router = Router(tags=["讲师团与培训"])


def _staff(request: AuthenticatedHttpRequest) -> "StaffUser":
    user = request.user
    if not is_training_staff(user):
        raise PermissionDenied
    return user


def _organization(request: AuthenticatedHttpRequest, pk: int, *, unions_only: bool) -> Organization:
    found = organizations_for(request.user, unions_only=unions_only).filter(pk=pk).first()
    if found is None:
        raise ValidationError({"organization": "所选单位不在您的管辖范围内"}, code="scope")
    return found


def _lecturer(lecturer: Lecturer) -> dict[str, Any]:
    return {
        "id": lecturer.pk,
        "organization_id": lecturer.organization_id,
        "organization_name": lecturer.organization.name,
        "name": lecturer.name,
        "affiliation": lecturer.affiliation,
        "topics": lecturer.topic_list,
        "mobile_masked": lecturer.mobile_masked,
        "active": lecturer.active,
    }


COUNTS = {
    "invited": Count("attendances"),
    "attended": Count("attendances", filter=Q(attendances__attended=True)),
}


def _session(session: Session, *, detail: bool = False) -> dict[str, Any]:
    """``session`` annotated with ``COUNTS``; with ``detail``, its attendance rows."""
    rows = list(session.attendances.select_related("worker")) if detail else []
    item: dict[str, Any] = {
        "id": session.pk,
        "organization_id": session.organization_id,
        "organization_name": session.organization.name,
        "topic": session.topic,
        "starts_at": session.starts_at,
        "place": session.place,
        "teaching_point": session.teaching_point,
        "lecturer_ids": [lec.pk for lec in session.lecturers.all()],
        "congress_key": session.congress_key,
        "congress_title": session.congress_title,
        "invited": session.invited,  # type: ignore[attr-defined]
        "attended": session.attended,  # type: ignore[attr-defined]
    }
    if detail:
        item["attendances"] = [
            {"worker_id": a.worker_id, "name": a.worker.name, "attended": a.attended} for a in rows
        ]
    return item


def _document(document: Document, *, detail: bool = False) -> dict[str, Any]:
    url = reverse("training:document-download", args=[document.pk])
    item: dict[str, Any] = {
        "id": document.pk,
        "organization_id": document.organization_id,
        "organization_name": document.organization.name,
        "kind": document.kind,
        "kind_label": document.get_kind_display(),
        "category": document.category,
        "title": document.title,
        "summary": document.summary,
        "published": document.published,
        "download_count": document.download_count,
        "download_url": url,
    }
    if detail:
        item["body"] = document.body
        item["versions"] = [
            {
                "number": v.number,
                "name": v.name,
                "size": v.size,
                "note": v.note,
                "download_count": v.download_count,
                "download_url": f"{url}?version={v.number}",
                "uploaded_at": v.created_at,
            }
            for v in document.versions.all()
        ]
    return item


@router.get(
    "/lecturers", response=list[TrainingLecturerOut], operation_id="training_list_lecturers"
)
def list_lecturers(request: AuthenticatedHttpRequest) -> list[dict[str, Any]]:
    """The lecturer groups of the caller's subtree; mobile numbers masked."""
    _staff(request)
    return [
        _lecturer(lec)
        for lec in lecturers_visible_to(request.user).select_related("organization")[:500]
    ]


@router.post("/lecturers", response=TrainingLecturerOut, operation_id="training_add_lecturer")
def add_lecturer(request: AuthenticatedHttpRequest, payload: TrainingLecturerIn) -> dict[str, Any]:
    """Add a lecturer to a union's lecturer group (union admins and staff)."""
    if not is_union_trainer(request.user):
        raise PermissionDenied("只有工会工作人员才能管理讲师团")
    organization = _organization(request, payload.organization, unions_only=True)
    lecturer = lecturer_add(
        actor=request.user,
        organization=organization,
        name=payload.name,
        affiliation=payload.affiliation,
        topics=payload.topics,
        mobile=payload.mobile,
    )
    return _lecturer(lecturer)


@router.get("/sessions", response=list[TrainingSessionOut], operation_id="training_list_sessions")
def list_sessions(request: AuthenticatedHttpRequest) -> list[dict[str, Any]]:
    """Sessions of the caller's subtree, newest first (at most 200)."""
    _staff(request)
    sessions = (
        sessions_visible_to(request.user)
        .select_related("organization")
        .prefetch_related("lecturers")
        .annotate(**COUNTS)
        .order_by("-starts_at", "-id")[:200]
    )
    return [_session(s) for s in sessions]


@router.post("/sessions", response=TrainingSessionDetailOut, operation_id="training_record_session")
def record_session(request: AuthenticatedHttpRequest, payload: TrainingSessionIn) -> dict[str, Any]:
    """Record a session; the delegates of ``congress`` are invited."""
    _staff(request)
    organization = _organization(request, payload.organization, unions_only=False)
    wanted = set(payload.lecturers)
    lecturers = list(Lecturer.objects.filter(pk__in=wanted).select_related("organization"))
    if len(lecturers) != len(wanted):
        raise ValidationError({"lecturers": "所选讲师不存在"}, code="lecturer")
    session = session_record(
        actor=request.user,
        organization=organization,
        topic=payload.topic,
        starts_at=payload.starts_at,
        place=payload.place,
        teaching_point=payload.teaching_point,
        lecturers=lecturers,
        congress_key=payload.congress,
        note=payload.note,
    )
    return _session(Session.objects.annotate(**COUNTS).get(pk=session.pk), detail=True)


@router.get(
    "/sessions/{int:session_id}",
    response=TrainingSessionDetailOut,
    operation_id="training_get_session",
)
def get_session(request: AuthenticatedHttpRequest, session_id: int) -> dict[str, Any]:
    _staff(request)
    session = get_object_or_404(
        sessions_visible_to(request.user).select_related("organization").annotate(**COUNTS),
        pk=session_id,
    )
    return _session(session, detail=True)


@router.post(
    "/sessions/{int:session_id}/attendance",
    response=TrainingAttendanceResult,
    operation_id="training_mark_attendance",
)
def mark_attendance(
    request: AuthenticatedHttpRequest, session_id: int, payload: TrainingAttendanceIn
) -> dict[str, Any]:
    """Mark many invited delegates at once as attended (or not)."""
    _staff(request)
    session = get_object_or_404(
        sessions_visible_to(request.user).select_related("organization"), pk=session_id
    )
    changed = attendance_mark(
        actor=request.user, session=session, worker_ids=payload.workers, attended=payload.attended
    )
    counts = session.attendances.aggregate(
        invited=Count("id"), attended=Count("id", filter=Q(attended=True))
    )
    return {"changed": changed, **counts}


@router.get(
    "/documents", response=list[TrainingDocumentOut], operation_id="training_list_documents"
)
def list_documents(request: AuthenticatedHttpRequest, kind: str = "") -> list[dict[str, Any]]:
    """The caller's library: their subtree's documents and what higher unions publish."""
    _staff(request)
    documents = documents_visible_to(request.user).select_related("organization")
    if kind:
        if kind not in Document.Kind.values:
            raise ValidationError({"kind": "资料类型不存在"}, code="kind")
        documents = documents.filter(kind=kind)
    return [_document(d) for d in documents[:300]]


@router.get(
    "/documents/{int:document_id}",
    response=TrainingDocumentDetailOut,
    operation_id="training_get_document",
)
def get_document(request: AuthenticatedHttpRequest, document_id: int) -> dict[str, Any]:
    _staff(request)
    document = get_object_or_404(
        documents_visible_to(request.user).select_related("organization"), pk=document_id
    )
    return _document(document, detail=True)


@router.post("/documents", response=TrainingDocumentDetailOut, operation_id="training_add_document")
def add_document(
    request: AuthenticatedHttpRequest,
    organization: Form[int],
    kind: Form[str],
    category: Form[str],
    title: Form[str],
    summary: Form[str] = "",
    body: Form[str] = "",
    published: Form[bool] = False,
    note: Form[str] = "",
    file: File[UploadedFile | None] = None,
) -> dict[str, Any]:
    """A document for the library of a union the caller keeps (multipart): a handbook,
    toolkit or textbook with its first ``file``, a case with its ``body`` (a file optional).
    ``published`` shares it with the unions below."""
    user = _staff(request)
    if not is_union_trainer(user):  # an enterprise's union reads the library, keeps none
        raise PermissionDenied
    owner = _organization(request, organization, unions_only=True)
    document = document_create(
        actor=user,
        organization=owner,
        kind=kind,
        category=category,
        title=title,
        summary=summary,
        body=body,
        published=published,
        file=file,
        note=note,
    )
    return _document(document, detail=True)


@router.post(
    "/documents/{int:document_id}/versions",
    response=TrainingDocumentDetailOut,
    operation_id="training_add_document_version",
)
def add_document_version(
    request: AuthenticatedHttpRequest,
    document_id: int,
    file: File[UploadedFile],
    note: Form[str] = "",
) -> dict[str, Any]:
    """A new version of a document of the caller's subtree (multipart ``file``, ``note``): the
    newest is the default download, the earlier ones stay listed."""
    user = _staff(request)
    document = get_object_or_404(
        documents_visible_to(user).select_related("organization"), pk=document_id
    )
    document_version_add(actor=user, document=document, file=file, note=note)
    return _document(document, detail=True)


@router.get("/figures", response=TrainingFiguresOut, operation_id="training_figures")
def figures(
    request: AuthenticatedHttpRequest, organization: int | None = None, year: int | None = None
) -> dict[str, Any]:
    """Sessions, delegate attendances and distinct delegates trained in a year, per union."""
    user = _staff(request)
    org = (
        _organization(request, organization, unions_only=False)
        if organization is not None
        else user.organization
    )
    year = year or timezone.localdate().year
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": "年度须在 2000 至 2100 之间"}, code="year")
    f = figures_for(organization=org, year=year)
    return {
        "organization_id": org.pk,
        "year": year,
        "sessions": f.sessions,
        "attendances": f.attendances,
        "delegates": f.delegates,
        "by_union": [
            {
                "organization_id": r.organization.pk,
                "organization_name": r.organization.name,
                "sessions": r.sessions,
                "attendances": r.attendances,
                "delegates": r.delegates,
            }
            for r in f.by_union
        ],
        "url": figures_url(org, year),
    }
