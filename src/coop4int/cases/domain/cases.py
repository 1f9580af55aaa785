"""Opening, working and closing cases. Each function is one transaction and one audit entry;
changes to a case name the version they were made on (optimistic locking)."""

import re
import secrets
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from coop4int.accounts.models import Unit, User
from coop4int.cases.domain.due import due_at
from coop4int.cases.domain.references import new_reference, new_tracking_secret
from coop4int.cases.enums import TRANSITIONS, Channel, Direction, Priority, Status
from coop4int.cases.models import Case, CaseAttachment, Interaction
from coop4int.cases.system_notes import SystemNote
from coop4int.cases.tasks import deliver_interaction
from coop4int.core import audit
from coop4int.core.files import MAX_BYTES, sniff
from coop4int.core.languages import interface_language_for
from coop4int.directory.models import TaxonomyTerm
from coop4int.people.models import Person

# Channels whose outgoing messages the platform delivers (a walk-in or a call is already done).
DELIVERED = frozenset({Channel.EMAIL, Channel.WEB, Channel.SMS, Channel.WHATSAPP})


class StaleCase(Exception):
    """Someone else changed the case since it was read."""

    def __init__(self) -> None:
        super().__init__(
            _("Someone else changed this case while you were working on it. Nothing was saved.")
        )


class NotAllowed(Exception):
    pass


def _bump(
    case: Case, expected_version: int | None, /, *, where: Q | None = None, **fields: Any
) -> None:
    """Write ``fields`` and raise the version when the case is still at ``expected_version``
    (None: whatever it is) and its row matches ``where``; StaleCase otherwise. The only place
    that writes a case's columns after it was opened: ``status`` only from
    ``transition_case``."""
    rows = Case.objects.filter(pk=case.pk)
    if expected_version is not None:
        rows = rows.filter(version=expected_version)
    if where is not None:
        rows = rows.filter(where)
    if not rows.update(version=F("version") + 1, **fields):
        raise StaleCase
    for name, value in fields.items():
        setattr(case, name, value)
    case.version = Case.objects.values_list("version", flat=True).get(pk=case.pk)


@transaction.atomic
def open_case(
    *,
    actor: User | None,
    unit: Unit,
    channel: Channel,
    subject: str,
    person: Person | None = None,
    language: str = "pt",
    topics: Sequence[TaxonomyTerm] = (),
    priority: Priority = Priority.NORMAL,
    body: str = "",
    reply_email: str = "",
    reply_phone: str = "",
    at: datetime | None = None,
    message_id: str | None = None,
    assign_to: User | None = None,
    duration_seconds: int | None = None,
    interpreter: str = "",
    direction: Direction = Direction.IN,
    identity_verified: bool = True,
    claimed_person: Person | None = None,
    claimed_consents: Sequence[str] = (),
    is_demo: bool = False,
) -> tuple[Case, str]:
    """A new case, with its first contact on the timeline when there is one. Returns the case
    and the secret of the person's tracking link (shown once, never stored). Contacts from
    every channel come through ``cases.domain.intake.receive_contact``, which calls this.

    Side effects: audit ``cases.case.opened``."""
    now = at or timezone.now()
    secret, digest = new_tracking_secret()
    for _attempt in range(5):
        try:
            with transaction.atomic():
                case = Case.objects.create(
                    reference=new_reference(),
                    tracking_digest=digest,
                    unit=unit,
                    person=person,
                    subject=subject[:200],
                    priority=priority,
                    status=Status.OPEN if assign_to else Status.NEW,
                    assigned_to=assign_to,
                    channel=channel,
                    language=language,
                    reply_email=reply_email,
                    reply_phone=reply_phone,
                    opened_at=now,
                    due_at=due_at(unit.pk, [t.pk for t in topics], now),
                    last_activity_at=now,
                    identity_verified=identity_verified,
                    claimed_person=claimed_person,
                    claimed_consents=list(claimed_consents),
                    is_demo=is_demo,
                )
            break
        except IntegrityError:  # a reference already taken: draw again
            continue
    else:  # pragma: no cover - 30^8 references
        raise RuntimeError("no free case reference")
    case.topics.set(topics)
    if body or channel in (Channel.WALK_IN, Channel.PHONE):
        Interaction.objects.create(
            case=case,
            channel=channel,
            direction=direction,
            body=body,
            author=actor if channel in (Channel.WALK_IN, Channel.PHONE) else None,
            language=language,
            is_public=channel != Channel.PHONE or bool(body),
            occurred_at=now,
            message_id=message_id,
            duration_seconds=duration_seconds,
            interpreter=interpreter,
        )
    audit.record(
        action="cases.case.opened",
        actor=actor,
        obj=case,
        unit=unit,
        data={"channel": channel.value, "reference": case.reference},
    )
    return case, secret


