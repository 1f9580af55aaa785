"""Which interface text on a page belongs to another language: the visible text of a page
(scripts, styles and elements marked with another ``lang`` left out) checked against the
gettext catalogues.

A string is *foreign* to language L when another language's catalogue has it and L's does not:
English is the source language, so its catalogue is the msgids (and the strings of the code not
yet extracted); every other language's is its translated, non-fuzzy msgstrs (a msgstr equal to
its msgid counts for both). A text node is foreign when it equals a foreign string, when it
matches a foreign string with placeholders (``%(time)s`` standing for any text), or when it
holds a foreign sentence of four or more words.

English text that L's catalogue only lacks for now (a new string makemessages has not yet
added, or one left untranslated or fuzzy) is *awaiting translation*: ``check_translations``
fails on those until the catalogues are updated, and the crawl lists them apart.
"""

import io
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache, cached_property
from html.parser import HTMLParser
from pathlib import Path

import polib
from babel.messages.extract import DEFAULT_KEYWORDS, extract
from django.utils.translation.template import templatize

import coop4int

PACKAGE_DIR = Path(coop4int.__file__).parent
LOCALE_DIR = PACKAGE_DIR / "locale"
SOURCE_LANGUAGE = "en"
GETTEXT_KEYWORDS = {
    **DEFAULT_KEYWORDS,
    "gettext_lazy": None,
    "gettext_noop": None,
    "ngettext_lazy": (1, 2),
    "pgettext_lazy": ((1, "c"), 2),
    "npgettext_lazy": ((1, "c"), 2, 3),
}

VOID_ELEMENTS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
     "source", "track", "wbr"}
)  # fmt: skip
NOT_SHOWN = frozenset({"script", "style", "template"})
# Start tags that end an open element whose end tag HTML lets authors leave out.
P_CLOSERS = frozenset(
    {"address", "article", "aside", "blockquote", "details", "div", "dl", "fieldset",
     "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
     "hr", "main", "nav", "ol", "p", "pre", "section", "table", "ul"}
)  # fmt: skip
IMPLIED_ENDS = {
    "li": {"li"},
    "option": {"option"},
    "dt": {"dt", "dd"},
    "dd": {"dt", "dd"},
    "tr": {"tr", "td", "th"},
    "td": {"td", "th"},
    "th": {"td", "th"},
    **{tag: {"p"} for tag in P_CLOSERS},
}
# Attributes a reader sees or hears (a screen reader reads them).
READ_ATTRIBUTES = ("alt", "title", "placeholder", "aria-label")
BUTTON_INPUTS = frozenset({"submit", "button", "reset"})

PLACEHOLDER = re.compile(r"%\([^)]+\)[-#0 +]*\d*(?:\.\d+)?[sdifr]|%[sdifr]|\{\w*\}")
SENTENCE_WORDS = 4  # a foreign string of this many words is found inside a longer text


def normalise(text: str) -> str:
    return " ".join(text.split())


def has_letters(text: str) -> bool:
    return any(character.isalpha() for character in text)


# --- Visible text ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Shown:
    text: str
    where: str  # "text", or the attribute it was read from


class VisibleText(HTMLParser):
    """The text of a page a reader sees in the page's language (``<html lang>``): text nodes
    and read attributes, outside scripts and styles and outside any element whose ``lang``
    differs from the page's. Ends elements whose end tag was left out (``</p>``, ``</li>``) as
    a browser does."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page_language = ""
        # (tag, language in force inside it, whether its text is not shown)
        self.stack: list[tuple[str, str, bool]] = []
        self.shown: list[Shown] = []

    @property
    def _language(self) -> str:
        return self.stack[-1][1] if self.stack else self.page_language

    @property
    def _hidden(self) -> bool:
        return bool(self.stack) and self.stack[-1][2]

    def _in_page_language(self, language: str) -> bool:
        page = self.page_language.lower()
        language = language.lower()
        return language == page or language.split("-")[0] == page.split("-")[0]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "html":
            self.page_language = values.get("lang", "")
            return
        while self.stack and self.stack[-1][0] in IMPLIED_ENDS.get(tag, ()):
            self.stack.pop()
        language = values.get("lang", self._language) if "lang" in values else self._language
        hidden = self._hidden or tag in NOT_SHOWN
        if not hidden and self._in_page_language(language):
            for name in READ_ATTRIBUTES:
                if values.get(name):
                    self.shown.append(Shown(normalise(values[name]), name))
            if tag == "input" and values.get("type") in BUTTON_INPUTS and values.get("value"):
                self.shown.append(Shown(normalise(values["value"]), "value"))
        if tag not in VOID_ELEMENTS:
            self.stack.append((tag, language, hidden))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID_ELEMENTS and self.stack and self.stack[-1][0] == tag:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        # An end tag closes the nearest open element of its name and whatever was left open
        # inside it; a stray end tag changes nothing.
        for depth in range(len(self.stack) - 1, -1, -1):
            if self.stack[depth][0] == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        text = normalise(data)
        if text and not self._hidden and self._in_page_language(self._language):
            self.shown.append(Shown(text, "text"))


def visible_text(html: str) -> tuple[str, list[Shown]]:
    """The page's language and what it shows in that language."""
    parser = VisibleText()
    parser.feed(html)
    parser.close()
    return parser.page_language, [shown for shown in parser.shown if has_letters(shown.text)]


