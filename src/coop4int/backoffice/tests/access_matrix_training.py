"""The training pages in the access matrix (``test_access_matrix.py``): their GET rows, the
objects their addresses name, and a POST row for every action they take.

The objects (``TrainingObjects``) are Praia's: a published course for immigrants, managed by
Praia's coordinators and the administrators, with a session that began an hour before the
matrix's clock (its one day has begun: attendance may be taken and the outcome recorded) given
by a trainer of Praia, and a session to come that takes applications; a published course for
staff with a session to come (the staff catalogue). Enrolments in the states each action needs:
an application from the public site naming no record, a person on the waiting list, an accepted
participant, one ready to be marked completed, and one with a certificate.

A trainer reaches a session, its attendance sheets and its enrolments only when they give it:
an account made for the matrix gives none, so these pages answer it 404 even from the
session's unit (``NOT_THEIRS``). The POST rows are posted by the session's own trainer (a
trainer of Praia posting becomes the trainer of Praia's sessions first, ``_teaching``): the
teaching actions are theirs, the managers' ones answer them 403."""

from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from functools import cached_property
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.test import override_settings
from django.urls import reverse

from coop4int.accounts.enums import Role
from coop4int.accounts.models import Unit, User
from coop4int.accounts.tests.factories import StaffFactory
from coop4int.learning.enums import (
    AssessmentResult,
    AttendanceStatus,
    Audience,
    EnrolmentStatus,
)
from coop4int.learning.models import Attendance, Certificate, Course, CourseSession, Enrolment
from coop4int.learning.tests.credential_fixtures import SEED_A, issued, use_keys
from coop4int.learning.tests.factories import (
    CourseFactory,
    CourseSessionFactory,
    EnrolmentFactory,
    completable,
)

ALL = set(Role)
TRAINING_MANAGERS = {Role.ADMINISTRATOR, Role.UNIT_COORDINATOR}
TEACHERS = TRAINING_MANAGERS | {Role.TRAINER}
ENROLLERS = TRAINING_MANAGERS | {Role.FRONT_OFFICE_OFFICER}
STAFF_MANAGERS = {Role.ADMINISTRATOR, Role.UNIT_COORDINATOR}
STATISTICS_READERS = {Role.ADMINISTRATOR, Role.UNIT_COORDINATOR, Role.ANALYST}
# The matrix's scopes of a POST row.
OBJECT, FILTERED, OWN = "object", "filtered", "own"
# A manager's action on a session or an enrolment: 403 for the session's own trainer.
NOT_THE_TRAINERS = frozenset({Role.TRAINER})


def _signing_keys() -> dict[str, Any]:
    keys = SimpleNamespace()
    use_keys(keys, SEED_A)
    return vars(keys)


# What issuing a certificate needs (the tests' settings have no signing key).
TRAINING_SETTINGS: dict[str, Any] = _signing_keys()

# url name → (method, roles allowed, whether the object is scoped to a unit), as ``MATRIX``.
TRAINING_MATRIX: dict[str, tuple[str, set[Role], bool]] = {
    "backoffice:training_courses": ("get", TRAINING_MANAGERS, False),
    "backoffice:training_course_new": ("get", TRAINING_MANAGERS, False),
    "backoffice:training_course": ("get", TRAINING_MANAGERS, True),
    "backoffice:training_session_new": ("get", TRAINING_MANAGERS, True),
    "backoffice:training_session": ("get", TEACHERS, True),
    "backoffice:training_attendance": ("get", TEACHERS, True),
    "backoffice:training_enrolment": ("get", TEACHERS, True),
    # For who manages or teaches the session, and for the member of staff who holds it.
    "backoffice:training_certificate_pdf": ("get", ALL, True),
    # Scoped by the person enrolled (``?person=``).
    "backoffice:training_enrol_person": ("get", ENROLLERS, True),
    "backoffice:training_catalogue": ("get", ALL, False),
    "backoffice:training_mine": ("get", ALL, False),
    "backoffice:training_my_sessions": ("get", TEACHERS, False),
    "backoffice:training_staff_record": ("get", STAFF_MANAGERS, True),
    # Another unit's training manager reads the unit's record in their own courses only.
    "backoffice:training_unit_record": ("get", STAFF_MANAGERS, False),
    # Another unit's figures (``?unit=``) answer 404; without it, the reader's own.
    "backoffice:training_statistics": ("get", STATISTICS_READERS, False),
    "backoffice:training_statistics_csv": ("get", STATISTICS_READERS, False),
}
# url name → roles that pass the page's door but reach only their own objects: an account made
# for the matrix has none, so the page answers 404 even from the object's unit.
NOT_THEIRS: dict[str, set[Role]] = {
    "backoffice:training_session": {Role.TRAINER},
    "backoffice:training_attendance": {Role.TRAINER},
    "backoffice:training_enrolment": {Role.TRAINER},
    "backoffice:training_certificate_pdf": ALL - TRAINING_MANAGERS,
}


