"""An access export as the person gets it: a JSON file, a readable document (HTML, made to
print) and a ZIP archive holding both and the files.

The document is written in the export's language (the person's, or the fallback for it) and
time zone (their unit's): a heading per kind of record with what it is, why it is held, on
what basis, who else receives it and how long it is kept; each case with its timeline in
order and its files. Field labels come from the models' translatable ``verbose_name``; for
fields that have none, from ``EXPORT_LABELS`` below — a vocabulary of field names, not of
models (a test holds every exported field to a translatable label).
"""

import json
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coop4int.core import formatting
from coop4int.core.languages import get_language
from coop4int.core.personal_data import PURPOSES
from coop4int.privacy.domain.access import (
    AccessExport,
    ExportedFile,
    ExportedKind,
    ExportedRow,
    choices_of,
)
from coop4int.privacy.domain.register import (
    erasure_in_words,
    kind_name,
    retention_in_words,
)

# Labels of exported fields whose model field has no translatable name (or that are no
# model field: a case's reference on its interactions, what a partner was told).
EXPORT_LABELS: dict[str, Promise] = {
    "answered_at": gettext_lazy("Answered"),
    "case": gettext_lazy("Case"),
    "closed_at": gettext_lazy("Closed"),
    "content_type": gettext_lazy("Type of file"),
    "created_at": gettext_lazy("Registered"),
    "done_at": gettext_lazy("Done"),
    "filename": gettext_lazy("File name"),
    "kind": gettext_lazy("Kind"),
    "language": gettext_lazy("Language"),
    "linked_at": gettext_lazy("Linked"),
    "name": gettext_lazy("Name"),
    "occurred_at": gettext_lazy("When"),
    "partner": gettext_lazy("Partner"),
    "phone": gettext_lazy("Phone"),
    "received_at": gettext_lazy("Received"),
    "resolved_at": gettext_lazy("Resolved"),
    "satisfaction": gettext_lazy("Satisfaction, from 1 to 5"),
    "sent_at": gettext_lazy("Sent"),
    "shared": gettext_lazy("What the partner was told"),
    "size": gettext_lazy("Size"),
    "summary": gettext_lazy("Summary"),
    "text": gettext_lazy("What was said or written"),
    "unit": gettext_lazy("Unit"),
    "value": gettext_lazy("Phone number or e-mail address"),
}


def field_label(model: type[models.Model], key: str) -> str:
    """What the document calls an exported field: the model field's translatable name, else
    the vocabulary above, else the field's name as it is."""
    try:
        found = model._meta.get_field(key)
    except FieldDoesNotExist:
        found = None
    verbose = getattr(found, "verbose_name", None)
    if isinstance(verbose, Promise):
        return str(capfirst(str(verbose)))
    if key in EXPORT_LABELS:
        return str(EXPORT_LABELS[key])
    return str(capfirst(verbose or key.replace("_", " ")))


def has_label(model: type[models.Model], key: str) -> bool:
    """Whether ``key`` has a translatable label (what the test of every export asks)."""
    try:
        verbose = getattr(model._meta.get_field(key), "verbose_name", None)
    except FieldDoesNotExist:
        verbose = None
    return isinstance(verbose, Promise) or key in EXPORT_LABELS


def display_value(value: Any, choices: dict[str, str] | None, export: AccessExport) -> str:
    """``value`` as the reader reads it, in the active language and the export's zone."""
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if choices is not None and str(value) in choices:
        return choices[str(value)]
    if isinstance(value, datetime):
        return formatting.format_datetime(value, "medium", tz=export.time_zone)
    if isinstance(value, date):
        return formatting.format_date(value, "long")
    if isinstance(value, (int, float, Decimal)):
        return formatting.format_number(value)
    if isinstance(value, (list, tuple, set, frozenset)):
        return ", ".join(display_value(item, choices, export) for item in value)
    if isinstance(value, dict):
        return "; ".join(
            f"{EXPORT_LABELS.get(str(key), str(key))}: {display_value(item, None, export)}"
            for key, item in value.items()
        )
    return str(value)


@dataclass(frozen=True, slots=True)
class Field:
    key: str
    label: str
    text: str


@dataclass
class DocumentRow:
    label: str
    id: str
    fields: list[Field]
    files: tuple[ExportedFile, ...]
    children: list["DocumentKind"] = field(default_factory=list)


@dataclass
class DocumentKind:
    """A kind of record as the document shows it, with the kinds shown inside its rows."""

    label: str
    name: str
    description: str
    purpose: str
    legal_basis: str
    recipients: list[str]
    retention: str
    erasure: str
    rows: list[DocumentRow]
    within: list["DocumentKind"] = field(default_factory=list)
    """The kinds of record shown inside each of these rows (a case's timeline…)."""

    @property
    def heading(self) -> str:
        return self.name or self.description


