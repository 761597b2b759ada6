"""Volunteer teams (职工志愿服务队): a team sponsored by a union, its members (workers of the
roster or outside volunteers), its honours (授旗), the hours its members served at the
activities of the activities app, and its own trainings ("服务+培训") with attendance.

An activity is named by id (``activity_id``) with its title kept as it was when the hours were
recorded: this app does not import the activities app (core/tests/test_layers.py); it asks the
``service_activities`` hook which activities the person recording may see."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from liandong.core.models import BaseModel

MAX_HOURS_PER_DAY = Decimal("24")


class Team(BaseModel):
    name = models.CharField(_("服务队名称"), max_length=120)
    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="volunteer_teams",
        verbose_name=_("主管工会"),
    )
    founded_on = models.DateField(_("成立日期"))
    skills = models.CharField(_("专业技能"), max_length=300, blank=True)
    service_mode = models.CharField(_("服务方式"), max_length=120, blank=True)
    description = models.TextField(_("简介"), blank=True)
    contact_name = models.CharField(_("负责人"), max_length=40, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-founded_on", "-id"]
        verbose_name = _("志愿服务队")

    def __str__(self) -> str:
        return self.name

    @property
    def skill_list(self) -> list[str]:
        return split_skills(self.skills)


def split_skills(text: str) -> list[str]:
    for separator in "，,;；/ ":
        text = text.replace(separator, "、")
    return [part.strip() for part in text.split("、") if part.strip()]


class Member(BaseModel):
    """A worker of the roster, or an outside volunteer known by name and mobile (sealed).
    Removing a member sets ``left_on``: the hours they served stay with the team."""

    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, related_name="members", verbose_name=_("服务队")
    )
    worker = models.ForeignKey(
        "workers.Worker",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="volunteer_memberships",
        verbose_name=_("职工"),
    )
    name = models.CharField(_("姓名"), max_length=40)
    mobile_cipher = models.TextField(blank=True, editable=False)
    mobile_digest = models.CharField(max_length=64, blank=True, editable=False)
    mobile_masked = models.CharField(_("手机号"), max_length=20, blank=True)
    skills = models.CharField(_("专业技能"), max_length=200, blank=True)
    role = models.CharField(_("队内职务"), max_length=40, blank=True)
    joined_on = models.DateField(_("入队日期"))
    left_on = models.DateField(_("离队日期"), null=True, blank=True)

    class Meta:
        ordering = ["team", "left_on", "id"]
        verbose_name = _("志愿者")
        constraints = [
            models.UniqueConstraint(
                fields=["team", "worker"],
                condition=Q(left_on__isnull=True, worker__isnull=False),
                name="volunteer_worker_once_per_team",
            ),
            models.UniqueConstraint(
                fields=["team", "mobile_digest"],
                condition=Q(left_on__isnull=True) & ~Q(mobile_digest=""),
                name="volunteer_mobile_once_per_team",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.left_on is None

    @property
    def kind_label(self) -> str:
        return "职工" if self.worker_id else "社会志愿者"


class Honour(BaseModel):
    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, related_name="honours", verbose_name=_("服务队")
    )
    title = models.CharField(_("荣誉 / 授旗"), max_length=120)
    awarded_on = models.DateField(_("日期"))
    awarded_by = models.CharField(_("授予单位"), max_length=120, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        ordering = ["-awarded_on", "-id"]
        verbose_name = _("服务队荣誉")

    def __str__(self) -> str:
        return self.title


class Service(BaseModel):
    """The team's turnout at one activity on one day: people served, and each member's hours."""

    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, related_name="services", verbose_name=_("服务队")
    )
    activity_id = models.PositiveBigIntegerField(_("服务活动"))
    activity_title = models.CharField(_("活动名称"), max_length=120)
    served_on = models.DateField(_("服务日期"))
    people_served = models.PositiveIntegerField(_("服务人次"), default=0)
    note = models.CharField(_("服务内容"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-served_on", "-id"]
        verbose_name = _("志愿服务记录")
        constraints = [
            models.UniqueConstraint(
                fields=["team", "activity_id", "served_on"], name="volunteer_service_once_a_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.activity_title} {self.served_on}"


class Hours(BaseModel):
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="hours", verbose_name=_("服务记录")
    )
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="hours", verbose_name=_("志愿者")
    )
    hours = models.DecimalField(
        _("服务时长（小时）"),
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.1")), MaxValueValidator(MAX_HOURS_PER_DAY)],
    )

    class Meta:
        ordering = ["service", "member"]
        verbose_name = _("服务时长")
        constraints = [
            models.UniqueConstraint(fields=["service", "member"], name="volunteer_hours_once"),
            models.CheckConstraint(
                condition=Q(hours__gt=0) & Q(hours__lte=24), name="volunteer_hours_in_a_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.hours}"


class Training(BaseModel):
    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, related_name="trainings", verbose_name=_("服务队")
    )
    title = models.CharField(_("培训主题"), max_length=120)
    held_on = models.DateField(_("培训日期"))
    place = models.CharField(_("地点"), max_length=120, blank=True)
    trainer = models.CharField(_("授课人"), max_length=60, blank=True)
    hours = models.DecimalField(
        _("学时"),
        max_digits=4,
        decimal_places=1,
        default=Decimal("2"),
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(MAX_HOURS_PER_DAY)],
    )
    content = models.TextField(_("培训内容"), blank=True)
    attendees = models.ManyToManyField(
        Member, through="Attendance", related_name="trainings", verbose_name=_("参训志愿者")
    )

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("服务队培训")

    def __str__(self) -> str:
        return self.title


class Attendance(BaseModel):
    training = models.ForeignKey(Training, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="attendance")

    class Meta:
        ordering = ["training", "member"]
        verbose_name = _("培训签到")
        constraints = [
            models.UniqueConstraint(fields=["training", "member"], name="volunteer_attend_once")
        ]
