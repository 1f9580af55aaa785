"""Reads of the training app: the public catalogue in the reader's language with its filters,
and for staff what their role and scope let them see — 404 for anything else, the person's
record only within the scoping rule, and opening an enrolment that names a person audited."""

from datetime import timedelta

import pytest
from django.http import Http404

from coop4int.accounts.enums import Role
from coop4int.content.enums import TranslationStatus
from coop4int.core.models import AuditEntry
from coop4int.directory.tests.factories import LocationFactory
from coop4int.learning.domain.queries import (
    course_text,
    courses_for_user,
    enrolment_person_visible,
    enrolments_for_user,
    enrolments_of_person,
    get_course_for_user,
    get_enrolment_for_user,
    get_session_for_user,
    open_sessions,
    public_catalogue,
    public_course,
    session_places_left,
    sessions_for_user,
    sessions_taught_by,
    staff_catalogue,
    training_record_of_staff,
    training_record_of_unit,
)
from coop4int.learning.enums import Audience
from coop4int.learning.tests.factories import (
    NOW,
    CourseDescriptionFactory,
    CourseFactory,
    CourseSessionFactory,
    EnrolmentFactory,
    PersonFactory,
    at,
    mornings,
    publish_text,
)

pytestmark = pytest.mark.django_db


# --- A course's text ----------------------------------------------------------------------------


def test_a_course_is_read_in_the_readers_language_or_a_fallback():
    course = CourseFactory(title="Português para o trabalho")
    publish_text(course.description, language="fr", title="Le portugais au travail")
    french = course_text(course, "fr")
    assert (french.title, french.language, french.is_fallback, french.published) == (
        "Le portugais au travail",
        "fr",
        False,
        True,
    )
    assert french.available == ("fr", "pt")
    creole = course_text(course, "kea")
    assert (creole.title, creole.language, creole.is_fallback) == (
        "Português para o trabalho",
        "pt",
        True,
    )


def test_a_translation_not_yet_published_is_not_read():
    course = CourseFactory(title="Português para o trabalho")
    publish_text(
        course.description, language="en", title="Draft", status=TranslationStatus.IN_REVIEW
    )
    assert course_text(course, "en").title == "Português para o trabalho"


def test_before_anything_is_published_staff_read_the_source_text():
    description = CourseDescriptionFactory(
        title="Acolher migrantes", text_status=TranslationStatus.DRAFT
    )
    course = CourseFactory(description=description)
    text = course_text(course, "en")
    assert (text.title, text.published, text.language) == ("Acolher migrantes", False, "pt")


# --- The public catalogue -----------------------------------------------------------------------


@pytest.fixture
def praia():
    return LocationFactory(island="Santiago", municipality="Praia")


@pytest.fixture
def mindelo():
    return LocationFactory(island="São Vicente", municipality="Mindelo")


def test_the_catalogue_lists_published_courses_with_sessions_to_come(praia, mindelo):
    later = CourseFactory(title="B later")
    sooner = CourseFactory(title="A sooner")
    CourseSessionFactory(course=later, location=mindelo, days=mornings(at(20, 9), 2))
    sooner_session = CourseSessionFactory(course=sooner, location=praia)
    # Not listed: unpublished, its text unpublished, without sessions to come.
    CourseSessionFactory(course=CourseFactory(published=False))
    draft = CourseDescriptionFactory(text_status=TranslationStatus.DRAFT)
    CourseSessionFactory(course=CourseFactory(description=draft))
    CourseFactory(title="No sessions")
    begun = CourseFactory(title="Begun")
    CourseSessionFactory(course=begun, days=mornings(NOW - timedelta(hours=1), 3))
    cancelled = CourseFactory(title="Cancelled")
    CourseSessionFactory(course=cancelled, cancelled_at=NOW)
    closed = CourseFactory(title="Closed")
    CourseSessionFactory(course=closed, accepts_applications=False)

    entries = public_catalogue(language="pt", now=NOW)
    assert [entry.text.title for entry in entries] == ["A sooner", "B later"]
    assert entries[0].sessions == [sooner_session]
    everything = public_catalogue(language="pt", upcoming_only=False, now=NOW)
    assert {entry.text.title for entry in everything} == {
        "A sooner",
        "B later",
        "No sessions",
        "Begun",
        "Cancelled",
        "Closed",
    }


def test_catalogue_filters(praia, mindelo):
    for_immigrants = CourseFactory(title="Immigrants", audiences=[Audience.IMMIGRANTS])
    for_staff = CourseFactory(
        title="Staff", audiences=[Audience.STAFF, Audience.CIVIL_SOCIETY], languages=["pt", "en"]
    )
    CourseSessionFactory(course=for_immigrants, location=praia)
    CourseSessionFactory(course=for_staff, location=mindelo, language="en")

    def titles(**filters):
        return [e.text.title for e in public_catalogue(language="en", now=NOW, **filters)]

    assert titles(audience=Audience.CIVIL_SOCIETY) == ["Staff"]
    assert titles(audience=Audience.IMMIGRANTS) == ["Immigrants"]
    assert titles(island="Santiago") == ["Immigrants"]
    assert titles(island="São Vicente", taught_in="en") == ["Staff"]
    assert titles(taught_in="pt") == ["Immigrants"]
    assert titles(taught_in="fr") == []


