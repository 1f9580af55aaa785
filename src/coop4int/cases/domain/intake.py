"""One intake path: a contact from any channel — a walk-in, a call, an e-mail, an SMS or
WhatsApp message, the web form (and later the app API) — enters through ``receive_contact``.

In one transaction it finds or registers the person within the scope of whoever records the
contact, records consent, opens a case or joins one, and writes the first interaction.
Channel adapters only parse and call it; views never chain these steps themselves.

**Who the person is.**

- An officer (walk-in, call) names a person within their scope (``people.scope``), registers
  a new one, or links a record of another unit — only with the person's consent to share it
  between units, given there and then (``people.domain.people.link_to_unit``).
- A public channel (web form, e-mail, SMS, WhatsApp) is an unverified claim of identity. Its
  phone or e-mail never attaches the contact to an existing record and never changes that
  record's consents: when they belong to a record, the case is opened without a person,
  marked "identity not verified", with the record kept as a possible match that only those
  who may open it see, and the consents asked for kept on the case until an officer
  confirms the identity with the person (``confirm_identity``). When they belong to nobody,
  the web form and e-mail register a new record with the consents given; a text message
  keeps only the number to answer.

**Which case.** An officer joins a case within their reach. A public message joins the case
it answers (by its Message-ID or the reference in its subject, or, for SMS and WhatsApp, the
latest active conversation on that channel) only when it comes from one of that case's
contacts; otherwise it opens a new case, which mentions the reference in a note.

**The unit of a new case** (the one rule): the unit of the officer who records it; for a
public channel, the unit the channel names (chosen on the form, the mailbox or address mail
was sent to, the number messaged); else the first local unit.

**Acknowledgements.** Anyone can make the platform write to an address by typing it on the
form or forging it in mail, so an address gets at most ``ACKNOWLEDGEMENTS_PER_DAY``
acknowledgements in 24 hours (``Intake.acknowledge``).
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from coop4int.accounts.enums import UnitKind
from coop4int.accounts.models import Unit, User
from coop4int.accounts.roles import Permission
from coop4int.cases.domain.cases import (
    NotAllowed,
    _bump,
    add_interaction,
    awaits_satisfaction,
    open_case,
    record_satisfaction,
    satisfaction_score,
)
from coop4int.cases.enums import ACTIVE, Channel, Direction, Priority
from coop4int.cases.models import Case, Interaction
from coop4int.cases.system_notes import FILED_AS_NEW_CASE, SystemNote
from coop4int.core import audit
from coop4int.directory.models import TaxonomyTerm
from coop4int.people.domain.people import (
    PersonDetails,
    add_contact,
    give_consent,
    link_to_unit,
    register_person,
)
from coop4int.people.domain.queries import records_elsewhere
from coop4int.people.enums import ConsentMethod, ContactKind, Purpose
from coop4int.people.models import ContactPoint, Person
from coop4int.people.scope import person_in_scope

PUBLIC_CHANNELS = frozenset({Channel.WEB, Channel.EMAIL, Channel.SMS, Channel.WHATSAPP})
STAFF_CHANNELS = frozenset({Channel.WALK_IN, Channel.PHONE})
ACKNOWLEDGEMENTS_PER_DAY = 3

_METHODS = {
    Channel.WALK_IN: ConsentMethod.IN_PERSON,
    Channel.PHONE: ConsentMethod.VERBAL,
    Channel.WEB: ConsentMethod.ONLINE,
    Channel.EMAIL: ConsentMethod.EMAIL,
    Channel.SMS: ConsentMethod.ONLINE,
    Channel.WHATSAPP: ConsentMethod.ONLINE,
}


@dataclass(frozen=True, slots=True)
class Contact:
    """What arrived, as a channel adapter parsed it. Phones are E.164 and e-mail addresses
    lower case (``people.domain.contacts``)."""

    channel: Channel
    subject: str = ""
    body: str = ""
    language: str = ""
    phone: str = ""
    email: str = ""
    details: PersonDetails | None = None
    """Who they say they are: used only to register a new record."""
    consents: frozenset[Purpose] = frozenset()
    """What they agreed to, on this contact."""
    direction: Direction = Direction.IN
    at: datetime | None = None
    message_id: str | None = None
    duration_seconds: int | None = None
    interpreter: str = ""
    topics: Sequence[TaxonomyTerm] = ()
    priority: Priority = Priority.NORMAL
    reply_by_email: bool = True
    """False for mail from the platform's own address: never answered by e-mail."""
    registers: bool = True
    """Whether a public contact whose details belong to nobody registers a new record (the
    web form and e-mail do; a text message keeps only the number to answer)."""
    is_demo: bool = False


