"""The worker list, page and API alike: every search and filter, scoping of the filters,
paging, and query counts that are exact and do not grow with the number of rows."""

import re
from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from liandong.core.tests.client import BrowserClient
from liandong.workers.models import Worker
from liandong.workers.selectors import is_identifying_query
from liandong.workers.services import worker_register
from liandong.workers.tests.factories import WorkerFactory

ROW_LINK = re.compile(r'href="/workers/(\d+)/"')


@pytest.fixture
def roster(world: Any) -> dict[str, Worker]:
    """World's 王甲 (outlet A, 兰州) and 李乙 (outlet B, 天水), and three more."""
    return {
        "王甲": world.worker_a,
        "李乙": world.worker_b,
        "王二": worker_register(
            actor=None,
            name="王二",
            id_number="620102198511114529",
            mobile="13609310022",
            employer=world.enterprise_a,
            occupation="外卖骑手",
            joined_union_on=date(2025, 3, 1),
        ),
        "张三": worker_register(
            actor=None,
            name="张三",
            id_number="620102199202023310",
            mobile="15809315678",
            employer=world.outlet_a,
            occupation="美发师",
            joined_union_on=date(2025, 6, 1),
        ),
        "王五": worker_register(
            actor=None,
            name="王五",
            id_number="620102199001011233",
            mobile="18993800005",
            employer=world.outlet_b,
            occupation="网约车司机",
        ),
    }


def page_names(client: Client, roster: dict[str, Worker], **params: Any) -> set[str]:
    if is_identifying_query(str(params.get("q", ""))):
        # A full number is searched as the page's form does it: POSTed, then the list's URL
        # with a session token in its place (a number in the URL is refused, see below).
        response = client.post("/workers/", params, follow=True)
    else:
        response = client.get("/workers/", params)
    assert response.status_code == 200
    by_id = {w.pk: name for name, w in roster.items()}
    return {by_id[int(pk)] for pk in ROW_LINK.findall(response.content.decode())}


def api_names(
    client: Client, roster: dict[str, Worker], headers: dict[str, str], **params: Any
) -> set[str]:
    if is_identifying_query(str(params.get("q", ""))):  # by POST, as the README says
        response = client.post(
            "/api/v1/workers/search", params, content_type="application/json", **headers
        )
    else:
        response = client.get("/api/v1/workers/", params, **headers)
    assert response.status_code == 200, response.content
    by_id = {w.pk: name for name, w in roster.items()}
    return {by_id[item["id"]] for item in response.json()["items"]}


def filter_cases(
    world: Any, roster: dict[str, Worker]
) -> list[tuple[dict[str, Any], dict[str, Any], set[str]]]:
    """(page params, API params, names expected) as province admin sees them."""
    return [
        ({}, {}, {"王甲", "李乙", "王二", "张三", "王五"}),
        ({"q": "王"}, {"q": "王"}, {"王甲", "王二", "王五"}),  # name prefix
        ({"q": "王二"}, {"q": "王二"}, {"王二"}),
        ({"q": "甲"}, {"q": "甲"}, set()),  # a prefix, not anywhere in the name
        ({"q": "5678"}, {"q": "5678"}, {"张三"}),  # mobile tail
        ({"q": "0001"}, {"q": "0001"}, {"王甲"}),
        ({"q": "13609310022"}, {"q": "13609310022"}, {"王二"}),  # full mobile
        ({"q": "136 0931 0022"}, {"q": "136 0931 0022"}, {"王二"}),
        ({"q": "620102198403152712"}, {"q": "620102198403152712"}, {"王甲"}),  # full ID
        ({"q": "620102198511114529"}, {"q": "620102198511114529"}, {"王二"}),
        ({"employer": "城关"}, {"employer": "城关"}, {"王甲", "张三"}),  # employer name
        ({"employer": "甲快递"}, {"employer": "甲快递"}, {"王甲", "王二", "张三"}),
        ({"employer": "乙快递秦州"}, {"employer": "乙快递秦州"}, {"李乙", "王五"}),
        ({"worker_type": "rider"}, {"worker_type": "rider"}, {"王二"}),
        ({"worker_type": "courier"}, {"worker_type": "courier"}, {"王甲", "李乙"}),
        ({"worker_type": "beautician"}, {"worker_type": "beautician"}, {"张三"}),
        ({"city": "天水"}, {"city": "天水"}, {"李乙", "王五"}),
        ({"city": "兰州"}, {"city": "兰州"}, {"王甲", "王二", "张三"}),
        (
            {"organization": world.enterprise_a.pk},
            {"organization": world.enterprise_a.pk},
            {"王甲", "王二", "张三"},
        ),
        ({"organization": world.union_b.pk}, {"organization": world.union_b.pk}, {"李乙", "王五"}),
        ({"member": "yes"}, {"member": "true"}, {"王二", "张三"}),
        ({"member": "no"}, {"member": "false"}, {"王甲", "李乙", "王五"}),
        (
            {"q": "王", "member": "no", "city": "天水"},
            {"q": "王", "member": "false", "city": "天水"},
            {"王五"},
        ),
        (
            {"q": "王", "organization": world.enterprise_a.pk, "worker_type": "rider"},
            {"q": "王", "organization": world.enterprise_a.pk, "worker_type": "rider"},
            {"王二"},
        ),
    ]


