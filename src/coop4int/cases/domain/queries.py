"""Reading cases: always through the user's scope. Opening one case or person is audited."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from uuid import UUID

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from coop4int.accounts.models import User
from coop4int.accounts.roles import Permission
from coop4int.cases.domain.references import normalise_reference, tracking_digest
from coop4int.cases.enums import ACTIVE_LIST, DONE_LIST, WAITING_LIST
from coop4int.cases.models import Case, Interaction
from coop4int.core import audit
from coop4int.core.text_search import fold


def cases_for_user(user: User) -> QuerySet[Case]:
    """Every case ``user`` may open: all for national administrators, their unit's for
    officers and coordinators, none for anyone else."""
    if Permission.WORK_CASES not in user.granted_permissions:
        return Case.objects.none()
    if user.is_nationwide:
        return Case.objects.all()
    if user.unit_id is None:
        return Case.objects.none()
    return Case.objects.filter(unit_id=user.unit_id)


def get_case_for_user(user: User, reference: str) -> Case:
    """The case, audited as read; 404 both when it does not exist and when ``user`` may not
    see it, so that a reference's existence does not leak."""
    normalised = normalise_reference(reference)
    case = (
        cases_for_user(user)
        .select_related("unit", "person", "assigned_to")
        .filter(reference=normalised)
        .first()
    )
    if case is None:
        raise Http404
    audit.record(action="cases.case.viewed", actor=user, obj=case, unit=case.unit)
    if case.person is not None:
        audit.record(action="people.person.viewed", actor=user, obj=case.person, unit=case.unit)
    return case


def timeline(case: Case, *, public_only: bool = False) -> QuerySet[Interaction]:
    rows = case.interactions.select_related("author").prefetch_related("files")
    return rows.filter(is_public=True) if public_only else rows


def case_for_tracking(reference: str, secret: str) -> Case:
    """The case a person follows through their link; 404 unless both parts match."""
    case = (
        Case.objects.select_related("unit")
        .filter(reference=normalise_reference(reference), tracking_digest=tracking_digest(secret))
        .first()
    )
    if case is None:
        raise Http404
    return case


class InboxView(StrEnum):
    MINE = "mine"
    UNIT = "unit"
    UNASSIGNED = "unassigned"
    OVERDUE = "overdue"
    WAITING = "waiting"
    CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class InboxFilter:
    view: InboxView = InboxView.UNIT
    text: str = ""
    topic: UUID | None = None
    channel: str = ""
    priority: int | None = None


@dataclass(frozen=True, slots=True)
class InboxPage:
    cases: list[Case]
    next_cursor: str
    """Keyset cursor of the page after this one ("" on the last page)."""


PAGE_SIZE = 25


def _cursor(case: Case) -> str:
    return f"{case.due_at.timestamp():.6f}_{case.pk}"


def _parse_cursor(text: str) -> tuple[datetime, int] | None:
    try:
        stamp, pk = text.split("_")
        return datetime.fromtimestamp(float(stamp), tz=UTC), int(pk)
    except (ValueError, OverflowError):
        return None


def _with_status(rows: QuerySet[Case], statuses: Sequence[str]) -> QuerySet[Case]:
    """Cases in one of ``statuses``, the list written out in the SQL as the partial indexes
    write it: SQLite uses a partial index only when the query spells its condition with the
    same literal values (bound parameters are not enough)."""
    assert all(status.replace("_", "").isalpha() for status in statuses)
    values = ", ".join(f"'{status}'" for status in statuses)
    return rows.extra(where=[f'"cases_case"."status" IN ({values})'])  # noqa: S610


def inbox(user: User, inbox_filter: InboxFilter, after: str = "") -> InboxPage:
    """One page of the user's inbox, soonest due first, with a keyset cursor: the 100th page
    costs what the first does. A fixed number of queries whatever the page holds."""
    rows = cases_for_user(user)
    view = inbox_filter.view
    if view == InboxView.CLOSED:
        rows = _with_status(rows, DONE_LIST)
    elif view == InboxView.WAITING:
        rows = _with_status(rows, WAITING_LIST)
    else:
        rows = _with_status(rows, ACTIVE_LIST)
    if view == InboxView.MINE:
        rows = rows.filter(assigned_to=user)
    elif view == InboxView.UNASSIGNED:
        rows = rows.filter(assigned_to__isnull=True)
    elif view == InboxView.OVERDUE:
        rows = rows.filter(due_at__lt=timezone.now(), first_reply_at__isnull=True)
    if inbox_filter.text:
        normalised = normalise_reference(inbox_filter.text)
        words = fold(inbox_filter.text).split()
        text_match = Q()
        for word in words[:5]:
            text_match &= Q(subject__icontains=word) | Q(person__folded_name__contains=word)
        rows = rows.filter(Q(reference=normalised) | text_match if normalised else text_match)
    if inbox_filter.topic:
        rows = rows.filter(topics__id=inbox_filter.topic)
    if inbox_filter.channel:
        rows = rows.filter(channel=inbox_filter.channel)
    if inbox_filter.priority:
        rows = rows.filter(priority=inbox_filter.priority)
    position = _parse_cursor(after) if after else None
    if position is not None:
        due, pk = position
        rows = rows.filter(Q(due_at__gt=due) | Q(due_at=due, pk__gt=pk))
    page = list(
        rows.select_related("person", "assigned_to", "unit").order_by("due_at", "pk")[
            : PAGE_SIZE + 1
        ]
    )
    more = len(page) > PAGE_SIZE
    page = page[:PAGE_SIZE]
    return InboxPage(cases=page, next_cursor=_cursor(page[-1]) if more and page else "")
