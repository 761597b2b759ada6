"""Writes of the competitions app. Each is one transaction and goes into the audit log; a
broken rule raises ``ValidationError`` with a Chinese message naming the field, and then
nothing has changed."""

import random
import secrets
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from liandong.accounts.models import Role, User
from liandong.competitions import notices
from liandong.competitions.models import (
    Contest,
    ContestStatus,
    Entrant,
    JudgeAssignment,
    PrizeTier,
    Round,
    RoundEntry,
    ScoreSheet,
    Segment,
    Team,
)
from liandong.competitions.scoring import Tier, assign_prizes, rank_teams
from liandong.competitions.selectors import (
    entrant_bodies,
    judge_pool,
    judge_worksheet,
    round_results,
    team_standings,
)
from liandong.core import crypto
from liandong.core.audit import audit_log, diff, snapshot
from liandong.core.backentry import BACK_ENTRY_LABEL, back_entry_date_check
from liandong.core.identity import id_number_birth_date, validate_id_number
from liandong.core.masking import mask_id_number
from liandong.organizations.models import Organization
from liandong.workers.models import Worker
from liandong.workers.services import id_number_digest

CONTEST_FIELDS = [
    "name",
    "level",
    "hosts",
    "undertakers",
    "co_organizers",
    "profession",
    "venue",
    "starts_on",
    "status",
    "occupation_keywords",
    "min_age",
    "max_age",
    "employer_kinds",
    "drop_extremes_from",
    "team_size",
    "team_rule",
    "team_best_n",
    "rounding",
    "chief_judge",
]
LEVEL_RANK = {"city": 1, "province": 2, "national": 3}
MAX_ORDER_NO = 100_000


OUTSIDE_POOL = "该评委不在本工会可选的评委范围内（本工会及上级工会、合作单位的评委）"


def _refuse(field: str, message: str, code: str = "invalid") -> ValidationError:
    return ValidationError({field: [ValidationError(message, code=code)]})


def _check_chief_judge(user: User | None, organization: Organization) -> None:
    if user is None:
        return
    if user.role != Role.JUDGE:
        raise _refuse("chief_judge", "裁判长必须是评委账号", "chief_judge_role")
    if not judge_pool(organization).filter(pk=user.pk).exists():
        raise _refuse("chief_judge", OUTSIDE_POOL, "outside_pool")


@transaction.atomic
def contest_create(*, actor: User | None, organization: Organization, **fields: Any) -> Contest:
    """A new contest, in preparation (筹备中): rounds, segments and prizes are added next."""
    contest = Contest(organization=organization, **fields)
    _check_chief_judge(contest.chief_judge, contest.organization)
    contest.full_clean()
    contest.save()
    audit_log(
        actor=actor,
        action="competitions.contest_created",
        target=contest,
        changes=snapshot(contest, CONTEST_FIELDS),
    )
    return contest


@transaction.atomic
def contest_update(*, actor: User | None, contest: Contest, **fields: Any) -> Contest:
    contest = Contest.objects.select_for_update().get(pk=contest.pk)
    if contest.is_published:
        raise _refuse("status", "成绩已公示，竞赛设置不能再修改", "published")
    before = snapshot(contest, CONTEST_FIELDS)
    for name, value in fields.items():
        setattr(contest, name, value)
    _check_chief_judge(contest.chief_judge, contest.organization)
    if contest.status == ContestStatus.PUBLISHED:
        raise _refuse("status", "请使用“公示成绩”发布结果", "publish_via_action")
    contest.full_clean()
    contest.save()
    audit_log(
        actor=actor,
        action="competitions.contest_updated",
        target=contest,
        changes=diff(before, snapshot(contest, CONTEST_FIELDS)),
    )
    return contest


def _unlocked(contest: Contest) -> None:
    if contest.is_published or contest.prizes_awarded_at is not None:
        raise _refuse("contest", "已评定奖项，设置不能再修改", "locked")


@transaction.atomic
def round_create(
    *,
    actor: User | None,
    contest: Contest,
    name: str,
    advance_rule: str = Round.Rule.TOP_N,
    advance_value: Decimal | None = None,
    per_group: bool = False,
    station: str = "",
    venue: str = "",
    starts_on: date | None = None,
    ends_on: date | None = None,
) -> Round:
    """A round; a touring contest names each round's station and venue (and its dates)."""
    _unlocked(contest)
    if starts_on and ends_on and ends_on < starts_on:
        raise _refuse("ends_on", "结束日期不能早于开始日期", "dates")
    if (
        advance_rule == Round.Rule.TOP_PERCENT
        and advance_value is not None
        and not 0 < advance_value <= 100
    ):
        raise _refuse("advance_value", "晋级比例应在 0 到 100 之间", "percent_range")
    if (
        advance_rule == Round.Rule.TOP_N
        and advance_value is not None
        and advance_value != int(advance_value)
    ):
        raise _refuse("advance_value", "晋级名额应为整数", "count_integer")
    order = (contest.rounds.aggregate(m=Max("order"))["m"] or 0) + 1
    round_ = Round(
        contest=contest,
        name=name.strip(),
        order=order,
        advance_rule=advance_rule,
        advance_value=advance_value,
        per_group=per_group,
        station=station.strip(),
        venue=venue.strip(),
        starts_on=starts_on,
        ends_on=ends_on or starts_on,
    )
    round_.full_clean()
    round_.save()
    audit_log(
        actor=actor,
        action="competitions.round_created",
        target=round_,
        changes=snapshot(
            round_,
            ["name", "order", "advance_rule", "advance_value", "per_group", "station", "venue"],
        ),
    )
    return round_


