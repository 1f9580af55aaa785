"""The health of the information each unit keeps, as readers meet it: items past their
review-by date, translations behind their source, and languages the unit's audience needs
without a published text — a traffic light per item and per unit, with its reasons in words.

- **Per unit**: an item belongs to its responsible unit (``ContentItem.unit``: the author's
  unit when it was created, editable on the item's page). Items of no unit (written by
  someone of no unit) are shown to content editors apart, and remind nobody.
- **The languages a unit's audience needs**: the languages of the public site
  (``settings.LANGUAGES``) and every language that the unit's directory entries say they
  serve in. Items of no unit need the languages of the public site.
- **Which items**: those the public can read (a published text in some language), except a
  campaign whose period has ended — it is history and is not reviewed.
- **The light**: red (needs attention now) when the review-by date has passed or a
  translation readers get is behind its source; amber (attention soon) when the review is
  due within ``DUE_SOON`` or a needed language has no published text; green otherwise. A
  unit's light is that of its worst item.

Reads take ``today``, so that what is due never depends on when a test runs.
"""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Prefetch

from coop4int.accounts.models import Unit, User
from coop4int.accounts.roles import Permission
from coop4int.content.domain.queries import published_revisions
from coop4int.content.enums import Health, ItemKind
from coop4int.content.models import ContentItem, Revision, Translation
from coop4int.core.languages import REGISTRY, interface_codes
from coop4int.directory.models import DirectoryEntry

# How long before its review-by date an item turns amber.
DUE_SOON = timedelta(days=30)

_SEVERITY = {Health.RED: 0, Health.AMBER: 1, Health.GREEN: 2}


@dataclass(frozen=True, slots=True)
class ItemHealth:
    item: ContentItem
    title: str  # of its source text
    titles: dict[str, str]  # language → title of the text in that language
    review_by: date
    last_reviewed_on: date | None
    past_review: bool
    review_due_soon: bool
    outdated: tuple[str, ...]  # languages whose readers get a text behind the source
    missing: tuple[str, ...]  # needed languages without a published text
    being_translated: tuple[str, ...]  # of the missing: a draft or a text in review

    @property
    def light(self) -> Health:
        if self.past_review or self.outdated:
            return Health.RED
        if self.review_due_soon or self.missing:
            return Health.AMBER
        return Health.GREEN

    def title_in(self, language: str) -> str:
        """The item's title for someone who reads ``language``, else its source title."""
        return self.titles.get(language, self.title)


@dataclass(frozen=True, slots=True)
class UnitHealth:
    unit: Unit | None  # None: the items of no unit
    needed: tuple[str, ...]  # the languages its audience needs, in registry order
    items: tuple[ItemHealth, ...]  # the worst first

    @property
    def light(self) -> Health:
        return min((i.light for i in self.items), key=_SEVERITY.__getitem__, default=Health.GREEN)

    @property
    def attention(self) -> tuple[ItemHealth, ...]:
        """The items that are not green."""
        return tuple(i for i in self.items if i.light != Health.GREEN)

    @property
    def past_review(self) -> int:
        return sum(1 for i in self.items if i.past_review)

    @property
    def due_soon(self) -> int:
        return sum(1 for i in self.items if i.review_due_soon)

    @property
    def outdated(self) -> int:
        """How many translations readers get behind their source."""
        return sum(len(i.outdated) for i in self.items)

    @property
    def missing(self) -> int:
        """How many texts are missing (an item in a needed language counts once)."""
        return sum(len(i.missing) for i in self.items)


def needed_languages(unit_ids: Collection[int]) -> dict[int | None, tuple[str, ...]]:
    """Per unit, the languages its audience needs (and, under None, those of no unit). One
    query."""
    by_unit: dict[int | None, set[str]] = {None: set(interface_codes())}
    entries = DirectoryEntry.objects.filter(unit_id__in=unit_ids).values_list(
        "unit_id", "languages_key"
    )
    for unit_id in unit_ids:
        by_unit[unit_id] = set(interface_codes())
    for unit_id, key in entries:
        by_unit[unit_id] |= {code for code in key.split(",") if code}
    return {
        unit_id: tuple(code for code in REGISTRY if code in codes)
        for unit_id, codes in by_unit.items()
    }


