"""A person who lost the link to follow their request gets a new one from an officer; the old one
stops working (``cases.domain.tracking.renew_tracking_link``)."""

import re

import pytest
from django.http import Http404
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from coop4int.accounts.enums import Role
from coop4int.cases.domain.cases import NotAllowed, open_case
from coop4int.cases.domain.queries import case_for_tracking
from coop4int.cases.domain.tracking import renew_tracking_link
from coop4int.cases.enums import Channel
from coop4int.core.models import AuditEntry
from coop4int.core.qr import qr_svg

pytestmark = pytest.mark.django_db


@pytest.fixture
def request_and_secret(unit):
    """A request sent from the web form, in French, and the secret of its first link."""
    return open_case(actor=None, unit=unit, channel=Channel.WEB, subject="Visto", language="fr")


def _follows(case, secret) -> bool:
    try:
        case_for_tracking(case.reference, secret)
    except Http404:
        return False
    return True


def test_a_new_link_works_and_the_old_one_does_not(request_and_secret, make_staff, unit):
    case, old = request_and_secret
    officer = make_staff(Role.FRONT_OFFICE_OFFICER, unit)

    new = renew_tracking_link(actor=officer, case=case)

    assert new != old
    assert _follows(case, new)
    assert not _follows(case, old)
    entry = AuditEntry.objects.get(action="cases.case.tracking_renewed")
    assert entry.actor == officer
    assert entry.object_id == str(case.pk)
    assert new not in str(entry.data)


def test_an_officer_of_another_unit_cannot_renew_it(request_and_secret, make_staff, other_unit):
    case, old = request_and_secret
    with pytest.raises(NotAllowed):
        renew_tracking_link(actor=make_staff(Role.FRONT_OFFICE_OFFICER, other_unit), case=case)
    assert _follows(case, old)
    assert not AuditEntry.objects.filter(action="cases.case.tracking_renewed").exists()


def test_the_page_hands_over_the_new_link_as_a_card_in_the_persons_language(
    client, login_verified, make_staff, unit, request_and_secret
):
    case, old = request_and_secret
    login_verified(client, make_staff(Role.FRONT_OFFICE_OFFICER, unit, language="pt"))

    response = client.post(reverse("backoffice:case_tracking", args=[case.reference]))

    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert response["Referrer-Policy"] == "no-referrer"
    body = response.content.decode()
    link = re.search(
        r'href="(http://testserver/fr/follow/[^"]+)" class="tracking-url" id="tracking-link"', body
    )
    assert link is not None
    secret = link.group(1).rstrip("/").rsplit("/", 1)[1]
    assert _follows(case, secret)
    assert not _follows(case, old)
    drawn = re.search(r'<path stroke="#000" d="([^"]+)"', body)
    expected = re.search(r'<path stroke="#000" d="([^"]+)"', qr_svg(link.group(1), label=""))
    assert drawn is not None
    assert expected is not None
    assert drawn.group(1) == expected.group(1)
    assert '<div lang="fr" dir="ltr">' in body
    # Nothing of it kept for later: not in the session, not in an address.
    assert secret not in str(dict(client.session))


def test_the_link_is_renewed_only_by_a_post(client, login_verified, make_staff, unit,
                                            request_and_secret):  # fmt: skip
    case, old = request_and_secret
    login_verified(client, make_staff(Role.FRONT_OFFICE_OFFICER, unit))
    response = client.get(reverse("backoffice:case_tracking", args=[case.reference]))
    assert response.status_code == 405
    assert _follows(case, old)


def test_the_case_page_button_posts_to_the_renewal(rf: RequestFactory, make_staff, unit,
                                                   request_and_secret):  # fmt: skip
    case, _old = request_and_secret
    request = rf.get("/")
    request.user = make_staff(Role.FRONT_OFFICE_OFFICER, unit)
    html = render_to_string(
        "backoffice/includes/case_tracking.html", {"case": case}, request=request
    )
    action = reverse("backoffice:case_tracking", args=[case.reference])
    assert f'<form method="post" action="{action}">' in html
    assert 'name="csrfmiddlewaretoken"' in html
