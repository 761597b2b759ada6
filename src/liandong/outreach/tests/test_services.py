"""One test per rule of the outreach services."""

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from liandong.core.models import AuditLog
from liandong.demands.models import Channel, Demand
from liandong.meetings.models import ActionItem
from liandong.notifications.models import Message
from liandong.organizations.tests.factories import EnterpriseFactory
from liandong.outreach import selectors, services
from liandong.outreach.hooks import year_figures
from liandong.outreach.models import Agreement, AgreementParty, FollowUp, KeyEnterprise, Visit
from liandong.outreach.tests.conftest import pdf, problem_visit

pytestmark = pytest.mark.django_db


def field_of(error: pytest.ExceptionInfo[ValidationError]) -> set[str]:
    return set(error.value.error_dict)


# -- key enterprises --------------------------------------------------------------------------


def test_a_key_enterprise_must_lie_under_its_union(world: Any, ow: Any) -> None:
    with pytest.raises(ValidationError) as error:
        services.key_enterprise_add(
            actor=None, union=world.union_a, enterprise=world.enterprise_b, leader=None
        )
    assert field_of(error) == {"enterprise"}
    assert "不在甲产业工会的覆盖范围内" in str(error.value)


def test_a_key_enterprise_must_be_an_enterprise(world: Any) -> None:
    with pytest.raises(ValidationError) as error:
        services.key_enterprise_add(
            actor=None, union=world.province, enterprise=world.union_a, leader=None
        )
    assert field_of(error) == {"enterprise"}


def test_an_enterprise_is_key_for_a_union_once(world: Any, ow: Any) -> None:
    with pytest.raises(ValidationError) as error:
        services.key_enterprise_add(
            actor=None, union=world.union_a, enterprise=world.enterprise_a, leader=None
        )
    assert field_of(error) == {"enterprise"}
    assert KeyEnterprise.objects.count() == 1


def test_the_leader_is_one_of_the_unions_staff_and_is_told(world: Any) -> None:
    with pytest.raises(ValidationError) as error:
        services.key_enterprise_add(
            actor=None,
            union=world.union_a,
            enterprise=world.enterprise_a,
            leader=world.users["staff_b"],
        )
    assert field_of(error) == {"leader"}
    key = services.key_enterprise_add(
        actor=None,
        union=world.union_a,
        enterprise=world.enterprise_a,
        leader=world.users["admin_a"],
    )
    assert Message.objects.filter(
        recipient=world.users["admin_a"], kind="outreach.key_enterprise_assigned"
    ).exists()
    assert AuditLog.objects.filter(
        action="outreach.key_enterprise_added", target_id=str(key.pk)
    ).exists()


# -- visits -----------------------------------------------------------------------------------


def test_a_visit_cannot_be_dated_in_the_future(world: Any, ow: Any) -> None:
    with pytest.raises(ValidationError) as error:
        services.visit_record(
            actor=None,
            key=ow.key,
            visited_on=timezone.localdate() + timedelta(days=1),
            visitors="张三",
            findings="情况良好",
        )
    assert field_of(error) == {"visited_on"}


def test_a_visit_names_who_went_and_what_was_found(world: Any, ow: Any) -> None:
    for missing in ["visitors", "findings"]:
        values = {"visitors": "张三", "findings": "情况良好", missing: "  "}
        with pytest.raises(ValidationError) as error:
            services.visit_record(actor=None, key=ow.key, visited_on=timezone.localdate(), **values)
        assert field_of(error) == {missing}
    assert Visit.objects.count() == 1


def test_an_enterprise_off_the_list_takes_no_visits(world: Any, ow: Any) -> None:
    services.key_enterprise_update(
        actor=None, key=ow.key, leader=None, area="", note="", is_active=False
    )
    with pytest.raises(ValidationError):
        services.visit_record(
            actor=None, key=ow.key, visited_on=timezone.localdate(), visitors="张三", findings="好"
        )


