"""Roster import from Excel (名册导入).

A workbook is checked as a container before anything parses it (size, file type, ZIP entry
count and uncompressed size, macros), then streamed row by row with openpyxl in read-only
mode, so that 100,000 rows take bounded memory (``core.workbooks``).

An import runs in two passes so that it never holds the database's write lock for long (on
SQLite there is one lock for the whole file, and public intake must keep answering while a
100,000-row roster goes in):

1. **Validate** every row, in batches, with read-only queries in autocommit: no transaction is
   opened, so on SQLite (``transaction_mode=IMMEDIATE``, where every ``atomic`` takes the write
   lock) a dry run takes no lock at all. A dry run ends here; so does an import with a bad row
   and without ``skip_invalid`` (nothing is written). The valid rows are kept in memory.
2. **Write** the valid rows in batches of ``WRITE_BATCH_SIZE``, each its own short
   transaction: the workers, their audit entries and the employers' stored counts go in
   together, so that whatever point a failure (or a killed process) stops at, the rows
   written are complete and the counts match them. Each batch is checked against the
   database again just before it is written (someone may have registered a person since
   pass 1): a row that became invalid is rejected and reported like any other. A unique
   conflict that slips between that check and the write stops the import at that batch;
   the record then says how many rows were written before it.

The workbook itself is never stored. What is kept is a ``RosterImport`` with the counts and
the row errors, values masked.

The workbook itself is never stored. What is kept is a ``RosterImport`` with the counts and
the row errors, values masked.
"""

import io
import logging
import re
import sys
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import PurePath
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connections, router, transaction
from django.db.models import F, Field, Q
from django.utils import timezone
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from liandong.accounts.models import User
from liandong.core import rawsql
from liandong.core.audit import audit_log, diff, request_context
from liandong.core.crypto import mobile_digest
from liandong.core.identity import (
    calendar_date,
    gender_mismatch,
    id_number_birth_date,
    id_number_gender,
    normalize_name,
    normalize_text,
    validate_id_number,
    validate_mobile,
)
from liandong.core.masking import mask_id_number, mask_mobile, mask_name
from liandong.core.models import AuditLog
from liandong.core.workbooks import (
    FileRejected,
    check_container,
    first_sheet,
    open_workbook,
    sheet_rows,
)
from liandong.organizations.models import Organization, subtree_q
from liandong.workers.exporting import safe_text
from liandong.workers.models import RosterImport, Worker
from liandong.workers.services import (
    AUDITED_FIELDS,
    EMPLOYER_KINDS,
    SealedIdentity,
    classify_occupation,
    id_number_digest,
)

logger = logging.getLogger(__name__)

NAME, GENDER, ID_NUMBER, MOBILE = "姓名", "性别", "身份证号", "手机号"
EMPLOYER, OUTLET, OCCUPATION, JOINED = "工作单位", "所属网点", "职业", "入会日期"
COLUMNS = [NAME, GENDER, ID_NUMBER, MOBILE, EMPLOYER, OUTLET, OCCUPATION, JOINED]
HEADER_ALIASES = {"身份证号码": ID_NUMBER, "公民身份号码": ID_NUMBER, "手机号码": MOBILE}
TEMPLATE_COLUMNS = [NAME, GENDER, ID_NUMBER, MOBILE, EMPLOYER, OCCUPATION, JOINED]

BATCH_SIZE = 1000
# Rows per write transaction: short enough that a public request waiting for the write lock
# on SQLite waits a fraction of a second, not the whole import.
WRITE_BATCH_SIZE = 500
MAX_DATA_ROWS = 200_000
# Where to look for the header row: the first non-empty rows (a title row above it is common).
HEADER_SEARCH_ROWS = 10
HEADER_SEARCH_DEPTH = 1000
HEADER_SEARCH_COLUMNS = 256
EXCEL_MAX_ROW = 1_048_576
# The template's example row is marked so, and is skipped rather than imported.
EXAMPLE_MARKS = ("(示例)", "（示例）")
FORMULA_PREFIXES = ("=", "+", "-", "@")

ERR_BLANK_SHEET = "工作表是空的，没有找到表头和数据"
ERR_NO_DATA = "表格只有表头，没有数据行"
ERR_MISSING = "缺少必需的列：{columns}。请检查表头（第一行）的列名"
ERR_DUPLICATE_HEADER = "表头中“{column}”出现了不止一次，请只保留一列"
ERR_TOO_MANY_ROWS = "数据超过 {limit} 行，请拆分成多个文件分批导入"
ERR_CONFLICT = "导入过程中名册被其他操作修改，请重新导入"
ERR_CONFLICT_PARTIAL = (
    "导入过程中名册被其他操作修改，已写入 {written} 行后停止，请重新导入"
    "（已写入的职工再次导入时只会按表格更新，不会重复）"
)

