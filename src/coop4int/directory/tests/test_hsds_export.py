"""`coop4int export_hsds`: services.json, organizations.json and a tabular data package with the
HSDS column names; exporting then importing into an empty database gives the same data. The
data package passes Frictionless validation, both with its own descriptor and against the HSDS
3.0 reference schemas: a row that would break a required field is left out with a warning."""

import csv
import json
import re
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from frictionless import validate

from coop4int.directory.domain.hsds_queries import (
    ServiceCriteria,
    organizations_for_hsds,
    services_for_hsds,
    taxonomies_for_hsds,
    taxonomy_terms_for_hsds,
)
from coop4int.directory.hsds import (
    EXTENSION_TAXONOMY_ID,
    TABLES,
    organization_to_hsds,
    service_to_hsds,
    taxonomy_term_to_hsds,
    taxonomy_to_hsds,
)
from coop4int.directory.models import (
    Location,
    Organization,
    Service,
    ServiceTopic,
    Taxonomy,
    TaxonomyTerm,
)
from coop4int.directory.tests.factories import (
    AddressFactory,
    LocationFactory,
    OrganizationFactory,
    ServiceFactory,
    TaxonomyTermFactory,
)
from coop4int.directory.tests.hsds_reference import (
    HSDSSchemas,
    make_full_service,
)

pytestmark = pytest.mark.django_db


def export(folder: Path, errors: StringIO | None = None) -> str:
    out = StringIO()
    call_command("export_hsds", str(folder), stdout=out, stderr=errors or StringIO())
    return out.getvalue()


def import_(path: Path) -> None:
    call_command("import_hsds", str(path), stdout=StringIO(), stderr=StringIO())


def _without_last_modified(value: Any) -> Any:
    """The data, with lists in id order: ``last_modified`` records when our copy changed, and
    the order of related objects is not part of HSDS data."""
    if isinstance(value, dict):
        return {k: _without_last_modified(v) for k, v in value.items() if k != "last_modified"}
    if isinstance(value, list):
        items = [_without_last_modified(item) for item in value]
        return sorted(items, key=lambda item: json.dumps(item, sort_keys=True))
    return value


def directory_as_hsds() -> dict[str, Any]:
    return _without_last_modified(
        {
            "services": [
                service_to_hsds(s) for s in services_for_hsds(ServiceCriteria(), full=True)
            ],
            "organizations": [organization_to_hsds(o) for o in organizations_for_hsds(full=True)],
            "taxonomies": [taxonomy_to_hsds(t) for t in taxonomies_for_hsds()],
            "taxonomy_terms": [taxonomy_term_to_hsds(t) for t in taxonomy_terms_for_hsds()],
        }
    )


def empty_the_directory() -> None:
    ServiceTopic.objects.all().delete()
    Service.objects.all().delete()
    Location.objects.all().delete()
    Organization.objects.update(parent_organization=None)
    Organization.objects.all().delete()
    TaxonomyTerm.objects.update(parent=None)
    TaxonomyTerm.objects.all().delete()
    Taxonomy.objects.all().delete()


@pytest.fixture
def directory() -> None:
    """Two full services of two organizations (one the other's parent), an organization's
    location that offers no service, a term no service uses, and a service with no
    organization."""
    first = make_full_service(name="Apoio jurídico")
    parent = first.organization
    make_full_service(
        name="Aulas de português",
        status="temporarily closed",
        organization=OrganizationFactory(parent_organization=parent, is_demo=True),
    )
    LocationFactory(organization=parent, name="Arquivo", time_zone="Europe/Lisbon", country="PT")
    TaxonomyTermFactory(name="Unused")
    ServiceFactory(organization=None, name="Linha de apoio", telephone_line=True)


def test_export_then_import_of_the_data_package_gives_the_same_directory(
    directory: None, tmp_path: Path
) -> None:
    # HSDS tables require a service's organization: the line without one is left out.
    Service.objects.filter(organization=None).delete()
    before = directory_as_hsds()
    export(tmp_path)
    empty_the_directory()
    assert directory_as_hsds()["services"] == []
    import_(tmp_path / "datapackage.json")
    assert directory_as_hsds() == before


def test_export_then_import_of_the_json_files_gives_the_same_services(
    directory: None, tmp_path: Path
) -> None:
    before = directory_as_hsds()
    export(tmp_path)
    empty_the_directory()
    import_(tmp_path / "organizations.json")
    import_(tmp_path / "services.json")
    after = directory_as_hsds()
    assert after["services"] == before["services"]
    assert after["organizations"] == before["organizations"]


