"""Compressed public pages, uncompressed pages for one person (docs/adr/0011-compression.md)."""

import gzip
import re
from datetime import UTC, datetime
from io import StringIO
from pathlib import Path

import pytest
import time_machine
from django.contrib.staticfiles import finders
from django.core.management import call_command

from coop4int.accounts.enums import Role
from coop4int.cases.domain.cases import open_case
from coop4int.cases.enums import Channel

pytestmark = pytest.mark.django_db

GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}
BUDGET = 50 * 1024
# The demo's week (its directory is verified in November 2026).
MOMENT = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def test_a_public_page_asked_for_with_gzip_is_sent_gzipped(client):
    response = client.get("/pt/", **GZIP)
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    html = gzip.decompress(response.content).decode()
    assert html.startswith("<!doctype html>")
    assert int(response["Content-Length"]) == len(response.content)


def test_a_browser_that_does_not_ask_for_gzip_gets_the_page_as_it_is(client):
    response = client.get("/pt/")
    assert not response.has_header("Content-Encoding")
    assert response.content.decode().startswith("<!doctype html>")


def test_the_home_page_with_its_stylesheet_and_script_weighs_under_50_kb_compressed(client):
    with time_machine.travel(MOMENT, tick=False):
        call_command("load_demo", stdout=StringIO())
        response = client.get("/pt/", **GZIP)
    assert response["Content-Encoding"] == "gzip"
    html = gzip.decompress(response.content).decode()
    assert html.count('class="card"') == 4  # the demo's units: a page with its real content
    # WhiteNoise serves the static files gzipped (CompressedManifestStaticFilesStorage).
    assets = re.findall(r'(?:href|src)="/static/([^"]+\.(?:css|js))"', html)
    assert sorted(assets) == ["coop4int/site.css", "coop4int/site.js"]
    weight = len(response.content) + sum(
        len(gzip.compress(Path(str(finders.find(asset))).read_bytes())) for asset in assets
    )
    assert weight <= BUDGET, f"{weight} bytes"


@pytest.mark.parametrize("path", ["/pt/ask/", "/pt/ask/sent/"])
def test_a_page_for_one_person_is_not_compressed(client, unit, path):
    response = client.get(path, **GZIP)
    assert response.status_code == 200
    assert "private" in response["Cache-Control"]
    assert not response.has_header("Content-Encoding")


def test_the_tracking_page_which_holds_its_secret_is_not_compressed(client, unit):
    case, secret = open_case(actor=None, unit=unit, channel=Channel.WEB, subject="Visto")
    response = client.get(f"/pt/follow/{case.reference}/{secret}/", **GZIP)
    assert response.status_code == 200
    assert not response.has_header("Content-Encoding")


def test_back_office_pages_are_not_compressed(client, unit, make_staff, login_verified):
    login_verified(client, make_staff(Role.FRONT_OFFICE_OFFICER, unit))
    response = client.get("/staff/cases/?q=" + "a" * 300, **GZIP)
    assert response.status_code == 200
    assert not response.has_header("Content-Encoding")


def test_the_csrf_token_is_masked_anew_in_every_response(client):
    """BREACH reads a secret that stays the same from response to response; Django salts the
    form's token with fresh random bytes each time (the cookie stays)."""
    tokens = []
    for _ in range(3):
        body = client.get("/pt/ask/").content.decode()
        tokens.append(re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1))
    assert len(set(tokens)) == 3
    assert client.cookies["csrftoken"].value
