"""Writes of the waiting room: taking a ticket, joining from a booking, calling the next ticket
to a desk, calling again, serving, the outcome, transferring to another service, and the
messages a ticket holder asked for.

Each write is one transaction, one audit entry (``appointments.ticket.*``) and the
``TicketEvent`` rows of the ticket's life; ``now`` is always passed in. Staff act for the
services of their unit (``Permission.WORK_CASES`` there, or nationwide), as for bookings.

Numbers: a letter per service at the location (``service_letter``: the location's services in
the order they were added) and the location's daily sequence, ``A012``. The sequence is unique
per location and day (a constraint of ``models.Ticket``): the next one is taken inside a
savepoint and retried when someone else took it at the same moment.

Calling: ``call_next`` claims the first ticket of ``queue_queries.calling_order`` with a
conditional update (still waiting → called), so a ticket is never given to two desks. On
PostgreSQL the candidates are locked with ``SELECT … FOR UPDATE SKIP LOCKED`` so that two
officers calling at once each get a different ticket without waiting on each other; on SQLite
write transactions run one after the other (``transaction_mode`` IMMEDIATE) and the conditional
update is the guard.

Messages: a ticket with a phone that asked to be told (``notify_when_near``) gets one SMS when
it is third in line or closer (``notified_near_at``), sent after the commit through
``appointments.notify``. The ticket's link (its secret) is sent by SMS only when reception asks
(``send_ticket_link``) and is kept nowhere.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from django.conf import settings as django_settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from coop4int.accounts.models import User
from coop4int.accounts.roles import Permission
from coop4int.appointments import notify
from coop4int.appointments.domain import queue_queries
from coop4int.appointments.enums import TicketEventKind, TicketStatus
from coop4int.appointments.models import Booking, Ticket, TicketEvent
from coop4int.cases.domain.references import new_tracking_secret
from coop4int.core.audit import mask, record
from coop4int.core.languages import UnknownLanguage, get_language, interface_language_for
from coop4int.directory.models import Location, ServiceAtLocation
from coop4int.people.domain.contacts import normalise_phone
from coop4int.people.models import Person
from coop4int.people.scope import person_in_scope

# A ticket holder who asked is told once they are this far up the line, or closer.
NEAR_POSITION = 3
_SEQUENCE_ATTEMPTS = 20
OUTCOMES = {
    TicketStatus.SERVED: TicketEventKind.SERVED,
    TicketStatus.NO_SHOW: TicketEventKind.NO_SHOW,
    TicketStatus.LEFT: TicketEventKind.LEFT,
}
# The statuses each outcome may follow.
_OUTCOME_FROM = {
    TicketStatus.SERVED: (TicketStatus.SERVING,),
    TicketStatus.NO_SHOW: (TicketStatus.CALLED,),
    TicketStatus.LEFT: (TicketStatus.WAITING, TicketStatus.CALLED),
}


class QueueRefused(ValidationError):
    """The ticket cannot be taken or changed; the message says why, in the user's language."""


# --- Authorising -------------------------------------------------------------------------------


def serves(actor: User, service_at_location: ServiceAtLocation) -> bool:
    """Staff who work cases at the unit of the service (or nationwide)."""
    if Permission.WORK_CASES not in actor.granted_permissions:
        return False
    if actor.is_nationwide:
        return True
    return actor.unit_id is not None and actor.unit_id == service_at_location.service.unit_id


def _require_serves(actor: User, service_at_location: ServiceAtLocation) -> None:
    if not serves(actor, service_at_location):
        raise PermissionDenied


def services_served(actor: User, location: Location) -> list[ServiceAtLocation]:
    """The services at ``location`` that ``actor`` may work the queue of, in letter order."""
    if Permission.WORK_CASES not in actor.granted_permissions:
        return []
    services = ServiceAtLocation.objects.filter(location=location).select_related(
        "service", "location"
    )
    if not actor.is_nationwide:
        if actor.unit_id is None:
            return []
        services = services.filter(service__unit_id=actor.unit_id)
    return list(services.order_by("created_at", "pk"))


