"""A whole local integration plan out and back in: a Frictionless data package.

Two forms carry the same tables with the same Table Schemas:

- ``json``: one ``datapackage.json`` whose resources hold their rows inline (``data``);
- ``csv``: a zip of ``datapackage.json`` and one CSV file per resource.

The package holds the plan's fields (every per-language text), its municipalities, steering
members, consultations, objectives, measures with their funding, partners, links, indicators
and targets, the monitoring reports with their entries and values, the evaluation's questions
and answers and the change history. It leaves out the public's comments (they hold the
senders' contact e-mails); the descriptor says so.

The bytes are deterministic: rows in a stable order, keys sorted, fixed zip timestamps, dates
and times in UTC, amounts as stored (``"1500.00"``), so that export → import into an empty
database → export gives the same file.

References:

- organisations by their directory id (a UUID) and name; on import matched by id, else created
  in the directory with the same id and name;
- intervention areas by code (with their names); on import matched by code, else created;
- staff accounts (who approved, submitted, answered, changed) by the username the plan keeps
  beside each of them (``approved_by_username``…). On import the username is kept, and the
  account attached when one with that username exists.
- links (services, campaigns, courses) as the references they are.

Importing writes no ``PlanChange`` (the history is the file's, as it was) and one audit entry.
"""

import csv
import io
import json
import uuid
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils.translation import gettext as _
from frictionless import FrictionlessException, Package

from coop4int.accounts.models import User
from coop4int.accounts.roles import Permission
from coop4int.core import audit
from coop4int.directory.models import Organization
from coop4int.localplans.domain.plans import SLUG
from coop4int.localplans.enums import (
    ConsultationKind,
    Direction,
    EvaluationStage,
    GovernanceRole,
    IndicatorSource,
    IndicatorUnit,
    LinkKind,
    MeasureStatus,
    MemberKind,
    PlanStatus,
    PlatformCount,
    ReportStatus,
)
from coop4int.localplans.models import (
    Consultation,
    EvaluationAnswer,
    EvaluationQuestion,
    FundingSource,
    IndicatorTarget,
    InterventionArea,
    Measure,
    MeasureIndicator,
    MeasureLink,
    MonitoringReport,
    Objective,
    Plan,
    PlanChange,
    PlanMunicipality,
    ReportEntry,
    ReportValue,
    SteeringMember,
)
from coop4int.observatory.geography import MUNICIPALITIES

Format = Literal["json", "csv"]
FORMATS: tuple[Format, ...] = ("json", "csv")

IMPORTED = "localplans.plan.imported"
EXPORTED = "localplans.plan.exported"

# What the package calls itself (a custom property of the descriptor) and its version.
PACKAGE_KIND = "coop4int-local-plan"
PACKAGE_VERSION = 1
DESCRIPTOR = "datapackage.json"
ZIP_MAGIC = b"PK\x03\x04"
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
# The most an import reads (uncompressed), and the most problems it lists.
MAX_BYTES = 50 * 1024 * 1024
MAX_PROBLEMS = 100

DESCRIPTION = (
    "A local integration plan exported from Coop4Int: the plan and its governance, diagnosis "
    "consultations, objectives, measures (funding, partners, links, indicators and targets), "
    "monitoring reports, evaluation and change history. The public's comments on the plan are "
    "not included: they hold the senders' contact e-mail addresses. Staff accounts are given "
    "by username; organisations by their directory id."
)


# ---------------------------------------------------------------------------------------------
# The tables


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    type: str = "string"  # a Table Schema type
    required: bool = False
    choices: tuple[str, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    format: str = ""
    description: str = ""

    def descriptor(self) -> dict[str, Any]:
        found: dict[str, Any] = {"name": self.name, "type": self.type}
        if self.format:
            found["format"] = self.format
        if self.description:
            found["description"] = self.description
        constraints: dict[str, Any] = {}
        if self.required:
            constraints["required"] = True
        if self.choices:
            constraints["enum"] = list(self.choices)
        if self.minimum is not None:
            constraints["minimum"] = self.minimum
        if self.maximum is not None:
            constraints["maximum"] = self.maximum
        if constraints:
            found["constraints"] = constraints
        return found


@dataclass(frozen=True, slots=True)
class Table:
    name: str
    title: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...] = ()
    # (fields, resource, fields there)
    foreign_keys: tuple[tuple[tuple[str, ...], str, tuple[str, ...]], ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)

    def column(self, name: str) -> Column | None:
        return next((column for column in self.columns if column.name == name), None)

    def schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {
            "fields": [column.descriptor() for column in self.columns],
            "missingValues": [""],
        }
        if self.primary_key:
            schema["primaryKey"] = list(self.primary_key)
        if self.foreign_keys:
            schema["foreignKeys"] = [
                {"fields": list(mine), "reference": {"resource": table, "fields": list(theirs)}}
                for mine, table, theirs in self.foreign_keys
            ]
        return schema


def _values(choices: Any) -> tuple[str, ...]:
    return tuple(str(value) for value in choices.values)


USER = "the username of a staff account (empty: none)"
TEXT = 'texts by language code, e.g. {"pt": "...", "en": "..."}'
MEASURE_FK = (("measure",), "measures", ("code",))
REPORT_FK = (("year", "semester"), "reports", ("year", "semester"))

