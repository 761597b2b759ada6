"""The audit log: every write says who, when, what and before/after; the log cannot be
rewritten, neither through the model nor by raw SQL; union admins browse their subtree's
entries only."""

import json
import re
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.utils import timezone
from stdnum.cn import ric

from liandong.core.audit import audit_log
from liandong.core.models import AuditLog
from liandong.core.tests.client import BrowserClient
from liandong.organizations.models import Organization
from liandong.organizations.services import (
    organization_create,
    organization_link_partner,
    organization_update,
)
from liandong.organizations.tests.factories import OrganizationFactory
from liandong.workers.services import worker_register, worker_update

PII = re.compile(r"\d{17}[\dXx]|1[3-9]\d{9}")


def with_check(body17: str) -> str:
    return body17 + ric.calc_check_digit(body17 + "0")


def only_entry(**filters: Any) -> AuditLog:
    entries = list(AuditLog.objects.filter(**filters))
    assert len(entries) == 1, entries
    return entries[0]


# ---------------------------------------------------------------------------------------------
# Who, when, what, before and after


def test_creating_an_organization_is_logged(world: Any) -> None:
    actor = world.users["admin_a"]
    started = timezone.now()
    organization = organization_create(
        actor=actor,
        name="甲快递七里河网点",
        code="W-OA2",
        kind=Organization.Kind.OUTLET,
        parent=world.enterprise_a,
        city="兰州",
    )
    entry = only_entry(action="organizations.created", target_id=str(organization.pk))
    assert entry.actor == actor
    assert entry.actor_repr == "admin_a"
    assert entry.organization_id == world.union_a.pk  # the actor's organization, for scoping
    assert entry.target_type == "organizations.organization"
    assert entry.target_repr == "甲快递七里河网点"
    assert started <= entry.created_at <= timezone.now()
    assert entry.changes["name"] == [None, "甲快递七里河网点"]
    assert entry.changes["parent"] == [None, world.enterprise_a.pk]
    assert entry.changes["kind"] == [None, "outlet"]


def test_updating_an_organization_logs_only_what_changed(world: Any) -> None:
    actor = world.users["staff_a"]
    organization_update(
        actor=actor, organization=world.enterprise_a, city="白银", union_status="founded"
    )
    entry = only_entry(action="organizations.updated", target_id=str(world.enterprise_a.pk))
    assert entry.changes == {"city": ["兰州", "白银"]}  # union_status was already "founded"
    assert entry.actor == actor
    # Saving the same values again writes nothing.
    organization_update(actor=actor, organization=world.enterprise_a, city="白银")
    assert AuditLog.objects.filter(action="organizations.updated").count() == 1


def test_deactivating_an_organization_is_logged(world: Any) -> None:
    organization_update(actor=world.users["admin_a"], organization=world.outlet_a, is_active=False)
    entry = only_entry(action="organizations.updated", target_id=str(world.outlet_a.pk))
    assert entry.changes == {"is_active": [True, False]}
    assert not Organization.objects.get(pk=world.outlet_a.pk).is_active


def test_updating_unknown_fields_is_refused_and_not_logged(world: Any) -> None:
    with pytest.raises(ValueError, match="path"):
        organization_update(actor=world.users["admin_a"], organization=world.outlet_a, path="0001")
    assert not AuditLog.objects.filter(action="organizations.updated").exists()


def test_linking_a_partner_is_logged(world: Any) -> None:
    association = OrganizationFactory(name="省快递协会", kind=Organization.Kind.ASSOCIATION)
    organization_link_partner(
        actor=world.users["admin_a"], union=world.union_a, partner=association
    )
    entry = only_entry(
        action="organizations.partner_linked",
        target_id=str(world.union_a.pk),
        changes__partner=[None, association.pk],
    )
    assert entry.actor_repr == "admin_a"


