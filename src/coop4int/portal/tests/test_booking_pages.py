"""Booking an appointment without an account, and the appointment's own pages behind its
secret link: what each step shows, in every interface language, and what each form does."""

import re
from datetime import timedelta
from html import unescape
from urllib.parse import quote

import icalendar
import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from coop4int.accounts.enums import Role
from coop4int.accounts.tests.factories import StaffFactory
from coop4int.appointments.domain.booking import (
    MAX_ACTIVE_PER_CONTACT,
    PUBLIC_BOOKING_LIMIT,
    book_slot,
    cancel_booking,
    join_waiting_list,
    make_bookable,
    offer_freed_place,
)
from coop4int.appointments.enums import BookingStatus, WaitingStatus
from coop4int.appointments.models import Booking, WaitingListEntry
from coop4int.appointments.tests.helpers import NOW, at, bookable_desk
from coop4int.directory.models import ServiceTranslation
from coop4int.directory.tests.places import praia_desk

pytestmark = pytest.mark.django_db

LANGUAGES = ["pt", "kea", "en", "fr"]
MONDAY = "2026-01-19"
DETAILS = {
    "time": "0900",
    "name": "Amina Diallo",
    "phone": "",
    "email": "Amina@Example.org",
    "notify_by": "email",
    "language": "fr",
    "interpreter_needed": "on",
    "accessibility_needs": "Fauteuil roulant",
}


def _(language: str, message: str) -> str:
    with translation.override(language):
        return translation.gettext(message)


def url(name: str, *args: object, language: str = "en") -> str:
    with translation.override(language):
        return reverse(f"portal:{name}", args=args)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def desk(unit):
    return bookable_desk(unit)


@pytest.fixture
def sal(desk):
    return desk.service_at_location


def _book(sal, start=None, email="other@example.org", **extra):
    return book_slot(
        service_at_location=sal,
        start=start or at(19, 9),
        name="Someone Else",
        email=email,
        language="pt",
        notify_by="email",
        now=NOW,
        **extra,
    )


def _post_booking(client, sal, language="en", **changes):
    return client.post(
        url("appointment_book", sal.pk, MONDAY, language=language), DETAILS | changes
    )


def _manage_url(booking: Booking, secret: str, language: str = "en") -> str:
    return url("appointment_manage", booking.reference, secret, language=language)


# --- The steps, in every language ------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_step_is_in_the_page_language(client, sal, language):
    ServiceTranslation.objects.create(service=sal.service, language="fr", name="Accueil")
    booking, secret = _book(sal, start=at(19, 10))
    pages = {
        url("appointments", language=language): "Book an appointment",
        url("appointment_places", sal.service.pk, language=language): "Where?",
        url("appointment_days", sal.pk, language=language): "Choose a day",
        url("appointment_times", sal.pk, MONDAY, language=language): "Choose a time",
        url("appointment_book", sal.pk, MONDAY, language=language) + "?time=0900": "Your details",
        url("appointment_waiting_list", sal.pk, MONDAY, language=language): (
            "Join the waiting list"
        ),
        _manage_url(booking, secret, language): "Your appointment",
        url("appointment_move", booking.reference, secret, language=language): (
            "Move your appointment"
        ),
        url("appointment_move", booking.reference, secret, language=language)
        + f"?day={MONDAY}": "Move your appointment",
        url("appointment_cancel", booking.reference, secret, language=language): (
            "Cancel your appointment"
        ),
    }
    for address, heading in pages.items():
        response = client.get(address)
        body = response.content.decode()
        assert response.status_code == 200, address
        assert f'<html lang="{language}"' in body, address
        assert f"<h1>{_(language, heading)}</h1>" in unescape(body), address
        # The service's name in the page's language; where there is none, marked as shown in
        # another.
        if language == "fr":
            assert "Accueil" in body, address
        elif address != url("appointments", language=language):
            assert "Atendimento" in body, address
        # Personal, or changing by the minute: never kept by a cache.
        assert "no-store" in response["Cache-Control"], address


