"""Bad input in the staff directory pages: a clear message in the editor's language, what was
typed kept, nothing saved."""

import pytest
from django.utils import translation
from django.utils.html import escape

from coop4int.accounts.enums import Role
from coop4int.core.models import AuditEntry
from coop4int.directory.models import Location, Phone, Schedule, Service
from coop4int.directory.tests.places import praia_desk


@pytest.fixture
def desk(unit):
    return praia_desk(unit)


@pytest.fixture
def editor_client(client, login_verified, make_staff, unit):
    login_verified(client, make_staff(Role.CONTENT_EDITOR, unit))
    client.cookies["django_language"] = "fr"
    return client


def _url(desk) -> str:
    return f"/staff/directory/services/{desk.service_id}/"


def _french(message: str) -> str:
    with translation.override("fr"):
        return translation.gettext(message)


PLACE = {
    "action": "location",
    "name": "Unidade de Praia",
    "address_1": "Rua 1",
    "city": "Praia",
    "state_province": "Santiago",
    "country": "CV",
    "time_zone": "Atlantic/Cape_Verde",
    "phones": "+238 260 10 10",
}


def test_invalid_time_zone_is_refused_in_the_editors_language(editor_client, desk):
    response = editor_client.post(_url(desk), PLACE | {"time_zone": "Mars/Olympus"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Mars/Olympus" in body  # what was typed is kept
    assert _french("Please correct the fields marked below.") in body
    assert Location.objects.get(pk=desk.location_id).time_zone == "Atlantic/Cape_Verde"
    assert not AuditEntry.objects.filter(action="directory.location.updated").exists()


def test_phone_that_does_not_parse_is_refused_and_nothing_changes(editor_client, desk):
    response = editor_client.post(
        _url(desk), PLACE | {"phones": "+238 260 10 10\nabc-not-a-phone", "city": "Nova"}
    )
    assert response.status_code == 200
    assert "abc-not-a-phone" in response.content.decode()
    assert list(
        Phone.objects.filter(location=desk.location_id).values_list("number", flat=True)
    ) == ["+238 260 10 10"]
    assert desk.location.addresses.get().city == "Praia"


def test_valid_place_is_saved_and_audited(editor_client, desk):
    response = editor_client.post(
        _url(desk),
        PLACE | {"phones": "+238 260 10 10\n+238 991 23 45", "time_zone": "Europe/Lisbon"},
    )
    assert response.status_code == 302
    location = Location.objects.get(pk=desk.location_id)
    assert location.time_zone == "Europe/Lisbon"
    assert location.phones.count() == 2
    assert AuditEntry.objects.filter(action="directory.location.updated").count() == 1


def test_closing_before_opening_keeps_the_form_and_saves_nothing(editor_client, desk):
    before = Schedule.objects.count()
    response = editor_client.post(
        _url(desk),
        {
            "action": "hours",
            "valid_from": "2026-12-01",
            "MO_0_opens": "17:00",
            "MO_0_closes": "09:00",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert escape(_french("The closing time must be after the opening time.")) in body
    assert 'value="17:00"' in body
    assert Schedule.objects.count() == before


def test_unknown_language_code_in_a_post_is_refused(editor_client, desk):
    response = editor_client.post(
        _url(desk),
        {"action": "save", "name": "Atendimento", "status": "active", "languages": ["pt", "xx"]},
    )
    assert response.status_code == 200
    assert "languages" in response.context["form"].errors
    assert list(desk.service.languages.values_list("code", flat=True)) == []


def test_editor_adds_a_french_name_and_french_readers_see_it(editor_client, desk, client):
    response = editor_client.post(
        _url(desk),
        {"action": "translation", "language": "fr", "name": "Accueil", "description": "Aide."},
    )
    assert response.status_code == 302
    body = client.get(f"/fr/directory/{desk.pk}/").content.decode()
    assert '<h1 lang="fr" dir="ltr">Accueil</h1>' in body


NEW = PLACE | {"service_name": "Apoio jurídico", "service_description": "Consultas gratuitas."}


def test_editor_adds_a_service_at_a_new_place_and_it_is_listed(editor_client, unit, client):
    response = editor_client.post("/staff/directory/new/", NEW | {"unit": unit.pk})
    assert response.status_code == 302
    service = Service.objects.get(name="Apoio jurídico")
    assert service.unit == unit
    assert service.at_locations.get().location.phones.get().number == "+238 260 10 10"
    assert AuditEntry.objects.filter(action="directory.service.created").count() == 1
    assert "Apoio jurídico" in client.get("/pt/directory/").content.decode()


def test_a_new_service_with_a_bad_phone_is_not_saved(editor_client, unit):
    before = (Service.objects.count(), Location.objects.count())
    response = editor_client.post(
        "/staff/directory/new/", NEW | {"unit": unit.pk, "phones": "not a phone"}
    )
    assert response.status_code == 200
    assert 'value="Apoio jurídico"' in response.content.decode()
    assert (Service.objects.count(), Location.objects.count()) == before


def test_an_editor_cannot_add_a_service_to_another_unit(editor_client, other_unit):
    response = editor_client.post("/staff/directory/new/", NEW | {"unit": other_unit.pk})
    assert response.status_code == 200
    assert "unit" in response.context["form"].errors
    assert not Service.objects.filter(name="Apoio jurídico").exists()


def test_a_region_is_not_a_time_zone(editor_client, unit):
    response = editor_client.post(
        "/staff/directory/new/", NEW | {"unit": unit.pk, "time_zone": "Europe"}
    )
    assert response.status_code == 200
    assert "time_zone" in response.context["form"].errors


def test_a_new_place_in_portugal_is_placed_in_portugal(editor_client, unit):
    values = NEW | {"unit": unit.pk, "country": "PT", "city": "Lisboa", "state_province": "Lisboa",
                    "time_zone": "Europe/Lisbon", "phones": "21 810 61 91"}  # fmt: skip
    assert editor_client.post("/staff/directory/new/", values).status_code == 302
    location = Service.objects.get(name="Apoio jurídico").at_locations.get().location
    assert (location.country, location.municipality, location.island) == ("PT", "Lisboa", "Lisboa")
