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
  read) for 3,000 enterprises, 1,000 negotiations and 800 collective contracts;
- volunteers: 500 teams of the unions, about 15,000 members (workers of the union's
  subtree, each in one team), 6,000 services at the activities above with 30,000 members'
  hours, 100 flags, 300 trainings with about 6,000 attendances;
- campaigns: 60 campaigns overlapping the year, 2,000 tasks (three quarters claimed by bodies
  below the owner, a third done this year), 4,000 milestones, 12,000 progress entries, and
  targets;
- outreach: 600 key enterprises of their nearest union, 6,000 visits (most of them visited
  this quarter, a fifth finding a problem), 300 agreements with their parties;
- training: 300 lecturers, 20,000 delegates of the 670 congresses of the largest
  enterprises, 2,000 sessions (a tenth still to come) with 60,000 invitations, 85% attended;
- mediation: 3,000 cases accepted this year in every state, with their parties and sessions.

Everything is bulk-inserted (no services: no audit rows, no notifications), dated as the
services would allow (nothing recorded for a day still to come); counts scale linearly with
``scale``. Proposals themselves are not generated: the democracy figures read the tallies (one
row per enterprise and year), not the proposals. None of the newer modules keeps a tally its
figures read; personal data is left out where optional (outside volunteers, parties' ID and
mobile numbers, lecturers' mobiles), and volunteers enrolled from the roster copy the worker's
masked mobile as ``member_add_worker`` does.
"""

import random
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from typing import Any, NamedTuple, TypeVar

from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from liandong.core.sample_data import person_name
from liandong.organizations.models import PATH_STEP, Organization, path_successor

K = Organization.Kind
DEMANDS_AT_SCALE_1 = 2_000_000
T = TypeVar("T")


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
    congresses = Congress.objects.bulk_create(
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

    # --- the newer modules ------------------------------------------------------------------
    province = _Province.load(rng=rng, scale=scale, year=year, unions=unions, workers=workers)
    counts |= _volunteers(province, activities)
    counts |= _campaigns(province)
    counts |= _outreach(province, mechanisms, members)
    counts |= _training(province, congresses)
    counts |= _mediation(province)
    return counts


# --- the newer modules: volunteers, campaigns, outreach, training, mediation ------------------


class _Org(NamedTuple):
    pk: int
    path: str
    kind: str
    name: str
    short_name: str
    city: str

    @property
    def label(self) -> str:
        return self.short_name or self.name

    @property
    def ancestor_ids(self) -> list[int]:
        step = PATH_STEP
        return [int(self.path[i : i + step]) for i in range(0, len(self.path) - step, step)]


@dataclass
class _Province:
    """What the newer modules' generators share: the tree in path order (so that a subtree is
    a slice of it), the workers loaded for the activities by employer, the unions' staff
    accounts, and the days of the year: records are dated up to today, never later, as the
    services refuse future dates."""

    rng: random.Random
    scale: float
    year: int
    today: date
    now: datetime
    zone: tzinfo
    unions: list[Organization]  # kind UNION, in path order (the ones the meetings part uses)
    orgs: list[_Org]
    by_pk: dict[int, _Org]
    workers_at: dict[int, list[int]]  # employer -> worker ids
    staff: dict[int, list[int]]  # organization -> its union staff accounts
    _paths: list[str] = field(default_factory=list)
    _under: dict[int, list[int]] = field(default_factory=dict)

    @classmethod
    def load(
        cls,
        *,
        rng: random.Random,
        scale: float,
        year: int,
        unions: list[Organization],
        workers: list[tuple[int, int]],
    ) -> "_Province":
        from liandong.accounts.models import Role, User

        orgs = [
            _Org(*row)
            for row in Organization.objects.order_by("path").values_list(
                "pk", "path", "kind", "name", "short_name", "city"
            )
        ]
        workers_at: dict[int, list[int]] = defaultdict(list)
        for worker, employer in workers:
            workers_at[employer].append(worker)
        staff: dict[int, list[int]] = defaultdict(list)
        for organization, user in User.objects.filter(
            role__in=[Role.UNION_ADMIN, Role.UNION_STAFF], is_active=True
        ).values_list("organization_id", "pk"):
            staff[organization].append(user)
        return cls(
            rng=rng,
            scale=scale,
            year=year,
            today=timezone.localdate(),
            now=timezone.now(),
            zone=timezone.get_current_timezone(),
            unions=unions,
            orgs=orgs,
            by_pk={o.pk: o for o in orgs},
            workers_at=workers_at,
            staff=staff,
            _paths=[o.path for o in orgs],
        )

    @property
    def first(self) -> date:
        return date(self.year, 1, 1)

    @property
    def last(self) -> date:
        """The last day of the year that is not in the future."""
        return max(self.first, min(self.today, date(self.year, 12, 31)))

    def between(self, low: date, high: date) -> date:
        return (
            low + timedelta(days=self.rng.randrange((high - low).days + 1)) if high > low else low
        )

    def past_day(self, after: date | None = None) -> date:
        """A day of the year up to today (and from ``after`` on)."""
        return self.between(max(after or self.first, self.first), self.last)

    def at(self, day: date, hour: int) -> datetime:
        """``day`` at ``hour`` o'clock, or a minute ago if that is still to come."""
        moment = datetime.combine(day, time(hour, self.rng.randrange(60)), self.zone)
        return min(moment, self.now - timedelta(minutes=1))

    def sample(self, pool: list[T], k: int) -> list[T]:
        return self.rng.sample(pool, min(k, len(pool)))

    def subtree(self, root: Organization | _Org) -> list[_Org]:
        """``root`` and every organization below it."""
        low = bisect_left(self._paths, root.path)
        return self.orgs[low : bisect_left(self._paths, path_successor(root.path))]

    def union_of(self, org: _Org) -> _Org | None:
        """The nearest union (kind UNION) at or above ``org``."""
        for pk in [org.pk, *reversed(org.ancestor_ids)]:
            if self.by_pk[pk].kind == K.UNION:
                return self.by_pk[pk]
        return None

    def staff_above(self, org: _Org) -> int | None:
        """A staff account of ``org`` or of the nearest union above it that has one."""
        for pk in [org.pk, *reversed(org.ancestor_ids)]:
            if self.staff.get(pk):
                return self.rng.choice(self.staff[pk])
        return None

    def enterprise_of(self, employer: int) -> int | None:
        """The enterprise a worker's employer is, or whose outlet it is."""
        org = self.by_pk[employer]
        if org.kind == K.OUTLET and org.ancestor_ids:
            org = self.by_pk[org.ancestor_ids[-1]]
        return org.pk if org.kind == K.ENTERPRISE else None

    def workers_under(self, root: Organization | _Org) -> list[int]:
        """The loaded workers employed in ``root``'s subtree."""
        found = self._under.get(root.pk)
        if found is None:
            found = self._under[root.pk] = [
                w for o in self.subtree(root) for w in self.workers_at.get(o.pk, ())
            ]
        return found


