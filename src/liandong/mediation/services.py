"""Writes of the mediation app: every rule of a case's handling lives here (the pages and the
API only call these). Each write is atomic, validated and audited with a diff; a broken rule
raises ``ValidationError({"field": "中文说明"})``, and nothing changes."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import PurePath
from typing import Any, Protocol

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from liandong.accounts.models import User
from liandong.core import crypto
from liandong.core.audit import audit_log, diff, snapshot
from liandong.core.extensions import DemandRef, hooks
from liandong.core.formatting import cn_date
from liandong.core.identity import validate_id_number, validate_mobile
from liandong.core.masking import mask_id_number, mask_mobile
from liandong.mediation import notices
from liandong.mediation.models import (
    DEFAULT_LIMIT_DAYS,
    MAX_EXTENSION_DAYS,
    OPEN_STATES,
    Case,
    CaseType,
    Party,
    Session,
    State,
    TimeLimit,
)
from liandong.mediation.permissions import UNION_KINDS, mediator_candidates
from liandong.notifications.services import notify
from liandong.organizations.models import Organization
from liandong.workers.services import id_number_digest

DUE_SOON_DAYS = 3  # the tick's first reminder, this many days before the deadline
AGREEMENT_TYPES = {"pdf": [b"%PDF"], "jpg": [b"\xff\xd8\xff"], "jpeg": [b"\xff\xd8\xff"]}
AGREEMENT_TYPES["png"] = [b"\x89PNG"]
AGREEMENT_MAX_BYTES = 10 * 1024 * 1024
AUDITED = [
    "state",
    "case_type",
    "summary",
    "claim_amount",
    "limit_days",
    "due_at",
    "extension_days",
    "extension_reason",
    "agreement_terms",
    "agreement_amount",
    "agreement_signed_on",
    "agreement_document_name",
    "referral_reason",
    "withdrawal_reason",
    "closed_at",
]
PARTY_AUDITED = ["kind", "name", "contact_name", "id_number_masked", "mobile_masked"]


class Deadline(Protocol):
    at: datetime
    fallback: bool


def add_working_days(start: datetime, days: int) -> Deadline:
    """The working-day calendar demands keeps (holidays, 调休, days admins entered), through
    the ``add_working_days`` hook: the end (24:00) of the ``days``-th working day after
    ``start``'s day."""
    providers = hooks("add_working_days")
    if not providers:
        raise RuntimeError("no app offers the add_working_days hook (demands)")
    deadline: Deadline = providers[0](start, days)
    return deadline


@dataclass(frozen=True)
class PartyData:
    kind: str
    name: str
    id_number: str = ""
    mobile: str = ""
    contact_name: str = ""


def _illegal(case: Case, what: str) -> ValidationError:
    return ValidationError(
        {"state": f"案件{case.get_state_display()}，不能{what}。"}, code="illegal_transition"
    )


def _require_open(case: Case, what: str) -> None:
    if case.state not in OPEN_STATES:
        raise _illegal(case, what)


def limit_days_for(union: Organization, case_type: str) -> int:
    """The union's time limit for the type, else the nearest union above it that set one,
    else 15 working days."""
    # A handful of rows per installation: read them and keep those of the union's ancestors.
    own = [
        (limit.union.path, limit.working_days)
        for limit in TimeLimit.objects.filter(case_type=case_type).select_related("union")
        if union.path.startswith(limit.union.path)
    ]
    if own:
        return max(own)[1]
    return DEFAULT_LIMIT_DAYS


