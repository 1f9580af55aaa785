"""Feedback keeps the page it came from without anything private in its address."""

import importlib
import uuid

import pytest
from django.apps import apps
from django.conf import settings
from django.core import mail
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.translation import get_language_from_path
from hypothesis import given
from hypothesis import strategies as st

from coop4int.accounts.enums import Role
from coop4int.content.domain.feedback import (
    FeedbackSource,
    feedback_source,
    receive_feedback,
    reply_to_feedback,
)
from coop4int.content.models import Feedback
from coop4int.core.models import AuditEntry

REFERENCE = "K7MX-4QF9"
SECRET = "q8Zr3vYw-Secret_Token-x1Nc5Lk"
TRACKING = f"/fr/follow/{REFERENCE}/{SECRET}/"


def _receive(page: str) -> Feedback:
    return receive_feedback(
        page=page, language="fr", message="Je ne comprends pas.", contact_email=""
    )


@pytest.mark.django_db
def test_feedback_from_a_tracking_page_keeps_its_route_and_neither_reference_nor_secret():
    feedback = _receive(TRACKING)
    feedback.refresh_from_db()
    assert (feedback.route, feedback.page, feedback.language) == ("portal:follow", "", "fr")
    stored = f"{feedback.route} {feedback.page} {feedback}"
    assert SECRET not in stored
    assert REFERENCE not in stored
    entry = AuditEntry.objects.get(action="content.feedback.received")
    assert SECRET not in str(entry.data)
    assert REFERENCE not in str(entry.data)
    assert entry.data["route"] == "portal:follow"


@pytest.mark.parametrize(
    ("address", "route", "page"),
    [
        ("/pt/", "portal:home", "/pt/"),
        ("/kea/info/linha/", "portal:info_detail", "/kea/info/linha/"),
        ("/pt/info/linha/ar/", "portal:info_in_language", "/pt/info/linha/ar/"),
        ("/en/info/linha/files/7/", "portal:info_download", "/en/info/linha/files/7/"),
        ("/fr/directory/leaflet/praia/", "portal:leaflet", "/fr/directory/leaflet/praia/"),
        # What was searched for, or anything after the path, is not kept.
        ("/pt/search/?q=visto+caducado#top", "portal:search", "/pt/search/"),
        ("/en/directory/?q=lawyer&island=Sal", "portal:directory", "/en/directory/"),
    ],
)
def test_a_public_page_keeps_its_address_rebuilt_from_its_route(address, route, page):
    assert feedback_source(address) == FeedbackSource(route=route, page=page)


def test_a_directory_service_keeps_its_address():
    sal_id = uuid.UUID("5f0c6a52-3b7e-4c55-9d1a-0b3f3f1a2c11")
    address = f"/pt/directory/{sal_id}/"
    assert feedback_source(address) == FeedbackSource("portal:directory_detail", address)


@pytest.mark.parametrize(
    "address",
    [
        f"/fr/follow/{REFERENCE}/{SECRET}",  # no page: a raw address may still hold a secret
        f"/fr/nowhere/{SECRET}/",
        f"https://evil.example/fr/follow/{REFERENCE}/{SECRET}/",
        f"//evil.example/fr/follow/{REFERENCE}/{SECRET}/",
        "//[",  # not even an address: urlsplit refuses it
        "http://[::1",
        "",
    ],
)
def test_an_address_that_is_no_page_of_the_site_is_not_kept(address):
    assert feedback_source(address) == FeedbackSource()


def test_the_route_is_found_whatever_the_active_language():
    with translation.override("pt"):
        assert feedback_source("/kea/info/linha/").route == "portal:info_detail"


@given(secret=st.text(alphabet=st.characters(categories=["L", "N"]), min_size=8, max_size=40))
def test_no_tracking_secret_is_ever_kept(secret):
    source = feedback_source(f"/pt/follow/{REFERENCE}/{secret}/")
    assert source.page == ""
    assert secret not in source.route


@given(address=st.text(max_size=80).map(lambda text: "/" + text))
def test_a_kept_address_is_a_page_of_its_route_and_nothing_more(address):
    source = feedback_source(address)
    if not source.page:
        return
    assert "?" not in source.page
    with translation.override(get_language_from_path(source.page) or settings.LANGUAGE_CODE):
        try:
            match = resolve(source.page)
        except Resolver404:  # pragma: no cover - the failure this test looks for
            pytest.fail(f"{source.page!r} is no page")
    assert match.view_name == source.route


@pytest.mark.django_db
def test_stored_tracking_addresses_are_rewritten_by_the_migration():
    migration = importlib.import_module("coop4int.content.migrations.0005_feedback_source")
    tracking = Feedback.objects.create(page=TRACKING, language="fr", message="Merci")
    searched = Feedback.objects.create(page="/pt/search/?q=visto", language="pt", message="?")
    card = Feedback.objects.create(page="/kea/info/linha/", language="kea", message="Obrigadu")
    unknown = Feedback.objects.create(page=f"/pt/x/{SECRET}/", language="pt", message="!")

    migration.clean_sources(apps, None)

    rows = {f.pk: (f.route, f.page) for f in Feedback.objects.all()}
    assert rows[tracking.pk] == ("portal:follow", "")
    assert rows[searched.pk] == ("portal:search", "/pt/search/")
    assert rows[card.pk] == ("portal:info_detail", "/kea/info/linha/")
    assert rows[unknown.pk] == ("", "")
    assert not Feedback.objects.filter(page__contains=SECRET).exists()


@pytest.mark.django_db
def test_a_reply_about_a_tracking_page_names_no_address(make_staff, national_unit):
    editor = make_staff(Role.CONTENT_EDITOR, national_unit)
    feedback = receive_feedback(
        page=TRACKING, language="fr", message="Merci", contact_email="amina@example.org"
    )
    reply_to_feedback(actor=editor, feedback=feedback, text="Nous vous répondons bientôt.")
    body = mail.outbox[0].body
    with translation.override("fr"):
        assert translation.gettext("Thank you for your message.") in body
    assert "/follow/" not in body
