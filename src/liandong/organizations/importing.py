"""The organization tree from Excel (组织架构导入、导出).

Columns (by header, in any order; extra columns ignored): 编码, 名称, 上级编码, 类型 (required
are 编码, 名称 and 类型), 层级, 城市, 行业, 建会状态, 建会日期, 职工人数. The workbook is read with
the same safe reader as rosters (``core.workbooks``: container checks, defusedxml, streamed).

What a row means, inside the import's scope (the subtree of the ``root`` it is imported into):

- a code not yet registered creates a unit under 上级编码 (blank: under the root);
- a code registered inside the scope updates that unit: its name and the other columns the
  file has (a column the file lacks keeps what is stored), and moves it under another parent
  of the scope when 上级编码 changed. Its 类型 cannot change (it identifies the unit, as on the
  edit page): a different 类型 is an error;
- the root itself may be a row (an export holds it): its attributes are updated, it never moves;
- a code registered outside the scope is an error (never a move into or out of the scope).

Errors are found before anything is written, and an import with any rejected row writes
nothing (a tree half-imported is worse than none): unknown parent, parent outside the scope,
duplicate code, a cycle of parents, a kind not allowed under its parent's kind (the rules of
``forms.CHILD_KINDS``: outlets under enterprises, authorities and associations never under
anything), a tree deeper than the path column holds, and bad cells.

Like the roster import it runs in two passes so that it never holds the write lock for long:

1. **Validate** in autocommit (no transaction, so on SQLite no lock): the file is read whole
   (20,000 rows at most), the scope's nodes are read in one range query on the materialized
   path, and parents, cycles, kinds and depths are resolved in memory, with no query per row.
2. **Write**, level by level of the final tree (parents before children): moves of existing
   units first, each its own transaction (one UPDATE re-roots the moved subtree's paths and
   depths, and every app's ``subtree_moved`` hook moves what it keeps per area on the path); then the new units in batches of ``WRITE_BATCH_SIZE``, each batch one transaction
   (insert, then their paths from the ids, then their audit entries); then attribute changes
   in batches. A unit created by someone else between the passes with a code of the file
   stops the import at that batch (the batches before it stay, each complete); importing the
   same file again finishes it, as a re-import changes nothing that is already so.
"""

import functools
import logging
import re
import unicodedata
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import PurePath
from typing import IO, Any, cast

from django.conf import settings
from django.db import IntegrityError, connections, router, transaction
from django.db.models import CharField, F, Field, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from liandong.accounts.models import User
from liandong.core.audit import audit_entry, audit_log, diff
from liandong.core.extensions import hooks
from liandong.core.identity import calendar_date, normalize_text
from liandong.core.models import AuditLog
from liandong.core.workbooks import (
    FileRejected,
    check_container,
    first_sheet,
    open_workbook,
    sheet_rows,
)
from liandong.organizations.forms import CHILD_KINDS, FOUNDING_KINDS
from liandong.organizations.models import (
    PATH_STEP,
    Organization,
    OrganizationImport,
    path_ids,
    path_segment,
    subtree_q,
)

logger = logging.getLogger(__name__)

CODE, NAME, PARENT, KIND, LEVEL = "编码", "名称", "上级编码", "类型", "层级"
CITY, INDUSTRY, STATUS, FOUNDED, HEAD_COUNT = "城市", "行业", "建会状态", "建会日期", "职工人数"
COLUMNS = [CODE, NAME, PARENT, KIND, LEVEL, CITY, INDUSTRY, STATUS, FOUNDED, HEAD_COUNT]
REQUIRED = [CODE, NAME, KIND]
HEADER_ALIASES = {
    "单位编码": CODE,
    "组织编码": CODE,
    "单位名称": NAME,
    "组织名称": NAME,
    "上级单位编码": PARENT,
    "上级组织编码": PARENT,
    "单位类型": KIND,
    "组织类型": KIND,
    "所在城市": CITY,
    "所属行业": INDUSTRY,
    "职工数": HEAD_COUNT,
}
# Column -> the model field it sets (编码, 上级编码 and 类型 are handled on their own).
ATTRIBUTES = {
    NAME: "name",
    LEVEL: "level",
    CITY: "city",
    INDUSTRY: "industry",
    STATUS: "union_status",
    FOUNDED: "union_founded_on",
    HEAD_COUNT: "declared_head_count",
}
AUDITED = ["name", "code", "kind", "level", "parent", *list(ATTRIBUTES.values())[1:]]

MAX_DATA_ROWS = 20_000
WRITE_BATCH_SIZE = 500
HEADER_SEARCH_ROWS = 10
# path holds 255 characters: 25 segments, the root's included.
MAX_DEPTH = 255 // PATH_STEP - 1
MAX_HEAD_COUNT = 10_000_000
EXAMPLE_MARKS = ("(示例)", "（示例）")
FORMULA_PREFIXES = ("=", "+", "-", "@")

