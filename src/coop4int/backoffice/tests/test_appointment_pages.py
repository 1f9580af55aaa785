"""The staff appointment pages: the unit's day sheet, a booking with its actions, booking on
behalf of a caller, and the appointments on a person's and a case's page."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import translation

from coop4int.accounts.enums import Role
from coop4int.appointments.domain.booking import book_slot, join_waiting_list, make_bookable
from coop4int.appointments.enums import BookingStatus, WaitingStatus
from coop4int.appointments.models import Booking, Ticket, WaitingListEntry
from coop4int.appointments.tests.helpers import NOW, at, bookable_desk
from coop4int.cases.domain.cases import open_case
from coop4int.cases.enums import Channel
from coop4int.cases.models import Case
from coop4int.core.models import AuditEntry
from coop4int.directory.tests.places import praia_desk
from coop4int.people.domain.people import PersonDetails, register_person

pytestmark = pytest.mark.django_db

DAY_SHEET = "backoffice:appointment_day"


@pytest.fixture
def clock():
    """The pages ask the clock: Friday 16 January 2026, 10:00 in Praia, until moved."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def desk(unit):
    return bookable_desk(unit)


@pytest.fixture
def other_desk(other_unit, make_staff):
    admin = make_staff(Role.ADMINISTRATOR, other_unit)
    return make_bookable(
        actor=admin, service_at_location=praia_desk(other_unit, name="Balcão de Mindelo"),
        slot_minutes=30, places=2, book_ahead_days=28, cancel_until_hours=24, now=NOW,
    )  # fmt: skip


@pytest.fixture
def officer(make_staff, unit):
    return make_staff(Role.FRONT_OFFICE_OFFICER, unit, username="tecnica")


@pytest.fixture
def stranger(make_staff, other_unit):
    return make_staff(Role.FRONT_OFFICE_OFFICER, other_unit, username="estranha")


@pytest.fixture
def staff_client(client, login_verified, officer, clock):
    login_verified(client, officer)
    return client


@pytest.fixture
def ana(officer, unit):
    return register_person(
        actor=officer,
        unit=unit,
        details=PersonDetails(given_names="Ana", family_names="Lopes", preferred_language="fr"),
        phones=["+2389912345"],
    )


def _book(desk, start, name="Rui Tavares", phone="+2389900001", **extra):
    booking, _secret = book_slot(
        service_at_location=desk.service_at_location, start=start, name=name, phone=phone,
        language="pt", now=NOW, **extra,
    )  # fmt: skip
    return booking


def _detail(booking):
    return reverse("backoffice:appointment_detail", kwargs={"reference": booking.reference})


def _sheet(day=16, **query):
    values = {"day": f"2026-01-{day:02d}"} | query
    return reverse(DAY_SHEET) + "?" + "&".join(f"{k}={v}" for k, v in values.items())


def _pt(message):
    with translation.override("pt"):
        return translation.gettext(message)


# --- The day sheet ------------------------------------------------------------------------------


def test_the_day_sheet_lists_only_the_units_bookings_of_the_day(
    staff_client, desk, other_desk, officer, ana
):
    _book(desk, at(16, 11), name="Rui Tavares", interpreter_needed=True,
          accessibility_needs="Cadeira de rodas")  # fmt: skip
    linked = _book(desk, at(16, 12), name="A. L.", phone="+2389912345", actor=officer, person=ana)
    _book(desk, at(19, 9), name="Outro Dia")
    _book(other_desk, at(16, 11), name="Nome de Mindelo", phone="+2389900009")
    join_waiting_list(service_at_location=desk.service_at_location, day=NOW.date(),
                      name="Espera Silva", phone="+2389900005", language="fr", now=NOW)  # fmt: skip

    body = staff_client.get(reverse(DAY_SHEET)).content.decode()

    assert "Rui Tavares" in body
    assert "Cadeira de rodas" in body
    # A booking linked to a record shows the record's name, with a link to it.
    assert "Ana Lopes" in body
    assert reverse("backoffice:person_detail", args=[ana.pk]) in body
    assert linked.reference in body
    assert "Espera Silva" in body
    assert "Outro Dia" not in body
    assert "Nome de Mindelo" not in body
    assert _pt("Interpreter needed") in body


