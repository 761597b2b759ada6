from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from liandong.core.models import BaseModel


class ActivityKind(models.TextChoices):
    RECUPERATION = "recuperation", _("疗休养")
    MICRO_RECUPERATION = "micro_recuperation", _("微疗养")
    HOLIDAY_CARE = "holiday_care", _("节日慰问")
    VOLUNTEER = "volunteer", _("志愿服务")
    CLINIC = "clinic", _("义诊")
    TRAINING = "training", _("技能培训")
    CHARITY = "charity", _("公益活动")
    OTHER = "other", _("其他")


RECUPERATION_KINDS = [ActivityKind.RECUPERATION, ActivityKind.MICRO_RECUPERATION]


class Selection(models.TextChoices):
    FIRST_COME = "first_come", _("先到先得")
    NOMINATION = "nomination", _("单位推荐")
    LOTTERY = "lottery", _("优先序 + 抽签")
    OPEN = "open", _("开放活动（无需报名）")


class ActivityStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    OPEN = "open", _("报名中")
    DRAWN = "drawn", _("已开签")
    NOTICE = "notice", _("公示中")
    CONFIRMED = "confirmed", _("已确认")
    CANCELLED = "cancelled", _("已取消")


class Activity(BaseModel):
    """A service activity (服务活动) a union runs for workers: a recuperation trip with places,
    holiday care, a volunteer caravan with sub-venues, a training class, a free clinic.

    ``places_taken`` counts the places held by selected applications; it is only ever moved by
    one conditional UPDATE (``places_taken < total_places``), so it can never pass the total
    however many requests arrive at once. ``applicants`` (applications not withdrawn) and
    ``checked_in`` (places held and signed in) are the other tallies of its applications, moved
    by the services with each application (``UPDATE … SET n = n ± 1``): the dashboard and the
    year figures sum them over activities instead of counting 100,000 applications. A lottery commits to its seed (``seed_commitment``,
    the SHA-256 of the seed, shown publicly) before the window closes; the seed itself is
    revealed with the draw so that anyone can recompute the order.
    """

    title = models.CharField(_("活动名称"), max_length=120)
    kind = models.CharField(_("活动类型"), max_length=20, choices=ActivityKind.choices)
    organizer = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="organized_activities",
        verbose_name=_("主办单位"),
    )
    co_organizers = models.ManyToManyField(
        "organizations.Organization", blank=True, related_name="+", verbose_name=_("协办单位")
    )
    description = models.TextField(_("活动内容"), blank=True)
    place = models.CharField(_("地点 / 线路"), max_length=200, blank=True)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    target_group = models.CharField(_("服务对象"), max_length=200, blank=True)
    target_worker_types = models.JSONField(_("限职工类型"), default=list, blank=True)
    total_places = models.PositiveIntegerField(_("名额"), default=0)
    places_taken = models.PositiveIntegerField(_("已占名额"), default=0, editable=False)
    applicants = models.PositiveIntegerField(_("报名人数"), default=0, editable=False)
    checked_in = models.PositiveIntegerField(_("签到人数"), default=0, editable=False)
    selection = models.CharField(
        _("产生方式"), max_length=16, choices=Selection.choices, default=Selection.FIRST_COME
    )
    applications_open_at = models.DateTimeField(_("报名开始"), null=True, blank=True)
    applications_close_at = models.DateTimeField(_("报名截止"), null=True, blank=True)
    # Eligibility (报名条件).
    members_only = models.BooleanField(_("仅限工会会员"), default=False)
    no_recuperation_years = models.PositiveSmallIntegerField(_("近几年内未参加过疗休养"), default=0)
    min_years_registered = models.PositiveSmallIntegerField(_("登记从业满几年"), default=0)
    min_age = models.PositiveSmallIntegerField(_("最低年龄"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("最高年龄"), null=True, blank=True)
    # Priority tiers for a lottery, first match wins: "honour:劳模", "member", "worker_type:courier",
    # "never_recuperated". Applicants matching none form the last tier.
    priority_rules = models.JSONField(_("优先序"), default=list, blank=True)
    status = models.CharField(
        _("状态"),
        max_length=12,
        choices=ActivityStatus.choices,
        default=ActivityStatus.DRAFT,
        db_index=True,
    )
    seed_commitment = models.CharField(_("随机种子承诺值"), max_length=64, blank=True)
    seed = models.CharField(_("随机种子"), max_length=64, blank=True, editable=False)
    committed_at = models.DateTimeField(_("承诺时间"), null=True, blank=True)
    drawn_at = models.DateTimeField(_("开签时间"), null=True, blank=True)
    # [[application_id, tier], ...] in draw order: the published ranking.
    draw_order = models.JSONField(default=list, blank=True, editable=False)
    notice_starts_on = models.DateField(_("公示开始"), null=True, blank=True)
    notice_ends_on = models.DateField(_("公示截止"), null=True, blank=True)
    objection_channel = models.CharField(_("异议受理渠道"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # 补录: an activity held before the union used the platform, recorded afterwards with its
    # participants (created confirmed, never opened for sign-up, nothing sent to anyone).
    back_entered = models.BooleanField(_("补录"), default=False)
    back_entered_at = models.DateTimeField(_("补录时间"), null=True, blank=True)
    # A recuperation trip's partner unit and themed route (疗休养合作单位, 主题线路).
    partner_unit = models.ForeignKey(
        "PartnerUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="activities",
        verbose_name=_("合作单位"),
    )
    route = models.CharField(_("主题线路"), max_length=120, blank=True)

    class Meta:
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(places_taken__lte=models.F("total_places")),
                name="activity_never_oversold",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="activity_dates_ordered"
            ),
        ]
        indexes = [models.Index(fields=["organizer", "id"], name="activity_organizer_id_idx")]
        verbose_name = _("服务活动")

    def __str__(self) -> str:
        return self.title

    @property
    def places_left(self) -> int:
        return max(0, self.total_places - self.places_taken)

    @property
    def needs_application(self) -> bool:
        return self.selection != Selection.OPEN

    @property
    def phase_label(self) -> str:
        """The status as a person reads it: a published activity is 报名中 only while its window is open."""
        from django.utils import timezone

        if self.status != ActivityStatus.OPEN:
            return str(self.get_status_display())
        today = timezone.localdate()
        if self.ends_on < today:
            return "已结束"
        if not self.needs_application:
            return "进行中" if self.starts_on <= today else "即将开始"
        now = timezone.now()
        if self.applications_open_at and now < self.applications_open_at:
            return "即将报名"
        if self.applications_close_at and now >= self.applications_close_at:
            return "报名已截止"
        return str(self.get_status_display())


class Quota(BaseModel):
    """Places reserved for one body (名额分配): its workers apply, or it nominates, within it."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="quotas")
    body = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("单位"),
    )
    places = models.PositiveIntegerField(_("名额"))
    taken = models.PositiveIntegerField(_("已占"), default=0, editable=False)

    class Meta:
        ordering = ["activity", "id"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "body"], name="quota_one_per_body"),
            models.CheckConstraint(
                condition=Q(taken__lte=models.F("places")), name="quota_never_oversold"
            ),
        ]
        verbose_name = _("名额分配")


class SubVenue(BaseModel):
    """A stop of a caravan or a site of an open event (分会场 / 服务点)."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="sub_venues")
    name = models.CharField(_("分会场"), max_length=120)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    held_on = models.DateField(_("日期"), null=True, blank=True)

    class Meta:
        ordering = ["activity", "held_on", "id"]
        verbose_name = _("分会场")

    def __str__(self) -> str:
        return self.name


class ApplicationStatus(models.TextChoices):
    APPLIED = "applied", _("已报名")
    SELECTED = "selected", _("已入选")
    WAITLISTED = "waitlisted", _("候补")
    WITHDRAWN = "withdrawn", _("已退出")
    CONFIRMED = "confirmed", _("已确认")


HOLDING_PLACE = [ApplicationStatus.SELECTED, ApplicationStatus.CONFIRMED]


class Application(BaseModel):
    """A worker's application (报名) for an activity, or a body's nomination of a worker."""

    # Few indexes on purpose: a draw rewrites the status of every applicant (100,000 rows at
    # province scale), and on PostgreSQL each index costs an entry per rewritten row. The
    # activity is reached through the two composite indexes below, which lead with it.
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="applications", db_index=False
    )
    worker = models.ForeignKey(
        "workers.Worker", on_delete=models.PROTECT, related_name="activity_applications"
    )
    body = models.ForeignKey(
        "organizations.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("名额单位"),
        db_index=False,
    )
    status = models.CharField(_("状态"), max_length=12, choices=ApplicationStatus.choices)
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    checkin_token = models.CharField(
        max_length=43, unique=True, null=True, blank=True, editable=False
    )
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(_("评分"), null=True, blank=True)
    feedback = models.CharField(_("意见建议"), max_length=500, blank=True)
    withdrawn_reason = models.CharField(_("退出原因"), max_length=200, blank=True)

    @property
    def state(self) -> str:
        """The status as shown: after a draw, an application still "applied" is on the waiting
        list. (The draw does not rewrite the status of every applicant that was not selected:
        at 100,000 applicants that single UPDATE would cost more than the whole draw.)"""
        if self.status == ApplicationStatus.APPLIED and self.activity.drawn_at is not None:
            return ApplicationStatus.WAITLISTED
        return self.status

    @property
    def state_label(self) -> str:
        return str(ApplicationStatus(self.state).label)

    class Meta:
        ordering = ["activity", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "worker"], name="application_once_per_worker"
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="application_rating_1_to_5",
            ),
        ]
        indexes = [models.Index(fields=["activity", "status"], name="app_activity_status_idx")]
        verbose_name = _("报名")


