"""Courses, their sessions and days, enrolments with attendance and assessments, and the
certificates issued on completion with their place in a revocation status list.

A course's title, summary and description are a ``content.ContentItem`` of kind ``course``:
written, translated, reviewed and published through the information hub's workflow.

An enrolment names its participant in one of three ways: a person's record (``person``, set by
staff within the scoping rule), a member of staff (``staff``, who enrolled themselves), or —
for an application from the public site, until an officer decides it — only as the applicant
said (name, phone or e-mail): an unverified claim that never attaches itself to a record."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from coop4int.appointments.enums import NotifyBy
from coop4int.learning.enums import (
    OPEN,
    AssessmentResult,
    AttendanceStatus,
    DeliveryMode,
    EnrolmentChannel,
    EnrolmentStatus,
    RevocationReason,
)
from coop4int.people.enums import Sex

# At least 131,072 entries (W3C Bitstring Status List: 16 KB uncompressed), so that one
# credential's index says nothing about how many were issued.
STATUS_LIST_SIZE = 131_072


class Course(models.Model):
    slug = models.SlugField(_("short name"), max_length=80, unique=True)
    description = models.OneToOneField(
        "content.ContentItem",
        on_delete=models.PROTECT,
        related_name="course",
        verbose_name=_("title and description"),
    )
    # The unit that runs the course: its coordinators manage it.
    unit = models.ForeignKey(
        "accounts.Unit", on_delete=models.PROTECT, related_name="courses", verbose_name=_("unit")
    )
    # The organisation giving it (a partner from the directory), if not the unit itself.
    organisation = models.ForeignKey(
        "directory.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="courses",
        verbose_name=_("organisation giving it"),
    )
    audiences = models.JSONField(_("audiences"), default=list)  # Audience codes
    languages = models.JSONField(_("languages taught in"), default=list)  # registry codes
    mode = models.CharField(
        _("given"), max_length=16, choices=DeliveryMode.choices, default=DeliveryMode.IN_PERSON
    )
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1)
    # Completion criteria.
    min_attendance_percent = models.PositiveSmallIntegerField(
        _("least attendance to complete, in per cent"), default=80
    )
    assessment_required = models.BooleanField(_("a passed assessment is required"), default=True)
    certificate = models.BooleanField(_("a certificate is issued on completion"), default=True)
    certificate_valid_months = models.PositiveSmallIntegerField(
        _("certificate valid for this many months"),
        null=True,
        blank=True,
        help_text=_("Empty: the certificate does not expire."),
    )
    published = models.BooleanField(_("in the public catalogue"), default=False)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    is_demo = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        constraints = [
            models.CheckConstraint(
                condition=Q(min_attendance_percent__lte=100), name="learning_attendance_pct"
            ),
            models.CheckConstraint(condition=Q(hours__gt=0), name="learning_hours_positive"),
        ]

    def __str__(self) -> str:
        return self.slug


class CourseSession(models.Model):
    """One run of a course: its days, place, capacity, trainer and language."""

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="sessions")
    language = models.CharField(_("language"), max_length=16)
    # Where it is given (in person); empty for an online session.
    location = models.ForeignKey(
        "directory.Location",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="course_sessions",
        verbose_name=_("place"),
    )
    online_address = models.URLField(_("address of the online session"), blank=True)
    capacity = models.PositiveSmallIntegerField(_("places"))
    trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sessions_trained",
        verbose_name=_("trainer"),
    )
    # The first day's start and the last day's end, kept by the domain from ``days``.
    starts_at = models.DateTimeField(_("starts"), null=True, blank=True)
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    accepts_applications = models.BooleanField(_("open for applications"), default=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("course session")
        verbose_name_plural = _("course sessions")
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gte=1), name="learning_capacity_min_1")
        ]
        indexes = [models.Index(fields=["course", "starts_at"])]

    def __str__(self) -> str:
        return f"{self.course_id}#{self.pk}"


class SessionDay(models.Model):
    session = models.ForeignKey(CourseSession, on_delete=models.CASCADE, related_name="days")
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))

    class Meta:
        verbose_name = _("session day")
        verbose_name_plural = _("session days")
        ordering = ["starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["session", "starts_at"], name="learning_one_day"),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="learning_day_ends_after"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session_id}: {self.starts_at:%Y-%m-%d %H:%M}"


class Enrolment(models.Model):
    session = models.ForeignKey(CourseSession, on_delete=models.PROTECT, related_name="enrolments")
    status = models.CharField(
        _("status"), max_length=16, choices=EnrolmentStatus.choices, default=EnrolmentStatus.APPLIED
    )
    channel = models.CharField(_("how"), max_length=16, choices=EnrolmentChannel.choices)
    person = models.ForeignKey(
        "people.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enrolments",
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enrolments",
    )
    # As the applicant gave them; phone and e-mail in the matching form of
    # ``people.ContactPoint.value`` (E.164, lower-case e-mail).
    name = models.CharField(_("name"), max_length=200)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    email = models.CharField(_("e-mail"), max_length=254, blank=True)
    language = models.CharField(_("preferred language"), max_length=16)
    notify_by = models.CharField(
        _("send messages by"), max_length=16, choices=NotifyBy.choices, blank=True
    )
    motivation = models.TextField(_("why the applicant wants to take part"), blank=True)
    # For the statistics by sex and nationality: from the person's record once linked, else
    # as the participant gave them (optional).
    sex = models.CharField(_("sex"), max_length=12, choices=Sex.choices, default=Sex.NOT_STATED)
    nationality = models.CharField(_("nationality"), max_length=2, blank=True)
    created_at = models.DateTimeField()
    status_changed_at = models.DateTimeField(_("last changed"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # When the reminder the day before the first day went out (sent once).
    reminded_at = models.DateTimeField(null=True, blank=True)
    anonymised_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "person"],
                condition=Q(person__isnull=False, status__in=[str(s) for s in OPEN]),
                name="learning_one_open_enrolment_per_person",
            ),
            models.UniqueConstraint(
                fields=["session", "staff"],
                condition=Q(staff__isnull=False, status__in=[str(s) for s in OPEN]),
                name="learning_one_open_enrolment_per_staff",
            ),
        ]
        indexes = [models.Index(fields=["session", "status", "created_at"])]

    def __str__(self) -> str:
        # Never the name: this is what a log or an admin list would show.
        return f"#{self.pk}"


class Attendance(models.Model):
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="attendance")
    day = models.ForeignKey(SessionDay, on_delete=models.CASCADE, related_name="attendance")
    status = models.CharField(_("attendance"), max_length=12, choices=AttendanceStatus.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "day"], name="learning_one_attendance")
        ]

    def __str__(self) -> str:
        return f"{self.enrolment_id}@{self.day_id}"


class Assessment(models.Model):
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="assessments")
    result = models.CharField(_("result"), max_length=12, choices=AssessmentResult.choices)
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=1, null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["recorded_at"]

    def __str__(self) -> str:
        return f"{self.enrolment_id}: {self.result}"


class StatusList(models.Model):
    """A W3C Bitstring Status List for revocation: one bit per credential, at
    ``Certificate.status_index``; the list's credential is drawn from the certificates' rows."""

    size = models.PositiveIntegerField(default=STATUS_LIST_SIZE)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("status list")
        verbose_name_plural = _("status lists")

    def __str__(self) -> str:
        return str(self.pk)


def new_certificate_id() -> str:
    """128 random bits (the verification page names the holder, so its address cannot be
    guessed), base64url, never starting with "-" or "_": the id is typed after a command
    (``coop4int credentials revoke ID``), where a leading "-" would read as an option."""
    while True:
        candidate = secrets.token_urlsafe(16)
        if candidate[0].isalnum():
            return candidate


class Certificate(models.Model):
    """A certificate of completion: the signed Open Badges 3.0 credential (a VC-JWT) and what
    the PDF and the verification page show."""

    id = models.CharField(
        _("Certificate id"), primary_key=True, max_length=32, default=new_certificate_id
    )
    enrolment = models.OneToOneField(
        Enrolment, on_delete=models.PROTECT, related_name="certificate"
    )
    holder_name = models.CharField(_("holder's name"), max_length=200)
    language = models.CharField(_("language of the certificate"), max_length=16)
    # The compact JWS (header.payload.signature) exactly as issued.
    credential = models.TextField()
    key_id = models.CharField(max_length=100)
    issued_at = models.DateTimeField(_("issued"))
    valid_from = models.DateTimeField(_("valid from"))
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)
    status_list = models.ForeignKey(StatusList, on_delete=models.PROTECT, related_name="+")
    status_index = models.PositiveIntegerField()
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revocation_reason = models.CharField(
        _("reason for revoking"), max_length=20, choices=RevocationReason.choices, blank=True
    )
    revocation_note = models.CharField(_("note on revoking"), max_length=500, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        constraints = [
            models.UniqueConstraint(
                fields=["status_list", "status_index"], name="learning_one_status_bit"
            )
        ]
        indexes = [models.Index(fields=["status_list", "revoked_at"])]

    def __str__(self) -> str:
        return self.id

    @property
    def audit_label(self) -> str:
        return f"Certificate {self.id}"
