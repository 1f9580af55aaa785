"""What trainers record: attendance per session day, assessments, and the outcome.

Who: the session's trainer (``Permission.TEACH``) or those who manage the course
(``learning.rules``). Completion follows the course's criteria, computed by ``progress_of``:
attendance — days present over the session's days — of at least
``course.min_attendance_percent``, and, when ``course.assessment_required``, a passed
assessment (the latest one recorded counts: a re-sit replaces a fail). A completed enrolment of
a course with a certificate gets one (``learning.domain.certificates.issue_certificate``), in
the same transaction; an outcome corrected to "did not complete" revokes it."""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from coop4int.accounts.models import User
from coop4int.accounts.roles import Permission
from coop4int.core import audit
from coop4int.learning.enums import (
    HOLDING,
    AssessmentResult,
    AttendanceStatus,
    EnrolmentStatus,
    RevocationReason,
)
from coop4int.learning.models import Assessment, Attendance, Enrolment, SessionDay
from coop4int.learning.notify import tell_on_commit


def _require_teacher(actor: User, obj: models.Model) -> None:
    if not actor.has_perm(Permission.TEACH, obj):
        raise PermissionDenied


@transaction.atomic
def record_attendance(*, actor: User, day: SessionDay, marks: dict[int, str], now: datetime) -> int:
    """Record who was present, absent or excused on ``day``: ``marks`` maps enrolment ids of the
    day's session (accepted, or with an outcome being corrected) to an ``AttendanceStatus``. A
    mark given again replaces the earlier one. Not before the day has begun. Returns how many
    marks were recorded.

    Side effects: audit ``learning.attendance.recorded`` (the day, counts per status)."""
    session = day.session
    _require_teacher(actor, session)
    if day.starts_at > now:
        raise ValidationError(_("Attendance can be taken once the day has begun."))
    if any(status not in AttendanceStatus.values for status in marks.values()):
        raise ValidationError(_("Choose present, absent or excused for each participant."))
    enrolments = {
        enrolment.pk: enrolment
        for enrolment in Enrolment.objects.filter(
            session_id=session.pk, pk__in=list(marks), status__in=HOLDING
        )
    }
    if set(marks) - set(enrolments):
        raise ValidationError(_("Attendance is taken only for those accepted in this session."))
    counts = dict.fromkeys(AttendanceStatus.values, 0)
    for enrolment_id, status in sorted(marks.items()):
        Attendance.objects.update_or_create(
            enrolment=enrolments[enrolment_id],
            day=day,
            defaults={"status": status, "recorded_by": actor, "recorded_at": now},
        )
        counts[status] += 1
    audit.record(
        action="learning.attendance.recorded",
        actor=actor,
        obj=session,
        unit=session.course.unit,
        data={"day": day.pk, "marks": len(marks)} | counts,
    )
    return len(marks)


@transaction.atomic
def record_assessment(
    *,
    actor: User,
    enrolment: Enrolment,
    result: str,
    score: Decimal | None = None,
    note: str = "",
    now: datetime,
) -> Assessment:
    """Record an assessment of an accepted participant (passed or not, with a score if there is
    one, and the trainer's note). The latest assessment is the one that counts.

    Side effects: audit ``learning.assessment.recorded`` (result, whether a score was given —
    never the note)."""
    _require_teacher(actor, enrolment)
    if enrolment.status not in HOLDING:
        raise ValidationError(_("Only a participant who was accepted can be assessed."))
    if result not in AssessmentResult.values:
        raise ValidationError({"result": _("Choose passed or not passed.")})
    if score is not None:
        try:
            score = Decimal(str(score))
        except InvalidOperation:
            score = Decimal(-1)
        if not score.is_finite() or score < 0 or score >= 10_000:
            raise ValidationError({"score": _("Give a score of zero or more.")})
        score = score.quantize(Decimal("0.1"))
    assessment = Assessment.objects.create(
        enrolment=enrolment,
        result=result,
        score=score,
        note=note.strip(),
        recorded_by=actor,
        recorded_at=now,
    )
    audit.record(
        action="learning.assessment.recorded",
        actor=actor,
        obj=enrolment,
        unit=enrolment.session.course.unit,
        data={"result": result, "scored": score is not None},
    )
    return assessment


@dataclass(frozen=True, slots=True)
class Progress:
    """How far an enrolment is from completing its course."""

    days_total: int
    days_present: int
    # Rounded down, so that what is shown never claims more than was attended.
    attendance_percent: int
    attendance_met: bool
    assessment_met: bool
    complete: bool
    problems: list[str] = field(default_factory=list)


def latest_assessment(enrolment: Enrolment) -> Assessment | None:
    return enrolment.assessments.order_by("-recorded_at", "-pk").first()


