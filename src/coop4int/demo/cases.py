"""Demo cases at the Praia unit: a walk-in resolved, a phone question from an anonymous caller,
an e-mail waiting on the person, and a web request nobody has picked up yet. The people are
invented and marked as demo. Loading twice changes nothing: nothing is added once the unit
has demo cases."""

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from coop4int.accounts.models import Unit, User
from coop4int.cases.domain.cases import add_note, change_status, open_case, reply
from coop4int.cases.enums import Channel, Status
from coop4int.cases.models import Case
from coop4int.people.domain.people import PersonDetails, give_consent, register_person
from coop4int.people.enums import ConsentMethod, Purpose


@transaction.atomic
def load() -> int:
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
        emails=["ibrahima.sow@demo.coop4int.example"], is_demo=True,
    )  # fmt: skip
    give_consent(actor=officer, person=ibrahima, purpose=Purpose.SERVICE,
                 method=ConsentMethod.EMAIL)  # fmt: skip
    email, _secret = open_case(
        actor=None, unit=unit, channel=Channel.EMAIL, person=ibrahima, language="fr",
        subject="Inscription à la formation professionnelle",
        body="Bonjour, je voudrais m'inscrire à une formation en électricité.",
        reply_email="ibrahima.sow@demo.coop4int.example", at=now - timedelta(days=1),
        is_demo=True,
    )  # fmt: skip
    add_note(actor=officer, case=email, body="Verificar com o IEFP as datas do próximo curso.")
    change_status(actor=officer, case=email, status=Status.WAITING_PERSON)

    open_case(
        actor=None, unit=unit, channel=Channel.WEB, language="pt",
        subject="Vacinação sem número de utente",
        body="Posso vacinar-me sem número de utente do serviço nacional de saúde?",
        reply_email="visitante@demo.coop4int.example", at=now - timedelta(hours=2), is_demo=True,
    )  # fmt: skip
    return Case.objects.filter(unit=unit, is_demo=True).count()
