"""Real browser (Debian's chromium): a union admin opens a budget line with an override ceiling,
records an expense over its remainder with a reason (it waits), and a second union admin
approves it from the funds page; the line then shows it spent."""

from decimal import Decimal

from liandong.accounts.models import Role
from liandong.accounts.tests.factories import TEST_PASSWORD, UserFactory
from liandong.activities.models import BudgetLine, Expense
from liandong.conftest import BROWSER
from liandong.organizations.models import Organization
from liandong.organizations.tests.factories import UnionFactory

pytestmark = BROWSER


def sign_in(page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def test_an_override_is_requested_by_one_admin_and_approved_by_another(
    live_server, browser
) -> None:
    city = UnionFactory(name="芜湖市总工会", code="B-WH", level=Organization.Level.CITY)
    union = UnionFactory(name="无为市总工会", code="B-WW", parent=city)
    UserFactory(username="ww_admin", role=Role.UNION_ADMIN, organization=union)
    UserFactory(username="wh_admin", role=Role.UNION_ADMIN, organization=city)
    base = live_server.url
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")

    sign_in(page, base, "ww_admin")
    page.goto(f"{base}/activities/funds/")
    page.click("text=新建预算科目")
    page.wait_for_url("**/funds/lines/new/")
    page.fill("input[name=name]", "微疗养专项资金")
    page.select_option("select[name=source]", "special_fund")
    page.fill("input[name=amount]", "10000")
    page.fill("input[name=override_ceiling]", "5000")
    page.click("section.form-card button[type=submit]")
    page.wait_for_load_state()
    assert "预算科目已创建" in page.inner_text(".messages")
    line = BudgetLine.objects.get(name="微疗养专项资金")
    assert line.override_ceiling == Decimal("5000")

    page.goto(f"{base}/activities/funds/")
    form = page.locator("aside form")
    form.locator("input[name=amount]").fill("12000")
    form.locator("input[name=override_reason]").fill("市总追加拨款")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "待另一位工会管理员审批" in page.inner_text(".messages")
    expense = Expense.objects.get(budget_line=line)
    assert expense.status == "pending"
    assert BudgetLine.objects.get(pk=line.pk).spent == 0
    # The requester sees the entry but their own approval is refused.
    page.goto(f"{base}/activities/funds/expenses/{expense.pk}/")
    page.click("button[value=approve]")
    page.wait_for_load_state()
    assert "另一位工会管理员" in page.inner_text(".messages")

    sign_in(page, base, "wh_admin")
    page.goto(f"{base}/activities/funds/")
    page.click("section[aria-label=待审批的超预算支出] >> text=微疗养专项资金")
    page.wait_for_url(f"**/funds/expenses/{expense.pk}/")
    page.fill("input[name=note]", "同意，年底调整预算")
    page.click("button[value=approve]")
    page.wait_for_load_state()
    assert "已批准" in page.inner_text(".messages")
    assert BudgetLine.objects.get(pk=line.pk).spent == Decimal("12000")
    assert Expense.objects.get(pk=expense.pk).decided_by.username == "wh_admin"
