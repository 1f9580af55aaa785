"""Every staff URL, walked by every role from the object's unit and from another unit.

Expected: 200 allowed, 403 the role may not, 404 the object is outside the user's scope,
302 to the log-in page for an anonymous visitor. A staff URL missing here fails the test
``test_every_staff_url_is_in_the_matrix``.

Every state-changing action is walked the same way as a POST (``POST_ROWS``, below): allowed
(a redirect and the action's effect), refused (the page answers and nothing is done), 403,
404 or the log-in page — and a POST that is not allowed changes nothing at all. A staff view
that takes a POST without a row, or an action its ``post`` dispatches on without a row, fails
``test_every_view_that_takes_a_post_is_in_the_post_rows`` and
``test_every_action_a_page_dispatches_on_is_in_the_post_rows``.
"""

import copy
import inspect
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache, cached_property, reduce
from operator import or_
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.models import Q
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from coop4int.accounts.enums import Role
from coop4int.accounts.models import Unit, User
from coop4int.accounts.tests.factories import PASSWORD, StaffFactory, UnitFactory
from coop4int.appointments.domain.booking import book_slot
from coop4int.appointments.domain.queue import call_next, start_serving, take_ticket
from coop4int.appointments.domain.slots import FreeSlot, free_slots
from coop4int.appointments.enums import BookingStatus, TicketStatus
from coop4int.appointments.models import (
    BookableService,
    Booking,
    QueueSettings,
    StaffAbsence,
    Ticket,
    WaitingListEntry,
)
from coop4int.appointments.tests.helpers import bookable_desk
from coop4int.backoffice import content_views
from coop4int.backoffice.page_actions import ActionTable
from coop4int.backoffice.tests.access_matrix_localplans import (
    LOCALPLANS_MATRIX,
    localplans_post_rows,
    localplans_url,
)
from coop4int.backoffice.tests.access_matrix_observatory import (
    OBSERVATORY_MATRIX,
    ObservatoryObjects,
    observatory_post_rows,
    observatory_url,
)
from coop4int.backoffice.tests.access_matrix_plan_objects import PlanObjects
from coop4int.backoffice.tests.access_matrix_plan_reports import (
    PLAN_REPORTS_MATRIX,
    plan_reports_post_rows,
    plan_reports_url,
)
from coop4int.backoffice.tests.access_matrix_training import (
    NOT_THEIRS,
    TRAINING_MATRIX,
    TrainingObjects,
    training_post_rows,
    training_url,
)
from coop4int.cases.domain.calls import schedule_callback
from coop4int.cases.domain.cases import open_case, reply
from coop4int.cases.domain.intake import Contact, receive_contact
from coop4int.cases.domain.referrals import accept_referral
from coop4int.cases.enums import Channel, ReferralOutcome, ReferralStatus, Status
from coop4int.cases.models import CallBack, CannedAnswer, Case, Referral
from coop4int.content.enums import FeedbackStatus, TranslationStatus
from coop4int.content.models import Attachment, ContentItem, Feedback, Translation
from coop4int.core.models import AuditEntry
from coop4int.directory.enums import ProposalStatus
from coop4int.directory.models import (
    ChangeProposal,
    Closure,
    Location,
    Schedule,
    Service,
    ServiceAtLocation,
)
from coop4int.directory.tests.places import praia_desk
from coop4int.learning.tests.credential_fixtures import SEED_A, use_keys
from coop4int.people.domain.legal_hold import set_legal_hold
from coop4int.people.domain.people import PersonDetails, give_consent, register_person
from coop4int.people.enums import ConsentMethod, Purpose
from coop4int.people.models import Person
from coop4int.privacy.models import Breach

ALL = set(Role)
SAME, OTHER = "same unit", "other unit"
DIRECTORY_EDITORS = {Role.ADMINISTRATOR, Role.UNIT_COORDINATOR, Role.CONTENT_EDITOR}
DIRECTORY_USERS = DIRECTORY_EDITORS | {Role.PARTNER_USER}
CASE_WORKERS = {Role.ADMINISTRATOR, Role.UNIT_COORDINATOR, Role.FRONT_OFFICE_OFFICER}
# The health of the information: every unit's for editors, their own for a coordinator.
CONTENT_READERS = {Role.ADMINISTRATOR, Role.CONTENT_EDITOR, Role.UNIT_COORDINATOR}
# Which services can be booked and how, absences, waiting rooms: the unit's coordinators.
APPOINTMENT_MANAGERS = {Role.ADMINISTRATOR, Role.UNIT_COORDINATOR}

# url name → (method, roles allowed, whether the object is scoped to a unit)
MATRIX: dict[str, tuple[str, set[Role], bool]] = (
    {
        "backoffice:home": ("get", ALL, False),
        "backoffice:audit_log": ("get", {Role.ADMINISTRATOR}, False),
        "backoffice:unit_list": ("get", {Role.ADMINISTRATOR, Role.UNIT_COORDINATOR}, False),
        "backoffice:unit_detail": ("get", {Role.ADMINISTRATOR, Role.UNIT_COORDINATOR}, True),
        "backoffice:staff_create": ("get", {Role.ADMINISTRATOR, Role.UNIT_COORDINATOR}, True),
        "backoffice:staff_detail": ("get", {Role.ADMINISTRATOR, Role.UNIT_COORDINATOR}, True),
        "backoffice:directory": ("get", DIRECTORY_USERS, False),
        "backoffice:directory_service": ("get", DIRECTORY_USERS, True),
        "backoffice:directory_new": ("get", DIRECTORY_EDITORS, False),
        "backoffice:directory_proposals": ("get", DIRECTORY_EDITORS, False),
        "backoffice:directory_proposal": ("get", DIRECTORY_EDITORS, True),
        "backoffice:content": ("get", {Role.ADMINISTRATOR, Role.CONTENT_EDITOR}, False),
        "backoffice:content_text": ("get", {Role.ADMINISTRATOR, Role.CONTENT_EDITOR}, False),
        "backoffice:content_file": ("get", {Role.ADMINISTRATOR, Role.CONTENT_EDITOR}, False),
        "backoffice:content_coverage": ("get", {Role.ADMINISTRATOR, Role.CONTENT_EDITOR}, False),
        "backoffice:content_health": ("get", CONTENT_READERS, False),
        "backoffice:feedback_queue": ("get", {Role.ADMINISTRATOR, Role.CONTENT_EDITOR}, False),
        "backoffice:feedback_detail": ("get", {Role.ADMINISTRATOR, Role.CONTENT_EDITOR}, False),
        "backoffice:case_inbox": ("get", CASE_WORKERS, False),
        "backoffice:case_new": ("get", CASE_WORKERS, False),
        "backoffice:case_statistics": ("get", CASE_WORKERS | {Role.ANALYST}, False),
        "backoffice:case_detail": ("get", CASE_WORKERS, True),
        "backoffice:case_file": ("get", CASE_WORKERS, True),
        "backoffice:person_detail": ("get", CASE_WORKERS, True),
        "backoffice:person_erasure": ("get", {Role.ADMINISTRATOR, Role.UNIT_COORDINATOR}, True),
        "backoffice:retention": ("get", {Role.ADMINISTRATOR}, False),
        "backoffice:privacy_access": ("get", CASE_WORKERS, True),
        "backoffice:privacy_access_json": ("get", CASE_WORKERS, True),
        "backoffice:privacy_access_zip": ("get", CASE_WORKERS, True),
        "backoffice:privacy_register": ("get", {Role.ADMINISTRATOR, Role.UNIT_COORDINATOR}, False),
        "backoffice:privacy_register_csv": (
            "get",
            {Role.ADMINISTRATOR, Role.UNIT_COORDINATOR},
            False,
        ),
        "backoffice:privacy_breaches": ("get", {Role.ADMINISTRATOR}, False),
        "backoffice:privacy_breach": ("get", {Role.ADMINISTRATOR}, False),
        "backoffice:phone_line": ("get", CASE_WORKERS, False),
        "backoffice:canned_answers": ("get", {Role.ADMINISTRATOR, Role.UNIT_COORDINATOR}, False),
        "backoffice:referral_list": ("get", {Role.ADMINISTRATOR, Role.PARTNER_USER}, False),
        "backoffice:referral_detail": ("get", {Role.ADMINISTRATOR, Role.PARTNER_USER}, True),
        # Appointments and the waiting room: whoever works the cases of the service's unit.
        "backoffice:appointment_day": ("get", CASE_WORKERS, False),
        "backoffice:appointment_new": ("get", CASE_WORKERS, False),
        "backoffice:appointment_detail": ("get", CASE_WORKERS, True),
        # Reception and the desk, opened on one of Praia's places (``?location=``).
        "backoffice:queue_reception": ("get", CASE_WORKERS, True),
        "backoffice:queue_desk": ("get", CASE_WORKERS, True),
        "backoffice:queue_ticket": ("get", CASE_WORKERS, True),
        "backoffice:queue_ticket_print": ("get", CASE_WORKERS, True),
        "backoffice:appointment_statistics": ("get", CASE_WORKERS | {Role.ANALYST}, False),
        # Without a unit in the address, the settings of the user's own unit.
        "backoffice:appointment_settings": ("get", APPOINTMENT_MANAGERS, False),
        "backoffice:appointment_settings_unit": ("get", APPOINTMENT_MANAGERS, True),
        "accounts:account": ("get", ALL, False),
        "accounts:password_change": ("get", ALL, False),
        "accounts:recovery_codes": ("post", ALL, False),
    }
    | TRAINING_MATRIX
    | OBSERVATORY_MATRIX
    | LOCALPLANS_MATRIX
    | PLAN_REPORTS_MATRIX
)  # access_matrix_training.py, _observatory.py
# Reached before log-in, on purpose.
PUBLIC_STAFF_URLS = {
    "accounts:login",
    "accounts:verify",
    "accounts:enrol",
    "accounts:password_reset",
    "accounts:password_reset_done",
    "accounts:password_reset_confirm",
    "accounts:password_reset_complete",
}
# Logging out is allowed to everyone who is logged in, and redirects.
LOGOUT = "accounts:logout"


