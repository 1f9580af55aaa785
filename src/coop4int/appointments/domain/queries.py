"""Reads of the appointments app for staff: which bookings a user may work, a unit's day sheet,
one booking fetched and authorised in one call, its history, and the appointments and visits
on a person's or a case's timeline.

A booking belongs to the unit of its service; staff who work cases (``Permission.WORK_CASES``)
at that unit, and nationwide staff, may work it — the rule of ``domain/booking.py``
(``_serves``), written here once more as a query. A booking's contact is the person's claim;
the record of a person linked to it is shown only within ``people.scope``.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet
from django.http import Http404

from coop4int.accounts.models import Unit, User
from coop4int.accounts.roles import Permission
from coop4int.appointments.enums import BookingStatus, WaitingStatus
from coop4int.appointments.models import BookableService, Booking, Ticket, WaitingListEntry
from coop4int.cases.domain.references import normalise_reference
from coop4int.cases.models import Case
from coop4int.core import audit
from coop4int.core.models import AuditEntry
from coop4int.people.enums import ContactKind
from coop4int.people.models import Person
from coop4int.people.scope import people_in_reach, person_in_scope

# What a person's or a case's timeline shows at most of each kind, newest first.
TIMELINE_LIMIT = 50


def _works_bookings(user: User) -> bool:
    return (
        getattr(user, "is_authenticated", False)
        and Permission.WORK_CASES in user.granted_permissions
    )


def serves(user: User, bookable: BookableService) -> bool:
    """``user`` may work the bookings of ``bookable`` (as ``bookings_for_user``)."""
    if not _works_bookings(user):
        return False
    if user.is_nationwide:
        return True
    return user.unit_id is not None and user.unit_id == bookable.service_at_location.service.unit_id


def bookings_for_user(user: User) -> QuerySet[Booking]:
    """Every booking ``user`` may work: those of their unit's services, or all for
    nationwide staff."""
    if not _works_bookings(user):
        return Booking.objects.none()
    if user.is_nationwide:
        return Booking.objects.all()
    if user.unit_id is None:
        return Booking.objects.none()
    return Booking.objects.filter(bookable__service_at_location__service__unit_id=user.unit_id)


def day_sheet_units(user: User) -> QuerySet[Unit]:
    """The units whose day sheet ``user`` may open: their own, or for nationwide staff every
    unit with a bookable service."""
    if not _works_bookings(user):
        return Unit.objects.none()
    if user.is_nationwide:
        with_bookables = BookableService.objects.values("service_at_location__service__unit_id")
        return Unit.objects.filter(pk__in=with_bookables).order_by("name")
    return Unit.objects.filter(pk=user.unit_id) if user.unit_id else Unit.objects.none()


def bookables_of(unit: Unit, *, active_only: bool = False) -> list[BookableService]:
    """The bookable services of ``unit``, by service and location name."""
    found = BookableService.objects.filter(service_at_location__service__unit=unit)
    if active_only:
        found = found.filter(active=True)
    return list(
        found.select_related(
            "service_at_location__service", "service_at_location__location"
        ).order_by("service_at_location__service__name", "service_at_location__location__name")
    )


def bookables_for_user(user: User) -> QuerySet[BookableService]:
    """The active bookable services ``user`` may book for someone."""
    found = BookableService.objects.filter(active=True).select_related(
        "service_at_location__service__unit", "service_at_location__location"
    )
    if not _works_bookings(user):
        return found.none()
    if not user.is_nationwide:
        if user.unit_id is None:
            return found.none()
        found = found.filter(service_at_location__service__unit_id=user.unit_id)
    return found.order_by(
        "service_at_location__service__name", "service_at_location__location__name"
    )


def local_day_bounds(zone: ZoneInfo, day: date) -> tuple[datetime, datetime]:
    """The instants (UTC) a local ``day`` in ``zone`` begins and ends."""
    start = datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    return start, end


@dataclass(frozen=True, slots=True)
class ServiceDay:
    """One bookable service's day: its bookings in time order and who waits for a place."""

    bookable: BookableService
    bookings: list[Booking]
    waiting: list[WaitingListEntry]


@dataclass(frozen=True, slots=True)
class DaySheet:
    """A unit's day: each bookable service's bookings and waiting list, how many bookings
    are in each status, and which linked records the reader may open (``people_shown``)."""

    unit: Unit
    day: date
    services: list[ServiceDay]
    counts: dict[str, int]
    people_shown: frozenset[UUID] = field(default_factory=frozenset)

    @property
    def total(self) -> int:
        """Bookings of the day that are not cancelled or lapsed offers: the denominator of
        the no-show count."""
        return sum(
            count
            for status, count in self.counts.items()
            if status not in (BookingStatus.CANCELLED, BookingStatus.LAPSED)
        )


