"""补录: contests decided before the platform, recorded afterwards with their final results
(entrants, ranks, prizes), published at once without rounds, judges or score sheets, and
counted in the year's figures."""

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from liandong.competitions import hooks, services
from liandong.competitions.models import Contest, ContestStatus, Entrant, ScoreSheet
from liandong.core.models import AuditLog
from liandong.core.tests.client import BrowserClient, submit_page_form
from liandong.workers.permissions import workers_visible_to
from liandong.workers.tests.factories import WorkerFactory

TODAY = timezone.localdate


def results(world: Any, *extra: Any) -> list[services.BackEntryResult]:
    return [
        services.BackEntryResult(
            worker=world.worker_a, final_rank=1, prize="一等奖", final_total=Decimal("95.5")
        ),
        *extra,
    ]


def back_enter(world: Any, **overrides: Any) -> Contest:
    fields: dict[str, Any] = {
        "actor": world.users["staff_a"],
        "organization": world.union_a,
        "name": "快递员职业技能竞赛（补录）",
        "profession": "快递员",
        "starts_on": TODAY() - timedelta(days=60),
        "results": results(world),
        **overrides,
    }
    return services.contest_back_enter(**fields)


def refused(call: Any, field: str, text: str = "") -> None:
    before = Contest.objects.count(), Entrant.objects.count(), AuditLog.objects.count()
    with pytest.raises(ValidationError) as caught:
        call()
    assert field in caught.value.message_dict, caught.value
    assert text in " ".join(caught.value.messages)
    assert (Contest.objects.count(), Entrant.objects.count(), AuditLog.objects.count()) == before


def test_a_back_entered_contest_is_published_with_its_results_and_audited(world: Any) -> None:
    runner_up = WorkerFactory(name="赵丙", employer=world.outlet_a)
    contest = back_enter(
        world, results=results(world, services.BackEntryResult(worker=runner_up, final_rank=2))
    )
    assert contest.back_entered
    assert contest.back_entered_by == world.users["staff_a"]
    assert contest.is_published
    assert contest.status == ContestStatus.PUBLISHED
    assert not contest.rounds.exists()
    assert not ScoreSheet.objects.filter(segment__round__contest=contest).exists()
    rows = list(
        contest.entrants.order_by("final_rank").values_list(
            "worker_id", "status", "final_rank", "prize", "final_total"
        )
    )
    assert rows == [
        (world.worker_a.pk, Entrant.Status.APPROVED, 1, "一等奖", Decimal("95.50")),
        (runner_up.pk, Entrant.Status.APPROVED, 2, "", None),
    ]
    entry = AuditLog.objects.get(action="competitions.contest_back_entered")
    assert entry.changes["back_entered"] == [None, "补录"]
    assert entry.changes["prizes"] == {"一等奖": 1}


def test_the_years_figures_count_a_back_entered_contest(world: Any) -> None:
    year = (TODAY() - timedelta(days=60)).year
    before = {f.label: f.value for f in hooks.year_figures(world.union_a, year)}
    back_enter(world)
    after = {f.label: f.value for f in hooks.year_figures(world.union_a, year)}
    assert after["举办技能竞赛"] == before["举办技能竞赛"] + 1
    assert after["参赛选手"] == before["参赛选手"] + 1
    assert after["获奖选手"] == before["获奖选手"] + 1


@pytest.mark.parametrize(
    ("days_ago", "text"), [(-1, "补录的比赛日期不能晚于今天"), (731, "最多补录两年内的记录")]
)
def test_dates_in_the_future_or_beyond_two_years_are_refused(
    world: Any, days_ago: int, text: str
) -> None:
    refused(
        lambda: back_enter(world, starts_on=TODAY() - timedelta(days=days_ago)), "starts_on", text
    )


