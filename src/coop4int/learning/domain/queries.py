"""Reads of the training app: the public catalogue, and for staff the courses, sessions and
enrolments a user may see, each fetched and authorised in one call.

Who sees what (``learning.rules``):

- a course, its sessions and their enrolments: ``MANAGE_TRAINING`` for the course's unit (or
  nationwide); a session and its enrolments also its trainer (``TEACH``);
- an enrolment naming a person's record: the participant's name as the enrolment holds it to
  those who manage or teach its session (the trainer needs it for attendance); the record
  itself only through ``people.scope`` (``person_in_scope``) — views show the link to the
  record only when ``enrolment_person_visible`` says so.

Anything outside answers ``Http404``, never a different error that would tell it exists."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet

from coop4int.accounts.models import Unit, User
from coop4int.learning.models import Course, CourseSession, Enrolment
from coop4int.people.models import Person


@dataclass(frozen=True, slots=True)
class CourseText:
    """A course's title and description as a reader of ``asked`` sees it: the published text
    in ``language`` (``asked`` or a fallback)."""

    title: str
    summary: str
    body: str
    language: str
    asked: str
    available: tuple[str, ...] = ()

    @property
    def is_fallback(self) -> bool:
        return self.language != self.asked


@dataclass(frozen=True, slots=True)
class CatalogueEntry:
    """One course of the public catalogue, with its sessions still open for applications."""

    course: Course
    text: CourseText
    sessions: list[CourseSession]


def course_text(course: Course, language: str) -> CourseText:
    raise NotImplementedError


def public_catalogue(
    *,
    language: str,
    audience: str | None = None,
    island: str | None = None,
    taught_in: str | None = None,
    upcoming_only: bool = True,
    now: datetime,
) -> list[CatalogueEntry]:
    raise NotImplementedError


def public_course(slug: str) -> Course:
    raise NotImplementedError


def open_sessions(course: Course, *, now: datetime) -> list[CourseSession]:
    raise NotImplementedError


def courses_for_user(user: User) -> QuerySet[Course]:
    raise NotImplementedError


def get_course_for_user(user: User, course_id: int) -> Course:
    raise NotImplementedError


def sessions_for_user(user: User) -> QuerySet[CourseSession]:
    raise NotImplementedError


def get_session_for_user(user: User, session_id: int) -> CourseSession:
    raise NotImplementedError


def enrolments_for_user(user: User) -> QuerySet[Enrolment]:
    raise NotImplementedError


def get_enrolment_for_user(user: User, enrolment_id: int) -> Enrolment:
    raise NotImplementedError


def enrolment_person_visible(user: User, enrolment: Enrolment) -> bool:
    raise NotImplementedError


def sessions_taught_by(user: User, *, now: datetime) -> list[CourseSession]:
    raise NotImplementedError


def enrolments_of_person(user: User, person: Person) -> list[Enrolment]:
    raise NotImplementedError


def staff_catalogue(user: User, *, now: datetime) -> list[CourseSession]:
    raise NotImplementedError


def training_record_of_staff(user: User, staff: User) -> list[Enrolment]:
    raise NotImplementedError


def training_record_of_unit(user: User, unit: Unit) -> list[Enrolment]:
    raise NotImplementedError
