"""Browser journeys on the public portal."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.steps import in_language

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_visitor_switches_the_portal_to_creole_and_back_to_french(page):
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/pt/$"))
    expect(page.locator("html")).to_have_attribute("lang", "pt")

    page.get_by_role("link", name="Kabuverdianu").click()

    expect(page).to_have_url(re.compile(r"/kea/$"))
    expect(page.locator("html")).to_have_attribute("lang", "kea")
    heading = in_language("kea", "Support for immigrants in Cabo Verde")
    assert heading != "Support for immigrants in Cabo Verde", "the Creole catalogue is missing"
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)

    page.get_by_role("link", name="Français").click()
    expect(page).to_have_url(re.compile(r"/fr/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        in_language("fr", "Support for immigrants in Cabo Verde")
    )


def test_portal_works_without_javascript(browser, live_server):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/en/")
    page.get_by_role("link", name="Português").click()
    expect(page).to_have_url(re.compile(r"/pt/$"))
    expect(page.locator("html")).to_have_attribute("lang", "pt")
    sources = page.eval_on_selector_all("script", "scripts => scripts.map(s => s.src)")
    assert all(
        src.startswith(live_server.url + "/static/") for src in sources
    )  # no outside scripts
    context.close()
