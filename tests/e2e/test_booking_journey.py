"""Browser journey: a person books an appointment in French on a small phone with JavaScript
off, saves it to their calendar, and later moves and then cancels it through their link."""

import re
from pathlib import Path

import icalendar
import pytest
import time_machine
from django.utils import translation
from playwright.sync_api import expect

from coop4int.appointments.enums import BookingStatus
from coop4int.appointments.models import Booking
from coop4int.appointments.tests.helpers import NOW, at, bookable_desk
from coop4int.core.formatting import format_date
from coop4int.directory.models import ServiceTranslation
from tests.e2e.steps import in_language

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}


def fr(message: str) -> str:
    return in_language("fr", message)


def _monday() -> str:
    """Monday 19 January 2026 as the French pages name it."""
    with translation.override("fr"):
        return format_date(at(19, 9).date(), "full")


def _fits_the_screen(page) -> None:  # type: ignore[no-untyped-def]
    """Nothing wider than the phone: no sideways scrolling (read by the test's own script; the
    page runs none)."""
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_book_in_french_without_javascript_then_move_and_cancel_through_the_link(
    browser, live_server, unit, tmp_path: Path
):
    with time_machine.travel(NOW, tick=True):
        sal = bookable_desk(unit).service_at_location
        ServiceTranslation.objects.create(
            service=sal.service, language="fr", name="Accueil des personnes migrantes"
        )
        context = browser.new_context(
            base_url=live_server.url,
            java_script_enabled=False,
            viewport=PHONE,
            locale="fr-FR",
        )
        page = context.new_page()
        page.set_default_timeout(10_000)

        # From the service's page in the directory to the booking steps.
        page.goto(f"/fr/directory/{sal.pk}/")
        page.locator("main").get_by_role("link", name=fr("Book an appointment")).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(fr("Choose a day"))
        expect(page.locator(".appointment-place")).to_contain_text(
            "Accueil des personnes migrantes"
        )
        _fits_the_screen(page)
        page.get_by_role("link", name=_monday()).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(fr("Choose a time"))
        page.get_by_role("link", name="09:00–09:30").click()

        expect(page.get_by_role("heading", level=1)).to_have_text(fr("Your details"))
        _fits_the_screen(page)
        page.get_by_label(fr("Your name")).fill("Amina Diallo")
        page.get_by_label(fr("Your e-mail")).fill("amina@example.org")
        page.get_by_label(fr("E-mail"), exact=True).check()
        expect(page.get_by_label(fr("Language of our messages"))).to_have_value("fr")
        page.get_by_label(fr("I need an interpreter at the appointment")).check()
        page.get_by_role("button", name=fr("Book this appointment")).click()

        # The appointment's own page, behind its secret link.
        expect(page).to_have_url(re.compile(r"/fr/appointments/[0-9A-Z]{4}-[0-9A-Z]{4}/[^/]+/$"))
        expect(page.get_by_role("heading", level=1)).to_have_text(fr("Your appointment"))
        expect(page.get_by_text(fr("Your appointment is booked."))).to_be_visible()
        booking = Booking.objects.get()
        assert (booking.language, booking.notify_by, booking.interpreter_needed) == (
            "fr",
            "email",
            True,
        )
        expect(page.locator("#reference")).to_have_text(booking.reference)
        facts = page.locator(".appointment-facts")
        expect(facts).to_contain_text(_monday())
        expect(facts).to_contain_text("09:00–09:30")
        expect(facts).to_contain_text("Rua 1")
        _fits_the_screen(page)
        link = page.locator("#appointment-link").get_attribute("href")
        assert link is not None
        assert booking.reference in link

        # The calendar file.
        with page.expect_download() as download_info:
            page.get_by_role("link", name=fr("Add to my calendar (iCalendar file)")).click()
        download = download_info.value
        assert download.suggested_filename == f"appointment-{booking.reference}.ics"
        saved = tmp_path / download.suggested_filename
        download.save_as(saved)
        calendar = icalendar.Calendar.from_ical(saved.read_bytes())
        (event,) = calendar.walk("VEVENT")
        assert event.decoded("DTSTART") == at(19, 9)
        assert str(event["SUMMARY"]) == "Accueil des personnes migrantes"
        context.close()

        # Later, on another device, through the link alone: move to ten o'clock.
        context = browser.new_context(
            base_url=live_server.url, java_script_enabled=False, viewport=PHONE
        )
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto(link)
        page.get_by_role("link", name=fr("Move the appointment")).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(fr("Move your appointment"))
        page.get_by_role("link", name=_monday()).click()
        page.get_by_label("10:00–10:30").check()
        _fits_the_screen(page)
        page.get_by_role("button", name=fr("Move to this time")).click()
        expect(page.get_by_text(fr("Your appointment was moved."))).to_be_visible()
        expect(page.locator(".appointment-facts")).to_contain_text("10:00–10:30")
        booking.refresh_from_db()
        assert booking.starts_at == at(19, 10)

        # And cancel it, after saying yes.
        page.get_by_role("link", name=fr("Cancel the appointment")).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(fr("Cancel your appointment"))
        page.get_by_role("button", name=fr("Yes, cancel the appointment")).click()
        expect(page.get_by_text(fr("This appointment is cancelled."))).to_be_visible()
        expect(page.get_by_role("link", name=fr("Move the appointment"))).to_have_count(0)
        booking.refresh_from_db()
        assert booking.status == BookingStatus.CANCELLED
        context.close()
