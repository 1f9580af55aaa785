"""Markdown written by editors and translators, rendered safely: raw HTML is not interpreted,
and what comes out is cleaned to a short list of tags, attributes and link schemes. Phone
numbers, postal codes and references in the text are then isolated (``core.bidi``), so that
they read in order inside right-to-left text."""

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

from coop4int.core import bidi

# CommonMark without raw HTML: "<script>" in the text is shown as text, never run.
_parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_parser.enable("table")

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "a", "ul", "ol", "li", "h2", "h3", "h4", "blockquote", "code",
    "pre", "hr", "table", "thead", "tbody", "tr", "th", "td", "img",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"},
                      "th": {"align"}, "td": {"align"}}  # fmt: skip
URL_SCHEMES = {"http", "https", "mailto", "tel"}
# What the output may hold: the cleaned tags and the isolates added after cleaning.
OUTPUT_TAGS = ALLOWED_TAGS | {"bdi"}


def render(text: str) -> SafeString:
    """HTML for ``text``; nothing in it can run a script."""
    html = _parser.render(text or "")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
    )
    # Images load only when scrolled to, so a slow phone fetches the text first.
    clean = clean.replace("<img ", '<img loading="lazy" decoding="async" ')
    # After cleaning, so that the isolates are ours alone: only text is wrapped, never a tag.
    return bidi.isolate_runs(mark_safe(clean))  # noqa: S308 - cleaned by nh3 just above
