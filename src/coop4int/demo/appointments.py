"""Demo appointments and a waiting room at the Praia and Mindelo local units.

- Praia's face-to-face service is bookable in 30-minute slots with two places, served by the
  unit's officer and its coordinator: a slot has as many places as of them are present, so the
  coordinator's absence one afternoon leaves one. Mindelo's is bookable in one-hour slots with a
  single place (one desk).
- Bookings over the coming two weeks, some made on line by the people themselves, some by the
  officers for someone on the phone; one Mindelo day is fully booked and two people wait on its
  waiting list.
- Today at Praia, a waiting room in progress: tickets taken, some called to the desks, one
  served — what the waiting-room display shows, in Portuguese and French — and, when Praia
  still has a time free today, a booked person who has checked in.

The people are invented: names marked "(demo)", phone numbers from the range North America keeps
for fiction (555-0100 to 555-0199), e-mail addresses under ``demo.coop4int.example``. Nobody is
sent the confirmations booking sends (``_untold``).

Everything goes through the appointments' domain functions, ``now`` being the time of loading.
Loading twice changes nothing: the bookable services, the absence and the waiting-room settings
are made once; bookings and the waiting list are added only when neither service has a booking
to come, and the waiting room only when Praia has no ticket today. A demo loaded again on a later
day therefore gets new bookings once the old ones are past, and a waiting room for that day.
"""

from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction

from coop4int.accounts.models import User
from coop4int.appointments import notify as appointment_messages
from coop4int.appointments.domain.booking import (
    book_slot,
    check_in,
    join_waiting_list,
    make_bookable,
    record_absence,
)
from coop4int.appointments.domain.queue import call_next, finish, start_serving, take_ticket
from coop4int.appointments.domain.slots import free_slots
from coop4int.appointments.enums import TicketStatus
from coop4int.appointments.models import (
    BookableService,
    Booking,
    QueueSettings,
    StaffAbsence,
    Ticket,
)
from coop4int.demo.directory import LOCAL_UNITS, demo_id
from coop4int.directory.models import ServiceAtLocation

# The face-to-face service of each local unit, as the demo directory keys it.
SERVICE_KEYS = {spec.key: f"{spec.service.key}@{spec.key}" for spec in LOCAL_UNITS}
PRAIA = "aai/praia"
MINDELO = "aai/mindelo"
DISPLAY_LANGUAGE = "fr"
BOOKING_DAYS = 14


@dataclass(frozen=True)
class Caller:
    """Someone invented who books or waits."""

    name: str
    language: str
    phone: str = ""
    email: str = ""
    interpreter_needed: bool = False
    accessibility_needs: str = ""


def _phone(n: int) -> str:
    """A number of North America's range for fiction: +1 202 555 01NN."""
    return f"+1 202 555 {100 + n:04d}"


def _email(local: str) -> str:
    return f"{local}@demo.coop4int.example"


PRAIA_CALLERS = (
    Caller("Maria Exemplo (demo)", "pt", phone=_phone(1)),
    Caller("Jean Fictif (demo)", "fr", email=_email("jean.fictif")),
    Caller("Fatou Exemple (demo)", "wo", phone=_phone(2), interpreter_needed=True),
    Caller("John Sample (demo)", "en", email=_email("john.sample")),
    Caller("Aminata Modèle (demo)", "fr", phone=_phone(3),
           accessibility_needs="Cadeira de rodas: precisa de entrar pelo rés-do-chão (demo)."),
    Caller("Li Ming Exemplo (demo)", "zh", phone=_phone(4), interpreter_needed=True),
    Caller("Ousmane Fictício (demo)", "ff", phone=_phone(5), interpreter_needed=True),
    Caller("Rosa Inventada (demo)", "kea", phone=_phone(6)),
    Caller("Pierre Imaginaire (demo)", "fr", phone=_phone(7), email=_email("pierre.imaginaire")),
)  # fmt: skip
# Has a time at Praia later today and checked in already (when there is such a time).
BOOKED_TODAY = Caller("Marie Exemplaire (demo)", "fr", email=_email("marie.exemplaire"))
# Booked by the officer for someone on the phone (the rest book on line): by index.
PRAIA_BY_STAFF = {2, 5, 6}
# Which of the Praia slots to come are booked (indices into them, in time order); a slot
# named twice gets both its places.
PRAIA_SLOTS = (0, 0, 3, 17, 31, 46, 62, 80, 101)

