"""Real browser (Debian's chromium through Playwright): union staff set up a volunteer team,
enrol a worker of the roster and an outside volunteer, record the team's hours at a volunteer
activity, a flag (授旗) and a training with attendance; the team page adds it all up."""

import pytest

from liandong.accounts.models import Role
from liandong.accounts.tests.factories import TEST_PASSWORD, UserFactory
from liandong.conftest import BROWSER
from liandong.organizations.tests.factories import EnterpriseFactory, UnionFactory
from liandong.volunteers.models import Hours, Team
from liandong.volunteers.tests.conftest import volunteer_activity
from liandong.workers.tests.factories import WorkerFactory

pytestmark = BROWSER


def sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


@pytest.mark.django_db(transaction=True)
def test_a_team_records_its_members_hours_at_the_caravan(
    live_server, browser, settings, tmp_path
) -> None:
    settings.DATA_DIR = tmp_path
    union = UnionFactory(name="北京市总工会", code="BR-BJ")
    baic = EnterpriseFactory(name="北京汽车集团有限公司", code="BR-BAIC", parent=union)
    WorkerFactory(name="张国栋", employer=baic, mobile="13601100201")
    UserFactory(username="bj_staff", role=Role.UNION_STAFF, organization=union)
    caravan = volunteer_activity(union, "首都职工志愿服务大篷车")
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    sign_in(page, live_server.url, "bj_staff")

    page.goto(f"{live_server.url}/volunteers/")
    page.click("text=建立志愿服务队")
    page.fill("input[name=name]", "北汽集团鹏友圈服务队")
    page.select_option("select[name=organization]", str(baic.pk))
    page.fill("input[name=founded_on]", "2014-01-01")
    page.fill("input[name=skills]", "新能源电池维护、充电规范、应急处置")
    page.fill("input[name=service_mode]", "服务+培训")
    page.click("button:has-text('建立服务队')")
    page.wait_for_url("**/volunteers/*/")
    assert "成立于2014年1月1日" in page.inner_text(".page-head")

    page.click("text=添加志愿者")
    page.fill("input[name=mobile]", "13601100201")
    page.click("button:has-text('加入服务队')")
    assert "张国栋 已加入服务队" in page.inner_text("main"), page.inner_text("main")
    page.click("text=添加志愿者")
    page.select_option("select[name=kind]", "outside")
    page.fill("input[name=mobile]", "13801100302")
    page.fill("input[name=name]", "吴佳琪")
    page.click("button:has-text('加入服务队')")
    assert "138****0302" in page.inner_text("main")
    assert "13801100302" not in page.content()

    team = Team.objects.get()
    members = {m.name: m.pk for m in team.members.all()}
    page.click("text=登记服务时长")
    page.select_option("select[name=activity]", str(caravan.pk))
    page.fill("input[name=people_served]", "86")
    page.fill(f"input[name=hours_{members['张国栋']}]", "25")
    page.click("button:has-text('登记')")
    assert "24" in page.inner_text(".form-card")  # refused, said in Chinese on the form
    assert not Hours.objects.exists()
    page.fill(f"input[name=hours_{members['张国栋']}]", "4")
    page.fill(f"input[name=hours_{members['吴佳琪']}]", "3.5")
    page.click("button:has-text('登记')")
    assert "服务时长已登记" in page.inner_text(".messages")
    stats = page.inner_text(".stats")
    assert "7.5" in stats
    assert "86" in stats
    assert caravan.title in page.inner_text("main")

    page.click("text=登记荣誉")
    page.fill("input[name=awarded_on]", "2014-12-05")
    page.fill("input[name=awarded_by]", "北京市总工会职工服务中心")
    page.click("button:has-text('登记')")
    assert "授旗" in page.inner_text("main")

    page.click("text=登记培训")
    page.fill("input[name=title]", "冬季用车保养知识培训")
    page.fill("input[name=held_on]", caravan.ends_on.isoformat())  # the members joined today
    page.click("button:has-text('登记培训')")
    page.wait_for_url("**/volunteers/trainings/*/")
    page.check(f"input[name=members][value='{members['张国栋']}']")
    page.click("button:has-text('保存签到')")
    assert "签到已保存" in page.inner_text(".messages")
    assert "签到（1 人）" in page.inner_text("main")
