"""Labour-dispute mediation (劳动争议调解, the 枫桥经验): a case accepted by a union's
mediation committee, its two parties, the mediators, the sessions held and the outcome
(an agreement, a referral to labour arbitration, or the applicant's withdrawal), within a
time limit counted in Chinese working days."""

from datetime import date, timedelta

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

from liandong.core.models import BaseModel


class CaseType(models.TextChoices):
    WAGES = "wages", _("劳动报酬")
    CONTRACT = "contract", _("劳动合同")
    INSURANCE = "insurance", _("社会保险")
    INJURY = "injury", _("工伤待遇")
    REST = "rest", _("工作时间和休息休假")
    OTHER = "other", _("其他")


# 《劳动争议调解仲裁法》第十四条: a dispute not settled within 15 days of the committee's
# acceptance may go to arbitration. Counted here in working days, configurable per case type.
DEFAULT_LIMIT_DAYS = 15
MAX_EXTENSION_DAYS = 15


class State(models.TextChoices):
    ACCEPTED = "accepted", _("已受理")
    MEDIATING = "mediating", _("调解中")
    AGREED = "agreed", _("达成调解协议")
    REFERRED = "referred", _("转劳动仲裁")
    WITHDRAWN = "withdrawn", _("申请人撤回")


OPEN_STATES = (State.ACCEPTED, State.MEDIATING)
CLOSED_STATES = (State.AGREED, State.REFERRED, State.WITHDRAWN)


@deconstructible
class DocumentStorage(FileSystemStorage):
    """Signed agreements live under DATA_DIR/uploads/mediation, outside any served directory;
    only the permission-checked download view sends them."""

    @property
    def base_location(self) -> str:
        return str(settings.DATA_DIR / "uploads" / "mediation")

    @property
    def location(self) -> str:
        return str((settings.DATA_DIR / "uploads" / "mediation").resolve())


document_storage = DocumentStorage()


class TimeLimit(BaseModel):
    """A union's time limit for one case type (the default applies where none is set)."""

    union = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="+"
    )
    case_type = models.CharField(_("案件类型"), max_length=16, choices=CaseType.choices)
    working_days = models.PositiveSmallIntegerField(_("调解时限（工作日）"))

    class Meta:
        ordering = ["union_id", "case_type"]
        constraints = [
            models.UniqueConstraint(fields=["union", "case_type"], name="mediation_limit_unique")
        ]


class Case(BaseModel):
    code = models.CharField(_("案件编号"), max_length=20, unique=True)
    union = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("受理工会"),
    )
    case_type = models.CharField(_("案件类型"), max_length=16, choices=CaseType.choices)
    summary = models.TextField(_("争议事项"), max_length=2000)
    claim_amount = models.DecimalField(
        _("申请金额（元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    state = models.CharField(
        _("状态"), max_length=16, choices=State.choices, default=State.ACCEPTED
    )
    # The originating demand (another module: its id and code, no foreign key).
    demand_id = models.PositiveIntegerField(null=True, blank=True, unique=True)
    demand_code = models.CharField(max_length=20, blank=True)
    mediators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="mediation_cases"
    )
    accepted_at = models.DateTimeField(_("受理时间"), default=timezone.now)
    limit_days = models.PositiveSmallIntegerField(_("调解时限（工作日）"))
    due_at = models.DateTimeField(_("调解期限"))
    calendar_fallback = models.BooleanField(default=False)
    extension_days = models.PositiveSmallIntegerField(default=0)
    extension_reason = models.CharField(_("延长理由"), max_length=200, blank=True)
    extended_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # outcome
    agreement_terms = models.TextField(_("协议内容"), max_length=4000, blank=True)
    agreement_amount = models.DecimalField(
        _("协议金额（元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    agreement_signed_on = models.DateField(_("签订日期"), null=True, blank=True)
    agreement_document = models.FileField(
        storage=document_storage, upload_to="%Y/%m/", max_length=200, blank=True
    )
    agreement_document_name = models.CharField(max_length=120, blank=True)
    referral_reason = models.CharField(_("转仲裁原因"), max_length=500, blank=True)
    withdrawal_reason = models.CharField(_("撤回原因"), max_length=500, blank=True)
    # the tick's reminders, once per deadline (an extension moves the deadline)
    due_soon_sent_for = models.DateTimeField(null=True, blank=True)
    overdue_sent_for = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-accepted_at", "-id"]
        indexes = [models.Index(fields=["state", "due_at"], name="mediation_open_due")]

    def __str__(self) -> str:
        return self.code

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def is_overdue(self) -> bool:
        return self.is_open and timezone.now() >= self.due_at

    @property
    def closed_in_time(self) -> bool | None:
        if self.closed_at is None:
            return None
        return self.closed_at < self.due_at

    @property
    def due_day(self) -> date:
        """The last day of the limit (``due_at`` is the midnight after it)."""
        return (timezone.localtime(self.due_at) - timedelta(days=1)).date()

    @property
    def agenda_key(self) -> str:
        return f"mediation.case:{self.pk}"


class Party(BaseModel):
    class Role(models.TextChoices):
        APPLICANT = "applicant", _("申请人")
        RESPONDENT = "respondent", _("被申请人")

    class Kind(models.TextChoices):
        PERSON = "person", _("个人")
        ENTERPRISE = "enterprise", _("用人单位")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="parties")
    role = models.CharField(_("当事人"), max_length=12, choices=Role.choices)
    kind = models.CharField(_("类别"), max_length=12, choices=Kind.choices)
    name = models.CharField(_("姓名或单位名称"), max_length=100)
    contact_name = models.CharField(_("联系人"), max_length=40, blank=True)
    # ID and mobile numbers: encrypted, with a keyed digest and the masked form (workers'
    # SealedIdentity does the same for the roster); empty when not given.
    id_number_cipher = models.TextField(blank=True, editable=False)
    id_number_digest = models.CharField(max_length=64, blank=True, db_index=True)
    id_number_masked = models.CharField(_("身份证号"), max_length=18, blank=True)
    mobile_cipher = models.TextField(blank=True, editable=False)
    mobile_digest = models.CharField(max_length=64, blank=True, db_index=True)
    mobile_masked = models.CharField(_("手机号"), max_length=11, blank=True)

    class Meta:
        ordering = ["case_id", "role"]
        constraints = [
            models.UniqueConstraint(fields=["case", "role"], name="mediation_party_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Session(BaseModel):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="sessions")
    held_on = models.DateField(_("调解日期"))
    place = models.CharField(_("地点"), max_length=100)
    attendees = models.CharField(_("参加人员"), max_length=300)
    notes = models.TextField(_("调解记录"), max_length=4000, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["held_on", "id"]
