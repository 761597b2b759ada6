from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from liandong.core.models import BaseModel


class WorkerType(models.TextChoices):
    COURIER = "courier", _("快递员")
    RIDER = "rider", _("外卖骑手")
    DRIVER = "driver", _("网约车司机")
    TRUCKER = "trucker", _("货车司机")
    BEAUTICIAN = "beautician", _("美发美容师")
    OTHER = "other", _("其他")


class Gender(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class Worker(models.Model):
    """A person the union serves (职工), above all new-employment-form workers.

    The ID and mobile numbers are never stored in clear: each is kept encrypted
    (``*_cipher``), as a keyed hash for finding and de-duplicating (``*_digest``), and as
    the masked form shown on screen (``*_masked``). Only the services in
    ``workers.services`` read the ciphertext, and each such read is audited.
    """

    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    name = models.CharField(_("姓名"), max_length=60)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices)
    id_number_cipher = models.TextField(editable=False)
    id_number_digest = models.CharField(max_length=64, unique=True, editable=False)
    id_number_masked = models.CharField(_("身份证号"), max_length=18, editable=False)
    mobile_cipher = models.TextField(editable=False)
    mobile_digest = models.CharField(max_length=64, unique=True, editable=False)
    mobile_masked = models.CharField(_("手机号"), max_length=11, editable=False)
    mobile_tail = models.CharField(_("手机尾号"), max_length=4, editable=False, db_index=True)
    employer = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="workers",
        verbose_name=_("工作单位"),
        db_index=False,  # worker_employer_id_idx leads with employer_id and serves its lookups
    )
    # Copied from the employer on every write, so that filtering by city needs no join.
    city = models.CharField(_("城市"), max_length=40, blank=True)
    occupation = models.CharField(_("职业"), max_length=40, blank=True)
    worker_type = models.CharField(
        _("职工类型"), max_length=16, choices=WorkerType.choices, default=WorkerType.OTHER
    )
    joined_union_on = models.DateField(_("入会日期"), null=True, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="worker",
    )

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="worker_name_not_empty"),
        ]
        indexes = [
            # Each list filter is paired with the id so that "newest 20 matching" is an
            # index range scan, not a sort of every match.
            # joined_union_on rides along so that "newest members of a subtree" is answered from
            # the index alone, before reading the page's rows (see selectors.worker_page).
            models.Index(
                fields=["employer", "id", "joined_union_on"], name="worker_employer_id_idx"
            ),
            models.Index(fields=["name", "id"], name="worker_name_id_idx"),
            models.Index(fields=["city", "id"], name="worker_city_id_idx"),
            models.Index(fields=["worker_type", "id"], name="worker_type_id_idx"),
            models.Index(fields=["joined_union_on"], name="worker_joined_idx"),
        ]
        verbose_name = _("职工")

    def __str__(self) -> str:
        return self.name

    @property
    def is_member(self) -> bool:
        return self.joined_union_on is not None


class RosterImport(BaseModel):
    """One upload of a roster workbook: what was read, written and rejected, and why.

    The workbook itself is not kept (it holds personal data in clear); the row errors are,
    with values masked, so that the report can be downloaded again later.
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="roster_imports",
        verbose_name=_("导入到"),
    )
    filename = models.CharField(_("文件名"), max_length=200)
    dry_run = models.BooleanField(_("仅校验"), default=False)
    skip_invalid = models.BooleanField(_("跳过无效行"), default=False)
    committed = models.BooleanField(_("已写入"), default=False)
    rows_read = models.PositiveIntegerField(_("读取"), default=0)
    rows_imported = models.PositiveIntegerField(_("新增"), default=0)
    rows_updated = models.PositiveIntegerField(_("更新"), default=0)
    rows_rejected = models.PositiveIntegerField(_("拒绝"), default=0)
    file_error = models.CharField(_("文件错误"), max_length=300, blank=True)
    # [[row, column, reason, masked value], ...], at most LIANDONG_IMPORT_MAX_ERRORS entries.
    errors = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("名册导入")


class HonourCategory(models.TextChoices):
    """Kinds of honour a worker may hold. The labels are what an activity's priority rule names
    (``honour:全国劳模``); every model-worker level also counts as ``劳模``."""

    NATIONAL_MODEL = "national_model", _("全国劳模")
    PROVINCIAL_MODEL = "provincial_model", _("省级劳模")
    CITY_MODEL = "city_model", _("市级劳模")
    MAY_DAY_MEDAL = "may_day_medal", _("五一劳动奖章")
    CRAFTSMAN = "craftsman", _("工匠")
    BEST_COURIER = "best_courier", _("最美快递员")
    CEREMONY = "ceremony", _("受邀观礼")
    SKILL_CONTEST = "skill_contest", _("技能竞赛获奖")
    OTHER = "other", _("其他荣誉")


MODEL_WORKER_CATEGORIES = [
    HonourCategory.NATIONAL_MODEL,
    HonourCategory.PROVINCIAL_MODEL,
    HonourCategory.CITY_MODEL,
]
MODEL_WORKER_TITLE = "劳模"


class Honour(BaseModel):
    """An honour a worker holds (荣誉): a model-worker title, a craftsman title, 最美快递员, an
    invitation to a national ceremony (e.g. “九三”阅兵观礼). Activities' priority rules read
    them through the ``worker_honours`` hook."""

    worker = models.ForeignKey(Worker, on_delete=models.CASCADE, related_name="honours")
    category = models.CharField(_("荣誉类别"), max_length=20, choices=HonourCategory.choices)
    title = models.CharField(_("荣誉名称"), max_length=120)
    awarded_by = models.CharField(_("授予单位"), max_length=120, blank=True)
    awarded_on = models.DateField(_("授予日期"))
    note = models.CharField(_("备注"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["worker", "-awarded_on", "id"]
        indexes = [models.Index(fields=["worker", "category"], name="honour_worker_category_idx")]
        verbose_name = _("荣誉")

    def __str__(self) -> str:
        return self.title
