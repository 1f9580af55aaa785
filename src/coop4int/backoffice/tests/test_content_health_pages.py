"""Review dates and the health of each unit's information, from the editors' pages: the list
flags items past their review date, the item's page shows its date and takes a review or a new
date, and the health page gives each unit and item a traffic light in words."""

import re
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from coop4int.accounts.enums import Role
from coop4int.content.domain.workflow import create_item, publish, save_text, submit_for_review
from coop4int.content.enums import Health, ItemKind
from coop4int.content.models import ContentItem
from coop4int.core.models import AuditEntry

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)
TODAY = date(2026, 6, 1)
URL = "/staff/content/mascara/pt/"
HEALTH = "/staff/content/health/"


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture
def author(make_staff, unit):
    return make_staff(Role.CONTENT_EDITOR, unit)


@pytest.fixture
def reviewer(make_staff, national_unit):
    return make_staff(Role.CONTENT_EDITOR, national_unit)


def _published_card(author, reviewer, slug: str, review_by: date) -> ContentItem:
    item = create_item(actor=author, slug=slug, kind=ItemKind.CARD, source_language="pt",
                       title=slug)  # fmt: skip
    for language in ("pt", "kea", "en", "fr"):
        title = f"{slug.capitalize()} ({language})"
        text = save_text(
            actor=author, item=item, language=language, title=title, summary="", body=""
        )
        submit_for_review(actor=author, translation=text)
        publish(actor=reviewer, translation=text, today=date(2025, 6, 1))
    ContentItem.objects.filter(pk=item.pk).update(review_by=review_by)
    item.refresh_from_db()
    return item


@pytest.fixture
def mask(author, reviewer) -> ContentItem:
    """Masks in Portuguese centres: its review date has passed."""
    return _published_card(author, reviewer, "mascara", date(2026, 5, 1))


@pytest.fixture
def line(author, reviewer) -> ContentItem:
    return _published_card(author, reviewer, "linha", date(2027, 3, 1))


def _client(login_verified, user) -> Client:
    client = Client()
    login_verified(client, user)
    client.cookies["django_language"] = "en"
    return client


def _row(body: str, text: str) -> str:
    """The table row that holds ``text``."""
    rows = re.findall(r"<tr>.*?</tr>", body, re.S)
    [row] = [row for row in rows if text in row]
    return row


def test_the_list_flags_items_past_their_review_date(login_verified, reviewer, mask, line):
    body = _client(login_verified, reviewer).get("/staff/content/").content.decode()

    assert "Past its review date" in _row(body, "/staff/content/mascara/")
    assert "Past its review date" not in _row(body, "/staff/content/linha/")
    assert 'href="/staff/content/health/"' in body


def test_the_items_page_shows_its_review_date_and_when_it_was_last_reviewed(
    login_verified, reviewer, mask
):
    body = _client(login_verified, reviewer).get(URL).content.decode()

    state = re.search(r'<p id="review-state">(.*?)</p>', body, re.S)
    assert state is not None
    assert "Review by 1 May 2026." in state.group(1)
    assert "Last reviewed on 1 Jun 2025." in state.group(1)
    assert "Past its review date" in state.group(1)
    assert 'value="review"' in body
    assert 'name="review_by" value="2027-06-01"' in body  # a year from today, to accept


def test_an_editor_confirms_from_the_page_that_the_item_is_still_true(
    login_verified, reviewer, mask
):
    client = _client(login_verified, reviewer)
    response = client.post(URL, {"action": "review", "review_by": ""})

    assert response.status_code == 302
    mask.refresh_from_db()
    assert (mask.last_reviewed_on, mask.review_by) == (TODAY, date(2027, 6, 1))
    page = client.get(URL).content.decode()
    assert "Marked as reviewed. The next review is due by 1 Jun 2027." in page


