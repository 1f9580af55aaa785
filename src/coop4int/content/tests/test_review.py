"""Every information item has a review-by date: a year after it is created, then a year after
its source is published or an editor confirms it is still true; editors may choose another
date. Each change is one audited step."""

from datetime import date, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from hypothesis import given
from hypothesis import strategies as st

from coop4int.accounts.enums import Role
from coop4int.content.domain.review import mark_reviewed, set_review_date
from coop4int.content.domain.workflow import create_item, publish, save_text, submit_for_review
from coop4int.content.enums import ItemKind
from coop4int.content.models import ContentItem
from coop4int.content.review_dates import default_review_by, months_after, next_review
from coop4int.core.models import AuditEntry

CREATED = date(2026, 1, 15)
PUBLISHED = date(2026, 3, 2)


@pytest.fixture
def author(make_staff, unit):
    return make_staff(Role.CONTENT_EDITOR, unit)


@pytest.fixture
def reviewer(make_staff, national_unit):
    return make_staff(Role.CONTENT_EDITOR, national_unit)


@pytest.fixture
def card(author) -> ContentItem:
    return create_item(
        actor=author, slug="mascara", kind=ItemKind.CARD, source_language="pt",
        title="Máscara", today=CREATED,
    )  # fmt: skip


def _publish(item, language, author, reviewer, today):
    text = save_text(actor=author, item=item, language=language, title="T", summary="", body="")
    submit_for_review(actor=author, translation=text)
    publish(actor=reviewer, translation=text, today=today)
    item.refresh_from_db()


def test_a_new_item_is_due_a_year_after_it_is_created_and_kept_by_its_authors_unit(card, unit):
    assert card.review_by == date(2027, 1, 15)
    assert card.last_reviewed_on is None
    assert card.unit == unit


def test_publishing_the_source_is_a_review_and_the_next_is_due_a_year_later(card, author, reviewer):
    _publish(card, "pt", author, reviewer, PUBLISHED)

    assert (card.last_reviewed_on, card.review_by) == (PUBLISHED, date(2027, 3, 2))
    entry = AuditEntry.objects.get(action="content.text.published")
    assert entry.data["review_by"] == "2027-03-02"


def test_publishing_a_translation_does_not_move_the_review_date(card, author, reviewer):
    _publish(card, "pt", author, reviewer, PUBLISHED)
    _publish(card, "fr", author, reviewer, date(2026, 9, 1))

    assert (card.last_reviewed_on, card.review_by) == (PUBLISHED, date(2027, 3, 2))
    french = AuditEntry.objects.get(action="content.text.published", data__language="fr")
    assert "review_by" not in french.data


def test_an_editor_confirms_an_item_is_still_true_in_one_audited_step(card, reviewer):
    before = card.translations.get().version

    mark_reviewed(actor=reviewer, item=card, today=date(2026, 6, 30))

    card.refresh_from_db()
    assert (card.last_reviewed_on, card.review_by) == (date(2026, 6, 30), date(2027, 6, 30))
    assert card.translations.get().version == before  # the texts are unchanged
    entry = AuditEntry.objects.get(action="content.item.reviewed")
    assert (entry.actor, entry.unit, entry.data) == (
        reviewer,
        card.unit,
        {"review_by": "2027-06-30"},
    )


def test_a_reviewer_may_choose_a_sooner_next_review(card, reviewer):
    mark_reviewed(actor=reviewer, item=card, today=date(2026, 6, 30), review_by=date(2026, 9, 1))
    card.refresh_from_db()
    assert card.review_by == date(2026, 9, 1)


def test_changing_the_date_does_not_say_the_item_was_reviewed(card, reviewer):
    set_review_date(actor=reviewer, item=card, review_by=date(2026, 4, 1), today=CREATED)

    card.refresh_from_db()
    assert (card.review_by, card.last_reviewed_on) == (date(2026, 4, 1), None)
    entry = AuditEntry.objects.get(action="content.item.review_date_set")
    assert entry.data == {"from": "2027-01-15", "to": "2026-04-01"}
    assert not AuditEntry.objects.filter(action="content.item.reviewed").exists()


@pytest.mark.parametrize("review_by", [date(2026, 6, 30), date(2026, 6, 1)])
def test_the_next_review_must_be_after_today(card, reviewer, review_by):
    for step in (mark_reviewed, set_review_date):
        with pytest.raises(ValidationError) as refused:
            step(actor=reviewer, item=card, review_by=review_by, today=date(2026, 6, 30))
        assert "review_by" in refused.value.message_dict
    card.refresh_from_db()
    assert card.review_by == date(2027, 1, 15)
    assert not AuditEntry.objects.filter(action__startswith="content.item.review").exists()


def test_only_content_editors_review(card, make_staff, unit):
    coordinator = make_staff(Role.UNIT_COORDINATOR, unit)
    with pytest.raises(PermissionDenied):
        mark_reviewed(actor=coordinator, item=card, today=CREATED)
    with pytest.raises(PermissionDenied):
        set_review_date(actor=coordinator, item=card, review_by=date(2027, 1, 1), today=CREATED)


def test_an_item_made_without_the_workflow_is_due_a_year_ahead():
    with time_machine.travel(date(2028, 2, 29), tick=False):
        assert default_review_by() == date(2029, 2, 28)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 1, 31), date(2027, 1, 31)),
        (date(2028, 2, 29), date(2029, 2, 28)),
        (date(2026, 12, 31), date(2027, 12, 31)),
    ],
)
def test_a_year_ahead_keeps_the_day_or_takes_the_last_of_the_month(day, expected):
    assert next_review(day) == expected


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(9000, 12, 31)), st.integers(0, 600))
def test_months_after_lands_in_the_right_month_on_the_same_day_or_the_months_last(day, months):
    moved = months_after(day, months)
    assert (moved.year * 12 + moved.month) - (day.year * 12 + day.month) == months
    assert moved.day == day.day or (
        moved.day < day.day and (moved + timedelta(days=1)).month != moved.month
    )
