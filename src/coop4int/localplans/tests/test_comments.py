"""Comments and proposals from the public on a plan: into the feedback queue, linked to the
plan, its coordinators told by e-mail (never who wrote), answered by e-mail."""

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import translation

from coop4int.content.enums import FeedbackStatus
from coop4int.content.models import Feedback
from coop4int.core.models import AuditEntry
from coop4int.localplans.domain.comments import reply_to_comment, send_comment
from coop4int.localplans.enums import CommentKind, PlanStatus
from coop4int.localplans.models import Plan, PlanComment
from coop4int.localplans.tasks import plan_coordinators, tell_coordinators_of_comment
from coop4int.localplans.tests.factories import make_admin, make_coordinator, make_plan

pytestmark = pytest.mark.django_db

SENDER = "maria.tavares@example.org"
PAGE = "/pt/plans/praia-2025-2027/comment/"

Capture = Callable[..., AbstractContextManager[Any]]


def _send(plan: Plan, **overrides: Any) -> PlanComment:
    arguments: dict[str, Any] = {
        "plan": plan, "kind": CommentKind.PROPOSAL, "message": " Abram ao sábado. ",
        "contact_email": SENDER, "language": "pt", "page": PAGE,
    }  # fmt: skip
    return send_comment(**(arguments | overrides))


def test_a_comment_enters_the_feedback_queue_linked_to_the_plan() -> None:
    plan = make_plan(status=PlanStatus.IN_FORCE)
    comment = _send(plan)
    feedback = comment.feedback
    assert (comment.plan, comment.kind) == (plan, CommentKind.PROPOSAL)
    assert (feedback.message, feedback.contact_email, feedback.language) == (
        "Abram ao sábado.", SENDER, "pt",
    )  # fmt: skip
    assert feedback.status == FeedbackStatus.NEW
    assert feedback.route == "portal:plan_comment"
    received = AuditEntry.objects.get(action="localplans.comment.received")
    assert received.data == {"plan": plan.slug, "kind": "proposal", "feedback": feedback.pk}
    # The sender's address is masked in the queue's own audit entry, absent from the plan's.
    assert SENDER not in str(AuditEntry.objects.get(action="content.feedback.received").data)


def test_the_plans_coordinators_are_told_without_the_senders_address(
    django_capture_on_commit_callbacks: Capture,
) -> None:
    plan = make_plan(status=PlanStatus.IN_FORCE, municipalities=("CV-PR", "CV-RS"))
    praia = make_coordinator("Praia", username="coord.praia")
    praia.language = "en"
    praia.save(update_fields=["language"])
    ribeira = make_coordinator("Ribeira Grande de Santiago", username="coord.ribeira")
    make_coordinator("Sal", username="coord.sal")
    make_admin(username="aai.admin")
    with django_capture_on_commit_callbacks(execute=True):
        _send(plan, message="O posto de saúde não atende em crioulo.")
    assert sorted(message.to[0] for message in mail.outbox) == sorted([praia.email, ribeira.email])
    english = next(message for message in mail.outbox if message.to == [praia.email])
    assert english.subject == f"A proposal on the plan “Plan {plan.slug}”"
    assert "A member of the public sent a proposal" in english.body
    for message in mail.outbox:
        assert SENDER not in message.body + message.subject
        assert "crioulo" not in message.body


def test_an_inactive_coordinator_or_one_without_an_address_is_not_written_to() -> None:
    plan = make_plan(status=PlanStatus.APPROVED)
    away = make_coordinator("Praia")
    away.is_active = False
    away.save(update_fields=["is_active"])
    silent = make_coordinator("Praia")
    silent.email = ""
    silent.save(update_fields=["email"])
    present = make_coordinator("Praia")
    assert plan_coordinators(plan) == [present]


def test_telling_of_a_comment_that_is_gone_sends_nothing() -> None:
    make_coordinator("Praia")
    assert tell_coordinators_of_comment.call(987654) == 0
    assert mail.outbox == []


@pytest.mark.parametrize("status", [PlanStatus.DRAFT, PlanStatus.SUBMITTED])
def test_a_plan_not_public_takes_no_comment(status: PlanStatus) -> None:
    plan = make_plan(status=status)
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        _send(plan)
    assert refused.value.messages == ["This plan does not take comments."]
    assert not Feedback.objects.exists()
    assert not PlanComment.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "code"),
    [({"message": "   "}, None), ({"message": "x" * 4001}, "too_long"),
     ({"contact_email": "not an address"}, "email"), ({"kind": "complaint"}, "kind")],
)  # fmt: skip
def test_a_bad_comment_is_refused_and_nothing_kept(
    overrides: dict[str, str], code: str | None
) -> None:
    plan = make_plan(status=PlanStatus.IN_FORCE)
    with pytest.raises(ValidationError) as refused:
        _send(plan, **overrides)
    if code is not None:
        assert refused.value.code == code
    else:
        assert "message" in refused.value.message_dict
    assert not Feedback.objects.exists()
    assert not PlanComment.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="localplans.").exists()


def test_a_comment_without_an_address_is_received() -> None:
    plan = make_plan(status=PlanStatus.CLOSED)
    comment = _send(plan, contact_email="", kind=CommentKind.COMMENT)
    assert comment.feedback.contact_email == ""
    assert comment.kind == CommentKind.COMMENT


def test_a_coordinator_replies_in_the_senders_language_and_closes_the_message() -> None:
    plan = make_plan(status=PlanStatus.IN_FORCE)
    comment = _send(plan, language="fr")
    coordinator = make_coordinator()
    reply_to_comment(actor=coordinator, comment=comment, text=" Merci, c'est noté. ")
    feedback = Feedback.objects.get(pk=comment.feedback_id)
    assert (feedback.reply, feedback.replied_by, feedback.status) == (
        "Merci, c'est noté.", coordinator, FeedbackStatus.DONE,
    )  # fmt: skip
    [message] = mail.outbox
    assert message.to == [SENDER]
    assert "Merci, c'est noté." in message.body
    with translation.override("fr"):
        assert message.subject == translation.gettext("Your message to Coop4Int")
    replied = AuditEntry.objects.get(action="localplans.comment.replied")
    assert replied.data["plan"] == plan.slug
    assert AuditEntry.objects.filter(action="content.feedback.replied").count() == 1


def test_a_comment_without_an_address_or_an_empty_reply_is_not_answered() -> None:
    plan = make_plan(status=PlanStatus.IN_FORCE)
    coordinator = make_coordinator()
    anonymous = _send(plan, contact_email="")
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        reply_to_comment(actor=coordinator, comment=anonymous, text="Thank you.")
    assert refused.value.messages == ["The sender left no address to reply to."]
    signed = _send(plan)
    with pytest.raises(ValidationError):
        reply_to_comment(actor=coordinator, comment=signed, text="  ")
    assert mail.outbox == []
    assert not Feedback.objects.exclude(reply="").exists()