def test_a_problem_becomes_a_demand_once_linked_both_ways(world: Any, ow: Any) -> None:
    staff = world.users["staff_a"]
    visit = services.visit_to_demand(
        actor=staff,
        visit=ow.visit,
        category="wages",
        industry="其他",
        mobile="13800001111",
        contact_name="企业工会干事",
        consent=True,
    )
    demand = Demand.objects.get(pk=visit.demand_id)
    assert demand.channel == Channel.VISIT
    assert demand.body == world.union_a  # the visiting union handles it: its staff open the link
    assert "加班费未足额发放" in demand.description
    assert world.enterprise_a.name in demand.description
    assert visit.demand_url == f"/demands/{demand.pk}/"
    assert visit.demand_label == f"职工诉求 {demand.code}"
    with pytest.raises(ValidationError) as error:
        services.visit_to_demand(
            actor=staff,
            visit=visit,
            category="wages",
            industry="其他",
            mobile="13800001111",
            contact_name="",
            consent=True,
        )
    assert field_of(error) == {"category"}
    assert Demand.objects.count() == 1


def test_a_demand_needs_consent_and_a_valid_mobile_and_changes_nothing_when_refused(
    world: Any, ow: Any
) -> None:
    staff = world.users["staff_a"]
    common = {"actor": staff, "visit": ow.visit, "category": "wages", "industry": "其他"}
    with pytest.raises(ValidationError) as error:
        services.visit_to_demand(**common, mobile="13800001111", contact_name="", consent=False)
    assert field_of(error) == {"consent"}
    with pytest.raises(ValidationError) as error:
        services.visit_to_demand(**common, mobile="12345", contact_name="", consent=True)
    assert "mobile" in field_of(error)
    assert Demand.objects.count() == 0
    ow.visit.refresh_from_db()
    assert ow.visit.demand_id is None


def test_a_visit_without_a_problem_has_nothing_to_pass_on(world: Any, ow: Any) -> None:
    visit = problem_visit(world, ow.key, problem="")
    with pytest.raises(ValidationError) as error:
        services.visit_to_demand(
            actor=world.users["staff_a"],
            visit=visit,
            category="wages",
            industry="其他",
            mobile="13800001111",
            contact_name="",
            consent=True,
        )
    assert field_of(error) == {"category"}


def test_a_problem_becomes_an_action_item_of_a_held_meeting(world: Any, ow: Any) -> None:
    deadline = timezone.localdate() + timedelta(days=30)
    visit = services.visit_to_action_item(
        actor=world.users["staff_a"],
        visit=ow.visit,
        meeting_id=ow.held.pk,
        lead_body=world.authority,
        deadline=deadline,
    )
    item = ActionItem.objects.get(pk=visit.action_item_id)
    assert item.meeting == ow.held
    assert item.lead_body == world.authority
    assert "加班费未足额发放" in item.resolution
    assert item.deadline == deadline
    assert visit.action_item_url == f"/meetings/items/{item.pk}/"
    with pytest.raises(ValidationError):
        services.visit_to_action_item(
            actor=world.users["staff_a"],
            visit=visit,
            meeting_id=ow.held.pk,
            lead_body=world.authority,
            deadline=deadline,
        )
    assert ActionItem.objects.count() == 1


def test_an_action_item_goes_only_to_a_meeting_the_actor_manages(world: Any, ow: Any) -> None:
    with pytest.raises(ValidationError) as error:
        services.visit_to_action_item(
            actor=world.users["staff_b"],
            visit=ow.visit,
            meeting_id=ow.held.pk,
            lead_body=world.authority,
            deadline=timezone.localdate() + timedelta(days=30),
        )
    assert field_of(error) == {"meeting"}
    # The meetings module's own rule: the lead body must be a member.
    with pytest.raises(ValidationError) as error:
        services.visit_to_action_item(
            actor=world.users["staff_a"],
            visit=ow.visit,
            meeting_id=ow.held.pk,
            lead_body=world.enterprise_b,
            deadline=timezone.localdate() + timedelta(days=30),
        )
    assert field_of(error) == {"lead_body"}
    assert ActionItem.objects.count() == 0


