"""A unit's appointment and waiting-room statistics: each figure on small datasets built here
(percentiles, the last call after a recall, the no-shows and their denominator, the share
within the target, half-hours in the location's time zone), the disclosure control — a hidden
cell cannot be recovered from the shown cells and totals — the audit, and who reads which
unit.

Exact counts are asserted on datasets whose counts are multiples of 5: those are published as
they are, whichever way the rounding goes."""

from datetime import date, datetime, timedelta
from itertools import count
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.http import Http404
from django.test import override_settings
from django.utils import translation

from coop4int.accounts.enums import Role
from coop4int.appointments.domain.booking import book_slot, cancel_booking, mark_no_show
from coop4int.appointments.domain.queue import call_next, recall, take_ticket
from coop4int.appointments.domain.statistics import (
    DAY,
    HALF_HOUR,
    LOCATION,
    SERVICE,
    TOTAL,
    appointment_statistics,
    percentiles,
    published_counts,
    statistics_rows,
)
from coop4int.appointments.enums import TicketStatus
from coop4int.appointments.models import QueueSettings, Ticket
from coop4int.appointments.tests.helpers import NOW, PRAIA, at, bookable_desk
from coop4int.cases.tests.disclosure_attack import Attack, narrower_than, outside
from coop4int.core.models import AuditEntry
from coop4int.directory.models import ServiceAtLocation
from coop4int.directory.tests.places import praia_desk

pytestmark = pytest.mark.django_db

# Monday 19 January 2026 in Praia (Tuesday 20 is a public holiday).
MONDAY = date(2026, 1, 19)
WEEK = {"start": date(2026, 1, 19), "end": date(2026, 1, 23)}
LATER = datetime(2026, 2, 2, 12, tzinfo=PRAIA)
_sequence = count(1)


@pytest.fixture
def coordinator(make_staff, unit):
    return make_staff(Role.UNIT_COORDINATOR, unit)


@pytest.fixture
def officer(make_staff, unit):
    return make_staff(Role.FRONT_OFFICE_OFFICER, unit)


@pytest.fixture
def desk(unit) -> ServiceAtLocation:
    return praia_desk(unit)


def ticket(
    sal: ServiceAtLocation,
    arrived: datetime,
    *,
    waited: float | None = None,
    served: float | None = None,
    **extra: Any,
) -> Ticket:
    """A ticket row as the queue leaves it: arrived, called ``waited`` minutes later, served
    for ``served`` minutes."""
    n = next(_sequence)
    called = arrived + timedelta(minutes=waited) if waited is not None else None
    served_from = called + timedelta(minutes=1) if called and served is not None else None
    values: dict[str, Any] = {
        "location": sal.location,
        "service_at_location": sal,
        "day": arrived.astimezone(PRAIA).date(),
        "sequence": n,
        "number": f"A{n:03d}",
        "language": "pt",
        "secret_digest": "0" * 64,
        "status": TicketStatus.SERVED if served is not None else TicketStatus.WAITING,
        "created_at": arrived,
        "called_at": called,
        "call_count": 1 if called else 0,
        "served_from": served_from,
        "served_until": served_from + timedelta(minutes=served) if served_from else None,
    }
    return Ticket.objects.create(**(values | extra))


def read(user, unit, *, grouping: str = DAY, now: datetime = LATER, **period: Any):
    return appointment_statistics(
        user, unit_id=unit.pk, grouping=grouping, now=now, **(WEEK | period)
    )


def rows(stats) -> dict[str, Any]:
    return {row.key: row for row in stats.rows}


# --- Percentiles and the last call ------------------------------------------------------------


def test_percentiles_are_linear_between_ranks_and_need_enough_values():
    assert percentiles([float(n) for n in range(1, 11)], least=5) == (5.5, 9.1)
    assert percentiles([3.0, 1.0, 2.0, 5.0, 4.0], least=5) == (3.0, 4.6)
    assert percentiles([1.0, 2.0, 3.0, 4.0], least=5) == (None, None)


def test_waiting_and_service_times_at_p50_and_p90(coordinator, desk, unit):
    for n in range(1, 11):
        ticket(desk, at(19, 9, n), waited=n, served=2 * n)
    stats = read(coordinator, unit)
    assert stats.total.tickets == 10
    assert (stats.total.wait_p50, stats.total.wait_p90) == (5.5, 9.1)
    assert (stats.total.service_p50, stats.total.service_p90) == (11.0, 18.2)
    monday = rows(stats)[MONDAY.isoformat()]
    assert (monday.tickets, monday.wait_p50, monday.service_p90) == (10, 5.5, 18.2)