def test_another_units_officer_sees_only_their_units_day(
    client, login_verified, clock, desk, other_desk, stranger
):
    _book(desk, at(16, 11), name="Rui Tavares")
    _book(other_desk, at(16, 11), name="Nome de Mindelo", phone="+2389900009")
    login_verified(client, stranger)

    body = client.get(reverse(DAY_SHEET)).content.decode()
    asked_for_praia = client.get(_sheet(unit="praia")).content.decode()

    assert "Nome de Mindelo" in body
    assert "Rui Tavares" not in body
    assert "Rui Tavares" not in asked_for_praia


def test_a_nationwide_administrator_chooses_the_unit(
    client, login_verified, clock, make_staff, national_unit, desk, other_desk
):
    _book(desk, at(16, 11), name="Rui Tavares")
    _book(other_desk, at(16, 11), name="Nome de Mindelo", phone="+2389900009")
    login_verified(client, make_staff(Role.ADMINISTRATOR, national_unit))

    praia = client.get(_sheet(unit="praia")).content.decode()
    mindelo = client.get(_sheet(unit="mindelo")).content.decode()

    assert "Rui Tavares" in praia
    assert "Nome de Mindelo" not in praia
    assert "Nome de Mindelo" in mindelo


def test_the_day_sheet_moves_from_day_to_day(staff_client, desk):
    _book(desk, at(19, 9), name="Segunda Feira")
    today = staff_client.get(reverse(DAY_SHEET)).content.decode()
    monday = staff_client.get(_sheet(day=19)).content.decode()

    assert "Segunda Feira" not in today
    assert "Segunda Feira" in monday
    assert _sheet(day=17, unit="praia").replace("&", "&amp;") in today


def test_a_day_that_is_not_a_date_is_told_and_today_shown(staff_client, desk):
    _book(desk, at(16, 11), name="Rui Tavares")
    response = staff_client.get(reverse(DAY_SHEET) + "?day=2026-02-31")
    assert response.status_code == 200
    assert "Rui Tavares" in response.content.decode()


def test_the_day_sheet_query_count_is_pinned(
    staff_client, desk, officer, ana, django_assert_max_num_queries
):
    for hour in (11, 12, 13):
        _book(desk, at(16, hour), name=f"Pessoa {hour}", phone=f"+23899000{hour}")
    _book(desk, at(16, 14), name="Ligada", phone="+2389912345", actor=officer, person=ana)
    for n in range(3):
        join_waiting_list(service_at_location=desk.service_at_location, day=NOW.date(),
                          name=f"Espera {n}", phone=f"+238990010{n}", language="pt",
                          actor=officer, person=ana if n == 0 else None, now=NOW)  # fmt: skip
    staff_client.get(reverse(DAY_SHEET))  # the session's first request warms its caches
    # 11: the session and the officer (4), the unit, its bookable services, the day's
    # bookings, its waiting lists, which linked records the officer may open, and the menu's
    # permissions (2) — the same for a hundred bookings.
    with django_assert_max_num_queries(11):
        body = staff_client.get(reverse(DAY_SHEET)).content.decode()
    assert "Pessoa 13" in body
    assert "Espera 2" in body


def test_staff_who_do_not_work_cases_may_not_open_the_appointment_pages(
    client, login_verified, make_staff, unit, desk, clock
):
    booking = _book(desk, at(16, 11))
    login_verified(client, make_staff(Role.CONTENT_EDITOR, unit))
    assert client.get(reverse(DAY_SHEET)).status_code == 403
    assert client.get(reverse("backoffice:appointment_new")).status_code == 403
    assert client.get(_detail(booking)).status_code == 403


# --- A booking ----------------------------------------------------------------------------------


def test_the_booking_page_shows_the_booking_and_audits_the_read(staff_client, desk, officer, ana):
    booking = _book(desk, at(16, 11), name="A. L.", phone="+2389912345", actor=officer,
                    person=ana, accessibility_needs="Rampa")  # fmt: skip

    body = staff_client.get(_detail(booking)).content.decode()

    assert booking.reference in body
    assert "Rampa" in body
    assert "Ana Lopes" in body
    assert _pt("Booked by staff for %(when)s.").split("%")[0] in body
    viewed = AuditEntry.objects.filter(
        action="appointments.booking.viewed", object_id=str(booking.pk)
    )
    assert viewed.get().actor == officer
    assert AuditEntry.objects.filter(action="people.person.viewed", object_id=str(ana.pk)).exists()


def test_a_reference_written_otherwise_or_unknown_answers_404(staff_client, desk):
    booking = _book(desk, at(16, 11))
    assert staff_client.get(_detail(booking).lower()).status_code == 200
    assert (
        staff_client.get(
            reverse("backoffice:appointment_detail", kwargs={"reference": "2222-2222"})
        ).status_code
        == 404
    )