TABLES: tuple[Table, ...] = (
    Table(
        "plan",
        "The plan",
        (
            Column("slug", required=True),
            Column("title", "object", required=True, description=TEXT),
            Column("summary", "object", description=TEXT),
            Column("analysis", "object", description=TEXT),
            Column("source_language", required=True),
            Column("starts_year", "integer", required=True, minimum=1900, maximum=2999),
            Column("ends_year", "integer", required=True, minimum=1900, maximum=2999),
            Column("version", "integer", required=True, minimum=1),
            Column("status", required=True, choices=_values(PlanStatus)),
            Column("coordinating_body", format="uuid", description="an organisation's id"),
            Column("approved_at", "datetime"),
            Column("approved_by", description=USER),
            Column("returned_reason"),
            Column("created_at", "datetime"),
        ),
        primary_key=("slug",),
        foreign_keys=((("coordinating_body",), "organisations", ("id",)),),
    ),
    Table(
        "organisations",
        "Organisations of the directory the plan names",
        (Column("id", required=True, format="uuid"), Column("name", required=True)),
        primary_key=("id",),
    ),
    Table(
        "areas",
        "Intervention areas the plan uses",
        (
            Column("code", required=True),
            Column("names", "object", description=TEXT),
            Column("position", "integer", minimum=0),
            Column("active", "boolean", required=True),
        ),
        primary_key=("code",),
    ),
    Table(
        "municipalities",
        "Municipalities the plan covers (ISO 3166-2:CV)",
        (Column("code", required=True),),
        primary_key=("code",),
    ),
    Table(
        "members",
        "The steering group",
        (
            Column("position", "integer", required=True, minimum=0),
            Column("organisation", format="uuid", description="an organisation's id"),
            Column("name"),
            Column("kind", required=True, choices=_values(MemberKind)),
            Column("role", required=True, choices=_values(GovernanceRole)),
        ),
        foreign_keys=((("organisation",), "organisations", ("id",)),),
    ),
    Table(
        "consultations",
        "Consultations of the diagnosis (people counted, never named)",
        (
            Column("held_on", "date", required=True),
            Column("kind", required=True, choices=_values(ConsultationKind)),
            Column("organisations_heard", "integer", required=True, minimum=0),
            Column("people_heard", "integer", required=True, minimum=0),
            Column("women_heard", "integer", minimum=0),
            Column("findings", "object", description=TEXT),
        ),
    ),
    Table(
        "objectives",
        "Objectives",
        (
            Column("code", required=True),
            Column("area", required=True),
            Column("title", "object", description=TEXT),
            Column("weight", "number", required=True, minimum=0),
            Column("position", "integer", required=True, minimum=0),
        ),
        primary_key=("code",),
        foreign_keys=((("area",), "areas", ("code",)),),
    ),
    Table(
        "measures",
        "Measures",
        (
            Column("code", required=True),
            Column("objective", required=True),
            Column("area", required=True),
            Column("title", "object", description=TEXT),
            Column("description", "object", description=TEXT),
            Column("target_group", "object", description=TEXT),
            Column("responsible", required=True, format="uuid", description="an organisation's id"),
            Column("starts_on", "date", required=True),
            Column("ends_on", "date", required=True),
            Column("budget", "number", required=True, minimum=0, description="CVE"),
            Column("weight", "number", required=True, minimum=0),
            Column("status", required=True, choices=_values(MeasureStatus)),
            Column("progress", "integer", required=True, minimum=0, maximum=100),
            Column("progress_note"),
            Column("progress_updated_at", "datetime"),
            Column("position", "integer", required=True, minimum=0),
        ),
        primary_key=("code",),
        foreign_keys=(
            (("objective",), "objectives", ("code",)),
            (("area",), "areas", ("code",)),
            (("responsible",), "organisations", ("id",)),
        ),
    ),
    Table(
        "partners",
        "Partner organisations of the measures",
        (
            Column("measure", required=True),
            Column("organisation", required=True, format="uuid"),
        ),
        primary_key=("measure", "organisation"),
        foreign_keys=(MEASURE_FK, (("organisation",), "organisations", ("id",))),
    ),
    Table(
        "funding",
        "Funding sources of the measures (shares in %)",
        (
            Column("measure", required=True),
            Column("position", "integer", required=True, minimum=0),
            Column("name", required=True),
            Column("share", "number", required=True, minimum=0, maximum=100),
        ),
        foreign_keys=(MEASURE_FK,),
    ),
    Table(
        "links",
        "Services, campaigns and courses the measures deliver through (references)",
        (
            Column("measure", required=True),
            Column("kind", required=True, choices=_values(LinkKind)),
            Column("ref", required=True),
        ),
        primary_key=("measure", "kind", "ref"),
        foreign_keys=(MEASURE_FK,),
    ),
    Table(
        "indicators",
        "Indicators of the measures",
        (
            Column("measure", required=True),
            Column("code", required=True),
            Column("name", "object", description=TEXT),
            Column("unit", required=True, choices=_values(IndicatorUnit)),
            Column("direction", required=True, choices=_values(Direction)),
            Column("baseline", "number"),
            Column("baseline_year", "integer", minimum=1900, maximum=2999),
            Column("source", required=True, choices=_values(IndicatorSource)),
            Column("observatory_code"),
            Column("observatory_series", "object", description="dimension → code"),
            Column("platform_count", choices=_values(PlatformCount)),
            Column("position", "integer", required=True, minimum=0),
        ),
        primary_key=("measure", "code"),
        foreign_keys=(MEASURE_FK,),
    ),
    Table(
        "targets",
        "Targets of the indicators, per year",
        (
            Column("measure", required=True),
            Column("indicator", required=True),
            Column("year", "integer", required=True, minimum=1900, maximum=2999),
            Column("value", "number", required=True),
        ),
        primary_key=("measure", "indicator", "year"),
        foreign_keys=((("measure", "indicator"), "indicators", ("measure", "code")),),
    ),
    Table(
        "reports",
        "Monitoring reports, per semester",
        (
            Column("year", "integer", required=True, minimum=1900, maximum=2999),
            Column("semester", "integer", required=True, minimum=1, maximum=2),
            Column("status", required=True, choices=_values(ReportStatus)),
            Column("language", required=True),
            Column("summary"),
            Column("returned_reason"),
            Column("submitted_at", "datetime"),
            Column("submitted_by", description=USER),
            Column("approved_at", "datetime"),
            Column("approved_by", description=USER),
            Column("created_at", "datetime"),
        ),
        primary_key=("year", "semester"),
    ),
    Table(
        "report_entries",
        "Each measure's progress and status in a report",
        (
            Column("year", "integer", required=True),
            Column("semester", "integer", required=True),
            Column("measure", required=True),
            Column("progress", "integer", minimum=0, maximum=100),
            Column("status", required=True, choices=_values(MeasureStatus)),
            Column("comment"),
            Column("late", "boolean", required=True),
        ),
        primary_key=("year", "semester", "measure"),
        foreign_keys=(REPORT_FK, MEASURE_FK),
    ),
    Table(
        "report_values",
        "Each indicator's value in a report",
        (
            Column("year", "integer", required=True),
            Column("semester", "integer", required=True),
            Column("measure", required=True),
            Column("indicator", required=True),
            Column("value", "number"),
            Column("comment"),
            Column("under_target", "boolean", required=True),
        ),
        primary_key=("year", "semester", "measure", "indicator"),
        foreign_keys=(
            REPORT_FK,
            (("measure", "indicator"), "indicators", ("measure", "code")),
        ),
    ),
    Table(
        "questions",
        "Evaluation questions",
        (
            Column("number", "integer", required=True, minimum=1),
            Column("position", "integer", required=True, minimum=0),
            Column("text", "object", description=TEXT),
        ),
        primary_key=("number",),
    ),
    Table(
        "answers",
        "Answers to the evaluation questions",
        (
            Column("question", "integer", required=True),
            Column("stage", required=True, choices=_values(EvaluationStage)),
            Column("language", required=True),
            Column("answer", required=True),
            Column("answered_at", "datetime", required=True),
            Column("answered_by", description=USER),
        ),
        primary_key=("question", "stage"),
        foreign_keys=((("question",), "questions", ("number",)),),
    ),
    Table(
        "changes",
        "The plan's change history, oldest first",
        (
            Column("at", "datetime", required=True),
            Column("actor", description=USER),
            Column("action", required=True),
            Column("details", "object"),
        ),
    ),
)
TABLE = {table.name: table for table in TABLES}

