"""The joint meeting system (联席会议制度): standing mechanisms of a union with its partner
bodies, their yearly plans, meetings with agenda and minutes, and the resolutions that become
tracked action items (督办事项). The year runs as a closed loop: 年初议计划 → 年中抓落实 → 年末促总结.
"""

from datetime import date, datetime
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

from liandong.core.models import BaseModel


class CollaborationMode(models.TextChoices):
    AUTHORITY = "authority", _("产业工会+行业主管部门+行业协会")
    FEDERATION = "federation", _("产业工会+行业工会联合会+行业协会")
    LEADING_ENTERPRISE = "enterprise", _("产业工会+龙头企业+行业协会")
    CUSTOM = "custom", _("自定义")


class Mechanism(BaseModel):
    """A standing joint meeting body (联席会议机制): a convening union and the member bodies it
    meets with regularly (行业主管部门, 行业协会, 行业工会联合会, 龙头企业…)."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("运行中")
        SUSPENDED = "suspended", _("暂停")
        CLOSED = "closed", _("已撤销")

    name = models.CharField(_("机制名称"), max_length=120)
    industry = models.CharField(_("行业"), max_length=40)
    convening_union = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="convened_mechanisms",
        verbose_name=_("召集工会"),
    )
    collaboration_mode = models.CharField(
        _("协作模式"), max_length=16, choices=CollaborationMode.choices
    )
    custom_mode = models.CharField(_("自定义协作模式"), max_length=120, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.ACTIVE
    )
    description = models.TextField(_("工作机制说明"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("联席会议机制")

    def __str__(self) -> str:
        return self.name

    def member_organization_ids(self) -> set[int]:
        """The member bodies (the convening union included): read by other apps' hooks."""
        return set(self.members.values_list("organization_id", flat=True)) | {
            self.convening_union_id
        }

    @property
    def mode_label(self) -> str:
        if self.collaboration_mode == CollaborationMode.CUSTOM and self.custom_mode:
            return self.custom_mode
        return str(CollaborationMode(self.collaboration_mode).label)


