"""Referrals: only with consent, only the minimum shared, the partner's answer and outcome, and
overdue answers flagged."""

from datetime import timedelta

import pytest
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from coop4int.accounts.enums import Role
from coop4int.cases.domain import referrals as domain
from coop4int.cases.domain.cases import NotAllowed, open_case
from coop4int.cases.enums import Channel, ReferralOutcome, ReferralStatus, Status
from coop4int.cases.models import Case, Referral
from coop4int.core.models import AuditEntry
from coop4int.directory.models import Service
from coop4int.people.domain.people import (
    PersonDetails,
    give_consent,
    has_consent,
    register_person,
    withdraw_consent,
)
from coop4int.people.enums import ConsentMethod, Purpose

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(make_staff, unit):
    return make_staff(Role.FRONT_OFFICE_OFFICER, unit)


@pytest.fixture
def health(partner_unit):
    return Service.objects.create(name="Consulta do viajante", unit=partner_unit)


@pytest.fixture
def case(unit, officer):
    person = register_person(
        actor=officer, unit=unit,
        details=PersonDetails(given_names="Aminata", family_names="Diallo",
                              preferred_language="fr", residence_status="pending",
                              document_number="P123"),
        phones=["+2389912345"],
    )  # fmt: skip
    return open_case(actor=officer, unit=unit, channel=Channel.WALK_IN, subject="Saúde",
                     person=person)[0]  # fmt: skip


def test_no_referral_leaves_without_the_sharing_consent(officer, case, health):
    with pytest.raises(NotAllowed):
        domain.refer_case(actor=officer, case=case, service=health, summary="x", share_phone=True)
    assert not case.referrals.exists()


def test_only_partner_services_take_referrals(officer, case, unit):
    give_consent(actor=officer, person=case.person, purpose=Purpose.REFERRAL,
                 method=ConsentMethod.VERBAL)  # fmt: skip
    own = Service.objects.create(name="Atendimento", unit=unit)
    with pytest.raises(NotAllowed):
        domain.refer_case(actor=officer, case=case, service=own, summary="x", share_phone=False)


def test_the_partner_gets_the_minimum_and_the_case_waits_on_it(officer, case, health):
    give_consent(actor=officer, person=case.person, purpose=Purpose.REFERRAL,
                 method=ConsentMethod.VERBAL)  # fmt: skip
    referral = domain.refer_case(
        actor=officer, case=case, service=health, summary="Precisa de vacina", share_phone=False
    )
    assert referral.shared == {
        "name": "Aminata Diallo", "language": "fr", "phone": "", "summary": "Precisa de vacina",
    }  # fmt: skip
    assert "P123" not in str(referral.shared)  # never the document or residence status
    case.refresh_from_db()
    assert case.status == Status.WAITING_PARTNER
    assert case.interactions.filter(direction="internal").exists()


def test_partner_accepts_and_records_the_outcome_seen_by_the_officer(
    officer, case, health, make_staff, partner_unit
):
    give_consent(actor=officer, person=case.person, purpose=Purpose.REFERRAL,
                 method=ConsentMethod.VERBAL)  # fmt: skip
    referral = domain.refer_case(
        actor=officer, case=case, service=health, summary="Vacina", share_phone=True
    )
    assert referral.shared["phone"] == "+2389912345"
    nurse = make_staff(Role.PARTNER_USER, partner_unit)
    seen = domain.get_referral_for_user(nurse, referral.pk)
    domain.accept_referral(actor=nurse, referral=seen)
    domain.record_outcome(actor=nurse, referral=seen, outcome=ReferralOutcome.SERVED, note="Ok")
    referral.refresh_from_db()
    case.refresh_from_db()
    assert (referral.status, referral.outcome) == (ReferralStatus.COMPLETED, "served")
    assert case.status == Status.OPEN  # back to the officer, who decides to resolve
    assert AuditEntry.objects.filter(action="cases.referral.viewed", actor=nurse).exists()