# --- Catalogues -----------------------------------------------------------------------------


@cache
def source_msgids(package_dir: Path = PACKAGE_DIR) -> frozenset[str]:
    """The interface strings of the code and templates as they are now (what makemessages
    would extract), so that a string not yet in the catalogues is known as English too."""
    found: set[str] = set()
    for path in package_dir.rglob("*"):
        if {"tests", "migrations", "locale"} & set(path.parts):
            continue
        if path.suffix == ".py":
            source = path.read_bytes()
        elif path.suffix in {".html", ".txt"} and "templates" in path.parts:
            # Django turns a template into Python-like text for xgettext; Babel's tokenizer
            # wants it without indentation.
            converted = templatize(path.read_text(encoding="utf-8"), origin=str(path))
            source = "\n".join(line.lstrip() for line in converted.splitlines()).encode()
        else:
            continue
        for _line, message, _comments, _context in extract(
            "python", io.BytesIO(source), keywords=GETTEXT_KEYWORDS
        ):
            for text in (message,) if isinstance(message, str) else message:
                if text:
                    found.add(normalise(text))
    return frozenset(found)


@cache
def _pofile(path: Path) -> polib.POFile:
    return polib.pofile(str(path))


def _forms(entry: polib.POEntry) -> Iterator[str]:
    if entry.msgid_plural:
        yield from entry.msgstr_plural.values()
    else:
        yield entry.msgstr


def catalogue_strings(language: str, locale_dir: Path = LOCALE_DIR) -> frozenset[str]:
    """What language ``language`` says: the msgids for the source language, else the
    translated msgstrs of its catalogue (fuzzy and empty ones left out: gettext shows the
    msgid for them)."""
    if language == SOURCE_LANGUAGE:
        return _catalogue_msgids(locale_dir) | source_msgids()
    catalogue = _pofile(locale_dir / language / "LC_MESSAGES" / "django.po")
    return frozenset(
        normalise(text)
        for entry in catalogue
        if not entry.obsolete and "fuzzy" not in entry.flags
        for text in _forms(entry)
        if text
    )


def _msgids(catalogue: polib.POFile) -> frozenset[str]:
    return frozenset(
        normalise(text)
        for entry in catalogue
        if not entry.obsolete
        for text in (entry.msgid, entry.msgid_plural)
        if text
    )


def _catalogue_msgids(locale_dir: Path) -> frozenset[str]:
    return frozenset().union(
        *(_msgids(_pofile(po)) for po in locale_dir.glob("*/LC_MESSAGES/django.po"))
    )


def awaiting_translation(language: str, locale_dir: Path = LOCALE_DIR) -> frozenset[str]:
    """The interface strings ``language`` shows in English until its catalogue is updated:
    those the code has and the catalogue not yet (makemessages has not run), and those the
    catalogue leaves untranslated or fuzzy. ``check_translations`` fails on each of them."""
    if language == SOURCE_LANGUAGE:
        return frozenset()
    catalogue = _pofile(locale_dir / language / "LC_MESSAGES" / "django.po")
    untranslated = frozenset(
        normalise(text)
        for entry in catalogue
        if not entry.obsolete and ("fuzzy" in entry.flags or not entry.translated())
        for text in (entry.msgid, entry.msgid_plural)
        if text
    )
    return untranslated | (source_msgids() - _msgids(catalogue))


@dataclass(frozen=True)
class Foreign:
    text: str  # the catalogue string as written there
    languages: tuple[str, ...]  # the catalogues it comes from

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        """The string as a regular expression, each placeholder standing for any text."""
        parts = PLACEHOLDER.split(self.text)
        return re.compile("(?:.+?)".join(re.escape(part.replace("%%", "%")) for part in parts))


