"""Browser journeys from the home page: to a local unit's place, and to the support line."""

import re

import pytest
from playwright.sync_api import expect

from coop4int.directory.tests.places import praia_desk, telephone_line
from tests.e2e.steps import in_language

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}


def test_from_the_home_page_to_the_units_desk_and_the_number_to_call(browser, live_server, unit):
    desk = praia_desk(unit, name="Atendimento presencial — Praia")
    telephone_line(name="Linha Nacional de Apoio ao Imigrante", number="+238 800 10 10")
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, is_mobile=True)
    page = context.new_page()

    page.goto("/pt/")
    line = page.locator(".support-lines a[href='tel:+2388001010']")
    expect(line).to_have_text("+238 800 10 10")
    expect(line.locator("bdi")).to_have_attribute("dir", "ltr")

    page.get_by_role("link", name=unit.name).click()
    expect(page).to_have_url(re.compile(rf"/pt/directory/{desk.pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Atendimento presencial — Praia")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.go_back()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        in_language("pt", "Support for immigrants in Cabo Verde")
    )
    context.close()
