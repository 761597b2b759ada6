"""Pages: forms answer bad input with a Chinese message and change nothing; uploads are stored
and only sent after the permission check; documents are generated from the data."""

import io
from datetime import timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from liandong.core.models import AuditLog
from liandong.core.tests.client import BrowserClient
from liandong.meetings.models import ActionItem, Mechanism, ProgressAttachment
from liandong.meetings.tests.conftest import PDF


def as_user(world: Any, key: str) -> Client:
    client = BrowserClient()
    client.force_login(world.users[key])
    return client


def test_staff_set_up_a_mechanism_with_its_members(world: Any) -> None:
    client = as_user(world, "staff_a")
    response = client.post(
        "/meetings/new/",
        {
            "name": "甲美发美容行业联席会议",
            "industry": "美发美容",
            "convening_union": world.union_a.pk,
            "collaboration_mode": "federation",
            "members": [world.authority.pk],
        },
    )
    mechanism = Mechanism.objects.get(name="甲美发美容行业联席会议")
    assert response.status_code == 302
    assert response["Location"] == f"/meetings/{mechanism.pk}/"
    assert mechanism.member_organization_ids() == {world.union_a.pk, world.authority.pk}
    page = client.get(response["Location"]).content.decode()
    assert "产业工会+行业工会联合会+行业协会" in page
    assert world.authority.name in page


def test_a_custom_mode_without_a_name_is_explained_on_the_page(world: Any) -> None:
    client = as_user(world, "staff_a")
    count = AuditLog.objects.count()
    response = client.post(
        "/meetings/new/",
        {
            "name": "自定义机制",
            "industry": "物流",
            "convening_union": world.union_a.pk,
            "collaboration_mode": "custom",
        },
    )
    assert response.status_code == 200
    assert "自定义协作模式请填写模式名称" in response.content.decode()
    assert not Mechanism.objects.filter(name="自定义机制").exists()
    assert AuditLog.objects.count() == count


