"""Demo appointments: Praia and Mindelo bookable (one with a single place per slot, one with
several places served by named staff), bookings over the coming weeks, a fully booked day with
its waiting list, and a waiting room in progress at Praia that the display shows — loaded
relative to the time of loading, and loading twice changes nothing."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from coop4int.appointments.domain.queue_queries import calling_order, recent_calls
from coop4int.appointments.domain.slots import free_slots, slots_between
from coop4int.appointments.enums import BookingStatus, TicketStatus, WaitingStatus
from coop4int.appointments.models import (
    BookableService,
    Booking,
    QueueSettings,
    StaffAbsence,
    Ticket,
    TicketEvent,
    WaitingListEntry,
)
from coop4int.core.models import AuditEntry
from coop4int.demo import appointments as demo_appointments

pytestmark = pytest.mark.django_db

PRAIA = ZoneInfo("Atlantic/Cape_Verde")
# Wednesday 14 January 2026, 10:00 in Praia: both units open.
WEDNESDAY = datetime(2026, 1, 14, 10, 0, tzinfo=PRAIA)


def load(at: datetime) -> None:
    with time_machine.travel(at, tick=False):
        call_command("load_demo", verbosity=0)


def bookable(slug: str) -> BookableService:
    return BookableService.objects.select_related(
        "service_at_location__service__unit", "service_at_location__location"
    ).get(service_at_location__service__unit__slug=slug)


def counts() -> dict[str, int]:
    models = (BookableService, Booking, WaitingListEntry, StaffAbsence, QueueSettings, Ticket,
              TicketEvent, AuditEntry)  # fmt: skip
    return {model.__name__: model.objects.count() for model in models}


def _sent_loading_on_wednesday() -> list:
    """Load the demo on WEDNESDAY; the messages it sent."""
    mail.outbox = []
    load(WEDNESDAY)
    return list(mail.outbox)


@pytest.fixture(scope="class")
def _wednesday(rows_kept, tmp_path_factory):  # type: ignore[no-untyped-def]
    """The demo loaded on WEDNESDAY once for a class's tests, rolled back after them."""
    with rows_kept(_sent_loading_on_wednesday, MEDIA_ROOT=tmp_path_factory.mktemp("media")) as sent:
        yield sent