MSG_NAME_REQUIRED = "姓名不能为空"
MSG_NAME_TOO_LONG = "姓名不能超过 60 个字"
MSG_FORMULA = "{column}不能以 = + - @ 开头（疑似公式），请直接填写文字"
MSG_OCCUPATION_TOO_LONG = "职业不能超过 40 个字"
MSG_GENDER = "性别只能填写“男”或“女”"
MSG_DATE = "入会日期无法识别，请填写如 2024-05-01 的日期"
MSG_DATE_FUTURE = "入会日期不能晚于今天"
MSG_DATE_TOO_EARLY = "入会日期不合理"
MSG_DATE_BEFORE_BIRTH = "入会日期早于身份证号中的出生日期"
MSG_DUPLICATE = "与第 {row} 行重复"
MSG_MOBILE_TAKEN = "该手机号已被其他职工登记"
MSG_ID_ELSEWHERE = "该身份证号已在其他单位登记"
MSG_EMPLOYER_REQUIRED = "工作单位不能为空"
MSG_EMPLOYER_UNKNOWN = "工作单位不在导入范围内或未登记"
MSG_EMPLOYER_AMBIGUOUS = "工作单位名称对应多个单位，请改填单位编码"

_GENDERS = {
    "男": "M",
    "男性": "M",
    "M": "M",
    "MALE": "M",
    "女": "F",
    "女性": "F",
    "F": "F",
    "FEMALE": "F",
}
_DATE_TEXT = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?"
)
_DATE_DIGITS = re.compile(r"(\d{4})(\d{2})(\d{2})")
_CJK_SPACE = re.compile(r"(?<=[\u3400-\u9fff·]) (?=[\u3400-\u9fff·])")
_HEADER_MARKS = re.compile(r"^\*+|\*+$|\((?:必填|选填|可选|非必填)\)$")
# Control and format characters (categories Cc, Cf) that survive normalize_text.
_INVISIBLE_CHARS = re.compile(
    "[\x00-\x1f\x7f-\x9f\xad\u0600-\u0605\u061c\u06dd\u070f\u180e\u200b-\u200f"
    "\u0890\u0891\u08e2\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0001\U000e0020-\U000e007f]"
)


# ---------------------------------------------------------------------------------------
# The sheet: opening it, finding the header, streaming rows.


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not normalize_text(value))


def normalize_header(value: object) -> str:
    """``" 身份证号（必填）"`` -> ``身份证号``: NFKC, no spaces, no required/optional markers."""
    text = re.sub(
        r"\s+", "", unicodedata.normalize("NFKC", str(value if value is not None else ""))
    )
    text = text.replace("\u200b", "").replace("\ufeff", "")
    text = _HEADER_MARKS.sub("", _HEADER_MARKS.sub("", text))
    return HEADER_ALIASES.get(text, text)


@dataclass
class _Header:
    row: int
    columns: dict[str, int]  # canonical column -> 0-based index
    duplicates: list[str]

    @property
    def missing(self) -> list[str]:
        missing = [c for c in (NAME, ID_NUMBER, MOBILE) if c not in self.columns]
        if EMPLOYER not in self.columns and OUTLET not in self.columns:
            missing.append(f"{EMPLOYER}（或{OUTLET}）")
        return missing


def _read_header(number: int, values: tuple) -> _Header:
    columns: dict[str, int] = {}
    duplicates = []
    for index, value in enumerate(values):
        name = normalize_header(value)
        if name not in COLUMNS:
            continue
        if name in columns:
            duplicates.append(name)
        else:
            columns[name] = index
    return _Header(number, columns, duplicates)


def _find_header(sheet: ReadOnlyWorksheet) -> _Header:
    """The first non-empty row, or one of the next few if that one is a title above the
    headers (it then holds fewer than two of the known column names)."""
    first = None
    seen = 0
    for number, values in sheet_rows(sheet, min_row=1, max_col=HEADER_SEARCH_COLUMNS):
        if number > HEADER_SEARCH_DEPTH:
            break
        if all(_is_blank(v) for v in values):
            continue
        header = _read_header(number, values)
        first = first or header
        if len(header.columns) >= 2:
            return header
        seen += 1
        if seen >= HEADER_SEARCH_ROWS:
            break
    if first is None:
        raise FileRejected(ERR_BLANK_SHEET)
    return first


# ---------------------------------------------------------------------------------------
# One row: parsing and validating its cells (no database).


@dataclass(slots=True)
class _Row:
    number: int
    name: str = ""
    gender: str = ""
    id_number: str = ""
    mobile: str = ""
    employer_key: str = ""
    employer_column: str = EMPLOYER
    occupation: str | None = None  # None: the file has no such column; keep what is stored
    joined: date | None = None
    has_joined: bool = False  # the file has a 入会日期 column
    id_digest: str = ""
    mobile_digest: str = ""
    employer: tuple[int, str] | None = None  # (id, city)
    errors: list[tuple[str, str, str]] = field(default_factory=list)  # (column, reason, masked)


