"""Skill competitions (职工技能竞赛): a contest has rounds (初赛 → 决赛), each round has
segments (比赛环节) with a weight and full marks, judges (评委) score entrants on score sheets
(评分表), and the results are computed from the submitted sheets (see ``scoring.py``)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from liandong.core.models import BaseModel


class Level(models.TextChoices):
    CITY = "city", _("市级")
    PROVINCE = "province", _("省级")
    NATIONAL = "national", _("全国")


class ContestStatus(models.TextChoices):
    DRAFT = "draft", _("筹备中")
    REGISTRATION = "registration", _("报名中")
    IN_PROGRESS = "in_progress", _("比赛中")
    PUBLISHED = "published", _("已公示")


class TeamRule(models.TextChoices):
    SUM = "sum", _("队员总分之和")
    MEAN = "mean", _("队员总分平均")
    BEST = "best", _("最好的 N 名队员总分之和")


class Rounding(models.TextChoices):
    """How totals are rounded and ranked (see ``scoring.py``)."""

    EXACT = "exact", _("按未经四舍五入的总分排名，显示时保留两位小数")
    STAGE = "stage", _("每一步（平均分、环节得分）保留两位小数，按保留后的总分排名")


class Contest(BaseModel):
    """A skill competition run by a union (``organization``) for the bodies of its subtree.
    主办/承办/协办 bodies are often outside the tree (人社局, a college), so they are names."""

    name = models.CharField(_("竞赛名称"), max_length=160)
    level = models.CharField(_("级别"), max_length=12, choices=Level.choices, default=Level.CITY)
    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="contests",
        verbose_name=_("组织单位"),
    )
    hosts = models.CharField(_("主办单位"), max_length=300, blank=True)
    undertakers = models.CharField(_("承办单位"), max_length=300, blank=True)
    co_organizers = models.CharField(_("协办单位"), max_length=300, blank=True)
    profession = models.CharField(_("职业（工种）"), max_length=60)
    venue = models.CharField(_("比赛地点"), max_length=120, blank=True)
    starts_on = models.DateField(_("比赛日期"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=ContestStatus.choices, default=ContestStatus.DRAFT
    )
    # Eligibility (报名条件). Empty means no restriction.
    occupation_keywords = models.CharField(
        _("职业关键词"),
        max_length=120,
        blank=True,
        help_text=_("多个关键词用空格分隔，职工职业含任一即可"),
    )
    min_age = models.PositiveSmallIntegerField(_("最低年龄"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("最高年龄"), null=True, blank=True)
    employer_kinds = models.CharField(
        _("单位类型"),
        max_length=120,
        blank=True,
        help_text=_("允许的工作单位类型，逗号分隔，如 enterprise,outlet"),
    )
    # Scoring rules.
    drop_extremes_from = models.PositiveSmallIntegerField(
        _("去掉最高最低分的评委人数下限"),
        default=5,
        help_text=_("评委达到此人数时去掉一个最高分和一个最低分；0 表示不去掉"),
    )
    team_size = models.PositiveSmallIntegerField(
        _("每队人数"), default=0, help_text=_("0 表示不设团体赛")
    )
    team_rule = models.CharField(
        _("团体成绩计算"), max_length=8, choices=TeamRule.choices, default=TeamRule.SUM
    )
    team_best_n = models.PositiveSmallIntegerField(_("计入团体成绩的人数"), default=0)
    rounding = models.CharField(
        _("排名与四舍五入"),
        max_length=8,
        choices=Rounding.choices,
        default=Rounding.EXACT,
        help_text=_("多数竞赛规程按未经四舍五入的总分排名；团体成绩按同一规则计算"),
    )
    chief_judge = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("裁判长"),
    )
    nominated_to = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="feeders",
        verbose_name=_("选拔推荐至"),
    )
    prizes_awarded_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(_("公示时间"), null=True, blank=True)
    # 补录: a contest decided before the platform, recorded afterwards with its final results
    # (entrants, ranks, prizes) and published at once, without rounds or score sheets.
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
        ordering = ["-starts_on", "-id"]
        verbose_name = _("技能竞赛")

    def __str__(self) -> str:
        return self.name

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def employer_kinds_label(self) -> str:
        """The allowed kinds of employer as people read them (企业、网点), not their codes."""
        from liandong.organizations.models import Organization

        labels = dict(Organization.Kind.choices)
        codes = [k.strip() for k in self.employer_kinds.split(",") if k.strip()]
        return "、".join(str(labels.get(code, code)) for code in codes)


class Round(BaseModel):
    """One stage of a contest (初赛, 决赛). A round other than the last advances its best
    entrants by ``advance_rule``; the last round is the one prizes are given on."""

    class Rule(models.TextChoices):
        TOP_N = "top_n", _("前 N 名晋级")
        TOP_PERCENT = "top_percent", _("前 X% 晋级")

    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="rounds")
    name = models.CharField(_("赛段名称"), max_length=40)
    order = models.PositiveSmallIntegerField(_("顺序"), default=1)
    advance_rule = models.CharField(
        _("晋级规则"), max_length=12, choices=Rule.choices, default=Rule.TOP_N
    )
    advance_value = models.DecimalField(
        _("晋级名额或比例"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    per_group = models.BooleanField(_("按组别分别晋级"), default=False)
    # A touring contest (巡回赛) holds each round at a station of its own (万象站, 云南站).
    station = models.CharField(_("站点"), max_length=40, blank=True)
    venue = models.CharField(_("比赛场地"), max_length=120, blank=True)
    starts_on = models.DateField(_("开始日期"), null=True, blank=True)
    ends_on = models.DateField(_("结束日期"), null=True, blank=True)
    advanced_at = models.DateTimeField(_("晋级时间"), null=True, blank=True)
    order_drawn_at = models.DateTimeField(null=True, blank=True)
    draw_seed = models.CharField(max_length=32, blank=True)

    class Meta:
        ordering = ["contest_id", "order"]
        constraints = [
            models.UniqueConstraint(fields=["contest", "order"], name="round_order_unique")
        ]

    def __str__(self) -> str:
        return f"{self.contest.name} · {self.name}"


class Segment(BaseModel):
    """A part of a round scored separately (理论知识, 案例分析, VR实操). An entrant's segment
    score is the mean of the judges' sheets; it counts ``score / full_marks × weight`` points
    towards the round total. ``tie_break`` orders the segments compared on an equal total."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="segments")
    name = models.CharField(_("环节名称"), max_length=60)
    order = models.PositiveSmallIntegerField(_("顺序"), default=1)
    weight = models.DecimalField(_("权重（分）"), max_digits=6, decimal_places=2)
    full_marks = models.DecimalField(_("满分"), max_digits=6, decimal_places=2, default=100)
    tie_break = models.PositiveSmallIntegerField(
        _("同分比较顺序"),
        null=True,
        blank=True,
        help_text=_("总分相同时按此顺序比较环节得分，1 最先；留空不参与"),
    )
    judges = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="JudgeAssignment", related_name="+"
    )

    class Meta:
        ordering = ["round_id", "order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weight__gt=0),
                name="segment_weight_positive",
                violation_error_message="权重必须大于 0",
            ),
            models.CheckConstraint(
                condition=Q(full_marks__gt=0),
                name="segment_full_marks_positive",
                violation_error_message="满分必须大于 0",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class JudgeAssignment(BaseModel):
    segment = models.ForeignKey(Segment, on_delete=models.CASCADE, related_name="assignments")
    judge = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="judge_assignments"
    )

    class Meta:
        ordering = ["segment_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["segment", "judge"], name="judge_assignment_unique")
        ]


