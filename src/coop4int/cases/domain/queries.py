"""Reading cases: always through the user's scope. Opening one case or person is audited."""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coop4int.accounts.models import User
from coop4int.accounts.roles import Permission
from coop4int.cases.domain.references import normalise_reference, tracking_digest
from coop4int.cases.enums import (
    ACTIVE_LIST,
    DONE_LIST,
    WAITING_LIST,
    Channel,
    ReferralOutcome,
    Status,
)
from coop4int.cases.models import Case, Interaction, Referral
from coop4int.core import audit
from coop4int.core.models import AuditEntry
from coop4int.core.text_search import fold
from coop4int.people.enums import ConsentMethod, ContactKind, Purpose
from coop4int.people.models import Person


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
    """The case's contacts, oldest first (the person's tracking page: ``public_only``)."""
    rows = case.interactions.select_related("author").prefetch_related("files")
    return rows.filter(is_public=True) if public_only else rows


@dataclass(frozen=True, slots=True)
class CaseEvent:
    """Something done on a case that is not a contact — a status change, an assignment, a
    referral and the partner's answers, the identity confirmed, a consent recorded or
    withdrawn — read from the audit log and told in the language of whoever reads it."""

    action: str
    """The audit action code, e.g. ``cases.case.status_changed``."""
    text: str
    """One or two whole sentences, in the current language."""
    actor: str
    """Who did it (their name), or "" when nobody did (the system, the person)."""


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One line of a case's timeline for staff: a contact or an event."""

    occurred_at: datetime
    interaction: Interaction | None = None
    event: CaseEvent | None = None


# Why a status changed (``cases.domain.cases.REASON_*``), as a sentence of its own.
_STATUS_REASONS = {
    "first_reply": gettext_lazy("The first reply was given."),
    "assigned": gettext_lazy("The case was given to an officer."),
    "person_wrote": gettext_lazy("The person wrote again."),
    "referred": gettext_lazy("The case was referred to a partner."),
    "referral_declined": gettext_lazy("A partner declined the referral."),
    "referral_completed": gettext_lazy("A partner recorded the outcome of the referral."),
    "referral_withdrawn": gettext_lazy("The referral was withdrawn."),
    "sharing_consent_withdrawn": gettext_lazy(
        "The person withdrew their consent to share their details with a partner."
    ),
}

_CASE_EVENTS = (
    "cases.case.status_changed",
    "cases.case.assigned",
    "cases.case.identity_confirmed",
    "cases.case.satisfaction",
    "cases.callback.scheduled",
    "cases.callback.done",
)
_REFERRAL_EVENTS = (
    "cases.referral.accepted",
    "cases.referral.declined",
    "cases.referral.completed",
    "cases.referral.withdrawn",
)
_PERSON_EVENTS = ("people.consent.given", "people.consent.withdrawn")


def _label(choices: Any, value: Any) -> str:
    """The label of ``value`` in the ``choices`` enumeration, or the value itself."""
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def _status_changed(data: Mapping[str, Any], _referral: Referral | None) -> str:
    text = _("The status changed from “%(old)s” to “%(new)s”.") % {
        "old": _label(Status, data.get("from", "")),
        "new": _label(Status, data.get("to", "")),
    }
    # Only codes are told: an officer's own words are a note on the timeline already, and
    # entries written before that rule may hold words that an erasure cannot reach in the log.
    reason = str(data.get("reason") or "")
    if reason in _STATUS_REASONS:
        return f"{text} {_STATUS_REASONS[reason]}"
    return text


def _referral_names(referral: Referral | None) -> dict[str, str]:
    if referral is None:
        return {"service": "—", "partner": "—"}
    return {"service": referral.service.name, "partner": referral.partner.name}


def _referral_withdrawn(data: Mapping[str, Any], referral: Referral | None) -> str:
    if data.get("reason") == "sharing_consent_withdrawn":
        return _(
            "The referral to %(service)s was withdrawn: the person withdrew their consent to "
            "share their details with a partner."
        ) % _referral_names(referral)
    return _("The referral to %(service)s was withdrawn.") % _referral_names(referral)


