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
from django.db.models import Q
from django.utils.translation import gettext as _

from coop4int.accounts.enums import UnitKind
from coop4int.accounts.models import Unit
from coop4int.cases.domain.cases import add_interaction, open_case
from coop4int.cases.enums import ACTIVE, Direction
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
from coop4int.people.domain.people import people_with_contact
from coop4int.people.enums import ContactKind
from coop4int.people.models import Person

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
    """File ``message``; a new case goes to ``unit``, else to the person's unit when it is a
    local unit, else to the first local unit.

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
    person = _person_for(message.sender)
    case = _active_case(message, person)
    if case is not None:
        interaction = add_interaction(
            actor=None,
            case=case,
            channel=message.channel,
            direction=Direction.IN,
            body=message.body,
            is_public=True,
            message_id=message.message_id,
        )
        return FilingResult(case=case, interaction=interaction)

    unit = unit or _unit_for(person)
    case, _secret = open_case(
        actor=None,
        unit=unit,
        channel=message.channel,
        subject=_subject(message),
        body=message.body,
        person=person,
        language=(person.preferred_language if person else "") or "pt",
        reply_phone=message.sender,
        message_id=message.message_id,
    )
    interaction = Interaction.objects.get(message_id=message.message_id)
    return FilingResult(case=case, interaction=interaction, opened=True)


def _stored(message_id: str) -> FilingResult | None:
    interaction = Interaction.objects.select_related("case").filter(message_id=message_id).first()
    if interaction is None:
        return None
    logger.info("duplicate message %s (case %s)", message_id, interaction.case.reference)
    return FilingResult(case=interaction.case, interaction=interaction, duplicate=True)


def _person_for(phone: str) -> Person | None:
    """The person the number belongs to (the oldest record when several share it)."""
    known = people_with_contact(ContactKind.PHONE, phone)
    return known[0] if known else None


def _active_case(message: InboundMessage, person: Person | None) -> Case | None:
    """The latest active case the message continues: the person's, or — for a number nobody
    has — the person-less case written from that number, on the same channel."""
    cases = Case.objects.filter(status__in=ACTIVE)
    if person is not None:
        cases = cases.filter(person=person)
    else:
        cases = cases.filter(person__isnull=True, reply_phone=message.sender)
    on_channel = Q(channel=message.channel) | Q(interactions__channel=message.channel)
    return (
        cases.filter(on_channel)
        .distinct()
        .select_related("unit")
        .order_by("-last_activity_at", "-pk")
        .first()
    )


def _unit_for(person: Person | None) -> Unit:
    if person is not None and person.unit.kind == UnitKind.LOCAL_UNIT:
        return person.unit
    unit = Unit.objects.filter(kind=UnitKind.LOCAL_UNIT).order_by("pk").first()
    if unit is None:
        raise NoUnit
    return unit


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
