"""Slots come from the directory's hours engine: opening hours, holidays, closures, the booking
horizon, places and staff absences."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given, settings
from hypothesis import strategies as st

from coop4int.accounts.enums import Role
from coop4int.appointments.domain.booking import book_slot, make_bookable, record_absence
from coop4int.appointments.domain.slots import cut_slots, free_slots, plan_slots
from coop4int.appointments.tests.helpers import NOW, PRAIA, at, bookable_desk
from coop4int.directory import hours
from coop4int.directory.models import Closure

pytestmark = pytest.mark.django_db


def _days(slots):
    return sorted({slot.start.date() for slot in slots})


def test_slots_follow_the_opening_hours_in_the_locations_time_zone(unit):
    desk = bookable_desk(unit)
    slots = free_slots(
        service_at_location=desk.service_at_location,
        start_date=date(2026, 1, 19),
        end_date=date(2026, 1, 19),
        now=NOW,
    )
    # 08:00–16:00 in 30-minute slots, each with both places.
    assert len(slots) == 16
    assert slots[0].start == at(19, 8)
    assert slots[-1].end == at(19, 16)
    assert all(slot.start.tzinfo == PRAIA and slot.remaining == 2 for slot in slots)


def test_no_slots_on_a_public_holiday_nor_at_the_weekend(unit):
    desk = bookable_desk(unit)
    slots = free_slots(
        service_at_location=desk.service_at_location,
        start_date=date(2026, 1, 17),
        end_date=date(2026, 1, 21),
        now=NOW,
    )
    # Saturday, Sunday and Tuesday (National Heroes Day) have none.
    assert _days(slots) == [date(2026, 1, 19), date(2026, 1, 21)]


def test_a_closure_removes_the_slots_it_covers(unit):
    desk = bookable_desk(unit)
    Closure.objects.create(
        location=desk.service_at_location.location,
        starts_at=at(19, 12),
        ends_at=at(19, 14),
        reason="Staff meeting",
    )
    starts = [
        slot.start.time()
        for slot in free_slots(
            service_at_location=desk.service_at_location,
            start_date=date(2026, 1, 19),
            end_date=date(2026, 1, 19),
            now=NOW,
        )
    ]
    assert time(11, 30) in starts
    assert time(14) in starts
    assert not [start for start in starts if time(12) <= start < time(14)]


def test_slots_start_after_now_and_end_at_the_booking_horizon(unit):
    desk = bookable_desk(unit, book_ahead_days=5)
    slots = free_slots(
        service_at_location=desk.service_at_location,
        start_date=date(2026, 1, 16),
        end_date=date(2026, 2, 28),
        now=NOW,
    )
    assert slots[0].start == at(16, 10)  # not 08:00–09:30 of today, already past
    assert max(slot.start for slot in slots) < NOW + timedelta(days=5)


def test_booked_places_are_taken_off_and_a_full_slot_is_not_offered(unit):
    desk = bookable_desk(unit)
    sal = desk.service_at_location
    for name in ("Ana", "Bruno"):
        book_slot(
            service_at_location=sal,
            start=at(19, 9),
            name=name,
            phone=f"+238991{len(name)}234",
            language="pt",
            now=NOW,
        )
    book_slot(
        service_at_location=sal,
        start=at(19, 10),
        name="Carla",
        email="carla@example.org",
        language="fr",
        now=NOW,
    )
    by_start = {
        slot.start: slot.remaining
        for slot in free_slots(
            service_at_location=sal,
            start_date=date(2026, 1, 19),
            end_date=date(2026, 1, 19),
            now=NOW,
        )
    }
    assert at(19, 9) not in by_start
    assert by_start[at(19, 10)] == 1
    assert by_start[at(19, 11)] == 2


def test_a_staff_absence_removes_its_place(unit, make_staff):
    first = make_staff(Role.FRONT_OFFICE_OFFICER, unit)
    second = make_staff(Role.FRONT_OFFICE_OFFICER, unit)
    coordinator = make_staff(Role.UNIT_COORDINATOR, unit)
    desk = bookable_desk(unit, places=2)
    make_bookable(
        actor=make_staff(Role.ADMINISTRATOR, unit),
        service_at_location=desk.service_at_location,
        slot_minutes=30,
        places=2,
        book_ahead_days=28,
        cancel_until_hours=24,
        staff=[first, second],
        now=NOW,
    )
    record_absence(actor=coordinator, staff=first, starts_at=at(19, 8), ends_at=at(19, 12), now=NOW)
    record_absence(
        actor=coordinator, staff=second, starts_at=at(19, 10), ends_at=at(19, 11), now=NOW
    )
    by_start = {
        slot.start: slot.remaining
        for slot in free_slots(
            service_at_location=desk.service_at_location,
            start_date=date(2026, 1, 19),
            end_date=date(2026, 1, 19),
            now=NOW,
        )
    }
    assert by_start[at(19, 9)] == 1  # one of the two away
    assert at(19, 10) not in by_start
    assert at(19, 10, 30) not in by_start
    assert by_start[at(19, 12)] == 2


def test_eight_weeks_of_slots_take_a_fixed_handful_of_queries(unit):
    desk = bookable_desk(unit, book_ahead_days=60)
    with CaptureQueriesContext(connection) as week:
        free_slots(
            service_at_location=desk.service_at_location,
            start_date=date(2026, 1, 19),
            end_date=date(2026, 1, 25),
            now=NOW,
        )
    with CaptureQueriesContext(connection) as eight_weeks:
        slots = free_slots(
            service_at_location=desk.service_at_location,
            start_date=date(2026, 1, 19),
            end_date=date(2026, 3, 15),
            now=NOW,
        )
    assert len(slots) > 500
    assert len(eight_weeks) == len(week) <= 10


# --- Property: whatever the calendar, no slot in a closure or a holiday, never below zero --------

_MONDAY = date(2026, 3, 2)

rules = st.lists(
    st.tuples(st.integers(0, 22), st.integers(1, 8), st.sets(st.sampled_from(hours.WEEKDAYS))),
    min_size=1,
    max_size=3,
)


# The hours engine probes offsets hour by hour: two weeks of them take a while per example.
@settings(deadline=None, max_examples=60)
@given(
    rules=rules,
    holidays=st.sets(st.integers(0, 13), max_size=4),
    closures=st.lists(st.tuples(st.integers(0, 14 * 24 * 4), st.integers(1, 48)), max_size=4),
    minutes=st.sampled_from([10, 15, 20, 30, 45, 60, 90]),
    places=st.integers(1, 4),
    absences=st.lists(
        st.tuples(st.integers(0, 2), st.integers(0, 14 * 24 * 4), st.integers(1, 40)), max_size=4
    ),
    booked=st.lists(st.integers(0, 400), max_size=30),
)
def test_free_slots_never_touch_closures_or_holidays_and_never_go_below_zero(
    rules, holidays, closures, minutes, places, absences, booked
):
    quarter = timedelta(minutes=15)
    start_of = datetime.combine(_MONDAY, time(0), tzinfo=PRAIA)
    calendar = hours.Calendar(
        time_zone="Atlantic/Cape_Verde",
        rules=tuple(
            hours.Rule(
                opens_at=time(opens),
                closes_at=time(min(opens + length, 23), 59 if opens + length > 23 else 0),
                byday=tuple(sorted(days)),
            )
            for opens, length, days in rules
        ),
        holidays={_MONDAY + timedelta(days=day): "Holiday" for day in holidays},
        closures=tuple(
            hours.Closure(starts_at=start_of + quarter * q, ends_at=start_of + quarter * (q + n))
            for q, n in closures
        ),
    )
    end_of = start_of + timedelta(days=14)
    cut = cut_slots(hours.open_intervals(calendar, start_of, end_of), timedelta(minutes=minutes))
    away = [(s, start_of + quarter * q, start_of + quarter * (q + n)) for s, q, n in absences]
    taken = {}
    for index in booked:
        if cut:
            lo = cut[index % len(cut)][0]
            taken[lo] = taken.get(lo, 0) + 1
    slots = plan_slots(cut, PRAIA, places, [0, 1, 2][:places], away, taken)
    for slot in slots:
        assert 0 <= slot.remaining <= places
        assert slot.start.date() not in calendar.holidays
        for closure in calendar.closures:
            assert not (closure.starts_at < slot.end and closure.ends_at > slot.start)
        assert hours.is_open(calendar, slot.start.astimezone(UTC))
        assert hours.is_open(calendar, slot.end.astimezone(UTC) - timedelta(microseconds=1))
