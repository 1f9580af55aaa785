"""Training in the back office: courses and their sessions, deciding applications, attendance
on a phone, assessments, completion and certificates; enrolling a person from their record;
the staff catalogue to enrol oneself, one's own training, and the training records of a
colleague and of a unit.

Thin views over ``learning.domain``: every course, session and enrolment is fetched and
authorised in one call (``get_course_for_user``, ``get_session_for_user``,
``get_enrolment_for_user``: 404 outside the user's scope); each action is one domain function.
A person's record is reached only through ``people`` (the scoping rule): deciding an
application offers the records *in the officer's scope* with the applicant's phone or e-mail
(the people app's duplicate check, audited), to confirm one or register a new one — never a
record linked for them."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode
from uuid import UUID
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from coop4int.accounts.domain import queries as account_queries
from coop4int.accounts.enums import Role
from coop4int.accounts.models import Unit, User
from coop4int.accounts.roles import Permission
from coop4int.backoffice.page_actions import Acting, Action, ActionPage, ActionTable, Refused
from coop4int.backoffice.training_forms import (
    AssessmentForm,
    AttendanceForm,
    CancelSessionForm,
    CourseSettingsForm,
    DecideButtonForm,
    DecideForm,
    EnrolPersonForm,
    EnrolSelfForm,
    NewCourseForm,
    RevokeForm,
    SessionForm,
)
from coop4int.backoffice.views import StaffView
from coop4int.core.formatting import format_date, format_datetime
from coop4int.core.languages import UnknownLanguage
from coop4int.core.languages import get_language as registry_language
from coop4int.directory.models import Location
from coop4int.learning.certificate_pdf import certificate_pdf
from coop4int.learning.credentials.badge import verify_page_url
from coop4int.learning.domain import courses as course_domain
from coop4int.learning.domain import enrolment as enrolment_domain
from coop4int.learning.domain import teaching
from coop4int.learning.domain.certificates import revoke_certificate
from coop4int.learning.domain.queries import (
    course_text,
    courses_for_user,
    enrolment_person_visible,
    enrolments_of_person,
    get_course_for_user,
    get_enrolment_for_user,
    get_session_for_user,
    public_catalogue,
    session_places_left,
    sessions_taught_by,
    staff_catalogue,
    training_record_of_staff,
    training_record_of_unit,
)
from coop4int.learning.enums import (
    HOLDING,
    OPEN,
    Audience,
    EnrolmentStatus,
    RevocationReason,
)
from coop4int.learning.models import Certificate, Course, CourseSession, Enrolment, SessionDay
from coop4int.people.domain.people import PersonDetails
from coop4int.people.domain.queries import (
    PersonMergedAway,
    duplicates_for_user,
    get_person_for_user,
)
from coop4int.people.models import Person

# --- Writing courses, sessions and days ------------------------------------------------------


def language_name(code: str) -> str:
    """The language's own name (to show marked with its language)."""
    try:
        return registry_language(code).native_name
    except UnknownLanguage:
        return code


def title_of(course: Course) -> str:
    """The course's title in the reader's language, or in the nearest one it has."""
    return course_text(course, get_language() or "pt").title or course.slug


def zone_of(session: CourseSession) -> str:
    """The time zone of the session's days: its place's, else its course unit's."""
    if session.location is not None:
        return session.location.time_zone
    return session.course.unit.time_zone


def day_label(day: SessionDay, zone: str) -> str:
    """ "Mon, 9 Mar 2026, 09:00–12:00" in the session's time zone."""
    return _("%(day)s, %(start)s–%(end)s") % {
        "day": format_date(day.starts_at.astimezone(ZoneInfo(zone)).date(), "full"),
        "start": format_datetime(day.starts_at, "HH:mm", tz=zone),
        "end": format_datetime(day.ends_at, "HH:mm", tz=zone),
    }


def dates_label(session: CourseSession) -> str:
    """ "9 Mar 2026 – 11 Mar 2026": the first and the last day of the session."""
    if session.starts_at is None or session.ends_at is None:
        return _("No day set yet")
    zone = ZoneInfo(zone_of(session))
    first = session.starts_at.astimezone(zone).date()
    last = session.ends_at.astimezone(zone).date()
    if first == last:
        return format_date(first, "medium")
    return _("%(first)s – %(last)s") % {
        "first": format_date(first, "medium"),
        "last": format_date(last, "medium"),
    }


def place_label(session: CourseSession) -> str:
    if session.location is None:
        return _("Online")
    location = session.location
    place = location.name or (location.organization.name if location.organization else "")
    return f"{place}, {location.island}" if location.island else place


def session_label(session: CourseSession, *, with_course: bool = True) -> str:
    """ "Portuguese for work — 9 Mar 2026 – 11 Mar 2026, Praia (Português)" (without the
    course: "9 Mar 2026 – 11 Mar 2026, Praia (Português)"), the language's own name marked
    with its language."""
    where = _("%(dates)s, %(place)s") % {
        "dates": dates_label(session),
        "place": place_label(session),
    }
    if with_course:
        where = _("%(course)s — %(when_and_where)s") % {
            "course": title_of(session.course),
            "when_and_where": where,
        }
    return format_html(
        '{} <span lang="{}">({})</span>', where, session.language, language_name(session.language)
    )


