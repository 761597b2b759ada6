"""Fixtures shared by every app's tests: a small world with two separate subtrees, so that
each scoping test can ask "can A see B's record?"."""

import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.test import Client

from liandong.accounts.models import Role, User
from liandong.accounts.sms import MemoryBackend
from liandong.accounts.tests.factories import TEST_PASSWORD, UserFactory
from liandong.core import fanout
from liandong.core.tests.client import BrowserClient
from liandong.organizations.models import Organization
from liandong.organizations.services import organization_link_partner
from liandong.organizations.tests.factories import (
    EnterpriseFactory,
    OrganizationFactory,
    OutletFactory,
    UnionFactory,
)
from liandong.workers.models import Worker
from liandong.workers.selectors import forget_scope_sizes
from liandong.workers.tests.factories import WorkerFactory


@dataclass
class World:
    """Province union P with two industry unions A and B. A has enterprise EA with outlet OA;
    B has enterprise EB with outlet OB. Authority GOV is a partner of A. One worker at each
    outlet, and an account for each role."""

    province: Organization
    union_a: Organization
    union_b: Organization
    enterprise_a: Organization
    enterprise_b: Organization
    outlet_a: Organization
    outlet_b: Organization
    authority: Organization
    worker_a: Worker
    worker_b: Worker
    users: dict[str, User]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None) -> Iterator[None]:
    """pytest-django's test databases, with the read pool's connections (``core/fanout.py``:
    the live server's dashboards open them) closed before the databases are dropped."""
    yield
    fanout.shutdown()


@pytest.fixture(autouse=True)
def _clean_sms_outbox() -> Iterator[None]:
    MemoryBackend.outbox.clear()
    forget_scope_sizes()
    yield
    # Per-process copies (routing rules, limits, scope sizes) read inside a test's transaction
    # name rows its rollback removes; a module-scoped fixture set up before the next test's
    # autouse fixtures would otherwise route to organizations that no longer exist.
    forget_scope_sizes()


@pytest.fixture
def world(db: None) -> World:
    province = UnionFactory(name="甘肃省总工会", code="W-P", level=Organization.Level.PROVINCE)
    union_a = UnionFactory(name="甲产业工会", code="W-A", parent=province)
    union_b = UnionFactory(name="乙产业工会", code="W-B", parent=province)
    enterprise_a = EnterpriseFactory(name="甲快递公司", code="W-EA", parent=union_a)
    enterprise_b = EnterpriseFactory(name="乙快递公司", code="W-EB", parent=union_b, city="天水")
    outlet_a = OutletFactory(name="甲快递城关网点", code="W-OA", parent=enterprise_a)
    outlet_b = OutletFactory(name="乙快递秦州网点", code="W-OB", parent=enterprise_b, city="天水")
    authority = OrganizationFactory(
        name="省邮政管理局", code="W-GOV", kind=Organization.Kind.AUTHORITY
    )
    organization_link_partner(actor=None, union=union_a, partner=authority)
    worker_a = WorkerFactory(
        name="王甲", employer=outlet_a, id_number="620102198403152712", mobile="13919310001"
    )
    worker_b = WorkerFactory(name="李乙", employer=outlet_b)
    users = {
        "province_admin": UserFactory(
            username="province_admin", role=Role.UNION_ADMIN, organization=province
        ),
        "admin_a": UserFactory(username="admin_a", role=Role.UNION_ADMIN, organization=union_a),
        "staff_a": UserFactory(username="staff_a", role=Role.UNION_STAFF, organization=union_a),
        "staff_b": UserFactory(username="staff_b", role=Role.UNION_STAFF, organization=union_b),
        "liaison": UserFactory(username="liaison", role=Role.LIAISON, organization=authority),
        "enterprise_a": UserFactory(
            username="ent_a", role=Role.ENTERPRISE_UNION, organization=enterprise_a
        ),
        "judge": UserFactory(username="judge", role=Role.JUDGE),
        "worker_a": UserFactory(username="w_a", role=Role.WORKER),
    }
    worker_a.user = users["worker_a"]
    worker_a.save(update_fields=["user"])
    return World(
        province,
        union_a,
        union_b,
        enterprise_a,
        enterprise_b,
        outlet_a,
        outlet_b,
        authority,
        worker_a,
        worker_b,
        users,
    )


@pytest.fixture
def client() -> BrowserClient:
    """pytest-django's ``client``, enforcing CSRF as production does: unsafe requests carry the
    ``csrftoken`` cookie's token the way a browser page or JS client sends it (see
    core/tests/client.py). A test that means to send no token builds
    ``Client(enforce_csrf_checks=True)`` itself."""
    return BrowserClient()


@pytest.fixture
def login(client: Client):
    """``login(user)`` signs the test client in as ``user`` and returns the client."""

    def _login(user: User) -> Client:
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def api_token(client: Client):
    """``api_token(user)`` returns a bearer header dict for ``user`` (through the real endpoint)."""

    def _token(user: User) -> dict[str, str]:
        response = client.post(
            "/api/v1/auth/token",
            {"username": user.username, "password": TEST_PASSWORD},
            content_type="application/json",
        )
        assert response.status_code == 200, response.content
        return {"HTTP_AUTHORIZATION": f"Bearer {response.json()['token']}"}

    return _token


@pytest.fixture
def no_pii_in_logs(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Fails the test if anything it logged carries a full ID or mobile number. Use with
    ``pytestmark = pytest.mark.usefixtures("no_pii_in_logs")``."""
    from liandong.core.tests.matrix import assert_no_pii

    caplog.set_level(logging.INFO)
    yield
    assert_no_pii(caplog.text.encode(), "the log")


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Mark a real-browser test module with ``pytestmark = BROWSER`` and ask for the ``browser`` fixture.
ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgres")
# Checks of what the browser is given (markup, styles, layout), not of the data behind it: run
# in the SQLite pass only, as the crawl over both databases already covers every page's data.
# They take a quarter of an hour, which twice over would not fit CI's 40 minutes.
RENDERING_ONLY = pytest.mark.skipif(ON_POSTGRES, reason="a rendering check: run in the SQLite pass")
# The browser tests (a person's workflow clicked through in chromium, and the crawl submitting
# every form as a browser does) run in the SQLite pass. The PostgreSQL pass runs everything
# behind them (services, views, API, the HTTP crawl of every page and form of every demo login,
# the concurrency tests); the browser half again took a third of that pass, which with ten
# modules did not fit CI's 40 minutes.
BROWSER = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(), reason="Debian chromium is installed by `make test`"
    ),
    pytest.mark.skipif(ON_POSTGRES, reason="browser tests run in the SQLite pass"),
]


@pytest.fixture
def browser() -> Iterator[object]:
    """Debian's chromium, headless, driven by Playwright (a ``playwright.sync_api.Browser``)."""
    # Playwright's sync API runs an event loop in this thread; the ORM calls the test makes
    # around it are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """``LIANDONG_TEST_SHARD=K/N`` keeps the K-th of N shares of the test files (every N-th
    file in path order, so each share holds a mix of apps). scripts/run-tests.sh runs the
    PostgreSQL pass as two such shares, each on its own database, beside the SQLite pass."""
    shard = os.environ.get("LIANDONG_TEST_SHARD", "")
    if not shard:
        return
    index, count = (int(part) for part in shard.split("/"))
    files = sorted({str(item.path) for item in items})
    kept_files = {path for n, path in enumerate(files) if n % count == index - 1}
    kept = [item for item in items if str(item.path) in kept_files]
    config.hook.pytest_deselected(
        items=[item for item in items if str(item.path) not in kept_files]
    )
    items[:] = kept
