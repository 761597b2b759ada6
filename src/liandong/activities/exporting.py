"""The figures page as an xlsx workbook (no personal data in it)."""

from io import BytesIO
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from liandong.workers.exporting import safe_text

COLUMNS = [
    "活动类型",
    "活动场次",
    "名额",
    "报名人数",
    "入选人数",
    "签到人数",
    "服务人次",
    "支出（元）",
]


def figures_xlsx(figures: dict[str, Any], *, scope_name: str) -> bytes:
    book = Workbook()
    sheet = book.active
    if sheet is None:  # a new workbook always opens on one empty sheet
        raise RuntimeError("openpyxl Workbook() has no active sheet")
    sheet.title = f"{figures['year']}年服务活动"
    sheet.append([safe_text(f"{scope_name} {figures['year']}年服务活动统计")])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append(COLUMNS)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in figures["rows"]:
        f = row["figures"]
        sheet.append(
            [
                row["label"],
                row["activities"],
                f.places,
                f.applicants,
                f.selected,
                f.checked_in,
                f.people_served,
                float(f.money),
            ]
        )
    t = figures["total"]
    sheet.append(
        [
            "合计",
            figures["activities"],
            t.places,
            t.applicants,
            t.selected,
            t.checked_in,
            t.people_served,
            float(t.money),
        ]
    )
    sheet.append([])
    sheet.append(["其中：活动支出", float(t.expenses)])
    sheet.append(["企业补助", float(t.subsidies)])
    sheet.append(["特产消费", float(t.local_products)])
    for column, width in zip("ABCDEFGH", [14, 10, 8, 10, 10, 10, 10, 14], strict=True):
        sheet.column_dimensions[column].width = width
    stream = BytesIO()
    book.save(stream)
    return stream.getvalue()
