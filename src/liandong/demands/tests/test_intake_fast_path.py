"""The intake's short path (one-statement rate limits, the rollup UPSERT, the pre-validated
receipt) keeps every rule: limits hold exactly under concurrent clients, the rows are complete
and the audit entry is the one ``core.audit`` builds, the rollup is current, the answer matches
its schema. Runs on SQLite and on PostgreSQL (the suite runs on both)."""

import json
import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from liandong.core import races
from liandong.core.audit import audit_entry, request_context
from liandong.core.models import AuditLog
from liandong.core.tests.client import BrowserClient
from liandong.demands import throttle
from liandong.demands.models import Demand, DemandEvent, DemandRollup, DemandThrottle
from liandong.demands.schemas import ReceiptOut
from liandong.demands.services import demand_submit

URL = "/api/v1/public/demands"


def body(n: int, mobile: str = "13919316666") -> str:
    return json.dumps(
        {
            "description": f"网点两个月没结算派费，站长一直拖着不给（第{n}次反映）。",
            "industry": "快递",
            "city": "兰州",
            "mobile": mobile,
            "consent": True,
        },
        ensure_ascii=False,
    )


@pytest.mark.django_db
def test_the_receipt_matches_its_schema_and_the_rows_are_complete(
    client, world, rules, monkeypatch
) -> None:
    # The intake stamps consent_at with its own clock reading and the ORM stamps created_at and
    # updated_at with one each: on a clock that stands still they must all be the same moment.
    moment = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: moment)
    response = client.post(URL, body(1), content_type="application/json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    receipt = ReceiptOut.model_validate(response.json())
    demand = Demand.objects.get(code=receipt.code)
    assert (receipt.state, receipt.created) == ("dispatched", True)
    assert demand.body_id == world.authority.pk
    assert demand.co_bodies.count() == 1
    assert demand.created_at == demand.consent_at == demand.updated_at
    assert demand.response_due > demand.created_at
    assert list(demand.events.values_list("kind", flat=True)) == ["submitted", "dispatched"]
    month = timezone.localtime(demand.created_at).date().replace(day=1)
    rows = DemandRollup.objects.filter(
        month=month, body_id_key=world.authority.pk, category="wages"
    )
    assert sorted(rows.values_list("city", "received")) == [("*", 1), ("兰州", 1)]
    entry = AuditLog.objects.get(action="demands.submitted", target_id=str(demand.pk))
    assert entry.changes["mobile"] == "139****6666"
    assert entry.actor_repr == "system"
    # A second demand adds to the same rollup rows (the UPSERT's update branch).
    client.post(URL, body(2, "13919316667"), content_type="application/json")
    assert sorted(rows.values_list("city", "received")) == [("*", 2), ("兰州", 2)]


@pytest.mark.django_db
def test_the_audit_entry_is_the_one_core_audit_builds(world, rules) -> None:
    token = request_context.set({"ip": "10.9.8.7", "request_id": "intake-1"})
    try:
        demand, _ = demand_submit(
            actor=world.users["staff_a"],
            channel="hotline",
            description="来电反映网点拖欠派费。",
            industry="快递",
            city="兰州",
            mobile="13919316666",
            consent=True,
        )
        stored = AuditLog.objects.get(action="demands.submitted", target_id=str(demand.pk))
        built = audit_entry(
            actor=world.users["staff_a"],
            action="demands.submitted",
            target=demand,
            changes={
                "channel": "hotline",
                "category": demand.category,
                "industry": "快递",
                "city": "兰州",
                "body": demand.body_id,
                "mobile": "139****6666",
                "photos": 0,
            },
        )
    finally:
        request_context.reset(token)
    fields = [
        "actor_id",
        "actor_repr",
        "organization_id",
        "action",
        "target_type",
        "target_id",
        "target_repr",
        "changes",
        "ip_address",
        "request_id",
    ]
    assert {f: getattr(stored, f) for f in fields} == {f: getattr(built, f) for f in fields}
    assert stored.actor_repr == world.users["staff_a"].get_username()
    assert (stored.ip_address, stored.request_id) == ("10.9.8.7", "intake-1")


@pytest.mark.django_db
def test_a_refused_claim_counts_nowhere_and_an_expired_window_starts_again(settings) -> None:
    settings.LIANDONG_DEMANDS_SUBMITS_PER_MOBILE_DAY = 2
    for _ in range(2):
        with transaction.atomic():
            assert throttle.claim(("submit-mobile", "digest-1"), ("submit-ip", "10.0.0.1"))

    def refused() -> None:
        with transaction.atomic():
            assert not throttle.claim(("submit-mobile", "digest-1"), ("submit-ip", "10.0.0.1"))
            raise RuntimeError  # what the views do: refuse inside the transaction, which rolls back

    with pytest.raises(RuntimeError):
        refused()
    assert sorted(DemandThrottle.objects.values_list("hits", flat=True)) == [2, 2]
    DemandThrottle.objects.update(window_ends=timezone.now() - timedelta(seconds=1))
    with transaction.atomic():
        assert throttle.claim(("submit-mobile", "digest-1"))
    row = DemandThrottle.objects.get(key__startswith="submit-mobile")
    assert row.hits == 1
    assert row.window_ends > timezone.now() + timedelta(hours=23)


def _concurrent_clients(settings) -> tuple[list[int], list[str]]:
    settings.LIANDONG_DEMANDS_SUBMITS_PER_MOBILE_DAY = 4
    settings.LIANDONG_DEMANDS_SUBMITS_PER_IP_HOUR = 1000
    n = 12
    barrier = threading.Barrier(n)
    statuses: list[int] = []
    codes: list[str] = []
    lock = threading.Lock()

    def submit(i: int) -> None:
        try:
            client = BrowserClient()
            barrier.wait()
            response = client.post(URL, body(i), content_type="application/json")
            with lock:
                statuses.append(response.status_code)
                if response.status_code == 200:
                    codes.append(response.json()["code"])
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses, codes


@pytest.mark.django_db(transaction=True)
def test_limits_hold_under_concurrent_clients(world, rules, settings) -> None:
    """12 clients submit for the same mobile at once (and from the same IP): with a limit of 4
    per mobile, exactly 4 demands exist and everyone else got a 429 (no 500, nothing lost)."""
    assert throttle.CLAIM_UPSERT
    statuses, codes = _concurrent_clients(settings)
    assert sorted(statuses) == [200] * 4 + [429] * 8
    assert sorted(Demand.objects.values_list("code", flat=True)) == sorted(codes)
    assert DemandEvent.objects.filter(kind="submitted").count() == 4
    counters = dict(DemandThrottle.objects.values_list("key", "hits"))
    assert sorted(counters.values()) == [
        4,
        4,
    ]  # the IP and the mobile: refused requests rolled back
    total = DemandRollup.objects.filter(city="*").values_list("received", flat=True)
    assert sum(total) == 4


@pytest.mark.django_db(transaction=True)
def test_control_check_then_count_passes_the_limit_on_postgresql(
    world, rules, settings, monkeypatch
) -> None:
    """The control run: the limit's answer read before the hit is counted (``CLAIM_UPSERT``
    off). On PostgreSQL the clients all read the hits before any commits its count, so more
    than 4 pass. On SQLite it cannot: every transaction takes the database's one write lock
    when it begins (``transaction_mode`` IMMEDIATE), so each request reads and counts under
    that lock, one after the other, and exactly 4 pass there too."""
    monkeypatch.setattr(throttle, "CLAIM_UPSERT", False)
    with races.all_read_first(12):
        statuses, codes = _concurrent_clients(settings)
    accepted = statuses.count(200)
    assert len(statuses) == 12
    assert Demand.objects.count() == len(codes) == accepted
    if connection.vendor == "sqlite":
        assert sorted(statuses) == [200] * 4 + [429] * 8
        return
    assert accepted > 4, statuses
