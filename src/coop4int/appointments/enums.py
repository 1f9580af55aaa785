"""The states of a booking and of a place on a waiting list, and the moves between them."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class BookingStatus(models.TextChoices):
    OFFERED = "offered", _("Offered from the waiting list")
    BOOKED = "booked", _("Booked")
    CHECKED_IN = "checked_in", _("Checked in")
    NO_SHOW = "no_show", _("Did not come")
    CANCELLED = "cancelled", _("Cancelled")
    LAPSED = "lapsed", _("Offer not accepted in time")


# The statuses that hold a place of their slot: the unique constraint on
# (bookable, start, place number) counts only these, so a cancelled or lapsed booking frees its
# place at once. A no-show keeps it: the slot is past and its count is history.
HOLDING = (
    BookingStatus.OFFERED,
    BookingStatus.BOOKED,
    BookingStatus.CHECKED_IN,
    BookingStatus.NO_SHOW,
)

# The bookings that count towards a contact's cap: those still to come.
ACTIVE = (BookingStatus.OFFERED, BookingStatus.BOOKED)

TRANSITIONS: dict[str, frozenset[str]] = {
    BookingStatus.OFFERED: frozenset(
        {BookingStatus.BOOKED, BookingStatus.LAPSED, BookingStatus.CANCELLED}
    ),
    BookingStatus.BOOKED: frozenset(
        {BookingStatus.CANCELLED, BookingStatus.CHECKED_IN, BookingStatus.NO_SHOW}
    ),
    # Someone marked absent who turns up late after all.
    BookingStatus.NO_SHOW: frozenset({BookingStatus.CHECKED_IN}),
    BookingStatus.CHECKED_IN: frozenset(),
    BookingStatus.CANCELLED: frozenset(),
    BookingStatus.LAPSED: frozenset(),
}


class WaitingStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    OFFERED = "offered", _("Offered a place")
    BOOKED = "booked", _("Booked")
    LAPSED = "lapsed", _("Did not accept in time")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class NotifyBy(models.TextChoices):
    """How the person wants to hear about their appointment or ticket."""

    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
    WHATSAPP = "whatsapp", _("WhatsApp")


class PriorityReason(models.TextChoices):
    """Why a walk-in ticket may go before others; a location's queue settings choose which
    of these it honours."""

    PREGNANCY = "pregnancy", _("Pregnancy")
    AGE = "age", _("Age (65 or older)")
    DISABILITY = "disability", _("Disability or reduced mobility")
    SMALL_CHILD = "small_child", _("With a baby or small child")


DEFAULT_PRIORITY_REASONS = [
    PriorityReason.PREGNANCY.value,
    PriorityReason.AGE.value,
    PriorityReason.DISABILITY.value,
]


class TicketStatus(models.TextChoices):
    """A ticket's place in the waiting room; the last four are outcomes and final."""

    WAITING = "waiting", _("Waiting")
    CALLED = "called", _("Called")
    SERVING = "serving", _("Being served")
    SERVED = "served", _("Served")
    NO_SHOW = "no_show", _("Did not answer the call")
    LEFT = "left", _("Left before being served")
    TRANSFERRED = "transferred", _("Transferred to another service")


TICKET_OPEN = (TicketStatus.WAITING, TicketStatus.CALLED, TicketStatus.SERVING)
TICKET_OUTCOMES = (
    TicketStatus.SERVED,
    TicketStatus.NO_SHOW,
    TicketStatus.LEFT,
    TicketStatus.TRANSFERRED,
)


class TicketEventKind(models.TextChoices):
    """What happened to a ticket, in order: its life as recorded."""

    CREATED = "created", _("Ticket taken")
    CALLED = "called", _("Called")
    RECALLED = "recalled", _("Called again")
    SERVING = "serving", _("Service started")
    SERVED = "served", _("Served")
    NO_SHOW = "no_show", _("Did not answer the call")
    LEFT = "left", _("Left before being served")
    TRANSFERRED = "transferred", _("Transferred")
