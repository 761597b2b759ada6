"""The guidance library over the API: a document added with its file (multipart), a case with
its text, a new version uploaded; bad files are refused naming the field and change nothing;
another union's document is a 404, a higher union's published one is read only (403)."""

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from liandong.core.tests.client import BrowserClient
from liandong.training.models import Document, DocumentVersion
from liandong.training.tests.factories import make_document, pdf_upload

pytestmark = pytest.mark.django_db
D = "/api/v1/training/documents"


def test_a_handbook_and_a_case_are_added_and_a_version_uploaded(world: Any, api_token: Any) -> None:
    bearer = api_token(world.users["staff_a"])
    client = BrowserClient()
    form = {"organization": world.union_a.pk, "kind": "handbook", "category": "厂务公开"}
    answer = client.post(
        D, {**form, "title": "厂务公开操作手册", "file": pdf_upload("手册.pdf")}, **bearer
    )
    assert answer.status_code == 200, answer.content
    handbook = answer.json()
    assert [v["name"] for v in handbook["versions"]] == ["手册.pdf"]
    assert handbook["published"] is False
    case = client.post(
        D,
        {
            **form,
            "kind": "case",
            "title": "某快递企业集体协商案例",
            "body": "经三轮协商，计件单价提高 0.1 元。",
            "published": "true",
        },
        **bearer,
    )
    assert case.status_code == 200, case.content
    assert (case.json()["versions"], case.json()["published"]) == ([], True)
    revised = client.post(
        f"{D}/{handbook['id']}/versions",
        {"file": pdf_upload("手册（修订）.pdf", text="v2"), "note": "增加电子签名一节"},
        **bearer,
    )
    assert revised.status_code == 200, revised.content
    versions = revised.json()["versions"]
    assert sorted((v["number"], v["note"]) for v in versions) == [(1, ""), (2, "增加电子签名一节")]


def test_bad_files_and_fields_are_refused_by_name_and_change_nothing(
    world: Any, api_token: Any
) -> None:
    bearer = api_token(world.users["staff_a"])
    client = BrowserClient()
    form = {"organization": world.union_a.pk, "kind": "handbook", "category": "厂务公开"}
    cases = [
        ({**form, "title": "无文件"}, "file"),
        ({**form, "title": "伪装的文件", "file": _named("x.pdf", b"MZ\x90\x00 an exe")}, "file"),
        ({**form, "title": "", "file": pdf_upload()}, "title"),
        ({**form, "kind": "poster", "title": "类型", "file": pdf_upload()}, "kind"),
        (
            {**form, "organization": world.union_b.pk, "title": "别家", "file": pdf_upload()},
            "organization",
        ),
    ]
    for data, field in cases:
        answer = client.post(D, data, **bearer)
        assert answer.status_code == 422, (data, answer.content)
        assert field in str(answer.json()["detail"]), answer.json()
    assert not Document.objects.exists()
    document = make_document(world.users["staff_a"], world.union_a)
    empty = client.post(f"{D}/{document.pk}/versions", {"file": _named("空.pdf", b"")}, **bearer)
    assert empty.status_code == 422
    assert "file" in str(empty.json()["detail"])
    assert DocumentVersion.objects.filter(document=document).count() == 1


def test_scope_another_unions_document_is_404_a_higher_ones_is_read_only(
    world: Any, api_token: Any
) -> None:
    theirs = make_document(world.users["staff_b"], world.union_b, title="乙方手册")
    higher = make_document(
        world.users["province_admin"], world.province, published=True, title="省总手册"
    )
    bearer = api_token(world.users["staff_a"])
    client = BrowserClient()
    upload = {"file": pdf_upload(text="v2")}
    assert client.post(f"{D}/{theirs.pk}/versions", upload, **bearer).status_code == 404
    assert client.get(f"{D}/{higher.pk}", **bearer).status_code == 200
    assert client.post(f"{D}/{higher.pk}/versions", upload, **bearer).status_code == 403
    assert DocumentVersion.objects.count() == 2


def _named(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")
