"""What an indicator's page shows: comparisons across the years and across the values of a
dimension, held at the source's totals by default, built only from published figures (never
a sum made here), with withheld figures, status flags and revisions shown for what they are;
and the words (``labels``) and reads (``queries``) it is made of."""

import pytest
from django.http import Http404
from django.utils import translation

from coop4int.observatory import labels
from coop4int.observatory.domain import queries
from coop4int.observatory.domain.figures import (
    ACROSS_YEARS,
    MAX_BARS,
    IndicatorFigures,
    format_value,
    headline,
)
from coop4int.observatory.enums import Concept, DatasetOrigin, DatasetStatus, UnitOfMeasure
from coop4int.observatory.models import Dataset, Indicator, Observation

FOREIGN = Indicator(
    code="FOREIGN_NATIONALS", names={"en": "Foreign nationals"}, concept=Concept.FOREIGN_NATIONALS
)


def dataset(*dimensions: str, origin: str = DatasetOrigin.IMPORTED) -> Dataset:
    return Dataset(
        public_id="FOREIGN_NATIONALS-v1",
        indicator=FOREIGN,
        version=1,
        origin=origin,
        dimensions=list(dimensions),
    )


def row(period, key, value, obs_status="", conf_status="", revised=False):
    return (period, key, value, obs_status, conf_status, revised)


# Sex × municipality over three years, with the source's totals.
ROWS = [
    row("2019", "_T._T", 9000.0),
    row("2020", "_T._T", 9500.0, obs_status="B"),
    row("2021", "_T._T", 10875.0, obs_status="P", revised=True),
    row("2021", "F._T", 5100.0),
    row("2021", "M._T", 5775.0),
    row("2021", "_T.CV-PR", 6200.0),
    row("2021", "_T.CV-SL", 2100.0, obs_status="E"),
    row("2021", "_T.CV-BV", 1900.0),
    row("2021", "_T.CV-BR", None, conf_status="C"),
    row("2021", "F.CV-PR", 3000.0),
    row("2021", "F.CV-SL", 1000.0),
    row("2020", "_T.CV-PR", 5900.0),
]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def figures_of(rows=ROWS, *dimensions: str, origin: str = DatasetOrigin.IMPORTED):
    return IndicatorFigures(
        indicator=FOREIGN,
        dataset=dataset(*(dimensions or ("SEX", "MUNICIPALITY")), origin=origin),
        rows=rows,
    )


def texts(comparison):
    return [(figure.label, figure.text) for figure in comparison.figures]


def test_the_dimensions_offer_the_codes_the_data_holds_the_total_first():
    figures = figures_of()
    sex, municipality = figures.dimensions
    assert sex.label == "Sex"
    assert sex.values == [("_T", "Total"), ("F", "Women"), ("M", "Men")]
    assert municipality.label == "Municipality"
    assert municipality.codes[0] == "_T"
    assert [label for _code, label in municipality.values[1:]] == [
        "Boa Vista",
        "Brava",
        "Praia",
        "Sal",
    ]
    assert figures.periods == ["2019", "2020", "2021"]
    assert figures.comparisons() == [
        (ACROSS_YEARS, "Years"),
        ("SEX", "Sex"),
        ("MUNICIPALITY", "Municipality"),
    ]


def test_by_default_the_years_are_compared_at_the_source_totals():
    figures = figures_of()
    selection = figures.selection()
    assert selection.compare == ACROSS_YEARS
    assert dict(selection.filters) == {"SEX": "_T", "MUNICIPALITY": "_T"}
    comparison = figures.comparison(selection, name="Foreign nationals")
    assert comparison.kind == "line"
    assert comparison.title == "Foreign nationals, 2019 to 2021"
    assert texts(comparison) == [("2019", "9,000"), ("2020", "9,500"), ("2021", "10,875")]


def test_a_year_without_a_figure_for_the_choice_is_not_available_not_zero():
    figures = figures_of()
    selection = figures.selection(filters={"MUNICIPALITY": "CV-PR"})
    comparison = figures.comparison(selection, name="Foreign nationals")
    assert texts(comparison) == [
        ("2019", "not available"),
        ("2020", "5,900"),
        ("2021", "6,200"),
    ]
    assert comparison.figures[0].value is None
    assert comparison.title == "Foreign nationals (Municipality: Praia), 2019 to 2021"


