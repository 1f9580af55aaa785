import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client as client_class
from django.urls import reverse
from django.utils import translation

from coop4int.accounts.enums import Role
from coop4int.accounts.tests.factories import PASSWORD, current_totp
from coop4int.core.models import AuditEntry

User = get_user_model()


@pytest.fixture
def coordinator_client(client, login_verified, make_staff, unit):
    return login_verified(client, make_staff(Role.UNIT_COORDINATOR, unit, username="coord"))


def test_coordinator_adds_an_account_to_their_unit_and_an_invitation_is_sent(
    coordinator_client, unit
):
    response = coordinator_client.post(
        reverse("backoffice:staff_create", args=[unit.slug]),
        {
            "username": "new.officer",
            "email": "new.officer@example.org",
            "first_name": "Nova",
            "last_name": "Técnica",
            "roles": [Role.FRONT_OFFICE_OFFICER],
        },
    )
    assert response.status_code == 302
    account = User.objects.get(username="new.officer")
    assert account.unit == unit
    assert account.roles == {Role.FRONT_OFFICE_OFFICER}
    assert not account.has_usable_password()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new.officer@example.org"]
    assert "/staff/password-reset/" in mail.outbox[0].body
    assert AuditEntry.objects.filter(action="accounts.staff.created").count() == 1


def test_form_with_errors_keeps_what_was_typed_and_saves_nothing(coordinator_client, unit):
    response = coordinator_client.post(
        reverse("backoffice:staff_create", args=[unit.slug]),
        {"username": "Bad Name!", "email": "kept@example.org", "first_name": "Kept", "roles": []},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'value="Bad Name!"' in body
    assert 'value="kept@example.org"' in body
    assert set(response.context["form"].errors) == {"username", "roles"}
    assert not User.objects.filter(email="kept@example.org").exists()
    assert not AuditEntry.objects.filter(action="accounts.staff.created").exists()


def test_coordinator_is_not_offered_the_administrator_role(coordinator_client, unit):
    response = coordinator_client.get(reverse("backoffice:staff_create", args=[unit.slug]))
    offered = {value for value, _label in response.context["form"].fields["roles"].choices}
    assert Role.ADMINISTRATOR not in offered
    assert Role.FRONT_OFFICE_OFFICER in offered


def test_coordinator_cannot_post_the_administrator_role(coordinator_client, unit):
    response = coordinator_client.post(
        reverse("backoffice:staff_create", args=[unit.slug]),
        {"username": "sneaky", "email": "s@example.org", "roles": [Role.ADMINISTRATOR]},
    )
    assert response.status_code == 200
    assert "roles" in response.context["form"].errors
    assert not User.objects.filter(username="sneaky").exists()


def test_disabling_a_colleague_ends_their_access(coordinator_client, make_staff, unit, client):
    colleague = make_staff(Role.TRAINER, unit, username="trainer1")
    response = coordinator_client.post(
        reverse("backoffice:staff_detail", args=[colleague.username]), {"action": "disable"}
    )
    assert response.status_code == 302
    colleague.refresh_from_db()
    assert not colleague.is_active
    assert AuditEntry.objects.filter(action="accounts.staff.disabled").count() == 1


def test_forbidden_page_is_styled_and_in_the_users_language(client, login_verified, make_staff):
    officer = make_staff(Role.FRONT_OFFICE_OFFICER, None)
    login_verified(client, officer)
    client.cookies["django_language"] = "fr"
    response = client.get(reverse("backoffice:audit_log"))
    assert response.status_code == 403
    body = response.content.decode()
    assert '<html lang="fr"' in body
    with translation.override("fr"):
        assert translation.gettext("Not allowed") in body


def test_language_choice_is_remembered_for_the_next_log_in(client, login_verified, make_staff):
    officer = make_staff(Role.FRONT_OFFICE_OFFICER, None)
    login_verified(client, officer)
    client.post(reverse("set_language"), {"language": "kea", "next": "/staff/"})
    officer.refresh_from_db()
    assert officer.language == "kea"
    assert AuditEntry.objects.filter(action="accounts.staff.language_changed").count() == 1

    browser_elsewhere = client_class()
    browser_elsewhere.post(
        reverse("accounts:login"), {"username": officer.username, "password": PASSWORD}
    )
    response = browser_elsewhere.post(reverse("accounts:verify"), {"token": current_totp(officer)})
    assert response.cookies["django_language"].value == "kea"
