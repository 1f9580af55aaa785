"""Lock-out behind a reverse proxy: failures are counted per account and client address — the
client's, handed on by a trusted proxy — so one client's wrong passwords never lock another
client out, and a client cannot escape the lock-out by writing addresses of its own."""

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from coop4int.accounts.enums import Role
from coop4int.accounts.tests.factories import PASSWORD

LOGIN = reverse("accounts:login")
VERIFY = reverse("accounts:verify")
PROXY = "127.0.0.1"
WRONG_PASSWORD = "not-the-right-password"


@pytest.fixture
def officer(make_staff, unit):
    return make_staff(Role.FRONT_OFFICE_OFFICER, unit, username="fatima")


def _behind_proxy(address: str) -> Client:
    """A browser at ``address``, reaching the platform through the proxy on 127.0.0.1."""
    return Client(headers={"accept-language": "en", "x-forwarded-for": address}, REMOTE_ADDR=PROXY)


def _log_in(client: Client, username: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    return client.post(LOGIN, {"username": username, "password": password})


def test_one_clients_failures_behind_the_proxy_do_not_lock_out_another(officer):
    attacker = _behind_proxy("203.0.113.66")
    colleague = _behind_proxy("198.51.100.20")
    failures = [_log_in(attacker, officer.username, WRONG_PASSWORD) for _ in range(5)]
    assert [response.status_code for response in failures] == [200, 200, 200, 200, 429]

    assert _log_in(attacker, officer.username).status_code == 429  # locked: this client
    response = _log_in(colleague, officer.username)  # the officer, at another address
    assert response.status_code == 302
    assert response.url == VERIFY
    attempt = AccessAttempt.objects.get(username=officer.username)
    assert attempt.ip_address == "203.0.113.66"  # the client's address, not the proxy's


def test_addresses_forwarded_by_an_untrusted_peer_do_not_escape_the_lock_out(officer):
    peer = "192.0.2.44"  # no trusted proxy: what it forwards is its own invention
    for n in range(4):
        client = Client(
            headers={"accept-language": "en", "x-forwarded-for": f"203.0.113.{n}"},
            REMOTE_ADDR=peer,
        )
        assert _log_in(client, officer.username, WRONG_PASSWORD).status_code == 200

    fifth = Client(headers={"x-forwarded-for": "203.0.113.200"}, REMOTE_ADDR=peer)
    assert _log_in(fifth, officer.username, WRONG_PASSWORD).status_code == 429
    sixth = Client(headers={"x-forwarded-for": "203.0.113.201"}, REMOTE_ADDR=peer)
    assert _log_in(sixth, officer.username).status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {peer}
