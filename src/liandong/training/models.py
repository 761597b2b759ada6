"""Delegate training (讲师团, 培训) and the guidance library (指导手册, 工具包, 案例库, 教材库).

A union keeps its lecturer group (讲师团: the lecturers whose ``organization`` is the union),
records training sessions for the delegates of a workers' congress (the delegate list comes from
the democracy module through the ``delegate_lists`` hook, never by import) with attendance per
delegate, and curates a library of versioned documents. Records belong to a union and are
visible to it and the unions above it; a document marked ``published`` is also visible to every
body below its union (what a higher union hands down to its subtree).
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from liandong.core.models import BaseModel


class Lecturer(BaseModel):
    """A member of a union's lecturer group (讲师团). The mobile number is sealed like a
    worker's: cipher, blind index and masked form; the full number only through an audited
    reveal."""

    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="lecturers",
        verbose_name=_("所属讲师团"),
    )
    name = models.CharField(_("姓名"), max_length=60)
    affiliation = models.CharField(_("工作单位及职务"), max_length=120)
    topics = models.CharField(_("授课专题"), max_length=300, help_text=_("用顿号或逗号分隔"))
    mobile_cipher = models.TextField(blank=True, editable=False)
    mobile_digest = models.CharField(max_length=64, blank=True, editable=False)
    mobile_masked = models.CharField(_("手机号"), max_length=20, blank=True)
    active = models.BooleanField(_("在团"), default=True)

    class Meta:
        ordering = ["organization", "name", "id"]
        verbose_name = _("讲师")

    def __str__(self) -> str:
        return self.name

    @property
    def topic_list(self) -> list[str]:
        text = self.topics.replace("，", "、").replace(",", "、")
        return [t.strip() for t in text.split("、") if t.strip()]


class Session(BaseModel):
    """One training session (培训): a topic, a time and place (or a teaching point 教学点), the
    lecturers, and the congress whose delegates are invited (``congress_key`` from the hook,
    with its title kept as it was)."""

    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="training_sessions",
        verbose_name=_("主办工会"),
    )
    topic = models.CharField(_("培训主题"), max_length=120)
    starts_at = models.DateTimeField(_("开始时间"))
    place = models.CharField(_("地点"), max_length=120, blank=True)
    teaching_point = models.CharField(_("教学点"), max_length=120, blank=True)
    lecturers = models.ManyToManyField(
        Lecturer, related_name="sessions", blank=True, verbose_name=_("授课讲师")
    )
    congress_key = models.CharField(_("参训职代会"), max_length=60, blank=True)
    congress_title = models.CharField(_("参训职代会"), max_length=160, blank=True)
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["organization", "starts_at"], name="training_org_start")]
        verbose_name = _("培训")

    def __str__(self) -> str:
        return self.topic

    @property
    def where(self) -> str:
        return self.teaching_point or self.place


class Attendance(BaseModel):
    """A delegate invited to a session, and whether they attended."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendances")
    worker = models.ForeignKey(
        "workers.Worker", on_delete=models.PROTECT, related_name="+", verbose_name=_("职工代表")
    )
    attended = models.BooleanField(_("已参训"), default=False)

    class Meta:
        ordering = ["session", "id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "worker"], name="training_attendance_once")
        ]
        indexes = [models.Index(fields=["session", "attended"], name="attendance_session_att")]
        verbose_name = _("参训记录")

    def __str__(self) -> str:
        return f"{self.session_id}/{self.worker_id}"


class DelegateAreaRollup(models.Model):
    """The distinct delegates trained, kept as attendances are marked: one row per
    organization *above or at* a session's organizing body (``area``: every id on its path),
    the session's year (local time) and the delegate, with ``attended`` the number of that
    year's sessions in the area's subtree the delegate attended. A union's figures are its own
    rows (count: delegates; sum: 人次) instead of a distinct count over every attendance of its
    subtree (40 ms for a province's 54,000 invitations). Kept by ``services.attendance_mark`` in
    its transaction; ``rollups.rebuild`` recomputes it (``liandong rebuild-rollups``).
    A unit moved by the tree import takes its rows from the unions it left to those it
    joined (``rollups.move_area``)."""

    area = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="+"
    )
    year = models.PositiveSmallIntegerField()
    worker = models.ForeignKey("workers.Worker", on_delete=models.CASCADE, related_name="+")
    attended = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["area", "year", "worker"], name="training_delegate_rollup_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.area_id}/{self.year}/{self.worker_id}"


class Document(BaseModel):
    """An entry of the guidance library. Handbooks, toolkits and textbooks are files with
    versions; a case (案例) is text, with files optional."""

    class Kind(models.TextChoices):
        HANDBOOK = "handbook", _("指导手册")
        TOOLKIT = "toolkit", _("工具包")
        CASE = "case", _("案例")
        TEXTBOOK = "textbook", _("教材")

    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="training_documents",
        verbose_name=_("编制单位"),
    )
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    category = models.CharField(_("分类"), max_length=40)
    title = models.CharField(_("标题"), max_length=120)
    summary = models.TextField(_("简介"), blank=True)
    body = models.TextField(_("案例正文"), blank=True)
    published = models.BooleanField(_("向下级工会发布"), default=False)
    download_count = models.PositiveIntegerField(_("下载次数"), default=0)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="case") | ~Q(body=""), name="training_case_has_text"
            )
        ]
        verbose_name = _("指导资料")

    def __str__(self) -> str:
        return self.title


class DocumentVersion(BaseModel):
    """One uploaded file of a document; a new upload is a new number, the old ones stay. The
    newest is what a plain download serves."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField(_("版本"))
    file = models.FileField(upload_to="training/%Y/")
    name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小（字节）"))
    note = models.CharField(_("修订说明"), max_length=200, blank=True)
    download_count = models.PositiveIntegerField(_("下载次数"), default=0)

    class Meta:
        ordering = ["document", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="document_version_once")
        ]
        verbose_name = _("资料版本")

    def __str__(self) -> str:
        return f"{self.name}（第{self.number}版）"
