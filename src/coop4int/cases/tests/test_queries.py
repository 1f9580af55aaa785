"""Reads of a case: its timeline for staff — contacts and what was done on it, from the audit
log, told in the reader's language — and the channels a reply to it can go out on."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from coop4int.accounts.enums import Role
from coop4int.cases.domain import referrals
from coop4int.cases.domain.calls import mark_callback_done, schedule_callback
from coop4int.cases.domain.cases import (
    add_note,
    assign_case,
    change_status,
    open_case,
    record_satisfaction,
)
from coop4int.cases.domain.intake import Contact, confirm_identity, receive_contact
from coop4int.cases.domain.queries import (
    case_events,
    case_timeline,
    reply_channels,
    usual_reply_channel,
)
from coop4int.cases.enums import Channel, ReferralOutcome, Status
from coop4int.cases.models import Referral
from coop4int.cases.personal_data import anonymise_referrals
from coop4int.directory.models import Service
from coop4int.people.domain.people import (
    PersonDetails,
    give_consent,
    register_person,
    withdraw_consent,
)
from coop4int.people.enums import ConsentMethod, Purpose

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(make_staff, unit):
    return make_staff(Role.FRONT_OFFICE_OFFICER, unit, first_name="Fátima", last_name="Semedo")


@pytest.fixture
def nurse(make_staff, partner_unit):
    return make_staff(Role.PARTNER_USER, partner_unit)


@pytest.fixture
def aminata(officer, unit):
    return register_person(
        actor=officer, unit=unit,
        details=PersonDetails(given_names="Aminata", family_names="Diallo"),
        phones=["+2389912345"],
    )  # fmt: skip


@pytest.fixture
def case(officer, unit, aminata):
    return open_case(actor=officer, unit=unit, channel=Channel.WALK_IN, subject="Vacina",
                     person=aminata)[0]  # fmt: skip


@pytest.fixture
def health(partner_unit):
    return Service.objects.create(name="Consulta do viajante", unit=partner_unit)


def _refer(officer, case, service):
    give_consent(actor=officer, person=case.person, purpose=Purpose.REFERRAL,
                 method=ConsentMethod.VERBAL)  # fmt: skip
    return referrals.refer_case(actor=officer, case=case, service=service, summary="Vacina",
                                share_phone=False)  # fmt: skip


def _texts(case, language: str = "en") -> list[str]:
    with translation.override(language):
        return [event.text for _when, event in case_events(case)]


def _in(language: str, message: str, context: str = "") -> str:
    with translation.override(language):
        return translation.pgettext(context, message) if context else translation.gettext(message)


# --- The timeline: contacts and what was done ------------------------------------------------


def test_status_changes_and_assignment_are_on_the_timeline_with_who_did_them(
    officer, case, make_staff, unit
):
    colleague = make_staff(Role.FRONT_OFFICE_OFFICER, unit, first_name="João", last_name="Lopes")
    assign_case(actor=officer, case=case, officer=colleague)  # a new case given: open
    change_status(actor=officer, case=case, status=Status.RESOLVED)
    assign_case(actor=officer, case=case, officer=None)

    events = [event for _when, event in case_events(case)]
    assert [e.action for e in events] == [
        "cases.case.assigned", "cases.case.status_changed", "cases.case.status_changed",
        "cases.case.assigned",
    ]  # fmt: skip
    with translation.override("en"):
        texts = _texts(case)
    assert texts == [
        "Assigned to João Lopes.",
        "The status changed from “New” to “Open”. The case was given to an officer.",
        "The status changed from “Open” to “Resolved”.",
        "Given back to the unit's queue.",
    ]
    assert {e.actor for e in events} == {"Fátima Semedo"}


def test_a_referral_and_every_answer_of_the_partner_are_on_the_timeline(
    officer, nurse, case, health, partner_unit
):
    referral = _refer(officer, case, health)
    referrals.accept_referral(actor=nurse, referral=referral)
    referrals.record_outcome(actor=nurse, referral=referral, outcome=ReferralOutcome.SERVED,
                             note="Vacinada")  # fmt: skip
    declined = referrals.refer_case(actor=officer, case=case, service=health, summary="Outra",
                                    share_phone=False)  # fmt: skip
    referrals.decline_referral(actor=nurse, referral=declined, reason="Sem vagas")
    withdrawn = referrals.refer_case(actor=officer, case=case, service=health, summary="Mais",
                                     share_phone=False)  # fmt: skip
    referrals.withdraw_referral(actor=officer, referral=withdrawn)

    texts = _texts(case)
    for expected in (
        "Health centre accepted the referral to Consulta do viajante.",
        "Health centre recorded the outcome of the referral to Consulta do viajante: The "
        "person was served.",
        "Health centre declined the referral to Consulta do viajante. Reason: Sem vagas",
        "The referral to Consulta do viajante was withdrawn.",
        "The status changed from “Open” to “Waiting on a partner”. The case was referred to a "
        "partner.",
        "The status changed from “Waiting on a partner” to “Open”. A partner recorded the "
        "outcome of the referral.",
    ):
        assert expected in texts, (expected, texts)
    assert "Consent recorded: Sharing with a partner in a referral (Verbally)." in texts
    # A referral sent is on the timeline as the platform's note: not told twice.
    assert "cases.referral.sent" not in {event.action for _when, event in case_events(case)}
    assert case.interactions.filter(channel=Channel.NOTE).count() == 3


def test_a_partners_reason_for_declining_is_read_from_the_referral_which_erasure_strips(
    officer, nurse, case, health
):
    declined = _refer(officer, case, health)
    referrals.decline_referral(actor=nurse, referral=declined, reason="Sem vagas")
    assert (
        "Health centre declined the referral to Consulta do viajante. Reason: Sem vagas"
        in _texts(case)
    )
    anonymise_referrals(Referral.objects.filter(pk=declined.pk), timezone.now())
    texts = _texts(case)
    assert "Health centre declined the referral to Consulta do viajante." in texts
    assert not [text for text in texts if "Sem vagas" in text]


def test_an_officers_own_reason_is_a_note_on_the_timeline_told_once(officer, case):
    change_status(actor=officer, case=case, status=Status.RESOLVED, reason="Cartão entregue")
    with translation.override("en"):
        shown = [
            entry.interaction.text if entry.interaction else entry.event.text
            for entry in case_timeline(case)
            if entry.interaction or entry.event
        ]
    assert shown.count("Cartão entregue") == 1
    assert "The status changed from “New” to “Resolved”." in shown
    assert not [text for text in shown if "Cartão entregue" in text and text != "Cartão entregue"]


def test_withdrawing_the_sharing_consent_says_why_the_referral_was_withdrawn(officer, case, health):
    _refer(officer, case, health)
    referrals.withdraw_sharing_consent(actor=officer, person=case.person)

    texts = _texts(case)
    assert (
        "The referral to Consulta do viajante was withdrawn: the person withdrew their "
        "consent to share their details with a partner."
    ) in texts
    assert "Consent withdrawn: Sharing with a partner in a referral." in texts


def test_the_identity_confirmed_the_satisfaction_and_call_backs_are_on_the_timeline(
    officer, unit, aminata
):
    case = receive_contact(
        actor=None, unit=unit,
        contact=Contact(channel=Channel.SMS, subject="Olá", body="Olá", phone="+2389912345"),
    ).case  # fmt: skip
    confirm_identity(actor=officer, case=case, person=aminata)
    callback = schedule_callback(actor=officer, case=case, phone="+2389912345",
                                 due_at=case.opened_at)  # fmt: skip
    mark_callback_done(actor=officer, callback=callback)
    change_status(actor=officer, case=case, status=Status.RESOLVED)
    record_satisfaction(actor=officer, case=case, score=4)

    texts = _texts(case)
    for expected in (
        "The identity was confirmed: the request is on the person's record.",
        "A call-back was scheduled.",
        "The call-back was made.",
        "The person's answer to the satisfaction question was recorded: 4 of 5.",
    ):
        assert expected in texts, (expected, texts)


def test_the_timeline_is_told_in_the_readers_language(officer, case):
    """The log keeps codes, never sentences: each reader reads them in their own language."""
    change_status(actor=officer, case=case, status=Status.RESOLVED)
    resolved_pt, resolved_en = _in("pt", "Resolved", "case"), _in("en", "Resolved", "case")
    assert resolved_pt != resolved_en

    assert resolved_pt in _texts(case, "pt")[0]
    assert resolved_en in _texts(case, "en")[0]


def test_contacts_and_events_come_in_the_order_they_happened(officer, case):
    add_note(actor=officer, case=case, body="Ver documentos")
    change_status(actor=officer, case=case, status=Status.WAITING_PERSON)
    add_note(actor=officer, case=case, body="Ligar amanhã")

    entries = case_timeline(case)
    shown = [
        e.interaction.body if e.interaction else e.event.action for e in entries if e.event or
        e.interaction
    ]  # fmt: skip
    assert shown[-3:] == ["Ver documentos", "cases.case.status_changed", "Ligar amanhã"]
    assert [e.occurred_at for e in entries] == sorted(e.occurred_at for e in entries)


def test_only_this_cases_events_and_its_persons_consents_since_it_opened(
    officer, unit, aminata, case, health
):
    other = open_case(actor=officer, unit=unit, channel=Channel.PHONE, subject="Outro",
                      person=aminata)[0]  # fmt: skip
    change_status(actor=officer, case=other, status=Status.RESOLVED)
    _refer(officer, other, health)
    someone = register_person(actor=officer, unit=unit,
                              details=PersonDetails(given_names="Rui"))  # fmt: skip
    give_consent(actor=officer, person=someone, purpose=Purpose.CONTACT,
                 method=ConsentMethod.VERBAL)  # fmt: skip
    withdraw_consent(actor=officer, person=aminata, purpose=Purpose.REFERRAL)

    actions = [event.action for _when, event in case_events(case)]
    # Aminata's consent changes concern every case of hers; the other case's own do not.
    assert actions == ["people.consent.given", "people.consent.withdrawn"]

    later = open_case(actor=officer, unit=unit, channel=Channel.PHONE, subject="Depois",
                      person=aminata)[0]  # fmt: skip
    assert case_events(later) == []  # what was recorded before it opened is not its history


def test_the_events_cost_the_same_few_queries_however_many(officer, nurse, case, health):
    _refer(officer, case, health)
    list(case_events(case))  # content types cached
    with CaptureQueriesContext(connection) as few:
        case_events(case)
    for _n in range(5):
        referral = referrals.refer_case(actor=officer, case=case, service=health, summary="x",
                                        share_phone=False)  # fmt: skip
        referrals.accept_referral(actor=nurse, referral=referral)
        change_status(actor=officer, case=case, status=Status.OPEN)
        assign_case(actor=officer, case=case, officer=officer)
    with CaptureQueriesContext(connection) as many:
        events = case_events(case)
    assert len(events) > 20
    assert len(many) == len(few) + 1  # the names of those the case was assigned to, once


# --- Reply channels -----------------------------------------------------------------------------


def test_an_anonymous_walk_in_without_an_address_is_answered_only_as_said(officer, unit):
    case = open_case(actor=officer, unit=unit, channel=Channel.WALK_IN, subject="Horário")[0]
    channels = reply_channels(case)
    assert channels == [Channel.WALK_IN, Channel.PHONE]
    assert usual_reply_channel(case, channels) == Channel.WALK_IN


def test_e_mail_needs_an_address_and_text_messages_a_phone(officer, unit, aminata):
    by_email = open_case(actor=None, unit=unit, channel=Channel.EMAIL, subject="Visto",
                         reply_email="mariama@example.org")[0]  # fmt: skip
    assert reply_channels(by_email) == [Channel.EMAIL, Channel.WALK_IN, Channel.PHONE]
    assert usual_reply_channel(by_email, reply_channels(by_email)) == Channel.EMAIL

    by_sms = open_case(actor=None, unit=unit, channel=Channel.SMS, subject="Olá",
                       reply_phone="+2389876543")[0]  # fmt: skip
    assert reply_channels(by_sms) == [
        Channel.SMS, Channel.WHATSAPP, Channel.WALK_IN, Channel.PHONE,
    ]  # fmt: skip
    assert usual_reply_channel(by_sms, reply_channels(by_sms)) == Channel.SMS

    # A person's own phone on record is enough for SMS and WhatsApp.
    at_the_desk = open_case(actor=officer, unit=unit, channel=Channel.WALK_IN, subject="Casa",
                            person=aminata)[0]  # fmt: skip
    assert reply_channels(at_the_desk) == [
        Channel.SMS, Channel.WHATSAPP, Channel.WALK_IN, Channel.PHONE,
    ]  # fmt: skip
    assert usual_reply_channel(at_the_desk, reply_channels(at_the_desk)) == Channel.WALK_IN


def test_the_web_is_offered_to_requests_that_came_by_the_web_form(unit):
    case = open_case(actor=None, unit=unit, channel=Channel.WEB, subject="Pedido")[0]
    assert reply_channels(case) == [Channel.WEB, Channel.WALK_IN, Channel.PHONE]
    assert usual_reply_channel(case, reply_channels(case)) == Channel.WEB


def test_a_message_that_cannot_be_sent_back_is_answered_on_a_channel_that_can(unit):
    """An e-mail whose sender gave no address to answer: not offered by e-mail."""
    case = open_case(actor=None, unit=unit, channel=Channel.EMAIL, subject="Sem endereço")[0]
    channels = reply_channels(case)
    assert Channel.EMAIL not in channels
    assert usual_reply_channel(case, channels) == Channel.WALK_IN
