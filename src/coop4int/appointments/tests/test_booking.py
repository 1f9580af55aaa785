"""Booking, the cap per contact, cancelling, moving, checking in and the waiting list."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from coop4int.accounts.enums import Role
from coop4int.accounts.tests.factories import StaffFactory
from coop4int.appointments.domain import booking as domain
from coop4int.appointments.domain.booking import (
    BookingRefused,
    OfferExpired,
    SlotFull,
    accept_offer,
    book_slot,
    cancel_booking,
    check_in,
    join_waiting_list,
    lapse_offer,
    mark_no_show,
    move_booking,
    offer_freed_place,
)
from coop4int.appointments.enums import BookingStatus, WaitingStatus
from coop4int.appointments.models import BookableService, Booking
from coop4int.appointments.tasks import lapse_offers
from coop4int.appointments.tests.helpers import NOW, at, bookable_desk
from coop4int.cases.domain.references import tracking_digest
from coop4int.core.models import AuditEntry
from coop4int.directory.tests.places import praia_desk
from coop4int.people.models import Person

pytestmark = pytest.mark.django_db


def _book(desk, start, phone="+2389912345", **extra):
    values = {"name": "Ana Lopes", "phone": phone, "language": "pt", "now": NOW}
    return book_slot(service_at_location=desk.service_at_location, start=start, **(values | extra))


def test_a_booking_gets_a_reference_and_a_secret_kept_only_as_a_digest(unit):
    desk = bookable_desk(unit)
    booking, secret = _book(
        desk, at(19, 9), interpreter_needed=True, accessibility_needs="Wheelchair"
    )
    booking.refresh_from_db()
    assert len(booking.reference) == 9
    assert booking.status == BookingStatus.BOOKED
    assert booking.secret_digest == tracking_digest(secret)
    assert secret not in str(Booking.objects.filter(pk=booking.pk).values().get())
    assert booking.phone == "+2389912345"
    assert booking.person is None
    assert booking.interpreter_needed
    assert booking.accessibility_needs == "Wheelchair"


def test_a_time_that_is_not_a_slot_is_refused(unit):
    desk = bookable_desk(unit)
    with pytest.raises(BookingRefused):
        _book(desk, at(19, 9, 10))
    with pytest.raises(BookingRefused):
        _book(desk, at(20, 9))  # a public holiday
    assert not Booking.objects.exists()


def test_the_last_place_cannot_be_booked_twice(unit):
    desk = bookable_desk(unit, places=1)
    _book(desk, at(19, 9))
    with pytest.raises(SlotFull):
        _book(desk, at(19, 9), phone="+2389900000")
    assert Booking.objects.count() == 1


def test_a_contact_holds_at_most_three_bookings_to_come(unit):
    desk = bookable_desk(unit)
    for hour in (9, 10, 11):
        _book(desk, at(19, hour))
    with pytest.raises(BookingRefused) as refused:
        _book(desk, at(19, 12), phone="+238 991 23 45")  # the same number, written otherwise
    assert refused.value.code == "cap"
    # The same person by another number is another contact; a cancelled booking frees the cap.
    first = Booking.objects.order_by("starts_at").first()
    cancel_booking(booking=first, secret=None, actor=_officer(unit), reason="", now=NOW)
    _book(desk, at(19, 12))


def _officer(unit):
    return StaffFactory(unit=unit, roles=[Role.FRONT_OFFICE_OFFICER])


def test_the_public_cannot_cancel_after_the_deadline_but_staff_can_with_a_reason(unit):
    desk = bookable_desk(unit, cancel_until_hours=24)
    booking, secret = _book(desk, at(19, 9))
    late = at(18, 10)  # 23 hours before
    with pytest.raises(BookingRefused):
        cancel_booking(booking=booking, secret=secret, now=late)
    with pytest.raises(PermissionDenied):
        cancel_booking(booking=booking, secret="not-the-secret", now=NOW)
    officer = _officer(unit)
    with pytest.raises(BookingRefused):
        cancel_booking(booking=booking, actor=officer, reason="  ", now=late)
    cancel_booking(booking=booking, actor=officer, reason="She called: ill", now=late)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED


def test_the_person_cancels_with_the_link_before_the_deadline(unit):
    desk = bookable_desk(unit)
    booking, secret = _book(desk, at(19, 9))
    cancel_booking(booking=booking, secret=secret, now=NOW)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    with pytest.raises(BookingRefused):
        cancel_booking(booking=booking, secret=secret, now=NOW)


def test_moving_keeps_the_reference_and_the_link_and_frees_the_old_place(unit):
    desk = bookable_desk(unit, places=1)
    booking, secret = _book(desk, at(19, 9))
    moved = move_booking(booking=booking, start=at(21, 14), secret=secret, now=NOW)
    assert moved.pk == booking.pk
    assert moved.reference == booking.reference
    assert moved.starts_at == at(21, 14)
    assert moved.secret_digest == tracking_digest(secret)
    _book(desk, at(19, 9), phone="+2389900000")  # the old place is free again
    with pytest.raises(SlotFull):
        move_booking(booking=moved, start=at(19, 9), secret=secret, now=NOW)
    moved.refresh_from_db()
    assert moved.starts_at == at(21, 14)


def test_check_in_and_no_show_go_through_the_transitions(unit):
    desk = bookable_desk(unit)
    officer = _officer(unit)
    came, _secret = _book(desk, at(19, 9))
    absent, _secret = _book(desk, at(19, 10), phone="+2389900000")
    check_in(booking=came, actor=officer, now=at(19, 9))
    with pytest.raises(BookingRefused):
        mark_no_show(booking=absent, actor=officer, now=at(19, 9))  # not begun yet
    mark_no_show(booking=absent, actor=officer, now=at(19, 10, 20))
    with pytest.raises(BookingRefused):
        cancel_booking(booking=came, actor=officer, reason="x", now=at(19, 12))
    assert [b.status for b in Booking.objects.order_by("starts_at")] == [
        BookingStatus.CHECKED_IN,
        BookingStatus.NO_SHOW,
    ]


def test_staff_of_another_unit_cannot_act_on_a_booking(unit, other_unit):
    desk = bookable_desk(unit)
    booking, _secret = _book(desk, at(19, 9))
    with pytest.raises(PermissionDenied):
        check_in(booking=booking, actor=_officer(other_unit), now=at(19, 9))


def test_the_public_never_links_a_booking_to_a_record_staff_only_within_scope(unit, other_unit):
    desk = bookable_desk(unit)
    here = Person.objects.create(given_names="Ana", family_names="Lopes", unit=unit)
    elsewhere = Person.objects.create(given_names="Rui", family_names="Silva", unit=other_unit)
    with pytest.raises(PermissionDenied):
        _book(desk, at(19, 9), person=here)
    officer = _officer(unit)
    with pytest.raises(PermissionDenied):
        _book(desk, at(19, 9), person=elsewhere, actor=officer)
    booking, _secret = _book(desk, at(19, 9), person=here, actor=officer)
    assert booking.person == here
    assert booking.booked_by == officer


def test_a_freed_place_is_offered_to_the_first_waiting_who_accepts_in_time(unit):
    desk = bookable_desk(unit, places=1, offer_hold_minutes=60)
    booking, secret = _book(desk, at(19, 9))
    sal = desk.service_at_location
    first = join_waiting_list(
        service_at_location=sal,
        day=at(19, 9).date(),
        name="Bia",
        email="bia@example.org",
        language="fr",
        now=NOW,
    )
    join_waiting_list(
        service_at_location=sal,
        day=at(19, 9).date(),
        name="Caio",
        phone="+2389900000",
        language="pt",
        now=NOW + timedelta(minutes=1),
    )
    assert offer_freed_place(bookable=desk, start=at(19, 9), now=NOW) is None  # still full
    cancel_booking(booking=booking, secret=secret, now=NOW)
    offered, offer_secret = offer_freed_place(bookable=desk, start=at(19, 9), now=NOW)
    assert offered.status == BookingStatus.OFFERED
    assert offered.email == "bia@example.org"
    assert offered.offer_expires_at == NOW + timedelta(minutes=60)
    first.refresh_from_db()
    assert first.status == WaitingStatus.OFFERED
    # The offer holds the place.
    with pytest.raises(SlotFull):
        _book(desk, at(19, 9), phone="+2389911111")
    with pytest.raises(PermissionDenied):
        accept_offer(booking=offered, secret="wrong", now=NOW)
    accept_offer(booking=offered, secret=offer_secret, now=NOW + timedelta(minutes=59))
    offered.refresh_from_db()
    first.refresh_from_db()
    assert offered.status == BookingStatus.BOOKED
    assert first.status == WaitingStatus.BOOKED


def test_an_offer_not_accepted_in_time_lapses_and_goes_to_the_next(
    unit, django_capture_on_commit_callbacks
):
    desk = bookable_desk(unit, places=1, offer_hold_minutes=30)
    sal = desk.service_at_location
    for minute, name in ((0, "Bia"), (1, "Caio")):
        join_waiting_list(
            service_at_location=sal,
            day=at(19, 9).date(),
            name=name,
            phone=f"+238990000{minute}",
            language="pt",
            now=NOW + timedelta(minutes=minute),
        )
    offered, offer_secret = offer_freed_place(bookable=desk, start=at(19, 9), now=NOW)
    late = NOW + timedelta(minutes=30)
    with pytest.raises(OfferExpired):
        accept_offer(booking=offered, secret=offer_secret, now=late)
    assert not lapse_offer(booking=offered, now=NOW + timedelta(minutes=10))
    assert domain.offers_due_to_lapse(now=late) == [offered.pk]
    # The task reads the clock: it runs at the time the offer lapsed.
    with time_machine.travel(late, tick=False), django_capture_on_commit_callbacks(execute=True):
        assert lapse_offer(booking=offered, now=late)
    offered.refresh_from_db()
    assert offered.status == BookingStatus.LAPSED
    # The task run on commit offered the place to the next person waiting.
    following = Booking.objects.get(status=BookingStatus.OFFERED)
    assert following.name == "Caio"
    assert following.waiting_entry.status == WaitingStatus.OFFERED


def test_audit_entries_hold_no_personal_value_in_clear(unit):
    desk = bookable_desk(unit)
    booking, secret = _book(
        desk,
        at(19, 9),
        name="Ana Lopes",
        phone="+2389912345",
        email="ana.lopes@example.org",
        accessibility_needs="Uses a wheelchair",
    )
    move_booking(booking=booking, start=at(19, 10), secret=secret, now=NOW)
    cancel_booking(booking=booking, actor=_officer(unit), reason="Her brother called", now=NOW)
    entries = AuditEntry.objects.filter(action__startswith="appointments.booking")
    assert {e.action for e in entries} == {
        "appointments.booking.booked",
        "appointments.booking.moved",
        "appointments.booking.status_changed",
    }
    text = " ".join(f"{e.object_repr} {e.data}" for e in entries)
    for value in ("Ana", "Lopes", "9912345", "ana.lopes", "wheelchair", "brother", secret):
        assert value not in text
    booked = entries.get(action="appointments.booking.booked")
    assert booked.data["phone"] == "***2345"
    assert booked.object_repr == f"Booking {booking.reference}"


def test_the_periodic_job_lapses_offers_not_taken_in_time(unit, django_capture_on_commit_callbacks):
    desk = bookable_desk(unit, places=1, offer_hold_minutes=30)
    join_waiting_list(
        service_at_location=desk.service_at_location, day=at(19, 9).date(), name="Bia",
        phone="+2389900000", language="pt", now=NOW,
    )  # fmt: skip
    offered, _secret = offer_freed_place(bookable=desk, start=at(19, 9), now=NOW)
    with time_machine.travel(NOW + timedelta(minutes=10), tick=False):
        assert lapse_offers.call() == 0  # still within its time
    with (
        time_machine.travel(NOW + timedelta(minutes=31), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert lapse_offers.call() == 1
        assert lapse_offers.call() == 0  # safe to run twice
    offered.refresh_from_db()
    assert offered.status == BookingStatus.LAPSED


@pytest.mark.parametrize(
    ("role", "same_unit", "allowed"),
    [
        (Role.UNIT_COORDINATOR, True, True),
        (Role.UNIT_COORDINATOR, False, False),
        (Role.CONTENT_EDITOR, True, False),
        (Role.FRONT_OFFICE_OFFICER, True, False),
    ],
)
def test_only_a_coordinator_of_the_unit_or_an_administrator_makes_a_service_bookable(
    unit, other_unit, role, same_unit, allowed
):
    actor = StaffFactory(unit=unit if same_unit else other_unit, roles=[role])
    values = {"slot_minutes": 30, "places": 2, "book_ahead_days": 28, "cancel_until_hours": 24}
    desk = praia_desk(unit)
    if allowed:
        made = domain.make_bookable(actor=actor, service_at_location=desk, now=NOW, **values)
        assert made.places == 2
    else:
        with pytest.raises(PermissionDenied):
            domain.make_bookable(actor=actor, service_at_location=desk, now=NOW, **values)
        assert not BookableService.objects.exists()
