"""One test per rule of the mediation services."""

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from liandong.core import crypto
from liandong.core.models import AuditLog
from liandong.mediation import services
from liandong.mediation.models import Case, Party, State
from liandong.mediation.tests.conftest import accepted, open_case
from liandong.notifications.models import Message

pytestmark = pytest.mark.django_db


def test_opening_seals_numbers_and_counts_15_working_days(world: Any) -> None:
    case = open_case(world, now=accepted(2026, 3, 2))  # a Monday, no holiday in three weeks
    applicant = case.parties.get(role=Party.Role.APPLICANT)
    assert applicant.id_number_masked == "620102********2712"
    assert applicant.mobile_masked == "139****0001"
    assert "13919310001" not in applicant.mobile_cipher
    assert crypto.decrypt(applicant.mobile_cipher) == "13919310001"
    assert case.limit_days == 15
    assert case.due_day == date(2026, 3, 23)  # the 15th working day after 2 March
    assert case.code.startswith("TJ2026-")
    assert AuditLog.objects.filter(action="mediation.case_opened", target_id=str(case.pk)).exists()


def test_deadline_skips_the_national_day_holiday_and_counts_the_make_up_saturday(
    world: Any,
) -> None:
    """Accepted on 30 September 2025: 1–8 October are holidays, Saturday 11 October is a
    make-up workday (调休). Weekdays alone would give 21 October."""
    case = open_case(world, now=accepted(2025, 9, 30))
    assert case.due_day == date(2025, 10, 28)
    weekdays_only = date(2025, 10, 21)
    assert case.due_day != weekdays_only


def test_time_limit_per_case_type_of_the_union_or_above(world: Any) -> None:
    services.time_limit_set(
        actor=world.users["province_admin"],
        union=world.province,
        case_type="injury",
        working_days=30,
    )
    injury = open_case(world, case_type="injury", now=accepted(2026, 3, 2))
    wages = open_case(world, now=accepted(2026, 3, 2))
    assert (injury.limit_days, wages.limit_days) == (30, 15)
    services.time_limit_set(
        actor=world.users["admin_a"], union=world.union_a, case_type="injury", working_days=20
    )
    assert open_case(world, case_type="injury").limit_days == 20
    with pytest.raises(ValidationError) as error:
        services.time_limit_set(actor=None, union=world.union_a, case_type="injury", working_days=0)
    assert "working_days" in error.value.message_dict


def test_bad_party_numbers_name_the_field_and_write_nothing(world: Any) -> None:
    before = Case.objects.count()
    with pytest.raises(ValidationError) as error:
        open_case(
            world,
            applicant=services.PartyData(kind="person", name="王甲", mobile="12345"),
        )
    assert "applicant_mobile" in error.value.message_dict
    assert Case.objects.count() == before


def test_mediators_must_be_union_staff_in_scope_and_are_notified(world: Any, case: Case) -> None:
    with pytest.raises(ValidationError) as error:
        services.mediators_assign(actor=None, case=case, mediators=[world.users["staff_b"]])
    assert "mediators" in error.value.message_dict
    services.mediators_assign(
        actor=None, case=case, mediators=[world.users["staff_a"], world.users["admin_a"]]
    )
    assert Message.objects.filter(
        recipient=world.users["admin_a"], kind="mediation.assigned"
    ).exists()


def test_first_session_starts_mediation_and_dates_are_checked(world: Any, case: Case) -> None:
    with pytest.raises(ValidationError) as error:
        services.session_record(
            actor=None,
            case=case,
            held_on=timezone.localdate() + timedelta(days=1),
            place="调解室",
            attendees="双方",
        )
    assert "held_on" in error.value.message_dict
    services.session_record(
        actor=None, case=case, held_on=timezone.localdate(), place="调解室", attendees="双方"
    )
    case.refresh_from_db()
    assert case.state == State.MEDIATING


def test_agreement_needs_a_session_then_closes_the_case(world: Any, case: Case) -> None:
    with pytest.raises(ValidationError) as error:
        services.case_agree(
            actor=None,
            case=case,
            terms="补发工资",
            amount=Decimal("8600"),
            signed_on=timezone.localdate(),
        )
    assert error.value.message_dict["state"] == ["尚未记录调解会谈，不能登记调解协议。"]
    services.session_record(
        actor=None, case=case, held_on=timezone.localdate(), place="调解室", attendees="双方"
    )
    pdf = SimpleUploadedFile("协议书.pdf", b"%PDF-1.4 agreement", content_type="application/pdf")
    case = services.case_agree(
        actor=None,
        case=case,
        terms="网点于 3 日内补发工资 8,600 元。",
        amount=Decimal("8600.00"),
        signed_on=timezone.localdate(),
        document=pdf,
    )
    assert case.state == State.AGREED
    assert case.closed_at is not None
    assert case.agreement_document_name == "协议书.pdf"
    assert case.closed_in_time is True


