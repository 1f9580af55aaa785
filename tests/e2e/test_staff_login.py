"""Browser journeys of a staff member: log-in with two steps, language, log-out."""

import re

import pytest
from playwright.sync_api import expect

from coop4int.accounts.enums import Role
from coop4int.accounts.tests.factories import PASSWORD, current_totp
from tests.e2e.steps import in_language, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_officer_logs_in_with_two_steps_and_switches_to_french(page, make_staff, unit):
    officer = make_staff(Role.FRONT_OFFICE_OFFICER, unit, first_name="Fátima", last_name="Semedo")
    log_in(page, officer)
    expect(page.locator("html")).to_have_attribute("lang", "pt")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Fátima Semedo")

    page.get_by_role("button", name="Français").click()

    expect(page.locator("html")).to_have_attribute("lang", "fr")
    french_overview = in_language("fr", "Overview")
    assert french_overview != "Overview", "the French catalogue is missing"
    nav = page.get_by_role("navigation", name=in_language("fr", "Back office"))
    expect(nav.get_by_role("link", name=french_overview)).to_be_visible()
    expect(page.get_by_role("button", name=in_language("fr", "Log out"))).to_be_visible()


def test_wrong_code_keeps_the_person_on_the_second_step_with_a_message(page, make_staff, unit):
    officer = make_staff(Role.FRONT_OFFICE_OFFICER, unit)
    page.goto("/staff/login/")
    page.get_by_label(in_language("pt", "User name")).fill(officer.username)
    page.get_by_label(in_language("pt", "Password")).fill("not the password at all")
    page.get_by_role("button", name=in_language("pt", "Continue")).click()
    expect(page.get_by_role("alert")).to_contain_text(
        in_language("pt", "The user name or the password is not right.")
    )
    expect(page.get_by_label(in_language("pt", "User name"))).to_have_value(officer.username)

    page.get_by_label(in_language("pt", "Password")).fill(PASSWORD)
    page.get_by_role("button", name=in_language("pt", "Continue")).click()
    page.get_by_label(in_language("pt", "Code")).fill(
        "000000" if current_totp(officer) != "000000" else "111111"
    )
    page.get_by_role("button", name=in_language("pt", "Log in")).click()
    expect(
        page.get_by_text(in_language("pt", "That code is not right, or it was already used."))
    ).to_be_visible()
    expect(page).to_have_url(re.compile(r"/staff/login/verify/"))


def test_new_account_enrols_an_authenticator_and_gets_recovery_codes(page, make_staff, unit):
    newcomer = make_staff(Role.CONTENT_EDITOR, unit, totp=False)
    page.goto("/staff/login/")
    page.get_by_label(in_language("pt", "User name")).fill(newcomer.username)
    page.get_by_label(in_language("pt", "Password")).fill(PASSWORD)
    page.get_by_role("button", name=in_language("pt", "Continue")).click()
    expect(page).to_have_url(re.compile(r"/staff/login/enrol/"))
    secret = page.locator("code.secret").inner_text().replace(" ", "")
    assert re.fullmatch(r"[A-Z2-7]{16,}", secret)

    from django_otp.oath import TOTP

    from coop4int.accounts.models import AuthenticatorDevice

    device = AuthenticatorDevice.objects.get(user=newcomer, confirmed=False)
    code = f"{TOTP(device.bin_key).token():06d}"
    page.get_by_label(in_language("pt", "Code shown by the app")).fill(code)
    page.get_by_role("button", name=in_language("pt", "Confirm and log in")).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        in_language("pt", "Your recovery codes")
    )
    expect(page.locator("ul.codes li")).to_have_count(10)
    page.get_by_role("link", name=in_language("pt", "I have kept my codes — continue")).click()
    expect(page).to_have_url(re.compile(r"/staff/$"))
