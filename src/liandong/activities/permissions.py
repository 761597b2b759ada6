"""Who may see and do what in service activities. Pages and API both use these functions.

Scoping follows the foundation: a union sees the activities organized in its subtree; a
partner body (liaison) or an enterprise union sees the activities it co-organizes or holds a
quota in, and among the applications only those of its own workers (its nominees); a worker
sees the published activities of the unions above their employer and their own applications.
"""

from typing import TYPE_CHECKING, TypeGuard

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from liandong.accounts.models import Role, User
from liandong.accounts.permissions import acts_for_organization, is_worker
from liandong.activities.models import (
    Activity,
    ActivityStatus,
    Application,
    Booking,
    BudgetLine,
    Expense,
    ExpenseStatus,
    Home,
    Merchant,
    PartnerUnit,
    Quota,
    Selection,
)
from liandong.organizations.models import Organization, subtree_q
from liandong.workers.models import Worker

if TYPE_CHECKING:
    from liandong.accounts.models import StaffUser

MANAGER_ROLES = {Role.UNION_ADMIN, Role.UNION_STAFF}
NOMINATOR_ROLES = {Role.UNION_ADMIN, Role.UNION_STAFF, Role.ENTERPRISE_UNION}
HIDDEN_FROM_PARTNERS = [ActivityStatus.DRAFT]


def own_worker(user: User | AnonymousUser | None) -> Worker | None:
    if not is_worker(user):
        return None
    return Worker.objects.select_related("employer").filter(user=user).first()


def is_manager(user: User | AnonymousUser | None) -> TypeGuard["StaffUser"]:
    return acts_for_organization(user) and user.role in MANAGER_ROLES


def activities_visible_to(
    user: User | AnonymousUser | None, *, worker: Worker | None = None
) -> QuerySet[Activity]:
    """``worker``: the user's own worker record when the caller has it already."""
    if is_worker(user):
        worker = worker or own_worker(user)
        if worker is None:
            return Activity.objects.none()
        employer = worker.employer
        return Activity.objects.filter(
            organizer_id__in=[*employer.ancestor_ids, employer.pk]
        ).exclude(status__in=[ActivityStatus.DRAFT, ActivityStatus.CANCELLED])
    if not acts_for_organization(user):
        return Activity.objects.none()
    path = user.organization.path
    own = Q(pk__in=Activity.objects.filter(subtree_q(path, "organizer__path")).values("pk"))
    involved = Q(
        pk__in=Activity.objects.filter(co_organizers=user.organization_id).values("pk")
    ) | Q(pk__in=Quota.objects.filter(subtree_q(path, "body__path")).values("activity_id"))
    return Activity.objects.filter(own | (involved & ~Q(status__in=HIDDEN_FROM_PARTNERS)))


def can_edit_activity(user: User | AnonymousUser | None, activity: Activity) -> bool:
    return can_manage_activity(user, activity)


def can_manage_activity(user: User | AnonymousUser | None, activity: Activity) -> bool:
    """Create, edit, publish, draw, publish the notice, confirm, check in, record people served."""
    return is_manager(user) and activity.organizer.path.startswith(user.organization.path)


def can_create_activity(
    user: User | AnonymousUser | None, organizer: Organization | None = None
) -> TypeGuard["StaffUser"]:
    if not is_manager(user):
        return False
    return organizer is None or organizer.path.startswith(user.organization.path)


def can_nominate(user: User | AnonymousUser | None, activity: Activity) -> bool:
    if activity.selection != Selection.NOMINATION:
        return False
    if can_manage_activity(user, activity):
        return True
    if not (acts_for_organization(user) and user.role in NOMINATOR_ROLES):
        return False
    path = user.organization.path
    return any(
        path.startswith(q.body.path) or q.body.path.startswith(path) for q in activity.quotas.all()
    )


def can_apply(user: User | AnonymousUser | None) -> bool:
    return own_worker(user) is not None


