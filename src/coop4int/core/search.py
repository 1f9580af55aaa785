"""One search across information items and directory services, in every language: case- and
accent-insensitive, ranked, with highlighted snippets. SQLite FTS5 and PostgreSQL full-text
search behind one interface; domain functions keep the documents (``index_document``)."""

import re
from collections.abc import Iterable
from dataclasses import dataclass

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


def _matching_ids(words: list[str]) -> list[int]:
    """Ids of matching documents, best first."""
    if connection.vendor == "sqlite":
        expression = " AND ".join(f'"{word}"*' for word in words)
        sql = (
            "SELECT rowid FROM core_search_fts WHERE core_search_fts MATCH %s "
            "ORDER BY bm25(core_search_fts) LIMIT %s"
        )
        params: list[str | int] = [expression, _CANDIDATES]
    else:
        expression = " & ".join(f"{word}:*" for word in words)
        sql = (
            "SELECT id FROM core_search_vector, to_tsquery('simple', %s) query "
            "WHERE vector @@ query "
            "ORDER BY ts_rank(vector, query) DESC, id LIMIT %s"
        )
        params = [expression, _CANDIDATES]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


@dataclass(frozen=True, slots=True)
class Hit:
    kind: str
    key: str
    language: str
    title: SafeString
    snippet: SafeString
    url: str


def highlight(text: str, words: list[str], width: int = 24) -> SafeString:
    """``text`` around the first match, escaped, with every matching word in <mark>."""
    tokens = list(_WORD.finditer(text))
    hits = [
        i for i, token in enumerate(tokens) if any(fold(token.group()).startswith(w) for w in words)
    ]
    if tokens and len(tokens) > width:
        first = max(0, (hits[0] if hits else 0) - width // 3)
        start = tokens[first].start()
        end = tokens[min(len(tokens) - 1, first + width)].end()
    else:
        start, end = 0, len(text)
    pieces: list[str] = []
    cursor = start
    for i in hits:
        token = tokens[i]
        if token.start() < start or token.end() > end:
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
    ids = _matching_ids(words)
    documents = SearchDocument.objects.in_bulk(ids)
    preference = {code: rank for rank, code in enumerate(fallback_chain(language))}
    # An item ranks where its best document ranks; it is shown in the reader's language, or
    # the nearest in their fallback chain, or the best-ranked language it has.
    first_seen: dict[tuple[str, str], int] = {}
    chosen: dict[tuple[str, str], tuple[tuple[int, int], SearchDocument]] = {}
    for order, pk in enumerate(ids):
        document = documents.get(pk)
        if document is None:
            continue
        item = (document.kind, document.key)
        first_seen.setdefault(item, order)
        score = (preference.get(document.language, len(preference)), order)
        if item not in chosen or score < chosen[item][0]:
            chosen[item] = (score, document)
    best = sorted(chosen, key=first_seen.__getitem__)[:limit]
    return [
        Hit(
            kind=document.kind,
            key=document.key,
            language=document.language,
            title=highlight(document.title, words, width=60),
            snippet=highlight(document.body, words),
            url=document.url,
        )
        for document in (chosen[item][1] for item in best)
    ]
