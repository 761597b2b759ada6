"""A chart's table as an xlsx workbook (the same rows the page and the API show)."""

from typing import IO

from openpyxl import Workbook
from openpyxl.styles import Font

from liandong.reports.selectors import Chart

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def chart_xlsx(stream: IO[bytes], chart: Chart, *, heading: str) -> None:
    book = Workbook()
    sheet = book.active
    if sheet is None:  # a new workbook always has one sheet
        sheet = book.create_sheet()
    sheet.title = chart.title[:31].replace("/", "-")
    sheet.append([heading])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([chart.title + (f"（单位：{chart.unit}）" if chart.unit else "")])
    sheet.append(chart.columns)
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for row in chart.rows:
        sheet.append([row.label, *["—" if v is None else v for v in row.values]])
    if chart.note:
        sheet.append([])
        sheet.append([chart.note])
    sheet.column_dimensions["A"].width = 28
    book.save(stream)
