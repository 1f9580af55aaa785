"""The information workflow from its page: a step taken from a page that is out of date, a
button pressed twice or a step that is not the person's to take is refused with a message in
their language, keeps what was typed and changes nothing."""

import pytest
from django.test import Client
from django.utils import translation
from django.utils.html import escape

from coop4int.accounts.enums import Role
from coop4int.content.domain.workflow import create_item, publish, save_text, submit_for_review
from coop4int.content.enums import ItemKind, TranslationStatus
from coop4int.content.models import ContentItem, Revision, Translation
from coop4int.core.models import AuditEntry

pytestmark = pytest.mark.django_db

URL = "/staff/content/linha/pt/"


@pytest.fixture
def author(make_staff, national_unit):
    return make_staff(Role.CONTENT_EDITOR, national_unit)


@pytest.fixture
def reviewer(make_staff, national_unit):
    return make_staff(Role.CONTENT_EDITOR, national_unit)


@pytest.fixture
def card(author) -> ContentItem:
    return create_item(
        actor=author, slug="linha", kind=ItemKind.CARD, source_language="pt", title="Linha"
    )


def _client(login_verified, user) -> Client:
    client = Client()
    login_verified(client, user)
    client.cookies["django_language"] = "fr"
    return client


def _french(message: str) -> str:
    with translation.override("fr"):
        return translation.gettext(message)


def _in_review(card: ContentItem, author, title: str = "Linha de Apoio") -> Translation:
    text = save_text(actor=author, item=card, language="pt", title=title, summary="", body="")
    submit_for_review(actor=author, translation=text)
    text.refresh_from_db()
    return text


def _state(card: ContentItem) -> tuple[object, ...]:
    text = card.translations.get(language="pt")
    return (
        text.version,
        text.status,
        text.title,
        Revision.objects.filter(translation=text).count(),
        AuditEntry.objects.filter(action__startswith="content.text.").count(),
    )


def test_the_page_names_the_version_it_shows_in_each_form(login_verified, card, author):
    text = _in_review(card, author)
    body = _client(login_verified, author).get(URL).content.decode()
    assert body.count(f'name="version" value="{text.version}"') == 2


def test_publishing_from_a_page_opened_before_someone_else_published_is_refused(
    login_verified, card, author, reviewer, make_staff, national_unit
):
    text = _in_review(card, author)
    shown = text.version  # the reviewer's tab is open on this version
    publish(actor=make_staff(Role.CONTENT_EDITOR, national_unit), translation=text)
    before = _state(card)

    response = _client(login_verified, reviewer).post(URL, {"action": "publish", "version": shown})

    assert response.status_code == 409
    assert escape(_french("This text was already published.")) in response.content.decode()
    assert _state(card) == before


def test_publishing_a_text_changed_since_the_page_was_opened_is_refused(
    login_verified, card, author, reviewer
):
    shown = _in_review(card, author, title="Linha de Apoio").version
    # Meanwhile the author rewrites it and sends the new version for review.
    _in_review(card, author, title="Linha de Apoio ao Migrante")
    before = _state(card)

    response = _client(login_verified, reviewer).post(URL, {"action": "publish", "version": shown})

    body = response.content.decode()
    assert response.status_code == 409
    message = "This text was changed since you opened it, so nothing was done. "
    assert escape(_french(message + "Check the current version and try again.")) in body
    assert _state(card) == before
    assert card.translations.get(language="pt").status == TranslationStatus.IN_REVIEW
    assert not Revision.objects.filter(status=TranslationStatus.PUBLISHED).exists()


def test_a_step_from_a_page_that_does_not_say_which_version_it_showed_is_refused(
    login_verified, card, author, reviewer
):
    _in_review(card, author)
    before = _state(card)

    response = _client(login_verified, reviewer).post(URL, {"action": "publish"})

    assert response.status_code == 409
    assert _state(card) == before


def test_sending_for_review_twice_sends_it_once(login_verified, card, author):
    text = save_text(actor=author, item=card, language="pt", title="Linha", summary="", body="")
    client = _client(login_verified, author)

    first = client.post(URL, {"action": "submit", "version": text.version})
    before = _state(card)
    second = client.post(URL, {"action": "submit", "version": text.version})

    assert first.status_code == 302
    assert second.status_code == 409
    body = second.content.decode()
    assert escape(_french("This text was already sent for review.")) in body
    assert _state(card) == before
    assert AuditEntry.objects.filter(action="content.text.submitted").count() == 1


def test_the_author_publishing_their_own_text_is_refused(login_verified, card, author):
    text = _in_review(card, author)
    before = _state(card)

    response = _client(login_verified, author).post(
        URL, {"action": "publish", "version": text.version}
    )

    assert response.status_code == 400
    message = "Someone other than its author must review and publish it."
    assert escape(_french(message)) in response.content.decode()
    assert _state(card) == before
    assert not Revision.objects.filter(status=TranslationStatus.PUBLISHED).exists()


def test_text_typed_and_posted_with_a_refused_step_is_kept(login_verified, card, author):
    text = _in_review(card, author)

    response = _client(login_verified, author).post(
        URL,
        {"action": "publish", "version": text.version, "title": "Linha nova", "body": "Ligue."},
    )

    assert response.status_code == 400
    assert 'value="Linha nova"' in response.content.decode()
    assert card.translations.get(language="pt").title == "Linha de Apoio"


def test_saving_over_a_text_saved_by_someone_else_keeps_what_was_typed(
    login_verified, card, author, reviewer
):
    shown = card.translations.get(language="pt").version
    save_text(actor=author, item=card, language="pt", title="Deles", summary="", body="")
    before = _state(card)
    client = _client(login_verified, reviewer)
    typed = {"action": "save", "title": "Meu título", "summary": "", "body": "O meu texto."}

    response = client.post(URL, typed | {"version": shown})

    body = response.content.decode()
    assert response.status_code == 409
    message = (
        "Someone else saved this text since you opened it, so yours was not saved. "
        "It is kept below: save it again to replace theirs."
    )
    assert escape(_french(message)) in body
    assert 'value="Meu título"' in body
    assert "O meu texto." in body
    assert _state(card) == before
    # The form now names the current version: saving again is a choice made knowingly.
    current = card.translations.get(language="pt").version
    assert f'name="version" value="{current}"' in body
    assert client.post(URL, typed | {"version": current}).status_code == 302
    assert card.translations.get(language="pt").title == "Meu título"


def test_a_first_translation_saved_meanwhile_by_someone_else_is_not_replaced(
    login_verified, card, author, reviewer
):
    url = "/staff/content/linha/en/"
    save_text(actor=author, item=card, language="en", title="Theirs", summary="", body="")

    response = _client(login_verified, reviewer).post(
        url, {"action": "save", "version": 0, "title": "Mine", "summary": "", "body": ""}
    )

    assert response.status_code == 409
    assert card.translations.get(language="en").title == "Theirs"


def test_an_unknown_action_changes_nothing_and_says_so(login_verified, card, author):
    before = _state(card)
    client = _client(login_verified, author)
    response = client.post(URL, {"action": "delete"})
    assert response.status_code == 302
    assert response["Location"] == URL
    assert _state(card) == before
    said = _french("This page has no such action. Nothing was changed.")
    assert escape(said) in client.get(URL).content.decode()
