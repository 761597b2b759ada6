"""The demo's 北京 volunteer teams, seen by the printed login beijing_staff."""

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import caches
from django.db import transaction

from liandong.accounts.models import User
from liandong.core.demo import demo_load
from liandong.core.tests.client import BrowserClient
from liandong.volunteers.demo import PENGYOU, PIONEER, STAFF
from liandong.volunteers.models import Team
from liandong.volunteers.selectors import team_figures

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    with django_db_blocker.unblock():
        with transaction.atomic():
            yield demo_load()
            transaction.set_rollback(True)
        caches["local"].clear()


def test_the_printed_login_sees_both_teams_with_their_flag_and_hours(demo: Any) -> None:
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