def applications_visible_to(
    user: User | AnonymousUser | None, activity: Activity
) -> QuerySet[Application]:
    """Managers see every application; a body sees its own workers'; a worker their own."""
    applications = Application.objects.filter(activity=activity)
    if is_worker(user):
        return applications.filter(worker__user=user)
    if can_manage_activity(user, activity):
        return applications
    if acts_for_organization(user):
        return applications.filter(subtree_q(user.organization.path, "worker__employer__path"))
    return Application.objects.none()


def all_applications_visible_to(user: User | AnonymousUser | None) -> QuerySet[Application]:
    if is_worker(user):
        return Application.objects.filter(worker__user=user)
    if not acts_for_organization(user):
        return Application.objects.none()
    path = user.organization.path
    managed = (
        Q(subtree_q(path, "activity__organizer__path"))
        if user.role in MANAGER_ROLES
        else Q(pk__in=[])
    )
    return Application.objects.filter(managed | subtree_q(path, "worker__employer__path"))


def can_withdraw(user: User | AnonymousUser | None, application: Application) -> bool:
    if is_worker(user):
        return application.worker.user_id == user.pk
    return can_manage_activity(user, application.activity) or (
        application.nominated_by_id is not None
        and acts_for_organization(user)
        and application.worker.employer.path.startswith(user.organization.path)
        and user.role in NOMINATOR_ROLES
    )


def homes_visible_to(user: User | AnonymousUser | None) -> QuerySet[Home]:
    """Staff of an owner, or of a union above an owner, see the home and may book it."""
    if not acts_for_organization(user):
        return Home.objects.none()
    owned = Home.owners.through.objects.filter(
        subtree_q(user.organization.path, "organization__path")
    )
    return Home.objects.filter(pk__in=owned.values("home_id"))


def can_book(user: User | AnonymousUser | None) -> bool:
    return is_manager(user)


def can_create_home(user: User | AnonymousUser | None) -> bool:
    return is_manager(user)


def can_edit_home(user: User | AnonymousUser | None, home: Home) -> bool:
    """Union admins and staff of an owner (or of a union above one); the caller has already
    found the home among ``homes_visible_to``."""
    return is_manager(user) and homes_visible_to(user).filter(pk=home.pk).exists()


def home_owner_choices(
    user: User | AnonymousUser | None, home: Home | None = None
) -> QuerySet[Organization]:
    """Owners a user may name: the unions in their scope, plus (on edit) the home's current
    owners outside it, so that editing never drops a partner's ownership by accident."""
    if not acts_for_organization(user):
        return Organization.objects.none()
    scope = Organization.objects.filter(
        subtree_q(user.organization.path),
        kind__in=[
            Organization.Kind.UNION,
            Organization.Kind.UNION_FEDERATION,
            Organization.Kind.ENTERPRISE,
        ],
    )
    if home is None:
        return scope
    return Organization.objects.filter(
        Q(pk__in=scope.values("pk")) | Q(pk__in=home.owners.values("pk"))
    )


def can_cancel_booking(user: User | AnonymousUser | None, booking: Booking) -> bool:
    """The booker, or union admins and staff of one of the home's owners (or above one)."""
    if not is_manager(user):
        return False
    return (
        booking.created_by_id == user.pk
        or homes_visible_to(user).filter(pk=booking.home_id).exists()
    )


def bookings_visible_to(user: User | AnonymousUser | None) -> QuerySet[Booking]:
    if not acts_for_organization(user):
        return Booking.objects.none()
    return Booking.objects.filter(home__in=homes_visible_to(user))


def booking_owners_for(user: User | AnonymousUser | None, home: Home) -> QuerySet[Organization]:
    """The owners of ``home`` a user may book for: those in the user's subtree."""
    if not acts_for_organization(user):
        return Organization.objects.none()
    return home.owners.filter(subtree_q(user.organization.path))


def budget_lines_visible_to(user: User | AnonymousUser | None) -> QuerySet[BudgetLine]:
    if not is_manager(user):
        return BudgetLine.objects.none()
    return BudgetLine.objects.filter(subtree_q(user.organization.path, "owner__path"))


