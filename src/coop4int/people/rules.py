"""Who may see a person's sensitive fields (residence status, identity document)."""

import rules

from coop4int.accounts.models import User
from coop4int.accounts.roles import Permission
from coop4int.accounts.rules import granted, is_nationwide
from coop4int.people.models import Person


@rules.predicate
def in_person_unit(user: User, person: Person | None) -> bool:
    if person is None:
        return True
    if user.unit_id is not None and person.unit_id == user.unit_id:
        return True
    # A person with a case at the user's unit is that unit's person too.
    return user.unit_id is not None and person.cases.filter(unit_id=user.unit_id).exists()


rules.add_perm(
    Permission.VIEW_PERSON_SENSITIVE,
    granted(Permission.VIEW_PERSON_SENSITIVE) & (is_nationwide | in_person_unit),
)
