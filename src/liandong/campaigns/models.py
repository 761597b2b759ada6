"""Campaigns (专项行动): a union's drive over a period, such as 威海's 八项行动 or a 揭榜挂帅
round, with targets per union of its subtree, tasks that bodies take up (揭榜), the tasks'
milestones and results, and progress either counted from the product's own records (through
the ``campaign_measures`` hook) or reported by hand with evidence."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from liandong.core.models import BaseModel

# Measures reported by hand (no module records them): key -> (label, unit).
REPORTED_MEASURES = {
    "reported.publicity": ("宣传活动", "场"),
    "reported.briefing": ("政策宣讲", "场"),
    "reported.visit": ("走访企业", "家"),
    "reported.other": ("其他成果", "项"),
}


class Campaign(BaseModel):
    name = models.CharField(_("行动名称"), max_length=120)
    owner = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="campaigns",
        verbose_name=_("牵头工会"),
    )
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    description = models.TextField(_("行动内容"), blank=True)
    result = models.TextField(_("行动成效"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="campaign_dates_ordered"
            )
        ]
        verbose_name = _("专项行动")

    def __str__(self) -> str:
        return self.name


class Target(BaseModel):
    """``value`` of ``measure`` to reach in the subtree of ``organization`` over the period."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="targets")
    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("工会"),
    )
    measure = models.CharField(_("指标"), max_length=60)
    value = models.PositiveIntegerField(_("目标值"))

    class Meta:
        ordering = ["organization__path", "measure"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "organization", "measure"], name="campaign_target_unique"
            )
        ]
        verbose_name = _("目标")


class TaskStatus(models.TextChoices):
    OPEN = "open", _("待揭榜")
    CLAIMED = "claimed", _("已揭榜")
    DONE = "done", _("已完成")


class Task(BaseModel):
    """A task published on the campaign's board (榜单). The first body to claim it takes it
    (one conditional UPDATE on ``claimed_by IS NULL``); staff may release a claim with a
    reason, which reopens it."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(_("任务名称"), max_length=120)
    description = models.TextField(_("任务要求"), blank=True)
    due_on = models.DateField(_("完成期限"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=TaskStatus.choices, default=TaskStatus.OPEN
    )
    claimed_by = models.ForeignKey(
        "organizations.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("揭榜单位"),
    )
    claimed_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    claimed_at = models.DateTimeField(_("揭榜时间"), null=True, blank=True)
    result = models.TextField(_("完成情况"), blank=True)
    completed_on = models.DateField(_("完成日期"), null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open", claimed_by__isnull=True)
                | Q(~Q(status="open"), claimed_by__isnull=False),
                name="campaign_task_claim_consistent",
            )
        ]
        verbose_name = _("揭榜任务")

    def __str__(self) -> str:
        return self.title


class Milestone(BaseModel):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("节点"), max_length=120)
    due_on = models.DateField(_("节点期限"))
    done_on = models.DateField(_("完成日期"), null=True, blank=True)
    note = models.CharField(_("完成说明"), max_length=300, blank=True)
    overdue_notified_on = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["done_on", "due_on"], name="milestone_open_due_idx")]
        verbose_name = _("节点")


class ProgressEntry(BaseModel):
    """A hand-reported piece of progress (e.g. 12 publicity events) with its evidence."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="entries")
    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("填报单位"),
    )
    measure = models.CharField(_("指标"), max_length=60)
    count = models.PositiveIntegerField(_("数量"))
    occurred_on = models.DateField(_("日期"))
    evidence = models.CharField(_("佐证说明"), max_length=300)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-occurred_on", "-id"]
        verbose_name = _("进展填报")
