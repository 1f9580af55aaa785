"""The observatory's open data (``/opendata/``): each public dataset version as SDMX-CSV 2.0,
as CSV with its Frictionless data package (valid by ``frictionless``), the DCAT-AP catalogue
(JSON-LD read by ``pyld`` without fetching anything) — and what may not be seen: drafts and
discarded versions. Caching headers, conditional requests, content types and CORS.

The datasets are stored and published once for the module through the observatory's own domain
functions: two versions of the foreign nationals (the first superseded), a percentage with
decimals, a quarterly table from the platform with withheld cells, a draft and a discarded
version. Round trips through the importers are in ``test_opendata_round_trip.py``."""

import copy
import csv
import gzip
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import frictionless
import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.http import http_date
from pyld import jsonld

from coop4int.accounts.enums import Role
from coop4int.observatory import opendata
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

PUBLIC_URL = "https://observatorio.example.cv"
FIRST_PUBLISHED = datetime(2025, 3, 1, 10, 0, tzinfo=UTC)
SECOND_PUBLISHED = datetime(2025, 9, 1, 10, 0, tzinfo=UTC)
LATER = datetime(2026, 1, 15, 9, 30, tzinfo=UTC)

INE = Provenance(
    source_name="INE Cabo Verde, RGPH 2021",
    source_url="https://ine.cv/censo-2021/",
    retrieved_on=date(2025, 2, 20),
    note="Table 3.1.",
)
UN_DESA = Provenance(
    source_name="UN DESA, International Migrant Stock 2020",
    source_url="https://www.un.org/development/desa/pd/content/international-migrant-stock",
    licence="other",
)
PLATFORM = Provenance(source_name="Coop4Int support desk records", licence="CC0-1.0")

FOREIGN_V1 = [
    Row("2010", ("_T", "_T"), 14373.0, "E"),
    Row("2021", ("_T", "_T"), 10875.0),
    Row("2021", ("F", "_T"), 4800.0),
    Row("2021", ("M", "_T"), 6075.0),
    Row("2021", ("F", "CV-PR"), 2100.0, "P"),
    Row("2021", ("M", "CV-BR"), 3.0, "", "C"),  # withheld: stored empty
]
# The final census figures: one value revised, one cell still withheld.
FOREIGN_V2 = [
    Row("2010", ("_T", "_T"), 14373.0, "E"),
    Row("2021", ("_T", "_T"), 10875.0),
    Row("2021", ("F", "_T"), 4801.0),
    Row("2021", ("M", "_T"), 6074.0),
    Row("2021", ("F", "CV-PR"), 2100.0),
    Row("2021", ("M", "CV-BR"), None, "", "C"),
]
SHARE_ROWS = [
    Row("2020", ("_T",), 2.84),
    Row("2020", ("F",), 0.1 + 0.2),  # 0.30000000000000004: written as it reads back
    Row("2020", ("M",), 1e-7),
    Row("2015", ("_T",), 123456789.125),
    Row("2000", ("_T",), None, "M"),
]
CONTACT_ROWS = [
    Row("2026-Q2", ("whatsapp", "santiago"), 42.0),
    Row("2026-Q2", ("whatsapp", "brava"), None, "", "C"),
    Row("2026-Q3", ("whatsapp", "santiago"), 57.0),
    Row("2026-Q3", ("whatsapp", "brava"), None, "", "D"),
    Row("2026-Q3", ("email", "santiago"), 12.0, "P"),
]


@dataclass
class OpenData:
    foreign_v1: Dataset
    foreign_v2: Dataset
    share: Dataset
    contacts: Dataset
    draft: Dataset
    discarded: Dataset

    @property
    def public(self) -> list[Dataset]:
        return [self.foreign_v1, self.foreign_v2, self.share, self.contacts]

    @property
    def hidden(self) -> list[Dataset]:
        return [self.draft, self.discarded]


def indicator(code: str, **fields: object) -> Indicator:
    values: dict[str, object] = {
        "names": {"pt": f"{code} (pt)", "en": f"{code} (en)"},
        "definitions": {"pt": f"Definição de {code}.", "en": f"Definition of {code}."},
        "concept": Concept.FOREIGN_NATIONALS,
        "dimensions": ["SEX", "MUNICIPALITY"],
        "source": "INE",
    }
    values.update(fields)
    return Indicator.objects.create(code=code, **values)


