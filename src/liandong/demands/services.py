"""Writes to demands. Each one runs in a transaction, locks the demand row, checks the state,
appends to the timeline, keeps the statistics rollup current, and writes the audit log."""

import difflib
import io
import json
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any, TypedDict

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, UnidentifiedImageError

from liandong.accounts.models import User
from liandong.core import crypto, rawsql
from liandong.core.audit import audit_log
from liandong.core.identity import validate_mobile
from liandong.core.masking import mask_mobile
from liandong.demands import config, learning, notices
from liandong.demands.classify import suggest
from liandong.demands.models import (
    CATEGORY_LABELS,
    CHANNEL_LABELS,
    DONE_STATES,
    OPEN_STATES,
    Category,
    Channel,
    Demand,
    DemandAreaRollup,
    DemandBodyRollup,
    DemandEvent,
    DemandIndustryRollup,
    DemandPhoto,
    DemandRollup,
    Industry,
    Rating,
    RoutingRule,
    State,
    TimeLimit,
    Urgency,
)
from liandong.demands.workdays import Calendar
from liandong.organizations.models import Organization, path_ids

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read out over the phone
PHOTO_MAX_BYTES = 5 * 1024 * 1024
PHOTO_MAX_COUNT = 3
PHOTO_MAX_PIXELS = 40_000_000
PHOTO_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "GIF": "image/gif"}
DESCRIPTION_MIN, DESCRIPTION_MAX = 5, 2000
DUPLICATE_DAYS = 7
DUPLICATE_SIMILARITY = 0.5
DEFAULT_LIMITS: dict[str, tuple[int, int, int]] = {
    Urgency.NORMAL: (1, 5, 5),
    Urgency.URGENT: (1, 3, 3),
}
# Hours to respond/resolve, upper bounds of the rollup's histogram buckets (the last is open).
BUCKETS = [4, 8, 24, 48, 72, 120, 240, None]
SATISFIED = {Rating.SATISFIED, Rating.BASICALLY}
TRIAGE_THRESHOLD = 0.4


def triage_threshold() -> float:
    """Below this probability of its likeliest category, a demand nobody categorized waits for
    a person (LIANDONG_DEMANDS_TRIAGE_THRESHOLD; see bench/README.md for how it was chosen)."""
    return float(getattr(settings, "LIANDONG_DEMANDS_TRIAGE_THRESHOLD", TRIAGE_THRESHOLD))


def new_code() -> str:
    return "SQ" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))


# ---------------------------------------------------------------------------------------------
# Routing and time limits


def route_for(*, category: str, industry: str, city: str) -> config.Rule | None:
    """The most specific active rule that matches (blank fields match anything)."""
    return pick_rule(config.rules(), category=category, industry=industry, city=city)


def pick_rule(
    rules: Sequence[config.Rule], *, category: str, industry: str, city: str
) -> config.Rule | None:
    candidates = [
        rule
        for rule in rules
        if rule.category in ("", category)
        and rule.industry in ("", industry)
        and rule.city in ("", city)
    ]
    if not candidates:
        return None
    return min(candidates, key=lambda rule: (-rule.specificity, rule.priority, rule.pk))


def limits_for(*, category: str, urgency: str) -> tuple[int, int, int]:
    """(first response, resolution, escalation to the joint meeting) in working days."""
    rows = config.limits()
    row = rows.get((category, urgency)) or rows.get(("", urgency))
    return row or DEFAULT_LIMITS.get(urgency, DEFAULT_LIMITS[Urgency.NORMAL])


def _set_deadlines(demand: Demand, start: datetime, *, response: bool = True) -> None:
    response_days, resolution_days, _ = limits_for(category=demand.category, urgency=demand.urgency)
    calendar = Calendar()
    fallback = False
    if response:
        due = calendar.add_working_days(start, response_days)
        demand.response_due, fallback = due.at, due.fallback
    due = calendar.add_working_days(start, resolution_days)
    demand.resolution_due = due.at
    demand.calendar_fallback = fallback or due.fallback


def default_union() -> int:
    """Supervising union of a demand no rule matches: the topmost union of the installation."""
    union = (
        Organization.objects.filter(kind=Organization.Kind.UNION, is_active=True)
        .order_by("depth", "pk")
        .values_list("pk", flat=True)
        .first()
    )
    if union is None:
        raise ValidationError("系统尚未配置工会，暂不能受理诉求", code="no_union")
    return union


# ---------------------------------------------------------------------------------------------
# The statistics rollup


def _bucket(start: datetime, end: datetime) -> int:
    hours = (end - start).total_seconds() / 3600
    for index, bound in enumerate(BUCKETS):
        if bound is None or hours <= bound:
            return index
    return len(BUCKETS) - 1


ROLLUP_KEY = ("month", "body_id_key", "category", "city")
ROLLUP_COUNTERS = tuple(
    f.name
    for f in DemandRollup._meta.concrete_fields
    if not f.primary_key and f.name not in ROLLUP_KEY
)


INDUSTRY_ROLLUP_KEY = ("month", "body_id_key", "category", "industry", "city")


class RollupKey(TypedDict):
    month: date
    body_id_key: int
    category: str
    city: str
    industry: str


def rollup_key(demand: Demand) -> RollupKey:
    return {
        "month": timezone.localtime(demand.created_at).date().replace(day=1),
        "body_id_key": demand.body_id or 0,
        "category": demand.category,
        "city": demand.city,
        "industry": demand.industry,
    }


# Rollup rows are locked in one fixed order, that of their keys (month, body, category, city):
# two demands transferred at the same moment between the same two bodies in opposite
# directions would otherwise each lock its old body's rows, then wait for the other's, and
# deadlock on PostgreSQL. Only the concurrency test's control run turns this off.
ROLLUP_LOCK_ORDER = True


