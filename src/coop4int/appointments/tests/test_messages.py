"""What the appointments feature sends to people: the confirmation with its link and its
calendar file, changes made by staff with their reason, the offer of a freed place — in the
person's language, by the way they asked for, never breaking the booking when a gateway fails."""

import logging
import re
from urllib.parse import urlsplit

import icalendar
import pytest
import time_machine
from django.core import mail
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from coop4int.accounts.enums import Role
from coop4int.accounts.tests.factories import StaffFactory
from coop4int.appointments import notify as messages
from coop4int.appointments.domain.booking import (
    BookingRefused,
    book_slot,
    cancel_booking,
    join_waiting_list,
    move_booking,
    secret_matches,
)
from coop4int.appointments.enums import BookingStatus
from coop4int.appointments.models import Booking
from coop4int.appointments.tests.helpers import NOW, at, bookable_desk
from coop4int.channels import providers
from coop4int.core.models import AuditEntry
from coop4int.directory.models import ServiceTranslation

pytestmark = pytest.mark.django_db

PHONE = "+2389912345"


class FakeGateway:
    """A messaging provider that keeps what it is asked to send (or refuses, when told to)."""

    name = "fake"

    def __init__(self, fail: bool = False) -> None:
        self.sent: list[dict] = []
        self.fail = fail

    def send(self, to: str, body: str, *, whatsapp: bool, template: str = "") -> str:
        if self.fail:
            raise providers.SendFailed(f"the gateway refused {to}")
        self.sent.append({"to": to, "body": body, "whatsapp": whatsapp, "template": template})
        return f"SM{len(self.sent)}"


@pytest.fixture
def gateway(settings, monkeypatch):
    fake = FakeGateway()
    monkeypatch.setitem(providers.PROVIDERS, "fake", lambda: fake)
    settings.MESSAGING_PROVIDER = "fake"
    return fake


@pytest.fixture
def desk(unit, settings):
    settings.PUBLIC_URL = "https://apoio.example.cv"
    desk = bookable_desk(unit)
    ServiceTranslation.objects.create(
        service=desk.service_at_location.service, language="fr", name="Accueil des migrants"
    )
    return desk


def _book(desk, start=None, **extra):
    values = {"name": "Awa Diallo", "language": "fr", "now": NOW}
    return book_slot(
        service_at_location=desk.service_at_location,
        start=start or at(19, 9),
        **(values | extra),
    )


def _officer(unit):
    return StaffFactory(unit=unit, roles=[Role.FRONT_OFFICE_OFFICER])


def _sent(message: str) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(action="appointments.message.sent", data__message=message)
    )


# --- The confirmation --------------------------------------------------------------------------


