"""Browser journeys of the search box in the header."""

import re

import pytest
from playwright.sync_api import expect

from coop4int.directory.domain.index import refresh_entries
from coop4int.directory.models import ServiceTopic, ServiceTranslation, TaxonomyTerm
from coop4int.directory.tests.places import praia_desk
from tests.e2e.steps import in_language

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def health_desk(unit):
    """A health service written in Portuguese only, its topic named in four languages."""
    sal = praia_desk(unit, name="Consultas de medicina geral",
                     description="Consultas e vacinação, também sem documentos.")  # fmt: skip
    term = TaxonomyTerm.objects.create(
        name="Saúde", description="",
        names={"pt": "Saúde", "kea": "Saúdi", "en": "Health", "fr": "Santé"},
    )  # fmt: skip
    ServiceTopic.objects.create(service=sal.service, taxonomy_term=term)
    refresh_entries(service_ids=[sal.service_id])
    return sal


def _search_from_the_header(page, language, words):
    page.goto(f"/{language}/")
    page.locator("form.header-search").get_by_role(
        "searchbox", name=in_language(language, "Search")
    ).fill(words)
    page.locator("form.header-search").get_by_role(
        "button", name=in_language(language, "Search")
    ).click()
    expect(page).to_have_url(re.compile(rf"/{language}/search/\?q="))


def test_a_french_reader_finds_a_health_service_by_its_topic_and_opens_it(page, health_desk):
    _search_from_the_header(page, "fr", "santé")

    results = page.locator("ul.results > li.result")
    expect(results).to_have_count(1)
    expect(results.get_by_role("heading", level=2)).to_have_text("Consultas de medicina geral")
    expect(results).to_contain_text(in_language("fr", "Service"))
    results.get_by_role("link", name="Consultas de medicina geral").click()
    expect(page).to_have_url(re.compile(rf"/fr/directory/{health_desk.pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Consultas de medicina geral")


def test_searching_d_appui_marks_the_word_appui_only(page, unit):
    sal = praia_desk(unit, name="Linha de apoio", description="Apoio por telefone.")
    ServiceTranslation.objects.create(
        service=sal.service, language="fr", name="Ligne d'appui aux migrants",
        description="Dans les centres d'appui de Praia, du lundi au vendredi.",
    )  # fmt: skip
    refresh_entries(service_ids=[sal.service_id])

    _search_from_the_header(page, "fr", "d'appui")

    result = page.locator("ul.results > li.result")
    expect(result).to_have_count(1)
    expect(result.locator("mark")).to_have_text(["appui", "appui"])  # title, then snippet
    expect(result.get_by_role("heading", level=2)).to_have_text("Ligne d'appui aux migrants")
