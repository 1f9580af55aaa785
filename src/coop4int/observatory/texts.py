"""An indicator's texts per language ({"pt": "...", "en": "..."}), read in the reader's
language or the nearest one of its fallback chain — and which one it was, so that a page can
mark a text shown in another language."""

from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.translation import get_language

from coop4int.core.languages import fallback_chain


@dataclass(frozen=True, slots=True)
class Text:
    text: str
    language: str
    """The language ``text`` is in: the reader's, or a fallback."""
    requested: str

    @property
    def is_fallback(self) -> bool:
        return bool(self.text) and self.language != self.requested

    def __str__(self) -> str:
        return self.text


def text_in(texts: Mapping[str, str], language: str | None = None) -> Text:
    """The text in ``language`` (default: the active one), else in the first language of its
    fallback chain that has one, else in any language held (the first by code); empty when
    there is none."""
    requested = language or get_language() or "pt"
    for code in fallback_chain(requested):
        if texts.get(code):
            return Text(texts[code], code, requested)
    for code in sorted(texts):
        if texts[code]:
            return Text(texts[code], code, requested)
    return Text("", requested, requested)