def _referral_declined(_data: Mapping[str, Any], referral: Referral | None) -> str:
    """The reason is read from the referral, never from the log: erasure strips the row, while
    the log keeps only whether there was one (and older entries the words themselves)."""
    reason = referral.decline_reason if referral is not None else ""
    if reason:
        return _("%(partner)s declined the referral to %(service)s. Reason: %(reason)s") % (
            _referral_names(referral) | {"reason": reason}
        )
    return _("%(partner)s declined the referral to %(service)s.") % _referral_names(referral)


_EVENT_TEXT: dict[str, Callable[[Mapping[str, Any], Referral | None], str]] = {
    "cases.case.status_changed": _status_changed,
    "cases.case.assigned": lambda data, _r: (
        _("Assigned to %(name)s.") % {"name": data["name"]}
        if data.get("name")
        else _("Given back to the unit's queue.")
    ),
    "cases.case.identity_confirmed": lambda data, _r: (
        _("The identity was confirmed: the request is on the person's record.")
        if data.get("matched")
        else _("The identity was confirmed: the request stays apart from any record.")
    ),
    "cases.case.satisfaction": lambda data, _r: (
        _("The person's answer to the satisfaction question was recorded: %(score)s of 5.")
        % {"score": data.get("score", "—")}
    ),
    "cases.referral.accepted": lambda data, referral: (
        _("%(partner)s accepted the referral to %(service)s.") % _referral_names(referral)
    ),
    "cases.referral.declined": _referral_declined,
    "cases.referral.completed": lambda data, referral: (
        _("%(partner)s recorded the outcome of the referral to %(service)s: %(outcome)s.")
        % (_referral_names(referral) | {"outcome": _label(ReferralOutcome, data.get("outcome"))})
    ),
    "cases.referral.withdrawn": _referral_withdrawn,
    "cases.callback.scheduled": lambda data, _r: _("A call-back was scheduled."),
    "cases.callback.done": lambda data, _r: _("The call-back was made."),
    "people.consent.given": lambda data, _r: (
        _("Consent recorded: %(purpose)s (%(method)s).")
        % {
            "purpose": _label(Purpose, data.get("purpose")),
            "method": _label(ConsentMethod, data.get("method")),
        }
    ),
    "people.consent.withdrawn": lambda data, _r: (
        _("Consent withdrawn: %(purpose)s.") % {"purpose": _label(Purpose, data.get("purpose"))}
    ),
}


def case_events(case: Case) -> list[tuple[datetime, CaseEvent]]:
    """What was done on ``case`` besides its contacts, oldest first, from the audit log: its
    status changes, assignments, the partners' answers to its referrals and their withdrawal,
    the identity confirmed, call-backs, the satisfaction answer, and the consents of its
    person recorded or withdrawn since it opened. (A referral sent is on the timeline already:
    ``refer_case`` writes a note.) Sentences are made now, in the current language: the log
    keeps codes, never text; a partner's reason for declining is read from the referral's row.
    Three queries, and a fourth for the names of those it was assigned to, whatever the case
    holds."""
    referrals = {str(r.pk): r for r in case.referrals.select_related("service", "partner")}
    types = ContentType.objects.get_for_models(Case, Referral, Person)
    wanted = Q(object_type=types[Case], object_id=str(case.pk), action__in=_CASE_EVENTS)
    if referrals:
        wanted |= Q(
            object_type=types[Referral],
            object_id__in=list(referrals),
            action__in=_REFERRAL_EVENTS,
        )
    if case.person_id is not None:
        wanted |= Q(
            object_type=types[Person],
            object_id=str(case.person_id),
            action__in=_PERSON_EVENTS,
            created_at__gte=case.opened_at,
        )
    entries = list(
        AuditEntry.objects.filter(wanted).select_related("actor").order_by("created_at", "id")
    )
    assignees = {
        str(entry.data.get("to")) for entry in entries if entry.action == "cases.case.assigned"
    }
    names = {
        user.get_username(): user.get_full_name() or user.get_username()
        for user in User.objects.filter(username__in=assignees - {""})
    }
    events = []
    for entry in entries:
        data = dict(entry.data)
        if entry.action == "cases.case.assigned":
            data["name"] = names.get(str(data.get("to") or ""), str(data.get("to") or ""))
        referral = referrals.get(entry.object_id)
        actor = entry.actor
        events.append(
            (
                entry.created_at,
                CaseEvent(
                    action=entry.action,
                    text=_EVENT_TEXT[entry.action](data, referral),
                    actor=(actor.get_full_name() or actor.get_username())
                    if actor is not None
                    else entry.actor_label,
                ),
            )
        )
    return events


