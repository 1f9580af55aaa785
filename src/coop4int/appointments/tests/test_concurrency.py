"""Two people can never get the last place of a slot: threads, each with its own database
connection, book the last place at the same moment; one gets it, the others ``SlotFull``."""

import threading

import pytest
from django.db import connection

from coop4int.appointments.domain.booking import SlotFull, book_slot
from coop4int.appointments.enums import HOLDING
from coop4int.appointments.models import Booking
from coop4int.appointments.tests.helpers import NOW, at, bookable_desk

THREADS = 6


@pytest.mark.django_db(transaction=True)
def test_only_one_of_many_simultaneous_bookings_gets_the_last_place(unit):
    desk = bookable_desk(unit, places=2)
    sal = desk.service_at_location
    book_slot(
        service_at_location=sal,
        start=at(19, 9),
        name="First",
        phone="+2389900100",
        language="pt",
        now=NOW,
    )
    barrier = threading.Barrier(THREADS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            book_slot(
                service_at_location=sal,
                start=at(19, 9),
                name=f"Person {index}",
                phone=f"+238990020{index}",
                language="pt",
                now=NOW,
            )
            outcome = "booked"
        except SlotFull:
            outcome = "full"
        except Exception as error:  # any other failure must show in the assertion
            outcome = repr(error)
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["booked"] + ["full"] * (THREADS - 1)
    holding = Booking.objects.filter(starts_at=at(19, 9), status__in=HOLDING)
    assert sorted(holding.values_list("place_number", flat=True)) == [1, 2]
