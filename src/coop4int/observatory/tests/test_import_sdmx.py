"""Importing SDMX-CSV files, 1.0 and 2.0: checked whole before anything is saved."""

import csv
import io
from pathlib import Path

import pytest
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coop4int.core.models import AuditEntry
from coop4int.observatory.domain import datasets
from coop4int.observatory.domain.datasets import DatasetRefused, import_dataset, publish_dataset
from coop4int.observatory.enums import DatasetStatus, FileFormat
from coop4int.observatory.models import Dataset, Observation
from coop4int.observatory.sdmx_csv import ReadProblem, Record, SdmxCsvFile

SDMX_2 = """\
STRUCTURE,STRUCTURE_ID,ACTION,SEX,MUNICIPALITY,TIME_PERIOD,OBS_VALUE,OBS_STATUS,CONF_STATUS
dataflow,INE_CV:DF_FOREIGN(1.0),I,F,CV-PR,2021,2500,,F
dataflow,INE_CV:DF_FOREIGN(1.0),I,M,CV-PR,2021,3100,P,F
dataflow,INE_CV:DF_FOREIGN(1.0),A,F,CV-BR,2021,4,,C
dataflow,INE_CV:DF_FOREIGN(1.0),R,M,CV-BR,2021,,O,
"""

SDMX_1 = """\
DATAFLOW,SEX,MUNICIPALITY,TIME_PERIOD,OBS_VALUE,OBS_STATUS,UNIT_MEASURE,COMMENT_OBS
INE_CV:DF_FOREIGN(1.0),F,CV-PR,2010,2100,,PS,
INE_CV:DF_FOREIGN(1.0),F,CV-PR,2021,2500,E,PS,"A comment, with a comma"
"""


def write(tmp_path: Path, text: str, name: str = "foreign.sdmx.csv", **kwargs: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding=kwargs.get("encoding", "utf-8"), newline="")
    return path


def counts() -> tuple[int, int]:
    return Dataset.objects.count(), Observation.objects.count()


def observations(dataset: Dataset) -> dict[tuple[str, str], tuple[float | None, str, str]]:
    return {
        (o.key, o.period): (o.value, o.obs_status, o.conf_status)
        for o in dataset.observations.all()
    }


def refused(**kwargs: object) -> list[tuple[int | None, str | None, str]]:
    """The problems ``import_dataset(**kwargs)`` is refused with, in English."""
    with translation.override("en"), pytest.raises(DatasetRefused) as error:
        import_dataset(**kwargs)  # type: ignore[arg-type]
    return [(p.row, p.column, p.message) for p in error.value.problems]


