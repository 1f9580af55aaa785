"""Referring a case to a partner service, and the partner's answer. A referral leaves only with
the person's consent to share, and carries only what the partner needs."""

from datetime import timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from coop4int.accounts.enums import UnitKind
from coop4int.accounts.models import User
from coop4int.accounts.roles import Permission
from coop4int.cases.domain.cases import NotAllowed, StaleCase, add_interaction
from coop4int.cases.domain.due import add_working_time
from coop4int.cases.enums import Channel, Direction, ReferralOutcome, ReferralStatus, Status
from coop4int.cases.models import Case, Referral
from coop4int.core import audit
from coop4int.directory.domain.calendars import unit_calendar
from coop4int.directory.models import Service
from coop4int.people.domain.people import has_consent
from coop4int.people.enums import ContactKind, Purpose

# Working hours a partner has to accept or decline.
ANSWER_WITHIN = timedelta(hours=24)


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
    the partner.

    Side effects: audit ``cases.referral.sent``; an internal note on the timeline."""
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
        body=_("Referred to %(service)s.") % {"service": service.name},
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
    if case.status not in (Status.WAITING_PARTNER, Status.RESOLVED, Status.CLOSED):
        Case.objects.filter(pk=case.pk).update(status=Status.WAITING_PARTNER)
        case.status = Status.WAITING_PARTNER
    audit.record(
        action="cases.referral.sent",
        actor=actor,
        obj=case,
        unit=case.unit,
        data={"service": str(service.pk), "partner": service.unit.slug},
    )
    return referral


def referrals_for_user(user: User) -> QuerySet[Referral]:
    """Referrals a partner user's organisation received (all, for administrators)."""
    if Permission.ANSWER_REFERRALS not in user.granted_permissions:
        return Referral.objects.none()
    rows = Referral.objects.select_related("service", "partner")
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


def _answer(referral: Referral, expected: ReferralStatus) -> None:
    if referral.status != expected:
        raise StaleCase


@transaction.atomic
def accept_referral(*, actor: User, referral: Referral) -> None:
    _answer(referral, ReferralStatus.SENT)
    referral.status = ReferralStatus.ACCEPTED
    referral.answered_at = timezone.now()
    referral.answered_by = actor
    referral.save(update_fields=["status", "answered_at", "answered_by"])
    audit.record(action="cases.referral.accepted", actor=actor, obj=referral, unit=referral.partner)


@transaction.atomic
def decline_referral(*, actor: User, referral: Referral, reason: str) -> None:
    """The partner cannot take it: the case goes back to its unit's queue."""
    _answer(referral, ReferralStatus.SENT)
    referral.status = ReferralStatus.DECLINED
    referral.answered_at = timezone.now()
    referral.answered_by = actor
    referral.decline_reason = reason[:500]
    referral.save(update_fields=["status", "answered_at", "answered_by", "decline_reason"])
    Case.objects.filter(pk=referral.case_id, status=Status.WAITING_PARTNER).update(
        status=Status.OPEN, last_activity_at=referral.answered_at
    )
    audit.record(
        action="cases.referral.declined",
        actor=actor,
        obj=referral,
        unit=referral.partner,
        data={"reason": reason[:200]},
    )


@transaction.atomic
def record_outcome(
    *, actor: User, referral: Referral, outcome: ReferralOutcome, note: str = ""
) -> None:
    """What came of it; the referring unit decides whether the case is resolved."""
    _answer(referral, ReferralStatus.ACCEPTED)
    now = timezone.now()
    referral.status = ReferralStatus.COMPLETED
    referral.outcome = outcome
    referral.outcome_note = note
    referral.completed_at = now
    referral.save(update_fields=["status", "outcome", "outcome_note", "completed_at"])
    Case.objects.filter(pk=referral.case_id, status=Status.WAITING_PARTNER).update(
        status=Status.OPEN, last_activity_at=now
    )
    audit.record(
        action="cases.referral.completed",
        actor=actor,
        obj=referral,
        unit=referral.partner,
        data={"outcome": outcome.value},
    )


@transaction.atomic
def withdraw_referral(*, actor: User, referral: Referral) -> None:
    if referral.status not in (ReferralStatus.SENT, ReferralStatus.ACCEPTED):
        raise StaleCase
    referral.status = ReferralStatus.WITHDRAWN
    referral.save(update_fields=["status"])
    audit.record(
        action="cases.referral.withdrawn", actor=actor, obj=referral, unit=referral.partner
    )
