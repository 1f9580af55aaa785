"""Who may export a person's record (the right of access), read the register of processing
and keep the breach log.

The export holds the whole record, sensitive fields included (residence status, identity
document), so it needs, besides its own permission, the permission to read those fields and
the person within the scoping rule (``people.scope``): outside it the pages answer 404."""

import rules

from coop4int.accounts.roles import Permission
from coop4int.accounts.rules import granted
from coop4int.people.rules import in_person_scope

rules.add_perm(
    Permission.EXPORT_PERSON,
    granted(Permission.EXPORT_PERSON)
    & granted(Permission.WORK_CASES)
    & granted(Permission.VIEW_PERSON_SENSITIVE)
    & in_person_scope,
)
rules.add_perm(Permission.VIEW_PROCESSING_REGISTER, granted(Permission.VIEW_PROCESSING_REGISTER))
rules.add_perm(Permission.MANAGE_BREACHES, granted(Permission.MANAGE_BREACHES))
