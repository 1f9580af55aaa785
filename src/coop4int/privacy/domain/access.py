"""The person's right of access: everything held on them, kind by kind.

``export_person`` walks every declaration (``core.personal_data.declarations``) and nothing
else, so that a new app's records (appointments, enrolments…) join the export by being
declared. For each kind it takes the person's rows (``rows_of``, through every path to them),
exports them with the declaration's ``export`` callable or its ``export_fields``, and lists
the files they hold (every ``FileField`` of the model) by name, size and SHA-256, read
through the field's storage — never by a path on disk, since the storage may be remote.

Rows keep their record's id, so that a correction or a complaint can name one. A kind whose
person path goes through another declared kind (an interaction through its case) knows that
row as its parent: the readable document shows each case with its own timeline.

The export is whole: it holds every case of the person, those at units whose cases the
exporting officer may not open included — the right of access is to everything the platform
holds on them — and each export is audited.

The export is in the person's language where the interface has it, else the registry's
fallback for it (``core.languages.interface_fallback``); the document says so. One audit
entry per export, ``privacy.access.exported``, with the format and the counts per kind —
nothing the rows say.
"""

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from enum import StrEnum
from functools import partial
from pathlib import PurePosixPath
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models.fields.files import FieldFile
from django.utils import timezone, translation
from django.utils.functional import Promise

from coop4int.accounts.models import User
from coop4int.core import audit, personal_data
from coop4int.core.languages import interface_fallback
from coop4int.core.personal_data import PersonalData
from coop4int.people.models import Person

ACTION = "privacy.access.exported"
# Files are hashed in pieces: a case file may be up to 10 MB, and the storage may be remote.
CHUNK = 64 * 1024


class ExportFormat(StrEnum):
    HTML = "html"
    JSON = "json"
    ZIP = "zip"


@dataclass(frozen=True, slots=True)
class ExportedFile:
    """A file a row holds: what the archive calls it and how to check it is the file held."""

    field_name: str
    name: str
    size: int
    sha256: str
    path: str
    """Where the ZIP archive holds it: ``files/<kind>/<record id>/<name>``."""
    missing: bool = False
    """The storage no longer has it: listed, without size or checksum."""
    file: FieldFile | None = field(default=None, compare=False, repr=False)

    def as_json(self) -> dict[str, Any]:
        described: dict[str, Any] = {
            "field": self.field_name,
            "name": self.name,
            "size": self.size,
            "sha256": self.sha256,
            "path": self.path,
        }
        if self.missing:
            described["missing"] = True
        return described

    def open(self) -> Any:
        """The file's bytes, read again through its storage (for the archive)."""
        assert self.file is not None
        return self.file.storage.open(str(self.file.name), "rb")


@dataclass(frozen=True, slots=True)
class ExportedRow:
    id: str
    values: dict[str, Any]
    """As the declaration exports it (Python values: dates, codes)."""
    parent_id: str = ""
    files: tuple[ExportedFile, ...] = ()


@dataclass(frozen=True, slots=True)
class ExportedKind:
    declaration: PersonalData
    rows: tuple[ExportedRow, ...]
    parent: str = ""
    """The label of the declared kind these rows belong to ("" for none)."""

    @property
    def label(self) -> str:
        return self.declaration.model

    @property
    def model(self) -> type[models.Model]:
        return self.declaration.model_class


