"""Extension points between apps. An app may have a ``hooks`` module; another app asks for
what every installed app offers under one name, without importing it:

    for provider in hooks("year_figures"):
        figures += provider(organization=org, year=2026)

The names in use (each optional in every app):

``NAV_ITEMS``            list of ``NavItem``: main-menu entries, shown when ``visible(user)``.
``worker_sections``      ``(user, worker) -> list[WorkerSection]``: panels on a worker's page
                         (honours, services received, demands…), already scoped to ``user``.
``worker_honours``       ``(worker_ids) -> dict[int, list[str]]``: titles held (e.g. 劳模), used
                         for priority tiers in service activities.
``agenda_candidates``    ``(mechanism) -> list[AgendaCandidate]``: things that should be put on a
                         joint meeting's draft agenda (an escalated demand, an overdue item…).
``year_figures``         ``(organization, year) -> list[Figure]``: figures of a year in the
                         subtree of ``organization`` (people served, demands resolved…) for the
                         year-end summary, each traceable to the records behind it by ``url``
                         (for the users ``opens_for`` admits).
``campaign_measures``    list of ``CampaignMeasure``: what a campaign (专项行动) may count from the
                         app's records in a union's subtree over a period (unions founded,
                         democratic-management units established, activities held), each with
                         the records behind the count.
``delegate_lists``       ``(organization, key="") -> list[dict]``: workers' congresses in the subtree
                         (or the one with ``key``) as ``{"key", "title", "organization_id",
                         "held_on", "worker_ids"}``, for training sessions of the delegates.
``teaching_points``      ``(organization) -> list[str]``: names of the teaching points (教学点)
                         in the subtree, where a training session may be held.
``service_activities``   ``(user, ids=None) -> list[ServiceActivity]``: the service activities ``user``
                         may see that volunteers can serve at (not cancelled, newest first); with
                         ``ids``, only those of them. Volunteer teams record hours against them.
``add_working_days``     ``(start: datetime, days: int) -> Deadline``: the Chinese working-day
                         calendar (demands owns it: holidays, 调休 make-up days, days entered by
                         admins); ``Deadline.at`` is the end (24:00) of the ``days``-th working
                         day after ``start``'s day, ``Deadline.fallback`` says some day was
                         counted Monday–Friday for want of an official schedule.
``demand_ref``           ``(user, demand_id) -> DemandRef | None``: a demand ``user`` may see, with
                         what another module starts from (demands offers it).
``demand_actions``       ``(user, demand_id) -> list[DemandAction]``: buttons on a demand's page
                         that start work in another module (e.g. 转入劳动争议调解).
``demand_timeline``      ``(demand_ids) -> dict[int, list[TimelineEntry]]``: dated entries other
                         modules add to a demand's handling timeline (a mediation's outcome);
                         demands shows an entry's ``url`` only to whom ``opens_for`` admits.
``create_demand_from``   ``(*, actor, description, category, industry, city, mobile, contact_name,
                         employer_name, body) -> LinkedRecord`` (demands): a demand recorded by staff
                         from something found elsewhere (a visit to a key enterprise), channel
                         来访; raises ValidationError naming the field.
``action_item_meetings`` ``(user) -> list[tuple[int, str]]`` (meetings): held meetings whose
                         resolutions ``user`` may record (minutes not yet published), labelled.
``create_action_item_from`` ``(*, actor, meeting_id, resolution, lead_body, deadline) ->
                         LinkedRecord`` (meetings): a 督办事项 recorded as a resolution of that
                         meeting, under the meetings module's own rules and notices.
``mechanism_choices``    ``(user) -> list[tuple[int, str, list[int]]]`` (meetings): mechanisms
                         visible to ``user``: id, name and member body ids (a charter's parties).
``NOTIFICATION_KINDS``   list of ``notifications.kinds.Kind``: the app's kinds of message (Chinese
                         templates, default channels), sent with ``notifications.services.notify``.
``ROLLUPS``              list of ``Rollup``: tables the app keeps as its records change, which
                         ``liandong rebuild-rollups`` recomputes from the records (or checks).
``subtree_moved``        ``(node_id, *, left, joined)``: a unit moved in the tree with its subtree
                         (organizations' import), inside the move's transaction; ``left`` and
                         ``joined`` are the ids of the units above it that it left and joined.
                         Rows kept per area on a path move with it.

The dataclasses below are the contract; keep them small and add fields with defaults only.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from importlib import import_module
from importlib.util import find_spec
from types import ModuleType
from typing import TYPE_CHECKING, Any

from django.apps import apps

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    # Called with the signed-in user. Each app's check takes the project's User, which core
    # cannot name (core imports no app), so the parameter type is left open here.
    visible: Callable[[Any], bool]
    order: int = 100
    # The menu groups a module's sub-pages under one entry: items with the same group (by
    # default their URL namespace, ``activities`` for ``activities:funds``) are shown together,
    # under the label of the first (lowest ``order``) unless core.navigation names the group.
    group: str = ""

    @property
    def group_key(self) -> str:
        return self.group or self.url_name.split(":")[0]


@dataclass(frozen=True)
class WorkerSection:
    title: str
    rows: list[tuple[str, str]]  # (label, value), already masked where needed
    url: str = ""  # where the full record lives, if the viewer may open it


@dataclass(frozen=True)
class AgendaCandidate:
    key: str  # stable and unique, e.g. "demands.demand:42"; adding the same key twice is a no-op
    title: str
    kind: str  # "demand", "proposal", "action_item", …
    url: str = ""
    note: str = ""


@dataclass(frozen=True)
class Figure:
    section: str  # e.g. "服务职工"
    label: str  # e.g. "疗休养人次"
    value: float | int
    unit: str = ""
    url: str = ""
    detail: dict[str, Any] = field(default_factory=dict)
    # Who may follow ``url`` (called with the signed-in user); None: whoever sees the figure.
    # A page that shows another app's figures links only those its viewer may open.
    opens_for: Callable[[Any], bool] | None = None


@dataclass(frozen=True)
class CampaignMeasure:
    key: str  # stable, "<app>.<what>", stored on a campaign's targets
    label: str  # e.g. "新建基层工会"
    unit: str  # e.g. "个"
    # (organization, first day, last day) -> the count in the organization's subtree; the root
    # itself is not counted.
    count: Callable[[Any, date, date], int]
    # The same records, at most ``limit``: (title, date, url of the record).
    records: Callable[[Any, date, date, int], list[tuple[str, date | None, str]]]


@dataclass(frozen=True)
class ServiceActivity:
    id: int
    title: str
    starts_on: date
    ends_on: date
    url: str = ""


@dataclass(frozen=True)
class DemandRef:
    id: int
    code: str
    url: str
    union_id: int  # the supervising union
    category: str
    description: str
    submitter_name: str = ""
    employer_name: str = ""
    # decrypted only to be sealed again by the receiving module; never shown or logged
    mobile: str = ""


@dataclass(frozen=True)
class DemandAction:
    label: str
    url: str
    method: str = "post"  # "post": a one-click form with the CSRF token; "get": a link
    note: str = ""


@dataclass(frozen=True)
class TimelineEntry:
    at: Any  # datetime
    title: str
    note: str = ""
    url: str = ""
    opens_for: Callable[[Any], bool] | None = None


@dataclass(frozen=True)
class LinkedRecord:
    """A record one module made for another through a hook: enough to link back to it."""

    pk: int
    label: str
    url: str = ""


@dataclass(frozen=True)
class Rollup:
    """A table an app keeps as its records change: ``rebuild`` replaces its rows with those the
    records make and returns how many; ``matches`` compares only."""

    name: str
    rebuild: Callable[[], int]
    matches: Callable[[], bool]


@cache
def _hook_modules() -> tuple[ModuleType, ...]:
    found = []
    for config in apps.get_app_configs():
        if config.name.startswith("liandong.") and find_spec(f"{config.name}.hooks") is not None:
            found.append(import_module(f"{config.name}.hooks"))
    return tuple(found)


def hooks(name: str) -> list[Any]:
    """What every installed app offers under ``name``; list-valued attributes are flattened."""
    offered: list[Any] = []
    for module in _hook_modules():
        value = getattr(module, name, None)
        if value is None:
            continue
        offered.extend(value if isinstance(value, list | tuple) else [value])
    return offered


def nav_items(user: "AbstractBaseUser | AnonymousUser") -> list[NavItem]:
    return sorted(
        (item for item in hooks("NAV_ITEMS") if item.visible(user)), key=lambda item: item.order
    )
