"""The hooks between mediation and demands, the figures, and the API's 422."""

from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from liandong.core.extensions import hooks
from liandong.demands.selectors import linked_work
from liandong.demands.tests.factories import make_demand
from liandong.mediation import services
from liandong.mediation.models import Case
from liandong.mediation.tests.conftest import open_case

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("rules")]


def test_demand_ref_is_scoped_and_carries_the_mobile_to_seal(world: Any) -> None:
    demand = make_demand(submitter_name="王师傅", mobile="13919310009")
    (provider,) = hooks("demand_ref")
    assert provider(world.users["staff_b"], demand.pk) is None
    ref = provider(world.users["staff_a"], demand.pk)
    assert (ref.code, ref.mobile, ref.union_id) == (demand.code, "13919310009", world.union_a.pk)


def test_one_click_case_from_a_demand_and_its_outcome_on_the_timeline(world: Any) -> None:
    demand = make_demand(submitter_name="王师傅")
    staff = world.users["staff_a"]
    actions, entries = linked_work(staff, demand)
    assert [a.label for a in actions] == ["转入劳动争议调解"]
    assert entries == []
    response = _client(staff).post(f"/mediation/from-demand/{demand.pk}/")
    case = Case.objects.get(demand_id=demand.pk)
    assert response.status_code == 302
    assert response["Location"] == f"/mediation/{case.pk}/"
    assert list(case.mediators.all()) == [staff]
    services.session_record(
        actor=None, case=case, held_on=timezone.localdate(), place="调解室", attendees="双方"
    )
    services.case_agree(
        actor=None, case=case, terms="补发", amount=Decimal("8600"), signed_on=timezone.localdate()
    )
    actions, entries = linked_work(staff, demand)
    assert actions[0].label == f"查看调解案件 {case.code}"
    assert [e.title for e in entries] == [
        f"转入劳动争议调解 {case.code}",
        "调解会谈",
        "调解结果：达成调解协议",
    ]
    assert "8,600.00 元" in entries[-1].note
    assert entries[-1].url
    # The liaison handling the demand sees the entries, without a link they could not open.
    _, seen = linked_work(world.users["liaison"], demand)
    assert [e.url for e in seen] == ["", "", ""]
    # A second click opens the same case.
    _client(staff).post(f"/mediation/from-demand/{demand.pk}/")
    assert Case.objects.filter(demand_id=demand.pk).count() == 1


def test_year_figures_count_outcomes_amounts_and_the_in_time_rate(world: Any) -> None:
    agreed = open_case(world)
    services.session_record(
        actor=None, case=agreed, held_on=timezone.localdate(), place="调解室", attendees="双方"
    )
    services.case_agree(
        actor=None,
        case=agreed,
        terms="补发",
        amount=Decimal("8600"),
        signed_on=timezone.localdate(),
    )
    services.case_refer(actor=None, case=open_case(world), reason="拒绝调解")
    open_case(world)
    (provider,) = [
        p for p in hooks("year_figures") if p.__module__.startswith("liandong.mediation")
    ]
    figures = {f.label: f for f in provider(world.province, timezone.localdate().year)}
    assert figures["受理调解案件"].value == 3
    assert figures["调解达成协议"].value == 1
    assert figures["转劳动仲裁"].value == 1
    assert figures["协议金额"].value == 8600.0
    assert figures["期限内结案率"].value == 100.0
    assert figures["调解达成协议"].url.endswith("state=agreed")
    assert provider(world.union_b, timezone.localdate().year)[0].value == 0


def test_api_names_the_field_and_changes_nothing(world: Any, client: Any, api_token: Any) -> None:
    headers = api_token(world.users["staff_a"])
    before = Case.objects.count()
    response = client.post(
        "/api/v1/mediation/cases",
        {
            "union_id": world.union_a.pk,
            "case_type": "wages",
            "summary": "拖欠工资",
            "applicant": {"name": "王甲", "mobile": "12345"},
            "respondent": {"kind": "enterprise", "name": "甲快递"},
        },
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 422
    assert "applicant_mobile" in response.content.decode()
    assert Case.objects.count() == before
    case = open_case(world)
    services.case_withdraw(actor=None, case=case, reason="和解")
    response = client.post(
        f"/api/v1/mediation/cases/{case.pk}/outcome",
        {"outcome": "referral", "reason": "x"},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 422
    assert "案件申请人撤回，不能转劳动仲裁。" in response.content.decode()


def _client(user: Any) -> Any:
    from liandong.core.tests.client import BrowserClient

    client = BrowserClient()
    client.force_login(user)
    return client