class ServiceEntry(BaseModel):
    """People served at an open event (义剪, 义诊) without registration, per sub-venue."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="service_entries")
    sub_venue = models.ForeignKey(
        SubVenue, null=True, blank=True, on_delete=models.CASCADE, related_name="service_entries"
    )
    served_on = models.DateField(_("日期"))
    people = models.PositiveIntegerField(_("服务人次"))
    note = models.CharField(_("备注"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-served_on", "-id"]
        verbose_name = _("服务人次")


class Home(BaseModel):
    """A shared workers' home (共享职工之家): a venue owned jointly by several unions."""

    name = models.CharField(_("名称"), max_length=120)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    owners = models.ManyToManyField(
        "organizations.Organization", related_name="+", verbose_name=_("共建单位")
    )
    facilities = models.CharField(_("设施"), max_length=300, blank=True)
    opens_at = models.TimeField(_("开放时间"))
    closes_at = models.TimeField(_("关闭时间"))
    open_weekdays = models.CharField(
        _("开放日"), max_length=7, default="1234567", help_text=_("1=周一 … 7=周日")
    )
    capacity = models.PositiveIntegerField(_("容纳人数"), default=0)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("共享职工之家")

    def __str__(self) -> str:
        return self.name


class Booking(BaseModel):
    """A slot of a home booked by one of its owners (or a body under one)."""

    home = models.ForeignKey(Home, on_delete=models.CASCADE, related_name="bookings")
    owner = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("预约单位"),
    )
    starts_at = models.DateTimeField(_("开始"))
    ends_at = models.DateTimeField(_("结束"))
    purpose = models.CharField(_("用途"), max_length=120)
    people = models.PositiveIntegerField(_("人数"), default=0)
    activity = models.ForeignKey(
        Activity, null=True, blank=True, on_delete=models.SET_NULL, related_name="bookings"
    )
    cancelled = models.BooleanField(_("已取消"), default=False)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cancel_reason = models.CharField(_("取消原因"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    # Not a field: set by the home page's view for each upcoming booking it lists.
    may_cancel: bool

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="booking_ends_after_start"
            )
        ]
        indexes = [models.Index(fields=["home", "starts_at"], name="booking_home_start_idx")]
        verbose_name = _("预约")