def _key_tuple(key: RollupKey) -> tuple[date, int, str, str, str]:
    return (key["month"], key["body_id_key"], key["category"], key["city"], key["industry"])


def _rollup_add_both(key: RollupKey, deltas: dict[str, int]) -> None:
    """The demand's city row and the all-cities row, in one UPSERT statement (a row missing is
    created; a concurrent creation is no conflict), locked in key order (ROLLUP_LOCK_ORDER)."""
    deltas = {name: value for name, value in deltas.items() if value}
    if not deltas:
        return
    deltas = {
        name: deltas.get(name, 0) for name in ROLLUP_COUNTERS
    }  # no database defaults: every column
    values = (key["month"], key["body_id_key"], key["category"])
    rows = [(*values, key["city"]), (*values, DemandRollup.ALL_CITIES)]
    if ROLLUP_LOCK_ORDER:
        rows.sort()  # PostgreSQL locks an UPSERT's rows in the order of its VALUES
    rawsql.upsert_add(DemandRollup, ROLLUP_KEY, [(row, deltas) for row in rows])
    # The same counts by industry (the dashboard's 行业 filter), after DemandRollup's rows in
    # every transaction: one more UPSERT, so the tables too are locked in one order.
    if key["industry"]:
        by_industry = [(*values, key["industry"], city) for *_, city in rows]
        if ROLLUP_LOCK_ORDER:
            by_industry.sort()
        rawsql.upsert_add(
            DemandIndustryRollup, INDUSTRY_ROLLUP_KEY, [(row, deltas) for row in by_industry]
        )


def rollup_contribution(demand: Demand) -> dict[str, int]:
    """What one demand adds to its rollup row, read off its fields (see docs/demands.md for the
    definitions of the three rates)."""
    counts = {"received": 1, "rated": demand.ratings_total, "satisfied": demand.ratings_satisfied}
    if demand.responded_at or demand.response_breached:
        counts["response_due"] = 1
    if demand.responded_at and not demand.response_breached:
        counts["responded_on_time"] = 1
    resolved = demand.state in DONE_STATES
    if resolved or demand.resolution_breached:
        counts["resolution_due"] = 1
    if resolved:
        counts["resolved"] = 1
    if demand.is_breached:
        counts["breached"] = 1
    if demand.responded_at:
        counts[f"rh{_bucket(demand.created_at, demand.responded_at)}"] = 1
    if resolved and demand.resolved_at:
        counts[f"sh{_bucket(demand.created_at, demand.resolved_at)}"] = 1
    return counts


@dataclass
class _Before:
    key: RollupKey
    counts: dict[str, int]


def _before(demand: Demand) -> _Before:
    return _Before(rollup_key(demand), rollup_contribution(demand))


AREA_ROLLUP_KEY = ("area_id_key", "month", "category", "industry", "city")
BODY_ROLLUP_KEY = ("month", "body_id_key", "industry")


def body_rows(key: RollupKey) -> list[tuple[Any, ...]]:
    """The body rollup rows one demand counts in: its month and body × (all industries, its
    industry)."""
    industries = [DemandBodyRollup.ALL, *([key["industry"]] if key["industry"] else [])]
    return [(key["month"], key["body_id_key"], industry) for industry in industries]


def area_ids(paths: dict[int, str], body_id: int) -> list[int]:
    """The organizations a body's demands count for in ``DemandAreaRollup``: every id on its
    path (read off the path, root first), the body included; none when not routed."""
    return path_ids(paths.get(body_id, ""))


def area_rows(areas: list[int], key: RollupKey) -> list[tuple[Any, ...]]:
    """The area rollup rows one demand counts in: each area × (all industries, its industry)
    × (all cities, its city)."""
    industries = [DemandAreaRollup.ALL, *([key["industry"]] if key["industry"] else [])]
    cities = [DemandAreaRollup.ALL, *([key["city"]] if key["city"] != DemandAreaRollup.ALL else [])]
    return [
        (area, key["month"], key["category"], industry, city)
        for area in areas
        for industry in industries
        for city in cities
    ]


def _area_move(before: _Before | None, key: RollupKey, counts: dict[str, int]) -> None:
    """The area rollup's share of a move: the old key's rows less, the new key's more, netted
    (a demand that changes state under the same body touches each row once), in ONE UPSERT
    with its rows sorted, after the body-keyed rollups' statements: every transaction takes the
    area rows last and in one order (an area row is shared by many bodies' keys, so taking
    them between two keys' statements could deadlock two opposite transfers)."""
    if before is not None and before.key == key and before.counts == counts:
        return
    bodies = {k["body_id_key"] for k in ([before.key] if before else []) + [key]} - {0}
    if not bodies:
        return
    # The bodies' paths, locked against a move of the tree (organizations' import: its UPDATE
    # of the paths conflicts), in key order: a move under way finishes first and this write
    # adds to the areas the body is in once it has moved (the move took the rows it had).
    paths = dict(
        Organization.objects.select_for_update(no_key=True)
        .filter(pk__in=bodies)
        .order_by("pk")
        .values_list("pk", "path")
    )
    rows = _netted(
        before, key, counts, lambda moved: area_rows(area_ids(paths, moved["body_id_key"]), moved)
    )
    if rows:
        rawsql.upsert_add(DemandAreaRollup, AREA_ROLLUP_KEY, rows)


