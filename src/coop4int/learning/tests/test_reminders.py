"""The reminder the day before a session's first day: to those accepted, once each (claimed by
setting ``reminded_at``), on the place's clock and never at night; and the periodic task."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from coop4int.accounts.enums import Role
from coop4int.core.models import AuditEntry
from coop4int.directory.tests.factories import LocationFactory
from coop4int.learning import tasks
from coop4int.learning.domain import enrolment as enrolment_domain
from coop4int.learning.domain.courses import change_session
from coop4int.learning.domain.enrolment import send_due_reminders
from coop4int.learning.enums import EnrolmentStatus
from coop4int.learning.models import Enrolment
from coop4int.learning.tests.factories import (
    CourseFactory,
    CourseSessionFactory,
    EnrolmentFactory,
    at,
    mornings,
)
from coop4int.learning.tests.gateway import use_fake_gateway

pytestmark = pytest.mark.django_db

# The session of the factories starts on Monday 9 March 2026 at 09:00 in Praia.
THE_DAY_BEFORE = at(8, 10)


@pytest.fixture(autouse=True)
def gateway(settings, monkeypatch):
    return use_fake_gateway(settings, monkeypatch)


@pytest.fixture
def session():
    return CourseSessionFactory()


def _reminded():
    return list(
        AuditEntry.objects.filter(
            action="learning.message.sent", data__message="session_reminder"
        ).order_by("pk")
    )


def test_those_accepted_are_reminded_the_day_before_once(
    session, gateway, django_capture_on_commit_callbacks
):
    accepted = EnrolmentFactory(session=session, language="en")
    for status in ("applied", "waiting", "declined", "withdrawn"):
        EnrolmentFactory(session=session, status=status)
    with django_capture_on_commit_callbacks(execute=True):
        assert send_due_reminders(now=THE_DAY_BEFORE) == 1
    (sms,) = gateway.sent
    assert sms["to"] == accepted.phone
    assert "starts tomorrow" in sms["body"]
    accepted.refresh_from_db()
    assert accepted.reminded_at == THE_DAY_BEFORE
    with django_capture_on_commit_callbacks(execute=True):
        assert send_due_reminders(now=THE_DAY_BEFORE + timedelta(hours=2)) == 0
    assert len(gateway.sent) == 1
    assert [e.object_id for e in _reminded()] == [str(accepted.pk)]


@pytest.mark.parametrize(
    "now",
    [
        at(7, 10),  # two days before
        at(9, 8),  # the day itself
        at(8, 7, 30),  # the day before, at night
        at(8, 21, 30),
    ],
)
def test_only_the_day_before_in_the_day(session, gateway, now):
    EnrolmentFactory(session=session)
    assert send_due_reminders(now=now) == 0
    assert gateway.sent == []


def test_the_places_clock_counts():
    # A place in Lisbon, its first day starting at 00:30 on the 9th there — still the 8th in
    # Praia. At 08:30 on the 8th in Lisbon (07:30, night, in Praia) it is the day before, in
    # the day, on the place's clock.
    lisbon = ZoneInfo("Europe/Lisbon")
    place = LocationFactory(time_zone="Europe/Lisbon")
    start = datetime(2026, 3, 9, 0, 30, tzinfo=lisbon)
    session = CourseSessionFactory(location=place, days=[(start, start + timedelta(hours=3))])
    EnrolmentFactory(session=session)
    assert send_due_reminders(now=datetime(2026, 3, 8, 8, 30, tzinfo=lisbon)) == 1


def test_a_cancelled_session_is_not_reminded(session, gateway):
    EnrolmentFactory(session=session)
    session.cancelled_at = at(5, 9)
    session.save()
    assert send_due_reminders(now=THE_DAY_BEFORE) == 0


def test_two_runs_at_once_remind_only_once(session, monkeypatch, gateway):
    enrolment = EnrolmentFactory(session=session)
    real = enrolment_domain.due_for_reminder

    def claimed_meanwhile(candidate, *, now):
        # Another run claims it between this run's read and its update.
        Enrolment.objects.filter(pk=enrolment.pk).update(reminded_at=now)
        return real(candidate, now=now)

    monkeypatch.setattr(enrolment_domain, "due_for_reminder", claimed_meanwhile)
    assert send_due_reminders(now=THE_DAY_BEFORE) == 0
    assert gateway.sent == []


def test_moved_days_are_reminded_again(make_staff, unit, gateway):
    session = CourseSessionFactory(course=CourseFactory(unit=unit))
    enrolment = EnrolmentFactory(session=session)
    send_due_reminders(now=THE_DAY_BEFORE)
    coordinator = make_staff(Role.UNIT_COORDINATOR, unit)
    change_session(
        actor=coordinator, session=session, now=THE_DAY_BEFORE, days=mornings(at(16, 9), 3)
    )
    enrolment.refresh_from_db()
    assert enrolment.reminded_at is None
    assert send_due_reminders(now=at(15, 10)) == 1


def test_someone_accepted_after_the_reminders_went_is_reminded_too(session, gateway):
    EnrolmentFactory(session=session)
    send_due_reminders(now=THE_DAY_BEFORE)
    late = EnrolmentFactory(session=session, status=EnrolmentStatus.ACCEPTED)
    assert send_due_reminders(now=THE_DAY_BEFORE + timedelta(hours=3)) == 1
    late.refresh_from_db()
    assert late.reminded_at == THE_DAY_BEFORE + timedelta(hours=3)


def test_the_periodic_task_sends_the_days_reminders(
    session, gateway, django_capture_on_commit_callbacks
):
    EnrolmentFactory(session=session)
    with (
        time_machine.travel(THE_DAY_BEFORE, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        result = tasks.send_reminders.enqueue()
    assert result.return_value == 1
    assert len(gateway.sent) == 1


def test_the_task_takes_the_moment_as_text(session, gateway):
    EnrolmentFactory(session=session)
    result = tasks.send_reminders.enqueue(THE_DAY_BEFORE.isoformat())
    assert result.return_value == 1