def test_an_editor_only_moves_the_date(login_verified, reviewer, mask):
    response = _client(login_verified, reviewer).post(
        URL, {"action": "review_date", "review_by": "2026-07-15"}
    )

    assert response.status_code == 302
    mask.refresh_from_db()
    assert (mask.review_by, mask.last_reviewed_on) == (date(2026, 7, 15), date(2025, 6, 1))


NOT_AHEAD = "The next review must be after today."


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"action": "review_date", "review_by": ""}, "Choose the date of the next review."),
        ({"action": "review_date", "review_by": "2026-06-01"}, NOT_AHEAD),
        ({"action": "review", "review_by": "2026-05-01"}, NOT_AHEAD),
    ],
)
def test_a_date_missing_or_not_ahead_is_refused_and_nothing_changes(
    login_verified, reviewer, mask, data, message
):
    response = _client(login_verified, reviewer).post(URL, data)

    assert response.status_code == 400
    assert escape(message) in response.content.decode()
    mask.refresh_from_db()
    assert mask.review_by == date(2026, 5, 1)
    assert not AuditEntry.objects.filter(action__startswith="content.item.review").exists()


def test_the_responsible_unit_is_chosen_with_the_items_settings(
    login_verified, reviewer, mask, other_unit
):
    response = _client(login_verified, reviewer).post(
        URL, {"action": "settings", "unit": other_unit.pk, "audience": ""}
    )

    assert response.status_code == 302
    mask.refresh_from_db()
    assert mask.unit == other_unit


def test_the_health_page_gives_each_unit_and_item_a_light_in_words(
    login_verified, reviewer, mask, line, make_staff, other_unit
):
    body = _client(login_verified, reviewer).get(HEALTH).content.decode()

    unit_row = _row(body, "?unit=praia")
    assert "Needs attention now" in unit_row
    assert 'class="badge health health-red badge-closed"' in unit_row
    assert '<span aria-hidden="true">■</span>' in unit_row  # a shape besides the colour
    mask_row = _row(body, "/staff/content/mascara/pt/")
    assert "Needs attention now" in mask_row
    assert "Its review date, 1 May 2026, has passed: check that it is still true." in mask_row
    assert "/staff/content/linha/" not in body  # green items of a unit are counted, not listed


def test_choosing_a_unit_lists_every_item_green_ones_too(login_verified, reviewer, mask, line):
    body = _client(login_verified, reviewer).get(HEALTH + "?unit=praia").content.decode()

    assert str(Health.GREEN.label) in _row(body, "/staff/content/linha/pt/")
    assert "Nothing to do." in _row(body, "/staff/content/linha/pt/")
    assert 'option value="praia" selected' in body


def test_a_coordinator_sees_their_own_units_health_without_the_editors_links(
    login_verified, mask, make_staff, unit, other_unit, author, reviewer
):
    elsewhere = _published_card(make_staff(Role.CONTENT_EDITOR, other_unit), reviewer,
                                "mindelo", date(2026, 1, 1))  # fmt: skip
    coordinator = make_staff(Role.UNIT_COORDINATOR, unit)

    body = _client(login_verified, coordinator).get(HEALTH + "?unit=mindelo").content.decode()

    assert "Praia" in body
    assert "Mascara (pt)" in body
    assert elsewhere.translations.get(language="pt").title not in body
    assert "Mindelo" not in body
    assert "/staff/content/mascara/" not in body  # the editor's page is not theirs


def test_the_health_page_runs_a_fixed_number_of_queries(
    login_verified, reviewer, author, mask, make_staff, other_unit
):
    client = _client(login_verified, reviewer)
    client.get(HEALTH)
    with CaptureQueriesContext(connection) as few:
        client.get(HEALTH)
    other = make_staff(Role.CONTENT_EDITOR, other_unit)
    for n in range(3):
        _published_card(other, reviewer, f"cartao-{n}", date(2026, 1, 1))
    with CaptureQueriesContext(connection) as many:
        body = client.get(HEALTH).content.decode()

    assert body.count("Cartao-") == 3
    assert len(many.captured_queries) == len(few.captured_queries)
