"""One search across information items and directory services, in every language: case- and
accent-insensitive, ranked, with highlighted snippets. SQLite FTS5 and PostgreSQL full-text
search behind one interface; domain functions keep the documents (``index_document`` for one,
``replace_documents`` for many at once)."""

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from django.db import connection, transaction
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from coop4int.core.languages import fallback_chain
from coop4int.core.models import SearchDocument
from coop4int.core.text_search import fold

# Letters and digits, as the indexes cut words (FTS5 unicode61, PostgreSQL's parser): an
# underscore or an apostrophe separates words.
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_APOSTROPHES = "'\u2019"
# Enough candidates to keep one per item after preferring the reader's language.
_CANDIDATES = 60
_MAX_TERMS = 8
_BATCH = 500


@dataclass(frozen=True, slots=True)
class Document:
    """What one item says in one language, for ``replace_documents``."""

    key: str
    language: str
    title: str
    body: str
    url: str
    # Words that find the document without being shown in it (a service's topics, named in
    # every language).
    keywords: str = ""


def _stored(title: str, body: str, url: str, keywords: str) -> dict[str, str]:
    return {
        "title": title[:300],
        "body": body,
        "url": url,
        "folded": fold(" ".join(part for part in (title, body, keywords) if part)),
    }


def index_document(
    *, kind: str, key: str, language: str, title: str, body: str, url: str, keywords: str = ""
) -> None:
    """Add or replace the document of ``kind``/``key`` in ``language``."""
    SearchDocument.objects.update_or_create(
        kind=kind, key=key, language=language, defaults=_stored(title, body, url, keywords)
    )


def remove_documents(*, kind: str, keys: Iterable[str], keep_languages: Iterable[str] = ()) -> None:
    """Drop the documents of these keys (except, if given, those in ``keep_languages``)."""
    SearchDocument.objects.filter(kind=kind, key__in=list(keys)).exclude(
        language__in=list(keep_languages)
    ).delete()


def _chunks(values: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(values), _BATCH):
        yield values[start : start + _BATCH]


@transaction.atomic
def replace_documents(
    *, kind: str, documents: Iterable[Document], keys: Iterable[str] | None = None
) -> int:
    """Make ``documents`` the documents of ``kind`` for ``keys`` (for every key of ``kind``
    when ``keys`` is None): new ones are added, changed ones rewritten, the other documents of
    those keys removed. A document that did not change is not written, so refreshing the whole
    directory every night costs reads only. Returns how many rows were written or removed."""
    wanted = {
        (document.key, document.language): _stored(
            document.title, document.body, document.url, document.keywords
        )
        for document in documents
    }
    columns = ("pk", "key", "language", "title", "body", "url", "folded")
    existing = SearchDocument.objects.filter(kind=kind)
    if keys is None:
        rows = list(existing.values_list(*columns))
    else:
        rows = [
            row
            for chunk in _chunks(sorted(set(keys) | {key for key, _language in wanted}))
            for row in existing.filter(key__in=chunk).values_list(*columns)
        ]
    changed: list[SearchDocument] = []
    stale: list[int] = []
    for pk, key, language, title, body, url, folded in rows:
        values = wanted.pop((key, language), None)
        if values is None:
            stale.append(pk)
        elif values != {"title": title, "body": body, "url": url, "folded": folded}:
            changed.append(SearchDocument(pk=pk, kind=kind, key=key, language=language, **values))
    SearchDocument.objects.bulk_update(
        changed, ["title", "body", "url", "folded"], batch_size=_BATCH
    )
    for start in range(0, len(stale), _BATCH):
        SearchDocument.objects.filter(pk__in=stale[start : start + _BATCH]).delete()
    SearchDocument.objects.bulk_create(
        [
            SearchDocument(kind=kind, key=key, language=language, **values)
            for (key, language), values in wanted.items()
        ],
        batch_size=_BATCH,
    )
    return len(changed) + len(stale) + len(wanted)


def indexed_keys(*, kind: str, keys: Iterable[str]) -> set[str]:
    """Which of these keys have at least one document."""
    found: set[str] = set()
    for chunk in _chunks(list(keys)):
        found.update(
            SearchDocument.objects.filter(kind=kind, key__in=chunk).values_list("key", flat=True)
        )
    return found


@dataclass(frozen=True, slots=True)
class Term:
    """A word of a query: as the reader typed it, and folded as it is matched — the beginning
    of a word of the text."""

    typed: str
    folded: str


