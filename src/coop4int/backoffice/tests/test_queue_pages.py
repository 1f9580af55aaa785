"""The waiting room's staff pages: reception takes a ticket and shows its printable receipt,
the officer's desk calls, serves, records a no-show and transfers; another unit's officer gets
404 on the pages and the posts, and a role that does not work cases 403."""

import re
from datetime import timedelta
from html import unescape

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from coop4int.accounts.enums import Role
from coop4int.appointments.domain import queue
from coop4int.appointments.enums import TicketEventKind, TicketStatus
from coop4int.appointments.models import Ticket
from coop4int.appointments.tests.helpers import NOW
from coop4int.appointments.tests.test_queue import RecordingSender, waiting_room
from coop4int.cases.domain.references import tracking_digest
from coop4int.core.models import AuditEntry
from coop4int.directory.tests.places import praia_desk

pytestmark = pytest.mark.django_db

RECEPTION = "backoffice:queue_reception"
DESK = "backoffice:queue_desk"


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def room(unit):
    return waiting_room(unit)


@pytest.fixture
def officer(make_staff, unit):
    return make_staff(Role.FRONT_OFFICE_OFFICER, unit, username="rececao")


@pytest.fixture
def stranger(make_staff, other_unit):
    """An officer of another unit, with a place of their own."""
    praia_desk(other_unit, name="Balcão de Mindelo", municipality="Mindelo")
    return make_staff(Role.FRONT_OFFICE_OFFICER, other_unit, username="estranho")


@pytest.fixture
def sender(monkeypatch):
    recording = RecordingSender()
    monkeypatch.setattr("coop4int.appointments.notify.message_sender", lambda: recording)
    return recording


def _desk_query(room, desk="2"):
    desk_service, documents = room
    return {
        "location": str(desk_service.location_id),
        "desk": desk,
        "services": [str(desk_service.pk), str(documents.pk)],
    }


def _take(room, officer, minute=0):
    ticket, secret = queue.take_ticket(
        service_at_location=room[0],
        language="pt",
        actor=officer,
        now=NOW - timedelta(minutes=10 - minute),
    )
    return ticket, secret


# --- Reception ---------------------------------------------------------------------------------


def test_reception_takes_a_ticket_and_shows_the_printable_receipt(
    client, login_verified, officer, room, clock
):
    login_verified(client, officer)
    desk_service, _documents = room
    page = client.get(reverse(RECEPTION))
    assert page.status_code == 200
    assert "Atendimento" in page.content.decode()
    response = client.post(
        reverse(RECEPTION),
        {
            "location": str(desk_service.location_id),
            "service": str(desk_service.pk),
            "language": "fr",
            "priority": "pregnancy",
        },
    )
    ticket = Ticket.objects.get()
    assert ticket.number == "A001"
    assert ticket.priority == "pregnancy"
    assert ticket.language == "fr"
    match = re.fullmatch(rf"/staff/queue/tickets/{ticket.pk}/([^/]+)/", response["Location"])
    assert match is not None
    secret = match.group(1)
    assert ticket.secret_digest == tracking_digest(secret)
    receipt = client.get(response["Location"])
    html = receipt.content.decode()
    assert receipt.status_code == 200
    assert "A001" in html
    assert "<svg" in html  # the QR code of the person's page
    assert f"/fr/queue/ticket/{ticket.pk}/{secret}/" in html
    assert "queue_ticket.css" in html
    # Without the secret the ticket shows, but not its link.
    plain = client.get(reverse("backoffice:queue_ticket", args=[ticket.pk])).content.decode()
    assert "A001" in plain
    assert secret not in plain
    assert "<svg" not in plain


def test_bad_input_at_reception_changes_nothing_and_keeps_what_was_typed(
    client, login_verified, officer, room, clock
):
    login_verified(client, officer)
    desk_service, _documents = room
    response = client.post(
        reverse(RECEPTION),
        {
            "location": str(desk_service.location_id),
            "service": str(desk_service.pk),
            "language": "pt",
            "phone": "not a phone",
            "priority": "small_child",  # not honoured here
        },
    )
    assert response.status_code == 400
    assert "not a phone" in response.content.decode()
    assert not Ticket.objects.exists()
    response = client.post(
        reverse(RECEPTION),
        {"location": str(desk_service.location_id), "language": "pt", "phone": "abc"},
    )
    assert response.status_code == 400
    assert not Ticket.objects.exists()


def test_a_phone_at_reception_gets_the_link_by_sms(
    client, login_verified, officer, room, clock, sender, django_capture_on_commit_callbacks
):
    login_verified(client, officer)
    desk_service, _documents = room
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse(RECEPTION),
            {
                "location": str(desk_service.location_id),
                "service": str(desk_service.pk),
                "language": "pt",
                "phone": "991 23 45",
            },
        )
    assert response.status_code == 302
    ((to, body),) = sender.sent
    assert to == "+2389912345"
    assert "A001" in body
    assert response["Location"].rsplit("/", 2)[-2] in body  # the secret link


def test_the_receipt_sends_the_link_by_sms(
    client, login_verified, officer, room, clock, sender, django_capture_on_commit_callbacks
):
    login_verified(client, officer)
    ticket, secret = _take(room, officer)
    address = reverse("backoffice:queue_ticket_print", args=[ticket.pk, secret])
    bad = client.post(address, {"phone": "nope"})
    assert bad.status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(address, {"phone": "9912345"})
    assert sent.status_code == 302
    assert [to for to, _body in sender.sent] == ["+2389912345"]
    assert AuditEntry.objects.filter(action="appointments.ticket.link_sent").count() == 1
    assert client.post(reverse("backoffice:queue_ticket", args=[ticket.pk])).status_code == 404