def test_partner_declines_with_a_reason_and_the_case_returns_to_the_queue(
    officer, case, health, make_staff, partner_unit
):
    give_consent(actor=officer, person=case.person, purpose=Purpose.REFERRAL,
                 method=ConsentMethod.VERBAL)  # fmt: skip
    referral = domain.refer_case(actor=officer, case=case, service=health, summary="x",
                                 share_phone=False)  # fmt: skip
    nurse = make_staff(Role.PARTNER_USER, partner_unit)
    domain.decline_referral(actor=nurse, referral=referral, reason="Sem vagas este mês")
    case.refresh_from_db()
    assert case.status == Status.OPEN
    with pytest.raises(domain.StaleCase):
        domain.accept_referral(actor=nurse, referral=referral)


def test_a_partner_sees_only_referrals_to_its_own_organisation(
    officer, case, health, make_staff, unit
):
    give_consent(actor=officer, person=case.person, purpose=Purpose.REFERRAL,
                 method=ConsentMethod.VERBAL)  # fmt: skip
    referral = domain.refer_case(actor=officer, case=case, service=health, summary="x",
                                 share_phone=False)  # fmt: skip
    other_partner = make_staff(Role.PARTNER_USER, unit)
    with pytest.raises(Http404):
        domain.get_referral_for_user(other_partner, referral.pk)
    with pytest.raises(Http404):
        domain.get_referral_for_user(officer, referral.pk)  # officers follow it on the case


def test_overdue_referrals_are_flagged(officer, case, health):
    give_consent(actor=officer, person=case.person, purpose=Purpose.REFERRAL,
                 method=ConsentMethod.VERBAL)  # fmt: skip
    referral = domain.refer_case(actor=officer, case=case, service=health, summary="x",
                                 share_phone=False)  # fmt: skip
    assert not referral.is_overdue
    referral.answer_due_at = timezone.now() - timedelta(minutes=1)
    assert referral.is_overdue


def test_partner_page_shows_only_what_was_shared(
    client, login_verified, officer, case, health, make_staff, partner_unit
):
    give_consent(actor=officer, person=case.person, purpose=Purpose.REFERRAL,
                 method=ConsentMethod.VERBAL)  # fmt: skip
    referral = domain.refer_case(actor=officer, case=case, service=health, summary="Vacina",
                                 share_phone=False)  # fmt: skip
    login_verified(client, make_staff(Role.PARTNER_USER, partner_unit))
    body = client.get(reverse("backoffice:referral_detail", args=[referral.pk])).content.decode()
    assert "Aminata Diallo" in body
    assert "Vacina" in body
    assert "P123" not in body
    # The case's reference, to talk about it with the referring unit: shown with what was
    # shared, and gone with it (backoffice/tests/test_referral_pages.py).
    assert case.reference in body


# --- Withdrawal: of the referral, and of the person's consent to share -----------------------


@pytest.fixture
def sharing(officer, case):
    return give_consent(actor=officer, person=case.person, purpose=Purpose.REFERRAL,
                        method=ConsentMethod.VERBAL)  # fmt: skip


@pytest.fixture
def nurse(make_staff, partner_unit):
    return make_staff(Role.PARTNER_USER, partner_unit)


def _refer(officer, case, service, summary="Vacina"):
    return domain.refer_case(actor=officer, case=case, service=service, summary=summary,
                             share_phone=True)  # fmt: skip


def test_withdrawing_the_only_referral_returns_the_case_to_open(officer, case, health, sharing):
    referral = _refer(officer, case, health)
    domain.withdraw_referral(actor=officer, referral=referral)
    case.refresh_from_db()
    assert case.status == Status.OPEN
    assert AuditEntry.objects.filter(
        action="cases.referral.withdrawn", object_id=str(referral.pk)
    ).exists()


def test_withdrawing_one_of_two_pending_referrals_keeps_the_case_waiting(
    officer, case, health, sharing, partner_unit
):
    first = _refer(officer, case, health)
    _refer(officer, case, Service.objects.create(name="Apoio jurídico", unit=partner_unit))
    domain.withdraw_referral(actor=officer, referral=first)
    case.refresh_from_db()
    assert case.status == Status.WAITING_PARTNER


