"""The register of processing is drawn from the declarations alone: every declared kind and
every purpose appears, with the retention as the settings have it now, in the reader's
language — and a kind declared tomorrow appears without an edit here."""

import csv
import io

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from coop4int.accounts.enums import Role
from coop4int.core import personal_data
from coop4int.core.personal_data import PURPOSES, Erasure, PersonalData, Retention
from coop4int.people.enums import Purpose
from coop4int.privacy.domain.register import processing_register

pytestmark = pytest.mark.django_db

ENROLMENTS = PersonalData(
    model="accounts.Unit",  # any installed model: the register only reads the declaration
    person_path="",
    description="Enrolments in training courses, with attendance.",
    purpose="training",
    legal_basis="The person's request to enrol.",
    recipients=("The trainer of the course.",),
    retention=Retention(
        years_setting="RETENTION_TRAINING_YEARS",
        default_years=3,
        starts="ended_at",
        description="Deleted when the course ended that many years ago.",
    ),
    erasure=Erasure.DELETE,
)


@pytest.fixture
def reader(client, login_verified, make_staff, unit):
    login_verified(client, make_staff(Role.UNIT_COORDINATOR, unit, language="pt"))
    return client


def test_the_register_lists_every_declaration_and_every_purpose(reader):
    page = reader.get(reverse("backoffice:privacy_register")).content.decode()
    for declaration in personal_data.declarations():
        assert f'data-model="{declaration.model}"' in page
        with translation.override("pt"):
            assert escape(str(declaration.description)) in page
            assert escape(str(declaration.legal_basis)) in page
    for code in {*PURPOSES, *Purpose.values}:
        assert f'data-purpose="{code}"' in page


def test_a_kind_declared_tomorrow_joins_the_register(reader, monkeypatch, settings):
    settings.RETENTION_TRAINING_YEARS = 4
    found = personal_data.declarations()
    monkeypatch.setattr(personal_data, "declarations", lambda: (*found, ENROLMENTS))
    page = reader.get(reverse("backoffice:privacy_register")).content.decode()
    assert 'data-purpose="training"' in page
    assert 'data-model="accounts.Unit"' in page
    assert "Enrolments in training courses, with attendance." in page
    assert escape("The trainer of the course.") in page
    with translation.override("pt"):
        now = translation.gettext("%(schedule)s Set now to %(period)s.") % {
            "schedule": ENROLMENTS.retention.description,
            "period": translation.ngettext("%(years)d year", "%(years)d years", 4) % {"years": 4},
        }
    assert escape(now) in page
    rows = list(csv.reader(io.StringIO(reader.get(reverse("backoffice:privacy_register_csv"))
                                       .content.decode())))  # fmt: skip
    assert [rows[-1][0], rows[-1][3]] == ["training", "accounts.Unit"]
    assert rows[-1][9] == "4"


def test_retention_is_read_from_the_settings_now(settings):
    settings.RETENTION_CLOSED_CASES_YEARS = 9
    register = {kind.label: kind for p in processing_register() for kind in p.kinds}
    assert register["cases.Case"].years == 9
    assert "9" in register["cases.Case"].retention
    assert register["people.Consent"].years is None


def test_consent_purposes_say_they_rest_on_consent(settings):
    with translation.override("fr"):
        register = {purpose.code: purpose for purpose in processing_register()}
        assert register["statistics"].consent == str(Purpose.STATISTICS.label)
    assert register["accountability"].consent == ""


def test_the_csv_has_a_row_for_every_kind(reader):
    response = reader.get(reverse("backoffice:privacy_register_csv"))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    kinds = {row[3] for row in rows[1:] if row[3]}
    assert kinds == {d.model for d in personal_data.declarations()}


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.ADMINISTRATOR, 200),
        (Role.UNIT_COORDINATOR, 200),
        (Role.FRONT_OFFICE_OFFICER, 403),
        (Role.ANALYST, 403),
    ],
)
def test_who_reads_the_register(client, login_verified, make_staff, unit, role, status):
    login_verified(client, make_staff(role, unit))
    assert client.get(reverse("backoffice:privacy_register")).status_code == status
