"""`coop4int import_hsds`: the official HSDS examples import; a file with problems changes
nothing and every problem names its file, row or JSON path, and field; re-importing updates in
place."""

import csv
import json
from io import StringIO
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Model
from django.utils import translation

from coop4int.core.models import AuditEntry
from coop4int.directory.domain.hsds_import import HSDSImportError, import_hsds
from coop4int.directory.hsds import EXTENSIONS, extension_attribute_id, service_to_hsds
from coop4int.directory.models import (
    Address,
    Contact,
    DirectoryEntry,
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
from coop4int.directory.tests.factories import LocationFactory, ServiceFactory

pytestmark = pytest.mark.django_db


EXAMPLE_SERVICE = UUID("ac148810-d857-441c-9679-408f346de14b")
EXAMPLE_ORGANIZATION = UUID("d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610")
EXAMPLE_LOCATION = UUID("3a19ff88-4620-4d17-9830-ac1d859eb5d5")
EXAMPLE_PHONE = UUID("1554f2e2-a373-45db-a3fa-9fc48a61c15e")
DIRECTORY_MODELS: list[type[Model]] = [
    Organization,
    Service,
    Location,
    ServiceAtLocation,
    Address,
    Phone,
    Schedule,
    Contact,
    Language,
    TaxonomyTerm,
    ServiceTopic,
]


def run(path: Path, *args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_hsds", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def run_failing(path: Path, *args: str) -> list[str]:
    err = StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_hsds", str(path), *args, stdout=StringIO(), stderr=err)
    return err.getvalue().splitlines()


def counts() -> dict[str, int]:
    return {model.__name__: model._default_manager.count() for model in DIRECTORY_MODELS}


def write_json(folder: Path, name: str, document: Any) -> Path:
    path = folder / name
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def a_service(**fields: Any) -> dict[str, Any]:
    return {"id": str(uuid4()), "name": "Apoio jurídico", "status": "active", **fields}


# --- The official examples -------------------------------------------------------------------


@pytest.mark.parametrize(
    "example",
    ["service_full.json", "organization_full.json", "service_at_location_full.json"],
)
def test_official_full_examples_import(hsds_reference: Path, example: str) -> None:
    out, err = run(hsds_reference / "examples" / example)
    assert "Imported" in out
    service = Service.objects.get(pk=EXAMPLE_SERVICE)
    assert service.name == "Community Counselling"
    assert service.organization_id == EXAMPLE_ORGANIZATION
    # One phone, repeated under the service, its location and its contacts: one row, all links.
    phone = Phone.objects.get(pk=EXAMPLE_PHONE)
    assert phone.number == '"+44 1234 234567"'  # kept exactly as written
    assert phone.location_id == EXAMPLE_LOCATION
    assert phone.contact_id is not None
    assert Language.objects.get().phone_id == EXAMPLE_PHONE
    assert ServiceAtLocation.objects.get().location_id == EXAMPLE_LOCATION
    assert Address.objects.get().country == "US"
    # Data the platform does not keep, and the example's own slips, are named, not fatal.
    assert "program" in err
    assert "latitude: 100 is outside ±90; left empty" in err
    assert "parent_organization_id: no organization cd09a387" in err


def test_official_service_full_example_comes_back_out_the_same(hsds_reference: Path) -> None:
    path = hsds_reference / "examples" / "service_full.json"
    run(path)
    example = json.loads(path.read_text())
    ours = service_to_hsds(Service.objects.get(pk=EXAMPLE_SERVICE))
    kept = [
        key
        for key in example
        if not isinstance(example[key], list | dict) and key not in ("fees", "last_modified")
    ]
    assert {key: ours.get(key) for key in kept} == {key: example[key] for key in kept}
    assert ours["phones"][0]["number"] == example["phones"][0]["number"]
    assert ours["required_documents"] == example["required_documents"]


@pytest.mark.parametrize("example", ["service_list.json", "organization_list.json"])
def test_official_paginated_lists_import(hsds_reference: Path, example: str) -> None:
    run(hsds_reference / "examples" / example)
    assert Organization.objects.get().pk == EXAMPLE_ORGANIZATION
    if example == "service_list.json":
        assert Service.objects.get().organization_id == EXAMPLE_ORGANIZATION


def test_official_csv_data_package_imports(hsds_reference: Path) -> None:
    # examples/csv/datapackage.json is a symbolic link kept as a file holding its target.
    out, err = run(hsds_reference / "examples" / "csv" / "datapackage.json")
    assert "Imported" in out
    service = Service.objects.get(pk=EXAMPLE_SERVICE)
    assert service.minimum_age == 12
    assert service.cost_options.get().currency == "gbp"
    assert Schedule.objects.get().byday == "TH,FR"
    assert "programs.csv: the platform keeps no programs; 1 row(s) not imported" in err
    assert "contacts.csv, row 2, service_at_location_id: no service_at_location" in err


def test_the_whole_csv_folder_can_be_given(hsds_reference: Path) -> None:
    run(hsds_reference / "examples" / "csv")
    assert Service.objects.filter(pk=EXAMPLE_SERVICE).exists()


def test_strict_turns_warnings_into_problems(hsds_reference: Path) -> None:
    lines = run_failing(hsds_reference / "examples" / "service_full.json", "--strict")
    assert any("latitude" in line for line in lines)
    assert counts() == dict.fromkeys(counts(), 0)


def test_schedules_the_hours_engine_cannot_read_are_kept_as_notes(hsds_reference: Path) -> None:
    # The example repeats bymonthday with freq WEEKLY, which RFC 5545 forbids.
    _out, err = run(hsds_reference / "examples" / "service_full.json")
    schedule = Schedule.objects.get()
    assert (schedule.opens_at, schedule.closes_at) == (None, None)
    assert schedule.description.startswith("The service is available")
    assert "$.schedules[0], bymonthday: 2, 3, 4 is only allowed with MONTHLY" in err


# --- Updates in place ------------------------------------------------------------------------


def test_importing_the_same_file_twice_changes_nothing(hsds_reference: Path) -> None:
    path = hsds_reference / "examples" / "organization_full.json"
    run(path)
    before = counts()
    modified = Service.objects.get().modified_at
    out, _err = run(path)
    assert counts() == before
    assert "created" not in out
    assert "updated" not in out
    assert Service.objects.get().modified_at == modified


def test_a_changed_file_updates_the_rows_in_place(tmp_path: Path) -> None:
    document = a_service(phones=[{"id": str(uuid4()), "number": "+238 260 10 10"}])
    path = write_json(tmp_path, "service.json", document)
    run(path)
    document["name"] = "Apoio jurídico gratuito"
    document["phones"][0]["number"] = "+238 260 10 11"
    out, _err = run(write_json(tmp_path, "service.json", document))
    assert "updated: 1 phone, 1 service" in out
    service = Service.objects.get()
    assert str(service.pk) == document["id"]
    assert service.name == "Apoio jurídico gratuito"
    assert Phone.objects.get().number == "+238 260 10 11"


def test_fields_a_document_leaves_out_are_left_as_they_are(tmp_path: Path) -> None:
    service = ServiceFactory(email="desk@example.org", walk_in=True)
    document = {"id": str(service.pk), "name": "New name", "status": "inactive"}
    run(write_json(tmp_path, "service.json", document))
    service.refresh_from_db()
    assert (service.name, service.status, service.email) == (
        "New name",
        "inactive",
        "desk@example.org",
    )
    assert service.walk_in is True


def test_extension_attributes_set_our_fields(tmp_path: Path) -> None:
    location_id = uuid4()
    extensions = {e.code: e for e in EXTENSIONS if e.table == "location"}

    def attribute(code: str, value: str) -> dict[str, Any]:
        extension = extensions[code]
        return {
            "id": str(extension_attribute_id(location_id, extension)),
            "taxonomy_term_id": str(extension.term_id),
            "link_entity": "location",
            "value": value,
        }

    sal = {
        "id": str(uuid4()),
        "location": {
            "id": str(location_id),
            "location_type": "physical",
            "attributes": [attribute("time_zone", "Europe/Lisbon"), attribute("country", "PT")],
        },
    }
    run(write_json(tmp_path, "service.json", a_service(service_at_locations=[sal])))
    location = Location.objects.get()
    assert (location.time_zone, location.country) == ("Europe/Lisbon", "PT")
    assert ServiceTopic.objects.count() == 0


def test_the_public_directory_shows_what_was_imported(tmp_path: Path) -> None:
    sal = {"id": str(uuid4()), "location": {"id": str(uuid4()), "location_type": "physical"}}
    run(write_json(tmp_path, "service.json", a_service(service_at_locations=[sal])))
    assert DirectoryEntry.objects.get().service_at_location_id == UUID(sal["id"])


def test_an_import_is_audited_once(tmp_path: Path) -> None:
    run(write_json(tmp_path, "service.json", a_service()))
    entry = AuditEntry.objects.get(action="directory.hsds.imported")
    assert entry.data["created"] == {"service": 1}
    assert entry.data["source"] == "service.json"


# --- Problems --------------------------------------------------------------------------------


def test_a_bad_json_file_changes_nothing_and_names_every_problem(tmp_path: Path) -> None:
    existing = ServiceFactory(name="Kept as it was")
    before = counts()
    document = {
        "total_items": 2,
        "contents": [
            {
                "id": str(existing.pk),
                "name": "Changed",
                "status": "active",
                "phones": [{"id": str(uuid4()), "number": "call us"}],
            },
            a_service(
                status="open",
                assured_date="01/02/2025",
                minimum_age="twelve",
                email="not-an-email",
                languages=[{"id": str(uuid4()), "code": "xx-klingon"}],
                service_at_locations=[
                    {
                        "id": str(uuid4()),
                        "location": {
                            "id": str(uuid4()),
                            "location_type": "underground",
                            "addresses": [{"id": "42", "city": "Praia"}],
                            "schedules": [{"id": str(uuid4()), "opens_at": "9h", "wkst": "XX"}],
                        },
                    },
                    {"id": str(uuid4()), "location_id": str(uuid4())},
                ],
            ),
            {"id": str(uuid4()), "status": "active", "name": ""},
        ],
    }
    lines = run_failing(write_json(tmp_path, "bad.json", document))
    expected = [
        "bad.json, $.contents[0].phones[0], number: 'call us' is not a phone number",
        "bad.json, $.contents[1], status: 'open' is not one of: active, inactive, defunct, "
        "temporarily closed",
        "bad.json, $.contents[1], assured_date: '01/02/2025' is not a date (YYYY-MM-DD)",
        "bad.json, $.contents[1], minimum_age: 'twelve' is not a number",
        "bad.json, $.contents[1], email: Enter a valid email address.",
        "bad.json, $.contents[1].languages[0], code: 'xx-klingon' is not an ISO 639 language code",
        "bad.json, $.contents[1].service_at_locations[0].location, location_type: 'underground' "
        "is not one of: physical, postal, virtual",
        "bad.json, $.contents[1].service_at_locations[0].location.addresses[0], id: '42' is not a "
        "UUID",
        "bad.json, $.contents[1].service_at_locations[0].location.schedules[0], opens_at: '9h' is "
        "not a time (HH:MM)",
        "bad.json, $.contents[1].service_at_locations[0].location.schedules[0], wkst: 'XX' is not "
        "one of: MO, TU, WE, TH, FR, SA, SU",
        "bad.json, $.contents[1].service_at_locations[1], location_id: no location ",
        "bad.json, $.contents[2], name: This field cannot be blank.",
    ]
    for line in expected:
        assert any(found.startswith(line) for found in lines), (line, lines)
    assert counts() == before
    existing.refresh_from_db()
    assert existing.name == "Kept as it was"


def test_a_bad_data_package_names_file_row_and_field(tmp_path: Path) -> None:
    service_id, location_id = uuid4(), uuid4()
    tables = {
        "services.csv": [
            ["id", "name", "status"],
            [str(service_id), "Apoio", "active"],
            [str(uuid4()), "Outro", "closed"],
        ],
        "locations.csv": [["id", "location_type"], [str(location_id), "physical"]],
        "addresses.csv": [
            ["id", "location_id", "address_1", "city", "state_province", "country"],
            [str(uuid4()), str(location_id), "Rua 1", "Praia", "Santiago", "CV"],
            [str(uuid4()), "", "Rua 2", "Praia", "Santiago", "Cabo Verde"],
        ],
        "phones.csv": [
            ["id", "service_id", "number"],
            [str(uuid4()), str(service_id), "+238 260 10 10"],
            [str(uuid4()), str(uuid4()), "ask at the desk"],
        ],
    }
    for name, rows in tables.items():
        with (tmp_path / name).open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows(rows)
    descriptor = {"resources": [{"name": n.removesuffix(".csv"), "path": n} for n in tables]}
    write_json(tmp_path, "datapackage.json", descriptor)
    lines = run_failing(tmp_path / "datapackage.json")
    expected = [
        "services.csv, row 3, status: 'closed' is not one of",
        "addresses.csv, row 3, location_id: is required",
        "addresses.csv, row 3, country: Ensure this value has at most 2 characters",
        "phones.csv, row 3, number: 'ask at the desk' is not a phone number (read as in CV)",
        "warning: phones.csv, row 3, service_id: no service ",
    ]
    for line in expected:
        assert any(found.startswith(line) for found in lines), (line, lines)
    assert counts() == dict.fromkeys(counts(), 0)


def test_one_object_with_two_different_values_is_a_problem(tmp_path: Path) -> None:
    phone_id = str(uuid4())
    location = {
        "id": str(uuid4()),
        "location_type": "physical",
        "phones": [{"id": phone_id, "number": "+238 260 10 11"}],
    }
    document = a_service(
        phones=[{"id": phone_id, "number": "+238 260 10 10"}],
        service_at_locations=[{"id": str(uuid4()), "location": location}],
    )
    lines = run_failing(write_json(tmp_path, "service.json", document))
    assert any("number: is '+238 260 10 11' here but '+238 260 10 10' at" in line for line in lines)


def test_a_wrong_time_zone_or_language_is_a_problem(tmp_path: Path) -> None:
    location_id = uuid4()
    time_zone = next(e for e in EXTENSIONS if e.code == "time_zone")
    language = next(e for e in EXTENSIONS if e.code == "text_language")
    document = a_service(
        attributes=[{"id": str(uuid4()), "taxonomy_term_id": str(language.term_id), "value": "xx"}],
        service_at_locations=[
            {
                "id": str(uuid4()),
                "location": {
                    "id": str(location_id),
                    "location_type": "physical",
                    "attributes": [
                        {
                            "id": str(uuid4()),
                            "taxonomy_term_id": str(time_zone.term_id),
                            "value": "Atlantic/Atlantis",
                        }
                    ],
                },
            }
        ],
    )
    lines = run_failing(write_json(tmp_path, "service.json", document))
    assert any(
        line.startswith(
            "service.json, $.service_at_locations[0].location.attributes[0], "
            "time_zone: 'Atlantic/Atlantis' is not an IANA time zone"
        )
        for line in lines
    ), lines
    assert any(
        line.startswith("service.json, $.attributes[0], language: Value 'xx' is not a valid")
        for line in lines
    ), lines


def test_phone_numbers_are_read_in_the_country_of_their_address(tmp_path: Path) -> None:
    location = LocationFactory()
    Address.objects.create(
        location=location, address_1="Rua 1", city="Lisboa", state_province="-", country="PT"
    )
    sal = {"id": str(uuid4()), "location_id": str(location.pk)}
    document = a_service(
        service_at_locations=[
            {**sal, "phones": [{"id": str(uuid4()), "number": "ligue-nos"}]},
        ],
        phones=[{"id": str(uuid4()), "number": "pergunte"}],
    )
    lines = run_failing(write_json(tmp_path, "service.json", document))
    assert any(
        line.startswith(
            "service.json, $.service_at_locations[0].phones[0], number: 'ligue-nos' "
            "is not a phone number (read as in PT)"
        )
        for line in lines
    ), lines
    assert any("number: 'pergunte' is not a phone number (read as in CV)" in line for line in lines)


def test_a_number_is_kept_as_written(tmp_path: Path) -> None:
    run(
        write_json(
            tmp_path, "s.json", a_service(phones=[{"id": str(uuid4()), "number": "260 10 10"}])
        )
    )
    assert Phone.objects.get().number == "260 10 10"


def test_nothing_is_saved_when_a_problem_is_found_late(tmp_path: Path) -> None:
    good = [a_service(name=f"Service {n}") for n in range(3)]
    bad = a_service(phones=[{"id": str(uuid4()), "number": "+238 260 10 10", "extension": -4}])
    with pytest.raises(HSDSImportError) as raised, translation.override("en"):
        import_hsds(path=write_json(tmp_path, "services.json", [*good, bad]))
    assert [str(p) for p in raised.value.problems] == [
        "services.json, $[3].phones[0], extension: Ensure this value is greater than or equal to 0."
    ]
    assert Service.objects.count() == 0


def test_a_file_that_is_not_json_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text("{not json", encoding="utf-8")
    assert run_failing(path) == [
        "broken.json, line 1: is not JSON: Expecting property name enclosed in double quotes"
    ]


def test_a_missing_file_is_a_problem(tmp_path: Path) -> None:
    lines = run_failing(tmp_path / "nowhere.json")
    assert lines[0].startswith("nowhere.json: cannot be read")


def test_a_dangling_optional_link_is_left_empty_with_a_warning(tmp_path: Path) -> None:
    document = a_service(organization_id=str(uuid4()))
    _out, err = run(write_json(tmp_path, "service.json", document))
    assert "organization_id: no organization" in err
    assert Service.objects.get().organization_id is None


def test_an_hsds_page_imports_every_item_of_its_contents(tmp_path: Path) -> None:
    document = {"total_items": 2, "contents": [a_service(name="One"), a_service(name="Two")]}
    run(write_json(tmp_path, "page.json", document))
    assert sorted(Service.objects.values_list("name", flat=True)) == ["One", "Two"]


def test_closing_before_opening_refuses_the_import(tmp_path: Path) -> None:
    schedule = {"id": str(uuid4()), "freq": "WEEKLY", "byday": "MO", "opens_at": "17:00",
                "closes_at": "09:00"}  # fmt: skip
    before = counts()
    errors = run_failing(write_json(tmp_path, "s.json", a_service(schedules=[schedule])))
    assert any("closes_at" in line and "not after opens_at" in line for line in errors)
    assert counts() == before


def test_overlapping_versions_of_the_hours_refuse_the_import(tmp_path: Path) -> None:
    def row(valid_from: str, valid_to: str | None) -> dict[str, Any]:
        found = {"id": str(uuid4()), "freq": "WEEKLY", "byday": "MO", "opens_at": "09:00",
                 "closes_at": "17:00", "valid_from": valid_from}  # fmt: skip
        return found | ({"valid_to": valid_to} if valid_to else {})

    document = a_service(schedules=[row("2026-01-01", "2026-12-31"), row("2026-06-01", None)])
    before = counts()
    errors = run_failing(write_json(tmp_path, "s.json", document))
    assert any("valid_from" in line and "overlaps" in line for line in errors)
    assert counts() == before
