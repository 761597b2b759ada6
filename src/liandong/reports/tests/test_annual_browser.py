"""Real browser: union A's chair chooses a year next to the dashboard's heading and downloads
the annual report as Word and as PDF; both files open (python-docx, pypdf) with the chosen
year and the dashboard's figure. Screenshot to $LIANDONG_SCREENSHOTS."""

import io
from datetime import date
from pathlib import Path

from django.utils import timezone
from docx import Document
from pypdf import PdfReader

from liandong.conftest import BROWSER
from liandong.demands.rollups import write_counts
from liandong.meetings.tests.test_browser import sign_in
from liandong.reports.tests.test_browser import SHOTS

pytestmark = BROWSER


def test_download_the_annual_report_from_the_dashboard(live_server, browser, world) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    year = timezone.localdate().year - 1
    write_counts(
        [((date(year, 6, 1), world.enterprise_a.pk, "wages", "", "兰州"), {"received": 4321})]
    )
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="zh-CN", accept_downloads=True
    )
    page = context.new_page()
    sign_in(page, live_server.url, world.users["admin_a"].username)
    page.goto(f"{live_server.url}/reports/")
    form = page.locator("form[aria-label=年度工作报告]")
    form.locator("select[name=year]").select_option(str(year))
    page.screenshot(path=str(SHOTS / "reports-annual-button-1280.png"))
    with page.expect_download() as word:
        form.locator("button[value=docx]").click()
    assert word.value.suggested_filename == f"甲产业工会{year}年度工作报告.docx"
    document = Document(io.BytesIO(Path(word.value.path()).read_bytes()))
    text = "\n".join(p.text for p in document.paragraphs)
    assert f"甲产业工会{year}年度工作报告" in text
    assert "全年受理职工诉求 4,321 件" in text
    with page.expect_download() as pdf:
        form.locator("button[value=pdf]").click()
    assert pdf.value.suggested_filename.endswith(".pdf")
    reader = PdfReader(io.BytesIO(Path(pdf.value.path()).read_bytes()))
    assert "4,321" in "".join(p.extract_text() for p in reader.pages)
    # The page stayed the dashboard: a download, not a navigation.
    assert "数据看板" in page.inner_text("h1")
    context.close()
