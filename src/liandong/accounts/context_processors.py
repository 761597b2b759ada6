from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.urls import reverse

from liandong.accounts.models import Role, User
from liandong.accounts.permissions import (
    acts_for_organization,
    can_browse_audit_log,
    is_worker,
    maintains_rosters,
)
from liandong.core.extensions import nav_items


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Which menu entries the signed-in user has; templates do not compute permissions."""
    user: User | AnonymousUser | None = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": {}}
    return {
        "nav": {
            "staff": acts_for_organization(user),
            # A partner liaison's body employs no one on the roster; the menu hides the list.
            "workers": acts_for_organization(user) and user.role != Role.LIAISON,
            "worker": is_worker(user),
            "roster": maintains_rosters(user),
            "audit": can_browse_audit_log(user),
            "modules": _module_entries(request, user),
        }
    }


def _module_entries(request: HttpRequest, user: User) -> list[dict[str, Any]]:
    """The modules' menu entries, the one whose address is the longest prefix of this page's
    path marked active (/activities/homes/3/ is 职工之家, not 服务活动)."""
    entries: list[dict[str, Any]] = [
        {"label": item.label, "url": reverse(item.url_name)} for item in nav_items(user)
    ]
    matching = [entry for entry in entries if request.path.startswith(entry["url"])]
    if matching:
        max(matching, key=lambda entry: len(entry["url"]))["active"] = True
    return entries
