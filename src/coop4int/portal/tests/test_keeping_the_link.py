"""Keeping the tracking link without e-mail: a card to save or print with its QR code, an SMS to
a number the person gives; and stopping this device from showing it."""

import re
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from html import unescape
from html.parser import HTMLParser
from typing import Any

import pytest
import time_machine
from django.utils import translation

from coop4int.cases.models import Case, Interaction
from coop4int.channels.tests.test_messaging import FakeTwilio
from coop4int.core.models import AuditEntry
from coop4int.core.qr import qr_svg
from coop4int.directory.models import Location, Phone, Service, ServiceAtLocation
from coop4int.portal.case_views import SMS_RATE

pytestmark = pytest.mark.django_db

MOMENT = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
# Someone without e-mail, who gave a phone number.
REQUEST = {
    "question": "Como renovo a autorização de residência?",
    "phone": "991 23 45",
    "language": "fr",
    "consent": "on",
}
LINK = r'href="(http://testserver/en/follow/[^"]+)" class="tracking-url" id="tracking-link"'


def _(message: str, language: str = "en") -> str:
    with translation.override(language):
        return translation.gettext(message)


def _path(link: str) -> str:
    return link.removeprefix("http://testserver")


@pytest.fixture
def clock() -> Iterator[Any]:
    with time_machine.travel(MOMENT, tick=False) as coordinates:
        yield coordinates


@pytest.fixture
def sent(client, unit, clock) -> tuple[Case, str]:
    """A request sent from this device: the case and its tracking link."""
    body = client.post("/en/ask/", REQUEST, follow=True).content.decode()
    link = re.search(LINK, body)
    assert link is not None
    return Case.objects.get(), link.group(1)


@pytest.fixture
def support_line(national_unit):
    line = Service.objects.create(name="Linha de Apoio", unit=national_unit, telephone_line=True)
    ServiceAtLocation.objects.create(service=line, location=Location.objects.create(name="Tel"))
    Phone.objects.create(service=line, number="+238 800 10 10", type="voice")
    return line


@pytest.fixture
def twilio_api(settings) -> Iterator[FakeTwilio]:
    """Twilio's API, on loopback."""
    server = FakeTwilio()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.MESSAGING_PROVIDER = "twilio"
    settings.TWILIO_ACCOUNT_SID = "AC0001"
    settings.TWILIO_AUTH_TOKEN = "test-auth-token"
    settings.TWILIO_SMS_FROM = "+2382601010"
    settings.TWILIO_API_URL = server.url
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


