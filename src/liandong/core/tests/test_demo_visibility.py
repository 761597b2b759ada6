"""Every scenario of the demo can be seen by at least one login that `liandong demo` prints:
for each record of the scenarios (mechanisms and meetings, activities, contests, congresses,
negotiations and disclosures, volunteer teams, key enterprises and agreements, campaigns,
training sessions, mediation cases, and the demands of every organization that has some), some
printed login's scope holds it, and that login opens its page (200)."""

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import authenticate
from django.core.cache import caches
from django.db import transaction
from django.db.models import Model, QuerySet
from django.urls import reverse

from liandong.accounts.demo import DEMO_PASSWORD
from liandong.accounts.models import User
from liandong.core.demo import demo_load
from liandong.core.tests.client import BrowserClient
from liandong.core.tests.test_demo_logins import usernames

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    """The demo, loaded once for the module and rolled back afterwards (as in test_crawl)."""
    with django_db_blocker.unblock():
        with transaction.atomic():
            yield demo_load()
            transaction.set_rollback(True)
        caches["local"].clear()


def printed_users(ctx: dict[str, Any]) -> list[User]:
    names = [username for _role, username, _password, _where in ctx["logins"]]
    names += [name for _module, who in ctx["more_logins"] for name in usernames(who)]
    users = []
    for name in dict.fromkeys(names):
        user = authenticate(None, username=name, password=DEMO_PASSWORD)
        assert user is not None, name
        users.append(user)
    return users


def scenario_tables() -> list[tuple[str, QuerySet[Any], Callable[[Any], Any], str]]:
    """(what, every record, the app's visible_to, the detail page's URL name)."""
    from liandong.activities.models import Activity
    from liandong.activities.permissions import activities_visible_to
    from liandong.campaigns.models import Campaign
    from liandong.campaigns.permissions import campaigns_visible_to
    from liandong.competitions.models import Contest
    from liandong.competitions.permissions import contests_visible_to
    from liandong.democracy.models import Congress, Disclosure, Negotiation
    from liandong.democracy.permissions import (
        congresses_visible_to,
        disclosures_visible_to,
        negotiations_visible_to,
    )
    from liandong.mediation.models import Case
    from liandong.mediation.permissions import cases_visible_to
    from liandong.meetings.models import Mechanism, Meeting
    from liandong.meetings.permissions import mechanisms_visible_to, meetings_visible_to
    from liandong.outreach.models import Agreement, KeyEnterprise
    from liandong.outreach.permissions import agreements_visible_to, key_enterprises_visible_to
    from liandong.training.models import Session
    from liandong.training.permissions import sessions_visible_to
    from liandong.volunteers.models import Team
    from liandong.volunteers.permissions import teams_visible_to

    return [
        ("volunteer team", Team.objects.all(), teams_visible_to, "volunteers:team-detail"),
        (
            "key enterprise",
            KeyEnterprise.objects.all(),
            key_enterprises_visible_to,
            "outreach:key-detail",
        ),
        ("agreement", Agreement.objects.all(), agreements_visible_to, "outreach:agreement-detail"),
        ("campaign", Campaign.objects.all(), campaigns_visible_to, "campaigns:campaign-detail"),
        ("training session", Session.objects.all(), sessions_visible_to, "training:session-detail"),
        ("mediation case", Case.objects.all(), cases_visible_to, "mediation:case-detail"),
        ("mechanism", Mechanism.objects.all(), mechanisms_visible_to, "meetings:mechanism-detail"),
        ("meeting", Meeting.objects.all(), meetings_visible_to, "meetings:meeting-detail"),
        ("activity", Activity.objects.all(), activities_visible_to, "activities:activity-detail"),
        ("contest", Contest.objects.all(), contests_visible_to, "competitions:contest-detail"),
        ("congress", Congress.objects.all(), congresses_visible_to, "democracy:congress-detail"),
        (
            "negotiation",
            Negotiation.objects.all(),
            negotiations_visible_to,
            "democracy:negotiation-detail",
        ),
        (
            "disclosure",
            Disclosure.objects.all(),
            disclosures_visible_to,
            "democracy:disclosure-detail",
        ),
    ]


