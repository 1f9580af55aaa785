"""The appointments' declarations find a person's bookings by record and by contact, and
erasing them keeps the slot's count without the person."""

import pytest

from coop4int.appointments.domain.booking import book_slot
from coop4int.appointments.models import Booking
from coop4int.appointments.tests.helpers import NOW, at, bookable_desk
from coop4int.core.personal_data import declaration_for
from coop4int.people.models import ContactPoint, Person

pytestmark = pytest.mark.django_db


def test_public_bookings_are_found_by_contact_and_anonymised_keeping_the_count(unit):
    desk = bookable_desk(unit)
    person = Person.objects.create(given_names="Ana", family_names="Lopes", unit=unit)
    ContactPoint.objects.create(person=person, kind="phone", value="+2389912345")
    mine, _secret = book_slot(
        service_at_location=desk.service_at_location, start=at(19, 9), name="Ana",
        phone="991 23 45", language="pt", now=NOW,
    )  # fmt: skip
    book_slot(
        service_at_location=desk.service_at_location, start=at(19, 9), name="Rui",
        phone="+2389900000", language="pt", now=NOW,
    )  # fmt: skip
    declaration = declaration_for(Booking)
    rows = declaration.rows_of(person)
    assert list(rows) == [mine]
    assert declaration.anonymise(declaration.to_strip(rows), NOW) == 1
    mine.refresh_from_db()
    assert (mine.name, mine.phone, mine.anonymised_at) == ("", "", NOW)
    assert Booking.objects.filter(starts_at=at(19, 9)).count() == 2
    assert not declaration.to_strip(Booking.objects.filter(pk=mine.pk)).exists()
