from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    INTERSEX = "intersex", _("Intersex")
    NOT_STATED = "not_stated", _("Not stated")


class AgeGroup(models.TextChoices):
    UNDER_18 = "0-17", _("Under 18")
    FROM_18 = "18-24", "18–24"
    FROM_25 = "25-34", "25–34"
    FROM_35 = "35-44", "35–44"
    FROM_45 = "45-54", "45–54"
    FROM_55 = "55-64", "55–64"
    FROM_65 = "65+", _("65 or older")


class ResidenceStatus(models.TextChoices):
    RESIDENT = "resident", _("Residence permit")
    PENDING = "pending", _("Application pending")
    VISA = "visa", _("Visa")
    IRREGULAR = "irregular", _("No valid document")
    CITIZEN = "citizen", _("Cabo Verdean citizen")
    UNKNOWN = "unknown", _("Not known")


class ContactKind(models.TextChoices):
    PHONE = "phone", pgettext_lazy("contact", "Phone")
    EMAIL = "email", _("E-mail")


class Purpose(models.TextChoices):
    """What a person may consent to, each on its own."""

    SERVICE = "service", _("Service delivery")
    CONTACT = "contact", _("Being contacted")
    REFERRAL = "referral", _("Sharing with a partner in a referral")
    STATISTICS = "statistics", _("Use in statistics")
    SHARING = "sharing", _("Sharing the record between units")


class ConsentMethod(models.TextChoices):
    IN_PERSON = "in_person", _("In person, signed")
    VERBAL = "verbal", _("Verbally")
    ONLINE = "online", _("Online form")
    EMAIL = "email", _("By e-mail")


class ErasureGround(models.TextChoices):
    """Why a record was erased. The audit log outlives the erasure and keeps only this code:
    any words of the officer's go on the emptied record (``Person.erasure_note``)."""

    PERSON_ASKED = "person_asked", _("The person asked for it")
    RETENTION_ENDED = "retention_ended", _("The retention period ended")
    ORDERED = "ordered", _("A court or the data protection authority ordered it")
    DUPLICATE_OR_ERROR = "duplicate_or_error", _("The record is a duplicate or was made in error")
    # Not chosen by anyone: ``replay_erasures`` erasing again after a restore.
    REPLAYED = "replayed", _("Erased again after a restore, from the erasure journal")


# The grounds an officer chooses from; ``REPLAYED`` is the journal's.
CHOSEN_ERASURE_GROUNDS = tuple(g for g in ErasureGround if g != ErasureGround.REPLAYED)
