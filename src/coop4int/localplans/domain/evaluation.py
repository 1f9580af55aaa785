"""A plan's evaluation: the questions it sets itself (written with the plan, per language)
and the answers given to each at mid-term and at the end, once AAI has approved the plan.

An answer is one per question and stage: answering again replaces it (who answered and when
are kept with it, the change in the plan's history)."""

from collections.abc import Mapping
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from coop4int.accounts.models import User
from coop4int.core.languages import REGISTRY
from coop4int.localplans.domain.history import record_change
from coop4int.localplans.enums import EvaluationStage, PlanStatus
from coop4int.localplans.models import EvaluationAnswer, EvaluationQuestion, Plan
from coop4int.localplans.texts import plan_editable

# A plan is evaluated once AAI approved it, and still after it closed (the final evaluation).
EVALUATED_PLAN_STATUSES = (PlanStatus.APPROVED, PlanStatus.IN_FORCE, PlanStatus.CLOSED)
QUESTION_LENGTH = 1000


def _clean_text(text: Mapping[str, str]) -> dict[str, str]:
    """The question's texts without the empty ones; refused when none is left, when a
    language is not known, or when one is too long."""
    cleaned = {language: value.strip() for language, value in text.items() if value.strip()}
    if not cleaned:
        raise ValidationError(_("Write the question in at least one language."), code="empty")
    if set(cleaned) - set(REGISTRY):
        raise ValidationError(
            _("The question is written in a language the platform does not know."),
            code="language",
        )
    if any(len(value) > QUESTION_LENGTH for value in cleaned.values()):
        raise ValidationError(
            _("A question is at most %(length)s characters long.") % {"length": QUESTION_LENGTH},
            code="too_long",
        )
    return cleaned


def _check_editable(plan: Plan) -> None:
    if not plan_editable(plan):
        raise ValidationError(
            _("The plan cannot be changed while it awaits approval or once it is closed."),
            code="plan_frozen",
        )


@transaction.atomic
def add_question(
    *,
    actor: User | None,
    plan: Plan,
    text: Mapping[str, str],
    now: datetime | None = None,
) -> EvaluationQuestion:
    """Add an evaluation question to ``plan`` (after its others), written in one language or
    more. Refused while the plan awaits approval or once it is closed.

    Side effects: one EvaluationQuestion; history and audit
    ``localplans.evaluation.question_added``."""
    at = now if now is not None else timezone.now()
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    _check_editable(plan)
    cleaned = _clean_text(text)
    last = plan.questions.aggregate(last=Max("position"))["last"]
    question = EvaluationQuestion.objects.create(
        plan=plan, text=cleaned, position=0 if last is None else last + 1
    )
    record_change(
        plan=plan,
        actor=actor,
        action="localplans.evaluation.question_added",
        obj=question,
        details={"question": question.position + 1, "languages": sorted(cleaned)},
        at=at,
    )
    return question


@transaction.atomic
def update_question(
    *,
    actor: User | None,
    question: EvaluationQuestion,
    text: Mapping[str, str],
    now: datetime | None = None,
) -> EvaluationQuestion:
    """Rewrite ``question`` (its texts in every language, as given). Refused while the plan
    awaits approval or once it is closed.

    Side effects: the question's text; history and audit
    ``localplans.evaluation.question_updated`` (the languages changed)."""
    at = now if now is not None else timezone.now()
    locked = (
        EvaluationQuestion.objects.select_for_update().select_related("plan").get(pk=question.pk)
    )
    _check_editable(locked.plan)
    cleaned = _clean_text(text)
    changed = sorted(
        language
        for language in set(cleaned) | set(locked.text)
        if cleaned.get(language) != locked.text.get(language)
    )
    locked.text = cleaned
    locked.save(update_fields=["text"])
    record_change(
        plan=locked.plan,
        actor=actor,
        action="localplans.evaluation.question_updated",
        obj=locked,
        details={"question": locked.position + 1, "languages": changed},
        at=at,
    )
    return locked


@transaction.atomic
def answer_question(
    *,
    actor: User | None,
    question: EvaluationQuestion,
    stage: EvaluationStage,
    answer: str,
    language: str,
    now: datetime | None = None,
) -> EvaluationAnswer:
    """Answer ``question`` for the mid-term or the final evaluation, replacing an earlier answer
    at that stage. The plan must be approved, in force or closed.

    Side effects: one EvaluationAnswer created or replaced; history and audit
    ``localplans.evaluation.answered``."""
    at = now if now is not None else timezone.now()
    locked = (
        EvaluationQuestion.objects.select_for_update().select_related("plan").get(pk=question.pk)
    )
    plan = locked.plan
    if plan.status not in EVALUATED_PLAN_STATUSES:
        raise ValidationError(
            _("A plan is evaluated once it has been approved."), code="plan_not_approved"
        )
    if stage not in EvaluationStage.values:
        raise ValidationError(_("Choose the mid-term or the final evaluation."), code="stage")
    if not answer.strip():
        raise ValidationError(_("Write the answer."), code="empty")
    if language not in REGISTRY:
        raise ValidationError(
            _("The answer is written in a language the platform does not know."),
            code="language",
        )
    stored, created = EvaluationAnswer.objects.update_or_create(
        question=locked,
        stage=EvaluationStage(stage),
        defaults={
            "answer": answer.strip(),
            "language": language,
            "answered_at": at,
            "answered_by": actor if actor is not None and actor.pk else None,
            "answered_by_username": actor.get_username() if actor is not None else "",
        },
    )
    record_change(
        plan=plan,
        actor=actor,
        action="localplans.evaluation.answered",
        obj=stored,
        details={
            "question": locked.position + 1,
            "stage": str(stored.stage),
            "replaced": not created,
        },
        at=at,
    )
    return stored