class TestReading:
    def test_an_sdmx_csv_2_file_is_imported_as_a_draft(self, indicator, tmp_path):
        path = write(tmp_path, SDMX_2)

        dataset = import_dataset(path=path, indicator_code="FOREIGN_NATIONALS")

        assert dataset.public_id == "FOREIGN_NATIONALS-v1"
        assert dataset.status == DatasetStatus.DRAFT
        assert dataset.file_format == FileFormat.SDMX_CSV
        assert dataset.dimensions == ["SEX", "MUNICIPALITY"]
        assert dataset.structure == "INE_CV:DF_FOREIGN(1.0)"
        assert dataset.file_name == "foreign.sdmx.csv"
        assert len(dataset.file_sha256) == 64
        assert observations(dataset) == {
            ("F.CV-PR", "2021"): (2500.0, "", "F"),
            ("M.CV-PR", "2021"): (3100.0, "P", "F"),
            ("F.CV-BR", "2021"): (None, "", "C"),  # withheld: stored empty, flags kept
            ("M.CV-BR", "2021"): (None, "O", ""),
        }

    def test_an_sdmx_csv_1_file_is_imported_and_other_attributes_are_named(
        self, indicator, tmp_path
    ):
        heard: list[str] = []

        with translation.override("en"):
            dataset = import_dataset(
                path=write(tmp_path, SDMX_1),
                indicator_code="FOREIGN_NATIONALS",
                report=heard.append,
            )

        assert dataset.structure == "INE_CV:DF_FOREIGN(1.0)"
        assert observations(dataset) == {
            ("F.CV-PR", "2010"): (2100.0, "", ""),
            ("F.CV-PR", "2021"): (2500.0, "E", ""),
        }
        assert "Columns not kept: UNIT_MEASURE, COMMENT_OBS." in heard
        assert (dataset.period_start, dataset.period_end) == ("2010", "2021")

    def test_labels_in_headers_and_cells_are_read_as_codes(self, indicator, tmp_path):
        text = (
            "DATAFLOW,SEX: Sex,MUNICIPALITY: Municipality,TIME_PERIOD: Time,OBS_VALUE: Value,"
            "OBS_STATUS: Observation status\n"
            "INE_CV:DF_FOREIGN(1.0): Foreign nationals,F: Female,CV-PR: Praia,2021,2500,"
            "E: Estimated value\n"
        )

        dataset = import_dataset(path=write(tmp_path, text), indicator_code="FOREIGN_NATIONALS")

        assert dataset.dimensions == ["SEX", "MUNICIPALITY"]
        assert dataset.structure == "INE_CV:DF_FOREIGN(1.0)"
        assert observations(dataset) == {("F.CV-PR", "2021"): (2500.0, "E", "")}

    def test_a_byte_order_mark_and_semicolons_are_understood(self, indicator, tmp_path):
        text = SDMX_2.replace(",", ";")
        path = write(tmp_path, text, name="export.csv", encoding="utf-8-sig")

        dataset = import_dataset(path=path, indicator_code="FOREIGN_NATIONALS")

        assert dataset.observation_count == 4

    def test_unit_mult_scales_the_values(self, make_indicator, tmp_path):
        make_indicator("MIGRANT_STOCK", dimensions=["SEX"])
        text = (
            "DATAFLOW,SEX,TIME_PERIOD,OBS_VALUE,UNIT_MULT\n"
            "UN:DF_IMS(1.0),_T,2020,15.788,3\n"
            "UN:DF_IMS(1.0),M,2020,7985,\n"
        )

        dataset = import_dataset(path=write(tmp_path, text), indicator_code="MIGRANT_STOCK")

        assert observations(dataset) == {
            ("_T", "2020"): (15788.0, "", ""),
            ("M", "2020"): (7985.0, "", ""),
        }

    def test_a_single_valued_indicator_column_names_the_indicator(self, indicator, tmp_path):
        text = (
            "DATAFLOW,INDICATOR,SEX,MUNICIPALITY,TIME_PERIOD,OBS_VALUE\n"
            "X:DF(1.0),FOREIGN_NATIONALS,F,CV-PR,2021,1\n"
            "X:DF(1.0),FOREIGN_NATIONALS,M,CV-PR,2021,2\n"
        )

        dataset = import_dataset(path=write(tmp_path, text))

        assert dataset.indicator == indicator
        assert dataset.dimensions == ["SEX", "MUNICIPALITY"]

    def test_the_import_is_audited(self, indicator, tmp_path):
        dataset = import_dataset(path=write(tmp_path, SDMX_2), indicator_code="FOREIGN_NATIONALS")

        entry = AuditEntry.objects.get(action="observatory.dataset.imported")
        assert entry.object_id == str(dataset.pk)
        assert (entry.data["observations"], entry.data["withheld"]) == (4, 1)
        assert entry.data["file_sha256"] == dataset.file_sha256

    def test_the_provenance_comes_from_the_indicator_when_not_given(self, indicator, tmp_path):
        dataset = import_dataset(path=write(tmp_path, SDMX_2), indicator_code="FOREIGN_NATIONALS")

        assert dataset.source_name == "INE"
        assert dataset.licence == "CC-BY-4.0"


