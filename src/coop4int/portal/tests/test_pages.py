import pytest
from django.urls import reverse
from django.utils import translation
from django.views.defaults import server_error

from coop4int.directory.tests.places import telephone_line

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["pt", "kea", "en", "fr"])
def test_public_home_has_a_language_prefix_and_says_its_language(client, language):
    with translation.override(language):
        url = reverse("portal:home")
    assert url == f"/{language}/"
    response = client.get(url)
    assert response.status_code == 200
    assert f'<html lang="{language}" dir="ltr"' in response.content.decode()


def test_root_sends_a_visitor_to_their_language(client):
    response = client.get("/", headers={"accept-language": "fr-FR,fr;q=0.9"})
    assert response.status_code == 302
    assert response["Location"] == "/fr/"


def test_root_defaults_to_portuguese_only_for_a_browser_that_names_no_language(client):
    assert client.get("/")["Location"] == "/pt/"
    # A language the interface lacks goes to the registry's fallback, not silently to Portuguese.
    response = client.get("/", headers={"accept-language": "ja"})
    assert response["Location"] == "/en/"


def test_language_switcher_keeps_the_page_and_changes_the_prefix(client):
    response = client.post(reverse("set_language"), {"language": "kea", "next": "/fr/"})
    assert response.status_code == 302
    assert response["Location"] == "/kea/"


def test_unknown_page_answers_404_with_the_styled_page_in_the_visitors_language(client):
    response = client.get("/fr/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert '<html lang="fr"' in body
    with translation.override("fr"):
        assert translation.gettext("Page not found") in body


def test_server_error_page_is_translated(rf):
    with translation.override("fr"):
        response = server_error(rf.get("/fr/"))
        expected = translation.gettext("Something went wrong")
    assert response.status_code == 500
    assert expected in response.content.decode()
    assert '<html lang="fr"' in response.content.decode()


def test_home_offers_the_support_lines_numbers_to_call_in_order(client):
    telephone_line(name="Linha Nacional de Apoio ao Imigrante", number="+238 800 10 10")
    telephone_line(name="Linha de Apoio a Migrantes", number="808 257 257", country="PT")
    fax_line = telephone_line(name="Linha só de fax", number="+238 800 20 20")
    fax_line.phones.update(type="fax")
    body = client.get("/pt/").content.decode()
    assert (
        'Linha Nacional de Apoio ao Imigrante — <a href="tel:+2388001010">'
        '<bdi dir="ltr" class="ltr">+238 800 10 10</bdi></a>'
    ) in body
    assert "Linha de Apoio a Migrantes" not in body  # a line of Portugal, not of Cabo Verde
    assert "Linha só de fax" not in body  # nothing to call there
