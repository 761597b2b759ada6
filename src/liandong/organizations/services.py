import uuid
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from liandong.accounts.models import User
from liandong.core.audit import audit_log, diff, snapshot
from liandong.organizations.models import Organization, path_segment

AUDITED_FIELDS = [
    "name",
    "short_name",
    "code",
    "kind",
    "level",
    "parent",
    "industry",
    "city",
    "address",
    "union_status",
    "union_founded_on",
    "declared_head_count",
    "is_active",
]


@transaction.atomic
def organization_create(
    *,
    actor: User | None,
    name: str,
    code: str,
    kind: str,
    parent: Organization | None = None,
    level: str = "",
    short_name: str = "",
    industry: str = "",
    city: str = "",
    address: str = "",
    union_status: str = Organization.UnionStatus.NONE,
    union_founded_on: date | None = None,
    declared_head_count: int | None = None,
) -> Organization:
    """Add a node under ``parent`` (or a new root) and give it its materialized path."""
    if kind == Organization.Kind.OUTLET and (
        parent is None or parent.kind != Organization.Kind.ENTERPRISE
    ):
        raise ValidationError(
            {"parent": _("An outlet must belong to an enterprise.")}, code="outlet_parent"
        )
    organization = Organization(
        name=name,
        code=code,
        kind=kind,
        parent=parent,
        level=level,
        short_name=short_name,
        industry=industry,
        city=city,
        address=address,
        union_status=union_status,
        union_founded_on=union_founded_on,
        declared_head_count=declared_head_count,
        path=f"new-{uuid.uuid4().hex}",
        depth=(parent.depth + 1) if parent else 0,
    )
    organization.full_clean(exclude=["path"])
    organization.save()
    organization.path = (parent.path if parent else "") + path_segment(organization.pk)
    organization.save(update_fields=["path"])
    audit_log(
        actor=actor,
        action="organizations.created",
        target=organization,
        changes=diff({}, snapshot(organization, AUDITED_FIELDS)),
    )
    return organization


@transaction.atomic
def organization_update(
    *, actor: User | None, organization: Organization, **fields: Any
) -> Organization:
    """Change plain attributes; moving a node is ``organization_move``."""
    unknown = set(fields) - (set(AUDITED_FIELDS) - {"parent"})
    if unknown:
        raise ValueError(f"Cannot update {sorted(unknown)}")
    before = snapshot(organization, AUDITED_FIELDS)
    for name, value in fields.items():
        setattr(organization, name, value)
    organization.full_clean()
    organization.save(update_fields=[*fields, "updated_at"])
    changes = diff(before, snapshot(organization, AUDITED_FIELDS))
    if changes:
        audit_log(actor=actor, action="organizations.updated", target=organization, changes=changes)
    return organization


@transaction.atomic
def organization_link_partner(
    *, actor: User | None, union: Organization, partner: Organization
) -> None:
    """Record that ``partner`` (an authority, association or enterprise) works with ``union``."""
    if union.pk == partner.pk:
        raise ValidationError(_("An organization cannot be its own partner."), code="self_partner")
    union.partners.add(partner)
    audit_log(
        actor=actor,
        action="organizations.partner_linked",
        target=union,
        changes={"partner": [None, partner.pk]},
    )
