"""The accessibility check over the crawl, in a real browser (Debian's chromium through
Playwright, against a live server with the demo loaded).

Every login `liandong demo` prints, and anonymous, is crawled the way test_crawl.py crawls
(the role's own links from its first page; one page of each URL shape, so that a list of 500
workers is one page). Each login's first page, and every page shape no account of the same kind
(role) has had checked yet, is opened in chromium at phone width (390 px) and:

- axe-core (vendored for the tests only: tests/vendor/axe-core, never served to users) runs
  over it; any violation of impact "serious" or "critical" fails, listed by role, page, rule;
- the phone menu is one row whose 菜单 button (aria-expanded) opens the rest;
- the phone rules are measured from the laid-out page: every tap target (link, button, field,
  disclosure) at least 44 x 44 px, except a link inside a sentence (WCAG 2.5.8's inline
  exception); every visible text at least 14 px. Contrast (>= 4.5:1) is axe's color-contrast
  rule, a serious violation, so the first check covers it.

A control page with known faults goes through the same functions, so a check that has
stopped finding anything fails too."""

import os
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.test import Client

from liandong.accounts.demo import DEMO_PASSWORD
from liandong.accounts.models import Role, User
from liandong.conftest import BROWSER, CHROMIUM, CHROMIUM_ARGS, RENDERING_ONLY
from liandong.core.tests.crawl import Crawler, shape, sign_in
from liandong.core.tests.demo_data import demo_load_analyzed
from liandong.core.tests.test_crawl import ANONYMOUS, anonymous_seeds, roles

pytestmark = [*BROWSER, RENDERING_ONLY]

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
AXE_VERSION = "4.14.1"  # npm axe-core, pinned; vendor/axe-core/README.md says how to update
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
FAILING_IMPACTS = ("serious", "critical")
MIN_TARGET = 44
MIN_TEXT = 14
MAX_PAGES = 120

# axe over the page: the serious and critical violations, with a few of the elements each.
RUN_AXE = """async (impacts) => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.filter(v => impacts.includes(v.impact)).map(v => ({
    rule: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ')),
  }));
}"""

