"""Every rule of issue 5, through the services."""

from datetime import date, time, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from liandong.activities import services
from liandong.activities.models import (
    Activity,
    ActivityKind,
    ActivityStatus,
    Application,
    ApplicationStatus,
    BudgetLine,
    ExpenseKind,
    FundSource,
    Quota,
    Selection,
)
from liandong.activities.services import (
    activity_commit_seed,
    activity_confirm,
    activity_draw,
    activity_publish_notice,
    application_check_in,
    application_feedback,
    application_submit,
    application_withdraw,
    booking_create,
    budget_line_create,
    eligibility_check,
    expense_approve,
    expense_record,
    home_create,
    service_entry_record,
)
from liandong.activities.tests.factories import close_window, make_activity
from liandong.core.models import AuditLog
from liandong.workers.tests.factories import WorkerFactory

pytestmark = pytest.mark.usefixtures("no_pii_in_logs")


def members(employer, n, **kwargs):
    return [
        WorkerFactory(employer=employer, joined_union_on=date(2020, 1, 1), **kwargs)
        for _ in range(n)
    ]


def code_of(error: pytest.ExceptionInfo) -> str:
    return next(iter(error.value.error_dict.values()))[0].code


# -- creating ---------------------------------------------------------------------------------------


def test_create_refuses_quotas_over_the_total_and_saves_nothing(world) -> None:
    with pytest.raises(ValidationError) as error:
        make_activity(
            world.union_a, total_places=10, quotas=[(world.enterprise_a, 8), (world.outlet_a, 5)]
        )
    assert "quotas" in error.value.error_dict
    assert Activity.objects.count() == 0


def test_create_needs_a_window_and_places_when_applications_are_taken(world) -> None:
    with pytest.raises(ValidationError) as error:
        make_activity(world.union_a, total_places=0, applications_open_at=None)
    assert {"total_places", "applications_close_at"} <= set(error.value.error_dict)
    open_event = make_activity(
        world.union_a,
        title="爱心义剪",
        kind=ActivityKind.CHARITY,
        selection=Selection.OPEN,
        total_places=0,
        applications_open_at=None,
        applications_close_at=None,
    )
    assert open_event.status == ActivityStatus.OPEN
    assert AuditLog.objects.filter(
        action="activities.created", target_id=str(open_event.pk)
    ).exists()


# -- applying, first come -----------------------------------------------------------------------------


def test_first_come_takes_a_place_and_gives_an_unguessable_checkin_token(world) -> None:
    activity = make_activity(world.union_a, total_places=2)
    application = application_submit(actor=None, activity=activity, worker=world.worker_a)
    assert application.status == ApplicationStatus.SELECTED
    assert len(application.checkin_token) >= 32
    activity.refresh_from_db()
    assert activity.places_taken == 1
    assert AuditLog.objects.filter(
        action="activities.applied", target_id=str(application.pk)
    ).exists()


def test_applying_twice_is_refused(world) -> None:
    activity = make_activity(world.union_a)
    application_submit(actor=None, activity=activity, worker=world.worker_a)
    with pytest.raises(ValidationError) as error:
        application_submit(actor=None, activity=activity, worker=world.worker_a)
    assert code_of(error) == "duplicate"
    activity.refresh_from_db()
    assert activity.places_taken == 1


@pytest.mark.parametrize(
    ("opens", "closes", "code"), [(1, 2, "not_yet_open"), (-2, -1, "window_closed")]
)
def test_applying_outside_the_window_is_refused(world, opens, closes, code) -> None:
    now = timezone.now()
    activity = make_activity(
        world.union_a,
        applications_open_at=now + timedelta(hours=opens),
        applications_close_at=now + timedelta(hours=closes),
    )
    with pytest.raises(ValidationError) as error:
        application_submit(actor=None, activity=activity, worker=world.worker_a)
    assert code_of(error) == code
    assert Application.objects.count() == 0


def test_a_full_activity_refuses_and_changes_nothing(world) -> None:
    activity = make_activity(world.union_a, total_places=1)
    first, second = WorkerFactory(employer=world.outlet_a), WorkerFactory(employer=world.outlet_a)
    application_submit(actor=None, activity=activity, worker=first)
    with pytest.raises(ValidationError) as error:
        application_submit(actor=None, activity=activity, worker=second)
    assert error.value.error_dict["activity"][0].message == "名额已满"
    assert Application.objects.filter(activity=activity).count() == 1