class FundSource(models.TextChoices):
    UNION_FUNDS = "union_funds", _("工会经费")
    SPECIAL_FUND = "special_fund", _("专项资金")
    SUBSIDY = "subsidy", _("上级补助")
    OTHER = "other", _("其他")


class BudgetLine(BaseModel):
    """A budget line (预算科目) of a union for a year. ``spent`` moves only by conditional UPDATE."""

    owner = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("所属单位"),
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    source = models.CharField(_("来源"), max_length=16, choices=FundSource.choices)
    name = models.CharField(_("科目名称"), max_length=120)
    amount = models.DecimalField(_("预算金额"), max_digits=14, decimal_places=2)
    spent = models.DecimalField(
        _("已支出"), max_digits=14, decimal_places=2, default=Decimal("0"), editable=False
    )
    # How far an approved override may take ``spent`` past ``amount`` (超支上限); 0: never.
    override_ceiling = models.DecimalField(
        _("超预算上限"), max_digits=14, decimal_places=2, default=Decimal("0")
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        ordering = ["-year", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(spent__lte=models.F("amount") + models.F("override_ceiling")),
                name="budget_line_within_ceiling",
            ),
            models.CheckConstraint(
                condition=Q(override_ceiling__gte=0), name="budget_line_ceiling_not_negative"
            ),
        ]
        verbose_name = _("预算科目")

    def __str__(self) -> str:
        return f"{self.year}年 {self.name}"

    @property
    def remainder(self) -> Decimal:
        return self.amount - self.spent

    @property
    def ceiling_left(self) -> Decimal:
        """What an approved override may still spend (remainder plus the ceiling)."""
        return self.amount + self.override_ceiling - self.spent