class TestRefusing:
    def test_a_bad_file_is_refused_with_line_column_and_reason_and_nothing_saved(
        self, indicator, tmp_path
    ):
        text = (
            SDMX_2
            + "dataflow,INE_CV:DF_FOREIGN(1.0),I,F,CV-SV,2021-Q5,1,,\n"
            + "dataflow,INE_CV:DF_FOREIGN(1.0),I,F,CV-SL,2021,1O,,\n"
            + "dataflow,INE_CV:DF_FOREIGN(1.0),I,F,CV SF,2021,1,,\n"
            + "dataflow,INE_CV:DF_FOREIGN(1.0),I,F,CV-MA,2021,1,Z,\n"
            + "dataflow,INE_CV:DF_FOREIGN(1.0),I,F,CV-MA,2021,1\n"
        )
        before = counts()

        problems = refused(path=write(tmp_path, text), indicator_code="FOREIGN_NATIONALS")

        assert [(line, column) for line, column, _message in problems] == [
            (6, "TIME_PERIOD"),
            (7, "OBS_VALUE"),
            (8, "MUNICIPALITY"),
            (9, "OBS_STATUS"),
            (10, None),
        ]
        assert "2021-Q5" in problems[0][2]
        assert "is not a number" in problems[1][2]
        assert "7 columns where the header has 9" in problems[4][2]
        assert counts() == before

    def test_duplicates_are_refused_naming_both_lines(self, indicator, tmp_path):
        text = SDMX_2 + "dataflow,INE_CV:DF_FOREIGN(1.0),I,M,CV-PR,2021,3000,,\n"
        before = counts()

        problems = refused(path=write(tmp_path, text), indicator_code="FOREIGN_NATIONALS")

        assert problems == [
            (
                6,
                "TIME_PERIOD",
                "The key M.CV-PR and period 2021 were given already on line 3.",
            )
        ]
        assert counts() == before

    def test_rows_whose_hashes_meet_are_compared_before_being_refused(
        self, indicator, tmp_path, monkeypatch
    ):
        """A hash collision never refuses a good file: every row here gets the same hash."""
        monkeypatch.setattr(datasets, "hash", lambda value: 0, raising=False)

        dataset = import_dataset(path=write(tmp_path, SDMX_2), indicator_code="FOREIGN_NATIONALS")
        duplicate = SDMX_2 + "dataflow,INE_CV:DF_FOREIGN(1.0),I,F,CV-BR,2021,3000,,\n"
        problems = refused(path=write(tmp_path, duplicate), indicator_code="FOREIGN_NATIONALS")

        assert dataset.observation_count == 4
        assert [(line, column) for line, column, _message in problems] == [(6, "TIME_PERIOD")]

    def test_deletions_are_refused(self, indicator, tmp_path):
        text = SDMX_2 + "dataflow,INE_CV:DF_FOREIGN(1.0),D,M,CV-PR,2021,,,\n"

        problems = refused(path=write(tmp_path, text), indicator_code="FOREIGN_NATIONALS")

        assert [(line, column) for line, column, _message in problems] == [(6, "ACTION")]
        assert "ACTION D" in problems[0][2]

    def test_one_structure_per_file(self, indicator, tmp_path):
        text = SDMX_2 + "dataflow,INE_CV:DF_OTHER(1.0),I,M,CV-SV,2021,1,,\n"

        problems = refused(path=write(tmp_path, text), indicator_code="FOREIGN_NATIONALS")

        assert [(line, column) for line, column, _message in problems] == [(6, "STRUCTURE_ID")]

    def test_a_file_without_time_period_is_refused(self, indicator, tmp_path):
        text = "DATAFLOW,SEX,OBS_VALUE\nX:DF(1.0),F,1\n"

        problems = refused(path=write(tmp_path, text), indicator_code="FOREIGN_NATIONALS")

        assert problems == [(1, "TIME_PERIOD", "The column TIME_PERIOD is missing.")]

    def test_an_sdmx_csv_2_header_needs_its_structure_columns(self, indicator, tmp_path):
        text = "STRUCTURE,SEX,TIME_PERIOD,OBS_VALUE\ndataflow,F,2021,1\n"

        problems = refused(path=write(tmp_path, text), indicator_code="FOREIGN_NATIONALS")

        assert [line for line, _column, _message in problems] == [1]

    def test_a_file_that_is_not_utf8_is_refused(self, indicator, tmp_path):
        path = tmp_path / "latin.sdmx.csv"
        path.write_bytes(SDMX_1.replace("comment", "coment\xe1rio").encode("latin-1"))

        problems = refused(path=path, indicator_code="FOREIGN_NATIONALS")

        assert problems[0][2] == "The file is not UTF-8 text."

    def test_several_indicators_in_one_file_are_refused(self, indicator, tmp_path):
        text = (
            "DATAFLOW,INDICATOR,SEX,MUNICIPALITY,TIME_PERIOD,OBS_VALUE\n"
            "X:DF(1.0),FOREIGN_NATIONALS,F,CV-PR,2021,1\n"
            "X:DF(1.0),FOREIGN_BORN,M,CV-PR,2021,2\n"
        )

        problems = refused(path=write(tmp_path, text))

        assert [(line, column) for line, column, _message in problems] == [(3, "INDICATOR")]
        assert "FOREIGN_BORN" in problems[0][2]

    def test_an_indicator_column_must_agree_with_the_one_asked(self, make_indicator, tmp_path):
        make_indicator("FOREIGN_BORN")
        text = (
            "DATAFLOW,INDICATOR,SEX,MUNICIPALITY,TIME_PERIOD,OBS_VALUE\n"
            "X:DF(1.0),FOREIGN_NATIONALS,F,CV-PR,2021,1\n"
        )

        problems = refused(path=write(tmp_path, text), indicator_code="FOREIGN_BORN")

        assert [(line, column) for line, column, _message in problems] == [(2, "INDICATOR")]

    def test_without_an_indicator_the_file_is_refused(self, indicator, tmp_path):
        problems = refused(path=write(tmp_path, SDMX_2))

        assert problems == [
            (None, None, "Say which indicator these figures are for, or add an INDICATOR column.")
        ]

    def test_an_unknown_indicator_is_refused(self, db, tmp_path):
        problems = refused(path=write(tmp_path, SDMX_2), indicator_code="NOPE")

        assert problems == [(None, None, "There is no indicator NOPE: create it first.")]

    def test_a_dimension_the_indicator_does_not_have_is_refused(self, make_indicator, tmp_path):
        make_indicator(dimensions=["SEX", "ISLAND"])

        problems = refused(path=write(tmp_path, SDMX_2), indicator_code="FOREIGN_NATIONALS")

        assert [(line, column) for line, column, _message in problems] == [(1, "MUNICIPALITY")]

    def test_an_unknown_format_is_refused(self, indicator, tmp_path):
        problems = refused(path=write(tmp_path, "a,b\n1,2\n", name="x.csv"))

        assert "format cannot be told" in problems[0][2]

    def test_only_twenty_problems_are_listed(self, indicator, tmp_path):
        lines = "".join(f"X:DF(1.0),F,CV-PR,bad{n},1\n" for n in range(50))
        text = "DATAFLOW,SEX,MUNICIPALITY,TIME_PERIOD,OBS_VALUE\n" + lines

        problems = refused(path=write(tmp_path, text), indicator_code="FOREIGN_NATIONALS")

        assert len(problems) == 20
        assert problems[-1][0] == 21