def test_a_full_quota_refuses_while_other_bodies_still_have_room(world) -> None:
    other_outlet = WorkerFactory().employer  # an outlet outside A: not eligible at all
    activity = make_activity(
        world.union_a, total_places=5, quotas=[(world.outlet_a, 1), (world.enterprise_a, 3)]
    )
    a1, a2 = WorkerFactory(employer=world.outlet_a), WorkerFactory(employer=world.outlet_a)
    assert application_submit(actor=None, activity=activity, worker=a1).body == world.outlet_a
    with pytest.raises(ValidationError) as error:
        application_submit(actor=None, activity=activity, worker=a2)
    assert code_of(error) == "quota_full"
    assert "甲快递城关网点" in error.value.messages[0]
    activity.refresh_from_db()
    assert activity.places_taken == 1  # the refused claim left the total untouched
    outsider = WorkerFactory(employer=other_outlet)
    assert not eligibility_check(activity=activity, worker=outsider).ok


def test_withdrawal_frees_the_place_and_the_quota(world) -> None:
    activity = make_activity(world.union_a, total_places=1, quotas=[(world.outlet_a, 1)])
    application = application_submit(actor=None, activity=activity, worker=world.worker_a)
    application_withdraw(actor=None, application=application, reason="家中有事")
    activity.refresh_from_db()
    assert (activity.places_taken, Quota.objects.get(activity=activity).taken) == (0, 0)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.WITHDRAWN
    assert application.checkin_token is None
    other = WorkerFactory(employer=world.outlet_a)
    assert (
        application_submit(actor=None, activity=activity, worker=other).status
        == ApplicationStatus.SELECTED
    )
    with pytest.raises(ValidationError):
        application_withdraw(actor=None, application=application)


# -- eligibility --------------------------------------------------------------------------------------


def test_eligibility_reasons_are_given_in_chinese(world) -> None:
    young = WorkerFactory(
        employer=world.outlet_a, id_number="620102200501011235", occupation="外卖骑手"
    )
    activity = make_activity(
        world.union_a, members_only=True, min_age=25, max_age=55, target_worker_types=["courier"]
    )
    result = eligibility_check(activity=activity, worker=young)
    assert result.reasons == [
        "本活动仅限工会会员报名，您还不是工会会员",
        "本活动面向快递员",
        "本活动要求年满 25 周岁",
    ]
    with pytest.raises(ValidationError) as error:
        application_submit(actor=None, activity=activity, worker=young)
    assert "仅限工会会员" in error.value.messages[0]
    # worker A was born 1984: 40-something, and a courier; as a member, eligible.
    world.worker_a.joined_union_on = date(2024, 5, 1)
    world.worker_a.save(update_fields=["joined_union_on"])
    assert eligibility_check(activity=activity, worker=world.worker_a).ok
    old = make_activity(world.union_a, max_age=35)
    assert eligibility_check(activity=old, worker=world.worker_a).reasons == [
        "本活动要求年龄不超过 35 周岁"
    ]


def test_no_recuperation_in_the_last_n_years(world) -> None:
    last_year = timezone.localdate() - timedelta(days=300)
    past = make_activity(world.union_a, title="去年疗休养", starts_on=last_year, ends_on=last_year)
    Application.objects.create(
        activity=past, worker=world.worker_a, status=ApplicationStatus.CONFIRMED
    )
    activity = make_activity(world.union_a, no_recuperation_years=3)
    assert eligibility_check(activity=activity, worker=world.worker_a).reasons == [
        "您近 3 年内已参加过疗休养"
    ]
    assert eligibility_check(
        activity=make_activity(world.union_a, no_recuperation_years=0), worker=world.worker_a
    ).ok


def test_years_registered_in_the_trade(world) -> None:
    activity = make_activity(world.union_a, min_years_registered=2)
    assert eligibility_check(activity=activity, worker=world.worker_a).reasons == [
        "本活动要求从业登记满 2 年"
    ]


def test_another_unions_activity_is_not_open_to_the_worker(world) -> None:
    activity = make_activity(world.union_b)
    with pytest.raises(ValidationError) as error:
        application_submit(actor=None, activity=activity, worker=world.worker_a)
    assert "不面向您所在的单位" in error.value.messages[0]