def test_places_left_are_counted_with_the_sessions():
    session = CourseSessionFactory(capacity=3)
    EnrolmentFactory.create_batch(2, session=session)
    EnrolmentFactory(session=session, applied=True)
    (entry,) = public_catalogue(language="pt", now=NOW)
    assert session_places_left(entry.sessions[0]) == 1
    (listed,) = open_sessions(session.course, now=NOW)
    assert session_places_left(listed) == 1
    assert session_places_left(session) == 1


def test_a_course_page_is_public_only_once_published():
    course = CourseFactory()
    assert public_course(course.slug) == course
    hidden = CourseFactory(published=False)
    draft = CourseFactory(
        description=CourseDescriptionFactory(text_status=TranslationStatus.IN_REVIEW)
    )
    for slug in (hidden.slug, draft.slug, "no-such-course"):
        with pytest.raises(Http404):
            public_course(slug)


# --- Staff: courses and sessions ----------------------------------------------------------------


@pytest.fixture
def course(unit):
    return CourseFactory(unit=unit)


@pytest.fixture
def trainer(make_staff, unit):
    return make_staff(Role.TRAINER, unit)


@pytest.fixture
def session(course, trainer):
    return CourseSessionFactory(course=course, trainer=trainer)


def test_who_sees_which_courses(make_staff, unit, other_unit, national_unit, course, session):
    elsewhere = CourseFactory(unit=other_unit)
    coordinator = make_staff(Role.UNIT_COORDINATOR, unit)
    assert list(courses_for_user(coordinator)) == [course]
    assert get_course_for_user(coordinator, course.pk) == course
    with pytest.raises(Http404):
        get_course_for_user(coordinator, elsewhere.pk)
    admin = make_staff(Role.ADMINISTRATOR, national_unit)
    assert set(courses_for_user(admin)) == {course, elsewhere}
    # A trainer sees the courses of the sessions they teach, nothing else.
    assert list(courses_for_user(session.trainer)) == [course]
    idle_trainer = make_staff(Role.TRAINER, unit)
    assert not courses_for_user(idle_trainer).exists()
    officer = make_staff(Role.FRONT_OFFICE_OFFICER, unit)
    assert not courses_for_user(officer).exists()
    with pytest.raises(Http404):
        get_course_for_user(officer, course.pk)


def test_a_coordinator_who_also_trains_elsewhere_sees_both(make_staff, unit, other_unit, course):
    coordinator = make_staff(Role.UNIT_COORDINATOR, unit)
    elsewhere = CourseSessionFactory(course=CourseFactory(unit=other_unit), trainer=coordinator)
    assert set(courses_for_user(coordinator)) == {course, elsewhere.course}
    assert set(sessions_for_user(coordinator)) == {elsewhere}


def test_who_opens_a_session(make_staff, unit, other_unit, session):
    assert get_session_for_user(session.trainer, session.pk) == session
    assert get_session_for_user(make_staff(Role.UNIT_COORDINATOR, unit), session.pk) == session
    for outsider in (
        make_staff(Role.TRAINER, unit),
        make_staff(Role.UNIT_COORDINATOR, other_unit),
        make_staff(Role.FRONT_OFFICE_OFFICER, unit),
        make_staff(Role.ANALYST, unit),
    ):
        with pytest.raises(Http404):
            get_session_for_user(outsider, session.pk)
    with pytest.raises(Http404):
        get_session_for_user(session.trainer, 987654)


def test_sessions_a_trainer_teaches(trainer, course):
    upcoming = CourseSessionFactory(course=course, trainer=trainer)
    recent = CourseSessionFactory(
        course=course, trainer=trainer, days=mornings(NOW - timedelta(days=30), 2)
    )
    CourseSessionFactory(course=course, trainer=trainer, days=mornings(NOW - timedelta(days=90), 2))
    CourseSessionFactory(course=course, trainer=trainer, cancelled_at=NOW)
    CourseSessionFactory(course=course)  # somebody else's
    assert sessions_taught_by(trainer, now=NOW) == [recent, upcoming]


# --- Staff: enrolments and the person behind them -----------------------------------------------


def _viewed():
    return list(AuditEntry.objects.filter(action="learning.enrolment.viewed").order_by("pk"))


def test_the_trainer_sees_the_participant_not_the_record(session, unit):
    enrolment = EnrolmentFactory(session=session, person=PersonFactory(unit=unit))
    opened = get_enrolment_for_user(session.trainer, enrolment.pk)
    assert opened.name == enrolment.name
    assert enrolment_person_visible(session.trainer, opened) is False
    (entry,) = _viewed()
    assert (entry.actor, entry.object_id, entry.data) == (
        session.trainer,
        str(enrolment.pk),
        {"person_visible": False},
    )


