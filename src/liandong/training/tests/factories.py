"""Test data of training, built through the services (rules, audit)."""

from datetime import datetime, time, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from liandong.accounts.models import User
from liandong.organizations.models import Organization
from liandong.training.demo import pdf
from liandong.training.models import Document, Lecturer, Session
from liandong.training.services import document_create, lecturer_add, session_record


def days_from_now(days: int, hour: int = 9) -> datetime:
    day = timezone.localdate() + timedelta(days=days)
    return timezone.make_aware(datetime.combine(day, time(hour)))


def pdf_upload(name: str = "指引.pdf", text: str = "v1") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf(text), content_type="application/pdf")


def make_lecturer(actor: User, organization: Organization, name: str = "邵立新") -> Lecturer:
    return lecturer_add(
        actor=actor,
        organization=organization,
        name=name,
        affiliation="市总工会基层工作部",
        topics="职代会、厂务公开",
        mobile="13906319876",
    )


def make_session(
    actor: User,
    organization: Organization,
    *,
    congress_key: str = "",
    days: int = -1,
    lecturers: list[Lecturer] | None = None,
    topic: str = "职工代表履职培训",
) -> Session:
    return session_record(
        actor=actor,
        organization=organization,
        topic=topic,
        starts_at=days_from_now(days),
        place="职工服务中心报告厅",
        lecturers=lecturers or [],
        congress_key=congress_key,
    )


def make_document(
    actor: User,
    organization: Organization,
    *,
    published: bool = False,
    title: str = "厂务公开操作指引",
) -> Document:
    return document_create(
        actor=actor,
        organization=organization,
        kind="handbook",
        category="厂务公开",
        title=title,
        published=published,
        file=pdf_upload(),
    )


def congress_key(congress: object) -> str:
    return f"democracy.congress:{congress.pk}"  # type: ignore[attr-defined]
