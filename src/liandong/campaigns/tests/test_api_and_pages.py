"""Bad input names its field (a Chinese message on the page, a 422 naming the field on the API)
and changes nothing; another union's campaign is a 404 like one that does not exist."""

from typing import Any

import pytest

from liandong.campaigns.models import Campaign, Task
from liandong.core.tests.client import BrowserClient

pytestmark = pytest.mark.django_db
C = "/api/v1/campaigns"


def test_the_api_names_the_field_of_bad_input_and_changes_nothing(
    world: Any, campaign: Campaign, api_token: Any
) -> None:
    bearer = api_token(world.users["staff_a"])
    client = BrowserClient()
    answer = client.post(
        f"{C}/",
        {
            "owner": world.union_a.pk,
            "name": "x",
            "starts_on": "2026-05-01",
            "ends_on": "2026-04-01",
        },
        content_type="application/json",
        **bearer,
    )
    assert answer.status_code == 422
    assert "ends_on" in str(answer.json()["detail"])
    answer = client.post(
        f"{C}/{campaign.pk}/targets",
        {"organization": world.union_a.pk, "measure": "bogus", "value": 5},
        content_type="application/json",
        **bearer,
    )
    assert answer.status_code == 422
    assert "measure" in str(answer.json()["detail"])
    assert Campaign.objects.count() == 1
    assert not campaign.targets.exists()


def test_progress_reads_the_counted_records_over_the_api(
    world: Any, campaign: Campaign, api_token: Any
) -> None:
    bearer = api_token(world.users["staff_a"])
    client = BrowserClient()
    client.post(
        f"{C}/{campaign.pk}/targets",
        {"organization": world.union_a.pk, "measure": "reported.publicity", "value": 630},
        content_type="application/json",
        **bearer,
    )
    client.post(
        f"{C}/{campaign.pk}/progress",
        {
            "organization": world.enterprise_a.pk,
            "measure": "reported.publicity",
            "count": 63,
            "occurred_on": "2026-03-01",
            "evidence": "招聘会宣讲",
        },
        content_type="application/json",
        **bearer,
    )
    [row] = client.get(f"{C}/{campaign.pk}", **bearer).json()["progress"]
    assert (row["target"], row["actual"], row["percent"]) == (630, 63, 10.0)


def test_another_unions_campaign_is_a_404_like_one_that_does_not_exist(
    world: Any, campaign: Campaign, task: Task, api_token: Any
) -> None:
    page = BrowserClient()
    page.force_login(world.users["staff_b"])
    for url in ["/campaigns/{}/", "/campaigns/{}/tasks/", "/campaigns/tasks/{}/claim/"]:
        pk = task.pk if "tasks/{}" in url else campaign.pk
        assert page.get(url.format(pk)).status_code == 404
        assert page.get(url.format(10_000_000)).status_code == 404
    bearer = api_token(world.users["staff_b"])
    theirs = BrowserClient().get(f"{C}/{campaign.pk}", **bearer)
    nothing = BrowserClient().get(f"{C}/10000000", **bearer)
    assert (theirs.status_code, theirs.content) == (nothing.status_code, nothing.content)


def test_a_page_shows_the_reason_a_form_was_refused(world: Any, campaign: Campaign) -> None:
    page = BrowserClient()
    page.force_login(world.users["liaison"])
    response = page.post(
        f"/campaigns/{campaign.pk}/progress/",
        {
            "organization": world.authority.pk,
            "measure": "reported.publicity",
            "count": "3",
            "occurred_on": "2025-03-01",
            "evidence": "宣讲",
        },
    )
    assert response.status_code == 200
    assert "日期应在行动期间内" in response.content.decode()
    assert not campaign.entries.exists()
