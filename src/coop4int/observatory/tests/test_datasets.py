"""Storing, publishing and discarding dataset versions."""

from datetime import UTC, datetime

import pytest
from django.utils import translation

from coop4int.accounts.enums import Role
from coop4int.core.models import AuditEntry
from coop4int.observatory.domain.datasets import (
    DatasetRefused,
    Provenance,
    Row,
    discard_dataset,
    period_sort_key,
    period_start,
    publish_dataset,
    store_dataset,
    transition_dataset,
)
from coop4int.observatory.enums import DatasetOrigin, DatasetStatus, FileFormat
from coop4int.observatory.models import Dataset, Observation

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)

CENSUS = [
    ("2021", ("F", "CV-PR"), 2500.0),
    ("2021", ("M", "CV-PR"), 3100.0),
    ("2021", ("_T", "CV-PR"), 5600.0, "P"),
    ("2010", ("_T", "CV-PR"), 4100.0),
]


def store(indicator, rows, **fields):  # type: ignore[no-untyped-def]
    return store_dataset(
        indicator=indicator,
        dimensions=fields.pop("dimensions", ("SEX", "MUNICIPALITY")),
        rows=[row if isinstance(row, Row) else Row(*row) for row in rows],
        provenance=fields.pop("provenance", Provenance(source_name="INE, RGPH 2021")),
        origin=DatasetOrigin.IMPORTED,
        actor=fields.pop("actor", None),
        file_format=FileFormat.SDMX_CSV,
        **fields,
    )


def counts() -> tuple[int, int]:
    return Dataset.objects.count(), Observation.objects.count()


def messages(error: pytest.ExceptionInfo[DatasetRefused]) -> list[tuple[int | None, str | None]]:
    return [(problem.row, problem.column) for problem in error.value.problems]