def test_registering_and_updating_a_worker_is_logged_without_personal_data(world: Any) -> None:
    actor = world.users["staff_a"]
    id_number = with_check("62010219920202331")
    worker = worker_register(
        actor=actor,
        name="孙快递",
        id_number=id_number,
        mobile="13893100077",
        employer=world.outlet_a,
        occupation="快递员",
    )
    created = only_entry(action="workers.created", target_id=str(worker.pk))
    assert created.actor == actor
    assert created.changes["id_number_masked"] == [None, f"620102********{id_number[-4:]}"]
    assert created.changes["mobile_masked"] == [None, "138****0077"]
    assert created.changes["employer"] == [None, world.outlet_a.pk]

    worker_update(
        actor=actor,
        worker=worker,
        mobile="13893100088",
        employer=world.enterprise_a,
        joined_union_on=date(2026, 5, 1),
    )
    updated = only_entry(action="workers.updated", target_id=str(worker.pk))
    assert updated.changes == {
        "mobile_masked": ["138****0077", "138****0088"],
        "employer": [world.outlet_a.pk, world.enterprise_a.pk],
        "joined_union_on": [None, "2026-05-01"],
    }
    for entry in (created, updated):
        text = json.dumps(entry.changes, ensure_ascii=False) + entry.target_repr
        assert not PII.search(text), text


def test_an_entry_written_during_a_request_records_address_and_request_id(
    world: Any, api_token: Any
) -> None:
    bearer = api_token(world.users["staff_a"])
    response = BrowserClient().post(
        f"/api/v1/workers/{world.worker_a.pk}/reveal",
        {"purpose": "电话回访"},
        content_type="application/json",
        REMOTE_ADDR="203.0.113.9",
        HTTP_X_REQUEST_ID="req-audit-1",
        **bearer,
    )
    assert response.status_code == 200
    assert response["X-Request-Id"] == "req-audit-1"
    entry = only_entry(action="workers.pii_viewed")
    assert entry.ip_address == "203.0.113.9"
    assert entry.request_id == "req-audit-1"
    assert entry.actor == world.users["staff_a"]
    assert entry.changes == {"fields": ["id_number", "mobile"], "purpose": "电话回访"}


# ---------------------------------------------------------------------------------------------
# Append-only: the model refuses, and so does the database


@pytest.fixture
def entry(world: Any) -> AuditLog:
    return audit_log(
        actor=world.users["admin_a"],
        action="test.entry",
        target=world.union_a,
        changes={"name": ["旧", "新"]},
    )


def test_the_model_refuses_update_and_delete(entry: AuditLog) -> None:
    entry.action = "test.rewritten"
    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        entry.delete()
    with pytest.raises(TypeError):
        AuditLog.objects.filter(pk=entry.pk).update(action="test.rewritten")
    with pytest.raises(TypeError):
        AuditLog.objects.filter(pk=entry.pk).delete()
    with pytest.raises(TypeError), transaction.atomic():
        AuditLog.objects.bulk_update([entry], ["action"])
    assert AuditLog.objects.get(pk=entry.pk).action == "test.entry"


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE core_auditlog SET action = 'test.rewritten' WHERE id = %s",
        "UPDATE core_auditlog SET changes = '{}' WHERE id = %s",
        "DELETE FROM core_auditlog WHERE id = %s",
    ],
)
def test_the_database_refuses_raw_update_and_delete(entry: AuditLog, statement: str) -> None:
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement, [entry.pk])
    fresh = AuditLog.objects.get(pk=entry.pk)
    assert (fresh.action, fresh.changes) == ("test.entry", {"name": ["旧", "新"]})


def test_the_database_refuses_truncate(entry: AuditLog) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL's; SQLite empties a table with DELETE (refused above)")
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred foreign-key checks pending
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("TRUNCATE core_auditlog")
    assert AuditLog.objects.filter(pk=entry.pk).exists()


def test_the_database_refuses_an_update_of_every_row(entry: AuditLog, world: Any) -> None:
    before = AuditLog.objects.count()
    assert before > 1
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditlog SET actor_repr = 'nobody'")
    assert not AuditLog.objects.filter(actor_repr="nobody").exists()
    assert AuditLog.objects.count() == before


# ---------------------------------------------------------------------------------------------
# Who may browse


@pytest.fixture
def history(world: Any) -> dict[str, AuditLog]:
    """One entry by an account of each subtree."""
    return {
        "a": audit_log(actor=world.users["staff_a"], action="test.by_a", target=world.worker_a),
        "ent_a": audit_log(
            actor=world.users["enterprise_a"], action="test.by_ent_a", target=world.worker_a
        ),
        "b": audit_log(actor=world.users["staff_b"], action="test.by_b", target=world.worker_b),
        "gov": audit_log(
            actor=world.users["liaison"], action="test.by_gov", target=world.authority
        ),
    }


