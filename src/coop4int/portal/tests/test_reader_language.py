"""A browser asking for a language the interface lacks: the interface the registry names for
it, a note saying so in the reader's language, and the texts in the reader's own language."""

import pytest
from django.utils.html import escape

from coop4int.accounts.enums import Role
from coop4int.content.domain.workflow import create_item, publish, save_text, submit_for_review
from coop4int.content.enums import ItemKind
from coop4int.core.fallback_notes import NOTES
from coop4int.core.languages import interface_fallback
from coop4int.core.middleware import reader_languages

pytestmark = pytest.mark.django_db


@pytest.fixture
def card(make_staff, national_unit):
    author = make_staff(Role.CONTENT_EDITOR, national_unit)
    reviewer = make_staff(Role.CONTENT_EDITOR, national_unit)
    item = create_item(
        actor=author, slug="linha", kind=ItemKind.CARD, source_language="pt", title="Linha"
    )
    for language, title in [("pt", "Linha de Apoio"), ("ar", "خط دعم المهاجرين")]:
        text = save_text(
            actor=author, item=item, language=language, title=title, summary="", body="808"
        )
        submit_for_review(actor=author, translation=text)
        publish(actor=reviewer, translation=text)
    return item


def test_an_arabic_browser_gets_french_never_silently_portuguese(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="ar")
    assert response.status_code == 302
    assert response["Location"].startswith("/fr/")
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    note = NOTES["ar"].format(shown="Français")
    assert f'lang="ar" dir="rtl">{escape(note)}</p>' in page


@pytest.mark.parametrize(
    ("header", "interface"),
    [
        ("ar", "fr"),
        ("ar-MA,ar;q=0.9", "fr"),
        ("uk", "en"),
        ("ar, en;q=0.5", "en"),  # the reader said they read English
        ("zz, es", "en"),
        ("kea", "kea"),
        ("pt-PT", "pt"),
    ],
)
def test_the_interface_follows_the_registry_for_each_header(client, header, interface):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE=header)
    assert response["Location"].startswith(f"/{interface}/")


def test_a_language_chosen_on_the_site_wins_over_the_browser(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "pt"
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="ar")
    assert response["Location"].startswith("/pt/")


def test_an_interface_language_has_no_note(client):
    page = client.get("/fr/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert NOTES["ar"].split(".")[0] not in page


def test_the_arabic_reader_reads_the_cards_in_arabic_on_the_french_interface(client, card):
    listing = client.get("/fr/info/", HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert "خط دعم المهاجرين" in listing
    assert 'href="/fr/info/linha/ar/"' in listing
    detail = client.get("/fr/info/linha/", HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert '<article lang="ar" dir="rtl"' in detail
    # A reader who chose Portuguese reads Portuguese.
    chosen = client.get("/pt/info/linha/", HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert '<article lang="pt"' in chosen


def test_the_picker_offers_the_content_languages(client, card):
    page = client.get("/en/info/").content.decode()
    assert 'href="/en/info/?lang=ar"' in page
    assert 'href="/en/info/?lang=uk"' in page
    listing = client.get("/en/info/?lang=ar").content.decode()
    assert "خط دعم المهاجرين" in listing


def test_cached_directory_pages_vary_with_the_readers_language(client):
    first = client.get("/fr/directory/", HTTP_ACCEPT_LANGUAGE="ar")
    assert "Accept-Language" in first["Vary"]
    french = client.get("/fr/directory/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert NOTES["ar"].format(shown="Français") not in french


def test_registry_fallbacks_never_default_to_portuguese():
    for code in ("ar", "wo", "ff", "man", "uk", "zh", "ur", "fa", "es"):
        assert interface_fallback(code) != "pt"
    assert reader_languages("ar-EG, xx;q=0.8, fr;q=0.5, *;q=0.1") == ["ar", "fr"]