# The phone rules, measured: tap targets too small and text too small, as short descriptions.
MEASURE = r"""([minTarget, minText]) => {
  // One line per kind of fault and element (a list of 40 grey names is one fault), with the
  // first element's text and how many there are.
  const found = new Map();
  const kind = (el) => el.tagName.toLowerCase()
    + (el.classList.length ? '.' + el.classList[0] : '');
  const note = (key, el) => {
    const entry = found.get(key);
    if (entry) entry.count += 1;
    else found.set(key, {text: describe(el), count: 1});
  };
  const visible = (el) => {
    // Chromium lays out a closed <details>'s content (content-visibility: hidden): it has a
    // box but is neither shown nor tappable; only the summary is.
    const closed = el.closest('details:not([open])');
    if (closed && !closed.querySelector(':scope > summary')?.contains(el)) return false;
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) return false;
    const s = getComputedStyle(el);
    return s.visibility !== 'hidden' && s.display !== 'none';
  };
  const describe = (el) => {
    const text = (el.innerText || el.value || el.getAttribute('aria-label') || '').trim();
    return text ? '"' + text.replace(/\s+/g, ' ').slice(0, 20) + '"' : '';
  };
  const blockOf = (el) => {
    let p = el.parentElement;
    while (p && getComputedStyle(p).display.startsWith('inline')) p = p.parentElement;
    return p;
  };
  // A link in a sentence: its block holds more text than the link itself (WCAG 2.5.8).
  const inSentence = (el) => {
    const block = blockOf(el);
    if (!block) return false;
    const own = (el.innerText || '').trim().length;
    return (block.innerText || '').trim().length > own + 1;
  };
  const targets = document.querySelectorAll(
    'a[href], button, input:not([type=hidden]), select, textarea, summary');
  for (const el of targets) {
    if (!visible(el) || el.disabled) continue;  // a disabled control is not a target
    let box = el.getBoundingClientRect();
    const type = (el.getAttribute('type') || '').toLowerCase();
    // A checkbox or radio is tapped through its label, which must be the large target.
    if (el.tagName === 'INPUT' && (type === 'checkbox' || type === 'radio')) {
      const label = el.closest('label') || (el.id && document.querySelector(`label[for="${el.id}"]`));
      if (label) box = label.getBoundingClientRect();
    }
    if (el.tagName === 'A' && inSentence(el)) continue;
    if (box.width + 0.5 < minTarget || box.height + 0.5 < minTarget) {
      note(`target ${Math.round(box.width)}x${Math.round(box.height)} ${kind(el)}`, el);
    }
  }
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const seen = new Set();
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const el = node.parentElement;
    if (!node.textContent.trim() || !el || seen.has(el)) continue;
    seen.add(el);
    if (!visible(el)) continue;
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (size + 0.01 < minText) note(`text ${size}px ${kind(el)}`, el);
  }
  return [...found].map(([key, v]) => `${key} ${v.text}` + (v.count > 1 ? ` (x${v.count})` : ''));
}"""


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """The serious and critical axe-core violations on the page open in ``page``."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result: list[dict[str, Any]] = page.evaluate(RUN_AXE, list(FAILING_IMPACTS))
    return result


def phone_faults(page: Any) -> list[str]:
    """Tap targets under 44 x 44 px and text under 14 px on the page open in ``page``."""
    result: list[str] = page.evaluate(MEASURE, [MIN_TARGET, MIN_TEXT])
    return result


@dataclass
class Pass:
    pages: dict[str, int] = field(default_factory=dict)  # role -> pages checked
    axe: list[str] = field(default_factory=list)  # "role page: rule (impact) elements"
    phone: list[str] = field(default_factory=list)  # "role page: fault"
    rules: dict[str, int] = field(default_factory=dict)  # rule -> pages it failed on
    menus: dict[str, dict[str, Any]] = field(default_factory=dict)  # role -> the phone menu


# The phone menu on the first page: its height closed, then after a tap on 菜单.
MENU = """async () => {
  const nav = document.querySelector('nav.mainnav');
  if (!nav) return null;
  const toggle = nav.querySelector('.nav-toggle');
  const shown = () => [...nav.querySelectorAll('a')].filter(a => a.getClientRects().length).length;
  const closed = {height: nav.getBoundingClientRect().height, links: shown(),
                  expanded: toggle.getAttribute('aria-expanded')};
  toggle.click();
  const open = {links: shown(), expanded: toggle.getAttribute('aria-expanded'),
                all: nav.querySelectorAll('a').length};
  toggle.click();
  return {closed, open};
}"""


def pages_of(role: str) -> list[str]:
    """The pages the crawl reaches as ``role``, one of each URL shape."""
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    if role == ANONYMOUS:
        seeds = anonymous_seeds()
    else:
        sign_in(client, role)
        seeds = ["/"]
    crawler = Crawler(role, client, max_pages=MAX_PAGES, per_shape=1)
    crawler.crawl(seeds, submit=False)
    return crawler.visited


def phone_page(browser: Any, live_server: Any, role: str) -> Any:
    """A phone-sized page signed in as ``role`` through the login form. The pages' CSP
    admits only the site's own scripts; the context bypasses it for axe alone."""
    context = browser.new_context(viewport=PHONE, locale="zh-CN", bypass_csp=True)
    page = context.new_page()
    if role == ANONYMOUS:
        return page
    worker = role.isdigit()
    page.goto(f"{live_server.url}/accounts/login/{'worker/' if worker else ''}")
    page.fill("input[name=mobile]" if worker else "input[name=username]", role)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[value=login]" if worker else "button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    return page


def logins(ctx: dict[str, Any]) -> list[str]:
    """Anonymous and every printed login; A11Y_LOGINS=a,b (working on some pages) only those."""
    everyone = [ANONYMOUS, *roles(ctx)]
    chosen = [name for name in os.environ.get("A11Y_LOGINS", "").split(",") if name]
    return [name for name in everyone if name in chosen] if chosen else everyone


def kind_of(login: str) -> str:
    """The kind of account (its role; a worker signs in by mobile), anonymous for none."""
    if login == ANONYMOUS:
        return ANONYMOUS
    role = User.objects.filter(username=login).values_list("role", flat=True).first()
    return str(role or Role.WORKER)


def check(page: Any, role: str, url: str, found: Pass) -> None:
    """axe at any width; the phone rules only at phone width."""
    for v in axe_violations(page):
        line = f"{role} {url}: {v['rule']} ({v['impact']}) {v['help']} {v['nodes']}"
        found.axe.append(line)
        found.rules[v["rule"]] = found.rules.get(v["rule"], 0) + 1
        sys.stdout.write(f"\n  axe {line}")
    for fault in phone_faults(page) if page.viewport_size == PHONE else []:
        found.phone.append(f"{role} {url}: {fault}")
        sys.stdout.write(f"\n  phone {role} {url}: {fault}")