def _party(case: Case, role: str, data: PartyData) -> Party:
    errors: dict[str, list[str]] = {}
    prefix = role
    name = data.name.strip()
    if not name:
        errors[f"{prefix}_name"] = ["请填写当事人姓名或单位名称。"]
    if data.kind not in Party.Kind.values:
        errors[f"{prefix}_kind"] = ["请选择当事人类别。"]
    party = Party(case=case, role=role, kind=data.kind, name=name[:100])
    party.contact_name = data.contact_name.strip()[:40]
    id_number = data.id_number.strip()
    if id_number:
        try:
            id_number = validate_id_number(id_number)
        except ValidationError as error:
            errors[f"{prefix}_id_number"] = error.messages
        else:
            party.id_number_cipher = crypto.encrypt(id_number)
            party.id_number_digest = id_number_digest(id_number)
            party.id_number_masked = mask_id_number(id_number)
    mobile = data.mobile.strip()
    if mobile:
        try:
            mobile = validate_mobile(mobile)
        except ValidationError as error:
            errors[f"{prefix}_mobile"] = error.messages
        else:
            party.mobile_cipher = crypto.encrypt(mobile)
            party.mobile_digest = crypto.mobile_digest(mobile)
            party.mobile_masked = mask_mobile(mobile)
    if errors:
        raise ValidationError(errors, code="party")
    return party


def _check_amount(value: Decimal | None, field: str) -> None:
    if value is not None and (value < 0 or value >= Decimal("10000000000")):
        raise ValidationError({field: "金额须在 0 至 9,999,999,999.99 元之间。"}, code="amount")


@transaction.atomic
def case_open(
    *,
    actor: User | None,
    union: Organization,
    case_type: str,
    summary: str,
    applicant: PartyData,
    respondent: PartyData,
    claim_amount: Decimal | None = None,
    demand: DemandRef | None = None,
    mediators: list[User] | None = None,
    now: datetime | None = None,
) -> Case:
    """Accept a dispute: the time limit of the union for its type, counted in working days
    from acceptance; the two parties; the mediators (told through notify)."""
    now = now or timezone.now()
    errors: dict[str, list[str]] = {}
    if union.kind not in UNION_KINDS:
        errors["union"] = ["受理单位须是工会。"]
    if case_type not in CaseType.values:
        errors["case_type"] = ["请选择案件类型。"]
    if not summary.strip():
        errors["summary"] = ["请填写争议事项。"]
    if demand is not None and Case.objects.filter(demand_id=demand.id).exists():
        errors["demand"] = [f"诉求 {demand.code} 已转入调解，不能重复立案。"]
    if errors:
        raise ValidationError(errors, code="invalid")
    _check_amount(claim_amount, "claim_amount")
    days = limit_days_for(union, case_type)
    deadline = add_working_days(now, days)
    case = Case(
        code=f"tmp-{crypto.blind_index('mediation', str(now.timestamp()))[:12]}",
        union=union,
        case_type=case_type,
        summary=summary.strip(),
        claim_amount=claim_amount,
        accepted_at=now,
        limit_days=days,
        due_at=deadline.at,
        calendar_fallback=deadline.fallback,
        demand_id=demand.id if demand else None,
        demand_code=demand.code if demand else "",
        created_by=actor,
    )
    case.full_clean(exclude=["code"])
    case.save()
    case.code = f"TJ{timezone.localtime(now).year}-{case.pk:05d}"
    case.save(update_fields=["code"])
    parties: list[Party] = []
    party_errors: dict[str, list[str]] = {}
    for role, data in ((Party.Role.APPLICANT, applicant), (Party.Role.RESPONDENT, respondent)):
        try:
            parties.append(_party(case, role, data))
        except ValidationError as error:
            party_errors.update(error.message_dict)
    if party_errors:
        raise ValidationError(party_errors, code="party")
    for party in parties:
        party.full_clean(exclude=["case"])
        party.save()
    audit_log(
        actor=actor,
        action="mediation.case_opened",
        target=case,
        changes={
            **diff({}, snapshot(case, ["code", "union", "case_type", "limit_days", "due_at"])),
            **({"demand": [None, demand.code]} if demand else {}),
            "parties": [None, [f"{p.get_role_display()}：{p.name}" for p in parties]],
        },
    )
    if mediators:
        mediators_assign(actor=actor, case=case, mediators=mediators)
    return case


def self_as_mediator(actor: User | None, union: Organization) -> list[User]:
    """The person accepting a case is its first mediator when they may be one (a province's
    admin accepting for a union below is not of that union)."""
    if actor is None or not mediator_candidates(union).filter(pk=actor.pk).exists():
        return []
    return [actor]


