"""Writes of the appointments app: making a service bookable, staff absences, booking,
cancelling, moving, checking in, no-shows and the waiting list.

Each is one transaction and one audit entry; ``now`` is always passed in. Public bookings are
unverified claims: a name, a phone or e-mail, a language and needs as given, never attached to
a person's record; staff booking for someone they may reach (``people.scope``) may link it.
The person gets a reference and a secret link (only its digest is kept) to see, move or cancel.
What they are sent (the confirmation, changes, offers, the reminder) goes after the commit
through ``appointments.notify``; a link's secret lives only in the closure that sends it.

Concurrency: a booking claims a numbered place of its slot by inserting (or moving) its row
inside a savepoint; the unique constraint of ``models.Booking`` refuses a place claimed by
someone else at the same time, on SQLite and PostgreSQL alike, and the next number is tried —
when none is left, ``SlotFull``. The cap on a contact's active bookings is a count before the
claim, so two simultaneous bookings by the same contact could pass it by one; the places
themselves can never be oversold.
"""

import hmac
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from coop4int.accounts.models import User
from coop4int.accounts.roles import Permission
from coop4int.appointments import notify as messages

# The tasks module calls back into this one: both import the other as a module, so either may
# be imported first.
from coop4int.appointments import tasks as appointment_tasks
from coop4int.appointments.domain import queue
from coop4int.appointments.domain.slots import Slot, bookable_for, slot_at
from coop4int.appointments.enums import (
    ACTIVE,
    HOLDING,
    TRANSITIONS,
    BookingStatus,
    NotifyBy,
    WaitingStatus,
)
from coop4int.appointments.models import (
    BookableService,
    Booking,
    StaffAbsence,
    Ticket,
    WaitingListEntry,
)
from coop4int.cases.domain.references import new_reference, new_tracking_secret, tracking_digest
from coop4int.core.audit import mask, record
from coop4int.core.languages import UnknownLanguage, get_language
from coop4int.core.rate_limits import RateLimit
from coop4int.directory.models import ServiceAtLocation
from coop4int.people.domain.contacts import normalise_email, normalise_phone
from coop4int.people.models import Person
from coop4int.people.scope import person_in_scope

# A contact (one phone number or e-mail address) holds at most this many bookings to come.
MAX_ACTIVE_PER_CONTACT = 3
# For the public booking form: at most this many bookings per client address an hour
# (views ask ``exceeded`` before and ``count`` after a booking made).
PUBLIC_BOOKING_LIMIT = RateLimit(scope="appointments.book", limit=5)
_REFERENCE_ATTEMPTS = 5
CONTACT_FIELDS = (
    "name",
    "phone",
    "email",
    "language",
    "interpreter_needed",
    "accessibility_needs",
    "notify_by",
    "person",
)
# Reminders go out the day before, between these hours of the location's clock.
REMINDER_FROM_HOUR = 8
REMINDER_UNTIL_HOUR = 21


class BookingRefused(ValidationError):
    """The booking or change cannot be made; the message says why, in the user's language."""


class SlotFull(BookingRefused):
    """Every place of the slot is taken."""

    def __init__(self) -> None:
        super().__init__(_("This time is fully booked. Please choose another."), code="full")


class OfferExpired(BookingRefused):
    def __init__(self) -> None:
        super().__init__(
            _(
                "The time to accept this place has passed. It may have been offered to "
                "someone else."
            ),
            code="offer_expired",
        )


class InvalidTransition(BookingRefused):
    pass


# --- Authorising -------------------------------------------------------------------------------


def _serves(actor: User, bookable: BookableService) -> bool:
    """Staff who work cases at the unit of the service (or nationwide)."""
    if Permission.WORK_CASES not in actor.granted_permissions:
        return False
    if actor.is_nationwide:
        return True
    unit_id = bookable.service_at_location.service.unit_id
    return actor.unit_id is not None and actor.unit_id == unit_id


def _require_staff(actor: User, bookable: BookableService) -> None:
    if not _serves(actor, bookable):
        raise PermissionDenied


