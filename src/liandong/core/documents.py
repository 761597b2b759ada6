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


def font_path() -> str:
    """The CJK font file the documents use (reportlab here; matplotlib for server-side charts)."""
    configured = settings.LIANDONG_PDF_FONT
    for candidate in ([configured] if configured else []) + FONT_CANDIDATES:
        if candidate and Path(candidate).exists():
            return str(candidate)
    raise FontMissing(
        "未找到中文字体：请安装 fonts-wqy-microhei（scripts/system-deps.sh）或设置 LIANDONG_PDF_FONT"
    )


@cache
def pdf_font() -> str:
    """Registers the CJK font with reportlab once; returns its name."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    pdfmetrics.registerFont(TTFont(FONT_NAME, font_path(), subfontIndex=0))
    return FONT_NAME


@dataclass
class Block:
    """One piece of a simple document: a heading, a paragraph or a table; for longer documents
    also a cover page, a chapter heading, an image (PNG) with its caption, a page break."""

    # "title", "heading", "paragraph", "table"; "cover" (``text`` the title, ``rows`` one line
    # each below it, then a new page), "chapter" (a level-1 heading), "image" (``image`` PNG
    # bytes, ``text`` its caption), "pagebreak"
    kind: str
    text: str = ""
    rows: Sequence[Sequence[object]] = field(
        default_factory=list
    )  # for tables; first row is the header
    image: bytes = b""
    url: str = ""  # a paragraph (or an image's caption) that links there


IMAGE_WIDTH_MM = 165


def pdf_render(blocks: Iterable[Block], *, title: str, page_numbers: bool = False) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import (
        Flowable,
        Image,
        PageBreak,
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
        "chapter": ParagraphStyle(
            "ch", parent=base["Heading1"], fontName=font, fontSize=16, leading=24
        ),
        "cover": ParagraphStyle(
            "cv", parent=base["Title"], fontName=font, fontSize=26, leading=38, alignment=TA_CENTER
        ),
        "cover-line": ParagraphStyle(
            "cl",
            parent=base["BodyText"],
            fontName=font,
            fontSize=13,
            leading=22,
            alignment=TA_CENTER,
        ),
        "caption": ParagraphStyle(
            "cp",
            parent=base["BodyText"],
            fontName=font,
            fontSize=9,
            leading=13,
            alignment=TA_CENTER,
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
        elif block.kind == "cover":
            story += [Spacer(1, 60 * mm), Paragraph(_escape(block.text), styles["cover"])]
            story += [Spacer(1, 12 * mm)]
            story += [Paragraph(_escape(row[0]), styles["cover-line"]) for row in block.rows]
            story.append(PageBreak())
        elif block.kind == "pagebreak":
            story.append(PageBreak())
        elif block.kind == "image":
            if block.image:
                width, height = _png_size(block.image)
                shown = IMAGE_WIDTH_MM * mm
                story.append(Image(io.BytesIO(block.image), shown, shown * height / width))
            if block.text:
                story.append(Paragraph(_linked(block), styles["caption"]))
            story.append(Spacer(1, 3 * mm))
        else:
            story.append(Paragraph(_linked(block), styles[block.kind]))
    stream = io.BytesIO()
    SimpleDocTemplate(
        stream,
        pagesize=A4,
        title=title,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
    ).build(
        story,
        **({"onFirstPage": _no_number, "onLaterPages": _page_number(font)} if page_numbers else {}),
    )
    return stream.getvalue()


def _no_number(canvas: object, document: object) -> None:
    pass


def _page_number(font: str):  # type: ignore[no-untyped-def]
    def draw(canvas, document) -> None:  # type: ignore[no-untyped-def]
        from reportlab.lib.pagesizes import A4
        from reportlab.lib.units import mm

        canvas.saveState()
        canvas.setFont(font, 9)
        canvas.drawCentredString(A4[0] / 2, 10 * mm, f"第 {document.page} 页")
        canvas.restoreState()

    return draw


def _png_size(data: bytes) -> tuple[int, int]:
    from PIL import Image as PILImage

    with PILImage.open(io.BytesIO(data)) as picture:
        return picture.size


def _linked(block: Block) -> str:
    text = _escape(block.text)
    if not block.url:
        return text
    return f'<link href="{_escape(block.url)}" color="#1a56a8"><u>{text}</u></link>'


def docx_render(blocks: Iterable[Block], *, title: str) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    document = Document()
    document.core_properties.title = title
    for style_name in ["Normal", "Title", "Heading 1", "Heading 2", "Table Grid"]:
        style = document.styles[style_name]
        style.font.name = DOCX_FONT
        style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), DOCX_FONT)
    for block in blocks:
        if block.kind == "title":
            document.add_heading(block.text, level=0)
        elif block.kind == "cover":
            for _ in range(8):
                document.add_paragraph()
            heading = document.add_heading(block.text, level=0)
            heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
            document.add_paragraph()
            for row in block.rows:
                line = document.add_paragraph()
                line.alignment = WD_ALIGN_PARAGRAPH.CENTER
                line.add_run(str(row[0])).font.size = Pt(14)
            document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        elif block.kind == "pagebreak":
            document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        elif block.kind == "chapter":
            document.add_heading(block.text, level=1)
        elif block.kind == "heading":
            document.add_heading(block.text, level=2)
        elif block.kind == "image":
            if block.image:
                document.add_picture(io.BytesIO(block.image), width=Mm(IMAGE_WIDTH_MM))
                document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
            if block.text:
                caption = _docx_paragraph(document, block)
                caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif block.kind == "paragraph":
            _docx_paragraph(document, block)
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


def _docx_paragraph(document, block: Block):  # type: ignore[no-untyped-def]
    """A paragraph; with ``block.url`` its text is an external hyperlink (python-docx has no
    call for one, so the element is built as Word writes it)."""
    from docx.opc.constants import RELATIONSHIP_TYPE
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    paragraph = document.add_paragraph()
    if not block.url:
        paragraph.add_run(block.text)
        return paragraph
    rel = paragraph.part.relate_to(block.url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), rel)
    run = OxmlElement("w:r")
    props = OxmlElement("w:rPr")
    for tag, value in (("w:color", "1A56A8"), ("w:u", "single")):
        element = OxmlElement(tag)
        element.set(qn("w:val"), value)
        props.append(element)
    run.append(props)
    text = OxmlElement("w:t")
    text.text = block.text
    text.set(qn("xml:space"), "preserve")
    run.append(text)
    link.append(run)
    paragraph._p.append(link)
    return paragraph


def _escape(value: object) -> str:
    text = "" if value is None else str(value)
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\n", "<br/>")
    )
