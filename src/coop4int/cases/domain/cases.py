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
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from coop4int.accounts.models import Unit, User
from coop4int.cases.domain.due import due_at
from coop4int.cases.domain.references import new_reference, new_tracking_secret
from coop4int.cases.enums import TRANSITIONS, Channel, Direction, Priority, Status
from coop4int.cases.models import Case, CaseAttachment, Interaction
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


def _bump(case: Case, expected_version: int | None, **fields: Any) -> None:
    """Write ``fields`` when the case is still at ``expected_version`` (None: whatever it is)."""
    rows = Case.objects.filter(pk=case.pk)
    if expected_version is not None:
        rows = rows.filter(version=expected_version)
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
    is_demo: bool = False,
) -> tuple[Case, str]:
    """A new case, with its first contact on the timeline when there is one. Returns the case
    and the secret of the person's tracking link (shown once, never stored).

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
            direction=Direction.IN,
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
) -> Interaction:
    """One more contact on the timeline. A message from the person puts a case that waited on
    them, or was resolved or closed, back in the queue; the first message to them is the first
    reply.

    Side effects: audit ``cases.interaction.added``; an outgoing message is queued for
    delivery on its channel."""
    now = at or timezone.now()
    fields: dict[str, Any] = {"last_activity_at": now}
    if (
        reopen
        and direction == Direction.IN
        and case.status
        in (
            Status.WAITING_PERSON,
            Status.RESOLVED,
            Status.CLOSED,
        )
    ):
        fields.update(status=Status.OPEN, resolved_at=None, closed_at=None)
    if direction == Direction.OUT:
        if case.first_reply_at is None:
            fields["first_reply_at"] = now
        if case.status == Status.NEW:
            fields["status"] = Status.OPEN
    _bump(case, expected_version, **fields)
    interaction = Interaction.objects.create(
        case=case,
        channel=channel,
        direction=direction,
        body=body,
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


@transaction.atomic
def change_status(
    *, actor: User, case: Case, status: Status, expected_version: int | None = None
) -> None:
    """Move the case on (or reopen it). Side effects: audit ``cases.case.status_changed``."""
    if status == case.status:
        return
    if status not in TRANSITIONS[case.status]:
        raise NotAllowed(
            _("A case that is %(old)s cannot become %(new)s.")
            % {"old": Status(case.status).label, "new": Status(status).label}
        )
    now = timezone.now()
    fields: dict[str, Any] = {"status": status, "last_activity_at": now}
    if status == Status.RESOLVED:
        fields["resolved_at"] = now
    elif status == Status.CLOSED:
        fields["closed_at"] = now
        fields["resolved_at"] = case.resolved_at or now
    else:
        fields.update(resolved_at=None, closed_at=None)
    old = case.status
    _bump(case, expected_version, **fields)
    audit.record(
        action="cases.case.status_changed",
        actor=actor,
        obj=case,
        unit=case.unit,
        data={"from": old, "to": status.value},
    )
    if status == Status.RESOLVED:
        ask_satisfaction(actor=actor, case=case)


@transaction.atomic
def assign_case(
    *, actor: User, case: Case, officer: User | None, expected_version: int | None = None
) -> None:
    """Give the case to ``officer`` (None: back to the unit's queue), who must be able to work
    the unit's cases. Side effects: audit ``cases.case.assigned``."""
    if officer is not None and not officer.has_perm("cases.work_case", case):
        raise NotAllowed(_("%(name)s cannot work on this unit's cases.") % {"name": officer})
    fields: dict[str, Any] = {"assigned_to": officer}
    if officer is not None and case.status == Status.NEW:
        fields["status"] = Status.OPEN
    _bump(case, expected_version, **fields)
    audit.record(
        action="cases.case.assigned",
        actor=actor,
        obj=case,
        unit=case.unit,
        data={"to": officer.get_username() if officer else ""},
    )


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


def ask_satisfaction(*, actor: User | None, case: Case) -> Interaction | None:
    """Ask once, on the channel the person used (walk-ins and calls are asked at the desk or
    on the phone, and their answer recorded by the officer)."""
    if case.satisfaction_asked_at is not None or case.channel not in DELIVERED:
        return None
    if case.channel in (Channel.EMAIL, Channel.SMS, Channel.WHATSAPP) and not (
        case.reply_email or case.reply_phone or case.person_id
    ):
        return None
    Case.objects.filter(pk=case.pk).update(satisfaction_asked_at=timezone.now())
    case.satisfaction_asked_at = timezone.now()
    return add_interaction(
        actor=actor,
        case=case,
        channel=Channel(case.channel),
        direction=Direction.OUT,
        body=satisfaction_question(case.language),
        is_public=True,
    )


_SCORE = re.compile(r"^\s*([1-5])\s*[.!]?\s*$")


def satisfaction_score(text: str) -> int | None:
    """The score in a person's answer that is just a number from 1 to 5."""
    match = _SCORE.match(text.strip().splitlines()[0] if text.strip() else "")
    return int(match.group(1)) if match else None


def awaits_satisfaction(case: Case) -> bool:
    return case.satisfaction_asked_at is not None and case.satisfaction is None


@transaction.atomic
def record_satisfaction(*, actor: User | None, case: Case, score: int) -> bool:
    """Keep the person's answer (the first one only); False when it was not kept."""
    if not 1 <= score <= 5:
        return False
    updated = Case.objects.filter(pk=case.pk, satisfaction__isnull=True).update(
        satisfaction=score, satisfaction_asked_at=case.satisfaction_asked_at or timezone.now()
    )
    if updated:
        case.satisfaction = score
        audit.record(
            action="cases.case.satisfaction", actor=actor, obj=case, unit=case.unit,
            data={"score": score},
        )  # fmt: skip
    return bool(updated)