def secret_matches(booking: Booking, secret: str) -> bool:
    return bool(secret) and hmac.compare_digest(booking.secret_digest, tracking_digest(secret))


def _require_holder(booking: Booking, *, actor: User | None, secret: str | None) -> None:
    """Staff of the service, or whoever holds the booking's secret link."""
    if actor is not None:
        _require_staff(actor, booking.bookable)
    elif secret is None or not secret_matches(booking, secret):
        raise PermissionDenied


# --- Contacts ----------------------------------------------------------------------------------


def _claimant(
    service_at_location: ServiceAtLocation, *, actor: User | None, **contact: Any
) -> tuple[BookableService, dict[str, Any]]:
    """What booking and waiting both begin with: the bookable service (refused when there is
    none), the staff member's right to act for it, and the contact checked (``_contact``)."""
    bookable = bookable_for(service_at_location)
    if bookable is None:
        raise BookingRefused(_("This service cannot be booked."), code="not_bookable")
    if actor is not None:
        _require_staff(actor, bookable)
    return bookable, _contact(actor=actor, **contact)


def _contact(
    *,
    name: str,
    phone: str,
    email: str,
    language: str,
    interpreter_needed: bool,
    accessibility_needs: str,
    actor: User | None,
    person: Person | None,
    notify_by: str = "",
) -> dict[str, Any]:
    """The contact fields, checked and in their stored form. ``notify_by`` (a ``NotifyBy``,
    or empty: e-mail when there is an address, else SMS) needs its contact: e-mail an
    address, SMS and WhatsApp a phone."""
    name = " ".join(name.split())
    if not name:
        raise BookingRefused(_("Please give a name."), code="name")
    if not phone.strip() and not email.strip():
        raise BookingRefused(_("Please give a phone number or an e-mail address."), code="contact")
    phone = normalise_phone(phone) if phone.strip() else ""
    email = normalise_email(email) if email.strip() else ""
    try:
        language = get_language(language).code
    except UnknownLanguage as error:
        message = _("Please choose a language from the list.")
        raise BookingRefused(message, code="language") from error
    notify_by = (notify_by or "").strip()
    if notify_by and notify_by not in NotifyBy.values:
        raise BookingRefused(_("Please choose how we should send you messages."), code="notify_by")
    if notify_by == NotifyBy.EMAIL and not email:
        raise BookingRefused(
            _("Please give an e-mail address to get messages by e-mail."), code="notify_by"
        )
    if notify_by in (NotifyBy.SMS, NotifyBy.WHATSAPP) and not phone:
        raise BookingRefused(
            _("Please give a phone number to get messages by SMS or WhatsApp."), code="notify_by"
        )
    if person is not None and (actor is None or not person_in_scope(actor, person)):
        # The public never attaches a booking to a record; staff only within the scoping rule.
        raise PermissionDenied
    return {
        "name": name[:200],
        "phone": phone,
        "email": email,
        "language": language,
        "interpreter_needed": interpreter_needed,
        "accessibility_needs": accessibility_needs.strip(),
        "notify_by": notify_by,
        "person": person,
    }


def _masked_contact(contact: dict[str, Any]) -> dict[str, Any]:
    return {
        "phone": mask(contact["phone"]),
        "email": mask(contact["email"]),
        "language": contact["language"],
        "interpreter_needed": contact["interpreter_needed"],
        "has_accessibility_needs": bool(contact["accessibility_needs"]),
        "notify_by": contact.get("notify_by", ""),
        "person_linked": contact["person"] is not None,
    }


def active_bookings_of(*, phone: str, email: str, now: datetime) -> int:
    """Bookings to come held by this phone number or e-mail address (stored form)."""
    matches = Q(pk__in=[])
    if phone:
        matches |= Q(phone=phone)
    if email:
        matches |= Q(email=email)
    return Booking.objects.filter(matches, status__in=ACTIVE, starts_at__gt=now).count()


