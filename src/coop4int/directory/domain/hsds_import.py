"""Importing HSDS 3.0 data: a JSON document or a tabular data package, all or nothing.

Everything is read and checked before anything is written, and every problem is collected as
"file, row or JSON path, field: message". Rows are matched by id: a row whose id exists is
updated in place (only when something changed, so a second import of the same file changes
nothing); fields a document does not give are left as they are. Nothing is ever deleted.

The same object may appear several times in one nested document (the official examples repeat
a phone under the service, its location and its contact): the appearances are merged, each
adding the link to the object it sits in; different values for the same field are a problem.

Problems stop the import. Warnings do not (``strict`` makes them problems): HSDS data the
platform does not keep (programs, funding, metadata…), links to objects found neither in the
file nor in the database where the link is optional (left empty), coordinates outside the
globe (left empty), schedules the hours engine cannot read (kept without their times). The
official HSDS examples have each of these.
"""

import functools
import re
import zoneinfo
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import time
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path
from typing import Any, cast
from uuid import UUID

import phonenumbers
from babel import Locale
from babel.core import get_global
from babel.numbers import is_currency
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, transaction

from coop4int.core.audit import record
from coop4int.core.languages import REGISTRY
from coop4int.directory import hours
from coop4int.directory.domain.calendars import rule_from_schedule
from coop4int.directory.domain.index import refresh_entries
from coop4int.directory.hsds import TABLES, Table, extension_value_from_hsds, value_from_hsds
from coop4int.directory.hsds_reading import HSDSReader, Problem, Row, as_uuid
from coop4int.directory.models import (
    Address,
    Contact,
    Organization,
    Service,
    ServiceAtLocation,
    ServiceTopic,
    TaxonomyTerm,
)

DEFAULT_PHONE_REGION = "CV"
COORDINATE_PLACES = Decimal("0.000001")


class HSDSImportError(Exception):
    """The import found problems and saved nothing."""

    def __init__(self, problems: list[Problem], warnings: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems
        self.warnings = warnings


@dataclass
class ImportReport:
    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)
    warnings: list[Problem] = field(default_factory=list)


def import_hsds(*, path: Path, strict: bool = False, kind: str | None = None) -> ImportReport:
    """Import the HSDS document or data package at ``path`` in one transaction.

    ``path`` is a JSON document (an organization, a service, a service at a location, a
    location, a taxonomy or a taxonomy term; a list of them, or an HSDS paginated response
    with ``contents``), a ``datapackage.json`` with CSV resources, or a directory holding one.
    Each object of a JSON document is recognised by its fields, or is the ``kind`` given (one
    of ``hsds_reading.DOCUMENT_KINDS``); an object that cannot be recognised is a problem.
    Raises HSDSImportError with every problem, having saved nothing.

    Side effects: creates and updates directory rows; rebuilds the public directory entries
    of the services and locations it changed; one audit entry ``directory.hsds.imported``.
    """
    importer = _Importer(kind)
    importer.read(path)
    with transaction.atomic():
        plan = importer.check()
        if importer.problems or (strict and importer.warnings):
            if strict:
                raise HSDSImportError(importer.problems + importer.warnings, [])
            raise HSDSImportError(importer.problems, importer.warnings)
        report = _save(plan)
        report.warnings = importer.warnings
        record(
            action="directory.hsds.imported",
            actor=None,
            data={
                "source": path.name,
                "created": dict(report.created),
                "updated": dict(report.updated),
            },
        )
    return report


