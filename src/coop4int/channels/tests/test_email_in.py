"""Incoming e-mail: new cases with their person and acknowledgement, replies joining their
case, idempotent filing, auto-replies ignored, oversize and malformed mail refused, and the
ingest_email command for a pipe and for a batch cut short and run again."""

import io
import mailbox
import sys
from email.message import EmailMessage
from email.utils import make_msgid

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from coop4int.accounts.enums import Role
from coop4int.cases.domain.cases import change_status, open_case
from coop4int.cases.domain.intake import ACKNOWLEDGEMENTS_PER_DAY
from coop4int.cases.domain.references import tracking_digest
from coop4int.cases.enums import Channel, Direction, Status
from coop4int.cases.models import Case, CaseAttachment, Interaction
from coop4int.channels import email_in
from coop4int.channels.email_in import MAX_ATTACHMENT_BYTES, MessageRefused, file_message
from coop4int.core.models import AuditEntry
from coop4int.people.domain.people import PersonDetails, people_with_contact, register_person
from coop4int.people.enums import ContactKind, Purpose
from coop4int.people.models import Consent, Person

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PUBLIC_URL = "https://apoio.example.cv/"
    settings.CASES_FROM_EMAIL = "Coop4Int <apoio@example.cv>"


def message(
    *,
    sender="Amadou Diallo <amadou@example.org>",
    subject="Renovação de autorização de residência",
    body="Bom dia, preciso de renovar a minha autorização de residência.",
    message_id: str | None = "auto",
    headers: dict[str, str] | None = None,
    attachments: list[tuple[str, str, bytes]] = (),
    html: str | None = None,
) -> bytes:
    msg = EmailMessage()
    if sender:
        msg["From"] = sender
    msg["To"] = "apoio@example.cv"
    msg["Subject"] = subject
    if message_id == "auto":
        message_id = make_msgid(domain="example.org")
    if message_id:
        msg["Message-ID"] = message_id
    msg.set_content(body)
    if html is not None:
        msg.add_alternative(html, subtype="html")
    for filename, content_type, data in attachments:
        maintype, subtype = content_type.split("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    # After the content: setting it drops every Content-* header.
    for name, value in (headers or {}).items():
        msg[name] = value
    return bytes(msg)


def file(raw, unit, capture):
    """File ``raw`` as the command would: acknowledgements go out when the filing commits."""
    with capture(execute=True):
        return file_message(raw, unit=unit)


# --- New cases ------------------------------------------------------------------------------


def test_a_new_message_opens_a_case_for_a_new_person_and_is_acknowledged(
    unit, django_capture_on_commit_callbacks
):
    raw = message(headers={"Content-Language": "fr"})
    result = file(raw, unit, django_capture_on_commit_callbacks)

    assert result.opened
    assert result.acknowledged
    case = result.case
    assert case.unit == unit
    assert case.channel == Channel.EMAIL
    assert case.status == Status.NEW
    assert case.language == "fr"
    assert case.reply_email == "amadou@example.org"
    assert case.subject == "Renovação de autorização de residência"
    [interaction] = case.interactions.all()
    assert interaction.direction == Direction.IN
    assert interaction.is_public
    assert interaction.body.startswith("Bom dia, preciso de renovar")
    person = case.person
    assert (person.given_names, person.family_names) == ("Amadou", "Diallo")
    assert person.preferred_language == "fr"
    assert people_with_contact(ContactKind.EMAIL, "amadou@example.org") == [person]
    consent = Consent.objects.get(person=person)
    assert (consent.purpose, consent.method) == (Purpose.SERVICE, "email")
    assert AuditEntry.objects.filter(action="cases.case.opened", object_id=str(case.pk)).exists()

    [ack] = mail.outbox
    assert ack.to == ["amadou@example.org"]
    assert ack.from_email == "Coop4Int <apoio@example.cv>"
    assert f"[{case.reference}]" in ack.subject
    assert ack.extra_headers["Auto-Submitted"] == "auto-replied"
    incoming_id = interaction.message_id
    assert ack.extra_headers["In-Reply-To"] == incoming_id
    assert case.reference in ack.body
    # The link to the tracking page is in the person's language, and its secret opens the case.
    link = next(line for line in ack.body.splitlines() if "/follow/" in line).strip()
    prefix = f"https://apoio.example.cv/fr/follow/{case.reference}/"
    assert link.startswith(prefix)
    secret = link.removeprefix(prefix).rstrip("/")
    assert tracking_digest(secret) == case.tracking_digest


def test_mail_from_a_known_address_is_a_claim_not_attached_to_the_record(
    unit, django_capture_on_commit_callbacks
):
    """A sender address is an unverified claim: the case opens without the person, marked
    unverified, with the record as a possible match; nothing of the record (its language, its
    consents) is used. The acknowledgement goes to the address, in the message's language or
    Portuguese; a language the interface does not speak falls back to Portuguese too."""
    person = register_person(
        actor=None,
        unit=unit,
        details=PersonDetails(given_names="Fatou", preferred_language="en"),
        emails=["fatou@example.org"],
    )
    result = file(message(sender="fatou@example.org"), unit, django_capture_on_commit_callbacks)
    assert result.case.person is None
    assert not result.case.identity_verified
    assert result.case.claimed_person == person
    assert result.case.claimed_consents == [Purpose.SERVICE.value]
    assert not person.consents.exists()
    assert result.case.language == "pt"
    assert Person.objects.count() == 1
    assert "/pt/follow/" in mail.outbox[0].body

    wolof = file(
        message(sender="Moussa Ndiaye <moussa@example.org>", headers={"Content-Language": "wo"}),
        unit,
        django_capture_on_commit_callbacks,
    )
    assert wolof.case.language == "wo"
    assert wolof.case.identity_verified
    assert f"/pt/follow/{wolof.case.reference}/" in mail.outbox[1].body


def test_an_address_gets_a_bounded_number_of_acknowledgements(
    unit, django_capture_on_commit_callbacks
):
    """Anyone can make the platform write to an address by forging it: at most
    ACKNOWLEDGEMENTS_PER_DAY acknowledgements go to one address in 24 hours; every message
    is still filed."""
    for number in range(ACKNOWLEDGEMENTS_PER_DAY + 2):
        result = file(
            message(sender="victim@example.org", subject=f"Pedido {number}"),
            unit,
            django_capture_on_commit_callbacks,
        )
        assert result.opened
    assert Case.objects.count() == ACKNOWLEDGEMENTS_PER_DAY + 2
    assert len(mail.outbox) == ACKNOWLEDGEMENTS_PER_DAY


def test_html_only_mail_is_read_as_text(unit, django_capture_on_commit_callbacks):
    msg = EmailMessage()
    msg["From"] = "ana@example.org"
    msg["Subject"] = "Curso"
    msg["Message-ID"] = make_msgid()
    msg.set_content(
        "<p>Quero inscrever-me no curso de <b>português</b> &amp; crioulo.</p>"
        "<script>alert(1)</script><p>Obrigada</p>",
        subtype="html",
    )
    result = file(bytes(msg), unit, django_capture_on_commit_callbacks)
    body = result.interaction.body
    assert "Quero inscrever-me no curso de português & crioulo." in body
    assert "Obrigada" in body
    assert "<" not in body
    assert "alert" not in body


def test_a_quoted_tail_is_trimmed_but_the_text_is_kept(unit, django_capture_on_commit_callbacks):
    body = "Obrigado, já tenho o documento.\n\nOn Mon, 1 Dec 2025, Apoio wrote:\n> Olá\n> Bom dia\n"
    result = file(message(body=body), unit, django_capture_on_commit_callbacks)
    assert result.interaction.body == "Obrigado, já tenho o documento."

    only_quote = "> Olá\n> Bom dia\n"
    result = file(message(body=only_quote), unit, django_capture_on_commit_callbacks)
    assert "Olá" in result.interaction.body


# --- Replies --------------------------------------------------------------------------------


def test_a_reply_joins_its_case_by_in_reply_to_and_reopens_it(
    unit, make_staff, django_capture_on_commit_callbacks
):
    first = file(message(), unit, django_capture_on_commit_callbacks)
    case = first.case
    officer = make_staff(Role.FRONT_OFFICE_OFFICER, unit)
    change_status(actor=officer, case=case, status=Status.RESOLVED)
    mail.outbox.clear()

    reply = message(
        subject="Re: something else entirely",
        body="Afinal ainda preciso de ajuda.",
        headers={"In-Reply-To": first.interaction.message_id},
    )
    result = file(reply, unit, django_capture_on_commit_callbacks)

    assert result.case == case
    assert not result.opened
    assert not result.acknowledged
    assert Case.objects.count() == 1
    case.refresh_from_db()
    assert case.status == Status.OPEN
    assert [i.body for i in case.interactions.all()][-1] == "Afinal ainda preciso de ajuda."
    assert mail.outbox == []


def test_a_reply_found_through_references_joins_its_case(unit, django_capture_on_commit_callbacks):
    first = file(message(), unit, django_capture_on_commit_callbacks)
    references = f"<unknown@elsewhere.org> {first.interaction.message_id} <ack@example.cv>"
    result = file(
        message(subject="Re:", headers={"References": references}),
        unit,
        django_capture_on_commit_callbacks,
    )
    assert result.case == first.case


@pytest.mark.parametrize("written", ["[{ref}] Re: documentos", "Re: pedido {compact}", "{lower}"])
def test_a_reply_with_the_reference_in_the_subject_joins_its_case(
    unit, other_unit, written, django_capture_on_commit_callbacks
):
    case, _secret = open_case(
        actor=None, unit=other_unit, channel=Channel.WEB, subject="Pedido", body="Olá",
        reply_email="amadou@example.org",
    )  # fmt: skip
    subject = written.format(
        ref=case.reference,
        compact=case.reference.replace("-", ""),
        lower=case.reference.lower().replace("-", " "),
    )
    result = file(message(subject=subject), unit, django_capture_on_commit_callbacks)
    assert result.case == case
    assert case.interactions.count() == 2
    assert Case.objects.count() == 1
    assert mail.outbox == []


def test_a_strangers_mail_naming_a_case_opens_a_new_case_that_mentions_it(
    unit, other_unit, django_capture_on_commit_callbacks
):
    """Only the case's own contacts write into it: a stranger's mail with the reference in its
    subject neither joins nor reopens it, and is not shown as "from the person"."""
    owner = register_person(
        actor=None, unit=other_unit, details=PersonDetails(given_names="Ana"),
        emails=["ana@example.org"],
    )  # fmt: skip
    case, _secret = open_case(
        actor=None, unit=other_unit, channel=Channel.WEB, subject="Pedido", body="Olá",
        person=owner,
    )  # fmt: skip
    change_status(actor=None, case=case, status=Status.CLOSED)
    result = file(
        message(sender="intruso@example.org", subject=f"Re: [{case.reference}] documentos"),
        unit,
        django_capture_on_commit_callbacks,
    )
    case.refresh_from_db()
    assert result.opened
    assert result.case != case
    assert case.status == Status.CLOSED
    assert case.interactions.count() == 1
    assert result.case.unit == unit
    [note] = result.case.interactions.filter(channel=Channel.NOTE)
    assert case.reference in note.body
    assert not note.is_public
    # The owner's own address still writes into it.
    again = file(
        message(sender="ana@example.org", subject=f"Re: [{case.reference}] documentos"),
        unit,
        django_capture_on_commit_callbacks,
    )
    assert again.case == case


def test_an_unknown_reference_in_the_subject_opens_a_new_case(
    unit, django_capture_on_commit_callbacks
):
    result = file(
        message(subject="Re: [ABCD-2345] documentos"), unit, django_capture_on_commit_callbacks
    )
    assert result.opened
    assert result.case.subject == "[ABCD-2345] documentos"


# --- Idempotence ----------------------------------------------------------------------------


def test_the_same_message_twice_is_stored_once(unit, django_capture_on_commit_callbacks):
    raw = message()
    first = file(raw, unit, django_capture_on_commit_callbacks)
    again = file(raw, unit, django_capture_on_commit_callbacks)
    assert again.duplicate
    assert again.case == first.case
    assert not again.acknowledged
    assert Interaction.objects.count() == 1
    assert Case.objects.count() == 1
    assert len(mail.outbox) == 1


def test_a_message_without_message_id_is_still_filed_once(unit, django_capture_on_commit_callbacks):
    raw = message(message_id=None)
    first = file(raw, unit, django_capture_on_commit_callbacks)
    assert first.interaction.message_id.endswith("@no-message-id.invalid>")
    assert "In-Reply-To" not in mail.outbox[0].extra_headers
    again = file(raw, unit, django_capture_on_commit_callbacks)
    assert again.duplicate
    assert again.case == first.case
    assert Interaction.objects.count() == 1


# --- Ignored --------------------------------------------------------------------------------


def _report() -> bytes:
    """A delivery status notification (RFC 3464) as an MTA sends it, with a sender that does
    not give itself away."""
    return (
        b"From: Mail Delivery System <mailer@mx.example.org>\r\n"
        b"To: apoio@example.cv\r\n"
        b"Subject: Undelivered Mail Returned to Sender\r\n"
        b"Message-ID: <report-1@mx.example.org>\r\n"
        b"MIME-Version: 1.0\r\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\r\n'
        b"\r\n"
        b"--b\r\nContent-Type: text/plain\r\n\r\nThe mail could not be delivered.\r\n"
        b"--b\r\nContent-Type: message/delivery-status\r\n\r\n"
        b"Reporting-MTA: dns; mx.example.org\r\n\r\nFinal-Recipient: rfc822; x@example.org\r\n"
        b"Action: failed\r\nStatus: 5.1.1\r\n"
        b"--b--\r\n"
    )


@pytest.mark.parametrize(
    "raw",
    [
        message(headers={"Auto-Submitted": "auto-replied"}, subject="Out of office"),
        message(headers={"Auto-Submitted": "auto-generated"}),
        message(headers={"X-Autoreply": "yes"}),
        message(headers={"X-Autorespond": "Ausente"}),
        message(headers={"Precedence": "bulk"}),
        message(headers={"Precedence": "auto_reply"}),
        message(headers={"List-Id": "Migrantes <migrantes.lists.example.org>"}),
        message(headers={"Return-Path": "<>"}),
        message(sender="MAILER-DAEMON@mx.example.org"),
        message(sender="postmaster@example.org"),
        _report(),
    ],
    ids=[
        "auto-replied",
        "auto-generated",
        "x-autoreply",
        "x-autorespond",
        "precedence-bulk",
        "precedence-auto-reply",
        "list",
        "null-return-path",
        "mailer-daemon",
        "postmaster",
        "multipart-report",
    ],
)
def test_auto_replies_bounces_and_list_mail_are_ignored(
    unit, raw, django_capture_on_commit_callbacks
):
    result = file(raw, unit, django_capture_on_commit_callbacks)
    assert result.ignored
    assert result.reason
    assert result.case is None
    assert not Case.objects.exists()
    assert not Interaction.objects.exists()
    assert not Person.objects.exists()
    assert mail.outbox == []


def test_auto_submitted_no_is_a_person_writing(unit, django_capture_on_commit_callbacks):
    result = file(
        message(headers={"Auto-Submitted": "no"}), unit, django_capture_on_commit_callbacks
    )
    assert result.opened


def test_a_message_from_our_own_address_is_filed_but_never_acknowledged(
    unit, django_capture_on_commit_callbacks
):
    result = file(
        message(sender="Apoio <APOIO@example.cv>"), unit, django_capture_on_commit_callbacks
    )
    assert result.opened
    assert not result.acknowledged
    assert result.case.reply_email == ""
    assert result.case.person is None
    assert mail.outbox == []


def test_our_own_acknowledgement_coming_back_is_ignored(unit, django_capture_on_commit_callbacks):
    file(message(), unit, django_capture_on_commit_callbacks)
    [ack] = mail.outbox
    echoed = ack.message().as_bytes()
    result = file(echoed, unit, django_capture_on_commit_callbacks)
    assert result.ignored
    assert Interaction.objects.count() == 1
    assert len(mail.outbox) == 1


# --- Attachments ----------------------------------------------------------------------------


def test_attachments_are_kept_with_the_message(unit, django_capture_on_commit_callbacks):
    pdf = b"%PDF-1.4 passport scan"
    raw = message(
        attachments=[("../../passaporte.pdf", "application/pdf", pdf)],
        html="<p>Bom dia</p>",
    )
    result = file(raw, unit, django_capture_on_commit_callbacks)
    [attachment] = CaseAttachment.objects.filter(interaction=result.interaction)
    assert attachment.filename == "passaporte.pdf"
    assert attachment.content_type == "application/pdf"
    assert attachment.size == len(pdf)
    assert attachment.file.name.startswith("cases/")
    assert attachment.file.name.endswith(".pdf")
    with attachment.file.open("rb") as stored:
        assert stored.read() == pdf
    # The plain text was preferred to the HTML alternative.
    assert result.interaction.body.startswith("Bom dia, preciso")


def test_a_message_with_an_oversize_attachment_is_refused_and_nothing_is_saved(
    unit, settings, django_capture_on_commit_callbacks
):
    big = b"x" * (MAX_ATTACHMENT_BYTES + 1)
    raw = message(
        attachments=[
            ("small.txt", "text/plain", b"ok"),
            ("video.mp4", "video/mp4", big),
        ]
    )
    # The reason is written in the active language ("10 Mo" in French): English here, whatever
    # an earlier test left active.
    with translation.override("en"), pytest.raises(MessageRefused) as refused:
        file(raw, unit, django_capture_on_commit_callbacks)
    assert "video.mp4" in refused.value.reason
    assert "10 MB" in refused.value.reason
    assert not Case.objects.exists()
    assert not Person.objects.exists()
    assert not CaseAttachment.objects.exists()
    assert not (settings.MEDIA_ROOT / "cases").exists()
    assert mail.outbox == []


def test_files_written_before_a_failure_are_removed(
    unit, settings, monkeypatch, django_capture_on_commit_callbacks
):
    """A failure after the files were written (here: the acknowledgement cannot be rendered)
    rolls back the rows and removes the files."""

    def broken(*args, **kwargs):
        raise RuntimeError("template missing")

    monkeypatch.setattr(email_in, "render_to_string", broken)
    raw = message(attachments=[("a.pdf", "application/pdf", b"%PDF")])
    with pytest.raises(RuntimeError):
        file(raw, unit, django_capture_on_commit_callbacks)
    assert not Case.objects.exists()
    assert not CaseAttachment.objects.exists()
    assert not any(p.is_file() for p in (settings.MEDIA_ROOT / "cases").rglob("*"))


# --- Refused --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (message(sender=None), "no sender"),
        (message(sender="Someone <not-an-address>"), "not an e-mail address"),
        (b"\x00\xff garbage without any header", "no sender"),
        (b"", "no sender"),
    ],
    ids=["no-from", "bad-from", "garbage", "empty"],
)
def test_malformed_mail_is_refused(unit, raw, reason, caplog, django_capture_on_commit_callbacks):
    with translation.override("en"), pytest.raises(MessageRefused) as refused:
        file(raw, unit, django_capture_on_commit_callbacks)
    assert reason in refused.value.reason
    assert not Case.objects.exists()
    assert any(r.name == "coop4int.channels.email" for r in caplog.records)