def test_every_filter_on_page_and_api(
    world: Any, roster: dict[str, Worker], api_token: Any
) -> None:
    page = BrowserClient()
    page.force_login(world.users["province_admin"])
    bearer = api_token(world.users["province_admin"])
    api = BrowserClient()
    for page_params, api_params, expected in filter_cases(world, roster):
        assert page_names(page, roster, **page_params) == expected, page_params
        assert api_names(api, roster, bearer, **api_params) == expected, api_params


def test_filters_stay_inside_the_callers_subtree(
    world: Any, roster: dict[str, Worker], api_token: Any
) -> None:
    page = BrowserClient()
    page.force_login(world.users["staff_a"])
    bearer = api_token(world.users["staff_a"])
    api = BrowserClient()
    assert page_names(page, roster) == api_names(api, roster, bearer) == {"王甲", "王二", "张三"}
    for params in [
        {"city": "天水"},
        {"q": "13919319999"},
        {"q": "王五"},
        {"employer": "乙快递"},
        {"q": "620102199001011233"},
    ]:  # B's city, an unknown mobile, B's people and B's employer
        assert page_names(page, roster, **params) == set(), params
        assert api_names(api, roster, bearer, **params) == set(), params
    # Another union's subtree as a filter: the page drops it (not a choice), the API says 404.
    assert page_names(page, roster, organization=world.union_b.pk) == set()
    assert (
        api.get("/api/v1/workers/", {"organization": world.union_b.pk}, **bearer).status_code == 404
    )
    # A partner body is visible to union A but employs no one of its roster: not a scope either.
    assert (
        api.get("/api/v1/workers/", {"organization": world.authority.pk}, **bearer).status_code
        == 404
    )
    assert page_names(page, roster, organization=world.authority.pk) == set()
    # The enterprise union sees its enterprise's workers only.
    ent = BrowserClient()
    ent.force_login(world.users["enterprise_a"])
    assert page_names(ent, roster) == {"王甲", "王二", "张三"}
    assert page_names(ent, roster, q="王") == {"王甲", "王二"}


def test_invalid_filters(world: Any, roster: dict[str, Worker], api_token: Any) -> None:
    page = BrowserClient()
    page.force_login(world.users["province_admin"])
    assert page_names(page, roster, worker_type="astronaut") == set()  # the form shows its error
    assert "astronaut" in page.get("/workers/", {"worker_type": "astronaut"}).content.decode()
    bearer = api_token(world.users["province_admin"])
    response = BrowserClient().get("/api/v1/workers/", {"worker_type": "astronaut"}, **bearer)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "worker_type"]
    response = BrowserClient().get("/api/v1/workers/", {"member": "maybe"}, **bearer)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "member"]


def test_paging_walks_every_row_once(world: Any, api_token: Any) -> None:
    WorkerFactory.create_batch(45, employer=world.outlet_a)
    expected = set(
        Worker.objects.filter(employer__path__startswith=world.union_a.path).values_list(
            "pk", flat=True
        )
    )
    bearer = api_token(world.users["staff_a"])
    # With an organization filter, PostgreSQL finds each page's ids before reading its rows.
    for scope in [
        {},
        {"organization": world.union_a.pk},
        {"organization": world.union_a.pk, "member": "false"},
    ]:
        seen: list[int] = []
        params: dict[str, Any] = {"limit": 20, **scope}
        while True:
            body = BrowserClient().get("/api/v1/workers/", params, **bearer).json()
            assert len(body["items"]) <= 20
            seen += [item["id"] for item in body["items"]]
            if body["next_cursor"] is None:
                break
            params["cursor"] = body["next_cursor"]
        wanted = (
            expected
            if "member" not in scope
            else set(
                Worker.objects.filter(pk__in=expected, joined_union_on__isnull=True).values_list(
                    "pk", flat=True
                )
            )
        )
        assert seen == sorted(wanted, reverse=True), scope

    page = BrowserClient()
    page.force_login(world.users["staff_a"])
    seen_on_pages: list[int] = []
    url = "/workers/?q=&member="
    while url:
        body = page.get(url).content.decode()
        seen_on_pages += [int(pk) for pk in ROW_LINK.findall(body)]
        found = re.search(
            r'<a class="button button-secondary" href="\?([^"]*cursor=[^"]*)">下一页</a>', body
        )
        url = "/workers/?" + found.group(1).replace("&amp;", "&") if found else ""
    assert seen_on_pages == sorted(expected, reverse=True)


