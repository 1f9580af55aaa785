"""Cases and their timeline: every contact, on every channel, is an interaction of one case."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coop4int.cases.enums import (
    ACTIVE,
    ACTIVE_LIST,
    DONE_LIST,
    WAITING_LIST,
    Channel,
    Direction,
    Priority,
    ReferralOutcome,
    ReferralStatus,
    Status,
)
from coop4int.cases.system_notes import note_text
from coop4int.core.languages import language_choices


class Case(models.Model):
    """A person's request, from the first contact to its closing. ``version`` grows with every
    change: a save that names an older version is refused (optimistic locking)."""

    reference = models.CharField(_("reference"), max_length=12, unique=True)
    # SHA-256 of the secret in the person's tracking link; the secret itself is never stored.
    tracking_digest = models.CharField(max_length=64, unique=True)
    unit = models.ForeignKey("accounts.Unit", on_delete=models.PROTECT, related_name="cases")
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="cases"
    )
    subject = models.CharField(_("subject"), max_length=200)
    topics = models.ManyToManyField(
        "directory.TaxonomyTerm", verbose_name=_("topics"), blank=True, related_name="+"
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_cases",
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.NORMAL
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    channel = models.CharField(_("first contact by"), max_length=10, choices=Channel.choices)
    language = models.CharField(
        _("language of the person"), max_length=10, choices=language_choices(), default="pt"
    )
    # Where replies go when the person has no record (an anonymous web form or e-mail).
    reply_email = models.EmailField(blank=True)
    reply_phone = models.CharField(max_length=20, blank=True)
    opened_at = models.DateTimeField(_("opened"))
    due_at = models.DateTimeField(_("reply due"))
    first_reply_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    last_activity_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1)
    # After resolution the person is asked one question: how satisfied, 1 (not at all) to 5.
    satisfaction_asked_at = models.DateTimeField(null=True, blank=True)
    satisfaction = models.PositiveSmallIntegerField(null=True, blank=True)
    # A public channel's contact details are a claim of identity, not a proof: when they
    # belong to a record, the case is opened without a person, the record is kept here as a
    # possible match (shown only to those who may open that record) and the consents the
    # form asked for wait in ``claimed_consents`` until an officer confirms the identity.
    identity_verified = models.BooleanField(_("identity verified"), default=True)
    claimed_person = models.ForeignKey(
        "people.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    claimed_consents = models.JSONField(default=list, blank=True)
    is_demo = models.BooleanField(default=False)
    # Stripped of what identifies anyone (the person's erasure or the retention schedule,
    # ``cases.personal_data``): dates, unit, channel, topics and status stay for statistics.
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        # One partial index per inbox view, in its order (soonest due first): a page is read
        # straight from the index however many cases the unit has.
        indexes = [
            models.Index(
                fields=["unit", "due_at", "id"], name="cases_unit_active",
                condition=Q(status__in=ACTIVE_LIST),
            ),
            models.Index(
                fields=["assigned_to", "due_at", "id"], name="cases_mine_active",
                condition=Q(status__in=ACTIVE_LIST),
            ),
            models.Index(
                fields=["unit", "due_at", "id"], name="cases_unit_unassigned",
                condition=Q(status__in=ACTIVE_LIST, assigned_to__isnull=True),
            ),
            models.Index(
                fields=["unit", "due_at", "id"], name="cases_unit_unanswered",
                condition=Q(status__in=ACTIVE_LIST, first_reply_at__isnull=True),
            ),
            models.Index(
                fields=["unit", "due_at", "id"], name="cases_unit_waiting",
                condition=Q(status__in=WAITING_LIST),
            ),
            models.Index(
                fields=["unit", "due_at", "id"], name="cases_unit_done",
                condition=Q(status__in=DONE_LIST),
            ),
            models.Index(
                fields=["due_at", "id"], name="cases_all_active",
                condition=Q(status__in=ACTIVE_LIST),
            ),
            models.Index(fields=["status", "due_at", "id"], name="cases_all_queue"),
        ]  # fmt: skip

    def __str__(self) -> str:
        return self.reference

    @property
    def audit_label(self) -> str:
        """The reference: it names the case, never the person (who may be erased later)."""
        return self.reference

    @property
    def is_overdue(self) -> bool:
        """No first reply yet, and its due time has passed."""
        return (
            self.status in ACTIVE and self.first_reply_at is None and self.due_at < timezone.now()
        )


class Interaction(models.Model):
    """One contact or note on a case's timeline."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="interactions")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    direction = models.CharField(_("direction"), max_length=8, choices=Direction.choices)
    body = models.TextField(_("message"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    language = models.CharField(max_length=10, choices=language_choices(), blank=True)
    # Shown to the person on their tracking page (replies and their own messages; never notes).
    is_public = models.BooleanField(default=False)
    occurred_at = models.DateTimeField()
    # Phone calls.
    duration_seconds = models.PositiveIntegerField(null=True, blank=True)
    interpreter = models.CharField(_("interpreter"), max_length=100, blank=True)
    # E-mail: the RFC 5322 Message-ID, stored once; other channels: the provider's message id.
    message_id = models.CharField(max_length=255, null=True, blank=True, unique=True)
    # Outgoing messages: queued, sent, failed (with the reason).
    delivery = models.CharField(max_length=10, blank=True)
    delivery_error = models.CharField(max_length=300, blank=True)
    # A note the platform wrote (cases.system_notes): its code and values, so that each reader
    # reads it in their own language; ``body`` holds it in the default language.
    note_code = models.CharField(max_length=40, blank=True)
    note_values = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("interaction")
        verbose_name_plural = _("interactions")
        ordering = ["occurred_at", "id"]
        indexes = [models.Index(fields=["case", "occurred_at"], name="cases_timeline")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.channel} {self.occurred_at:%Y-%m-%d %H:%M}"

    @property
    def duration_minutes(self) -> int:
        return -(-(self.duration_seconds or 0) // 60)

    @property
    def is_note(self) -> bool:
        return self.direction == Direction.INTERNAL

    @property
    def text(self) -> str:
        """What the timeline shows: a platform's note in the reader's language, else the body
        as written."""
        if self.note_code:
            return note_text(self.note_code, self.note_values, self.body)
        return self.body


class CaseAttachment(models.Model):
    """A file that came with an interaction: stored outside the web root, served only to
    those who may open the case."""

    interaction = models.ForeignKey(Interaction, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to="cases/%Y/%m/")
    filename = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("case file")
        verbose_name_plural = _("case files")

    def __str__(self) -> str:
        return self.filename


class ResponseTarget(models.Model):
    """How many working hours a unit has to give a first reply on a topic (no topic: the
    default)."""

    topic = models.OneToOneField(
        "directory.TaxonomyTerm", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    working_hours = models.PositiveSmallIntegerField(_("working hours to a first reply"))

    def __str__(self) -> str:
        return f"{self.topic_id or '*'}: {self.working_hours} h"


class Referral(models.Model):
    """A case sent to a partner service of the directory, with the person's consent to share.
    The partner sees only ``shared`` — the minimum the referring officer chose to pass on."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="referrals")
    service = models.ForeignKey(
        "directory.Service", verbose_name=_("partner service"), on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    # The partner organisation's unit, whose users see and answer the referral.
    partner = models.ForeignKey(
        "accounts.Unit", on_delete=models.PROTECT, related_name="referrals_received"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ReferralStatus.choices, default=ReferralStatus.SENT
    )
    # What the partner may read: {"name": …, "phone": …, "language": …, "summary": …}.
    shared = models.JSONField(default=dict)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField()
    answer_due_at = models.DateTimeField(_("answer due"))
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decline_reason = models.CharField(_("reason"), max_length=500, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=12, choices=ReferralOutcome.choices, blank=True
    )
    outcome_note = models.TextField(_("outcome note"), blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-sent_at", "-id"]
        indexes = [models.Index(fields=["partner", "status", "sent_at"], name="cases_referrals_in")]

    def __str__(self) -> str:
        return f"{self.case_id} → {self.service_id}"

    @property
    def is_overdue(self) -> bool:
        if self.status == ReferralStatus.SENT:
            return self.answer_due_at < timezone.now()
        return False


class CannedAnswer(models.Model):
    """A ready answer officers insert, kept per topic in many languages. Its texts may hold
    ``{name}``, ``{reference}``, ``{unit}`` and ``{officer}``."""

    title = models.CharField(_("title"), max_length=200)
    topic = models.ForeignKey(
        "directory.TaxonomyTerm", verbose_name=_("topic"), on_delete=models.CASCADE, null=True,
        blank=True, related_name="+",
    )  # fmt: skip
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class CannedAnswerText(models.Model):
    answer = models.ForeignKey(CannedAnswer, on_delete=models.CASCADE, related_name="texts")
    language = models.CharField(_("language"), max_length=10, choices=language_choices())
    body = models.TextField(_("text"))
    # The name of the provider-approved WhatsApp template with the same text, if any: outside
    # WhatsApp's 24-hour window only such templates may be sent.
    whatsapp_template = models.CharField(max_length=100, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["answer", "language"], name="cases_canned_once")
        ]

    def __str__(self) -> str:
        return f"{self.answer_id} {self.language}"


class CallBack(models.Model):
    """A call an officer promised to make."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="callbacks")
    phone = models.CharField(_("phone"), max_length=20)
    due_at = models.DateTimeField(_("call back at"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("call back")
        verbose_name_plural = _("call backs")
        ordering = ["due_at"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.due_at:%Y-%m-%d %H:%M}"


class Mailbox(models.Model):
    """An IMAP mailbox polled for a unit. The password is never stored: ``password_env`` names
    the environment variable that holds it."""

    unit = models.ForeignKey("accounts.Unit", on_delete=models.CASCADE, related_name="mailboxes")
    host = models.CharField(max_length=200)
    port = models.PositiveIntegerField(default=993)
    use_ssl = models.BooleanField(default=True)
    username = models.CharField(max_length=200)
    password_env = models.CharField(max_length=100)
    folder = models.CharField(max_length=100, default="INBOX")
    is_active = models.BooleanField(default=True)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)

    def __str__(self) -> str:
        return f"{self.username}@{self.host}"