def test_a_service_without_its_name_in_the_language_is_marked_as_shown_in_another(client, sal):
    body = client.get(url("appointments", language="en")).content.decode()
    assert 'lang="pt"' in body
    assert "Atendimento" in body
    with translation.override("en"):
        note = translation.gettext("Shown in %(language)s: not yet available in your language.") % {
            "language": "Português"
        }
    assert escape(note) in body


def test_a_service_offered_by_several_units_is_one_choice_then_a_choice_of_place(
    client, sal, other_unit
):
    mindelo = praia_desk(other_unit, municipality="Mindelo", island="São Vicente", subdivision="")
    admin = StaffFactory(unit=other_unit, roles=[Role.ADMINISTRATOR])
    make_bookable(
        actor=admin,
        service_at_location=mindelo,
        slot_minutes=20,
        places=1,
        book_ahead_days=14,
        cancel_until_hours=2,
        now=NOW,
    )
    services = client.get(url("appointments")).content.decode()
    assert services.count(">Atendimento</a>") == 1
    places = client.get(url("appointment_places", sal.service.pk)).content.decode()
    assert f'href="{url("appointment_days", sal.pk)}"' in places
    assert f'href="{url("appointment_days", mindelo.pk)}"' in places
    assert "Unidade de Mindelo" in places


def test_the_days_say_how_many_times_are_free_and_skip_the_holiday(client, sal):
    body = client.get(url("appointment_days", sal.pk)).content.decode()
    # Monday 19 from 08:00 to 16:00 in half hours; Tuesday 20 is National Heroes Day.
    assert f'href="{url("appointment_times", sal.pk, MONDAY)}"' in body
    assert "16 times free" in body
    assert "Tuesday, 20 January 2026" not in body
    # Today (Friday, 10:00) from now on.
    assert "12 times free" in body


def test_the_times_of_a_day_link_to_the_details_form(client, sal):
    _book(sal, start=at(19, 8))
    _book(sal, start=at(19, 8), email="third@example.org")
    body = client.get(url("appointment_times", sal.pk, MONDAY)).content.decode()
    form = url("appointment_book", sal.pk, MONDAY)
    assert f'href="{form}?time=0830"' in body
    assert f'href="{form}?time=0800"' not in body  # full
    assert "08:30–09:00" in body


def test_a_full_day_offers_its_waiting_list(client, unit):
    sal = bookable_desk(unit, places=1).service_at_location
    # Monday 08:00–16:00: sixteen half hours, each taken by someone.
    for number in range(16):
        _book(sal, start=at(19, 8) + timedelta(minutes=30 * number), email=f"p{number}@ex.org")
    days = client.get(url("appointment_days", sal.pk)).content.decode()
    waiting = url("appointment_waiting_list", sal.pk, MONDAY)
    assert f'href="{waiting}"' in days
    times = client.get(url("appointment_times", sal.pk, MONDAY)).content.decode()
    assert "Every time on this day is taken." in times
    assert f'href="{waiting}"' in times

    details = DETAILS.copy()
    del details["time"]
    response = client.post(waiting, details)
    assert response.status_code == 302
    assert response["Location"] == url("appointment_waiting_joined")
    entry = WaitingListEntry.objects.get()
    assert (entry.name, entry.email, entry.day.isoformat()) == (
        "Amina Diallo",
        "amina@example.org",
        MONDAY,
    )
    assert (entry.status, entry.notify_by, entry.person) == (WaitingStatus.WAITING, "email", None)
    joined = client.get(response["Location"]).content.decode()
    assert "Monday, 19 January 2026" in joined


# --- Booking ---------------------------------------------------------------------------------