def stored(
    on: Indicator,
    rows: list[Row],
    dimensions: tuple[str, ...],
    provenance: Provenance = INE,
    origin: DatasetOrigin = DatasetOrigin.IMPORTED,
) -> Dataset:
    return store_dataset(
        indicator=on,
        dimensions=dimensions,
        rows=rows,
        provenance=provenance,
        origin=origin,
        actor=None,
        file_format=FileFormat.SDMX_CSV,
    )


def build_open_data() -> OpenData:
    foreign = indicator(
        "FOREIGN_NATIONALS",
        names={
            "pt": "Estrangeiros residentes",
            "en": "Foreign nationals",
            "fr": "Étrangers résidents",
        },
        definitions={
            "pt": "Residentes sem nacionalidade cabo-verdiana.",
            "en": "Residents without Cabo Verdean citizenship.",
        },
        periodicity=Periodicity.DECENNIAL,
    )
    dimensions = ("SEX", "MUNICIPALITY")
    v1 = publish_dataset(
        dataset=stored(foreign, FOREIGN_V1, dimensions), actor=None, now=FIRST_PUBLISHED
    )
    v2 = publish_dataset(
        dataset=stored(foreign, FOREIGN_V2, dimensions),
        actor=None,
        revision_note="Final census figures.",
        now=SECOND_PUBLISHED,
    )
    share = indicator(
        "MIGRANT_SHARE",
        concept=Concept.MIGRANT_STOCK,
        unit_measure=UnitOfMeasure.PERCENT,
        decimals=2,
        dimensions=["SEX"],
        definitions={},
        periodicity=Periodicity.QUINQUENNIAL,
    )
    share_v1 = publish_dataset(
        dataset=stored(share, SHARE_ROWS, ("SEX",), UN_DESA), actor=None, now=FIRST_PUBLISHED
    )
    contacts = indicator(
        "PLATFORM_CONTACTS",
        concept=Concept.PLATFORM_ACTIVITY,
        unit_measure=UnitOfMeasure.NUMBER,
        dimensions=["CHANNEL", "ISLAND"],
        periodicity=Periodicity.QUARTERLY,
    )
    contacts_v1 = publish_dataset(
        dataset=stored(
            contacts, CONTACT_ROWS, ("CHANNEL", "ISLAND"), PLATFORM, DatasetOrigin.PLATFORM
        ),
        actor=None,
        now=SECOND_PUBLISHED,
    )
    draft = stored(indicator("DRAFT_ONLY"), FOREIGN_V1, dimensions)
    discarded = discard_dataset(
        dataset=stored(indicator("DISCARDED_ONLY"), FOREIGN_V1, dimensions), actor=None
    )
    fresh = Dataset.objects.select_related("indicator").in_bulk(
        [v1.pk, v2.pk, share_v1.pk, contacts_v1.pk, draft.pk, discarded.pk]
    )
    return OpenData(
        foreign_v1=fresh[v1.pk],
        foreign_v2=fresh[v2.pk],
        share=fresh[share_v1.pk],
        contacts=fresh[contacts_v1.pk],
        draft=fresh[draft.pk],
        discarded=fresh[discarded.pk],
    )


# --- Helpers ---------------------------------------------------------------------------------

DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"


@pytest.fixture(scope="module")
def _open_data(rows_kept: Any) -> Iterator[OpenData]:
    with rows_kept(build_open_data, PUBLIC_URL=PUBLIC_URL) as built:
        yield built


@pytest.fixture
def data(_open_data: OpenData, db: None, settings: Any) -> OpenData:
    settings.PUBLIC_URL = PUBLIC_URL
    return copy.deepcopy(_open_data)


def body(response: Any) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8")
    return str(response.content.decode("utf-8"))


def csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def sdmx_url(dataset: Dataset) -> str:
    return reverse("opendata_dataset_sdmx", args=[dataset.public_id])


def csv_url(dataset: Dataset) -> str:
    return reverse("opendata_dataset_csv", args=[dataset.public_id])


def package_url(dataset: Dataset) -> str:
    return reverse("opendata_datapackage", args=[dataset.public_id])


