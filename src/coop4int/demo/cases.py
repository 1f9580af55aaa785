"""Demo cases at the Praia unit: a walk-in resolved, a phone question from an anonymous caller,
an e-mail waiting on the person (who sent a document with a second e-mail, filed as the mailbox
files mail, so the case holds a file), a referral waiting on the health centre, and a web
request nobody has picked up yet; and two canned answers in several languages. The people are
invented and marked as demo. Loading twice changes nothing: nothing is added once the unit
has demo cases."""

from datetime import date, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from coop4int.accounts.models import Unit, User
from coop4int.cases.domain.canned import save_canned_answer
from coop4int.cases.domain.cases import add_note, change_status, open_case, reply
from coop4int.cases.domain.referrals import refer_case
from coop4int.cases.enums import Channel, Status
from coop4int.cases.models import CannedAnswer, Case, CaseAttachment
from coop4int.channels.email_in import file_message
from coop4int.demo.documents import one_page_pdf
from coop4int.directory.models import Service
from coop4int.people.domain.people import PersonDetails, give_consent, register_person
from coop4int.people.enums import ConsentMethod, Purpose

CANNED = [
    ("Documentos para a autorização de residência (demo)", {
        "pt": "Olá {name}, para o pedido traga o passaporte, duas fotografias e o comprovativo "
              "de morada. A sua referência é {reference}. {officer}, {unit}",
        "en": "Hello {name}, for the application bring your passport, two photographs and proof "
              "of address. Your reference is {reference}. {officer}, {unit}",
        "fr": "Bonjour {name}, pour la demande apportez votre passeport, deux photos et un "
              "justificatif de domicile. Votre référence est {reference}. {officer}, {unit}",
        "kea": "Olá {name}, pa pididu traze pasaporti, dos fotu y komprovativu di morada. Bu "
               "referénsia e {reference}. {officer}, {unit}",
    }),
    ("Horário de atendimento (demo)", {
        "pt": "Atendemos de segunda a sexta, das 8h às 16h, sem marcação.",
        "en": "We are open Monday to Friday, 8:00 to 16:00, no appointment needed.",
        "fr": "Nous recevons du lundi au vendredi, de 8 h à 16 h, sans rendez-vous.",
    }),
]  # fmt: skip


IBRAHIMA_EMAIL = "ibrahima.sow@demo.coop4int.example"
CERTIFICATE_FILENAME = "attestation-formation.pdf"


def load() -> int:
    # Files are written to the storage as the demo is loaded; should anything after fail and
    # the rows be rolled back, their files go too.
    written: list[str] = []
    try:
        with transaction.atomic():
            return _load(written)
    except BaseException:
        for name in written:
            default_storage.delete(name)
        raise


def _certificate_email(case: Case, now: datetime) -> bytes:
    """Ibrahima's second e-mail: his training certificate, answering his case by its
    reference, as his mail program would send it."""
    message = EmailMessage()
    message["From"] = f"Ibrahima Sow <{IBRAHIMA_EMAIL}>"
    message["To"] = case.unit.email or "praia@demo.coop4int.example"
    message["Subject"] = f"Re: [{case.reference}] Inscription à la formation professionnelle"
    message["Date"] = format_datetime(now)
    message["Message-ID"] = f"<attestation.{case.reference}@demo.coop4int.example>"
    message["Content-Language"] = "fr"
    message.set_content(
        "Bonjour,\n\nVoici mon attestation de formation, comme vous me l'avez demandé.\n\n"
        "Ibrahima Sow\n"
    )
    certificate = one_page_pdf(
        "Attestation de formation (démo)",
        [
            "Document de démonstration : personne et établissement inventés.",
            "",
            "Nom : Ibrahima Sow",
            "Formation : électricité du bâtiment, niveau 1",
            "Établissement : Centre de formation de Conakry (démo)",
            "Durée : 6 mois, achevée",
        ],
    )
    message.add_attachment(
        certificate, maintype="application", subtype="pdf", filename=CERTIFICATE_FILENAME
    )
    return message.as_bytes()