class MechanismMember(BaseModel):
    """A body's seat in a mechanism, with its role and its liaison person (联络员)."""

    class Role(models.TextChoices):
        CONVENER = "convener", _("召集单位")
        MEMBER = "member", _("成员单位")

    mechanism = models.ForeignKey(Mechanism, on_delete=models.CASCADE, related_name="members")
    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="mechanism_seats",
        verbose_name=_("成员单位"),
    )
    role = models.CharField(_("角色"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    liaison_name = models.CharField(_("联络员"), max_length=60, blank=True)
    liaison_title = models.CharField(_("联络员职务"), max_length=60, blank=True)

    class Meta:
        ordering = ["role", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["mechanism", "organization"], name="mechanism_member_once"
            ),
        ]
        verbose_name = _("成员单位")

    def __str__(self) -> str:
        return f"{self.mechanism} · {self.organization}"


class AnnualPlan(BaseModel):
    """年度工作计划: a mechanism's plan for one year, approved at the year's first meeting."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草案")
        APPROVED = "approved", _("已审议通过")

    mechanism = models.ForeignKey(Mechanism, on_delete=models.CASCADE, related_name="plans")
    year = models.PositiveSmallIntegerField(_("年度"))
    summary = models.TextField(_("总体安排"), blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    approved_at_meeting = models.ForeignKey(
        "Meeting",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("审议会议"),
    )
    approved_on = models.DateField(_("通过日期"), null=True, blank=True)

    class Meta:
        ordering = ["-year", "id"]
        constraints = [
            models.UniqueConstraint(fields=["mechanism", "year"], name="annual_plan_once_a_year")
        ]
        verbose_name = _("年度工作计划")

    def __str__(self) -> str:
        return f"{self.mechanism} {self.year}年度工作计划"


class PlannedMeeting(BaseModel):
    """A meeting the plan foresees: month and topic."""

    plan = models.ForeignKey(AnnualPlan, on_delete=models.CASCADE, related_name="planned_meetings")
    month = models.PositiveSmallIntegerField(_("计划月份"))
    topic = models.CharField(_("议题方向"), max_length=120)

    class Meta:
        ordering = ["month", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(month__gte=1, month__lte=12), name="planned_meeting_month_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month}月 {self.topic}"


class PlanTarget(BaseModel):
    """A target of the year with a lead body and a number (疗休养 40 人, 新建工会 9 家)."""

    plan = models.ForeignKey(AnnualPlan, on_delete=models.CASCADE, related_name="targets")
    title = models.CharField(_("目标任务"), max_length=120)
    lead_body = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("牵头单位"),
    )
    target_value = models.PositiveIntegerField(_("目标数"), default=1)
    unit = models.CharField(_("单位"), max_length=10, default="项")
    achieved_value = models.PositiveIntegerField(_("已完成数"), default=0)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(target_value__gte=1), name="plan_target_positive")
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.target_value}{self.unit}"

    @property
    def is_met(self) -> bool:
        return self.achieved_value >= self.target_value

    @property
    def percent(self) -> int:
        return (
            min(100, round(100 * self.achieved_value / self.target_value))
            if self.target_value
            else 0
        )


class Meeting(BaseModel):
    """One sitting of a mechanism. 筹备中 → 已通知 → 已召开 → 纪要已发布; or 已取消 with a reason."""

    class Status(models.TextChoices):
        PREPARING = "preparing", _("筹备中")
        NOTIFIED = "notified", _("已通知")
        HELD = "held", _("已召开")
        PUBLISHED = "published", _("纪要已发布")
        CANCELLED = "cancelled", _("已取消")

    mechanism = models.ForeignKey(Mechanism, on_delete=models.PROTECT, related_name="meetings")
    title = models.CharField(_("会议名称"), max_length=120)
    topic = models.CharField(_("主题"), max_length=120, blank=True)
    starts_at = models.DateTimeField(_("开始时间"), db_index=True)
    duration_minutes = models.PositiveSmallIntegerField(_("时长（分钟）"), default=120)
    location = models.CharField(_("地点"), max_length=200, blank=True)
    online_url = models.CharField(_("线上会议链接"), max_length=300, blank=True)
    host_body = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("承办单位"),
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.PREPARING, db_index=True
    )
    cancel_reason = models.CharField(_("取消原因"), max_length=200, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True)
    held_on = models.DateField(_("召开日期"), null=True, blank=True)
    minutes = models.TextField(_("会议纪要"), blank=True)
    minutes_published_at = models.DateTimeField(null=True, blank=True)
    invite_sequence = models.PositiveSmallIntegerField(
        default=0
    )  # iCalendar SEQUENCE, bumped per notice
    # 补录: a meeting held before the union used the platform, recorded afterwards. It never
    # went through 筹备中/已通知, and nothing about it is ever sent to anyone.
    back_entered = models.BooleanField(_("补录"), default=False)
    back_entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("补录人"),
    )
    back_entered_at = models.DateTimeField(_("补录时间"), null=True, blank=True)

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["mechanism", "starts_at"], name="meeting_mech_start_idx")]
        verbose_name = _("联席会议")

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in {self.Status.PREPARING, self.Status.NOTIFIED}

    @property
    def has_minutes(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def local_start(self) -> datetime:
        return timezone.localtime(self.starts_at)


class Attendance(BaseModel):
    """A member body invited to a meeting, who came for it, and whether it attended."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="+"
    )
    attendees = models.CharField(_("参会人员"), max_length=200, blank=True)
    present = models.BooleanField(_("出席"), default=False)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "organization"], name="attendance_once")
        ]


