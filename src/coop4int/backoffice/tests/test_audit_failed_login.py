"""A refused log-in shows, on the audit page, the account it was aimed at: in clear to
administrators, masked to anyone else who may read the log."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from coop4int.accounts.enums import Role
from coop4int.accounts.roles import ROLE_PERMISSIONS, Permission
from coop4int.core.audit import mask
from coop4int.core.models import AuditEntry

pytestmark = pytest.mark.django_db

TARGET = "officer.praia"
MASKED = mask(TARGET)


@pytest.fixture
def failed_logins(make_staff, unit):
    make_staff(Role.FRONT_OFFICE_OFFICER, unit, username=TARGET)
    anonymous = Client()
    for username in (TARGET, "Tr0ub4dor&3"):  # an account, then a password typed as a name
        anonymous.post(reverse("accounts:login"), {"username": username, "password": "wrong"})
    return list(AuditEntry.objects.filter(action="accounts.login.failed").order_by("pk"))


def _audit_page(client: Client) -> str:
    # Wording is asserted in English, the source language.
    response = client.get(
        reverse("backoffice:audit_log"), {"action": "accounts.login"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    return response.content.decode()


def test_the_entry_keeps_the_account_aimed_at_only_when_it_names_one(failed_logins):
    aimed, unknown = failed_logins
    assert aimed.data["targeted_account"] == TARGET
    assert aimed.data["username"] == MASKED
    assert unknown.data["targeted_account"] == ""
    assert "Tr0ub4dor&3" not in str(unknown.data)


def test_an_administrator_sees_the_targeted_account(
    client, login_verified, make_staff, national_unit, failed_logins
):
    login_verified(client, make_staff(Role.ADMINISTRATOR, national_unit, username="chief"))
    body = _audit_page(client)
    assert f"Targeted account: {TARGET}" in body
    # No account by that name: masked for everyone.
    assert f"Targeted account: {escape(mask('Tr0ub4dor&3'))}" in body
    assert "Tr0ub4dor" not in body


def test_a_coordinator_reading_the_log_sees_it_masked(
    client, login_verified, make_staff, unit, failed_logins, monkeypatch
):
    # Only administrators read the log today; should coordinators be let in, they still
    # would not see which account was aimed at.
    monkeypatch.setitem(
        ROLE_PERMISSIONS,
        Role.UNIT_COORDINATOR,
        ROLE_PERMISSIONS[Role.UNIT_COORDINATOR] | {Permission.VIEW_AUDIT_LOG},
    )
    login_verified(client, make_staff(Role.UNIT_COORDINATOR, unit, username="coordinator"))
    body = _audit_page(client)
    assert f"Targeted account: {MASKED}" in body
    assert TARGET not in body
