"""Importing plain CSV described by a Frictionless Table Schema, or a data package."""

import json
from pathlib import Path

import pytest
from django.utils import translation

from coop4int.observatory.domain.datasets import DatasetRefused, import_dataset
from coop4int.observatory.enums import FileFormat
from coop4int.observatory.models import Dataset, Observation

DATA = """\
SEX,MUNICIPALITY,TIME_PERIOD,OBS_VALUE,OBS_STATUS,CONF_STATUS
F,CV-PR,2021,2500,,
M,CV-PR,2021,3100,P,
F,CV-BR,2021,4,,C
M,CV-BR,2021,NA,O,
"""

SCHEMA = {
    "fields": [
        {"name": "SEX", "type": "string", "constraints": {"required": True, "enum": ["F", "M"]}},
        {"name": "MUNICIPALITY", "type": "string", "constraints": {"required": True}},
        {"name": "TIME_PERIOD", "type": "string", "constraints": {"required": True}},
        {"name": "OBS_VALUE", "type": "integer", "constraints": {"minimum": 0}},
        {"name": "OBS_STATUS", "type": "string"},
        {"name": "CONF_STATUS", "type": "string"},
    ],
    "missingValues": ["", "NA"],
}

PACKAGE = {
    "name": "ine-foreign-nationals",
    "resources": [
        {
            "name": "foreign-nationals",
            "path": "foreign.csv",
            "format": "csv",
            "schema": SCHEMA,
        }
    ],
    "sources": [{"title": "INE Cabo Verde, RGPH 2021", "path": "https://ine.cv/"}],
    "licenses": [{"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/"}],
}


def csv_with_schema(tmp_path: Path, data: str = DATA, schema: dict | None = None) -> Path:
    path = tmp_path / "foreign.csv"
    path.write_text(data, encoding="utf-8")
    (tmp_path / "foreign.schema.json").write_text(json.dumps(schema or SCHEMA), encoding="utf-8")
    return path


def package(tmp_path: Path, data: str = DATA, **changes: object) -> Path:
    (tmp_path / "foreign.csv").write_text(data, encoding="utf-8")
    path = tmp_path / "datapackage.json"
    path.write_text(json.dumps(PACKAGE | changes), encoding="utf-8")
    return path


def counts() -> tuple[int, int]:
    return Dataset.objects.count(), Observation.objects.count()


def refused(**kwargs: object) -> list[tuple[int | None, str | None, str]]:
    with translation.override("en"), pytest.raises(DatasetRefused) as error:
        import_dataset(**kwargs)  # type: ignore[arg-type]
    return [(p.row, p.column, p.message) for p in error.value.problems]


EXPECTED = {
    ("F.CV-PR", "2021"): (2500.0, "", ""),
    ("M.CV-PR", "2021"): (3100.0, "P", ""),
    ("F.CV-BR", "2021"): (None, "", "C"),
    ("M.CV-BR", "2021"): (None, "O", ""),
}


def observations(dataset: Dataset) -> dict[tuple[str, str], tuple[float | None, str, str]]:
    return {
        (o.key, o.period): (o.value, o.obs_status, o.conf_status)
        for o in dataset.observations.all()
    }


def test_a_csv_file_with_its_schema_beside_it_is_imported(indicator, tmp_path):
    dataset = import_dataset(path=csv_with_schema(tmp_path), indicator_code="FOREIGN_NATIONALS")

    assert dataset.file_format == FileFormat.CSV
    assert dataset.dimensions == ["SEX", "MUNICIPALITY"]
    assert dataset.file_name == "foreign.csv"
    assert observations(dataset) == EXPECTED


def test_a_data_package_is_imported_with_its_provenance(indicator, tmp_path):
    dataset = import_dataset(path=package(tmp_path), indicator_code="FOREIGN_NATIONALS")

    assert observations(dataset) == EXPECTED
    assert dataset.source_name == "INE Cabo Verde, RGPH 2021"
    assert dataset.source_url == "https://ine.cv/"
    assert dataset.licence == "CC-BY-4.0"


def test_a_type_error_is_reported_with_its_line_and_column_and_nothing_saved(indicator, tmp_path):
    data = DATA + "F,CV-SV,2021,many,,\n"
    before = counts()

    problems = refused(path=csv_with_schema(tmp_path, data), indicator_code="FOREIGN_NATIONALS")

    assert problems[0] == (6, "OBS_VALUE", "“many” is not of the column's type (integer).")
    assert counts() == before


def test_a_broken_constraint_is_reported_with_its_line_and_column(indicator, tmp_path):
    data = DATA + "X,CV-SV,2021,1,,\n" + "F,,2021,1,,\n"

    problems = refused(path=package(tmp_path, data), indicator_code="FOREIGN_NATIONALS")

    assert [(line, column) for line, column, _message in problems[:2]] == [
        (6, "SEX"),
        (7, "MUNICIPALITY"),
    ]
    assert problems[0][2].startswith("“X” breaks a rule of the column")


def test_the_platforms_own_checks_apply_too(indicator, tmp_path):
    data = DATA + "F,CV-SV,2021-Q9,1,,\n" + "F,CV-PR,2021,1,,\n"

    problems = refused(path=csv_with_schema(tmp_path, data), indicator_code="FOREIGN_NATIONALS")

    assert [(line, column) for line, column, _message in problems] == [
        (6, "TIME_PERIOD"),
        (7, "TIME_PERIOD"),  # the key and period of line 2 again
    ]


def test_a_schema_without_the_value_is_refused(indicator, tmp_path):
    schema = {"fields": [field for field in SCHEMA["fields"] if field["name"] != "OBS_VALUE"]}

    problems = refused(path=csv_with_schema(tmp_path, schema=schema), indicator_code="X")

    assert problems == [(1, "OBS_VALUE", "The schema has no field OBS_VALUE.")]


def test_a_csv_file_without_a_schema_is_refused(indicator, tmp_path):
    path = tmp_path / "foreign.csv"
    path.write_text(DATA, encoding="utf-8")

    problems = refused(path=path, file_format=FileFormat.CSV, indicator_code="FOREIGN_NATIONALS")

    assert "foreign.schema.json" in problems[0][2]


def test_a_table_outside_the_packages_folder_is_refused(indicator, tmp_path):
    folder = tmp_path / "package"
    folder.mkdir()
    (tmp_path / "secret.csv").write_text(DATA, encoding="utf-8")
    path = folder / "datapackage.json"
    resource = PACKAGE["resources"][0] | {"path": "../secret.csv"}  # type: ignore[index]
    path.write_text(json.dumps(PACKAGE | {"resources": [resource]}), encoding="utf-8")

    problems = refused(path=path, indicator_code="FOREIGN_NATIONALS")

    assert len(problems) == 1
    assert counts() == (0, 0)