def test_booking_makes_the_appointment_and_opens_its_page(client, sal):
    response = _post_booking(client, sal)
    booking = Booking.objects.get()
    assert response.status_code == 302
    match = re.fullmatch(rf"/en/appointments/{booking.reference}/([^/]+)/", response["Location"])
    assert match is not None
    assert booking.starts_at == at(19, 9)
    assert booking.status == BookingStatus.BOOKED
    assert (booking.name, booking.email, booking.phone) == ("Amina Diallo", "amina@example.org", "")
    assert (booking.language, booking.notify_by, booking.interpreter_needed) == (
        "fr",
        "email",
        True,
    )
    assert booking.accessibility_needs == "Fauteuil roulant"
    assert booking.person is None
    assert booking.booked_by is None

    page = client.get(response["Location"])
    body = page.content.decode()
    assert "Your appointment is booked." in body
    assert f'<bdi dir="ltr" class="ltr">{booking.reference}</bdi>' in body
    assert "Monday, 19 January 2026" in body
    assert "09:00–09:30" in body
    assert "Rua 1" in body
    assert "Keep this link" in body
    ics = url("appointment_ics", booking.reference, match.group(1))
    assert f'href="{ics}"' in body
    assert "no-store" in page["Cache-Control"]
    assert page["Referrer-Policy"] == "strict-origin"


def test_the_form_asks_for_a_phone_or_an_e_mail_and_keeps_what_was_typed(client, sal):
    response = _post_booking(client, sal, language="fr", email="", notify_by="email")
    body = response.content.decode()
    assert response.status_code == 200
    assert escape(_("fr", "Please give a phone number or an e-mail address.")) in body
    assert 'value="Amina Diallo"' in body
    assert "Fauteuil roulant" in body
    assert 'name="time" value="0900"' in body
    assert not Booking.objects.exists()


def test_messages_by_sms_need_a_phone_number(client, sal):
    response = _post_booking(client, sal, notify_by="sms")
    assert "To get messages by SMS or WhatsApp, please give your phone number." in (
        response.content.decode()
    )
    assert not Booking.objects.exists()


def test_a_robot_filling_the_hidden_field_books_nothing(client, sal):
    response = _post_booking(client, sal, website="http://spam.example")
    assert response.status_code == 302
    assert response["Location"] == url("appointments")
    assert not Booking.objects.exists()


def test_a_robot_joining_a_waiting_list_leaves_nothing(client, sal):
    details = DETAILS | {"website": "http://spam.example"}
    del details["time"]
    response = client.post(url("appointment_waiting_list", sal.pk, MONDAY), details)
    assert response.status_code == 302
    assert not WaitingListEntry.objects.exists()


def test_bookings_from_one_connection_are_limited(client, sal):
    for number in range(PUBLIC_BOOKING_LIMIT.limit):
        response = _post_booking(
            client, sal, email=f"person{number}@example.org", time=f"{10 + number}00"
        )
        assert response.status_code == 302
    response = _post_booking(client, sal, email="one.more@example.org", time="0800")
    body = response.content.decode()
    assert response.status_code == 429
    assert "Too many bookings from your connection. Please try again in an hour." in body
    assert 'value="one.more@example.org"' in body
    assert Booking.objects.count() == PUBLIC_BOOKING_LIMIT.limit


def test_a_contact_holds_only_a_few_appointments_to_come(client, sal):
    for number in range(MAX_ACTIVE_PER_CONTACT):
        _book(sal, start=at(21, 9 + number), email="amina@example.org")
    response = _post_booking(client, sal, language="fr")
    body = response.content.decode()
    assert response.status_code == 400
    with translation.override("fr"):
        refusal = translation.gettext(
            "This phone number or e-mail address already has %(count)d appointments to "
            "come. Please cancel one before booking another."
        ) % {"count": MAX_ACTIVE_PER_CONTACT}
    assert escape(refusal) in body
    assert 'value="Amina Diallo"' in body
    assert Booking.objects.count() == MAX_ACTIVE_PER_CONTACT


