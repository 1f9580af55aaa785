"""Demo information cards: idempotent, written through the workflow, in every status, marked as
demo, and readable on the public pages — the Arabic one right to left."""

import re
from io import StringIO

import phonenumbers
import pytest
from django.core.management import call_command

from coop4int.content.domain.queries import reading_for
from coop4int.content.enums import ItemKind, TranslationStatus
from coop4int.content.models import ContentItem, Revision, Translation
from coop4int.core.models import AuditEntry
from coop4int.demo import content

LINE = content.MIGRANT_SUPPORT_LINE.slug
REQUIRED_LINE_LANGUAGES = {
    "pt", "en", "ar", "kea", "fr", "es", "zh", "wo", "bn", "hi", "ru", "uk", "ro", "ne",
}  # fmt: skip
TEL_LINK = re.compile(r"\[([^\]]+)\]\(tel:([^)]+)\)")


def _load() -> None:
    call_command("load_demo", stdout=StringIO())


@pytest.fixture(scope="module")
def _demo_rows(rows_kept, tmp_path_factory):  # type: ignore[no-untyped-def]
    """The demo, loaded once for this module's tests and rolled back after them."""
    with rows_kept(_load, MEDIA_ROOT=tmp_path_factory.mktemp("media")):
        yield


@pytest.fixture
def demo(_demo_rows, db):  # type: ignore[no-untyped-def]
    """Each test starts from the demo as loaded, in a savepoint of its own."""


def _counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (ContentItem, Translation, Revision, AuditEntry)
    }


def test_loading_the_content_twice_changes_nothing(demo):
    first = _counts()
    translations = list(Translation.objects.order_by("pk").values())

    content.load()
    call_command("load_demo", stdout=StringIO())

    assert _counts() == first
    assert list(Translation.objects.order_by("pk").values()) == translations
    # The cards, and the descriptions of the demo's training courses.
    assert ContentItem.objects.exclude(kind=ItemKind.COURSE).count() == len(content.CARDS)


def test_the_migrant_support_line_is_published_in_many_languages(demo):
    published = set(
        Translation.objects.filter(item__slug=LINE, status=TranslationStatus.PUBLISHED).values_list(
            "language", flat=True
        )
    )

    assert len(published) >= 12
    assert published >= REQUIRED_LINE_LANGUAGES
    for language in ("pt", "ar", "kea"):
        body = reading_for(LINE, language).revision.body
        assert "[808 257 257](tel:+351808257257)" in body
        assert "[21 810 61 91](tel:+351218106191)" in body
        assert "2022" in body


def test_the_migrant_support_line_keeps_its_hours_before_5_march_2022(demo):
    source = Translation.objects.get(item__slug=LINE, language="pt")
    published = source.revisions.filter(status=TranslationStatus.PUBLISHED).order_by("version")

    assert [revision.version for revision in published] == [1, 2]
    assert "das 9h00 às 19h00" in published[0].body
    assert "A partir de 5 de março de 2022" in published[1].body
    assert "das 9h00 às 20h00" in published[1].body
    assert "Sábado, das 9h00 às 17h00" in published[1].body
    # The English made from the old hours fell out of date, then was brought up to date.
    change = AuditEntry.objects.get(
        action="content.text.published", data__language="pt", data__outdated=["en"]
    )
    assert change.actor_label == content.REVIEWER
    english = Translation.objects.get(item__slug=LINE, language="en")
    assert (english.status, english.source_version) == (TranslationStatus.PUBLISHED, 2)


