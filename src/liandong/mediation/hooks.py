"""What the mediation app offers other apps (see core/extensions.py)."""

from typing import Any

from django.urls import reverse

from liandong.core.extensions import DemandAction, Figure, NavItem, TimelineEntry
from liandong.core.formatting import cn_date, yuan
from liandong.mediation.models import Case, State
from liandong.mediation.notices import NOTIFICATION_KINDS as NOTIFICATION_KINDS
from liandong.mediation.permissions import can_use_mediation, cases_visible_to
from liandong.organizations.models import Organization, subtree_q

NAV_ITEMS = [
    NavItem(
        label="劳动争议调解",
        url_name="mediation:case-list",
        visible=can_use_mediation,
        order=35,
        # Under 职工诉求 in the menu: disputes come to mediation from the demands handled there.
        group="demands",
    )
]


def demand_actions(user: Any, demand_id: int) -> list[DemandAction]:
    """On a demand's page: open the case made from it, or make one with one click."""
    if not can_use_mediation(user):
        return []
    case = Case.objects.filter(demand_id=demand_id).select_related("union").first()
    if case is not None:
        if not cases_visible_to(user).filter(pk=case.pk).exists():
            return []
        return [
            DemandAction(
                label=f"查看调解案件 {case.code}",
                url=reverse("mediation:case-detail", args=[case.pk]),
                method="get",
                note=f"{case.get_state_display()}，调解期限 {cn_date(case.due_day)}",
            )
        ]
    return [
        DemandAction(
            label="转入劳动争议调解",
            url=reverse("mediation:from-demand", args=[demand_id]),
            note="以诉求人为申请人、所述单位为被申请人立案，您为首位调解员。",
        )
    ]


def demand_timeline(demand_ids: list[int]) -> dict[int, list[TimelineEntry]]:
    """A mediation's course on the originating demand's timeline: accepted, each session
    (date and place), and the outcome; no personal data. The link opens for the union staff
    in whose scope the case lies."""
    entries: dict[int, list[TimelineEntry]] = {}
    cases = Case.objects.filter(demand_id__in=demand_ids).prefetch_related("sessions")
    for case in cases:
        url = reverse("mediation:case-detail", args=[case.pk])

        def opens(user: Any, case: Case = case) -> bool:
            return cases_visible_to(user).filter(pk=case.pk).exists()

        rows = [
            TimelineEntry(
                at=case.accepted_at,
                title=f"转入劳动争议调解 {case.code}",
                note=f"{case.get_case_type_display()}，调解期限 {cn_date(case.due_day)}",
                url=url,
                opens_for=opens,
            )
        ]
        rows += [
            TimelineEntry(
                at=s.created_at,
                title="调解会谈",
                note=f"{cn_date(s.held_on)}，{s.place}",
                url=url,
                opens_for=opens,
            )
            for s in case.sessions.all()
        ]
        if case.closed_at is not None:
            note = {
                State.AGREED: f"协议金额 {yuan(case.agreement_amount)}，签订于 "
                f"{cn_date(case.agreement_signed_on)}"
                if case.agreement_amount is not None
                else f"签订于 {cn_date(case.agreement_signed_on)}",
                State.REFERRED: f"原因：{case.referral_reason}",
                State.WITHDRAWN: f"原因：{case.withdrawal_reason}",
            }.get(State(case.state), "")
            rows.append(
                TimelineEntry(
                    at=case.closed_at,
                    title=f"调解结果：{case.get_state_display()}",
                    note=note,
                    url=url,
                    opens_for=opens,
                )
            )
        entries[case.demand_id or 0] = rows
    return entries


def year_figures(organization: Organization, year: int) -> list[Figure]:
    """Cases accepted in the year by the unions of ``organization``'s subtree."""
    from liandong.mediation.selectors import figures

    cases = Case.objects.filter(subtree_q(organization.path, "union__path"))
    f = figures(cases, year)
    base = reverse("mediation:case-list")
    section = "劳动争议调解"
    items = [
        Figure(
            section,
            "受理调解案件",
            f.opened,
            "件",
            f"{base}?year={year}",
            opens_for=can_use_mediation,
        ),
        Figure(
            section,
            "调解达成协议",
            f.agreed,
            "件",
            f"{base}?year={year}&state=agreed",
            opens_for=can_use_mediation,
        ),
        Figure(
            section,
            "转劳动仲裁",
            f.referred,
            "件",
            f"{base}?year={year}&state=referred",
            opens_for=can_use_mediation,
        ),
        Figure(
            section,
            "协议金额",
            float(f.amount_recovered),
            "元",
            f"{base}?year={year}&state=agreed",
            opens_for=can_use_mediation,
        ),
    ]
    if f.in_time_rate is not None:
        items.append(
            Figure(
                section,
                "期限内结案率",
                f.in_time_rate,
                "%",
                f"{base}?year={year}",
                detail={"closed": f.closed, "in_time": f.closed_in_time},
                opens_for=can_use_mediation,
            )
        )
    return items
