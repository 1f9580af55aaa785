"""The exchange with translation agencies: a batch of items out as XLIFF 2.0, the translated
file back in as drafts — checked whole first, saved all or nothing."""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from coop4int.accounts.models import User
from coop4int.accounts.roles import Permission
from coop4int.content import xliff
from coop4int.content.domain import workflow
from coop4int.content.models import ContentItem, Revision, Translation
from coop4int.core.languages import REGISTRY

TITLE_MAX_LENGTH = Translation._meta.get_field("title").max_length or 300


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What an import did. With ``errors`` nothing was saved."""

    errors: list[str] = field(default_factory=list)
    saved: list[Translation] = field(default_factory=list)
    # Slugs whose file repeated the current translation and source version: nothing saved.
    unchanged: list[str] = field(default_factory=list)
    # Saved translations that follow an older version of the source than the current one.
    behind_source: list[Translation] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def export_batch(items: Iterable[ContentItem], target_language: str) -> bytes:
    """The items' current source texts as one XLIFF 2.0 document for translation into
    ``target_language``, each file recording the source version it was made from.

    A target is filled in with the existing translation when that follows the current source
    version; an outdated translation is left out so that sending it back unchanged cannot
    pass for an update. Raises ValidationError when there are no items, the language is not
    in the registry, it is an item's source language, or the items' source languages differ
    (XLIFF holds one source language per document)."""
    items = list(dict.fromkeys(items))
    errors = []
    if not items:
        errors.append(_("There is nothing to export."))
    if target_language not in REGISTRY:
        errors.append(_("Unknown language: %(code)s.") % {"code": target_language})
    for item in items:
        if item.source_language == target_language:
            errors.append(
                _("%(slug)s is written in %(code)s: it cannot be translated into it.")
                % {"slug": item.slug, "code": target_language}
            )
    source_languages = sorted({item.source_language for item in items})
    if len(source_languages) > 1:
        errors.append(
            _("The items are written in different languages (%(codes)s); export each apart.")
            % {"codes": ", ".join(source_languages)}
        )
    if errors:
        raise ValidationError(errors)

    texts: dict[tuple[int, str], Translation] = {
        (t.item_id, t.language): t
        for t in Translation.objects.filter(
            item__in=items, language__in=[*source_languages, target_language]
        )
    }
    files = []
    for item in items:
        source = texts[(item.pk, item.source_language)]
        existing = texts.get((item.pk, target_language))
        current = existing is not None and existing.source_version == source.version
        units = {
            unit_id: xliff.Unit(
                unit_id,
                getattr(source, unit_id),
                getattr(existing, unit_id) if current else None,
            )
            for unit_id in xliff.UNIT_IDS
        }
        files.append(xliff.ItemFile(item.slug, source.version, units))
    return xliff.write(xliff.Document(source_languages[0], target_language, files))


def import_xliff(*, actor: User, data: bytes) -> ImportResult:
    """Save the translations of an XLIFF 2.0 file made by ``export_batch``, each item's text
    as a new draft through ``workflow.save_text``.

    The whole file is checked first; on any problem nothing is saved and every problem is
    returned. A translation made from an older source version than the current one is saved
    as following that older version, so that it shows as outdated. A file that repeats the
    current translation of the same source version saves nothing for that item.

    Side effects, per item saved: those of ``save_text`` (a revision; audit
    ``content.text.saved``) and its ``source_version`` set to the file's. Raises
    PermissionDenied when ``actor`` may not edit content."""
    if not actor.has_perm(Permission.EDIT_CONTENT):
        raise PermissionDenied
    try:
        document = xliff.parse(data)
    except xliff.XliffError as error:
        return ImportResult(errors=error.errors)

    with transaction.atomic():
        errors = _document_errors(document)
        items = {
            item.slug: item
            for item in ContentItem.objects.filter(slug__in=[f.slug for f in document.files])
        }
        source_languages = {item.pk: item.source_language for item in items.values()}
        texts: dict[tuple[int, str], Translation] = {
            (t.item_id, t.language): t
            for t in Translation.objects.filter(item__in=items.values())
            if t.language in {source_languages[t.item_id], document.target_language}
        }
        for item_file in document.files:
            item = items.get(item_file.slug)
            errors += _file_errors(item_file, item, document, texts)
        if errors:
            return ImportResult(errors=errors)

        saved, unchanged, behind = [], [], []
        for item_file in document.files:
            item = items[item_file.slug]
            current_source = texts[(item.pk, item.source_language)]
            existing = texts.get((item.pk, document.target_language))
            title, summary, body = (item_file.target(u) or "" for u in xliff.UNIT_IDS)
            if existing is not None and (
                (existing.title, existing.summary, existing.body, existing.source_version)
                == (title, summary, body, item_file.source_version)
            ):
                unchanged.append(item.slug)
                continue
            translation = workflow.save_text(
                actor=actor,
                item=item,
                language=document.target_language,
                title=title,
                summary=summary,
                body=body,
                is_demo=item.is_demo,
            )
            if item_file.source_version < current_source.version:
                _follow_older_source(translation, item_file.source_version)
                behind.append(translation)
            saved.append(translation)
    return ImportResult(saved=saved, unchanged=unchanged, behind_source=behind)


def _follow_older_source(translation: Translation, source_version: int) -> None:
    """save_text records the current source version; the file was made from an older one.
    Correct the translation and the revision save_text has just written, in its transaction."""
    translation.source_version = source_version
    translation.save(update_fields=["source_version"])
    Revision.objects.filter(translation=translation, version=translation.version).update(
        source_version=source_version
    )


def _document_errors(document: xliff.Document) -> list[str]:
    errors = []
    for code in (document.source_language, document.target_language):
        if code not in REGISTRY:
            errors.append(_("Unknown language: %(code)s.") % {"code": code})
    if document.source_language == document.target_language:
        errors.append(
            _("The target language is the source language (%(code)s).")
            % {"code": document.target_language}
        )
    return errors


def _file_errors(
    item_file: xliff.ItemFile,
    item: ContentItem | None,
    document: xliff.Document,
    texts: dict[tuple[int, str], Translation],
) -> list[str]:
    def at(reason: str) -> str:
        return _("Line %(line)s, item %(slug)s: %(reason)s") % {
            "line": item_file.line,
            "slug": item_file.slug,
            "reason": reason,
        }

    if item is None:
        return [at(_("there is no item with this short name."))]
    errors = []
    if item.source_language != document.source_language:
        errors.append(
            at(
                _("the item is written in %(item)s, the file says %(file)s.")
                % {"item": item.source_language, "file": document.source_language}
            )
        )
    if item.source_language == document.target_language:
        errors.append(at(_("the item is written in the target language.")))
    source = texts.get((item.pk, item.source_language))
    if source is not None and item_file.source_version > source.version:
        errors.append(
            at(
                _("the file follows source version %(file)s; the source is at version %(now)s.")
                % {"file": item_file.source_version, "now": source.version}
            )
        )
    title = item_file.target("title")
    if title is None or not title.strip():
        errors.append(at(_("the title has no translation.")))
    elif len(title) > TITLE_MAX_LENGTH:
        errors.append(
            at(_("the title is longer than %(limit)s characters.") % {"limit": TITLE_MAX_LENGTH})
        )
    for unit_id in xliff.UNIT_IDS[1:]:
        target = item_file.target(unit_id)
        if item_file.source(unit_id).strip() and not (target or "").strip():
            errors.append(at(_("the unit %(unit)s has no translation.") % {"unit": unit_id}))
    return errors
