"""Incoming e-mail: one RFC 5322 message filed into a case.

A message joins the case it answers (In-Reply-To/References naming a stored Message-ID, or the
case reference in the subject); otherwise it opens a case, for the person the sender address
belongs to (registered when unknown), and the sender gets an acknowledgement with the
reference and the tracking link. Filing is idempotent: a Message-ID is stored once, and a
message without one gets an id derived from its bytes. Auto-replies, bounces and list mail are
ignored; a message that cannot be read or carries an oversize attachment is refused whole.

The message's language is its ``Content-Language``; when it has none, the language its text is
detected to be in (``core.language_detection``), which a new case takes, marked "detected"
(``cases.domain.case_language``) until an officer corrects or confirms it. Acknowledgements and
replies are written in the case's language.
"""

import hashlib
import html
import logging
import mimetypes
import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage as ParsedEmail
from email.message import Message, MIMEPart
from email.utils import getaddresses, parseaddr
from pathlib import PurePosixPath

import nh3
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.mail import EmailMessage, make_msgid
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from coop4int.accounts.enums import UnitKind
from coop4int.accounts.models import Unit
from coop4int.cases.domain.case_language import record_detected_language
from coop4int.cases.domain.intake import Contact, receive_contact
from coop4int.cases.domain.references import normalise_reference
from coop4int.cases.enums import Channel
from coop4int.cases.models import Case, CaseAttachment, Interaction
from coop4int.cases.tasks import email_subject
from coop4int.core.bidi import isolate_runs_for_language
from coop4int.core.language_detection import DetectedLanguage, detect_language
from coop4int.core.languages import UnknownLanguage, get_language, interface_language_for
from coop4int.people.domain.contacts import normalise_email
from coop4int.people.domain.people import PersonDetails
from coop4int.people.enums import Purpose

logger = logging.getLogger("coop4int.channels.email")

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
# Column sizes (PostgreSQL refuses longer values where SQLite would keep them).
_MESSAGE_ID_MAX = 255
_EMAIL_MAX = 254
_NAME_MAX = 200
_FILENAME_MAX = 200
_CONTENT_TYPE_MAX = 100

