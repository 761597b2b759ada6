"""What the worker sees of a demand (API and follow-up page): no personal data of anyone and
no handler names, only the bodies."""

from liandong.demands.models import Demand, State
from liandong.demands.selectors import demand_public_timeline

FALLBACK_WARNING = (
    "该时限涉及国务院尚未公布放假安排的年份，暂按周一至周五工作日估算，公布后以官方安排为准。"
)


def public_view(demand: Demand) -> dict:
    shown = (
        State.DISPATCHED if demand.state == State.RETURNED else demand.state
    )  # re-dispatch is internal
    return {
        "code": demand.code,
        "category_label": "待分类" if demand.in_triage else demand.get_category_display(),
        "state": shown,
        "state_label": str(State(shown).label),
        "body": demand.body.name if demand.body is not None else "",
        "submitted_at": demand.created_at,
        "response_due": demand.response_due,
        "resolution_due": demand.resolution_due,
        "response_due_day": demand.response_due_day,
        "resolution_due_day": demand.resolution_due_day,
        "calendar_warning": FALLBACK_WARNING if demand.calendar_fallback else "",
        "resolution_note": demand.resolution_note
        if demand.state in (State.RESOLVED, State.RATED)
        else "",
        "reject_reason": demand.reject_reason,
        "rating": demand.get_rating_display() if demand.rating else "",
        "can_rate": demand.state == State.RESOLVED,
        "merged_into": demand.merged_into.code if demand.merged_into is not None else "",
        "timeline": [
            {
                "at": event.created_at,
                "kind": event.kind,
                "kind_label": event.get_kind_display(),
                "state_label": event.get_state_display(),
                "body": event.body.name if event.body is not None else "",
                "note": event.note,
            }
            for event in demand_public_timeline(demand)
        ],
    }
