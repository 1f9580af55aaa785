"""A plan out and back in: the data package's round trip (export → import into an empty
database → export gives the same bytes), references to organisations, areas and staff
accounts, and the refusals of a bad package (every problem listed, nothing saved)."""

import io
import json
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from frictionless import Package

from coop4int.accounts.models import User
from coop4int.core.models import AuditEntry
from coop4int.directory.models import Organization
from coop4int.localplans.enums import (
    ConsultationKind,
    EvaluationStage,
    GovernanceRole,
    IndicatorSource,
    LinkKind,
    MeasureStatus,
    MemberKind,
    PlanStatus,
    PlatformCount,
    ReportStatus,
)
from coop4int.localplans.exchange import (
    EXPORTED,
    IMPORTED,
    TABLES,
    export_plan,
    import_plan,
    record_export,
)
from coop4int.localplans.models import (
    Consultation,
    EvaluationAnswer,
    EvaluationQuestion,
    InterventionArea,
    Measure,
    MeasureLink,
    MonitoringReport,
    Plan,
    PlanChange,
    PlanMunicipality,
    ReportEntry,
    ReportValue,
    SteeringMember,
)
from coop4int.localplans.tests.factories import (
    NOW,
    area,
    make_admin,
    make_coordinator,
    make_indicator,
    make_measure,
    make_objective,
    make_organisation,
    make_plan,
)

pytestmark = pytest.mark.django_db

FORMATS = ("json", "csv")


@dataclass
class Rich:
    plan: Plan
    admin: User
    coordinator: User
    organisations: list[Organization]


