"""Who lands where, and who has a 工作台 (workbench).

The workbench shows nothing of its own: every count and list on it is read through the owning
app's permissions and selectors, so that it never shows more than the app's own pages would.

- Union admins and staff: the union desk (counts across their subtree, each linking to the
  filtered list behind it).
- Partner liaisons and enterprise unions: their body's desk (the items their body leads, the
  demands routed to it, the next meetings of their mechanisms).
- Judges land on 我的评分任务 (competitions); workers on their own page (workers:me).
"""

from typing import TYPE_CHECKING, TypeGuard

from django.contrib.auth.models import AnonymousUser

from liandong.accounts.models import Role, User
from liandong.accounts.permissions import acts_for_organization

if TYPE_CHECKING:
    from liandong.accounts.models import StaffUser

UNION_ROLES = {Role.UNION_ADMIN, Role.UNION_STAFF}
# Whose start page (``/``) is the workbench. An enterprise union keeps its organization page
# as its start page, and may open the workbench from the menu.
LANDS_ON_WORKBENCH = {Role.UNION_ADMIN, Role.UNION_STAFF, Role.LIAISON}


def can_use_workbench(user: User | AnonymousUser | None) -> TypeGuard["StaffUser"]:
    return acts_for_organization(user)


def has_union_desk(user: User | AnonymousUser | None) -> TypeGuard["StaffUser"]:
    return acts_for_organization(user) and user.role in UNION_ROLES


def lands_on_workbench(user: User | AnonymousUser | None) -> TypeGuard["StaffUser"]:
    return acts_for_organization(user) and user.role in LANDS_ON_WORKBENCH
