"""The one intake path: who the person is, which case, which unit — for every channel."""

from datetime import UTC, datetime

import pytest
from django.core import mail

from coop4int.accounts.enums import Role
from coop4int.cases.domain.cases import NotAllowed, open_case
from coop4int.cases.domain.intake import (
    Contact,
    confirm_identity,
    possible_match_for,
    receive_contact,
)
from coop4int.cases.enums import Channel, Direction
from coop4int.cases.models import Case
from coop4int.core.models import AuditEntry
from coop4int.people.domain.people import (
    PersonDetails,
    link_to_unit,
    register_person,
    withdraw_consent,
)
from coop4int.people.enums import ConsentMethod, Purpose
from coop4int.people.models import Consent, Person, UnitLink
from coop4int.people.scope import person_in_scope

AT = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
PHONE = "+2389912345"
EMAIL = "maria@example.org"


@pytest.fixture
def maria(unit):
    """A person registered at Praia, with a phone and an e-mail."""
    return register_person(
        actor=None,
        unit=unit,
        details=PersonDetails(given_names="Maria", family_names="Lopes"),
        phones=[PHONE],
        emails=[EMAIL],
    )


@pytest.fixture
def mindelo_officer(make_staff, other_unit):
    return make_staff(Role.FRONT_OFFICE_OFFICER, other_unit)


@pytest.fixture
def praia_officer(make_staff, unit):
    return make_staff(Role.FRONT_OFFICE_OFFICER, unit)


def test_an_officer_cannot_name_a_person_outside_their_scope(maria, mindelo_officer):
    cases_before = Case.objects.count()
    with pytest.raises(NotAllowed):
        receive_contact(
            actor=mindelo_officer,
            person=maria,
            contact=Contact(channel=Channel.WALK_IN, subject="Documentos", phone=PHONE, at=AT),
        )
    assert Case.objects.count() == cases_before
    assert not person_in_scope(mindelo_officer, maria)


def test_registering_the_same_number_at_another_unit_makes_a_separate_record(
    maria, mindelo_officer
):
    intake = receive_contact(
        actor=mindelo_officer,
        register=True,
        contact=Contact(
            channel=Channel.WALK_IN, subject="Documentos", phone=PHONE, at=AT,
            details=PersonDetails(given_names="M."), consents=frozenset({Purpose.SERVICE}),
        ),
    )  # fmt: skip
    assert intake.person is not None
    assert intake.person != maria
    assert intake.person.unit == mindelo_officer.unit
    assert intake.case.unit == mindelo_officer.unit
    assert not maria.consents.exists()
    assert not person_in_scope(mindelo_officer, maria)


def test_linking_a_record_of_another_unit_needs_and_records_the_sharing_consent(
    maria, mindelo_officer, make_staff, unit, other_unit, django_capture_on_commit_callbacks
):
    praia_coordinator = make_staff(Role.UNIT_COORDINATOR, unit)
    mindelo_coordinator = make_staff(Role.UNIT_COORDINATOR, other_unit)
    with django_capture_on_commit_callbacks(execute=True):
        intake = receive_contact(
            actor=mindelo_officer,
            link_with_consent=True,
            contact=Contact(channel=Channel.WALK_IN, subject="Documentos", phone=PHONE, at=AT),
        )
    assert intake.person == maria
    link = UnitLink.objects.get(person=maria, unit=other_unit)
    assert link.linked_by == mindelo_officer
    assert link.consent.purpose == Purpose.SHARING
    assert link.consent.method == "in_person"
    assert link.consent.recorded_by == mindelo_officer
    assert person_in_scope(mindelo_officer, maria)
    assert AuditEntry.objects.filter(
        action="people.person.linked", object_id=str(maria.pk), unit=other_unit
    ).exists()
    told = sorted(address for message in mail.outbox for address in message.to)
    assert told == sorted([praia_coordinator.email, mindelo_coordinator.email])
    assert all("Maria" not in message.body for message in mail.outbox)


def test_withdrawing_the_sharing_consent_closes_the_link(maria, mindelo_officer, other_unit):
    """Without a case at Mindelo, the record is Mindelo's only through the link."""
    link_to_unit(
        actor=mindelo_officer, person=maria, unit=other_unit, method=ConsentMethod.VERBAL, at=AT
    )
    assert person_in_scope(mindelo_officer, maria)
    withdraw_consent(actor=None, person=maria, purpose=Purpose.SHARING)
    assert not person_in_scope(mindelo_officer, maria)


def test_linking_without_a_single_record_elsewhere_is_refused(mindelo_officer):
    with pytest.raises(NotAllowed):
        receive_contact(
            actor=mindelo_officer,
            link_with_consent=True,
            contact=Contact(channel=Channel.PHONE, subject="?", phone="+2389800000", at=AT),
        )
    assert not Case.objects.exists()