def test_results_must_be_given_once_each_and_within_the_organizers_scope(world: Any) -> None:
    refused(lambda: back_enter(world, results=[]), "results", "请填写参赛选手")
    refused(lambda: back_enter(world, results=results(world) * 2), "results", "在名单中重复出现")
    refused(
        lambda: back_enter(world, results=[services.BackEntryResult(worker=world.worker_b)]),
        "results",
        "不在组织单位的范围内",
    )
    refused(
        lambda: back_enter(
            world, results=[services.BackEntryResult(worker=world.worker_a, prize="奖" * 21)]
        ),
        "results",
        "奖项名称超过 20 个字",
    )


def test_pasted_results_are_parsed_or_refused_by_line(world: Any) -> None:
    scope = workers_visible_to(world.users["staff_a"])
    parsed = services.contest_results_parse(
        scope=scope, text="620102198403152712\t1\t一等奖\t95.5\t个人组\n\n"
    )
    assert parsed == [
        services.BackEntryResult(
            worker=world.worker_a,
            final_rank=1,
            prize="一等奖",
            final_total=Decimal("95.5"),
            group="个人组",
        )
    ]
    for text, message in [
        (f"{world.worker_a.pk},第一", "第 1 行的名次应为正整数"),
        (f"{world.worker_a.pk},1,一等奖,九十", "第 1 行的总分不是数字"),
        (f"{world.worker_a.pk},1,2,3,4,5", "第 1 行格式不对"),
        (f"{world.worker_b.pk},1", "不在您的范围内"),
        ("张三,1", "不是职工编号或有效的身份证号"),
    ]:
        with pytest.raises(ValidationError) as caught:
            services.contest_results_parse(scope=scope, text=text)
        assert message in caught.value.messages[0], (text, caught.value)


# -- the pages, with the real form and CSRF ------------------------------------------------------


def test_staff_back_enter_a_contest_on_the_page_and_the_public_sees_the_results(
    world: Any,
) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["admin_a"])
    assert "/competitions/back-entry/" in client.get("/competitions/").content.decode()
    response = submit_page_form(
        client,
        "/competitions/back-entry/",
        {
            "name": "页面补录的竞赛",
            "profession": "快递员",
            "starts_on": (TODAY() - timedelta(days=10)).isoformat(),
            "results": f"{world.worker_a.pk}\t1\t一等奖\t96",
        },
    )
    contest = Contest.objects.get(name="页面补录的竞赛")
    assert response.status_code == 302
    assert response["Location"] == f"/competitions/{contest.pk}/"
    assert contest.back_entered
    assert ">补录</span>" in client.get(response["Location"]).content.decode()
    public = BrowserClient().get(f"/competitions/{contest.pk}/results/").content.decode()
    assert "一等奖" in public
    assert "补录" in public


def test_the_page_refuses_bad_results_in_chinese_and_changes_nothing(world: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["staff_a"])
    before = Contest.objects.count()
    response = submit_page_form(
        client,
        "/competitions/back-entry/",
        {
            "name": "未来的竞赛",
            "profession": "快递员",
            "starts_on": (TODAY() + timedelta(days=3)).isoformat(),
            "results": f"{world.worker_a.pk},1",
        },
    )
    assert response.status_code == 200
    assert "补录的比赛日期不能晚于今天" in response.content.decode()
    response = submit_page_form(
        client,
        "/competitions/back-entry/",
        {
            "name": "乙方选手",
            "profession": "快递员",
            "starts_on": TODAY().isoformat(),
            "results": f"{world.worker_b.pk},1",
        },
    )
    assert response.status_code == 200
    assert "不在您的范围内" in response.content.decode()
    assert Contest.objects.count() == before


@pytest.mark.parametrize("key", ["liaison", "enterprise_a", "judge", "worker_a"])
def test_only_union_staff_may_back_enter(world: Any, key: str) -> None:
    client = BrowserClient()
    client.force_login(world.users[key])
    assert client.get("/competitions/back-entry/").status_code == 403
