"""Browser journey: a person lost the link to follow their request; they call with their
reference, and the officer gives them a new one — the old one stops working."""

import re

import pytest
from playwright.sync_api import expect

from coop4int.accounts.enums import Role
from coop4int.cases.domain.cases import open_case
from coop4int.cases.enums import Channel
from tests.e2e.steps import in_language, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_officer_gives_a_new_link_to_a_person_who_lost_theirs(
    browser, live_server, make_staff, unit
):
    case, old = open_case(actor=None, unit=unit, channel=Channel.WEB, subject="Visto",
                          language="fr", body="Comment renouveler mon titre ?")  # fmt: skip
    officer = make_staff(Role.FRONT_OFFICE_OFFICER, unit, language="pt")
    context = browser.new_context(base_url=live_server.url, locale="pt-PT")
    context.add_init_script("window.print = () => { window.__printed = true; };")
    page = context.new_page()
    page.set_default_timeout(10_000)
    t = lambda message: in_language("pt", message)  # noqa: E731
    log_in(page, officer)

    page.goto(f"/staff/cases/{case.reference}/")
    page.get_by_role("button", name=t("Give a new link")).click()

    # The card, in the person's language, to print or to scan from the screen.
    card = page.locator(".tracking-card")
    expect(card).to_contain_text(case.reference)
    expect(card.locator("svg.qr")).to_be_visible()
    expect(card.get_by_role("heading")).to_have_text(
        re.compile(re.escape(in_language("fr", "Your request %(reference)s").split("%")[0]))
    )
    page.get_by_role("button", name=t("Print the card")).click()
    assert page.evaluate("window.__printed === true")
    new = card.locator("#tracking-link").get_attribute("href")
    assert new is not None

    person = browser.new_context(base_url=live_server.url).new_page()
    response = person.goto(new)
    assert response is not None
    assert response.status == 200
    expect(person.get_by_role("heading", level=1)).to_contain_text(case.reference)
    response = person.goto(f"/fr/follow/{case.reference}/{old}/")
    assert response is not None
    assert response.status == 404

    page.get_by_role("link", name=t("Back to the case")).click()
    expect(page).to_have_url(re.compile(rf"/staff/cases/{case.reference}/$"))
    context.close()