@transaction.atomic
def segment_create(
    *,
    actor: User | None,
    round: Round,
    name: str,
    weight: Decimal,
    full_marks: Decimal,
    tie_break: int | None = None,
) -> Segment:
    _unlocked(round.contest)
    if ScoreSheet.objects.filter(segment__round=round).exists():
        raise _refuse("name", "本赛段已有评分，不能再增加环节", "scoring_started")
    if weight is None or weight <= 0:
        raise _refuse("weight", "权重必须大于 0", "weight_positive")
    if full_marks is None or full_marks <= 0:
        raise _refuse("full_marks", "满分必须大于 0", "full_marks_positive")
    order = (round.segments.aggregate(m=Max("order"))["m"] or 0) + 1
    segment = Segment(
        round=round,
        name=name.strip(),
        order=order,
        weight=weight,
        full_marks=full_marks,
        tie_break=tie_break,
    )
    segment.full_clean()
    segment.save()
    audit_log(
        actor=actor,
        action="competitions.segment_created",
        target=segment,
        changes=snapshot(segment, ["name", "weight", "full_marks", "tie_break"]),
    )
    return segment


@transaction.atomic
def prize_tier_create(
    *,
    actor: User | None,
    contest: Contest,
    name: str,
    count: int | None = None,
    percent: Decimal | None = None,
    for_teams: bool = False,
) -> PrizeTier:
    _unlocked(contest)
    if count is not None and percent is not None:
        raise _refuse("percent", "名额和比例只能填写一项", "count_or_percent")
    if percent is not None and not 0 < percent <= 100:
        raise _refuse("percent", "比例应在 0 到 100 之间", "percent_range")
    if count is not None and count < 1:
        raise _refuse("count", "名额至少为 1", "count_positive")
    order = (
        contest.prize_tiers.filter(for_teams=for_teams).aggregate(m=Max("order"))["m"] or 0
    ) + 1
    tier = PrizeTier(
        contest=contest,
        name=name.strip(),
        order=order,
        count=count,
        percent=percent,
        for_teams=for_teams,
    )
    tier.full_clean()
    tier.save()
    audit_log(
        actor=actor,
        action="competitions.prize_tier_created",
        target=tier,
        changes=snapshot(tier, ["name", "count", "percent", "for_teams"]),
    )
    return tier


@transaction.atomic
def judge_assign(*, actor: User | None, segment: Segment, judge: User) -> JudgeAssignment:
    _unlocked(segment.round.contest)
    if judge.role != Role.JUDGE or not judge.is_active:
        raise _refuse("judge", "只能分配评委账号", "not_a_judge")
    if not judge_pool(segment.round.contest.organization).filter(pk=judge.pk).exists():
        raise _refuse("judge", OUTSIDE_POOL, "outside_pool")
    if JudgeAssignment.objects.filter(segment=segment, judge=judge).exists():
        raise _refuse("judge", "该评委已分配到本环节", "already_assigned")
    assignment = JudgeAssignment.objects.create(segment=segment, judge=judge)
    audit_log(
        actor=actor,
        action="competitions.judge_assigned",
        target=segment,
        changes={"judge": judge.get_username()},
    )
    return assignment


# ---------------------------------------------------------------------------------------------
# Registration and review.


def worker_age(worker: Worker, on: date) -> int | None:
    try:
        born = id_number_birth_date(crypto.decrypt(worker.id_number_cipher))
    except Exception:  # an unreadable ID number: the age is unknown, not a crash
        return None
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def eligibility_problems(contest: Contest, worker: Worker) -> list[str]:
    """Why ``worker`` may not enter ``contest`` (报名条件): occupation, age, employer type."""
    problems = []
    keywords = contest.occupation_keywords.split()
    if keywords and not any(k in worker.occupation for k in keywords):
        problems.append(
            f"职业“{worker.occupation or '未填写'}”不符合报名条件（{'、'.join(keywords)}）"
        )
    if contest.min_age is not None or contest.max_age is not None:
        age = worker_age(worker, contest.starts_on or timezone.localdate())
        if age is None:
            problems.append("无法根据身份证号确定年龄")
        elif contest.min_age is not None and age < contest.min_age:
            problems.append(f"年龄 {age} 岁，低于 {contest.min_age} 岁")
        elif contest.max_age is not None and age > contest.max_age:
            problems.append(f"年龄 {age} 岁，超过 {contest.max_age} 岁")
    kinds = [k.strip() for k in contest.employer_kinds.split(",") if k.strip()]
    if kinds and worker.employer.kind not in kinds:
        allowed = "、".join(
            str(Organization.Kind(k).label) for k in kinds if k in Organization.Kind.values
        )
        problems.append(
            f"工作单位类型“{worker.employer.get_kind_display()}”不在允许范围（{allowed}）"
        )
    return problems