def _check_cap(contact: dict[str, Any], *, now: datetime, moving: Booking | None = None) -> None:
    count = active_bookings_of(phone=contact["phone"], email=contact["email"], now=now)
    if count >= MAX_ACTIVE_PER_CONTACT:
        raise BookingRefused(
            _(
                "This phone number or e-mail address already has %(count)d appointments to "
                "come. Please cancel one before booking another."
            )
            % {"count": count},
            code="cap",
        )


# --- Making a service bookable ----------------------------------------------------------------


def bookable_problems(
    *,
    slot_minutes: int,
    places: int,
    book_ahead_days: int,
    cancel_until_hours: int,
    offer_hold_minutes: int,
    staff: Sequence[User],
    unit_id: int | None,
) -> dict[str, str]:
    """What is wrong with these settings of a bookable service, by field (empty when
    nothing): the bounds of making a service bookable and of changing it."""
    problems = {}
    if not 5 <= slot_minutes <= 8 * 60:
        problems["slot_minutes"] = _("A slot lasts from 5 minutes to 8 hours.")
    if not 1 <= places <= 100:
        problems["places"] = _("A slot has from 1 to 100 places.")
    if not 1 <= book_ahead_days <= 366:
        problems["book_ahead_days"] = _("People may book from 1 to 366 days ahead.")
    if not 0 <= cancel_until_hours <= 24 * 14:
        problems["cancel_until_hours"] = _("The latest time to cancel is at most 14 days before.")
    if not 5 <= offer_hold_minutes <= 24 * 60:
        problems["offer_hold_minutes"] = _("An offered place is held from 5 minutes to a day.")
    if any(member.unit_id != unit_id and not member.is_nationwide for member in staff):
        problems["staff"] = _("Only staff of the service's unit can serve it.")
    return problems


def make_bookable(
    *,
    actor: User,
    service_at_location: ServiceAtLocation,
    slot_minutes: int,
    places: int,
    book_ahead_days: int,
    cancel_until_hours: int,
    staff: Sequence[User] = (),
    offer_hold_minutes: int = 120,
    now: datetime,
) -> BookableService:
    """Make (or change) a service at a location bookable. Side effects: the
    ``BookableService`` row and its staff; audit ``appointments.service.made_bookable``.
    Bookings already made keep their places."""
    # Coordinators for their own unit's services, administrators for any (appointments/rules.py).
    unit = service_at_location.service.unit
    if not actor.has_perm(Permission.MANAGE_APPOINTMENTS, unit) or (
        unit is None and not actor.is_nationwide
    ):
        raise PermissionDenied
    problems = bookable_problems(
        slot_minutes=slot_minutes,
        places=places,
        book_ahead_days=book_ahead_days,
        cancel_until_hours=cancel_until_hours,
        offer_hold_minutes=offer_hold_minutes,
        staff=staff,
        unit_id=service_at_location.service.unit_id,
    )
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        bookable, created = BookableService.objects.update_or_create(
            service_at_location=service_at_location,
            defaults={
                "slot_minutes": slot_minutes,
                "places": places,
                "book_ahead_days": book_ahead_days,
                "cancel_until_hours": cancel_until_hours,
                "offer_hold_minutes": offer_hold_minutes,
                "active": True,
                "updated_at": now,
            },
            create_defaults={
                "slot_minutes": slot_minutes,
                "places": places,
                "book_ahead_days": book_ahead_days,
                "cancel_until_hours": cancel_until_hours,
                "offer_hold_minutes": offer_hold_minutes,
                "active": True,
                "created_at": now,
                "updated_at": now,
            },
        )
        bookable.staff.set(staff)
        record(
            action="appointments.service.made_bookable",
            actor=actor,
            obj=service_at_location,
            data={
                "created": created,
                "slot_minutes": slot_minutes,
                "places": places,
                "book_ahead_days": book_ahead_days,
                "cancel_until_hours": cancel_until_hours,
                "offer_hold_minutes": offer_hold_minutes,
                "staff": sorted(member.pk for member in staff),
            },
        )
    return bookable


