"""Who may open a person's record, and see its sensitive fields (residence status, identity
document): the scoping rule of ``people.domain.queries`` as a ``rules`` predicate. Who may
correct it (those who work the person's cases) and erase it or put it under a legal hold
(``Permission.ERASE_PERSON``: administrators, and the coordinators of the unit that
registered the person)."""

import rules

from coop4int.accounts.models import User
from coop4int.accounts.roles import Permission
from coop4int.accounts.rules import granted, is_nationwide
from coop4int.people.models import Person
from coop4int.people.scope import person_in_scope


@rules.predicate
def in_person_scope(user: User, person: Person | None) -> bool:
    return person is None or person_in_scope(user, person)


rules.add_perm(Permission.VIEW_PERSON, granted(Permission.WORK_CASES) & in_person_scope)
rules.add_perm(
    Permission.VIEW_PERSON_SENSITIVE,
    granted(Permission.VIEW_PERSON_SENSITIVE)
    & granted(Permission.WORK_CASES)
    & (is_nationwide | in_person_scope),
)


@rules.predicate
def registered_here(user: User, person: Person | None) -> bool:
    return person is None or (user.unit_id is not None and person.unit_id == user.unit_id)


# Not a role's permission of its own: whoever may work the person's cases may correct the
# record at their request.
RECTIFY_PERSON = "people.rectify_person"

rules.add_perm(RECTIFY_PERSON, granted(Permission.WORK_CASES) & in_person_scope)
rules.add_perm(
    Permission.ERASE_PERSON,
    granted(Permission.ERASE_PERSON)
    & granted(Permission.WORK_CASES)
    & in_person_scope
    & (is_nationwide | registered_here),
)
