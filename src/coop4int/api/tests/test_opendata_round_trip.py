"""The issue's round trip: an SDMX-CSV file imported and published, downloaded again as
SDMX-CSV and imported again, gives the same observations (period, key, value, flags); the
CSV with its data package, downloaded side by side, imports again through the CSV path with
the same observations and the same provenance. And an empty catalogue is still a catalogue."""

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from pyld import jsonld

from coop4int.observatory.domain.datasets import Provenance, import_dataset, publish_dataset
from coop4int.observatory.enums import Concept, FileFormat, UnitOfMeasure
from coop4int.observatory.models import Dataset, Indicator

pytestmark = pytest.mark.django_db

PUBLIC_URL = "https://observatorio.example.cv"
PUBLISHED = datetime(2025, 3, 1, 10, 0, tzinfo=UTC)
REPUBLISHED = datetime(2025, 4, 1, 10, 0, tzinfo=UTC)
UN_DESA = Provenance(
    source_name="UN DESA, International Migrant Stock 2020",
    source_url="https://www.un.org/development/desa/pd/content/international-migrant-stock",
    licence="CC-BY-4.0",
    retrieved_on=date(2025, 2, 20),
)

# As an SDMX tool writes them: rows in no particular order, a value in exponent form, a
# decimal, a missing value with its status, a confidential cell whose file still holds a
# number (never stored, never published), labels after the codes.
SDMX_CSV_2 = (
    "STRUCTURE,STRUCTURE_ID,ACTION,SEX: Sex,AGE,TIME_PERIOD,OBS_VALUE,OBS_STATUS,CONF_STATUS\n"
    "dataflow,UN_DESA:DF_MIGRANT_STOCK(1.0),I,_T: Total,_T,2020,15788,A,F\n"
    "dataflow,UN_DESA:DF_MIGRANT_STOCK(1.0),I,M: Male,_T,2020,7985,,\n"
    "dataflow,UN_DESA:DF_MIGRANT_STOCK(1.0),I,F: Female,_T,2020,7803,,\n"
    "dataflow,UN_DESA:DF_MIGRANT_STOCK(1.0),I,_T,Y_GE65,2020,1.5E3,E,\n"
    "dataflow,UN_DESA:DF_MIGRANT_STOCK(1.0),I,_T,_T,2015,14912.5,P,\n"
    "dataflow,UN_DESA:DF_MIGRANT_STOCK(1.0),I,F,Y_GE65,2020,3,,C\n"
    "dataflow,UN_DESA:DF_MIGRANT_STOCK(1.0),I,_T,_T,1990,,M,\n"
    "dataflow,UN_DESA:DF_MIGRANT_STOCK(1.0),I,M,Y_GE65,2020,0.30000000000000004,,\n"
)
SDMX_CSV_1 = (
    "DATAFLOW,SEX,AGE,TIME_PERIOD,OBS_VALUE,OBS_STATUS,CONF_STATUS\n"
    "UN_DESA:DF_MIGRANT_STOCK(1.0),_T,_T,2020,15788,A,F\n"
    "UN_DESA:DF_MIGRANT_STOCK(1.0),M,_T,2020,7985,,\n"
    "UN_DESA:DF_MIGRANT_STOCK(1.0),F,_T,2020,7803,,\n"
    "UN_DESA:DF_MIGRANT_STOCK(1.0),_T,Y_GE65,2020,1.5E3,E,\n"
    "UN_DESA:DF_MIGRANT_STOCK(1.0),_T,_T,2015,14912.5,P,\n"
    "UN_DESA:DF_MIGRANT_STOCK(1.0),F,Y_GE65,2020,3,,C\n"
    "UN_DESA:DF_MIGRANT_STOCK(1.0),_T,_T,1990,,M,\n"
    "UN_DESA:DF_MIGRANT_STOCK(1.0),M,Y_GE65,2020,0.30000000000000004,,\n"
)
EXPECTED = {
    ("2020", "_T._T", 15788.0, "A", "F"),
    ("2020", "M._T", 7985.0, "", ""),
    ("2020", "F._T", 7803.0, "", ""),
    ("2020", "_T.Y_GE65", 1500.0, "E", ""),
    ("2015", "_T._T", 14912.5, "P", ""),
    ("2020", "F.Y_GE65", None, "", "C"),
    ("1990", "_T._T", None, "M", ""),
    ("2020", "M.Y_GE65", 0.1 + 0.2, "", ""),
}

Observed = set[tuple[str, str, float | None, str, str]]


@pytest.fixture(autouse=True)
def _public_url(settings: Any) -> None:
    settings.PUBLIC_URL = PUBLIC_URL


@pytest.fixture
def indicator(db: None) -> Indicator:
    return Indicator.objects.create(
        code="MIGRANT_STOCK",
        names={"en": "International migrant stock", "pt": "Stock de migrantes internacionais"},
        definitions={"en": "People living in a country other than their country of birth."},
        concept=Concept.MIGRANT_STOCK,
        unit_measure=UnitOfMeasure.PERSONS,
        dimensions=["SEX", "AGE"],
        source="UN DESA",
    )


def observations(dataset: Dataset) -> Observed:
    return set(
        dataset.observations.values_list("period", "key", "value", "obs_status", "conf_status")
    )