class _Importer(HSDSReader):
    """Reads, then turns the rows into model instances and checks them."""

    # --- Checking ---

    def check(self) -> "_Plan":
        """Turn the rows into model instances (unsaved) and collect every problem."""
        merged = self._merge()
        self._merge_extensions(merged)
        plan = _Plan()
        self._resolve_references(merged)
        existing = {
            table: TABLES[table].model._default_manager.in_bulk(list(objects))
            for table, objects in merged.items()
        }
        for table_name, table in TABLES.items():
            for object_id, obj in merged.get(table_name, {}).items():
                instance = existing[table_name].get(object_id)
                is_new = instance is None
                if instance is None:
                    instance = table.model(pk=object_id)
                before = _snapshot(instance)
                self._assign(table, obj, instance)
                plan.items.append(_Planned(table_name, obj, instance, is_new, before))
        self._check_instances(plan)
        self._check_unique_pairs(plan)
        self._check_parent_loops(plan)
        self._check_phones(plan)
        self._check_hours(plan)
        return plan

    def _merge(self) -> dict[str, dict[UUID, "_Object"]]:
        merged: dict[str, dict[UUID, _Object]] = defaultdict(dict)
        for row in self.rows:
            table = TABLES[row.table]
            values: dict[str, Any] = {}
            for name, raw in row.values.items():
                column = table.column(name)
                if column is None or column.derived:
                    continue
                if column.attname is None:
                    if raw not in (None, ""):
                        self.ignore(
                            row.source, row.table, name, "not kept by the platform; ignored"
                        )
                    continue
                try:
                    values[name] = value_from_hsds(column, raw)
                except ValueError as error:
                    self.problem(row.source, row.where, name, str(error))
            object_id = values.get("id")
            if not isinstance(object_id, UUID):
                if "id" in values or "id" not in row.values:
                    self.problem(row.source, row.where, "id", "is required")
                continue
            if row.table == "location":
                self._check_coordinates(values, row)
            obj = merged[row.table].get(object_id)
            if obj is None:
                merged[row.table][object_id] = _Object(row.table, object_id, values, row)
                continue
            for name, value in values.items():
                if name in obj.values and obj.values[name] != value:
                    self.problem(
                        row.source,
                        row.where,
                        name,
                        f"is {value!r} here but {obj.values[name]!r} at "
                        f"{obj.origin.source} {obj.origin.where} (same id)",
                    )
                else:
                    obj.values[name] = value
        self.flush_ignored()
        return merged

    def _check_coordinates(self, values: dict[str, Any], row: Row) -> None:
        for name, limit in (("latitude", 90), ("longitude", 180)):
            value = values.get(name)
            if value is None:
                continue
            if abs(value) > limit:
                self.warn(row.source, row.where, name, f"{value} is outside ±{limit}; left empty")
                values[name] = None
            else:
                values[name] = value.quantize(COORDINATE_PLACES, rounding=ROUND_HALF_EVEN)

    def _merge_extensions(self, merged: dict[str, dict[UUID, "_Object"]]) -> None:
        wanted: dict[str, set[UUID]] = defaultdict(set)
        for item in self.extension_values:
            link_id = as_uuid(item.link_id)
            if link_id is None:
                self.problem(item.source, item.where, "link_id", "is not a UUID")
                continue
            item.link_id = link_id
            if link_id not in merged.get(item.table, {}):
                wanted[item.table].add(link_id)
        in_database = {
            table: set(
                TABLES[table].model._default_manager.filter(pk__in=ids).values_list("pk", flat=True)
            )
            for table, ids in wanted.items()
        }
        for item in self.extension_values:
            if not isinstance(item.link_id, UUID):
                continue
            try:
                value = extension_value_from_hsds(item.extension, item.value)
            except ValueError as error:
                self.problem(item.source, item.where, "value", str(error))
                continue
            objects = merged[item.table]
            if item.link_id not in objects:
                if item.link_id not in in_database.get(item.table, set()):
                    self.warn(
                        item.source,
                        item.where,
                        "link_id",
                        f"no {item.table} {item.link_id} in the file or the database; ignored",
                    )
                    continue
                origin = Row(item.table, item.source, item.where, {})
                objects[item.link_id] = _Object(
                    item.table, item.link_id, {"id": item.link_id}, origin
                )
            obj = objects[item.link_id]
            attname = item.extension.attname
            if attname in obj.extensions and obj.extensions[attname] != value:
                self.problem(
                    item.source,
                    item.where,
                    "value",
                    f"{item.extension.code} is {value!r} here and "
                    f"{obj.extensions[attname]!r} elsewhere",
                )
                continue
            obj.extensions[attname] = value
            obj.extension_origins[attname] = Row(item.table, item.source, item.where, {})

    def _resolve_references(self, merged: dict[str, dict[UUID, "_Object"]]) -> None:
        wanted: dict[str, set[UUID]] = defaultdict(set)
        for table_name, objects in merged.items():
            for column in TABLES[table_name].columns:
                if not column.is_reference:
                    continue
                for obj in objects.values():
                    value = obj.values.get(column.name)
                    if value is not None and value not in merged.get(column.references, {}):
                        wanted[column.references].add(value)
        in_database = {
            table: set(
                TABLES[table].model._default_manager.filter(pk__in=ids).values_list("pk", flat=True)
            )
            for table, ids in wanted.items()
        }
        for table_name, objects in merged.items():
            table = TABLES[table_name]
            for column in table.columns:
                if not column.is_reference:
                    continue
                required = not _model_field(table, column).null
                for obj in objects.values():
                    value = obj.values.get(column.name)
                    if value is None or value in merged.get(column.references, {}):
                        continue
                    if value in in_database.get(column.references, set()):
                        continue
                    message = f"no {column.references} {value} in the file or the database"
                    if required:
                        self.problem(obj.origin.source, obj.origin.where, column.name, message)
                    else:
                        self.warn(
                            obj.origin.source,
                            obj.origin.where,
                            column.name,
                            message + "; left empty",
                        )
                        obj.values[column.name] = None

    def _assign(self, table: Table, obj: "_Object", instance: models.Model) -> None:
        for name, value in obj.values.items():
            column = table.column(name)
            if name == "id" or column is None or column.attname is None:
                continue
            if name == "country" and table.name == "address" and isinstance(value, str):
                value = value.strip().upper()
            setattr(instance, column.attname, value)
        for attname, value in obj.extensions.items():
            setattr(instance, attname, value)
        for column in table.columns:
            if not column.is_reference:
                continue
            model_field = _model_field(table, column)
            if not model_field.null and getattr(instance, column.attname or "") is None:
                self.problem(obj.origin.source, obj.origin.where, column.name, "is required")

    def _check_instances(self, plan: "_Plan") -> None:
        for item in plan.items:
            table, obj, instance = TABLES[item.table], item.obj, item.instance
            foreign_keys = [
                f.name for f in instance._meta.concrete_fields if isinstance(f, models.ForeignKey)
            ]
            try:
                instance.full_clean(
                    exclude=foreign_keys, validate_unique=False, validate_constraints=False
                )
            except ValidationError as error:
                for field_name, messages in error.message_dict.items():
                    origin = obj.extension_origins.get(field_name, obj.origin)
                    label = _column_name(table, field_name)
                    for message in messages:
                        self.problem(origin.source, origin.where, label, message)
            self._check_values(table, obj, instance)

    def _check_values(self, table: Table, obj: "_Object", instance: Any) -> None:
        def problem(field_name: str, message: str) -> None:
            origin = obj.extension_origins.get(field_name, obj.origin)
            self.problem(origin.source, origin.where, _column_name(table, field_name), message)

        if table.name in ("language", "taxonomy_term"):
            attname = "code" if table.name == "language" else "language"
            code = getattr(instance, attname)
            if code and not _known_language(code):
                problem(attname, f"{code!r} is not an ISO 639 language code")
        if table.name == "address" and instance.country and not _known_country(instance.country):
            problem("country", f"{instance.country!r} is not an ISO 3166-1 alpha-2 country code")
        if table.name == "location" and instance.time_zone not in _time_zones():
            problem("time_zone", f"{instance.time_zone!r} is not an IANA time zone")
        if (
            table.name == "cost_option"
            and instance.currency
            and not is_currency(instance.currency.upper())
        ):
            problem("currency", f"{instance.currency!r} is not an ISO 4217 currency code")
        parent = {"organization": "parent_organization_id", "taxonomy_term": "parent_id"}
        if table.name in parent and getattr(instance, parent[table.name]) == instance.pk:
            problem(parent[table.name], "an object cannot be its own parent")

    def _check_unique_pairs(self, plan: "_Plan") -> None:
        """One service per location, one topic per service: in the file and with the rows
        already in the database."""
        for model, table_name, pair, label in (
            (
                ServiceAtLocation,
                "service_at_location",
                ("service_id", "location_id"),
                "location_id",
            ),
            (ServiceTopic, "attribute", ("service_id", "taxonomy_term_id"), "taxonomy_term_id"),
        ):
            items = [item for item in plan.items if item.table == table_name]
            if not items:
                continue
            seen: dict[tuple[Any, Any], _Planned] = {}
            for item in items:
                key = (getattr(item.instance, pair[0]), getattr(item.instance, pair[1]))
                if key in seen:
                    first = seen[key].obj.origin
                    self.problem(
                        item.obj.origin.source,
                        item.obj.origin.where,
                        label,
                        f"the same pair is already at {first.source} {first.where}",
                    )
                seen.setdefault(key, item)
            ids = [item.instance.pk for item in items]
            first_ids = {key[0] for key in seen}
            taken = model._default_manager.filter(**{f"{pair[0]}__in": first_ids}).exclude(
                pk__in=ids
            )
            for row_id, first_id, second_id in taken.values_list("pk", *pair):
                if (first_id, second_id) in seen:
                    origin = seen[(first_id, second_id)].obj.origin
                    self.problem(
                        origin.source,
                        origin.where,
                        label,
                        f"the database already links this pair under id {row_id}",
                    )

    def _check_parent_loops(self, plan: "_Plan") -> None:
        for model, table_name, attname in (
            (Organization, "organization", "parent_organization_id"),
            (TaxonomyTerm, "taxonomy_term", "parent_id"),
        ):
            items = {item.instance.pk: item for item in plan.items if item.table == table_name}
            if not items:
                continue
            parents: dict[Any, Any] = dict(
                model._default_manager.exclude(**{attname: None}).values_list("pk", attname)
            )
            parents.update({pk: getattr(item.instance, attname) for pk, item in items.items()})
            for pk, item in items.items():
                current, seen = parents.get(pk), set()
                while current is not None and current != pk and current not in seen:
                    seen.add(current)
                    current = parents.get(current)
                # Being one's own parent is reported with the values.
                if current == pk and parents.get(pk) != pk:
                    self.problem(
                        item.obj.origin.source,
                        item.obj.origin.where,
                        _column_name(TABLES[table_name], attname),
                        "the chain of parents comes back to this object",
                    )

    def _check_phones(self, plan: "_Plan") -> None:
        """Every number must be readable as a phone number, in the country of its location's
        address (Cabo Verde when unknown); it is kept as written."""
        planned = {(item.table, item.instance.pk): item.instance for item in plan.items}
        country_of: dict[Any, str] = {}
        for item in plan.items:
            if item.table == "address":
                country_of.setdefault(item.instance.location_id, item.instance.country)
        phones = [item for item in plan.items if item.table == "phone"]
        sal_ids = {p.instance.service_at_location_id for p in phones} - {None}
        contact_ids = {p.instance.contact_id for p in phones} - {None}
        location_of_sal = {
            pk: getattr(planned.get(("service_at_location", pk)), "location_id", None)
            for pk in sal_ids
        }
        location_of_sal.update(
            ServiceAtLocation.objects.filter(
                pk__in=[pk for pk, loc in location_of_sal.items() if loc is None]
            ).values_list("pk", "location_id")
        )
        location_of_contact = {
            pk: getattr(planned.get(("contact", pk)), "location_id", None) for pk in contact_ids
        }
        location_of_contact.update(
            Contact.objects.filter(
                pk__in=[pk for pk, loc in location_of_contact.items() if loc is None],
                location__isnull=False,
            ).values_list("pk", "location_id")
        )

        def location_of(phone: Any) -> Any:
            return (
                phone.location_id
                or location_of_sal.get(phone.service_at_location_id)
                or location_of_contact.get(phone.contact_id)
            )

        unknown = {location_of(p.instance) for p in phones} - set(country_of) - {None}
        for location_id, country in (
            Address.objects.filter(location_id__in=unknown)
            .order_by("created_at", "id")
            .values_list("location_id", "country")
        ):
            country_of.setdefault(location_id, country)
        for item in phones:
            phone = item.instance
            region = (country_of.get(location_of(phone)) or "").strip().upper()
            if not _known_country(region):
                region = DEFAULT_PHONE_REGION
            try:
                phonenumbers.parse(phone.number, region.upper())
            except phonenumbers.NumberParseException as error:
                self.problem(
                    item.obj.origin.source,
                    item.obj.origin.where,
                    "number",
                    f"{phone.number!r} is not a phone number (read as in {region}): "
                    f"{_reason(error)}",
                )

    def _check_hours(self, plan: "_Plan") -> None:
        """Closing before opening, and versions of the hours whose validity windows overlap,
        refuse the import: both would publish wrong hours. Other rows the hours engine cannot
        read are kept as notes: their text stays, their times are left out."""
        by_owner: dict[tuple[Any, Any, Any], list[_Planned]] = defaultdict(list)
        for item in plan.items:
            if item.table != "schedule":
                continue
            schedule, origin = item.instance, item.obj.origin
            try:
                rule = rule_from_schedule(schedule)
            except ValueError:
                reasons = [("bymonthday", "must be whole numbers separated by commas")]
            else:
                found = hours.validate_rules([rule]) if rule is not None else []
                for problem in [p for p in found if p.code == "closes_before_opens"]:
                    self.problem(
                        origin.source,
                        origin.where,
                        "closes_at",
                        f"{problem.params['closes_at']} is not after opens_at "
                        f"{problem.params['opens_at']}",
                    )
                found = [p for p in found if p.code != "closes_before_opens"]
                reasons = _hours_reasons(found)
            for field_name, reason in reasons:
                self.warn(
                    origin.source,
                    origin.where,
                    field_name,
                    f"{reason}; the row is kept without opens_at and closes_at",
                )
            if reasons:
                schedule.opens_at = schedule.closes_at = None
            owner = (schedule.service_id, schedule.location_id, schedule.service_at_location_id)
            by_owner[owner].append(item)
        for items in by_owner.values():
            windows = [(i.instance.valid_from, i.instance.valid_to) for i in items]
            for problem in _overlapping_windows(windows):
                origin = items[cast(int, problem.params["index"])].obj.origin
                self.problem(
                    origin.source,
                    origin.where,
                    "valid_from",
                    "this version of the hours overlaps another one valid at the same time "
                    f"({problem.params['other_valid_from'] or '…'} – "
                    f"{problem.params['other_valid_to'] or '…'})",
                )