def file_urls(dataset: Dataset) -> list[str]:
    return [sdmx_url(dataset), csv_url(dataset), package_url(dataset)]


def refuse_fetch(url: str, options: Any = None) -> Any:
    raise AssertionError(f"the catalogue made pyld fetch {url}")


def expanded_catalog(client: Client) -> dict[str, Any]:
    response = client.get(reverse("opendata_catalog"))
    assert response.status_code == 200
    expanded = jsonld.expand(json.loads(body(response)), {"documentLoader": refuse_fetch})
    assert len(expanded) == 1
    catalog: dict[str, Any] = expanded[0]
    return catalog


def values(node: dict[str, Any], prop: str) -> list[Any]:
    return [item.get("@value", item.get("@id")) for item in node.get(prop, [])]


# --- Addresses -------------------------------------------------------------------------------


def test_the_addresses_are_the_stable_ones_the_issue_names() -> None:
    assert reverse("opendata_catalog") == "/opendata/catalog.jsonld"
    assert reverse("opendata_dataset_sdmx", args=["FOREIGN_BORN-v2"]) == (
        "/opendata/datasets/FOREIGN_BORN-v2.sdmx.csv"
    )
    assert reverse("opendata_dataset_csv", args=["FOREIGN_BORN-v2"]) == (
        "/opendata/datasets/FOREIGN_BORN-v2.csv"
    )
    assert reverse("opendata_datapackage", args=["FOREIGN_BORN-v2"]) == (
        "/opendata/datasets/FOREIGN_BORN-v2/datapackage.json"
    )


# --- Values and periods ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "conf_status", "written"),
    [
        (10875.0, "", "10875"),
        (0.0, "", "0"),
        (-3.0, "", "-3"),
        (2.84, "", "2.84"),
        (0.1 + 0.2, "", "0.30000000000000004"),
        (1e-7, "", "1e-07"),
        (1e20, "", "100000000000000000000"),
        (None, "", ""),
        (12.0, "C", ""),
        (12.0, "D", ""),
        (12.0, "F", "12"),
        (float("nan"), "", ""),
    ],
)
def test_values_are_written_so_that_they_read_back_exactly(
    value: float | None, conf_status: str, written: str
) -> None:
    assert opendata.format_value(value, conf_status) == written
    if written:
        assert value is not None
        assert float(written) == value


@pytest.mark.parametrize(
    ("period", "bounds"),
    [
        ("2021", (date(2021, 1, 1), date(2021, 12, 31))),
        ("2021-A1", (date(2021, 1, 1), date(2021, 12, 31))),
        ("2026-S2", (date(2026, 7, 1), date(2026, 12, 31))),
        ("2026-T1", (date(2026, 1, 1), date(2026, 4, 30))),
        ("2026-Q1", (date(2026, 1, 1), date(2026, 3, 31))),
        ("2026-Q3", (date(2026, 7, 1), date(2026, 9, 30))),
        ("2026-Q4", (date(2026, 10, 1), date(2026, 12, 31))),
        ("2024-M02", (date(2024, 2, 1), date(2024, 2, 29))),
        ("2026-12", (date(2026, 12, 1), date(2026, 12, 31))),
        ("2026-W01", (date(2025, 12, 29), date(2026, 1, 4))),
        ("2026-D032", (date(2026, 2, 1), date(2026, 2, 1))),
        ("2026-03-15", (date(2026, 3, 15), date(2026, 3, 15))),
        ("2026-Q5", None),
        ("2026-13", None),
        ("2021-01-01/P3M", None),
        ("soon", None),
    ],
)
def test_sdmx_periods_become_the_days_they_cover(
    period: str, bounds: tuple[date, date] | None
) -> None:
    assert opendata.period_bounds(period) == bounds


# --- SDMX-CSV and CSV --------------------------------------------------------------------------