def _elided(query: str, end: int, folded: str) -> bool:
    """Whether the word ending at ``end`` is an elided article or preposition — the d' of
    d'appui, l' of l'aide, qu' of qu'il, jusqu' of jusqu'au — rather than a word of its own."""
    apostrophe = query[end : end + 1]
    following = query[end + 1 : end + 2]
    return (
        apostrophe != ""
        and apostrophe in _APOSTROPHES
        and _WORD.match(following) is not None
        and (len(folded) <= 2 or folded.endswith("qu"))
    )


def query_terms(query: str) -> list[Term]:
    """The words searched for. A letter alone and an elided article are left out: they would
    match nearly every text, and marking them would mark every "d" of a snippet."""
    terms: list[Term] = []
    seen: set[str] = set()
    for match in _WORD.finditer(query):
        typed = match.group()
        for folded in _WORD.findall(fold(typed)):
            if len(folded) < 2 or folded in seen or _elided(query, match.end(), folded):
                continue
            seen.add(folded)
            terms.append(Term(typed, folded))
    return terms[:_MAX_TERMS]


def query_words(query: str) -> list[str]:
    """The folded words of ``query`` that are searched for (see ``query_terms``)."""
    return [term.folded for term in query_terms(query)]


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
    """(id, kind, key, language) of the documents holding every word, best first."""
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


def _in_some_document(word: str) -> bool:
    """Whether any document has a word beginning with ``word`` (no ranking: the first will do)."""
    if connection.vendor == "sqlite":
        sql = "SELECT 1 FROM core_search_fts WHERE core_search_fts MATCH %s LIMIT 1"
        param = f'"{word}"*'
    else:
        sql = "SELECT 1 FROM core_search_vector WHERE vector @@ to_tsquery('simple', %s) LIMIT 1"
        param = f"{word}:*"
    with connection.cursor() as cursor:
        cursor.execute(sql, [param])
        return cursor.fetchone() is not None


@dataclass(frozen=True, slots=True)
class Hit:
    kind: str
    key: str
    language: str
    title: SafeString
    snippet: SafeString
    url: str


@dataclass(frozen=True, slots=True)
class Results:
    hits: list[Hit] = field(default_factory=list)
    # Words of the query that no text holds, as typed: the hits are for the other words.
    left_out: list[str] = field(default_factory=list)


@lru_cache(maxsize=20_000)
def _folded_word(word: str) -> str:
    return fold(word)


def highlight(text: str, words: list[str], width: int = 24) -> SafeString:
    """``text`` around the first match, escaped, with every matching word in <mark>.

    A word matches as the index matches it: the whole word of the text, when it begins with
    one of ``words`` (folded, as ``query_words`` gives them). Words shorter than two letters
    mark nothing, as they find nothing."""
    tokens = list(_WORD.finditer(text))
    prefixes = tuple(word for word in words if len(word) >= 2)

    def matches(token: re.Match[str]) -> bool:
        return bool(prefixes) and _folded_word(token.group()).startswith(prefixes)

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


def search(query: str, language: str, limit: int = 20) -> Results:
    """The best matches for ``query``, one per item, each in the reader's language when it
    exists (else its fallback, else any).

    Every word must match. When nothing holds them all, the words that no text holds at all
    are left out and the search runs on the others — "titre de séjour" then finds what
    speaks of "séjour" — and ``left_out`` names them."""
    terms = query_terms(query)
    words = [term.folded for term in terms]
    if not words:
        return Results()
    matching = _matching(words)
    left_out: list[str] = []
    if not matching and len(words) > 1:
        known = [term for term in terms if _in_some_document(term.folded)]
        if known and len(known) < len(terms):
            left_out = [term.typed for term in terms if term not in known]
            words = [term.folded for term in known]
            matching = _matching(words)
    preference = {code: rank for rank, code in enumerate(fallback_chain(language))}
    # An item ranks where its best document ranks; it is shown in the reader's language, or
    # the nearest in their fallback chain, or the best-ranked language it has.
    first_seen: dict[tuple[str, str], int] = {}
    chosen: dict[tuple[str, str], tuple[tuple[int, int], int]] = {}
    for order, (pk, kind, key, document_language) in enumerate(matching):
        item = (kind, key)
        first_seen.setdefault(item, order)
        score = (preference.get(document_language, len(preference)), order)
        if item not in chosen or score < chosen[item][0]:
            chosen[item] = (score, pk)
    best = sorted(chosen, key=first_seen.__getitem__)[:limit]
    documents = SearchDocument.objects.defer("folded").in_bulk([chosen[item][1] for item in best])
    hits = [
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
    return Results(hits=hits, left_out=left_out)
