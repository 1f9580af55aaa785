"""Log-in in two steps through the real URLs: password, then a code; enrolment; lock-out;
session lifetime; password reset; password rules.

Wording is asserted in English (the source language, sent as Accept-Language): the catalogues
of the other languages change independently of these rules.
"""

import re
import time
from urllib.parse import urlencode, urlparse

import pytest
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP

from coop4int import settings as project_settings
from coop4int.accounts.domain.authentication import regenerate_recovery_codes
from coop4int.accounts.domain.staff import disable_account
from coop4int.accounts.enums import Role
from coop4int.accounts.middleware import AUTHENTICATED_AT, LAST_ACTIVITY
from coop4int.accounts.models import AuthenticatorDevice, StaffSession
from coop4int.accounts.tests.factories import PASSWORD, StaffFactory, current_totp
from coop4int.core.models import AuditEntry

LOGIN = reverse("accounts:login")
VERIFY = reverse("accounts:verify")
ENROL = reverse("accounts:enrol")
HOME = reverse("backoffice:home")
AUTH_USER = "_auth_user_id"
WRONG_PASSWORD = "not-the-right-password"


@pytest.fixture
def client() -> Client:
    return Client(headers={"accept-language": "en"})


@pytest.fixture
def officer(make_staff, unit):
    return make_staff(Role.FRONT_OFFICE_OFFICER, unit, username="fatima")


def _password_step(client: Client, username: str, password: str = PASSWORD):
    return client.post(LOGIN, {"username": username, "password": password})


def _code_step(client: Client, token: str):
    return client.post(VERIFY, {"token": token})


def _log_in(client: Client, user) -> None:
    assert _password_step(client, user.username).url == VERIFY
    assert _code_step(client, current_totp(user)).url == HOME


def _wrong_code(user) -> str:
    """A 6-digit code that no time step near now accepts."""
    device = AuthenticatorDevice.objects.get(user=user, confirmed=True)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    now = totp.t()
    accepted = set()
    for t in range(now - 3, now + 4):
        totp.time = t * device.step + device.t0
        accepted.add(f"{totp.token():06d}")
    return next(f"{n:06d}" for n in range(1_000_000) if f"{n:06d}" not in accepted)


def _is_logged_in(client: Client) -> bool:
    session = client.session
    return AUTH_USER in session and DEVICE_ID_SESSION_KEY in session


# --- Password step ----------------------------------------------------------------------------


def test_wrong_password_shows_an_error_keeps_the_username_and_is_audited(client, officer):
    response = _password_step(client, officer.username, WRONG_PASSWORD)

    assert response.status_code == 200
    assert "The user name or the password is not right." in response.text
    assert response.context["form"]["username"].value() == officer.username
    assert f'value="{officer.username}"' in response.text
    assert not _is_logged_in(client)
    assert client.get(HOME).status_code == 302
    failure = AuditEntry.objects.get(action="accounts.login.failed")
    assert failure.data["stage"] == "password"


def test_password_then_code_lands_on_the_back_office_and_records_the_session(client, officer):
    assert _password_step(client, officer.username).url == VERIFY
    response = _code_step(client, current_totp(officer))

    assert response.status_code == 302
    assert response.url == HOME
    assert client.get(HOME).status_code == 200
    assert AuditEntry.objects.filter(action="accounts.login.succeeded", actor=officer).exists()
    assert StaffSession.objects.filter(
        user=officer, session_key=client.session.session_key
    ).exists()


def test_after_log_in_the_person_lands_on_the_page_they_asked_for(client, officer):
    wanted = reverse("accounts:account")
    form_page = client.get(LOGIN, {"next": wanted})
    assert f'value="{wanted}"' in form_page.text

    client.post(LOGIN, {"username": officer.username, "password": PASSWORD, "next": wanted})

    assert _code_step(client, current_totp(officer)).url == wanted


def test_log_in_ignores_a_next_address_on_another_site(client, officer):
    client.post(
        LOGIN,
        {"username": officer.username, "password": PASSWORD, "next": "https://evil.example/"},
    )

    assert _code_step(client, current_totp(officer)).url == HOME


def test_wrong_code_keeps_the_person_on_the_second_step_with_an_error(client, officer):
    _password_step(client, officer.username)

    response = _code_step(client, _wrong_code(officer))

    assert response.status_code == 200
    assert response.request["PATH_INFO"] == VERIFY
    assert "That code is not right, or it was already used." in response.text
    assert not _is_logged_in(client)
    failure = AuditEntry.objects.get(action="accounts.login.failed")
    assert failure.data["stage"] == "second_factor"


