"""Server time of a unit's free appointment slots over 8 weeks (goal: at most 50 ms at p95).

    DATABASE_URL=sqlite:///$PWD/var/bench/appointments.sqlite3 \
        .venv/bin/python bench/appointment_slots.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/coop4int_appointments \
        .venv/bin/python bench/appointment_slots.py

The unit: two locations (Praia's holidays), four bookable services at each, open Monday to
Friday 08:00–12:00 and 13:00–16:00, in 20-minute slots of three places (one service per
location names three officers instead, one of them away two afternoons a week), bookable 70
days ahead. Every place of every slot in the 8 weeks is booked with probability
BENCH_BOOKED (default one half), and one booking in ten of those is a cancelled one that
frees its place again. The bookings are made afresh on each run, relative to the time
measured: 10:00 in Praia on the first weekday from today.

Timed in-process, BENCH_RUNS times (default 200): the free slots of all eight services over
the 8 weeks, one service after the other (``appointments.domain.slots.free_slots``, what the
booking pages and the API read) and all at once (``free_slots_of_unit``; once more with the
heap as it was before the runs frozen, ``gc.freeze()``), those of one service,
and — when the API is there — one service's slots through
``GET /api/v1/appointments/slots/`` over the same 8 weeks (the whole request: routing,
middleware, serialising)."""

import gc
import os
import random
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django
import time_machine

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import NoReverseMatch, reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from coop4int.accounts.enums import Role, UnitKind  # noqa: E402
from coop4int.accounts.models import Unit, User  # noqa: E402
from coop4int.accounts.tests.factories import StaffFactory  # noqa: E402
from coop4int.appointments.domain.booking import make_bookable  # noqa: E402
from coop4int.appointments.domain.slots import (  # noqa: E402
    free_slots,
    free_slots_of_unit,
    slots_between,
)
from coop4int.appointments.enums import BookingStatus  # noqa: E402
from coop4int.appointments.models import BookableService, Booking, StaffAbsence  # noqa: E402
from coop4int.directory.models import (  # noqa: E402
    Location,
    Organization,
    Schedule,
    Service,
    ServiceAtLocation,
)

RUNS = int(os.environ.get("BENCH_RUNS", "200"))
BOOKED = float(os.environ.get("BENCH_BOOKED", "0.5"))
ZONE = ZoneInfo("Atlantic/Cape_Verde")
WEEKS = 8
UNIT = "bench-slots"
SERVICES_PER_LOCATION = 4


def weekday_morning(now: datetime) -> datetime:
    """10:00 in Praia on the first weekday from ``now``'s date (today included)."""
    day = now.astimezone(ZONE).date()
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime(day.year, day.month, day.day, 10, 0, tzinfo=ZONE)


def percentiles(samples: list[float]) -> str:
    samples = sorted(samples)
    p95 = samples[int(len(samples) * 0.95) - 1]
    median = statistics.median(samples)
    return f"p50 {median:6.1f} ms   p95 {p95:6.1f} ms   max {samples[-1]:6.1f} ms"


def time_it(action) -> list[float]:  # type: ignore[no-untyped-def]
    action()  # warm up connections and the interpreter's caches
    samples = []
    for _ in range(RUNS):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def the_unit(now: datetime) -> tuple[Unit, list[ServiceAtLocation]]:
    """The unit with its eight bookable services, made on the first run."""
    unit = Unit.objects.filter(slug=UNIT).first()
    if unit is not None:
        sals = list(
            ServiceAtLocation.objects.filter(service__unit=unit)
            .select_related("service", "location")
            .order_by("service__name")
        )
        return unit, sals
    with transaction.atomic():
        unit = Unit.objects.create(slug=UNIT, name="Bench unit", kind=UnitKind.LOCAL_UNIT)
        admin = StaffFactory(unit=unit, roles=[Role.ADMINISTRATOR], username="bench-slots-admin")
        officers = [
            StaffFactory(unit=unit, roles=[Role.FRONT_OFFICE_OFFICER], username=f"bench-slots-{n}")
            for n in range(3)
        ]
        organization = Organization.objects.create(name="Bench organisation", description="")
        sals = []
        for place in range(2):
            location = Location.objects.create(
                name=f"Bench place {place}",
                time_zone="Atlantic/Cape_Verde",
                country="CV",
                municipality="Praia",
                holiday_subdivision="PR",
            )
            for opens, closes in ((clock(8), clock(12)), (clock(13), clock(16))):
                Schedule.objects.create(
                    location=location, byday="MO,TU,WE,TH,FR", opens_at=opens, closes_at=closes
                )
            for number in range(SERVICES_PER_LOCATION):
                service = Service.objects.create(
                    organization=organization,
                    unit=unit,
                    name=f"Bench service {place}.{number}",
                    description="",
                )
                sal = ServiceAtLocation.objects.create(service=service, location=location)
                make_bookable(
                    actor=admin,
                    service_at_location=sal,
                    slot_minutes=20,
                    places=3,
                    book_ahead_days=70,
                    cancel_until_hours=24,
                    staff=officers if number == 0 else (),
                    now=now,
                )
                sals.append(sal)
    return unit, sals