def test_nomination_only_activities_refuse_self_application_and_take_nominees(world) -> None:
    activity = make_activity(
        world.union_a,
        selection=Selection.NOMINATION,
        total_places=3,
        quotas=[(world.enterprise_a, 1)],
    )
    with pytest.raises(ValidationError) as error:
        application_submit(actor=None, activity=activity, worker=world.worker_a)
    assert code_of(error) == "nomination_only"
    nominator = world.users["enterprise_a"]
    application = application_submit(
        actor=nominator, activity=activity, worker=world.worker_a, nominated_by=nominator
    )
    assert (application.status, application.body) == (
        ApplicationStatus.SELECTED,
        world.enterprise_a,
    )
    with pytest.raises(ValidationError) as error:
        application_submit(
            actor=nominator,
            activity=activity,
            worker=WorkerFactory(employer=world.outlet_a),
            nominated_by=nominator,
        )
    assert code_of(error) == "quota_full"


# -- the lottery --------------------------------------------------------------------------------------


def lottery(world, **fields):
    return make_activity(world.union_a, selection=Selection.LOTTERY, **fields)


def test_publishing_a_lottery_commits_to_a_seed_that_cannot_be_replaced(world) -> None:
    activity = lottery(world)
    assert len(activity.seed_commitment) == 64
    assert services._seed_hash(activity.seed) == activity.seed_commitment
    with pytest.raises(ValidationError) as error:
        activity_commit_seed(actor=None, activity=activity)
    assert code_of(error) == "already_committed"
    activity.refresh_from_db()
    assert services._seed_hash(activity.seed) == activity.seed_commitment


def test_the_draw_waits_for_the_window_and_runs_once(world) -> None:
    activity = lottery(world, total_places=2)
    for worker in members(world.outlet_a, 3):
        application_submit(actor=None, activity=activity, worker=worker)
    with pytest.raises(ValidationError) as error:
        activity_draw(actor=None, activity=activity)
    assert code_of(error) == "window_open"
    activity = close_window(activity)
    activity_draw(actor=world.users["admin_a"], activity=activity)
    statuses = sorted(
        a.state for a in Application.objects.filter(activity=activity).select_related("activity")
    )
    assert statuses == ["selected", "selected", "waitlisted"]
    order = Activity.objects.get(pk=activity.pk).draw_order
    with pytest.raises(ValidationError) as error:
        activity_draw(actor=world.users["admin_a"], activity=activity)
    assert code_of(error) == "already_drawn"
    assert Activity.objects.get(pk=activity.pk).draw_order == order
    entry = AuditLog.objects.get(action="activities.drawn")
    assert entry.changes["selected"] == 2
    assert entry.changes["seed"] == activity.seed


def test_a_lottery_respects_tiers_and_quotas(world, monkeypatch) -> None:
    honoured = members(world.outlet_a, 2)
    others = members(world.outlet_a, 6)
    honoured_ids = {w.pk for w in honoured}

    def honours(worker_ids):
        return {pk: ["劳模"] for pk in worker_ids if pk in honoured_ids}

    monkeypatch.setattr(
        services, "hooks", lambda name: [honours] if name == "worker_honours" else []
    )
    activity = lottery(
        world, total_places=4, priority_rules=["honour:劳模"], quotas=[(world.outlet_a, 3)]
    )
    for worker in others + honoured:
        application_submit(actor=None, activity=activity, worker=worker)
    activity_draw(actor=None, activity=close_window(activity))
    selected = set(
        Application.objects.filter(activity=activity, status="selected").values_list(
            "worker_id", flat=True
        )
    )
    assert honoured_ids <= selected  # tier 0 first
    assert len(selected) == 3  # the quota of the only body caps the places
    activity.refresh_from_db()
    assert activity.places_taken == 3
    assert [tier for _, tier in activity.draw_order[:2]] == [0, 0]