ERR_BLANK_SHEET = "工作表是空的，没有找到表头和数据"
ERR_NO_DATA = "表格只有表头，没有数据行"
ERR_MISSING = "缺少必需的列：{columns}。请检查表头（第一行）的列名"
ERR_DUPLICATE_HEADER = "表头中“{column}”出现了不止一次，请只保留一列"
ERR_TOO_MANY_ROWS = "数据超过 {limit} 行，请拆分成多个文件分批导入（先导入上级单位）"
ERR_CONFLICT = "导入过程中组织架构被其他操作修改，请重新导入"
ERR_CONFLICT_PARTIAL = (
    "导入过程中组织架构被其他操作修改，已写入 {written} 个单位后停止，请重新导入"
    "（已写入的单位再次导入时只会按表格更新，不会重复）"
)

MSG_REQUIRED = "{column}不能为空"
MSG_TOO_LONG = "{column}不能超过 {limit} 个字"
MSG_FORMULA = "{column}不能以 = + - @ 开头（疑似公式），请直接填写文字"
MSG_CHOICE = "{column}只能填写：{choices}"
MSG_DUPLICATE = "编码与第 {row} 行重复"
MSG_ELSEWHERE = "编码已被导入范围以外的单位使用，不能在此导入或移动"
MSG_PARENT_UNKNOWN = "上级编码“{code}”不存在：表中和系统中都没有这个单位"
MSG_PARENT_ELSEWHERE = "上级单位“{code}”不在导入范围内"
MSG_PARENT_SELF = "上级编码不能是本单位自己"
MSG_CYCLE = "上级关系形成循环：{chain}"
MSG_KIND_PARENT = "“{kind}”不能设在“{parent_kind}”（{code}）之下"
MSG_KIND_FIXED = "已登记的单位类型是“{kind}”，类型不能通过导入修改"
MSG_ROOT_MOVE = "这是导入到的单位本身，不能通过本次导入调整它的上级"
MSG_TOO_DEEP = "层级过深：最多 {limit} 级"
MSG_STATUS_KIND = "只有企业、网点和行业协会需要填写建会状态"
MSG_FOUNDED_NO_STATUS = "未建会的单位不应填写建会日期"
MSG_DATE = "建会日期无法识别，请填写如 2024-05-01 的日期"
MSG_DATE_FUTURE = "建会日期不能晚于今天"
MSG_DATE_TOO_EARLY = "建会日期不合理"
MSG_HEAD_COUNT = "职工人数须是 0 到 10000000 之间的整数"

K = Organization.Kind
_CHOICE_ALIASES: dict[str, dict[str, str]] = {
    KIND: {"工会联合会": K.UNION_FEDERATION, "主管部门": K.AUTHORITY, "协会": K.ASSOCIATION},
    LEVEL: {
        "省": "province",
        "省级工会": "province",
        "市": "city",
        "县": "city",
        "市级": "city",
        "县级": "city",
        "市县": "city",
        "区县": "city",
        "乡镇街道": "street",
        "乡镇": "street",
    },
    STATUS: {"是": "founded", "否": "none", "联合建会": "covered"},
}
_CHOICES = {
    KIND: Organization.Kind,
    LEVEL: Organization.Level,
    STATUS: Organization.UnionStatus,
}
_DATE_TEXT = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
_DATE_DIGITS = re.compile(r"(\d{4})(\d{2})(\d{2})")
_HEADER_MARKS = re.compile(r"^\*+|\*+$|\((?:必填|选填|可选|非必填)\)$")


def safe_text(value: object) -> str:
    """Text for a spreadsheet cell: no characters XML cannot carry, a formula trigger made
    plain text with a leading quote."""
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value if value is not None else ""))
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def normalize_header(value: object) -> str:
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value or "")))
    text = _HEADER_MARKS.sub("", _HEADER_MARKS.sub("", text.replace("\ufeff", "")))
    return HEADER_ALIASES.get(text, text)