def _overlapping_windows(windows: list[tuple[Any, Any]]) -> list[hours.Problem]:
    """Overlaps between validity windows, asked of the engine with stand-in rules."""
    from_midnight = [
        hours.Rule(opens_at=time(0), closes_at=time(1), valid_from=start, valid_to=end)
        for start, end in windows
    ]
    return [p for p in hours.validate_rules(from_midnight) if p.code == "overlapping_validity"]


_HOURS_REASONS: dict[str, tuple[str, str]] = {
    "bad_freq": ("freq", "must be WEEKLY or MONTHLY"),
    "bad_interval": ("interval", "must be 1 or more"),
    "interval_without_dtstart": ("dtstart", "is needed with an interval above 1"),
    "bad_byday": ("byday", "{value} cannot be read (an ordinal such as 2MO needs MONTHLY)"),
    "bad_bymonthday": ("bymonthday", "{value} is only allowed with MONTHLY, within ±31"),
    "monthly_without_day": ("freq", "MONTHLY needs byday, bymonthday or dtstart"),
    "closes_before_opens": ("closes_at", "is not after opens_at"),
    "until_before_dtstart": ("until", "is before dtstart"),
    "valid_to_before_valid_from": ("valid_to", "is before valid_from"),
}


def _hours_reasons(problems: list[hours.Problem]) -> list[tuple[str, str]]:
    """One sentence per kind of problem: "bymonthday: 2, 3 is only allowed with MONTHLY"."""
    values: dict[str, list[str]] = defaultdict(list)
    for problem in problems:
        if "value" in problem.params:
            values[problem.code].append(str(problem.params["value"]))
        else:
            values.setdefault(problem.code, [])
    reasons = []
    for code, found in values.items():
        field_name, template = _HOURS_REASONS.get(code, ("", code))
        reasons.append((field_name, template.format(value=", ".join(found))))
    return reasons


