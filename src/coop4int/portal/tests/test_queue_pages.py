"""The waiting room's public pages: the screen on the wall and its feed, a person's ticket page,
and "waiting now" on a service's page."""

import json
import re
import uuid
from datetime import datetime
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from coop4int.accounts.enums import Role
from coop4int.accounts.tests.factories import StaffFactory
from coop4int.appointments.domain import queue
from coop4int.appointments.domain.booking import book_slot, check_in
from coop4int.appointments.enums import TicketStatus
from coop4int.appointments.models import QueueSettings, Ticket
from coop4int.appointments.tests.helpers import NOW, at, bookable_desk
from coop4int.directory.models import ServiceAtLocation
from coop4int.directory.tests.places import praia_desk
from coop4int.portal.queue_views import about_minutes

pytestmark = pytest.mark.django_db


def in_language(language: str, message: str) -> str:
    with translation.override(language):
        return translation.gettext(message)


@pytest.fixture
def officer(unit: Any) -> Any:
    return StaffFactory(unit=unit, roles=[Role.FRONT_OFFICE_OFFICER])


@pytest.fixture
def desk(unit: Any) -> ServiceAtLocation:
    return praia_desk(unit)


@pytest.fixture
def frozen() -> Any:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def take(sal: ServiceAtLocation, officer: Any, when: datetime, **extra: Any) -> tuple[Ticket, str]:
    return queue.take_ticket(
        service_at_location=sal, language="pt", actor=officer, now=when, **extra
    )


def call(sal: ServiceAtLocation, officer: Any, when: datetime, desk: str = "3") -> Ticket:
    ticket = queue.call_next(
        location=sal.location, service_ids=[sal.pk], desk=desk, actor=officer, now=when
    )
    assert ticket is not None
    return ticket


def served_once(sal: ServiceAtLocation, officer: Any) -> None:
    """One ticket served this morning in ten minutes at desk 3: the service time to go by."""
    take(sal, officer, at(16, 9, 0))
    ticket = call(sal, officer, at(16, 9, 5))
    queue.start_serving(ticket=ticket, actor=officer, now=at(16, 9, 5))
    queue.finish(ticket=ticket, outcome="served", actor=officer, now=at(16, 9, 15))


def display_url(sal: ServiceAtLocation, language: str = "pt") -> str:
    with translation.override(language):
        return reverse("portal:queue_display", args=[sal.location_id])


def feed_url(sal: ServiceAtLocation) -> str:
    with translation.override("pt"):
        return reverse("portal:queue_display_feed", args=[sal.location_id])


def ticket_url(ticket: Ticket, secret: str, language: str = "pt") -> str:
    with translation.override(language):
        return reverse("portal:queue_ticket", args=[ticket.pk, secret])


def second_language(sal: ServiceAtLocation, code: str) -> None:
    QueueSettings.objects.create(location=sal.location, display_language=code, updated_at=NOW)


def spans(html: str, code: str) -> list[str]:
    return re.findall(rf'<span lang="{code}" dir="ltr">([^<]*)</span>', html)


# --- The screen --------------------------------------------------------------------------


def test_the_screen_shows_the_call_in_portuguese_and_the_second_language(
    client: Client, desk: ServiceAtLocation, officer: Any, frozen: Any
) -> None:
    second_language(desk, "fr")
    take(desk, officer, at(16, 9, 30))
    take(desk, officer, at(16, 9, 31))
    call(desk, officer, at(16, 9, 40), desk="2")
    call(desk, officer, at(16, 9, 50), desk="Balcão 5")

    response = client.get(display_url(desk))

    assert response.status_code == 200
    html = response.content.decode()
    now = re.search(r'id="queue-now".*?</div>', html, re.S)
    assert now is not None
    assert 'id="queue-now-number"><bdi dir="ltr" class="ltr">A002</bdi>' in now.group(0)
    assert '<bdi dir="ltr" class="ltr">Balcão 5</bdi>' in now.group(0)
    previous = html.split('id="queue-previous"')[1]
    assert "A001" in previous
    assert ">2</bdi>" in previous
    for code in ("pt", "fr"):
        words = spans(html, code)
        assert in_language(code, "Now calling") in words
        assert in_language(code, "Ticket") in words
        assert in_language(code, "Desk") in words
        assert in_language(code, "Previous calls") in words
    # No other language on the screen.
    assert not re.search(r'lang="(en|kea)"', html.split("<main", 1)[1])


