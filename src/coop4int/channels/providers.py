"""SMS and WhatsApp gateways: the provider-neutral boundary and the Twilio adapter.

What a gateway must do — turn a signed webhook into an ``InboundMessage`` and send a message
(``MessageSender``) — which gateway is configured (``MESSAGING_PROVIDER``), what may go out on
WhatsApp (its 24-hour window), and delivering one outgoing interaction.

This module imports nothing of the case workflow (``cases.domain``): ``cases.tasks`` uses it to
deliver, and ``cases.domain.cases`` imports ``cases.tasks``. Filing incoming messages into cases
is ``channels.messaging``, which also re-exports the public names of this module.
"""

import base64
import hashlib
import hmac
import json
import logging
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_noop, ngettext

from coop4int.cases.enums import Channel, Direction
from coop4int.cases.models import CannedAnswerText, Case, Interaction
from coop4int.people.domain.contacts import normalise_phone
from coop4int.people.enums import ContactKind

logger = logging.getLogger("coop4int.channels.messaging")

WHATSAPP_WINDOW = timedelta(hours=24)
# Stored in Interaction.delivery_error in English (like the other delivery reasons); marked for
# the catalogue so that the back office can show it translated.
OUTSIDE_WINDOW = gettext_noop("outside WhatsApp's 24-hour window: only approved templates")
NO_PHONE = gettext_noop("no phone number for this channel")

# Column sizes (PostgreSQL refuses longer values where SQLite would keep them).
_MESSAGE_ID_MAX = 255
_ERROR_MAX = 300
# Twilio splits long texts into at most 10 segments (1600 characters); more is not a message.
_BODY_MAX = 5000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


# --- The provider-neutral boundary ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class InboundMessage:
    """One message from a person, as any gateway reports it. ``sender`` is E.164;
    ``message_id`` is namespaced by the provider (``twilio:SM…``) so that two gateways' ids
    never collide."""

    provider: str
    message_id: str
    sender: str
    body: str
    whatsapp: bool
    recipient: str = ""
    media_count: int = 0

    @property
    def channel(self) -> Channel:
        return Channel.WHATSAPP if self.whatsapp else Channel.SMS


class WebhookRejected(Exception):
    """A webhook that is not stored: ``status`` 403 (not signed by the provider) or 400 (not
    a message); ``reason`` is for the log."""

    def __init__(self, reason: str, *, status: int) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


class SendFailed(Exception):
    """The gateway did not take the message; the text says why (for ``delivery_error``)."""


class UnknownProvider(LookupError):
    pass


class MessageSender(Protocol):
    def send(self, to: str, body: str, *, whatsapp: bool, template: str = "") -> str:
        """Send ``body`` (or, when ``template`` is given, that approved template) to the E.164
        number ``to``; returns the provider's message id. Raises SendFailed."""
        ...


class MessagingProvider(MessageSender, Protocol):
    name: str
    # What the webhook answers when it took a message (Twilio: empty TwiML, so no auto-reply).
    reply_body: bytes
    reply_content_type: str

    def parse_webhook(
        self, *, url: str, params: Mapping[str, Sequence[str]], headers: Mapping[str, str]
    ) -> InboundMessage:
        """The message a webhook request carries, once its signature is checked. ``url`` is
        the full address the provider called. Raises WebhookRejected."""
        ...


# --- Twilio ---------------------------------------------------------------------------------


TWILIO_API_URL = "https://api.twilio.com"
_WHATSAPP_PREFIX = "whatsapp:"


def twilio_signature(auth_token: str, url: str, params: Mapping[str, Sequence[str]]) -> str:
    """Twilio's ``X-Twilio-Signature``: base64 of HMAC-SHA1 keyed by the auth token over the
    URL followed by every POST parameter name and value, sorted by name (then value)."""
    data = url + "".join(
        name + value for name in sorted(params) for value in sorted(set(params[name]))
    )
    digest = hmac.new(auth_token.encode(), data.encode("utf-8", "replace"), hashlib.sha1)
    return base64.b64encode(digest.digest()).decode("ascii")


def _url_variants(url: str) -> list[str]:
    """The URL as given, and with the default port added or removed: Twilio signs the URL as
    configured, and a proxy may add or drop the port (twilio-python checks both forms)."""
    parts = urllib.parse.urlsplit(url)
    default = {"https": 443, "http": 80}.get(parts.scheme)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    variants = [url]
    if default is not None:
        for netloc in (host, f"{host}:{default}"):
            variants.append(urllib.parse.urlunsplit(parts._replace(netloc=netloc)))
    return list(dict.fromkeys(variants))


