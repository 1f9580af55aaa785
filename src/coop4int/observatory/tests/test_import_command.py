"""`coop4int import_dataset`: the last word is the dataset's id; a refused file exits non-zero
(CommandError) and saves nothing."""

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from coop4int.observatory.enums import DatasetStatus
from coop4int.observatory.models import Dataset, Observation

SDMX = """\
STRUCTURE,STRUCTURE_ID,ACTION,SEX,MUNICIPALITY,TIME_PERIOD,OBS_VALUE,OBS_STATUS
dataflow,INE_CV:DF_FOREIGN(1.0),I,F,CV-PR,2021,2500,
dataflow,INE_CV:DF_FOREIGN(1.0),I,M,CV-PR,2021,3100,P
"""
BAD = SDMX + "dataflow,INE_CV:DF_FOREIGN(1.0),I,M,CV-BR,2021,lots,\n"


def write(tmp_path: Path, text: str, name: str = "foreign.sdmx.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_dataset", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def counts() -> tuple[int, int]:
    return Dataset.objects.count(), Observation.objects.count()


def test_the_last_word_printed_is_the_datasets_id(indicator, tmp_path):
    out, _err = run(str(write(tmp_path, SDMX)), "--indicator", "FOREIGN_NATIONALS")

    dataset = Dataset.objects.get()
    assert out.split()[-1] == dataset.public_id == "FOREIGN_NATIONALS-v1"
    assert dataset.status == DatasetStatus.DRAFT
    assert "2 observations checked" in out


def test_provenance_options_are_kept(indicator, tmp_path):
    run(
        str(write(tmp_path, SDMX)),
        "--indicator=FOREIGN_NATIONALS",
        "--source=INE Cabo Verde",
        "--source-url=https://ine.cv/",
        "--licence=CC-BY-SA-4.0",
        "--retrieved=2026-12-06",
        "--note=Census table.",
        "--format=sdmx-csv",
    )

    dataset = Dataset.objects.get()
    assert (dataset.source_name, dataset.source_url, dataset.licence) == (
        "INE Cabo Verde",
        "https://ine.cv/",
        "CC-BY-SA-4.0",
    )
    assert str(dataset.retrieved_on) == "2026-12-06"
    assert dataset.provenance_note == "Census table."


def test_publish_publishes_at_once(indicator, tmp_path):
    path = str(write(tmp_path, SDMX))
    run(path, "--indicator", "FOREIGN_NATIONALS", "--publish")

    out, _err = run(
        path, "--indicator", "FOREIGN_NATIONALS", "--publish", "--revision-note", "Again."
    )

    assert out.split()[-1] == "FOREIGN_NATIONALS-v2"
    assert dict(Dataset.objects.values_list("version", "status")) == {
        1: DatasetStatus.SUPERSEDED,
        2: DatasetStatus.PUBLISHED,
    }


def test_a_refused_file_is_explained_and_nothing_is_saved(indicator, tmp_path):
    before = counts()
    err = io.StringIO()

    with pytest.raises(CommandError, match="1 problem") as error:
        call_command(
            "import_dataset",
            str(write(tmp_path, BAD)),
            "--indicator=FOREIGN_NATIONALS",
            stdout=io.StringIO(),
            stderr=err,
        )

    assert error.value.returncode != 0  # the exit status from the command line
    assert "Line 4, column OBS_VALUE: “lots” is not a number" in err.getvalue()
    assert counts() == before


def test_publishing_refused_saves_nothing_either(indicator, tmp_path):
    path = str(write(tmp_path, SDMX))
    run(path, "--indicator", "FOREIGN_NATIONALS", "--publish")
    before = counts()

    with pytest.raises(CommandError):
        run(path, "--indicator", "FOREIGN_NATIONALS", "--publish")  # no revision note

    assert counts() == before