Row = dict[str, Any]


# ---------------------------------------------------------------------------------------------
# Export


def plan_rows(plan: Plan) -> dict[str, list[Row]]:
    """The package's rows, table by table, in their stable order."""
    plan = Plan.objects.select_related("coordinating_body", "approved_by").get(pk=plan.pk)
    organisations: dict[str, str] = {}
    areas: dict[str, InterventionArea] = {}

    def organisation(org: Organization | None) -> str:
        if org is None:
            return ""
        organisations[str(org.pk)] = org.name
        return str(org.pk)

    def area(found: InterventionArea) -> str:
        areas[found.code] = found
        return found.code

    rows: dict[str, list[Row]] = {table.name: [] for table in TABLES}
    rows["plan"].append(
        {
            "slug": plan.slug,
            "title": plan.title,
            "summary": plan.summary,
            "analysis": plan.analysis,
            "source_language": plan.source_language,
            "starts_year": plan.starts_year,
            "ends_year": plan.ends_year,
            "version": plan.version,
            "status": plan.status,
            "coordinating_body": organisation(plan.coordinating_body),
            "approved_at": plan.approved_at,
            "approved_by": plan.approved_by_username,
            "returned_reason": plan.returned_reason,
            "created_at": plan.created_at,
        }
    )
    rows["municipalities"] = [
        {"code": code} for code in sorted(plan.municipalities.values_list("code", flat=True))
    ]
    for member in plan.members.select_related("organisation").order_by("position", "pk"):
        rows["members"].append(
            {
                "position": member.position,
                "organisation": organisation(member.organisation),
                "name": member.name,
                "kind": member.kind,
                "role": member.role,
            }
        )
    for consultation in plan.consultations.order_by("held_on", "pk"):
        rows["consultations"].append(
            {
                "held_on": consultation.held_on,
                "kind": consultation.kind,
                "organisations_heard": consultation.organisations_heard,
                "people_heard": consultation.people_heard,
                "women_heard": consultation.women_heard,
                "findings": consultation.findings,
            }
        )
    for objective in plan.objectives.select_related("area").order_by("position", "code"):
        rows["objectives"].append(
            {
                "code": objective.code,
                "area": area(objective.area),
                "title": objective.title,
                "weight": objective.weight,
                "position": objective.position,
            }
        )
    measures = list(
        plan.measures.select_related("objective", "area", "responsible")
        .prefetch_related("partners", "funding", "links", "indicators__targets")
        .order_by("position", "code")
    )
    for measure in measures:
        rows["measures"].append(
            {
                "code": measure.code,
                "objective": measure.objective.code,
                "area": area(measure.area),
                "title": measure.title,
                "description": measure.description,
                "target_group": measure.target_group,
                "responsible": organisation(measure.responsible),
                "starts_on": measure.starts_on,
                "ends_on": measure.ends_on,
                "budget": measure.budget,
                "weight": measure.weight,
                "status": measure.status,
                "progress": measure.progress,
                "progress_note": measure.progress_note,
                "progress_updated_at": measure.progress_updated_at,
                "position": measure.position,
            }
        )
        for partner in sorted(measure.partners.all(), key=lambda org: str(org.pk)):
            rows["partners"].append(
                {"measure": measure.code, "organisation": organisation(partner)}
            )
        for funding in sorted(measure.funding.all(), key=lambda row: (row.position, row.pk)):
            rows["funding"].append(
                {
                    "measure": measure.code,
                    "position": funding.position,
                    "name": funding.name,
                    "share": funding.share,
                }
            )
        for link in sorted(measure.links.all(), key=lambda row: (row.kind, row.ref)):
            rows["links"].append({"measure": measure.code, "kind": link.kind, "ref": link.ref})
        for indicator in sorted(measure.indicators.all(), key=lambda row: (row.position, row.code)):
            rows["indicators"].append(
                {
                    "measure": measure.code,
                    "code": indicator.code,
                    "name": indicator.name,
                    "unit": indicator.unit,
                    "direction": indicator.direction,
                    "baseline": indicator.baseline,
                    "baseline_year": indicator.baseline_year,
                    "source": indicator.source,
                    "observatory_code": indicator.observatory_code,
                    "observatory_series": indicator.observatory_series,
                    "platform_count": indicator.platform_count,
                    "position": indicator.position,
                }
            )
            for target in sorted(indicator.targets.all(), key=lambda row: row.year):
                rows["targets"].append(
                    {
                        "measure": measure.code,
                        "indicator": indicator.code,
                        "year": target.year,
                        "value": target.value,
                    }
                )
    measure_order = {measure.pk: n for n, measure in enumerate(measures)}
    reports = list(
        plan.reports.select_related("submitted_by", "approved_by").order_by("year", "semester")
    )
    for report in reports:
        rows["reports"].append(
            {
                "year": report.year,
                "semester": report.semester,
                "status": report.status,
                "language": report.language,
                "summary": report.summary,
                "returned_reason": report.returned_reason,
                "submitted_at": report.submitted_at,
                "submitted_by": report.submitted_by_username,
                "approved_at": report.approved_at,
                "approved_by": report.approved_by_username,
                "created_at": report.created_at,
            }
        )
        entries = ReportEntry.objects.filter(report=report).select_related("measure")
        for entry in sorted(entries, key=lambda row: measure_order.get(row.measure_id, -1)):
            rows["report_entries"].append(
                {
                    "year": report.year,
                    "semester": report.semester,
                    "measure": entry.measure.code,
                    "progress": entry.progress,
                    "status": entry.status,
                    "comment": entry.comment,
                    "late": entry.late,
                }
            )
        values = ReportValue.objects.filter(report=report).select_related("indicator__measure")
        for value in sorted(
            values,
            key=lambda row: (
                measure_order.get(row.indicator.measure_id, -1),
                row.indicator.position,
                row.indicator.code,
            ),
        ):
            rows["report_values"].append(
                {
                    "year": report.year,
                    "semester": report.semester,
                    "measure": value.indicator.measure.code,
                    "indicator": value.indicator.code,
                    "value": value.value,
                    "comment": value.comment,
                    "under_target": value.under_target,
                }
            )
    questions = list(plan.questions.order_by("position", "pk"))
    for number, question in enumerate(questions, start=1):
        rows["questions"].append(
            {"number": number, "position": question.position, "text": question.text}
        )
        answers = EvaluationAnswer.objects.filter(question=question).select_related("answered_by")
        for answer in sorted(answers, key=lambda row: row.stage):
            rows["answers"].append(
                {
                    "question": number,
                    "stage": answer.stage,
                    "language": answer.language,
                    "answer": answer.answer,
                    "answered_at": answer.answered_at,
                    "answered_by": answer.answered_by_username,
                }
            )
    for change in plan.changes.select_related("actor").order_by("at", "pk"):
        rows["changes"].append(
            {
                "at": change.at,
                "actor": change.actor_username,
                "action": change.action,
                "details": change.details,
            }
        )
    rows["organisations"] = [
        {"id": key, "name": organisations[key]} for key in sorted(organisations)
    ]
    rows["areas"] = [
        {
            "code": code,
            "names": areas[code].names,
            "position": areas[code].position,
            "active": areas[code].active,
        }
        for code in sorted(areas)
    ]
    return rows


