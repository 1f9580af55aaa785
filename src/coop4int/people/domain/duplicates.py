"""Possible duplicates of a person being registered: similar names (rapidfuzz, accents and case
folded, word order ignored), the same date of birth, phone, e-mail or document."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Q
from rapidfuzz import fuzz

from coop4int.core.text_search import fold
from coop4int.people.models import Person

# token_sort_ratio at or above this: "Maria Fernanda Lopes" ~ "Lopes, Maria Fernanda".
NAME_THRESHOLD = 85
# Compared by name only among people sharing a first letter of a name word: bounds the work.
_CANDIDATES = 2000


@dataclass(frozen=True, slots=True)
class PossibleDuplicate:
    person: Person
    score: int
    reasons: tuple[str, ...]


def possible_duplicates(
    *,
    given_names: str = "",
    family_names: str = "",
    birth_date: date | None = None,
    phones: tuple[str, ...] = (),
    emails: tuple[str, ...] = (),
    document_number: str = "",
    limit: int = 10,
) -> list[PossibleDuplicate]:
    """People who may be the one described, best first, each with why."""
    name = fold(f"{given_names} {family_names}").strip()
    words = [w for w in name.split() if len(w) >= 2]
    exact = Q(pk__in=[])
    if phones or emails:
        exact |= Q(contacts__value__in=[*phones, *emails])
    if document_number:
        exact |= Q(document_number=document_number.strip())
    if birth_date:
        exact |= Q(birth_date=birth_date)
    by_name = Q(pk__in=[])
    for word in words:
        by_name |= Q(folded_name__contains=word[:4])
    candidates = (
        Person.objects.filter(merged_into__isnull=True)
        .filter(exact | by_name)
        .prefetch_related("contacts")
        .distinct()[:_CANDIDATES]
    )
    found: list[PossibleDuplicate] = []
    for person in candidates:
        reasons: list[str] = []
        score = 0
        if name and person.folded_name:
            similarity = int(fuzz.token_sort_ratio(name, person.folded_name))
            if similarity >= NAME_THRESHOLD:
                reasons.append("name")
                score = similarity
        values = {contact.value for contact in person.contacts.all()}
        if values & {*phones, *emails}:
            reasons.append("contact")
            score += 100
        if document_number and person.document_number == document_number.strip():
            reasons.append("document")
            score += 100
        if birth_date and person.birth_date == birth_date:
            reasons.append("birth_date")
            score += 30 if reasons[:-1] else 0
        if reasons and reasons != ["birth_date"]:
            found.append(PossibleDuplicate(person=person, score=score, reasons=tuple(reasons)))
    found.sort(key=lambda d: -d.score)
    return found[:limit]
