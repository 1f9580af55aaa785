"""Reading HSDS 3.0 files into rows: a JSON document (nested objects, lists, paginated
responses) or a tabular data package (datapackage.json and CSV files).

A row is one appearance of an object with its values as written and where it was found ("row
3" of a CSV file, "$.phones[0]" in a JSON document); a nested object gets the id of the object
it sits in. Values are checked later, by ``directory.domain.hsds_import``. Problems and warnings
are collected, never raised, so that a file's every problem can be listed at once.
"""

import csv
import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

from coop4int.directory.hsds import (
    EXTENSION_TAXONOMY_ID,
    EXTENSIONS_BY_TERM,
    TABLES,
    UNKEPT_TABLES,
    Extension,
    Table,
    extension_for,
)


@dataclass(frozen=True, slots=True)
class Problem:
    source: str  # the file
    where: str  # "row 3" or a JSON path such as "$.phones[0]"; empty when about the whole file
    field: str
    message: str

    def __str__(self) -> str:
        place = ", ".join(part for part in (self.source, self.where, self.field) if part)
        return f"{place}: {self.message}"


class Problems:
    """Problems (which stop an import) and warnings (which do not), collected as found."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        # (source, table, field, reason) → how many times; reported once each.
        self._ignored: Counter[tuple[str, str, str, str]] = Counter()

    def problem(self, source: str, where: str, field_name: str, message: str) -> None:
        self.problems.append(Problem(source, where, field_name, message))

    def warn(self, source: str, where: str, field_name: str, message: str) -> None:
        self.warnings.append(Problem(source, where, field_name, message))

    def ignore(self, source: str, table: str, field_name: str, reason: str) -> None:
        """Something left out on purpose: one warning per file, field and reason."""
        self._ignored[(source, table, field_name, reason)] += 1

    def flush_ignored(self) -> None:
        for (source, table, field_name, reason), times in self._ignored.items():
            label = f"{table}.{field_name}" if table else field_name
            self.warn(source, "", label, f"{reason} ({times} time{'s' if times > 1 else ''})")
        self._ignored.clear()


@dataclass
class Row:
    """One appearance of an object: its HSDS values as found, and where."""

    table: str
    source: str
    where: str
    values: dict[str, Any]


@dataclass
class ExtensionValue:
    table: str
    link_id: Any
    extension: Extension
    value: Any
    source: str
    where: str


# How each nested key of an HSDS object is read: ("children", table, the child's column that
# points back), ("parent", table, our column that points to it), ("attributes",) or
# ("unkept",) for HSDS objects the platform does not keep.
_Nesting = tuple[str, ...]
_UNKEPT: _Nesting = ("unkept",)
_ATTRIBUTES: _Nesting = ("attributes",)
NESTED: dict[str, dict[str, _Nesting]] = {
    "service": {
        "phones": ("children", "phone", "service_id"),
        "schedules": ("children", "schedule", "service_id"),
        "service_areas": ("children", "service_area", "service_id"),
        "service_at_locations": ("children", "service_at_location", "service_id"),
        "languages": ("children", "language", "service_id"),
        "organization": ("parent", "organization", "organization_id"),
        "cost_options": ("children", "cost_option", "service_id"),
        "required_documents": ("children", "required_document", "service_id"),
        "contacts": ("children", "contact", "service_id"),
        "attributes": _ATTRIBUTES,
        "funding": _UNKEPT,
        "program": _UNKEPT,
        "metadata": _UNKEPT,
    },
    "organization": {
        "contacts": ("children", "contact", "organization_id"),
        "phones": ("children", "phone", "organization_id"),
        "locations": ("children", "location", "organization_id"),
        "services": ("children", "service", "organization_id"),
        "attributes": _ATTRIBUTES,
        "funding": _UNKEPT,
        "programs": _UNKEPT,
        "organization_identifiers": _UNKEPT,
        "metadata": _UNKEPT,
    },
    "service_at_location": {
        "contacts": ("children", "contact", "service_at_location_id"),
        "phones": ("children", "phone", "service_at_location_id"),
        "schedules": ("children", "schedule", "service_at_location_id"),
        "location": ("parent", "location", "location_id"),
        "service": ("parent", "service", "service_id"),
        "attributes": _ATTRIBUTES,
        "metadata": _UNKEPT,
    },
    "location": {
        "languages": ("children", "language", "location_id"),
        "addresses": ("children", "address", "location_id"),
        "contacts": ("children", "contact", "location_id"),
        "accessibility": ("children", "accessibility", "location_id"),
        "phones": ("children", "phone", "location_id"),
        "schedules": ("children", "schedule", "location_id"),
        "attributes": _ATTRIBUTES,
        "metadata": _UNKEPT,
    },
    "contact": {"phones": ("children", "phone", "contact_id")},
    "phone": {"languages": ("children", "language", "phone_id")},
    "attribute": {"taxonomy_term": ("parent", "taxonomy_term", "taxonomy_term_id")},
    "taxonomy_term": {"taxonomy_detail": ("parent", "taxonomy", "taxonomy_id")},
}

# The HSDS objects a JSON document may be (or list), and the fields only that object has
# among them, in the order they are tried.
DOCUMENT_KINDS = (
    "service", "service_at_location", "taxonomy_term", "location", "organization", "taxonomy",
)  # fmt: skip
_OWN_KEYS: dict[str, frozenset[str]] = {
    "service": frozenset({
        "status", "service_at_locations", "organization", "program", "program_id",
        "service_areas", "cost_options", "required_documents", "eligibility_description",
        "application_process", "fees", "fees_description", "wait_time", "accreditations",
        "licenses", "assured_date", "assurer_email", "alert", "interpretation_services",
        "minimum_age", "maximum_age", "last_modified",
    }),
    "taxonomy_term": frozenset(
        {"code", "parent_id", "taxonomy", "taxonomy_detail", "taxonomy_id", "term_uri", "language"}
    ),
    "location": frozenset({
        "location_type", "addresses", "latitude", "longitude", "transportation",
        "accessibility", "external_identifier", "external_identifier_type",
    }),
    "organization": frozenset({
        "locations", "services", "website", "tax_status", "tax_id", "year_incorporated",
        "legal_status", "logo", "parent_organization_id", "programs",
        "organization_identifiers", "alternate_name", "email",
    }),
    "taxonomy": frozenset({"version"}),
}  # fmt: skip
# A service at a location is the one object without a name that links a service and a place.
_SAL_KEYS = frozenset({"service_id", "location_id", "location", "service"})
# All an organization and a taxonomy may share: such an object could be either.
_ORGANIZATION_OR_TAXONOMY = frozenset({"id", "name", "description", "uri", "metadata"})
_ORGANIZATION_KEYS = _OWN_KEYS["organization"] | _ORGANIZATION_OR_TAXONOMY | {
    "attributes", "contacts", "phones", "funding",
}  # fmt: skip
# Fields of HSDS objects that are imported only inside another (a contact, a phone, an
# address, a schedule, an attribute): a document of one of them is not recognised.
_NESTED_ONLY_KEYS = frozenset({
    "title", "department", "number", "address_1", "postal_code", "opens_at", "closes_at",
    "byday", "freq", "link_id", "link_entity", "taxonomy_term_id",
})  # fmt: skip
UNRECOGNISED = (
    "is not an HSDS object the platform imports: give an organization, a service, a service "
    "at a location, a location, a taxonomy or a taxonomy term (or a list or page of them)"
)
AMBIGUOUS = (
    "could be an organization or a taxonomy (it has only an id, a name, a description and a "
    "uri): say which with --type organization or --type taxonomy"
)


def kind_of(item: dict[str, Any]) -> str:
    """Which HSDS object a top-level JSON object is, by the fields it has (see
    ``DOCUMENT_KINDS``): "" when it has none of any kind's own fields, "?" when it could be
    an organization or a taxonomy."""
    keys = set(item)
    if keys & _NESTED_ONLY_KEYS or not keys & {"id", "name"}:
        return ""
    if "name" not in keys and keys & _SAL_KEYS and not keys & _OWN_KEYS["service"]:
        return "service_at_location"
    for kind in DOCUMENT_KINDS:
        if keys & _OWN_KEYS.get(kind, frozenset()):
            return kind
    if "name" in keys and keys <= _ORGANIZATION_OR_TAXONOMY:
        return "?"
    if "name" in keys and keys <= _ORGANIZATION_KEYS:
        return "organization"
    return ""


def _same_id(a: Any, b: Any) -> bool:
    return str(a).strip().lower() == str(b).strip().lower()


class HSDSReader(Problems):
    """Reads files into ``rows`` and ``extension_values``. ``kind`` says which HSDS object the
    top-level objects of a JSON document are (one of ``DOCUMENT_KINDS``); without it, each is
    recognised by its fields, and one that cannot be is a problem."""

    def __init__(self, kind: str | None = None) -> None:
        super().__init__()
        if kind is not None and kind not in DOCUMENT_KINDS:
            raise ValueError(f"kind must be one of {', '.join(DOCUMENT_KINDS)}")
        self.kind = kind
        self.rows: list[Row] = []
        self.extension_values: list[ExtensionValue] = []

    # --- Files ---

    def read(self, path: Path) -> None:
        if path.is_dir():
            path = path / "datapackage.json"
        source = path.name
        try:
            text = path.read_text(encoding="utf-8-sig")
        except OSError as error:
            self.problem(source, "", "", f"cannot be read: {error.strerror or error}")
            return
        except UnicodeDecodeError:
            self.problem(source, "", "", "is not UTF-8 text")
            return
        try:
            document = json.loads(text)
        except json.JSONDecodeError as error:
            target = self._link_target(path, text)
            if target is None:
                self.problem(source, f"line {error.lineno}", "", f"is not JSON: {error.msg}")
                return
            # A symbolic link checked out as a file holding its target's path (Git without
            # symlink support): read the target, resolve resources next to the link.
            try:
                document = json.loads(target.read_text(encoding="utf-8-sig"))
            except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error2:
                self.problem(source, "", "", f"links to {target}, which is not JSON: {error2}")
                return
        if isinstance(document, dict) and "resources" in document:
            self._read_package(document, path.parent, source)
        else:
            self._read_document(document, source)
        self.flush_ignored()

    @staticmethod
    def _link_target(path: Path, text: str) -> Path | None:
        line = text.strip()
        if not line or "\n" in line or len(line) > 1000:
            return None
        target = path.parent / line
        return target if target.is_file() and target.suffix == ".json" else None

    # --- JSON documents ---

    def _read_document(self, document: Any, source: str) -> None:
        if isinstance(document, dict) and "contents" in document:
            items, prefix = document["contents"], "$.contents"
            if not isinstance(items, list):
                self.problem(source, "$.contents", "", "must be a list")
                return
        elif isinstance(document, list):
            items, prefix = document, "$"
        elif isinstance(document, dict):
            items, prefix = [document], ""
        else:
            self.problem(source, "$", "", "must be an HSDS object or a list of them")
            return
        kinds = [self.kind or kind_of(item) if isinstance(item, dict) else "" for item in items]
        # A list or page holds one kind of object: an item that could be either an
        # organization or a taxonomy is what the others are.
        known = {kind for kind in kinds if kind not in ("", "?")}
        for index, item in enumerate(items):
            where = f"{prefix}[{index}]" if prefix else "$"
            if not isinstance(item, dict):
                self.problem(source, where, "", "must be an HSDS object")
                continue
            kind = kinds[index]
            if kind == "?" and len(known) == 1 and known <= {"organization", "taxonomy"}:
                kind = next(iter(known))
            if kind == "?":
                self.problem(source, where, "", AMBIGUOUS)
            elif not kind:
                self.problem(source, where, "", UNRECOGNISED)
            else:
                self._walk(kind, item, where, source, {})

    def _walk(
        self, table: str, obj: dict[str, Any], where: str, source: str, links: dict[str, Any]
    ) -> Any:
        """Read one object and what it nests; returns its id (as written) or None."""
        spec = TABLES[table]
        nesting = NESTED.get(table, {})
        values: dict[str, Any] = {}
        for key, value in obj.items():
            if key in nesting:
                continue
            if spec.column(key) is None:
                if key in ("attributes", "metadata"):
                    self.ignore(source, table, key, "not kept by the platform; ignored")
                else:
                    self.ignore(source, table, key, "not an HSDS field; ignored")
                continue
            values[key] = value
        for key, value in links.items():
            if key in values and values[key] not in (None, "") and not _same_id(values[key], value):
                self.problem(
                    source, where, key, f"is {values[key]!r} but the object sits in {value!r}"
                )
            values[key] = value
        own_id = values.get("id")
        if own_id in (None, ""):
            self.problem(source, where, "id", "is required")
            return None
        for key, rule in nesting.items():
            if key not in obj or obj[key] is None:
                continue
            child = obj[key]
            child_where = f"{where}.{key}"
            if rule[0] == "children":
                if not isinstance(child, list):
                    self.problem(source, child_where, "", "must be a list")
                    continue
                for index, item in enumerate(child):
                    if not isinstance(item, dict):
                        self.problem(source, f"{child_where}[{index}]", "", "must be an object")
                        continue
                    self._walk(rule[1], item, f"{child_where}[{index}]", source, {rule[2]: own_id})
            elif rule[0] == "parent":
                if not isinstance(child, dict):
                    self.problem(source, child_where, "", "must be an object")
                    continue
                parent_id = self._walk(rule[1], child, child_where, source, {})
                if parent_id is not None:
                    if values.get(rule[2]) not in (None, "") and not _same_id(
                        values[rule[2]], parent_id
                    ):
                        self.problem(source, where, rule[2], f"differs from the nested {key}'s id")
                    values[rule[2]] = parent_id
            elif rule[0] == "attributes":
                if not isinstance(child, list):
                    self.problem(source, child_where, "", "must be a list")
                    continue
                for index, item in enumerate(child):
                    self._nested_attribute(table, own_id, item, f"{child_where}[{index}]", source)
            elif child not in ([], {}):
                self.ignore(source, table, key, "not kept by the platform; ignored")
        self.rows.append(Row(table, source, where, values))
        return own_id

    def _nested_attribute(
        self, table: str, link_id: Any, item: Any, where: str, source: str
    ) -> None:
        if not isinstance(item, dict):
            self.problem(source, where, "", "must be an object")
            return
        term = item.get("taxonomy_term")
        term_id = item.get("taxonomy_term_id") or (
            term.get("id") if isinstance(term, dict) else None
        )
        extension = self._extension(term_id, table, source, where)
        if extension is not None:
            self.extension_values.append(
                ExtensionValue(table, link_id, extension, item.get("value"), source, where)
            )
        elif term_id is not None and as_uuid(term_id) in EXTENSIONS_BY_TERM:
            return  # an extension of another table: already warned
        elif table == "service":
            self._walk("attribute", item, where, source, {"link_id": link_id})
        else:
            self.ignore(
                source, table, "attributes", "attributes of this object are not kept; ignored"
            )

    def _extension(self, term_id: Any, table: str, source: str, where: str) -> Extension | None:
        uuid = as_uuid(term_id)
        if uuid is None or uuid not in EXTENSIONS_BY_TERM:
            return None
        extension = extension_for(uuid, table)
        if extension is None:
            self.warn(source, where, "taxonomy_term_id", f"no such Coop4Int extension for {table}")
        return extension

    # --- Tabular data packages ---

    def _read_package(self, descriptor: dict[str, Any], base: Path, source: str) -> None:
        resources = descriptor.get("resources")
        if not isinstance(resources, list):
            self.problem(source, "", "resources", "must be a list")
            return
        by_path = {table.path: table.name for table in TABLES.values()}
        unkept_by_path = {path: name for name, path in UNKEPT_TABLES.items()}
        for index, resource in enumerate(resources):
            where = f"resources[{index}]"
            if not isinstance(resource, dict):
                self.problem(source, where, "", "must be an object")
                continue
            name, relative = resource.get("name"), resource.get("path")
            if not isinstance(relative, str) or not relative:
                self.problem(source, where, "path", "must be the path of one CSV file")
                continue
            if "://" in relative or Path(relative).is_absolute() or ".." in Path(relative).parts:
                self.problem(source, where, "path", "must be a file path inside the package")
                continue
            file_name = Path(relative).name
            table = name if name in TABLES else by_path.get(file_name)
            unkept = name if name in UNKEPT_TABLES else unkept_by_path.get(file_name)
            file = base / relative
            if not file.is_file():
                if table is not None:
                    self.problem(source, where, "path", f"{relative} not found")
                continue
            if table is None:
                rows = sum(1 for _ in self._csv_rows(file, relative)) if unkept else 0
                reason = (
                    f"the platform keeps no {Path(file_name).stem.replace('_', ' ')}; "
                    f"{rows} row(s) not imported"
                    if unkept
                    else "not an HSDS table; not imported"
                )
                self.warn(relative, "", "", reason)
                continue
            self._read_table(TABLES[table], file, relative)

    def _csv_rows(self, file: Path, source: str) -> Iterable[tuple[int, dict[str, str]]]:
        try:
            with file.open(encoding="utf-8-sig", newline="") as handle:
                reader = csv.DictReader(handle)
                # Spreadsheet numbering: the header is row 1.
                for number, row in enumerate(reader, start=2):
                    if None in row:
                        self.problem(source, f"row {number}", "", "has more cells than the header")
                        continue
                    yield number, row
        except UnicodeDecodeError:
            self.problem(source, "", "", "is not UTF-8 text")
        except csv.Error as error:
            self.problem(source, "", "", f"is not valid CSV: {error}")

    def _read_table(self, table: Table, file: Path, source: str) -> None:
        header_checked = False
        for number, row in self._csv_rows(file, source):
            where = f"row {number}"
            if not header_checked:
                header_checked = True
                if "id" not in row:
                    self.problem(source, "", "id", "column missing")
                    return
                for name in row:
                    if table.column(name) is None:
                        self.warn(source, "", name, "not an HSDS column; ignored")
            values = {name: value for name, value in row.items() if table.column(name)}
            if table.name == "attribute":
                self._tabular_attribute(values, source, where)
            elif table.name == "taxonomy" and as_uuid(values.get("id")) == EXTENSION_TAXONOMY_ID:
                continue  # our extension taxonomy is not stored
            elif table.name == "taxonomy_term" and (
                as_uuid(values.get("id")) in EXTENSIONS_BY_TERM
                or as_uuid(values.get("taxonomy_id")) == EXTENSION_TAXONOMY_ID
            ):
                continue
            else:
                self.rows.append(Row(table.name, source, where, values))

    def _tabular_attribute(self, values: dict[str, str], source: str, where: str) -> None:
        entity = (values.get("link_entity") or "").strip()
        extension = self._extension(values.get("taxonomy_term_id"), entity, source, where)
        if extension is not None:
            self.extension_values.append(
                ExtensionValue(
                    entity, values.get("link_id"), extension, values.get("value"), source, where
                )
            )
        elif as_uuid(values.get("taxonomy_term_id")) in EXTENSIONS_BY_TERM:
            return
        elif entity == "service":
            self.rows.append(Row("attribute", source, where, values))
        else:
            self.ignore(
                source,
                "attribute",
                "link_entity",
                f"attributes of {entity or 'unnamed tables'!r} are not kept; not imported",
            )


def as_uuid(value: Any) -> UUID | None:
    if isinstance(value, UUID):
        return value
    try:
        return UUID(str(value).strip())
    except (ValueError, AttributeError):
        return None
