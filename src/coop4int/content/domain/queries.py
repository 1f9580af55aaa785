"""Reads of information for the public and for the editors."""

from dataclasses import dataclass
from uuid import UUID

from django.db.models import QuerySet
from django.http import Http404

from coop4int.content.enums import ItemKind, TranslationStatus
from coop4int.content.models import ContentItem, Revision, Translation
from coop4int.core.languages import REGISTRY, fallback_chain


@dataclass(frozen=True, slots=True)
class Reading:
    """What a reader of ``asked`` sees of an item: the published text in ``shown``."""

    item: ContentItem
    revision: Revision
    asked: str
    shown: str
    available: list[str]  # languages with a published text

    @property
    def is_fallback(self) -> bool:
        return self.shown != self.asked

    @property
    def is_outdated(self) -> bool:
        """The original changed since this translation: readers are told, never misled."""
        return self.revision.translation.status == TranslationStatus.OUTDATED


def published_revisions(items: QuerySet[ContentItem]) -> dict[int, dict[str, Revision]]:
    """The latest published revision of each item's languages, in one query."""
    latest: dict[int, dict[str, Revision]] = {}
    revisions = (
        Revision.objects.filter(translation__item__in=items, status=TranslationStatus.PUBLISHED)
        .select_related("translation")
        .order_by("translation_id", "-saved_at", "-id")
    )
    for revision in revisions:
        by_language = latest.setdefault(revision.translation.item_id, {})
        by_language.setdefault(revision.translation.language, revision)
    return latest


def _reading(item: ContentItem, published: dict[str, Revision], language: str) -> Reading | None:
    for candidate in (*fallback_chain(language), item.source_language):
        if candidate in published:
            return Reading(item, published[candidate], language, candidate, sorted(published))
    return None


def reading_of(item: ContentItem, language: str) -> Reading | None:
    """``item`` for a reader of ``language`` (its fallback chain, then its source), or None
    when none of its texts is published. For items shown by other pages: a course's
    description is read by the training catalogue."""
    published = published_revisions(ContentItem.objects.filter(pk=item.pk))
    return _reading(item, published.get(item.pk, {}), language)


def published_items(language: str) -> list[Reading]:
    """Every information item with a published text, each in the reader's language or its
    fallback. Course descriptions are the training catalogue's, not information pages."""
    items = (
        ContentItem.objects.exclude(kind=ItemKind.COURSE).select_related("topic").order_by("slug")
    )
    published = published_revisions(items)
    readings = [
        _reading(item, published.get(item.pk, {}), language)
        for item in items
        if item.pk in published
    ]
    return [reading for reading in readings if reading is not None]


def reading_for(slug: str, language: str) -> Reading:
    """One item for a reader of ``language``; 404 when it has no published text."""
    item = (
        ContentItem.objects.exclude(kind=ItemKind.COURSE)
        .select_related("topic")
        .filter(slug=slug)
        .first()
    )
    if item is None:
        raise Http404
    published = published_revisions(ContentItem.objects.filter(pk=item.pk))
    reading = _reading(item, published.get(item.pk, {}), language)
    if reading is None:
        raise Http404
    return reading


def translations_of(item: ContentItem) -> QuerySet[Translation]:
    return item.translations.select_related("last_edited_by").order_by("language")


@dataclass(frozen=True, slots=True)
class CoverageRow:
    language: str
    published: int
    outdated: int
    in_progress: int  # draft or in review
    missing: int


def coverage(topic_id: UUID | None = None) -> list[CoverageRow]:
    """Per registry language: how many items are published, outdated, being translated or
    missing in it — optionally for one topic. Two queries."""
    items = ContentItem.objects.all()
    if topic_id:
        items = items.filter(topic_id=topic_id)
    total = items.count()
    counts: dict[str, dict[str, int]] = {}
    for language, status in Translation.objects.filter(item__in=items).values_list(
        "language", "status"
    ):
        by_status = counts.setdefault(language, {})
        by_status[status] = by_status.get(status, 0) + 1
    rows = []
    for code in REGISTRY:
        by_status = counts.get(code, {})
        present = sum(by_status.values())
        rows.append(
            CoverageRow(
                language=code,
                published=by_status.get(TranslationStatus.PUBLISHED, 0),
                outdated=by_status.get(TranslationStatus.OUTDATED, 0),
                in_progress=by_status.get(TranslationStatus.DRAFT, 0)
                + by_status.get(TranslationStatus.IN_REVIEW, 0),
                missing=total - present,
            )
        )
    return rows
