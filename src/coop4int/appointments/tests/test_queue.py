"""The waiting room: numbering, the calling order, calls, recalls, outcomes, transfers, the
"third in line" message, a booking's check-in joining the queue, and two officers calling at
once never getting the same ticket."""

import threading
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection

from coop4int.accounts.enums import Role
from coop4int.accounts.tests.factories import StaffFactory
from coop4int.appointments.domain import queue, queue_queries
from coop4int.appointments.domain.booking import book_slot, check_in
from coop4int.appointments.enums import BookingStatus, TicketEventKind, TicketStatus
from coop4int.appointments.models import QueueSettings, Ticket
from coop4int.appointments.tests.helpers import at, bookable_desk
from coop4int.cases.domain.references import tracking_digest
from coop4int.core.models import AuditEntry
from coop4int.directory.models import Service, ServiceAtLocation


class RecordingSender:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def send(self, to: str, body: str, *, whatsapp: bool, template: str = "") -> str:
        self.sent.append((to, body))
        return f"test:{len(self.sent)}"


def waiting_room(unit: Any) -> tuple[ServiceAtLocation, ServiceAtLocation]:
    """A bookable desk in Praia (letter A) and a second walk-in service there (letter B)."""
    desk = bookable_desk(unit).service_at_location
    service = Service.objects.create(
        organization=desk.service.organization, name="Documentos", unit=unit, walk_in=True
    )
    documents = ServiceAtLocation.objects.create(service=service, location=desk.location)
    return desk, documents


def officer(unit: Any) -> Any:
    return StaffFactory(unit=unit, roles=[Role.FRONT_OFFICE_OFFICER])


def take(sal: ServiceAtLocation, actor: Any, now: Any, **extra: Any) -> Ticket:
    ticket, _secret = queue.take_ticket(
        service_at_location=sal, language="pt", actor=actor, now=now, **extra
    )
    return ticket


def book_and_check_in(sal: ServiceAtLocation, actor: Any, start: Any, now: Any) -> Ticket:
    booking, _secret = book_slot(
        service_at_location=sal,
        start=start,
        name="Ana Lopes",
        phone="+2389912345",
        language="fr",
        now=now - timedelta(days=3),
    )
    ticket, _secret = check_in(booking=booking, actor=actor, now=now)
    return ticket


@pytest.fixture
def sender(monkeypatch: pytest.MonkeyPatch) -> RecordingSender:
    recording = RecordingSender()
    monkeypatch.setattr("coop4int.appointments.notify.message_sender", lambda: recording)
    return recording


# --- Numbers ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_tickets_are_numbered_by_service_letter_and_the_days_sequence(unit):
    desk, documents = waiting_room(unit)
    staff = officer(unit)
    first, secret = queue.take_ticket(
        service_at_location=desk, language="pt", actor=staff, now=at(19, 8)
    )
    second = take(documents, staff, at(19, 8, 5))
    third = take(desk, staff, at(19, 8, 10))
    assert [first.number, second.number, third.number] == ["A001", "B002", "A003"]
    assert first.secret_digest == tracking_digest(secret)
    assert secret not in str(Ticket.objects.filter(pk=first.pk).values().get())
    assert take(desk, staff, at(21, 8)).number == "A001"  # a new day starts again
    assert list(first.events.values_list("kind", flat=True)) == [TicketEventKind.CREATED]
    entry = AuditEntry.objects.get(action="appointments.ticket.taken", object_id=str(first.pk))
    assert entry.data["number"] == "A001"


@pytest.mark.django_db
def test_a_priority_must_be_one_the_location_honours_and_a_phone_must_be_a_phone(unit):
    desk, _documents = waiting_room(unit)
    staff = officer(unit)
    with pytest.raises(queue.QueueRefused):
        take(desk, staff, at(19, 8), priority="small_child")  # not honoured by default
    with pytest.raises(queue.QueueRefused):
        take(desk, staff, at(19, 8), phone="not a phone")
    with pytest.raises(queue.QueueRefused):
        take(desk, staff, at(19, 8), notify_when_near=True)
    assert not Ticket.objects.exists()
    ticket = take(desk, staff, at(19, 8), priority="pregnancy", phone="991 23 45")
    assert ticket.priority == "pregnancy"
    assert ticket.phone == "+2389912345"