def download(client: Client, name: str, public_id: str) -> bytes:
    response = client.get(reverse(name, args=[public_id]))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def imported_and_published(path: Path, provenance: Provenance | None = UN_DESA) -> Dataset:
    dataset = import_dataset(path=path, indicator_code="MIGRANT_STOCK", provenance=provenance)
    return publish_dataset(dataset=dataset, actor=None, now=PUBLISHED)


@pytest.mark.parametrize("source", [SDMX_CSV_2, SDMX_CSV_1], ids=["sdmx-csv-2.0", "sdmx-csv-1.0"])
def test_an_sdmx_csv_file_downloaded_again_imports_to_the_same_observations(
    client: Client, indicator: Indicator, tmp_path: Path, source: str
) -> None:
    original = tmp_path / "migrant_stock.csv"
    original.write_text(source, encoding="utf-8")
    first = imported_and_published(original)
    assert observations(first) == EXPECTED

    downloaded = tmp_path / "MIGRANT_STOCK-v1.sdmx.csv"
    downloaded.write_bytes(download(client, "opendata_dataset_sdmx", first.public_id))
    again = import_dataset(path=downloaded, indicator_code="MIGRANT_STOCK", provenance=UN_DESA)

    assert again.file_format == FileFormat.SDMX_CSV
    assert again.dimensions == ["SEX", "AGE"]
    assert observations(again) == EXPECTED
    assert again.observation_count == first.observation_count == len(EXPECTED)
    assert (again.period_start, again.period_end) == ("1990", "2020")
    # Published in turn, it downloads as the same file but for the version in its structure.
    republished = publish_dataset(
        dataset=again, actor=None, revision_note="Downloaded and imported again.", now=REPUBLISHED
    )
    assert republished.revised_count == 0
    second_download = download(client, "opendata_dataset_sdmx", republished.public_id)
    assert second_download == downloaded.read_bytes().replace(
        b"DF_MIGRANT_STOCK(1.0)", b"DF_MIGRANT_STOCK(2.0)"
    )


def test_the_csv_and_its_data_package_downloaded_side_by_side_import_again(
    client: Client, indicator: Indicator, tmp_path: Path
) -> None:
    original = tmp_path / "migrant_stock.csv"
    original.write_text(SDMX_CSV_2, encoding="utf-8")
    first = imported_and_published(original)
    package = json.loads(download_json(client, first.public_id))
    folder = tmp_path / "download"
    folder.mkdir()
    (folder / "MIGRANT_STOCK-v1.csv").write_bytes(
        download(client, "opendata_dataset_csv", first.public_id)
    )
    # The package names the CSV by its address; beside it, by its file name.
    [resource] = package["resources"]
    assert resource["path"] == f"{PUBLIC_URL}/opendata/datasets/MIGRANT_STOCK-v1.csv"
    resource["path"] = "MIGRANT_STOCK-v1.csv"
    descriptor = folder / "datapackage.json"
    descriptor.write_text(json.dumps(package), encoding="utf-8")

    again = import_dataset(path=descriptor, indicator_code="MIGRANT_STOCK")

    assert again.file_format == FileFormat.CSV
    assert again.dimensions == ["SEX", "AGE"]
    assert observations(again) == EXPECTED
    # The provenance travels with the package.
    assert again.source_name == UN_DESA.source_name
    assert again.source_url == UN_DESA.source_url
    assert again.licence == "CC-BY-4.0"


def test_the_csv_with_the_package_s_table_schema_beside_it_imports_again(
    client: Client, indicator: Indicator, tmp_path: Path
) -> None:
    original = tmp_path / "migrant_stock.csv"
    original.write_text(SDMX_CSV_2, encoding="utf-8")
    first = imported_and_published(original)
    package = json.loads(download_json(client, first.public_id))
    csv_file = tmp_path / "MIGRANT_STOCK-v1.csv"
    csv_file.write_bytes(download(client, "opendata_dataset_csv", first.public_id))
    schema = tmp_path / "MIGRANT_STOCK-v1.schema.json"
    schema.write_text(json.dumps(package["resources"][0]["schema"]), encoding="utf-8")

    again = import_dataset(path=csv_file, indicator_code="MIGRANT_STOCK", provenance=UN_DESA)

    assert again.file_format == FileFormat.CSV
    assert observations(again) == EXPECTED


def download_json(client: Client, public_id: str) -> str:
    response = client.get(reverse("opendata_datapackage", args=[public_id]))
    assert response.status_code == 200
    return str(response.content.decode("utf-8"))


def test_an_empty_catalogue_is_still_a_catalogue(client: Client) -> None:
    response = client.get(reverse("opendata_catalog"))

    def refuse(url: str, options: Any = None) -> Any:
        raise AssertionError(f"pyld fetched {url}")

    [catalog] = jsonld.expand(response.json(), {"documentLoader": refuse})
    assert catalog["@type"] == ["http://www.w3.org/ns/dcat#Catalog"]
    assert catalog.get("http://www.w3.org/ns/dcat#dataset", []) == []
    assert "http://purl.org/dc/terms/modified" not in catalog
    assert response["ETag"]
    assert "max-age=300" in response["Cache-Control"]
