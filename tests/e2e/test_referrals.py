"""Browser journeys of a referral taken back: the officer withdraws the person's consent to
share, or the referral itself, and the partner at once sees it withdrawn, with nothing
personal, and cannot answer it any more."""

import re

import pytest
from django.utils import translation
from playwright.sync_api import Browser, Page, expect

from coop4int.accounts.enums import Role
from coop4int.cases.domain.cases import open_case
from coop4int.cases.domain.referrals import refer_case
from coop4int.cases.enums import Channel, ReferralStatus
from coop4int.directory.models import Service
from coop4int.people.domain.people import PersonDetails, give_consent, register_person
from coop4int.people.enums import ConsentMethod, Purpose
from tests.e2e.steps import in_language, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def t(message: str) -> str:
    return in_language("pt", message)


def withdrawn() -> str:
    with translation.override("pt"):
        return str(ReferralStatus.WITHDRAWN.label)


def case_status(message: str) -> str:
    with translation.override("pt"):
        return translation.pgettext("case", message)


@pytest.fixture
def referred(make_staff, unit, partner_unit):
    officer = make_staff(Role.FRONT_OFFICE_OFFICER, unit, language="pt")
    nurse = make_staff(Role.PARTNER_USER, partner_unit, language="pt")
    person = register_person(
        actor=officer,
        unit=unit,
        details=PersonDetails(given_names="Aminata", family_names="Diallo"),
        phones=["+2389912345"],
    )
    give_consent(
        actor=officer, person=person, purpose=Purpose.REFERRAL, method=ConsentMethod.VERBAL
    )
    case, _secret = open_case(
        actor=officer, unit=unit, channel=Channel.WALK_IN, subject="Vacinação", person=person
    )
    service = Service.objects.create(name="Consulta do viajante", unit=partner_unit)
    referral = refer_case(
        actor=officer,
        case=case,
        service=service,
        summary="Precisa da vacina da febre amarela.",
        share_phone=True,
    )
    return officer, nurse, case, referral


def session(browser: Browser, live_server, user) -> Page:  # type: ignore[no-untyped-def]
    context = browser.new_context(base_url=live_server.url, locale="pt-PT")
    page = context.new_page()
    page.set_default_timeout(10_000)
    log_in(page, user)
    return page


def expect_nothing_personal(page: Page) -> None:
    for personal in ("Aminata Diallo", "+2389912345", "febre amarela"):
        expect(page.get_by_text(personal)).to_have_count(0)


def test_withdrawing_the_sharing_consent_takes_the_referral_from_the_partner_at_once(
    browser, live_server, referred
):
    officer, nurse, case, _referral = referred
    partner = session(browser, live_server, nurse)
    partner.get_by_role("link", name=t("Referrals received")).click()
    partner.get_by_role("row", name=re.compile("Aminata Diallo")).get_by_role("link").click()
    expect(partner.locator("blockquote")).to_contain_text("febre amarela")
    # The partner leaves the page open; meanwhile the person withdraws their consent.

    desk = session(browser, live_server, officer)
    desk.goto(f"/staff/cases/{case.reference}/")
    desk.get_by_text(t("Record or withdraw consent")).click()
    desk.get_by_label(t("Purpose")).select_option("referral")
    desk.get_by_role("button", name=t("Withdraw the consent")).click()
    expect(desk.locator(".messages")).to_be_visible()
    expect(desk.locator("[aria-labelledby=referrals] ul")).to_contain_text(withdrawn())
    expect(desk.locator("dl.facts dd").first).to_have_text(case_status("Open"))

    partner.get_by_role("button", name=t("Accept")).click()
    expect(partner.locator(".message-error")).to_have_text(
        t(
            "The person withdrew their consent to share their details with a partner. This "
            "referral can no longer be answered and nothing was saved."
        )
    )
    expect(partner.locator("#referral-status")).to_have_text(withdrawn())
    expect_nothing_personal(partner)
    expect(partner.get_by_role("button", name=t("Accept"))).to_have_count(0)

    partner.get_by_role("link", name=t("Referrals received")).click()
    expect(partner.locator("tbody tr")).to_contain_text(withdrawn())
    expect_nothing_personal(partner)
    partner.context.close()
    desk.context.close()


def test_withdrawing_the_referral_returns_the_case_to_open_and_the_partner_sees_withdrawn(
    browser, live_server, referred
):
    officer, nurse, case, referral = referred
    desk = session(browser, live_server, officer)
    desk.goto(f"/staff/cases/{case.reference}/")
    desk.get_by_role("button", name=t("Withdraw the referral")).click()
    expect(desk.locator(".message-success")).to_have_text(t("The referral was withdrawn."))
    expect(desk.locator("[aria-labelledby=referrals] ul")).to_contain_text(withdrawn())
    expect(desk.locator("dl.facts dd").first).to_have_text(case_status("Open"))
    expect(desk.get_by_role("button", name=t("Withdraw the referral"))).to_have_count(0)

    partner = session(browser, live_server, nurse)
    partner.goto(f"/staff/referrals/{referral.pk}/")
    expect(partner.locator("#referral-status")).to_have_text(withdrawn())
    expect_nothing_personal(partner)
    expect(partner.get_by_role("button", name=t("Accept"))).to_have_count(0)
    expect(partner.get_by_role("button", name=t("Decline"))).to_have_count(0)
    partner.context.close()
    desk.context.close()
