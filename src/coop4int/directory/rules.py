"""Who may change which directory entry: the role table combined with the service's unit."""

import rules

from coop4int.accounts.models import User
from coop4int.accounts.roles import Permission
from coop4int.accounts.rules import granted, is_nationwide
from coop4int.directory.models import Service


@rules.predicate
def maintains_service(user: User, service: Service | None) -> bool:
    """The service is kept by the user's unit (True without a service: "some service")."""
    return service is None or (service.unit_id is not None and service.unit_id == user.unit_id)


rules.add_perm(
    Permission.EDIT_DIRECTORY,
    granted(Permission.EDIT_DIRECTORY) & (is_nationwide | maintains_service),
)
rules.add_perm(
    Permission.PROPOSE_DIRECTORY_CHANGE,
    granted(Permission.PROPOSE_DIRECTORY_CHANGE) & maintains_service,
)
