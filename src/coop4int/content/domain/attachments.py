"""Files for download with an item: checked by what they are, not by what they are called."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from coop4int.accounts.models import User
from coop4int.accounts.roles import Permission
from coop4int.content.models import Attachment, ContentItem
from coop4int.core import audit
from coop4int.core.files import MAX_BYTES, sniff
from coop4int.core.languages import REGISTRY


@transaction.atomic
def add_attachment(
    *, actor: User, item: ContentItem, language: str, title: str, upload: UploadedFile
) -> Attachment:
    """Attach a PDF, PNG or JPEG of at most 10 MB to ``item`` in ``language``.

    Anything else is refused with the reason, and nothing is stored. Side effects: the file
    under the data directory; audit ``content.attachment.added``."""
    if not actor.has_perm(Permission.EDIT_CONTENT):
        raise PermissionDenied
    if language not in REGISTRY:
        raise ValidationError({"language": _("Unknown language.")})
    if upload.size is None or upload.size > MAX_BYTES:
        raise ValidationError(
            {"upload": _("The file is too large: at most %(mb)d MB.") % {"mb": MAX_BYTES // 2**20}}
        )
    kind = sniff(upload)
    if kind is None:
        raise ValidationError({"upload": _("Only PDF, PNG and JPEG files can be attached.")})
    content_type, extension = kind
    upload.name = f"{item.slug}-{language}{extension}"
    attachment = Attachment.objects.create(
        item=item,
        language=language,
        title=title.strip() or item.slug,
        file=upload,
        content_type=content_type,
        size=upload.size,
        uploaded_by=actor,
    )
    audit.record(
        action="content.attachment.added",
        actor=actor,
        obj=item,
        data={"language": language, "type": content_type, "size": upload.size},
    )
    return attachment
