"""The main menu in groups (core.navigation, base.html): a module's sub-pages under one entry,
every page still a link in the menu, the current one marked."""

import re
from typing import Any

from django.urls import reverse

from liandong.core.extensions import nav_items
from liandong.core.navigation import Entry, menu_groups
from liandong.core.tests.client import BrowserClient
from liandong.core.tests.test_extensions import menu

TOP = re.compile(r'<ul class="nav-list" id="mainnav-list">(.*)</ul>\s*</nav>', re.S)


def top_level(nav: str) -> list[str]:
    """The labels of the menu's first row: single links and group headings."""
    body = TOP.search(nav)
    assert body, nav
    # Drop the groups' inner lists; what is left is one <li> per top-level entry.
    flat = re.sub(r"<ul>.*?</ul>", "", body.group(1), flags=re.S)
    return re.findall(r"<li[^>]*>\s*(?:<details><summary[^>]*>|<a [^>]*>)([^<]+)<", flat)


def test_groups_keep_the_order_and_mark_the_longest_matching_address() -> None:
    entries = [
        Entry("服务活动", "/activities/", "activities", 40),
        Entry("组织架构", "/organizations/3/", "organization", 1, prefix="/organizations/"),
        Entry("职工之家", "/activities/homes/", "activities", 41),
        Entry("联席会议", "/meetings/", "meetings", 20),
    ]
    groups = menu_groups(entries, "/activities/homes/7/")
    assert [(g.label, [i.label for i in g.items]) for g in groups] == [
        ("组织职工", ["组织架构"]),
        ("联席会议", ["联席会议"]),
        ("服务活动", ["服务活动", "职工之家"]),
    ]
    assert [i.label for g in groups for i in g.items if i.active] == ["职工之家"]
    assert [g.label for g in groups if g.active] == ["服务活动"]
    # An entry with a prefix is current on every page under it.
    groups = menu_groups(entries, "/organizations/list/")
    assert [i.label for g in groups for i in g.items if i.active] == ["组织架构"]


def test_the_admin_menu_is_a_short_row_that_still_links_every_page(world: Any) -> None:
    admin = world.users["province_admin"]
    client = BrowserClient()
    client.force_login(admin)
    nav = menu(client, "/activities/homes/")
    links = set(re.findall(r'<a href="([^"]+)"', nav))
    wanted = {reverse(item.url_name) for item in nav_items(admin)}
    wanted |= {reverse("workers:worker-list"), reverse("accounts:audit-list")}
    assert wanted <= links, wanted - links
    row = top_level(nav)
    assert len(row) <= 9, row
    assert len(links) > len(row)  # some entries are grouped
    assert "组织职工" in row
    assert "职工名册" not in row
    # The current page is marked, inside its group, and named on the phone's menu button.
    assert re.findall(r'<a href="([^"]+)" class="active" aria-current="page">', nav) == [
        "/activities/homes/"
    ]
    assert re.search(r'<summary class="active">服务活动</summary>', nav)
    assert re.search(r'aria-expanded="false" aria-controls="mainnav-list"', nav)
    assert '<span class="nav-current">职工之家</span>' in nav


def test_a_worker_menu_has_their_own_pages(world: Any) -> None:
    client = BrowserClient()
    client.force_login(world.users["worker_a"])
    nav = menu(client, "/workers/me/")
    assert "我的信息" in top_level(nav)
    assert "联席会议" not in nav
