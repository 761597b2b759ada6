"""The roster import through the page (/workers/imports/) and the API (/api/v1/workers/imports)."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from openpyxl import load_workbook

from liandong.core.models import AuditLog
from liandong.workers.models import RosterImport, Worker
from liandong.workers.tests.test_importing import compound_file, db_state, person, roster_xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
API = "/api/v1/workers/imports"


def upload(content: bytes, name: str = "名册.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=XLSX)


# ---------------------------------------------------------------------------------------
# The page.


def test_staff_uploads_a_roster_and_sees_the_result(world, login) -> None:
    client = login(world.users["staff_a"])
    assert client.get("/workers/imports/").status_code == 200
    response = client.post(
        "/workers/imports/",
        {
            "file": upload(roster_xlsx([person(姓名="马建华"), person(手机号="0931-8888888")])),
            "organization": world.union_a.pk,
            "skip_invalid": "on",
        },
    )
    record = RosterImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/workers/imports/{record.pk}/"
    assert (record.rows_imported, record.rows_rejected, record.actor) == (
        1,
        1,
        world.users["staff_a"],
    )
    assert Worker.objects.filter(name="马建华", employer=world.outlet_a).exists()
    page = client.get(response["Location"]).content.decode()
    assert "新增 <b>1</b> 人" in page
    assert "这是固定电话号码，请填写 11 位手机号" in page
    report = client.get(f"/workers/imports/{record.pk}/report.xlsx")
    assert report.status_code == 200
    assert report["Content-Type"] == XLSX
    book = load_workbook(io.BytesIO(report.content))
    assert list(book["错误明细"].iter_rows(values_only=True))[1][:2] == (3, "手机号")


def test_a_bad_file_through_the_page_is_shown_not_a_500(world, login) -> None:
    client = login(world.users["staff_a"])
    before = db_state()
    response = client.post(
        "/workers/imports/",
        {
            "file": upload(compound_file(["EncryptionInfo", "EncryptedPackage"])),
            "organization": world.union_a.pk,
        },
        follow=True,
    )
    assert response.status_code == 200
    assert (
        "文件已加密（设置了打开密码），请在 Excel 中取消密码后重新上传" in response.content.decode()
    )
    assert db_state() == before


@override_settings(FILE_UPLOAD_MAX_MEMORY_SIZE=1)
def test_a_large_upload_spooled_to_disk_imports_too(world, login) -> None:
    client = login(world.users["enterprise_a"])
    response = client.post(
        "/workers/imports/",
        {
            "file": upload(roster_xlsx([person() for _ in range(300)])),
            "organization": world.enterprise_a.pk,
        },
    )
    assert response.status_code == 302
    assert RosterImport.objects.get().rows_imported == 300


def test_another_unions_staff_cannot_import_into_a_body_outside_its_subtree(world, login) -> None:
    client = login(world.users["staff_b"])
    before = db_state()
    response = client.post(
        "/workers/imports/",
        {
            "file": upload(roster_xlsx([person()])),
            "organization": world.union_a.pk,
        },
    )
    # The form only offers the caller's own subtree: the choice is refused, nothing imported.
    assert response.status_code == 200
    assert response.context["form"].errors["organization"]
    assert db_state() == before
    assert not RosterImport.objects.exists()


def test_imports_of_another_subtree_are_not_found(world, login) -> None:
    record = RosterImport.objects.create(organization=world.union_a, filename="a.xlsx")
    client = login(world.users["staff_b"])
    assert client.get(f"/workers/imports/{record.pk}/").status_code == 404
    assert client.get(f"/workers/imports/{record.pk}/report.xlsx").status_code == 404
    assert login(world.users["staff_a"]).get(f"/workers/imports/{record.pk}/").status_code == 200


@pytest.mark.parametrize("who", ["liaison", "worker_a", "judge"])
def test_roles_without_roster_rights_cannot_import(world, login, who) -> None:
    client = login(world.users[who])
    before = db_state()
    response = client.post(
        "/workers/imports/",
        {"file": upload(roster_xlsx([person()])), "organization": world.union_a.pk},
    )
    assert response.status_code == 403
    assert client.get("/workers/imports/template.xlsx").status_code == 403
    assert db_state() == before


def test_anonymous_is_sent_to_login(client, world) -> None:
    response = client.post(
        "/workers/imports/",
        {"file": upload(roster_xlsx([person()])), "organization": world.union_a.pk},
    )
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert not RosterImport.objects.exists()


def test_template_download(world, login) -> None:
    response = login(world.users["staff_a"]).get("/workers/imports/template.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert sheet["A1"].value == "姓名"
    assert sheet["C1"].value == "身份证号"


# ---------------------------------------------------------------------------------------
# The API.


def test_api_import_with_a_token(world, client, api_token) -> None:
    headers = api_token(world.users["staff_a"])
    response = client.post(
        API,
        {
            "file": upload(roster_xlsx([person(), person(身份证号="1")])),
            "organization": world.union_a.pk,
            "skip_invalid": "true",
        },
        **headers,
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["rows_read"], body["rows_imported"], body["rows_rejected"], body["committed"]) == (
        2,
        1,
        1,
        True,
    )
    assert body["errors"] == [
        {
            "row": 3,
            "column": "身份证号",
            "reason": "身份证号应为 18 位：17 位数字加 1 位数字或 X",
            "value": "*",
        }
    ]
    detail = client.get(f"{API}/{body['id']}", **headers)
    assert detail.status_code == 200
    assert detail.json()["rows_imported"] == 1


def test_api_dry_run_through_the_session(world, login) -> None:
    client = login(world.users["admin_a"])
    before = db_state()
    response = client.post(
        API,
        {
            "file": upload(roster_xlsx([person()])),
            "organization": world.union_a.pk,
            "dry_run": "true",
        },
    )
    assert response.status_code == 200, response.content
    assert (response.json()["rows_imported"], response.json()["committed"]) == (1, False)
    assert db_state() == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "文件是空的，请选择填好的名册文件"),
        (
            b"\x89PNG\r\n\x1a\n" + bytes(100),
            "文件不是 Excel 工作簿（.xlsx），请上传 .xlsx 格式的名册",
        ),
        (
            compound_file(["Workbook"]),
            "这是旧版 Excel 文件（.xls），请在 Excel 中“另存为” .xlsx 格式后重新上传",
        ),
    ],
)
def test_api_bad_file_is_200_with_file_error(world, client, api_token, content, message) -> None:
    headers = api_token(world.users["staff_a"])
    before = db_state()
    response = client.post(
        API, {"file": upload(content, "名册.xls"), "organization": world.union_a.pk}, **headers
    )
    assert response.status_code == 200, response.content
    assert response.json()["file_error"] == message
    assert response.json()["rows_imported"] == 0
    assert db_state() == before


def test_api_outside_the_subtree_is_404(world, client, api_token) -> None:
    headers = api_token(world.users["staff_b"])
    before = db_state()
    response = client.post(
        API, {"file": upload(roster_xlsx([person()])), "organization": world.union_a.pk}, **headers
    )
    assert response.status_code == 404
    assert response.json() == {"detail": "未找到"}
    assert db_state() == before
    assert not RosterImport.objects.exists()


def test_api_other_subtrees_import_detail_is_404(world, client, api_token) -> None:
    record = RosterImport.objects.create(organization=world.union_a, filename="a.xlsx")
    response = client.get(f"{API}/{record.pk}", **api_token(world.users["staff_b"]))
    assert response.status_code == 404


def test_api_missing_file_is_422_and_anonymous_is_401(world, client, api_token) -> None:
    response = client.post(
        API, {"organization": world.union_a.pk}, **api_token(world.users["staff_a"])
    )
    assert response.status_code == 422
    client.logout()
    response = client.post(
        API, {"file": upload(roster_xlsx([person()])), "organization": world.union_a.pk}
    )
    assert response.status_code == 401
    assert not RosterImport.objects.exists()
    assert not AuditLog.objects.filter(action="workers.imported").exists()


def test_api_liaison_is_forbidden(world, client, api_token) -> None:
    response = client.post(
        API,
        {"file": upload(roster_xlsx([person()])), "organization": world.authority.pk},
        **api_token(world.users["liaison"]),
    )
    assert response.status_code == 403
    assert not RosterImport.objects.exists()