def demand_samples() -> list[Model]:
    """One demand per handling body (the demands of an organization are seen together)."""
    from liandong.demands.models import Demand

    first: dict[int, int] = {}
    for pk, body_id, union_id in Demand.objects.order_by("pk").values_list(
        "pk", "body_id", "union_id"
    ):
        first.setdefault(body_id or -union_id, pk)
    return list(Demand.objects.filter(pk__in=first.values()))


def test_every_demo_scenario_is_visible_to_a_printed_login(demo: dict[str, Any]) -> None:
    from liandong.demands.permissions import demands_visible_to

    ctx = demo
    users = printed_users(ctx)
    tables = scenario_tables()
    tables.append(("demand", demand_samples(), demands_visible_to, "demands:demand-detail"))  # type: ignore[arg-type]
    unseen: list[str] = []
    opened = 0
    clients: dict[int, BrowserClient] = {}
    for what, records, visible_to, url_name in tables:
        records = list(records)
        assert records, f"the demo has no {what}"
        visible = {user.pk: set(visible_to(user).values_list("pk", flat=True)) for user in users}
        for record in records:
            viewer = next((u for u in users if record.pk in visible[u.pk]), None)
            if viewer is None:
                unseen.append(f"{what} {record.pk} {record}")
                continue
            if viewer.pk not in clients:
                clients[viewer.pk] = BrowserClient()
                clients[viewer.pk].force_login(viewer)
            response = clients[viewer.pk].get(reverse(url_name, args=[record.pk]))
            assert response.status_code == 200, (what, record.pk, viewer.username)
            opened += 1
    assert not unseen, "records no printed login can see:\n" + "\n".join(unseen)
    assert opened > 20


def test_the_check_can_fail(demo: dict[str, Any]) -> None:
    """Without the scenario logins, the 北京, 无为 and 峨眉山 activities are seen by nobody."""
    from liandong.activities.models import Activity
    from liandong.activities.permissions import activities_visible_to

    ctx = demo
    gansu = [
        u for u in printed_users(ctx) if u.username in {name for _r, name, _p, _w in ctx["logins"]}
    ]
    seen = set().union(*(set(activities_visible_to(u).values_list("pk", flat=True)) for u in gansu))
    hidden = Activity.objects.exclude(pk__in=seen).values_list("organizer__city", flat=True)
    assert {"北京", "无为", "峨眉山"} <= set(hidden)


def test_the_readme_login_table_lists_every_printed_login(demo: dict[str, Any]) -> None:
    ctx = demo
    readme = (Path(__file__).resolve().parents[4] / "README.md").read_text()
    table = "\n".join(line for line in readme.splitlines() if line.startswith("| "))
    listed = set(re.findall(r"`([^`]+)`", table))
    for line in table.splitlines():  # `cc_judge_1…4` stands for four
        for stem, first, last in re.findall(r"`([a-z_]+_)(\d+)…(\d+)`", line):
            listed |= {f"{stem}{n}" for n in range(int(first), int(last) + 1)}
    printed = [username for _role, username, _password, _where in ctx["logins"]]
    printed += [name for _module, who in ctx["more_logins"] for name in usernames(who)]
    assert set(printed) - listed == set()


def test_the_volunteer_teams_login_sees_both_teams_with_their_flag_and_hours(
    demo: dict[str, Any],
) -> None:
    """The 北京 volunteer teams, seen by the printed login beijing_staff (here rather than in
    the volunteers app, so that the demo is loaded once for every app's scenario)."""
    from liandong.volunteers.demo import PENGYOU, PIONEER, STAFF
    from liandong.volunteers.models import Team
    from liandong.volunteers.selectors import team_figures

    assert any(module == "志愿服务队" and STAFF in who for module, who in demo["more_logins"])
    client = BrowserClient()
    client.force_login(User.objects.get(username=STAFF))
    body = client.get("/volunteers/").content.decode()
    assert PIONEER in body
    assert PENGYOU in body
    pengyou = Team.objects.get(name=PENGYOU)
    assert pengyou.honours.filter(title="授旗").exists()
    assert Team.objects.get(name=PIONEER).founded_on.year == 2014
    page = client.get(f"/volunteers/{pengyou.pk}/").content.decode()
    assert "授旗" in page
    assert "大篷车" in page
    figures = team_figures(pengyou)
    assert figures.hours > 0
    assert figures.people_served > 0
    assert figures.trainings == 1
