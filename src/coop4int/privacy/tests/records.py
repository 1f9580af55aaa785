"""A person with something of every kind the platform declares: two cases with their
timelines (a message, a reply with a file, a note), a referral and a call-back, consents
given and withdrawn, phones and e-mails, a link to another unit, a correction and a remark
sent about a public page from their address, an appointment, a waiting-room ticket, and a
course completed with its certificate. Built through the domain functions, as staff
would."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from coop4int.accounts.models import Unit, User
from coop4int.appointments.domain.booking import book_slot, join_waiting_list
from coop4int.appointments.domain.queue import take_ticket
from coop4int.appointments.tests.helpers import NOW as APPOINTMENTS_NOW
from coop4int.appointments.tests.helpers import at as appointment_at
from coop4int.appointments.tests.helpers import bookable_desk
from coop4int.cases.domain.calls import schedule_callback
from coop4int.cases.domain.cases import add_note, open_case, reply
from coop4int.cases.enums import Channel
from coop4int.cases.models import Case, Referral
from coop4int.content.models import Feedback
from coop4int.directory.models import Service
from coop4int.learning.tests.credential_fixtures import SEED_A, issued
from coop4int.learning.tests.factories import CourseSessionFactory
from coop4int.people.domain.people import (
    PersonDetails,
    give_consent,
    link_to_unit,
    register_person,
    withdraw_consent,
)
from coop4int.people.domain.rectification import rectify_person
from coop4int.people.enums import ConsentMethod, Purpose
from coop4int.people.models import Person

AT = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
PDF = b"%PDF-1.4 lista de documentos\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40


@dataclass(frozen=True)
class Records:
    person: Person
    cases: tuple[Case, ...]
    files: dict[str, bytes]
    """The bytes of each attachment, by its original name."""


def person_with_records(
    *,
    officer: User,
    unit: Unit,
    other_unit: Unit,
    language: str = "pt",
    given_names: str = "Maria",
    phone: str = "+2389911111",
    email: str = "maria.tavares@example.cv",
) -> Records:
    person = register_person(
        actor=officer, unit=unit, phones=[phone], emails=[email],
        details=PersonDetails(
            given_names=given_names, family_names="Tavares", birth_date=date(1990, 5, 1),
            sex="female", nationalities=("CV", "SN"), languages=(language,),
            preferred_language=language, island="santiago", residence_status="pending",
        ),
    )  # fmt: skip
    for purpose in (Purpose.SERVICE, Purpose.REFERRAL, Purpose.STATISTICS):
        give_consent(
            actor=officer, person=person, purpose=purpose, method=ConsentMethod.IN_PERSON,
            at=AT,
        )  # fmt: skip
    withdraw_consent(actor=officer, person=person, purpose=Purpose.STATISTICS)

    first, _secret = open_case(
        actor=officer, unit=unit, channel=Channel.WALK_IN, person=person, language=language,
        subject="Autorização de residência", body="Pediu a lista de documentos.", at=AT,
    )  # fmt: skip
    reply(
        actor=officer, case=first, channel=Channel.WALK_IN, body="Traga o passaporte.",
        files=[SimpleUploadedFile("lista.pdf", PDF, "application/pdf")],
    )  # fmt: skip
    add_note(actor=officer, case=first, body="Voltará na sexta-feira.")
    second, _secret = open_case(
        actor=None, unit=unit, channel=Channel.EMAIL, person=person, language=language,
        subject="Curso de eletricidade", body="Quero inscrever-me.", reply_email=email,
        at=AT + timedelta(days=1),
    )  # fmt: skip
    reply(
        actor=officer, case=second, channel=Channel.EMAIL, body="Veja o cartaz.",
        files=[SimpleUploadedFile("cartaz.png", PNG, "image/png")],
    )  # fmt: skip
    schedule_callback(actor=officer, case=second, phone=phone, due_at=AT + timedelta(days=2))
    Referral.objects.create(
        case=first, service=Service.objects.create(name="Apoio jurídico", unit=other_unit),
        partner=other_unit, sent_by=officer, sent_at=AT, answer_due_at=AT + timedelta(days=3),
        shared={"name": given_names, "summary": "Autorização de residência"},
    )  # fmt: skip
    link_to_unit(actor=officer, person=person, unit=other_unit, method=ConsentMethod.VERBAL, at=AT)
    rectify_person(
        person=person, actor=officer, changes={"family_names": "Tavares Lopes"},
        reason="Erro de escrita", now=AT,
    )  # fmt: skip
    Feedback.objects.create(page="/pt/", language="pt", message="Falta o horário.",
                            contact_email=email)  # fmt: skip
    # An appointment booked for the person at the desk, and a place on a waiting list.
    desk = bookable_desk(unit)
    book_slot(
        service_at_location=desk.service_at_location, start=appointment_at(19, 9),
        name=given_names, phone=phone, language=language, actor=officer, person=person,
        now=APPOINTMENTS_NOW,
    )  # fmt: skip
    join_waiting_list(
        service_at_location=desk.service_at_location, day=appointment_at(21, 9).date(),
        name=given_names, phone=phone, language=language, actor=officer, person=person,
        now=APPOINTMENTS_NOW,
    )  # fmt: skip
    # A waiting-room ticket taken for the person, with a phone for its messages.
    take_ticket(
        service_at_location=desk.service_at_location, language=language, phone=phone,
        person=person, actor=officer, now=APPOINTMENTS_NOW,
    )  # fmt: skip
    # A course the person completed at the unit: attendance, an assessment and its certificate.
    with override_settings(CREDENTIAL_SIGNING_KEYS=[SEED_A]):
        issued(
            person=person, session=CourseSessionFactory(course__unit=unit), phone=phone,
            name=f"{given_names} Tavares", language=language,
        )  # fmt: skip
    person.refresh_from_db()
    return Records(person, (first, second), {"lista.pdf": PDF, "cartaz.png": PNG})
