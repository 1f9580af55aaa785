"""The Migration Observatory's public pages: the indicators grouped by concept with their
latest figure, and an indicator's page — chart and data table, the chooser, texts in another
language marked, withheld figures and flags shown for what they are, provenance, earlier
versions and downloads — in every interface language, never showing a draft."""

import copy
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from html import unescape
from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation

from coop4int.observatory.domain.datasets import (
    Provenance,
    Row,
    discard_dataset,
    publish_dataset,
    store_dataset,
)
from coop4int.observatory.enums import (
    Concept,
    DatasetOrigin,
    FileFormat,
    Periodicity,
    UnitOfMeasure,
)
from coop4int.observatory.models import Dataset, Indicator

LANGUAGES = ["pt", "kea", "en", "fr"]
FIRST_PUBLISHED = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
SECOND_PUBLISHED = datetime(2026, 9, 14, 10, 0, tzinfo=UTC)

INE = Provenance(
    source_name="Instituto Nacional de Estatística de Cabo Verde (INE), RGPH 2021",
    source_url="https://ine.cv/",
    retrieved_on=date(2026, 2, 20),
    note="Residents on the census date.",
)
PLATFORM = Provenance(source_name="Coop4Int support desk")

NAMES = {
    "pt": "Residentes de nacionalidade estrangeira",
    "en": "Residents of foreign nationality",
    "fr": "Résidents de nationalité étrangère",
}
# No definition in Kabuverdianu nor in French: the reader gets one of another language.
DEFINITIONS = {
    "pt": "Residentes sem nacionalidade cabo-verdiana.",
    "en": "Residents without Cabo Verdean citizenship.",
}
NOTES = {"en": "The 2021 census changed the question on nationality."}


def rows_v1() -> list[Row]:
    return [
        Row("2010", ("_T", "_T"), 14373.0),
        Row("2021", ("_T", "_T"), 10000.0, obs_status="P"),
        Row("2021", ("F", "_T"), 4900.0),
        Row("2021", ("M", "_T"), 5100.0),
        Row("2021", ("_T", "CV-PR"), 6200.0),
        Row("2021", ("_T", "CV-SL"), 2100.0, obs_status="E"),
        Row("2021", ("_T", "CV-BV"), 1700.0),
        Row("2021", ("_T", "CV-BR"), 3.0, conf_status="C"),
        Row("2021", ("F", "CV-PR"), 3000.0),
        Row("2021", ("F", "CV-SL"), 1000.0),
    ]


def rows_v2() -> list[Row]:
    # The final census figure replaces the provisional one; a break in the series.
    changed = {("2021", ("_T", "_T")): Row("2021", ("_T", "_T"), 10875.0, obs_status="B")}
    return [changed.get((row.period, row.key), row) for row in rows_v1()]


@dataclass
class Observatory:
    foreign: Indicator
    v1: Dataset
    v2: Dataset
    draft_v3: Dataset
    contacts: Indicator
    draft_only: Indicator
    discarded_only: Indicator
    population: Indicator


def indicator(code: str, concept: str, **fields: Any) -> Indicator:
    defaults: dict[str, Any] = {
        "names": {"en": code.title(), "pt": code.title()},
        "concept": concept,
        "source": "INE Cabo Verde",
        "periodicity": Periodicity.DECENNIAL,
    }
    return Indicator.objects.create(code=code, **(defaults | fields))


def stored(
    target: Indicator,
    rows: list[Row],
    dimensions: tuple[str, ...],
    provenance: Provenance = INE,
    origin: str = DatasetOrigin.IMPORTED,
) -> Dataset:
    return store_dataset(
        indicator=target,
        dimensions=dimensions,
        rows=rows,
        provenance=provenance,
        origin=DatasetOrigin(origin),
        actor=None,
        file_format=FileFormat.SDMX_CSV,
        structure="ESTAT:DF_FOREIGN(1.0)",
    )


