"""Left-to-right runs kept in order inside right-to-left text.

A phone number such as ``808 257 257`` is three numbers and two spaces to the Unicode
bidirectional algorithm: inside Arabic, Hebrew, Persian or Urdu the spaces take the paragraph's
direction and the groups come out in reverse (``257 257 808``). The same happens to postal
codes (``1150-025 Lisboa``), time ranges (``9:00–20:00``) and references (``4QF9-K7MX``).
An isolate keeps such a run in its own order, whatever surrounds it.

Everything that shows these runs goes through this module: templates with the ``ltr`` and
``ltr_runs`` filters (``core.templatetags.coop4int``), the safe Markdown of information cards
(``content.markdown``), and e-mails to a person (plain text, with Unicode isolates).
"""

import html
import re
from html.parser import HTMLParser

from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from coop4int.core.languages import UnknownLanguage, get_language

# U+2066 LEFT-TO-RIGHT ISOLATE and U+2069 POP DIRECTIONAL ISOLATE: plain text's <bdi dir="ltr">.
LRI = "\u2066"
PDI = "\u2069"

# What may stand between the groups of a number: spaces (also no-break ones), dot, hyphen,
# slash, colon and en dash — "808 257 257", "+351 21 810 61 00", "1150-025", "9:00–20:00".
_SEPARATOR = r"[ \u00a0\u202f.\-/:\u2013]"
_GROUP = r"\(?\d+\)?"
LTR_RUN = re.compile(
    r"(?<![\w+])(?:"
    # A number in several groups, or one that starts with "+".
    rf"\+?{_GROUP}(?:{_SEPARATOR}{{1,3}}{_GROUP})+|\+\d+"
    # A reference or code: groups of capitals and digits joined by hyphens ("K7MX-4QF9").
    r"|(?=[A-Z0-9-]*\d)(?=[A-Z0-9-]*[A-Z])[A-Z0-9]+(?:-[A-Z0-9]+)+"
    r")(?![\w+])"
)

# The element that isolates a run in HTML; the class keeps it on one line (site.css). A value
# longer than a phone's line (an address of a page) may still break, or the page would scroll
# sideways: no number, code or reference is that long.
_OPEN = '<bdi dir="ltr" class="ltr">'
_OPEN_LONG = '<bdi dir="ltr" class="ltr ltr-long">'
_CLOSE = "</bdi>"
LONGEST_UNBROKEN = 32


def _wrapped(escaped: str, length: int) -> str:
    return f"{_OPEN_LONG if length > LONGEST_UNBROKEN else _OPEN}{escaped}{_CLOSE}"


def is_rtl(language: str) -> bool:
    """Whether text in ``language`` (a registry code such as ``ar`` or ``ar-MA``) runs from
    right to left; unknown codes are taken as left to right."""
    try:
        return get_language(language).is_rtl
    except UnknownLanguage:
        return False


def isolate(value: object) -> SafeString:
    """``value`` (escaped unless already safe) as one left-to-right isolate: for a value that
    is wholly a number, reference or code — a phone number, a postal code."""
    text = str(value)
    return mark_safe(_wrapped(conditional_escape(text), len(text)))  # noqa: S308 - escaped


def isolate_runs_in_text(text: str) -> str:
    """Escaped HTML of the plain ``text`` with each left-to-right run in an isolate."""
    out: list[str] = []
    position = 0
    for match in LTR_RUN.finditer(text):
        out.append(html.escape(text[position : match.start()], quote=False))
        out.append(_wrapped(html.escape(match.group(), quote=False), len(match.group())))
        position = match.end()
    out.append(html.escape(text[position:], quote=False))
    return "".join(out)


class _RunIsolator(HTMLParser):
    """Copies HTML, putting the left-to-right runs of its text (never of its attributes) in
    isolates. Tags are copied as written; text is unescaped, then escaped again."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.inside_isolate = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.out.append(self.get_starttag_text() or "")
        if tag == "bdi":
            self.inside_isolate += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.out.append(self.get_starttag_text() or "")

    def handle_endtag(self, tag: str) -> None:
        self.out.append(f"</{tag}>")
        if tag == "bdi" and self.inside_isolate:
            self.inside_isolate -= 1

    def handle_data(self, data: str) -> None:
        if self.inside_isolate:
            self.out.append(html.escape(data, quote=False))
        else:
            self.out.append(isolate_runs_in_text(data))

    def handle_comment(self, data: str) -> None:
        self.out.append(f"<!--{data}-->")


def isolate_runs(markup: SafeString | str) -> SafeString:
    """``markup`` — HTML that is already safe, such as Markdown cleaned by nh3 — with each
    left-to-right run of its text in an isolate. Only text is touched: tags and attributes
    are copied as they are, and the isolate's own markup is fixed here, so the result is as
    safe as what came in."""
    parser = _RunIsolator()
    parser.feed(str(markup))
    parser.close()
    return mark_safe("".join(parser.out))  # noqa: S308 - tags copied, text escaped


def isolate_runs_for_language(text: str, language: str) -> str:
    """Plain ``text`` (an e-mail) with each left-to-right run between LRI and PDI when
    ``language`` is written right to left; unchanged otherwise."""
    if not is_rtl(language):
        return text
    return LTR_RUN.sub(lambda match: f"{LRI}{match.group()}{PDI}", text)
