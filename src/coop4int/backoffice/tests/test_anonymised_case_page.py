"""The staff case page of an anonymised case (the person erased, or the retention schedule
past): it says so, with the date and what the case still holds, and its emptied subject shows
as removed rather than as nothing."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import translation

from coop4int.accounts.enums import Role
from coop4int.cases.domain.cases import open_case
from coop4int.cases.enums import Channel
from coop4int.cases.models import Case
from coop4int.core.formatting import format_date
from coop4int.people.domain.erasure import erase_person
from coop4int.people.domain.people import PersonDetails, register_person
from coop4int.people.enums import ErasureGround

pytestmark = pytest.mark.django_db

CV = ZoneInfo("Atlantic/Cape_Verde")
OPENED = datetime(2025, 3, 3, 10, tzinfo=CV)
ERASED = datetime(2025, 6, 2, 12, tzinfo=CV)
NOTE = (
    "This case was anonymised on %(date)s: what identified the person was removed; dates, "
    "unit, channel, topics and status remain."
)


@pytest.fixture(autouse=True)
def _journal(settings, tmp_path):
    settings.ERASURE_JOURNAL = tmp_path / "erasure-journal.jsonl"
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def officer(make_staff, unit):
    return make_staff(Role.FRONT_OFFICE_OFFICER, unit)


@pytest.fixture
def desk(client, login_verified, officer):
    login_verified(client, officer)
    return client


def _open(officer, unit, **kwargs):
    values = {"actor": officer, "unit": unit, "channel": Channel.WALK_IN, "at": OPENED}
    return open_case(**(values | kwargs))[0]


def _page(desk, case) -> str:
    response = desk.get(reverse("backoffice:case_detail", args=[case.reference]))
    assert response.status_code == 200
    return response.content.decode()


def _heading(body: str) -> str:
    return re.search(r"<h1>(.*?)</h1>", body, re.S).group(1)  # type: ignore[union-attr]


def test_an_anonymised_case_says_so_and_shows_its_subject_as_removed(
    desk, officer, make_staff, unit
):
    person = register_person(
        actor=officer, unit=unit,
        details=PersonDetails(given_names="Zenaida", family_names="Quaresma"),
    )  # fmt: skip
    case = _open(officer, unit, person=person, subject="Zenaida Quaresma: residência")
    erase_person(person=person, actor=make_staff(Role.UNIT_COORDINATOR, unit),
                 ground=ErasureGround.PERSON_ASKED, now=ERASED)  # fmt: skip
    case = Case.objects.get(pk=case.pk)
    assert case.anonymised_at == ERASED
    assert case.subject == ""

    body = _page(desk, case)

    # In the interface's language (the staff's, Portuguese here), with the date as it writes it.
    assert 'lang="pt"' in body
    with translation.override("pt"):
        note = translation.gettext(NOTE) % {"date": format_date(ERASED)}
        removed = translation.gettext("(subject removed)")
    assert 'id="anonymised"' in body
    assert note in body
    assert "2025" in note
    assert removed in _heading(body)
    assert case.reference in _heading(body)
    assert f"<title>{case.reference} —" not in body  # no dash before an empty subject
    assert "Zenaida" not in body


def test_a_case_that_was_not_anonymised_has_no_such_note(desk, officer, unit):
    case = _open(officer, unit, subject="Visto")
    body = _page(desk, case)
    assert 'id="anonymised"' not in body
    assert 'id="no-subject"' not in body
    assert "Visto" in _heading(body)


def test_an_empty_subject_has_a_placeholder_of_its_own(desk, officer, unit):
    case = _open(officer, unit, subject="")
    body = _page(desk, case)
    with translation.override("pt"):
        assert translation.gettext("(no subject)") in _heading(body)
    assert 'id="anonymised"' not in body


def test_an_anonymised_case_gives_no_new_link_and_the_persons_list_marks_it(
    desk, officer, make_staff, unit
):
    person = register_person(actor=officer, unit=unit, details=PersonDetails(given_names="Zenaida"))
    case = _open(officer, unit, person=person, subject="Residência")
    erase_person(person=person, actor=make_staff(Role.UNIT_COORDINATOR, unit),
                 ground=ErasureGround.PERSON_ASKED, now=ERASED)  # fmt: skip
    case = Case.objects.get(pk=case.pk)
    digest = case.tracking_digest

    body = _page(desk, case)
    tracking = reverse("backoffice:case_tracking", args=[case.reference])
    assert f'action="{tracking}"' not in body

    response = desk.post(tracking)  # a page left open before the erasure
    assert response.status_code == 302
    assert response.url == reverse("backoffice:case_detail", args=[case.reference])
    case.refresh_from_db()
    assert case.tracking_digest == digest
    with translation.override("pt"):
        refused = translation.gettext("This case was anonymised: nobody can follow it any more.")
    assert refused in desk.get(response.url).content.decode()

    listing = desk.get(reverse("backoffice:person_detail", args=[person.pk])).content.decode()
    with translation.override("pt"):
        assert translation.gettext("(subject removed)") in listing