def case_timeline(case: Case) -> list[TimelineEntry]:
    """The staff's timeline of ``case``: its contacts and notes (``timeline``) and what was
    done on it (``case_events``), oldest first."""
    entries = [TimelineEntry(i.occurred_at, interaction=i) for i in timeline(case)]
    entries += [TimelineEntry(when, event=event) for when, event in case_events(case)]
    # Stable: at the same moment, the contact comes before what it caused.
    return sorted(entries, key=lambda entry: entry.occurred_at)


def reply_channels(case: Case) -> list[Channel]:
    """The channels a reply to ``case`` can go out on: e-mail with an address, SMS and
    WhatsApp with a phone number (the case's, else its person's), the web when the request
    came by the web form (the person reads it on their tracking page) — and always a walk-in
    or a call, recorded as said."""
    kinds = (
        set(case.person.contacts.values_list("kind", flat=True))
        if case.person is not None
        else set()
    )
    email = bool(case.reply_email) or ContactKind.EMAIL in kinds
    phone = bool(case.reply_phone) or ContactKind.PHONE in kinds
    return [
        channel
        for channel, reachable in (
            (Channel.EMAIL, email),
            (Channel.WEB, case.channel == Channel.WEB),
            (Channel.SMS, phone),
            (Channel.WHATSAPP, phone),
            (Channel.WALK_IN, True),
            (Channel.PHONE, True),
        )
        if reachable
    ]


def usual_reply_channel(case: Case, channels: Sequence[Channel]) -> Channel:
    """The channel a reply is first offered on: the one the request came by when a reply can
    go out there, else the first of ``channels`` (``reply_channels``)."""
    return Channel(case.channel) if case.channel in channels else channels[0]


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
    costs what the first does. A fixed number of queries whatever the page holds.

    A page searched for a text is a read of the cases found: audited
    (``cases.inbox.searched``, ``_record_search``)."""
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
    if inbox_filter.text:
        _record_search(user, inbox_filter, page, more=more, continued=bool(after))
    return InboxPage(cases=page, next_cursor=_cursor(page[-1]) if more and page else "")


def _record_search(
    user: User, inbox_filter: InboxFilter, page: list[Case], *, more: bool, continued: bool
) -> None:
    """Audit one page of an inbox search. Words typed may be a name, so the entry keeps what
    kind of text it was and its length (``core.audit.describe_search``), an e-mail or phone
    masked — and a case reference only when it found that case (a reference names a
    case, not a person; eight letters that found none may be a name)."""
    searched = audit.describe_search(inbox_filter.text)
    reference = normalise_reference(inbox_filter.text)
    if reference and any(case.reference == reference for case in page):
        searched = {"kind": "reference", "query": reference}
    filters = {
        "topic": str(inbox_filter.topic) if inbox_filter.topic else None,
        "channel": inbox_filter.channel or None,
        "priority": inbox_filter.priority,
    }
    audit.record(
        action="cases.inbox.searched",
        actor=user,
        unit=user.unit,
        data=searched
        | {
            "view": str(inbox_filter.view),
            "filters": {name: value for name, value in filters.items() if value is not None},
            "results": len(page),
            "more": more,
            "continued": continued,
        },
    )
