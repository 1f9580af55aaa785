"""The appointment statistics page and its CSV: the default period (the last four weeks), the
groupings, the figures and the rounding rule on screen and in the file, the audit of every
reading, scope, and bad input. Counts are multiples of 5, which the rounding keeps."""

import csv
import io
from datetime import datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coop4int.accounts.enums import Role
from coop4int.appointments.enums import TicketStatus
from coop4int.appointments.models import QueueSettings, Ticket
from coop4int.appointments.tests.helpers import PRAIA, at
from coop4int.core.models import AuditEntry
from coop4int.directory.tests.places import praia_desk

pytestmark = pytest.mark.django_db

URL = reverse("backoffice:appointment_statistics")
WEEK = {"start": "2026-01-19", "end": "2026-01-23"}
# Wednesday 4 February 2026, noon in Praia.
TODAY = datetime(2026, 2, 4, 12, tzinfo=PRAIA)
EN = {"accept-language": "en"}


@pytest.fixture
def coordinator(make_staff, unit):
    return make_staff(Role.UNIT_COORDINATOR, unit, username="coordenadora")


@pytest.fixture
def desk(client, login_verified, coordinator):
    login_verified(client, coordinator)
    return client


@pytest.fixture
def tickets(unit):
    """Ten tickets on Monday 19 January in Praia: eight called within 15 minutes."""
    sal = praia_desk(unit)
    QueueSettings.objects.create(
        location=sal.location, target_minutes=15, target_share=85, updated_at=TODAY
    )
    for n, waited in enumerate([1, 2, 3, 4, 5, 6, 7, 8, 30, 40]):
        arrived = at(19, 9, n)
        Ticket.objects.create(
            location=sal.location, service_at_location=sal, day=arrived.date(), sequence=n + 1,
            number=f"A{n + 1:03d}", language="pt", secret_digest="0" * 64,
            status=TicketStatus.SERVED, created_at=arrived,
            called_at=arrived + timedelta(minutes=waited), call_count=1,
            served_from=arrived + timedelta(minutes=waited),
            served_until=arrived + timedelta(minutes=waited + 10),
        )  # fmt: skip
    return sal


def _text(response) -> str:
    return response.content.decode()


def test_the_page_opens_on_the_last_four_weeks_of_the_users_unit_by_day(desk, unit):
    with time_machine.travel(TODAY, tick=False):
        response = desk.get(URL)
    assert response.status_code == 200
    form = response.context["form"]
    assert form["start"].value() == "2026-01-08"
    assert form["end"].value() == "2026-02-04"
    assert form["grouping"].value() == "day"
    stats = response.context["stats"]
    assert stats.unit == unit
    assert len(stats.rows) == 28


def test_the_figures_by_day_with_the_target_and_the_rounding_rule(desk, unit, tickets):
    with time_machine.travel(TODAY, tick=False):
        response = desk.get(URL, WEEK | {"grouping": "day"}, headers=EN)
    text = _text(response)
    assert "80 % within 15 minutes, target 85 %" in text
    assert "rounded up or down to a multiple of 5" in text
    assert "too few to show" in text  # the other days
    row = response.context["stats"].rows[0]
    assert (row.key, row.tickets, row.wait_p50, row.service_p50) == ("2026-01-19", 10, 5.5, 10.0)
    assert 'data-key="2026-01-19"' in text


def test_grouped_by_service_and_half_hour(desk, unit, tickets):
    with time_machine.travel(TODAY, tick=False):
        by_service = desk.get(URL, WEEK | {"grouping": "service"}, headers=EN)
        by_half_hour = desk.get(URL, WEEK | {"grouping": "half_hour"}, headers=EN)
    assert f"{tickets.service.name} at {tickets.location.name}" in _text(by_service)
    assert [row.key for row in by_half_hour.context["stats"].rows] == ["09:00"]