@transaction.atomic
def add_interaction(
    *,
    actor: User | None,
    case: Case,
    channel: Channel,
    direction: Direction,
    body: str,
    is_public: bool,
    at: datetime | None = None,
    language: str = "",
    message_id: str | None = None,
    duration_seconds: int | None = None,
    interpreter: str = "",
    expected_version: int | None = None,
    reopen: bool = True,
    note: SystemNote | None = None,
) -> Interaction:
    """One more contact on the timeline. A message from the person puts a case that waited on
    them, or was resolved or closed, back in the queue; the first message to them is the first
    reply. ``note`` is a note the platform writes: kept as its code and values, so that each
    reader reads it in their language (``body`` is then its text in the default language).

    Side effects: audit ``cases.interaction.added`` (and ``cases.case.status_changed`` when
    the case moves, through ``transition_case``); an outgoing message is queued for delivery
    on its channel."""
    now = at or timezone.now()
    moved = False
    if reopen and direction == Direction.IN and case.status in REOPENED_BY_THE_PERSON:
        moved = transition_case(
            actor=actor, case=case, to=Status.OPEN, expected_version=expected_version,
            reason=REASON_PERSON_WROTE, at=now,
        )  # fmt: skip
    elif direction == Direction.OUT and case.status == Status.NEW:
        moved = transition_case(
            actor=actor, case=case, to=Status.OPEN, expected_version=expected_version,
            reason=REASON_FIRST_REPLY, at=now,
        )  # fmt: skip
    # A transition already wrote the time of activity and raised the version.
    fields: dict[str, Any] = {} if moved else {"last_activity_at": now}
    if direction == Direction.OUT and case.first_reply_at is None:
        fields["first_reply_at"] = now
    if fields:
        _bump(case, case.version if moved else expected_version, **fields)
    interaction = Interaction.objects.create(
        case=case,
        channel=channel,
        direction=direction,
        body=note.stored_text() if note is not None else body,
        note_code=note.code if note is not None else "",
        note_values=dict(note.values) if note is not None else {},
        author=actor,
        language=language or (case.language if direction != Direction.INTERNAL else ""),
        is_public=is_public and direction != Direction.INTERNAL,
        occurred_at=now,
        message_id=message_id,
        duration_seconds=duration_seconds,
        interpreter=interpreter,
        delivery="queued" if direction == Direction.OUT and channel in DELIVERED else "",
    )
    audit.record(
        action="cases.interaction.added",
        actor=actor,
        obj=case,
        unit=case.unit,
        data={"channel": channel.value, "direction": direction.value},
    )
    if interaction.delivery == "queued":
        transaction.on_commit(lambda: deliver_interaction.enqueue(interaction.pk))
    return interaction


@transaction.atomic
def reply(
    *,
    actor: User,
    case: Case,
    body: str,
    channel: Channel,
    expected_version: int | None = None,
    files: Sequence[UploadedFile] = (),
) -> Interaction:
    """A message to the person, in the channel given, shown on their tracking page, with files
    (PDF, PNG or JPEG, at most 10 MB each; anything else refuses the whole reply)."""
    checked = [(upload, _checked_kind(upload)) for upload in files]
    interaction = add_interaction(
        actor=actor,
        case=case,
        channel=channel,
        direction=Direction.OUT,
        body=body,
        is_public=True,
        expected_version=expected_version,
    )
    for upload, (content_type, extension) in checked:
        filename = (upload.name or "file").rsplit("/", 1)[-1][:150]
        upload.name = f"{case.reference}-{secrets.token_hex(8)}{extension}"
        CaseAttachment.objects.create(
            interaction=interaction,
            file=upload,
            filename=filename,
            content_type=content_type,
            size=upload.size or 0,
        )
    return interaction