@dataclass(frozen=True, slots=True)
class Intake:
    case: Case
    interaction: Interaction | None
    opened: bool
    secret: str = ""
    """The tracking link's secret of a new case (shown once), else ""."""
    person: Person | None = None
    acknowledge: bool = False
    """A new case from a public channel whose address may still be written to today."""
    notes: list[str] = field(default_factory=list)
    """The notes the platform wrote on the new case, in the default language."""


def _default_unit() -> Unit:
    unit = Unit.objects.filter(kind=UnitKind.LOCAL_UNIT).order_by("pk").first()
    if unit is None:
        raise NotAllowed(_("Requests cannot be received right now: no local unit exists."))
    return unit


def continues_case(case: Case, contact: Contact) -> bool:
    """Whether ``contact`` comes from one of ``case``'s contacts: the address or number the
    case replies to, or one of its person's."""
    values = {v for v in (contact.email, contact.phone) if v}
    if not values:
        return False
    if case.reply_email in values or case.reply_phone in values:
        return True
    return (
        case.person_id is not None
        and ContactPoint.objects.filter(person_id=case.person_id, value__in=values).exists()
    )


def active_conversation(contact: Contact) -> Case | None:
    """For SMS and WhatsApp: the latest active case on that channel whose contacts include the
    sender's number."""
    if not contact.phone:
        return None
    people = ContactPoint.objects.filter(kind=ContactKind.PHONE, value=contact.phone).values(
        "person_id"
    )
    on_channel = Q(channel=contact.channel) | Q(interactions__channel=contact.channel)
    return (
        Case.objects.filter(status__in=ACTIVE)
        .filter(Q(reply_phone=contact.phone) | Q(person__in=people))
        .filter(on_channel)
        .distinct()
        .select_related("unit", "person")
        .order_by("-last_activity_at", "-pk")
        .first()
    )


def _public_person(
    contact: Contact, unit: Unit
) -> tuple[Person | None, Person | None, frozenset[Purpose]]:
    """(the person, the claimed match, the consents waiting on the case) for a public
    channel: a match is never attached; a new contact detail registers a new record."""
    values = [v for v in (contact.email, contact.phone) if v]
    if not values:
        return None, None, frozenset()
    match = (
        Person.objects.filter(contacts__value__in=values, merged_into__isnull=True)
        .order_by("created_at")
        .first()
    )
    if match is not None:
        return None, match, contact.consents
    if not contact.registers:
        return None, None, frozenset()
    details = contact.details or PersonDetails(preferred_language=contact.language or "pt")
    person = register_person(
        actor=None,
        unit=unit,
        details=details,
        phones=[contact.phone] if contact.phone else [],
        emails=[contact.email] if contact.email else [],
        is_demo=contact.is_demo,
    )
    for purpose in sorted(contact.consents):
        give_consent(
            actor=None, person=person, purpose=purpose, method=_METHODS[contact.channel],
            at=contact.at,
        )  # fmt: skip
    return person, None, frozenset()


