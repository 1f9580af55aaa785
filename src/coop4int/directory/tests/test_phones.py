"""Which numbers a person is offered to call: never a fax, and always one that takes calls when
someone has one — the organisation's, else its telephone line, else a line of the country."""

import pytest

from coop4int.directory.domain.queries import (
    can_be_called,
    get_service_at_location,
    phones_to_call,
    telephone_lines,
)
from coop4int.directory.models import Organization, Phone
from coop4int.directory.tests.places import fax_only, praia_desk, telephone_line

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("kind", "callable_"),
    [("voice", True), ("cell", True), ("textphone", True), ("", True),
     ("fax", False), ("pager", False), ("text", False), ("video", False)],
)  # fmt: skip
def test_a_fax_a_pager_or_a_text_number_is_not_to_be_called(kind, callable_):
    assert can_be_called(Phone(number="+238 260 10 10", type=kind)) is callable_


def test_a_place_with_a_voice_number_shows_it_first_and_its_fax_after(unit):
    sal = praia_desk(unit)
    Phone.objects.create(location=sal.location, number="+238 260 10 17", type="fax")
    Phone.objects.filter(location=sal.location, type="voice").delete()
    Phone.objects.create(location=sal.location, number="+238 260 10 10", type="voice")

    phones = phones_to_call(get_service_at_location(sal.pk))

    assert [(p.number, p.type) for p in phones.own] == [
        ("+238 260 10 10", "voice"),
        ("+238 260 10 17", "fax"),
    ]
    assert phones.fallback == []
    assert phones.fallback_from is None


def test_a_place_with_only_a_fax_falls_back_to_its_organisations_number(unit):
    sal = fax_only(praia_desk(unit))
    organization = sal.service.organization
    Phone.objects.create(organization=organization, number="+238 260 00 00", type="voice")
    Phone.objects.create(organization=organization, number="+238 260 00 01", type="fax")
    telephone_line(name="Linha Nacional", number="+238 800 10 10")

    phones = phones_to_call(get_service_at_location(sal.pk))

    assert [p.type for p in phones.own] == ["fax"]
    assert [p.number for p in phones.fallback] == ["+238 260 00 00"]
    assert phones.fallback_from == organization


def test_without_an_organisation_number_it_falls_back_to_the_organisations_line(unit):
    sal = fax_only(praia_desk(unit))
    other = Organization.objects.create(name="Other", description="")
    telephone_line(name="A linha de outra", number="+238 800 20 20", organization=other)
    own_line = telephone_line(
        name="Z linha própria", number="+238 800 10 10", organization=sal.service.organization
    )

    phones = phones_to_call(get_service_at_location(sal.pk))

    assert phones.fallback_from == own_line
    assert [p.number for p in phones.fallback] == ["+238 800 10 10"]


def test_else_it_falls_back_to_a_line_of_its_country_never_of_another(unit):
    sal = fax_only(praia_desk(unit))
    other = Organization.objects.create(name="ACM", description="")
    telephone_line(name="Linha de Apoio a Migrantes", number="808 257 257", country="PT",
                   organization=other)  # fmt: skip

    assert phones_to_call(get_service_at_location(sal.pk)).fallback == []

    line = telephone_line(name="Linha CV", number="+238 800 20 20", organization=other)
    phones = phones_to_call(get_service_at_location(sal.pk))
    assert phones.fallback_from == line


def test_telephone_lines_are_those_in_service_in_the_country_asked(unit):
    cv = telephone_line(name="Linha CV", number="+238 800 10 10")
    telephone_line(name="Linha PT", number="808 257 257", country="PT")
    closed = telephone_line(name="Linha antiga", number="+238 800 30 30")
    closed.status = "defunct"
    closed.save()

    assert telephone_lines("CV") == [cv]
    assert {line.name for line in telephone_lines()} == {"Linha CV", "Linha PT"}
