from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from liandong.core.models import BaseModel


class Category(models.TextChoices):
    WAGES = "wages", _("工资报酬")
    SAFETY = "safety", _("劳动安全")
    INSURANCE = "insurance", _("社会保险")
    INJURY = "injury", _("职业伤害")
    REST = "rest", _("休息休假")
    SKILLS = "skills", _("技能提升")
    RIGHTS = "rights", _("权益维护")
    HARDSHIP = "hardship", _("生活困难")
    OTHER = "other", _("其他")


class Industry(models.TextChoices):
    COURIER = "快递", _("快递")
    DELIVERY = "即时配送", _("外卖/即时配送")
    RIDE_HAILING = "网约车", _("网约车")
    TRUCKING = "货运", _("货车运输")
    BEAUTY = "美发美容", _("美发美容")
    LOGISTICS = "物流", _("物流")
    OTHER = "其他", _("其他")


class Urgency(models.TextChoices):
    NORMAL = "normal", _("一般")
    URGENT = "urgent", _("紧急")


class Channel(models.TextChoices):
    ONLINE = "online", _("网上提交")
    API = "api", _("接口提交")
    HOTLINE = "hotline", _("热线电话")
    VISIT = "visit", _("来访")


class State(models.TextChoices):
    ACCEPTED = "accepted", _("已受理")
    DISPATCHED = "dispatched", _("已派单")
    IN_PROGRESS = "in_progress", _("办理中")
    RESOLVED = "resolved", _("已办结")
    RATED = "rated", _("已评价")
    RETURNED = "returned", _("退回")
    REJECTED = "rejected", _("不予受理")
    MERGED = "merged", _("已合并")


CATEGORY_LABELS = {value: str(label) for value, label in Category.choices}
STATE_LABELS = {value: str(label) for value, label in State.choices}
CHANNEL_LABELS = {value: str(label) for value, label in Channel.choices}
OPEN_STATES = [State.ACCEPTED, State.DISPATCHED, State.IN_PROGRESS, State.RETURNED]
DONE_STATES = [State.RESOLVED, State.RATED]


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASICALLY = "basically", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")


