"""A person's record page: details, consent history, cases, possible duplicates and merging."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from coop4int.accounts.enums import Role
from coop4int.accounts.roles import Permission
from coop4int.appointments.domain.booking import book_slot
from coop4int.appointments.domain.booking_cases import link_booking_to_case
from coop4int.appointments.domain.queue import take_ticket
from coop4int.appointments.tests.helpers import NOW, at, bookable_desk
from coop4int.cases.domain.cases import open_case
from coop4int.cases.domain.referrals import refer_case
from coop4int.cases.enums import Channel, ReferralStatus, Status
from coop4int.core.models import AuditEntry
from coop4int.directory.models import Service
from coop4int.people.domain.people import (
    PersonDetails,
    give_consent,
    register_person,
    withdraw_consent,
)
from coop4int.people.enums import ConsentMethod, Purpose
from coop4int.people.models import Consent, Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(make_staff, unit):
    return make_staff(Role.FRONT_OFFICE_OFFICER, unit, username="tecnico")


@pytest.fixture
def desk(client, login_verified, officer):
    login_verified(client, officer)
    return client


def _person(officer, unit, phones=(), **details):
    return register_person(
        actor=officer, unit=unit, details=PersonDetails(**details), phones=phones
    )


def _case(officer, unit, person, subject="Visto"):
    return open_case(
        actor=officer, unit=unit, channel=Channel.WALK_IN, subject=subject, person=person
    )[0]


def _url(person):
    return reverse("backoffice:person_detail", args=[person.pk])


def _pt(message):
    with translation.override("pt"):
        return translation.gettext(message)


def test_person_page_shows_details_consent_history_and_cases_and_audits_the_read(
    desk, officer, unit
):
    person = _person(officer, unit, given_names="Aminata", family_names="Diallo",
                     birth_date=date(1990, 3, 1), nationalities=("SN", "GW"),
                     languages=("fr", "wo"), gender="mulher", phones=["+2389912345"])  # fmt: skip
    give_consent(actor=officer, person=person, purpose=Purpose.SERVICE,
                 method=ConsentMethod.IN_PERSON)  # fmt: skip
    withdraw_consent(actor=officer, person=person, purpose=Purpose.SERVICE)
    give_consent(actor=officer, person=person, purpose=Purpose.SERVICE,
                 method=ConsentMethod.VERBAL)  # fmt: skip
    case = _case(officer, unit, person, subject="Renovar autorização")

    body = desk.get(_url(person)).content.decode()

    assert "Aminata Diallo" in body
    assert "SN, GW" in body
    assert "fr, wo" in body
    assert "mulher" in body
    assert "+2389912345" in body
    with translation.override("pt"):
        assert str(ConsentMethod.IN_PERSON.label) in body
        assert str(ConsentMethod.VERBAL.label) in body
    officer_name = officer.get_full_name() or officer.username
    assert body.count(f"<td>{officer_name}</td>") == 3  # recorded twice, withdrawn once
    assert f'href="{reverse("backoffice:case_detail", args=[case.reference])}"' in body
    assert "Renovar autorização" in body
    assert AuditEntry.objects.filter(
        action="people.person.viewed", object_id=str(person.pk), actor=officer
    ).exists()


def test_case_page_links_to_the_person(desk, officer, unit):
    person = _person(officer, unit, given_names="Aminata")
    case = _case(officer, unit, person)
    body = desk.get(reverse("backoffice:case_detail", args=[case.reference])).content.decode()
    assert f'href="{_url(person)}"' in body


def test_only_cases_within_reach_are_listed(desk, officer, unit, other_unit, make_staff,
                                           client, login_verified, national_unit):  # fmt: skip
    stranger = make_staff(Role.FRONT_OFFICE_OFFICER, other_unit)
    person = _person(officer, unit, given_names="Aminata")
    _case(officer, unit, person, subject="Caso da Praia")
    _case(stranger, other_unit, person, subject="Caso do Mindelo")
    body = desk.get(_url(person)).content.decode()
    assert "Caso da Praia" in body
    assert "Caso do Mindelo" not in body
    login_verified(client, make_staff(Role.ADMINISTRATOR, national_unit))
    body = client.get(_url(person)).content.decode()
    assert "Caso da Praia" in body
    assert "Caso do Mindelo" in body


def test_another_units_person_answers_404(client, login_verified, make_staff, officer, unit,
                                          other_unit):  # fmt: skip
    person = _person(officer, unit, given_names="Aminata")
    login_verified(client, make_staff(Role.FRONT_OFFICE_OFFICER, other_unit))
    assert client.get(_url(person)).status_code == 404
    assert client.post(_url(person), {"action": "withdraw_consent"}).status_code == 404


def test_sensitive_fields_follow_the_rule(client, login_verified, make_staff, officer, unit,
                                          other_unit, national_unit):  # fmt: skip
    person = _person(officer, unit, given_names="Aminata", residence_status="pending",
                     document_number="P7654321")  # fmt: skip
    admin = make_staff(Role.ADMINISTRATOR, national_unit)
    login_verified(client, admin)
    body = client.get(_url(person)).content.decode()
    assert "P7654321" in body
    assert _pt("Application pending") in body
    # No role that may open the page lacks the permission today; the rule is what the page
    # asks, so it is checked for those who lack it.
    assert not make_staff(Role.PARTNER_USER, unit).has_perm(
        Permission.VIEW_PERSON_SENSITIVE, person
    )
    assert not make_staff(Role.FRONT_OFFICE_OFFICER, other_unit).has_perm(
        Permission.VIEW_PERSON_SENSITIVE, person
    )
    assert officer.has_perm(Permission.VIEW_PERSON_SENSITIVE, person)


def test_possible_duplicates_leave_out_the_person_and_people_out_of_reach(
    desk, officer, unit, other_unit, make_staff
):
    stranger = make_staff(Role.FRONT_OFFICE_OFFICER, other_unit)
    person = _person(officer, unit, given_names="Aminata", family_names="Diallo")
    ours = _person(officer, unit, given_names="Aminatá", family_names="Diallo",
                   birth_date=date(1991, 2, 3))  # fmt: skip
    theirs = _person(stranger, other_unit, given_names="Aminata", family_names="Diallo")
    body = desk.get(_url(person)).content.decode()
    assert f'name="other" value="{ours.pk}"' in body
    assert f'name="other" value="{theirs.pk}"' not in body
    assert f'name="other" value="{person.pk}"' not in body


def test_merging_a_duplicate_keeps_this_record_with_both_cases(desk, officer, unit):
    person = _person(officer, unit, given_names="Aminata", family_names="Diallo")
    duplicate = _person(officer, unit, given_names="Aminata", family_names="Diallo",
                        phones=["+2389912345"])  # fmt: skip
    first, second = _case(officer, unit, person, "Visto"), _case(officer, unit, duplicate, "Casa")

    response = desk.post(
        _url(person), {"action": "merge", "other": str(duplicate.pk), "confirm": "on"}
    )

    assert response.status_code == 302
    assert response["Location"] == _url(person) + "#duplicates"  # back where it was made
    duplicate.refresh_from_db()
    assert duplicate.merged_into == person
    body = desk.get(_url(person)).content.decode()
    assert first.reference in body
    assert second.reference in body
    assert "+2389912345" in body
    message = _pt("The record of %(name)s was merged into this one.") % {"name": "Aminata Diallo"}
    assert message in body
    # The old address of the merged record leads to the kept one.
    response = desk.get(_url(duplicate))
    assert response.status_code == 302
    assert response["Location"] == _url(person)


def test_merging_needs_the_confirmation_ticked(desk, officer, unit):
    person = _person(officer, unit, given_names="Aminata")
    duplicate = _person(officer, unit, given_names="Aminata")
    response = desk.post(_url(person), {"action": "merge", "other": str(duplicate.pk)},
                         follow=True)  # fmt: skip
    assert not Person.objects.filter(merged_into__isnull=False).exists()
    assert response.status_code == 200
    assert 'name="confirm"' in response.content.decode()
    # Said once, under the heading of the section where the merge was asked for.
    assert len(response.context["section_messages"]) == 1
    assert response.context["focus"] == "duplicates"


def test_merging_a_record_out_of_reach_answers_404(desk, officer, unit, other_unit, make_staff):
    person = _person(officer, unit, given_names="Aminata")
    stranger = make_staff(Role.FRONT_OFFICE_OFFICER, other_unit)
    theirs = _person(stranger, other_unit, given_names="Aminata")
    response = desk.post(_url(person), {"action": "merge", "other": str(theirs.pk),
                                        "confirm": "on"})  # fmt: skip
    assert response.status_code == 404
    assert not Person.objects.filter(merged_into__isnull=False).exists()


def test_merging_a_record_into_itself_is_refused_with_a_message(desk, officer, unit):
    person = _person(officer, unit, given_names="Aminata")
    response = desk.post(_url(person), {"action": "merge", "other": str(person.pk),
                                        "confirm": "on"}, follow=True)  # fmt: skip
    assert _pt("A record cannot be merged into itself.") in response.content.decode()
    person.refresh_from_db()
    assert person.merged_into is None


def test_consent_is_given_and_withdrawn_from_the_person_page(desk, officer, unit):
    person = _person(officer, unit, given_names="Aminata")
    desk.post(_url(person), {"action": "consent", "consent-purpose": "contact",
                             "consent-method": "verbal"})  # fmt: skip
    consent = Consent.objects.get(person=person, purpose="contact")
    assert consent.recorded_by == officer
    assert consent.withdrawn_at is None
    desk.post(_url(person), {"action": "withdraw_consent", "consent-purpose": "contact",
                             "consent-method": "verbal"})  # fmt: skip
    consent.refresh_from_db()
    assert consent.withdrawn_by == officer
    assert consent.withdrawn_at is not None


def _appointment(bookable, officer, person, hour, *, phone, case=None):
    """Her appointment on Monday 19 January at ``hour``, on ``case`` when given; linked to
    her record, or (``person`` None) only made with one of her phone numbers."""
    booking, _secret = book_slot(
        service_at_location=bookable.service_at_location, start=at(19, hour),
        name="Aminata Diallo", phone=phone, language="fr", actor=officer, person=person,
        now=NOW,
    )  # fmt: skip
    if case is not None:
        link_booking_to_case(booking=booking, case=case, actor=officer, now=NOW)
    return booking


def _visit(bookable, officer, person):
    return take_ticket(service_at_location=bookable.service_at_location, language="fr",
                       person=person, actor=officer, now=NOW)[0]  # fmt: skip


def test_person_page_query_count_does_not_grow_with_the_record(desk, officer, unit):
    person = _person(officer, unit, given_names="Aminata", family_names="Diallo",
                     phones=["+2389912345"])  # fmt: skip
    _person(officer, unit, given_names="Aminata", family_names="Diallo")
    case = _case(officer, unit, person)
    give_consent(actor=officer, person=person, purpose=Purpose.SERVICE,
                 method=ConsentMethod.VERBAL)  # fmt: skip
    bookable = bookable_desk(unit)
    bookings = [_appointment(bookable, officer, person, 9, phone="+2389900001", case=case)]
    tickets = [_visit(bookable, officer, person)]
    desk.get(_url(person))  # the session's first request warms its caches
    with CaptureQueriesContext(connection) as few:
        assert desk.get(_url(person)).status_code == 200
    for n in range(4):
        _case(officer, unit, person, subject=f"Pedido {n}")
        _person(officer, unit, given_names="Aminata", family_names="Diallo",
                phones=[f"+238991000{n}"])  # fmt: skip
        bookings.append(_appointment(bookable, officer, person, 10 + n, phone=f"+238990010{n}",
                        case=_case(officer, unit, person, subject=f"Marcação {n}")))  # fmt: skip
        tickets.append(_visit(bookable, officer, person))
    bookings.append(_appointment(bookable, officer, None, 15, phone="+2389912345"))
    for purpose in (Purpose.CONTACT, Purpose.REFERRAL, Purpose.STATISTICS):
        give_consent(actor=officer, person=person, purpose=purpose,
                     method=ConsentMethod.VERBAL)  # fmt: skip
        withdraw_consent(actor=officer, person=person, purpose=purpose)
    with CaptureQueriesContext(connection) as many:
        body = desk.get(_url(person)).content.decode()
    assert "Pedido 3" in body
    assert body.count('name="action" value="merge"') == 5
    # Her appointments (the last only made with her phone number), each with its case, and
    # her visits to the waiting room.
    for booking in bookings:
        assert booking.reference in body
        if booking.case is not None:
            assert reverse("backoffice:case_detail", args=[booking.case.reference]) in body
    assert all(ticket.number in body for ticket in tickets)
    # 18: the data-protection section reads the record's corrections in one query; her
    # appointments, her visits and her enrolments in courses are read in one query each.
    assert len(many) == len(few) == 18


def test_withdrawing_the_sharing_consent_on_the_person_page_withdraws_their_referrals(
    client, login_verified, make_staff, unit, partner_unit
):
    officer = make_staff(Role.FRONT_OFFICE_OFFICER, unit)
    person = register_person(actor=officer, unit=unit, details=PersonDetails(given_names="Ana"))
    give_consent(
        actor=officer, person=person, purpose=Purpose.REFERRAL, method=ConsentMethod.VERBAL
    )
    case, _secret = open_case(
        actor=officer, unit=unit, channel=Channel.WALK_IN, subject="Saúde", person=person
    )
    service = Service.objects.create(name="Consulta", unit=partner_unit)
    referral = refer_case(actor=officer, case=case, service=service, summary="x", share_phone=False)
    login_verified(client, officer)
    client.post(
        f"/staff/people/{person.pk}/",
        {"action": "withdraw_consent", "consent-purpose": "referral", "consent-method": "verbal"},
    )
    referral.refresh_from_db()
    case.refresh_from_db()
    assert referral.status == ReferralStatus.WITHDRAWN
    assert referral.shared.get("name", "") == ""
    assert case.status == Status.OPEN