def _wall(now: datetime, zone: str, days: int, hour: int) -> datetime:
    """``hour`` o'clock, ``days`` days after ``now``, in ``zone``."""
    day = (now.astimezone(ZoneInfo(zone)) + timedelta(days=days)).date()
    return datetime(day.year, day.month, day.day, hour, tzinfo=ZoneInfo(zone))


class TrainingObjects:
    """Praia's courses, sessions and enrolments at ``now`` (see the module), each made when
    first asked for; ``made()`` makes them all."""

    def __init__(self, unit: Unit, now: datetime, colleague: User | None = None) -> None:
        self.unit, self.now, self.colleague = unit, now, colleague

    def made(self) -> "TrainingObjects":
        for name in ("day", "application", "waiting", "accepted", "completable", "certificate",
                     "open_session", "staff_session", "staff_enrolment"):  # fmt: skip
            getattr(self, name)
        return self

    @cached_property
    def trainer(self) -> User:
        return StaffFactory(
            unit=self.unit, roles=[Role.TRAINER], username="formador",
            first_name="Rui", last_name="Tavares",
        )  # fmt: skip

    @cached_property
    def course(self) -> Course:
        return CourseFactory(unit=self.unit, title="Português para o trabalho", slug="portugues")

    @cached_property
    def session(self) -> CourseSession:
        """Begun an hour ago, for three hours: its one day is also its last."""
        return CourseSessionFactory(
            course=self.course, trainer=self.trainer,
            days=[(self.now - timedelta(hours=1), self.now + timedelta(hours=2))],
        )  # fmt: skip

    @property
    def day(self) -> Any:
        return self.session.days.get()

    @cached_property
    def open_session(self) -> CourseSession:
        """A week from now, taking applications."""
        start = _wall(self.now, self.unit.time_zone, 7, 9)
        return CourseSessionFactory(
            course=self.course, trainer=self.trainer, days=[(start, start + timedelta(hours=3))]
        )

    @property
    def open_day(self) -> datetime:
        """The open session's day, in its place's time zone."""
        start = self.open_session.days.get().starts_at
        return start.astimezone(ZoneInfo(self.open_session.location.time_zone))

    @cached_property
    def staff_session(self) -> CourseSession:
        """A session to come of a course for the network's staff (the staff catalogue)."""
        start = _wall(self.now, self.unit.time_zone, 10, 14)
        return CourseSessionFactory(
            course=CourseFactory(unit=self.unit, title="Acolher migrantes", slug="acolher",
                                 audiences=[Audience.STAFF.value]),
            days=[(start, start + timedelta(hours=3))],
        )  # fmt: skip

    @cached_property
    def staff_enrolment(self) -> Enrolment | None:
        """The colleague's, in the staff course (their training record)."""
        if self.colleague is None:
            return None
        return EnrolmentFactory(session=self.staff_session, staff_member=True, staff=self.colleague)

    @cached_property
    def application(self) -> Enrolment:
        """From the public site, naming no record: to be decided on its page."""
        return EnrolmentFactory(session=self.open_session, applied=True, name="Fatou Sow")

    @cached_property
    def waiting(self) -> Enrolment:
        """A person's record on the waiting list: decided with the session page's buttons."""
        return EnrolmentFactory(session=self.open_session, status=EnrolmentStatus.WAITING)

    @cached_property
    def accepted(self) -> Enrolment:
        return EnrolmentFactory(session=self.session)

    @cached_property
    def completable(self) -> Enrolment:
        """Present on the day, with a passed assessment."""
        return completable(EnrolmentFactory(session=self.session))

    @cached_property
    def certificate(self) -> Certificate:
        with override_settings(**TRAINING_SETTINGS):
            return issued(now=self.now, session=self.session)


# --- GET: the addresses ---------------------------------------------------------------------


def training_url(name: str, target: dict[str, Any]) -> str:
    """The address of the training page ``name`` with the matrix's objects (``target``: its
    objects, with these under ``"training"``)."""
    made: TrainingObjects = target["training"]
    if name in {"backoffice:training_course", "backoffice:training_session_new"}:
        return reverse(name, args=[made.course.pk])
    if name == "backoffice:training_session":
        return reverse(name, args=[made.session.pk])
    if name == "backoffice:training_attendance":
        return reverse(name, args=[made.session.pk, made.day.pk])
    if name == "backoffice:training_enrolment":
        return reverse(name, args=[made.application.pk])
    if name == "backoffice:training_certificate_pdf":
        return reverse(name, args=[made.certificate.enrolment_id])
    if name == "backoffice:training_enrol_person":
        return f"{reverse(name)}?{urlencode({'person': target['person'].pk})}"
    if name == "backoffice:training_staff_record":
        return reverse(name, args=[target["colleague"].username])
    if name == "backoffice:training_unit_record":
        return reverse(name, args=[target["unit"].slug])
    return reverse(name)


