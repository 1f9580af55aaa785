"""SMS and WhatsApp: the signed Twilio webhook filing messages into cases, the Twilio adapter
sending through a real HTTP server on loopback, and WhatsApp's 24-hour window."""

import base64
import json
import logging
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import count
from urllib.parse import parse_qs, urlencode

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, event, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from coop4int.accounts.enums import Role
from coop4int.cases.domain.cases import change_status, open_case, reply
from coop4int.cases.enums import Channel, Direction, Status
from coop4int.cases.models import CannedAnswer, CannedAnswerText, Case, Interaction
from coop4int.channels.messaging import whatsapp_window_open
from coop4int.channels.providers import (
    OUTSIDE_WINDOW,
    SendFailed,
    TwilioProvider,
    twilio_signature,
)
from coop4int.core.models import AuditEntry
from coop4int.people.domain.people import PersonDetails, register_person
from coop4int.people.models import Person

pytestmark = pytest.mark.django_db

TOKEN = "test-auth-token"
PATH = "/hooks/messaging/twilio/"
URL = "http://testserver" + PATH
FORM = "application/x-www-form-urlencoded"
NUMBER = "+2389912345"
LOG = "coop4int.channels.messaging"
_sids = count(1)


@pytest.fixture(autouse=True)
def _twilio_settings(settings):
    settings.MESSAGING_PROVIDER = "twilio"
    settings.TWILIO_ACCOUNT_SID = "AC0001"
    settings.TWILIO_AUTH_TOKEN = TOKEN
    settings.TWILIO_SMS_FROM = "+2382601010"
    settings.TWILIO_WHATSAPP_FROM = "whatsapp:+2382602020"


def sid() -> str:
    return f"SM{next(_sids):032x}"


def twilio_form(**fields: str) -> dict[str, str]:
    """What Twilio posts for an SMS (fields given as None are left out)."""
    form = {
        "MessageSid": sid(),
        "AccountSid": "AC0001",
        "From": NUMBER,
        "To": "+2382601010",
        "Body": "Bom dia, preciso de ajuda com a autorização de residência.",
        "NumMedia": "0",
    }
    form.update(fields)
    return {name: value for name, value in form.items() if value is not None}


def post(client, form, *, signature: str | None = "sign", signed_form=None, token=TOKEN):
    """POST ``form`` as Twilio would; the signature is computed over ``signed_form`` (default:
    ``form``) with ``token``, or is the given string, or absent (None)."""
    if signature == "sign":
        signed = signed_form if signed_form is not None else form
        signature = twilio_signature(token, URL, {k: [v] for k, v in signed.items()})
    headers = {} if signature is None else {"X-Twilio-Signature": signature}
    return client.post(PATH, data=urlencode(form), content_type=FORM, headers=headers)


# --- A real Twilio API on loopback ---------------------------------------------------------


class FakeTwilio(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _TwilioHandler)
        self.received: list[dict] = []
        self.status = 201
        self.error: dict = {}

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _TwilioHandler(BaseHTTPRequestHandler):
    server: FakeTwilio

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.server.received.append(
            {
                "path": self.path,
                "authorization": self.headers.get("Authorization"),
                "content_type": self.headers.get("Content-Type"),
                "form": parse_qs(body.decode(), keep_blank_values=True),
            }
        )
        status = self.server.status
        answer = {"sid": sid(), "status": "queued"} if status < 400 else self.server.error
        payload = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format, *args) -> None:  # keep the test output quiet
        pass


@pytest.fixture
def twilio_api(settings) -> Iterator[FakeTwilio]:
    server = FakeTwilio()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.TWILIO_API_URL = server.url
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


# --- Signatures -----------------------------------------------------------------------------