def test_municipalities_are_compared_largest_first_with_the_source_total_apart():
    figures = figures_of()
    selection = figures.selection(compare="MUNICIPALITY")
    assert selection.period == "2021"
    comparison = figures.comparison(selection, name="Foreign nationals")
    assert comparison.kind == "bar"
    assert comparison.title == "Foreign nationals by Municipality, 2021"
    assert texts(comparison) == [
        ("Praia", "6,200"),
        ("Sal", "2,100"),
        ("Boa Vista", "1,900"),
        ("Brava", "confidential"),
    ]
    assert comparison.total is not None
    assert comparison.total.text == "10,875"
    assert comparison.total.label == "Total"


def test_no_total_is_made_up_when_the_source_published_none():
    # Women by municipality: the source gave Praia and Sal, and no total of women by
    # municipality for 2020 — nor, here, for 2021 under "F._T"? It did: 5,100.
    figures = figures_of()
    comparison = figures.comparison(
        figures.selection(compare="MUNICIPALITY", filters={"SEX": "F"}), name="Foreign nationals"
    )
    assert texts(comparison) == [("Praia", "3,000"), ("Sal", "1,000")]
    assert comparison.total is not None
    assert comparison.total.value == 5100.0
    without_totals = [r for r in ROWS if not r[1].endswith("._T")]
    figures = figures_of(without_totals)
    comparison = figures.comparison(
        figures.selection(compare="MUNICIPALITY", filters={"SEX": "F"}), name="Foreign nationals"
    )
    assert comparison.total is None  # 3,000 + 1,000 is never shown as a total
    assert [f.value for f in comparison.all_figures] == [3000.0, 1000.0]


def test_a_dimension_without_a_total_is_held_at_its_first_value():
    rows = [row("2021", "F", 7803.0), row("2021", "M", 7985.0)]
    figures = figures_of(rows, "SEX")
    selection = figures.selection()
    assert selection.compare == "SEX"  # one period: the sexes are compared
    over_years = figures_of([*rows, row("2020", "F", 7700.0)], "SEX").selection()
    assert over_years.compare == ACROSS_YEARS
    assert dict(over_years.filters) == {"SEX": "F"}
    comparison = figures.comparison(selection, name="Migrant stock")
    assert texts(comparison) == [("Women", "7,803"), ("Men", "7,985")]  # their own order
    assert comparison.total is None


def test_a_choice_not_in_the_data_falls_back_to_the_default():
    figures = figures_of()
    selection = figures.selection(
        compare="AGE", filters={"SEX": "X", "MUNICIPALITY": "CV-XX"}, period="1999"
    )
    assert selection.compare == ACROSS_YEARS
    assert dict(selection.filters) == {"SEX": "_T", "MUNICIPALITY": "_T"}


def test_the_period_of_a_comparison_is_the_last_with_figures_for_it():
    rows = [*ROWS, row("2022", "_T._T", 11000.0)]
    figures = figures_of(rows)
    assert figures.selection(compare="MUNICIPALITY").period == "2021"
    assert figures.selection(compare="MUNICIPALITY", period="2020").period == "2020"


def test_flags_and_revisions_are_marked_and_explained():
    figures = figures_of()
    comparison = figures.comparison(figures.selection(), name="Foreign nationals")
    last = comparison.figures[-1]
    assert last.marks == ("p", "r")
    assert last.revised
    assert comparison.figures[1].marks == ("b",)
    notes = [(note.mark, note.text) for note in figures.notes(comparison)]
    assert notes == [
        ("b", "Break in the series"),
        ("p", "Provisional value"),
        ("r", "Revised: the figure differs from the one the previous version gave."),
    ]
    assert figures.breaks == ["2020"]


def test_a_withheld_source_figure_reads_confidential_with_its_note():
    figures = figures_of()
    comparison = figures.comparison(figures.selection(compare="MUNICIPALITY"), name="x")
    brava = comparison.figures[-1]
    assert brava.withheld
    assert brava.value is None
    notes = [note.text for note in figures.notes(comparison)]
    assert "“Confidential”: the source did not publish the figure." in notes
    assert ("e", "Estimated value") in [(n.mark, n.text) for n in figures.notes(comparison)]


def test_a_withheld_platform_figure_reads_fewer_than_the_small_cell(settings):
    settings.STATISTICS_SMALL_CELL = 5
    rows = [
        row("2026-Q3", "_T", 40.0),
        row("2026-Q3", "walk_in", 25.0),
        row("2026-Q3", "email", 15.0),
        row("2026-Q3", "sms", None, conf_status="A"),
        row("2026-Q3", "whatsapp", None, conf_status="D"),
    ]
    figures = figures_of(rows, "CHANNEL", origin=DatasetOrigin.PLATFORM)
    comparison = figures.comparison(figures.selection(), name="Contacts")
    assert figures.selection().compare == "CHANNEL"
    assert texts(comparison) == [
        ("Walk-in", "25"),
        ("E-mail", "15"),
        ("SMS", "fewer than 5"),
        ("WhatsApp", "withheld"),
    ]
    assert comparison.title == "Contacts by Channel, 3rd quarter 2026"