_HEADER_LINES = st.sampled_from(
    [
        b"From: Ana <ana@example.org>",
        b"From: =?utf-8?b?Sm/Do28=?= <jo@example.org>",
        b"From: <>",
        b"To: apoio@example.cv",
        b"Subject: [ABCD-2345] ol\xc3\xa1",
        b"Subject: =?",
        b"Message-ID: <m1@example.org>",
        b"In-Reply-To: <m1@example.org>",
        b"References: <m0@example.org> <m1@example.org>",
        b"Content-Language: fr",
        b"Content-Type: multipart/mixed; boundary=b",
        b"Content-Type: text/html; charset=klingon",
        b"Content-Transfer-Encoding: base64",
        b"Content-Disposition: attachment; filename*=utf-8''%E2%82%AC.pdf",
        b"Auto-Submitted: no",
    ]
)
_BODY_FRAGMENTS = st.sampled_from(
    [
        b"--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nol\xc3\xa1\r\n",
        b"--b\r\nContent-Type: text/html\r\n\r\n<p>ol&aacute;</p><script>x</script>\r\n",
        b"--b\r\nContent-Disposition: attachment; filename=../a.pdf\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\nJVBERg==\r\n",
        b"--b--\r\n",
        b"> quoted\r\n",
        b"On Mon, Ana wrote:\r\n",
        b"\x00",
        b"\xff\xfe",
        b"=?",
        b"\r\n",
    ]
)
_MAIL_LIKE = st.tuples(
    st.lists(
        st.one_of(
            _HEADER_LINES,
            st.binary(max_size=30).map(lambda value: b"Subject: " + value),
            st.binary(max_size=30).map(lambda value: b"From: " + value),
        ),
        min_size=1,
        max_size=8,
    ),
    st.lists(st.one_of(_BODY_FRAGMENTS, st.binary(max_size=20)), max_size=30),
).map(lambda parts: b"\r\n".join(parts[0]) + b"\r\n\r\n" + b"".join(parts[1]))


