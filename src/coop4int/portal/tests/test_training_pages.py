"""The public training pages: the catalogue and its filters, a course's page with its sessions,
and the application sent without an account — in every interface language, with texts not in
the reader's language marked, robots and floods kept out, and what was typed kept."""

from html import unescape

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from coop4int.directory.tests.factories import OrganizationFactory
from coop4int.directory.tests.places import praia_desk
from coop4int.learning.domain.enrolment import PUBLIC_APPLICATION_LIMIT
from coop4int.learning.enums import Audience, DeliveryMode, EnrolmentChannel, EnrolmentStatus
from coop4int.learning.models import Enrolment
from coop4int.learning.tests.factories import (
    NOW,
    CourseFactory,
    CourseSessionFactory,
    EnrolmentFactory,
    PersonFactory,
    at,
    mornings,
    publish_text,
)
from coop4int.portal.training_views import APPLIED_KEY

pytestmark = pytest.mark.django_db

LANGUAGES = ["pt", "kea", "en", "fr"]
APPLICATION = {
    "name": "Amina Diallo",
    "phone": "991 23 45",
    "email": "",
    "notify_by": "sms",
    "language": "fr",
    "motivation": "Je travaille dans un hôtel à Santa Maria.",
    "sex": "female",
    "nationality": "SN",
}


def _(language: str, message: str) -> str:
    with translation.override(language):
        return translation.gettext(message)


def url(name: str, *args: object, language: str = "en") -> str:
    with translation.override(language):
        return reverse(f"portal:{name}", args=args)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def course():
    return CourseFactory(
        slug="portugues-para-o-trabalho",
        title="Português para o trabalho",
        summary="Falar português no trabalho.",
        description__body="## Objetivos\n\nFalar com clientes e colegas.\n\n<script>x()</script>",
        hours="30.0",
        languages=["pt", "kea"],
    )


@pytest.fixture
def session(course):
    return CourseSessionFactory(course=course, capacity=10)


def _apply(client, course, session, language="en", **changes):
    data = APPLICATION | {"session": str(session.pk)} | changes
    return client.post(url("training_apply", course.slug, language=language), data)


# --- Every page in every language ------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_is_in_the_page_language(client, course, session, language):
    pages = [
        url("training", language=language),
        url("training_course", course.slug, language=language),
        url("training_apply", course.slug, language=language),
        url("training_applied", course.slug, language=language),
    ]
    for address in pages:
        response = client.get(address)
        body = unescape(response.content.decode())
        assert response.status_code == 200, address
        assert f'<html lang="{language}"' in body, address
        # The page around the course speaks the page's language…
        assert _(language, "Information") in body, address
        # …and the course's title is marked with the language it is written in.
        assert 'lang="pt"' in body, address
        assert "Português para o trabalho" in body, address
    form = unescape(client.get(pages[2]).content.decode())
    assert _(language, "Your name") in form
    assert 'name="website"' in form  # the honeypot


def test_the_home_page_links_to_the_catalogue(client):
    body = client.get(url("home")).content.decode()
    assert f'href="{url("training")}"' in body


def test_a_course_not_published_has_no_public_page(client):
    hidden = CourseFactory(published=False)
    CourseSessionFactory(course=hidden)
    assert hidden.slug not in client.get(url("training")).content.decode()
    for name in ("training_course", "training_apply", "training_applied"):
        assert client.get(url(name, hidden.slug)).status_code == 404


# --- The catalogue ---------------------------------------------------------------------------


def test_the_catalogue_shows_each_course_with_its_next_session(client, course, session):
    body = unescape(client.get(url("training")).content.decode())
    assert f'href="{url("training_course", course.slug)}"' in body
    assert "Falar português no trabalho." in body
    assert "Immigrants" in body
    assert "In person" in body
    assert "30" in body  # hours
    assert ">Kabuverdianu</span>" in body
    assert "9–11 Mar 2026" in body
    assert "Praia" in body
    assert "10 places left" in body
    assert "Yes, on completion" in body


def test_the_catalogue_reads_the_same_number_of_queries_for_more_courses(client, session):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url("training")).status_code == 200
        return len(captured)

    few = queries()
    for _number in range(3):
        CourseSessionFactory(capacity=2)
    assert queries() == few


def _titles(client, **query) -> set[str]:
    body = client.get(url("training"), query).content.decode()
    return {title for title in ("Rights", "Língua portuguesa", "Past") if f">{title}</a>" in body}


