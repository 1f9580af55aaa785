"""The list of information items: each known by its title in the editor's language, or by the
nearest title with a note saying which language it is in."""

import pytest
from django.test import Client
from django.utils import translation
from django.utils.html import escape

from coop4int.accounts.enums import Role
from coop4int.content.domain.workflow import create_item, save_text
from coop4int.content.enums import ItemKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def author(make_staff, national_unit):
    return make_staff(Role.CONTENT_EDITOR, national_unit)


@pytest.fixture
def items(author):
    """A card written in Portuguese and translated into French, and a guide only in
    Portuguese."""
    card = create_item(actor=author, slug="linha", kind=ItemKind.CARD, source_language="pt",
                       title="Linha de Apoio")  # fmt: skip
    save_text(actor=author, item=card, language="fr", title="Ligne d'écoute", summary="",
              body="")  # fmt: skip
    create_item(actor=author, slug="visto", kind=ItemKind.GUIDE, source_language="pt",
                title="Pedir um visto")  # fmt: skip


def _list(login_verified, author, language: str) -> str:
    client = Client()
    login_verified(client, author)
    client.cookies["django_language"] = language
    return client.get("/staff/content/").content.decode()


def _note(language: str, shown: str) -> str:
    with translation.override(language):
        return escape(
            translation.gettext("Shown in %(language)s: not yet available in your language.")
            % {"language": shown}
        )


def test_items_are_listed_by_their_title_in_the_editors_language(login_verified, author, items):
    body = _list(login_verified, author, "fr")
    assert 'lang="fr">Ligne d&#x27;écoute</a>' in body
    assert ">linha</a>" not in body


def test_an_item_without_a_title_in_the_editors_language_shows_the_nearest_marked(
    login_verified, author, items
):
    body = _list(login_verified, author, "fr")
    assert 'lang="pt">Pedir um visto</a>' in body
    assert body.count(_note("fr", "Português")) == 1  # the guide's; the card is in French


def test_a_creole_reader_sees_the_portuguese_title_marked(login_verified, author, items):
    body = _list(login_verified, author, "kea")
    assert 'lang="pt">Linha de Apoio</a>' in body
    assert body.count(_note("kea", "Português")) == 2