def test_a_signed_message_from_a_new_number_opens_a_case_without_a_person(unit, other_unit, client):
    form = twilio_form()
    response = post(client, form)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    assert b"<Response></Response>" in response.content  # no automatic reply
    case = Case.objects.get()
    assert case.unit == unit  # the first local unit
    assert case.channel == Channel.SMS
    assert case.person is None
    assert case.reply_phone == NUMBER
    assert case.language == "pt"
    assert case.status == Status.NEW
    assert case.subject == form["Body"]
    [interaction] = case.interactions.all()
    assert interaction.direction == Direction.IN
    assert interaction.is_public
    assert interaction.channel == Channel.SMS
    assert interaction.body == form["Body"]
    assert interaction.message_id == f"twilio:{form['MessageSid']}"
    # An anonymous number is answered, but nobody is registered without consent.
    assert not Person.objects.exists()
    assert AuditEntry.objects.filter(action="cases.case.opened", object_id=str(case.pk)).exists()


def test_a_message_without_signature_is_refused_logged_and_not_stored(unit, client, caplog):
    with caplog.at_level(logging.WARNING, logger=LOG):
        response = post(client, twilio_form(), signature=None)
    assert response.status_code == 403
    assert not Case.objects.exists()
    assert "no X-Twilio-Signature header" in caplog.text


def test_a_message_signed_with_another_token_is_refused(unit, client, caplog):
    with caplog.at_level(logging.WARNING, logger=LOG):
        response = post(client, twilio_form(), token="someone-else")
    assert response.status_code == 403
    assert not Case.objects.exists()
    assert "does not match" in caplog.text


def test_a_message_whose_body_was_changed_after_signing_is_refused(unit, client):
    signed = twilio_form(Body="Quero marcar uma consulta.")
    tampered = {**signed, "Body": "Quero apagar os meus dados."}
    response = post(client, tampered, signed_form=signed)
    assert response.status_code == 403
    assert not Interaction.objects.exists()


def test_a_garbage_signature_is_refused(unit, client):
    response = post(client, twilio_form(), signature="not base64 at all ✓")
    assert response.status_code == 403
    assert not Case.objects.exists()


def test_without_an_auth_token_nothing_is_accepted(unit, client, settings, caplog):
    settings.TWILIO_AUTH_TOKEN = ""
    with caplog.at_level(logging.WARNING, logger=LOG):
        response = post(client, twilio_form(), token="")
    assert response.status_code == 403
    assert not Case.objects.exists()
    assert "TWILIO_AUTH_TOKEN is not set" in caplog.text


def test_the_signature_matches_twilios_published_vectors():
    # The vectors of Twilio's own libraries (RequestValidator tests): auth token "12345".
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    params = {
        "CallSid": ["CA1234567890ABCDE"],
        "Caller": ["+14158675309"],
        "Digits": ["1234"],
        "From": ["+14158675309"],
        "To": ["+18005551212"],
    }
    assert twilio_signature("12345", url, params) == "RSOYDt4T1cUTdK1PDd93/VVr8B8="
    # A repeated parameter: its distinct values, sorted.
    repeated = {"Sid": ["CA123"], "SidAccount": ["AC123"], "Digits": ["5678", "1234", "1234"]}
    assert twilio_signature("12345", url, repeated) == "IK+Dwps556ElfBT0I3Rgjkr1wJU="
    assert twilio_signature("12345", url + "&x=1", params) != "RSOYDt4T1cUTdK1PDd93/VVr8B8="


def test_other_methods_and_unknown_providers_are_not_served(unit, client):
    assert client.get(PATH).status_code == 405
    assert client.post("/hooks/messaging/nobody/", data="a=b", content_type=FORM).status_code == 404


# --- Replays and malformed messages -----------------------------------------------------------


def test_a_replayed_message_is_answered_ok_but_stored_once(unit, client):
    form = twilio_form()
    first = post(client, form)
    again = post(client, form)
    assert first.status_code == again.status_code == 200
    assert Case.objects.count() == 1
    assert Interaction.objects.count() == 1


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"From": None}, "no From, Body or MessageSid"),
        ({"Body": None}, "no From, Body or MessageSid"),
        ({"MessageSid": None}, "no From, Body or MessageSid"),
        ({"From": "Vodafone"}, "From is not a phone number"),
        ({"Body": "   "}, "empty Body and no media"),
    ],
)
def test_a_malformed_message_is_refused_with_400_and_nothing_stored(
    unit, client, caplog, fields, reason
):
    with caplog.at_level(logging.WARNING, logger=LOG):
        response = post(client, twilio_form(**fields))
    assert response.status_code == 400
    assert not Case.objects.exists()
    assert reason in caplog.text


