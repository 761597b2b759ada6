"""The safe workbook reader on its own, without a database. The roster import's tests
(workers/tests/test_importing.py) cover every refusal through a whole import."""

import io
import zipfile

import pytest
from django.test import override_settings
from openpyxl import Workbook

from liandong.core import workbooks
from liandong.core.workbooks import (
    FileRejected,
    check_container,
    first_sheet,
    open_workbook,
    sheet_rows,
)


def xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def with_entry(data: bytes, name: str, content: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(buffer, "w") as target:
        for entry in source.infolist():
            target.writestr(entry, source.read(entry.filename))
        target.writestr(name, content)
    return buffer.getvalue()


def rejection(data: bytes) -> str:
    with pytest.raises(FileRejected) as refused:
        check_container(io.BytesIO(data))
    return str(refused.value)


def test_a_plain_workbook_passes_and_streams_its_rows_with_excel_numbers() -> None:
    data = io.BytesIO(xlsx([["出场顺序", "成绩"], [1, 88.5], [2, "=1+1"]]))
    check_container(data)
    with open_workbook(data) as book:
        rows = list(sheet_rows(first_sheet(book), min_row=2, max_col=2))
    # A formula arrives as its text, never evaluated.
    assert rows == [(2, (1, 88.5)), (3, (2, "=1+1"))]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", workbooks.ERR_EMPTY),
        ("姓名,手机号\n王伟,13919310001\n".encode("gb18030"), workbooks.ERR_CSV),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, workbooks.ERR_NOT_XLSX),
        (b"PK\x03\x04" + bytes(500), workbooks.ERR_CORRUPT),
        (with_entry(xlsx([["a"]]), "xl/vbaProject.bin", b"\x00" * 64), workbooks.ERR_MACROS),
    ],
    ids=["empty", "csv", "png", "garbage-zip", "macros"],
)
def test_what_is_not_a_plain_workbook_is_refused_before_parsing(data: bytes, message: str) -> None:
    assert rejection(data) == message


@override_settings(LIANDONG_IMPORT_MAX_BYTES=1000)
def test_the_size_limit_is_the_setting() -> None:
    assert rejection(xlsx([["a"] * 50] * 50)) == workbooks.ERR_TOO_LARGE.format(mb=0)


def test_entity_definitions_are_refused_by_defusedxml() -> None:
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol2;</t></is></c></row>'
        b"</sheetData></worksheet>"
    )
    source = xlsx([["a"]])
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(source)) as old, zipfile.ZipFile(buffer, "w") as new:
        for entry in old.infolist():
            content = old.read(entry.filename)
            new.writestr(entry, laughs if entry.filename == "xl/worksheets/sheet1.xml" else content)
    data = io.BytesIO(buffer.getvalue())
    check_container(data)
    with pytest.raises(FileRejected) as refused, open_workbook(data) as book:
        list(sheet_rows(first_sheet(book), min_row=1, max_col=1))
    assert str(refused.value) == workbooks.ERR_UNSAFE_XML