class TestStoring:
    def test_a_first_import_is_draft_version_one_with_its_observations(self, indicator):
        dataset = store(indicator, CENSUS, file_name="census.csv", file_sha256="ab" * 32)

        assert dataset.public_id == "FOREIGN_NATIONALS-v1"
        assert dataset.version == 1
        assert dataset.status == DatasetStatus.DRAFT
        assert dataset.dimensions == ["SEX", "MUNICIPALITY"]
        assert dataset.observation_count == 4
        assert (dataset.period_start, dataset.period_end) == ("2010", "2021")
        stored = {(o.key, o.period): (o.value, o.obs_status) for o in dataset.observations.all()}
        assert stored == {
            ("F.CV-PR", "2021"): (2500.0, ""),
            ("M.CV-PR", "2021"): (3100.0, ""),
            ("_T.CV-PR", "2021"): (5600.0, "P"),
            ("_T.CV-PR", "2010"): (4100.0, ""),
        }

    def test_the_import_is_audited_with_its_counts(self, indicator, make_staff, unit):
        analyst = make_staff(Role.ANALYST, unit)
        dataset = store(indicator, [*CENSUS, ("2000", ("_T", "CV-PR"), None)], actor=analyst)

        entry = AuditEntry.objects.get(action="observatory.dataset.imported")
        assert entry.object_id == str(dataset.pk)
        assert entry.actor == analyst
        assert entry.data["observations"] == 5
        assert entry.data["missing"] == 1
        assert entry.data["version"] == 1
        assert dataset.created_by == analyst

    def test_a_withheld_value_is_stored_empty_with_its_flags(self, indicator):
        dataset = store(indicator, [("2021", ("F", "CV-BR"), 3.0, "A", "C")])

        observation = dataset.observations.get()
        assert observation.value is None
        assert (observation.obs_status, observation.conf_status) == ("A", "C")

    def test_a_free_value_keeps_its_figure(self, indicator):
        dataset = store(indicator, [("2021", ("F", "CV-BR"), 3.0, "", "F")])

        assert dataset.observations.get().value == 3.0

    def test_a_duplicate_key_and_period_refuses_everything(self, indicator):
        before = counts()
        rows = [*CENSUS, ("2021", ("F", "CV-PR"), 1.0)]

        with translation.override("en"), pytest.raises(DatasetRefused) as error:
            store(indicator, rows)

        assert counts() == before
        (problem,) = error.value.problems
        assert problem.row == 6  # the fifth row, after a header line
        assert "F.CV-PR" in problem.message
        assert "line 2" in problem.message

    def test_a_duplicate_across_batches_is_found_and_refuses_everything(
        self, indicator, monkeypatch
    ):
        monkeypatch.setattr("coop4int.observatory.domain.datasets.BATCH", 2)
        before = counts()

        with pytest.raises(DatasetRefused) as error:
            store(indicator, [*CENSUS, ("2010", ("_T", "CV-PR"), 1.0)])

        assert counts() == before
        assert messages(error) == [(6, "TIME_PERIOD")]

    @pytest.mark.parametrize(
        ("row", "column"),
        [
            (("21", ("F", "CV-PR"), 1.0), "TIME_PERIOD"),
            (("2021-Q5", ("F", "CV-PR"), 1.0), "TIME_PERIOD"),
            (("2021-02-30", ("F", "CV-PR"), 1.0), "TIME_PERIOD"),
            (("2021", ("F", "CV PR"), 1.0), "MUNICIPALITY"),
            (("2021", ("F.X", "CV-PR"), 1.0), "SEX"),
            (("2021", ("", "CV-PR"), 1.0), "SEX"),
            (("2021", ("F", "CV-PR"), float("nan")), "OBS_VALUE"),
            (("2021", ("F", "CV-PR"), 1.0, "Z"), "OBS_STATUS"),
            (("2021", ("F", "CV-PR"), 1.0, "", "X"), "CONF_STATUS"),
            (("2021", ("F",), 1.0), None),
        ],
    )
    def test_a_bad_row_is_refused_with_its_line_and_column(self, indicator, row, column):
        before = counts()

        with pytest.raises(DatasetRefused) as error:
            store(indicator, [CENSUS[0], row])

        assert messages(error) == [(3, column)]
        assert counts() == before

    def test_every_problem_is_listed_up_to_twenty(self, indicator):
        rows = [("bad", ("F", f"C{n}"), 1.0) for n in range(30)]

        with pytest.raises(DatasetRefused) as error:
            store(indicator, rows)

        assert len(error.value.problems) == 20

    def test_bad_dimension_ids_are_refused(self, indicator):
        with pytest.raises(DatasetRefused) as error:
            store(indicator, [], dimensions=("SEX", "SEX", "9X", "OBS_VALUE"))

        assert [p.column for p in error.value.problems] == ["SEX", "9X", "OBS_VALUE"]

    def test_a_source_is_required(self, indicator):
        with pytest.raises(DatasetRefused):
            store(indicator, CENSUS, provenance=Provenance(source_name=" "))

    def test_a_new_version_never_overwrites_the_old_one(self, indicator):
        first = store(indicator, CENSUS)
        second = store(indicator, [("2021", ("F", "CV-PR"), 2600.0)])

        assert (first.version, second.version) == (1, 2)
        assert second.public_id == "FOREIGN_NATIONALS-v2"
        assert first.observations.count() == 4
        assert first.observations.get(key="F.CV-PR", period="2021").value == 2500.0

    def test_a_discarded_version_keeps_its_number(self, indicator):
        discard_dataset(dataset=store(indicator, CENSUS), actor=None)

        assert store(indicator, CENSUS).version == 2

    def test_provenance_is_kept(self, indicator):
        provenance = Provenance(
            source_name="UN DESA",
            source_url="https://www.un.org/development/desa/pd/",
            licence="CC-BY-3.0-IGO",
            retrieved_on=datetime(2026, 11, 2, tzinfo=UTC).date(),
            note="International Migrant Stock 2020",
        )
        dataset = store(indicator, CENSUS, provenance=provenance, structure="UN:DF_IMS(1.0)")

        assert dataset.source_url == provenance.source_url
        assert dataset.licence == "CC-BY-3.0-IGO"
        assert dataset.retrieved_on == provenance.retrieved_on
        assert dataset.provenance_note == provenance.note
        assert dataset.structure == "UN:DF_IMS(1.0)"


class TestPeriods:
    @pytest.mark.parametrize(
        "period",
        ["2021", "2021-A1", "2021-S2", "2021-T3", "2026-Q3", "2021-M07", "2021-07", "2020-W53",
         "2021-D365", "2021-07-14", "2021-01-01/P3M", "2021/P1Y", "2021-01-01/PT12H"],
    )  # fmt: skip
    def test_sdmx_periods_are_understood(self, period):
        assert period_start(period) is not None

    @pytest.mark.parametrize(
        "period", ["", "21", "2021-Q0", "2021-13", "2021-W54", "2021-D366", "2021/P", "2021-1"]
    )
    def test_other_texts_are_not_periods(self, period):
        assert period_start(period) is None

    def test_periods_sort_in_time_order(self):
        periods = ["2021-07", "2020", "2021-Q3", "2021", "2021-S1", "2019-W01", "2021-Q1"]

        assert sorted(periods, key=period_sort_key) == [
            "2019-W01", "2020", "2021", "2021-S1", "2021-Q1", "2021-Q3", "2021-07"
        ]  # fmt: skip

    def test_first_and_last_periods_follow_time_not_text(self, indicator):
        dataset = store(
            indicator,
            [("2021-Q4", ("F", "CV-PR"), 1.0), ("2022-Q1", ("F", "CV-PR"), 1.0),
             ("2021-Q2", ("F", "CV-PR"), 1.0)],
        )  # fmt: skip

        assert (dataset.period_start, dataset.period_end) == ("2021-Q2", "2022-Q1")