def test_a_body_that_is_not_a_form_carries_no_message(unit, client):
    json_body = client.post(
        PATH,
        data={"From": NUMBER, "Body": "x", "MessageSid": sid()},
        content_type="application/json",
        headers={"X-Twilio-Signature": twilio_signature(TOKEN, URL, {})},
    )
    unsigned = client.post(PATH, data=b"--x--", content_type="multipart/form-data; boundary=x")
    assert json_body.status_code == 400
    assert unsigned.status_code == 403
    assert not Case.objects.exists()


def test_a_picture_without_text_is_filed_with_a_note(unit, client):
    response = post(client, twilio_form(Body="", NumMedia="2"))
    assert response.status_code == 200
    assert "2" in Interaction.objects.get().body


# --- Joining cases --------------------------------------------------------------------------


def test_a_known_persons_number_joins_their_active_case_on_that_channel(unit, client):
    person = register_person(
        actor=None, unit=unit, details=PersonDetails(given_names="Ana"), phones=[NUMBER]
    )
    sms_case, _secret = open_case(
        actor=None, unit=unit, channel=Channel.SMS, subject="Vistos", person=person, body="Olá"
    )
    open_case(
        actor=None, unit=unit, channel=Channel.WHATSAPP, subject="Outro", person=person, body="Oi"
    )
    response = post(client, twilio_form(Body="Já tenho o passaporte."))

    assert response.status_code == 200
    assert Case.objects.count() == 2
    assert list(sms_case.interactions.values_list("body", flat=True)) == [
        "Olá",
        "Já tenho o passaporte.",
    ]


def test_a_whatsapp_message_joins_the_whatsapp_case_and_reopens_a_waiting_one(unit, client):
    person = register_person(actor=None, unit=unit, details=PersonDetails(), phones=[NUMBER])
    officer_case, _secret = open_case(
        actor=None, unit=unit, channel=Channel.WHATSAPP, subject="Escola", person=person, body="?"
    )
    change_status(actor=None, case=officer_case, status=Status.WAITING_PERSON)
    response = post(client, twilio_form(From=f"whatsapp:{NUMBER}", To="whatsapp:+2382602020"))
    assert response.status_code == 200
    officer_case.refresh_from_db()
    assert officer_case.status == Status.OPEN
    last = officer_case.interactions.last()
    assert (last.channel, last.direction) == (Channel.WHATSAPP, Direction.IN)


def test_a_known_number_without_an_active_case_opens_an_unverified_case_without_the_person(
    unit, other_unit, client
):
    """A number is a claim of identity: the message opens a case at the first local unit,
    marked unverified, the record kept as a possible match and nothing of it used."""
    person = register_person(
        actor=None,
        unit=other_unit,
        details=PersonDetails(preferred_language="fr"),
        phones=[NUMBER],
    )
    old, _secret = open_case(
        actor=None, unit=other_unit, channel=Channel.SMS, subject="Old", person=person, body="x"
    )
    change_status(actor=None, case=old, status=Status.CLOSED)
    post(client, twilio_form(Body="Bonjour"))

    case = Case.objects.exclude(pk=old.pk).get()
    assert case.person is None
    assert not case.identity_verified
    assert case.claimed_person == person
    assert case.unit == unit  # the first local unit: a record does not route a claim
    assert case.language == "pt"
    assert case.reply_phone == NUMBER
    assert not person.consents.exists()


def test_an_unknown_numbers_next_message_joins_its_case(unit, client):
    post(client, twilio_form(Body="Primeira"))
    post(client, twilio_form(Body="Segunda"))
    post(client, twilio_form(From="+2385912345", Body="Outra pessoa"))
    first = Case.objects.get(reply_phone=NUMBER)
    assert list(first.interactions.values_list("body", flat=True)) == ["Primeira", "Segunda"]
    assert Case.objects.count() == 2


