"""Unsure means a person decides (the 待分类 queue and its time limits), the model learns from
the categories people choose (corrections, retraining, the promotion rule, roll back), and the
worker sees the guess (the suggestion endpoint, the receipt)."""

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import override_settings

from liandong.core.tests.client import BrowserClient
from liandong.demands import classify, config, learning
from liandong.demands.models import (
    CategoryCorrection,
    ClassifierVersion,
    Demand,
    DemandEvent,
    State,
)
from liandong.demands.services import (
    TRIAGE_THRESHOLD,
    demand_set_category,
    demand_submit,
    demand_triage,
    limits_for,
)
from liandong.demands.workdays import Calendar

pytestmark = pytest.mark.django_db
UNSURE = "你好我想问个事情麻烦回个电话13919318888"


def submit(description: str, **overrides: Any) -> Demand:
    fields = {
        "description": description,
        "industry": "快递",
        "city": "兰州",
        "mobile": "13919317777",
        "consent": True,
        **overrides,
    }
    demand, _ = demand_submit(**fields)
    return demand


def test_a_sure_guess_routes_at_once(world: Any, rules: Any) -> None:
    demand = submit("网点两个月没发工资站长说总部没结算一直拖着")
    assert demand.category == "wages"
    assert not demand.awaiting_category
    assert demand.body == world.authority
    assert demand.state == State.DISPATCHED
    assert next(c for c, _ in demand.category_guesses) == "wages"
    assert len(demand.category_guesses) == 3


def test_an_unsure_guess_waits_for_a_person_and_keeps_the_intake_clock(
    world: Any, rules: Any
) -> None:
    demand = submit(UNSURE)
    assert classify.suggest(UNSURE).confidence < TRIAGE_THRESHOLD
    assert demand.awaiting_category
    assert demand.state == State.ACCEPTED
    assert demand.body is None
    assert demand.union == world.union_a
    assert "待分类" in demand.events.get(kind=DemandEvent.Kind.SUBMITTED).note
    # The worker who chose a category is never queued, however unsure the model.
    chosen = submit(UNSURE, category="rest", mobile="13919317778")
    assert not chosen.awaiting_category
    assert chosen.category == "rest"

    # Classified three days later: the limits are the chosen category's, counted from intake.
    received = demand.created_at - timedelta(days=3)
    Demand.objects.filter(pk=demand.pk).update(created_at=received)
    demand.refresh_from_db()
    demand = demand_triage(actor=world.users["staff_a"], demand=demand, category="wages")
    response_days, resolution_days, _ = limits_for(category="wages", urgency=demand.urgency)
    assert demand.response_due == Calendar().add_working_days(received, response_days).at
    assert demand.resolution_due == Calendar().add_working_days(received, resolution_days).at
    assert not demand.awaiting_category
    assert demand.category == "wages"
    assert demand.body == world.authority
    assert demand.state == State.DISPATCHED
    assert list(demand.co_bodies.values_list("name", flat=True)) == ["省快递协会"]
    # The choice is a labelled example, without the mobile number.
    correction = CategoryCorrection.objects.get()
    assert correction.category == "wages"
    assert "13919318888" not in correction.text
    assert "＃" in correction.text
    # Chosen once: a second choice is refused, nothing changes.
    with pytest.raises(Exception, match="不在待分类队列"):
        demand_triage(actor=world.users["staff_a"], demand=demand, category="rest")


def test_threshold_is_a_setting(world: Any, rules: Any) -> None:
    with override_settings(LIANDONG_DEMANDS_TRIAGE_THRESHOLD=0.0):
        assert not submit(UNSURE).awaiting_category
    with override_settings(LIANDONG_DEMANDS_TRIAGE_THRESHOLD=1.0):
        assert submit("网点两个月没发工资", mobile="13919317779").awaiting_category


