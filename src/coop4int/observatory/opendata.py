"""The observatory's open data: every public dataset version (published or superseded) written
in standard formats that anybody's tools read without us — a journalist's spreadsheet,
Eurostat's or UN DESA's SDMX tools, a DCAT-AP harvester such as data.europa.eu.

- SDMX-CSV 2.0 (``write_sdmx_csv``, ``sdmx_csv_chunks``): one row per observation, the
  dataflow ``AAI_CV:DF_<INDICATOR>(<version>.0)``;
- plain CSV (``write_csv``, ``csv_chunks``) described by a Frictionless Data Package
  (``data_package``), so that the two together import again through the CSV path;
- a DCAT-AP catalogue in JSON-LD (``dcat_catalog``) naming every public version with its three
  distributions.

The writers stream: observations are read from the database a chunk at a time, in (key,
period) order, never the whole table at once — a dataset may hold a million of them. Values
are written so that they read back exactly (``format_value``); a withheld value (a
confidentiality status in ``enums.WITHHELD``) is always written empty, whatever is stored.
Nothing here names a person: not the analyst who imported or published a version, only the
publisher (``settings.OPENDATA_PUBLISHER_NAME``).

Pure functions over the models; the views (``api.opendata_views``) add the caching headers.
Addresses are absolute, built from ``base_url`` and the URL names of ``api.opendata_urls``.
"""

import csv
import io
import math
import re
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import IO, Any

from django.conf import settings
from django.db.models import Max, QuerySet
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, gettext_noop

from coop4int.observatory import enums
from coop4int.observatory.labels import dimension_label
from coop4int.observatory.models import Dataset, Indicator, Observation
from coop4int.observatory.texts import text_in

# The SDMX agency that maintains the dataflows we write: the publisher, Cabo Verde's Alta
# Autoridade para a Imigração. An SDMX id (letters, digits, "_"); no registry assigns it, so
# it names the maintainer and the country to keep it unique among those a reader merges.
AGENCY_ID = "AAI_CV"

# Observations read from the database at a time, and rows written to the stream at a time.
CHUNK_SIZE = 2000

TIME_PERIOD = enums.Dimension.TIME_PERIOD.value
ATTRIBUTES = (enums.OBS_VALUE, enums.OBS_STATUS, enums.CONF_STATUS)
SDMX_STRUCTURE_COLUMNS = ("STRUCTURE", "STRUCTURE_ID", "ACTION")
# SDMX-CSV 2.0: the rows describe a dataflow, and ACTION "I" (information) says they are data
# to read, neither a replacement nor a deletion order for a database that holds them.
SDMX_STRUCTURE_TYPE = "dataflow"
SDMX_ACTION = "I"

SDMX_CSV_MEDIA_TYPE = "application/vnd.sdmx.data+csv; version=2.0.0"
CSV_MEDIA_TYPE = "text/csv"
JSON_MEDIA_TYPE = "application/json"

# The specifications the distributions conform to.
SDMX_CSV_SPEC = "https://github.com/sdmx-twg/sdmx-csv/tree/v2.0.0"
TABULAR_DATA_PACKAGE_SPEC = "https://specs.frictionlessdata.io/tabular-data-package/"
TABLE_SCHEMA_SPEC = "https://specs.frictionlessdata.io/table-schema/"

# Authority lists of the EU Publications Office (the vocabularies DCAT-AP asks for) and IANA.
EU_AUTHORITY = "http://publications.europa.eu/resource/authority/"
CABO_VERDE = EU_AUTHORITY + "country/CPV"
THEME_POPULATION_AND_SOCIETY = EU_AUTHORITY + "data-theme/SOCI"
FILE_TYPE_CSV = EU_AUTHORITY + "file-type/CSV"
FILE_TYPE_JSON = EU_AUTHORITY + "file-type/JSON"
DISTRIBUTION_COMPLETED = EU_AUTHORITY + "distribution-status/COMPLETED"
DISTRIBUTION_DEPRECATED = EU_AUTHORITY + "distribution-status/DEPRECATED"
IANA_MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"
FREQUENCIES: dict[str, str] = {
    enums.Periodicity.DECENNIAL.value: "DECENNIAL",
    enums.Periodicity.QUINQUENNIAL.value: "QUINQUENNIAL",
    enums.Periodicity.ANNUAL.value: "ANNUAL",
    enums.Periodicity.QUARTERLY.value: "QUARTERLY",
    enums.Periodicity.IRREGULAR.value: "IRREG",
}
# The interface languages in the EU language authority list (Kabuverdianu has no entry there;
# its texts still appear, tagged "kea").
EU_LANGUAGES = {"pt": "POR", "en": "ENG", "fr": "FRA", "es": "SPA"}

