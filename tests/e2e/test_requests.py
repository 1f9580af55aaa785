"""Browser journey: asking for help without an account, and following the request."""

import re
import threading
from pathlib import Path

import pytest
from playwright.sync_api import expect

from coop4int.accounts.enums import Role
from coop4int.cases.domain.cases import reply
from coop4int.cases.enums import Channel, Status
from coop4int.cases.models import Case
from coop4int.channels.tests.test_messaging import FakeTwilio
from tests.e2e.steps import in_language
from tests.e2e.test_accessibility import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_ask_for_help_on_a_phone_then_follow_the_answer(
    browser, live_server, make_staff, unit, national_unit
):
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, locale="fr-FR")
    page = context.new_page()
    page.set_default_timeout(10_000)
    t = lambda message: in_language("fr", message)  # noqa: E731

    page.goto("/fr/")
    page.get_by_role("main").get_by_role("link", name=t("Ask for help")).click()
    expect(page).to_have_url(re.compile(r"/fr/ask/$"))
    page.get_by_label(t("Your question")).fill("Comment renouveler mon titre de séjour ?")
    page.get_by_label(t("Your name (optional)")).fill("Amina")
    page.get_by_label(t("Your phone number (optional)")).fill("991 23 45")
    page.get_by_label(t("Which local support unit?")).select_option("praia")
    expect(page.get_by_label(t("Language for our answer"))).to_have_value("fr")
    page.get_by_label(
        t(
            "I agree that the High Authority for Immigration uses what I write here to handle "
            "my request."
        )
    ).check()
    assert fits_the_screen(page)
    page.get_by_role("button", name=t("Send my request")).click()

    expect(page).to_have_url(re.compile(r"/fr/ask/sent/$"))
    case = Case.objects.get()
    expect(page.locator("#reference")).to_have_text(case.reference)
    expect(page.locator(".tracking-card svg.qr")).to_be_visible()
    assert fits_the_screen(page)
    link = page.locator("#tracking-link")
    expect(link).to_have_attribute("href", re.compile(rf"/fr/follow/{case.reference}/[\w-]+/$"))
    with page.expect_request(re.compile(r"/static/coop4int/site\.css")) as stylesheet:
        link.click()
    # The secret in the address is sent on to no one, not even to the site's own files.
    assert stylesheet.value.headers.get("referer", "").rstrip("/") == live_server.url

    expect(page.get_by_role("heading", level=1)).to_contain_text(case.reference)
    expect(page.locator(".interaction-in")).to_contain_text("Comment renouveler")
    tracking_url = page.url

    officer = make_staff(Role.FRONT_OFFICE_OFFICER, unit)
    reply(actor=officer, case=case, body="Venez lundi avec votre passeport.", channel=Channel.WEB)

    page.reload()
    expect(page.locator(".interaction-out")).to_contain_text("Venez lundi avec votre passeport.")
    expect(page.locator(".interaction-out")).to_contain_text(unit.name)
    page.get_by_label(t("Your answer")).fill("Merci, je viendrai lundi.")
    page.get_by_role("button", name=t("Send"), exact=True).click()

    expect(page).to_have_url(tracking_url)
    expect(page.get_by_role("status")).to_contain_text(t("Your answer was added to your request."))
    expect(page.locator(".interaction-in").last).to_contain_text("Merci, je viendrai lundi.")
    assert fits_the_screen(page)
    case.refresh_from_db()
    assert case.status == Status.OPEN
    assert case.interactions.count() == 3
    context.close()


@pytest.fixture
def twilio_api(settings):
    """Twilio's API on loopback, for the text message with the link."""
    server = FakeTwilio()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.MESSAGING_PROVIDER = "twilio"
    settings.TWILIO_ACCOUNT_SID = "AC0001"
    settings.TWILIO_AUTH_TOKEN = "test-auth-token"
    settings.TWILIO_SMS_FROM = "+2382601010"
    settings.TWILIO_API_URL = server.url
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def test_without_e_mail_keep_the_link_on_a_card_and_by_sms(
    browser, live_server, unit, national_unit, twilio_api
):
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, locale="fr-FR")
    # The browser's print dialog, standing in: whether it was asked for.
    context.add_init_script("window.print = () => { window.__printed = true; };")
    page = context.new_page()
    page.set_default_timeout(10_000)
    t = lambda message: in_language("fr", message)  # noqa: E731

    page.goto("/fr/ask/")
    page.get_by_label(t("Your question")).fill("Où faire renouveler mon titre de séjour ?")
    page.get_by_label(t("Your phone number (optional)")).fill("991 23 45")
    page.get_by_label(
        t(
            "I agree that the High Authority for Immigration uses what I write here to handle "
            "my request."
        )
    ).check()
    page.get_by_role("button", name=t("Send my request")).click()
    expect(page).to_have_url(re.compile(r"/fr/ask/sent/$"))
    case = Case.objects.get()
    link = page.locator("#tracking-link").get_attribute("href")
    assert link is not None

    # The phone reloads the tab: the link is still there.
    page.reload()
    expect(page.locator("#reference")).to_have_text(case.reference)
    expect(page.locator("#tracking-link")).to_have_attribute("href", link)
    assert fits_the_screen(page)
    assert serious_violations(page) == []

    # Save the card: a file with the link and its QR code.
    with page.expect_download() as download:
        page.get_by_role("link", name=t("Save the card on this device")).click()
    assert download.value.suggested_filename == f"coop4int-{case.reference}.html"
    card = Path(download.value.path()).read_text(encoding="utf-8")
    assert f'href="{link}"' in card
    assert '<svg role="img"' in card

    # Print it.
    page.get_by_role("button", name=t("Print the card")).click()
    assert page.evaluate("window.__printed === true")

    # Or have it sent by text message, to the number given with the request.
    expect(page.get_by_label(t("Your mobile phone number"))).to_have_value("+2389912345")
    page.get_by_role("button", name=t("Send the link to my phone")).click()
    expect(page.get_by_role("status")).to_contain_text(
        t("We sent the link to your phone by text message.")
    )
    [sms] = twilio_api.received
    assert sms["form"]["To"] == ["+2389912345"]
    assert case.reference in sms["form"]["Body"][0]

    # On a shared computer: the device stops showing it.
    page.get_by_role("button", name=t("Stop showing the link on this device")).click()
    expect(page.locator("#reference")).to_have_count(0)
    expect(page.get_by_text(t("This device no longer shows your link."))).to_be_visible()
    context.close()
