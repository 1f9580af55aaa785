"""Bookable services, staff absences, bookings and waiting lists.

A booking claims one numbered place of its slot; a unique constraint over (bookable service,
start, place number) among the bookings that hold a place makes two claims of the same place
impossible on every database, so two people can never get the last place of a slot
(``domain/booking.py`` retries the next number when it loses)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from coop4int.appointments.enums import (
    DEFAULT_PRIORITY_REASONS,
    HOLDING,
    BookingStatus,
    NotifyBy,
    PriorityReason,
    TicketEventKind,
    TicketStatus,
    WaitingStatus,
)


class BookableService(models.Model):
    """A directory service at a location that people may book: its slots come from the
    service's opening hours there (``directory.domain.calendars.calendar_for``)."""

    service_at_location = models.OneToOneField(
        "directory.ServiceAtLocation", on_delete=models.CASCADE, related_name="bookable"
    )
    slot_minutes = models.PositiveSmallIntegerField(_("slot length in minutes"))
    places = models.PositiveSmallIntegerField(_("places per slot"))
    book_ahead_days = models.PositiveSmallIntegerField(_("bookable this many days ahead"))
    cancel_until_hours = models.PositiveSmallIntegerField(
        _("cancellable until this many hours before")
    )
    offer_hold_minutes = models.PositiveSmallIntegerField(
        _("minutes to accept a place offered from the waiting list"), default=120
    )
    # Empty: the places are desks, not people. Otherwise each slot has at most as many places
    # as these staff are present (not absent) for the whole slot.
    staff = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    active = models.BooleanField(_("bookable"), default=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("bookable service")
        verbose_name_plural = _("bookable services")
        constraints = [
            models.CheckConstraint(condition=Q(slot_minutes__gte=5), name="appt_slot_min_5"),
            models.CheckConstraint(condition=Q(places__gte=1), name="appt_places_min_1"),
        ]

    def __str__(self) -> str:
        return str(self.service_at_location_id)


class StaffAbsence(models.Model):
    """A member of staff away from ``starts_at`` to ``ends_at``: the slots they serve lose
    their place for it."""

    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="absences"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("staff absence")
        verbose_name_plural = _("staff absences")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="appt_absence_ends_after"
            )
        ]
        indexes = [models.Index(fields=["staff", "starts_at"])]

    def __str__(self) -> str:
        return f"{self.staff_id}: {self.starts_at:%Y-%m-%d %H:%M}"


class Contact(models.Model):
    """Who a booking or a waiting-list place is for, as they said it: an unverified claim.
    ``person`` is set only by staff who may reach that record (``people.scope``)."""

    name = models.CharField(_("name"), max_length=200)
    # Stored in the matching form of ``people.ContactPoint.value`` (E.164, lower-case e-mail),
    # so that erasure and the access export find them by the person's contact points.
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    email = models.CharField(_("e-mail"), max_length=254, blank=True)
    language = models.CharField(_("preferred language"), max_length=16)
    interpreter_needed = models.BooleanField(_("interpreter needed"), default=False)
    accessibility_needs = models.TextField(_("accessibility needs"), blank=True)
    notify_by = models.CharField(
        _("send messages by"), max_length=16, choices=NotifyBy.choices, blank=True
    )
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()
    anonymised_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True


class WaitingListEntry(Contact):
    """Someone waiting for a place on ``day`` (the location's date); the first waiting is
    offered the next place that frees."""

    bookable = models.ForeignKey(BookableService, on_delete=models.CASCADE, related_name="waiting")
    day = models.DateField(_("day"))
    status = models.CharField(
        _("status"), max_length=16, choices=WaitingStatus.choices, default=WaitingStatus.WAITING
    )

    class Meta:
        verbose_name = _("waiting-list place")
        verbose_name_plural = _("waiting-list places")
        indexes = [models.Index(fields=["bookable", "day", "status", "created_at"])]

    def __str__(self) -> str:
        # Never the name: this is what a log or an admin list would show.
        return f"#{self.pk} {self.day}"