def test_a_french_booking_is_confirmed_in_french_with_its_link_and_calendar_file(
    desk, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        booking, secret = _book(desk, email="Awa@Example.org")
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["awa@example.org"]
    assert booking.reference in sent.subject
    assert "lundi 19 janvier 2026, 09:00" in sent.body  # the date as French writes it
    assert "Accueil des migrants" in sent.body  # the service's French name
    assert "Unidade de Praia" in sent.body
    # The link to see, move or cancel: in French, on the public address, with the secret.
    link = re.search(r"https://apoio\.example\.cv/\S+", sent.body).group()
    path = urlsplit(link).path
    assert path == f"/fr/appointments/{booking.reference}/{secret}/"
    link_secret = path.rstrip("/").rsplit("/", 1)[1]
    assert secret_matches(Booking.objects.get(pk=booking.pk), link_secret)
    # The calendar file, attached.
    (filename, content, mimetype), *_rest = sent.attachments
    assert filename == "appointment.ics"
    assert mimetype == "text/calendar"
    event = icalendar.Calendar.from_ical(content).walk("VEVENT")[0]
    assert str(event["UID"]) == f"{booking.reference}@apoio.example.cv"
    assert str(event["SUMMARY"]) == "Accueil des migrants"


def test_the_link_in_the_confirmation_opens_the_appointment(
    desk, client, django_capture_on_commit_callbacks
):
    try:
        reverse("portal:appointment_manage", kwargs={"reference": "X", "secret": "Y"})
    except NoReverseMatch:
        pytest.skip("the public appointment page is not there yet")
    with django_capture_on_commit_callbacks(execute=True):
        booking, _secret = _book(desk, email="awa@example.org")
    link = re.search(r"https://apoio\.example\.cv/\S+", mail.outbox[0].body).group()
    # The page activates French for this thread; give the next test back the language it had.
    with time_machine.travel(NOW, tick=False), translation.override(translation.get_language()):
        page = client.get(urlsplit(link).path)
    assert page.status_code == 200
    assert booking.reference in page.content.decode()


def test_the_confirmation_is_sent_only_once_the_booking_is_committed(
    desk, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        _book(desk, email="awa@example.org")
        assert mail.outbox == []
    assert callbacks
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1


def test_the_secret_is_kept_nowhere(desk, gateway, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        booking, secret = _book(desk, phone=PHONE, notify_by="sms")
    assert secret in gateway.sent[0]["body"]
    stored = str(list(Booking.objects.filter(pk=booking.pk).values()))
    stored += str(list(AuditEntry.objects.values("data", "object_repr")))
    assert secret not in stored


def test_an_sms_goes_through_the_configured_gateway(
    desk, gateway, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        booking, secret = _book(desk, phone="+238 991 23 45", notify_by="sms")
    assert mail.outbox == []
    (sms,) = gateway.sent
    assert sms["to"] == PHONE
    assert not sms["whatsapp"]
    assert booking.reference in sms["body"]
    assert f"/fr/appointments/{booking.reference}/{secret}/" in sms["body"]
    assert "19/01/2026" in sms["body"]
    (entry,) = _sent("booking_confirmed")
    assert entry.data["channel"] == "sms"
    assert entry.data["to"] == "***2345"
    assert entry.object_id == str(booking.pk)
    assert entry.unit == desk.service_at_location.service.unit
    assert PHONE not in str(entry.data)


def test_without_a_channel_chosen_e_mail_goes_first(
    desk, gateway, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _book(desk, phone=PHONE, email="awa@example.org")
    assert len(mail.outbox) == 1
    assert gateway.sent == []


def test_whatsapp_without_an_approved_template_goes_by_sms(
    desk, gateway, settings, django_capture_on_commit_callbacks
):
    settings.APPOINTMENT_WHATSAPP_TEMPLATES = {"booking_reminder": "HX0001"}
    with django_capture_on_commit_callbacks(execute=True):
        _book(desk, phone=PHONE, notify_by="whatsapp")
    (sms,) = gateway.sent
    assert not sms["whatsapp"]
    assert sms["template"] == ""
    assert _sent("booking_confirmed")[0].data["channel"] == "sms"


def test_whatsapp_with_an_approved_template_sends_the_template(
    desk, gateway, settings, django_capture_on_commit_callbacks
):
    settings.APPOINTMENT_WHATSAPP_TEMPLATES = {"booking_confirmed": "HX0002"}
    with django_capture_on_commit_callbacks(execute=True):
        _book(desk, phone=PHONE, notify_by="whatsapp")
    (message,) = gateway.sent
    assert message["whatsapp"]
    assert message["template"] == "HX0002"
    entry = _sent("booking_confirmed")[0]
    assert entry.data["channel"] == "whatsapp"
    assert entry.data["template"] is True


def test_a_failing_gateway_does_not_break_the_booking(
    desk, gateway, caplog, django_capture_on_commit_callbacks
):
    gateway.fail = True
    with caplog.at_level(logging.WARNING), django_capture_on_commit_callbacks(execute=True):
        booking, _secret = _book(desk, phone=PHONE, notify_by="sms")
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.BOOKED
    assert not _sent("booking_confirmed")
    failed = AuditEntry.objects.get(action="appointments.message.failed")
    assert failed.data == {
        "message": "booking_confirmed",
        "channel": "sms",
        "problem": "SendFailed",
    }
    assert "booking_confirmed" in caplog.text
    assert "9912345" not in caplog.text
    assert "Awa" not in caplog.text


def test_an_unknown_gateway_or_a_mail_server_down_is_only_logged(desk, settings, monkeypatch):
    booking, _secret = _book(desk, phone=PHONE, email="awa@example.org")
    settings.MESSAGING_PROVIDER = "carrier-pigeon"
    booking.notify_by = "sms"
    assert not messages.notify(booking, message="booking_reminder", context={})

    def down(*args, **kwargs):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", down)
    booking.notify_by = "email"
    context = messages.booking_context(booking)
    assert not messages.notify(booking, message="booking_reminder", context=context)
    problems = AuditEntry.objects.filter(action="appointments.message.failed")
    assert sorted(entry.data["problem"] for entry in problems) == [
        "ConnectionRefusedError",
        "UnknownProvider",
    ]


def test_the_way_to_be_told_needs_its_contact(desk):
    with pytest.raises(BookingRefused) as no_email:
        _book(desk, phone=PHONE, notify_by="email")
    assert no_email.value.code == "notify_by"
    with pytest.raises(BookingRefused) as no_phone:
        _book(desk, email="awa@example.org", notify_by="whatsapp")
    assert no_phone.value.code == "notify_by"
    with pytest.raises(BookingRefused) as unknown:
        _book(desk, phone=PHONE, notify_by="telegram")
    assert unknown.value.code == "notify_by"
    assert not Booking.objects.exists()
    booking, _secret = _book(desk, phone=PHONE, notify_by="whatsapp")
    assert booking.notify_by == "whatsapp"
    entry = AuditEntry.objects.get(action="appointments.booking.booked")
    assert entry.data["notify_by"] == "whatsapp"


# --- Changes ------------------------------------------------------------------------------------


def test_staff_cancelling_tell_the_person_the_reason_in_their_language(
    desk, unit, django_capture_on_commit_callbacks
):
    booking, _secret = _book(desk, email="awa@example.org")
    reason = "Le bureau est fermé pour travaux."
    with django_capture_on_commit_callbacks(execute=True):
        cancel_booking(booking=booking, actor=_officer(unit), reason=reason, now=NOW)
    (sent,) = mail.outbox
    assert booking.reference in sent.subject
    assert reason in sent.body
    assert "lundi 19 janvier 2026, 09:00" in sent.body
    assert "/fr/appointments/" in sent.body  # where to book again, in French
    event = icalendar.Calendar.from_ical(sent.attachments[0][1]).walk("VEVENT")[0]
    assert str(event["STATUS"]) == "CANCELLED"
    (entry,) = _sent("booking_cancelled")
    assert entry.data["channel"] == "email"
    assert entry.data["to"] == "aw***@example.org"
    assert reason not in str(AuditEntry.objects.values_list("data", flat=True))


def test_staff_cancelling_by_sms_tell_the_reason_too(
    desk, unit, gateway, django_capture_on_commit_callbacks
):
    booking, _secret = _book(desk, phone=PHONE, language="en")
    with django_capture_on_commit_callbacks(execute=True):
        cancel_booking(booking=booking, actor=_officer(unit), reason="Officer ill", now=NOW)
    (sms,) = gateway.sent
    assert "Officer ill" in sms["body"]
    assert booking.reference in sms["body"]


def test_a_person_cancelling_gets_a_short_confirmation(desk, django_capture_on_commit_callbacks):
    booking, secret = _book(desk, email="awa@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        cancel_booking(booking=booking, secret=secret, now=NOW)
    (sent,) = mail.outbox
    assert booking.reference in sent.subject
    assert secret not in sent.body  # the link is dead now; it is not repeated
    assert len(_sent("booking_cancelled")) == 1


def test_staff_moving_tell_the_new_time_and_the_reason(
    desk, unit, django_capture_on_commit_callbacks
):
    booking, secret = _book(desk, email="awa@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        move_booking(
            booking=booking, start=at(19, 11), actor=_officer(unit), reason="Panne", now=NOW
        )
    (sent,) = mail.outbox
    assert "lundi 19 janvier 2026, 11:00" in sent.body  # the new time
    assert "lundi 19 janvier 2026, 09:00" in sent.body  # what it was
    assert "Panne" in sent.body
    assert secret not in sent.body
    event = icalendar.Calendar.from_ical(sent.attachments[0][1]).walk("VEVENT")[0]
    assert event.decoded("DTSTART") == at(19, 11)
    assert str(event["UID"]).startswith(booking.reference)
    assert len(_sent("booking_moved")) == 1


# --- The waiting list ---------------------------------------------------------------------------


def test_a_freed_place_is_offered_with_the_link_to_accept_and_its_expiry(
    unit, settings, gateway, django_capture_on_commit_callbacks
):
    settings.PUBLIC_URL = "https://apoio.example.cv"
    desk = bookable_desk(unit, places=1, offer_hold_minutes=60)
    booking, secret = _book(desk, email="first@example.org")
    join_waiting_list(
        service_at_location=desk.service_at_location,
        day=at(19, 9).date(),
        name="Bia",
        phone=PHONE,
        language="en",
        notify_by="sms",
        now=NOW,
    )
    with (
        time_machine.travel(NOW, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        cancel_booking(booking=booking, secret=secret, now=NOW)
    offered = Booking.objects.get(status=BookingStatus.OFFERED)
    assert offered.notify_by == "sms"
    (sms,) = gateway.sent
    assert sms["to"] == PHONE
    link = re.search(r"https://apoio\.example\.cv/\S+", sms["body"]).group()
    path = urlsplit(link).path
    assert path.startswith(f"/en/appointments/{offered.reference}/")
    assert secret_matches(offered, path.rstrip("/").rsplit("/", 1)[1])
    assert "16/01/2026, 11:00" in sms["body"]  # held for an hour from now, on Praia's clock
    (entry,) = _sent("place_offered")
    assert entry.object_id == str(offered.pk)


def test_nothing_is_sent_or_recorded_for_bookings_made_while_messages_are_withheld(
    desk, gateway, django_capture_on_commit_callbacks
):
    with messages.withheld(), django_capture_on_commit_callbacks(execute=True):
        _book(desk, email="awa@example.org")
        _book(desk, start=at(19, 10), phone=PHONE, notify_by="sms")

    assert mail.outbox == []
    assert gateway.sent == []
    assert not AuditEntry.objects.filter(action__startswith="appointments.message.").exists()
    # Outside the block the next booking is confirmed as usual.
    with django_capture_on_commit_callbacks(execute=True):
        _book(desk, start=at(19, 11), email="awa@example.org")
    assert len(mail.outbox) == 1