def _item_health(
    item: ContentItem,
    published: dict[str, Revision],
    needed: tuple[str, ...],
    today: date,
) -> ItemHealth:
    texts = {t.language: t for t in item.translations.all()}
    source = texts.get(item.source_language)
    source_revision = published.get(item.source_language)
    # Readers of a translation made from an older source than the one readers of the source
    # get are behind, whatever the translation's working copy is doing meanwhile.
    outdated = {
        language
        for language, revision in published.items()
        if language != item.source_language
        and source_revision is not None
        and (revision.source_version or 0) < source_revision.version
    }
    missing = tuple(code for code in needed if code not in published)
    return ItemHealth(
        item=item,
        title=source.title if source else item.slug,
        titles={language: text.title for language, text in texts.items()},
        review_by=item.review_by,
        last_reviewed_on=item.last_reviewed_on,
        past_review=item.review_by < today,
        review_due_soon=today <= item.review_by <= today + DUE_SOON,
        outdated=tuple(code for code in REGISTRY if code in outdated),
        missing=missing,
        being_translated=tuple(code for code in missing if code in texts),
    )


def content_health(
    *, today: date, unit_ids: Collection[int] | None = None, include_no_unit: bool = True
) -> list[UnitHealth]:
    """The health of the information of the units ``unit_ids`` (every unit when None) and,
    with ``include_no_unit``, of the items of no unit; the worst unit first. Only units that
    keep readable items appear. Five queries, however many items."""
    items = ContentItem.objects.select_related("unit").prefetch_related(
        Prefetch(
            "translations",
            queryset=Translation.objects.only("item_id", "language", "status", "title"),
        )
    )
    if unit_ids is not None:
        scope = ContentItem.objects.filter(unit_id__in=unit_ids)
        if include_no_unit:
            scope = scope | ContentItem.objects.filter(unit__isnull=True)
        items = items.filter(pk__in=scope.values("pk"))
    elif not include_no_unit:
        items = items.exclude(unit__isnull=True)
    published = published_revisions(items)
    readable = [
        item
        for item in items.order_by("slug")
        if item.pk in published
        and not (item.kind == ItemKind.CAMPAIGN and item.period_end and item.period_end < today)
    ]
    needed = needed_languages({item.unit_id for item in readable if item.unit_id})
    by_unit: dict[int | None, list[ItemHealth]] = {}
    units: dict[int | None, Unit | None] = {}
    for item in readable:
        units[item.unit_id] = item.unit
        by_unit.setdefault(item.unit_id, []).append(
            _item_health(item, published[item.pk], needed[item.unit_id], today)
        )
    result = [
        UnitHealth(
            unit=units[unit_id],
            needed=needed[unit_id],
            items=tuple(
                sorted(healths, key=lambda h: (_SEVERITY[h.light], h.review_by, h.item.slug))
            ),
        )
        for unit_id, healths in by_unit.items()
    ]
    return sorted(
        result,
        key=lambda h: (_SEVERITY[h.light], h.unit is None, h.unit.name if h.unit else ""),
    )


def content_health_for_user(user: User, *, today: date) -> list[UnitHealth]:
    """What ``user`` may see of it: every unit, and the items of no unit, for a content
    editor (information is national, ``content/rules.py``); their own unit for a unit
    coordinator, who is reminded of it; nothing for anyone else."""
    if user.has_perm(Permission.EDIT_CONTENT):
        return content_health(today=today)
    if user.has_perm(Permission.VIEW_UNITS) and user.unit_id is not None:
        return content_health(today=today, unit_ids={user.unit_id}, include_no_unit=False)
    return []