def day_sheet(user: User, unit: Unit, day: date | None, *, now: datetime) -> DaySheet:
    """``unit``'s bookings and waiting lists on ``day`` (each service's location's date; by
    default the date at ``now`` where its first service is, else at the unit). A constant
    number of queries whatever the number of services and bookings. The caller checked that
    ``unit`` is one of ``day_sheet_units(user)``."""
    bookables = bookables_of(unit)
    if day is None:
        zone = bookables[0].service_at_location.location.time_zone if bookables else unit.time_zone
        day = now.astimezone(ZoneInfo(zone)).date()
    if not bookables:
        return DaySheet(unit=unit, day=day, services=[], counts={})
    by_zone: dict[str, list[int]] = {}
    for bookable in bookables:
        by_zone.setdefault(bookable.service_at_location.location.time_zone, []).append(bookable.pk)
    within = Q(pk__in=[])
    for zone, ids in by_zone.items():
        start, end = local_day_bounds(ZoneInfo(zone), day)
        within |= Q(bookable_id__in=ids, starts_at__gte=start, starts_at__lt=end)
    bookings = list(
        bookings_for_user(user)
        .filter(within)
        .exclude(status=BookingStatus.LAPSED)
        .select_related("person", "case")
        .order_by("starts_at", "place_number", "pk")
    )
    waiting = list(
        WaitingListEntry.objects.filter(
            bookable_id__in=[b.pk for b in bookables],
            day=day,
            status__in=[WaitingStatus.WAITING, WaitingStatus.OFFERED],
        )
        .select_related("person")
        .order_by("created_at", "pk")
    )
    linked = {row.person_id for row in [*bookings, *waiting] if row.person_id is not None}
    shown = (
        frozenset(people_in_reach(user).filter(pk__in=linked).values_list("pk", flat=True))
        if linked
        else frozenset()
    )
    services = [
        ServiceDay(
            bookable=bookable,
            bookings=[b for b in bookings if b.bookable_id == bookable.pk],
            waiting=[w for w in waiting if w.bookable_id == bookable.pk],
        )
        for bookable in bookables
    ]
    counts = dict(Counter(str(b.status) for b in bookings))
    return DaySheet(unit=unit, day=day, services=services, counts=counts, people_shown=shown)


def get_booking_for_user(user: User, reference: str, *, reading: bool = True) -> Booking:
    """The booking, 404 both when it does not exist and when ``user`` may not work it, so
    that a reference's existence does not leak. ``reading``: the page shows it — audited as
    ``appointments.booking.viewed`` (the contact is personal data), and the linked person's
    record as ``people.person.viewed`` when ``user`` may open it."""
    normalised = normalise_reference(reference)
    booking = (
        bookings_for_user(user)
        .select_related(
            "bookable__service_at_location__service__unit",
            "bookable__service_at_location__location",
            "person",
            "case",
            "booked_by",
        )
        .filter(reference=normalised)
        .first()
        if normalised
        else None
    )
    if booking is None:
        raise Http404
    if reading:
        unit = booking.bookable.service_at_location.service.unit
        audit.record(action="appointments.booking.viewed", actor=user, obj=booking, unit=unit)
        if booking.person is not None and person_in_scope(user, booking.person):
            audit.record(action="people.person.viewed", actor=user, obj=booking.person, unit=unit)
    return booking


def booking_history(booking: Booking) -> QuerySet[AuditEntry]:
    """What was done to the booking, oldest first: the audit entries ``appointments.booking.*``
    of it, reads left out."""
    return (
        AuditEntry.objects.filter(
            object_type=ContentType.objects.get_for_model(Booking),
            object_id=str(booking.pk),
            action__startswith="appointments.booking.",
        )
        .exclude(action="appointments.booking.viewed")
        .select_related("actor")
        .order_by("created_at", "pk")
    )


def appointments_of_person(user: User, person: Person) -> list[Booking]:
    """The bookings ``user`` may work that are linked to ``person`` or were made with one of
    their phone numbers or e-mail addresses, newest first. The caller checked that ``user``
    may open ``person``; their contact points are read from ``person.contacts`` (prefetched
    by ``get_person_for_user``)."""
    contacts = list(person.contacts.all())
    phones = [c.value for c in contacts if c.kind == ContactKind.PHONE]
    emails = [c.value for c in contacts if c.kind == ContactKind.EMAIL]
    matches = Q(person=person)
    if phones:
        matches |= Q(phone__in=phones)
    if emails:
        matches |= Q(email__in=emails)
    return list(
        bookings_for_user(user)
        .filter(matches)
        .exclude(status=BookingStatus.LAPSED)
        .select_related(
            "bookable__service_at_location__service",
            "bookable__service_at_location__location",
            "case",
        )
        .order_by("-starts_at", "-pk")[:TIMELINE_LIMIT]
    )


def tickets_for_user(user: User) -> QuerySet[Ticket]:
    """The waiting-room tickets of the services ``user`` may work (as ``bookings_for_user``)."""
    if not _works_bookings(user):
        return Ticket.objects.none()
    if user.is_nationwide:
        return Ticket.objects.all()
    if user.unit_id is None:
        return Ticket.objects.none()
    return Ticket.objects.filter(service_at_location__service__unit_id=user.unit_id)


def visits_of_person(user: User, person: Person) -> list[Ticket]:
    """The person's visits to the waiting room (tickets linked to them) ``user`` may see,
    newest first."""
    return list(
        tickets_for_user(user)
        .filter(person=person)
        .select_related("service_at_location__service", "service_at_location__location", "case")
        .order_by("-created_at", "-pk")[:TIMELINE_LIMIT]
    )


def appointments_of_case(user: User, case: Case) -> list[Booking]:
    """The bookings linked to ``case`` that ``user`` may work, newest first."""
    return list(
        bookings_for_user(user)
        .filter(case=case)
        .select_related(
            "bookable__service_at_location__service", "bookable__service_at_location__location"
        )
        .order_by("-starts_at", "-pk")[:TIMELINE_LIMIT]
    )


def visits_of_case(user: User, case: Case) -> list[Ticket]:
    """The tickets linked to ``case`` that ``user`` may see, newest first."""
    return list(
        tickets_for_user(user)
        .filter(case=case)
        .select_related("service_at_location__service", "service_at_location__location")
        .order_by("-created_at", "-pk")[:TIMELINE_LIMIT]
    )
