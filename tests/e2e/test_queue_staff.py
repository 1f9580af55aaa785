"""Browser journey: a person walks in and reception takes a ticket (the printable receipt has
its number), an officer calls it to their desk and serves it; the next one does not answer the
call, and that is recorded."""

import re
from datetime import UTC, datetime

import pytest
import time_machine
from playwright.sync_api import expect

from coop4int.accounts.enums import Role
from coop4int.accounts.tests.factories import StaffFactory
from coop4int.appointments.enums import TicketEventKind, TicketStatus
from coop4int.appointments.models import Ticket
from coop4int.directory.tests.places import praia_desk
from tests.e2e.steps import in_language, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Friday 16 January 2026, mid-morning in Praia.
MOMENT = datetime(2026, 1, 16, 11, 0, tzinfo=UTC)


def _t(message: str) -> str:
    return in_language("pt", message)


def _take_ticket(page) -> None:  # type: ignore[no-untyped-def]
    page.goto("/staff/queue/reception/")
    page.get_by_label("A · Atendimento").check()
    page.get_by_role("button", name=_t("Take the ticket")).click()
    expect(page).to_have_url(re.compile(r"/staff/queue/tickets/\d+/[^/]+/$"))


def test_walk_in_take_a_ticket_be_called_and_served_and_a_no_show(page, unit) -> None:  # type: ignore[no-untyped-def]
    with time_machine.travel(MOMENT, tick=True):
        praia_desk(unit)
        officer = StaffFactory(unit=unit, roles=[Role.FRONT_OFFICE_OFFICER])
        log_in(page, officer)

        _take_ticket(page)
        expect(page.locator("#ticket-number")).to_have_text("A001")
        expect(page.locator("#receipt svg")).to_be_visible()  # the QR code of the ticket's page
        expect(page.locator("#public-link")).to_contain_text("/queue/ticket/")
        _take_ticket(page)
        expect(page.locator("#ticket-number")).to_have_text("A002")

        page.goto("/staff/queue/desk/")
        page.locator("#id_desk").fill("3")
        page.get_by_label("A · Atendimento").check()
        page.get_by_role("button", name=_t("Open the desk")).click()
        expect(page.locator("#no-current")).to_be_visible()

        page.get_by_role("button", name=_t("Call the next ticket")).click()
        current = page.locator("#current-A001")
        expect(current).to_be_visible()
        current.get_by_role("button", name=_t("Start serving")).click()
        page.locator("#current-A001").get_by_role("button", name=_t("Served")).click()
        expect(page.locator("#current-A001")).to_have_count(0)

        page.get_by_role("button", name=_t("Call the next ticket")).click()
        page.locator("#current-A002").get_by_role("button", name=_t("Did not answer")).click()
        expect(page.locator("#no-current")).to_be_visible()

        statuses = dict(Ticket.objects.values_list("number", "status"))
        assert statuses == {"A001": TicketStatus.SERVED, "A002": TicketStatus.NO_SHOW}
        served = Ticket.objects.get(number="A001")
        assert list(served.events.values_list("kind", flat=True)) == [
            TicketEventKind.CREATED,
            TicketEventKind.CALLED,
            TicketEventKind.SERVING,
            TicketEventKind.SERVED,
        ]
        assert served.desk == "3"