def rich_plan() -> Rich:
    """A plan holding something of everything the package carries, with texts that test the
    CSV quoting (commas, quotes, line breaks, accents)."""
    admin = make_admin(username="aai.admin")
    coordinator = make_coordinator(username="coord.praia")
    body = make_organisation("Câmara Municipal da Praia")
    association = make_organisation('Associação "Ponte", Praia')
    plan = make_plan(
        slug="praia-2025-2027",
        status=PlanStatus.IN_FORCE,
        measures=0,
        coordinating_body=body,
        approved_by=admin,
        title={"pt": "Plano Municipal, Praia", "en": "Praia's plan", "fr": "Plan de Praia"},
    )
    Plan.objects.filter(pk=plan.pk).update(returned_reason="Falta o orçamento.\nRevisto.")
    PlanMunicipality.objects.create(plan=plan, code="CV-SD")
    SteeringMember.objects.create(
        plan=plan,
        organisation=body,
        kind=MemberKind.MUNICIPALITY,
        role=GovernanceRole.COORDINATION,
        position=0,
    )
    SteeringMember.objects.create(
        plan=plan,
        name="Associação dos Guineenses",
        kind=MemberKind.MIGRANT_ASSOCIATION,
        role=GovernanceRole.STEERING,
        position=1,
    )
    Consultation.objects.create(
        plan=plan,
        held_on=date(2024, 11, 5),
        kind=ConsultationKind.MEETING,
        organisations_heard=6,
        people_heard=31,
        women_heard=14,
        findings={"pt": 'Habitação; língua, "emprego".', "en": "Housing, language."},
    )
    Consultation.objects.create(
        plan=plan,
        held_on=date(2024, 11, 20),
        kind=ConsultationKind.SURVEY,
        organisations_heard=0,
        people_heard=120,
        women_heard=None,
        findings={},
    )
    InterventionArea.objects.create(
        code="digital", names={"pt": "Inclusão digital", "en": "Digital inclusion"}, position=20
    )
    first = make_objective(plan, code="O1", area_code="reception", weight=Decimal("2.50"))
    second = make_objective(plan, code="O2", area_code="digital", position=1)
    one = make_measure(
        plan,
        objective=first,
        responsible=body,
        partners=[association],
        status=MeasureStatus.IN_PROGRESS,
        progress=40,
        budget=Decimal("1234567.89"),
    )
    Measure.objects.filter(pk=one.pk).update(
        progress_note='Bom ritmo,\n"segundo" semestre.',
        progress_updated_at=NOW + timedelta(microseconds=123456),
    )
    make_indicator(
        one,
        baseline=None,
        source=IndicatorSource.OBSERVATORY,
        observatory_code="POP_NAT",
        observatory_series={"MUNICIPALITY": "CV-PR", "SEX": "_T"},
    )
    MeasureLink.objects.create(measure=one, kind=LinkKind.SERVICE, ref="3f6c-service")
    MeasureLink.objects.create(measure=one, kind=LinkKind.COURSE, ref="portuguese-a1")
    two = make_measure(
        plan,
        objective=second,
        area_code="digital",
        responsible=association,
        funding=[("Município", Decimal(100))],
        weight=Decimal("0.75"),
    )
    make_indicator(two, source=IndicatorSource.PLATFORM, platform_count=PlatformCount.CASES)
    approved = MonitoringReport.objects.create(
        plan=plan,
        year=2025,
        semester=1,
        status=ReportStatus.APPROVED,
        summary="Primeiro semestre, bom.",
        submitted_at=NOW - timedelta(days=20),
        submitted_by=coordinator,
        submitted_by_username=coordinator.get_username(),
        approved_at=NOW - timedelta(days=10),
        approved_by=admin,
        approved_by_username=admin.get_username(),
    )
    draft = MonitoringReport.objects.create(plan=plan, year=2025, semester=2, language="fr")
    for report in (approved, draft):
        for measure in (one, two):
            ReportEntry.objects.create(
                report=report,
                measure=measure,
                progress=None if report is draft else measure.progress,
                status=measure.status,
                comment="Atrasada." if measure is two else "",
                late=measure is two,
            )
            for indicator in measure.indicators.all():
                ReportValue.objects.create(
                    report=report,
                    indicator=indicator,
                    value=None if report is draft else Decimal("12.50"),
                    under_target=report is approved,
                )
    question = EvaluationQuestion.objects.create(
        plan=plan, text={"pt": "A receção melhorou?", "en": "Did reception improve?"}
    )
    EvaluationQuestion.objects.create(plan=plan, text={"pt": "Quem participou?"}, position=1)
    EvaluationAnswer.objects.create(
        question=question,
        stage=EvaluationStage.MID_TERM,
        answer="Sim, em parte.",
        answered_at=NOW,
        answered_by=coordinator,
        answered_by_username=coordinator.get_username(),
    )
    for n, (actor, action) in enumerate(
        [
            (coordinator, "localplans.plan.created"),
            (None, "localplans.measure.added"),
            (admin, "localplans.plan.approved"),
        ]
    ):
        PlanChange.objects.create(
            plan=plan,
            at=NOW - timedelta(days=100 - n),
            actor=actor,
            actor_username=actor.get_username() if actor else "",
            action=action,
            details={"measure": "M1.1", "fields": ["budget", "ends_on"], "version": 1},
        )
    plan.refresh_from_db()
    return Rich(plan, admin, coordinator, [body, association])


def delete_plan(plan: Plan) -> None:
    """Everything of ``plan`` gone, as in an empty database."""
    plan.reports.all().delete()
    plan.measures.all().delete()
    plan.delete()


def package_of(data: bytes, tmp_path: Path) -> Package:
    """The exported bytes as frictionless reads them."""
    if data.startswith(b"PK"):
        zipfile.ZipFile(io.BytesIO(data)).extractall(tmp_path)
    else:
        (tmp_path / "datapackage.json").write_bytes(data)
    return Package(str(tmp_path / "datapackage.json"))


def descriptor_of(data: bytes) -> dict[str, Any]:
    if data.startswith(b"PK"):
        return json.loads(zipfile.ZipFile(io.BytesIO(data)).read("datapackage.json"))
    return json.loads(data)


@pytest.mark.parametrize("fmt", FORMATS)
def test_round_trip_into_an_empty_database_gives_the_same_bytes(fmt: str) -> None:
    rich = rich_plan()
    first = export_plan(rich.plan, fmt)  # type: ignore[arg-type]
    delete_plan(rich.plan)
    for organisation in rich.organisations:
        organisation.delete()
    InterventionArea.objects.filter(code="digital").delete()

    imported = import_plan(first, actor=None, filename=f"plan.{fmt}")

    assert export_plan(imported, fmt) == first  # type: ignore[arg-type]
    assert imported.measures.count() == 2
    assert imported.reports.get(year=2025, semester=1).approved_by == rich.admin


