"""The whole e-mail loop through a real SMTP server on loopback: a person writes, the case is
acknowledged, an officer replies, the reply leaves with the case reference and its
Message-ID, and the person's answer to it joins the same case."""

from email.message import EmailMessage
from email.utils import make_msgid

import pytest
from django.test import override_settings

from coop4int.accounts.enums import Role
from coop4int.cases.domain.cases import reply
from coop4int.cases.enums import Channel, Direction, Status
from coop4int.cases.models import Case
from coop4int.channels.email_in import file_message

pytestmark = pytest.mark.django_db


def _from_person(subject: str, body: str, **headers: str) -> bytes:
    msg = EmailMessage()
    msg["From"] = "Mariama Baldé <mariama@example.org>"
    msg["To"] = "apoio@example.cv"
    msg["Subject"] = subject
    msg["Message-ID"] = make_msgid(domain="example.org")
    for name, value in headers.items():
        msg[name] = value
    msg.set_content(body)
    return bytes(msg)


def test_mail_in_reply_out_and_the_answer_joins_the_case(
    smtp, unit, make_staff, django_capture_on_commit_callbacks
):
    # The person writes: a case is opened and acknowledged through the SMTP server.
    with django_capture_on_commit_callbacks(execute=True):
        first = file_message(
            _from_person("Reagrupamento familiar", "Como posso trazer a minha filha?"), unit=unit
        )
    case = first.case
    [(recipients, ack)] = smtp.messages
    assert recipients == ["mariama@example.org"]
    assert f"[{case.reference}]" in ack["Subject"]
    assert ack["Auto-Submitted"] == "auto-replied"

    # An officer replies by e-mail: the task sends it at commit and records the delivery.
    officer = make_staff(Role.FRONT_OFFICE_OFFICER, unit)
    with django_capture_on_commit_callbacks(execute=True):
        outgoing = reply(
            actor=officer,
            case=case,
            body="Traga o passaporte da sua filha na segunda-feira.",
            channel=Channel.EMAIL,
        )
    assert len(smtp.messages) == 2
    recipients, sent = smtp.messages[1]
    assert recipients == ["mariama@example.org"]
    assert sent["Subject"] == f"[{case.reference}] Reagrupamento familiar"
    assert sent["In-Reply-To"] == first.interaction.message_id
    assert "Traga o passaporte" in sent.get_body().get_content()
    outgoing.refresh_from_db()
    assert outgoing.delivery == "sent"
    assert outgoing.message_id == sent["Message-ID"]
    assert outgoing.message_id.endswith("@example.cv>")

    # The person answers the reply, without the reference in the subject: the In-Reply-To
    # header alone takes the answer to the case, and no second acknowledgement is sent.
    with django_capture_on_commit_callbacks(execute=True):
        answer = file_message(
            _from_person(
                "Re: a minha filha",
                "Obrigada, irei na segunda.",
                **{"In-Reply-To": sent["Message-ID"]},
            ),
            unit=unit,
        )
    assert answer.case == case
    assert not answer.opened
    assert Case.objects.count() == 1
    assert len(smtp.messages) == 2
    case.refresh_from_db()
    assert case.status == Status.OPEN
    assert [(i.direction, i.body) for i in case.interactions.all()] == [
        (Direction.IN, "Como posso trazer a minha filha?"),
        (Direction.OUT, "Traga o passaporte da sua filha na segunda-feira."),
        (Direction.IN, "Obrigada, irei na segunda."),
    ]


def test_an_acknowledgement_that_cannot_be_sent_does_not_lose_the_message(
    unit, settings, tmp_path, django_capture_on_commit_callbacks, closed_port
):
    """With the SMTP server down, the case is still filed."""
    settings.MEDIA_ROOT = tmp_path
    with (
        override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=closed_port,  # nothing listens there
            EMAIL_USE_TLS=False,
            EMAIL_TIMEOUT=5,
        ),
        django_capture_on_commit_callbacks(execute=True),
    ):
        result = file_message(_from_person("Olá", "Bom dia"), unit=unit)
    assert result.opened
    assert Case.objects.filter(pk=result.case.pk).exists()


def test_a_bare_number_by_e_mail_answers_the_satisfaction_question(unit, make_staff):
    from coop4int.cases.domain.cases import change_status, open_case
    from coop4int.cases.enums import Status
    from coop4int.channels.email_in import file_message

    officer = make_staff(Role.FRONT_OFFICE_OFFICER, unit)
    case = open_case(
        actor=None, unit=unit, channel=Channel.EMAIL, subject="Visto", body="Olá",
        reply_email="ana@example.org", message_id="<first@example.org>",
    )[0]  # fmt: skip
    change_status(actor=officer, case=case, status=Status.RESOLVED)
    answer = (
        b"From: Ana <ana@example.org>\r\nTo: apoio@example.org\r\n"
        b"Subject: Re: [" + case.reference.encode() + b"] Visto\r\n"
        b"Message-ID: <answer@example.org>\r\n\r\n4\r\n"
    )
    file_message(answer, unit=unit)
    case.refresh_from_db()
    assert case.satisfaction == 4
    assert case.status == Status.RESOLVED


def test_a_reply_in_a_right_to_left_language_keeps_numbers_and_reference_in_order(
    smtp, unit, make_staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = file_message(_from_person("سؤال", "أحتاج إلى مساعدة."), unit=unit)
    case = first.case
    # The person reads Arabic; a reference with digits, as most are.
    Case.objects.filter(pk=case.pk).update(language="ar", reference="K7MX-4QF9")
    case.refresh_from_db()
    officer = make_staff(Role.FRONT_OFFICE_OFFICER, unit)

    with django_capture_on_commit_callbacks(execute=True):
        reply(actor=officer, case=case, body="اتصل بالرقم 808 257 257.", channel=Channel.EMAIL)

    _recipients, sent = smtp.messages[-1]
    content = sent.get_body().get_content()
    # U+2066 LEFT-TO-RIGHT ISOLATE … U+2069 POP DIRECTIONAL ISOLATE around each run.
    assert "اتصل بالرقم \u2066808 257 257\u2069." in content
    assert "\u2066K7MX-4QF9\u2069" in content