def _check_registration_open(contest: Contest) -> None:
    if contest.status != ContestStatus.REGISTRATION:
        raise _refuse("contest", "本竞赛当前不在报名期", "registration_closed")


def _new_entrant(
    *,
    actor: User | None,
    contest: Contest,
    worker: Worker,
    registered_by: Organization,
    group: str,
    team: Team | None = None,
    nominated_from: Entrant | None = None,
) -> Entrant:
    problems = eligibility_problems(contest, worker)
    if problems:
        raise _refuse("worker", f"{worker.name}：{'；'.join(problems)}", "ineligible")
    if Entrant.objects.filter(contest=contest, worker=worker).exists():
        raise _refuse("worker", f"{worker.name} 已报名本竞赛", "already_registered")
    entrant = Entrant(
        contest=contest,
        worker=worker,
        registered_by=registered_by,
        group=group.strip(),
        team=team,
        nominated_from=nominated_from,
    )
    try:
        with transaction.atomic():
            entrant.save()
    except IntegrityError:
        raise _refuse("worker", f"{worker.name} 已报名本竞赛", "already_registered") from None
    audit_log(
        actor=actor,
        action="competitions.entrant_registered",
        target=entrant,
        changes={
            "contest": contest.pk,
            "registered_by": registered_by.pk,
            "group": entrant.group,
            "team": team.pk if team else None,
        },
    )
    return entrant


@transaction.atomic
def entrant_register(
    *,
    actor: User | None,
    contest: Contest,
    worker: Worker,
    registered_by: Organization,
    group: str = "",
) -> Entrant:
    """A body registers one of its workers; the organizer reviews it next."""
    _check_registration_open(contest)
    return _new_entrant(
        actor=actor, contest=contest, worker=worker, registered_by=registered_by, group=group
    )


@transaction.atomic
def team_register(
    *,
    actor: User | None,
    contest: Contest,
    name: str,
    registered_by: Organization,
    workers: list[Worker],
    group: str = "",
) -> Team:
    """A body's team: the team and all its members, or nothing."""
    _check_registration_open(contest)
    if contest.team_size == 0:
        raise _refuse("name", "本竞赛不设团体赛", "no_teams")
    if len({w.pk for w in workers}) != len(workers):
        raise _refuse("workers", "同一名职工不能在队中出现两次", "duplicate_member")
    if len(workers) != contest.team_size:
        raise _refuse(
            "workers", f"每队应为 {contest.team_size} 人，实际 {len(workers)} 人", "team_size"
        )
    if not name.strip():
        raise _refuse("name", "请填写代表队名称", "required")
    if Team.objects.filter(contest=contest, name=name.strip()).exists():
        raise _refuse("name", "代表队名称已被使用", "team_name_taken")
    team = Team.objects.create(contest=contest, name=name.strip(), organization=registered_by)
    audit_log(
        actor=actor,
        action="competitions.team_registered",
        target=team,
        changes={"contest": contest.pk, "members": [w.pk for w in workers]},
    )
    for worker in workers:
        _new_entrant(
            actor=actor,
            contest=contest,
            worker=worker,
            registered_by=registered_by,
            group=group,
            team=team,
        )
    return team


@transaction.atomic
def entrant_review(
    *, actor: User | None, entrant: Entrant, approve: bool, note: str = ""
) -> Entrant:
    """Approve (eligibility is checked again) or reject. An approved entrant takes part in the
    first round; a rejection takes them out of it, as long as nobody has scored them."""
    entrant = (
        Entrant.objects.select_for_update()
        .select_related("contest", "worker__employer")
        .get(pk=entrant.pk)
    )
    contest = entrant.contest
    if contest.is_published or contest.prizes_awarded_at is not None:
        raise _refuse("status", "已评定奖项，不能再审核", "locked")
    first = contest.rounds.order_by("order").first()
    if approve:
        problems = eligibility_problems(contest, entrant.worker)
        if problems:
            raise _refuse("status", "；".join(problems), "ineligible")
        if first is None:
            raise _refuse("status", "请先设置赛段（初赛、决赛）", "no_round")
    elif ScoreSheet.objects.filter(entry__entrant=entrant).exists():
        raise _refuse("status", "该选手已有评分，不能取消资格", "already_scored")
    before = snapshot(entrant, ["status", "review_note"])
    entrant.status = Entrant.Status.APPROVED if approve else Entrant.Status.REJECTED
    entrant.review_note = note.strip()[:200]
    entrant.save(update_fields=["status", "review_note", "updated_at"])
    if approve:
        RoundEntry.objects.get_or_create(round=first, entrant=entrant)
    else:
        RoundEntry.objects.filter(entrant=entrant).delete()
    audit_log(
        actor=actor,
        action="competitions.entrant_reviewed",
        target=entrant,
        changes=diff(before, snapshot(entrant, ["status", "review_note"])),
    )
    return entrant