@pytest.mark.parametrize("fmt", FORMATS)
def test_export_is_deterministic_and_a_valid_frictionless_package(fmt: str, tmp_path: Path) -> None:
    plan = rich_plan().plan
    data = export_plan(plan, fmt)  # type: ignore[arg-type]

    assert export_plan(plan, fmt) == data  # type: ignore[arg-type]
    report = package_of(data, tmp_path).validate()
    assert report.valid, report.flatten(["type", "note"])


def test_the_package_holds_every_part_of_the_plan_but_not_the_public_comments() -> None:
    descriptor = descriptor_of(export_plan(rich_plan().plan, "json"))
    counts = {resource["name"]: len(resource["data"]) for resource in descriptor["resources"]}

    assert counts == {
        "plan": 1,
        "organisations": 2,
        "areas": 2,
        "municipalities": 2,
        "members": 2,
        "consultations": 2,
        "objectives": 2,
        "measures": 2,
        "partners": 1,
        "funding": 3,
        "links": 2,
        "indicators": 4,
        "targets": 12,
        "reports": 2,
        "report_entries": 4,
        "report_values": 8,
        "questions": 2,
        "answers": 1,
        "changes": 3,
    }
    assert "comments" in descriptor["description"]
    assert "e-mail" in descriptor["description"]
    plan_row = descriptor["resources"][0]["data"][0]
    assert plan_row["title"]["fr"] == "Plan de Praia"
    assert plan_row["approved_by"] == "aai.admin"


def test_zip_holds_the_descriptor_and_one_csv_per_table_with_fixed_timestamps() -> None:
    archive = zipfile.ZipFile(io.BytesIO(export_plan(rich_plan().plan, "csv")))

    assert archive.namelist() == ["datapackage.json"] + [f"{t.name}.csv" for t in TABLES]
    assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    measures = archive.read("measures.csv").decode()
    assert measures.splitlines()[0].startswith("code,objective,area,title")
    assert "1234567.89" in measures


def test_usernames_without_an_account_are_kept_and_written_again() -> None:
    rich = rich_plan()
    first = export_plan(rich.plan, "json")
    delete_plan(rich.plan)
    User.objects.filter(pk__in=[rich.admin.pk, rich.coordinator.pk]).delete()

    imported = import_plan(first, actor=None)

    assert imported.approved_by is None
    assert imported.approved_by_username == "aai.admin"
    assert imported.reports.get(semester=1).submitted_by is None
    assert export_plan(imported, "json") == first


def test_a_username_attaches_its_account_where_the_database_has_it() -> None:
    rich = rich_plan()
    first = export_plan(rich.plan, "json")
    delete_plan(rich.plan)

    imported = import_plan(first, actor=None)

    assert imported.approved_by == rich.admin
    assert imported.reports.get(semester=1).submitted_by == rich.coordinator


def test_organisations_are_matched_by_id_else_created_with_the_same_id_and_name() -> None:
    rich = rich_plan()
    body, association = rich.organisations
    data = export_plan(rich.plan, "csv")
    delete_plan(rich.plan)
    Organization.objects.filter(pk=body.pk).update(name="Município da Praia")
    association_id = association.pk
    association.delete()

    imported = import_plan(data, actor=None)

    assert imported.coordinating_body is not None
    assert imported.coordinating_body.name == "Município da Praia"
    created = Organization.objects.get(pk=association_id)
    assert (created.name, created.description, created.is_demo) == (
        'Associação "Ponte", Praia',
        "",
        False,
    )
    assert list(imported.measures.get(code="M1.1").partners.all()) == [created]


def test_import_writes_one_audit_entry_and_no_history() -> None:
    rich = rich_plan()
    data = export_plan(rich.plan, "json")
    delete_plan(rich.plan)
    actor = make_admin(username="importer")

    imported = import_plan(data, actor=actor, filename="praia.json")

    entry = AuditEntry.objects.get(action=IMPORTED)
    assert (entry.actor, entry.object_id) == (actor, str(imported.pk))
    assert entry.data["format"] == "json"
    assert entry.data["file"] == "praia.json"
    assert imported.changes.count() == 3


