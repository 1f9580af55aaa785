"""Writing the whole directory as HSDS 3.0 files: ``services.json`` (every service, fully
nested), ``organizations.json`` (every organization, fully nested), and the tabular form — one
CSV per HSDS table with the HSDS column names, described by ``datapackage.json``.

``import_hsds`` reads any of them back: the data package alone gives the same directory, and
so do ``organizations.json`` then ``services.json``.

No CSV row breaks the HSDS data package's schema: a row lacking a value the package requires
(an address without a postal code, a service without an organization) is left out with a
warning, and so is every row that points to one left out (a left-out service takes its
services at locations, phones, schedules… with it), so that no link dangles.
"""

import csv
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import models

from coop4int.directory.domain.hsds_queries import (
    ServiceCriteria,
    organizations_for_hsds,
    services_for_hsds,
)
from coop4int.directory.hsds import (
    EXTENSION_TAXONOMY_ID,
    HSDS_VERSION,
    TABLES,
    Column,
    Table,
    extension_rows,
    extension_taxonomy_to_hsds,
    extension_terms_to_hsds,
    organization_to_hsds,
    row_to_hsds,
    service_to_hsds,
)
from coop4int.directory.models import Location, Organization, Service

_CHUNK = 500
_FRICTIONLESS_TYPES = {
    "string": "string",
    "uuid": "string",
    "date": "date",
    "time": "time",
    "datetime": "datetime",
    "integer": "number",
    "decimal": "number",
    "number": "number",
}


@dataclass
class ExportReport:
    files: dict[str, int] = field(default_factory=dict)  # file name → objects or rows written
    warnings: list[str] = field(default_factory=list)
    """Rows left out of the tabular form, and why (``addresses.csv, id …: postal_code is
    required but empty``)."""


def export_hsds(*, directory: Path) -> ExportReport:
    """Write every HSDS file of the directory into ``directory`` (created if needed; files of
    the same names are replaced)."""
    directory.mkdir(parents=True, exist_ok=True)
    report = ExportReport()
    services = services_for_hsds(ServiceCriteria(), full=True).iterator(chunk_size=_CHUNK)
    report.files["services.json"] = _write_json(
        directory / "services.json", (service_to_hsds(service) for service in services)
    )
    organizations = organizations_for_hsds(full=True).iterator(chunk_size=_CHUNK)
    report.files["organizations.json"] = _write_json(
        directory / "organizations.json",
        (organization_to_hsds(organization) for organization in organizations),
    )
    left_out: dict[str, set[str]] = {name: set() for name in TABLES}
    for table in TABLES.values():
        rows = _checked_rows(table, left_out, report.warnings)
        report.files[table.path] = _write_csv(directory / table.path, table, rows)
    (directory / "datapackage.json").write_text(
        json.dumps(datapackage_descriptor(), indent=2, ensure_ascii=False) + "\n", "utf-8"
    )
    return report


def _write_json(path: Path, objects: Any) -> int:
    count = 0
    with path.open("w", encoding="utf-8") as handle:
        handle.write("[")
        for obj in objects:
            handle.write(",\n" if count else "\n")
            handle.write(json.dumps(obj, indent=2, ensure_ascii=False))
            count += 1
        handle.write("\n]\n" if count else "]\n")
    return count


def _write_csv(path: Path, table: Table, rows: Any) -> int:
    count = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=[column.name for column in table.columns])
        writer.writeheader()
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


def _in_order(model: type[models.Model]) -> Any:
    return model._default_manager.order_by("created_at", "id").iterator(chunk_size=_CHUNK)


def _rows(table: Table) -> Any:
    """Every row of a table, then — for attributes, terms and taxonomies — our extensions."""
    for obj in _in_order(table.model):
        yield row_to_hsds(table.name, obj)
    names = [column.name for column in table.columns]
    if table.name == "attribute":
        for model, entity in (
            (Organization, "organization"),
            (Location, "location"),
            (Service, "service"),
        ):
            for obj in _in_order(model):
                yield from extension_rows(obj, entity)
    elif table.name == "taxonomy_term":
        for term in extension_terms_to_hsds():
            yield {name: term.get(name, "") for name in names}
    elif table.name == "taxonomy":
        taxonomy = extension_taxonomy_to_hsds()
        yield {name: taxonomy.get(name, "") for name in names}


