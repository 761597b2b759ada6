"""Roster import (名册导入): every kind of bad input, and the happy paths. Workbooks are built
here with openpyxl; no binary fixture is committed."""

import io
import json
import random
import re
import time
import zipfile
from datetime import date, datetime, timedelta

import pytest
from django.test import override_settings
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from liandong.core import sample_data, workbooks
from liandong.core.models import AuditLog
from liandong.organizations.models import Organization
from liandong.organizations.tests.factories import OutletFactory
from liandong.workers import importing
from liandong.workers.importing import roster_import, roster_report_xlsx, roster_template_xlsx
from liandong.workers.models import RosterImport, Worker, WorkerType
from liandong.workers.services import worker_register

HEADERS = ["姓名", "性别", "身份证号", "手机号", "工作单位", "职业", "入会日期"]
OUTLET_A = "甲快递城关网点"  # outlet_a of the `world` fixture, under union_a
WORKER_A_ID = "620102198403152712"  # world.worker_a, employed at outlet_a
WORKER_A_MOBILE = "13919310001"
_rng = random.Random(20240501)


# ---------------------------------------------------------------------------------------
# Helpers shared by the import tests (the CLI and view tests import them too).


def person(**overrides: object) -> dict[str, object]:
    """One valid roster row as a dict keyed by header; IDs and mobiles are invented."""
    values: dict[str, object] = {
        "姓名": sample_data.person_name(_rng),
        "性别": "",
        "身份证号": sample_data.id_number(_rng),
        "手机号": sample_data.mobile(_rng),
        "工作单位": OUTLET_A,
        "职业": "快递员",
        "入会日期": "",
    }
    values.update(overrides)
    return values


def roster_xlsx(
    rows: list[dict[str, object]], headers: list[str] = HEADERS, *, above: list[list[object]] = ()
) -> bytes:
    """A workbook with ``above`` rows (titles, blanks) over the header and the ``rows``."""
    book = Workbook()
    sheet = book.active
    for line in above:
        sheet.append(line)
    sheet.append(headers)
    for row in rows:
        sheet.append([row.get(h, "") for h in headers])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def run(world: object, content: bytes, **kwargs: object) -> RosterImport:
    kwargs.setdefault("organization", world.union_a)
    kwargs.setdefault("actor", world.users["staff_a"])
    kwargs.setdefault("filename", "名册.xlsx")
    return roster_import(file=io.BytesIO(content), **kwargs)


def db_state() -> tuple:
    """What an import may change: workers, their audit rows, and the stored counts."""
    return (
        sorted(
            Worker.objects.values_list(
                "pk", "name", "mobile_digest", "employer_id", "joined_union_on"
            )
        ),
        AuditLog.objects.filter(action="workers.created").count(),
        AuditLog.objects.filter(action="workers.updated").count(),
        sorted(Organization.objects.values_list("pk", "worker_count", "member_count")),
    )


def assert_counts_match_roster() -> None:
    for organization in Organization.objects.all():
        workers = Worker.objects.filter(employer=organization)
        assert organization.worker_count == workers.count(), organization
        assert organization.member_count == workers.filter(joined_union_on__isnull=False).count(), (
            organization
        )


def replace_entry(content: bytes, name: str, data: bytes) -> bytes:
    """``content`` (a ZIP) with entry ``name`` replaced by ``data``."""
    source = zipfile.ZipFile(io.BytesIO(content))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(
                info.filename, data if info.filename == name else source.read(info.filename)
            )
    return buffer.getvalue()


def compound_file(streams: list[str]) -> bytes:
    """A minimal OLE compound file (MS-CFB v3) whose directory lists ``streams``: the shape
    of an old .xls ("Workbook") or of a password-protected xlsx ("EncryptionInfo")."""
    end, free, fat_sector = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD
    header = bytearray(512)
    header[0:8] = bytes.fromhex("d0cf11e0a1b11ae1")
    header[24:34] = (
        (0x3E).to_bytes(2, "little")
        + (3).to_bytes(2, "little")
        + b"\xfe\xff"
        + (9).to_bytes(2, "little")
        + (6).to_bytes(2, "little")
    )
    header[44:48] = (1).to_bytes(4, "little")  # one FAT sector: sector 0
    header[48:52] = (1).to_bytes(4, "little")  # the directory starts at sector 1
    header[56:60] = (4096).to_bytes(4, "little")
    header[60:64] = end.to_bytes(4, "little")
    header[68:72] = end.to_bytes(4, "little")
    header[76:512] = (0).to_bytes(4, "little") + free.to_bytes(4, "little") * 108
    fat = b"".join(n.to_bytes(4, "little") for n in [fat_sector, end] + [free] * 126)

    def entry(name: str, kind: int) -> bytes:
        raw = (name + "\0").encode("utf-16-le")
        data = bytearray(128)
        data[0 : len(raw)] = raw
        data[64:66] = len(raw).to_bytes(2, "little")
        data[66] = kind
        data[68:80] = free.to_bytes(4, "little") * 3
        data[116:120] = end.to_bytes(4, "little")
        return bytes(data)

    directory = entry("Root Entry", 5) + b"".join(entry(s, 2) for s in streams)
    directory = directory.ljust(512, b"\0")
    return bytes(header) + fat + directory


