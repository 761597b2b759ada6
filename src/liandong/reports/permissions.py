"""Who may open the dashboard, the big screen and the report exports, and for which union.

- Union staff and admins: any organization of their subtree (a region, an industry union),
  with every figure linking to the records behind it.
- A partner liaison (成员单位联络员): the unions their body works with (those that linked it as
  a partner, and the conveners of mechanisms it is a member of), as aggregate figures only:
  no links to records, no names of workers.
- Everyone else: 403 (the login page when signed out). A union outside one's scope is a 404,
  like one that does not exist.
"""

from typing import TYPE_CHECKING, TypeGuard

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from liandong.accounts.models import Role, User
from liandong.accounts.permissions import acts_for_organization
from liandong.meetings.models import Mechanism
from liandong.meetings.permissions import mechanisms_visible_to
from liandong.organizations.models import Organization, subtree_q

if TYPE_CHECKING:
    from liandong.accounts.models import StaffUser

UNION_ROLES = {Role.UNION_ADMIN, Role.UNION_STAFF}
UNION_KINDS = [Organization.Kind.UNION, Organization.Kind.UNION_FEDERATION]


def can_view_reports(user: User | AnonymousUser | None) -> TypeGuard["StaffUser"]:
    return acts_for_organization(user) and user.role in {*UNION_ROLES, Role.LIAISON}


def sees_records(user: User | AnonymousUser | None) -> bool:
    """Union staff follow a figure to its records; a liaison sees aggregates only."""
    return acts_for_organization(user) and user.role in UNION_ROLES


def unions_visible_to(user: User | AnonymousUser | None) -> QuerySet[Organization]:
    """The organizations whose dashboard ``user`` may open."""
    if not can_view_reports(user):
        return Organization.objects.none()
    if user.role in UNION_ROLES:
        return Organization.objects.filter(subtree_q(user.organization.path))
    body = user.organization_id
    partnered = Organization.partners.through.objects.filter(to_organization_id=body).values(
        "from_organization_id"
    )
    convening = Mechanism.objects.filter(members__organization_id=body).values("convening_union_id")
    return Organization.objects.filter(
        Q(pk__in=partnered) | Q(pk__in=convening), kind__in=UNION_KINDS
    )


def default_union(user: "StaffUser") -> Organization | None:
    if user.role in UNION_ROLES:
        return user.organization
    return unions_visible_to(user).order_by("path").first()


def mechanisms_for_reports(user: User | AnonymousUser | None) -> QuerySet[Mechanism]:
    """Mechanisms whose dashboard ``user`` may open: those the meetings app shows them."""
    if not can_view_reports(user):
        return Mechanism.objects.none()
    return mechanisms_visible_to(user)


def resolve_union(user: "StaffUser", org_id: str | int | None) -> Organization:
    """The organization asked for (``?org=``), or the user's own union; one outside the user's
    scope, or one that does not exist, is a 404."""
    from django.http import Http404

    if org_id in (None, ""):
        root = default_union(user)
        if root is None:
            raise Http404
        return root
    try:
        pk = int(org_id)
    except (TypeError, ValueError):
        raise Http404 from None
    root = unions_visible_to(user).filter(pk=pk).first()
    if root is None:
        raise Http404
    return root


def union_choices(user: "StaffUser", root: Organization) -> QuerySet[Organization]:
    """The regions offered in the filter: the unions of the scope (at most a few hundred, the
    upper levels first), and the one being shown."""
    unions = unions_visible_to(user).filter(kind__in=UNION_KINDS)
    # The ids first (one statement): "in the first 300 or the root" in one statement made
    # PostgreSQL test each of a province's 20,000 organizations, twice a page (7-13 ms each).
    top = list(unions.order_by("depth", "path").values_list("pk", flat=True)[:300])
    return Organization.objects.filter(pk__in=[*top, root.pk]).order_by("path")
