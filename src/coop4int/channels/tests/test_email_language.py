"""The language of incoming e-mail: a message without Content-Language is answered in the
language it is written in — the acknowledgement and the officers' replies — the case marks that
language "detected" until an officer corrects or confirms it, and the correction is audited."""

from email.message import EmailMessage
from email.utils import make_msgid

import pytest
from django.core import mail
from django.utils import translation
from django.utils.translation import gettext

from coop4int.accounts.enums import Role
from coop4int.cases.domain.case_language import (
    LANGUAGE_CHANGED,
    LANGUAGE_DETECTED,
    correct_case_language,
    language_of_case,
)
from coop4int.cases.domain.cases import NotAllowed, StaleCase, reply
from coop4int.cases.enums import Channel
from coop4int.channels.email_in import file_message
from coop4int.core.models import AuditEntry

pytestmark = pytest.mark.django_db

FRENCH = (
    "Bonjour, je suis arrivé à Praia le mois dernier avec ma famille. Je voudrais savoir "
    "comment obtenir un titre de séjour et inscrire mes enfants à l'école. Merci beaucoup."
)
PORTUGUESE = "Bom dia, preciso de renovar a minha autorização de residência. Obrigado."
ENGLISH = (
    "Hello, I arrived in Mindelo two weeks ago and I need help to find a doctor who speaks "
    "English. Thank you very much."
)
KABUVERDIANU = (
    "Bom dia, N kre sabe modi ki N ta fazi pa tira nha dokumentu di residensia. Nha fidju "
    "ka sta na skola inda. Obrigadu txeu."
)
SIGNED_OFF = "Ending of the acknowledgement, as each language writes it."


@pytest.fixture(autouse=True)
def _mail_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PUBLIC_URL = "https://apoio.example.cv/"
    settings.CASES_FROM_EMAIL = "Coop4Int <apoio@example.cv>"


def message(body: str, *, subject: str = "Demande", headers: dict[str, str] | None = None):
    msg = EmailMessage()
    msg["From"] = "Awa Ndiaye <awa@example.org>"
    msg["To"] = "apoio@example.cv"
    msg["Subject"] = subject
    msg["Message-ID"] = make_msgid(domain="example.org")
    msg.set_content(body)
    for name, value in (headers or {}).items():
        msg[name] = value
    return bytes(msg)


def file(raw, unit, capture):
    with capture(execute=True):
        return file_message(raw, unit=unit)


def written_in(language: str, text: str) -> str:
    with translation.override(language):
        return gettext(text)


@pytest.mark.parametrize(
    ("body", "language"),
    [
        pytest.param(FRENCH, "fr", id="french"),
        pytest.param(ENGLISH, "en", id="english"),
        pytest.param(KABUVERDIANU, "kea", id="kabuverdianu"),
        pytest.param(PORTUGUESE, "pt", id="portuguese"),
    ],
)
def test_a_message_without_content_language_is_acknowledged_in_the_language_it_is_written_in(
    unit, django_capture_on_commit_callbacks, body, language
):
    result = file(message(body), unit, django_capture_on_commit_callbacks)

    case = result.case
    assert case.language == language
    assert case.person.preferred_language == language
    assert case.interactions.get().language == language
    shown = language_of_case(case)
    assert (shown.code, shown.detected) == (language, True)
    assert shown.confidence is not None
    assert shown.confidence >= 0.7
    [ack] = mail.outbox
    assert f"https://apoio.example.cv/{language}/follow/{case.reference}/" in ack.body
    assert written_in(language, "This message was sent automatically.") in ack.body


def test_the_french_acknowledgement_is_not_the_portuguese_one(
    unit, django_capture_on_commit_callbacks
):
    """The reported case: French from an unknown sender was acknowledged in Portuguese."""
    file(message(FRENCH), unit, django_capture_on_commit_callbacks)

    [ack] = mail.outbox
    french = written_in("fr", "To add to your request, answer this e-mail and keep the reference "
                              "in the subject.")  # fmt: skip
    portuguese = written_in("pt", "To add to your request, answer this e-mail and keep the "
                                  "reference in the subject.")  # fmt: skip
    assert french != portuguese
    assert french in ack.body
    assert portuguese not in ack.body


def test_content_language_is_believed_over_the_text(unit, django_capture_on_commit_callbacks):
    result = file(
        message(FRENCH, headers={"Content-Language": "pt"}),
        unit,
        django_capture_on_commit_callbacks,
    )

    assert result.case.language == "pt"
    assert not language_of_case(result.case).detected
    assert not AuditEntry.objects.filter(action=LANGUAGE_DETECTED).exists()


