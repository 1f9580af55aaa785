"""The client's address and scheme behind trusted reverse proxies, and only through them."""

import os
import subprocess
import sys

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from coop4int.core.client_address import (
    PEER_KEY,
    TrustedProxyMiddleware,
    client_address,
    parse_address,
    resolve,
)
from coop4int.core.models import AuditEntry

PROXY = "127.0.0.1"
CLIENT = "203.0.113.5"
STRANGER = "198.51.100.7"


@pytest.fixture(autouse=True)
def _trusted(settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1", "::1", "10.0.0.0/8"]


# --- resolve: the rule itself ------------------------------------------------------------------


def test_an_untrusted_peer_is_the_client_whatever_it_forwards():
    assert resolve(STRANGER, f"{CLIENT}", "https") == (STRANGER, None)


def test_a_trusted_proxy_hands_on_the_client_and_the_scheme():
    assert resolve(PROXY, CLIENT, "https") == (CLIENT, "https")
    assert resolve(PROXY, CLIENT, "http") == (CLIENT, "http")


def test_what_the_client_wrote_left_of_the_last_untrusted_address_is_ignored():
    # The client sent "X-Forwarded-For: 192.0.2.1"; the proxy appended the address it saw.
    assert resolve(PROXY, f"192.0.2.1, {CLIENT}")[0] == CLIENT


def test_a_chain_of_trusted_proxies_is_walked_from_the_right():
    assert resolve(PROXY, f"192.0.2.1, {CLIENT}, 10.1.2.3, 10.0.0.9")[0] == CLIENT


def test_when_every_hop_is_trusted_the_farthest_one_is_the_client():
    assert resolve(PROXY, "10.0.0.9, 10.1.2.3")[0] == "10.0.0.9"


def test_without_forwarded_for_a_trusted_peer_is_its_own_client():
    assert resolve(PROXY, "") == (PROXY, None)


def test_an_entry_that_is_no_address_stops_the_walk_at_the_last_trusted_hop():
    assert resolve(PROXY, f"{CLIENT}, unknown, 10.0.0.9")[0] == "10.0.0.9"
    assert resolve(PROXY, "unknown")[0] == PROXY


@pytest.mark.parametrize(
    ("written", "address"),
    [
        ("203.0.113.5:51234", "203.0.113.5"),
        ("[2001:db8::5]:443", "2001:db8::5"),
        ("2001:db8::5", "2001:db8::5"),
        ("[2001:db8::5]", "2001:db8::5"),
        ("::ffff:203.0.113.5", "203.0.113.5"),
        ('"203.0.113.5"', "203.0.113.5"),
        ("unknown", None),
        ("", None),
        ("203.0.113.500", None),
    ],
)
def test_addresses_as_proxies_write_them(written, address):
    parsed = parse_address(written)
    assert (str(parsed) if parsed else None) == address


def test_a_network_of_proxies_is_trusted_as_a_whole():
    assert resolve("10.20.30.40", CLIENT) == (CLIENT, None)
    assert resolve("11.0.0.1", CLIENT) == ("11.0.0.1", None)


def test_ipv6_proxies_and_clients():
    assert resolve("::1", "2001:db8::5", "https") == ("2001:db8::5", "https")
    assert resolve("::ffff:127.0.0.1", CLIENT)[0] == CLIENT


def test_the_scheme_is_the_one_the_proxy_the_client_reached_wrote():
    # Each proxy appends the scheme it was reached by: the client's own claim on the left is
    # not believed, the outer proxy's value is.
    assert resolve(PROXY, f"{CLIENT}, 10.0.0.9", "http, https, http")[1] == "https"
    # A proxy that sets the header (one value) is believed.
    assert resolve(PROXY, f"{CLIENT}, 10.0.0.9", "https")[1] == "https"


def test_a_scheme_that_is_neither_http_nor_https_is_ignored():
    assert resolve(PROXY, CLIENT, "javascript") == (CLIENT, None)


def test_nothing_is_trusted_when_trusted_proxies_is_empty(settings):
    settings.TRUSTED_PROXIES = []
    assert resolve(PROXY, CLIENT, "https") == (PROXY, None)


# --- The middleware ----------------------------------------------------------------------------


def _through_middleware(**meta: str) -> HttpRequest:
    seen: list[HttpRequest] = []

    def view(request: HttpRequest) -> HttpResponse:
        seen.append(request)
        return HttpResponse()

    TrustedProxyMiddleware(view)(RequestFactory().get("/", **meta))  # type: ignore[arg-type]
    return seen[0]


def test_the_middleware_gives_everything_after_it_the_clients_address_and_scheme():
    request = _through_middleware(
        REMOTE_ADDR=PROXY,
        HTTP_HOST="testserver",
        HTTP_X_FORWARDED_FOR=CLIENT,
        HTTP_X_FORWARDED_PROTO="https",
    )
    assert request.META["REMOTE_ADDR"] == CLIENT
    assert request.META[PEER_KEY] == PROXY
    assert client_address(request) == CLIENT
    assert request.is_secure()
    assert request.build_absolute_uri("/") == "https://testserver/"


def test_the_middleware_drops_the_forwarding_headers_of_an_untrusted_peer():
    request = _through_middleware(
        REMOTE_ADDR=STRANGER,
        HTTP_X_FORWARDED_FOR=CLIENT,
        HTTP_X_FORWARDED_PROTO="https",
        HTTP_X_FORWARDED_HOST="evil.example",
        HTTP_X_REAL_IP=CLIENT,
        HTTP_FORWARDED=f"for={CLIENT};proto=https",
    )
    assert request.META["REMOTE_ADDR"] == STRANGER
    assert client_address(request) == STRANGER
    assert not request.is_secure()
    assert not any(key.startswith(("HTTP_X_FORWARDED", "HTTP_X_REAL")) for key in request.META)
    assert "HTTP_FORWARDED" not in request.META


def test_a_request_that_skipped_the_middleware_is_read_the_same_way():
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=CLIENT)
    assert client_address(request) == CLIENT
    request = RequestFactory().get("/", REMOTE_ADDR=STRANGER, HTTP_X_FORWARDED_FOR=CLIENT)
    assert client_address(request) == STRANGER