def record_absence(
    *, actor: User, staff: User, starts_at: datetime, ends_at: datetime, now: datetime
) -> StaffAbsence:
    """A member of staff away: the slots they serve lose a place for it. Bookings already made
    keep theirs (the slot shows none left). Audit ``appointments.absence.recorded``."""
    if ends_at <= starts_at:
        raise ValidationError(_("An absence ends after it starts."))
    if (
        not actor.is_nationwide
        and (
            actor.unit_id is None
            or actor.unit_id != staff.unit_id
            or Permission.MANAGE_STAFF not in actor.granted_permissions
        )
        and actor.pk != staff.pk
    ):
        raise PermissionDenied
    with transaction.atomic():
        absence = StaffAbsence.objects.create(
            staff=staff, starts_at=starts_at, ends_at=ends_at, created_at=now
        )
        record(
            action="appointments.absence.recorded",
            actor=actor,
            obj=absence,
            data={
                "staff": staff.pk,
                "starts_at": starts_at.isoformat(),
                "ends_at": ends_at.isoformat(),
            },
        )
    return absence


# --- The one transition function -----------------------------------------------------------


def transition_booking(
    *,
    booking: Booking,
    to: str,
    actor: User | None,
    now: datetime,
    data: dict[str, Any] | None = None,
) -> None:
    """The only writer of ``Booking.status``: checks ``enums.TRANSITIONS``, saves and writes
    one ``appointments.booking.status_changed`` entry."""
    before = booking.status
    if to not in TRANSITIONS[before]:
        raise InvalidTransition(
            _("This appointment cannot change from “%(before)s” to “%(after)s”.")
            % {"before": BookingStatus(before).label, "after": BookingStatus(to).label},
            code="transition",
        )
    booking.status = to
    booking.status_changed_at = now
    booking.save(update_fields=["status", "status_changed_at", "cancel_reason"])
    record(
        action="appointments.booking.status_changed",
        actor=actor,
        obj=booking,
        unit=booking.bookable.service_at_location.service.unit,
        data={"from": before, "to": to, **(data or {})},
    )


# --- Claiming a place ------------------------------------------------------------------------


def _require_slot(bookable: BookableService, start: datetime, *, now: datetime) -> Slot:
    slot = slot_at(bookable, start, now=now)
    if slot is None:
        raise BookingRefused(
            _("This time cannot be booked. Please choose one of the times offered."), code="slot"
        )
    return slot


def _claim(booking: Booking, slot: Slot) -> None:
    """Save ``booking`` in a free place of ``slot``, or raise ``SlotFull``. Each attempt is a
    savepoint: losing a place to someone else rolls back that attempt only."""
    taken = set(
        Booking.objects.filter(bookable=booking.bookable, starts_at=slot.start, status__in=HOLDING)
        .exclude(pk=booking.pk)
        .values_list("place_number", flat=True)
    )
    if len(taken) >= slot.capacity:
        raise SlotFull
    booking.starts_at, booking.ends_at = slot.start, slot.end
    for number in range(1, slot.capacity + 1):
        if number in taken:
            continue
        booking.place_number = number
        try:
            with transaction.atomic():
                booking.save()
        except IntegrityError as error:
            if "reference" in str(error).lower():
                raise
            continue
        return
    raise SlotFull


def _new_booking(
    bookable: BookableService, contact: dict[str, Any], **values: Any
) -> tuple[Booking, str]:
    secret, digest = new_tracking_secret()
    reference = new_reference()
    for _attempt in range(_REFERENCE_ATTEMPTS):
        if not Booking.objects.filter(reference=reference).exists():
            break
        reference = new_reference()
    booking = Booking(
        bookable=bookable, reference=reference, secret_digest=digest, **contact, **values
    )
    return booking, secret


