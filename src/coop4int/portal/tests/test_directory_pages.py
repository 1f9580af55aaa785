import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from coop4int.accounts.enums import Role
from coop4int.directory.domain.editing import update_service
from coop4int.directory.domain.index import refresh_entries
from coop4int.directory.enums import PhoneType
from coop4int.directory.models import Address, Phone, Schedule, ServiceTranslation
from coop4int.directory.tests.places import fax_only, make_place, telephone_line

pytestmark = pytest.mark.django_db


def desk(unit, n: int = 0, **kwargs):
    defaults = {
        "name": f"Atendimento {n:03d}",
        "island": "Santiago",
        "municipality": "Praia",
        "subdivision": "PR",
        "languages": ("pt", "fr"),
        "walk_in": True,
        "accessible": True,
    }
    return make_place(unit=unit, **(defaults | kwargs))


def _list_queries(client, count: int, unit) -> int:
    for n in range(count):
        desk(unit, n)
    cache.clear()  # nothing cached: not the page, not the filters' choices
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/pt/directory/?open_now=on")
    assert response.status_code == 200
    # The directory's own queries: the default cache is a database table (ADR 0013), whose
    # reads and writes (and their savepoints) are the cache's cost, not the list's.
    return len(
        [
            query
            for query in queries
            if "coop4int_cache" not in query["sql"] and "SAVEPOINT" not in query["sql"]
        ]
    )


def test_list_runs_a_fixed_number_of_queries_whatever_the_page_size(client, unit):
    few = _list_queries(client, 2, unit)
    many = _list_queries(client, 23, unit)
    assert few == many
    assert many <= 5


def test_list_filters_from_the_query_string(client, unit, other_unit):
    desk(unit, 1, name="Praia francophone")
    desk(other_unit, 2, name="Mindelo anglophone", languages=("en",), island="São Vicente")
    body = client.get("/fr/directory/", {"language": "fr"}).content.decode()
    assert "Praia francophone" in body
    assert "Mindelo anglophone" not in body