@dataclass
class _Object:
    """One object of the import, its appearances merged."""

    table: str
    id: UUID
    values: dict[str, Any]
    origin: Row
    extensions: dict[str, Any] = field(default_factory=dict)
    extension_origins: dict[str, Row] = field(default_factory=dict)


@dataclass
class _Planned:
    table: str
    obj: _Object
    instance: Any
    is_new: bool
    before: dict[str, Any]


@dataclass
class _Plan:
    items: list[_Planned] = field(default_factory=list)


def _snapshot(instance: models.Model) -> dict[str, Any]:
    return {
        f.attname: getattr(instance, f.attname)
        for f in instance._meta.concrete_fields
        if f.attname not in ("created_at", "modified_at")
    }


def _save(plan: _Plan) -> ImportReport:
    report = ImportReport()
    service_ids: set[Any] = set()
    location_ids: set[Any] = set()
    sal_ids: set[Any] = set()
    organization_ids: set[Any] = set()
    for item in plan.items:
        instance = item.instance
        if item.is_new:
            instance.save(force_insert=True)
            report.created[item.table] += 1
        else:
            changed = [
                name for name, value in _snapshot(instance).items() if item.before[name] != value
            ]
            if not changed:
                report.unchanged[item.table] += 1
                continue
            instance.save(update_fields=[*changed, "modified_at"])
            report.updated[item.table] += 1
        if item.table == "service":
            service_ids.add(instance.pk)
        elif item.table == "location":
            location_ids.add(instance.pk)
        elif item.table == "service_at_location":
            sal_ids.add(instance.pk)
        elif item.table == "organization":
            organization_ids.add(instance.pk)
        for attname, bucket in (
            ("service_id", service_ids),
            ("location_id", location_ids),
            ("service_at_location_id", sal_ids),
        ):
            if getattr(instance, attname, None) is not None:
                bucket.add(getattr(instance, attname))
    if sal_ids:
        for service_id, location_id in ServiceAtLocation.objects.filter(pk__in=sal_ids).values_list(
            "service_id", "location_id"
        ):
            service_ids.add(service_id)
            location_ids.add(location_id)
    if organization_ids:
        service_ids.update(
            Service.objects.filter(organization_id__in=organization_ids).values_list(
                "pk", flat=True
            )
        )
    if service_ids or location_ids:
        refresh_entries(service_ids=service_ids, location_ids=location_ids)
    return report


