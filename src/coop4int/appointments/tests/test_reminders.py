"""The reminder the day before: once per appointment, on the location's calendar, never for a
cancelled one, and never twice even when two workers run at once."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from coop4int.accounts.enums import Role
from coop4int.accounts.tests.factories import StaffFactory
from coop4int.appointments.domain import booking as booking_domain
from coop4int.appointments.domain.booking import book_slot, cancel_booking, send_due_reminders
from coop4int.appointments.models import Booking
from coop4int.appointments.tasks import send_reminders
from coop4int.appointments.tests.helpers import NOW, at, bookable_desk
from coop4int.core.models import AuditEntry

pytestmark = pytest.mark.django_db

# Sunday 18 January 2026, 10:00 in Praia: the day before Monday the 19th.
SUNDAY = at(18, 10)


def _book(desk, start, email="awa@example.org", **extra):
    values = {"name": "Awa Diallo", "email": email, "language": "fr", "now": NOW}
    booking, _secret = book_slot(
        service_at_location=desk.service_at_location, start=start, **(values | extra)
    )
    return booking


def _reminded() -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(
            action="appointments.message.sent", data__message="booking_reminder"
        )
    )


def test_an_appointment_is_reminded_the_day_before_once(unit, django_capture_on_commit_callbacks):
    desk = bookable_desk(unit)
    booking = _book(desk, at(19, 9))
    with django_capture_on_commit_callbacks(execute=True):
        assert send_due_reminders(now=SUNDAY) == 1
    booking.refresh_from_db()
    assert booking.reminded_at == SUNDAY
    (sent,) = mail.outbox
    assert booking.reference in sent.subject
    assert "lundi 19 janvier 2026, 09:00" in sent.body
    assert "/appointments/" not in sent.body  # no link: its secret is not kept
    (entry,) = _reminded()
    assert entry.object_id == str(booking.pk)
    # Run again, later the same day: nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        assert send_due_reminders(now=SUNDAY + timedelta(minutes=15)) == 0
        assert send_due_reminders(now=SUNDAY + timedelta(hours=5)) == 0
    assert len(mail.outbox) == 1
    assert len(_reminded()) == 1


def test_only_the_next_days_appointments_are_reminded(unit, django_capture_on_commit_callbacks):
    desk = bookable_desk(unit)
    monday = _book(desk, at(19, 9))
    wednesday = _book(desk, at(21, 9), email="other@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        # Two days before: not yet.
        assert send_due_reminders(now=at(17, 10)) == 0
        # The day itself: too late for a reminder the day before.
        assert send_due_reminders(now=at(19, 8)) == 0
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        assert send_due_reminders(now=at(20, 10)) == 1
    wednesday.refresh_from_db()
    monday.refresh_from_db()
    assert wednesday.reminded_at == at(20, 10)
    assert monday.reminded_at is None


def test_a_cancelled_appointment_is_not_reminded(unit, django_capture_on_commit_callbacks):
    desk = bookable_desk(unit)
    booking = _book(desk, at(19, 9))
    officer = StaffFactory(unit=unit, roles=[Role.FRONT_OFFICE_OFFICER])
    cancel_booking(booking=booking, actor=officer, reason="", now=NOW)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert send_due_reminders(now=SUNDAY) == 0
    assert mail.outbox == []
    assert Booking.objects.get(pk=booking.pk).reminded_at is None


def test_no_reminder_at_night(unit, django_capture_on_commit_callbacks):
    desk = bookable_desk(unit)
    booking = _book(desk, at(19, 9))
    with django_capture_on_commit_callbacks(execute=True):
        assert send_due_reminders(now=at(18, 2)) == 0
        assert send_due_reminders(now=at(18, 21, 30)) == 0
    assert Booking.objects.get(pk=booking.pk).reminded_at is None
    with django_capture_on_commit_callbacks(execute=True):
        assert send_due_reminders(now=at(18, 8)) == 1


def test_the_locations_date_counts(unit, django_capture_on_commit_callbacks):
    # A desk whose clock is nine hours ahead of UTC (ten ahead of Praia): its Wednesday
    # 08:00 is Tuesday 23:00 UTC, still Tuesday in Praia.
    desk = bookable_desk(unit)
    location = desk.service_at_location.location
    location.time_zone = "Asia/Tokyo"
    location.save(update_fields=["time_zone"])
    tokyo = ZoneInfo("Asia/Tokyo")
    booking = _book(desk, datetime(2026, 1, 21, 8, 0, tzinfo=tokyo))
    assert booking.starts_at.astimezone(ZoneInfo("UTC")).day == 20
    # Tuesday 20:00 in Tokyo (11:00 UTC, 10:00 in Praia): the appointment is tomorrow there,
    # though on the same day by UTC and by Praia's clock.
    now = datetime(2026, 1, 20, 20, 0, tzinfo=tokyo)
    with django_capture_on_commit_callbacks(execute=True):
        assert send_due_reminders(now=now - timedelta(days=1)) == 0  # two days before there
        assert send_due_reminders(now=now) == 1
    (sent,) = mail.outbox
    assert "mercredi 21 janvier 2026, 08:00" in sent.body  # on the location's clock


def test_two_runs_at_once_remind_only_once(unit, monkeypatch, django_capture_on_commit_callbacks):
    desk = bookable_desk(unit)
    booking = _book(desk, at(19, 9))
    due = booking_domain._due_for_reminder

    def claimed_meanwhile(candidate, *, now):
        # The other worker claims the booking between this run's read and its update.
        Booking.objects.filter(pk=candidate.pk).update(reminded_at=now - timedelta(seconds=1))
        return due(candidate, now=now)

    monkeypatch.setattr(booking_domain, "_due_for_reminder", claimed_meanwhile)
    with django_capture_on_commit_callbacks(execute=True):
        assert send_due_reminders(now=SUNDAY) == 0
    assert mail.outbox == []
    assert Booking.objects.get(pk=booking.pk).reminded_at == SUNDAY - timedelta(seconds=1)


def test_the_periodic_task_sends_the_days_reminders(unit, django_capture_on_commit_callbacks):
    desk = bookable_desk(unit)
    _book(desk, at(19, 9))
    with (
        time_machine.travel(SUNDAY, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert send_reminders.call() == 1
        assert send_reminders.call() == 0
    assert len(mail.outbox) == 1
