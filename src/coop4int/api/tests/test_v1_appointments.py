"""The app API v1 for appointments: free slots, booking, and a booking read, moved and
cancelled with its secret; errors, rate limit, CORS for reads only, and one place never sold
twice under simultaneous requests."""

import json
import logging
import threading
from collections.abc import Iterator
from typing import Any
from uuid import uuid4

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse

from coop4int.accounts.enums import Role
from coop4int.appointments.domain.booking import PUBLIC_BOOKING_LIMIT, book_slot, record_absence
from coop4int.appointments.enums import BookingStatus
from coop4int.appointments.models import BookableService, Booking
from coop4int.appointments.tests.helpers import NOW, at, bookable_desk
from coop4int.cases.domain.references import tracking_digest
from coop4int.directory.tests.places import praia_desk

pytestmark = pytest.mark.django_db

SLOTS = "/api/v1/appointments/slots/"
BOOK = "/api/v1/appointments/"


@pytest.fixture(autouse=True)
def _frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def slots_query(desk: BookableService, first: str, last: str) -> dict[str, str]:
    sal = desk.service_at_location
    return {
        "service": str(sal.service_id),
        "location": str(sal.location_id),
        "from": first,
        "to": last,
    }


def booking_body(desk: BookableService, **values: Any) -> dict[str, Any]:
    sal = desk.service_at_location
    body: dict[str, Any] = {
        "service": str(sal.service_id),
        "location": str(sal.location_id),
        "start": "2026-01-19T09:00:00-01:00",
        "name": "Ana Lopes",
        "phone": "+2389912345",
        "language": "pt",
    }
    return body | values


def post(client: Client, body: Any, **headers: Any) -> Any:
    return client.post(BOOK, json.dumps(body), content_type="application/json", **headers)


def booking_url(reference: str) -> str:
    return reverse("api_v1:appointment", kwargs={"reference": reference})


