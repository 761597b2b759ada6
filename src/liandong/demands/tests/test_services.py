import io
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from PIL import Image

from liandong.core import crypto
from liandong.core.models import AuditLog
from liandong.demands.models import Demand, DemandEvent, DemandPhoto, DemandRollup, State
from liandong.demands.selectors import StatsFilters, demand_stats
from liandong.demands.services import (
    demand_accept,
    demand_assign,
    demand_merge,
    demand_rate,
    demand_reject,
    demand_reply,
    demand_resolve,
    demand_return,
    demand_reveal_mobile,
    demand_set_category,
    demand_submit,
    demand_transfer,
    route_for,
    time_limit_set,
)
from liandong.demands.tests.factories import make_demand

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_pii_in_logs")]


def png(size: tuple[int, int] = (40, 30)) -> bytes:
    stream = io.BytesIO()
    Image.new("RGB", size, (200, 80, 40)).save(stream, format="PNG")
    return stream.getvalue()


def test_submit_routes_by_rule_seals_the_mobile_and_starts_the_clocks(world, rules) -> None:
    demand = make_demand(mobile="13919318888", submitter_name="王师傅")
    assert demand.state == State.DISPATCHED
    assert demand.body == world.authority
    assert demand.union == world.union_a
    assert [b.name for b in demand.co_bodies.all()] == ["省快递协会"]
    assert demand.mobile_masked == "139****8888"
    assert demand.mobile_tail == "8888"
    assert "13919318888" not in demand.mobile_cipher
    assert crypto.decrypt(demand.mobile_cipher) == "13919318888"
    assert demand.response_due > demand.created_at
    assert demand.resolution_due > demand.response_due
    assert len(demand.code) == 10
    assert demand.code.startswith("SQ")
    kinds = list(demand.events.values_list("kind", flat=True))
    assert kinds == [DemandEvent.Kind.SUBMITTED, DemandEvent.Kind.DISPATCHED]
    entry = AuditLog.objects.get(action="demands.submitted", target_id=str(demand.pk))
    assert entry.changes["mobile"] == "139****8888"
    assert "13919318888" not in str(entry.changes)


def test_the_most_specific_rule_wins_and_unmatched_demands_wait_for_the_union(
    world, rules, django_capture_on_commit_callbacks
) -> None:
    assert route_for(category="wages", industry="快递", city="兰州").pk == rules["wages"].pk
    assert route_for(category="rest", industry="快递", city="兰州").pk == rules["courier"].pk
    assert route_for(category="rest", industry="网约车", city="兰州").pk == rules["any"].pk
    with django_capture_on_commit_callbacks(execute=True):  # the change commits
        rules["any"].is_active = False
        rules["any"].save()
    demand = make_demand(
        category="rest", industry="网约车", description="平台要求每天在线十四个小时，没有休息日。"
    )
    assert demand.state == State.ACCEPTED
    assert demand.body is None
    assert demand.union == world.province  # the topmost union supervises unrouted demands


def test_category_is_suggested_from_the_text_and_staff_can_override(world, rules) -> None:
    demand = make_demand(
        category="", description="送件路上被电动车撞倒，腿骨折住院，网点不给报工伤。"
    )
    assert demand.suggested_category == "injury"
    assert demand.category == "injury"
    demand = demand_set_category(actor=world.users["staff_a"], demand=demand, category="rights")
    assert demand.category == "rights"
    assert demand.suggested_category == "injury"
    assert AuditLog.objects.filter(
        action="demands.category_changed", target_id=str(demand.pk)
    ).exists()


def test_idempotency_key_returns_the_first_demand(world, rules) -> None:
    first, created = demand_submit(
        description="站点扣罚款太多，一单超时罚五十。",
        industry="快递",
        city="兰州",
        mobile="13919310011",
        consent=True,
        idempotency_key="k-1",
    )
    again, created_again = demand_submit(
        description="站点扣罚款太多，一单超时罚五十。",
        industry="快递",
        city="兰州",
        mobile="13919310011",
        consent=True,
        idempotency_key="k-1",
    )
    assert created
    assert not created_again
    assert again.pk == first.pk
    assert Demand.objects.count() == 1