class AgendaItem(BaseModel):
    """议题. An item that came from elsewhere (a worker demand, a proposal, an overdue action
    item) keeps that candidate's stable ``source_key``: adding the same candidate twice is a
    no-op, enforced by a unique constraint."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(_("议题"), max_length=200)
    kind = models.CharField(_("来源"), max_length=20, default="manual")
    source_key = models.CharField(max_length=80, blank=True)
    source_url = models.CharField(max_length=300, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    added_by_tick = models.BooleanField(default=False)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "source_key"],
                condition=~Q(source_key=""),
                name="agenda_source_once",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    KIND_LABELS = {
        "manual": "会议议题",
        "demand": "职工诉求",
        "proposal": "职工提案",
        "action_item": "逾期督办事项",
        "plan": "年度计划",
    }

    @property
    def kind_label(self) -> str:
        return self.KIND_LABELS.get(self.kind, self.kind)


class ActionItem(BaseModel):
    """督办事项: a resolution (议定事项) of a meeting, tracked to completion by its lead body.
    待办 → 推进中 → 已完成, or 已取消 with a reason. 逾期 (overdue) is derived from the deadline
    and never stored."""

    class Status(models.TextChoices):
        TODO = "todo", _("待办")
        IN_PROGRESS = "in_progress", _("推进中")
        DONE = "done", _("已完成")
        CANCELLED = "cancelled", _("已取消")

    OPEN = (Status.TODO, Status.IN_PROGRESS)

    mechanism = models.ForeignKey(Mechanism, on_delete=models.PROTECT, related_name="action_items")
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="action_items")
    number = models.PositiveSmallIntegerField(_("序号"), default=1)
    # The year of the meeting that decided it (a held meeting's date no longer changes), kept
    # here so that a year's figures are one indexed scan without a join.
    year = models.PositiveSmallIntegerField(_("年度"))
    resolution = models.TextField(_("议定事项"))
    lead_body = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="led_action_items",
        verbose_name=_("牵头单位"),
    )
    co_bodies = models.ManyToManyField(
        "organizations.Organization", blank=True, related_name="+", verbose_name=_("配合单位")
    )
    deadline = models.DateField(_("完成时限"), db_index=True)
    expected_output = models.CharField(_("预期成果"), max_length=200, blank=True)
    target = models.ForeignKey(
        PlanTarget,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="action_items",
        verbose_name=_("对应年度目标"),
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.TODO, db_index=True
    )
    progress = models.PositiveSmallIntegerField(_("进度（%）"), default=0)
    cancel_reason = models.CharField(_("取消原因"), max_length=200, blank=True)
    completed_on = models.DateField(_("完成日期"), null=True, blank=True)
    # 补录: a resolution of a back-entered meeting. ``back_entered_on`` is the day it was
    # entered: a deadline already past on that day is history, owed no reminder.
    back_entered = models.BooleanField(_("补录"), default=False)
    back_entered_on = models.DateField(_("补录日期"), null=True, blank=True)

    class Meta:
        ordering = ["deadline", "id"]
        indexes = [
            models.Index(fields=["mechanism", "status", "deadline"], name="action_mech_status_idx"),
            models.Index(fields=["mechanism", "year", "status"], name="action_mech_year_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="action_progress_at_most_100"
            ),
        ]
        verbose_name = _("督办事项")

    def __str__(self) -> str:
        return self.resolution[:60]

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    def is_overdue_on(self, today: date) -> bool:
        return self.is_open and self.deadline < today

    @property
    def is_overdue(self) -> bool:
        return self.is_overdue_on(timezone.localdate())

    @property
    def agenda_key(self) -> str:
        return f"meetings.actionitem:{self.pk}"


@deconstructible
class UploadsStorage(FileSystemStorage):
    """Uploads live under DATA_DIR/uploads/meetings, outside any served directory: they are
    only ever sent by a view that checks the caller's permission first. The directory is read
    from the settings on each use, not frozen when the models load."""

    @property
    def base_location(self) -> Path:
        return Path(settings.DATA_DIR) / "uploads" / "meetings"

    @property
    def location(self) -> str:
        return str(self.base_location.resolve())


uploads_storage = UploadsStorage()


class ProgressReport(BaseModel):
    """A progress report on an action item by its lead body (or union staff)."""

    action_item = models.ForeignKey(ActionItem, on_delete=models.CASCADE, related_name="reports")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    organization = models.ForeignKey(
        "organizations.Organization", null=True, on_delete=models.PROTECT, related_name="+"
    )
    percent = models.PositiveSmallIntegerField(_("进度（%）"))
    text = models.TextField(_("进展情况"))
    reason = models.CharField(_("进度回退原因"), max_length=200, blank=True)
    # 补录: a progress entry of a back-entered item, dated on the day it really happened.
    back_entered = models.BooleanField(_("补录"), default=False)
    reported_on = models.DateField(_("进展日期"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]


class ProgressAttachment(BaseModel):
    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(storage=uploads_storage, upload_to="%Y/%m/", max_length=200)
    original_name = models.CharField(max_length=120)
    size = models.PositiveIntegerField()
    content_type = models.CharField(max_length=100)

    class Meta:
        ordering = ["id"]


class Reminder(BaseModel):
    """One reminder sent about an action item; the unique constraint is what makes the tick
    idempotent: a reminder of a kind is sent once per item and deadline."""

    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", _("即将到期")
        OVERDUE = "overdue", _("已逾期")

    action_item = models.ForeignKey(ActionItem, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    deadline = models.DateField()
    recipients = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["action_item", "kind", "deadline"], name="reminder_once"
            ),
        ]
