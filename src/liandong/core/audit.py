"""The audit log: who did what to which record, when, from where, with before/after."""

from contextvars import ContextVar
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import models

from liandong.core.models import AuditLog

request_context: ContextVar[dict[str, Any] | None] = ContextVar("request_context", default=None)
# Opened only by ``liandong flush`` (see core/management/commands/flush.py).
audit_purge_allowed: ContextVar[bool] = ContextVar("audit_purge_allowed", default=False)


def audit_entry(
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    action: str,
    target: models.Model | None = None,
    changes: dict[str, Any] | None = None,
    target_repr: str = "",
) -> AuditLog:
    """The entry ``audit_log`` appends, unsaved (for a caller that writes several at once with
    ``bulk_create``). ``changes`` must never hold unmasked personal data."""
    context = request_context.get() or {}
    user = actor if actor is not None and actor.is_authenticated else None
    entry = AuditLog(
        actor_id=user.pk if user is not None else None,
        actor_repr=(user.get_username() if user is not None else "") or "system",
        organization_id=getattr(user, "organization_id", None),
        action=action,
        changes=changes or {},
        ip_address=context.get("ip"),
        request_id=context.get("request_id", ""),
    )
    if target is not None:
        entry.target_type = target._meta.label_lower
        entry.target_id = str(target.pk)
        entry.target_repr = (target_repr or str(target))[:200]
    else:
        entry.target_repr = target_repr[:200]
    return entry


def audit_log(
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    action: str,
    target: models.Model | None = None,
    changes: dict[str, Any] | None = None,
    target_repr: str = "",
) -> AuditLog:
    """Append one entry. ``changes`` must never hold unmasked personal data."""
    entry = audit_entry(
        actor=actor, action=action, target=target, changes=changes, target_repr=target_repr
    )
    entry.save()
    return entry


def snapshot(instance: models.Model, fields: list[str]) -> dict[str, Any]:
    """Plain values of ``fields`` for a before/after comparison."""
    values = {}
    for name in fields:
        value = getattr(instance, name)
        if isinstance(value, models.Model):
            value = value.pk
        elif value is not None and not isinstance(value, str | int | float | bool):
            value = str(value)
        values[name] = value
    return values


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """``{"field": [old, new]}`` for every field that changed."""
    return {k: [before.get(k), after.get(k)] for k in after if before.get(k) != after.get(k)}
