"""Taking part in a course: applications from the public site, officers enrolling a person,
staff enrolling themselves, decisions, the waiting list and withdrawal.

- A public application is an unverified claim: a name and a phone or e-mail. It never attaches
  itself to a person's record (``person`` stays None) until an officer decides it, confirming
  a record in their scope or registering a new one.
- Places: an enrolment holds one of the session's places only once accepted
  (``enums.HOLDING``); otherwise it waits, first come first served (by when it was made). The
  session's row is locked while places are counted, so two enrolments at once can never both
  take the last place.
- A place freed (withdrawal, or more places) goes to the first person waiting, who is accepted
  and told.
- One function writes an enrolment's status: ``transition_enrolment``, checking
  ``enums.TRANSITIONS``.

Messages go after the commit (``learning.notify``), in the participant's language."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from coop4int.accounts.models import User
from coop4int.accounts.roles import Permission
from coop4int.appointments.enums import NotifyBy
from coop4int.core import audit
from coop4int.core.languages import UnknownLanguage, get_language
from coop4int.core.rate_limits import RateLimit
from coop4int.learning.enums import (
    HOLDING,
    OPEN,
    STAFF_AUDIENCES,
    TRANSITIONS,
    EnrolmentChannel,
    EnrolmentStatus,
)
from coop4int.learning.models import CourseSession, Enrolment
from coop4int.learning.notify import tell_on_commit
from coop4int.people.domain.contacts import normalise_email, normalise_phone
from coop4int.people.domain.people import PersonDetails, register_person
from coop4int.people.enums import ContactKind, Sex
from coop4int.people.models import Person
from coop4int.people.scope import person_in_scope

PUBLIC_APPLICATION_LIMIT = RateLimit(scope="learning.apply", limit=5)

DECISIONS = ("accept", "wait", "decline")


class EnrolmentRefused(ValidationError):
    """The enrolment cannot be made or changed as asked; ``code`` says why (``closed``,
    ``full``, ``already``, ``transition``, ``person``, ``audience``…)."""


@dataclass(frozen=True, slots=True)
class Applicant:
    """What someone applying on the public site says of themselves: a claim, not a record."""

    name: str
    phone: str = ""
    email: str = ""
    language: str = "pt"
    notify_by: str = ""
    motivation: str = ""
    sex: str = Sex.NOT_STATED
    nationality: str = ""


# --- Places -------------------------------------------------------------------------------------


def held_places(session: CourseSession) -> int:
    return session.enrolments.filter(status__in=HOLDING).count()


def places_left(session: CourseSession) -> int:
    """Places not yet taken by an accepted (or finished) enrolment; never below zero."""
    return max(session.capacity - held_places(session), 0)


def _locked_session(session: CourseSession) -> CourseSession:
    """``session`` re-read under a row lock: who counts its places holds it until the commit."""
    return (
        CourseSession.objects.select_for_update(of=("self",))
        .select_related("course__unit", "location")
        .get(pk=session.pk)
    )


def _check_open(session: CourseSession, *, now: datetime, public: bool = False) -> None:
    """Refuse enrolments in a cancelled or finished session; the public also in one that has
    begun, is closed for applications, or whose course is not in the catalogue."""
    if session.cancelled_at is not None:
        raise EnrolmentRefused(_("This session was cancelled."), code="closed")
    if session.ends_at is not None and session.ends_at <= now:
        raise EnrolmentRefused(_("This session is over."), code="closed")
    if public and (
        not session.accepts_applications
        or not session.course.published
        or (session.starts_at is not None and session.starts_at <= now)
    ):
        raise EnrolmentRefused(_("This session no longer takes applications."), code="closed")


def _status_for_new(session: CourseSession) -> str:
    """Accepted while a place is free, else the waiting list; ``session`` must be locked."""
    return EnrolmentStatus.ACCEPTED if places_left(session) > 0 else EnrolmentStatus.WAITING


# --- The one status writer ----------------------------------------------------------------------


def _transition(
    enrolment: Enrolment,
    *,
    to: str,
    actor: User | None,
    now: datetime,
    reason: str = "",
    data: dict[str, Any] | None = None,
    updates: dict[str, Any] | None = None,
    fill: bool = True,
) -> Enrolment:
    session = _locked_session(enrolment.session)
    locked = Enrolment.objects.select_for_update(of=("self",)).get(pk=enrolment.pk)
    before = locked.status
    if to not in TRANSITIONS.get(before, frozenset()):
        raise EnrolmentRefused(
            _("This enrolment can no longer be changed that way."), code="transition"
        )
    if to in HOLDING and before not in HOLDING and places_left(session) <= 0:
        raise EnrolmentRefused(_("There is no place left in this session."), code="full")
    locked.status = to
    locked.status_changed_at = now
    if to in (EnrolmentStatus.ACCEPTED, EnrolmentStatus.WAITING, EnrolmentStatus.DECLINED):
        locked.decided_by = actor if actor is not None and actor.pk else None
    for name, value in (updates or {}).items():
        setattr(locked, name, value)
    locked.save()
    locked.session = session
    audit.record(
        action="learning.enrolment.status_changed",
        actor=actor,
        obj=locked,
        unit=session.course.unit,
        data={"from": before, "to": to, "reason": reason} | (data or {}),
    )
    if fill and before in HOLDING and to not in HOLDING:
        fill_places(session=session, actor=actor, now=now)
    return locked


@transaction.atomic
def transition_enrolment(
    *, enrolment: Enrolment, to: str, actor: User | None, now: datetime, reason: str = ""
) -> Enrolment:
    """Move ``enrolment`` to status ``to`` — the one place an enrolment's status is written.
    Refused (``EnrolmentRefused``, code ``transition``) unless ``enums.TRANSITIONS`` allows it,
    and (code ``full``) when it would take a place the session no longer has. ``reason`` is a
    code, never free text. Permissions are the caller's to check.

    Side effects: audit ``learning.enrolment.status_changed`` (from, to, reason); a place it
    frees goes to the first person waiting (``fill_places``)."""
    return _transition(enrolment, to=to, actor=actor, now=now, reason=reason)


@transaction.atomic
def fill_places(*, session: CourseSession, actor: User | None, now: datetime) -> list[Enrolment]:
    """Accept those waiting, first come first served, while the session has places, and tell
    each (``enrolment_accepted``). Nothing in a cancelled or finished session.

    Side effects: per person accepted, ``learning.enrolment.status_changed`` (reason
    ``place_freed``) and the message after the commit."""
    session = _locked_session(session)
    if session.cancelled_at is not None or (session.ends_at is not None and session.ends_at <= now):
        return []
    accepted: list[Enrolment] = []
    while places_left(session) > 0:
        waiting = (
            session.enrolments.filter(status=EnrolmentStatus.WAITING)
            .order_by("created_at", "pk")
            .first()
        )
        if waiting is None:
            break
        enrolment = _transition(
            waiting,
            to=EnrolmentStatus.ACCEPTED,
            actor=None,
            now=now,
            reason="place_freed",
            fill=False,
        )
        tell_on_commit(enrolment, "enrolment_accepted")
        accepted.append(enrolment)
    return accepted


# --- Applying and enrolling ---------------------------------------------------------------------


def _checked_statistics(sex: str, nationality: str) -> tuple[str, str]:
    sex = sex or Sex.NOT_STATED
    if sex not in Sex.values:
        raise EnrolmentRefused(_("Please choose from the list."), code="sex")
    nationality = (nationality or "").strip().upper()
    if nationality and (len(nationality) != 2 or not nationality.isalpha()):
        raise EnrolmentRefused(_("Please choose a country from the list."), code="nationality")
    return sex, nationality


def _checked_language(code: str) -> str:
    """The language ``code`` names, as stored; refused when it is none we know."""
    try:
        return get_language(code).code
    except UnknownLanguage as error:
        raise EnrolmentRefused(_("Please choose a language from the list."), code="language") from (
            error
        )


def _checked_applicant(applicant: Applicant) -> dict[str, Any]:
    """The applicant's fields checked and in their stored form."""
    name = " ".join(applicant.name.split())
    if not name:
        raise EnrolmentRefused(_("Please give a name."), code="name")
    phone_text, email_text = applicant.phone.strip(), applicant.email.strip()
    if not phone_text and not email_text:
        raise EnrolmentRefused(
            _("Please give a phone number or an e-mail address."), code="contact"
        )
    phone = normalise_phone(phone_text) if phone_text else ""
    email = normalise_email(email_text) if email_text else ""
    language = _checked_language(applicant.language)
    notify_by = (applicant.notify_by or "").strip()
    if notify_by and notify_by not in NotifyBy.values:
        raise EnrolmentRefused(
            _("Please choose how we should send you messages."), code="notify_by"
        )
    if notify_by == NotifyBy.EMAIL and not email:
        raise EnrolmentRefused(
            _("Please give an e-mail address to get messages by e-mail."), code="notify_by"
        )
    if notify_by in (NotifyBy.SMS, NotifyBy.WHATSAPP) and not phone:
        raise EnrolmentRefused(
            _("Please give a phone number to get messages by SMS or WhatsApp."), code="notify_by"
        )
    sex, nationality = _checked_statistics(applicant.sex, applicant.nationality)
    return {
        "name": name[:200],
        "phone": phone,
        "email": email,
        "language": language,
        "notify_by": notify_by,
        "motivation": applicant.motivation.strip()[:5000],
        "sex": sex,
        "nationality": nationality,
    }


