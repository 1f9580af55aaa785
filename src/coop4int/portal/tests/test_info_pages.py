import pytest
from django.utils import translation
from django.utils.html import escape

from coop4int.accounts.enums import Role
from coop4int.content.domain.workflow import create_item, publish, save_text, submit_for_review
from coop4int.content.enums import ItemKind
from coop4int.directory.tests.places import praia_desk

pytestmark = pytest.mark.django_db


@pytest.fixture
def card(make_staff, national_unit):
    author = make_staff(Role.CONTENT_EDITOR, national_unit)
    reviewer = make_staff(Role.CONTENT_EDITOR, national_unit)
    item = create_item(
        actor=author, slug="linha", kind=ItemKind.CARD, source_language="pt", title="Linha"
    )
    for language, title, body in [
        ("pt", "Linha de Apoio ao Migrante", "Ligue **808 257 257**."),
        ("ar", "خط دعم المهاجرين", "اتصل بالرقم 808 257 257 أو Migrant Support Line."),
    ]:
        text = save_text(
            actor=author, item=item, language=language, title=title, summary="", body=body
        )
        submit_for_review(actor=author, translation=text)
        publish(actor=reviewer, translation=text)
    return item


def test_arabic_text_is_marked_right_to_left(client, card):
    body = client.get("/en/info/linha/ar/").content.decode()
    assert '<article lang="ar" dir="rtl" class="info"' in body
    assert "808 257 257" in body
    assert '<html lang="en" dir="ltr"' in body  # the page around it stays in English


def test_creole_reader_sees_portuguese_with_a_note_in_creole(client, card):
    body = client.get("/kea/info/linha/").content.decode()
    assert '<article lang="pt" dir="ltr" class="info"' in body
    with translation.override("kea"):
        note = translation.gettext(
            "This text is not yet available in %(asked)s. It is shown in %(shown)s."
        ) % {"asked": "Kabuverdianu", "shown": "Português"}
    assert escape(note) in body
    assert 'href="/kea/info/linha/ar/"' in body  # the languages that exist


def test_reader_asking_for_ukrainian_gets_the_note_in_ukrainian_and_in_the_page_language(
    client, card
):
    body = client.get("/fr/info/linha/uk/").content.decode()
    assert '<article lang="pt" dir="ltr" class="info"' in body  # no English text: Portuguese
    assert '<p lang="uk" dir="ltr">Цей текст ще недоступний вашою мовою.' in body
    with translation.override("fr"):
        note = translation.gettext(
            "This text is not yet available in %(asked)s. It is shown in %(shown)s."
        ) % {"asked": "Українська", "shown": "Português"}
    assert f'<p lang="fr" dir="ltr">{escape(note)}</p>' in body


def test_note_in_a_right_to_left_language_is_marked_so(client, card):
    body = client.get("/en/info/linha/fa/").content.decode()
    assert '<p lang="fa" dir="rtl">این متن هنوز به زبان شما موجود نیست.' in body


def test_markdown_is_rendered(client, card):
    body = client.get("/pt/info/linha/").content.decode()
    assert '<strong><bdi dir="ltr" class="ltr">808 257 257</bdi></strong>' in body


def test_arabic_card_keeps_the_phone_number_in_one_left_to_right_isolate(client, card):
    body = client.get("/en/info/linha/ar/").content.decode()
    assert 'اتصل بالرقم <bdi dir="ltr" class="ltr">808 257 257</bdi> أو' in body


def test_unknown_item_or_language_answers_404(client, card):
    assert client.get("/pt/info/nothing/").status_code == 404
    assert client.get("/pt/info/linha/xx/").status_code == 404


def test_list_shows_published_items_in_the_readers_language(client, card):
    body = client.get("/pt/info/").content.decode()
    assert "Linha de Apoio ao Migrante" in body


def test_search_page_finds_a_card_without_accents(client, card):
    body = client.get("/pt/search/", {"q": "MIGRANTE 808"}).content.decode()
    assert 'href="/pt/info/linha/pt/"' in body
    assert "<mark>" in body


def test_search_page_finds_directory_services(client, unit):
    praia_desk(unit, name="Atendimento de Imigração")
    body = client.get("/en/search/", {"q": "imigracao"}).content.decode()
    assert "/en/directory/" in body
