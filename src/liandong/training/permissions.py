"""Who may see and do what in training and the guidance library. Pages and API both use these.

Union staff (admins and staff) and enterprise unions see the lecturers, sessions and documents
of their subtree; a document published by a union above them is visible too (read only). Union
admins and staff keep lecturer groups, sessions and documents of their subtree; an enterprise
union records sessions for its own delegates. Workers, partners' liaisons and judges see none.
The full mobile number of a lecturer: union admins of the subtree only, audited.
"""

from typing import TYPE_CHECKING, TypeGuard

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from liandong.accounts.models import Role, User
from liandong.accounts.permissions import acts_for_organization
from liandong.organizations.models import Organization, subtree_q
from liandong.training.models import Document, Lecturer, Session

if TYPE_CHECKING:
    from liandong.accounts.models import StaffUser

STAFF_ROLES = {Role.UNION_ADMIN, Role.UNION_STAFF, Role.ENTERPRISE_UNION}
UNION_ROLES = {Role.UNION_ADMIN, Role.UNION_STAFF}


def is_training_staff(user: User | AnonymousUser | None) -> TypeGuard["StaffUser"]:
    return acts_for_organization(user) and user.role in STAFF_ROLES


def is_union_trainer(user: User | AnonymousUser | None) -> TypeGuard["StaffUser"]:
    return acts_for_organization(user) and user.role in UNION_ROLES


def in_subtree(user: User | AnonymousUser | None, organization: Organization) -> bool:
    return is_training_staff(user) and organization.path.startswith(user.organization.path)


def lecturers_visible_to(user: User | AnonymousUser | None) -> QuerySet[Lecturer]:
    if not is_training_staff(user):
        return Lecturer.objects.none()
    return Lecturer.objects.filter(subtree_q(user.organization.path, "organization__path"))


def sessions_visible_to(user: User | AnonymousUser | None) -> QuerySet[Session]:
    if not is_training_staff(user):
        return Session.objects.none()
    return Session.objects.filter(subtree_q(user.organization.path, "organization__path"))


def documents_visible_to(user: User | AnonymousUser | None) -> QuerySet[Document]:
    """The subtree's own library, plus what the unions above publish to their subtree."""
    if not is_training_staff(user):
        return Document.objects.none()
    return Document.objects.filter(
        subtree_q(user.organization.path, "organization__path")
        | Q(published=True, organization_id__in=user.organization.ancestor_ids)
    )


def lecturers_for_sessions(user: User | AnonymousUser | None) -> QuerySet[Lecturer]:
    """Lecturers a session may name: active ones of the user's subtree and of the unions above
    it (a city's lecturer group teaches an enterprise's delegates)."""
    if not is_training_staff(user):
        return Lecturer.objects.none()
    return Lecturer.objects.filter(
        subtree_q(user.organization.path, "organization__path")
        | Q(organization_id__in=user.organization.ancestor_ids),
        active=True,
    ).select_related("organization")


def can_keep_lecturers(user: User | AnonymousUser | None, organization: Organization) -> bool:
    return is_union_trainer(user) and organization.path.startswith(user.organization.path)


def can_reveal_lecturer(user: User | AnonymousUser | None, lecturer: Lecturer) -> bool:
    return (
        is_union_trainer(user)
        and user.role == Role.UNION_ADMIN
        and lecturer.organization.path.startswith(user.organization.path)
    )


def can_record_session(user: User | AnonymousUser | None, organization: Organization) -> bool:
    return in_subtree(user, organization)


def can_manage_session(user: User | AnonymousUser | None, session: Session) -> bool:
    return in_subtree(user, session.organization)


def can_keep_documents(user: User | AnonymousUser | None, organization: Organization) -> bool:
    return is_union_trainer(user) and organization.path.startswith(user.organization.path)


def can_manage_document(user: User | AnonymousUser | None, document: Document) -> bool:
    """Only the subtree that owns it: a published document of a higher union is read only."""
    return can_keep_documents(user, document.organization)


def organizations_for(
    user: User | AnonymousUser | None, *, unions_only: bool
) -> QuerySet[Organization]:
    """Where the user may put a record: their subtree (unions only for lecturers and documents)."""
    if not is_training_staff(user):
        return Organization.objects.none()
    found = Organization.objects.filter(subtree_q(user.organization.path))
    if unions_only:
        found = found.filter(kind__in=[Organization.Kind.UNION, Organization.Kind.UNION_FEDERATION])
    else:
        found = found.exclude(kind=Organization.Kind.OUTLET)
    return found