def _netted(
    before: _Before | None,
    key: RollupKey,
    counts: dict[str, int],
    rows_of: Callable[[RollupKey], list[tuple[Any, ...]]],
) -> list[tuple[tuple[Any, ...], dict[str, int]]]:
    """A move's rows of one rollup (the old key's less, the new key's more), netted and
    sorted, zero rows left out: the rows of ONE statement, locked in key order."""
    deltas: dict[tuple[Any, ...], dict[str, int]] = {}
    moves = [(key, counts, 1)] + ([(before.key, before.counts, -1)] if before else [])
    for moved_key, moved_counts, sign in moves:
        for row in rows_of(moved_key):
            target = deltas.setdefault(row, {})
            for name, value in moved_counts.items():
                target[name] = target.get(name, 0) + sign * value
    return [
        (row, {name: values.get(name, 0) for name in ROLLUP_COUNTERS})
        for row, values in sorted(deltas.items())
        if any(values.values())
    ]


def _body_move(before: _Before | None, key: RollupKey, counts: dict[str, int]) -> None:
    """The body rollup's share of a move, in one UPSERT of sorted rows, after the plain and
    industry rollups' statements and before the area's: a body row is shared by the keys of
    every category and city, so, like the area rows, it is taken in one step, in one order."""
    if before is not None and before.key == key and before.counts == counts:
        return
    rows = _netted(before, key, counts, body_rows)
    if rows:
        rawsql.upsert_add(DemandBodyRollup, BODY_ROLLUP_KEY, rows)


def _key_move(before: _Before | None, key: RollupKey, counts: dict[str, int]) -> None:
    """Every rollup's share of one demand's move from ``before`` to ``key`` with ``counts``,
    tables always in this order: plain (and industry), body, area."""
    _plain_move(before, key, counts)
    _body_move(before, key, counts)
    _area_move(before, key, counts)


def _rollup_move(before: _Before | None, demand: Demand) -> None:
    _key_move(before, rollup_key(demand), rollup_contribution(demand))


def _plain_move(before: _Before | None, key: RollupKey, counts: dict[str, int]) -> None:
    if before is None:
        _rollup_add_both(key, counts)
    elif before.key == key:
        names = set(counts) | set(before.counts)
        _rollup_add_both(key, {n: counts.get(n, 0) - before.counts.get(n, 0) for n in names})
    else:
        # Two statements (the old key's rows, the new key's), the smaller key first: with the
        # rows sorted inside each, every transaction locks rollup rows in one global order.
        # (Keys that differ in city alone share the all-cities row, which sorts first.)
        moves = [
            (before.key, {n: -v for n, v in before.counts.items()}),
            (key, counts),
        ]
        if ROLLUP_LOCK_ORDER:
            moves.sort(key=lambda move: _key_tuple(move[0]))
        for moved_key, deltas in moves:
            _rollup_add_both(moved_key, deltas)


def _event(
    demand: Demand,
    kind: str,
    *,
    actor: User | None = None,
    note: str = "",
    public: bool = True,
    body: Organization | None = None,
) -> DemandEvent:
    return DemandEvent.objects.create(
        demand=demand,
        kind=kind,
        state=demand.state,
        public=public,
        note=note,
        body=body if body is not None else demand.body,
        actor=actor if getattr(actor, "pk", None) else None,
    )


# ---------------------------------------------------------------------------------------------
# Intake


def _clean_photos(photos: Sequence[bytes | UploadedFile]) -> list[tuple[bytes, str, int, int]]:
    if len(photos) > PHOTO_MAX_COUNT:
        raise ValidationError({"photos": f"最多上传 {PHOTO_MAX_COUNT} 张照片"}, code="photos_count")
    cleaned = []
    for index, photo in enumerate(photos, start=1):
        data = photo if isinstance(photo, bytes) else photo.read(PHOTO_MAX_BYTES + 1)
        if len(data) > PHOTO_MAX_BYTES:
            raise ValidationError({"photos": f"第 {index} 张照片超过 5MB"}, code="photo_size")
        try:
            with Image.open(io.BytesIO(data)) as image:
                if image.format not in PHOTO_FORMATS:
                    raise ValidationError(
                        {"photos": f"第 {index} 个文件不是支持的图片格式（JPEG、PNG、WEBP、GIF）"},
                        code="photo_type",
                    )
                width, height = image.size
                if width * height > PHOTO_MAX_PIXELS:
                    raise ValidationError(
                        {"photos": f"第 {index} 张照片像素过大"}, code="photo_pixels"
                    )
                image.verify()
                content_type = PHOTO_FORMATS[image.format]
        except ValidationError:
            raise
        except (
            UnidentifiedImageError,
            OSError,
            SyntaxError,
            ValueError,
            Image.DecompressionBombError,
        ):
            raise ValidationError(
                {"photos": f"第 {index} 个文件不是有效的图片"}, code="photo_type"
            ) from None
        cleaned.append((data, content_type, width, height))
    return cleaned


def _clean_intake(
    *,
    category: str,
    description: str,
    industry: str,
    city: str,
    mobile: str,
    employer_name: str,
    submitter_name: str,
    consent: bool,
    urgency: str,
) -> dict[str, str]:
    errors: dict[str, str] = {}
    description = (description or "").strip()
    if category and category not in Category.values:
        errors["category"] = "请选择有效的诉求类别"
    if len(description) < DESCRIPTION_MIN:
        errors["description"] = f"请描述您的诉求（至少 {DESCRIPTION_MIN} 个字）"
    elif len(description) > DESCRIPTION_MAX:
        errors["description"] = f"诉求内容不能超过 {DESCRIPTION_MAX} 字"
    if industry not in Industry.values:
        errors["industry"] = "请选择所在行业"
    city = (city or "").strip()
    if not city:
        errors["city"] = "请填写所在城市"
    elif len(city) > 40:
        errors["city"] = "城市名称过长"
    if len((employer_name or "").strip()) > 100:
        errors["employer_name"] = "单位或平台名称不能超过 100 字"
    if len((submitter_name or "").strip()) > 40:
        errors["submitter_name"] = "姓名不能超过 40 字"
    if urgency not in Urgency.values:
        errors["urgency"] = "请选择有效的紧急程度"
    try:
        mobile = valid_mobile(mobile)
    except ValidationError as error:
        errors["mobile"] = error.messages[0]
    if not consent:
        errors["consent"] = "请阅读并同意个人信息处理说明后再提交"
    if errors:
        raise ValidationError({field: [message] for field, message in errors.items()})
    return {
        "description": description,
        "city": city,
        "mobile": mobile,
        "employer_name": (employer_name or "").strip(),
        "submitter_name": (submitter_name or "").strip(),
    }


