"""Pages: every form posts, a refusal shows the Chinese reason and changes nothing."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from liandong.democracy.models import (
    AgendaItem,
    Case,
    CollectiveContract,
    Congress,
    Delegate,
    Disclosure,
    DisclosureRead,
    Negotiation,
    Nomination,
    Objection,
    Proposal,
    TeachingPoint,
)
from liandong.democracy.services import congress_open, nomination_create, nomination_review
from liandong.democracy.tests.factories import (
    congress_setup,
    delegate_worker,
    next_week,
    submitted_proposal,
)

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return response.content.decode()


def test_create_a_congress_and_run_it(world, login) -> None:
    client = login(world.users["enterprise_a"])
    today = timezone.localdate()
    bad = client.post(
        "/democracy/",
        {
            "enterprise": world.enterprise_a.pk,
            "term": 5,
            "session": 1,
            "title": "",
            "held_on": today,
            "cosign_threshold": 2,
            "frontline_quota": 50,
        },
    )
    assert bad.status_code == 200
    assert Congress.objects.count() == 0
    response = client.post(
        "/democracy/",
        {
            "enterprise": world.enterprise_a.pk,
            "term": 5,
            "session": 1,
            "title": "甲快递五届一次职代会",
            "held_on": today,
            "cosign_threshold": 2,
            "frontline_quota": 50,
        },
    )
    congress = Congress.objects.get()
    assert response.url == f"/democracy/congresses/{congress.pk}/"
    url = response.url
    refused = client.post(url, {"action": "open"})
    assert "低于规定的 50%，不能开会" in text(refused)
    client.post(
        url,
        {
            "action": "delegate",
            "worker": world.worker_a.pk,
            "constituency": "城关",
            "is_frontline": "on",
        },
    )
    assert Delegate.objects.filter(congress=congress, worker=world.worker_a).exists()
    client.post(url, {"action": "agenda", "title": "审议工资方案"})
    client.post(url, {"action": "open"})
    congress.refresh_from_db()
    assert congress.status == Congress.Status.OPEN
    item = AgendaItem.objects.get()
    voted = client.post(
        url,
        {
            "action": "vote",
            "item": item.pk,
            "present": 1,
            "votes_for": 1,
            "votes_against": 0,
            "abstentions": 0,
            "resolution": "通过",
        },
    )
    assert voted.status_code == 302
    assert AgendaItem.objects.get().result == AgendaItem.Result.PASSED
    page = text(client.get(url))
    assert "审议工资方案" in page
    assert "通过" in page


def test_a_vote_without_quorum_is_refused_on_the_page(world, login) -> None:
    setup = congress_setup(world, delegates=6)
    item = AgendaItem.objects.create(congress=setup.congress, title="议程一")
    congress_open(actor=setup.manager, congress=setup.congress)
    client = login(setup.manager)
    response = client.post(
        f"/democracy/congresses/{setup.congress.pk}/",
        {
            "action": "vote",
            "item": item.pk,
            "present": 2,
            "votes_for": 2,
            "votes_against": 0,
            "abstentions": 0,
        },
    )
    assert response.status_code == 200
    assert "未达到代表总数 6 人的三分之二，不能表决" in text(response)
    assert AgendaItem.objects.get().result == AgendaItem.Result.PENDING


def test_a_delegate_cannot_manage_the_congress(world, login) -> None:
    setup = congress_setup(world, delegates=2)
    client = login(world.users["worker_a"])
    assert (
        client.post(
            f"/democracy/congresses/{setup.congress.pk}/", {"action": "agenda", "title": "x"}
        ).status_code
        == 403
    )
    assert AgendaItem.objects.count() == 0


def test_proposal_pages_from_submission_to_rating(world, login) -> None:
    setup = congress_setup(world, delegates=4)
    delegate = login(world.users["worker_a"])
    response = delegate.post(
        f"/democracy/congresses/{setup.congress.pk}/proposals/new/",
        {
            "title": "增设休息驿站",
            "category": "welfare",
            "reasons": "高温天气，快递员无处歇脚。",
            "measures": "设驿站。",
        },
    )
    proposal = Proposal.objects.get()
    assert response.url == f"/democracy/proposals/{proposal.pk}/"
    url = response.url
    refused = delegate.post(url, {"action": "cosign"})
    assert "不能附议自己的提案" in text(refused)
    for user in setup.users[1:3]:
        delegate.force_login(user)
        assert delegate.post(url, {"action": "cosign"}).status_code == 302
    committee = login(setup.manager)
    missing = committee.post(url, {"action": "decide", "decision": "accept", "department": ""})
    assert "立案须指定承办部门" in text(missing)
    committee.post(
        url,
        {"action": "decide", "decision": "accept", "department": "行政部", "deadline": next_week()},
    )
    committee.post(url, {"action": "answer", "answer": "驿站已建成。"})
    committee.force_login(world.users["worker_a"])
    committee.post(url, {"action": "rate", "rating": "basic"})
    proposal.refresh_from_db()
    assert (proposal.status, proposal.rating, proposal.cosign_count) == ("closed", "basic", 2)
    committee.force_login(setup.manager)
    committee.post(url, {"action": "outstanding"})
    assert Proposal.objects.get().is_outstanding
    library = text(committee.get("/democracy/library/?q=驿站"))
    assert "增设休息驿站" in library


def test_worker_who_is_not_a_delegate_sees_the_public_list_but_cannot_submit(world, login) -> None:
    setup = congress_setup(world, delegates=3)
    submitted_proposal(setup)
    _, user = delegate_worker(world.outlet_a, "普通职工")
    client = login(user)
    assert "增设快递员休息驿站" in text(client.get("/democracy/proposals/"))
    assert (
        client.get(f"/democracy/congresses/{setup.congress.pk}/proposals/new/").status_code == 403
    )
    home = text(client.get("/democracy/"))
    assert "您目前不是职工代表" in home


def test_disclosure_publish_and_read_receipt(world, login) -> None:
    client = login(world.users["enterprise_a"])
    today = timezone.localdate()
    bad = client.post(
        "/democracy/disclosures/",
        {
            "enterprise": world.enterprise_a.pk,
            "category": "wages",
            "title": "工资方案",
            "body": "内容",
            "publish_on": today,
            "expires_on": today - timedelta(days=1),
        },
    )
    assert "截止日期不能早于公开日期" in text(bad)
    assert Disclosure.objects.count() == 0
    client.post(
        "/democracy/disclosures/",
        {
            "enterprise": world.enterprise_a.pk,
            "category": "wages",
            "title": "工资方案",
            "body": "内容",
            "publish_on": today,
        },
    )
    disclosure = Disclosure.objects.get()
    worker = login(world.users["worker_a"])
    assert "未读" in text(worker.get("/democracy/disclosures/"))
    worker.get(f"/democracy/disclosures/{disclosure.pk}/")
    worker.get(f"/democracy/disclosures/{disclosure.pk}/")
    assert DisclosureRead.objects.count() == 1
    assert "未读" not in text(worker.get("/democracy/disclosures/"))
    worker.force_login(world.users["enterprise_a"])
    assert "已读 1 人" in text(worker.get(f"/democracy/disclosures/{disclosure.pk}/"))


def test_negotiation_pages(world, login) -> None:
    client = login(world.users["staff_a"])
    today = timezone.localdate()
    response = client.post(
        "/democracy/negotiations/",
        {
            "organization": world.union_a.pk,
            "title": "快递行业工资集体协商",
            "industry_wide": "on",
            "union_side": "甲产业工会",
            "employer_side": "省快递协会",
            "topics": "最低工资、工龄工资",
            "started_on": today,
        },
    )
    negotiation = Negotiation.objects.get()
    url = response.url
    client.post(url, {"action": "round", "held_on": today, "summary": "职工方提出要约。"})
    client.post(
        url, {"action": "outcome", "topic": "行业最低工资标准", "change": "340", "unit": "元"}
    )
    bad = client.post(
        url,
        {
            "action": "contract",
            "title": "合同",
            "signed_on": today,
            "effective_on": today,
            "expires_on": today,
            "enterprises_covered": 9,
            "workers_covered": 100,
        },
    )
    assert "到期日期须晚于生效日期" in text(bad)
    client.post(
        url,
        {
            "action": "contract",
            "title": "工资专项集体合同",
            "signed_on": today,
            "effective_on": today,
            "expires_on": today + timedelta(days=1000),
            "enterprises_covered": 9,
            "workers_covered": 1200,
        },
    )
    assert CollectiveContract.objects.get().negotiation == negotiation
    page = text(client.get(url))
    assert "+340" in page
    assert "9 家企业、1200 名职工" in page
    figures = text(
        client.get(f"/democracy/figures/?organization={world.union_a.pk}&year={today.year}")
    )
    assert "1200" in figures


def test_case_library_with_attachment_and_teaching_point(world, login) -> None:
    client = login(world.users["admin_a"])
    client.post(
        "/democracy/library/",
        {
            "action": "case",
            "organization": world.union_a.pk,
            "title": "网点联合职代会",
            "summary": "八个网点联合召开职代会。",
            "tags": "职代会、快递",
            "attachment": SimpleUploadedFile("经验.txt", "经验材料".encode()),
        },
    )
    case = Case.objects.get()
    attachment = case.attachments.get()
    download = client.get(f"/democracy/library/attachments/{attachment.pk}/")
    assert b"".join(download.streaming_content).decode() == "经验材料"
    client.post(
        "/democracy/library/",
        {
            "action": "point",
            "enterprise": world.enterprise_a.pk,
            "honour": "省级厂务公开示范单位",
            "since": timezone.localdate(),
        },
    )
    assert TeachingPoint.objects.get().enterprise == world.enterprise_a
    assert "网点联合职代会" in text(client.get("/democracy/library/?q=快递"))
    assert "网点联合职代会" not in text(client.get("/democracy/library/?q=美发"))
    enterprise = login(world.users["enterprise_a"])
    assert "网点联合职代会" in text(
        enterprise.get("/democracy/library/")
    )  # curated above, shared below
    assert enterprise.post("/democracy/library/", {"action": "point"}).status_code == 403


def test_nomination_pages_notice_and_objection(world, login) -> None:
    client = login(world.users["enterprise_a"])
    bad = client.post(
        "/democracy/nominations/",
        {
            "worker": world.worker_b.pk,
            "level": "city",
            "year": 2026,
            "deeds": "事迹",
            "reviews_required": 2,
        },
    )
    assert "您的范围内没有这个编号的职工" in text(bad)
    response = client.post(
        "/democracy/nominations/",
        {
            "worker": world.worker_a.pk,
            "level": "province",
            "year": 2026,
            "deeds": "连续三年零投诉。",
            "reviews_required": 2,
        },
    )
    nomination = Nomination.objects.get()
    url = response.url
    for name in ["staff_a", "province_admin"]:
        client.force_login(world.users[name])
        client.post(url, {"action": "review", "approved": "1", "comment": "同意"})
    nomination.refresh_from_db()
    assert nomination.status == Nomination.Status.NOTICE
    public = text(client.get(f"/democracy/notices/{nomination.pk}/"))
    assert "王*" in public
    assert "王甲" not in public
    anonymous = client.__class__()
    anonymous.post(
        f"/democracy/notices/{nomination.pk}/",
        {"body": "该同志的事迹材料需要进一步核实。", "contact": "13800138000"},
    )
    objection = Objection.objects.get()
    assert objection.contact_masked == "138****8000"
    refused = client.post(url, {"action": "confirm"})
    assert "公示期满后才能确认" in text(refused)
    detail = text(client.get(url))
    assert "138****8000" in detail
    assert "13800138000" not in detail


def test_objections_over_the_limit_are_429_with_retry_after_on_the_page(world) -> None:
    """The public objection form, as the API: past OBJECTIONS_PER_HOUR from one address the
    form comes back with the reason, status 429 and Retry-After, and nothing is stored."""
    from liandong.core.tests.client import BrowserClient
    from liandong.democracy.services import OBJECTIONS_PER_HOUR

    nomination = nomination_create(
        actor=world.users["enterprise_a"],
        worker=world.worker_a,
        level="province",
        year=2026,
        deeds="连续三年零投诉。",
    )
    nomination_review(actor=world.users["staff_a"], nomination=nomination, approved=True)
    nomination_review(actor=world.users["province_admin"], nomination=nomination, approved=True)
    url = f"/democracy/notices/{nomination.pk}/"
    client = BrowserClient()
    for _ in range(OBJECTIONS_PER_HOUR):
        assert client.post(url, {"body": "事迹材料需要进一步核实。"}).status_code == 302
    refused = client.post(url, {"body": "事迹材料需要进一步核实。"})
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 3600
    assert "提交过于频繁" in text(refused)
    assert Objection.objects.count() == OBJECTIONS_PER_HOUR


def test_confirmed_model_worker_shows_on_the_worker_page(world, login) -> None:
    nomination = nomination_create(
        actor=world.users["staff_a"],
        worker=world.worker_a,
        level="city",
        year=2025,
        deeds="事迹。",
        reviews_required=1,
    )
    nomination_review(actor=world.users["province_admin"], nomination=nomination, approved=True)
    Nomination.objects.filter(pk=nomination.pk).update(
        status=Nomination.Status.CONFIRMED, confirmed_on=timezone.localdate()
    )
    page = text(login(world.users["staff_a"]).get(f"/workers/{world.worker_a.pk}/"))
    assert "劳模荣誉" in page
    assert "市级劳模" in page