def test_a_message_too_short_to_tell_keeps_portuguese_undetected(
    unit, django_capture_on_commit_callbacks
):
    result = file(message("Olá", subject="Oi"), unit, django_capture_on_commit_callbacks)

    assert result.case.language == "pt"
    assert not language_of_case(result.case).detected


def test_the_detection_is_audited_on_the_case(unit, django_capture_on_commit_callbacks):
    result = file(message(FRENCH), unit, django_capture_on_commit_callbacks)

    entry = AuditEntry.objects.get(action=LANGUAGE_DETECTED)
    assert entry.object_id == str(result.case.pk)
    assert entry.actor is None
    assert entry.data["language"] == "fr"


def test_replies_go_in_the_detected_language(unit, make_staff, django_capture_on_commit_callbacks):
    officer = make_staff(Role.FRONT_OFFICE_OFFICER, unit)
    case = file(message(FRENCH), unit, django_capture_on_commit_callbacks).case
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        answer = reply(actor=officer, case=case, body="Voici la liste.", channel=Channel.EMAIL)

    assert answer.language == "fr"
    [sent] = mail.outbox
    assert written_in(
        "fr", "Your request %(reference)s. Answer this e-mail to add to it; keep the reference "
        "in the subject."
    ) % {"reference": case.reference} in sent.body  # fmt: skip


def test_an_officer_corrects_the_detected_language_and_is_audited(
    unit, make_staff, django_capture_on_commit_callbacks
):
    officer = make_staff(Role.FRONT_OFFICE_OFFICER, unit)
    case = file(message(FRENCH), unit, django_capture_on_commit_callbacks).case
    version = case.version

    assert correct_case_language(actor=officer, case=case, language="en", expected_version=version)

    case.refresh_from_db()
    assert case.language == "en"
    assert case.version == version + 1
    assert language_of_case(case) == language_of_case(case).__class__(
        code="en", name="English", detected=False
    )
    entry = AuditEntry.objects.get(action=LANGUAGE_CHANGED)
    assert entry.actor == officer
    assert entry.data == {"from": "fr", "to": "en", "was_detected": True}
    # Later replies are in the corrected language.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        reply(actor=officer, case=case, body="Here is the list.", channel=Channel.EMAIL)
    [sent] = mail.outbox
    assert f"Your request {case.reference}." in sent.body


def test_confirming_the_detected_language_ends_the_detected_mark(
    unit, make_staff, django_capture_on_commit_callbacks
):
    officer = make_staff(Role.FRONT_OFFICE_OFFICER, unit)
    case = file(message(FRENCH), unit, django_capture_on_commit_callbacks).case

    assert correct_case_language(
        actor=officer, case=case, language="fr", expected_version=case.version
    )
    assert not language_of_case(case).detected
    # Once confirmed, choosing it again changes nothing and audits nothing more.
    assert not correct_case_language(
        actor=officer, case=case, language="fr", expected_version=case.version
    )
    assert AuditEntry.objects.filter(action=LANGUAGE_CHANGED).count() == 1


def test_a_correction_on_an_old_version_or_to_an_unknown_language_changes_nothing(
    unit, other_unit, make_staff, django_capture_on_commit_callbacks
):
    officer = make_staff(Role.FRONT_OFFICE_OFFICER, unit)
    case = file(message(FRENCH), unit, django_capture_on_commit_callbacks).case

    with pytest.raises(StaleCase):
        correct_case_language(
            actor=officer, case=case, language="en", expected_version=case.version - 1
        )
    with pytest.raises(NotAllowed):
        correct_case_language(actor=officer, case=case, language="xx", expected_version=None)
    stranger = make_staff(Role.FRONT_OFFICE_OFFICER, other_unit)
    with pytest.raises(NotAllowed):
        correct_case_language(actor=stranger, case=case, language="en", expected_version=None)

    case.refresh_from_db()
    assert case.language == "fr"
    assert language_of_case(case).detected
    assert not AuditEntry.objects.filter(action=LANGUAGE_CHANGED).exists()


def test_a_reply_in_another_language_does_not_change_the_case_language(
    unit, django_capture_on_commit_callbacks
):
    first = file(message(FRENCH), unit, django_capture_on_commit_callbacks)
    answer = message(ENGLISH, subject=f"Re: [{first.case.reference}] Demande")

    second = file(answer, unit, django_capture_on_commit_callbacks)

    assert second.case == first.case
    assert not second.opened
    assert second.interaction.language == "en"
    first.case.refresh_from_db()
    assert first.case.language == "fr"
