"""A worker's phone home (workers:me): each card's data counted by hand and scoped to the
worker themself (another worker's demands, applications, reads and messages never show), the
demand raised from the home, the one-tap reveal of their own numbers."""

import re
from datetime import timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone

from liandong.activities.models import ActivityStatus, Selection
from liandong.activities.services import application_submit
from liandong.activities.tests.factories import make_activity
from liandong.core.models import AuditLog
from liandong.core.tests.client import BrowserClient, page_forms
from liandong.demands.models import Demand, State
from liandong.demands.tests.factories import make_demand
from liandong.democracy.services import (
    congress_create,
    delegate_add,
    disclosure_mark_read,
    disclosure_publish,
    proposal_submit,
)
from liandong.notifications.models import Message
from liandong.workers.selectors import demand_initial, worker_home
from liandong.workers.services import own_demand_submit


@pytest.fixture(autouse=True)
def _fresh(db: None) -> None:
    cache.clear()
    from liandong.demands import config

    config.clear()


def signed_in(world: Any) -> BrowserClient:
    client = BrowserClient()
    client.force_login(world.users["worker_a"])
    return client


def post_form(
    client: BrowserClient, page: Any, values: dict[str, Any] | None = None, *, action: str = ""
) -> Any:
    """Submit the page's POST form (the one going to ``action``, else the one with every field
    of ``values``) as a browser does: its own fields, with ``values`` typed over them."""
    values = values or {}
    url = page.wsgi_request.path
    forms = [
        f
        for f in page_forms(page.content.decode())
        if ((f.action or url) == action if action else set(values) <= f.names)
    ]
    assert forms, (action, sorted(values))
    return client.post(forms[0].action or url, {**forms[0].fields, **values})


def own_fields(**changes: Any) -> dict[str, Any]:
    return {
        "category": "wages",
        "description": "网点连续两个月拖欠派费，站长说总部没结算。",
        "industry": "快递",
        "city": "兰州",
        "employer_name": "甲快递城关网点",
        "submitter_name": "王甲",
        "consent": True,
        "urgency": "normal",
        **changes,
    }


# -- 我的诉求 ------------------------------------------------------------------------------------


def test_my_demands_are_those_of_my_mobile_only(world: Any) -> None:
    user = world.users["worker_a"]
    mine_public = make_demand(mobile="13919310001")  # sent before signing in, by the public form
    mine_home = own_demand_submit(actor=user, worker=world.worker_a, **own_fields())
    make_demand(mobile="13919310002")  # someone else's number
    make_demand(mobile="13900000000")
    home = worker_home(user=user, worker=world.worker_a)
    assert [d.pk for d in home.demands] == [mine_home.pk, mine_public.pk]
    assert (home.demands_total, home.demands_open) == (2, 2)
    assert mine_home.entered_by == user
    assert mine_home.mobile_digest == world.worker_a.mobile_digest
    assert mine_home.mobile_masked == "139****0001"


def test_a_closed_demand_is_counted_but_not_as_open(world: Any) -> None:
    user = world.users["worker_a"]
    demand = make_demand(mobile="13919310001")
    Demand.objects.filter(pk=demand.pk).update(state=State.RESOLVED)
    make_demand(mobile="13919310001", description="网点不给交社保，想问问怎么办才好。")
    home = worker_home(user=user, worker=world.worker_a)
    assert (home.demands_total, home.demands_open) == (2, 1)


def test_another_workers_demand_is_a_404(world: Any) -> None:
    other = make_demand(mobile="13919310002")
    mine = make_demand(mobile="13919310001")
    client = signed_in(world)
    assert client.get(f"/workers/me/demands/{other.pk}/").status_code == 404
    page = client.get(f"/workers/me/demands/{mine.pk}/")
    assert page.status_code == 200
    assert mine.code in page.content.decode()


def test_the_demand_page_of_a_resolved_demand_offers_the_rating(world: Any) -> None:
    demand = make_demand(mobile="13919310001")
    Demand.objects.filter(pk=demand.pk).update(state=State.RESOLVED, resolution_note="已结清")
    page = signed_in(world).get(f"/workers/me/demands/{demand.pk}/").content.decode()
    assert 'action="/demands/track/rate/"' in page
    assert "已结清" in page


# -- 我要反映 ------------------------------------------------------------------------------------


def test_the_form_is_filled_in_from_the_roster(world: Any) -> None:
    assert demand_initial(world.worker_a) == {
        "name": "王甲",
        "employer_name": "甲快递城关网点",
        "industry": "快递",
        "city": world.worker_a.city or "兰州",
    }
    page = signed_in(world).get("/workers/me/demand/").content.decode()
    assert re.search(r'name="name"[^>]*value="王甲"', page)
    assert re.search(r'name="employer_name"[^>]*value="甲快递城关网点"', page)
    assert re.search(r'<option value="快递" selected>', page)
    assert 'name="mobile"' not in page  # the roster's mobile, shown masked
    assert "139****0001" in page