def test_limit_is_clamped(world: Any, api_token: Any) -> None:
    WorkerFactory.create_batch(3, employer=world.outlet_a)
    bearer = api_token(world.users["staff_a"])
    assert len(BrowserClient().get("/api/v1/workers/", {"limit": 0}, **bearer).json()["items"]) == 1
    assert (
        len(BrowserClient().get("/api/v1/workers/", {"limit": -5}, **bearer).json()["items"]) == 1
    )
    assert (
        len(BrowserClient().get("/api/v1/workers/", {"limit": 10**9}, **bearer).json()["items"])
        == 4
    )


# ---------------------------------------------------------------------------------------------
# Query counts: exact, and the same for 1 row as for 20.


@pytest.mark.parametrize("rows", [1, 20])
def test_worker_list_page_queries(world: Any, rows: int, django_assert_num_queries: Any) -> None:
    WorkerFactory.create_batch(rows, employer=world.outlet_a)
    client = BrowserClient()
    client.force_login(world.users["staff_a"])
    client.get("/workers/")  # first request stamps the session (idle timeout) and sizes the scope
    with django_assert_num_queries(
        6
    ):  # session, user, user's organization, the scope drop-down, workers+employer, unread count
        response = client.get("/workers/")
    assert len(ROW_LINK.findall(response.content.decode())) == min(rows + 1, 20)


@pytest.mark.parametrize("rows", [1, 20])
def test_worker_list_page_queries_with_filters(
    world: Any, rows: int, django_assert_num_queries: Any
) -> None:
    WorkerFactory.create_batch(rows, employer=world.outlet_a)
    client = BrowserClient()
    client.force_login(world.users["staff_a"])
    client.get("/workers/")
    name_probe = 1 if connection.vendor == "sqlite" else 0  # SQLite only: see _filter_name_prefix
    with django_assert_num_queries(
        8 + name_probe
    ):  # as above, plus the chosen organization and its size
        client.get(
            "/workers/",
            {"q": "王", "organization": world.enterprise_a.pk, "member": "no", "city": "兰州"},
        )


@pytest.mark.parametrize("rows", [1, 20])
def test_worker_list_api_queries(
    world: Any, rows: int, api_token: Any, django_assert_num_queries: Any
) -> None:
    WorkerFactory.create_batch(rows, employer=world.outlet_a)
    bearer = api_token(world.users["staff_a"])
    with django_assert_num_queries(3):  # token+user+organization, scope size, workers+employer
        response = BrowserClient().get("/api/v1/workers/", **bearer)
    assert len(response.json()["items"]) == min(rows + 1, 20)
    with django_assert_num_queries(
        5
    ):  # token, chosen organization, scope size, employers by name, workers
        BrowserClient().get(
            "/api/v1/workers/",
            {"employer": "城关", "organization": world.enterprise_a.pk},
            **bearer,
        )
    session = BrowserClient()
    session.force_login(world.users["staff_a"])
    session.get("/api/v1/me")
    with django_assert_num_queries(
        4
    ):  # session, user, user's organization, workers+employer (size remembered)
        session.get("/api/v1/workers/")


def test_the_answer_of_the_list_matches_its_declared_schema(world: Any, api_token: Any) -> None:
    """The list skips ninja's second validation (core.api_errors.prevalidated): its answer must
    still be exactly what WorkerPage declares."""
    from liandong.workers.schemas import WorkerPage

    WorkerFactory.create_batch(3, employer=world.outlet_a, joined_union_on=None)
    body = (
        BrowserClient().get("/api/v1/workers/?limit=2", **api_token(world.users["staff_a"])).json()
    )
    assert WorkerPage.model_validate(body).model_dump(mode="json") == body
    assert set(body["items"][0]) == set(
        WorkerPage.model_fields["items"].annotation.__args__[0].model_fields
    )
    assert isinstance(body["next_cursor"], int)


@pytest.mark.parametrize("rows", [1, 20])
def test_worker_detail_queries(
    world: Any, rows: int, api_token: Any, django_assert_num_queries: Any
) -> None:
    WorkerFactory.create_batch(rows, employer=world.outlet_a)
    bearer = api_token(world.users["staff_a"])
    with django_assert_num_queries(2):  # token+user+organization, worker+employer
        BrowserClient().get(f"/api/v1/workers/{world.worker_a.pk}", **bearer)


def test_a_workers_menu_marks_the_page_they_are_on(world: Any) -> None:
    client = BrowserClient()
    client.force_login(world.users["worker_a"])
    me = client.get("/workers/me/", follow=True).content.decode()
    assert re.search(r'<a href="/workers/me/" class="active" aria-current="page">我的信息</a>', me)
    assert not re.search(r'class="active"[^>]*>设置密码', me)
    password = client.get("/accounts/password/")
    assert password.status_code == 200
    assert re.search(r'class="active" aria-current="page">设置密码</a>', password.content.decode())
