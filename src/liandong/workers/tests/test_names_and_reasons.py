"""Issue 13: minority names typed with any common separator dot are stored with the standard
middle dot ·, by the single-worker form and the roster import alike (both use
core.identity); and ID rejections say what was found (the shared messages, on the form)."""

import io

import pytest
from openpyxl import Workbook

from liandong.core.identity import NAME_DOT, normalize_name, validate_id_number
from liandong.core.tests.test_identity import with_check
from liandong.workers.importing import roster_import
from liandong.workers.models import Worker

SEPARATORS = ["·", "•", "・", "．", "‧", "･", ".", " · ", " • "]


@pytest.mark.parametrize("dot", SEPARATORS)
def test_every_separator_becomes_the_middle_dot(dot: str) -> None:
    assert normalize_name(f"阿卜杜{dot}热合曼") == f"阿卜杜{NAME_DOT}热合曼"
    assert normalize_name(f"买买提{dot}艾力{dot}吐尔逊") == "买买提·艾力·吐尔逊"


def test_other_names_are_left_as_typed() -> None:
    assert normalize_name("  王伟 ") == "王伟"
    assert normalize_name("John.Smith") == "John.Smith"  # "." outside CJK is not a separator
    assert normalize_name("王.") == "王."


@pytest.mark.parametrize("dot", ["•", "・", "．", "‧", "."])
def test_the_form_stores_the_middle_dot(world, login, dot: str) -> None:
    client = login(world.users["staff_a"])
    response = client.post(
        "/workers/new/",
        {
            "name": f"阿卜杜{dot}热合曼",
            "id_number": "330324197001011234",
            "mobile": "13919310099",
            "occupation": "快递员",
            "employer": world.outlet_a.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:500]
    assert Worker.objects.get(mobile_masked="139****0099").name == "阿卜杜·热合曼"


def test_the_import_stores_the_middle_dot(world) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["姓名", "性别", "身份证号", "手机号", "工作单位"])
    typed = {
        "阿卜杜•热合曼": "13919310091",
        "古丽・努尔": "13919310092",
        "艾力．买买提": "13919310093",
    }
    ids = [with_check(f"62010219850101{i:03d}") for i in (101, 202, 303)]
    for (name, mobile), id_number in zip(typed.items(), ids, strict=True):
        sheet.append([name, "", id_number, mobile, "甲快递城关网点"])
    stream = io.BytesIO()
    book.save(stream)
    stream.seek(0)
    record = roster_import(
        file=stream, organization=world.union_a, actor=world.users["staff_a"], filename="x.xlsx"
    )
    assert record.committed, record.errors
    names = set(Worker.objects.filter(name__contains=NAME_DOT).values_list("name", flat=True))
    assert names == {"阿卜杜·热合曼", "古丽·努尔", "艾力·买买提"}


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("620102840315271", "需要 18 位"),  # 15 digits
        ("62010219840315", "身份证号有 14 位，需要 18 位"),
        (with_check("62010219901345123"), "出生日期 1990-13-45 不存在该日期"),
        (with_check("62010220230229123"), "出生日期 2023-02-29 不存在该日期"),
        (with_check("62010218800101123"), "出生日期 1880-01-01 早于 1900 年"),
        (with_check("62010221000101123"), "出生日期 2100-01-01 晚于今天"),
    ],
)
def test_id_rejections_say_what_was_found(world, login, raw: str, reason: str) -> None:
    with pytest.raises(Exception, match=reason):
        validate_id_number(raw)
    # The form shows the same reason (it calls core.identity too).
    client = login(world.users["staff_a"])
    response = client.post(
        "/workers/new/",
        {"name": "王伟", "id_number": raw, "mobile": "13919310099", "employer": world.outlet_a.pk},
    )
    assert response.status_code == 200
    assert reason in response.content.decode()