def _row_problem(table: Table, row: dict[str, str], left_out: dict[str, set[str]]) -> str:
    """Why ``row`` cannot be written ("" when it can): a value the data package requires is
    empty, a value is outside its enum, or it points to a row left out."""
    for column in table.columns:
        value = row.get(column.name, "")
        if not value:
            if column.required_in_rows:
                return f"{column.name} is required but empty"
            continue
        if column.enum and value not in column.enum:
            return f"{column.name} {value!r} is not one of: {', '.join(column.enum)}"
        target = row.get("link_entity", "") if column.name == "link_id" else column.references
        if target and value in left_out.get(target, ()):
            return f"its {column.name} {value} is a {target} left out"
    return ""


def _checked_rows(
    table: Table, left_out: dict[str, set[str]], warnings: list[str]
) -> Iterator[dict[str, str]]:
    """The rows of ``table`` that can be written; the others are added to ``left_out`` with a
    warning. Tables come in ``TABLES`` order, so what a row points to was checked before it —
    except a parent in the same table, found by a first pass over the table's links."""
    if any(column.references == table.name for column in table.columns):
        _leave_out_in_table(table, _rows(table), left_out)
    for row in _rows(table):
        problem = _row_problem(table, row, left_out)
        if problem or row["id"] in left_out[table.name]:
            left_out[table.name].add(row["id"])
            warnings.append(
                f"{table.path}, id {row['id']}: left out, {problem or 'its parent is left out'}"
            )
            continue
        yield row


def _leave_out_in_table(
    table: Table, rows: Iterable[dict[str, str]], left_out: dict[str, set[str]]
) -> None:
    """Leave out the rows of a table that points to itself (organizations, taxonomy terms)
    with a problem of their own, then those whose parent is left out, however far up."""
    own = [column.name for column in table.columns if column.references == table.name]
    parents: dict[str, list[str]] = {}
    for row in rows:
        if _row_problem(table, row, left_out):
            left_out[table.name].add(row["id"])
        parents[row["id"]] = [row[name] for name in own if row[name]]
    changed = True
    while changed:
        changed = False
        for row_id, links in parents.items():
            if row_id not in left_out[table.name] and left_out[table.name] & set(links):
                left_out[table.name].add(row_id)
                changed = True


def _field(column: Column) -> dict[str, Any]:
    described: dict[str, Any] = {
        "name": column.name,
        "type": _FRICTIONLESS_TYPES[column.kind],
        "constraints": {"required": column.required_in_rows},
    }
    if column.kind == "uuid":
        described["format"] = "uuid"
    if column.enum:
        described["constraints"]["enum"] = list(column.enum)
    return described


def datapackage_descriptor() -> dict[str, Any]:
    """The Frictionless Tabular Data Package descriptor of the tabular export."""
    resources = []
    for table in TABLES.values():
        schema: dict[str, Any] = {
            "fields": [_field(column) for column in table.columns],
            "primaryKey": "id",
        }
        foreign_keys = [
            {"fields": column.name, "reference": {"resource": column.references, "fields": "id"}}
            for column in table.columns
            # An attribute's link_id points to a row of the table its link_entity names.
            if column.is_reference and column.name != "link_id"
        ]
        if foreign_keys:
            schema["foreignKeys"] = foreign_keys
        resources.append(
            {
                "name": table.name,
                "path": table.path,
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": schema,
            }
        )
    return {
        "name": "coop4int-hsds",
        "title": "Coop4Int service directory (Open Referral HSDS)",
        "profile": "tabular-data-package",
        "hsds_version": HSDS_VERSION,
        "description": "Services, organizations and locations as Open Referral HSDS "
        f"{HSDS_VERSION} tables. Extensions are attributes of taxonomy {EXTENSION_TAXONOMY_ID}.",
        "resources": resources,
    }