@hypothesis_settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(raw=st.one_of(st.binary(max_size=2048), _MAIL_LIKE, _MAIL_LIKE, _MAIL_LIKE))
def test_filing_any_bytes_either_files_or_refuses(unit, raw):
    try:
        result = file_message(raw, unit=unit)
    except MessageRefused as refused:
        reason = refused.reason
        result = None
    else:
        reason = ""
    assert reason or result.ignored or result.case is not None


# --- The command ----------------------------------------------------------------------------


class _Stdin:
    def __init__(self, data: bytes) -> None:
        self.buffer = io.BytesIO(data)


def test_the_command_files_a_message_from_standard_input_and_prints_the_reference(
    unit, monkeypatch
):
    raw = message()
    monkeypatch.setattr(sys, "stdin", _Stdin(raw))
    out = io.StringIO()
    call_command("ingest_email", "--unit", "praia", stdout=out)
    case = Case.objects.get()
    assert out.getvalue().strip() == case.reference

    # The same message again (an MTA retrying): the same reference, nothing new.
    monkeypatch.setattr(sys, "stdin", _Stdin(raw))
    out = io.StringIO()
    call_command("ingest_email", stdout=out)
    assert out.getvalue().strip() == case.reference
    assert Interaction.objects.count() == 1


def test_the_command_files_for_the_unit_the_message_was_addressed_to(unit, other_unit, tmp_path):
    other_unit.email = "Mindelo@Example.cv"
    other_unit.save()
    path = tmp_path / "one.eml"
    msg = EmailMessage()
    msg["From"] = "ana@example.org"
    msg["To"] = "Apoio Mindelo <mindelo@example.cv>"
    msg["Subject"] = "Olá"
    msg.set_content("Bom dia")
    path.write_bytes(bytes(msg))
    call_command("ingest_email", "--file", str(path), stdout=io.StringIO())
    assert Case.objects.get().unit == other_unit

    path.write_bytes(message(sender="bob@example.org"))
    call_command("ingest_email", "--file", str(path), stdout=io.StringIO())
    assert Case.objects.get(reply_email="bob@example.org").unit == unit  # the first local unit


