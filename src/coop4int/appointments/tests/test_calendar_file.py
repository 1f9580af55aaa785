"""The appointment as an iCalendar file: parsed back, it names the appointment, its time on the
location's clock, its place and, when cancelled, says so."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import icalendar
import pytest

from coop4int.appointments.calendar_file import booking_calendar
from coop4int.appointments.domain.booking import book_slot, cancel_booking
from coop4int.appointments.tests.helpers import NOW, at, bookable_desk
from coop4int.directory.models import ServiceTranslation

pytestmark = pytest.mark.django_db


def _booking(unit, language="fr"):
    desk = bookable_desk(unit)
    ServiceTranslation.objects.create(
        service=desk.service_at_location.service, language="fr", name="Accueil des migrants"
    )
    booking, secret = book_slot(
        service_at_location=desk.service_at_location,
        start=at(19, 9),
        name="Awa Diallo",
        email="awa@example.org",
        language=language,
        now=NOW,
    )
    return booking, secret


def _event(data: bytes) -> icalendar.Event:
    calendar = icalendar.Calendar.from_ical(data)
    assert calendar["VERSION"] == "2.0"
    assert calendar["METHOD"] == "PUBLISH"
    assert str(calendar["PRODID"])
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 1
    return events[0]


def test_the_event_is_the_appointment_on_the_locations_clock(unit, settings):
    settings.PUBLIC_URL = "https://apoio.example.cv"
    booking, _secret = _booking(unit)
    data = booking_calendar(booking, now=NOW)
    assert data.startswith(b"BEGIN:VCALENDAR\r\n")
    event = _event(data)
    assert str(event["UID"]) == f"{booking.reference}@apoio.example.cv"
    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    assert start == datetime(2026, 1, 19, 9, 0, tzinfo=ZoneInfo("Atlantic/Cape_Verde"))
    assert start.utcoffset().total_seconds() == -3600
    assert str(start.tzinfo) == "Atlantic/Cape_Verde"
    assert (end - start).total_seconds() == 30 * 60
    assert b"DTSTART;TZID=Atlantic/Cape_Verde:20260119T090000" in data
    assert b"BEGIN:VTIMEZONE" in data
    assert event.decoded("DTSTAMP") == NOW.astimezone(UTC)
    assert str(event["SUMMARY"]) == "Accueil des migrants"
    assert "Unidade de Praia" in str(event["LOCATION"])
    assert "Rua 1" in str(event["LOCATION"])
    assert booking.reference in str(event["DESCRIPTION"])
    assert str(event["STATUS"]) == "CONFIRMED"


def test_the_summary_falls_back_to_the_services_own_name(unit):
    booking, _secret = _booking(unit, language="kea")
    event = _event(booking_calendar(booking, now=NOW))
    # No Cape Verdean Creole name: Portuguese, the language it falls back to (not French).
    assert str(event["SUMMARY"]) == "Atendimento"


def test_a_cancelled_appointment_says_so(unit):
    booking, secret = _booking(unit)
    cancel_booking(booking=booking, secret=secret, now=NOW)
    booking.refresh_from_db()
    event = _event(booking_calendar(booking, now=NOW))
    assert str(event["STATUS"]) == "CANCELLED"
    assert int(event["SEQUENCE"]) > 0