def case_open_from_demand(
    *, actor: User, demand: DemandRef, union: Organization, now: datetime | None = None
) -> Case:
    """One click on a demand's page: the worker who raised it is the applicant (their mobile
    sealed again here), the employer they named the respondent, the demand's text the
    dispute; the staff member who clicked is the first mediator."""
    case_type = demand.category if demand.category in CaseType.values else CaseType.OTHER
    return case_open(
        actor=actor,
        union=union,
        case_type=case_type,
        summary=demand.description[:2000],
        applicant=PartyData(
            kind=Party.Kind.PERSON,
            name=demand.submitter_name or "（匿名职工）",
            mobile=demand.mobile,
        ),
        respondent=PartyData(
            kind=Party.Kind.ENTERPRISE, name=demand.employer_name or "（待补充用人单位）"
        ),
        demand=demand,
        mediators=self_as_mediator(actor, union),
        now=now,
    )


@transaction.atomic
def party_update(*, actor: User | None, case: Case, role: str, data: PartyData) -> Party:
    """Correct a party; an empty ID or mobile number keeps the one stored."""
    _require_open(case, "修改当事人")
    party = case.parties.filter(role=role).first()
    if party is None:
        raise ValidationError({"role": "当事人不存在。"}, code="party")
    before = snapshot(party, PARTY_AUDITED)
    fresh = _party(case, role, data)
    party.kind, party.name, party.contact_name = fresh.kind, fresh.name, fresh.contact_name
    for name in ("id_number", "mobile"):
        if getattr(fresh, f"{name}_cipher"):
            for suffix in ("cipher", "digest", "masked"):
                setattr(party, f"{name}_{suffix}", getattr(fresh, f"{name}_{suffix}"))
    party.full_clean()
    party.save()
    changes = diff(before, snapshot(party, PARTY_AUDITED))
    if changes:
        audit_log(actor=actor, action="mediation.party_updated", target=case, changes=changes)
    return party


def party_reveal(*, actor: User | None, party: Party, purpose: str = "") -> dict[str, str]:
    """The full ID and mobile numbers of a party, for a mediator who must contact them.
    Always audited (callers check the permission first)."""
    audit_log(
        actor=actor,
        action="mediation.pii_viewed",
        target=party.case,
        changes={
            "fields": ["id_number", "mobile"],
            "party": party.get_role_display(),
            "purpose": purpose[:200],
        },
    )
    return {
        "id_number": crypto.decrypt(party.id_number_cipher) if party.id_number_cipher else "",
        "mobile": crypto.decrypt(party.mobile_cipher) if party.mobile_cipher else "",
    }


@transaction.atomic
def mediators_assign(*, actor: User | None, case: Case, mediators: list[User]) -> list[User]:
    """Set the case's mediators (union staff of its union or below); the new ones are told."""
    _require_open(case, "指派调解员")
    if not mediators:
        raise ValidationError({"mediators": "请至少指派一名调解员。"}, code="required")
    allowed = set(mediator_candidates(case.union).values_list("pk", flat=True))
    if any(m.pk not in allowed for m in mediators):
        raise ValidationError(
            {"mediators": "调解员须是本工会或下级工会的在职工作人员。"}, code="mediator"
        )
    before = sorted(case.mediators.values_list("pk", flat=True))
    case.mediators.set(mediators)
    after = sorted(m.pk for m in mediators)
    if before != after:
        audit_log(
            actor=actor,
            action="mediation.mediators_assigned",
            target=case,
            changes={"mediators": [before, after]},
        )
    added = [m for m in mediators if m.pk not in before]
    if added:
        notify(
            notices.ASSIGNED,
            added,
            context=_context(case),
            event_key=f"mediation.assigned:{case.pk}",
            link=reverse("mediation:case-detail", args=[case.pk]),
            target=case.agenda_key,
            organization_id=case.union_id,
        )
    return mediators


def _context(case: Case) -> dict[str, object]:
    return {
        "code": case.code,
        "case_type": case.get_case_type_display(),
        "union": case.union.name,
        "due": cn_date(case.due_day),
    }