def error_tuples(record: RosterImport) -> list[tuple[int, str, str]]:
    return [(row, column, reason) for row, column, reason, _ in record.errors]


# ---------------------------------------------------------------------------------------
# Bad rows: each is reported with its Excel row number, column and a Chinese reason, and
# nothing at all is written.


def _float_id() -> float:
    return 1.10105194912310e17


BAD_ROWS = [
    pytest.param(
        {"身份证号": "620102198403152713"},
        "身份证号",
        "身份证号校验位错误，请核对是否抄错",
        id="id-checksum",
    ),
    pytest.param(
        {"身份证号": "62010219900230123X"},
        "身份证号",
        "身份证号中的出生日期 1990-02-30 不存在该日期，请核对",  # issue 13: shows the date
        id="id-birth-date",
    ),
    pytest.param(
        {"身份证号": _float_id()},
        "身份证号",
        "身份证号被 Excel 存成了数字，末尾几位已经丢失，请把该列设为文本格式后重新填写",
        id="id-float",
    ),
    pytest.param(
        {"身份证号": "1.10105E+17"},
        "身份证号",
        "身份证号被 Excel 存成了科学计数法，末尾几位已经丢失，请把该列设为文本格式后重新填写",
        id="id-scientific",
    ),
    pytest.param(
        {"身份证号": "620102840315271"},
        "身份证号",
        "这是 15 位的旧身份证号，已停止使用；需要 18 位，请填写现行的 18 位身份证号",
        id="id-15-digits",
    ),
    pytest.param({"身份证号": ""}, "身份证号", "身份证号不能为空", id="id-empty"),
    pytest.param(
        {"手机号": "0931-8888888"}, "手机号", "这是固定电话号码，请填写 11 位手机号", id="landline"
    ),
    pytest.param(
        {"手机号": "1391931000"}, "手机号", "手机号不是有效的中国大陆号码", id="mobile-short"
    ),
    pytest.param({"手机号": "139abc"}, "手机号", "手机号只能包含数字", id="mobile-letters"),
    pytest.param(
        {"手机号": WORKER_A_MOBILE}, "手机号", "该手机号已被其他职工登记", id="mobile-registered"
    ),
    pytest.param(
        {"工作单位": "不存在的网点"},
        "工作单位",
        "工作单位不在导入范围内或未登记",
        id="employer-unknown",
    ),
    pytest.param(
        {"工作单位": "乙快递秦州网点"},
        "工作单位",
        "工作单位不在导入范围内或未登记",
        id="employer-outside",
    ),
    pytest.param(
        {"工作单位": "甲产业工会"},
        "工作单位",
        "工作单位不在导入范围内或未登记",
        id="employer-is-a-union",
    ),
    pytest.param({"工作单位": ""}, "工作单位", "工作单位不能为空", id="employer-empty"),
    pytest.param({"入会日期": "2999-01-01"}, "入会日期", "入会日期不能晚于今天", id="date-future"),
    pytest.param(
        {"入会日期": "去年五月"},
        "入会日期",
        "入会日期无法识别，请填写如 2024-05-01 的日期",
        id="date-garbage",
    ),
    pytest.param(
        {"入会日期": "2024-02-30"},
        "入会日期",
        "入会日期 2024-02-30 不存在该日期，请核对",  # issue 13: read, but no such date
        id="date-impossible",
    ),
    pytest.param({"性别": "未知"}, "性别", "性别只能填写“男”或“女”", id="gender-garbage"),
    pytest.param(
        {"入会日期": "2023-02-29"},
        "入会日期",
        "入会日期 2023-02-29 不存在该日期，请核对",
        id="feb-29",
    ),
    pytest.param(
        {"身份证号": "6201021984031527"},
        "身份证号",
        "身份证号有 16 位，需要 18 位：17 位数字加 1 位数字或 X",
        id="id-16-digits",
    ),
    pytest.param({"姓名": ""}, "姓名", "姓名不能为空", id="name-empty"),
    pytest.param({"姓名": "王" * 61}, "姓名", "姓名不能超过 60 个字", id="name-too-long"),
    pytest.param(
        {"姓名": '=HYPERLINK("http://x","点我")'},
        "姓名",
        "姓名不能以 = + - @ 开头（疑似公式），请直接填写文字",
        id="name-formula",
    ),
    pytest.param(
        {"姓名": "+王伟"},
        "姓名",
        "姓名不能以 = + - @ 开头（疑似公式），请直接填写文字",
        id="name-plus",
    ),
    pytest.param(
        {"姓名": "-王伟"},
        "姓名",
        "姓名不能以 = + - @ 开头（疑似公式），请直接填写文字",
        id="name-minus",
    ),
    pytest.param(
        {"姓名": "@SUM(A1)"},
        "姓名",
        "姓名不能以 = + - @ 开头（疑似公式），请直接填写文字",
        id="name-at",
    ),
    pytest.param(
        {"职业": "=1+1"},
        "职业",
        "职业不能以 = + - @ 开头（疑似公式），请直接填写文字",
        id="occupation-formula",
    ),
    pytest.param({"职业": "快" * 41}, "职业", "职业不能超过 40 个字", id="occupation-too-long"),
]