class Team(BaseModel):
    """A body's team (代表队); members are entrants with this team."""

    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(_("代表队名称"), max_length=100)
    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("报名单位"),
    )
    prize = models.CharField(_("团体奖项"), max_length=20, blank=True)

    class Meta:
        ordering = ["contest_id", "id"]
        constraints = [models.UniqueConstraint(fields=["contest", "name"], name="team_name_unique")]

    def __str__(self) -> str:
        return self.name


class Entrant(BaseModel):
    """A worker registered for a contest by a body (``registered_by``) in whose scope the
    worker is employed; reviewed by the organizer before taking part."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待审核")
        APPROVED = "approved", _("审核通过")
        REJECTED = "rejected", _("未通过")

    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="entrants")
    worker = models.ForeignKey(
        "workers.Worker", on_delete=models.PROTECT, related_name="contest_entries"
    )
    registered_by = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("报名单位"),
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    group = models.CharField(_("组别"), max_length=40, blank=True)
    status = models.CharField(
        _("审核状态"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    review_note = models.CharField(_("审核意见"), max_length=200, blank=True)
    prize = models.CharField(_("奖项"), max_length=20, blank=True)
    final_rank = models.PositiveIntegerField(_("名次"), null=True, blank=True)
    final_total = models.DecimalField(
        _("总分"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    nominated_from = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="nominations",
        verbose_name=_("推荐来源"),
    )

    class Meta:
        ordering = ["contest_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["contest", "worker"], name="entrant_once_per_contest")
        ]

    def __str__(self) -> str:
        return self.worker.name


class RoundEntry(BaseModel):
    """An entrant taking part in one round, with the order of appearance (出场顺序) that
    judges and the public scoreboard know them by."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="entries")
    entrant = models.ForeignKey(Entrant, on_delete=models.CASCADE, related_name="round_entries")
    order_no = models.PositiveIntegerField(_("出场顺序"), null=True, blank=True)
    rank = models.PositiveIntegerField(_("名次"), null=True, blank=True)
    total = models.DecimalField(_("总分"), max_digits=8, decimal_places=2, null=True, blank=True)
    advanced = models.BooleanField(_("晋级"), default=False)

    class Meta:
        ordering = ["round_id", "order_no", "id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "entrant"], name="round_entry_unique"),
            models.UniqueConstraint(fields=["round", "order_no"], name="round_order_no_unique"),
        ]