def _find_duplicate(demand: Demand, now: datetime) -> int | None:
    """The earliest demand of the same mobile in the last 7 days with a similar text."""
    recent = (
        Demand.objects.filter(
            mobile_digest=demand.mobile_digest, created_at__gte=now - timedelta(days=DUPLICATE_DAYS)
        )
        .exclude(state=State.MERGED)
        .order_by("id")
        .values_list("id", "description")[:20]
    )
    for pk, description in recent:
        if (
            pk != demand.pk
            and difflib.SequenceMatcher(None, description, demand.description).ratio()
            >= DUPLICATE_SIMILARITY
        ):
            return pk
    return None


@lru_cache(maxsize=4096)
def valid_mobile(raw: str) -> str:
    """``validate_mobile``, remembered per process: the intake checks the number once for the
    rate limit and once for the demand (phonenumbers' parsing is the costly part)."""
    return validate_mobile(raw)


def demand_submit(
    *,
    actor: User | None = None,
    channel: str = Channel.ONLINE,
    category: str = "",
    description: str,
    industry: str,
    city: str,
    mobile: str,
    employer_name: str = "",
    submitter_name: str = "",
    consent: bool,
    urgency: str = Urgency.NORMAL,
    photos: Sequence[bytes | UploadedFile] | None = None,
    idempotency_key: str = "",
    request_digest: str = "",
    key_checked: bool = False,
    now: datetime | None = None,
) -> tuple[Demand, bool]:
    """Record a demand, route it, start its clocks. Returns (demand, created): a retry with the
    same ``idempotency_key`` returns the first demand and creates nothing (two retries racing
    each other: the second gets an IntegrityError, and the caller answers with the first).
    ``key_checked``: the caller has just looked the key up itself. Committed when this returns
    (or with the caller's transaction), before anyone is told the tracking code. ``now``: the
    moment of the intake when it is not the clock's (the demo replays past months).
    ``request_digest`` (``request_digest()`` of the request's body) binds the key to its
    request: the same key with another body is refused (``demand_for_key``)."""
    key = (idempotency_key or "").strip()
    if len(key) > 80:
        raise ValidationError({"idempotency_key": ["Idempotency-Key 不能超过 80 个字符"]})
    if key and not key_checked:
        existing = demand_for_key(key, request_digest)
        if existing is not None:
            return existing, False
    data = _clean_intake(
        category=category,
        description=description,
        industry=industry,
        city=city,
        mobile=mobile,
        employer_name=employer_name,
        submitter_name=submitter_name,
        consent=consent,
        urgency=urgency,
    )
    cleaned_photos = _clean_photos(photos or [])
    return _demand_create(
        actor=actor,
        channel=channel,
        category=category,
        industry=industry,
        urgency=urgency,
        data=data,
        photos=cleaned_photos,
        key=key,
        digest=request_digest if key else "",
        now=now,
    ), True


KEY_REUSED_MESSAGE = (
    "该 Idempotency-Key 已用于另一份内容不同的诉求，本次没有受理：重试请原样重发，"
    "新的诉求请换一个新的 Idempotency-Key"
)


def request_digest(body: dict[str, Any]) -> str:
    """A keyed hash of a request's canonical body (its validated fields as sorted JSON): the
    same request, however its JSON was spelled, gives the same digest; it reveals nothing of
    the body (which holds a mobile number) without the field key."""
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return crypto.blind_index("idempotency", canonical)


def demand_for_key(key: str, digest: str) -> Demand | None:
    """The demand an Idempotency-Key was first used for, when this is a retry of that request;
    None for a new key; a ValidationError (422) when the key came with another body."""
    existing = Demand.objects.filter(idempotency_key=key).first()
    if existing is None:
        return None
    # Demands stored before keys were bound (no digest) answer any retry as before.
    if existing.request_digest and digest and existing.request_digest != digest:
        raise ValidationError({"idempotency_key": [KEY_REUSED_MESSAGE]}, code="key_reused")
    return existing