def progress_of(enrolment: Enrolment) -> Progress:
    """Attendance and assessment of ``enrolment`` against its course's completion criteria. A
    day without a mark counts as not attended; an excused absence is an absence."""
    session = enrolment.session
    course = session.course
    days_total = session.days.count()
    days_present = Attendance.objects.filter(
        enrolment=enrolment, day__session_id=session.pk, status=AttendanceStatus.PRESENT
    ).count()
    percent = days_present * 100 // days_total if days_total else 0
    # Exact, in whole numbers: 4 days of 5 meet 80 %, 7 of 9 (77.8 %) do not meet 78 %.
    attendance_met = days_total > 0 and days_present * 100 >= course.min_attendance_percent * (
        days_total
    )
    latest = latest_assessment(enrolment) if course.assessment_required else None
    assessment_met = not course.assessment_required or (
        latest is not None and latest.result == AssessmentResult.PASSED
    )
    problems: list[str] = []
    if not days_total:
        problems.append(_("The session has no days."))
    elif not attendance_met:
        problems.append(
            _(
                "Attended %(present)d of %(total)d days (%(percent)d %%); at least "
                "%(needed)d %% is needed."
            )
            % {
                "present": days_present,
                "total": days_total,
                "percent": percent,
                "needed": course.min_attendance_percent,
            }
        )
    if not assessment_met:
        problems.append(
            _("The assessment was not passed.")
            if latest is not None
            else _("No assessment has been recorded.")
        )
    return Progress(
        days_total=days_total,
        days_present=days_present,
        attendance_percent=percent,
        attendance_met=attendance_met,
        assessment_met=assessment_met,
        complete=attendance_met and assessment_met,
        problems=problems,
    )


def _issue_certificate(enrolment: Enrolment, *, actor: User, now: datetime) -> Any:
    from coop4int.learning.credentials.keys import NoSigningKey
    from coop4int.learning.domain.certificates import issue_certificate

    try:
        return issue_certificate(enrolment=enrolment, now=now, actor=actor)
    except NoSigningKey as error:
        # Nothing is recorded: completing without the certificate it promises would leave the
        # participant without one and nobody to notice.
        raise ValidationError(
            _(
                "The certificate cannot be issued: no signing key is configured. Please tell "
                "the administrator; nothing was recorded."
            )
        ) from error


def _revoke_certificate(enrolment: Enrolment, *, actor: User, now: datetime) -> bool:
    from coop4int.learning.domain.certificates import revoke_certificate
    from coop4int.learning.models import Certificate

    certificate = Certificate.objects.filter(enrolment=enrolment, revoked_at__isnull=True).first()
    if certificate is None:
        return False
    if not actor.has_perm(Permission.MANAGE_TRAINING, enrolment):
        raise ValidationError(
            _(
                "A certificate was issued for this completion: only someone who manages the "
                "course can correct it, which revokes the certificate."
            )
        )
    revoke_certificate(
        certificate=certificate,
        actor=actor,
        reason=RevocationReason.ISSUED_IN_ERROR,
        now=now,
    )
    return True


@transaction.atomic
def mark_outcome(*, actor: User, enrolment: Enrolment, completed: bool, now: datetime) -> Enrolment:
    """Record whether an accepted participant completed the course, once its last day has begun
    (or correct an outcome recorded in error). Completing needs ``progress_of(...).complete``
    (``ValidationError`` with the reasons otherwise).

    Side effects: ``learning.enrolment.status_changed`` (reason ``outcome``); on completion of a
    course with a certificate, the certificate (``learning.certificate.issued``; when no key can
    sign, ``ValidationError`` and nothing is recorded); a completion corrected to "did not
    complete" revokes the certificate as issued in error (``learning.certificate.revoked``;
    only those who manage the course may do that); message ``outcome_completed`` (with the
    certificate's verification address) or ``outcome_not_completed`` after the commit."""
    from coop4int.learning.domain.enrolment import _transition

    _require_teacher(actor, enrolment)
    enrolment = Enrolment.objects.select_related("session__course__unit").get(pk=enrolment.pk)
    session = enrolment.session
    last_day = session.days.order_by("-starts_at").first()
    if last_day is None or last_day.starts_at > now:
        raise ValidationError(_("The outcome can be recorded once the last day has begun."))
    to = EnrolmentStatus.COMPLETED if completed else EnrolmentStatus.NOT_COMPLETED
    if completed:
        progress = progress_of(enrolment)
        if not progress.complete:
            raise ValidationError(progress.problems)
    before = enrolment.status
    changed = _transition(enrolment, to=to, actor=actor, now=now, reason="outcome")
    extra: dict[str, Any] = {}
    if completed and session.course.certificate:
        certificate = _issue_certificate(changed, actor=actor, now=now)
        extra = {"certificate_id": certificate.pk, "certificate_language": certificate.language}
    if not completed and before == EnrolmentStatus.COMPLETED:
        _revoke_certificate(changed, actor=actor, now=now)
    tell_on_commit(changed, "outcome_completed" if completed else "outcome_not_completed", **extra)
    return changed
