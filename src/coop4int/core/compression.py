"""Compressed pages, so that the 50 KB a public page may weigh is what a phone downloads.

Django's ``GZipMiddleware`` — with its Heal-the-BREACH padding (random bytes in the gzip
header) — for every page anyone may see. A page for one person is sent uncompressed: the
tracking link's pages and the public forms (``Cache-Control: private``/``no-store``), and
every page of a logged-in user (the back office). Those hold secrets or personal data next to
text an attacker can put in (a query string, a typed number), which is what BREACH reads
through compression; they are also not the pages on a phone's budget. See
``docs/adr/0011-compression.md``."""

from django.http import HttpRequest, HttpResponseBase
from django.middleware.gzip import GZipMiddleware


def for_one_person(request: HttpRequest, response: HttpResponseBase) -> bool:
    """Whether ``response`` is meant for one person only, and so is not to be compressed."""
    cache_control = response.get("Cache-Control", "")
    if "private" in cache_control or "no-store" in cache_control:
        return True
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


class PublicGZipMiddleware(GZipMiddleware):
    """Compress with gzip what anyone may see; leave what is for one person as it is."""

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if for_one_person(request, response):
            return response
        return super().process_response(request, response)