def test_a_coordinator_sees_the_record_within_scope(make_staff, unit, other_unit, session):
    coordinator = make_staff(Role.UNIT_COORDINATOR, unit)
    ours = EnrolmentFactory(session=session, person=PersonFactory(unit=unit))
    theirs = EnrolmentFactory(session=session, person=PersonFactory(unit=other_unit))
    assert enrolment_person_visible(coordinator, get_enrolment_for_user(coordinator, ours.pk))
    assert not enrolment_person_visible(coordinator, get_enrolment_for_user(coordinator, theirs.pk))
    assert [e.data["person_visible"] for e in _viewed()] == [True, False]


def test_an_enrolment_outside_answers_404(make_staff, unit, other_unit, session):
    enrolment = EnrolmentFactory(session=session)
    for outsider in (
        make_staff(Role.TRAINER, unit),
        make_staff(Role.UNIT_COORDINATOR, other_unit),
        # May reach the person's record, but neither manages nor teaches the session.
        make_staff(Role.FRONT_OFFICE_OFFICER, unit),
    ):
        with pytest.raises(Http404):
            get_enrolment_for_user(outsider, enrolment.pk)
        assert enrolment not in enrolments_for_user(outsider)
    assert not _viewed()


def test_staff_open_their_own_enrolment_unaudited(make_staff, other_unit, session):
    member = make_staff(Role.FRONT_OFFICE_OFFICER, other_unit)
    own = EnrolmentFactory(session=session, staff_member=True, staff=member)
    assert get_enrolment_for_user(member, own.pk) == own
    assert not _viewed()


def test_enrolments_of_a_person_within_scope(make_staff, unit, other_unit, session):
    person = PersonFactory(unit=unit)
    first = EnrolmentFactory(session=session, person=person, created_at=NOW)
    second = EnrolmentFactory(
        session=CourseSessionFactory(), person=person, created_at=NOW + timedelta(days=1)
    )
    EnrolmentFactory(session=session)  # someone else
    officer = make_staff(Role.FRONT_OFFICE_OFFICER, unit)
    assert enrolments_of_person(officer, person) == [second, first]
    assert enrolments_of_person(make_staff(Role.FRONT_OFFICE_OFFICER, other_unit), person) == []
    assert enrolments_of_person(session.trainer, person) == []


# --- Staff training ----------------------------------------------------------------------------


def test_the_staff_catalogue_lists_sessions_of_courses_for_staff(make_staff, unit, partner_unit):
    for_staff = CourseFactory(audiences=[Audience.STAFF])
    for_authorities = CourseFactory(audiences=[Audience.LOCAL_AUTHORITIES, Audience.IMMIGRANTS])
    staff_session = CourseSessionFactory(course=for_staff, days=mornings(at(20, 9), 1))
    authorities_session = CourseSessionFactory(course=for_authorities)
    CourseSessionFactory(course=CourseFactory(audiences=[Audience.IMMIGRANTS]))
    CourseSessionFactory(course=CourseFactory(audiences=[Audience.STAFF], published=False))
    CourseSessionFactory(course=for_staff, cancelled_at=NOW)
    partner = make_staff(Role.PARTNER_USER, partner_unit)
    assert staff_catalogue(partner, now=NOW) == [authorities_session, staff_session]


def test_a_staff_members_training_record(make_staff, unit, other_unit, national_unit):
    member = make_staff(Role.FRONT_OFFICE_OFFICER, unit)
    taken = EnrolmentFactory(staff_member=True, staff=member)
    EnrolmentFactory(staff_member=True)  # someone else's
    assert training_record_of_staff(member, member) == [taken]
    assert training_record_of_staff(make_staff(Role.UNIT_COORDINATOR, unit), member) == [taken]
    assert training_record_of_staff(make_staff(Role.ADMINISTRATOR, national_unit), member) == [
        taken
    ]
    for outsider in (
        make_staff(Role.UNIT_COORDINATOR, other_unit),
        make_staff(Role.FRONT_OFFICE_OFFICER, unit),
    ):
        with pytest.raises(Http404):
            training_record_of_staff(outsider, member)


def test_a_units_training_record(make_staff, unit, other_unit, partner_unit, national_unit):
    ours = CourseFactory(unit=unit, audiences=[Audience.CIVIL_SOCIETY])
    theirs = CourseFactory(unit=other_unit, audiences=[Audience.CIVIL_SOCIETY])
    partner = make_staff(Role.PARTNER_USER, partner_unit)
    in_ours = EnrolmentFactory(
        session=CourseSessionFactory(course=ours), staff_member=True, staff=partner
    )
    in_theirs = EnrolmentFactory(
        session=CourseSessionFactory(course=theirs),
        staff_member=True,
        staff=partner,
        created_at=NOW + timedelta(days=1),
    )
    admin = make_staff(Role.ADMINISTRATOR, national_unit)
    assert training_record_of_unit(admin, partner_unit) == [in_theirs, in_ours]
    # Those who run training see what the partner's staff took in their own courses.
    coordinator = make_staff(Role.UNIT_COORDINATOR, unit)
    assert training_record_of_unit(coordinator, partner_unit) == [in_ours]
    with pytest.raises(Http404):
        training_record_of_unit(partner, partner_unit)
    with pytest.raises(Http404):
        training_record_of_unit(make_staff(Role.TRAINER, unit), partner_unit)