def test_there_are_translations_in_every_status(demo):
    not_published = set(
        Translation.objects.exclude(status=TranslationStatus.PUBLISHED).values_list(
            "status", "item__slug", "language"
        )
    )

    assert set(Translation.objects.values_list("status", flat=True)) == set(TranslationStatus)
    assert not_published == {
        (TranslationStatus.OUTDATED, content.FACE_TO_FACE.slug, "fr"),
        (TranslationStatus.IN_REVIEW, content.COVID_VACCINATION.slug, "en"),
        (TranslationStatus.DRAFT, content.ABOUT_COOP4INT.slug, "kea"),
    }
    outdated = Translation.objects.get(status=TranslationStatus.OUTDATED)
    # Readers of French still get the last published French text, mask rule included.
    assert "masque" in reading_for(outdated.item.slug, "fr").revision.body
    assert "máscara" not in reading_for(outdated.item.slug, "pt").revision.body


def test_every_demo_item_and_text_is_marked_as_demo(demo):
    assert not ContentItem.objects.filter(is_demo=False).exists()
    assert not Translation.objects.filter(is_demo=False).exists()
    # The cards' texts say they are demo texts (a course's description says so in its summary).
    translations = Translation.objects.exclude(item__kind=ItemKind.COURSE)
    assert translations.count() >= 20
    for translation in translations:
        last_line = translation.body.splitlines()[-1]
        assert last_line == f"*{content.DEMO_NOTES[translation.language]}*", translation


def test_texts_are_written_by_the_editor_and_published_by_the_administrator(demo):
    # The cards' (the training demo starts its courses' descriptions as an administrator).
    revisions = Revision.objects.select_related("saved_by").exclude(
        translation__item__kind=ItemKind.COURSE
    )

    assert {r.saved_by.username for r in revisions.filter(status="draft")} == {content.WRITER}
    assert {r.saved_by.username for r in revisions.filter(status="published")} == {content.REVIEWER}
    created = AuditEntry.objects.filter(
        action="content.item.created", data__slug__in=[card.slug for card in content.CARDS]
    )
    assert created.count() == len(content.CARDS)
    assert {entry.actor_label for entry in created} == {content.WRITER}


def test_every_telephone_link_is_a_valid_portuguese_number_as_shown(demo):
    links = [
        link
        for translation in Translation.objects.all()
        for link in TEL_LINK.findall(translation.body)
    ]

    assert len(links) > 40
    for shown, target in links:
        number = phonenumbers.parse(target)
        assert phonenumbers.is_valid_number(number), target
        assert phonenumbers.region_code_for_number(number) == "PT"
        assert f"+351{shown.replace(' ', '')}" == target


def test_each_card_has_a_public_english_page(client, demo):
    for card in content.CARDS:
        response = client.get(f"/en/info/{card.slug}/")

        assert response.status_code == 200, card.slug
        reading = reading_for(card.slug, "en")
        assert reading.revision.title in response.content.decode()
    covid = client.get(f"/en/info/{content.COVID_VACCINATION.slug}/").content.decode()
    # Its English is still in review: readers get the Portuguese, and are told so.
    assert "Vacinação contra a COVID-19" in covid
    assert 'class="fallback-note"' in covid


def test_the_arabic_migrant_support_line_reads_right_to_left(client, demo):
    response = client.get(f"/en/info/{LINE}/ar/")

    page = response.content.decode()
    assert response.status_code == 200
    assert '<article lang="ar" dir="rtl"' in page
    assert "خط دعم المهاجرين" in page
    assert 'href="tel:+351808257257"' in page
    assert 'class="fallback-note"' not in page


def test_the_arabic_support_line_card_isolates_its_numbers_in_order(client, demo):
    body = client.get(f"/en/info/{LINE}/ar/").content.decode()

    landline = (
        '<a href="tel:+351808257257" rel="noopener noreferrer">'
        '<bdi dir="ltr" class="ltr">808 257 257</bdi></a>'
    )
    mobile = '<bdi dir="ltr" class="ltr">21 810 61 91</bdi>'
    assert landline in body
    assert mobile in body
    assert body.index(landline) < body.index(mobile)
    assert '<bdi dir="ltr" class="ltr">9:00</bdi>' in body  # times too, in their order
