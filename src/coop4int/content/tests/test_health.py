"""The health of each unit's information: red when a review date has passed or readers get a
translation behind its source, amber when a review is due within 30 days or a language the
unit's public needs has no published text, green otherwise — worked out for a given day."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coop4int.accounts.enums import Role
from coop4int.content.domain.health import content_health, content_health_for_user
from coop4int.content.domain.workflow import create_item, publish, save_text, submit_for_review
from coop4int.content.enums import Health, ItemKind
from coop4int.content.models import ContentItem
from coop4int.directory.tests.places import praia_desk

TODAY = date(2026, 6, 1)
PUBLISHED = date(2026, 1, 10)  # due again 2027-01-10: green on TODAY
WEBSITE = ("pt", "kea", "en", "fr")  # the languages of the public site


@pytest.fixture
def author(make_staff, unit):
    return make_staff(Role.CONTENT_EDITOR, unit)


@pytest.fixture
def reviewer(make_staff, national_unit):
    return make_staff(Role.CONTENT_EDITOR, national_unit)


@pytest.fixture
def publish_text(author, reviewer):
    def publish_text(item: ContentItem, language: str, title: str = "T", on=PUBLISHED) -> None:
        text = save_text(
            actor=author, item=item, language=language, title=title, summary="", body=""
        )
        submit_for_review(actor=author, translation=text)
        publish(actor=reviewer, translation=text, today=on)

    return publish_text


@pytest.fixture
def make_card(author, publish_text):
    """A card of Praia published in ``languages``, its source first."""

    def make_card(slug: str, languages=WEBSITE, actor=None) -> ContentItem:
        item = create_item(
            actor=actor or author, slug=slug, kind=ItemKind.CARD, source_language="pt",
            title=slug.capitalize(), today=PUBLISHED,
        )  # fmt: skip
        for language in languages:
            publish_text(item, language, title=f"{slug} [{language}]")
        item.refresh_from_db()
        return item

    return make_card


def _praia(healths):
    [health] = [h for h in healths if h.unit is not None and h.unit.slug == "praia"]
    return health


def _item(health, slug):
    [item] = [i for i in health.items if i.item.slug == slug]
    return item


def test_an_item_checked_this_year_in_every_needed_language_is_green(make_card):
    make_card("linha")

    health = _praia(content_health(today=TODAY))

    item = _item(health, "linha")
    assert (item.light, health.light) == (Health.GREEN, Health.GREEN)
    assert health.needed == WEBSITE
    assert (item.outdated, item.missing, item.past_review, item.review_due_soon) == (
        (), (), False, False
    )  # fmt: skip


def test_an_item_past_its_review_date_is_red(make_card):
    card = make_card("mascara")
    ContentItem.objects.filter(pk=card.pk).update(review_by=date(2026, 5, 31))

    item = _item(_praia(content_health(today=TODAY)), "mascara")

    assert (item.past_review, item.light) == (True, Health.RED)
    assert _item(_praia(content_health(today=date(2026, 5, 31))), "mascara").light == (
        Health.AMBER  # due today, not yet past
    )


def test_readers_of_a_translation_behind_its_source_make_the_item_red(make_card, publish_text):
    card = make_card("mascara")
    publish_text(card, "pt", title="Sem máscara")  # the source changes: the others fall behind
    publish_text(card, "en", title="No mask")

    item = _item(_praia(content_health(today=TODAY)), "mascara")

    assert item.outdated == ("kea", "fr")
    assert item.light == Health.RED


def test_a_translation_being_updated_is_still_behind_for_its_readers(
    make_card, publish_text, author
):
    card = make_card("mascara")
    publish_text(card, "pt", title="Sem máscara")
    # Someone starts bringing French up to date: French readers still get the old text.
    save_text(actor=author, item=card, language="fr", title="Sans masque", summary="", body="")

    assert "fr" in _item(_praia(content_health(today=TODAY)), "mascara").outdated


@pytest.mark.parametrize(("days", "light"), [(0, Health.AMBER), (30, Health.AMBER),
                                             (31, Health.GREEN)])  # fmt: skip
def test_a_review_due_within_30_days_is_amber(make_card, days, light):
    card = make_card("linha")
    ContentItem.objects.filter(pk=card.pk).update(review_by=TODAY + timedelta(days=days))

    item = _item(_praia(content_health(today=TODAY)), "linha")

    assert item.review_due_soon is (light == Health.AMBER)
    assert item.light == light


def test_a_needed_language_without_a_published_text_is_amber(make_card, author):
    card = make_card("linha", languages=("pt", "en", "fr"))
    save_text(actor=author, item=card, language="kea", title="Linha", summary="", body="")

    item = _item(_praia(content_health(today=TODAY)), "linha")

    assert (item.missing, item.being_translated, item.light) == (("kea",), ("kea",), Health.AMBER)


def test_a_unit_needs_the_languages_its_directory_entries_serve_in(make_card, unit):
    praia_desk(unit, languages=("pt", "wo", "ar"))
    make_card("linha")

    health = _praia(content_health(today=TODAY))

    assert health.needed == ("pt", "kea", "en", "fr", "ar", "wo")
    assert _item(health, "linha").missing == ("ar", "wo")
    assert (health.missing, health.light) == (2, Health.AMBER)


def test_drafts_and_ended_campaigns_are_not_looked_at(make_card, author, publish_text):
    create_item(actor=author, slug="rascunho", kind=ItemKind.CARD, source_language="pt",
                title="Rascunho", today=date(2020, 1, 1))  # fmt: skip
    campaign = make_card("campanha", languages=("pt",))
    ContentItem.objects.filter(pk=campaign.pk).update(
        kind=ItemKind.CAMPAIGN, period_end=TODAY - timedelta(days=1), review_by=date(2026, 1, 1)
    )
    running = make_card("campanha-2", languages=("pt",))
    ContentItem.objects.filter(pk=running.pk).update(kind=ItemKind.CAMPAIGN, period_end=TODAY)

    health = _praia(content_health(today=TODAY))

    assert [i.item.slug for i in health.items] == ["campanha-2"]


def test_a_unit_is_as_red_as_its_worst_item_and_the_worst_come_first(make_card):
    make_card("linha")
    late = make_card("mascara")
    soon = make_card("vacina")
    ContentItem.objects.filter(pk=late.pk).update(review_by=date(2026, 1, 1))
    ContentItem.objects.filter(pk=soon.pk).update(review_by=TODAY)

    health = _praia(content_health(today=TODAY))

    assert [(i.item.slug, i.light) for i in health.items] == [
        ("mascara", Health.RED), ("vacina", Health.AMBER), ("linha", Health.GREEN)
    ]  # fmt: skip
    assert [i.item.slug for i in health.attention] == ["mascara", "vacina"]
    assert (health.light, health.past_review, health.due_soon) == (Health.RED, 1, 1)


def test_items_belong_to_their_responsible_unit(
    make_card, make_staff, other_unit, national_unit, author
):
    make_card("linha")
    make_card("mindelo", actor=make_staff(Role.CONTENT_EDITOR, other_unit))
    nobody = make_staff(Role.CONTENT_EDITOR, None)
    make_card("sem-unidade", actor=nobody)

    healths = content_health(today=TODAY)

    assert {(h.unit.slug if h.unit else None, tuple(i.item.slug for i in h.items))
            for h in healths} == {
        ("praia", ("linha",)), ("mindelo", ("mindelo",)), (None, ("sem-unidade",))
    }  # fmt: skip
    assert healths[-1].unit is None  # the items of no unit come last
    assert {h.unit for h in content_health(today=TODAY, include_no_unit=False)} == {
        author.unit, other_unit
    }  # fmt: skip


def test_editors_see_every_unit_coordinators_their_own_and_others_nothing(
    make_card, make_staff, unit, other_unit
):
    make_card("linha")
    make_card("mindelo", actor=make_staff(Role.CONTENT_EDITOR, other_unit))
    make_card("sem-unidade", actor=make_staff(Role.CONTENT_EDITOR, None))

    def seen(role, where):
        user = make_staff(role, where)
        return {h.unit.slug if h.unit else None for h in content_health_for_user(user, today=TODAY)}

    assert seen(Role.CONTENT_EDITOR, other_unit) == {"praia", "mindelo", None}
    assert seen(Role.ADMINISTRATOR, unit) == {"praia", "mindelo", None}
    assert seen(Role.UNIT_COORDINATOR, unit) == {"praia"}
    assert seen(Role.UNIT_COORDINATOR, other_unit) == {"mindelo"}
    for role in (Role.FRONT_OFFICE_OFFICER, Role.TRAINER, Role.ANALYST, Role.PARTNER_USER):
        assert seen(role, unit) == set()


def test_the_health_of_every_unit_is_read_in_a_fixed_number_of_queries(
    make_card, make_staff, other_unit, unit
):
    praia_desk(unit, languages=("pt", "wo"))
    make_card("linha")

    with CaptureQueriesContext(connection) as few:
        content_health(today=TODAY)
    for n in range(4):
        make_card(f"cartao-{n}", actor=make_staff(Role.CONTENT_EDITOR, other_unit))
    with CaptureQueriesContext(connection) as many:
        healths = content_health(today=TODAY)

    assert sum(len(h.items) for h in healths) == 5
    assert len(many.captured_queries) == len(few.captured_queries) <= 5
