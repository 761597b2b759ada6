"""The theory exam's result sheet (理论考试成绩表) as xlsx: one row per entrant, with the order
of appearance and the score. Read with the roster import's safe container checks (size, ZIP
limits, macros, defusedxml, formulas refused), then handed to ``sheets_save`` as one batch:
every row is checked before any is written."""

import io
from typing import IO

from django.core.exceptions import ValidationError
from openpyxl import Workbook

from liandong.competitions.services import ScoreInput
from liandong.core.identity import normalize_text
from liandong.core.workbooks import (
    FileRejected,
    check_container,
    first_sheet,
    open_workbook,
    sheet_rows,
)

ORDER_HEADERS = {"出场顺序", "出场序号", "序号", "选手编号", "编号"}
SCORE_HEADERS = {"成绩", "得分", "分数", "理论成绩", "考试成绩"}
MAX_ROWS = 5000


def _header_index(values: tuple) -> tuple[int, int] | None:
    names = [normalize_text(v) if isinstance(v, str) else "" for v in values]
    order = next((i for i, n in enumerate(names) if n in ORDER_HEADERS), None)
    score = next((i for i, n in enumerate(names) if n in SCORE_HEADERS), None)
    return (order, score) if order is not None and score is not None else None


def scores_from_xlsx(file: IO[bytes]) -> list[ScoreInput]:
    """The rows of the first sheet below a header with 出场顺序 and 成绩 columns."""
    try:
        check_container(file)
        with open_workbook(file) as book:
            sheet = first_sheet(book)
            header = None
            scores: list[ScoreInput] = []
            for number, values in sheet_rows(sheet, min_row=1, max_col=20):
                if header is None:
                    header = _header_index(values)
                    if header is None and number >= 10:
                        break
                    continue
                order_raw, score_raw = (
                    values[header[0]] if header[0] < len(values) else None,
                    (values[header[1]] if header[1] < len(values) else None),
                )
                if order_raw in (None, "") and score_raw in (None, ""):
                    continue
                if len(scores) >= MAX_ROWS:
                    raise ValidationError({"file": f"超过 {MAX_ROWS} 行"})
                if isinstance(score_raw, str) and score_raw.startswith("="):
                    raise ValidationError({"file": f"第 {number} 行：成绩是公式，请粘贴为数值"})
                try:
                    order_no = int(str(order_raw).strip().rstrip("号"))
                except ValueError:
                    raise ValidationError(
                        {"file": f"第 {number} 行：出场顺序“{order_raw}”不是整数"}
                    ) from None
                if score_raw in (None, ""):
                    raise ValidationError({"file": f"第 {number} 行：{order_no} 号选手没有成绩"})
                scores.append(ScoreInput(order_no=order_no, score=score_raw))
    except FileRejected as error:
        raise ValidationError({"file": str(error)}) from None
    if header is None:
        raise ValidationError({"file": "未找到表头：需要“出场顺序”和“成绩”两列"})
    if not scores:
        raise ValidationError({"file": "表中没有成绩"})
    return scores


def score_template_xlsx(order_numbers: list[int]) -> bytes:
    book = Workbook()
    sheet = book.active
    if sheet is None:  # a new workbook always opens on one empty sheet
        raise RuntimeError("openpyxl Workbook() has no active sheet")
    sheet.title = "理论考试成绩"
    sheet.append(["出场顺序", "成绩"])
    for number in order_numbers:
        sheet.append([number, None])
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()