def _staff_person(
    *,
    actor: User,
    unit: Unit,
    contact: Contact,
    person: Person | None,
    register: bool,
    link_with_consent: bool,
) -> Person | None:
    """The person an officer names (within their scope), registers, or links with consent."""
    method = _METHODS[contact.channel]
    if person is not None:
        if not person_in_scope(actor, person) or person.merged_into_id is not None:
            raise NotAllowed(_("That person's record is not within your reach."))
        for kind, value in ((ContactKind.PHONE, contact.phone), (ContactKind.EMAIL, contact.email)):
            if value:
                add_contact(actor=actor, person=person, kind=kind, value=value)
    elif link_with_consent:
        elsewhere = records_elsewhere(
            actor,
            phones=(contact.phone,) if contact.phone else (),
            emails=(contact.email,) if contact.email else (),
        )
        if len(elsewhere) != 1:  # none, or more than one: the officer cannot tell which
            raise NotAllowed(
                _("No single record of another unit has that phone or e-mail: register the "
                  "person instead.")
            )  # fmt: skip
        person = elsewhere[0]
        link_to_unit(actor=actor, person=person, unit=unit, method=method, at=contact.at)
    elif register:
        person = register_person(
            actor=actor,
            unit=unit,
            details=contact.details or PersonDetails(),
            phones=[contact.phone] if contact.phone else [],
            emails=[contact.email] if contact.email else [],
            is_demo=contact.is_demo,
        )
    if person is not None:
        for purpose in sorted(contact.consents):
            give_consent(actor=actor, person=person, purpose=purpose, method=method, at=contact.at)
    return person


def _may_acknowledge(address: str, now: datetime) -> bool:
    """An address gets at most ``ACKNOWLEDGEMENTS_PER_DAY`` acknowledgements in 24 hours
    (counted from the cases opened with it, so every process agrees)."""
    recent = Case.objects.filter(reply_email=address, opened_at__gt=now - timedelta(hours=24))
    return recent.count() <= ACKNOWLEDGEMENTS_PER_DAY


def _join(*, actor: User | None, case: Case, contact: Contact) -> Intake:
    """Add the contact to ``case``. A bare 1–5 answers the satisfaction question and does
    not reopen."""
    score = (
        satisfaction_score(contact.body)
        if actor is None and contact.body and awaits_satisfaction(case)
        else None
    )
    if score is not None:
        record_satisfaction(actor=None, case=case, score=score)
    interaction = add_interaction(
        actor=actor,
        case=case,
        channel=contact.channel,
        direction=contact.direction,
        body=contact.body or contact.subject or _("(empty message)"),
        is_public=contact.channel != Channel.PHONE,
        at=contact.at,
        language=contact.language,
        message_id=contact.message_id,
        duration_seconds=contact.duration_seconds,
        interpreter=contact.interpreter,
        reopen=score is None,
    )
    return Intake(case=case, interaction=interaction, opened=False, person=case.person)


@transaction.atomic
def receive_contact(
    *,
    actor: User | None,
    contact: Contact,
    unit: Unit | None = None,
    case: Case | None = None,
    person: Person | None = None,
    register: bool = False,
    link_with_consent: bool = False,
    assign_to: User | None = None,
) -> Intake:
    """Receive ``contact`` (see the module's rules). ``actor`` is the officer recording a
    walk-in or a call, None for a public channel. ``case`` is the case the contact continues
    (an officer's choice, or the one a message answers); ``person``, ``register`` and
    ``link_with_consent`` are an officer's choice of who it is.

    Side effects, in one transaction: possibly a person registered or linked
    (``people.person.registered``, ``people.person.linked``) and consents recorded
    (``people.consent.given``); a case opened (``cases.case.opened``) or an interaction
    added (``cases.interaction.added``); for a message naming a case it may not join, a note
    on the new case. Raises ``NotAllowed`` (nothing stored) for a person or case outside the
    officer's reach."""
    public = actor is None
    if public and contact.channel not in PUBLIC_CHANNELS:
        raise NotAllowed(_("Only officers record walk-ins and calls."))
    notes: list[SystemNote] = []
    if case is not None:
        if public:
            if continues_case(case, contact):
                return _join(actor=None, case=case, contact=contact)
            notes.append(SystemNote(FILED_AS_NEW_CASE, {"reference": case.reference}))
        else:
            assert actor is not None
            if not actor.has_perm(Permission.WORK_CASES, case):
                raise NotAllowed(_("That case is not within your reach."))
            return _join(actor=actor, case=case, contact=contact)

    if public:
        unit = unit or _default_unit()
        person, claimed, waiting = _public_person(contact, unit)
    else:
        assert actor is not None
        if actor.unit is None:
            raise NotAllowed(_("Your account belongs to no unit, so it cannot open cases."))
        unit = actor.unit
        person = _staff_person(
            actor=actor, unit=unit, contact=contact, person=person, register=register,
            link_with_consent=link_with_consent,
        )  # fmt: skip
        claimed, waiting = None, frozenset()
    language = contact.language or (person.preferred_language if person else "") or "pt"
    subject = contact.subject or contact.body.strip().split("\n", 1)[0][:80]
    opened, secret = open_case(
        actor=actor,
        unit=unit,
        channel=contact.channel,
        subject=subject or _("Request without a subject"),
        person=person,
        language=language,
        topics=contact.topics,
        priority=contact.priority,
        body=contact.body,
        reply_email=contact.email if contact.reply_by_email else "",
        reply_phone=contact.phone,
        at=contact.at,
        message_id=contact.message_id,
        assign_to=assign_to,
        duration_seconds=contact.duration_seconds,
        interpreter=contact.interpreter,
        direction=contact.direction,
        identity_verified=claimed is None,
        claimed_person=claimed,
        claimed_consents=sorted(waiting),
        is_demo=contact.is_demo,
    )
    for note in notes:
        add_interaction(
            actor=None, case=opened, channel=Channel.NOTE, direction=Direction.INTERNAL,
            body="", note=note, is_public=False, at=contact.at,
        )  # fmt: skip
    first = opened.interactions.exclude(channel=Channel.NOTE).order_by("pk").first()
    now = contact.at or timezone.now()
    acknowledge = (
        public
        and bool(contact.email)
        and contact.reply_by_email
        and _may_acknowledge(contact.email, now)
    )
    return Intake(
        case=opened,
        interaction=first,
        opened=True,
        secret=secret,
        person=person,
        acknowledge=acknowledge,
        notes=[note.stored_text() for note in notes],
    )


