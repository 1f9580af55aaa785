"""Information for the public — cards, guides, questions and answers, news, campaigns — in any
language of the registry, each translation with its own status and history."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from coop4int.content.enums import (
    AttachmentStatus,
    FeedbackStatus,
    ItemKind,
    TranslationStatus,
)
from coop4int.content.review_dates import default_review_by
from coop4int.core.languages import language_choices


class ContentItem(models.Model):
    """One piece of information, written first in its source language."""

    slug = models.SlugField(_("short name"), max_length=120, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=ItemKind.choices)
    source_language = models.CharField(
        _("source language"), max_length=10, choices=language_choices(), default="pt"
    )
    topic = models.ForeignKey(
        "directory.TaxonomyTerm",
        verbose_name=_("topic"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    audience = models.CharField(_("audience"), max_length=200, blank=True)
    services = models.ManyToManyField(
        "directory.Service", verbose_name=_("related services"), blank=True, related_name="+"
    )
    # The unit that keeps the item true: the author's when it is created, editable. Its
    # health is shown, and its editors and coordinators reminded, per unit.
    unit = models.ForeignKey(
        "accounts.Unit",
        verbose_name=_("responsible unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # By when someone must check the item against the facts again (a year after it was last
    # checked or its source published, ``content.review_dates``), and when that last happened.
    review_by = models.DateField(_("review by"), default=default_review_by)
    last_reviewed_on = models.DateField(_("last reviewed on"), null=True, blank=True)
    # Campaigns: when, through which channels, and how many people each reached (staff enter
    # the figures they get from radio, partners, events…).
    period_start = models.DateField(_("from"), null=True, blank=True)
    period_end = models.DateField(_("until"), null=True, blank=True)
    channels = models.JSONField(_("channels"), default=list, blank=True)
    reach = models.JSONField(_("people reached per channel"), default=dict, blank=True)

    class Meta:
        verbose_name = _("information item")
        verbose_name_plural = _("information items")
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.slug


class Translation(models.Model):
    """The working copy of an item in one language (the source language included)."""

    item = models.ForeignKey(ContentItem, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(_("language"), max_length=10, choices=language_choices())
    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary"), blank=True)
    body = models.TextField(_("text"), blank=True, help_text=_("Markdown."))
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=TranslationStatus.choices,
        default=TranslationStatus.DRAFT,
    )
    version = models.PositiveIntegerField(default=1)
    # For a translation: the version of the source it was made from.
    source_version = models.PositiveIntegerField(null=True, blank=True)
    last_edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    is_demo = models.BooleanField(_("demo translation"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["item", "language"], name="one_translation_per_language"
            )
        ]
        ordering = ["language"]

    def __str__(self) -> str:
        return f"{self.item.slug} [{self.language}] v{self.version}"


class Revision(models.Model):
    """An unchangeable copy of a translation as saved, submitted or published: its history,
    and — for the latest published one — what the public reads."""

    translation = models.ForeignKey(Translation, on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=300)
    summary = models.TextField(blank=True)
    body = models.TextField(blank=True)
    status = models.CharField(max_length=12, choices=TranslationStatus.choices)
    source_version = models.PositiveIntegerField(null=True, blank=True)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    saved_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-saved_at", "-id"]
        indexes = [models.Index(fields=["translation", "status", "-saved_at"])]

    def __str__(self) -> str:
        return f"{self.translation} {self.status} {self.saved_at:%Y-%m-%d %H:%M}"


class Feedback(models.Model):
    """ "Is something missing or wrong?" — a message from the public about a page.

    The page is kept by its route and, only when every part of its address is public, by
    that address (``content.domain.feedback.feedback_source``): never as sent, since the
    address of a person's tracking page holds its secret."""

    route = models.CharField(_("kind of page"), max_length=100, blank=True)
    page = models.CharField(_("page"), max_length=500, blank=True)
    language = models.CharField(_("language"), max_length=10)
    message = models.TextField(_("message"))
    contact_email = models.EmailField(_("e-mail for a reply"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=FeedbackStatus.choices, default=FeedbackStatus.NEW
    )
    received_at = models.DateTimeField(auto_now_add=True)
    reply = models.TextField(_("reply"), blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("feedback message")
        verbose_name_plural = _("feedback messages")
        ordering = ["-received_at"]
        indexes = [models.Index(fields=["status", "-received_at"])]

    def __str__(self) -> str:
        return f"{self.page or self.route} ({self.get_status_display()})"


class Attachment(models.Model):
    """A file for download with an item, in one language — a printable card, a leaflet.

    Reviewed like the item's text (``content.domain.attachments``): a file added, or added in
    place of another, is a draft that only editors see, until someone other than the person
    who added it publishes it; the file it replaces stays public until then."""

    item = models.ForeignKey(ContentItem, on_delete=models.CASCADE, related_name="attachments")
    language = models.CharField(_("language"), max_length=10, choices=language_choices())
    title = models.CharField(_("title"), max_length=200)
    # Stored under COOP4INT_DATA_DIR/media, never served directly: the download view does.
    file = models.FileField(upload_to="content/%Y/%m/")
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=AttachmentStatus.choices,
        default=AttachmentStatus.DRAFT,
    )
    # The published file this one takes the place of once it is published itself.
    replaces = models.ForeignKey(
        "self",
        verbose_name=_("replaces"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="replacements",
    )
    # Null for a draft, and for the files published before files were reviewed.
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["language", "title"]
        indexes = [models.Index(fields=["item", "language", "status"])]

    def __str__(self) -> str:
        return f"{self.title} ({self.language})"

    @property
    def is_public(self) -> bool:
        return self.status == AttachmentStatus.PUBLISHED


class HealthReminder(models.Model):
    """When a unit's editors and coordinators were last e-mailed what of its information needs
    attention (``content.domain.health_reminders``): at most once a calendar month."""

    unit = models.OneToOneField(
        "accounts.Unit", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    sent_on = models.DateField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.unit} {self.sent_on or '-'}"
