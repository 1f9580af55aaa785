"""Courses and their sessions: created and changed by those who manage training for the
course's unit (``Permission.MANAGE_TRAINING``, ``learning.rules``).

A course's title, summary and description are a content item of kind ``course``: its source
text is written with the course, and then translated, reviewed and published through the
information hub's workflow (``content.domain.workflow``); the public catalogue shows a course
once it is ``published`` and its text has a published version.

A session's days are its truth: ``starts_at`` and ``ends_at`` are kept from them. A session
whose first day moves is reminded anew; those accepted are told of a change of days and of a
cancellation (``learning.notify``)."""

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from coop4int.accounts.models import Unit, User
from coop4int.accounts.roles import Permission
from coop4int.content.domain import workflow
from coop4int.content.enums import ItemKind
from coop4int.content.models import ContentItem
from coop4int.core import audit
from coop4int.core.languages import REGISTRY
from coop4int.directory.models import Location, Organization
from coop4int.learning.enums import OPEN, Audience, DeliveryMode, EnrolmentStatus
from coop4int.learning.models import Course, CourseSession, Enrolment, SessionDay

# The fields of a course ``update_course`` changes (its text goes through the content workflow).
COURSE_FIELDS = frozenset(
    {
        "audiences",
        "languages",
        "mode",
        "hours",
        "min_attendance_percent",
        "assessment_required",
        "certificate",
        "certificate_valid_months",
        "organisation",
        "published",
    }
)
SESSION_FIELDS = frozenset(
    {
        "language",
        "capacity",
        "location",
        "online_address",
        "trainer",
        "accepts_applications",
        "days",
        "cancel",
    }
)


def _require_manager(actor: User, obj: models.Model) -> None:
    if not actor.has_perm(Permission.MANAGE_TRAINING, obj):
        raise PermissionDenied


# --- Checks -------------------------------------------------------------------------------------


def _checked_course_fields(values: dict[str, Any]) -> dict[str, Any]:
    """``values`` (course fields) checked and in their stored form; ValidationError by field."""
    problems: dict[str, str] = {}
    checked = dict(values)
    if "audiences" in values:
        audiences = list(dict.fromkeys(str(a) for a in values["audiences"]))
        if not audiences:
            problems["audiences"] = _("Choose who the course is for.")
        elif any(a not in Audience.values for a in audiences):
            problems["audiences"] = _("Unknown audience.")
        checked["audiences"] = audiences
    if "languages" in values:
        languages = list(dict.fromkeys(str(code) for code in values["languages"]))
        if not languages:
            problems["languages"] = _("Choose at least one language the course is taught in.")
        elif any(code not in REGISTRY for code in languages):
            problems["languages"] = _("Unknown language.")
        checked["languages"] = languages
    if "mode" in values and values["mode"] not in DeliveryMode.values:
        problems["mode"] = _("Choose how the course is given.")
    if "hours" in values:
        try:
            hours = Decimal(str(values["hours"]))
        except InvalidOperation:
            hours = Decimal(0)
        if not hours.is_finite() or hours <= 0 or hours >= 10_000:
            problems["hours"] = _("Give the number of hours, more than zero.")
        checked["hours"] = hours
    if "min_attendance_percent" in values:
        percent = values["min_attendance_percent"]
        if not isinstance(percent, int) or not 0 <= percent <= 100:
            problems["min_attendance_percent"] = _("Give a percentage from 0 to 100.")
    if values.get("certificate_valid_months") is not None:
        months = values["certificate_valid_months"]
        if not isinstance(months, int) or not 1 <= months <= 600:
            problems["certificate_valid_months"] = _("Give a number of months from 1 to 600.")
    organisation = values.get("organisation")
    if organisation is not None and not isinstance(organisation, Organization):
        problems["organisation"] = _("Choose an organisation from the directory.")
    if problems:
        raise ValidationError(problems)
    return checked


