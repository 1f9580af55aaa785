"""The plan's evaluation: its questions, and their answers at mid-term and at the end."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from coop4int.core.models import AuditEntry
from coop4int.localplans.domain.evaluation import add_question, answer_question, update_question
from coop4int.localplans.enums import EvaluationStage, PlanStatus
from coop4int.localplans.models import EvaluationAnswer, EvaluationQuestion, PlanChange
from coop4int.localplans.tests.factories import NOW, make_coordinator, make_plan

pytestmark = pytest.mark.django_db


def test_questions_are_added_in_order_with_history_and_audit() -> None:
    plan = make_plan()
    coordinator = make_coordinator()
    first = add_question(
        actor=coordinator, plan=plan, text={"pt": " Quem foi servido? ", "en": ""}, now=NOW
    )
    second = add_question(actor=coordinator, plan=plan, text={"en": "What changed?"}, now=NOW)
    assert (first.position, second.position) == (0, 1)
    # Blank texts are not kept, the others trimmed.
    assert first.text == {"pt": "Quem foi servido?"}
    change = PlanChange.objects.filter(plan=plan).first()
    assert change is not None
    assert change.action == "localplans.evaluation.question_added"
    assert change.details == {"question": 2, "languages": ["en"]}
    assert change.at == NOW
    assert AuditEntry.objects.filter(action="localplans.evaluation.question_added").count() == 2


@pytest.mark.parametrize(
    ("text", "code"),
    [({}, "empty"), ({"pt": "  "}, "empty"), ({"xx": "Why?"}, "language"),
     ({"pt": "x" * 1001}, "too_long")],
)  # fmt: skip
def test_a_question_without_text_in_a_known_language_is_refused(
    text: dict[str, str], code: str
) -> None:
    plan = make_plan()
    with pytest.raises(ValidationError) as refused:
        add_question(actor=None, plan=plan, text=text, now=NOW)
    assert refused.value.code == code
    assert not EvaluationQuestion.objects.exists()
    assert not PlanChange.objects.exists()


@pytest.mark.parametrize("status", [PlanStatus.SUBMITTED, PlanStatus.CLOSED])
def test_questions_are_not_changed_while_the_plan_is_reviewed_or_once_closed(
    status: PlanStatus,
) -> None:
    plan = make_plan(status=status)
    question = EvaluationQuestion.objects.create(plan=plan, text={"pt": "Porquê?"})
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        add_question(actor=None, plan=plan, text={"pt": "Outra?"}, now=NOW)
    assert "closed" in refused.value.messages[0]
    with pytest.raises(ValidationError):
        update_question(actor=None, question=question, text={"pt": "Como?"}, now=NOW)
    question.refresh_from_db()
    assert question.text == {"pt": "Porquê?"}
    assert plan.questions.count() == 1


def test_updating_a_question_records_the_languages_changed() -> None:
    plan = make_plan(status=PlanStatus.IN_FORCE)
    question = EvaluationQuestion.objects.create(plan=plan, text={"pt": "Porquê?", "en": "Why?"})
    updated = update_question(
        actor=None, question=question, text={"pt": "Porquê?", "fr": "Pourquoi ?"}, now=NOW
    )
    assert updated.text == {"pt": "Porquê?", "fr": "Pourquoi ?"}
    change = PlanChange.objects.get(plan=plan)
    assert change.action == "localplans.evaluation.question_updated"
    assert change.details == {"question": 1, "languages": ["en", "fr"]}


@pytest.mark.parametrize("status", [PlanStatus.APPROVED, PlanStatus.IN_FORCE, PlanStatus.CLOSED])
def test_an_approved_plan_is_answered_and_an_answer_given_again_replaces_it(
    status: PlanStatus,
) -> None:
    plan = make_plan(status=status)
    coordinator = make_coordinator()
    question = EvaluationQuestion.objects.create(plan=plan, text={"pt": "Porquê?"})
    answer_question(
        actor=coordinator, question=question, stage=EvaluationStage.MID_TERM,
        answer="Primeira resposta.", language="pt", now=NOW,
    )  # fmt: skip
    later = NOW.replace(month=9)
    answer = answer_question(
        actor=None, question=question, stage=EvaluationStage.MID_TERM,
        answer=" Second answer. ", language="en", now=later,
    )  # fmt: skip
    assert EvaluationAnswer.objects.count() == 1
    answer.refresh_from_db()
    assert (answer.answer, answer.language, answer.answered_at, answer.answered_by) == (
        "Second answer.", "en", later, None,
    )  # fmt: skip
    details = [
        change.details
        for change in PlanChange.objects.filter(action="localplans.evaluation.answered")
    ]
    assert details == [
        {"question": 1, "stage": "mid_term", "replaced": True},
        {"question": 1, "stage": "mid_term", "replaced": False},
    ]


def test_mid_term_and_final_answers_are_kept_apart() -> None:
    plan = make_plan(status=PlanStatus.IN_FORCE)
    question = EvaluationQuestion.objects.create(plan=plan, text={"pt": "Porquê?"})
    for stage in EvaluationStage:
        answer_question(
            actor=None, question=question, stage=stage, answer=f"At {stage}.", language="en",
            now=NOW,
        )  # fmt: skip
    assert sorted(question.answers.values_list("stage", "answer")) == [
        ("final", "At final."), ("mid_term", "At mid_term."),
    ]  # fmt: skip


@pytest.mark.parametrize("status", [PlanStatus.DRAFT, PlanStatus.SUBMITTED])
def test_a_plan_not_yet_approved_is_not_evaluated(status: PlanStatus) -> None:
    plan = make_plan(status=status)
    question = EvaluationQuestion.objects.create(plan=plan, text={"pt": "Porquê?"})
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        answer_question(
            actor=None, question=question, stage=EvaluationStage.FINAL, answer="Early.",
            language="en", now=NOW,
        )  # fmt: skip
    assert refused.value.messages == ["A plan is evaluated once it has been approved."]
    assert not EvaluationAnswer.objects.exists()


@pytest.mark.parametrize(
    ("stage", "answer", "language", "code"),
    [("final", "  ", "pt", "empty"), ("later", "Yes.", "pt", "stage"),
     ("final", "Yes.", "xx", "language")],
)  # fmt: skip
def test_an_answer_that_is_empty_or_of_no_known_stage_or_language_is_refused(
    stage: str, answer: str, language: str, code: str
) -> None:
    plan = make_plan(status=PlanStatus.IN_FORCE)
    question = EvaluationQuestion.objects.create(plan=plan, text={"pt": "Porquê?"})
    with pytest.raises(ValidationError) as refused:
        answer_question(
            actor=None, question=question, stage=stage,  # type: ignore[arg-type]
            answer=answer, language=language, now=NOW,
        )  # fmt: skip
    assert refused.value.code == code
    assert not EvaluationAnswer.objects.exists()
    assert not PlanChange.objects.exists()
