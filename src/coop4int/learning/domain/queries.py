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
from datetime import datetime, timedelta

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from coop4int.accounts.models import Unit, User
from coop4int.accounts.roles import Permission
from coop4int.content.domain.queries import published_revisions
from coop4int.content.models import ContentItem
from coop4int.core import audit
from coop4int.core.languages import fallback_chain
from coop4int.learning.enums import HOLDING, STAFF_AUDIENCES
from coop4int.learning.models import Course, CourseSession, Enrolment
from coop4int.people.models import Person
from coop4int.people.scope import person_in_scope

# How long after its last day a session stays on its trainer's list (outcomes to record).
TAUGHT_LIST_DAYS = 60


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
    # False: nothing is published yet, this is the source text as it stands (staff pages).
    published: bool = True

    @property
    def is_fallback(self) -> bool:
        return self.language != self.asked


@dataclass(frozen=True, slots=True)
class CatalogueEntry:
    """One course of the public catalogue, with its sessions still open for applications."""

    course: Course
    text: CourseText
    sessions: list[CourseSession]


def _text_of(course: Course, published: dict[str, object], language: str) -> CourseText:
    item: ContentItem = course.description
    available = tuple(sorted(published))
    for candidate in (*fallback_chain(language), item.source_language):
        revision = published.get(candidate)
        if revision is not None:
            return CourseText(
                title=revision.title,  # type: ignore[attr-defined]
                summary=revision.summary,  # type: ignore[attr-defined]
                body=revision.body,  # type: ignore[attr-defined]
                language=candidate,
                asked=language,
                available=available,
            )
    source = item.translations.filter(language=item.source_language).first()
    return CourseText(
        title=source.title if source else course.slug,
        summary=source.summary if source else "",
        body=source.body if source else "",
        language=item.source_language,
        asked=language,
        available=available,
        published=False,
    )


def course_text(course: Course, language: str) -> CourseText:
    """The course's title and description for a reader of ``language``: its published text in
    that language or the nearest fallback (``is_fallback``); when none is published yet, the
    source text as it stands (``published`` False — for staff, never the public)."""
    published = published_revisions(ContentItem.objects.filter(pk=course.description_id))
    return _text_of(course, published.get(course.description_id, {}), language)  # type: ignore[arg-type]


def _open_sessions(*, now: datetime) -> QuerySet[CourseSession]:
    """Sessions taking applications: not cancelled, open, not yet begun."""
    return CourseSession.objects.filter(
        cancelled_at__isnull=True, accepts_applications=True, starts_at__gt=now
    )


def _with_places(sessions: QuerySet[CourseSession]) -> QuerySet[CourseSession]:
    """Each session with ``held`` (places taken), for ``places_left`` without a query each."""
    return sessions.annotate(held=Count("enrolments", filter=Q(enrolments__status__in=HOLDING)))


def public_catalogue(
    *,
    language: str,
    audience: str | None = None,
    island: str | None = None,
    taught_in: str | None = None,
    upcoming_only: bool = True,
    now: datetime,
) -> list[CatalogueEntry]:
    """The courses in the public catalogue (``published``, with a published text), each in the
    reader's language or its fallback, with its sessions open for applications. Filters:
    ``audience`` (an ``Audience``), ``island`` (of the session's place), ``taught_in`` (the
    session's language). With a filter on sessions or ``upcoming_only``, only courses with a
    matching session are listed. Ordered by the next session, then title."""
    courses = list(
        Course.objects.filter(published=True).select_related("description", "organisation", "unit")
    )
    if audience:
        courses = [course for course in courses if audience in course.audiences]
    items = ContentItem.objects.filter(pk__in=[course.description_id for course in courses])
    published = published_revisions(items)
    courses = [course for course in courses if published.get(course.description_id)]
    sessions = _with_places(_open_sessions(now=now).filter(course__in=courses)).select_related(
        "location"
    )
    if island:
        sessions = sessions.filter(location__island=island)
    if taught_in:
        sessions = sessions.filter(language=taught_in)
    by_course: dict[int, list[CourseSession]] = {}
    for session in sessions.order_by("starts_at", "pk"):
        by_course.setdefault(session.course_id, []).append(session)
    need_session = upcoming_only or bool(island) or bool(taught_in)
    entries = [
        CatalogueEntry(
            course=course,
            text=_text_of(course, published[course.description_id], language),  # type: ignore[arg-type]
            sessions=by_course.get(course.pk, []),
        )
        for course in courses
        if by_course.get(course.pk) or not need_session
    ]
    far = now + timedelta(days=365 * 100)
    entries.sort(
        key=lambda entry: (
            entry.sessions[0].starts_at if entry.sessions else far,
            entry.text.title.casefold(),
        )
    )
    return entries


