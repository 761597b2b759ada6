"""Real browser (Debian's chromium via Playwright) against a live server: union staff record a
training session for a congress's delegates, mark attendance in bulk, and download the newest
version of a handbook, whose download count goes up."""

from datetime import timedelta

from django.utils import timezone

from liandong.accounts.models import Role
from liandong.accounts.tests.factories import TEST_PASSWORD, UserFactory
from liandong.conftest import BROWSER
from liandong.democracy.services import congress_create, delegate_add
from liandong.organizations.tests.factories import EnterpriseFactory, OutletFactory, UnionFactory
from liandong.training.models import Attendance, Document
from liandong.training.services import document_version_add
from liandong.training.tests.factories import make_document, make_lecturer, pdf_upload
from liandong.workers.tests.factories import WorkerFactory

pytestmark = BROWSER


def signed_in(browser, live_server, username: str, width: int = 1280):
    context = browser.new_context(
        viewport={"width": width, "height": 900}, locale="zh-CN", accept_downloads=True
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/?next=/training/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/training/")
    return page


def test_record_a_session_mark_attendance_and_download_a_handbook(live_server, browser) -> None:
    union = UnionFactory(name="威海市总工会", code="BR-TU")
    enterprise = EnterpriseFactory(name="威海光威集团有限责任公司", code="BR-TE", parent=union)
    outlet = OutletFactory(name="碳纤维车间", code="BR-TO", parent=enterprise)
    staff = UserFactory(username="weihai_trainer", role=Role.UNION_ADMIN, organization=union)
    congress = congress_create(
        actor=staff,
        enterprise=enterprise,
        term=5,
        session=3,
        title="五届三次职代会",
        held_on=timezone.localdate(),
    )
    names = ["于海涛", "杜琳", "邹策"]
    for name in names:
        worker = WorkerFactory(name=name, employer=outlet)
        delegate_add(actor=staff, congress=congress, worker=worker, constituency="第一代表团")
    make_lecturer(staff, union, name="邵立新")
    handbook = make_document(staff, union)
    document_version_add(actor=staff, document=handbook, file=pdf_upload("修订版.pdf", "v2"))

    page = signed_in(browser, live_server, "weihai_trainer")
    page.fill("input[name=topic]", "职工代表大会制度与代表履职")
    # a minute ago, not "today 08:30": between midnight and 08:30 Beijing time that is still to
    # come, and the year's figures count sessions held (the suite failed so once, at 00:05)
    held = timezone.localtime() - timedelta(minutes=1)
    page.fill("input[name=starts_at]", held.strftime("%Y-%m-%dT%H:%M"))
    page.fill("input[name=place]", "职工服务中心报告厅")
    page.check("label:has-text('邵立新') input")
    page.select_option("select[name=congress]", label="威海光威集团有限责任公司五届三次职代会")
    page.click("button:has-text('登记培训')")
    page.wait_for_url("**/training/sessions/*/")
    assert "培训已登记" in page.inner_text(".messages")
    assert page.inner_text("#attended-count") == "0"

    for name in names[:2]:
        page.check(f"label:has-text('{name}') input")
    page.click("button:has-text('登记所选代表')")
    assert "参训情况已登记" in page.inner_text(".messages")
    assert page.inner_text("#attended-count") == "2"
    assert Attendance.objects.filter(attended=True).count() == 2
    page.click("button:has-text('全部标记为已参训')")
    assert page.inner_text("#attended-count") == "3"

    page.goto(f"{live_server.url}/")
    page.goto(f"{live_server.url}/training/")
    assert "3" in page.inner_text(".stats")
    page.click("nav.subnav >> text=指导资料库")
    page.click("text=厂务公开操作指引")
    assert page.inner_text("#download-count") == "0"
    with page.expect_download() as info:
        page.click("a:has-text('下载最新版（第2版）')")
    download = info.value
    assert download.suggested_filename == "修订版.pdf"
    with open(download.path(), "rb") as saved:
        assert b"v2" in saved.read()
    page.reload()
    assert page.inner_text("#download-count") == "1"
    assert Document.objects.get().download_count == 1