# A msg-id as RFC 5322 writes it, in printable ASCII only.
_MSG_ID = re.compile(r"<[\x21-\x3b\x3d\x3f-\x7e]{1,500}>")
_BRACKETED = re.compile(r"\[([^\[\]]{1,20})\]")
_BARE_REFERENCE = re.compile(r"(?<![0-9A-Za-z])([0-9A-Za-z]{4}[-\s]?[0-9A-Za-z]{4})(?![0-9A-Za-z])")
_REPLY_PREFIX = re.compile(r"^\s*((re|res|fw|fwd|tr|enc|aw|wg|rv)\s*:\s*)+", re.IGNORECASE)
_HTML_BREAK = re.compile(r"<\s*(br|/p|/div|/li|/tr|/h[1-6])\b[^>]*>", re.IGNORECASE)
# "On Mon, 1 Jan 2026, Ana wrote:" and its Portuguese and French forms, before a quoted tail.
_ATTRIBUTION = re.compile(r"^(on|em|no dia|le)\b.*(wrote|escreveu|a écrit)\s*:\s*$", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_BULK_PRECEDENCE = frozenset({"bulk", "junk", "list", "auto_reply"})
_ROBOT_SENDERS = frozenset({"mailer-daemon", "postmaster"})


class MessageRefused(Exception):
    """The message cannot be filed; ``reason`` says why, in the active language."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class FilingResult:
    """What became of a message. ``ignored``: an auto-reply, bounce or list mail, nothing
    stored. ``duplicate``: its Message-ID was stored before (``case`` is where it went)."""

    case: Case | None = None
    interaction: Interaction | None = None
    opened: bool = False
    duplicate: bool = False
    ignored: bool = False
    acknowledged: bool = False
    reason: str = ""

    @property
    def reference(self) -> str:
        return self.case.reference if self.case is not None else ""


@dataclass(frozen=True, slots=True)
class _Attachment:
    filename: str
    content_type: str
    data: bytes


@dataclass(slots=True)
class _Parsed:
    message_id: str
    synthetic_id: bool
    answers: list[str]
    subject: str
    sender: str
    sender_name: str
    language: str
    body: str
    automatic: str
    recipients: list[str]
    attachments: list[_Attachment] = field(default_factory=list)
    detected: DetectedLanguage | None = None
    """The language the text was detected to be in, when the message declared none."""


def file_message(raw: bytes, *, unit: Unit) -> FilingResult:
    """File one message for ``unit`` (the unit of a new case and of a newly registered
    person; a reply joins its case wherever that is).

    Side effects, in one transaction: a case opened (audit ``cases.case.opened``) or an
    interaction added (``cases.interaction.added``); a person registered with consent to
    service by e-mail; attachments written to the default storage. After commit, an
    acknowledgement e-mail for a new case. Raises MessageRefused, storing nothing."""
    try:
        parsed = _parse(raw)
        if not parsed.automatic and not parsed.sender:
            raise MessageRefused(_("The message has no sender address."))
    except MessageRefused as refused:
        logger.warning("refused message: %s", refused.reason)
        raise
    if parsed.automatic:
        logger.info("ignored message %s: %s", parsed.message_id, parsed.automatic)
        return FilingResult(ignored=True, reason=parsed.automatic)

    existing = _stored(parsed.message_id)
    if existing is not None:
        return existing
    if not parsed.language:
        parsed.detected = detect_language(f"{_REPLY_PREFIX.sub('', parsed.subject)}\n{parsed.body}")
        parsed.language = parsed.detected.code if parsed.detected else ""
    saved_files: list[str] = []
    try:
        with transaction.atomic():
            result = _file(parsed, unit, saved_files)
    except IntegrityError:
        # The same message delivered twice at once: the other delivery stored it first.
        _delete(saved_files)
        existing = _stored(parsed.message_id)
        if existing is None:
            raise
        return existing
    except BaseException:
        # Nothing of the message stays: its rows were rolled back, so are its files.
        _delete(saved_files)
        raise
    return result


def addressed_unit(raw: bytes) -> Unit | None:
    """The unit whose e-mail address the message was sent to (To, Cc, Delivered-To,
    X-Original-To), if any."""
    try:
        addresses = _parse(raw).recipients
    except MessageRefused:
        return None
    units = {unit.email.lower(): unit for unit in Unit.objects.exclude(email="").order_by("-pk")}
    return next((units[address] for address in addresses if address in units), None)


def default_unit() -> Unit | None:
    """The unit mail goes to when nothing says otherwise: the first local unit."""
    return Unit.objects.filter(kind=UnitKind.LOCAL_UNIT).order_by("pk").first()


# --- Filing ---------------------------------------------------------------------------------


def _file(parsed: _Parsed, unit: Unit, saved_files: list[str]) -> FilingResult:
    """Through the one intake path: the message joins the case it answers only when its
    sender is one of that case's contacts (``cases.domain.intake``)."""
    own_address = parsed.sender == _own_address()
    subject = _REPLY_PREFIX.sub("", parsed.subject).strip()
    subject = subject or _first_line(parsed.body) or _("E-mail without a subject")
    given, family = _split_name(parsed.sender_name)
    intake = receive_contact(
        actor=None,
        unit=unit,
        case=_case_answered(parsed),
        contact=Contact(
            channel=Channel.EMAIL,
            subject=subject,
            body=parsed.body or subject,
            language=parsed.language,
            # Never mail ourselves: a message from our own address gets no reply by e-mail,
            # and belongs to nobody.
            email="" if own_address else parsed.sender,
            details=PersonDetails(
                given_names=given,
                family_names=family,
                preferred_language=parsed.language or "pt",
            ),
            # Writing to us is consent to be served by e-mail.
            consents=frozenset({Purpose.SERVICE}),
            message_id=parsed.message_id,
            reply_by_email=not own_address,
        ),
    )
    interaction = intake.interaction
    assert interaction is not None
    _keep_attachments(interaction, parsed.attachments, saved_files)
    if not intake.opened:
        return FilingResult(case=intake.case, interaction=interaction)
    if parsed.detected is not None and intake.case.language == parsed.detected.code:
        record_detected_language(case=intake.case, detected=parsed.detected)
    if intake.acknowledge:
        transaction.on_commit(_acknowledgement(intake.case, intake.secret, parsed))
    return FilingResult(
        case=intake.case,
        interaction=interaction,
        opened=True,
        acknowledged=intake.acknowledge,
    )


def _stored(message_id: str) -> FilingResult | None:
    interaction = Interaction.objects.select_related("case").filter(message_id=message_id).first()
    if interaction is None:
        return None
    logger.info("duplicate message %s (case %s)", message_id, interaction.case.reference)
    return FilingResult(case=interaction.case, interaction=interaction, duplicate=True)


def _case_answered(parsed: _Parsed) -> Case | None:
    """The case the message answers: by the messages it replies to, else by the reference in
    its subject."""
    if parsed.answers:
        answered = (
            Interaction.objects.filter(message_id__in=parsed.answers)
            .select_related("case")
            .order_by("-occurred_at", "-pk")
            .first()
        )
        if answered is not None:
            return answered.case
    references = _references_in(parsed.subject)
    if references:
        found = {case.reference: case for case in Case.objects.filter(reference__in=references)}
        for reference in references:
            if reference in found:
                return found[reference]
    return None


def _references_in(subject: str) -> list[str]:
    """Case references in a subject, bracketed ones first, in order."""
    candidates = [m.group(1) for m in _BRACKETED.finditer(subject)]
    candidates += [m.group(1) for m in _BARE_REFERENCE.finditer(subject)]
    found = (normalise_reference(candidate) for candidate in candidates[:20])
    return list(dict.fromkeys(reference for reference in found if reference))


def _split_name(name: str) -> tuple[str, str]:
    """(given names, family names) from a display name: ``Ana Lopes Tavares`` →
    (``Ana``, ``Lopes Tavares``); ``Tavares, Ana`` → (``Ana``, ``Tavares``)."""
    name = " ".join(name.replace('"', " ").split())
    if not name or "@" in name:
        return "", ""
    if name.count(",") == 1:
        family, given = (part.strip() for part in name.split(","))
        return given[:_NAME_MAX], family[:_NAME_MAX]
    given, _sep, family = name.partition(" ")
    return given[:_NAME_MAX], family[:_NAME_MAX]


def _keep_attachments(
    interaction: Interaction, attachments: Iterable[_Attachment], saved_files: list[str]
) -> None:
    for attachment in attachments:
        suffix = PurePosixPath(attachment.filename).suffix.lower()
        if not re.fullmatch(r"\.[a-z0-9]{1,8}", suffix):
            suffix = mimetypes.guess_extension(attachment.content_type) or ""
        row = CaseAttachment(
            interaction=interaction,
            filename=attachment.filename,
            content_type=attachment.content_type,
            size=len(attachment.data),
        )
        # The stored name is random: the sender's file name is kept only as a label.
        row.file.save(f"{uuid.uuid4().hex}{suffix}", ContentFile(attachment.data), save=False)
        saved_files.append(row.file.name or "")
        row.save()


def _delete(names: Iterable[str]) -> None:
    for name in names:
        if name:
            default_storage.delete(name)


# --- Acknowledgement ------------------------------------------------------------------------


def _own_address() -> str:
    return parseaddr(settings.CASES_FROM_EMAIL)[1].strip().lower()


def tracking_url(reference: str, secret: str, language: str) -> str:
    """The person's tracking page, in ``language`` when the interface speaks it."""
    lang = interface_language_for(language)
    return settings.PUBLIC_URL.rstrip("/") + f"/{lang}/follow/{reference}/{secret}/"


def _acknowledgement(case: Case, secret: str, parsed: _Parsed) -> Callable[[], None]:
    return acknowledgement(
        case, secret, to=parsed.sender, in_reply_to="" if parsed.synthetic_id else parsed.message_id
    )


def acknowledgement(
    case: Case, secret: str, *, to: str, in_reply_to: str = ""
) -> Callable[[], None]:
    """The acknowledgement of a new case with its tracking link, rendered now in the person's
    language and sent by the returned callable (run it after the commit: the secret is never
    stored). It is marked auto-replied, so that autoresponders do not answer it."""
    lang = interface_language_for(case.language)
    context = {
        "reference": case.reference,
        "subject": case.subject,
        "tracking_url": tracking_url(case.reference, secret, lang),
        "unit_name": case.unit.name,
    }
    with translation.override(lang):
        subject = render_to_string("cases/email/acknowledgement_subject.txt", context)
        rendered = render_to_string("cases/email/acknowledgement.txt", context)
    body = isolate_runs_for_language(rendered, case.language)
    headers = {
        "Message-ID": make_msgid(domain=settings.CASES_MAIL_DOMAIN),
        "Auto-Submitted": "auto-replied",
        "X-Auto-Response-Suppress": "All",
    }
    if in_reply_to:
        headers["In-Reply-To"] = in_reply_to
        headers["References"] = in_reply_to
    message = EmailMessage(
        email_subject(case.reference, " ".join(subject.split())),
        body,
        settings.CASES_FROM_EMAIL,
        [to],
        headers=headers,
    )
    reference = case.reference

    def send() -> None:
        try:
            message.send()
        except OSError as error:
            # The case is filed; only the acknowledgement is lost.
            logger.warning("acknowledgement of %s not sent: %s", reference, error)

    return send


# --- Parsing --------------------------------------------------------------------------------


def _parse(raw: bytes) -> _Parsed:
    """Everything filing needs, taken from the message; MessageRefused when the message cannot
    be read or an attachment is over the limit."""
    try:
        message = message_from_bytes(raw, policy=policy.default)
        assert isinstance(message, ParsedEmail)
        parsed = _Parsed(
            message_id=_message_id(message, raw),
            synthetic_id=not _MSG_ID.search(_raw_header(message, "Message-ID")),
            answers=_answers(message),
            subject=_header_text(message, "Subject"),
            sender="",
            sender_name="",
            language=_language(message),
            body="",
            automatic=_automatic(message),
            recipients=_recipients(message),
        )
        if parsed.automatic:
            return parsed
        parsed.sender, parsed.sender_name = _sender(message)
        body_part = message.get_body(preferencelist=("plain", "html"))
        parsed.body = _body_text(body_part) if body_part is not None else ""
        parsed.attachments = _attachments(message, body_part)
    except MessageRefused:
        raise
    except Exception as error:  # the stdlib parser raises many kinds on hostile input
        logger.warning("refused unreadable message: %r", error)
        raise MessageRefused(_("The message could not be read.")) from error
    return parsed


def _clean(text: str) -> str:
    """Text as the database can store it: no NUL or other control characters, no lone
    surrogates left by undecodable bytes."""
    text = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return _CONTROL.sub("", text)


def _raw_header(message: Message, name: str) -> str:
    for key, value in message.raw_items():
        if key.lower() == name.lower():
            return str(value)
    return ""


def _header_text(message: Message, name: str) -> str:
    value = message.get(name)
    return " ".join(_clean(str(value)).split()) if value is not None else ""


def _message_id(message: Message, raw: bytes) -> str:
    found = _MSG_ID.search(_raw_header(message, "Message-ID"))
    if found is None:
        return f"<sha256.{hashlib.sha256(raw).hexdigest()}@no-message-id.invalid>"
    value = found.group(0)
    if len(value) > _MESSAGE_ID_MAX:
        return f"<sha256.{hashlib.sha256(value.encode()).hexdigest()}@long-message-id.invalid>"
    return value


def _answers(message: Message) -> list[str]:
    """The Message-IDs this message replies to, the nearest first."""
    ids = _MSG_ID.findall(_raw_header(message, "In-Reply-To"))
    ids += reversed(_MSG_ID.findall(_raw_header(message, "References")))
    return [value for value in dict.fromkeys(ids) if len(value) <= _MESSAGE_ID_MAX][:50]


def _language(message: Message) -> str:
    declared = _raw_header(message, "Content-Language").split(",")[0].strip()
    if not declared:
        return ""
    try:
        return get_language(_clean(declared)[:20]).code
    except UnknownLanguage:
        return ""


def _automatic(message: Message) -> str:
    """Why the message is an auto-reply, bounce or list mail (RFC 3834, RFC 3464); ``""`` when
    a person wrote it."""
    submitted = _raw_header(message, "Auto-Submitted").strip().lower()
    if submitted and submitted.split(";")[0].strip() != "no":
        return f"Auto-Submitted: {_clean(submitted)[:40]}"
    for name in ("X-Autoreply", "X-Autorespond", "X-Autoresponder"):
        if _raw_header(message, name):
            return f"{name} header"
    precedence = _raw_header(message, "Precedence").strip().lower()
    if precedence in _BULK_PRECEDENCE:
        return f"Precedence: {precedence}"
    if _raw_header(message, "List-Id"):
        return "list mail (List-Id)"
    if _raw_header(message, "Return-Path").replace(" ", "") == "<>":
        return "bounce (empty Return-Path)"
    local_part = parseaddr(_clean(_raw_header(message, "From")))[1].partition("@")[0].lower()
    if local_part in _ROBOT_SENDERS:
        return f"bounce ({local_part})"
    if message.get_content_type() == "multipart/report":
        return "delivery or read report (multipart/report)"
    return ""


def _sender(message: Message) -> tuple[str, str]:
    """(normalised address, display name) of the first From address; MessageRefused when
    there is none or it is not an address."""
    header = message.get("From")
    addresses = getattr(header, "addresses", ())
    if not addresses:
        raise MessageRefused(_("The message has no sender address."))
    first = addresses[0]
    text = _clean(first.addr_spec)
    try:
        address = normalise_email(text)
    except ValidationError:
        raise MessageRefused(
            _("The sender address “%(address)s” is not an e-mail address.")
            % {"address": text[:100]}
        ) from None
    if len(address) > _EMAIL_MAX:
        raise MessageRefused(
            _("The sender address “%(address)s” is not an e-mail address.")
            % {"address": address[:100]}
        )
    return address, _clean(first.display_name)


def _recipients(message: Message) -> list[str]:
    values = [
        _clean(str(value))
        for name in ("To", "Cc", "Delivered-To", "X-Original-To")
        for value in message.get_all(name, [])
    ]
    return list(
        dict.fromkeys(address.lower() for _name, address in getaddresses(values) if address)
    )


def _body_text(part: MIMEPart) -> str:
    content = _part_text(part)
    if part.get_content_type() == "text/html":
        content = _HTML_BREAK.sub("\n", content)
        content = html.unescape(nh3.clean(content, tags=set()))
    lines = [line.rstrip() for line in _clean(content.replace("\r\n", "\n")).split("\n")]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(_without_quoted_tail(lines))).strip()
    return text


