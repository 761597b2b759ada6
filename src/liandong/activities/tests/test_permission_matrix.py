"""Permission matrix of the activities app: one row per page route and API operation of this app
(the completeness test in core/tests/test_permission_matrix.py collects these tables), run for
every principal, pages by session and the API by session and by bearer token. Every row asks
for objects in union A's subtree: an activity organized by union A, co-organized by the
authority (the liaison's body), with a quota for enterprise A; a shared home owned by union A
and enterprise A; a budget line of union A. Writes get fresh objects for each principal."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from liandong.activities.models import (
    Activity,
    ActivityKind,
    Application,
    Booking,
    Expense,
    Selection,
)
from liandong.activities.services import (
    activity_draw,
    activity_publish_notice,
    application_check_in,
    application_submit,
    booking_create,
    budget_line_create,
    budget_line_update,
    expense_record,
    home_create,
    merchant_create,
    partner_unit_create,
)
from liandong.activities.tests.factories import close_window, make_activity
from liandong.core.tests.client import BrowserClient
from liandong.core.tests.matrix import (
    PRINCIPALS,
    Case,
    Request,
    outcomes,
    over_operations,
    over_pages,
    run_api_row,
    run_page_post_row,
    run_page_row,
)

PAGE_TABLE: dict[str, tuple[str, str]] = {
    # route (Django pattern)                         method  anon  worker admin staff staffB liaison ent judge prov
    "activities/": ("GET", "login 200   200   200   200    200     200  403   200"),
    "activities/new/": ("GET", "login 403   200   200   200    403     403  403   200"),
    "activities/<int:pk>/": ("GET", "login 200   200   200   404    200     200  404   200"),
    "activities/<int:pk>/edit/": ("GET", "login 403   200   200   404    403     403  404   200"),
    "activities/<int:pk>/publish/": (
        "POST",
        "login 404  302   302   404    404     404  404   302",
    ),
    "activities/<int:pk>/apply/": ("POST", "login 302  403   403   403    403     403  403   403"),
    "activities/<int:pk>/nominate/": (
        "POST",
        "login 403  302   302   404    403     302  404   302",
    ),
    "activities/<int:pk>/draw/": ("POST", "login 403  302   302   404    403     403  404   302"),
    "activities/<int:pk>/notice/": ("POST", "login 403  302   302   404    403     403  404   302"),
    "activities/<int:pk>/confirm/": (
        "POST",
        "login 403  302   302   404    403     403  404   302",
    ),
    "activities/<int:pk>/served/": ("POST", "login 403  302   302   404    403     404  404   302"),
    "activities/applications/<int:pk>/withdraw/": (
        "POST",
        "login 302  302   302   404    404     403  404   302",
    ),
    "activities/applications/<int:pk>/feedback/": (
        "POST",
        "login 302  404   404   404    404     404  404   404",
    ),
    "activities/applications/<int:pk>/qr.svg": (
        "GET",
        "login 200   200   200   404    404     404  404   200",
    ),
    "activities/checkin/<str:token>/": (
        "GET",
        "login 404   200   200   404    404     404  404   200",
    ),
    "activities/public/<int:pk>/": ("GET", "200   200   200   200   200    200     200  200   200"),
    "activities/homes/": ("GET", "login 403   200   200   200    200     200  403   200"),
    "activities/homes/new/": ("GET", "login 403   200   200   200    403     403  403   200"),
    "activities/homes/<int:pk>/": ("GET", "login 404   200   200   404    404     200  404   200"),
    "activities/homes/<int:pk>/edit/": (
        "GET",
        "login 404   200   200   404    404     403  404   200",
    ),
    "activities/homes/bookings/<int:pk>/cancel/": (
        "POST",
        "login 404  302   302   404    404     403  404   302",
    ),
    "activities/funds/": ("GET", "login 403   200   200   200    403     403  403   200"),
    # -- funds administration: lines by union admins, overrides decided by a second admin ----
    "activities/funds/lines/new/": ("GET", "login 403   200   403   403    403     403  403   200"),
    "activities/funds/lines/<int:pk>/": (
        "GET",
        "login 404   200   200   404    404     404  404   200",
    ),
    "activities/funds/lines/<int:pk>/edit/": (
        "GET",
        "login 404   200   403   404    404     404  404   200",
    ),
    "activities/funds/expenses/<int:pk>/": (
        "GET",
        "login 404   200   200   404    404     404  404   200",
    ),
    "activities/funds/expenses/<int:pk>/decide/": (
        "POST",
        "login 404  302   403   404    404     404  404   302",
    ),
    # -- partner recuperation units and local-product merchants ---------------------------------
    "activities/partners/": ("GET", "login 403   200   200   200    403     403  403   200"),
    "activities/partners/<int:pk>/": (
        "GET",
        "login 404   200   200   404    404     404  404   200",
    ),
    "activities/partners/<int:pk>/edit/": (
        "GET",
        "login 404   200   200   404    404     404  404   200",
    ),
    "activities/merchants/": ("GET", "login 403   200   200   200    403     403  403   200"),
    # Managers of the merchant's union (or above) correct it and stop / resume the partnership.
    "activities/merchants/<int:pk>/edit/": (
        "GET",
        "login 404   200   200   404    404     404  404   200",
    ),
    "activities/merchants/<int:pk>/active/": (
        "POST",
        "login 404  302   302   404    404     404  404   302",
    ),
    "activities/figures/": ("GET", "login 403   200   200   200    200     200  403   200"),
    "activities/figures.xlsx": ("GET", "login 403   200   200   200    200     200  403   200"),
    # -- 补录 (records from before the platform) --------------------------------------------
    "activities/back-entry/": ("GET", "login 403   200   200   200    403     403  403   200"),
}
PAGE_POST_TABLE: dict[str, str] = {
    # the POST of a page whose GET row is in PAGE_TABLE  anon worker admin staff staffB liaison ent judge prov
    # The form union A's admin is shown names union A (organizer, owner, budget line): staff
    # of union B get it back with the choice refused, or (funds) have no such form at all.
    "activities/new/": "login 403   done  done  kept   403     403   403   done",
    "activities/homes/new/": "login 403   done  done  kept   403     403   403   done",
    "activities/funds/": "login 403   done  done  kept   403     403   403   done",
    # Union admins open a line of union A (staff may not); they change its ceiling.
    "activities/funds/lines/new/": "login 403   done  403   403    403     403   403   done",
    "activities/funds/lines/<int:pk>/edit/": "login 404   done  403   404    404     404   404   done",
    # Each manager of union A reverses a fresh expense of its own with a reason.
    "activities/funds/expenses/<int:pk>/": "login 404   done  done  404    404     404   404   done",
    # Staff of union B are shown the form, but union A is not a union they may name.
    "activities/partners/": "login 403   done  done  kept   403     403   403   done",
    "activities/partners/<int:pk>/edit/": "login 404   done  done  404    404     404   404   done",
    "activities/merchants/": "login 403   done  done  kept   403     403   403   done",
    "activities/merchants/<int:pk>/edit/": "login 404   done  done  404    404     404   404   done",
    # The managers of union A retitle a fresh activity of union A each.
    "activities/<int:pk>/edit/": "login 403   done  done  404    403     403   404   done",
    # Each manager books an hour of its own at the home; the enterprise may see it but not book.
    "activities/homes/<int:pk>/": "login 404   done  done  404    404     403   404   done",
    "activities/homes/<int:pk>/edit/": "login 404   done  done  404    404     403   404   done",
    # Each manager checks in a fresh participant by the token of their code.
    "activities/checkin/<str:token>/": "login 404   done  done  404    404     404   404   done",
    # -- 补录 (records from before the platform) --------------------------------------------
    # Staff of union B are shown union A's form: union A is not an organizer they may choose.
    "activities/back-entry/": "login 403   done  done  kept   403     403   403   done",
}
API_TABLE: dict[tuple[str, str], str] = {
    # (method, OpenAPI path)                                              anon worker admin staff staffB liaison ent judge prov
    ("GET", "/api/v1/activities/"): "401 200  200   200   200    200     200  403   200",
    ("POST", "/api/v1/activities/"): "401 403  201   201   201    403     403  403   201",
    ("GET", "/api/v1/activities/figures"): "401 403  200   200   200    200     200  403   200",
    (
        "GET",
        "/api/v1/activities/figures/export",
    ): "401 403  200   200   200    200     200  403   200",
    (
        "GET",
        "/api/v1/public/activities/{activity_id}",
    ): "200 200  200   200   200    200     200  200   200",
    ("POST", "/api/v1/activities/checkin"): "401 422  200   200   422    422     422  422   200",
    ("GET", "/api/v1/activities/homes/"): "401 403  200   200   200    200     200  403   200",
    ("POST", "/api/v1/activities/homes/"): "401 403  201   201   422    403     403  403   201",
    (
        "GET",
        "/api/v1/activities/homes/{home_id}",
    ): "401 404  200   200   404    404     200  404   200",
    (
        "PATCH",
        "/api/v1/activities/homes/{home_id}",
    ): "401 404  200   200   404    404     403  404   200",
    (
        "POST",
        "/api/v1/activities/bookings/{booking_id}/cancel",
    ): "401 404  200   200   404    404     403  404   200",
    (
        "POST",
        "/api/v1/activities/homes/{home_id}/bookings",
    ): "401 404  201   201   404    404     403  404   201",
    (
        "GET",
        "/api/v1/activities/budget-lines",
    ): "401 403  200   200   200    403     403  403   200",
    ("POST", "/api/v1/activities/expenses"): "401 403  201   201   404    403     403  403   201",
    (
        "POST",
        "/api/v1/activities/budget-lines",
    ): "401 403  201   403   403    403     403  403   201",
    (
        "PATCH",
        "/api/v1/activities/budget-lines/{line_id}",
    ): "401 404  200   403   404    404     404  404   200",
    (
        "POST",
        "/api/v1/activities/expenses/{expense_id}/reverse",
    ): "401 404  201   201   404    404     404  404   201",
    (
        "POST",
        "/api/v1/activities/expenses/{expense_id}/approve",
    ): "401 404  200   403   404    404     404  404   200",
    (
        "POST",
        "/api/v1/activities/expenses/{expense_id}/reject",
    ): "401 404  200   403   404    404     404  404   200",
    (
        "GET",
        "/api/v1/activities/partner-units",
    ): "401 403  200   200   200    403     403  403   200",
    (
        "POST",
        "/api/v1/activities/partner-units",
    ): "401 403  201   201   422    403     403  403   201",
    ("GET", "/api/v1/activities/merchants"): "401 403  200   200   200    403     403  403   200",
    ("POST", "/api/v1/activities/merchants"): "401 403  201   201   422    403     403  403   201",
    (
        "POST",
        "/api/v1/activities/applications/{application_id}/withdraw",
    ): "401 200 200   200   404    404     403  404   200",
    (
        "POST",
        "/api/v1/activities/applications/{application_id}/feedback",
    ): "401 200 404   404   404    404     404  404   404",
    (
        "GET",
        "/api/v1/activities/{activity_id}",
    ): "401 200  200   200   404    200     200  404   200",
    (
        "PATCH",
        "/api/v1/activities/{activity_id}",
    ): "401 403  200   200   404    403     403  404   200",
    (
        "POST",
        "/api/v1/activities/{activity_id}/publish",
    ): "401 404  200   200   404    404     404  404   200",
    (
        "POST",
        "/api/v1/activities/{activity_id}/apply",
    ): "401 201  403   403   403    403     403  403   403",
    (
        "POST",
        "/api/v1/activities/{activity_id}/nominate",
    ): "401 403  201   201   404    403     201  404   201",
    (
        "GET",
        "/api/v1/activities/{activity_id}/applications",
    ): "401 200  200   200   404    200     200  404   200",
    (
        "POST",
        "/api/v1/activities/{activity_id}/draw",
    ): "401 403  200   200   404    403     403  404   200",
    (
        "POST",
        "/api/v1/activities/{activity_id}/notice",
    ): "401 403  200   200   404    403     403  404   200",
    (
        "POST",
        "/api/v1/activities/{activity_id}/confirm",
    ): "401 403  200   200   404    403     403  404   200",
    (
        "POST",
        "/api/v1/activities/{activity_id}/served",
    ): "401 403  201   201   404    403     404  404   201",
    # -- 补录 (records from before the platform) --------------------------------------------
    (
        "POST",
        "/api/v1/activities/back-entries",
    ): "401 403  201   201   201    403     403  403   201",
}
PUBLIC_OPERATIONS = {"activities_public_notice"}

pytestmark = pytest.mark.usefixtures("no_pii_in_logs")


@dataclass
class Target:
    url: str
    body: dict[str, Any]


class Scene:
    """Builds, for each request, the union-A object it asks for (fresh where the request writes)."""

    def __init__(self, world: Any) -> None:
        self.world = world
        self.counter = 0
        w = world
        self.activity = make_activity(
            w.union_a, co_organizers=[w.authority], quotas=[(w.enterprise_a, 20)]
        )
        self.home = home_create(
            actor=None,
            name="解放南路商圈职工之家",
            owners=[w.union_a, w.enterprise_a],
            opens_at=time(8),
            closes_at=time(22),
        )
        self.line = budget_line_create(
            actor=None,
            owner=w.union_a,
            year=2026,
            source="union_funds",
            name="疗休养经费",
            amount=Decimal("2000000"),
        )
        self.unit = partner_unit_create(
            actor=None,
            owner=w.union_a,
            name="红庙山庄",
            agreement_starts_on=timezone.localdate(),
            agreement_ends_on=timezone.localdate() + timedelta(days=365),
            routes="疗养+山水线",
        )
        self.merchant = merchant_create(
            actor=None, owner=w.union_a, name="昆山镇米厂", products="大米"
        )
        self.expense = self.spent()
        self.selected = self.application()
        self.checkins: dict[str, int] = {}  # principal -> the application they check in

    def spent(self, *, pending: bool = False) -> Expense:
        """A fresh expense of union A's line (``pending``: an override waiting for approval)."""
        if pending and not self.line.override_ceiling:
            self.line = budget_line_update(
                actor=None, line=self.line, override_ceiling=Decimal("100000000")
            )
        return expense_record(
            actor=None,
            budget_line=self.line,
            kind="expense",
            amount=self.line.amount * 2 if pending else Decimal("10"),
            spent_on=timezone.localdate(),
            may_override=pending,
            override_reason="追加拨款" if pending else "",
        )

    def fresh(self, **fields: Any) -> Activity:
        self.counter += 1
        w = self.world
        fields.setdefault("quotas", [(w.enterprise_a, 20)])
        return make_activity(
            w.union_a, title=f"活动{self.counter}", co_organizers=[w.authority], **fields
        )

    def application(self, *, checked_in: bool = False) -> Application:
        application = application_submit(
            actor=None, activity=self.fresh(), worker=self.world.worker_a
        )
        if checked_in:
            application_check_in(
                actor=None, application=application, on=application.activity.starts_on
            )
        return application

    def application_today(self) -> Application:
        """An application to an activity under way today: check-in is open only on its days."""
        return application_submit(
            actor=None,
            activity=self.fresh(starts_on=timezone.localdate()),
            worker=self.world.worker_a,
        )

    def booking(self) -> Booking:
        self.counter += 1
        day = timezone.localdate() + timedelta(days=10 + self.counter // 10)
        start = timezone.make_aware(datetime.combine(day, time(8 + self.counter % 10)))
        return booking_create(
            actor=None,
            home=self.home,
            owner=self.world.union_a,
            starts_at=start,
            ends_at=start + timedelta(minutes=45),
            purpose="骑手体检",
            people=8,
        )

    def drawn(self) -> Activity:
        activity = self.fresh(selection=Selection.LOTTERY)
        application_submit(actor=None, activity=activity, worker=self.world.worker_a)
        return activity_draw(actor=None, activity=close_window(activity))

    def in_notice(self) -> Activity:
        activity = activity_publish_notice(actor=None, activity=self.drawn(), days=5)
        Activity.objects.filter(pk=activity.pk).update(notice_ends_on=timezone.localdate())
        return activity

    def target(self, key: str) -> Target:
        a, w = self.activity, self.world
        self.counter += 1
        day = timezone.localdate() + timedelta(days=3)
        hour = 8 + self.counter % 13
        slot = {
            "owner_id": w.union_a.pk,
            "purpose": "义诊",
            "people": 10,
            "starts_at": f"{day}T{hour:02d}:00:00+08:00",
            "ends_at": f"{day}T{hour:02d}:30:00+08:00",
        }
        if key in {"draft"}:
            return Target(str(self.fresh(publish=False).pk), {})
        builders: dict[str, Callable[[], Target]] = {
            "activity": lambda: Target(str(a.pk), {}),
            "publish": lambda: Target(str(self.fresh(publish=False).pk), {}),
            "apply": lambda: Target(str(self.fresh().pk), {}),
            "nominate": lambda: Target(
                str(self.fresh(selection=Selection.NOMINATION).pk),
                {"worker_id": w.worker_a.pk, "worker": w.worker_a.pk},
            ),
            "draw": lambda: Target(
                str(close_window(self.fresh(selection=Selection.LOTTERY)).pk), {}
            ),
            "notice": lambda: Target(
                str(self.drawn().pk), {"days": 5, "objection_channel": "0931-8888888"}
            ),
            "confirm": lambda: Target(str(self.in_notice().pk), {}),
            "served": lambda: Target(
                str(
                    self.fresh(
                        kind=ActivityKind.CHARITY,
                        selection=Selection.OPEN,
                        total_places=0,
                        applications_open_at=None,
                        applications_close_at=None,
                        quotas=[],
                    ).pk
                ),
                {"people": 30, "served_on": "2026-04-20"},
            ),
            "withdraw": lambda: Target(str(self.application().pk), {"reason": "临时有事"}),
            "feedback": lambda: Target(
                str(self.application(checked_in=True).pk), {"rating": 5, "feedback": "很好"}
            ),
            "qr": lambda: Target(str(self.selected.pk), {}),
            "checkin_page": lambda: Target(self.selected.checkin_token, {}),
            "checkin": lambda: Target("", {"token": self.application_today().checkin_token}),
            "home": lambda: Target(str(self.home.pk), {}),
            "booking": lambda: Target(str(self.home.pk), slot),
            "expense": lambda: Target(
                "",
                {
                    "budget_line_id": self.line.pk,
                    "kind": "expense",
                    "amount": "100.00",
                    "spent_on": "2026-06-01",
                },
            ),
            "edit": lambda: Target(
                str(self.fresh().pk),
                {
                    "title": "甘南草原疗休养（第二批）",
                    "total_places": 30,
                    "quotas": [{"body_id": w.enterprise_a.pk, "places": 15}],
                },
            ),
            "home_create": lambda: Target(
                "",
                {
                    "name": "南关什字职工驿站",
                    "owner_ids": [w.union_a.pk],
                    "opens_at": "08:00",
                    "closes_at": "20:00",
                    "capacity": 20,
                },
            ),
            "home_edit": lambda: Target(
                str(self.home.pk), {"facilities": "休息区、饮水、充电", "capacity": 30}
            ),
            "cancel": lambda: Target(str(self.booking().pk), {"reason": "场地临时维修"}),
            "create": lambda: Target(
                "",
                {
                    "title": "春节送温暖",
                    "kind": "holiday_care",
                    "starts_on": "2027-01-20",
                    "ends_on": "2027-01-25",
                    "selection": "open",
                },
            ),
            "none": lambda: Target("", {}),
            "line": lambda: Target(str(self.line.pk), {"override_ceiling": "5000.00"}),
            "line_create": lambda: Target(
                "",
                {
                    "owner_id": w.union_a.pk,
                    "year": 2026,
                    "source": "special_fund",
                    "name": "微疗养专项资金",
                    "amount": "500000.00",
                    "override_ceiling": "50000.00",
                },
            ),
            "expense_detail": lambda: Target(str(self.expense.pk), {}),
            "reverse": lambda: Target(str(self.spent().pk), {"reason": "重复录入"}),
            "decide": lambda: Target(
                str(self.spent(pending=True).pk), {"note": "同意", "decision": "approve"}
            ),
            "reject": lambda: Target(str(self.spent(pending=True).pk), {"note": "预算不足"}),
            "unit": lambda: Target(str(self.unit.pk), {}),
            "merchant": lambda: Target(str(self.merchant.pk), {}),
            "merchant_off": lambda: Target(str(self.merchant.pk), {"active": "0"}),
            "unit_create": lambda: Target(
                "",
                {
                    "owner_id": w.union_a.pk,
                    "name": "严桥镇农家乐",
                    "agreement_starts_on": "2026-01-01",
                    "agreement_ends_on": "2027-12-31",
                    "routes": ["乡村+文化线"],
                },
            ),
            "merchant_create": lambda: Target(
                "", {"owner_id": w.union_a.pk, "name": "昆山镇米厂", "products": "大米"}
            ),
            # 补录: an open event held a month ago, with its head count
            "back_entry": lambda: Target(
                "",
                {
                    "title": "补录的爱心义剪",
                    "kind": "charity",
                    "starts_on": (timezone.localdate() - timedelta(days=30)).isoformat(),
                    "ends_on": (timezone.localdate() - timedelta(days=30)).isoformat(),
                    "people_served": 120,
                },
            ),
        }
        return builders[key]()


PAGE_KEYS = {
    "activities/<int:pk>/": "activity",
    "activities/<int:pk>/publish/": "publish",
    "activities/<int:pk>/apply/": "apply",
    "activities/<int:pk>/nominate/": "nominate",
    "activities/<int:pk>/draw/": "draw",
    "activities/<int:pk>/notice/": "notice",
    "activities/<int:pk>/confirm/": "confirm",
    "activities/<int:pk>/served/": "served",
    "activities/applications/<int:pk>/withdraw/": "withdraw",
    "activities/applications/<int:pk>/feedback/": "feedback",
    "activities/applications/<int:pk>/qr.svg": "qr",
    "activities/checkin/<str:token>/": "checkin_page",
    "activities/public/<int:pk>/": "activity",
    "activities/homes/<int:pk>/": "home",
    "activities/<int:pk>/edit/": "activity",
    "activities/homes/<int:pk>/edit/": "home",
    "activities/homes/bookings/<int:pk>/cancel/": "cancel",
    "activities/funds/lines/<int:pk>/": "line",
    "activities/funds/lines/<int:pk>/edit/": "line",
    "activities/funds/expenses/<int:pk>/": "expense_detail",
    "activities/funds/expenses/<int:pk>/decide/": "decide",
    "activities/partners/<int:pk>/": "unit",
    "activities/partners/<int:pk>/edit/": "unit",
    "activities/merchants/<int:pk>/edit/": "merchant",
    "activities/merchants/<int:pk>/active/": "merchant_off",
}
API_KEYS = {
    ("POST", "/api/v1/activities/"): "create",
    ("POST", "/api/v1/activities/checkin"): "checkin",
    ("POST", "/api/v1/activities/homes/{home_id}/bookings"): "booking",
    ("POST", "/api/v1/activities/expenses"): "expense",
    ("POST", "/api/v1/activities/applications/{application_id}/withdraw"): "withdraw",
    ("POST", "/api/v1/activities/applications/{application_id}/feedback"): "feedback",
    ("POST", "/api/v1/activities/{activity_id}/publish"): "publish",
    ("POST", "/api/v1/activities/{activity_id}/apply"): "apply",
    ("POST", "/api/v1/activities/{activity_id}/nominate"): "nominate",
    ("POST", "/api/v1/activities/{activity_id}/draw"): "draw",
    ("POST", "/api/v1/activities/{activity_id}/notice"): "notice",
    ("POST", "/api/v1/activities/{activity_id}/confirm"): "confirm",
    ("POST", "/api/v1/activities/{activity_id}/served"): "served",
    ("PATCH", "/api/v1/activities/{activity_id}"): "edit",
    ("POST", "/api/v1/activities/homes/"): "home_create",
    ("PATCH", "/api/v1/activities/homes/{home_id}"): "home_edit",
    ("POST", "/api/v1/activities/bookings/{booking_id}/cancel"): "cancel",
    ("POST", "/api/v1/activities/budget-lines"): "line_create",
    ("PATCH", "/api/v1/activities/budget-lines/{line_id}"): "line",
    ("POST", "/api/v1/activities/expenses/{expense_id}/reverse"): "reverse",
    ("POST", "/api/v1/activities/expenses/{expense_id}/approve"): "decide",
    ("POST", "/api/v1/activities/expenses/{expense_id}/reject"): "reject",
    ("POST", "/api/v1/activities/partner-units"): "unit_create",
    ("POST", "/api/v1/activities/merchants"): "merchant_create",
    # 补录
    ("POST", "/api/v1/activities/back-entries"): "back_entry",
}


@pytest.fixture
def scene(world: Any) -> Scene:
    return Scene(world)


def scrub(body: bytes) -> bytes:
    """Remove the lotteries' seeds and commitments (64 hex digits, shown whole or in groups of
    16): a run of their digits can look like a mobile number, and they are public on purpose."""
    for seed, commitment in Activity.objects.exclude(seed="").values_list(
        "seed", "seed_commitment"
    ):
        for value in (seed, commitment):
            body = body.replace(value.encode(), b"")
            for start in range(0, 64, 16):
                body = body.replace(value[start : start + 16].encode(), b"")
    return body


def page_request(route: str, scene: Scene) -> Request:
    def request(case: Case) -> Any:
        target = scene.target(PAGE_KEYS.get(route, "none"))
        url = "/" + route.replace("<int:pk>", target.url).replace("<str:token>", target.url)
        return case.send(url, target.body)

    return request


def api_request(operation: tuple[str, str], scene: Scene) -> Request:
    path = operation[1]
    key = API_KEYS.get(operation)
    if key is None:
        key = "home" if "{home_id}" in path else "qr" if "{application_id}" in path else "activity"

    def request(case: Case) -> Any:
        target = scene.target(key)
        url = (
            path.replace("{activity_id}", target.url)
            .replace("{home_id}", target.url)
            .replace("{application_id}", target.url)
            .replace("{booking_id}", target.url)
            .replace("{line_id}", target.url)
            .replace("{expense_id}", target.url)
        )
        return case.send(url, target.body)

    return request


@over_pages(PAGE_TABLE)
def test_page(route: str, world: Any, scene: Scene) -> None:
    run_page_row(PAGE_TABLE, route, world, page_request(route, scene), scrub=scrub)


@pytest.mark.parametrize("route", list(PAGE_POST_TABLE))
def test_page_post(route: str, world: Any, scene: Scene) -> None:
    """The write a page's form sends, with its real fields and each principal's CSRF token;
    a refused one changes no row of the database."""
    row = page_post(route, scene)
    run_page_post_row(PAGE_POST_TABLE, route, world, row.pop("url"), scrub=scrub, **row)
    if route == "activities/checkin/<str:token>/":
        # A refused check-in is a redirect too (with its reason as a message): each `done`
        # must have checked its participant in, and no other principal's participant.
        expected = outcomes(PAGE_POST_TABLE[route])
        checked_in = {
            principal: Application.objects.get(pk=pk).checked_in_at is not None
            for principal, pk in scene.checkins.items()
        }
        assert checked_in == {p: expected[p] == "done" for p in scene.checkins}


def page_post(route: str, scene: Scene) -> dict[str, Any]:
    """What the POST row of ``route`` sends: the URL (of a fresh object for each principal
    where one write would change what the next principal finds) and the values typed in."""
    day = timezone.localdate() + timedelta(days=20)
    back_on = (timezone.localdate() - timedelta(days=30)).isoformat()
    w = scene.world

    def checkin_url(principal: str) -> str:
        application = scene.application_today()
        scene.checkins[principal] = application.pk
        return f"/activities/checkin/{application.checkin_token}/"

    rows: dict[str, dict[str, Any]] = {
        "activities/new/": {
            "url": "/activities/new/",
            "values": {
                "title": "春节送温暖",
                "kind": "holiday_care",
                "starts_on": "2027-01-20",
                "ends_on": "2027-01-25",
                "selection": "open",
            },
        },
        "activities/homes/new/": {
            "url": "/activities/homes/new/",
            "values": lambda principal: {
                "name": f"南关什字职工驿站（{principal}）",
                "address": "南关什字",
                "open_weekdays": list("12345"),
            },
        },
        "activities/funds/": {
            "url": "/activities/funds/",
            "values": {"budget_line": str(scene.line.pk), "amount": "100.00", "note": "慰问品"},
        },
        "activities/funds/lines/new/": {
            "url": "/activities/funds/lines/new/",
            "values": lambda principal: {
                "owner": str(w.union_a.pk),
                "year": "2026",
                "source": "special_fund",
                "name": f"微疗养专项资金（{principal}）",
                "amount": "500000",
                "override_ceiling": "50000",
            },
        },
        "activities/funds/lines/<int:pk>/edit/": {
            "url": f"/activities/funds/lines/{scene.line.pk}/edit/",
            "values": lambda principal: {
                "override_ceiling": str(1000 + PRINCIPALS.index(principal)),
            },
        },
        "activities/funds/expenses/<int:pk>/": {
            "url": lambda principal: f"/activities/funds/expenses/{scene.spent().pk}/",
            "values": {"reason": "重复录入"},
        },
        "activities/partners/": {
            "url": "/activities/partners/",
            "values": lambda principal: {
                "owner": str(w.union_a.pk),
                "name": f"严桥镇农家乐（{principal}）",
                "agreement_starts_on": "2026-01-01",
                "agreement_ends_on": "2027-12-31",
            },
        },
        "activities/partners/<int:pk>/edit/": {
            "url": f"/activities/partners/{scene.unit.pk}/edit/",
            "values": lambda principal: {"capacity": str(40 + PRINCIPALS.index(principal))},
        },
        "activities/merchants/<int:pk>/edit/": {
            "url": f"/activities/merchants/{scene.merchant.pk}/edit/",
            "values": lambda principal: {"town": f"昆山镇（{principal}）"},
        },
        "activities/merchants/": {
            "url": "/activities/merchants/",
            "values": lambda principal: {
                "owner": str(w.union_a.pk),
                "name": f"昆山镇米厂（{principal}）",
                "products": "大米",
            },
        },
        "activities/<int:pk>/edit/": {
            "url": lambda principal: f"/activities/{scene.fresh().pk}/edit/",
            "values": {"title": "甘南草原疗休养（第二批）", "total_places": "30"},
        },
        "activities/homes/<int:pk>/": {
            "url": f"/activities/homes/{scene.home.pk}/",
            # One hour each (the home opens 8:00-22:00), so that no booking meets another.
            "values": lambda principal: {
                "day": day.isoformat(),
                "starts": f"{8 + PRINCIPALS.index(principal):02d}:00",
                "ends": f"{8 + PRINCIPALS.index(principal):02d}:45",
                "purpose": "骑手体检",
                "people": "8",
            },
        },
        "activities/homes/<int:pk>/edit/": {
            "url": f"/activities/homes/{scene.home.pk}/edit/",
            # The boxes a person leaves ticked: both owners, every day (the page's form reader
            # keeps one value of a name, so the ticked lists are given whole).
            "values": {
                "facilities": "休息区、饮水、充电",
                "capacity": "30",
                "owners": [str(w.union_a.pk), str(w.enterprise_a.pk)],
                "open_weekdays": list("1234567"),
            },
        },
        "activities/checkin/<str:token>/": {"url": checkin_url},
        # 补录: an open event held a month ago, with its head count.
        "activities/back-entry/": {
            "url": "/activities/back-entry/",
            "values": {
                "title": "补录的爱心义剪",
                "kind": "charity",
                "starts_on": back_on,
                "ends_on": back_on,
                "people_served": "120",
            },
        },
    }
    return rows.get(route, {"url": "/" + route})


@over_operations(API_TABLE)
def test_api(
    operation: tuple[str, str],
    auth: str,
    world: Any,
    scene: Scene,
    api_token: Callable[..., dict[str, str]],
) -> None:
    request = api_request(operation, scene)
    run_api_row(API_TABLE, operation, auth, world, api_token, request, scrub=scrub)


# -- cross-tenant -------------------------------------------------------------------------------------


def test_other_union_gets_404_like_a_record_that_does_not_exist(
    world: Any, scene: Scene, api_token
) -> None:
    staff_b = world.users["staff_b"]
    page = BrowserClient()
    page.force_login(staff_b)
    bearer = api_token(staff_b)
    missing = 10_000_000
    a = scene.activity
    for theirs, nothing in [
        (f"/activities/{a.pk}/", f"/activities/{missing}/"),
        (f"/activities/homes/{scene.home.pk}/", f"/activities/homes/{missing}/"),
        (
            f"/activities/applications/{scene.selected.pk}/qr.svg",
            f"/activities/applications/{missing}/qr.svg",
        ),
    ]:
        assert page.get(theirs).status_code == 404
        assert page.get(nothing).status_code == 404
    for theirs, nothing in [
        (f"/api/v1/activities/{a.pk}", f"/api/v1/activities/{missing}"),
        (f"/api/v1/activities/{a.pk}/applications", f"/api/v1/activities/{missing}/applications"),
    ]:
        mine, none = BrowserClient().get(theirs, **bearer), BrowserClient().get(nothing, **bearer)
        assert (mine.status_code, mine.content) == (none.status_code, none.content)
        assert mine.status_code == 404
    before = Application.objects.count()
    response = BrowserClient().post(
        f"/api/v1/activities/applications/{scene.selected.pk}/withdraw",
        {},
        content_type="application/json",
        **bearer,
    )
    assert response.status_code == 404
    assert Application.objects.count() == before
    scene.selected.refresh_from_db()
    assert scene.selected.status == "selected"


def test_lists_never_carry_the_other_unions_activities(world: Any, scene: Scene, api_token) -> None:
    theirs = make_activity(world.union_b, title="乙方春节慰问")
    admin_a = api_token(world.users["admin_a"])
    titles = {
        item["title"]
        for item in BrowserClient().get("/api/v1/activities/?limit=100", **admin_a).json()["items"]
    }
    assert "乙方春节慰问" not in titles
    assert scene.activity.title in titles
    page = BrowserClient()
    page.force_login(world.users["admin_a"])
    assert "乙方春节慰问" not in page.get("/activities/").content.decode()
    worker = BrowserClient()
    worker.force_login(world.users["worker_a"])
    assert worker.get(f"/activities/{theirs.pk}/").status_code == 404


def test_a_body_sees_only_its_own_nominees(world: Any, api_token) -> None:
    from liandong.organizations.tests.factories import EnterpriseFactory, OutletFactory
    from liandong.workers.tests.factories import WorkerFactory

    other_enterprise = EnterpriseFactory(name="丙快递公司", code="W-EC", parent=world.union_a)
    other_outlet = OutletFactory(name="丙快递网点", code="W-OC", parent=other_enterprise)
    activity = make_activity(
        world.union_a,
        selection=Selection.NOMINATION,
        quotas=[(world.enterprise_a, 5), (other_enterprise, 5)],
    )
    stranger = WorkerFactory(employer=other_outlet, name="丙职工")
    application_submit(
        actor=world.users["admin_a"],
        activity=activity,
        worker=stranger,
        nominated_by=world.users["admin_a"],
    )
    application_submit(
        actor=world.users["enterprise_a"],
        activity=activity,
        worker=world.worker_a,
        nominated_by=world.users["enterprise_a"],
    )
    ent = api_token(world.users["enterprise_a"])
    names = [
        i["worker_name"]
        for i in BrowserClient()
        .get(f"/api/v1/activities/{activity.pk}/applications", **ent)
        .json()["items"]
    ]
    assert names == [world.worker_a.name]
    # …and cannot nominate a worker of another enterprise.
    response = BrowserClient().post(
        f"/api/v1/activities/{activity.pk}/nominate",
        {"worker_id": stranger.pk},
        content_type="application/json",
        **ent,
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "worker_id"]
    admin = api_token(world.users["admin_a"])
    everyone = (
        BrowserClient()
        .get(f"/api/v1/activities/{activity.pk}/applications", **admin)
        .json()["items"]
    )
    assert len(everyone) == 2