def public_course(slug: str) -> Course:
    """A course of the public catalogue; 404 when it is not published or has no published
    text."""
    course = (
        Course.objects.select_related("description", "organisation", "unit")
        .filter(slug=slug, published=True)
        .first()
    )
    if course is None:
        raise Http404
    if not published_revisions(ContentItem.objects.filter(pk=course.description_id)):
        raise Http404
    return course


def open_sessions(course: Course, *, now: datetime) -> list[CourseSession]:
    """The sessions of ``course`` taking applications, soonest first, with their place and
    ``held`` (places taken)."""
    sessions = _with_places(_open_sessions(now=now).filter(course=course))
    return list(sessions.select_related("location").order_by("starts_at", "pk"))


def session_places_left(session: CourseSession) -> int:
    """Places left, from the ``held`` annotation when the session has it."""
    held = getattr(session, "held", None)
    if held is None:
        held = session.enrolments.filter(status__in=HOLDING).count()
    return max(session.capacity - held, 0)


# --- Staff --------------------------------------------------------------------------------------


def _managed(user: User) -> Q | None:
    """Which courses ``user`` manages, as a filter on courses (None: none)."""
    if not getattr(user, "is_authenticated", False):
        return None
    if Permission.MANAGE_TRAINING not in user.granted_permissions:
        return None
    if user.is_nationwide:
        return Q()
    if user.unit_id is None:
        return None
    return Q(unit_id=user.unit_id)


def _teaches(user: User) -> bool:
    return getattr(user, "is_authenticated", False) and Permission.TEACH in user.granted_permissions


def courses_for_user(user: User) -> QuerySet[Course]:
    """The courses ``user`` manages (their unit's, or all nationwide), and those of which they
    train a session."""
    managed = _managed(user)
    taught = Q(sessions__trainer_id=user.pk) if _teaches(user) else None
    if managed is None and taught is None:
        return Course.objects.none()
    if managed is not None and not managed.children:
        return Course.objects.all().select_related("description", "unit")
    condition = Q(pk__in=[])
    for part in (managed, taught):
        if part is not None:
            condition |= part
    return Course.objects.filter(condition).distinct().select_related("description", "unit")


def get_course_for_user(user: User, course_id: int) -> Course:
    """One course of ``courses_for_user``; 404 otherwise."""
    course = courses_for_user(user).filter(pk=course_id).first()
    if course is None:
        raise Http404
    return course


def sessions_for_user(user: User) -> QuerySet[CourseSession]:
    """The sessions of the courses ``user`` manages, and those they train."""
    managed = _managed(user)
    taught = Q(trainer_id=user.pk) if _teaches(user) else None
    if managed is None and taught is None:
        return CourseSession.objects.none()
    condition = Q(pk__in=[])
    if managed is not None:
        condition |= Q(course__in=Course.objects.filter(managed).values("pk"))
    if taught is not None:
        condition |= taught
    return CourseSession.objects.filter(condition).select_related(
        "course__description", "course__unit", "location", "trainer"
    )


def get_session_for_user(user: User, session_id: int) -> CourseSession:
    """One session ``user`` may manage or teach (``Permission.TEACH`` on it); 404 otherwise."""
    session = (
        CourseSession.objects.select_related(
            "course__description", "course__unit", "location", "trainer"
        )
        .filter(pk=session_id)
        .first()
    )
    if session is None or not user.has_perm(Permission.TEACH, session):
        raise Http404
    return session


def enrolments_for_user(user: User) -> QuerySet[Enrolment]:
    """The enrolments of the sessions ``user`` manages or trains."""
    return Enrolment.objects.filter(session__in=sessions_for_user(user).values("pk"))


