"""Browser journeys in the back office: managing a unit's staff, reading the audit log."""

import re

import pytest
from playwright.sync_api import expect

from coop4int.accounts.enums import Role
from coop4int.core.models import AuditEntry
from tests.e2e.steps import in_language, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_coordinator_adds_a_staff_account_after_correcting_the_form(
    page, make_staff, unit, other_unit
):
    coordinator = make_staff(Role.UNIT_COORDINATOR, unit)
    log_in(page, coordinator)
    t = lambda message: in_language("pt", message)  # noqa: E731

    page.get_by_role("link", name=t("Units and staff")).click()
    expect(page.get_by_role("link", name=other_unit.name)).to_have_count(0)
    page.get_by_role("link", name=unit.name).click()
    page.get_by_role("link", name=t("Add a staff account")).click()

    page.get_by_label(t("User name")).fill("Nome Errado")
    page.get_by_label(t("E-mail")).fill("nova@example.org")
    page.get_by_label(t("Front-office officer")).check()
    page.get_by_role("button", name=t("Create the account")).click()

    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.get_by_label(t("E-mail"))).to_have_value("nova@example.org")
    expect(page.get_by_label(t("Front-office officer"))).to_be_checked()

    page.get_by_label(t("User name")).fill("nova.tecnica")
    page.get_by_role("button", name=t("Create the account")).click()

    expect(page).to_have_url(re.compile(r"/staff/team/nova\.tecnica/$"))
    expect(page.get_by_role("status")).to_contain_text("nova.tecnica")
    assert AuditEntry.objects.filter(action="accounts.staff.created").count() == 1


def test_administrator_filters_the_audit_log(page, make_staff, national_unit, unit):
    admin = make_staff(Role.ADMINISTRATOR, national_unit)
    officer = make_staff(Role.FRONT_OFFICE_OFFICER, unit, username="officer.praia")
    log_in(page, officer)
    page.get_by_role("button", name=in_language("pt", "Log out")).click()
    log_in(page, admin)
    t = lambda message: in_language("pt", message)  # noqa: E731

    page.get_by_role("link", name=t("Audit log")).click()
    rows = page.locator("tbody tr")
    expect(rows.filter(has_text="accounts.logout")).to_have_count(1)

    page.get_by_label(t("Who")).fill("officer.praia")
    page.get_by_label(t("Action")).fill("accounts.login")
    page.get_by_role("button", name=t("Filter")).click()

    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("accounts.login.succeeded")
    expect(rows.first).to_contain_text("officer.praia")
    expect(page.get_by_label(t("Who"))).to_have_value("officer.praia")
