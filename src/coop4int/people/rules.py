"""Who may open a person's record, and see its sensitive fields (residence status, identity
document): the scoping rule of ``people.domain.queries`` as a ``rules`` predicate."""

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
