from datetime import UTC, date, datetime, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from coop4int.accounts.enums import Role
from coop4int.core.models import PeriodicRun
from coop4int.core.periodic import run_due
from coop4int.directory.models import OpenInterval, Service
from coop4int.directory.tasks import remind_unverified_services, roll_open_intervals
from coop4int.directory.tests.places import praia_desk


@pytest.fixture
def desk(unit):
    return praia_desk(unit)


def test_coordinator_is_reminded_of_stale_entries_once_a_month(desk, make_staff, unit):
    coordinator = make_staff(Role.UNIT_COORDINATOR, unit, language="fr")
    make_staff(Role.FRONT_OFFICE_OFFICER, unit)  # not a coordinator: no mail
    Service.objects.filter(pk=desk.service_id).update(last_verified=date(2025, 1, 2))

    assert remind_unverified_services.call() == 1
    assert mail.outbox[0].to == [coordinator.email]
    assert "Atendimento" in mail.outbox[0].body

    assert remind_unverified_services.call() == 0  # safe to run twice: no second mail
    assert len(mail.outbox) == 1


def test_recently_verified_entries_are_not_reminded(desk, make_staff, unit):
    make_staff(Role.UNIT_COORDINATOR, unit)
    Service.objects.filter(pk=desk.service_id).update(last_verified=timezone.localdate())
    assert remind_unverified_services.call() == 0


def test_rolling_keeps_intervals_ahead(desk):
    OpenInterval.objects.all().delete()
    roll_open_intervals.call()
    last = OpenInterval.objects.order_by("-ends_at").first()
    assert last is not None
    assert last.ends_at > timezone.now() + timedelta(days=28)


def test_periodic_jobs_are_enqueued_once_per_period(desk, settings):
    """Each configured job runs at once, then again only once its own period has passed."""
    periods = {name: every for name, _task, every in settings.PERIODIC_TASKS}
    assert periods["channels.poll_mailboxes"] == timedelta(minutes=5)
    assert periods["directory.roll_open_intervals"] == timedelta(hours=6)
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    assert sorted(run_due(start)) == sorted(periods)
    assert run_due(start + timedelta(minutes=1)) == []
    last = dict.fromkeys(periods, start)
    for moment in (start + timedelta(minutes=6), start + timedelta(hours=7)):
        due = sorted(name for name, every in periods.items() if moment - last[name] >= every)
        assert sorted(run_due(moment)) == due
        last |= dict.fromkeys(due, moment)
    assert "channels.poll_mailboxes" in due
    assert "directory.roll_open_intervals" in due
    assert "content.remind_health" not in due  # daily


def test_a_job_that_cannot_be_enqueued_is_retried_and_does_not_stop_the_others(desk, settings):
    settings.PERIODIC_TASKS = [
        ("broken", "coop4int.directory.tasks.no_such_task", timedelta(hours=1)),
        ("directory.roll_open_intervals", "coop4int.directory.tasks.roll_open_intervals",
         timedelta(hours=1)),
    ]  # fmt: skip
    now = timezone.now()
    assert run_due(now) == ["directory.roll_open_intervals"]
    assert not PeriodicRun.objects.filter(name="broken").exists()
