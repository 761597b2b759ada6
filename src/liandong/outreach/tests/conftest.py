"""Fixtures of the outreach tests: union A's key enterprise (enterprise A, led by staff A)
with a visit that found a problem, an agreement of union A with an external party and its
document, and a mechanism of union A with a held meeting (where action items are recorded)."""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from liandong.meetings import services as meetings
from liandong.meetings.models import Mechanism, Meeting
from liandong.meetings.tests.conftest import held_meeting
from liandong.outreach import services
from liandong.outreach.models import Agreement, KeyEnterprise, Visit

PDF = b"%PDF-1.4\n% test agreement\n"


def pdf(name: str = "协议.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@dataclass
class OutreachWorld:
    key: KeyEnterprise
    visit: Visit  # with a problem, not yet turned into anything
    agreement: Agreement
    mechanism: Mechanism
    held: Meeting


def problem_visit(
    world: Any, key: KeyEnterprise, problem: str = "部分职工加班费未足额发放，涉及三十余人。"
) -> Visit:
    return services.visit_record(
        actor=world.users["staff_a"],
        key=key,
        visited_on=timezone.localdate() - timedelta(days=1),
        visitors="工会主席、张干事",
        findings="企业生产经营正常，工会运转良好。",
        problem=problem,
    )


def build(world: Any) -> OutreachWorld:
    staff = world.users["staff_a"]
    key = services.key_enterprise_add(
        actor=None, union=world.union_a, enterprise=world.enterprise_a, leader=staff, area="城关区"
    )
    visit = problem_visit(world, key)
    agreement = services.agreement_create(
        actor=None,
        owner=world.union_a,
        title="甲工会与万象工会框架协议",
        kind=Agreement.Kind.FRAMEWORK,
        signed_on=timezone.localdate() - timedelta(days=30),
        expires_on=timezone.localdate() + timedelta(days=700),
        staff=staff,
        parties=[world.union_a],
        external_parties=[services.ExternalParty("老挝万象市工会联合会", "老挝")],
        document=pdf(),
    )
    mechanism = meetings.mechanism_create(
        actor=None,
        name="甲快递行业联席会议",
        industry="快递",
        convening_union=world.union_a,
        collaboration_mode="authority",
        members=[world.authority, world.enterprise_a],
    )
    held = held_meeting(mechanism=mechanism, host=world.union_a)
    return OutreachWorld(key, visit, agreement, mechanism, held)


@pytest.fixture
def ow(world: Any, settings: Any, tmp_path: Any) -> OutreachWorld:
    settings.DATA_DIR = tmp_path
    return build(world)