# --- The Twilio adapter, against a real HTTP server -----------------------------------------


def test_the_adapter_posts_the_form_with_basic_auth(twilio_api):
    adapter = TwilioProvider(
        account_sid="AC42", auth_token="secret", sms_from="+2382601010", api_url=twilio_api.url
    )
    message_id = adapter.send(NUMBER, "Olá, a sua marcação é amanhã.", whatsapp=False)

    [request] = twilio_api.received
    assert message_id.startswith("SM")
    assert request["path"] == "/2010-04-01/Accounts/AC42/Messages.json"
    assert request["authorization"] == "Basic " + base64.b64encode(b"AC42:secret").decode()
    assert request["content_type"] == FORM
    assert request["form"] == {
        "To": [NUMBER],
        "From": ["+2382601010"],
        "Body": ["Olá, a sua marcação é amanhã."],
    }


def test_the_adapter_sends_whatsapp_and_templates_by_content_sid(twilio_api):
    adapter = TwilioProvider(
        account_sid="AC42", auth_token="secret", whatsapp_from="+2382602020", api_url=twilio_api.url
    )
    adapter.send(NUMBER, "Olá", whatsapp=True)
    adapter.send(NUMBER, "Olá", whatsapp=True, template="HX0123")
    free, template = (request["form"] for request in twilio_api.received)
    assert free == {"To": [f"whatsapp:{NUMBER}"], "From": ["whatsapp:+2382602020"], "Body": ["Olá"]}
    assert template == {
        "To": [f"whatsapp:{NUMBER}"],
        "From": ["whatsapp:+2382602020"],
        "ContentSid": ["HX0123"],
    }


def test_the_adapter_reports_twilios_error_and_an_unreachable_api(twilio_api):
    twilio_api.status = 400
    twilio_api.error = {"code": 21211, "message": "The 'To' number is not valid."}
    adapter = TwilioProvider(
        account_sid="AC42", auth_token="secret", sms_from="+2382601010", api_url=twilio_api.url
    )
    with pytest.raises(SendFailed, match="400: 21211 The 'To' number is not valid"):
        adapter.send(NUMBER, "Olá", whatsapp=False)

    closed = TwilioProvider(
        account_sid="AC42", auth_token="secret", sms_from="+1", api_url="http://127.0.0.1:9"
    )
    with pytest.raises(SendFailed, match="could not be reached"):
        closed.send(NUMBER, "Olá", whatsapp=False)


# --- Delivering replies, and WhatsApp's 24-hour window ---------------------------------------


def _case(unit, channel, *, hours_ago: float = 0, reply_phone=NUMBER) -> Case:
    case, _secret = open_case(
        actor=None,
        unit=unit,
        channel=channel,
        subject="Ajuda",
        body="Preciso de ajuda",
        reply_phone=reply_phone,
        at=timezone.now() - timedelta(hours=hours_ago),
        message_id=f"twilio:{sid()}",
    )
    return case


def _reply(case, officer, body, capture) -> Interaction:
    with capture(execute=True):
        interaction = reply(actor=officer, case=case, body=body, channel=case.channel)
    interaction.refresh_from_db()
    return interaction


def test_an_sms_reply_is_delivered_and_keeps_the_providers_id(
    unit, make_staff, twilio_api, django_capture_on_commit_callbacks
):
    officer = make_staff(Role.FRONT_OFFICE_OFFICER, unit)
    case = _case(unit, Channel.SMS, hours_ago=72)  # no window for SMS
    interaction = _reply(
        case, officer, "Pode vir amanhã às 9h.", django_capture_on_commit_callbacks
    )

    assert interaction.delivery == "sent"
    assert interaction.message_id.startswith("twilio:SM")
    [request] = twilio_api.received
    assert request["form"]["To"] == [NUMBER]
    assert request["form"]["Body"] == ["Pode vir amanhã às 9h."]