@transaction.atomic(savepoint=False)
def _demand_create(
    *,
    actor: User | None,
    channel: str,
    category: str,
    industry: str,
    urgency: str,
    data: dict[str, str],
    photos: list[tuple[bytes, str, int, int]],
    key: str,
    digest: str,
    now: datetime | None,
) -> Demand:
    # The public intake's hot path (docs/demands.md "What an intake costs", pinned by
    # tests/test_query_counts.py): configuration comes from config.py's cached copy; one SELECT
    # (duplicates), one INSERT per table, one UPSERT for the rollup.
    moment = now or timezone.now()
    suggestion = suggest(data["description"])
    suggested = suggestion.category
    # Nobody chose a category and the model is unsure: a person decides (the 待分类 queue).
    unsure = not category and suggestion.confidence < triage_threshold()
    mobile = data["mobile"]
    actor_id = actor.pk if actor is not None and actor.pk else None
    demand = Demand(
        channel=channel,
        category=category or suggested,
        suggested_category=suggested,
        awaiting_category=unsure,
        category_guesses=[[c, round(p, 3)] for c, p in suggestion.top3],
        urgency=urgency,
        description=data["description"],
        industry=industry,
        employer_name=data["employer_name"],
        city=data["city"],
        submitter_name=data["submitter_name"],
        mobile_cipher=crypto.encrypt(mobile),
        mobile_digest=crypto.mobile_digest(mobile),
        mobile_masked=mask_mobile(mobile),
        mobile_tail=mobile[-4:],
        consent_at=moment,
        idempotency_key=key or None,
        request_digest=digest,
        entered_by_id=actor_id,
        state=State.ACCEPTED,
        code=new_code(),
    )
    _set_deadlines(demand, moment)
    rule = route_for(category=demand.category, industry=industry, city=demand.city)
    demand.union_id = rule.union_id if rule else default_union()
    if unsure:
        rule = None  # routed when a person has chosen the category
    if rule is not None:
        demand.body_id = rule.body_id
        demand.state = State.DISPATCHED
    demand.possible_duplicate_of_id = _find_duplicate(demand, moment)
    demand.save()
    if now is not None:
        # created_at is auto_now_add (the clock's); the rollup's month and hours count from it.
        Demand.objects.filter(pk=demand.pk).update(created_at=now)
        demand.created_at = now
    if photos:
        DemandPhoto.objects.bulk_create(
            [
                DemandPhoto(
                    demand_id=demand.pk,
                    content=data_bytes,
                    content_type=content_type,
                    size=len(data_bytes),
                    width=width,
                    height=height,
                )
                for data_bytes, content_type, width, height in photos
            ]
        )
    events = [
        DemandEvent(
            demand_id=demand.pk,
            kind=DemandEvent.Kind.SUBMITTED,
            state=State.ACCEPTED,
            body_id=demand.union_id,
            actor_id=actor_id,
            note=f"{CHANNEL_LABELS[channel]}，类别："
            + ("待分类" if unsure else CATEGORY_LABELS[demand.category]),
        )
    ]
    if rule is not None:
        co_ids = [pk for pk in rule.co_body_ids if pk != rule.body_id]
        if co_ids:
            through = Demand.co_bodies.through
            through.objects.bulk_create(
                [through(demand_id=demand.pk, organization_id=pk) for pk in co_ids]
            )
        names = dict(rule.names)
        note = (
            "按分派规则派至"
            + names.get(rule.body_id, "")
            + (f"，协办：{'、'.join(names[pk] for pk in co_ids if pk in names)}" if co_ids else "")
        )
        events.append(
            DemandEvent(
                demand_id=demand.pk,
                kind=DemandEvent.Kind.DISPATCHED,
                state=State.DISPATCHED,
                body_id=rule.body_id,
                note=note,
            )
        )
    DemandEvent.objects.bulk_create(events)
    if rule is not None:
        notices.tell_body_routed_at_intake(demand, body_name=dict(rule.names).get(rule.body_id, ""))
    _rollup_move(None, demand)
    audit_log(
        actor=actor,
        action="demands.submitted",
        target=demand,
        changes={
            "channel": channel,
            "category": demand.category,
            **({"awaiting_category": True} if unsure else {}),
            "industry": industry,
            "city": demand.city,
            "body": demand.body_id,
            "mobile": demand.mobile_masked,
            "photos": len(photos),
        },
    )
    return demand


# ---------------------------------------------------------------------------------------------
# Handling


def _locked(demand: Demand) -> tuple[Demand, _Before]:
    fresh = (
        Demand.objects.select_for_update(of=("self",))
        .select_related("body", "union")
        .get(pk=demand.pk)
    )
    return fresh, _before(fresh)


def _require_state(demand: Demand, states: list[str], action: str) -> None:
    if demand.state not in states:
        raise ValidationError(
            f"当前状态为“{demand.get_state_display()}”，不能{action}", code="bad_state"
        )


def _require_text(value: str, field: str, label: str, limit: int = 2000) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: [f"请填写{label}"]}, code="required")
    if len(value) > limit:
        raise ValidationError({field: [f"{label}不能超过 {limit} 字"]}, code="too_long")
    return value


def _finish(
    demand: Demand,
    before: _Before,
    *,
    actor: User | None,
    action: str,
    fields: list[str],
    changes: dict[str, Any],
) -> Demand:
    demand.is_breached = demand.response_breached or demand.resolution_breached
    demand.save(update_fields=[*fields, "is_breached", "updated_at"])
    _rollup_move(before, demand)
    audit_log(actor=actor, action=f"demands.{action}", target=demand, changes=changes)
    return demand


@transaction.atomic
def demand_accept(
    *, actor: User | None, demand: Demand, note: str, now: datetime | None = None
) -> Demand:
    """The responsible body takes the demand up and answers the worker: the first response
    (``now``: its moment when it is not the clock's)."""
    note = _require_text(note, "note", "给职工的首次答复")
    demand, before = _locked(demand)
    _require_state(demand, [State.DISPATCHED], "开始办理")
    now = now or timezone.now()
    demand.state = State.IN_PROGRESS
    fields = ["state"]
    if demand.responded_at is None:
        demand.responded_at = now
        demand.response_breached = demand.response_breached or now > demand.response_due
        fields += ["responded_at", "response_breached"]
    event = _event(demand, DemandEvent.Kind.ACCEPTED, actor=actor, note=note)
    notices.tell_worker(demand, kind=notices.ANSWERED, event_id=event.pk, note=note)
    return _finish(
        demand,
        before,
        actor=actor,
        action="accepted",
        fields=fields,
        changes={"state": "in_progress"},
    )


