"""Server time of the directory's "open now" list over the generated services, uncached.

    DATABASE_URL=sqlite:///var/bench/bench.sqlite3 .venv/bin/python bench/open_now.py
Prints p50 and p95 in milliseconds for: the open-now list page (first page and a later page),
and the bare query behind it (count and first page of entries)."""

import os
import statistics
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django
import time_machine

django.setup()

from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from coop4int.directory.domain.index import refresh_entries  # noqa: E402
from coop4int.directory.domain.queries import DirectoryFilter, directory_entries  # noqa: E402
from coop4int.directory.models import DirectoryEntry  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "200"))


def percentiles(samples: list[float]) -> str:
    samples = sorted(samples)
    p95 = samples[int(len(samples) * 0.95) - 1]
    return f"p50 {statistics.median(samples):6.1f} ms   p95 {p95:6.1f} ms"


def time_it(action) -> list[float]:  # type: ignore[no-untyped-def]
    action()  # warm up connections and caches of the interpreter
    samples = []
    for _ in range(RUNS):
        cache.clear()  # the page cache and the facets: every request is uncached
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def weekday_morning(now: datetime) -> datetime:
    """10:00 in Praia on the first weekday from ``now``'s date (today included)."""
    day = now.astimezone(ZoneInfo("Atlantic/Cape_Verde")).date()
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime(day.year, day.month, day.day, 10, 0, tzinfo=ZoneInfo("Atlantic/Cape_Verde"))


def main() -> None:
    client = Client()
    entries = DirectoryEntry.objects.count()
    now = timezone.now()
    # The intervals were written when the data was generated: roll them forward to today, as
    # the periodic job does, so that the page (which reads the real clock) has open places.
    refresh_entries(now=now)
    # The next weekday morning in Praia, when most generated places are open.
    at = weekday_morning(now)
    open_count = directory_entries(DirectoryFilter(open_now=True), at).count()
    print(f"{connection.vendor}: {entries} entries, {open_count} open at {at:%a %H:%M}")

    def query() -> None:
        found = directory_entries(DirectoryFilter(open_now=True), at)
        found.count()
        list(found[:20])

    def page(number: int):  # type: ignore[no-untyped-def]
        def get() -> None:
            response = client.get(f"/pt/directory/?open_now=on&page={number}")
            assert response.status_code == 200

        return get

    print(f"open-now query (count + first 20)      {percentiles(time_it(query))}")
    # The page reads the clock: it is asked at that weekday morning too, or on a night or a
    # weekend it would list nothing and measure the easy case.
    with time_machine.travel(at, tick=True):
        with CaptureQueriesContext(connection) as queries:
            cache.clear()
            page(1)()
        listed = directory_entries(DirectoryFilter(open_now=True), timezone.now()).count()
        print(f"queries per uncached open-now page: {len(queries)}; {listed} open on the page")
        print(f"open-now page 1, uncached              {percentiles(time_it(page(1)))}")
        print(f"open-now page 50, uncached             {percentiles(time_it(page(50)))}")


if __name__ == "__main__":
    main()
