"""The language of a case on its page: a detected language is marked "detected", and an
officer corrects it (or confirms it) through its own small form, audited."""

import re

import pytest
from django.contrib.messages import get_messages
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from coop4int.accounts.enums import Role
from coop4int.cases.domain.case_language import (
    LANGUAGE_CHANGED,
    language_of_case,
    record_detected_language,
)
from coop4int.cases.domain.intake import Contact, receive_contact
from coop4int.cases.enums import Channel
from coop4int.core.language_detection import DetectedLanguage
from coop4int.core.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def detected_case(unit):
    """A case opened from an e-mail in French that did not say its language."""
    case = receive_contact(
        actor=None,
        unit=unit,
        contact=Contact(
            channel=Channel.EMAIL, subject="Titre de séjour", body="Bonjour…", language="fr",
            email="awa@example.org",
        ),
    ).case  # fmt: skip
    record_detected_language(case=case, detected=DetectedLanguage("fr", 0.98))
    return case


def shown(case, user) -> str:
    request = RequestFactory().get("/")
    request.user = user
    with translation.override("en"):
        return render_to_string(
            "backoffice/includes/case_language.html", {"case": case}, request=request
        )


def test_a_detected_language_is_shown_marked_detected(detected_case, unit, make_staff):
    html = shown(detected_case, make_staff(Role.FRONT_OFFICE_OFFICER, unit))

    assert "Français" in html
    assert "data-detected" in html
    assert ">detected<" in html
    assert "Confirm or correct the language" in html
    url = reverse("backoffice:case_language", args=[detected_case.reference])
    assert f'action="{url}"' in html
    # The form names the case's version and offers the language it has.
    assert re.search(rf'name="case-language-version" value="{detected_case.version}"', html)
    assert re.search(r'<option value="fr" selected>', html)


def test_a_language_given_by_the_channel_is_not_marked(unit, make_staff):
    case = receive_contact(
        actor=None, unit=unit,
        contact=Contact(channel=Channel.WEB, subject="Pedido", body="Olá", language="pt",
                        email="ana@example.org"),
    ).case  # fmt: skip

    html = shown(case, make_staff(Role.FRONT_OFFICE_OFFICER, unit))

    assert "Português" in html
    assert "data-detected" not in html
    assert "Correct the language" in html


def test_an_officer_corrects_the_language_on_the_case_page(
    client, login_verified, make_staff, unit, detected_case
):
    officer = make_staff(Role.FRONT_OFFICE_OFFICER, unit)
    login_verified(client, officer)
    url = reverse("backoffice:case_language", args=[detected_case.reference])

    response = client.post(
        url, {"case-language-language": "en", "case-language-version": detected_case.version}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("backoffice:case_detail", args=[detected_case.reference])
    detected_case.refresh_from_db()
    assert detected_case.language == "en"
    assert not language_of_case(detected_case).detected
    entry = AuditEntry.objects.get(action=LANGUAGE_CHANGED)
    assert (entry.actor, entry.data) == (officer, {"from": "fr", "to": "en", "was_detected": True})
    assert "data-detected" not in shown(detected_case, officer)


@pytest.mark.parametrize(
    "data",
    [
        pytest.param({"case-language-language": "xx", "case-language-version": 1}, id="unknown"),
        pytest.param({"case-language-language": "en"}, id="no-version"),
        pytest.param({"case-language-language": "en", "case-language-version": 99}, id="stale"),
    ],
)
def test_a_bad_correction_says_why_and_changes_nothing(
    client, login_verified, make_staff, unit, detected_case, data
):
    login_verified(client, make_staff(Role.FRONT_OFFICE_OFFICER, unit))
    url = reverse("backoffice:case_language", args=[detected_case.reference])

    response = client.post(url, data)

    assert response.status_code == 302
    [message] = list(get_messages(response.wsgi_request))
    assert message.level_tag == "error"
    detected_case.refresh_from_db()
    assert detected_case.language == "fr"
    assert language_of_case(detected_case).detected
    assert not AuditEntry.objects.filter(action=LANGUAGE_CHANGED).exists()


def test_the_refusal_is_in_the_officers_language(
    client, login_verified, make_staff, unit, detected_case
):
    officer = make_staff(Role.FRONT_OFFICE_OFFICER, unit)
    login_verified(client, officer)
    url = reverse("backoffice:case_language", args=[detected_case.reference])

    response = client.post(
        url,
        {"case-language-language": "xx", "case-language-version": 1},
        HTTP_ACCEPT_LANGUAGE="pt",
    )

    [message] = list(get_messages(response.wsgi_request))
    with translation.override("pt"):
        expected = translation.gettext("Choose a language from the list. Nothing was changed.")
    assert str(message) == expected
