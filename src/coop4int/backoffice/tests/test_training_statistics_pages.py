"""The training statistics page and its CSV file: who may read them, the default period (the
calendar year), the figures with the rounding rule and the consent note on screen, the rows
of the file, the audit of every reading, the unit in scope, bad input, and a fixed query
count. Counts are multiples of 5, which the rounding keeps."""

import csv
import io
from datetime import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coop4int.accounts.enums import Role
from coop4int.core.models import AuditEntry
from coop4int.learning.enums import EnrolmentStatus
from coop4int.learning.tests.factories import (
    PRAIA,
    CourseFactory,
    CourseSessionFactory,
    EnrolmentFactory,
    PersonFactory,
)
from coop4int.people.domain.people import give_consent
from coop4int.people.enums import ConsentMethod, Purpose

pytestmark = pytest.mark.django_db

URL = reverse("backoffice:training_statistics")
CSV_URL = reverse("backoffice:training_statistics_csv")
MARCH = {"start": "2026-03-01", "end": "2026-03-31"}
# Wednesday 15 April 2026, noon in Praia.
TODAY = datetime(2026, 4, 15, 12, tzinfo=PRAIA)
EN = {"accept-language": "en"}


@pytest.fixture
def coordinator(make_staff, unit):
    return make_staff(Role.UNIT_COORDINATOR, unit, username="coordenadora")


@pytest.fixture
def desk(client, login_verified, coordinator):
    login_verified(client, coordinator)
    return client


def trained(unit, *, people: int = 0, staff: int = 0, title: str = "Portuguese for work"):
    """A session of a course of ``unit`` in Praia in March 2026: ``people`` who agreed to
    statistics (Senegalese women) and completed it, and ``staff`` members."""
    session = CourseSessionFactory(course=CourseFactory(unit=unit, title=title))
    for _n in range(people):
        person = PersonFactory(unit=unit)
        give_consent(actor=None, person=person, purpose=Purpose.STATISTICS,
                     method=ConsentMethod.VERBAL, at=TODAY)  # fmt: skip
        EnrolmentFactory(session=session, person=person, status=EnrolmentStatus.COMPLETED)
    for _n in range(staff):
        EnrolmentFactory(session=session, staff_member=True)
    return session


def _text(response) -> str:
    return response.content.decode()


def test_the_page_opens_on_this_year_of_the_users_unit(desk, unit):
    with time_machine.travel(TODAY, tick=False):
        response = desk.get(URL)
    assert response.status_code == 200
    form = response.context["form"]
    assert (form["start"].value(), form["end"].value()) == ("2026-01-01", "2026-12-31")
    assert response.context["stats"].unit == unit


def test_the_figures_the_rounding_rule_and_the_consent_note(desk, unit):
    trained(unit, people=10, staff=5)
    response = desk.get(URL, MARCH, headers=EN)
    text = _text(response)
    stats = response.context["stats"]
    assert (stats.participants, stats.completed, stats.ended) == (15, 10, 10)
    assert stats.completion_rate == 100
    assert "A person served is counted only if they agreed to the use of their data" in text
    assert "as their professional training needs no consent" in text
    assert "rounded up or down to a multiple of 5" in text
    assert "<caption" in text
    assert "People trained, by island of the session" in text
    assert "Portuguese for work" in text
    # The islands without anyone, and the certificates, read "<5".
    assert '<tr data-key="fogo"><th scope="row">Fogo</th><td><span class="suppressed"' in text
    assert "&lt;5</span>" in text
    assert "100 %" in text


def test_the_csv_file_holds_the_published_figures_and_its_rows_are_audited(desk, unit):
    trained(unit, people=5, staff=5)
    response = desk.get(CSV_URL, MARCH, headers=EN)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert (
        'filename="coop4int-training-praia-2026-03-01-2026-03-31.csv"'
        in (response["Content-Disposition"])
    )
    header, *lines = list(csv.reader(io.StringIO(response.content.decode())))
    assert header == ["section", "key", "value"]
    rows = {(section, key): value for section, key, value in lines}
    assert rows[("period", "rounding_base")] == "5"
    assert rows[("summary", "people_trained")] == "10"
    assert rows[("summary", "completed")] == "5"
    assert rows[("summary", "completion_rate_percent")] == ""
    assert rows[("summary", "certificates_issued")] == "<5"
    assert rows[("trained_by_sex", "female")] == rows[("trained_by_sex", "not_stated")] == "5"
    assert rows[("trained_by_island", "santiago")] == "10"
    entry = AuditEntry.objects.get(action="learning.statistics.exported")
    assert entry.data == {"period": "2026-03-01/2026-03-31", "unit": unit.slug, "rows": len(lines)}
    assert not AuditEntry.objects.filter(action="learning.statistics.viewed").exists()


def test_each_view_is_audited(desk, unit, coordinator):
    desk.get(URL, MARCH)
    entry = AuditEntry.objects.get(action="learning.statistics.viewed")
    assert entry.data == {"period": "2026-03-01/2026-03-31", "unit": unit.slug}
    assert (entry.actor, entry.unit) == (coordinator, unit)