def _clean(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    elif isinstance(value, datetime | date):
        value = value.isoformat()
    return normalize_text(value)


@functools.cache
def _choice_table(column: str) -> dict[str, str]:
    """Label, value and alias -> stored value, built once (labels are lazy translations)."""
    table = dict(_CHOICE_ALIASES.get(column, {}))
    for value, label in _CHOICES[column].choices:
        table[str(label)] = table[str(value)] = table[str(value).lower()] = str(value)
    return table


def _choice(column: str, text: str) -> str | None:
    """The stored value of a choice cell given as its label or value; None if neither."""
    folded = unicodedata.normalize("NFKC", text).replace(" ", "")
    table = _choice_table(column)
    return table.get(folded) or table.get(folded.lower())


def _choice_help(column: str) -> str:
    return "、".join(str(label) for _value, label in _CHOICES[column].choices)


def parse_date(value: object) -> date:
    """A 建会日期 cell: an Excel date, 2024-05-01, 2024/5/1, 20240501 or 2024年5月1日."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _clean(value)
    match = _DATE_TEXT.fullmatch(text) or _DATE_DIGITS.fullmatch(text)
    if not match:
        raise ValueError(text)
    return calendar_date(int(match[1]), int(match[2]), int(match[3]), what="建会日期")


@dataclass(slots=True)
class _Row:
    number: int
    code: str = ""
    parent_code: str = ""
    kind: str = ""
    values: dict[str, Any] = field(default_factory=dict)  # model field -> value (columns present)
    errors: list[tuple[str, str, str]] = field(default_factory=list)


@dataclass
class _Node:
    """A unit of the scope as pass 1 reads it."""

    pk: int
    code: str
    parent_id: int | None
    kind: str
    path: str
    depth: int
    values: dict[str, Any]


def _find_header(sheet: ReadOnlyWorksheet) -> tuple[int, dict[str, int]]:
    seen = 0
    first: tuple[int, dict[str, int]] | None = None
    for number, values in sheet_rows(sheet, min_row=1, max_col=64):
        if all(_clean(v) == "" for v in values):
            if number > 1000:
                break
            continue
        columns: dict[str, int] = {}
        for index, value in enumerate(values):
            name = normalize_header(value)
            if name in COLUMNS:
                if name in columns:
                    raise FileRejected(ERR_DUPLICATE_HEADER.format(column=name))
                columns[name] = index
        first = first or (number, columns)
        if len(columns) >= 2:
            return number, columns
        seen += 1
        if seen >= HEADER_SEARCH_ROWS:
            break
    if first is None:
        raise FileRejected(ERR_BLANK_SHEET)
    return first


def _parse_row(number: int, values: tuple, columns: dict[str, int], today: date) -> _Row | None:
    cells = {c: (values[i] if i < len(values) else None) for c, i in columns.items()}
    texts = {c: _clean(v) for c, v in cells.items()}
    if not any(texts.values()):
        return None
    if texts.get(NAME, "").endswith(EXAMPLE_MARKS):
        return None
    row = _Row(number)

    def fail(column: str, reason: str) -> None:
        row.errors.append((column, reason, texts.get(column, "")[:60]))

    for column, limit in ((CODE, 40), (NAME, 120), (PARENT, 40), (CITY, 40), (INDUSTRY, 40)):
        if column not in columns:
            continue
        text = texts[column]
        if not text and column in REQUIRED:
            fail(column, MSG_REQUIRED.format(column=column))
        elif text.startswith(FORMULA_PREFIXES):
            fail(column, MSG_FORMULA.format(column=column))
        elif len(text) > limit:
            fail(column, MSG_TOO_LONG.format(column=column, limit=limit))
        elif column == CODE:
            row.code = text
        elif column == PARENT:
            row.parent_code = text
        else:
            row.values[ATTRIBUTES[column]] = text
    kind_text = texts[KIND]
    if not kind_text:
        fail(KIND, MSG_REQUIRED.format(column=KIND))
    else:
        row.kind = _choice(KIND, kind_text) or ""
        if not row.kind:
            fail(KIND, MSG_CHOICE.format(column=KIND, choices=_choice_help(KIND)))
    if LEVEL in columns:
        level = _choice(LEVEL, texts[LEVEL]) if texts[LEVEL] else ""
        if level is None:
            fail(LEVEL, MSG_CHOICE.format(column=LEVEL, choices=_choice_help(LEVEL)))
        else:
            row.values["level"] = level
    status = None
    if STATUS in columns:
        status = _choice(STATUS, texts[STATUS]) if texts[STATUS] else Organization.UnionStatus.NONE
        if status is None:
            fail(STATUS, MSG_CHOICE.format(column=STATUS, choices=_choice_help(STATUS)))
        elif (
            status != Organization.UnionStatus.NONE and row.kind and row.kind not in FOUNDING_KINDS
        ):
            fail(STATUS, MSG_STATUS_KIND)
        else:
            row.values["union_status"] = str(status)
    if FOUNDED in columns:
        raw = cells[FOUNDED]
        founded = None
        if texts[FOUNDED]:
            try:
                founded = parse_date(raw)
            except (ValueError, TypeError, OverflowError):
                fail(FOUNDED, MSG_DATE)
            except Exception as error:  # ValidationError: read, but no such date
                fail(FOUNDED, str(getattr(error, "messages", [error])[0]))
            else:
                if founded > today:
                    fail(FOUNDED, MSG_DATE_FUTURE)
                elif founded.year < 1925:
                    fail(FOUNDED, MSG_DATE_TOO_EARLY)
                elif status == Organization.UnionStatus.NONE:
                    fail(FOUNDED, MSG_FOUNDED_NO_STATUS)
        row.values["union_founded_on"] = founded
    if HEAD_COUNT in columns:
        text = texts[HEAD_COUNT].replace(",", "").replace("，", "")
        if not text:
            row.values["declared_head_count"] = None
        elif not text.isdigit() or int(text) > MAX_HEAD_COUNT:
            fail(HEAD_COUNT, MSG_HEAD_COUNT)
        else:
            row.values["declared_head_count"] = int(text)
    if row.code and row.parent_code == row.code:
        fail(PARENT, MSG_PARENT_SELF)
    return row


_NODE_FIELDS = ["name", "level", "city", "industry", "union_status", "union_founded_on"]


class _Importer:
    def __init__(self, *, actor: User | None, root: Organization, max_errors: int) -> None:
        self.actor = actor
        self.root = root
        self.max_errors = max_errors
        self.today = timezone.localdate()
        self.rows: list[_Row] = []
        self.read = self.rejected = 0
        self.created = self.updated = self.moved = 0
        self.errors: list[list[Any]] = []
        self.nodes: dict[str, _Node] = {}
        self.plan: dict[str, tuple[str, int]] = {}  # code -> (parent code, final depth)
        self.code_of: dict[int, str] = {}

    # -- pass 1 --------------------------------------------------------------------------

    def read_sheet(self, sheet: ReadOnlyWorksheet) -> None:
        header, columns = _find_header(sheet)
        missing = [c for c in REQUIRED if c not in columns]
        if missing:
            raise FileRejected(ERR_MISSING.format(columns="、".join(missing)))
        width = max(columns.values()) + 1
        seen: dict[str, int] = {}
        for number, values in sheet_rows(sheet, min_row=header + 1, max_col=width):
            row = _parse_row(number, values, columns, self.today)
            if row is None:
                continue
            self.read += 1
            if self.read > MAX_DATA_ROWS:
                raise FileRejected(ERR_TOO_MANY_ROWS.format(limit=MAX_DATA_ROWS))
            if row.code:
                if row.code in seen:
                    row.errors.append((CODE, MSG_DUPLICATE.format(row=seen[row.code]), row.code))
                    row.code = ""  # the first row keeps the code
                else:
                    seen[row.code] = number
            self.rows.append(row)
        if not self.read:
            raise FileRejected(ERR_NO_DATA)

    def _load_scope(self) -> None:
        """Every unit of the scope, in one range query on the path."""
        fields = ["pk", "code", "parent_id", "kind", "path", "depth", *_NODE_FIELDS]
        fields.append("declared_head_count")
        for values in (
            Organization.objects.filter(subtree_q(self.root.path))
            .values_list(*fields)
            .iterator(chunk_size=5000)
        ):
            pk, code, parent_id, kind, path, depth, *rest = values
            attributes = dict(zip([*_NODE_FIELDS, "declared_head_count"], rest, strict=True))
            self.nodes[code] = _Node(pk, code, parent_id, kind, path, depth, attributes)
        self.code_of = {node.pk: code for code, node in self.nodes.items()}

    def _outside(self, codes: set[str]) -> set[str]:
        found: set[str] = set()
        ordered = sorted(codes)
        for start in range(0, len(ordered), 500):
            found |= set(
                Organization.objects.filter(code__in=ordered[start : start + 500])
                .exclude(subtree_q(self.root.path))
                .values_list("code", flat=True)
            )
        return found

    def validate(self) -> None:
        """Resolve parents, kinds, cycles and depths over the whole file, in memory."""
        self._load_scope()
        root_code = self.root.code
        by_code = {row.code: row for row in self.rows if row.code}
        outside = self._outside(
            {r.code for r in self.rows if r.code and r.code not in self.nodes}
            | {
                r.parent_code
                for r in self.rows
                if r.parent_code
                and r.parent_code not in self.nodes
                and r.parent_code not in by_code
            }
        )
        root_parent = ""
        if self.root.parent_id is not None:
            root_parent = (
                Organization.objects.filter(pk=self.root.parent_id)
                .values_list("code", flat=True)
                .first()
                or ""
            )
        parent_of: dict[str, str | None] = {}  # the final tree, for codes the file moves or adds
        for row in self.rows:
            if not row.code:
                continue
            node = self.nodes.get(row.code)
            if row.code in outside:
                row.errors.append((CODE, MSG_ELSEWHERE, row.code))
                continue
            if node is not None and row.kind and row.kind != node.kind:
                label = Organization.Kind(node.kind).label
                row.errors.append((KIND, MSG_KIND_FIXED.format(kind=label), row.kind))
            if row.code == root_code:
                if row.parent_code not in ("", root_parent):
                    row.errors.append((PARENT, MSG_ROOT_MOVE, row.parent_code))
                continue
            # A blank 上级编码 puts a new unit under the root and leaves a registered one where it is.
            parent = row.parent_code or (
                self.code_of.get(node.parent_id, root_code)
                if node is not None and node.parent_id is not None
                else root_code
            )
            if parent == row.code:
                continue  # reported by the row's own checks
            if parent in outside:
                row.errors.append((PARENT, MSG_PARENT_ELSEWHERE.format(code=parent), parent))
                continue
            if parent not in self.nodes and parent not in by_code:
                row.errors.append((PARENT, MSG_PARENT_UNKNOWN.format(code=parent), parent))
                continue
            parent_of[row.code] = parent
            parent_kind = (
                self.nodes[parent].kind
                if parent in self.nodes
                else by_code[parent].kind
                if parent in by_code
                else ""
            )
            kind = node.kind if node is not None else row.kind
            if kind and parent_kind and kind not in CHILD_KINDS.get(parent_kind, []):
                row.errors.append(
                    (
                        KIND,
                        MSG_KIND_PARENT.format(
                            kind=Organization.Kind(kind).label,
                            parent_kind=Organization.Kind(parent_kind).label,
                            code=parent,
                        ),
                        str(Organization.Kind(kind).label),
                    )
                )
        self._check_cycles_and_depths(parent_of, by_code)
        for row in self.rows:
            if row.errors:
                self.rejected += 1
                for column, reason, value in row.errors:
                    if len(self.errors) < self.max_errors:
                        self.errors.append([row.number, column, reason, value])

    def _final_parent(self, code: str, parent_of: dict[str, str | None]) -> str | None:
        if code in parent_of:
            return parent_of[code]
        node = self.nodes.get(code)
        if node is None or code == self.root.code or node.parent_id is None:
            return None
        return self.code_of.get(node.parent_id)

    def _check_cycles_and_depths(
        self, parent_of: dict[str, str | None], by_code: dict[str, _Row]
    ) -> None:
        depth: dict[str, int] = {self.root.code: self.root.depth}
        broken: set[str] = set()
        for start in parent_of:
            chain: list[str] = []
            on_chain: set[str] = set()
            code: str | None = start
            while code is not None and code not in depth and code not in broken:
                if code in on_chain:
                    loop = chain[chain.index(code) :]
                    text = " → ".join([*loop, code])
                    for member in loop:
                        if member in by_code:
                            by_code[member].errors.append(
                                (PARENT, MSG_CYCLE.format(chain=text)[:300], member)
                            )
                    broken.update(chain)
                    break
                chain.append(code)
                on_chain.add(code)
                parent = self._final_parent(code, parent_of)
                if parent is None:
                    # Above the scope only through the root: a node not reached is not in scope.
                    broken.update(chain)
                    break
                code = parent
            else:
                if code is not None and code in broken:
                    broken.update(chain)
                elif code is not None:
                    base = depth[code]
                    for member in reversed(chain):
                        base += 1
                        depth[member] = base
        self.plan = {
            code: (parent, depth[code])
            for code, parent in parent_of.items()
            if code in depth and parent is not None
        }
        # Depth: a moved unit carries its subtree along.
        heights = self._heights({code for code in self.plan if code in self.nodes})
        for code, (_parent, final) in self.plan.items():
            if final + heights.get(code, 0) > MAX_DEPTH and code in by_code:
                by_code[code].errors.append((PARENT, MSG_TOO_DEEP.format(limit=MAX_DEPTH), code))

    def _heights(self, codes: set[str]) -> dict[str, int]:
        """How many levels lie below each of ``codes`` (existing units), from their paths."""
        if not codes:
            return {}
        wanted = {self.nodes[code].path: code for code in codes}
        heights: dict[str, int] = {}
        for node in self.nodes.values():
            for end in range(PATH_STEP, len(node.path), PATH_STEP):
                code = wanted.get(node.path[:end])
                if code is not None:
                    below = node.depth - self.nodes[code].depth
                    heights[code] = max(heights.get(code, 0), below)
        return heights

    def changes_of(self, row: _Row, node: _Node) -> dict[str, Any]:
        return {name: value for name, value in row.values.items() if node.values.get(name) != value}

    def would(self) -> tuple[int, int, int]:
        """(created, updated, moved) that writing would do."""
        created = updated = moved = 0
        for row in self.rows:
            if row.errors:
                continue
            node = self.nodes.get(row.code)
            if node is None:
                created += 1
                continue
            planned = self.plan.get(row.code)
            if planned is not None and self.nodes.get(planned[0], None) is not None:
                if self.nodes[planned[0]].pk != node.parent_id:
                    moved += 1
            elif planned is not None:
                moved += 1  # under a unit the file creates
            updated += bool(self.changes_of(row, node))
        return created, updated, moved

    # -- pass 2 --------------------------------------------------------------------------

    def write(self) -> None:
        by_code = {row.code: row for row in self.rows}
        levels: dict[int, list[str]] = defaultdict(list)
        for code, (_parent, final_depth) in self.plan.items():
            levels[final_depth].append(code)
        ids = {code: node.pk for code, node in self.nodes.items()}
        placed: dict[str, tuple[str, int]] = {  # code -> (path, depth), known to be current
            self.root.code: (self.root.path, self.root.depth)
        }
        stale = False
        for level in sorted(levels):
            codes = levels[level]
            for code in codes:
                node = self.nodes.get(code)
                parent_code = self.plan[code][0]
                if node is not None and ids[parent_code] != node.parent_id:
                    self._move(node, parent_id=ids[parent_code], parent_code=parent_code)
                    stale = True
            new = [code for code in codes if code not in self.nodes]
            if not new:
                continue
            parents = {self.plan[code][0] for code in new}
            if stale:
                placed = {self.root.code: placed[self.root.code]} | {
                    c: p for c, p in placed.items() if c not in self.nodes
                }
                stale = False
            self._locate({p for p in parents if p not in placed}, placed)
            for start in range(0, len(new), WRITE_BATCH_SIZE):
                batch = [by_code[code] for code in new[start : start + WRITE_BATCH_SIZE]]
                self._create(batch, placed, ids)
        self._update_attributes(by_code)

    def _locate(self, codes: set[str], placed: dict[str, tuple[str, int]]) -> None:
        ordered = sorted(codes)
        for start in range(0, len(ordered), 500):
            for code, path, depth in Organization.objects.filter(
                code__in=ordered[start : start + 500]
            ).values_list("code", "path", "depth"):
                placed[code] = (path, depth)

    def _move(self, node: _Node, *, parent_id: int, parent_code: str) -> None:
        now = timezone.now()
        with transaction.atomic():
            path, depth = Organization.objects.values_list("path", "depth").get(pk=node.pk)
            parent_path, parent_depth = Organization.objects.values_list("path", "depth").get(
                pk=parent_id
            )
            new_path = parent_path + path_segment(node.pk)
            Organization.objects.filter(subtree_q(path)).update(
                path=Concat(
                    Value(new_path), Substr("path", len(path) + 1), output_field=CharField()
                ),
                depth=F("depth") + (parent_depth + 1 - depth),
            )
            Organization.objects.filter(pk=node.pk).update(parent_id=parent_id, updated_at=now)
            # What other apps keep per area on the path (statistics rollups) moves along.
            above_before = set(path_ids(path)) - {node.pk}
            above_after = set(path_ids(new_path)) - {node.pk}
            for moved in hooks("subtree_moved"):
                moved(
                    node.pk,
                    left=sorted(above_before - above_after),
                    joined=sorted(above_after - above_before),
                )
            entry = audit_entry(
                actor=self.actor,
                action="organizations.moved",
                changes={"parent": [node.parent_id, parent_id], "via": "import"},
            )
            entry.target_type = Organization._meta.label_lower
            entry.target_id, entry.target_repr = str(node.pk), node.code
            entry.save()
        self.moved += 1

    def _create(
        self, batch: list[_Row], placed: dict[str, tuple[str, int]], ids: dict[str, int]
    ) -> None:
        objects = []
        for row in batch:
            parent_code = self.plan[row.code][0]
            values = {k: v for k, v in row.values.items() if v is not None or k in NULLABLE}
            objects.append(
                Organization(
                    code=row.code,
                    kind=row.kind,
                    parent_id=ids[parent_code],
                    depth=placed[parent_code][1] + 1,
                    path=f"new-{uuid.uuid4().hex}",
                    **values,
                )
            )
        connection = connections[router.db_for_write(Organization)]
        quote = connection.ops.quote_name
        sql = (
            f"UPDATE {quote(Organization._meta.db_table)} SET {quote('path')} = %s "  # noqa: S608 - names from the model
            f"WHERE {quote('id')} = %s"
        )
        with transaction.atomic():
            created = Organization.objects.bulk_create(objects)
            params: list[Any] = []
            for row, organization in zip(batch, created, strict=True):
                parent_path = placed[self.plan[row.code][0]][0]
                organization.path = parent_path + path_segment(organization.pk)
                params.append([organization.path, organization.pk])
                placed[row.code] = (organization.path, organization.depth)
                ids[row.code] = organization.pk
            with connection.cursor() as cursor:
                cursor.executemany(sql, params)
            entries = []
            for organization in created:
                entry = audit_entry(
                    actor=self.actor,
                    action="organizations.created",
                    target=organization,
                    changes=diff({}, _snapshot(organization)) | {"via": ["", "import"]},
                )
                entries.append(entry)
            AuditLog.objects.bulk_create(entries, batch_size=WRITE_BATCH_SIZE)
        self.created += len(created)

    def _update_attributes(self, by_code: dict[str, _Row]) -> None:
        changed: list[tuple[_Node, dict[str, Any]]] = []
        for code, node in self.nodes.items():
            row = by_code.get(code)
            if row is not None:
                changes = self.changes_of(row, node)
                if changes:
                    changed.append((node, changes))
        for start in range(0, len(changed), WRITE_BATCH_SIZE):
            batch = changed[start : start + WRITE_BATCH_SIZE]
            now = timezone.now()
            with transaction.atomic():
                by_fields: dict[tuple[str, ...], list[tuple[_Node, dict[str, Any]]]] = defaultdict(
                    list
                )
                for node, changes in batch:
                    by_fields[tuple(sorted(changes))].append((node, changes))
                for names, group in by_fields.items():
                    _update_rows(names, group, now)
                entries = []
                for node, changes in batch:
                    entry = audit_entry(
                        actor=self.actor,
                        action="organizations.updated",
                        changes={
                            name: [_plain(node.values.get(name)), _plain(value)]
                            for name, value in changes.items()
                        }
                        | {"via": ["", "import"]},
                    )
                    entry.target_type = Organization._meta.label_lower
                    entry.target_id, entry.target_repr = str(node.pk), node.code
                    entries.append(entry)
                AuditLog.objects.bulk_create(entries)
            self.updated += len(batch)


NULLABLE = {"union_founded_on", "declared_head_count"}


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _snapshot(organization: Organization) -> dict[str, Any]:
    values = {}
    for name in AUDITED:
        value = getattr(organization, "parent_id" if name == "parent" else name)
        values[name] = _plain(value)
    return values


def _update_rows(
    names: tuple[str, ...], group: list[tuple[_Node, dict[str, Any]]], now: Any
) -> None:
    """One prepared UPDATE run over the rows that change the same fields (executemany)."""
    connection = connections[router.db_for_write(Organization)]
    quote = connection.ops.quote_name
    fields = [cast(Field, Organization._meta.get_field(name)) for name in names]
    updated_at = cast(Field, Organization._meta.get_field("updated_at"))
    assignments = ", ".join(f"{quote(str(f.column))} = %s" for f in [*fields, updated_at])
    sql = f"UPDATE {quote(Organization._meta.db_table)} SET {assignments} WHERE {quote('id')} = %s"  # noqa: S608 - names from the model, values bound
    params: list[Any] = []
    for node, changes in group:
        values = [
            "" if changes[f.name] is None and f.name not in NULLABLE else changes[f.name]
            for f in fields
        ]
        params.append(
            [
                *[f.get_db_prep_save(v, connection) for f, v in zip(fields, values, strict=True)],
                updated_at.get_db_prep_save(now, connection),
                node.pk,
            ]
        )
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


# ---------------------------------------------------------------------------------------
# The public functions.


def organization_import(
    *,
    actor: User | None,
    root: Organization,
    file: IO[bytes],
    filename: str,
    dry_run: bool = False,
) -> OrganizationImport:
    """Validate and import a tree workbook into ``root``'s subtree (see the module's doc);
    return the saved record. ``dry_run`` writes nothing but the record and its audit line."""
    record = OrganizationImport(
        actor=actor if actor is not None and actor.is_authenticated else None,
        organization=root,
        filename=PurePath(filename or "").name[:200],
        dry_run=dry_run,
    )
    importer = _Importer(
        actor=actor, root=root, max_errors=getattr(settings, "LIANDONG_IMPORT_MAX_ERRORS", 5000)
    )
    try:
        check_container(file)
        with open_workbook(file) as book:
            importer.read_sheet(first_sheet(book))
        importer.validate()
        record.rows_read, record.rows_rejected = importer.read, importer.rejected
        record.errors = importer.errors
        if dry_run or importer.rejected:
            record.rows_created, record.rows_updated, record.rows_moved = importer.would()
        else:
            importer.write()
            record.committed = True
            record.rows_created = importer.created
            record.rows_updated, record.rows_moved = importer.updated, importer.moved
    except FileRejected as error:
        record.file_error = str(error)[:300]
    except IntegrityError:
        logger.warning("Organization import %s stopped on a unique conflict", filename)
        written = importer.created + importer.updated + importer.moved
        record.file_error = (
            ERR_CONFLICT_PARTIAL.format(written=written) if written else ERR_CONFLICT
        )
        record.committed = written > 0
        record.rows_created = importer.created
        record.rows_updated, record.rows_moved = importer.updated, importer.moved
    record.save()
    audit_log(
        actor=actor,
        action="organizations.imported",
        target=record,
        changes={
            "organization": root.pk,
            "dry_run": dry_run,
            "committed": record.committed,
            "rows_read": record.rows_read,
            "rows_created": record.rows_created,
            "rows_updated": record.rows_updated,
            "rows_moved": record.rows_moved,
            "rows_rejected": record.rows_rejected,
            "file_error": record.file_error,
        },
    )
    return record


def _workbook_bytes(book: Workbook) -> bytes:
    import io

    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _label(choices: Any, value: str) -> str:
    return str(choices(value).label) if value else ""


def organization_tree_xlsx(*, actor: User | None, root: Organization) -> bytes:
    """``root`` and its subtree in tree order, in the import's columns (a file that imports
    back unchanged), the export written to the audit log."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("组织架构")
    sheet.append(COLUMNS)
    rows = Organization.objects.filter(subtree_q(root.path)).order_by("path")
    codes = dict(rows.values_list("pk", "code"))
    if root.parent_id:
        codes[root.parent_id] = Organization.objects.values_list("code", flat=True).get(
            pk=root.parent_id
        )
    for org in rows.iterator(chunk_size=2000):
        sheet.append(
            [
                safe_text(org.code),
                safe_text(org.name),
                safe_text(codes.get(org.parent_id, "") if org.parent_id else ""),
                _label(Organization.Kind, org.kind),
                _label(Organization.Level, org.level),
                safe_text(org.city),
                safe_text(org.industry),
                _label(Organization.UnionStatus, org.union_status),
                org.union_founded_on.isoformat() if org.union_founded_on else "",
                org.declared_head_count if org.declared_head_count is not None else "",
            ]
        )
    audit_log(
        actor=actor, action="organizations.exported", target=root, changes={"rows": len(codes)}
    )
    return _workbook_bytes(book)