def _offer_on_commit(booking: Booking) -> None:
    """Once the place is free for good, offer it to the first person waiting that day."""
    bookable_id, start = booking.bookable_id, booking.starts_at.isoformat()
    task = appointment_tasks.offer_freed_place_task
    transaction.on_commit(lambda: task.enqueue(bookable_id, start))


def book_slot(
    *,
    service_at_location: ServiceAtLocation,
    start: datetime,
    name: str,
    phone: str = "",
    email: str = "",
    language: str,
    interpreter_needed: bool = False,
    accessibility_needs: str = "",
    notify_by: str = "",
    actor: User | None = None,
    person: Person | None = None,
    now: datetime,
) -> tuple[Booking, str]:
    """Book a place of the slot starting at ``start``. Returns the booking and the secret of
    the person's link (shown once, never stored). Raises ``SlotFull`` when the last place went,
    ``BookingRefused`` for a time that is not a slot, bad contact details or a contact over
    its cap. Audit ``appointments.booking.booked`` (contact masked). After the commit the
    person is sent the confirmation ``booking_confirmed`` with the link (and, by e-mail, the
    iCalendar file)."""
    bookable, contact = _claimant(
        service_at_location,
        actor=actor,
        name=name,
        phone=phone,
        email=email,
        language=language,
        interpreter_needed=interpreter_needed,
        accessibility_needs=accessibility_needs,
        notify_by=notify_by,
        person=person,
    )
    with transaction.atomic():
        _check_cap(contact, now=now)
        slot = _require_slot(bookable, start, now=now)
        booking, secret = _new_booking(
            bookable,
            contact,
            status=BookingStatus.BOOKED,
            status_changed_at=now,
            created_at=now,
            booked_by=actor,
        )
        _claim(booking, slot)
        record(
            action="appointments.booking.booked",
            actor=actor,
            obj=booking,
            unit=service_at_location.service.unit,
            data={"starts_at": booking.starts_at.isoformat(), "by_staff": actor is not None}
            | _masked_contact(contact),
        )
        _confirm_on_commit(booking, secret)
    return booking, secret


# --- Telling the person -----------------------------------------------------------------------


def _confirm_on_commit(booking: Booking, secret: str) -> None:
    """The confirmation with the person's link: the secret lives only in this closure."""

    def send() -> None:
        messages.notify(
            booking,
            message="booking_confirmed",
            context=messages.booking_context(
                booking, manage_url=messages.manage_url(booking, secret), has_calendar_file=True
            ),
            attachments=[messages.calendar_attachment(booking)],
        )

    transaction.on_commit(send, robust=True)


def _tell_on_commit(
    booking: Booking, message: str, *, by_staff: bool, reason: str = "", **extra: Any
) -> None:
    """A change told to the person (``booking_moved``, ``booking_cancelled``), with the
    updated iCalendar file by e-mail. The reason is the officer's text, shown as given."""

    def send() -> None:
        messages.notify(
            booking,
            message=message,
            context=messages.booking_context(
                booking,
                by_staff=by_staff,
                reason=reason,
                booking_url=messages.booking_start_url(booking.language),
                has_calendar_file=True,
                **extra,
            ),
            attachments=[messages.calendar_attachment(booking)],
        )

    transaction.on_commit(send, robust=True)


def cancel_deadline(booking: Booking) -> datetime:
    return booking.starts_at - timedelta(hours=booking.bookable.cancel_until_hours)


def _require_change_allowed(
    booking: Booking, *, actor: User | None, secret: str | None, reason: str, now: datetime
) -> None:
    _require_holder(booking, actor=actor, secret=secret)
    if booking.status not in ACTIVE:
        raise InvalidTransition(_("This appointment can no longer be changed."), code="inactive")
    if actor is None and now > cancel_deadline(booking):
        raise BookingRefused(
            _(
                "It is too late to change this appointment on line. Please call the service "
                "to change it."
            ),
            code="deadline",
        )
    if actor is not None and now > cancel_deadline(booking) and not reason.strip():
        raise BookingRefused(
            _("Say why the appointment is changed after the deadline."), code="reason"
        )


