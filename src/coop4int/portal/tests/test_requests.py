"""'Ask for help' without an account, and following the request with the secret link."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import translation
from django.utils.html import escape

from coop4int.accounts.enums import Role
from coop4int.accounts.tests.factories import UnitFactory
from coop4int.cases.domain.cases import add_note, change_status, open_case, reply
from coop4int.cases.enums import Channel, Direction, Status
from coop4int.cases.models import Case, Interaction
from coop4int.core.formatting import format_datetime
from coop4int.people.enums import ContactKind, Purpose
from coop4int.people.models import Consent, Person
from coop4int.portal.case_views import ANSWER_RATE, ASK_RATE

pytestmark = pytest.mark.django_db

QUESTION = "Como posso renovar a minha autorização de residência na Praia? Preciso de marcação?"
REQUEST = {
    "question": QUESTION,
    "name": "Amina Diallo",
    "email": "Amina@Example.org",
    "language": "fr",
    "consent": "on",
    "wants_contact": "on",
}


# The tracking link on the page after sending.
TRACKING_LINK = (
    r'href="(http://testserver/en/follow/[^"]+)" class="tracking-url" id="tracking-link"'
)


def _(language: str, message: str) -> str:
    with translation.override(language):
        return translation.gettext(message)


@pytest.fixture
def officer(make_staff, unit):
    return make_staff(Role.FRONT_OFFICE_OFFICER, unit)


@pytest.fixture
def tracked(unit):
    """A web case and the secret of its tracking link."""
    return open_case(actor=None, unit=unit, channel=Channel.WEB, subject="Visto", body=QUESTION,
                     language="fr")  # fmt: skip


def _follow_url(case: Case, secret: str, language: str = "en") -> str:
    return f"/{language}/follow/{case.reference}/{secret}/"


# --- The form ----------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["pt", "kea", "en", "fr"])
def test_the_form_is_offered_in_every_interface_language(client, unit, language):
    response = client.get(f"/{language}/ask/")
    body = response.content.decode()
    assert response.status_code == 200
    assert f'<html lang="{language}"' in body
    assert f"<h1>{_(language, 'Ask for help')}</h1>" in body
    # The answer comes in the page's language unless the person picks another.
    assert f'<option value="{language}" selected>' in body
    assert '<option value="praia">Praia</option>' in body
    assert (
        f'<option value="" selected>{escape(_(language, "Let the national team decide"))}</option>'
        in body
    )
    assert 'name="website"' in body
    assert "csrfmiddlewaretoken" in body


def test_the_home_page_leads_to_the_form(client):
    assert 'href="/kea/ask/"' in client.get("/kea/").content.decode()


def test_a_request_opens_a_web_case_for_the_chosen_unit_in_the_chosen_language(
    client, unit, other_unit
):
    response = client.post("/pt/ask/", REQUEST | {"unit": "mindelo"})
    assert response.status_code == 302
    assert response["Location"] == "/pt/ask/sent/"  # the secret never travels in an address
    case = Case.objects.get()
    assert (case.unit, case.language, case.channel, case.status) == (
        other_unit, "fr", Channel.WEB, Status.NEW
    )  # fmt: skip
    assert case.reply_email == "amina@example.org"
    assert case.subject == "Como posso renovar a minha autorização de residência na…"
    first = case.interactions.get()
    assert (first.body, first.direction, first.is_public) == (QUESTION, Direction.IN, True)
    person = case.person
    assert person.given_names == "Amina Diallo"
    assert person.unit == other_unit
    assert list(person.contacts.values_list("kind", "value")) == [
        (ContactKind.EMAIL, "amina@example.org")
    ]
    assert set(Consent.objects.filter(person=person).values_list("purpose", "method")) == {
        (Purpose.SERVICE, "online"),
        (Purpose.CONTACT, "online"),
    }


def test_a_request_with_a_known_address_adds_no_consent_and_shows_no_match(client, unit):
    """Typing someone's e-mail address on the form is a claim, not a proof: the request does
    not join their record, adds no consent to it, and the submitter learns nothing of it; the
    case is marked unverified, with the consents asked for waiting for an officer."""
    client.post("/en/ask/", REQUEST | {"wants_contact": ""})
    owner = Person.objects.get()
    assert list(Consent.objects.values_list("purpose", flat=True)) == [Purpose.SERVICE]
    response = client.post(
        "/en/ask/", REQUEST | {"email": "amina@example.org", "question": "Ainda não."},
        follow=True,
    )  # fmt: skip
    assert Case.objects.count() == 2
    assert Person.objects.get() == owner
    assert owner.cases.count() == 1
    assert list(Consent.objects.values_list("purpose", flat=True)) == [Purpose.SERVICE]
    claim = Case.objects.get(person__isnull=True)
    assert not claim.identity_verified
    assert claim.claimed_person == owner
    assert sorted(claim.claimed_consents) == [Purpose.CONTACT, Purpose.SERVICE]
    # The submitter's page says what it says to anyone: no sign that a record matched.
    page = response.content.decode()
    assert str(owner.pk) not in page
    assert claim.reference in page


def test_a_request_with_a_known_phone_is_not_attached_either(client, unit):
    client.post("/en/ask/", REQUEST | {"email": "", "phone": "991 23 45"})
    client.post("/en/ask/", REQUEST | {"email": "", "phone": "+238 9912345"})
    person = Person.objects.get()
    assert list(person.contacts.values_list("value", flat=True)) == ["+2389912345"]
    assert Case.objects.filter(person=person).count() == 1
    assert Case.objects.filter(claimed_person=person, identity_verified=False).count() == 1
    assert Case.objects.filter(reply_phone="+2389912345").count() == 2


def test_without_a_unit_the_national_team_receives_the_request(client, unit, national_unit):
    client.post("/en/ask/", REQUEST)
    assert Case.objects.get().unit == national_unit


def test_without_a_national_team_the_first_local_unit_receives_it(client):
    UnitFactory(slug="sal-rei", name="Sal Rei", kind="local")
    espargos = UnitFactory(slug="espargos", name="Espargos", kind="local")
    client.post("/en/ask/", REQUEST)
    assert Case.objects.get().unit == espargos


def test_a_request_without_any_contact_is_anonymous(client, unit):
    response = client.post(
        "/kea/ask/", {"question": "  Onde fica a AAI?  ", "language": "kea", "consent": "on"}
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.person is None
    assert (case.subject, case.reply_email, case.reply_phone) == ("Onde fica a AAI?", "", "")
    assert not Person.objects.exists()
    assert not Consent.objects.exists()


def test_a_bad_phone_number_is_refused_in_the_users_language_and_kept_as_typed(client, unit):
    response = client.post("/fr/ask/", REQUEST | {"phone": "12ab"})
    body = response.content.decode()
    assert response.status_code == 200
    with translation.override("fr"):
        error = translation.gettext("“%(number)s” is not a phone number.") % {"number": "12ab"}
    assert escape(error) in body
    assert 'value="12ab"' in body
    assert QUESTION in body
    assert 'value="Amina@Example.org"' in body
    assert not Case.objects.exists()
    assert not Person.objects.exists()


def test_consent_is_required(client, unit):
    response = client.post("/en/ask/", REQUEST | {"consent": ""})
    assert response.status_code == 200
    assert 'id="id_consent_errors"' in response.content.decode()
    assert not Case.objects.exists()


def test_a_robot_filling_the_hidden_field_is_sent_on_and_nothing_is_saved(client, unit):
    response = client.post("/en/ask/", REQUEST | {"website": "http://spam.example"})
    assert response.status_code == 302
    assert not Case.objects.exists()
    assert not Person.objects.exists()
    assert "portal:request_sent" not in client.session


def test_a_flood_from_one_address_is_refused_and_nothing_more_is_saved(client, unit):
    for _attempt in range(ASK_RATE.limit):
        assert client.post("/en/ask/", REQUEST).status_code == 302
    response = client.post("/en/ask/", REQUEST | {"question": "One too many."})
    assert response.status_code == 429
    assert _("en", "Too many requests from your connection. Please try again in an hour.") in (
        response.content.decode()
    )
    assert "One too many." in response.content.decode()  # kept as typed
    assert Case.objects.count() == ASK_RATE.limit
    # Another address is not held back.
    assert client.post("/en/ask/", REQUEST, REMOTE_ADDR="192.0.2.7").status_code == 302


# --- The page after sending --------------------------------------------------------------------


def test_the_reference_and_link_survive_a_reload_for_half_an_hour_on_this_device(client, unit):
    with time_machine.travel(datetime(2026, 12, 1, 12, 0, tzinfo=UTC), tick=False) as clock:
        response = client.post("/en/ask/", REQUEST, follow=True)
        body = response.content.decode()
        case = Case.objects.get()
        assert response.redirect_chain == [("/en/ask/sent/", 302)]
        assert f'id="reference">{case.reference}</p>' in body
        link = re.search(TRACKING_LINK, body)
        assert link is not None
        assert _("en", "We have also sent the link to your e-mail address.") in body
        assert response["Cache-Control"] == "private, no-store"
        # Only the site's origin is sent on ("no-referrer" would break the page's forms).
        assert response["Referrer-Policy"] == "strict-origin"
        assert '<meta name="robots" content="noindex">' in body
        assert client.get(link.group(1).removeprefix("http://testserver")).status_code == 200

        # A reload (a phone reloading the tab, say) still shows them…
        clock.shift(timedelta(minutes=29))
        again = client.get("/en/ask/sent/").content.decode()
        assert f'id="reference">{case.reference}</p>' in again
        assert link.group(1) in again

        # …and half an hour later this device shows them no more.
        clock.shift(timedelta(minutes=2))
        later = client.get("/en/ask/sent/").content.decode()
        assert case.reference not in later
        assert "/follow/" not in later
        assert "portal:request_sent" not in client.session


def test_without_an_email_the_page_does_not_promise_one(client, unit):
    body = client.post("/en/ask/", REQUEST | {"email": ""}, follow=True).content.decode()
    assert _("en", "We have also sent the link to your e-mail address.") not in body


# --- The tracking page -------------------------------------------------------------------------


def test_the_tracking_page_needs_the_reference_and_its_secret(client, tracked, unit):
    case, secret = tracked
    other, _other_secret = open_case(actor=None, unit=unit, channel=Channel.WEB, subject="Outro")
    assert client.get(_follow_url(case, secret)).status_code == 200
    wrong = secret[:-1] + ("y" if secret.endswith("x") else "x")
    assert client.get(_follow_url(case, wrong)).status_code == 404
    assert client.get(_follow_url(other, secret)).status_code == 404
    assert client.get(f"/en/follow/ZZZZ-ZZZZ/{secret}/").status_code == 404
    assert client.post(_follow_url(other, secret), {"message": "Olá"}).status_code == 404
    assert Interaction.objects.filter(body="Olá").count() == 0


def test_the_tracking_page_is_kept_by_no_cache_and_never_sends_its_address_on(client, tracked):
    case, secret = tracked
    response = client.get(_follow_url(case, secret))
    assert response["Cache-Control"] == "private, no-store"
    # Only the site's origin goes out as a referrer; "no-referrer" would make browsers send
    # "Origin: null" with the answer form, which the CSRF check refuses (see the browser test).
    assert response["Referrer-Policy"] == "strict-origin"
    body = response.content.decode()
    assert '<meta name="referrer" content="strict-origin">' in body
    assert '<meta name="robots" content="noindex">' in body


def test_the_tracking_page_shows_the_status_and_the_public_timeline(client, tracked, officer, unit):
    case, secret = tracked
    add_note(actor=officer, case=case, body="Internal: check her file first")
    reply(actor=officer, case=case, body="Bonjour, venez lundi à 9 h.", channel=Channel.WEB)
    response = client.get(_follow_url(case, secret, "fr"))
    body = response.content.decode()
    assert "Internal: check her file first" not in body
    items = re.findall(r'<li class="interaction interaction-(\w+)">(.*?)</li>', body, re.S)
    assert [direction for direction, _item in items] == ["in", "out"]
    assert QUESTION in items[0][1]
    assert _("fr", "You") in items[0][1]
    assert "Bonjour, venez lundi à 9 h." in items[1][1]
    assert unit.name in items[1][1]
    first = case.interactions.order_by("occurred_at").first()
    with translation.override("fr"):
        assert format_datetime(first.occurred_at, "short") in items[0][1]
    case.refresh_from_db()
    with translation.override("fr"):
        assert f'<dd class="request-status">{case.get_status_display()}</dd>' in body


def test_the_persons_answer_reaches_the_timeline_and_reopens_a_waiting_case(
    client, tracked, officer
):
    case, secret = tracked
    reply(actor=officer, case=case, body="Which island do you live on?", channel=Channel.WEB)
    change_status(actor=officer, case=case, status=Status.WAITING_PERSON)
    url = _follow_url(case, secret)
    response = client.post(url, {"message": "On Santiago, in Praia."})
    assert response.status_code == 302
    assert response["Location"] == url
    case.refresh_from_db()
    assert case.status == Status.OPEN
    answer = case.interactions.last()
    assert (answer.body, answer.direction, answer.channel, answer.is_public, answer.author) == (
        "On Santiago, in Praia.", Direction.IN, Channel.WEB, True, None
    )  # fmt: skip
    page = client.get(url).content.decode()
    assert "On Santiago, in Praia." in page
    assert _("en", "Your answer was added to your request.") in page


def test_a_resolved_case_is_reopened_by_an_answer(client, tracked, officer):
    case, secret = tracked
    change_status(actor=officer, case=case, status=Status.RESOLVED)
    client.post(_follow_url(case, secret), {"message": "It is not solved yet."})
    case.refresh_from_db()
    assert (case.status, case.resolved_at) == (Status.OPEN, None)


def test_robots_and_floods_do_not_reach_the_timeline(client, tracked):
    case, secret = tracked
    url = _follow_url(case, secret)
    assert client.post(url, {"message": "spam", "website": "x"}).status_code == 302
    assert not case.interactions.filter(body="spam").exists()
    for number in range(ANSWER_RATE.limit):
        assert client.post(url, {"message": f"answer {number}"}).status_code == 302
    response = client.post(url, {"message": "one too many"})
    assert response.status_code == 429
    assert not case.interactions.filter(body="one too many").exists()


def test_an_empty_answer_is_refused(client, tracked):
    case, secret = tracked
    response = client.post(_follow_url(case, secret), {"message": "   "})
    assert response.status_code == 200
    assert case.interactions.count() == 1


def test_person_answers_the_satisfaction_question_on_the_tracking_page(client, unit, make_staff):
    from coop4int.accounts.enums import Role
    from coop4int.cases.domain.cases import change_status, open_case
    from coop4int.cases.enums import Channel, Status

    officer = make_staff(Role.FRONT_OFFICE_OFFICER, unit)
    case, secret = open_case(actor=None, unit=unit, channel=Channel.WEB, subject="Pergunta",
                             body="Olá", language="pt")  # fmt: skip
    url = f"/pt/follow/{case.reference}/{secret}/"
    assert 'name="score"' not in client.get(url).content.decode()
    change_status(actor=officer, case=case, status=Status.RESOLVED)
    assert 'name="score" value="5"' in client.get(url).content.decode()
    client.post(url, {"score": "5"})
    case.refresh_from_db()
    assert case.satisfaction == 5
    assert case.status == Status.RESOLVED  # answering does not reopen
    assert 'name="score"' not in client.get(url).content.decode()


def test_the_reference_and_link_also_go_by_e_mail(client, unit, mailoutbox,
                                                  django_capture_on_commit_callbacks):  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        body = client.post("/en/ask/", REQUEST, follow=True).content.decode()
    case = Case.objects.get()
    link = re.search(TRACKING_LINK, body)
    assert link is not None
    secret = link.group(1).rstrip("/").rsplit("/", 1)[-1]
    (mail,) = mailoutbox
    assert mail.to == [case.reply_email]
    assert f"[{case.reference}]" in mail.subject
    assert f"/follow/{case.reference}/{secret}/" in mail.body
    assert mail.extra_headers["Auto-Submitted"] == "auto-replied"
