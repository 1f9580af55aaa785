"""Referring a case to a partner service, and the partner's answer. A referral leaves only with
the person's consent to share, and carries only what the partner needs; the partner keeps
seeing it only while the referral stands and the person's consent lasts."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from coop4int.accounts.enums import UnitKind
from coop4int.accounts.models import User
from coop4int.accounts.roles import Permission
from coop4int.cases.domain.cases import (
    REASON_CODES,
    REASON_REFERRAL_COMPLETED,
    REASON_REFERRAL_DECLINED,
    REASON_REFERRAL_WITHDRAWN,
    REASON_REFERRED,
    REASON_SHARING_CONSENT_WITHDRAWN,
    NotAllowed,
    StaleCase,
    add_interaction,
    logged_reason,
    transition_case,
)
from coop4int.cases.domain.due import add_working_time
from coop4int.cases.enums import Channel, Direction, ReferralOutcome, ReferralStatus, Status
from coop4int.cases.models import Case, Referral
from coop4int.cases.system_notes import REFERRED, SystemNote
from coop4int.core import audit
from coop4int.directory.domain.calendars import unit_calendar
from coop4int.directory.models import Service
from coop4int.people.domain.people import has_consent, withdraw_consent
from coop4int.people.enums import ContactKind, Purpose
from coop4int.people.models import Consent, Person

# Working hours a partner has to accept or decline.
ANSWER_WITHIN = timedelta(hours=24)

# A referral the partner still has in hand: the case waits on it.
PENDING = frozenset({ReferralStatus.SENT, ReferralStatus.ACCEPTED})


def partner_services() -> QuerySet[Service]:
    """The directory's services kept by partner organisations: where a case can be referred."""
    return (
        Service.objects.filter(unit__kind=UnitKind.PARTNER).select_related("unit").order_by("name")
    )


@transaction.atomic
def refer_case(
    *,
    actor: User,
    case: Case,
    service: Service,
    summary: str,
    share_phone: bool,
    expected_version: int | None = None,
) -> Referral:
    """Send ``case`` to ``service``'s organisation with the minimum it needs: the person's
    name, language, the officer's summary and, if chosen, a phone number. The case waits on
    the partner (unless it is already resolved or closed).

    Side effects: audit ``cases.referral.sent``; an internal note on the timeline; the case's
    move through ``transition_case`` (audit ``cases.case.status_changed``)."""
    if service.unit is None or service.unit.kind != UnitKind.PARTNER:
        raise NotAllowed(_("Only services of partner organisations take referrals."))
    person = case.person
    if person is None or not has_consent(person, Purpose.REFERRAL):
        raise NotAllowed(
            _("The person has not agreed to share their details with a partner. Record their "
              "consent first.")
        )  # fmt: skip
    now = timezone.now()
    phone = ""
    if share_phone:
        contact = person.contacts.filter(kind=ContactKind.PHONE).order_by("pk").first()
        phone = contact.value if contact else case.reply_phone
    calendar = unit_calendar(service.unit.pk, now.date(), (now + timedelta(days=60)).date())
    add_interaction(
        actor=actor,
        case=case,
        channel=Channel.NOTE,
        direction=Direction.INTERNAL,
        body="",
        note=SystemNote(REFERRED, {"service": service.name}),
        is_public=False,
        expected_version=expected_version,
    )
    referral = Referral.objects.create(
        case=case,
        service=service,
        partner=service.unit,
        shared={
            "name": person.display_name,
            "language": person.preferred_language,
            "phone": phone,
            "summary": summary,
        },
        sent_by=actor,
        sent_at=now,
        answer_due_at=add_working_time(calendar, now, ANSWER_WITHIN),
    )
    if case.status not in (Status.RESOLVED, Status.CLOSED):
        transition_case(
            actor=actor, case=case, to=Status.WAITING_PARTNER, expected_version=case.version,
            reason=REASON_REFERRED, at=now,
        )  # fmt: skip
    audit.record(
        action="cases.referral.sent",
        actor=actor,
        obj=case,
        unit=case.unit,
        data={"service": str(service.pk), "partner": service.unit.slug},
    )
    return referral


def _live_sharing_consent() -> Exists:
    return Exists(
        Consent.objects.filter(
            person_id=OuterRef("case__person_id"),
            purpose=Purpose.REFERRAL,
            withdrawn_at__isnull=True,
        )
    )