def get_enrolment_for_user(user: User, enrolment_id: int) -> Enrolment:
    """One enrolment of a session ``user`` manages or teaches, or their own (a member of staff
    enrolled); 404 otherwise. Whether the person's record may be shown is
    ``enrolment_person_visible``.

    Side effects: audit ``learning.enrolment.viewed`` when the enrolment names a person's
    record (whether the record is visible to the user)."""
    enrolment = (
        Enrolment.objects.select_related(
            "session__course__description",
            "session__course__unit",
            "session__location",
            "session__trainer",
            "person",
            "staff",
        )
        .filter(pk=enrolment_id)
        .first()
    )
    if enrolment is None:
        raise Http404
    own = enrolment.staff_id is not None and enrolment.staff_id == user.pk
    if not own and not user.has_perm(Permission.TEACH, enrolment.session):
        raise Http404
    if enrolment.person_id is not None:
        audit.record(
            action="learning.enrolment.viewed",
            actor=user,
            obj=enrolment,
            data={"person_visible": enrolment_person_visible(user, enrolment)},
        )
    return enrolment


def enrolment_person_visible(user: User, enrolment: Enrolment) -> bool:
    """Whether ``user`` may see the record of the person ``enrolment`` names (and link to it):
    the scoping rule. A trainer sees the participant's name as the enrolment holds it, not
    the record."""
    return enrolment.person is not None and person_in_scope(user, enrolment.person)


def sessions_taught_by(user: User, *, now: datetime) -> list[CourseSession]:
    """The sessions ``user`` trains that are not cancelled and not over by more than
    ``TAUGHT_LIST_DAYS`` (outcomes may still be recorded), soonest first."""
    if not _teaches(user):
        return []
    since = now - timedelta(days=TAUGHT_LIST_DAYS)
    sessions = (
        CourseSession.objects.filter(trainer_id=user.pk, cancelled_at__isnull=True)
        .filter(Q(ends_at__isnull=True) | Q(ends_at__gte=since))
        .select_related("course__description", "course__unit", "location")
        .order_by("starts_at", "pk")
    )
    return list(_with_places(sessions))


def enrolments_of_person(user: User, person: Person) -> list[Enrolment]:
    """The enrolments of ``person`` (already fetched through the scoping rule; checked again),
    newest first, for their page and timeline. Empty outside scope."""
    if not person_in_scope(user, person):
        return []
    return list(
        Enrolment.objects.filter(person=person)
        .select_related("session__course__description", "session__location")
        .order_by("-created_at", "-pk")
    )


def staff_catalogue(user: User, *, now: datetime) -> list[CourseSession]:
    """Sessions ``user`` (staff of the network or of a partner organisation) may enrol
    themselves in: of published courses for staff, civil society or local authorities, taking
    applications, soonest first, each with ``held`` places."""
    if not getattr(user, "is_authenticated", False) or not user.has_perm(Permission.USE_BACKOFFICE):
        return []
    sessions = (
        _with_places(_open_sessions(now=now).filter(course__published=True))
        .select_related("course__description", "course__unit", "location")
        .order_by("starts_at", "pk")
    )
    return [s for s in sessions if STAFF_AUDIENCES & set(s.course.audiences)]


def _record(enrolments: QuerySet[Enrolment]) -> list[Enrolment]:
    return list(
        enrolments.select_related(
            "session__course__description", "session__location", "staff"
        ).order_by("-created_at", "-pk")
    )


def training_record_of_staff(user: User, staff: User) -> list[Enrolment]:
    """A member of staff's training: their own, or a colleague's for those who manage staff
    (``MANAGE_STAFF`` on them); 404 otherwise."""
    if staff.pk != user.pk and not user.has_perm(Permission.MANAGE_STAFF, staff):
        raise Http404
    return _record(Enrolment.objects.filter(staff=staff))


def training_record_of_unit(user: User, unit: Unit) -> list[Enrolment]:
    """The training of the staff of ``unit`` (of the network, or a partner organisation's):
    for its own staff managers (``MANAGE_STAFF``) and for nationwide staff all of it; for those
    who manage training elsewhere, what the unit's staff took in the courses they manage. 404
    for anyone else."""
    enrolments = Enrolment.objects.filter(staff__unit=unit)
    if user.is_authenticated and user.is_nationwide:
        return _record(enrolments)
    if user.unit_id == unit.pk and Permission.MANAGE_STAFF in user.granted_permissions:
        return _record(enrolments)
    if _managed(user) is not None and user.unit_id is not None:
        return _record(enrolments.filter(session__course__unit_id=user.unit_id))
    raise Http404
