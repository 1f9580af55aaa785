from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import get_language

from coop4int.core.fallback_notes import fallback_note
from coop4int.core.languages import (
    REGISTRY,
    UnknownLanguage,
    interface_codes,
    interface_fallback,
)
from coop4int.core.languages import get_language as registry_language


def language(request: HttpRequest) -> dict[str, Any]:
    """The page's language and direction, and the interface languages for the switcher."""
    code = get_language() or settings.LANGUAGE_CODE
    try:
        current = registry_language(code)
    except UnknownLanguage:
        current = REGISTRY[settings.LANGUAGE_CODE]
    interface = [REGISTRY[c] for c, _name in settings.LANGUAGES]
    reader = getattr(request, "reader_language", "")
    stands_in = (
        reader in REGISTRY
        and reader not in interface_codes()
        and interface_fallback(reader) == current.code
    )
    return {
        "page_language": current,
        "interface_languages": interface,
        # Every other language texts can be read in, for the picker.
        "content_languages": [
            lang for code, lang in REGISTRY.items() if code not in interface_codes()
        ],
        # A reader whose language the interface lacks is told, in their language, which one
        # stands in for it — never silently.
        "reader_language": REGISTRY[reader] if stands_in else None,
        "interface_note": fallback_note(reader, current.code, written_in=reader)
        if stands_in
        else "",
    }