# Mindelo's full day: as many of these as it has slots; the others book later days.
MINDELO_CALLERS = (
    Caller("Ana Modelo (demo)", "pt", phone=_phone(11)),
    Caller("Wang Fang Exemplo (demo)", "zh", phone=_phone(12), interpreter_needed=True),
    Caller("Peter Placeholder (demo)", "en", email=_email("peter.placeholder")),
    Caller("Jorge Fictício (demo)", "kea", phone=_phone(13)),
    Caller("Claire Exemple (demo)", "fr", email=_email("claire.exemple")),
    Caller("Zhang Wei Demo (demo)", "zh", phone=_phone(14)),
    Caller("Lucas Teste (demo)", "pt", phone=_phone(15)),
    Caller("Sofia Amostra (demo)", "en", phone=_phone(16)),
)
# On the waiting list of the full day.
MINDELO_WAITING = (
    Caller("Bruno Exemplar (demo)", "pt", phone=_phone(21)),
    Caller("Awa Fictive (demo)", "fr", phone=_phone(22), interpreter_needed=True),
)

# Today's waiting room at Praia, in the order the tickets were taken: (language, priority,
# minutes before now the ticket was taken, of 50).
PRAIA_TICKETS = (
    ("pt", "", 48),
    ("fr", "", 41),
    ("kea", "", 33),
    ("en", "", 26),
    ("pt", "pregnancy", 19),
    ("wo", "", 14),
    ("fr", "", 9),
    ("zh", "", 6),
    ("pt", "age", 3),
)  # fmt: skip


@dataclass
class Loaded:
    bookable: list[BookableService]
    bookings: int = 0
    waiting: int = 0
    tickets: int = 0


def _service_at(place_key: str) -> ServiceAtLocation | None:
    return (
        ServiceAtLocation.objects.filter(pk=demo_id(ServiceAtLocation, SERVICE_KEYS[place_key]))
        .select_related("service__unit", "location")
        .first()
    )


def _users(*usernames: str) -> list[User] | None:
    found = {user.username: user for user in User.objects.filter(username__in=usernames)}
    if len(found) != len(usernames):
        return None
    return [found[name] for name in usernames]


def load(*, now: datetime) -> Loaded | None:
    """Add what is missing (module docstring); None when the demo units, accounts or
    directory are not loaded."""
    praia, mindelo = _service_at(PRAIA), _service_at(MINDELO)
    users = _users("admin", "coordenador.praia", "tecnico.praia", "tecnico.mindelo")
    if praia is None or mindelo is None or users is None:
        return None
    admin, coordinator, praia_officer, mindelo_officer = users
    # The confirmations are sent when the transaction commits: inside ``_untold``.
    with _untold(), transaction.atomic():
        praia_bookable = _bookable(
            praia, actor=admin, slot_minutes=30, places=2, book_ahead_days=28,
            staff=[praia_officer, coordinator], now=now,
        )  # fmt: skip
        mindelo_bookable = _bookable(
            mindelo, actor=admin, slot_minutes=60, places=1, book_ahead_days=21, staff=[],
            now=now,
        )  # fmt: skip
        loaded = Loaded(bookable=[praia_bookable, mindelo_bookable])
        _absence(coordinator, now=now)
        for service_at_location in (praia, mindelo):
            _queue_settings(service_at_location, now=now)
        coming = Booking.objects.filter(bookable__in=loaded.bookable, starts_at__gt=now).exists()
        if not coming:
            loaded.bookings += _book_praia(praia, officer=praia_officer, now=now)
            booked, waiting = _book_mindelo(mindelo, officer=mindelo_officer, now=now)
            loaded.bookings += booked
            loaded.waiting += waiting
        loaded.tickets = _waiting_room(
            praia, officer=praia_officer, coordinator=coordinator, admin=admin, now=now
        )
    return loaded