@pytest.mark.parametrize(
    ("setting", "shown"),
    [("kea", ["pt", "kea"]), ("pt", ["pt"]), ("ar", ["pt", "fr"]), ("en", ["pt", "en"])],
)
def test_the_screens_second_language_is_the_locations_as_the_interface_speaks_it(
    client: Client, desk: ServiceAtLocation, frozen: Any, setting: str, shown: list[str]
) -> None:
    second_language(desk, setting)
    html = client.get(display_url(desk)).content.decode()
    heading = re.search(r'<h1 id="queue-now-heading"[^>]*>(.*?)</h1>', html, re.S)
    assert heading is not None
    assert re.findall(r'lang="([a-z]+)"', heading.group(1)) == shown


def test_a_screen_with_no_call_yet_says_so_and_reloads_itself_without_javascript(
    client: Client, desk: ServiceAtLocation, frozen: Any
) -> None:
    html = client.get(display_url(desk)).content.decode()
    none_yet = re.search(r'<p class="queue-none" id="queue-none">(.*?)</p>', html, re.S)
    assert none_yet is not None
    assert in_language("pt", "No number has been called yet today.") in none_yet.group(1)
    assert re.search(r'id="queue-now"[^>]* hidden', html)
    assert '<noscript><meta http-equiv="refresh" content="5"></noscript>' in html
    # The script that keeps it current without reloading, loaded as the CSP allows.
    assert re.search(r'<script src="[^"]*portal/queue_display\.js" defer></script>', html)
    assert "<script>" not in html
    assert "style=" not in html
    # Sound is offered by the script only: without it the button stays hidden.
    assert re.search(r'<button type="button" class="queue-sound" id="queue-sound" hidden>', html)


def test_an_unknown_location_has_no_screen_and_no_feed(client: Client, db: None) -> None:
    unknown = uuid.uuid4()
    with translation.override("pt"):
        assert client.get(reverse("portal:queue_display", args=[unknown])).status_code == 404
        assert client.get(reverse("portal:queue_display_feed", args=[unknown])).status_code == 404


def test_yesterdays_calls_are_not_on_todays_screen(
    client: Client, desk: ServiceAtLocation, officer: Any, frozen: Any
) -> None:
    take(desk, officer, at(15, 15, 0))
    call(desk, officer, at(15, 15, 10))
    data = client.get(feed_url(desk)).json()
    assert data["current"] is None
    assert data["recent"] == []
    assert "A001" not in client.get(display_url(desk)).content.decode()


# --- The feed ------------------------------------------------------------------------------


def test_the_feed_gives_the_call_now_and_the_calls_before_it_latest_first(
    client: Client, desk: ServiceAtLocation, officer: Any, frozen: Any
) -> None:
    for minute in (1, 2, 3):
        take(desk, officer, at(16, 9, minute))
    call(desk, officer, at(16, 9, 10), desk="1")
    call(desk, officer, at(16, 9, 20), desk="2")
    third = call(desk, officer, at(16, 9, 30), desk="3")

    response = client.get(feed_url(desk))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    data = response.json()
    assert set(data) == {"version", "current", "recent"}
    assert data["current"] == {
        "number": "A003",
        "desk": "3",
        "called_at": at(16, 9, 30).isoformat(),
        "key": f"{third.pk}@{at(16, 9, 30).timestamp():.6f}",
    }
    assert [(c["number"], c["desk"]) for c in data["recent"]] == [("A002", "2"), ("A001", "1")]


