"""Writing and translating information: drafts, review by someone else, publication, and
translations that fall out of date when their source changes.

Each step names the version of the text the person saw (``expected_version``) and checks it,
and the text's status, on the row locked for the transaction: a page left open while someone
else saved, sent or published the text, or a button pressed twice, is refused with
``TextChanged`` and changes nothing."""

import difflib
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from coop4int.accounts.models import User
from coop4int.accounts.roles import Permission
from coop4int.content import markdown
from coop4int.content.enums import ItemKind, TranslationStatus
from coop4int.content.models import ContentItem, Revision, Translation
from coop4int.content.review_dates import next_review
from coop4int.core import audit, search
from coop4int.core.languages import REGISTRY


class TextChanged(ValidationError):
    """The text is no longer as the person saw it; nothing was done."""

    def __init__(self, message: str = "") -> None:
        super().__init__(
            message
            or _(
                "This text was changed since you opened it, so nothing was done. "
                "Check the current version and try again."
            )
        )


def _check_version(translation: Translation | None, expected_version: int | None) -> None:
    """``expected_version`` 0 stands for "no text in this language yet"; None skips the check
    (imports and scripts, which do not work from a page)."""
    if expected_version is None:
        return
    if (translation.version if translation else 0) != expected_version:
        raise TextChanged


def _locked(translation: Translation) -> Translation:
    """``translation`` re-read under a row lock, so that two requests cannot both pass the
    checks made on it."""
    translation.refresh_from_db(from_queryset=Translation.objects.select_for_update())
    return translation


def _require(actor: User) -> None:
    if not actor.has_perm(Permission.EDIT_CONTENT):
        raise PermissionDenied


def _snapshot(translation: Translation, actor: User | None) -> Revision:
    return Revision.objects.create(
        translation=translation,
        version=translation.version,
        title=translation.title,
        summary=translation.summary,
        body=translation.body,
        status=translation.status,
        source_version=translation.source_version,
        saved_by=actor,
    )


def source_of(item: ContentItem) -> Translation:
    return item.translations.get(language=item.source_language)


@transaction.atomic
def _public_path(translation: Translation) -> str:
    """Where the public reads the text (after the language prefix): an information page, or
    the catalogue's page of the course it describes."""
    item = translation.item
    course = getattr(item, "course", None) if item.kind == ItemKind.COURSE else None
    if course is not None:
        return f"training/{course.slug}/"
    return f"info/{item.slug}/{translation.language}/"


def create_item(
    *,
    actor: User,
    slug: str,
    kind: ItemKind,
    source_language: str,
    title: str,
    summary: str = "",
    body: str = "",
    is_demo: bool = False,
    today: date | None = None,
) -> ContentItem:
    """A new item with its source text as a draft, kept by the author's unit and due for
    review a year from ``today`` (moved on when its source is published). A course's
    description may also be started by those who manage training (``learning``): editors then
    review, translate and publish it as any other. Side effects: audit
    ``content.item.created``."""
    if not (kind == ItemKind.COURSE and actor.has_perm(Permission.MANAGE_TRAINING)):
        _require(actor)
    if source_language not in REGISTRY:
        raise ValidationError({"source_language": _("Unknown language.")})
    item = ContentItem(
        slug=slug,
        kind=kind,
        source_language=source_language,
        is_demo=is_demo,
        unit=actor.unit,
        review_by=next_review(today or timezone.localdate()),
    )
    item.full_clean()
    item.save()
    translation = Translation.objects.create(
        item=item,
        language=source_language,
        title=title,
        summary=summary,
        body=body,
        last_edited_by=actor,
        is_demo=is_demo,
    )
    _snapshot(translation, actor)
    audit.record(action="content.item.created", actor=actor, obj=item, data={"slug": slug})
    return item


@transaction.atomic
def save_text(
    *,
    actor: User,
    item: ContentItem,
    language: str,
    title: str,
    summary: str,
    body: str,
    is_demo: bool = False,
    expected_version: int | None = None,
) -> Translation:
    """Save the text of ``item`` in ``language`` (the source or a translation) as a draft, a
    new version in its history. A translation records which version of the source it follows.
    Refused with ``TextChanged`` when the text is no longer at ``expected_version``.

    Side effects: a revision; audit ``content.text.saved``."""
    _require(actor)
    if language not in REGISTRY:
        raise ValidationError({"language": _("Unknown language.")})
    if not title.strip():
        raise ValidationError({"title": _("A title is needed.")})
    is_source = language == item.source_language
    source_version = None if is_source else source_of(item).version
    translation = item.translations.select_for_update().filter(language=language).first()
    _check_version(translation, expected_version)
    if translation is None:
        translation = Translation(item=item, language=language, version=0)
    translation.title, translation.summary, translation.body = title, summary, body
    translation.version += 1
    translation.status = TranslationStatus.DRAFT
    translation.source_version = source_version
    translation.last_edited_by = actor
    translation.is_demo = is_demo
    translation.save()
    _snapshot(translation, actor)
    audit.record(
        action="content.text.saved",
        actor=actor,
        obj=item,
        data={"language": language, "version": translation.version},
    )
    return translation


