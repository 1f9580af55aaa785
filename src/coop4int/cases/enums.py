from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Status(models.TextChoices):
    NEW = "new", pgettext_lazy("case", "New")
    OPEN = "open", pgettext_lazy("case", "Open")
    WAITING_PERSON = "waiting_person", _("Waiting on the person")
    WAITING_PARTNER = "waiting_partner", _("Waiting on a partner")
    RESOLVED = "resolved", pgettext_lazy("case", "Resolved")
    CLOSED = "closed", pgettext_lazy("case", "Closed")


# Which status may follow which. Reopening: resolved or closed → open.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.NEW: frozenset({Status.OPEN, Status.WAITING_PERSON, Status.WAITING_PARTNER,
                           Status.RESOLVED, Status.CLOSED}),
    Status.OPEN: frozenset({Status.WAITING_PERSON, Status.WAITING_PARTNER, Status.RESOLVED,
                            Status.CLOSED}),
    Status.WAITING_PERSON: frozenset({Status.OPEN, Status.WAITING_PARTNER, Status.RESOLVED,
                                      Status.CLOSED}),
    Status.WAITING_PARTNER: frozenset({Status.OPEN, Status.WAITING_PERSON, Status.RESOLVED,
                                       Status.CLOSED}),
    Status.RESOLVED: frozenset({Status.OPEN, Status.CLOSED}),
    Status.CLOSED: frozenset({Status.OPEN}),
}  # fmt: skip

ACTIVE = frozenset({Status.NEW, Status.OPEN, Status.WAITING_PERSON, Status.WAITING_PARTNER})
WAITING = frozenset({Status.WAITING_PERSON, Status.WAITING_PARTNER})
DONE = frozenset({Status.RESOLVED, Status.CLOSED})
# The same sets in one fixed order: the inbox's queries and its partial indexes must spell
# their conditions identically for the database to match them.
ACTIVE_LIST = sorted(ACTIVE)
WAITING_LIST = sorted(WAITING)
DONE_LIST = sorted(DONE)


class Priority(models.IntegerChoices):
    LOW = 1, pgettext_lazy("priority", "Low")
    NORMAL = 2, pgettext_lazy("priority", "Normal")
    HIGH = 3, pgettext_lazy("priority", "High")
    URGENT = 4, pgettext_lazy("priority", "Urgent")


class Channel(models.TextChoices):
    WALK_IN = "walk_in", _("Walk-in")
    PHONE = "phone", _("Phone call")
    EMAIL = "email", _("E-mail")
    WEB = "web", _("Web or app")
    SMS = "sms", _("SMS")
    WHATSAPP = "whatsapp", _("WhatsApp")
    NOTE = "note", _("Internal note")


class Direction(models.TextChoices):
    IN = "in", _("From the person")
    OUT = "out", _("To the person")
    INTERNAL = "internal", _("Internal")


class ReferralStatus(models.TextChoices):
    SENT = "sent", pgettext_lazy("referral", "Sent")
    ACCEPTED = "accepted", pgettext_lazy("referral", "Accepted")
    DECLINED = "declined", pgettext_lazy("referral", "Declined")
    COMPLETED = "completed", pgettext_lazy("referral", "Outcome recorded")
    WITHDRAWN = "withdrawn", pgettext_lazy("referral", "Withdrawn")


class ReferralOutcome(models.TextChoices):
    SERVED = "served", _("The person was served")
    PARTLY = "partly", _("Partly served")
    NOT_SERVED = "not_served", _("Could not be served")
    NO_SHOW = "no_show", _("The person did not come")