def _about(kind: ExportedKind, rows: list[DocumentRow]) -> DocumentKind:
    declaration = kind.declaration
    # The person's own record is "yours" to its reader, not one of "people".
    name = _("Your record") if declaration.person_path == "pk" else kind_name(declaration)
    return DocumentKind(
        label=kind.label,
        name=name,
        description=str(declaration.description),
        purpose=str(PURPOSES.get(declaration.purpose, declaration.purpose)),
        legal_basis=str(declaration.legal_basis),
        recipients=[str(recipient) for recipient in declaration.recipients],
        retention=retention_in_words(declaration),
        erasure=erasure_in_words(declaration),
        rows=rows,
    )


def _shown(model: type[models.Model], key: str, value: Any, export: AccessExport) -> str:
    return display_value(value, choices_of(model, key), export)


def _row(kind: ExportedKind, row: ExportedRow, export: AccessExport) -> DocumentRow:
    model = kind.model
    return DocumentRow(
        label=kind.label,
        id=row.id,
        fields=[
            Field(
                key, field_label(model, key), display_value(value, choices_of(model, key), export)
            )
            for key, value in row.values.items()
        ],
        files=row.files,
    )


def document_kinds(export: AccessExport) -> list[DocumentKind]:
    """The kinds in declaration order, each kind nested in the rows of the kind it belongs
    to; rows whose parent is not in the export stand in a section of their own, so that
    nothing exported is left out of the document."""
    by_label = {kind.label: kind for kind in export.kinds}
    children: dict[str, list[ExportedKind]] = {}
    for kind in export.kinds:
        if kind.parent in by_label:
            children.setdefault(kind.parent, []).append(kind)

    def build(kind: ExportedKind, rows: list[ExportedRow]) -> DocumentKind:
        shown = []
        for row in rows:
            document_row = _row(kind, row, export)
            for child in children.get(kind.label, []):
                mine = [r for r in child.rows if r.parent_id == row.id]
                if mine:
                    document_row.children.append(build(child, mine))
            shown.append(document_row)
        about = _about(kind, shown)
        about.within = [_about(child, []) for child in _descendants(kind.label, children)]
        return about

    top: list[DocumentKind] = []
    for kind in export.kinds:
        if kind.parent not in by_label:
            top.append(build(kind, list(kind.rows)))
            continue
        parent_ids = {row.id for row in by_label[kind.parent].rows}
        orphans = [row for row in kind.rows if row.parent_id not in parent_ids]
        if orphans:
            top.append(build(kind, orphans))
    return top


def _descendants(label: str, children: dict[str, list[ExportedKind]]) -> list[ExportedKind]:
    found: list[ExportedKind] = []
    for child in children.get(label, []):
        found.append(child)
        found.extend(_descendants(child.label, children))
    return found


def document_context(export: AccessExport) -> dict[str, Any]:
    """What the document's template needs; call inside the export's language."""
    used = get_language(export.language)
    try:
        asked = get_language(export.asked_language).native_name
    except LookupError:
        asked = export.asked_language
    return {
        "export": export,
        "person": export.person,
        "document_language": used,
        "asked_language_name": asked if export.asked_language != export.language else "",
        "exported_on": formatting.format_datetime(export.exported_at, "long", tz=export.time_zone),
        "zone_name": formatting.time_zone_name(export.time_zone),
        "kinds": document_kinds(export),
        "file_count": len(export.files),
    }


def render_document(export: AccessExport, *, standalone: bool) -> str:
    """The readable document: ``standalone`` as a file of its own, with its style (for the
    archive); else the part a staff page shows."""
    template = "privacy/access_document_file.html" if standalone else "privacy/access_document.html"
    with translation.override(export.language):
        return render_to_string(template, document_context(export))


def render_json(export: AccessExport) -> bytes:
    with translation.override(export.language):
        data = export.as_json()
    return json.dumps(data, ensure_ascii=False, indent=2).encode()


def write_zip(export: AccessExport, target: IO[bytes]) -> None:
    """The archive: ``access.json``, ``access.html`` and every file, where the JSON and the
    document say (``files/<kind>/<record id>/<name>``)."""
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("access.json", render_json(export))
        archive.writestr("access.html", render_document(export, standalone=True))
        for exported in export.files:
            if exported.missing:
                continue
            with exported.open() as source, archive.open(exported.path, "w") as copy:
                for chunk in iter(lambda: source.read(64 * 1024), b""):
                    copy.write(chunk)