def test_the_queue_page_one_tap_and_scope(world: Any, rules: Any) -> None:
    demand = submit(UNSURE)
    staff = BrowserClient()
    staff.force_login(world.users["staff_a"])
    page = staff.get("/demands/triage/")
    assert demand.code in page.content.decode()
    top = demand.category_guesses[0][0]
    assert f'value="{top}"' in page.content.decode()
    other = BrowserClient()
    other.force_login(world.users["staff_b"])
    assert demand.code not in other.get("/demands/triage/").content.decode()
    assert other.post(f"/demands/triage/{demand.pk}/", {"category": "wages"}).status_code == 404
    # A bad choice: said on the page, nothing changes.
    bad = staff.post(f"/demands/triage/{demand.pk}/", {"category": "nonsense"})
    assert bad.status_code == 200
    assert "请选择有效的诉求类别" in bad.content.decode()
    assert Demand.objects.get(pk=demand.pk).awaiting_category
    done = staff.post(f"/demands/triage/{demand.pk}/", {"category": "rest"})
    assert done.status_code == 302
    demand.refresh_from_db()
    assert demand.category == "rest"
    assert not demand.awaiting_category
    assert demand.body == world.enterprise_a  # the courier rule
    assert f'id="triage-{demand.pk}"' not in staff.get("/demands/triage/").content.decode()


def test_a_handlers_change_of_category_is_kept_without_personal_data(
    world: Any, rules: Any
) -> None:
    demand = submit("网点两个月没发工资，我的身份证62010219900101123X，电话13919316543")
    demand_set_category(actor=world.users["staff_a"], demand=demand, category="rights")
    row = CategoryCorrection.objects.get()
    assert (row.suggested, row.category) == ("wages", "rights")
    assert "62010219900101123X" not in row.text
    assert "13919316543" not in row.text
    assert row.text.startswith("网点两个月没发工资")


def test_strip_personal() -> None:
    assert learning.strip_personal("电话13919316543 卡号6222020200112233445") == "电话＃ 卡号＃"
    assert learning.strip_personal("拖了3个月2000块") == "拖了3个月2000块"


@pytest.fixture
def small_training(monkeypatch: Any, settings: Any, tmp_path: Any) -> None:
    """Training on a tenth of the training split: quick, and worse than the shipped model."""
    settings.DATA_DIR = tmp_path
    real = classify.labelled

    def labelled(split: str | None = None) -> list[classify.Example]:
        rows = real(split)
        return rows[::10] if split == "train" else rows

    monkeypatch.setattr(classify, "labelled", labelled)


def test_a_worse_model_is_never_promoted(world: Any, small_training: None) -> None:
    shipped = learning.active_scores()
    outcome = learning.classifier_train(note="少量数据")
    assert not outcome.promoted
    assert outcome.version.test_top1 < shipped["test"]["top1"]
    assert not ClassifierVersion.objects.filter(is_active=True).exists()
    config.clear()
    assert classify.current() is classify.model_at(classify.SHIPPED_MODEL)
    # Forced in, then the admin rolls back to the shipped model.
    forced = learning.classifier_train(promote="always", note="强制启用")
    assert forced.promoted
    assert ClassifierVersion.objects.get(is_active=True) == forced.version
    config.clear()
    assert classify.current().meta["version"] == forced.version.version
    # A model at least as good as the one in use (the same data) is promoted.
    again = learning.classifier_train(note="同样的数据")
    assert again.promoted
    assert again.version.test_top1 >= forced.version.test_top1
    learning.classifier_activate(actor=None, row=None)
    config.clear()
    assert classify.current() is classify.model_at(classify.SHIPPED_MODEL)


def test_the_tick_retrains_when_enough_corrections_arrived(
    world: Any, small_training: None, monkeypatch: Any
) -> None:
    monkeypatch.setattr(learning, "RETRAIN_MIN_CORRECTIONS", 3)
    for n in range(2):
        CategoryCorrection.objects.create(
            text=f"站点不给发工资{n}", suggested="other", category="wages"
        )
    assert learning.retrain_if_due().endswith(": 2")
    CategoryCorrection.objects.create(text="站点扣押金", suggested="other", category="wages")
    assert "将用 3 条" in learning.retrain_if_due(dry_run=True)
    outcome = learning.retrain_if_due()
    assert outcome.startswith("v2 ")
    assert "未启用" in outcome
    row = ClassifierVersion.objects.get()
    assert row.corrections == 3
    assert not CategoryCorrection.objects.filter(trained_in__isnull=True).exists()
    assert learning.retrain_if_due().endswith(": 0")


