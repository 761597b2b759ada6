"""The audit log: who did what to which record, when, from where, with before/after."""

import importlib
import importlib.util
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import cache
from typing import Any

from django.apps import apps as django_apps
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.urls import reverse
from django.utils import timezone

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


# ---------------------------------------------------------------------------------------------
# Reading the log as a record: each app declares, in its own ``audit_labels`` module,
#   ACTIONS: {"workers.imported": "导入职工名册", ...}   the Chinese name of each action it logs;
#   FIELDS:  {"scores": "分数", ...}                     labels of ``changes`` keys that are not
#            model fields (model fields are named by their verbose_name);
#   TYPES:   {"competitions.round": "赛段"}              names of record types whose model has
#            no Chinese verbose_name;
#   LINKS:   {"workers.worker": links}                   for a target type, ``links(viewer, ids)``
#            -> {id: url} of the records the viewer may open (one query per type and page).
# core.tests.test_audit_labels fails when an action written anywhere has no label.

LinkFinder = Callable[[Any, list[str]], dict[str, str]]


@dataclass(frozen=True)
class AuditVocabulary:
    actions: dict[str, str]
    fields: dict[str, str]
    links: dict[str, LinkFinder]
    apps: dict[str, str]  # app label -> its name (for grouping the filters)
    types: dict[str, str]  # record type -> its name, where the model has no Chinese one


@cache
def audit_vocabulary() -> AuditVocabulary:
    actions: dict[str, str] = {}
    fields: dict[str, str] = {}
    links: dict[str, LinkFinder] = {}
    names: dict[str, str] = {}
    types: dict[str, str] = {}
    for config in django_apps.get_app_configs():
        if not config.name.startswith("liandong."):
            continue
        module_name = f"{config.name}.audit_labels"
        if importlib.util.find_spec(module_name) is None:
            continue
        module = importlib.import_module(module_name)
        actions.update(getattr(module, "ACTIONS", {}))
        fields.update(getattr(module, "FIELDS", {}))
        links.update(getattr(module, "LINKS", {}))
        types.update(getattr(module, "TYPES", {}))
        names[config.label] = getattr(module, "APP_NAME", str(config.verbose_name))
    return AuditVocabulary(actions, fields, links, names, types)


def action_label(action: str) -> str:
    """The Chinese name of an action; the code itself when no app has named it."""
    return audit_vocabulary().actions.get(action, action)


def _model(target_type: str) -> type[models.Model] | None:
    try:
        return django_apps.get_model(target_type)
    except (LookupError, ValueError):
        return None


def _chinese(text: object) -> bool:
    return any("\u4e00" <= c <= "\u9fff" for c in str(text))


def target_type_label(target_type: str) -> str:
    declared = audit_vocabulary().types.get(target_type)
    if declared:
        return declared
    model = _model(target_type)
    return str(model._meta.verbose_name) if model is not None else target_type


def _field(model: type[models.Model] | None, key: str) -> Any:
    if model is None:
        return None
    try:
        return model._meta.get_field(key)
    except FieldDoesNotExist:
        return None


def field_label(target_type: str, key: str) -> str:
    """A ``changes`` key in Chinese: the target model's field name when it has a Chinese
    verbose_name, else the label an app declared for the key, else the key."""
    field = _field(_model(target_type), key)
    named = getattr(field, "verbose_name", "") if field is not None else ""
    if _chinese(named):
        return str(named)
    return audit_vocabulary().fields.get(key) or key