def _check_day(case: Case, day: date, field: str, what: str) -> None:
    if day > timezone.localdate():
        raise ValidationError({field: f"{what}不能晚于今天。"}, code="future")
    if day < timezone.localtime(case.accepted_at).date():
        raise ValidationError(
            {field: f"{what}不能早于受理日期 {cn_date(case.accepted_at)}。"}, code="before"
        )


@transaction.atomic
def session_record(
    *,
    actor: User | None,
    case: Case,
    held_on: date,
    place: str,
    attendees: str,
    notes: str = "",
) -> Session:
    """A mediation session held; the first one moves the case from 已受理 to 调解中."""
    _require_open(case, "记录调解会谈")
    _check_day(case, held_on, "held_on", "调解日期")
    session = Session(
        case=case,
        held_on=held_on,
        place=place.strip(),
        attendees=attendees.strip(),
        notes=notes.strip(),
        recorded_by=actor,
    )
    session.full_clean()
    session.save()
    before = snapshot(case, AUDITED)
    if case.state == State.ACCEPTED:
        case.state = State.MEDIATING
        case.save(update_fields=["state", "updated_at"])
    audit_log(
        actor=actor,
        action="mediation.session_recorded",
        target=case,
        changes={
            **diff(before, snapshot(case, AUDITED)),
            "held_on": [None, held_on.isoformat()],
            "place": [None, session.place],
        },
    )
    return session


def _validate_document(upload: UploadedFile) -> str:
    name = PurePath(upload.name or "").name[:120]
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in AGREEMENT_TYPES:
        raise ValidationError(
            {"document": f"文件“{name}”的类型不支持：请上传 PDF 或图片（JPG、PNG）。"},
            code="document_type",
        )
    if not upload.size or upload.size > AGREEMENT_MAX_BYTES:
        raise ValidationError({"document": "协议文件须为 10 MB 以内的非空文件。"}, code="size")
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if not any(head.startswith(magic) for magic in AGREEMENT_TYPES[extension]):
        raise ValidationError({"document": f"文件“{name}”的内容与类型不符。"}, code="content")
    return name


def _close(case: Case, actor: User | None, state: str, action: str, **fields: Any) -> Case:
    before = snapshot(case, AUDITED)
    for name, value in fields.items():
        setattr(case, name, value)
    case.state = state
    case.closed_at = timezone.now()
    case.full_clean()
    case.save()
    audit_log(
        actor=actor, action=action, target=case, changes=diff(before, snapshot(case, AUDITED))
    )
    return case


@transaction.atomic
def case_agree(
    *,
    actor: User | None,
    case: Case,
    terms: str,
    amount: Decimal | None,
    signed_on: date,
    document: UploadedFile | None = None,
) -> Case:
    """A mediation agreement signed by both parties (after at least one session)."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    _require_open(case, "登记调解协议")
    if not case.sessions.exists():
        raise ValidationError({"state": "尚未记录调解会谈，不能登记调解协议。"}, code="no_session")
    if not terms.strip():
        raise ValidationError({"terms": "请填写协议内容。"}, code="required")
    _check_amount(amount, "amount")
    _check_day(case, signed_on, "signed_on", "签订日期")
    name = _validate_document(document) if document is not None else ""
    if document is not None:
        case.agreement_document.save(name, document, save=False)
    return _close(
        case,
        actor,
        State.AGREED,
        "mediation.agreed",
        agreement_terms=terms.strip(),
        agreement_amount=amount,
        agreement_signed_on=signed_on,
        agreement_document_name=name,
    )


@transaction.atomic
def case_refer(*, actor: User | None, case: Case, reason: str) -> Case:
    """No agreement: the applicant is told they may apply to labour arbitration."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    _require_open(case, "转劳动仲裁")
    if not reason.strip():
        raise ValidationError({"reason": "请填写转劳动仲裁的原因。"}, code="required")
    return _close(case, actor, State.REFERRED, "mediation.referred", referral_reason=reason.strip())


@transaction.atomic
def case_withdraw(*, actor: User | None, case: Case, reason: str) -> Case:
    case = Case.objects.select_for_update().get(pk=case.pk)
    _require_open(case, "登记撤回")
    if not reason.strip():
        raise ValidationError({"reason": "请填写撤回原因。"}, code="required")
    return _close(
        case, actor, State.WITHDRAWN, "mediation.withdrawn", withdrawal_reason=reason.strip()
    )