# --- Through the whole stack -------------------------------------------------------------------


@pytest.mark.django_db
def test_https_from_a_trusted_proxy_is_believed_and_from_anyone_else_is_not(client, settings):
    settings.SECURE_SSL_REDIRECT = True

    behind_proxy = client.get(
        "/health/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=CLIENT, HTTP_X_FORWARDED_PROTO="https"
    )
    assert behind_proxy.status_code == 200

    stranger = client.get("/health/", REMOTE_ADDR=STRANGER, HTTP_X_FORWARDED_PROTO="https")
    assert stranger.status_code == 301
    assert stranger["Location"] == "https://testserver/health/"


@pytest.mark.django_db
def test_the_audit_log_keeps_the_clients_address_and_our_request_id(client):
    response = client.post(
        "/en/feedback/",
        {"page": "/en/", "message": "The opening hours are wrong."},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=f"192.0.2.1, {CLIENT}",
        HTTP_X_REQUEST_ID="chosen-by-the-client",
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="content.feedback.received")
    assert entry.ip_address == CLIENT
    assert entry.request_id == response["X-Request-ID"] != "chosen-by-the-client"


@pytest.mark.django_db
def test_the_audit_log_keeps_the_peer_when_it_is_not_a_trusted_proxy(client):
    client.post(
        "/en/feedback/",
        {"page": "/en/", "message": "The opening hours are wrong."},
        REMOTE_ADDR=STRANGER,
        HTTP_X_FORWARDED_FOR=CLIENT,
    )
    assert AuditEntry.objects.get(action="content.feedback.received").ip_address == STRANGER


def test_a_trusted_proxies_value_that_is_no_network_stops_the_start(tmp_path):
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "COOP4INT_DATA_DIR": str(tmp_path),
        "TRUSTED_PROXIES": "127.0.0.1,10.0.0.1/8",
    }
    result = subprocess.run(
        [sys.executable, "-c", "import coop4int.settings"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "TRUSTED_PROXIES: 10.0.0.1/8 has host bits set" in result.stderr