# ---------------------------------------------------------------------------------------------
# Order of appearance.


def _order_unlocked(round_: Round) -> None:
    if ScoreSheet.objects.filter(segment__round=round_).exists():
        raise _refuse("round", "本赛段已开始评分，出场顺序不能再改", "scoring_started")


@transaction.atomic
def round_draw_order(*, actor: User | None, round: Round, seed: str | None = None) -> Round:
    """Draw the order of appearance (抽签). The seed is stored, so the draw can be replayed:
    ``random.Random(seed).shuffle`` over the entries sorted by id."""
    round_ = Round.objects.select_for_update().get(pk=round.pk)
    _order_unlocked(round_)
    entries = list(round_.entries.order_by("id"))
    if not entries:
        raise _refuse("round", "本赛段还没有选手", "no_entries")
    seed = seed or secrets.token_hex(8)
    random.Random(seed).shuffle(entries)  # noqa: S311 - a replayable draw, not a secret
    RoundEntry.objects.filter(round=round_).update(order_no=None)
    for number, entry in enumerate(entries, start=1):
        entry.order_no = number
    RoundEntry.objects.bulk_update(entries, ["order_no"])
    round_.draw_seed = seed
    round_.order_drawn_at = timezone.now()
    round_.save(update_fields=["draw_seed", "order_drawn_at", "updated_at"])
    audit_log(
        actor=actor,
        action="competitions.order_drawn",
        target=round_,
        changes={"seed": seed, "entries": len(entries)},
    )
    return round_


@transaction.atomic
def round_assign_order(*, actor: User | None, round: Round, numbers: dict[int, int]) -> Round:
    """Assign the order by hand: ``numbers`` maps each entry id to its number, 1..n, unique."""
    round_ = Round.objects.select_for_update().get(pk=round.pk)
    _order_unlocked(round_)
    entries = {e.pk: e for e in round_.entries.all()}
    if set(numbers) != set(entries):
        raise _refuse("order_no", "请为本赛段的每名选手填写出场顺序", "incomplete")
    values = list(numbers.values())
    if any(not 0 < v <= MAX_ORDER_NO for v in values) or len(set(values)) != len(values):
        raise _refuse("order_no", "出场顺序必须是互不相同的正整数", "duplicate_order")
    RoundEntry.objects.filter(round=round_).update(order_no=None)
    for pk, number in numbers.items():
        entries[pk].order_no = number
    RoundEntry.objects.bulk_update(list(entries.values()), ["order_no"])
    round_.draw_seed = ""
    round_.order_drawn_at = timezone.now()
    round_.save(update_fields=["draw_seed", "order_drawn_at", "updated_at"])
    audit_log(
        actor=actor,
        action="competitions.order_assigned",
        target=round_,
        changes={"entries": len(entries)},
    )
    return round_


# ---------------------------------------------------------------------------------------------
# Score sheets.


@dataclass(frozen=True)
class ScoreInput:
    order_no: int
    score: object  # as typed or read from a cell; parsed here


def _parse_score(raw: object, full: Decimal, order_no: int) -> Decimal:
    field = f"score_{order_no}"
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        raise _refuse(field, f"{order_no} 号选手：分数“{raw}”不是数字", "not_a_number") from None
    if not value.is_finite():
        raise _refuse(field, f"{order_no} 号选手：分数不是数字", "not_a_number")
    if value < 0 or value > full:
        raise _refuse(
            field,
            f"{order_no} 号选手：分数 {value} 超出范围（0–{full.normalize():f} 分）",
            "out_of_range",
        )
    if value != value.quantize(Decimal("0.01")):
        raise _refuse(field, f"{order_no} 号选手：分数最多保留两位小数", "too_precise")
    return value


class _Refusals:
    """Every refusal of a batch, by field, so that a judge sees all the scores to fix at once
    (not only the first); raised together once every row is checked."""

    def __init__(self) -> None:
        self.errors: dict[str, list[ValidationError]] = {}

    def add(self, field: str, message: str, code: str) -> None:
        self.errors.setdefault(field, []).append(ValidationError(message, code=code))

    def absorb(self, error: ValidationError) -> None:
        for field, items in error.error_dict.items():
            self.errors.setdefault(field, []).extend(items)

    def raise_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)


def _scoring_open(segment: Segment) -> None:
    round_ = segment.round
    contest = round_.contest
    if (
        contest.is_published
        or contest.prizes_awarded_at is not None
        or round_.advanced_at is not None
    ):
        raise _refuse("segment", "本赛段成绩已锁定，不能再评分", "scores_locked")