def test_a_reply_to_a_known_person_without_reply_phone_goes_to_their_first_phone(
    unit, make_staff, twilio_api, django_capture_on_commit_callbacks
):
    officer = make_staff(Role.FRONT_OFFICE_OFFICER, unit)
    person = register_person(
        actor=None, unit=unit, details=PersonDetails(), phones=["+2389876543", NUMBER]
    )
    case, _secret = open_case(
        actor=None, unit=unit, channel=Channel.SMS, subject="Ajuda", person=person
    )
    interaction = _reply(case, officer, "Olá", django_capture_on_commit_callbacks)
    assert interaction.delivery == "sent"
    assert twilio_api.received[0]["form"]["To"] == ["+2389876543"]


def test_a_failed_send_is_recorded_with_its_reason(
    unit, make_staff, twilio_api, django_capture_on_commit_callbacks
):
    twilio_api.status = 401
    twilio_api.error = {"code": 20003, "message": "Authenticate"}
    officer = make_staff(Role.FRONT_OFFICE_OFFICER, unit)
    case = _case(unit, Channel.SMS)
    interaction = _reply(case, officer, "Olá", django_capture_on_commit_callbacks)
    assert interaction.delivery == "failed"
    assert "401" in interaction.delivery_error
    assert "20003 Authenticate" in interaction.delivery_error


def test_a_reply_without_any_phone_number_fails(
    unit, make_staff, twilio_api, django_capture_on_commit_callbacks
):
    officer = make_staff(Role.FRONT_OFFICE_OFFICER, unit)
    case = _case(unit, Channel.SMS, reply_phone="")
    interaction = _reply(case, officer, "Olá", django_capture_on_commit_callbacks)
    assert (interaction.delivery, interaction.delivery_error) == (
        "failed",
        "no phone number for this channel",
    )
    assert not twilio_api.received


def test_free_text_on_whatsapp_goes_out_within_24_hours(
    unit, make_staff, twilio_api, django_capture_on_commit_callbacks
):
    officer = make_staff(Role.FRONT_OFFICE_OFFICER, unit)
    case = _case(unit, Channel.WHATSAPP, hours_ago=23)
    assert whatsapp_window_open(case)
    interaction = _reply(case, officer, "Já está tratado.", django_capture_on_commit_callbacks)

    assert interaction.delivery == "sent"
    [request] = twilio_api.received
    assert request["form"]["Body"] == ["Já está tratado."]
    assert request["form"]["To"] == [f"whatsapp:{NUMBER}"]


def test_free_text_on_whatsapp_is_refused_after_24_hours(
    unit, make_staff, twilio_api, django_capture_on_commit_callbacks, caplog
):
    officer = make_staff(Role.FRONT_OFFICE_OFFICER, unit)
    case = _case(unit, Channel.WHATSAPP, hours_ago=25)
    assert not whatsapp_window_open(case)
    with caplog.at_level(logging.WARNING, logger=LOG):
        interaction = _reply(case, officer, "Já está tratado.", django_capture_on_commit_callbacks)

    assert interaction.delivery == "failed"
    assert interaction.delivery_error == OUTSIDE_WINDOW
    assert OUTSIDE_WINDOW == "outside WhatsApp's 24-hour window: only approved templates"
    assert OUTSIDE_WINDOW in caplog.text
    assert not twilio_api.received


def test_a_new_whatsapp_message_from_the_person_opens_the_window_again(unit, client):
    case = _case(unit, Channel.WHATSAPP, hours_ago=48)
    assert not whatsapp_window_open(case)
    post(client, twilio_form(From=f"whatsapp:{NUMBER}"))
    assert whatsapp_window_open(case)
    # An SMS does not: the window is WhatsApp's.
    sms_only = _case(unit, Channel.SMS, reply_phone="+2385912345")
    assert not whatsapp_window_open(sms_only)