def test_recovery_code_logs_in_once_only(client, officer):
    code = regenerate_recovery_codes(user=officer)[0]
    _password_step(client, officer.username)
    assert _code_step(client, code).url == HOME
    client.post(reverse("accounts:logout"))
    assert not _is_logged_in(client)

    _password_step(client, officer.username)
    second = _code_step(client, code)

    assert second.status_code == 200
    assert "That code is not right, or it was already used." in second.text
    assert not _is_logged_in(client)


def test_code_step_without_the_password_step_sends_back_to_log_in(client, officer):
    response = _code_step(client, current_totp(officer))

    assert response.status_code == 302
    assert response.url == LOGIN
    assert not _is_logged_in(client)


# --- Enrolment --------------------------------------------------------------------------------


def test_account_without_an_authenticator_is_sent_to_enrol(client, unit):
    newcomer = StaffFactory(unit=unit, roles=[Role.CONTENT_EDITOR], totp=False)

    response = _password_step(client, newcomer.username)

    assert response.status_code == 302
    assert response.url == ENROL
    assert not _is_logged_in(client)
    assert client.get(HOME).status_code == 302


def test_enrolment_confirms_the_device_shows_ten_recovery_codes_and_logs_in(client, unit):
    newcomer = StaffFactory(unit=unit, roles=[Role.CONTENT_EDITOR], totp=False)
    _password_step(client, newcomer.username)
    assert client.get(ENROL).status_code == 200
    device = AuthenticatorDevice.objects.get(user=newcomer, confirmed=False)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)

    response = client.post(ENROL, {"token": f"{totp.token():06d}"})

    assert response.status_code == 200
    codes = response.context["codes"]
    assert len(codes) == 10
    assert all(code in response.text for code in codes)
    device.refresh_from_db()
    assert device.confirmed
    assert _is_logged_in(client)
    assert client.get(HOME).status_code == 200


# --- Lock-out ---------------------------------------------------------------------------------


def test_five_wrong_passwords_lock_the_account_even_for_the_right_password(client, officer):
    for _ in range(5):
        _password_step(client, officer.username, WRONG_PASSWORD)

    response = _password_step(client, officer.username)

    assert response.status_code == 429
    assert "Too many failed attempts" in response.text
    assert client.get(VERIFY).url == LOGIN


def test_lock_out_of_one_username_leaves_another_username_from_the_same_address(
    client, officer, make_staff, unit
):
    colleague = make_staff(Role.FRONT_OFFICE_OFFICER, unit, username="joao")
    for _ in range(5):
        _password_step(client, officer.username, WRONG_PASSWORD)

    response = _password_step(client, colleague.username)

    assert response.status_code == 302
    assert response.url == VERIFY


# --- The back office needs both factors -------------------------------------------------------


def test_anonymous_visit_to_the_back_office_redirects_to_log_in_with_next(client, db):
    response = client.get(HOME)

    assert response.status_code == 302
    assert response.url == f"{LOGIN}?{urlencode({'next': HOME})}"


def test_session_after_the_password_step_only_cannot_open_the_back_office(client, officer):
    _password_step(client, officer.username)

    response = client.get(HOME)

    assert response.status_code == 302
    assert response.url.startswith(LOGIN)


def test_logged_in_session_without_a_second_factor_is_logged_out_of_the_back_office(
    client, officer
):
    client.force_login(officer, backend="django.contrib.auth.backends.ModelBackend")

    response = client.get(HOME)

    assert response.status_code == 302
    assert response.url.startswith(LOGIN)
    assert AUTH_USER not in client.session


# --- Session lifetime -------------------------------------------------------------------------


# SessionLifetimeMiddleware calls messages.warning(), but settings.MIDDLEWARE lists it before
# MessageMiddleware, so request._messages does not exist yet and every ended session is a 500.


def _age_session(client: Client, *, idle: float, since_login: float) -> None:
    session = client.session
    now = time.time()
    session[LAST_ACTIVITY] = now - idle
    session[AUTHENTICATED_AT] = now - since_login
    session.save()


def test_thirty_one_minutes_idle_ends_the_session_with_a_message(client, officer):
    _log_in(client, officer)
    _age_session(client, idle=31 * 60, since_login=31 * 60)

    response = client.get(HOME, follow=True)

    assert response.redirect_chain[0][0] == f"{LOGIN}?{urlencode({'next': HOME})}"
    assert "Your session ended" in response.text
    assert not _is_logged_in(client)


