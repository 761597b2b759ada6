"""The extension points between apps (core.extensions), with the apps' real providers."""

import re
from typing import Any

from django.test import Client

from liandong.core.extensions import hooks
from liandong.core.tests.client import BrowserClient

NAV = re.compile(r'<nav class="mainnav".*?</nav>', re.S)


def menu(client: Client, path: str) -> str:
    response = client.get(path, follow=True)
    found = NAV.search(response.content.decode())
    return found.group() if found else ""


def test_every_module_offers_a_menu_entry_and_the_providers_are_found() -> None:
    labels = {item.label for item in hooks("NAV_ITEMS")}
    assert {"联席会议", "职工诉求", "服务活动", "技能竞赛", "民主管理"} <= labels
    modules = {provider.__module__.split(".")[1] for provider in hooks("year_figures")}
    assert modules == {
        "meetings",
        "demands",
        "activities",
        "competitions",
        "democracy",
        "training",
        "campaigns",
        "volunteers",
        "mediation",
        "outreach",
    }
    assert hooks("no_such_hook") == []


def test_the_menu_follows_the_role(world: Any) -> None:
    staff, judge, worker = BrowserClient(), BrowserClient(), BrowserClient()
    staff.force_login(world.users["staff_a"])
    judge.force_login(world.users["judge"])
    worker.force_login(world.users["worker_a"])
    staff_menu, judge_menu = menu(staff, "/workers/"), menu(judge, "/competitions/judging/")
    assert "联席会议" in staff_menu
    assert "职工诉求" in staff_menu
    assert "评分" in judge_menu
    assert "联席会议" not in judge_menu
    assert "职工名册" not in judge_menu
    assert "联席会议" not in menu(worker, "/workers/me/")
    assert menu(BrowserClient(), "/meetings/") == ""  # the login page it lands on has no menu


def test_the_current_module_is_marked_by_the_longest_matching_address(world: Any) -> None:
    staff = BrowserClient()
    staff.force_login(world.users["staff_a"])
    current = re.findall(
        r'<a href="([^"]+)" class="active" aria-current="page">', menu(staff, "/activities/homes/")
    )
    assert current == ["/activities/homes/"]
    assert re.findall(
        r'class="active" aria-current="page">([^<]+)<', menu(staff, "/meetings/")
    ) == ["联席会议"]


def test_the_worker_page_shows_the_sections_the_modules_offer(world: Any) -> None:
    staff = BrowserClient()
    staff.force_login(world.users["staff_a"])
    body = staff.get(f"/workers/{world.worker_a.pk}/").content.decode()
    offered = [
        section.title
        for provider in hooks("worker_sections")
        for section in provider(world.users["staff_a"], world.worker_a)
    ]
    assert offered, "at least one module offers a section for this worker"
    for title in offered:
        assert f"<h2>{title}</h2>" in body
