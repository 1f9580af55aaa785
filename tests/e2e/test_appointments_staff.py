"""Browser journey of the staff appointment pages, on a phone's screen: an officer books on
behalf of a caller from their case, checks the person in when they come, marks another
appointment as not come (and the day sheet counts it); another unit's officer gets 404 on
the appointment."""

import re
from datetime import UTC, datetime

import pytest
import time_machine
from playwright.sync_api import expect

from coop4int.accounts.enums import Role
from coop4int.appointments.domain.booking import book_slot
from coop4int.appointments.enums import BookingStatus
from coop4int.appointments.models import Booking
from coop4int.appointments.tests.helpers import at, bookable_desk
from coop4int.cases.domain.cases import open_case
from coop4int.cases.enums import Channel
from coop4int.people.domain.people import PersonDetails, register_person
from tests.e2e.steps import in_language, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Friday 16 January 2026, 10:00 in Praia.
MOMENT = datetime(2026, 1, 16, 11, 0, tzinfo=UTC)
PHONE = {"width": 390, "height": 844}


def t(message: str) -> str:
    return in_language("pt", message)


def _fits_the_screen(page) -> bool:  # type: ignore[no-untyped-def]
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def test_an_officer_books_for_a_caller_checks_in_and_marks_a_no_show(  # type: ignore[no-untyped-def]
    page, browser, live_server, make_staff, unit, other_unit
):
    with time_machine.travel(MOMENT, tick=True):
        desk = bookable_desk(unit)
        officer = make_staff(Role.FRONT_OFFICE_OFFICER, unit, language="pt")
        ana = register_person(
            actor=officer, unit=unit,
            details=PersonDetails(given_names="Ana", family_names="Lopes",
                                  preferred_language="fr"),
            phones=["+2389912345"],
        )  # fmt: skip
        case, _secret = open_case(
            actor=officer, unit=unit, channel=Channel.PHONE, subject="Renovar visto", person=ana
        )
        # Booked on line at eight for half past eight; he will not come.
        absent, _secret = book_slot(
            service_at_location=desk.service_at_location, start=at(16, 8, 30),
            name="Rui Tavares", phone="+2389900001", language="pt", now=at(16, 8),
        )  # fmt: skip
        page.set_viewport_size(PHONE)
        log_in(page, officer)

        # From the case, the caller's appointment.
        page.goto(f"/staff/cases/{case.reference}/")
        page.get_by_role("link", name=t("Book an appointment")).click()
        expect(page).to_have_url(re.compile(rf"/staff/appointments/new/\?case={case.reference}$"))
        page.get_by_label(t("Service and place")).select_option(
            label="Atendimento — Unidade de Praia"
        )
        page.get_by_role("textbox", name=t("Day")).fill("2026-01-16")
        page.get_by_role("button", name=t("Show the free times")).click()
        expect(page.get_by_label(t("Name"))).to_have_value("Ana Lopes")
        expect(page.get_by_label(t("Phone"))).to_have_value("+2389912345")
        assert _fits_the_screen(page)
        page.get_by_label("10:30").check()
        page.get_by_label(t("Interpreter needed")).check()
        page.get_by_role("button", name=t("Book"), exact=True).click()

        booking = Booking.objects.get(name="Ana Lopes")
        expect(page).to_have_url(re.compile(rf"/staff/appointments/{booking.reference}/$"))
        expect(page.locator("#linked-person")).to_have_text("Ana Lopes")
        expect(page.locator("#linked-case")).to_contain_text(case.reference)
        assert booking.person == ana
        assert booking.case == case
        assert booking.interpreter_needed
        assert _fits_the_screen(page)

        # The day sheet: Ana comes, Rui does not.
        page.get_by_role("link", name=t("Back to the day's appointments")).click()
        ana_row = page.locator(f"#booking-{booking.reference}")
        expect(ana_row).to_contain_text("Ana Lopes")
        expect(ana_row).to_contain_text(t("Interpreter needed"))
        assert _fits_the_screen(page)
        ana_row.get_by_role("button", name=t("Check in")).click()
        expect(page.locator(f"#booking-{booking.reference} .status")).to_have_text(t("Checked in"))
        page.locator(f"#booking-{absent.reference}").get_by_role(
            "button", name=t("Did not come")
        ).click()
        expect(page.locator(f"#booking-{absent.reference} .status")).to_have_text(t("Did not come"))
        expect(page.locator("#no-shows")).to_contain_text(
            t("Did not come: %(count)s of %(total)s appointments (cancelled ones not counted).")
            % {"count": 1, "total": 2}
        )
        booking.refresh_from_db()
        absent.refresh_from_db()
        assert booking.status == BookingStatus.CHECKED_IN
        assert absent.status == BookingStatus.NO_SHOW

        # Another unit's officer: the appointment does not exist for them.
        stranger = make_staff(Role.FRONT_OFFICE_OFFICER, other_unit, language="pt")
        context = browser.new_context(base_url=live_server.url, locale="pt-PT")
        try:
            other = context.new_page()
            log_in(other, stranger)
            response = other.goto(f"/staff/appointments/{booking.reference}/")
            assert response is not None
            assert response.status == 404
            other.goto("/staff/appointments/")
            expect(other.locator("main")).not_to_contain_text("Ana Lopes")
            expect(other.locator("main")).not_to_contain_text(booking.reference)
        finally:
            context.close()