@transaction.atomic
def sheets_save(
    *,
    actor: User,
    segment: Segment,
    scores: list[ScoreInput],
    submit: bool = False,
    whole_sheet: bool = False,
) -> list[ScoreSheet]:
    """A judge enters scores for entrants (by order of appearance) in one segment: saved as a
    draft, or submitted, which locks them. All rows are checked before any is written, and a
    refusal names every row at fault (one message per field), not only the first."""
    segment = Segment.objects.select_related("round__contest").get(pk=segment.pk)
    if not JudgeAssignment.objects.filter(segment=segment, judge=actor).exists():
        raise _refuse("segment", "您未被分配到该比赛环节，不能评分", "not_assigned")
    _scoring_open(segment)
    refusals = _Refusals()
    if whole_sheet:
        # The judge's whole sheet at once (the page's 提交并锁定): every entrant still open
        # to this judge needs a score.
        given = {item.order_no for item in scores}
        for row in judge_worksheet(judge=actor, segment=segment):
            locked = row.sheet is not None and row.sheet.status == ScoreSheet.Status.SUBMITTED
            number = row.entry.order_no
            if not row.conflicted and not locked and number not in given:
                refusals.add(
                    f"score_{number}", f"{number} 号选手：请填写分数后再提交", "missing_score"
                )
    if not scores:
        refusals.raise_any()
        raise _refuse("scores", "没有需要保存的分数", "empty")
    seen: set[int] = set()
    for item in scores:
        if not 0 < item.order_no <= MAX_ORDER_NO:
            refusals.add("scores", f"出场顺序 {item.order_no} 不存在", "unknown_entrant")
            continue
        if item.order_no in seen:
            refusals.add(
                f"score_{item.order_no}", f"{item.order_no} 号选手的分数重复出现", "duplicate_sheet"
            )
        seen.add(item.order_no)
    entries = {
        e.order_no: e
        for e in RoundEntry.objects.filter(round=segment.round, order_no__in=seen).select_related(
            "entrant__worker__employer"
        )
    }
    existing = {
        s.entry_id: s
        for s in ScoreSheet.objects.select_for_update().filter(
            segment=segment, judge=actor, entry__in=entries.values()
        )
    }
    judge_org = actor.organization_id
    parsed = []
    for item in scores:
        entry = entries.get(item.order_no)
        field = f"score_{item.order_no}"
        if not 0 < item.order_no <= MAX_ORDER_NO:
            continue  # refused above
        if entry is None:
            refusals.add(field, f"本赛段没有 {item.order_no} 号选手", "unknown_entrant")
            continue
        if judge_org is not None and judge_org in entrant_bodies(entry.entrant):
            refusals.add(
                field,
                f"{item.order_no} 号选手与您来自同一单位，需回避，不能评分",
                "conflict_of_interest",
            )
            continue
        sheet = existing.get(entry.pk)
        if sheet is not None and sheet.status == ScoreSheet.Status.SUBMITTED:
            refusals.add(
                field,
                f"{item.order_no} 号选手的评分表已提交锁定，如需更改请联系裁判长",
                "sheet_locked",
            )
            continue
        try:
            parsed.append(
                (entry, sheet, _parse_score(item.score, segment.full_marks, item.order_no))
            )
        except ValidationError as error:
            refusals.absorb(error)
    refusals.raise_any()
    now = timezone.now()
    saved = []
    status = ScoreSheet.Status.SUBMITTED if submit else ScoreSheet.Status.DRAFT
    for entry, sheet, value in parsed:
        if sheet is None:
            sheet = ScoreSheet(segment=segment, entry=entry, judge=actor)
        sheet.score = value
        sheet.status = status
        sheet.submitted_at = now if submit else None
        try:
            with transaction.atomic():
                sheet.save()
        except IntegrityError:
            raise _refuse(
                f"score_{entry.order_no}",
                f"{entry.order_no} 号选手的评分表已存在（重复提交）",
                "duplicate_sheet",
            ) from None
        saved.append(sheet)
    audit_log(
        actor=actor,
        action="competitions.sheets_submitted" if submit else "competitions.sheets_saved",
        target=segment,
        changes={"scores": {str(e.order_no): str(v) for e, _, v in parsed}},
    )
    return saved


@transaction.atomic
def sheet_correct(
    *, actor: User | None, sheet: ScoreSheet, score: object, reason: str
) -> ScoreSheet:
    """The chief judge changes a submitted sheet, with a reason; before and after are audited."""
    sheet = (
        ScoreSheet.objects.select_for_update()
        .select_related("segment__round__contest", "entry")
        .get(pk=sheet.pk)
    )
    contest = sheet.segment.round.contest
    if contest.chief_judge_id is None or contest.chief_judge_id != getattr(actor, "pk", None):
        raise _refuse("score", "只有裁判长可以更正已提交的评分表", "not_chief_judge")
    if sheet.status != ScoreSheet.Status.SUBMITTED:
        raise _refuse("score", "评分表尚未提交，由评委本人修改", "not_submitted")
    _scoring_open(sheet.segment)
    if not reason.strip():
        raise _refuse("reason", "请填写更正原因", "reason_required")
    value = _parse_score(score, sheet.segment.full_marks, sheet.entry.order_no or 0)
    before = snapshot(sheet, ["score"])
    sheet.score = value
    sheet.corrected_by = actor
    sheet.correction_reason = reason.strip()[:200]
    sheet.save(update_fields=["score", "corrected_by", "correction_reason", "updated_at"])
    audit_log(
        actor=actor,
        action="competitions.sheet_corrected",
        target=sheet,
        changes={
            **diff(before, snapshot(sheet, ["score"])),
            "reason": sheet.correction_reason,
            "judge": sheet.judge_id,
        },
    )
    return sheet


