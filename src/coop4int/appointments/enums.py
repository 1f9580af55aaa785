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
