"""What the appointments app holds on a person (``coop4int.core.personal_data``): bookings and
places on a waiting list, with the name, phone or e-mail, language and needs given, and
waiting-room tickets (no name; a phone number for messages, a person or case staff linked).
Public ones name no record — they are the person's when the phone or e-mail is one of their contact
points; staff may have linked one to the person's record."""

from datetime import datetime
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from coop4int.appointments.enums import TicketEventKind
from coop4int.core.personal_data import Erasure, PersonalData, Retention

CLEARED: dict[str, Any] = {
    "name": "",
    "phone": "",
    "email": "",
    "accessibility_needs": "",
    "interpreter_needed": False,
    "person": None,
}
EXPORTED = (
    "name",
    "phone",
    "email",
    "language",
    "interpreter_needed",
    "accessibility_needs",
    "created_at",
)


def anonymise_bookings(rows: models.QuerySet[Any], now: datetime) -> int:
    """Keep that a slot was booked, when and what became of it (the service's counts); drop
    whom it was for and what they said."""
    return rows.update(**CLEARED, cancel_reason="", anonymised_at=now)


def anonymise_waiting(rows: models.QuerySet[Any], now: datetime) -> int:
    return rows.update(**CLEARED, anonymised_at=now)


def anonymise_tickets(rows: models.QuerySet[Any], now: datetime) -> int:
    """Keep the ticket's number, service, times and outcome (the waiting room's counts); drop
    the phone and the links to the person and their case."""
    return rows.update(phone="", notify_when_near=False, person=None, case=None, anonymised_at=now)


def export_ticket_events(rows: models.QuerySet[Any]) -> list[dict[str, Any]]:
    """What happened to the ticket and when (the desk and the officer are the unit's)."""
    return [
        {"kind": TicketEventKind(event.kind).label, "occurred_at": event.at}
        for event in rows.order_by("at", "pk")
    ]


def _retention(starts: str) -> Retention:
    return Retention(
        years_setting="RETENTION_APPOINTMENTS_YEARS",
        default_years=2,
        starts=starts,
        description=_(
            "Anonymised the number of years the deployment sets (two unless configured "
            "otherwise) after the appointment or the request to wait."
        ),
    )


DECLARATIONS = [
    PersonalData(
        model="appointments.Booking",
        person_path="person",
        contact_fields=("phone", "email"),
        description=_(
            "Appointments: the service, time and status, and the name, phone or e-mail, "
            "preferred language, need of an interpreter and accessibility needs given."
        ),
        purpose="service",
        legal_basis=_("The person's request for an appointment."),
        retention=_retention("starts_at"),
        erasure=Erasure.ANONYMISE,
        anonymise=anonymise_bookings,
        already_anonymised=models.Q(anonymised_at__isnull=False),
        export_fields=("reference", "starts_at", "ends_at", "status", *EXPORTED),
    ),
    PersonalData(
        model="appointments.WaitingListEntry",
        person_path="person",
        contact_fields=("phone", "email"),
        description=_(
            "Places on a waiting list for appointments: the day wanted, and the name, phone or "
            "e-mail, preferred language and needs given."
        ),
        purpose="service",
        legal_basis=_("The person's request for an appointment."),
        retention=_retention("created_at"),
        erasure=Erasure.ANONYMISE,
        anonymise=anonymise_waiting,
        already_anonymised=models.Q(anonymised_at__isnull=False),
        export_fields=("day", "status", *EXPORTED),
    ),
    PersonalData(
        model="appointments.Ticket",
        person_path="person",
        other_person_paths=("case__person",),
        contact_fields=("phone",),
        description=_(
            "Tickets of a waiting room: the service, the number, the language and priority "
            "given, when it was taken, called and served, and the phone number given for "
            "messages about it (cleared at the end of its day)."
        ),
        purpose="service",
        legal_basis=_("The person's request to be served at the unit."),
        retention=Retention(
            years_setting="RETENTION_APPOINTMENTS_YEARS",
            default_years=2,
            starts="created_at",
            description=_(
                "Anonymised the number of years the deployment sets (two unless configured "
                "otherwise) after the ticket was taken; its phone number at the end of its day."
            ),
        ),
        erasure=Erasure.ANONYMISE,
        anonymise=anonymise_tickets,
        already_anonymised=models.Q(anonymised_at__isnull=False),
        export_fields=(
            "number",
            "day",
            "status",
            "language",
            "priority",
            "phone",
            "created_at",
            "called_at",
            "desk",
        ),
    ),
    PersonalData(
        model="appointments.TicketEvent",
        person_path="ticket__person",
        other_person_paths=("ticket__case__person",),
        description=_(
            "The steps of a waiting-room ticket: taken, called, served, and how it ended, "
            "with their times."
        ),
        purpose="service",
        legal_basis=_("The person's request to be served at the unit."),
        erasure=Erasure.KEEP,
        kept_because=_(
            "They hold only times and the desk; once the ticket is anonymised they no longer "
            "lead to anyone, and the waiting room's statistics count them."
        ),
        export=export_ticket_events,
    ),
]
