"""A place shared by services of different units: each unit changes only its own service."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from coop4int.accounts.enums import Role
from coop4int.directory import hours
from coop4int.directory.domain.calendars import calendar_for
from coop4int.directory.domain.editing import (
    Opening,
    add_closure,
    change_hours_from,
    propose_change,
    update_location,
    update_service,
)
from coop4int.directory.models import Language, Schedule, Service, ServiceAtLocation
from coop4int.directory.tests.places import praia_desk

PRAIA = ZoneInfo("Atlantic/Cape_Verde")
WEDNESDAY_10 = datetime(2026, 11, 25, 10, 0, tzinfo=PRAIA)


@pytest.fixture
def shared(unit, other_unit):
    """Unit A's desk, and unit B's service at the same place."""
    ours = praia_desk(unit)
    theirs = Service.objects.create(name="Serviço de B", unit=other_unit)
    ServiceAtLocation.objects.create(service=theirs, location=ours.location)
    return ours, theirs.at_locations.get()


def _open(sal, at=WEDNESDAY_10):
    return hours.is_open(calendar_for(sal, at.date() - timedelta(days=1), at.date()), at)


def test_a_closure_closes_only_our_service(shared, make_staff, unit):
    ours, theirs = shared
    editor = make_staff(Role.CONTENT_EDITOR, unit)
    start = WEDNESDAY_10 - timedelta(hours=1)
    add_closure(actor=editor, service=ours.service, location=ours.location,
                starts_at=start, ends_at=None, reason="Obras")  # fmt: skip
    assert not _open(ours)
    assert _open(theirs)


def test_new_hours_change_only_our_service(shared, make_staff, unit):
    ours, theirs = shared
    editor = make_staff(Role.CONTENT_EDITOR, unit)
    change_hours_from(actor=editor, service=ours.service, valid_from=WEDNESDAY_10.date(),
                      openings=[Opening(("WE",), time(12), time(13))])  # fmt: skip
    assert not _open(ours)
    assert _open(theirs)
    assert Schedule.objects.filter(location=ours.location).count() == 1  # the place's own hours


def test_a_shared_place_is_changed_only_by_someone_who_may_change_every_service(
    shared, make_staff, unit
):
    ours, _theirs = shared
    editor = make_staff(Role.CONTENT_EDITOR, unit)
    with pytest.raises(ValidationError):
        update_location(actor=editor, service=ours.service, location=ours.location,
                        values={"time_zone": "Europe/Lisbon", "name": "X", "transportation": "",
                                "latitude": None, "longitude": None},
                        phones=[])  # fmt: skip
    ours.location.refresh_from_db()
    assert ours.location.time_zone == "Atlantic/Cape_Verde"


def test_unchanged_languages_in_another_order_are_no_proposal(unit, make_staff):
    sal = praia_desk(unit)
    Language.objects.create(service=sal.service, code="pt")
    Language.objects.create(service=sal.service, code="en")
    partner = make_staff(Role.PARTNER_USER, unit)
    with pytest.raises(ValidationError):
        propose_change(actor=partner, service=sal.service, changes={"languages": ["pt", "en"]})


def test_languages_without_a_code_are_kept(unit, make_staff):
    sal = praia_desk(unit)
    Language.objects.create(service=sal.service, name="Língua gestual")
    editor = make_staff(Role.CONTENT_EDITOR, unit)
    update_service(actor=editor, service=sal.service, changes={"languages": ["pt"]})
    assert set(sal.service.languages.values_list("name", "code")) >= {("Língua gestual", "")}


def test_a_proposal_the_service_would_refuse_is_refused_at_once(unit, make_staff):
    sal = praia_desk(unit)
    partner = make_staff(Role.PARTNER_USER, unit)
    with pytest.raises(ValidationError):
        propose_change(actor=partner, service=sal.service,
                       changes={"url": "https://example.org/" + "x" * 300})  # fmt: skip
