"""The crawl: every login `liandong demo` prints, and anonymous, signs in through the real login
form, follows the links it is shown from the menu on (breadth-first, several levels), GETs
each page, then submits every form it found with the page's own CSRF token and plausible
values, through a test client that enforces CSRF and follows no redirect. Any 5xx, any CSRF
failure, and any link shown to a role that answers 403 or 404 to it fails the test; all faults
are collected and reported together (role, method, URL, status).

The demo is loaded once for the module inside a transaction that is rolled back at the end,
so the other tests see an empty database; each role runs in a savepoint of its own that is
rolled back too, so what one role's forms change does not reach the next role."""

import re
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import caches
from django.db import transaction
from django.test import Client

from liandong.activities.models import Activity, ActivityStatus
from liandong.competitions.models import Contest, ContestStatus
from liandong.core.tests.crawl import Crawler, Result, sign_in
from liandong.core.tests.demo_data import demo_load_analyzed
from liandong.core.tests.test_demo_logins import usernames

# The error pages are Chinese (core/views.py): an English one fails the crawl.
CHECK_ENGLISH_ERROR_PAGES = True

ANONYMOUS = "anonymous"
MAX_PAGES = 150


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    """The demo, loaded once for the module and rolled back afterwards."""
    with django_db_blocker.unblock():
        with transaction.atomic():
            ctx = demo_load_analyzed()
            yield ctx
            transaction.set_rollback(True)
        caches["local"].clear()


def roles(ctx: dict[str, Any]) -> list[str]:
    """Every login `liandong demo` prints, each once, in the order printed; of a numbered range
    (``yn_judge_1…7``: the same role in the same scope, each signing in is tested by
    test_demo_logins) only the first, as the other six would see the same pages."""
    main = [username for _role, username, _password, _where in ctx["logins"]]
    more = [name for _module, who in ctx["more_logins"] for name in usernames(who)]
    return [
        name
        for name in dict.fromkeys(main + more)
        if not (match := re.search(r"_(\d+)$", name)) or match.group(1) == "1"
    ]


def anonymous_seeds() -> list[str]:
    """What a person without an account can open: the sign-in pages, the public intake, and
    the public pages a union hands out (scoreboards, results, notices)."""
    seeds = ["/", "/accounts/login/", "/accounts/login/worker/", "/demands/submit/"]
    seeds += ["/demands/track/"]
    for contest in Contest.objects.exclude(status=ContestStatus.DRAFT):
        seeds.append(f"/competitions/{contest.pk}/scoreboard/")
        if contest.is_published:
            seeds.append(f"/competitions/{contest.pk}/results/")
    for pk in Activity.objects.exclude(status=ActivityStatus.DRAFT).values_list("pk", flat=True):
        seeds.append(f"/activities/public/{pk}/")
    return seeds


def crawl_role(role: str) -> Result:
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    with transaction.atomic():
        if role == ANONYMOUS:
            seeds = anonymous_seeds()
        else:
            sign_in(client, role)
            seeds = ["/"]
        crawler = Crawler(
            role,
            client,
            max_pages=MAX_PAGES,
            check_english=CHECK_ENGLISH_ERROR_PAGES,
        )
        result = crawler.crawl(seeds)
        transaction.set_rollback(True)
    caches["local"].clear()
    return result


@pytest.mark.django_db
def test_every_role_can_use_every_page_and_form_it_is_shown(demo: dict[str, Any]) -> None:
    started = time.monotonic()
    results = [crawl_role(role) for role in [ANONYMOUS, *roles(demo)]]
    faults = [fault for r in results for fault in r.faults]
    # The figures (seen with -s): what each role reached, and what is noted without failing.
    lines = [f"\ncrawl: {len(results)} roles in {time.monotonic() - started:.1f} s"]
    lines += [
        f"  {r.role:<16} pages {r.pages:>3}  downloads {r.downloads:>2}  forms {r.forms:>3}"
        f"  skipped {len(r.forms_skipped):>2}  redirects {r.redirects:>3}"
        f"  English error pages {len(r.english_pages):>2}  refused forms"
        f" {len(r.refused_forms):>2}  {r.seconds:.1f} s"
        for r in results
    ]
    lines += [f"  note: {item}" for r in results for item in r.english_pages + r.refused_forms]
    sys.stdout.write("\n".join(lines) + "\n")
    assert not faults, "\n" + "\n".join(str(f) for f in faults)
    # The crawl got past the door: every role signed in and reached pages behind its menu.
    assert all(r.pages > 1 and r.forms > 0 for r in results), results
