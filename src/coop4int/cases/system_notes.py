"""Notes the platform itself writes on a case's timeline ("Referred to …", "This message names
case …"). Colleagues of several languages read the same timeline, so such a note is stored as a
code with its values and written out when it is shown, in the reader's language; its ``body``
keeps it in the default language for whatever reads the text alone (search, exports)."""

from collections.abc import Mapping
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

REFERRED = "referred"
FILED_AS_NEW_CASE = "filed_as_new_case"

SENTENCES: dict[str, Promise] = {
    REFERRED: _("Referred to %(service)s."),
    FILED_AS_NEW_CASE: _(
        "This message names case %(reference)s, but it did not come from one of that case's "
        "contacts, so it was filed as a new case."
    ),
}


@dataclass(frozen=True, slots=True)
class SystemNote:
    code: str
    values: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.code not in SENTENCES:
            raise ValueError(f"unknown system note {self.code!r}")

    def text(self, language: str | None = None) -> str:
        """The note in ``language`` (by default the active one)."""
        if language is None:
            return str(SENTENCES[self.code]) % dict(self.values)
        with translation.override(language):
            return str(SENTENCES[self.code]) % dict(self.values)

    def stored_text(self) -> str:
        """The note as ``Interaction.body`` keeps it: in the default language."""
        return self.text(settings.LANGUAGE_CODE)


def note_text(code: str, values: Mapping[str, str], fallback: str) -> str:
    """A stored note in the active language; ``fallback`` (its stored text) for a code this
    version does not know."""
    if code not in SENTENCES:
        return fallback
    try:
        return SystemNote(code, values).text()
    except (KeyError, TypeError, ValueError):
        return fallback
