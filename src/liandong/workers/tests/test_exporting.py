"""Roster export: masked personal data, formula injection neutralized, streamed, audited."""

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from liandong.core.models import AuditLog
from liandong.workers.exporting import safe_text, workers_export
from liandong.workers.models import Worker
from liandong.workers.selectors import WorkerFilters
from liandong.workers.services import worker_register
from liandong.workers.tests.factories import WorkerFactory
from liandong.workers.tests.test_importing import WORKER_A_ID, WORKER_A_MOBILE

HEADER = ("姓名", "性别", "身份证号", "手机号", "工作单位", "职业", "城市", "会籍", "入会日期")


def exported(content: bytes) -> list[tuple]:
    book = load_workbook(io.BytesIO(content))
    return list(book.worksheets[0].iter_rows(values_only=True))


def test_export_masks_personal_data_and_counts_rows(world) -> None:
    world.worker_a.joined_union_on = date(2024, 5, 1)
    world.worker_a.save(update_fields=["joined_union_on"])
    stream = io.BytesIO()
    count = workers_export(
        actor=world.users["staff_a"],
        workers=Worker.objects.filter(pk=world.worker_a.pk),
        stream=stream,
    )
    assert count == 1
    rows = exported(stream.getvalue())
    assert rows[0] == HEADER
    name, gender, id_number, mobile, employer, occupation, city, member, joined = rows[1]
    assert (name, gender, id_number, mobile) == ("王甲", "男", "620102********2712", "139****0001")
    assert (employer, occupation, city, member) == (
        "甲快递城关网点",
        "快递员",
        world.outlet_a.city,
        "会员",
    )
    assert joined.date() == date(2024, 5, 1)
    content = stream.getvalue()
    book = load_workbook(io.BytesIO(content), read_only=True)
    text = "".join(str(v) for row in book.worksheets[0].iter_rows(values_only=True) for v in row)
    assert WORKER_A_ID not in text
    assert WORKER_A_MOBILE not in text


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ('=HYPERLINK("http://evil","点我")', '\'=HYPERLINK("http://evil","点我")'),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("王伟", "王伟"),
    ],
)
def test_formula_like_text_is_neutralized(world, name, expected) -> None:
    # worker_register does not refuse such names (only the import does): the export must cope.
    worker = worker_register(
        actor=None,
        name=name,
        id_number="62010219900307123X",
        mobile="13919319999",
        employer=world.outlet_a,
        occupation="=cmd|' /C calc'!A0",
    )
    stream = io.BytesIO()
    workers_export(actor=None, workers=Worker.objects.filter(pk=worker.pk), stream=stream)
    book = load_workbook(io.BytesIO(stream.getvalue()))
    sheet = book.worksheets[0]
    assert sheet["A2"].value == expected
    assert sheet["A2"].data_type == "s"  # text, never a formula
    assert sheet["F2"].value == "'=cmd|' /C calc'!A0"
    assert sheet["F2"].data_type == "s"


def test_safe_text_drops_characters_xml_cannot_hold() -> None:
    assert safe_text("王\x00伟\x07") == "王伟"
    assert safe_text("\r=1") == "'\r=1"
    assert safe_text("\t=1") == "'\t=1"
    assert safe_text(None) == ""


def test_export_is_audited_with_rows_and_masked_filters(world) -> None:
    filters = WorkerFilters(q="13919310001", city="兰州", organization=world.union_a)
    stream = io.BytesIO()
    count = workers_export(
        actor=world.users["staff_a"], workers=Worker.objects.all(), stream=stream, filters=filters
    )
    assert count == 2
    entry = AuditLog.objects.get(action="workers.exported")
    assert entry.actor == world.users["staff_a"]
    assert entry.changes == {
        "rows": 2,
        "filters": {"q": "139****0001", "city": "兰州", "organization": world.union_a.pk},
    }


@pytest.mark.parametrize("extra", [0, 30])
def test_export_queries_do_not_grow_with_rows(world, extra, django_assert_num_queries) -> None:
    WorkerFactory.create_batch(extra, employer=world.outlet_a)
    stream = io.BytesIO()
    # One SELECT for the workers (employer joined in), one INSERT for the audit row.
    with django_assert_num_queries(2):
        workers_export(actor=None, workers=Worker.objects.all(), stream=stream)
    assert len(exported(stream.getvalue())) == 1 + 2 + extra


def test_the_export_page_and_api_return_only_the_callers_subtree(world, login) -> None:
    client = login(world.users["staff_a"])
    response = client.get("/workers/export.xlsx")
    assert response.status_code == 200
    rows = exported(b"".join(response.streaming_content))
    assert [r[0] for r in rows[1:]] == ["王甲"]
    response = client.get("/api/v1/workers/export")
    assert response.status_code == 200
    assert [r[0] for r in exported(b"".join(response.streaming_content))[1:]] == ["王甲"]
    assert AuditLog.objects.filter(action="workers.exported").count() == 2


def test_an_empty_export_has_the_header_only(world) -> None:
    stream = io.BytesIO()
    assert workers_export(actor=None, workers=Worker.objects.none(), stream=stream) == 0
    assert exported(stream.getvalue()) == [HEADER]