def test_twelve_hours_after_log_in_the_session_ends_even_when_active(client, officer):
    _log_in(client, officer)
    _age_session(client, idle=60, since_login=12 * 3600 + 60)

    response = client.get(HOME, follow=True)

    assert response.redirect_chain[0][0].startswith(LOGIN)
    assert "Your session ended" in response.text
    assert not _is_logged_in(client)


def test_twenty_nine_minutes_idle_keeps_the_session_and_renews_activity(client, officer):
    _log_in(client, officer)
    _age_session(client, idle=29 * 60, since_login=29 * 60)

    response = client.get(HOME)

    assert response.status_code == 200
    assert time.time() - client.session[LAST_ACTIVITY] < 60


def test_disabling_an_account_ends_its_sessions(client, officer, make_staff, national_unit):
    _log_in(client, officer)
    key = client.session.session_key
    admin = make_staff(Role.ADMINISTRATOR, national_unit)

    disable_account(actor=admin, user=officer)

    assert not Session.objects.filter(session_key=key).exists()
    assert not StaffSession.objects.filter(user=officer).exists()
    response = client.get(HOME)
    assert response.status_code == 302
    assert response.url.startswith(LOGIN)


# --- Password reset and password rules --------------------------------------------------------


def _reset_link() -> str:
    assert len(mail.outbox) == 1
    found = re.search(r"https?://\S+/password-reset/\S+/\S+/", mail.outbox[0].body)
    assert found, mail.outbox[0].body
    return urlparse(found.group(0)).path


def test_password_reset_mail_leads_to_a_form_that_sets_a_new_password(client, officer):
    response = client.post(reverse("accounts:password_reset"), {"email": officer.email})
    assert response.url == reverse("accounts:password_reset_done")
    assert mail.outbox[0].to == [officer.email]
    form_page = client.get(_reset_link(), follow=True)
    assert form_page.context["validlink"]
    set_password_url = form_page.redirect_chain[-1][0]

    short = client.post(
        set_password_url, {"new_password1": "Zq7#mPw!4xL", "new_password2": "Zq7#mPw!4xL"}
    )
    assert short.status_code == 200
    assert "at least 12 characters" in short.text
    done = client.post(
        set_password_url, {"new_password1": "Zq7#mPw!4xLr", "new_password2": "Zq7#mPw!4xLr"}
    )

    assert done.url == reverse("accounts:password_reset_complete")
    officer.refresh_from_db()
    assert officer.check_password("Zq7#mPw!4xLr")
    changed = AuditEntry.objects.get(action="accounts.password.changed")
    assert changed.actor == officer
    assert changed.data["how"] == "reset"


def test_password_shorter_than_twelve_characters_is_refused():
    with pytest.raises(ValidationError):
        validate_password("Zq7#mPw!4xL")
    assert validate_password("Zq7#mPw!4xLr") is None


def test_argon2_is_the_first_password_hasher(settings):
    assert project_settings.PASSWORD_HASHERS[0].endswith(".Argon2PasswordHasher")
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS

    assert make_password("Zq7#mPw!4xLr", hasher="argon2").startswith("argon2")
    assert make_password("Zq7#mPw!4xLr").startswith("argon2")


# --- Language ---------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "pt"])
def test_log_in_page_follows_the_browser_language(db, language):
    response = Client(headers={"accept-language": language}).get(LOGIN)

    assert f'<html lang="{language}"' in response.text


@pytest.mark.parametrize(("cookie", "header"), [("en", "pt"), ("pt", "en")])
def test_language_cookie_wins_over_the_browser_language(db, settings, cookie, header):
    client = Client(headers={"accept-language": header})
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = cookie

    response = client.get(LOGIN)

    assert f'<html lang="{cookie}"' in response.text


def test_error_after_a_wrong_password_is_in_the_browser_language(db):
    english = Client(headers={"accept-language": "en"})
    portuguese = Client(headers={"accept-language": "pt"})

    in_english = english.post(LOGIN, {"username": "nobody", "password": WRONG_PASSWORD})
    in_portuguese = portuguese.post(LOGIN, {"username": "nobody", "password": WRONG_PASSWORD})

    assert '<html lang="en"' in in_english.text
    assert '<html lang="pt"' in in_portuguese.text


def test_back_office_speaks_the_language_of_the_account_after_log_in(client, officer):
    officer.language = "fr"
    officer.save(update_fields=["language"])

    _log_in(client, officer)

    assert '<html lang="fr"' in client.get(HOME).text
