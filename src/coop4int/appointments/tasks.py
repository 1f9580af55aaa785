"""Background work of the appointments app. Tasks take ids and are safe to run twice."""

from datetime import datetime

from django.utils import timezone
from django_tasks import task

from coop4int.appointments.domain import booking as booking_domain
from coop4int.appointments.models import BookableService, Booking


@task()
def offer_freed_place_task(bookable_id: int, start: str) -> bool:
    """Offer a freed place to the first person waiting that day: the offer is recorded (an
    ``offered`` booking with its expiry) and, once committed, sent to the person with the
    link to accept it (``place_offered``). The link's secret never leaves this call."""
    bookable = (
        BookableService.objects.select_related(
            "service_at_location__service__unit", "service_at_location__location"
        )
        .filter(pk=bookable_id, active=True)
        .first()
    )
    if bookable is None:
        return False
    offered = booking_domain.offer_freed_place(
        bookable=bookable, start=datetime.fromisoformat(start), now=timezone.now()
    )
    if offered is None:
        return False
    booking, secret = offered
    booking_domain.tell_offer(booking, secret)
    return True


@task()
def lapse_offers() -> int:
    """Periodic: offers not accepted in time free their places (each then offered on)."""
    now = timezone.now()
    lapsed = 0
    for pk in booking_domain.offers_due_to_lapse(now=now):
        booking = Booking.objects.filter(pk=pk).first()
        if booking is not None and booking_domain.lapse_offer(booking=booking, now=now):
            lapsed += 1
    return lapsed


@task()
def send_reminders() -> int:
    """Periodic: the reminder the day before each appointment, once per booking."""
    return booking_domain.send_due_reminders(now=timezone.now())
