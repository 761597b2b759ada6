"""Records of every module for a province built by ``gen_data`` (``liandong gen-data
--modules``), so that the dashboard's figures outside demands are measured over data at scale
rather than over empty tables. At scale 1, for the current year:

- meetings: 200 mechanisms (convened by the unions, each with 3 member bodies), 5 meetings
  and 40 action items each (8,000 items, a third overdue);
- activities: 2,000 activities by the unions, 100,000 applications (a quarter checked in),
  2,000 open-service entries, 500 budget lines with 5,000 expenses;
- contests: 50 contests, 10,000 entrants registered by enterprises, a fifth advanced to the
  final round, prizes published;
- democracy: a congress and the year's proposal tally (the per-enterprise rollup the figures
  read) for 3,000 enterprises, 1,000 negotiations and 800 collective contracts.

Everything is bulk-inserted (no services: no audit rows, no notifications); counts scale
linearly with ``scale``. Proposals themselves are not generated: the democracy figures read
the tallies (one row per enterprise and year), not the proposals.
"""

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from liandong.organizations.models import Organization

K = Organization.Kind
DEMANDS_AT_SCALE_1 = 2_000_000


def _n(count: int, scale: float) -> int:
    return max(1, round(count * scale))


@transaction.atomic
def gen_modules(*, scale: float, seed: int = 17, year: int | None = None) -> dict[str, int]:
    from liandong.activities.models import (
        Activity,
        ActivityKind,
        Application,
        BudgetLine,
        Expense,
        ServiceEntry,
    )
    from liandong.activities.services import tallies_recount
    from liandong.competitions.models import Contest, Entrant, Round, RoundEntry
    from liandong.democracy.models import (
        CollectiveContract,
        Congress,
        Negotiation,
        ProposalTally,
    )
    from liandong.meetings.models import ActionItem, Mechanism, MechanismMember, Meeting
    from liandong.workers.models import Worker

    rng = random.Random(seed)
    year = year or timezone.localdate().year
    today = timezone.localdate()
    zone = timezone.get_current_timezone()
    unions = list(Organization.objects.filter(kind=K.UNION).order_by("path"))
    partners = list(
        Organization.objects.filter(kind__in=[K.AUTHORITY, K.ASSOCIATION]).order_by("pk")
    )
    enterprises = list(
        Organization.objects.filter(kind=K.ENTERPRISE).order_by("pk").values_list("pk", "industry")
    )
    industries = sorted({i for _, i in enterprises if i}) or ["快递"]
    counts: dict[str, int] = {}

    def day(rng: random.Random) -> date:
        return date(year, 1, 1) + timedelta(days=rng.randrange(365))

    # --- meetings -----------------------------------------------------------------------
    mechanisms = Mechanism.objects.bulk_create(
        Mechanism(
            name=f"{unions[i % len(unions)].name}联席会议{i + 1}",
            industry=industries[i % len(industries)],
            convening_union=unions[i % len(unions)],
            collaboration_mode="authority",
        )
        for i in range(_n(200, scale))
    )
    members = []
    for m in mechanisms:
        members.append(
            MechanismMember(mechanism=m, organization=m.convening_union, role="convener")
        )
        members += [
            MechanismMember(mechanism=m, organization=o, liaison_name="联络员")
            for o in rng.sample(partners, min(3, len(partners)))
        ]
    MechanismMember.objects.bulk_create(members, batch_size=5000)
    meetings = Meeting.objects.bulk_create(
        (
            Meeting(
                mechanism=m,
                title=f"第{i + 1}次联席会议",
                topic="新就业形态劳动者权益保障",
                starts_at=datetime.combine(day(rng), time(9), zone),
                location="会议室",
                host_body=m.convening_union,
                status="published",
                minutes="纪要",
            )
            for m in mechanisms
            for i in range(5)
        ),
        batch_size=5000,
    )
    items = ActionItem.objects.bulk_create(
        (
            ActionItem(
                mechanism=meeting.mechanism,
                meeting=meeting,
                number=i + 1,
                year=year,
                resolution=f"议定事项{i + 1}：推动网点建会和服务延伸",
                lead_body=rng.choice(partners) if partners else meeting.host_body,
                deadline=today + timedelta(days=rng.randint(-120, 60)),
                expected_output="成果",
                status=rng.choice(["todo", "in_progress", "done", "done", "cancelled"]),
                progress=rng.randint(0, 100),
            )
            for meeting in meetings
            for i in range(8)
        ),
        batch_size=5000,
    )
    counts |= {"mechanisms": len(mechanisms), "meetings": len(meetings), "items": len(items)}

    # --- activities -----------------------------------------------------------------------
    kinds = [k for k, _ in ActivityKind.choices]
    activities = Activity.objects.bulk_create(
        (
            Activity(
                title=f"职工服务活动{i + 1}",
                kind=kinds[i % len(kinds)],
                organizer=unions[i % len(unions)],
                starts_on=(start := day(rng)),
                ends_on=start + timedelta(days=2),
                total_places=rng.randint(60, 200),  # at least the 50 applications each
                status="published",
            )
            for i in range(_n(2_000, scale))
        ),
        batch_size=5000,
    )
    workers = list(Worker.objects.order_by("pk").values_list("pk", "employer_id")[:200_000])
    applications = []
    per_activity = max(1, _n(100_000, scale) // len(activities))
    for a in activities:
        for w, employer in rng.sample(workers, min(per_activity, len(workers))):
            checked = rng.random() < 0.25
            applications.append(
                Application(
                    activity=a,
                    worker_id=w,
                    body_id=employer,
                    status="confirmed" if checked else rng.choice(["applied", "selected"]),
                    checked_in_at=datetime.combine(a.starts_on, time(9), zone) if checked else None,
                )
            )
    Application.objects.bulk_create(applications, batch_size=5000)
    # Written around the services: count each activity's tallies as the services would have.
    tallies_recount(Activity.objects.filter(pk__in=[a.pk for a in activities]))
    ServiceEntry.objects.bulk_create(
        (
            ServiceEntry(activity=a, served_on=a.starts_on, people=rng.randint(5, 300))
            for a in activities
        ),
        batch_size=5000,
    )
    lines = BudgetLine.objects.bulk_create(
        BudgetLine(
            owner=unions[i % len(unions)],
            year=year,
            source="union_funds",
            name=f"职工服务经费{i + 1}",
            amount=Decimal(rng.randint(50, 500) * 1000),
        )
        for i in range(_n(500, scale))
    )
    Expense.objects.bulk_create(
        (
            Expense(
                budget_line=line,
                activity=rng.choice(activities),
                kind="expense",
                amount=Decimal(rng.randint(1, 40) * 1000),
                spent_on=day(rng),
            )
            for line in lines
            for _ in range(10)
        ),
        batch_size=5000,
    )
    counts |= {"activities": len(activities), "applications": len(applications)}

    # --- contests ---------------------------------------------------------------------------
    contests = Contest.objects.bulk_create(
        Contest(
            name=f"职业技能竞赛{i + 1}",
            organization=unions[i % len(unions)],
            profession="快递员",
            starts_on=day(rng),
            published_at=timezone.now(),
        )
        for i in range(_n(50, scale))
    )
    finals = Round.objects.bulk_create(Round(contest=c, name="决赛") for c in contests)
    by_employer = [w for w in workers if w[1]]
    entrants = Entrant.objects.bulk_create(
        (
            Entrant(
                contest=c,
                worker_id=w,
                registered_by_id=employer,
                status="approved",
                prize=rng.choice(["一等奖", "二等奖", "三等奖"]) if rng.random() < 0.05 else "",
            )
            for c in contests
            for w, employer in rng.sample(by_employer, min(200, len(by_employer)))
        ),
        batch_size=5000,
    )
    final_of = {r.contest_id: r for r in finals}
    RoundEntry.objects.bulk_create(
        (
            RoundEntry(round=final_of[e.contest_id], entrant=e, advanced=True)
            for e in entrants
            if rng.random() < 0.2
        ),
        batch_size=5000,
    )
    counts |= {"contests": len(contests), "entrants": len(entrants)}

    # --- democracy --------------------------------------------------------------------------
    chosen = rng.sample(enterprises, min(_n(3_000, scale), len(enterprises)))
    Congress.objects.bulk_create(
        (
            Congress(
                enterprise_id=pk,
                term=1,
                session=1,
                title="第一届职工代表大会第一次会议",
                held_on=day(rng),
            )
            for pk, _ in chosen
        ),
        batch_size=5000,
    )
    tallies = []
    for pk, _ in chosen:
        collected = rng.randint(5, 60)
        accepted = int(collected * 0.6)
        answered = int(accepted * 0.9)
        tallies.append(
            ProposalTally(
                enterprise_id=pk,
                year=year,
                collected=collected,
                accepted=accepted,
                converted=int(collected * 0.3),
                rejected=collected - accepted - int(collected * 0.3),
                answered=answered,
                closed=int(answered * 0.9),
                satisfied=int(answered * 0.6),
                basic=int(answered * 0.3),
                unsatisfied=answered - int(answered * 0.6) - int(answered * 0.3),
            )
        )
    ProposalTally.objects.bulk_create(tallies, batch_size=5000)
    negotiations = Negotiation.objects.bulk_create(
        (
            Negotiation(
                organization_id=pk,
                title="工资集体协商",
                union_side="企业工会",
                employer_side="企业",
                topics="工资",
                started_on=day(rng),
            )
            for pk, _ in chosen[: _n(1_000, scale)]
        ),
        batch_size=5000,
    )
    CollectiveContract.objects.bulk_create(
        (
            CollectiveContract(
                negotiation=n,
                title="工资专项集体合同",
                signed_on=n.started_on,
                effective_on=n.started_on,
                expires_on=n.started_on + timedelta(days=3 * 365),
                enterprises_covered=1,
                workers_covered=rng.randint(20, 2000),
            )
            for n in negotiations[: _n(800, scale)]
        ),
        batch_size=5000,
    )
    counts |= {"tallies": len(tallies), "negotiations": len(negotiations)}
    return counts


def build_rollup(demands: int) -> dict[str, int]:
    """The three demand rollups as the services keep them for ``demands`` demands over the
    last 12 months (``demands.rollups.write_counts``); returns each table's row count. The
    counts are spread over the union and partner bodies, the categories and the demand
    industries; the row count does not depend on ``demands``."""
    from django.utils import timezone

    from liandong.demands.models import Category, Industry
    from liandong.demands.rollups import write_counts
    from liandong.organizations.models import Organization

    rng = random.Random(17)
    kinds = Organization.Kind
    bodies = list(
        Organization.objects.filter(
            kind__in=[kinds.UNION, kinds.UNION_FEDERATION, kinds.AUTHORITY, kinds.ASSOCIATION]
        ).values_list("pk", "city")
    )
    today = timezone.localdate()
    months = [date(today.year, m, 1) for m in range(1, 13)]
    categories = list(Category.values)
    industries = list(Industry.values)
    cells = [(m, b, c) for m in months for b in bodies for c in categories]
    weights = [rng.lognormvariate(0, 1.2) for _ in cells]
    scale = demands / sum(weights)
    out = []
    for (month, (body, city), category), weight in zip(cells, weights, strict=True):
        received_all = int(weight * scale)
        if not received_all:
            continue
        shares = [rng.random() for _ in industries]
        for industry, share in zip(industries, shares, strict=True):
            received = int(received_all * share / sum(shares))
            if not received:
                continue
            due = int(received * 0.9)
            resolved = int(due * rng.uniform(0.7, 0.98))
            rated = int(resolved * 0.6)
            counts = {
                "received": received,
                "response_due": due,
                "responded_on_time": int(due * rng.uniform(0.8, 0.99)),
                "resolution_due": due,
                "resolved": resolved,
                "rated": rated,
                "satisfied": int(rated * 0.9),
                "breached": due - resolved,
                "rh1": received // 2,
                "rh3": received - received // 2,
                "sh4": resolved,
            }
            out.append(((month, body, category, industry, city or "兰州"), counts))
    return write_counts(out)


def summary(counts: dict[str, Any]) -> str:
    return ", ".join(f"{name} {value:,}" for name, value in counts.items())