@transaction.atomic
def submit_for_review(
    *, actor: User, translation: Translation, expected_version: int | None = None
) -> None:
    """Ask a colleague to review. Refused with ``TextChanged`` when the text is no longer at
    ``expected_version`` or no longer a draft (sent already, by another press of the button).
    Side effects: audit ``content.text.submitted``."""
    _require(actor)
    translation = _locked(translation)
    _check_version(translation, expected_version)
    if translation.status == TranslationStatus.IN_REVIEW:
        raise TextChanged(_("This text was already sent for review."))
    if translation.status not in {TranslationStatus.DRAFT, TranslationStatus.OUTDATED}:
        raise TextChanged(_("Only a draft can be sent for review."))
    translation.status = TranslationStatus.IN_REVIEW
    translation.save(update_fields=["status", "updated_at"])
    audit.record(
        action="content.text.submitted",
        actor=actor,
        obj=translation.item,
        data={"language": translation.language},
    )


@transaction.atomic
def publish(
    *,
    actor: User,
    translation: Translation,
    expected_version: int | None = None,
    today: date | None = None,
) -> list[Translation]:
    """Publish a reviewed text. The reviewer must not be the person who wrote this version.
    Refused with ``TextChanged`` when the text is no longer at ``expected_version`` (the
    reviewer would publish what they have not read) or no longer in review.

    When the source text is published anew, every translation made from an older source
    version becomes outdated; they are returned. Publishing the source is also a review of
    the item: it was last reviewed ``today`` and is due again a year later (editors may then
    choose another date). Side effects: a published revision; audit
    ``content.text.published``."""
    _require(actor)
    translation = _locked(translation)
    _check_version(translation, expected_version)
    if translation.status == TranslationStatus.PUBLISHED:
        raise TextChanged(_("This text was already published."))
    if translation.status != TranslationStatus.IN_REVIEW:
        raise TextChanged(_("Only a text in review can be published."))
    if translation.last_edited_by_id == actor.pk:
        raise ValidationError(_("Someone other than its author must review and publish it."))
    translation.status = TranslationStatus.PUBLISHED
    translation.save(update_fields=["status", "updated_at"])
    _snapshot(translation, actor)
    search.index_document(
        kind="content",
        key=translation.item.slug,
        language=translation.language,
        title=translation.title,
        body=f"{translation.summary}\n{strip_tags(markdown.render(translation.body))}",
        url=_public_path(translation),
    )
    outdated: list[Translation] = []
    item = translation.item
    behind = (
        translation.language != item.source_language
        and (translation.source_version or 0) < source_of(item).version
    )
    if behind:
        # Made from an older source (say, returned late by an agency): published, but shown
        # as out of date from the start.
        translation.status = TranslationStatus.OUTDATED
        translation.save(update_fields=["status", "updated_at"])
    if translation.language == item.source_language:
        outdated = list(
            item.translations.exclude(language=item.source_language).filter(
                source_version__lt=translation.version
            )
        )
        for other in outdated:
            other.status = TranslationStatus.OUTDATED
            other.save(update_fields=["status", "updated_at"])
        item.last_reviewed_on = today or timezone.localdate()
        item.review_by = next_review(item.last_reviewed_on)
        item.save(update_fields=["last_reviewed_on", "review_by"])
    data: dict[str, object] = {
        "language": translation.language,
        "outdated": [t.language for t in outdated],
    }
    if translation.language == item.source_language:
        data["review_by"] = item.review_by.isoformat()
    audit.record(action="content.text.published", actor=actor, obj=item, data=data)
    return outdated


@dataclass(frozen=True, slots=True)
class SourceChange:
    """What changed in the source since a translation was made, for its translator."""

    from_version: int | None
    to_version: int
    lines: list[str]  # a unified diff


def source_change(translation: Translation) -> SourceChange | None:
    """The source's changes since ``translation`` was made, or None if it is up to date."""
    item = translation.item
    source = source_of(item)
    if translation.language == item.source_language or translation.source_version is None:
        return None
    if translation.source_version >= source.version:
        return None
    old = (
        Revision.objects.filter(translation=source, version=translation.source_version)
        .order_by("-saved_at", "-id")
        .first()
    )

    def text(title: str, summary: str, body: str) -> list[str]:
        return [title, "", summary, "", *body.splitlines()]

    before = text(old.title, old.summary, old.body) if old else []
    after = text(source.title, source.summary, source.body)
    lines = list(
        difflib.unified_diff(
            before,
            after,
            fromfile=f"v{translation.source_version}",
            tofile=f"v{source.version}",
            lineterm="",
        )
    )
    return SourceChange(translation.source_version, source.version, lines)