def test_the_last_call_counts_after_a_recall(coordinator, officer, desk, unit):
    """Five walk-ins taken at 09:00, each called at 09:10 and called again at 09:25: they
    waited 25 minutes, not 10."""
    for n in range(5):
        take_ticket(service_at_location=desk, language="pt", actor=officer, now=at(19, 9, n))
    for n in range(5):
        called = call_next(
            location=desk.location, service_ids=[desk.pk], desk="1", actor=officer,
            now=at(19, 9, 10 + n),
        )  # fmt: skip
        assert called is not None
        recall(ticket=called, actor=officer, now=at(19, 9, 25 + n))
    stats = read(coordinator, unit)
    assert stats.total.tickets == 5
    assert stats.total.wait_p50 == stats.total.wait_p90 == 25.0


def test_too_few_tickets_show_no_time_and_no_share(coordinator, desk, unit):
    for n in range(4):
        ticket(desk, at(19, 9, n), waited=5, served=5)
    stats = read(coordinator, unit)
    assert stats.total.tickets in (None, 5)
    total = stats.total
    assert (total.wait_p50, total.wait_p90, total.service_p50, total.service_p90) == (None,) * 4
    assert total.within_target is None


# --- Appointments and no-shows ----------------------------------------------------------------


def test_no_shows_are_counted_out_of_the_appointments_whose_time_has_passed(
    coordinator, officer, unit
):
    """On Monday, ten appointments (five did not come); five more on Wednesday, still to come
    on Tuesday evening; five cancelled, which count nowhere."""
    bookable = bookable_desk(unit, places=5)
    sal = bookable.service_at_location
    phones = (f"+23899100{n:02d}" for n in range(40))

    def book(start: datetime):
        return book_slot(service_at_location=sal, start=start, name="Ana", phone=next(phones),
                         language="pt", now=NOW)[0]  # fmt: skip

    came = [book(at(19, 9)) for _ in range(5)]
    absent = [book(at(19, 10)) for _ in range(5)]
    for booking in absent:
        mark_no_show(booking=booking, actor=officer, now=at(19, 11))
    later = [book(at(21, 9)) for _ in range(5)]
    for booking in [book(at(19, 11)) for _ in range(5)]:
        cancel_booking(booking=booking, actor=officer, reason="Doente", now=NOW)
    assert len(came) == len(later) == 5

    stats = read(coordinator, unit, now=at(20, 18))
    total = stats.total
    assert (total.appointments, total.appointments_due, total.no_shows) == (15, 10, 5)
    by_day = rows(stats)
    monday, wednesday = by_day["2026-01-19"], by_day["2026-01-21"]
    assert (monday.appointments, monday.appointments_due, monday.no_shows) == (10, 10, 5)
    assert (wednesday.appointments, wednesday.appointments_due, wednesday.no_shows) == (
        5, None, None,
    )  # fmt: skip
    # Once Wednesday's time has passed, its appointments are due too.
    assert read(coordinator, unit, now=LATER).total.appointments_due == 15


# --- The target ------------------------------------------------------------------------------


def test_the_share_called_within_the_location_target(coordinator, desk, unit):
    QueueSettings.objects.create(
        location=desk.location, target_minutes=15, target_share=85, updated_at=NOW
    )
    # Eight of ten within 15 minutes (15 itself included), two beyond.
    for n, waited in enumerate([1, 3, 5, 7, 9, 11, 14, 15, 16, 40]):
        ticket(desk, at(19, 9, n), waited=waited)
    total = read(coordinator, unit).total
    assert (total.within_target, total.target_minutes, total.target_share) == (80, 15, 85)


def test_a_location_without_settings_is_measured_against_the_defaults(coordinator, desk, unit):
    for n in range(5):
        ticket(desk, at(19, 9, n), waited=20)
    total = read(coordinator, unit).total
    assert (total.within_target, total.target_minutes, total.target_share) == (0, 15, 85)


# --- Groupings and time zones ----------------------------------------------------------------


def test_half_hours_are_the_location_time_zone(coordinator, desk, unit):
    """Five tickets at 09:40 UTC: 08:30 in Praia; the same in Lisbon (UTC in winter) 09:30."""
    utc = ZoneInfo("UTC")
    for n in range(5):
        ticket(desk, datetime(2026, 1, 19, 9, 40 + n, tzinfo=utc))
    assert set(rows(read(coordinator, unit, grouping=HALF_HOUR))) == {"08:30"}
    desk.location.time_zone = "Europe/Lisbon"
    desk.location.save(update_fields=["time_zone"])
    assert set(rows(read(coordinator, unit, grouping=HALF_HOUR))) == {"09:30"}


