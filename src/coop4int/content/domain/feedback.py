"""Feedback from the public: received without an account, worked by editors, answered by
e-mail in the sender's language when they left an address.

A message is kept with the page it was written about, but never with that page's address as
sent: some addresses hold a secret (the tracking link of a person's request), and editors who
work feedback must not be able to open the request. The address is resolved against the
URLconf; what is kept is the route's name and, when every part of the address is declared
public below, the address rebuilt from those parts (no query, no fragment)."""

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils import timezone, translation
from django.utils.translation import get_language_from_path
from django.utils.translation import gettext as _

from coop4int.accounts.models import User
from coop4int.accounts.roles import Permission
from coop4int.content.enums import FeedbackStatus
from coop4int.content.models import Feedback
from coop4int.core import audit
from coop4int.core.audit import mask
from coop4int.core.bidi import isolate_runs_for_language

# The parts of a page's address that may be kept with feedback about it, per route. Only
# routes with parts need a line: a route whose parts are not all listed here (the tracking
# page's reference and secret, any route added later) is kept by its name only.
PUBLIC_PARTS: dict[str, frozenset[str]] = {
    "portal:info_detail": frozenset({"slug"}),
    "portal:info_in_language": frozenset({"slug", "content_language"}),
    "portal:info_download": frozenset({"slug", "attachment_id"}),
    "portal:directory_detail": frozenset({"sal_id"}),
    "portal:leaflet": frozenset({"unit_slug"}),
    "portal:indicator": frozenset({"code"}),
    "portal:study": frozenset({"slug"}),
    "portal:study_file": frozenset({"slug"}),
    "portal:plan": frozenset({"slug"}),
    "portal:plan_comment": frozenset({"slug"}),
    "portal:plan_comment_sent": frozenset({"slug"}),
}
PAGE_LENGTH = Feedback._meta.get_field("page").max_length or 500


@dataclass(frozen=True, slots=True)
class FeedbackSource:
    """Where a message came from, without anything private: ``route`` is the URL name
    (empty when the address matched no page), ``page`` the public address (empty when the
    address has a part that is not public, or matched no page)."""

    route: str = ""
    page: str = ""


def feedback_source(address: str) -> FeedbackSource:
    """The public part of ``address``, a path on this site such as ``/pt/info/linha/``."""
    try:
        parts = urlsplit(address)
    except ValueError:  # such as "//[": not an address of this site
        return FeedbackSource()
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return FeedbackSource()
    # Public pages carry their language in the path, and a language-prefixed route only
    # matches while that language is active.
    language = get_language_from_path(parts.path) or settings.LANGUAGE_CODE
    with translation.override(language):
        try:
            match = resolve(parts.path)
        except Resolver404:
            return FeedbackSource()
        route = match.view_name if match.url_name else ""
        public = PUBLIC_PARTS.get(route, frozenset())
        if not route or match.args or not set(match.kwargs) <= public:
            return FeedbackSource(route=route)
        try:
            page = reverse(route, kwargs=match.kwargs)
        except NoReverseMatch:
            return FeedbackSource(route=route)
    return FeedbackSource(route=route, page=page if len(page) <= PAGE_LENGTH else "")


@transaction.atomic
def receive_feedback(*, page: str, language: str, message: str, contact_email: str) -> Feedback:
    """Store a message from the public about the page at address ``page``, of which only its
    public part is kept (``feedback_source``). Side effects: audit
    ``content.feedback.received``."""
    if not message.strip():
        raise ValidationError({"message": _("Write your message.")})
    source = feedback_source(page)
    feedback = Feedback.objects.create(
        route=source.route,
        page=source.page,
        language=language,
        message=message.strip(),
        contact_email=contact_email,
    )
    audit.record(
        action="content.feedback.received",
        actor=None,
        obj=feedback,
        data={"route": feedback.route, "page": feedback.page, "email": mask(contact_email)},
    )
    return feedback


@transaction.atomic
def set_feedback_status(*, actor: User, feedback: Feedback, status: FeedbackStatus) -> None:
    """Side effects: audit ``content.feedback.status_changed``."""
    if not actor.has_perm(Permission.EDIT_CONTENT):
        raise PermissionDenied
    feedback.status = status
    feedback.save(update_fields=["status"])
    audit.record(
        action="content.feedback.status_changed", actor=actor, obj=feedback, data={"to": status}
    )


@transaction.atomic
def reply_to_feedback(*, actor: User, feedback: Feedback, text: str) -> None:
    """An editor answers the sender (``send_feedback_reply``). Side effects: its own."""
    if not actor.has_perm(Permission.EDIT_CONTENT):
        raise PermissionDenied
    send_feedback_reply(actor=actor, feedback=feedback, text=text)


@transaction.atomic
def send_feedback_reply(*, actor: User, feedback: Feedback, text: str) -> None:
    """Answer the sender by e-mail, in the language of the page they wrote from, and close the
    message. Who may answer is the caller's to check: an editor (``reply_to_feedback``), or a
    plan's coordinator for a comment on the plan (``localplans.domain.comments``). Side
    effects: one e-mail; audit ``content.feedback.replied``."""
    if not feedback.contact_email:
        raise ValidationError(_("The sender left no address to reply to."), code="no_address")
    if not text.strip():
        raise ValidationError(_("Write the reply."), code="empty")
    feedback.reply = text.strip()
    feedback.replied_at = timezone.now()
    feedback.replied_by = actor
    feedback.status = FeedbackStatus.DONE
    feedback.save(update_fields=["reply", "replied_at", "replied_by", "status"])
    with translation.override(feedback.language or settings.LANGUAGE_CODE):
        context = {"feedback": feedback}
        subject = render_to_string("content/email/feedback_reply_subject.txt", context).strip()
        rendered = render_to_string("content/email/feedback_reply.txt", context)
    body = isolate_runs_for_language(rendered, feedback.language)
    # Sent inside the transaction: if the mail server refuses it, the reply is not recorded.
    send_mail(subject, body, None, [feedback.contact_email])
    audit.record(action="content.feedback.replied", actor=actor, obj=feedback)