def test_the_classifier_page_rolls_back(world: Any, small_training: None) -> None:
    row = learning.classifier_train(promote="always").version
    CategoryCorrection.objects.create(text="站点扣押金不退", suggested="other", category="wages")
    admin = BrowserClient()
    admin.force_login(world.users["province_admin"])
    page = admin.get("/demands/classifier/").content.decode()
    assert f"v{row.version}" in page
    assert "站点扣押金不退" in page
    assert "使用中" in page
    assert admin.post("/demands/classifier/", {"version": "99"}).status_code == 400
    assert ClassifierVersion.objects.get(is_active=True) == row
    assert admin.post("/demands/classifier/", {"version": "0"}).status_code == 302
    assert not ClassifierVersion.objects.filter(is_active=True).exists()


def test_the_public_suggestion(client: Any, world: Any) -> None:
    url = "/api/v1/public/demands/suggest-category"
    answer = client.post(
        url,
        json.dumps({"description": "送外卖被车撞了腿骨折住院"}),
        content_type="application/json",
    )
    assert answer.status_code == 200
    data = answer.json()
    assert data["category"] == "injury"
    assert data["message"] == "您反映的问题可能属于：职业伤害"
    assert next(g["category"] for g in data["top3"]) == "injury"
    short = client.post(url, json.dumps({"description": "你好"}), content_type="application/json")
    assert short.json()["category"] is None
    too_long = client.post(
        url, json.dumps({"description": "工" * 2001}), content_type="application/json"
    )
    assert too_long.status_code == 422
    assert "description" in too_long.content.decode()


@override_settings(LIANDONG_DEMANDS_SUGGESTIONS_PER_IP_HOUR=2)
def test_the_public_suggestion_is_throttled(client: Any, world: Any) -> None:
    url = "/api/v1/public/demands/suggest-category"
    body = json.dumps({"description": "网点两个月没发工资"})
    codes = [client.post(url, body, content_type="application/json").status_code for _ in range(3)]
    assert codes == [200, 200, 429]


def test_the_receipt_names_the_category(world: Any, rules: Any) -> None:
    page = BrowserClient()
    form = page.get("/demands/submit/")
    assert "suggest-category" in form.content.decode()
    sent = page.post(
        "/demands/submit/",
        {
            "description": "网点两个月没发工资站长说总部没结算",
            "industry": "快递",
            "city": "兰州",
            "mobile": "13919310033",
            "consent": "on",
            "token": "t-1",
            "urgency": "normal",
        },
    )
    assert "诉求类别：<strong>工资报酬</strong>" in sent.content.decode()
    unsure = page.post(
        "/demands/submit/",
        {
            "description": "我想问个事情，麻烦回个电话。",
            "industry": "快递",
            "city": "兰州",
            "mobile": "13919310034",
            "consent": "on",
            "token": "t-2",
            "urgency": "normal",
        },
    )
    assert "诉求类别：<strong>待分类</strong>" in unsure.content.decode()


def test_dispatching_by_hand_takes_the_demand_out_of_the_queue(world: Any, rules: Any) -> None:
    from liandong.demands.services import demand_assign

    demand = submit(UNSURE)
    assert demand.awaiting_category
    demand = demand_assign(actor=world.users["staff_a"], demand=demand, body=world.enterprise_a)
    demand.refresh_from_db()
    assert not demand.awaiting_category
    assert demand.state == State.DISPATCHED


def test_the_api_receipt_names_the_category_or_the_queue(world: Any, rules: Any) -> None:
    api = BrowserClient()
    answers = [
        api.post(
            "/api/v1/public/demands",
            {
                "description": text,
                "industry": "快递",
                "city": "兰州",
                "mobile": mobile,
                "consent": True,
            },
            content_type="application/json",
        ).json()
        for text, mobile in [
            ("网点两个月没发工资站长说总部没结算", "13919310035"),
            ("我想问个事情，麻烦回个电话。", "13919310036"),
        ]
    ]
    assert [(a["category"], a["category_label"]) for a in answers] == [
        ("wages", "工资报酬"),
        ("", "待分类"),
    ]
