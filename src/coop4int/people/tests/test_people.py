"""People: contacts in one form, consent per purpose with withdrawal, possible duplicates."""

import contextlib
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from coop4int.accounts.enums import Role
from coop4int.core.models import AuditEntry
from coop4int.people.domain.contacts import normalise_email, normalise_phone
from coop4int.people.domain.duplicates import possible_duplicates
from coop4int.people.domain.people import (
    PersonDetails,
    give_consent,
    has_consent,
    register_person,
    withdraw_consent,
)
from coop4int.people.enums import ConsentMethod, Purpose

pytestmark = pytest.mark.django_db


def test_phones_are_stored_as_e164_with_cabo_verde_by_default():
    assert normalise_phone("991 23 45") == "+2389912345"
    assert normalise_phone("+351 912 345 678") == "+351912345678"
    with pytest.raises(ValidationError):
        normalise_phone("12")
    assert normalise_email(" Maria@Example.ORG ") == "maria@example.org"


@given(st.text(max_size=30))
def test_any_text_gives_a_phone_number_or_a_validation_error(text):
    with contextlib.suppress(ValidationError):
        assert normalise_phone(text).startswith("+")


@pytest.fixture
def officer(make_staff, unit):
    return make_staff(Role.FRONT_OFFICE_OFFICER, unit)


def _person(officer, unit, **kwargs):
    phones = kwargs.pop("phones", ())
    return register_person(actor=officer, unit=unit, details=PersonDetails(**kwargs), phones=phones)


def test_consent_is_per_purpose_and_can_be_withdrawn(officer, unit):
    person = _person(officer, unit, given_names="Ana")
    give_consent(actor=officer, person=person, purpose=Purpose.SERVICE, method=ConsentMethod.VERBAL)
    assert has_consent(person, Purpose.SERVICE)
    assert not has_consent(person, Purpose.REFERRAL)
    assert withdraw_consent(actor=officer, person=person, purpose=Purpose.SERVICE)
    assert not has_consent(person, Purpose.SERVICE)
    assert not withdraw_consent(actor=officer, person=person, purpose=Purpose.SERVICE)
    give_consent(actor=officer, person=person, purpose=Purpose.SERVICE, method=ConsentMethod.ONLINE)
    assert person.consents.count() == 2  # the history stays
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"people.consent.given", "people.consent.withdrawn"} <= actions


def test_duplicates_by_name_in_any_order_and_accent_and_by_contact(officer, unit):
    maria = _person(officer, unit, given_names="Maria Fernanda", family_names="Lopes",
                    birth_date=date(1990, 5, 1))  # fmt: skip
    joao = _person(officer, unit, given_names="João", family_names="Silva", phones=["+2389912345"])
    _person(officer, unit, given_names="Ibrahima", family_names="Sow")
    found = possible_duplicates(given_names="LOPES", family_names="maria fernánda")
    assert [d.person for d in found] == [maria]
    assert "name" in found[0].reasons
    by_phone = possible_duplicates(given_names="Jon", phones=("+2389912345",))
    assert [d.person for d in by_phone] == [joao]
    assert by_phone[0].reasons == ("contact",)
    # The same date of birth alone is no duplicate.
    assert possible_duplicates(given_names="Zé", birth_date=date(1990, 5, 1)) == []
