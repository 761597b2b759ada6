"""Democratic management (民主管理) of enterprises: workers' congresses, proposals, open affairs,
collective negotiation, the case library and model-worker nominations.

Every record belongs to one enterprise (or, for an industry-wide negotiation and a case, to a
union); it is visible to that enterprise's union and the unions above it, found by the
organization's materialized path.
"""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from liandong.core.models import BaseModel


def cn_date(value: date | None) -> str:
    """2026年5月1日, the way dates are written on screen."""
    return f"{value.year}年{value.month}月{value.day}日" if value else ""


class Congress(BaseModel):
    """One sitting of an enterprise's workers' congress (职工代表大会), e.g. 第五届第三次.

    ``cosign_threshold`` is how many delegates must co-sign (附议) a proposal before the
    proposal committee may review it; ``frontline_quota`` the lowest share of frontline workers
    among the delegates (in percent) that the quota check requires."""

    class Status(models.TextChoices):
        PREPARING = "preparing", _("筹备中")
        OPEN = "open", _("会议期间")
        CLOSED = "closed", _("已闭会")

    enterprise = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="congresses",
        verbose_name=_("企业"),
    )
    term = models.PositiveSmallIntegerField(_("届"))
    session = models.PositiveSmallIntegerField(_("次"))
    title = models.CharField(_("名称"), max_length=120)
    held_on = models.DateField(_("召开日期"))
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.PREPARING
    )
    cosign_threshold = models.PositiveSmallIntegerField(_("附议人数下限"), default=2)
    frontline_quota = models.PositiveSmallIntegerField(_("一线职工代表比例下限（%）"), default=50)

    class Meta:
        ordering = ["-held_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "term", "session"], name="congress_unique_sitting"
            ),
            models.CheckConstraint(
                condition=Q(frontline_quota__lte=100), name="congress_quota_percent"
            ),
        ]
        verbose_name = _("职工代表大会")

    def __str__(self) -> str:
        return self.title


class Delegate(BaseModel):
    """A worker elected as a delegate (职工代表) of one congress, from a constituency (选区)."""

    congress = models.ForeignKey(Congress, on_delete=models.CASCADE, related_name="delegates")
    worker = models.ForeignKey(
        "workers.Worker",
        on_delete=models.PROTECT,
        related_name="delegacies",
        verbose_name=_("职工"),
    )
    constituency = models.CharField(_("选区"), max_length=60)
    is_frontline = models.BooleanField(_("一线职工"), default=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["congress", "worker"], name="delegate_once_per_congress"
            )
        ]
        verbose_name = _("职工代表")

    def __str__(self) -> str:
        return self.worker.name


class AgendaItem(BaseModel):
    """An item put to the congress (议程), voted on by the delegates present."""

    class Result(models.TextChoices):
        PENDING = "pending", _("未表决")
        PASSED = "passed", _("通过")
        FAILED = "failed", _("未通过")

    congress = models.ForeignKey(Congress, on_delete=models.CASCADE, related_name="agenda_items")
    order = models.PositiveSmallIntegerField(_("序号"), default=1)
    title = models.CharField(_("议程"), max_length=200)
    result = models.CharField(
        _("表决结果"), max_length=10, choices=Result.choices, default=Result.PENDING
    )
    present = models.PositiveIntegerField(_("到会代表"), null=True, blank=True)
    votes_for = models.PositiveIntegerField(_("赞成"), null=True, blank=True)
    votes_against = models.PositiveIntegerField(_("反对"), null=True, blank=True)
    abstentions = models.PositiveIntegerField(_("弃权"), null=True, blank=True)
    delegates_total = models.PositiveIntegerField(_("代表总数"), null=True, blank=True)
    voted_at = models.DateTimeField(_("表决时间"), null=True, blank=True)
    resolution = models.TextField(_("决议"), blank=True)

    class Meta:
        ordering = ["congress", "order", "id"]
        verbose_name = _("议程")

    def __str__(self) -> str:
        return self.title


class Department(BaseModel):
    """A department of the enterprise that handles proposals (承办部门), e.g. 人力资源部."""

    enterprise = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="democracy_departments"
    )
    name = models.CharField(_("部门"), max_length=60)

    class Meta:
        ordering = ["enterprise", "name"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "name"], name="department_unique_name")
        ]
        verbose_name = _("承办部门")

    def __str__(self) -> str:
        return self.name