# ---------------------------------------------------------------------------------------------
# Advancement, prizes, publication, nomination.


def _require_complete(round_: Round, results: list) -> None:
    if not results:
        raise _refuse("round", "本赛段没有选手", "no_entries")
    if not round_.segments.exists():
        raise _refuse("round", "本赛段还没有设置比赛环节", "no_segments")
    missing = sum(r.missing for r in results)
    if missing:
        raise _refuse(
            "round",
            f"还有 {missing} 张评分表未提交，全部提交后才能计算晋级和奖项",
            "sheets_missing",
        )


@transaction.atomic
def round_advance(*, actor: User | None, round: Round) -> list[RoundEntry]:
    """Close a round that is not the last: rank, and move the best entrants (top N / top X%,
    per group) on to the next round. Refused until every sheet is submitted."""
    round_ = Round.objects.select_for_update().select_related("contest").get(pk=round.pk)
    if round_.advanced_at is not None:
        raise _refuse("round", "本赛段已完成晋级", "already_advanced")
    following = round_.contest.rounds.filter(order__gt=round_.order).order_by("order").first()
    if following is None:
        raise _refuse("round", "这是最后一个赛段，请直接评定奖项", "last_round")
    if round_.advance_value is None:
        raise _refuse("advance_value", "请先设置晋级名额或比例", "no_rule")
    results, chosen = round_results(round_)
    _require_complete(round_, results)
    by_id = {r.entry.id: r for r in results}
    entries = list(round_.entries.all())
    for entry in entries:
        entry.rank = by_id[entry.pk].rank
        entry.total = by_id[entry.pk].total
        entry.advanced = entry.pk in chosen
    RoundEntry.objects.bulk_update(entries, ["rank", "total", "advanced"])
    created = [
        RoundEntry.objects.create(round=following, entrant_id=e.entrant_id)
        for e in entries
        if e.advanced
    ]
    claimed = Round.objects.filter(pk=round_.pk, advanced_at__isnull=True).update(
        advanced_at=timezone.now()
    )
    if not claimed:  # pragma: no cover - guarded by the row lock above
        raise _refuse("round", "本赛段已完成晋级", "already_advanced")
    audit_log(
        actor=actor,
        action="competitions.round_advanced",
        target=round_,
        changes={"advanced": len(created), "entries": len(entries), "to": following.pk},
    )
    return created


@transaction.atomic
def contest_award_prizes(*, actor: User | None, contest: Contest) -> Contest:
    """Rank the last round and give the prizes by the tiers; teams by the team tiers."""
    contest = Contest.objects.select_for_update().get(pk=contest.pk)
    if contest.is_published:
        raise _refuse("contest", "成绩已公示，不能重新评奖", "published")
    last = contest.rounds.order_by("-order").first()
    if last is None:
        raise _refuse("contest", "请先设置赛段", "no_round")
    earlier = contest.rounds.filter(order__lt=last.order, advanced_at__isnull=True).first()
    if earlier is not None:
        raise _refuse("contest", f"请先完成“{earlier.name}”的晋级", "round_open")
    results, _ = round_results(last)
    _require_complete(last, results)
    tiers = [Tier(t.name, t.count, t.percent) for t in contest.prize_tiers.filter(for_teams=False)]
    prizes = assign_prizes(results, tiers, lambda r: r.rank)
    entries = {e.pk: e for e in last.entries.select_related("entrant")}
    Entrant.objects.filter(contest=contest).update(prize="", final_rank=None, final_total=None)
    changed = []
    for position, result in enumerate(results):
        entry = entries[result.entry.id]
        entry.rank, entry.total = result.rank, result.total
        entrant = entry.entrant
        entrant.final_rank, entrant.final_total = result.rank, result.total
        entrant.prize = prizes.get(position, "")
        changed.append(entrant)
    RoundEntry.objects.bulk_update(list(entries.values()), ["rank", "total"])
    Entrant.objects.bulk_update(changed, ["final_rank", "final_total", "prize"])
    teams = rank_teams(team_standings(contest))
    team_tiers = [
        Tier(t.name, t.count, t.percent) for t in contest.prize_tiers.filter(for_teams=True)
    ]
    team_prizes = assign_prizes(teams, team_tiers, lambda t: t.rank)
    Team.objects.filter(contest=contest).update(prize="")
    for position, team in enumerate(teams):
        if position in team_prizes:
            Team.objects.filter(pk=team.team_id).update(prize=team_prizes[position])
    contest.prizes_awarded_at = timezone.now()
    contest.save(update_fields=["prizes_awarded_at", "updated_at"])
    audit_log(
        actor=actor,
        action="competitions.prizes_awarded",
        target=contest,
        changes={
            "prizes": {name: list(prizes.values()).count(name) for name in set(prizes.values())},
            "team_prizes": {
                name: list(team_prizes.values()).count(name) for name in set(team_prizes.values())
            },
        },
    )
    return contest


