"""An appointment on a case: opening a case from a booking, joining one of the person's cases,
and booking from a case."""

import pytest
from django.core.exceptions import PermissionDenied

from coop4int.accounts.enums import Role
from coop4int.accounts.tests.factories import StaffFactory
from coop4int.appointments.domain.booking import book_slot
from coop4int.appointments.domain.booking_cases import (
    CaseLinkRefused,
    book_from_case,
    link_booking_to_case,
    open_case_for_booking,
)
from coop4int.appointments.models import Booking
from coop4int.appointments.tests.helpers import NOW, at, bookable_desk
from coop4int.cases.domain.cases import open_case
from coop4int.cases.enums import Channel, Status
from coop4int.cases.models import Case
from coop4int.core.models import AuditEntry
from coop4int.people.domain.people import PersonDetails, register_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(unit):
    return bookable_desk(unit)


@pytest.fixture
def officer(unit):
    return StaffFactory(unit=unit, roles=[Role.FRONT_OFFICE_OFFICER])


@pytest.fixture
def stranger(other_unit):
    return StaffFactory(unit=other_unit, roles=[Role.FRONT_OFFICE_OFFICER])


@pytest.fixture
def ana(officer, unit):
    return register_person(
        actor=officer,
        unit=unit,
        details=PersonDetails(given_names="Ana", family_names="Lopes"),
        phones=["+2389912345"],
    )


def _book(desk, officer, person=None, phone="+2389912345", **extra):
    booking, _secret = book_slot(
        service_at_location=desk.service_at_location, start=at(19, 9), name="Ana Lopes",
        phone=phone, language="fr", actor=officer, person=person, now=NOW, **extra,
    )  # fmt: skip
    return booking


def _case_of(person, officer, unit, subject="Visto"):
    return open_case(
        actor=officer, unit=unit, channel=Channel.WALK_IN, subject=subject, person=person
    )[0]


def _linked(booking):
    return AuditEntry.objects.filter(
        action="appointments.booking.case_linked", object_id=str(booking.pk)
    )


def test_a_case_opened_from_a_linked_booking_is_the_persons_at_the_unit_and_audited(
    desk, officer, ana, unit
):
    booking = _book(desk, officer, person=ana)

    case, secret = open_case_for_booking(
        booking=booking, actor=officer, subject="  Renovar   visto ", body="Traz o passaporte.",
        now=NOW,
    )  # fmt: skip

    booking.refresh_from_db()
    assert booking.case == case
    assert case.unit == unit
    assert case.person == ana
    assert case.subject == "Renovar visto"
    assert case.language == "fr"
    assert case.assigned_to == officer
    assert case.status == Status.OPEN
    assert case.opened_at == NOW
    assert case.reply_phone == ""
    assert case.interactions.get().body == "Traz o passaporte."
    assert secret
    entry = _linked(booking).get()
    assert entry.data == {"case": case.reference, "opened": True}
    assert entry.actor == officer
    assert entry.unit == unit


def test_a_case_opened_from_a_booking_linked_to_nobody_has_no_person_and_replies_to_its_contact(
    desk, officer
):
    booking = _book(desk, officer, email="ana@example.org")

    case, _secret = open_case_for_booking(booking=booking, actor=officer, subject="Visto", now=NOW)

    assert case.person is None
    assert case.reply_phone == "+2389912345"
    assert case.reply_email == "ana@example.org"


def test_a_booking_already_on_a_case_opens_no_second_one(desk, officer, ana):
    booking = _book(desk, officer, person=ana)
    open_case_for_booking(booking=booking, actor=officer, subject="Visto", now=NOW)

    with pytest.raises(CaseLinkRefused):
        open_case_for_booking(booking=booking, actor=officer, subject="Outro", now=NOW)
    assert Case.objects.count() == 1


def test_a_case_needs_a_subject(desk, officer):
    booking = _book(desk, officer)
    with pytest.raises(CaseLinkRefused):
        open_case_for_booking(booking=booking, actor=officer, subject="   ", now=NOW)
    assert not Case.objects.exists()


def test_a_booking_joins_an_existing_case_of_its_person(desk, officer, ana, unit):
    booking = _book(desk, officer, person=ana)
    case = _case_of(ana, officer, unit)

    link_booking_to_case(booking=booking, case=case, actor=officer, now=NOW)

    booking.refresh_from_db()
    assert booking.case == case
    assert _linked(booking).get().data == {"case": case.reference, "opened": False}


def test_a_booking_joins_no_case_of_someone_else(desk, officer, ana, unit):
    other = register_person(actor=officer, unit=unit, details=PersonDetails(given_names="Rui"))
    booking = _book(desk, officer, person=ana)
    case = _case_of(other, officer, unit)

    with pytest.raises(CaseLinkRefused):
        link_booking_to_case(booking=booking, case=case, actor=officer, now=NOW)

    booking.refresh_from_db()
    assert booking.case is None
    assert not _linked(booking).exists()


def test_a_public_booking_linked_to_nobody_joins_no_persons_case(desk, officer, ana, unit):
    """What the public gave is a claim: its phone being Ana's does not make it hers."""
    booking, _secret = book_slot(
        service_at_location=desk.service_at_location, start=at(19, 9), name="Ana",
        phone="+2389912345", language="pt", now=NOW,
    )  # fmt: skip
    case = _case_of(ana, officer, unit)

    with pytest.raises(CaseLinkRefused):
        link_booking_to_case(booking=booking, case=case, actor=officer, now=NOW)
    assert Booking.objects.get().case is None


def test_another_units_officer_can_neither_open_nor_join_a_case(
    desk, officer, stranger, ana, unit, other_unit
):
    booking = _book(desk, officer, person=ana)
    case = _case_of(ana, officer, unit)
    their_case = _case_of(None, stranger, other_unit)

    with pytest.raises(PermissionDenied):
        open_case_for_booking(booking=booking, actor=stranger, subject="Visto", now=NOW)
    with pytest.raises(PermissionDenied):
        link_booking_to_case(booking=booking, case=case, actor=stranger, now=NOW)
    # Nor may the unit's officer put its booking on a case of another unit.
    with pytest.raises(PermissionDenied):
        link_booking_to_case(booking=booking, case=their_case, actor=officer, now=NOW)
    assert Case.objects.count() == 2
    assert Booking.objects.get().case is None


def test_booking_from_a_case_links_the_person_and_the_case(desk, officer, ana, unit):
    case = _case_of(ana, officer, unit)

    booking, secret = book_from_case(
        case=case, actor=officer, service_at_location=desk.service_at_location,
        start=at(19, 10), name="Ana Lopes", phone="+2389912345", language="pt", now=NOW,
    )  # fmt: skip

    booking.refresh_from_db()
    assert secret
    assert booking.person == ana
    assert booking.case == case
    assert booking.booked_by == officer
    assert _linked(booking).get().data == {"case": case.reference, "opened": False}


def test_another_units_officer_cannot_book_from_a_case(desk, stranger, officer, ana, unit):
    case = _case_of(ana, officer, unit)
    with pytest.raises(PermissionDenied):
        book_from_case(
            case=case, actor=stranger, service_at_location=desk.service_at_location,
            start=at(19, 10), name="Ana", phone="+2389912345", language="pt", now=NOW,
        )  # fmt: skip
    assert not Booking.objects.exists()