def _json_text(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _cell(value: Any, *, for_csv: bool) -> Any:
    """A value as the package writes it: amounts as stored, dates in ISO 8601, times in UTC."""
    if value is None:
        return "" if for_csv else None
    if isinstance(value, bool):
        return ("true" if value else "false") if for_csv else value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int):
        return str(value) if for_csv else value
    if isinstance(value, dict | list):
        return _json_text(value) if for_csv else value
    return str(value)


def _descriptor(plan_row: Row, resources: list[dict[str, Any]]) -> dict[str, Any]:
    title = plan_row["title"] if isinstance(plan_row["title"], dict) else {}
    name = str(plan_row["slug"]).lower()
    return {
        "profile": "tabular-data-package",
        "name": f"local-plan-{name}",
        "title": str(title.get(plan_row["source_language"]) or next(iter(title.values()), name)),
        "description": DESCRIPTION,
        PACKAGE_KIND: PACKAGE_VERSION,
        "resources": resources,
    }


def _dumps(document: Any) -> bytes:
    return (json.dumps(document, sort_keys=True, ensure_ascii=False, indent=1) + "\n").encode()


def export_plan(plan: Plan, fmt: Format) -> bytes:
    """The whole plan as a data package: ``json`` (one datapackage.json, rows inline) or
    ``csv`` (a zip of datapackage.json and one CSV per table). Deterministic bytes.

    Side effects: none (the audit entry of an export is ``record_export``'s)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    rows = plan_rows(plan)
    resources: list[dict[str, Any]] = []
    files: list[tuple[str, bytes]] = []
    for table in TABLES:
        resource: dict[str, Any] = {
            "name": table.name,
            "profile": "tabular-data-resource",
            "title": table.title,
            "schema": table.schema(),
        }
        if fmt == "json":
            resource["data"] = [
                {name: _cell(row[name], for_csv=False) for name in table.names}
                for row in rows[table.name]
            ]
        else:
            path = f"{table.name}.csv"
            buffer = io.StringIO()
            writer = csv.writer(buffer, lineterminator="\r\n")
            writer.writerow(table.names)
            for row in rows[table.name]:
                writer.writerow([_cell(row[name], for_csv=True) for name in table.names])
            files.append((path, buffer.getvalue().encode()))
            resource.update(
                {"path": path, "format": "csv", "mediatype": "text/csv", "encoding": "utf-8"}
            )
        resources.append(resource)
    descriptor = _dumps(_descriptor(rows["plan"][0], resources))
    if fmt == "json":
        return descriptor
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in [(DESCRIPTOR, descriptor), *files]:
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, content)
    return output.getvalue()


def export_filename(plan: Plan, fmt: Format) -> str:
    """The name an export is offered under."""
    return f"{plan.slug}.json" if fmt == "json" else f"{plan.slug}.zip"


def record_export(*, actor: User | None, plan: Plan, fmt: Format) -> None:
    """Note that ``plan`` was exported as ``fmt`` (by a view or a command).

    Side effects: one AuditEntry ``localplans.plan.exported``."""
    audit.record(action=EXPORTED, actor=actor, obj=plan, data={"plan": plan.slug, "format": fmt})


# ---------------------------------------------------------------------------------------------
# Reading and checking a package


class Problems:
    """What is wrong with a package, each problem in the reader's words."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def add(self, message: str) -> None:
        self.messages.append(message)

    def at(self, table: str, row: int | None, column: str, problem: str) -> None:
        if row is None:
            self.add(
                _("Table %(table)s, field %(field)s: %(problem)s")
                % {"table": table, "field": column, "problem": problem}
            )
        elif column:
            self.add(
                _("Table %(table)s, row %(row)s, field %(field)s: %(problem)s")
                % {"table": table, "row": row, "field": column, "problem": problem}
            )
        else:
            self.add(
                _("Table %(table)s, row %(row)s: %(problem)s")
                % {"table": table, "row": row, "problem": problem}
            )

    def raise_if_any(self) -> None:
        if not self.messages:
            return
        messages = self.messages[:MAX_PROBLEMS]
        if len(self.messages) > MAX_PROBLEMS:
            messages.append(
                _("… and %(count)s more problems.") % {"count": len(self.messages) - MAX_PROBLEMS}
            )
        raise ValidationError(messages, code="plan_import_refused")


