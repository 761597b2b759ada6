"""Real-browser tests: Debian's chromium driven by Playwright against a live server."""

from io import BytesIO

from openpyxl import Workbook

from liandong.accounts.models import Role
from liandong.accounts.tests.factories import TEST_PASSWORD, UserFactory
from liandong.conftest import BROWSER
from liandong.organizations.tests.factories import EnterpriseFactory, OutletFactory, UnionFactory
from liandong.workers.models import Worker

pytestmark = BROWSER


def roster_xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["序号", "姓名", "身份证号", "手机号", "所属网点", "职业", "入会日期"])
    for row in rows:
        sheet.append(row)
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_staff_logs_in_imports_a_roster_and_sees_it_in_the_list(
    live_server, browser, tmp_path
) -> None:
    union = UnionFactory(name="兰州快递业工会联合会", code="B-U")
    enterprise = EnterpriseFactory(name="中通快递兰州分公司", code="B-E", parent=union)
    OutletFactory(name="中通城关东岗网点", code="B-O", parent=enterprise)
    UserFactory(username="staff", role=Role.UNION_STAFF, organization=union)
    workbook = tmp_path / "名册.xlsx"
    workbook.write_bytes(
        roster_xlsx(
            [
                [
                    1,
                    "马建华",
                    "620102198403152712",
                    "13919310001",
                    "中通城关东岗网点",
                    "快递员",
                    "2025-03-18",
                ],
                [
                    2,
                    "丁秀兰",
                    "620102199001011233",
                    "13919310002",
                    "中通城关东岗网点",
                    "分拣员",
                    "",
                ],
            ]
        )
    )

    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "staff")
    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/workbench/")  # staff land on their 工作台
    assert "工作台" in page.inner_text("h1")

    page.click("nav >> text=组织职工")  # the menu group, then its entry
    page.click("text=名册导入")
    page.set_input_files("input[name=file]", str(workbook))
    page.select_option("select[name=organization]", label="兰州快递业工会联合会")
    page.click("text=上传并校验")
    page.wait_for_url("**/workers/imports/*/")
    summary = page.inner_text(".summary-counts")
    assert "新增 2 人" in summary.replace("\n", " ")
    assert Worker.objects.count() == 2

    page.click("nav >> text=组织职工")  # the menu group, then its entry
    page.click("nav >> text=职工名册")
    rows = page.locator("table tbody tr")
    assert rows.count() == 2
    listing = page.inner_text("table")
    assert "马建华" in listing
    assert "139****0001" in listing
    assert "13919310001" not in page.content()


def test_worker_pages_fit_a_phone_screen(live_server, browser) -> None:
    page = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN")
    for path in ["/accounts/login/worker/", "/accounts/login/"]:
        page.goto(live_server.url + path)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px on a phone"
        assert page.locator("button[type=submit]").first.is_visible()
