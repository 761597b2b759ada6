"""P1-P3 of the security brief: ID and mobile numbers are never stored in clear, are found
through a keyed hash, are shown masked to everyone, and unmasked only to those who must act
on them, one audit row per view; no log line carries them.

The canary values are registered through the services and pushed through every path that
handles them (search, reveal, sign-in with code and password, failed sign-in), then the raw
database is searched: on SQLite the database image (``serialize()``) and ``iterdump()``, on
PostgreSQL the output of ``pg_dump``.
"""

import glob
import logging
import re
import shutil
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest
from cryptography.exceptions import InvalidTag
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import override_settings

from liandong.accounts.models import Role, User
from liandong.accounts.sms import MemoryBackend
from liandong.accounts.tests.factories import TEST_PASSWORD, UserFactory
from liandong.core import crypto
from liandong.core.crypto import mobile_digest
from liandong.core.models import AuditLog
from liandong.core.tests.client import BrowserClient
from liandong.core.tests.matrix import PII
from liandong.organizations.models import Organization
from liandong.organizations.services import organization_create
from liandong.workers.models import Worker
from liandong.workers.services import id_number_digest, worker_register

CANARY_ID = "11010519491231002X"
CANARY_MOBILE = "17791234567"
CANARY_NAME = "金丝雀"


def canaries_in(data: bytes | str) -> list[str]:
    text = data.decode("utf-8", errors="replace") if isinstance(data, bytes) else data
    found = [value for value in (CANARY_ID, CANARY_ID.lower(), CANARY_MOBILE) if value in text]
    # Also the digits alone, as a number or between separators.
    if "110105194912310" in text:
        found.append("110105194912310…")
    if "7791234567" in text:
        found.append("…7791234567")
    return found


def pii_in(text: str) -> list[str]:
    """Numbers standing alone that look like an ID or a mobile (the matrix's patterns: not
    eleven digits inside a hex request id, which made this test flaky)."""
    data = text.encode()
    return [m.group().decode() for pattern in PII for m in pattern.finditer(data)]


def exercise(organization: Organization, staff: User) -> Worker:
    """Register the canary and push it through everything that reads or writes it."""
    worker = worker_register(
        actor=staff,
        name=CANARY_NAME,
        id_number=CANARY_ID,
        mobile=CANARY_MOBILE,
        employer=organization,
        occupation="快递员",
    )
    page = BrowserClient()
    page.force_login(staff)
    for q in (CANARY_ID, CANARY_ID.lower(), CANARY_MOBILE, CANARY_MOBILE[-4:], CANARY_NAME):
        assert page.post("/workers/", {"q": q}, follow=True).status_code == 200
    assert page.post(f"/workers/{worker.pk}/reveal/", {"purpose": "核实身份"}).status_code == 200
    token = (
        BrowserClient()
        .post(
            "/api/v1/auth/token",
            {"username": staff.username, "password": TEST_PASSWORD},
            content_type="application/json",
        )
        .json()["token"]
    )
    api = BrowserClient()
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    assert (
        api.post(
            "/api/v1/workers/search", {"q": CANARY_ID}, content_type="application/json", **bearer
        ).json()["items"][0]["id"]
        == worker.pk
    )
    assert (
        api.post(
            f"/api/v1/workers/{worker.pk}/reveal",
            {"purpose": "回访"},
            content_type="application/json",
            **bearer,
        ).json()["mobile"]
        == CANARY_MOBILE
    )
    # The worker signs in: a failed try, a code, a password, a token.
    visitor = BrowserClient()
    visitor.post(
        "/accounts/login/worker/",
        {"mobile": CANARY_MOBILE, "password": "wrong-one", "action": "login"},
    )
    visitor.post("/accounts/login/worker/", {"mobile": CANARY_MOBILE, "action": "send"})
    code = re.search(r"\d{6}", MemoryBackend.outbox[-1][1]).group()
    response = visitor.post(
        "/accounts/login/worker/", {"mobile": CANARY_MOBILE, "code": code, "action": "login"}
    )
    assert response["Location"] == "/workers/me/"
    visitor.post(
        "/accounts/password/", {"password1": "jin-si-que-2026", "password2": "jin-si-que-2026"}
    )
    assert visitor.post(f"/workers/{worker.pk}/reveal/").status_code == 200
    BrowserClient().post(
        "/api/v1/auth/token",
        {"username": CANARY_MOBILE, "password": "jin-si-que-2026"},
        content_type="application/json",
    )
    BrowserClient().post(
        "/api/v1/auth/token",
        {"username": CANARY_ID, "password": "guess"},
        content_type="application/json",
    )
    worker.refresh_from_db()
    return worker


