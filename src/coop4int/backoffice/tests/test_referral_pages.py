"""The partner's referral pages: what was shared, only while the referral stands and the
person's consent to share lasts; answers refused, with a message, once either is withdrawn."""

import re

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from coop4int.accounts.enums import Role
from coop4int.cases.domain import referrals as domain
from coop4int.cases.domain.cases import open_case
from coop4int.cases.enums import Channel, ReferralOutcome, ReferralStatus, Status
from coop4int.cases.models import Referral
from coop4int.directory.models import Service
from coop4int.people.domain.people import (
    PersonDetails,
    give_consent,
    register_person,
    withdraw_consent,
)
from coop4int.people.enums import ConsentMethod, Purpose

pytestmark = pytest.mark.django_db

PERSONAL = ("Aminata Diallo", "+2389912345", "Precisa da vacina")
WITHDRAWN_BY_THE_UNIT = (
    "This referral was withdrawn by the referring unit. It can no longer be answered and "
    "nothing was saved."
)
WITHDRAWN_CONSENT = (
    "The person withdrew their consent to share their details with a partner. This referral "
    "can no longer be answered and nothing was saved."
)


def _facts(body: str) -> str:
    """The referral's facts (status, dates and, while shared, name, language, phone)."""
    return body.split('<dl class="facts">', 1)[1].split("</dl>", 1)[0]


@pytest.fixture
def officer(make_staff, unit):
    return make_staff(Role.FRONT_OFFICE_OFFICER, unit)


@pytest.fixture
def nurse(make_staff, partner_unit):
    return make_staff(Role.PARTNER_USER, partner_unit)


@pytest.fixture
def partner(client, login_verified, nurse):
    login_verified(client, nurse)
    return client


@pytest.fixture
def service(partner_unit):
    return Service.objects.create(name="Consulta do viajante", unit=partner_unit)


def _refer(officer, unit, service, given_names="Aminata"):
    person = register_person(
        actor=officer, unit=unit,
        details=PersonDetails(given_names=given_names, family_names="Diallo",
                              preferred_language="fr"),
        phones=["+2389912345"],
    )  # fmt: skip
    give_consent(actor=officer, person=person, purpose=Purpose.REFERRAL,
                 method=ConsentMethod.VERBAL)  # fmt: skip
    case = open_case(actor=officer, unit=unit, channel=Channel.WALK_IN, subject="Saúde",
                     person=person)[0]  # fmt: skip
    return domain.refer_case(actor=officer, case=case, service=service,
                             summary="Precisa da vacina", share_phone=True)  # fmt: skip


@pytest.fixture
def referral(officer, unit, service):
    return _refer(officer, unit, service)


def _pages(client, referral) -> tuple[str, str]:
    detail = client.get(reverse("backoffice:referral_detail", args=[referral.pk]))
    listing = client.get(reverse("backoffice:referral_list"))
    assert (detail.status_code, listing.status_code) == (200, 200)
    return detail.content.decode(), listing.content.decode()


def _withdrawn_label(response) -> str:
    with translation.override(response.wsgi_request.LANGUAGE_CODE):
        return str(ReferralStatus.WITHDRAWN.label)


def test_the_partner_sees_what_was_shared_while_the_referral_stands(partner, referral):
    detail, listing = _pages(partner, referral)
    for value in PERSONAL:
        assert value in detail
    assert "Français" in _facts(detail)
    assert "Aminata Diallo" in listing
    assert 'value="accept"' in detail


def test_a_withdrawn_referral_shows_withdrawn_and_nothing_personal(partner, referral, officer):
    domain.withdraw_referral(actor=officer, referral=referral)
    response = partner.get(reverse("backoffice:referral_detail", args=[referral.pk]))
    detail, listing = _pages(partner, referral)
    for value in PERSONAL:
        assert value not in detail
        assert value not in listing
    assert "Français" not in _facts(detail)
    assert _withdrawn_label(response) in detail
    assert _withdrawn_label(response) in listing
    assert 'value="accept"' not in detail
    assert 'name="action" value="decline"' not in detail


def test_without_the_persons_consent_the_partner_sees_withdrawn_and_nothing_personal(
    partner, referral, officer
):
    """Checked when read: the consent was withdrawn where the referrals were not (the
    person's own page), and what is stored was not cleared."""
    withdraw_consent(actor=officer, person=referral.case.person, purpose=Purpose.REFERRAL)
    assert Referral.objects.get().shared["name"] == "Aminata Diallo"
    response = partner.get(reverse("backoffice:referral_detail", args=[referral.pk]))
    detail, listing = _pages(partner, referral)
    for value in PERSONAL:
        assert value not in detail
        assert value not in listing
    assert "Français" not in _facts(detail)
    assert _withdrawn_label(response) in detail
    assert 'value="accept"' not in detail


