"""Courses and sessions: created by those who manage training for the course's unit, the
course's text a content item of kind ``course``, sessions kept to their days; more places go to
those waiting, changed days and a cancellation are told."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from coop4int.accounts.enums import Role
from coop4int.content.enums import ItemKind, TranslationStatus
from coop4int.content.models import ContentItem, Revision
from coop4int.core.models import AuditEntry
from coop4int.directory.tests.factories import LocationFactory, OrganizationFactory
from coop4int.learning.domain.courses import (
    add_session,
    change_session,
    create_course,
    update_course,
)
from coop4int.learning.enums import Audience, DeliveryMode
from coop4int.learning.models import Course, CourseSession
from coop4int.learning.tests.factories import (
    NOW,
    AttendanceFactory,
    CourseFactory,
    CourseSessionFactory,
    EnrolmentFactory,
    at,
    mornings,
)
from coop4int.learning.tests.gateway import use_fake_gateway

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def gateway(settings, monkeypatch):
    return use_fake_gateway(settings, monkeypatch)


@pytest.fixture
def coordinator(make_staff, unit):
    return make_staff(Role.UNIT_COORDINATOR, unit)


def _actions(action):
    return list(AuditEntry.objects.filter(action=action).order_by("pk"))


def _new_course(actor, unit, **overrides):
    values = {
        "actor": actor,
        "slug": "portuguese-for-work",
        "unit": unit,
        "title": "Português para o trabalho",
        "summary": "Falar no trabalho.",
        "body": "## Objetivos\n\nApresentar-se numa entrevista.",
        "source_language": "pt",
        "audiences": [Audience.IMMIGRANTS],
        "languages": ["pt", "kea"],
        "mode": DeliveryMode.IN_PERSON,
        "hours": Decimal("24"),
        "now": NOW,
    }
    return create_course(**(values | overrides))


# --- Courses ------------------------------------------------------------------------------------


def test_a_coordinator_creates_a_course_with_its_text_as_a_draft(coordinator, unit):
    organisation = OrganizationFactory(name="IEFP")
    course = _new_course(coordinator, unit, organisation=organisation, certificate_valid_months=24)
    course.refresh_from_db()
    assert (course.slug, course.unit, course.organisation) == (
        "portuguese-for-work",
        unit,
        organisation,
    )
    assert course.audiences == ["immigrants"]
    assert course.languages == ["pt", "kea"]
    assert course.hours == Decimal("24.0")
    assert (course.min_attendance_percent, course.assessment_required, course.certificate) == (
        80,
        True,
        True,
    )
    assert course.certificate_valid_months == 24
    assert course.published is False
    assert course.created_at == NOW
    item = course.description
    assert (item.slug, item.kind, item.unit, item.source_language) == (
        "portuguese-for-work",
        ItemKind.COURSE,
        unit,
        "pt",
    )
    (text,) = item.translations.all()
    assert (text.title, text.status, text.last_edited_by) == (
        "Português para o trabalho",
        TranslationStatus.DRAFT,
        coordinator,
    )
    assert Revision.objects.filter(translation=text).count() == 1
    (entry,) = _actions("learning.course.created")
    assert entry.data == {
        "slug": "portuguese-for-work",
        "audiences": ["immigrants"],
        "languages": ["pt", "kea"],
        "mode": "in_person",
        "certificate": True,
        "published": False,
    }
    assert "Português" not in str(entry.data)
    assert _actions("content.item.created")[0].data == {"slug": "portuguese-for-work"}


def test_an_administrator_creates_it_through_the_content_workflow_for_another_unit(
    make_staff, national_unit, unit
):
    admin = make_staff(Role.ADMINISTRATOR, national_unit)
    course = _new_course(admin, unit)
    assert course.unit == unit
    assert course.description.unit == unit
    assert course.description.translations.get().last_edited_by == admin


@pytest.mark.parametrize("role", [Role.TRAINER, Role.FRONT_OFFICE_OFFICER, Role.CONTENT_EDITOR])
def test_creating_a_course_needs_to_manage_training(make_staff, unit, role):
    with pytest.raises(PermissionDenied):
        _new_course(make_staff(role, unit), unit)
    assert not Course.objects.exists()
    assert not ContentItem.objects.exists()


def test_a_coordinator_creates_courses_for_their_own_unit_only(coordinator, other_unit):
    with pytest.raises(PermissionDenied):
        _new_course(coordinator, other_unit)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"audiences": []}, "audiences"),
        ({"audiences": ["tourists"]}, "audiences"),
        ({"languages": []}, "languages"),
        ({"languages": ["xx"]}, "languages"),
        ({"mode": "by_post"}, "mode"),
        ({"hours": Decimal(0)}, "hours"),
        ({"hours": "many"}, "hours"),
        ({"min_attendance_percent": 101}, "min_attendance_percent"),
        ({"certificate_valid_months": 0}, "certificate_valid_months"),
        ({"title": " "}, "title"),
        ({"source_language": "xx"}, "source_language"),
    ],
)
def test_what_a_course_needs(coordinator, unit, overrides, field):
    with pytest.raises(ValidationError) as refused:
        _new_course(coordinator, unit, **overrides)
    assert field in refused.value.message_dict
    assert not Course.objects.exists()


def test_a_short_name_is_used_once(coordinator, unit):
    _new_course(coordinator, unit)
    with pytest.raises(ValidationError) as refused:
        _new_course(coordinator, unit)
    assert "slug" in refused.value.message_dict


def test_updating_a_course_records_what_changed(coordinator, unit):
    course = CourseFactory(unit=unit)
    later = NOW + timedelta(days=1)
    updated = update_course(
        actor=coordinator,
        course=course,
        now=later,
        min_attendance_percent=75,
        published=False,
        hours=Decimal("12.0"),  # unchanged
    )
    assert (updated.min_attendance_percent, updated.published, updated.updated_at) == (
        75,
        False,
        later,
    )
    (entry,) = _actions("learning.course.updated")
    assert entry.data == {"fields": ["min_attendance_percent", "published"]}
    update_course(actor=coordinator, course=course, now=later, published=False)
    assert len(_actions("learning.course.updated")) == 1  # nothing changed, nothing logged


def test_updating_a_course(coordinator, other_unit, make_staff, unit):
    course = CourseFactory(unit=unit)
    with pytest.raises(TypeError):
        update_course(actor=coordinator, course=course, now=NOW, slug="other")
    with pytest.raises(ValidationError):
        update_course(actor=coordinator, course=course, now=NOW, audiences=[])
    with pytest.raises(PermissionDenied):
        update_course(
            actor=make_staff(Role.UNIT_COORDINATOR, other_unit),
            course=course,
            now=NOW,
            published=False,
        )


# --- Sessions -----------------------------------------------------------------------------------


def test_a_session_is_added_with_its_days(coordinator, unit, make_staff):
    course = CourseFactory(unit=unit, languages=["pt", "kea"])
    trainer = make_staff(Role.TRAINER, unit)
    place = LocationFactory()
    days = [(at(17, 9), at(17, 12)), (at(16, 14), at(16, 18))]  # given out of order
    session = add_session(
        actor=coordinator,
        course=course,
        language="kea",
        capacity=12,
        days=days,
        location=place,
        trainer=trainer,
        now=NOW,
    )
    session.refresh_from_db()
    assert (session.starts_at, session.ends_at) == (at(16, 14), at(17, 12))
    assert list(session.days.values_list("starts_at", "ends_at")) == sorted(days)
    assert (session.capacity, session.language, session.trainer, session.location) == (
        12,
        "kea",
        trainer,
        place,
    )
    assert session.accepts_applications is True
    (entry,) = _actions("learning.session.created")
    assert entry.data == {
        "course": course.slug,
        "language": "kea",
        "capacity": 12,
        "days": 2,
        "has_trainer": True,
    }


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"language": "fr"}, "language"),  # not taught in French
        ({"capacity": 0}, "capacity"),
        ({"location": None}, "location"),  # in person
        ({"days": []}, "days"),
        ({"days": [(at(16, 9), at(16, 9))]}, "days"),
        ({"days": [(at(16, 9), at(16, 12)), (at(16, 9), at(16, 11))]}, "days"),
    ],
)
def test_what_a_session_needs(coordinator, unit, overrides, field):
    course = CourseFactory(unit=unit)
    values = {
        "actor": coordinator,
        "course": course,
        "language": "pt",
        "capacity": 10,
        "days": [(at(16, 9), at(16, 12))],
        "location": LocationFactory(),
        "now": NOW,
    }
    with pytest.raises(ValidationError) as refused:
        add_session(**(values | overrides))
    assert field in refused.value.message_dict
    assert not CourseSession.objects.exists()


def test_an_online_session_needs_its_address(coordinator, unit):
    course = CourseFactory(unit=unit, mode=DeliveryMode.ONLINE)
    values = {"actor": coordinator, "course": course, "language": "pt", "capacity": 30}
    with pytest.raises(ValidationError):
        add_session(**values, days=[(at(16, 9), at(16, 12))], now=NOW)
    session = add_session(
        **values, days=[(at(16, 9), at(16, 12))], online_address="https://meet.example/x", now=NOW
    )
    assert session.location is None


def test_the_trainer_must_be_someone_who_teaches(coordinator, unit, make_staff):
    with pytest.raises(ValidationError) as refused:
        add_session(
            actor=coordinator,
            course=CourseFactory(unit=unit),
            language="pt",
            capacity=5,
            days=[(at(16, 9), at(16, 12))],
            location=LocationFactory(),
            trainer=make_staff(Role.FRONT_OFFICE_OFFICER, unit),
            now=NOW,
        )
    assert "trainer" in refused.value.message_dict


def test_adding_sessions_needs_to_manage_the_course(make_staff, unit, other_unit):
    course = CourseFactory(unit=unit)
    for outsider in (make_staff(Role.TRAINER, unit), make_staff(Role.UNIT_COORDINATOR, other_unit)):
        with pytest.raises(PermissionDenied):
            add_session(
                actor=outsider,
                course=course,
                language="pt",
                capacity=5,
                days=[(at(16, 9), at(16, 12))],
                location=LocationFactory(),
                now=NOW,
            )


# --- Changing sessions --------------------------------------------------------------------------


@pytest.fixture
def session(unit):
    return CourseSessionFactory(course=CourseFactory(unit=unit), capacity=2)


def test_places_cannot_go_below_those_taken(coordinator, session):
    EnrolmentFactory.create_batch(2, session=session)
    with pytest.raises(ValidationError) as refused:
        change_session(actor=coordinator, session=session, now=NOW, capacity=1)
    assert "capacity" in refused.value.message_dict


def test_more_places_go_to_those_waiting_first_come_first_served(
    coordinator, session, gateway, django_capture_on_commit_callbacks
):
    EnrolmentFactory.create_batch(2, session=session)
    late = EnrolmentFactory(session=session, status="waiting", created_at=NOW + timedelta(hours=3))
    first = EnrolmentFactory(session=session, status="waiting", created_at=NOW + timedelta(hours=1))
    second = EnrolmentFactory(
        session=session, status="waiting", created_at=NOW + timedelta(hours=2)
    )
    with django_capture_on_commit_callbacks(execute=True):
        change_session(actor=coordinator, session=session, now=NOW, capacity=4)
    for enrolment, status in ((first, "accepted"), (second, "accepted"), (late, "waiting")):
        enrolment.refresh_from_db()
        assert enrolment.status == status
    (entry,) = _actions("learning.session.changed")
    assert entry.data == {"fields": ["capacity"], "told": 0}
    assert [e.object_id for e in _actions("learning.message.sent")] == [
        str(first.pk),
        str(second.pk),
    ]


def test_new_days_are_told_and_reminded_again(
    coordinator, session, gateway, django_capture_on_commit_callbacks
):
    accepted = EnrolmentFactory(session=session, reminded_at=NOW)
    waiting = EnrolmentFactory(session=session, status="waiting", reminded_at=NOW)
    new_days = mornings(at(16, 9), 2)
    with django_capture_on_commit_callbacks(execute=True):
        changed = change_session(actor=coordinator, session=session, now=NOW, days=new_days)
    assert (changed.starts_at, changed.ends_at) == (at(16, 9), at(17, 12))
    assert list(changed.days.values_list("starts_at", "ends_at")) == new_days
    accepted.refresh_from_db()
    waiting.refresh_from_db()
    assert accepted.reminded_at is None
    assert waiting.reminded_at is None
    told = _actions("learning.message.sent")
    assert [(e.object_id, e.data["message"]) for e in told] == [
        (str(accepted.pk), "session_changed")
    ]
    (entry,) = _actions("learning.session.changed")
    assert entry.data == {"fields": ["days"], "told": 1}


def test_a_day_with_attendance_stays(coordinator, session):
    enrolment = EnrolmentFactory(session=session)
    AttendanceFactory(enrolment=enrolment, day=session.days.first())
    with pytest.raises(ValidationError):
        change_session(actor=coordinator, session=session, now=NOW, days=mornings(at(16, 9), 3))
    # Keeping that day, moving the others, is fine.
    kept = session.days.first()
    days = [(kept.starts_at, kept.ends_at), *mornings(at(16, 9), 2)]
    changed = change_session(actor=coordinator, session=session, now=NOW, days=days)
    assert changed.days.count() == 3
    assert changed.starts_at == kept.starts_at


def test_a_cancelled_session_tells_everyone_still_enrolled(
    coordinator, session, gateway, django_capture_on_commit_callbacks
):
    accepted = EnrolmentFactory(session=session)
    waiting = EnrolmentFactory(session=session, status="waiting")
    EnrolmentFactory(session=session, status="withdrawn")
    with django_capture_on_commit_callbacks(execute=True):
        cancelled = change_session(actor=coordinator, session=session, now=NOW, cancel=True)
    assert cancelled.cancelled_at == NOW
    assert cancelled.accepts_applications is False
    told = _actions("learning.message.sent")
    assert sorted((e.object_id, e.data["message"]) for e in told) == sorted(
        [(str(accepted.pk), "session_cancelled"), (str(waiting.pk), "session_cancelled")]
    )
    (entry,) = _actions("learning.session.changed")
    assert entry.data == {"fields": ["cancel"], "told": 2}
    with pytest.raises(ValidationError):
        change_session(actor=coordinator, session=session, now=NOW, capacity=5)


def test_nothing_changed_logs_nothing(coordinator, session):
    change_session(actor=coordinator, session=session, now=NOW, capacity=session.capacity)
    assert not _actions("learning.session.changed")


def test_changing_a_session(coordinator, make_staff, unit, session):
    with pytest.raises(TypeError):
        change_session(actor=coordinator, session=session, now=NOW, course=None)
    trainer = make_staff(Role.TRAINER, unit)
    session.trainer = trainer
    session.save()
    with pytest.raises(PermissionDenied):
        change_session(actor=trainer, session=session, now=NOW, capacity=5)