@pytest.fixture
def place(db: None) -> tuple[Organization, User]:
    union = organization_create(
        actor=None, name="金丝雀工会", code="CANARY-U", kind=Organization.Kind.UNION
    )
    outlet_parent = organization_create(
        actor=None,
        name="金丝雀快递公司",
        code="CANARY-E",
        kind=Organization.Kind.ENTERPRISE,
        parent=union,
        city="兰州",
    )
    staff = UserFactory(username="canary_staff", role=Role.UNION_STAFF, organization=union)
    return outlet_parent, staff


@pytest.fixture
def clean_cache() -> Iterator[None]:
    """The cache table is not a model table, so a transactional test's flush leaves it: empty it."""
    yield
    cache.clear()


# ---------------------------------------------------------------------------------------------
# At rest


def database_text() -> str:
    """Every row of every table, as the database returns it (inside the test's transaction)."""
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT * FROM {quoted}")  # noqa: S608 - table names from the database itself
            chunks += [repr(row) for row in cursor.fetchall()]
    return "\n".join(chunks)


def test_no_plaintext_in_any_table(place: tuple[Organization, User], clean_cache: None) -> None:
    worker = exercise(*place)
    text = database_text()
    assert CANARY_NAME in text, "the scan reads the rows"
    assert worker.id_number_masked in text
    assert canaries_in(text) == []
    assert settings.FIELD_KEY not in text


def test_no_plaintext_in_the_sqlite_database_image(
    place: tuple[Organization, User], clean_cache: None
) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only; PostgreSQL is read with pg_dump below")
    exercise(*place)
    raw = connection.connection.serialize()  # the database file's bytes, free pages included
    dump = "\n".join(connection.connection.iterdump())
    for data in (raw, dump):
        assert CANARY_NAME.encode() in (data if isinstance(data, bytes) else data.encode())
        assert canaries_in(data) == []
    assert settings.FIELD_KEY.encode() not in raw


@pytest.mark.django_db(transaction=True)
def test_no_plaintext_in_pg_dump(place: tuple[Organization, User], clean_cache: None) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only; SQLite is read through its database image above")
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_dump"))
    pg_dump = found[-1] if found else shutil.which("pg_dump")
    assert pg_dump, "pg_dump not installed"
    exercise(*place)  # committed: this test runs outside a transaction
    db = connection.settings_dict
    result = subprocess.run(  # noqa: S603 - fixed program, arguments from our own settings
        [
            pg_dump,
            "--no-owner",
            "-h",
            db["HOST"] or "127.0.0.1",
            "-p",
            str(db["PORT"] or 5432),
            "-U",
            db["USER"] or "postgres",
            db["NAME"],
        ],
        capture_output=True,
        check=True,
        timeout=120,
        env={"PGPASSWORD": db.get("PASSWORD") or ""},
    )
    dump = result.stdout
    assert CANARY_NAME.encode() in dump, "the dump holds the rows"
    assert b"COPY public.workers_worker" in dump
    assert canaries_in(dump) == []
    assert settings.FIELD_KEY.encode() not in dump


# ---------------------------------------------------------------------------------------------
# The blind index and the ciphertext


def test_digest_is_stable_keyed_and_finds_the_worker(place: tuple[Organization, User]) -> None:
    organization, staff = place
    worker = worker_register(
        actor=staff,
        name=CANARY_NAME,
        id_number=CANARY_ID.lower(),
        mobile=f"+86 {CANARY_MOBILE}",
        employer=organization,
    )
    assert worker.id_number_digest == id_number_digest(CANARY_ID) == id_number_digest(CANARY_ID)
    assert worker.mobile_digest == mobile_digest(CANARY_MOBILE)
    assert Worker.objects.get(id_number_digest=id_number_digest(CANARY_ID)) == worker
    assert Worker.objects.get(mobile_digest=mobile_digest(CANARY_MOBILE)) == worker
    # Keyed and domain-separated: not a plain hash, and not the same for ID and mobile.
    import hashlib

    assert worker.id_number_digest != hashlib.sha256(CANARY_ID.encode()).hexdigest()
    assert crypto.blind_index("id_number", "x") != crypto.blind_index("mobile", "x")
    with override_settings(FIELD_KEY="another-field-key-of-at-least-32-characters"):
        assert id_number_digest(CANARY_ID) != worker.id_number_digest
    # The same person cannot be registered twice, however the number is written.
    with pytest.raises(Exception, match="已登记"):
        worker_register(
            actor=staff,
            name="重复",
            id_number=f" {CANARY_ID} ",
            mobile="13709310099",
            employer=organization,
        )