def test_coverage_counts_this_quarters_visits_and_open_problems(world: Any, ow: Any) -> None:
    other = EnterpriseFactory(name="甲物流公司", code="W-EA2", parent=world.union_a)
    services.key_enterprise_add(actor=None, union=world.union_a, enterprise=other, leader=None)
    keys = KeyEnterprise.objects.filter(union=world.union_a)
    today = timezone.localdate()
    cover = selectors.coverage(keys, today)
    visited_this_quarter = 1 if ow.visit.visited_on >= selectors.quarter_start(today) else 0
    assert (cover.enterprises, cover.visited, cover.problems_open) == (
        2,
        visited_this_quarter,
        1,
    )
    services.visit_close_problem(actor=None, visit=ow.visit, closed_on=today)
    assert selectors.coverage(keys, today).problems_open == 0
    # Next quarter, nothing is visited yet.
    later = selectors.coverage(keys, selectors.quarter_start(today) + timedelta(days=100))
    assert later.visited == 0


def test_a_problem_is_closed_once_and_not_before_the_visit(world: Any, ow: Any) -> None:
    with pytest.raises(ValidationError) as error:
        services.visit_close_problem(
            actor=None, visit=ow.visit, closed_on=ow.visit.visited_on - timedelta(days=1)
        )
    assert field_of(error) == {"problem_closed_on"}
    services.visit_close_problem(actor=None, visit=ow.visit, closed_on=None)
    with pytest.raises(ValidationError):
        services.visit_close_problem(actor=None, visit=ow.visit, closed_on=None)


