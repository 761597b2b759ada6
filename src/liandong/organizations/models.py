from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from liandong.core.models import BaseModel

if TYPE_CHECKING:
    from liandong.organizations.schemas import CoverageOut

# Every node's path is its ancestors' ids, each as a fixed-width block of digits, so that
# "everything under X" is one range scan on an indexed column: path >= X.path and
# path < successor(X.path). Digits compare the same way under every collation, which keeps
# the range correct on SQLite (BINARY) and on PostgreSQL (any locale).
PATH_STEP = 10


def path_ids(path: str) -> list[int]:
    """Every organization id on ``path``, root first, the last one included (no query)."""
    return [int(path[i : i + PATH_STEP]) for i in range(0, len(path), PATH_STEP)]


def path_segment(pk: int) -> str:
    return str(pk).zfill(PATH_STEP)


def path_successor(path: str) -> str:
    """The smallest digit string of the same length that is greater than ``path``."""
    return str(int(path) + 1).zfill(len(path))


def subtree_q(path: str, field: str = "path") -> Q:
    """Rows whose ``field`` lies in the subtree rooted at ``path`` (the root included)."""
    return Q(**{f"{field}__gte": path, f"{field}__lt": path_successor(path)})


class Organization(BaseModel):
    """A node of the tree: a union at any level, a government industry authority, an
    industry association, an enterprise or platform, or a franchise outlet.

    Unions form the hierarchy 全国总工会 › 省总工会 › 产业工会 › 市/县总工会 › 街道 › 基层工会;
    an enterprise hangs under the union that covers it, and its outlets under it. Partner
    bodies (authorities, associations) are roots of their own and are linked to the unions
    they work with through ``partners``.
    """

    class Kind(models.TextChoices):
        UNION = "union", _("工会")
        UNION_FEDERATION = "federation", _("行业工会联合会")
        AUTHORITY = "authority", _("行业主管部门")
        ASSOCIATION = "association", _("行业协会")
        ENTERPRISE = "enterprise", _("企业")
        OUTLET = "outlet", _("网点")

    class Level(models.TextChoices):
        NATIONAL = "national", _("全国")
        PROVINCE = "province", _("省级")
        INDUSTRY = "industry", _("产业")
        CITY = "city", _("市/县")
        STREET = "street", _("街道")
        GRASSROOTS = "grassroots", _("基层")

    class UnionStatus(models.TextChoices):
        NONE = "none", _("未建会")
        FOUNDED = "founded", _("已建会")
        COVERED = "covered", _("联合建会覆盖")

    name = models.CharField(_("名称"), max_length=120)
    short_name = models.CharField(_("简称"), max_length=60, blank=True)
    code = models.CharField(_("编码"), max_length=40, unique=True)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices, db_index=True)
    level = models.CharField(_("层级"), max_length=16, choices=Level.choices, blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(max_length=255, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    industry = models.CharField(_("行业"), max_length=40, blank=True)
    city = models.CharField(_("城市"), max_length=40, blank=True, db_index=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    union_status = models.CharField(
        _("建会状态"),
        max_length=16,
        choices=UnionStatus.choices,
        default=UnionStatus.NONE,
    )
    union_founded_on = models.DateField(_("建会日期"), null=True, blank=True)
    # 职工人数 as the unit declares it (statistics, the tree import), independent of the workers
    # registered on the platform (worker_count below); None when not declared.
    declared_head_count = models.PositiveIntegerField(_("职工人数（申报）"), null=True, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    partners = models.ManyToManyField(
        "self", symmetrical=True, blank=True, verbose_name=_("合作单位")
    )
    # Direct counts of this node's workers, kept current by the workers services in the
    # same transaction as the write, so that coverage over a province is a sum over
    # organizations (~20k rows) rather than a scan of a million workers.
    worker_count = models.PositiveIntegerField(default=0, editable=False)
    member_count = models.PositiveIntegerField(default=0, editable=False)

    # Not fields: set on the nodes that selectors.organization_tree_with_totals returns
    # (the sums over each node's subtree) and on the API's detail object for its schema.
    subtree_workers: int
    subtree_members: int
    coverage: "CoverageOut"
    partner_ids: list[int]

    class Meta:
        ordering = ["path"]
        indexes = [
            models.Index(fields=["kind", "path"], name="org_kind_path_idx"),
            # For PostgreSQL (SQLite's path index holds the rowid already): a subtree joined
            # to another table reads its ids from the index alone, not the organizations' rows
            # (a province's 20,000: 7 -> 4 ms for each dashboard figure). Not INCLUDE (id):
            # SQLite would warn (models.W040) and build a second copy of the path index.
            models.Index(fields=["path", "id"], name="org_path_id_idx"),
        ]
        verbose_name = _("组织")

    def __str__(self) -> str:
        return self.name

    @property
    def ancestor_ids(self) -> list[int]:
        """Ids of the nodes above this one, root first, read off the path (no query)."""
        return path_ids(self.path)[:-1]

    @property
    def is_union(self) -> bool:
        return self.kind in {self.Kind.UNION, self.Kind.UNION_FEDERATION}

    @property
    def has_union(self) -> bool:
        return self.is_union or self.union_status != self.UnionStatus.NONE


class OrganizationImport(BaseModel):
    """One upload of an organization-tree workbook into ``organization``'s subtree: what was
    read, created, updated, moved and rejected, and why (organizations/importing.py)."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="tree_imports",
        verbose_name=_("导入到"),
    )
    filename = models.CharField(_("文件名"), max_length=200)
    dry_run = models.BooleanField(_("仅校验"), default=False)
    committed = models.BooleanField(_("已写入"), default=False)
    rows_read = models.PositiveIntegerField(_("读取"), default=0)
    rows_created = models.PositiveIntegerField(_("新增"), default=0)
    rows_updated = models.PositiveIntegerField(_("更新"), default=0)
    rows_moved = models.PositiveIntegerField(_("调整上级"), default=0)
    rows_rejected = models.PositiveIntegerField(_("拒绝"), default=0)
    file_error = models.CharField(_("文件错误"), max_length=300, blank=True)
    # [[row, column, reason, value], ...], at most LIANDONG_IMPORT_MAX_ERRORS entries.
    errors = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("组织导入")

    def __str__(self) -> str:
        return self.filename