POSTS = [
    {"action": "check_in"},
    {"action": "no_show"},
    {"action": "cancel", "reason": "Fechado"},
    {"action": "move", "day": "2026-01-19", "start": at(19, 9).isoformat(), "reason": "x"},
    {"action": "open_case", "subject": "Visto"},
    {"action": "join_case", "case": "AAAA-AAAA"},
]


def test_another_units_officer_gets_404_on_the_booking_and_every_action(
    client, login_verified, clock, desk, stranger
):
    booking = _book(desk, at(16, 11))
    clock.move_to(at(16, 11, 5))
    login_verified(client, stranger)

    assert client.get(_detail(booking)).status_code == 404
    for posted in POSTS:
        assert client.post(_detail(booking), posted).status_code == 404, posted
    booking.refresh_from_db()
    assert booking.status == BookingStatus.BOOKED
    assert booking.starts_at == at(16, 11)
    assert booking.case is None
    assert not Case.objects.exists()
    assert not AuditEntry.objects.filter(action="appointments.booking.viewed").exists()


def test_checking_in_from_the_day_sheet_goes_back_to_it(staff_client, desk):
    booking = _book(desk, at(16, 11))
    back = _sheet(unit="praia")

    response = staff_client.post(_detail(booking), {"action": "check_in", "back": back})

    assert response.status_code == 302
    assert response.url == back
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CHECKED_IN
    page = staff_client.get(back).content.decode()
    assert _pt("Checked in") in page
    # The person joined the waiting room's queue: the message names their ticket.
    ticket = Ticket.objects.get(booking=booking)
    assert ticket.number in page


def test_a_back_address_outside_the_day_sheet_is_ignored(staff_client, desk):
    booking = _book(desk, at(16, 11))
    response = staff_client.post(
        _detail(booking), {"action": "check_in", "back": "https://example.org/staff/appointments/"}
    )
    assert response.url == _detail(booking) + "#status"


def test_a_no_show_is_marked_once_the_time_has_come_and_counted(staff_client, clock, desk):
    late = _book(desk, at(16, 10, 30))
    _book(desk, at(16, 10, 30), name="Veio", phone="+2389900002")
    cancelled = _book(desk, at(16, 12), name="Cancelou", phone="+2389900003")
    staff_client.post(_detail(cancelled), {"action": "cancel", "reason": "Doente"})

    too_early = staff_client.post(_detail(late), {"action": "no_show"})
    late.refresh_from_db()
    assert late.status == BookingStatus.BOOKED
    assert too_early.status_code == 302

    clock.move_to(at(16, 10, 20))
    staff_client.get(reverse(DAY_SHEET))  # the officer is still at work: the session lives on
    clock.move_to(at(16, 10, 35))
    staff_client.post(_detail(late), {"action": "no_show"})

    late.refresh_from_db()
    assert late.status == BookingStatus.NO_SHOW
    body = staff_client.get(reverse(DAY_SHEET)).content.decode()
    with translation.override("pt"):
        counted = translation.gettext(
            "Did not come: %(count)s of %(total)s appointments (cancelled ones not counted)."
        ) % {"count": 1, "total": 2}
    assert counted in body


def test_cancelling_keeps_the_reason_and_tells_the_person(
    staff_client, desk, django_capture_on_commit_callbacks
):
    booking = _book(desk, at(16, 15), email="rui@example.org")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            _detail(booking), {"action": "cancel", "reason": "A unidade fecha mais cedo."}
        )

    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert booking.cancel_reason == "A unidade fecha mais cedo."
    assert any("A unidade fecha mais cedo." in message.body for message in mail.outbox)
    assert "A unidade fecha mais cedo." in staff_client.get(_detail(booking)).content.decode()


def test_cancelling_without_a_reason_is_refused_and_nothing_changes(staff_client, desk):
    booking = _book(desk, at(16, 15))
    response = staff_client.post(_detail(booking), {"action": "cancel", "reason": "  "})
    assert response.status_code == 200
    assert _pt("Say why the appointment is cancelled: the person is told.") in (
        response.content.decode()
    )
    booking.refresh_from_db()
    assert booking.status == BookingStatus.BOOKED