def test_an_approved_template_goes_out_after_24_hours_by_its_content_sid(
    unit, make_staff, twilio_api, django_capture_on_commit_callbacks
):
    answer = CannedAnswer.objects.create(title="Documento pronto")
    text = "O seu documento está pronto.\nPode levantá-lo na AAI."
    CannedAnswerText.objects.create(
        answer=answer, language="pt", body=text, whatsapp_template="HX42"
    )
    CannedAnswerText.objects.create(
        answer=CannedAnswer.objects.create(title="Sem modelo"), language="pt", body="Olá"
    )
    officer = make_staff(Role.FRONT_OFFICE_OFFICER, unit)
    case = _case(unit, Channel.WHATSAPP, hours_ago=30)

    sent = _reply(
        case, officer, text.replace("\n", "\r\n") + "\n", django_capture_on_commit_callbacks
    )
    refused = _reply(case, officer, "Olá", django_capture_on_commit_callbacks)

    assert sent.delivery == "sent"
    [request] = twilio_api.received
    assert request["form"]["ContentSid"] == ["HX42"]
    assert "Body" not in request["form"]
    # A canned text without an approved template is free text: refused outside the window.
    assert (refused.delivery, refused.delivery_error) == ("failed", OUTSIDE_WINDOW)


def test_a_template_in_another_language_does_not_count(
    unit, make_staff, twilio_api, django_capture_on_commit_callbacks
):
    answer = CannedAnswer.objects.create(title="Pronto")
    CannedAnswerText.objects.create(
        answer=answer, language="fr", body="Votre document est prêt.", whatsapp_template="HX7"
    )
    officer = make_staff(Role.FRONT_OFFICE_OFFICER, unit)
    case = _case(unit, Channel.WHATSAPP, hours_ago=30)  # a Portuguese case
    interaction = _reply(
        case, officer, "Votre document est prêt.", django_capture_on_commit_callbacks
    )
    assert interaction.delivery == "failed"
    assert not twilio_api.received


# --- Whatever is posted, the webhook answers without a server error -------------------------

_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
_VALUES = st.one_of(
    _TEXT,
    st.sampled_from([NUMBER, f"whatsapp:{NUMBER}", "+2385912345", "whatsapp:", "", "+", "0"]),
    st.from_regex(r"\A\+?[0-9]{0,20}\Z"),
    st.from_regex(r"\ASM[0-9a-f]{1,40}\Z"),
)
_NAMES = st.one_of(
    st.sampled_from(["From", "To", "Body", "MessageSid", "SmsMessageSid", "NumMedia"]), _TEXT
)


_PHONES = st.sampled_from([NUMBER, f"whatsapp:{NUMBER}", "+2385912345", "whatsapp:+2389876543"])
# Forms shaped like Twilio's, each field possibly missing or replaced by anything.
_TWILIO_LIKE = st.fixed_dictionaries(
    {},
    optional={
        "From": st.one_of(_PHONES, _PHONES, _VALUES),
        "To": st.one_of(_PHONES, _VALUES),
        "Body": _VALUES,
        "MessageSid": st.one_of(st.from_regex(r"\ASM[0-9a-f]{32}\Z"), _VALUES),
        "NumMedia": st.one_of(st.sampled_from(["0", "1", "10"]), _VALUES),
    },
).map(lambda form: list(form.items()))


@hypothesis_settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    pairs=st.one_of(st.lists(st.tuples(_NAMES, _VALUES), max_size=10), _TWILIO_LIKE),
    signed=st.booleans(),
)
def test_any_form_data_gets_200_400_or_403_never_a_server_error(unit, client, pairs, signed):
    params: dict[str, list[str]] = {}
    for name, value in pairs:
        params.setdefault(name, []).append(value)
    headers = (
        {"X-Twilio-Signature": twilio_signature(TOKEN, URL, params)}
        if signed
        else {"X-Twilio-Signature": "bm9wZQ=="}
    )
    response = client.post(PATH, data=urlencode(pairs), content_type=FORM, headers=headers)
    event(f"status {response.status_code}")
    assert response.status_code in (200, 400, 403)
    if not signed:
        assert response.status_code == 403
