"""The phone line: the caller's number finds people and their open cases; a call joins one or
opens a new one; call-backs are scheduled and made."""

import pytest
from django.urls import reverse

from coop4int.accounts.enums import Role
from coop4int.cases.domain.cases import open_case
from coop4int.cases.enums import Channel
from coop4int.cases.models import CallBack, Case
from coop4int.core.models import AuditEntry
from coop4int.people.domain.people import PersonDetails, register_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(make_staff, unit):
    return make_staff(Role.FRONT_OFFICE_OFFICER, unit)


@pytest.fixture
def desk(client, login_verified, officer):
    login_verified(client, officer)
    return client


@pytest.fixture
def aminata(officer, unit):
    return register_person(
        actor=officer, unit=unit,
        details=PersonDetails(given_names="Aminata", family_names="Diallo",
                              preferred_language="fr"),
        phones=["+2389912345"],
    )  # fmt: skip


def test_caller_number_finds_the_person_and_their_open_case(desk, officer, unit, aminata,
                                                            other_unit):  # fmt: skip
    mine = open_case(actor=officer, unit=unit, channel=Channel.WALK_IN, subject="Visto",
                     person=aminata)[0]  # fmt: skip
    elsewhere = open_case(actor=None, unit=other_unit, channel=Channel.WEB, subject="Mindelo",
                          person=aminata)[0]  # fmt: skip
    body = desk.get(reverse("backoffice:phone_line"), {"number": "991 23 45"}).content.decode()
    assert "Aminata Diallo" in body
    assert mine.reference in body
    assert elsewhere.reference not in body  # another unit's case stays out of reach
    assert 'value="fr" selected' in body  # the call's language defaults to the person's


def test_call_joins_the_chosen_case_with_a_call_back(desk, officer, unit, aminata):
    case = open_case(actor=officer, unit=unit, channel=Channel.WALK_IN, subject="Visto",
                     person=aminata)[0]  # fmt: skip
    response = desk.post(reverse("backoffice:phone_line"), {
        "number": "+2389912345", "direction": "in", "case": case.reference,
        "person": str(aminata.pk), "summary": "Pergunta pelo prazo", "language": "fr",
        "duration_minutes": "4", "interpreter": "Ousmane (wolof)",
        "callback_at": "2026-12-01T10:30",
    })  # fmt: skip
    assert response.status_code == 302
    call = case.interactions.get(channel=Channel.PHONE)
    assert (call.duration_seconds, call.interpreter, call.is_public) == (
        240, "Ousmane (wolof)", False,
    )  # fmt: skip
    assert CallBack.objects.get().case == case
    body = desk.get(reverse("backoffice:phone_line")).content.decode()
    assert case.reference in body  # in the call-backs to make
    desk.post(
        reverse("backoffice:phone_line"),
        {"action": "callback_done", "callback": CallBack.objects.get().pk},
    )
    assert CallBack.objects.get().done_at is not None


def test_anonymous_call_opens_a_case_with_the_number_to_call_back(desk, unit):
    response = desk.post(reverse("backoffice:phone_line"), {
        "number": "+2389876543", "direction": "in", "case": "", "person": "",
        "subject": "Horário", "summary": "A que horas abre?", "language": "pt",
    })  # fmt: skip
    assert response.status_code == 302
    case = Case.objects.get()
    assert (case.person, case.reply_phone, case.channel) == (None, "+2389876543", Channel.PHONE)


def test_a_number_that_does_not_parse_is_refused_in_the_users_language(desk):
    response = desk.get(reverse("backoffice:phone_line"), {"number": "12"})
    assert response.status_code == 200
    assert 'value="12"' in response.content.decode()
    assert "form-errors" in response.content.decode()


def test_no_hidden_field_competes_with_the_chosen_person_and_case(desk, officer, unit, aminata):
    """The person and case are radio buttons of the form itself: an empty hidden field of the
    same name used to be posted after them and win, opening a new anonymous case."""
    case = open_case(actor=officer, unit=unit, channel=Channel.WALK_IN, subject="Visto",
                     person=aminata)[0]  # fmt: skip
    body = desk.get(reverse("backoffice:phone_line"), {"number": "991 23 45"}).content.decode()
    assert 'type="hidden" name="case"' not in body
    assert 'type="hidden" name="person"' not in body
    assert body.count('name="case"') == 2  # the open case, and "open a new case"
    response = desk.post(reverse("backoffice:phone_line"), {
        "number": "+2389912345", "direction": "in", "case": case.reference,
        "person": str(aminata.pk), "summary": "Voltou a ligar", "language": "fr",
    })  # fmt: skip
    assert response["Location"] == reverse("backoffice:case_detail", args=[case.reference])
    assert Case.objects.count() == 1
    assert case.interactions.filter(body="Voltou a ligar").exists()


def test_a_case_or_person_not_offered_is_refused_and_nothing_is_logged(
    desk, officer, unit, other_unit, aminata
):
    elsewhere = open_case(actor=None, unit=other_unit, channel=Channel.WEB, subject="Mindelo")[0]
    stranger = register_person(
        actor=None, unit=other_unit, details=PersonDetails(given_names="Zulmira"),
        phones=["+2389912345"],
    )  # fmt: skip
    for choice in ({"case": elsewhere.reference}, {"person": str(stranger.pk)}):
        response = desk.post(reverse("backoffice:phone_line"), {
            "number": "+2389912345", "direction": "in", "summary": "Tentativa",
            "language": "pt", "subject": "x", **choice,
        })  # fmt: skip
        assert response.status_code == 200
        assert "Zulmira" not in response.content.decode()
    assert not Case.objects.filter(subject="x").exists()
    assert elsewhere.interactions.count() == 0


def test_a_call_back_id_that_is_not_a_number_changes_nothing(desk):
    response = desk.post(
        reverse("backoffice:phone_line"), {"action": "callback_done", "callback": "abc"}
    )
    assert response.status_code == 302


def test_every_caller_lookup_is_audited_without_the_number(desk, officer, aminata):
    desk.get(reverse("backoffice:phone_line"), {"number": "991 23 45"})
    entry = AuditEntry.objects.get(action="cases.caller.looked_up")
    assert entry.actor == officer
    assert "9912345" not in str(entry.data)
    assert entry.data["matches"] == 1