def test_a_public_contact_with_known_details_is_a_claim_that_waits_for_an_officer(
    maria, praia_officer, mindelo_officer, unit
):
    intake = receive_contact(
        actor=None,
        unit=unit,
        contact=Contact(
            channel=Channel.WEB, subject="Ajuda", body="Preciso de ajuda", email=EMAIL, at=AT,
            consents=frozenset({Purpose.SERVICE, Purpose.CONTACT}),
        ),
    )  # fmt: skip
    case = intake.case
    assert case.person is None
    assert not case.identity_verified
    assert not maria.consents.exists()
    # Only those who may open the record see the possible match.
    assert possible_match_for(praia_officer, case) == maria
    assert possible_match_for(mindelo_officer, case) is None
    with pytest.raises(NotAllowed):
        confirm_identity(actor=mindelo_officer, case=case, person=maria)

    version = case.version
    confirm_identity(actor=praia_officer, case=case, person=maria)
    case.refresh_from_db()
    assert case.person == maria
    assert case.identity_verified
    assert case.version == version + 1
    assert sorted(maria.consents.values_list("purpose", flat=True)) == [
        Purpose.CONTACT, Purpose.SERVICE
    ]  # fmt: skip
    assert all(c.given_at == case.opened_at for c in Consent.objects.filter(person=maria))
    assert AuditEntry.objects.filter(action="cases.case.identity_confirmed").count() == 1
    with pytest.raises(NotAllowed):
        confirm_identity(actor=praia_officer, case=case, person=maria)


def test_confirming_that_it_is_someone_else_keeps_the_record_apart(maria, praia_officer, unit):
    intake = receive_contact(
        actor=None,
        unit=unit,
        contact=Contact(channel=Channel.SMS, subject="Olá", body="Olá", phone=PHONE, at=AT),
    )
    confirm_identity(actor=praia_officer, case=intake.case, person=None)
    intake.case.refresh_from_db()
    assert intake.case.identity_verified
    assert intake.case.person is None
    assert not maria.consents.exists()


def test_a_public_contact_with_new_details_registers_a_new_record(unit):
    intake = receive_contact(
        actor=None,
        unit=unit,
        contact=Contact(
            channel=Channel.WEB, subject="Ajuda", body="?", email="nova@example.org", at=AT,
            details=PersonDetails(given_names="Nova"), consents=frozenset({Purpose.SERVICE}),
        ),
    )  # fmt: skip
    assert intake.case.identity_verified
    assert intake.person is not None
    assert intake.person.unit == unit
    assert list(intake.person.consents.values_list("purpose", flat=True)) == [Purpose.SERVICE]


def test_an_officer_joins_only_a_case_within_reach(maria, mindelo_officer, praia_officer, unit):
    case, _secret = open_case(actor=None, unit=unit, channel=Channel.WEB, subject="x", body="x")
    with pytest.raises(NotAllowed):
        receive_contact(
            actor=mindelo_officer,
            case=case,
            contact=Contact(channel=Channel.PHONE, body="Ligou", phone=PHONE, at=AT),
        )
    assert case.interactions.count() == 1
    intake = receive_contact(
        actor=praia_officer,
        case=case,
        contact=Contact(
            channel=Channel.PHONE, body="Ligou", phone=PHONE, direction=Direction.OUT, at=AT
        ),
    )
    assert not intake.opened
    assert intake.case == case
    assert intake.interaction is not None
    assert intake.interaction.direction == Direction.OUT
    assert case.interactions.count() == 2


def test_walk_ins_and_calls_are_recorded_by_officers_only(unit):
    with pytest.raises(NotAllowed):
        receive_contact(
            actor=None, unit=unit, contact=Contact(channel=Channel.WALK_IN, subject="x")
        )
    assert not Person.objects.exists()


def test_a_request_matching_another_units_record_is_linked_only_with_consent(
    maria, mindelo_officer, other_unit, django_capture_on_commit_callbacks
):
    """At Mindelo, a web request carrying the e-mail of a Praia record: the officer sees no
    match, and puts the request on that record only by recording the holder's consent to share
    it between units."""
    intake = receive_contact(
        actor=None,
        unit=other_unit,
        contact=Contact(
            channel=Channel.WEB, subject="Ajuda", body="?", email=EMAIL, at=AT,
            consents=frozenset({Purpose.SERVICE}),
        ),
    )  # fmt: skip
    case = intake.case
    assert possible_match_for(mindelo_officer, case) is None
    with pytest.raises(NotAllowed):
        confirm_identity(actor=mindelo_officer, case=case, person=maria)
    assert not UnitLink.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        confirm_identity(actor=mindelo_officer, case=case, person=None, link_with_consent=True)
    case.refresh_from_db()
    assert case.person == maria
    assert case.identity_verified
    assert UnitLink.objects.get(person=maria).unit == other_unit
    assert sorted(maria.consents.values_list("purpose", flat=True)) == [
        Purpose.SERVICE, Purpose.SHARING
    ]  # fmt: skip
    assert person_in_scope(mindelo_officer, maria)


def test_linking_is_refused_when_the_match_is_already_within_reach(maria, praia_officer, unit):
    intake = receive_contact(
        actor=None,
        unit=unit,
        contact=Contact(channel=Channel.WEB, subject="Ajuda", body="?", email=EMAIL, at=AT),
    )
    with pytest.raises(NotAllowed):
        confirm_identity(actor=praia_officer, case=intake.case, person=None, link_with_consent=True)
    assert not UnitLink.objects.exists()
