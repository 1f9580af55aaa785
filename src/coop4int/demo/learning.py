"""Demo training: two courses with their sessions, participants, attendance and certificates.

- "Portuguese for work" (Português para o trabalho), for immigrants, in person at the Praia
  local unit and given with the employment and training institute (IEFP): a session that ended
  a month ago — three participants, attendance taken each day, two assessed and completed with
  a certificate, one below the attendance needed — and a session in three weeks, with one
  person enrolled by an officer and one application from the public site in Kabuverdianu, still
  to be decided (an unverified claim: it names no record).
- "Welcoming migrants: rights and services" (Acolher migrantes: direitos e serviços), for staff,
  civil society and local authorities: a session that ended, which an officer of Praia
  completed and a partner's member of staff, absent one of its two days, did not; and one to
  come, open to enrol.

Three certificates are issued; the one of the second participant of "Portuguese for work" is
then revoked as issued in error: two verify as valid, one as revoked. The courses' titles and
descriptions are published in Portuguese, Kabuverdianu, English and French through the
information hub's workflow (written by one editor, published by another).

The people are invented: names marked "(demo)", phone numbers from the range North America keeps
for fiction (555-0100 to 555-0199). Nobody is sent the messages enrolment sends. Everything goes
through the training domain's functions, ``now`` being the time of loading; loading twice
changes nothing (a course that exists is left as it is).
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import transaction

from coop4int.accounts.models import Unit, User
from coop4int.appointments import notify as messages
from coop4int.content.domain.workflow import publish, save_text, submit_for_review
from coop4int.content.models import Translation
from coop4int.demo.directory import demo_id
from coop4int.directory.models import Location, Organization
from coop4int.learning.domain.certificates import revoke_certificate
from coop4int.learning.domain.courses import add_session, create_course
from coop4int.learning.domain.enrolment import (
    Applicant,
    apply_publicly,
    enrol_person,
    enrol_self,
)
from coop4int.learning.domain.teaching import mark_outcome, record_assessment, record_attendance
from coop4int.learning.enums import (
    AssessmentResult,
    AttendanceStatus,
    Audience,
    DeliveryMode,
    RevocationReason,
)
from coop4int.learning.models import Course, CourseSession, Enrolment
from coop4int.people.domain.people import PersonDetails, give_consent, register_person
from coop4int.people.enums import ConsentMethod, Purpose
from coop4int.people.models import Person

ZONE = ZoneInfo("Atlantic/Cape_Verde")
PORTUGUESE_FOR_WORK = "portugues-para-o-trabalho"
WELCOMING_MIGRANTS = "acolher-migrantes-direitos-servicos"


@dataclass(frozen=True)
class Text:
    title: str
    summary: str
    body: str


PORTUGUESE_TEXTS = {
    "pt": Text(
        "Português para o trabalho",
        "Português do dia a dia no trabalho: entrevistas, contratos, segurança e conversa com "
        "colegas e clientes (demo).",
        "Curso presencial de português para pessoas imigrantes que procuram trabalho ou já "
        "trabalham em Cabo Verde.\n\n## O que vai aprender\n\n- apresentar-se numa entrevista "
        "de emprego;\n- ler um contrato de trabalho e um recibo de vencimento;\n- compreender "
        "as regras de segurança no trabalho;\n- falar com colegas e clientes.\n\n"
        "## Pré-requisitos\n\nNenhum: o curso começa do início. Traga um documento de "
        "identificação.",
    ),
    "kea": Text(
        "Purtugês pa tarbadju",
        "Purtugês di dia-a-dia na tarbadju: entrevista, kontratu, seguransa i konbérsa ku "
        "kolega i klienti (demo).",
        "Kursu prezensial di purtugês pa algen imigranti ki sta djobe tarbadju o ki dja ta "
        "tarbadja na Kabu Verdi.\n\n## Kuzê ki bu ta prende\n\n- aprizenta bu kabesa na un "
        "entrevista di tarbadju;\n- lê un kontratu di tarbadju i un rusibu di salariu;\n"
        "- intende régras di seguransa na tarbadju;\n- papia ku kolega i klienti.\n\n"
        "## Pré-rekizitu\n\nNinhun: kursu ta kumesa di prinsípiu. Traz un dokumentu di "
        "identifikason.",
    ),
    "en": Text(
        "Portuguese for work",
        "Everyday Portuguese at work: interviews, contracts, safety and talking with colleagues "
        "and customers (demo).",
        "A classroom course of Portuguese for immigrants looking for work or already working "
        "in Cabo Verde.\n\n## What you will learn\n\n- introducing yourself at a job "
        "interview;\n- reading a work contract and a payslip;\n- understanding safety rules at "
        "work;\n- talking with colleagues and customers.\n\n## Prerequisites\n\nNone: the "
        "course starts from the beginning. Bring an identity document.",
    ),
    "fr": Text(
        "Le portugais pour le travail",
        "Le portugais de tous les jours au travail : entretiens, contrats, sécurité et échanges "
        "avec collègues et clients (démo).",
        "Cours en présentiel de portugais pour les personnes immigrées qui cherchent un emploi "
        "ou travaillent déjà au Cap-Vert.\n\n## Ce que vous apprendrez\n\n- vous présenter à "
        "un entretien d'embauche ;\n- lire un contrat de travail et une fiche de paie ;\n"
        "- comprendre les règles de sécurité au travail ;\n- parler avec vos collègues et vos "
        "clients.\n\n## Prérequis\n\nAucun : le cours part du début. Apportez une pièce "
        "d'identité.",
    ),
}

WELCOMING_TEXTS = {
    "pt": Text(
        "Acolher migrantes: direitos e serviços",
        "Formação para técnicos, associações e autarquias: os direitos das pessoas imigrantes "
        "e os serviços que as apoiam (demo).",
        "Capacitação para quem atende pessoas imigrantes nos serviços públicos, nas "
        "associações da sociedade civil e nas câmaras municipais.\n\n## O que vai aprender\n\n"
        "- os direitos das pessoas imigrantes e o quadro legal de Cabo Verde;\n- encaminhar "
        "para os serviços certos;\n- atender com intérprete e em linguagem clara;\n- proteger "
        "os dados pessoais de quem é atendido.\n\n## Pré-requisitos\n\nTrabalhar ou colaborar "
        "no atendimento ao público.",
    ),
    "kea": Text(
        "Kodje migranti: direitu i sirvisu",
        "Formason pa téknicu, asosiason i kámara: direitu di algen imigranti i sirvisu ki ta "
        "djuda-s (demo).",
        "Kapasitason pa kenha ki ta atende algen imigranti na sirvisu públiku, na asosiason "
        "di sosiedadi sivil i na kámara munisipal.\n\n## Kuzê ki bu ta prende\n\n- direitu "
        "di algen imigranti i lei di Kabu Verdi;\n- manda algen pa sirvisu sertu;\n- atende "
        "ku intérpreti i ku linguajen klaru;\n- proteje dadu pesoal di kenha ki ta atendedu.\n\n"
        "## Pré-rekizitu\n\nTarbadja o djuda na atendimentu di públiku.",
    ),
    "en": Text(
        "Welcoming migrants: rights and services",
        "Training for staff, associations and municipalities: the rights of immigrants and the "
        "services that support them (demo).",
        "Capacity-building for those who serve immigrants in public services, civil society "
        "associations and municipalities.\n\n## What you will learn\n\n- the rights of "
        "immigrants and Cabo Verde's legal framework;\n- referring people to the right "
        "services;\n- serving with an interpreter and in plain language;\n- protecting the "
        "personal data of the people served.\n\n## Prerequisites\n\nWorking or volunteering "
        "with the public.",
    ),
    "fr": Text(
        "Accueillir les personnes migrantes : droits et services",
        "Formation pour les agents, les associations et les communes : les droits des "
        "personnes immigrées et les services qui les soutiennent (démo).",
        "Renforcement des capacités de celles et ceux qui reçoivent des personnes immigrées "
        "dans les services publics, les associations de la société civile et les communes.\n\n"
        "## Ce que vous apprendrez\n\n- les droits des personnes immigrées et le cadre légal "
        "du Cap-Vert ;\n- orienter vers les bons services ;\n- accueillir avec un interprète et "
        "en langage clair ;\n- protéger les données personnelles des personnes reçues.\n\n"
        "## Prérequis\n\nTravailler ou être bénévole au contact du public.",
    ),
}


def _users() -> dict[str, User] | None:
    names = (
        "admin",
        "coordenador.praia",
        "tecnico.praia",
        "editor",
        "editora",
        "formador",
        "parceiro.saude",
    )
    found = {user.username: user for user in User.objects.filter(username__in=names)}
    return found if all(name in found for name in names) else None


def _publish_texts(course: Course, texts: dict[str, Text], users: dict[str, User]) -> None:
    """The source (written when the course was made) sent for review by its author and
    published by an editor; each translation written by one editor, published by the other."""
    item = course.description
    source = Translation.objects.get(item=item, language=item.source_language)
    author = source.last_edited_by or users["admin"]
    submit_for_review(actor=author, translation=source)
    publish(actor=users["editora"] if author != users["editora"] else users["editor"],
            translation=source)  # fmt: skip
    for language, text in texts.items():
        if language == item.source_language:
            continue
        translation = save_text(
            actor=users["editor"], item=item, language=language, title=text.title,
            summary=text.summary, body=text.body, is_demo=True,
        )  # fmt: skip
        submit_for_review(actor=users["editor"], translation=translation)
        publish(actor=users["editora"], translation=translation)


def _days(first: date, count: int, start: time, end: time) -> list[tuple[datetime, datetime]]:
    """``count`` weekdays from ``first`` (or the next weekday), ``start`` to ``end`` local."""
    days: list[tuple[datetime, datetime]] = []
    day = first
    while len(days) < count:
        if day.weekday() < 5:
            days.append((datetime.combine(day, start, ZONE), datetime.combine(day, end, ZONE)))
        day += timedelta(days=1)
    return days


def _person(officer: User, unit: Unit, given: str, family: str, sex: str, nationality: str,
            phone: str, language: str) -> Person:  # fmt: skip
    person = register_person(
        actor=officer, unit=unit,
        details=PersonDetails(given_names=given, family_names=f"{family} (demo)", sex=sex,
                              nationalities=(nationality,), preferred_language=language,
                              island="santiago", municipality="Praia"),
        phones=[phone], is_demo=True,
    )  # fmt: skip
    for purpose in (Purpose.SERVICE, Purpose.STATISTICS):
        give_consent(actor=officer, person=person, purpose=purpose,
                     method=ConsentMethod.IN_PERSON)  # fmt: skip
    return person


def _finish(session: CourseSession, enrolments: list[Enrolment], trainer: User,
            present: dict[int, int], passed: set[int], now: datetime) -> None:  # fmt: skip
    """Attendance of each day (participant ``i`` present on the first ``present[i]`` days),
    assessments, then each outcome, as the trainer records them after the last day."""
    days = list(session.days.order_by("starts_at"))
    for number, day in enumerate(days):
        marks: dict[int, str] = {
            enrolment.pk: (
                AttendanceStatus.PRESENT
                if number < present.get(index, len(days))
                else AttendanceStatus.ABSENT
            )
            for index, enrolment in enumerate(enrolments)
        }
        record_attendance(actor=trainer, day=day, marks=marks, now=day.ends_at)
    after = days[-1].ends_at + timedelta(hours=1)
    for index, enrolment in enumerate(enrolments):
        if session.course.assessment_required:
            record_assessment(
                actor=trainer, enrolment=enrolment,
                result=AssessmentResult.PASSED if index in passed else AssessmentResult.FAILED,
                score=Decimal(16 if index in passed else 8), now=after,
            )  # fmt: skip
        complete = index in passed and present.get(index, len(days)) * 100 >= len(days) * (
            session.course.min_attendance_percent
        )
        mark_outcome(actor=trainer, enrolment=enrolment, completed=complete, now=after)


def load(*, now: datetime) -> int:
    """Load the demo training; returns how many courses were added (0 when already there)."""
    users = _users()
    praia = Unit.objects.filter(slug="praia").first()
    aai = Unit.objects.filter(slug="aai").first()
    if users is None or praia is None or aai is None:
        return 0
    if Course.objects.filter(slug__in=[PORTUGUESE_FOR_WORK, WELCOMING_MIGRANTS]).exists():
        return 0
    praia_desk = Location.objects.get(pk=demo_id(Location, "aai/praia"))
    iefp = Organization.objects.filter(pk=demo_id(Organization, "partner/iefp")).first()
    admin, coordinator, officer = users["admin"], users["coordenador.praia"], users["tecnico.praia"]
    trainer = users["formador"]
    today = now.astimezone(ZONE).date()
    made = now - timedelta(days=60)

    # Messages go when the transaction commits: inside ``withheld`` so none is sent.
    with messages.withheld(), transaction.atomic():
        # "Portuguese for work": the course, its texts, and two sessions at Praia.
        text = PORTUGUESE_TEXTS["pt"]
        portuguese = create_course(
            actor=admin, slug=PORTUGUESE_FOR_WORK, unit=praia, title=text.title,
            summary=text.summary, body=text.body, source_language="pt",
            audiences=[Audience.IMMIGRANTS], languages=["pt"], mode=DeliveryMode.IN_PERSON,
            hours=Decimal(40), min_attendance_percent=80, assessment_required=True,
            certificate=True, organisation=iefp, published=True, is_demo=True, now=made,
        )  # fmt: skip
        _publish_texts(portuguese, PORTUGUESE_TEXTS, users)
        ended = add_session(
            actor=coordinator, course=portuguese, language="pt", capacity=12,
            days=_days(today - timedelta(days=38), 5, time(9), time(12)),
            location=praia_desk, trainer=trainer, now=made,
        )  # fmt: skip
        people = [
            _person(officer, praia, "Mariama", "Baldé", "female", "GW", "+12025550141", "pt"),
            _person(officer, praia, "Chidi", "Okafor", "male", "NG", "+12025550142", "en"),
            _person(officer, praia, "Li", "Wei", "female", "CN", "+12025550143", "en"),
        ]
        enrolled = [
            enrol_person(actor=officer, session=ended, person=person, now=made) for person in people
        ]
        # Li Wei came to two days of five: below the 80 % needed.
        _finish(ended, enrolled, trainer, present={2: 2}, passed={0, 1}, now=now)

        coming = add_session(
            actor=coordinator, course=portuguese, language="pt", capacity=12,
            days=_days(today + timedelta(days=21), 5, time(9), time(12)),
            location=praia_desk, trainer=trainer, now=now,
        )  # fmt: skip
        newcomer = _person(officer, praia, "Oumar", "Diakité", "male", "ML", "+12025550144", "fr")
        enrol_person(actor=officer, session=coming, person=newcomer, now=now)
        apply_publicly(
            session=coming,
            applicant=Applicant(
                name="Fatu Djaló (demo)", phone="+12025550145", language="kea",
                notify_by="sms", motivation="N kre prende purtugês pa N atxa tarbadju.",
                sex="female", nationality="GW",
            ),
            now=now,
        )  # fmt: skip

        # "Welcoming migrants": for staff, civil society and local authorities.
        text = WELCOMING_TEXTS["pt"]
        welcoming = create_course(
            actor=admin, slug=WELCOMING_MIGRANTS, unit=aai, title=text.title,
            summary=text.summary, body=text.body, source_language="pt",
            audiences=[Audience.STAFF, Audience.CIVIL_SOCIETY, Audience.LOCAL_AUTHORITIES],
            languages=["pt"], mode=DeliveryMode.IN_PERSON, hours=Decimal(12),
            min_attendance_percent=100, assessment_required=False, certificate=True,
            certificate_valid_months=36, published=True, is_demo=True, now=made,
        )  # fmt: skip
        _publish_texts(welcoming, WELCOMING_TEXTS, users)
        staff_session = add_session(
            actor=admin, course=welcoming, language="pt", capacity=20,
            days=_days(today - timedelta(days=24), 2, time(9), time(15)),
            location=praia_desk, trainer=trainer, now=made,
        )  # fmt: skip
        colleagues = [
            enrol_self(actor=officer, session=staff_session, now=made, sex="female",
                       nationality="CV"),
            enrol_self(actor=users["parceiro.saude"], session=staff_session, now=made,
                       sex="male", nationality="CV"),
        ]  # fmt: skip
        _finish(staff_session, colleagues, trainer, present={1: 1}, passed={0, 1}, now=now)
        add_session(
            actor=admin, course=welcoming, language="pt", capacity=20,
            days=_days(today + timedelta(days=35), 2, time(9), time(15)),
            location=praia_desk, trainer=trainer, now=now,
        )  # fmt: skip

        # The second certificate of "Portuguese for work" was issued in error.
        revoked = enrolled[1]
        revoked.refresh_from_db()
        revoke_certificate(
            certificate=revoked.certificate, actor=coordinator,
            reason=RevocationReason.ISSUED_IN_ERROR,
            note="Emitido antes da avaliação final ser revista (demo).", now=now,
        )  # fmt: skip
    return 2


__all__ = ["PORTUGUESE_FOR_WORK", "WELCOMING_MIGRANTS", "load"]