def test_exporting_twice_writes_the_same_files(directory: None, tmp_path: Path) -> None:
    export(tmp_path / "one")
    export(tmp_path / "two")
    for path in sorted((tmp_path / "one").iterdir()):
        assert path.read_bytes() == (tmp_path / "two" / path.name).read_bytes(), path.name


def test_exported_json_validates_against_the_hsds_schemas(
    directory: None, tmp_path: Path, hsds_schemas: HSDSSchemas
) -> None:
    export(tmp_path)
    services = json.loads((tmp_path / "services.json").read_text(encoding="utf-8"))
    organizations = json.loads((tmp_path / "organizations.json").read_text(encoding="utf-8"))
    assert len(services) == 3
    assert len(organizations) == 2
    for service in services:
        hsds_schemas.assert_valid("service", service)
    for organization in organizations:
        hsds_schemas.assert_valid("organization", organization)


def test_the_tables_have_the_hsds_columns_in_the_hsds_order(
    directory: None, tmp_path: Path, hsds_reference: Path
) -> None:
    export(tmp_path)
    official = json.loads((hsds_reference / "datapackage.json").read_text(encoding="utf-8"))
    hsds_columns = {
        resource["path"]: [f["name"] for f in resource["schema"]["fields"]]
        for resource in official["resources"]
    }
    package = json.loads((tmp_path / "datapackage.json").read_text(encoding="utf-8"))
    assert {r["path"] for r in package["resources"]} == {t.path for t in TABLES.values()}
    for resource in package["resources"]:
        with (tmp_path / resource["path"]).open(encoding="utf-8", newline="") as handle:
            header = next(csv.reader(handle))
        assert header == hsds_columns[resource["path"]], resource["path"]
        assert [f["name"] for f in resource["schema"]["fields"]] == header


def test_rows_are_written_as_hsds_values(directory: None, tmp_path: Path) -> None:
    export(tmp_path)

    def rows(name: str) -> list[dict[str, str]]:
        with (tmp_path / name).open(encoding="utf-8", newline="") as handle:
            return list(csv.DictReader(handle))

    schedule = next(row for row in rows("schedules.csv") if row["opens_at"] == "08:30:00")
    assert schedule["closes_at"] == "15:30:00"
    service = next(row for row in rows("services.csv") if row["name"] == "Apoio jurídico")
    assert service["assured_date"] == "2025-03-01"
    assert service["last_modified"].endswith("Z")
    extension_rows = [
        row
        for row in rows("taxonomy_terms.csv")
        if row["taxonomy_id"] == str(EXTENSION_TAXONOMY_ID)
    ]
    assert {row["code"] for row in extension_rows} >= {"walk_in", "time_zone"}
    walk_in = {
        row["link_id"]: row["value"]
        for row in rows("attributes.csv")
        if row["taxonomy_term_id"]
        == next(r["id"] for r in extension_rows if r["code"] == "walk_in")
    }
    assert walk_in[service["id"]] == "true"


def test_the_command_says_what_it_wrote(directory: None, tmp_path: Path) -> None:
    out = export(tmp_path / "hsds")
    assert f"{tmp_path / 'hsds' / 'services.json'}: 3" in out
    assert (tmp_path / "hsds" / "datapackage.json").exists()


# --- Validation by Frictionless ---------------------------------------------------------------


def errors_of(report: Any) -> list[list[Any]]:
    return report.flatten(["resourceName", "rowNumber", "fieldName", "type", "note"])


def against_the_reference(folder: Path, hsds_reference: Path) -> Path:
    """A descriptor of the exported CSV files with the HSDS 3.0 reference data package's
    schemas (field types, required fields, enums, keys); the links to tables the platform
    does not export (programs) left out, as those tables are absent."""
    official = json.loads((hsds_reference / "datapackage.json").read_text(encoding="utf-8"))
    written = {table.path for table in TABLES.values()}
    resources = [r for r in official["resources"] if r["path"] in written]
    assert {r["path"] for r in resources} == written
    names = {r["name"] for r in resources}
    for resource in resources:
        resource["schema"]["foreignKeys"] = [
            key
            for key in resource["schema"].get("foreignKeys", [])
            if key["reference"]["resource"] in names
        ]
    path = folder / "reference-datapackage.json"
    path.write_text(json.dumps({**official, "resources": resources}), encoding="utf-8")
    return path


def test_the_data_package_validates_against_the_hsds_reference_schemas(
    directory: None, tmp_path: Path, hsds_reference: Path
) -> None:
    export(tmp_path)

    own = validate(str(tmp_path / "datapackage.json"))
    assert own.valid, errors_of(own)
    reference = validate(str(against_the_reference(tmp_path, hsds_reference)))
    assert reference.valid, errors_of(reference)