def referrals_for_user(user: User) -> QuerySet[Referral]:
    """Referrals a partner user's organisation received (all, for administrators), each
    annotated ``sharing_consented``: whether the person's consent to share still lasts."""
    if Permission.ANSWER_REFERRALS not in user.granted_permissions:
        return Referral.objects.none()
    rows = Referral.objects.select_related("service", "partner").annotate(
        sharing_consented=_live_sharing_consent()
    )
    if user.is_nationwide:
        return rows
    if user.unit_id is None:
        return Referral.objects.none()
    return rows.filter(partner_id=user.unit_id)


def get_referral_for_user(user: User, referral_id: int) -> Referral:
    """The referral, audited as read; 404 when missing or another organisation's."""
    referral = referrals_for_user(user).filter(pk=referral_id).first()
    if referral is None:
        raise Http404
    audit.record(action="cases.referral.viewed", actor=user, obj=referral, unit=referral.partner)
    return referral


def sharing_consented(referral: Referral) -> bool:
    """Whether the person of ``referral``'s case still agrees to share with partners."""
    return Consent.objects.filter(
        person__cases=referral.case_id, purpose=Purpose.REFERRAL, withdrawn_at__isnull=True
    ).exists()


@dataclass(frozen=True, slots=True)
class PartnerCopy:
    """A referral as its partner may see it now. ``shared`` is empty once the referral or the
    person's consent to share is withdrawn, whatever is still stored."""

    referral: Referral
    status: str
    withdrawn: bool
    consent_withdrawn: bool
    shared: dict[str, str] = field(default_factory=dict)

    @property
    def answerable(self) -> bool:
        return not self.withdrawn and self.referral.status in PENDING


def partner_copy(referral: Referral) -> PartnerCopy:
    """What the partner's pages show of ``referral``: checked when read, not only when the
    referral or the consent was withdrawn. Uses the ``sharing_consented`` annotation of
    ``referrals_for_user`` when present."""
    consented = getattr(referral, "sharing_consented", None)
    if consented is None:
        consented = sharing_consented(referral)
    withdrawn = referral.status == ReferralStatus.WITHDRAWN or (
        referral.status in PENDING and not consented
    )
    status = ReferralStatus.WITHDRAWN.label if withdrawn else referral.get_status_display()
    visible = not withdrawn and consented
    return PartnerCopy(
        referral=referral,
        status=str(status),
        withdrawn=withdrawn,
        consent_withdrawn=not consented,
        shared={str(k): str(v) for k, v in referral.shared.items()} if visible else {},
    )


def _answerable(referral: Referral, expected: ReferralStatus) -> None:
    """Lock ``referral`` and refuse an answer it can no longer take."""
    referral.refresh_from_db(from_queryset=Referral.objects.select_for_update())
    open_or_withdrawn = referral.status in PENDING or referral.status == ReferralStatus.WITHDRAWN
    if open_or_withdrawn and not sharing_consented(referral):
        raise NotAllowed(
            _("The person withdrew their consent to share their details with a partner. This "
              "referral can no longer be answered and nothing was saved.")
        )  # fmt: skip
    if referral.status == ReferralStatus.WITHDRAWN:
        raise NotAllowed(
            _("This referral was withdrawn by the referring unit. It can no longer be answered "
              "and nothing was saved.")
        )  # fmt: skip
    if referral.status != expected:
        raise StaleCase


def _back_from_partner(*, actor: User, referral: Referral, reason: str, at: datetime) -> None:
    """The case stops waiting on partners when none of its referrals is still pending."""
    if Referral.objects.filter(case_id=referral.case_id, status__in=PENDING).exists():
        return
    case = Case.objects.select_for_update().get(pk=referral.case_id)
    if case.status == Status.WAITING_PARTNER:
        transition_case(actor=actor, case=case, to=Status.OPEN, reason=reason, at=at)


@transaction.atomic
def accept_referral(*, actor: User, referral: Referral) -> None:
    """The partner takes the person on. Refused when the referral or the person's consent to
    share was withdrawn. Side effects: audit ``cases.referral.accepted``."""
    _answerable(referral, ReferralStatus.SENT)
    referral.status = ReferralStatus.ACCEPTED
    referral.answered_at = timezone.now()
    referral.answered_by = actor
    referral.save(update_fields=["status", "answered_at", "answered_by"])
    audit.record(action="cases.referral.accepted", actor=actor, obj=referral, unit=referral.partner)