def test_moving_to_another_free_time(staff_client, desk):
    booking = _book(desk, at(16, 15))

    page = staff_client.get(_detail(booking) + "?move_day=2026-01-19").content.decode()
    assert at(19, 9).isoformat() in page
    response = staff_client.post(
        _detail(booking),
        {"action": "move", "day": "2026-01-19", "start": at(19, 9).isoformat(), "reason": "Pedido"},
    )

    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.starts_at == at(19, 9)
    assert booking.status == BookingStatus.BOOKED


def test_moving_to_a_time_no_longer_free_is_refused(staff_client, desk):
    booking = _book(desk, at(16, 15))
    _book(desk, at(19, 9), name="A", phone="+2389900002")
    _book(desk, at(19, 9), name="B", phone="+2389900003")

    response = staff_client.post(
        _detail(booking), {"action": "move", "day": "2026-01-19", "start": at(19, 9).isoformat()}
    )

    assert response.status_code == 200
    assert _pt("That time is no longer free. Please choose another.") in response.content.decode()
    booking.refresh_from_db()
    assert booking.starts_at == at(16, 15)


def test_opening_a_case_from_the_booking_goes_to_the_case(staff_client, desk, officer, ana):
    booking = _book(desk, at(16, 11), actor=officer, person=ana, phone="+2389912345")

    response = staff_client.post(_detail(booking), {"action": "open_case", "subject": "Visto"})

    case = Case.objects.get()
    assert response.url == reverse("backoffice:case_detail", args=[case.reference])
    assert case.person == ana
    booking.refresh_from_db()
    assert booking.case == case
    # The case's page shows the appointment.
    assert booking.reference in staff_client.get(response.url).content.decode()


def test_joining_a_case_of_the_person(staff_client, desk, officer, ana, unit):
    booking = _book(desk, at(16, 11), actor=officer, person=ana, phone="+2389912345")
    case, _secret = open_case(
        actor=officer, unit=unit, channel=Channel.PHONE, subject="Reagrupamento", person=ana
    )

    page = staff_client.get(_detail(booking)).content.decode()
    assert "Reagrupamento" in page
    staff_client.post(_detail(booking), {"action": "join_case", "case": case.reference})

    booking.refresh_from_db()
    assert booking.case == case


# --- Booking on behalf of a caller ---------------------------------------------------------------


def _new(**query):
    url = reverse("backoffice:appointment_new")
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_booking_from_a_case_prefills_the_contact_and_links_the_person_and_case(
    staff_client, desk, officer, ana, unit
):
    case, _secret = open_case(
        actor=officer, unit=unit, channel=Channel.PHONE, subject="Visto", person=ana
    )
    page = staff_client.get(
        _new(case=case.reference, service=desk.pk, day="2026-01-19")
    ).content.decode()
    assert 'value="+2389912345"' in page
    assert 'value="Ana Lopes"' in page
    assert at(19, 9).isoformat() in page

    response = staff_client.post(
        _new(case=case.reference),
        {
            "action": "book", "service": desk.pk, "day": "2026-01-19",
            "start": at(19, 9).isoformat(), "name": "Ana Lopes", "phone": "+2389912345",
            "language": "fr",
        },
    )  # fmt: skip

    booking = Booking.objects.get()
    assert response.url == _detail(booking)
    assert booking.person == ana
    assert booking.case == case
    assert booking.booked_by == officer
    assert booking.starts_at == at(19, 9)
    # The person's page shows it among their appointments.
    person_page = staff_client.get(reverse("backoffice:person_detail", args=[ana.pk]))
    assert booking.reference in person_page.content.decode()


def test_a_full_time_says_so_and_offers_the_waiting_list(staff_client, unit):
    desk = bookable_desk(unit, places=1)
    page = staff_client.get(_new(service=desk.pk, day="2026-01-19")).content.decode()
    assert at(19, 9).isoformat() in page
    _book(desk, at(19, 9), name="Primeira")  # meanwhile, on line
    posted = {
        "action": "book", "service": desk.pk, "day": "2026-01-19", "start": at(19, 9).isoformat(),
        "name": "Rui Tavares", "phone": "+2389900007", "language": "pt",
    }  # fmt: skip

    response = staff_client.post(_new(), posted)

    body = response.content.decode()
    assert response.status_code == 200
    assert _pt("This time is fully booked. Please choose another.") in body
    assert 'name="action" value="wait"' in body
    assert 'value="Rui Tavares"' in body
    assert Booking.objects.count() == 1

    response = staff_client.post(_new(), posted | {"action": "wait"})

    entry = WaitingListEntry.objects.get()
    assert entry.name == "Rui Tavares"
    assert entry.day == at(19, 9).date()
    assert entry.status == WaitingStatus.WAITING
    assert response.status_code == 302