def test_record_export_writes_the_audit_entry() -> None:
    plan = make_plan(measures=1)
    actor = make_coordinator()

    record_export(actor=actor, plan=plan, fmt="csv")

    entry = AuditEntry.objects.get(action=EXPORTED)
    assert (entry.actor, entry.object_id, entry.data["format"]) == (actor, str(plan.pk), "csv")


@pytest.mark.parametrize("fmt", FORMATS)
def test_import_into_a_slug_that_exists_is_refused(fmt: str) -> None:
    plan = rich_plan().plan
    data = export_plan(plan, fmt)  # type: ignore[arg-type]
    organisations = Organization.objects.count()

    with translation.override("en"), pytest.raises(ValidationError) as refused:
        import_plan(data, actor=None)

    assert refused.value.messages == [
        "Table plan, row 1, field slug: a plan with the short name praia-2025-2027 already exists."
    ]
    assert Plan.objects.count() == 1
    assert Organization.objects.count() == organisations
    assert not AuditEntry.objects.filter(action=IMPORTED).exists()


def edited_json(data: bytes, edit: Any) -> bytes:
    descriptor = json.loads(data)
    tables = {resource["name"]: resource["data"] for resource in descriptor["resources"]}
    edit(tables)
    return json.dumps(descriptor).encode()


def test_a_bad_json_package_lists_each_problem_with_table_row_and_field_and_saves_nothing() -> None:
    rich = rich_plan()
    data = export_plan(rich.plan, "json")
    delete_plan(rich.plan)
    for organisation in rich.organisations:
        organisation.delete()

    def edit(tables: dict[str, list[dict[str, Any]]]) -> None:
        tables["measures"][1]["progress"] = 150
        tables["measures"][0]["objective"] = "O9"
        tables["consultations"][0]["held_on"] = "5 Nov 2024"
        tables["reports"][0]["status"] = "lost"
        tables["links"].append(dict(tables["links"][0]))

    with translation.override("en"), pytest.raises(ValidationError) as refused:
        import_plan(edited_json(data, edit), actor=None)

    messages = refused.value.messages
    assert "Table measures, row 2, field progress: must be at most 100." in messages
    assert (
        "Table measures, row 1, field objective: refers to a row of objectives that is not there."
        in messages
    )
    assert (
        "Table consultations, row 1, field held_on: “5 Nov 2024” is not a date (YYYY-MM-DD)."
        in messages
    )
    assert any(
        m.startswith("Table reports, row 1, field status: “lost” is not one of") for m in messages
    )
    assert "Table links, row 3: it repeats measure, kind, ref of an earlier row." in messages
    assert not Plan.objects.exists()
    assert not Organization.objects.exists()


def test_rules_across_fields_are_checked_before_anything_is_saved() -> None:
    rich = rich_plan()
    data = export_plan(rich.plan, "json")
    delete_plan(rich.plan)

    def edit(tables: dict[str, list[dict[str, Any]]]) -> None:
        tables["consultations"][0]["women_heard"] = 40
        tables["measures"][0]["ends_on"] = "2024-01-01"
        tables["funding"][0]["share"] = "70.00"
        tables["municipalities"][0]["code"] = "CV-XX"
        tables["members"][1]["name"] = ""
        tables["plan"][0]["title"] = {"pt": 3}

    with translation.override("en"), pytest.raises(ValidationError) as refused:
        import_plan(edited_json(data, edit), actor=None)

    assert refused.value.messages == [
        'Table plan, row 1, field title: texts are given as {"language": "text"}.',
        "Table municipalities, row 1, field code: CV-XX is not a municipality of Cabo Verde.",
        "Table members, row 2, field name: a member needs an organisation or a name.",
        "Table consultations, row 1, field women_heard: more women heard than people heard.",
        "Table measures, row 1, field ends_on: the measure ends before it starts.",
        "Table measures, row 1, field code: the shares of its funding add up to 95.00 %, "
        "not 100 %.",
    ]
    assert not Plan.objects.exists()