def test_a_document_that_is_not_what_it_claims_is_refused(world: Any, case: Case) -> None:
    services.session_record(
        actor=None, case=case, held_on=timezone.localdate(), place="调解室", attendees="双方"
    )
    fake = SimpleUploadedFile("协议书.pdf", b"MZ not a pdf", content_type="application/pdf")
    with pytest.raises(ValidationError) as error:
        services.case_agree(
            actor=None,
            case=case,
            terms="x",
            amount=None,
            signed_on=timezone.localdate(),
            document=fake,
        )
    assert "document" in error.value.message_dict
    case.refresh_from_db()
    assert case.state == State.MEDIATING


def test_closed_case_refuses_every_further_step_in_chinese(world: Any, case: Case) -> None:
    services.case_refer(actor=None, case=case, reason="用人单位拒绝调解")
    case.refresh_from_db()
    steps = [
        lambda: services.case_withdraw(actor=None, case=case, reason="x"),
        lambda: services.case_refer(actor=None, case=case, reason="x"),
        lambda: services.case_extend(actor=None, case=case, days=5, reason="x"),
        lambda: services.session_record(
            actor=None, case=case, held_on=timezone.localdate(), place="p", attendees="a"
        ),
    ]
    for step in steps:
        with pytest.raises(ValidationError) as error:
            step()
        assert error.value.message_dict["state"][0].startswith("案件转劳动仲裁，不能")


def test_referral_and_withdrawal_need_a_reason(world: Any, case: Case) -> None:
    for step in (services.case_refer, services.case_withdraw):
        with pytest.raises(ValidationError) as error:
            step(actor=None, case=case, reason="  ")
        assert "reason" in error.value.message_dict


def test_extension_once_with_reason_across_a_holiday(world: Any) -> None:
    case = open_case(world, now=accepted(2025, 9, 1))
    assert case.due_day == date(2025, 9, 22)
    with pytest.raises(ValidationError) as error:
        services.case_extend(actor=None, case=case, days=5, reason="")
    assert "reason" in error.value.message_dict
    case = services.case_extend(actor=None, case=case, days=8, reason="双方同意继续调解")
    # 8 more: 23–26 September, Sunday 28 September (调休), 29, 30 September, then 9 October
    # after the National Day holiday (Monday to Friday alone would give 2 October).
    assert case.due_day == date(2025, 10, 9)
    with pytest.raises(ValidationError) as error:
        services.case_extend(actor=None, case=case, days=5, reason="再延")
    assert error.value.message_dict["days"] == ["调解期限只能延长一次，本案已延长过。"]


def test_reveal_is_audited_without_the_numbers(world: Any, case: Case) -> None:
    party = case.parties.get(role=Party.Role.APPLICANT)
    shown = services.party_reveal(actor=world.users["staff_a"], party=party, purpose="电话联系")
    assert shown == {"id_number": "620102198403152712", "mobile": "13919310001"}
    entry = AuditLog.objects.get(action="mediation.pii_viewed")
    assert "13919310001" not in str(entry.changes)


def test_party_update_keeps_numbers_left_empty(world: Any, case: Case) -> None:
    services.party_update(
        actor=None,
        case=case,
        role=Party.Role.RESPONDENT,
        data=services.PartyData(kind="enterprise", name="甲快递城关网点", mobile="13800001111"),
    )
    services.party_update(
        actor=None,
        case=case,
        role=Party.Role.RESPONDENT,
        data=services.PartyData(kind="enterprise", name="甲快递城关网点（加盟）"),
    )
    party = case.parties.get(role=Party.Role.RESPONDENT)
    assert party.mobile_masked == "138****1111"
    assert party.name == "甲快递城关网点（加盟）"


def test_tick_reminds_once_per_deadline(world: Any) -> None:
    case = open_case(world, now=timezone.now() - timedelta(days=40))
    assert case.is_overdue
    assert services.reminders_send() == 1
    assert services.reminders_send() == 0
    assert (
        Message.objects.filter(kind="mediation.overdue", recipient=world.users["staff_a"]).count()
        == 1
    )
    assert services.reminders_send(dry_run=True) == 0


def test_tick_due_soon_then_overdue(world: Any) -> None:
    case = open_case(world)
    soon = case.due_at - timedelta(days=1)
    assert services.reminders_send(now=soon) == 1
    assert services.reminders_send(now=soon) == 0
    assert services.reminders_send(now=case.due_at + timedelta(hours=1)) == 1
    kinds = set(
        Message.objects.filter(recipient=world.users["staff_a"]).values_list("kind", flat=True)
    )
    assert {"mediation.due_soon", "mediation.overdue"} <= kinds
