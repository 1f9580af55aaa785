"""Messages to participants: every message written in the participant's language (or the
interface language standing for it), sent the way they asked for through the appointments'
sender with the training app's templates and audit codes, and never breaking what they are
about when they cannot go."""

import pytest
from django.core import mail

from coop4int.appointments import notify as appointment_messages
from coop4int.core.models import AuditEntry
from coop4int.directory.tests.factories import LocationFactory
from coop4int.learning import notify
from coop4int.learning.tests.factories import (
    CourseFactory,
    CourseSessionFactory,
    EnrolmentFactory,
    publish_text,
)
from coop4int.learning.tests.gateway import use_fake_gateway

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def gateway(settings, monkeypatch):
    settings.PUBLIC_URL = "https://apoio.example.cv"
    return use_fake_gateway(settings, monkeypatch)


@pytest.fixture
def session(unit):
    course = CourseFactory(unit=unit, title="Português para o trabalho")
    publish_text(course.description, language="fr", title="Le portugais au travail")
    place = LocationFactory(name="Centro de Formação", island="Santiago", municipality="Praia")
    return CourseSessionFactory(course=course, location=place)


def _enrolment(session, **fields):
    values = {"name": "Aminata Diallo", "phone": "+2389912345", "language": "fr"}
    return EnrolmentFactory(session=session, **(values | fields))


def _entries(action):
    return list(AuditEntry.objects.filter(action=action).order_by("pk"))


@pytest.mark.parametrize("message", notify.MESSAGES)
@pytest.mark.parametrize("language", ["pt", "kea", "en", "fr"])
def test_every_message_is_written_in_every_interface_language(session, message, language):
    enrolment = _enrolment(session, language=language)
    context = notify.session_context(enrolment, position=2, verify_url="https://x.example/v/1/")
    subject, body, short = appointment_messages.render_message(
        enrolment, message, context, template_dir=notify.TEMPLATE_DIR
    )
    title = "Le portugais au travail" if language == "fr" else "Português para o trabalho"
    assert title in subject
    assert title in body
    assert body.startswith({"en": "Hello", "fr": "Bonjour"}.get(language, "Olá"))
    assert session.course.unit.name in body
    assert short
    for text in (subject, body, short):
        assert "{{" not in text
        assert "{%" not in text
        assert "None" not in text


def test_the_details_are_in_the_participants_language_and_on_the_places_clock(session):
    enrolment = _enrolment(session)
    _subject, body, short = appointment_messages.render_message(
        enrolment,
        "enrolment_accepted",
        notify.session_context(enrolment),
        template_dir=notify.TEMPLATE_DIR,
    )
    assert body.startswith("Bonjour Aminata Diallo,")
    assert "lundi 9 mars 2026" in body  # the first day, 09:00 in Praia
    assert "09:00" in body
    assert "11 mars 2026" in body  # the last day
    assert "Centro de Formação" in body
    assert "Où\u00a0:" in body
    assert "09/03/2026" in short or "09/03/26" in short


def test_a_language_without_an_interface_gets_the_default(session):
    enrolment = _enrolment(session, language="wo")
    _subject, body, _short = appointment_messages.render_message(
        enrolment,
        "session_reminder",
        notify.session_context(enrolment),
        template_dir="learning/messages",
    )
    assert body.startswith("Olá, Aminata Diallo,")


def test_an_sms_goes_with_the_training_apps_audit_codes(session, gateway, unit):
    enrolment = _enrolment(session)
    assert notify.tell(enrolment, "enrolment_accepted") is True
    (sent,) = gateway.sent
    assert sent["to"] == "+2389912345"
    assert sent["whatsapp"] is False
    assert "Le portugais au travail" in sent["body"]
    (entry,) = _entries("learning.message.sent")
    assert entry.unit == unit
    assert entry.object_id == str(enrolment.pk)
    assert entry.data == {
        "message": "enrolment_accepted",
        "channel": "sms",
        "to": "***2345",
        "template": False,
        "attachments": 0,
    }
    assert "Aminata" not in str(entry.data)
    assert "Aminata" not in entry.object_repr
    assert not _entries("appointments.message.sent")


