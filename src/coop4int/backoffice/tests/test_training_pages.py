"""The staff training pages: courses and sessions, deciding applications within the officer's
scope, attendance, assessments, completion and certificates, enrolling a person from their
record, the staff catalogue and one's own training, training records, and the "Training"
section of a person's page."""

import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coop4int.accounts import roles
from coop4int.accounts.enums import Role
from coop4int.accounts.roles import Permission
from coop4int.content.enums import ItemKind
from coop4int.content.models import ContentItem
from coop4int.core.models import AuditEntry
from coop4int.learning.enums import (
    AttendanceStatus,
    Audience,
    EnrolmentChannel,
    EnrolmentStatus,
)
from coop4int.learning.models import Attendance, Certificate, Course, CourseSession, Enrolment
from coop4int.learning.tests.credential_fixtures import SEED_A, issued, use_keys
from coop4int.learning.tests.factories import (
    NOW,
    AssessmentFactory,
    CourseFactory,
    CourseSessionFactory,
    EnrolmentFactory,
    PersonFactory,
    at,
    attended_all,
)
from coop4int.people.models import Person

pytestmark = pytest.mark.django_db

S = EnrolmentStatus


@pytest.fixture(autouse=True)
def keys(settings):
    use_keys(settings, SEED_A)


@pytest.fixture
def clock():
    """The pages ask the clock: Monday 2 March 2026, 09:00 in Praia, until moved."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def coordinator(make_staff, unit):
    return make_staff(Role.UNIT_COORDINATOR, unit, username="coordenadora")


@pytest.fixture
def officer(make_staff, unit):
    return make_staff(Role.FRONT_OFFICE_OFFICER, unit, username="tecnica")


@pytest.fixture
def trainer(make_staff, unit):
    return make_staff(Role.TRAINER, unit, username="formador")


@pytest.fixture
def course(unit):
    return CourseFactory(unit=unit, title="Português para o trabalho")


@pytest.fixture
def session(course, trainer):
    return CourseSessionFactory(course=course, trainer=trainer, capacity=2)


@pytest.fixture
def other_session(other_unit, make_staff):
    return CourseSessionFactory(
        course=CourseFactory(unit=other_unit, title="Curso de Mindelo"),
        trainer=make_staff(Role.TRAINER, other_unit),
    )


@pytest.fixture
def as_user(client, login_verified, clock):
    def log_in(user):
        login_verified(client, user)
        return client

    return log_in


def url(name, *args, **query):
    address = reverse(f"backoffice:{name}", args=args)
    if query:
        address += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return address


# --- Who may open what ---------------------------------------------------------------------------


def test_the_course_list_shows_the_units_courses_to_its_coordinator_only(
    as_user, coordinator, session, other_session
):
    body = as_user(coordinator).get(url("training_courses")).content.decode()

    assert "Português para o trabalho" in body
    assert url("training_course", session.course.pk) in body
    assert "Curso de Mindelo" not in body


@pytest.mark.parametrize("role", [Role.TRAINER, Role.FRONT_OFFICE_OFFICER, Role.ANALYST])
def test_pages_of_courses_refuse_roles_that_do_not_manage_training(
    as_user, make_staff, unit, session, role
):
    client = as_user(make_staff(role, unit))
    course = session.course

    for address in (
        url("training_courses"),
        url("training_course_new"),
        url("training_course", course.pk),
        url("training_session_new", course.pk),
    ):
        assert client.get(address).status_code == 403, address
    assert client.post(url("training_course_new"), {"slug": "x"}).status_code == 403
    assert client.post(url("training_course", course.pk), {"action": "settings"}).status_code == 403
    assert client.post(url("training_session_new", course.pk), {}).status_code == 403


def test_another_units_course_session_and_enrolment_answer_404_to_gets_and_posts(
    as_user, coordinator, other_session
):
    client = as_user(coordinator)
    enrolment = EnrolmentFactory(session=other_session, applied=True)
    course = other_session.course

    for address in (
        url("training_course", course.pk),
        url("training_session_new", course.pk),
        url("training_session", other_session.pk),
        url("training_attendance", other_session.pk, other_session.days.first().pk),
        url("training_enrolment", enrolment.pk),
    ):
        assert client.get(address).status_code == 404, address
    posts = [
        (url("training_course", course.pk), {"action": "settings", "hours": "99"}),
        (url("training_session", other_session.pk), {"action": "cancel", "confirm": "on"}),
        (
            url("training_session", other_session.pk),
            {"action": "decide", "enrolment": enrolment.pk, "decision": "decline"},
        ),
        (url("training_enrolment", enrolment.pk), {"action": "decide", "decision": "decline"}),
    ]
    for address, data in posts:
        assert client.post(address, data).status_code == 404, address
    other_session.refresh_from_db()
    enrolment.refresh_from_db()
    assert other_session.cancelled_at is None
    assert enrolment.status == S.APPLIED


def test_a_trainer_opens_the_sessions_they_teach_but_not_anothers(
    as_user, trainer, unit, make_staff, session
):
    someone_elses = CourseSessionFactory(
        course=session.course, trainer=make_staff(Role.TRAINER, unit)
    )
    client = as_user(trainer)

    mine = client.get(url("training_my_sessions")).content.decode()

    assert url("training_session", session.pk) in mine
    assert url("training_session", someone_elses.pk) not in mine
    assert client.get(url("training_session", session.pk)).status_code == 200
    assert client.get(url("training_session", someone_elses.pk)).status_code == 404
    day = someone_elses.days.first()
    assert client.get(url("training_attendance", someone_elses.pk, day.pk)).status_code == 404


def test_a_trainer_may_not_decide_applications_nor_change_the_session(as_user, trainer, session):
    enrolment = EnrolmentFactory(session=session, applied=True)
    waiting = EnrolmentFactory(session=session, status=S.WAITING)
    client = as_user(trainer)

    decided = client.post(
        url("training_session", session.pk),
        {"action": "decide", "enrolment": waiting.pk, "decision": "accept"},
    )
    cancelled = client.post(
        url("training_session", session.pk), {"action": "cancel", "confirm": "on"}
    )
    on_its_page = client.post(
        url("training_enrolment", enrolment.pk), {"action": "decide", "decision": "decline"}
    )

    assert (decided.status_code, cancelled.status_code, on_its_page.status_code) == (403,) * 3
    waiting.refresh_from_db()
    enrolment.refresh_from_db()
    session.refresh_from_db()
    assert waiting.status == S.WAITING
    assert enrolment.status == S.APPLIED
    assert session.cancelled_at is None


def test_staff_pages_of_ones_own_training_are_open_to_every_role(as_user, make_staff, unit):
    client = as_user(make_staff(Role.PARTNER_USER, unit))

    assert client.get(url("training_mine")).status_code == 200
    assert client.get(url("training_catalogue")).status_code == 200
    assert client.get(url("training_my_sessions")).status_code == 403


# --- Courses and sessions ------------------------------------------------------------------------


def test_creating_a_course_creates_its_description_and_links_to_translate_it(
    as_user, make_staff, unit
):
    admin = make_staff(Role.ADMINISTRATOR, unit)
    client = as_user(admin)

    response = client.post(
        url("training_course_new"),
        {
            "slug": "acolher-migrantes",
            "unit": unit.slug,
            "source_language": "pt",
            "title": "Acolher migrantes: direitos e serviços",
            "summary": "Para técnicos.",
            "body": "## Objetivos",
            "audiences": [Audience.STAFF, Audience.CIVIL_SOCIETY],
            "languages": ["pt", "kea"],
            "mode": "in_person",
            "hours": "6",
            "min_attendance_percent": "80",
            "assessment_required": "on",
            "certificate": "on",
        },
    )

    course = Course.objects.get(slug="acolher-migrantes")
    assert response.status_code == 302
    assert response["Location"] == url("training_course", course.pk)
    assert course.description.kind == ItemKind.COURSE
    assert course.audiences == [Audience.STAFF, Audience.CIVIL_SOCIETY]
    page = client.get(response["Location"]).content.decode()
    assert reverse("backoffice:content_text", args=["acolher-migrantes", "pt"]) in page
    assert "Acolher migrantes: direitos e serviços" in page


def test_a_new_course_with_problems_keeps_what_was_typed(as_user, coordinator, course):
    client = as_user(coordinator)

    response = client.post(
        url("training_course_new"),
        {
            "slug": course.slug,  # already used
            "unit": coordinator.unit.slug,
            "source_language": "pt",
            "title": "Um título escrito",
            "audiences": [Audience.IMMIGRANTS],
            "languages": ["pt"],
            "mode": "in_person",
            "hours": "10",
            "min_attendance_percent": "80",
        },
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert 'value="Um título escrito"' in body
    assert Course.objects.count() == 1
    assert not ContentItem.objects.filter(translations__title="Um título escrito").exists()


def test_a_coordinator_saves_a_courses_criteria(as_user, coordinator, course):
    client = as_user(coordinator)

    response = client.post(
        url("training_course", course.pk),
        {
            "action": "settings",
            "audiences": [Audience.IMMIGRANTS],
            "languages": ["pt", "fr"],
            "mode": "in_person",
            "hours": "20",
            "min_attendance_percent": "75",
            "certificate": "on",
            "certificate_valid_months": "24",
            "published": "on",
        },
    )

    course.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"].endswith("#settings")
    assert (course.min_attendance_percent, course.assessment_required) == (75, False)
    assert course.certificate_valid_months == 24
    assert course.languages == ["pt", "fr"]


def _days(*rows):
    data = {"days-TOTAL_FORMS": str(len(rows)), "days-INITIAL_FORMS": "0"}
    for index, (day, starts, ends) in enumerate(rows):
        data |= {
            f"days-{index}-day": day,
            f"days-{index}-starts": starts,
            f"days-{index}-ends": ends,
        }
    return data


def test_a_coordinator_adds_a_session_with_its_days(as_user, coordinator, course, trainer):
    location = CourseSessionFactory(course=course).location
    client = as_user(coordinator)

    response = client.post(
        url("training_session_new", course.pk),
        {
            "language": "pt",
            "capacity": "12",
            "location": str(location.pk),
            "trainer": str(trainer.pk),
        }
        | _days(("2026-04-06", "09:00", "12:00"), ("2026-04-07", "09:00", "12:00"), ("", "", "")),
    )

    session = CourseSession.objects.exclude(pk__in=[location.course_sessions.first().pk]).get()
    assert response.status_code == 302
    assert response["Location"] == url("training_session", session.pk)
    assert [day.starts_at for day in session.days.all()] == [at(6, 9, month=4), at(7, 9, month=4)]
    assert (session.capacity, session.trainer) == (12, trainer)


def test_a_session_day_that_ends_before_it_starts_is_shown_again(as_user, coordinator, course):
    location = CourseSessionFactory(course=course).location
    client = as_user(coordinator)

    response = client.post(
        url("training_session_new", course.pk),
        {"language": "pt", "capacity": "12", "location": str(location.pk)}
        | _days(("2026-04-06", "12:00", "09:00")),
    )

    assert response.status_code == 200
    assert 'value="2026-04-06"' in response.content.decode()
    assert CourseSession.objects.count() == 1


def test_a_coordinator_cancels_a_session(as_user, coordinator, session):
    response = as_user(coordinator).post(
        url("training_session", session.pk), {"action": "cancel", "confirm": "on"}
    )

    session.refresh_from_db()
    assert response.status_code == 302
    assert session.cancelled_at == NOW


def test_the_session_page_sorts_enrolments_and_counts_places_left(as_user, coordinator, session):
    applied = EnrolmentFactory(session=session, applied=True, name="Aminata Diallo")
    accepted = EnrolmentFactory(session=session)
    waiting = EnrolmentFactory(session=session, status=S.WAITING)

    body = as_user(coordinator).get(url("training_session", session.pk)).content.decode()

    applications = body.split('id="applied"')[1].split("</ul>")[0]
    waiting_list = body.split('id="waiting"')[1].split("</ul>")[0]
    participants = body.split('id="accepted"')[1].split("</ul>")[0]
    assert "Aminata Diallo" in applications
    assert url("training_enrolment", applied.pk) + "#decision" in applications
    assert waiting.name in waiting_list
    assert accepted.name in participants
    assert 'id="places-left"' in body


def test_accepting_someone_waiting_from_the_session_page(as_user, coordinator, session):
    waiting = EnrolmentFactory(session=session, status=S.WAITING)

    response = as_user(coordinator).post(
        url("training_session", session.pk),
        {"action": "decide", "enrolment": waiting.pk, "decision": "accept"},
    )

    waiting.refresh_from_db()
    assert response["Location"].endswith("#applications")
    assert waiting.status == S.ACCEPTED


def test_a_public_application_is_not_accepted_by_the_session_pages_button(
    as_user, coordinator, session
):
    applied = EnrolmentFactory(session=session, applied=True)

    as_user(coordinator).post(
        url("training_session", session.pk),
        {"action": "decide", "enrolment": applied.pk, "decision": "accept"},
    )

    applied.refresh_from_db()
    assert (applied.status, applied.person) == (S.APPLIED, None)


# --- Deciding a public application ------------------------------------------------------------


@pytest.fixture
def application(session):
    return EnrolmentFactory(
        session=session, applied=True, name="Aminata Diallo", phone="+2389912345"
    )


def test_deciding_lists_only_the_records_in_scope_with_the_applicants_contact(
    as_user, coordinator, unit, other_unit, application
):
    mine = PersonFactory(unit=unit, given_names="Aminata", phones=["+2389912345"])
    elsewhere = PersonFactory(unit=other_unit, given_names="Outra", phones=["+2389912345"])

    body = as_user(coordinator).get(url("training_enrolment", application.pk)).content.decode()

    assert f'value="{mine.pk}"' in body
    assert str(elsewhere.pk) not in body
    assert "Outra" not in body
    assert 'id="elsewhere"' in body
    lookup = AuditEntry.objects.get(action="people.duplicates.looked_up")
    assert lookup.data["matches"] == 1
    assert "+2389912345" not in str(lookup.data)


def test_accepting_links_the_record_the_officer_confirms(as_user, coordinator, unit, application):
    mine = PersonFactory(unit=unit, phones=["+2389912345"])

    response = as_user(coordinator).post(
        url("training_enrolment", application.pk),
        {"action": "decide", "decision": "accept", "who": str(mine.pk), "sex": "female",
         "preferred_language": "fr"},
    )  # fmt: skip

    application.refresh_from_db()
    assert response.status_code == 302
    assert (application.status, application.person) == (S.ACCEPTED, mine)


def test_accepting_never_links_a_record_out_of_scope(as_user, coordinator, other_unit, application):
    elsewhere = PersonFactory(unit=other_unit, phones=["+2389912345"])

    response = as_user(coordinator).post(
        url("training_enrolment", application.pk),
        {"action": "decide", "decision": "accept", "who": str(elsewhere.pk), "sex": "female",
         "preferred_language": "fr"},
    )  # fmt: skip

    application.refresh_from_db()
    assert response.status_code == 200  # shown again: not one of the records offered
    assert (application.status, application.person) == (S.APPLIED, None)


def test_accepting_without_confirming_a_record_links_none(as_user, coordinator, unit, application):
    PersonFactory(unit=unit, phones=["+2389912345"])

    response = as_user(coordinator).post(
        url("training_enrolment", application.pk),
        {"action": "decide", "decision": "accept", "sex": "female", "preferred_language": "fr"},
    )

    application.refresh_from_db()
    assert response.status_code == 200
    assert (application.status, application.person) == (S.APPLIED, None)


def test_accepting_may_register_a_new_record_with_the_applicants_contact(
    as_user, coordinator, unit, application
):
    response = as_user(coordinator).post(
        url("training_enrolment", application.pk),
        {"action": "decide", "decision": "accept", "who": "new", "given_names": "Aminata",
         "family_names": "Diallo", "sex": "female", "nationality": "sn",
         "preferred_language": "fr"},
    )  # fmt: skip

    application.refresh_from_db()
    person = Person.objects.get(given_names="Aminata")
    assert response.status_code == 302
    assert application.person == person
    assert application.status == S.ACCEPTED
    assert person.unit == unit
    assert list(person.contacts.values_list("value", flat=True)) == ["+2389912345"]


def test_declining_needs_no_record(as_user, coordinator, application):
    as_user(coordinator).post(
        url("training_enrolment", application.pk), {"action": "decide", "decision": "decline"}
    )

    application.refresh_from_db()
    assert (application.status, application.person) == (S.DECLINED, None)


# --- Attendance, assessment, completion, certificate ---------------------------------------------


def test_the_trainer_takes_attendance_on_the_first_day(as_user, trainer, session, clock):
    ana, rui = EnrolmentFactory(session=session), EnrolmentFactory(session=session)
    EnrolmentFactory(session=session, applied=True, name="Ainda Por Decidir")
    day = session.days.first()
    clock.move_to(at(9, 10))
    client = as_user(trainer)

    page = client.get(url("training_attendance", session.pk, day.pk)).content.decode()
    response = client.post(
        url("training_attendance", session.pk, day.pk),
        {f"mark-{ana.pk}": AttendanceStatus.PRESENT, f"mark-{rui.pk}": AttendanceStatus.EXCUSED},
    )

    assert "Ainda Por Decidir" not in page
    assert f'name="mark-{ana.pk}"' in page
    assert response.status_code == 302
    assert response["Location"] == url("training_attendance", session.pk, day.pk)
    assert dict(Attendance.objects.values_list("enrolment_id", "status")) == {
        ana.pk: AttendanceStatus.PRESENT,
        rui.pk: AttendanceStatus.EXCUSED,
    }
    again = client.get(response["Location"]).content.decode()
    assert re.search(rf'name="mark-{rui.pk}" value="excused"[^>]*checked', again)


def test_attendance_before_the_day_has_begun_is_refused_and_kept(as_user, trainer, session):
    ana = EnrolmentFactory(session=session)
    day = session.days.first()

    response = as_user(trainer).post(
        url("training_attendance", session.pk, day.pk), {f"mark-{ana.pk}": "present"}
    )

    assert response.status_code == 200
    assert not Attendance.objects.exists()


def test_another_trainer_cannot_post_attendance(as_user, make_staff, unit, session, clock):
    ana = EnrolmentFactory(session=session)
    day = session.days.first()
    clock.move_to(at(9, 10))

    response = as_user(make_staff(Role.TRAINER, unit)).post(
        url("training_attendance", session.pk, day.pk), {f"mark-{ana.pk}": "present"}
    )

    assert response.status_code == 404
    assert not Attendance.objects.exists()


def test_completion_needs_the_criteria_and_says_which_are_unmet(as_user, trainer, session, clock):
    enrolment = EnrolmentFactory(session=session)
    clock.move_to(at(11, 13))
    client = as_user(trainer)

    response = client.post(url("training_enrolment", enrolment.pk), {"action": "complete"})
    page = client.get(response["Location"]).content.decode()

    enrolment.refresh_from_db()
    assert enrolment.status == S.ACCEPTED
    assert response["Location"].endswith("#outcome")
    assert 'id="outcome-said"' in page
    assert not Certificate.objects.exists()


def test_completion_issues_a_certificate_with_its_pdf_and_address(as_user, trainer, session, clock):
    enrolment = EnrolmentFactory(session=session)
    attended_all(enrolment)
    clock.move_to(at(11, 13))
    client = as_user(trainer)

    assessed = client.post(
        url("training_enrolment", enrolment.pk), {"action": "assess", "result": "passed"}
    )
    completed = client.post(url("training_enrolment", enrolment.pk), {"action": "complete"})

    enrolment.refresh_from_db()
    certificate = Certificate.objects.get(enrolment=enrolment)
    assert assessed.status_code == completed.status_code == 302
    assert enrolment.status == S.COMPLETED
    page = client.get(url("training_enrolment", enrolment.pk)).content.decode()
    assert certificate.pk in page
    assert f"/verify/{certificate.pk}/" in page
    pdf = client.get(url("training_certificate_pdf", enrolment.pk))
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_a_trainer_may_not_revoke_but_a_coordinator_may(
    as_user, trainer, coordinator, session, clock
):
    certificate = issued(session=session)
    enrolment = certificate.enrolment
    refused = as_user(trainer).post(
        url("training_enrolment", enrolment.pk), {"action": "revoke", "reason": "fraud"}
    )
    certificate.refresh_from_db()
    assert refused.status_code == 403
    assert certificate.revoked_at is None

    revoked = as_user(coordinator).post(
        url("training_enrolment", enrolment.pk),
        {"action": "revoke", "reason": "issued_in_error", "note": "Nome errado"},
    )

    certificate.refresh_from_db()
    assert revoked.status_code == 302
    assert (certificate.revoked_at, certificate.revocation_reason) == (NOW, "issued_in_error")
    assert (
        as_user(coordinator).get(url("training_certificate_pdf", enrolment.pk)).status_code == 404
    )


def test_revoking_needs_a_reason(as_user, coordinator, session):
    certificate = issued(session=session)

    response = as_user(coordinator).post(
        url("training_enrolment", certificate.enrolment.pk), {"action": "revoke", "reason": ""}
    )

    certificate.refresh_from_db()
    assert response.status_code == 200
    assert certificate.revoked_at is None


def test_assessment_and_outcome_are_refused_to_another_units_coordinator(
    as_user, make_staff, other_unit, session
):
    enrolment = EnrolmentFactory(session=session)
    AssessmentFactory(enrolment=enrolment)
    client = as_user(make_staff(Role.UNIT_COORDINATOR, other_unit))

    for action in ({"action": "assess", "result": "failed"}, {"action": "complete"}):
        assert client.post(url("training_enrolment", enrolment.pk), action).status_code == 404
    assert enrolment.assessments.count() == 1


# --- Enrolling a person from their record ---------------------------------------------------


def test_the_person_page_lists_enrolments_and_certificates_and_offers_to_enrol(
    as_user, officer, unit, session
):
    person = PersonFactory(unit=unit)
    certificate = issued(session=session, person=person)
    client = as_user(officer)

    body = client.get(reverse("backoffice:person_detail", args=[person.pk])).content.decode()

    section = body.split('id="training"')[1]
    assert "Português para o trabalho" in section
    assert f"/verify/{certificate.pk}/" in section
    assert f"{url('training_enrol_person')}?person={person.pk}" in section


def test_the_training_section_reads_as_many_queries_for_one_enrolment_as_for_four(
    as_user, officer, unit, course
):
    person = PersonFactory(unit=unit)
    issued(session=CourseSessionFactory(course=course), person=person)
    client = as_user(officer)
    page = reverse("backoffice:person_detail", args=[person.pk])
    client.get(page)  # the session's first request warms its caches
    with CaptureQueriesContext(connection) as one:
        client.get(page)
    for _n in range(3):
        issued(session=CourseSessionFactory(course=course), person=person)

    with CaptureQueriesContext(connection) as four:
        body = client.get(page).content.decode()

    assert body.count("/verify/") == 4
    assert len(four) == len(one)


def test_a_coordinator_opens_the_enrolment_from_the_person_page(
    as_user, coordinator, unit, session
):
    person = PersonFactory(unit=unit)
    enrolment = EnrolmentFactory(session=session, person=person)

    body = as_user(coordinator).get(reverse("backoffice:person_detail", args=[person.pk]))

    assert url("training_enrolment", enrolment.pk) in body.content.decode()


def test_the_person_page_offers_no_enrolment_without_the_permission(
    as_user, make_staff, unit, session, monkeypatch
):
    person = PersonFactory(unit=unit)
    # Every role that works cases may enrol people: an officer without it, for this test.
    officer_permissions = roles.ROLE_PERMISSIONS[Role.FRONT_OFFICE_OFFICER]
    monkeypatch.setitem(
        roles.ROLE_PERMISSIONS,
        Role.FRONT_OFFICE_OFFICER,
        officer_permissions - {Permission.ENROL_PEOPLE},
    )
    client = as_user(make_staff(Role.FRONT_OFFICE_OFFICER, unit))

    body = client.get(reverse("backoffice:person_detail", args=[person.pk])).content.decode()
    refused = client.get(url("training_enrol_person", person=person.pk))

    assert 'id="training"' in body
    assert url("training_enrol_person") not in body
    assert refused.status_code == 403


def test_an_officer_enrols_a_person_in_an_open_session(as_user, officer, unit, session):
    person = PersonFactory(unit=unit, preferred_language="fr")
    client = as_user(officer)

    page = client.get(url("training_enrol_person", person=person.pk)).content.decode()
    response = client.post(
        url("training_enrol_person", person=person.pk),
        {"session": str(session.pk), "language": "fr"},
    )

    enrolment = Enrolment.objects.get(person=person)
    assert f'value="{session.pk}"' in page
    assert response.status_code == 302
    assert (
        response["Location"] == reverse("backoffice:person_detail", args=[person.pk]) + "#training"
    )
    assert (enrolment.status, enrolment.channel, enrolment.language) == (
        S.ACCEPTED,
        EnrolmentChannel.OFFICER,
        "fr",
    )


def test_an_officer_cannot_enrol_a_person_of_another_unit(as_user, officer, other_unit, session):
    stranger = PersonFactory(unit=other_unit)
    client = as_user(officer)

    assert client.get(url("training_enrol_person", person=stranger.pk)).status_code == 404
    response = client.post(
        url("training_enrol_person", person=stranger.pk),
        {"session": str(session.pk), "language": "pt"},
    )

    assert response.status_code == 404
    assert not Enrolment.objects.filter(person=stranger).exists()


# --- Staff: the catalogue, my training, records ----------------------------------------------


@pytest.fixture
def staff_session(unit):
    return CourseSessionFactory(
        course=CourseFactory(
            unit=unit, title="Acolher migrantes", audiences=[Audience.STAFF, Audience.CIVIL_SOCIETY]
        )
    )


def test_a_partner_enrols_themselves_and_sees_it_in_their_training(
    as_user, make_staff, partner_unit, staff_session, session
):
    partner = make_staff(Role.PARTNER_USER, partner_unit)
    client = as_user(partner)

    catalogue = client.get(url("training_catalogue")).content.decode()
    response = client.post(
        url("training_catalogue"),
        {"session": str(staff_session.pk), "sex": "", "nationality": "cv"},
    )

    enrolment = Enrolment.objects.get(staff=partner)
    assert "Acolher migrantes" in catalogue
    assert f'id="session-{session.pk}"' not in catalogue  # a course for immigrants
    assert response["Location"] == url("training_mine")
    assert (enrolment.status, enrolment.nationality) == (S.ACCEPTED, "CV")
    mine = client.get(url("training_mine")).content.decode()
    assert f'id="record-{enrolment.pk}"' in mine


def test_self_enrolment_in_a_course_for_immigrants_is_refused(as_user, make_staff, unit, session):
    client = as_user(make_staff(Role.FRONT_OFFICE_OFFICER, unit))

    response = client.post(url("training_catalogue"), {"session": str(session.pk)})

    assert response.status_code == 200
    assert 'id="form-errors"' in response.content.decode()
    assert not Enrolment.objects.exists()


def test_my_training_lists_my_certificates_with_their_pdf(as_user, make_staff, unit, staff_session):
    me = make_staff(Role.FRONT_OFFICE_OFFICER, unit)
    certificate = issued(session=staff_session, staff_member=True, staff=me)
    someone_else = issued(session=staff_session, staff_member=True)
    client = as_user(me)

    body = client.get(url("training_mine")).content.decode()

    assert f"/verify/{certificate.pk}/" in body
    assert url("training_certificate_pdf", certificate.enrolment.pk) in body
    assert someone_else.pk not in body
    assert client.get(url("training_certificate_pdf", certificate.enrolment.pk)).status_code == 200
    assert client.get(url("training_certificate_pdf", someone_else.enrolment.pk)).status_code == 404


def test_a_colleagues_record_is_for_who_manages_their_account(
    as_user, coordinator, make_staff, unit, other_unit, staff_session
):
    colleague = make_staff(Role.FRONT_OFFICE_OFFICER, unit, username="colega")
    stranger = make_staff(Role.FRONT_OFFICE_OFFICER, other_unit, username="estranha")
    enrolment = EnrolmentFactory(session=staff_session, staff_member=True, staff=colleague)
    client = as_user(coordinator)

    body = client.get(url("training_staff_record", "colega")).content.decode()

    assert f'id="record-{enrolment.pk}"' in body
    assert client.get(url("training_staff_record", "estranha")).status_code == 404
    assert stranger.pk
    assert as_user(colleague).get(url("training_staff_record", "colega")).status_code == 403


def test_a_partner_organisations_record_shows_its_staff_in_the_coordinators_courses(
    as_user, coordinator, make_staff, partner_unit, staff_session
):
    partner = make_staff(Role.PARTNER_USER, partner_unit)
    enrolment = EnrolmentFactory(session=staff_session, staff_member=True, staff=partner)
    elsewhere = EnrolmentFactory(
        session=CourseSessionFactory(course=CourseFactory(audiences=[Audience.CIVIL_SOCIETY])),
        staff_member=True,
        staff=partner,
    )

    body = as_user(coordinator).get(url("training_unit_record", partner_unit.slug)).content.decode()

    assert f'id="record-{enrolment.pk}"' in body
    assert f'id="record-{elsewhere.pk}"' not in body
    officer = make_staff(Role.FRONT_OFFICE_OFFICER, coordinator.unit)
    assert as_user(officer).get(url("training_unit_record", partner_unit.slug)).status_code == 403


def test_the_navigation_shows_training_to_those_who_may(as_user, coordinator, trainer, officer):
    managing = as_user(coordinator).get(reverse("backoffice:home")).content.decode()
    teaching = as_user(trainer).get(reverse("backoffice:home")).content.decode()
    working = as_user(officer).get(reverse("backoffice:home")).content.decode()

    def link(name):
        return f'href="{url(name)}"'

    assert link("training_courses") in managing
    assert link("training_my_sessions") in teaching
    assert link("training_courses") not in working
    assert link("training_my_sessions") not in working
    assert all(link("training_mine") in page for page in (managing, teaching, working))