def test_the_feed_answers_304_until_a_new_call_and_a_recall_is_a_new_call(
    client: Client, desk: ServiceAtLocation, officer: Any, frozen: Any
) -> None:
    take(desk, officer, at(16, 9, 0))
    take(desk, officer, at(16, 9, 1))
    first = call(desk, officer, at(16, 9, 10))
    response = client.get(feed_url(desk))
    etag = response["ETag"]
    assert response["Cache-Control"] == "no-cache"

    unchanged = client.get(feed_url(desk), headers={"if-none-match": etag})
    assert unchanged.status_code == 304
    assert unchanged.content == b""
    assert unchanged["ETag"] == etag
    # The weak form GZipMiddleware gives a compressed answer's ETag is the same version.
    assert client.get(feed_url(desk), headers={"if-none-match": f"W/{etag}"}).status_code == 304

    queue.recall(ticket=first, actor=officer, now=at(16, 9, 12))
    recalled = client.get(feed_url(desk), headers={"if-none-match": etag})
    assert recalled.status_code == 200
    assert recalled["ETag"] != etag
    assert recalled.json()["current"]["key"] == f"{first.pk}@{at(16, 9, 12).timestamp():.6f}"

    call(desk, officer, at(16, 9, 14), desk="4")
    again = client.get(feed_url(desk), headers={"if-none-match": recalled["ETag"]})
    assert again.status_code == 200
    assert again.json()["current"]["number"] == "A002"


def test_the_feed_costs_one_query_unchanged_and_two_changed(
    client: Client,
    desk: ServiceAtLocation,
    officer: Any,
    frozen: Any,
    django_assert_num_queries: Any,
) -> None:
    for minute in range(8):
        take(desk, officer, at(16, 9, minute))
    for minute in range(7):
        call(desk, officer, at(16, 9, 10 + minute), desk=str(minute))
    with django_assert_num_queries(2):
        response = client.get(feed_url(desk))
    assert len(response.json()["recent"]) == 5
    with django_assert_num_queries(1):
        assert (
            client.get(feed_url(desk), headers={"if-none-match": response["ETag"]}).status_code
            == 304
        )


def test_the_screen_page_costs_few_queries(
    client: Client,
    desk: ServiceAtLocation,
    officer: Any,
    frozen: Any,
    django_assert_num_queries: Any,
) -> None:
    second_language(desk, "fr")
    for minute in range(8):
        take(desk, officer, at(16, 9, minute))
        call(desk, officer, at(16, 9, 30 + minute), desk=str(minute))
    with django_assert_num_queries(3):
        assert client.get(display_url(desk)).status_code == 200


def test_no_name_reaches_the_screen_the_feed_or_the_ticket_page(
    client: Client, unit: Any, officer: Any, frozen: Any
) -> None:
    bookable = bookable_desk(unit)
    sal = bookable.service_at_location
    booking, _secret = book_slot(
        service_at_location=sal,
        start=at(16, 10, 0),
        name="Maria Fernandes",
        phone="+238 991 23 45",
        email="maria@example.cv",
        language="pt",
        now=at(15, 12, 0),
    )
    ticket, secret = check_in(booking=booking, actor=officer, now=at(16, 9, 50))
    called = call(sal, officer, at(16, 10, 0))
    assert called.pk == ticket.pk

    pages = [
        client.get(display_url(sal)).content.decode(),
        client.get(feed_url(sal)).content.decode(),
        client.get(ticket_url(ticket, secret)).content.decode(),
    ]
    for page in pages:
        assert ticket.number in page
        for personal in ("Maria", "Fernandes", "9912345", "991 23 45", "maria@example.cv"):
            assert personal not in page


# --- A person's ticket ---------------------------------------------------------------------


def test_the_ticket_page_gives_the_place_in_line_and_the_estimated_wait(
    client: Client, desk: ServiceAtLocation, officer: Any, frozen: Any
) -> None:
    served_once(desk, officer)
    take(desk, officer, at(16, 9, 30))
    take(desk, officer, at(16, 9, 31))
    ticket, secret = take(desk, officer, at(16, 9, 32))

    response = client.get(ticket_url(ticket, secret, "en"))

    assert response.status_code == 200
    html = response.content.decode()
    assert (
        '<p class="ticket-number" id="ticket-number"><bdi dir="ltr" class="ltr">A004</bdi>' in html
    )
    assert "You are number 3 in line." in html
    # Three in line × ten minutes at one desk.
    assert "Estimated wait: about 30 minutes." in html
    assert "Atendimento" in html
    assert in_language("en", "Waiting") in html
    assert '<meta http-equiv="refresh" content="30">' in html
    # A page for one person: kept by no cache, its address sent on to no one.
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "strict-origin"


def test_the_ticket_page_says_honestly_when_the_wait_cannot_be_estimated(
    client: Client, desk: ServiceAtLocation, officer: Any, frozen: Any
) -> None:
    ticket, secret = take(desk, officer, at(16, 9, 30))
    html = client.get(ticket_url(ticket, secret, "en")).content.decode()
    assert "You are next in line." in html
    assert "We cannot estimate your wait yet" in html
    assert "Estimated wait" not in html


