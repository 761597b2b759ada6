"""Business rules of leaders' contact with key enterprises and of agreements between bodies.

A problem found at a visit becomes a demand or an action item through the owning modules'
hooks (``create_demand_from``, ``create_action_item_from``); this app keeps the link."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import PurePath
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from liandong.accounts.models import User
from liandong.core.audit import audit_log, diff, snapshot
from liandong.core.extensions import LinkedRecord, hooks
from liandong.core.formatting import cn_date
from liandong.notifications.services import notify
from liandong.organizations.models import Organization
from liandong.outreach import notices
from liandong.outreach.models import Agreement, AgreementParty, FollowUp, KeyEnterprise, Visit
from liandong.outreach.permissions import UNION_KINDS, leaders_of

DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
# Extension → (content type, the first bytes a real file of that type starts with).
DOCUMENT_TYPES = {
    "pdf": ("application/pdf", [b"%PDF"]),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        [b"PK\x03\x04"],
    ),
    "doc": ("application/msword", [b"\xd0\xcf\x11\xe0"]),
    "jpg": ("image/jpeg", [b"\xff\xd8\xff"]),
    "jpeg": ("image/jpeg", [b"\xff\xd8\xff"]),
    "png": ("image/png", [b"\x89PNG"]),
}
EXPIRY_NOTICE_DAYS = 30

KEY_FIELDS = ["union", "enterprise", "leader", "area", "note", "is_active"]
VISIT_FIELDS = ["visited_on", "visitors", "findings", "problem", "follow_up"]
AGREEMENT_FIELDS = [
    "owner",
    "title",
    "kind",
    "signed_on",
    "effective_on",
    "expires_on",
    "terms",
    "staff",
    "mechanism_id",
]


def _text(value: object, field: str, label: str, *, max_length: int, required: bool = True) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise ValidationError({field: f"请填写{label}。"}, code="required")
    if len(text) > max_length:
        raise ValidationError({field: f"{label}不能超过 {max_length} 字。"}, code="too_long")
    return text


# -- key enterprises -----------------------------------------------------------------------------


def _check_leader(union: Organization, leader: User | None) -> None:
    if leader is not None and not leaders_of(union).filter(pk=leader.pk).exists():
        raise ValidationError(
            {"leader": f"包干领导须是{union.name}的工作人员。"}, code="leader_not_of_union"
        )


@transaction.atomic
def key_enterprise_add(
    *,
    actor: User | None,
    union: Organization,
    enterprise: Organization | None,
    leader: User | None,
    area: str = "",
    note: str = "",
) -> KeyEnterprise:
    """Mark an enterprise under ``union`` as one of its key enterprises, with its leader."""
    if union.kind not in UNION_KINDS:
        raise ValidationError({"union": "联系工会须是工会。"}, code="not_union")
    if enterprise is None:
        raise ValidationError({"enterprise": "请选择重点企业。"}, code="required")
    if enterprise.kind != Organization.Kind.ENTERPRISE:
        raise ValidationError({"enterprise": "重点企业须是企业类型的组织。"}, code="not_enterprise")
    if not enterprise.path.startswith(union.path):
        raise ValidationError(
            {"enterprise": f"{enterprise.name}不在{union.name}的覆盖范围内。"}, code="outside"
        )
    _check_leader(union, leader)
    if KeyEnterprise.objects.filter(union=union, enterprise=enterprise).exists():
        raise ValidationError(
            {"enterprise": f"{enterprise.name}已是{union.name}的重点企业。"}, code="duplicate"
        )
    key = KeyEnterprise(
        union=union,
        enterprise=enterprise,
        leader=leader,
        area=_text(area, "area", "片区", max_length=40, required=False),
        note=_text(note, "note", "备注", max_length=200, required=False),
    )
    key.full_clean()
    key.save()
    audit_log(
        actor=actor,
        action="outreach.key_enterprise_added",
        target=key,
        changes=diff({}, snapshot(key, KEY_FIELDS)),
    )
    _tell_leader(key)
    return key


def _tell_leader(key: KeyEnterprise) -> None:
    if key.leader is None:
        return
    notify(
        notices.KEY_ENTERPRISE_ASSIGNED,
        [key.leader],
        context={"enterprise": key.enterprise.name, "union": key.union.name},
        event_key=f"outreach.assigned:{key.pk}:{key.leader_id}",
        link=reverse("outreach:key-detail", args=[key.pk]),
        target=f"outreach.keyenterprise:{key.pk}",
        organization_id=key.union_id,
    )


@transaction.atomic
def key_enterprise_update(
    *,
    actor: User | None,
    key: KeyEnterprise,
    leader: User | None,
    area: str,
    note: str,
    is_active: bool,
) -> KeyEnterprise:
    """Reassign the leader, the area, or stop counting the enterprise as key."""
    key = KeyEnterprise.objects.select_for_update().get(pk=key.pk)
    before = snapshot(key, KEY_FIELDS)
    _check_leader(key.union, leader)
    key.leader = leader
    key.area = _text(area, "area", "片区", max_length=40, required=False)
    key.note = _text(note, "note", "备注", max_length=200, required=False)
    key.is_active = is_active
    key.full_clean()
    key.save()
    changes = diff(before, snapshot(key, KEY_FIELDS))
    if changes:
        audit_log(
            actor=actor, action="outreach.key_enterprise_updated", target=key, changes=changes
        )
    if "leader" in changes:
        _tell_leader(key)
    return key


# -- visits --------------------------------------------------------------------------------------


def _visit_fields(
    visited_on: date | None, visitors: str, findings: str, problem: str, follow_up: str
) -> dict[str, Any]:
    if visited_on is None:
        raise ValidationError({"visited_on": "请填写走访日期。"}, code="required")
    if visited_on > timezone.localdate():
        raise ValidationError({"visited_on": "走访日期不能晚于今天。"}, code="future")
    return {
        "visited_on": visited_on,
        "visitors": _text(visitors, "visitors", "走访人员", max_length=200),
        "findings": _text(findings, "findings", "走访情况", max_length=2000),
        "problem": _text(problem, "problem", "发现的问题", max_length=2000, required=False),
        "follow_up": _text(follow_up, "follow_up", "跟进措施", max_length=2000, required=False),
    }


@transaction.atomic
def visit_record(
    *,
    actor: User | None,
    key: KeyEnterprise,
    visited_on: date | None,
    visitors: str,
    findings: str,
    problem: str = "",
    follow_up: str = "",
) -> Visit:
    """A visit to a key enterprise: when, who went, what was found, what follows."""
    if not key.is_active:
        raise ValidationError({"visited_on": "该企业已不在重点企业联系名单中。"}, code="inactive")
    visit = Visit(
        key_enterprise=key,
        recorded_by=actor,
        **_visit_fields(visited_on, visitors, findings, problem, follow_up),
    )
    visit.full_clean()
    visit.save()
    audit_log(
        actor=actor,
        action="outreach.visit_recorded",
        target=visit,
        changes=diff({}, snapshot(visit, ["key_enterprise", *VISIT_FIELDS])),
    )
    return visit


@transaction.atomic
def visit_close_problem(*, actor: User | None, visit: Visit, closed_on: date | None) -> Visit:
    """The problem found at a visit is solved (on ``closed_on``, today by default)."""
    visit = Visit.objects.select_for_update().get(pk=visit.pk)
    if not visit.problem_open:
        raise ValidationError({"problem": "这次走访没有待解决的问题。"}, code="no_open_problem")
    closed_on = closed_on or timezone.localdate()
    if closed_on < visit.visited_on or closed_on > timezone.localdate():
        raise ValidationError(
            {"problem_closed_on": "解决日期须在走访日期和今天之间。"}, code="bad_date"
        )
    visit.problem_closed_on = closed_on
    visit.save(update_fields=["problem_closed_on", "updated_at"])
    audit_log(
        actor=actor,
        action="outreach.problem_closed",
        target=visit,
        changes={"problem_closed_on": [None, str(closed_on)]},
    )
    return visit


def _hook(name: str, field: str, module: str) -> Callable[..., LinkedRecord]:
    offered = hooks(name)
    if not offered:
        raise ValidationError({field: f"{module}模块未启用。"}, code="no_module")
    provider: Callable[..., LinkedRecord] = offered[0]
    return provider


def _open_problem(visit: Visit, field: str) -> Visit:
    visit = (
        Visit.objects.select_for_update()
        .select_related("key_enterprise__enterprise")
        .get(pk=visit.pk)
    )
    if not visit.problem:
        raise ValidationError({field: "这次走访没有记录发现的问题。"}, code="no_problem")
    return visit


@transaction.atomic
def visit_to_demand(
    *,
    actor: User,
    visit: Visit,
    category: str,
    industry: str,
    mobile: str,
    contact_name: str,
    consent: bool,
) -> Visit:
    """The problem found at a visit becomes a demand (channel 来访), routed and timed by the
    demands module, and linked both ways: the visit shows it, the demand's text names the visit.
    Once per visit (the visit row is locked: a double click makes one demand)."""
    visit = _open_problem(visit, "category")
    if visit.demand_id is not None:
        raise ValidationError({"category": "这次走访的问题已转为诉求。"}, code="already")
    if not consent:
        raise ValidationError({"consent": "请确认已征得联系人同意，由工会回访。"}, code="consent")
    enterprise = visit.key_enterprise.enterprise
    record = _hook("create_demand_from", "category", "职工诉求")(
        actor=actor,
        description=f"{visit.problem}\n（{cn_date(visit.visited_on)}走访{enterprise.name}时发现）",
        category=category,
        industry=industry,
        city=enterprise.city or visit.key_enterprise.union.city,
        mobile=mobile,
        contact_name=contact_name,
        employer_name=enterprise.name,
        body=visit.key_enterprise.union,
    )
    visit.demand_id, visit.demand_label, visit.demand_url = record.pk, record.label, record.url
    visit.save(update_fields=["demand_id", "demand_label", "demand_url", "updated_at"])
    audit_log(
        actor=actor,
        action="outreach.visit_to_demand",
        target=visit,
        changes={"demand_id": [None, record.pk]},
    )
    return visit


@transaction.atomic
def visit_to_action_item(
    *,
    actor: User,
    visit: Visit,
    meeting_id: int | None,
    lead_body: Organization | None,
    deadline: date | None,
) -> Visit:
    """The problem found at a visit becomes a 督办事项 of a joint meeting held (the meetings
    module's rules and notices), linked back to the visit. Once per visit."""
    visit = _open_problem(visit, "meeting")
    if visit.action_item_id is not None:
        raise ValidationError({"meeting": "这次走访的问题已转为督办事项。"}, code="already")
    enterprise = visit.key_enterprise.enterprise
    record = _hook("create_action_item_from", "meeting", "联席会议")(
        actor=actor,
        meeting_id=meeting_id,
        resolution=f"{visit.problem}（{cn_date(visit.visited_on)}走访{enterprise.name}时发现）",
        lead_body=lead_body,
        deadline=deadline,
    )
    visit.action_item_id = record.pk
    visit.action_item_label, visit.action_item_url = record.label[:120], record.url
    visit.save(
        update_fields=["action_item_id", "action_item_label", "action_item_url", "updated_at"]
    )
    audit_log(
        actor=actor,
        action="outreach.visit_to_action_item",
        target=visit,
        changes={"action_item_id": [None, record.pk]},
    )
    return visit


# -- agreements ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExternalParty:
    """A party outside the organization tree (a foreign union), named with its country."""

    name: str
    country: str = ""
    signatory: str = ""


def _check_dates(
    signed_on: date | None, effective_on: date | None, expires_on: date | None
) -> date:
    if signed_on is None:
        raise ValidationError({"signed_on": "请填写签署日期。"}, code="required")
    if signed_on > timezone.localdate():
        raise ValidationError({"signed_on": "签署日期不能晚于今天。"}, code="future")
    if effective_on is not None and effective_on < signed_on:
        raise ValidationError({"effective_on": "生效日期不能早于签署日期。"}, code="order")
    if expires_on is not None and expires_on <= (effective_on or signed_on):
        raise ValidationError({"expires_on": "到期日期须晚于生效日期。"}, code="order")
    return signed_on


def _check_staff(owner: Organization, staff: User | None) -> None:
    if staff is not None and not leaders_of(owner).filter(pk=staff.pk).exists():
        raise ValidationError({"staff": f"经办人须是{owner.name}的工作人员。"}, code="staff")


def validate_document(upload: UploadedFile) -> tuple[str, str, int]:
    """The upload's file name, content type and size, once they are acceptable."""
    name = PurePath(upload.name or "").name[:120]
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in DOCUMENT_TYPES:
        raise ValidationError(
            {"document": f"文件“{name}”的类型不支持：请上传 PDF、Word 或图片（JPG、PNG）。"},
            code="document_type",
        )
    if upload.size is None or upload.size > DOCUMENT_MAX_BYTES:
        raise ValidationError({"document": f"文件“{name}”超过 10 MB。"}, code="document_size")
    if upload.size == 0:
        raise ValidationError({"document": f"文件“{name}”是空文件。"}, code="document_empty")
    content_type, magics = DOCUMENT_TYPES[extension]
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if not any(head.startswith(magic) for magic in magics):
        raise ValidationError(
            {"document": f"文件“{name}”的内容与文件类型不符。"}, code="document_content"
        )
    return name, content_type, upload.size


def _mechanism(mechanism_id: int | None, actor: User | None) -> tuple[str, list[int]]:
    if mechanism_id is None:
        return "", []
    for provider in hooks("mechanism_choices"):
        for pk, name, members in provider(actor):
            if pk == mechanism_id:
                return name, members
    raise ValidationError({"mechanism": "请选择您可见的联席会议机制。"}, code="mechanism")


@transaction.atomic
def agreement_create(
    *,
    actor: User | None,
    owner: Organization,
    title: str,
    kind: str,
    signed_on: date | None,
    effective_on: date | None = None,
    expires_on: date | None = None,
    terms: str = "",
    staff: User | None = None,
    parties: Sequence[Organization] = (),
    external_parties: Sequence[ExternalParty] = (),
    mechanism_id: int | None = None,
    document: UploadedFile | None = None,
) -> Agreement:
    """An agreement between at least two parties (bodies in the tree or external bodies). A
    charter names its mechanism; its member bodies are its parties when none are given."""
    if owner.kind not in UNION_KINDS:
        raise ValidationError({"owner": "归口单位须是工会。"}, code="not_union")
    if kind not in Agreement.Kind.values:
        raise ValidationError({"kind": "请选择有效的协议类型。"}, code="kind")
    signed = _check_dates(signed_on, effective_on, expires_on)
    _check_staff(owner, staff)
    mechanism_name, members = _mechanism(mechanism_id, actor)
    if mechanism_id is not None and kind != Agreement.Kind.CHARTER:
        raise ValidationError({"mechanism": "只有机制章程需要选择联席会议机制。"}, code="mechanism")
    if mechanism_id is not None and not parties:
        parties = list(Organization.objects.filter(pk__in=members).order_by("path"))
    bodies, externals = _checked_parties(parties, external_parties)
    agreement = Agreement(
        owner=owner,
        title=_text(title, "title", "协议名称", max_length=120),
        kind=kind,
        signed_on=signed,
        effective_on=effective_on,
        expires_on=expires_on,
        terms=_text(terms, "terms", "主要条款", max_length=5000, required=False),
        staff=staff,
        mechanism_id=mechanism_id,
        mechanism_name=mechanism_name,
    )
    if document is not None:
        _attach(agreement, document)
    agreement.full_clean()
    agreement.save()
    _write_parties(agreement, bodies, externals)
    audit_log(
        actor=actor,
        action="outreach.agreement_created",
        target=agreement,
        changes={
            **diff({}, snapshot(agreement, AGREEMENT_FIELDS)),
            "parties": [None, _party_names(agreement)],
            **({"document_name": [None, agreement.document_name]} if document else {}),
        },
    )
    return agreement


def _checked_parties(
    parties: Sequence[Organization], external_parties: Sequence[ExternalParty]
) -> tuple[list[Organization], list[ExternalParty]]:
    """The parties without repeats, the external ones' texts checked; at least two in all."""
    bodies = list(dict.fromkeys(parties))
    externals = [
        ExternalParty(
            name=_text(p.name, "external_parties", "外部单位名称", max_length=120),
            country=_text(
                p.country, "external_parties", "国家或地区", max_length=40, required=False
            ),
            signatory=_text(
                p.signatory, "external_parties", "签署人", max_length=60, required=False
            ),
        )
        for p in external_parties
    ]
    if len(bodies) + len(externals) < 2:
        raise ValidationError({"parties": "协议至少要有两个签约方。"}, code="parties")
    return bodies, externals


def _write_parties(
    agreement: Agreement, bodies: list[Organization], externals: list[ExternalParty]
) -> None:
    AgreementParty.objects.bulk_create(
        [AgreementParty(agreement=agreement, organization=body) for body in bodies]
        + [
            AgreementParty(
                agreement=agreement,
                external_name=party.name,
                external_country=party.country,
                signatory=party.signatory,
            )
            for party in externals
        ]
    )


def _party_names(agreement: Agreement) -> list[str]:
    """The parties as the audit log keeps them: names, external ones with their country."""
    return [
        party.name + (f"（{party.external_country}）" if party.external_country else "")
        for party in agreement.parties.select_related("organization").order_by("pk")
    ]


def _attach(agreement: Agreement, upload: UploadedFile) -> None:
    name, content_type, size = validate_document(upload)
    agreement.document.save(name, upload, save=False)
    agreement.document_name, agreement.document_type, agreement.document_size = (
        name,
        content_type,
        size,
    )


@transaction.atomic
def agreement_update(
    *,
    actor: User | None,
    agreement: Agreement,
    title: str,
    signed_on: date | None,
    effective_on: date | None,
    expires_on: date | None,
    terms: str,
    staff: User | None,
    document: UploadedFile | None = None,
    parties: Sequence[Organization] | None = None,
    external_parties: Sequence[ExternalParty] | None = None,
) -> Agreement:
    """Change an agreement's dates (a renewal moves the expiry), terms, staff, document or
    parties (``parties`` and ``external_parties`` replace them; None leaves them as they are)."""
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    before = snapshot(agreement, [*AGREEMENT_FIELDS, "document_name"])
    parties_before = _party_names(agreement)
    signed = _check_dates(signed_on, effective_on, expires_on)
    _check_staff(agreement.owner, staff)
    agreement.title = _text(title, "title", "协议名称", max_length=120)
    agreement.signed_on, agreement.effective_on = signed, effective_on
    agreement.expires_on = expires_on
    agreement.terms = _text(terms, "terms", "主要条款", max_length=5000, required=False)
    agreement.staff = staff
    if parties is not None or external_parties is not None:
        current = list(agreement.parties.select_related("organization").order_by("pk"))
        bodies, externals = _checked_parties(
            [p.organization for p in current if p.organization] if parties is None else parties,
            [
                ExternalParty(p.external_name, p.external_country, p.signatory)
                for p in current
                if p.is_external
            ]
            if external_parties is None
            else external_parties,
        )
        agreement.parties.all().delete()
        _write_parties(agreement, bodies, externals)
    if document is not None:
        _attach(agreement, document)
    agreement.full_clean()
    agreement.save()
    changes = diff(before, snapshot(agreement, [*AGREEMENT_FIELDS, "document_name"]))
    parties_after = _party_names(agreement)
    if parties_after != parties_before:
        changes["parties"] = [parties_before, parties_after]
    if changes:
        audit_log(
            actor=actor, action="outreach.agreement_updated", target=agreement, changes=changes
        )
    return agreement


@transaction.atomic
def agreement_attach_document(
    *, actor: User | None, agreement: Agreement, document: UploadedFile
) -> Agreement:
    """The agreement's text (the API's upload; the edit page sends it with the other fields):
    checked like every upload of this app, replacing the one before, audited by name."""
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    before = agreement.document_name
    _attach(agreement, document)
    agreement.save()
    audit_log(
        actor=actor,
        action="outreach.agreement_updated",
        target=agreement,
        changes={"document_name": [before or None, agreement.document_name]},
    )
    return agreement


@transaction.atomic
def agreement_follow_up(
    *,
    actor: User,
    agreement: Agreement,
    meeting_id: int | None,
    resolution: str,
    lead_body: Organization | None,
    deadline: date | None,
) -> FollowUp:
    """A follow-up of an agreement, recorded as a 督办事项 of a joint meeting held (the
    meetings module's rules and notices) and listed on the agreement."""
    text = _text(resolution, "resolution", "跟进事项", max_length=900)
    record = _hook("create_action_item_from", "meeting", "联席会议")(
        actor=actor,
        meeting_id=meeting_id,
        resolution=f"{text}（落实《{agreement.title}》）",
        lead_body=lead_body,
        deadline=deadline,
    )
    follow_up = FollowUp.objects.create(
        agreement=agreement, action_item_id=record.pk, label=text[:120], url=record.url
    )
    audit_log(
        actor=actor,
        action="outreach.follow_up_added",
        target=agreement,
        changes={"action_item_id": [None, record.pk]},
    )
    return follow_up


def expiring_recipients(agreement: Agreement) -> list[User]:
    """Its staff, or the owner union's staff when it has none."""
    if agreement.staff is not None and agreement.staff.is_active:
        return [agreement.staff]
    return list(leaders_of(agreement.owner))


def expiry_notices_send(*, today: date | None = None, dry_run: bool = False) -> int:
    """Tell each agreement's staff once, EXPIRY_NOTICE_DAYS days ahead, that it expires.
    Idempotent: ``expiry_noticed_for`` keeps the date noticed (a renewal is noticed again),
    and notify's event key writes each message once."""
    today = today or timezone.localdate()
    due = (
        Agreement.objects.filter(
            expires_on__gte=today, expires_on__lte=today + timedelta(days=EXPIRY_NOTICE_DAYS)
        )
        .select_related("owner", "staff")
        .prefetch_related("parties__organization")
        .order_by("expires_on", "id")
    )
    sent = 0
    for agreement in due:
        expires_on = agreement.expires_on
        if expires_on is None or agreement.expiry_noticed_for == expires_on:
            continue
        sent += 1
        if dry_run:
            continue
        with transaction.atomic():
            notify(
                notices.AGREEMENT_EXPIRING,
                expiring_recipients(agreement),
                context={
                    "title": agreement.title,
                    "owner": agreement.owner.name,
                    "expires": cn_date(expires_on),
                    "days": (expires_on - today).days,
                    "parties": "、".join(p.name for p in agreement.parties.all()),
                },
                event_key=f"outreach.expiring:{agreement.pk}:{agreement.expires_on}",
                link=reverse("outreach:agreement-detail", args=[agreement.pk]),
                target=f"outreach.agreement:{agreement.pk}",
                organization_id=agreement.owner_id,
            )
            Agreement.objects.filter(pk=agreement.pk).update(
                expiry_noticed_for=agreement.expires_on
            )
            audit_log(
                actor=None,
                action="outreach.expiry_noticed",
                target=agreement,
                changes={"expiry_noticed_for": [None, str(agreement.expires_on)]},
            )
    return sent