@pytest.mark.django_db
def test_another_units_officer_can_neither_take_nor_call(unit, other_unit):
    desk, _documents = waiting_room(unit)
    stranger = officer(other_unit)
    with pytest.raises(PermissionDenied):
        take(desk, stranger, at(19, 8))
    ticket = take(desk, officer(unit), at(19, 8))
    with pytest.raises(PermissionDenied):
        queue.call_next(
            location=desk.location, service_ids=[desk.pk], desk="1", actor=stranger, now=at(19, 9)
        )
    with pytest.raises(PermissionDenied):
        queue.finish(ticket=ticket, outcome="left", actor=stranger, now=at(19, 9))
    assert Ticket.objects.get().status == TicketStatus.WAITING


# --- The calling order -------------------------------------------------------------------------


@pytest.mark.django_db
def test_booked_tickets_go_first_once_their_time_has_come_then_priority_then_arrival(unit):
    desk, _documents = waiting_room(unit)
    staff = officer(unit)
    walk_in = take(desk, staff, at(19, 9))
    booked = book_and_check_in(desk, staff, start=at(19, 9, 30), now=at(19, 9, 2))
    pregnant = take(desk, staff, at(19, 9, 5), priority="pregnancy")
    later = take(desk, staff, at(19, 9, 6))
    location = desk.location

    # Before the booked time, the booked person waits as a walk-in would (arrived 09:02).
    assert queue_queries.calling_order(location, now=at(19, 9, 10)) == [
        pregnant,
        walk_in,
        booked,
        later,
    ]
    assert queue_queries.position_of(booked, now=at(19, 9, 10)) == 3
    # Their time has come: first.
    assert queue_queries.calling_order(location, now=at(19, 9, 30)) == [
        booked,
        pregnant,
        walk_in,
        later,
    ]
    settings = QueueSettings.objects.create(
        location=location, booked_first=False, priority_first=False, updated_at=at(19, 8)
    )
    assert queue_queries.calling_order(location, now=at(19, 9, 30)) == [
        walk_in,
        booked,
        pregnant,
        later,
    ]
    # A priority the location no longer honours counts for nothing.
    settings.priority_first = True
    settings.priority_reasons = ["age"]
    settings.save()
    assert queue_queries.calling_order(location, now=at(19, 9, 30))[0] == walk_in


@pytest.mark.django_db
def test_queue_settings_default_when_a_location_has_none(unit):
    desk, _documents = waiting_room(unit)
    defaults = queue_queries.queue_settings_for(desk.location)
    assert defaults.pk is None
    assert defaults.priority_first
    assert defaults.booked_first
    assert "pregnancy" in defaults.priority_reasons


@pytest.mark.django_db
def test_call_next_takes_the_first_in_order_of_the_desks_services_only(unit):
    desk, documents = waiting_room(unit)
    staff = officer(unit)
    first = take(desk, staff, at(19, 9))
    other = take(documents, staff, at(19, 8, 59))
    called = queue.call_next(
        location=desk.location,
        service_ids=[desk.pk],
        desk="Guiché 2",
        actor=staff,
        now=at(19, 9, 5),
    )
    assert called == first
    called.refresh_from_db()
    assert called.status == TicketStatus.CALLED
    assert called.desk == "Guiché 2"
    assert called.called_at == at(19, 9, 5)
    assert called.call_count == 1
    assert (
        queue.call_next(
            location=desk.location, service_ids=[desk.pk], desk="2", actor=staff, now=at(19, 9, 6)
        )
        is None
    )
    assert queue_queries.recent_calls(desk.location, now=at(19, 9, 7)) == [called]
    assert AuditEntry.objects.filter(action="appointments.ticket.called").count() == 1
    other.refresh_from_db()
    assert other.status == TicketStatus.WAITING
    with pytest.raises(queue.QueueRefused):
        queue.call_next(
            location=desk.location, service_ids=[desk.pk], desk=" ", actor=staff, now=at(19, 9)
        )