@pytest.mark.parametrize(
    ("field", "changes"),
    [
        ("description", {"description": "短"}),
        ("mobile", {"mobile": "12345"}),
        ("industry", {"industry": "木工"}),
        ("city", {"city": " "}),
        ("consent", {"consent": False}),
        ("category", {"category": "nonsense"}),
        ("photos", {"photos": [b"not an image at all"]}),
        ("photos", {"photos": [png(), png(), png(), png()]}),
        ("photos", {"photos": [b"\x89PNG" + b"0" * (5 * 1024 * 1024)]}),
    ],
)
def test_bad_intake_names_the_field_and_stores_nothing(world, rules, field, changes) -> None:
    data = {
        "description": "网点拖欠两个月工资。",
        "industry": "快递",
        "city": "兰州",
        "mobile": "13919310012",
        "consent": True,
        **changes,
    }
    with pytest.raises(ValidationError) as error:
        demand_submit(**data)
    assert field in error.value.message_dict
    assert Demand.objects.count() == 0
    assert DemandRollup.objects.count() == 0


def test_photos_are_checked_images_kept_with_the_demand(world, rules) -> None:
    demand = make_demand(photos=[png((64, 48))])
    photo = DemandPhoto.objects.get(demand=demand)
    assert (photo.content_type, photo.width, photo.height) == ("image/png", 64, 48)


def test_the_full_handling_loop_with_one_reopening(world, rules) -> None:
    liaison = world.users["liaison"]
    demand = make_demand()
    demand = demand_accept(actor=liaison, demand=demand, note="已联系网点核实派费结算情况。")
    assert demand.state == State.IN_PROGRESS
    assert demand.responded_at is not None
    demand = demand_reply(actor=liaison, demand=demand, note="已约谈网点负责人。")
    demand = demand_resolve(actor=liaison, demand=demand, note="网点已补发两个月派费 6,840 元。")
    assert demand.state == State.RESOLVED
    assert demand.resolution_note
    demand = demand_rate(demand=demand, rating="unsatisfied", comment="只补了一个月")
    assert demand.state == State.IN_PROGRESS
    assert demand.reopen_count == 1
    assert demand.resolved_at is None
    demand = demand_resolve(actor=liaison, demand=demand, note="第二个月派费已补发。")
    demand = demand_rate(demand=demand, rating="unsatisfied", comment="还是不满意")
    assert demand.state == State.RATED  # reopened only once
    with pytest.raises(ValidationError):
        demand_rate(demand=demand, rating="satisfied")
    public = [e.kind for e in demand.events.filter(public=True)]
    assert public.count(DemandEvent.Kind.RESOLVED) == 2
    assert DemandEvent.Kind.REOPENED in public
    total, _ = demand_stats(user=world.users["staff_a"], filters=StatsFilters())
    assert total.received == 1
    assert total.counts["rated"] == 2
    assert total.satisfaction_rate == 0.0
    assert total.response_rate == 100.0
    assert total.resolution_rate == 100.0