def cancel_booking(
    *,
    booking: Booking,
    actor: User | None = None,
    secret: str | None = None,
    reason: str = "",
    now: datetime,
) -> None:
    """Cancel: by the person with the secret link until the deadline, by staff of the service
    at any time (after the deadline with a reason). The place is offered to the first person
    waiting that day once the transaction commits. Audit through ``transition_booking`` (the
    reason's length only). After the commit the person is told (``booking_cancelled``, with
    the reason staff gave)."""
    with transaction.atomic():
        booking = (
            Booking.objects.select_for_update(of=("self",))
            .select_related("bookable__service_at_location__service__unit")
            .get(pk=booking.pk)
        )
        _require_change_allowed(booking, actor=actor, secret=secret, reason=reason, now=now)
        booking.cancel_reason = reason.strip()
        transition_booking(
            booking=booking,
            to=BookingStatus.CANCELLED,
            actor=actor,
            now=now,
            data={"by_staff": actor is not None, "reason_length": len(reason.strip())},
        )
        _offer_on_commit(booking)
        _tell_on_commit(
            booking, "booking_cancelled", by_staff=actor is not None, reason=reason.strip()
        )


def move_booking(
    *,
    booking: Booking,
    start: datetime,
    actor: User | None = None,
    secret: str | None = None,
    reason: str = "",
    now: datetime,
) -> Booking:
    """Move to another slot of the same service, keeping the reference and the link; the same
    deadline as cancelling. ``SlotFull`` when the new slot has no place. The old place is
    offered to the waiting list after commit. Audit ``appointments.booking.moved``. After the
    commit the person is told (``booking_moved``, with the reason staff gave and the updated
    iCalendar file by e-mail)."""
    with transaction.atomic():
        booking = (
            Booking.objects.select_for_update(of=("self",))
            .select_related(
                "bookable__service_at_location__service__unit",
                "bookable__service_at_location__location",
            )
            .get(pk=booking.pk)
        )
        _require_change_allowed(booking, actor=actor, secret=secret, reason=reason, now=now)
        if booking.status != BookingStatus.BOOKED:
            raise InvalidTransition(_("Accept the offered place before moving it."), code="offered")
        before = booking.starts_at
        slot = _require_slot(booking.bookable, start, now=now)
        freed = Booking(bookable_id=booking.bookable_id, starts_at=before)
        _claim(booking, slot)
        record(
            action="appointments.booking.moved",
            actor=actor,
            obj=booking,
            unit=booking.bookable.service_at_location.service.unit,
            data={
                "from": before.isoformat(),
                "to": booking.starts_at.isoformat(),
                "by_staff": actor is not None,
                "reason_length": len(reason.strip()),
            },
        )
        _offer_on_commit(freed)
        _tell_on_commit(
            booking,
            "booking_moved",
            by_staff=actor is not None,
            reason=reason.strip(),
            previous_starts_at=before,
        )
    return booking


def check_in(*, booking: Booking, actor: User, now: datetime) -> tuple[Ticket, str]:
    """The person came: they join the waiting room's queue for the booked service, to be
    called first once their time has come (``queue.join_queue_from_booking``). Returns the
    ticket and the secret of its link (shown once, never stored). Audit through
    ``transition_booking`` and ``appointments.ticket.taken``."""
    _require_staff(actor, booking.bookable)
    with transaction.atomic():
        transition_booking(booking=booking, to=BookingStatus.CHECKED_IN, actor=actor, now=now)
        return queue.join_queue_from_booking(booking=booking, actor=actor, now=now)


def mark_no_show(*, booking: Booking, actor: User, now: datetime) -> None:
    """The person did not come; only once the slot has begun."""
    _require_staff(actor, booking.bookable)
    if now < booking.starts_at:
        raise BookingRefused(_("The appointment has not begun yet."), code="not_begun")
    with transaction.atomic():
        transition_booking(booking=booking, to=BookingStatus.NO_SHOW, actor=actor, now=now)


# --- The waiting list -------------------------------------------------------------------------