@pytest.mark.django_db
def test_yesterdays_waiting_tickets_are_not_called_today(unit):
    desk, _documents = waiting_room(unit)
    staff = officer(unit)
    take(desk, staff, at(16, 15))
    assert (
        queue.call_next(
            location=desk.location, service_ids=[desk.pk], desk="1", actor=staff, now=at(19, 9)
        )
        is None
    )


# --- A ticket's life ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_recall_is_a_new_call_and_the_last_call_counts(unit):
    desk, _documents = waiting_room(unit)
    staff = officer(unit)
    take(desk, staff, at(19, 9))
    ticket = queue.call_next(
        location=desk.location, service_ids=[desk.pk], desk="3", actor=staff, now=at(19, 9, 10)
    )
    assert ticket is not None
    queue.recall(ticket=ticket, actor=staff, now=at(19, 9, 12))
    ticket.refresh_from_db()
    assert ticket.called_at == at(19, 9, 12)
    assert ticket.call_count == 2
    assert list(ticket.events.values_list("kind", "at", "desk")) == [
        (TicketEventKind.CREATED, at(19, 9), ""),
        (TicketEventKind.CALLED, at(19, 9, 10), "3"),
        (TicketEventKind.RECALLED, at(19, 9, 12), "3"),
    ]
    assert queue_queries.recent_calls(desk.location, now=at(19, 9, 13))[0].called_at == at(
        19, 9, 12
    )
    queue.start_serving(ticket=ticket, actor=staff, now=at(19, 9, 14))
    with pytest.raises(queue.QueueRefused):
        queue.recall(ticket=ticket, actor=staff, now=at(19, 9, 15))
    queue.finish(ticket=ticket, outcome="served", actor=staff, now=at(19, 9, 24))
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.SERVED
    assert (ticket.served_from, ticket.served_until) == (at(19, 9, 14), at(19, 9, 24))
    assert [
        entry.data["outcome"]
        for entry in AuditEntry.objects.filter(action="appointments.ticket.finished")
    ] == ["served"]


@pytest.mark.django_db
def test_no_show_and_left_are_recorded_and_outcomes_are_final(unit):
    desk, _documents = waiting_room(unit)
    staff = officer(unit)
    absent = take(desk, staff, at(19, 9))
    gone = take(desk, staff, at(19, 9, 1))
    called = queue.call_next(
        location=desk.location, service_ids=[desk.pk], desk="1", actor=staff, now=at(19, 9, 5)
    )
    assert called == absent
    with pytest.raises(queue.QueueRefused):
        queue.finish(ticket=absent, outcome="served", actor=staff, now=at(19, 9, 6))
    queue.finish(ticket=absent, outcome="no_show", actor=staff, now=at(19, 9, 8))
    queue.finish(ticket=gone, outcome="left", actor=staff, now=at(19, 9, 9))
    with pytest.raises(queue.QueueRefused):
        queue.finish(ticket=absent, outcome="left", actor=staff, now=at(19, 9, 10))
    with pytest.raises(queue.QueueRefused):
        queue.finish(ticket=gone, outcome="bogus", actor=staff, now=at(19, 9, 10))
    statuses = dict(Ticket.objects.values_list("pk", "status"))
    assert statuses == {absent.pk: TicketStatus.NO_SHOW, gone.pk: TicketStatus.LEFT}
    assert absent.events.last().kind == TicketEventKind.NO_SHOW