@transaction.atomic
def apply_publicly(*, session: CourseSession, applicant: Applicant, now: datetime) -> Enrolment:
    """An application from the public site, to be decided by staff: status ``applied``, naming
    nobody's record (``person`` None) whatever the contact given — an unverified claim. The
    same contact applying again to the same session gets the application it has (nothing is
    added). Refused (``EnrolmentRefused``) for a session that takes no applications.

    Side effects: audit ``learning.enrolment.applied`` (masked contact, language, channel);
    message ``application_received`` after the commit (not for a repeat)."""
    fields = _checked_applicant(applicant)
    session = _locked_session(session)
    _check_open(session, now=now, public=True)
    masked = {
        "phone": audit.mask(fields["phone"]),
        "email": audit.mask(fields["email"]),
        "language": fields["language"],
        "notify_by": fields["notify_by"],
    }
    same_contact = session.enrolments.filter(
        status__in=OPEN, channel=EnrolmentChannel.PUBLIC_FORM, person__isnull=True
    )
    for kind in ("phone", "email"):
        if fields[kind]:
            existing = same_contact.filter(**{kind: fields[kind]}).first()
            if existing is not None:
                audit.record(
                    action="learning.enrolment.applied",
                    actor=None,
                    obj=existing,
                    unit=session.course.unit,
                    data=masked | {"repeat": True},
                )
                return existing
    enrolment = Enrolment.objects.create(
        session=session,
        status=EnrolmentStatus.APPLIED,
        channel=EnrolmentChannel.PUBLIC_FORM,
        person=None,
        created_at=now,
        status_changed_at=now,
        **fields,
    )
    audit.record(
        action="learning.enrolment.applied",
        actor=None,
        obj=enrolment,
        unit=session.course.unit,
        data=masked | {"repeat": False},
    )
    tell_on_commit(enrolment, "application_received")
    return enrolment