def test_a_resolution_without_lead_body_or_deadline_is_refused_on_the_page(
    world: Any, mw: Any
) -> None:
    client = as_user(world, "staff_a")
    response = client.post(
        f"/meetings/meetings/{mw.held.pk}/resolutions/", {"resolution": "没有牵头单位的事项"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "请选择牵头单位" in body
    assert ActionItem.objects.count() == 1
    response = client.post(
        f"/meetings/meetings/{mw.held.pk}/resolutions/",
        {
            "resolution": "推动网点覆盖",
            "lead_body": world.enterprise_a.pk,
            "deadline": (timezone.localdate() + timedelta(days=20)).isoformat(),
        },
    )
    assert response.status_code == 302
    assert ActionItem.objects.filter(
        resolution="推动网点覆盖", lead_body=world.enterprise_a
    ).exists()


def test_a_past_meeting_cannot_be_notified_and_the_page_says_why(world: Any, mw: Any) -> None:
    from liandong.meetings.models import Meeting

    Meeting.objects.filter(pk=mw.future.pk).update(starts_at=timezone.now() - timedelta(days=1))
    client = as_user(world, "staff_a")
    response = client.post(f"/meetings/meetings/{mw.future.pk}/notify/", follow=True)
    assert "会议时间已过，不能发出会议通知" in response.content.decode()
    assert Meeting.objects.get(pk=mw.future.pk).status == Meeting.Status.PREPARING


def test_the_lead_body_reports_progress_with_an_attachment(world: Any, mw: Any) -> None:
    client = as_user(world, "liaison")
    upload = SimpleUploadedFile(
        "进展照片.png", b"\x89PNG\r\n\x1a\n" + b"0" * 64, content_type="image/png"
    )
    response = client.post(
        f"/meetings/items/{mw.item.pk}/",
        {"percent": "50", "text": "完成名额分配和线路踏勘", "attachments": [upload]},
    )
    assert response.status_code == 302
    mw.item.refresh_from_db()
    assert mw.item.progress == 50
    attachment = ProgressAttachment.objects.get(original_name="进展照片.png")
    download = client.get(f"/meetings/attachments/{attachment.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"\x89PNG")
    assert (
        as_user(world, "staff_b").get(f"/meetings/attachments/{attachment.pk}/").status_code == 404
    )
    # Going back without a reason is explained, and nothing changes.
    response = client.post(f"/meetings/items/{mw.item.pk}/", {"percent": "10", "text": "回退"})
    assert "请说明原因" in response.content.decode()
    assert ActionItem.objects.get(pk=mw.item.pk).progress == 50


def test_a_wrong_attachment_type_is_refused_on_the_page(world: Any, mw: Any) -> None:
    client = as_user(world, "liaison")
    upload = SimpleUploadedFile("脚本.html", b"<script>alert(1)</script>", content_type="text/html")
    response = client.post(
        f"/meetings/items/{mw.item.pk}/", {"percent": "30", "text": "附件", "attachments": [upload]}
    )
    assert "类型不支持" in response.content.decode()
    assert ActionItem.objects.get(pk=mw.item.pk).progress == 20


def test_summary_documents_are_generated_from_the_data(world: Any, mw: Any) -> None:
    from docx import Document

    year = timezone.localdate().year
    client = as_user(world, "liaison")
    response = client.get(f"/meetings/{mw.mechanism.pk}/summary/{year}/summary.docx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    document = Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in document.paragraphs)
    cells = {cell.text for table in document.tables for row in table.rows for cell in row.cells}
    assert f"{mw.mechanism.name}{year}年度工作总结" in text
    assert "议定事项 1 项" in text
    assert {"疗休养", "40人", "组织快递员疗休养", world.authority.name} <= cells
    pdf = client.get(f"/meetings/{mw.mechanism.pk}/summary/{year}/summary.pdf")
    assert pdf.content.startswith(b"%PDF")
    page = client.get(f"/meetings/{mw.mechanism.pk}/summary/{year}/").content.decode()
    assert f"/meetings/items/?mechanism={mw.mechanism.pk}" in page  # numbers link to their records


def test_minutes_docx_carries_the_resolutions(world: Any, mw: Any) -> None:
    from docx import Document

    from liandong.meetings import services

    services.meeting_publish_minutes(actor=None, meeting=mw.held)
    response = as_user(world, "enterprise_a").get(f"/meetings/meetings/{mw.held.pk}/minutes.docx")
    document = Document(io.BytesIO(response.content))
    cells = {cell.text for table in document.tables for row in table.rows for cell in row.cells}
    assert "组织快递员疗休养" in cells
    assert "会议纪要草稿：研究了疗休养安排。" in "\n".join(p.text for p in document.paragraphs)


def test_the_ics_file_is_an_icalendar_event(world: Any, mw: Any) -> None:
    response = as_user(world, "liaison").get(f"/meetings/meetings/{mw.future.pk}/invite.ics")
    assert response["Content-Type"].startswith("text/calendar")
    assert b"BEGIN:VEVENT" in response.content
    assert "下次联席会议".encode() in response.content


def test_a_candidate_goes_on_the_agenda_from_the_page_once(world: Any, mw: Any) -> None:
    ActionItem.objects.filter(pk=mw.item.pk).update(
        deadline=timezone.localdate() - timedelta(days=1)
    )
    client = as_user(world, "staff_a")
    page = client.get(f"/meetings/meetings/{mw.future.pk}/").content.decode()
    assert "逾期督办事项：组织快递员疗休养" in page
    key = f"meetings.actionitem:{mw.item.pk}"
    for _ in range(2):
        client.post(f"/meetings/meetings/{mw.future.pk}/agenda/", {"candidate": key})
    assert mw.future.agenda_items.filter(source_key=key).count() == 1


def test_pdf_attachment_fixture_is_real(mw: Any) -> None:
    assert mw.attachment.size == len(PDF)


def _queries(client: Client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_list_and_mechanism_pages_cost_the_same_whatever_the_rows(world: Any, mw: Any) -> None:
    from liandong.meetings import services
    from liandong.meetings.tests.conftest import held_meeting

    client = as_user(world, "staff_a")
    client.get("/meetings/")  # the first request of a session does its own bookkeeping
    before = (_queries(client, "/meetings/"), _queries(client, f"/meetings/{mw.mechanism.pk}/"))
    for n in range(4):
        services.mechanism_create(
            actor=None,
            name=f"又一机制{n}",
            industry="快递",
            convening_union=world.union_a,
            collaboration_mode="authority",
            members=[world.authority],
        )
    meeting = held_meeting(
        mechanism=mw.mechanism, host=world.union_a, days_ago=1, title="又一次会议"
    )
    for n in range(5):
        services.resolution_record(
            actor=None,
            meeting=meeting,
            resolution=f"事项{n}",
            lead_body=world.enterprise_a,
            deadline=timezone.localdate() + timedelta(days=n),
        )
    after = (_queries(client, "/meetings/"), _queries(client, f"/meetings/{mw.mechanism.pk}/"))
    assert after == before


def test_staff_seat_a_partner_body_with_its_liaison(world: Any, mw: Any) -> None:
    from liandong.organizations.services import organization_link_partner
    from liandong.organizations.tests.factories import OrganizationFactory

    association = OrganizationFactory(name="省快递协会", kind="association")
    organization_link_partner(actor=None, union=world.union_a, partner=association)
    data = {
        "organization": association.pk,
        "role": "member",
        "liaison_name": "何永平",
        "liaison_title": "秘书长",
    }
    assert (
        as_user(world, "liaison").post(f"/meetings/{mw.mechanism.pk}/members/", data).status_code
        == 403
    )
    assert association.pk not in mw.mechanism.member_organization_ids()
    response = as_user(world, "staff_a").post(f"/meetings/{mw.mechanism.pk}/members/", data)
    assert response.status_code == 302
    seat = mw.mechanism.members.get(organization=association)
    assert (seat.liaison_name, seat.liaison_title) == ("何永平", "秘书长")
