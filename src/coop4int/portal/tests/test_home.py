"""The home page leads somewhere: each local unit to its place in the directory, and the support
line with its number, ready to call."""

import re

import pytest
from django.urls import reverse

from coop4int.accounts.tests.factories import UnitFactory
from coop4int.directory.tests.places import praia_desk, telephone_line

pytestmark = pytest.mark.django_db


def _cards(body: str) -> list[str]:
    return re.findall(r'<li class="card">(.*?)</li>', body, re.S)


def test_each_local_unit_links_to_its_desk_in_the_directory(client, unit, other_unit):
    desk = praia_desk(unit, name="Atendimento presencial")
    body = client.get("/pt/").content.decode()
    praia = next(card for card in _cards(body) if unit.name in card)
    url = reverse("portal:directory_detail", args=[desk.pk])
    assert f'<a href="{url}">{unit.name}</a>' in praia
    assert "Santiago" in praia
    assert "Rua 1" in praia  # the desk's address


def test_a_unit_not_in_the_directory_links_to_its_islands_services(client, national_unit):
    UnitFactory(slug="sal-rei", name="Sal Rei", kind="local", island="boa_vista",
                parent=national_unit)  # fmt: skip
    body = client.get("/pt/").content.decode()
    [card] = _cards(body)
    assert '<a href="/pt/directory/?island=Boa+Vista">Sal Rei</a>' in card


def test_only_local_units_are_listed(client, unit, national_unit, partner_unit):
    body = client.get("/pt/").content.decode()
    assert [unit.name in card for card in _cards(body)] == [True]


def test_the_support_line_is_given_with_its_number_to_call(client, unit):
    telephone_line(name="Linha Nacional de Apoio ao Imigrante", number="+238 800 10 10")
    body = client.get("/pt/").content.decode()
    # A tel: link, the number kept in its order inside right-to-left text.
    assert '<a href="tel:+2388001010"><bdi dir="ltr" class="ltr">+238 800 10 10</bdi></a>' in body
    assert "Linha Nacional de Apoio ao Imigrante" in body


def test_without_units_or_lines_the_page_still_stands(client, db):
    response = client.get("/pt/")
    assert response.status_code == 200
    assert _cards(response.content.decode()) == []