def _contact_of(person: Person) -> tuple[str, str]:
    """The first phone and e-mail of ``person``'s record."""
    phone = person.contacts.filter(kind=ContactKind.PHONE).order_by("pk").first()
    email = person.contacts.filter(kind=ContactKind.EMAIL).order_by("pk").first()
    return (phone.value if phone else "", email.value if email else "")


def _record_statistics(person: Person) -> tuple[str, str]:
    nationalities = [str(n).upper() for n in (person.nationalities or []) if n]
    return person.sex or Sex.NOT_STATED, nationalities[0][:2] if nationalities else ""


def _check_person(actor: User | None, person: Person) -> None:
    if actor is None or not person_in_scope(actor, person):
        raise PermissionDenied
    if person.merged_into_id is not None or person.erased_at is not None:
        raise EnrolmentRefused(_("This record was merged into another or erased."), code="person")


def _save_new(enrolment: Enrolment) -> Enrolment:
    try:
        with transaction.atomic():
            enrolment.save()
    except IntegrityError as error:
        raise EnrolmentRefused(
            _("Already enrolled in this session, or waiting for a place in it."), code="already"
        ) from error
    return enrolment


def _enrol(*, actor: User, session: CourseSession, now: datetime, **fields: Any) -> Enrolment:
    """A new enrolment in ``session`` (locked), made by staff with ``fields`` (the channel, the
    participant and how to reach them): accepted while a place is free, else on the waiting
    list. Audit ``learning.enrolment.enrolled`` (channel, status); message
    ``enrolment_accepted`` or ``enrolment_waiting`` after the commit."""
    status = _status_for_new(session)
    enrolment = _save_new(
        Enrolment(
            session=session,
            status=status,
            created_at=now,
            status_changed_at=now,
            **fields,
        )
    )
    audit.record(
        action="learning.enrolment.enrolled",
        actor=actor,
        obj=enrolment,
        unit=session.course.unit,
        data={"channel": enrolment.channel, "status": status},
    )
    tell_on_commit(
        enrolment,
        "enrolment_accepted" if status == EnrolmentStatus.ACCEPTED else "enrolment_waiting",
    )
    return enrolment