TEMPLATE_HELP = [
    "填写说明",
    "1. 第一行是表头，请勿修改列名；列的顺序可以调整，多余的列会被忽略。",
    "2. 必填：编码、名称、类型。编码全局唯一（如统一社会信用代码或内部编码）。",
    "3. 上级编码：上级单位的编码，可以是表中其他行，也可以是系统中已有的单位；不填时新单位挂在导入到的单位之下，已登记的单位保持原上级。",
    "4. 类型：工会、行业工会联合会、企业、网点。网点只能挂在企业之下；企业只能挂在工会或行业工会联合会之下。",
    "5. 层级：全国、省级、产业、市/县、街道、基层，可不填。",
    "6. 建会状态：未建会、已建会、联合建会覆盖，只有企业、网点和行业协会填写；建会日期如 2024-05-01。",
    "7. 职工人数：单位申报的职工人数（整数），与平台登记的职工人数分开统计。",
    "8. 编码已登记的单位会按表格更新名称等信息，上级编码变化时会调整到新的上级之下；类型不能修改。",
    "9. 只能导入到本单位的范围内；有任何一行出错时整批都不写入。一次最多 20000 行。",
    "10. 第 2 行是示例（名称带“（示例）”），导入时会自动跳过，可以删除。",
]


def organization_template_xlsx() -> bytes:
    from openpyxl.styles import Font, PatternFill

    book = Workbook()
    sheet = book.active
    if sheet is None:  # a new workbook always opens on one sheet
        raise RuntimeError("openpyxl Workbook() has no active sheet")
    sheet.title = "组织架构"
    sheet.append(COLUMNS)
    sheet.append(
        [
            "EXAMPLE-001",
            "某某快递有限公司（示例）",
            "",
            "企业",
            "",
            "兰州",
            "快递",
            "已建会",
            "2024-05-01",
            120,
        ]
    )
    bold, grey = Font(bold=True), Font(color="808080", italic=True)
    fill = PatternFill("solid", fgColor="FFF2CC")
    for index, column in enumerate(COLUMNS, start=1):
        header = sheet.cell(row=1, column=index)
        header.font = bold
        if column in REQUIRED:
            header.fill = fill
        sheet.cell(row=2, column=index).font = grey
        sheet.column_dimensions[get_column_letter(index)].width = 24 if column == NAME else 14
    sheet.freeze_panes = "A2"
    notes = book.create_sheet("填写说明")
    notes.column_dimensions["A"].width = 110
    for line in TEMPLATE_HELP:
        notes.append([line])
    notes["A1"].font = bold
    return _workbook_bytes(book)
