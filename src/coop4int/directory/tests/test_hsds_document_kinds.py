"""`coop4int import_hsds` recognises which HSDS object a JSON document is — organization,
service, service at a location, location, taxonomy, taxonomy term — or refuses it, changing
nothing. A location or a taxonomy is never read as an organization."""

import json
from io import StringIO
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Model

from coop4int.directory.hsds_reading import AMBIGUOUS, UNRECOGNISED, kind_of
from coop4int.directory.models import (
    Address,
    Contact,
    Location,
    Organization,
    Phone,
    Service,
    Taxonomy,
    TaxonomyTerm,
)
from coop4int.directory.tests.factories import PhoneFactory, ServiceFactory

pytestmark = pytest.mark.django_db

EXAMPLE_LOCATION = UUID("3a19ff88-4620-4d17-9830-ac1d859eb5d5")
EXAMPLE_PHONE = UUID("1554f2e2-a373-45db-a3fa-9fc48a61c15e")
EXAMPLE_TAXONOMY = UUID("5c4d79d7-cc55-470e-9f1f-8cad074e4892")
MODELS: list[type[Model]] = [
    Organization, Service, Location, Address, Contact, Phone, Taxonomy, TaxonomyTerm,
]  # fmt: skip


def run(path: Path, *args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_hsds", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def refused(path: Path, *args: str) -> str:
    err = StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_hsds", str(path), *args, stdout=StringIO(), stderr=err)
    return err.getvalue()


def snapshot() -> dict[str, list[dict[str, Any]]]:
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in MODELS}


def write(folder: Path, document: Any) -> Path:
    path = folder / "document.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def test_the_official_location_example_imports_as_a_location(hsds_reference: Path) -> None:
    out, _err = run(hsds_reference / "examples" / "location.json")

    assert "Imported" in out
    location = Location.objects.get()
    assert location.pk == EXAMPLE_LOCATION
    assert location.name == "MyCity Civic Center"
    assert location.addresses.get().city == "MyCity"
    assert not Organization.objects.exists()
    phone = Phone.objects.get(pk=EXAMPLE_PHONE)
    assert phone.location_id == EXAMPLE_LOCATION
    assert phone.organization_id is None


def test_importing_a_location_leaves_an_existing_phone_on_its_service(
    hsds_reference: Path,
) -> None:
    """The reported case: the location became an organization with its id, and the service's
    phone, repeated in the location document, was moved onto that organization."""
    service = ServiceFactory(organization=None)
    PhoneFactory(id=EXAMPLE_PHONE, service=service, number="+238 260 10 10")

    run(hsds_reference / "examples" / "location.json")

    assert not Organization.objects.filter(pk=EXAMPLE_LOCATION).exists()
    phone = Phone.objects.get(pk=EXAMPLE_PHONE)
    assert phone.service_id == service.pk
    assert phone.organization_id is None
    assert phone.location_id == EXAMPLE_LOCATION


@pytest.mark.parametrize("example", ["taxonomy.json", "taxonomy_list.json"])
def test_the_official_taxonomy_examples_import_as_taxonomies(
    hsds_reference: Path, example: str
) -> None:
    run(hsds_reference / "examples" / example)

    taxonomy = Taxonomy.objects.get()
    assert taxonomy.pk == EXAMPLE_TAXONOMY
    assert (taxonomy.name, taxonomy.version) == ("name", "version")
    assert not Organization.objects.exists()


def test_a_taxonomy_term_document_imports_as_a_term(hsds_reference: Path) -> None:
    run(hsds_reference / "examples" / "taxonomy_term.json")

    assert TaxonomyTerm.objects.count() == 1
    assert not Organization.objects.exists()