def test_withdrawal_promotes_the_best_ranked_waiting_applicant(world) -> None:
    activity = lottery(world, total_places=2)
    for worker in members(world.outlet_a, 5):
        application_submit(actor=None, activity=activity, worker=worker)
    activity = activity_draw(actor=None, activity=close_window(activity))
    ranked = [app_id for app_id, _ in activity.draw_order]
    first_waiting = ranked[2]
    application_withdraw(
        actor=None, application=Application.objects.get(pk=ranked[0]), reason="临时出车"
    )
    promoted = Application.objects.get(pk=first_waiting)
    assert promoted.status == ApplicationStatus.SELECTED
    assert promoted.checkin_token
    activity.refresh_from_db()
    assert activity.places_taken == 2
    assert AuditLog.objects.filter(
        action="activities.promoted", target_id=str(first_waiting)
    ).exists()


# -- notice, confirmation, check-in ---------------------------------------------------------------------


def test_notice_then_confirmation_after_the_notice_period(world) -> None:
    activity = lottery(world, total_places=1)
    application_submit(actor=None, activity=activity, worker=world.worker_a)
    with pytest.raises(ValidationError):
        activity_publish_notice(actor=None, activity=activity)  # not drawn yet
    activity = activity_draw(actor=None, activity=close_window(activity))
    activity = activity_publish_notice(
        actor=None, activity=activity, days=5, objection_channel="0931-8888888"
    )
    assert activity.notice_ends_on == timezone.localdate() + timedelta(days=5)
    with pytest.raises(ValidationError) as error:
        activity_confirm(actor=None, activity=activity)
    assert code_of(error) == "notice_running"
    Activity.objects.filter(pk=activity.pk).update(notice_ends_on=timezone.localdate())
    activity.refresh_from_db()
    activity_confirm(actor=None, activity=activity)
    assert Application.objects.get(activity=activity).status == ApplicationStatus.CONFIRMED


def test_check_in_opens_only_on_the_activity_days(world) -> None:
    today = timezone.localdate()
    early = make_activity(
        world.union_a, starts_on=today + timedelta(days=19), ends_on=today + timedelta(days=21)
    )
    application = application_submit(actor=None, activity=early, worker=world.worker_a)
    with pytest.raises(ValidationError) as error:
        application_check_in(actor=world.users["staff_a"], application=application)
    assert code_of(error) == "checkin_not_open"
    assert "活动尚未开始，签到从" in str(error.value)
    assert Application.objects.get(pk=application.pk).checked_in_at is None
    # the first and the last day are open; the day after is closed
    application_check_in(actor=None, application=application, on=early.ends_on)
    assert Application.objects.get(pk=application.pk).checked_in_at is not None
    late = application_submit(
        actor=None, activity=make_activity(world.union_a, title="第二期"), worker=world.worker_a
    )
    with pytest.raises(ValidationError) as error:
        application_check_in(
            actor=None, application=late, on=late.activity.ends_on + timedelta(days=1)
        )
    assert code_of(error) == "checkin_closed"
    application_check_in(actor=None, application=late, on=late.activity.starts_on)


def test_check_in_once_then_feedback(world) -> None:
    activity = make_activity(world.union_a, starts_on=timezone.localdate())
    application = application_submit(actor=None, activity=activity, worker=world.worker_a)
    with pytest.raises(ValidationError):
        application_feedback(actor=None, application=application, rating=5)
    application_check_in(actor=world.users["staff_a"], application=application)
    with pytest.raises(ValidationError) as error:
        application_check_in(actor=world.users["staff_a"], application=application)
    assert code_of(error) == "already_checked_in"
    application.refresh_from_db()
    application_feedback(
        actor=None, application=application, rating=5, feedback="草原很美，安排周到"
    )
    with pytest.raises(ValidationError):
        application_feedback(actor=None, application=application, rating=6)
    assert Application.objects.get(pk=application.pk).rating == 5


def test_people_served_per_sub_venue(world) -> None:
    from liandong.activities.selectors import activity_figures

    activity = make_activity(
        world.union_a,
        title="志愿服务大篷车",
        kind=ActivityKind.VOLUNTEER,
        selection=Selection.OPEN,
        total_places=0,
        applications_open_at=None,
        applications_close_at=None,
        sub_venues=["朝阳区", "丰台区"],
    )
    chaoyang, fengtai = activity.sub_venues.all()
    service_entry_record(
        actor=None,
        activity=activity,
        people=120,
        served_on=timezone.localdate(),
        sub_venue=chaoyang,
    )
    service_entry_record(
        actor=None, activity=activity, people=80, served_on=timezone.localdate(), sub_venue=fengtai
    )
    with pytest.raises(ValidationError):
        service_entry_record(
            actor=None, activity=activity, people=0, served_on=timezone.localdate()
        )
    figures = activity_figures(activity)
    assert figures.people_served == 200
    assert dict(figures.by_sub_venue) == {"朝阳区": 120, "丰台区": 80}


