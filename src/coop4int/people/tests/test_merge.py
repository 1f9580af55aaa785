"""Merging duplicate records of a person, and reading people through the user's scope."""

from datetime import UTC, date, datetime

import pytest
from django.http import Http404
from django.utils import translation

from coop4int.accounts.enums import Role
from coop4int.cases.domain.cases import open_case
from coop4int.cases.enums import Channel
from coop4int.core.models import AuditEntry
from coop4int.people.domain.merge import MergeRefused, merge_people
from coop4int.people.domain.people import PersonDetails, give_consent, register_person
from coop4int.people.domain.queries import (
    PersonMergedAway,
    age_on,
    get_person_for_user,
    people_for_user,
)
from coop4int.people.enums import ConsentMethod, ContactKind, Purpose
from coop4int.people.models import Consent, ContactPoint, Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(make_staff, unit):
    return make_staff(Role.FRONT_OFFICE_OFFICER, unit, username="tecnico")


def _person(officer, unit, phones=(), emails=(), **details):
    return register_person(
        actor=officer,
        unit=unit,
        details=PersonDetails(**details),
        phones=phones,
        emails=emails,
    )


def _case(officer, unit, person, subject):
    return open_case(
        actor=officer, unit=unit, channel=Channel.WALK_IN, subject=subject, person=person
    )[0]


def _consent(officer, person, purpose, day):
    return give_consent(
        actor=officer,
        person=person,
        purpose=purpose,
        method=ConsentMethod.VERBAL,
        at=datetime(2025, 1, day, 10, tzinfo=UTC),
    )


def test_merge_moves_cases_contacts_and_every_consent_row_and_is_audited(officer, unit):
    keep = _person(officer, unit, given_names="Aminata", family_names="Diallo",
                   phones=["+2389912345"])  # fmt: skip
    merge = _person(officer, unit, given_names="Aminatá", family_names="Diallo",
                    phones=["+2389912345", "+2389900000"], emails=["ami@example.org"])  # fmt: skip
    first = _case(officer, unit, keep, "Visto")
    second = _case(officer, unit, merge, "Trabalho")
    _consent(officer, merge, Purpose.STATISTICS, 2)
    Consent.objects.filter(person=merge).update(withdrawn_at=datetime(2025, 1, 3, tzinfo=UTC))
    _consent(officer, merge, Purpose.REFERRAL, 4)

    result = merge_people(actor=officer, keep=keep, merge=merge)

    assert result == keep
    assert set(keep.cases.values_list("pk", flat=True)) == {first.pk, second.pk}
    assert set(keep.contacts.values_list("value", flat=True)) == {
        "+2389912345", "+2389900000", "ami@example.org"
    }  # fmt: skip
    # The shared number was not copied twice; the merged record keeps its own row of it.
    assert list(merge.contacts.values_list("value", flat=True)) == ["+2389912345"]
    assert ContactPoint.objects.filter(value="+2389912345").count() == 2
    assert sorted((c.purpose, c.withdrawn_at is None) for c in keep.consents.all()) == [
        ("referral", True),
        ("statistics", False),
    ]
    merge.refresh_from_db()
    assert merge.merged_into == keep
    kept_entry = AuditEntry.objects.get(action="people.person.merged", object_id=str(keep.pk))
    merged_entry = AuditEntry.objects.get(action="people.person.merged", object_id=str(merge.pk))
    assert kept_entry.data["other"] == str(merge.pk)
    assert sorted(kept_entry.data["cases"]) == [second.reference]
    assert sorted(kept_entry.data["contacts"]) == ["***0000", "am***@example.org"]
    assert "ami@example.org" not in str(kept_entry.data)
    assert merged_entry.data == {"kept": False, "other": str(keep.pk)}


def test_when_both_agreed_to_a_purpose_the_older_consent_stays_live(officer, unit):
    keep = _person(officer, unit, given_names="Rui")
    merge = _person(officer, unit, given_names="Rui")
    newer = _consent(officer, keep, Purpose.SERVICE, 20)
    older = _consent(officer, merge, Purpose.SERVICE, 5)
    before = datetime.now(UTC)

    merge_people(actor=officer, keep=keep, merge=merge)

    older.refresh_from_db()
    newer.refresh_from_db()
    assert older.person == keep
    assert older.withdrawn_at is None
    assert newer.withdrawn_at is not None
    assert newer.withdrawn_at >= before
    assert newer.withdrawn_by == officer
    assert keep.consents.count() == 2
    entry = AuditEntry.objects.get(action="people.person.merged", object_id=str(keep.pk))
    assert entry.data["consents_withdrawn"] == ["service"]


def test_merge_fills_blank_fields_and_never_overwrites(officer, unit):
    keep = _person(officer, unit, given_names="Maria", birth_date=date(1990, 5, 1),
                   nationalities=("CV",))  # fmt: skip
    merge = _person(officer, unit, given_names="Mariana", family_names="Lopes",
                    birth_date=date(1991, 1, 1), nationalities=("GW",), sex="female",
                    document_number="P1234567", residence_status="pending",
                    municipality="Praia")  # fmt: skip

    merge_people(actor=officer, keep=keep, merge=merge)

    keep.refresh_from_db()
    assert keep.given_names == "Maria"
    assert keep.birth_date == date(1990, 5, 1)
    assert keep.nationalities == ["CV"]
    assert keep.family_names == "Lopes"
    assert keep.folded_name == "maria lopes"
    assert keep.sex == "female"
    assert keep.document_number == "P1234567"
    assert keep.residence_status == "pending"
    assert keep.municipality == "Praia"
    entry = AuditEntry.objects.get(action="people.person.merged", object_id=str(keep.pk))
    assert "P1234567" not in str(entry.data)
    assert "document_number" in entry.data["filled"]