class _MainChildren(HTMLParser):
    """The start tags of the elements directly inside ``<main>``."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0  # inside main: 1
        self.children: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID:
            if self.depth == 1:
                self.children.append(self.get_starttag_text() or "")
            return
        if tag == "main" or self.depth:
            if self.depth == 1:
                self.children.append(self.get_starttag_text() or "")
            self.depth += 1

    def handle_endtag(self, tag: str) -> None:
        if self.depth and tag not in VOID:
            self.depth -= 1


VOID = {"br", "input", "img", "meta", "link", "hr"}


def main_children(html: str) -> list[str]:
    parser = _MainChildren()
    parser.feed(html)
    return parser.children


def _qr_path(html: str) -> str:
    drawn = re.search(r'<path stroke="#000" d="([^"]+)"', html)
    assert drawn is not None
    return drawn.group(1)


# --- The card --------------------------------------------------------------------------------


def test_the_page_shows_the_card_with_the_links_qr_code_and_how_to_get_a_new_one(
    client, sent, support_line
):
    case, link = sent
    body = client.get("/en/ask/sent/").content.decode()
    card = body[body.index('<section class="tracking-card"') :]
    card = card[: card.index("</section>")]
    assert _qr_path(card) == _qr_path(qr_svg(link, label=""))
    assert 'role="img"' in card
    assert case.reference in card
    assert _(
        "Lost the link? Call the support line, or come to a support unit with your reference. "
        "Once the officer is sure it is you, they give you a new link, and the old one stops "
        "working."
    ) in unescape(card)
    assert '<a href="tel:+2388001010">' in card
    # Printing prints the card alone: everything else in the page is marked not to print.
    printed = [
        element
        for element in main_children(body)
        if "no-print" not in element and "hidden" not in element
    ]
    assert printed == ['<section class="tracking-card" aria-labelledby="card-heading">']


def test_the_card_saves_as_a_file_without_any_script(client, sent):
    case, link = sent
    body = client.get("/en/ask/sent/").content.decode()
    save = re.search(r'<a class="button" href="([^"]+)" download="([^"]+)">', body)
    assert save is not None
    assert save.group(2) == f"coop4int-{case.reference}.html"

    response = client.get(save.group(1))

    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="coop4int-{case.reference}.html"'
    )
    assert response["Cache-Control"] == "private, no-store"
    assert response["Referrer-Policy"] == "no-referrer"
    card = response.content.decode()
    assert card.startswith("<!doctype html>")
    assert f'href="{link}"' in card
    assert _qr_path(card) == _qr_path(qr_svg(link, label=""))
    assert "<style>" in card  # a file on its own: no stylesheet to fetch
    assert "/static/" not in card


def test_the_tracking_page_offers_its_card_too(client, sent):
    case, link = sent
    follow = client.get(_path(link)).content.decode()
    assert f'href="card/" download="coop4int-{case.reference}.html"' in follow
    response = client.get(_path(link) + "card/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert f'href="{link}"' in response.content.decode()
    path = _path(link).rstrip("/")
    other = "y" if path.endswith("x") else "x"  # a different last character, whatever it was
    wrong = path[:-1] + other + "/card/"
    assert client.get(wrong).status_code == 404


# --- Shown for a while on this device --------------------------------------------------------


def test_stop_showing_the_link_on_a_shared_computer(client, sent):
    case, _link = sent
    response = client.post("/en/ask/sent/", {"action": "forget"}, follow=True)
    body = response.content.decode()
    assert case.reference not in body
    assert "/follow/" not in body
    assert _("This device no longer shows your link.") in body
    assert client.get("/en/ask/sent/card/")["Location"] == "/en/ask/sent/"


def test_after_half_an_hour_there_is_no_card_and_no_sms(client, sent, clock, twilio_api):
    clock.shift(timedelta(minutes=31))
    assert client.get("/en/ask/sent/card/")["Location"] == "/en/ask/sent/"
    response = client.post("/en/ask/sent/", {"action": "sms", "phone": "9912345"})
    assert response.status_code == 302
    assert twilio_api.received == []


def test_when_the_link_is_no_longer_shown_the_page_says_how_to_get_a_new_one(
    client, sent, support_line
):
    client.post("/en/ask/sent/", {"action": "forget"})
    body = client.get("/en/ask/sent/").content.decode()
    assert "Lost the link?" in body
    assert '<a href="tel:+2388001010">' in body


# --- By SMS ----------------------------------------------------------------------------------


def test_the_link_goes_by_sms_to_the_number_given(client, sent, twilio_api):
    case, link = sent
    form = client.get("/en/ask/sent/").content.decode()
    assert 'name="phone" value="+2389912345"' in form  # the number of the request, ready

    response = client.post("/en/ask/sent/", {"action": "sms", "phone": "+238 991 00 00"})

    assert response.status_code == 302
    [sms] = twilio_api.received
    assert sms["form"]["To"] == ["+2389910000"]
    text = sms["form"]["Body"][0]
    assert case.reference in text
    # In the language asked for the answers, with the site's public address.
    assert "/fr/follow/" + case.reference + "/" + link.rstrip("/").rsplit("/", 1)[1] in text
    # The secret is in the message only: not on the timeline, not in the audit log.
    secret = link.rstrip("/").rsplit("/", 1)[1]
    assert not Interaction.objects.filter(body__contains=secret).exists()
    entry = AuditEntry.objects.get(action="cases.case.tracking_sent")
    assert entry.data == {"channel": "sms", "to": "***0000"}
    assert secret not in str(AuditEntry.objects.values_list("data", flat=True))
    page = client.get("/en/ask/sent/").content.decode()
    assert _("We sent the link to your phone by text message.") in page


def test_a_number_that_is_not_one_is_refused_in_the_form(client, sent, twilio_api):
    response = client.post("/en/ask/sent/", {"action": "sms", "phone": "hello"})
    assert response.status_code == 400
    assert 'id="id_phone_errors"' in response.content.decode()
    assert twilio_api.received == []


def test_a_gateway_that_fails_is_said_and_the_link_is_still_shown(client, sent, twilio_api):
    _case, link = sent
    twilio_api.status = 500
    response = client.post("/en/ask/sent/", {"action": "sms", "phone": "9912345"})
    body = unescape(response.content.decode())
    assert response.status_code == 502
    assert (
        _(
            "The text message could not be sent. Please save or print the card, or write the "
            "link down."
        )
        in body
    )
    assert link in body
    assert not AuditEntry.objects.filter(action="cases.case.tracking_sent").exists()


def test_only_a_few_sms_go_out_per_connection(client, sent, twilio_api):
    for _attempt in range(SMS_RATE.limit):
        assert (
            client.post("/en/ask/sent/", {"action": "sms", "phone": "9912345"}).status_code == 302
        )
    response = client.post("/en/ask/sent/", {"action": "sms", "phone": "9912345"})
    assert response.status_code == 429
    assert len(twilio_api.received) == SMS_RATE.limit
