"""The case page of a public request whose details belong to a record: the possible match is
shown only to those who may open it, and the identity is confirmed by an officer."""

import pytest
from django.urls import reverse

from coop4int.accounts.enums import Role
from coop4int.cases.domain.intake import Contact, receive_contact
from coop4int.cases.enums import Channel
from coop4int.people.domain.people import PersonDetails, register_person
from coop4int.people.models import UnitLink

pytestmark = pytest.mark.django_db

EMAIL = "fatima@example.org"


@pytest.fixture
def fatima(unit):
    return register_person(
        actor=None, unit=unit, details=PersonDetails(given_names="Fátima", family_names="Semedo"),
        emails=[EMAIL],
    )  # fmt: skip


def _request_at(unit):
    return receive_contact(
        actor=None,
        unit=unit,
        contact=Contact(channel=Channel.WEB, subject="Bolsa", body="?", email=EMAIL),
    ).case


def test_the_units_officer_sees_the_match_and_confirms_it(
    client, login_verified, make_staff, unit, fatima
):
    case = _request_at(unit)
    login_verified(client, make_staff(Role.FRONT_OFFICE_OFFICER, unit))
    page = client.get(reverse("backoffice:case_detail", args=[case.reference])).content.decode()
    assert "Fátima Semedo" in page
    client.post(reverse("backoffice:case_identity", args=[case.reference]), {"person": fatima.pk})
    case.refresh_from_db()
    assert case.person == fatima
    assert case.identity_verified


def test_another_units_officer_sees_no_match_and_links_only_with_consent(
    client, login_verified, make_staff, unit, other_unit, fatima
):
    case = _request_at(other_unit)
    login_verified(client, make_staff(Role.FRONT_OFFICE_OFFICER, other_unit))
    page = client.get(reverse("backoffice:case_detail", args=[case.reference])).content.decode()
    assert "Fátima" not in page
    assert str(fatima.pk) not in page
    assert 'value="link"' in page
    url = reverse("backoffice:case_identity", args=[case.reference])
    client.post(url, {"person": fatima.pk})  # not offered: refused
    case.refresh_from_db()
    assert not case.identity_verified
    client.post(url, {"person": "link"})
    case.refresh_from_db()
    assert case.person == fatima
    assert UnitLink.objects.filter(person=fatima, unit=other_unit).exists()
    page = client.get(reverse("backoffice:case_detail", args=[case.reference])).content.decode()
    assert "Fátima Semedo" in page