class TestPublishing:
    def test_publishing_the_first_version(self, indicator, make_staff, unit):
        analyst = make_staff(Role.ANALYST, unit)
        draft = store(indicator, CENSUS)

        published = publish_dataset(dataset=draft, actor=analyst, now=NOW)

        assert published.status == DatasetStatus.PUBLISHED
        assert (published.published_at, published.published_by) == (NOW, analyst)
        assert published.replaces is None
        assert published.revised_count == 0
        entry = AuditEntry.objects.get(action="observatory.dataset.published")
        assert entry.data["version"] == 1

    def test_a_second_version_needs_a_note(self, indicator):
        publish_dataset(dataset=store(indicator, CENSUS), actor=None, now=NOW)
        second = store(indicator, CENSUS)

        with pytest.raises(DatasetRefused):
            publish_dataset(dataset=second, actor=None, revision_note="  ", now=NOW)

        second.refresh_from_db()
        assert second.status == DatasetStatus.DRAFT
        assert Dataset.objects.get(version=1).status == DatasetStatus.PUBLISHED

    def test_publishing_a_second_version_supersedes_the_first_and_marks_revisions(self, indicator):
        first = publish_dataset(dataset=store(indicator, CENSUS), actor=None, now=NOW)
        second = store(
            indicator,
            [
                ("2021", ("F", "CV-PR"), 2500.0),  # unchanged
                ("2021", ("M", "CV-PR"), 3150.0),  # revised
                ("2021", ("_T", "CV-PR"), 5650.0, "", "C"),  # now withheld
                ("2010", ("_T", "CV-PR"), 4100.0),  # unchanged
                ("2022", ("_T", "CV-PR"), 5800.0),  # new
            ],
        )

        published = publish_dataset(
            dataset=second, actor=None, revision_note="Final census figures.", now=NOW
        )

        first.refresh_from_db()
        assert first.status == DatasetStatus.SUPERSEDED
        assert published.replaces == first
        assert published.revision_note == "Final census figures."
        assert published.revised_count == 2
        revised = set(published.observations.filter(revised=True).values_list("key", "period"))
        assert revised == {("M.CV-PR", "2021"), ("_T.CV-PR", "2021")}
        assert not first.observations.filter(revised=True).exists()

    def test_a_value_that_becomes_missing_is_revised(self, indicator):
        publish_dataset(dataset=store(indicator, CENSUS[:1]), actor=None, now=NOW)
        second = store(indicator, [("2021", ("F", "CV-PR"), None, "O")])

        published = publish_dataset(dataset=second, actor=None, revision_note="x", now=NOW)

        assert published.revised_count == 1

    def test_a_published_version_cannot_be_published_again_or_discarded(self, indicator):
        published = publish_dataset(dataset=store(indicator, CENSUS), actor=None, now=NOW)

        with pytest.raises(DatasetRefused):
            publish_dataset(dataset=published, actor=None, now=NOW)
        with pytest.raises(DatasetRefused):
            discard_dataset(dataset=published, actor=None)
        assert published.observations.count() == 4

    def test_only_the_transition_table_moves_a_status(self, indicator):
        draft = store(indicator, CENSUS)

        with pytest.raises(DatasetRefused):
            transition_dataset(dataset=draft, to=DatasetStatus.SUPERSEDED)

        assert Dataset.objects.get(pk=draft.pk).status == DatasetStatus.DRAFT


class TestDiscarding:
    def test_discarding_a_draft_deletes_its_observations(self, indicator):
        draft = store(indicator, CENSUS)

        discarded = discard_dataset(dataset=draft, actor=None)

        assert discarded.status == DatasetStatus.DISCARDED
        assert not Observation.objects.filter(dataset=draft).exists()
        entry = AuditEntry.objects.get(action="observatory.dataset.discarded")
        assert entry.data["observations"] == 4

    def test_a_discarded_draft_cannot_be_published(self, indicator):
        discarded = discard_dataset(dataset=store(indicator, CENSUS), actor=None)

        with pytest.raises(DatasetRefused):
            publish_dataset(dataset=discarded, actor=None, now=NOW)