def test_the_filters_narrow_the_list(client, unit):
    portuguese = CourseFactory(title="Língua portuguesa")
    CourseSessionFactory(course=portuguese)
    rights = CourseFactory(
        title="Rights", audiences=[Audience.STAFF, Audience.CIVIL_SOCIETY], languages=["en"]
    )
    mindelo = praia_desk(unit, municipality="Mindelo", island="São Vicente", subdivision="")
    CourseSessionFactory(course=rights, language="en", location=mindelo.location)
    past = CourseFactory(title="Past")
    CourseSessionFactory(course=past, days=mornings(at(2, 9, month=2), 2))

    assert _titles(client) == {"Língua portuguesa", "Rights"}
    assert _titles(client, audience=Audience.STAFF) == {"Rights"}
    assert _titles(client, audience=Audience.IMMIGRANTS) == {"Língua portuguesa"}
    assert _titles(client, island="São Vicente") == {"Rights"}
    assert _titles(client, taught_in="en") == {"Rights"}
    assert _titles(client, taught_in="pt", island="São Vicente") == set()
    assert _titles(client, when="all") == {"Língua portuguesa", "Rights", "Past"}
    body = client.get(url("training"), {"island": "São Vicente", "taught_in": "pt"})
    assert "No course matches. Try fewer filters." in body.content.decode()
    # The filters offer only what some course has.
    page = client.get(url("training")).content.decode()
    assert '<option value="São Vicente">' in page
    assert '<option value="Santiago">' in page
    assert '<option value="en" lang="en">' in page
    assert '<option value="fr"' not in page


def test_a_title_not_in_the_readers_language_is_marked(client, course, session):
    publish_text(course.description, language="fr", title="Portugais pour le travail")
    english = unescape(client.get(url("training", language="en")).content.decode())
    with translation.override("en"):
        mark = translation.gettext("Shown in %(language)s: not yet available in your language.") % {
            "language": "Português"
        }
    assert mark in english
    assert 'lang="pt" dir="ltr">Português para o trabalho</a>' in english
    french = unescape(client.get(url("training", language="fr")).content.decode())
    assert 'lang="fr" dir="ltr">Portugais pour le travail</a>' in french
    assert "Affiché en" not in french


# --- A course's page -------------------------------------------------------------------------


def test_the_course_page_tells_what_it_is_how_to_complete_it_and_its_sessions(client, unit, course):
    course.organisation = OrganizationFactory(name="IEFP — Instituto do Emprego")
    course.certificate_valid_months = 24
    course.save()
    desk = praia_desk(unit)
    session = CourseSessionFactory(course=course, location=desk.location, language="kea")
    response = client.get(url("training_course", course.slug))
    body = unescape(response.content.decode())
    assert response.status_code == 200
    # The description, as safe Markdown.
    assert "<h2>Objetivos</h2>" in body
    assert "<script>x()" not in response.content.decode()
    assert "IEFP — Instituto do Emprego" in body
    assert "To complete the course, attend at least 80% of its days." in body
    assert "You also need to pass an assessment at the end." in body
    assert "valid for 24 months" in body
    # The session: its days on the place's clock, its place in the directory, its language.
    assert "Monday, 9 March 2026" in body
    assert "Wednesday, 11 March 2026" in body
    assert "09:00–12:00" in body
    assert f'href="{url("directory_detail", desk.pk)}"' in body
    assert "Unidade de Praia" in body
    assert '<span lang="kea">Kabuverdianu</span>' in body
    assert "10 places left" in body
    assert f'href="{url("training_apply", course.slug)}?session={session.pk}"' in body
    # Places change by the minute: never kept by a cache.
    assert "no-store" in response["Cache-Control"]


def test_a_course_without_a_certificate_says_so(client, session):
    course = session.course
    course.certificate = False
    course.assessment_required = False
    course.save()
    body = client.get(url("training_course", course.slug)).content.decode()
    assert "No certificate is given for this course." in body
    assert "You also need to pass an assessment" not in body


def test_the_course_page_marks_a_text_shown_in_another_language(client, course, session):
    body = unescape(client.get(url("training_course", course.slug, language="en")).content.decode())
    assert 'class="fallback-note"' in body
    assert "This text is not yet available in English. It is shown in Português." in body
    assert '<article lang="pt"' in body
    publish_text(
        course.description,
        language="en",
        title="Portuguese for work",
        body="## Outcomes\n\nTalk to customers.",
    )
    body = unescape(client.get(url("training_course", course.slug, language="en")).content.decode())
    assert 'class="fallback-note"' not in body
    assert "<h1>Portuguese for work</h1>" in body
    assert "<h2>Outcomes</h2>" in body


def test_an_online_course_has_no_place(client):
    course = CourseFactory(mode=DeliveryMode.ONLINE)
    CourseSessionFactory(course=course, location=None, online_address="https://meet.example/x")
    body = client.get(url("training_course", course.slug)).content.decode()
    assert "Online" in body
    # The address of the meeting goes to those accepted, not to the public.
    assert "meet.example" not in body


# --- Applying --------------------------------------------------------------------------------


def test_the_session_in_the_address_is_chosen(client, course, session):
    other = CourseSessionFactory(course=course, days=mornings(at(16, 9), 2))
    body = client.get(url("training_apply", course.slug) + f"?session={other.pk}").content.decode()
    assert f'value="{other.pk}" id="id_session_1" required checked>' in body
    assert f'value="{session.pk}" id="id_session_0" required>' in body
    assert "16–17 Mar 2026" in body


