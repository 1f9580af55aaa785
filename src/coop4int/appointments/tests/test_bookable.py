"""Changing a bookable service and a location's waiting-room settings: the values checked,
who may, what is audited, and a change of nothing writing nothing."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from coop4int.accounts.enums import Role
from coop4int.appointments.domain.bookable import change_bookable, set_queue_settings
from coop4int.appointments.models import QueueSettings
from coop4int.appointments.tests.helpers import NOW, bookable_desk
from coop4int.core.models import AuditEntry
from coop4int.directory.tests.places import praia_desk

pytestmark = pytest.mark.django_db


def _values(bookable, **changes):
    values = {
        "slot_minutes": bookable.slot_minutes,
        "places": bookable.places,
        "book_ahead_days": bookable.book_ahead_days,
        "cancel_until_hours": bookable.cancel_until_hours,
        "offer_hold_minutes": bookable.offer_hold_minutes,
        "staff": list(bookable.staff.all()),
        "active": bookable.active,
        "now": NOW,
    }
    return values | changes


def test_a_change_is_saved_and_audited_with_before_and_after(make_staff, unit):
    bookable = bookable_desk(unit)
    coordinator = make_staff(Role.UNIT_COORDINATOR, unit)
    officer = make_staff(Role.FRONT_OFFICE_OFFICER, unit)
    changed = change_bookable(
        actor=coordinator, bookable=bookable, **_values(bookable, places=4, staff=[officer])
    )
    assert changed == ["places", "staff"]
    bookable.refresh_from_db()
    assert bookable.places == 4
    assert list(bookable.staff.all()) == [officer]
    entry = AuditEntry.objects.get(action="appointments.service.bookable_changed")
    assert entry.data["before"]["places"] == 2
    assert entry.data["after"]["staff"] == [officer.pk]
    assert entry.unit == unit


def test_a_change_of_nothing_writes_nothing(make_staff, unit):
    bookable = bookable_desk(unit)
    coordinator = make_staff(Role.UNIT_COORDINATOR, unit)
    assert change_bookable(actor=coordinator, bookable=bookable, **_values(bookable)) == []
    assert not AuditEntry.objects.filter(action="appointments.service.bookable_changed").exists()


def test_values_out_of_range_and_another_unit_s_staff_are_refused(make_staff, unit, other_unit):
    bookable = bookable_desk(unit)
    coordinator = make_staff(Role.UNIT_COORDINATOR, unit)
    stranger = make_staff(Role.FRONT_OFFICE_OFFICER, other_unit)
    with pytest.raises(ValidationError) as refused:
        change_bookable(
            actor=coordinator, bookable=bookable,
            **_values(bookable, slot_minutes=2, places=0, staff=[stranger]),
        )  # fmt: skip
    assert set(refused.value.message_dict) == {"slot_minutes", "places", "staff"}


@pytest.mark.parametrize("role", [Role.FRONT_OFFICE_OFFICER, Role.CONTENT_EDITOR])
def test_only_those_who_manage_the_unit_s_appointments_may_change(
    make_staff, unit, other_unit, role
):
    bookable = bookable_desk(unit)
    for actor in (make_staff(role, unit), make_staff(Role.UNIT_COORDINATOR, other_unit)):
        with pytest.raises(PermissionDenied):
            change_bookable(actor=actor, bookable=bookable, **_values(bookable, places=3))
        with pytest.raises(PermissionDenied):
            set_queue_settings(
                location=bookable.service_at_location.location, actor=actor, now=NOW,
                target_minutes=10,
            )  # fmt: skip
    administrator = make_staff(Role.ADMINISTRATOR, other_unit)
    assert change_bookable(actor=administrator, bookable=bookable, **_values(bookable, places=3))


def test_waiting_room_settings_keep_what_is_not_given(make_staff, unit):
    location = praia_desk(unit).location
    coordinator = make_staff(Role.UNIT_COORDINATOR, unit)
    set_queue_settings(location=location, actor=coordinator, now=NOW, target_minutes=10)
    saved = set_queue_settings(
        location=location, actor=coordinator, now=NOW,
        priority_reasons=["small_child", "age", "age"], display_language="kea",
    )  # fmt: skip
    assert saved.target_minutes == 10
    assert saved.priority_reasons == ["age", "small_child"]
    assert saved.display_language == "kea"
    assert QueueSettings.objects.count() == 1
    first, second = AuditEntry.objects.filter(
        action="appointments.queue.settings_changed"
    ).order_by("pk")
    assert first.data["changed"] == ["target_minutes"]
    assert second.data["changed"] == ["display_language", "priority_reasons"]


def test_waiting_room_settings_are_checked(make_staff, unit):
    location = praia_desk(unit).location
    coordinator = make_staff(Role.UNIT_COORDINATOR, unit)
    with pytest.raises(ValidationError) as refused:
        set_queue_settings(
            location=location, actor=coordinator, now=NOW, priority_reasons=["tall"],
            target_minutes=0, target_share=101, display_language="pt",
        )  # fmt: skip
    assert set(refused.value.message_dict) == {
        "priority_reasons", "target_minutes", "target_share", "display_language",
    }  # fmt: skip
    with pytest.raises(TypeError):
        set_queue_settings(location=location, actor=coordinator, now=NOW, colour="red")
    assert not QueueSettings.objects.exists()
