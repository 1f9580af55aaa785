"""Browser journey from an appointment to its end: a person who booked comes to the unit, the
officer checks them in on the day sheet, calls their ticket from the desk page while the
waiting room's screen (another page) shows it within two seconds, serves them and marks
them served."""

from datetime import UTC, datetime

import pytest
import time_machine
from playwright.sync_api import expect

from coop4int.accounts.enums import Role
from coop4int.appointments.domain.booking import book_slot
from coop4int.appointments.enums import BookingStatus, TicketStatus
from coop4int.appointments.models import Booking, Ticket
from coop4int.appointments.tests.helpers import at, bookable_desk
from tests.e2e.steps import in_language, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Friday 16 January 2026, 10:00 in Praia.
MOMENT = datetime(2026, 1, 16, 11, 0, tzinfo=UTC)
LANGUAGE = "pt"


def t(message: str) -> str:
    return in_language(LANGUAGE, message)


def test_a_booked_person_is_checked_in_called_on_the_screen_and_served(  # type: ignore[no-untyped-def]
    page, browser, live_server, make_staff, unit
):
    with time_machine.travel(MOMENT, tick=True):
        desk = bookable_desk(unit)
        officer = make_staff(Role.FRONT_OFFICE_OFFICER, unit, language=LANGUAGE)
        # Booked on line at eight for ten o'clock.
        booking, _secret = book_slot(
            service_at_location=desk.service_at_location, start=at(16, 10),
            name="Maria Semedo", phone="+2389900002", language=LANGUAGE, now=at(16, 8),
        )  # fmt: skip
        location_id = desk.service_at_location.location_id

        log_in(page, officer, LANGUAGE)

        # She arrives: the day sheet checks her in, and she gets a ticket.
        page.goto("/staff/appointments/")
        row = page.locator(f"#booking-{booking.reference}")
        expect(row).to_contain_text("Maria Semedo")
        row.get_by_role("button", name=t("Check in")).click()
        expect(page.locator(f"#booking-{booking.reference} .status")).to_have_text(t("Checked in"))
        ticket = Ticket.objects.get(booking=booking)
        expect(page.locator("main")).to_contain_text(
            t("Appointment %(reference)s: checked in, ticket %(number)s.")
            % {"reference": booking.reference, "number": ticket.number}
        )

        # The waiting room's screen, on a second browser.
        context = browser.new_context(base_url=live_server.url, locale="pt-PT")
        try:
            screen = context.new_page()
            screen.goto(f"/{LANGUAGE}/queue/display/{location_id}/")
            expect(screen.locator("#queue-none")).to_be_visible()

            # The officer opens the desk and calls the next ticket: hers.
            page.goto("/staff/queue/desk/")
            page.get_by_role("textbox", name=t("Desk")).fill("Guiché 2")
            page.get_by_label("A · Atendimento").check()
            page.get_by_role("button", name=t("Open the desk")).click()
            expect(page.locator("#no-current")).to_be_visible()
            page.get_by_role("button", name=t("Call the next ticket")).click()
            current = page.locator(f"#current-{ticket.number}")
            expect(current).to_be_visible()

            expect(screen.locator("#queue-now-number")).to_have_text(ticket.number, timeout=2000)
            expect(screen.locator("#queue-now-desk")).to_have_text("Guiché 2")
            expect(screen.locator("#queue-none")).to_be_hidden()
        finally:
            context.close()

        current.get_by_role("button", name=t("Start serving")).click()
        page.locator(f"#current-{ticket.number}").get_by_role("button", name=t("Served")).click()
        expect(page.locator(f"#current-{ticket.number}")).to_have_count(0)
        expect(page.locator("#no-current")).to_be_visible()

        ticket.refresh_from_db()
        assert ticket.status == TicketStatus.SERVED
        assert ticket.desk == "Guiché 2"
        assert ticket.called_at is not None
        assert ticket.served_from is not None
        assert ticket.served_until is not None
        assert ticket.called_at <= ticket.served_from <= ticket.served_until
        assert Booking.objects.get(pk=booking.pk).status == BookingStatus.CHECKED_IN