@transaction.atomic
def demand_reply(*, actor: User | None, demand: Demand, note: str) -> Demand:
    """A progress note to the worker while handling."""
    note = _require_text(note, "note", "答复内容")
    demand, before = _locked(demand)
    _require_state(demand, [State.IN_PROGRESS], "答复")
    event = _event(demand, DemandEvent.Kind.REPLIED, actor=actor, note=note)
    notices.tell_worker(demand, kind=notices.ANSWERED, event_id=event.pk, note=note)
    return _finish(demand, before, actor=actor, action="replied", fields=[], changes={})


@transaction.atomic
def demand_transfer(
    *, actor: User | None, demand: Demand, body: Organization | None, reason: str
) -> Demand:
    """Hand the demand to another body, with a reason; the clocks keep running."""
    reason = _require_text(reason, "reason", "转办理由", 500)
    if body is None:
        raise ValidationError({"body": ["请选择转办的责任单位"]}, code="required")
    demand, before = _locked(demand)
    _require_state(demand, [State.DISPATCHED, State.IN_PROGRESS], "转办")
    if body.pk == demand.body_id:
        raise ValidationError({"body": ["不能转办给当前责任单位"]}, code="same_body")
    old = demand.body
    demand.body = body
    demand.state = State.DISPATCHED
    event = _event(
        demand,
        DemandEvent.Kind.TRANSFERRED,
        actor=actor,
        note=f"由{old.name if old else '—'}转至{body.name}：{reason}",
    )
    notices.tell_body_routed(demand, event_id=event.pk, note=f"转办理由：{reason}")
    return _finish(
        demand,
        before,
        actor=actor,
        action="transferred",
        fields=["body", "state"],
        changes={"body": [old.pk if old else None, body.pk], "reason": reason},
    )


@transaction.atomic
def demand_resolve(
    *, actor: User | None, demand: Demand, note: str, now: datetime | None = None
) -> Demand:
    """Close the demand, saying what was done (``now``: its moment when not the clock's)."""
    note = _require_text(note, "note", "办理结果")
    demand, before = _locked(demand)
    _require_state(demand, [State.IN_PROGRESS], "办结")
    now = now or timezone.now()
    demand.state = State.RESOLVED
    demand.resolved_at = now
    demand.resolution_note = note
    demand.resolution_breached = demand.resolution_breached or now > demand.resolution_due
    event = _event(demand, DemandEvent.Kind.RESOLVED, actor=actor, note=note)
    notices.tell_worker(demand, kind=notices.RESOLVED, event_id=event.pk, note=note)
    return _finish(
        demand,
        before,
        actor=actor,
        action="resolved",
        fields=["state", "resolved_at", "resolution_note", "resolution_breached"],
        changes={"state": "resolved"},
    )


@transaction.atomic
def demand_return(*, actor: User | None, demand: Demand, reason: str) -> Demand:
    """The body says the demand is not theirs; it goes back to the union to be dispatched again."""
    reason = _require_text(reason, "reason", "退回理由", 500)
    demand, before = _locked(demand)
    _require_state(demand, [State.DISPATCHED, State.IN_PROGRESS], "退回")
    old = demand.body
    demand.state = State.RETURNED
    _event(demand, DemandEvent.Kind.RETURNED, actor=actor, note=reason, body=old)
    demand.body = None
    return _finish(
        demand,
        before,
        actor=actor,
        action="returned",
        fields=["state", "body"],
        changes={"body": [old.pk if old else None, None], "reason": reason},
    )


@transaction.atomic
def demand_reject(*, actor: User | None, demand: Demand, reason: str) -> Demand:
    """不予受理, with the reason the worker will read."""
    reason = _require_text(reason, "reason", "不予受理的理由", 500)
    demand, before = _locked(demand)
    _require_state(demand, [State.ACCEPTED, State.DISPATCHED, State.RETURNED], "不予受理")
    demand.state = State.REJECTED
    demand.reject_reason = reason
    _event(demand, DemandEvent.Kind.REJECTED, actor=actor, note=reason, body=demand.union)
    return _finish(
        demand,
        before,
        actor=actor,
        action="rejected",
        fields=["state", "reject_reason"],
        changes={"state": "rejected", "reason": reason},
    )


@transaction.atomic
def demand_assign(
    *,
    actor: User | None,
    demand: Demand,
    body: Organization | None,
    co_bodies: list[Organization] | None = None,
    note: str = "",
) -> Demand:
    """Union staff dispatch (or re-dispatch) a demand by hand, overriding the rules."""
    if body is None:
        raise ValidationError({"body": ["请选择责任单位"]}, code="required")
    demand, before = _locked(demand)
    _require_state(demand, [State.ACCEPTED, State.DISPATCHED, State.RETURNED], "派单")
    old = demand.body_id
    demand.body = body
    demand.state = State.DISPATCHED
    # Dispatched by hand from the 待分类 queue's demand: the person took the guessed category.
    awaiting, demand.awaiting_category = demand.awaiting_category, False
    if co_bodies is not None:
        demand.co_bodies.set([b for b in co_bodies if b.pk != body.pk])
    names = "、".join(b.name for b in demand.co_bodies.all())
    event = _event(
        demand,
        DemandEvent.Kind.DISPATCHED,
        actor=actor,
        note=f"派至{body.name}"
        + (f"，协办：{names}" if names else "")
        + (f"：{note.strip()}" if note.strip() else ""),
    )
    notices.tell_body_routed(demand, event_id=event.pk, note=note.strip())
    return _finish(
        demand,
        before,
        actor=actor,
        action="assigned",
        fields=["body", "state", *(["awaiting_category"] if awaiting else [])],
        changes={"body": [old, body.pk]},
    )


