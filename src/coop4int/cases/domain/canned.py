"""Canned answers: ready texts per topic in many languages, inserted in the person's language
with their placeholders filled."""

from collections.abc import Mapping

from django.db import transaction
from django.db.models import Q

from coop4int.accounts.models import User
from coop4int.cases.models import CannedAnswer, CannedAnswerText, Case
from coop4int.core import audit
from coop4int.core.languages import fallback_chain
from coop4int.directory.models import TaxonomyTerm

PLACEHOLDERS = ("name", "reference", "unit", "officer")


class _KeepUnknown(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def fill(text: str, values: Mapping[str, str]) -> str:
    """``text`` with ``{name}``-style placeholders replaced; unknown ones and stray braces stay
    as they are."""
    try:
        return text.format_map(_KeepUnknown(values))
    except (ValueError, IndexError, AttributeError):
        return text


def answers_for(case: Case) -> list[tuple[CannedAnswer, CannedAnswerText]]:
    """The answers for the case's topics and the general ones, each in the case's language (or
    the nearest in its fallback chain)."""
    topic_ids = list(case.topics.values_list("pk", flat=True))
    answers = (
        CannedAnswer.objects.filter(Q(topic__isnull=True) | Q(topic_id__in=topic_ids))
        .prefetch_related("texts")
        .order_by("title")
    )
    chosen = []
    for answer in answers:
        by_language = {text.language: text for text in answer.texts.all()}
        for code in fallback_chain(case.language):
            if code in by_language:
                chosen.append((answer, by_language[code]))
                break
    return chosen


def canned_reply(case: Case, answer_id: int, officer: User) -> tuple[str, str]:
    """(language, text) of a canned answer for ``case``; ("", "") when there is none."""
    for answer, text in answers_for(case):
        if answer.pk == answer_id:
            person = case.person
            return text.language, fill(
                text.body,
                {
                    "name": person.display_name if person else "",
                    "reference": case.reference,
                    "unit": case.unit.name,
                    "officer": officer.get_full_name() or officer.get_username(),
                },
            )
    return "", ""


@transaction.atomic
def save_canned_answer(
    *,
    actor: User,
    answer: CannedAnswer | None,
    title: str,
    topic: TaxonomyTerm | None,
    language: str,
    body: str,
    whatsapp_template: str = "",
) -> CannedAnswer:
    """Create an answer, or change it, and set its text in ``language``. Audited."""
    if answer is None:
        answer = CannedAnswer.objects.create(title=title, topic=topic)
    else:
        answer.title, answer.topic = title, topic
        answer.save(update_fields=["title", "topic"])
    CannedAnswerText.objects.update_or_create(
        answer=answer,
        language=language,
        defaults={"body": body, "whatsapp_template": whatsapp_template},
    )
    audit.record(
        action="cases.canned_answer.saved", actor=actor, obj=answer, data={"language": language}
    )
    return answer
