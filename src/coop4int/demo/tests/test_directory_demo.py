"""Demo directory: idempotent, listed in the public directory, and every number, language and
time zone it holds is real."""

import zoneinfo
from datetime import date, time
from io import StringIO

import phonenumbers
import pytest
from django.core.management import call_command

from coop4int.accounts.enums import Island
from coop4int.core.languages import REGISTRY
from coop4int.demo import directory
from coop4int.directory import models as d
from coop4int.directory.domain.queries import (
    can_be_called,
    get_service_at_location,
    phones_to_call,
)

DIRECTORY_MODELS = (
    d.Taxonomy,
    d.TaxonomyTerm,
    d.Organization,
    d.Location,
    d.Service,
    d.ServiceTopic,
    d.ServiceTranslation,
    d.ServiceAtLocation,
    d.Address,
    d.Contact,
    d.Phone,
    d.Schedule,
    d.Closure,
    d.MunicipalHoliday,
    d.Language,
    d.ServiceArea,
    d.Accessibility,
    d.RequiredDocument,
    d.CostOption,
    # Derived: rebuilt only when the load changed something.
    d.DirectoryEntry,
    d.OpenInterval,
)
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR")


def _snapshot() -> dict[str, list[dict]]:
    return {
        model.__name__: list(model.objects.order_by("pk").values()) for model in DIRECTORY_MODELS
    }


def _load() -> None:
    call_command("load_demo", stdout=StringIO())


@pytest.fixture(scope="module")
def _demo_rows(rows_kept, tmp_path_factory):  # type: ignore[no-untyped-def]
    """The demo, loaded once for this module's tests and rolled back after them."""
    with rows_kept(_load, MEDIA_ROOT=tmp_path_factory.mktemp("media")):
        yield


@pytest.fixture
def demo(_demo_rows, db):  # type: ignore[no-untyped-def]
    """Each test starts from the demo as loaded, in a savepoint of its own."""


def _windows(schedules, day: str) -> list[tuple[time, time]]:  # type: ignore[no-untyped-def]
    return sorted((s.opens_at, s.closes_at) for s in schedules if day in s.byday.split(","))


def test_loading_the_directory_twice_changes_nothing(demo):
    first = _snapshot()

    directory.load()
    call_command("load_demo", stdout=StringIO())

    assert _snapshot() == first
    assert first["Service"]
    assert first["Schedule"]


def test_loading_again_restores_a_changed_demo_value_and_its_entry(demo):
    praia = d.Service.objects.get(pk=directory.demo_id(d.Service, "aai/praia/walk-in"))
    d.Service.objects.filter(pk=praia.pk).update(name="Mudado")
    d.Schedule.objects.filter(location__services_at__service=praia).delete()

    directory.load()

    praia.refresh_from_db()
    assert praia.name == "Atendimento presencial — Praia"
    assert d.DirectoryEntry.objects.get(service=praia).names["pt"] == praia.name
    assert d.Schedule.objects.filter(location__services_at__service=praia).count() == 1


def test_demo_rows_have_fixed_ids(demo):
    line = d.Service.objects.get(name="Linha de Apoio a Migrantes")

    assert line.pk == directory.demo_id(d.Service, "acm/migrant-support-line")


def test_migrant_support_line_keeps_the_old_hours_as_history(demo):
    line = d.Service.objects.get(
        organization__name=directory.ACM_NAME, telephone_line=True, is_demo=True
    )
    schedules = list(line.schedules.all())
    current = [s for s in schedules if s.valid_from == date(2022, 3, 5)]
    old = [s for s in schedules if s.valid_to == date(2022, 3, 4)]

    assert len(schedules) == 3
    for day in WEEKDAYS:
        assert _windows(current, day) == [(time(9), time(20))]
        assert _windows(old, day) == [(time(9), time(19))]
    assert _windows(current, "SA") == [(time(9), time(17))]
    assert _windows(old, "SA") == []
    assert all(s.valid_to is None for s in current)
    assert all(s.valid_from is None for s in old)
    assert {(p.number, p.type, p.description) for p in line.phones.all()} == {
        ("808 257 257", "voice", "rede fixa"),
        ("21 810 61 91", "voice", "rede móvel e estrangeiro"),
    }


def test_cnaim_beja_opens_in_two_windows_a_day(demo):
    beja = d.Location.objects.get(name="CNAIM Beja")
    schedules = list(beja.schedules.all())

    for day in WEEKDAYS:
        assert _windows(schedules, day) == [(time(9), time(12, 30)), (time(14), time(17, 30))]
    assert _windows(schedules, "SA") == []


def test_every_phone_number_parses_in_its_country(demo):
    phones = d.Phone.objects.select_related("location").prefetch_related(
        "service__at_locations__location"
    )
    assert phones.count() > 10
    for phone in phones:
        location = phone.location or phone.service.at_locations.get().location
        number = phonenumbers.parse(phone.number, location.country)
        assert phonenumbers.is_valid_number(number), phone.number