def join_waiting_list(
    *,
    service_at_location: ServiceAtLocation,
    day: date,
    name: str,
    phone: str = "",
    email: str = "",
    language: str,
    interpreter_needed: bool = False,
    accessibility_needs: str = "",
    notify_by: str = "",
    actor: User | None = None,
    person: Person | None = None,
    now: datetime,
) -> WaitingListEntry:
    """Wait for a place on ``day`` (the location's date), within the booking horizon. Audit
    ``appointments.waiting.joined`` (contact masked)."""
    bookable, contact = _claimant(
        service_at_location,
        actor=actor,
        name=name,
        phone=phone,
        email=email,
        language=language,
        interpreter_needed=interpreter_needed,
        accessibility_needs=accessibility_needs,
        notify_by=notify_by,
        person=person,
    )
    zone = ZoneInfo(service_at_location.location.time_zone)
    today = now.astimezone(zone).date()
    if not today <= day <= (now + timedelta(days=bookable.book_ahead_days)).astimezone(zone).date():
        raise BookingRefused(_("Choose a day within the booking period."), code="day")
    with transaction.atomic():
        entry = WaitingListEntry.objects.create(
            bookable=bookable, day=day, created_at=now, **contact
        )
        record(
            action="appointments.waiting.joined",
            actor=actor,
            obj=entry,
            unit=service_at_location.service.unit,
            data={"day": day.isoformat()} | _masked_contact(contact),
        )
    return entry


def offer_freed_place(
    *, bookable: BookableService, start: datetime, now: datetime
) -> tuple[Booking, str] | None:
    """Offer a free place of the slot at ``start`` to the first person waiting on its day: an
    ``offered`` booking holding the place until ``offer_hold_minutes`` later (or the slot's
    start, whichever is first). Returns it with the secret for the message, or None when the
    slot is past, full, or nobody waits. Audit ``appointments.booking.offered``."""
    zone = ZoneInfo(bookable.service_at_location.location.time_zone)
    with transaction.atomic():
        slot = slot_at(bookable, start, now=now)
        if slot is None or slot.remaining <= 0:
            return None
        entry = (
            WaitingListEntry.objects.select_for_update(of=("self",))
            .filter(
                bookable=bookable, day=start.astimezone(zone).date(), status=WaitingStatus.WAITING
            )
            .order_by("created_at", "pk")
            .first()
        )
        if entry is None:
            return None
        contact = {name: getattr(entry, name) for name in CONTACT_FIELDS}
        booking, secret = _new_booking(
            bookable,
            contact,
            status=BookingStatus.OFFERED,
            status_changed_at=now,
            created_at=now,
            offer_expires_at=min(now + timedelta(minutes=bookable.offer_hold_minutes), slot.start),
            waiting_entry=entry,
        )
        _claim(booking, slot)
        entry.status = WaitingStatus.OFFERED
        entry.save(update_fields=["status"])
        record(
            action="appointments.booking.offered",
            actor=None,
            obj=booking,
            unit=bookable.service_at_location.service.unit,
            data={
                "starts_at": booking.starts_at.isoformat(),
                "expires_at": str(
                    booking.offer_expires_at and booking.offer_expires_at.isoformat()
                ),
                "waiting_entry": entry.pk,
            },
        )
    return booking, secret


def accept_offer(*, booking: Booking, secret: str, now: datetime) -> None:
    """The person accepts the offered place before it expires (``OfferExpired`` after).
    Audit through ``transition_booking``."""
    with transaction.atomic():
        booking = (
            Booking.objects.select_for_update(of=("self",))
            .select_related("bookable__service_at_location__service__unit")
            .get(pk=booking.pk)
        )
        if not secret_matches(booking, secret):
            raise PermissionDenied
        if booking.status != BookingStatus.OFFERED:
            raise InvalidTransition(_("This place is no longer offered."), code="not_offered")
        if booking.offer_expires_at is not None and now >= booking.offer_expires_at:
            raise OfferExpired
        transition_booking(booking=booking, to=BookingStatus.BOOKED, actor=None, now=now)
        if booking.waiting_entry_id is not None:
            WaitingListEntry.objects.filter(pk=booking.waiting_entry_id).update(
                status=WaitingStatus.BOOKED
            )


