"""A locked-out address and account get a clear 429 in the reader's language on every page
whose password check counts towards the lock-out — the log-in page and the renewal of
recovery codes — and on whatever page django-axes calls the lock-out answer for, never an
error page.

django-axes answers a lock-out through ``settings.AXES_LOCKOUT_CALLABLE``
(``accounts.views.lockout_response``). Under WSGI it hands over the page's answer; under ASGI
its middleware hands over the credentials in the answer's place, and so does its retry when the
callable raised a TypeError. Both ways are driven here: the WSGI one through ``Client``, the
ASGI one through ``AsyncClient`` (Django's ASGI handler).

Wording is asserted in Portuguese and French, from the catalogues the interface ships."""

from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.http import HttpRequest, HttpResponse
from django.test import AsyncClient, Client, RequestFactory
from django.urls import reverse
from django.utils import translation

from coop4int.accounts.enums import Role
from coop4int.accounts.models import RecoveryCode, User
from coop4int.accounts.tests.factories import PASSWORD, log_in_verified
from coop4int.accounts.views import lockout_response

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
ACCOUNT = reverse("accounts:account")
RENEW = reverse("accounts:recovery_codes")
CHANGE = reverse("accounts:password_change")
PASSWORD_RESET = reverse("accounts:password_reset")
WRONG = "not-the-right-password"
LOCKED_PT = "Demasiadas tentativas falhadas para esta conta a partir do seu endereço."
LOCKED_FR = "Trop de tentatives échouées pour ce compte depuis votre adresse."


@pytest.fixture
def officer(make_staff, unit) -> User:  # type: ignore[no-untyped-def]
    return make_staff(Role.FRONT_OFFICE_OFFICER, unit, username="fatima")


def _reader(language: str) -> Client:
    return Client(headers={"accept-language": language})


def _post_async(
    path: str, data: dict[str, str], *, language: str, logged_in_as: Client | None = None
) -> Any:
    client = AsyncClient()
    if logged_in_as is not None:
        client.cookies = logged_in_as.cookies
    # async_to_sync from the test's thread runs the views in this thread, on the test's
    # database connection and transaction. The language goes with the request: AsyncClient
    # leaves default headers out of the request.
    return async_to_sync(client.post)(path, data, headers={"accept-language": language})


def _wrong_renewals(client: Client, times: int = 5) -> None:
    for _ in range(times):
        client.post(RENEW, {"password": WRONG})


def _is_the_login_form(text: str) -> bool:
    return f'action="{LOGIN}"' in text and 'name="password"' in text


# --- Through the pages ----------------------------------------------------------------------


def test_a_renewal_after_five_wrong_passwords_is_refused_on_the_account_page(officer):
    client = log_in_verified(_reader("pt"), officer)
    _wrong_renewals(client)

    response = client.post(RENEW, {"password": PASSWORD})

    assert response.status_code == 429
    assert LOCKED_PT in response.text
    assert '<html lang="pt"' in response.text
    assert f'action="{RENEW}"' in response.text  # the account page, its form with the reason
    assert not _is_the_login_form(response.text)
    assert not RecoveryCode.objects.filter(device__user=officer).exists()


def test_a_renewal_under_asgi_after_five_wrong_passwords_gets_the_reason_not_an_error(officer):
    browser = log_in_verified(_reader("fr"), officer)
    _wrong_renewals(browser)

    response = _post_async(RENEW, {"password": PASSWORD}, language="fr", logged_in_as=browser)

    assert response.status_code == 429
    text = response.content.decode()
    assert LOCKED_FR in text
    assert '<html lang="fr"' in text
    # Not the log-in form: the person is logged in; a way to their account and to a reset.
    assert not _is_the_login_form(text)
    assert f'href="{ACCOUNT}"' in text
    assert f'href="{PASSWORD_RESET}"' in text
    assert not RecoveryCode.objects.filter(device__user=officer).exists()