@pytest.mark.parametrize(("bad", "column", "reason"), BAD_ROWS)
def test_a_bad_row_is_reported_and_nothing_is_written(world, bad, column, reason) -> None:
    before = db_state()
    rows = [person(), person(**bad), person()]
    record = run(world, roster_xlsx(rows))
    assert record.file_error == ""
    assert error_tuples(record) == [(3, column, reason)]  # header is row 1, so the 2nd row is row 3
    assert (record.rows_read, record.rows_rejected, record.committed) == (3, 1, False)
    assert db_state() == before
    assert RosterImport.objects.filter(pk=record.pk).exists()


def test_gender_contradicting_the_id_is_refused(world) -> None:
    male_id = sample_data.id_number(_rng, gender="M")
    before = db_state()
    record = run(world, roster_xlsx([person(性别="女", 身份证号=male_id)]))
    # Issue 13: the reason says what the ID number shows.
    assert error_tuples(record) == [
        (2, "性别", "性别填的是“女”，但身份证号第 17 位表明是“男”，请核对")
    ]
    assert db_state() == before


def test_a_join_date_before_birth_is_refused(world) -> None:
    record = run(world, roster_xlsx([person(身份证号="62010219900307123X", 入会日期="1985-01-01")]))
    assert error_tuples(record) == [(2, "入会日期", "入会日期早于身份证号中的出生日期")]


def test_duplicates_within_the_file_name_the_first_row(world) -> None:
    first = person()
    before = db_state()
    rows = [first, person(), person(身份证号=first["身份证号"]), person(手机号=first["手机号"])]
    record = run(world, roster_xlsx(rows))
    assert error_tuples(record) == [
        (4, "身份证号", "与第 2 行重复"),
        (5, "手机号", "与第 2 行重复"),
    ]
    assert db_state() == before


def test_an_id_registered_outside_the_subtree_reveals_nothing(world) -> None:
    elsewhere = worker_register(
        actor=None,
        name="赵丙",
        id_number="62010219900307123X",
        mobile="13919310099",
        employer=world.outlet_b,
    )
    before = db_state()
    rows = [
        person(身份证号="62010219900307123X", 姓名="赵丙"),
        person(身份证号="62010219900307123X", 手机号="13919310099"),
    ]
    record = run(world, roster_xlsx(rows))
    assert error_tuples(record) == [
        (2, "身份证号", "该身份证号已在其他单位登记"),
        (3, "身份证号", "与第 2 行重复"),
        (3, "身份证号", "该身份证号已在其他单位登记"),
    ]
    record = run(world, roster_xlsx(rows[1:]))
    assert error_tuples(record) == [(2, "身份证号", "该身份证号已在其他单位登记")]
    assert record.errors[0][3] == "620102********123X"
    assert "乙" not in json.dumps(record.errors, ensure_ascii=False)
    assert db_state() == before
    elsewhere.refresh_from_db()
    assert elsewhere.name == "赵丙"


def test_an_ambiguous_employer_name_is_refused(world) -> None:
    OutletFactory(name=OUTLET_A, code="W-OA2", parent=world.enterprise_a)
    before = db_state()
    record = run(world, roster_xlsx([person()]))
    assert error_tuples(record) == [(2, "工作单位", "工作单位名称对应多个单位，请改填单位编码")]
    assert db_state() == before
    # The code is unambiguous.
    record = run(world, roster_xlsx([person(工作单位="W-OA2")]))
    assert (record.rows_imported, record.rows_rejected) == (1, 0)


def test_row_numbers_are_excel_rows_below_a_title_and_blank_rows(world) -> None:
    rows = [person(), {}, person(手机号="0931-8888888")]  # a blank row in between
    content = roster_xlsx(rows, above=[["甲快递职工名册（2025 年）"], []])
    record = run(world, content)
    # Title row 1, blank row 2, header row 3, data rows 4, 5 (blank), 6.
    assert error_tuples(record) == [(6, "手机号", "这是固定电话号码，请填写 11 位手机号")]
    assert record.rows_read == 2


def test_a_row_with_several_errors_reports_each_and_counts_once(world) -> None:
    record = run(
        world, roster_xlsx([person(身份证号="123", 手机号="0931-8888888", 工作单位="无此单位")])
    )
    assert [column for _, column, _ in error_tuples(record)] == ["身份证号", "手机号", "工作单位"]
    assert record.rows_rejected == 1


def test_error_values_are_masked_never_plaintext(world) -> None:
    bad_id = "620102198403152713"
    record = run(
        world,
        roster_xlsx(
            [
                person(身份证号=bad_id),
                person(手机号=WORKER_A_MOBILE),
                person(身份证号=_float_id()),
            ]
        ),
    )
    stored = json.dumps(record.errors, ensure_ascii=False)
    assert bad_id not in stored
    assert WORKER_A_MOBILE not in stored
    assert "1101051949" not in stored
    assert record.errors[0][3] == "620102********2713"
    assert record.errors[1][3] == "139****0001"


# ---------------------------------------------------------------------------------------
# Whole-file problems: one Chinese file_error, nothing written, the record still saved.


def _xlsx_with_formula_headers() -> bytes:
    return roster_xlsx([person()], headers=["姓名", "身份证号", "手机号", "工作单位", "姓名"])


