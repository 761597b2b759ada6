"""Roster export to Excel with personal data masked.

The workbook is written with openpyxl in write-only mode while the queryset is read in
chunks, so memory stays flat however many workers are exported. Text that a spreadsheet
would run as a formula (CSV/formula injection) is prefixed with a single quote.
"""

import re
from typing import IO, Any

from django.db.models import QuerySet
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from liandong.accounts.models import User
from liandong.core.audit import audit_log
from liandong.core.masking import mask_id_number, mask_mobile
from liandong.workers.models import Worker
from liandong.workers.selectors import WorkerFilters

EXPORT_COLUMNS = [
    "姓名",
    "性别",
    "身份证号",
    "手机号",
    "工作单位",
    "职业",
    "城市",
    "会籍",
    "入会日期",
]
COLUMN_WIDTHS = [12, 6, 22, 14, 30, 14, 10, 8, 12]
CHUNK_SIZE = 2000
# What Excel, LibreOffice and Google Sheets start a formula with (OWASP "CSV injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: object) -> str:
    """Text for a spreadsheet cell: characters XML cannot carry removed, and a leading
    formula trigger neutralized with a single quote, so that the cell is only ever text."""
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value if value is not None else ""))
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def _masked_query(q: str) -> str:
    """The list's search box may hold a whole mobile or ID number: log only its masked form."""
    digits = re.sub(r"\s", "", q)
    if re.fullmatch(r"\d{17}[\dXx]", digits):
        return mask_id_number(digits)
    if re.fullmatch(r"\d{7,}", digits):
        return mask_mobile(digits)
    return q


def _describe(filters: WorkerFilters | None) -> dict[str, Any]:
    if filters is None:
        return {}
    described: dict[str, Any] = {
        "q": _masked_query(filters.q),
        "employer": filters.employer,
        "worker_type": filters.worker_type,
        "city": filters.city,
        "member": filters.member,
        "organization": filters.organization.pk if filters.organization is not None else None,
    }
    return {k: v for k, v in described.items() if v not in ("", None)}


def workers_export(
    *,
    actor: User | None,
    workers: QuerySet[Worker],
    stream: IO[bytes],
    filters: WorkerFilters | None = None,
) -> int:
    """Write ``workers`` as xlsx to ``stream``; return the number of rows. Audited, with the
    filters when the caller passes them."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("职工名册")
    for index, width in enumerate(COLUMN_WIDTHS):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for title in EXPORT_COLUMNS:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    rows = (
        workers.select_related("employer")
        .only(
            "name",
            "gender",
            "id_number_masked",
            "mobile_masked",
            "employer__name",
            "occupation",
            "city",
            "joined_union_on",
        )
        .iterator(chunk_size=CHUNK_SIZE)
    )
    count = 0
    for worker in rows:
        joined = None
        if worker.joined_union_on is not None:
            # Set after creation: types-openpyxl's WriteOnlyCell leaves out dates, which the
            # cell's value (and so the constructor, which sets it) accepts.
            joined = WriteOnlyCell(sheet)
            joined.value = worker.joined_union_on
            joined.number_format = "yyyy-mm-dd"
        sheet.append(
            [
                safe_text(worker.name),
                safe_text(worker.get_gender_display()),
                # Already masked when stored; masked again in case a value ever arrives whole.
                safe_text(mask_id_number(worker.id_number_masked)),
                safe_text(mask_mobile(worker.mobile_masked)),
                safe_text(worker.employer.name),
                safe_text(worker.occupation),
                safe_text(worker.city),
                "会员" if worker.is_member else "非会员",
                joined,
            ]
        )
        count += 1
    book.save(stream)
    audit_log(
        actor=actor,
        action="workers.exported",
        target_repr=f"职工名册 {count} 行",
        changes={"rows": count, "filters": _describe(filters)},
    )
    return count