def test_a_declined_referral_leaves_the_case_waiting_while_another_is_pending(
    officer, case, health, sharing, partner_unit, nurse
):
    first = _refer(officer, case, health)
    second = _refer(officer, case, Service.objects.create(name="Apoio", unit=partner_unit))
    domain.accept_referral(actor=nurse, referral=second)
    domain.decline_referral(actor=nurse, referral=first, reason="Sem vagas")
    case.refresh_from_db()
    assert case.status == Status.WAITING_PARTNER
    domain.record_outcome(actor=nurse, referral=second, outcome=ReferralOutcome.SERVED)
    case.refresh_from_db()
    assert case.status == Status.OPEN


def test_withdrawing_a_referral_of_a_resolved_case_leaves_it_resolved(
    officer, case, health, sharing
):
    from coop4int.cases.domain.cases import change_status

    referral = _refer(officer, case, health)
    change_status(actor=officer, case=case, status=Status.RESOLVED)
    domain.withdraw_referral(actor=officer, referral=referral)
    case.refresh_from_db()
    assert case.status == Status.RESOLVED


def test_withdrawing_a_referral_clears_what_was_shared_and_keeps_the_rest(
    officer, case, health, sharing
):
    referral = _refer(officer, case, health)
    sent_at, due = referral.sent_at, referral.answer_due_at
    domain.withdraw_referral(actor=officer, referral=referral)
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.WITHDRAWN
    assert referral.shared == {}
    assert (referral.service, referral.sent_at, referral.answer_due_at) == (health, sent_at, due)


def test_the_log_keeps_whether_a_decline_had_a_reason_and_the_referral_keeps_the_words(
    officer, case, health, sharing, nurse
):
    referral = _refer(officer, case, health)
    domain.decline_referral(actor=nurse, referral=referral, reason="  Sem vagas este mês ")
    referral.refresh_from_db()
    assert referral.decline_reason == "Sem vagas este mês"
    entry = AuditEntry.objects.get(action="cases.referral.declined")
    assert entry.data == {"has_reason": True, "reason_length": len("Sem vagas este mês")}
    moved = AuditEntry.objects.filter(action="cases.case.status_changed").latest("pk")
    assert moved.data == {"from": "waiting_partner", "to": "open", "reason": "referral_declined"}


def test_an_officers_reason_for_withdrawing_is_a_note_on_the_case_not_in_the_log(
    officer, case, health, sharing
):
    """Said once, on the timeline: the case's move gives the usual code."""
    referral = _refer(officer, case, health)
    domain.withdraw_referral(actor=officer, referral=referral, reason="Já foi atendida")
    note = case.interactions.get(body="Já foi atendida")
    assert (note.channel, note.direction, note.author) == (
        Channel.NOTE, "internal", officer,
    )  # fmt: skip
    entry = AuditEntry.objects.get(action="cases.referral.withdrawn")
    assert entry.data == {"reason": "", "reason_note": note.pk, "reason_length": 15}
    moved = AuditEntry.objects.filter(action="cases.case.status_changed").latest("pk")
    assert moved.data == {"from": "waiting_partner", "to": "open", "reason": "referral_withdrawn"}


def test_a_referral_already_answered_cannot_be_withdrawn(officer, case, health, sharing, nurse):
    referral = _refer(officer, case, health)
    domain.decline_referral(actor=nurse, referral=referral, reason="Sem vagas")
    with pytest.raises(domain.StaleCase):
        domain.withdraw_referral(actor=officer, referral=referral)
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.DECLINED


@pytest.mark.parametrize("answer", ["accept", "decline", "outcome"])
def test_a_partner_cannot_answer_a_withdrawn_referral(
    officer, case, health, sharing, nurse, answer
):
    referral = _refer(officer, case, health)
    if answer == "outcome":
        domain.accept_referral(actor=nurse, referral=referral)
    seen = domain.get_referral_for_user(nurse, referral.pk)  # the partner's page, still open
    domain.withdraw_referral(actor=officer, referral=referral)
    with pytest.raises(NotAllowed):
        _answer(nurse, seen, answer)
    referral.refresh_from_db()
    assert (referral.status, referral.answered_at is None, referral.outcome) == (
        ReferralStatus.WITHDRAWN, answer != "outcome", "",
    )  # fmt: skip


