"""The language of a case: what acknowledgements, replies and canned answers are written in.

It is set when the case opens — from what the channel says, or, for an e-mail that does not
say, from the language its text was detected to be in (``core.language_detection``). A
detected language is marked as such on the case page until an officer corrects or confirms
it. Both are audit entries on the case (``cases.case.language_detected``,
``cases.case.language_changed``), so "detected" is read from the log rather than kept in a
column: the latest of the two says where the case's language came from.
"""

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils.translation import gettext as _

from coop4int.accounts.models import User
from coop4int.accounts.roles import Permission
from coop4int.cases.domain.cases import NotAllowed, _bump
from coop4int.cases.models import Case
from coop4int.core import audit
from coop4int.core.language_detection import DetectedLanguage
from coop4int.core.languages import UnknownLanguage, get_language
from coop4int.core.models import AuditEntry

LANGUAGE_DETECTED = "cases.case.language_detected"
LANGUAGE_CHANGED = "cases.case.language_changed"


@dataclass(frozen=True, slots=True)
class CaseLanguage:
    """A case's language as the officer sees it."""

    code: str
    name: str
    detected: bool
    """Guessed from the person's text, and neither corrected nor confirmed since."""
    confidence: float | None = None


def record_detected_language(*, case: Case, detected: DetectedLanguage) -> None:
    """Note that ``case``'s language was detected from the text of its first message.

    Side effects: audit ``cases.case.language_detected`` (no actor: the platform guessed)."""
    audit.record(
        action=LANGUAGE_DETECTED,
        actor=None,
        obj=case,
        unit=case.unit,
        data={"language": detected.code, "confidence": detected.confidence},
    )


def _latest_language_entry(case: Case) -> AuditEntry | None:
    return (
        AuditEntry.objects.filter(
            object_type=ContentType.objects.get_for_model(Case),
            object_id=str(case.pk),
            action__in=(LANGUAGE_DETECTED, LANGUAGE_CHANGED),
        )
        .order_by("-created_at", "-id")
        .first()
    )


def language_of_case(case: Case) -> CaseLanguage:
    """The case's language, and whether it is a detection nobody has checked yet."""
    latest = _latest_language_entry(case)
    detected = (
        latest is not None
        and latest.action == LANGUAGE_DETECTED
        and latest.data.get("language") == case.language
    )
    try:
        name = get_language(case.language).native_name
    except UnknownLanguage:
        name = case.language
    confidence = latest.data.get("confidence") if detected and latest is not None else None
    return CaseLanguage(
        code=case.language,
        name=name,
        detected=detected,
        confidence=float(confidence) if isinstance(confidence, int | float) else None,
    )


@transaction.atomic
def correct_case_language(
    *, actor: User, case: Case, language: str, expected_version: int | None
) -> bool:
    """An officer sets the language the person is answered in (a detected language is thus
    corrected, or confirmed when it is the same). False when nothing changed: the language
    was already the one set by an officer or by the channel.

    Side effects: the case's ``language`` and version; audit ``cases.case.language_changed``
    with the former language and whether it had been detected. Later acknowledgements,
    replies and canned answers use the new language; what was sent stays as it was. Raises
    NotAllowed (nothing changed) for a case outside the officer's reach or a language not in
    the registry, StaleCase when the case changed since ``expected_version``."""
    if not actor.has_perm(Permission.WORK_CASES, case):
        raise NotAllowed(_("That case is not within your reach."))
    try:
        code = get_language(language).code
    except UnknownLanguage:
        raise NotAllowed(
            _("“%(language)s” is not a language the platform knows. Nothing was changed.")
            % {"language": language[:20]}
        ) from None
    was = language_of_case(case)
    if code == case.language and not was.detected:
        return False
    previous = case.language
    _bump(case, expected_version, language=code)
    audit.record(
        action=LANGUAGE_CHANGED,
        actor=actor,
        obj=case,
        unit=case.unit,
        data={"from": previous, "to": code, "was_detected": was.detected},
    )
    return True
