"""The support desk pages: inbox, a case, and registering a walk-in or a call."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from coop4int.accounts.enums import Role
from coop4int.cases.domain.cases import add_note, open_case
from coop4int.cases.enums import Channel, Direction, Status
from coop4int.cases.models import Case
from coop4int.core.models import AuditEntry
from coop4int.people.domain.people import PersonDetails, register_person
from coop4int.people.models import Consent, Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(make_staff, unit):
    return make_staff(Role.FRONT_OFFICE_OFFICER, unit, username="tecnico")


@pytest.fixture
def desk(client, login_verified, officer):
    login_verified(client, officer)
    return client


def _case(unit, officer, **kwargs):
    values = {"actor": officer, "unit": unit, "channel": Channel.WALK_IN, "subject": "Visto"}
    return open_case(**(values | kwargs))[0]


def test_inbox_query_count_does_not_grow_with_the_page(desk, unit, officer):
    for n in range(3):
        _case(unit, officer, subject=f"Pedido {n}")
    desk.get(reverse("backoffice:case_inbox"))  # the session's first request warms its caches
    with CaptureQueriesContext(connection) as few:
        assert desk.get(reverse("backoffice:case_inbox")).status_code == 200
    for n in range(3, 30):
        _case(unit, officer, subject=f"Pedido {n}", person=None)
    with CaptureQueriesContext(connection) as many:
        body = desk.get(reverse("backoffice:case_inbox")).content.decode()
    assert len(many) == len(few) == 9
    assert "Pedido 24" in body
    assert 'rel="next"' in body


def test_bulk_assignment_from_the_inbox(desk, unit, officer, make_staff):
    colleague = make_staff(Role.FRONT_OFFICE_OFFICER, unit, username="colega")
    cases = [_case(unit, officer, subject=str(n)) for n in range(2)]
    response = desk.post(
        reverse("backoffice:case_inbox"),
        {"case": [c.reference for c in cases], "officer": colleague.pk, "back": "view=unit"},
    )
    assert response.status_code == 302
    assert set(Case.objects.values_list("assigned_to", flat=True)) == {colleague.pk}


def test_case_page_shows_the_timeline_with_notes_and_audits_the_read(desk, unit, officer):
    case = _case(unit, officer, body="Preciso de ajuda com o visto")
    add_note(actor=officer, case=case, body="Ver documentos")
    body = desk.get(reverse("backoffice:case_detail", args=[case.reference])).content.decode()
    assert "Preciso de ajuda com o visto" in body
    assert "Ver documentos" in body
    assert AuditEntry.objects.filter(action="cases.case.viewed", object_id=str(case.pk)).exists()


def test_reply_and_status_change_from_the_case_page(desk, unit, officer):
    case = _case(unit, officer)
    url = reverse("backoffice:case_detail", args=[case.reference])
    desk.post(url, {"action": "reply", "reply-channel": "walk_in",
                    "reply-body": "Traga o passaporte", "reply-version": case.version})  # fmt: skip
    case.refresh_from_db()
    assert case.interactions.filter(direction=Direction.OUT, body="Traga o passaporte").exists()
    desk.post(url, {"action": "status", "status-status": "resolved",
                    "status-version": case.version})  # fmt: skip
    case.refresh_from_db()
    assert case.status == Status.RESOLVED


def test_saving_an_older_version_keeps_what_was_typed_and_saves_nothing(desk, unit, officer):
    case = _case(unit, officer)
    old_version = case.version
    add_note(actor=officer, case=case, body="Outra pessoa escreveu")  # someone else, meanwhile
    response = desk.post(
        reverse("backoffice:case_detail", args=[case.reference]),
        {
            "action": "reply",
            "reply-channel": "walk_in",
            "reply-body": "O meu texto",
            "reply-version": old_version,
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "O meu texto</textarea>" in body
    assert not case.interactions.filter(body="O meu texto").exists()


def test_walk_in_registration_opens_a_case_with_the_person_and_consent(desk, unit):
    response = desk.post(
        reverse("backoffice:case_new"),
        {"channel": "walk_in", "given_names": "Aminata", "family_names": "Diallo",
         "sex": "female", "nationality": "sn, gw", "preferred_language": "fr",
         "phone": "991 23 45", "consent_service": "on", "subject": "Autorização de residência",
         "body": "Quer renovar", "priority": "2"},
    )  # fmt: skip
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.person.display_name == "Aminata Diallo"
    assert case.person.nationalities == ["SN", "GW"]
    assert case.person.contacts.get().value == "+2389912345"
    assert case.language == "fr"
    assert Consent.objects.filter(person=case.person, purpose="service").exists()


def test_possible_duplicate_is_shown_and_can_be_chosen(desk, unit, officer):
    known = register_person(
        actor=officer, unit=unit,
        details=PersonDetails(given_names="Aminata", family_names="Diallo"),
        phones=["+2389912345"],
    )  # fmt: skip
    form = {"channel": "walk_in", "given_names": "Aminatá", "family_names": "Diallo",
            "sex": "female", "preferred_language": "fr", "consent_service": "on",
            "subject": "Visto", "priority": "2"}  # fmt: skip
    response = desk.post(reverse("backoffice:case_new"), form)
    body = response.content.decode()
    assert response.status_code == 200
    assert "This person may already be registered" in body or "Aminata Diallo" in body
    assert not Case.objects.exists()
    response = desk.post(reverse("backoffice:case_new"), form | {"person_choice": str(known.pk)})
    assert response.status_code == 302
    assert Case.objects.get().person == known
    assert Person.objects.count() == 1


def test_anonymous_phone_question_needs_no_identity(desk, unit):
    response = desk.post(
        reverse("backoffice:case_new"),
        {"channel": "phone", "anonymous": "on", "sex": "not_stated", "preferred_language": "pt",
         "subject": "Horário", "body": "A que horas abre?", "priority": "2",
         "duration_minutes": "3", "interpreter": ""},
    )  # fmt: skip
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.person is None
    assert case.interactions.get().duration_seconds == 180


def test_bad_phone_keeps_what_was_typed_and_saves_nothing(desk, unit):
    response = desk.post(
        reverse("backoffice:case_new"),
        {"channel": "walk_in", "given_names": "Rui", "phone": "12", "sex": "male",
         "preferred_language": "pt", "consent_service": "on", "subject": "Ajuda",
         "priority": "2"},
    )  # fmt: skip
    body = response.content.decode()
    assert response.status_code == 200
    assert 'value="Rui"' in body
    with translation.override("pt"):
        error = translation.gettext("“%(number)s” is not a phone number.") % {"number": "12"}
    assert escape(error) in body
    assert not Case.objects.exists()
    assert not Person.objects.exists()


def test_officer_of_another_unit_gets_404(client, login_verified, make_staff, other_unit, unit,
                                          officer):  # fmt: skip
    case = _case(unit, officer)
    login_verified(client, make_staff(Role.FRONT_OFFICE_OFFICER, other_unit))
    assert client.get(reverse("backoffice:case_detail", args=[case.reference])).status_code == 404


def test_canned_answer_is_inserted_in_the_persons_language(desk, unit, officer, make_staff):
    from coop4int.cases.domain.canned import save_canned_answer

    answer = save_canned_answer(actor=officer, answer=None, title="Documentos", topic=None,
                                language="pt", body="Olá {name}, traga o passaporte.")  # fmt: skip
    save_canned_answer(actor=officer, answer=answer, title="Documentos", topic=None,
                       language="fr", body="Bonjour {name}, apportez le passeport.")  # fmt: skip
    person = register_person(actor=officer, unit=unit, details=PersonDetails(
        given_names="Aminata", preferred_language="fr"))  # fmt: skip
    case = _case(unit, officer, person=person, language="fr")
    url = reverse("backoffice:case_detail", args=[case.reference])
    body = desk.get(url).content.decode()
    assert f'href="?canned={answer.pk}#reply"' in body
    body = desk.get(url, {"canned": answer.pk}).content.decode()
    assert "Bonjour Aminata, apportez le passeport.</textarea>" in body


def test_coordinator_keeps_canned_answers(client, login_verified, make_staff, unit):
    coordinator = make_staff(Role.UNIT_COORDINATOR, unit)
    login_verified(client, coordinator)
    response = client.post(reverse("backoffice:canned_answers"), {
        "title": "Horário", "language": "kea", "body": "Nu ta abri 8h.",
    })  # fmt: skip
    assert response.status_code == 302
    assert "Nu ta abri 8h." in client.get(reverse("backoffice:canned_answers")).content.decode()
    response = client.post(reverse("backoffice:canned_answers"), {"title": "", "language": "xx"})
    assert response.status_code == 200  # errors shown, nothing saved


def test_officer_records_the_satisfaction_answer_given_at_the_desk(desk, unit, officer):
    from coop4int.cases.domain.cases import change_status

    case = _case(unit, officer)
    change_status(actor=officer, case=case, status=Status.RESOLVED)
    url = reverse("backoffice:case_detail", args=[case.reference])
    assert 'name="score" value="4"' in desk.get(url).content.decode()
    desk.post(url, {"action": "satisfaction", "score": "4"})
    case.refresh_from_db()
    assert case.satisfaction == 4


def test_reply_with_a_file_which_only_allowed_users_download(
    desk, unit, officer, client, make_staff, other_unit, settings, tmp_path, login_verified
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    case = _case(unit, officer)
    url = reverse("backoffice:case_detail", args=[case.reference])
    pdf = SimpleUploadedFile("lista.pdf", b"%PDF-1.4 lista de documentos", "application/pdf")
    desk.post(url, {"action": "reply", "reply-channel": "walk_in", "reply-body": "Segue a lista",
                    "reply-version": case.version, "reply-attachment": pdf})  # fmt: skip
    attached = case.interactions.get(direction=Direction.OUT).files.get()
    assert attached.filename == "lista.pdf"
    assert "lista" not in attached.file.name  # stored under a name of our own
    file_url = reverse("backoffice:case_file", args=[case.reference, attached.pk])
    assert f'href="{file_url}"' in desk.get(url).content.decode()
    response = desk.get(file_url)
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert AuditEntry.objects.filter(action="cases.attachment.downloaded").exists()

    login_verified(client, make_staff(Role.FRONT_OFFICE_OFFICER, other_unit))
    assert client.get(file_url).status_code == 404


def test_a_file_of_the_wrong_type_is_refused_and_nothing_is_sent(desk, unit, officer):
    from django.core.files.uploadedfile import SimpleUploadedFile

    case = _case(unit, officer)
    url = reverse("backoffice:case_detail", args=[case.reference])
    script = SimpleUploadedFile("lista.pdf", b"<script>alert(1)</script>", "application/pdf")
    response = desk.post(url, {"action": "reply", "reply-channel": "walk_in",
                               "reply-body": "Segue a lista", "reply-version": case.version,
                               "reply-attachment": script})  # fmt: skip
    assert response.status_code == 200
    assert "Segue a lista</textarea>" in response.content.decode()
    assert not case.interactions.filter(direction=Direction.OUT).exists()


def test_the_reply_form_warns_when_whatsapps_window_is_closed(desk, unit, officer):
    from datetime import timedelta

    from django.utils import timezone

    case = _case(unit, officer, channel=Channel.WHATSAPP, body="Olá",
                 reply_phone="+2389912345", at=timezone.now() - timedelta(hours=30))  # fmt: skip
    url = reverse("backoffice:case_detail", args=[case.reference])

    def reply_section(url: str) -> str:
        return desk.get(url).content.decode().split('id="reply"')[1].split("</form>")[0]

    assert 'role="note">' in reply_section(url)
    recent = _case(unit, officer, channel=Channel.WHATSAPP, body="Olá", reply_phone="+2389912345")
    assert 'role="note">' not in reply_section(
        reverse("backoffice:case_detail", args=[recent.reference])
    )


def test_the_officer_hands_over_the_tracking_link_once(desk, unit, client):
    response = desk.post(
        reverse("backoffice:case_new"),
        {"channel": "walk_in", "anonymous": "on", "sex": "not_stated", "preferred_language": "fr",
         "subject": "Visto", "priority": "2"},
        follow=True,
    )  # fmt: skip
    case = Case.objects.get()
    body = response.content.decode()
    link = re.search(r'id="tracking-link">(http://testserver(/fr/follow/[^<]+))</a>', body)
    assert link is not None
    assert case.reference in link.group(2)
    assert client.get(link.group(2)).status_code == 200  # the person's page opens
    again = desk.get(reverse("backoffice:case_detail", args=[case.reference])).content.decode()
    assert 'id="tracking-link"' not in again


# --- Referrals, consent and satisfaction on the case page --------------------------------------


def _said(response) -> list[tuple[str, str]]:
    """The messages the page gives after a redirect: (level, text)."""
    from django.contrib.messages import get_messages

    return [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]


def _in_page_language(response, message: str) -> str:
    with translation.override(response.wsgi_request.LANGUAGE_CODE):
        return translation.gettext(message)


@pytest.fixture
def referred(unit, officer, partner_unit):
    from coop4int.cases.domain.referrals import refer_case
    from coop4int.directory.models import Service
    from coop4int.people.domain.people import give_consent
    from coop4int.people.enums import ConsentMethod, Purpose

    person = register_person(actor=officer, unit=unit, details=PersonDetails(
        given_names="Aminata", family_names="Diallo"), phones=["+2389912345"])  # fmt: skip
    give_consent(actor=officer, person=person, purpose=Purpose.REFERRAL,
                 method=ConsentMethod.VERBAL)  # fmt: skip
    case = _case(unit, officer, person=person)
    service = Service.objects.create(name="Consulta do viajante", unit=partner_unit)
    referral = refer_case(actor=officer, case=case, service=service, summary="Vacina",
                          share_phone=True)  # fmt: skip
    return case, referral


@pytest.mark.parametrize("posted", ["abc", "", "²", "1.5", "-1", "9" * 30, "None"])
def test_withdrawing_a_referral_with_a_bad_id_answers_with_a_message_and_changes_nothing(
    desk, referred, posted
):
    from coop4int.cases.enums import ReferralStatus

    case, referral = referred
    version = Case.objects.get(pk=case.pk).version
    response = desk.post(
        reverse("backoffice:case_detail", args=[case.reference]),
        {"action": "withdraw_referral", "referral": posted},
    )
    assert response.status_code == 302
    assert _said(response) == [
        ("error", _in_page_language(
            response, "That referral is not one of this case's. Nothing was changed."
        ))
    ]  # fmt: skip
    referral.refresh_from_db()
    case.refresh_from_db()
    assert (referral.status, case.status, case.version) == (
        ReferralStatus.SENT, Status.WAITING_PARTNER, version,
    )  # fmt: skip


def test_a_referral_of_another_case_cannot_be_withdrawn_from_this_one(
    desk, referred, unit, officer
):
    from coop4int.cases.enums import ReferralStatus

    _case_referred, referral = referred
    other = _case(unit, officer, subject="Outro pedido")
    response = desk.post(
        reverse("backoffice:case_detail", args=[other.reference]),
        {"action": "withdraw_referral", "referral": str(referral.pk)},
    )
    assert response.status_code == 302
    assert [level for level, _text in _said(response)] == ["error"]
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SENT
    assert referral.shared["name"] == "Aminata Diallo"


def test_withdrawing_the_referral_from_the_case_page_returns_the_case_to_open(desk, referred):
    from coop4int.cases.enums import ReferralStatus

    case, referral = referred
    response = desk.post(
        reverse("backoffice:case_detail", args=[case.reference]),
        {"action": "withdraw_referral", "referral": str(referral.pk)},
        follow=True,
    )
    assert response.status_code == 200
    referral.refresh_from_db()
    case.refresh_from_db()
    assert (referral.status, referral.shared) == (ReferralStatus.WITHDRAWN, {})
    assert case.status == Status.OPEN
    assert AuditEntry.objects.filter(
        action="cases.case.status_changed", data__reason="referral_withdrawn"
    ).exists()


def test_withdrawing_the_sharing_consent_on_the_case_page_withdraws_the_referrals(desk, referred):
    from coop4int.cases.enums import ReferralStatus

    case, referral = referred
    response = desk.post(
        reverse("backoffice:case_detail", args=[case.reference]),
        {"action": "withdraw_consent", "consent-purpose": "referral", "consent-method": "verbal"},
    )
    assert response.status_code == 302
    assert [level for level, _text in _said(response)] == ["success"]
    referral.refresh_from_db()
    case.refresh_from_db()
    assert (referral.status, referral.shared) == (ReferralStatus.WITHDRAWN, {})
    assert case.status == Status.OPEN
    assert not Consent.objects.filter(
        person=case.person, purpose="referral", withdrawn_at__isnull=True
    ).exists()


def test_withdrawing_another_consent_leaves_the_referrals_alone(desk, referred):
    from coop4int.cases.enums import ReferralStatus

    case, referral = referred
    desk.post(
        reverse("backoffice:case_detail", args=[case.reference]),
        {"action": "withdraw_consent", "consent-purpose": "contact", "consent-method": "verbal"},
    )
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SENT


@pytest.mark.parametrize("score", ["²", "abc", "0", "6", "9" * 30, ""])
def test_a_bad_satisfaction_score_answers_with_a_message_and_records_nothing(
    desk, unit, officer, score
):
    from coop4int.cases.domain.cases import change_status

    case = _case(unit, officer)
    change_status(actor=officer, case=case, status=Status.RESOLVED)
    version = Case.objects.get(pk=case.pk).version
    response = desk.post(
        reverse("backoffice:case_detail", args=[case.reference]),
        {"action": "satisfaction", "score": score},
    )
    assert response.status_code == 302
    assert [level for level, _text in _said(response)] == ["error"]
    case.refresh_from_db()
    assert (case.satisfaction, case.version) == (None, version)


def test_a_second_satisfaction_answer_is_refused_with_a_message(desk, unit, officer):
    from coop4int.cases.domain.cases import change_status, record_satisfaction

    case = _case(unit, officer)
    change_status(actor=officer, case=case, status=Status.RESOLVED)
    record_satisfaction(actor=officer, case=case, score=4)
    response = desk.post(
        reverse("backoffice:case_detail", args=[case.reference]),
        {"action": "satisfaction", "score": "2"},
    )
    assert [level for level, _text in _said(response)] == ["error"]
    case.refresh_from_db()
    assert case.satisfaction == 4


@pytest.mark.parametrize("canned", ["²", "abc", "9" * 30])
def test_a_bad_canned_answer_id_shows_the_case_as_it_is(desk, unit, officer, canned):
    case = _case(unit, officer)
    response = desk.get(
        reverse("backoffice:case_detail", args=[case.reference]), {"canned": canned}
    )
    assert response.status_code == 200


# --- The timeline shows what was done; satisfaction buttons; reply channels -------------------


def _section(body: str, section: str) -> str:
    return body.split(f'<section aria-labelledby="{section}"', 1)[1].split("</section>", 1)[0]


def test_the_timeline_shows_status_changes_and_the_partners_answers_in_the_readers_language(
    desk, referred, officer, make_staff, partner_unit
):
    from coop4int.cases.domain.referrals import accept_referral

    case, referral = referred
    accept_referral(actor=make_staff(Role.PARTNER_USER, partner_unit), referral=referral)
    response = desk.get(reverse("backoffice:case_detail", args=[case.reference]))
    timeline = _section(response.content.decode(), "timeline")
    with translation.override(response.wsgi_request.LANGUAGE_CODE):
        waiting = translation.gettext("Waiting on a partner")
        status_changed = translation.gettext("The status changed from “%(old)s” to “%(new)s”.") % {
            "old": translation.pgettext("case", "New"),
            "new": waiting,
        }
        accepted = translation.gettext("%(partner)s accepted the referral to %(service)s.") % {
            "partner": "Health centre", "service": "Consulta do viajante"
        }  # fmt: skip
    assert escape(status_changed) in timeline
    assert escape(accepted) in timeline
    assert '<li class="event">' in timeline


def test_the_satisfaction_buttons_say_what_they_do(desk, unit, officer):
    from coop4int.cases.domain.cases import change_status

    case = _case(unit, officer)
    change_status(actor=officer, case=case, status=Status.RESOLVED)
    response = desk.get(reverse("backoffice:case_detail", args=[case.reference]))
    satisfaction = _section(response.content.decode(), "satisfaction")
    with translation.override(response.wsgi_request.LANGUAGE_CODE):
        named = [
            translation.gettext("Record the answer: %(score)s of 5") % {"score": score}
            for score in range(1, 6)
        ]
    for score, name in enumerate(named, start=1):
        assert f'value="{score}" aria-label="{escape(name)}">{score}</button>' in satisfaction


def test_an_anonymous_walk_in_without_an_address_is_offered_no_e_mail_reply(desk, unit, officer):
    case = _case(unit, officer, person=None)
    url = reverse("backoffice:case_detail", args=[case.reference])
    reply = _section(desk.get(url).content.decode(), "reply")
    offered = re.findall(r'<option value="(\w+)"( selected)?>', reply)
    assert offered == [("walk_in", " selected"), ("phone", "")]

    posted = {"action": "reply", "reply-channel": "email", "reply-body": "Resposta",
              "reply-version": case.version}  # fmt: skip
    response = desk.post(url, posted)
    assert response.status_code == 200  # the choice is refused: nothing was "not delivered"
    assert "Resposta</textarea>" in _section(response.content.decode(), "reply")
    assert not case.interactions.filter(body="Resposta").exists()


def test_a_request_by_e_mail_is_answered_by_e_mail_first(desk, unit, officer):
    case = _case(unit, officer, channel=Channel.EMAIL, person=None,
                 reply_email="mariama@example.org")  # fmt: skip
    reply = _section(
        desk.get(reverse("backoffice:case_detail", args=[case.reference])).content.decode(),
        "reply",
    )
    offered = re.findall(r'<option value="(\w+)"( selected)?>', reply)
    assert offered == [("email", " selected"), ("walk_in", ""), ("phone", "")]
