"""Public information pages: cards, guides and more, in the reader's language."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language

from coop4int.content import markdown
from coop4int.content.domain import queries
from coop4int.core.languages import REGISTRY


def info_list(request: HttpRequest) -> HttpResponse:
    language = get_language() or "pt"
    return render(request, "portal/info_list.html", {"readings": queries.published_items(language)})


def info_detail(request: HttpRequest, slug: str, content_language: str = "") -> HttpResponse:
    """The item in the interface's language, or — with ``content_language`` — in any language
    of the registry (the page around it stays in the interface's language)."""
    if content_language and content_language not in REGISTRY:
        raise Http404
    language = content_language or get_language() or "pt"
    reading = queries.reading_for(slug, language)
    shown = REGISTRY.get(reading.shown)
    return render(
        request,
        "portal/info_detail.html",
        {
            "reading": reading,
            "body": markdown.render(reading.revision.body),
            "shown": shown,
            "asked": REGISTRY.get(reading.asked),
            "others": [REGISTRY[code] for code in reading.available if code in REGISTRY],
        },
    )