@pytest.mark.django_db
def test_a_transferred_ticket_keeps_its_number_and_its_place_by_arrival(unit):
    desk, documents = waiting_room(unit)
    staff = officer(unit)
    ticket = take(desk, staff, at(19, 9))
    later = take(documents, staff, at(19, 9, 10))
    queue.call_next(
        location=desk.location, service_ids=[desk.pk], desk="1", actor=staff, now=at(19, 9, 20)
    )
    queue.start_serving(ticket=ticket, actor=staff, now=at(19, 9, 21))
    with pytest.raises(queue.QueueRefused):
        queue.transfer(ticket=ticket, to=desk, actor=staff, now=at(19, 9, 25))
    successor = queue.transfer(ticket=ticket, to=documents, actor=staff, now=at(19, 9, 25))
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.TRANSFERRED
    assert ticket.served_until == at(19, 9, 25)
    assert successor.number == ticket.number == "A001"
    assert successor.transferred_from == ticket
    assert successor.status == TicketStatus.WAITING
    assert successor.created_at == at(19, 9)
    assert successor.secret_digest == ticket.secret_digest
    assert queue_queries.calling_order(
        desk.location, now=at(19, 9, 26), service_ids=[documents.pk]
    ) == [successor, later]
    assert ticket.events.last().data["to"] == str(documents.pk)
    assert AuditEntry.objects.filter(action="appointments.ticket.transferred").count() == 1


# --- Messages ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_ticket_that_comes_third_in_line_is_told_once(
    unit, sender, django_capture_on_commit_callbacks
):
    desk, _documents = waiting_room(unit)
    staff = officer(unit)
    for minute in range(4):
        take(desk, staff, at(19, 9, minute))
    waiting = take(
        desk, staff, at(19, 9, 5), phone="+2389900123", notify_when_near=True
    )  # fifth in line

    def call(minute: int) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            queue.call_next(
                location=desk.location,
                service_ids=[desk.pk],
                desk="1",
                actor=staff,
                now=at(19, 10, minute),
            )

    call(0)  # now fourth
    assert sender.sent == []
    call(1)  # now third
    assert len(sender.sent) == 1
    to, body = sender.sent[0]
    assert to == "+2389900123"
    assert "A005" in body
    waiting.refresh_from_db()
    assert waiting.notified_near_at == at(19, 10, 1)
    call(2)  # second: not told again
    call(3)
    assert len(sender.sent) == 1


@pytest.mark.django_db
def test_asking_when_already_near_tells_at_once(unit, sender, django_capture_on_commit_callbacks):
    desk, _documents = waiting_room(unit)
    staff = officer(unit)
    ticket = take(desk, staff, at(19, 9))
    with django_capture_on_commit_callbacks(execute=True):
        queue.ask_to_be_told_when_near(ticket=ticket, phone="991 00 77", now=at(19, 9, 1))
    assert [to for to, _body in sender.sent] == ["+2389910077"]
    with pytest.raises(queue.QueueRefused):
        queue.ask_to_be_told_when_near(ticket=ticket, phone="nope", now=at(19, 9, 2))


@pytest.mark.django_db
def test_reception_sends_the_tickets_link_by_sms(unit, sender, django_capture_on_commit_callbacks):
    desk, _documents = waiting_room(unit)
    staff = officer(unit)
    ticket, secret = queue.take_ticket(
        service_at_location=desk, language="fr", actor=staff, now=at(19, 9)
    )
    with django_capture_on_commit_callbacks(execute=True):
        queue.send_ticket_link(ticket=ticket, secret=secret, phone="9912345", actor=staff)
    ((to, body),) = sender.sent
    assert to == "+2389912345"
    assert f"/fr/queue/ticket/{ticket.pk}/{secret}/" in body
    assert secret not in str(Ticket.objects.filter(pk=ticket.pk).values().get())
    entry = AuditEntry.objects.get(action="appointments.ticket.link_sent")
    assert secret not in str(entry.data)
    assert queue_queries.ticket_for_link(ticket.pk, secret) == ticket
    assert queue_queries.ticket_for_link(ticket.pk, secret + "x") is None


