import re

import pytest
from django.core import mail
from django.utils import translation
from django.utils.html import escape

from coop4int.accounts.enums import Role
from coop4int.cases.domain.cases import open_case
from coop4int.cases.enums import Channel
from coop4int.content.domain.feedback import reply_to_feedback
from coop4int.content.domain.workflow import create_item, publish, save_text, submit_for_review
from coop4int.content.enums import FeedbackStatus, ItemKind
from coop4int.content.models import Feedback
from coop4int.directory.tests.places import praia_desk
from coop4int.observatory.domain.datasets import Provenance, Row, publish_dataset, store_dataset
from coop4int.observatory.domain.registry import create_indicator
from coop4int.observatory.enums import Concept, DatasetOrigin, FileFormat
from coop4int.portal.feedback_views import RATE_LIMIT

pytestmark = pytest.mark.django_db

MESSAGE = {"page": "/fr/directory/", "message": "L'horaire de Mindelo est faux.",
           "contact_email": "amina@example.org"}  # fmt: skip


def test_a_message_reaches_the_queue_with_its_page_and_language(client):
    response = client.post("/fr/feedback/", MESSAGE)
    assert response.status_code == 302
    assert response["Location"] == "/fr/directory/"
    feedback = Feedback.objects.get()
    assert (feedback.page, feedback.language, feedback.status) == ("/fr/directory/", "fr", "new")


def test_a_robot_filling_the_hidden_field_is_thanked_and_ignored(client):
    response = client.post("/pt/feedback/", MESSAGE | {"website": "http://spam.example"})
    assert response.status_code == 302
    assert not Feedback.objects.exists()


def test_too_many_messages_from_one_address_are_refused(client):
    for _ in range(RATE_LIMIT):
        assert client.post("/pt/feedback/", MESSAGE).status_code == 302
    response = client.post("/pt/feedback/", MESSAGE)
    assert response.status_code == 429
    assert Feedback.objects.count() == RATE_LIMIT
    assert "L&#x27;horaire de Mindelo est faux." in response.content.decode()  # kept as typed


def test_an_empty_message_is_refused_and_nothing_saved(client):
    response = client.post("/pt/feedback/", MESSAGE | {"message": ""})
    assert response.status_code == 200
    assert not Feedback.objects.exists()


def test_a_page_elsewhere_is_not_followed(client):
    response = client.post("/pt/feedback/", MESSAGE | {"page": "https://evil.example/"})
    assert response["Location"] == "/"


def test_the_reply_reaches_the_sender_in_the_language_of_the_page(
    client, make_staff, national_unit
):
    client.post("/fr/feedback/", MESSAGE)
    editor = make_staff(Role.CONTENT_EDITOR, national_unit)
    feedback = Feedback.objects.get()
    reply_to_feedback(actor=editor, feedback=feedback, text="Merci, c'est corrigé.")
    assert mail.outbox[0].to == ["amina@example.org"]
    assert "Merci, c'est corrigé." in mail.outbox[0].body
    with translation.override("fr"):
        thanks = translation.gettext("Thank you for your message about this page:")
    assert thanks in mail.outbox[0].body
    feedback.refresh_from_db()
    assert feedback.status == FeedbackStatus.DONE


def test_every_public_page_links_to_the_form(client):
    body = client.get("/kea/").content.decode()
    assert 'href="/kea/feedback/?page=/kea/"' in body


def test_feedback_from_the_tracking_page_keeps_neither_its_reference_nor_its_secret(client, unit):
    case, secret = open_case(
        actor=None, unit=unit, channel=Channel.WEB, subject="Visto", body="Preciso de ajuda."
    )
    follow = f"/fr/follow/{case.reference}/{secret}/"
    body = client.get(follow).content.decode()
    # The tracking page's own feedback link carries neither: a request line is logged.
    link = re.search(r'href="(/fr/feedback/\?page=[^"]*)"', body)
    assert link is not None
    assert secret not in link.group(1)
    assert case.reference not in link.group(1)

    # An address posted by hand (an old link) is cleaned all the same.
    form = client.get(f"/fr/feedback/?page={follow}")
    # The form carries the tracking address to go back to: kept by no cache, sent on nowhere.
    assert form["Cache-Control"] == "private, no-store"
    assert form["Referrer-Policy"] == "strict-origin"

    response = client.post("/fr/feedback/", MESSAGE | {"page": follow})

    assert response.status_code == 302
    assert response["Location"] == follow  # back to the person's own page
    feedback = Feedback.objects.get()
    assert (feedback.route, feedback.page, feedback.language) == ("portal:follow", "", "fr")
    for kept in (feedback.route, feedback.page, str(feedback)):
        assert secret not in kept
        assert case.reference not in kept