def _display(value: Any, field: Any = None) -> str:
    if value is None or value == "" or value == []:
        return "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    choices = getattr(field, "flatchoices", None) if field is not None else None
    if choices:
        for key, label in choices:
            if str(key) == str(value):
                return str(label)
    if isinstance(value, dict):
        return "，".join(f"{k}：{_display(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return "、".join(_display(v) for v in value)
    return str(value)


# ``changes`` keys that hold the id of another record without being a foreign key of the
# target's model (``{"worker": 12}`` on a nomination): the record type they name.
REFERENCE_KEYS = {
    "worker": "workers.worker",
    "organization": "organizations.organization",
    "body": "organizations.organization",
    "partner": "organizations.organization",
    "department": "organizations.organization",
    "registered_by": "accounts.user",
    "judge": "accounts.user",
    "contest": "competitions.contest",
    "to_contest": "competitions.contest",
    "into": "demands.demand",
}

# (record type, id) -> (name, address or ""), for the records a page of entries names.
References = dict[tuple[str, str], tuple[str, str]]
Part = tuple[str, str]  # (text, address or "")


def _reference_type(model: type[models.Model] | None, key: str) -> str:
    field = _field(model, key)
    if field is not None and getattr(field, "is_relation", False) and field.related_model:
        return str(field.related_model._meta.label_lower)
    if field is None:
        return REFERENCE_KEYS.get(key, "")
    return ""


def _ids(value: Any) -> list[str]:
    if isinstance(value, bool) or value is None:
        return []
    if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
        return [str(value)]
    if isinstance(value, list | tuple):
        return [i for item in value for i in _ids(item)]
    return []


def audit_references(viewer: Any, entries: Iterable[AuditLog]) -> References:
    """The records the ``changes`` of these entries name by id, each by its name and, where
    the viewer may open it (the owning app's LINKS), a link. People are named whatever the
    viewer may open (as the log names who acted); other records the viewer may not open are
    not named. Two queries per record type named, however many entries."""
    wanted: dict[str, set[str]] = {}
    for entry in entries:
        model = _model(entry.target_type) if entry.target_type else None
        for key, value in (entry.changes or {}).items():
            ref_type = _reference_type(model, key)
            if ref_type:
                wanted.setdefault(ref_type, set()).update(_ids(value))
    finders = audit_vocabulary().links
    found: References = {}
    for ref_type, ids in wanted.items():
        related = _model(ref_type)
        if related is None or not ids:
            continue
        finder = finders.get(ref_type)
        urls = finder(viewer, sorted(ids)) if finder is not None else {}
        people = ref_type == settings.AUTH_USER_MODEL.lower()
        named = ids if people else set(urls)
        if not named:
            continue
        for record in related._default_manager.filter(pk__in=[int(i) for i in named]):
            label = getattr(record, "display_name", "") or str(record)
            found[(ref_type, str(record.pk))] = (label, urls.get(str(record.pk), ""))
    return found


def _parts(value: Any, ref_type: str, refs: References) -> list[Part] | None:
    """A referencing value as (name, link) parts (a record not named to this viewer: its type
    and number); None when the value names no record."""
    ids = _ids(value)
    if not ref_type or not ids:
        return None
    type_name = target_type_label(ref_type)
    return [refs.get((ref_type, i), (f"{type_name}（编号 {i}）", "")) for i in ids]


@dataclass(frozen=True)
class ChangeLine:
    label: str
    old: str | None  # None: a single value, not a change
    new: str
    # The values as (text, link) parts where they name other records (see audit_references).
    old_parts: list[Part] | None = None
    new_parts: list[Part] | None = None


def change_lines(
    target_type: str, changes: dict[str, Any], refs: References | None = None
) -> list[ChangeLine]:
    """``changes`` as lines "字段：旧值 → 新值" (a pair ``[old, new]``) or "字段：值"; with
    ``refs``, ids of other records read as their names (linked where the viewer may open them)."""
    model = _model(target_type)
    resolving = refs is not None
    refs = refs or {}
    lines = []
    for key, value in (changes or {}).items():
        field = _field(model, key)
        label = field_label(target_type, key)
        ref_type = _reference_type(model, key) if resolving else ""
        # A many-to-many value is a list of ids; its change is a pair of such lists.
        many = field is not None and getattr(field, "many_to_many", False)
        pair = isinstance(value, list) and len(value) == 2
        if pair and many:
            pair = all(isinstance(v, list | type(None)) for v in value)
        if pair:
            old, new = value
            lines.append(
                ChangeLine(
                    label,
                    _display(old, field),
                    _display(new, field),
                    _parts(old, ref_type, refs),
                    _parts(new, ref_type, refs),
                )
            )
        else:
            lines.append(
                ChangeLine(label, None, _display(value, field), None, _parts(value, ref_type, refs))
            )
    return lines


def target_links(viewer: Any, entries: Iterable[AuditLog]) -> dict[tuple[str, str], str]:
    """(target type, id) -> the detail page's address, for the targets the viewer may open."""
    wanted: dict[str, set[str]] = {}
    for entry in entries:
        if entry.target_type and entry.target_id:
            wanted.setdefault(entry.target_type, set()).add(entry.target_id)
    finders = audit_vocabulary().links
    found: dict[tuple[str, str], str] = {}
    for target_type, ids in wanted.items():
        finder = finders.get(target_type)
        if finder is None:
            continue
        numeric = sorted(i for i in ids if i.isdigit())
        for pk, url in finder(viewer, numeric).items():
            found[(target_type, str(pk))] = url
    return found


def link_finder(visible: Callable[[Any], models.QuerySet[Any]], url_name: str) -> LinkFinder:
    """A LINKS entry from a permissions module's ``*_visible_to`` and a detail page's name."""

    def find(viewer: Any, ids: list[str]) -> dict[str, str]:
        if not ids:
            return {}
        pks = visible(viewer).filter(pk__in=[int(i) for i in ids]).values_list("pk", flat=True)
        return {str(pk): reverse(url_name, args=[pk]) for pk in pks}

    return find


def audit_target_types() -> dict[str, str]:
    """Every record type of the product (``app.model`` -> its Chinese name), for the filter."""
    return {
        model._meta.label_lower: target_type_label(model._meta.label_lower)
        for config in django_apps.get_app_configs()
        if config.name.startswith("liandong.")
        for model in config.get_models()
        if model is not AuditLog
    }


def audit_actor_name(entry: AuditLog) -> str:
    """The person's name (their account's 姓名), else the login name kept in the entry."""
    if entry.actor_id is None:
        return "系统" if entry.actor_repr in ("", "system") else entry.actor_repr
    actor = entry.actor
    return (getattr(actor, "display_name", "") or entry.actor_repr) if actor else entry.actor_repr


def day_start(day: date) -> datetime:
    """The first moment of a local calendar day (the log's times are kept in UTC)."""
    return timezone.make_aware(datetime.combine(day, time.min))


@dataclass(frozen=True)
class AuditRow:
    entry: AuditLog
    actor: str
    action: str
    labelled: bool
    target_type: str
    link: str
    changes: list[ChangeLine]