@dataclass(frozen=True)
class AccessExport:
    person: Person
    exported_at: datetime
    language: str
    """The language of the export: the person's, or the fallback for it."""
    asked_language: str
    """The person's preferred language."""
    time_zone: str
    kinds: tuple[ExportedKind, ...]

    @property
    def files(self) -> list[ExportedFile]:
        return [file for kind in self.kinds for row in kind.rows for file in row.files]

    @property
    def counts(self) -> dict[str, int]:
        return {kind.label: len(kind.rows) for kind in self.kinds}

    @property
    def zone(self) -> tzinfo:
        return ZoneInfo(self.time_zone)

    def kind(self, label: str) -> ExportedKind:
        return next(kind for kind in self.kinds if kind.label == label)

    def as_json(self) -> dict[str, Any]:
        """The export as JSON values, with stable keys: ``records`` maps each declaration's
        model label to its rows. Dates are ISO 8601 with their offset; a coded value is
        ``{"code": …, "label": …}``, its label in the export's language (call it inside
        ``translation.override(self.language)``)."""
        return {
            "format": "coop4int-access-export",
            "version": 1,
            "person": str(self.person.pk),
            "exported_at": self.exported_at.astimezone(self.zone).isoformat(),
            "language": self.language,
            "asked_language": self.asked_language,
            "time_zone": self.time_zone,
            "records": {
                kind.label: [self._row_json(kind, row) for row in kind.rows] for kind in self.kinds
            },
        }

    def _row_json(self, kind: ExportedKind, row: ExportedRow) -> dict[str, Any]:
        values = {
            key: json_value(value, choices_of(kind.model, key), self.zone)
            for key, value in row.values.items()
        }
        described: dict[str, Any] = {"id": row.id, **values}
        if row.files:
            described["files"] = [file.as_json() for file in row.files]
        return described


def choices_of(model: type[models.Model], key: str) -> dict[str, str] | None:
    """The labels of ``model``'s field ``key`` by code, when it is a field with choices."""
    try:
        found = model._meta.get_field(key)
    except FieldDoesNotExist:
        return None
    flat = getattr(found, "flatchoices", None)
    if not flat:
        return None
    return {str(code): str(label) for code, label in flat}


def json_value(value: Any, choices: Mapping[str, str] | None, zone: tzinfo) -> Any:
    """``value`` as JSON: ISO dates, a code with its label, strings for keys and amounts."""
    if isinstance(value, (list, tuple, set, frozenset)):
        return [json_value(item, choices, zone) for item in value]
    if isinstance(value, dict):
        return {str(key): json_value(item, None, zone) for key, item in value.items()}
    if choices is not None and value not in (None, "") and str(value) in choices:
        return {"code": _plain(value), "label": choices[str(value)]}
    return _plain(value, zone)


def _plain(value: Any, zone: tzinfo | None = None) -> Any:
    if isinstance(value, datetime):
        aware = value if timezone.is_aware(value) else timezone.make_aware(value)
        return aware.astimezone(zone).isoformat() if zone else aware.isoformat()
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, (str, Promise, UUID, Decimal)):
        return str(value)
    return str(value)


@dataclass(frozen=True, slots=True)
class Parent:
    """The declared kind a kind's rows belong to, and the key that names it."""

    label: str
    attname: str


def parent_of(declaration: PersonalData, found: tuple[PersonalData, ...]) -> Parent | None:
    """The declared kind ``declaration`` reaches the person through: an interaction's
    ``case__person`` goes through its case, declared with ``person``. Derived from the
    person paths alone, so a new app's records nest the same way."""
    head, _sep, rest = declaration.person_path.partition("__")
    if not rest:
        return None
    try:
        link = declaration.model_class._meta.get_field(head)
    except FieldDoesNotExist:
        return None
    if not link.many_to_one or link.related_model is None:
        return None
    target = link.related_model._meta.label
    for other in found:
        if other.model == target and other.person_path == rest and rest != "pk":
            return Parent(other.model, link.attname)  # type: ignore[union-attr]
    return None


def _default_fields(model: type[models.Model]) -> list[str]:
    """Every concrete field but the key, relations and files (files are listed apart)."""
    return [
        f.name
        for f in model._meta.concrete_fields
        if not f.primary_key and not f.is_relation and not isinstance(f, models.FileField)
    ]


def _file_entry(label: str, row_id: str, name: str, held: FieldFile) -> ExportedFile:
    base = PurePosixPath(held.name or "").name or "file"
    path = f"files/{label}/{row_id}/{base}"
    digest, size = hashlib.sha256(), 0
    try:
        with held.storage.open(str(held.name), "rb") as handle:
            for chunk in iter(partial(handle.read, CHUNK), b""):
                digest.update(chunk)
                size += len(chunk)
    except OSError:  # the storage lost it (FileNotFoundError and its remote cousins)
        return ExportedFile(name, base, 0, "", path, missing=True, file=held)
    return ExportedFile(name, base, size, digest.hexdigest(), path, file=held)