@dataclass(slots=True)
class TwilioProvider:
    """Twilio's Programmable Messaging: webhooks as ``application/x-www-form-urlencoded``
    (``From``, ``To``, ``Body``, ``MessageSid``, ``NumMedia``; WhatsApp numbers written
    ``whatsapp:+…``), sending through the REST API with HTTP basic auth. For templates,
    ``CannedAnswerText.whatsapp_template`` holds the approved template's Content SID."""

    account_sid: str
    auth_token: str
    sms_from: str = ""
    whatsapp_from: str = ""
    api_url: str = TWILIO_API_URL
    timeout: float = 15.0
    name: str = "twilio"
    reply_body: bytes = b'<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
    reply_content_type: str = "text/xml; charset=utf-8"

    @classmethod
    def from_settings(cls) -> "TwilioProvider":
        return cls(
            account_sid=settings.TWILIO_ACCOUNT_SID,
            auth_token=settings.TWILIO_AUTH_TOKEN,
            sms_from=settings.TWILIO_SMS_FROM,
            whatsapp_from=settings.TWILIO_WHATSAPP_FROM,
            api_url=settings.TWILIO_API_URL,
        )

    # Incoming.

    def parse_webhook(
        self, *, url: str, params: Mapping[str, Sequence[str]], headers: Mapping[str, str]
    ) -> InboundMessage:
        self._check_signature(url, params, headers.get("X-Twilio-Signature", ""))

        def field(name: str) -> str | None:
            values = params.get(name)
            return _CONTROL.sub("", values[0]).strip() if values else None

        sender, body = field("From"), field("Body")
        sid = field("MessageSid") or field("SmsMessageSid")
        if not sender or body is None or not sid:
            raise WebhookRejected("no From, Body or MessageSid", status=400)
        whatsapp = sender.lower().startswith(_WHATSAPP_PREFIX)
        number = sender[len(_WHATSAPP_PREFIX) :] if whatsapp else sender
        try:
            e164 = normalise_phone(number[:40])
        except ValidationError:
            raise WebhookRejected("From is not a phone number", status=400) from None
        media = field("NumMedia") or "0"
        media_count = int(media) if media.isascii() and media.isdigit() and len(media) < 4 else 0
        if not body:
            if not media_count:
                raise WebhookRejected("empty Body and no media", status=400)
            # Media are not fetched: the officer sees that something came and can ask again.
            body = ngettext(
                "(%(count)s attachment, not kept)", "(%(count)s attachments, not kept)", media_count
            ) % {"count": media_count}
        recipient = (field("To") or "").removeprefix(_WHATSAPP_PREFIX)[:40]
        return InboundMessage(
            provider=self.name,
            message_id=f"{self.name}:{sid}"[:_MESSAGE_ID_MAX],
            sender=e164,
            body=body[:_BODY_MAX],
            whatsapp=whatsapp,
            recipient=recipient,
            media_count=media_count,
        )

    def _check_signature(
        self, url: str, params: Mapping[str, Sequence[str]], signature: str
    ) -> None:
        if not self.auth_token:
            # Without the token nothing can be verified, so nothing is accepted.
            raise WebhookRejected("TWILIO_AUTH_TOKEN is not set", status=403)
        if not signature:
            raise WebhookRejected("no X-Twilio-Signature header", status=403)
        given = signature.strip().encode("utf-8", "replace")
        if not any(
            hmac.compare_digest(twilio_signature(self.auth_token, variant, params).encode(), given)
            for variant in _url_variants(url)
        ):
            raise WebhookRejected("X-Twilio-Signature does not match", status=403)

    # Outgoing.

    def send(self, to: str, body: str, *, whatsapp: bool, template: str = "") -> str:
        sender = self.whatsapp_from if whatsapp else self.sms_from
        if not (self.account_sid and self.auth_token and sender):
            raise SendFailed("Twilio is not configured (account, token or sender number)")
        if whatsapp:
            to = _WHATSAPP_PREFIX + to.removeprefix(_WHATSAPP_PREFIX)
            sender = _WHATSAPP_PREFIX + sender.removeprefix(_WHATSAPP_PREFIX)
        form = {"To": to, "From": sender}
        if template:
            form["ContentSid"] = template
        else:
            form["Body"] = body
        url = (
            f"{self.api_url.rstrip('/')}/2010-04-01/Accounts/"
            f"{urllib.parse.quote(self.account_sid, safe='')}/Messages.json"
        )
        if urllib.parse.urlsplit(url).scheme not in ("https", "http"):
            raise SendFailed(f"Twilio API address is not HTTP(S): {self.api_url}")
        credentials = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
            url,
            data=urllib.parse.urlencode(form).encode(),
            headers={
                "Authorization": f"Basic {credentials}",
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/json",
            },
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                answer = json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            raise SendFailed(f"Twilio answered {error.code}: {_twilio_error(error)}") from error
        except (OSError, ValueError) as error:  # unreachable, timed out, or not JSON
            raise SendFailed(f"Twilio could not be reached: {error}") from error
        sid = answer.get("sid") if isinstance(answer, dict) else None
        if not isinstance(sid, str) or not sid:
            raise SendFailed("Twilio's answer has no message sid")
        return sid


