"""Who a course is for, how it is given, and the states of an enrolment."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Audience(models.TextChoices):
    IMMIGRANTS = "immigrants", _("Immigrants")
    STAFF = "staff", _("Staff of the support network")
    CIVIL_SOCIETY = "civil_society", _("Civil society organisations")
    LOCAL_AUTHORITIES = "local_authorities", _("Local authorities")


# Audiences whose members are staff of a unit (of the network, or of a partner organisation's
# account): they enrol themselves from the back office.
STAFF_AUDIENCES = frozenset({Audience.STAFF, Audience.CIVIL_SOCIETY, Audience.LOCAL_AUTHORITIES})


class DeliveryMode(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    ONLINE = "online", _("Online")


class EnrolmentStatus(models.TextChoices):
    APPLIED = "applied", _("Applied, to be decided")
    WAITING = "waiting", _("On the waiting list")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Not accepted")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    COMPLETED = "completed", _("Completed")
    NOT_COMPLETED = "not_completed", _("Did not complete")


# The enrolments that hold one of the session's places.
HOLDING = (EnrolmentStatus.ACCEPTED, EnrolmentStatus.COMPLETED, EnrolmentStatus.NOT_COMPLETED)

# The enrolments still open: a person holds at most one such per session.
OPEN = (EnrolmentStatus.APPLIED, EnrolmentStatus.WAITING, EnrolmentStatus.ACCEPTED)

TRANSITIONS: dict[str, frozenset[str]] = {
    EnrolmentStatus.APPLIED: frozenset(
        {
            EnrolmentStatus.ACCEPTED,
            EnrolmentStatus.WAITING,
            EnrolmentStatus.DECLINED,
            EnrolmentStatus.WITHDRAWN,
        }
    ),
    EnrolmentStatus.WAITING: frozenset(
        {EnrolmentStatus.ACCEPTED, EnrolmentStatus.DECLINED, EnrolmentStatus.WITHDRAWN}
    ),
    EnrolmentStatus.ACCEPTED: frozenset(
        {EnrolmentStatus.COMPLETED, EnrolmentStatus.NOT_COMPLETED, EnrolmentStatus.WITHDRAWN}
    ),
    # An outcome recorded in error is corrected by the trainer.
    EnrolmentStatus.COMPLETED: frozenset({EnrolmentStatus.NOT_COMPLETED}),
    EnrolmentStatus.NOT_COMPLETED: frozenset({EnrolmentStatus.COMPLETED}),
    EnrolmentStatus.DECLINED: frozenset(),
    EnrolmentStatus.WITHDRAWN: frozenset(),
}


class EnrolmentChannel(models.TextChoices):
    PUBLIC_FORM = "public_form", _("Application form on the public site")
    OFFICER = "officer", _("Enrolled by an officer")
    SELF = "self", _("Enrolled themselves (staff)")


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", pgettext_lazy("attendance", "Present")
    ABSENT = "absent", pgettext_lazy("attendance", "Absent")
    EXCUSED = "excused", pgettext_lazy("attendance", "Absent, excused")


class AssessmentResult(models.TextChoices):
    PASSED = "passed", pgettext_lazy("assessment", "Passed")
    FAILED = "failed", pgettext_lazy("assessment", "Not passed")


class RevocationReason(models.TextChoices):
    ISSUED_IN_ERROR = "issued_in_error", _("Issued in error")
    FRAUD = "fraud", _("Obtained by fraud")
    COURSE_WITHDRAWN = "course_withdrawn", _("The course's certification was withdrawn")
    ERASED = "erased", _("The holder's record was erased")
    OTHER = "other", _("Other reason")