def test_every_day_of_the_period_is_listed_and_empty_groups_of_other_lists_are_not(
    coordinator, desk, unit
):
    for n in range(5):
        ticket(desk, at(21, 14, n))
    by_day = read(coordinator, unit)
    assert list(rows(by_day)) == [f"2026-01-{day}" for day in range(19, 24)]
    assert rows(by_day)["2026-01-19"].tickets is None
    assert rows(by_day)["2026-01-21"].tickets == 5
    assert list(rows(read(coordinator, unit, grouping=HALF_HOUR))) == ["14:00"]
    # Labels are written in the active language (whatever an earlier test left): English here.
    with translation.override("en"):
        by_service = rows(read(coordinator, unit, grouping=SERVICE))
    assert [row.label for row in by_service.values()] == [
        f"{desk.service.name} at {desk.location.name}"
    ]
    assert [row.label for row in rows(read(coordinator, unit, grouping=LOCATION)).values()] == [
        desk.location.name
    ]


def test_another_unit_s_tickets_and_appointments_are_not_counted(
    coordinator, desk, unit, other_unit
):
    theirs = praia_desk(other_unit, name="Outro")
    for n in range(5):
        ticket(theirs, at(19, 9, n), waited=1)
    assert read(coordinator, unit).total.tickets is None


# --- Disclosure ------------------------------------------------------------------------------


def _dataset(desk: ServiceAtLocation, officer, bookable) -> dict[str, int]:
    """Tickets on Monday (10), Wednesday (5) and Thursday (2: the cell to recover); three
    appointments on Monday (one did not come) and two on Friday, all past by the time of
    reading."""
    truth: dict[str, int] = {}
    for day, how_many in ((19, 10), (21, 5), (22, 2)):
        for n in range(how_many):
            ticket(desk, at(day, 9, n), waited=n)
        truth[f"tickets:2026-01-{day}"] = how_many
    phones = (f"+23899200{n:02d}" for n in range(10))
    sal = bookable.service_at_location
    monday = [
        book_slot(service_at_location=sal, start=at(19, 9), name="Ana", phone=next(phones),
                  language="pt", now=NOW)[0]
        for _ in range(3)
    ]  # fmt: skip
    mark_no_show(booking=monday[0], actor=officer, now=at(19, 10))
    for _ in range(2):
        book_slot(service_at_location=sal, start=at(23, 9), name="Ana", phone=next(phones),
                  language="pt", now=NOW)  # fmt: skip
    truth |= {"tickets": 17, "appointments": 5}
    truth |= {"cell:2026-01-19|no_show": 1, "cell:2026-01-19|due": 2, "cell:2026-01-23|due": 2}
    return truth


def _attack(published: dict[tuple[str, str], int], keys: list[str], base: int) -> Attack:
    """The reader's linear programme: every published count is its exact count rounded (a
    "<base" read as 0 is 0 to base - 1), the days' tickets add up to the total, and each day's
    appointments split into no-shows, others due and still to come, adding up to the total."""

    def bounds(value: int) -> tuple[int, int]:
        return (0, base - 1) if value == 0 else (max(1, value - base + 1), value + base - 1)

    attack = Attack()
    attack.count("tickets", *bounds(published[("tickets", TOTAL)]))
    attack.count("appointments", *bounds(published[("appointments", TOTAL)]))
    cells = []
    for key in keys:
        tickets, appointments = published[("tickets", key)], published[("appointments", key)]
        due, no_shows = published[("appointments_due", key)], published[("no_shows", key)]
        attack.count(f"tickets:{key}", *bounds(tickets))
        # The rounded cells behind the published sums, recovered by subtraction.
        for outcome, value in (("no_show", no_shows), ("due", due - no_shows),
                               ("to_come", appointments - due)):  # fmt: skip
            attack.count(f"cell:{key}|{outcome}", *bounds(value))
            cells.append(f"cell:{key}|{outcome}")
        attack.count(f"due:{key}")
        attack.add_up(f"due:{key}", [f"cell:{key}|no_show", f"cell:{key}|due"])
    attack.add_up("tickets", [f"tickets:{key}" for key in keys])
    attack.add_up("appointments", cells)
    return attack