def test_a_called_ticket_is_told_which_desk_to_go_to(
    client: Client, desk: ServiceAtLocation, officer: Any, frozen: Any
) -> None:
    ticket, secret = take(desk, officer, at(16, 9, 30))
    call(desk, officer, at(16, 9, 40), desk="7")
    html = client.get(ticket_url(ticket, secret, "en")).content.decode()
    assert (
        'Your number has been called: please go to desk <bdi dir="ltr" class="ltr">7</bdi>.' in html
    )
    assert '<meta http-equiv="refresh" content="30">' in html


def test_a_served_ticket_stops_reloading(
    client: Client, desk: ServiceAtLocation, officer: Any, frozen: Any
) -> None:
    ticket, secret = take(desk, officer, at(16, 9, 0))
    called = call(desk, officer, at(16, 9, 5))
    queue.start_serving(ticket=called, actor=officer, now=at(16, 9, 6))
    queue.finish(ticket=called, outcome="served", actor=officer, now=at(16, 9, 20))
    html = client.get(ticket_url(ticket, secret, "en")).content.decode()
    assert "You have been served." in html
    assert 'http-equiv="refresh"' not in html


def test_the_link_of_a_transferred_ticket_follows_it_to_its_new_service(
    client: Client, unit: Any, desk: ServiceAtLocation, officer: Any, frozen: Any
) -> None:
    other = ServiceAtLocation.objects.create(
        service=praia_desk(unit, name="Documentos").service, location=desk.location
    )
    ticket, secret = take(desk, officer, at(16, 9, 0))
    called = call(desk, officer, at(16, 9, 5))
    queue.transfer(ticket=called, to=other, actor=officer, now=at(16, 9, 10))
    html = client.get(ticket_url(ticket, secret, "en")).content.decode()
    assert "Documentos" in html
    assert "You are next in line." in html


def test_a_wrong_secret_and_an_unknown_ticket_get_the_same_404(
    client: Client, desk: ServiceAtLocation, officer: Any, frozen: Any
) -> None:
    ticket, secret = take(desk, officer, at(16, 9, 0))
    wrong = client.get(ticket_url(ticket, secret[:-1] + ("A" if secret[-1] != "A" else "B")))
    unknown = client.get(ticket_url(Ticket(pk=ticket.pk + 1000), secret))
    assert wrong.status_code == unknown.status_code == 404
    for response in (wrong, unknown):
        assert ticket.number not in response.content.decode()


def near_setup(desk: ServiceAtLocation, officer: Any) -> tuple[Ticket, str]:
    """The fifth in line."""
    for minute in range(4):
        take(desk, officer, at(16, 9, minute))
    return take(desk, officer, at(16, 9, 10))


def test_asking_for_a_text_when_third_in_line(
    client: Client, desk: ServiceAtLocation, officer: Any, frozen: Any
) -> None:
    ticket, secret = near_setup(desk, officer)
    url = ticket_url(ticket, secret, "en")
    page = client.get(url).content.decode()
    assert 'href="?notify=1#near"' in page
    assert 'name="phone"' not in page

    form_page = client.get(url + "?notify=1").content.decode()
    assert 'name="phone"' in form_page
    # A form being filled in is never reloaded away.
    assert 'http-equiv="refresh"' not in form_page

    response = client.post(url, {"phone": "991 23 45"})

    assert response.status_code == 302
    assert response["Location"] == url
    ticket.refresh_from_db()
    assert ticket.notify_when_near is True
    assert ticket.phone == "+2389912345"
    after = client.get(url).content.decode()
    assert "We will send you a text message when you are third in line." in after
    assert "9912345" not in after


def test_a_number_that_is_not_a_phone_is_refused_in_the_pages_language(
    client: Client, desk: ServiceAtLocation, officer: Any, frozen: Any
) -> None:
    ticket, secret = near_setup(desk, officer)
    url = ticket_url(ticket, secret, "fr")

    response = client.post(url, {"phone": "12ab"})

    assert response.status_code == 400
    html = response.content.decode()
    message = in_language("fr", "“%(number)s” is not a phone number.") % {"number": "12ab"}
    assert escape(message) in html
    assert 'value="12ab"' in html
    ticket.refresh_from_db()
    assert ticket.notify_when_near is False
    assert ticket.phone == ""


