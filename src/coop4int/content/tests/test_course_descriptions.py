"""A course's title and description are a content item written through the information hub's
workflow, but read on the training catalogue: not listed among the information pages, and
found by the search at the course's page."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from coop4int.accounts.enums import Role
from coop4int.content.domain.queries import published_items, reading_for, reading_of
from coop4int.content.domain.workflow import create_item
from coop4int.content.enums import ItemKind
from coop4int.content.tests.test_workflow import published
from coop4int.core.models import SearchDocument
from coop4int.learning.models import Course

NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)


@pytest.fixture
def author(make_staff, national_unit):
    return make_staff(Role.CONTENT_EDITOR, national_unit)


@pytest.fixture
def reviewer(make_staff, national_unit):
    return make_staff(Role.CONTENT_EDITOR, national_unit)


@pytest.fixture
def description(author, national_unit):
    item = create_item(
        actor=author,
        slug="curso-portugues-trabalho",
        kind=ItemKind.COURSE,
        source_language="pt",
        title="Português para o trabalho",
    )
    Course.objects.create(
        slug="portugues-trabalho",
        description=item,
        unit=national_unit,
        hours=Decimal(30),
        created_at=NOW,
        updated_at=NOW,
    )
    return item


def test_a_course_description_is_read_by_the_catalogue_not_the_information_pages(
    description, author, reviewer
):
    published(description, "pt", author, reviewer, "Português para o trabalho", "Trinta horas.")
    assert [r.item.slug for r in published_items("pt")] == []
    with pytest.raises(Http404):
        reading_for(description.slug, "pt")
    reading = reading_of(description, "kea")
    assert reading is not None
    assert reading.revision.title == "Português para o trabalho"
    assert reading.is_fallback


def test_the_search_finds_a_course_description_at_the_course_page(description, author, reviewer):
    published(description, "pt", author, reviewer, "Português para o trabalho", "Trinta horas.")
    document = SearchDocument.objects.get(kind="content", key=description.slug, language="pt")
    assert document.url == "training/portugues-trabalho/"


def test_an_information_card_is_still_listed_and_found_at_its_page(author, reviewer):
    card = create_item(
        actor=author, slug="linha", kind=ItemKind.CARD, source_language="pt", title="Linha"
    )
    published(card, "pt", author, reviewer, "Linha de Apoio")
    assert [r.item.slug for r in published_items("pt")] == ["linha"]
    assert SearchDocument.objects.get(key="linha").url == "info/linha/pt/"


def test_who_manages_training_starts_a_course_description_but_no_other_item(make_staff, unit):
    coordinator = make_staff(Role.UNIT_COORDINATOR, unit)
    item = create_item(
        actor=coordinator, slug="curso", kind=ItemKind.COURSE, source_language="pt", title="C"
    )
    assert item.translations.get().last_edited_by == coordinator
    with pytest.raises(PermissionDenied):
        create_item(
            actor=coordinator, slug="cartao", kind=ItemKind.CARD, source_language="pt", title="C"
        )
