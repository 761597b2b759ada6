"""Writes of training and the guidance library. Every write is checked against the actor's
scope, validated with Chinese messages naming the field, and audited with its diff."""

from datetime import datetime
from pathlib import PurePath
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from liandong.accounts.models import User
from liandong.core import crypto, races
from liandong.core.audit import audit_entry, audit_log
from liandong.core.extensions import hooks
from liandong.core.identity import validate_mobile
from liandong.core.masking import mask_mobile
from liandong.core.models import AuditLog
from liandong.organizations.models import Organization
from liandong.training import rollups
from liandong.training.models import Attendance, Document, DocumentVersion, Lecturer, Session
from liandong.training.permissions import (
    can_keep_documents,
    can_keep_lecturers,
    can_manage_document,
    can_manage_session,
    can_record_session,
)

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
# Allowed file types: the extension, and the first bytes every such file starts with (a renamed
# executable or a file of another type is refused). Office 97-2003 files share the OLE header;
# docx/xlsx/pptx are zip archives.
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = b"PK\x03\x04"
SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "pdf": (b"%PDF-",),
    "doc": (_OLE,),
    "xls": (_OLE,),
    "ppt": (_OLE,),
    "docx": (_ZIP,),
    "xlsx": (_ZIP,),
    "pptx": (_ZIP,),
    "zip": (_ZIP,),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "txt": (),  # checked as UTF-8 text instead
}
# The download counter's guard: one ``UPDATE … SET n = n + 1`` per count. Switched off only by
# the control run of tests/test_concurrency.py, which shows a read-then-write loses counts.
COUNTER_GUARD = True
ALLOWED_TYPES_TEXT = "PDF、Word、Excel、PPT、ZIP、图片（PNG/JPG）或文本文件"


def _text(value: str, field: str, label: str, max_length: int, *, required: bool = True) -> str:
    value = " ".join((value or "").split()) if max_length <= 300 else (value or "").strip()
    if required and not value:
        raise ValidationError({field: f"请填写{label}"}, code="required")
    if len(value) > max_length:
        raise ValidationError({field: f"{label}不能超过 {max_length} 个字"}, code="max_length")
    return value


# --- Lecturers -------------------------------------------------------------------------------------


@transaction.atomic
def lecturer_add(
    *,
    actor: User | None,
    organization: Organization,
    name: str,
    affiliation: str,
    topics: str,
    mobile: str = "",
) -> Lecturer:
    """Add a lecturer to ``organization``'s lecturer group; the mobile number is sealed."""
    if not can_keep_lecturers(actor, organization):
        raise PermissionDenied("只有本级或上级工会才能管理讲师团")
    if organization.kind not in {Organization.Kind.UNION, Organization.Kind.UNION_FEDERATION}:
        raise ValidationError({"organization": "讲师团属于工会，请选择工会"}, code="not_union")
    lecturer = Lecturer(
        organization=organization,
        name=_text(name, "name", "姓名", 60),
        affiliation=_text(affiliation, "affiliation", "工作单位及职务", 120),
        topics=_text(topics, "topics", "授课专题", 300),
    )
    if (mobile or "").strip():
        try:
            number = validate_mobile(mobile)
        except ValidationError as error:
            raise ValidationError({"mobile": error.messages}, code="mobile") from error
        lecturer.mobile_cipher = crypto.encrypt(number)
        lecturer.mobile_digest = crypto.mobile_digest(number)
        lecturer.mobile_masked = mask_mobile(number)
    lecturer.full_clean()
    lecturer.save()
    audit_log(
        actor=actor,
        action="training.lecturer_added",
        target=lecturer,
        changes={
            "organization": [None, organization.pk],
            "name": [None, lecturer.name],
            "mobile_masked": [None, lecturer.mobile_masked],
        },
    )
    return lecturer


def lecturer_reveal(*, actor: User | None, lecturer: Lecturer, purpose: str = "") -> str:
    """The full mobile number, for someone who must call the lecturer. Always audited; callers
    check ``permissions.can_reveal_lecturer`` first."""
    audit_log(
        actor=actor,
        action="training.lecturer_mobile_viewed",
        target=lecturer,
        changes={"fields": ["mobile"], "purpose": (purpose or "")[:200]},
    )
    return crypto.decrypt(lecturer.mobile_cipher) if lecturer.mobile_cipher else ""


# --- Sessions and attendance -----------------------------------------------------------------------


def _delegate_list(organization: Organization, key: str) -> dict[str, Any] | None:
    for provider in hooks("delegate_lists"):
        for found in provider(organization, key=key):
            if found["key"] == key:
                return dict(found)
    return None


def congress_choices(organization: Organization) -> list[tuple[str, str]]:
    """(key, title) of the congresses whose delegates a session of ``organization`` may invite."""
    return [(d["key"], d["title"]) for p in hooks("delegate_lists") for d in p(organization)]


def teaching_point_choices(organization: Organization) -> list[str]:
    return [name for p in hooks("teaching_points") for name in p(organization)]


