"""One search across information and services: accents and case do not matter, results are
ranked, snippets highlighted, and each item is shown once in the reader's language."""

import pytest

from coop4int.core.search import highlight, index_document, query_words, remove_documents, search

pytestmark = pytest.mark.django_db


DOCUMENTS = [
    ("content", "linha", "pt", "Linha de Apoio à Imigração",
     "Apoio em português sobre autorização de residência.", "info/linha/pt/"),
    ("content", "linha", "en", "Immigration Support Line", "Help about residence permits.",
     "info/linha/en/"),
    ("service", "praia", "pt", "Atendimento em Praia",
     "Unidade Local de Apoio ao Imigrante, Santiago", "directory/praia/"),
]  # fmt: skip


@pytest.fixture
def documents():
    for kind, key, language, title, body, url in DOCUMENTS:
        index_document(kind=kind, key=key, language=language, title=title, body=body, url=url)


def test_without_accents_and_in_any_case_finds_the_accented_text(documents):
    hits = search("IMIGRACAO", "pt")
    assert [(hit.kind, hit.key) for hit in hits] == [("content", "linha")]
    assert "<mark>Imigração</mark>" in hits[0].title


def test_each_item_once_in_the_readers_language(documents):
    assert [hit.language for hit in search("residence residencia", "en")] == []  # both words needed
    assert {(hit.key, hit.language) for hit in search("apoio", "pt")} == {
        ("linha", "pt"),
        ("praia", "pt"),
    }
    english = search("immigration", "en")
    assert [(hit.key, hit.language) for hit in english] == [("linha", "en")]
    # A French reader gets the English text first (French → English → Portuguese).
    assert [hit.language for hit in search("linha immigration", "fr")] == []
    assert search("residen", "fr")[0].language == "en"


def test_words_are_prefixes(documents):
    assert [hit.key for hit in search("santi", "pt")] == ["praia"]


def test_removed_documents_are_not_found(documents):
    remove_documents(kind="service", keys=["praia"])
    assert search("santiago", "pt") == []


def test_odd_input_is_harmless(documents):
    for query in ['"', "*", "); DROP TABLE x; --", "NEAR(", ""]:
        assert search(query, "pt") == []
    assert query_words("  ") == []


def test_snippets_are_escaped_and_highlighted():
    html = highlight("<b>Autorização</b> de residência", ["autorizacao"])
    assert "&lt;b&gt;<mark>Autorização</mark>&lt;/b&gt;" in html