def _clean_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    elif isinstance(value, datetime | date):
        value = value.isoformat()
    return _INVISIBLE_CHARS.sub("", normalize_text(value))


def _masked(column: str, raw: object) -> str:
    text = _clean_text(raw) if not isinstance(raw, float) else repr(raw)
    if column == ID_NUMBER:
        return mask_id_number(re.sub(r"\s", "", text))
    if column == MOBILE:
        return mask_mobile(re.sub(r"\s", "", text))
    if column == NAME:
        return mask_name(text[:60])
    return text[:60]


def parse_date(value: object) -> date:
    """An 入会日期 cell: a real Excel date, or 2024-05-01, 2024/5/1, 20240501, 2024年5月1日,
    2024.5.1. Raises ValueError."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, time | timedelta | bool):
        raise ValueError(value)
    if isinstance(value, int | float):
        if float(value).is_integer() and 10_000_000 <= value <= 99_999_999:
            value = str(int(value))
        else:
            # A date typed into a cell formatted as a number: Excel's day count.
            serial = from_excel(value)
            return serial.date() if isinstance(serial, datetime) else serial
    text = _clean_text(value)
    match = _DATE_TEXT.fullmatch(text) or _DATE_DIGITS.fullmatch(text)
    if not match:
        raise ValueError(text)
    # 2023-02-29 is read but does not exist: a ValidationError that says so (not "无法识别").
    return calendar_date(int(match[1]), int(match[2]), int(match[3]), what="入会日期")


def _parse_row(number: int, values: tuple, header: _Header, today: date) -> _Row | None:
    """A row's cells, validated one by one; None for a blank row or the template's example."""
    cells = {c: (values[i] if i < len(values) else None) for c, i in header.columns.items()}
    if all(_is_blank(v) for v in cells.values()):
        return None
    row = _Row(number)

    def fail(column: str, reason: str, raw: object) -> None:
        row.errors.append((column, reason, _masked(column, raw)))

    raw_name = cells.get(NAME)
    row.name = _CJK_SPACE.sub("", normalize_name(_clean_text(raw_name)))
    if row.name.endswith(EXAMPLE_MARKS):
        return None
    if not row.name:
        fail(NAME, MSG_NAME_REQUIRED, raw_name)
    elif row.name.startswith(FORMULA_PREFIXES):
        fail(NAME, MSG_FORMULA.format(column=NAME), raw_name)
    elif len(row.name) > 60:
        fail(NAME, MSG_NAME_TOO_LONG, raw_name)

    raw_id = cells.get(ID_NUMBER)
    try:
        row.id_number = validate_id_number(raw_id)
        row.id_digest = id_number_digest(row.id_number)
    except Exception as error:  # ValidationError; int() of odd input is guarded inside
        fail(ID_NUMBER, _message(error), raw_id)

    raw_mobile = cells.get(MOBILE)
    try:
        row.mobile = validate_mobile(raw_mobile)
        row.mobile_digest = mobile_digest(row.mobile)
    except Exception as error:
        fail(MOBILE, _message(error), raw_mobile)

    raw_gender = cells.get(GENDER)
    gender_text = _clean_text(raw_gender).upper()
    if gender_text:
        row.gender = _GENDERS.get(gender_text, "")
        if not row.gender:
            fail(GENDER, MSG_GENDER, raw_gender)
        elif row.id_number and (mismatch := gender_mismatch(row.gender, row.id_number)):
            fail(GENDER, mismatch, raw_gender)
    if row.id_number and not row.gender:
        row.gender = id_number_gender(row.id_number)

    outlet = _clean_text(cells.get(OUTLET))
    row.employer_column = OUTLET if outlet or EMPLOYER not in header.columns else EMPLOYER
    row.employer_key = outlet or _clean_text(cells.get(EMPLOYER))
    if not row.employer_key:
        fail(row.employer_column, MSG_EMPLOYER_REQUIRED, "")

    if OCCUPATION in header.columns:
        raw_occupation = cells.get(OCCUPATION)
        occupation = _clean_text(raw_occupation)
        row.occupation = "" if set(occupation) <= set("-—－ ") else occupation
        if row.occupation.startswith(FORMULA_PREFIXES):
            fail(OCCUPATION, MSG_FORMULA.format(column=OCCUPATION), raw_occupation)
        elif len(row.occupation) > 40:
            fail(OCCUPATION, MSG_OCCUPATION_TOO_LONG, raw_occupation)

    if JOINED in header.columns:
        row.has_joined = True
        raw_joined = cells.get(JOINED)
        if not _is_blank(raw_joined):
            try:
                row.joined = parse_date(raw_joined)
            except ValidationError as error:  # read, but no such date
                fail(JOINED, error.messages[0], raw_joined)
            except (ValueError, TypeError, OverflowError):
                fail(JOINED, MSG_DATE, raw_joined)
            else:
                if row.joined > today:
                    fail(JOINED, MSG_DATE_FUTURE, raw_joined)
                elif row.joined.year < 1950:
                    fail(JOINED, MSG_DATE_TOO_EARLY, raw_joined)
                elif row.id_number and row.joined < id_number_birth_date(row.id_number):
                    fail(JOINED, MSG_DATE_BEFORE_BIRTH, raw_joined)
    return row


def _message(error: Exception) -> str:
    messages = getattr(error, "messages", None)
    return str(messages[0]) if messages else str(error)


# ---------------------------------------------------------------------------------------
# The batch: checks against the database, then bulk writes.


def _worker_snapshot(worker: Worker) -> dict[str, Any]:
    """``core.audit.snapshot`` without loading the employer: its id is what is logged."""
    values: dict[str, Any] = {}
    for name, attname in _AUDITED_ATTNAMES:
        value = getattr(worker, attname)
        values[name] = value if value is None or isinstance(value, str | int) else str(value)
    return values


def _worker_field(name: str) -> Field:
    """One of Worker's own columns (``get_field`` may also answer a reverse relation)."""
    found = Worker._meta.get_field(name)
    if not isinstance(found, Field):
        raise TypeError(f"Worker.{name} is not a column")
    return found