@transaction.atomic
def session_record(
    *,
    actor: User | None,
    organization: Organization,
    topic: str,
    starts_at: datetime,
    place: str = "",
    teaching_point: str = "",
    lecturers: list[Lecturer] | None = None,
    congress_key: str = "",
    note: str = "",
) -> Session:
    """Record a training session; the delegates of the congress named by ``congress_key`` (in
    ``organization``'s subtree) are invited, each with an attendance row to be marked."""
    if not can_record_session(actor, organization):
        raise PermissionDenied("只能为本单位及下级单位登记培训")
    if organization.kind == Organization.Kind.OUTLET:
        raise ValidationError({"organization": "请选择工会或企业"}, code="outlet")
    place = _text(place, "place", "地点", 120, required=False)
    teaching_point = _text(teaching_point, "teaching_point", "教学点", 120, required=False)
    if teaching_point and teaching_point not in teaching_point_choices(organization):
        raise ValidationError(
            {"teaching_point": "所选教学点不在本单位范围内"}, code="teaching_point"
        )
    if not place and not teaching_point:
        raise ValidationError({"place": "请填写培训地点或选择教学点"}, code="place")
    lecturers = list(lecturers or [])
    on_path = {*organization.ancestor_ids, organization.pk}
    strangers = [lec.name for lec in lecturers if lec.organization_id not in on_path]
    if strangers:
        raise ValidationError(
            {"lecturers": f"讲师{'、'.join(strangers)}不属于本级或上级工会的讲师团"},
            code="lecturer_scope",
        )
    congress: dict[str, Any] | None = None
    if congress_key:
        congress = _delegate_list(organization, congress_key)
        if congress is None:
            raise ValidationError(
                {"congress": "所选职代会不在本单位范围内或不存在"}, code="congress"
            )
    session = Session(
        organization=organization,
        topic=_text(topic, "topic", "培训主题", 120),
        starts_at=starts_at,
        place=place,
        teaching_point=teaching_point,
        congress_key=congress["key"] if congress else "",
        congress_title=congress["title"][:160] if congress else "",
        note=_text(note, "note", "说明", 2000, required=False),
    )
    session.full_clean()
    session.save()
    session.lecturers.set(lecturers)
    invited = sorted(set(congress["worker_ids"])) if congress else []
    Attendance.objects.bulk_create([Attendance(session=session, worker_id=w) for w in invited])
    audit_log(
        actor=actor,
        action="training.session_recorded",
        target=session,
        changes={
            "topic": [None, session.topic],
            "starts_at": [None, session.starts_at.isoformat()],
            "where": [None, session.where],
            "lecturers": [None, [lec.pk for lec in lecturers]],
            "congress": [None, session.congress_title],
            "invited": [None, len(invited)],
        },
    )
    return session


@transaction.atomic
def attendance_mark(
    *, actor: User | None, session: Session, worker_ids: list[int], attended: bool = True
) -> int:
    """Mark the invited delegates ``worker_ids`` as attended (or not); returns how many rows
    changed, and moves the delegates-trained rollup with them. Refused before the session
    begins (no one has attended it yet, and the year's figures count sessions held), and for
    anyone not invited."""
    if not can_manage_session(actor, session):
        raise PermissionDenied("只能登记本单位及下级单位的培训")
    if not worker_ids:
        raise ValidationError({"workers": "请选择职工代表"}, code="required")
    if session.starts_at > timezone.now():
        raise ValidationError({"workers": "培训尚未举行，开始后才能登记参训"}, code="not_yet")
    wanted = set(worker_ids)
    rows = Attendance.objects.select_for_update().filter(session=session, worker_id__in=wanted)
    found = {a.worker_id: a for a in rows}
    if wanted - set(found):
        raise ValidationError(
            {"workers": "所选人员不在本场培训的受邀代表名单中"}, code="not_invited"
        )
    changed = [a for a in found.values() if a.attended != attended]
    Attendance.objects.filter(pk__in=[a.pk for a in changed]).update(
        attended=attended, updated_at=timezone.now()
    )
    # The organizer's path read again, locked against a move of the tree (the view read it
    # before this transaction; a move under way finishes first, then this adds to the areas
    # the organizer is in once it has moved).
    path = (
        Organization.objects.select_for_update(no_key=True)
        .values_list("path", flat=True)
        .get(pk=session.organization_id)
    )
    rollups.move(
        path=path,
        starts_at=session.starts_at,
        worker_ids=[a.worker_id for a in changed],
        delta=1 if attended else -1,
    )
    AuditLog.objects.bulk_create(
        [
            audit_entry(
                actor=actor,
                action="training.attendance_marked",
                target=session,
                changes={"worker": a.worker_id, "attended": [a.attended, attended]},
            )
            for a in changed
        ]
    )
    return len(changed)


# --- Guidance library -------------------------------------------------------------------------------


def _refused(field: str, message: str, code: str) -> ValidationError:
    """A refusal naming ``field`` whose code survives in ``error_dict`` (tests read it)."""
    return ValidationError({field: ValidationError(message, code=code)})


