"""Taking part in a course: public applications that never attach to a record, officers
enrolling people in their scope, staff enrolling themselves, decisions, places held only once
accepted, the waiting list first come first served, and the one status writer."""

import threading
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from coop4int.accounts.enums import Role
from coop4int.core.models import AuditEntry
from coop4int.learning.domain.enrolment import (
    Applicant,
    EnrolmentRefused,
    apply_publicly,
    decide_application,
    enrol_person,
    enrol_self,
    places_left,
    transition_enrolment,
    withdraw,
)
from coop4int.learning.enums import (
    HOLDING,
    TRANSITIONS,
    Audience,
    EnrolmentChannel,
    EnrolmentStatus,
)
from coop4int.learning.models import Enrolment
from coop4int.learning.tests.factories import (
    NOW,
    CourseFactory,
    CourseSessionFactory,
    EnrolmentFactory,
    PersonFactory,
)
from coop4int.learning.tests.gateway import use_fake_gateway
from coop4int.people.domain.people import PersonDetails
from coop4int.people.models import ContactPoint, Person

pytestmark = pytest.mark.django_db

S = EnrolmentStatus


@pytest.fixture(autouse=True)
def gateway(settings, monkeypatch):
    return use_fake_gateway(settings, monkeypatch)


@pytest.fixture
def coordinator(make_staff, unit):
    return make_staff(Role.UNIT_COORDINATOR, unit)


@pytest.fixture
def officer(make_staff, unit):
    return make_staff(Role.FRONT_OFFICE_OFFICER, unit)


@pytest.fixture
def session(unit):
    return CourseSessionFactory(course=CourseFactory(unit=unit), capacity=2)


def applicant(**overrides):
    values = {
        "name": "  Aminata   Diallo ",
        "phone": "991 23 45",
        "language": "fr",
        "notify_by": "sms",
        "motivation": "I want to work.",
        "sex": "female",
        "nationality": "sn",
    }
    return Applicant(**(values | overrides))


def _actions(action):
    return list(AuditEntry.objects.filter(action=action).order_by("pk"))


# --- Public applications ------------------------------------------------------------------------


def test_a_public_application_is_a_claim_that_names_no_record(
    session, unit, django_capture_on_commit_callbacks
):
    # Someone's record has this very phone number: the application still names nobody.
    PersonFactory(unit=unit, phones=["+2389912345"])
    with django_capture_on_commit_callbacks(execute=True):
        enrolment = apply_publicly(session=session, applicant=applicant(), now=NOW)
    enrolment.refresh_from_db()
    assert enrolment.person is None
    assert enrolment.staff is None
    assert enrolment.status == S.APPLIED
    assert enrolment.channel == EnrolmentChannel.PUBLIC_FORM
    assert (enrolment.name, enrolment.phone, enrolment.language) == (
        "Aminata Diallo",
        "+2389912345",
        "fr",
    )
    assert (enrolment.sex, enrolment.nationality) == ("female", "SN")
    (entry,) = _actions("learning.enrolment.applied")
    assert entry.data == {
        "phone": "***2345",
        "email": "",
        "language": "fr",
        "notify_by": "sms",
        "repeat": False,
    }
    assert "Aminata" not in str(entry.data)
    assert "Aminata" not in entry.object_repr
    assert entry.unit == unit
    sent = _actions("learning.message.sent")
    assert [e.data["message"] for e in sent] == ["application_received"]


def test_an_application_holds_no_place(session):
    apply_publicly(session=session, applicant=applicant(), now=NOW)
    apply_publicly(session=session, applicant=applicant(phone="9912346"), now=NOW)
    apply_publicly(session=session, applicant=applicant(phone="9912347"), now=NOW)
    assert places_left(session) == 2


def test_applying_again_with_the_same_contact_adds_nothing(session):
    first = apply_publicly(session=session, applicant=applicant(), now=NOW)
    again = apply_publicly(
        session=session, applicant=applicant(name="Someone else"), now=NOW + timedelta(hours=1)
    )
    assert again.pk == first.pk
    assert Enrolment.objects.count() == 1
    assert [e.data["repeat"] for e in _actions("learning.enrolment.applied")] == [False, True]


