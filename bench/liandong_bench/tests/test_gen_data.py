from importlib import import_module

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from liandong.accounts.models import Role, User
from liandong.core import crypto
from liandong.core.crypto import mobile_digest
from liandong.core.identity import id_number_gender, validate_id_number, validate_mobile
from liandong.core.models import AuditLog
from liandong.organizations.models import Organization, path_segment, subtree_q
from liandong.workers.models import Worker
from liandong.workers.services import id_number_digest
from liandong_bench.gen_data import (
    BENCH_COUNTY_STAFF,
    BENCH_PASSWORD,
    BENCH_STAFF,
    ROSTER_HEADERS,
    ROSTER_ROW_BASE,
    gen_data,
    generated_id_number,
    generated_mobile,
    roster_workbook_write,
)

GenData = import_module("liandong_bench.management.commands.gen-data").Command
SCALE = 0.0005  # 500 workers


@pytest.fixture
def generated(db: None):
    return gen_data(scale=SCALE, seed=7)


def test_tree_paths_follow_organization_create(generated):
    organizations = {o.pk: o for o in Organization.objects.all()}
    assert len(organizations) == generated.organizations >= 8
    kinds = {o.kind for o in organizations.values()}
    assert {"union", "federation", "enterprise", "outlet", "authority"} <= kinds
    for organization in organizations.values():
        parent = organizations.get(organization.parent_id)
        expected = (parent.path if parent else "") + path_segment(organization.pk)
        assert organization.path == expected
        assert organization.depth == (parent.depth + 1 if parent else 0)
        if organization.kind == Organization.Kind.OUTLET:
            assert parent.kind == Organization.Kind.ENTERPRISE
    root = generated.root
    assert root.name == "甘肃省总工会"
    assert root.parent_id is None
    # Every union, federation, enterprise and outlet is under the province root.
    in_tree = Organization.objects.filter(subtree_q(root.path)).count()
    partners = Organization.objects.filter(kind__in=["authority", "association"]).count()
    assert in_tree + partners == generated.organizations
    assert Organization.partners.through.objects.exists()


def test_counts_match_the_rows(generated):
    assert Worker.objects.count() == generated.workers == 500
    for organization in Organization.objects.all():
        workers = Worker.objects.filter(employer=organization)
        assert organization.worker_count == workers.count()
        assert organization.member_count == workers.filter(joined_union_on__isnull=False).count()
    assert Worker.objects.filter(joined_union_on__isnull=False).count() == generated.members
    assert set(Worker.objects.values_list("employer__kind", flat=True)) <= {"enterprise", "outlet"}


def test_identities_are_unique_valid_and_decrypt(generated):
    rows = list(Worker.objects.select_related("employer"))
    assert len({w.id_number_digest for w in rows}) == len(rows)
    assert len({w.mobile_digest for w in rows}) == len(rows)
    for worker in rows:
        id_number = crypto.decrypt(worker.id_number_cipher)
        mobile = crypto.decrypt(worker.mobile_cipher)
        assert validate_id_number(id_number) == id_number
        assert validate_mobile(mobile) == mobile
        assert worker.id_number_digest == id_number_digest(id_number)
        assert worker.mobile_digest == mobile_digest(mobile)
        assert worker.id_number_masked == id_number[:6] + "*" * 8 + id_number[-4:]
        assert worker.mobile_tail == mobile[-4:]
        assert worker.gender == id_number_gender(id_number)
        assert worker.city == worker.employer.city
        assert worker.name


def test_refuses_a_second_run_without_force(generated):
    with pytest.raises(ValidationError) as caught:
        gen_data(scale=SCALE, seed=8)
    assert caught.value.code == "workers_exist"
    assert Worker.objects.count() == 500
    with pytest.raises(CommandError):
        # The product's test settings do not install the bench app: the command object is given.
        call_command(GenData(), "--scale", str(SCALE))
    # --force adds a second province whose people are all new.
    again = gen_data(scale=SCALE, seed=7, force=True)
    assert again.root.code != generated.root.code
    assert Worker.objects.count() == 1000
    assert Worker.objects.values("id_number_digest").distinct().count() == 1000
    assert Worker.objects.values("mobile_digest").distinct().count() == 1000


def test_bench_accounts_and_audit(generated):
    staff = User.objects.get(username=BENCH_STAFF)
    assert staff.role == Role.UNION_STAFF
    assert staff.organization == generated.root
    assert staff.check_password(BENCH_PASSWORD)
    county = User.objects.get(username=BENCH_COUNTY_STAFF)
    assert county.organization == generated.county
    assert county.organization.path.startswith(generated.root.path)
    assert AuditLog.objects.filter(action="core.data_generated").count() == 1


def test_generated_identities_are_a_bijection():
    rows = [*range(5000), *range(ROSTER_ROW_BASE, ROSTER_ROW_BASE + 5000)]
    ids = [generated_id_number(r) for r in rows]
    mobiles = [generated_mobile(r) for r in rows]
    assert len(set(ids)) == len(set(mobiles)) == len(rows)
    for id_number, mobile in zip(ids[::97], mobiles[::97], strict=True):
        assert validate_id_number(id_number) == id_number
        assert validate_mobile(mobile) == mobile


def test_roster_workbook(generated, tmp_path):
    path = tmp_path / "roster.xlsx"
    employers = roster_workbook_write(path=path, organization=generated.root, rows=50)
    assert employers >= 1
    rows = list(load_workbook(path, read_only=True).active.iter_rows(values_only=True))
    assert list(rows[0]) == ROSTER_HEADERS
    assert len(rows) == 51
    names = set(Organization.objects.values_list("name", flat=True))
    for name, id_number, mobile, employer, *_ in rows[1:]:
        assert name
        assert validate_id_number(id_number) == id_number
        assert validate_mobile(mobile) == mobile
        assert employer in names
        assert not Worker.objects.filter(id_number_digest=id_number_digest(id_number)).exists()
