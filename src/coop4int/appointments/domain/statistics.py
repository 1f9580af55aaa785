"""What a unit needs to know about its waiting rooms and appointments over a period: tickets,
appointments and no-shows, waiting and service times, and the share of people called within
the location's target — published so that no figure points at a person.

Who is counted: every ticket and every appointment of the unit's services. Neither is a
person's record (a ticket holds no name; a booking made by the public is an unverified claim),
so there is no consent to statistics to filter on, unlike the support desk's figures; the
disclosure control below is what protects the people behind them.

The figures, per group of the grouping chosen (the location's day, the half-hour of the day
at which the ticket was taken or the appointment starts, the service at its location, or the
location), and in total:

- tickets: the tickets taken (a ticket transferred to another service continues as a new
  ticket, and counts under each service it was in);
- appointments: the bookings that held a place (booked, checked in or not come; not those
  cancelled, lapsed or still offered from the waiting list);
- appointments due, the denominator of the no-shows: the appointments whose time has passed
  (at ``now``, passed in) — or that were already checked in or marked as not come;
- no-shows: the appointments due marked as not come;
- waiting time: from the ticket's arrival to its call; when a ticket was called again, the
  last call counts (``Ticket.called_at`` holds it; ``TicketEvent`` keeps every call);
- service time: from the start of service to its end;
- the share of the tickets called whose waiting time was at most their location's target
  (``QueueSettings.target_minutes``), shown against the target share
  (``QueueSettings.target_share``).

Disclosure control: the support desk's (``cases.domain.statistics``), not a copy of it. Every
count is rounded to a multiple of the base (``small_cell()``) by controlled, unbiased random
rounding keyed by its records; a count that rounds to 0 is shown as "<base". Tickets form one
population split by group. The appointments form one population split by group *and* outcome
(not come, otherwise due, still to come): the appointments, the appointments due and the
no-shows of a group are sums of its rounded cells, so that no-shows never exceed the
appointments due, nor those the appointments, and every column adds up to its total —
``appointments/tests/test_statistics.py`` attacks the published figures with the support desk's
linear programme and narrows no count below the base. Percentiles and shares are derived
figures, given only over at least ``small_cell()`` tickets ("too few to show" otherwise).
Days are a fixed list, every day of the period always shown; half-hours, services and
locations whose counts are all shown as "<base" are left out of their lists, as the support
desk's open-ended lists are. Not covered: two groupings (or periods) of the same records are
rounded each on its own, so their totals may differ by up to ``2·(base - 1)``.

Scope: as the support desk's statistics (``statistics_units``): administrators and analysts
read every unit, or all together; other readers their own unit; another unit answers 404.
Each reading is audited, ``appointments.statistics.viewed`` or
``appointments.statistics.downloaded`` for the CSV file.
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from statistics import median, quantiles
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _

from coop4int.accounts.enums import UnitKind
from coop4int.accounts.models import Unit, User
from coop4int.accounts.roles import Permission
from coop4int.appointments.enums import BookingStatus
from coop4int.appointments.models import Booking, QueueSettings, Ticket
from coop4int.cases.domain.statistics import (
    Keys,
    Tally,
    round_tally,
    sees_all_units,
    small_cell,
    unit_time_zone,
)
from coop4int.core import audit

DAY, HALF_HOUR, SERVICE, LOCATION = "day", "half_hour", "service", "location"
GROUPINGS = (DAY, HALF_HOUR, SERVICE, LOCATION)
TOTAL = "total"

# The outcomes an appointment is split by (its cells of the appointments population).
NO_SHOW, DUE, TO_COME = "no_show", "due", "to_come"
_OUTCOMES = (NO_SHOW, DUE, TO_COME)
_HELD = (BookingStatus.BOOKED, BookingStatus.CHECKED_IN, BookingStatus.NO_SHOW)
# A location without waiting-room settings is measured against the model's defaults.
_DEFAULTS = QueueSettings()


def grouping_choices() -> list[tuple[str, str]]:
    return [
        (DAY, _("Day")),
        (HALF_HOUR, _("Half-hour of the day")),
        (SERVICE, _("Service")),
        (LOCATION, _("Location")),
    ]


@dataclass(frozen=True, slots=True)
class Row:
    """One group's figures, or the total. Counts are multiples of the base or ``None``
    ("<base"); the derived figures are ``None`` over fewer than the base of tickets."""

    key: str
    label: str
    tickets: int | None
    appointments: int | None
    appointments_due: int | None
    no_shows: int | None
    wait_p50: float | None
    wait_p90: float | None
    service_p50: float | None
    service_p90: float | None
    within_target: int | None
    """Per cent of the tickets called that were called within their location's target."""
    target_minutes: int | None
    """The target of the row's locations; ``None`` when they have different targets."""
    target_share: int | None
    day: date | None = None
    """The group's day, when grouped by day."""


