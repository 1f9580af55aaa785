"""From the database rows to the hours engine: which schedule rows, closures and holidays make
the opening hours of one service at one location."""

from collections.abc import Iterable
from datetime import date

from coop4int.directory import hours
from coop4int.directory.models import Closure, Location, Schedule, Service, ServiceAtLocation
from coop4int.directory.public_holidays import holidays_between


def parse_days(text: str) -> tuple[str, ...]:
    return tuple(part.strip().upper() for part in text.split(",") if part.strip())


def parse_month_days(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(",") if part.strip())


def rule_from_schedule(row: Schedule) -> hours.Rule | None:
    """The engine's rule for an HSDS schedule row; None for a row without hours (a note)."""
    if row.opens_at is None or row.closes_at is None:
        return None
    return hours.Rule(
        opens_at=row.opens_at,
        closes_at=row.closes_at,
        freq="MONTHLY" if row.freq == "MONTHLY" else "WEEKLY",
        byday=parse_days(row.byday),
        bymonthday=parse_month_days(row.bymonthday),
        interval=row.interval or 1,
        dtstart=row.dtstart,
        until=row.until,
        valid_from=row.valid_from,
        valid_to=row.valid_to,
    )


def rules_from(rows: Iterable[Schedule]) -> tuple[hours.Rule, ...]:
    return tuple(rule for rule in map(rule_from_schedule, rows) if rule is not None)


def pick_schedules(
    at_location: Iterable[Schedule], of_service: Iterable[Schedule], of_location: Iterable[Schedule]
) -> list[Schedule]:
    """HSDS: the most specific hours win — those of the service at this location, else the
    service's own, else the location's."""
    for rows in (list(at_location), list(of_service), list(of_location)):
        if rows:
            return rows
    return []


def calendar_for(sal: ServiceAtLocation, first: date, last: date) -> hours.Calendar:
    """The opening calendar of ``sal`` with holidays from ``first`` to ``last``."""
    location, service = sal.location, sal.service
    rows = pick_schedules(sal.schedules.all(), service.schedules.all(), location.schedules.all())
    closures: list[Closure] = [*location.closures.all(), *service.closures.all()]
    return hours.Calendar(
        time_zone=location.time_zone,
        rules=rules_from(rows),
        holidays=holidays_between(location, first, last),
        closures=tuple(
            hours.Closure(starts_at=c.starts_at, ends_at=c.ends_at, reason=c.reason)
            for c in closures
        ),
    )


HoursOwner = Service | Location | ServiceAtLocation


def hours_owner(service: Service) -> HoursOwner:
    """Where a service's opening hours are kept, in the order the public pages read them
    (calendars.pick_schedules): on the service at its location, on the service, or — for a
    service at a single location with its own hours, like a unit's front desk — on the
    location."""
    sals = list(service.at_locations.select_related("location"))
    for sal in sals:
        if sal.schedules.exists():
            return sal
    if service.schedules.exists():
        return service
    with_hours = [sal.location for sal in sals if sal.location.schedules.exists()]
    return with_hours[0] if len(sals) == 1 and with_hours else service


def unit_calendar(unit_id: int, first: date, last: date) -> hours.Calendar | None:
    """The working hours of a unit: those of the first of its services (by name) that has
    opening hours at a location — for a local unit, its front desk. None when it has none."""
    sals = (
        ServiceAtLocation.objects.filter(service__unit_id=unit_id)
        .select_related("service", "location")
        .order_by("service__name", "pk")
    )
    for sal in sals:
        calendar = calendar_for(sal, first, last)
        if calendar.rules:
            return calendar
    return None