def test_transfer_return_assign_reject_and_merge(world, rules) -> None:
    staff, liaison = world.users["staff_a"], world.users["liaison"]
    demand = make_demand()
    with pytest.raises(ValidationError) as error:
        demand_transfer(actor=liaison, demand=demand, body=world.enterprise_a, reason="")
    assert "reason" in error.value.message_dict
    demand = demand_transfer(
        actor=liaison, demand=demand, body=world.enterprise_a, reason="系企业内部工资结算问题"
    )
    assert demand.body == world.enterprise_a
    assert demand.state == State.DISPATCHED
    demand = demand_return(
        actor=world.users["enterprise_a"], demand=demand, reason="该网点已转让，不属本企业"
    )
    assert demand.state == State.RETURNED
    assert demand.body is None
    demand = demand_assign(
        actor=staff, demand=demand, body=world.authority, note="请邮政管理局协调"
    )
    assert demand.state == State.DISPATCHED
    assert demand.body == world.authority
    other = make_demand(mobile="13919310031", description="派费拖欠问题，网点一直不给结算。")
    with pytest.raises(ValidationError) as error:
        demand_reject(actor=staff, demand=other, reason=" ")
    assert "reason" in error.value.message_dict
    other = demand_merge(actor=staff, demand=other, into=demand)
    assert other.state == State.MERGED
    assert other.merged_into == demand
    third = make_demand(mobile="13919310032", description="咨询明星演唱会门票怎么买。")
    third = demand_reject(actor=staff, demand=third, reason="不属于工会职工诉求受理范围")
    assert third.state == State.REJECTED
    with pytest.raises(ValidationError):
        demand_accept(actor=liaison, demand=third, note="x")
    total, _ = demand_stats(user=staff, filters=StatsFilters())
    assert total.received == 3


@pytest.mark.parametrize(
    ("action", "kwargs"),
    [
        ("resolve", {"note": "办结"}),
        ("reply", {"note": "答复"}),
    ],
)
def test_steps_out_of_order_are_refused_and_change_nothing(world, rules, action, kwargs) -> None:
    demand = make_demand()
    before = demand.events.count()
    fn = {"resolve": demand_resolve, "reply": demand_reply}[action]
    with pytest.raises(ValidationError):
        fn(actor=world.users["liaison"], demand=demand, **kwargs)
    demand.refresh_from_db()
    assert demand.state == State.DISPATCHED
    assert demand.events.count() == before


def test_probable_duplicates_are_flagged(world, rules) -> None:
    first = make_demand(
        mobile="13919310041", description="中通城关网点拖欠十月工资三千二百元，多次催要未果。"
    )
    second = make_demand(
        mobile="13919310041", description="中通城关网点拖欠十月份工资3200元，多次催要都没有结果。"
    )
    unrelated = make_demand(
        mobile="13919310041", description="想报名参加快递员职业技能等级培训，怎么报名？"
    )
    other_person = make_demand(
        mobile="13919310042", description="中通城关网点拖欠十月工资三千二百元，多次催要未果。"
    )
    assert second.possible_duplicate_of == first
    assert unrelated.possible_duplicate_of is None
    assert other_person.possible_duplicate_of is None


def test_reveal_is_audited(world, rules) -> None:
    demand = make_demand(mobile="13919310051")
    assert (
        demand_reveal_mobile(actor=world.users["liaison"], demand=demand, purpose="回访")
        == "13919310051"
    )
    entry = AuditLog.objects.get(action="demands.mobile_viewed")
    assert entry.target_id == str(demand.pk)
    assert entry.changes["purpose"] == "回访"


def test_time_limits_are_configurable_per_category(world, rules) -> None:
    time_limit_set(
        actor=world.users["admin_a"],
        category="injury",
        urgency="normal",
        response_days=2,
        resolution_days=10,
        escalation_days=5,
    )
    injury = make_demand(category="injury", description="送件途中摔伤骨折。")
    wages = make_demand(category="wages")
    assert injury.resolution_due - wages.resolution_due >= timedelta(days=5)
    with pytest.raises(ValidationError):
        time_limit_set(
            actor=None,
            category="",
            urgency="normal",
            response_days=5,
            resolution_days=2,
            escalation_days=1,
        )


def test_late_first_response_counts_as_due_but_not_on_time(world, rules) -> None:
    demand = make_demand()
    Demand.objects.filter(pk=demand.pk).update(response_due=timezone.now() - timedelta(hours=1))
    demand.refresh_from_db()
    demand = demand_accept(actor=world.users["liaison"], demand=demand, note="已受理。")
    assert demand.response_breached
    assert demand.is_breached
    total, _ = demand_stats(user=world.users["staff_a"], filters=StatsFilters())
    assert total.counts["response_due"] == 1
    assert total.counts["responded_on_time"] == 0
    assert total.response_rate == 0.0
