"""The waiting-room display under 200 screens, each asking every 2 seconds (goal: p95 under
50 ms), against a real server while an officer calls tickets.

    DATABASE_URL=sqlite:///$PWD/var/bench/appointments.sqlite3 \
        .venv/bin/python bench/display_load.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/coop4int_appointments \
        .venv/bin/python bench/display_load.py

The server is ``coop4int serve`` (gunicorn, BENCH_WORKERS sync workers, default 2 as
``serve`` starts, no task worker) with ``bench/settings.py``; its access log records each
request's own time (gunicorn's ``%(D)s``: from the worker reading the request to the last
byte written), the server time. The screens share one event loop (asyncio, one connection
per request, as a browser's to gunicorn); each asks every BENCH_INTERVAL seconds (default 2),
starting at a random moment of the first interval, for BENCH_SECONDS (default 60). Each
answer is timed from the connection opened to the last byte read: the response time, which
includes the wait in the server's queue and this client's own share of the two cores.

Two kinds of screen, one run each (BENCH_MODES, default both):

- ``feed``: the page's script, as ``portal/static/portal/queue_display.js`` polls — the JSON
  feed with ``If-None-Match``, answered ``304`` until a call changes it;
- ``page``: a screen without JavaScript, reloading the whole display page (HTML) as its
  ``<noscript>`` refresh does, every BENCH_PAGE_INTERVAL seconds (default 5, the page's own).

Meanwhile an officer calls the next ticket to a desk every BENCH_CALL_EVERY seconds (default
10), in this process through ``appointments.domain.queue.call_next``, so the screens see new
calls as they would. The location's day starts with 200 tickets taken."""

import asyncio
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from datetime import time as clock
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
# The page's static files are collected (as a deployment does) under the bench's own folder.
os.environ.setdefault("COOP4INT_DATA_DIR", str(ROOT / "var" / "bench" / "data"))

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone, translation  # noqa: E402

from coop4int.accounts.enums import Role, UnitKind  # noqa: E402
from coop4int.accounts.models import Unit, User  # noqa: E402
from coop4int.accounts.tests.factories import StaffFactory  # noqa: E402
from coop4int.appointments.domain.queue import call_next, take_ticket  # noqa: E402
from coop4int.appointments.domain.queue_queries import location_today  # noqa: E402
from coop4int.appointments.models import QueueSettings, Ticket  # noqa: E402
from coop4int.directory.models import (  # noqa: E402
    Location,
    Organization,
    Schedule,
    Service,
    ServiceAtLocation,
)