def test_a_dataset_downloads_as_sdmx_csv_2_ordered_by_key_then_period(
    client: Client, data: OpenData
) -> None:
    response = client.get(sdmx_url(data.foreign_v1))

    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "application/vnd.sdmx.data+csv; version=2.0.0"
    assert response["Content-Disposition"] == (
        'attachment; filename="FOREIGN_NATIONALS-v1.sdmx.csv"'
    )
    text = body(response)
    assert "\r\n" in text
    flow = "AAI_CV:DF_FOREIGN_NATIONALS(1.0)"
    assert csv_rows(text) == [
        ["STRUCTURE", "STRUCTURE_ID", "ACTION", "SEX", "MUNICIPALITY", "TIME_PERIOD",
         "OBS_VALUE", "OBS_STATUS", "CONF_STATUS"],
        ["dataflow", flow, "I", "F", "CV-PR", "2021", "2100", "P", ""],
        ["dataflow", flow, "I", "F", "_T", "2021", "4800", "", ""],
        ["dataflow", flow, "I", "M", "CV-BR", "2021", "", "", "C"],
        ["dataflow", flow, "I", "M", "_T", "2021", "6075", "", ""],
        ["dataflow", flow, "I", "_T", "_T", "2010", "14373", "E", ""],
        ["dataflow", flow, "I", "_T", "_T", "2021", "10875", "", ""],
    ]  # fmt: skip


def test_decimals_are_written_as_they_read_back_and_missing_values_empty(
    client: Client, data: OpenData
) -> None:
    rows = csv_rows(body(client.get(sdmx_url(data.share))))

    assert rows[0] == [
        "STRUCTURE", "STRUCTURE_ID", "ACTION", "SEX", "TIME_PERIOD", "OBS_VALUE",
        "OBS_STATUS", "CONF_STATUS",
    ]  # fmt: skip
    written = {(row[3], row[4]): row[5:] for row in rows[1:]}
    assert written == {
        ("F", "2020"): ["0.30000000000000004", "", ""],
        ("M", "2020"): ["1e-07", "", ""],
        ("_T", "2000"): ["", "M", ""],
        ("_T", "2015"): ["123456789.125", "", ""],
        ("_T", "2020"): ["2.84", "", ""],
    }
    assert {row[1] for row in rows[1:]} == {"AAI_CV:DF_MIGRANT_SHARE(1.0)"}


def test_withheld_cells_are_empty_with_their_confidentiality_flag(
    client: Client, data: OpenData
) -> None:
    rows = csv_rows(body(client.get(csv_url(data.contacts))))

    assert rows == [
        ["CHANNEL", "ISLAND", "TIME_PERIOD", "OBS_VALUE", "OBS_STATUS", "CONF_STATUS"],
        ["email", "santiago", "2026-Q3", "12", "P", ""],
        ["whatsapp", "brava", "2026-Q2", "", "", "C"],
        ["whatsapp", "brava", "2026-Q3", "", "", "D"],
        ["whatsapp", "santiago", "2026-Q2", "42", "", ""],
        ["whatsapp", "santiago", "2026-Q3", "57", "", ""],
    ]


def test_the_plain_csv_is_the_sdmx_csv_without_its_structure_columns(
    client: Client, data: OpenData
) -> None:
    response = client.get(csv_url(data.foreign_v2))

    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8; header=present"
    assert response["Content-Disposition"] == 'attachment; filename="FOREIGN_NATIONALS-v2.csv"'
    sdmx = csv_rows(body(client.get(sdmx_url(data.foreign_v2))))
    assert csv_rows(body(response)) == [row[3:] for row in sdmx]


def test_the_writers_stream_in_chunks_from_one_query(
    data: OpenData, monkeypatch: pytest.MonkeyPatch, django_assert_num_queries: Any
) -> None:
    monkeypatch.setattr(opendata, "CHUNK_SIZE", 2)

    with django_assert_num_queries(1):
        chunks = list(opendata.sdmx_csv_chunks(data.foreign_v1))
    stream = io.StringIO(newline="")
    opendata.write_sdmx_csv(data.foreign_v1, stream)

    # The header and two rows, then two rows at a time.
    assert [len(csv_rows(chunk)) for chunk in chunks] == [3, 2, 2]
    assert "".join(chunks) == stream.getvalue()
    plain = io.StringIO(newline="")
    opendata.write_csv(data.foreign_v1, plain)
    assert csv_rows(plain.getvalue()) == [row[3:] for row in csv_rows(stream.getvalue())]


# --- Data packages -----------------------------------------------------------------------------