def build() -> Observatory:
    foreign = indicator(
        "FOREIGN_NATIONALS",
        Concept.FOREIGN_NATIONALS,
        names=NAMES,
        definitions=DEFINITIONS,
        notes=NOTES,
        dimensions=["SEX", "MUNICIPALITY"],
    )
    dims = ("SEX", "MUNICIPALITY")
    v1 = publish_dataset(dataset=stored(foreign, rows_v1(), dims), actor=None, now=FIRST_PUBLISHED)
    v2 = publish_dataset(
        dataset=stored(foreign, rows_v2(), dims),
        actor=None,
        revision_note="Final census figures replace the provisional ones.",
        now=SECOND_PUBLISHED,
    )
    draft_v3 = stored(foreign, [Row("2021", ("_T", "_T"), 99999.0)], dims)
    contacts = indicator(
        "PLATFORM_CONTACTS",
        Concept.PLATFORM_ACTIVITY,
        names={"en": "Contacts by channel", "pt": "Contactos por canal"},
        unit_measure=UnitOfMeasure.NUMBER,
        periodicity=Periodicity.QUARTERLY,
    )
    publish_dataset(
        dataset=stored(
            contacts,
            [
                Row("2026-Q3", ("_T",), 40.0),
                Row("2026-Q3", ("walk_in",), 25.0),
                Row("2026-Q3", ("email",), 15.0),
                Row("2026-Q3", ("sms",), None, obs_status="Q", conf_status="C"),
            ],
            ("CHANNEL",),
            PLATFORM,
            DatasetOrigin.PLATFORM,
        ),
        actor=None,
        now=SECOND_PUBLISHED,
    )
    draft_only = indicator("DRAFT_ONLY", Concept.FOREIGN_BORN)
    stored(draft_only, [Row("2021", ("_T",), 77777.0)], ("SEX",))
    discarded_only = indicator("DISCARDED_ONLY", Concept.FOREIGN_BORN)
    discard_dataset(
        dataset=stored(discarded_only, [Row("2021", ("_T",), 66666.0)], ("SEX",)), actor=None
    )
    population = indicator(
        "POP_RESIDENT",
        Concept.RESIDENT_POPULATION,
        names={"pt": "População residente", "en": "Resident population"},
    )
    publish_dataset(
        dataset=stored(population, [Row("2021", (), 491233.0)], ()),
        actor=None,
        now=FIRST_PUBLISHED,
    )
    return Observatory(
        foreign=foreign,
        v1=Dataset.objects.get(pk=v1.pk),
        v2=Dataset.objects.get(pk=v2.pk),
        draft_v3=draft_v3,
        contacts=contacts,
        draft_only=draft_only,
        discarded_only=discarded_only,
        population=population,
    )


@pytest.fixture(scope="module")
def _observatory(rows_kept: Any) -> Iterator[Observatory]:
    with rows_kept(build) as built:
        yield built


@pytest.fixture
def data(_observatory: Observatory, db: None) -> Observatory:
    return copy.deepcopy(_observatory)


def _(language: str, message: str) -> str:
    with translation.override(language):
        return translation.gettext(message)


def url(name: str, *args: object, language: str = "en") -> str:
    with translation.override(language):
        return reverse(f"portal:{name}", args=args)


def page(client: Any, address: str, **query: str) -> str:
    response = client.get(address, query)
    assert response.status_code == 200, address
    return unescape(response.content.decode())


def svg_of(body: str) -> ET.Element:
    start = body.index("<svg")
    end = body.index("</svg>", start) + len("</svg>")
    return ET.fromstring(body[start:end])  # noqa: S314 - our own markup


# --- Every page in every language ------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_is_in_the_page_language(client, data, language):
    for address in (
        url("observatory", language=language),
        url("indicator", "FOREIGN_NATIONALS", language=language),
        url("indicator", "PLATFORM_CONTACTS", language=language),
        url("indicator", "POP_RESIDENT", language=language),
    ):
        body = page(client, address)
        assert f'<html lang="{language}"' in body, address
        assert _(language, "Migration Observatory") in body, address
    body = page(client, url("indicator", "FOREIGN_NATIONALS", language=language))
    assert _(language, "Where the figures come from") in body
    assert _(language, "Download the data") in body
    assert 'role="img"' in body


def test_the_observatory_is_at_its_address_in_each_language():
    assert url("observatory", language="fr") == "/fr/observatory/"
    assert url("indicator", "FOREIGN_BORN", language="kea") == (
        "/kea/observatory/indicators/FOREIGN_BORN/"
    )


# --- The observatory's page ------------------------------------------------------------------


def test_the_indicators_are_grouped_by_concept_with_their_latest_figure(client, data):
    with translation.override("en"):
        body = page(client, url("observatory"))
        foreign_label = str(Concept.FOREIGN_NATIONALS.label)
        platform_label = str(Concept.PLATFORM_ACTIVITY.label)
    assert foreign_label in body
    assert platform_label in body
    assert body.index(foreign_label) < body.index(platform_label)  # the concepts' order
    assert f'href="{url("indicator", "FOREIGN_NATIONALS")}"' in body
    assert "Residents of foreign nationality" in body
    # The latest total of the published version (v2), not the draft's nor v1's.
    assert '<bdi dir="ltr" class="ltr">10,875</bdi>' in body
    assert "99,999" not in body
    assert "10,000" not in body
    assert "persons, 2021" in body
    assert "491,233" in body
    # Links to the studies and to the open-data catalogue.
    assert f'href="{url("studies")}"' in body
    assert f'href="{reverse("opendata_catalog")}"' in body


