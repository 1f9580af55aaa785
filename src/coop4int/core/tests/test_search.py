"""One search across information and services: accents and case do not matter, results are
ranked, snippets highlighted, and each item is shown once in the reader's language."""

import re
from html import unescape

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coop4int.core.search import (
    Document,
    highlight,
    index_document,
    query_terms,
    query_words,
    remove_documents,
    replace_documents,
)
from coop4int.core.search import search as search_results
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


def search(query, language):
    return search_results(query, language).hits


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


# --- Which words are searched for, and what is marked --------------------------------------


def test_a_letter_alone_or_an_elided_article_is_not_searched_for():
    assert query_words("d'appui") == ["appui"]
    assert query_words("L’aide jusqu'au bout, qu'il a B") == ["aide", "au", "bout", "il"]
    assert query_words("aujourd'hui") == ["aujourd", "hui"]  # a word of its own, not elided
    assert query_words("children's") == ["children"]
    assert [(t.typed, t.folded) for t in query_terms("Séjour séjour")] == [("Séjour", "sejour")]
    assert query_words("a d l") == []


def test_searching_d_appui_marks_appui_and_not_every_d():
    index_document(kind="content", key="ligne", language="fr", title="Ligne d'appui aux migrants",
                   body="Dans les centres d'appui de Lisbonne, du lundi au samedi.",
                   url="info/ligne/fr/")  # fmt: skip
    hits = search("d'appui", "fr")
    assert str(hits[0].title) == "Ligne d&#x27;<mark>appui</mark> aux migrants"
    assert re.findall(r"<mark>(.*?)</mark>", str(hits[0].snippet)) == ["appui"]


SAMPLE_WORDS = ["d'appui", "D’Appui", "appui", "l'aide", "aide", "d", "de", "Dans", "qu'il", "il",
                "Saúde", "saude", "São", "é", "a", "1", "12", "x_y", "séjour", "titre", "<b>", "&",
                "jusqu'au", "aujourd'hui", "ação", "Ação,", "-", "'", "’"]  # fmt: skip


def _marked_spans(html: str) -> tuple[str, list[tuple[int, int]]]:
    """The snippet's plain text and the spans of it that are marked."""
    plain, spans = "", []
    for piece in re.split(r"(<mark>.*?</mark>)", html):
        if piece.startswith("<mark>"):
            word = unescape(piece[len("<mark>") : -len("</mark>")])
            spans.append((len(plain), len(plain) + len(word)))
            plain += word
        else:
            plain += unescape(piece)
    return plain, spans


@given(
    st.lists(st.sampled_from(SAMPLE_WORDS) | st.text(alphabet="dDaéã'’ _-x1<", max_size=6),
             max_size=60),
    st.lists(st.sampled_from(SAMPLE_WORDS) | st.text(alphabet="dDaéã'’ _x1", max_size=6),
             min_size=1, max_size=4),
)  # fmt: skip
def test_every_highlighted_span_is_a_whole_word_matching_a_whole_query_word(text_words, query):
    text = " ".join(text_words)
    words = query_words(" ".join(query))
    plain, spans = _marked_spans(str(highlight(text, words)))
    for start, end in spans:
        marked = plain[start:end]
        # a whole word of the text: nothing of a word just before or after it
        assert re.fullmatch(r"[^\W_]+", marked)
        assert not re.match(r"[^\W_]", plain[end : end + 1])
        assert not re.search(r"[^\W_]$", plain[:start])
        # beginning with one of the searched words, none of them a letter alone
        assert any(fold(marked).startswith(word) and len(word) >= 2 for word in words)


def test_a_word_no_text_holds_is_left_out_when_nothing_holds_them_all(documents):
    results = search_results("apoio xyzzy Qwerty", "pt")
    assert results.left_out == ["xyzzy", "Qwerty"]
    assert {hit.key for hit in results.hits} == {"linha", "praia"}
    # Words each found somewhere, but never together, are not left out: nothing is found.
    assert search_results("residence residencia", "pt").left_out == []
    assert search_results("xyzzy", "pt").left_out == []


# --- Keeping many documents at once --------------------------------------------------------


def _doc(key, language="pt", title="Atendimento", body="Praia"):
    return Document(key=key, language=language, title=title, body=body, url=f"directory/{key}/",
                    keywords="Saúde Santé")  # fmt: skip


def test_replace_documents_writes_only_what_changed():
    assert replace_documents(kind="service", documents=[_doc("a"), _doc("a", "fr"), _doc("b")]) == 3
    assert replace_documents(kind="service", documents=[_doc("a"), _doc("a", "fr"), _doc("b")]) == 0
    changed = [_doc("a", title="Balcão"), _doc("b")]  # "a" in French is gone
    assert replace_documents(kind="service", documents=changed, keys=["a", "b"]) == 2
    assert [hit.key for hit in search("balcao sante", "pt")] == ["a"]
    assert [hit.language for hit in search("balcao", "fr")] == ["pt"]


def test_replace_documents_of_some_keys_keeps_the_others_and_other_kinds(documents):
    replace_documents(kind="service", documents=[_doc("a"), _doc("b")], keys=["a", "b"])
    assert {hit.key for hit in search("atendimento", "pt")} == {"a", "b", "praia"}
    assert replace_documents(kind="service", documents=[], keys=["a"]) == 1
    assert {hit.key for hit in search("atendimento", "pt")} == {"b", "praia"}
    # Every key of the kind: what is not given goes, other kinds stay.
    replace_documents(kind="service", documents=[_doc("c")])
    assert {hit.key for hit in search("atendimento", "pt")} == {"c"}
    assert [hit.key for hit in search("imigracao", "pt")] == ["linha"]