def _literal_words(text: str) -> tuple[str, ...]:
    """The words before the first placeholder (a word glued to a placeholder excluded)."""
    head = PLACEHOLDER.split(text, maxsplit=1)
    words = head[0].split()
    if len(head) > 1 and head[0] and not head[0][-1].isspace() and words:
        words = words[:-1]
    return tuple(words)


@dataclass
class StringIndex:
    """Catalogue strings indexed to check a text quickly."""

    exact: dict[str, Foreign] = field(default_factory=dict)
    # Strings with placeholders, by their first literal word ("" when they start with one).
    patterns: dict[str, list[Foreign]] = field(default_factory=lambda: defaultdict(list))
    # Strings of at least SENTENCE_WORDS literal words, by those first words.
    sentences: dict[tuple[str, ...], list[Foreign]] = field(
        default_factory=lambda: defaultdict(list)
    )

    def add(self, foreign: Foreign) -> None:
        words = _literal_words(foreign.text)
        if PLACEHOLDER.search(foreign.text):
            self.patterns[words[0] if words else ""].append(foreign)
        else:
            self.exact[foreign.text] = foreign
        if len(words) >= SENTENCE_WORDS:
            self.sentences[words[:SENTENCE_WORDS]].append(foreign)

    def find(self, text: str) -> Foreign | None:
        """The string ``text`` is, or holds; None when there is none."""
        if text in self.exact:
            return self.exact[text]
        words = text.split()
        for foreign in [*self.patterns.get(words[0] if words else "", []), *self.patterns[""]]:
            if foreign.pattern.fullmatch(text):
                return foreign
        starts = [match.start() for match in re.finditer(r"\S+", text)]
        for n in range(len(words) - SENTENCE_WORDS + 1):
            for foreign in self.sentences.get(tuple(words[n : n + SENTENCE_WORDS]), []):
                match = foreign.pattern.match(text, starts[n])
                if match and (match.end() == len(text) or not text[match.end()].isalnum()):
                    return foreign
        return None


# A string with placeholders is looked for only when what surrounds them says enough: "%(unit)s,
# de %(start)s a %(end)s" would match half the sentences of a page.
PATTERN_LETTERS = 6


def _indexed(strings: dict[str, list[str]]) -> StringIndex:
    index = StringIndex()
    for text, found_in in strings.items():
        literal = PLACEHOLDER.sub("", text)
        letters = sum(character.isalpha() for character in literal)
        if letters and (literal == text or letters >= PATTERN_LETTERS):
            index.add(Foreign(text, tuple(found_in)))
    return index


def foreign_strings(
    language: str, languages: Iterable[str], locale_dir: Path = LOCALE_DIR
) -> StringIndex:
    """The strings of the other ``languages``' catalogues that ``language``'s does not have."""
    own = catalogue_strings(language, locale_dir)
    sources: dict[str, list[str]] = defaultdict(list)
    for other in languages:
        if other == language:
            continue
        for text in catalogue_strings(other, locale_dir):
            if text not in own:
                sources[text].append(other)
    return _indexed(sources)


@cache
def foreign_strings_for(language: str, languages: tuple[str, ...]) -> StringIndex:
    return foreign_strings(language, languages)


@cache
def awaiting_strings_for(language: str) -> StringIndex:
    return _indexed({text: [SOURCE_LANGUAGE] for text in awaiting_translation(language)})


@dataclass(frozen=True, slots=True)
class Finding:
    page: str
    shown: Shown
    foreign: Foreign
    awaiting_translation: bool

    def __str__(self) -> str:
        kind = "awaiting translation" if self.awaiting_translation else "foreign"
        return (
            f"{self.page}: {self.shown.where} {self.shown.text!r} is {kind} "
            f"({'/'.join(self.foreign.languages)}: {self.foreign.text!r})"
        )


def foreign_text(page: str, html: str, language: str, languages: tuple[str, ...]) -> list[Finding]:
    """The text of ``html`` (a page in ``language``) that belongs to another language's
    catalogue. A page whose ``<html lang>`` is not ``language`` is one finding itself."""
    page_language, shown = visible_text(html)
    strings = foreign_strings_for(language, languages)
    waiting = awaiting_strings_for(language)
    if page_language.split("-")[0] != language:
        wrong = Foreign(page_language, (page_language,))
        return [Finding(page, Shown(page_language, "html lang"), wrong, False)]
    findings = []
    for item in shown:
        foreign = strings.find(item.text)
        if foreign is not None:
            # English only because the catalogue is behind: named, not counted as wrong.
            pending = waiting.find(item.text) if SOURCE_LANGUAGE in foreign.languages else None
            findings.append(Finding(page, item, pending or foreign, pending is not None))
    return findings
