"""What a user may do, read from their memberships. The one place that answers "which roles
and which centers" for views, templates and the scoping of later apps."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from .models import CENTER_ROLES, Membership, Role, User

# The order in which a user's roles are listed, most privileged first.
ROLE_ORDER = (Role.ADMIN, Role.MANAGER, Role.LEGAL, Role.SUPERVISOR, Role.STAFF)


@dataclass(frozen=True)
class Access:
    """A user's roles and the centers of each center-bound role."""

    roles: frozenset[str]
    centers_by_role: dict[str, frozenset[int]]

    def has(self, *roles: str) -> bool:
        return any(role in self.roles for role in roles)

    def center_ids(self, *roles: str) -> frozenset[int]:
        ids: set[int] = set()
        for role in roles or tuple(self.centers_by_role):
            ids |= self.centers_by_role.get(role, frozenset())
        return frozenset(ids)

    @property
    def ordered_roles(self) -> list[Role]:
        return [role for role in ROLE_ORDER if role in self.roles]

    @property
    def works_at_a_center(self) -> bool:
        """Staff and supervisors: the people who file reports."""
        return bool(self.center_ids())

    @property
    def reviews(self) -> bool:
        """Supervisors, managers and legal: the people who review reports."""
        return self.has(Role.SUPERVISOR, Role.MANAGER, Role.LEGAL)

    @property
    def is_admin(self) -> bool:
        return Role.ADMIN in self.roles

    @property
    def sees_all_centers(self) -> bool:
        """Managers, legal and admins work across every center."""
        return self.has(Role.MANAGER, Role.LEGAL, Role.ADMIN)

    @property
    def primary_role(self) -> Role | None:
        ordered = self.ordered_roles
        return ordered[0] if ordered else None


NO_ACCESS = Access(roles=frozenset(), centers_by_role={})


def access_of(user: User | AnonymousUser) -> Access:
    """The roles of ``user``, read once per request object and cached on it."""
    if not user.is_authenticated or not user.is_active:
        return NO_ACCESS
    cached = getattr(user, "_access_cache", None)
    if cached is not None:
        return cached
    roles: set[str] = set()
    centers: dict[str, set[int]] = {}
    for role, center_id in Membership.objects.filter(user=user).values_list("role", "center_id"):
        roles.add(role)
        if role in CENTER_ROLES and center_id is not None:
            centers.setdefault(role, set()).add(center_id)
    if user.is_superuser:
        roles.add(Role.ADMIN)
    access = Access(
        roles=frozenset(roles),
        centers_by_role={role: frozenset(ids) for role, ids in centers.items()},
    )
    user._access_cache = access
    return access


def memberships_of(user: User) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user).select_related("center").order_by("role")