@pytest.fixture(scope="module")
def a11y_pass(django_db_setup: None, live_server: Any, django_db_blocker: Any) -> Iterator[Pass]:
    from playwright.sync_api import sync_playwright

    with django_db_blocker.unblock():
        ctx = demo_load_analyzed()
        try:
            found = Pass()
            started = time.monotonic()
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                # Each login's first page (its menu), then every URL shape it reaches that no
                # account of its kind has had checked: the same template shown to another
                # staff account of the same role differs in records, not in markup.
                checked: set[tuple[str, str]] = set()
                for role in logins(ctx):
                    kind = kind_of(role)
                    urls = pages_of(role)
                    todo = [
                        u for i, u in enumerate(urls) if not i or (kind, shape(u)) not in checked
                    ]
                    checked |= {(kind, shape(u)) for u in urls}
                    page = phone_page(browser, live_server, role)
                    for url in todo:
                        page.goto(f"{live_server.url}{url}")
                        check(page, role, url, found)
                        if url == urls[0] and role != ANONYMOUS:
                            found.menus[role] = page.evaluate(MENU)
                            # The desktop menu (groups as disclosures) is checked too, with
                            # one group open.
                            page.set_viewport_size(DESKTOP)
                            groups = page.locator("nav .nav-group summary")
                            if groups.count():
                                groups.first.click()
                            check(page, role, f"{url} (1280 px)", found)
                            page.set_viewport_size(PHONE)
                    found.pages[role] = len(todo)
                    sys.stdout.write(
                        f"\na11y: {role:<16} {len(urls):>3} pages {time.monotonic() - started:.0f} s"
                    )
                    page.context.close()
                browser.close()
            yield found
        finally:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
            call_command("flush", interactive=False, verbosity=0)
            caches["local"].clear()


def test_the_check_ran_over_every_role(a11y_pass: Pass) -> None:
    assert len(a11y_pass.pages) > 5, a11y_pass.pages
    assert all(count >= 1 for count in a11y_pass.pages.values()), a11y_pass.pages
    assert sum(a11y_pass.pages.values()) > 100, a11y_pass.pages


def test_no_page_has_a_serious_or_critical_accessibility_violation(a11y_pass: Pass) -> None:
    assert not a11y_pass.axe, f"{a11y_pass.rules}\n" + "\n".join(a11y_pass.axe)


def test_phone_pages_have_large_targets_and_readable_text(a11y_pass: Pass) -> None:
    assert not a11y_pass.phone, "\n".join(a11y_pass.phone)


def test_on_a_phone_the_menu_is_one_row_and_the_button_opens_it(a11y_pass: Pass) -> None:
    assert len(a11y_pass.menus) > 5, a11y_pass.menus
    for role, menu in a11y_pass.menus.items():
        assert menu is not None, f"{role}: no menu"
        closed, opened = menu["closed"], menu["open"]
        assert closed["height"] <= 50, (role, menu)  # one row of 44 px and its border
        assert closed["links"] == 0, (role, menu)
        assert closed["expanded"] == "false", (role, menu)
        assert opened["expanded"] == "true", (role, menu)
        assert opened["links"] >= 1, (role, menu)


# The control: a page with faults of each kind, checked by the same functions.
CONTROL = """<!DOCTYPE html><html><head><title>control</title></head><body>
<main><p style="color:#aaa;background:#fff">浅灰色的说明文字</p>
<form><input type="text" name="unlabelled"></form>
<button type="button" style="padding:0;font-size:11px"></button>
<div><a href="/x/" style="font-size:12px">小</a></div></main></body></html>"""


def test_the_checks_find_known_faults(browser: Any) -> None:
    page = browser.new_context(viewport=PHONE, bypass_csp=True).new_page()
    page.set_content(CONTROL)
    rules = {v["rule"] for v in axe_violations(page)}
    assert {"color-contrast", "label", "button-name", "html-has-lang"} <= rules, rules
    faults = phone_faults(page)
    assert any(f.startswith("target") and f.endswith('a "小"') for f in faults), faults
    assert any(f.startswith("text 12px a") for f in faults), faults
    page.context.close()
