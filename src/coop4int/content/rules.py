import rules

from coop4int.accounts.roles import Permission
from coop4int.accounts.rules import granted

# Information for the public is national: every content editor works on every item.
rules.add_perm(Permission.EDIT_CONTENT, granted(Permission.EDIT_CONTENT))
