"""The breach log: the 72-hour clock, each step audited, bad input refused with nothing
saved, administrators only, and the reminder at 48 hours."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.module_loading import import_string

from coop4int.accounts.enums import Role
from coop4int.core.formatting import format_datetime
from coop4int.core.models import AuditEntry
from coop4int.privacy.domain.breaches import (
    BreachDetails,
    BreachRefused,
    ClockState,
    breach_clock,
    close_breach,
    notify_people,
    notify_regulator,
    record_breach,
    remind_of_breaches,
)
from coop4int.privacy.models import Breach
from coop4int.privacy.templatetags.breach_clock import format_duration

pytestmark = pytest.mark.django_db

DISCOVERED = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def _record(actor, *, discovered_at=DISCOVERED, now=DISCOVERED + HOUR, **changes) -> Breach:
    details = BreachDetails(
        discovered_at=discovered_at,
        description="A laptop with an export of cases was stolen.",
        people_categories="People served at Praia",
        people_affected=40,
        measures="Passwords changed; the laptop's disk is encrypted.",
        data_kinds=("cases.Case", "people.Person"),
        **changes,
    )
    return record_breach(actor=actor, details=details, now=now)


def test_the_clock_counts_72_hours_from_the_discovery(administrator):
    breach = _record(administrator)
    running = breach_clock(breach, now=DISCOVERED + 71 * HOUR)
    assert (running.state, running.remaining) == (ClockState.RUNNING, HOUR)
    assert running.deadline == DISCOVERED + 72 * HOUR
    overdue = breach_clock(breach, now=DISCOVERED + 73 * HOUR)
    assert (overdue.state, overdue.remaining) == (ClockState.OVERDUE, HOUR)


def test_a_notified_breach_stops_the_clock(administrator):
    breach = _record(administrator)
    notify_regulator(actor=administrator, breach=breach, notified_at=DISCOVERED + 70 * HOUR,
                     now=DISCOVERED + 80 * HOUR)  # fmt: skip
    breach.refresh_from_db()
    clock = breach_clock(breach, now=DISCOVERED + 200 * HOUR)
    assert (clock.state, clock.remaining) == (ClockState.NOTIFIED, 2 * HOUR)


def test_a_late_notification_needs_its_reason(administrator):
    breach = _record(administrator)
    with pytest.raises(ValidationError) as refused:
        notify_regulator(actor=administrator, breach=breach, notified_at=DISCOVERED + 75 * HOUR,
                         now=DISCOVERED + 80 * HOUR)  # fmt: skip
    assert "delay_reason" in refused.value.message_dict
    assert Breach.objects.get().notified_to_cnpd_at is None
    notify_regulator(
        actor=administrator, breach=breach, notified_at=DISCOVERED + 75 * HOUR,
        delay_reason="Found on a Friday night.", now=DISCOVERED + 80 * HOUR,
    )  # fmt: skip
    breach.refresh_from_db()
    clock = breach_clock(breach, now=DISCOVERED + 80 * HOUR)
    assert (clock.state, clock.remaining) == (ClockState.NOTIFIED_LATE, 3 * HOUR)


@pytest.mark.parametrize(
    ("language", "hours", "minutes"), [("pt", 1, 0), ("fr", 1, 30), ("en", 0, 5)]
)
def test_durations_read_in_the_language(language, hours, minutes):
    with translation.override(language):
        text = format_duration(timedelta(hours=hours, minutes=minutes))
    assert (str(hours) in text) == bool(hours)
    assert (str(minutes) in text) == bool(minutes or not hours)
    assert {"pt": "hora", "fr": "heure", "en": "minutes"}[language] in text


def test_every_step_is_audited_once_without_free_text(administrator, unit):
    breach = _record(administrator, units=(unit,))
    notify_regulator(actor=administrator, breach=breach, notified_at=DISCOVERED + 2 * HOUR,
                     reference="CNPD 12/2026", now=DISCOVERED + 3 * HOUR)  # fmt: skip
    notify_people(actor=administrator, breach=breach, notified_at=DISCOVERED + 4 * HOUR,
                  notice="SMS to each person.", now=DISCOVERED + 5 * HOUR)  # fmt: skip
    close_breach(actor=administrator, breach=breach, note="Done.", now=DISCOVERED + 6 * HOUR)
    actions = list(
        AuditEntry.objects.filter(object_id=str(breach.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [
        "privacy.breach.recorded",
        "privacy.breach.regulator_notified",
        "privacy.breach.people_notified",
        "privacy.breach.closed",
    ]
    recorded = AuditEntry.objects.get(action="privacy.breach.recorded")
    assert recorded.data["people"] == 40
    assert recorded.data["units"] == [unit.pk]
    assert "laptop" not in str(list(AuditEntry.objects.values_list("data", flat=True)))


def test_a_step_taken_twice_is_refused(administrator):
    breach = _record(administrator)
    notify_regulator(actor=administrator, breach=breach, notified_at=DISCOVERED + HOUR,
                     now=DISCOVERED + HOUR)  # fmt: skip
    with pytest.raises(BreachRefused):
        notify_regulator(actor=administrator, breach=breach, notified_at=DISCOVERED + HOUR,
                         now=DISCOVERED + HOUR)  # fmt: skip
    close_breach(actor=administrator, breach=breach, note="Done.", now=DISCOVERED + HOUR)
    with pytest.raises(BreachRefused):
        close_breach(actor=administrator, breach=breach, note="Again.", now=DISCOVERED + HOUR)
    with pytest.raises(BreachRefused):
        notify_people(actor=administrator, breach=breach, notified_at=DISCOVERED + HOUR,
                      notice="Late.", now=DISCOVERED + HOUR)  # fmt: skip


def test_a_breach_discovered_in_the_future_is_refused(administrator):
    with pytest.raises(ValidationError) as refused:
        _record(administrator, discovered_at=DISCOVERED + 2 * HOUR, now=DISCOVERED)
    assert "discovered_at" in refused.value.message_dict
    assert not Breach.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="privacy.").exists()


# --- The pages ---------------------------------------------------------------------------------


@pytest.fixture
def admin_client(client, login_verified, administrator):
    login_verified(client, administrator)
    return client


GOOD = {
    "action": "record",
    "discovered_at": "2026-03-02T09:00",
    "description": "A laptop was stolen.",
    "data_kinds": ["cases.Case"],
    "people_categories": "People served at Praia",
    "people_affected": "40",
    "measures": "Passwords changed.",
}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"discovered_at": "2026-03-09T09:00"}, "discovered_at"),  # after "now"
        ({"discovered_at": "yesterday"}, "discovered_at"),
        ({"data_kinds": [], "other_data": ""}, "data_kinds"),
        ({"data_kinds": ["accounts.User"]}, "data_kinds"),
        ({"people_affected": "-3"}, "people_affected"),
        ({"description": ""}, "description"),
        ({"measures": "  "}, "measures"),
    ],
)
def test_bad_breach_input_shows_errors_and_saves_nothing(admin_client, change, field):
    with time_machine.travel(datetime(2026, 3, 3, 12, 0, tzinfo=UTC), tick=False):
        response = admin_client.post(reverse("backoffice:privacy_breaches"), GOOD | change)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert 'role="alert"' in response.content.decode()
    assert not Breach.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="privacy.breach").exists()


def test_recording_a_breach_leads_to_its_page(admin_client):
    with time_machine.travel(datetime(2026, 3, 3, 12, 0, tzinfo=UTC), tick=False):
        response = admin_client.post(reverse("backoffice:privacy_breaches"), GOOD)
    breach = Breach.objects.get()
    assert response["Location"] == reverse("backoffice:privacy_breach", args=[breach.pk])
    # Typed in the reader's time zone (Cabo Verde, UTC-1).
    assert breach.discovered_at == datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    assert breach.data_kinds == ["cases.Case"]


@pytest.mark.parametrize("language", ["pt", "fr"])
@pytest.mark.parametrize(
    ("after", "message", "left"),
    [
        (71, "%(left)s left: notify the CNPD by %(deadline)s.", "left"),
        (73, "Overdue by %(late)s: the CNPD had to be notified by %(deadline)s.", "late"),
    ],
)
def test_the_pages_show_the_clock_in_the_readers_language_and_zone(
    client, login_verified, make_staff, national_unit, administrator, settings, language, after,
    message, left,
):  # fmt: skip
    breach = _record(administrator)
    reader = make_staff(Role.ADMINISTRATOR, national_unit, language=language)
    login_verified(client, reader)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language  # as the log-in sets it
    with translation.override(language):
        expected = translation.gettext(message) % {
            left: format_duration(HOUR),
            "deadline": format_datetime(DISCOVERED + 72 * HOUR, "short", tz="Atlantic/Cape_Verde"),
        }
    with time_machine.travel(DISCOVERED + after * HOUR, tick=False):
        for url in (reverse("backoffice:privacy_breaches"),
                    reverse("backoffice:privacy_breach", args=[breach.pk])):  # fmt: skip
            assert escape(expected) in client.get(url).content.decode(), url


def test_a_late_notification_on_the_page_asks_why(admin_client, administrator):
    breach = _record(administrator)
    url = reverse("backoffice:privacy_breach", args=[breach.pk])
    with time_machine.travel(DISCOVERED + 80 * HOUR, tick=False):
        response = admin_client.post(
            url, {"action": "notify_regulator", "regulator-notified_at": "2026-03-05T10:00"}
        )
    assert response.status_code == 200
    assert "delay_reason" in response.context["regulator_form"].errors
    assert Breach.objects.get().notified_to_cnpd_at is None


@pytest.mark.parametrize(
    "role", [Role.UNIT_COORDINATOR, Role.FRONT_OFFICE_OFFICER, Role.ANALYST, Role.CONTENT_EDITOR]
)
def test_only_administrators_keep_the_breach_log(client, login_verified, make_staff, unit,
                                                 administrator, role):  # fmt: skip
    breach = _record(administrator)
    login_verified(client, make_staff(role, unit))
    assert client.get(reverse("backoffice:privacy_breaches")).status_code == 403
    assert client.get(reverse("backoffice:privacy_breach", args=[breach.pk])).status_code == 403
    assert client.post(reverse("backoffice:privacy_breaches"), GOOD).status_code == 403
    assert Breach.objects.count() == 1


# --- The reminder ------------------------------------------------------------------------------


def test_administrators_are_reminded_once_at_48_hours(administrator, make_staff, unit):
    make_staff(Role.UNIT_COORDINATOR, unit, email="coordenadora@example.cv")
    breach = _record(administrator)
    assert remind_of_breaches(now=DISCOVERED + 47 * HOUR) == 0
    assert remind_of_breaches(now=DISCOVERED + 49 * HOUR) == 1
    [message] = mail.outbox
    assert message.to == ["chefe@example.cv"]
    assert reverse("backoffice:privacy_breach", args=[breach.pk]) in message.body
    assert remind_of_breaches(now=DISCOVERED + 50 * HOUR) == 0
    assert AuditEntry.objects.filter(action="privacy.breach.reminded").count() == 1


def test_no_reminder_once_the_cnpd_was_notified(administrator):
    breach = _record(administrator)
    notify_regulator(actor=administrator, breach=breach, notified_at=DISCOVERED + HOUR,
                     now=DISCOVERED + HOUR)  # fmt: skip
    assert remind_of_breaches(now=DISCOVERED + 49 * HOUR) == 0
    assert mail.outbox == []


def test_the_reminder_runs_as_a_periodic_job(administrator, settings):
    [(name, path, period)] = [
        job for job in settings.PERIODIC_TASKS if job[0].startswith("privacy.")
    ]
    assert (name, period) == ("privacy.remind_breaches", HOUR)
    _record(administrator)
    with time_machine.travel(DISCOVERED + 49 * HOUR, tick=False):
        assert import_string(path).call() == 1
    assert len(mail.outbox) == 1
