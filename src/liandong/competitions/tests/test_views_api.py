"""Pages and API end to end: setting up a contest, registering and reviewing, judging on the
worksheet page and by upload, results, publication, certificate, export, hooks."""

import io
from decimal import Decimal as D
from typing import Any

import openpyxl
from django.test import Client

from liandong.competitions import services
from liandong.competitions.hooks import NAV_ITEMS, worker_sections, year_figures
from liandong.competitions.models import Contest, ContestStatus, Entrant, ScoreSheet
from liandong.competitions.tests.factories import Setup, contest_setup
from liandong.competitions.tests.test_services import finish, score_all, workbook
from liandong.core.masking import mask_name
from liandong.core.models import AuditLog
from liandong.core.tests.client import BrowserClient
from liandong.workers.tests.factories import WorkerFactory


def logged_in(user: Any) -> Client:
    client = BrowserClient()
    client.force_login(user)
    return client


def test_staff_set_up_a_contest_through_the_pages(world: Any) -> None:
    admin = logged_in(world.users["admin_a"])
    response = admin.post(
        "/competitions/new/",
        {
            "name": "甲市快递员技能竞赛",
            "level": "city",
            "profession": "快递员",
            "status": "registration",
            "drop_extremes_from": 5,
            "team_size": 0,
            "team_rule": "sum",
            "team_best_n": 0,
            "rounding": "stage",
        },
    )
    contest = Contest.objects.get(name="甲市快递员技能竞赛")
    assert contest.rounding == "stage"
    assert response.status_code == 302
    assert contest.organization == world.union_a
    assert (
        admin.post(
            f"/competitions/{contest.pk}/rounds/new/", {"name": "决赛", "advance_rule": "top_n"}
        ).status_code
        == 302
    )
    final = contest.rounds.get()
    bad = admin.post(
        f"/competitions/rounds/{final.pk}/segments/new/",
        {"name": "实操", "weight": "0", "full_marks": "100"},
    )
    assert bad.status_code == 200
    assert "权重必须大于 0" in bad.content.decode()
    assert not final.segments.exists()
    assert (
        admin.post(
            f"/competitions/rounds/{final.pk}/segments/new/",
            {"name": "实操", "weight": "100", "full_marks": "100"},
        ).status_code
        == 302
    )
    segment = final.segments.get()
    assert (
        admin.post(
            f"/competitions/segments/{segment.pk}/judges/", {"judge": world.users["judge"].pk}
        ).status_code
        == 302
    )
    assert (
        admin.post(
            f"/competitions/{contest.pk}/prizes/new/", {"name": "一等奖", "count": 1}
        ).status_code
        == 302
    )
    # The enterprise union registers its own worker; the organizer approves.
    enterprise = logged_in(world.users["enterprise_a"])
    assert (
        enterprise.post(
            f"/competitions/{contest.pk}/register/", {"worker": world.worker_a.pk}
        ).status_code
        == 302
    )
    other = enterprise.post(f"/competitions/{contest.pk}/register/", {"worker": world.worker_b.pk})
    assert other.status_code == 200  # not in the enterprise's scope: not a choice
    entrant = Entrant.objects.get(contest=contest)
    assert entrant.registered_by == world.enterprise_a
    assert "符合条件" in admin.get(f"/competitions/{contest.pk}/entrants/").content.decode()
    assert (
        admin.post(
            f"/competitions/entrants/{entrant.pk}/review/", {"decision": "approve"}
        ).status_code
        == 302
    )
    assert (
        admin.post(f"/competitions/rounds/{final.pk}/order/", {"action": "draw"}).status_code == 302
    )
    assert final.entries.get().order_no == 1


def test_a_judge_scores_on_the_worksheet_and_a_bad_score_saves_nothing(setup: Setup) -> None:
    judge = logged_in(setup.judges["x"])
    url = f"/competitions/judging/segments/{setup.theory.pk}/"
    page = judge.get(url).content.decode()
    assert "1</span>" in page
    for entrant in setup.entrants:
        assert entrant.worker.name not in page  # judges know entrants by order number only
    response = judge.post(
        url, {"score_1": "90", "score_2": "101", "score_3": "80", "action": "submit"}
    )
    assert response.status_code == 200
    assert "超出范围" in response.content.decode()
    assert 'value="101"' in response.content.decode()  # what was typed is kept on the page
    assert not ScoreSheet.objects.exists()
    assert (
        judge.post(
            url, {"score_1": "90", "score_2": "85.5", "score_3": "80", "action": "save"}
        ).status_code
        == 302
    )
    assert set(ScoreSheet.objects.values_list("status", flat=True)) == {"draft"}
    assert (
        judge.post(
            url, {"score_1": "90", "score_2": "85.5", "score_3": "80", "action": "submit"}
        ).status_code
        == 302
    )
    assert set(ScoreSheet.objects.values_list("status", flat=True)) == {"submitted"}
    locked = judge.post(url, {"score_1": "10", "action": "submit"})
    assert "已提交锁定" in locked.content.decode()
    assert ScoreSheet.objects.get(entry__order_no=1).score == D("90")
    # The judge of the entrants' enterprise sees them as recused.
    conflicted = logged_in(setup.judges["ea"]).get(url).content.decode()
    assert "回避" in conflicted


