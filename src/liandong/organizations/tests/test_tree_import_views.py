"""The tree import's pages and API: upload with dry run, the result page listing the rejected
rows, the export, and the API's answers."""

import io
from typing import Any

from openpyxl import load_workbook

from liandong.organizations.models import Organization, OrganizationImport
from liandong.organizations.tests.test_tree_import import workbook


class Upload(io.BytesIO):
    name = "架构.xlsx"


def test_upload_dry_run_then_result_page_lists_rejected_rows(world: Any, login: Any) -> None:
    client = login(world.users["staff_a"])
    upload = Upload(
        workbook([("N-1", "新公司", "", "企业"), ("N-2", "新网点", "NOPE", "网点")]).read()
    )
    response = client.post("/organizations/imports/", {"file": upload, "dry_run": "on", "into": ""})
    record = OrganizationImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/organizations/imports/{record.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "上级编码“NOPE”不存在" in page
    assert "整批都没有写入" not in page  # a dry run says so instead
    assert "试导入" in page
    assert not Organization.objects.filter(code__startswith="N-").exists()


def test_upload_into_a_unit_that_cannot_have_children_is_refused(world: Any, login: Any) -> None:
    client = login(world.users["staff_a"])
    upload = Upload(workbook([("N-1", "新公司", "", "企业")]).read())
    response = client.post("/organizations/imports/", {"file": upload, "into": "W-OA"})
    assert response.status_code == 200
    assert "这个单位之下不能设下级单位" in response.content.decode()
    assert not OrganizationImport.objects.exists()


def test_export_page_is_the_subtree(world: Any, login: Any) -> None:
    client = login(world.users["staff_a"])
    response = client.get("/organizations/export.xlsx?into=W-EA")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["W-EA", "W-OA"]


def test_api_import_answers_the_row_errors(world: Any, client: Any, api_token: Any) -> None:
    headers = api_token(world.users["staff_a"])
    upload = Upload(workbook([("N-1", "网点", "", "网点")]).read())
    response = client.post(
        "/api/v1/organizations/imports", {"file": upload, "into": "W-A"}, **headers
    )
    assert response.status_code == 200
    body = response.json()
    assert body["committed"] is False
    assert body["errors"][0]["column"] == "类型"
    assert "不能设在" in body["errors"][0]["reason"]
    refused = client.post(
        "/api/v1/organizations/imports",
        {"file": Upload(workbook([("N-1", "甲", "", "网点")]).read()), "into": "W-OA"},
        **headers,
    )
    assert refused.status_code == 422
    assert "into" in refused.json()["detail"]