def test_a_caller_without_a_phone_or_email_is_asked_for_one(staff_client, desk):
    response = staff_client.post(
        _new(),
        {"action": "book", "service": desk.pk, "day": "2026-01-19",
         "start": at(19, 9).isoformat(), "name": "Rui", "language": "pt"},
    )  # fmt: skip
    assert response.status_code == 200
    assert _pt("Please give a phone number or an e-mail address.") in response.content.decode()
    assert not Booking.objects.exists()


def test_booking_for_someone_out_of_reach_answers_404(
    client, login_verified, clock, stranger, desk, ana, officer, unit
):
    case, _secret = open_case(
        actor=officer, unit=unit, channel=Channel.PHONE, subject="Visto", person=ana
    )
    login_verified(client, stranger)
    assert client.get(_new(person=ana.pk)).status_code == 404
    assert client.get(_new(case=case.reference)).status_code == 404
    assert client.get(_new(person="not-a-uuid")).status_code == 404


def test_another_units_service_cannot_be_booked(client, login_verified, clock, stranger, desk):
    login_verified(client, stranger)
    response = client.post(
        _new(),
        {"action": "book", "service": desk.pk, "day": "2026-01-19",
         "start": at(19, 9).isoformat(), "name": "Rui", "phone": "+2389900007",
         "language": "pt"},
    )  # fmt: skip
    assert response.status_code == 200
    assert not Booking.objects.exists()


# --- On a person's page -------------------------------------------------------------------------


def test_the_person_page_shows_their_appointments_and_those_made_with_their_number(
    staff_client, desk, officer, ana, other_desk
):
    linked = _book(desk, at(16, 11), actor=officer, person=ana, phone="+2389900001")
    by_number = _book(desk, at(16, 12), name="Ana", phone="+2389912345")
    elsewhere = _book(other_desk, at(16, 12), name="Ana", phone="+2389912345")

    body = staff_client.get(reverse("backoffice:person_detail", args=[ana.pk])).content.decode()

    assert linked.reference in body
    assert by_number.reference in body
    assert elsewhere.reference not in body
    assert f"{reverse('backoffice:appointment_new')}?person={ana.pk}" in body
    assert _pt("No visit.") in body


def test_times_on_the_pages_are_the_locations(staff_client, desk):
    booking = _book(desk, at(16, 15))
    body = staff_client.get(_detail(booking)).content.decode()
    # 15:00 in Praia is 16:00 UTC.
    assert "15:00" in body
    assert at(16, 15) + timedelta(minutes=30) == booking.ends_at


def test_a_visit_from_a_checked_in_appointment_is_on_the_persons_and_the_cases_page(
    staff_client, desk, officer, ana, unit
):
    case, _secret = open_case(
        actor=officer, unit=unit, channel=Channel.PHONE, subject="Visto", person=ana
    )
    booking = _book(desk, at(16, 11), actor=officer, person=ana, phone="+2389912345")
    staff_client.post(_detail(booking), {"action": "join_case", "case": case.reference})
    staff_client.post(_detail(booking), {"action": "check_in"})
    ticket = Ticket.objects.get(booking=booking)

    person_page = staff_client.get(reverse("backoffice:person_detail", args=[ana.pk]))
    case_page = staff_client.get(reverse("backoffice:case_detail", args=[case.reference]))

    for body in (person_page.content.decode(), case_page.content.decode()):
        assert booking.reference in body
        assert ticket.number in body
        assert _pt("No visit.") not in body
    assert f"{reverse('backoffice:appointment_new')}?case={case.reference}" in (
        case_page.content.decode()
    )


def test_booking_from_a_persons_page_links_the_person(staff_client, desk, ana):
    page = staff_client.get(_new(person=ana.pk, service=desk.pk, day="2026-01-19"))
    assert 'value="Ana Lopes"' in page.content.decode()

    staff_client.post(
        _new(person=ana.pk),
        {
            "action": "book", "service": desk.pk, "day": "2026-01-19",
            "start": at(19, 10).isoformat(), "name": "Ana Lopes", "email": "ana@example.org",
            "language": "fr", "notify_by": "email",
        },
    )  # fmt: skip

    booking = Booking.objects.get()
    assert booking.person == ana
    assert booking.case is None
    assert booking.notify_by == "email"
    assert booking.email == "ana@example.org"
