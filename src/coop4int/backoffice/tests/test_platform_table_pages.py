"""The page of the platform's own tables: who may open it, what it says of consent and
rounding, drafting a quarter (and a correction with its note) by POST, the refusals that keep
what was typed, and each quarter's tables with their links to the review page. The present
moment is fixed with time-machine: nothing depends on today's date."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from coop4int.accounts.enums import Role
from coop4int.core.models import AuditEntry
from coop4int.observatory.domain.datasets import publish_dataset
from coop4int.observatory.domain.platform_tables import PLATFORM_INDICATORS, draft_platform_tables
from coop4int.observatory.enums import DatasetStatus
from coop4int.observatory.models import Dataset

pytestmark = pytest.mark.django_db

URL = reverse("backoffice:platform_tables")
CV = ZoneInfo("Atlantic/Cape_Verde")
# Thursday 2 April 2026 in Praia: the first quarter of 2026 has ended, the second has not.
NOW = datetime(2026, 4, 2, 9, tzinfo=CV)
EN = {"headers": {"accept-language": "en"}}


@pytest.fixture
def analyst(make_staff, national_unit):
    return make_staff(Role.ANALYST, national_unit, username="analista")


@pytest.fixture
def desk(client, login_verified, analyst):
    login_verified(client, analyst)
    with time_machine.travel(NOW, tick=False):
        yield client


def _text(response) -> str:
    return response.content.decode()


def test_the_page_says_who_is_counted_and_how_figures_are_rounded(desk):
    response = desk.get(URL, **EN)
    assert response.status_code == 200
    text = _text(response)
    assert "Only people who agreed to the use of their data in statistics are counted." in text
    assert "rounded up or down to a multiple of" in text
    assert "no count from 1 to" in text
    # The form opens on the quarter that ended last; the recent quarters are listed.
    assert 'value="2026-Q1"' in text
    for quarter in ("2026-Q1", "2025-Q4", "2024-Q2"):
        assert f'data-quarter="{quarter}"' in text
    assert 'data-quarter="2026-Q2"' not in text
    assert text.count('data-indicator="PLATFORM_CASES_OPENED"') >= 8


@pytest.mark.parametrize(
    "role", [Role.UNIT_COORDINATOR, Role.FRONT_OFFICE_OFFICER, Role.CONTENT_EDITOR, Role.TRAINER]
)
def test_other_roles_may_neither_see_nor_draft(client, login_verified, make_staff, unit, role):
    login_verified(client, make_staff(role, unit))
    with time_machine.travel(NOW, tick=False):
        assert client.get(URL).status_code == 403
        assert client.post(URL, {"action": "draft", "quarter": "2026-Q1"}).status_code == 403
    assert not Dataset.objects.exists()


def test_an_administrator_may_draft(client, login_verified, make_staff, national_unit):
    login_verified(client, make_staff(Role.ADMINISTRATOR, national_unit))
    with time_machine.travel(NOW, tick=False):
        response = client.post(URL, {"action": "draft", "quarter": "2026-Q1"})
    assert response.status_code == 302
    assert Dataset.objects.filter(quarter="2026-Q1").count() == len(PLATFORM_INDICATORS)


def test_drafting_a_quarter_by_post_then_reviewing_its_tables(desk, analyst):
    response = desk.post(URL, {"action": "draft", "quarter": " 2026-Q1 ", "correction_note": ""},
                         **EN)  # fmt: skip
    assert response.status_code == 302
    assert response["Location"] == f"{URL}#draft"
    drafts = Dataset.objects.filter(quarter="2026-Q1", status=DatasetStatus.DRAFT)
    assert sorted(drafts.values_list("indicator__code", flat=True)) == sorted(PLATFORM_INDICATORS)
    entry = AuditEntry.objects.get(action="observatory.platform.drafted")
    assert (entry.actor, entry.data["quarter"]) == (analyst, "2026-Q1")

    page = desk.get(response["Location"], **EN)
    text = _text(page)
    assert "The 5 tables of 1st quarter 2026 were drafted" in text
    assert "Drafts waiting for review" in text
    review = reverse("backoffice:observatory_dataset", args=["PLATFORM_CASES_OPENED-v1"])
    assert f'href="{review}"' in text
    assert "Cases opened" in text


def test_a_published_quarter_is_shown_with_its_version(desk):
    for dataset in draft_platform_tables(quarter="2025-Q4", actor=None, now=NOW):
        publish_dataset(dataset=dataset, actor=None, now=NOW)
    text = _text(desk.get(URL, **EN))
    review = reverse("backoffice:observatory_dataset", args=["PLATFORM_CONTACTS-v1"])
    assert f'href="{review}" data-dataset="PLATFORM_CONTACTS-v1">Version' in text


def test_a_correction_needs_its_note_and_keeps_what_was_typed(desk):
    for dataset in draft_platform_tables(quarter="2026-Q1", actor=None, now=NOW):
        publish_dataset(dataset=dataset, actor=None, now=NOW)
    response = desk.post(URL, {"action": "draft", "quarter": "2026-Q1"}, **EN)
    assert response.status_code == 200
    text = _text(response)
    assert "a correction needs a note saying what was wrong" in text
    assert 'value="2026-Q1"' in text
    assert not Dataset.objects.filter(status=DatasetStatus.DRAFT).exists()

    note = "Casos de março registados com atraso."
    response = desk.post(URL, {"action": "draft", "quarter": "2026-Q1", "correction_note": note})
    assert response.status_code == 302
    corrections = Dataset.objects.filter(status=DatasetStatus.DRAFT)
    assert corrections.count() == len(PLATFORM_INDICATORS)
    assert {(d.version, d.revision_note) for d in corrections} == {(2, note)}


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("2026-Q2", "has not ended yet"),
        ("Q1 2026", "is not a quarter"),
        ("", "This field is required."),
    ],
)
def test_bad_input_is_refused_in_words_and_keeps_what_was_typed(desk, typed, message):
    note = "Uma nota escrita à mão"
    with translation.override("en"):
        response = desk.post(
            URL, {"action": "draft", "quarter": typed, "correction_note": note}, **EN
        )
    assert response.status_code == 200
    text = _text(response)
    assert message in text
    assert note in text
    if typed:
        assert f'value="{typed}"' in text
    assert 'role="alert"' in text
    assert not Dataset.objects.exists()


def test_another_quarter_waiting_for_review_is_said_and_nothing_is_drafted(desk):
    draft_platform_tables(quarter="2025-Q4", actor=None, now=NOW)
    response = desk.post(URL, {"action": "draft", "quarter": "2026-Q1"}, **EN)
    assert response.status_code == 200
    assert "are waiting for review" in _text(response)
    assert not Dataset.objects.filter(quarter="2026-Q1").exists()


def test_the_page_costs_the_same_queries_however_many_quarters_it_shows(desk):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert desk.get(URL).status_code == 200
        return len(captured)

    for dataset in draft_platform_tables(quarter="2025-Q3", actor=None, now=NOW):
        publish_dataset(dataset=dataset, actor=None, now=NOW)
    queries()  # the first page of a session records more about it
    few = queries()
    for quarter in ("2025-Q4", "2026-Q1"):
        for dataset in draft_platform_tables(quarter=quarter, actor=None, now=NOW):
            publish_dataset(dataset=dataset, actor=None, now=NOW)
    draft_platform_tables(
        quarter="2026-Q1", actor=None, now=NOW, correction_note="Casos em atraso."
    )
    assert queries() == few
