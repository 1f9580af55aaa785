"""What trainers record — attendance per day, assessments, the outcome — and the arithmetic of
completion: attendance over the session's days against the course's least percentage, and a
passed assessment when the course asks for one; a certificate on completion."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from coop4int.accounts.enums import Role
from coop4int.core.models import AuditEntry
from coop4int.learning.domain.teaching import (
    mark_outcome,
    progress_of,
    record_assessment,
    record_attendance,
)
from coop4int.learning.enums import AssessmentResult, AttendanceStatus, EnrolmentStatus
from coop4int.learning.models import Attendance, Certificate
from coop4int.learning.tests.credential_fixtures import SEED_A, use_keys
from coop4int.learning.tests.factories import (
    AssessmentFactory,
    AttendanceFactory,
    CourseFactory,
    CourseSessionFactory,
    EnrolmentFactory,
    at,
    attended_all,
    completable,
    mornings,
)
from coop4int.learning.tests.gateway import use_fake_gateway

pytestmark = pytest.mark.django_db

PRESENT, ABSENT, EXCUSED = (
    AttendanceStatus.PRESENT,
    AttendanceStatus.ABSENT,
    AttendanceStatus.EXCUSED,
)
# The factories' session: three mornings, 9–11 March 2026. After its last day:
AFTER = at(11, 12)


@pytest.fixture(autouse=True)
def gateway(settings, monkeypatch):
    return use_fake_gateway(settings, monkeypatch)


@pytest.fixture
def keys(settings):
    use_keys(settings, SEED_A)


@pytest.fixture
def trainer(make_staff, unit):
    return make_staff(Role.TRAINER, unit)


@pytest.fixture
def session(unit, trainer):
    return CourseSessionFactory(course=CourseFactory(unit=unit), trainer=trainer)


@pytest.fixture
def enrolment(session):
    return EnrolmentFactory(session=session)


def _actions(action):
    return list(AuditEntry.objects.filter(action=action).order_by("pk"))


# --- Attendance ---------------------------------------------------------------------------------


def test_the_trainer_takes_attendance_for_a_day(trainer, session):
    present, absent, excused = EnrolmentFactory.create_batch(3, session=session)
    day = session.days.first()
    count = record_attendance(
        actor=trainer,
        day=day,
        marks={present.pk: PRESENT, absent.pk: ABSENT, excused.pk: EXCUSED},
        now=at(9, 9, 5),
    )
    assert count == 3
    assert dict(Attendance.objects.values_list("enrolment_id", "status")) == {
        present.pk: PRESENT,
        absent.pk: ABSENT,
        excused.pk: EXCUSED,
    }
    (entry,) = _actions("learning.attendance.recorded")
    assert entry.data == {"day": day.pk, "marks": 3, "present": 1, "absent": 1, "excused": 1}
    assert entry.actor == trainer


def test_a_mark_given_again_replaces_the_first(trainer, session, enrolment):
    day = session.days.first()
    record_attendance(actor=trainer, day=day, marks={enrolment.pk: ABSENT}, now=at(9, 9))
    record_attendance(actor=trainer, day=day, marks={enrolment.pk: PRESENT}, now=at(9, 10))
    (mark,) = Attendance.objects.all()
    assert (mark.status, mark.recorded_at) == (PRESENT, at(9, 10))


def test_attendance_is_not_taken_before_the_day(trainer, session, enrolment):
    with pytest.raises(ValidationError):
        record_attendance(
            actor=trainer, day=session.days.last(), marks={enrolment.pk: PRESENT}, now=at(10, 12)
        )


def test_attendance_only_for_those_accepted_in_the_session(trainer, session, enrolment):
    waiting = EnrolmentFactory(session=session, status=EnrolmentStatus.WAITING)
    elsewhere = EnrolmentFactory(session=CourseSessionFactory(course=session.course))
    day = session.days.first()
    for other in (waiting, elsewhere):
        with pytest.raises(ValidationError):
            record_attendance(
                actor=trainer, day=day, marks={enrolment.pk: PRESENT, other.pk: PRESENT}, now=AFTER
            )
    assert not Attendance.objects.exists()
    with pytest.raises(ValidationError):
        record_attendance(actor=trainer, day=day, marks={enrolment.pk: "late"}, now=AFTER)


def test_only_the_sessions_trainer_or_its_managers_take_attendance(
    make_staff, unit, other_unit, session, enrolment
):
    day = session.days.first()
    marks = {enrolment.pk: PRESENT}
    for outsider in (
        make_staff(Role.TRAINER, unit),  # another session's trainer
        make_staff(Role.UNIT_COORDINATOR, other_unit),
        make_staff(Role.FRONT_OFFICE_OFFICER, unit),
    ):
        with pytest.raises(PermissionDenied):
            record_attendance(actor=outsider, day=day, marks=marks, now=AFTER)
    coordinator = make_staff(Role.UNIT_COORDINATOR, unit)
    assert record_attendance(actor=coordinator, day=day, marks=marks, now=AFTER) == 1


# --- Assessments --------------------------------------------------------------------------------


def test_an_assessment_is_recorded_without_its_note_in_the_log(trainer, enrolment):
    assessment = record_assessment(
        actor=trainer,
        enrolment=enrolment,
        result=AssessmentResult.PASSED,
        score=Decimal("17.25"),
        note="Struggled with the written part, personal reasons.",
        now=AFTER,
    )
    assert assessment.score in (Decimal("17.2"), Decimal("17.3"))
    assert assessment.recorded_by == trainer
    (entry,) = _actions("learning.assessment.recorded")
    assert entry.data == {"result": "passed", "scored": True}
    assert "personal" not in str(entry.data)


@pytest.mark.parametrize(
    ("result", "score"), [("excellent", None), ("passed", Decimal(-1)), ("passed", "NaN")]
)
def test_what_an_assessment_needs(trainer, enrolment, result, score):
    with pytest.raises(ValidationError):
        record_assessment(actor=trainer, enrolment=enrolment, result=result, score=score, now=AFTER)


def test_only_someone_accepted_is_assessed(trainer, session):
    waiting = EnrolmentFactory(session=session, status=EnrolmentStatus.WAITING)
    with pytest.raises(ValidationError):
        record_assessment(actor=trainer, enrolment=waiting, result="passed", now=AFTER)


def test_another_trainer_cannot_assess(make_staff, unit, enrolment):
    with pytest.raises(PermissionDenied):
        record_assessment(
            actor=make_staff(Role.TRAINER, unit), enrolment=enrolment, result="passed", now=AFTER
        )


# --- Progress -----------------------------------------------------------------------------------


def _progress(*, days: int, marks: list[str], least: int, assessment: list[str] | None = None):
    course = CourseFactory(min_attendance_percent=least, assessment_required=assessment is not None)
    session = CourseSessionFactory(course=course, days=mornings(at(9, 9), days))
    enrolment = EnrolmentFactory(session=session)
    for day, status in zip(session.days.all(), marks, strict=False):
        AttendanceFactory(enrolment=enrolment, day=day, status=status)
    for n, result in enumerate(assessment or []):
        AssessmentFactory(enrolment=enrolment, result=result, recorded_at=AFTER + timedelta(n))
    return progress_of(enrolment)


@pytest.mark.parametrize(
    ("days", "present", "least", "percent", "met"),
    [
        (5, 4, 80, 80, True),  # exactly the least
        (5, 3, 80, 60, False),
        (3, 2, 66, 66, True),  # 66.7 % meets 66 %
        (3, 2, 67, 66, False),  # …but not 67 %
        (9, 7, 78, 77, False),  # 77.8 %: shown as 77, and short of 78
        (9, 7, 77, 77, True),
        (4, 4, 100, 100, True),
        (4, 3, 100, 75, False),
        (4, 0, 0, 0, True),  # a course that asks no attendance
        (1, 0, 1, 0, False),
    ],
)
def test_attendance_arithmetic(days, present, least, percent, met):
    marks = [PRESENT] * present + [ABSENT] * (days - present)
    progress = _progress(days=days, marks=marks, least=least)
    assert (progress.days_total, progress.days_present) == (days, present)
    assert progress.attendance_percent == percent
    assert progress.attendance_met is met
    assert progress.complete is met  # no assessment asked
    assert bool(progress.problems) is not met


def test_an_excused_absence_is_an_absence_and_a_day_without_a_mark_too():
    progress = _progress(days=5, marks=[PRESENT, PRESENT, PRESENT, EXCUSED], least=80)
    assert progress.days_present == 3
    assert progress.attendance_met is False
    assert progress.problems == ["Attended 3 of 5 days (60 %); at least 80 % is needed."]


def test_a_session_without_days_cannot_be_completed():
    progress = _progress(days=0, marks=[], least=0)
    assert progress.attendance_met is False
    assert progress.complete is False


def test_attendance_in_another_session_does_not_count(session, enrolment):
    other = CourseSessionFactory(course=session.course)
    AttendanceFactory(enrolment=enrolment, day=other.days.first())
    assert progress_of(enrolment).days_present == 0


@pytest.mark.parametrize(
    ("results", "met", "problem"),
    [
        ([], False, "No assessment has been recorded."),
        (["failed"], False, "The assessment was not passed."),
        (["failed", "passed"], True, None),  # a re-sit replaces a fail
        (["passed", "failed"], False, "The assessment was not passed."),
    ],
)
def test_the_latest_assessment_counts(results, met, problem):
    progress = _progress(days=1, marks=[PRESENT], least=80, assessment=results)
    assert progress.attendance_met is True
    assert progress.assessment_met is met
    assert progress.complete is met
    assert progress.problems == ([problem] if problem else [])


def test_no_assessment_is_needed_when_the_course_asks_none():
    progress = _progress(days=1, marks=[PRESENT], least=80, assessment=None)
    assert progress.assessment_met is True


# --- The outcome --------------------------------------------------------------------------------


def test_completion_needs_the_criteria(trainer, enrolment):
    attended_all(enrolment)
    with pytest.raises(ValidationError) as refused:
        mark_outcome(actor=trainer, enrolment=enrolment, completed=True, now=AFTER)
    assert refused.value.messages == ["No assessment has been recorded."]
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.ACCEPTED


def test_completion_issues_the_certificate_and_tells_the_participant(
    keys, trainer, enrolment, gateway, django_capture_on_commit_callbacks
):
    completable(enrolment)
    with django_capture_on_commit_callbacks(execute=True):
        completed = mark_outcome(actor=trainer, enrolment=enrolment, completed=True, now=AFTER)
    assert completed.status == EnrolmentStatus.COMPLETED
    certificate = Certificate.objects.get(enrolment=enrolment)
    assert certificate.issued_at == AFTER
    change = _actions("learning.enrolment.status_changed")[-1]
    assert change.data == {"from": "accepted", "to": "completed", "reason": "outcome"}
    assert _actions("learning.certificate.issued")
    (sms,) = gateway.sent
    assert f"/pt/verify/{certificate.pk}/" in sms["body"]
    assert [e.data["message"] for e in _actions("learning.message.sent")] == ["outcome_completed"]


def test_a_course_without_a_certificate_issues_none(trainer, unit, gateway):
    course = CourseFactory(unit=unit, certificate=False, assessment_required=False)
    enrolment = EnrolmentFactory(session=CourseSessionFactory(course=course, trainer=trainer))
    attended_all(enrolment)
    completed = mark_outcome(actor=trainer, enrolment=enrolment, completed=True, now=AFTER)
    assert completed.status == EnrolmentStatus.COMPLETED
    assert not Certificate.objects.exists()


def test_without_a_signing_key_nothing_is_recorded(settings, trainer, enrolment):
    settings.CREDENTIAL_SIGNING_KEYS = []
    completable(enrolment)
    with pytest.raises(ValidationError):
        mark_outcome(actor=trainer, enrolment=enrolment, completed=True, now=AFTER)
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.ACCEPTED
    assert not _actions("learning.enrolment.status_changed")


def test_not_completing_is_recorded_and_told(
    trainer, enrolment, gateway, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        outcome = mark_outcome(actor=trainer, enrolment=enrolment, completed=False, now=AFTER)
    assert outcome.status == EnrolmentStatus.NOT_COMPLETED
    assert [e.data["message"] for e in _actions("learning.message.sent")] == [
        "outcome_not_completed"
    ]


def test_a_completion_in_error_is_corrected_and_its_certificate_revoked(
    keys, make_staff, unit, trainer, enrolment
):
    completable(enrolment)
    mark_outcome(actor=trainer, enrolment=enrolment, completed=True, now=AFTER)
    # Revoking a certificate is for those who manage the course.
    with pytest.raises(ValidationError):
        mark_outcome(actor=trainer, enrolment=enrolment, completed=False, now=AFTER)
    assert Certificate.objects.get(enrolment=enrolment).revoked_at is None
    coordinator = make_staff(Role.UNIT_COORDINATOR, unit)
    corrected = mark_outcome(
        actor=coordinator, enrolment=enrolment, completed=False, now=AFTER + timedelta(hours=1)
    )
    assert corrected.status == EnrolmentStatus.NOT_COMPLETED
    certificate = Certificate.objects.get(enrolment=enrolment)
    assert certificate.revoked_at == AFTER + timedelta(hours=1)
    assert certificate.revocation_reason == "issued_in_error"


def test_the_outcome_waits_for_the_last_day(trainer, enrolment):
    completable(enrolment)
    with pytest.raises(ValidationError):
        mark_outcome(actor=trainer, enrolment=enrolment, completed=False, now=at(10, 12))


def test_the_outcome_of_someone_not_accepted_cannot_be_marked(keys, trainer, session):
    waiting = EnrolmentFactory(session=session, status=EnrolmentStatus.WAITING)
    with pytest.raises(ValidationError):
        mark_outcome(actor=trainer, enrolment=waiting, completed=False, now=AFTER)


def test_only_the_trainer_or_managers_mark_the_outcome(make_staff, unit, enrolment):
    with pytest.raises(PermissionDenied):
        mark_outcome(
            actor=make_staff(Role.TRAINER, unit), enrolment=enrolment, completed=False, now=AFTER
        )
