"""Browser journey: the waiting room's screen shows a ticket called to a desk within two seconds,
and, without JavaScript, reloads itself."""

import re
from datetime import UTC, datetime

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from coop4int.accounts.enums import Role
from coop4int.accounts.tests.factories import StaffFactory
from coop4int.appointments.domain import queue
from coop4int.appointments.models import QueueSettings
from coop4int.directory.tests.places import praia_desk
from tests.e2e.steps import in_language

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Friday 16 January 2026, mid-morning in Praia.
MOMENT = datetime(2026, 1, 16, 11, 0, tzinfo=UTC)


def _call(desk, officer, label: str):  # type: ignore[no-untyped-def]
    ticket = queue.call_next(
        location=desk.location,
        service_ids=[desk.pk],
        desk=label,
        actor=officer,
        now=timezone.now(),
    )
    assert ticket is not None
    return ticket


def _take(desk, officer):  # type: ignore[no-untyped-def]
    ticket, _secret = queue.take_ticket(
        service_at_location=desk, language="pt", actor=officer, now=timezone.now()
    )
    return ticket


def test_a_call_is_on_the_screen_within_two_seconds_in_two_languages(page, unit) -> None:  # type: ignore[no-untyped-def]
    with time_machine.travel(MOMENT, tick=True):
        desk = praia_desk(unit)
        officer = StaffFactory(unit=unit, roles=[Role.FRONT_OFFICE_OFFICER])
        QueueSettings.objects.create(
            location=desk.location, display_language="fr", updated_at=timezone.now()
        )
        for _person in range(2):
            _take(desk, officer)
        feed = f"/pt/queue/display/{desk.location_id}/feed/"
        answers: list[int] = []
        page.on(
            "response",
            lambda response: answers.append(response.status) if feed in response.url else None,
        )
        page.goto(f"/pt/queue/display/{desk.location_id}/")
        expect(page.locator("#queue-none")).to_be_visible()
        expect(page.locator("#queue-now-heading [lang=pt]")).to_have_text(
            in_language("pt", "Now calling")
        )
        expect(page.locator("#queue-now-heading [lang=fr]")).to_have_text(
            in_language("fr", "Now calling")
        )
        # Sound needs a first click on most screens: the button says so, and goes once clicked.
        sound = page.locator("#queue-sound")
        if sound.is_visible():
            sound.click()
            expect(sound).to_be_hidden()

        # The screen asks every second; nothing changed, the feed answers "not modified".
        page.wait_for_timeout(2500)
        assert 200 in answers
        assert 304 in answers

        first = _call(desk, officer, "Balcão 2")
        expect(page.locator("#queue-now-number")).to_have_text(first.number, timeout=2000)
        expect(page.locator("#queue-now-desk")).to_have_text("Balcão 2")
        expect(page.locator("#queue-none")).to_be_hidden()

        second = _call(desk, officer, "4")
        expect(page.locator("#queue-now-number")).to_have_text(second.number, timeout=2000)
        expect(page.locator("#queue-now-desk")).to_have_text("4")
        previous = page.locator("#queue-previous tr")
        expect(previous).to_have_count(1)
        expect(previous.first).to_have_text(re.compile(rf"{first.number}\s*Balcão 2"))
        expect(page.locator("#queue-now")).to_have_class(re.compile("queue-new"))

        # A recall of the same number is a new call for the screen: it flashes again.
        page.evaluate("document.getElementById('queue-now').classList.remove('queue-new')")
        queue.recall(ticket=second, actor=officer, now=timezone.now())
        expect(page.locator("#queue-now")).to_have_class(re.compile("queue-new"), timeout=2000)


def test_without_javascript_the_screen_reloads_itself(browser, live_server, unit) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(
        base_url=live_server.url, locale="pt-PT", java_script_enabled=False
    )
    page = context.new_page()
    try:
        with time_machine.travel(MOMENT, tick=True):
            desk = praia_desk(unit)
            officer = StaffFactory(unit=unit, roles=[Role.FRONT_OFFICE_OFFICER])
            _take(desk, officer)
            page.goto(f"/pt/queue/display/{desk.location_id}/")
            expect(page.locator("head meta[http-equiv=refresh]")).to_have_attribute("content", "5")
            expect(page.locator("#queue-none")).to_be_visible()
            expect(page.locator("#queue-sound")).to_be_hidden()

            ticket = _call(desk, officer, "3")
            expect(page.locator("#queue-now-number")).to_have_text(ticket.number, timeout=8000)
            expect(page.locator("#queue-now-desk")).to_have_text("3")
    finally:
        context.close()
