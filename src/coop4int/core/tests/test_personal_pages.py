"""Every page for one person says ``Cache-Control: private, no-store``: the back office (its
pages, case files, CSV exports, the log-in page), any page to a logged-in user, a person's
tracking pages; the public pages stay cacheable for everyone else."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.cache import get_max_age

from coop4int.accounts.enums import Role
from coop4int.cases.domain.cases import open_case
from coop4int.cases.enums import Channel, Direction
from coop4int.people.domain.people import PersonDetails, register_person

pytestmark = pytest.mark.django_db


def _directives(response) -> set[str]:  # type: ignore[no-untyped-def]
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


def assert_personal(response) -> None:  # type: ignore[no-untyped-def]
    directives = _directives(response)
    assert {"private", "no-store"} <= directives, response.get("Cache-Control")
    assert "public" not in directives
    assert not get_max_age(response)  # no lifetime for anyone to keep it by
    assert "Content-Encoding" not in response  # and never compressed (BREACH)


@pytest.fixture
def coordinator(make_staff, unit):
    return make_staff(Role.UNIT_COORDINATOR, unit, username="coordenadora")


@pytest.fixture
def desk(client, login_verified, coordinator):
    login_verified(client, coordinator)
    return client


def test_back_office_pages(desk, unit, coordinator):
    person = register_person(
        actor=coordinator, unit=unit, details=PersonDetails(given_names="Aminata")
    )
    case, _secret = open_case(
        actor=coordinator, unit=unit, channel=Channel.WALK_IN, subject="Visto", person=person
    )
    for url in (
        reverse("backoffice:home"),
        reverse("backoffice:case_inbox"),
        reverse("backoffice:case_detail", args=[case.reference]),
        reverse("backoffice:person_detail", args=[person.pk]),
    ):
        response = desk.get(url, HTTP_ACCEPT_ENCODING="gzip")
        assert response.status_code == 200, url
        assert_personal(response)


def test_the_log_in_page_before_anyone_is_logged_in(client):
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    assert_personal(response)


def test_a_back_office_redirect_for_someone_not_logged_in(client):
    response = client.get(reverse("backoffice:case_inbox"))
    assert response.status_code == 302
    assert_personal(response)


def test_a_case_file_download(desk, unit, coordinator, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    case, _secret = open_case(
        actor=coordinator, unit=unit, channel=Channel.WALK_IN, subject="Visto"
    )
    url = reverse("backoffice:case_detail", args=[case.reference])
    pdf = SimpleUploadedFile("lista.pdf", b"%PDF-1.4 lista de documentos", "application/pdf")
    desk.post(url, {"action": "reply", "reply-channel": "walk_in", "reply-body": "Segue a lista",
                    "reply-version": case.version, "reply-attachment": pdf})  # fmt: skip
    attached = case.interactions.get(direction=Direction.OUT).files.get()

    response = desk.get(reverse("backoffice:case_file", args=[case.reference, attached.pk]))

    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(b"%PDF")  # read, and so closed
    assert_personal(response)


def test_a_csv_export(desk, unit):
    response = desk.get(
        reverse("backoffice:case_statistics"),
        {"start": "2025-03-01", "end": "2025-03-31", "unit": unit.pk, "format": "csv"},
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert_personal(response)


def test_a_public_page_is_cacheable_for_everyone_but_a_logged_in_user(client, desk, unit):
    anonymous = client.__class__().get("/en/directory/", HTTP_ACCEPT_ENCODING="gzip")
    assert anonymous.status_code == 200
    assert "public" in _directives(anonymous)
    assert get_max_age(anonymous) == 60

    logged_in = desk.get("/en/directory/", HTTP_ACCEPT_ENCODING="gzip")
    assert logged_in.status_code == 200
    assert_personal(logged_in)


def test_a_persons_tracking_pages(client, unit):
    sent = client.post(
        "/en/ask/",
        {"question": "How do I renew my residence permit in Praia?", "name": "Amina",
         "language": "en", "consent": "on"},
        follow=True,
    )  # fmt: skip
    assert sent.redirect_chain == [("/en/ask/sent/", 302)]
    assert_personal(sent)
    link = re.search(r'href="http://testserver(/en/follow/[^"]+)"', sent.content.decode())
    assert link is not None

    for url in (link.group(1), link.group(1) + "card/", "/en/ask/sent/card/"):
        response = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
        assert response.status_code == 200, url
        assert_personal(response)