@contextmanager
def _untold() -> Iterator[None]:
    """The people are invented: the messages a booking sends them (its confirmation) go
    nowhere — no e-mail printed by the development mail backend on every load, no text message
    bought from a gateway for a number that does not exist."""
    with appointment_messages.withheld():
        yield


# --- Bookable services and their settings ----------------------------------------------------


def _bookable(
    service_at_location: ServiceAtLocation,
    *,
    actor: User,
    slot_minutes: int,
    places: int,
    book_ahead_days: int,
    staff: Sequence[User],
    now: datetime,
) -> BookableService:
    existing = BookableService.objects.filter(service_at_location=service_at_location).first()
    if existing is not None:
        return existing
    return make_bookable(
        actor=actor,
        service_at_location=service_at_location,
        slot_minutes=slot_minutes,
        places=places,
        book_ahead_days=book_ahead_days,
        cancel_until_hours=24,
        staff=staff,
        now=now,
    )


def _local(service_at_location: ServiceAtLocation) -> ZoneInfo:
    return ZoneInfo(service_at_location.location.time_zone)


def _absence(coordinator: User, *, now: datetime) -> None:
    """The coordinator is away one afternoon next week (a training): Praia's slots then have
    one place."""
    if StaffAbsence.objects.filter(staff=coordinator).exists():
        return
    zone = ZoneInfo("Atlantic/Cape_Verde")
    day = now.astimezone(zone).date() + timedelta(days=7)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    record_absence(
        actor=coordinator,
        staff=coordinator,
        starts_at=datetime.combine(day, time(12), tzinfo=zone),
        ends_at=datetime.combine(day, time(16), tzinfo=zone),
        now=now,
    )


def _queue_settings(service_at_location: ServiceAtLocation, *, now: datetime) -> None:
    """The waiting room's settings at the location: the defaults, with French as the display's
    second language."""
    QueueSettings.objects.get_or_create(
        location=service_at_location.location,
        defaults={"display_language": DISPLAY_LANGUAGE, "updated_at": now},
    )


# --- Bookings and the waiting list -------------------------------------------------------------


def _coming_slots(
    service_at_location: ServiceAtLocation, *, now: datetime, first: date | None = None
) -> list[datetime]:
    today = now.astimezone(_local(service_at_location)).date()
    return [
        slot.start
        for slot in free_slots(
            service_at_location=service_at_location,
            start_date=first or today + timedelta(days=1),
            end_date=today + timedelta(days=BOOKING_DAYS),
            now=now,
        )
    ]


def _book(
    service_at_location: ServiceAtLocation,
    caller: Caller,
    start: datetime,
    *,
    actor: User | None,
    now: datetime,
) -> Booking:
    booking, _secret = book_slot(
        service_at_location=service_at_location,
        start=start,
        name=caller.name,
        phone=caller.phone,
        email=caller.email,
        language=caller.language,
        interpreter_needed=caller.interpreter_needed,
        accessibility_needs=caller.accessibility_needs,
        actor=actor,
        now=now,
    )
    return booking


def _book_praia(praia: ServiceAtLocation, *, officer: User, now: datetime) -> int:
    slots = _coming_slots(praia, now=now)
    made = 0
    for index, (caller, slot) in enumerate(zip(PRAIA_CALLERS, PRAIA_SLOTS, strict=True)):
        if slot >= len(slots):
            continue
        actor = officer if index in PRAIA_BY_STAFF else None
        _book(praia, caller, slots[slot], actor=actor, now=now)
        made += 1
    return made


def _by_day(starts: Sequence[datetime]) -> Iterator[tuple[date, list[datetime]]]:
    days: dict[date, list[datetime]] = defaultdict(list)
    for start in starts:
        days[start.date()].append(start)
    yield from sorted(days.items())


