"""SMS and WhatsApp: filing an incoming message into a case, whatever gateway brought it.

A message from a number that belongs to a person joins that person's latest active case on
the same channel, or opens a case for them. A message from a number nobody has joins the
latest active case without a person that was written from that number on that channel, or
opens one with ``reply_phone`` set: an anonymous number is still a way to answer, but writing
an SMS is not consent to be registered, so no person is created (the officer registers one,
with consent, when the conversation calls for it). The case is in the person's preferred
language, else Portuguese. Filing is idempotent: a provider's message id is stored once.

The gateway side — the ``MessageSender`` interface, the registry, the Twilio adapter and
WhatsApp's 24-hour window — is in ``channels.providers`` and re-exported here; it lives apart
because ``cases.tasks`` delivers through it and must not import the case workflow.
"""

import logging
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from coop4int.accounts.enums import UnitKind
from coop4int.accounts.models import Unit
from coop4int.cases.domain.intake import Contact, active_conversation, receive_contact
from coop4int.cases.models import Case, Interaction
from coop4int.channels.providers import (
    InboundMessage,
    MessageSender,
    MessagingProvider,
    SendFailed,
    UnknownProvider,
    WebhookRejected,
    message_sender,
    messaging_provider,
    whatsapp_window_open,
)

logger = logging.getLogger("coop4int.channels.messaging")

_SUBJECT_MAX = 100


class NoUnit(Exception):
    """There is no local unit to open a case for (the platform is not set up yet)."""


@dataclass(frozen=True, slots=True)
class FilingResult:
    """What became of a message. ``duplicate``: its id was stored before (``case`` is where
    it went)."""

    case: Case
    interaction: Interaction
    opened: bool = False
    duplicate: bool = False


def file_inbound(message: InboundMessage, *, unit: Unit | None = None) -> FilingResult:
    """File ``message``; a new case goes to ``unit``, else to the first local unit (the
    intake's one rule: a number is a claim of identity, so it does not route by a record).

    Side effects, in one transaction: a case opened (audit ``cases.case.opened``) or an
    interaction added (``cases.interaction.added``). Raises NoUnit, storing nothing."""
    existing = _stored(message.message_id)
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return _file(message, unit)
    except IntegrityError:
        # The same message delivered twice at once: the other delivery stored it first.
        existing = _stored(message.message_id)
        if existing is None:
            raise
        return existing


def _file(message: InboundMessage, unit: Unit | None) -> FilingResult:
    """Through the one intake path: the message continues the sender's active conversation
    on its channel, else opens a case; a known number is a claim, never attached to its
    record (``cases.domain.intake``)."""
    if unit is None and not Unit.objects.filter(kind=UnitKind.LOCAL_UNIT).exists():
        raise NoUnit
    contact = Contact(
        channel=message.channel,
        subject=_subject(message),
        body=message.body,
        phone=message.sender,
        message_id=message.message_id,
        registers=False,
    )
    intake = receive_contact(
        actor=None, unit=unit, case=active_conversation(contact), contact=contact
    )
    assert intake.interaction is not None
    return FilingResult(case=intake.case, interaction=intake.interaction, opened=intake.opened)


def _stored(message_id: str) -> FilingResult | None:
    interaction = Interaction.objects.select_related("case").filter(message_id=message_id).first()
    if interaction is None:
        return None
    logger.info("duplicate message %s (case %s)", message_id, interaction.case.reference)
    return FilingResult(case=interaction.case, interaction=interaction, duplicate=True)


def _subject(message: InboundMessage) -> str:
    first = next((line.strip() for line in message.body.splitlines() if line.strip()), "")
    if first:
        return first[:_SUBJECT_MAX]
    return _("WhatsApp message") if message.whatsapp else _("SMS message")


__all__ = [
    "FilingResult",
    "InboundMessage",
    "MessageSender",
    "MessagingProvider",
    "NoUnit",
    "SendFailed",
    "UnknownProvider",
    "WebhookRejected",
    "file_inbound",
    "message_sender",
    "messaging_provider",
    "whatsapp_window_open",
]
