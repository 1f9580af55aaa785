"""Public information pages: cards, guides and more, in the reader's language."""

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language

from coop4int.content import markdown
from coop4int.content.domain import attachments, queries
from coop4int.content.enums import Channel
from coop4int.core.fallback_notes import fallback_note, has_own_note
from coop4int.core.files import DOWNLOAD_POLICY
from coop4int.core.languages import REGISTRY, Language, interface_codes, interface_fallback
from coop4int.directory.models import ServiceAtLocation
from coop4int.portal.presentation import topic_text


def reading_language(request: HttpRequest, asked: str = "") -> str:
    """The language a reader reads texts in: the one asked for (``?lang=`` or in the
    address); else the browser's own when the interface stands in for it (an Arabic reader on
    the French interface reads the cards in Arabic where they exist); else the interface's."""
    interface = get_language() or "pt"
    if asked in REGISTRY:
        return asked
    reader = getattr(request, "reader_language", "")
    stands_in = reader not in interface_codes() and interface_fallback(reader) == interface
    return str(reader) if reader in REGISTRY and stands_in else interface


def info_list(request: HttpRequest) -> HttpResponse:
    language = reading_language(request, request.GET.get("lang", ""))
    interface = get_language() or "pt"
    return render(
        request,
        "portal/info_list.html",
        {
            "readings": queries.published_items(language),
            "reading_language": "" if language == interface else language,
        },
    )


def info_detail(request: HttpRequest, slug: str, content_language: str = "") -> HttpResponse:
    """The item in the reader's language (``reading_language``), or — with
    ``content_language`` — in any language of the registry (the page around it stays in the
    interface's language)."""
    if content_language and content_language not in REGISTRY:
        raise Http404
    language = reading_language(request, content_language)
    reading = queries.reading_for(slug, language)
    shown = REGISTRY.get(reading.shown)
    interface = get_language() or "pt"
    notes: list[tuple[Language, str]] = []
    if reading.is_fallback:
        # In the language asked for, and — when the page around it speaks another — in that too.
        for code in dict.fromkeys([reading.asked, interface]):
            if has_own_note(code):
                note = fallback_note(reading.asked, reading.shown, written_in=code)
                notes.append((REGISTRY[code], note))
    return render(
        request,
        "portal/info_detail.html",
        {
            "reading": reading,
            "body": markdown.render(reading.revision.body),
            "shown": shown,
            "fallback_notes": notes,
            "others": [REGISTRY[code] for code in reading.available if code in REGISTRY],
            "files": attachments.public_files(reading.item, reading.shown),
            "topic": topic_text(reading.item.topic, interface) if reading.item.topic else None,
            "related": ServiceAtLocation.objects.filter(service__in=reading.item.services.all())
            .select_related("service", "location")
            .order_by("service__name"),
            "channels": [Channel(c).label for c in reading.item.channels if c in Channel.values],
        },
    )


def download(request: HttpRequest, slug: str, attachment_id: int) -> FileResponse:
    """A published file of a published item, from outside the web root. A draft (not yet
    published by a second editor) or a replaced file answers 404, as a missing one does."""
    attachment = attachments.public_file(slug, attachment_id)
    queries.reading_for(slug, attachment.language)  # 404 unless the item is published
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=(attachment.file.name or "file").rsplit("/", 1)[-1],
        content_type=attachment.content_type,
    )
    # In place of the pages' policy, which the CSP middleware leaves alone once set.
    response["Content-Security-Policy"] = DOWNLOAD_POLICY
    return response