def _macro_workbook() -> bytes:
    content = roster_xlsx([person()])
    types = (
        zipfile.ZipFile(io.BytesIO(content))
        .read("[Content_Types].xml")
        .replace(
            b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
            b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
        )
    )
    content = replace_entry(content, "[Content_Types].xml", types)
    buffer = io.BytesIO(content)
    with zipfile.ZipFile(buffer, "a") as archive:
        archive.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0 macro")
    return buffer.getvalue()


def _many_entries() -> bytes:
    buffer = io.BytesIO(roster_xlsx([person()]))
    with zipfile.ZipFile(buffer, "a") as archive:
        for n in range(1001):
            archive.writestr(f"xl/media/pad{n}.txt", b"")
    return buffer.getvalue()


def _zip_bomb() -> bytes:
    """A valid workbook plus one entry that unpacks to 201 MB of zeros (compressed ~200 KB)."""
    buffer = io.BytesIO(roster_xlsx([person()]))
    with (
        zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED, compresslevel=1) as archive,
        archive.open("xl/media/image1.bin", "w") as entry,
    ):
        chunk = bytes(1024 * 1024)
        for _ in range(201):
            entry.write(chunk)
    return buffer.getvalue()


LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        b'<!ENTITY lol%d "%s">' % (n, (b"&lol%d;" % (n - 1) if n > 1 else b"&lol;") * 10)
        for n in range(1, 10)
    )
    + b']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    b'<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>'
)


def _billion_laughs_sheet() -> bytes:
    return replace_entry(roster_xlsx([person()]), "xl/worksheets/sheet1.xml", LAUGHS)