# --- POST: every action ---------------------------------------------------------------------


def training(t: Any) -> TrainingObjects:
    """The training objects of the matrix's POST objects ``t`` (a ``PostTarget``), kept with
    them (so that a test's copy of ``t`` has its own)."""
    made = t.__dict__.get("training")
    if made is None:
        made = t.__dict__["training"] = TrainingObjects(t.unit, t.now, t.colleague)
    return made


def _teaching(t: Any, user: User) -> TrainingObjects:
    """A trainer of the course's unit posting is the trainer of its sessions."""
    made = training(t)
    if Role.TRAINER in user.roles and user.unit_id == t.unit.pk:
        made.course.sessions.update(trainer=user)
    return made


def _posting(t: Any, user: User, data: dict[str, Any]) -> dict[str, Any]:
    """``data``, posted by ``user`` (the sessions' trainer if they are a trainer of Praia)."""
    _teaching(t, user)
    return data


def _fresh(obj: Any) -> Any:
    obj.refresh_from_db()
    return obj


def _status(enrolment: Enrolment) -> str:
    return _fresh(enrolment).status


COURSE_SETTINGS = {
    "audiences": [Audience.IMMIGRANTS.value], "languages": ["pt"], "mode": "in_person",
    "min_attendance_percent": "80", "assessment_required": "on", "certificate": "on",
    "published": "on",
}  # fmt: skip


def _days(start: datetime) -> dict[str, str]:
    """A session's days formset with one day, ``start`` to three hours later (wall clock)."""
    return {
        "days-TOTAL_FORMS": "1", "days-INITIAL_FORMS": "0",
        "days-0-day": start.date().isoformat(), "days-0-starts": start.strftime("%H:%M"),
        "days-0-ends": (start + timedelta(hours=3)).strftime("%H:%M"),
    }  # fmt: skip


def _session_form(t: Any, user: User, capacity: int, start: datetime) -> dict[str, Any]:
    made = _teaching(t, user)
    return {"language": "pt", "capacity": str(capacity),
            "location": str(made.open_session.location_id), **_days(start)}  # fmt: skip


def _session_url(t: Any) -> str:
    return reverse("backoffice:training_session", args=[training(t).open_session.pk])


def _enrolment_url(enrolment: Callable[[TrainingObjects], Enrolment]) -> Callable[[Any], str]:
    return lambda t: reverse("backoffice:training_enrolment", args=[enrolment(training(t)).pk])