def test_indicators_without_a_published_version_are_not_listed(client, data):
    body = page(client, url("observatory"))
    assert "DRAFT_ONLY" not in body
    assert "Draft_Only" not in body
    assert "DISCARDED_ONLY" not in body
    assert "Discarded_Only" not in body
    assert "77,777" not in body
    assert "66,666" not in body


def test_the_observatory_page_runs_a_fixed_number_of_queries(
    client, data, django_assert_max_num_queries
):
    with django_assert_max_num_queries(2):
        client.get(url("observatory"))


# --- An indicator's page ---------------------------------------------------------------------


def test_the_page_says_what_is_counted_and_in_which_unit(client, data):
    body = page(client, url("indicator", "FOREIGN_NATIONALS"))
    assert "<title>Residents of foreign nationality · Coop4Int</title>" in body
    assert "Residents without Cabo Verdean citizenship." in body
    assert "Foreign nationals (citizenship)" in body
    assert "Counts people by citizenship" in body
    assert "<dd>persons</dd>" in body
    assert "Figure (persons)" in body
    assert "Every ten years (census)" in body


def test_by_default_the_chart_follows_the_total_over_the_years_with_its_table(client, data):
    body = page(client, url("indicator", "FOREIGN_NATIONALS"))
    svg = svg_of(body)
    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "indicator-chart-title indicator-chart-desc"
    title = svg.findtext("{http://www.w3.org/2000/svg}title")
    assert title == "Residents of foreign nationality, 2010 to 2021"
    desc = svg.findtext("{http://www.w3.org/2000/svg}desc") or ""
    assert "14,373 in 2010 and 10,875 in 2021" in desc
    # The data table beside the chart: its caption, headers with their scope, every figure.
    assert f'<caption id="figures-caption">{title}</caption>' in body
    assert '<th scope="col">Period</th>' in body
    assert '<th scope="row">2010</th>' in body
    assert '<bdi dir="ltr" class="ltr">14,373</bdi>' in body
    assert '<bdi dir="ltr" class="ltr">10,875</bdi>' in body


def test_the_chooser_compares_municipalities_at_the_chosen_sex(client, data):
    body = page(client, url("indicator", "FOREIGN_NATIONALS"), compare="MUNICIPALITY")
    svg = svg_of(body)
    title = svg.findtext("{http://www.w3.org/2000/svg}title")
    assert title == "Residents of foreign nationality by Municipality, 2021"
    table = body[body.index("<table") : body.index("</table>")]
    assert table.index("Praia") < table.index("Sal") < table.index("Boa Vista")
    assert "Total (as published by the source)" in table
    assert '<option value="MUNICIPALITY" selected>' in body  # the form shows the choice
    body = page(client, url("indicator", "FOREIGN_NATIONALS"), compare="MUNICIPALITY", SEX="F")
    title = svg_of(body).findtext("{http://www.w3.org/2000/svg}title")
    assert title == "Residents of foreign nationality by Municipality (Sex: Women), 2021"
    table = body[body.index("<table") : body.index("</table>")]
    assert "3,000" in table
    assert "1,000" in table
    assert "Boa Vista" not in table  # the source gave no figure of women there
    assert '<option value="F" selected>' in body


def test_the_chooser_is_a_get_form_that_needs_no_script(client, data):
    body = page(client, url("indicator", "FOREIGN_NATIONALS"))
    form = body[body.index('<form method="get" class="filters chooser"') :]
    form = form[: form.index("</form>")]
    for name in ("compare", "period", "SEX", "MUNICIPALITY"):
        assert f'name="{name}"' in form
    assert "<script" not in body.split("<main", 1)[1]


def test_a_page_with_nothing_to_choose_has_no_chooser(client, data):
    body = page(client, url("indicator", "POP_RESIDENT"))
    assert '<form method="get" class="filters chooser"' not in body
    assert "491,233" in body
    # One period, channels only: the channels are compared, with nothing else to pick.
    body = page(client, url("indicator", "PLATFORM_CONTACTS"))
    assert 'name="compare"' not in body
    assert "Walk-in" in body


def test_a_choice_not_offered_is_refused_in_words_and_the_page_still_shows(client, data):
    with translation.override("fr"):
        response = client.get(url("indicator", "FOREIGN_NATIONALS", language="fr"),
                              {"compare": "NOPE", "SEX": "<b>X</b>"})  # fmt: skip
        body = unescape(response.content.decode())
        message = translation.gettext(
            "Select a valid choice. %(value)s is not one of the available choices."
        )
    assert response.status_code == 200
    assert message.split("%(value)s")[0].strip() in body
    assert "<b>X</b>" not in response.content.decode()
    assert 'role="img"' in body  # the default chart


