"""Slots come from the directory's hours engine: opening hours, holidays, closures, the booking
horizon, places and staff absences."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given, settings
from hypothesis import strategies as st

from coop4int.accounts.enums import Role
from coop4int.accounts.tests.factories import StaffFactory
from coop4int.appointments.domain import slots as slots_module
from coop4int.appointments.domain.booking import book_slot, make_bookable, record_absence
from coop4int.appointments.domain.slots import (
    capacity_of,
    cut_slots,
    free_slots,
    free_slots_of_unit,
    plan_slots,
)
from coop4int.appointments.tests.helpers import NOW, PRAIA, at, bookable_desk
from coop4int.directory import hours
from coop4int.directory.models import Closure, Schedule, Service, ServiceAtLocation

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


# --- The free slots of a whole unit at once -----------------------------------------------------


def _second_service(unit, location, name, **settings):
    """Another service of ``unit`` at ``location``, bookable with ``settings``."""
    desk = ServiceAtLocation.objects.filter(location=location).select_related("service").first()
    service = Service.objects.create(
        organization=desk.service.organization, name=name, description="", unit=unit
    )
    sal = ServiceAtLocation.objects.create(service=service, location=location)
    values = {"slot_minutes": 20, "places": 3, "book_ahead_days": 28, "cancel_until_hours": 24}
    return make_bookable(
        actor=StaffFactory(unit=unit, roles=[Role.ADMINISTRATOR]),
        service_at_location=sal,
        now=NOW,
        **(values | settings),
    )


def _one_by_one(unit, first, last, now=NOW):
    return {
        sal: free_slots(service_at_location=sal, start_date=first, end_date=last, now=now)
        for sal in ServiceAtLocation.objects.filter(service__unit=unit, bookable__active=True)
    }


def _a_unit_of_services(unit, make_staff):
    """The desk (30 minutes, two places), a service of named staff with its own hours and a
    closure, one of 45-minute slots bookable only a week ahead, and one no longer bookable."""
    desk = bookable_desk(unit)
    location = desk.service_at_location.location
    first, second = (make_staff(Role.FRONT_OFFICE_OFFICER, unit) for _ in range(2))
    staffed = _second_service(unit, location, "Legal advice", places=2, staff=[first, second])
    Schedule.objects.create(
        service_at_location=staffed.service_at_location,
        byday="MO,WE",
        opens_at=time(9),
        closes_at=time(12, 30),
    )
    Closure.objects.create(
        service=staffed.service_at_location.service,
        starts_at=at(21, 10),
        ends_at=at(21, 11),
        reason="Training",
    )
    coordinator = make_staff(Role.UNIT_COORDINATOR, unit)
    record_absence(actor=coordinator, staff=first, starts_at=at(19, 9), ends_at=at(19, 10), now=NOW)
    record_absence(
        actor=coordinator, staff=second, starts_at=at(19, 9, 30), ends_at=at(26, 11), now=NOW
    )
    _second_service(unit, location, "Short week", slot_minutes=45, book_ahead_days=7)
    closed = _second_service(unit, location, "Closed desk")
    closed.active = False
    closed.save()
    for start, name in ((at(19, 9), "Ana"), (at(19, 9), "Bruno"), (at(19, 10), "Carla")):
        book_slot(
            service_at_location=desk.service_at_location,
            start=start,
            name=name,
            phone="+2389912345",
            language="pt",
            now=NOW,
        )
    book_slot(
        service_at_location=staffed.service_at_location,
        start=at(21, 9),
        name="Dina",
        phone="+2389912346",
        language="pt",
        now=NOW,
    )
    return desk, staffed


def test_the_units_free_slots_are_those_of_each_of_its_bookable_services(unit, make_staff):
    desk, staffed = _a_unit_of_services(unit, make_staff)
    first, last = date(2026, 1, 16), date(2026, 2, 28)
    at_once = free_slots_of_unit(unit=unit, start_date=first, end_date=last, now=NOW)
    expected = _one_by_one(unit, first, last)
    assert len(expected) == 3  # the one no longer bookable is left out
    assert at_once == expected
    assert [sal.service.name for sal in at_once] == ["Atendimento", "Legal advice", "Short week"]
    for sal, slots in at_once.items():
        assert slots, sal
        assert all(slot.start.tzinfo == PRAIA for slot in slots)
    held = {slot.start: slot.remaining for slot in at_once[desk.service_at_location]}
    assert at(19, 9) not in held
    assert held[at(19, 10)] == 1
    staffed_slots = {slot.start: slot.remaining for slot in at_once[staffed.service_at_location]}
    assert staffed_slots[at(19, 9)] == 2 - 1  # one of the two staff away from 09:00
    assert at(19, 9, 30) not in staffed_slots  # both away
    assert at(21, 9) not in staffed_slots  # one present, and booked
    assert staffed_slots[at(21, 9, 20)] == 1
    assert at(21, 10) not in staffed_slots  # the service's closure
    # Later in the day and from another start, still the same.
    later = NOW + timedelta(days=3, hours=1, minutes=5)
    assert free_slots_of_unit(
        unit=unit, start_date=date(2026, 1, 19), end_date=date(2026, 1, 30), now=later
    ) == _one_by_one(unit, date(2026, 1, 19), date(2026, 1, 30), later)


def test_a_change_of_hours_closures_or_absences_shows_at_once(unit, make_staff):
    desk, staffed = _a_unit_of_services(unit, make_staff)
    day = date(2026, 1, 19)

    def starts(sal):
        found = free_slots_of_unit(unit=unit, start_date=day, end_date=day, now=NOW)
        return [slot.start for slot in found[sal]]

    sal = desk.service_at_location
    assert at(19, 15, 30) in starts(sal)
    Schedule.objects.filter(location=sal.location).update(closes_at=time(15))
    assert starts(sal)[-1] == at(19, 14, 30)
    Closure.objects.create(
        location=sal.location, starts_at=at(19, 12), ends_at=at(19, 13), reason="Meeting"
    )
    assert at(19, 12) not in starts(sal)
    assert at(19, 11, 30) in starts(sal)
    assert starts(staffed.service_at_location)[:1] == [at(19, 9)]
    record_absence(
        actor=make_staff(Role.UNIT_COORDINATOR, unit),
        staff=staffed.staff.order_by("pk").last(),
        starts_at=at(19, 8),
        ends_at=at(19, 9, 20),
        now=NOW,
    )
    assert at(19, 9) not in starts(staffed.service_at_location)
    assert free_slots_of_unit(unit=unit, start_date=day, end_date=day, now=NOW) == _one_by_one(
        unit, day, day
    )


def test_the_units_free_slots_take_the_same_queries_whatever_the_number_of_services(unit):
    desk = bookable_desk(unit)
    first, last = date(2026, 1, 19), date(2026, 3, 15)
    with CaptureQueriesContext(connection) as one:
        free_slots_of_unit(unit=unit, start_date=first, end_date=last, now=NOW)
    for number in range(5):
        _second_service(unit, desk.service_at_location.location, f"Service {number}")
    slots_module._GRIDS.clear()
    with CaptureQueriesContext(connection) as six:
        found = free_slots_of_unit(unit=unit, start_date=first, end_date=last, now=NOW)
    assert len(found) == 6
    assert all(found.values())
    assert len(six) == len(one) <= 10


def test_a_unit_without_bookable_services_has_no_slots(unit):
    assert free_slots_of_unit(unit=unit, start_date=NOW.date(), end_date=NOW.date(), now=NOW) == {}


@settings(deadline=None, max_examples=80)
@given(
    places=st.integers(1, 4),
    staff=st.sets(st.integers(0, 3), max_size=4),
    absences=st.lists(
        st.tuples(st.integers(0, 4), st.integers(0, 24 * 4), st.integers(1, 16)), max_size=6
    ),
    minutes=st.sampled_from([15, 20, 30, 45]),
)
def test_capacities_by_one_sweep_are_those_of_capacity_of(places, staff, absences, minutes):
    start_of = datetime(2026, 3, 2, tzinfo=UTC)
    quarter = timedelta(minutes=15)
    cut = cut_slots([(start_of, start_of + timedelta(days=1))], timedelta(minutes=minutes))
    grid = tuple((lo, hi, lo, hi, lo) for lo, hi in cut)
    away = [(s, start_of + quarter * q, start_of + quarter * (q + n)) for s, q, n in absences]
    staff_ids = sorted(staff)
    assert list(slots_module._capacities(grid, places, staff_ids, away)) == [
        capacity_of(places, staff_ids, away, lo, hi) for lo, hi in cut
    ]


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