def test_the_command_refuses_malformed_input_with_ex_dataerr(unit, monkeypatch):
    monkeypatch.setattr(sys, "stdin", _Stdin(message(sender=None)))
    out = io.StringIO()
    with pytest.raises(CommandError) as error:
        call_command("ingest_email", stdout=out)
    assert error.value.returncode == 65
    assert "no sender address" in str(error.value)
    assert out.getvalue() == ""
    assert not Case.objects.exists()


def test_the_command_prints_nothing_for_an_auto_reply(unit, monkeypatch):
    monkeypatch.setattr(sys, "stdin", _Stdin(message(headers={"Auto-Submitted": "auto-replied"})))
    out = io.StringIO()
    call_command("ingest_email", stdout=out)
    assert out.getvalue() == ""
    assert not Case.objects.exists()


def test_the_command_refuses_an_unknown_unit(unit, monkeypatch):
    monkeypatch.setattr(sys, "stdin", _Stdin(message()))
    with pytest.raises(CommandError, match="No unit nowhere"):
        call_command("ingest_email", "--unit", "nowhere")


def _mbox(path, count):
    box = mailbox.mbox(path)
    for n in range(count):
        box.add(
            message(
                sender=f"Pessoa {n} <pessoa{n}@example.org>",
                subject=f"Pedido {n}",
                message_id=f"<pedido-{n}@example.org>",
            )
        )
    box.flush()
    box.close()


