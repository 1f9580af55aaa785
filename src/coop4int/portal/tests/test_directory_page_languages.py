"""A service's page speaks the reader's language: holiday names, time zone, phone kinds and
topics in it; what has no translation (cost, documents, descriptions of phones and places) marked
with the language it is in, with a note saying so."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.utils import translation
from django.utils.html import escape

from coop4int.directory.models import Phone, RequiredDocument, ServiceTopic, TaxonomyTerm
from coop4int.directory.tests.places import praia_desk

pytestmark = pytest.mark.django_db

# A Friday: the week from it holds Monday 8 December, a public holiday in Portugal.
FRIDAY = datetime(2025, 12, 5, 11, 0, tzinfo=UTC)


def _in(reader: str, message: str, **values: str) -> str:
    with translation.override(reader):
        return escape(translation.gettext(message) % values)


@pytest.fixture
def lisbon_desk(unit):
    sal = praia_desk(unit)
    location = sal.location
    location.country, location.time_zone, location.holiday_subdivision = "PT", "Europe/Lisbon", "11"
    location.municipality = "Lisboa"
    location.save()
    return sal


def _page(client, sal, language: str) -> str:
    with time_machine.travel(FRIDAY, tick=False):
        response = client.get(f"/{language}/directory/{sal.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_week_names_a_holiday_in_the_readers_language(client, lisbon_desk):
    page = _page(client, lisbon_desk, "pt")
    assert '<span lang="pt">Imaculada Conceição</span>' in page
    assert "Immaculate Conception" not in page


def test_a_holiday_named_in_another_language_is_marked_and_said_so(client, lisbon_desk):
    # The holidays package has no French names for Portugal: French readers get English.
    page = _page(client, lisbon_desk, "fr")
    assert '<span lang="en">Immaculate Conception</span>' in page
    note = "The names of holidays are not yet available in your language; they are shown in %(language)s."  # noqa: E501
    assert _in("fr", note, language="English") in page
    assert _in("pt", note, language="English") not in _page(client, lisbon_desk, "pt")


def test_the_time_zone_is_said_in_words(client, lisbon_desk):
    page = _page(client, lisbon_desk, "pt")
    assert _in("pt", "Times are local (%(zone)s).", zone="Hora de Portugal (Lisboa)") in page
    assert "Europe/Lisbon" not in page


def test_untranslated_details_are_marked_with_the_services_language(client, unit):
    sal = praia_desk(unit)
    service = sal.service
    service.fees_description = "Gratuito"
    service.save()
    RequiredDocument.objects.create(service=service, document="Passaporte")
    Phone.objects.filter(location=sal.location).update(description="Receção")
    note = (
        "Some details of this service are not yet available in your language; they are shown "
        "in %(language)s."
    )

    french = _page(client, sal, "fr")
    assert '<span lang="pt" dir="ltr">Gratuito</span>' in french
    assert '<ul lang="pt" dir="ltr"><li>Passaporte</li></ul>' in french
    assert '<span lang="pt" dir="ltr">Receção</span>' in french
    assert _in("fr", note, language="Português") in french
    assert _in("pt", note, language="Português") not in _page(client, sal, "pt")


def test_a_phones_kind_is_said_in_the_readers_language(client, unit):
    sal = praia_desk(unit)
    Phone.objects.filter(location=sal.location).update(type="cell")
    with translation.override("pt"):
        mobile = translation.gettext("Mobile")
    assert f"({mobile})" in _page(client, sal, "pt")
    assert "(Mobile)" not in _page(client, sal, "pt")


def test_a_topic_without_a_name_in_the_readers_language_is_marked(client, unit):
    sal = praia_desk(unit)
    term = TaxonomyTerm.objects.create(name="Saúde", description="", language="pt",
                                       names={"pt": "Saúde", "fr": "Santé"})  # fmt: skip
    ServiceTopic.objects.create(service=sal.service, taxonomy_term=term)
    assert '<span lang="fr" dir="ltr">Santé</span>' in _page(client, sal, "fr")
    assert '<span lang="pt" dir="ltr">Saúde</span>' in _page(client, sal, "en")