@transaction.atomic
def contest_reopen_prizes(*, actor: User | None, contest: Contest) -> Contest:
    """Undo the prizes (before publication), e.g. for a correction by the chief judge."""
    contest = Contest.objects.select_for_update().get(pk=contest.pk)
    if contest.is_published:
        raise _refuse("contest", "成绩已公示，不能撤销评奖", "published")
    if contest.prizes_awarded_at is None:
        raise _refuse("contest", "尚未评定奖项", "not_awarded")
    Entrant.objects.filter(contest=contest).update(prize="", final_rank=None, final_total=None)
    Team.objects.filter(contest=contest).update(prize="")
    contest.prizes_awarded_at = None
    contest.save(update_fields=["prizes_awarded_at", "updated_at"])
    audit_log(actor=actor, action="competitions.prizes_reopened", target=contest)
    return contest


@transaction.atomic
def contest_publish(*, actor: User | None, contest: Contest) -> Contest:
    """Publish the results (公示): names shown on the public results page from now on."""
    contest = Contest.objects.select_for_update().get(pk=contest.pk)
    if contest.is_published:
        raise _refuse("contest", "成绩已经公示", "already_published")
    if contest.prizes_awarded_at is None:
        raise _refuse("contest", "请先评定奖项，再公示成绩", "not_awarded")
    contest.published_at = timezone.now()
    contest.status = ContestStatus.PUBLISHED
    contest.save(update_fields=["published_at", "status", "updated_at"])
    notices.tell_registering_bodies(contest)
    audit_log(actor=actor, action="competitions.results_published", target=contest)
    return contest


@transaction.atomic
def entrant_nominate(*, actor: User | None, entrant: Entrant, target: Contest) -> Entrant:
    """Recommend an entrant of a published lower contest to a higher one (选拔推荐)."""
    source = entrant.contest
    if not source.is_published:
        raise _refuse("target", "本竞赛成绩公示后才能推荐选手", "not_published")
    if not entrant.prize and not entrant.round_entries.filter(advanced=True).exists():
        raise _refuse("target", "只能推荐获奖或晋级的选手", "not_qualified")
    if LEVEL_RANK[target.level] <= LEVEL_RANK[source.level]:
        raise _refuse("target", "只能推荐到更高级别的竞赛", "not_higher")
    if target.pk == source.pk:
        raise _refuse("target", "不能推荐到本竞赛", "same_contest")
    _check_registration_open(target)
    nominated = _new_entrant(
        actor=actor,
        contest=target,
        worker=entrant.worker,
        registered_by=source.organization,
        group=entrant.group,
        nominated_from=entrant,
    )
    if target.nominated_to_id is None and source.nominated_to_id is None:
        Contest.objects.filter(pk=source.pk).update(nominated_to=target)
    audit_log(
        actor=actor,
        action="competitions.entrant_nominated",
        target=entrant,
        changes={"to_contest": target.pk, "entrant": nominated.pk},
    )
    return nominated


# -- 补录: contests decided before the platform --------------------------------------------------
#
# A union adopting the platform mid-year records the contests it already held with their final
# results (who took part, rank, prize), so that the year's figures (contests, entrants,
# prize-winners) cover the whole year. There are no rounds, judges or score sheets: the results
# are entered as published, and the audit log says 补录. Competitions send no notices.

BACK_ENTRY_RESULTS_MAX = 5000


@dataclass(frozen=True)
class BackEntryResult:
    """One line of a back-entered contest's results."""

    worker: Worker
    final_rank: int | None = None
    prize: str = ""
    final_total: Decimal | None = None
    group: str = ""


def _lookup_workers(scope: QuerySet[Worker], tokens: list[str]) -> dict[str, Worker]:
    """``token`` (a 职工编号 or an ID number) → the worker within ``scope``; a refusal names
    the ones not found."""
    by_id: dict[str, int] = {}
    by_digest: dict[str, str] = {}
    for token in tokens:
        if token.isdigit() and len(token) < 15:
            by_id[token] = int(token)
            continue
        try:
            by_digest[token] = id_number_digest(validate_id_number(token))
        except ValidationError:
            raise _refuse(
                "results", f"“{token[:20]}”不是职工编号或有效的身份证号", "result_worker"
            ) from None
    found = scope.filter(
        Q(pk__in=list(by_id.values())) | Q(id_number_digest__in=list(by_digest.values()))
    ).select_related("employer")
    by_pk = {w.pk: w for w in found}
    by_hash = {w.id_number_digest: w for w in by_pk.values()}
    workers: dict[str, Worker] = {}
    missing = []
    for token in tokens:
        worker = by_pk.get(by_id[token]) if token in by_id else by_hash.get(by_digest[token])
        if worker is None:
            missing.append(token if token in by_id else "身份证号" + mask_id_number(token))
        else:
            workers[token] = worker
    if missing:
        raise _refuse(
            "results",
            f"以下职工不存在或不在您的范围内：{'、'.join(missing[:10])}"
            + ("等" if len(missing) > 10 else ""),
            "result_unknown",
        )
    return workers