# A fixed day, noon in Beijing, in the second quarter: "today", "this quarter" and "in force"
# do not move with the day (or the hour) the suite runs.
TODAY = date(2025, 5, 20)
NOON = datetime(2025, 5, 20, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def _visit(key: KeyEnterprise, on: date, problem: str = "", closed_on: date | None = None) -> None:
    """Written straight to the table (the services refuse visits after today)."""
    Visit.objects.create(
        key_enterprise=key,
        visited_on=on,
        visitors="工会主席",
        findings="正常",
        problem=problem,
        problem_closed_on=closed_on,
    )


def _agreement(owner: Any, signed_on: date, expires_on: date | None) -> None:
    Agreement.objects.create(owner=owner, title="协议", signed_on=signed_on, expires_on=expires_on)


def test_year_figures_are_the_hand_counts(world: Any) -> None:
    """Every branch of the figures' filters: active and inactive key enterprises, with and
    without a leader, in and out of the subtree; visits this quarter, earlier in the year,
    the year before and after today; problems open, closed and none; agreements open-ended,
    expired, expiring today, signed after the year, and out of the subtree."""
    staff = world.users["staff_a"]
    union_a_enterprises = [
        EnterpriseFactory(name=f"甲重点企业{i}", code=f"W-K{i}", parent=world.union_a)
        for i in range(2)
    ]
    led = KeyEnterprise.objects.create(
        union=world.union_a, enterprise=world.enterprise_a, leader=staff
    )
    unled = KeyEnterprise.objects.create(union=world.union_a, enterprise=union_a_enterprises[0])
    dropped = KeyEnterprise.objects.create(
        union=world.union_a, enterprise=union_a_enterprises[1], is_active=False
    )
    theirs = KeyEnterprise.objects.create(union=world.union_b, enterprise=world.enterprise_b)
    _visit(led, date(2025, 4, 10), problem="欠薪")  # this quarter, open
    _visit(led, date(2025, 3, 31))  # last quarter, no problem
    _visit(led, date(2024, 12, 31), problem="加班", closed_on=date(2025, 1, 5))
    _visit(led, date(2025, 5, 25))  # after today: visited this quarter, not yet a visit to date
    _visit(unled, date(2025, 1, 15), problem="社保")  # earlier in the year, open
    _visit(dropped, date(2025, 4, 15), problem="工伤")  # of an enterprise no longer in contact
    _visit(theirs, date(2025, 4, 15), problem="欠薪")
    _agreement(world.union_a, date(2024, 1, 1), None)
    _agreement(world.union_a, date(2025, 2, 1), date(2025, 5, 19))  # expired yesterday
    _agreement(world.enterprise_a, date(2023, 6, 1), TODAY)  # in force to the end of today
    _agreement(world.union_a, date(2024, 3, 1), date(2024, 12, 31))
    _agreement(world.union_a, date(2026, 1, 1), None)  # signed after the year
    _agreement(world.union_b, date(2024, 1, 1), None)
    with time_machine.travel(NOON, tick=False):
        assert {f.label: f.value for f in year_figures(world.union_a, 2025)} == {
            "联系重点企业": 2,
            "本季度已走访重点企业": 1,
            "走访企业": 5,
            "走访发现问题未解决": 3,
            "有效协议": 2,
        }
        assert {f.label: f.value for f in year_figures(world.union_a, 2024)} == {
            "联系重点企业": 2,
            "本季度已走访重点企业": 1,
            "走访企业": 1,
            "走访发现问题未解决": 3,
            "有效协议": 3,
        }
        assert {f.label: f.value for f in year_figures(world.province, 2025)} == {
            "联系重点企业": 3,
            "本季度已走访重点企业": 2,
            "走访企业": 6,
            "走访发现问题未解决": 4,
            "有效协议": 3,
        }
        keys = KeyEnterprise.objects.filter(union=world.union_a)
        cover = selectors.coverage(keys, TODAY, year=2025)
        assert (cover.enterprises, cover.visited, cover.visits, cover.problems_open) == (2, 1, 2, 3)
        assert cover.year_visits == 5
        assert [(r.name, r.enterprises, r.visited) for r in cover.leaders] == [
            (str(staff), 1, 1),
            ("（未分配）", 1, 0),
        ]
        assert selectors.coverage(keys, TODAY, year=2024).year_visits == 1


def test_year_figures_count_the_subtree(world: Any, ow: Any) -> None:
    figures = {f.label: f.value for f in year_figures(world.province, timezone.localdate().year)}
    assert figures["联系重点企业"] == 1
    assert figures["走访发现问题未解决"] == 1
    assert figures["有效协议"] == 1
    assert {f.label: f.value for f in year_figures(world.union_b, 2026)}["联系重点企业"] == 0


# -- agreements -------------------------------------------------------------------------------


def test_an_agreement_has_two_parties_at_least(world: Any) -> None:
    with pytest.raises(ValidationError) as error:
        services.agreement_create(
            actor=None,
            owner=world.union_a,
            title="单方协议",
            kind="framework",
            signed_on=date(2024, 10, 31),
            parties=[world.union_a],
        )
    assert field_of(error) == {"parties"}
    assert Agreement.objects.count() == 0


def test_an_external_party_is_named_not_a_node_of_the_tree(world: Any, ow: Any) -> None:
    external = ow.agreement.parties.get(organization__isnull=True)
    assert (external.name, external.external_country, external.is_external) == (
        "老挝万象市工会联合会",
        "老挝",
        True,
    )
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        AgreementParty.objects.create(
            agreement=ow.agreement, organization=world.union_b, external_name="两者皆有"
        )


def test_agreement_dates_run_in_order(world: Any) -> None:
    common = {"actor": None, "owner": world.union_a, "title": "协议", "kind": "framework"}
    parties = {"parties": [world.union_a, world.authority]}
    cases = [
        ({"signed_on": None}, "signed_on"),
        ({"signed_on": timezone.localdate() + timedelta(days=1)}, "signed_on"),
        ({"signed_on": date(2025, 1, 10), "effective_on": date(2025, 1, 9)}, "effective_on"),
        ({"signed_on": date(2025, 1, 10), "expires_on": date(2025, 1, 10)}, "expires_on"),
    ]
    for dates, field in cases:
        with pytest.raises(ValidationError) as error:
            services.agreement_create(**common, **parties, **dates)  # type: ignore[arg-type]
        assert field_of(error) == {field}
    assert Agreement.objects.count() == 0


def test_a_charter_takes_its_mechanisms_members_as_parties(world: Any, ow: Any) -> None:
    charter = services.agreement_create(
        actor=world.users["staff_a"],
        owner=world.union_a,
        title="甲快递行业联席会议章程",
        kind="charter",
        signed_on=date(2025, 3, 1),
        mechanism_id=ow.mechanism.pk,
    )
    assert charter.mechanism_name == "甲快递行业联席会议"
    assert {
        p.organization_id for p in charter.parties.all()
    } == ow.mechanism.member_organization_ids()
    with pytest.raises(ValidationError) as error:  # a mechanism B's staff cannot see
        services.agreement_create(
            actor=world.users["staff_b"],
            owner=world.union_b,
            title="乙章程",
            kind="charter",
            signed_on=date(2025, 3, 1),
            mechanism_id=ow.mechanism.pk,
        )
    assert field_of(error) == {"mechanism"}


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("协议.exe", b"MZ\x90\x00", "类型不支持"),
        ("协议.pdf", b"PK\x03\x04 not a pdf", "内容与文件类型不符"),
        ("协议.pdf", b"", "空文件"),
    ],
)
def test_the_document_is_checked_for_type_content_and_size(
    world: Any, settings: Any, tmp_path: Any, name: str, content: bytes, code: str
) -> None:
    settings.DATA_DIR = tmp_path
    with pytest.raises(ValidationError) as error:
        services.agreement_create(
            actor=None,
            owner=world.union_a,
            title="协议",
            kind="framework",
            signed_on=date(2025, 1, 10),
            parties=[world.union_a, world.authority],
            document=pdf(name, content),
        )
    assert field_of(error) == {"document"}
    assert code in error.value.message_dict["document"][0]
    assert Agreement.objects.count() == 0


