"""The staff directory editor speaks the editor's language: days by name, time zones in words, a
proposal's values in words; the service's own texts marked with the language they are in."""

import re

import pytest
from django.utils import translation

from coop4int.accounts.enums import Role
from coop4int.directory.models import ChangeProposal
from coop4int.directory.tests.places import praia_desk

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(unit):
    return praia_desk(unit)


@pytest.fixture
def editor_client(client, login_verified, make_staff, unit):
    login_verified(client, make_staff(Role.CONTENT_EDITOR, unit))
    client.cookies["django_language"] = "fr"
    return client


def _page(client, desk) -> str:
    response = client.get(f"/staff/directory/services/{desk.service_id}/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_hours_on_record_name_the_days_in_the_editors_language(editor_client, desk):
    page = _page(editor_client, desk)
    assert "<td>lundi, mardi, mercredi, jeudi et vendredi</td>" in page
    assert "MO,TU,WE,TH,FR" not in page


def test_the_time_zone_is_chosen_by_its_name_in_words(editor_client, desk):
    page = _page(editor_client, desk)
    assert '<option value="Europe/Lisbon">heure : Portugal (Lisbonne)</option>' in page
    assert re.search(
        r'<option value="Atlantic/Cape_Verde" selected>heure : Cap-Vert</option>', page
    )
    assert "Atlantic/Cape_Verde</option>" not in page


def test_the_services_own_texts_are_marked_with_their_language(editor_client, desk):
    page = _page(editor_client, desk)
    assert re.search(r'<textarea name="description"[^>]* lang="pt"', page)
    assert re.search(r'<input type="text" name="name"[^>]* lang="pt"', page)
    assert '<h1 lang="pt">Atendimento</h1>' in page
    # The languages a translation can be in are each named in their own language.
    assert '<option value="fr" lang="fr">Français (fr)</option>' in page


def test_a_proposal_shows_its_values_in_words_of_the_editors_language(
    editor_client, desk, make_staff, unit
):
    partner = make_staff(Role.PARTNER_USER, unit)
    proposal = ChangeProposal.objects.create(
        service=desk.service, proposed_by=partner,
        changes={"status": "temporarily closed", "walk_in": False, "languages": ["pt", "fr"],
                 "fees_description": "Gratuito"},
        original={"status": "active", "walk_in": True, "languages": ["pt"],
                  "fees_description": ""},
    )  # fmt: skip
    page = editor_client.get(f"/staff/directory/proposals/{proposal.pk}/").content.decode()
    with translation.override("fr"):
        closed = translation.gettext("Temporarily closed")
        yes = translation.pgettext("value of a yes-or-no field", "Yes")
    assert f"<ins>{closed}</ins>" in page
    assert f"<del>{yes}</del>" in page
    assert '<ins><span lang="pt">Português</span>, <span lang="fr">Français</span></ins>' in page
    assert '<ins><span lang="pt">Gratuito</span></ins>' in page
    assert "temporarily closed" not in page
    assert ">True<" not in page
