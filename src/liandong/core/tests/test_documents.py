import io
import zipfile

import pytest

from liandong.core.documents import Block, FontMissing, docx_render, pdf_font, pdf_render

BLOCKS = [
    Block("title", "甘肃省快递行业联席会议 2026 年度总结"),
    Block("heading", "一、会议召开情况"),
    Block("paragraph", "全年召开联席会议 3 次，议定事项 12 项，完成率 83.3%。<不是标签> & 符号"),
    Block(
        "table", rows=[["序号", "议定事项", "牵头单位"], [1, "双十一慰问快递小哥", "省快递协会"]]
    ),
]


def test_pdf_embeds_a_chinese_font_and_carries_the_text() -> None:
    try:
        pdf_font()
    except FontMissing:
        pytest.skip("fonts-wqy-microhei is installed by `make test`")
    pdf = pdf_render(BLOCKS, title="年度总结")
    assert pdf.startswith(b"%PDF")
    assert b"/FontFile2" in pdf  # the TrueType subset is embedded, not just named
    assert b"/ToUnicode" in pdf  # and the text can be searched and copied


def test_docx_has_the_text_and_an_east_asian_font() -> None:
    body = docx_render(BLOCKS, title="年度总结")
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        document = archive.read("word/document.xml").decode()
        styles = archive.read("word/styles.xml").decode()
    assert "双十一慰问快递小哥" in document
    assert "&lt;不是标签&gt; &amp; 符号" in document
    assert 'w:eastAsia="宋体"' in styles
