"""Writes to the worker roster. Every write keeps the employer's counts and the audit log."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from liandong.accounts.models import User
from liandong.core import crypto
from liandong.core.audit import audit_log, diff, snapshot
from liandong.core.identity import (
    id_number_gender,
    normalize_name,
    validate_id_number,
    validate_mobile,
)
from liandong.core.masking import mask_id_number, mask_mobile
from liandong.demands import throttle
from liandong.demands.models import Channel, Demand
from liandong.demands.services import demand_submit
from liandong.organizations.models import Organization
from liandong.workers.models import (
    MODEL_WORKER_CATEGORIES,
    MODEL_WORKER_TITLE,
    Honour,
    HonourCategory,
    Worker,
    WorkerType,
)

AUDITED_FIELDS = [
    "name",
    "gender",
    "id_number_masked",
    "mobile_masked",
    "employer",
    "occupation",
    "worker_type",
    "joined_union_on",
]
EMPLOYER_KINDS = {Organization.Kind.ENTERPRISE, Organization.Kind.OUTLET}

# Keywords of the 职业 column, in the order they are tried.
_OCCUPATION_KEYWORDS = [
    (WorkerType.RIDER, ("骑手", "外卖", "配送员", "送餐")),
    (WorkerType.COURIER, ("快递", "快件", "揽投", "分拣", "投递")),
    (WorkerType.DRIVER, ("网约车", "出租", "代驾")),
    (WorkerType.TRUCKER, ("货车", "卡车", "货运", "司机")),
    (WorkerType.BEAUTICIAN, ("美发", "理发", "美容", "美甲", "发型", "养生", "技师")),
]


class _Unchanged(Enum):
    """The default of an argument that may also be None (``joined_union_on=None`` means "not
    a member"): left out, the value is kept."""

    UNCHANGED = "unchanged"


UNCHANGED = _Unchanged.UNCHANGED


def classify_occupation(occupation: str) -> str:
    for worker_type, keywords in _OCCUPATION_KEYWORDS:
        if any(k in occupation for k in keywords):
            return worker_type
    return WorkerType.OTHER


def id_number_digest(id_number: str) -> str:
    return crypto.blind_index("id_number", id_number)


@dataclass(frozen=True)
class SealedIdentity:
    """The stored forms of an ID number and a mobile number."""

    id_number_cipher: str
    id_number_digest: str
    id_number_masked: str
    mobile_cipher: str
    mobile_digest: str
    mobile_masked: str
    mobile_tail: str

    @classmethod
    def seal(cls, *, id_number: str, mobile: str) -> "SealedIdentity":
        return cls(
            id_number_cipher=crypto.encrypt(id_number),
            id_number_digest=id_number_digest(id_number),
            id_number_masked=mask_id_number(id_number),
            mobile_cipher=crypto.encrypt(mobile),
            mobile_digest=crypto.mobile_digest(mobile),
            mobile_masked=mask_mobile(mobile),
            mobile_tail=mobile[-4:],
        )

    def apply(self, worker: Worker) -> None:
        for name, value in self.__dict__.items():
            setattr(worker, name, value)


def _check_employer(employer: Organization) -> None:
    if employer.kind not in EMPLOYER_KINDS:
        raise ValidationError({"employer": "工作单位必须是企业或网点"}, code="employer_kind")


def _bump_counts(organization_id: int, workers: int, members: int) -> None:
    Organization.objects.filter(pk=organization_id).update(
        worker_count=F("worker_count") + workers, member_count=F("member_count") + members
    )


@transaction.atomic
def worker_register(
    *,
    actor: User | None,
    name: str,
    id_number: str,
    mobile: str,
    employer: Organization,
    gender: str = "",
    occupation: str = "",
    joined_union_on: date | None = None,
) -> Worker:
    """Add a worker to the roster. The ID and mobile numbers must not be registered yet."""
    errors: dict[str, list[str]] = {}
    try:
        id_number = validate_id_number(id_number)
    except ValidationError as error:
        errors["id_number"] = error.messages
    try:
        mobile = validate_mobile(mobile)
    except ValidationError as error:
        errors["mobile"] = error.messages
    if errors:
        raise ValidationError(errors)
    _check_employer(employer)
    sealed = SealedIdentity.seal(id_number=id_number, mobile=mobile)
    if Worker.objects.filter(id_number_digest=sealed.id_number_digest).exists():
        raise ValidationError({"id_number": "该身份证号已登记"}, code="id_number_taken")
    if Worker.objects.filter(mobile_digest=sealed.mobile_digest).exists():
        raise ValidationError({"mobile": "该手机号已被其他职工登记"}, code="mobile_taken")
    worker = Worker(
        name=normalize_name(name),
        gender=gender or id_number_gender(id_number),
        employer=employer,
        city=employer.city,
        occupation=occupation.strip(),
        worker_type=classify_occupation(occupation),
        joined_union_on=joined_union_on,
    )
    sealed.apply(worker)
    worker.full_clean()
    worker.save()
    _bump_counts(employer.pk, 1, 1 if joined_union_on else 0)
    audit_log(
        actor=actor,
        action="workers.created",
        target=worker,
        changes=diff({}, snapshot(worker, AUDITED_FIELDS)),
    )
    return worker


@transaction.atomic
def worker_update(
    *,
    actor: User | None,
    worker: Worker,
    name: str | None = None,
    mobile: str | None = None,
    employer: Organization | None = None,
    occupation: str | None = None,
    joined_union_on: date | Literal[_Unchanged.UNCHANGED] | None = UNCHANGED,
) -> Worker:
    """Change a worker's roster entry; counts move with the employer and membership."""
    before = snapshot(worker, AUDITED_FIELDS)
    old_employer_id, was_member = worker.employer_id, worker.is_member
    if name is not None:
        worker.name = normalize_name(name)
    if mobile is not None:
        mobile = validate_mobile(mobile)
        digest = crypto.mobile_digest(mobile)
        if digest != worker.mobile_digest:
            if Worker.objects.filter(mobile_digest=digest).exclude(pk=worker.pk).exists():
                raise ValidationError({"mobile": "该手机号已被其他职工登记"}, code="mobile_taken")
            worker.mobile_cipher = crypto.encrypt(mobile)
            worker.mobile_digest = digest
            worker.mobile_masked = mask_mobile(mobile)
            worker.mobile_tail = mobile[-4:]
    if employer is not None:
        _check_employer(employer)
        worker.employer = employer
        worker.city = employer.city
    if occupation is not None:
        worker.occupation = occupation.strip()
        worker.worker_type = classify_occupation(worker.occupation)
    if joined_union_on is not UNCHANGED:
        worker.joined_union_on = joined_union_on
    worker.full_clean()
    worker.save()
    if worker.employer_id != old_employer_id:
        _bump_counts(old_employer_id, -1, -1 if was_member else 0)
        _bump_counts(worker.employer_id, 1, 1 if worker.is_member else 0)
    elif worker.is_member != was_member:
        _bump_counts(worker.employer_id, 0, 1 if worker.is_member else -1)
    changes = diff(before, snapshot(worker, AUDITED_FIELDS))
    if changes:
        audit_log(actor=actor, action="workers.updated", target=worker, changes=changes)
    return worker


def worker_reveal(*, actor: User | None, worker: Worker, purpose: str = "") -> dict[str, str]:
    """The full ID and mobile numbers, for someone who must act on them. Always audited.

    Callers check ``permissions.can_view_worker_pii`` first.
    """
    audit_log(
        actor=actor,
        action="workers.pii_viewed",
        target=worker,
        changes={"fields": ["id_number", "mobile"], "purpose": purpose[:200]},
    )
    return {
        "id_number": crypto.decrypt(worker.id_number_cipher),
        "mobile": crypto.decrypt(worker.mobile_cipher),
    }


OWN_DEMANDS_LIMIT_MESSAGE = (
    "今天提交的诉求已达上限，请明天再试；紧急情况请拨打 12351 职工服务热线。"
)


def own_demand_submit(
    *,
    actor: User,
    worker: Worker,
    token: str = "",
    photos: Sequence[bytes | UploadedFile] | None = None,
    **fields: Any,
) -> Demand:
    """A demand the worker raises from their home (``fields``: ``demand_submit``'s, but the
    mobile): filed with their own mobile, so it is theirs in 我的诉求 like the ones they sent
    by the public form or the hotline. Their number is decrypted only to be sealed again in the
    demand (nobody is shown it; the submission is audited with it masked). ``token``: the
    form's, so that a double tap files one demand. Counted against the number's daily limit
    of the public form."""
    key = f"worker:{worker.pk}:{token}" if token else ""
    if key and (existing := Demand.objects.filter(idempotency_key=key).first()) is not None:
        return existing
    try:
        with transaction.atomic():
            if not throttle.claim(("submit-mobile", worker.mobile_digest)):
                raise ValidationError(OWN_DEMANDS_LIMIT_MESSAGE, code="throttled")
            demand, _ = demand_submit(
                actor=actor,
                channel=Channel.ONLINE,
                mobile=crypto.decrypt(worker.mobile_cipher),
                photos=photos,
                idempotency_key=key,
                key_checked=True,
                **fields,
            )
    except IntegrityError:  # the same form sent twice at once: the first one's demand
        first = Demand.objects.filter(idempotency_key=key).first() if key else None
        if first is None:
            raise
        return first
    return demand


def worker_recount(*, organization_ids: list[int] | None = None) -> int:
    """Recompute the stored worker and member counts from the roster (after bulk imports or
    to repair drift); returns the number of organizations updated."""
    from django.db.models import Count, Q

    queryset = Organization.objects.all()
    if organization_ids is not None:
        queryset = queryset.filter(pk__in=organization_ids)
    counts = {
        row["employer_id"]: row
        for row in Worker.objects.filter(employer__in=queryset)
        .values("employer_id")
        .annotate(workers=Count("id"), members=Count("id", filter=Q(joined_union_on__isnull=False)))
    }
    updated = 0
    for organization in queryset.only("id", "worker_count", "member_count"):
        row = counts.get(organization.pk, {"workers": 0, "members": 0})
        if (organization.worker_count, organization.member_count) != (
            row["workers"],
            row["members"],
        ):
            organization.worker_count, organization.member_count = row["workers"], row["members"]
            organization.save(update_fields=["worker_count", "member_count"])
            updated += 1
    return updated


# -- honours (荣誉) ----------------------------------------------------------------------------------


@transaction.atomic
def honour_add(
    *,
    actor: User | None,
    worker: Worker,
    category: str,
    title: str = "",
    awarded_on: date | None,
    awarded_by: str = "",
    note: str = "",
) -> Honour:
    """Record an honour a worker holds; audited. The title defaults to the category's name."""
    errors: dict[str, str] = {}
    if category not in HonourCategory.values:
        errors["category"] = "请选择荣誉类别"
    if awarded_on is None:
        errors["awarded_on"] = "请填写授予日期"
    elif awarded_on.year < 1949:
        errors["awarded_on"] = "授予日期不合理"
    elif awarded_on > timezone.localdate():
        errors["awarded_on"] = "授予日期不能晚于今天"
    if errors or awarded_on is None:
        raise ValidationError(errors)
    title = (title or "").strip() or str(HonourCategory(category).label)
    honour = Honour(
        worker=worker,
        category=category,
        title=title[:120],
        awarded_on=awarded_on,
        awarded_by=(awarded_by or "").strip()[:120],
        note=(note or "").strip()[:200],
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    honour.full_clean(exclude=["worker", "created_by"])
    honour.save()
    audit_log(
        actor=actor,
        action="workers.honour_added",
        target=worker,
        changes={"category": category, "title": honour.title, "awarded_on": str(awarded_on)},
    )
    return honour


@transaction.atomic
def honour_remove(*, actor: User | None, honour: Honour) -> None:
    audit_log(
        actor=actor,
        action="workers.honour_removed",
        target=honour.worker,
        changes={"category": honour.category, "title": honour.title},
    )
    honour.delete()


def honour_titles(worker_ids: list[int]) -> dict[int, list[str]]:
    """The rule titles each worker holds (category labels, plus 劳模 for any model-worker level)."""
    found: dict[int, list[str]] = {}
    rows = Honour.objects.filter(worker_id__in=list(worker_ids)).values_list(
        "worker_id", "category"
    )
    for worker_id, category in rows.order_by("worker_id", "category"):
        titles = found.setdefault(worker_id, [])
        for title in (
            [MODEL_WORKER_TITLE, HonourCategory(category).label]
            if category in MODEL_WORKER_CATEGORIES
            else [HonourCategory(category).label]
        ):
            if str(title) not in titles:
                titles.append(str(title))
    return found
