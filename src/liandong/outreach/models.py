"""Leaders' contact with key enterprises (重点企业联系: 班子成员分片包干) and agreements
between bodies (协议, including a mechanism's charter).

A demand or an action item made from a visit's problem, and an agreement's follow-up items,
live in their own modules: this app keeps only their id, label and link (the modules do not
import each other; see hooks ``create_demand_from`` / ``create_action_item_from``)."""

from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import Q
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

from liandong.core.models import BaseModel


class KeyEnterprise(BaseModel):
    """An enterprise a union counts among its key enterprises, assigned to one of its leaders
    (班子成员) who keeps contact with it."""

    union = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("联系工会"),
    )
    enterprise = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="key_for",
        verbose_name=_("重点企业"),
    )
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("包干领导"),
    )
    area = models.CharField(_("片区"), max_length=40, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    is_active = models.BooleanField(_("联系中"), default=True)

    class Meta:
        ordering = ["union_id", "area", "id"]
        constraints = [
            models.UniqueConstraint(fields=["union", "enterprise"], name="key_enterprise_once")
        ]
        verbose_name = _("重点企业")

    def __str__(self) -> str:
        return self.enterprise.name


class Visit(BaseModel):
    """One contact visit: when, who went, what was found, what follows. A problem found may
    become a demand or an action item (one of each at most), linked back here."""

    key_enterprise = models.ForeignKey(
        KeyEnterprise, on_delete=models.PROTECT, related_name="visits", verbose_name=_("重点企业")
    )
    visited_on = models.DateField(_("走访日期"), db_index=True)
    visitors = models.CharField(_("走访人员"), max_length=200)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    findings = models.TextField(_("走访情况"))
    problem = models.TextField(_("发现的问题"), blank=True)
    follow_up = models.TextField(_("跟进措施"), blank=True)
    problem_closed_on = models.DateField(_("问题解决日期"), null=True, blank=True)
    demand_id = models.PositiveIntegerField(_("转办诉求"), null=True, blank=True)
    demand_label = models.CharField(max_length=120, blank=True)
    demand_url = models.CharField(max_length=300, blank=True)
    action_item_id = models.PositiveIntegerField(_("转督办事项"), null=True, blank=True)
    action_item_label = models.CharField(max_length=120, blank=True)
    action_item_url = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-visited_on", "-id"]
        verbose_name = _("走访记录")

    def __str__(self) -> str:
        return f"{self.key_enterprise} {self.visited_on}"

    @property
    def problem_open(self) -> bool:
        return bool(self.problem) and self.problem_closed_on is None


@deconstructible
class UploadsStorage(FileSystemStorage):
    """Agreement documents live under DATA_DIR/uploads/outreach, outside any served
    directory: only the document view sends them, after checking the caller may see the
    agreement."""

    @property
    def base_location(self) -> Path:
        return Path(settings.DATA_DIR) / "uploads" / "outreach"

    @property
    def location(self) -> str:
        return str(self.base_location.resolve())


uploads_storage = UploadsStorage()


class Agreement(BaseModel):
    """协议: a framework or cooperation agreement between bodies, or a mechanism's charter
    (章程) recorded as an agreement of its member bodies. Owned by one union (its staff keep
    it and are told before it expires)."""

    class Kind(models.TextChoices):
        FRAMEWORK = "framework", _("框架协议")
        COOPERATION = "cooperation", _("合作协议")
        CHARTER = "charter", _("机制章程")
        OTHER = "other", _("其他")

    owner = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("归口单位"),
    )
    title = models.CharField(_("协议名称"), max_length=120)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices, default=Kind.FRAMEWORK)
    signed_on = models.DateField(_("签署日期"))
    effective_on = models.DateField(_("生效日期"), null=True, blank=True)
    expires_on = models.DateField(_("到期日期"), null=True, blank=True, db_index=True)
    terms = models.TextField(_("主要条款"), blank=True)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("经办人"),
    )
    # A charter: the mechanism (meetings app) whose charter this is, by id and name.
    mechanism_id = models.PositiveIntegerField(_("联席会议机制"), null=True, blank=True)
    mechanism_name = models.CharField(max_length=120, blank=True)
    document = models.FileField(
        _("协议文本"), storage=uploads_storage, upload_to="%Y/%m/", max_length=200, blank=True
    )
    document_name = models.CharField(_("文件名"), max_length=120, blank=True)
    document_size = models.PositiveIntegerField(default=0)
    document_type = models.CharField(max_length=100, blank=True)
    # The expiry date the expiring-soon notice was sent for (sent once per date; a renewal
    # that moves the date is noticed again).
    expiry_noticed_for = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-signed_on", "-id"]
        verbose_name = _("协议")

    def __str__(self) -> str:
        return self.title

    def is_expired_on(self, today: date) -> bool:
        return self.expires_on is not None and self.expires_on < today


class AgreementParty(BaseModel):
    """A party to an agreement: a body in the organization tree, or an external body outside
    it (a foreign union such as 老挝万象市工会联合会), named with its country. Never both."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="parties")
    organization = models.ForeignKey(
        "organizations.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("签约单位"),
    )
    external_name = models.CharField(_("外部单位名称"), max_length=120, blank=True)
    external_country = models.CharField(_("国家或地区"), max_length=40, blank=True)
    signatory = models.CharField(_("签署人"), max_length=60, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(organization__isnull=False) & Q(external_name=""))
                | (Q(organization__isnull=True) & ~Q(external_name="")),
                name="agreement_party_one_kind",
            ),
            models.UniqueConstraint(
                fields=["agreement", "organization"],
                condition=Q(organization__isnull=False),
                name="agreement_party_once",
            ),
        ]
        verbose_name = _("协议方")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        if self.organization is not None:
            return self.organization.name
        return self.external_name

    @property
    def is_external(self) -> bool:
        return self.organization_id is None


class FollowUp(BaseModel):
    """A follow-up action item of an agreement (a 督办事项 in the meetings app), linked here."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="follow_ups")
    action_item_id = models.PositiveIntegerField()
    label = models.CharField(max_length=120)
    url = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("协议跟进事项")

    def __str__(self) -> str:
        return self.label