def test_a_withheld_platform_median_is_withheld_whatever_its_size():
    median = Indicator(code="WAIT", names={}, unit_measure=UnitOfMeasure.DAYS, decimals=1)
    rows = [
        row("2026-Q3", "_T", 12.5),
        row("2026-Q3", "maio", 3.0),
        row("2026-Q3", "sal", None, "Q", "C"),
    ]
    figures = IndicatorFigures(
        indicator=median,
        dataset=Dataset(
            public_id="WAIT-v1",
            indicator=median,
            version=1,
            origin=DatasetOrigin.PLATFORM,
            dimensions=["ISLAND"],
        ),
        rows=rows,
    )
    comparison = figures.comparison(figures.selection(compare="ISLAND"), name="Waiting time")
    assert texts(comparison) == [("Maio", "3.0"), ("Sal", "withheld")]
    assert comparison.figures[1].marks == ()
    assert comparison.total is not None
    assert comparison.total.text == "12.5"


def test_the_chart_keeps_the_largest_bars_and_the_table_all():
    rows = [row("2021", f"C{n:02d}", float(n)) for n in range(1, MAX_BARS + 6)]
    figures = figures_of(rows, "CITIZENSHIP")
    comparison = figures.comparison(figures.selection(), name="x")
    assert len(comparison.figures) == MAX_BARS + 5
    assert len(comparison.charted) == MAX_BARS
    assert comparison.truncated
    assert comparison.charted[0].value == MAX_BARS + 5


def test_nationalities_are_named_in_the_page_language():
    rows = [row("2021", "GN", 10.0), row("2021", "SN", 20.0), row("2021", "_U", 30.0)]
    with translation.override("fr"):
        figures = figures_of(rows, "CITIZENSHIP")
        comparison = figures.comparison(figures.selection(), name="x")
        # Largest first, the unknown last whatever its size.
        assert [f.label for f in comparison.figures][:2] == ["Sénégal", "Guinée"]
        assert comparison.figures[-1].code == "_U"


def test_a_dataset_without_dimensions_has_one_series():
    rows = [row("2021", "", 491233.0)]
    figures = IndicatorFigures(indicator=FOREIGN, dataset=dataset(), rows=rows)
    selection = figures.selection()
    assert selection.compare == ACROSS_YEARS
    assert dict(selection.filters) == {}
    assert texts(figures.comparison(selection, name="x")) == [("2021", "491,233")]


def test_values_are_written_with_the_indicator_decimals_and_unit():
    with translation.override("pt"):
        assert format_value(2.84, decimals=2, unit=UnitOfMeasure.PERCENT) == "2,84%"
        assert format_value(10875, decimals=0) == "10\xa0875"
    with translation.override("fr"):
        assert format_value(2.2, decimals=1, unit=UnitOfMeasure.PERCENT) == "2,2\xa0%"
    assert format_value(2.2, decimals=1, unit=UnitOfMeasure.PERCENT) == "2.2%"


def test_the_headline_is_the_latest_total_the_source_published():
    figure = headline(indicator=FOREIGN, dataset=dataset(), row=row("2021", "_T._T", 10875.0))
    assert figure is not None
    assert figure.text == "10,875"
    assert figure.label == "2021"
    assert headline(indicator=FOREIGN, dataset=dataset(), row=None) is None


# --- The words for codes and periods (observatory.labels) ------------------------------------


def test_codes_are_named_in_the_page_language_and_unknown_ones_shown_as_they_are():
    assert labels.dimension_label("MUNICIPALITY") == "Municipality"
    assert labels.dimension_label("HOUSEHOLD_TYPE") == "HOUSEHOLD_TYPE"
    assert labels.code_label("SEX", "_T") == "Total"
    assert labels.code_label("SEX", "F") == "Women"
    assert labels.code_label("MUNICIPALITY", "CV-SO") == "São Lourenço dos Órgãos"
    assert labels.code_label("ISLAND", "boa_vista") == "Boa Vista"
    assert labels.code_label("CITIZENSHIP", "GN") == "Guinea"
    assert labels.code_label("CITIZENSHIP", "GN", language="pt") == "Guiné"
    assert labels.code_label("COUNTRY_BIRTH", "ST", language="fr") == "Sao Tomé-et-Principe"
    assert labels.code_label("AGE", "Y15T64") == "15 to 64 years"
    assert labels.code_label("AGE", "Y_GE65") == "65 years and over"
    assert labels.code_label("CHANNEL", "whatsapp") == "WhatsApp"
    assert labels.code_label("MUNICIPALITY", "CV-XX") == "CV-XX"
    assert labels.code_label("HOUSEHOLD_TYPE", "H3") == "H3"