@transaction.atomic
def case_extend(*, actor: User | None, case: Case, days: int, reason: str) -> Case:
    """Extend the time limit once, by up to 15 working days, with the reason (the parties'
    agreement to go on)."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    _require_open(case, "延长调解期限")
    if case.extension_days:
        raise ValidationError({"days": "调解期限只能延长一次，本案已延长过。"}, code="once")
    if not 1 <= days <= MAX_EXTENSION_DAYS:
        raise ValidationError(
            {"days": f"延长天数须在 1 至 {MAX_EXTENSION_DAYS} 个工作日之间。"}, code="days"
        )
    if not reason.strip():
        raise ValidationError({"reason": "请填写延长理由。"}, code="required")
    before = snapshot(case, AUDITED)
    deadline = add_working_days(case.accepted_at, case.limit_days + days)
    case.extension_days = days
    case.extension_reason = reason.strip()[:200]
    case.extended_at = timezone.now()
    case.due_at = deadline.at
    case.calendar_fallback = case.calendar_fallback or deadline.fallback
    case.full_clean()
    case.save()
    audit_log(
        actor=actor,
        action="mediation.extended",
        target=case,
        changes=diff(before, snapshot(case, AUDITED)),
    )
    return case


@transaction.atomic
def time_limit_set(
    *, actor: User | None, union: Organization, case_type: str, working_days: int
) -> TimeLimit:
    if case_type not in CaseType.values:
        raise ValidationError({"case_type": "请选择案件类型。"}, code="case_type")
    if not 1 <= working_days <= 60:
        raise ValidationError({"working_days": "调解时限须在 1 至 60 个工作日之间。"}, code="days")
    limit = TimeLimit.objects.filter(union=union, case_type=case_type).first()
    before = {"working_days": limit.working_days if limit else None}
    if limit is None:
        limit = TimeLimit(union=union, case_type=case_type, working_days=working_days)
    limit.working_days = working_days
    limit.full_clean()
    limit.save()
    changes = diff(before, {"working_days": working_days})
    if changes:
        audit_log(
            actor=actor,
            action="mediation.time_limit_set",
            target=union,
            changes={**changes, "case_type": str(CaseType(case_type).label)},
        )
    return limit


def reminders_send(*, now: datetime | None = None, dry_run: bool = False) -> int:
    """Tell the mediators of open cases whose limit ends within DUE_SOON_DAYS days, and once
    more when it has passed; once per deadline (an extension gives a new one)."""
    now = now or timezone.now()
    due = (
        Case.objects.filter(state__in=OPEN_STATES, due_at__lte=now + timedelta(days=DUE_SOON_DAYS))
        .select_related("union")
        .order_by("pk")
    )
    sent = 0
    for case in due.iterator(chunk_size=200):
        overdue = case.due_at <= now
        marker = "overdue_sent_for" if overdue else "due_soon_sent_for"
        if getattr(case, marker) == case.due_at:
            continue
        sent += 1
        if dry_run:
            continue
        with transaction.atomic():
            claimed = (
                Case.objects.filter(pk=case.pk, due_at=case.due_at)
                .exclude(**{marker: case.due_at})
                .update(**{marker: case.due_at})
            )
            if not claimed:  # another tick got there first
                sent -= 1
                continue
            recipients = list(case.mediators.filter(is_active=True))
            notify(
                notices.OVERDUE if overdue else notices.DUE_SOON,
                recipients,
                context=_context(case),
                event_key=f"{marker}:{case.pk}:{case.due_at:%Y%m%d}",
                link=reverse("mediation:case-detail", args=[case.pk]),
                target=case.agenda_key,
                urgent=overdue,
                organization_id=case.union_id,
            )
            audit_log(
                actor=None,
                action="mediation.reminder_overdue" if overdue else "mediation.reminder_due_soon",
                target=case,
                changes={"recipients": [None, len(recipients)]},
            )
    return sent
