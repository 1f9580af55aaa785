from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import get_language

from coop4int.core.languages import REGISTRY, UnknownLanguage
from coop4int.core.languages import get_language as registry_language


def language(request: HttpRequest) -> dict[str, Any]:
    """The page's language and direction, and the interface languages for the switcher."""
    code = get_language() or settings.LANGUAGE_CODE
    try:
        current = registry_language(code)
    except UnknownLanguage:
        current = REGISTRY[settings.LANGUAGE_CODE]
    return {
        "page_language": current,
        "interface_languages": [REGISTRY[c] for c, _name in settings.LANGUAGES],
    }