def test_an_application_never_attaches_itself_to_a_record(client, course, session):
    someone = PersonFactory(phones=["+2389912345"])
    response = _apply(client, course, session)
    assert response.status_code == 302
    assert response["Location"] == url("training_applied", course.slug)
    enrolment = Enrolment.objects.get()
    assert enrolment.person is None
    assert enrolment.staff is None
    assert someone.enrolments.count() == 0
    assert enrolment.session == session
    assert enrolment.status == EnrolmentStatus.APPLIED
    assert enrolment.channel == EnrolmentChannel.PUBLIC_FORM
    assert (enrolment.name, enrolment.phone, enrolment.email) == ("Amina Diallo", "+2389912345", "")
    assert (enrolment.language, enrolment.notify_by) == ("fr", "sms")
    assert enrolment.motivation == APPLICATION["motivation"]
    assert (enrolment.sex, enrolment.nationality) == ("female", "SN")

    thanks = client.get(response["Location"])
    body = unescape(thanks.content.decode())
    assert "Your application was sent" in body
    assert "We will tell you by SMS whether you have a place." in body
    assert "Our messages will be in Français." in body
    assert "no-store" in thanks["Cache-Control"]


def test_the_thanks_page_is_in_the_page_language(client, course, session):
    response = _apply(client, course, session, language="kea", notify_by="email", email="a@b.org")
    assert response["Location"] == url("training_applied", course.slug, language="kea")
    body = unescape(client.get(response["Location"]).content.decode())
    assert '<html lang="kea"' in body
    assert _("kea", "We will tell you by e-mail whether you have a place.") in body


def test_a_robot_filling_the_hidden_field_applies_for_nothing(client, course, session):
    response = _apply(client, course, session, website="http://spam.example")
    assert response.status_code == 302
    assert response["Location"] == url("training_applied", course.slug)
    assert not Enrolment.objects.exists()
    assert APPLIED_KEY not in client.session


def test_applications_from_one_connection_are_limited(client, course, session):
    for number in range(PUBLIC_APPLICATION_LIMIT.limit):
        response = _apply(client, course, session, phone=f"+238 991 00 {number:02d}")
        assert response.status_code == 302
    response = _apply(client, course, session, name="One More", phone="+238 991 99 99")
    body = response.content.decode()
    assert response.status_code == 429
    assert "Too many applications from your connection. Please try again in an hour." in body
    assert 'value="One More"' in body
    assert Enrolment.objects.count() == PUBLIC_APPLICATION_LIMIT.limit


@pytest.mark.parametrize("language", ["fr", "kea", "pt"])
def test_bad_input_keeps_what_was_typed_and_says_why_in_the_page_language(
    client, course, session, language
):
    response = _apply(client, course, session, language=language, phone="", email="")
    body = response.content.decode()
    assert response.status_code == 200
    assert escape(_(language, "Please give a phone number or an e-mail address.")) in body
    assert 'value="Amina Diallo"' in body
    assert escape(APPLICATION["motivation"]) in body
    assert f'value="{session.pk}" id="id_session_0" required checked>' in body
    assert '<option value="SN" selected>' in body
    assert not Enrolment.objects.exists()


def test_messages_by_e_mail_need_an_e_mail_address(client, course, session):
    response = _apply(client, course, session, notify_by="email")
    assert "To get messages by e-mail, please give your e-mail address." in (
        response.content.decode()
    )
    assert not Enrolment.objects.exists()


def test_a_session_not_open_for_applications_cannot_be_chosen(client, course, session):
    closed = CourseSessionFactory(course=course, accepts_applications=False)
    response = _apply(client, course, closed)
    assert response.status_code == 200
    assert 'class="errors"' in response.content.decode()
    assert not Enrolment.objects.exists()


def test_a_full_session_offers_the_waiting_list(client, course):
    full = CourseSessionFactory(course=course, capacity=1)
    EnrolmentFactory(session=full)
    page = unescape(client.get(url("training_course", course.slug)).content.decode())
    assert "Full: waiting list" in page
    assert "Join the waiting list" in page
    assert f'href="{url("training_apply", course.slug)}?session={full.pk}"' in page
    form = unescape(client.get(url("training_apply", course.slug)).content.decode())
    assert "full: waiting list" in form
    assert "Every session is full." in form

    response = _apply(client, course, full)
    assert response.status_code == 302
    application = Enrolment.objects.exclude(channel=EnrolmentChannel.OFFICER).get()
    assert application.person is None
    assert application.status in (EnrolmentStatus.APPLIED, EnrolmentStatus.WAITING)
    thanks = unescape(client.get(response["Location"]).content.decode())
    assert "The session you chose is full" in thanks


def test_a_course_without_open_sessions_has_no_form(client, course):
    body = client.get(url("training_apply", course.slug)).content.decode()
    assert "No session open for applications at the moment." in body
    assert '<form method="post"' not in body