def test_a_text_in_another_language_is_marked(client, data):
    # Kabuverdianu: no name in it — the Portuguese one, marked.
    body = page(client, url("indicator", "FOREIGN_NATIONALS", language="kea"))
    assert '<h1 lang="pt" dir="ltr">Residentes de nacionalidade estrangeira</h1>' in body
    assert 'class="fallback-note"' in body
    # French: the name is French, the definition English, marked so.
    body = page(client, url("indicator", "FOREIGN_NATIONALS", language="fr"))
    assert '<h1 lang="fr" dir="ltr">Résidents de nationalité étrangère</h1>' in body
    assert 'lang="en" dir="ltr">Residents without Cabo Verdean citizenship.</p>' in body
    assert 'class="fallback-note"' in body
    # English: everything is in English, nothing marked.
    body = page(client, url("indicator", "FOREIGN_NATIONALS"))
    assert 'class="fallback-note"' not in body


def test_withheld_figures_and_flags_are_shown_with_their_notes(client, data):
    body = page(client, url("indicator", "FOREIGN_NATIONALS"), compare="MUNICIPALITY")
    table = body[body.index("<table") : body.index("</table>")]
    assert '<th scope="row">Brava</th>' in table
    assert "<em>confidential</em>" in table
    assert "“Confidential”: the source did not publish the figure." in body
    assert 'href="#note-e"' in table
    assert 'id="note-e"' in body
    assert "Estimated value" in body
    gaps = [t for t in svg_of(body).iter("{http://www.w3.org/2000/svg}text")
            if t.get("class") == "gap"]  # fmt: skip
    assert ["".join(gap.itertext()) for gap in gaps] == ["confidential"]


def test_a_platform_table_says_fewer_than_the_small_cell(client, data, settings):
    settings.STATISTICS_SMALL_CELL = 5
    body = page(client, url("indicator", "PLATFORM_CONTACTS"))
    table = body[body.index("<table") : body.index("</table>")]
    assert "<em>fewer than 5</em>" in table
    assert "#note-q" not in table  # "suppressed" would only repeat the words
    assert "0" not in table.split("SMS", 1)[1].split("</tr>", 1)[0]  # never a zero
    assert "“Fewer than 5”: a count too small to show" in body
    assert "3rd quarter 2026" in body


def test_revisions_breaks_and_provenance_are_shown(client, data):
    body = page(client, url("indicator", "FOREIGN_NATIONALS"))
    assert 'href="#note-r"' in body
    assert "Revised: the figure differs from the one the previous version gave." in body
    assert "Break in the series in 2021" in body
    assert "The 2021 census changed the question on nationality." in body
    assert '<a href="https://ine.cv/" rel="external">' in body
    assert "Creative Commons Attribution 4.0" in body
    assert "20 February 2026" in body  # date retrieved
    assert "14 September 2026" in body  # published
    assert "FOREIGN_NATIONALS-v2" in body
    assert "1 figure differs from the previous version." in body
    assert "What changed: Final census figures replace the provisional ones." in body
    assert "ESTAT:DF_FOREIGN(1.0)" in body


def test_the_downloads_of_this_version_and_of_the_earlier_ones(client, data):
    body = page(client, url("indicator", "FOREIGN_NATIONALS"))
    for name in ("opendata_dataset_csv", "opendata_dataset_sdmx", "opendata_datapackage"):
        assert f'href="{reverse(name, args=["FOREIGN_NATIONALS-v2"])}"' in body
        assert f'href="{reverse(name, args=["FOREIGN_NATIONALS-v1"])}"' in body
    assert "FOREIGN_NATIONALS-v3" not in body  # the draft


def test_draft_figures_are_never_shown(client, data):
    for compare in ("TIME_PERIOD", "SEX", "MUNICIPALITY"):
        body = page(client, url("indicator", "FOREIGN_NATIONALS"), compare=compare)
        assert "99,999" not in body


@pytest.mark.parametrize("code", ["NOPE", "DRAFT_ONLY", "DISCARDED_ONLY", "foreign_nationals"])
def test_an_unknown_or_unpublished_indicator_is_not_found(client, data, code):
    assert client.get(url("indicator", code)).status_code == 404


def test_the_pages_may_be_cached_briefly_by_anyone(client, data):
    for address in (url("observatory"), url("indicator", "FOREIGN_NATIONALS")):
        response = client.get(address)
        assert response["Cache-Control"] == "public, max-age=60"
        assert "Accept-Language" in response["Vary"]


def test_an_indicator_page_runs_a_fixed_number_of_queries(
    client, data, django_assert_max_num_queries
):
    # The indicator with its versions, and the observations.
    for compare in ("TIME_PERIOD", "MUNICIPALITY"):
        with django_assert_max_num_queries(2):
            client.get(url("indicator", "FOREIGN_NATIONALS"), {"compare": compare})
