"""The site search finds directory services: each write path that refreshes the directory's
entries keeps their search documents, ``load_demo`` indexes them, the header's box finds the
services the directory's own box finds, and a topic's name in any language finds its services."""

import re
from html import unescape
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from coop4int.accounts.enums import Role
from coop4int.core.models import SearchDocument
from coop4int.core.search import search
from coop4int.demo.directory import TOPICS
from coop4int.directory.domain.editing import (
    create_service,
    save_translation,
    update_location,
    update_service,
)
from coop4int.directory.domain.index import refresh_entries
from coop4int.directory.domain.queries import DirectoryFilter, directory_entries
from coop4int.directory.models import ServiceAtLocation, ServiceTopic, TaxonomyTerm
from coop4int.directory.tests.places import praia_desk

pytestmark = pytest.mark.django_db

HEALTH = {"pt": "Saúde", "kea": "Saúdi", "en": "Health", "fr": "Santé"}


def services_found(query: str, language: str = "pt") -> set[str]:
    return {hit.key for hit in search(query, language, limit=100).hits if hit.kind == "service"}


@pytest.fixture
def editor(make_staff, unit):
    return make_staff(Role.CONTENT_EDITOR, unit)


@pytest.fixture
def desk(unit):
    return praia_desk(unit, name="Consultas de vacinação", description="Vacinas para adultos.")


PLACE = {
    "name": "Posto do Tarrafal",
    "transportation": "",
    "time_zone": "Atlantic/Cape_Verde",
    "latitude": None,
    "longitude": None,
    "address_1": "Rua da Praia",
    "city": "Tarrafal",
    "state_province": "Santiago",
    "country": "CV",
}


def test_a_new_service_is_found_by_the_site_search(editor, unit):
    sal = create_service(
        actor=editor,
        unit=unit,
        organization=None,
        name="Apoio jurídico",
        description="Consultas sobre direitos.",
        place=PLACE,
        phones=[],
    )
    hits = search("juridico tarrafal", "pt").hits
    assert [(hit.kind, hit.key, hit.url) for hit in hits] == [
        ("service", str(sal.pk), f"directory/{sal.pk}/")
    ]
    assert str(hits[0].title) == "Apoio <mark>jurídico</mark>"


def test_changing_a_service_changes_what_finds_it(desk, editor):
    update_service(actor=editor, service=desk.service, changes={"name": "Centro de saúde"})
    assert services_found("vacinacao") == set()
    assert services_found("centro saude") == {str(desk.pk)}


def test_a_translation_is_searchable_until_it_is_removed(desk, editor):
    save_translation(
        actor=editor,
        service=desk.service,
        language="fr",
        name="Consultations de vaccination",
        description="Vaccins pour adultes.",
    )
    hits = search("vaccins", "fr").hits
    assert [(hit.key, hit.language) for hit in hits] == [(str(desk.pk), "fr")]
    save_translation(actor=editor, service=desk.service, language="fr", name="", description="")
    assert services_found("vaccins", "fr") == set()
    assert set(
        SearchDocument.objects.filter(key=str(desk.pk)).values_list("language", flat=True)
    ) == {"pt"}


def test_moving_a_place_changes_what_finds_its_services(desk, editor):
    update_location(actor=editor, service=desk.service, location=desk.location,
                    values=PLACE, phones=[])  # fmt: skip
    assert services_found("tarrafal") == {str(desk.pk)}
    assert services_found("posto vacinacao") == {str(desk.pk)}


def test_a_defunct_service_is_no_longer_found(desk, editor):
    update_service(actor=editor, service=desk.service, changes={"status": "defunct"})
    assert services_found("vacinacao") == set()
    assert not SearchDocument.objects.filter(kind="service").exists()


def test_a_full_refresh_drops_the_documents_of_entries_that_are_gone(desk):
    other = praia_desk(desk.service.unit, name="Balcão de vacinação")
    ServiceAtLocation.objects.filter(pk=other.pk).delete()
    refresh_entries()
    assert services_found("vacinacao") == {str(desk.pk)}