def _files_of(
    declaration: PersonalData, rows: models.QuerySet[Any]
) -> dict[str, tuple[ExportedFile, ...]]:
    model = declaration.model_class
    file_fields = [f for f in model._meta.concrete_fields if isinstance(f, models.FileField)]
    if not file_fields:
        return {}
    found: dict[str, tuple[ExportedFile, ...]] = {}
    for obj in rows.only("pk", *(f.name for f in file_fields)):
        row_id = str(obj.pk)
        held = [(f.name, getattr(obj, f.name)) for f in file_fields]
        found[row_id] = tuple(
            _file_entry(declaration.model, row_id, name, value) for name, value in held if value
        )
    return found


def _export_kind(
    declaration: PersonalData, person: Person, found: tuple[PersonalData, ...]
) -> ExportedKind:
    model = declaration.model_class
    manager = model._default_manager
    # ``rows_of`` is distinct over several paths; re-selected by key so that it can be ordered
    # like the model (a timeline by time) whatever joins found it.
    rows = manager.filter(pk__in=declaration.rows_of(person).values("pk")).order_by(
        *(model._meta.ordering or ()), "pk"
    )
    parent = parent_of(declaration, found)
    keys: list[tuple[Any, Any]] = (
        list(rows.values_list("pk", parent.attname))
        if parent is not None
        else [(pk, None) for pk in rows.values_list("pk", flat=True)]
    )
    files = _files_of(declaration, rows)
    exported: list[ExportedRow] = []
    if declaration.export is None:
        fields = list(declaration.export_fields) or _default_fields(model)
        values_of = {str(v.pop("pk")): v for v in rows.values("pk", *fields)}
        for pk, parent_id in keys:
            row_id = str(pk)
            exported.append(
                ExportedRow(row_id, values_of[row_id], _id(parent_id), files.get(row_id, ()))
            )
    else:
        # The callable exports a queryset without its keys; called row by row, each exported
        # row keeps its record's id. A person's rows are few, and this runs on request only.
        for pk, parent_id in keys:
            row_id = str(pk)
            for values in declaration.export(manager.filter(pk=pk)):
                exported.append(
                    ExportedRow(row_id, dict(values), _id(parent_id), files.get(row_id, ()))
                )
    return ExportedKind(declaration, tuple(exported), parent.label if parent else "")


def _id(value: Any) -> str:
    return "" if value is None else str(value)


def export_language(person: Person) -> tuple[str, str]:
    """The language the export is written in, and the one the person prefers."""
    asked = person.preferred_language or settings.LANGUAGE_CODE
    return interface_fallback(asked), asked


def export_person(
    *,
    person: Person,
    actor: User,
    now: datetime,
    format: ExportFormat = ExportFormat.HTML,
) -> AccessExport:
    """Everything held on ``person``, kind by kind, in their language (see the module).
    The caller has authorised ``actor`` (``Permission.EXPORT_PERSON`` on the person).

    Side effects: the files are read through their storage; audit
    ``privacy.access.exported`` (the format, the language, the counts per kind and of
    files)."""
    # The person's own record first, then every other kind in the apps' order.
    found = tuple(sorted(personal_data.declarations(), key=lambda d: d.person_path != "pk"))
    language, asked = export_language(person)
    with translation.override(language):
        # Inside the language: an export may write text for its reader (a platform's note).
        kinds = tuple(_export_kind(declaration, person, found) for declaration in found)
    unit = person.unit
    export = AccessExport(
        person=person,
        exported_at=now,
        language=language,
        asked_language=asked,
        time_zone=unit.time_zone or settings.TIME_ZONE,
        kinds=kinds,
    )
    audit.record(
        action=ACTION,
        actor=actor,
        obj=person,
        unit=unit,
        data={
            "person": str(person.pk),
            "format": format.value,
            "language": language,
            "counts": export.counts,
            "files": len(export.files),
        },
    )
    return export