def visible_actions(client: Client, **headers: str) -> set[str]:
    response = client.get("/api/v1/audit-log/?limit=100", **headers)
    assert response.status_code == 200
    return {e["action"] for e in response.json()["items"] if e["action"].startswith("test.")}


def test_a_union_admin_sees_their_subtree_only(
    world: Any, history: dict[str, AuditLog], api_token: Any
) -> None:
    assert visible_actions(BrowserClient(), **api_token(world.users["admin_a"])) == {
        "test.by_a",
        "test.by_ent_a",
    }
    assert visible_actions(BrowserClient(), **api_token(world.users["province_admin"])) == {
        "test.by_a",
        "test.by_ent_a",
        "test.by_b",
    }
    page = BrowserClient()
    page.force_login(world.users["admin_a"])
    body = page.get("/audit-log/").content.decode()
    assert "<code>test.by_a</code>" in body
    assert "<code>test.by_ent_a</code>" in body
    assert "<code>test.by_b</code>" not in body
    assert "<code>test.by_gov</code>" not in body
    # Asking for B's entry by name finds nothing either.
    assert (
        "<code>test.by_b</code>"
        not in page.get("/audit-log/", {"action": "test.by_b"}).content.decode()
    )
    response = BrowserClient().get(
        "/api/v1/audit-log/?action=test.by_b", **api_token(world.users["admin_a"])
    )
    assert response.json()["items"] == []


@pytest.mark.parametrize(
    "who", ["staff_a", "staff_b", "liaison", "enterprise_a", "judge", "worker_a"]
)
def test_others_may_not_browse(
    world: Any, history: dict[str, AuditLog], api_token: Any, who: str
) -> None:
    page = BrowserClient()
    page.force_login(world.users[who])
    assert page.get("/audit-log/").status_code == 403
    response = BrowserClient().get("/api/v1/audit-log/", **api_token(world.users[who]))
    assert response.status_code == 403
    assert "test.by" not in response.content.decode()


def test_filters_and_paging(world: Any, api_token: Any) -> None:
    admin = world.users["admin_a"]
    for n in range(7):
        audit_log(actor=admin, action="test.paged", target=world.union_a, changes={"n": n})
    audit_log(actor=admin, action="test.other", target=world.enterprise_a)
    bearer = api_token(admin)
    client = BrowserClient()
    seen: list[int] = []
    cursor = ""
    while True:
        page = client.get(f"/api/v1/audit-log/?action=test.paged&limit=3{cursor}", **bearer).json()
        assert len(page["items"]) <= 3
        seen += [e["changes"]["n"] for e in page["items"]]
        if page["next_cursor"] is None:
            break
        cursor = f"&cursor={page['next_cursor']}"
    assert seen == [6, 5, 4, 3, 2, 1, 0]
    by_target = client.get(
        f"/api/v1/audit-log/?target_type=organizations.organization"
        f"&target_id={world.enterprise_a.pk}&action=test.other",
        **bearer,
    ).json()
    assert [e["action"] for e in by_target["items"]] == ["test.other"]
    page = BrowserClient()
    page.force_login(admin)
    body = page.get(
        "/audit-log/",
        {"target": f"organizations.organization:{world.enterprise_a.pk}", "action": "test.other"},
    ).content.decode()
    assert body.count("<code>test.other</code>") == 1
    assert "test.paged" not in body


def test_entries_are_timestamped_in_utc_and_ordered_newest_first(
    world: Any, api_token: Any
) -> None:
    first = audit_log(actor=world.users["admin_a"], action="test.first")
    second = audit_log(actor=world.users["admin_a"], action="test.second")
    assert first.created_at.utcoffset() == timedelta(0)
    items = (
        BrowserClient()
        .get("/api/v1/audit-log/?limit=2", **api_token(world.users["admin_a"]))
        .json()["items"]
    )
    # The token request logged itself ("accounts.token_issued", "accounts.logged_in") after them.
    ids = [e["id"] for e in items]
    assert ids == sorted(ids, reverse=True)
    assert second.pk > first.pk