@transaction.atomic
def enrol_person(
    *,
    actor: User,
    session: CourseSession,
    person: Person,
    now: datetime,
    language: str | None = None,
) -> Enrolment:
    """An officer enrols ``person`` (a record in their scope, else ``PermissionDenied``) from
    the person's page: accepted while a place is free, else on the waiting list. Name, phone,
    e-mail, sex and nationality come from the record; messages go in ``language`` or the
    person's preferred language. Needs ``ENROL_PEOPLE``.

    Side effects: audit ``learning.enrolment.enrolled`` (channel, status); message
    ``enrolment_accepted`` or ``enrolment_waiting`` after the commit."""
    if not actor.has_perm(Permission.ENROL_PEOPLE):
        raise PermissionDenied
    _check_person(actor, person)
    session = _locked_session(session)
    _check_open(session, now=now)
    language = _checked_language(language or person.preferred_language or "pt")
    phone, email = _contact_of(person)
    sex, nationality = _record_statistics(person)
    return _enrol(
        actor=actor,
        session=session,
        now=now,
        channel=EnrolmentChannel.OFFICER,
        person=person,
        name=f"{person.given_names} {person.family_names}".strip()[:200],
        phone=phone,
        email=email,
        language=language,
        notify_by=NotifyBy.SMS if phone else (NotifyBy.EMAIL if email else ""),
        sex=sex,
        nationality=nationality,
        decided_by=actor,
    )


@transaction.atomic
def enrol_self(
    *,
    actor: User,
    session: CourseSession,
    now: datetime,
    sex: str = Sex.NOT_STATED,
    nationality: str = "",
) -> Enrolment:
    """A member of staff (of the network or of a partner organisation) enrols themselves in a
    session of a course for staff, civil society or local authorities: accepted while a place
    is free, else on the waiting list. Messages go by e-mail in their interface language.

    Side effects: audit ``learning.enrolment.enrolled`` (channel, status); message
    ``enrolment_accepted`` or ``enrolment_waiting`` after the commit."""
    if not actor.is_authenticated or not actor.has_perm(Permission.USE_BACKOFFICE):
        raise PermissionDenied
    session = _locked_session(session)
    if not STAFF_AUDIENCES & set(session.course.audiences):
        raise EnrolmentRefused(_("This course is not one staff enrol in."), code="audience")
    _check_open(session, now=now, public=True)
    sex, nationality = _checked_statistics(sex, nationality)
    try:
        language = get_language(actor.language or "pt").code
    except UnknownLanguage:
        language = "pt"
    return _enrol(
        actor=actor,
        session=session,
        now=now,
        channel=EnrolmentChannel.SELF,
        staff=actor,
        name=(actor.get_full_name() or actor.get_username())[:200],
        email=actor.email or "",
        language=language,
        notify_by=NotifyBy.EMAIL if actor.email else "",
        sex=sex,
        nationality=nationality,
    )