def test_a_time_just_taken_offers_the_remaining_times_of_the_day(client, unit):
    sal = bookable_desk(unit, places=1).service_at_location
    _book(sal, start=at(19, 9))
    response = _post_booking(client, sal)
    body = response.content.decode()
    assert response.status_code == 409
    assert "This time was just taken. Please choose another." in body
    assert 'type="radio" name="time" value="0930"' in body
    assert 'value="0900"' not in body
    # What was typed stays.
    assert 'value="Amina Diallo"' in body
    assert "Fauteuil roulant" in body
    assert Booking.objects.count() == 1

    response = _post_booking(client, sal, time="0930")
    assert response.status_code == 302
    assert Booking.objects.filter(name="Amina Diallo", starts_at=at(19, 9, 30)).exists()


def test_opening_a_taken_time_offers_the_others(client, unit):
    sal = bookable_desk(unit, places=1).service_at_location
    _book(sal, start=at(19, 9))
    body = client.get(url("appointment_book", sal.pk, MONDAY) + "?time=0900").content.decode()
    assert "This time was just taken. Please choose another." in body
    assert 'type="radio" name="time" value="0930"' in body


def test_a_time_that_is_no_slot_goes_back_to_the_times(client, sal):
    response = client.get(url("appointment_book", sal.pk, MONDAY) + "?time=0915")
    assert response.status_code == 302
    assert response["Location"] == url("appointment_times", sal.pk, MONDAY)


def test_a_service_that_cannot_be_booked_has_no_booking_pages(client, sal, desk):
    desk.active = False
    desk.save(update_fields=["active"])
    assert client.get(url("appointment_days", sal.pk)).status_code == 404
    assert client.get(url("appointment_places", sal.service.pk)).status_code == 404
    assert "Atendimento" not in client.get(url("appointments")).content.decode()


def test_the_directory_page_links_to_booking_only_when_bookable(client, unit, sal, desk):
    detail = url("directory_detail", sal.pk)
    assert f'href="{url("appointment_days", sal.pk)}"' in client.get(detail).content.decode()
    desk.active = False
    desk.save(update_fields=["active"])
    cache.clear()  # the directory's pages are cached for a minute
    assert f'href="{url("appointment_days", sal.pk)}"' not in client.get(detail).content.decode()


# --- The appointment's link ------------------------------------------------------------------


def _without(body: str, address: str) -> str:
    for language in LANGUAGES:
        local = "/" + language + address[3:]
        body = body.replace(local, "ADDRESS").replace(quote(local, safe=""), "ADDRESS")
    # A form's CSRF token is masked anew each time.
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body)


def test_a_wrong_secret_and_an_unknown_reference_get_the_same_404(client, sal):
    booking, secret = _book(sal)
    wrong_url = _manage_url(booking, "not-the-secret")
    unknown_url = url("appointment_manage", "ABCD-EFGH", secret)
    wrong, unknown = client.get(wrong_url), client.get(unknown_url)
    assert wrong.status_code == unknown.status_code == 404
    # The same page, but for the address it names (in its language and feedback links).
    assert _without(wrong.content.decode(), wrong_url) == _without(
        unknown.content.decode(), unknown_url
    )
    for name in ("appointment_ics", "appointment_move", "appointment_cancel"):
        assert client.get(url(name, booking.reference, "nope")).status_code == 404
    assert client.post(url("appointment_cancel", booking.reference, "nope")).status_code == 404
    booking.refresh_from_db()
    assert booking.status == BookingStatus.BOOKED


def test_the_calendar_file_is_served_and_parses(client, sal):
    booking, secret = _book(sal)
    response = client.get(url("appointment_ics", booking.reference, secret))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="appointment-{booking.reference}.ics"'
    )
    assert "no-store" in response["Cache-Control"]
    calendar = icalendar.Calendar.from_ical(response.content)
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 1
    assert str(events[0]["UID"]).startswith(booking.reference)
    assert events[0].decoded("DTSTART") == at(19, 9)