def test_a_batch_cut_short_and_run_again_loses_nothing_and_stores_nothing_twice(
    unit, tmp_path, monkeypatch
):
    path = tmp_path / "inbox.mbox"
    _mbox(path, 20)
    # Killed while filing the 11th message, after its case was opened and before it
    # committed: that message's writes are rolled back with it.
    real = email_in._keep_attachments
    calls = {"n": 0}

    def killed_on_the_11th(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 11:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(email_in, "_keep_attachments", killed_on_the_11th)
    with pytest.raises(KeyboardInterrupt):
        call_command("ingest_email", "--mbox", str(path), stdout=io.StringIO())
    assert Interaction.objects.count() == 10
    assert Case.objects.count() == 10

    monkeypatch.setattr(email_in, "_keep_attachments", real)
    out = io.StringIO()
    call_command("ingest_email", "--mbox", str(path), stdout=out)
    assert "20 message(s): 10 new cases, 0 joined a case, 10 already filed" in out.getvalue()
    assert Interaction.objects.count() == 20
    assert Case.objects.count() == 20
    assert Person.objects.count() == 20
    assert sorted(Interaction.objects.values_list("message_id", flat=True)) == sorted(
        f"<pedido-{n}@example.org>" for n in range(20)
    )


def test_a_maildir_batch_reports_refusals_and_goes_on(unit, tmp_path):
    box = mailbox.Maildir(tmp_path / "Maildir")
    box.add(message())
    box.add(message(sender=None))
    box.add(message(headers={"Precedence": "list"}))
    box.close()
    out, err = io.StringIO(), io.StringIO()
    call_command("ingest_email", "--maildir", str(tmp_path / "Maildir"), stdout=out, stderr=err)
    assert "3 message(s): 1 new cases, 0 joined a case, 0 already filed, 1 ignored, 1 refused" in (
        out.getvalue()
    )
    assert "no sender address" in err.getvalue()
    assert Case.objects.count() == 1