def _twilio_error(error: urllib.error.HTTPError) -> str:
    try:
        detail = json.loads(error.read() or b"{}")
    except (OSError, ValueError):
        return str(error.reason)
    if isinstance(detail, dict) and detail.get("message"):
        return f"{detail.get('code', '')} {detail['message']}".strip()
    return str(error.reason)


# --- The registry ---------------------------------------------------------------------------


PROVIDERS: dict[str, Callable[[], MessagingProvider]] = {
    "twilio": TwilioProvider.from_settings,
}


def messaging_provider(name: str | None = None) -> MessagingProvider:
    """The gateway called ``name`` (default: ``settings.MESSAGING_PROVIDER``), configured from
    the settings as they are now. Raises UnknownProvider."""
    name = settings.MESSAGING_PROVIDER if name is None else name
    factory = PROVIDERS.get(name)
    if factory is None:
        raise UnknownProvider(name)
    return factory()


def message_sender() -> MessageSender:
    """The configured gateway, for sending."""
    return messaging_provider()


# --- What may go out ------------------------------------------------------------------------


def _last_inbound_whatsapp(case: Case) -> datetime | None:
    return (
        Interaction.objects.filter(case=case, channel=Channel.WHATSAPP, direction=Direction.IN)
        .order_by("-occurred_at")
        .values_list("occurred_at", flat=True)
        .first()
    )


def whatsapp_window_open(case: Case, *, at: datetime | None = None) -> bool:
    """Whether free text may go to the person on WhatsApp: they wrote on WhatsApp on this case
    less than 24 hours ago. Outside the window only approved templates may be sent."""
    last = _last_inbound_whatsapp(case)
    return last is not None and (at or timezone.now()) - last < WHATSAPP_WINDOW


def approved_template(body: str, language: str) -> str:
    """The approved WhatsApp template whose canned text in ``language`` is exactly ``body``
    (line endings and surrounding space aside); ``""`` when there is none."""
    wanted = _comparable(body)
    if not wanted:
        return ""
    texts = CannedAnswerText.objects.filter(language=language).exclude(whatsapp_template="")
    for text in texts.only("body", "whatsapp_template").order_by("pk"):
        if _comparable(text.body) == wanted:
            return text.whatsapp_template
    return ""


def _comparable(text: str) -> str:
    return text.replace("\r\n", "\n").strip()


def _person_phone(case: Case) -> str:
    if case.person is None:
        return ""
    contact = case.person.contacts.filter(kind=ContactKind.PHONE).order_by("pk").first()
    return contact.value if contact else ""


def deliver_text_message(interaction: Interaction, sender: MessageSender | None = None) -> None:
    """Send an outgoing SMS or WhatsApp interaction to ``case.reply_phone`` (else the person's
    first phone) and set its ``delivery``, ``delivery_error`` and ``message_id`` — not saved.

    WhatsApp outside the 24-hour window: the approved template with the same text goes out
    instead, or nothing does (delivery failed, logged)."""
    case = interaction.case
    to = case.reply_phone or _person_phone(case)
    whatsapp = interaction.channel == Channel.WHATSAPP
    template = ""
    if not to:
        _fail(interaction, NO_PHONE)
        return
    if whatsapp and not whatsapp_window_open(case):
        template = approved_template(interaction.body, interaction.language or case.language)
        if not template:
            _fail(interaction, OUTSIDE_WINDOW)
            return
    try:
        provider = sender if sender is not None else messaging_provider()
        sid = provider.send(to, interaction.body, whatsapp=whatsapp, template=template)
    except UnknownProvider as unknown:
        _fail(interaction, f"messaging provider {unknown} is not known")
        return
    except SendFailed as error:
        _fail(interaction, str(error))
        return
    interaction.delivery = "sent"
    interaction.delivery_error = ""
    name = getattr(provider, "name", "")
    interaction.message_id = (f"{name}:{sid}" if name else sid)[:_MESSAGE_ID_MAX]


def _fail(interaction: Interaction, reason: str) -> None:
    logger.warning(
        "message %s of case %s not sent: %s", interaction.pk, interaction.case.reference, reason
    )
    interaction.delivery = "failed"
    interaction.delivery_error = reason[:_ERROR_MAX]


__all__ = [
    "InboundMessage",
    "MessageSender",
    "MessagingProvider",
    "SendFailed",
    "TwilioProvider",
    "UnknownProvider",
    "WebhookRejected",
    "approved_template",
    "deliver_text_message",
    "message_sender",
    "messaging_provider",
    "twilio_signature",
    "whatsapp_window_open",
]
