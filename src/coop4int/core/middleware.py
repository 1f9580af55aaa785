from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.translation.trans_real import parse_accept_lang_header

from coop4int.core import request_context
from coop4int.core.client_address import client_address
from coop4int.core.languages import (
    UnknownLanguage,
    get_language,
    interface_codes,
    interface_fallback,
)
from coop4int.core.personal_pages import mark_personal

STAFF_PREFIX = "/staff/"


class RequestContextMiddleware:
    """Gives every request a new id (sent back as X-Request-ID; one the client sends is never
    taken) and records the client's address for the audit log; adds the Permissions-Policy
    header that Django's SecurityMiddleware does not set."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        context = request_context.RequestContext(
            request_id=request_context.new_request_id(),
            ip_address=client_address(request),
            user_agent=request.headers.get("User-Agent", "")[:300],
        )
        request.request_id = context.request_id  # type: ignore[attr-defined]
        token = request_context.activate(context)
        try:
            response = self.get_response(request)
        finally:
            request_context.reset(token)
        response["X-Request-ID"] = context.request_id
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class PersonalPagesMiddleware:
    """``Cache-Control: private, no-store`` on every page for one person, decided here once:
    every back-office address (``/staff/…``, its log-in pages, case files and CSV exports
    included) and every response to a logged-in user; the public pages for one person (a
    tracking link's) carry the mark themselves (``portal.case_views.private``).

    Inside ``PublicGZipMiddleware`` in ``settings.MIDDLEWARE``, which then leaves such a page
    uncompressed."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if request.path_info.startswith(STAFF_PREFIX) or (
            user is not None and user.is_authenticated
        ):
            mark_personal(response)
        return response


class ReaderLanguageMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware, except for a reader whose browser asks for languages the
    interface lacks: they get the interface language the registry names for theirs (Arabic →
    French, then English…, ``core.languages.interface_fallback``) rather than silently the
    default, and ``request.reader_language`` keeps what they asked for, so that pages can
    offer texts in it and say the interface is a fallback."""

    def process_request(self, request: HttpRequest) -> None:
        asked = reader_languages(request.headers.get("Accept-Language", ""))
        request.reader_language = asked[0] if asked else ""  # type: ignore[attr-defined]
        super().process_request(request)
        if translation.get_language_from_path(request.path_info) or not asked:
            return
        if request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) in interface_codes():
            return  # the reader chose an interface language on this site before
        interface = interface_codes()
        said = next((code for code in asked if code in interface), "")
        language = said or interface_fallback(asked[0])
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


def reader_languages(header: str) -> list[str]:
    """The registry languages an Accept-Language header asks for, best first, each once."""
    found: list[str] = []
    for code, _quality in parse_accept_lang_header(header)[:12]:
        if code == "*":
            continue
        try:
            language = get_language(code).code
        except UnknownLanguage:
            continue
        if language not in found:
            found.append(language)
    return found