class Demand(BaseModel):
    """A worker's demand (诉求): a request or complaint, with its handling. Submitted without
    login (or entered by a hotline operator), routed to a responsible body, handled within time
    limits counted in Chinese working days, and rated by the worker."""

    code = models.CharField(_("查询码"), max_length=12, unique=True)
    channel = models.CharField(
        _("渠道"), max_length=10, choices=Channel.choices, default=Channel.ONLINE
    )
    category = models.CharField(_("类别"), max_length=12, choices=Category.choices)
    suggested_category = models.CharField(
        _("建议类别"), max_length=12, choices=Category.choices, blank=True
    )
    # The classifier was unsure and the worker chose no category: the demand waits in its
    # union's 待分类 queue, unrouted; ``category`` holds the likeliest guess meanwhile.
    awaiting_category = models.BooleanField(_("待分类"), default=False)
    # The classifier's three likeliest categories with their probabilities, [[category, p], ...].
    category_guesses = models.JSONField(_("类别建议"), default=list, blank=True, editable=False)
    urgency = models.CharField(
        _("紧急程度"), max_length=8, choices=Urgency.choices, default=Urgency.NORMAL
    )
    description = models.TextField(_("诉求内容"), max_length=2000)
    industry = models.CharField(_("行业"), max_length=12, choices=Industry.choices)
    employer_name = models.CharField(_("工作单位或平台"), max_length=100, blank=True)
    city = models.CharField(_("城市"), max_length=40)
    submitter_name = models.CharField(_("姓名"), max_length=40, blank=True)
    mobile_cipher = models.TextField(editable=False)
    mobile_digest = models.CharField(max_length=64, db_index=True, editable=False)
    mobile_masked = models.CharField(_("手机号"), max_length=20, editable=False)
    mobile_tail = models.CharField(max_length=4, editable=False)
    consent_at = models.DateTimeField(_("同意个人信息处理时间"))
    idempotency_key = models.CharField(
        max_length=80, null=True, blank=True, unique=True, editable=False
    )
    # A keyed hash of the request the key came with (demands.services.request_digest): the
    # same key with another body is refused, not answered with this demand.
    request_digest = models.CharField(max_length=64, blank=True, default="", editable=False)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("登记人"),
    )

    state = models.CharField(
        _("状态"), max_length=12, choices=State.choices, default=State.ACCEPTED
    )
    union = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("督办工会"),
    )
    body = models.ForeignKey(
        "organizations.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="demands",
        verbose_name=_("责任单位"),
    )
    co_bodies = models.ManyToManyField(
        "organizations.Organization",
        blank=True,
        related_name="co_demands",
        verbose_name=_("协办单位"),
    )

    response_due = models.DateTimeField(_("首次响应时限"))
    resolution_due = models.DateTimeField(_("办结时限"))
    calendar_fallback = models.BooleanField(_("时限按周一至周五估算"), default=False)
    responded_at = models.DateTimeField(_("首次响应时间"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    response_breached = models.BooleanField(_("响应超时"), default=False)
    resolution_breached = models.BooleanField(_("办结超时"), default=False)
    is_breached = models.BooleanField(_("超时"), default=False)
    response_reminded = models.BooleanField(default=False)
    resolution_reminded = models.BooleanField(default=False)
    escalated_at = models.DateTimeField(_("督办时间"), null=True, blank=True)
    agenda_at = models.DateTimeField(_("提交联席会议时间"), null=True, blank=True)

    resolution_note = models.TextField(_("办理结果"), blank=True)
    reject_reason = models.CharField(_("不予受理理由"), max_length=500, blank=True)
    rating = models.CharField(_("评价"), max_length=12, choices=Rating.choices, blank=True)
    rating_comment = models.CharField(_("评价意见"), max_length=500, blank=True)
    reopen_count = models.PositiveSmallIntegerField(default=0)
    ratings_total = models.PositiveSmallIntegerField(default=0)
    ratings_satisfied = models.PositiveSmallIntegerField(default=0)
    possible_duplicate_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("疑似重复"),
    )
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="merged",
        verbose_name=_("合并至"),
    )

    class Meta:
        ordering = ["-id"]
        verbose_name = _("诉求")
        indexes = [
            # The staff list: newest first within a body, optionally by state and breach.
            models.Index(
                fields=["body", "state", "is_breached", "id"], name="demand_body_state_breach_idx"
            ),
            models.Index(fields=["body", "state", "id"], name="demand_body_state_idx"),
            models.Index(fields=["body", "is_breached", "id"], name="demand_body_breach_idx"),
            models.Index(fields=["union", "state", "id"], name="demand_union_state_idx"),
            # The tick: open demands by deadline.
            models.Index(fields=["state", "response_due"], name="demand_response_due_idx"),
            models.Index(fields=["state", "resolution_due"], name="demand_resolution_due_idx"),
            models.Index(
                fields=["agenda_at"], name="demand_agenda_idx", condition=Q(agenda_at__isnull=False)
            ),
            # The 待分类 queue of a union.
            models.Index(
                fields=["union", "id"],
                name="demand_triage_idx",
                condition=Q(awaiting_category=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {CATEGORY_LABELS.get(self.category, self.category)}"

    @property
    def in_triage(self) -> bool:
        """Waiting in its union's 待分类 queue (not rejected or merged meanwhile)."""
        return self.awaiting_category and self.state == State.ACCEPTED

    @property
    def guesses(self) -> list[tuple[str, int]]:
        """The classifier's three likeliest categories at intake: (label, percent)."""
        return [
            (CATEGORY_LABELS.get(category, category), round(100 * float(p)))
            for category, p in self.category_guesses or []
        ]

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def response_due_day(self) -> date:
        """The last day of the first-response limit (limits end at 24:00 of that day)."""
        return last_day(self.response_due)

    @property
    def resolution_due_day(self) -> date:
        return last_day(self.resolution_due)


def last_day(moment: datetime) -> date:
    return timezone.localtime(moment - timedelta(microseconds=1)).date()


class DemandEvent(models.Model):
    """One step of a demand's timeline. ``public`` steps are shown to the worker, without the
    name of the person who acted (only the body)."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("提交诉求")
        DISPATCHED = "dispatched", _("派单")
        ACCEPTED = "accepted", _("开始办理")
        REPLIED = "replied", _("答复")
        TRANSFERRED = "transferred", _("转办")
        RETURNED = "returned", _("退回")
        REJECTED = "rejected", _("不予受理")
        RESOLVED = "resolved", _("办结")
        RATED = "rated", _("评价")
        REOPENED = "reopened", _("重新办理")
        CATEGORY = "category", _("调整类别")
        MERGED = "merged", _("合并")
        REMINDED = "reminded", _("时限提醒")
        BREACHED = "breached", _("超时")
        ESCALATED = "escalated", _("督办")
        AGENDA = "agenda", _("提交联席会议")

    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="events")
    created_at = models.DateTimeField(auto_now_add=True)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    state = models.CharField(max_length=12, choices=State.choices)
    public = models.BooleanField(default=True)
    note = models.TextField(blank=True)
    body = models.ForeignKey(
        "organizations.Organization",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.demand_id} {self.get_kind_display()}"


class DemandPhoto(models.Model):
    """A photo attached by the worker, checked to be an image by Pillow, kept in the database
    with the demand so that a backup carries both."""

    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="photos")
    content = models.BinaryField()
    content_type = models.CharField(max_length=32)
    size = models.PositiveIntegerField()
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.demand_id} photo {self.pk}"


class RoutingRule(BaseModel):
    """Category × industry × city → responsible body (with co-handling bodies). A blank field
    matches anything; the most specific matching rule wins, then the lowest ``priority``."""

    union = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("督办工会"),
    )
    category = models.CharField(_("类别"), max_length=12, choices=Category.choices, blank=True)
    industry = models.CharField(_("行业"), max_length=12, choices=Industry.choices, blank=True)
    city = models.CharField(_("城市"), max_length=40, blank=True)
    body = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("责任单位"),
    )
    co_bodies = models.ManyToManyField(
        "organizations.Organization", blank=True, related_name="+", verbose_name=_("协办单位")
    )
    priority = models.PositiveSmallIntegerField(_("优先级"), default=100)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["priority", "id"]

    @property
    def specificity(self) -> int:
        return bool(self.category) + bool(self.industry) + bool(self.city)


class TimeLimit(BaseModel):
    """Working days for the first response and for resolution, per category (blank = any)
    and urgency. Without a row the defaults apply (1 and 5 working days)."""

    category = models.CharField(_("类别"), max_length=12, choices=Category.choices, blank=True)
    urgency = models.CharField(
        _("紧急程度"), max_length=8, choices=Urgency.choices, default=Urgency.NORMAL
    )
    response_days = models.PositiveSmallIntegerField(_("首次响应（工作日）"), default=1)
    resolution_days = models.PositiveSmallIntegerField(_("办结（工作日）"), default=5)
    escalation_days = models.PositiveSmallIntegerField(_("超时后提交联席会议（工作日）"), default=5)

    class Meta:
        ordering = ["category", "urgency"]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "urgency"], name="demand_time_limit_unique"
            ),
            models.CheckConstraint(
                condition=Q(response_days__gte=1) & Q(resolution_days__gte=1),
                name="demand_time_limit_positive",
            ),
        ]


class CalendarDay(BaseModel):
    """An official day of a year the calendar package does not cover yet (entered by a union
    admin from the State Council's notice): a holiday, or a make-up workday (调休). Takes
    precedence over the package."""

    date = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("上班"))
    name = models.CharField(_("说明"), max_length=40, blank=True)

    class Meta:
        ordering = ["date"]


class CalendarYear(BaseModel):
    """A year whose official schedule was entered in the app (so no Monday–Friday fallback)."""

    year = models.PositiveSmallIntegerField(unique=True)

    class Meta:
        ordering = ["year"]


class RollupCounters(models.Model):
    """The counters every demand rollup keeps per row: received, the three rates' numerators
    and denominators, breaches, and hour histograms to respond (``rh``) and to resolve
    (``sh``) in buckets (see services.BUCKETS)."""

    received = models.IntegerField(default=0)
    response_due = models.IntegerField(default=0)
    responded_on_time = models.IntegerField(default=0)
    resolution_due = models.IntegerField(default=0)
    resolved = models.IntegerField(default=0)
    rated = models.IntegerField(default=0)
    satisfied = models.IntegerField(default=0)
    breached = models.IntegerField(default=0)
    rh0 = models.IntegerField(default=0)
    rh1 = models.IntegerField(default=0)
    rh2 = models.IntegerField(default=0)
    rh3 = models.IntegerField(default=0)
    rh4 = models.IntegerField(default=0)
    rh5 = models.IntegerField(default=0)
    rh6 = models.IntegerField(default=0)
    rh7 = models.IntegerField(default=0)
    sh0 = models.IntegerField(default=0)
    sh1 = models.IntegerField(default=0)
    sh2 = models.IntegerField(default=0)
    sh3 = models.IntegerField(default=0)
    sh4 = models.IntegerField(default=0)
    sh5 = models.IntegerField(default=0)
    sh6 = models.IntegerField(default=0)
    sh7 = models.IntegerField(default=0)

    class Meta:
        abstract = True


class DemandRollup(RollupCounters):
    """Counts per month × body × category × city, kept current in the same transaction as every
    write, so that statistics over millions of demands are sums over a few thousand rows.
    Each demand counts twice: in its city's row and in the row for all cities (``city`` =
    ``ALL_CITIES``), which is all that statistics not about cities read (the city dimension
    multiplies the rows about sevenfold). Histogram columns hold hours to respond/resolve in
    buckets (see services.BUCKETS)."""

    ALL_CITIES = "*"

    month = models.DateField()
    body_id_key = models.IntegerField(default=0)  # 0: not routed
    category = models.CharField(max_length=12)
    city = models.CharField(max_length=40)

    class Meta:
        ordering = ["month", "body_id_key", "category", "city"]
        constraints = [
            models.UniqueConstraint(
                fields=["month", "body_id_key", "category", "city"], name="demand_rollup_key"
            ),
        ]
        indexes = [
            models.Index(fields=["body_id_key", "city", "month"], name="demand_rollup_body_idx")
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.body_id_key} {self.category} {self.city}"


class DemandIndustryRollup(RollupCounters):
    """``DemandRollup`` with the industry (行业) the demand was filed under, for the dashboard's
    industry filter: the same counters per month × body × category × industry × city, kept in
    the same transaction as ``DemandRollup`` by the same writes (services._rollup_add_both).
    Each demand counts twice, in its city's row and in the all-cities row (``city`` = ``*``).
    Rows exist only for demands' real industries: statistics over every industry read
    ``DemandRollup``, which is the sum of these rows over industries (see
    ``rollups.rebuild_rollups`` and its test)."""

    month = models.DateField()
    body_id_key = models.IntegerField(default=0)  # 0: not routed
    category = models.CharField(max_length=12)
    industry = models.CharField(max_length=12)
    city = models.CharField(max_length=40)

    class Meta:
        ordering = ["month", "body_id_key", "category", "industry", "city"]
        constraints = [
            models.UniqueConstraint(
                fields=["month", "body_id_key", "category", "industry", "city"],
                name="demand_industry_rollup_key",
            ),
        ]
        indexes = [
            models.Index(
                fields=["industry", "city", "body_id_key", "month"],
                name="demand_ind_rollup_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.body_id_key} {self.category} {self.industry} {self.city}"


class DemandBodyRollup(RollupCounters):
    """The same counters per month × body × industry (行业, or ``*`` for all), without the
    category and the city: what statistics by body or by month over a set of bodies read
    (breaches by body on the dashboard, a union's partners outside its subtree), a twelfth of
    ``DemandRollup``'s all-cities rows. Kept by the same writes (services._body_move), its rows
    taken after the other two body-keyed rollups' and before the area rows."""

    ALL = "*"

    month = models.DateField()
    body_id_key = models.IntegerField(default=0)  # 0: not routed
    industry = models.CharField(max_length=12)

    class Meta:
        ordering = ["month", "body_id_key", "industry"]
        constraints = [
            models.UniqueConstraint(
                fields=["month", "body_id_key", "industry"], name="demand_body_rollup_key"
            ),
        ]
        indexes = [
            models.Index(fields=["industry", "body_id_key", "month"], name="demand_body_rollup_idx")
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.body_id_key} {self.industry}"


class DemandAreaRollup(RollupCounters):
    """The same counters per organization *above or at* the handling body (``area_id_key``:
    every id on the body's path, the body included) × month × category, with the industry and
    the city each either a value or ``*`` (all). A union's dashboard reads its own rows (a
    dozen months × a dozen categories) instead of summing every body's rows of its subtree:
    its cost does not grow with the demands, nor with the bodies. Bodies outside the subtree
    that a union's statistics also count (its partners) are added from ``DemandRollup``
    (``reports.selectors``). Kept in the same transaction as the other two rollups
    (services._rollup_move); a unit moved by the tree import takes its rows from the unions
    it left to those it joined (rollups.move_area, docs/reports.md "Moves").
    Demands not routed to a body are in no area (as in the union statistics)."""

    ALL = "*"

    area_id_key = models.IntegerField()
    month = models.DateField()
    category = models.CharField(max_length=12)
    industry = models.CharField(max_length=12)
    city = models.CharField(max_length=40)

    class Meta:
        ordering = ["area_id_key", "month", "category", "industry", "city"]
        constraints = [
            models.UniqueConstraint(
                fields=["area_id_key", "month", "category", "industry", "city"],
                name="demand_area_rollup_key",
            ),
        ]
        indexes = [
            models.Index(
                fields=["area_id_key", "industry", "city", "month"],
                name="demand_area_rollup_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.area_id_key} {self.month:%Y-%m} {self.category} {self.industry} {self.city}"


class DemandThrottle(models.Model):
    """A rate-limit counter (per IP, per mobile digest) shared by every app server. Kept in
    its own table rather than the database cache so that checking and counting cost one
    statement each, inside the intake's own transaction (the count then exists exactly when
    the demand does). Expired rows are removed by the tick."""

    key = models.CharField(max_length=80, unique=True)
    window_ends = models.DateTimeField()
    hits = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return f"{self.key} {self.hits}"


class ClassifierVersion(BaseModel):
    """A trained category model: its file (under ``DATA_DIR/classifier/``), what it was trained
    on and how it scored on the fixed test split and the independent set. One row is active;
    without one the model shipped in the package is used."""

    version = models.PositiveIntegerField(_("版本"), unique=True)
    file_name = models.CharField(_("文件"), max_length=100)
    trained_at = models.DateTimeField(_("训练时间"))
    data_digest = models.CharField(_("训练数据摘要"), max_length=64)
    examples = models.PositiveIntegerField(_("训练样本数"))
    corrections = models.PositiveIntegerField(_("其中人工纠正样本"), default=0)
    scores = models.JSONField(_("评分"), default=dict)
    is_active = models.BooleanField(_("使用中"), default=False)
    promoted_at = models.DateTimeField(_("启用时间"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        ordering = ["-version"]
        verbose_name = _("分类模型")
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=Q(is_active=True), name="classifier_one_active"
            )
        ]

    def __str__(self) -> str:
        return f"v{self.version}"

    @property
    def test_top1(self) -> float:
        return float(self.scores.get("test", {}).get("top1", 0.0))

    @property
    def test_top3(self) -> float:
        return float(self.scores.get("test", {}).get("top3", 0.0))


class CategoryCorrection(models.Model):
    """A category a person chose for a demand's text (changed by a handler, or picked in the
    待分类 queue): a labelled example for the next training. The text is kept without mobile or
    ID numbers and without the demand's link, so it outlives the demand's personal data."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    text = models.TextField(_("诉求内容（已去除号码）"))
    suggested = models.CharField(_("模型建议"), max_length=12, choices=Category.choices)
    category = models.CharField(_("人工确定"), max_length=12, choices=Category.choices)
    industry = models.CharField(_("行业"), max_length=12, blank=True)
    trained_in = models.ForeignKey(
        ClassifierVersion,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("首次用于训练的版本"),
    )

    class Meta:
        ordering = ["-id"]
        verbose_name = _("类别纠正样本")

    def __str__(self) -> str:
        return f"{self.suggested} → {self.category}"