def check_upload(upload: UploadedFile, field: str = "file") -> str:
    """The file's cleaned name, or a refusal naming ``field``: allowed type, contents that
    match the type, not empty, at most 20 MB."""
    name = PurePath(upload.name or "").name.strip()[:200]
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in SIGNATURES:
        raise _refused(
            field, f"不支持的文件类型“{name or '未命名'}”，请上传{ALLOWED_TYPES_TEXT}", "file_type"
        )
    size = upload.size or 0
    if size == 0:
        raise _refused(field, "文件是空的", "file_empty")
    if size > MAX_UPLOAD_BYTES:
        raise _refused(field, "文件超过 20 MB", "file_size")
    upload.seek(0)
    head = upload.read(4096)
    upload.seek(0)
    signatures = SIGNATURES[extension]
    if signatures and not any(head.startswith(s) for s in signatures):
        raise _refused(field, f"文件“{name}”的内容与扩展名 .{extension} 不符", "file_content")
    if not signatures:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as error:
            # A cut in the middle of a character at the 4,096th byte is still text.
            if error.start < len(head) - 3:
                raise _refused(field, "文本文件须为 UTF-8 编码", "file_content") from error
    return name


def _add_version(
    *, actor: User | None, document: Document, upload: UploadedFile, note: str
) -> DocumentVersion:
    name = check_upload(upload)
    latest = document.versions.aggregate(n=Max("number"))["n"] or 0
    version = DocumentVersion(
        document=document,
        number=latest + 1,
        file=upload,
        name=name,
        size=upload.size or 0,
        note=_text(note, "note", "修订说明", 200, required=False),
    )
    version.full_clean()
    version.save()
    audit_log(
        actor=actor,
        action="training.version_uploaded",
        target=document,
        changes={"version": [latest or None, version.number], "file": [None, name]},
    )
    return version


@transaction.atomic
def document_create(
    *,
    actor: User | None,
    organization: Organization,
    kind: str,
    category: str,
    title: str,
    summary: str = "",
    body: str = "",
    published: bool = False,
    file: UploadedFile | None = None,
    note: str = "",
) -> Document:
    """Add a document to ``organization``'s library. A handbook, toolkit or textbook starts
    with its first file; a case needs its text (a file is optional)."""
    if not can_keep_documents(actor, organization):
        raise PermissionDenied("只有本级或上级工会才能维护指导资料库")
    if kind not in Document.Kind.values:
        raise ValidationError({"kind": "请选择资料类型"}, code="kind")
    document = Document(
        organization=organization,
        kind=kind,
        category=_text(category, "category", "分类", 40),
        title=_text(title, "title", "标题", 120),
        summary=_text(summary, "summary", "简介", 2000, required=False),
        body=(body or "").strip(),
        published=bool(published),
    )
    if kind == Document.Kind.CASE and not document.body:
        raise ValidationError({"body": "案例须填写正文"}, code="case_text")
    if kind != Document.Kind.CASE and file is None:
        raise ValidationError({"file": "请上传文件"}, code="file_required")
    if file is not None:
        check_upload(file)
    document.full_clean()
    document.save()
    audit_log(
        actor=actor,
        action="training.document_created",
        target=document,
        changes={
            "kind": [None, kind],
            "category": [None, document.category],
            "title": [None, document.title],
            "published": [None, document.published],
        },
    )
    if file is not None:
        _add_version(actor=actor, document=document, upload=file, note=note)
    return document


@transaction.atomic
def document_version_add(
    *, actor: User | None, document: Document, file: UploadedFile, note: str = ""
) -> DocumentVersion:
    """Upload a new version; the old ones stay downloadable, the new one is the default."""
    if not can_manage_document(actor, document):
        raise PermissionDenied("只能修订本单位及下级单位的资料")
    # One upload at a time per document: the next number is read under the row's lock.
    Document.objects.select_for_update().filter(pk=document.pk).first()
    return _add_version(actor=actor, document=document, upload=file, note=note)


@transaction.atomic
def document_publish(*, actor: User | None, document: Document, published: bool) -> Document:
    if not can_manage_document(actor, document):
        raise PermissionDenied("只能发布本单位及下级单位的资料")
    before = document.published
    document.published = published
    document.save(update_fields=["published", "updated_at"])
    if before != published:
        audit_log(
            actor=actor,
            action="training.document_published",
            target=document,
            changes={"published": [before, published]},
        )
    return document


def newest_version(document: Document) -> DocumentVersion | None:
    return document.versions.order_by("-number").first()


@transaction.atomic
def download_count(*, document: Document, version: DocumentVersion) -> None:
    """Count one download of ``version``: two single-statement ``UPDATE … SET n = n + 1``, so
    that concurrent downloads are all counted (no read-modify-write)."""
    if not COUNTER_GUARD:  # the control run's read-modify-write
        rows = (DocumentVersion.objects.get(pk=version.pk), Document.objects.get(pk=document.pk))
        races.window()  # all threads read before any writes
        for row in rows:
            row.download_count += 1
            row.save(update_fields=["download_count"])
        return
    DocumentVersion.objects.filter(pk=version.pk).update(download_count=F("download_count") + 1)
    Document.objects.filter(pk=document.pk).update(download_count=F("download_count") + 1)