class TestVersions:
    def test_a_new_release_is_a_new_version_and_marks_revisions(self, indicator, tmp_path):
        first = import_dataset(path=write(tmp_path, SDMX_2), indicator_code="FOREIGN_NATIONALS")
        publish_dataset(dataset=first, actor=None)
        revised = SDMX_2.replace("3100,P", "3150,")
        second = import_dataset(
            path=write(tmp_path, revised, name="v2.sdmx.csv"), indicator_code="FOREIGN_NATIONALS"
        )

        published = publish_dataset(dataset=second, actor=None, revision_note="Final figures.")

        first.refresh_from_db()
        assert first.status == DatasetStatus.SUPERSEDED
        assert first.observations.get(key="M.CV-PR").value == 3100.0
        assert published.public_id == "FOREIGN_NATIONALS-v2"
        assert list(published.observations.filter(revised=True).values_list("key", flat=True)) == [
            "M.CV-PR"
        ]


# --- The reader, property-tested: what is written as SDMX-CSV 2.0 is read back the same --------

codes = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-", min_size=1, max_size=8)
periods = st.one_of(
    st.integers(1900, 2100).map(str),
    st.tuples(st.integers(1900, 2100), st.integers(1, 4)).map(lambda t: f"{t[0]}-Q{t[1]}"),
    st.tuples(st.integers(1900, 2100), st.integers(1, 12)).map(lambda t: f"{t[0]}-{t[1]:02d}"),
)
values = st.one_of(
    st.none(),
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    st.integers(-(10**9), 10**9),
)
statuses = st.sampled_from(["", "A", "E", "P"])


@st.composite
def sdmx_files(draw: st.DrawFn) -> tuple[list[str], list[Record]]:
    dimensions = draw(
        st.lists(st.sampled_from(["SEX", "AGE", "CITIZENSHIP", "MUNICIPALITY", "TOPIC"]),
                 unique=True, max_size=4)
    )  # fmt: skip
    keys = st.tuples(*[codes for _ in dimensions])
    pairs = draw(st.lists(st.tuples(keys, periods), unique=True, max_size=30))
    records = [
        Record(line, period, key, None if value is None else float(value), status, "")
        for line, ((key, period), value, status) in enumerate(
            zip(pairs, draw(st.lists(values, min_size=len(pairs), max_size=len(pairs))),
                draw(st.lists(statuses, min_size=len(pairs), max_size=len(pairs))), strict=True),
            start=2,
        )
    ]  # fmt: skip
    return dimensions, records


@settings(max_examples=50, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sdmx_files())
def test_sdmx_csv_2_written_is_read_back_the_same(tmp_path: Path, file: tuple) -> None:
    dimensions, records = file
    stream = io.StringIO()
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(["STRUCTURE", "STRUCTURE_ID", "ACTION", *dimensions, "TIME_PERIOD",
                     "OBS_VALUE", "OBS_STATUS"])  # fmt: skip
    for record in records:
        value = "" if record.value is None else repr(record.value)
        writer.writerow(["dataflow", "X:DF(1.0)", "I", *record.key, record.period, value,
                         record.obs_status])  # fmt: skip
    path = tmp_path / "generated.sdmx.csv"
    path.write_text(stream.getvalue(), encoding="utf-8")

    reader = SdmxCsvFile(path)
    read = list(reader.records())

    assert reader.dimensions == tuple(dimensions)
    assert not [item for item in read if isinstance(item, ReadProblem)]
    assert read == records
