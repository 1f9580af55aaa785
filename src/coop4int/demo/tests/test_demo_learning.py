"""Demo training: two courses published in four languages, sessions past and to come, a
public application still to decide, and three certificates — two valid and one revoked, as an
outside verifier finds them. Loading twice changes nothing."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from coop4int.content.domain.queries import reading_of
from coop4int.learning.credentials.verify import verify_certificate
from coop4int.learning.enums import EnrolmentChannel, EnrolmentStatus
from coop4int.learning.models import Certificate, Course, Enrolment

pytestmark = pytest.mark.django_db

PRAIA = ZoneInfo("Atlantic/Cape_Verde")
WEDNESDAY = datetime(2026, 1, 14, 10, 0, tzinfo=PRAIA)


def load(at: datetime) -> None:
    with time_machine.travel(at, tick=False):
        call_command("load_demo", verbosity=0)


def _loaded() -> int:
    """Load the demo; how many messages it sent."""
    mail.outbox = []
    load(WEDNESDAY)
    return len(mail.outbox)


@pytest.fixture(scope="module")
def demo(rows_kept, tmp_path_factory):  # type: ignore[no-untyped-def]
    """The demo, loaded once for this module's tests and rolled back after them."""
    with rows_kept(_loaded, MEDIA_ROOT=tmp_path_factory.mktemp("media")) as sent:
        yield sent


def test_two_courses_each_readable_in_the_four_interface_languages(demo):
    courses = {course.slug: course for course in Course.objects.all()}
    assert set(courses) == {"portugues-para-o-trabalho", "acolher-migrantes-direitos-servicos"}
    titles = {
        language: reading_of(courses["portugues-para-o-trabalho"].description, language)
        for language in ("pt", "kea", "en", "fr")
    }
    assert {language: reading.revision.title for language, reading in titles.items()} == {
        "pt": "Português para o trabalho",
        "kea": "Purtugês pa tarbadju",
        "en": "Portuguese for work",
        "fr": "Le portugais pour le travail",
    }
    assert not any(reading.is_fallback for reading in titles.values())
    staff_course = courses["acolher-migrantes-direitos-servicos"]
    assert set(staff_course.audiences) == {"staff", "civil_society", "local_authorities"}
    assert courses["portugues-para-o-trabalho"].audiences == ["immigrants"]
    past = courses["portugues-para-o-trabalho"].sessions.get(starts_at__lt=WEDNESDAY)
    assert past.location.name.endswith("Praia")
    assert past.days.count() == 5


def test_two_certificates_verify_as_valid_and_one_as_revoked(demo):
    with time_machine.travel(WEDNESDAY, tick=False):
        states = sorted(
            verify_certificate(certificate.pk, now=WEDNESDAY).state
            for certificate in Certificate.objects.all()
        )
    assert states == ["revoked", "valid", "valid"]
    # Attendance was taken each day; the one below the criteria did not complete.
    ended = Enrolment.objects.filter(status=EnrolmentStatus.NOT_COMPLETED)
    assert ended.count() == 2
    assert all(enrolment.attendance.exists() for enrolment in ended)


def test_a_public_application_waits_for_an_officer_and_names_no_record(demo):
    application = Enrolment.objects.get(channel=EnrolmentChannel.PUBLIC_FORM)
    assert application.status == EnrolmentStatus.APPLIED
    assert application.person is None
    assert application.language == "kea"


def test_loading_twice_changes_nothing_and_tells_nobody(demo):
    assert demo == 0
    counts = (Course.objects.count(), Enrolment.objects.count(), Certificate.objects.count())
    load(WEDNESDAY)
    assert (Course.objects.count(), Enrolment.objects.count(), Certificate.objects.count()) == (
        counts
    )
    assert mail.outbox == []