def _part_text(part: MIMEPart) -> str:
    try:
        content = part.get_content()
    except (LookupError, UnicodeError, ValueError):  # unknown or wrong charset
        payload = part.get_payload(decode=True)
        content = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    return content if isinstance(content, str) else ""


def _without_quoted_tail(lines: list[str]) -> list[str]:
    """The lines without the quoted message they answer, when it is at the end: a block of
    ``>`` lines, with its attribution line (``On … wrote:``). Quotes inside the text stay."""
    end = len(lines)
    while end and not lines[end - 1].strip():
        end -= 1
    start = end
    while start and (lines[start - 1].startswith(">") or not lines[start - 1].strip()):
        start -= 1
    if start == end:
        return lines
    if start and _ATTRIBUTION.match(lines[start - 1].strip()):
        start -= 1
    kept = lines[:start]
    return kept if any(line.strip() for line in kept) else lines


def _first_line(text: str) -> str:
    return next((line.strip()[:100] for line in text.splitlines() if line.strip()), "")


def _attachments(message: ParsedEmail, body_part: MIMEPart | None) -> list[_Attachment]:
    found: list[_Attachment] = []
    for part in message.walk():
        if part is body_part or part.is_multipart():
            continue
        filename = part.get_filename()
        if part.get_content_disposition() != "attachment" and not filename:
            continue
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        name = _clean(PurePosixPath((filename or "").replace("\\", "/")).name).strip()
        name = name[-_FILENAME_MAX:] or _("attachment")
        if len(data) > MAX_ATTACHMENT_BYTES:
            raise MessageRefused(
                _(
                    "The attachment “%(filename)s” is %(size)s MB; attachments may be at most "
                    "%(limit)s MB. Nothing of the message was kept."
                )
                % {
                    "filename": name,
                    "size": f"{len(data) / 1024 / 1024:.1f}",
                    "limit": MAX_ATTACHMENT_BYTES // 1024 // 1024,
                }
            )
        found.append(_Attachment(name, _clean(part.get_content_type())[:_CONTENT_TYPE_MAX], data))
    return found