def test_another_unit_is_not_found_and_all_units_mean_ones_own(desk, unit, other_unit):
    trained(other_unit, people=5)
    assert desk.get(URL, MARCH | {"unit": other_unit.pk}).status_code == 404
    assert desk.get(CSV_URL, MARCH | {"unit": other_unit.pk}).status_code == 404
    assert desk.get(URL, MARCH | {"unit": 999_999}).status_code == 404
    response = desk.get(URL, MARCH | {"unit": ""})
    assert response.context["stats"].unit == unit
    assert response.context["stats"].participants is None
    assert [value for value, _label in response.context["form"]["unit"].field.widget.choices] == [
        unit.pk
    ]


def test_analysts_read_every_unit_and_all_together(client, login_verified, make_staff, unit,
                                                   other_unit):  # fmt: skip
    trained(unit, people=5)
    trained(other_unit, staff=5)
    login_verified(client, make_staff(Role.ANALYST, unit))
    everyone = client.get(URL, MARCH | {"unit": ""}, headers=EN)
    assert everyone.status_code == 200
    assert everyone.context["stats"].unit is None
    assert everyone.context["stats"].participants == 10
    assert "All units, from" in _text(everyone)
    theirs = client.get(URL, MARCH | {"unit": other_unit.pk})
    assert theirs.context["stats"].participants == 5
    assert client.get(CSV_URL, MARCH | {"unit": ""}).status_code == 200


@pytest.mark.parametrize(
    "role", [Role.TRAINER, Role.FRONT_OFFICE_OFFICER, Role.CONTENT_EDITOR, Role.PARTNER_USER]
)
def test_roles_without_training_statistics_are_refused(client, login_verified, make_staff, unit,
                                                        role):  # fmt: skip
    login_verified(client, make_staff(role, unit))
    assert client.get(URL).status_code == 403
    assert client.get(CSV_URL, MARCH).status_code == 403
    assert not AuditEntry.objects.filter(action__startswith="learning.statistics").exists()


def test_coordinators_and_administrators_may_read(client, login_verified, make_staff, unit):
    for role in (Role.UNIT_COORDINATOR, Role.ADMINISTRATOR, Role.ANALYST):
        login_verified(client, make_staff(role, unit))
        assert client.get(URL, MARCH).status_code == 200


@pytest.mark.parametrize(
    ("role", "linked"),
    [(Role.ANALYST, True), (Role.UNIT_COORDINATOR, True), (Role.FRONT_OFFICE_OFFICER, False)],
)
def test_the_staff_menu_links_the_page_for_those_who_may_read_it(
    client, login_verified, make_staff, unit, role, linked
):
    login_verified(client, make_staff(role, unit))
    home = client.get(reverse("backoffice:home")).content.decode()
    assert (f'href="{URL}"' in home) is linked


def test_bad_input_is_an_error_on_the_form_and_nothing_is_read(desk):
    backwards = desk.get(URL, {"start": "2026-03-31", "end": "2026-03-01"}, headers=EN)
    nonsense = desk.get(URL, MARCH | {"start": "soon"}, headers=EN)
    a_file = desk.get(CSV_URL, {"start": "2026-03-31", "end": "2026-03-01"}, headers=EN)
    assert backwards.status_code == nonsense.status_code == 200
    assert "The end of the period cannot come before its start." in _text(backwards)
    assert backwards.context["stats"] is None
    assert nonsense.context["form"].errors.keys() == {"start"}
    assert 'value="soon"' in _text(nonsense)
    assert a_file.status_code == 400
    assert a_file["Content-Type"].startswith("text/html")
    assert not AuditEntry.objects.filter(action__startswith="learning.statistics").exists()


def test_the_download_link_keeps_the_period_and_unit(desk, unit):
    response = desk.get(URL, MARCH | {"unit": unit.pk})
    assert f'href="{CSV_URL}?start=2026-03-01&amp;end=2026-03-31&amp;unit={unit.pk}"' in (
        _text(response)
    )


def test_the_page_speaks_portuguese(desk, unit):
    trained(unit, people=5)
    response = desk.get(URL, MARCH, headers={"accept-language": "pt"})
    assert response.status_code == 200
    assert '<html lang="pt' in _text(response)


def test_the_query_count_does_not_grow_with_the_data(desk, unit):
    """Whatever the courses, sessions and people, the page costs the same queries (the first
    request of a session does its own bookkeeping, so it is left out)."""
    trained(unit, people=1)
    desk.get(URL, MARCH)
    with CaptureQueriesContext(connection) as few:
        desk.get(URL, MARCH)
    trained(unit, people=3, staff=2, title="Welcoming migrants")
    trained(unit, staff=4, title="Rights and services")
    with CaptureQueriesContext(connection) as many:
        response = desk.get(URL, MARCH)
    assert len(response.context["stats"].by_course.cells) == 3
    assert len(many.captured_queries) == len(few.captured_queries)