def test_the_demo_directory_exports_whole_and_valid(tmp_path: Path, hsds_reference: Path) -> None:
    """Every demo address has its postal code: four digits in Cabo Verde, NNNN-NNN in
    Portugal; nothing is left out of the tables."""
    call_command("load_demo", stdout=StringIO())
    errors = StringIO()

    export(tmp_path, errors)

    assert errors.getvalue() == ""
    with (tmp_path / "addresses.csv").open(encoding="utf-8", newline="") as handle:
        addresses = list(csv.DictReader(handle))
    assert len(addresses) == Location.objects.filter(addresses__isnull=False).count() >= 12
    for address in addresses:
        pattern = r"\d{4}" if address["country"] == "CV" else r"\d{4}-\d{3}"
        assert re.fullmatch(pattern, address["postal_code"]), address
    assert {a["city"]: a["postal_code"] for a in addresses if a["country"] == "CV"} == {
        "Praia": "7600", "Mindelo": "2110", "Espargos": "4110", "Sal Rei": "5110",
    }  # fmt: skip
    report = validate(str(against_the_reference(tmp_path, hsds_reference)))
    assert report.valid, errors_of(report)


def test_a_row_missing_a_required_value_is_left_out_with_a_warning(
    tmp_path: Path, hsds_reference: Path
) -> None:
    kept = make_full_service(name="Apoio jurídico")
    location = LocationFactory(organization=kept.organization, name="Sem código")
    no_code = AddressFactory(location=location, postal_code="")
    orphan = make_full_service(name="Linha sem organização")
    orphan_links = {
        "service_at_location.csv": {str(sal.pk) for sal in orphan.at_locations.all()},
        "phones.csv": {str(phone.pk) for phone in orphan.phones.all()},
        "schedules.csv": {str(schedule.pk) for schedule in orphan.schedules.all()},
    }
    Service.objects.filter(pk=orphan.pk).update(organization=None)
    errors = StringIO()

    out = export(tmp_path, errors)

    warnings = errors.getvalue()
    assert f"warning: addresses.csv, id {no_code.pk}: left out, postal_code is required but " \
        "empty" in warnings  # fmt: skip
    assert f"warning: services.csv, id {orphan.pk}: left out, organization_id is required " \
        "but empty" in warnings  # fmt: skip
    assert "services.csv: 1" in out

    def ids(name: str) -> set[str]:
        with (tmp_path / name).open(encoding="utf-8", newline="") as handle:
            return {row["id"] for row in csv.DictReader(handle)}

    assert str(no_code.pk) not in ids("addresses.csv")
    assert str(kept.pk) in ids("services.csv")
    assert str(orphan.pk) not in ids("services.csv")
    # What points to the service left out goes with it, each with its warning: nothing dangles.
    for name, left_out in orphan_links.items():
        assert left_out
        assert not left_out & ids(name), name
        for row_id in left_out:
            assert f"{name}, id {row_id}: left out, its " in warnings
    attributes = (tmp_path / "attributes.csv").read_text(encoding="utf-8").splitlines()
    assert str(orphan.pk) not in {row["link_id"] for row in csv.DictReader(attributes)}
    # The JSON files keep every service: HSDS's service schema does not require the link.
    services = json.loads((tmp_path / "services.json").read_text(encoding="utf-8"))
    assert str(orphan.pk) in {service["id"] for service in services}
    report = validate(str(against_the_reference(tmp_path, hsds_reference)))
    assert report.valid, errors_of(report)


def test_an_organization_left_out_takes_its_child_organizations_with_it(tmp_path: Path) -> None:
    parent = OrganizationFactory(name="Mãe")
    child = OrganizationFactory(name="Filha", parent_organization=parent)
    grandchild = OrganizationFactory(name="Neta", parent_organization=child)
    Organization.objects.filter(pk=parent.pk).update(description="")
    errors = StringIO()

    export(tmp_path, errors)

    with (tmp_path / "organizations.csv").open(encoding="utf-8", newline="") as handle:
        written = {row["id"] for row in csv.DictReader(handle)}
    assert not {str(parent.pk), str(child.pk), str(grandchild.pk)} & written
    assert f"organizations.csv, id {parent.pk}: left out, description is required" in (
        errors.getvalue()
    )
    assert f"organizations.csv, id {grandchild.pk}: left out, its parent_organization_id" in (
        errors.getvalue()
    )