def test_a_bad_csv_file_names_its_table_row_and_field() -> None:
    rich = rich_plan()
    data = export_plan(rich.plan, "csv")
    delete_plan(rich.plan)
    source = zipfile.ZipFile(io.BytesIO(data))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        for name in source.namelist():
            content = source.read(name)
            if name == "targets.csv":
                content = content.replace(b"2025,20.00", b"2025,twenty", 1)
            if name == "questions.csv":
                content = content.replace(b"number,position,text", b"number,text", 1)
            archive.writestr(name, content)

    with translation.override("en"), pytest.raises(ValidationError) as refused:
        import_plan(output.getvalue(), actor=None)

    messages = refused.value.messages
    assert "Table targets, row 1, field value: “twenty” is not a number." in messages
    assert any(m.startswith("Table questions, field position:") for m in messages)
    assert not Plan.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"not a package", "The file is neither a plan's JSON data package nor the zip"),
        (b"PK\x03\x04broken", "The zip file cannot be read"),
        (json.dumps({"resources": []}).encode(), "The package lacks the table plan."),
    ],
)
def test_a_file_that_is_no_plan_package_is_refused(data: bytes, message: str) -> None:
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        import_plan(data, actor=None)

    assert refused.value.messages[0].startswith(message)


def test_an_area_the_database_lacks_is_created_from_the_package() -> None:
    rich = rich_plan()
    data = export_plan(rich.plan, "json")
    delete_plan(rich.plan)
    InterventionArea.objects.filter(code="digital").delete()

    imported = import_plan(data, actor=None)

    created = area("digital")
    assert created.names == {"pt": "Inclusão digital", "en": "Digital inclusion"}
    assert imported.objectives.get(code="O2").area == created
    assert (
        datetime.fromisoformat(descriptor_of(data)["resources"][0]["data"][0]["approved_at"]) == NOW
    )


def test_a_coordinators_import_is_a_draft_plan_with_draft_reports_and_no_approvals() -> None:
    rich = rich_plan()
    data = export_plan(rich.plan, "json")
    delete_plan(rich.plan)

    imported = import_plan(data, actor=rich.coordinator)

    assert imported.status == PlanStatus.DRAFT
    assert (imported.approved_at, imported.approved_by, imported.approved_by_username) == (
        None,
        None,
        "",
    )
    assert set(imported.reports.values_list("status", flat=True)) == {"draft"}
    assert not imported.reports.exclude(approved_by_username="", submitted_by_username="")
    entry = AuditEntry.objects.get(action=IMPORTED, object_id=str(imported.pk))
    assert entry.data["approvals_kept"] is False


def test_aai_s_import_keeps_the_approvals() -> None:
    rich = rich_plan()
    data = export_plan(rich.plan, "json")
    delete_plan(rich.plan)

    imported = import_plan(data, actor=rich.admin)

    assert imported.status == PlanStatus.IN_FORCE
    assert imported.approved_by == rich.admin


def test_a_coordinator_may_not_add_organisations_or_areas_through_an_import() -> None:
    rich = rich_plan()
    data = export_plan(rich.plan, "json")
    delete_plan(rich.plan)
    Organization.objects.filter(pk__in=[org.pk for org in rich.organisations]).delete()
    before = (Plan.objects.count(), Organization.objects.count())

    with translation.override("en"), pytest.raises(ValidationError) as refused:
        import_plan(data, actor=rich.coordinator)

    assert any("is not in the service directory" in m for m in refused.value.messages)
    assert (Plan.objects.count(), Organization.objects.count()) == before


def test_a_short_name_the_editor_would_refuse_is_refused_on_import() -> None:
    rich = rich_plan()
    data = export_plan(rich.plan, "json")
    delete_plan(rich.plan)

    def edit(tables: dict[str, Any]) -> None:
        tables["plan"][0]["slug"] = "Praia_2025"

    with translation.override("en"), pytest.raises(ValidationError) as refused:
        import_plan(edited_json(data, edit), actor=None)

    assert any("lowercase" in m for m in refused.value.messages)
    assert not Plan.objects.exists()