# --- Deciding, withdrawing ----------------------------------------------------------------------


@transaction.atomic
def decide_application(
    *,
    actor: User,
    enrolment: Enrolment,
    decision: str,
    now: datetime,
    person: Person | None = None,
    register: PersonDetails | None = None,
) -> Enrolment:
    """Decide an application or a place on the waiting list: ``accept`` (a place must be free),
    ``wait`` or ``decline``. Needs ``MANAGE_TRAINING`` for the course.

    A public application is linked to a record only here, and only as the officer says:
    ``person`` (a record in their scope, else ``PermissionDenied``) or ``register`` (a new
    record of the actor's unit, with the phone and e-mail of the application). Accepting it, or
    putting it on the waiting list (from which it may be accepted without anyone deciding
    again), needs one of the two. Sex and nationality then come from the record.

    Side effects: a new person's record (``people.person.registered``) when asked; audit
    ``learning.enrolment.status_changed`` (reason ``decision``, whether a record was linked or
    registered); message ``enrolment_accepted``, ``enrolment_waiting`` or
    ``enrolment_declined`` after the commit."""
    if decision not in DECISIONS:
        raise ValueError(f"unknown decision {decision!r}")
    if not actor.has_perm(Permission.MANAGE_TRAINING, enrolment.session):
        raise PermissionDenied
    if person is not None and register is not None:
        raise ValueError("give a person or details to register, not both")
    _locked_session(enrolment.session)
    enrolment = (
        Enrolment.objects.select_for_update(of=("self",))
        .select_related("session")
        .get(pk=enrolment.pk)
    )
    if enrolment.status not in (EnrolmentStatus.APPLIED, EnrolmentStatus.WAITING):
        raise EnrolmentRefused(_("This enrolment was already decided."), code="transition")
    unlinked = enrolment.person_id is None and enrolment.staff_id is None
    linking = person is not None or register is not None
    if decision != "decline" and unlinked and not linking:
        raise EnrolmentRefused(
            _("Link the application to the person's record, or register them, first."),
            code="person",
        )
    if linking and not unlinked:
        raise EnrolmentRefused(_("This enrolment already names its participant."), code="person")
    registered = False
    if person is not None:
        _check_person(actor, person)
    elif register is not None:
        if not actor.has_perm(Permission.WORK_CASES) or actor.unit is None:
            raise PermissionDenied
        person = register_person(
            actor=actor,
            unit=actor.unit,
            details=register,
            phones=[enrolment.phone] if enrolment.phone else [],
            emails=[enrolment.email] if enrolment.email else [],
        )
        registered = True
    updates: dict[str, Any] = {}
    if person is not None:
        if enrolment.session.enrolments.filter(person=person, status__in=OPEN).exists():
            raise EnrolmentRefused(
                _("This person is already enrolled in this session, or waiting for a place."),
                code="already",
            )
        updates["person"] = person
        sex, nationality = _record_statistics(person)
        if sex != Sex.NOT_STATED:
            updates["sex"] = sex
        if nationality:
            updates["nationality"] = nationality
    to = {
        "accept": EnrolmentStatus.ACCEPTED,
        "wait": EnrolmentStatus.WAITING,
        "decline": EnrolmentStatus.DECLINED,
    }[decision]
    if to == enrolment.status:
        raise EnrolmentRefused(
            _("This enrolment is already on the waiting list."), code="transition"
        )
    changed = _transition(
        enrolment,
        to=to,
        actor=actor,
        now=now,
        reason="decision",
        data={"person_linked": person is not None, "registered": registered},
        updates=updates,
    )
    tell_on_commit(
        changed,
        {
            "accept": "enrolment_accepted",
            "wait": "enrolment_waiting",
            "decline": "enrolment_declined",
        }[decision],
    )
    return changed


