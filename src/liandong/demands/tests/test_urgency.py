"""The staff list in the order demands are worked (breached, then the nearest limit, then the
closed ones), and the demand page's next step as visible buttons (issue 16, item 7)."""

import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from liandong.core.tests.client import BrowserClient
from liandong.demands.models import Demand, State
from liandong.demands.selectors import by_urgency
from liandong.demands.tests.factories import make_demand


def staff(world: Any, who: str = "staff_a") -> BrowserClient:
    client = BrowserClient()
    client.force_login(world.users[who])
    return client


@pytest.fixture
def demands(world: Any, rules: Any) -> dict[str, Demand]:
    """Five demands of union A's scope; their limits set by hand (days from now)."""
    now = timezone.now()

    def made(name: str, **fields: Any) -> Demand:
        demand = make_demand(description=f"{name}：网点连续两个月拖欠派费，一直不给。")
        Demand.objects.filter(pk=demand.pk).update(**fields)
        return Demand.objects.get(pk=demand.pk)

    return {
        # open, first response due in 3 days
        "respond_3": made("甲", response_due=now + timedelta(days=3)),
        # open, answered, resolution due in 1 day: nearer than the one above
        "resolve_1": made(
            "乙",
            state=State.IN_PROGRESS,
            responded_at=now,
            response_due=now - timedelta(days=2),
            resolution_due=now + timedelta(days=1),
        ),
        # resolved: last, whatever its dates
        "done": made(
            "丙",
            state=State.RESOLVED,
            responded_at=now,
            resolution_due=now - timedelta(days=30),
            is_breached=True,
        ),
        # open and past its limit: first
        "breached": made("丁", is_breached=True, response_due=now - timedelta(days=1)),
        # open, first response due in 2 days
        "respond_2": made("戊", response_due=now + timedelta(days=2)),
    }


ORDER = ["breached", "resolve_1", "respond_2", "respond_3", "done"]


def test_by_urgency_orders_breached_then_nearest_limit_then_closed(
    demands: dict[str, Demand],
) -> None:
    names = {d.pk: name for name, d in demands.items()}
    assert [names[d.pk] for d in by_urgency(Demand.objects.all())] == ORDER


def codes_in(page: str, demands: dict[str, Demand]) -> list[str]:
    names = {d.code: name for name, d in demands.items()}
    return [
        names[c] for c in re.findall(r'<td class="mono"><a [^>]*>(\w+)</a>', page) if c in names
    ]


def test_the_list_is_by_urgency_unless_asked_for_newest(
    world: Any, demands: dict[str, Demand]
) -> None:
    client = staff(world)
    assert codes_in(client.get("/demands/").content.decode(), demands) == ORDER
    newest = codes_in(client.get("/demands/?sort=new").content.decode(), demands)
    assert newest == ["respond_2", "breached", "done", "resolve_1", "respond_3"]
    # a filter keeps the order
    open_only = codes_in(client.get("/demands/?breached=no").content.decode(), demands)
    assert open_only == ["resolve_1", "respond_2", "respond_3"]


def test_paging_by_urgency_shows_every_demand_once(world: Any, rules: Any) -> None:
    made = {make_demand().code for _ in range(23)}
    client = staff(world)
    seen: list[str] = []
    url = "/demands/"
    while url:
        page = client.get(url).content.decode()
        seen += re.findall(r'<td class="mono"><a [^>]*>(\w+)</a>', page)
        found = re.search(r'href="\?([^"]*cursor=\d+[^"]*)">下一页', page)
        url = "/demands/?" + found.group(1).replace("&amp;", "&") if found else ""
    assert sorted(seen) == sorted(made)


def action_forms(page: str) -> dict[str, bool]:
    """Each action of the page: whether its form is inside a <details> (folded)."""
    shown = {}
    for match in re.finditer(r'<input type="hidden" name="action" value="(\w+)">', page):
        before = page[: match.start()]
        folded = before.rfind("<details") > before.rfind("</details>")
        shown[match.group(1)] = folded
    return shown


def test_the_next_step_is_a_visible_button(world: Any, demands: dict[str, Demand]) -> None:
    # Dispatched to the authority: its liaison accepts (开始办理) or transfers it.
    dispatched = make_demand()
    assert dispatched.state == State.DISPATCHED
    page = staff(world, "liaison").get(f"/demands/{dispatched.pk}/").content.decode()
    assert action_forms(page) == {"accept": False, "transfer": False, "return": True}
    assert re.search(r'<button type="submit" class="button">开始办理</button>', page)
    # In progress: reply, resolve and transfer are all visible; union staff fold the rest.
    page = staff(world).get(f"/demands/{demands['resolve_1'].pk}/").content.decode()
    forms = action_forms(page)
    assert {name for name, folded in forms.items() if not folded} == {
        "reply",
        "resolve",
        "transfer",
    }
    assert {name for name, folded in forms.items() if folded} == {"return", "merge", "category"}
    # Closed: no action at all.
    page = staff(world).get(f"/demands/{demands['done'].pk}/").content.decode()
    assert action_forms(page) == {}


def test_a_visible_button_still_acts(world: Any, rules: Any) -> None:
    dispatched = make_demand()
    client = staff(world, "liaison")
    response = client.post(
        f"/demands/{dispatched.pk}/act/", {"action": "accept", "note": "已联系网点"}
    )
    assert response.status_code == 302
    assert Demand.objects.get(pk=dispatched.pk).state == State.IN_PROGRESS
