"""A unit's appointment settings page: making a service bookable and changing it, staff
absences, the waiting-room settings — their effects, bad input kept on the form with nothing
changed, another unit's page and objects refused, and roles without the right refused."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from coop4int.accounts.enums import Role
from coop4int.appointments.models import BookableService, QueueSettings, StaffAbsence
from coop4int.appointments.tests.helpers import bookable_desk
from coop4int.core.models import AuditEntry
from coop4int.directory.tests.places import praia_desk

pytestmark = pytest.mark.django_db

CV = ZoneInfo("Atlantic/Cape_Verde")
EN = {"accept-language": "en"}


def page(unit) -> str:
    return reverse("backoffice:appointment_settings_unit", kwargs={"unit_id": unit.pk})


@pytest.fixture
def coordinator(make_staff, unit):
    return make_staff(Role.UNIT_COORDINATOR, unit, username="coordenadora")


@pytest.fixture
def desk(client, login_verified, coordinator):
    login_verified(client, coordinator)
    return client


def _bookable_post(sal, **values) -> dict:
    return {
        "action": "make_bookable",
        "service_at_location": str(sal.pk),
        "slot_minutes": "20",
        "places": "3",
        "book_ahead_days": "14",
        "cancel_until_hours": "12",
        "offer_hold_minutes": "60",
    } | values


def test_the_bare_address_opens_the_user_s_unit_and_an_administrator_may_choose(
    desk, client, unit, other_unit, login_verified, make_staff
):
    home = reverse("backoffice:appointment_settings")
    response = desk.get(home)
    assert response.status_code == 200
    assert response.context["unit"] == unit
    assert response.context["other_units"] == []
    assert desk.get(home, {"unit": other_unit.pk}).status_code == 404
    desk.logout()
    login_verified(client, make_staff(Role.ADMINISTRATOR, unit))
    mine = client.get(home)
    assert mine.context["unit"] == unit
    assert other_unit in mine.context["other_units"]
    assert client.get(home, {"unit": other_unit.pk}).context["unit"] == other_unit
    assert client.get(page(other_unit)).status_code == 200


def test_an_action_from_the_bare_address_goes_back_to_the_unit_s_page(desk, unit):
    sal = praia_desk(unit)
    response = desk.post(reverse("backoffice:appointment_settings"), _bookable_post(sal))
    assert response.status_code == 302
    assert response["Location"] == f"{page(unit)}#services"
    assert BookableService.objects.filter(service_at_location=sal).exists()


def test_making_a_service_bookable(desk, unit, coordinator, make_staff):
    sal = praia_desk(unit)
    colleague = make_staff(Role.FRONT_OFFICE_OFFICER, unit)
    before = desk.get(page(unit), headers=EN).content.decode()
    assert "Cannot be booked." in before
    response = desk.post(page(unit), _bookable_post(sal, staff=[str(colleague.pk)]), headers=EN)
    assert response.status_code == 302
    assert response["Location"].endswith("#services")
    bookable = BookableService.objects.get(service_at_location=sal)
    assert (bookable.slot_minutes, bookable.places, bookable.book_ahead_days) == (20, 3, 14)
    assert (bookable.cancel_until_hours, bookable.offer_hold_minutes) == (12, 60)
    assert list(bookable.staff.all()) == [colleague]
    assert bookable.active
    entry = AuditEntry.objects.get(action="appointments.service.made_bookable")
    assert entry.actor == coordinator
    after = desk.get(page(unit), headers=EN).content.decode()
    assert "Taking bookings." in after
    assert "People can now book" in after


def test_changing_a_bookable_service_and_stopping_bookings(desk, unit, coordinator):
    bookable = bookable_desk(unit)
    response = desk.post(
        page(unit),
        _bookable_post(bookable.service_at_location, action="change_bookable", places="5"),
    )
    assert response.status_code == 302
    bookable.refresh_from_db()
    assert (bookable.places, bookable.slot_minutes, bookable.active) == (5, 20, False)
    entry = AuditEntry.objects.get(action="appointments.service.bookable_changed")
    assert entry.data["before"]["places"] == 2
    assert entry.data["after"]["active"] is False
    assert "Not taking bookings." in desk.get(page(unit), headers=EN).content.decode()


def test_bad_values_are_shown_with_what_was_typed_and_nothing_changes(desk, unit):
    sal = praia_desk(unit)
    response = desk.post(page(unit), _bookable_post(sal, slot_minutes="2", places="7"), headers=EN)
    assert response.status_code == 200
    text = response.content.decode()
    assert "Please correct the fields marked below." in text
    assert 'value="7"' in text
    assert not BookableService.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="appointments.service").exists()


def test_another_unit_s_services_and_staff_are_not_choices(desk, unit, other_unit, make_staff):
    theirs = praia_desk(other_unit, name="Outro")
    stranger = make_staff(Role.FRONT_OFFICE_OFFICER, other_unit)
    ours = praia_desk(unit)
    assert desk.post(page(unit), _bookable_post(theirs)).status_code == 200
    assert desk.post(page(unit), _bookable_post(ours, staff=[str(stranger.pk)])).status_code == 200
    assert not BookableService.objects.exists()


def test_another_unit_s_page_is_not_found(desk, other_unit):
    theirs = praia_desk(other_unit, name="Outro")
    assert desk.get(page(other_unit)).status_code == 404
    assert desk.post(page(other_unit), _bookable_post(theirs)).status_code == 404
    assert (
        desk.get(reverse("backoffice:appointment_settings_unit", args=[999999])).status_code == 404
    )
    assert not BookableService.objects.exists()


@pytest.mark.parametrize("role", [Role.FRONT_OFFICE_OFFICER, Role.ANALYST, Role.CONTENT_EDITOR])
def test_roles_without_the_right_are_refused(client, login_verified, make_staff, unit, role):
    login_verified(client, make_staff(role, unit))
    assert client.get(reverse("backoffice:appointment_settings")).status_code == 403
    assert client.get(page(unit)).status_code == 403
    assert client.post(page(unit), {"action": "record_absence"}).status_code == 403


def test_recording_an_absence_in_the_unit_s_time(desk, unit, make_staff):
    officer = make_staff(Role.FRONT_OFFICE_OFFICER, unit, first_name="Rui", last_name="Tavares")
    response = desk.post(page(unit), {
        "action": "record_absence", "staff": str(officer.pk),
        "starts_at": "2099-03-02T09:00", "ends_at": "2099-03-02T13:00",
    })  # fmt: skip
    assert response.status_code == 302
    assert response["Location"].endswith("#absences")
    absence = StaffAbsence.objects.get()
    assert absence.staff == officer
    assert absence.starts_at == datetime(2099, 3, 2, 9, tzinfo=CV)
    assert absence.ends_at == datetime(2099, 3, 2, 13, tzinfo=CV)
    assert AuditEntry.objects.filter(action="appointments.absence.recorded").count() == 1
    listed = desk.get(page(unit), headers=EN).content.decode()
    assert "Rui Tavares" in listed.split('id="absence-list"')[1]


def test_an_absence_that_ends_before_it_starts_is_refused(desk, unit, make_staff):
    officer = make_staff(Role.FRONT_OFFICE_OFFICER, unit)
    response = desk.post(page(unit), {
        "action": "record_absence", "staff": str(officer.pk),
        "starts_at": "2099-03-02T13:00", "ends_at": "2099-03-02T09:00",
    }, headers=EN)  # fmt: skip
    assert response.status_code == 200
    assert "An absence ends after it starts." in response.content.decode()
    assert not StaffAbsence.objects.exists()


def _queue_post(location, **values) -> dict:
    return {
        "action": "queue_settings",
        "location": str(location.pk),
        "priority_reasons": ["age", "pregnancy"],
        "priority_first": "on",
        "target_minutes": "20",
        "target_share": "90",
        "display_language": "fr",
    } | values


def test_setting_a_waiting_room(desk, unit, coordinator):
    location = praia_desk(unit).location
    response = desk.post(page(unit), _queue_post(location))
    assert response.status_code == 302
    assert response["Location"].endswith("#waiting-rooms")
    saved = QueueSettings.objects.get(location=location)
    assert saved.priority_reasons == ["pregnancy", "age"]
    assert (saved.priority_first, saved.booked_first) == (True, False)
    assert (saved.target_minutes, saved.target_share, saved.display_language) == (20, 90, "fr")
    entry = AuditEntry.objects.get(action="appointments.queue.settings_changed")
    assert entry.actor == coordinator
    assert entry.unit == unit
    assert entry.data["settings"]["target_minutes"] == 20


def test_a_waiting_room_setting_out_of_range_is_refused(desk, unit):
    location = praia_desk(unit).location
    response = desk.post(
        page(unit), _queue_post(location, target_share="120", display_language="xx"), headers=EN
    )
    assert response.status_code == 200
    assert 'value="120"' in response.content.decode()
    assert set(response.context["locations"][0].form.errors) == {
        "target_share",
        "display_language",
    }
    assert not QueueSettings.objects.exists()


def test_another_unit_s_waiting_room_is_not_a_choice(desk, unit, other_unit):
    praia_desk(unit)
    theirs = praia_desk(other_unit, name="Outro").location
    assert desk.post(page(unit), _queue_post(theirs)).status_code == 200
    assert not QueueSettings.objects.exists()
