"""What the appointments app holds on a person (``coop4int.core.personal_data``): bookings and
places on a waiting list, with the name, phone or e-mail, language and needs given. Public
ones name no record — they are the person's when the phone or e-mail is one of their contact
points; staff may have linked one to the person's record."""

from datetime import datetime
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

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
]
