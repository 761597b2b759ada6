"""Who hears of a contest's results, through notifications.notify (in the publishing
transaction): the accounts (and group robots) of each body that registered entrants, with how
many of its entrants won a prize. Back-entered contests (补录) tell no one."""

from django.db.models import Count, Q
from django.urls import reverse

from liandong.accounts.models import ORGANIZATION_ROLES, User
from liandong.competitions.models import Contest, Entrant
from liandong.notifications.kinds import Kind
from liandong.notifications.models import Channel
from liandong.notifications.services import notify

RESULTS = "competitions.results"

NOTIFICATION_KINDS = [
    Kind(
        key=RESULTS,
        label="竞赛成绩公示",
        title="竞赛成绩已公示：{contest}",
        body="{contest}成绩已公示。贵单位报名参赛 {entrants} 人，获奖 {winners} 人。"
        "请查看公示名单并转告参赛选手。",
        defaults=frozenset({Channel.EMAIL}),
    ),
]


def tell_registering_bodies(contest: Contest) -> int:
    """Each registering body's accounts, told once per contest (a handful of bodies: one
    grouped query for the counts, one for the accounts, then one notify per body)."""
    if contest.back_entered:
        return 0
    counts = list(
        Entrant.objects.filter(contest=contest, status=Entrant.Status.APPROVED)
        .values("registered_by_id")
        .annotate(entrants=Count("id"), winners=Count("id", filter=~Q(prize="")))
        .order_by("registered_by_id")
    )
    bodies = [row["registered_by_id"] for row in counts]
    accounts: dict[int, list[User]] = {}
    for user in User.objects.filter(
        organization_id__in=bodies, is_active=True, role__in=sorted(ORGANIZATION_ROLES)
    ).only("pk", "email", "is_active", "organization_id"):
        accounts.setdefault(user.organization_id or 0, []).append(user)
    link = reverse("competitions:public-results", args=[contest.pk])
    told = 0
    for row in counts:
        body_id = row["registered_by_id"]
        told += notify(
            RESULTS,
            accounts.get(body_id, []),
            context={
                "contest": contest.name,
                "entrants": row["entrants"],
                "winners": row["winners"],
            },
            event_key=f"{RESULTS}:{contest.pk}:{body_id}",
            link=link,
            target=f"competitions.contest:{contest.pk}",
            organizations=[body_id],
            organization_id=contest.organization_id,
        )
    return told
