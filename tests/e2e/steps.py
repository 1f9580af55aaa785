"""Steps shared by the browser journeys."""

import re

from django.utils import translation
from playwright.sync_api import Page, expect

from coop4int.accounts.tests.factories import PASSWORD, current_totp


def in_language(language: str, message: str) -> str:
    """``message`` as the interface shows it in ``language``."""
    with translation.override(language):
        return translation.gettext(message)


def log_in(page: Page, user, language: str = "pt") -> None:
    page.goto("/staff/")
    expect(page).to_have_url(re.compile(r"/staff/login/\?next="))
    page.get_by_label(in_language(language, "User name")).fill(user.username)
    page.get_by_label(in_language(language, "Password")).fill(PASSWORD)
    page.get_by_role("button", name=in_language(language, "Continue")).click()
    expect(page).to_have_url(re.compile(r"/staff/login/verify/"))
    page.get_by_label(in_language(language, "Code")).fill(current_totp(user))
    page.get_by_role("button", name=in_language(language, "Log in")).click()
    expect(page).to_have_url(re.compile(r"/staff/$"))
