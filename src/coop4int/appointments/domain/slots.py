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
``free_slots_of_unit`` answers for every bookable service of a unit at once in a fixed handful
of queries (plus one per location for its municipal holidays), working out the open intervals
and their slots once for the services that share them.
"""

from collections import Counter, OrderedDict, defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from itertools import repeat
from threading import Lock
from uuid import UUID
from zoneinfo import ZoneInfo

from django.db import connections
from django.db.models import BigIntegerField, Count, F, Func, Q
from django.utils import timezone

from coop4int.accounts.models import Unit
from coop4int.appointments.enums import HOLDING
from coop4int.appointments.models import BookableService, Booking, StaffAbsence
from coop4int.directory import hours
from coop4int.directory.domain.calendars import calendar_for, pick_schedules, rules_from
from coop4int.directory.models import Closure, Location, Schedule, ServiceAtLocation
from coop4int.directory.public_holidays import holidays_between


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


def free_slots_of_unit(
    *, unit: Unit, start_date: date, end_date: date, now: datetime
) -> dict[ServiceAtLocation, list[FreeSlot]]:
    """``free_slots`` of every bookable service of ``unit``, keyed by its service at a
    location (with its service and location loaded), in the order of the services' names.

    The same answer as asking ``free_slots`` for each, from a fixed number of queries whatever
    the number of services: the bookable services, their staff, the absences, the schedule
    rows, the closures, the places held (counted per slot by the database) and one per location
    for its municipal holidays. Services whose calendars are alike (the same location, rows and
    closures) have their open intervals worked out once, and their slots cut once per length."""
    bookables = list(
        BookableService.objects.filter(service_at_location__service__unit=unit, active=True)
        .select_related("service_at_location__service", "service_at_location__location")
        .order_by("service_at_location__service__name", "service_at_location__pk")
    )
    if not bookables:
        return {}
    sals = [bookable.service_at_location for bookable in bookables]
    sal_ids = {sal.pk for sal in sals}
    service_ids = {sal.service_id for sal in sals}
    location_ids = {sal.location_id for sal in sals}

    # The window of each service, as in ``slots_between``.
    windows: dict[int, tuple[datetime, datetime, datetime, datetime]] = {}
    for bookable in bookables:
        zone = ZoneInfo(bookable.service_at_location.location.time_zone)
        horizon = now + timedelta(days=bookable.book_ahead_days)
        day_start, day_end = _local_day_bounds(zone, start_date, end_date)
        first = max(day_start, now.astimezone(UTC))
        last = min(day_end, horizon.astimezone(UTC))
        if first < last:
            windows[bookable.pk] = (first, last, day_start, day_end)
    result: dict[ServiceAtLocation, list[FreeSlot]] = {sal: [] for sal in sals}
    if not windows:
        return result
    earliest = min(first for first, _last, _ds, _de in windows.values())
    latest = max(last for _first, last, _ds, _de in windows.values())

    schedules: dict[tuple[str, UUID], list[Schedule]] = defaultdict(list)
    for row in Schedule.objects.filter(
        Q(service_at_location_id__in=sal_ids)
        | Q(service_id__in=service_ids)
        | Q(location_id__in=location_ids)
    ):
        for owner, owner_id in (
            ("sal", row.service_at_location_id),
            ("service", row.service_id),
            ("location", row.location_id),
        ):
            if owner_id is not None:
                schedules[owner, owner_id].append(row)
    closures: dict[tuple[str, UUID], list[hours.Closure]] = defaultdict(list)
    for closure in Closure.objects.filter(
        Q(location_id__in=location_ids) | Q(service_id__in=service_ids)
    ):
        read = hours.Closure(
            starts_at=closure.starts_at, ends_at=closure.ends_at, reason=closure.reason
        )
        if closure.location_id is not None:
            closures["location", closure.location_id].append(read)
        if closure.service_id is not None:
            closures["service", closure.service_id].append(read)
    locations: dict[UUID, Location] = {sal.location_id: sal.location for sal in sals}
    holidays = {
        pk: holidays_between(location, start_date, end_date) for pk, location in locations.items()
    }

    staff_of: dict[int, list[int]] = defaultdict(list)
    through = BookableService.staff.through
    for bookable_id, staff_id in (
        through.objects.filter(bookableservice_id__in=windows)
        .order_by("pk")
        .values_list("bookableservice_id", "user_id")
    ):
        staff_of[bookable_id].append(staff_id)
    absences: list[tuple[int, datetime, datetime]] = []
    all_staff = {staff for staff_ids in staff_of.values() for staff in staff_ids}
    if all_staff:
        absences = list(
            StaffAbsence.objects.filter(
                staff_id__in=all_staff, starts_at__lt=latest, ends_at__gt=earliest
            ).values_list("staff_id", "starts_at", "ends_at")
        )
    held_by, form = _places_held(windows, earliest, latest)

    for bookable in bookables:
        if bookable.pk not in windows:
            continue
        sal = bookable.service_at_location
        first, last, day_start, day_end = windows[bookable.pk]
        location = sal.location
        rules = rules_from(
            pick_schedules(
                schedules["sal", sal.pk],
                schedules["service", sal.service_id],
                schedules["location", sal.location_id],
            )
        )
        shut = (*closures["location", sal.location_id], *closures["service", sal.service_id])
        grid = _slot_grid(
            hours.Calendar(
                time_zone=location.time_zone,
                rules=rules,
                holidays=holidays[location.pk],
                closures=shut,
            ),
            day_start,
            day_end,
            bookable.slot_minutes,
            form,
        )
        held = held_by.get(bookable.pk, {})
        staff_ids = staff_of.get(bookable.pk, [])
        free = result[sal]
        for (lo, _hi, local_lo, local_hi, key), capacity in zip(
            grid, _capacities(grid, bookable.places, staff_ids, absences), strict=True
        ):
            if first <= lo < last:
                remaining = capacity - held.get(key, 0)
                if remaining > 0:
                    free.append(FreeSlot(start=local_lo, end=local_hi, remaining=remaining))
    return result


def _capacities(
    grid: "Grid",
    places: int,
    staff_ids: Sequence[int],
    absences: Sequence[tuple[int, datetime, datetime]],
) -> Iterable[int]:
    """``capacity_of`` each slot of ``grid`` (sorted, of one length), looking only at the
    absences of ``staff_ids`` that overlap it, found by one sweep."""
    if not staff_ids:
        yield from repeat(places, len(grid))
        return
    named = set(staff_ids)
    spans = sorted((a for a in absences if a[0] in named), key=lambda absence: absence[1])
    upcoming = 0
    current: list[tuple[int, datetime, datetime]] = []
    for lo, hi, *_rest in grid:
        # The slots' starts and ends only grow: an absence begun before one slot's end stays
        # begun, one ended by a slot's start stays ended.
        while upcoming < len(spans) and spans[upcoming][1] < hi:
            current.append(spans[upcoming])
            upcoming += 1
        current = [absence for absence in current if absence[2] > lo]
        yield capacity_of(places, staff_ids, current, lo, hi)


class _EpochMicroseconds(Func):
    """An instant as whole microseconds since 1970 (PostgreSQL): an integer the driver reads
    far faster than a timestamp."""

    template = "(EXTRACT(EPOCH FROM %(expressions)s) * 1000000)::bigint"
    output_field = BigIntegerField()


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
StartForm = tuple[str, tzinfo | None]
"""How the database gives a slot's start back: ``("epoch", None)`` microseconds since 1970,
``("aware", None)`` an aware datetime, ``("naive", zone)`` a naive one in ``zone``."""


def _as_stored(start: datetime, form: StartForm) -> object:
    kind, zone = form
    if kind == "epoch":
        return (start - _EPOCH) // _MICROSECOND
    if kind == "naive" and zone is not None:
        return timezone.make_naive(start, zone)
    return start


def _places_held(
    bookable_ids: Iterable[int], earliest: datetime, latest: datetime
) -> tuple[dict[int, dict[object, int]], StartForm]:
    """The places held in the slots of ``bookable_ids`` starting from ``earliest`` to before
    ``latest``, counted by the database per service and start, and the form the starts are
    given in (``_as_stored`` puts a slot's start in that form).

    The starts are kept as the database driver gives them — as whole microseconds on
    PostgreSQL, else as a datetime, naive in the database's zone when it has no time zones —
    and each slot's start is put in that form once (``_slot_grid``), rather than each of
    thousands of counts going through the conversion to an aware datetime."""
    connection = connections[Booking.objects.db]
    form: StartForm
    start: F | Func
    if connection.vendor == "postgresql":
        form, start = ("epoch", None), _EpochMicroseconds("starts_at")
    elif connection.features.supports_timezones:
        form, start = ("aware", None), F("starts_at")
    else:
        # A database without time zones keeps, and gives back, naive datetimes in its own zone.
        form, start = ("naive", connection.timezone), F("starts_at")
    query = (
        Booking.objects.filter(
            bookable_id__in=list(bookable_ids),
            status__in=HOLDING,
            starts_at__gte=earliest,
            starts_at__lt=latest,
        )
        .order_by()
        .annotate(start=start)
        .values_list("bookable_id", "start")
        .annotate(count=Count("pk"))
        .values_list("bookable_id", "start", "count")
    )
    sql, params = query.query.sql_with_params()
    held: dict[int, dict[object, int]] = defaultdict(dict)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for bookable_id, starts_at, count in cursor.fetchall():
            held[bookable_id][starts_at] = count
    return held, form


Grid = tuple[tuple[datetime, datetime, datetime, datetime, object], ...]
_GRIDS: OrderedDict[Hashable, Grid] = OrderedDict()
_GRIDS_LOCK = Lock()
_GRIDS_KEPT = 64


def _slot_grid(
    calendar: hours.Calendar,
    day_start: datetime,
    day_end: datetime,
    slot_minutes: int,
    form: StartForm,
) -> Grid:
    """The slots cut from ``calendar``'s open intervals from ``day_start`` to ``day_end``:
    ``(start, end)`` in UTC, the same in the location's zone, and the start in the ``form``
    the database gives it back in.

    Kept in this process for the last 64 calendars asked for, keyed by everything the
    result depends on (zone, rows, holiday dates, closures, span, slot length): a change of
    hours, holidays or closures is a different key, so it shows at once."""
    key = (
        calendar.time_zone,
        calendar.rules,
        frozenset(calendar.holidays),
        calendar.closures,
        day_start,
        day_end,
        slot_minutes,
        form,
    )
    with _GRIDS_LOCK:
        grid = _GRIDS.get(key)
        if grid is not None:
            _GRIDS.move_to_end(key)
            return grid
    zone = ZoneInfo(calendar.time_zone)
    grid = tuple(
        (
            lo,
            hi,
            lo.astimezone(zone),
            hi.astimezone(zone),
            _as_stored(lo, form),
        )
        for lo, hi in cut_slots(
            hours.open_intervals(calendar, day_start, day_end), timedelta(minutes=slot_minutes)
        )
    )
    with _GRIDS_LOCK:
        _GRIDS[key] = grid
        while len(_GRIDS) > _GRIDS_KEPT:
            _GRIDS.popitem(last=False)
    return grid