def test_a_document_over_10_mb_is_refused(world: Any, settings: Any, tmp_path: Any) -> None:
    settings.DATA_DIR = tmp_path
    big = pdf("大.pdf", b"%PDF" + b"0" * (services.DOCUMENT_MAX_BYTES))
    with pytest.raises(ValidationError) as error:
        services.validate_document(big)
    assert "超过 10 MB" in error.value.message_dict["document"][0]


def test_a_follow_up_is_an_action_item_listed_on_the_agreement(world: Any, ow: Any) -> None:
    follow = services.agreement_follow_up(
        actor=world.users["staff_a"],
        agreement=ow.agreement,
        meeting_id=ow.held.pk,
        resolution="举办中老口语技能巡回赛万象站",
        lead_body=world.enterprise_a,
        deadline=timezone.localdate() + timedelta(days=60),
    )
    item = ActionItem.objects.get(pk=follow.action_item_id)
    assert "落实《甲工会与万象工会框架协议》" in item.resolution
    assert FollowUp.objects.filter(agreement=ow.agreement).count() == 1


def test_expiring_agreements_tell_their_staff_once_and_again_after_renewal(
    world: Any, ow: Any
) -> None:
    today = timezone.localdate()
    Agreement.objects.filter(pk=ow.agreement.pk).update(expires_on=today + timedelta(days=20))
    staff = world.users["staff_a"]
    assert services.expiry_notices_send(today=today) == 1
    assert services.expiry_notices_send(today=today) == 0
    assert Message.objects.filter(recipient=staff, kind="outreach.agreement_expiring").count() == 1
    agreement = Agreement.objects.get(pk=ow.agreement.pk)
    services.agreement_update(
        actor=None,
        agreement=agreement,
        title=agreement.title,
        signed_on=agreement.signed_on,
        effective_on=None,
        expires_on=today + timedelta(days=25),
        terms="",
        staff=staff,
    )
    assert services.expiry_notices_send(today=today) == 1
    # Far from expiry: nothing.
    Agreement.objects.filter(pk=ow.agreement.pk).update(
        expires_on=today + timedelta(days=90), expiry_noticed_for=None
    )
    assert services.expiry_notices_send(today=today) == 0


def test_outreach_imports_neither_demands_nor_meetings() -> None:
    from liandong.core.tests.test_layers import PACKAGE_DIR, imported_modules, product_modules

    found = [
        f"{module}:{line} {name}"
        for module, path in product_modules(PACKAGE_DIR)
        if module.startswith("liandong.outreach")
        for line, name in imported_modules(module, path)
        if name.startswith(("liandong.demands", "liandong.meetings"))
    ]
    assert found == []