def possible_match_for(user: User, case: Case) -> Person | None:
    """The record a public contact's details belong to — only for those who may open it."""
    if case.identity_verified or case.claimed_person is None:
        return None
    return case.claimed_person if person_in_scope(user, case.claimed_person) else None


@transaction.atomic
def confirm_identity(
    *,
    actor: User,
    case: Case,
    person: Person | None,
    link_with_consent: bool = False,
    method: ConsentMethod = ConsentMethod.VERBAL,
) -> None:
    """An officer confirmed with the person who they are: ``person`` (the possible match,
    which the officer must be able to open), or nobody known (None: the case stays without a
    record). When the match is a record of another unit, ``link_with_consent`` says the
    person is its holder and agrees, by ``method``, to share it with the case's unit: the
    record is linked (``people.domain.people.link_to_unit``) and the case put on it. The
    consents the request asked for are recorded for the confirmed person.

    Side effects: audit ``cases.case.identity_confirmed``; ``people.consent.given``; with a
    link, ``people.person.linked`` and the coordinators told."""
    if not actor.has_perm(Permission.WORK_CASES, case):
        raise NotAllowed(_("That case is not within your reach."))
    fresh = (
        Case.objects.select_for_update(of=("self",))
        .select_related("claimed_person")
        .get(pk=case.pk)
    )
    if fresh.identity_verified:
        raise NotAllowed(_("This case's identity was already confirmed."))
    if link_with_consent:
        claimed = fresh.claimed_person
        if claimed is None or person_in_scope(actor, claimed):
            raise NotAllowed(_("There is no record of another unit to link."))
        link_to_unit(actor=actor, person=claimed, unit=case.unit, method=method)
        person = claimed
    if person is not None:
        if person.pk != fresh.claimed_person_id or not person_in_scope(actor, person):
            raise NotAllowed(_("That person's record is not within your reach."))
        for code in fresh.claimed_consents:
            if code in Purpose.values:
                give_consent(
                    actor=actor, person=person, purpose=Purpose(code),
                    method=_METHODS.get(Channel(case.channel), ConsentMethod.ONLINE),
                    at=case.opened_at,
                )  # fmt: skip
    _bump(
        case, None, identity_verified=True, person=person, claimed_person=None,
        claimed_consents=[],
    )  # fmt: skip
    audit.record(
        action="cases.case.identity_confirmed",
        actor=actor,
        obj=case,
        unit=case.unit,
        data={"matched": person is not None, "linked": link_with_consent},
    )
