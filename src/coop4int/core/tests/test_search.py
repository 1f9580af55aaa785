"""One search across information and services: accents and case do not matter, results are
ranked, snippets highlighted, and each item is shown once in the reader's language."""

import re
from html import unescape

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coop4int.core.search import highlight, index_document, query_words, remove_documents, search
from coop4int.core.text_search import fold

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


@pytest.mark.postgresql
def test_postgresql_ranks_from_the_rum_index_when_the_extension_is_available(documents):
    from django.db import connection

    from coop4int.core.search import ranked_in_index

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'rum'")
        available = cursor.fetchone() is not None
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'core_search_vector'")
        indexes = {row[0] for row in cursor.fetchall()}
    if not available:
        pytest.skip("the RUM extension is not installed (Debian: postgresql-NN-rum)")
    assert ranked_in_index()
    assert "core_search_rum" in indexes
    assert "core_search_gin" not in indexes


@pytest.mark.postgresql
def test_postgresql_without_rum_ranks_the_same_with_ts_rank(documents, monkeypatch):
    from django.db import connection

    from coop4int.core import search as search_module

    def results():
        return [(hit.key, hit.language) for hit in search("apoio imigracao", "pt")] + [
            (hit.key, hit.language) for hit in search("santiago", "en")
        ]

    in_index = results()
    monkeypatch.setitem(search_module._RUM, connection.settings_dict["NAME"], False)
    assert results() == in_index == [("linha", "pt"), ("praia", "pt")]


@given(
    st.lists(st.sampled_from(["Imigração", "apoio", "<b>", "São", "Vicente", "&", "1", "ação"]),
             max_size=80),
    st.lists(st.sampled_from(["imigracao", "apo", "sao", "acao", "x"]), min_size=1, max_size=3),
)  # fmt: skip
def test_a_snippet_is_a_piece_of_the_text_with_every_match_marked(tokens, words):
    text = " ".join(tokens)
    html = str(highlight(text, words))
    marked = re.findall(r"<mark>(.*?)</mark>", html)
    plain = unescape(re.sub(r"</?mark>", "", html)).removeprefix("… ").removesuffix(" …")
    assert plain in text
    assert all(fold(unescape(m)).startswith(tuple(words)) for m in marked)
    # every matching word inside the snippet is marked
    shown = [w for w in re.findall(r"\w+", plain) if fold(w).startswith(tuple(words))]
    assert len(marked) == len(shown)
