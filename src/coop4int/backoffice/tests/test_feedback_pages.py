"""The editors' feedback pages show where a message came from, never a private address."""

import pytest
from django.utils import translation

from coop4int.accounts.enums import Role
from coop4int.content.domain.feedback import receive_feedback

pytestmark = pytest.mark.django_db

SECRET = "q8Zr3vYw-Secret_Token-x1Nc5Lk"
REFERENCE = "K7MX-4QF9"


@pytest.fixture
def editor_client(client, login_verified, make_staff, national_unit):
    login_verified(client, make_staff(Role.CONTENT_EDITOR, national_unit))
    client.cookies["django_language"] = "fr"
    return client


def _french(message: str) -> str:
    with translation.override("fr"):
        return translation.gettext(message)


def _receive(page: str):
    return receive_feedback(
        page=page, language="fr", message="Je ne trouve pas la réponse.", contact_email=""
    )


def test_feedback_from_a_tracking_page_shows_its_route_and_no_secret(editor_client):
    feedback = _receive(f"/fr/follow/{REFERENCE}/{SECRET}/")

    queue = editor_client.get("/staff/feedback/").content.decode()
    detail = editor_client.get(f"/staff/feedback/{feedback.pk}/").content.decode()

    for body in (queue, detail):
        assert SECRET not in body
        assert REFERENCE not in body
        assert "portal:follow" in body
    assert "/follow/" not in detail
    assert _french("Its address is not kept because it holds private details.") in detail


def test_feedback_from_a_public_page_links_to_it(editor_client):
    feedback = _receive("/fr/info/linha/?from=home")

    detail = editor_client.get(f"/staff/feedback/{feedback.pk}/").content.decode()

    assert '<a href="/fr/info/linha/">/fr/info/linha/</a>' in detail
    assert "from=home" not in detail