def training_post_rows(row: Callable[..., Any]) -> dict[str, Any]:
    """The POST rows of the training pages, made with the matrix's ``PostRow`` (``row``)."""
    return {
        # The unit posted is among another unit's coordinator's choices only for an
        # administrator.
        "backoffice:training_course_new:create": row(
            lambda t: reverse("backoffice:training_course_new"), TRAINING_MANAGERS, FILTERED,
            lambda t, u: COURSE_SETTINGS | {
                "slug": "curso-novo", "unit": t.unit.slug, "source_language": "pt",
                "title": "Curso novo", "hours": "10"},
            lambda t, u: Course.objects.filter(slug="curso-novo", unit=t.unit).exists(),
        ),
        "backoffice:training_course:settings": row(
            lambda t: reverse("backoffice:training_course", args=[training(t).course.pk]),
            TRAINING_MANAGERS, OBJECT,
            lambda t, u: COURSE_SETTINGS | {"action": "settings", "hours": "20"},
            lambda t, u: _fresh(training(t).course).hours == Decimal("20"),
        ),
        "backoffice:training_session_new:add": row(
            lambda t: reverse("backoffice:training_session_new", args=[training(t).course.pk]),
            TRAINING_MANAGERS, OBJECT,
            lambda t, u: _session_form(t, u, 8, training(t).open_day + timedelta(days=7)),
            lambda t, u: training(t).course.sessions.filter(capacity=8).exists(),
        ),
        # The session's trainer may not change it, cancel it or decide its applications
        # (``forbidden``: 403), nor withdraw an enrolment or revoke a certificate.
        "backoffice:training_session:edit": row(
            _session_url, TEACHERS, OBJECT,
            lambda t, u: _session_form(t, u, 12, training(t).open_day) | {
                "action": "edit", "trainer": str(training(t).trainer.pk),
                "accepts_applications": "on"},
            lambda t, u: _fresh(training(t).open_session).capacity == 12,
            forbidden=NOT_THE_TRAINERS,
        ),
        "backoffice:training_session:cancel": row(
            _session_url, TEACHERS, OBJECT,
            lambda t, u: _posting(t, u, {"action": "cancel", "confirm": "on"}),
            lambda t, u: _fresh(training(t).open_session).cancelled_at is not None,
            forbidden=NOT_THE_TRAINERS,
        ),
        "backoffice:training_session:decide": row(
            _session_url, TEACHERS, OBJECT,
            lambda t, u: {"action": "decide", "enrolment": str(_teaching(t, u).waiting.pk),
                          "decision": "accept"},
            lambda t, u: _status(training(t).waiting) == EnrolmentStatus.ACCEPTED,
            forbidden=NOT_THE_TRAINERS,
        ),
        "backoffice:training_attendance:mark": row(
            lambda t: reverse("backoffice:training_attendance",
                              args=[training(t).session.pk, training(t).day.pk]),
            TEACHERS, OBJECT,
            lambda t, u: {f"mark-{_teaching(t, u).accepted.pk}": AttendanceStatus.PRESENT.value},
            lambda t, u: Attendance.objects.filter(
                enrolment=training(t).accepted, day=training(t).day,
                status=AttendanceStatus.PRESENT,
            ).exists(),
        ),
        # An application from the public site, accepted with a new record registered for it.
        "backoffice:training_enrolment:decide": row(
            _enrolment_url(lambda made: made.application), TEACHERS, OBJECT,
            lambda t, u: _posting(t, u, {"action": "decide", "decision": "accept", "who": "new",
                          "given_names": "Fatou", "family_names": "Sow", "sex": "not_stated",
                          "preferred_language": "fr"}),
            lambda t, u: _status(training(t).application) == EnrolmentStatus.ACCEPTED
            and training(t).application.person_id is not None,
            forbidden=NOT_THE_TRAINERS,
        ),
        "backoffice:training_enrolment:withdraw": row(
            _enrolment_url(lambda made: made.accepted), TEACHERS, OBJECT,
            lambda t, u: _posting(t, u, {"action": "withdraw"}),
            lambda t, u: _status(training(t).accepted) == EnrolmentStatus.WITHDRAWN,
            forbidden=NOT_THE_TRAINERS,
        ),
        "backoffice:training_enrolment:assess": row(
            _enrolment_url(lambda made: made.accepted), TEACHERS, OBJECT,
            lambda t, u: _posting(t, u, {"action": "assess",
                                         "result": AssessmentResult.PASSED.value}),
            lambda t, u: training(t).accepted.assessments.filter(
                result=AssessmentResult.PASSED, recorded_by=u
            ).exists(),
        ),
        "backoffice:training_enrolment:complete": row(
            _enrolment_url(lambda made: made.completable), TEACHERS, OBJECT,
            lambda t, u: _posting(t, u, {"action": "complete"}),
            lambda t, u: _status(training(t).completable) == EnrolmentStatus.COMPLETED
            and Certificate.objects.filter(enrolment=training(t).completable).exists(),
        ),
        "backoffice:training_enrolment:not_complete": row(
            _enrolment_url(lambda made: made.accepted), TEACHERS, OBJECT,
            lambda t, u: _posting(t, u, {"action": "not_complete"}),
            lambda t, u: _status(training(t).accepted) == EnrolmentStatus.NOT_COMPLETED,
        ),
        "backoffice:training_enrolment:revoke": row(
            _enrolment_url(lambda made: made.certificate.enrolment), TEACHERS, OBJECT,
            lambda t, u: _posting(t, u, {"action": "revoke", "reason": "fraud"}),
            lambda t, u: _fresh(training(t).certificate).revoked_at is not None,
            forbidden=NOT_THE_TRAINERS,
        ),
        # Scoped by the person: another unit's officer does not reach Aminata's record.
        "backoffice:training_enrol_person:enrol": row(
            lambda t: f"{reverse('backoffice:training_enrol_person')}?"
            f"{urlencode({'person': t.person.pk})}",
            ENROLLERS, OBJECT,
            lambda t, u: {"session": str(training(t).open_session.pk), "language": "pt"},
            lambda t, u: Enrolment.objects.filter(
                person=t.person, session=training(t).open_session
            ).exists(),
        ),
        "backoffice:training_catalogue:enrol": row(
            lambda t: reverse("backoffice:training_catalogue"), ALL, OWN,
            lambda t, u: {"session": str(training(t).staff_session.pk)},
            lambda t, u: Enrolment.objects.filter(
                staff=u, session=training(t).staff_session
            ).exists(),
        ),
    }  # fmt: skip
