"""Object rules: the role table (roles.py) combined with scope (own unit).

Registered with the ``rules`` package, so ``user.has_perm(code, obj)`` works everywhere.
"""

from typing import Any

import rules

from coop4int.accounts.models import Unit, User
from coop4int.accounts.roles import Permission


def granted(permission: Permission) -> Any:
    @rules.predicate(name=f"granted:{permission}")
    def predicate(user: User) -> bool:
        return bool(
            getattr(user, "is_authenticated", False) and permission in user.granted_permissions
        )

    return predicate


@rules.predicate
def is_nationwide(user: User) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_nationwide)


# Object predicates answer True when no object is given: ``has_perm(code)`` then asks "may
# this user do this to some object of that kind?", which is what a list page or a menu needs.


@rules.predicate
def is_own_unit(user: User, unit: Unit | None) -> bool:
    return unit is None or user.unit_id == unit.pk


@rules.predicate
def is_colleague(user: User, other: User | None) -> bool:
    return other is None or (other.unit_id is not None and user.unit_id == other.unit_id)


can_use_backoffice = granted(Permission.USE_BACKOFFICE)

rules.add_perm(Permission.USE_BACKOFFICE, can_use_backoffice)
rules.add_perm(Permission.VIEW_AUDIT_LOG, granted(Permission.VIEW_AUDIT_LOG))
rules.add_perm(
    Permission.VIEW_UNITS,  # object: a Unit
    granted(Permission.VIEW_UNITS) & (is_nationwide | is_own_unit),
)
rules.add_perm(
    Permission.MANAGE_STAFF,  # object: a staff User
    granted(Permission.MANAGE_STAFF) & (is_nationwide | is_colleague),
)
rules.add_perm(Permission.GRANT_ADMINISTRATOR, granted(Permission.GRANT_ADMINISTRATOR))