@pytest.mark.django_db
def test_units_and_topics_are_named_from_the_records_in_one_query(unit, django_assert_num_queries):
    with django_assert_num_queries(1):
        names = labels.code_labels("UNIT", [unit.slug, "gone-unit"])
    assert names == {unit.slug: unit.name, "gone-unit": "gone-unit"}


def test_a_series_key_is_split_by_the_dataset_dimensions():
    assert labels.split_key(dataset("SEX", "MUNICIPALITY"), "F.CV-PR") == {
        "SEX": "F",
        "MUNICIPALITY": "CV-PR",
    }
    assert labels.split_key(dataset(), "") == {}


def test_periods_are_written_whole():
    assert labels.period_label("2021") == "2021"
    assert labels.period_label("2026-Q3") == "3rd quarter 2026"
    assert labels.period_label("2026-S1") == "1st half 2026"
    assert labels.period_label("2026-03") == "Mar 2026"
    assert labels.period_label("2021-01-01/P3M") == "2021-01-01/P3M"


def test_each_migration_concept_is_explained_apart():
    sentences = {
        labels.concept_explanation(concept)
        for concept in (Concept.FOREIGN_NATIONALS, Concept.FOREIGN_BORN, Concept.MIGRANT_STOCK)
    }
    assert len(sentences) == 3
    assert "" not in sentences


# --- Reads (observatory.domain.queries) ------------------------------------------------------


def published(code: str, *, status: str, version: int = 1) -> Dataset:
    target, _created = Indicator.objects.get_or_create(
        code=code, defaults={"concept": Concept.FOREIGN_BORN, "source": "INE"}
    )
    return Dataset.objects.create(
        public_id=f"{code}-v{version}",
        indicator=target,
        version=version,
        status=status,
        source_name="INE",
        file_format="sdmx-csv",
        dimensions=["SEX"],
    )


@pytest.mark.django_db
def test_only_published_and_superseded_versions_are_public():
    old = published("FOREIGN_BORN", status=DatasetStatus.SUPERSEDED)
    current = published("FOREIGN_BORN", status=DatasetStatus.PUBLISHED, version=2)
    draft = published("FOREIGN_BORN", status=DatasetStatus.DRAFT, version=3)
    hidden = published("DRAFT_ONLY", status=DatasetStatus.DRAFT)
    assert list(queries.published_indicators()) == [current.indicator]
    assert queries.current_dataset(current.indicator) == current
    assert queries.current_dataset(hidden.indicator) is None
    assert queries.get_public_dataset("FOREIGN_BORN-v1") == old
    assert queries.get_public_indicator("FOREIGN_BORN") == current.indicator
    versions = queries.public_versions("FOREIGN_BORN")
    assert (versions.current, versions.earlier) == (current, [old])
    for public_id in (draft.public_id, hidden.public_id, "NOPE-v1"):
        with pytest.raises(Http404):
            queries.get_public_dataset(public_id)
    for code in ("DRAFT_ONLY", "NOPE"):
        with pytest.raises(Http404):
            queries.get_public_indicator(code)
        with pytest.raises(Http404):
            queries.public_versions(code)


@pytest.mark.django_db
def test_the_latest_totals_of_several_datasets_come_in_one_query(django_assert_num_queries):
    first = published("FOREIGN_BORN", status=DatasetStatus.PUBLISHED)
    second = published("MIGRANT_STOCK", status=DatasetStatus.PUBLISHED)
    Observation.objects.bulk_create(
        [
            Observation(dataset=first, period="2011", key="_T", value=14000.0),
            Observation(dataset=first, period="2021", key="_T", value=18562.0),
            Observation(dataset=first, period="2021", key="F", value=9000.0),
            # Only women and men: no total to show, and none made up.
            Observation(dataset=second, period="2020", key="F", value=7803.0),
            Observation(dataset=second, period="2020", key="M", value=7985.0),
        ]
    )
    with django_assert_num_queries(1):
        totals = queries.latest_totals([first, second])
    assert totals == {first.pk: ("2021", "_T", 18562.0, "", "", False)}
    with django_assert_num_queries(1):
        rows = queries.observation_rows(first)
    assert sorted((period, key, value) for period, key, value, *_rest in rows) == [
        ("2011", "_T", 14000.0),
        ("2021", "F", 9000.0),
        ("2021", "_T", 18562.0),
    ]
