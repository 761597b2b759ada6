"""One pass of the crawl in a real browser (Debian's chromium through Playwright, against a live
server with the demo loaded): a union admin opens every page of the menu, and the forms that
issue 13 found refusing a browser's submission are submitted by clicking their buttons, as the
role that is shown them. Neither may answer 5xx or fail the CSRF check.

The pages that hold those forms are found the way the crawl finds them (test_crawl.py: follow
the role's links, no URL is hard-coded), then opened in the browser."""

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.test import Client

from liandong.accounts.demo import DEMO_PASSWORD
from liandong.conftest import BROWSER, CHROMIUM, CHROMIUM_ARGS
from liandong.core.tests.crawl import Crawler, Form, csrf_refusals, local, sign_in
from liandong.core.tests.demo_data import demo_load_analyzed

pytestmark = BROWSER

STAFF = "gansu_admin"
# Who is shown which form in the demo, in the order asked: the Gansu admin has most of them;
# Changchun's staff the prize tiers of their contest, Yunnan's the nomination of an entrant to a
# higher contest, the chief judge the sheet correction. Each crawl starts where that role's forms
# live: with ten modules in the menu, 150 pages from the 工作台 no longer reach a contest's
# prize tiers.
ROLES = {
    STAFF: "/",
    "changchun_staff": "/competitions/",
    "yunnan_staff": "/competitions/",
    "judge": "/",
}

# The forms whose include once dropped the CSRF token (issue 13), by their action path: each is
# submitted by clicking, as a person would.
FORMS = [
    pytest.param("contest create", r"^/competitions/new/$", id="contest create"),
    pytest.param("contest edit", r"^/competitions/\d+/edit/$", id="contest edit"),
    pytest.param("round create", r"^/competitions/\d+/rounds/new/$", id="round create"),
    pytest.param(
        "segment create",
        r"^/competitions/rounds/\d+/segments/new/$",
        id="segment create",
    ),
    pytest.param(
        "prize-tier create",
        r"^/competitions/\d+/prizes/new/$",
        id="prize-tier create",
    ),
    pytest.param(
        "judge assignment",
        r"^/competitions/segments/\d+/judges/$",
        id="judge assignment",
    ),
    pytest.param(
        "entrant registration",
        r"^/competitions/\d+/register/$",
        id="entrant registration",
    ),
    pytest.param(
        "sheet correction",
        r"^/competitions/sheets/\d+/correct/$",
        id="sheet correction",
    ),
    pytest.param("expense", r"^/activities/funds/$", id="expense"),
    # Not in the list; found by the crawl: the same template as contest create.
    pytest.param(
        "entrant nomination",
        r"^/competitions/entrants/\d+/nominate/$",
        id="entrant nomination",
    ),
]


@dataclass
class Outcome:
    role: str
    page: str
    status: int
    csrf_refused: int

    def __str__(self) -> str:
        return f"{self.role} on {self.page}: {self.status}, CSRF refusals {self.csrf_refused}"


@dataclass
class Pass:
    menu: dict[str, Outcome]  # the staff role's menu pages
    forms: dict[str, Outcome]  # by the pattern of FORMS


def found_forms(role: str, start: str) -> list[tuple[Form, str]]:
    """The POST forms the crawl from ``start`` finds on the pages ``role`` reaches, with their
    action paths."""
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    sign_in(client, role)
    crawler = Crawler(role, client, max_pages=300)
    crawler.crawl([start], submit=False)
    found = []
    for form in crawler.forms:
        path = local(form.action)
        if form.method == "post" and path is not None:
            found.append((form, path.split("?")[0]))
    return found


def signed_in(browser: Any, live_server: Any, role: str) -> Any:
    page = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN").new_page()
    worker = role.isdigit()
    page.goto(f"{live_server.url}/accounts/login/{'worker/' if worker else ''}")
    page.fill("input[name=mobile]" if worker else "input[name=username]", role)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[value=login]" if worker else "button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    return page


def click_submit(page: Any, form: Form, live_server: Any) -> tuple[int, int]:
    """Open the form's page, click its first submit button; (status, CSRF refusals)."""
    page.goto(f"{live_server.url}{form.page}")
    element = page.locator("form").nth(form.index)
    with csrf_refusals() as refusals:
        with page.expect_response(lambda r: r.request.method == "POST") as info:
            element.locator(
                "button[type=submit], input[type=submit], button:not([type])"
            ).first.click()
        status = info.value.status
        page.wait_for_load_state()
    return status, refusals.count


@pytest.fixture(scope="module")
def browser_pass(django_db_setup: None, live_server: Any, django_db_blocker: Any) -> Iterator[Pass]:
    """The whole pass, once: the demo committed for the live server, the pages found with the
    test client, then clicked through in chromium; the database emptied afterwards."""
    from playwright.sync_api import sync_playwright

    with django_db_blocker.unblock():
        demo_load_analyzed()
        try:
            wanted = [p.values[1] for p in FORMS]
            chosen: dict[str, tuple[str, Form]] = {}
            for role, start in ROLES.items():
                for form, path in found_forms(role, start):
                    for pattern in wanted:
                        if pattern not in chosen and re.search(pattern, path):
                            chosen[pattern] = (role, form)
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                menu = {}
                staff = signed_in(browser, live_server, STAFF)
                links = staff.eval_on_selector_all(
                    "nav.mainnav a", "links => links.map(a => a.getAttribute('href'))"
                )
                for href in links:
                    with csrf_refusals() as refusals:
                        response = staff.goto(f"{live_server.url}{href}")
                    menu[href] = Outcome(STAFF, href, response.status, refusals.count)
                pages = {STAFF: staff}
                forms = {}
                for pattern, (role, form) in chosen.items():
                    if role not in pages:
                        pages[role] = signed_in(browser, live_server, role)
                    status, refused = click_submit(pages[role], form, live_server)
                    forms[pattern] = Outcome(role, form.page, status, refused)
                browser.close()
            yield Pass(menu, forms)
        finally:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
            call_command("flush", interactive=False, verbosity=0)
            caches["local"].clear()


def test_the_menu_pages_answer_in_a_browser(browser_pass: Pass) -> None:
    assert len(browser_pass.menu) >= 5, browser_pass.menu
    bad = [o for o in browser_pass.menu.values() if o.status >= 400 or o.csrf_refused]
    assert not bad, [str(o) for o in bad]


def test_the_browser_reached_every_form(browser_pass: Pass) -> None:
    """The pass found a page for every form below, so their outcomes are real."""
    missing = [p.values[0] for p in FORMS if p.values[1] not in browser_pass.forms]
    assert not missing


@pytest.mark.parametrize(("name", "pattern"), FORMS)
def test_a_form_submitted_in_a_browser_passes_the_csrf_check(
    browser_pass: Pass, name: str, pattern: str
) -> None:
    outcome = browser_pass.forms.get(pattern)
    assert outcome is not None, f"no page with the {name} form was found"
    assert outcome.status < 500, str(outcome)
    assert not outcome.csrf_refused, str(outcome)
    assert outcome.status != 403, str(outcome)  # refused to the role that was shown the form