def test_bad_filter_values_show_an_error_not_a_crash(client, unit):
    desk(unit)
    response = client.get("/en/directory/", {"language": "xx", "topic": "not-a-uuid"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_detail_shows_hours_with_today_phones_to_tap_and_languages(client, unit):
    sal = desk(unit)
    response = client.get(reverse("portal:directory_detail", args=[sal.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count('class="today"') == 1
    assert 'href="tel:+2382601010"' in body
    assert 'lang="fr"' in body
    assert "<svg" in body  # the schematic map, drawn without a tile server


def test_missing_translation_is_shown_with_a_note_in_the_readers_language(client, unit):
    sal = desk(unit)
    ServiceTranslation.objects.create(
        service=sal.service, language="en", name="Front desk", description="Help with papers."
    )
    with translation.override("fr"):
        url = reverse("portal:directory_detail", args=[sal.pk])
        note = translation.gettext(
            "This information is not yet available in your language; it is shown in %(language)s."
        ) % {"language": "English"}
    body = client.get(url).content.decode()
    assert escape(note) in body
    assert "Front desk" in body  # French readers fall back to English first


def test_cached_page_changes_when_the_service_changes(client, unit, make_staff):
    sal = desk(unit, name="Old name")
    editor = make_staff(Role.CONTENT_EDITOR, unit)
    assert "Old name" in client.get("/pt/directory/").content.decode()
    update_service(actor=editor, service=sal.service, changes={"name": "New name"})
    body = client.get("/pt/directory/").content.decode()
    assert "New name" in body
    assert "Old name" not in body


def test_leaflet_lists_the_units_services_for_printing(client, unit):
    desk(unit, 1, name="Balcão A")
    desk(unit, 2, name="Balcão B")
    body = client.get(reverse("portal:leaflet", args=[unit.slug])).content.decode()
    assert re.search(r"Balcão A.*Balcão B", body, re.S)
    assert client.get(reverse("portal:leaflet", args=["nobody"])).status_code == 404


def test_public_pages_carry_no_csrf_token_so_they_can_be_cached(client, unit):
    desk(unit)
    body = client.get("/pt/directory/").content.decode()
    assert "csrfmiddlewaretoken" not in body
    assert 'hreflang="kea"' in body  # the language switch is a link, not a form


def test_unknown_service_answers_404(client):
    response = client.get("/pt/directory/00000000-0000-0000-0000-000000000000/")
    assert response.status_code == 404


def test_unreadable_hours_are_not_guessed(client, unit):
    sal = desk(unit)
    Schedule.objects.filter(location=sal.location).update(byday="XX")  # as a bad import might
    refresh_entries(service_ids=[sal.service_id])
    body = client.get(reverse("portal:directory_detail", args=[sal.pk])).content.decode()
    assert "badge-open" not in body
    with translation.override("pt"):
        message = translation.gettext(
            "The opening hours of this service could not be read. Please call before you go."
        )
    assert message in body


def test_a_message_for_one_visitor_is_not_cached_for_others(client, unit):
    desk(unit)
    client.get("/pt/directory/")  # now cached, without any message
    response = client.post(
        "/pt/feedback/", {"message": "Falta o horário", "page": "/pt/directory/"}
    )
    assert response.status_code == 302
    assert "message-success" in client.get("/pt/directory/").content.decode()
    assert "message-success" not in Client().get("/pt/directory/").content.decode()


FAX = '<bdi dir="ltr" class="ltr">+238 260 10 17</bdi> ({fax})'


def _fax_label(language: str) -> str:
    with translation.override(language):
        return FAX.format(fax=PhoneType.FAX.label)


def test_detail_labels_a_fax_and_never_offers_it_as_a_call(client, unit):
    sal = desk(unit)
    Phone.objects.create(location=sal.location, number="+238 260 10 17", type="fax")
    body = client.get(f"/pt/directory/{sal.pk}/").content.decode()
    assert 'href="tel:+2382601017"' not in body
    assert _fax_label("pt") in body
    assert '<a href="tel:+2382601010"><bdi dir="ltr" class="ltr">+238 260 10 10</bdi></a>' in body


def test_detail_of_a_place_with_only_a_fax_offers_the_support_line_to_call(client, unit):
    sal = fax_only(desk(unit))
    telephone_line(name="Linha Nacional de Apoio", number="+238 800 10 10")
    body = client.get(f"/pt/directory/{sal.pk}/").content.decode()
    assert 'href="tel:+2382601017"' not in body
    assert _fax_label("pt") in body
    with translation.override("pt"):
        call = translation.gettext("To speak to someone, call %(name)s:") % {
            "name": "Linha Nacional de Apoio"
        }
    assert escape(call) in body
    assert '<a href="tel:+2388001010"><bdi dir="ltr" class="ltr">+238 800 10 10</bdi></a>' in body


def test_leaflet_labels_a_fax_and_offers_a_number_to_call_instead(client, unit):
    fax_only(desk(unit, 1, name="Balcão só com fax"))
    telephone_line(name="Linha Nacional de Apoio", number="+238 800 10 10")
    body = client.get(reverse("portal:leaflet", args=[unit.slug])).content.decode()
    assert 'href="tel:+2382601017"' not in body
    assert _fax_label("pt") in body
    section = re.search(r"Balcão só com fax.*?</section>", body, re.S)
    assert section is not None
    assert 'href="tel:+2388001010"' in section.group()


def test_addresses_keep_postal_codes_and_numbers_in_order(client, unit):
    sal = desk(unit)
    Address.objects.filter(location=sal.location).update(
        address_1="Rua Álvaro Coutinho, 14", postal_code="1150-025", city="Lisboa"
    )
    body = client.get(f"/pt/directory/{sal.pk}/").content.decode()
    assert '<bdi dir="ltr" class="ltr">1150-025</bdi> Lisboa' in body