def _checked_days(days: Iterable[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    spans = sorted((start, end) for start, end in days)
    if not spans:
        raise ValidationError({"days": _("A session needs at least one day.")})
    for start, end in spans:
        if start.tzinfo is None or end.tzinfo is None:
            raise ValueError("session days need aware datetimes")
        if end <= start:
            raise ValidationError({"days": _("Each day must end after it starts.")})
    starts = [start for start, _end in spans]
    if len(set(starts)) != len(starts):
        raise ValidationError({"days": _("Two days start at the same time.")})
    return spans


def _check_session(session: CourseSession) -> None:
    """The fields of ``session`` that depend on its course, and its trainer."""
    course = session.course
    problems: dict[str, str] = {}
    if session.language not in REGISTRY:
        problems["language"] = _("Unknown language.")
    elif course.languages and session.language not in course.languages:
        problems["language"] = _("The course is not taught in this language.")
    if not isinstance(session.capacity, int) or session.capacity < 1:
        problems["capacity"] = _("A session needs at least one place.")
    if course.mode == DeliveryMode.IN_PERSON and session.location_id is None:
        problems["location"] = _("Choose the place where the session is given.")
    if course.mode == DeliveryMode.ONLINE and not session.online_address:
        problems["online_address"] = _("Give the address of the online session.")
    trainer = session.trainer
    if trainer is not None and (
        not trainer.is_active or Permission.TEACH not in trainer.granted_permissions
    ):
        problems["trainer"] = _("The trainer must be a member of staff who may teach.")
    if problems:
        raise ValidationError(problems)


# --- Courses ------------------------------------------------------------------------------------


def _new_description(
    *,
    actor: User,
    unit: Unit,
    slug: str,
    source_language: str,
    title: str,
    summary: str,
    body: str,
    is_demo: bool,
    now: datetime,
) -> ContentItem:
    """The course's content item with its source text as a draft, kept by the course's unit,
    through the information hub's workflow (those who manage training may start a course's
    description; editors then review, translate and publish it as any other)."""
    if not title.strip():
        raise ValidationError({"title": _("A title is needed.")})
    if ContentItem.objects.filter(slug=slug).exists() or Course.objects.filter(slug=slug).exists():
        raise ValidationError({"slug": _("This short name is already used.")})
    item = workflow.create_item(
        actor=actor,
        slug=slug,
        kind=ItemKind.COURSE,
        source_language=source_language,
        title=title,
        summary=summary,
        body=body,
        is_demo=is_demo,
        today=now.date(),
    )
    if item.unit_id != unit.pk:
        item.unit = unit
        item.save(update_fields=["unit"])
    return item


@transaction.atomic
def create_course(
    *,
    actor: User,
    slug: str,
    unit: Unit,
    title: str,
    summary: str,
    body: str,
    source_language: str,
    audiences: list[str],
    languages: list[str],
    mode: str,
    hours: Decimal,
    min_attendance_percent: int = 80,
    assessment_required: bool = True,
    certificate: bool = True,
    certificate_valid_months: int | None = None,
    organisation: Organization | None = None,
    published: bool = False,
    is_demo: bool = False,
    now: datetime,
) -> Course:
    """A course run by ``unit``, its title and description the source text (a draft) of a new
    content item of kind ``course`` with the same ``slug``. Needs ``MANAGE_TRAINING`` for
    ``unit``. ValidationError by field for what is wrong.

    Side effects: the content item (audit ``content.item.created``); audit
    ``learning.course.created``."""
    _require_manager(actor, unit)
    fields = _checked_course_fields(
        {
            "audiences": audiences,
            "languages": languages,
            "mode": mode,
            "hours": hours,
            "min_attendance_percent": min_attendance_percent,
            "assessment_required": bool(assessment_required),
            "certificate": bool(certificate),
            "certificate_valid_months": certificate_valid_months,
            "organisation": organisation,
            "published": bool(published),
        }
    )
    description = _new_description(
        actor=actor,
        unit=unit,
        slug=slug,
        source_language=source_language,
        title=title,
        summary=summary,
        body=body,
        is_demo=is_demo,
        now=now,
    )
    course = Course(
        slug=slug,
        description=description,
        unit=unit,
        created_at=now,
        updated_at=now,
        is_demo=is_demo,
        **fields,
    )
    course.full_clean(exclude=["description"])
    course.save()
    audit.record(
        action="learning.course.created",
        actor=actor,
        obj=course,
        unit=unit,
        data={
            "slug": slug,
            "audiences": course.audiences,
            "languages": course.languages,
            "mode": course.mode,
            "certificate": course.certificate,
            "published": course.published,
        },
    )
    return course


@transaction.atomic
def update_course(*, actor: User, course: Course, now: datetime, **fields: Any) -> Course:
    """Change the fields of ``course`` named in ``COURSE_FIELDS`` (its text is changed in the
    content workflow). Needs ``MANAGE_TRAINING`` for the course's unit.

    Side effects: audit ``learning.course.updated`` with the names of the fields changed (none
    when nothing changed: no entry)."""
    unknown = set(fields) - COURSE_FIELDS
    if unknown:
        raise TypeError(f"update_course() got unknown fields: {sorted(unknown)}")
    _require_manager(actor, course)
    course = Course.objects.select_for_update(of=("self",)).get(pk=course.pk)
    checked = _checked_course_fields(fields)
    changed = sorted(name for name, value in checked.items() if getattr(course, name) != value)
    if not changed:
        return course
    for name in changed:
        setattr(course, name, checked[name])
    course.updated_at = now
    course.full_clean(exclude=["description"])
    course.save()
    audit.record(
        action="learning.course.updated",
        actor=actor,
        obj=course,
        unit=course.unit,
        data={"fields": changed},
    )
    return course


# --- Sessions -----------------------------------------------------------------------------------


def _write_days(session: CourseSession, spans: list[tuple[datetime, datetime]]) -> bool:
    """Make ``spans`` the days of ``session``; True when its first day moved. A day that has
    attendance recorded cannot go (ValidationError)."""
    before = session.starts_at
    existing = {day.starts_at: day for day in session.days.all()}
    wanted = {start: end for start, end in spans}
    for start, day in existing.items():
        if start in wanted:
            if day.ends_at != wanted[start]:
                day.ends_at = wanted[start]
                day.save(update_fields=["ends_at"])
            continue
        if day.attendance.exists():
            raise ValidationError(
                {"days": _("A day with attendance recorded cannot be removed or moved.")}
            )
        day.delete()
    for start, end in spans:
        if start not in existing:
            SessionDay.objects.create(session=session, starts_at=start, ends_at=end)
    session.starts_at = spans[0][0]
    session.ends_at = max(end for _start, end in spans)
    return before != session.starts_at


@transaction.atomic
def add_session(
    *,
    actor: User,
    course: Course,
    language: str,
    capacity: int,
    days: list[tuple[datetime, datetime]],
    location: Location | None = None,
    online_address: str = "",
    trainer: User | None = None,
    now: datetime,
) -> CourseSession:
    """A new session of ``course`` on ``days`` (start and end of each, aware datetimes), open for
    applications. In person it needs a place, online an address; the language must be one the
    course is taught in; the trainer a member of staff who may teach. Needs
    ``MANAGE_TRAINING`` for the course's unit.

    Side effects: its days; audit ``learning.session.created``."""
    _require_manager(actor, course)
    spans = _checked_days(days)
    session = CourseSession(
        course=course,
        language=language,
        capacity=capacity,
        location=location,
        online_address=online_address.strip(),
        trainer=trainer,
        created_at=now,
    )
    _check_session(session)
    session.save()
    _write_days(session, spans)
    session.save(update_fields=["starts_at", "ends_at"])
    audit.record(
        action="learning.session.created",
        actor=actor,
        obj=session,
        unit=course.unit,
        data={
            "course": course.slug,
            "language": language,
            "capacity": capacity,
            "days": len(spans),
            "has_trainer": trainer is not None,
        },
    )
    return session


@transaction.atomic
def change_session(
    *, actor: User, session: CourseSession, now: datetime, **fields: Any
) -> CourseSession:
    """Change what ``fields`` name of ``session`` (``SESSION_FIELDS``): ``days=[(start, end),
    …]`` replaces its days (one with attendance recorded stays), ``cancel=True`` cancels it (no
    more applications; those still enrolled are told). Needs ``MANAGE_TRAINING`` for the
    course's unit. Places cannot go below the number already taken; more places go to those
    waiting, first come first served.

    Side effects: audit ``learning.session.changed`` with the names of the fields changed;
    when the first day moves, the reminder goes again; those accepted are told of new days
    (``session_changed``) or of the cancellation (``session_cancelled``), those waiting or
    applying of the cancellation; people accepted from the waiting list are told, each with
    their own ``learning.enrolment.status_changed``."""
    from coop4int.learning.domain import enrolment as enrolment_domain
    from coop4int.learning.notify import tell_on_commit

    unknown = set(fields) - SESSION_FIELDS
    if unknown:
        raise TypeError(f"change_session() got unknown fields: {sorted(unknown)}")
    _require_manager(actor, session)
    session = (
        CourseSession.objects.select_for_update(of=("self",))
        .select_related("course")
        .get(pk=session.pk)
    )
    if session.cancelled_at is not None:
        raise ValidationError(_("This session was cancelled; it cannot be changed."))
    changed: list[str] = []
    for name in ("language", "capacity", "location", "online_address", "trainer"):
        if name in fields and getattr(session, name) != fields[name]:
            setattr(session, name, fields[name])
            changed.append(name)
    if "online_address" in changed:
        session.online_address = session.online_address.strip()
    if "accepts_applications" in fields and session.accepts_applications != bool(
        fields["accepts_applications"]
    ):
        session.accepts_applications = bool(fields["accepts_applications"])
        changed.append("accepts_applications")
    _check_session(session)
    held = enrolment_domain.held_places(session)
    if "capacity" in changed and session.capacity < held:
        raise ValidationError(
            {
                "capacity": _(
                    "%(count)d people are already accepted: there cannot be fewer places."
                )
                % {"count": held}
            }
        )
    first_day_moved = False
    days_changed = False
    if "days" in fields:
        spans = _checked_days(fields["days"])
        current = [(day.starts_at, day.ends_at) for day in session.days.all()]
        if spans != current:
            first_day_moved = _write_days(session, spans)
            days_changed = True
            changed.append("days")
    cancelled = bool(fields.get("cancel"))
    if cancelled:
        session.cancelled_at = now
        session.accepts_applications = False
        changed.append("cancel")
    if not changed:
        return session
    session.save()
    open_enrolments = list(session.enrolments.filter(status__in=OPEN).order_by("created_at", "pk"))
    if first_day_moved:
        Enrolment.objects.filter(session=session, status__in=OPEN).update(reminded_at=None)
    told = 0
    if cancelled:
        for enrolment in open_enrolments:
            tell_on_commit(enrolment, "session_cancelled")
            told += 1
    elif days_changed:
        for enrolment in open_enrolments:
            if enrolment.status == EnrolmentStatus.ACCEPTED:
                tell_on_commit(enrolment, "session_changed")
                told += 1
    audit.record(
        action="learning.session.changed",
        actor=actor,
        obj=session,
        unit=session.course.unit,
        data={"fields": sorted(changed), "told": told},
    )
    if "capacity" in changed:
        enrolment_domain.fill_places(session=session, actor=actor, now=now)
    return session