def may_withdraw(actor: User | None, enrolment: Enrolment) -> bool:
    """Who may withdraw an enrolment: the member of staff it is theirs, those who manage the
    course, and officers who enrol people for a person in their scope."""
    if actor is None or not actor.is_authenticated:
        return False
    if enrolment.staff_id is not None and enrolment.staff_id == actor.pk:
        return True
    if actor.has_perm(Permission.MANAGE_TRAINING, enrolment.session):
        return True
    return (
        enrolment.person is not None
        and actor.has_perm(Permission.ENROL_PEOPLE)
        and person_in_scope(actor, enrolment.person)
    )


@transaction.atomic
def withdraw(*, actor: User | None, enrolment: Enrolment, now: datetime) -> Enrolment:
    """The participant no longer takes part (said by them, or by staff for them): ``withdrawn``
    from applied, waiting or accepted. ``actor`` None is the system acting for the person
    (no page offers it to the public); staff need ``may_withdraw``. A place it frees goes to the
    first person waiting, who is accepted and told.

    Side effects: audit ``learning.enrolment.status_changed`` (reason ``withdrawn``), and one
    per person accepted in the freed place with their message after the commit."""
    if actor is not None and not may_withdraw(actor, enrolment):
        raise PermissionDenied
    return _transition(
        enrolment, to=EnrolmentStatus.WITHDRAWN, actor=actor, now=now, reason="withdrawn"
    )


# --- Reminders ----------------------------------------------------------------------------------

# Reminders go out in the day on the place's clock (as the appointments' do), never at night.
REMINDER_FROM_HOUR = 8
REMINDER_UNTIL_HOUR = 21


def _zone_of(session: CourseSession) -> ZoneInfo:
    location = session.location
    return ZoneInfo((location.time_zone if location is not None else "") or settings.TIME_ZONE)


def due_for_reminder(session: CourseSession, *, now: datetime) -> bool:
    """Whether ``session``'s first day is the day after ``now`` on its place's clock (the
    deployment's for an online session), and that clock is within the hours reminders go out."""
    if session.starts_at is None:
        return False
    zone = _zone_of(session)
    local_now = now.astimezone(zone)
    if not REMINDER_FROM_HOUR <= local_now.hour < REMINDER_UNTIL_HOUR:
        return False
    return session.starts_at.astimezone(zone).date() == local_now.date() + timedelta(days=1)


def send_due_reminders(*, now: datetime) -> int:
    """Remind each participant accepted in a session whose first day is tomorrow, once
    (``session_reminder``). Each enrolment is claimed by setting ``reminded_at`` where it is
    still empty, so two runs at once never remind it twice; the message goes after that
    commit. Returns how many were claimed.

    Side effects: ``reminded_at``; audit ``learning.message.sent`` (or ``.failed``) per
    message."""
    sessions = CourseSession.objects.filter(
        cancelled_at__isnull=True,
        starts_at__gt=now,
        # Wide enough for any clock on Earth; the exact day is checked on the place's clock.
        starts_at__lte=now + timedelta(hours=72),
    ).select_related("location")
    claimed = 0
    for session in sessions.order_by("starts_at", "pk"):
        if not due_for_reminder(session, now=now):
            continue
        candidates = session.enrolments.filter(
            status=EnrolmentStatus.ACCEPTED, reminded_at__isnull=True
        ).order_by("created_at", "pk")
        for enrolment in candidates:
            with transaction.atomic():
                won = Enrolment.objects.filter(
                    pk=enrolment.pk, status=EnrolmentStatus.ACCEPTED, reminded_at__isnull=True
                ).update(reminded_at=now)
                if not won:
                    continue
                enrolment.reminded_at = now
                tell_on_commit(enrolment, "session_reminder")
            claimed += 1
    return claimed
