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
from liandong.core.navigation import Entry, menu_groups


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Which menu entries the signed-in user has; templates do not compute permissions."""
    user: User | AnonymousUser | None = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": {}}
    groups = menu_groups(_entries(user), request.path)
    current = next((item for group in groups for item in group.items if item.active), None)
    return {
        "nav": {
            "staff": acts_for_organization(user),
            # A partner liaison's body employs no one on the roster; the menu hides the list.
            "workers": acts_for_organization(user) and user.role != Role.LIAISON,
            "worker": is_worker(user),
            "groups": groups,
            "current": current.label if current else "",
        }
    }


def _entries(user: User) -> list[Entry]:
    """The fixed entries (organization, roster, audit log; a worker's own pages) and the
    modules' (core.extensions ``NAV_ITEMS``), each with its group."""
    entries = []
    if acts_for_organization(user):
        entries.append(
            Entry(
                "组织架构",
                reverse("organizations:organization-detail", args=[user.organization_id]),
                "organization",
                order=1,
                prefix="/organizations/",
            )
        )
        # A partner liaison's body employs no one on the roster; the menu hides the list.
        if user.role != Role.LIAISON:
            entries.append(Entry("职工名册", reverse("workers:worker-list"), "organization", 2))
        if maintains_rosters(user):
            entries.append(Entry("名册导入", reverse("workers:roster-import"), "organization", 3))
        if can_browse_audit_log(user):
            entries.append(Entry("操作日志", reverse("accounts:audit-list"), "accounts", 91))
    if is_worker(user):
        entries.append(Entry("我的信息", reverse("workers:me"), "me", 1))
        entries.append(Entry("设置密码", reverse("accounts:password-set"), "password", 2))
    entries += [
        Entry(item.label, reverse(item.url_name), item.group_key, 10 + item.order)
        for item in nav_items(user)
    ]
    return entries