def contest_results_parse(*, scope: QuerySet[Worker], text: str) -> list[BackEntryResult]:
    """The results pasted from a spreadsheet: one entrant a line, columns separated by tabs or
    commas: 职工编号或身份证号, 名次, 奖项, 总分, 组别 (all but the first may be empty). A bad
    line is refused with its number; nothing is taken from a list with a bad line."""
    rows: list[list[str]] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        cells = [c.strip() for c in line.replace("，", ",").replace("\t", ",").split(",")]
        cells += [""] * (5 - len(cells))
        if len(cells) > 5 or not cells[0]:
            raise _refuse(
                "results",
                f"第 {number} 行格式不对：应为“职工编号或身份证号, 名次, 奖项, 总分, 组别”",
                "result_format",
            )
        rows.append([str(number), *cells])
    if len(rows) > BACK_ENTRY_RESULTS_MAX:
        raise _refuse("results", f"一次最多补录 {BACK_ENTRY_RESULTS_MAX} 名选手", "too_many")
    workers = _lookup_workers(scope, [r[1] for r in rows])
    results = []
    for line_no, token, rank, prize, total, group in rows:
        if rank and not (rank.isdigit() and int(rank) >= 1):
            raise _refuse("results", f"第 {line_no} 行的名次应为正整数", "result_rank")
        try:
            points = Decimal(total) if total else None
        except InvalidOperation:
            raise _refuse("results", f"第 {line_no} 行的总分不是数字", "result_total") from None
        results.append(
            BackEntryResult(
                worker=workers[token],
                final_rank=int(rank) if rank else None,
                prize=prize,
                final_total=points,
                group=group,
            )
        )
    return results


@transaction.atomic
def contest_back_enter(
    *,
    actor: User | None,
    organization: Organization,
    name: str,
    profession: str,
    starts_on: date | None,
    results: list[BackEntryResult],
    level: str = "city",
    venue: str = "",
    hosts: str = "",
    undertakers: str = "",
    co_organizers: str = "",
    today: date | None = None,
) -> Contest:
    """Record a contest already held with its final results, published (已公示) at once: each
    entrant approved with rank, prize and total as they were announced. No rounds, judges or
    score sheets. The date must lie in the past two years."""
    starts_on = back_entry_date_check(starts_on, field="starts_on", label="比赛日期", today=today)
    if not results:
        raise _refuse("results", "请填写参赛选手及其成绩", "no_results")
    seen: set[int] = set()
    for result in results:
        worker = result.worker
        if worker.pk in seen:
            raise _refuse("results", f"{worker.name} 在名单中重复出现", "result_duplicate")
        seen.add(worker.pk)
        if not worker.employer.path.startswith(organization.path):
            raise _refuse("results", f"{worker.name} 不在组织单位的范围内", "result_scope")
        if len(result.prize) > 20:
            raise _refuse("results", f"{worker.name} 的奖项名称超过 20 个字", "result_prize")
        if len(result.group) > 40:
            raise _refuse("results", f"{worker.name} 的组别超过 40 个字", "result_group")
        if result.final_total is not None and not 0 <= result.final_total < 1_000_000:
            raise _refuse(
                "results", f"{worker.name} 的总分不在 0 到 999999.99 之间", "result_total"
            )
    now = timezone.now()
    contest = Contest(
        organization=organization,
        name=name.strip(),
        level=level,
        profession=profession.strip(),
        venue=venue.strip(),
        hosts=hosts.strip(),
        undertakers=undertakers.strip(),
        co_organizers=co_organizers.strip(),
        starts_on=starts_on,
        status=ContestStatus.PUBLISHED,
        prizes_awarded_at=now,
        published_at=now,
        back_entered=True,
        back_entered_by=actor if getattr(actor, "pk", None) else None,
        back_entered_at=now,
    )
    contest.full_clean()
    contest.save()
    Entrant.objects.bulk_create(
        [
            Entrant(
                contest=contest,
                worker=r.worker,
                registered_by=r.worker.employer,
                group=r.group,
                status=Entrant.Status.APPROVED,
                review_note="补录",
                prize=r.prize,
                final_rank=r.final_rank,
                final_total=r.final_total,
            )
            for r in results
        ]
    )
    prizes: dict[str, int] = {}
    for r in results:
        if r.prize:
            prizes[r.prize] = prizes.get(r.prize, 0) + 1
    audit_log(
        actor=actor,
        action="competitions.contest_back_entered",
        target=contest,
        changes={
            "back_entered": [None, BACK_ENTRY_LABEL],
            **snapshot(contest, ["name", "level", "profession", "starts_on", "status"]),
            "entrants": len(results),
            "prizes": prizes,
        },
    )
    return contest
