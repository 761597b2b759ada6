"""Statistics as an xlsx workbook (figures only, no personal data)."""

from typing import IO, Any

from openpyxl import Workbook

from liandong.demands.selectors import StatsFilters, StatsRow

HEADERS = [
    "分组",
    "受理量",
    "应响应",
    "按时响应",
    "响应率(%)",
    "应办结",
    "已办结",
    "解决率(%)",
    "评价数",
    "满意+基本满意",
    "满意率(%)",
    "超时",
    "响应时长中位数(小时)",
    "办结时长中位数(小时)",
]
GROUP_LABELS = {"month": "月份", "body": "责任单位", "category": "类别", "city": "城市"}


def _safe(value: Any) -> Any:
    # A label starting with = + - @ would be a formula in a spreadsheet (ASVS 1.2.10).
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _row(row: StatsRow) -> list[Any]:
    d = row.as_dict()
    return [
        _safe(d["label"]),
        d["received"],
        d["response_due"],
        d["responded_on_time"],
        d["response_rate"],
        d["resolution_due"],
        d["resolved"],
        d["resolution_rate"],
        d["rated"],
        d["satisfied"],
        d["satisfaction_rate"],
        d["breached"],
        d["median_response_hours"],
        d["median_resolution_hours"],
    ]


def stats_xlsx(
    stream: IO[bytes], total: StatsRow, rows: list[StatsRow], filters: StatsFilters
) -> None:
    book = Workbook()
    sheet = book.active
    if sheet is None:  # a new workbook always opens on one empty sheet
        raise RuntimeError("openpyxl Workbook() has no active sheet")
    sheet.title = "诉求统计"
    period = f"{filters.start or '不限'} 至 {filters.end or '不限'}"
    sheet.append(
        [f"职工诉求统计（按{GROUP_LABELS.get(filters.group_by, '类别')}，期间：{period}）"]
    )
    sheet.append([GROUP_LABELS.get(filters.group_by, "分组"), *HEADERS[1:]])
    for row in rows:
        sheet.append(_row(row))
    sheet.append(_row(total))
    book.save(stream)