@pytest.mark.parametrize("secret", [f"statistics-secret-{n}" for n in range(8)])
def test_a_hidden_cell_cannot_be_recovered_from_the_shown_cells_and_totals(
    coordinator, officer, desk, unit, secret
):
    """Thursday's two tickets are hidden ("<5") or shown as 5, whichever way their key rounds;
    subtracting the shown days from the shown total gives a multiple of 5, never 2; and the
    reader's linear programme, with every relation between the counts, leaves every count —
    Thursday's, the lone no-show, its denominator — at least 4 wide, the truth inside."""
    bookable = bookable_desk(unit, places=5)
    truth = _dataset(desk, officer, bookable)
    with override_settings(SECRET_KEY=secret):
        stats = read(coordinator, unit)
    published = published_counts(stats)
    shown_days = [key for key in rows(stats) if key != "2026-01-22"]
    thursday = published[("tickets", "2026-01-22")]
    assert thursday in (0, 5)
    recovered = published[("tickets", TOTAL)] - sum(published[("tickets", k)] for k in shown_days)
    assert recovered % 5 == 0
    assert recovered != 2

    ranges = _attack(published, list(rows(stats)), base=5).ranges()
    assert outside(ranges, truth) == {}
    assert narrower_than(ranges, 5 - 1) == {}
    for name in ("tickets:2026-01-22", "cell:2026-01-19|no_show", "due:2026-01-19"):
        assert ranges[name][1] - ranges[name][0] >= 4


def test_every_published_count_is_a_multiple_of_the_base_and_columns_add_up(
    coordinator, officer, desk, unit
):
    bookable = bookable_desk(unit, places=5)
    _dataset(desk, officer, bookable)
    for grouping in (DAY, HALF_HOUR, SERVICE, LOCATION):
        stats = read(coordinator, unit, grouping=grouping)
        published = published_counts(stats)
        assert all(value % 5 == 0 for value in published.values())
        for figure in ("tickets", "appointments", "appointments_due", "no_shows"):
            column = sum(published[(figure, row.key)] for row in stats.rows)
            assert column == published[(figure, TOTAL)], (grouping, figure)
        for row in (*stats.rows, stats.total):
            assert (row.no_shows or 0) <= (row.appointments_due or 0) <= (row.appointments or 0)


def test_the_csv_rows_are_the_published_figures(coordinator, desk, unit):
    for n in range(10):
        ticket(desk, at(19, 9, n), waited=n + 1, served=5)
    stats = read(coordinator, unit)
    header, *lines = list(statistics_rows(stats))
    assert header[:6] == ("unit", "start", "end", "grouping", "group", "label")
    by_group = {line[4]: dict(zip(header, line, strict=True)) for line in lines}
    assert by_group["2026-01-19"]["tickets"] == "10"
    assert by_group["2026-01-20"]["tickets"] == "<5"
    assert by_group["2026-01-20"]["wait_p50_minutes"] == ""
    assert by_group["total"]["wait_p50_minutes"] == "5.5"
    assert by_group["total"]["within_target_percent"] == "100"


# --- Audit and scope -------------------------------------------------------------------------


def test_each_reading_is_audited(coordinator, unit):
    read(coordinator, unit)
    appointment_statistics(coordinator, unit_id=unit.pk, grouping=SERVICE, now=LATER,
                           downloaded=True, **WEEK)  # fmt: skip
    viewed, downloaded = AuditEntry.objects.filter(
        action__startswith="appointments.statistics"
    ).order_by("pk")
    assert viewed.action == "appointments.statistics.viewed"
    assert viewed.data == {"period": "2026-01-19/2026-01-23", "unit": unit.slug, "grouping": DAY}
    assert downloaded.action == "appointments.statistics.downloaded"
    assert downloaded.data["rows"] == 1  # no service had a ticket: the total alone
    assert viewed.unit == unit


def test_another_unit_is_not_found_and_all_units_are_for_analysts(
    coordinator, make_staff, unit, other_unit
):
    with pytest.raises(Http404):
        read(coordinator, other_unit)
    with pytest.raises(Http404):
        appointment_statistics(coordinator, unit_id=None, grouping=DAY, now=LATER, **WEEK)
    assert not AuditEntry.objects.filter(action__startswith="appointments.statistics").exists()
    analyst = make_staff(Role.ANALYST, other_unit)
    assert read(analyst, unit).unit == unit
    assert (
        appointment_statistics(analyst, unit_id=None, grouping=DAY, now=LATER, **WEEK).unit is None
    )


def test_trainers_and_partners_read_nothing(make_staff, unit, partner_unit):
    with pytest.raises(Http404):
        read(make_staff(Role.TRAINER, unit), unit)
    with pytest.raises(Http404):
        read(make_staff(Role.PARTNER_USER, partner_unit), partner_unit)


def test_an_end_before_the_start_and_an_unknown_grouping_are_refused(coordinator, unit):
    with pytest.raises(ValueError, match="end before start"):
        read(coordinator, unit, start=date(2026, 1, 23), end=date(2026, 1, 19))
    with pytest.raises(ValueError, match="unknown grouping"):
        read(coordinator, unit, grouping="week")