@transaction.atomic
def decline_referral(*, actor: User, referral: Referral, reason: str) -> None:
    """The partner cannot take it: the case goes back to its unit's queue when no other
    referral of it is pending. Refused when the referral or the person's consent to share
    was withdrawn.

    Side effects: audit ``cases.referral.declined`` (whether a reason was given and its
    length: the text stays on the referral, which erasure strips); the case's move through
    ``transition_case``."""
    _answerable(referral, ReferralStatus.SENT)
    now = timezone.now()
    referral.status = ReferralStatus.DECLINED
    referral.answered_at = now
    referral.answered_by = actor
    referral.decline_reason = reason.strip()[:500]
    referral.save(update_fields=["status", "answered_at", "answered_by", "decline_reason"])
    _back_from_partner(actor=actor, referral=referral, reason=REASON_REFERRAL_DECLINED, at=now)
    audit.record(
        action="cases.referral.declined",
        actor=actor,
        obj=referral,
        unit=referral.partner,
        data={
            "has_reason": bool(referral.decline_reason),
            "reason_length": len(referral.decline_reason),
        },
    )


@transaction.atomic
def record_outcome(
    *, actor: User, referral: Referral, outcome: ReferralOutcome, note: str = ""
) -> None:
    """What came of it; the referring unit decides whether the case is resolved (the case is
    back in its queue when no other referral of it is pending). Refused when the referral or
    the person's consent to share was withdrawn.

    Side effects: audit ``cases.referral.completed``; the case's move through
    ``transition_case``."""
    _answerable(referral, ReferralStatus.ACCEPTED)
    now = timezone.now()
    referral.status = ReferralStatus.COMPLETED
    referral.outcome = outcome
    referral.outcome_note = note
    referral.completed_at = now
    referral.save(update_fields=["status", "outcome", "outcome_note", "completed_at"])
    _back_from_partner(actor=actor, referral=referral, reason=REASON_REFERRAL_COMPLETED, at=now)
    audit.record(
        action="cases.referral.completed",
        actor=actor,
        obj=referral,
        unit=referral.partner,
        data={"outcome": outcome.value},
    )


@transaction.atomic
def withdraw_referral(
    *,
    actor: User,
    referral: Referral,
    reason: str = REASON_REFERRAL_WITHDRAWN,
    at: datetime | None = None,
) -> None:
    """Take a sent or accepted referral back: the partner loses what was shared with it at
    once (``shared`` is cleared; the service, dates and answers stay), and the case no longer
    waits on it — back in the unit's queue when no other referral of it is pending.

    ``reason`` is a ``REASON_*`` code, or an officer's own words: those go on the case's
    timeline as an internal note, never into the log (``logged_reason``).

    Side effects: audit ``cases.referral.withdrawn``; the case's move through
    ``transition_case``."""
    referral.refresh_from_db(from_queryset=Referral.objects.select_for_update())
    if referral.status not in PENDING:
        raise StaleCase
    now = at or timezone.now()
    referral.status = ReferralStatus.WITHDRAWN
    referral.shared = {}
    referral.save(update_fields=["status", "shared"])
    why = logged_reason(actor=actor, case=referral.case, reason=reason, at=now)
    # The case's move says why by its code: the words, if any, are on the timeline once.
    code = reason if reason in REASON_CODES else REASON_REFERRAL_WITHDRAWN
    _back_from_partner(actor=actor, referral=referral, reason=code, at=now)
    audit.record(
        action="cases.referral.withdrawn",
        actor=actor,
        obj=referral,
        unit=referral.partner,
        data=why,
    )


@transaction.atomic
def withdraw_sharing_consent(*, actor: User, person: Person, at: datetime | None = None) -> int:
    """The person no longer agrees that their details go to partners: the consent ends, every
    referral of theirs still pending is withdrawn (``withdraw_referral``), and the details kept
    on their finished referrals are cleared. Returns how many referrals were withdrawn.

    Side effects: audit ``people.consent.withdrawn`` (when a consent was live), one
    ``cases.referral.withdrawn`` per referral withdrawn with its case's move, and
    ``cases.referral.details_cleared`` when finished referrals still held details."""
    now = at or timezone.now()
    withdraw_consent(actor=actor, person=person, purpose=Purpose.REFERRAL)
    pending = Referral.objects.filter(case__person=person, status__in=PENDING).order_by("pk")
    withdrawn = 0
    for referral in pending.select_related("partner"):
        withdraw_referral(
            actor=actor, referral=referral, reason=REASON_SHARING_CONSENT_WITHDRAWN, at=now
        )
        withdrawn += 1
    finished = [
        pk
        for pk, shared in Referral.objects.filter(case__person=person).values_list("pk", "shared")
        if shared
    ]
    if finished:
        Referral.objects.filter(pk__in=finished).update(shared={})
        audit.record(
            action="cases.referral.details_cleared",
            actor=actor,
            obj=person,
            unit=person.unit,
            data={"referrals": len(finished), "reason": REASON_SHARING_CONSENT_WITHDRAWN},
        )
    return withdrawn
