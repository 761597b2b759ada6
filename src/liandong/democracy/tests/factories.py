"""Test data of democracy, built through the services (rules, tallies, audit)."""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from liandong.accounts.models import Role, User
from liandong.accounts.tests.factories import UserFactory
from liandong.democracy.models import Congress, Delegate, Nomination, Proposal
from liandong.democracy.services import (
    congress_create,
    delegate_add,
    nomination_create,
    nomination_review,
    proposal_cosign,
    proposal_submit,
)
from liandong.organizations.models import Organization
from liandong.workers.models import Worker
from liandong.workers.tests.factories import WorkerFactory


def delegate_worker(employer: Organization, name: str) -> tuple[Worker, User]:
    worker = WorkerFactory(name=name, employer=employer)
    user = UserFactory(username=f"d{worker.pk}", role=Role.WORKER, display_name=name)
    worker.user = user
    worker.save(update_fields=["user"])
    return worker, user


@dataclass
class CongressSetup:
    congress: Congress
    delegates: list[Delegate]
    users: list[User]  # users[i] is delegates[i]'s login
    manager: User


def congress_setup(
    world: object,
    *,
    delegates: int = 6,
    threshold: int = 2,
    frontline: int = 6,
    enterprise: Organization | None = None,
    manager: User | None = None,
) -> CongressSetup:
    """A congress of ``enterprise`` (default: world's enterprise A) whose first delegate is worker A."""
    enterprise = enterprise or world.enterprise_a  # type: ignore[attr-defined]
    manager = manager or world.users["enterprise_a"]  # type: ignore[attr-defined]
    congress = congress_create(
        actor=manager,
        enterprise=enterprise,
        term=5,
        session=Congress.objects.filter(enterprise=enterprise).count() + 1,
        title="第五届职工代表大会",
        held_on=timezone.localdate(),
        cosign_threshold=threshold,
        frontline_quota=50,
    )
    outlet = enterprise.children.first() or enterprise
    found: list[Delegate] = []
    users: list[User] = []
    for i in range(delegates):
        if i == 0 and enterprise == world.enterprise_a:  # type: ignore[attr-defined]
            worker, user = world.worker_a, world.users["worker_a"]  # type: ignore[attr-defined]
        else:
            worker, user = delegate_worker(outlet, f"代表{i}号")
        found.append(
            delegate_add(
                actor=manager,
                congress=congress,
                worker=worker,
                constituency=f"第{i % 3 + 1}选区",
                is_frontline=i < frontline,
            )
        )
        users.append(user)
    return CongressSetup(congress, found, users, manager)


def submitted_proposal(
    setup: CongressSetup, *, cosigners: int = 0, title: str = "增设快递员休息驿站"
) -> Proposal:
    proposal = proposal_submit(
        actor=setup.users[0],
        congress=setup.congress,
        title=title,
        reasons="夏季高温，快递员午间无处休息。",
        measures="在分拨中心设休息室，配饮水和充电设施。",
        category=Proposal.Category.WELFARE,
    )
    for user in setup.users[1 : 1 + cosigners]:
        proposal_cosign(actor=user, proposal=proposal)
    proposal.refresh_from_db()
    return proposal


def next_week() -> date:
    return timezone.localdate() + timedelta(days=7)


def nomination_on_notice(world: Any) -> Nomination:
    """Union A nominates worker A as a city model worker; the province approves it, which opens
    its public notice (公示), where anyone may object."""
    nomination = nomination_create(
        actor=world.users["staff_a"],
        worker=world.worker_a,
        level="city",
        year=2026,
        deeds="事迹。",
        reviews_required=1,
    )
    return nomination_review(
        actor=world.users["province_admin"], nomination=nomination, approved=True
    )