class ExpenseKind(models.TextChoices):
    EXPENSE = "expense", _("活动支出")
    SUBSIDY = "subsidy", _("企业补助")
    LOCAL_PRODUCT = "local_product", _("特产消费")


class ExpenseStatus(models.TextChoices):
    RECORDED = "recorded", _("已入账")
    PENDING = "pending", _("待审批（超预算）")
    REJECTED = "rejected", _("已驳回")


class Expense(BaseModel):
    """Money spent from a budget line: on an activity, as a subsidy to an enterprise, or on
    local products bought through a partner merchant (以疗带游、以游促产).

    An entry is never edited: a mistake is reversed by a second entry of the opposite amount
    (``reverses`` names the entry it cancels, with the reason), and a correction is that
    reversal plus a new entry (``corrects``). Only ``recorded`` entries count; a spend over the
    line's remainder waits ``pending`` until a second union admin approves it, within the
    line's ``override_ceiling``."""

    budget_line = models.ForeignKey(BudgetLine, on_delete=models.PROTECT, related_name="expenses")
    kind = models.CharField(_("类别"), max_length=16, choices=ExpenseKind.choices)
    amount = models.DecimalField(_("金额"), max_digits=14, decimal_places=2)
    spent_on = models.DateField(_("日期"))
    activity = models.ForeignKey(
        Activity, null=True, blank=True, on_delete=models.PROTECT, related_name="expenses"
    )
    enterprise = models.ForeignKey(
        "organizations.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("企业"),
    )
    merchant = models.CharField(_("合作商户"), max_length=120, blank=True)
    local_merchant = models.ForeignKey(
        "Merchant",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="expenses",
        verbose_name=_("特产商户"),
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    override_reason = models.CharField(_("超预算说明"), max_length=200, blank=True)
    status = models.CharField(
        _("状态"),
        max_length=10,
        choices=ExpenseStatus.choices,
        default=ExpenseStatus.RECORDED,
        db_index=True,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_note = models.CharField(_("审批意见"), max_length=200, blank=True)
    reverses = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversal",
        verbose_name=_("冲销的支出"),
    )
    corrects = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
        verbose_name=_("更正的支出"),
    )
    reason = models.CharField(_("冲销 / 更正原因"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-spent_on", "-id"]
        constraints = [
            # A reversal carries the opposite (negative) amount of the entry it cancels.
            models.CheckConstraint(
                condition=(Q(reverses__isnull=True) & Q(amount__gt=0))
                | (Q(reverses__isnull=False) & Q(amount__lt=0)),
                name="expense_amount_sign",
            )
        ]
        verbose_name = _("支出")

    @property
    def is_reversal(self) -> bool:
        return self.reverses_id is not None


class PartnerUnit(BaseModel):
    """A partner recuperation unit (疗休养合作单位) under agreement with a union: a resort, a
    farm stay, a scenic area, with its capacity, price per person and themed routes."""

    owner = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("签约工会"),
    )
    name = models.CharField(_("单位名称"), max_length=120)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    contact = models.CharField(_("联系人 / 电话"), max_length=120, blank=True)
    agreement_starts_on = models.DateField(_("协议开始"))
    agreement_ends_on = models.DateField(_("协议截止"))
    capacity = models.PositiveIntegerField(_("每批接待人数"), default=0)
    price_per_person = models.DecimalField(
        _("人均价格（元）"), max_digits=10, decimal_places=2, default=Decimal("0")
    )
    routes = models.TextField(_("主题线路"), blank=True, help_text=_("每行一条"))
    active = models.BooleanField(_("合作中"), default=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(agreement_ends_on__gte=models.F("agreement_starts_on")),
                name="partner_unit_agreement_ordered",
            )
        ]
        verbose_name = _("疗休养合作单位")

    def __str__(self) -> str:
        return self.name

    @property
    def route_list(self) -> list[str]:
        return [line.strip() for line in self.routes.splitlines() if line.strip()]


class Merchant(BaseModel):
    """A local-product merchant (特产商户: a rice mill, a sesame-oil workshop) where the
    consumption-assistance spending (特产消费) is made."""

    owner = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("所属工会"),
    )
    name = models.CharField(_("商户名称"), max_length=120)
    town = models.CharField(_("所在乡镇"), max_length=60, blank=True)
    products = models.CharField(_("主要特产"), max_length=200)
    contact = models.CharField(_("联系人 / 电话"), max_length=120, blank=True)
    active = models.BooleanField(_("合作中"), default=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("特产商户")

    def __str__(self) -> str:
        return self.name