def test_every_language_code_is_in_the_registry(demo):
    codes = set(d.Language.objects.values_list("code", flat=True))
    codes |= set(d.ServiceTranslation.objects.values_list("language", flat=True))
    codes |= set(d.Service.objects.values_list("language", flat=True))
    for names in d.TaxonomyTerm.objects.values_list("names", flat=True):
        codes |= set(names)

    assert codes
    assert codes <= set(REGISTRY)


def test_every_time_zone_is_a_zoneinfo_name(demo):
    zones = set(d.Location.objects.values_list("time_zone", flat=True))

    assert zones == {"Atlantic/Cape_Verde", "Europe/Lisbon"}
    assert zones <= zoneinfo.available_timezones()


def test_the_four_aai_local_units_are_on_their_islands(demo):
    places = {
        location.municipality: location
        for location in d.Location.objects.filter(
            organization__name=directory.AAI_NAME, location_type="physical"
        )
    }

    assert {m: (p.island, p.holiday_subdivision) for m, p in places.items()} == {
        "Praia": (Island.SANTIAGO.label, "PR"),
        "São Vicente": (Island.SAO_VICENTE.label, "SV"),
        "Sal": (Island.SAL.label, "SL"),
        "Boa Vista": (Island.BOA_VISTA.label, "BV"),
    }
    for place in places.values():
        assert place.country == "CV"
        assert place.latitude is not None
        assert place.addresses.exists()
        service = place.services_at.get().service
        assert service.walk_in
        assert service.unit.parent.slug == "aai"
        assert service.is_demo
        assert "(demo)" in service.description
    assert places["São Vicente"].schedules.filter(byday="MO,TU,WE,TH,FR").count() == 2


def test_only_some_local_units_speak_french_and_are_step_free(demo):
    walk_ins = d.Service.objects.filter(organization__name=directory.AAI_NAME, walk_in=True)
    places = d.Location.objects.filter(
        organization__name=directory.AAI_NAME, location_type="physical"
    )

    assert 0 < walk_ins.filter(languages__code="fr").count() < walk_ins.count()
    assert 0 < places.filter(accessibility__isnull=False).distinct().count() < places.count()


def test_the_four_cnaim_centres_take_walk_ins_in_portugal(demo):
    centres = d.Location.objects.filter(
        organization__name=directory.ACM_NAME, location_type="physical"
    )

    assert {c.name: c.holiday_subdivision for c in centres} == {
        "CNAIM Lisboa": "11",
        "CNAIM Porto": "13",
        "CNAIM Beja": "02",
        "CNAIM Algarve": "08",
    }
    for centre in centres:
        assert centre.country == "PT"
        assert centre.time_zone == "Europe/Lisbon"
        service = centre.services_at.get().service
        assert service.walk_in
        assert not service.appointment_required
        assert service.name.startswith("Atendimento presencial sem marcação")
    assert set(
        d.Phone.objects.filter(location__name="CNAIM Lisboa").values_list("number", "type")
    ) == {
        ("21 810 61 00", "voice"),
        ("21 810 61 17", "fax"),
    }
    assert set(
        d.Phone.objects.filter(location__name="CNAIM Porto").values_list("number", "type")
    ) == {
        ("22 207 38 10", "voice"),
        ("22 207 38 17", "fax"),
    }
    faro = d.Address.objects.get(location__name="CNAIM Algarve")
    assert (faro.postal_code, faro.city) == ("8000-151", "Faro")


def test_every_demo_place_has_its_own_number_a_person_can_call(demo):
    for sal in d.ServiceAtLocation.objects.all():
        phones = phones_to_call(get_service_at_location(sal.pk))
        assert any(can_be_called(phone) for phone in phones.own), sal
        assert phones.fallback == []


def test_aai_services_have_an_english_name_and_one_a_french_name(demo):
    aai_services = d.Service.objects.filter(organization__name=directory.AAI_NAME)

    assert aai_services.count() == 5
    for service in aai_services:
        assert service.translations.filter(language="en").exists()
    assert d.ServiceTranslation.objects.filter(language="fr").count() == 1


def test_every_demo_service_is_listed_in_the_public_directory(demo):
    services = d.Service.objects.filter(is_demo=True)

    assert d.DirectoryEntry.objects.count() == d.ServiceAtLocation.objects.count()
    assert set(d.DirectoryEntry.objects.values_list("service", flat=True)) == set(
        services.values_list("pk", flat=True)
    )
    lines = d.DirectoryEntry.objects.filter(telephone_line=True)
    assert set(lines.values_list("time_zone", flat=True)) == {
        "Atlantic/Cape_Verde",
        "Europe/Lisbon",
    }


def test_one_local_unit_is_closed_on_christmas_eve_afternoon(demo):
    closure = d.Closure.objects.get()

    assert closure.location.municipality == "Praia"
    local = closure.starts_at.astimezone(zoneinfo.ZoneInfo("Atlantic/Cape_Verde"))
    assert (local.date(), local.time()) == (date(2026, 12, 24), time(12))
