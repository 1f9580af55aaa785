"""Pages for one person are kept by no cache: not a proxy's, not the browser's on a shared
computer, not the service worker's (it keeps no response marked so). One header says it,
``Cache-Control: private, no-store``, set by ``mark_personal``: for the back office and every
logged-in user by ``core.middleware.PersonalPagesMiddleware``, for a public page meant for one
person (a tracking link's, the "Ask for help" pages) by the portal's ``private`` decorator on
its view (``portal.case_views``)."""

from django.http import HttpResponseBase
from django.utils.cache import patch_cache_control


def mark_personal(response: HttpResponseBase) -> HttpResponseBase:
    """Mark ``response`` as for one person: ``private`` (no shared cache), ``no-store`` (no
    cache at all). Stricter directives already there stay; ``public`` and a lifetime go."""
    had_lifetime = "max-age" in response.get("Cache-Control", "")
    patch_cache_control(response, private=True, no_store=True)
    if had_lifetime:
        patch_cache_control(response, max_age=0)
    return response