def _load(written: list[str]) -> int:
    unit = Unit.objects.filter(slug="praia").first()
    officer = User.objects.filter(username="tecnico.praia").first()
    if unit is None or officer is None or Case.objects.filter(unit=unit, is_demo=True).exists():
        return 0
    now = timezone.now()
    aminata = register_person(
        actor=officer, unit=unit,
        details=PersonDetails(given_names="Aminata", family_names="Diallo (demo)", sex="female",
                              birth_date=date(1994, 3, 12), nationalities=("SN",),
                              languages=("fr", "wo"), preferred_language="fr",
                              island="santiago", municipality="Praia", residence_status="pending"),
        phones=["+2389912345"], is_demo=True,
    )  # fmt: skip
    give_consent(actor=officer, person=aminata, purpose=Purpose.SERVICE,
                 method=ConsentMethod.IN_PERSON)  # fmt: skip
    walk_in, _secret = open_case(
        actor=officer, unit=unit, channel=Channel.WALK_IN, person=aminata, language="fr",
        subject="Renovação da autorização de residência",
        body="Veut savoir quels documents apporter pour renouveler son titre de séjour.",
        at=now - timedelta(days=3), assign_to=officer, is_demo=True,
    )  # fmt: skip
    reply(actor=officer, case=walk_in, channel=Channel.WALK_IN,
          body="Apportez votre passeport, deux photos et le reçu de la demande.")  # fmt: skip
    change_status(actor=officer, case=walk_in, status=Status.RESOLVED)

    open_case(
        actor=officer, unit=unit, channel=Channel.PHONE, language="pt",
        subject="Horário de atendimento", body="Pergunta a que horas abre a unidade ao sábado.",
        at=now - timedelta(hours=5), duration_seconds=180, is_demo=True,
    )  # fmt: skip

    ibrahima = register_person(
        actor=officer, unit=unit,
        details=PersonDetails(given_names="Ibrahima", family_names="Sow (demo)", sex="male",
                              nationalities=("GN",), preferred_language="fr"),
        emails=[IBRAHIMA_EMAIL], is_demo=True,
    )  # fmt: skip
    give_consent(actor=officer, person=ibrahima, purpose=Purpose.SERVICE,
                 method=ConsentMethod.EMAIL)  # fmt: skip
    email, _secret = open_case(
        actor=None, unit=unit, channel=Channel.EMAIL, person=ibrahima, language="fr",
        subject="Inscription à la formation professionnelle",
        body="Bonjour, je voudrais m'inscrire à une formation en électricité.",
        reply_email=IBRAHIMA_EMAIL, at=now - timedelta(days=1), is_demo=True,
    )  # fmt: skip
    # Through the mailbox's own filing, so that the file is kept as any attachment is.
    filed = file_message(_certificate_email(email, now), unit=unit)
    written += CaseAttachment.objects.filter(interaction=filed.interaction).values_list(
        "file", flat=True
    )
    if filed.case != email or not written:
        # Filed elsewhere, it would have opened a case and mailed an acknowledgement: the
        # rollback undoes both (the acknowledgement waits for the commit).
        raise RuntimeError("The demo certificate was not filed with its case.")
    add_note(actor=officer, case=email, body="Verificar com o IEFP as datas do próximo curso.")
    change_status(actor=officer, case=email, status=Status.WAITING_PERSON)

    # A referral to the health centre, with the person's consent to share, waiting for the
    # partner's answer (log in as parceiro.saude to accept it).
    give_consent(actor=officer, person=aminata, purpose=Purpose.REFERRAL,
                 method=ConsentMethod.IN_PERSON)  # fmt: skip
    health, _secret = open_case(
        actor=officer, unit=unit, channel=Channel.WALK_IN, person=aminata, language="fr",
        subject="Consulta de saúde", body="Précise d'une consultation pour son enfant.",
        at=now - timedelta(hours=20), assign_to=officer, is_demo=True,
    )  # fmt: skip
    partner = Service.objects.filter(unit__slug="centro-saude-achada").order_by("name").first()
    if partner is not None:
        refer_case(actor=officer, case=health, service=partner, share_phone=True,
                   summary="Consulta para criança de 4 anos; fala francês e wolof.")  # fmt: skip

    for title, texts in CANNED:
        answer = None
        for language, body in texts.items():
            answer = save_canned_answer(actor=officer, answer=answer, title=title, topic=None,
                                        language=language, body=body)  # fmt: skip
        if answer is not None:
            CannedAnswer.objects.filter(pk=answer.pk).update(is_demo=True)

    open_case(
        actor=None, unit=unit, channel=Channel.WEB, language="pt",
        subject="Vacinação sem número de utente",
        body="Posso vacinar-me sem número de utente do serviço nacional de saúde?",
        reply_email="visitante@demo.coop4int.example", at=now - timedelta(hours=2), is_demo=True,
    )  # fmt: skip
    return Case.objects.filter(unit=unit, is_demo=True).count()
