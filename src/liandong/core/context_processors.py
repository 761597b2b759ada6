from typing import Any

from django.http import HttpRequest

from liandong.accounts.models import Role
from liandong.accounts.permissions import acts_for_organization, can_browse_audit_log, is_worker
from liandong.core.extensions import nav_items
from liandong.workers.permissions import can_manage_roster


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Which menu entries the signed-in user has; templates do not compute permissions."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": {}}
    return {
        "nav": {
            "staff": acts_for_organization(user),
            # A partner liaison's body employs no one on the roster; the menu hides the list.
            "workers": acts_for_organization(user) and user.role != Role.LIAISON,
            "worker": is_worker(user),
            "roster": can_manage_roster(user),
            "audit": can_browse_audit_log(user),
            "modules": nav_items(user),
        }
    }
