"""Reads: a team's figures (members, hours, people served, trainings) and the same summed over
the teams of a subtree for a year (the ``year_figures`` hook)."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from liandong.core.extensions import ServiceActivity, hooks
from liandong.volunteers.models import Hours, Member, Service, Team, Training


def tenths(value: object) -> Decimal:
    """A sum of hours as one decimal place (SQLite sums decimals as floats or integers)."""
    return Decimal(str(value or 0)).quantize(Decimal("0.1"))


@dataclass(frozen=True)
class TeamFigures:
    teams: int  # founded by the end of the year (with no year: all)
    members: int  # in the team now
    services: int  # service records (turnouts)
    hours: Decimal
    people_served: int
    volunteers_served: int  # distinct members with hours
    trainings: int
    training_attendance: int


def team_figures(team: Team, year: int | None = None) -> TeamFigures:
    return figures_of(Team.objects.filter(pk=team.pk), year)


def figures_of(teams: QuerySet[Team], year: int | None = None) -> TeamFigures:
    """Four statements, each over one table and its children (every statement filters by
    ``teams``, which for a province is a join to ~20,000 organizations). A child row joins
    one parent only, so counting the children of a join counts each once, and the parents
    are counted distinct. Two children of one parent are never joined in one statement: a
    team's members times its services would multiply each other; nor a service's hours with
    its people served, which a join would repeat once per member with hours."""
    founded = Q(founded_on__year__lte=year) if year is not None else None
    roster = teams.aggregate(
        teams=Count("id", distinct=True, filter=founded),
        members=Count("members", filter=Q(members__left_on__isnull=True)),
    )
    services = Service.objects.filter(team__in=teams.values("pk"))
    trainings = Training.objects.filter(team__in=teams.values("pk"))
    if year is not None:
        services = services.filter(served_on__year=year)
        trainings = trainings.filter(held_on__year=year)
    served = services.aggregate(n=Count("id"), people=Sum("people_served"))
    hours = Hours.objects.filter(service__in=services.values("pk")).aggregate(
        total=Sum("hours"), people=Count("member", distinct=True)
    )
    trained = trainings.aggregate(n=Count("id", distinct=True), attendance=Count("attendance"))
    return TeamFigures(
        teams=roster["teams"],
        members=roster["members"],
        services=served["n"] or 0,
        hours=tenths(hours["total"]),
        people_served=served["people"] or 0,
        volunteers_served=hours["people"] or 0,
        trainings=trained["n"],
        training_attendance=trained["attendance"],
    )


@dataclass(frozen=True)
class TeamRow:
    members: int
    services: int
    hours: Decimal
    people_served: int


def team_rows(team_ids: list[int]) -> dict[int, TeamRow]:
    """The list's columns, by team: one grouped query each (joined in one query, the members
    and the hours would multiply each other)."""
    members = dict(
        Member.objects.filter(team_id__in=team_ids, left_on__isnull=True)
        .values("team_id")
        .annotate(n=Count("id"))
        .values_list("team_id", "n")
    )
    served: dict[int, dict[str, Any]] = {
        row["team_id"]: dict(row)
        for row in Service.objects.filter(team_id__in=team_ids)
        .values("team_id")
        .annotate(n=Count("id"), people=Sum("people_served"))
    }
    hours = dict(
        Hours.objects.filter(service__team_id__in=team_ids)
        .values("service__team_id")
        .annotate(total=Sum("hours"))
        .values_list("service__team_id", "total")
    )
    return {
        pk: TeamRow(
            members=members.get(pk, 0),
            services=served.get(pk, {}).get("n", 0),
            hours=tenths(hours.get(pk)),
            people_served=served.get(pk, {}).get("people") or 0,
        )
        for pk in team_ids
    }


def member_hours(team: Team) -> dict[int, Decimal]:
    rows = Hours.objects.filter(service__team=team).values("member_id").annotate(total=Sum("hours"))
    return {row["member_id"]: tenths(row["total"]) for row in rows}


def service_activities(user: Any, ids: list[int] | None = None) -> list[ServiceActivity]:
    """The activities the ``service_activities`` hook offers ``user`` (see core/extensions):
    those ``user`` may see; with ``ids``, only those of them."""
    return [found for provider in hooks("service_activities") for found in provider(user, ids)]
