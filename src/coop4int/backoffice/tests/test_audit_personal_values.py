"""The audit log outlives an erasure, so no entry names a person: whatever is done to a record
(registered, reached, consents, cases, replies, merged, linked, opened, looked up, searched
for), the entries point at it by id and hold its contact details masked."""

import json

import pytest
from django.urls import reverse

from coop4int.accounts.enums import Role
from coop4int.cases.domain import cases as case_domain
from coop4int.cases.domain.intake import Contact, receive_contact
from coop4int.cases.enums import Channel
from coop4int.core.models import AuditEntry
from coop4int.people.domain.merge import merge_people
from coop4int.people.domain.people import (
    PersonDetails,
    add_contact,
    give_consent,
    link_to_unit,
    register_person,
    withdraw_consent,
)
from coop4int.people.enums import ConsentMethod, ContactKind, Purpose

pytestmark = pytest.mark.django_db

GIVEN, FAMILY = "Aminata", "Diallo"
EMAIL = "aminata.diallo@example.org"
PHONE = "+2389912345"
OTHER_PHONE = "+2385554321"
# What must never be read in the log: the names, the addresses, the numbers (with or without
# the country code).
PERSONAL = (GIVEN, FAMILY, EMAIL, PHONE, PHONE[4:], OTHER_PHONE, OTHER_PHONE[4:])


def _in_clear() -> list[str]:
    """Each entry that holds a personal value in its label or data, with the value."""
    found = []
    for entry in AuditEntry.objects.order_by("pk"):
        text = f"{entry.object_repr} {json.dumps(entry.data, ensure_ascii=False)}".casefold()
        found += [f"{entry.action}: {value}" for value in PERSONAL if value.casefold() in text]
    return found


def test_what_is_done_to_a_person_is_audited_by_id_and_masked_values(
    client, login_verified, make_staff, unit, other_unit
):
    officer = make_staff(Role.FRONT_OFFICE_OFFICER, unit)
    coordinator = make_staff(Role.UNIT_COORDINATOR, unit)
    elsewhere = make_staff(Role.FRONT_OFFICE_OFFICER, other_unit)
    person = register_person(
        actor=officer, unit=unit,
        details=PersonDetails(given_names=GIVEN, family_names=FAMILY, preferred_language="fr"),
        phones=[PHONE],
    )  # fmt: skip
    add_contact(actor=officer, person=person, kind=ContactKind.EMAIL, value=EMAIL)
    give_consent(actor=officer, person=person, purpose=Purpose.CONTACT, method=ConsentMethod.VERBAL)
    withdraw_consent(actor=officer, person=person, purpose=Purpose.CONTACT)
    case, _secret = case_domain.open_case(
        actor=officer, unit=unit, channel=Channel.WALK_IN, subject="Visto", person=person,
        body=f"{GIVEN} pergunta pelo visto",
    )  # fmt: skip
    case_domain.reply(actor=officer, case=case, body=f"Bom dia {GIVEN}", channel=Channel.EMAIL)
    # Her own message by e-mail: the address is a claim of identity, kept on a case of its own.
    receive_contact(
        actor=None,
        unit=unit,
        contact=Contact(channel=Channel.EMAIL, subject="Visto", body="Olá", email=EMAIL),
    )
    twin = register_person(
        actor=officer, unit=unit,
        details=PersonDetails(given_names=GIVEN, family_names=FAMILY), phones=[OTHER_PHONE],
    )  # fmt: skip
    merge_people(actor=coordinator, keep=person, merge=twin)
    link_to_unit(actor=elsewhere, person=person, unit=other_unit, method=ConsentMethod.VERBAL)
    login_verified(client, officer)
    assert client.get(reverse("backoffice:person_detail", args=[person.pk])).status_code == 200
    assert client.get(reverse("backoffice:case_detail", args=[case.reference])).status_code == 200
    client.get(reverse("backoffice:phone_line"), {"number": PHONE})
    for query in (f"{GIVEN} {FAMILY}", EMAIL, PHONE):
        client.get(reverse("backoffice:case_inbox"), {"q": query})

    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "people.person.registered", "people.contact.added", "people.consent.given",
        "people.consent.withdrawn", "cases.case.opened", "cases.interaction.added",
        "people.person.merged", "people.person.linked", "people.person.viewed",
        "cases.case.viewed", "cases.caller.looked_up", "cases.inbox.searched",
    } <= actions  # fmt: skip
    assert _in_clear() == []
    # Still provable: the entries about her name her record by its id.
    about_her = AuditEntry.objects.filter(object_type__model="person", object_id=str(person.pk))
    assert about_her.count() >= 8
    assert set(about_her.values_list("object_repr", flat=True)) == {f"Person #{person.pk}"}


def test_a_case_is_labelled_by_its_reference(make_staff, unit):
    officer = make_staff(Role.FRONT_OFFICE_OFFICER, unit)
    person = register_person(
        actor=officer, unit=unit, details=PersonDetails(given_names=GIVEN, family_names=FAMILY)
    )
    case, _secret = case_domain.open_case(
        actor=officer, unit=unit, channel=Channel.WALK_IN, subject="Visto", person=person
    )
    entry = AuditEntry.objects.get(action="cases.case.opened")
    assert entry.object_repr == case.reference
    assert GIVEN not in str(case)
