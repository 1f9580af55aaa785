"""The phone line: a call is logged on one screen — the caller's number matched to people and
their open cases, the call joined to a case or opening one — and call-backs are scheduled."""

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from coop4int.accounts.models import Unit, User
from coop4int.cases.domain.cases import add_interaction, open_case
from coop4int.cases.domain.queries import cases_for_user
from coop4int.cases.enums import ACTIVE, Channel, Direction
from coop4int.cases.models import CallBack, Case, Interaction
from coop4int.core import audit
from coop4int.people.domain.people import people_with_contact
from coop4int.people.enums import ContactKind
from coop4int.people.models import Person


@dataclass(frozen=True, slots=True)
class Caller:
    number: str
    people: list[Person]
    cases: list[Case]
    """The active cases, within the user's reach, of those people or of this number."""


def caller(user: User, number: str) -> Caller:
    """Who is calling from ``number`` (E.164), as far as ``user`` may know."""
    people = people_with_contact(ContactKind.PHONE, number) if number else []
    cases = (
        list(
            cases_for_user(user)
            .filter(Q(person__in=people) | Q(reply_phone=number), status__in=ACTIVE)
            .select_related("person")
            .order_by("-last_activity_at")[:20]
        )
        if number
        else []
    )
    return Caller(number=number, people=people, cases=cases)


@transaction.atomic
def log_call(
    *,
    actor: User,
    unit: Unit,
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
    number kept to call back). Returns the call and, for a new case, the secret of the
    person's tracking link (else "")."""
    if case is not None:
        return add_interaction(
            actor=actor, case=case, channel=Channel.PHONE, direction=direction, body=summary,
            is_public=False, language=language, duration_seconds=duration_seconds,
            interpreter=interpreter,
        ), ""  # fmt: skip
    opened, secret = open_case(
        actor=actor, unit=unit, channel=Channel.PHONE, subject=subject or summary[:80],
        person=person, language=language, body=summary, reply_phone=number,
        duration_seconds=duration_seconds, interpreter=interpreter, assign_to=actor,
    )  # fmt: skip
    first = opened.interactions.get()
    if direction != first.direction:
        first.direction = direction
        first.save(update_fields=["direction"])
    return first, secret


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
