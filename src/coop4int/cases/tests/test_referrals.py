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
from coop4int.core.models import AuditEntry
from coop4int.directory.models import Service
from coop4int.people.domain.people import PersonDetails, give_consent, register_person
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
    assert case.reference not in body