def test_moving_to_another_free_time(client, sal):
    booking, secret = _book(sal)
    move = url("appointment_move", booking.reference, secret)
    days = client.get(move).content.decode()
    assert f'href="{move}?day={MONDAY}"' in days
    times = client.get(f"{move}?day={MONDAY}").content.decode()
    assert 'value="1000"' in times
    assert 'value="0900"' not in times  # its own time
    response = client.post(move, {"day": MONDAY, "time": "1000"})
    assert response.status_code == 302
    assert response["Location"] == _manage_url(booking, secret)
    booking.refresh_from_db()
    assert booking.starts_at == at(19, 10)
    assert "Your appointment was moved." in client.get(response["Location"]).content.decode()


def test_moving_to_a_time_taken_meanwhile_says_so(client, unit):
    sal = bookable_desk(unit, places=1).service_at_location
    booking, secret = _book(sal)
    move = url("appointment_move", booking.reference, secret)
    _book(sal, start=at(19, 10), email="fast@example.org")
    response = client.post(move, {"day": MONDAY, "time": "1000"})
    assert response.status_code == 200  # no longer among the choices
    assert 'value="1030"' in response.content.decode()
    booking.refresh_from_db()
    assert booking.starts_at == at(19, 9)


def test_cancelling_asks_first(client, sal):
    booking, secret = _book(sal)
    cancel = url("appointment_cancel", booking.reference, secret)
    page = client.get(cancel).content.decode()
    assert "Yes, cancel the appointment" in page
    booking.refresh_from_db()
    assert booking.status == BookingStatus.BOOKED
    response = client.post(cancel)
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    body = client.get(response["Location"]).content.decode()
    assert "Your appointment is cancelled." in body
    assert "This appointment is cancelled." in body
    assert url("appointment_move", booking.reference, secret) not in body


def test_after_the_deadline_the_link_no_longer_changes_the_appointment(client, sal):
    booking, secret = _book(sal)  # Monday 09:00; cancellable until 24 hours before
    refusal = (
        "It is too late to change this appointment on line. Please call the service to change it."
    )
    with time_machine.travel(at(18, 9, 30), tick=False):
        manage = client.get(_manage_url(booking, secret)).content.decode()
        assert refusal in manage
        assert url("appointment_cancel", booking.reference, secret) not in manage
        response = client.post(url("appointment_cancel", booking.reference, secret))
        assert response.status_code == 409
        assert refusal in response.content.decode()
        move = url("appointment_move", booking.reference, secret)
        assert refusal in client.get(move).content.decode()
        client.post(move, {"day": MONDAY, "time": "1000"})
    booking.refresh_from_db()
    assert (booking.status, booking.starts_at) == (BookingStatus.BOOKED, at(19, 9))


def test_an_offered_place_can_be_accepted(client, unit):
    sal = bookable_desk(unit, places=1).service_at_location
    first, first_secret = _book(sal)
    join_waiting_list(
        service_at_location=sal,
        day=at(19, 9).date(),
        name="Waiting Person",
        email="waiting@example.org",
        language="fr",
        now=NOW,
    )
    cancel_booking(booking=first, secret=first_secret, now=NOW)
    offered = offer_freed_place(bookable=sal.bookable, start=at(19, 9), now=NOW)
    assert offered is not None
    booking, secret = offered
    manage = _manage_url(booking, secret, "fr")
    body = client.get(manage).content.decode()
    accept = url("appointment_accept", booking.reference, secret, language="fr")
    assert f'action="{accept}"' in body
    assert escape(_("fr", "Accept this place")) in body
    response = client.post(accept)
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == BookingStatus.BOOKED
    assert WaitingListEntry.objects.get().status == WaitingStatus.BOOKED