_AUDITED_ATTNAMES = [(name, _worker_field(name).attname) for name in AUDITED_FIELDS]


def _employer_variants(key: str) -> set[str]:
    """Spellings to look an employer cell up by; names are compared NFKC-normalized after."""
    return {key, key.replace("(", "（").replace(")", "）")}


_UPDATED_FIELDS = [
    _worker_field(name)
    for name in (
        "name",
        "mobile_cipher",
        "mobile_digest",
        "mobile_masked",
        "mobile_tail",
        "employer",
        "city",
        "occupation",
        "worker_type",
        "joined_union_on",
        "updated_at",
    )
]
_UPDATED_COLUMNS = {f.name: f.column for f in _UPDATED_FIELDS if f.column is not None}


def _update_workers(workers: list[Worker]) -> None:
    """Save the import's changes to existing workers, one prepared UPDATE run for all rows.

    Django's bulk_update builds a CASE … WHEN per field and row; for 100,000 changed workers
    that took over four minutes on SQLite. The same plain UPDATE through executemany takes
    seconds, on SQLite and PostgreSQL alike. No row can trip the unique mobile index half-way:
    a new mobile was checked to be nobody's, nor given up by another row of this import."""
    connection = connections[router.db_for_write(Worker)]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(_UPDATED_COLUMNS[f.name])} = %s" for f in _UPDATED_FIELDS)
    sql = f"UPDATE {quote(Worker._meta.db_table)} SET {assignments} WHERE {quote('id')} = %s"  # noqa: S608 - names from the model, values bound
    params = [
        [f.get_db_prep_save(getattr(w, f.attname), connection) for f in _UPDATED_FIELDS] + [w.pk]
        for w in workers
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


# A valid row as pass 1 keeps it for pass 2, small (100,000 of them are held at once):
# (number, name, gender, id_number, mobile, employer, occupation, joined, has_joined).
_Kept = tuple[int, str, str, str, str, tuple[int, str] | None, str | None, date | None, bool]


def _keep(row: _Row) -> _Kept:
    occupation = None if row.occupation is None else sys.intern(row.occupation)
    return (
        row.number,
        row.name,
        row.gender,
        row.id_number,
        row.mobile,
        row.employer,
        occupation,
        row.joined,
        row.has_joined,
    )


def _unkeep(kept: _Kept) -> _Row:
    """The row again, its digests recomputed and its employer already resolved."""
    number, name, gender, id_number, mobile, employer, occupation, joined, has_joined = kept
    return _Row(
        number,
        name=name,
        gender=gender,
        id_number=id_number,
        mobile=mobile,
        employer=employer,
        occupation=occupation,
        joined=joined,
        has_joined=has_joined,
        id_digest=id_number_digest(id_number),
        mobile_digest=mobile_digest(mobile),
    )


class _Importer:
    """Validates rows in batches (``validate``), then writes the valid ones in short
    transactions (``write``); keeps the counts and the (capped) errors."""

    def __init__(
        self,
        *,
        actor: User | None,
        organization: Organization,
        max_errors: int,
        keep_valid: bool = True,
        skip_invalid: bool = False,
    ) -> None:
        self.actor = actor
        self.organization = organization
        self.max_errors = max_errors
        self.today = timezone.localdate()
        self.read = self.imported = self.updated = self.rejected = 0
        # What pass 1 found the file would do: the figures of a dry run or a refused import.
        self.would_import = self.would_update = 0
        # The rows pass 2 writes, kept only while they may be written.
        self.keep_valid = keep_valid
        self.skip_invalid = skip_invalid
        self.valid: list[_Kept] = []
        self.errors: list[list[Any]] = []
        self.batch: list[_Row] = []
        # First row number of every ID and mobile seen, keyed by the digest's raw bytes.
        self.seen_ids: dict[bytes, int] = {}
        self.seen_mobiles: dict[bytes, int] = {}
        # Mobiles given up by workers updated earlier in this import: still taken for others,
        # so that the outcome does not depend on where the batches happen to be cut.
        self.released_mobiles: set[str] = set()
        self.employers: dict[str, list[tuple[int, str]]] = {}
        context = request_context.get() or {}
        user = actor if actor is not None and actor.is_authenticated else None
        self.audit_defaults = {
            "actor": user,
            "actor_repr": (user.get_username() if user is not None else "") or "system",
            "organization_id": user.organization_id if user is not None else None,
            "ip_address": context.get("ip"),
            "request_id": context.get("request_id", ""),
        }

    def validate(self, sheet: ReadOnlyWorksheet) -> None:
        """Pass 1: every row parsed and checked, reading the database in autocommit only."""
        header = _find_header(sheet)
        if header.duplicates:
            raise FileRejected(ERR_DUPLICATE_HEADER.format(column=header.duplicates[0]))
        if header.missing:
            raise FileRejected(ERR_MISSING.format(columns="、".join(header.missing)))
        width = max(header.columns.values()) + 1
        for number, values in sheet_rows(sheet, min_row=header.row + 1, max_col=width):
            if number > EXCEL_MAX_ROW:
                break
            row = _parse_row(number, values, header, self.today)
            if row is None:
                continue
            self.read += 1
            if self.read > MAX_DATA_ROWS:
                raise FileRejected(ERR_TOO_MANY_ROWS.format(limit=MAX_DATA_ROWS))
            self._check_duplicates(row)
            self.batch.append(row)
            if len(self.batch) >= BATCH_SIZE:
                self._validate_batch()
        self._validate_batch()
        if not self.read:
            raise FileRejected(ERR_NO_DATA)

    def _validate_batch(self) -> None:
        rows, self.batch = self.batch, []
        for row, worker in self._check(rows):
            if worker is None:
                self.would_import += 1
            else:
                before = _worker_snapshot(worker)
                self._change_worker(worker, row)
                self.would_update += bool(diff(before, _worker_snapshot(worker)))
            if self.keep_valid:
                self.valid.append(_keep(row))
        if self.rejected and not self.skip_invalid:
            # Nothing will be written: stop holding rows in memory.
            self.keep_valid = False
            self.valid = []

    def write(self) -> None:
        """Pass 2: the valid rows, checked again and written, one transaction per batch."""
        kept, self.valid = self.valid, []
        kept.reverse()  # taken from the end, so that written rows are freed as it goes
        # Pass 1's mobiles given up are known again as pass 2 reaches the same rows.
        self.released_mobiles = set()
        rejected_before = self.rejected
        while kept:
            batch = [_unkeep(kept.pop()) for _ in range(min(WRITE_BATCH_SIZE, len(kept)))]
            self._write(self._check(batch))
        if self.rejected != rejected_before:
            self.errors.sort(key=lambda error: int(error[0]))

    def _check_duplicates(self, row: _Row) -> None:
        for column, digest, seen in (
            (ID_NUMBER, row.id_digest, self.seen_ids),
            (MOBILE, row.mobile_digest, self.seen_mobiles),
        ):
            if not digest:
                continue
            key = bytes.fromhex(digest)
            first = seen.setdefault(key, row.number)
            if first != row.number:
                value = row.id_number if column == ID_NUMBER else row.mobile
                row.errors.append((column, MSG_DUPLICATE.format(row=first), _masked(column, value)))

    def _reject(self, row: _Row) -> None:
        self.rejected += 1
        for column, reason, masked in row.errors:
            if len(self.errors) < self.max_errors:
                self.errors.append([row.number, column, reason, masked])

    def _resolve_employers(self, rows: list[_Row]) -> None:
        keys = {
            r.employer_key for r in rows if r.employer_key and r.employer_key not in self.employers
        }
        if not keys:
            return
        variants = set().union(*(_employer_variants(k) for k in keys))
        found = (
            Organization.objects.filter(subtree_q(self.organization.path), kind__in=EMPLOYER_KINDS)
            .filter(Q(name__in=variants) | Q(short_name__in=variants) | Q(code__in=variants))
            .values_list("pk", "name", "short_name", "code", "city")
        )
        matches: dict[str, dict[int, str]] = defaultdict(dict)
        for pk, name, short_name, code, city in found:
            for label in {name, short_name, code} - {""}:
                matches[normalize_text(label)][pk] = city
        for key in keys:
            self.employers[key] = list(matches.get(key, {}).items())

    def _check(self, rows: list[_Row]) -> list[tuple[_Row, Worker | None]]:
        """The batch's checks against the database: each row that passes, with the worker it
        updates (None: a new one). A row that fails is counted and its errors kept."""
        if not rows:
            return []
        self._resolve_employers(rows)
        id_digests = [r.id_digest for r in rows if r.id_digest]
        existing = {
            w.id_number_digest: w
            for w in Worker.objects.filter(id_number_digest__in=id_digests).annotate(
                employer_path=F("employer__path")
            )
        }
        owners = dict(
            Worker.objects.filter(
                mobile_digest__in=[r.mobile_digest for r in rows if r.mobile_digest]
            ).values_list("mobile_digest", "pk")
        )
        accepted: list[tuple[_Row, Worker | None]] = []
        for row in rows:
            worker = existing.get(row.id_digest)
            owner = owners.get(row.mobile_digest)
            if worker is not None and not worker.employer_path.startswith(self.organization.path):
                # Said without naming where, and without judging the mobile (maybe theirs).
                row.errors.append((ID_NUMBER, MSG_ID_ELSEWHERE, _masked(ID_NUMBER, row.id_number)))
                worker = None
            # Without a valid ID number it is unknown whose mobile this is: not judged.
            elif (
                row.id_digest
                and row.mobile_digest
                and (
                    (owner is not None and (worker is None or owner != worker.pk))
                    or row.mobile_digest in self.released_mobiles
                )
            ):
                row.errors.append((MOBILE, MSG_MOBILE_TAKEN, _masked(MOBILE, row.mobile)))
            if row.employer_key:
                candidates = self.employers.get(row.employer_key, [])
                if not candidates:
                    row.errors.append(
                        (row.employer_column, MSG_EMPLOYER_UNKNOWN, row.employer_key[:60])
                    )
                elif len(candidates) > 1:
                    row.errors.append(
                        (row.employer_column, MSG_EMPLOYER_AMBIGUOUS, row.employer_key[:60])
                    )
                else:
                    row.employer = candidates[0]
            if row.errors:
                self._reject(row)
                continue
            if worker is not None and row.mobile_digest != worker.mobile_digest:
                self.released_mobiles.add(worker.mobile_digest)
            accepted.append((row, worker))
        return accepted

    def _new_worker(self, row: _Row) -> Worker:
        assert row.employer is not None  # noqa: S101 - rows without one were rejected
        employer_id, city = row.employer
        occupation = row.occupation or ""
        worker = Worker(
            name=row.name,
            gender=row.gender,
            employer_id=employer_id,
            city=city,
            occupation=occupation,
            worker_type=classify_occupation(occupation),
            joined_union_on=row.joined,
        )
        SealedIdentity.seal(id_number=row.id_number, mobile=row.mobile).apply(worker)
        return worker

    def _change_worker(self, worker: Worker, row: _Row) -> None:
        assert row.employer is not None  # noqa: S101 - rows without one were rejected
        worker.name = row.name
        if row.mobile_digest != worker.mobile_digest:
            sealed = SealedIdentity.seal(id_number=row.id_number, mobile=row.mobile)
            worker.mobile_cipher, worker.mobile_digest = sealed.mobile_cipher, sealed.mobile_digest
            worker.mobile_masked, worker.mobile_tail = sealed.mobile_masked, sealed.mobile_tail
        worker.employer_id, worker.city = row.employer
        if row.occupation is not None:
            worker.occupation = row.occupation
            worker.worker_type = classify_occupation(row.occupation)
        if row.has_joined:
            worker.joined_union_on = row.joined

    def _audit(self, action: str, worker: Worker, changes: dict[str, Any]) -> AuditLog:
        return AuditLog(
            action=action,
            target_type=Worker._meta.label_lower,
            target_id=str(worker.pk),
            target_repr=worker.name[:200],
            changes=changes,
            **self.audit_defaults,
        )

    def _write(self, accepted: list[tuple[_Row, Worker | None]]) -> None:
        """One batch in one transaction: new workers, changed workers, their audit entries and
        the employers' counts. Encryption and diffs are done before the transaction opens, so
        that it holds the write lock only for the statements."""
        creates: list[Worker] = []
        updates: list[tuple[Worker, dict[str, Any]]] = []
        counts: dict[int, list[int]] = defaultdict(lambda: [0, 0])
        for row, worker in accepted:
            if worker is None:
                worker = self._new_worker(row)
                creates.append(worker)
                counts[worker.employer_id][0] += 1
                counts[worker.employer_id][1] += worker.joined_union_on is not None
                continue
            before = _worker_snapshot(worker)
            self._change_worker(worker, row)
            changes = diff(before, _worker_snapshot(worker))
            if not changes:
                continue
            updates.append((worker, changes))
            if "employer" in changes or "joined_union_on" in changes:
                counts[before["employer"]][0] -= 1
                counts[before["employer"]][1] -= before["joined_union_on"] is not None
                counts[worker.employer_id][0] += 1
                counts[worker.employer_id][1] += worker.joined_union_on is not None
        if not creates and not updates:
            return
        now = timezone.now()
        for worker, _changes in updates:
            worker.updated_at = now
        with transaction.atomic():
            if creates:
                # Not bulk_create: preparing its values took a third of the import (rawsql's doc).
                rawsql.insert(creates, now=now, returning=True)
            if updates:
                _update_workers([worker for worker, _changes in updates])
            entries = [
                self._audit("workers.created", worker, diff({}, _worker_snapshot(worker)))
                for worker in creates
            ]
            entries += [self._audit("workers.updated", w, changes) for w, changes in updates]
            rawsql.insert(entries, now=now)
            _apply_counts(counts)
        self.imported += len(creates)
        self.updated += len(updates)


def _apply_counts(count_changes: dict[int, list[int]]) -> None:
    """Move the employers' stored counts by what a batch changed (F(): safe beside concurrent
    registrations). Employers with the same change share one UPDATE."""
    by_change: dict[tuple[int, int], list[int]] = defaultdict(list)
    for employer_id, (workers, members) in count_changes.items():
        if workers or members:
            by_change[(workers, members)].append(employer_id)
    for (workers, members), employer_ids in by_change.items():
        for start in range(0, len(employer_ids), 500):
            Organization.objects.filter(pk__in=employer_ids[start : start + 500]).update(
                worker_count=F("worker_count") + workers,
                member_count=F("member_count") + members,
            )


# ---------------------------------------------------------------------------------------
# The public functions.


def roster_import(
    *,
    actor: User | None,
    organization: Organization,
    file: IO[bytes],
    filename: str,
    dry_run: bool = False,
    skip_invalid: bool = False,
) -> RosterImport:
    """Validate and import a roster workbook into ``organization``'s subtree; return the saved
    RosterImport record (counts, masked row errors, file_error).

    A row whose ID number is registered to a worker employed inside the subtree updates that
    worker (name, mobile, employer, and 职业 / 入会日期 when the file has those columns);
    registered elsewhere, the row is refused without saying where. Nothing is written unless
    every row is valid or ``skip_invalid`` is set; ``dry_run`` writes nothing at all (only the
    record and its audit line) and opens no transaction. See the module's doc for the two
    passes and what a failure half-way leaves."""
    record = RosterImport(
        actor=actor if actor is not None and actor.is_authenticated else None,
        organization=organization,
        filename=PurePath(filename or "").name[:200],
        dry_run=dry_run,
        skip_invalid=skip_invalid,
    )
    importer = _Importer(
        actor=actor,
        organization=organization,
        max_errors=getattr(settings, "LIANDONG_IMPORT_MAX_ERRORS", 5000),
        keep_valid=not dry_run,
        skip_invalid=skip_invalid,
    )
    try:
        check_container(file)
        with open_workbook(file) as book:
            importer.validate(first_sheet(book))
        may_commit = not dry_run and (skip_invalid or not importer.rejected)
        if may_commit:
            importer.write()
            imported, updated = importer.imported, importer.updated
        else:
            imported, updated = importer.would_import, importer.would_update
        record.committed = may_commit and (imported + updated > 0 or not importer.rejected)
        record.rows_read, record.rows_rejected = importer.read, importer.rejected
        record.rows_imported, record.rows_updated = imported, updated
        record.errors = importer.errors
    except FileRejected as error:
        record.file_error = str(error)[:300]
    except IntegrityError:
        # Someone registered the same ID or mobile number between a batch's check and its
        # write: that batch was rolled back, the ones before it stay (each was complete).
        logger.warning("Roster import %s stopped on a unique conflict", filename)
        written = importer.imported + importer.updated
        record.file_error = (
            ERR_CONFLICT_PARTIAL.format(written=written) if written else ERR_CONFLICT
        )
        record.committed = written > 0
        record.rows_read, record.rows_rejected = importer.read, importer.rejected
        record.rows_imported, record.rows_updated = importer.imported, importer.updated
        record.errors = importer.errors
    record.save()
    audit_log(
        actor=actor,
        action="workers.imported",
        target=record,
        target_repr=record.filename,
        changes={
            "organization": organization.pk,
            "dry_run": dry_run,
            "skip_invalid": skip_invalid,
            "committed": record.committed,
            "rows_read": record.rows_read,
            "rows_imported": record.rows_imported,
            "rows_updated": record.rows_updated,
            "rows_rejected": record.rows_rejected,
            "file_error": record.file_error,
        },
    )
    return record


def _workbook_bytes(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _status(record: RosterImport) -> str:
    if record.file_error and record.committed:
        return "导入中断，中断前的行已写入名册"
    if record.file_error:
        return "文件无法读取，未写入"
    if record.committed:
        return "已写入名册" + ("（有错误的行已跳过）" if record.rows_rejected else "")
    if record.dry_run:
        return "试导入，未写入"
    return "有错误，整批未写入"


def roster_report_xlsx(*, roster_import: RosterImport) -> bytes:
    """The import report as an xlsx workbook: 汇总 (counts) and 错误明细 (行号, 列, 原因,
    内容（脱敏）). Every text cell is formula-neutralized."""
    record = roster_import
    book = Workbook(write_only=True)
    summary = book.create_sheet("汇总")
    summary.column_dimensions["A"].width = 14
    summary.column_dimensions["B"].width = 60
    created = timezone.localtime(record.created_at) if record.created_at else timezone.localtime()
    lines: list[tuple[str, object]] = [
        ("文件名", safe_text(record.filename)),
        ("导入到", safe_text(record.organization.name)),
        ("导入时间", created.strftime("%Y-%m-%d %H:%M")),
        (
            "方式",
            ("试导入（仅校验）" if record.dry_run else "正式导入")
            + ("，跳过有错误的行" if record.skip_invalid else ""),
        ),
        ("结果", _status(record)),
        ("读取", record.rows_read),
        ("新增", record.rows_imported),
        ("更新", record.rows_updated),
        ("拒绝", record.rows_rejected),
    ]
    if record.file_error:
        lines.append(("文件错误", safe_text(record.file_error)))
    if record.rows_rejected and len(record.errors) >= getattr(
        settings, "LIANDONG_IMPORT_MAX_ERRORS", 5000
    ):
        lines.append(("说明", f"错误明细只列出前 {len(record.errors)} 条"))
    for line in lines:
        summary.append(list(line))
    details = book.create_sheet("错误明细")
    for letter, width in zip("ABCD", (8, 14, 60, 30), strict=True):
        details.column_dimensions[letter].width = width
    details.append(["行号", "列", "原因", "内容（脱敏）"])
    for row, column, reason, value in record.errors:
        details.append([row, safe_text(column), safe_text(reason), safe_text(value)])
    return _workbook_bytes(book)


EXAMPLE_ROW = [
    "张三（示例）",
    "男",
    "62010219900307123X",
    "13800000000",
    "某某快递城关网点",
    "快递员",
    date(2024, 5, 1),
]
TEMPLATE_HELP = [
    "填写说明",
    "1. 第一行是表头，请勿修改列名；列的顺序可以调整，多余的列会被忽略。",
    "2. 必填：姓名、身份证号、手机号、工作单位（也可用“所属网点”列）。",
    "3. 身份证号：18 位，末位可以是 X。该列已设为“文本”格式，请勿改成数字，否则末尾几位会丢失。",
    "4. 手机号：11 位手机号，不接受固定电话。",
    "5. 工作单位：填写系统中已登记的企业或网点的名称、简称或编码，且须在导入范围内。",
    "6. 性别：可不填，按身份证号判断；填写时只能是“男”或“女”。",
    "7. 入会日期：如 2024-05-01，不填表示未入会。",
    "8. 身份证号已登记的职工会更新其信息（姓名、手机号、工作单位、职业、入会日期）。",
    "9. 第 2 行是示例（姓名带“（示例）”），导入时会自动跳过，可以删除。",
]


def roster_template_xlsx() -> bytes:
    """An empty workbook with the expected Chinese headers and one example row; the ID and
    mobile columns are formatted as text so that Excel keeps every digit."""
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    sheet = book.active
    if sheet is None:  # a new workbook always opens on one empty sheet
        raise RuntimeError("openpyxl Workbook() has no active sheet")
    sheet.title = "职工名册"
    sheet.append(TEMPLATE_COLUMNS)
    sheet.append(EXAMPLE_ROW)
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="FFF2CC")
    grey = Font(color="808080", italic=True)
    for index, column in enumerate(TEMPLATE_COLUMNS, start=1):
        letter = get_column_letter(index)
        header = sheet.cell(row=1, column=index)
        header.font = bold
        if column in (NAME, ID_NUMBER, MOBILE, EMPLOYER):
            header.fill = fill
        sheet.cell(row=2, column=index).font = grey
        sheet.column_dimensions[letter].width = {ID_NUMBER: 22, EMPLOYER: 26, JOINED: 14}.get(
            column, 12
        )
        if column in (ID_NUMBER, MOBILE):
            # Column style: cells typed into the column later are text too.
            sheet.column_dimensions[letter].number_format = "@"
            sheet.cell(row=2, column=index).number_format = "@"
        if column == JOINED:
            sheet.cell(row=2, column=index).number_format = "yyyy-mm-dd"
    genders = DataValidation(type="list", formula1='"男,女"', allow_blank=True)
    genders.add(f"B2:B{MAX_DATA_ROWS + 1}")
    sheet.add_data_validation(genders)
    sheet.freeze_panes = "A2"
    notes = book.create_sheet("填写说明")
    notes.column_dimensions["A"].width = 100
    for line in TEMPLATE_HELP:
        notes.append([line])
    notes["A1"].font = bold
    return _workbook_bytes(book)


def iter_errors(record: RosterImport) -> Iterable[tuple[int, str, str, str]]:
    """The stored row errors as tuples (for the command line)."""
    for row, column, reason, value in record.errors:
        yield int(row), str(column), str(reason), str(value)
