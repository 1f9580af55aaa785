"""When a bookable service has slots, and how many places each has left.

Slots are cut from the service's open intervals at its location — the directory's hours
engine (``directory.hours.open_intervals``) with its rules, public holidays and closures —
from the start of each interval, one slot length after another, as long as a whole slot fits
before the interval ends. A slot has ``places`` places, and when staff are named for the
service, no more than the number of them not absent at any moment of the slot. A slot's
remaining places are its places less the bookings holding one (an offer from the waiting list
holds its place until it is accepted or lapses), never below zero.

The number of queries does not grow with the period asked for: the calendar's rows, the
staff and their absences, and the bookings are each read once for the whole period.
"""

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from coop4int.appointments.enums import HOLDING
from coop4int.appointments.models import BookableService, Booking, StaffAbsence
from coop4int.directory import hours
from coop4int.directory.domain.calendars import calendar_for
from coop4int.directory.models import ServiceAtLocation


@dataclass(frozen=True, slots=True)
class FreeSlot:
    """A slot with places left; ``start`` and ``end`` in the location's time zone."""

    start: datetime
    end: datetime
    remaining: int


@dataclass(frozen=True, slots=True)
class Slot:
    """A slot of the service's hours with its places (``capacity``) and those held
    (``taken``); ``start`` and ``end`` in the location's time zone."""

    start: datetime
    end: datetime
    capacity: int
    taken: int

    @property
    def remaining(self) -> int:
        return max(0, self.capacity - self.taken)


def bookable_for(service_at_location: ServiceAtLocation) -> BookableService | None:
    """The booking settings of ``service_at_location``, when it is bookable."""
    return (
        BookableService.objects.filter(service_at_location=service_at_location, active=True)
        .select_related("service_at_location__service", "service_at_location__location")
        .first()
    )


def cut_slots(intervals: Iterable[hours.Interval], length: timedelta) -> list[hours.Interval]:
    """Whole slots of ``length`` from the start of each open interval."""
    slots: list[hours.Interval] = []
    for opens, closes in intervals:
        start = opens
        while start + length <= closes:
            slots.append((start, start + length))
            start += length
    return slots


def capacity_of(
    places: int,
    staff_ids: Sequence[int],
    absences: Sequence[tuple[int, datetime, datetime]],
    start: datetime,
    end: datetime,
) -> int:
    """``places``, or fewer when fewer of the named staff are present for the whole slot."""
    if not staff_ids:
        return places
    away = {staff for staff, lo, hi in absences if lo < end and hi > start}
    present = sum(1 for staff in staff_ids if staff not in away)
    return min(places, present)


def _local_day_bounds(zone: ZoneInfo, first: date, last: date) -> tuple[datetime, datetime]:
    start = datetime.combine(first, time(0), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    return start, end


def slots_between(
    bookable: BookableService, *, start_date: date, end_date: date, now: datetime
) -> list[Slot]:
    """Every slot that may be booked at ``now`` with a local date from ``start_date`` to
    ``end_date``: starting after ``now`` and before the booking horizon. Full ones included."""
    sal = bookable.service_at_location
    zone = ZoneInfo(sal.location.time_zone)
    horizon = now + timedelta(days=bookable.book_ahead_days)
    first, last = _local_day_bounds(zone, start_date, end_date)
    first, last = max(first, now.astimezone(UTC)), min(last, horizon.astimezone(UTC))
    if last <= first:
        return []
    calendar = calendar_for(sal, start_date, end_date)
    # Cut from the whole local days, so that the slots keep their places whatever ``now`` is;
    # then drop those already begun or beyond the horizon.
    day_start, day_end = _local_day_bounds(zone, start_date, end_date)
    length = timedelta(minutes=bookable.slot_minutes)
    cut = [
        (lo, hi)
        for lo, hi in cut_slots(hours.open_intervals(calendar, day_start, day_end), length)
        if first <= lo < last
    ]
    if not cut:
        return []
    staff_ids = list(bookable.staff.values_list("pk", flat=True))
    absences: list[tuple[int, datetime, datetime]] = []
    if staff_ids:
        absences = list(
            StaffAbsence.objects.filter(
                staff_id__in=staff_ids, starts_at__lt=cut[-1][1], ends_at__gt=cut[0][0]
            ).values_list("staff_id", "starts_at", "ends_at")
        )
    taken = Counter(
        Booking.objects.filter(
            bookable=bookable,
            starts_at__gte=cut[0][0],
            starts_at__lte=cut[-1][0],
            status__in=HOLDING,
        ).values_list("starts_at", flat=True)
    )
    return plan_slots(cut, zone, bookable.places, staff_ids, absences, taken)


def plan_slots(
    cut: Sequence[hours.Interval],
    zone: ZoneInfo,
    places: int,
    staff_ids: Sequence[int],
    absences: Sequence[tuple[int, datetime, datetime]],
    taken: Mapping[datetime, int],
) -> list[Slot]:
    """The slots ``cut`` with their places (pure: what ``slots_between`` read is passed in)."""
    return [
        Slot(
            start=lo.astimezone(zone),
            end=hi.astimezone(zone),
            capacity=capacity_of(places, staff_ids, absences, lo, hi),
            taken=taken.get(lo, 0),
        )
        for lo, hi in cut
    ]


def free_slots(
    *, service_at_location: ServiceAtLocation, start_date: date, end_date: date, now: datetime
) -> list[FreeSlot]:
    """The slots with a place left, from ``start_date`` to ``end_date`` (local dates), in the
    location's time zone; none when the service is not bookable."""
    bookable = bookable_for(service_at_location)
    if bookable is None:
        return []
    return [
        FreeSlot(start=slot.start, end=slot.end, remaining=slot.remaining)
        for slot in slots_between(bookable, start_date=start_date, end_date=end_date, now=now)
        if slot.remaining > 0
    ]


def slot_at(bookable: BookableService, start: datetime, *, now: datetime) -> Slot | None:
    """The bookable slot starting exactly at ``start``, if there is one at ``now``."""
    zone = ZoneInfo(bookable.service_at_location.location.time_zone)
    day = start.astimezone(zone).date()
    for slot in slots_between(bookable, start_date=day, end_date=day, now=now):
        if slot.start == start:
            return slot
    return None
