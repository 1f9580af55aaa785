"""The breach log: a breach of personal data is recorded when it is discovered, the CNPD is
notified within 72 hours of its discovery (a later notification says why it was late), the
people affected are told when the risk to them calls for it, and the breach is closed.

Each step is one function with one audit entry (``privacy.breach.recorded``,
``…regulator_notified``, ``…people_notified``, ``…closed``, ``…reminded``) whose data holds
ids, counts and codes — never the free text, which may name someone. ``now`` is passed in,
so that the clock (``breach_clock``) is the same function whatever the time.

Administrators are reminded by e-mail, once, when a breach is 48 hours old and the CNPD has
not been notified (``remind_of_breaches``, run hourly by ``privacy.tasks.remind_breaches``).
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from coop4int.accounts.enums import Role
from coop4int.accounts.models import Unit, User
from coop4int.core import audit, personal_data
from coop4int.core.languages import interface_language_for
from coop4int.privacy.models import Breach

# Lei 133/V/2001 as amended by Lei 41/VIII/2013: the CNPD expects a breach within 72 hours of
# its discovery. The reminder leaves a day to act.
NOTIFY_WITHIN = timedelta(hours=72)
REMIND_AFTER = timedelta(hours=48)


class BreachRefused(Exception):
    """The step cannot be taken in the breach's state; nothing was changed."""


class ClockState(StrEnum):
    RUNNING = "running"
    OVERDUE = "overdue"
    NOTIFIED = "notified"
    NOTIFIED_LATE = "notified_late"
    CLOSED = "closed"
    """Closed without notifying the CNPD (judged not to need it)."""


@dataclass(frozen=True, slots=True)
class BreachClock:
    """The 72-hour clock of a breach at a moment."""

    deadline: datetime
    state: ClockState
    remaining: timedelta
    """RUNNING: the time left. OVERDUE and NOTIFIED_LATE: how late. NOTIFIED: how early.
    CLOSED: zero."""
    notified_at: datetime | None = None

    @property
    def is_urgent(self) -> bool:
        """Running with less than a day left, or overdue."""
        return self.state == ClockState.OVERDUE or (
            self.state == ClockState.RUNNING and self.remaining <= NOTIFY_WITHIN - REMIND_AFTER
        )


def breach_clock(breach: Breach, *, now: datetime) -> BreachClock:
    deadline = breach.discovered_at + NOTIFY_WITHIN
    notified = breach.notified_to_cnpd_at
    if notified is not None:
        if notified <= deadline:
            return BreachClock(deadline, ClockState.NOTIFIED, deadline - notified, notified)
        return BreachClock(deadline, ClockState.NOTIFIED_LATE, notified - deadline, notified)
    if breach.closed_at is not None:
        return BreachClock(deadline, ClockState.CLOSED, timedelta(0))
    if now <= deadline:
        return BreachClock(deadline, ClockState.RUNNING, deadline - now)
    return BreachClock(deadline, ClockState.OVERDUE, now - deadline)


@dataclass(frozen=True, slots=True)
class BreachDetails:
    """What is known of a breach when it is recorded."""

    discovered_at: datetime
    description: str
    people_categories: str
    people_affected: int
    measures: str
    data_kinds: tuple[str, ...] = ()
    """Labels of declared kinds of records (``core.personal_data``)."""
    other_data: str = ""
    records_affected: int | None = None
    units: Sequence[Unit] = field(default_factory=tuple)