@transaction.atomic
def demand_set_category(*, actor: User | None, demand: Demand, category: str) -> Demand:
    """Staff override of the category (the suggestion stays recorded beside it)."""
    if category not in Category.values:
        raise ValidationError({"category": ["请选择有效的诉求类别"]}, code="invalid")
    demand, before = _locked(demand)
    if demand.state not in OPEN_STATES:
        raise ValidationError("已办结或已关闭的诉求不能调整类别", code="bad_state")
    if demand.awaiting_category and demand.state == State.ACCEPTED:
        return _triage(actor, demand, before, category)
    if category == demand.category:
        return demand
    old = demand.category
    demand.category = category
    learning.correction_record(demand=demand, suggested=old, category=category)
    _event(
        demand,
        DemandEvent.Kind.CATEGORY,
        actor=actor,
        public=False,
        note=f"{Category(old).label} → {Category(category).label}",
    )
    return _finish(
        demand,
        before,
        actor=actor,
        action="category_changed",
        fields=["category"],
        changes={"category": [old, category]},
    )


@transaction.atomic
def demand_triage(*, actor: User | None, demand: Demand, category: str) -> Demand:
    """A person chooses the category of a demand in the 待分类 queue: it is routed by the
    rules as at intake, and its time limits (those of the chosen category) count from the
    intake, not from now. The choice is kept as a labelled example for the classifier."""
    if category not in Category.values:
        raise ValidationError({"category": ["请选择有效的诉求类别"]}, code="invalid")
    demand, before = _locked(demand)
    if not demand.awaiting_category or demand.state != State.ACCEPTED:
        raise ValidationError("该诉求已确定类别，不在待分类队列中", code="bad_state")
    return _triage(actor, demand, before, category)


def _triage(actor: User | None, demand: Demand, before: _Before, category: str) -> Demand:
    guessed = demand.category
    learning.correction_record(demand=demand, suggested=guessed, category=category)
    demand.category = category
    demand.awaiting_category = False
    _set_deadlines(demand, demand.created_at)
    fields = ["category", "awaiting_category", "response_due", "resolution_due"]
    fields += ["calendar_fallback"]
    _event(
        demand,
        DemandEvent.Kind.CATEGORY,
        actor=actor,
        public=False,
        note=f"待分类 → {Category(category).label}",
        body=demand.union,
    )
    rule = route_for(category=category, industry=demand.industry, city=demand.city)
    if rule is not None:
        demand.body = Organization.objects.get(pk=rule.body_id)
        demand.state = State.DISPATCHED
        co_ids = [pk for pk in rule.co_body_ids if pk != rule.body_id]
        demand.co_bodies.set(co_ids)
        fields += ["body", "state"]
        names = dict(rule.names)
        event = _event(
            demand,
            DemandEvent.Kind.DISPATCHED,
            actor=actor,
            note="按分派规则派至"
            + demand.body.name
            + (f"，协办：{'、'.join(names[pk] for pk in co_ids if pk in names)}" if co_ids else ""),
        )
        notices.tell_body_routed(demand, event_id=event.pk, note="")
    return _finish(
        demand,
        before,
        actor=actor,
        action="triaged",
        fields=fields,
        changes={"category": [guessed, category], "body": demand.body_id},
    )


@transaction.atomic
def demand_merge(*, actor: User | None, demand: Demand, into: Demand | None) -> Demand:
    """Merge a duplicate into the demand that will be handled; the worker can follow either code."""
    if into is None:
        raise ValidationError({"into": ["请填写要合并到的诉求查询码"]}, code="required")
    if into.pk == demand.pk:
        raise ValidationError({"into": ["不能与自身合并"]}, code="self")
    if into.state == State.MERGED:
        raise ValidationError({"into": ["目标诉求已被合并"]}, code="merged")
    demand, before = _locked(demand)
    if demand.state not in OPEN_STATES:
        raise ValidationError("已办结或已关闭的诉求不能合并", code="bad_state")
    demand.state = State.MERGED
    demand.merged_into = into
    _event(
        demand,
        DemandEvent.Kind.MERGED,
        actor=actor,
        note=f"与诉求 {into.code} 合并办理",
        body=demand.union,
    )
    return _finish(
        demand,
        before,
        actor=actor,
        action="merged",
        fields=["state", "merged_into"],
        changes={"into": into.pk},
    )


@transaction.atomic
def demand_rate(
    *, demand: Demand, rating: str, comment: str = "", now: datetime | None = None
) -> Demand:
    """The worker rates the outcome. 不满意 sends the demand back to its body once, with a new
    resolution deadline counted from ``now`` (the clock's unless given)."""
    if rating not in Rating.values:
        raise ValidationError({"rating": ["请选择满意、基本满意或不满意"]}, code="invalid")
    comment = (comment or "").strip()
    if len(comment) > 500:
        raise ValidationError({"comment": ["评价意见不能超过 500 字"]}, code="too_long")
    demand, before = _locked(demand)
    if demand.state != State.RESOLVED:
        raise ValidationError({"rating": ["诉求办结后才能评价，且只能评价一次"]}, code="bad_state")
    demand.rating = rating
    demand.rating_comment = comment
    demand.ratings_total += 1
    demand.ratings_satisfied += 1 if rating in SATISFIED else 0
    fields = ["rating", "rating_comment", "ratings_total", "ratings_satisfied", "state"]
    label = Rating(rating).label
    if rating == Rating.UNSATISFIED and demand.reopen_count == 0:
        demand.state = State.RATED
        _event(demand, DemandEvent.Kind.RATED, note=label + (f"：{comment}" if comment else ""))
        demand.state = State.IN_PROGRESS
        demand.reopen_count = 1
        demand.resolved_at = None
        demand.resolution_breached = False
        demand.resolution_reminded = False
        _set_deadlines(demand, now or timezone.now(), response=False)
        fields += [
            "reopen_count",
            "resolved_at",
            "resolution_breached",
            "resolution_reminded",
            "resolution_due",
            "calendar_fallback",
        ]
        _event(demand, DemandEvent.Kind.REOPENED, note="职工不满意，诉求重新办理")
    else:
        demand.state = State.RATED
        _event(demand, DemandEvent.Kind.RATED, note=label + (f"：{comment}" if comment else ""))
    return _finish(
        demand, before, actor=None, action="rated", fields=fields, changes={"rating": rating}
    )


