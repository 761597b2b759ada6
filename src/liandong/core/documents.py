"""Documents in Chinese: PDF through reportlab with an embedded CJK TrueType font, and .docx
through python-docx with an East-Asian font set on every run. Apps build their content and
call these; they do not register fonts or set styles themselves.

The font is Debian's fonts-wqy-microhei (TrueType outlines, so reportlab can embed a subset),
installed by scripts/system-deps.sh; the LIANDONG_PDF_FONT setting (environment variable) names
another .ttf/.ttc if needed.
"""

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from django.conf import settings

FONT_NAME = "LiandongCJK"
FONT_CANDIDATES = [
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
]
DOCX_FONT = "宋体"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class FontMissing(RuntimeError):
    pass


@cache
def pdf_font() -> str:
    """Registers the CJK font with reportlab once; returns its name."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    configured = settings.LIANDONG_PDF_FONT
    for candidate in ([configured] if configured else []) + FONT_CANDIDATES:
        if candidate and Path(candidate).exists():
            pdfmetrics.registerFont(TTFont(FONT_NAME, candidate, subfontIndex=0))
            return FONT_NAME
    raise FontMissing(
        "未找到中文字体：请安装 fonts-wqy-microhei（scripts/system-deps.sh）或设置 LIANDONG_PDF_FONT"
    )


@dataclass
class Block:
    """One piece of a simple document: a heading, a paragraph or a table."""

    kind: str  # "title", "heading", "paragraph", "table"
    text: str = ""
    rows: Sequence[Sequence[object]] = field(
        default_factory=list
    )  # for tables; first row is the header


def pdf_render(blocks: Iterable[Block], *, title: str) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import (
        Flowable,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

    font = pdf_font()
    base = getSampleStyleSheet()
    styles = {
        "title": ParagraphStyle("t", parent=base["Title"], fontName=font, fontSize=18, leading=26),
        "heading": ParagraphStyle(
            "h", parent=base["Heading2"], fontName=font, fontSize=13, leading=20
        ),
        "paragraph": ParagraphStyle(
            "p", parent=base["BodyText"], fontName=font, fontSize=10.5, leading=17, wordWrap="CJK"
        ),
        "cell": ParagraphStyle(
            "c", parent=base["BodyText"], fontName=font, fontSize=9, leading=13, wordWrap="CJK"
        ),
    }
    story: list[Flowable] = []
    for block in blocks:
        if block.kind == "table":
            data = [
                [Paragraph(_escape(cell), styles["cell"]) for cell in row] for row in block.rows
            ]
            if not data:
                continue
            table = Table(data, repeatRows=1, hAlign="LEFT")
            table.setStyle(
                TableStyle(
                    [
                        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f0f0f0")),
                        ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ]
                )
            )
            story += [table, Spacer(1, 4 * mm)]
        else:
            story.append(Paragraph(_escape(block.text), styles[block.kind]))
    stream = io.BytesIO()
    SimpleDocTemplate(
        stream,
        pagesize=A4,
        title=title,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
    ).build(story)
    return stream.getvalue()


def docx_render(blocks: Iterable[Block], *, title: str) -> bytes:
    from docx import Document
    from docx.oxml.ns import qn

    document = Document()
    document.core_properties.title = title
    for style_name in ["Normal", "Title", "Heading 1", "Heading 2", "Table Grid"]:
        style = document.styles[style_name]
        style.font.name = DOCX_FONT
        style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), DOCX_FONT)
    for block in blocks:
        if block.kind == "title":
            document.add_heading(block.text, level=0)
        elif block.kind == "heading":
            document.add_heading(block.text, level=2)
        elif block.kind == "paragraph":
            document.add_paragraph(block.text)
        elif block.kind == "table" and block.rows:
            table = document.add_table(rows=0, cols=len(block.rows[0]))
            table.style = "Table Grid"
            for row in block.rows:
                cells = table.add_row().cells
                for cell, value in zip(cells, row, strict=False):
                    cell.text = "" if value is None else str(value)
    stream = io.BytesIO()
    document.save(stream)
    return stream.getvalue()


def _escape(value: object) -> str:
    text = "" if value is None else str(value)
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\n", "<br/>")
    )
