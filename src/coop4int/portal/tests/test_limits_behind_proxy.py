"""The public forms' limits behind a reverse proxy: counted per client — the address a trusted
proxy hands on —, so one client never uses up another's; an address forwarded by anyone else
is ignored, so a client cannot escape its limit by writing addresses of its own."""

import pytest
from django.test import Client

from coop4int.cases.models import Case
from coop4int.content.models import Feedback
from coop4int.portal.case_views import ASK_RATE
from coop4int.portal.feedback_views import RATE

pytestmark = pytest.mark.django_db

PROXY = "127.0.0.1"
REQUEST = {
    "question": "How do I renew my residence permit in Praia?",
    "name": "Amina Diallo",
    "language": "en",
    "consent": "on",
}
MESSAGE = {"page": "/en/", "message": "The phone number of Mindelo is wrong."}


def _behind_proxy(address: str) -> Client:
    """A browser at ``address``, reaching the platform through the proxy on 127.0.0.1."""
    return Client(headers={"x-forwarded-for": address}, REMOTE_ADDR=PROXY)


def test_ask_for_help_counts_each_client_behind_the_proxy_apart(unit):
    flooder = _behind_proxy("203.0.113.66")
    person = _behind_proxy("198.51.100.20")
    for _ in range(ASK_RATE.limit):
        assert flooder.post("/en/ask/", REQUEST).status_code == 302
    assert flooder.post("/en/ask/", REQUEST).status_code == 429

    assert person.post("/en/ask/", REQUEST).status_code == 302
    assert Case.objects.count() == ASK_RATE.limit + 1


def test_feedback_counts_each_client_behind_the_proxy_apart(db):
    flooder = _behind_proxy("203.0.113.66")
    person = _behind_proxy("198.51.100.20")
    for _ in range(RATE.limit):
        assert flooder.post("/en/feedback/", MESSAGE).status_code == 302
    assert flooder.post("/en/feedback/", MESSAGE).status_code == 429

    assert person.post("/en/feedback/", MESSAGE).status_code == 302
    assert Feedback.objects.count() == RATE.limit + 1


def test_a_client_writing_its_own_forwarded_addresses_is_still_one_client(db):
    # Straight to the app server, not through the proxy: what it forwards is not believed.
    for n in range(RATE.limit):
        client = Client(headers={"x-forwarded-for": f"203.0.113.{n}"}, REMOTE_ADDR="192.0.2.44")
        assert client.post("/en/feedback/", MESSAGE).status_code == 302
    another_claim = Client(headers={"x-forwarded-for": "203.0.113.99"}, REMOTE_ADDR="192.0.2.44")
    assert another_claim.post("/en/feedback/", MESSAGE).status_code == 429
    # Through the proxy, a client cannot pass itself off as another one either: the proxy
    # appends the address it saw, and that is the one counted.
    spoofing = _behind_proxy("192.0.2.1, 192.0.2.44")
    assert spoofing.post("/en/feedback/", MESSAGE).status_code == 429
    assert Feedback.objects.count() == RATE.limit