def test_the_csv_holds_the_published_figures_and_its_download_is_audited(desk, unit, tickets):
    with time_machine.travel(TODAY, tick=False):
        response = desk.get(URL, WEEK | {"grouping": "day", "format": "csv"}, headers=EN)
    assert response["Content-Type"].startswith("text/csv")
    assert "coop4int-appointments-" in response["Content-Disposition"]
    lines = list(csv.DictReader(io.StringIO(response.content.decode())))
    monday = next(line for line in lines if line["group"] == "2026-01-19")
    assert monday["tickets"] == "10"
    assert monday["within_target_percent"] == "80"
    assert monday["target_minutes"] == "15"
    tuesday = next(line for line in lines if line["group"] == "2026-01-20")
    assert (tuesday["tickets"], tuesday["wait_p50_minutes"]) == ("<5", "")
    entry = AuditEntry.objects.get(action="appointments.statistics.downloaded")
    assert entry.data["rows"] == len(lines)
    assert not AuditEntry.objects.filter(action="appointments.statistics.viewed").exists()


def test_each_view_is_audited(desk, unit):
    with time_machine.travel(TODAY, tick=False):
        desk.get(URL, WEEK, headers=EN)
    entry = AuditEntry.objects.get(action="appointments.statistics.viewed")
    assert entry.data == {"period": "2026-01-19/2026-01-23", "unit": unit.slug, "grouping": "day"}


def test_another_unit_is_not_found(desk, other_unit):
    with time_machine.travel(TODAY, tick=False):
        assert desk.get(URL, WEEK | {"unit": other_unit.pk}).status_code == 404
        assert desk.get(URL, WEEK | {"unit": 999999}).status_code == 404
        assert desk.get(URL, WEEK | {"unit": "", "format": "csv"}).status_code == 200


def test_roles_without_statistics_are_refused(client, login_verified, make_staff, unit):
    login_verified(client, make_staff(Role.TRAINER, unit))
    assert client.get(URL).status_code == 403


def test_analysts_read_every_unit_and_all_together(client, login_verified, make_staff, unit):
    login_verified(client, make_staff(Role.ANALYST, unit))
    with time_machine.travel(TODAY, tick=False):
        response = client.get(URL, WEEK | {"unit": ""}, headers=EN)
    assert response.status_code == 200
    assert response.context["stats"].unit is None
    assert "All units, from" in _text(response)


def test_bad_input_is_an_error_on_the_form_and_nothing_is_read(desk):
    with time_machine.travel(TODAY, tick=False):
        backwards = desk.get(URL, {"start": "2026-01-23", "end": "2026-01-19"}, headers=EN)
        nonsense = desk.get(URL, WEEK | {"grouping": "week", "start": "soon"}, headers=EN)
    assert backwards.status_code == nonsense.status_code == 200
    assert "The end of the period cannot come before its start." in _text(backwards)
    assert backwards.context["stats"] is None
    assert nonsense.context["form"].errors.keys() == {"grouping", "start"}
    assert 'value="soon"' in _text(nonsense)
    assert not AuditEntry.objects.filter(action__startswith="appointments.statistics").exists()


def test_the_query_count_does_not_grow_with_the_data(desk, unit, tickets, other_unit):
    """Whatever the tickets, services and locations, the page costs the same queries (the
    first request of a session does its own bookkeeping, so it is left out)."""
    with time_machine.travel(TODAY, tick=False):
        desk.get(URL, WEEK)
        with CaptureQueriesContext(connection) as few:
            desk.get(URL, WEEK | {"grouping": "service"})
    for n in range(3):
        more = praia_desk(unit, name=f"Serviço {n}")
        for minute in range(5):
            arrived = at(20 + n, 10, minute)
            Ticket.objects.create(
                location=more.location, service_at_location=more, day=arrived.date(),
                sequence=minute + 1, number=f"B{minute:03d}", language="pt",
                secret_digest="0" * 64, created_at=arrived,
                called_at=arrived + timedelta(minutes=3),
            )  # fmt: skip
    with time_machine.travel(TODAY, tick=False), CaptureQueriesContext(connection) as many:
        response = desk.get(URL, WEEK | {"grouping": "service"})
    assert len(response.context["stats"].rows) == 4
    assert len(many.captured_queries) == len(few.captured_queries)