# --- From a booking ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_checking_in_a_booking_creates_a_ticket_due_at_its_time(unit):
    desk, _documents = waiting_room(unit)
    staff = officer(unit)
    ticket = book_and_check_in(desk, staff, start=at(19, 10), now=at(19, 9, 45))
    ticket.refresh_from_db()
    assert ticket.booking.status == BookingStatus.CHECKED_IN
    assert ticket.due_at == at(19, 10)
    assert ticket.language == "fr"
    assert ticket.number == "A001"
    assert ticket.status == TicketStatus.WAITING
    assert ticket.created_at == at(19, 9, 45)


# --- Estimates ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_estimated_wait_from_the_median_service_time_and_the_desks(unit):
    desk, _documents = waiting_room(unit)
    staff = officer(unit)
    first = take(desk, staff, at(19, 9))
    second = take(desk, staff, at(19, 9, 1))
    assert queue_queries.estimated_wait_minutes(second, now=at(19, 9, 2)) is None
    assert queue_queries.waiting_now_minutes(desk.location, now=at(19, 9, 2)) is None
    # One served in 10 minutes at desk 1.
    served = queue.call_next(
        location=desk.location, service_ids=[desk.pk], desk="1", actor=staff, now=at(19, 9, 2)
    )
    assert served == first
    queue.start_serving(ticket=served, actor=staff, now=at(19, 9, 3))
    queue.finish(ticket=served, outcome="served", actor=staff, now=at(19, 9, 13))
    third = take(desk, staff, at(19, 9, 14))
    now = at(19, 9, 15)
    assert queue_queries.position_of(third, now=now) == 2
    assert queue_queries.estimated_wait_minutes(second, now=now) == 10
    assert queue_queries.estimated_wait_minutes(third, now=now) == 20
    assert queue_queries.waiting_now_minutes(desk.location, now=now) == 20
    assert queue_queries.waiting_now_minutes(desk.location, now=now, service_at_location=desk) == 20
    # A second desk serving halves it.
    take(desk, staff, at(19, 9, 15))
    queue.call_next(
        location=desk.location, service_ids=[desk.pk], desk="2", actor=staff, now=at(19, 9, 16)
    )
    assert queue_queries.estimated_wait_minutes(third, now=at(19, 9, 17)) == 5
    assert queue_queries.estimated_wait_minutes(served, now=now) is None


# --- Two officers at once ----------------------------------------------------------------------

THREADS = 6


@pytest.mark.django_db(transaction=True)
def test_two_officers_calling_at_once_never_get_the_same_ticket(unit):
    desk, _documents = waiting_room(unit)
    staff = officer(unit)
    for minute in range(THREADS - 2):
        take(desk, staff, at(19, 9, minute))
    barrier = threading.Barrier(THREADS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            ticket = queue.call_next(
                location=desk.location,
                service_ids=[desk.pk],
                desk=f"Desk {index}",
                actor=staff,
                now=at(19, 10),
            )
            outcome = ticket.number if ticket is not None else "none"
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
    assert sorted(outcomes) == ["A001", "A002", "A003", "A004", "none", "none"]
    assert Ticket.objects.filter(status=TicketStatus.CALLED).count() == THREADS - 2
    assert sorted(Ticket.objects.values_list("call_count", flat=True)) == [1] * (THREADS - 2)


@pytest.mark.django_db(transaction=True)
def test_tickets_taken_at_once_get_distinct_numbers(unit):
    desk, _documents = waiting_room(unit)
    staff = officer(unit)
    barrier = threading.Barrier(THREADS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            outcome = take(desk, staff, at(19, 9, index)).number
        except Exception as error:
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
    assert sorted(outcomes) == [f"A{n:03d}" for n in range(1, THREADS + 1)]