def _refuse(message: str) -> ValidationError:
    return ValidationError([message], code="plan_import_refused")


def _read_json(data: bytes) -> Any:
    try:
        return json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        return None


def _read_package(data: bytes) -> tuple[Format, dict[str, Any], dict[str, Any]]:
    """The format, the descriptor and each resource's rows as given (a list of lists with the
    header first, or a list of objects)."""
    if data.startswith(ZIP_MAGIC):
        return ("csv", *_read_zip(data))
    descriptor = _read_json(data)
    if not isinstance(descriptor, dict) or not isinstance(descriptor.get("resources"), list):
        raise _refuse(
            _("The file is neither a plan's JSON data package nor the zip of its CSV files.")
        )
    sources: dict[str, Any] = {}
    for resource in descriptor["resources"]:
        if isinstance(resource, dict) and "data" in resource:
            sources[str(resource.get("name", ""))] = resource["data"]
        elif isinstance(resource, dict):
            raise _refuse(
                _("Table %(table)s: the JSON package must hold its rows inside it (data).")
                % {"table": resource.get("name", "?")}
            )
    return "json", descriptor, sources


def _read_zip(data: bytes) -> tuple[dict[str, Any], dict[str, Any]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = {info.filename: info for info in archive.infolist()}
        if sum(info.file_size for info in infos.values()) > MAX_BYTES:
            raise _refuse(_("The zip file is too large to import."))
        if DESCRIPTOR not in infos:
            raise _refuse(_("The zip file has no datapackage.json."))
        descriptor = _read_json(archive.read(DESCRIPTOR))
        if not isinstance(descriptor, dict) or not isinstance(descriptor.get("resources"), list):
            raise _refuse(_("The zip file's datapackage.json is not a data package."))
        sources: dict[str, Any] = {}
        for resource in descriptor["resources"]:
            if not isinstance(resource, dict):
                continue
            name = str(resource.get("name", ""))
            path = resource.get("path")
            if not isinstance(path, str) or path not in infos:
                raise _refuse(
                    _("Table %(table)s: its CSV file is not in the zip file.") % {"table": name}
                )
            try:
                text = archive.read(path).decode("utf-8-sig")
            except UnicodeDecodeError:
                raise _refuse(
                    _("The file %(file)s is not written in UTF-8.") % {"file": path}
                ) from None
            sources[name] = list(csv.reader(io.StringIO(text, newline="")))
        return descriptor, sources
    except (zipfile.BadZipFile, csv.Error, OSError, RuntimeError) as error:
        raise _refuse(_("The zip file cannot be read: %(error)s") % {"error": error}) from None


def _as_lists(table: Table, rows: Any, problems: Problems) -> list[list[Any]] | None:
    """Rows as a list of lists with the header first (JSON objects checked field by field)."""
    if not isinstance(rows, list):
        problems.at(table.name, None, "", _("the rows must be a list."))
        return None
    if rows and all(isinstance(row, list) for row in rows):
        return rows
    lists: list[list[Any]] = [list(table.names)]
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            problems.at(table.name, number, "", _("a row must be an object with the fields."))
            continue
        for name in sorted(set(row) - set(table.names)):
            problems.at(table.name, number, str(name), _("this field is not part of the table."))
        for name in table.names:
            if name not in row:
                problems.at(table.name, number, name, _("the field is missing."))
        lists.append([row.get(name) for name in table.names])
    return lists


def _type_name(column: Column) -> str:
    if column.format == "uuid":
        return _("a directory id (UUID)")
    return {
        "integer": _("a whole number"),
        "number": _("a number"),
        "boolean": _("true or false"),
        "date": _("a date (YYYY-MM-DD)"),
        "datetime": _("a date and time (ISO 8601)"),
        "object": _("a JSON object"),
    }.get(column.type, _("a text"))


def _error_text(table: Table, error: Any) -> tuple[int | None, str, str]:
    """A frictionless error as (row, field, problem)."""
    kind = str(getattr(error, "type", ""))
    row_number = getattr(error, "row_number", None)
    row = row_number - 1 if isinstance(row_number, int) else None
    name = str(getattr(error, "field_name", "") or getattr(error, "label", "") or "")
    column = table.column(name)
    note = str(getattr(error, "note", ""))
    cell = str(getattr(error, "cell", ""))
    if kind == "type-error" and column is not None:
        return (
            row,
            name,
            _("“%(value)s” is not %(type)s.")
            % {
                "value": cell,
                "type": _type_name(column),
            },
        )
    if kind == "constraint-error" and column is not None:
        if '"required"' in note:
            return row, name, _("a value is required.")
        if '"enum"' in note:
            return (
                row,
                name,
                _("“%(value)s” is not one of %(choices)s.")
                % {
                    "value": cell,
                    "choices": ", ".join(column.choices),
                },
            )
        if '"minimum"' in note:
            return row, name, _("must be at least %(limit)s.") % {"limit": column.minimum}
        if '"maximum"' in note:
            return row, name, _("must be at most %(limit)s.") % {"limit": column.maximum}
    if kind == "missing-cell":
        return row, name, _("the value is missing (the row is too short).")
    if kind == "extra-cell":
        return row, "", _("the row has more values than the table has fields.")
    if kind == "blank-row":
        return row, "", _("the row is empty.")
    if kind in {"primary-key", "unique-error"}:
        return (
            row,
            "",
            _("it repeats %(key)s of an earlier row.") % {"key": ", ".join(table.primary_key)},
        )
    if kind == "foreign-key":
        for mine, other, _theirs in table.foreign_keys:
            if any(f'"{part}"' in note for part in mine) or len(table.foreign_keys) == 1:
                return (
                    row,
                    ", ".join(mine),
                    _("refers to a row of %(other)s that is not there.") % {"other": other},
                )
        return row, "", _("refers to a row that is not there.")
    if kind == "missing-label":
        return None, name, _("the column is missing.")
    if kind in {"extra-label", "incorrect-label", "duplicate-label", "blank-label"}:
        return (
            None,
            name,
            _("the header does not match the table's fields (%(fields)s).")
            % {"fields": ", ".join(table.names)},
        )
    return row, name, str(getattr(error, "message", note))


def _validated_rows(sources: Mapping[str, Any], problems: Problems) -> dict[str, list[Row]] | None:
    """Each table's typed rows, checked with frictionless against our own schemas (never the
    file's); None when anything is wrong (``problems`` says what)."""
    for name in sources:
        if name not in TABLE:
            problems.add(
                _("The package has a table this import does not know: %(table)s.") % {"table": name}
            )
    resources: list[dict[str, Any]] = []
    for table in TABLES:
        if table.name not in sources:
            problems.add(_("The package lacks the table %(table)s.") % {"table": table.name})
            continue
        lists = _as_lists(table, sources[table.name], problems)
        if lists is None:
            continue
        if not lists:
            lists = [list(table.names)]
        resources.append(
            {"name": table.name, "type": "table", "data": lists, "schema": table.schema()}
        )
    if problems.messages:
        return None
    try:
        package = Package.from_descriptor({"resources": resources})
        report = package.validate(limit_errors=MAX_PROBLEMS + 1)
        for task in report.tasks:
            table = TABLE[str(task.name)]
            for error in task.errors:
                row, name, text = _error_text(table, error)
                problems.at(table.name, row, name, text)
        if problems.messages:
            return None
        return {
            table.name: [
                dict(row.to_dict()) for row in package.get_table_resource(table.name).read_rows()
            ]
            for table in TABLES
        }
    except FrictionlessException as error:
        problems.add(_("The package cannot be read: %(error)s") % {"error": error.error.message})
        return None


def _is_texts(value: Any) -> bool:
    return value is None or (
        isinstance(value, dict)
        and all(isinstance(key, str) and isinstance(text, str) for key, text in value.items())
    )


def _check(rows: Mapping[str, list[Row]], problems: Problems) -> None:
    """What the schemas cannot say: the plan's rules across fields and rows."""
    plans = rows["plan"]
    if len(plans) != 1:
        problems.at("plan", None, "slug", _("the table must hold exactly one row."))
        return
    plan = plans[0]
    if not SLUG.match(str(plan["slug"])):
        problems.at("plan", 1, "slug", _("a short name is lowercase letters, digits and -."))
    if len(str(plan["slug"])) > Plan._meta.get_field("slug").max_length:  # type: ignore[operator]
        problems.at("plan", 1, "slug", _("the short name is too long."))
    if Plan.objects.filter(slug=plan["slug"]).exists():
        problems.at(
            "plan",
            1,
            "slug",
            _("a plan with the short name %(slug)s already exists.") % {"slug": plan["slug"]},
        )
    if plan["ends_year"] < plan["starts_year"]:
        problems.at("plan", 1, "ends_year", _("the last year is before the first year."))
    for table in TABLES:
        for number, row in enumerate(rows[table.name], start=1):
            for column in table.columns:
                if (
                    column.type == "object"
                    and column.description == TEXT
                    and not _is_texts(row[column.name])
                ):
                    problems.at(
                        table.name,
                        number,
                        column.name,
                        _('texts are given as {"language": "text"}.'),
                    )
    if not rows["municipalities"]:
        problems.at("municipalities", None, "code", _("the plan covers no municipality."))
    for number, row in enumerate(rows["municipalities"], start=1):
        if row["code"] not in MUNICIPALITIES:
            problems.at(
                "municipalities",
                number,
                "code",
                _("%(code)s is not a municipality of Cabo Verde.") % {"code": row["code"]},
            )
    for number, row in enumerate(rows["members"], start=1):
        if not row["organisation"] and not row["name"]:
            problems.at("members", number, "name", _("a member needs an organisation or a name."))
    for number, row in enumerate(rows["consultations"], start=1):
        if row["women_heard"] is not None and row["women_heard"] > row["people_heard"]:
            problems.at(
                "consultations",
                number,
                "women_heard",
                _("more women heard than people heard."),
            )
    shares: dict[str, Decimal] = {}
    for row in rows["funding"]:
        shares[row["measure"]] = shares.get(row["measure"], Decimal(0)) + row["share"]
    for number, row in enumerate(rows["measures"], start=1):
        if row["ends_on"] < row["starts_on"]:
            problems.at("measures", number, "ends_on", _("the measure ends before it starts."))
        if row["code"] in shares and shares[row["code"]] != 100:
            problems.at(
                "measures",
                number,
                "code",
                _("the shares of its funding add up to %(total)s %%, not 100 %%.")
                % {"total": shares[row["code"]]},
            )
    for number, row in enumerate(rows["indicators"], start=1):
        if row["source"] == IndicatorSource.OBSERVATORY and not row["observatory_code"]:
            problems.at(
                "indicators",
                number,
                "observatory_code",
                _("an indicator from the observatory names the observatory's indicator."),
            )
        if row["source"] == IndicatorSource.PLATFORM and not row["platform_count"]:
            problems.at(
                "indicators",
                number,
                "platform_count",
                _("an indicator from the platform names the count."),
            )


# ---------------------------------------------------------------------------------------------
# Import


@dataclass(frozen=True, slots=True)
class Trust:
    """What an import may do beyond creating a draft: keep the file's approvals (AAI, or a
    command run on the server), add organisations to the directory (its editors) and add
    intervention areas (who configures them). Anyone else's import is a draft plan, its
    reports drafts, naming only organisations and areas that exist."""

    approvals: bool = True
    organisations: bool = True
    areas: bool = True

    @classmethod
    def of(cls, actor: User | None) -> "Trust":
        if actor is None:
            return cls()
        return cls(
            approvals=actor.has_perm(Permission.APPROVE_LOCAL_PLANS),
            organisations=actor.has_perm(Permission.EDIT_DIRECTORY),
            areas=actor.has_perm(Permission.CONFIGURE_PLAN_AREAS),
        )


@dataclass(frozen=True, slots=True)
class _Users:
    """The accounts of the usernames a package names, where this database has them."""

    accounts: dict[str, User]

    def user(self, username: str | None) -> User | None:
        return self.accounts.get(username or "")


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _texts(value: Any) -> dict[str, str]:
    return dict(value) if isinstance(value, dict) else {}


def import_plan(data: bytes, *, actor: User | None, filename: str = "") -> Plan:
    """Create the plan a package describes (either format: a zip is the CSV form).

    The package is checked whole first — frictionless against this module's own Table Schemas
    (types, required fields, choices, keys, references between tables), then the plan's rules —
    and a refusal (``ValidationError``) lists every problem with its table, row and field;
    nothing is saved then. A plan with the same short name must not exist. What the import
    may do depends on ``actor`` (``Trust``): without AAI's approval the plan and its reports
    come in as drafts, approvals left out; organisations and areas that do not exist are
    refused unless the actor may add them.

    Side effects: one transaction creating the plan and all its rows, the organisations and
    intervention areas it names that are not there yet; one AuditEntry
    ``localplans.plan.imported``."""
    if len(data) > MAX_BYTES:
        raise _refuse(_("The file is too large to import."))
    fmt, _descriptor_found, sources = _read_package(data)
    problems = Problems()
    rows = _validated_rows(sources, problems)
    if rows is None:
        problems.raise_if_any()
        raise _refuse(_("The package cannot be read."))
    trust = Trust.of(actor)
    _check(rows, problems)
    _check_references(rows, trust, problems)
    problems.raise_if_any()
    try:
        with transaction.atomic():
            plan = _create(rows, trust)
            audit.record(
                action=IMPORTED,
                actor=actor,
                obj=plan,
                data={
                    "plan": plan.slug,
                    "format": fmt,
                    "file": filename[:200],
                    "measures": len(rows["measures"]),
                    "approvals_kept": trust.approvals,
                },
            )
    except DatabaseError:
        raise _refuse(
            _(
                "The database refused the plan (a value is too long or too large); nothing "
                "was imported."
            )
        ) from None
    return plan


def _organisations(rows: Iterable[Row]) -> dict[str, Organization]:
    found: dict[str, Organization] = {}
    for row in rows:
        key = str(uuid.UUID(str(row["id"])))
        organisation = Organization.objects.filter(pk=key).first()
        if organisation is None:
            organisation = Organization.objects.create(
                id=key, name=row["name"], description="", is_demo=False
            )
        found[str(row["id"])] = organisation
    return found


def _areas(rows: Iterable[Row]) -> dict[str, InterventionArea]:
    found: dict[str, InterventionArea] = {}
    for row in rows:
        area = InterventionArea.objects.filter(code=row["code"]).first()
        if area is None:
            area = InterventionArea.objects.create(
                code=row["code"],
                names=_texts(row["names"]),
                position=row["position"] or 0,
                active=row["active"],
            )
        found[row["code"]] = area
    return found


def _report_status(row: Row, users: "_Users") -> dict[str, Any]:
    """A report's status as the package has it, with who submitted and approved it."""
    return {
        "status": row["status"],
        "submitted_at": row["submitted_at"],
        "submitted_by": users.user(row["submitted_by"]),
        "submitted_by_username": row["submitted_by"] or "",
        "approved_at": row["approved_at"],
        "approved_by": users.user(row["approved_by"]),
        "approved_by_username": row["approved_by"] or "",
    }


def _check_references(rows: Mapping[str, list[Row]], trust: Trust, problems: Problems) -> None:
    """Organisations and areas the package names that this database lacks, when the importer
    may not add them."""
    if not trust.organisations:
        for number, row in enumerate(rows["organisations"], start=1):
            if not Organization.objects.filter(pk=str(row["id"])).exists():
                problems.at(
                    "organisations",
                    number,
                    "id",
                    _(
                        "“%(name)s” is not in the service directory: ask its editors to add "
                        "it, then import again."
                    )
                    % {"name": row["name"]},
                )
    if not trust.areas:
        for number, row in enumerate(rows["areas"], start=1):
            if not InterventionArea.objects.filter(code=row["code"]).exists():
                problems.at(
                    "areas",
                    number,
                    "code",
                    _(
                        "The intervention area %(code)s does not exist here: an administrator "
                        "may add it."
                    )
                    % {"code": row["code"]},
                )


def _create(rows: Mapping[str, list[Row]], trust: Trust) -> Plan:
    names = {
        _text(row[column])
        for table, column in (
            ("plan", "approved_by"),
            ("reports", "submitted_by"),
            ("reports", "approved_by"),
            ("answers", "answered_by"),
            ("changes", "actor"),
        )
        for row in rows[table]
    } - {""}
    users = _Users({user.get_username(): user for user in User.objects.filter(username__in=names)})
    organisations = _organisations(rows["organisations"])
    areas = _areas(rows["areas"])

    def organisation(value: Any) -> Organization | None:
        return organisations[str(value)] if value else None

    row = rows["plan"][0]
    plan = Plan.objects.create(
        slug=row["slug"],
        title=_texts(row["title"]),
        summary=_texts(row["summary"]),
        analysis=_texts(row["analysis"]),
        source_language=row["source_language"],
        starts_year=row["starts_year"],
        ends_year=row["ends_year"],
        version=row["version"],
        status=row["status"] if trust.approvals else PlanStatus.DRAFT,
        coordinating_body=organisation(row["coordinating_body"]),
        approved_at=row["approved_at"] if trust.approvals else None,
        approved_by=users.user(row["approved_by"]) if trust.approvals else None,
        approved_by_username=(row["approved_by"] or "") if trust.approvals else "",
        returned_reason=_text(row["returned_reason"]),
    )
    if row["created_at"] is not None:
        Plan.objects.filter(pk=plan.pk).update(created_at=row["created_at"])
    PlanMunicipality.objects.bulk_create(
        PlanMunicipality(plan=plan, code=row["code"]) for row in rows["municipalities"]
    )
    for row in rows["members"]:
        SteeringMember.objects.create(
            plan=plan,
            position=row["position"],
            organisation=organisation(row["organisation"]),
            name=_text(row["name"]),
            kind=row["kind"],
            role=row["role"],
        )
    for row in rows["consultations"]:
        Consultation.objects.create(
            plan=plan,
            held_on=row["held_on"],
            kind=row["kind"],
            organisations_heard=row["organisations_heard"],
            people_heard=row["people_heard"],
            women_heard=row["women_heard"],
            findings=_texts(row["findings"]),
        )
    objectives: dict[str, Objective] = {}
    for row in rows["objectives"]:
        objectives[row["code"]] = Objective.objects.create(
            plan=plan,
            code=row["code"],
            area=areas[row["area"]],
            title=_texts(row["title"]),
            weight=row["weight"],
            position=row["position"],
        )
    measures: dict[str, Measure] = {}
    for row in rows["measures"]:
        measures[row["code"]] = Measure.objects.create(
            plan=plan,
            code=row["code"],
            objective=objectives[row["objective"]],
            area=areas[row["area"]],
            title=_texts(row["title"]),
            description=_texts(row["description"]),
            target_group=_texts(row["target_group"]),
            responsible=organisations[str(row["responsible"])],
            starts_on=row["starts_on"],
            ends_on=row["ends_on"],
            budget=row["budget"],
            weight=row["weight"],
            status=row["status"],
            progress=row["progress"],
            progress_note=_text(row["progress_note"]),
            progress_updated_at=row["progress_updated_at"],
            position=row["position"],
        )
    partners: dict[str, list[Organization]] = {}
    for row in rows["partners"]:
        partners.setdefault(row["measure"], []).append(organisations[str(row["organisation"])])
    for code, found in partners.items():
        measures[code].partners.set(found)
    FundingSource.objects.bulk_create(
        FundingSource(
            measure=measures[row["measure"]],
            position=row["position"],
            name=row["name"],
            share=row["share"],
        )
        for row in rows["funding"]
    )
    MeasureLink.objects.bulk_create(
        MeasureLink(measure=measures[row["measure"]], kind=row["kind"], ref=row["ref"])
        for row in rows["links"]
    )
    indicators: dict[tuple[str, str], MeasureIndicator] = {}
    for row in rows["indicators"]:
        indicators[(row["measure"], row["code"])] = MeasureIndicator.objects.create(
            measure=measures[row["measure"]],
            code=row["code"],
            name=_texts(row["name"]),
            unit=row["unit"],
            direction=row["direction"],
            baseline=row["baseline"],
            baseline_year=row["baseline_year"],
            source=row["source"],
            observatory_code=_text(row["observatory_code"]),
            observatory_series=_texts(row["observatory_series"]),
            platform_count=_text(row["platform_count"]),
            position=row["position"],
        )
    IndicatorTarget.objects.bulk_create(
        IndicatorTarget(
            indicator=indicators[(row["measure"], row["indicator"])],
            year=row["year"],
            value=row["value"],
        )
        for row in rows["targets"]
    )
    reports: dict[tuple[int, int], MonitoringReport] = {}
    for row in rows["reports"]:
        report = MonitoringReport.objects.create(
            plan=plan,
            year=row["year"],
            semester=row["semester"],
            language=row["language"],
            summary=_text(row["summary"]),
            returned_reason=_text(row["returned_reason"]),
            **(_report_status(row, users) if trust.approvals else {}),
        )
        if row["created_at"] is not None:
            MonitoringReport.objects.filter(pk=report.pk).update(created_at=row["created_at"])
        reports[(row["year"], row["semester"])] = report
    ReportEntry.objects.bulk_create(
        ReportEntry(
            report=reports[(row["year"], row["semester"])],
            measure=measures[row["measure"]],
            progress=row["progress"],
            status=row["status"],
            comment=_text(row["comment"]),
            late=row["late"],
        )
        for row in rows["report_entries"]
    )
    ReportValue.objects.bulk_create(
        ReportValue(
            report=reports[(row["year"], row["semester"])],
            indicator=indicators[(row["measure"], row["indicator"])],
            value=row["value"],
            comment=_text(row["comment"]),
            under_target=row["under_target"],
        )
        for row in rows["report_values"]
    )
    questions: dict[int, EvaluationQuestion] = {}
    for row in rows["questions"]:
        questions[row["number"]] = EvaluationQuestion.objects.create(
            plan=plan, position=row["position"], text=_texts(row["text"])
        )
    for row in rows["answers"]:
        EvaluationAnswer.objects.create(
            question=questions[row["question"]],
            stage=row["stage"],
            language=row["language"],
            answer=row["answer"],
            answered_at=row["answered_at"],
            answered_by=users.user(row["answered_by"]),
            answered_by_username=row["answered_by"] or "",
        )
    for row in rows["changes"]:
        PlanChange.objects.create(
            plan=plan,
            at=row["at"],
            actor=users.user(row["actor"]),
            actor_username=row["actor"] or "",
            action=row["action"],
            details=dict(row["details"] or {}),
        )
    return plan


def problems_of(error: ValidationError) -> Sequence[str]:
    """The problems a refused import lists, one message each."""
    return [str(message) for message in error.messages]