@pytest.mark.parametrize(
    ("change", "now"),
    [
        ({"cancelled_at": NOW}, NOW),
        ({"accepts_applications": False}, NOW),
        ({}, NOW + timedelta(days=7, hours=1)),  # the first day has begun
        ({}, NOW + timedelta(days=30)),  # over
    ],
)
def test_a_session_that_takes_no_applications_refuses_them(session, change, now):
    for name, value in change.items():
        setattr(session, name, value)
    session.save()
    with pytest.raises(EnrolmentRefused) as refused:
        apply_publicly(session=session, applicant=applicant(), now=now)
    assert refused.value.code == "closed"
    assert not Enrolment.objects.exists()


def test_a_course_out_of_the_catalogue_takes_no_applications(session):
    session.course.published = False
    session.course.save()
    with pytest.raises(EnrolmentRefused):
        apply_publicly(session=session, applicant=applicant(), now=NOW)


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"name": "  "}, "name"),
        ({"phone": "", "email": ""}, "contact"),
        ({"notify_by": "email"}, "notify_by"),
        ({"notify_by": "pigeon"}, "notify_by"),
        ({"language": "xx"}, "language"),
        ({"sex": "other"}, "sex"),
        ({"nationality": "Senegal"}, "nationality"),
    ],
)
def test_what_an_application_needs(session, overrides, code):
    with pytest.raises(EnrolmentRefused) as refused:
        apply_publicly(session=session, applicant=applicant(**overrides), now=NOW)
    assert refused.value.code == code


def test_a_wrong_phone_number_is_refused(session):
    with pytest.raises(ValidationError):
        apply_publicly(session=session, applicant=applicant(phone="12"), now=NOW)


# --- Officers enrol a person --------------------------------------------------------------------


def test_an_officer_enrols_a_person_of_their_scope(
    officer, unit, session, django_capture_on_commit_callbacks
):
    person = PersonFactory(
        unit=unit,
        given_names="Awa",
        family_names="Sow",
        sex="female",
        nationalities=["gn"],
        preferred_language="fr",
        phones=["+2389900001"],
        emails=["awa@example.org"],
    )
    with django_capture_on_commit_callbacks(execute=True):
        enrolment = enrol_person(actor=officer, session=session, person=person, now=NOW)
    assert enrolment.status == S.ACCEPTED
    assert enrolment.channel == EnrolmentChannel.OFFICER
    assert (enrolment.name, enrolment.phone, enrolment.email) == (
        "Awa Sow",
        "+2389900001",
        "awa@example.org",
    )
    assert (enrolment.language, enrolment.sex, enrolment.nationality) == ("fr", "female", "GN")
    assert enrolment.decided_by == officer
    (entry,) = _actions("learning.enrolment.enrolled")
    assert entry.data == {"channel": "officer", "status": "accepted"}
    assert [e.data["message"] for e in _actions("learning.message.sent")] == ["enrolment_accepted"]


def test_an_officer_cannot_enrol_a_person_outside_their_scope(officer, other_unit, session):
    stranger = PersonFactory(unit=other_unit)
    with pytest.raises(PermissionDenied):
        enrol_person(actor=officer, session=session, person=stranger, now=NOW)
    assert not Enrolment.objects.exists()


def test_enrolling_people_needs_the_permission(make_staff, unit, session):
    trainer = make_staff(Role.TRAINER, unit)
    with pytest.raises(PermissionDenied):
        enrol_person(actor=trainer, session=session, person=PersonFactory(unit=unit), now=NOW)


def test_a_full_session_puts_the_next_person_on_the_waiting_list(officer, unit, session):
    people = [PersonFactory(unit=unit) for _ in range(3)]
    statuses = [
        enrol_person(actor=officer, session=session, person=p, now=NOW).status for p in people
    ]
    assert statuses == [S.ACCEPTED, S.ACCEPTED, S.WAITING]
    assert places_left(session) == 0


def test_a_person_is_enrolled_once_per_session(officer, unit, session):
    person = PersonFactory(unit=unit)
    enrol_person(actor=officer, session=session, person=person, now=NOW)
    with pytest.raises(EnrolmentRefused) as refused:
        enrol_person(actor=officer, session=session, person=person, now=NOW)
    assert refused.value.code == "already"