def download_package(client: Client, dataset: Dataset, directory: Path) -> Path:
    """The dataset's data package and its CSV, downloaded into ``directory`` side by side;
    the resource's path (the CSV's address) becomes the local file's name."""
    package = json.loads(body(client.get(package_url(dataset))))
    [resource] = package["resources"]
    assert resource["path"] == PUBLIC_URL + csv_url(dataset)
    csv_name = f"{dataset.public_id}.csv"
    (directory / csv_name).write_bytes(body(client.get(csv_url(dataset))).encode("utf-8"))
    resource["path"] = csv_name
    descriptor = directory / "datapackage.json"
    descriptor.write_text(json.dumps(package), encoding="utf-8")
    return descriptor


def test_every_data_package_validates_with_frictionless(
    client: Client, data: OpenData, tmp_path: Path
) -> None:
    for dataset in data.public:
        directory = tmp_path / dataset.public_id
        directory.mkdir()

        report = frictionless.validate(str(download_package(client, dataset, directory)))

        assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
        assert report.stats["tasks"] == 1


def test_a_data_package_describes_the_dataset_its_source_and_licence(
    client: Client, data: OpenData
) -> None:
    response = client.get(package_url(data.foreign_v2))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    package = response.json()
    assert package["profile"] == "tabular-data-package"
    assert package["id"] == PUBLIC_URL + package_url(data.foreign_v2)
    assert package["name"] == "foreign_nationals-v2"
    assert package["title"] == "Estrangeiros residentes"  # the site's default language
    assert package["description"] == "Residentes sem nacionalidade cabo-verdiana."
    assert package["version"] == "2.0.0"
    assert package["created"] == "2025-09-01T10:00:00+00:00"
    assert package["revision_note"] == "Final census figures."
    assert package["licenses"] == [
        {
            "name": "CC-BY-4.0",
            "path": "https://creativecommons.org/licenses/by/4.0/",
            "title": "Creative Commons Attribution 4.0",
        }
    ]
    assert package["sources"] == [
        {"title": "INE Cabo Verde, RGPH 2021", "path": "https://ine.cv/censo-2021/"}
    ]
    assert package["contributors"] == [
        {"title": "Alta Autoridade para a Imigração — Cabo Verde", "role": "publisher"}
    ]
    [resource] = package["resources"]
    assert resource["path"] == f"{PUBLIC_URL}/opendata/datasets/FOREIGN_NATIONALS-v2.csv"
    assert resource["mediatype"] == "text/csv"
    schema = resource["schema"]
    assert [(f["name"], f["type"]) for f in schema["fields"]] == [
        ("SEX", "string"),
        ("MUNICIPALITY", "string"),
        ("TIME_PERIOD", "string"),
        ("OBS_VALUE", "number"),
        ("OBS_STATUS", "string"),
        ("CONF_STATUS", "string"),
    ]
    required = [f["name"] for f in schema["fields"] if f.get("constraints", {}).get("required")]
    assert required == ["SEX", "MUNICIPALITY", "TIME_PERIOD"]
    assert schema["primaryKey"] == ["SEX", "MUNICIPALITY", "TIME_PERIOD"]
    assert schema["missingValues"] == [""]
    statuses = {f["name"]: f["constraints"]["enum"] for f in schema["fields"][4:]}
    assert {"A", "E", "P", "Q"} <= set(statuses["OBS_STATUS"])
    assert {"C", "D", "F"} <= set(statuses["CONF_STATUS"])
    # No member of staff is named: only the publisher.
    assert "created_by" not in response.content.decode()


def test_a_licence_the_source_sets_points_at_the_source(client: Client, data: OpenData) -> None:
    package = client.get(package_url(data.share)).json()

    # The package's texts are in the site's language (settings.LANGUAGE_CODE).
    with translation.override(settings.LANGUAGE_CODE):
        other = translation.gettext("Other: see the source")
    assert package["licenses"] == [{"path": UN_DESA.source_url, "title": other}]
    assert "description" in package  # no definition: the name stands in
    assert package["description"] == package["title"]


def test_the_publisher_s_address_is_given_when_set(
    client: Client, data: OpenData, settings: Any
) -> None:
    settings.OPENDATA_PUBLISHER_URL = "https://aai.gov.cv/"

    package = client.get(package_url(data.contacts)).json()

    assert package["contributors"] == [
        {
            "title": "Alta Autoridade para a Imigração — Cabo Verde",
            "role": "publisher",
            "path": "https://aai.gov.cv/",
        }
    ]
    assert package["licenses"][0]["name"] == "CC0-1.0"