def _staff_url_names() -> set[str]:
    names: set[str] = set()

    def walk(patterns: list, namespace: str, prefix: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                ns = pattern.namespace or namespace
                walk(pattern.url_patterns, ns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern) and (prefix + str(pattern.pattern)).startswith(
                "staff/"
            ):
                names.add(f"{namespace}:{pattern.name}")

    walk(get_resolver().url_patterns, "", "")
    return names


def test_every_staff_url_is_in_the_matrix():
    # A view that only takes a POST is walked by the POST rows below.
    post_only = {
        name
        for name, view in _staff_views().items()
        if isinstance(view, type) and hasattr(view, "post") and not hasattr(view, "get")
    }
    assert _staff_url_names() == set(MATRIX) | post_only | PUBLIC_STAFF_URLS | {LOGOUT}


def next_free_slot(sal: ServiceAtLocation, now: datetime) -> FreeSlot:
    """The first time with a place left from the day after ``now`` (at the place)."""
    tomorrow = (now.astimezone(ZoneInfo(sal.location.time_zone)) + timedelta(days=1)).date()
    return free_slots(
        service_at_location=sal, start_date=tomorrow, end_date=tomorrow + timedelta(days=14),
        now=now,
    )[0]  # fmt: skip


class AppointmentObjects:
    """A bookable desk of the unit (a place in Praia, Monday to Friday, 08:00–16:00), an
    appointment at its first free time from the next day, and a walk-in's ticket waiting
    there — made at ``now`` by ``actor`` (who works the unit's cases), when first asked for."""

    def __init__(self, unit: Unit, actor: User, now: datetime) -> None:
        self.unit, self.actor, self.now = unit, actor, now

    @cached_property
    def bookable(self) -> BookableService:
        return bookable_desk(self.unit, now=self.now)

    @property
    def desk(self) -> ServiceAtLocation:
        return self.bookable.service_at_location

    def book(self, *, name: str, phone: str, start: datetime | None = None,
             now: datetime | None = None, **more: Any) -> tuple[Booking, str]:  # fmt: skip
        now = now or self.now
        start = start or next_free_slot(self.desk, now).start
        return book_slot(
            service_at_location=self.desk, start=start, name=name, phone=phone, language="pt",
            actor=self.actor, now=now, **more,
        )  # fmt: skip

    @cached_property
    def _booked(self) -> tuple[Booking, str]:
        return self.book(name="Fatou Sow", phone="+2389900001")

    @property
    def booking(self) -> Booking:
        return self._booked[0]

    @property
    def booking_secret(self) -> str:
        return self._booked[1]

    @cached_property
    def _taken(self) -> tuple[Ticket, str]:
        return take_ticket(
            service_at_location=self.desk, language="pt", actor=self.actor, now=self.now
        )

    @property
    def ticket(self) -> Ticket:
        return self._taken[0]

    @property
    def ticket_secret(self) -> str:
        return self._taken[1]


def _units() -> tuple[Unit, Unit, Unit]:
    """Praia and Mindelo (local units of the national AAI) and a partner's health centre, as
    the fixtures ``unit``, ``other_unit`` and ``partner_unit`` make them."""
    national = UnitFactory(slug="aai", name="AAI", kind="national")
    return (
        UnitFactory(
            slug="praia", name="Praia", kind="local", parent=national, municipality="Praia"
        ),
        UnitFactory(
            slug="mindelo",
            name="Mindelo",
            kind="local",
            parent=national,
            municipality="São Vicente",
        ),
        UnitFactory(slug="health-centre", name="Health centre", kind="partner"),
    )


def _make_target() -> dict[str, Any]:
    """The objects: the unit 'Praia', a colleague working there, a service it keeps in the
    directory and a partner's proposal to change that service; its appointments and waiting
    room; another unit, 'Mindelo'."""
    unit, other_unit, _partner = _units()
    colleague = StaffFactory(unit=unit, roles=[Role.FRONT_OFFICE_OFFICER], username="colleague")
    service = Service.objects.create(name="Front desk", unit=unit)
    proposal = ChangeProposal.objects.create(
        service=service, proposed_by=colleague, changes={"name": "Desk"}, original={}
    )
    item = ContentItem.objects.create(slug="card", kind="card", source_language="pt")
    Translation.objects.create(item=item, language="pt", title="Cartão")
    # Made now, with the other objects (kept for every test), not when a URL first names them.
    appointments = AppointmentObjects(unit, colleague, AT)
    assert appointments.booking.reference
    assert appointments.ticket.number
    return {
        "training": TrainingObjects(unit, timezone.now(), colleague).made(),
        "observatory": ObservatoryObjects().made(),
        "localplans": PlanObjects(unit).made(),
        "unit": unit,
        "other_unit": other_unit,
        "colleague": colleague,
        "appointments": appointments,
        "service": service,
        "proposal": proposal,
        "item": item,
        "feedback": Feedback.objects.create(page="/pt/", language="pt", message="Falta algo"),
        # Added by the colleague and waiting for an editor to open it before publishing it.
        "draft_file": Attachment.objects.create(
            item=item,
            language="pt",
            title="Folheto",
            uploaded_by=colleague,
            file=SimpleUploadedFile("folheto.pdf", b"%PDF-1.4 folheto", "application/pdf"),
            content_type="application/pdf",
            size=16,
        ),
        "case": open_case(actor=colleague, unit=unit, channel=Channel.WALK_IN, subject="Visto")[0],
        "person": register_person(
            actor=colleague, unit=unit, details=PersonDetails(given_names="Aminata")
        ),
        "case_file": reply(
            actor=colleague,
            case=open_case(actor=colleague, unit=unit, channel=Channel.WALK_IN, subject="F")[0],
            body="Ficha",
            channel=Channel.WALK_IN,
            files=[SimpleUploadedFile("ficha.pdf", b"%PDF-1.4 ficha", "application/pdf")],
        ).files.get(),
        # Received by the unit's organisation ("same unit" for a partner user there).
        "referral": Referral.objects.create(
            case=open_case(actor=None, unit=unit, channel=Channel.WEB, subject="Pedido")[0],
            service=service,
            partner=unit,
            sent_by=colleague,
            sent_at=timezone.now(),
            answer_due_at=timezone.now(),
            shared={"name": "A", "summary": "B"},
        ),
    }


def _url(name: str, target: dict) -> str:
    if name in {"backoffice:unit_detail", "backoffice:staff_create"}:
        return reverse(name, args=[target["unit"].slug])
    if name == "backoffice:staff_detail":
        return reverse(name, args=[target["colleague"].username])
    if name == "backoffice:feedback_detail":
        return reverse(name, args=[target["feedback"].pk])
    if name == "backoffice:content_text":
        return reverse(name, args=[target["item"].slug, "fr"])
    if name == "backoffice:content_file":
        return reverse(name, args=[target["item"].slug, target["draft_file"].pk])
    if name == "backoffice:directory_service":
        return reverse(name, args=[target["service"].pk])
    if name == "backoffice:referral_detail":
        return reverse(name, args=[target["referral"].pk])
    if name == "backoffice:case_file":
        attached = target["case_file"]
        return reverse(name, args=[attached.interaction.case.reference, attached.pk])
    if name == "backoffice:case_detail":
        return reverse(name, args=[target["case"].reference])
    if name in {"backoffice:person_detail", "backoffice:person_erasure"}:
        return reverse(name, args=[target["person"].pk])
    if name.startswith("backoffice:privacy_access"):
        return reverse(name, args=[target["person"].pk])
    if name == "backoffice:privacy_breach":
        return reverse(name, args=[_breach(target["colleague"]).pk])
    if name == "backoffice:directory_proposal":
        return reverse(name, args=[target["proposal"].pk])
    if name.startswith(("backoffice:appointment", "backoffice:queue")):
        return _appointments_url(name, target)
    if name.startswith("backoffice:training_"):
        return training_url(name, target)
    if name in OBSERVATORY_MATRIX:
        return observatory_url(name, target)
    if name in LOCALPLANS_MATRIX:
        return localplans_url(name, target)
    if name in PLAN_REPORTS_MATRIX:
        return plan_reports_url(name, target)
    return reverse(name)


def _appointments_url(name: str, target: dict) -> str:
    made: AppointmentObjects = target["appointments"]
    if name == "backoffice:appointment_day":
        # The day of the appointment, so that the sheet is not empty.
        zone = ZoneInfo(made.desk.location.time_zone)
        day = made.booking.starts_at.astimezone(zone).date()
        return f"{reverse(name)}?{urlencode({'day': day.isoformat()})}"
    if name == "backoffice:appointment_detail":
        return reverse(name, args=[made.booking.reference])
    if name == "backoffice:appointment_settings_unit":
        return reverse(name, args=[target["unit"].pk])
    if name == "backoffice:queue_reception":
        return f"{reverse(name)}?{urlencode({'location': made.desk.location_id})}"
    if name == "backoffice:queue_desk":
        waiting = made.ticket  # someone waits for the desk's service
        query = {"location": waiting.location_id, "desk": "2",
                 "services": waiting.service_at_location_id}  # fmt: skip
        return f"{reverse(name)}?{urlencode(query)}"
    if name == "backoffice:queue_ticket":
        return reverse(name, args=[made.ticket.pk])
    if name == "backoffice:queue_ticket_print":
        return reverse(name, args=[made.ticket.pk, made.ticket_secret])
    return reverse(name)


def _breach(recorded_by: User) -> Breach:
    """A breach in the log (the log is nationwide: no unit's own), found an hour ago."""
    return Breach.objects.create(
        discovered_at=timezone.now() - timedelta(hours=1), description="Portátil roubado",
        people_categories="Utentes",
        people_affected=3, measures="Palavras-passe mudadas", recorded_at=timezone.now(),
        recorded_by=recorded_by,
    )  # fmt: skip


def _read_to_the_end(response: Any) -> None:
    """A file download holds its file open until read to its end, when the test client closes
    it (closing it again, ``response.close()``, would end the request a second time, and that
    closes the database connection: the objects' transaction with it)."""
    if response.streaming:
        b"".join(response.streaming_content)


def redundant_case(test: str, params: dict[str, Any]) -> bool:
    """The cases not walked (deselected by the root conftest): a role a page or an action
    refuses, from another unit. Its permission is checked before any object is looked up
    (``StaffView``), so that it answers 403 from every unit alike — as its case from the
    object's own unit shows, which is walked."""
    if params.get("placement") != OTHER:
        return False
    if test == "test_role_and_unit_decide_access":
        allowed = MATRIX[params["name"]][1]
    elif test == "test_role_and_unit_decide_every_post":
        allowed = POST_ROWS[params["key"]].allowed
    else:
        return False
    return params["role"] not in allowed


def _expected(
    role: Role, placement: str, allowed: set[Role], scoped: bool, not_theirs: set[Role]
) -> int:
    if role not in allowed:
        return 403
    if role in not_theirs:  # an account made for the test has no object of its own
        return 404
    if scoped and placement == OTHER and role is not Role.ADMINISTRATOR:
        return 404
    return 200


CASES = [
    pytest.param(name, role, placement, id=f"{name}-{role.value}-{placement.replace(' ', '_')}")
    for name in MATRIX
    for role in Role
    for placement in (SAME, OTHER)
]


@pytest.fixture(scope="class")
def target(rows_kept, tmp_path_factory):
    """``_make_target``'s objects, made once for a class of tests (``rows_kept``)."""
    with rows_kept(_make_target, MEDIA_ROOT=tmp_path_factory.mktemp("media")) as made:
        yield made


@pytest.mark.django_db
class TestEveryPage:
    """The pages, opened with one set of objects made for the whole class: each test runs in
    a savepoint of its own and finds the objects as they were made."""

    @pytest.mark.parametrize(("name", "role", "placement"), CASES)
    def test_role_and_unit_decide_access(
        self, client, login_verified, make_staff, target, name, role, placement
    ):
        method, allowed, scoped = MATRIX[name]
        user = make_staff(role, target["unit" if placement == SAME else "other_unit"])
        login_verified(client, user)
        response = getattr(client, method)(_url(name, target))
        _read_to_the_end(response)
        expected = _expected(role, placement, allowed, scoped, NOT_THEIRS.get(name, set()))
        assert response.status_code == expected

    @pytest.mark.parametrize("placement", [SAME, OTHER])
    @pytest.mark.parametrize("name", ["backoffice:queue_reception", "backoffice:queue_desk"])
    def test_the_waiting_room_without_a_place_chosen_offers_only_the_users_places(
        self, client, login_verified, make_staff, target, name, placement
    ):
        # The matrix opens these pages on one of Praia's places; without one, they open for
        # every officer and offer the places of their own unit only.
        praia = target["appointments"].desk.location
        user = make_staff(
            Role.FRONT_OFFICE_OFFICER, target["unit" if placement == SAME else "other_unit"]
        )
        login_verified(client, user)
        response = client.get(reverse(name))
        assert response.status_code == 200
        assert (str(praia.pk) in response.content.decode()) == (placement == SAME)

    @pytest.mark.parametrize("name", [*MATRIX, LOGOUT])
    def test_anonymous_visitor_is_sent_to_log_in(self, client, target, name):
        method = MATRIX[name][0] if name in MATRIX else "post"
        response = getattr(client, method)(_url(name, target))
        _read_to_the_end(response)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_logged_in_user_may_log_out(client, login_verified, make_staff, unit):
    login_verified(client, make_staff(Role.ANALYST, unit))
    response = client.post(reverse(LOGOUT))
    assert response.status_code == 302
    assert client.get(reverse("backoffice:home")).status_code == 302


@pytest.mark.parametrize("name", PUBLIC_STAFF_URLS - {"accounts:password_reset_confirm"})
def test_log_in_pages_open_without_a_session(client, name):
    response = client.get(reverse(name), follow=True)
    assert response.status_code == 200


# === POST: every state-changing staff action ====================================================
#
# Each row is one action of one page, posted by every role from the object's unit (Praia) and
# from another unit (Mindelo). Expected, in this order:
# - 403: the role may not use the page at all;
# - 404: the object is outside the user's scope (OBJECT rows; nationwide administrators reach
#   every unit);
# - refused: the page answers (a form error, or back to where the action was made) and the
#   action is not done — for a role that passes the door but may not act on this object
#   (``refused``), or for a FILTERED row from another unit, where the object posted is simply
#   not among the user's choices;
# - allowed: a redirect (or, for new recovery codes, the page showing them), and the
#   action's effect is there.
# A 403, 404 or refused POST changes nothing at all: every row of the domain apps' tables
# and every audit entry other than a read is compared before and after.

OBJECT, FILTERED, OWN = "object", "filtered", "own"
CONTENT_EDITORS = {Role.ADMINISTRATOR, Role.CONTENT_EDITOR}
STAFF_MANAGERS = {Role.ADMINISTRATOR, Role.UNIT_COORDINATOR}
REFERRAL_ANSWERERS = {Role.ADMINISTRATOR, Role.PARTNER_USER}
NEW_PASSWORD = "another-long-test-password-42"
AT = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


class PostTarget(AppointmentObjects):
    """The objects of the POST rows, each made when a row first asks for it: Aminata,
    registered at Praia with her consents, a case of hers with a referral to Praia and a
    call-back, a duplicate record of her, a partner's service, a directory service of Praia
    with a partner's proposal, information items, a message from the public; Praia's bookable
    desk with appointments and tickets at each step (``AppointmentObjects``)."""

    moved_to: datetime | None = None
    """The time the appointment is moved to (``_moved``)."""

    def __init__(self, unit: Unit, partner_unit: Unit, colleague: User) -> None:
        super().__init__(unit, colleague, AT)
        self.partner_unit, self.colleague = partner_unit, colleague

    @cached_property
    def plans(self) -> PlanObjects:
        """Praia's local integration plans (``access_matrix_plan_objects``)."""
        return PlanObjects(self.unit)

    @cached_property
    def begun_booking(self) -> Booking:
        """Booked a week ago for the first time this morning, which has begun (it is 09:00
        in Praia)."""
        day = AT.astimezone(ZoneInfo(self.desk.location.time_zone)).date()
        week_ago = AT - timedelta(days=7)
        first = free_slots(
            service_at_location=self.desk, start_date=day, end_date=day, now=week_ago
        )[0]
        booking = self.book(name="Rui Tavares", phone="+2389900002", start=first.start,
                            now=week_ago)[0]  # fmt: skip
        assert booking.starts_at <= AT
        return booking

    @cached_property
    def her_booking(self) -> Booking:
        """Aminata's appointment, booked by the colleague from her record."""
        return self.book(name="Aminata Diallo", phone="+2389912345", person=self.person)[0]

    def move_to(self) -> FreeSlot:
        """Another free time of the appointment's day, as the page offers it."""
        day = self.booking.starts_at.astimezone(ZoneInfo(self.desk.location.time_zone)).date()
        return next(
            slot
            for slot in free_slots(
                service_at_location=self.desk, start_date=day, end_date=day, now=timezone.now()
            )
            if slot.start != self.booking.starts_at
        )

    @cached_property
    def called_ticket(self) -> Ticket:
        """The waiting ticket, called to desk 2."""
        waiting = self.ticket
        called = call_next(
            location=self.desk.location, service_ids=[self.desk.pk], desk="2",
            actor=self.colleague, now=AT,
        )  # fmt: skip
        assert called == waiting
        return called

    @cached_property
    def serving_ticket(self) -> Ticket:
        return start_serving(ticket=self.called_ticket, actor=self.colleague, now=AT)

    @cached_property
    def other_service(self) -> ServiceAtLocation:
        """Another of Praia's services at the desk's place, to transfer a ticket to."""
        service = Service.objects.create(name="Registo", unit=self.unit)
        return ServiceAtLocation.objects.create(service=service, location=self.desk.location)

    @cached_property
    def unbooked_desk(self) -> ServiceAtLocation:
        """A service of Praia at a place, not bookable yet."""
        return praia_desk(self.unit, name="Registo civil")

    def desk_post(self, action: str, ticket: Ticket | None = None, **more: Any) -> dict:
        """What a button of the desk posts: the desk's set-up and the action."""
        return {
            "location": str(self.desk.location_id), "desk": "2", "services": [str(self.desk.pk)],
            "action": action, "ticket": ticket.pk if ticket else "", **more,
        }  # fmt: skip

    @cached_property
    def administrator(self) -> User:
        """A nationwide administrator whose account happens to sit at Praia."""
        return StaffFactory(unit=self.unit, roles=[Role.ADMINISTRATOR], username="chief")

    @cached_property
    def person(self) -> Person:
        person = register_person(
            actor=self.colleague, unit=self.unit,
            details=PersonDetails(given_names="Aminata", family_names="Diallo"),
            phones=["+2389912345"],
        )  # fmt: skip
        for purpose in (Purpose.SERVICE, Purpose.REFERRAL, Purpose.STATISTICS):
            give_consent(
                actor=self.colleague, person=person, purpose=purpose,
                method=ConsentMethod.IN_PERSON, at=AT,
            )  # fmt: skip
        return person

    @cached_property
    def duplicate(self) -> Person:
        return register_person(
            actor=self.colleague, unit=self.unit,
            details=PersonDetails(given_names="Aminata", family_names="Diallo"),
        )  # fmt: skip

    @cached_property
    def case(self) -> Case:
        return open_case(
            actor=self.colleague, unit=self.unit, channel=Channel.WALK_IN, subject="Visto",
            person=self.person, at=AT,
        )[0]  # fmt: skip

    @cached_property
    def claimed_case(self) -> Case:
        """A request from the web form with Aminata's phone: her record is only a possible
        match until an officer confirms who wrote."""
        phone = self.person.contacts.get().value
        case = receive_contact(
            actor=None, unit=self.unit,
            contact=Contact(channel=Channel.WEB, subject="Pedido", body="Preciso de ajuda",
                            phone=phone, at=AT),
        ).case  # fmt: skip
        assert (case.identity_verified, case.claimed_person) == (False, self.person)
        return case

    @cached_property
    def referral(self) -> Referral:
        """Sent to Praia's own organisation ("same unit" for a partner user there)."""
        service = Service.objects.create(name="Balcão", unit=self.unit)
        return Referral.objects.create(
            case=self.case, service=service, partner=self.unit, sent_by=self.colleague,
            sent_at=AT, answer_due_at=AT, shared={"name": "Aminata", "summary": "Visto"},
        )  # fmt: skip

    @cached_property
    def partner_service(self) -> Service:
        return Service.objects.create(name="Apoio jurídico", unit=self.partner_unit)

    @cached_property
    def callback(self) -> CallBack:
        return schedule_callback(
            actor=self.colleague, case=self.case, phone="+2389912345", due_at=AT
        )

    @cached_property
    def service(self) -> Service:
        return praia_desk(self.unit).service

    @cached_property
    def proposal(self) -> ChangeProposal:
        return ChangeProposal.objects.create(
            service=self.service, proposed_by=self.colleague, changes={"name": "Desk"},
            original={"name": self.service.name},
        )  # fmt: skip

    @cached_property
    def item(self) -> ContentItem:
        """A card whose Portuguese source is a draft."""
        item = ContentItem.objects.create(slug="card", kind="card", source_language="pt")
        Translation.objects.create(
            item=item, language="pt", title="Cartão", last_edited_by=self.colleague
        )
        return item

    @cached_property
    def item_in_review(self) -> ContentItem:
        """A guide written by a colleague and waiting for someone else to publish it."""
        item = ContentItem.objects.create(slug="guia", kind="guide", source_language="pt")
        Translation.objects.create(
            item=item, language="pt", title="Guia", status=TranslationStatus.IN_REVIEW,
            last_edited_by=self.colleague,
        )  # fmt: skip
        return item

    def _file(self, title: str, **published: Any) -> Attachment:
        return Attachment.objects.create(
            item=self.item, language="pt", title=title, uploaded_by=self.colleague,
            file=SimpleUploadedFile(f"{title}.pdf", b"%PDF-1.4 f", "application/pdf"),
            content_type="application/pdf", size=10, **published,
        )  # fmt: skip

    @cached_property
    def draft_file(self) -> Attachment:
        """A leaflet the colleague added to the card, waiting for someone else to publish it."""
        return self._file("folheto")

    @cached_property
    def published_file(self) -> Attachment:
        """A leaflet of the card the public gets, which may get a new version."""
        return self._file("cartaz", status="published", published_by=self.administrator,
                          published_at=AT)  # fmt: skip

    @cached_property
    def feedback(self) -> Feedback:
        return Feedback.objects.create(
            page="/pt/", language="pt", message="Falta algo", contact_email="ana@example.cv"
        )

    def version(self) -> int:
        self.case.refresh_from_db()
        return self.case.version


@dataclass(frozen=True)
class PostRow:
    url: Callable[[PostTarget], str]
    allowed: set[Role]
    scope: str  # OBJECT, FILTERED or OWN (the user's own unit or account: no other unit)
    data: Callable[[PostTarget, User], dict]
    done: Callable[[PostTarget, User], bool]
    """Whether the action took effect (asked after an allowed POST)."""
    refused: frozenset[Role] = frozenset()
    """Roles that reach the page but whose action on this object is refused."""
    forbidden: frozenset[Role] = frozenset()
    """Roles that reach the object but may not take this action on it (403)."""
    status: int = 302
    """The answer to an allowed POST: back to a page, or (200) a page showing the result."""


def _case_url(t: PostTarget) -> str:
    return reverse("backoffice:case_detail", args=[t.case.reference])


def _person_url(t: PostTarget) -> str:
    return reverse("backoffice:person_detail", args=[t.person.pk])


def _referral_url(t: PostTarget) -> str:
    return reverse("backoffice:referral_detail", args=[t.referral.pk])


def _service_url(t: PostTarget) -> str:
    return reverse("backoffice:directory_service", args=[t.service.pk])


def _proposal_url(t: PostTarget) -> str:
    return reverse("backoffice:directory_proposal", args=[t.proposal.pk])


def _staff_url(t: PostTarget) -> str:
    return reverse("backoffice:staff_detail", args=[t.colleague.username])


def _fresh(obj: Any) -> Any:
    obj.refresh_from_db()
    return obj


def _accepted(t: PostTarget) -> Referral:
    accept_referral(actor=t.colleague, referral=t.referral)
    return t.referral


def _disabled(account: User) -> User:
    User.objects.filter(pk=account.pk).update(is_active=False)
    return account


def _held(t: PostTarget) -> PostTarget:
    set_legal_hold(person=t.person, actor=t.administrator, reason="Processo 4/2026", now=AT)
    return t


def _live(person: Person, purpose: Purpose) -> bool:
    return person.consents.filter(purpose=purpose, withdrawn_at__isnull=True).exists()


PLACE = {
    "name": "Nova sede", "address_1": "Rua 2", "city": "Praia", "state_province": "Santiago",
    "country": "CV", "time_zone": "Atlantic/Cape_Verde", "phones": "+238 260 10 10",
}  # fmt: skip

# "url name:action" → the row.
POST_ROWS: dict[str, PostRow] = {
    "backoffice:case_inbox:bulk_assign": PostRow(
        lambda t: reverse("backoffice:case_inbox"), CASE_WORKERS, FILTERED,
        lambda t, u: {"case": [t.case.reference], "officer": t.colleague.pk, "back": "view=unit"},
        lambda t, u: _fresh(t.case).assigned_to == t.colleague,
    ),
    "backoffice:case_detail:reply": PostRow(
        _case_url, CASE_WORKERS, OBJECT,
        lambda t, u: {"action": "reply", "reply-version": t.version(),
                      "reply-channel": "walk_in", "reply-body": "Resposta dada ao balcão"},
        lambda t, u: t.case.interactions.filter(body="Resposta dada ao balcão").exists(),
    ),
    "backoffice:case_detail:note": PostRow(
        _case_url, CASE_WORKERS, OBJECT,
        lambda t, u: {"action": "note", "note-version": t.version(), "note-note": "Nota"},
        lambda t, u: t.case.interactions.filter(channel=Channel.NOTE, body="Nota").exists(),
    ),
    "backoffice:case_detail:status": PostRow(
        _case_url, CASE_WORKERS, OBJECT,
        lambda t, u: {"action": "status", "status-version": t.version(),
                      "status-status": Status.WAITING_PERSON},
        lambda t, u: _fresh(t.case).status == Status.WAITING_PERSON,
    ),
    "backoffice:case_detail:assign": PostRow(
        _case_url, CASE_WORKERS, OBJECT,
        lambda t, u: {"action": "assign", "assign-version": t.version(),
                      "assign-officer": t.colleague.pk},
        lambda t, u: _fresh(t.case).assigned_to == t.colleague,
    ),
    "backoffice:case_detail:refer": PostRow(
        _case_url, CASE_WORKERS, OBJECT,
        lambda t, u: {"action": "refer", "refer-version": t.version(),
                      "refer-service": t.partner_service.pk, "refer-summary": "Apoio jurídico"},
        lambda t, u: t.case.referrals.filter(service=t.partner_service).exists(),
    ),
    "backoffice:case_detail:consent": PostRow(
        _case_url, CASE_WORKERS, OBJECT,
        lambda t, u: {"action": "consent", "consent-purpose": Purpose.CONTACT,
                      "consent-method": ConsentMethod.VERBAL},
        lambda t, u: _live(t.person, Purpose.CONTACT),
    ),
    "backoffice:case_detail:withdraw_consent": PostRow(
        _case_url, CASE_WORKERS, OBJECT,
        lambda t, u: {"action": "withdraw_consent", "consent-purpose": Purpose.STATISTICS,
                      "consent-method": ConsentMethod.VERBAL},
        lambda t, u: not _live(t.person, Purpose.STATISTICS),
    ),
    "backoffice:case_detail:satisfaction": PostRow(
        _case_url, CASE_WORKERS, OBJECT,
        lambda t, u: {"action": "satisfaction", "score": "4"},
        lambda t, u: _fresh(t.case).satisfaction == 4,
    ),
    "backoffice:case_detail:withdraw_referral": PostRow(
        _case_url, CASE_WORKERS, OBJECT,
        lambda t, u: {"action": "withdraw_referral", "referral": t.referral.pk},
        lambda t, u: _fresh(t.referral).status == ReferralStatus.WITHDRAWN,
    ),
    "backoffice:case_identity:confirm_match": PostRow(
        lambda t: reverse("backoffice:case_identity", args=[t.claimed_case.reference]),
        CASE_WORKERS, OBJECT,
        lambda t, u: {"person": t.person.pk},
        lambda t, u: (_fresh(t.claimed_case).identity_verified, t.claimed_case.person)
        == (True, t.person),
    ),
    "backoffice:case_identity:confirm_nobody": PostRow(
        lambda t: reverse("backoffice:case_identity", args=[t.claimed_case.reference]),
        CASE_WORKERS, OBJECT,
        lambda t, u: {"person": "none"},
        lambda t, u: (_fresh(t.claimed_case).identity_verified, t.claimed_case.person)
        == (True, None),
    ),
    "backoffice:case_language:correct": PostRow(
        lambda t: reverse("backoffice:case_language", args=[t.case.reference]),
        CASE_WORKERS, OBJECT,
        lambda t, u: {"case-language-language": "fr", "case-language-version": t.version()},
        lambda t, u: _fresh(t.case).language == "fr",
    ),
    "backoffice:case_tracking:renew": PostRow(
        lambda t: reverse("backoffice:case_tracking", args=[t.case.reference]),
        CASE_WORKERS, OBJECT,
        lambda t, u: {},
        lambda t, u: AuditEntry.objects.filter(
            action="cases.case.tracking_renewed", object_id=str(t.case.pk)
        ).exists(),
        status=200,
    ),
    "backoffice:person_detail:consent": PostRow(
        _person_url, CASE_WORKERS, OBJECT,
        lambda t, u: {"action": "consent", "consent-purpose": Purpose.CONTACT,
                      "consent-method": ConsentMethod.IN_PERSON},
        lambda t, u: _live(t.person, Purpose.CONTACT),
    ),
    "backoffice:person_detail:withdraw_consent": PostRow(
        _person_url, CASE_WORKERS, OBJECT,
        lambda t, u: {"action": "withdraw_consent", "consent-purpose": Purpose.STATISTICS,
                      "consent-method": ConsentMethod.IN_PERSON},
        lambda t, u: not _live(t.person, Purpose.STATISTICS),
    ),
    "backoffice:person_detail:merge": PostRow(
        _person_url, CASE_WORKERS, OBJECT,
        lambda t, u: {"action": "merge", "other": t.duplicate.pk, "confirm": "on"},
        lambda t, u: _fresh(t.duplicate).merged_into_id == t.person.pk,
    ),
    "backoffice:person_detail:rectify": PostRow(
        _person_url, CASE_WORKERS, OBJECT,
        lambda t, u: {"action": "rectify", "rectify-field": "family_names",
                      "rectify-value": "Diallo Sow", "rectify-reason": "Pedido da pessoa"},
        lambda t, u: _fresh(t.person).family_names == "Diallo Sow",
    ),
    # A legal hold and erasure: administrators and the coordinators of the person's unit.
    "backoffice:person_detail:set_legal_hold": PostRow(
        _person_url, CASE_WORKERS, OBJECT,
        lambda t, u: {"action": "set_legal_hold", "hold-reason": "Processo 4/2026"},
        lambda t, u: _fresh(t.person).has_legal_hold,
        refused=frozenset({Role.FRONT_OFFICE_OFFICER}),
    ),
    "backoffice:person_detail:lift_legal_hold": PostRow(
        lambda t: _person_url(_held(t)), CASE_WORKERS, OBJECT,
        lambda t, u: {"action": "lift_legal_hold"},
        lambda t, u: not _fresh(t.person).has_legal_hold,
        refused=frozenset({Role.FRONT_OFFICE_OFFICER}),
    ),
    "backoffice:person_erasure:erase": PostRow(
        lambda t: reverse("backoffice:person_erasure", args=[t.person.pk]),
        {Role.ADMINISTRATOR, Role.UNIT_COORDINATOR}, OBJECT,
        lambda t, u: {"action": "erase", "erase-ground": "person_asked",
                      "erase-confirm": "on"},
        lambda t, u: _fresh(t.person).is_erased,
    ),
    # The breach log: administrators only.
    "backoffice:privacy_breaches:record": PostRow(
        lambda t: reverse("backoffice:privacy_breaches"), {Role.ADMINISTRATOR}, OWN,
        lambda t, u: {"action": "record", "discovered_at": "2026-03-02T08:00",
                      "description": "Portátil roubado", "data_kinds": ["cases.Case"],
                      "people_categories": "Utentes", "people_affected": "3",
                      "measures": "Palavras-passe mudadas"},
        lambda t, u: Breach.objects.filter(description="Portátil roubado").exists(),
    ),
    "backoffice:privacy_breach:notify_regulator": PostRow(
        lambda t: reverse("backoffice:privacy_breach", args=[_breach(t.colleague).pk]),
        {Role.ADMINISTRATOR}, OBJECT,
        lambda t, u: {"action": "notify_regulator", "regulator-notified_at": "2026-03-02T08:30",
                      "regulator-reference": "CNPD 1/2026"},
        lambda t, u: Breach.objects.get().cnpd_reference == "CNPD 1/2026",
    ),
    "backoffice:privacy_breach:notify_people": PostRow(
        lambda t: reverse("backoffice:privacy_breach", args=[_breach(t.colleague).pk]),
        {Role.ADMINISTRATOR}, OBJECT,
        lambda t, u: {"action": "notify_people", "people-notified_at": "2026-03-02T08:30",
                      "people-notice": "SMS a cada pessoa"},
        lambda t, u: Breach.objects.get().people_notice == "SMS a cada pessoa",
    ),
    "backoffice:privacy_breach:close": PostRow(
        lambda t: reverse("backoffice:privacy_breach", args=[_breach(t.colleague).pk]),
        {Role.ADMINISTRATOR}, OBJECT,
        lambda t, u: {"action": "close", "closing-note": "Resolvido"},
        lambda t, u: Breach.objects.get().closed_at is not None,
    ),
    "backoffice:phone_line:log_call": PostRow(
        lambda t: reverse("backoffice:phone_line"), CASE_WORKERS, FILTERED,
        lambda t, u: {"number": "+2389912345", "direction": "in", "person": t.person.pk,
                      "case": t.case.reference, "summary": "Ligou a perguntar", "language": "pt"},
        lambda t, u: t.case.interactions.filter(
            channel=Channel.PHONE, body="Ligou a perguntar"
        ).exists(),
    ),
    "backoffice:phone_line:callback_done": PostRow(
        lambda t: reverse("backoffice:phone_line"), CASE_WORKERS, FILTERED,
        lambda t, u: {"action": "callback_done", "callback": t.callback.pk},
        lambda t, u: _fresh(t.callback).done_at is not None,
    ),
    "backoffice:case_new:register": PostRow(
        lambda t: reverse("backoffice:case_new"), CASE_WORKERS, OWN,
        lambda t, u: {"channel": "walk_in", "given_names": "Nova", "sex": "not_stated",
                      "preferred_language": "pt", "consent_service": "on",
                      "subject": "Visita nova", "priority": "2"},
        lambda t, u: Case.objects.filter(subject="Visita nova", unit=u.unit).exists(),
    ),
    "backoffice:canned_answers:save": PostRow(
        lambda t: reverse("backoffice:canned_answers"), STAFF_MANAGERS, OWN,
        lambda t, u: {"title": "Horário", "language": "pt", "body": "Abrimos às 8h."},
        lambda t, u: CannedAnswer.objects.filter(title="Horário").exists(),
    ),
    "backoffice:referral_detail:accept": PostRow(
        _referral_url, REFERRAL_ANSWERERS, OBJECT,
        lambda t, u: {"action": "accept"},
        lambda t, u: _fresh(t.referral).status == ReferralStatus.ACCEPTED,
    ),
    "backoffice:referral_detail:decline": PostRow(
        _referral_url, REFERRAL_ANSWERERS, OBJECT,
        lambda t, u: {"action": "decline", "reason": "Sem vagas"},
        lambda t, u: _fresh(t.referral).status == ReferralStatus.DECLINED,
    ),
    "backoffice:referral_detail:outcome": PostRow(
        lambda t: reverse("backoffice:referral_detail", args=[_accepted(t).pk]),
        REFERRAL_ANSWERERS, OBJECT,
        lambda t, u: {"action": "outcome", "outcome": ReferralOutcome.SERVED, "note": "Feito"},
        lambda t, u: _fresh(t.referral).status == ReferralStatus.COMPLETED,
    ),
    "backoffice:feedback_detail:status": PostRow(
        lambda t: reverse("backoffice:feedback_detail", args=[t.feedback.pk]),
        CONTENT_EDITORS, OWN,
        lambda t, u: {"action": "status", "status": FeedbackStatus.IN_PROGRESS},
        lambda t, u: _fresh(t.feedback).status == FeedbackStatus.IN_PROGRESS,
    ),
    "backoffice:feedback_detail:reply": PostRow(
        lambda t: reverse("backoffice:feedback_detail", args=[t.feedback.pk]),
        CONTENT_EDITORS, OWN,
        lambda t, u: {"reply": "Obrigado, corrigimos."},
        lambda t, u: _fresh(t.feedback).reply == "Obrigado, corrigimos.",
    ),
    "backoffice:content:create": PostRow(
        lambda t: reverse("backoffice:content"), CONTENT_EDITORS, OWN,
        lambda t, u: {"slug": "novo", "kind": "card", "source_language": "pt", "title": "Novo"},
        lambda t, u: ContentItem.objects.filter(slug="novo").exists(),
    ),
    "backoffice:content_text:save": PostRow(
        lambda t: reverse("backoffice:content_text", args=[t.item.slug, "fr"]),
        CONTENT_EDITORS, OWN,
        lambda t, u: {"action": "save", "version": "0", "title": "Carte", "body": "Texte"},
        lambda t, u: t.item.translations.filter(language="fr", title="Carte").exists(),
    ),
    "backoffice:content_text:submit": PostRow(
        lambda t: reverse("backoffice:content_text", args=[t.item.slug, "pt"]),
        CONTENT_EDITORS, OWN,
        lambda t, u: {"action": "submit", "version": "1"},
        lambda t, u: t.item.translations.get(language="pt").status
        == TranslationStatus.IN_REVIEW,
    ),
    "backoffice:content_text:publish": PostRow(
        lambda t: reverse("backoffice:content_text", args=[t.item_in_review.slug, "pt"]),
        CONTENT_EDITORS, OWN,
        lambda t, u: {"action": "publish", "version": "1"},
        lambda t, u: t.item_in_review.translations.get(language="pt").status
        == TranslationStatus.PUBLISHED,
    ),
    "backoffice:content_text:settings": PostRow(
        lambda t: reverse("backoffice:content_text", args=[t.item.slug, "pt"]),
        CONTENT_EDITORS, OWN,
        lambda t, u: {"action": "settings", "audience": "Recém-chegados"},
        lambda t, u: _fresh(t.item).audience == "Recém-chegados",
    ),
    "backoffice:content_text:review": PostRow(
        lambda t: reverse("backoffice:content_text", args=[t.item.slug, "pt"]),
        CONTENT_EDITORS, OWN,
        lambda t, u: {"action": "review", "review_by": "2026-09-01"},
        lambda t, u: _fresh(t.item).last_reviewed_on == AT.date(),
    ),
    "backoffice:content_text:review_date": PostRow(
        lambda t: reverse("backoffice:content_text", args=[t.item.slug, "pt"]),
        CONTENT_EDITORS, OWN,
        lambda t, u: {"action": "review_date", "review_by": "2026-09-01"},
        lambda t, u: _fresh(t.item).review_by == date(2026, 9, 1),
    ),
    "backoffice:content_text:attach": PostRow(
        lambda t: reverse("backoffice:content_text", args=[t.item.slug, "pt"]),
        CONTENT_EDITORS, OWN,
        lambda t, u: {"action": "attach", "title": "Folheto",
                      "upload": SimpleUploadedFile("f.pdf", b"%PDF-1.4 f", "application/pdf")},
        lambda t, u: t.item.attachments.filter(title="Folheto").exists(),
    ),
    "backoffice:content_text:publish_file": PostRow(
        lambda t: reverse("backoffice:content_text", args=[t.item.slug, "pt"]),
        CONTENT_EDITORS, OWN,
        lambda t, u: {"action": "publish_file", "attachment": t.draft_file.pk},
        lambda t, u: _fresh(t.draft_file).published_by == u,
    ),
    "backoffice:content_text:replace_file": PostRow(
        lambda t: reverse("backoffice:content_text", args=[t.item.slug, "pt"]),
        CONTENT_EDITORS, OWN,
        lambda t, u: {"action": "replace_file", "attachment": t.published_file.pk,
                      "upload": SimpleUploadedFile("n.pdf", b"%PDF-1.4 n", "application/pdf")},
        lambda t, u: t.published_file.replacements.filter(uploaded_by=u).exists(),
    ),
    "backoffice:directory_new:create": PostRow(
        lambda t: reverse("backoffice:directory_new"), DIRECTORY_EDITORS, FILTERED,
        lambda t, u: PLACE | {"service_name": "Apoio novo", "unit": t.unit.pk},
        lambda t, u: Service.objects.filter(name="Apoio novo", unit=t.unit).exists(),
    ),
    "backoffice:directory_service:save": PostRow(
        _service_url, DIRECTORY_USERS, OBJECT,
        lambda t, u: {"action": "save", "name": "Atendimento geral", "status": "active"},
        # An editor changes the entry; a partner proposes the change.
        lambda t, u: _fresh(t.service).name == "Atendimento geral"
        if Role.PARTNER_USER not in u.roles
        else t.service.proposals.filter(changes__name="Atendimento geral").exists(),
    ),
    "backoffice:directory_service:verify": PostRow(
        _service_url, DIRECTORY_USERS, OBJECT,
        lambda t, u: {"action": "verify"},
        lambda t, u: _fresh(t.service).last_verified is not None,
        refused=frozenset({Role.PARTNER_USER}),
    ),
    "backoffice:directory_service:hours": PostRow(
        _service_url, DIRECTORY_USERS, OBJECT,
        lambda t, u: {"action": "hours", "valid_from": "2030-01-07",
                      "MO_0_opens": "09:00", "MO_0_closes": "13:00"},
        lambda t, u: Schedule.objects.filter(valid_from=date(2030, 1, 7)).exists(),
        refused=frozenset({Role.PARTNER_USER}),
    ),
    "backoffice:directory_service:closure": PostRow(
        _service_url, DIRECTORY_USERS, OBJECT,
        lambda t, u: {"action": "closure", "starts_at": "2030-01-07T08:00",
                      "ends_at": "2030-01-08T08:00", "reason": "Obras"},
        lambda t, u: Closure.objects.filter(reason="Obras").exists(),
        refused=frozenset({Role.PARTNER_USER}),
    ),
    "backoffice:directory_service:location": PostRow(
        _service_url, DIRECTORY_USERS, OBJECT,
        lambda t, u: PLACE | {"action": "location"},
        lambda t, u: Location.objects.filter(name="Nova sede").exists(),
        refused=frozenset({Role.PARTNER_USER}),
    ),
    "backoffice:directory_service:translation": PostRow(
        _service_url, DIRECTORY_USERS, OBJECT,
        lambda t, u: {"action": "translation", "language": "fr", "name": "Accueil"},
        lambda t, u: t.service.translations.filter(language="fr", name="Accueil").exists(),
        refused=frozenset({Role.PARTNER_USER}),
    ),
    "backoffice:directory_proposal:approve": PostRow(
        _proposal_url, DIRECTORY_EDITORS, OBJECT,
        lambda t, u: {"action": "approve"},
        lambda t, u: _fresh(t.proposal).status == ProposalStatus.APPROVED,
    ),
    "backoffice:directory_proposal:reject": PostRow(
        _proposal_url, DIRECTORY_EDITORS, OBJECT,
        lambda t, u: {"action": "reject", "reason": "Não confere"},
        lambda t, u: _fresh(t.proposal).status == ProposalStatus.REJECTED,
    ),
    "backoffice:staff_create:create": PostRow(
        lambda t: reverse("backoffice:staff_create", args=[t.unit.slug]), STAFF_MANAGERS, OBJECT,
        lambda t, u: {"username": "nova.tecnica", "email": "nova@example.org",
                      "roles": [Role.FRONT_OFFICE_OFFICER]},
        lambda t, u: User.objects.filter(username="nova.tecnica", unit=t.unit).exists(),
    ),
    "backoffice:staff_detail:roles": PostRow(
        _staff_url, STAFF_MANAGERS, OBJECT,
        lambda t, u: {"roles": [Role.FRONT_OFFICE_OFFICER, Role.TRAINER]},
        lambda t, u: t.colleague.role_assignments.filter(role=Role.TRAINER).exists(),
    ),
    "backoffice:staff_detail:disable": PostRow(
        _staff_url, STAFF_MANAGERS, OBJECT,
        lambda t, u: {"action": "disable"},
        lambda t, u: not _fresh(t.colleague).is_active,
    ),
    "backoffice:staff_detail:enable": PostRow(
        lambda t: reverse("backoffice:staff_detail", args=[_disabled(t.colleague).username]),
        STAFF_MANAGERS, OBJECT,
        lambda t, u: {"action": "enable"},
        lambda t, u: _fresh(t.colleague).is_active,
    ),
    # Only an administrator may grant or take away the administrator role (accounts/domain/
    # staff.py): a coordinator who may manage the staff of the administrator's unit must not
    # demote, disable or re-enable that account either.
    "backoffice:staff_detail:roles_of_an_administrator": PostRow(
        lambda t: reverse("backoffice:staff_detail", args=[t.administrator.username]),
        STAFF_MANAGERS, OBJECT,
        lambda t, u: {"roles": [Role.FRONT_OFFICE_OFFICER]},
        lambda t, u: not t.administrator.role_assignments.filter(
            role=Role.ADMINISTRATOR
        ).exists(),
        refused=frozenset({Role.UNIT_COORDINATOR}),
    ),
    "backoffice:staff_detail:disable_an_administrator": PostRow(
        lambda t: reverse("backoffice:staff_detail", args=[t.administrator.username]),
        STAFF_MANAGERS, OBJECT,
        lambda t, u: {"action": "disable"},
        lambda t, u: not _fresh(t.administrator).is_active,
        refused=frozenset({Role.UNIT_COORDINATOR}),
    ),
    "backoffice:staff_detail:enable_an_administrator": PostRow(
        lambda t: reverse("backoffice:staff_detail", args=[_disabled(t.administrator).username]),
        STAFF_MANAGERS, OBJECT,
        lambda t, u: {"action": "enable"},
        lambda t, u: _fresh(t.administrator).is_active,
        refused=frozenset({Role.UNIT_COORDINATOR}),
    ),
    "accounts:recovery_codes:renew": PostRow(
        lambda t: reverse("accounts:recovery_codes"), ALL, OWN,
        lambda t, u: {"password": PASSWORD},
        lambda t, u: AuditEntry.objects.filter(
            action="accounts.recovery_codes.renewed", actor=u
        ).exists(),
        status=200,  # the new codes, shown once
    ),
    "accounts:password_change:change": PostRow(
        lambda t: reverse("accounts:password_change"), ALL, OWN,
        lambda t, u: {"old_password": PASSWORD, "new_password1": NEW_PASSWORD,
                      "new_password2": NEW_PASSWORD},
        lambda t, u: _fresh(u).check_password(NEW_PASSWORD),
    ),
}  # fmt: skip


# --- Appointments and the waiting room -----------------------------------------------------------


def _booking_url(booking: Booking) -> str:
    return reverse("backoffice:appointment_detail", args=[booking.reference])


def _status(booking: Booking) -> str:
    return _fresh(booking).status


def _ticket_status(ticket: Ticket) -> str:
    return _fresh(ticket).status


def _day_of(slot: FreeSlot, sal: ServiceAtLocation) -> str:
    return slot.start.astimezone(ZoneInfo(sal.location.time_zone)).date().isoformat()


def _caller(t: PostTarget, action: str) -> dict:
    """Booking for a caller: the service, the day of its next free time, and that time."""
    slot = next_free_slot(t.desk, timezone.now())
    return {"action": action, "service": t.bookable.pk, "day": _day_of(slot, t.desk),
            "start": slot.start.isoformat(), "name": "Ibrahima Ba", "phone": "+2389900003",
            "email": "", "language": "fr", "notify_by": ""}  # fmt: skip


def _moved(t: PostTarget) -> dict:
    slot = t.move_to()
    t.moved_to = slot.start
    return {"action": "move", "day": _day_of(slot, t.desk), "start": slot.start.isoformat(),
            "reason": "A técnica está doente"}  # fmt: skip


def _someone_waiting(t: PostTarget) -> bool:
    return t.ticket.status == TicketStatus.WAITING


POST_ROWS |= {
    "backoffice:appointment_detail:check_in": PostRow(
        lambda t: _booking_url(t.booking), CASE_WORKERS, OBJECT,
        lambda t, u: {"action": "check_in"},
        lambda t, u: _status(t.booking) == BookingStatus.CHECKED_IN
        and Ticket.objects.filter(booking=t.booking, status=TicketStatus.WAITING).exists(),
    ),
    "backoffice:appointment_detail:no_show": PostRow(
        lambda t: _booking_url(t.begun_booking), CASE_WORKERS, OBJECT,
        lambda t, u: {"action": "no_show"},
        lambda t, u: _status(t.begun_booking) == BookingStatus.NO_SHOW,
    ),
    "backoffice:appointment_detail:cancel": PostRow(
        lambda t: _booking_url(t.booking), CASE_WORKERS, OBJECT,
        lambda t, u: {"action": "cancel", "reason": "O balcão fecha nesse dia"},
        lambda t, u: _status(t.booking) == BookingStatus.CANCELLED
        and t.booking.cancel_reason == "O balcão fecha nesse dia",
    ),
    "backoffice:appointment_detail:move": PostRow(
        lambda t: _booking_url(t.booking), CASE_WORKERS, OBJECT,
        lambda t, u: _moved(t),
        lambda t, u: _fresh(t.booking).starts_at == t.moved_to,
    ),
    "backoffice:appointment_detail:open_case": PostRow(
        lambda t: _booking_url(t.booking), CASE_WORKERS, OBJECT,
        lambda t, u: {"action": "open_case", "subject": "Renovação", "body": "Pede ajuda"},
        lambda t, u: Case.objects.filter(subject="Renovação", unit=t.unit).exists()
        and _fresh(t.booking).case is not None,
    ),
    "backoffice:appointment_detail:join_case": PostRow(
        lambda t: _booking_url(t.her_booking), CASE_WORKERS, OBJECT,
        lambda t, u: {"action": "join_case", "case": t.case.reference},
        lambda t, u: _fresh(t.her_booking).case == t.case,
    ),
    # The caller's service is not among the choices of another unit's officer.
    "backoffice:appointment_new:book": PostRow(
        lambda t: reverse("backoffice:appointment_new"), CASE_WORKERS, FILTERED,
        lambda t, u: _caller(t, "book"),
        lambda t, u: Booking.objects.filter(name="Ibrahima Ba", bookable=t.bookable).exists(),
    ),
    "backoffice:appointment_new:wait": PostRow(
        lambda t: reverse("backoffice:appointment_new"), CASE_WORKERS, FILTERED,
        lambda t, u: _caller(t, "wait"),
        lambda t, u: WaitingListEntry.objects.filter(
            name="Ibrahima Ba", bookable=t.bookable
        ).exists(),
    ),
    # The waiting room: another unit's place or ticket answers 404.
    "backoffice:queue_reception:take": PostRow(
        lambda t: reverse("backoffice:queue_reception"), CASE_WORKERS, OBJECT,
        lambda t, u: {"location": str(t.desk.location_id), "service": str(t.desk.pk),
                      "language": "fr", "priority": "", "phone": "+2389900004",
                      "notify_when_near": "on"},
        lambda t, u: Ticket.objects.filter(
            service_at_location=t.desk, language="fr", notify_when_near=True
        ).exists(),
    ),
    "backoffice:queue_ticket_print:send_link": PostRow(
        lambda t: reverse("backoffice:queue_ticket_print", args=[t.ticket.pk, t.ticket_secret]),
        CASE_WORKERS, OBJECT,
        lambda t, u: {"phone": "+2389900005"},
        lambda t, u: AuditEntry.objects.filter(
            action="appointments.ticket.link_sent", object_id=str(t.ticket.pk), actor=u
        ).exists(),
    ),
    "backoffice:queue_desk:call_next": PostRow(
        lambda t: reverse("backoffice:queue_desk"), CASE_WORKERS, OBJECT,
        lambda t, u: _someone_waiting(t) and t.desk_post("call_next"),
        lambda t, u: (_ticket_status(t.ticket), t.ticket.desk, t.ticket.called_by)
        == (TicketStatus.CALLED, "2", u),
    ),
    "backoffice:queue_desk:recall": PostRow(
        lambda t: reverse("backoffice:queue_desk"), CASE_WORKERS, OBJECT,
        lambda t, u: t.desk_post("recall", t.called_ticket),
        lambda t, u: _fresh(t.called_ticket).call_count == 2,
    ),
    "backoffice:queue_desk:start": PostRow(
        lambda t: reverse("backoffice:queue_desk"), CASE_WORKERS, OBJECT,
        lambda t, u: t.desk_post("start", t.called_ticket),
        lambda t, u: _ticket_status(t.called_ticket) == TicketStatus.SERVING,
    ),
    "backoffice:queue_desk:served": PostRow(
        lambda t: reverse("backoffice:queue_desk"), CASE_WORKERS, OBJECT,
        lambda t, u: t.desk_post("served", t.serving_ticket),
        lambda t, u: _ticket_status(t.serving_ticket) == TicketStatus.SERVED,
    ),
    "backoffice:queue_desk:no_show": PostRow(
        lambda t: reverse("backoffice:queue_desk"), CASE_WORKERS, OBJECT,
        lambda t, u: t.desk_post("no_show", t.called_ticket),
        lambda t, u: _ticket_status(t.called_ticket) == TicketStatus.NO_SHOW,
    ),
    "backoffice:queue_desk:left": PostRow(
        lambda t: reverse("backoffice:queue_desk"), CASE_WORKERS, OBJECT,
        lambda t, u: t.desk_post("left", t.ticket),
        lambda t, u: _ticket_status(t.ticket) == TicketStatus.LEFT,
    ),
    "backoffice:queue_desk:transfer": PostRow(
        lambda t: reverse("backoffice:queue_desk"), CASE_WORKERS, OBJECT,
        lambda t, u: t.desk_post("transfer", t.called_ticket, to=str(t.other_service.pk)),
        lambda t, u: _ticket_status(t.called_ticket) == TicketStatus.TRANSFERRED
        and Ticket.objects.filter(
            transferred_from=t.called_ticket, service_at_location=t.other_service
        ).exists(),
    ),
}  # fmt: skip


# A unit's appointment settings: the coordinators of the unit and the administrators. The page
# takes the unit from its address, or without one from ``?unit=`` (else the user's own).
SETTINGS_ACTIONS: dict[str, tuple[Callable[[PostTarget, User], dict],
                                  Callable[[PostTarget, User], bool]]] = {
    "make_bookable": (
        lambda t, u: {"action": "make_bookable", "service_at_location": t.unbooked_desk.pk,
                      "slot_minutes": "20", "places": "1", "book_ahead_days": "14",
                      "cancel_until_hours": "12", "offer_hold_minutes": "60"},
        lambda t, u: BookableService.objects.filter(
            service_at_location=t.unbooked_desk, slot_minutes=20
        ).exists(),
    ),
    "change_bookable": (
        lambda t, u: {"action": "change_bookable", "service_at_location": t.desk.pk,
                      "slot_minutes": "20", "places": "3", "book_ahead_days": "28",
                      "cancel_until_hours": "24", "offer_hold_minutes": "120", "active": "on"},
        lambda t, u: (_fresh(t.bookable).slot_minutes, t.bookable.places) == (20, 3),
    ),
    "record_absence": (
        lambda t, u: {"action": "record_absence", "staff": t.colleague.pk,
                      "starts_at": "2026-03-10T08:00", "ends_at": "2026-03-10T12:00"},
        lambda t, u: StaffAbsence.objects.filter(staff=t.colleague).exists(),
    ),
    "queue_settings": (
        lambda t, u: {"action": "queue_settings", "location": str(t.desk.location_id),
                      "priority_reasons": ["pregnancy", "age"], "priority_first": "on",
                      "target_minutes": "25", "target_share": "80", "display_language": "fr"},
        lambda t, u: QueueSettings.objects.filter(
            location=t.desk.location, target_minutes=25, display_language="fr"
        ).exists(),
    ),
}  # fmt: skip
SETTINGS_URLS: dict[str, Callable[[PostTarget], str]] = {
    "backoffice:appointment_settings_unit": lambda t: reverse(
        "backoffice:appointment_settings_unit", args=[t.unit.pk]
    ),
    "backoffice:appointment_settings": lambda t: (
        f"{reverse('backoffice:appointment_settings')}?unit={t.unit.pk}"
    ),
}
POST_ROWS |= {
    f"{name}:{action}": PostRow(url, APPOINTMENT_MANAGERS, OBJECT, data, done)
    for name, url in SETTINGS_URLS.items()
    for action, (data, done) in SETTINGS_ACTIONS.items()
}

POST_ROWS |= training_post_rows(PostRow)  # access_matrix_training.py
POST_ROWS |= observatory_post_rows(PostRow)  # access_matrix_observatory.py
POST_ROWS |= localplans_post_rows(PostRow)  # access_matrix_localplans.py
POST_ROWS |= plan_reports_post_rows(PostRow)  # access_matrix_plan_reports.py

# A ticket's page takes a POST only at the receipt's address, with the secret (its row is
# ``queue_ticket_print``'s); without the secret, it answers 404 to whoever may open the page.
POST_ONLY_ELSEWHERE = {"backoffice:queue_ticket": "backoffice:queue_ticket_print"}

ALLOWED, REFUSED = "allowed", "refused"
# Reads are audited too; a refused POST may have read, but must not have written.
READS = ("viewed", "looked_up", "downloaded")
# What a POST may change: every table of the domain apps.
DOMAIN_APPS = (
    "accounts", "people", "cases", "content", "directory", "privacy", "appointments",
    "learning", "localplans",
)  # fmt: skip
# Written by logging in, before the POST.
NOT_COMPARED = {"accounts.staffsession"}


def _post_expected(row: PostRow, role: Role, placement: str) -> int | str:
    if role not in row.allowed:
        return 403
    if placement == OTHER and role is not Role.ADMINISTRATOR:
        if row.scope == OBJECT:
            return 404
        if row.scope == FILTERED:
            return REFUSED
    if role in row.forbidden:
        return 403
    return REFUSED if role in row.refused else ALLOWED


def _problem(response: Any) -> str:
    """What the page said went wrong, to read in a failing test's output."""
    body = response.content.decode(errors="replace")
    return " | ".join(re.findall(r'role="alert"[^>]*>(.*?)</div>', body, re.S))[:800]


@cache
def _table_queries(vendor: str) -> tuple[tuple[str, str], ...]:
    """For each table of the domain apps: every column of its model, row by row in the order
    of the primary key — as SQL, read without the ORM's cost per query."""
    quote = connection.ops.quote_name
    queries = []
    for label in DOMAIN_APPS:
        for model in apps.get_app_config(label).get_models():
            if model._meta.label_lower in NOT_COMPARED:
                continue
            columns = ", ".join(quote(field.column) for field in model._meta.concrete_fields)
            table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
            sql = f"SELECT {columns} FROM {table} ORDER BY {pk}"  # noqa: S608 — model names
            queries.append((model._meta.label_lower, sql))
    return tuple(queries)


def _everything() -> dict[str, list[Any]]:
    """Every row of the domain apps' tables, and every audit entry that is not a read."""
    rows: dict[str, list[Any]] = {}
    with connection.cursor() as cursor:
        for label, sql in _table_queries(connection.vendor):
            cursor.execute(sql)
            rows[label] = cursor.fetchall()
    writes = AuditEntry.objects.exclude(
        reduce(or_, (Q(action__endswith=f".{read}") for read in READS))
    )
    rows["core.auditentry"] = list(writes.order_by("pk").values())
    return rows


def _changes(before: dict[str, list[Any]]) -> list[str]:
    """The tables that changed since ``before``, and the actions audited meanwhile."""
    after = _everything()
    changed = [table for table in after if after[table] != before.get(table)]
    known = {entry["id"] for entry in before["core.auditentry"]}
    audited = [e["action"] for e in after["core.auditentry"] if e["id"] not in known]
    return changed + [f"audited {action}" for action in audited]


@pytest.fixture
def clock():
    """The dates posted (hours and closures from 2030) stay in the future."""
    with time_machine.travel(AT, tick=True):
        yield


@pytest.fixture
def post_target(clock, unit, partner_unit, make_staff, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.ERASURE_JOURNAL = tmp_path / "erasure-journal.jsonl"
    colleague = make_staff(Role.FRONT_OFFICE_OFFICER, unit, username="colleague")
    return PostTarget(unit, partner_unit, colleague)


@dataclass(frozen=True)
class PreparedRow:
    """A row's objects, made once for the row's tests, and its address."""

    target: PostTarget
    url: str
    other_unit: Unit
    media: Path
    """Where the objects' files are (a test works on a copy of them)."""


def _prepare(row: PostRow, media: Path) -> PreparedRow:
    """Praia, Mindelo, a partner's unit, a colleague at Praia, and the objects the row's
    address and form name (made as ``row.url`` and ``row.data`` first ask for them; the form
    itself is filled in again by each test, as its user)."""
    unit, other_unit, partner_unit = _units()
    colleague = StaffFactory(unit=unit, roles=[Role.FRONT_OFFICE_OFFICER], username="colleague")
    target = PostTarget(unit, partner_unit, colleague)
    url = row.url(target)
    row.data(target, colleague)
    return PreparedRow(target, url, other_unit, media)


@pytest.fixture(scope="class")
def prepared(rows_kept, tmp_path_factory, key) -> Iterator[PreparedRow]:
    """The row's objects, made once for all the row's tests (``rows_kept``) at ``AT``: the
    clock runs on from there until the row's last test."""
    media = tmp_path_factory.mktemp("media")
    with (
        time_machine.travel(AT, tick=True),
        rows_kept(lambda: _prepare(POST_ROWS[key], media), MEDIA_ROOT=media) as made,
    ):
        yield made


@pytest.fixture
def objects(prepared, settings, tmp_path) -> PostTarget:
    """This test's own copy of the row's objects, in memory and on disk (its rows are its
    own already: it runs in a savepoint, rolled back at its end)."""
    settings.MEDIA_ROOT = shutil.copytree(prepared.media, tmp_path / "media")
    use_keys(settings, SEED_A)  # completing a course issues its certificate
    settings.ERASURE_JOURNAL = tmp_path / "erasure-journal.jsonl"
    return copy.deepcopy(prepared.target)


def _placement_id(placement: str) -> str:
    return placement.replace(" ", "_")


@pytest.mark.django_db
class TestEveryPost:
    """Every row posted by every role and by an anonymous visitor. The row's objects are made
    once for the row's tests (``prepared``): each test starts from them as they were made."""

    @pytest.mark.parametrize("placement", [SAME, OTHER], ids=_placement_id)
    @pytest.mark.parametrize("role", list(Role), ids=lambda role: role.value)
    @pytest.mark.parametrize("key", POST_ROWS, scope="class")
    def test_role_and_unit_decide_every_post(
        self, client, login_verified, make_staff, prepared, objects, key, role, placement
    ):
        row = POST_ROWS[key]
        user = make_staff(role, objects.unit if placement == SAME else prepared.other_unit)
        login_verified(client, user)
        data = row.data(objects, user)
        before = _everything()

        response = client.post(prepared.url, data)

        expected = _post_expected(row, role, placement)
        if expected == ALLOWED:
            assert response.status_code == row.status, _problem(response)
            assert row.done(objects, user)
        elif expected == REFUSED:
            assert response.status_code in (200, 302)
            assert _changes(before) == []
        else:
            assert response.status_code == expected
            assert _changes(before) == []

    @pytest.mark.parametrize("key", POST_ROWS, scope="class")
    def test_anonymous_post_is_sent_to_log_in_and_changes_nothing(
        self, client, prepared, objects, key
    ):
        row = POST_ROWS[key]
        data = row.data(objects, objects.colleague)
        before = _everything()
        response = client.post(prepared.url, data)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
        assert _changes(before) == []


@pytest.mark.parametrize("role", list(Role))
def test_a_ticket_takes_no_post_without_its_secret(
    client, login_verified, make_staff, post_target, role
):
    login_verified(client, make_staff(role, post_target.unit))
    url = reverse("backoffice:queue_ticket", args=[post_target.ticket.pk])
    before = _everything()
    response = client.post(url, {"phone": "+2389900005"})
    assert response.status_code == (404 if role in CASE_WORKERS else 403)
    assert _changes(before) == []


def _staff_views() -> dict[str, Any]:
    """Every staff URL name → its view (the class for a class-based view)."""
    views: dict[str, Any] = {}

    def walk(patterns: list, namespace: str, prefix: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(
                    pattern.url_patterns, pattern.namespace or namespace,
                    prefix + str(pattern.pattern),
                )  # fmt: skip
            elif (prefix + str(pattern.pattern)).startswith("staff/"):
                callback = pattern.callback
                views[f"{namespace}:{pattern.name}"] = getattr(callback, "view_class", callback)

    walk(get_resolver().url_patterns, "", "")
    return views


def _takes_post(view: Any) -> bool:
    if isinstance(view, type):
        return hasattr(view, "post")
    return "POST" in inspect.getsource(inspect.unwrap(view))


# The actions a page's ``post`` dispatches on, as its source spells them.
_ACTION_LITERALS = re.compile(r"""action(?:"\))?\s*==\s*"(\w+)"|action in [({]([^)}]*)[)}]""")


def _actions_of(view: type) -> set[str]:
    """A page's declared table of actions (``backoffice.page_actions``), and any action
    its source spells out."""
    source = inspect.getsource(view)
    table = getattr(view, "actions", None)
    found: set[str] = set(table.names) if isinstance(table, ActionTable) else set()
    for single, group in _ACTION_LITERALS.findall(source):
        found |= {single} if single else set(re.findall(r'"(\w+)"', group))
    if "action in STEPS" in source:
        found |= set(content_views.STEPS)
    return found


def test_every_view_that_takes_a_post_is_in_the_post_rows():
    posted = {key.rsplit(":", 1)[0] for key in POST_ROWS}
    takes_post = {
        name
        for name, view in _staff_views().items()
        if name not in PUBLIC_STAFF_URLS | {LOGOUT} and _takes_post(view)
    }
    elsewhere = set(POST_ONLY_ELSEWHERE)
    assert takes_post - posted - elsewhere == set(), "staff views taking a POST without a row"
    assert posted - takes_post == set(), "POST rows for views that take no POST"


def test_every_action_a_page_dispatches_on_is_in_the_post_rows():
    for name, view in _staff_views().items():
        if not isinstance(view, type) or not hasattr(view, "post"):
            continue
        rows = {key.rsplit(":", 1)[1] for key in POST_ROWS if key.rsplit(":", 1)[0] == name}
        missing = _actions_of(view) - rows
        assert not missing, f"{name}: actions without a POST row: {sorted(missing)}"