def _book_mindelo(mindelo: ServiceAtLocation, *, officer: User, now: datetime) -> tuple[int, int]:
    """A day fully booked (the first whole working day at least two days ahead) with two people
    on its waiting list; the callers left over book later days."""
    today = now.astimezone(_local(mindelo)).date()
    days = list(_by_day(_coming_slots(mindelo, now=now, first=today + timedelta(days=2))))
    if not days:
        return 0, 0
    widest = max(len(starts) for _day, starts in days)
    full_day, starts = next((day, s) for day, s in days if len(s) == widest)
    callers = iter(MINDELO_CALLERS)
    made = 0
    for start, caller in zip(starts, callers, strict=False):
        _book(mindelo, caller, start, actor=None, now=now)
        made += 1
    later = [s[len(s) // 2] for day, s in days if day > full_day]
    for index, (start, caller) in enumerate(zip(later, callers, strict=False)):
        _book(mindelo, caller, start, actor=officer if index % 2 else None, now=now)
        made += 1
    for index, caller in enumerate(MINDELO_WAITING):
        join_waiting_list(
            service_at_location=mindelo,
            day=full_day,
            name=caller.name,
            phone=caller.phone,
            email=caller.email,
            language=caller.language,
            interpreter_needed=caller.interpreter_needed,
            actor=officer if index % 2 else None,
            now=now,
        )
    return made, len(MINDELO_WAITING)


# --- Today's waiting room at Praia ------------------------------------------------------------


def _waiting_room(
    praia: ServiceAtLocation, *, officer: User, coordinator: User, admin: User, now: datetime
) -> int:
    """Tickets taken over the last 50 minutes (less when the day began later); the first served
    at desk 1, the next two being served at desks 1 and 2, a priority ticket just called to
    desk 3 — the display's "now calling" — and the rest waiting. Nothing when Praia already has
    tickets today."""
    location = praia.location
    zone = _local(praia)
    today = now.astimezone(zone).date()
    if Ticket.objects.filter(location=location, day=today).exists():
        return 0
    span = min(timedelta(minutes=50), now - datetime.combine(today, time(0), tzinfo=zone))

    def ago(minutes: int) -> datetime:
        return now - span * minutes / 50

    pending = list(PRAIA_TICKETS)
    taken: list[Ticket] = []

    def take_until(minutes: float) -> None:
        """Take the tickets taken up to ``minutes`` before now, as reception did."""
        while pending and pending[0][2] >= minutes:
            language, priority, at = pending.pop(0)
            ticket, _secret = take_ticket(
                service_at_location=praia,
                language=language,
                priority=priority,
                actor=officer,
                now=ago(at),
            )
            taken.append(ticket)

    def call(actor: User, desk: str, minutes: int) -> Ticket:
        take_until(minutes)
        called = call_next(
            location=location, service_ids=[praia.pk], desk=desk, actor=actor, now=ago(minutes)
        )
        assert called is not None
        return called

    first = call(officer, "1", 45)
    start_serving(ticket=first, actor=officer, now=ago(44))
    finish(ticket=first, outcome=TicketStatus.SERVED, actor=officer, now=ago(30))
    start_serving(ticket=call(officer, "1", 29), actor=officer, now=ago(28))
    start_serving(ticket=call(coordinator, "2", 20), actor=coordinator, now=ago(19))
    take_until(8)
    _booked_today(praia, officer=officer, at=ago(8), now=now)
    # The pregnant woman's ticket goes first: called now, not yet at the desk.
    call(admin, "3", 1)
    take_until(0)
    return Ticket.objects.filter(location=location, day=today).count()


def _booked_today(praia: ServiceAtLocation, *, officer: User, at: datetime, now: datetime) -> None:
    """When Praia has a time left today, someone who booked it yesterday has checked in: their
    ticket waits with the others and goes first once their time comes."""
    today = now.astimezone(_local(praia)).date()
    later = free_slots(service_at_location=praia, start_date=today, end_date=today, now=now)
    if not later:
        return
    yesterday = now - timedelta(days=1)
    booking = _book(praia, BOOKED_TODAY, later[0].start, actor=None, now=yesterday)
    check_in(booking=booking, actor=officer, now=at)