def bearer(secret: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def book(desk: BookableService, start: Any, phone: str = "+2389900100") -> tuple[Booking, str]:
    return book_slot(
        service_at_location=desk.service_at_location,
        start=start,
        name="Rui Tavares",
        phone=phone,
        language="pt",
        now=NOW,
    )


# --- Free slots ------------------------------------------------------------------------------


def test_free_slots_carry_the_locations_utc_offset_and_their_places_left(unit, client):
    desk = bookable_desk(unit, places=2)
    book(desk, at(19, 9))
    book(desk, at(19, 10), phone="+2389900101")
    book(desk, at(19, 10), phone="+2389900102")  # 10:00 is full now

    response = client.get(SLOTS, slots_query(desk, "2026-01-19", "2026-01-19"))

    assert response.status_code == 200
    data = response.json()
    assert data["time_zone"] == "Atlantic/Cape_Verde"
    assert data["service"] == str(desk.service_at_location.service_id)
    assert data["location"] == str(desk.service_at_location.location_id)
    assert data["bookable_until"] == "2026-02-13T10:00:00-01:00"
    slots = data["slots"]
    assert slots[0] == {
        "start": "2026-01-19T08:00:00-01:00",
        "end": "2026-01-19T08:30:00-01:00",
        "remaining": 2,
    }
    by_start = {slot["start"]: slot["remaining"] for slot in slots}
    assert by_start["2026-01-19T09:00:00-01:00"] == 1
    assert "2026-01-19T10:00:00-01:00" not in by_start
    # 08:00–16:00 in half hours, less the full one.
    assert len(slots) == 15
    assert all(slot["start"].endswith("-01:00") for slot in slots)


def test_todays_slots_begin_after_now_and_a_holiday_has_none(unit, client):
    desk = bookable_desk(unit)
    data = client.get(SLOTS, slots_query(desk, "2026-01-16", "2026-01-20")).json()
    days = {slot["start"][:10] for slot in data["slots"]}
    # Friday from 10:00 (now), Monday; not the weekend, not Tuesday 20 (National Heroes Day).
    assert days == {"2026-01-16", "2026-01-19"}
    assert data["slots"][0]["start"] == "2026-01-16T10:00:00-01:00"


def test_a_period_past_the_booking_horizon_is_clipped_to_it(unit, client):
    desk = bookable_desk(unit, book_ahead_days=28)  # until Friday 13 February, 10:00
    response = client.get(SLOTS, slots_query(desk, "2026-02-12", "2026-03-31"))
    assert response.status_code == 200
    data = response.json()
    assert data["bookable_until"] == "2026-02-13T10:00:00-01:00"
    assert data["slots"][-1]["start"] == "2026-02-13T09:30:00-01:00"
    far = client.get(SLOTS, slots_query(desk, "9999-12-01", "9999-12-31"))
    assert far.status_code == 200
    assert far.json()["slots"] == []


@pytest.mark.parametrize(
    ("change", "fields"),
    [
        ({"service": ""}, {"service"}),
        ({"service": "not-a-uuid"}, {"service"}),
        ({"location": None}, {"location"}),
        ({"from": "19/01/2026"}, {"from"}),
        ({"from": None, "to": None}, {"from", "to"}),
        ({"to": "2026-01-18"}, {"to"}),  # before from
        ({"to": "2026-03-22"}, {"to"}),  # 63 days
    ],
)
def test_bad_or_missing_slot_parameters_answer_400_with_field_errors(unit, client, change, fields):
    desk = bookable_desk(unit)
    query = slots_query(desk, "2026-01-19", "2026-01-20") | change
    response = client.get(SLOTS, {key: value for key, value in query.items() if value is not None})
    assert response.status_code == 400
    data = response.json()
    assert data["code"] == "invalid"
    assert set(data["errors"]) == fields
    assert all(isinstance(message, str) and message for message in data["errors"].values())


def test_sixty_two_days_may_be_asked_at_once(unit, client):
    desk = bookable_desk(unit)
    response = client.get(SLOTS, slots_query(desk, "2026-01-19", "2026-03-21"))
    assert response.status_code == 200


def test_a_service_that_cannot_be_booked_there_answers_404(unit, client):
    desk = bookable_desk(unit)
    sal = desk.service_at_location
    not_bookable = praia_desk(unit, name="Outro serviço")
    queries = [
        {"service": str(uuid4()), "location": str(sal.location_id)},
        {"service": str(sal.service_id), "location": str(not_bookable.location_id)},
        {"service": str(not_bookable.service_id), "location": str(not_bookable.location_id)},
    ]
    for ids in queries:
        response = client.get(SLOTS, ids | {"from": "2026-01-19", "to": "2026-01-19"})
        assert response.status_code == 404, ids
        assert response.json()["code"] == "not_found"
    BookableService.objects.filter(pk=desk.pk).update(active=False)
    response = client.get(SLOTS, slots_query(desk, "2026-01-19", "2026-01-19"))
    assert response.status_code == 404


# --- Booking ---------------------------------------------------------------------------------


def test_a_booking_answers_201_with_its_reference_links_and_secret(unit, client):
    desk = bookable_desk(unit)
    response = post(client, booking_body(desk, email="ana@example.org", notify_by="email"))

    assert response.status_code == 201, response.content
    data = response.json()
    booking = Booking.objects.get()
    assert data["reference"] == booking.reference
    assert response["Location"] == booking_url(booking.reference)
    assert data["start"] == "2026-01-19T09:00:00-01:00"
    assert data["end"] == "2026-01-19T09:30:00-01:00"
    assert data["status"] == "booked"
    assert data["changeable_until"] == "2026-01-18T09:00:00-01:00"
    assert booking.secret_digest == tracking_digest(data["secret"])
    assert booking.notify_by == "email"
    assert booking.email == "ana@example.org"
    assert booking.person is None
    assert "no-store" in response["Cache-Control"]
    public = settings.PUBLIC_URL.rstrip("/")
    manage = f"/pt/appointments/{booking.reference}/{data['secret']}/"
    assert data["manage_url"] == public + manage
    assert data["ics_url"].startswith(public + manage)
    assert data["ics_url"].endswith(".ics")


def test_the_manage_link_and_the_calendar_file_of_a_new_booking_work(unit, client):
    desk = bookable_desk(unit)
    data = post(client, booking_body(desk, language="fr")).json()
    public = settings.PUBLIC_URL.rstrip("/")
    assert data["manage_url"].startswith(public + "/fr/")

    page = client.get(data["manage_url"].removeprefix(public))
    assert page.status_code == 200
    assert data["reference"] in page.content.decode()
    calendar = client.get(data["ics_url"].removeprefix(public))
    assert calendar.status_code == 200
    assert calendar["Content-Type"].startswith("text/calendar")
    assert b"BEGIN:VEVENT" in calendar.content


def test_a_language_the_interface_lacks_gets_links_in_the_nearest_one(unit, client):
    desk = bookable_desk(unit)
    data = post(client, booking_body(desk, language="wo")).json()
    assert data["language"] == "wo"
    assert data["manage_url"].startswith(settings.PUBLIC_URL.rstrip("/") + "/fr/")


def test_no_csrf_token_is_needed(unit):
    desk = bookable_desk(unit)
    client = Client(enforce_csrf_checks=True)
    assert post(client, booking_body(desk)).status_code == 201


def test_a_full_slot_answers_409_and_books_nothing(unit, client):
    desk = bookable_desk(unit, places=1)
    book(desk, at(19, 9))

    response = post(client, booking_body(desk))

    assert response.status_code == 409
    assert response.json()["code"] == "full"
    assert Booking.objects.count() == 1


def test_a_slot_whose_staff_are_all_away_answers_409(unit, client, make_staff):
    officer = make_staff(Role.FRONT_OFFICE_OFFICER, unit)
    desk = bookable_desk(unit, places=2, staff=[officer])
    coordinator = make_staff(Role.UNIT_COORDINATOR, unit)
    record_absence(
        actor=coordinator, staff=officer, starts_at=at(19, 8), ends_at=at(19, 12), now=NOW
    )
    response = post(client, booking_body(desk))
    assert response.status_code == 409
    assert not Booking.objects.exists()


@pytest.mark.parametrize(
    ("change", "fields"),
    [
        ({"name": ""}, {"name"}),
        ({"phone": "", "email": ""}, {"phone", "email"}),
        ({"phone": "12"}, {"phone"}),
        ({"email": "not an address"}, {"email"}),
        ({"start": "2026-01-19T09:00:00"}, {"start"}),  # no UTC offset
        ({"start": "tomorrow"}, {"start"}),
        ({"language": "xx"}, {"language"}),
        ({"notify_by": "pigeon"}, {"notify_by"}),
        ({"notify_by": "email"}, {"notify_by"}),  # no e-mail address given
        ({"phnoe": "+2389912345"}, {"phnoe"}),  # unknown fields are refused
        ({"service": "nope"}, {"service"}),
    ],
)
def test_invalid_bookings_answer_400_with_field_errors(unit, client, change, fields):
    desk = bookable_desk(unit)
    response = post(client, booking_body(desk) | change)
    assert response.status_code == 400
    data = response.json()
    assert set(data["errors"]) == fields
    assert not Booking.objects.exists()


def test_what_the_booking_rules_refuse_answers_400_with_its_code_and_field(unit, client):
    desk = bookable_desk(unit)
    response = post(client, booking_body(desk, start="2026-01-19T09:10:00-01:00"))
    assert response.status_code == 400
    data = response.json()
    assert data["code"] == "slot"
    assert set(data["errors"]) == {"start"}

    for hour in (9, 10, 11):
        made = post(client, booking_body(desk, start=f"2026-01-19T{hour:02}:00:00-01:00"))
        assert made.status_code == 201
    capped = post(client, booking_body(desk, start="2026-01-19T12:00:00-01:00"))
    assert capped.status_code == 400
    assert capped.json()["code"] == "cap"
    assert set(capped.json()["errors"]) == {"non_field_errors"}


def test_the_same_time_in_another_offset_is_the_same_slot(unit, client):
    desk = bookable_desk(unit)
    response = post(client, booking_body(desk, start="2026-01-19T10:00:00Z"))
    assert response.status_code == 201
    assert response.json()["start"] == "2026-01-19T09:00:00-01:00"


def test_errors_speak_the_language_asked_for(unit, client):
    desk = bookable_desk(unit, places=1)
    book(desk, at(19, 9))
    by_header = post(client, booking_body(desk), HTTP_ACCEPT_LANGUAGE="fr-CV,fr;q=0.9")
    assert by_header["Content-Language"] == "fr"
    assert by_header.json()["detail"] == "Cet horaire est complet. Veuillez en choisir un autre."
    by_field = post(client, booking_body(desk, language="fr", name=""))
    assert by_field["Content-Language"] == "fr"
    assert by_field.json()["errors"]["name"]
    assert post(client, booking_body(desk))["Content-Language"] == "pt"
    english = post(client, booking_body(desk, language="fr"), HTTP_ACCEPT_LANGUAGE="en")
    assert english["Content-Language"] == "en"
    assert english.json()["detail"] == "This time is fully booked. Please choose another."


def test_an_unknown_service_answers_404_and_books_nothing(unit, client):
    desk = bookable_desk(unit)
    response = post(client, booking_body(desk, service=str(uuid4())))
    assert response.status_code == 404
    assert not Booking.objects.exists()


def test_broken_json_and_other_media_types_answer_without_a_trace(unit, client):
    desk = bookable_desk(unit)
    broken = client.post(BOOK, '{"service": ', content_type="application/json")
    assert broken.status_code == 400
    assert "detail" in broken.json()
    assert "Traceback" not in broken.content.decode()
    not_a_dict = post(client, ["a", "list"])
    assert not_a_dict.status_code == 400
    # What a form on a web page elsewhere could send without asking first (CORS "simple").
    form = client.post(BOOK, json.dumps(booking_body(desk)), content_type="text/plain")
    assert form.status_code == 415
    assert not Booking.objects.exists()


def test_an_unknown_address_under_the_api_is_a_json_404(client):
    response = client.get("/api/v1/nothing/here/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"


# --- Reading, moving and cancelling with the secret ------------------------------------------


def test_the_secret_reads_the_booking_and_nothing_else_does(unit, client):
    desk = bookable_desk(unit)
    created = post(client, booking_body(desk)).json()
    url = booking_url(created["reference"])

    read = client.get(url, **bearer(created["secret"]))
    assert read.status_code == 200
    assert read.json() == {key: value for key, value in created.items() if key != "secret"}
    assert "no-store" in read["Cache-Control"]
    # The reference as a person might type it.
    typed = booking_url(created["reference"].lower().replace("-", ""))
    assert client.get(typed, **bearer(created["secret"])).status_code == 200

    unknown = client.get(booking_url("ABCD-EFGH"), **bearer(created["secret"]))
    for refused in (
        client.get(url),
        client.get(url, **bearer("wrong")),
        client.get(url, HTTP_AUTHORIZATION=f"Basic {created['secret']}"),
        client.get(url, {"secret": created["secret"]}),  # not in the address
        unknown,
    ):
        assert refused.status_code == 404
        assert refused.json() == unknown.json()


def test_the_secret_never_reaches_a_log_line(unit, client, caplog):
    desk = bookable_desk(unit)
    created = post(client, booking_body(desk)).json()
    caplog.set_level(logging.DEBUG)
    client.get(booking_url(created["reference"]), **bearer(created["secret"] + "x"))
    client.delete(booking_url(created["reference"]), **bearer(created["secret"] + "x"))
    assert created["secret"] not in caplog.text


def test_the_secret_moves_the_booking(unit, client):
    desk = bookable_desk(unit)
    created = post(client, booking_body(desk)).json()
    url = booking_url(created["reference"])
    body = json.dumps({"start": "2026-01-21T14:00:00-01:00"})

    refused = client.patch(url, body, content_type="application/json")
    assert refused.status_code == 404
    assert Booking.objects.get().starts_at == at(19, 9)

    moved = client.patch(url, body, content_type="application/json", **bearer(created["secret"]))
    assert moved.status_code == 200, moved.content
    assert moved.json()["start"] == "2026-01-21T14:00:00-01:00"
    assert moved.json()["reference"] == created["reference"]
    assert Booking.objects.get().starts_at == at(21, 14)


def test_moving_to_a_full_slot_answers_409_and_other_refusals_400(unit, client):
    desk = bookable_desk(unit, places=1)
    book(desk, at(21, 14))
    created = post(client, booking_body(desk)).json()
    url, secret = booking_url(created["reference"]), bearer(created["secret"])

    def patch(body: dict[str, Any]) -> Any:
        return client.patch(url, json.dumps(body), content_type="application/json", **secret)

    full = patch({"start": "2026-01-21T14:00:00-01:00"})
    assert full.status_code == 409
    assert full.json()["code"] == "full"
    not_a_slot = patch({"start": "2026-01-21T14:10:00-01:00"})
    assert not_a_slot.status_code == 400
    assert set(not_a_slot.json()["errors"]) == {"start"}
    extra = patch({"start": "2026-01-21T15:00:00-01:00", "name": "Someone else"})
    assert extra.status_code == 400
    assert set(extra.json()["errors"]) == {"name"}
    assert Booking.objects.get(reference=created["reference"]).starts_at == at(19, 9)


def test_the_secret_cancels_the_booking(unit, client):
    desk = bookable_desk(unit)
    created = post(client, booking_body(desk)).json()
    url = booking_url(created["reference"])

    assert client.delete(url).status_code == 404
    assert client.delete(url, **bearer("wrong")).status_code == 404
    assert Booking.objects.get().status == BookingStatus.BOOKED

    cancelled = client.delete(url, **bearer(created["secret"]))
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    assert Booking.objects.get().status == BookingStatus.CANCELLED
    again = client.delete(url, **bearer(created["secret"]))
    assert again.status_code == 400
    assert again.json()["code"] == "inactive"


def test_past_the_deadline_the_booking_cannot_be_changed_here(unit, client):
    desk = bookable_desk(unit, cancel_until_hours=24)
    created = post(client, booking_body(desk)).json()
    url = booking_url(created["reference"])
    with time_machine.travel(at(18, 9, 1), tick=False):
        late = client.delete(url, **bearer(created["secret"]), HTTP_ACCEPT_LANGUAGE="en")
    assert late.status_code == 400
    assert late.json()["code"] == "deadline"
    assert Booking.objects.get().status == BookingStatus.BOOKED


# --- Rate limit ------------------------------------------------------------------------------


def test_bookings_past_the_limit_answer_429_with_retry_after(unit, client):
    desk = bookable_desk(unit, places=10)
    # Refused attempts cost nothing.
    assert post(client, booking_body(desk, name="")).status_code == 400
    for number in range(PUBLIC_BOOKING_LIMIT.limit):
        response = post(client, booking_body(desk, phone=f"+238990030{number}"))
        assert response.status_code == 201, response.content
    limited = post(client, booking_body(desk, phone="+2389900399"))
    assert limited.status_code == 429
    assert limited.json()["code"] == "rate_limited"
    assert int(limited["Retry-After"]) > 0
    assert Booking.objects.count() == PUBLIC_BOOKING_LIMIT.limit
    # Another address is not held back; reads are not limited.
    other = post(client, booking_body(desk, phone="+2389900399"), REMOTE_ADDR="192.0.2.8")
    assert other.status_code == 201
    assert client.get(SLOTS, slots_query(desk, "2026-01-19", "2026-01-19")).status_code == 200


# --- CORS: reads only ------------------------------------------------------------------------


def test_reads_are_open_to_every_origin(unit, client):
    desk = bookable_desk(unit)
    origin = {"HTTP_ORIGIN": "https://app.example"}
    read = client.get(SLOTS, slots_query(desk, "2026-01-19", "2026-01-19"), **origin)
    assert read["Access-Control-Allow-Origin"] == "*"
    assert read["Content-Language"] == "en"
    head = client.head(SLOTS, slots_query(desk, "2026-01-19", "2026-01-19"), **origin)
    assert head.status_code == 200
    assert head["Access-Control-Allow-Origin"] == "*"
    created = post(client, booking_body(desk), **origin).json()
    booking = client.get(booking_url(created["reference"]), **bearer(created["secret"]), **origin)
    assert booking["Access-Control-Allow-Origin"] == "*"
    preflight = client.options(
        booking_url(created["reference"]),
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization",
        **origin,
    )
    assert preflight.status_code == 204
    assert preflight["Access-Control-Allow-Origin"] == "*"
    assert "GET" in preflight["Access-Control-Allow-Methods"]
    assert "Authorization" in preflight["Access-Control-Allow-Headers"]


def test_writes_are_not_open_to_other_origins(unit, client):
    desk = bookable_desk(unit)
    origin = {"HTTP_ORIGIN": "https://elsewhere.example"}
    created = post(client, booking_body(desk), **origin)
    assert created.status_code == 201
    assert not created.has_header("Access-Control-Allow-Origin")
    data = created.json()
    url = booking_url(data["reference"])
    for path, method in ((BOOK, "POST"), (url, "PATCH"), (url, "DELETE")):
        preflight = client.options(
            path,
            HTTP_ACCESS_CONTROL_REQUEST_METHOD=method,
            HTTP_ACCESS_CONTROL_REQUEST_HEADERS="content-type",
            **origin,
        )
        assert not preflight.has_header("Access-Control-Allow-Origin"), method
        assert not preflight.has_header("Access-Control-Allow-Methods"), method
    body = json.dumps({"start": "2026-01-21T14:00:00-01:00"})
    moved = client.patch(
        url, body, content_type="application/json", **bearer(data["secret"]), **origin
    )
    assert moved.status_code == 200
    assert not moved.has_header("Access-Control-Allow-Origin")
    cancelled = client.delete(url, **bearer(data["secret"]), **origin)
    assert cancelled.status_code == 200
    assert not cancelled.has_header("Access-Control-Allow-Origin")


# --- One place, many simultaneous requests -----------------------------------------------------

THREADS = 10


@pytest.mark.django_db(transaction=True)
def test_only_one_of_many_simultaneous_requests_gets_the_last_place(unit):
    desk = bookable_desk(unit, places=2)
    book(desk, at(19, 9))
    body = booking_body(desk)
    barrier = threading.Barrier(THREADS)
    statuses: list[int | str] = []
    lock = threading.Lock()

    def attempt(index: int) -> None:
        outcome: int | str
        try:
            client = Client(REMOTE_ADDR=f"198.51.100.{index + 1}")
            barrier.wait(timeout=10)
            outcome = post(client, body | {"phone": f"+238990040{index}"}).status_code
        except Exception as error:  # any failure must show in the assertion
            outcome = repr(error)
        finally:
            connection.close()
        with lock:
            statuses.append(outcome)

    with time_machine.travel(NOW, tick=False):
        threads = [threading.Thread(target=attempt, args=(i,)) for i in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert sorted(statuses, key=str) == [201] + [409] * (THREADS - 1)
    assert Booking.objects.filter(starts_at=at(19, 9)).count() == 2
