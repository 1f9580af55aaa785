"""Staff accounts: creating them, their roles, disabling and enabling them, and the invitation."""

import re
from urllib.parse import urlparse

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from coop4int.accounts.domain.staff import (
    create_staff_account,
    disable_account,
    enable_account,
    set_roles,
)
from coop4int.accounts.enums import Role
from coop4int.accounts.models import RoleAssignment, User
from coop4int.core.models import AuditEntry


@pytest.fixture
def admin(make_staff, national_unit):
    return make_staff(Role.ADMINISTRATOR, national_unit, username="ana")


@pytest.fixture
def coordinator(make_staff, unit):
    return make_staff(Role.UNIT_COORDINATOR, unit, username="carlos")


@pytest.fixture
def officer(make_staff, unit):
    return make_staff(Role.FRONT_OFFICE_OFFICER, unit, username="fatima")


def _create(actor, unit, roles, username="nova.pessoa"):
    return create_staff_account(
        actor=actor, unit=unit, username=username, email=f"{username}@example.org", roles=roles
    )


def test_create_staff_account_saves_roles_and_audits(coordinator, unit):
    account = _create(coordinator, unit, [Role.FRONT_OFFICE_OFFICER])

    assert account.unit == unit
    assert account.roles == {Role.FRONT_OFFICE_OFFICER}
    assert not account.has_usable_password()
    entry = AuditEntry.objects.get(action="accounts.staff.created")
    assert entry.actor == coordinator
    assert entry.object_id == str(account.pk)
    assert entry.unit == unit
    assert entry.data["roles"] == [Role.FRONT_OFFICE_OFFICER]
    assert "nova.pessoa@example.org" not in str(entry.data)


def test_coordinator_cannot_create_an_administrator(coordinator, unit):
    with pytest.raises(PermissionDenied):
        _create(coordinator, unit, [Role.ADMINISTRATOR])

    assert not User.objects.filter(username="nova.pessoa").exists()
    assert not AuditEntry.objects.filter(action="accounts.staff.created").exists()


def test_coordinator_cannot_grant_the_administrator_role(coordinator, officer):
    with pytest.raises(PermissionDenied):
        set_roles(actor=coordinator, user=officer, roles=[Role.ADMINISTRATOR])

    assert set(officer.role_assignments.values_list("role", flat=True)) == {
        Role.FRONT_OFFICE_OFFICER
    }


def test_administrator_can_grant_the_administrator_role(admin, officer, unit):
    created = _create(admin, unit, [Role.ADMINISTRATOR])
    set_roles(actor=admin, user=officer, roles=[Role.ADMINISTRATOR, Role.FRONT_OFFICE_OFFICER])

    assert created.roles == {Role.ADMINISTRATOR}
    assert officer.roles == {Role.ADMINISTRATOR, Role.FRONT_OFFICE_OFFICER}


def test_set_roles_replaces_the_roles_and_audits_what_changed(coordinator, officer):
    set_roles(actor=coordinator, user=officer, roles=[Role.TRAINER])

    assert officer.roles == {Role.TRAINER}
    assert set(RoleAssignment.objects.filter(user=officer).values_list("role", flat=True)) == {
        Role.TRAINER
    }
    entry = AuditEntry.objects.get(action="accounts.staff.roles_changed")
    assert entry.actor == coordinator
    assert entry.data == {"added": [Role.TRAINER], "removed": [Role.FRONT_OFFICE_OFFICER]}


def test_duplicate_username_is_refused_and_nothing_is_saved(coordinator, officer, unit):
    users_before = User.objects.count()

    with pytest.raises(ValidationError):
        _create(coordinator, unit, [Role.TRAINER], username=officer.username.upper())

    assert User.objects.count() == users_before
    assert not AuditEntry.objects.filter(action="accounts.staff.created").exists()


def test_disable_and_enable_account_are_audited(coordinator, officer):
    disable_account(actor=coordinator, user=officer)
    officer.refresh_from_db()
    assert not officer.is_active
    assert officer.roles == frozenset()

    enable_account(actor=coordinator, user=officer)
    officer.refresh_from_db()
    assert officer.is_active
    assert officer.roles == {Role.FRONT_OFFICE_OFFICER}

    actions = AuditEntry.objects.filter(actor=coordinator).values_list("action", flat=True)
    assert sorted(actions) == ["accounts.staff.disabled", "accounts.staff.enabled"]


def test_nobody_can_disable_their_own_account(admin):
    with pytest.raises(ValidationError):
        disable_account(actor=admin, user=admin)

    admin.refresh_from_db()
    assert admin.is_active
    assert not AuditEntry.objects.filter(action="accounts.staff.disabled").exists()


def test_account_created_in_the_back_office_gets_an_invitation_to_set_a_password(
    client, coordinator, unit, login_verified
):
    login_verified(client, coordinator)

    response = client.post(
        reverse("backoffice:staff_create", args=[unit.slug]),
        {"username": "nova.pessoa", "email": "nova@example.org", "roles": ["trainer"]},
    )

    assert response.url == reverse("backoffice:staff_detail", args=["nova.pessoa"])
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["nova@example.org"]
    link = re.search(r"https?://\S+/password-reset/\S+/\S+/", mail.outbox[0].body)
    assert link, mail.outbox[0].body

    invited = Client()  # the newcomer's own browser
    form_page = invited.get(urlparse(link.group(0)).path, follow=True)
    assert form_page.context["validlink"]
    new_password = "Zq7#mPw!4xLr"
    done = invited.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
    )
    assert done.url == reverse("accounts:password_reset_complete")
    assert User.objects.get(username="nova.pessoa").check_password(new_password)