def certificate_of(enrolment: Enrolment) -> Certificate | None:
    """The enrolment's certificate, if one was issued."""
    try:
        return enrolment.certificate
    except Certificate.DoesNotExist:
        return None


def trainers_for(course: Course) -> QuerySet[User]:
    """Who may be chosen to give a session of ``course``: active trainers of any unit, and
    the coordinators of the course's unit."""
    return (
        User.objects.filter(is_active=True)
        .filter(
            role_assignments__role__in=[Role.TRAINER, Role.UNIT_COORDINATOR],
        )
        .exclude(role_assignments__role=Role.UNIT_COORDINATOR, unit__isnull=True)
        .select_related("unit")
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def _session_form(
    course: Course,
    data: Any = None,
    *,
    session: CourseSession | None = None,
) -> SessionForm:
    initial: dict[str, Any] = {"language": (course.languages or ["pt"])[0], "capacity": 15}
    days: list[tuple[datetime, datetime]] = []
    display_zone = ""
    if session is not None:
        initial = {
            "language": session.language,
            "capacity": session.capacity,
            "location": session.location,
            "online_address": session.online_address,
            "trainer": session.trainer,
            "accepts_applications": session.accepts_applications,
        }
        days = [(day.starts_at, day.ends_at) for day in session.days.all()]
        display_zone = zone_of(session)
    languages = list(dict.fromkeys([*course.languages, *([session.language] if session else [])]))
    form = SessionForm(
        data,
        initial=initial,
        languages=languages or ["pt"],
        locations=Location.objects.select_related("organization").order_by("name"),
        trainers=trainers_for(course),
        default_zone=course.unit.time_zone,
        display_zone=display_zone,
        days=days,
    )
    if session is None:
        del form.fields["accepts_applications"]
    return form


# --- Courses ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CourseRow:
    course: Course
    title: str
    sessions: int


class CourseListView(StaffView):
    """The courses the user manages, with links to the other training pages."""

    permission = Permission.MANAGE_TRAINING

    def get(self, request: HttpRequest) -> HttpResponse:
        rows = [
            CourseRow(course, title_of(course), course.sessions.count())
            for course in courses_for_user(self.user)
        ]
        return render(
            request,
            "backoffice/training/courses.html",
            {"rows": rows, "units": account_queries.units_for_user(self.user)},
        )


class NewCourseView(StaffView):
    """A new course: creating it creates its description (a content item of kind course),
    translated afterwards on the information pages."""

    permission = Permission.MANAGE_TRAINING

    def _form(self, data: Any = None) -> NewCourseForm:
        units = account_queries.units_for_user(self.user)
        initial = {"unit": self.user.unit.slug if self.user.unit else None}
        return NewCourseForm(data, units=units, initial=initial)

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "backoffice/training/course_new.html", {"form": self._form()})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = self._form(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                course = course_domain.create_course(
                    actor=self.user, slug=data["slug"], unit=data["unit"], title=data["title"],
                    summary=data["summary"], body=data["body"],
                    source_language=data["source_language"], now=timezone.now(),
                    **form.settings(),
                )  # fmt: skip
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(
                    request,
                    _(
                        "The course was created. Its title and description are a text of the "
                        "information pages: publish it there and have it translated."
                    ),
                )
                return redirect("backoffice:training_course", course_id=course.pk)
        return render(request, "backoffice/training/course_new.html", {"form": form})


def _add_errors(form: forms.Form, error: ValidationError) -> None:
    """The domain's error on the form: on a field the form has, else above the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _update_course(act: Acting[Course]) -> str:
    course_domain.update_course(
        actor=act.actor, course=act.obj, now=timezone.now(), **_as_form(act, CourseSettingsForm)
    )
    return _("The course was saved.")


def _as_form(act: Acting[Any], kind: type[CourseSettingsForm]) -> dict[str, Any]:
    form = act.form
    assert isinstance(form, kind)
    return form.settings()


class CourseView(ActionPage[Course], StaffView):
    """A course: its text (with a link to translate it on the information pages), its
    settings and criteria, and its sessions."""

    permission = Permission.MANAGE_TRAINING
    actions = ActionTable[Course](
        Action("settings", CourseSettingsForm, _update_course, "settings"),
        default="settings",
    )

    def action_object(self, request: HttpRequest, **kwargs: Any) -> Course:
        course = get_course_for_user(self.user, kwargs["course_id"])
        # A course they only teach a session of is not theirs to manage: outside their scope.
        if not self.user.has_perm(Permission.MANAGE_TRAINING, course):
            raise Http404
        return course

    def page_url(self, obj: Course) -> str:
        return reverse("backoffice:training_course", kwargs={"course_id": obj.pk})

    def get(self, request: HttpRequest, course_id: int) -> HttpResponse:
        return self.render_page(request, self.action_object(request, course_id=course_id), {})

    def render_page(
        self, request: HttpRequest, obj: Course, bound: Mapping[str, forms.Form]
    ) -> HttpResponse:
        course = obj
        text = course_text(course, get_language() or "pt")
        item = course.description
        translations = [
            (translation, language_name(translation.language))
            for translation in item.translations.order_by("language")
        ]
        sessions = [
            (session, dates_label(session), place_label(session), language_name(session.language),
             enrolment_domain.places_left(session))
            for session in course.sessions.select_related("location__organization", "trainer")
            .order_by("starts_at")
        ]  # fmt: skip
        form = bound.get("settings") or CourseSettingsForm(
            initial={
                "audiences": course.audiences,
                "languages": course.languages,
                "mode": course.mode,
                "hours": course.hours,
                "organisation": course.organisation,
                "min_attendance_percent": course.min_attendance_percent,
                "assessment_required": course.assessment_required,
                "certificate": course.certificate,
                "certificate_valid_months": course.certificate_valid_months,
                "published": course.published,
            }
        )
        context = {
            "course": course,
            "text": text,
            "item": item,
            "translations": translations,
            # Named in its own language, marked so (inside a sentence of the interface's).
            "source_language": format_html(
                '<span lang="{}">{}</span>',
                item.source_language,
                language_name(item.source_language),
            ),
            "may_edit_text": self.user.has_perm(Permission.EDIT_CONTENT),
            "sessions": sessions,
            "form": form,
            "audiences": [Audience(code).label for code in course.audiences if code in Audience],
            "languages": [(code, language_name(code)) for code in course.languages],
        } | self.section_context(request, course)
        return render(request, "backoffice/training/course.html", context)


# --- Sessions --------------------------------------------------------------------------------


class NewSessionView(StaffView):
    """A new session of a course: language, place or online address, places, trainer, and
    its days."""

    permission = Permission.MANAGE_TRAINING

    def _course(self, course_id: int) -> Course:
        course = get_course_for_user(self.user, course_id)
        # A course they only teach a session of is not theirs to manage: outside their scope.
        if not self.user.has_perm(Permission.MANAGE_TRAINING, course):
            raise Http404
        return course

    def _render(self, request: HttpRequest, course: Course, form: SessionForm) -> HttpResponse:
        return render(
            request,
            "backoffice/training/session_new.html",
            {"course": course, "title": title_of(course), "form": form},
        )

    def get(self, request: HttpRequest, course_id: int) -> HttpResponse:
        course = self._course(course_id)
        return self._render(request, course, _session_form(course))

    def post(self, request: HttpRequest, course_id: int) -> HttpResponse:
        course = self._course(course_id)
        form = _session_form(course, request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                session = course_domain.add_session(
                    actor=self.user, course=course, language=data["language"],
                    capacity=data["capacity"], days=data["days"], location=data["location"],
                    online_address=data["online_address"], trainer=data["trainer"],
                    now=timezone.now(),
                )  # fmt: skip
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("The session was added."))
                return redirect("backoffice:training_session", session_id=session.pk)
        return self._render(request, course, form)


class GuardedActions:
    """Mixed into an ``ActionPage``: each action needs the permission ``needs`` names for it on
    the page's object, checked before its form is even read (403 otherwise, as for a page)."""

    needs: dict[str, Permission] = {}
    request: HttpRequest

    def guard(self, action: Action[Any], obj: Any) -> None:
        wanted = self.needs.get(action.name)
        if wanted is not None and not self.request.user.has_perm(wanted, obj):
            raise PermissionDenied

    def bind(self, action: Action[Any], obj: Any, *args: Any, **kwargs: Any) -> forms.Form:
        self.guard(action, obj)
        return super().bind(action, obj, *args, **kwargs)  # type: ignore[misc]


def _change_session(act: Acting[CourseSession]) -> str:
    data = act.data
    course_domain.change_session(
        actor=act.actor, session=act.obj, now=timezone.now(), language=data["language"],
        capacity=data["capacity"], location=data["location"],
        online_address=data["online_address"], trainer=data["trainer"],
        accepts_applications=data["accepts_applications"], days=data["days"],
    )  # fmt: skip
    return _("The session was saved.")


def _cancel_session(act: Acting[CourseSession]) -> str:
    if act.obj.cancelled_at is not None:
        raise Refused(_("This session was already cancelled."))
    course_domain.change_session(actor=act.actor, session=act.obj, now=timezone.now(), cancel=True)
    return _("The session was cancelled.")


def _decide_quickly(act: Acting[CourseSession]) -> str:
    enrolment: Enrolment = act.data["enrolment"]
    decided = enrolment_domain.decide_application(
        actor=act.actor, enrolment=enrolment, decision=act.data["decision"], now=timezone.now()
    )
    return _("%(name)s: %(status)s.") % {
        "name": decided.name,
        "status": decided.get_status_display(),
    }


def _undecided_of_someone(session: CourseSession) -> QuerySet[Enrolment]:
    """The session's applications and waiting list whose participant is already known (a
    person's record or a member of staff): decided with a button. An application from the
    public site is decided on its own page, where the officer confirms whose it is."""
    return session.enrolments.filter(
        status__in=[EnrolmentStatus.APPLIED, EnrolmentStatus.WAITING]
    ).exclude(person__isnull=True, staff__isnull=True)


@dataclass(frozen=True, slots=True)
class EnrolmentRow:
    enrolment: Enrolment
    since: str
    language: str
    identified: bool


class SessionView(GuardedActions, ActionPage[CourseSession], StaffView):
    """A session: its days (each with its attendance sheet), places left, applications to
    decide, the accepted participants and the waiting list; changing or cancelling it."""

    permission = (Permission.MANAGE_TRAINING, Permission.TEACH)
    actions = ActionTable[CourseSession](
        Action("edit", SessionForm, _change_session, "edit"),
        Action("cancel", CancelSessionForm, _cancel_session, "edit", form_key="cancel"),
        Action("decide", DecideButtonForm, _decide_quickly, "applications", shows_form=False,
               options=lambda page, session: {"enrolments": _undecided_of_someone(session)}),
    )  # fmt: skip
    needs = dict.fromkeys(("edit", "cancel", "decide"), Permission.MANAGE_TRAINING)

    def bind(self, action: Action[CourseSession], obj: CourseSession, data: Any = None,
             files: Any = None, **extra: Any) -> forms.Form:  # fmt: skip
        # The session's form is built with its course's languages, places and trainers.
        if action.name == "edit":
            self.guard(action, obj)
            return _session_form(obj.course, data, session=obj)
        return super().bind(action, obj, data, files, **extra)

    def action_object(self, request: HttpRequest, **kwargs: Any) -> CourseSession:
        return get_session_for_user(self.user, kwargs["session_id"])

    def page_url(self, obj: CourseSession) -> str:
        return reverse("backoffice:training_session", kwargs={"session_id": obj.pk})

    def get(self, request: HttpRequest, session_id: int) -> HttpResponse:
        return self.render_page(request, self.action_object(request, session_id=session_id), {})

    def render_page(
        self, request: HttpRequest, obj: CourseSession, bound: Mapping[str, forms.Form]
    ) -> HttpResponse:
        session = obj
        zone = zone_of(session)
        manages = self.user.has_perm(Permission.MANAGE_TRAINING, session)
        by_status: dict[str, list[EnrolmentRow]] = {}
        for enrolment in session.enrolments.order_by("created_at", "pk"):
            by_status.setdefault(enrolment.status, []).append(
                EnrolmentRow(
                    enrolment=enrolment,
                    since=format_datetime(enrolment.created_at, "short", tz=zone),
                    language=language_name(enrolment.language),
                    identified=enrolment.person_id is not None or enrolment.staff_id is not None,
                )
            )
        days = [(day, day_label(day, zone)) for day in session.days.all()]
        context = {
            "session": session,
            "course": session.course,
            "title": title_of(session.course),
            "dates": dates_label(session),
            "place": place_label(session),
            "language": language_name(session.language),
            "zone": zone,
            "days": days,
            "places_left": enrolment_domain.places_left(session),
            "manages": manages,
            "teaches": self.user.has_perm(Permission.TEACH, session),
            "applied": by_status.get(EnrolmentStatus.APPLIED, []),
            "waiting": by_status.get(EnrolmentStatus.WAITING, []),
            "accepted": by_status.get(EnrolmentStatus.ACCEPTED, []),
            "finished": by_status.get(EnrolmentStatus.COMPLETED, [])
            + by_status.get(EnrolmentStatus.NOT_COMPLETED, []),
            "closed": by_status.get(EnrolmentStatus.DECLINED, [])
            + by_status.get(EnrolmentStatus.WITHDRAWN, []),
            "form": bound.get("edit") or (_session_form(session.course, session=session)
                                          if manages else None),
            "cancel_form": bound.get("cancel") or CancelSessionForm(),
        } | self.section_context(request, session)  # fmt: skip
        return render(request, "backoffice/training/session.html", context)


# --- Attendance --------------------------------------------------------------------------------


class AttendanceView(StaffView):
    """Attendance for one day of a session, made for a phone: one row per participant with
    three big choices (present, absent, excused). Saving records the rows marked."""

    permission = Permission.TEACH

    def _day(self, session_id: int, day_id: int) -> tuple[CourseSession, SessionDay]:
        session = get_session_for_user(self.user, session_id)
        if not self.user.has_perm(Permission.TEACH, session):
            raise PermissionDenied
        day = next((d for d in session.days.all() if d.pk == day_id), None)
        if day is None:
            raise Http404
        return session, day

    def _participants(
        self, session: CourseSession, day: SessionDay
    ) -> list[tuple[Enrolment, str, str]]:
        recorded = {mark.enrolment_id: mark.status for mark in day.attendance.all()}
        return [
            (enrolment, enrolment.name, recorded.get(enrolment.pk, ""))
            for enrolment in session.enrolments.filter(status__in=list(HOLDING)).order_by(
                "name", "pk"
            )
        ]

    def _render(
        self, request: HttpRequest, session: CourseSession, day: SessionDay, form: AttendanceForm
    ) -> HttpResponse:
        zone = zone_of(session)
        days = list(session.days.all())
        index = next(i for i, d in enumerate(days) if d.pk == day.pk)
        previous = days[index - 1] if index > 0 else None
        following = days[index + 1] if index + 1 < len(days) else None
        rows = [form[AttendanceForm.key(enrolment)] for enrolment, _n, _r in form.participants]
        return render(
            request,
            "backoffice/training/attendance.html",
            {
                "session": session,
                "title": title_of(session.course),
                "day": day,
                "day_label": day_label(day, zone),
                "number": index + 1,
                "count": len(days),
                "previous": previous,
                "following": following,
                "form": form,
                "rows": rows,
            },
        )

    def _form(self, session: CourseSession, day: SessionDay, data: Any = None) -> AttendanceForm:
        participants = self._participants(session, day)
        return AttendanceForm(data, participants=participants)

    def get(self, request: HttpRequest, session_id: int, day_id: int) -> HttpResponse:
        session, day = self._day(session_id, day_id)
        return self._render(request, session, day, self._form(session, day))

    def post(self, request: HttpRequest, session_id: int, day_id: int) -> HttpResponse:
        session, day = self._day(session_id, day_id)
        form = self._form(session, day, request.POST)
        if form.is_valid():
            try:
                count = teaching.record_attendance(
                    actor=self.user, day=day, marks=form.marks(), now=timezone.now()
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    ngettext(
                        "Attendance saved for %(count)d participant.",
                        "Attendance saved for %(count)d participants.",
                        count,
                    )
                    % {"count": count},
                )
                return redirect(
                    "backoffice:training_attendance", session_id=session.pk, day_id=day.pk
                )
        return self._render(request, session, day, form)


# --- One enrolment -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Match:
    person: Person
    label: str


def applicant_matches(user: User, enrolment: Enrolment) -> tuple[list[Match], bool]:
    """The records in ``user``'s scope with the applicant's phone or e-mail, to confirm one
    of; and whether a record outside the scope has one of them (said, never shown). The
    people app's duplicate check, by contact only: audited ``people.duplicates.looked_up``."""
    phones = (enrolment.phone,) if enrolment.phone else ()
    emails = (enrolment.email,) if enrolment.email else ()
    if not phones and not emails:
        return [], False
    found, elsewhere = duplicates_for_user(user, phones=phones, emails=emails)
    matches = []
    for duplicate in found:
        person = duplicate.person
        parts = [person.display_name]
        if person.birth_date:
            parts.append(format_date(person.birth_date, "short"))
        parts.append(person.unit.name)
        matches.append(Match(person, " · ".join(parts)))
    return matches, elsewhere


def _needs_person(enrolment: Enrolment) -> bool:
    return enrolment.person_id is None and enrolment.staff_id is None


def _decide_options(page: "EnrolmentView", enrolment: Enrolment) -> dict[str, Any]:
    matches, _elsewhere = page.matches(enrolment)
    return {
        "matches": [(m.person, m.label) for m in matches],
        "needs_person": _needs_person(enrolment),
    }


def _decide(act: Acting[Enrolment]) -> str:
    if act.obj.status not in (EnrolmentStatus.APPLIED, EnrolmentStatus.WAITING):
        raise Refused(_("This application was already decided."))
    data = act.data
    person: Person | None = None
    register: PersonDetails | None = None
    who = data.get("who") or ""
    if data["decision"] != "decline" and who == DecideForm.NEW:
        register = PersonDetails(
            given_names=data["given_names"], family_names=data["family_names"],
            birth_date=data["birth_date"], sex=data["sex"],
            nationalities=(data["nationality"],) if data["nationality"] else (),
            preferred_language=data["preferred_language"],
        )  # fmt: skip
    elif data["decision"] != "decline" and who:
        # Only a record offered on the page: the form's choices are the matches in scope.
        form = act.form
        assert isinstance(form, DecideForm)
        person = form.confirmed()
        if person is None:
            raise Refused(_("Choose one of the records listed."))
    decided = enrolment_domain.decide_application(
        actor=act.actor, enrolment=act.obj, decision=data["decision"], now=timezone.now(),
        person=person, register=register,
    )  # fmt: skip
    return _("Decided: %(status)s.") % {"status": decided.get_status_display()}


def _withdraw(act: Acting[Enrolment]) -> str:
    if act.obj.status not in OPEN:
        raise Refused(_("Only an open enrolment can be withdrawn."))
    enrolment_domain.withdraw(actor=act.actor, enrolment=act.obj, now=timezone.now())
    return _("The enrolment was withdrawn; a place it freed goes to the first person waiting.")


def _assess(act: Acting[Enrolment]) -> str:
    teaching.record_assessment(
        actor=act.actor, enrolment=act.obj, result=act.data["result"], score=act.data["score"],
        note=act.data["note"], now=timezone.now(),
    )  # fmt: skip
    return _("The assessment was recorded.")


def _outcome(completed: bool) -> Any:
    def perform(act: Acting[Enrolment]) -> str:
        try:
            done = teaching.mark_outcome(
                actor=act.actor, enrolment=act.obj, completed=completed, now=timezone.now()
            )
        except ValidationError as error:
            problems = " ".join(error.messages)
            if completed:
                problems = _("It cannot be marked completed yet: %(problems)s") % {
                    "problems": problems
                }
            raise Refused(problems) from error
        if done.status == EnrolmentStatus.COMPLETED:
            if certificate_of(done) is not None:
                return _("Marked completed; the certificate was issued and the person is told.")
            return _("Marked completed; the person is told.")
        return _("Marked as not completed; the person is told.")

    return perform


# The revoking form's fields get ids of their own: the assessment form on the same page has a
# "note" too, and a label must point at its own field.
REVOKE_AUTO_ID = "id_revoke_%s"


def _revoke(act: Acting[Enrolment]) -> str:
    certificate = certificate_of(act.obj)
    if certificate is None:
        raise Refused(_("This enrolment has no certificate."))
    if certificate.revoked_at is not None:
        raise Refused(_("This certificate was already revoked."))
    revoke_certificate(
        certificate=certificate, actor=act.actor, reason=RevocationReason(act.data["reason"]),
        note=act.data["note"], now=timezone.now(),
    )  # fmt: skip
    return _("The certificate was revoked: its verification page now says so.")


class EnrolmentView(GuardedActions, ActionPage[Enrolment], StaffView):
    """One enrolment: deciding it when it is an application (confirming whose record it is,
    within the officer's scope, or registering a new one), attendance and progress against
    the course's criteria, assessments, the outcome, and the certificate (its address to
    verify, the PDF, revoking it)."""

    permission = (Permission.MANAGE_TRAINING, Permission.TEACH)
    actions = ActionTable[Enrolment](
        Action("decide", DecideForm, _decide, "decision", options=_decide_options),
        Action("withdraw", forms.Form, _withdraw, "decision", shows_form=False),
        Action("assess", AssessmentForm, _assess, "progress"),
        Action("complete", forms.Form, _outcome(True), "outcome", shows_form=False),
        Action("not_complete", forms.Form, _outcome(False), "outcome", shows_form=False),
        Action("revoke", RevokeForm, _revoke, "certificate",
               options=lambda page, enrolment: {"auto_id": REVOKE_AUTO_ID}),
    )  # fmt: skip
    needs = dict.fromkeys(
        ("decide", "withdraw", "revoke"), Permission.MANAGE_TRAINING
    ) | dict.fromkeys(("assess", "complete", "not_complete"), Permission.TEACH)

    _matches: tuple[list[Match], bool] | None = None

    def matches(self, enrolment: Enrolment) -> tuple[list[Match], bool]:
        if self._matches is None:
            self._matches = (
                applicant_matches(self.user, enrolment)
                if _needs_person(enrolment) and self.user.has_perm(Permission.WORK_CASES)
                else ([], False)
            )
        return self._matches

    def action_object(self, request: HttpRequest, **kwargs: Any) -> Enrolment:
        return get_enrolment_for_user(self.user, kwargs["enrolment_id"])

    def page_url(self, obj: Enrolment) -> str:
        return reverse("backoffice:training_enrolment", kwargs={"enrolment_id": obj.pk})

    def get(self, request: HttpRequest, enrolment_id: int) -> HttpResponse:
        return self.render_page(request, self.action_object(request, enrolment_id=enrolment_id), {})

    def render_page(
        self, request: HttpRequest, obj: Enrolment, bound: Mapping[str, forms.Form]
    ) -> HttpResponse:
        enrolment = obj
        session = enrolment.session
        zone = zone_of(session)
        manages = self.user.has_perm(Permission.MANAGE_TRAINING, enrolment)
        teaches = self.user.has_perm(Permission.TEACH, enrolment)
        undecided = enrolment.status in (EnrolmentStatus.APPLIED, EnrolmentStatus.WAITING)
        matches, elsewhere = self.matches(enrolment) if manages and undecided else ([], False)
        decide_form = bound.get("decide")
        if decide_form is None and manages and undecided:
            decide_form = DecideForm(
                matches=[(m.person, m.label) for m in matches],
                needs_person=_needs_person(enrolment),
                initial={
                    "sex": enrolment.sex,
                    "nationality": enrolment.nationality,
                    "preferred_language": enrolment.language,
                },
            )
        marks = {mark.day_id: mark for mark in enrolment.attendance.all()}
        attendance = [
            (day_label(day, zone), marks[day.pk].get_status_display() if day.pk in marks else "")
            for day in session.days.all()
        ]
        holds_place = enrolment.status in HOLDING
        certificate = certificate_of(enrolment)
        context = {
            "enrolment": enrolment,
            "session": session,
            "title": title_of(session.course),
            "dates": dates_label(session),
            "language": language_name(enrolment.language),
            "person": enrolment.person if enrolment_person_visible(self.user, enrolment) else None,
            "manages": manages,
            "teaches": teaches,
            "undecided": undecided,
            "needs_person": _needs_person(enrolment),
            "matches": matches,
            "elsewhere": elsewhere,
            "decide_form": decide_form,
            "may_withdraw": manages and enrolment.status in OPEN,
            "holds_place": holds_place,
            "progress": teaching.progress_of(enrolment) if holds_place else None,
            "attendance": attendance,
            "assessments": list(enrolment.assessments.all()),
            "assess_form": bound.get("assess") or AssessmentForm(),
            "certificate": certificate,
            "verify_address": verify_page_url(certificate.pk, certificate.language)
            if certificate
            else "",
            "revoke_form": bound.get("revoke") or RevokeForm(auto_id=REVOKE_AUTO_ID),
        } | self.section_context(request, enrolment)
        return render(request, "backoffice/training/enrolment.html", context)


class CertificatePDFView(StaffView):
    """The PDF of a certificate, for who manages or teaches its session and for the member of
    staff who holds it (``get_enrolment_for_user``); none for a revoked certificate."""

    def get(self, request: HttpRequest, enrolment_id: int) -> HttpResponse:
        enrolment = get_enrolment_for_user(self.user, enrolment_id)
        certificate = certificate_of(enrolment)
        if certificate is None or certificate.revoked_at is not None:
            raise Http404
        response = HttpResponse(certificate_pdf(certificate), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="certificate-{certificate.pk}.pdf"'
        return response


# --- Enrolling a person from their record ----------------------------------------------------


class EnrolPersonView(StaffView):
    """Enrol a person (from their record's page, ``?person=<id>``) in an open session of a
    course for immigrants: accepted while places are free, else on the waiting list."""

    permission = Permission.ENROL_PEOPLE

    def _person(self, request: HttpRequest) -> Person | HttpResponse:
        try:
            return get_person_for_user(self.user, UUID(request.GET.get("person", "")))
        except ValueError as error:
            raise Http404 from error
        except PersonMergedAway as moved:
            query = urlencode({"person": str(moved.kept_id)})
            return redirect(f"{reverse('backoffice:training_enrol_person')}?{query}")

    def _sessions(self) -> tuple[QuerySet[CourseSession], dict[int, str]]:
        entries = public_catalogue(
            language=get_language() or "pt", audience=Audience.IMMIGRANTS, now=timezone.now()
        )
        sessions = [session for entry in entries for session in entry.sessions]
        labels = {session.pk: session_label(session) for session in sessions}
        return CourseSession.objects.filter(pk__in=labels), labels

    def _form(self, person: Person, data: Any = None) -> EnrolPersonForm:
        sessions, labels = self._sessions()
        return EnrolPersonForm(
            data,
            sessions=sessions,
            labels=labels,
            initial={"language": person.preferred_language},
        )

    def _render(self, request: HttpRequest, person: Person, form: EnrolPersonForm) -> HttpResponse:
        return render(
            request, "backoffice/training/enrol_person.html", {"person": person, "form": form}
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        person = self._person(request)
        if isinstance(person, HttpResponse):
            return person
        return self._render(request, person, self._form(person))

    def post(self, request: HttpRequest) -> HttpResponse:
        person = self._person(request)
        if isinstance(person, HttpResponse):
            return person
        if person.is_erased:
            raise Http404
        form = self._form(person, request.POST)
        if form.is_valid():
            try:
                enrolment = enrolment_domain.enrol_person(
                    actor=self.user, session=form.cleaned_data["session"], person=person,
                    now=timezone.now(), language=form.cleaned_data["language"],
                )  # fmt: skip
            except ValidationError as error:
                form.add_error(None, error)
            else:
                if enrolment.status == EnrolmentStatus.WAITING:
                    messages.success(
                        request, _("The session is full: the person is on its waiting list.")
                    )
                else:
                    messages.success(request, _("The person was enrolled; they are told."))
                url = reverse("backoffice:person_detail", kwargs={"person_id": person.pk})
                return redirect(f"{url}#training")
        return self._render(request, person, form)


# --- Staff: the catalogue, one's own training, records ---------------------------------------


class CatalogueView(StaffView):
    """The sessions staff and partner staff may enrol themselves in."""

    def _sessions(self) -> list[CourseSession]:
        return staff_catalogue(self.user, now=timezone.now())

    def _render(
        self,
        request: HttpRequest,
        sessions: Sequence[CourseSession],
        bound: EnrolSelfForm | None = None,
    ) -> HttpResponse:
        queryset = CourseSession.objects.filter(pk__in=[s.pk for s in sessions])
        rows = []
        shown = False
        for session in sessions:
            if bound is not None and bound.data.get("session") == str(session.pk):
                form, shown = bound, True
            else:
                form = EnrolSelfForm(
                    sessions=queryset, initial={"session": session.pk}, auto_id=f"s{session.pk}-%s"
                )
            rows.append(
                (session, title_of(session.course), session_label(session, with_course=False),
                 session_places_left(session), form)
            )  # fmt: skip
        return render(
            request,
            "backoffice/training/catalogue.html",
            # A refusal about a session no longer listed is said above the list.
            {"rows": rows, "refused": bound if bound is not None and not shown else None},
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request, self._sessions())

    def post(self, request: HttpRequest) -> HttpResponse:
        sessions = self._sessions()
        queryset = CourseSession.objects.filter(pk__in=[s.pk for s in sessions])
        form = EnrolSelfForm(
            request.POST, sessions=queryset, auto_id=f"s{request.POST.get('session', '')}-%s"
        )
        if form.is_valid():
            try:
                enrolment = enrolment_domain.enrol_self(
                    actor=self.user, session=form.cleaned_data["session"], now=timezone.now(),
                    sex=form.cleaned_data["sex"], nationality=form.cleaned_data["nationality"],
                )  # fmt: skip
            except ValidationError as error:
                form.add_error(None, error)
            else:
                if enrolment.status == EnrolmentStatus.WAITING:
                    messages.success(
                        request, _("The session is full: you are on its waiting list.")
                    )
                else:
                    messages.success(request, _("You are enrolled."))
                return redirect("backoffice:training_mine")
        return self._render(request, sessions, form)


@dataclass(frozen=True, slots=True)
class RecordRow:
    """One enrolment of a training record."""

    enrolment: Enrolment
    title: str
    dates: str
    certificate: Certificate | None
    verify_address: str
    may_open: bool = False
    """Whether the reader may open the enrolment's page (who manages or teaches it)."""


def record_rows(enrolments: Sequence[Enrolment], reader: User | None = None) -> list[RecordRow]:
    """The rows of a training record: a fixed number of queries, whatever its length (the
    certificates in one, each course's title once)."""
    certificates = {
        certificate.enrolment_id: certificate
        for certificate in Certificate.objects.filter(enrolment__in=[e.pk for e in enrolments])
    }
    titles: dict[int, str] = {}
    # Only for a role that manages or teaches: the others never open an enrolment's page.
    opens = reader is not None and bool(
        {Permission.TEACH, Permission.MANAGE_TRAINING} & reader.granted_permissions
    )
    rows = []
    for enrolment in enrolments:
        course = enrolment.session.course
        if course.pk not in titles:
            titles[course.pk] = title_of(course)
        certificate = certificates.get(enrolment.pk)
        rows.append(
            RecordRow(
                enrolment=enrolment,
                title=titles[course.pk],
                dates=dates_label(enrolment.session),
                certificate=certificate,
                verify_address=verify_page_url(certificate.pk, certificate.language)
                if certificate
                else "",
                may_open=opens
                and reader is not None
                and reader.has_perm(Permission.TEACH, enrolment.session),
            )
        )
    return rows


class MyTrainingView(StaffView):
    """The user's own enrolments and certificates, with the PDFs."""

    def get(self, request: HttpRequest) -> HttpResponse:
        rows = record_rows(training_record_of_staff(self.user, self.user))
        return render(request, "backoffice/training/mine.html", {"rows": rows})


class StaffRecordView(StaffView):
    """A colleague's training record, for who manages their account."""

    permission = Permission.MANAGE_STAFF

    def get(self, request: HttpRequest, username: str) -> HttpResponse:
        account = account_queries.get_staff_for_user(self.user, username)
        if not self.user.has_perm(Permission.MANAGE_STAFF, account):
            raise PermissionDenied
        rows = record_rows(training_record_of_staff(self.user, account), reader=self.user)
        return render(
            request, "backoffice/training/staff_record.html", {"account": account, "rows": rows}
        )


class UnitRecordView(StaffView):
    """A unit's (or a partner organisation's) training record: its staff's enrolments — all of
    them for its own staff managers and nationwide staff, those in their courses for who
    manages training (``training_record_of_unit``: 404 for anyone else)."""

    permission = (Permission.MANAGE_STAFF, Permission.MANAGE_TRAINING)

    def get(self, request: HttpRequest, slug: str) -> HttpResponse:
        unit = Unit.objects.filter(slug=slug).first()
        if unit is None:
            raise Http404
        rows = record_rows(training_record_of_unit(self.user, unit), reader=self.user)
        return render(request, "backoffice/training/unit_record.html", {"unit": unit, "rows": rows})


class MySessionsView(StaffView):
    """The sessions the trainer gives, each with its days' attendance sheets."""

    permission = Permission.TEACH

    def get(self, request: HttpRequest) -> HttpResponse:
        sessions = sessions_taught_by(self.user, now=timezone.now())
        rows = []
        for session in sessions:
            zone = zone_of(session)
            rows.append(
                (session, title_of(session.course), dates_label(session), place_label(session),
                 [(day, day_label(day, zone)) for day in session.days.all()])
            )  # fmt: skip
        return render(request, "backoffice/training/my_sessions.html", {"rows": rows})


# --- The person's page -----------------------------------------------------------------------


def person_training(user: User, person: Person) -> dict[str, Any]:
    """The "Training" section of a person's page (the page already reached the person
    through the scoping rule): their enrolments with certificates, and whether ``user`` may
    enrol them."""
    return {
        "training": record_rows(enrolments_of_person(user, person), reader=user),
        "may_enrol": user.has_perm(Permission.ENROL_PEOPLE) and not person.is_erased,
    }
