"""What the public says about a plan: a comment or a proposal sent from the plan's public page.

A message enters the platform's feedback queue (``content.domain.feedback.receive_feedback``:
its retention, its masking of the sender's address, the editors' queue) and is linked to the
plan (``PlanComment``), so that the plan's coordinators see it with the plan and answer it.
They are told by e-mail that a message arrived (``localplans.tasks``); the e-mail says which
plan and what kind of message, never who sent it or their address."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from coop4int.accounts.models import User
from coop4int.content.domain.feedback import receive_feedback, send_feedback_reply
from coop4int.core import audit
from coop4int.core.languages import REGISTRY
from coop4int.localplans.domain.history import record_change
from coop4int.localplans.enums import PUBLIC_PLAN_STATUSES, CommentKind
from coop4int.localplans.models import Plan, PlanComment
from coop4int.localplans.tasks import tell_coordinators_of_comment

# As long as the public feedback form lets a message be.
MESSAGE_LENGTH = 4000


@transaction.atomic
def send_comment(
    *,
    plan: Plan,
    kind: CommentKind,
    message: str,
    contact_email: str,
    language: str,
    page: str,
) -> PlanComment:
    """Receive a comment or a proposal from the public on ``plan``, which must be public,
    written from the page at address ``page`` in ``language``, with an address for a reply
    or none. Refused, nothing kept, when the plan is not public or the message is empty, too
    long, or its address is not one.

    Side effects: one ``content.Feedback`` (audit ``content.feedback.received``) and one
    PlanComment (history and audit ``localplans.comment.received``); after the commit, a task
    e-mails the plan's coordinators."""
    if plan.status not in PUBLIC_PLAN_STATUSES:
        raise ValidationError(_("This plan does not take comments."), code="plan_not_public")
    if kind not in CommentKind.values:
        raise ValidationError(_("Say whether it is a comment or a proposal."), code="kind")
    if len(message.strip()) > MESSAGE_LENGTH:
        raise ValidationError(
            _("A message is at most %(length)s characters long.") % {"length": MESSAGE_LENGTH},
            code="too_long",
        )
    contact_email = contact_email.strip()
    if contact_email:
        try:
            validate_email(contact_email)
        except ValidationError as error:
            raise ValidationError(
                _("Enter a valid e-mail address, or leave it empty."), code="email"
            ) from error
    if language not in REGISTRY:
        language = settings.LANGUAGE_CODE
    feedback = receive_feedback(
        page=page, language=language, message=message, contact_email=contact_email
    )
    comment = PlanComment.objects.create(plan=plan, feedback=feedback, kind=CommentKind(kind))
    # In the plan's history too, as a kind and a number: who wrote, and what, stay in the queue.
    record_change(
        plan=plan,
        actor=None,
        action="localplans.comment.received",
        obj=comment,
        details={"kind": str(comment.kind), "feedback": feedback.pk},
        at=feedback.received_at,
    )
    transaction.on_commit(lambda: tell_coordinators_of_comment.enqueue(comment.pk))
    return comment


@transaction.atomic
def reply_to_comment(*, actor: User, comment: PlanComment, text: str) -> None:
    """Answer the sender of ``comment`` by e-mail, in the language they wrote in, and close
    their message in the feedback queue — as the editors' reply does
    (``content.domain.feedback.send_feedback_reply``, same e-mail), for the plan's coordinators,
    whose permission to answer is the plan's (checked by the view).

    Side effects: the feedback's reply, who and when, status done; one e-mail; audit
    ``content.feedback.replied`` and ``localplans.comment.replied``."""
    send_feedback_reply(actor=actor, feedback=comment.feedback, text=text)
    audit.record(
        action="localplans.comment.replied",
        actor=actor,
        obj=comment,
        data={
            "plan": comment.plan.slug,
            "kind": str(comment.kind),
            "feedback": comment.feedback_id,
        },
    )
