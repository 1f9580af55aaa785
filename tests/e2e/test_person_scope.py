"""Browser journeys of the person record's safety: lookups stay inside a unit's scope, the
phone line logs on the case chosen, and a public request naming someone's address waits for an
officer to confirm who sent it."""

import re

import pytest
from playwright.sync_api import expect

from coop4int.accounts.enums import Role
from coop4int.cases.domain.cases import open_case
from coop4int.cases.enums import Channel
from coop4int.cases.models import Case
from coop4int.people.domain.people import PersonDetails, register_person
from coop4int.people.models import Person
from tests.e2e.steps import in_language, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CONSENT_LABEL = (
    "I agree that the High Authority for Immigration uses what I write here to handle my request."
)
PHONE = "+2389912345"
EMAIL = "maria.lopes@example.org"


@pytest.fixture
def maria(unit):
    return register_person(
        actor=None,
        unit=unit,
        details=PersonDetails(given_names="Maria", family_names="Lopes", preferred_language="fr"),
        phones=[PHONE],
        emails=[EMAIL],
    )


def t(message: str) -> str:
    return in_language("pt", message)


def test_another_units_officer_finds_nobody_by_a_praia_persons_number(
    page, make_staff, other_unit, maria
):
    officer = make_staff(Role.FRONT_OFFICE_OFFICER, other_unit, language="pt")
    log_in(page, officer)
    page.goto("/staff/cases/phone/")
    page.get_by_label(t("Caller's number")).fill("991 23 45")
    page.get_by_role("button", name=t("Find the caller")).click()
    main = page.locator("main")
    expect(main).not_to_contain_text("Maria")
    expect(main).not_to_contain_text(str(maria.pk))
    expect(main).to_contain_text(
        t(
            "A record with this number may exist at another unit. It is not shown: with the "
            "person's consent to share it between units, register the visit from “Register a "
            "walk-in or a call”."
        )
    )
    page.get_by_label(t("Subject (for a new case)")).fill("Pergunta sobre vistos")
    page.get_by_label(t("What was said")).fill("Ligou a perguntar por vistos.")
    page.get_by_role("button", name=t("Log the call")).click()
    case = Case.objects.get()
    expect(page).to_have_url(re.compile(rf"/staff/cases/{case.reference}/$"))
    assert case.person is None
    assert case.unit == other_unit
    assert Person.objects.count() == 1


def test_the_phone_line_logs_the_call_on_the_case_chosen(page, make_staff, unit, maria):
    officer = make_staff(Role.FRONT_OFFICE_OFFICER, unit, language="pt")
    older, _secret = open_case(
        actor=officer, unit=unit, channel=Channel.WALK_IN, subject="Reagrupamento", person=maria
    )
    newer, _secret = open_case(
        actor=officer, unit=unit, channel=Channel.WALK_IN, subject="Renovação", person=maria
    )
    log_in(page, officer)
    page.goto("/staff/cases/phone/")
    page.get_by_label(t("Caller's number")).fill("991 23 45")
    page.get_by_role("button", name=t("Find the caller")).click()
    page.get_by_label(re.compile(re.escape(older.reference))).check()
    page.get_by_label(t("What was said")).fill("Trouxe a certidão.")
    page.get_by_role("button", name=t("Log the call")).click()
    expect(page).to_have_url(re.compile(rf"/staff/cases/{older.reference}/$"))
    expect(page.locator(".timeline")).to_contain_text("Trouxe a certidão.")
    assert Case.objects.count() == 2
    assert older.interactions.filter(body="Trouxe a certidão.").exists()
    assert not newer.interactions.filter(body="Trouxe a certidão.").exists()


def test_a_request_with_someones_address_waits_for_the_officer_to_confirm(
    page, make_staff, unit, maria
):
    page.goto("/en/ask/")
    page.get_by_label("Your question").fill("I need to renew my residence permit.")
    page.get_by_label("Your name (optional)").fill("Somebody")
    page.get_by_label("Your e-mail (optional)").fill(EMAIL)
    page.get_by_label("Which local support unit?").select_option(unit.slug)
    page.get_by_label(CONSENT_LABEL).check()
    page.get_by_role("button", name="Send my request").click()
    expect(page.locator("main")).not_to_contain_text("Maria")
    case = Case.objects.get()
    assert case.person is None
    assert not maria.consents.exists()

    page.context.clear_cookies()
    officer = make_staff(Role.FRONT_OFFICE_OFFICER, unit, language="pt")
    log_in(page, officer)
    page.goto(f"/staff/cases/{case.reference}/")
    expect(page.get_by_role("heading", name=t("Identity not verified"))).to_be_visible()
    page.get_by_label(re.compile("Maria Lopes")).check()
    page.get_by_role("button", name=t("Confirm the identity")).click()
    expect(page.get_by_role("heading", name=t("Identity not verified"))).to_have_count(0)
    expect(page.get_by_role("link", name="Maria Lopes")).to_be_visible()
    case.refresh_from_db()
    assert case.person == maria
    assert case.identity_verified