class Booking(Contact):
    bookable = models.ForeignKey(BookableService, on_delete=models.PROTECT, related_name="bookings")
    reference = models.CharField(_("reference"), max_length=9, unique=True)
    # SHA-256 of the secret in the person's link; the secret itself is never stored.
    secret_digest = models.CharField(max_length=64)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    place_number = models.PositiveSmallIntegerField()
    status = models.CharField(
        _("status"), max_length=16, choices=BookingStatus.choices, default=BookingStatus.BOOKED
    )
    status_changed_at = models.DateTimeField()
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cancel_reason = models.TextField(blank=True)
    offer_expires_at = models.DateTimeField(null=True, blank=True)
    waiting_entry = models.ForeignKey(
        WaitingListEntry, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # When the reminder the day before went out (sent once).
    reminded_at = models.DateTimeField(null=True, blank=True)
    # The case this appointment belongs to, when staff opened or joined one.
    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="appointments",
    )

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        constraints = [
            models.UniqueConstraint(
                fields=["bookable", "starts_at", "place_number"],
                condition=Q(status__in=[str(status) for status in HOLDING]),
                name="appt_one_booking_per_place",
            )
        ]
        indexes = [
            models.Index(fields=["bookable", "starts_at"]),
            models.Index(fields=["status", "offer_expires_at"]),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def audit_label(self) -> str:
        # The reference names the booking, never the person.
        return f"Booking {self.reference}"


def default_priority_reasons() -> list[str]:
    return list(DEFAULT_PRIORITY_REASONS)


class QueueSettings(models.Model):
    """How a location's waiting room works: who goes first, the target waiting time the unit
    is measured against, and the second language of its display."""

    location = models.OneToOneField(
        "directory.Location", on_delete=models.CASCADE, related_name="queue_settings"
    )
    # Codes of ``PriorityReason`` this location honours.
    priority_reasons = models.JSONField(default=default_priority_reasons)
    priority_first = models.BooleanField(_("priority tickets are called first"), default=True)
    booked_first = models.BooleanField(
        _("people with an appointment are called first once their time has come"), default=True
    )
    target_minutes = models.PositiveSmallIntegerField(
        _("target waiting time in minutes"), default=15
    )
    target_share = models.PositiveSmallIntegerField(
        _("share of people to call within the target, in per cent"), default=85
    )
    display_language = models.CharField(
        _("second language of the waiting-room display"), max_length=16, default="en"
    )
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("waiting-room settings")
        verbose_name_plural = _("waiting-room settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(target_share__lte=100), name="appt_queue_target_share_pct"
            )
        ]

    def __str__(self) -> str:
        return str(self.location_id)


class Ticket(models.Model):
    """A place in a location's waiting room for one service: a walk-in's ticket or a booked
    person who checked in. Holds no name: the display and the ticket show only its number."""

    location = models.ForeignKey(
        "directory.Location", on_delete=models.PROTECT, related_name="tickets"
    )
    service_at_location = models.ForeignKey(
        "directory.ServiceAtLocation", on_delete=models.PROTECT, related_name="tickets"
    )
    # The location's date; ``sequence`` counts the day's tickets at the location and
    # ``number`` is what is printed and called (e.g. "A012").
    day = models.DateField(_("day"))
    sequence = models.PositiveIntegerField()
    number = models.CharField(_("ticket number"), max_length=12)
    language = models.CharField(_("language"), max_length=16)
    priority = models.CharField(
        _("priority"), max_length=16, choices=PriorityReason.choices, blank=True
    )
    booking = models.OneToOneField(
        Booking, on_delete=models.SET_NULL, null=True, blank=True, related_name="ticket"
    )
    # The booked time, for a ticket from a booking: called first once it has come.
    due_at = models.DateTimeField(null=True, blank=True)
    # A ticket transferred to another service continues as a new ticket with the same number.
    transferred_from = models.OneToOneField(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="transferred_to"
    )
    # For an SMS with the ticket's link and when third in line (E.164), kept until the day ends.
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    notify_when_near = models.BooleanField(default=False)
    notified_near_at = models.DateTimeField(null=True, blank=True)
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    case = models.ForeignKey(
        "cases.Case", on_delete=models.SET_NULL, null=True, blank=True, related_name="tickets"
    )
    # SHA-256 of the secret in the ticket's link (its page: position and estimated wait).
    secret_digest = models.CharField(max_length=64)
    status = models.CharField(
        _("status"), max_length=16, choices=TicketStatus.choices, default=TicketStatus.WAITING
    )
    created_at = models.DateTimeField(_("arrived"))
    # The last call counts for the waiting time; ``call_count`` how many calls there were.
    called_at = models.DateTimeField(_("called"), null=True, blank=True)
    call_count = models.PositiveSmallIntegerField(default=0)
    desk = models.CharField(_("desk"), max_length=32, blank=True)
    called_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    served_from = models.DateTimeField(null=True, blank=True)
    served_until = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    anonymised_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        constraints = [
            models.UniqueConstraint(
                fields=["location", "day", "sequence"], name="appt_ticket_sequence_per_day"
            )
        ]
        indexes = [
            models.Index(fields=["location", "day", "status"]),
            models.Index(fields=["service_at_location", "day"]),
            models.Index(fields=["location", "called_at"]),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def audit_label(self) -> str:
        return f"Ticket {self.number} {self.day:%Y-%m-%d}"


class TicketEvent(models.Model):
    """One step of a ticket's life: taken, each call, service started and ended, outcome."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=TicketEventKind.choices)
    at = models.DateTimeField()
    desk = models.CharField(max_length=32, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # E.g. the service a ticket was transferred to.
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("ticket event")
        verbose_name_plural = _("ticket events")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["ticket", "at"])]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind}"