def test_refreshing_what_did_not_change_writes_no_search_document(desk):
    """The nightly refresh of every entry must not rewrite (and re-index) every document."""
    with CaptureQueriesContext(connection) as queries:
        refresh_entries()
    writes = [
        query["sql"]
        for query in queries.captured_queries
        if "core_searchdocument" in query["sql"]
        and query["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert writes == []
    assert services_found("vacinacao") == {str(desk.pk)}


@pytest.mark.parametrize("language", sorted(HEALTH))
def test_a_topic_found_by_its_name_in_every_language(desk, language):
    """The service is written in Portuguese only; its topic is named in four languages."""
    term = TaxonomyTerm.objects.create(name="Saúde", description="", names=HEALTH)
    ServiceTopic.objects.create(service=desk.service, taxonomy_term=term)
    assert services_found(HEALTH[language], "fr") == set()  # not before the entry is refreshed
    refresh_entries(service_ids=[desk.service_id])
    for reader in ("pt", "fr", "en", "kea"):
        hits = search(HEALTH[language], reader).hits
        assert [(hit.key, hit.language) for hit in hits] == [(str(desk.pk), "pt")]
        # The topic finds the service, but is not shown as a match in its Portuguese text.
        assert "<mark>" not in hits[0].snippet


def test_renaming_a_topic_reaches_the_search_with_the_next_refresh(desk):
    term = TaxonomyTerm.objects.create(name="Saúde", description="", names=HEALTH)
    ServiceTopic.objects.create(service=desk.service, taxonomy_term=term)
    refresh_entries(service_ids=[desk.service_id])
    term.names = {**HEALTH, "fr": "Soins"}
    term.save()
    refresh_entries()
    assert services_found("soins", "fr") == {str(desk.pk)}
    assert services_found("sante", "fr") == set()


# --- On the demo ----------------------------------------------------------------------------


def _load() -> None:
    call_command("load_demo", stdout=StringIO())


@pytest.fixture(scope="module")
def demo(rows_kept, tmp_path_factory):  # type: ignore[no-untyped-def]
    """The demo, loaded once for this module's tests and rolled back after them; each test
    starts from it in a savepoint of its own. Every test that does not use it comes before."""
    with rows_kept(_load, MEDIA_ROOT=tmp_path_factory.mktemp("media")):
        yield


def _linked_services(html: str) -> set[str]:
    results = html.split('<ul class="results">', 1)[1]
    return set(re.findall(r"/directory/([0-9a-f-]{36})/", results))


# Words of services' names and descriptions, places, organisations, in several languages.
BOTH_BOXES = [
    "autorizacao de residencia",
    "Autorização de residência",
    "vacinacao",
    "consultas",
    "mindelo",
    "Espargos",
    "CNAIM",
    "linha de apoio",
    "alta autoridade",
    "imigrante",
    "sem marcação",
    "face-to-face",
    "accueil",
]


@pytest.mark.parametrize("query", BOTH_BOXES)
def test_the_header_box_finds_the_services_the_directory_box_finds(client, demo, query):
    directory = client.get("/pt/directory/", {"q": query})
    site = client.get("/pt/search/", {"q": query})
    found = _linked_services(directory.content.decode())
    assert found
    assert _linked_services(site.content.decode()) == found
    assert {str(e.pk) for e in directory_entries(DirectoryFilter(q=query), timezone.now())} == found


@pytest.mark.parametrize("language", ["pt", "kea", "en", "fr"])
def test_every_demo_topic_name_finds_the_services_of_its_filter(demo, language):
    for topic in TOPICS:
        term = TaxonomyTerm.objects.get(code=topic.code)
        filtered = {
            str(entry.pk)
            for entry in directory_entries(DirectoryFilter(topic=term.pk), timezone.now())
        }
        assert filtered <= services_found(getattr(topic, language), language), topic.code


@pytest.mark.parametrize(
    ("query", "service"),
    [
        ("sante", "Consultas de medicina geral e vacinação"),
        ("santé", "Consultas de medicina geral e vacinação"),
        ("sejour", "Autorização de residência"),
        ("titre de sejour", "Autorização de residência"),
    ],
)
def test_french_topic_words_find_the_demo_services(client, demo, query, service):
    html = client.get("/fr/search/", {"q": query}).content.decode()
    sal = ServiceAtLocation.objects.get(service__name=service, service__is_demo=True)
    assert str(sal.pk) in _linked_services(html)


def test_a_word_no_text_holds_is_left_out_and_named(client, demo):
    html = client.get("/fr/search/", {"q": "titre de séjour"}).content.decode()
    with translation.override("fr"):
        note = translation.gettext(
            "No text holds “%(words)s”: these results are for your other words."
        ) % {"words": "titre"}
    assert note in unescape(html)
    assert search("titre de séjour", "fr").left_out == ["titre"]


def test_load_demo_indexes_the_services_of_a_demo_loaded_before_they_were_searchable(demo):
    indexed = set(SearchDocument.objects.filter(kind="service").values_list("key", "language"))
    assert {key for key, _language in indexed} == {
        str(pk) for pk in ServiceAtLocation.objects.values_list("pk", flat=True)
    }
    SearchDocument.objects.filter(kind="service").delete()
    call_command("load_demo", stdout=StringIO())
    after = set(SearchDocument.objects.filter(kind="service").values_list("key", "language"))
    assert after == indexed
