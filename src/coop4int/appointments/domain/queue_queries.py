"""Reads of the waiting room: who is called next, a ticket's position and estimated wait, the
calls the display shows, and a ticket found by its secret link.

The calling order (``calling_order``) among the tickets waiting today for the services asked:

1. when the location's settings put people with an appointment first (``booked_first``), the
   tickets of a booking whose time (``due_at``) has come, earliest time first;
2. when they put priority first (``priority_first``), the tickets with a priority reason the
   location honours (``priority_reasons``);
3. everyone else by arrival (``created_at``; a transferred ticket keeps its arrival).

A booked person who checks in before their time waits as a walk-in would — by arrival — until
their time comes, and then goes first; a priority the location no longer honours counts for
nothing. Ties are broken by arrival, then by the order the tickets were taken.

The estimated wait (``estimated_wait_minutes``) is deliberately simple: the median service time
of the ticket's service at the location (served from → served until) over the last 24 hours,
or the last ``RECENT_DAYS`` days when nobody was served in that time, times the ticket's
position, divided by the number of desks that called a ticket for that service in the last
hour (at least one). None when no service time is known. "Waiting now"
(``waiting_now_minutes``) is the same estimate for the last person in line — how long someone
arriving now would wait after those already waiting — and 0 when nobody waits.
"""

import hmac
import math
import statistics
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from django.db.models import Count

from coop4int.accounts.models import User
from coop4int.accounts.roles import Permission
from coop4int.appointments.enums import TicketStatus
from coop4int.appointments.models import QueueSettings, Ticket
from coop4int.cases.domain.references import tracking_digest
from coop4int.directory.models import Location, ServiceAtLocation

# How far back the service time is taken from when nobody was served yet today.
RECENT_DAYS = 14
# The desks serving a service: those that called one of its tickets in this last stretch.
DESK_WINDOW = timedelta(hours=1)


def queue_settings_for(location: Location) -> QueueSettings:
    """The location's waiting-room settings, or the defaults (unsaved) when it has none."""
    found = QueueSettings.objects.filter(location=location).first()
    if found is not None:
        return found
    return QueueSettings(location=location)


def location_today(location: Location, now: datetime) -> date:
    """The location's date at ``now``: tickets are numbered and called per day."""
    return now.astimezone(ZoneInfo(location.time_zone)).date()


def _honoured(settings: QueueSettings) -> set[str]:
    return {str(code) for code in (settings.priority_reasons or [])}


def order_key(
    ticket: Ticket, *, settings: QueueSettings, now: datetime
) -> tuple[int, datetime, datetime, int]:
    """Where ``ticket`` stands: (group, first time, arrival, sequence), smallest called first."""
    if settings.booked_first and ticket.due_at is not None and ticket.due_at <= now:
        return (0, ticket.due_at, ticket.created_at, ticket.sequence)
    if settings.priority_first and ticket.priority and ticket.priority in _honoured(settings):
        return (1, ticket.created_at, ticket.created_at, ticket.sequence)
    return (2, ticket.created_at, ticket.created_at, ticket.sequence)


def sort_for_calling(
    tickets: Iterable[Ticket], *, settings: QueueSettings, now: datetime
) -> list[Ticket]:
    return sorted(tickets, key=lambda ticket: order_key(ticket, settings=settings, now=now))


def waiting_tickets(
    location: Location, *, now: datetime, service_ids: Sequence[UUID | str] | None = None
) -> Any:
    """The query of today's waiting tickets at ``location`` (of the given services at the
    location, by ``ServiceAtLocation`` id, when given)."""
    tickets = Ticket.objects.filter(
        location=location, day=location_today(location, now), status=TicketStatus.WAITING
    )
    if service_ids is not None:
        tickets = tickets.filter(service_at_location_id__in=list(service_ids))
    return tickets


def calling_order(
    location: Location, *, now: datetime, service_ids: Sequence[UUID | str] | None = None
) -> list[Ticket]:
    """Today's waiting tickets at ``location`` (of ``service_ids``, ``ServiceAtLocation`` ids,
    when given) in the order they will be called; see the module's description. A booked
    ticket checked in early waits as a walk-in would until its ``due_at`` has come."""
    settings = queue_settings_for(location)
    tickets = waiting_tickets(location, now=now, service_ids=service_ids).select_related(
        "service_at_location__service"
    )
    return sort_for_calling(tickets, settings=settings, now=now)


def position_of(ticket: Ticket, *, now: datetime) -> int | None:
    """1 for the next ticket to be called for its service; None once it is no longer waiting."""
    if ticket.status != TicketStatus.WAITING:
        return None
    order = calling_order(ticket.location, now=now, service_ids=[ticket.service_at_location_id])
    for index, waiting in enumerate(order, start=1):
        if waiting.pk == ticket.pk:
            return index
    return None