# -- homes -------------------------------------------------------------------------------------------------


def at(day: date, hour: int, minute: int = 0):
    return timezone.make_aware(timezone.datetime.combine(day, time(hour, minute)))


@pytest.fixture
def home(world):
    return home_create(
        actor=None,
        name="解放南路商圈职工之家",
        owners=[world.union_a, world.enterprise_a],
        opens_at=time(9),
        closes_at=time(21),
        facilities="健身房、培训室、医务室",
        capacity=40,
    )


def test_bookings_overlapping_another_are_refused(world, home) -> None:
    day = timezone.localdate() + timedelta(days=3)
    booking_create(
        actor=None,
        home=home,
        owner=world.union_a,
        starts_at=at(day, 9),
        ends_at=at(day, 11),
        purpose="骑手义诊",
        people=30,
    )
    with pytest.raises(ValidationError) as error:
        booking_create(
            actor=None,
            home=home,
            owner=world.enterprise_a,
            starts_at=at(day, 10, 30),
            ends_at=at(day, 12),
            purpose="技能培训",
        )
    assert code_of(error) == "overlap"
    assert "09:00–11:00" in error.value.messages[0]
    booking_create(
        actor=None,
        home=home,
        owner=world.enterprise_a,
        starts_at=at(day, 11),
        ends_at=at(day, 12),
        purpose="技能培训",
    )  # touching is not overlapping
    assert home.bookings.count() == 2


def test_bookings_keep_to_opening_hours_owners_and_capacity(world, home) -> None:
    day = timezone.localdate() + timedelta(days=3)
    cases = [
        ({"owner": world.union_a, "starts_at": at(day, 7), "ends_at": at(day, 8)}, "hours"),
        ({"owner": world.union_b, "starts_at": at(day, 9), "ends_at": at(day, 10)}, "owner"),
        (
            {"owner": world.union_a, "starts_at": at(day, 9), "ends_at": at(day, 10), "people": 41},
            "capacity",
        ),
    ]
    for kwargs, code in cases:
        with pytest.raises(ValidationError) as error:
            booking_create(actor=None, home=home, purpose="活动", **kwargs)
        assert code_of(error) == code
    assert home.bookings.count() == 0


def test_usage_per_owner(world, home) -> None:
    from liandong.activities.selectors import home_usage

    day = timezone.localdate() + timedelta(days=1)
    booking_create(
        actor=None,
        home=home,
        owner=world.union_a,
        starts_at=at(day, 9),
        ends_at=at(day, 11),
        purpose="义诊",
        people=30,
    )
    booking_create(
        actor=None,
        home=home,
        owner=world.enterprise_a,
        starts_at=at(day, 14),
        ends_at=at(day, 15),
        purpose="培训",
        people=12,
    )
    usage = {row["owner"]: row for row in home_usage(home)}
    assert (usage["甲产业工会"]["hours"], usage["甲产业工会"]["people"]) == (2.0, 30)
    assert usage["甲快递公司"]["bookings"] == 1


# -- funds ---------------------------------------------------------------------------------------------------


