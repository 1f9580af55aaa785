"""A file of an information item, opened by an editor: the published ones, and the drafts
waiting for someone to open them before publishing (``content.domain.attachments``)."""

from django.http import FileResponse, HttpRequest
from django.utils.cache import add_never_cache_headers

from coop4int.accounts.roles import Permission
from coop4int.backoffice.views import StaffView
from coop4int.content.domain import attachments
from coop4int.core.files import DOWNLOAD_POLICY


class ContentFileView(StaffView):
    """Always a download, as the type the file was checked to be when it was added; a draft
    is kept by no cache on the way."""

    permission = Permission.EDIT_CONTENT

    def get(self, request: HttpRequest, slug: str, attachment_id: int) -> FileResponse:
        attachment = attachments.file_for_editor(slug=slug, attachment_id=attachment_id)
        response = FileResponse(
            attachment.file.open("rb"),
            as_attachment=True,
            filename=(attachment.file.name or "file").rsplit("/", 1)[-1],
            content_type=attachment.content_type,
        )
        add_never_cache_headers(response)
        # In place of the pages' policy, which the CSP middleware leaves alone once set.
        response["Content-Security-Policy"] = DOWNLOAD_POLICY
        return response
