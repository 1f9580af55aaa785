"""Browser journey: a staff member makes new recovery codes (their password asked again) and
logs in with one of them, typed the way people type."""

import re

import pytest
from playwright.sync_api import expect

from coop4int.accounts.enums import Role
from coop4int.accounts.tests.factories import PASSWORD
from tests.e2e.steps import in_language, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_new_recovery_codes_need_the_password_and_one_logs_in(page, make_staff, unit):
    officer = make_staff(Role.FRONT_OFFICE_OFFICER, unit)
    log_in(page, officer)
    page.goto("/staff/account/")
    make = page.get_by_role("button", name=in_language("pt", "Make new recovery codes"))

    page.get_by_label(in_language("pt", "Password")).fill("not the password at all")
    make.click()

    expect(
        page.get_by_text(
            in_language("pt", "That password is not right. Your recovery codes were not changed.")
        )
    ).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(in_language("pt", "My account"))

    page.get_by_label(in_language("pt", "Password")).fill(PASSWORD)
    page.get_by_role("button", name=in_language("pt", "Make new recovery codes")).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        in_language("pt", "Your recovery codes")
    )
    codes = page.locator("ul.codes li").all_inner_texts()
    assert len(codes) == 10
    assert all(re.fullmatch(r"[A-Z2-7]{5}(-[A-Z2-7]{5}){3}", code.strip()) for code in codes)

    page.get_by_role("button", name=in_language("pt", "Log out")).click()
    page.get_by_label(in_language("pt", "User name")).fill(officer.username)
    page.get_by_label(in_language("pt", "Password")).fill(PASSWORD)
    page.get_by_role("button", name=in_language("pt", "Continue")).click()
    page.get_by_label(in_language("pt", "Code")).fill(codes[0].strip().lower().replace("-", " "))
    page.get_by_role("button", name=in_language("pt", "Log in")).click()

    expect(page).to_have_url(re.compile(r"/staff/$"))