class Proposal(BaseModel):
    """A delegate's proposal (提案) to a congress, with its co-signers, the proposal committee's
    decision, the handling department's answer and the proposer's rating."""

    class Category(models.TextChoices):
        WAGES = "wages", _("工资待遇")
        SAFETY = "safety", _("安全生产")
        WELFARE = "welfare", _("生活福利")
        TRAINING = "training", _("教育培训")
        MANAGEMENT = "management", _("经营管理")
        OTHER = "other", _("其他")

    class Status(models.TextChoices):
        COSIGNING = "cosigning", _("征集附议")
        ACCEPTED = "accepted", _("已立案办理中")
        CONVERTED = "converted", _("转为意见建议")
        REJECTED = "rejected", _("不予立案")
        ANSWERED = "answered", _("已答复待评价")
        CLOSED = "closed", _("已办结")

    class Rating(models.TextChoices):
        SATISFIED = "satisfied", _("满意")
        BASIC = "basic", _("基本满意")
        UNSATISFIED = "unsatisfied", _("不满意")

    congress = models.ForeignKey(Congress, on_delete=models.PROTECT, related_name="proposals")
    # Copied from the congress so that the enterprise's list is one index range.
    enterprise = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="proposals"
    )
    proposer = models.ForeignKey(
        Delegate, on_delete=models.PROTECT, related_name="proposals", verbose_name=_("提案人")
    )
    number = models.PositiveIntegerField(_("编号"))
    title = models.CharField(_("案由"), max_length=120)
    reasons = models.TextField(_("理由"))
    measures = models.TextField(_("建议措施"))
    category = models.CharField(_("类别"), max_length=12, choices=Category.choices)
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.COSIGNING
    )
    cosign_count = models.PositiveSmallIntegerField(_("附议人数"), default=0)
    decided_at = models.DateTimeField(_("审查时间"), null=True, blank=True)
    decision_reason = models.TextField(_("审查意见"), blank=True)
    department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="proposals",
        verbose_name=_("承办部门"),
    )
    deadline = models.DateField(_("办理期限"), null=True, blank=True)
    answer = models.TextField(_("答复"), blank=True)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    rating = models.CharField(_("评价"), max_length=12, choices=Rating.choices, blank=True)
    rated_at = models.DateTimeField(_("评价时间"), null=True, blank=True)
    reopened = models.BooleanField(_("已重新办理"), default=False)
    is_outstanding = models.BooleanField(_("优秀提案"), default=False)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["congress", "number"], name="proposal_unique_number")
        ]
        indexes = [
            models.Index(fields=["enterprise", "id"], name="proposal_enterprise_id_idx"),
            models.Index(fields=["enterprise", "status", "id"], name="proposal_ent_status_idx"),
            models.Index(fields=["is_outstanding", "id"], name="proposal_outstanding_idx"),
        ]
        verbose_name = _("提案")

    def __str__(self) -> str:
        return self.title

    @property
    def decision_label(self) -> str:
        if self.department_id:
            return "立案"
        return {"converted": "转为意见建议", "rejected": "不予立案"}.get(self.status, "")

    @property
    def status_tone(self) -> str:
        return {
            "cosigning": "blue",
            "accepted": "amber",
            "answered": "amber",
            "closed": "green",
            "rejected": "red",
        }.get(self.status, "neutral")