def _answer(nurse, referral, answer):
    if answer == "accept":
        domain.accept_referral(actor=nurse, referral=referral)
    elif answer == "decline":
        domain.decline_referral(actor=nurse, referral=referral, reason="Sem vagas")
    else:
        domain.record_outcome(actor=nurse, referral=referral, outcome=ReferralOutcome.SERVED)


@pytest.mark.parametrize("answer", ["accept", "decline", "outcome"])
def test_a_partner_cannot_answer_once_the_person_withdrew_the_consent_to_share(
    officer, case, health, sharing, nurse, answer
):
    referral = _refer(officer, case, health)
    if answer == "outcome":
        domain.accept_referral(actor=nurse, referral=referral)
    # Withdrawn elsewhere (the person's page), without the referrals: refused all the same.
    withdraw_consent(actor=officer, person=case.person, purpose=Purpose.REFERRAL)
    before = Referral.objects.filter(pk=referral.pk).values().get()
    with pytest.raises(NotAllowed):
        _answer(nurse, referral, answer)
    assert Referral.objects.filter(pk=referral.pk).values().get() == before


def test_withdrawing_the_sharing_consent_withdraws_every_open_referral_of_the_person(
    officer, case, health, sharing, nurse, unit, partner_unit
):
    other_case = open_case(actor=officer, unit=unit, channel=Channel.PHONE, subject="Escola",
                           person=case.person)[0]  # fmt: skip
    sent = _refer(officer, case, health)
    accepted = _refer(officer, other_case, Service.objects.create(name="Escola", unit=partner_unit))
    domain.accept_referral(actor=nurse, referral=accepted)
    finished = _refer(officer, case, Service.objects.create(name="Apoio", unit=partner_unit))
    domain.decline_referral(actor=nurse, referral=finished, reason="Sem vagas")

    assert domain.withdraw_sharing_consent(actor=officer, person=case.person) == 2

    assert not has_consent(case.person, Purpose.REFERRAL)
    for referral in (sent, accepted):
        referral.refresh_from_db()
        assert (referral.status, referral.shared) == (ReferralStatus.WITHDRAWN, {})
        assert Case.objects.get(pk=referral.case_id).status == Status.OPEN  # nothing waits
    finished.refresh_from_db()
    assert (finished.status, finished.shared) == (ReferralStatus.DECLINED, {})
    reasons = AuditEntry.objects.filter(action="cases.referral.withdrawn").values_list(
        "data__reason", flat=True
    )
    assert list(reasons) == ["sharing_consent_withdrawn"] * 2
    assert AuditEntry.objects.filter(action="people.consent.withdrawn").count() == 1


def test_withdrawing_the_sharing_consent_leaves_other_peoples_referrals_alone(
    officer, case, health, sharing, unit
):
    someone_else = register_person(actor=officer, unit=unit,
                                   details=PersonDetails(given_names="Rui"))  # fmt: skip
    give_consent(actor=officer, person=someone_else, purpose=Purpose.REFERRAL,
                 method=ConsentMethod.VERBAL)  # fmt: skip
    theirs = _refer(officer, open_case(actor=officer, unit=unit, channel=Channel.WALK_IN,
                                       subject="x", person=someone_else)[0], health)  # fmt: skip
    domain.withdraw_sharing_consent(actor=officer, person=case.person)
    theirs.refresh_from_db()
    assert theirs.status == ReferralStatus.SENT
    assert theirs.shared["name"] == "Rui"


def test_the_partners_copy_shows_nothing_personal_without_a_live_consent(
    officer, case, health, sharing, nurse
):
    referral = _refer(officer, case, health)
    copy = domain.partner_copy(domain.get_referral_for_user(nurse, referral.pk))
    assert copy.shared["name"] == "Aminata Diallo"
    assert copy.answerable
    withdraw_consent(actor=officer, person=case.person, purpose=Purpose.REFERRAL)
    for seen in (domain.get_referral_for_user(nurse, referral.pk), Referral.objects.get()):
        copy = domain.partner_copy(seen)  # annotated by the partner's query, or not
        assert copy.shared == {}
        assert copy.withdrawn
        assert not copy.answerable
        assert copy.status == ReferralStatus.WITHDRAWN.label
