from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from coop4int.accounts.enums import Role
from coop4int.content.domain.queries import coverage, published_items, reading_for
from coop4int.content.domain.settings import update_item_settings
from coop4int.content.domain.workflow import (
    TextChanged,
    create_item,
    publish,
    save_text,
    source_change,
    submit_for_review,
)
from coop4int.content.enums import ItemKind, TranslationStatus
from coop4int.core.models import AuditEntry
from coop4int.directory.tests.places import praia_desk


@pytest.fixture
def author(make_staff, national_unit):
    return make_staff(Role.CONTENT_EDITOR, national_unit)


@pytest.fixture
def reviewer(make_staff, national_unit):
    return make_staff(Role.CONTENT_EDITOR, national_unit)


def published(item, language, actor, reviewer, title, body=""):
    text = save_text(actor=actor, item=item, language=language, title=title, summary="", body=body)
    submit_for_review(actor=actor, translation=text)
    publish(actor=reviewer, translation=text)
    text.refresh_from_db()
    return text


@pytest.fixture
def card(author, reviewer):
    item = create_item(
        actor=author, slug="linha", kind=ItemKind.CARD, source_language="pt", title="Linha"
    )
    published(item, "pt", author, reviewer, "Linha de Apoio", "Ligue 808 257 257.")
    return item


def test_publishing_needs_a_reviewer_other_than_the_author(card, author):
    text = save_text(actor=author, item=card, language="en", title="Line", summary="", body="")
    submit_for_review(actor=author, translation=text)
    with pytest.raises(ValidationError):
        publish(actor=author, translation=text)
    text.refresh_from_db()
    assert text.status == TranslationStatus.IN_REVIEW


def test_a_draft_is_not_published_and_readers_keep_the_published_text(card, author, reviewer):
    save_text(actor=author, item=card, language="pt", title="Rascunho", summary="", body="")
    assert reading_for("linha", "pt").revision.title == "Linha de Apoio"


def test_changing_the_source_makes_translations_outdated_with_the_difference(
    card, author, reviewer
):
    english = published(card, "en", author, reviewer, "Support line")
    assert english.status == TranslationStatus.PUBLISHED
    assert source_change(english) is None

    published(card, "pt", author, reviewer, "Linha de Apoio ao Migrante", "Ligue 808 257 257.")

    english.refresh_from_db()
    assert english.status == TranslationStatus.OUTDATED
    change = source_change(english)
    assert change is not None
    assert "-Linha de Apoio" in change.lines
    assert "+Linha de Apoio ao Migrante" in change.lines
    # Readers still get the last published English text until it is brought up to date.
    assert reading_for("linha", "en").revision.title == "Support line"


def test_creole_readers_get_portuguese_others_english_then_portuguese(card, author, reviewer):
    reading = reading_for("linha", "kea")
    assert (reading.shown, reading.is_fallback) == ("pt", True)
    assert reading_for("linha", "ar").shown == "pt"
    published(card, "en", author, reviewer, "Support line")
    assert reading_for("linha", "ar").shown == "en"
    assert reading_for("linha", "kea").shown == "pt"


def test_history_keeps_every_version(card, author):
    text = save_text(actor=author, item=card, language="pt", title="v3", summary="", body="")
    assert text.version == 3
    assert list(text.revisions.values_list("version", flat=True).order_by("id")) == [1, 2, 2, 3]


def test_unpublished_items_are_not_listed(author, reviewer, card):
    create_item(actor=author, slug="rascunho", kind=ItemKind.FAQ, source_language="pt", title="R")
    assert [r.item.slug for r in published_items("pt")] == ["linha"]


def test_only_content_editors_write(make_staff, unit, card):
    officer = make_staff(Role.FRONT_OFFICE_OFFICER, unit)
    with pytest.raises(PermissionDenied):
        save_text(actor=officer, item=card, language="fr", title="X", summary="", body="")


def test_every_step_is_audited(card):
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"content.item.created", "content.text.saved", "content.text.submitted",
            "content.text.published"} <= actions  # fmt: skip