def lapse_offer(*, booking: Booking, now: datetime) -> bool:
    """An offer not accepted in time frees its place, which goes to the next person waiting
    after commit. False when it was not due. Audit through ``transition_booking``."""
    with transaction.atomic():
        booking = (
            Booking.objects.select_for_update(of=("self",))
            .select_related("bookable__service_at_location__service__unit")
            .get(pk=booking.pk)
        )
        if booking.status != BookingStatus.OFFERED or (
            booking.offer_expires_at is not None and now < booking.offer_expires_at
        ):
            return False
        transition_booking(booking=booking, to=BookingStatus.LAPSED, actor=None, now=now)
        if booking.waiting_entry_id is not None:
            WaitingListEntry.objects.filter(pk=booking.waiting_entry_id).update(
                status=WaitingStatus.LAPSED
            )
        _offer_on_commit(booking)
    return True


def offers_due_to_lapse(*, now: datetime) -> list[int]:
    return list(
        Booking.objects.filter(status=BookingStatus.OFFERED, offer_expires_at__lte=now).values_list(
            "pk", flat=True
        )
    )


def tell_offer(booking: Booking, secret: str) -> None:
    """Send the offer of a freed place (``place_offered``: the accept link and until when it is
    held) once the offer is committed; the secret lives only in the closure."""

    def send() -> None:
        messages.notify(
            booking,
            message="place_offered",
            context=messages.booking_context(
                booking,
                manage_url=messages.manage_url(booking, secret),
                expires_at=booking.offer_expires_at or booking.starts_at,
            ),
        )

    transaction.on_commit(send, robust=True)


# --- Reminders --------------------------------------------------------------------------------


def _due_for_reminder(booking: Booking, *, now: datetime) -> bool:
    """Whether ``booking`` starts on the day after ``now`` on its location's clock, and that
    clock is within the hours when reminders go out."""
    zone = ZoneInfo(booking.bookable.service_at_location.location.time_zone)
    local_now = now.astimezone(zone)
    if not REMINDER_FROM_HOUR <= local_now.hour < REMINDER_UNTIL_HOUR:
        return False
    return booking.starts_at.astimezone(zone).date() == local_now.date() + timedelta(days=1)


def send_due_reminders(*, now: datetime) -> int:
    """Remind each booked appointment starting the next day (the location's date) once: the
    reference, time and place (``booking_reminder``; the link's secret is not kept, so the
    message points to the confirmation's link). Each booking is claimed by setting
    ``reminded_at`` where it is still empty, so two runs at once never remind it twice; the
    message goes after that commit. Returns how many were claimed. Audit
    ``appointments.message.sent`` (or ``.failed``) per message."""
    # Wide enough for any clock on Earth; the exact day is checked on the location's clock.
    candidates = (
        Booking.objects.filter(
            status=BookingStatus.BOOKED,
            reminded_at__isnull=True,
            starts_at__gt=now,
            starts_at__lte=now + timedelta(hours=72),
        )
        .select_related(
            "bookable__service_at_location__service__unit",
            "bookable__service_at_location__location",
        )
        .order_by("starts_at", "pk")
    )
    claimed = 0
    for booking in candidates:
        if not _due_for_reminder(booking, now=now):
            continue
        with transaction.atomic():
            won = Booking.objects.filter(
                pk=booking.pk, status=BookingStatus.BOOKED, reminded_at__isnull=True
            ).update(reminded_at=now)
            if not won:
                continue
            booking.reminded_at = now
            transaction.on_commit(partial(_remind, booking), robust=True)
        claimed += 1
    return claimed


def _remind(booking: Booking) -> None:
    messages.notify(booking, message="booking_reminder", context=messages.booking_context(booking))