OTHER_LICENCE = "other"

# The catalogue's own title and description, in English and in every interface language with
# a translation of them.
CATALOG_TITLE = gettext_noop("Cabo Verde Migration Observatory: open data")
CATALOG_DESCRIPTION = gettext_noop(
    "Indicators on migration in Cabo Verde, from official sources and from the work of the "
    "support network, as SDMX-CSV, CSV and Frictionless Data Packages."
)

# JSON-LD context, inline so that reading the catalogue fetches nothing.
DCAT_CONTEXT: dict[str, str] = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "adms": "http://www.w3.org/ns/adms#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}


# --- Values and periods ------------------------------------------------------------------------


def format_value(value: float | None, conf_status: str = "") -> str:
    """An observation's value as written: empty when missing, withheld or not a finite number;
    a whole number without ".0" (so that counts read as counts, whatever their size); any other
    number by ``repr``, the shortest text that reads back as the same float."""
    if value is None or conf_status in enums.WITHHELD or not math.isfinite(value):
        return ""
    if value.is_integer():
        return str(int(value))
    return repr(value)


_YEAR = re.compile(r"^(\d{4})(?:-A1)?$")
_SUBYEAR = re.compile(r"^(\d{4})-([STQMWD])(\d{2,3}|[1-4])$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_MONTHS_IN = {"S": 6, "T": 4, "Q": 3, "M": 1}


def period_bounds(period: str) -> tuple[date, date] | None:
    """The first and last day of an SDMX TIME_PERIOD ("2021", "2021-A1", "2026-S1", "2026-T2",
    "2026-Q3", "2026-M03" or "2026-03", "2026-W05", "2026-D032", "2026-03-15"); None for one
    we do not read (a range such as "2021-01-01/P3M")."""
    try:
        if match := _YEAR.match(period):
            year = int(match[1])
            return date(year, 1, 1), date(year, 12, 31)
        if match := _SUBYEAR.match(period):
            year, kind, number = int(match[1]), match[2], int(match[3])
            if kind == "W":
                monday = date.fromisocalendar(year, number, 1)
                return monday, monday + timedelta(days=6)
            if kind == "D":
                day = date(year, 1, 1) + timedelta(days=number - 1)
                return (day, day) if number >= 1 and day.year == year else None
            months = _MONTHS_IN[kind]
            if not 1 <= number <= 12 // months:
                return None
            return _months(year, (number - 1) * months + 1, months)
        if match := _MONTH.match(period):
            return _months(int(match[1]), int(match[2]), 1)
        if match := _DAY.match(period):
            day = date(int(match[1]), int(match[2]), int(match[3]))
            return day, day
    except ValueError:
        return None
    return None


def _months(year: int, first_month: int, count: int) -> tuple[date, date]:
    start = date(year, first_month, 1)
    after = first_month + count
    end = date(year + (after - 1) // 12, (after - 1) % 12 + 1, 1) - timedelta(days=1)
    return start, end


# --- Addresses ---------------------------------------------------------------------------------


def catalog_url(base_url: str) -> str:
    return base_url.rstrip("/") + reverse("opendata_catalog")


def sdmx_csv_url(dataset: Dataset, base_url: str) -> str:
    return base_url.rstrip("/") + reverse("opendata_dataset_sdmx", args=[dataset.public_id])


def csv_url(dataset: Dataset, base_url: str) -> str:
    return base_url.rstrip("/") + reverse("opendata_dataset_csv", args=[dataset.public_id])


def data_package_url(dataset: Dataset, base_url: str) -> str:
    return base_url.rstrip("/") + reverse("opendata_datapackage", args=[dataset.public_id])


def file_name(dataset: Dataset, extension: str) -> str:
    """The name a download is saved under: ``FOREIGN_NATIONALS-v2.sdmx.csv``."""
    return f"{dataset.public_id}.{extension}"


# --- Rows --------------------------------------------------------------------------------------


def structure_id(dataset: Dataset) -> str:
    """The dataflow a version is written as: ``AAI_CV:DF_<INDICATOR>(<version>.0)``."""
    return f"{AGENCY_ID}:DF_{dataset.indicator.code}({dataset.version}.0)"


def sdmx_csv_header(dataset: Dataset) -> list[str]:
    return [*SDMX_STRUCTURE_COLUMNS, *dataset.dimensions, TIME_PERIOD, *ATTRIBUTES]


def csv_header(dataset: Dataset) -> list[str]:
    return [*dataset.dimensions, TIME_PERIOD, *ATTRIBUTES]


def observation_rows(dataset: Dataset) -> Iterator[list[str]]:
    """The dataset's observations as written in CSV (dimension codes…, period, value,
    statuses), ordered by key then period, read ``CHUNK_SIZE`` at a time."""
    width = len(dataset.dimensions)
    rows = (
        Observation.objects.filter(dataset=dataset)
        .order_by("key", "period")
        .values_list("key", "period", "value", "obs_status", "conf_status")
        .iterator(chunk_size=CHUNK_SIZE)
    )
    for key, period, value, obs_status, conf_status in rows:
        codes = key.split(".") if width else []
        yield [*codes, period, format_value(value, conf_status), obs_status, conf_status]


def _chunks(header: list[str], prefix: list[str], dataset: Dataset) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    pending = 0
    for row in observation_rows(dataset):
        writer.writerow([*prefix, *row])
        pending += 1
        if pending == CHUNK_SIZE:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    if rest := buffer.getvalue():
        yield rest


def sdmx_csv_chunks(dataset: Dataset) -> Iterator[str]:
    """The SDMX-CSV 2.0 text of a dataset, in pieces of ``CHUNK_SIZE`` rows (for a streamed
    response)."""
    prefix = [SDMX_STRUCTURE_TYPE, structure_id(dataset), SDMX_ACTION]
    return _chunks(sdmx_csv_header(dataset), prefix, dataset)


def csv_chunks(dataset: Dataset) -> Iterator[str]:
    """The plain CSV text of a dataset (the one its data package describes), in pieces."""
    return _chunks(csv_header(dataset), [], dataset)


def write_sdmx_csv(dataset: Dataset, stream: IO[str]) -> None:
    """Write the dataset as SDMX-CSV 2.0 to a text stream (open it with ``newline=""``)."""
    for chunk in sdmx_csv_chunks(dataset):
        stream.write(chunk)


def write_csv(dataset: Dataset, stream: IO[str]) -> None:
    """Write the dataset as plain CSV to a text stream (open it with ``newline=""``)."""
    for chunk in csv_chunks(dataset):
        stream.write(chunk)


# --- Data package ------------------------------------------------------------------------------


def _texts(texts: dict[str, str]) -> dict[str, str]:
    return {code: text for code, text in sorted(texts.items()) if text}


def _package_language() -> str:
    """Texts in a data package (which holds one language) are in the site's default one."""
    return str(settings.LANGUAGE_CODE)


def _title(indicator: Indicator, language: str) -> str:
    return text_in(indicator.names, language).text or indicator.code


def _description(indicator: Indicator, language: str) -> str:
    return text_in(indicator.definitions, language).text or _title(indicator, language)


def _licence(dataset: Dataset) -> tuple[str, str, str]:
    """(SPDX id, title, address) of the dataset's licence; the address is empty for "other"
    (the source says), and a code we do not know is "other" rather than a guess."""
    code = dataset.licence if dataset.licence in enums.LICENCES else OTHER_LICENCE
    title, url = enums.LICENCES[code]
    return code, str(title), url


def table_schema(dataset: Dataset) -> dict[str, Any]:
    """The Frictionless Table Schema of the plain CSV: every dimension and the period required
    (together the primary key), the value a number (empty when missing or withheld), the
    statuses codes of the SDMX code lists."""
    language = _package_language()
    with translation.override(language):
        fields: list[dict[str, Any]] = [
            {
                "name": dimension,
                "title": dimension_label(dimension),
                "type": "string",
                "constraints": {"required": True},
            }
            for dimension in dataset.dimensions
        ]
        fields.append(
            {
                "name": TIME_PERIOD,
                "title": dimension_label(TIME_PERIOD),
                "description": "SDMX TIME_PERIOD (2021, 2026-Q3, 2026-M03…)",
                "type": "string",
                "constraints": {"required": True},
            }
        )
        fields.append(
            {
                "name": enums.OBS_VALUE,
                "title": str(enums.UnitOfMeasure(dataset.indicator.unit_measure).label),
                "description": f"UNIT_MEASURE {dataset.indicator.unit_measure}",
                "type": "number",
            }
        )
        # Import refuses any other code (``RowChecker``), so the code lists are complete.
        for name, codes, code_list in (
            (enums.OBS_STATUS, enums.ObsStatus.values, "CL_OBS_STATUS"),
            (enums.CONF_STATUS, enums.ConfStatus.values, "CL_CONF_STATUS"),
        ):
            fields.append(
                {
                    "name": name,
                    "description": f"SDMX {code_list}",
                    "type": "string",
                    "constraints": {"enum": sorted(codes)},
                }
            )
    return {
        "fields": fields,
        "primaryKey": [*dataset.dimensions, TIME_PERIOD],
        "missingValues": [""],
    }


def _package_name(dataset: Dataset) -> str:
    # Data package names are lower case: letters, digits, "-", "_", ".".
    return dataset.public_id.lower()


def data_package(dataset: Dataset, *, base_url: str) -> dict[str, Any]:
    """The Frictionless (tabular) Data Package of a dataset version: what it is, where it
    comes from, under which licence, and one resource — the plain CSV at its absolute address —
    with its Table Schema."""
    indicator = dataset.indicator
    language = _package_language()
    licence_id, licence_title, licence_url = _licence(dataset)
    licences: list[dict[str, str]] = []
    if licence_url:
        licences.append({"name": licence_id, "path": licence_url, "title": licence_title})
    elif dataset.source_url:
        # "Other: see the source": the source's address is where its terms are.
        licences.append({"path": dataset.source_url, "title": licence_title})
    source: dict[str, str] = {"title": dataset.source_name}
    if dataset.source_url:
        source["path"] = dataset.source_url
    publisher: dict[str, str] = {"title": settings.OPENDATA_PUBLISHER_NAME, "role": "publisher"}
    if settings.OPENDATA_PUBLISHER_URL:
        publisher["path"] = settings.OPENDATA_PUBLISHER_URL
    created = dataset.published_at or dataset.created_at
    package: dict[str, Any] = {
        "profile": "tabular-data-package",
        "id": data_package_url(dataset, base_url),
        "name": _package_name(dataset),
        "title": _title(indicator, language),
        "description": _description(indicator, language),
        "version": f"{dataset.version}.0.0",
        "created": created.isoformat(timespec="seconds"),
        "keywords": [indicator.code],
        "sources": [source],
        "contributors": [publisher],
        "resources": [
            {
                "name": _package_name(dataset),
                "path": csv_url(dataset, base_url),
                "profile": "tabular-data-resource",
                "title": _title(indicator, language),
                "format": "csv",
                "mediatype": CSV_MEDIA_TYPE,
                "encoding": "utf-8",
                "dialect": {"delimiter": ",", "header": True},
                "schema": table_schema(dataset),
            }
        ],
    }
    if licences:
        package["licenses"] = licences
    if dataset.revision_note:
        # Not a Data Package property (extra ones are allowed): what changed in this version.
        package["revision_note"] = dataset.revision_note
    return package


# --- DCAT-AP -----------------------------------------------------------------------------------


def public_datasets() -> QuerySet[Dataset]:
    """Every version anyone may read and download, by indicator then version."""
    return (
        Dataset.objects.filter(status__in=enums.PUBLIC_STATUSES)
        .select_related("indicator")
        .order_by("indicator__code", "version")
    )


def catalog_modified() -> datetime | None:
    """When the catalogue last changed: the latest publication (a publication is also when a
    version becomes superseded)."""
    latest: datetime | None = public_datasets().aggregate(latest=Max("published_at"))["latest"]
    return latest


def _literals(texts: dict[str, str]) -> list[dict[str, str]]:
    return [{"@value": text, "@language": code} for code, text in _texts(texts).items()]


def _interface_literals(message: str) -> list[dict[str, str]]:
    """``message`` in English and in each interface language that translates it, tagged."""
    literals = [{"@value": message, "@language": "en"}]
    for code, _name in settings.LANGUAGES:
        if code == "en":
            continue
        with translation.override(code):
            text = gettext(message)
        if text != message:
            literals.append({"@value": text, "@language": code})
    return literals


def _typed(value: str, datatype: str) -> dict[str, str]:
    return {"@value": value, "@type": datatype}


def _publisher() -> dict[str, Any]:
    agent: dict[str, Any] = {
        "@type": "foaf:Agent",
        "foaf:name": settings.OPENDATA_PUBLISHER_NAME,
    }
    if settings.OPENDATA_PUBLISHER_URL:
        agent["@id"] = settings.OPENDATA_PUBLISHER_URL
        agent["foaf:homepage"] = {"@id": settings.OPENDATA_PUBLISHER_URL}
    return agent


def _contact_point() -> dict[str, Any]:
    contact: dict[str, Any] = {
        "@type": "vcard:Organization",
        "vcard:fn": settings.OPENDATA_PUBLISHER_NAME,
    }
    if settings.OPENDATA_PUBLISHER_URL:
        contact["vcard:hasURL"] = {"@id": settings.OPENDATA_PUBLISHER_URL}
    return contact


def _dataset_id(dataset: Dataset, base_url: str) -> str:
    return f"{catalog_url(base_url)}#{dataset.public_id}"


def _license_node(dataset: Dataset) -> dict[str, Any] | None:
    _code, title, url = _licence(dataset)
    if not url:
        return None
    return {"@id": url, "@type": "dct:LicenseDocument", "rdfs:label": title}


def _temporal(dataset: Dataset) -> dict[str, Any] | None:
    first = period_bounds(dataset.period_start)
    last = period_bounds(dataset.period_end)
    if first is None or last is None:
        return None
    return {
        "@type": "dct:PeriodOfTime",
        "dcat:startDate": _typed(first[0].isoformat(), "xsd:date"),
        "dcat:endDate": _typed(last[1].isoformat(), "xsd:date"),
    }


def _provenance(dataset: Dataset) -> str:
    parts = [dataset.source_name]
    if dataset.source_url:
        parts.append(dataset.source_url)
    if dataset.retrieved_on:
        parts.append(f"retrieved {dataset.retrieved_on.isoformat()}")
    if dataset.provenance_note:
        parts.append(dataset.provenance_note)
    return "; ".join(parts)


def _distribution(
    dataset: Dataset,
    *,
    node_id: str,
    url: str,
    title: str,
    file_type: str,
    media_type: str,
    conforms_to: str,
    licence: dict[str, Any] | None,
) -> dict[str, Any]:
    status = (
        DISTRIBUTION_COMPLETED
        if dataset.status == enums.DatasetStatus.PUBLISHED
        else DISTRIBUTION_DEPRECATED
    )
    distribution: dict[str, Any] = {
        "@id": node_id,
        "@type": "dcat:Distribution",
        "dct:title": title,
        "dcat:accessURL": {"@id": url},
        "dcat:downloadURL": {"@id": url},
        "dct:format": {"@id": file_type, "@type": "dct:MediaTypeOrExtent"},
        "dcat:mediaType": {"@id": IANA_MEDIA_TYPES + media_type, "@type": "dct:MediaType"},
        "dct:conformsTo": {"@id": conforms_to, "@type": "dct:Standard"},
        "adms:status": {"@id": status, "@type": "skos:Concept"},
    }
    if dataset.published_at:
        distribution["dct:modified"] = _typed(
            dataset.published_at.isoformat(timespec="seconds"), "xsd:dateTime"
        )
    if licence is not None:
        distribution["dct:license"] = licence
    return distribution


def _dcat_dataset(
    dataset: Dataset,
    *,
    base_url: str,
    replaces: Dataset | None,
    replaced_by: Dataset | None,
) -> dict[str, Any]:
    indicator = dataset.indicator
    node_id = _dataset_id(dataset, base_url)
    titles = _literals(indicator.names) or [{"@value": indicator.code}]
    descriptions = _literals(indicator.definitions) or titles
    licence = _license_node(dataset)
    node: dict[str, Any] = {
        "@id": node_id,
        "@type": "dcat:Dataset",
        "dct:identifier": dataset.public_id,
        "dct:title": titles,
        "dct:description": descriptions,
        "dct:publisher": _publisher(),
        "dcat:contactPoint": _contact_point(),
        "dcat:keyword": [indicator.code],
        "dcat:theme": {"@id": THEME_POPULATION_AND_SOCIETY, "@type": "skos:Concept"},
        "dct:spatial": {"@id": CABO_VERDE, "@type": "dct:Location"},
        "owl:versionInfo": str(dataset.version),
        "dcat:version": str(dataset.version),
        "dct:source": _source(dataset),
        "dct:provenance": {
            "@type": "dct:ProvenanceStatement",
            "rdfs:label": _provenance(dataset),
        },
    }
    if licence is not None:
        node["dct:license"] = licence
    if indicator.periodicity in FREQUENCIES:
        node["dct:accrualPeriodicity"] = {
            "@id": EU_AUTHORITY + "frequency/" + FREQUENCIES[indicator.periodicity],
            "@type": "dct:Frequency",
        }
    if (temporal := _temporal(dataset)) is not None:
        node["dct:temporal"] = temporal
    if dataset.published_at:
        stamp = _typed(dataset.published_at.isoformat(timespec="seconds"), "xsd:dateTime")
        node["dct:issued"] = stamp
        node["dct:modified"] = stamp
    if dataset.revision_note:
        node["adms:versionNotes"] = dataset.revision_note
    if replaces is not None:
        node["dct:replaces"] = {"@id": _dataset_id(replaces, base_url)}
        node["dcat:previousVersion"] = {"@id": _dataset_id(replaces, base_url)}
    if replaced_by is not None:
        node["dct:isReplacedBy"] = {"@id": _dataset_id(replaced_by, base_url)}
    node["dcat:distribution"] = [
        _distribution(
            dataset,
            node_id=f"{node_id}-sdmx-csv",
            url=sdmx_csv_url(dataset, base_url),
            title="SDMX-CSV 2.0",
            file_type=FILE_TYPE_CSV,
            media_type=CSV_MEDIA_TYPE,
            conforms_to=SDMX_CSV_SPEC,
            licence=licence,
        ),
        _distribution(
            dataset,
            node_id=f"{node_id}-csv",
            url=csv_url(dataset, base_url),
            title="CSV",
            file_type=FILE_TYPE_CSV,
            media_type=CSV_MEDIA_TYPE,
            conforms_to=TABLE_SCHEMA_SPEC,
            licence=licence,
        ),
        _distribution(
            dataset,
            node_id=f"{node_id}-datapackage",
            url=data_package_url(dataset, base_url),
            title="Frictionless Data Package",
            file_type=FILE_TYPE_JSON,
            media_type=JSON_MEDIA_TYPE,
            conforms_to=TABULAR_DATA_PACKAGE_SPEC,
            licence=licence,
        ),
    ]
    return node


def _source(dataset: Dataset) -> dict[str, Any]:
    """The dataset the figures were taken from (for the platform's own tables: its records)."""
    source: dict[str, Any] = {"@type": "dcat:Dataset", "dct:title": dataset.source_name}
    if dataset.source_url:
        source["@id"] = dataset.source_url
        source["dcat:landingPage"] = {"@id": dataset.source_url}
    return source


def dcat_catalog(*, base_url: str) -> dict[str, Any]:
    """The DCAT-AP catalogue (JSON-LD, its context inline): every public dataset version —
    current and superseded, linked to each other — with its three distributions. Drafts and
    discarded versions never appear."""
    datasets = list(public_datasets())
    by_pk = {dataset.pk: dataset for dataset in datasets}
    replaced_by: dict[int, Dataset] = {}
    for dataset in datasets:
        if dataset.replaces_id in by_pk:
            replaced_by[dataset.replaces_id] = dataset
    languages = [
        {"@id": EU_AUTHORITY + "language/" + EU_LANGUAGES[code], "@type": "dct:LinguisticSystem"}
        for code, _name in settings.LANGUAGES
        if code in EU_LANGUAGES
    ]
    catalog: dict[str, Any] = {
        "@context": DCAT_CONTEXT,
        "@id": catalog_url(base_url),
        "@type": "dcat:Catalog",
        "dct:title": _interface_literals(CATALOG_TITLE),
        "dct:description": _interface_literals(CATALOG_DESCRIPTION),
        "dct:publisher": _publisher(),
        "foaf:homepage": {"@id": base_url.rstrip("/") + "/"},
        "dct:language": languages,
        "dct:spatial": {"@id": CABO_VERDE, "@type": "dct:Location"},
        "dcat:themeTaxonomy": {
            "@id": EU_AUTHORITY + "data-theme",
            "@type": "skos:ConceptScheme",
        },
        "dcat:dataset": [
            _dcat_dataset(
                dataset,
                base_url=base_url,
                replaces=by_pk.get(dataset.replaces_id) if dataset.replaces_id else None,
                replaced_by=replaced_by.get(dataset.pk),
            )
            for dataset in datasets
        ],
    }
    modified = max((d.published_at for d in datasets if d.published_at), default=None)
    if modified is not None:
        catalog["dct:modified"] = _typed(modified.isoformat(timespec="seconds"), "xsd:dateTime")
    return catalog