def test_readers_of_an_outdated_translation_are_told(card, author, reviewer, client):
    published(card, "en", author, reviewer, "Support line")
    published(card, "pt", author, reviewer, "Linha de Apoio ao Migrante")
    reading = reading_for("linha", "en")
    assert reading.is_outdated
    body = client.get("/en/info/linha/").content.decode()
    assert 'href="/en/info/linha/pt/"' in body
    assert "Support line" in body


def test_a_translation_made_from_an_older_source_is_outdated_once_published(card, author, reviewer):
    text = save_text(actor=author, item=card, language="fr", title="Ligne", summary="", body="")
    published(card, "pt", author, reviewer, "Linha de Apoio ao Migrante")  # the source moves on
    submit_for_review(actor=author, translation=text)
    text.refresh_from_db()
    publish(actor=reviewer, translation=text)
    text.refresh_from_db()
    assert text.status == TranslationStatus.OUTDATED
    assert reading_for("linha", "fr").revision.title == "Ligne"


def test_coverage_counts_each_language(card, author, reviewer):
    published(card, "en", author, reviewer, "Support line")
    save_text(actor=author, item=card, language="fr", title="Ligne", summary="", body="")
    create_item(actor=author, slug="outro", kind=ItemKind.FAQ, source_language="pt", title="O")
    rows = {row.language: row for row in coverage()}
    assert (rows["pt"].published, rows["pt"].in_progress, rows["pt"].missing) == (1, 1, 0)
    assert (rows["en"].published, rows["en"].missing) == (1, 1)
    assert (rows["fr"].in_progress, rows["fr"].missing) == (1, 1)
    assert rows["ar"].missing == 2


def test_a_campaign_has_a_period_channels_and_reach(card, author, client, unit):
    desk = praia_desk(unit, name="Atendimento de Praia")
    update_item_settings(
        actor=author, item=card, topic=None, audience="Trabalhadores sazonais",
        services=[desk.service], unit=unit,
        period_start=date(2026, 12, 1), period_end=date(2027, 1, 31),
        channels=["radio", "posters", "nonsense"], reach={"radio": 12000, "posters": 800, "tv": 5},
    )  # fmt: skip
    card.refresh_from_db()
    assert card.channels == ["radio", "posters"]
    assert card.reach == {"radio": 12000, "posters": 800}
    card.kind = ItemKind.CAMPAIGN
    card.save(update_fields=["kind"])
    body = client.get("/pt/info/linha/").content.decode()
    assert "Atendimento de Praia" in body
    assert f"/pt/directory/{desk.pk}/" in body
    assert "Trabalhadores sazonais" in body


def test_a_campaign_cannot_end_before_it_starts(card, author):
    with pytest.raises(ValidationError):
        update_item_settings(
            actor=author, item=card, topic=None, audience="", services=[], unit=None,
            period_start=date(2027, 1, 1), period_end=date(2026, 1, 1),
        )  # fmt: skip


def test_a_text_is_published_only_at_the_version_its_reviewer_saw(card, author, reviewer):
    seen = save_text(actor=author, item=card, language="en", title="Line", summary="", body="")
    submit_for_review(actor=author, translation=seen)
    seen_version = seen.version
    newer = save_text(actor=author, item=card, language="en", title="Lines", summary="", body="")
    submit_for_review(actor=author, translation=newer)
    with pytest.raises(TextChanged):
        publish(actor=reviewer, translation=newer, expected_version=seen_version)
    newer.refresh_from_db()
    assert (newer.status, newer.version) == (TranslationStatus.IN_REVIEW, seen_version + 1)
    assert not newer.revisions.filter(status=TranslationStatus.PUBLISHED).exists()


def test_a_step_checks_the_stored_text_not_the_copy_it_is_given(card, author, reviewer):
    text = save_text(actor=author, item=card, language="en", title="Line", summary="", body="")
    copy = card.translations.get(language="en")
    submit_for_review(actor=author, translation=text)
    with pytest.raises(TextChanged):
        submit_for_review(actor=author, translation=copy)  # the copy still says "draft"
    publish(actor=reviewer, translation=text)
    with pytest.raises(TextChanged):
        publish(actor=reviewer, translation=copy)
    assert AuditEntry.objects.filter(action="content.text.submitted").count() == 2
    assert AuditEntry.objects.filter(action="content.text.published").count() == 2