def median_service_minutes(service_at_location_id: Any, *, now: datetime) -> float | None:
    """The median time a ticket of this service at the location was served, in minutes: of
    the last 24 hours' served tickets, else of the last ``RECENT_DAYS`` days'; None when none."""
    served = Ticket.objects.filter(
        service_at_location_id=service_at_location_id,
        status=TicketStatus.SERVED,
        served_from__isnull=False,
        served_until__isnull=False,
    )
    for since in (now - timedelta(hours=24), now - timedelta(days=RECENT_DAYS)):
        rows = served.filter(served_until__gt=since, served_until__lte=now).values_list(
            "served_from", "served_until"
        )
        durations = [
            (until - start).total_seconds() / 60 for start, until in rows if start and until
        ]
        if durations:
            return float(statistics.median(durations))
    return None


def desks_serving(
    location: Location, *, now: datetime, service_ids: Sequence[UUID | str] | None = None
) -> int:
    """Desks that called a ticket (of these services) in the last hour; at least 1."""
    calls = Ticket.objects.filter(
        location=location, called_at__gt=now - DESK_WINDOW, called_at__lte=now
    ).exclude(desk="")
    if service_ids is not None:
        calls = calls.filter(service_at_location_id__in=list(service_ids))
    return max(1, calls.values("desk").distinct().count())


def _estimate(position: int, median: float, desks: int) -> int:
    return max(0, math.ceil(position * median / desks)) if position else 0


def estimated_wait_minutes(ticket: Ticket, *, now: datetime) -> int | None:
    """Minutes until ``ticket`` is called, roughly: position × median service time ÷ desks
    serving (module description). None when it is not waiting or no service time is known."""
    position = position_of(ticket, now=now)
    if position is None:
        return None
    median = median_service_minutes(ticket.service_at_location_id, now=now)
    if median is None:
        return None
    desks = desks_serving(ticket.location, now=now, service_ids=[ticket.service_at_location_id])
    return _estimate(position, median, desks)


def waiting_now_minutes(
    location: Location, *, now: datetime, service_at_location: ServiceAtLocation | None = None
) -> int | None:
    """About how long someone arriving now would wait after those already waiting (for the
    service, or for any service at the location): the estimated wait of the last in line.
    0 when nobody waits; None when no service time is known."""
    if service_at_location is not None:
        service_ids: list[Any] = [service_at_location.pk]
    else:
        service_ids = list(
            ServiceAtLocation.objects.filter(location=location).values_list("pk", flat=True)
        )
    waiting = waiting_tickets(location, now=now, service_ids=service_ids).count()
    medians = [
        median
        for median in (median_service_minutes(pk, now=now) for pk in service_ids)
        if median is not None
    ]
    if not medians:
        return None
    if not waiting:
        return 0
    desks = desks_serving(location, now=now, service_ids=service_ids)
    return _estimate(waiting, float(statistics.median(medians)), desks)


def recent_calls(location: Location, *, now: datetime, limit: int = 6) -> list[Ticket]:
    """Today's called tickets at ``location``, the latest call first, with their desk (a
    ticket recalled counts once, at its last call)."""
    return list(
        Ticket.objects.filter(
            location=location,
            day=location_today(location, now),
            called_at__isnull=False,
            called_at__lte=now,
        )
        .select_related("service_at_location__service")
        .order_by("-called_at", "-pk")[:limit]
    )


def ticket_for_link(pk: int, secret: str) -> Ticket | None:
    """The ticket whose link carries ``secret``; None for an unknown ticket or a wrong secret."""
    if not secret:
        return None
    ticket = (
        Ticket.objects.filter(pk=pk)
        .select_related("location", "service_at_location__service")
        .first()
    )
    if ticket is None or not hmac.compare_digest(ticket.secret_digest, tracking_digest(secret)):
        return None
    return ticket


def get_ticket_for_user(user: User, pk: int) -> Ticket | None:
    """The ticket ``pk`` when ``user`` works the queue of its service (``Permission.WORK_CASES``
    at the service's unit, or nationwide); None for a missing ticket and another unit's alike."""
    if Permission.WORK_CASES not in user.granted_permissions:
        return None
    tickets = Ticket.objects.filter(pk=pk).select_related(
        "location", "service_at_location__service__unit", "service_at_location__location"
    )
    if not user.is_nationwide:
        if user.unit_id is None:
            return None
        tickets = tickets.filter(service_at_location__service__unit_id=user.unit_id)
    return tickets.first()


def waiting_counts(location: Location, *, now: datetime) -> dict[Any, int]:
    """Today's waiting tickets at ``location``, by ``ServiceAtLocation`` id."""
    rows = (
        waiting_tickets(location, now=now)
        .values_list("service_at_location_id")
        .annotate(count=Count("pk"))
    )
    return {pk: count for pk, count in rows}


def at_desk(location: Location, desk: str, *, now: datetime) -> list[Ticket]:
    """Today's tickets called to ``desk`` and not finished yet, the latest call first."""
    return list(
        Ticket.objects.filter(
            location=location,
            day=location_today(location, now),
            desk=desk,
            status__in=(TicketStatus.CALLED, TicketStatus.SERVING),
        )
        .select_related("service_at_location__service")
        .order_by("-called_at", "-pk")
    )