def test_an_answered_referral_hides_the_details_once_the_consent_is_withdrawn(
    partner, referral, officer, nurse
):
    domain.accept_referral(actor=nurse, referral=referral)
    withdraw_consent(actor=officer, person=referral.case.person, purpose=Purpose.REFERRAL)
    detail, _listing = _pages(partner, referral)
    for value in PERSONAL:
        assert value not in detail
    assert 'value="outcome"' not in detail


@pytest.mark.parametrize(
    ("posted", "accepted_first"),
    [
        ({"action": "accept"}, False),
        ({"action": "decline", "reason": "Sem vagas"}, False),
        ({"action": "outcome", "outcome": "served", "note": "Vacinada"}, True),
    ],
)
@pytest.mark.parametrize("withdrawn", ["referral", "consent"])
def test_answering_after_a_withdrawal_is_refused_with_a_message_and_changes_nothing(
    partner, referral, officer, nurse, posted, accepted_first, withdrawn
):
    if accepted_first:
        domain.accept_referral(actor=nurse, referral=referral)
    if withdrawn == "referral":
        domain.withdraw_referral(actor=officer, referral=referral)
    else:
        domain.withdraw_sharing_consent(actor=officer, person=referral.case.person)
    before = Referral.objects.filter(pk=referral.pk).values().get()
    case_before = Referral.objects.get(pk=referral.pk).case
    response = partner.post(reverse("backoffice:referral_detail", args=[referral.pk]), posted)
    assert response.status_code == 200
    said = [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]
    why = WITHDRAWN_BY_THE_UNIT if withdrawn == "referral" else WITHDRAWN_CONSENT
    with translation.override(response.wsgi_request.LANGUAGE_CODE):
        assert said == [("error", translation.gettext(why))]
    body = response.content.decode()
    for value in PERSONAL:
        assert value not in body
    assert "Français" not in _facts(body)
    assert Referral.objects.filter(pk=referral.pk).values().get() == before
    case_after = Referral.objects.get(pk=referral.pk).case
    assert (case_after.status, case_after.version) == (case_before.status, case_before.version)


def test_the_partners_list_runs_a_fixed_number_of_queries(
    partner, referral, officer, unit, service
):
    partner.get(reverse("backoffice:referral_list"))  # warms the session's caches
    with CaptureQueriesContext(connection) as few:
        partner.get(reverse("backoffice:referral_list"))
    for name in ("Rui", "Ana", "Eva"):
        _refer(officer, unit, service, given_names=name)
    with CaptureQueriesContext(connection) as many:
        body = partner.get(reverse("backoffice:referral_list")).content.decode()
    assert len(many) == len(few)
    assert "Eva Diallo" in body


def test_declining_the_last_pending_referral_returns_the_case_to_open(partner, referral):
    response = partner.post(
        reverse("backoffice:referral_detail", args=[referral.pk]),
        {"action": "decline", "reason": "Sem vagas"},
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.case.status == Status.OPEN


def _fact(body: str, fact_id: str) -> str:
    found = re.search(rf'<dd id="{fact_id}">(.*?)</dd>', body, re.S)
    return found.group(1) if found else ""


def test_the_partner_sees_who_referred_the_person_and_the_cases_reference(partner, referral, unit):
    detail, listing = _pages(partner, referral)
    assert _fact(detail, "referring-unit") == unit.name
    assert referral.case.reference in _fact(detail, "case-reference")
    assert unit.name in listing
    assert referral.case.reference in listing


def test_the_partner_reads_their_own_outcome_note_again(partner, referral, nurse):
    partner.post(reverse("backoffice:referral_detail", args=[referral.pk]), {"action": "accept"})
    response = partner.post(
        reverse("backoffice:referral_detail", args=[referral.pk]),
        {"action": "outcome", "outcome": "served", "note": "Vacinada no dia 3."},
    )
    assert response.status_code == 302
    detail, _listing = _pages(partner, referral)
    assert "Vacinada no dia 3." in detail.split('id="outcome-note"', 1)[1]


@pytest.mark.parametrize("withdrawn", ["referral", "consent"])
def test_a_withdrawn_referral_names_the_unit_but_no_reference_and_no_note(
    partner, referral, officer, nurse, unit, withdrawn
):
    domain.accept_referral(actor=nurse, referral=referral)
    if withdrawn == "referral":
        domain.withdraw_referral(actor=officer, referral=referral)
    else:
        domain.record_outcome(actor=nurse, referral=referral, outcome=ReferralOutcome.SERVED,
                              note="Aminata foi vacinada.")  # fmt: skip
        withdraw_consent(actor=officer, person=referral.case.person, purpose=Purpose.REFERRAL)
    detail, listing = _pages(partner, referral)
    assert _fact(detail, "referring-unit") == unit.name
    for body in (detail, listing):
        assert referral.case.reference not in body
        assert "Aminata" not in body
    assert 'id="outcome-note"' not in detail
