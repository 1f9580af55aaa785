from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from coop4int.accounts.enums import Role
from coop4int.core import audit, request_context
from coop4int.core.models import AuditEntry


@pytest.fixture
def admin_client(client, login_verified, make_staff, national_unit):
    admin = make_staff(Role.ADMINISTRATOR, national_unit, username="chief")
    return login_verified(client, admin)


@pytest.fixture
def entries(make_staff, unit, other_unit):
    praia = make_staff(Role.FRONT_OFFICE_OFFICER, unit, username="officer.praia")
    mindelo = make_staff(Role.FRONT_OFFICE_OFFICER, other_unit, username="officer.mindelo")
    token = request_context.activate(request_context.RequestContext(ip_address="10.0.0.7"))
    try:
        audit.record(action="accounts.login.succeeded", actor=praia, obj=praia)
        audit.record(action="accounts.staff.disabled", actor=praia, obj=mindelo)
    finally:
        request_context.reset(token)
    audit.record(action="accounts.login.succeeded", actor=mindelo, obj=mindelo)
    return praia, mindelo


def _rows(response) -> list[str]:
    return [entry.action + "/" + entry.actor_label for entry in response.context["page"]]


def test_filters_narrow_the_log(admin_client, entries, unit):
    url = reverse("backoffice:audit_log")
    assert len(_rows(admin_client.get(url))) == 3
    assert _rows(admin_client.get(url, {"action": "accounts.staff"})) == [
        "accounts.staff.disabled/officer.praia"
    ]
    assert len(_rows(admin_client.get(url, {"unit": unit.pk}))) == 2
    assert len(_rows(admin_client.get(url, {"actor": "mindelo"}))) == 1
    assert len(_rows(admin_client.get(url, {"ip_address": "10.0.0.7"}))) == 2
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert _rows(admin_client.get(url, {"since": tomorrow})) == []


def test_bad_filter_is_explained_and_shows_everything(admin_client, entries):
    response = admin_client.get(
        reverse("backoffice:audit_log"),
        {"since": "2026-05-02", "until": "2026-05-01", "ip_address": "not-an-address"},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "until" in form.errors
    assert "ip_address" in form.errors
    assert 'value="not-an-address"' in response.content.decode()


def test_query_count_does_not_grow_with_the_entries(admin_client, entries, make_staff, unit):
    url = reverse("backoffice:audit_log")
    admin_client.get(url)  # the first request of a session also writes the session
    with CaptureQueriesContext(connection) as few:
        admin_client.get(url)
    for n in range(20):
        someone = make_staff(Role.ANALYST, unit, username=f"analyst{n}")
        audit.record(action="accounts.logout", actor=someone, obj=someone)
    with CaptureQueriesContext(connection) as many:
        admin_client.get(url)
    assert len(many) == len(few)


def test_viewing_the_log_does_not_change_it(admin_client, entries):
    before = AuditEntry.objects.count()
    admin_client.get(reverse("backoffice:audit_log"))
    assert AuditEntry.objects.count() == before
