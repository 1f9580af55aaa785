"""Fifty people book the last place of a slot at the same moment, through the API
(``POST /api/v1/appointments/``) of a real server: exactly one ``201``, forty-nine ``409``,
no ``5xx`` — on the database of DATABASE_URL (SQLite: WAL and IMMEDIATE transactions, the
defaults).

    DATABASE_URL=sqlite:///$PWD/var/bench/appointments.sqlite3 \
        .venv/bin/python bench/appointment_concurrency.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/coop4int_appointments \
        .venv/bin/python bench/appointment_concurrency.py

The server is ``coop4int serve`` (gunicorn, BENCH_WORKERS sync workers, default 8, no task
worker) with ``bench/settings.py``. Each round (BENCH_ROUNDS, default 5) takes a new slot of
three places, books two of them in-process, then starts BENCH_CLIENTS threads (default 50) that
wait on one barrier and post at once, each from its own client address (``X-Forwarded-For``
through the trusted local proxy, as behind the production proxy) with its own phone number.
Afterwards the slot must hold exactly three bookings.

With BENCH_FORM=1 the same is done through the public booking form too, when it is there
(the form's page first, for its CSRF cookie and token)."""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from datetime import datetime, timedelta
from datetime import time as clock
from functools import partial
from http.cookiejar import CookieJar
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
# Confirmations are sent, to nowhere: in this process and in the server's.
os.environ.setdefault("EMAIL_URL", "dummymail://")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.urls import NoReverseMatch, reverse  # noqa: E402
from django.utils import timezone, translation  # noqa: E402

from coop4int.accounts.enums import Role, UnitKind  # noqa: E402
from coop4int.accounts.models import Unit  # noqa: E402
from coop4int.accounts.tests.factories import StaffFactory  # noqa: E402
from coop4int.appointments.domain.booking import book_slot, make_bookable  # noqa: E402
from coop4int.appointments.domain.slots import slots_between  # noqa: E402
from coop4int.appointments.enums import HOLDING  # noqa: E402
from coop4int.appointments.models import BookableService, Booking  # noqa: E402
from coop4int.directory.models import (  # noqa: E402
    Location,
    Organization,
    Schedule,
    Service,
    ServiceAtLocation,
)

CLIENTS = int(os.environ.get("BENCH_CLIENTS", "50"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "8"))
FORM = os.environ.get("BENCH_FORM", "") == "1"
ZONE = ZoneInfo("Atlantic/Cape_Verde")
UNIT = "bench-concurrency"
PLACES = 3
# The server's access log and errors, to see what a failed round met.
LOG = ROOT / "var" / "bench" / "appointment_concurrency.log"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def the_service() -> ServiceAtLocation:
    """A service open every day 08:00–18:00, bookable 60 days ahead in 30-minute slots of three
    places; made on the first run."""
    unit = Unit.objects.filter(slug=UNIT).first()
    if unit is not None:
        return ServiceAtLocation.objects.select_related("service", "location").get(
            service__unit=unit
        )
    with transaction.atomic():
        unit = Unit.objects.create(slug=UNIT, name="Bench unit", kind=UnitKind.LOCAL_UNIT)
        admin = StaffFactory(unit=unit, roles=[Role.ADMINISTRATOR], username="bench-conc-admin")
        location = Location.objects.create(
            name="Bench desk", time_zone="Atlantic/Cape_Verde", country="CV"
        )
        Schedule.objects.create(
            location=location, byday="MO,TU,WE,TH,FR,SA,SU", opens_at=clock(8), closes_at=clock(18)
        )
        organization = Organization.objects.create(name="Bench organisation", description="")
        service = Service.objects.create(
            organization=organization, unit=unit, name="Bench service", description=""
        )
        sal = ServiceAtLocation.objects.create(service=service, location=location)
        make_bookable(
            actor=admin,
            service_at_location=sal,
            slot_minutes=30,
            places=PLACES,
            book_ahead_days=60,
            cancel_until_hours=24,
            now=timezone.now(),
        )
    return ServiceAtLocation.objects.select_related("service", "location").get(pk=sal.pk)


def empty_slots(sal: ServiceAtLocation, count: int) -> list[datetime]:
    """``count`` slots from two days ahead on with no booking yet."""
    now = timezone.now()
    bookable = BookableService.objects.get(service_at_location=sal)
    first = (now + timedelta(days=2)).astimezone(ZONE).date()
    slots = slots_between(bookable, start_date=first, end_date=first + timedelta(days=50), now=now)
    empty = [slot.start for slot in slots if slot.taken == 0 and slot.capacity == PLACES]
    if len(empty) < count:
        sys.exit("no empty slot left: drop the bench database's bench-concurrency unit")
    return empty[:count]


def fill_but_one(sal: ServiceAtLocation, start: datetime, round_: int) -> None:
    for place in range(PLACES - 1):
        book_slot(
            service_at_location=sal,
            start=start,
            name=f"Already booked {place}",
            email=f"booked.{round_}.{place}.{time.time_ns()}@example.org",
            language="pt",
            now=timezone.now(),
        )


def holding(sal: ServiceAtLocation, start: datetime) -> int:
    return Booking.objects.filter(
        bookable__service_at_location=sal, starts_at=start, status__in=HOLDING
    ).count()


def post_api(base: str, sal: ServiceAtLocation, start: datetime, n: int, stamp: int) -> int:
    body = json.dumps(
        {
            "service": str(sal.service_id),
            "location": str(sal.location_id),
            "start": start.isoformat(),
            "name": f"Pessoa {n}",
            "email": f"p{n}.{stamp}@example.org",
            "language": "pt",
        }
    ).encode()
    request = urllib.request.Request(
        base + "/api/v1/appointments/",
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "X-Forwarded-For": f"10.{stamp % 200}.{n // 250}.{n % 250 + 1}",
        },
    )
    return send(request)