def test_lookup_by_full_numbers_through_page_and_api(
    place: tuple[Organization, User], api_token: Any
) -> None:
    organization, staff = place
    worker = worker_register(
        actor=staff,
        name=CANARY_NAME,
        id_number=CANARY_ID,
        mobile=CANARY_MOBILE,
        employer=organization,
    )
    worker_register(
        actor=staff,
        name="路人",
        id_number="620102199001011233",
        mobile="13709310011",
        employer=organization,
    )
    bearer = api_token(staff)
    for q in (CANARY_ID, CANARY_ID.lower(), CANARY_MOBILE, CANARY_MOBILE[-4:]):
        items = (
            BrowserClient()
            .post("/api/v1/workers/search", {"q": q}, content_type="application/json", **bearer)
            .json()["items"]
        )
        assert [i["id"] for i in items] == [worker.pk], q
    page = BrowserClient()
    page.force_login(staff)
    body = page.post("/workers/", {"q": CANARY_MOBILE}, follow=True).content.decode()
    assert CANARY_NAME in body
    assert "路人" not in body


def test_ciphertext_is_authenticated_and_randomized(place: tuple[Organization, User]) -> None:
    organization, staff = place
    worker = worker_register(
        actor=staff,
        name=CANARY_NAME,
        id_number=CANARY_ID,
        mobile=CANARY_MOBILE,
        employer=organization,
    )
    assert worker.id_number_cipher.startswith("v1:")
    assert crypto.decrypt(worker.id_number_cipher) == CANARY_ID
    assert crypto.decrypt(worker.mobile_cipher) == CANARY_MOBILE
    assert crypto.encrypt(CANARY_ID) != crypto.encrypt(CANARY_ID)
    version, payload = worker.id_number_cipher.split(":", 1)
    import base64

    raw = bytearray(base64.b64decode(payload))
    raw[-1] ^= 1
    with pytest.raises(InvalidTag):
        crypto.decrypt(f"{version}:{base64.b64encode(bytes(raw)).decode()}")
    with (
        override_settings(FIELD_KEY="another-field-key-of-at-least-32-characters"),
        pytest.raises(InvalidTag),
    ):
        crypto.decrypt(worker.id_number_cipher)


def test_the_field_key_is_not_in_the_database(place: tuple[Organization, User]) -> None:
    exercise_free = database_text()
    assert settings.FIELD_KEY not in exercise_free
    assert settings.SECRET_KEY not in exercise_free


# ---------------------------------------------------------------------------------------------
# On screen: masked for everyone, unmasked only in a reveal, one audit row per reveal


@pytest.fixture
def canary(world: Any) -> Worker:
    return worker_register(
        actor=None,
        name=CANARY_NAME,
        id_number=CANARY_ID,
        mobile=CANARY_MOBILE,
        employer=world.outlet_a,
    )


VIEWERS = ["admin_a", "staff_a", "staff_b", "liaison", "enterprise_a", "judge", "province_admin"]


@pytest.mark.parametrize("who", VIEWERS)
def test_pages_and_api_show_masked_numbers_to_every_role(
    world: Any, canary: Worker, api_token: Any, who: str
) -> None:
    page = BrowserClient()
    page.force_login(world.users[who])
    bearer = api_token(world.users[who])
    responses = [
        page.get("/workers/"),
        page.get(f"/workers/{canary.pk}/"),
        page.get(f"/organizations/{world.outlet_a.pk}/"),
        page.get("/audit-log/"),
        BrowserClient().get("/api/v1/workers/", **bearer),
        BrowserClient().get(f"/api/v1/workers/{canary.pk}", **bearer),
        BrowserClient().get("/api/v1/audit-log/", **bearer),
    ]
    for response in responses:
        text = response.content.decode()
        assert canaries_in(text) == []
        assert pii_in(text) == []
    if who in {"admin_a", "staff_a", "enterprise_a", "province_admin"}:
        assert "177****4567" in responses[0].content.decode()
        assert "110105********002X" in responses[1].content.decode()


