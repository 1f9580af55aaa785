"""Who may work the Migration Observatory: the role table alone. Its figures are national and
name no one, so there is no unit scope: analysts and administrators of any unit."""

import rules

from coop4int.accounts.roles import Permission
from coop4int.accounts.rules import granted

rules.add_perm(Permission.MANAGE_OBSERVATORY, granted(Permission.MANAGE_OBSERVATORY))
