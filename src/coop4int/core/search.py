"""One search across information items and directory services, in every language: case- and
accent-insensitive, ranked, with highlighted snippets. SQLite FTS5 and PostgreSQL full-text
search behind one interface; domain functions keep the documents (``index_document``)."""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from django.db import connection
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from coop4int.core.languages import fallback_chain
from coop4int.core.models import SearchDocument
from coop4int.core.text_search import fold

_WORD = re.compile(r"\w+", re.UNICODE)
# Enough candidates to keep one per item after preferring the reader's language.
_CANDIDATES = 60


def index_document(*, kind: str, key: str, language: str, title: str, body: str, url: str) -> None:
    """Add or replace the document of ``kind``/``key`` in ``language``."""
    SearchDocument.objects.update_or_create(
        kind=kind,
        key=key,
        language=language,
        defaults={
            "title": title[:300],
            "body": body,
            "url": url,
            "folded": fold(f"{title} {body}"),
        },
    )


def remove_documents(*, kind: str, keys: Iterable[str], keep_languages: Iterable[str] = ()) -> None:
    """Drop the documents of these keys (except, if given, those in ``keep_languages``)."""
    SearchDocument.objects.filter(kind=kind, key__in=list(keys)).exclude(
        language__in=list(keep_languages)
    ).delete()


def query_words(query: str) -> list[str]:
    return _WORD.findall(fold(query))[:8]


def ranked_in_index() -> bool:
    """Whether PostgreSQL ranks from a RUM index (migration core 0006) rather than ts_rank."""
    name = connection.settings_dict["NAME"]
    if name not in _RUM:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = 'core_search_rum'")
            _RUM[name] = cursor.fetchone() is not None
    return _RUM[name]


_RUM: dict[str, bool] = {}


def _matching(words: list[str]) -> list[tuple[int, str, str, str]]:
    """(id, kind, key, language) of the matching documents, best first."""
    if connection.vendor == "sqlite":
        expression = " AND ".join(f'"{word}"*' for word in words)
        ranked = (
            "SELECT rowid AS id, bm25(core_search_fts) AS rank FROM core_search_fts "
            "WHERE core_search_fts MATCH %s ORDER BY rank LIMIT %s"
        )
        params: list[str | int] = [expression, _CANDIDATES]
        order = "ranked.rank"
    elif ranked_in_index():
        expression = " & ".join(f"{word}:*" for word in words)
        ranked = (
            "SELECT id, vector <=> to_tsquery('simple', %s) AS rank FROM core_search_vector "
            "WHERE vector @@ to_tsquery('simple', %s) ORDER BY rank LIMIT %s"
        )
        params = [expression, expression, _CANDIDATES]
        order = "ranked.rank"
    else:
        expression = " & ".join(f"{word}:*" for word in words)
        ranked = (
            "SELECT id, ts_rank(vector, query) AS rank "
            "FROM core_search_vector, to_tsquery('simple', %s) query "
            "WHERE vector @@ query ORDER BY rank DESC, id LIMIT %s"
        )
        params = [expression, _CANDIDATES]
        order = "ranked.rank DESC, ranked.id"
    sql = (
        f"SELECT d.id, d.kind, d.key, d.language FROM ({ranked}) ranked "  # noqa: S608 - fixed
        f"JOIN core_searchdocument d ON d.id = ranked.id ORDER BY {order}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(row[0], row[1], row[2], row[3]) for row in cursor.fetchall()]


@dataclass(frozen=True, slots=True)
class Hit:
    kind: str
    key: str
    language: str
    title: SafeString
    snippet: SafeString
    url: str


@lru_cache(maxsize=20_000)
def _folded_word(word: str) -> str:
    return fold(word)


def highlight(text: str, words: list[str], width: int = 24) -> SafeString:
    """``text`` around the first match, escaped, with every matching word in <mark>."""
    tokens = list(_WORD.finditer(text))

    def matches(token: re.Match[str]) -> bool:
        return _folded_word(token.group()).startswith(tuple(words))

    first = next((i for i, token in enumerate(tokens) if matches(token)), 0)
    if len(tokens) > width:
        first = max(0, first - width // 3)
        window = tokens[first : first + width + 1]
        start, end = window[0].start(), window[-1].end()
    else:
        window = tokens
        start, end = 0, len(text)
    pieces: list[str] = []
    cursor = start
    for token in window:
        if not matches(token):
            continue
        pieces.append(escape(text[cursor : token.start()]))
        pieces.append(f"<mark>{escape(token.group())}</mark>")
        cursor = token.end()
    pieces.append(escape(text[cursor:end]))
    prefix = "… " if start > 0 else ""
    suffix = " …" if end < len(text) else ""
    return mark_safe(prefix + "".join(pieces) + suffix)  # noqa: S308 - every piece escaped


def search(query: str, language: str, limit: int = 20) -> list[Hit]:
    """The best matches for ``query``, one per item, each in the reader's language when it
    exists (else its fallback, else any)."""
    words = query_words(query)
    if not words:
        return []
    preference = {code: rank for rank, code in enumerate(fallback_chain(language))}
    # An item ranks where its best document ranks; it is shown in the reader's language, or
    # the nearest in their fallback chain, or the best-ranked language it has.
    first_seen: dict[tuple[str, str], int] = {}
    chosen: dict[tuple[str, str], tuple[tuple[int, int], int]] = {}
    for order, (pk, kind, key, document_language) in enumerate(_matching(words)):
        item = (kind, key)
        first_seen.setdefault(item, order)
        score = (preference.get(document_language, len(preference)), order)
        if item not in chosen or score < chosen[item][0]:
            chosen[item] = (score, pk)
    best = sorted(chosen, key=first_seen.__getitem__)[:limit]
    documents = SearchDocument.objects.defer("folded").in_bulk([chosen[item][1] for item in best])
    return [
        Hit(
            kind=document.kind,
            key=document.key,
            language=document.language,
            title=highlight(document.title, words, width=60),
            snippet=highlight(document.body, words),
            url=document.url,
        )
        for document in (documents[chosen[item][1]] for item in best)
    ]
