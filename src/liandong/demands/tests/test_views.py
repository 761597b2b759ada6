import pytest
from django.core.cache import cache

from liandong.core.models import AuditLog
from liandong.demands.models import CalendarDay, CalendarYear, Demand, RoutingRule, State, TimeLimit
from liandong.demands.tests.factories import make_demand

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_pii_in_logs")]


@pytest.fixture(autouse=True)
def _clear() -> None:
    cache.clear()


def intake(**changes: object) -> dict:
    return {
        "description": "网点拖欠两个月派费，一直不给结算。",
        "industry": "快递",
        "city": "兰州",
        "mobile": "13919314444",
        "urgency": "normal",
        "consent": "on",
        "token": "t-1",
        **changes,
    }


def test_the_phone_form_resent_gives_the_same_code(client, world, rules) -> None:
    first = client.post("/demands/submit/", intake())
    second = client.post("/demands/submit/", intake())
    assert first.status_code == 200
    assert Demand.objects.count() == 1
    code = Demand.objects.get().code
    assert code in first.content.decode()
    assert code in second.content.decode()


def test_the_phone_form_is_rate_limited_and_a_refusal_counts_nowhere(
    client, world, rules, settings
) -> None:
    from liandong.demands.models import DemandThrottle

    settings.LIANDONG_DEMANDS_SUBMITS_PER_MOBILE_DAY = 2
    for n in range(2):
        assert (
            client.post(
                "/demands/submit/", intake(token=f"t-{n}", description=f"第{n}件事：派费拖欠。")
            ).status_code
            == 200
        )
    refused = client.post(
        "/demands/submit/", intake(token="t-9", description="第三件事：社保断缴。")
    )
    assert refused.status_code == 429
    assert refused["Retry-After"] == "3600"
    assert "提交过于频繁" in refused.content.decode()
    assert Demand.objects.count() == 2
    assert sorted(DemandThrottle.objects.values_list("hits", flat=True)) == [2, 2]


def test_the_phone_form_shows_errors_under_the_fields(client, world, rules) -> None:
    response = client.post("/demands/submit/", intake(mobile="123", consent=""))
    text = response.content.decode()
    assert response.status_code == 200
    assert "请阅读并同意个人信息处理说明" in text
    assert "手机号" in text
    assert Demand.objects.count() == 0


def test_the_handler_takes_the_steps_on_the_page(client, world, rules) -> None:
    demand = make_demand()
    client.force_login(world.users["liaison"])
    page = client.get(f"/demands/{demand.pk}/").content.decode()
    assert "开始办理" in page
    assert "不予受理" not in page  # a union decision, not the body's
    empty = client.post(f"/demands/{demand.pk}/act/", {"action": "accept", "note": ""})
    assert empty.status_code == 200
    assert "请填写给职工的首次答复" in empty.content.decode()
    done = client.post(
        f"/demands/{demand.pk}/act/", {"action": "accept", "note": "已联系网点核实。"}
    )
    assert done.status_code == 302
    assert Demand.objects.get(pk=demand.pk).state == State.IN_PROGRESS
    refused = client.post(
        f"/demands/{demand.pk}/act/", {"action": "reject", "reason": "不归我们管"}
    )
    assert refused.status_code == 200  # not offered to the body: nothing happens
    assert Demand.objects.get(pk=demand.pk).state == State.IN_PROGRESS


def test_reveal_on_the_page_is_audited_and_not_cached(client, world, rules) -> None:
    demand = make_demand(mobile="13919314445")
    client.force_login(world.users["staff_a"])
    response = client.post(f"/demands/{demand.pk}/reveal/", {"purpose": "回访职工"})
    assert "13919314445" in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    assert (
        AuditLog.objects.filter(action="demands.mobile_viewed", target_id=str(demand.pk)).count()
        == 1
    )
    assert "13919314445" not in client.get(f"/demands/{demand.pk}/").content.decode()


def test_hotline_page_records_the_call(client, world, rules) -> None:
    client.force_login(world.users["staff_a"])
    response = client.post(
        "/demands/new/", {**intake(token="h-1"), "channel": "hotline", "category": ""}
    )
    assert response.status_code == 302
    demand = Demand.objects.get()
    assert demand.channel == "hotline"
    assert demand.entered_by == world.users["staff_a"]


def test_union_admin_configures_rules_limits_and_the_calendar(client, world, rules) -> None:
    client.force_login(world.users["admin_a"])
    assert client.get("/demands/settings/").status_code == 200
    response = client.post(
        "/demands/settings/",
        {
            "form": "rule",
            "category": "insurance",
            "industry": "快递",
            "city": "兰州",
            "body": world.authority.pk,
            "priority": 10,
        },
    )
    assert response.status_code == 302
    assert RoutingRule.objects.filter(
        category="insurance", city="兰州", body=world.authority
    ).exists()
    assert make_demand(category="insurance", description="公司不给交社保。").body == world.authority
    response = client.post(
        "/demands/settings/",
        {
            "form": "limit",
            "category": "injury",
            "urgency": "normal",
            "response_days": 2,
            "resolution_days": 1,
            "escalation_days": 5,
        },
    )
    assert "办结时限不能短于首次响应时限" in response.content.decode()
    assert not TimeLimit.objects.exists()
    bad = client.post(
        "/demands/settings/", {"form": "calendar", "year": 2027, "days": "2027-02-30 休 春节"}
    )
    assert "日期不存在" in bad.content.decode()
    good = client.post(
        "/demands/settings/",
        {"form": "calendar", "year": 2027, "days": "2027-01-01 休 元旦\n2027-02-06 班 春节调休"},
    )
    assert good.status_code == 302
    assert CalendarDay.objects.filter(date__year=2027).count() == 2
    assert CalendarYear.objects.filter(year=2027).exists()
    client.force_login(world.users["staff_a"])
    assert client.get("/demands/settings/").status_code == 403


def test_list_filters_on_the_page(client, world, rules) -> None:
    wages = make_demand()
    rest = make_demand(
        category="rest", description="每天工作十四个小时，没有休息日。", mobile="13919314446"
    )
    client.force_login(world.users["staff_a"])
    page = client.get(f"/demands/?body={world.enterprise_a.pk}").content.decode()
    assert rest.code in page
    assert wages.code not in page
    bad = client.get("/demands/?state=nonsense")
    assert bad.status_code == 200
    assert wages.code not in bad.content.decode()
