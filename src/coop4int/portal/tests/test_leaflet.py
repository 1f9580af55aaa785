"""The printed leaflet of a unit: the regular week and the known days that differ from it, the
leaflet's address with a QR code, and the support line — still true a week later."""

import re
from datetime import UTC, date, datetime, timedelta
from html import unescape
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from coop4int.core.qr import qr_svg
from coop4int.directory.domain.index import refresh_entries
from coop4int.directory.models import Closure, Location, Phone, Service, ServiceAtLocation
from coop4int.directory.tests.places import make_place

pytestmark = pytest.mark.django_db

PRAIA = ZoneInfo("Atlantic/Cape_Verde")
# Tuesday 1 December 2026, 11:00 in Praia.
MOMENT = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def _(message: str, language: str = "en") -> str:
    with translation.override(language):
        return translation.gettext(message)


@pytest.fixture
def desk(unit):
    """Praia's walk-in desk, Monday to Friday 8:00–16:00, closing at noon on Christmas Eve."""
    sal = make_place(
        unit=unit, name="Atendimento", island="Santiago", municipality="Praia",
        subdivision="PR", languages=("pt", "fr"), walk_in=True, accessible=True,
    )  # fmt: skip
    Closure.objects.create(
        location=sal.location,
        starts_at=datetime(2026, 12, 24, 12, tzinfo=PRAIA),
        ends_at=datetime(2026, 12, 25, tzinfo=PRAIA),
        reason="Véspera de Natal",
    )
    refresh_entries(service_ids=[sal.service_id])
    return sal


@pytest.fixture
def support_line(national_unit):
    line = Service.objects.create(name="Linha de Apoio", unit=national_unit, telephone_line=True)
    ServiceAtLocation.objects.create(service=line, location=Location.objects.create(name="Tel"))
    Phone.objects.create(service=line, number="+238 800 10 10", type="voice")
    return line


def _leaflet(client, unit, language="en") -> str:
    with translation.override(language):
        url = reverse("portal:leaflet", args=[unit.slug])
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _text(html: str) -> str:
    """The page's text, without tags (isolates and links included)."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def test_the_leaflet_gives_the_regular_week_not_this_weeks_dates(client, unit, desk):
    with time_machine.travel(MOMENT, tick=False):
        text = _text(_leaflet(client, unit))
    assert "Monday to Friday: 08:00–16:00" in text
    # No day of this week by its date: paper outlives it.
    assert not re.search(r"(Monday|Tuesday|Wednesday|Thursday|Friday) \d", text)


def test_a_week_later_the_leaflet_says_the_same_hours(client, unit, desk):
    with time_machine.travel(MOMENT, tick=False):
        first = _text(_leaflet(client, unit))
    with time_machine.travel(MOMENT + timedelta(days=7), tick=False):
        later = _text(_leaflet(client, unit))
    hours = "Monday to Friday: 08:00–16:00"
    assert hours in first
    assert hours in later


def test_the_leaflet_lists_the_closures_and_holidays_of_the_next_months(client, unit, desk):
    with time_machine.travel(MOMENT, tick=False):
        text = _text(_leaflet(client, unit))
    assert "Thu 24 Dec: open 08:00–12:00 (Véspera de Natal)" in text
    assert "Fri 25 Dec: closed (Christmas Day)" in text
    assert "Fri 1 Jan: closed (New Year's Day)" in text
    assert "until 2 March 2027" in text


def test_a_closure_until_further_notice_says_so(client, unit, desk):
    Closure.objects.create(
        location=desk.location, starts_at=datetime(2027, 1, 11, tzinfo=PRAIA), reason="Obras"
    )
    refresh_entries(service_ids=[desk.service_id])
    with time_machine.travel(MOMENT, tick=False):
        text = _text(_leaflet(client, unit))
    assert "from Mon 11 Jan until further notice: closed (Obras) Walk-in" in text


def test_new_hours_from_a_date_are_announced_with_their_date(client, unit, desk):
    desk.location.schedules.update(valid_to=date(2027, 1, 3))
    desk.location.schedules.create(
        freq="WEEKLY", byday="MO,TU,WE,TH,FR", opens_at="09:00", closes_at="17:00",
        valid_from=date(2027, 1, 4),
    )  # fmt: skip
    refresh_entries(service_ids=[desk.service_id])
    with time_machine.travel(MOMENT, tick=False):
        text = _text(_leaflet(client, unit))
    assert "Monday to Friday: 08:00–16:00" in text
    assert "New opening hours from Mon 4 Jan: Monday to Friday: 09:00–17:00" in text


def test_the_leaflet_prints_its_address_as_a_qr_code_and_the_support_line(
    client, unit, desk, support_line, settings
):
    settings.PUBLIC_URL = "https://coop4int.example.cv/"
    with time_machine.travel(MOMENT, tick=False):
        body = _leaflet(client, unit, "pt")
    address = f"https://coop4int.example.cv/pt/directory/leaflet/{unit.slug}/"
    assert f'<a href="{address}">' in body
    svg = re.search(r"<svg role=\"img\" aria-label=\"([^\"]+)\"[^>]*class=\"qr\">", body)
    assert svg is not None
    assert unescape(svg.group(1)) == _("QR code of this leaflet's address", "pt")
    # Drawn in the page: no image to fetch, from here or from anyone.
    assert "<img" not in body
    assert 'href="tel:+2388001010"' in body
    assert '<bdi dir="ltr" class="ltr">+238 800 10 10</bdi>' in body


def test_the_qr_code_holds_the_address(client, unit, desk, settings):
    """The code decodes to the address printed beside it (checked by drawing it again: the
    same text gives the same modules)."""
    settings.PUBLIC_URL = "https://coop4int.example.cv"
    with time_machine.travel(MOMENT, tick=False):
        body = _leaflet(client, unit, "pt")
    address = f"https://coop4int.example.cv/pt/directory/leaflet/{unit.slug}/"
    drawn = re.search(r'<path stroke="#000" d="([^"]+)"', body)
    expected = re.search(r'<path stroke="#000" d="([^"]+)"', qr_svg(address, label="x"))
    assert drawn is not None
    assert expected is not None
    assert drawn.group(1) == expected.group(1)
