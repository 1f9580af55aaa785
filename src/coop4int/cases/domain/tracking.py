"""The person's tracking link: renewing it when it was lost.

The link's secret is never stored (only its digest, ``references.tracking_digest``), so a lost
link cannot be shown again. A lost link must not mean a lost request: the person calls or comes
to a unit with their reference, the officer makes sure it is them, and hands over a new link —
the old one stops working at once (someone may have found it)."""

from django.db import transaction
from django.utils.translation import gettext as _

from coop4int.accounts.models import User
from coop4int.accounts.roles import Permission
from coop4int.cases.domain.cases import NotAllowed, _bump
from coop4int.cases.domain.references import new_tracking_secret
from coop4int.cases.models import Case
from coop4int.core import audit


@transaction.atomic
def renew_tracking_link(*, actor: User, case: Case) -> str:
    """A new secret for ``case``'s tracking link, returned to be handed over once; the old
    link answers 404 from now on. Raises NotAllowed outside the actor's cases.

    Side effects: audit ``cases.case.tracking_renewed`` (without the secret)."""
    if not actor.has_perm(Permission.WORK_CASES, case):
        raise NotAllowed(_("That case is not within your reach."))
    if case.anonymised_at is not None:
        # Nobody is left to follow it: the request's words and contacts are gone.
        raise NotAllowed(_("This case was anonymised: nobody can follow it any more."))
    secret, digest = new_tracking_secret()
    _bump(case, None, tracking_digest=digest)
    audit.record(action="cases.case.tracking_renewed", actor=actor, obj=case, unit=case.unit)
    return secret
