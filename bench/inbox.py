"""Server time of the officer's inbox over many cases (default 1,000,000 cases with 5,000,000
interactions), and how many e-mails per second ``ingest_email``'s filing takes.

    DATABASE_URL=sqlite:///$PWD/var/bench/cases.sqlite3 .venv/bin/python bench/inbox.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/coop4int_cases .venv/bin/python bench/inbox.py

Cases are spread over the four local units (a quarter each) and twenty officers; the first run
generates them (BENCH_CASES to change the number; on PostgreSQL the database makes the rows
itself with generate_series, SQLite with a recursive series). Then the inbox's first page
and its 100th page (reached through the keyset cursor) are each requested BENCH_RUNS times
through the whole view, logged in as an officer of one unit."""

import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402

from coop4int.accounts.enums import Role, UnitKind  # noqa: E402
from coop4int.accounts.models import Unit, User  # noqa: E402
from coop4int.accounts.tests.factories import StaffFactory, log_in_verified  # noqa: E402
from coop4int.cases.domain.queries import PAGE_SIZE, InboxFilter, InboxView, inbox  # noqa: E402
from coop4int.cases.enums import Channel, Direction, Status  # noqa: E402
from coop4int.cases.models import Case, Interaction  # noqa: E402

CASES = int(os.environ.get("BENCH_CASES", "1000000"))
RUNS = int(os.environ.get("BENCH_RUNS", "100"))
BATCH = 5000
START = datetime(2024, 1, 1, tzinfo=UTC)
STATUSES = [Status.NEW, Status.OPEN, Status.WAITING_PERSON, Status.RESOLVED, Status.CLOSED,
            Status.CLOSED, Status.CLOSED, Status.CLOSED]  # fmt: skip