def _check_details(details: BreachDetails, now: datetime) -> None:
    errors: dict[str, str] = {}
    if details.discovered_at > now:
        errors["discovered_at"] = _("A breach cannot be discovered in the future.")
    known = {declaration.model for declaration in personal_data.declarations()}
    if set(details.data_kinds) - known:
        errors["data_kinds"] = _("Choose kinds of records from the list.")
    if not details.data_kinds and not details.other_data.strip():
        errors["data_kinds"] = _(
            "Say what data the breach touched: tick kinds of records, or describe other data."
        )
    for name in ("description", "people_categories", "measures"):
        if not getattr(details, name).strip():
            errors[name] = _("This field is required.")
    if details.people_affected < 0 or (details.records_affected or 0) < 0:
        errors["people_affected"] = _("Numbers cannot be negative.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def record_breach(*, actor: User, details: BreachDetails, now: datetime) -> Breach:
    """Log a breach. Raises ``ValidationError`` (by field) on bad input, saving nothing.

    Side effects: audit ``privacy.breach.recorded`` (kinds, counts, units: no free text)."""
    _check_details(details, now)
    breach = Breach.objects.create(
        discovered_at=details.discovered_at,
        description=details.description.strip(),
        data_kinds=list(details.data_kinds),
        other_data=details.other_data.strip(),
        people_categories=details.people_categories.strip(),
        people_affected=details.people_affected,
        records_affected=details.records_affected,
        measures=details.measures.strip(),
        recorded_at=now,
        recorded_by=actor,
    )
    breach.units.set(details.units)
    audit.record(
        action="privacy.breach.recorded",
        actor=actor,
        obj=breach,
        data={
            "breach": breach.pk,
            "discovered_at": breach.discovered_at.isoformat(),
            "kinds": list(details.data_kinds),
            "people": details.people_affected,
            "records": details.records_affected,
            "units": sorted(unit.pk for unit in details.units),
        },
    )
    return breach


def _locked(breach: Breach) -> Breach:
    """The breach as it is now, locked until the transaction ends (two administrators
    acting at once do not both notify)."""
    return Breach.objects.select_for_update().get(pk=breach.pk)


def _check_moment(breach: Breach, moment: datetime, now: datetime, name: str) -> None:
    if moment > now:
        raise ValidationError({name: _("This moment is in the future.")})
    if moment < breach.discovered_at:
        raise ValidationError({name: _("This moment is before the breach was discovered.")})


@transaction.atomic
def notify_regulator(
    *,
    actor: User,
    breach: Breach,
    notified_at: datetime,
    reference: str = "",
    delay_reason: str = "",
    now: datetime,
) -> Breach:
    """Record that the CNPD was notified at ``notified_at``; later than 72 hours after the
    discovery, ``delay_reason`` is required. Raises ``BreachRefused`` when the CNPD was
    already notified or the breach is closed, ``ValidationError`` on bad input.

    Side effects: audit ``privacy.breach.regulator_notified`` (hours after discovery,
    whether late)."""
    breach = _locked(breach)
    if breach.notified_to_cnpd_at is not None:
        raise BreachRefused(_("The CNPD was already notified of this breach."))
    if breach.is_closed:
        raise BreachRefused(_("This breach is closed."))
    _check_moment(breach, notified_at, now, "notified_at")
    late = notified_at > breach.discovered_at + NOTIFY_WITHIN
    if late and not delay_reason.strip():
        raise ValidationError(
            {
                "delay_reason": _(
                    "The notification came more than 72 hours after the discovery: say why."
                )
            }
        )
    breach.notified_to_cnpd_at = notified_at
    breach.cnpd_reference = reference.strip()
    breach.delay_reason = delay_reason.strip()
    breach.save(update_fields=["notified_to_cnpd_at", "cnpd_reference", "delay_reason"])
    audit.record(
        action="privacy.breach.regulator_notified",
        actor=actor,
        obj=breach,
        data={
            "breach": breach.pk,
            "hours_after_discovery": round(
                (notified_at - breach.discovered_at).total_seconds() / 3600, 1
            ),
            "late": late,
        },
    )
    return breach


@transaction.atomic
def notify_people(
    *, actor: User, breach: Breach, notified_at: datetime, notice: str, now: datetime
) -> Breach:
    """Record that the people affected were told, when and how. Raises ``BreachRefused``
    when they were already told or the breach is closed, ``ValidationError`` on bad input.

    Side effects: audit ``privacy.breach.people_notified``."""
    breach = _locked(breach)
    if breach.people_notified_at is not None:
        raise BreachRefused(_("The people affected were already told of this breach."))
    if breach.is_closed:
        raise BreachRefused(_("This breach is closed."))
    _check_moment(breach, notified_at, now, "notified_at")
    if not notice.strip():
        raise ValidationError({"notice": _("Say how the people affected were told.")})
    breach.people_notified_at = notified_at
    breach.people_notice = notice.strip()
    breach.save(update_fields=["people_notified_at", "people_notice"])
    audit.record(
        action="privacy.breach.people_notified",
        actor=actor,
        obj=breach,
        data={"breach": breach.pk},
    )
    return breach


@transaction.atomic
def close_breach(*, actor: User, breach: Breach, note: str, now: datetime) -> Breach:
    """Close the breach with a note (what was done; without notification of the CNPD, why
    none was needed). Raises ``BreachRefused`` when it is closed already.

    Side effects: audit ``privacy.breach.closed`` (whether the CNPD was notified)."""
    breach = _locked(breach)
    if breach.is_closed:
        raise BreachRefused(_("This breach is closed already."))
    if not note.strip():
        raise ValidationError({"note": _("Say what was done, and why the breach can be closed.")})
    breach.closed_at = now
    breach.closing_note = note.strip()
    breach.save(update_fields=["closed_at", "closing_note"])
    audit.record(
        action="privacy.breach.closed",
        actor=actor,
        obj=breach,
        data={"breach": breach.pk, "notified_to_cnpd": breach.notified_to_cnpd_at is not None},
    )
    return breach


def administrators() -> list[User]:
    """Who keeps the breach log and is reminded of it."""
    return list(
        User.objects.filter(is_active=True, role_assignments__role=Role.ADMINISTRATOR)
        .exclude(email="")
        .distinct()
        .order_by("username")
    )


@transaction.atomic
def remind_of_breach(*, breach: Breach, now: datetime) -> int:
    """E-mail the administrators, once, that ``breach`` is at least 48 hours old and the CNPD
    was not notified. Returns how many e-mails went (0 when it is not due or was reminded).

    Side effects: e-mails; ``Breach.reminded_at``; audit ``privacy.breach.reminded``."""
    breach = _locked(breach)
    due = (
        breach.reminded_at is None
        and breach.notified_to_cnpd_at is None
        and breach.closed_at is None
        and breach.discovered_at <= now - REMIND_AFTER
    )
    if not due:
        return 0
    recipients = administrators()
    link = settings.PUBLIC_URL.rstrip("/") + reverse(
        "backoffice:privacy_breach", kwargs={"breach_id": breach.pk}
    )
    for recipient in recipients:
        language = interface_language_for(recipient.language or settings.LANGUAGE_CODE)
        zone = recipient.unit.time_zone if recipient.unit else settings.TIME_ZONE
        # In the recipient's language and time zone, as the pages show it.
        with translation.override(language), timezone.override(zone):
            context = {"breach": breach, "clock": breach_clock(breach, now=now), "link": link}
            subject = render_to_string("privacy/email/breach_reminder_subject.txt", context)
            body = render_to_string("privacy/email/breach_reminder.txt", context)
        send_mail(" ".join(subject.split()), body, None, [recipient.email])
    breach.reminded_at = now
    breach.save(update_fields=["reminded_at"])
    audit.record(
        action="privacy.breach.reminded",
        actor=None,
        obj=breach,
        data={"breach": breach.pk, "recipients": len(recipients)},
    )
    return len(recipients)


def remind_of_breaches(*, now: datetime) -> int:
    """Remind of every breach due (``remind_of_breach``, one transaction each). Returns how
    many e-mails went; safe to run again."""
    due = Breach.objects.filter(
        reminded_at__isnull=True,
        notified_to_cnpd_at__isnull=True,
        closed_at__isnull=True,
        discovered_at__lte=now - REMIND_AFTER,
    ).order_by("discovered_at")
    return sum(remind_of_breach(breach=breach, now=now) for breach in due)