def test_a_refused_sheet_marks_every_invalid_score_and_keeps_every_typed_one(
    setup: Setup,
) -> None:
    judge = logged_in(setup.judges["x"])
    url = f"/competitions/judging/segments/{setup.theory.pk}/"
    response = judge.post(
        url, {"score_1": "101", "score_2": "85.5", "score_3": "八十", "action": "save"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "有 2 个分数需要更正" in page
    assert "1 号选手：分数 101 超出范围" in page
    assert "3 号选手：分数“八十”不是数字" in page
    assert page.count('aria-invalid="true"') == 2
    assert 'value="85.5"' in page
    assert 'value="101"' in page
    assert 'value="八十"' in page
    assert not ScoreSheet.objects.exists()
    # 提交并锁定 needs every score: the empty one is marked with the invalid one.
    page = judge.post(
        url, {"score_1": "", "score_2": "85.5", "score_3": "100.001", "action": "submit"}
    ).content.decode()
    assert "1 号选手：请填写分数后再提交" in page
    assert "3 号选手：分数 100.001 超出范围" in page
    assert not ScoreSheet.objects.exists()
    # Saving a draft may leave scores empty.
    assert judge.post(url, {"score_1": "", "score_2": "85.5", "action": "save"}).status_code == 302
    assert ScoreSheet.objects.get().status == "draft"


def test_a_judge_uploads_the_theory_exam(setup: Setup) -> None:
    judge = logged_in(setup.judges["x"])
    upload = workbook([[1, "", 91], [2, "", 82.5], [3, "", 77]])
    upload.name = "理论成绩.xlsx"
    response = judge.post(
        f"/competitions/judging/segments/{setup.theory.pk}/upload/",
        {"file": upload, "submit": "on"},
    )
    assert response.status_code == 302
    assert sorted(ScoreSheet.objects.values_list("score", flat=True)) == [
        D("77"),
        D("82.5"),
        D("91"),
    ]
    bad = io.BytesIO(b"not a workbook")
    bad.name = "x.xlsx"
    response = judge.post(
        f"/competitions/judging/segments/{setup.practice.pk}/upload/", {"file": bad}
    )
    assert response.status_code == 200
    assert "field-error" in response.content.decode()
    assert not ScoreSheet.objects.filter(segment=setup.practice).exists()


def test_results_page_explains_and_advancement_refused_until_complete(
    world: Any, setup: Setup
) -> None:
    admin = logged_in(world.users["admin_a"])
    score_all(setup, {0: ("90", "90"), 1: ("80", "85"), 2: ("85", "80")}, judges=("chief",))
    refused = admin.post(f"/competitions/rounds/{setup.preliminary.pk}/advance/")
    assert refused.status_code == 200
    assert "6 张评分表未提交" in refused.content.decode()
    assert not setup.final.entries.exists()
    score_all(setup, {0: ("90", "90"), 1: ("80", "85"), 2: ("85", "80")}, judges=("x",))
    results = admin.get(f"/competitions/rounds/{setup.preliminary.pk}/").content.decode()
    assert "83.00" in results
    assert admin.post(f"/competitions/rounds/{setup.preliminary.pk}/advance/").status_code == 302
    assert setup.final.entries.count() == 2
    assert "按未经四舍五入的总分排名" in results  # the contest's rounding rule, stated
    explanation = admin.get(f"/competitions/entrants/{setup.entrants[1].pk}/").content.decode()
    assert "按未经四舍五入的总分排名" in explanation
    assert "32.00" in explanation  # 理论知识 80 / 100 × 40
    assert "51.00" in explanation  # 实操 85 / 100 × 60


def test_publication_certificate_export_and_public_pages(world: Any, setup: Setup) -> None:
    admin = logged_in(world.users["admin_a"])
    finish(setup, {0: "88", 1: "93"})
    assert (
        admin.post(f"/competitions/{setup.contest.pk}/prizes/", {"action": "award"}).status_code
        == 302
    )
    not_confirmed = admin.post(f"/competitions/{setup.contest.pk}/publish/", {})
    assert "请确认公示" in not_confirmed.content.decode()
    assert (
        admin.post(f"/competitions/{setup.contest.pk}/publish/", {"confirm": "yes"}).status_code
        == 302
    )
    public = BrowserClient().get(f"/competitions/{setup.contest.pk}/results/").content.decode()
    winner = setup.entrants[1].worker
    assert (
        mask_name(winner.name) in public
    )  # 公示: names masked, as the foundation shows them in public
    assert winner.name not in public
    assert "一等奖" in public
    assert winner.id_number_masked not in public
    board = BrowserClient().get(f"/competitions/{setup.contest.pk}/scoreboard/").content.decode()
    assert (
        mask_name(winner.name) in board
    )  # names (masked) replace the order numbers once published
    # The worker downloads their own certificate: a PDF with the CJK font embedded.
    worker = logged_in(world.users["worker_a"])
    pdf = worker.get(f"/competitions/entrants/{setup.entrants[0].pk}/certificate.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert b"FontFile2" in pdf.content
    assert (
        worker.get(f"/competitions/entrants/{setup.entrants[1].pk}/certificate.pdf").status_code
        == 404
    )
    # The export: one sheet per round with the segment means and the prizes.
    export = admin.get(f"/competitions/{setup.contest.pk}/export.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(export.content))
    assert book.sheetnames == ["初赛", "决赛"]
    rows = list(book["决赛"].values)
    assert rows[1][2] == winner.name
    assert rows[1][-1] == "一等奖"
    assert rows[1][-2] == 93.0


def test_chief_judge_corrects_a_sheet_through_the_page(world: Any, setup: Setup) -> None:
    score_all(setup, {0: ("90", "90"), 1: ("80", "85"), 2: ("85", "80")})
    sheet = ScoreSheet.objects.filter(judge=setup.judges["x"], segment=setup.theory).first()
    chief = logged_in(setup.judges["chief"])
    missing_reason = chief.post(
        f"/competitions/sheets/{sheet.pk}/correct/", {"score": "70", "reason": ""}
    )
    assert missing_reason.status_code == 200
    assert (
        chief.post(
            f"/competitions/sheets/{sheet.pk}/correct/", {"score": "70", "reason": "录入笔误"}
        ).status_code
        == 302
    )
    sheet.refresh_from_db()
    assert sheet.score == D("70")
    assert (
        AuditLog.objects.filter(
            action="competitions.sheet_corrected", actor=setup.judges["chief"]
        ).count()
        == 1
    )


def test_api_flow(world: Any, setup: Setup, api_token) -> None:
    judge = api_token(setup.judges["x"])
    client = BrowserClient()
    body = {"segment": setup.theory.pk, "scores": [{"order_no": 1, "score": "120"}]}
    bad = client.post(
        "/api/v1/competitions/judging/sheets", body, content_type="application/json", **judge
    )
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["body", "score_1"]
    assert "超出范围" in bad.json()["detail"][0]["msg"]
    body["scores"][0]["score"] = "88.5"
    body["submit"] = True
    ok = client.post(
        "/api/v1/competitions/judging/sheets", body, content_type="application/json", **judge
    )
    assert ok.status_code == 200
    assert ok.json()[0]["status"] == "submitted"
    admin = api_token(world.users["admin_a"])
    results = client.get(
        f"/api/v1/competitions/rounds/{setup.preliminary.pk}/results", **admin
    ).json()
    assert results["missing_sheets"] == 11
    advance = client.post(f"/api/v1/competitions/rounds/{setup.preliminary.pk}/advance", **admin)
    assert advance.status_code == 422
    assert "未提交" in advance.json()["detail"][0]["msg"]
    worker = WorkerFactory(employer=world.outlet_a)
    services.contest_update(actor=None, contest=setup.contest, status=ContestStatus.REGISTRATION)
    created = client.post(
        f"/api/v1/competitions/{setup.contest.pk}/entrants",
        {"worker": worker.pk},
        content_type="application/json",
        **api_token(world.users["enterprise_a"]),
    )
    assert created.status_code == 201
    assert created.json()["status"] == "pending"
    foreign = client.post(
        f"/api/v1/competitions/{setup.contest.pk}/entrants",
        {"worker": world.worker_b.pk},
        content_type="application/json",
        **admin,
    )
    assert foreign.status_code == 422
    assert foreign.json()["detail"][0]["loc"] == ["body", "worker"]


def test_hooks(world: Any, setup: Setup) -> None:
    finish(setup, {0: "88", 1: "93"})
    services.contest_award_prizes(actor=None, contest=setup.contest)
    services.contest_publish(actor=None, contest=setup.contest)
    sections = worker_sections(world.users["staff_a"], world.worker_a)
    assert sections[0].rows == [(setup.contest.name, "二等奖")]
    assert worker_sections(world.users["staff_b"], world.worker_a) == []
    figures = {f.label: f.value for f in year_figures(world.union_a, 2026)}
    assert figures == {"举办技能竞赛": 1, "参赛选手": 3, "获奖选手": 2}
    assert {f.label: f.value for f in year_figures(world.union_b, 2026)}["举办技能竞赛"] == 0
    visible = {item.label for item in NAV_ITEMS if item.visible(world.users["judge"])}
    assert visible == {"评分"}
    assert {item.label for item in NAV_ITEMS if item.visible(world.users["staff_a"])} == {
        "技能竞赛"
    }
    assert not [item for item in NAV_ITEMS if item.visible(world.users["liaison"])]
    # The worker's own page shows the section through the workers app.
    page = logged_in(world.users["worker_a"]).get("/workers/me/").content.decode()
    assert "技能竞赛" in page


def test_tie_at_the_cut_advances_everyone_tied(world: Any) -> None:
    """Top 2 advance. Totals E0 90.00, E1 80.00, E2 80.00 (both segments equal, so the
    tie-break cannot separate them): ranks 1, 2, 2 → all three advance."""
    setup = contest_setup(world, status=ContestStatus.IN_PROGRESS)
    score_all(setup, {0: ("90", "90"), 1: ("80", "80"), 2: ("80", "80")})
    created = services.round_advance(actor=None, round=setup.preliminary)
    assert len(created) == 3


def test_absurd_numbers_are_refused_not_crashed(world: Any, setup: Setup) -> None:
    judge = logged_in(setup.judges["x"])
    response = judge.post(
        f"/competitions/judging/segments/{setup.theory.pk}/",
        {f"score_{10**30}": "90", "action": "submit"},
    )
    assert response.status_code == 200
    assert "不存在" in response.content.decode()
    admin = logged_in(world.users["admin_a"])
    ScoreSheet.objects.all().delete()
    entries = list(setup.preliminary.entries.values_list("pk", flat=True))
    data = {"action": "assign", **{f"entry_{pk}": str(10**30 + i) for i, pk in enumerate(entries)}}
    response = admin.post(f"/competitions/rounds/{setup.preliminary.pk}/order/", data)
    assert response.status_code == 200
    assert "互不相同的正整数" in response.content.decode()


def test_the_register_page_offers_a_bounded_list_and_searches_by_name(world: Any) -> None:
    setup = contest_setup(world)
    WorkerFactory(name="欧阳快递", employer=world.outlet_a)
    page = (
        logged_in(world.users["admin_a"])
        .get(f"/competitions/{setup.contest.pk}/register/?q=欧阳")
        .content.decode()
    )
    assert "欧阳快递" in page
    assert world.worker_a.name not in page


def test_a_touring_contest_names_each_rounds_station_and_venue(world: Any) -> None:
    """巡回赛: a round is added with its station, venue and dates (a refused end date changes
    nothing); the contest page, the round's results, the API and the public pages name the
    stations in order."""
    from datetime import date

    setup = contest_setup(world, status=ContestStatus.IN_PROGRESS)
    admin = logged_in(world.users["admin_a"])
    url = f"/competitions/{setup.contest.pk}/rounds/new/"
    refused = admin.post(
        url,
        {
            "name": "总决赛",
            "station": "云南站",
            "venue": "云南民族大学",
            "starts_on": "2026-11-28",
            "ends_on": "2026-11-20",
            "advance_rule": "top_n",
        },
    )
    assert refused.status_code == 200
    assert "结束日期不能早于开始日期" in refused.content.decode()
    assert setup.contest.rounds.count() == 2
    services.round_create(
        actor=None,
        contest=setup.contest,
        name="万象站比赛",
        station="万象站",
        venue="老挝万象市",
        starts_on=date(2026, 11, 4),
        ends_on=date(2026, 11, 6),
    )
    saved = admin.post(
        url,
        {
            "name": "总决赛",
            "station": "云南站",
            "venue": "云南民族大学",
            "starts_on": "2026-11-28",
            "advance_rule": "top_n",
        },
    )
    assert saved.status_code == 302
    page = admin.get(f"/competitions/{setup.contest.pk}/").content.decode()
    assert "巡回赛站点" in page
    assert page.index("万象站") < page.index("云南站")
    assert "老挝万象市 · 2026年11月4日至6日" in page
    assert "云南民族大学 · 2026年11月28日" in page
    last = setup.contest.rounds.order_by("order").last()
    assert "云南站 · 云南民族大学" in admin.get(f"/competitions/rounds/{last.pk}/").content.decode()
    api = admin.get(f"/api/v1/competitions/{setup.contest.pk}").json()
    assert [r["station"] for r in api["rounds"]] == ["", "", "万象站", "云南站"]
    board = BrowserClient().get(f"/competitions/{setup.contest.pk}/scoreboard/").content.decode()
    assert "万象站" in board
    assert "云南民族大学" in board