def send(
    request: urllib.request.Request, opener: urllib.request.OpenerDirector | None = None
) -> int:
    try:
        with (opener or urllib.request.build_opener()).open(request, timeout=120) as response:
            response.read()
            return int(response.status)
    except urllib.error.HTTPError as error:
        with error:
            error.read()
            return int(error.code)
    except OSError:
        return -1


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A form that books answers 302 to the appointment's page: counted as such, not followed."""

    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


def form_poster(base: str, sal: ServiceAtLocation, start: datetime, n: int, stamp: int):  # type: ignore[no-untyped-def]
    """Fetch the booking form's page (its CSRF cookie and token) now; return the POST to send
    at the barrier."""
    path = form_path(sal, start)
    hhmm = start.astimezone(ZONE).strftime("%H%M")
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect)
    forwarded = {"X-Forwarded-For": f"10.{100 + stamp % 100}.{n // 250}.{n % 250 + 1}"}
    page = opener.open(
        urllib.request.Request(f"{base}{path}?time={hhmm}", headers=forwarded), timeout=60
    )
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.read().decode())
    assert token, "no CSRF token in the booking form"
    data = urllib.parse.urlencode(
        {
            "csrfmiddlewaretoken": token.group(1),
            "time": hhmm,
            "name": f"Pessoa {n}",
            "email": f"f{n}.{stamp}@example.org",
            "notify_by": "email",
            "language": "pt",
            "website": "",
        }
    ).encode()

    def post() -> int:
        request = urllib.request.Request(
            base + path, data=data, method="POST",
            headers=forwarded | {"Referer": base + path},
        )  # fmt: skip
        return send(request, opener)

    return post


def form_path(sal: ServiceAtLocation, start: datetime) -> str:
    """The public booking form of ``start``'s day (Portuguese)."""
    with translation.override("pt"):
        return reverse(
            "portal:appointment_book", args=[sal.pk, start.astimezone(ZONE).date().isoformat()]
        )


def storm(posters: list) -> tuple[Counter[int], float]:  # type: ignore[type-arg]
    barrier = threading.Barrier(len(posters))
    codes: list[int] = []
    lock = threading.Lock()

    def run(post) -> None:  # type: ignore[no-untyped-def]
        barrier.wait()
        code = post()
        with lock:
            codes.append(code)

    threads = [threading.Thread(target=run, args=(post,)) for post in posters]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Counter(codes), time.perf_counter() - started


def verdict(codes: Counter[int], held: int, success: int) -> str:
    fine = (
        codes[success] == 1
        and codes[409] == CLIENTS - 1
        and not any(code >= 500 or code < 0 for code in codes)
        and held == PLACES
    )
    return "OK" if fine else "FAILED"


def main() -> None:
    call_command("migrate", verbosity=0)
    sal = the_service()
    port = free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings", "PYTHONPATH": str(ROOT)}
    env.setdefault("SECRET_KEY", "bench-only-secret-key-" + "x" * 40)
    LOG.parent.mkdir(parents=True, exist_ok=True)
    log = LOG.open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "coop4int", "serve", "--port", str(port), "--no-worker",
         "--workers", str(WORKERS)],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    failures = 0
    try:
        slots = base + "/api/v1/appointments/slots/?" + urllib.parse.urlencode(
            {"service": sal.service_id, "location": sal.location_id,
             "from": timezone.localdate(), "to": timezone.localdate() + timedelta(days=7)}
        )  # fmt: skip
        for _ in range(300):
            try:
                urllib.request.urlopen(slots, timeout=30).read()
                break
            except OSError:
                time.sleep(0.2)
        else:
            sys.exit("the server did not start")
        # Every worker's first request loads what Django loads lazily: not what is measured.
        warm, _seconds = storm([partial(send, urllib.request.Request(slots))] * (4 * WORKERS))
        assert set(warm) == {200}, warm
        print(
            f"{connection.vendor}: {CLIENTS} clients at once on the last of {PLACES} places, "
            f"gunicorn {WORKERS} sync workers, {ROUNDS} rounds"
        )
        channels = [("API", post_api, 201)]
        if FORM:
            try:
                form_path(sal, timezone.now())
                channels.append(("form", form_poster, 302))
            except NoReverseMatch as error:
                print(f"form: not measured ({error})")
        starts = empty_slots(sal, ROUNDS * len(channels))
        for round_ in range(ROUNDS):
            for name, make, success in channels:
                start = starts.pop(0)
                fill_but_one(sal, start, round_)
                stamp = time.time_ns()
                posters = [
                    partial(post_api, base, sal, start, n, stamp)
                    if make is post_api
                    else make(base, sal, start, n, stamp)
                    for n in range(CLIENTS)
                ]
                codes, seconds = storm(posters)
                held = holding(sal, start)
                result = verdict(codes, held, success)
                failures += result != "OK"
                shown = ", ".join(f"{code}: {count}" for code, count in sorted(codes.items()))
                print(
                    f"round {round_ + 1} {name:4} {start:%Y-%m-%d %H:%M}  {shown}  "
                    f"places held {held}/{PLACES}  {seconds:5.2f} s  {result}"
                )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        log.close()
    if failures:
        sys.exit(f"{failures} round(s) FAILED")


if __name__ == "__main__":
    main()