def test_a_merged_record_is_not_enrolled(officer, unit, session):
    kept = PersonFactory(unit=unit)
    merged = PersonFactory(unit=unit, merged_into=kept)
    with pytest.raises(EnrolmentRefused):
        enrol_person(actor=officer, session=session, person=merged, now=NOW)


def test_no_enrolment_in_a_cancelled_session(officer, unit, session):
    session.cancelled_at = NOW
    session.save()
    with pytest.raises(EnrolmentRefused):
        enrol_person(actor=officer, session=session, person=PersonFactory(unit=unit), now=NOW)


# --- Staff enrol themselves ---------------------------------------------------------------------


@pytest.fixture
def staff_session(unit):
    course = CourseFactory(unit=unit, audiences=[Audience.STAFF, Audience.CIVIL_SOCIETY])
    return CourseSessionFactory(course=course, capacity=1)


def test_staff_enrol_themselves_in_a_course_for_staff(make_staff, other_unit, staff_session):
    member = make_staff(Role.FRONT_OFFICE_OFFICER, other_unit, first_name="Rosa")
    enrolment = enrol_self(actor=member, session=staff_session, now=NOW, sex="female")
    assert enrolment.status == S.ACCEPTED
    assert enrolment.channel == EnrolmentChannel.SELF
    assert enrolment.staff == member
    assert enrolment.person is None
    assert enrolment.email == member.email
    assert enrolment.notify_by == "email"
    assert enrolment.sex == "female"
    (entry,) = _actions("learning.enrolment.enrolled")
    assert entry.data == {"channel": "self", "status": "accepted"}


def test_partner_staff_enrol_themselves_too(make_staff, partner_unit, staff_session):
    partner = make_staff(Role.PARTNER_USER, partner_unit)
    enrol_self(actor=partner, session=staff_session, now=NOW)
    second = make_staff(Role.PARTNER_USER, partner_unit)
    assert enrol_self(actor=second, session=staff_session, now=NOW).status == S.WAITING


def test_staff_do_not_enrol_themselves_in_a_course_for_immigrants(officer, session):
    with pytest.raises(EnrolmentRefused) as refused:
        enrol_self(actor=officer, session=session, now=NOW)
    assert refused.value.code == "audience"


def test_staff_enrol_themselves_once(officer, staff_session):
    enrol_self(actor=officer, session=staff_session, now=NOW)
    with pytest.raises(EnrolmentRefused):
        enrol_self(actor=officer, session=staff_session, now=NOW)


# --- Deciding applications ----------------------------------------------------------------------


@pytest.fixture
def application(session):
    return apply_publicly(
        session=session, applicant=applicant(email="aminata@example.org"), now=NOW
    )


def test_accepting_an_application_needs_a_record(coordinator, application):
    with pytest.raises(EnrolmentRefused) as refused:
        decide_application(actor=coordinator, enrolment=application, decision="accept", now=NOW)
    assert refused.value.code == "person"
    with pytest.raises(EnrolmentRefused):
        decide_application(actor=coordinator, enrolment=application, decision="wait", now=NOW)
    application.refresh_from_db()
    assert application.status == S.APPLIED


def test_accepting_links_the_record_the_officer_confirmed(
    coordinator, unit, application, django_capture_on_commit_callbacks
):
    person = PersonFactory(unit=unit, sex="female", nationalities=["ml"])
    with django_capture_on_commit_callbacks(execute=True):
        accepted = decide_application(
            actor=coordinator, enrolment=application, decision="accept", now=NOW, person=person
        )
    accepted.refresh_from_db()
    assert accepted.status == S.ACCEPTED
    assert accepted.person == person
    assert accepted.nationality == "ML"
    assert accepted.decided_by == coordinator
    (entry,) = _actions("learning.enrolment.status_changed")
    assert entry.data == {
        "from": "applied",
        "to": "accepted",
        "reason": "decision",
        "person_linked": True,
        "registered": False,
    }
    assert "enrolment_accepted" in [e.data["message"] for e in _actions("learning.message.sent")]