def expenses_visible_to(user: User | AnonymousUser | None) -> QuerySet[Expense]:
    if not is_manager(user):
        return Expense.objects.none()
    return Expense.objects.filter(subtree_q(user.organization.path, "budget_line__owner__path"))


def can_override_budget(user: User | AnonymousUser | None) -> bool:
    return acts_for_organization(user) and user.role == Role.UNION_ADMIN


def can_manage_budget_lines(user: User | AnonymousUser | None) -> TypeGuard["StaffUser"]:
    """Create and edit budget lines (amount, ceiling): union admins only."""
    return acts_for_organization(user) and user.role == Role.UNION_ADMIN


def budget_line_owner_choices(user: User | AnonymousUser | None) -> QuerySet[Organization]:
    if not can_manage_budget_lines(user):
        return Organization.objects.none()
    return Organization.objects.filter(
        subtree_q(user.organization.path),
        kind__in=[Organization.Kind.UNION, Organization.Kind.UNION_FEDERATION],
    )


def can_decide_override(user: User | AnonymousUser | None, expense: Expense) -> bool:
    """Approve or reject a pending override: a union admin over the line, not the requester
    (the service refuses the requester with a message; here they may see the buttons' refusal)."""
    return (
        can_manage_budget_lines(user)
        and expense.status == ExpenseStatus.PENDING
        and expense.budget_line.owner.path.startswith(user.organization.path)
    )


def can_reverse_expense(user: User | AnonymousUser | None, expense: Expense) -> bool:
    """Reverse or correct an entry: union admins and staff over the line."""
    return (
        is_manager(user)
        and expense.status == ExpenseStatus.RECORDED
        and not expense.is_reversal
        and expense.budget_line.owner.path.startswith(user.organization.path)
    )


def _registers_q(user: "StaffUser", field: str) -> Q:
    """Registers (partner units, merchants) of one's own union, the unions above it (a city
    union's partners serve its counties) and the unions below it."""
    org = user.organization
    return Q(**{f"{field}__in": [*org.ancestor_ids, org.pk]}) | subtree_q(
        org.path, f"{field}__path"
    )


def partner_units_visible_to(user: User | AnonymousUser | None) -> QuerySet[PartnerUnit]:
    if not is_manager(user):
        return PartnerUnit.objects.none()
    return PartnerUnit.objects.filter(_registers_q(user, "owner"))


def partner_units_usable_by(
    user: User | AnonymousUser | None, *, keep: PartnerUnit | None = None
) -> QuerySet[PartnerUnit]:
    """Units an activity may name: active ones visible to the user (plus, on edit, the one the
    activity already names)."""
    units = partner_units_visible_to(user).filter(active=True)
    if keep is not None:
        units = partner_units_visible_to(user).filter(Q(active=True) | Q(pk=keep.pk))
    return units.order_by("name", "id")


def can_edit_register(user: User | AnonymousUser | None, owner: Organization) -> bool:
    """Create or edit a partner unit or merchant of ``owner``: managers of it or above it."""
    return is_manager(user) and owner.path.startswith(user.organization.path)


def merchants_visible_to(user: User | AnonymousUser | None) -> QuerySet[Merchant]:
    if not is_manager(user):
        return Merchant.objects.none()
    return Merchant.objects.filter(_registers_q(user, "owner"))


def register_owner_choices(user: User | AnonymousUser | None) -> QuerySet[Organization]:
    if not is_manager(user):
        return Organization.objects.none()
    return Organization.objects.filter(
        subtree_q(user.organization.path),
        kind__in=[Organization.Kind.UNION, Organization.Kind.UNION_FEDERATION],
    )


def can_view_figures(user: User | AnonymousUser | None) -> TypeGuard["StaffUser"]:
    return acts_for_organization(user)


def can_back_enter_activity(
    user: User | AnonymousUser | None, organizer: Organization | None = None
) -> TypeGuard["StaffUser"]:
    """补录: who may create an activity (for ``organizer``) records one held before the platform."""
    return can_create_activity(user, organizer)