class ScoreSheet(BaseModel):
    """One judge's score for one entrant in one segment. A submitted sheet is locked: only
    the chief judge changes it, by an audited correction."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("暂存")
        SUBMITTED = "submitted", _("已提交")

    segment = models.ForeignKey(Segment, on_delete=models.CASCADE, related_name="sheets")
    entry = models.ForeignKey(RoundEntry, on_delete=models.CASCADE, related_name="sheets")
    judge = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="score_sheets"
    )
    score = models.DecimalField(_("得分"), max_digits=7, decimal_places=2)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    correction_reason = models.CharField(_("更正原因"), max_length=200, blank=True)

    class Meta:
        ordering = ["segment_id", "entry_id", "judge_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["segment", "entry", "judge"], name="one_sheet_per_judge"
            ),
            models.CheckConstraint(
                condition=Q(score__gte=0),
                name="sheet_score_not_negative",
                violation_error_message="分数不能为负数",
            ),
        ]
        indexes = [models.Index(fields=["segment", "status"], name="sheet_segment_status_idx")]


class PrizeTier(BaseModel):
    """A prize (一等奖 1 名 / 二等奖 10% / 优秀奖 the rest). ``count`` or ``percent`` of the
    finalists (or teams); neither means all who remain."""

    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="prize_tiers")
    name = models.CharField(_("奖项名称"), max_length=20)
    order = models.PositiveSmallIntegerField(_("顺序"), default=1)
    count = models.PositiveIntegerField(_("名额"), null=True, blank=True)
    percent = models.DecimalField(
        _("比例（%）"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    for_teams = models.BooleanField(_("团体奖"), default=False)

    class Meta:
        ordering = ["contest_id", "for_teams", "order", "id"]

    def __str__(self) -> str:
        return self.name