class TestLoadedOnWednesday:
    """Tests of the demo as loaded on WEDNESDAY: loaded once for them all, rolled back after
    them; each test starts from it in a savepoint of its own."""

    @pytest.fixture
    def loaded(self, _wednesday, db):  # type: ignore[no-untyped-def]
        """The demo as ``load(WEDNESDAY)`` leaves it, the messages it sent in the outbox."""
        mail.outbox = list(_wednesday)

    def test_praia_and_mindelo_can_be_booked_over_the_coming_weeks(self, loaded):
        praia, mindelo = bookable("praia"), bookable("mindelo")
        assert praia.service_at_location.location.municipality == "Praia"
        assert mindelo.service_at_location.location.municipality == "São Vicente"
        # Mindelo: one place per slot; Praia: several places, served by the unit's named staff.
        assert mindelo.places == 1
        assert not mindelo.staff.exists()
        assert praia.places > 1
        assert {user.username for user in praia.staff.all()} == {
            "tecnico.praia",
            "coordenador.praia",
        }
        for service in (praia, mindelo):
            three_weeks = free_slots(
                service_at_location=service.service_at_location,
                start_date=WEDNESDAY.date() + timedelta(days=14),
                end_date=WEDNESDAY.date() + timedelta(days=20),
                now=WEDNESDAY,
            )
            assert three_weeks, service

    def test_the_coordinators_absence_leaves_praia_one_place_that_afternoon(self, loaded):
        absence = StaffAbsence.objects.get(staff__username="coordenador.praia")
        day = absence.starts_at.astimezone(PRAIA).date()
        slots = slots_between(bookable("praia"), start_date=day, end_date=day, now=WEDNESDAY)
        assert {slot.capacity for slot in slots if slot.start >= absence.starts_at} == {1}
        assert {slot.capacity for slot in slots if slot.end <= absence.starts_at} == {2}

    def test_bookings_are_of_invented_people_made_on_line_and_by_officers(self, loaded):
        bookings = Booking.objects.filter(starts_at__gt=WEDNESDAY)
        assert bookings.filter(bookable=bookable("praia")).count() >= 5
        assert bookings.filter(bookable=bookable("mindelo")).count() >= 5
        assert all(booking.name.endswith("(demo)") for booking in bookings)
        # North America's numbers for fiction, 555-0100 to 555-0199; addresses under .example.
        assert all(
            booking.phone == "" or booking.phone.startswith("+120255501") for booking in bookings
        )
        assert all(
            booking.email == "" or booking.email.endswith("@demo.coop4int.example")
            for booking in bookings
        )
        assert bookings.filter(booked_by__isnull=False).exists()
        assert bookings.filter(booked_by__isnull=True).exists()
        assert bookings.filter(interpreter_needed=True).exists()
        # A slot of Praia with both its places taken.
        starts = list(
            bookings.filter(bookable=bookable("praia")).values_list("starts_at", flat=True)
        )
        assert any(starts.count(start) == 2 for start in starts)
        # Nobody was sent a confirmation: the people are invented.
        assert mail.outbox == []
        assert not AuditEntry.objects.filter(action__startswith="appointments.message.").exists()

    def test_a_fully_booked_mindelo_day_has_people_on_its_waiting_list(self, loaded):
        waiting = WaitingListEntry.objects.filter(status=WaitingStatus.WAITING)
        assert waiting.count() == 2
        assert {entry.bookable for entry in waiting} == {bookable("mindelo")}
        [day] = {entry.day for entry in waiting}
        assert day > WEDNESDAY.date()
        sal = bookable("mindelo").service_at_location
        assert (
            free_slots(service_at_location=sal, start_date=day, end_date=day, now=WEDNESDAY) == []
        )
        assert Booking.objects.filter(
            bookable__service_at_location=sal, starts_at__date=day
        ).exists()

    def test_praia_has_a_waiting_room_in_progress_that_the_display_shows_in_french_too(
        self, loaded
    ):
        location = bookable("praia").service_at_location.location
        today = Ticket.objects.filter(location=location, day=WEDNESDAY.date())
        statuses = list(today.values_list("status", flat=True))
        assert statuses.count(TicketStatus.SERVED) == 1
        assert TicketStatus.SERVING in statuses
        assert TicketStatus.CALLED in statuses
        assert statuses.count(TicketStatus.WAITING) >= 3
        assert QueueSettings.objects.get(location=location).display_language == "fr"

        calls = recent_calls(location, now=WEDNESDAY)
        assert len(calls) == 4
        # The latest call: the pregnant woman's ticket, ahead of those who came before her.
        assert (calls[0].priority, calls[0].desk, calls[0].status) == ("pregnancy", "3", "called")
        assert {call.desk for call in calls} == {"1", "2", "3"}
        # A booked person checked in and waits with the walk-ins until their time.
        booked = today.get(booking__isnull=False)
        assert booked.booking.status == BookingStatus.CHECKED_IN
        assert booked in calling_order(location, now=WEDNESDAY)

        with time_machine.travel(WEDNESDAY, tick=False):
            feed = Client().get(reverse("portal:queue_display_feed", args=[location.pk]))
        assert feed.status_code == 200
        assert feed.json()["current"]["number"] == calls[0].number
        assert feed.json()["current"]["desk"] == "3"

    def test_loading_twice_changes_nothing(self, loaded):
        before = counts()

        load(WEDNESDAY + timedelta(minutes=5))

        assert counts() == before

    def test_loaded_again_weeks_later_it_books_the_coming_weeks_and_opens_that_days_waiting_room(
        self, loaded
    ):
        later = WEDNESDAY + timedelta(days=35)

        load(later)

        assert Booking.objects.filter(starts_at__gt=later, bookable=bookable("praia")).exists()
        assert Booking.objects.filter(starts_at__gt=later, bookable=bookable("mindelo")).exists()
        assert WaitingListEntry.objects.filter(day__gt=later.date()).count() == 2
        assert Ticket.objects.filter(day=later.date()).exists()
        assert BookableService.objects.count() == 2


def test_loading_just_after_midnight_on_a_sunday_keeps_the_waiting_room_on_that_day():
    sunday = datetime(2026, 1, 18, 0, 10, tzinfo=PRAIA)

    load(sunday)

    tickets = Ticket.objects.all()
    assert tickets.count() == len(demo_appointments.PRAIA_TICKETS)
    assert {ticket.day for ticket in tickets} == {sunday.date()}
    assert all(ticket.created_at <= sunday for ticket in tickets)
