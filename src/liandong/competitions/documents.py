"""Certificates (荣誉证书) as PDF and results as xlsx."""

import io
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Font

from liandong.competitions.models import Contest, Entrant
from liandong.competitions.selectors import round_results
from liandong.core.documents import pdf_font
from liandong.workers.exporting import safe_text


def chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def certificate_pdf(entrant: Entrant) -> bytes:
    """One landscape A4 page: a red double border, the title, the award sentence, the
    organizers and the date, in the embedded CJK font."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfgen import canvas
    from reportlab.platypus import Paragraph

    font = pdf_font()
    contest = entrant.contest
    stream = io.BytesIO()
    width, height = landscape(A4)
    pdf = canvas.Canvas(stream, pagesize=(width, height))
    pdf.setTitle(f"荣誉证书 · {entrant.worker.name}")
    red = colors.HexColor("#b3261e")
    pdf.setStrokeColor(red)
    pdf.setLineWidth(4)
    pdf.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)
    pdf.setLineWidth(1)
    pdf.rect(16 * mm, 16 * mm, width - 32 * mm, height - 32 * mm)
    pdf.setFillColor(red)
    pdf.setFont(font, 40)
    pdf.drawCentredString(width / 2, height - 52 * mm, "荣 誉 证 书")
    pdf.setFillColor(colors.black)
    body = ParagraphStyle(
        "body", fontName=font, fontSize=20, leading=36, wordWrap="CJK", firstLineIndent=40
    )
    name = ParagraphStyle("name", fontName=font, fontSize=22, leading=30)
    employer = entrant.worker.employer.name
    paragraph = Paragraph(f"{_escape(employer)}：", name)
    paragraph.wrapOn(pdf, width - 80 * mm, 30 * mm)
    paragraph.drawOn(pdf, 40 * mm, height - 80 * mm)
    paragraph = Paragraph(f"<u>{_escape(entrant.worker.name)}</u> 同志", name)
    paragraph.wrapOn(pdf, width - 80 * mm, 30 * mm)
    paragraph.drawOn(pdf, 40 * mm, height - 92 * mm)
    text = (
        f"在{_escape(contest.name)}中，成绩优异，荣获<b>{_escape(entrant.prize)}</b>。"
        "特发此证，以资鼓励。"
    )
    paragraph = Paragraph(text, body)
    _, used = paragraph.wrapOn(pdf, width - 80 * mm, 60 * mm)
    paragraph.drawOn(pdf, 40 * mm, height - 100 * mm - used)
    pdf.setFont(font, 15)
    right = width - 40 * mm
    lines = [contest.hosts or contest.organization.name]
    if contest.undertakers:
        lines.append(f"承办：{contest.undertakers}")
    lines.append(chinese_date((contest.published_at or contest.updated_at).date()))
    y = 48 * mm
    for line in lines:
        pdf.drawRightString(right, y, line[:60])
        y -= 9 * mm
    pdf.setFont(font, 9)
    pdf.setFillColor(colors.grey)
    pdf.drawString(20 * mm, 20 * mm, f"证书编号：{contest.pk:04d}-{entrant.pk:06d}")
    pdf.showPage()
    pdf.save()
    return stream.getvalue()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def results_xlsx(contest: Contest) -> bytes:
    """One sheet per round: rank, order of appearance, name, unit, group, each segment,
    total, advanced / prize. No ID or mobile numbers."""
    book = Workbook()
    first = book.active  # a new workbook opens on one empty sheet: the rounds replace it
    if first is not None:
        book.remove(first)
    entrants = {e.pk: e for e in contest.entrants.select_related("worker__employer", "team")}
    for round_ in contest.rounds.order_by("order"):
        results, chosen = round_results(round_)
        sheet = book.create_sheet(title=safe_text(round_.name)[:30] or f"赛段{round_.order}")
        segments = (
            [s.segment for s in results[0].segments] if results else list(round_.segments.all())
        )
        header = [
            "名次",
            "出场顺序",
            "姓名",
            "工作单位",
            "组别",
            "代表队",
            *[f"{s.name}（权重{s.weight.normalize():f}）" for s in segments],
            "总分",
            "晋级/奖项",
        ]
        sheet.append(header)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        entries = dict(round_.entries.values_list("pk", "entrant_id"))
        is_last = not contest.rounds.filter(order__gt=round_.order).exists()
        for result in results:
            entrant = entrants[entries[result.entry.id]]
            outcome = entrant.prize if is_last else ("晋级" if result.entry.id in chosen else "")
            sheet.append(
                [
                    result.rank,
                    result.entry.order_no,
                    safe_text(entrant.worker.name),
                    safe_text(entrant.worker.employer.name),
                    safe_text(entrant.group),
                    safe_text(entrant.team.name if entrant.team else ""),
                    *[float(s.mean) if s.mean is not None else None for s in result.segments],
                    float(result.total),
                    outcome,
                ]
            )
        sheet.column_dimensions["D"].width = 32
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()
