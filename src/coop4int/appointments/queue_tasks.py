"""Background work of the waiting room. Tasks are safe to run twice."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from coop4int.appointments.domain.queue_queries import location_today
from coop4int.appointments.models import Ticket
from coop4int.core.audit import record
from coop4int.directory.models import Location


def clear_ticket_phones(*, now: datetime) -> int:
    """A ticket's phone number serves only its day: once the day is over at the ticket's
    location, it is cleared. Returns how many were cleared; audit
    ``appointments.ticket.phones_cleared`` (a count) when any were."""
    cleared = 0
    with transaction.atomic():
        location_ids = (
            Ticket.objects.exclude(phone="").values_list("location_id", flat=True).distinct()
        )
        for location in Location.objects.filter(pk__in=list(location_ids)):
            cleared += (
                Ticket.objects.filter(location=location, day__lt=location_today(location, now))
                .exclude(phone="")
                .update(phone="", notify_when_near=False)
            )
        if cleared:
            record(
                action="appointments.ticket.phones_cleared",
                actor=None,
                data={"tickets": cleared},
            )
    return cleared


@task()
def clear_ticket_phones_task() -> int:
    """Periodic (hourly is plenty): ``clear_ticket_phones``."""
    return clear_ticket_phones(now=timezone.now())
