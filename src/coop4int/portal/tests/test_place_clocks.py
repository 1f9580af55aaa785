"""Times at a place on another clock than the readers' (Lisbon, read from Cabo Verde) say
whose clock they are on, and what that is on the reader's."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import translation

from coop4int.directory.domain.queries import service_hours
from coop4int.directory.tests.places import make_place
from coop4int.portal.presentation import clock_note, local_moment, service_page

pytestmark = pytest.mark.django_db

LISBON = ZoneInfo("Europe/Lisbon")
PRAIA = ZoneInfo("Atlantic/Cape_Verde")
# Sunday 6 December 2026, noon in Praia; Lisbon (winter) is one hour ahead.
SUNDAY_NOON = datetime(2026, 12, 6, 12, 0, tzinfo=PRAIA)


def test_a_lisbon_opening_names_both_clocks():
    monday_9_lisbon = datetime(2026, 12, 7, 9, 0, tzinfo=LISBON)
    with translation.override("en"):
        text = local_moment(monday_9_lisbon, "Europe/Lisbon", SUNDAY_NOON)
    assert text == "Monday 09:00, Portugal (Lisbon) Time (Monday 08:00, Cape Verde Time)"


def test_a_place_on_the_readers_clock_names_none():
    monday_9 = datetime(2026, 12, 7, 9, 0, tzinfo=PRAIA)
    with translation.override("en"):
        assert local_moment(monday_9, "Atlantic/Cape_Verde", SUNDAY_NOON) == "Monday 09:00"
        assert clock_note("Atlantic/Cape_Verde", SUNDAY_NOON) == ""


def test_late_evening_in_praia_is_already_tomorrow_in_lisbon_and_the_page_says_so(
    unit, national_unit
):
    place = make_place(
        unit=unit, name="CNAIM Lisboa", island="", municipality="Lisboa", subdivision="",
        languages=("pt",), walk_in=True, accessible=False,
    )  # fmt: skip
    place.location.time_zone = "Europe/Lisbon"
    place.location.country = "PT"
    place.location.save()
    monday_late = datetime(2026, 12, 7, 23, 30, tzinfo=PRAIA)  # Tuesday 00:30 in Lisbon
    with translation.override("en"):
        page = service_page(place, "en", service_hours(place, monday_late))
    assert page["clock_note"] == (
        "It is now Tuesday 00:30 there, and Monday 23:30, Cape Verde Time."
    )
    today = [day for day in page["week"] if day["is_today"]]
    assert len(today) == 1
    assert today[0]["day"].startswith("Tuesday")


def test_the_lisbon_page_labels_today_with_the_places_clock(client, unit, national_unit):
    place = make_place(
        unit=unit, name="CNAIM Lisboa", island="", municipality="Lisboa", subdivision="",
        languages=("pt",), walk_in=True, accessible=False,
    )  # fmt: skip
    place.location.time_zone = "Europe/Lisbon"
    place.location.save()
    with time_machine.travel(datetime(2026, 12, 7, 23, 30, tzinfo=PRAIA), tick=False):
        body = client.get(f"/en/directory/{place.pk}/").content.decode()
    assert "(today, Portugal (Lisbon) Time)" in body
    assert "It is now Tuesday 00:30 there, and Monday 23:30, Cape Verde Time." in body