# --- DCAT-AP catalogue -------------------------------------------------------------------------


def test_the_catalogue_is_json_ld_that_expands_without_fetching_anything(
    client: Client, data: OpenData
) -> None:
    response = client.get(reverse("opendata_catalog"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/ld+json"
    document = response.json()
    assert isinstance(document["@context"], dict)
    catalog = expanded_catalog(client)
    assert catalog["@type"] == [DCAT + "Catalog"]
    assert catalog["@id"] == f"{PUBLIC_URL}/opendata/catalog.jsonld"
    assert "Cabo Verde Migration Observatory: open data" in values(catalog, DCT + "title")
    [publisher] = catalog[DCT + "publisher"]
    assert publisher["@type"] == ["http://xmlns.com/foaf/0.1/Agent"]
    assert values(publisher, "http://xmlns.com/foaf/0.1/name") == [
        "Alta Autoridade para a Imigração — Cabo Verde"
    ]
    assert values(catalog, DCT + "modified") == ["2025-09-01T10:00:00+00:00"]
    assert values(catalog, "http://xmlns.com/foaf/0.1/homepage") == [f"{PUBLIC_URL}/"]
    assert "http://publications.europa.eu/resource/authority/language/POR" in values(
        catalog, DCT + "language"
    )


def test_the_catalogue_names_every_public_version_and_no_other(
    client: Client, data: OpenData
) -> None:
    catalog = expanded_catalog(client)

    datasets = catalog[DCAT + "dataset"]
    identifiers = [values(node, DCT + "identifier") for node in datasets]
    assert identifiers == [
        ["FOREIGN_NATIONALS-v1"],
        ["FOREIGN_NATIONALS-v2"],
        ["MIGRANT_SHARE-v1"],
        ["PLATFORM_CONTACTS-v1"],
    ]
    text = body(client.get(reverse("opendata_catalog")))
    for hidden in data.hidden:
        assert hidden.public_id not in text
        assert hidden.indicator.code not in text


def test_each_catalogue_entry_has_titles_licence_coverage_and_versions(
    client: Client, data: OpenData
) -> None:
    catalog = expanded_catalog(client)
    by_id = {values(n, DCT + "identifier")[0]: n for n in catalog[DCAT + "dataset"]}

    v1, v2 = by_id["FOREIGN_NATIONALS-v1"], by_id["FOREIGN_NATIONALS-v2"]
    assert sorted((t["@language"], t["@value"]) for t in v2[DCT + "title"]) == [
        ("en", "Foreign nationals"),
        ("fr", "Étrangers résidents"),
        ("pt", "Estrangeiros residentes"),
    ]
    assert {d["@language"] for d in v2[DCT + "description"]} == {"en", "pt"}
    assert values(v2, DCT + "license") == ["https://creativecommons.org/licenses/by/4.0/"]
    assert values(v2, DCT + "spatial") == [
        "http://publications.europa.eu/resource/authority/country/CPV"
    ]
    [temporal] = v2[DCT + "temporal"]
    assert values(temporal, DCAT + "startDate") == ["2010-01-01"]
    assert values(temporal, DCAT + "endDate") == ["2021-12-31"]
    assert values(v2, DCT + "modified") == ["2025-09-01T10:00:00+00:00"]
    assert values(v2, "http://www.w3.org/2002/07/owl#versionInfo") == ["2"]
    assert values(v2, "http://www.w3.org/ns/adms#versionNotes") == ["Final census figures."]
    assert values(v2, DCT + "replaces") == [v1["@id"]]
    assert values(v1, DCT + "isReplacedBy") == [v2["@id"]]
    assert DCT + "replaces" not in v1
    assert DCT + "isReplacedBy" not in v2
    assert values(v2, DCT + "accrualPeriodicity") == [
        "http://publications.europa.eu/resource/authority/frequency/DECENNIAL"
    ]
    assert values(v2, DCT + "source") == ["https://ine.cv/censo-2021/"]
    [provenance] = v2[DCT + "provenance"]
    [statement] = values(provenance, "http://www.w3.org/2000/01/rdf-schema#label")
    assert "INE Cabo Verde, RGPH 2021" in statement
    assert "2025-02-20" in statement

    contacts = by_id["PLATFORM_CONTACTS-v1"]
    [quarters] = contacts[DCT + "temporal"]
    assert values(quarters, DCAT + "startDate") == ["2026-04-01"]
    assert values(quarters, DCAT + "endDate") == ["2026-09-30"]
    assert values(contacts, DCT + "license") == [
        "https://creativecommons.org/publicdomain/zero/1.0/"
    ]
    # Licensed "other": the catalogue claims no licence of its own for it.
    assert DCT + "license" not in by_id["MIGRANT_SHARE-v1"]


def test_each_catalogue_entry_has_its_three_distributions(client: Client, data: OpenData) -> None:
    catalog = expanded_catalog(client)
    by_id = {values(n, DCT + "identifier")[0]: n for n in catalog[DCAT + "dataset"]}

    for dataset in data.public:
        distributions = by_id[dataset.public_id][DCAT + "distribution"]
        downloads = [values(d, DCAT + "downloadURL") for d in distributions]
        assert downloads == [[PUBLIC_URL + url] for url in file_urls(dataset)]
        for distribution in distributions:
            assert values(distribution, DCAT + "accessURL") == values(
                distribution, DCAT + "downloadURL"
            )
        media = [values(d, DCAT + "mediaType") for d in distributions]
        iana = "https://www.iana.org/assignments/media-types/"
        assert media == [[iana + "text/csv"], [iana + "text/csv"], [iana + "application/json"]]
        formats = [values(d, DCT + "format") for d in distributions]
        eu = "http://publications.europa.eu/resource/authority/file-type/"
        assert formats == [[eu + "CSV"], [eu + "CSV"], [eu + "JSON"]]
        if dataset.licence == "CC-BY-4.0":
            for distribution in distributions:
                assert values(distribution, DCT + "license") == [
                    "https://creativecommons.org/licenses/by/4.0/"
                ]
    status = "http://publications.europa.eu/resource/authority/distribution-status/"
    old = by_id["FOREIGN_NATIONALS-v1"][DCAT + "distribution"]
    new = by_id["FOREIGN_NATIONALS-v2"][DCAT + "distribution"]
    assert {values(d, "http://www.w3.org/ns/adms#status")[0] for d in old} == {
        status + "DEPRECATED"
    }
    assert {values(d, "http://www.w3.org/ns/adms#status")[0] for d in new} == {status + "COMPLETED"}


def test_every_address_in_the_catalogue_answers(client: Client, data: OpenData) -> None:
    catalog = expanded_catalog(client)

    for node in catalog[DCAT + "dataset"]:
        for distribution in node[DCAT + "distribution"]:
            [address] = values(distribution, DCAT + "downloadURL")
            response = client.get(address.removeprefix(PUBLIC_URL))
            assert response.status_code == 200, address
            body(response)


# --- What may not be seen -----------------------------------------------------------------------


def test_drafts_discarded_and_unknown_versions_are_not_found(
    client: Client, data: OpenData
) -> None:
    addresses = [url for dataset in data.hidden for url in file_urls(dataset)]
    addresses += file_urls(Dataset(public_id="FOREIGN_NATIONALS-v9"))

    for address in addresses:
        response = client.get(address)
        assert response.status_code == 404, address
        assert response["Content-Type"] == "application/json"
        assert "public" not in response.get("Cache-Control", "")
        assert "ETag" not in response
        assert response["Access-Control-Allow-Origin"] == "*"
    assert client.get("/opendata/datasets/foreign-v1.csv").status_code == 404


# --- Caching, CORS, methods ----------------------------------------------------------------------


def test_a_version_s_files_are_cached_publicly_with_an_etag_and_last_modified(
    client: Client, data: OpenData
) -> None:
    etags = set()
    for address in file_urls(data.foreign_v1):
        response = client.get(address)
        body(response)

        cache_control = response["Cache-Control"]
        assert "public" in cache_control
        assert "max-age=86400" in cache_control
        assert "immutable" in cache_control
        assert "private" not in cache_control
        assert "no-store" not in cache_control
        assert response["Last-Modified"] == http_date(FIRST_PUBLISHED.timestamp())
        assert response["ETag"].startswith('"FOREIGN_NATIONALS-v1-')
        assert response["Access-Control-Allow-Origin"] == "*"
        assert "ETag" in response["Access-Control-Expose-Headers"]
        etags.add(response["ETag"])
    assert len(etags) == 1  # one version, one ETag for each of its addresses


def test_asking_again_with_the_etag_or_the_date_answers_not_modified(
    client: Client, data: OpenData
) -> None:
    for address in file_urls(data.foreign_v2):
        first = client.get(address)
        body(first)

        by_etag = client.get(address, headers={"If-None-Match": first["ETag"]})
        by_date = client.get(address, headers={"If-Modified-Since": first["Last-Modified"]})
        other = client.get(address, headers={"If-None-Match": '"something-else"'})

        for response in (by_etag, by_date):
            assert response.status_code == 304, address
            assert response.content == b""
            assert response["ETag"] == first["ETag"]
            assert "max-age=86400" in response["Cache-Control"]
            assert response["Access-Control-Allow-Origin"] == "*"
        assert other.status_code == 200
        body(other)


def test_compressed_files_keep_their_caching_and_still_answer_not_modified(
    client: Client, data: OpenData
) -> None:
    response = client.get(csv_url(data.foreign_v2), headers={"Accept-Encoding": "gzip"})
    plain = body(client.get(csv_url(data.foreign_v2)))

    assert response["Content-Encoding"] == "gzip"
    assert gzip.decompress(b"".join(response.streaming_content)).decode() == plain
    assert "public" in response["Cache-Control"]
    assert response["ETag"].startswith('W/"FOREIGN_NATIONALS-v2-')
    again = client.get(
        csv_url(data.foreign_v2),
        headers={"Accept-Encoding": "gzip", "If-None-Match": response["ETag"]},
    )
    assert again.status_code == 304


def test_the_catalogue_is_cached_briefly_and_changes_with_a_publication(
    client: Client, data: OpenData
) -> None:
    first = client.get(reverse("opendata_catalog"))

    assert "public" in first["Cache-Control"]
    assert "max-age=300" in first["Cache-Control"]
    assert "immutable" not in first["Cache-Control"]
    assert first["Last-Modified"] == http_date(SECOND_PUBLISHED.timestamp())
    assert first["Access-Control-Allow-Origin"] == "*"
    unchanged = client.get(reverse("opendata_catalog"), headers={"If-None-Match": first["ETag"]})
    assert unchanged.status_code == 304
    assert "max-age=300" in unchanged["Cache-Control"]

    publish_dataset(dataset=data.draft, actor=None, now=LATER)

    changed = client.get(reverse("opendata_catalog"), headers={"If-None-Match": first["ETag"]})
    assert changed.status_code == 200
    assert changed["ETag"] != first["ETag"]
    assert "DRAFT_ONLY-v1" in body(changed)
    assert client.get(sdmx_url(data.draft)).status_code == 200


def test_the_answers_are_for_any_origin_and_only_for_reading(
    client: Client, data: OpenData
) -> None:
    address = sdmx_url(data.foreign_v1)

    preflight = client.options(address)
    posted = client.post(address)
    head = client.head(address)

    assert preflight.status_code == 204
    assert preflight["Access-Control-Allow-Origin"] == "*"
    assert "If-None-Match" in preflight["Access-Control-Allow-Headers"]
    assert posted.status_code == 405
    assert posted["Allow"] == "GET, HEAD, OPTIONS"
    assert head.status_code == 200
    assert head["ETag"]
    assert head["Content-Type"] == "application/vnd.sdmx.data+csv; version=2.0.0"


def test_a_logged_in_member_of_staff_gets_the_files_uncached_like_every_page_for_them(
    client: Client, data: OpenData, make_staff: Any, national_unit: Any, login_verified: Any
) -> None:
    login_verified(client, make_staff(Role.ANALYST, national_unit))

    response = client.get(csv_url(data.foreign_v2), headers={"Accept-Encoding": "gzip"})

    # core.middleware.PersonalPagesMiddleware: a logged-in user's every response is theirs
    # alone, so no cache keeps it and it is not compressed; the file is the same.
    assert response.status_code == 200
    assert "private" in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]
    assert "Content-Encoding" not in response
    assert csv_rows(body(response))[0][0] == "SEX"
