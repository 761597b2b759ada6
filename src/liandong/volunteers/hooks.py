"""What the volunteers app offers other apps (see core/extensions.py)."""

from django.contrib.auth.models import AnonymousUser
from django.db.models import Sum
from django.urls import reverse

from liandong.accounts.models import User
from liandong.core.extensions import Figure, NavItem, WorkerSection
from liandong.organizations.models import Organization, subtree_q
from liandong.volunteers import permissions as perms
from liandong.volunteers.models import Team
from liandong.volunteers.selectors import figures_of
from liandong.workers.models import Worker

# Under 服务活动's group: a volunteer team serves at the activities (志愿服务大篷车).
NAV_ITEMS = [
    NavItem(
        label="志愿服务队",
        url_name="volunteers:team-list",
        visible=perms.can_use_volunteers,
        order=34,
        group="activities",
    )
]


def year_figures(organization: Organization, year: int) -> list[Figure]:
    """Teams, volunteers, hours and people served in ``organization``'s subtree in ``year``."""
    teams = Team.objects.filter(subtree_q(organization.path, "organization__path"))
    f = figures_of(teams, year)
    url = reverse("volunteers:team-list") + f"?year={year}"
    section = "服务职工"
    opens = perms.can_use_volunteers
    return [
        Figure(section, "志愿服务队", f.teams, "支", url, opens_for=opens),
        Figure(section, "参加服务的志愿者", f.volunteers_served, "人", url, opens_for=opens),
        Figure(section, "志愿服务时长", float(f.hours), "小时", url, opens_for=opens),
        Figure(section, "志愿服务人次", f.people_served, "人次", url, opens_for=opens),
        Figure(
            section,
            "志愿者培训",
            f.trainings,
            "场",
            url,
            {"attendance": f.training_attendance},
            opens_for=opens,
        ),
    ]


def worker_sections(user: User | AnonymousUser | None, worker: Worker) -> list[WorkerSection]:
    """The teams the worker serves in and their hours, as far as ``user`` may see them."""
    memberships = (
        perms.members_visible_to(user)
        .filter(worker=worker)
        .annotate(total=Sum("hours__hours"))
        .order_by("-joined_on")
    )
    rows = [
        (
            m.team.name,
            f"{'在队' if m.left_on is None else '已离队'} · 服务 {m.total or 0} 小时",
        )
        for m in memberships
    ]
    if not rows:
        return []
    return [WorkerSection(title="志愿服务", rows=rows, url=reverse("volunteers:team-list"))]