class CoSignature(BaseModel):
    """One delegate's co-signature (附议) of another delegate's proposal."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="cosignatures")
    delegate = models.ForeignKey(Delegate, on_delete=models.PROTECT, related_name="cosignatures")

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["proposal", "delegate"], name="cosign_once")]


class ProposalTally(models.Model):
    """Counts of proposals per enterprise and year (the year of the congress), kept current in
    the same transaction as every proposal write, so that figures over a park or a city are a
    sum over a few rows rather than a scan of the proposals."""

    enterprise = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="+"
    )
    year = models.PositiveSmallIntegerField()
    collected = models.PositiveIntegerField(default=0)
    accepted = models.PositiveIntegerField(default=0)  # 立案 (ever)
    converted = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    answered = models.PositiveIntegerField(default=0)  # answered at least once
    closed = models.PositiveIntegerField(default=0)
    satisfied = models.PositiveIntegerField(default=0)
    basic = models.PositiveIntegerField(default=0)
    unsatisfied = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["enterprise", "year"]
        constraints = [models.UniqueConstraint(fields=["enterprise", "year"], name="tally_unique")]

    def __str__(self) -> str:
        return f"{self.enterprise_id}/{self.year}"


class Disclosure(BaseModel):
    """A 厂务公开 item: something the enterprise discloses to its workers for a period."""

    class Category(models.TextChoices):
        WAGES = "wages", _("工资分配")
        WELFARE = "welfare", _("福利保险")
        SAFETY = "safety", _("安全生产")
        DECISIONS = "decisions", _("重大决策")
        HR = "hr", _("劳动用工")
        OTHER = "other", _("其他")

    enterprise = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="disclosures",
        verbose_name=_("企业"),
    )
    category = models.CharField(_("类别"), max_length=12, choices=Category.choices)
    title = models.CharField(_("标题"), max_length=120)
    body = models.TextField(_("内容"))
    publish_on = models.DateField(_("公开日期"))
    expires_on = models.DateField(_("截止日期"), null=True, blank=True)
    read_count = models.PositiveIntegerField(_("已读人数"), default=0)

    class Meta:
        ordering = ["-publish_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gte=models.F("publish_on")),
                name="disclosure_dates_in_order",
            )
        ]
        verbose_name = _("厂务公开事项")

    def __str__(self) -> str:
        return self.title


class DisclosureRead(BaseModel):
    """A read receipt: a worker opened a disclosure (once per worker)."""

    disclosure = models.ForeignKey(Disclosure, on_delete=models.CASCADE, related_name="reads")
    worker = models.ForeignKey("workers.Worker", on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["disclosure", "worker"], name="disclosure_read_once")
        ]


class Negotiation(BaseModel):
    """A collective negotiation (集体协商) between a union side and an employer side; for an
    industry-wide agreement the employer side is an industry association."""

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", _("协商中")
        CONCLUDED = "concluded", _("已签订")
        FAILED = "failed", _("未达成")

    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="negotiations",
        verbose_name=_("工会/企业"),
    )
    title = models.CharField(_("名称"), max_length=120)
    industry_wide = models.BooleanField(_("行业性协商"), default=False)
    union_side = models.CharField(_("职工方"), max_length=120)
    employer_side = models.CharField(_("企业方/行业协会"), max_length=120)
    topics = models.CharField(_("协商议题"), max_length=300, help_text=_("用顿号或逗号分隔"))
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.IN_PROGRESS
    )
    started_on = models.DateField(_("开始日期"))

    class Meta:
        ordering = ["-started_on", "-id"]
        verbose_name = _("集体协商")

    def __str__(self) -> str:
        return self.title

    @property
    def topic_list(self) -> list[str]:
        return [
            t.strip()
            for t in self.topics.replace("，", "、").replace(",", "、").split("、")
            if t.strip()
        ]


class NegotiationRound(BaseModel):
    negotiation = models.ForeignKey(Negotiation, on_delete=models.CASCADE, related_name="rounds")
    number = models.PositiveSmallIntegerField(_("轮次"))
    held_on = models.DateField(_("日期"))
    summary = models.TextField(_("协商情况"))

    class Meta:
        ordering = ["negotiation", "number"]
        constraints = [
            models.UniqueConstraint(fields=["negotiation", "number"], name="round_unique_number")
        ]


class NegotiationOutcome(BaseModel):
    """A figure agreed on, e.g. 行业最低工资标准 +340 元."""

    negotiation = models.ForeignKey(Negotiation, on_delete=models.CASCADE, related_name="outcomes")
    topic = models.CharField(_("议题"), max_length=60)
    change = models.DecimalField(_("变化"), max_digits=12, decimal_places=2)
    unit = models.CharField(_("单位"), max_length=12, default="元")

    class Meta:
        ordering = ["id"]


class CollectiveContract(BaseModel):
    """The contract a negotiation produced, with its term and the coverage it reaches."""

    negotiation = models.OneToOneField(
        Negotiation, on_delete=models.CASCADE, related_name="contract"
    )
    title = models.CharField(_("合同名称"), max_length=120)
    signed_on = models.DateField(_("签订日期"))
    effective_on = models.DateField(_("生效日期"))
    expires_on = models.DateField(_("到期日期"))
    enterprises_covered = models.PositiveIntegerField(_("覆盖企业数"), default=1)
    workers_covered = models.PositiveIntegerField(_("覆盖职工数"), default=0)
    reminder_sent_on = models.DateField(_("到期提醒日期"), null=True, blank=True)

    class Meta:
        ordering = ["expires_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__gt=models.F("effective_on")), name="contract_term_in_order"
            )
        ]

    def __str__(self) -> str:
        return self.title


class Case(BaseModel):
    """A typical case (典型案例) of the case library, curated by a union."""

    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="democracy_cases",
        verbose_name=_("单位"),
    )
    title = models.CharField(_("标题"), max_length=120)
    summary = models.TextField(_("案例简介"))
    tags = models.CharField(_("标签"), max_length=200, blank=True, help_text=_("用顿号或逗号分隔"))
    teaching = models.TextField(_("教学要点"), blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("典型案例")

    def __str__(self) -> str:
        return self.title

    @property
    def tag_list(self) -> list[str]:
        return [
            t.strip()
            for t in self.tags.replace("，", "、").replace(",", "、").split("、")
            if t.strip()
        ]


class CaseAttachment(BaseModel):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="democracy/cases/%Y/")
    name = models.CharField(_("文件名"), max_length=200)

    class Meta:
        ordering = ["id"]


class TeachingPoint(BaseModel):
    """An enterprise marked as a teaching point (教学点) of democratic management."""

    enterprise = models.OneToOneField(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="teaching_point",
        verbose_name=_("企业"),
    )
    honour = models.CharField(_("荣誉"), max_length=120, blank=True)
    since = models.DateField(_("设立日期"))
    note = models.TextField(_("特色做法"), blank=True)

    class Meta:
        ordering = ["-since", "-id"]
        verbose_name = _("教学点")


class Nomination(BaseModel):
    """A model-worker nomination (劳模推荐): deeds, review by levels, public notice, confirmation."""

    class Level(models.TextChoices):
        CITY = "city", _("市级劳模")
        PROVINCE = "province", _("省级劳模")
        NATIONAL = "national", _("全国劳模")

    class Status(models.TextChoices):
        REVIEWING = "reviewing", _("逐级审核中")
        NOTICE = "notice", _("公示中")
        CONFIRMED = "confirmed", _("已确认")
        REJECTED = "rejected", _("未通过")

    worker = models.ForeignKey(
        "workers.Worker",
        on_delete=models.PROTECT,
        related_name="nominations",
        verbose_name=_("被推荐人"),
    )
    nominated_by = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="nominations",
        verbose_name=_("推荐单位"),
    )
    level = models.CharField(_("推荐级别"), max_length=10, choices=Level.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    deeds = models.TextField(_("主要事迹"))
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.REVIEWING
    )
    reviews_required = models.PositiveSmallIntegerField(_("审核层级数"), default=2)
    notice_starts_on = models.DateField(_("公示开始"), null=True, blank=True)
    notice_ends_on = models.DateField(_("公示截止"), null=True, blank=True)
    confirmed_on = models.DateField(_("确认日期"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["worker", "level", "year"], name="nomination_once_a_year"
            )
        ]
        verbose_name = _("劳模推荐")

    def __str__(self) -> str:
        return f"{self.worker.name} · {self.get_level_display()}"


class NominationReview(BaseModel):
    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="reviews")
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="+"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved = models.BooleanField()
    comment = models.TextField(_("审核意见"), blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["nomination", "organization"], name="review_once_per_body"
            )
        ]


class Objection(BaseModel):
    """An objection raised during a nomination's public notice (异议). The contact is kept
    masked only: the union calls back through the channel the objector chose."""

    class Status(models.TextChoices):
        OPEN = "open", _("待核查")
        UPHELD = "upheld", _("异议成立")
        DISMISSED = "dismissed", _("异议不成立")

    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="objections")
    body = models.TextField(_("异议内容"))
    contact_masked = models.CharField(_("联系方式"), max_length=20, blank=True)
    contact_cipher = models.TextField(blank=True, editable=False)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.OPEN)
    finding = models.TextField(_("核查结论"), blank=True)

    class Meta:
        ordering = ["id"]