def test_spending_over_the_remainder_needs_an_admin_and_a_reason(world) -> None:
    line = budget_line_create(
        actor=None,
        owner=world.union_a,
        year=2026,
        source=FundSource.SPECIAL_FUND,
        name="微疗养专项资金",
        amount=Decimal("500000"),
        override_ceiling=Decimal("20000"),
    )
    expense_record(
        actor=None,
        budget_line=line,
        kind=ExpenseKind.SUBSIDY,
        amount=Decimal("450000"),
        spent_on=date(2026, 6, 1),
        enterprise=world.enterprise_a,
    )
    with pytest.raises(ValidationError) as error:
        expense_record(
            actor=None,
            budget_line=line,
            kind=ExpenseKind.EXPENSE,
            amount=Decimal("60000"),
            spent_on=date(2026, 6, 2),
        )
    assert "余额 50,000.00 元" in error.value.messages[0]
    with pytest.raises(ValidationError):  # an admin, but without a reason
        expense_record(
            actor=None,
            budget_line=line,
            kind=ExpenseKind.EXPENSE,
            amount=Decimal("60000"),
            spent_on=date(2026, 6, 2),
            may_override=True,
        )
    assert BudgetLine.objects.get(pk=line.pk).spent == Decimal("450000")
    expense = expense_record(
        actor=None,
        budget_line=line,
        kind=ExpenseKind.EXPENSE,
        amount=Decimal("60000"),
        spent_on=date(2026, 6, 2),
        may_override=True,
        override_reason="市总追加，待调整预算",
    )
    assert expense.override_reason == "市总追加，待调整预算"
    # It waits for a second admin: nothing is spent until approved.
    assert expense.status == "pending"
    assert BudgetLine.objects.get(pk=line.pk).remainder == Decimal("50000")
    expense_approve(actor=world.users["province_admin"], expense=expense)
    assert BudgetLine.objects.get(pk=line.pk).remainder == Decimal("-10000")


def test_subsidies_name_an_enterprise_and_local_products_a_merchant(world) -> None:
    line = budget_line_create(
        actor=None,
        owner=world.union_a,
        year=2026,
        source=FundSource.UNION_FUNDS,
        name="疗休养经费",
        amount=Decimal("1000"),
    )
    with pytest.raises(ValidationError) as error:
        expense_record(
            actor=None,
            budget_line=line,
            kind=ExpenseKind.SUBSIDY,
            amount=Decimal("10"),
            spent_on=date(2026, 1, 1),
        )
    assert "enterprise" in error.value.error_dict
    with pytest.raises(ValidationError) as error:
        expense_record(
            actor=None,
            budget_line=line,
            kind=ExpenseKind.LOCAL_PRODUCT,
            amount=Decimal("10"),
            spent_on=date(2026, 1, 1),
        )
    assert "merchant" in error.value.error_dict
    assert BudgetLine.objects.get(pk=line.pk).spent == 0


def test_tick_draws_due_lotteries_once(world) -> None:
    from liandong.activities.jobs import draw_due_lotteries

    activity = make_activity(world.union_a, selection=Selection.LOTTERY, total_places=1)
    application_submit(actor=None, activity=activity, worker=world.worker_a)
    assert draw_due_lotteries(dry_run=False) == "drew 0 lotteries"  # the window is still open
    close_window(activity)
    assert draw_due_lotteries(dry_run=True) == "would draw 1 lotteries"
    assert Activity.objects.get(pk=activity.pk).drawn_at is None
    assert draw_due_lotteries(dry_run=False) == "drew 1 lotteries"
    assert draw_due_lotteries(dry_run=False) == "drew 0 lotteries"
    assert AuditLog.objects.filter(action="activities.drawn").count() == 1
    assert Application.objects.get(activity=activity).status == ApplicationStatus.SELECTED


def test_hooks_offer_worker_sections_scoped_to_the_viewer_and_year_figures(world, login) -> None:
    from liandong.activities.hooks import worker_sections, year_figures

    activity = make_activity(
        world.union_a, title="兴隆山微疗养", starts_on=date(2026, 6, 1), ends_on=date(2026, 6, 2)
    )
    application = application_submit(actor=None, activity=activity, worker=world.worker_a)
    application_check_in(actor=None, application=application, on=date(2026, 6, 1))
    rows = worker_sections(world.users["staff_a"], world.worker_a)[0].rows
    assert rows == [("2026年6月1日", "疗休养 · 兴隆山微疗养 · 已签到")]
    assert worker_sections(world.users["staff_b"], world.worker_a)[0].rows == []
    assert worker_sections(world.users["judge"], world.worker_a)[0].rows == []
    page = login(world.users["staff_a"]).get(f"/workers/{world.worker_a.pk}/").content.decode()
    assert "参加的服务活动" in page
    assert "兴隆山微疗养" in page
    figures = {f.label: f for f in year_figures(world.union_a, 2026)}
    assert figures["活动名额"].value == 40
    assert figures["疗休养人次"].value == 1
    assert figures["服务群众人次"].value == 1
    assert figures["活动名额"].url == "/activities/figures/?year=2026"
    assert {f.label: f.value for f in year_figures(world.union_b, 2026)}["活动名额"] == 0