def test_search_results_are_masked_even_when_searching_by_full_number(
    world: Any, canary: Worker
) -> None:
    page = BrowserClient()
    page.force_login(world.users["staff_a"])
    body = page.post("/workers/", {"q": CANARY_ID}, follow=True).content.decode()
    table = body[body.index("<tbody>") : body.index("</tbody>")]
    assert CANARY_NAME in table
    assert "110105********002X" in table
    assert canaries_in(table) == []


REVEAL = {
    # who: expected status of a reveal of the canary (employed at outlet A)
    "admin_a": 200,
    "staff_a": 200,
    "enterprise_a": 200,
    "province_admin": 200,
    "staff_b": 404,
    "liaison": 404,
    "judge": 404,
}


@pytest.mark.parametrize(("who", "status"), list(REVEAL.items()))
def test_reveal_shows_full_numbers_only_to_those_who_act(
    world: Any, canary: Worker, api_token: Any, who: str, status: int
) -> None:
    user = world.users[who]
    page = BrowserClient()
    page.force_login(user)
    bearer = api_token(user)
    views = AuditLog.objects.filter(action="workers.pii_viewed", target_id=str(canary.pk))
    response = page.post(f"/workers/{canary.pk}/reveal/", {"purpose": "核实身份"})
    assert response.status_code == status
    api_response = BrowserClient().post(
        f"/api/v1/workers/{canary.pk}/reveal",
        {"purpose": "电话回访"},
        content_type="application/json",
        **bearer,
    )
    assert api_response.status_code == status
    if status == 200:
        body = response.content.decode()
        assert CANARY_ID in body
        assert CANARY_MOBILE in body
        assert api_response.json() == {
            "id": canary.pk,
            "id_number": CANARY_ID,
            "mobile": CANARY_MOBILE,
        }
        assert response["Cache-Control"] == api_response["Cache-Control"] == "no-store"
        rows = list(views.order_by("pk"))
        assert len(rows) == 2  # one per view
        assert [r.actor for r in rows] == [user, user]
        assert [r.changes["purpose"] for r in rows] == ["核实身份", "电话回访"]
        for row in rows:
            assert canaries_in(repr(row.changes) + row.target_repr) == []
    else:
        assert canaries_in(response.content) == []
        assert canaries_in(api_response.content) == []
        assert not views.exists()


def test_the_worker_reveals_their_own_numbers_and_nobody_elses(world: Any, canary: Worker) -> None:
    page = BrowserClient()
    page.force_login(world.users["worker_a"])
    own = page.post(f"/workers/{world.worker_a.pk}/reveal/")
    assert own.status_code == 200
    assert "620102198403152712" in own.content.decode()
    assert page.post(f"/workers/{canary.pk}/reveal/").status_code == 404
    assert AuditLog.objects.filter(action="workers.pii_viewed").count() == 1


def test_the_detail_page_is_masked_until_revealed(world: Any, canary: Worker) -> None:
    page = BrowserClient()
    page.force_login(world.users["staff_a"])
    body = page.get(f"/workers/{canary.pk}/").content.decode()
    assert "110105********002X" in body
    assert "177****4567" in body
    assert canaries_in(body) == []
    assert not AuditLog.objects.filter(action="workers.pii_viewed").exists()


# ---------------------------------------------------------------------------------------------
# Logs


def test_no_canary_reaches_the_logs(
    place: tuple[Organization, User], caplog: pytest.LogCaptureFixture, clean_cache: None
) -> None:
    caplog.set_level(logging.DEBUG)
    organization, staff = place
    worker = exercise(organization, staff)
    # Error paths log too: a bad request, a forbidden reveal, a 404.
    stranger = UserFactory(username="canary_judge", role=Role.JUDGE)
    client = BrowserClient()
    client.force_login(stranger)
    client.post(f"/workers/{worker.pk}/reveal/")
    client.get(f"/api/v1/workers/?q={CANARY_ID}")
    client.post(
        "/api/v1/auth/token",
        f'{{"username": "{CANARY_MOBILE}", "password": ',
        content_type="application/json",
    )
    assert caplog.records, "the flow logs something (requests refused)"
    assert canaries_in(caplog.text) == []
    for record in caplog.records:
        assert canaries_in(repr(record.args)) == []