@dataclass(frozen=True, slots=True)
class AppointmentStatistics:
    unit: Unit | None
    """``None``: all units together."""
    start: date
    end: date
    grouping: str
    time_zone: str
    small_cell: int
    rows: tuple[Row, ...]
    total: Row
    lists_all: bool
    """``False``: the groups whose counts are all "<base" are left out of ``rows``."""

    @property
    def grouping_label(self) -> str:
        return dict(grouping_choices())[self.grouping]


def _half_hour(moment: datetime, zone: str) -> str:
    local = moment.astimezone(ZoneInfo(zone))
    return f"{local.hour:02d}:{30 if local.minute >= 30 else 0:02d}"


def _minutes(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return (end - start).total_seconds() / 60


def percentiles(values: list[float], *, least: int) -> tuple[float | None, float | None]:
    """The median and the 90th percentile (linear between the nearest ranks, as a
    spreadsheet's PERCENTILE.INC), in minutes to one decimal; ``(None, None)`` under ``least``
    values."""
    if len(values) < max(least, 2):
        return None, None
    p90 = quantiles(values, n=10, method="inclusive")[8]
    return round(median(values), 1), round(p90, 1)


def _uniform(values: Iterable[int]) -> int | None:
    found = set(values)
    return found.pop() if len(found) == 1 else None


@dataclass
class _Group:
    tickets: list[int]
    waits: list[float]
    services: list[float]
    within: list[bool]
    locations: set[UUID]

    @classmethod
    def empty(cls) -> "_Group":
        return cls([], [], [], [], set())


def _readable_unit(user: User, unit_id: int | None) -> Unit | None:
    """The unit asked for, or ``None`` for all units; 404 outside the user's reach."""
    if unit_id is None:
        if not sees_all_units(user):
            raise Http404
        return None
    unit = Unit.objects.exclude(kind=UnitKind.PARTNER).filter(pk=unit_id).first()
    if unit is None or not user.has_perm(Permission.VIEW_CASE_STATISTICS, unit):
        raise Http404
    return unit


def appointment_statistics(
    user: User,
    *,
    unit_id: int | None,
    start: date,
    end: date,
    grouping: str,
    now: datetime,
    downloaded: bool = False,
) -> AppointmentStatistics:
    """The figures of ``unit_id`` (``None``: all units) for the location days from ``start``
    to ``end``, both included, by ``grouping`` (one of ``GROUPINGS``), published as the module
    describes; ``now`` decides which appointments are due. 404 when ``user`` may not read the
    unit; ``ValueError`` for an end before the start or an unknown grouping.

    Side effects: audit ``appointments.statistics.viewed``, or
    ``appointments.statistics.downloaded`` when ``downloaded`` (with its number of rows)."""
    if end < start:
        raise ValueError("end before start")
    if grouping not in GROUPINGS:
        raise ValueError(f"unknown grouping {grouping!r}")
    unit = _readable_unit(user, unit_id)
    base = small_cell()
    zone_name = unit_time_zone(unit)
    scope = Q() if unit is None else Q(service_at_location__service__unit=unit)

    tickets = list(
        Ticket.objects.filter(scope, day__gte=start, day__lte=end)
        .values(
            "id", "day", "created_at", "called_at", "served_from", "served_until",
            "location_id", "location__time_zone", "location__name",
            "service_at_location_id", "service_at_location__service__name",
        )
        .order_by()
    )  # fmt: skip
    # A margin of a day each side: the location's date decides, not the unit's.
    since = datetime.combine(start, time.min, tzinfo=ZoneInfo(zone_name)) - timedelta(days=1)
    until = datetime.combine(end, time.min, tzinfo=ZoneInfo(zone_name)) + timedelta(days=2)
    booking_scope = Q() if unit is None else Q(bookable__service_at_location__service__unit=unit)
    bookings = [
        row
        for row in Booking.objects.filter(
            booking_scope, status__in=_HELD, starts_at__gte=since, starts_at__lt=until
        )
        .values(
            "id", "starts_at", "status", "bookable__service_at_location_id",
            "bookable__service_at_location__service__name",
            "bookable__service_at_location__location_id",
            "bookable__service_at_location__location__name",
            "bookable__service_at_location__location__time_zone",
        )
        .order_by()
        if start
        <= row["starts_at"]
        .astimezone(ZoneInfo(row["bookable__service_at_location__location__time_zone"]))
        .date()
        <= end
    ]  # fmt: skip
    location_ids = {row["location_id"] for row in tickets} | {
        row["bookable__service_at_location__location_id"] for row in bookings
    }
    targets: dict[UUID, tuple[int, int]] = {
        location_id: (minutes, share)
        for location_id, minutes, share in QueueSettings.objects.filter(
            location_id__in=location_ids
        ).values_list("location_id", "target_minutes", "target_share")
    }

    def target_of(location_id: UUID) -> tuple[int, int]:
        return targets.get(location_id, (_DEFAULTS.target_minutes, _DEFAULTS.target_share))

    labels: dict[str, str] = {}

    def ticket_group(row: Mapping[str, Any]) -> str:
        if grouping == DAY:
            return row["day"].isoformat()
        if grouping == HALF_HOUR:
            return _half_hour(row["created_at"], row["location__time_zone"])
        if grouping == SERVICE:
            key = str(row["service_at_location_id"])
            labels[key] = _service_label(
                row["service_at_location__service__name"], row["location__name"]
            )
            return key
        labels[str(row["location_id"])] = row["location__name"]
        return str(row["location_id"])

    def booking_group(row: Mapping[str, Any]) -> str:
        zone = row["bookable__service_at_location__location__time_zone"]
        if grouping == DAY:
            return row["starts_at"].astimezone(ZoneInfo(zone)).date().isoformat()
        if grouping == HALF_HOUR:
            return _half_hour(row["starts_at"], zone)
        location_name = row["bookable__service_at_location__location__name"]
        if grouping == SERVICE:
            key = str(row["bookable__service_at_location_id"])
            labels[key] = _service_label(
                row["bookable__service_at_location__service__name"], location_name
            )
            return key
        key = str(row["bookable__service_at_location__location_id"])
        labels[key] = location_name
        return key

    groups: dict[str, _Group] = defaultdict(_Group.empty)
    everyone = _Group.empty()
    for row in tickets:
        minutes, _share = target_of(row["location_id"])
        wait = _minutes(row["created_at"], row["called_at"])
        served = _minutes(row["served_from"], row["served_until"])
        for group in (groups[ticket_group(row)], everyone):
            group.tickets.append(row["id"])
            group.locations.add(row["location_id"])
            if wait is not None:
                group.waits.append(wait)
                group.within.append(wait <= minutes)
            if served is not None:
                group.services.append(served)

    appointment_cells: dict[str, list[int]] = defaultdict(list)
    booking_groups: set[str] = set()
    for booking in bookings:
        if booking["status"] == BookingStatus.NO_SHOW:
            kind = NO_SHOW
        elif booking["status"] == BookingStatus.CHECKED_IN or booking["starts_at"] <= now:
            kind = DUE
        else:
            kind = TO_COME
        group_key = booking_group(booking)
        booking_groups.add(group_key)
        groups[group_key].locations.add(booking["bookable__service_at_location__location_id"])
        everyone.locations.add(booking["bookable__service_at_location__location_id"])
        appointment_cells[_cell(group_key, kind)].append(booking["id"])

    keys = _fixed_keys(grouping, start, end)
    every_key = list(dict.fromkeys([*keys, *sorted(set(groups) | booking_groups)]))
    ticket_keys, booking_keys = Keys("ticket"), Keys("booking")
    by_group = f"tickets_by_{grouping}"
    rounded_tickets = round_tally(
        Tally(
            total=ticket_keys.count(everyone.tickets, "tickets"),
            splits={by_group: ticket_keys.cells(
                {key: groups[key].tickets for key in every_key if key in groups}, by_group
            )},
        ),
        base=base,
    )  # fmt: skip
    cell_figure = f"appointments_by_{grouping}_and_outcome"
    rounded_appointments = round_tally(
        Tally(
            total=booking_keys.count(
                (pk for records in appointment_cells.values() for pk in records), "appointments"
            ),
            splits={cell_figure: booking_keys.cells(appointment_cells, cell_figure)},
        ),
        base=base,
    )
    ticket_counts = rounded_tickets.breakdowns[by_group]
    fine = rounded_appointments.breakdowns[cell_figure]

    def outcome(key: str, name: str) -> int:
        return fine.get(_cell(key, name), 0)

    def build(key: str, label: str, group: _Group, counts: tuple[int, int, int, int]) -> Row:
        tickets_n, appointments_n, due_n, no_shows_n = counts
        wait_p50, wait_p90 = percentiles(group.waits, least=base)
        service_p50, service_p90 = percentiles(group.services, least=base)
        location_targets = [target_of(location_id) for location_id in group.locations]
        return Row(
            key=key,
            label=label,
            tickets=tickets_n or None,
            appointments=appointments_n or None,
            appointments_due=due_n or None,
            no_shows=no_shows_n or None,
            wait_p50=wait_p50,
            wait_p90=wait_p90,
            service_p50=service_p50,
            service_p90=service_p90,
            within_target=round(100 * sum(group.within) / len(group.within))
            if len(group.within) >= base
            else None,
            target_minutes=_uniform(minutes for minutes, _share in location_targets),
            target_share=_uniform(share for _minutes, share in location_targets),
            day=date.fromisoformat(key) if grouping == DAY and key != TOTAL else None,
        )

    lists_all = grouping == DAY
    rows: list[Row] = []
    for key in every_key:
        counts = (
            ticket_counts.get(key, 0),
            sum(outcome(key, name) for name in _OUTCOMES),
            outcome(key, NO_SHOW) + outcome(key, DUE),
            outcome(key, NO_SHOW),
        )
        if not lists_all and not any(counts):
            continue
        rows.append(build(key, _group_label(grouping, key, labels), groups[key], counts))
    if grouping in (SERVICE, LOCATION):
        rows.sort(key=lambda row: row.label)
    total = build(
        TOTAL,
        _("Total"),
        everyone,
        (
            rounded_tickets.total,
            rounded_appointments.total,
            sum(count for cell, count in fine.items() if _outcome_of(cell) in (NO_SHOW, DUE)),
            sum(count for cell, count in fine.items() if _outcome_of(cell) == NO_SHOW),
        ),
    )
    stats = AppointmentStatistics(
        unit=unit,
        start=start,
        end=end,
        grouping=grouping,
        time_zone=zone_name,
        small_cell=base,
        rows=tuple(rows),
        total=total,
        lists_all=lists_all,
    )
    data: dict[str, Any] = {
        "period": f"{start.isoformat()}/{end.isoformat()}",
        "unit": unit.slug if unit is not None else "all",
        "grouping": grouping,
    }
    if downloaded:
        data["rows"] = len(stats.rows) + 1
    audit.record(
        action="appointments.statistics.downloaded"
        if downloaded
        else "appointments.statistics.viewed",
        actor=user,
        unit=unit,
        data=data,
    )
    return stats


def _cell(group: str, outcome: str) -> str:
    return f"{group}|{outcome}"


def _outcome_of(cell: str) -> str:
    return cell.rsplit("|", 1)[1]


def _service_label(service: str, location: str) -> str:
    return _("%(service)s at %(location)s") % {"service": service, "location": location}


def _fixed_keys(grouping: str, start: date, end: date) -> list[str]:
    """The groups always listed: every day of the period."""
    if grouping != DAY:
        return []
    return [(start + timedelta(days=n)).isoformat() for n in range((end - start).days + 1)]


def _group_label(grouping: str, key: str, labels: Mapping[str, str]) -> str:
    if grouping in (DAY, HALF_HOUR):
        return key
    return labels.get(key, key)


# --- The CSV file ------------------------------------------------------------------------------

CSV_HEADER = (
    "unit", "start", "end", "grouping", "group", "label", "tickets", "appointments",
    "appointments_due", "no_shows", "wait_p50_minutes", "wait_p90_minutes",
    "service_p50_minutes", "service_p90_minutes", "within_target_percent",
    "target_minutes", "target_percent",
)  # fmt: skip


def statistics_rows(stats: AppointmentStatistics) -> Iterator[tuple[str, ...]]:
    """The published figures as CSV rows (header first): "<base" where a count rounded to 0,
    an empty value where a figure is too few to show."""

    def count(value: int | None) -> str:
        return f"<{stats.small_cell}" if value is None else str(value)

    def plain(value: float | None) -> str:
        return "" if value is None else f"{value:g}"

    unit = stats.unit.slug if stats.unit is not None else "all"
    yield CSV_HEADER
    for row in (*stats.rows, stats.total):
        yield (
            unit, stats.start.isoformat(), stats.end.isoformat(), stats.grouping, row.key,
            row.label, count(row.tickets), count(row.appointments),
            count(row.appointments_due), count(row.no_shows), plain(row.wait_p50),
            plain(row.wait_p90), plain(row.service_p50), plain(row.service_p90),
            plain(row.within_target), plain(row.target_minutes), plain(row.target_share),
        )  # fmt: skip


def published_counts(stats: AppointmentStatistics) -> dict[tuple[str, str], int]:
    """Every count the page and the CSV publish, ``(figure, group)`` → the number read as the
    reader would ("<base" as 0): what an attacker starts from."""
    found: dict[tuple[str, str], int] = {}
    for row in (*stats.rows, stats.total):
        for figure in ("tickets", "appointments", "appointments_due", "no_shows"):
            found[(figure, row.key)] = getattr(row, figure) or 0
    return found