def test_feedback_about_a_public_page_is_not_made_private(client):
    response = client.get("/fr/feedback/?page=/fr/directory/")
    assert "no-store" not in response.get("Cache-Control", "")
    assert response.get("Referrer-Policy") != "strict-origin"


def _about(language: str, title: str) -> str:
    with translation.override(language):
        return translation.gettext("About the page: %(page)s") % {"page": title}


@pytest.fixture
def card(make_staff, national_unit):
    author = make_staff(Role.CONTENT_EDITOR, national_unit)
    reviewer = make_staff(Role.CONTENT_EDITOR, national_unit)
    item = create_item(actor=author, slug="linha", kind=ItemKind.CARD, source_language="pt",
                       title="Linha")  # fmt: skip
    for language, title in [("pt", "Linha de Apoio ao Migrante"), ("en", "Migrant Support Line")]:
        text = save_text(actor=author, item=item, language=language, title=title, summary="",
                         body="808 257 257")  # fmt: skip
        submit_for_review(actor=author, translation=text)
        publish(actor=reviewer, translation=text)
    return item


def test_the_form_names_a_card_by_its_title_in_the_language_of_the_page(client, card):
    body = client.get("/en/feedback/?page=/en/info/linha/").content.decode()
    assert _about("en", "Migrant Support Line") in body
    assert "About the page: /en/info/linha/" not in body
    body = client.get("/en/feedback/?page=/en/info/linha/pt/").content.decode()
    assert _about("en", "Linha de Apoio ao Migrante") in body


def test_the_form_names_a_service_a_list_or_a_leaflet_by_its_title(client, unit):
    sal = praia_desk(unit, name="Atendimento presencial — Praia")
    body = client.get(f"/pt/feedback/?page=/pt/directory/{sal.pk}/").content.decode()
    assert escape(_about("pt", "Atendimento presencial — Praia")) in body
    body = client.get("/fr/feedback/?page=/fr/directory/%3Fisland%3DSal").content.decode()
    with translation.override("fr"):
        assert escape(_about("fr", translation.gettext("Where to get help"))) in body
    body = client.get(f"/pt/feedback/?page=/pt/directory/leaflet/{unit.slug}/").content.decode()
    with translation.override("pt"):
        leaflet = translation.gettext("Services and contacts — %(unit)s") % {"unit": unit.name}
    assert escape(_about("pt", leaflet)) in body


def test_the_form_names_the_observatorys_pages_by_their_title(client):
    indicator = create_indicator(
        actor=None, code="FOREIGN_BORN", names={"pt": "Nascidos no estrangeiro",
        "fr": "Nés à l'étranger"}, definitions={}, notes={}, concept=Concept.FOREIGN_BORN,
        unit_measure="PS", decimals=0, dimensions=[], source="INE", periodicity="decennial",
    )  # fmt: skip
    draft = store_dataset(
        indicator=indicator, dimensions=[], rows=[Row("2021", (), 18562.0)],
        provenance=Provenance(source_name="INE"), origin=DatasetOrigin.IMPORTED, actor=None,
        file_format=FileFormat.CSV,
    )  # fmt: skip
    page = "/fr/observatory/indicators/FOREIGN_BORN/"
    body = client.get("/fr/feedback/", {"page": page}).content.decode()
    assert _about("fr", "") not in body  # a draft is no public page
    publish_dataset(dataset=draft, actor=None)
    body = client.get("/fr/feedback/", {"page": page}).content.decode()
    assert escape(_about("fr", "Nés à l'étranger")) in body
    body = client.get("/pt/feedback/", {"page": "/pt/observatory/"}).content.decode()
    with translation.override("pt"):
        assert escape(_about("pt", translation.gettext("Migration Observatory"))) in body


def test_the_form_names_no_page_it_cannot_name_and_stores_as_before(client, card, unit):
    case, secret = open_case(
        actor=None, unit=unit, channel=Channel.WEB, subject="Visto", body="Preciso de ajuda."
    )
    for address in ("/pt/info/gone/", "/pt/nowhere/", f"/pt/follow/{case.reference}/{secret}/"):
        body = client.get("/pt/feedback/", {"page": address}).content.decode()
        assert _about("pt", "") not in body, address
        assert f"{_about('pt', '')}{address}" not in body
    client.post("/en/feedback/", MESSAGE | {"page": "/en/info/linha/"})
    feedback = Feedback.objects.get()
    assert (feedback.route, feedback.page) == ("portal:info_detail", "/en/info/linha/")
