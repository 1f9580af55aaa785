"""The editor's page of a service: the hours entered last shown as current, each save back at
its section, one id per field."""

import re
from collections import Counter
from datetime import UTC, date, datetime, time

import pytest
import time_machine
from django.utils import translation
from django.utils.html import escape

from coop4int.accounts.enums import Role
from coop4int.core import formatting
from coop4int.directory.models import Schedule
from coop4int.directory.tests.places import praia_desk

# A Wednesday; the new hours start the Monday after.
NOW = datetime(2030, 1, 2, 12, 0, tzinfo=UTC)
NEXT_MONDAY = date(2030, 1, 7)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def desk(clock, unit):
    return praia_desk(unit)  # Monday to Friday, 8:00–16:00


@pytest.fixture
def editor_client(clock, client, login_verified, make_staff, unit):
    login_verified(client, make_staff(Role.CONTENT_EDITOR, unit))
    client.cookies["django_language"] = "fr"
    return client


def _url(desk) -> str:
    return f"/staff/directory/services/{desk.service_id}/"


def _french(message: str) -> str:
    with translation.override("fr"):
        return translation.gettext(message)


def _new_hours(editor_client, desk):
    return editor_client.post(
        _url(desk),
        {"action": "hours", "valid_from": NEXT_MONDAY.isoformat(),
         "MO_0_opens": "10:00", "MO_0_closes": "11:30"},
    )  # fmt: skip


def test_after_a_change_of_hours_ahead_the_new_hours_are_current_and_the_old_are_history(
    editor_client, desk
):
    _new_hours(editor_client, desk)

    response = editor_client.get(_url(desk))

    current = response.context["current_hours"]
    earlier = response.context["earlier_hours"]
    assert [(row.byday, row.opens_at, row.valid_from) for row in current] == [
        ("MO", time(10), NEXT_MONDAY)
    ]
    assert [(row.opens_at, row.valid_to) for row in earlier] == [(time(8), date(2030, 1, 6))]
    # The form starts from the new hours, not from the ones that end on Sunday.
    form = response.context["hours_form"]
    assert form["MO_0_opens"].value() == time(10)
    assert form["TU_0_opens"].value() is None
    assert form["valid_from"].value() == NEXT_MONDAY
    body = response.content.decode()
    assert escape(_french("Earlier hours")) in body
    with translation.override("fr"):
        starts = formatting.format_date(NEXT_MONDAY)
    assert escape(starts) in body  # "these hours apply from…"


def test_hours_in_force_today_are_current_when_no_change_is_ahead(editor_client, desk):
    response = editor_client.get(_url(desk))
    assert [row.opens_at for row in response.context["current_hours"]] == [time(8)]
    assert response.context["earlier_hours"] == []
    assert response.context["hours_from"] is None


SAVES = {
    "verified": {"action": "verify"},
    "description": {"action": "save", "name": "Atendimento geral", "status": "active"},
    "hours": {"action": "hours", "valid_from": "2030-01-07", "MO_0_opens": "09:00",
              "MO_0_closes": "13:00"},
    "translations": {"action": "translation", "language": "fr", "name": "Accueil"},
    "place": {"action": "location", "name": "Nova sede", "address_1": "Rua 2", "city": "Praia",
              "state_province": "Santiago", "country": "CV", "time_zone": "Atlantic/Cape_Verde",
              "phones": "+238 260 10 10"},
    "closures": {"action": "closure", "starts_at": "2030-01-07T08:00",
                 "ends_at": "2030-01-08T08:00", "reason": "Obras"},
}  # fmt: skip


@pytest.mark.parametrize("section", SAVES)
def test_a_save_goes_back_to_its_section_and_confirms_it_beside_its_heading(
    editor_client, desk, section
):
    response = editor_client.post(_url(desk), SAVES[section])

    assert response.status_code == 302
    # The browser opens the page at the section's heading, and focuses it.
    assert response["Location"] == f"{_url(desk)}#{section}"
    body = editor_client.get(_url(desk)).content.decode()
    assert f'<h2 id="{section}" tabindex="-1" aria-describedby="{section}-said">' in body
    # The confirmation is beside the heading, the only one on the page.
    assert (
        f'<div class="messages" role="status" id="{section}-said">'
        '<p class="message message-success">'
    ) in body
    assert body.count('role="status"') == 1
    # Shown once.
    assert f"{section}-said" not in editor_client.get(_url(desk)).content.decode()


def test_a_form_with_problems_opens_the_page_at_its_section(editor_client, desk):
    response = editor_client.post(
        _url(desk),
        {"action": "hours", "valid_from": "2030-01-07", "MO_0_opens": "17:00",
         "MO_0_closes": "09:00"},
    )  # fmt: skip
    body = response.content.decode()
    assert response.status_code == 200
    assert '<form method="post" action="#hours" novalidate class="hours-form">' in body
    assert '<h2 id="hours" tabindex="-1">' in body
    assert Schedule.objects.filter(valid_from=NEXT_MONDAY).count() == 0


def test_every_field_of_the_page_has_its_own_id_and_the_place_name_its_label(editor_client, desk):
    body = editor_client.get(_url(desk)).content.decode()
    ids = Counter(re.findall(r'\sid="([^"]+)"', body))
    assert [name for name, count in ids.items() if count > 1] == []
    assert '<label for="place_name">' in body
    assert 'id="place_name"' in body
    assert 'id="id_name"' in body