@pytest.mark.parametrize(
    ("document", "message"),
    [
        pytest.param(
            {"openapi_url": "https://example.org/openapi.json", "profile": "x", "version": "3"},
            UNRECOGNISED, id="api-base",
        ),
        pytest.param(
            {"id": str(uuid4()), "number": "+238 260 10 10", "type": "voice"},
            UNRECOGNISED, id="phone",
        ),
        pytest.param(
            {"id": str(uuid4()), "name": "Ana", "title": "Técnica", "email": "a@example.org"},
            UNRECOGNISED, id="contact",
        ),
        pytest.param(
            {"id": str(uuid4()), "address_1": "Rua 1", "city": "Praia", "country": "CV"},
            UNRECOGNISED, id="address",
        ),
        pytest.param({"hello": "world"}, UNRECOGNISED, id="anything"),
        pytest.param(
            {"id": str(uuid4()), "name": "Rede", "description": "Uma rede"},
            AMBIGUOUS, id="organization-or-taxonomy",
        ),
    ],
)  # fmt: skip
def test_an_object_that_is_not_recognised_is_refused_and_changes_nothing(
    tmp_path: Path, document: dict[str, Any], message: str
) -> None:
    PhoneFactory(service=ServiceFactory())
    before = snapshot()

    err = refused(write(tmp_path, document))

    assert f"document.json, $: {message}" in err
    assert snapshot() == before


def test_one_unrecognised_object_in_a_list_stops_the_whole_import(tmp_path: Path) -> None:
    organization = {"id": str(uuid4()), "name": "Cruz Vermelha", "email": "cv@example.org"}
    phone = {"id": str(uuid4()), "number": "+238 260 10 10"}

    err = refused(write(tmp_path, [organization, phone]))

    assert f"document.json, $[1]: {UNRECOGNISED}" in err
    assert not Organization.objects.exists()
    assert not Phone.objects.exists()


@pytest.mark.parametrize(
    ("kind", "model"), [("organization", Organization), ("taxonomy", Taxonomy)]
)
def test_the_type_option_settles_an_organization_or_a_taxonomy(
    tmp_path: Path, kind: str, model: type[Model]
) -> None:
    object_id = uuid4()
    path = write(tmp_path, {"id": str(object_id), "name": "Rede", "description": "Uma rede"})

    run(path, "--type", kind)

    assert model.objects.filter(pk=object_id).exists()
    assert Organization.objects.count() + Taxonomy.objects.count() == 1


def test_a_page_of_minimal_organizations_is_read_as_organizations(tmp_path: Path) -> None:
    """A page holds one kind of object: an item with only an id, a name and a description is
    what the page's other items are."""
    items = [
        {"id": str(uuid4()), "name": "Cáritas", "description": "Apoio social"},
        {"id": str(uuid4()), "name": "Cruz Vermelha", "description": "Saúde",
         "website": "https://example.org"},
    ]  # fmt: skip

    run(write(tmp_path, {"contents": items, "total_items": 2}))

    assert Organization.objects.count() == 2
    assert not Taxonomy.objects.exists()


@pytest.mark.parametrize(
    ("example", "kind"),
    [
        ("service_full.json", "service"),
        ("organization_full.json", "organization"),
        ("service_at_location_full.json", "service_at_location"),
        ("location.json", "location"),
        ("taxonomy.json", "taxonomy"),
        ("taxonomy_term.json", "taxonomy_term"),
    ],
)
def test_every_official_example_is_recognised(hsds_reference: Path, example: str, kind: str):
    document = json.loads((hsds_reference / "examples" / example).read_text(encoding="utf-8"))
    assert kind_of(document) == kind


@pytest.mark.parametrize(
    ("example", "kind"),
    [
        ("service_list.json", "service"),
        ("organization_list.json", "organization"),
        ("service_at_location_list.json", "service_at_location"),
        ("taxonomy_list.json", "taxonomy"),
        ("taxonomy_term_list.json", "taxonomy_term"),
    ],
)
def test_every_item_of_the_official_lists_is_recognised(
    hsds_reference: Path, example: str, kind: str
):
    page = json.loads((hsds_reference / "examples" / example).read_text(encoding="utf-8"))
    assert {kind_of(item) for item in page["contents"]} == {kind}
