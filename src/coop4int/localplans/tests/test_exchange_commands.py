"""`coop4int export_plan SLUG --format json|csv OUT` and `coop4int import_plan FILE`."""

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from coop4int.core.models import AuditEntry
from coop4int.localplans.exchange import EXPORTED, IMPORTED, export_plan
from coop4int.localplans.models import Plan
from coop4int.localplans.tests.factories import make_plan

pytestmark = pytest.mark.django_db


def delete_plan(plan: Plan) -> None:
    plan.measures.all().delete()
    plan.delete()


@pytest.mark.parametrize(("fmt", "name"), [("json", "plan.json"), ("csv", "plan.zip")])
def test_export_then_import_through_the_commands_gives_the_same_file(
    fmt: str, name: str, tmp_path: Path
) -> None:
    plan = make_plan(measures=2)
    out = tmp_path / name
    call_command("export_plan", plan.slug, "--format", fmt, str(out), stdout=io.StringIO())
    delete_plan(plan)
    printed = io.StringIO()

    call_command("import_plan", str(out), stdout=printed)

    assert printed.getvalue() == "praia-2025-2027\n"
    imported = Plan.objects.get(slug="praia-2025-2027")
    assert export_plan(imported, fmt) == out.read_bytes()  # type: ignore[arg-type]
    entry = AuditEntry.objects.get(action=IMPORTED)
    assert (entry.actor, entry.data["file"]) == (None, name)


def test_export_writes_the_audit_entry_of_an_export() -> None:
    plan = make_plan(measures=1)

    call_command("export_plan", plan.slug, "--format", "json", "-", stdout=io.StringIO())

    entry = AuditEntry.objects.get(action=EXPORTED)
    assert (entry.object_id, entry.data["format"]) == (str(plan.pk), "json")


def test_export_to_the_standard_output_writes_the_json_package() -> None:
    plan = make_plan(measures=1)
    out = io.StringIO()

    call_command("export_plan", plan.slug, "--format", "json", "-", stdout=out)

    assert out.getvalue().encode() == export_plan(plan, "json")
    assert json.loads(out.getvalue())["name"] == "local-plan-praia-2025-2027"


def test_export_to_the_standard_output_writes_bytes_when_it_takes_them(
    capfdbinary: pytest.CaptureFixture[bytes],
) -> None:
    plan = make_plan(measures=1)

    call_command("export_plan", plan.slug, "--format", "csv", "-")

    assert capfdbinary.readouterr().out == export_plan(plan, "csv")


def test_export_of_an_unknown_plan_fails() -> None:
    with pytest.raises(CommandError, match="No local plan has the short name 'nowhere'"):
        call_command("export_plan", "nowhere", "--format", "csv", "-")


def test_a_refused_import_lists_each_problem_on_stderr_and_saves_nothing(tmp_path: Path) -> None:
    plan = make_plan(measures=1)
    descriptor = json.loads(export_plan(plan, "json"))
    delete_plan(plan)
    tables = {resource["name"]: resource["data"] for resource in descriptor["resources"]}
    tables["plan"][0]["ends_year"] = 1800
    tables["measures"][0]["progress"] = -5
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(descriptor))
    errors = io.StringIO()

    with pytest.raises(CommandError, match=r"2 problem\(s\) in .*bad.json; nothing was imported"):
        call_command("import_plan", str(path), stdout=io.StringIO(), stderr=errors)

    assert errors.getvalue().splitlines() == [
        "Table plan, row 1, field ends_year: must be at least 1900.",
        "Table measures, row 1, field progress: must be at least 0.",
    ]
    assert not Plan.objects.exists()
    assert not AuditEntry.objects.filter(action=IMPORTED).exists()


def test_import_of_a_missing_file_fails(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_plan", str(tmp_path / "none.json"))