def test_the_log_in_under_asgi_after_wrong_renewals_shows_the_form_with_the_reason(officer):
    _wrong_renewals(log_in_verified(_reader("fr"), officer))

    response = _post_async(
        LOGIN, {"username": officer.username, "password": PASSWORD}, language="fr"
    )

    assert response.status_code == 429
    text = response.content.decode()
    assert LOCKED_FR in text
    assert '<html lang="fr"' in text
    assert _is_the_login_form(text)
    assert f'value="{officer.username}"' in text


def test_the_log_in_after_five_wrong_passwords_on_it_shows_the_form_with_the_reason(officer):
    client = _reader("pt")
    for _ in range(5):
        client.post(LOGIN, {"username": officer.username, "password": WRONG})

    response = client.post(LOGIN, {"username": officer.username, "password": PASSWORD})

    assert response.status_code == 429
    assert LOCKED_PT in response.text
    assert _is_the_login_form(response.text)


# --- However axes calls it ------------------------------------------------------------------


def _request(path: str, user: User | None = None) -> HttpRequest:
    request = RequestFactory().post(path, {"username": "fatima", "password": WRONG})
    request.user = user or AnonymousUser()
    request.session = SessionStore()
    return request


@pytest.mark.parametrize("path", [RENEW, CHANGE, ACCOUNT])
def test_another_page_whose_answer_does_not_say_why_gets_the_reason_on_a_page_of_its_own(
    officer, path
):
    request = _request(path, officer)
    credentials = {"username": officer.username}

    with translation.override("fr"):
        response = lockout_response(request, HttpResponse("page", status=200), credentials)

    assert response.status_code == 429
    text = response.content.decode()
    assert LOCKED_FR in text
    assert not _is_the_login_form(text)
    assert f'href="{ACCOUNT}"' in text


def test_a_page_that_answered_429_keeps_its_answer(officer):
    own = HttpResponse("the page's own reason", status=429)

    assert lockout_response(_request(RENEW, officer), own, {"username": "fatima"}) is own


@pytest.mark.parametrize(
    ("path", "login_form"), [(LOGIN, True), (RENEW, False), ("/nowhere/", False)]
)
def test_credentials_in_the_place_of_the_answer_are_taken_for_credentials(
    officer, path, login_form
):
    """axes' ASGI middleware and its retry after a TypeError call with two arguments."""
    with translation.override("pt"):
        response = lockout_response(_request(path), {"username": officer.username})

    assert response.status_code == 429
    text = response.content.decode()
    assert LOCKED_PT in text
    assert _is_the_login_form(text) is login_form
    assert (f'value="{officer.username}"' in text) is login_form
    if not login_form:
        # Nobody logged in: the way back is the log-in page.
        assert f'href="{LOGIN}"' in text


def test_a_lock_out_without_credentials_or_answer_still_explains_itself():
    with translation.override("pt"):
        response = lockout_response(_request(LOGIN))

    assert response.status_code == 429
    assert LOCKED_PT in response.content.decode()


# --- Changing the password ------------------------------------------------------------------


def _change(client: Client, old: str) -> HttpResponse:
    new = "a-new-long-passphrase-2026"
    return client.post(CHANGE, {"old_password": old, "new_password1": new, "new_password2": new})


def test_wrong_old_passwords_on_the_change_page_count_towards_the_lock_out(officer):
    client = log_in_verified(_reader("pt"), officer)
    for _ in range(4):
        response = _change(client, WRONG)
        assert response.status_code == 200
        with translation.override("pt"):
            wrong = str(
                translation.gettext("That password is not right. Your password was not changed.")
            )
        assert wrong in response.text
    _change(client, WRONG)

    response = _change(client, PASSWORD)

    assert response.status_code == 429
    assert LOCKED_PT in response.text
    officer.refresh_from_db()
    assert officer.check_password(PASSWORD)  # the right old password did not get through


def test_the_right_old_password_changes_it_and_clears_nothing_else(officer):
    client = log_in_verified(_reader("fr"), officer)
    _change(client, WRONG)

    response = _change(client, PASSWORD)

    assert response.status_code == 302
    officer.refresh_from_db()
    assert officer.check_password("a-new-long-passphrase-2026")