SCREENS = int(os.environ.get("BENCH_SCREENS", "200"))
INTERVAL = float(os.environ.get("BENCH_INTERVAL", "2"))
PAGE_INTERVAL = float(os.environ.get("BENCH_PAGE_INTERVAL", "5"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "60"))
CALL_EVERY = float(os.environ.get("BENCH_CALL_EVERY", "10"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
MODES = os.environ.get("BENCH_MODES", "feed,page").split(",")
TICKETS = 200
UNIT = "bench-display"
LOG = ROOT / "var" / "bench" / "display_load.log"
# One line per request in the server's access log: status, microseconds, path.
ACCESS_FORMAT = "bench %(s)s %(D)s %(U)s"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def the_waiting_room() -> tuple[ServiceAtLocation, User]:
    """A location with its queue settings, a service and an officer; made on the first run.
    Today's tickets are taken afresh when fewer than half are left to call."""
    unit = Unit.objects.filter(slug=UNIT).first()
    if unit is None:
        with transaction.atomic():
            unit = Unit.objects.create(slug=UNIT, name="Bench unit", kind=UnitKind.LOCAL_UNIT)
            StaffFactory(unit=unit, roles=[Role.FRONT_OFFICE_OFFICER], username="bench-display")
            location = Location.objects.create(
                name="Bench waiting room", time_zone="Atlantic/Cape_Verde", country="CV"
            )
            Schedule.objects.create(
                location=location, byday="MO,TU,WE,TH,FR", opens_at=clock(8), closes_at=clock(16)
            )
            organization = Organization.objects.create(name="Bench organisation", description="")
            service = Service.objects.create(
                organization=organization, unit=unit, name="Bench service", description=""
            )
            ServiceAtLocation.objects.create(service=service, location=location)
            QueueSettings.objects.create(
                location=location, display_language="fr", updated_at=timezone.now()
            )
    sal = ServiceAtLocation.objects.select_related("service", "location").get(service__unit=unit)
    officer = User.objects.get(username="bench-display")
    now = timezone.now()
    today = location_today(sal.location, now)
    waiting = Ticket.objects.filter(location=sal.location, status="waiting", day=today)
    if waiting.count() < TICKETS // 2:
        for n in range(TICKETS):
            take_ticket(
                service_at_location=sal,
                language="pt",
                actor=officer,
                now=now - timedelta(seconds=TICKETS - n),
            )
        for desk in range(6):
            call_next(
                location=sal.location, service_ids=[sal.pk], desk=str(desk + 1),
                actor=officer, now=timezone.now(),
            )  # fmt: skip
    return sal, officer


def get(url: str, etag: str) -> tuple[int, str, float]:
    """One request with urllib (to wait for the server), its status, ETag and milliseconds."""
    headers = {"If-None-Match": etag} if etag else {}
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30) as r:
            r.read()
            status, etag = int(r.status), r.headers.get("ETag", etag)
    except urllib.error.HTTPError as error:
        with error:
            error.read()
            status = int(error.code)
    except OSError:
        status = -1
    return status, etag, (time.perf_counter() - started) * 1000


async def ask(port: int, path: str, etag: str) -> tuple[int, str, float]:
    """One request as a screen's browser sends it, on its own connection (gunicorn's sync
    workers close each one); its status, ETag and milliseconds to the last byte."""
    started = time.perf_counter()
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        conditional = f"If-None-Match: {etag}\r\n" if etag else ""
        writer.write(
            f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept-Encoding: gzip\r\n"
            f"{conditional}Connection: close\r\n\r\n".encode()
        )
        answer = await asyncio.wait_for(reader.read(-1), timeout=30)
        writer.close()
    except (OSError, TimeoutError):
        return -1, etag, (time.perf_counter() - started) * 1000
    took = (time.perf_counter() - started) * 1000
    head = answer.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    status = int(head.split(" ", 2)[1]) if head.startswith("HTTP/") else -1
    found = re.search(r"^etag: *(.+)$", head, re.I | re.M)
    return status, found.group(1).strip() if found else etag, took


def screens(
    port: int, path: str, conditional: bool, interval: float
) -> tuple[list[float], Counter[int]]:
    """SCREENS screens in one event loop (so that the client's own cost stays small), each
    asking every ``interval`` seconds from a random moment of the first interval."""
    samples: list[float] = []
    codes: Counter[int] = Counter()

    async def screen(seed: int, ends: float) -> None:
        loop = asyncio.get_running_loop()
        await asyncio.sleep(random.Random(seed).random() * interval)
        etag = ""
        next_at = loop.time()
        while next_at < ends:
            status, new_etag, took = await ask(port, path, etag)
            if conditional and status in (200, 304):
                etag = new_etag
            samples.append(took)
            codes[status] += 1
            next_at += interval
            await asyncio.sleep(max(0.0, next_at - loop.time()))

    async def run() -> None:
        ends = asyncio.get_running_loop().time() + SECONDS
        await asyncio.gather(*(screen(n, ends) for n in range(SCREENS)))

    asyncio.run(run())
    return samples, codes


def officer_calling(sal: ServiceAtLocation, officer: User, stop: threading.Event) -> None:
    calls = 0
    while not stop.wait(CALL_EVERY):
        call_next(
            location=sal.location, service_ids=[sal.pk], desk=str(calls % 6 + 1),
            actor=officer, now=timezone.now(),
        )  # fmt: skip
        calls += 1
    connection.close()


def summary(samples: list[float]) -> str:
    if not samples:
        return "no samples"
    samples = sorted(samples)
    p95 = samples[int(len(samples) * 0.95) - 1]
    return (
        f"p50 {statistics.median(samples):6.1f} ms   p95 {p95:6.1f} ms   max {samples[-1]:7.1f} ms"
    )


def server_times(log_text: str, path: str) -> list[float]:
    """The server time of each request to ``path`` in the access log, in milliseconds."""
    return [
        int(micros) / 1000
        for micros, logged in re.findall(r"^bench \d+ (\d+) (\S+)$", log_text, re.M)
        if logged == path
    ]


def main() -> None:
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    sal, officer = the_waiting_room()
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "PYTHONPATH": str(ROOT),
        "GUNICORN_CMD_ARGS": f"--access-logformat '{ACCESS_FORMAT}'",
    }
    env.setdefault("SECRET_KEY", "bench-only-secret-key-" + "x" * 40)
    LOG.parent.mkdir(parents=True, exist_ok=True)
    base = f"http://127.0.0.1:{port}"
    with translation.override("pt"):
        paths = {
            "feed": reverse("portal:queue_display_feed", args=[sal.location_id]),
            "page": reverse("portal:queue_display", args=[sal.location_id]),
        }
    print(
        f"{connection.vendor}: {SCREENS} screens every {INTERVAL:g} s (feed) or "
        f"{PAGE_INTERVAL:g} s (page) for {SECONDS:g} s, "
        f"a call every {CALL_EVERY:g} s, gunicorn {WORKERS} sync workers"
    )
    for mode in MODES:
        with LOG.open("w") as log:
            server = subprocess.Popen(
                [sys.executable, "-m", "coop4int", "serve", "--port", str(port), "--no-worker",
                 "--workers", str(WORKERS)],
                env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
            try:
                for _ in range(300):
                    if get(base + paths[mode], "")[0] == 200:
                        break
                    time.sleep(0.2)
                else:
                    sys.exit("the server did not start")
                for _ in range(4 * WORKERS):  # every worker's first request loads lazily
                    get(base + paths[mode], "")
                stop = threading.Event()
                caller = threading.Thread(target=officer_calling, args=(sal, officer, stop))
                caller.start()
                try:
                    samples, codes = screens(
                        port,
                        paths[mode],
                        conditional=mode == "feed",
                        interval=INTERVAL if mode == "feed" else PAGE_INTERVAL,
                    )
                finally:
                    stop.set()
                    caller.join()
            finally:
                os.killpg(server.pid, signal.SIGTERM)
                server.wait(timeout=30)
        served = server_times(LOG.read_text(), paths[mode])
        # The first ones logged are the start-up and warm-up requests, not the screens'.
        served = served[max(0, len(served) - len(samples)) :]
        errors = sum(count for code, count in codes.items() if code not in (200, 304))
        shown = ", ".join(f"{code}: {count}" for code, count in sorted(codes.items()))
        print(f"{mode}: {len(samples)} requests ({len(samples) / SECONDS:.0f}/s)  {shown}")
        print(f"  response time  {summary(samples)}")
        print(f"  server time    {summary(served)}   ({len(served)} of the screens' requests)")
        print(f"  errors: {errors}")


if __name__ == "__main__":
    main()