def test_asking_for_a_text_once_called_changes_nothing(
    client: Client, desk: ServiceAtLocation, officer: Any, frozen: Any
) -> None:
    ticket, secret = take(desk, officer, at(16, 9, 0))
    call(desk, officer, at(16, 9, 5))
    url = ticket_url(ticket, secret, "en")
    response = client.post(url, {"phone": "991 23 45"}, follow=True)
    assert response.redirect_chain == [(url, 302)]
    html = response.content.decode()
    assert "Your ticket is no longer waiting: no message is needed." in html
    assert "Your number has been called" in html
    ticket.refresh_from_db()
    assert ticket.phone == ""
    assert ticket.status == TicketStatus.CALLED


def test_asking_for_texts_is_limited_per_connection(
    client: Client, desk: ServiceAtLocation, officer: Any, frozen: Any
) -> None:
    ticket, secret = near_setup(desk, officer)
    url = ticket_url(ticket, secret, "en")
    for _attempt in range(5):
        assert client.post(url, {"phone": "991 23 45"}).status_code == 302
    assert client.post(url, {"phone": "991 23 45"}).status_code == 429


# --- "Waiting now" on a service's page --------------------------------------------------------


def detail_url(sal: ServiceAtLocation) -> str:
    with translation.override("en"):
        return reverse("portal:directory_detail", args=[sal.pk])


def test_waiting_now_is_shown_while_the_service_has_a_queue(
    client: Client, desk: ServiceAtLocation, officer: Any, frozen: Any
) -> None:
    served_once(desk, officer)
    for minute in range(3):
        take(desk, officer, at(16, 9, 30 + minute))
    html = client.get(detail_url(desk)).content.decode()
    # Three waiting × ten minutes at one desk; the number of people is not given.
    assert '<p class="waiting-now" id="waiting-now">Waiting now: about 30 minutes.</p>' in html


def test_waiting_now_with_nobody_waiting(
    client: Client, desk: ServiceAtLocation, officer: Any, frozen: Any
) -> None:
    served_once(desk, officer)
    html = client.get(detail_url(desk)).content.decode()
    assert "Waiting now: little or no wait." in html


def test_waiting_now_is_hidden_without_a_queue_today(
    client: Client, desk: ServiceAtLocation, officer: Any, frozen: Any
) -> None:
    # Served yesterday: a service time is known, but there is no queue today.
    take(desk, officer, at(15, 9, 0))
    ticket = call(desk, officer, at(15, 9, 5))
    queue.start_serving(ticket=ticket, actor=officer, now=at(15, 9, 5))
    queue.finish(ticket=ticket, outcome="served", actor=officer, now=at(15, 9, 15))
    assert 'id="waiting-now"' not in client.get(detail_url(desk)).content.decode()


def test_waiting_now_is_hidden_when_it_cannot_be_estimated(
    client: Client, desk: ServiceAtLocation, officer: Any, frozen: Any
) -> None:
    take(desk, officer, at(16, 9, 30))
    assert 'id="waiting-now"' not in client.get(detail_url(desk)).content.decode()


def test_waiting_now_is_hidden_when_the_service_is_closed(
    client: Client, desk: ServiceAtLocation, officer: Any, frozen: Any
) -> None:
    served_once(desk, officer)
    take(desk, officer, at(16, 9, 30))
    frozen.move_to(at(16, 17, 0))
    assert 'id="waiting-now"' not in client.get(detail_url(desk)).content.decode()


@pytest.mark.parametrize(
    ("minutes", "told"), [(0, 1), (1, 1), (7, 7), (10, 10), (11, 15), (31, 35)]
)
def test_estimates_are_told_to_the_minute_then_to_five(minutes: int, told: int) -> None:
    assert about_minutes(minutes) == told


def test_the_feed_body_is_small(
    client: Client, desk: ServiceAtLocation, officer: Any, frozen: Any
) -> None:
    for minute in range(8):
        take(desk, officer, at(16, 9, minute))
        call(desk, officer, at(16, 9, 30 + minute))
    body = client.get(feed_url(desk)).content
    assert len(body) < 1200
    assert json.loads(body)["version"]
