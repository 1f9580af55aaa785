"""An appointment on a case: opening a case from a booking, joining it to an existing case of
the person it is for, or booking from a case. The case app keeps the case
(``cases.domain.cases.open_case``); this module only ties the booking (and the waiting-room
ticket of its visit, if any) to it.

A booking's contact is a claim: it joins only a case of the person staff linked it to (within
``people.scope``); a booking linked to nobody can open a case without a record, whose replies
go to the phone or e-mail given.
"""

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from coop4int.accounts.models import User
from coop4int.appointments.domain.booking import BookingRefused, book_slot
from coop4int.appointments.domain.queries import serves
from coop4int.appointments.models import Booking, Ticket
from coop4int.cases.domain.cases import open_case
from coop4int.cases.domain.queries import cases_for_user
from coop4int.cases.enums import Channel
from coop4int.cases.models import Case
from coop4int.core.audit import record
from coop4int.directory.models import ServiceAtLocation
from coop4int.people.scope import person_in_scope


class CaseLinkRefused(BookingRefused):
    """The booking cannot be put on that case; the message says why."""


def _locked(booking: Booking, actor: User) -> Booking:
    """The booking, locked for the change, once ``actor`` may work it and it is on no case."""
    booking = (
        Booking.objects.select_for_update(of=("self",))
        .select_related("bookable__service_at_location__service__unit", "person", "case")
        .get(pk=booking.pk)
    )
    if not serves(actor, booking.bookable):
        raise PermissionDenied
    if booking.case_id is not None:
        raise CaseLinkRefused(
            _("This appointment is already on case %(reference)s.")
            % {"reference": booking.case.reference if booking.case else ""},
            code="already_linked",
        )
    return booking


def _tie(booking: Booking, case: Case, *, actor: User, opened: bool) -> None:
    booking.case = case
    booking.save(update_fields=["case"])
    # The visit the appointment brought (its ticket, once checked in) is on the same case.
    Ticket.objects.filter(booking=booking, case__isnull=True).update(case=case)
    record(
        action="appointments.booking.case_linked",
        actor=actor,
        obj=booking,
        unit=booking.bookable.service_at_location.service.unit,
        data={"case": case.reference, "opened": opened},
    )


def open_case_for_booking(
    *, booking: Booking, actor: User, subject: str, body: str = "", now: datetime
) -> tuple[Case, str]:
    """Open a case at the booking's unit, for the person the booking is linked to (or for
    nobody, replies going to the booking's phone or e-mail), assigned to ``actor``, and put
    the booking on it. Returns the case and the secret of its tracking link (shown once).

    Side effects: the case (``open_case``: audit ``cases.case.opened``, a walk-in contact on
    its timeline); ``Booking.case`` and the case of the booking's ticket if there is one;
    audit ``appointments.booking.case_linked`` (``opened``: true)."""
    subject = " ".join(subject.split())
    if not subject:
        raise CaseLinkRefused(_("Please give the case a subject."), code="subject")
    with transaction.atomic():
        booking = _locked(booking, actor)
        unit = booking.bookable.service_at_location.service.unit
        if unit is None:
            raise CaseLinkRefused(_("The appointment's service belongs to no unit."), code="unit")
        person = booking.person
        if person is not None and not person_in_scope(actor, person):
            raise PermissionDenied
        case, secret = open_case(
            actor=actor,
            unit=unit,
            channel=Channel.WALK_IN,
            subject=subject,
            person=person,
            language=booking.language,
            body=body.strip(),
            reply_email="" if person is not None else booking.email,
            reply_phone="" if person is not None else booking.phone,
            at=now,
            assign_to=actor,
        )
        _tie(booking, case, actor=actor, opened=True)
    return case, secret


def link_booking_to_case(*, booking: Booking, case: Case, actor: User, now: datetime) -> None:
    """Put the booking on an existing case of the person it is linked to. Refused
    (``CaseLinkRefused``) for a booking linked to nobody, a case of someone else, or a
    booking already on a case; ``PermissionDenied`` when ``actor`` may not work either.

    Side effects: ``Booking.case`` and the case of the booking's ticket if there is one;
    audit ``appointments.booking.case_linked`` (``opened``: false). ``now`` is when it is
    done, as for every write (the audit entry keeps its own time)."""
    del now  # the link has no time of its own
    with transaction.atomic():
        booking = _locked(booking, actor)
        if not cases_for_user(actor).filter(pk=case.pk).exists():
            raise PermissionDenied
        if booking.person_id is None:
            raise CaseLinkRefused(
                _(
                    "This appointment is not linked to a person's record: open a new case "
                    "from it instead."
                ),
                code="no_person",
            )
        if case.person_id != booking.person_id:
            raise CaseLinkRefused(
                _("Choose a case of the person the appointment is for."), code="other_person"
            )
        _tie(booking, case, actor=actor, opened=False)


def book_from_case(
    *,
    case: Case,
    actor: User,
    service_at_location: ServiceAtLocation,
    start: datetime,
    now: datetime,
    **contact: Any,
) -> tuple[Booking, str]:
    """Book for the person of ``case`` (or the anonymous contact the case is for) and put the
    booking on the case: ``book_slot`` with ``person`` the case's person, when ``actor`` may
    reach that record, then the link. ``contact``: the other arguments of ``book_slot``.

    Side effects: those of ``book_slot`` (audit ``appointments.booking.booked``, the
    confirmation); ``Booking.case``; audit ``appointments.booking.case_linked``."""
    if not cases_for_user(actor).filter(pk=case.pk).exists():
        raise PermissionDenied
    person = (
        case.person if case.person is not None and person_in_scope(actor, case.person) else None
    )
    with transaction.atomic():
        booking, secret = book_slot(
            service_at_location=service_at_location,
            start=start,
            actor=actor,
            person=person,
            now=now,
            **contact,
        )
        _tie(booking, case, actor=actor, opened=False)
    return booking, secret