def test_a_record_outside_the_deciders_scope_cannot_be_linked(coordinator, other_unit, application):
    with pytest.raises(PermissionDenied):
        decide_application(
            actor=coordinator,
            enrolment=application,
            decision="accept",
            now=NOW,
            person=PersonFactory(unit=other_unit),
        )
    application.refresh_from_db()
    assert application.person is None
    assert application.status == S.APPLIED


def test_accepting_may_register_a_new_record(coordinator, unit, application):
    accepted = decide_application(
        actor=coordinator,
        enrolment=application,
        decision="accept",
        now=NOW,
        register=PersonDetails(given_names="Aminata", family_names="Diallo", sex="female"),
    )
    person = Person.objects.get()
    assert accepted.person == person
    assert person.unit == unit
    assert set(ContactPoint.objects.filter(person=person).values_list("value", flat=True)) == {
        "+2389912345",
        "aminata@example.org",
    }
    assert _actions("learning.enrolment.status_changed")[0].data["registered"] is True


def test_declining_needs_no_record(coordinator, application, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        declined = decide_application(
            actor=coordinator, enrolment=application, decision="decline", now=NOW
        )
    assert declined.status == S.DECLINED
    assert declined.person is None
    assert "enrolment_declined" in [e.data["message"] for e in _actions("learning.message.sent")]
    with pytest.raises(EnrolmentRefused):
        decide_application(actor=coordinator, enrolment=declined, decision="decline", now=NOW)


def test_accepting_needs_a_free_place(coordinator, unit, session, application):
    EnrolmentFactory.create_batch(2, session=session)
    with pytest.raises(EnrolmentRefused) as refused:
        decide_application(
            actor=coordinator,
            enrolment=application,
            decision="accept",
            now=NOW,
            person=PersonFactory(unit=unit),
        )
    assert refused.value.code == "full"
    application.refresh_from_db()
    assert application.person is None


def test_deciding_needs_to_manage_the_course(officer, other_unit, make_staff, application):
    with pytest.raises(PermissionDenied):
        decide_application(actor=officer, enrolment=application, decision="decline", now=NOW)
    elsewhere = make_staff(Role.UNIT_COORDINATOR, other_unit)
    with pytest.raises(PermissionDenied):
        decide_application(actor=elsewhere, enrolment=application, decision="decline", now=NOW)


def test_a_person_already_waiting_cannot_be_linked_again(coordinator, unit, session, application):
    person = PersonFactory(unit=unit)
    EnrolmentFactory(session=session, person=person, status=S.WAITING)
    with pytest.raises(EnrolmentRefused) as refused:
        decide_application(
            actor=coordinator, enrolment=application, decision="wait", now=NOW, person=person
        )
    assert refused.value.code == "already"


# --- Withdrawal and the waiting list ------------------------------------------------------------


def test_a_freed_place_goes_to_the_first_person_waiting(
    coordinator, unit, session, django_capture_on_commit_callbacks
):
    first, _second = EnrolmentFactory.create_batch(2, session=session)
    # Created in the opposite order of their ids: first come is by time, not by number.
    later = EnrolmentFactory(session=session, status=S.WAITING, created_at=NOW + timedelta(hours=2))
    earlier = EnrolmentFactory(
        session=session, status=S.WAITING, created_at=NOW + timedelta(hours=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        withdraw(actor=coordinator, enrolment=first, now=NOW + timedelta(days=1))
    statuses = dict(Enrolment.objects.values_list("pk", "status"))
    assert statuses[first.pk] == S.WITHDRAWN
    assert statuses[earlier.pk] == S.ACCEPTED
    assert statuses[later.pk] == S.WAITING
    changes = [e.data for e in _actions("learning.enrolment.status_changed")]
    assert changes == [
        {"from": "accepted", "to": "withdrawn", "reason": "withdrawn"},
        {"from": "waiting", "to": "accepted", "reason": "place_freed"},
    ]
    told = _actions("learning.message.sent")
    assert [(e.object_id, e.data["message"]) for e in told] == [
        (str(earlier.pk), "enrolment_accepted")
    ]


def test_withdrawing_from_the_waiting_list_frees_nothing(coordinator, session):
    EnrolmentFactory.create_batch(2, session=session)
    waiting, behind = EnrolmentFactory.create_batch(2, session=session, status=S.WAITING)
    withdraw(actor=coordinator, enrolment=waiting, now=NOW)
    behind.refresh_from_db()
    assert behind.status == S.WAITING


def test_staff_withdraw_themselves(officer, staff_session, make_staff, unit):
    own = enrol_self(actor=officer, session=staff_session, now=NOW)
    colleague = make_staff(Role.FRONT_OFFICE_OFFICER, unit)
    with pytest.raises(PermissionDenied):
        withdraw(actor=colleague, enrolment=own, now=NOW)
    assert withdraw(actor=officer, enrolment=own, now=NOW).status == S.WITHDRAWN


def test_an_officer_withdraws_a_person_of_their_scope(officer, make_staff, other_unit, session):
    enrolment = EnrolmentFactory(session=session)
    elsewhere = make_staff(Role.FRONT_OFFICE_OFFICER, other_unit)
    with pytest.raises(PermissionDenied):
        withdraw(actor=elsewhere, enrolment=enrolment, now=NOW)
    assert withdraw(actor=officer, enrolment=enrolment, now=NOW).status == S.WITHDRAWN


def test_a_decided_enrolment_cannot_be_withdrawn(coordinator, session):
    declined = EnrolmentFactory(session=session, status=S.DECLINED)
    with pytest.raises(EnrolmentRefused) as refused:
        withdraw(actor=coordinator, enrolment=declined, now=NOW)
    assert refused.value.code == "transition"


# --- The one status writer ----------------------------------------------------------------------


ALL_PAIRS = [(before, after) for before in S.values for after in S.values]


@pytest.mark.parametrize(("before", "after"), ALL_PAIRS)
def test_only_the_transitions_of_the_table_are_made(session, before, after):
    enrolment = EnrolmentFactory(session=session, status=before)
    allowed = after in TRANSITIONS[before]
    if allowed:
        changed = transition_enrolment(enrolment=enrolment, to=after, actor=None, now=NOW)
        assert changed.status == after
        assert changed.status_changed_at == NOW
        (entry,) = _actions("learning.enrolment.status_changed")
        assert entry.data == {"from": before, "to": after, "reason": ""}
    else:
        with pytest.raises(EnrolmentRefused):
            transition_enrolment(enrolment=enrolment, to=after, actor=None, now=NOW)
        enrolment.refresh_from_db()
        assert enrolment.status == before
        assert not _actions("learning.enrolment.status_changed")


def test_the_writer_never_takes_a_place_the_session_has_not(session):
    EnrolmentFactory(session=session, status=S.COMPLETED)
    EnrolmentFactory(session=session, status=S.NOT_COMPLETED)
    waiting = EnrolmentFactory(session=session, status=S.WAITING)
    with pytest.raises(EnrolmentRefused) as refused:
        transition_enrolment(enrolment=waiting, to=S.ACCEPTED, actor=None, now=NOW)
    assert refused.value.code == "full"


def test_places_left_count_those_holding_one(session):
    assert places_left(session) == 2
    for status in S.values:
        EnrolmentFactory(session=session, status=status)
    assert places_left(session) == 0
    assert session.enrolments.filter(status__in=HOLDING).count() == 3


# --- Two at once for the last place -------------------------------------------------------------

THREADS = 5


@pytest.mark.django_db(transaction=True)
def test_only_one_of_many_simultaneous_enrolments_gets_the_last_place(unit, make_staff):
    officer = make_staff(Role.FRONT_OFFICE_OFFICER, unit)
    session = CourseSessionFactory(course=CourseFactory(unit=unit), capacity=2)
    EnrolmentFactory(session=session)
    people = [PersonFactory(unit=unit) for _ in range(THREADS)]
    barrier = threading.Barrier(THREADS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            outcome = str(
                enrol_person(actor=officer, session=session, person=people[index], now=NOW).status
            )
        except Exception as error:  # any failure must show in the assertion
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
    assert sorted(outcomes) == ["accepted"] + ["waiting"] * (THREADS - 1)
    assert session.enrolments.filter(status__in=HOLDING).count() == 2