def _billion_laughs_strings() -> bytes:
    """The same bomb in a shared-string table (openpyxl writes none; Excel always does)."""
    content = roster_xlsx([person()])
    types = (
        zipfile.ZipFile(io.BytesIO(content))
        .read("[Content_Types].xml")
        .replace(
            b"</Types>",
            b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
            b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
        )
    )
    buffer = io.BytesIO(replace_entry(content, "[Content_Types].xml", types))
    with zipfile.ZipFile(buffer, "a") as archive:
        archive.writestr(
            "xl/sharedStrings.xml",
            LAUGHS.replace(b"<worksheet", b"<sst")
            .replace(b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is>', b"<si>")
            .replace(b"</is></c></row></sheetData></worksheet>", b"</si></sst>"),
        )
    return buffer.getvalue()


def _not_a_workbook_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            b'<Types><Override ContentType="application/'
            b'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        archive.writestr("word/document.xml", b"<document/>")
    return buffer.getvalue()


def _broken_sheet_xml() -> bytes:
    return replace_entry(
        roster_xlsx([person()]), "xl/worksheets/sheet1.xml", b"<worksheet><sheetData><row"
    )


def _blank_workbook() -> bytes:
    buffer = io.BytesIO()
    Workbook().save(buffer)
    return buffer.getvalue()


PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
CSV = "姓名,身份证号,手机号,工作单位\n王伟,620102198403152712,13919310001,甲快递城关网点\n".encode()

BAD_FILES = [
    pytest.param(lambda: b"", "文件是空的，请选择填好的名册文件", id="empty-file"),
    pytest.param(lambda: CSV, workbooks.ERR_CSV, id="csv-renamed"),
    pytest.param(lambda: CSV.decode().encode("gb18030"), workbooks.ERR_CSV, id="csv-gbk"),
    pytest.param(lambda: PNG, workbooks.ERR_NOT_XLSX, id="png-renamed"),
    pytest.param(
        lambda: compound_file(["Workbook", "\x05SummaryInformation"]),
        workbooks.ERR_OLD_XLS,
        id="old-xls",
    ),
    pytest.param(
        lambda: compound_file(["EncryptionInfo", "EncryptedPackage", "\x06DataSpaces"]),
        workbooks.ERR_ENCRYPTED,
        id="encrypted",
    ),
    pytest.param(lambda: compound_file(["WordDocument"]), workbooks.ERR_NOT_XLSX, id="old-doc"),
    pytest.param(lambda: roster_xlsx([person()])[:3000], workbooks.ERR_CORRUPT, id="truncated"),
    pytest.param(lambda: b"PK\x03\x04" + bytes(500), workbooks.ERR_CORRUPT, id="garbage-zip"),
    pytest.param(_broken_sheet_xml, workbooks.ERR_CORRUPT, id="broken-sheet-xml"),
    pytest.param(_not_a_workbook_zip, workbooks.ERR_NOT_XLSX, id="docx"),
    pytest.param(_macro_workbook, workbooks.ERR_MACROS, id="xlsm"),
    pytest.param(_many_entries, workbooks.ERR_BOMB, id="too-many-entries"),
    pytest.param(_zip_bomb, workbooks.ERR_BOMB, id="zip-bomb"),
    pytest.param(_billion_laughs_sheet, workbooks.ERR_UNSAFE_XML, id="billion-laughs-sheet"),
    pytest.param(_billion_laughs_strings, workbooks.ERR_UNSAFE_XML, id="billion-laughs-strings"),
    pytest.param(_blank_workbook, "工作表是空的，没有找到表头和数据", id="blank-workbook"),
    pytest.param(lambda: roster_xlsx([]), "表格只有表头，没有数据行", id="header-only"),
    pytest.param(
        lambda: roster_xlsx([{}, {}]), "表格只有表头，没有数据行", id="header-and-blank-rows"
    ),
    pytest.param(
        _xlsx_with_formula_headers,
        "表头中“姓名”出现了不止一次，请只保留一列",
        id="duplicate-header",
    ),
    pytest.param(
        lambda: roster_xlsx([person()], headers=["姓名", "性别", "工作单位"]),
        "缺少必需的列：身份证号、手机号。请检查表头（第一行）的列名",
        id="missing-columns",
    ),
    pytest.param(
        lambda: roster_xlsx([person()], headers=["姓名", "身份证号", "手机号", "单位"]),
        "缺少必需的列：工作单位（或所属网点）。请检查表头（第一行）的列名",
        id="missing-employer",
    ),
]


@pytest.mark.parametrize(("make", "message"), BAD_FILES)
def test_a_bad_file_is_one_clear_error_and_nothing_is_written(world, make, message) -> None:
    before = db_state()
    started = time.monotonic()
    record = run(world, make(), filename="名册.xlsx")
    assert time.monotonic() - started < 10
    assert record.file_error == message
    assert (record.rows_read, record.rows_imported, record.committed, record.errors) == (
        0,
        0,
        False,
        [],
    )
    assert db_state() == before
    saved = RosterImport.objects.get(pk=record.pk)
    assert saved.file_error == message
    summary = AuditLog.objects.get(action="workers.imported", target_id=str(record.pk))
    assert summary.changes["file_error"] == message


@override_settings(LIANDONG_IMPORT_MAX_BYTES=2000)
def test_a_file_over_the_size_limit_is_refused_before_parsing(world) -> None:
    before = db_state()
    record = run(world, roster_xlsx([person() for _ in range(30)]))
    assert (
        record.file_error == "文件超过 0 MB，请拆分成几个文件分批导入"
        or "超过" in record.file_error
    )
    assert db_state() == before


def test_the_size_limit_is_twenty_megabytes(world, settings) -> None:
    assert settings.LIANDONG_IMPORT_MAX_BYTES == 20 * 1024 * 1024
    oversized = io.BytesIO(b"PK\x03\x04" + bytes(settings.LIANDONG_IMPORT_MAX_BYTES))
    record = roster_import(
        actor=None, organization=world.union_a, file=oversized, filename="big.xlsx"
    )
    assert record.file_error == "文件超过 20 MB，请拆分成几个文件分批导入"


def test_too_many_rows_is_a_file_error_and_rolls_back(world, monkeypatch) -> None:
    monkeypatch.setattr(importing, "MAX_DATA_ROWS", 3)
    monkeypatch.setattr(importing, "BATCH_SIZE", 2)  # rows 1-2 are written before row 4 is seen
    before = db_state()
    record = run(world, roster_xlsx([person() for _ in range(4)]))
    assert record.file_error == "数据超过 3 行，请拆分成多个文件分批导入"
    assert db_state() == before


# ---------------------------------------------------------------------------------------
# Normalization: what a real spreadsheet holds is accepted.


def test_headers_are_found_in_any_order_with_markers_and_extra_columns(world) -> None:
    headers = [
        "序号",
        " 手机号（必填）",
        "*身份证号",
        "姓名*",
        "备注",
        "所属网点(必填)",
        "入会 日期",
        "职 业",
    ]
    rows = [
        {
            "序号": 1,
            " 手机号（必填）": "13919319999",
            "*身份证号": "62010219900307123X",
            "姓名*": "马建华",
            "备注": "=cmd",
            "所属网点(必填)": OUTLET_A,
            "入会 日期": "2024-05-01",
            "职 业": "外卖骑手",
        }
    ]
    record = run(world, roster_xlsx(rows, headers=headers))
    assert (record.rows_imported, record.errors) == (1, [])
    worker = Worker.objects.get(name="马建华")
    assert (worker.employer, worker.occupation, worker.worker_type) == (
        world.outlet_a,
        "外卖骑手",
        WorkerType.RIDER,
    )
    assert worker.joined_union_on == date(2024, 5, 1)


def test_messy_cells_are_normalized(world) -> None:
    rows = [
        person(
            姓名=" 马 建华 ",
            身份证号="６２０１０２１９９００３０７１２３ｘ",
            手机号="139 1931\u200b9998",
            工作单位=" W-OA ",
        ),
        person(身份证号=" 620102198001011239\u200b", 手机号=13919319997, 性别="男"),
        person(
            手机号="+86 139-1931-9996", 性别="F", 身份证号=sample_data.id_number(_rng, gender="F")
        ),
    ]
    record = run(world, roster_xlsx(rows))
    assert (record.rows_imported, record.errors) == (3, [])
    first = Worker.objects.get(name="马建华")
    assert first.id_number_masked == "620102********123X"
    assert (first.mobile_masked, first.gender, first.employer) == (
        "139****9998",
        "M",
        world.outlet_a,
    )
    assert Worker.objects.filter(mobile_masked="139****9997").exists()
    assert Worker.objects.get(mobile_masked="139****9996").gender == "F"


@pytest.mark.parametrize(
    "joined",
    [
        datetime(2024, 5, 1),  # noqa: DTZ001 - Excel dates have no time zone
        date(2024, 5, 1),
        "2024-05-01",
        "2024/5/1",
        "20240501",
        20240501,
        "2024年5月1日",
        "2024.5.1",
        "２０２４－０５－０１",
        "2024-05-01 00:00:00",
        45413,
    ],
)
def test_join_dates_in_every_common_form(world, joined) -> None:
    record = run(world, roster_xlsx([person(入会日期=joined)]))
    assert record.errors == []
    assert Worker.objects.get(pk__gt=world.worker_b.pk).joined_union_on == date(2024, 5, 1)


def test_gender_is_derived_from_the_id_when_empty(world) -> None:
    female = sample_data.id_number(_rng, gender="F")
    run(world, roster_xlsx([person(身份证号=female, 性别="")]))
    assert Worker.objects.get(id_number_masked=female[:6] + "********" + female[-4:]).gender == "F"


def test_a_formula_cell_is_refused_not_evaluated(world) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    values = person()
    sheet.append([values[h] for h in HEADERS])
    sheet["A2"] = '=CONCATENATE("王","伟")'  # a real formula cell
    buffer = io.BytesIO()
    book.save(buffer)
    record = run(world, buffer.getvalue())
    assert error_tuples(record) == [
        (2, "姓名", "姓名不能以 = + - @ 开头（疑似公式），请直接填写文字")
    ]


def test_a_title_row_above_the_headers_is_tolerated(world) -> None:
    record = run(world, roster_xlsx([person()], above=[["2025 年职工花名册"]]))
    assert (record.rows_imported, record.errors) == (1, [])


def test_the_stale_sheet_dimension_is_not_trusted(world) -> None:
    content = roster_xlsx([person(), person(), person()])
    sheet = zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml")
    stated = re.search(rb'<dimension ref="A1:G4" ?/>', sheet)  # openpyxl writes either form
    assert stated is not None
    record = run(
        world,
        replace_entry(
            content,
            "xl/worksheets/sheet1.xml",
            sheet.replace(stated.group(), b'<dimension ref="A1:B2" />'),
        ),
    )
    assert record.rows_imported == 3


# ---------------------------------------------------------------------------------------
# Writing: creates, updates, counts, audit.


def test_import_creates_workers_with_counts_and_masked_audit(world) -> None:
    rows = [
        person(
            姓名="马建华",
            身份证号="62010219900307123X",
            手机号="13919319999",
            入会日期="2024-05-01",
        ),
        person(姓名="丁秀兰", 工作单位="甲快递公司", 职业="外卖骑手"),
    ]
    record = run(world, roster_xlsx(rows))
    assert (record.rows_read, record.rows_imported, record.rows_updated, record.rows_rejected) == (
        2,
        2,
        0,
        0,
    )
    assert (record.committed, record.file_error, record.errors) == (True, "", [])
    assert record.actor == world.users["staff_a"]
    worker = Worker.objects.get(name="马建华")
    assert (worker.gender, worker.employer, worker.city, worker.worker_type) == (
        "M",
        world.outlet_a,
        world.outlet_a.city,
        WorkerType.COURIER,
    )
    assert worker.is_member
    assert Worker.objects.get(name="丁秀兰").employer == world.enterprise_a
    assert_counts_match_roster()
    world.outlet_a.refresh_from_db()
    assert (world.outlet_a.worker_count, world.outlet_a.member_count) == (2, 1)
    created = AuditLog.objects.filter(action="workers.created", target_id=str(worker.pk)).get()
    assert created.actor == world.users["staff_a"]
    assert created.changes["id_number_masked"] == [None, "620102********123X"]
    assert created.changes["employer"] == [None, world.outlet_a.pk]
    everything = json.dumps([a.changes for a in AuditLog.objects.all()], ensure_ascii=False)
    assert "62010219900307123X" not in everything
    assert "13919319999" not in everything
    summary = AuditLog.objects.get(action="workers.imported")
    assert summary.changes["rows_imported"] == 2
    assert summary.target_id == str(record.pk)


def test_a_registered_id_inside_the_subtree_is_an_update(world) -> None:
    row = person(
        姓名="王甲（改）",
        身份证号=WORKER_A_ID,
        手机号="13919318888",
        工作单位="甲快递公司",
        职业="外卖骑手",
        入会日期="2023-01-02",
    )
    record = run(world, roster_xlsx([row]))
    assert (record.rows_imported, record.rows_updated, record.errors) == (0, 1, [])
    worker = Worker.objects.get(pk=world.worker_a.pk)
    # NFKC, as for every cell: full-width brackets become ASCII ones.
    assert (worker.name, worker.mobile_masked, worker.employer, worker.occupation) == (
        "王甲(改)",
        "139****8888",
        world.enterprise_a,
        "外卖骑手",
    )
    assert (worker.worker_type, worker.joined_union_on) == (WorkerType.RIDER, date(2023, 1, 2))
    assert worker.user == world.users["worker_a"]  # the account stays linked
    assert_counts_match_roster()
    updated = AuditLog.objects.get(action="workers.updated", target_id=str(worker.pk))
    assert updated.changes["mobile_masked"] == ["139****0001", "139****8888"]
    assert updated.changes["employer"] == [world.outlet_a.pk, world.enterprise_a.pk]
    assert "13919318888" not in json.dumps(updated.changes)
    # Re-importing the same row changes nothing and logs nothing.
    again = run(world, roster_xlsx([row]))
    assert (again.rows_read, again.rows_updated, again.rows_imported) == (1, 0, 0)
    assert AuditLog.objects.filter(action="workers.updated").count() == 1


def test_import_then_update_round_trip(world) -> None:
    rows = [person(入会日期="2024-05-01") for _ in range(3)]
    assert run(world, roster_xlsx(rows)).rows_imported == 3
    rows[0]["工作单位"] = "甲快递公司"  # moves
    rows[1]["入会日期"] = ""  # leaves the union
    rows[2]["手机号"] = sample_data.mobile(_rng)  # new mobile
    record = run(world, roster_xlsx(rows))
    assert (record.rows_imported, record.rows_updated, record.rows_rejected) == (0, 3, 0)
    assert_counts_match_roster()
    assert AuditLog.objects.filter(action="workers.updated").count() == 3


def test_an_update_keeps_columns_the_file_does_not_have(world) -> None:
    worker = world.worker_a
    worker.joined_union_on = date(2020, 1, 1)
    worker.save(update_fields=["joined_union_on"])
    headers = ["姓名", "身份证号", "手机号", "工作单位"]
    record = run(
        world, roster_xlsx([person(身份证号=WORKER_A_ID, 手机号=WORKER_A_MOBILE)], headers=headers)
    )
    assert record.rows_updated == 1
    worker.refresh_from_db()
    assert (worker.joined_union_on, worker.occupation) == (date(2020, 1, 1), "快递员")


def test_a_mobile_freed_by_an_update_is_not_handed_to_another_row(world) -> None:
    # Row 2 gives worker_a a new mobile; row 3 (a new person) takes worker_a's old one. The
    # outcome must not depend on whether both rows fall in one batch.
    rows = [person(身份证号=WORKER_A_ID, 手机号="13919318888"), person(手机号=WORKER_A_MOBILE)]
    record = run(world, roster_xlsx(rows))
    assert error_tuples(record) == [(3, "手机号", "该手机号已被其他职工登记")]


def test_skip_invalid_writes_the_valid_rows_and_reports_the_rest(world) -> None:
    before_workers = Worker.objects.count()
    rows = [
        person(),
        person(身份证号="620102198403152713"),
        person(),
        person(手机号="0931-8888888"),
    ]
    record = run(world, roster_xlsx(rows), skip_invalid=True)
    assert (record.rows_read, record.rows_imported, record.rows_rejected, record.committed) == (
        4,
        2,
        2,
        True,
    )
    assert [r for r, _, _ in error_tuples(record)] == [3, 5]
    assert Worker.objects.count() == before_workers + 2
    assert AuditLog.objects.filter(action="workers.created").count() == 2 + 2  # world's two + these
    assert_counts_match_roster()


def test_skip_invalid_with_every_row_bad_commits_nothing(world) -> None:
    before = db_state()
    record = run(world, roster_xlsx([person(手机号="1")]), skip_invalid=True)
    assert (record.rows_imported, record.committed) == (0, False)
    assert db_state() == before


def test_dry_run_validates_everything_and_writes_nothing(world) -> None:
    before = db_state()
    rows = [person(), person(身份证号=WORKER_A_ID, 手机号=WORKER_A_MOBILE, 姓名="新名字"), person()]
    record = run(world, roster_xlsx(rows), dry_run=True)
    assert (record.rows_read, record.rows_imported, record.rows_updated) == (3, 2, 1)
    assert (record.rows_rejected, record.committed, record.dry_run) == (0, False, True)
    assert db_state() == before
    assert RosterImport.objects.get(pk=record.pk).dry_run
    assert AuditLog.objects.get(action="workers.imported").changes["committed"] is False


def test_dry_run_reports_bad_rows_too(world) -> None:
    before = db_state()
    record = run(
        world, roster_xlsx([person(), person(手机号="12")]), dry_run=True, skip_invalid=True
    )
    assert (record.rows_imported, record.rows_rejected, record.committed) == (1, 1, False)
    assert db_state() == before


@override_settings(LIANDONG_IMPORT_MAX_ERRORS=3)
def test_stored_errors_are_capped_but_counts_stay_exact(world) -> None:
    record = run(world, roster_xlsx([person(手机号="1") for _ in range(5)]))
    assert (len(record.errors), record.rows_rejected, record.rows_read) == (3, 5, 5)


def test_an_organization_without_employers_rejects_every_row(world) -> None:
    record = run(world, roster_xlsx([person()]), organization=world.union_b)
    assert error_tuples(record) == [(2, "工作单位", "工作单位不在导入范围内或未登记")]


def test_thousands_of_rows_across_batches(world) -> None:
    rows = [person(入会日期="2024-05-01" if n % 2 else "") for n in range(2500)]
    rows[2400]["身份证号"] = rows[0]["身份证号"]  # a duplicate two batches later
    record = run(world, roster_xlsx(rows))
    assert error_tuples(record) == [(2402, "身份证号", "与第 2 行重复")]
    assert Worker.objects.count() == 2
    record = run(world, roster_xlsx(rows), skip_invalid=True)
    assert (record.rows_imported, record.rows_rejected) == (2499, 1)
    assert Worker.objects.count() == 2 + 2499
    assert AuditLog.objects.filter(action="workers.created").count() == 2 + 2499
    assert_counts_match_roster()


@pytest.mark.parametrize("rows", [1, 20])
def test_queries_do_not_grow_with_rows(world, rows, django_assert_num_queries) -> None:
    content = roster_xlsx([person(入会日期="2024-05-01") for _ in range(rows)])
    # Counted once for a single row; the same number must serve twenty.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as single:
        run(world, roster_xlsx([person(入会日期="2024-05-01")]))
    with django_assert_num_queries(len(single.captured_queries)):
        record = run(world, content)
    assert record.rows_imported == rows


# ---------------------------------------------------------------------------------------
# Report and template.


def test_report_workbook_lists_counts_and_masked_errors(world) -> None:
    rows = [person(), person(身份证号="620102198403152713"), person(工作单位="=cmd|' /C calc'!A0")]
    record = run(world, roster_xlsx(rows), skip_invalid=True)
    book = load_workbook(io.BytesIO(roster_report_xlsx(roster_import=record)))
    assert book.sheetnames == ["汇总", "错误明细"]
    summary = {row[0]: row[1] for row in book["汇总"].iter_rows(values_only=True)}
    assert (summary["读取"], summary["新增"], summary["更新"], summary["拒绝"]) == (3, 1, 0, 2)
    assert summary["导入到"] == world.union_a.name
    details = list(book["错误明细"].iter_rows(values_only=True))
    assert details[0] == ("行号", "列", "原因", "内容（脱敏）")
    assert details[1] == (3, "身份证号", "身份证号校验位错误，请核对是否抄错", "620102********2713")
    assert details[2][:3] == (4, "工作单位", "工作单位不在导入范围内或未登记")
    assert details[2][3].startswith("'=cmd")  # neutralized: a text cell, not a formula
    assert book["错误明细"]["D3"].data_type == "s"


def test_report_of_a_file_error(world) -> None:
    record = run(world, b"")
    book = load_workbook(io.BytesIO(roster_report_xlsx(roster_import=record)))
    summary = {row[0]: row[1] for row in book["汇总"].iter_rows(values_only=True)}
    assert summary["文件错误"] == "文件是空的，请选择填好的名册文件"
    assert list(book["错误明细"].iter_rows(values_only=True)) == [
        ("行号", "列", "原因", "内容（脱敏）")
    ]


def test_template_has_the_headers_a_text_id_column_and_an_example(world) -> None:
    content = roster_template_xlsx()
    book = load_workbook(io.BytesIO(content))
    sheet = book.worksheets[0]
    assert [c.value for c in sheet[1]] == [
        "姓名",
        "性别",
        "身份证号",
        "手机号",
        "工作单位",
        "职业",
        "入会日期",
    ]
    assert sheet["C2"].value == "62010219900307123X"
    assert sheet["C2"].number_format == "@"
    assert sheet.column_dimensions["C"].number_format == "@"
    # The untouched template imports nothing: its example row is skipped.
    before = db_state()
    assert run(world, content).file_error == "表格只有表头，没有数据行"
    assert db_state() == before
    # Filled in, it imports.
    sheet.append(["马建华", "", "620102198001011239", "13919319999", OUTLET_A, "快递员", None])
    buffer = io.BytesIO()
    book.save(buffer)
    record = run(world, buffer.getvalue())
    assert (record.rows_read, record.rows_imported, record.errors) == (1, 1, [])


def test_filename_is_stored_without_directories(world) -> None:
    record = run(world, roster_xlsx([person()]), filename="C:/Users/张三/../名册.xlsx")
    assert record.filename == "名册.xlsx"


def test_today_is_an_acceptable_join_date(world) -> None:
    today = timezone.localdate()
    record = run(world, roster_xlsx([person(入会日期=today.isoformat())]))
    assert record.errors == []
    tomorrow = (today + timedelta(days=1)).isoformat()
    assert error_tuples(run(world, roster_xlsx([person(入会日期=tomorrow)]))) == [
        (2, "入会日期", "入会日期不能晚于今天")
    ]


def test_employers_match_by_name_short_name_or_code_whatever_the_brackets(world) -> None:
    outlet = OutletFactory(
        name="甲快递（城关）东岗网点",
        short_name="东岗网点",
        code="W-OA3",
        parent=world.enterprise_a,
    )
    rows = [
        person(工作单位="甲快递（城关）东岗网点"),
        person(工作单位="甲快递(城关)东岗网点"),
        person(工作单位="东岗网点"),
        person(工作单位="w-oa3"),
    ]
    record = run(world, roster_xlsx(rows))
    assert error_tuples(record) == [
        (5, "工作单位", "工作单位不在导入范围内或未登记")
    ]  # codes are exact
    record = run(world, roster_xlsx(rows[:3]))
    assert record.rows_imported == 3
    assert Worker.objects.filter(employer=outlet).count() == 3