def test_a_record_cannot_be_merged_into_itself_or_a_merged_away_one(officer, unit):
    first = _person(officer, unit, given_names="Ana")
    second = _person(officer, unit, given_names="Ana")
    third = _person(officer, unit, given_names="Ana")
    with translation.override("en"), pytest.raises(MergeRefused, match="itself"):
        merge_people(actor=officer, keep=first, merge=first)
    merge_people(actor=officer, keep=first, merge=second)
    with pytest.raises(MergeRefused):
        merge_people(actor=officer, keep=second, merge=third)
    with pytest.raises(MergeRefused):
        merge_people(actor=officer, keep=third, merge=second)
    third.refresh_from_db()
    assert third.merged_into is None
    assert isinstance(MergeRefused("x"), ValueError)


def test_refusal_speaks_the_users_language(officer, unit):
    person = _person(officer, unit, given_names="Ana")
    with translation.override("pt"), pytest.raises(MergeRefused) as refused:
        merge_people(actor=officer, keep=person, merge=person)
    with translation.override("pt"):
        expected = translation.gettext("A record cannot be merged into itself.")
    assert str(refused.value) == expected


def test_only_records_within_reach_can_be_merged(officer, unit, other_unit, make_staff):
    ours = _person(officer, unit, given_names="Ana")
    stranger = make_staff(Role.FRONT_OFFICE_OFFICER, other_unit)
    theirs = _person(stranger, other_unit, given_names="Ana")
    with pytest.raises(MergeRefused):
        merge_people(actor=officer, keep=ours, merge=theirs)
    with pytest.raises(MergeRefused):
        merge_people(actor=officer, keep=theirs, merge=ours)
    assert not Person.objects.filter(merged_into__isnull=False).exists()
    assert not AuditEntry.objects.filter(action="people.person.merged").exists()


def test_earlier_merges_point_at_the_record_kept_last(officer, unit):
    first = _person(officer, unit, given_names="Ana")
    second = _person(officer, unit, given_names="Ana")
    third = _person(officer, unit, given_names="Ana")
    merge_people(actor=officer, keep=second, merge=third)
    merge_people(actor=officer, keep=first, merge=second)
    assert set(Person.objects.filter(merged_into=first).values_list("pk", flat=True)) == {
        second.pk,
        third.pk,
    }
    with pytest.raises(PersonMergedAway) as moved:
        get_person_for_user(officer, third.pk)
    assert moved.value.kept_id == first.pk


def test_people_of_a_unit_are_those_it_registered_or_has_a_case_with(
    officer, unit, other_unit, make_staff, national_unit
):
    stranger = make_staff(Role.FRONT_OFFICE_OFFICER, other_unit)
    ours = _person(officer, unit, given_names="Ana")
    theirs = _person(stranger, other_unit, given_names="Bela")
    shared = _person(stranger, other_unit, given_names="Carla")
    _case(officer, unit, shared, "Visto")
    assert set(people_for_user(officer)) == {ours, shared}
    assert set(people_for_user(stranger)) == {theirs, shared}
    admin = make_staff(Role.ADMINISTRATOR, national_unit)
    assert set(people_for_user(admin)) == {ours, theirs, shared}
    for role in (Role.PARTNER_USER, Role.ANALYST, Role.CONTENT_EDITOR, Role.TRAINER):
        assert not people_for_user(make_staff(role, unit)).exists()


def test_reading_a_person_is_audited_and_answers_404_outside_the_scope(
    officer, unit, other_unit, make_staff
):
    person = _person(officer, unit, given_names="Ana", phones=["+2389912345"])
    assert get_person_for_user(officer, person.pk) == person
    assert AuditEntry.objects.filter(
        action="people.person.viewed", object_id=str(person.pk), actor=officer
    ).exists()
    with pytest.raises(Http404):
        get_person_for_user(make_staff(Role.FRONT_OFFICE_OFFICER, other_unit), person.pk)
    with pytest.raises(Http404):
        get_person_for_user(make_staff(Role.PARTNER_USER, unit), person.pk)
    with pytest.raises(Http404):
        get_person_for_user(officer, Person(given_names="Nobody").pk)


def test_merged_away_record_is_out_of_lists_and_of_duplicates(officer, unit):
    keep = _person(officer, unit, given_names="Ana", phones=["+2389912345"])
    merge = _person(officer, unit, given_names="Ana", phones=["+2389912345"])
    merge_people(actor=officer, keep=keep, merge=merge)
    assert list(people_for_user(officer)) == [keep]
    assert keep.contacts.filter(kind=ContactKind.PHONE).count() == 1


def test_age_is_counted_in_full_years():
    person = Person(birth_date=date(2000, 6, 15))
    assert age_on(person, date(2025, 6, 14)) == 24
    assert age_on(person, date(2025, 6, 15)) == 25
    assert age_on(Person(), date(2025, 1, 1)) is None