@pytest.mark.django_db
def test_audit_entry_builds_what_audit_log_saves(world) -> None:
    from liandong.core.audit import audit_entry, request_context

    token = request_context.set({"ip": "10.1.2.3", "request_id": "req-1"})
    try:
        built = audit_entry(
            actor=world.users["staff_a"],
            action="test.built",
            target=world.union_a,
            changes={"a": 1},
        )
        saved = audit_log(
            actor=world.users["staff_a"],
            action="test.built",
            target=world.union_a,
            changes={"a": 1},
        )
    finally:
        request_context.reset(token)
    assert built.pk is None
    assert AuditLog.objects.filter(action="test.built").count() == 1  # only the saved one
    fields = [
        f.attname for f in AuditLog._meta.concrete_fields if f.name not in ("id", "created_at")
    ]
    stored = AuditLog.objects.get(pk=saved.pk)
    assert {f: getattr(built, f) for f in fields} == {f: getattr(stored, f) for f in fields}
    assert (built.actor_repr, built.ip_address, built.target_id) == (
        "staff_a",
        "10.1.2.3",
        str(world.union_a.pk),
    )


def test_the_page_reads_like_a_record_and_filters_from_lists(world: Any, api_token: Any) -> None:
    """Chinese action names, people's names, the object as a link when the viewer may open it,
    changes as 字段：旧值 → 新值, and filters by person, object type, action and date."""
    admin, staff = world.users["admin_a"], world.users["staff_a"]
    staff.display_name = "李敏"
    staff.save(update_fields=["display_name"])
    audit_log(
        actor=staff,
        action="organizations.updated",
        target=world.enterprise_a,
        changes={"kind": ["enterprise", "outlet"], "name": ["甲企业", "甲企业（新）"]},
    )
    audit_log(actor=admin, action="organizations.updated", target=world.union_b)  # not A's
    audit_log(actor=admin, action="workers.exported", changes={"rows": 12})
    page = BrowserClient()
    page.force_login(admin)
    body = page.get("/audit-log/").content.decode()
    assert "修改组织" in body
    assert "导出职工名册" in body
    assert "<code>organizations.updated</code>" not in body
    assert "李敏" in body
    assert '类型</b>：企业 <span aria-label="改为">→</span> 网点' in body
    assert "行数</b>：12" in body
    assert f'href="/organizations/{world.enterprise_a.pk}/"' in body
    assert f'href="/organizations/{world.union_b.pk}/"' not in body  # B's body: no link
    assert "workers.worker:12" not in body  # no code to type: lists instead
    assert f'<option value="{staff.pk}">李敏（甲产业工会）</option>' in body
    assert '<option value="workers.imported">导入职工名册</option>' in body

    def actions(**query: Any) -> list[str]:
        rows = page.get("/audit-log/", query).content.decode()
        return re.findall(r'<span title="([a-z_.]+)">', rows)

    assert actions(actor=staff.pk) == ["organizations.updated"]
    assert actions(action="workers.exported") == ["workers.exported"]
    assert actions(target_type="organizations.organization") == [
        "organizations.updated",
        "organizations.updated",
    ]
    today = timezone.localdate()
    assert len(actions(date_from=today.isoformat(), date_to=today.isoformat())) == 3
    assert actions(date_to=(today - timedelta(days=1)).isoformat()) == []
    api = (
        BrowserClient()
        .get("/api/v1/audit-log/?action=organizations.updated", **api_token(admin))
        .json()["items"]
    )
    assert {(e["actor_name"], e["action_label"], e["target_type_label"]) for e in api} == {
        ("李敏", "修改组织", "组织"),
        (str(admin), "修改组织", "组织"),
    }
    # Nonsense in the query is a message, not a 500 and not a silent filter.
    bad = page.get("/audit-log/", {"date_from": "2026-13-40", "actor": "x\x00"})
    assert bad.status_code == 200
    assert "field-error" in bad.content.decode()
    later = page.get(
        "/audit-log/", {"date_from": today.isoformat(), "date_to": "2020-01-01"}
    ).content.decode()
    assert "截止日期不能早于起始日期" in later
