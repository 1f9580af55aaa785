"""Who may configure which unit's appointments: the role table combined with the unit."""

import rules

from coop4int.accounts.roles import Permission
from coop4int.accounts.rules import granted, is_nationwide, is_own_unit

rules.add_perm(
    Permission.MANAGE_APPOINTMENTS,  # object: a Unit
    granted(Permission.MANAGE_APPOINTMENTS) & (is_nationwide | is_own_unit),
)
