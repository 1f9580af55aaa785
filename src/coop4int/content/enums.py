from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ItemKind(models.TextChoices):
    CARD = "card", _("Information card")
    GUIDE = "guide", _("Guide")
    FAQ = "faq", _("Question and answer")
    NEWS = "news", _("News")
    CAMPAIGN = "campaign", _("Campaign")
    # The title and description of a training course (learning.Course), shown in the catalogue.
    COURSE = "course", _("Course description")


class TranslationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    PUBLISHED = "published", _("Published")
    # The source changed after this translation was made: it must be brought up to date.
    OUTDATED = "outdated", _("Outdated")


class FeedbackStatus(models.TextChoices):
    NEW = "new", _("New")
    IN_PROGRESS = "in_progress", _("Being looked at")
    DONE = "done", _("Done")
    SPAM = "spam", _("Not relevant")


class Channel(models.TextChoices):
    RADIO = "radio", _("Radio")
    TELEVISION = "television", _("Television")
    SOCIAL_MEDIA = "social_media", _("Social media")
    POSTERS = "posters", _("Posters and leaflets")
    SMS = "sms", pgettext_lazy("campaign channel", "Text messages")
    EVENTS = "events", _("Events and sessions")
    WEBSITE = "website", _("This website")


class Health(models.TextChoices):
    """A traffic light for an item, or for a unit's information (its worst item). Always shown
    with its words, never by colour alone."""

    GREEN = "green", _("Up to date")
    AMBER = "amber", _("Attention soon")
    RED = "red", _("Needs attention now")


class AttachmentStatus(models.TextChoices):
    """A file of an item goes out as its text does: added as a draft, public once someone
    other than the person who added it has opened and published it."""

    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    # A newer file was published in its place: no longer offered to the public.
    REPLACED = "replaced", _("Replaced")