def book_half(sals: list[ServiceAtLocation], now: datetime, rng: random.Random) -> int:
    """Bookings (and absences) afresh, relative to ``now``."""
    bookables = BookableService.objects.filter(service_at_location__in=sals)
    staff = list(User.objects.filter(username__startswith="bench-slots-").exclude(
        username="bench-slots-admin"))  # fmt: skip
    with transaction.atomic():
        Booking.objects.filter(bookable__in=bookables).delete()
        StaffAbsence.objects.filter(staff__in=staff).delete()
        today = now.astimezone(ZONE).date()
        # One officer away on Tuesday and Thursday afternoons.
        absences = []
        for offset in range(WEEKS * 7 + 7):
            day = today + timedelta(days=offset)
            if day.weekday() in (1, 3):
                absences.append(
                    StaffAbsence(
                        staff=staff[0],
                        starts_at=datetime.combine(day, clock(13), tzinfo=ZONE),
                        ends_at=datetime.combine(day, clock(16), tzinfo=ZONE),
                        created_at=now,
                    )
                )
        StaffAbsence.objects.bulk_create(absences)
        rows = []
        for bookable in bookables.select_related("service_at_location__location"):
            slots = slots_between(
                bookable,
                start_date=today,
                end_date=today + timedelta(days=WEEKS * 7 - 1),
                now=now - timedelta(hours=3),  # today's morning slots too
            )
            for slot in slots:
                for place in range(1, slot.capacity + 1):
                    if rng.random() >= BOOKED:
                        continue
                    n = len(rows)
                    cancelled = rng.random() < 0.1
                    rows.append(
                        Booking(
                            bookable=bookable,
                            reference=f"S{n:08d}",
                            secret_digest=f"{n:064d}",
                            starts_at=slot.start.astimezone(UTC),
                            ends_at=slot.end.astimezone(UTC),
                            place_number=place,
                            status=BookingStatus.CANCELLED if cancelled else BookingStatus.BOOKED,
                            status_changed_at=now,
                            name=f"Pessoa {n}",
                            phone=f"+2389{n % 1000000:06d}",
                            language="pt",
                            created_at=now - timedelta(days=3),
                        )
                    )
        Booking.objects.bulk_create(rows, batch_size=2000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # as the database's own maintenance would, after a bulk load
    return len(rows)


def main() -> None:
    call_command("migrate", verbosity=0)
    rng = random.Random(1)
    now = weekday_morning(timezone.now())
    unit, sals = the_unit(now)
    made = book_half(sals, now, rng)
    today = now.astimezone(ZONE).date()
    last = today + timedelta(days=WEEKS * 7 - 1)

    def unit_slots() -> int:
        return sum(
            len(free_slots(service_at_location=sal, start_date=today, end_date=last, now=now))
            for sal in sals
        )

    with CaptureQueriesContext(connection) as queries:
        free = unit_slots()
    capacity = sum(
        slot.capacity
        for bookable in BookableService.objects.filter(service_at_location__in=sals)
        for slot in slots_between(bookable, start_date=today, end_date=last, now=now)
    )
    print(
        f"{connection.vendor}: {len(sals)} bookable services, {made} bookings "
        f"({Booking.objects.filter(status=BookingStatus.BOOKED).count()} holding a place) of "
        f"{capacity} places; {free} slots with a place left from {today} to {last}; "
        f"{len(queries)} queries; {RUNS} runs at {now:%a %Y-%m-%d %H:%M}"
    )
    print(f"unit's free slots, 8 weeks, domain  {percentiles(time_it(unit_slots))}")

    def whole_unit() -> int:
        found = free_slots_of_unit(unit=unit, start_date=today, end_date=last, now=now)
        return sum(len(slots) for slots in found.values())

    with CaptureQueriesContext(connection) as queries:
        assert whole_unit() == free
    print(f"the same at once (free_slots_of_unit, {len(queries)} queries)")
    print(f"unit's free slots, 8 weeks, at once {percentiles(time_it(whole_unit))}")
    # Python's full garbage collections walk every object alive, most of them what Django
    # loaded at start-up; a server that freezes its start-up heap (gc.freeze()) skips those.
    gc.collect()
    gc.freeze()
    print(f"the same, start-up heap frozen      {percentiles(time_it(whole_unit))}")
    gc.unfreeze()

    def one_service() -> None:
        free_slots(service_at_location=sals[0], start_date=today, end_date=last, now=now)

    print(f"one service, 8 weeks, domain        {percentiles(time_it(one_service))}")

    try:
        url = reverse("api_v1:appointment_slots")
    except NoReverseMatch:
        url = "/api/v1/appointments/slots/"
    client = Client()
    sal = sals[0]
    query = {
        "service": str(sal.service_id),
        "location": str(sal.location_id),
        "from": date.isoformat(today),
        "to": date.isoformat(last),
    }
    with time_machine.travel(now, tick=True):
        first = client.get(url, query)
        if first.status_code != 200:
            print(f"API {url}: {first.status_code}, not timed")
            return
        slots = first.json()
        count = len(slots.get("slots", slots) if isinstance(slots, dict) else slots)

        def api() -> None:
            response = client.get(url, query, REMOTE_ADDR=f"10.0.{rng.randrange(256)}.1")
            assert response.status_code == 200, response.status_code

        print(f"API: {count} slots of one service")
        print(f"API, one service, 8 weeks           {percentiles(time_it(api))}")


if __name__ == "__main__":
    main()
