"""The audit log outlives every erasure, so nothing a person could be recognised by may reach
it: not their name, phone, e-mail or document number, and no free text typed about them —
a message, a note, a reply, what a partner was told or answered, a reason, a search. A whole
day of work on one person's request is run through the domain, and every entry is searched
for each of those values; then the person is erased, and their case's timeline, which reads
the log, must not bring any of it back."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone, translation

from coop4int.accounts.enums import Role
from coop4int.cases.domain import referrals
from coop4int.cases.domain.calls import caller, log_call, mark_callback_done, schedule_callback
from coop4int.cases.domain.cases import (
    add_note,
    change_status,
    record_satisfaction,
    reply,
)
from coop4int.cases.domain.intake import Contact, confirm_identity, receive_contact
from coop4int.cases.domain.queries import (
    InboxFilter,
    InboxView,
    case_timeline,
    get_case_for_user,
    inbox,
)
from coop4int.cases.enums import Channel, Direction, ReferralOutcome, Status
from coop4int.cases.models import Case
from coop4int.channels.tracking_link import send_tracking_link_by_sms
from coop4int.content.domain.feedback import receive_feedback, reply_to_feedback
from coop4int.core.models import AuditEntry
from coop4int.directory.models import Service
from coop4int.people.domain.erasure import erase_person
from coop4int.people.domain.people import (
    PersonDetails,
    add_contact,
    give_consent,
    register_person,
)
from coop4int.people.enums import ConsentMethod, ContactKind, ErasureGround, Purpose
from coop4int.people.models import Person

pytestmark = pytest.mark.django_db

# Each value holds a word found nowhere else, so that a value cut short is still caught.
GIVEN_NAMES = "Quilombina"
FAMILY_NAMES = "Zebedeu-Tavarinho"
PHONE = "+2389871234"
SECOND_PHONE = "+2385550199"
EMAIL = "quilombina.zebedeu@example.org"
DOCUMENT = "PX7781234Q"
SUBJECT = "Visto para a ilha Xalupinha"
FIRST_MESSAGE = "Preciso de ajuda com o processo Tarumãzinho"
EMAIL_MESSAGE = "Mando a cópia do passaporte Ubuçuzeiro"
NOTE = "Nota interna: a vizinha Gorgonzina ajuda"
REPLY = "Traga o documento Vermiculita amanhã"
CALL_SUMMARY = "Chamada sobre o subsídio Carambolinha"
INTERPRETER = "Intérprete Sapotizeiro"
CALLBACK_NOTE = "Ligar à tarde, pedir pela Ameixeirinha"
SUMMARY = "Resumo para o parceiro: Bromélia-azul"
DECLINE_REASON = "Recusado: lista de espera Pitangueira"
WITHDRAW_REASON = "Retirado: a senhora Jabuticabeira já foi atendida"
OUTCOME_NOTE = "Consulta feita com o Dr. Mangostãozinho"
RESOLUTION_NOTE = "Resolvido: cartão de residência Cajazeirinha entregue"
SEARCH = "Quilombina Zebedeu"
FEEDBACK_MESSAGE = "A página sobre Graviolinha está errada"
FEEDBACK_EMAIL = "graviolinha.leitora@example.org"
FEEDBACK_REPLY = "Obrigado, corrigimos a Graviolinha"

PERSONAL = (
    GIVEN_NAMES, FAMILY_NAMES, PHONE, PHONE.removeprefix("+238"), SECOND_PHONE,
    SECOND_PHONE.removeprefix("+238"), EMAIL, EMAIL.split("@")[0], DOCUMENT, SUBJECT,
    FIRST_MESSAGE, EMAIL_MESSAGE, NOTE, REPLY, CALL_SUMMARY, INTERPRETER, CALLBACK_NOTE, SUMMARY,
    DECLINE_REASON, WITHDRAW_REASON, OUTCOME_NOTE, RESOLUTION_NOTE, SEARCH, FEEDBACK_MESSAGE,
    FEEDBACK_EMAIL, FEEDBACK_EMAIL.split("@")[0], FEEDBACK_REPLY,
    # The words that make each value unique.
    "Xalupinha", "Tarumãzinho", "Ubuçuzeiro", "Gorgonzina", "Vermiculita", "Carambolinha",
    "Sapotizeiro", "Ameixeirinha", "Bromélia-azul", "Pitangueira", "Jabuticabeira",
    "Mangostãozinho", "Cajazeirinha", "Graviolinha",
)  # fmt: skip


@pytest.fixture(autouse=True)
def _own_files(settings, tmp_path):
    """The erasure journal and any file of the test stay in its own folder."""
    settings.ERASURE_JOURNAL = tmp_path / "erasure-journal.jsonl"
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def officer(make_staff, unit):
    return make_staff(Role.FRONT_OFFICE_OFFICER, unit)


@pytest.fixture
def coordinator(make_staff, unit):
    return make_staff(Role.UNIT_COORDINATOR, unit)


@pytest.fixture
def nurse(make_staff, partner_unit):
    return make_staff(Role.PARTNER_USER, partner_unit)


@pytest.fixture
def editor(make_staff, unit):
    return make_staff(Role.CONTENT_EDITOR, unit)


@pytest.fixture
def health(partner_unit):
    return Service.objects.create(name="Consulta do viajante", unit=partner_unit)


class _Gateway:
    """Takes a text message as a provider would."""

    def send(self, to: str, body: str, *, whatsapp: bool, template: str = "") -> str:
        return "SM0001"


def _refer(officer, case, health):
    return referrals.refer_case(actor=officer, case=case, service=health, summary=SUMMARY,
                                share_phone=True)  # fmt: skip


def _a_day_of_work(*, officer, nurse, editor, unit, health) -> tuple[Person, Case, list[str]]:
    """Everything the platform audits about one person's request, with their own words in
    it. Returns the person, their case and the secrets of the tracking links given out."""
    person = register_person(
        actor=officer, unit=unit,
        details=PersonDetails(given_names=GIVEN_NAMES, family_names=FAMILY_NAMES,
                              document_number=DOCUMENT),
        phones=[PHONE], emails=[EMAIL],
    )  # fmt: skip
    add_contact(actor=officer, person=person, kind=ContactKind.PHONE, value=SECOND_PHONE)
    for purpose in (Purpose.REFERRAL, Purpose.CONTACT):
        give_consent(actor=officer, person=person, purpose=purpose, method=ConsentMethod.VERBAL)

    # A walk-in, then the case is worked.
    intake = receive_contact(
        actor=officer, person=person,
        contact=Contact(channel=Channel.WALK_IN, subject=SUBJECT, body=FIRST_MESSAGE,
                        interpreter=INTERPRETER),
    )  # fmt: skip
    case = intake.case
    secrets = [intake.secret]
    get_case_for_user(officer, case.reference)
    add_note(actor=officer, case=case, body=NOTE)
    reply(actor=officer, case=case, body=REPLY, channel=Channel.WALK_IN)
    send_tracking_link_by_sms(case, intake.secret, to=PHONE, sender=_Gateway())

    # The person writes by e-mail: a public contact the officer confirms is theirs.
    by_email = receive_contact(
        actor=None, unit=unit,
        contact=Contact(channel=Channel.EMAIL, subject=SUBJECT, body=EMAIL_MESSAGE, email=EMAIL),
    )  # fmt: skip
    secrets.append(by_email.secret)
    confirm_identity(actor=officer, case=by_email.case, person=person)

    # A call: the number looked up, the call logged, a call-back promised and made.
    caller(officer, PHONE)
    log_call(actor=officer, number=PHONE, direction=Direction.IN, summary=CALL_SUMMARY,
             duration_seconds=240, language="pt", interpreter=INTERPRETER,
             case=case)  # fmt: skip
    callback = schedule_callback(actor=officer, case=case, phone=SECOND_PHONE,
                                 due_at=timezone.now() + timedelta(hours=2),
                                 note=CALLBACK_NOTE)  # fmt: skip
    mark_callback_done(actor=officer, callback=callback)

    # Searches in the inbox: by name, by e-mail, by phone.
    for text in (SEARCH, EMAIL, PHONE):
        inbox(officer, InboxFilter(view=InboxView.UNIT, text=text))

    # Referrals: one declined, one withdrawn by the officer, one served.
    declined = _refer(officer, case, health)
    referrals.get_referral_for_user(nurse, declined.pk)
    referrals.decline_referral(actor=nurse, referral=declined, reason=DECLINE_REASON)
    withdrawn = _refer(officer, case, health)
    referrals.withdraw_referral(actor=officer, referral=withdrawn, reason=WITHDRAW_REASON)
    served = _refer(officer, case, health)
    referrals.accept_referral(actor=nurse, referral=served)
    referrals.record_outcome(actor=nurse, referral=served, outcome=ReferralOutcome.SERVED,
                             note=OUTCOME_NOTE)  # fmt: skip

    # Resolved with a note, the person's answer recorded, closed.
    change_status(actor=officer, case=case, status=Status.RESOLVED, reason=RESOLUTION_NOTE)
    record_satisfaction(actor=officer, case=case, score=5)
    change_status(actor=officer, case=case, status=Status.CLOSED)

    # The sharing consent withdrawn: what partners still held is cleared.
    referrals.withdraw_sharing_consent(actor=officer, person=person)

    # A reader of the public pages writes, and is answered.
    feedback = receive_feedback(page="/pt/", language="pt", message=FEEDBACK_MESSAGE,
                                contact_email=FEEDBACK_EMAIL)  # fmt: skip
    reply_to_feedback(actor=editor, feedback=feedback, text=FEEDBACK_REPLY)
    return person, case, secrets


def _found_in(text: str, values: tuple[str, ...]) -> list[str]:
    folded = text.casefold()
    return [value for value in values if value.casefold() in folded]


def test_no_audit_entry_holds_a_personal_value_or_free_text(
    officer, nurse, editor, unit, health, mailoutbox
):
    person, case, secrets = _a_day_of_work(officer=officer, nurse=nurse, editor=editor,
                                           unit=unit, health=health)  # fmt: skip
    entries = list(AuditEntry.objects.order_by("pk"))
    # Every kind of entry the day wrote is searched — a flow that wrote none proves nothing.
    assert {
        "people.person.registered", "people.contact.added", "people.consent.given",
        "people.consent.withdrawn", "cases.case.opened", "cases.case.viewed",
        "people.person.viewed", "cases.interaction.added", "cases.case.status_changed",
        "cases.case.tracking_sent", "cases.case.identity_confirmed", "cases.caller.looked_up",
        "cases.callback.scheduled", "cases.callback.done", "cases.inbox.searched",
        "cases.referral.sent", "cases.referral.viewed", "cases.referral.declined",
        "cases.referral.withdrawn", "cases.referral.accepted", "cases.referral.completed",
        "cases.case.satisfaction", "content.feedback.received", "content.feedback.replied",
    } <= {entry.action for entry in entries}  # fmt: skip
    searched = (*PERSONAL, *secrets)
    leaks = [
        (entry.action, where, found)
        for entry in entries
        for where, text in (
            ("data", json.dumps(entry.data, ensure_ascii=False)),
            ("object_repr", entry.object_repr),
        )
        if (found := _found_in(text, searched))
    ]
    assert leaks == []
    # What the log keeps instead: masked values, lengths, the ids of the rows with the text.
    declined = AuditEntry.objects.get(action="cases.referral.declined")
    assert declined.data == {"has_reason": True, "reason_length": len(DECLINE_REASON)}
    resolved = AuditEntry.objects.get(action="cases.case.status_changed", data__to="resolved")
    assert resolved.data["reason_length"] == len(RESOLUTION_NOTE)
    assert case.interactions.get(pk=resolved.data["reason_note"]).body == RESOLUTION_NOTE
    withdrawn = AuditEntry.objects.get(action="cases.referral.withdrawn", data__reason="")
    assert case.interactions.get(pk=withdrawn.data["reason_note"]).body == WITHDRAW_REASON
    tracking = AuditEntry.objects.get(action="cases.case.tracking_sent")
    assert tracking.data["to"] == "***1234"
    assert {entry.object_repr for entry in entries if entry.object_id == str(person.pk)} == {
        f"Person #{person.pk}"
    }


def test_after_the_erasure_the_timeline_brings_nothing_of_it_back(
    officer, nurse, editor, coordinator, unit, health, mailoutbox
):
    """The staff's timeline tells what was done from the log: the reasons it shows come from
    the rows that erasure strips, never from the log."""
    person, case, _secrets = _a_day_of_work(officer=officer, nurse=nurse, editor=editor,
                                            unit=unit, health=health)  # fmt: skip

    def shown() -> str:
        with translation.override("en"):
            return "\n".join(
                entry.event.text if entry.event is not None else entry.interaction.text
                for entry in case_timeline(Case.objects.get(pk=case.pk))
                if entry.event is not None or entry.interaction is not None
            )

    before = shown()
    # Before: the officers read every reason on the timeline, each once.
    assert f"Reason: {DECLINE_REASON}" in before
    for words in (NOTE, REPLY, WITHDRAW_REASON, RESOLUTION_NOTE):
        assert before.count(words) == 1, words

    erase_person(person=person, actor=coordinator, ground=ErasureGround.PERSON_ASKED)
    after = shown()
    assert "declined the referral to Consulta do viajante." in after
    assert _found_in(after, PERSONAL) == []