def test_an_email_goes_when_asked_for(session, gateway):
    enrolment = _enrolment(session, email="aminata@example.org", notify_by="email", language="en")
    notify.tell(enrolment, "application_received")
    (message,) = mail.outbox
    assert message.to == ["aminata@example.org"]
    assert message.subject == "Application received: Português para o trabalho"
    assert "https://apoio.example.cv/en/training/" in message.body
    assert gateway.sent == []


def test_whatsapp_only_with_an_approved_template(settings, session, gateway):
    enrolment = _enrolment(session, notify_by="whatsapp")
    notify.tell(enrolment, "enrolment_waiting")
    assert gateway.sent[-1]["whatsapp"] is False  # no template: by SMS
    settings.LEARNING_WHATSAPP_TEMPLATES = {"enrolment_waiting": "HX42"}
    notify.tell(enrolment, "enrolment_waiting")
    assert gateway.sent[-1]["whatsapp"] is True
    assert gateway.sent[-1]["template"] == "HX42"
    # The appointments' templates are theirs alone.
    settings.LEARNING_WHATSAPP_TEMPLATES = {}
    settings.APPOINTMENT_WHATSAPP_TEMPLATES = {"enrolment_waiting": "HX1"}
    notify.tell(enrolment, "enrolment_waiting")
    assert gateway.sent[-1]["whatsapp"] is False


def test_the_waiting_list_position_is_told(session, gateway):
    EnrolmentFactory(session=session, status="waiting")
    enrolment = _enrolment(session, status="waiting", language="en")
    notify.tell(enrolment, "enrolment_waiting")
    assert notify.waiting_position(enrolment) == 2
    assert "The course is full for now" not in gateway.sent[0]["body"]  # the SMS is short
    enrolment.notify_by, enrolment.email = "email", "a@example.org"
    notify.tell(enrolment, "enrolment_waiting")
    assert "You are number 2 on the list." in mail.outbox[0].body


def test_a_completion_message_gives_the_certificates_address(session, gateway):
    enrolment = _enrolment(session)
    notify.tell(enrolment, "outcome_completed", certificate_id="abc123", certificate_language="fr")
    assert "https://apoio.example.cv/fr/verify/abc123/" in gateway.sent[0]["body"]


def test_a_failure_is_recorded_never_raised(settings, monkeypatch, session, unit):
    use_fake_gateway(settings, monkeypatch, fail=True)
    enrolment = _enrolment(session)
    assert notify.tell(enrolment, "session_reminder") is False
    (entry,) = _entries("learning.message.failed")
    assert entry.unit == unit
    assert entry.data == {"message": "session_reminder", "channel": "sms", "problem": "SendFailed"}


def test_no_contact_no_message(session):
    enrolment = _enrolment(session, phone="", email="")
    assert notify.tell(enrolment, "enrolment_accepted") is False
    assert _entries("learning.message.failed")[0].data["problem"] == "no_contact"


def test_messages_are_withheld_for_invented_people(session, gateway):
    with appointment_messages.withheld():
        notify.tell(_enrolment(session), "enrolment_accepted")
    assert gateway.sent == []
    assert not AuditEntry.objects.filter(action__startswith="learning.message").exists()


def test_an_unknown_message_is_a_programming_error(session):
    with pytest.raises(ValueError, match="unknown message"):
        notify.tell(_enrolment(session), "booking_confirmed")


def test_messages_go_after_the_commit(session, gateway, django_capture_on_commit_callbacks):
    enrolment = _enrolment(session)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify.tell_on_commit(enrolment, "enrolment_accepted")
    assert gateway.sent == []
    for callback in callbacks:
        callback()
    assert len(gateway.sent) == 1