TEAM_SKILLS = [
    "法律咨询、心理疏导",
    "家电维修、理发义剪",
    "应急救护、健康义诊",
    "新能源汽车检测、安全驾驶宣讲",
    "政策宣讲、就业指导",
    "送清凉、送温暖、困难帮扶",
]
VOLUNTEER_TRAININGS = ["应急救护培训", "志愿服务礼仪培训", "心理疏导技能培训", "法律知识培训"]
HOURS = ["2", "2.5", "3", "3.5", "4", "4.5", "5", "6", "8"]


def _volunteers(p: _Province, activities: list[Any]) -> dict[str, int]:
    """~500 teams of the unions with ~30 members each (workers of the team's subtree, each in
    one team, so that nobody's hours pass 24 on a day), ~12 services each at past activities of
    the activities part (the team's own union's where it has enough), ~5 members' hours per
    service, and ~300 trainings with their attendance."""
    from liandong.volunteers.models import (
        Attendance,
        Honour,
        Hours,
        Member,
        Service,
        Team,
        Training,
    )
    from liandong.workers.models import Worker

    rng = p.rng
    # Unions with people to enrol (some industry unions have no enterprise below them here).
    hosts = [u for u in p.unions if len(p.workers_under(u)) >= 30] or p.unions
    teams = Team.objects.bulk_create(
        (
            Team(
                name=f"{union.short_name or union.name}职工志愿服务队{i + 1}",
                organization=union,
                founded_on=p.between(date(2014, 1, 1), p.first - timedelta(days=1))
                if rng.random() < 0.9
                else p.between(p.first, p.first + (p.last - p.first) // 2),
                skills=rng.choice(TEAM_SKILLS),
                service_mode="服务+培训",
                contact_name=person_name(rng),
            )
            for i in range(_n(500, p.scale))
            for union in [hosts[i % len(hosts)]]
        ),
        batch_size=5000,
    )
    per_team = max(1, _n(15_000, p.scale) // len(teams))
    taken: set[int] = set()
    enrolled: list[tuple[Team, int]] = []
    for team in teams:
        size = max(1, round(per_team * rng.uniform(0.5, 1.5)))
        pool = p.workers_under(team.organization)
        picks = [w for w in p.sample(pool, 3 * size) if w not in taken][:size]
        taken.update(picks)
        enrolled += [(team, w) for w in picks]
    people: dict[int, tuple[str, str]] = {}
    ids = [w for _, w in enrolled]
    for i in range(0, len(ids), 5000):
        for pk, name, masked in Worker.objects.filter(pk__in=ids[i : i + 5000]).values_list(
            "pk", "name", "mobile_masked"
        ):
            people[pk] = (name, masked)

    def joined(team: Team) -> date:
        if team.founded_on < p.first and rng.random() < 0.8:
            return p.between(team.founded_on, p.first - timedelta(days=1))
        return p.past_day(team.founded_on)

    # As member_add_worker enrols a worker of the roster: name and masked mobile copied.
    members = Member.objects.bulk_create(
        (
            Member(
                team=team,
                worker_id=w,
                name=people[w][0],
                mobile_masked=people[w][1],
                role="队长" if i == 0 or enrolled[i - 1][0] is not team else "",
                joined_on=(on := joined(team)),
                left_on=p.past_day(on) if rng.random() < 0.05 else None,
            )
            for i, (team, w) in enumerate(enrolled)
        ),
        batch_size=5000,
    )
    crew_of: dict[int, list[Any]] = defaultdict(list)
    for m in members:
        crew_of[m.team_id].append(m)

    def on_duty(team: Team, day: date) -> list[Any]:
        return [
            m
            for m in crew_of[team.pk]
            if m.joined_on <= day and (m.left_on is None or m.left_on >= day)
        ]

    past = [a for a in activities if a.starts_on <= p.last]
    by_organizer: dict[int, list[Any]] = defaultdict(list)
    for a in past:
        by_organizer[a.organizer_id].append(a)
    per_service = max(1, _n(30_000, p.scale) // _n(6_000, p.scale))
    per_team_services = max(1, _n(6_000, p.scale) // len(teams))
    services: list[Any] = []
    turnout: list[tuple[Any, Any]] = []
    for team in teams:
        own = by_organizer.get(team.organization_id, [])
        offered = own if len(own) >= 3 else past
        slots = [
            (a, a.starts_on + timedelta(days=d))
            for a in p.sample(offered, 3 * per_team_services)
            for d in range((min(a.ends_on, p.last) - a.starts_on).days + 1)
        ]
        rng.shuffle(slots)
        days: set[date] = set()  # one service a day per team: a member's day stays under 24 h
        for activity, day in slots:
            if len(days) == per_team_services:
                break
            crew = on_duty(team, day)
            if day in days or not crew:
                continue
            days.add(day)
            service = Service(
                team=team,
                activity_id=activity.pk,
                activity_title=activity.title[:120],
                served_on=day,
                people_served=rng.randint(20, 300),
                note="政策宣讲、义诊义剪、法律咨询",
            )
            services.append(service)
            size = max(1, round(per_service * rng.uniform(0.6, 1.4)))
            turnout += [(service, m) for m in p.sample(crew, size)]
    Service.objects.bulk_create(services, batch_size=5000)
    Hours.objects.bulk_create(
        (Hours(service=s, member=m, hours=Decimal(rng.choice(HOURS))) for s, m in turnout),
        batch_size=5000,
    )
    Honour.objects.bulk_create(
        Honour(
            team=team,
            title="授旗",
            awarded_on=p.past_day(team.founded_on),
            awarded_by=f"{team.organization.name}职工服务中心",
        )
        for team in p.sample(teams, _n(100, p.scale))
    )
    per_training = max(1, _n(6_000, p.scale) // _n(300, p.scale))
    trained = [t for t in teams if len(crew_of[t.pk]) > per_training] or teams
    trainings = Training.objects.bulk_create(
        (
            Training(
                team=team,
                title=rng.choice(VOLUNTEER_TRAININGS),
                held_on=p.past_day(team.founded_on),
                place="职工服务中心",
                trainer=person_name(rng),
                hours=Decimal(rng.choice(["2", "3", "4"])),
            )
            for team in (rng.choice(trained) for _ in range(_n(300, p.scale)))
        ),
        batch_size=5000,
    )
    attendance = Attendance.objects.bulk_create(
        (
            Attendance(training=t, member=m)
            for t in trainings
            for m in p.sample(on_duty(t.team, t.held_on), per_training)
        ),
        batch_size=5000,
    )
    return {
        "volunteer_teams": len(teams),
        "volunteers": len(members),
        "volunteer_services": len(services),
        "volunteer_hours": len(turnout),
        "volunteer_trainings": len(trainings),
        "volunteer_attendance": len(attendance),
    }


CAMPAIGN_THEMES = [
    "企业民主管理“八项行动”",
    "“破题攻关求实效 揭榜挂帅显担当”行动",
    "新就业形态劳动者入会集中行动",
    "“尊法守法·携手筑梦”普法行动",
    "职工技能提升行动",
    "“工会进万家”走访慰问行动",
]
CAMPAIGN_TASKS = [
    "推动快递网点建会",
    "开展工资集体协商",
    "建设职工之家",
    "组织技能竞赛",
    "开展政策宣讲进企业",
    "建立户外劳动者服务站点",
]
EVIDENCE = {
    "reported.publicity": "活动照片、签到表",
    "reported.briefing": "宣讲课件、签到表",
    "reported.visit": "走访记录",
    "reported.other": "工作总结",
}


def _campaigns(p: _Province) -> dict[str, int]:
    """~60 campaigns of the unions overlapping the year, ~33 tasks each claimed by bodies of
    the owner's subtree (a quarter still open, a third done this year with every milestone
    met), ~2.7 milestones per claimed task, ~200 hand-reported progress entries per
    campaign, and targets for the owner and a few unions below it."""
    from liandong.campaigns.models import (
        Campaign,
        Milestone,
        ProgressEntry,
        Target,
        Task,
        TaskStatus,
    )

    rng = p.rng
    owners = [u for u in p.unions if len(p.subtree(u)) > 1] or p.unions
    earliest = p.first - timedelta(days=60)  # some began late last year
    campaigns = Campaign.objects.bulk_create(
        Campaign(
            name=f"{owner.short_name or owner.name}{CAMPAIGN_THEMES[i % len(CAMPAIGN_THEMES)]}",
            owner=owner,
            starts_on=(start := p.between(earliest, min(p.last, earliest + timedelta(days=270)))),
            ends_on=start + timedelta(days=rng.randint(120, 365)),
            description="围绕年度重点工作，分解任务、压实责任、定期通报进展。",
        )
        for i in range(_n(60, p.scale))
        for owner in [owners[i % len(owners)]]
    )
    taking_part = {K.UNION, K.UNION_FEDERATION, K.ENTERPRISE}
    bodies = {
        c.pk: [o for o in p.subtree(c.owner) if o.kind in taking_part and o.pk != c.owner_id]
        or [p.by_pk[c.owner_id]]
        for c in campaigns
    }
    per_campaign = max(1, _n(2_000, p.scale) // len(campaigns))
    tasks: list[Any] = []
    claimed_on: dict[int, date] = {}  # id(task) -> the day it was claimed
    for c in campaigns:
        for j in range(per_campaign):
            status = rng.choices(list(TaskStatus), weights=[25, 40, 35])[0]
            task = Task(
                campaign=c,
                title=f"{CAMPAIGN_TASKS[j % len(CAMPAIGN_TASKS)]}（第{j + 1}号榜）",
                description="按期完成并报送佐证材料。",
                due_on=p.between(c.starts_on, c.ends_on),
                status=status,
            )
            if status != TaskStatus.OPEN:
                day = p.between(c.starts_on, min(c.ends_on, p.last))
                claimed_on[id(task)] = day
                task.claimed_by_id = rng.choice(bodies[c.pk]).pk
                task.claimed_at = p.at(day, rng.randint(9, 17))
            if status == TaskStatus.DONE:
                task.completed_on = p.past_day(claimed_on[id(task)])
                task.result = "已按要求完成，佐证材料已上传。"
            tasks.append(task)
    milestones = []
    for task in tasks:
        if task.status == TaskStatus.OPEN:
            continue
        since = claimed_on[id(task)]
        dues = sorted(p.between(since, task.campaign.ends_on) for _ in range(rng.choice([2, 3, 3])))
        for k, due in enumerate(dues):
            done = None
            if task.status == TaskStatus.DONE:  # task_complete needs every milestone met
                done = p.between(since, task.completed_on)
            elif due <= p.last and rng.random() < 0.8:
                done = p.between(since, due)
            milestones.append(Milestone(task=task, title=f"节点{k + 1}", due_on=due, done_on=done))
    Task.objects.bulk_create(tasks, batch_size=5000)
    Milestone.objects.bulk_create(milestones, batch_size=5000)
    measures = list(EVIDENCE)
    per_entries = max(1, _n(12_000, p.scale) // len(campaigns))
    entries = ProgressEntry.objects.bulk_create(
        (
            ProgressEntry(
                campaign=c,
                organization_id=rng.choice(bodies[c.pk]).pk,
                measure=(measure := rng.choices(measures, weights=[50, 20, 20, 10])[0]),
                count=rng.randint(1, 6),
                occurred_on=p.between(max(c.starts_on, p.first), min(c.ends_on, p.last)),
                evidence=EVIDENCE[measure],
            )
            for c in campaigns
            for _ in range(per_entries)
        ),
        batch_size=5000,
    )
    targets = []
    for c in campaigns:
        unions_below = [o for o in bodies[c.pk] if o.kind in (K.UNION, K.UNION_FEDERATION)]
        targets += [
            Target(campaign=c, organization_id=c.owner_id, measure=m, value=v)
            for m, v in [("reported.publicity", 350), ("reported.visit", 140)]
        ]
        targets += [
            Target(campaign=c, organization_id=o.pk, measure=m, value=rng.randint(10, 60))
            for o in p.sample(unions_below, 4)
            for m in ["reported.publicity", "reported.visit"]
        ]
    Target.objects.bulk_create(targets, batch_size=5000)
    return {
        "campaigns": len(campaigns),
        "campaign_tasks": len(tasks),
        "milestones": len(milestones),
        "progress_entries": len(entries),
    }


PROBLEMS = [
    "部分快递员未签订劳动合同",
    "网点休息场所不足",
    "加班费计算方式不清",
    "新入职职工尚未入会",
    "夏季防暑降温措施不到位",
]


def _outreach(p: _Province, mechanisms: list[Any], members: list[Any]) -> dict[str, int]:
    """~600 key enterprises, each kept by its nearest union (with one of that union's staff
    accounts as the leader, where it has one), ~10 visits to each this year (a fifth find a
    problem, two thirds of those solved since), and ~300 agreements of the unions with
    partner bodies, enterprises of their subtree, or a mechanism's member bodies (charters)."""
    from liandong.outreach.models import Agreement, AgreementParty, KeyEnterprise, Visit
    from liandong.outreach.selectors import quarter_start

    rng = p.rng
    enterprises = [o for o in p.orgs if o.kind == K.ENTERPRISE and p.union_of(o)]
    keys = KeyEnterprise.objects.bulk_create(
        (
            KeyEnterprise(
                union_id=union.pk,
                enterprise_id=e.pk,
                leader_id=rng.choice(p.staff[union.pk]) if p.staff.get(union.pk) else None,
                area=e.city,
                is_active=rng.random() < 0.95,
            )
            for e in p.sample(enterprises, _n(600, p.scale))
            for union in [p.union_of(e)]
            if union is not None
        ),
        batch_size=5000,
    )
    per_key = max(1, _n(6_000, p.scale) // max(1, len(keys)))
    visits = []
    quarter = max(quarter_start(p.last), p.first)
    for key in keys:
        recorder = key.leader_id or p.staff_above(p.by_pk[key.union_id])
        # Leaders visit each key enterprise every quarter: most have been this quarter.
        this_quarter = key.is_active and rng.random() < 0.8
        for j in range(rng.randint(per_key // 2, per_key + per_key // 2) or 1):
            visited = p.between(quarter, p.last) if this_quarter and j == 0 else p.past_day()
            problem = rng.choice(PROBLEMS) if rng.random() < 0.2 else ""
            visits.append(
                Visit(
                    key_enterprise=key,
                    visited_on=visited,
                    recorded_by_id=recorder,
                    visitors=f"{person_name(rng)}、{person_name(rng)}",
                    findings="企业生产经营正常，工会组织运行规范。",
                    problem=problem,
                    follow_up="督促企业限期整改，工会跟踪回访。" if problem else "",
                    problem_closed_on=p.between(visited, p.last)
                    if problem and rng.random() < 0.65
                    else None,
                )
            )
    Visit.objects.bulk_create(visits, batch_size=5000)

    partners = [o for o in p.orgs if o.kind in (K.AUTHORITY, K.ASSOCIATION)]
    charters: dict[int, list[Any]] = defaultdict(list)
    for m in mechanisms:
        charters[m.convening_union_id].append(m)
    bodies_of: dict[int, list[int]] = defaultdict(list)
    for member in members:
        bodies_of[member.mechanism_id].append(member.organization_id)
    agreements, parties = [], []
    for _ in range(_n(300, p.scale)):
        owner = rng.choice(p.unions)
        signed = p.past_day() if rng.random() < 0.4 else p.between(date(p.year - 4, 1, 1), p.first)
        agreement = Agreement(
            owner=owner,
            title=f"{owner.short_name or owner.name}合作协议",
            kind=rng.choices(["framework", "cooperation", "other"], weights=[40, 50, 10])[0],
            signed_on=signed,
            effective_on=signed,
            expires_on=None
            if rng.random() < 0.2
            else signed + timedelta(days=365 * rng.randint(1, 5)),
            terms="双方建立定期会商机制，共同维护职工合法权益。",
        )
        others: list[int] = []
        if charters.get(owner.pk) and rng.random() < 0.3:
            mechanism = rng.choice(charters[owner.pk])
            agreement.kind = "charter"
            agreement.title = f"{mechanism.name}章程"
            agreement.mechanism_id = mechanism.pk
            agreement.mechanism_name = mechanism.name
            others = bodies_of[mechanism.pk]
        else:
            below = [o.pk for o in p.subtree(owner) if o.kind == K.ENTERPRISE]
            others = [o.pk for o in p.sample(partners, rng.randint(0, 2))] + p.sample(
                below, rng.randint(0, 2)
            )
        agreements.append(agreement)
        parties += [
            AgreementParty(agreement=agreement, organization_id=pk)
            for pk in dict.fromkeys([owner.pk, *others])
        ]
        if len(set(others) - {owner.pk}) == 0:  # at least two parties: an external body
            parties.append(
                AgreementParty(
                    agreement=agreement,
                    external_name="老挝万象市工会联合会",
                    external_country="老挝",
                    signatory="主席",
                )
            )
    Agreement.objects.bulk_create(agreements, batch_size=5000)
    AgreementParty.objects.bulk_create(parties, batch_size=5000)
    return {"key_enterprises": len(keys), "visits": len(visits), "agreements": len(agreements)}


LECTURE_TOPICS = [
    "职代会制度、厂务公开",
    "工资集体协商、劳动合同",
    "职工代表提案撰写、民主评议",
    "劳动安全卫生、女职工权益",
]
TRAINING_TOPICS = [
    "职工代表履职能力培训",
    "集体协商实务培训",
    "提案撰写与督办培训",
    "厂务公开民主管理专题培训",
]


def _training(p: _Province, congresses: list[Any]) -> dict[str, int]:
    """~300 lecturers of the unions, delegates (about 30 workers each, outlets' included) for
    the congresses of the enterprises with most workers, and ~2,000 sessions this year, three
    or so per congress, held by the enterprise or its union with lecturers of its own or a
    higher union, each inviting its congress's delegates (~60,000 attendance rows, 85% attended
    where the session has taken place; the delegates attend several)."""
    from liandong.democracy.models import Delegate
    from liandong.training.models import Attendance, Lecturer, Session
    from liandong.training.rollups import rebuild as rebuild_delegate_rollup

    rng = p.rng
    lecturers = Lecturer.objects.bulk_create(
        Lecturer(
            organization=union,
            name=person_name(rng),
            affiliation=f"{union.name}讲师团",
            topics=rng.choice(LECTURE_TOPICS),
        )
        for i in range(_n(300, p.scale))
        for union in [p.unions[i % len(p.unions)]]
    )
    teaching: dict[int, list[int]] = defaultdict(list)
    for lecturer in lecturers:
        teaching[lecturer.organization_id].append(lecturer.pk)
    employees: dict[int, list[int]] = defaultdict(list)
    for employer, staff in p.workers_at.items():
        enterprise = p.enterprise_of(employer)
        if enterprise is not None:
            employees[enterprise] += staff
    sessions_n = _n(2_000, p.scale)
    held = sorted(
        (c for c in congresses if employees[c.enterprise_id]),
        key=lambda c: (-len(employees[c.enterprise_id]), c.pk),
    )[: max(1, sessions_n // 3)]
    if not held:
        return {"delegates": 0, "training_sessions": 0, "training_attendance": 0}
    delegates = {c.pk: p.sample(employees[c.enterprise_id], 30) for c in held}
    Delegate.objects.bulk_create(
        (
            Delegate(
                congress=c,
                worker_id=w,
                constituency=f"第{j % 5 + 1}选区",
                is_frontline=rng.random() < 0.7,
            )
            for c in held
            for j, w in enumerate(delegates[c.pk])
        ),
        batch_size=5000,
    )
    sessions, invited = [], []
    for i in range(sessions_n):
        congress = held[i % len(held)]
        enterprise = p.by_pk[congress.enterprise_id]
        host = enterprise if rng.random() < 0.4 else (p.union_of(enterprise) or enterprise)
        title = congress.title
        if enterprise.label not in title:  # as the delegate_lists hook names it
            title = f"{enterprise.label}{title}"
        if p.last < date(p.year, 12, 31) and rng.random() < 0.1:  # still to come this year
            day = p.between(p.last + timedelta(days=1), date(p.year, 12, 31))
            starts = datetime.combine(day, time(rng.choice([9, 14])), p.zone)
        else:
            starts = p.at(p.past_day(), rng.choice([9, 14]))
        session = Session(
            organization_id=host.pk,
            topic=rng.choice(TRAINING_TOPICS),
            starts_at=starts,
            place=f"{host.name}会议室",
            congress_key=f"democracy.congress:{congress.pk}",
            congress_title=title[:160],
        )
        sessions.append(session)
        taken_place = starts <= p.now
        invited += [
            (session, w, taken_place and rng.random() < 0.85) for w in delegates[congress.pk]
        ]
    Session.objects.bulk_create(sessions, batch_size=5000)
    Through = Session.lecturers.through
    Through.objects.bulk_create(
        (
            Through(session_id=s.pk, lecturer_id=lecturer)
            for s in sessions
            for lecturer in p.sample(
                [
                    pk
                    for org in [*p.by_pk[s.organization_id].ancestor_ids, s.organization_id]
                    for pk in teaching.get(org, ())
                ],
                rng.randint(1, 2),
            )
        ),
        batch_size=5000,
    )
    Attendance.objects.bulk_create(
        (Attendance(session=s, worker_id=w, attended=attended) for s, w, attended in invited),
        batch_size=5000,
    )
    # Marked in bulk, not through attendance_mark: the delegates-trained rollup from them.
    delegate_rollup_rows = rebuild_delegate_rollup()
    return {
        "delegates": sum(len(d) for d in delegates.values()),
        "delegate_rollup_rows": delegate_rollup_rows,
        "training_sessions": len(sessions),
        "training_attendance": len(invited),
    }


CASE_TYPES = {"wages": 40, "contract": 20, "insurance": 12, "injury": 10, "rest": 8, "other": 10}
DISPUTES = {
    "wages": "拖欠工资及加班费",
    "contract": "解除劳动合同经济补偿",
    "insurance": "未依法缴纳社会保险",
    "injury": "工伤待遇支付",
    "rest": "带薪年休假及休息日加班",
    "other": "其他劳动争议",
}


def _mediation(p: _Province) -> dict[str, int]:
    """~3,000 cases accepted this year by the unions: the time limit and deadline as
    ``case_open`` sets them (``limit_days_for``, ``add_working_days``), a worker against an
    enterprise of the union's subtree; the older ones mostly closed (agreed, referred to
    arbitration, withdrawn; most within the limit), the recent ones mostly still open; a
    session or more wherever one was held. Ids are allocated up front so that the codes read
    as ``case_open`` writes them (TJ2026-00042)."""
    from liandong.mediation.models import Case, Party
    from liandong.mediation.models import Session as Sitting
    from liandong.mediation.services import add_working_days, limit_days_for

    rng = p.rng
    limits: dict[tuple[int, str], int] = {}
    deadlines: dict[tuple[date, int], Any] = {}
    enterprises = [o for o in p.orgs if o.kind == K.ENTERPRISE]
    below: dict[int, list[_Org]] = {}
    first_id = (Case.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
    cases, parties, sittings = [], [], []
    for i in range(_n(3_000, p.scale)):
        union = rng.choice(p.unions)
        kind = rng.choices(list(CASE_TYPES), weights=list(CASE_TYPES.values()))[0]
        if (union.pk, kind) not in limits:
            limits[union.pk, kind] = limit_days_for(union, kind)
        days = limits[union.pk, kind]
        accepted = p.at(p.past_day(), rng.randint(8, 17))
        day = timezone.localtime(accepted).date()
        if (day, days) not in deadlines:
            deadlines[day, days] = add_working_days(accepted, days)
        deadline = deadlines[day, days]
        claim = (
            Decimal(rng.randint(4, 400) * 250)
            if kind in ("wages", "contract", "injury") or rng.random() < 0.3
            else None
        )
        pk = first_id + i
        case = Case(
            pk=pk,
            code=f"TJ{day.year}-{pk:05d}",
            union=union,
            case_type=kind,
            summary=f"申请人要求被申请人支付{DISPUTES[kind]}。",
            claim_amount=claim,
            accepted_at=accepted,
            limit_days=days,
            due_at=deadline.at,
            calendar_fallback=deadline.fallback,
        )
        recent = (p.now - accepted).days <= 20
        if rng.random() < (0.7 if recent else 0.04):
            case.state = "accepted" if recent and rng.random() < 0.35 else "mediating"
        else:
            case.state = rng.choices(["agreed", "referred", "withdrawn"], weights=[62, 23, 15])[0]
            span = min((deadline.at - accepted) * 1.2, p.now - accepted)
            case.closed_at = accepted + span * rng.uniform(0.15, 1.0)
        end = timezone.localtime(case.closed_at).date() if case.closed_at else p.last
        if case.state == "agreed":
            case.agreement_terms = "被申请人于十五日内一次性支付申请人款项，双方再无其他争议。"
            case.agreement_amount = (
                (claim * Decimal(rng.uniform(0.5, 1.0))).quantize(Decimal("0.01"))
                if claim
                else Decimal(rng.randint(2, 80) * 250)
            )
            case.agreement_signed_on = end
        elif case.state == "referred":
            case.referral_reason = "双方分歧较大，未能达成调解协议。"
        elif case.state == "withdrawn":
            case.withdrawal_reason = "双方自行和解。"
        cases.append(case)
        if union.pk not in below:
            below[union.pk] = [o for o in p.subtree(union) if o.kind == K.ENTERPRISE]
        respondent = p.sample(below[union.pk] or enterprises, 1)
        parties += [
            Party(case=case, role="applicant", kind="person", name=person_name(rng)),
            Party(
                case=case,
                role="respondent",
                kind="enterprise",
                name=respondent[0].name if respondent else "某用人单位",
                contact_name="人事经理",
            ),
        ]
        held = {"accepted": 0, "withdrawn": rng.randint(0, 1), "agreed": rng.randint(1, 3)}
        sittings += [
            Sitting(
                case=case,
                held_on=p.between(day, end),
                place=f"{union.short_name or union.name}调解室",
                attendees="调解员、申请人、被申请人代表",
                notes="双方陈述意见，调解员释法说理。",
            )
            for _ in range(held.get(case.state, rng.randint(1, 2)))
        ]
    Case.objects.bulk_create(cases, batch_size=5000)
    with connection.cursor() as cursor:  # the ids were given: move PostgreSQL's sequence on
        for sql in connection.ops.sequence_reset_sql(no_style(), [Case]):
            cursor.execute(sql)
    Party.objects.bulk_create(parties, batch_size=5000)
    Sitting.objects.bulk_create(sittings, batch_size=5000)
    return {"mediation_cases": len(cases), "mediation_sessions": len(sittings)}


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
