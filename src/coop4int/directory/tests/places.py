"""Two small places of the directory for tests: a walk-in desk in Praia that speaks French, and
an appointment-only desk in Mindelo."""

from datetime import time
from typing import Any

from coop4int.directory.domain.index import refresh_entries
from coop4int.directory.models import (
    Accessibility,
    Address,
    Language,
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceTopic,
    TaxonomyTerm,
)

WEEKDAYS = "MO,TU,WE,TH,FR"


def make_place(
    *,
    unit: Any,
    name: str,
    island: str,
    municipality: str,
    subdivision: str,
    languages: tuple[str, ...],
    walk_in: bool,
    accessible: bool,
    description: str = "",
    topic: TaxonomyTerm | None = None,
    opens: time = time(8),
    closes: time = time(16),
) -> ServiceAtLocation:
    organization, _created = Organization.objects.get_or_create(
        name="AAI", defaults={"description": "Alta Autoridade para a Imigração"}
    )
    location = Location.objects.create(
        name=f"Unidade de {municipality}",
        island=island,
        municipality=municipality,
        holiday_subdivision=subdivision,
        latitude=14.92,
        longitude=-23.51,
    )
    Address.objects.create(
        location=location, address_1="Rua 1", city=municipality, state_province=island, country="CV"
    )
    Phone.objects.create(location=location, number="+238 260 10 10", type="voice")
    for code in languages:
        Language.objects.create(location=location, code=code)
    if accessible:
        Accessibility.objects.create(location=location, description="Entrada sem degraus")
    Schedule.objects.create(
        location=location, freq="WEEKLY", byday=WEEKDAYS, opens_at=opens, closes_at=closes
    )
    service = Service.objects.create(
        organization=organization,
        name=name,
        description=description,
        unit=unit,
        walk_in=walk_in,
        appointment_required=not walk_in,
    )
    if topic is not None:
        ServiceTopic.objects.create(service=service, taxonomy_term=topic)
    sal = ServiceAtLocation.objects.create(service=service, location=location)
    refresh_entries(service_ids=[service.pk])
    return sal


def praia_desk(unit: Any, **overrides: Any) -> ServiceAtLocation:
    """A walk-in desk in Praia speaking Portuguese; any field can be overridden."""
    values: dict[str, Any] = {
        "name": "Atendimento",
        "island": "Santiago",
        "municipality": "Praia",
        "subdivision": "PR",
        "languages": ("pt",),
        "walk_in": True,
        "accessible": False,
    }
    return make_place(unit=unit, **(values | overrides))


def telephone_line(
    *, name: str, number: str, country: str = "CV", organization: Organization | None = None
) -> Service:
    """A telephone line offered at a virtual place of ``country``, with one voice number."""
    if organization is None:
        organization, _created = Organization.objects.get_or_create(
            name="AAI", defaults={"description": "Alta Autoridade para a Imigração"}
        )
    line = Service.objects.create(organization=organization, name=name, telephone_line=True)
    place = Location.objects.create(
        name=f"Por telefone — {country}", location_type="virtual", country=country
    )
    ServiceAtLocation.objects.create(service=line, location=place)
    Phone.objects.create(service=line, number=number, type="voice")
    refresh_entries(service_ids=[line.pk])
    return line


def fax_only(sal: ServiceAtLocation, number: str = "+238 260 10 17") -> ServiceAtLocation:
    """``sal`` with a fax as the only number of its place."""
    sal.location.phones.all().delete()
    Phone.objects.create(location=sal.location, number=number, type="fax", description="Fax")
    return sal
