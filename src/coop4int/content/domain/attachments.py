"""Files for download with an item: checked by what they are, not by what they are called, and
reviewed like the item's text.

A file reaches the public the way a text does: whoever adds it (or adds a new version in
place of a published one) makes a draft that only editors see; someone else opens it and
publishes it (``publish_attachment``). The file is reviewed on its own, not with the text in
its language, because the two change apart — a leaflet renewed for the new year under a text
that still holds, a text corrected under the same leaflet — and publishing one must never put
out the other unread. A stored file never changes: a new version is a new row, so the file the
reviewer opened is the file they publish, and the one it replaces stays public until then."""

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from coop4int.accounts.models import User
from coop4int.accounts.roles import Permission
from coop4int.content.enums import AttachmentStatus
from coop4int.content.models import Attachment, ContentItem
from coop4int.core import audit
from coop4int.core.files import MAX_BYTES, sniff
from coop4int.core.languages import REGISTRY


def _require(actor: User) -> None:
    if not actor.has_perm(Permission.EDIT_CONTENT):
        raise PermissionDenied


def _checked(upload: UploadedFile) -> tuple[str, str]:
    """The content type and extension of an acceptable upload; else the reason it is not."""
    if upload.size is None or upload.size > MAX_BYTES:
        raise ValidationError(
            {"upload": _("The file is too large: at most %(mb)d MB.") % {"mb": MAX_BYTES // 2**20}}
        )
    kind = sniff(upload)
    if kind is None:
        raise ValidationError({"upload": _("Only PDF, PNG and JPEG files can be attached.")})
    return kind


def _store(
    *,
    actor: User,
    item: ContentItem,
    language: str,
    title: str,
    upload: UploadedFile,
    replaces: Attachment | None = None,
) -> Attachment:
    content_type, extension = _checked(upload)
    upload.name = f"{item.slug}-{language}{extension}"
    return Attachment.objects.create(
        item=item,
        language=language,
        title=title.strip() or item.slug,
        file=upload,
        content_type=content_type,
        size=upload.size or 0,
        uploaded_by=actor,
        status=AttachmentStatus.DRAFT,
        replaces=replaces,
    )


@transaction.atomic
def add_attachment(
    *, actor: User, item: ContentItem, language: str, title: str, upload: UploadedFile
) -> Attachment:
    """Attach a PDF, PNG or JPEG of at most 10 MB to ``item`` in ``language``, as a draft: the
    public gets it once another editor has published it (``publish_attachment``).

    Anything else is refused with the reason, and nothing is stored. Side effects: the file
    under the data directory; audit ``content.attachment.added``."""
    _require(actor)
    if language not in REGISTRY:
        raise ValidationError({"language": _("Unknown language.")})
    attachment = _store(actor=actor, item=item, language=language, title=title, upload=upload)
    audit.record(
        action="content.attachment.added",
        actor=actor,
        obj=item,
        data={
            "attachment": attachment.pk,
            "language": language,
            "type": attachment.content_type,
            "size": attachment.size,
        },
    )
    return attachment


@transaction.atomic
def replace_attachment(
    *, actor: User, attachment: Attachment, upload: UploadedFile, title: str = ""
) -> Attachment:
    """A new version of a published file, as a draft in its place (same item and language;
    the old title unless another is given). The public keeps getting the old file until
    someone other than ``actor`` publishes the new one.

    Refused when ``attachment`` is not the published file (a draft is corrected by adding
    another) or a new version of it already waits for review. Side effects: the file under
    the data directory; audit ``content.attachment.replaced``."""
    _require(actor)
    attachment = Attachment.objects.select_for_update().get(pk=attachment.pk)
    if attachment.status != AttachmentStatus.PUBLISHED:
        raise ValidationError(_("Only a published file can be replaced."))
    if attachment.replacements.filter(status=AttachmentStatus.DRAFT).exists():
        raise ValidationError(_("A new version of this file is already waiting for review."))
    replacement = _store(
        actor=actor,
        item=attachment.item,
        language=attachment.language,
        title=title or attachment.title,
        upload=upload,
        replaces=attachment,
    )
    audit.record(
        action="content.attachment.replaced",
        actor=actor,
        obj=attachment.item,
        data={
            "attachment": replacement.pk,
            "replaces": attachment.pk,
            "language": attachment.language,
            "type": replacement.content_type,
            "size": replacement.size,
        },
    )
    return replacement


@transaction.atomic
def publish_attachment(
    *, actor: User, attachment: Attachment, now: datetime | None = None
) -> Attachment:
    """Publish a draft file after opening it. The publisher must not be the person who added
    it — the same two pairs of eyes as a text. A new version takes the place of the file it
    replaces, which the public no longer gets.

    Refused (nothing changed) when the file is no longer a draft: published already, by
    another press of the button or by a colleague. Side effects: audit
    ``content.attachment.published``."""
    _require(actor)
    attachment = Attachment.objects.select_for_update().get(pk=attachment.pk)
    if attachment.status != AttachmentStatus.DRAFT:
        raise ValidationError(_("This file was already published."))
    if attachment.uploaded_by_id == actor.pk:
        raise ValidationError(
            _("Someone other than the person who added this file must review and publish it.")
        )
    attachment.status = AttachmentStatus.PUBLISHED
    attachment.published_by = actor
    attachment.published_at = now or timezone.now()
    attachment.save(update_fields=["status", "published_by", "published_at"])
    replaced = attachment.replaces
    if replaced is not None and replaced.status == AttachmentStatus.PUBLISHED:
        replaced.status = AttachmentStatus.REPLACED
        replaced.save(update_fields=["status"])
    audit.record(
        action="content.attachment.published",
        actor=actor,
        obj=attachment.item,
        data={
            "attachment": attachment.pk,
            "language": attachment.language,
            "replaces": replaced.pk if replaced else None,
        },
    )
    return attachment


# --- Reads ----------------------------------------------------------------------------------


def public_files(item: ContentItem, language: str) -> QuerySet[Attachment]:
    """The files the public may download with ``item`` in ``language``: published ones."""
    return item.attachments.filter(language=language, status=AttachmentStatus.PUBLISHED)


def public_file(slug: str, attachment_id: int) -> Attachment:
    """A published file of the item ``slug``; 404 for a draft, a replaced file or none, alike."""
    attachment = (
        Attachment.objects.filter(
            pk=attachment_id, item__slug=slug, status=AttachmentStatus.PUBLISHED
        )
        .select_related("item")
        .first()
    )
    if attachment is None:
        raise Http404
    return attachment


@dataclass(frozen=True, slots=True)
class EditorFile:
    """A file as the editors' page lists it: whether it is public, and whether the editor
    looking may publish it."""

    attachment: Attachment
    may_publish: bool

    @property
    def is_draft(self) -> bool:
        return self.attachment.status == AttachmentStatus.DRAFT


def files_for_editor(*, item: ContentItem, language: str, editor: User) -> list[EditorFile]:
    """The files of ``item`` in ``language`` that are public or waiting for review (not the
    ones replaced since), drafts first."""
    files = (
        item.attachments.filter(language=language)
        .exclude(status=AttachmentStatus.REPLACED)
        .select_related("uploaded_by", "replaces")
    )
    listed = [
        EditorFile(
            attachment=file,
            may_publish=file.status == AttachmentStatus.DRAFT and file.uploaded_by_id != editor.pk,
        )
        for file in files
    ]
    return sorted(listed, key=lambda row: not row.is_draft)


def file_for_editor(*, slug: str, attachment_id: int) -> Attachment:
    """Any file of the item ``slug`` — a draft to review included — for an editor to open;
    404 when there is none."""
    attachment = (
        Attachment.objects.filter(pk=attachment_id, item__slug=slug).select_related("item").first()
    )
    if attachment is None:
        raise Http404
    return attachment
