"""The phone line: a call is logged on one screen — the caller's number matched to people and
their open cases, the call joined to a case or opening one — and call-backs are scheduled."""

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from coop4int.accounts.models import User
from coop4int.cases.domain.intake import Contact, receive_contact
from coop4int.cases.domain.queries import cases_for_user
from coop4int.cases.enums import ACTIVE, Channel, Direction
from coop4int.cases.models import CallBack, Case, Interaction
from coop4int.core import audit
from coop4int.people.domain.queries import people_reachable_at
from coop4int.people.enums import ContactKind
from coop4int.people.models import Person


@dataclass(frozen=True, slots=True)
class Caller:
    number: str
    people: list[Person]
    """The people with this number within the user's scope."""
    cases: list[Case]
    """The active cases, within the user's reach, of those people or of this number."""
    elsewhere: bool = False
    """The number belongs to a record outside the user's scope (nothing more is told)."""


def caller(user: User, number: str) -> Caller:
    """Who is calling from ``number`` (E.164), as far as ``user`` may know: lookups answer
    inside the user's scope only (``people.domain.queries.people_reachable_at``)."""
    if not number:
        return Caller(number=number, people=[], cases=[])
    found = people_reachable_at(user, ContactKind.PHONE, number)
    cases = list(
        cases_for_user(user)
        .filter(Q(person__in=found.people) | Q(reply_phone=number), status__in=ACTIVE)
        .select_related("person")
        .order_by("-last_activity_at")[:20]
    )
    audit.record(
        action="cases.caller.looked_up",
        actor=user,
        unit=user.unit,
        data={"number": audit.mask(number), "matches": len(found.people)},
    )
    return Caller(number=number, people=found.people, cases=cases, elsewhere=found.elsewhere)


def log_call(
    *,
    actor: User,
    number: str,
    direction: Direction,
    summary: str,
    duration_seconds: int | None,
    language: str,
    interpreter: str = "",
    case: Case | None = None,
    subject: str = "",
    person: Person | None = None,
) -> tuple[Interaction, str]:
    """Add the call to ``case``, or open a case with it (for ``person``, or anonymous with the
    number kept to call back) — through the one intake path, which refuses a case or a person
    outside ``actor``'s reach. Returns the call and, for a new case, the secret of the
    person's tracking link (else "")."""
    intake = receive_contact(
        actor=actor,
        case=case,
        person=person,
        assign_to=actor,
        contact=Contact(
            channel=Channel.PHONE,
            subject=subject or summary[:80],
            body=summary,
            language=language,
            phone=number,
            direction=direction,
            duration_seconds=duration_seconds,
            interpreter=interpreter,
        ),
    )
    assert intake.interaction is not None
    return intake.interaction, intake.secret


@transaction.atomic
def schedule_callback(
    *, actor: User, case: Case, phone: str, due_at: datetime, note: str = ""
) -> CallBack:
    callback = CallBack.objects.create(
        case=case, phone=phone, due_at=due_at, note=note[:300], created_by=actor
    )
    audit.record(
        action="cases.callback.scheduled",
        actor=actor,
        obj=case,
        unit=case.unit,
        data={"phone": audit.mask(phone)},
    )
    return callback


@transaction.atomic
def mark_callback_done(*, actor: User, callback: CallBack) -> None:
    if callback.done_at is None:
        callback.done_at = timezone.now()
        callback.save(update_fields=["done_at"])
        audit.record(
            action="cases.callback.done", actor=actor, obj=callback.case, unit=callback.case.unit
        )


def callbacks_due(user: User) -> QuerySet[CallBack]:
    """Call-backs not yet made, of the cases within ``user``'s reach, soonest first."""
    return (
        CallBack.objects.filter(case__in=cases_for_user(user), done_at__isnull=True)
        .select_related("case", "case__person")
        .order_by("due_at")
    )
