"""Feedback from the public: received without an account, worked by editors, answered by
e-mail in the sender's language when they left an address."""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from coop4int.accounts.models import User
from coop4int.accounts.roles import Permission
from coop4int.content.enums import FeedbackStatus
from coop4int.content.models import Feedback
from coop4int.core import audit
from coop4int.core.audit import mask


@transaction.atomic
def receive_feedback(*, page: str, language: str, message: str, contact_email: str) -> Feedback:
    """Store a message from the public. Side effects: audit ``content.feedback.received``."""
    if not message.strip():
        raise ValidationError({"message": _("Write your message.")})
    feedback = Feedback.objects.create(
        page=page[:500], language=language, message=message.strip(), contact_email=contact_email
    )
    audit.record(
        action="content.feedback.received",
        actor=None,
        obj=feedback,
        data={"page": feedback.page, "email": mask(contact_email)},
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
    """Answer the sender by e-mail, in the language of the page they wrote from, and close the
    message. Side effects: one e-mail; audit ``content.feedback.replied``."""
    if not actor.has_perm(Permission.EDIT_CONTENT):
        raise PermissionDenied
    if not feedback.contact_email:
        raise ValidationError(_("The sender left no address to reply to."))
    if not text.strip():
        raise ValidationError(_("Write the reply."))
    feedback.reply = text.strip()
    feedback.replied_at = timezone.now()
    feedback.replied_by = actor
    feedback.status = FeedbackStatus.DONE
    feedback.save(update_fields=["reply", "replied_at", "replied_by", "status"])
    with translation.override(feedback.language or settings.LANGUAGE_CODE):
        context = {"feedback": feedback}
        subject = render_to_string("content/email/feedback_reply_subject.txt", context).strip()
        body = render_to_string("content/email/feedback_reply.txt", context)
    # Sent inside the transaction: if the mail server refuses it, the reply is not recorded.
    send_mail(subject, body, None, [feedback.contact_email])
    audit.record(action="content.feedback.replied", actor=actor, obj=feedback)