ACTIONS = {
    "accept": "开始办理",
    "reply": "答复",
    "transfer": "转办",
    "resolve": "办结",
    "return": "退回",
    "assign": "派单",
    "reject": "不予受理",
    "merge": "合并",
    "category": "调整类别",
}


def demand_act(
    *,
    actor: User | None,
    demand: Demand,
    action: str,
    note: str = "",
    reason: str = "",
    body: Organization | None = None,
    co_bodies: list[Organization] | None = None,
    category: str = "",
    into: Demand | None = None,
) -> Demand:
    """One entry for the page and the API; the caller checked ``permissions.allowed_actions``."""
    if action == "accept":
        return demand_accept(actor=actor, demand=demand, note=note)
    if action == "reply":
        return demand_reply(actor=actor, demand=demand, note=note)
    if action == "transfer":
        return demand_transfer(actor=actor, demand=demand, body=body, reason=reason)
    if action == "resolve":
        return demand_resolve(actor=actor, demand=demand, note=note)
    if action == "return":
        return demand_return(actor=actor, demand=demand, reason=reason)
    if action == "reject":
        return demand_reject(actor=actor, demand=demand, reason=reason)
    if action == "assign":
        return demand_assign(actor=actor, demand=demand, body=body, co_bodies=co_bodies, note=note)
    if action == "category":
        return demand_set_category(actor=actor, demand=demand, category=category)
    if action == "merge":
        return demand_merge(actor=actor, demand=demand, into=into)
    raise ValidationError({"action": ["未知的操作"]}, code="invalid")


def demand_reveal_mobile(*, actor: User | None, demand: Demand, purpose: str = "") -> str:
    """The submitter's full mobile, for the handler or union staff who must call back. Audited;
    callers check ``permissions.can_reveal_mobile`` first."""
    audit_log(
        actor=actor,
        action="demands.mobile_viewed",
        target=demand,
        changes={"fields": ["mobile"], "purpose": (purpose or "")[:200]},
    )
    return crypto.decrypt(demand.mobile_cipher)


# ---------------------------------------------------------------------------------------------
# Configuration (union admins)


@transaction.atomic
def routing_rule_create(
    *,
    actor: User | None,
    union: Organization,
    body: Organization,
    category: str = "",
    industry: str = "",
    city: str = "",
    co_bodies: list[Organization] | None = None,
    priority: int = 100,
) -> RoutingRule:
    rule = RoutingRule(
        union=union,
        body=body,
        category=category,
        industry=industry,
        city=(city or "").strip(),
        priority=priority,
    )
    rule.full_clean()
    rule.save()
    rule.co_bodies.set([b for b in co_bodies or [] if b.pk != body.pk])
    config.invalidate()
    audit_log(
        actor=actor,
        action="demands.rule_created",
        target=rule,
        target_repr=f"分派规则 {rule.pk}",
        changes={
            "category": category,
            "industry": industry,
            "city": rule.city,
            "body": body.pk,
            "co_bodies": [b.pk for b in rule.co_bodies.all()],
            "priority": priority,
        },
    )
    return rule


@transaction.atomic
def routing_rule_deactivate(*, actor: User | None, rule: RoutingRule) -> RoutingRule:
    config.invalidate()
    if RoutingRule.objects.filter(pk=rule.pk, is_active=True).update(is_active=False):
        audit_log(
            actor=actor,
            action="demands.rule_deactivated",
            target=rule,
            target_repr=f"分派规则 {rule.pk}",
        )
    rule.is_active = False
    return rule


@transaction.atomic
def time_limit_set(
    *,
    actor: User | None,
    category: str,
    urgency: str,
    response_days: int,
    resolution_days: int,
    escalation_days: int,
) -> TimeLimit:
    """Applies to demands received from now on; running clocks keep their deadlines."""
    if resolution_days < response_days:
        raise ValidationError({"resolution_days": ["办结时限不能短于首次响应时限"]}, code="order")
    row, _ = TimeLimit.objects.select_for_update().get_or_create(category=category, urgency=urgency)
    before = {
        "response_days": row.response_days,
        "resolution_days": row.resolution_days,
        "escalation_days": row.escalation_days,
    }
    row.response_days, row.resolution_days, row.escalation_days = (
        response_days,
        resolution_days,
        escalation_days,
    )
    row.full_clean()
    row.save()
    audit_log(
        actor=actor,
        action="demands.time_limit_set",
        target=row,
        target_repr=f"办理时限 {category or '全部'}",
        changes={k: [before[k], getattr(row, k)] for k in before},
    )
    return row


@transaction.atomic
def calendar_year_set(*, actor: User | None, year: int, days: list[tuple[date, bool, str]]) -> int:
    """Enter a year's official schedule (holidays and make-up workdays). It replaces what was
    entered for that year before and takes precedence over the calendar package."""
    from liandong.demands.models import CalendarDay, CalendarYear

    CalendarDay.objects.filter(date__year=year).delete()
    CalendarDay.objects.bulk_create(
        [CalendarDay(date=day, is_workday=work, name=name) for day, work, name in days]
    )
    CalendarYear.objects.get_or_create(year=year)
    config.invalidate()
    audit_log(
        actor=actor,
        action="demands.calendar_set",
        target_repr=f"{year} 年放假安排",
        changes={"year": year, "days": len(days)},
    )
    return len(days)