def _checked_kind(upload: UploadedFile) -> tuple[str, str]:
    if upload.size is None or upload.size > MAX_BYTES:
        raise ValidationError(
            _("The file is too large: at most %(mb)d MB.") % {"mb": MAX_BYTES // 2**20}
        )
    kind = sniff(upload)
    if kind is None:
        raise ValidationError(_("Only PDF, PNG and JPEG files can be attached."))
    return kind


def add_note(
    *, actor: User, case: Case, body: str, expected_version: int | None = None
) -> Interaction:
    """A note for colleagues: never shown to the person."""
    return add_interaction(
        actor=actor,
        case=case,
        channel=Channel.NOTE,
        direction=Direction.INTERNAL,
        body=body,
        is_public=False,
        expected_version=expected_version,
    )


# Why a case moved, kept in its audit entry: codes rather than sentences, so that the log reads
# the same in every language. An officer's own change may carry the reason they give: that
# text is kept on the timeline, never in the log (``logged_reason``).
REASON_FIRST_REPLY = "first_reply"
REASON_ASSIGNED = "assigned"
REASON_PERSON_WROTE = "person_wrote"
REASON_REFERRED = "referred"
REASON_REFERRAL_DECLINED = "referral_declined"
REASON_REFERRAL_COMPLETED = "referral_completed"
REASON_REFERRAL_WITHDRAWN = "referral_withdrawn"
REASON_SHARING_CONSENT_WITHDRAWN = "sharing_consent_withdrawn"
REASON_CODES = frozenset(
    {
        REASON_FIRST_REPLY,
        REASON_ASSIGNED,
        REASON_PERSON_WROTE,
        REASON_REFERRED,
        REASON_REFERRAL_DECLINED,
        REASON_REFERRAL_COMPLETED,
        REASON_REFERRAL_WITHDRAWN,
        REASON_SHARING_CONSENT_WITHDRAWN,
    }
)


def logged_reason(*, actor: User | None, case: Case, reason: str, at: datetime) -> dict[str, Any]:
    """What the audit log keeps of why something was done to ``case``: a code as it is. An
    officer's own words may name someone, and the log outlives an erasure: they go on the
    case's timeline as an internal note (stripped with the case's other notes), and the log
    keeps only that note's id and the text's length.

    Side effects: the note, for a reason that is not a code (no audit entry of its own: the
    caller's entry names it)."""
    if not reason or reason in REASON_CODES:
        return {"reason": reason}
    note = Interaction.objects.create(
        case=case,
        channel=Channel.NOTE,
        direction=Direction.INTERNAL,
        body=reason,
        author=actor,
        is_public=False,
        occurred_at=at,
    )
    return {"reason": "", "reason_note": note.pk, "reason_length": len(reason)}


# A message from the person puts these back in the queue.
REOPENED_BY_THE_PERSON = frozenset({Status.WAITING_PERSON, Status.RESOLVED, Status.CLOSED})


@transaction.atomic
def transition_case(
    *,
    actor: User | None,
    case: Case,
    to: Status,
    expected_version: int | None = None,
    reason: str = "",
    at: datetime | None = None,
) -> bool:
    """Move ``case`` to ``to`` as ``TRANSITIONS`` allows. Every change of a case's status —
    an officer's, the automatic ones, a referral's — passes here, so that status, version
    and audit change together. The move is checked against the case as the database has it
    (its row locked), not as the caller last read it. Returns False, writing nothing, when
    the case already has that status.

    Raises NotAllowed for a move the flow forbids, StaleCase when the case is no longer at
    ``expected_version``.

    Side effects: the version raised; ``resolved_at`` and ``closed_at`` follow the status;
    audit ``cases.case.status_changed`` (from, to, the reason's code — an officer's own words
    as an internal note, ``logged_reason``); on resolution the person is asked the
    satisfaction question (``ask_satisfaction``)."""
    to = Status(to)
    now = at or timezone.now()
    case.refresh_from_db(
        from_queryset=Case.objects.select_for_update(),
        fields=["status", "resolved_at", "version"],
    )
    old = Status(case.status)
    if to == old:
        return False
    if to not in TRANSITIONS[old]:
        raise NotAllowed(
            _("A case that is %(old)s cannot become %(new)s.") % {"old": old.label, "new": to.label}
        )
    fields: dict[str, Any] = {"status": to, "last_activity_at": now}
    if to == Status.RESOLVED:
        fields.update(resolved_at=now, closed_at=None)
    elif to == Status.CLOSED:
        fields.update(closed_at=now, resolved_at=case.resolved_at or now)
    else:
        fields.update(resolved_at=None, closed_at=None)
    _bump(case, expected_version, where=Q(status=old), **fields)
    why = logged_reason(actor=actor, case=case, reason=reason, at=now)
    audit.record(
        action="cases.case.status_changed",
        actor=actor,
        obj=case,
        unit=case.unit,
        data={"from": old.value, "to": to.value} | why,
    )
    if to == Status.RESOLVED:
        ask_satisfaction(actor=actor, case=case, at=now)
    return True


def change_status(
    *,
    actor: User | None,
    case: Case,
    status: Status,
    expected_version: int | None = None,
    reason: str = "",
) -> None:
    """An officer moves the case on (or reopens it), through ``transition_case``."""
    transition_case(
        actor=actor, case=case, to=status, expected_version=expected_version, reason=reason
    )


@transaction.atomic
def assign_case(
    *, actor: User, case: Case, officer: User | None, expected_version: int | None = None
) -> None:
    """Give the case to ``officer`` (None: back to the unit's queue), who must be able to work
    the unit's cases; a new case given to someone is open.

    Side effects: audit ``cases.case.assigned`` (and ``cases.case.status_changed`` when a new
    case opens, through ``transition_case``)."""
    if officer is not None and not officer.has_perm("cases.work_case", case):
        raise NotAllowed(_("%(name)s cannot work on this unit's cases.") % {"name": officer})
    _bump(case, expected_version, assigned_to=officer)
    audit.record(
        action="cases.case.assigned",
        actor=actor,
        obj=case,
        unit=case.unit,
        data={"to": officer.get_username() if officer else ""},
    )
    if officer is not None and case.status == Status.NEW:
        transition_case(
            actor=actor, case=case, to=Status.OPEN, expected_version=case.version,
            reason=REASON_ASSIGNED,
        )  # fmt: skip


def assign_cases(*, actor: User, cases: Iterable[Case], officer: User | None) -> int:
    """Bulk assignment from the inbox: every case the actor may work, in one transaction."""
    with transaction.atomic():
        count = 0
        for case in cases:
            if actor.has_perm("cases.work_case", case):
                assign_case(actor=actor, case=case, officer=officer)
                count += 1
        return count


def satisfaction_question(language: str) -> str:
    """The one question asked after resolution, in ``language`` where the interface has it
    (else Portuguese, the country's language)."""
    with translation.override(interface_language_for(language)):
        return _(
            "Your request was answered. How satisfied are you with the help you received? "
            "Reply with one number from 1 (not at all) to 5 (very satisfied)."
        )


def ask_satisfaction(
    *, actor: User | None, case: Case, at: datetime | None = None
) -> Interaction | None:
    """Ask once, on the channel the person used (walk-ins and calls are asked at the desk or
    on the phone, and their answer recorded by the officer).

    Side effects: the version raised; the question added to the timeline and queued for
    delivery (``add_interaction``, audit ``cases.interaction.added``)."""
    if case.satisfaction_asked_at is not None or case.channel not in DELIVERED:
        return None
    if case.channel in (Channel.EMAIL, Channel.SMS, Channel.WHATSAPP) and not (
        case.reply_email or case.reply_phone or case.person_id
    ):
        return None
    now = at or timezone.now()
    try:
        _bump(case, None, where=Q(satisfaction_asked_at__isnull=True), satisfaction_asked_at=now)
    except StaleCase:  # asked meanwhile
        return None
    return add_interaction(
        actor=actor,
        case=case,
        channel=Channel(case.channel),
        direction=Direction.OUT,
        body=satisfaction_question(case.language),
        is_public=True,
        at=now,
    )


_SCORE = re.compile(r"^\s*([1-5])\s*[.!]?\s*$")


def satisfaction_score(text: str) -> int | None:
    """The score in a person's answer that is just a number from 1 to 5."""
    match = _SCORE.match(text.strip().splitlines()[0] if text.strip() else "")
    return int(match.group(1)) if match else None


def awaits_satisfaction(case: Case) -> bool:
    return case.satisfaction_asked_at is not None and case.satisfaction is None


@transaction.atomic
def record_satisfaction(
    *, actor: User | None, case: Case, score: int, at: datetime | None = None
) -> bool:
    """Keep the person's answer (the first one only); False when it was not kept (a score
    outside 1 to 5, or an answer already recorded).

    Side effects: the version raised; audit ``cases.case.satisfaction`` (the score)."""
    if not 1 <= score <= 5:
        return False
    try:
        _bump(
            case, None, where=Q(satisfaction__isnull=True), satisfaction=score,
            satisfaction_asked_at=case.satisfaction_asked_at or at or timezone.now(),
        )  # fmt: skip
    except StaleCase:  # the first answer stays
        case.refresh_from_db(fields=["satisfaction", "satisfaction_asked_at", "version"])
        return False
    audit.record(
        action="cases.case.satisfaction", actor=actor, obj=case, unit=case.unit,
        data={"score": score},
    )  # fmt: skip
    return True
