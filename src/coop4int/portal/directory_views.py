"""Public directory pages: where to get help, when it is open, in which language."""

import hashlib
from collections.abc import Callable
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language

from coop4int.core.formatting import format_date
from coop4int.directory.domain import queries
from coop4int.directory.domain.index import directory_version
from coop4int.portal.forms import DirectoryFilterForm
from coop4int.portal.leaflet import printed_hours_page
from coop4int.portal.presentation import entry_card, service_page
from coop4int.portal.queue_views import waiting_now
from coop4int.portal.support_lines import support_lines

PAGE_SIZE = 20
# Pages say "open now": a cached copy may be at most this old.
CACHE_SECONDS = 60


def _cached(request: HttpRequest, name: str, build: Callable[[], str]) -> HttpResponse:
    if len(messages.get_messages(request)):
        # A message for this visitor (say, "your session ended") must reach them, and no one
        # else: such a page is neither served from the cache nor stored in it.
        return HttpResponse(build())
    now = timezone.now()
    # The page tells a reader whose language the interface lacks which one stands in for it:
    # their browser's language is part of what the page is.
    reader = getattr(request, "reader_language", "")
    address = f"{request.get_full_path()}|{reader}"
    query = hashlib.sha256(address.encode()).hexdigest()[:24]
    key = f"directory:{name}:{directory_version()}:{now.timestamp() // CACHE_SECONDS:.0f}:{query}"
    html = cache.get(key)
    if html is None:
        html = build()
        cache.set(key, html, CACHE_SECONDS)
    response = HttpResponse(html)
    response["Cache-Control"] = f"public, max-age={CACHE_SECONDS}"
    patch_vary_headers(response, ("Accept-Language",))
    return response


def directory_list(request: HttpRequest) -> HttpResponse:
    def build() -> str:
        language = get_language() or "pt"
        facets = queries.directory_facets()
        form = DirectoryFilterForm(request.GET or None, facets=facets, language=language)
        now = timezone.now()
        page = queries.directory_page(form.criteria(), now, request.GET.get("page"), PAGE_SIZE)
        entries = queries.entries_in_order(list(page))
        status = queries.opening_status(entries, now)
        query = request.GET.copy()
        query.pop("page", None)
        return render_to_string(
            "portal/directory_list.html",
            {
                "form": form,
                "page": page,
                "cards": [entry_card(entry, language, status[entry.pk], now) for entry in entries],
                "query": query.urlencode(),
                "filtered": bool(request.GET),
            },
            request=request,
        )

    return _cached(request, "list", build)


def directory_detail(request: HttpRequest, sal_id: UUID) -> HttpResponse:
    sal = queries.get_service_at_location(sal_id)

    def build() -> str:
        language = get_language() or "pt"
        now = timezone.now()
        context = service_page(sal, language, queries.service_hours(sal, now))
        # "Waiting now: about N minutes" while the service has a queue today.
        context["waiting_now"] = waiting_now(sal, now=now)
        return render_to_string("portal/directory_detail.html", context, request=request)

    return _cached(request, "detail", build)


def leaflet(request: HttpRequest, unit_slug: str) -> HttpResponse:
    """A unit's services on paper: the regular week and the known days that differ from it
    (never this week's dates), the leaflet's public address with a QR code, and the support
    line of the country to call."""
    sals = queries.services_of_unit(unit_slug)

    def build() -> str:
        language = get_language() or "pt"
        now = timezone.now()
        pages = []
        for sal in sals:
            page = service_page(sal, language, queries.service_hours(sal, now))
            page["printed"] = printed_hours_page(queries.printed_hours(sal, now))
            pages.append(page)
        country = sals[0].location.country
        return render_to_string(
            "portal/leaflet.html",
            {
                "pages": pages,
                "unit": sals[0].service.unit,
                # Paper leaves the building: it names the public address, whichever host served
                # the page to the person who printed it.
                "address": settings.PUBLIC_URL.rstrip("/") + request.path,
                "printed_on": format_date(now, "long"),
                "lines": support_lines(language, country),
            },
            request=request,
        )

    return _cached(request, "leaflet", build)