def test_a_demand_raised_from_the_home_shows_in_my_demands(world: Any) -> None:
    client = signed_in(world)
    page = client.get("/workers/me/demand/")
    typed = {"description": "站点两个月没发派费了，请帮忙催一下。", "consent": "on"}
    response = post_form(client, page, typed)
    demand = Demand.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/workers/me/demands/{demand.pk}/"
    assert demand.submitter_name == "王甲"
    assert demand.mobile_digest == world.worker_a.mobile_digest
    home = client.get("/workers/me/").content.decode()
    assert f'href="/workers/me/demands/{demand.pk}/"' in home
    # the same form sent again (a double tap) is the same demand
    post_form(client, page, typed)
    assert Demand.objects.count() == 1


def test_a_refused_demand_keeps_the_form_and_files_nothing(world: Any) -> None:
    client = signed_in(world)
    page = client.get("/workers/me/demand/")
    response = post_form(client, page, {"description": "短"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "至少" in body
    assert "请阅读并同意" in body
    assert Demand.objects.count() == 0


def test_the_per_number_limit_of_the_public_form_holds(world: Any, settings: Any) -> None:
    settings.LIANDONG_DEMANDS_SUBMITS_PER_MOBILE_DAY = 1
    user = world.users["worker_a"]
    own_demand_submit(actor=user, worker=world.worker_a, **own_fields())
    with pytest.raises(Exception, match="已达上限"):
        own_demand_submit(
            actor=user, worker=world.worker_a, **own_fields(description="又一件事情要反映一下")
        )
    assert Demand.objects.count() == 1


# -- 活动报名 and 我的服务 -------------------------------------------------------------------------


def test_open_activities_with_places_and_reasons(world: Any) -> None:
    user = world.users["worker_a"]
    open_one = make_activity(world.union_a, title="城关体检", total_places=3)
    members = make_activity(world.union_a, title="会员疗休养", members_only=True)
    past = make_activity(world.union_a, title="已经过去")
    from liandong.activities.models import Activity

    Activity.objects.filter(pk=past.pk).update(starts_on=timezone.localdate() - timedelta(days=1))
    closed = make_activity(world.union_a, title="截止了")
    Activity.objects.filter(pk=closed.pk).update(
        applications_close_at=timezone.now() - timedelta(minutes=1)
    )
    make_activity(world.union_b, title="乙工会的活动")  # not for worker A's employer
    make_activity(world.union_a, title="草稿", publish=False)
    nominated = make_activity(world.union_a, title="推荐制", selection=Selection.NOMINATION)
    taken = make_activity(world.union_a, title="被别人报满", total_places=1)
    application_submit(actor=None, activity=taken, worker=_other_worker_of_a(world))

    rows = {r.activity.title: r for r in worker_home(user=user, worker=world.worker_a).activities}
    assert set(rows) == {"城关体检", "会员疗休养", "推荐制", "被别人报满"}
    assert (rows["城关体检"].places_left, rows["城关体检"].can_apply) == (3, True)
    assert rows["会员疗休养"].reasons == ["本活动仅限工会会员报名，您还不是工会会员"]
    assert not rows["会员疗休养"].can_apply
    assert rows["推荐制"].reasons == ["本活动由单位推荐，不接受个人报名"]
    assert (rows["被别人报满"].places_left, rows["被别人报满"].reasons) == (0, ["名额已满"])
    assert open_one.status == ActivityStatus.OPEN
    assert members.members_only
    assert nominated


def _other_worker_of_a(world: Any) -> Any:
    from liandong.workers.tests.factories import WorkerFactory

    return WorkerFactory(name="赵丙", employer=world.outlet_a)


def test_applying_from_the_home_and_my_services(world: Any) -> None:
    client = signed_in(world)
    activity = make_activity(world.union_a, title="城关体检", total_places=3)
    other = make_activity(world.union_a, title="别人的活动")
    application_submit(actor=None, activity=other, worker=_other_worker_of_a(world))
    home = client.get("/workers/me/")
    response = post_form(client, home, action=f"/activities/{activity.pk}/apply/")
    assert response.status_code == 302
    assert response["Location"] == "/workers/me/"  # back to the home, not the staff-style page
    home = worker_home(user=world.users["worker_a"], worker=world.worker_a)
    assert [a.activity.title for a in home.services] == ["城关体检"]
    row = next(r for r in home.activities if r.activity.pk == activity.pk)
    assert (row.places_left, row.application is not None, row.can_apply) == (2, True, False)
    page = client.get("/workers/me/").content.decode()
    assert "已报名 · 已入选" in page
    assert "已报名“城关体检”，您已入选。" in page
    assert "别人的活动" in page


def test_apply_goes_back_only_to_a_page_of_this_site(world: Any) -> None:
    client = signed_in(world)
    activity = make_activity(world.union_a, title="城关体检", total_places=3)
    response = client.post(
        f"/activities/{activity.pk}/apply/", {"next": "https://evil.example/workers/me/"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/activities/{activity.pk}/"


# -- 厂务公开, 我的提案, 消息 ------------------------------------------------------------------------


def test_unread_disclosures_proposals_and_messages(world: Any) -> None:
    user = world.users["worker_a"]
    admin = world.users["admin_a"]
    today = timezone.localdate()
    items = [
        disclosure_publish(
            actor=admin,
            enterprise=world.enterprise_a,
            category="wages",
            title=f"工资调整方案{i}",
            body="内容",
            publish_on=today,
        )
        for i in range(3)
    ]
    disclosure_publish(  # not yet public
        actor=admin,
        enterprise=world.enterprise_a,
        category="wages",
        title="明天公开",
        body="内容",
        publish_on=today + timedelta(days=1),
    )
    disclosure_publish(  # another enterprise's
        actor=world.users["staff_b"],
        enterprise=world.enterprise_b,
        category="wages",
        title="乙公司",
        body="内容",
        publish_on=today,
    )
    disclosure_mark_read(worker=world.worker_a, disclosure=items[0])
    disclosure_mark_read(worker=world.worker_b, disclosure=items[1])  # someone else read it
    Message.objects.create(recipient=user, kind="x", event_key="e1", title="一")
    Message.objects.create(
        recipient=user, kind="x", event_key="e2", title="二", read_at=timezone.now()
    )
    Message.objects.create(recipient=admin, kind="x", event_key="e3", title="三")

    home = worker_home(user=user, worker=world.worker_a)
    assert (home.disclosures_unread, home.inbox_unread, home.delegate) == (2, 1, None)

    congress = congress_create(
        actor=admin,
        enterprise=world.enterprise_a,
        term=1,
        session=1,
        title="一届一次职代会",
        held_on=today,
    )
    delegate_add(actor=admin, congress=congress, worker=world.worker_a, constituency="城关")
    home = worker_home(user=user, worker=world.worker_a)
    assert home.delegate is not None
    assert home.delegate.proposals == []
    proposal = proposal_submit(
        actor=user,
        congress=congress,
        title="增设休息驿站",
        reasons="理由",
        measures="措施",
        category="welfare",
    )
    home = worker_home(user=user, worker=world.worker_a)
    assert home.delegate is not None
    assert home.delegate.proposals == [proposal]
    page = signed_in(world).get("/workers/me/").content.decode()
    assert "我的提案" in page
    assert "增设休息驿站" in page
    assert 'aria-label="2 条未读"' in page


def test_a_worker_who_is_no_delegate_sees_no_proposals_card(world: Any) -> None:
    page = signed_in(world).get("/workers/me/").content.decode()
    assert "我要反映" in page
    assert "活动报名" in page
    assert "厂务公开" in page
    assert "我的提案" not in page.split('class="mainnav"')[-1].split("</nav>")[-1]


# -- their own numbers -----------------------------------------------------------------------------


def test_one_tap_reveals_my_numbers_without_a_reason_and_is_audited(world: Any) -> None:
    client = signed_in(world)
    home = client.get("/workers/me/")
    body = home.content.decode()
    assert "139****0001" in body
    assert "13919310001" not in body
    assert "查看原因" not in body
    response = post_form(client, home, action="/workers/me/reveal/")
    shown = response.content.decode()
    assert response.status_code == 200
    assert "13919310001" in shown
    assert "620102198403152712" in shown
    assert response["Cache-Control"] == "no-store"
    entry = AuditLog.objects.filter(action="workers.pii_viewed").get()
    assert entry.actor == world.users["worker_a"]
    assert entry.changes["purpose"] == "本人查看"
    # the next visit is masked again
    assert "13919310001" not in client.get("/workers/me/").content.decode()


def test_staff_are_sent_to_their_home(world: Any) -> None:
    client = BrowserClient()
    client.force_login(world.users["staff_a"])
    for path in ["/workers/me/", "/workers/me/demand/"]:
        assert client.get(path)["Location"] == "/"
    assert client.post("/workers/me/reveal/")["Location"] == "/"
    assert not AuditLog.objects.filter(action="workers.pii_viewed").exists()


def test_other_apps_panels_follow_the_cards_without_repeating_them(world: Any) -> None:
    from liandong.democracy.models import Nomination

    Nomination.objects.create(
        worker=world.worker_a,
        nominated_by=world.enterprise_a,
        level="city",
        year=2025,
        deeds="事迹",
        status=Nomination.Status.CONFIRMED,
        confirmed_on=timezone.localdate(),
    )
    make_demand(mobile="13919310001")
    page = signed_in(world).get("/workers/me/").content.decode()
    assert 'aria-label="劳模荣誉"' in page
    assert 'aria-label="职工诉求"' not in page  # shown as 我的诉求
