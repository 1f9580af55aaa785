"""Browser journey: an officer prints a unit's leaflet to put up at the front desk."""

from datetime import UTC, datetime

import pytest
import time_machine
from playwright.sync_api import expect

from coop4int.directory.tests.places import praia_desk, telephone_line
from tests.e2e.steps import in_language

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Tuesday 1 December 2026, in Praia's morning: Christmas and New Year ahead.
MOMENT = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def test_print_the_leaflet_with_the_regular_hours_the_holidays_and_the_address(
    page, unit, settings
):
    settings.PUBLIC_URL = "https://coop4int.example.cv"
    with time_machine.travel(MOMENT, tick=True):
        praia_desk(unit, name="Atendimento")
        telephone_line(name="Linha Nacional de Apoio ao Imigrante", number="+238 800 10 10")
        page.goto(f"/en/directory/leaflet/{unit.slug}/")
        page.emulate_media(media="print")

        hours = page.locator(".leaflet-hours")
        expect(hours).to_have_text("Monday to Friday: 08:00–16:00")
        expect(page.locator(".leaflet-exceptions")).to_contain_text("Fri 25 Dec: closed")
        expect(page.locator(".leaflet-footer svg.qr")).to_be_visible()
        address = f"https://coop4int.example.cv/en/directory/leaflet/{unit.slug}/"
        expect(page.get_by_role("link", name=address)).to_be_visible()
        expect(page.locator(".leaflet-footer")).to_contain_text("+238 800 10 10")
        # On paper: no site header, no "print me" note.
        expect(page.locator(".site-header")).to_be_hidden()
        expect(
            page.get_by_text(
                in_language(
                    "en", "This page is made to be printed: use your browser's Print command."
                )
            )
        ).to_be_hidden()