def locations_served(actor: User) -> list[Location]:
    """The locations where ``actor`` may work the queue of at least one service."""
    if Permission.WORK_CASES not in actor.granted_permissions:
        return []
    locations = Location.objects.filter(services_at__isnull=False)
    if not actor.is_nationwide:
        if actor.unit_id is None:
            return []
        locations = locations.filter(services_at__service__unit_id=actor.unit_id)
    return list(locations.distinct().order_by("name", "pk"))


# --- Numbers -----------------------------------------------------------------------------------


def _letters(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA, …"""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def service_letter(service_at_location: ServiceAtLocation) -> str:
    """The letter of a service's tickets at its location: the location's services in the order
    they were added, A for the first."""
    ids = list(
        ServiceAtLocation.objects.filter(location_id=service_at_location.location_id)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)
    )
    index = ids.index(service_at_location.pk) if service_at_location.pk in ids else len(ids)
    return _letters(index)


def _insert_numbered(ticket: Ticket, *, number_prefix: str | None) -> None:
    """Save the new ``ticket`` with the location's next sequence of its day (and, with a
    ``number_prefix``, the number it makes). Each attempt is a savepoint; a sequence taken by
    someone else at the same moment is retried with the next one."""
    for _attempt in range(_SEQUENCE_ATTEMPTS):
        last = Ticket.objects.filter(location_id=ticket.location_id, day=ticket.day).aggregate(
            last=Max("sequence")
        )["last"]
        ticket.sequence = (last or 0) + 1
        if number_prefix is not None:
            ticket.number = f"{number_prefix}{ticket.sequence:03d}"
        try:
            with transaction.atomic():
                ticket.save(force_insert=True)
        except IntegrityError:
            ticket.pk = None
            continue
        return
    raise QueueRefused(_("The ticket could not be numbered. Please try again."), code="busy")


def _event(
    ticket: Ticket,
    kind: str,
    *,
    at: datetime,
    actor: User | None,
    desk: str = "",
    data: dict[str, Any] | None = None,
) -> None:
    TicketEvent.objects.create(
        ticket=ticket, kind=kind, at=at, desk=desk, actor=actor, data=data or {}
    )


def _unit_of(ticket: Ticket) -> Any:
    return ticket.service_at_location.service.unit


# --- Taking a ticket ---------------------------------------------------------------------------


def _checked_phone(phone: str) -> str:
    if not phone.strip():
        return ""
    try:
        return normalise_phone(phone)
    except ValidationError as error:
        raise QueueRefused(error.messages[0], code="phone") from error


def _new_ticket(
    *,
    service_at_location: ServiceAtLocation,
    language: str,
    now: datetime,
    number_prefix: str | None,
    **values: Any,
) -> tuple[Ticket, str]:
    secret, digest = new_tracking_secret()
    location = service_at_location.location
    ticket = Ticket(
        location=location,
        service_at_location=service_at_location,
        day=queue_queries.location_today(location, now),
        language=language,
        secret_digest=digest,
        status=TicketStatus.WAITING,
        **values,
    )
    _insert_numbered(ticket, number_prefix=number_prefix)
    return ticket, secret


def take_ticket(
    *,
    service_at_location: ServiceAtLocation,
    language: str,
    priority: str = "",
    phone: str = "",
    notify_when_near: bool = False,
    person: Person | None = None,
    actor: User,
    now: datetime,
) -> tuple[Ticket, str]:
    """A walk-in's ticket for a service at a location, taken at reception. Returns the ticket
    and the secret of its link (shown once, never stored). ``priority`` must be one the location
    honours; ``notify_when_near`` needs a phone. With a phone, the ticket's link goes to it by
    SMS after the commit. Audit ``appointments.ticket.taken`` (the phone masked); event
    ``created``."""
    _require_serves(actor, service_at_location)
    try:
        language = get_language(language).code
    except UnknownLanguage as error:
        message = _("Please choose a language from the list.")
        raise QueueRefused(message, code="language") from error
    location = service_at_location.location
    queue_settings = queue_queries.queue_settings_for(location)
    if priority and priority not in (queue_settings.priority_reasons or []):
        raise QueueRefused(_("This priority is not one this unit gives."), code="priority")
    phone = _checked_phone(phone)
    if notify_when_near and not phone:
        raise QueueRefused(
            _("Give a phone number to send a message when the turn is near."), code="phone"
        )
    if person is not None and not person_in_scope(actor, person):
        raise PermissionDenied
    with transaction.atomic():
        ticket, secret = _new_ticket(
            service_at_location=service_at_location,
            language=language,
            now=now,
            number_prefix=service_letter(service_at_location),
            priority=priority,
            phone=phone,
            notify_when_near=notify_when_near,
            person=person,
            created_at=now,
        )
        _event(ticket, TicketEventKind.CREATED, at=now, actor=actor)
        record(
            action="appointments.ticket.taken",
            actor=actor,
            obj=ticket,
            unit=service_at_location.service.unit,
            data={
                "number": ticket.number,
                "service_at_location": str(service_at_location.pk),
                "language": language,
                "priority": priority,
                "phone": mask(phone),
                "notify_when_near": notify_when_near,
                "person_linked": person is not None,
                "link_sent": bool(phone),
            },
        )
        if phone:
            _send_on_commit(
                ticket,
                TicketRecipient(phone=phone, language=language),
                "ticket_link",
                _message_context(ticket, url=ticket_url(ticket, secret)),
            )
    return ticket, secret


def join_queue_from_booking(*, booking: Booking, actor: User, now: datetime) -> tuple[Ticket, str]:
    """A booked person who checked in joins the queue of the booked service, to be called
    first once their time (``due_at``, the booking's start) has come — before it, they wait as a
    walk-in would. Called by ``booking.check_in`` inside its transaction. Returns the ticket
    and its link's secret. Audit ``appointments.ticket.taken``; event ``created``."""
    service_at_location = booking.bookable.service_at_location
    _require_serves(actor, service_at_location)
    with transaction.atomic():
        ticket, secret = _new_ticket(
            service_at_location=service_at_location,
            language=booking.language,
            now=now,
            number_prefix=service_letter(service_at_location),
            booking=booking,
            due_at=booking.starts_at,
            person=booking.person,
            case=booking.case,
            created_at=now,
        )
        _event(ticket, TicketEventKind.CREATED, at=now, actor=actor, data={"booking": booking.pk})
        record(
            action="appointments.ticket.taken",
            actor=actor,
            obj=ticket,
            unit=service_at_location.service.unit,
            data={
                "number": ticket.number,
                "service_at_location": str(service_at_location.pk),
                "language": ticket.language,
                "booking": booking.reference,
                "due_at": booking.starts_at.isoformat(),
            },
        )
    return ticket, secret


# --- Calling -----------------------------------------------------------------------------------


def _desk_label(desk: str) -> str:
    label = " ".join(desk.split())
    if not label:
        raise QueueRefused(_("Say which desk you are at."), code="desk")
    if len(label) > 32:
        raise QueueRefused(_("A desk's name has at most 32 characters."), code="desk")
    return label


def _services_at(
    location: Location, service_ids: Iterable[UUID | str], actor: User
) -> list[ServiceAtLocation]:
    wanted = {str(pk) for pk in service_ids}
    services = list(
        ServiceAtLocation.objects.filter(location=location, pk__in=list(wanted)).select_related(
            "service", "location"
        )
    )
    if not wanted or len(services) != len(wanted):
        raise QueueRefused(_("Choose the services you call for."), code="services")
    for service_at_location in services:
        _require_serves(actor, service_at_location)
    return services


def call_next(
    *,
    location: Location,
    service_ids: Sequence[UUID | str],
    desk: str,
    actor: User,
    now: datetime,
) -> Ticket | None:
    """Call the next waiting ticket of ``service_ids`` (services at ``location``) to ``desk``;
    None when nobody waits. Never gives one ticket to two desks (module description). Tickets
    that come third in line are told, once, after the commit. Audit
    ``appointments.ticket.called``; event ``called``."""
    desk = _desk_label(desk)
    services = _services_at(location, service_ids, actor)
    ids = [service.pk for service in services]
    queue_settings = queue_queries.queue_settings_for(location)
    skip_locked = connection.features.has_select_for_update_skip_locked
    with transaction.atomic():
        waiting = queue_queries.waiting_tickets(location, now=now, service_ids=ids)
        for ticket in queue_queries.sort_for_calling(waiting, settings=queue_settings, now=now):
            if skip_locked:
                # Lock only this ticket; one another officer is calling is passed over.
                free = list(
                    Ticket.objects.select_for_update(skip_locked=True, of=("self",))
                    .filter(pk=ticket.pk, status=TicketStatus.WAITING)
                    .values_list("pk", flat=True)
                )
                if not free:
                    continue
            claimed = Ticket.objects.filter(pk=ticket.pk, status=TicketStatus.WAITING).update(
                status=TicketStatus.CALLED,
                called_at=now,
                call_count=ticket.call_count + 1,
                desk=desk,
                called_by=actor,
            )
            if not claimed:
                continue
            ticket.refresh_from_db()
            _event(ticket, TicketEventKind.CALLED, at=now, actor=actor, desk=desk)
            record(
                action="appointments.ticket.called",
                actor=actor,
                obj=ticket,
                unit=_unit_of(ticket),
                data={"number": ticket.number, "desk": desk, "waited_seconds": _waited(ticket)},
            )
            _tell_near(location, service_ids=[ticket.service_at_location_id], now=now)
            return ticket
    return None


def _waited(ticket: Ticket) -> int:
    if ticket.called_at is None:
        return 0
    return max(0, int((ticket.called_at - ticket.created_at).total_seconds()))


def _locked(ticket: Ticket) -> Ticket:
    return (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("location", "service_at_location__service__unit")
        .get(pk=ticket.pk)
    )


def _refuse_status(ticket: Ticket) -> QueueRefused:
    return QueueRefused(
        _("Ticket %(number)s is “%(status)s”: this cannot be done now.")
        % {"number": ticket.number, "status": TicketStatus(ticket.status).label},
        code="status",
    )


def recall(*, ticket: Ticket, actor: User, now: datetime) -> Ticket:
    """Call a called ticket again (to the same desk): a new call, and the last call is the one
    its waiting time counts to. Audit ``appointments.ticket.recalled``; event ``recalled``."""
    _require_serves(actor, ticket.service_at_location)
    with transaction.atomic():
        ticket = _locked(ticket)
        if ticket.status != TicketStatus.CALLED:
            raise _refuse_status(ticket)
        ticket.called_at = now
        ticket.call_count += 1
        ticket.called_by = actor
        ticket.save(update_fields=["called_at", "call_count", "called_by"])
        _event(ticket, TicketEventKind.RECALLED, at=now, actor=actor, desk=ticket.desk)
        record(
            action="appointments.ticket.recalled",
            actor=actor,
            obj=ticket,
            unit=_unit_of(ticket),
            data={"number": ticket.number, "desk": ticket.desk, "calls": ticket.call_count},
        )
    return ticket


def start_serving(*, ticket: Ticket, actor: User, now: datetime) -> Ticket:
    """The person called came to the desk. Audit ``appointments.ticket.serving``; event
    ``serving``."""
    _require_serves(actor, ticket.service_at_location)
    with transaction.atomic():
        ticket = _locked(ticket)
        if ticket.status != TicketStatus.CALLED:
            raise _refuse_status(ticket)
        ticket.status = TicketStatus.SERVING
        ticket.served_from = now
        ticket.save(update_fields=["status", "served_from"])
        _event(ticket, TicketEventKind.SERVING, at=now, actor=actor, desk=ticket.desk)
        record(
            action="appointments.ticket.serving",
            actor=actor,
            obj=ticket,
            unit=_unit_of(ticket),
            data={"number": ticket.number, "desk": ticket.desk},
        )
    return ticket


def finish(*, ticket: Ticket, outcome: str, actor: User, now: datetime) -> Ticket:
    """The ticket's outcome: ``served`` (after being served), ``no_show`` (called, did not
    answer) or ``left`` (left before being served, waiting or called). Audit
    ``appointments.ticket.finished``; event of the outcome."""
    _require_serves(actor, ticket.service_at_location)
    if outcome not in OUTCOMES:
        raise QueueRefused(_("Choose how the visit ended."), code="outcome")
    with transaction.atomic():
        ticket = _locked(ticket)
        before = ticket.status
        if before not in _OUTCOME_FROM[TicketStatus(outcome)]:
            raise _refuse_status(ticket)
        ticket.status = outcome
        ticket.finished_at = now
        if outcome == TicketStatus.SERVED:
            ticket.served_until = now
        ticket.save(update_fields=["status", "finished_at", "served_until"])
        _event(ticket, OUTCOMES[TicketStatus(outcome)], at=now, actor=actor, desk=ticket.desk)
        record(
            action="appointments.ticket.finished",
            actor=actor,
            obj=ticket,
            unit=_unit_of(ticket),
            data={"number": ticket.number, "outcome": outcome, "from": before},
        )
        if before == TicketStatus.WAITING:
            _tell_near(ticket.location, service_ids=[ticket.service_at_location_id], now=now)
    return ticket


def transfer(*, ticket: Ticket, to: ServiceAtLocation, actor: User, now: datetime) -> Ticket:
    """Send a called or served ticket to another service at the same location: it ends
    ``transferred`` and a new ticket with the same number (and the same link's secret) waits
    for ``to``, keeping its arrival time — and so its place in line — with ``transferred_from``
    set. Audit ``appointments.ticket.transferred``; events ``transferred`` and ``created``."""
    _require_serves(actor, ticket.service_at_location)
    _require_serves(actor, to)
    with transaction.atomic():
        ticket = _locked(ticket)
        if ticket.status not in (TicketStatus.CALLED, TicketStatus.SERVING):
            raise _refuse_status(ticket)
        if to.location_id != ticket.location_id or to.pk == ticket.service_at_location_id:
            raise QueueRefused(_("Choose another service at the same place."), code="transfer_to")
        if ticket.status == TicketStatus.SERVING:
            ticket.served_until = now
        ticket.status = TicketStatus.TRANSFERRED
        ticket.finished_at = now
        ticket.save(update_fields=["status", "finished_at", "served_until"])
        successor = Ticket(
            location_id=ticket.location_id,
            service_at_location=to,
            day=ticket.day,
            number=ticket.number,
            language=ticket.language,
            priority=ticket.priority,
            due_at=ticket.due_at,
            transferred_from=ticket,
            phone=ticket.phone,
            notify_when_near=ticket.notify_when_near,
            person=ticket.person,
            case=ticket.case,
            secret_digest=ticket.secret_digest,
            status=TicketStatus.WAITING,
            created_at=ticket.created_at,
        )
        _insert_numbered(successor, number_prefix=None)
        _event(
            ticket,
            TicketEventKind.TRANSFERRED,
            at=now,
            actor=actor,
            desk=ticket.desk,
            data={"to": str(to.pk), "ticket": successor.pk},
        )
        _event(successor, TicketEventKind.CREATED, at=now, actor=actor, data={"from": ticket.pk})
        record(
            action="appointments.ticket.transferred",
            actor=actor,
            obj=ticket,
            unit=_unit_of(ticket),
            data={
                "number": ticket.number,
                "from_service": str(ticket.service_at_location_id),
                "to_service": str(to.pk),
                "ticket": successor.pk,
            },
        )
        _tell_near(ticket.location, service_ids=[to.pk], now=now)
    return successor


# --- Messages ----------------------------------------------------------------------------------


@dataclass
class TicketRecipient:
    """Who ``appointments.notify`` writes to about a ticket: its phone, by SMS, in its
    language; no name is held."""

    phone: str
    language: str
    name: str = ""
    email: str = ""
    notify_by: str = "sms"


def ticket_url(ticket: Ticket, secret: str) -> str:
    """The ticket's public page, in its language when the interface speaks it."""
    language = interface_language_for(ticket.language)
    with translation.override(language):
        path = reverse("portal:queue_ticket", kwargs={"ticket_id": ticket.pk, "secret": secret})
    return str(django_settings.PUBLIC_URL).rstrip("/") + path


def _message_context(ticket: Ticket, **extra: Any) -> dict[str, Any]:
    location = ticket.location
    return {
        "number": ticket.number,
        "service": ticket.service_at_location.service.name,
        "location": location.name,
        "time_zone": location.time_zone,
        **extra,
    }


def _send_on_commit(
    ticket: Ticket, recipient: TicketRecipient, message: str, context: dict[str, Any]
) -> None:
    def send() -> None:
        notify.notify(recipient, message=message, context=context, about=ticket)

    transaction.on_commit(send)


def tell_near(location: Location, *, service_ids: Sequence[UUID | str], now: datetime) -> int:
    """Tell, once, the waiting tickets of these services that asked (``notify_when_near``
    with a phone) and are now third in line or closer: ``notified_near_at`` is set by a
    conditional update, so two calls at once never tell anyone twice; the SMS goes after the
    commit. Returns how many were told."""
    told = 0
    with transaction.atomic():
        order = queue_queries.calling_order(location, now=now, service_ids=service_ids)
        for position, ticket in enumerate(order[:NEAR_POSITION], start=1):
            if not ticket.notify_when_near or not ticket.phone or ticket.notified_near_at:
                continue
            claimed = Ticket.objects.filter(
                pk=ticket.pk, status=TicketStatus.WAITING, notified_near_at__isnull=True
            ).update(notified_near_at=now)
            if not claimed:
                continue
            told += 1
            ticket.location = location
            _send_on_commit(
                ticket,
                TicketRecipient(phone=ticket.phone, language=ticket.language),
                "ticket_near",
                _message_context(ticket, position=position),
            )
    return told


def _tell_near(location: Location, *, service_ids: Sequence[UUID | str], now: datetime) -> None:
    """``tell_near`` once the caller's transaction has committed, in a transaction of its own
    (so that a call never waits on the rows another call holds)."""
    ids = list(service_ids)
    transaction.on_commit(lambda: tell_near(location, service_ids=ids, now=now))


def ask_to_be_told_when_near(*, ticket: Ticket, phone: str, now: datetime) -> Ticket:
    """The ticket holder (through the ticket's page) asks for an SMS when they are third in
    line; told at once when they already are. Audit ``appointments.ticket.notify_requested``
    (the phone masked)."""
    phone = _checked_phone(phone)
    if not phone:
        raise QueueRefused(_("Please give a phone number."), code="phone")
    with transaction.atomic():
        ticket = _locked(ticket)
        if ticket.status != TicketStatus.WAITING:
            raise _refuse_status(ticket)
        ticket.phone = phone
        ticket.notify_when_near = True
        ticket.notified_near_at = None
        ticket.save(update_fields=["phone", "notify_when_near", "notified_near_at"])
        record(
            action="appointments.ticket.notify_requested",
            actor=None,
            obj=ticket,
            unit=_unit_of(ticket),
            data={"number": ticket.number, "phone": mask(phone)},
        )
        _tell_near(ticket.location, service_ids=[ticket.service_at_location_id], now=now)
    return ticket


def send_ticket_link(*, ticket: Ticket, secret: str, phone: str, actor: User | None = None) -> None:
    """Send the ticket's link by SMS to ``phone`` (after the commit; the secret is kept
    nowhere). The phone is kept on the ticket for the day. Audit
    ``appointments.ticket.link_sent`` (the phone masked)."""
    if actor is not None:
        _require_serves(actor, ticket.service_at_location)
    phone = _checked_phone(phone)
    if not phone:
        raise QueueRefused(_("Please give a phone number."), code="phone")
    with transaction.atomic():
        ticket = _locked(ticket)
        if not ticket.phone:
            ticket.phone = phone
            ticket.save(update_fields=["phone"])
        record(
            action="appointments.ticket.link_sent",
            actor=actor,
            obj=ticket,
            unit=_unit_of(ticket),
            data={"number": ticket.number, "to": mask(phone)},
        )
        _send_on_commit(
            ticket,
            TicketRecipient(phone=phone, language=ticket.language),
            "ticket_link",
            _message_context(ticket, url=ticket_url(ticket, secret)),
        )