def _reason(error: Exception) -> str:
    return re.sub(r"^\(\d+\)\s*", "", str(error))


def _model_field(table: Table, column: Any) -> Any:
    return next(f for f in table.model._meta.concrete_fields if f.attname == column.attname)


def _column_name(table: Table, field_name: str) -> str:
    """The HSDS name of a model field (``taxonomy_detail`` → ``taxonomy_id``); our extension
    fields keep their own name."""
    if field_name == NON_FIELD_ERRORS:
        return ""
    for column in table.columns:
        if column.attname is None:
            continue
        if field_name in (column.attname, column.attname.removesuffix("_id")):
            return column.name
    return field_name


_LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8})*$")


@functools.cache
def _languages() -> frozenset[str]:
    english = Locale("en")
    return frozenset(
        {str(code).lower() for code in english.languages}
        | {str(code).lower() for code in get_global("language_aliases")}
        | set(REGISTRY)
    )


def _known_language(code: str) -> bool:
    """An ISO 639-1, 639-2 or 639-3 code, alone or as the start of a language tag (pt-CV)."""
    code = code.strip()
    return bool(_LANGUAGE_TAG.match(code)) and re.split("[-_]", code)[0].lower() in _languages()


@functools.cache
def _countries() -> frozenset[str]:
    codes = (str(code) for code in Locale("en").territories)
    return frozenset(code for code in codes if re.fullmatch("[A-Z]{2}", code))


def _known_country(code: str) -> bool:
    return code in _countries()


@functools.cache
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())
