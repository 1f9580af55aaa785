"""A legal hold keeps a person's record from erasure and from the retention schedule — a court
order, a complaint being investigated — until it is lifted. Setting and lifting it are
audited; the reason is shown on the record and in the erasure preview.

The reason is typed by staff and may name the person, while the audit log outlives every
erasure: it stays on the record (``Person.legal_hold_reason``) and the log keeps its length."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coop4int.accounts.models import User
from coop4int.core import audit
from coop4int.people.models import Person


class LegalHoldRefused(Exception):
    """Nothing changed; the message says why, in the reader's language."""


@transaction.atomic
def set_legal_hold(
    *, person: Person, actor: User, reason: str, now: datetime | None = None
) -> Person:
    """Put ``person``'s record under a legal hold for ``reason``. Audited as
    ``people.legal_hold.set`` with the reason's length, never its words (they stay on the
    record). Raises ``LegalHoldRefused`` for an empty reason, a record already held or an
    erased one."""
    reason = " ".join(reason.split())
    person = Person.objects.select_for_update().get(pk=person.pk)
    if not reason:
        raise LegalHoldRefused(_("Say why the record is held (a court order, a complaint…)."))
    if person.is_erased:
        raise LegalHoldRefused(_("This record was erased: there is nothing left to hold."))
    if person.has_legal_hold:
        raise LegalHoldRefused(_("This record is already under a legal hold."))
    person.legal_hold_reason = reason
    person.legal_hold_set_at = now or timezone.now()
    person.legal_hold_set_by = actor
    person.save(update_fields=["legal_hold_reason", "legal_hold_set_at", "legal_hold_set_by"])
    audit.record(
        action="people.legal_hold.set",
        actor=actor,
        obj=person,
        unit=person.unit,
        data={"reason_length": len(reason)},
    )
    return person


@transaction.atomic
def lift_legal_hold(*, person: Person, actor: User) -> Person:
    """End the legal hold on ``person``'s record. Audited as ``people.legal_hold.lifted``,
    with the length of the reason it was held for (the words go with the hold) and since when.
    Raises ``LegalHoldRefused`` when there is
    none."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    if not person.has_legal_hold:
        raise LegalHoldRefused(_("This record is not under a legal hold."))
    held = {
        "reason_length": len(person.legal_hold_reason),
        "since": person.legal_hold_set_at.isoformat() if person.legal_hold_set_at else "",
    }
    person.legal_hold_reason = ""
    person.legal_hold_set_at = None
    person.legal_hold_set_by = None
    person.save(update_fields=["legal_hold_reason", "legal_hold_set_at", "legal_hold_set_by"])
    audit.record(
        action="people.legal_hold.lifted", actor=actor, obj=person, unit=person.unit, data=held
    )
    return person