def generate(rng: random.Random) -> None:
    national, _ = Unit.objects.get_or_create(
        slug="bench-aai", defaults={"name": "AAI", "kind": UnitKind.NATIONAL_AUTHORITY}
    )
    units = [
        Unit.objects.get_or_create(
            slug=f"bench-{n}",
            defaults={"name": f"Unit {n}", "kind": UnitKind.LOCAL_UNIT, "parent": national},
        )[0]
        for n in range(4)
    ]
    officers = [
        StaffFactory(unit=units[n % 4], roles=[Role.FRONT_OFFICE_OFFICER], username=f"bench{n}")
        for n in range(20)
    ]
    if connection.vendor == "postgresql":
        generate_in_postgresql(units, officers)
        return
    if connection.vendor == "sqlite":
        generate_in_sqlite(units, officers)
        return
    made = 0
    while made < CASES:
        count = min(BATCH, CASES - made)
        cases = []
        for n in range(made, made + count):
            opened = START + timedelta(minutes=n)
            officer = rng.choice(officers) if rng.random() < 0.8 else None
            cases.append(
                Case(
                    reference=f"B{n:08d}",
                    tracking_digest=f"{n:064d}",
                    unit=units[n % 4],
                    person=None,
                    subject=f"Pedido {n}",
                    assigned_to=officer if officer and officer.unit_id == units[n % 4].pk else None,
                    status=rng.choice(STATUSES),
                    channel=rng.choice([c for c in Channel if c != Channel.NOTE]),
                    language="pt",
                    opened_at=opened,
                    due_at=opened + timedelta(hours=rng.randint(8, 72)),
                    last_activity_at=opened,
                )
            )
        with transaction.atomic():
            created = Case.objects.bulk_create(cases, batch_size=1000)
            Interaction.objects.bulk_create(
                [
                    Interaction(
                        case=case,
                        channel=case.channel,
                        direction=Direction.IN if i % 2 == 0 else Direction.OUT,
                        body="Texto da mensagem " * 5,
                        is_public=True,
                        occurred_at=case.opened_at + timedelta(hours=i),
                    )
                    for case in created
                    for i in range(5)
                ],
                batch_size=2000,
            )
        made += count
        if made % 100000 == 0:
            print(f"  {made} cases", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def generate_in_postgresql(units: list[Unit], officers: list[User]) -> None:
    """The same shape of data, made by the database itself (a million cases in minutes)."""
    unit_ids = ",".join(str(u.pk) for u in units)
    # Officer k serves unit k % 4; a case of unit i % 4 goes to one of that unit's five, or
    # to nobody one time in five.
    officer_ids = ",".join(str(o.pk) for o in officers)
    statuses = ",".join(f"'{s}'" for s in STATUSES)
    channels = ",".join(f"'{c}'" for c in Channel if c != Channel.NOTE)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO cases_case (reference, tracking_digest, unit_id, person_id, subject,
                assigned_to_id, priority, status, channel, language, reply_email, reply_phone,
                opened_at, due_at, first_reply_at, resolved_at, closed_at, last_activity_at,
                version, satisfaction_asked_at, satisfaction, is_demo)
            SELECT 'B' || lpad(i::text, 8, '0'), lpad(i::text, 64, '0'),
                (ARRAY[{unit_ids}])[1 + i %% 4], NULL, 'Pedido ' || i,
                CASE WHEN i %% 5 = 0 THEN NULL
                     ELSE (ARRAY[{officer_ids}])[1 + i %% 4 + 4 * ((i / 4) %% 5)] END,
                2, (ARRAY[{statuses}])[1 + (i * 7919) %% 8],
                (ARRAY[{channels}])[1 + (i * 31) %% 6], 'pt', '', '',
                %s + i * interval '1 minute',
                %s + i * interval '1 minute' + (8 + (i * 13) %% 64) * interval '1 hour',
                NULL, NULL, NULL, %s + i * interval '1 minute', 1, NULL, NULL, false
            FROM generate_series(0::bigint, %s - 1) AS i
            """,
            [START, START, START, CASES],
        )
        cursor.execute(
            """
            INSERT INTO cases_interaction (case_id, channel, direction, body, author_id,
                language, is_public, occurred_at, duration_seconds, interpreter, message_id,
                delivery, delivery_error)
            SELECT c.id, c.channel, CASE WHEN k % 2 = 0 THEN 'in' ELSE 'out' END,
                repeat('Texto da mensagem ', 5), NULL, 'pt', true,
                c.opened_at + k * interval '1 hour', NULL, '', NULL, '', ''
            FROM cases_case c CROSS JOIN generate_series(0, 4) AS k
            """
        )
        cursor.execute("ANALYZE")


def generate_in_sqlite(units: list[Unit], officers: list[User]) -> None:
    """The same rows as on PostgreSQL, made by SQLite itself (a recursive series)."""
    unit_ids = [u.pk for u in units]
    officer_ids = [o.pk for o in officers]
    statuses = [str(s) for s in STATUSES]
    channels = [str(c) for c in Channel if c != Channel.NOTE]

    def pick(values: list[object], index: str) -> str:
        cases = " ".join(f"WHEN {n} THEN '{v}'" for n, v in enumerate(values))
        return f"CASE {index} {cases} END"

    start = "'2024-01-01 00:00:00'"
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH RECURSIVE series(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM series
                                         WHERE i + 1 < {CASES})
            INSERT INTO cases_case (reference, tracking_digest, unit_id, person_id, subject,
                assigned_to_id, priority, status, channel, language, reply_email, reply_phone,
                opened_at, due_at, first_reply_at, resolved_at, closed_at, last_activity_at,
                version, satisfaction_asked_at, satisfaction, is_demo)
            SELECT printf('B%08d', i), printf('%064d', i), {pick(unit_ids, "i % 4")}, NULL,
                'Pedido ' || i,
                CASE WHEN i % 5 = 0 THEN NULL
                     ELSE {pick(officer_ids, "(i % 4 + 4 * ((i / 4) % 5))")} END,
                2, {pick(statuses, "((i * 7919) % 8)")}, {pick(channels, "((i * 31) % 6)")},
                'pt', '', '',
                datetime({start}, '+' || i || ' minutes'),
                datetime({start}, '+' || i || ' minutes',
                         '+' || (8 + (i * 13) % 64) || ' hours'),
                NULL, NULL, NULL, datetime({start}, '+' || i || ' minutes'), 1, NULL, NULL, 0
            FROM series
            """
        )
        cursor.execute(
            """
            WITH RECURSIVE k(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM k WHERE n < 4)
            INSERT INTO cases_interaction (case_id, channel, direction, body, author_id,
                language, is_public, occurred_at, duration_seconds, interpreter, message_id,
                delivery, delivery_error)
            SELECT c.id, c.channel, CASE WHEN k.n % 2 = 0 THEN 'in' ELSE 'out' END,
                'Texto da mensagem Texto da mensagem Texto da mensagem Texto da mensagem ',
                NULL, 'pt', 1, datetime(c.opened_at, '+' || k.n || ' hours'), NULL, '', NULL,
                '', ''
            FROM cases_case c CROSS JOIN k
            """
        )
        cursor.execute("ANALYZE")


def timed(client: Client, url: str) -> list[float]:
    client.get(url)
    samples = []
    for _ in range(RUNS):
        started = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    return sorted(samples)


def main() -> None:
    call_command("migrate", verbosity=0)
    rng = random.Random(1)
    if not Case.objects.exists():
        started = time.perf_counter()
        generate(rng)
        print(
            f"{Case.objects.count()} cases, {Interaction.objects.count()} interactions "
            f"in {time.perf_counter() - started:.0f} s"
        )
    officer = User.objects.get(username="bench0")
    client = log_in_verified(Client(), officer)
    criteria = InboxFilter(view=InboxView.CLOSED)
    cursor = ""
    for _ in range(99):  # the cursor of the 100th page
        cursor = inbox(officer, criteria, after=cursor).next_cursor
    first = timed(client, "/staff/cases/?view=closed")
    hundredth = timed(client, f"/staff/cases/?view=closed&after={cursor}")
    print(f"{connection.vendor}: {Case.objects.count()} cases, page of {PAGE_SIZE}, {RUNS} runs")
    for name, samples in (("first page", first), ("100th page", hundredth)):
        p95 = samples[int(len(samples) * 0.95) - 1]
        print(f"inbox {name:11} p50 {statistics.median(samples):6.1f} ms   p95 {p95:6.1f} ms")
    print(f"100th / first (p50): {statistics.median(hundredth) / statistics.median(first):.2f}")


if __name__ == "__main__":
    main()