# --- The desk ----------------------------------------------------------------------------------


def test_the_desk_calls_serves_and_records_a_no_show(client, login_verified, officer, room, clock):
    login_verified(client, officer)
    first, _secret = _take(room, officer, minute=0)
    second, _secret = _take(room, officer, minute=1)
    query = _desk_query(room)
    page = client.get(reverse(DESK), query)
    html = page.content.decode()
    assert page.status_code == 200
    assert "A001" in html
    assert "A002" in html
    address = page.context["address"]

    def press(action, ticket=None, **extra):
        data = {**query, "action": action, **extra}
        if ticket is not None:
            data["ticket"] = str(ticket.pk)
        response = client.post(address, data)
        assert response.status_code == 302
        assert response["Location"] == address
        return client.get(address)

    after = press("call_next")
    first.refresh_from_db()
    assert first.status == TicketStatus.CALLED
    assert first.desk == "2"
    assert "current-A001" in after.content.decode()
    press("recall", first)
    press("start", first)
    press("served", first)
    first.refresh_from_db()
    assert first.status == TicketStatus.SERVED
    assert first.call_count == 2
    press("call_next")
    press("no_show", second)
    second.refresh_from_db()
    assert second.status == TicketStatus.NO_SHOW
    assert second.events.last().kind == TicketEventKind.NO_SHOW
    empty = press("call_next")
    with translation.override(empty.headers["Content-Language"]):
        nobody = translation.gettext("Nobody is waiting for these services.")
    assert unescape(nobody) in unescape(empty.content.decode())
    # A button for a ticket that is no longer at the desk says so and changes nothing.
    refused = client.post(address, {**query, "action": "start", "ticket": str(second.pk)})
    assert refused.status_code == 302
    second.refresh_from_db()
    assert second.status == TicketStatus.NO_SHOW


def test_the_desk_transfers_to_another_service(client, login_verified, officer, room, clock):
    login_verified(client, officer)
    _desk_service, documents = room
    ticket, _secret = _take(room, officer)
    query = _desk_query(room)
    address = client.get(reverse(DESK), query).context["address"]
    client.post(address, {**query, "action": "call_next"})
    client.post(address, {**query, "action": "transfer", "ticket": str(ticket.pk)})
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.CALLED  # no service chosen: nothing done
    client.post(
        address, {**query, "action": "transfer", "ticket": str(ticket.pk), "to": str(documents.pk)}
    )
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.TRANSFERRED
    successor = Ticket.objects.get(transferred_from=ticket)
    assert successor.service_at_location == documents
    assert successor.number == "A001"


def test_a_desk_that_is_not_set_up_asks_for_it(client, login_verified, officer, room, clock):
    login_verified(client, officer)
    page = client.get(reverse(DESK))
    assert page.status_code == 200
    assert page.context["ready"] is False
    missing = client.get(reverse(DESK), {"location": str(room[0].location_id), "desk": ""})
    assert missing.status_code == 400
    assert missing.context["ready"] is False


# --- Another unit, another role ----------------------------------------------------------------


def test_another_units_officer_gets_404_on_pages_and_posts(
    client, login_verified, officer, stranger, room, clock
):
    ticket, secret = _take(room, officer)
    login_verified(client, stranger)
    desk_service, _documents = room
    location = str(desk_service.location_id)
    assert client.get(reverse(RECEPTION), {"location": location}).status_code == 404
    taken = client.post(
        reverse(RECEPTION),
        {"location": location, "service": str(desk_service.pk), "language": "pt"},
    )
    assert taken.status_code == 404
    assert client.get(reverse("backoffice:queue_ticket", args=[ticket.pk])).status_code == 404
    print_page = reverse("backoffice:queue_ticket_print", args=[ticket.pk, secret])
    assert client.get(print_page).status_code == 404
    assert client.post(print_page, {"phone": "9912345"}).status_code == 404
    assert client.get(reverse(DESK), _desk_query(room)).status_code == 404
    called = client.post(reverse(DESK), {**_desk_query(room), "action": "call_next"})
    assert called.status_code == 404
    # From a desk of their own, a ticket of another unit is not found either.
    own = client.get(reverse(DESK)).context["location"]
    own_query = {"location": str(own.pk), "desk": "1", "services": [str(own.services_at.get().pk)]}
    finished = client.post(reverse(DESK), {**own_query, "action": "left", "ticket": str(ticket.pk)})
    assert finished.status_code == 404
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.WAITING
    assert Ticket.objects.count() == 1


def test_a_wrong_secret_is_not_found(client, login_verified, officer, room, clock):
    ticket, secret = _take(room, officer)
    login_verified(client, officer)
    # The last character changed to one it is not (a secret may well end in "x").
    last = "y" if secret[-1] == "x" else "x"
    wrong = reverse("backoffice:queue_ticket_print", args=[ticket.pk, secret[:-1] + last])
    assert client.get(wrong).status_code == 404


@pytest.mark.parametrize("name", [RECEPTION, DESK])
def test_a_role_that_does_not_work_cases_is_forbidden(
    client, login_verified, make_staff, unit, room, name
):
    login_verified(client, make_staff(Role.CONTENT_EDITOR, unit))
    assert client.get(reverse(name)).status_code == 403
    assert client.post(reverse(name), {}).status_code == 403
