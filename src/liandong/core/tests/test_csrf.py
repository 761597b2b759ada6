"""CSRF as production has it: every template's POST form carries its token, and the test client
that every test uses enforces the check (issue 13: nine forms lost their token to an ``only``
include and the suite, whose client skipped the check, stayed green)."""

import logging
import re
from pathlib import Path
from typing import Any

import pytest
from django.template.loader import get_template
from django.test import Client

from liandong.core.tests.client import BrowserClient
from liandong.workers.models import Worker

SRC = Path(__file__).resolve().parents[2]
INCLUDE = re.compile(r"{%\s*include\s+\"([^\"]+)\"([^%]*?)\bonly\s*%}")


def includes_dropping_the_token(text: str) -> list[str]:
    """The ``{% include ... only %}`` tags in ``text`` whose template renders ``{% csrf_token %}``
    without being given ``csrf_token``: an isolated context has no token to render."""
    dropped = []
    for match in INCLUDE.finditer(text):
        name, arguments = match.groups()
        origin = get_template(name).origin.name
        if "{% csrf_token %}" in Path(origin).read_text() and not re.search(
            r"\bcsrf_token=csrf_token\b", arguments
        ):
            dropped.append(match.group())
    return dropped


def test_no_include_drops_the_csrf_token() -> None:
    found = {
        str(path.relative_to(SRC)): dropped
        for path in SRC.glob("*/templates/**/*.html")
        if (dropped := includes_dropping_the_token(path.read_text()))
    }
    assert found == {}


def test_the_check_finds_an_include_that_drops_the_token() -> None:
    card = '{% include "components/form_card.html" with form=form only %}'
    assert includes_dropping_the_token(card) == [card]
    given = '{% include "components/form_card.html" with form=form csrf_token=csrf_token only %}'
    assert includes_dropping_the_token(given) == []
    # A component without a form may be isolated freely.
    assert (
        includes_dropping_the_token('{% include "components/stat.html" with value=1 only %}') == []
    )


def test_every_post_form_in_the_templates_renders_the_token() -> None:
    """A template that opens a POST form has ``{% csrf_token %}`` itself or gets it from a
    component that it includes without ``only`` or with the token."""
    missing = []
    for path in SRC.glob("*/templates/**/*.html"):
        text = path.read_text()
        if re.search(r"<form[^>]*method=\"post\"", text, re.IGNORECASE) and (
            "{% csrf_token %}" not in text
        ):
            missing.append(str(path.relative_to(SRC)))
    assert missing == []


def test_the_client_fixture_enforces_csrf(client: Client, world: Any) -> None:
    assert isinstance(client, BrowserClient)
    client.force_login(world.users["staff_a"])
    # A wrong token in the header is refused: the client does not skip the check.
    response = client.post("/accounts/logout/", HTTP_X_CSRFTOKEN="x" * 32)
    assert response.status_code == 403
    # The cookie's own token, which the client sends by itself, is accepted.
    assert client.post("/accounts/logout/").status_code == 302


def test_a_page_form_without_the_token_gets_the_csrf_failure(
    world: Any, caplog: pytest.LogCaptureFixture
) -> None:
    raw = Client(enforce_csrf_checks=True)
    raw.force_login(world.users["admin_a"])
    raw.get("/workers/new/")  # the page sets the cookie; the form's token is left out
    with caplog.at_level(logging.WARNING, logger="django.security.csrf"):
        response = raw.post("/workers/new/", {"name": "赵己", "mobile": "13919310009"})
    assert response.status_code == 403
    assert "CSRF token missing" in caplog.text
    assert not Worker.objects.filter(name="赵己").exists()


def test_page_forms_read_a_form_as_a_browser_sends_it() -> None:
    """Several checked boxes of one name send each value; a multiple select with nothing
    selected sends nothing, a single select its first option; a box without a value "on"."""
    from liandong.core.tests.client import page_forms

    (form,) = page_forms(
        '<form method="post" action="/x/">'
        '<input type="checkbox" name="days" value="1" checked>'
        '<input type="checkbox" name="days" value="2">'
        '<input type="checkbox" name="days" value="3" checked>'
        '<input type="checkbox" name="agree" checked>'
        '<select name="owners" multiple><option value="7">甲</option></select>'
        '<select name="kind"><option value="a">甲</option><option value="b">乙</option></select>'
        '<input type="text" name="title">'
        "</form>"
    )
    assert form.fields == {"days": ["1", "3"], "agree": "on", "kind": "a", "title": ""}
    assert "owners" in form.names  # known to the page, so a test may choose an owner
