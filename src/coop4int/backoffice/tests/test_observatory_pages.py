"""The analyst's observatory pages: importing a file as a draft (a refused file lists every
problem and saves nothing), the preview with what changes against the published version,
publishing and discarding, the indicator registry, and who may open them."""

import html
import json
import re
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from coop4int.accounts.enums import Role
from coop4int.core.models import AuditEntry
from coop4int.observatory.domain.datasets import Provenance, Row, publish_dataset, store_dataset
from coop4int.observatory.enums import (
    Concept,
    DatasetOrigin,
    DatasetStatus,
    FileFormat,
    Periodicity,
)
from coop4int.observatory.models import Dataset, Indicator, Observation

pytestmark = pytest.mark.django_db

SDMX_CSV = (
    "STRUCTURE,STRUCTURE_ID,ACTION,SEX,MUNICIPALITY,TIME_PERIOD,OBS_VALUE,OBS_STATUS,CONF_STATUS\n"
    "dataflow,INE_CV:FOREIGN_NATIONALS(1.0),I,F,CV-PR,2021,2110,A,F\n"
    "dataflow,INE_CV:FOREIGN_NATIONALS(1.0),I,M,CV-PR,2021,2650,A,F\n"
    "dataflow,INE_CV:FOREIGN_NATIONALS(1.0),I,_T,CV-PR,2021,4760,E,F\n"
    "dataflow,INE_CV:FOREIGN_NATIONALS(1.0),I,F,CV-SV,2021,,,C\n"
)
# Line 3: no such period; line 4: a value that is no number.
BAD_SDMX_CSV = (
    "STRUCTURE,STRUCTURE_ID,ACTION,SEX,MUNICIPALITY,TIME_PERIOD,OBS_VALUE,OBS_STATUS,CONF_STATUS\n"
    "dataflow,INE_CV:FOREIGN_NATIONALS(1.0),I,F,CV-PR,2021,2110,A,F\n"
    "dataflow,INE_CV:FOREIGN_NATIONALS(1.0),I,M,CV-PR,year 2021,2650,A,F\n"
    "dataflow,INE_CV:FOREIGN_NATIONALS(1.0),I,_T,CV-PR,2021,many,A,F\n"
)


def url(name, *args):
    return reverse(f"backoffice:{name}", args=args)


def resolves(name, *args):
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


@pytest.fixture
def analyst(make_staff, national_unit):
    return make_staff(Role.ANALYST, national_unit, username="analista")


@pytest.fixture
def as_analyst(client, login_verified, analyst):
    """The analyst's client, reading the pages in English."""
    login_verified(client, analyst)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def indicator(db):
    return Indicator.objects.create(
        code="FOREIGN_NATIONALS",
        names={"en": "Foreign nationals", "pt": "Estrangeiros"},
        concept=Concept.FOREIGN_NATIONALS,
        dimensions=["SEX", "MUNICIPALITY"],
        source="INE",
        periodicity=Periodicity.DECENNIAL,
    )


def draft(indicator, rows, *, origin=DatasetOrigin.IMPORTED, **fields):
    return store_dataset(
        indicator=indicator,
        dimensions=("SEX", "MUNICIPALITY"),
        rows=[Row(*row) for row in rows],
        provenance=Provenance(source_name="INE Cabo Verde", retrieved_on=date(2024, 5, 2)),
        origin=origin,
        actor=None,
        file_format=FileFormat.SDMX_CSV,
        **fields,
    )


def upload(text, name="foreign.csv"):
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def import_fields(**overrides):
    fields = {
        "file_format": "sdmx-csv",
        "indicator": "FOREIGN_NATIONALS",
        "source_name": "INE Cabo Verde, RGPH 2021",
        "source_url": "https://ine.cv/censo-2021/",
        "licence": "CC-BY-4.0",
        "retrieved_on": "2024-05-02",
        "note": "Quadro 3.1",
    }
    return fields | overrides


def text_of(response):
    """The page's text, as read: tags out, entities in, spaces collapsed."""
    inline = re.sub(r"</?(bdi|span|abbr|a)\b[^>]*>", "", response.content.decode())
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", inline)).split())


# --- Importing, previewing, publishing ---------------------------------------------------------


def test_an_sdmx_csv_upload_becomes_a_draft_previewed_then_published(
    as_analyst, indicator, analyst, english
):
    response = as_analyst.post(url("observatory_import"), import_fields(upload=upload(SDMX_CSV)))

    dataset = Dataset.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("observatory_dataset", "FOREIGN_NATIONALS-v1")
    assert (dataset.status, dataset.observation_count, dataset.created_by) == (
        DatasetStatus.DRAFT,
        4,
        analyst,
    )
    assert (dataset.source_name, dataset.source_url, dataset.retrieved_on) == (
        "INE Cabo Verde, RGPH 2021",
        "https://ine.cv/censo-2021/",
        date(2024, 5, 2),
    )

    preview = as_analyst.get(response["Location"])
    page = text_of(preview)
    assert "A draft: nobody outside sees it until it is published." in page
    # Codes with their labels, the flags, the withheld value.
    assert "Women (F)" in page
    assert "Praia (CV-PR)" in page
    assert "Estimated value" in page
    assert "Confidential: not published" in page
    assert "withheld" in page
    assert "2,110" in page or "2110" in page

    published = as_analyst.post(response["Location"], {"action": "publish"})

    dataset.refresh_from_db()
    assert published.status_code == 302
    assert (dataset.status, dataset.published_by) == (DatasetStatus.PUBLISHED, analyst)
    after = text_of(as_analyst.get(response["Location"], follow=True))
    assert "FOREIGN_NATIONALS-v1 is published" in after
    csv_address = resolves("opendata_dataset_csv", dataset.public_id)
    if csv_address:
        assert csv_address in as_analyst.get(response["Location"]).content.decode()


PLAIN_CSV = "SEX,MUNICIPALITY,TIME_PERIOD,OBS_VALUE\nF,CV-PR,2021,2110\nM,CV-PR,2021,2650\n"
TABLE_SCHEMA = {
    "fields": [
        {"name": "SEX", "type": "string"},
        {"name": "MUNICIPALITY", "type": "string"},
        {"name": "TIME_PERIOD", "type": "string"},
        {"name": "OBS_VALUE", "type": "number"},
    ]
}


def json_upload(document, name):
    return SimpleUploadedFile(name, json.dumps(document).encode(), content_type="application/json")


def test_a_csv_file_is_imported_with_its_table_schema(as_analyst, indicator):
    response = as_analyst.post(
        url("observatory_import"),
        import_fields(
            file_format="",
            upload=upload(PLAIN_CSV, "estrangeiros.csv"),
            schema=json_upload(TABLE_SCHEMA, "any-name.json"),
        ),
    )

    assert response.status_code == 302, text_of(response)
    dataset = Dataset.objects.get()
    assert (dataset.file_format, dataset.file_name) == (FileFormat.CSV, "estrangeiros.csv")
    assert dataset.dimensions == ["SEX", "MUNICIPALITY"]
    assert dataset.observation_count == 2


def test_a_csv_file_is_imported_with_the_data_package_naming_it(as_analyst, indicator):
    package = {
        "name": "estrangeiros",
        "resources": [
            {
                "name": "estrangeiros",
                "path": "data/estrangeiros.csv",
                "format": "csv",
                "schema": TABLE_SCHEMA,
            }
        ],
        "sources": [{"title": "INE Cabo Verde (package)", "path": "https://ine.cv/"}],
    }

    response = as_analyst.post(
        url("observatory_import"),
        import_fields(
            file_format="csv",
            source_name="",
            source_url="",
            upload=upload(PLAIN_CSV, "estrangeiros.csv"),
            schema=json_upload(package, "datapackage.json"),
        ),
    )

    assert response.status_code == 302, text_of(response)
    dataset = Dataset.objects.get()
    # The source the form left empty is the package's.
    assert (dataset.source_name, dataset.source_url) == (
        "INE Cabo Verde (package)",
        "https://ine.cv/",
    )
    assert dataset.observation_count == 2


def test_a_csv_file_without_its_schema_is_refused_saying_so(as_analyst, indicator):
    response = as_analyst.post(
        url("observatory_import"),
        import_fields(file_format="csv", upload=upload(PLAIN_CSV, "estrangeiros.csv")),
    )

    assert response.status_code == 200
    assert "needs its Table Schema" in text_of(response)
    assert not Dataset.objects.exists()


def test_a_schema_that_is_no_table_schema_is_refused_by_the_form(as_analyst, indicator):
    response = as_analyst.post(
        url("observatory_import"),
        import_fields(
            file_format="csv",
            upload=upload(PLAIN_CSV, "estrangeiros.csv"),
            schema=json_upload(["not", "a", "schema"], "schema.json"),
        ),
    )

    assert response.status_code == 200
    assert "neither a Table Schema" in text_of(response)
    assert not Dataset.objects.exists()


def test_a_refused_file_lists_every_problem_and_saves_nothing(as_analyst, indicator, english):
    response = as_analyst.post(
        url("observatory_import"), import_fields(upload=upload(BAD_SDMX_CSV))
    )

    assert response.status_code == 200
    assert not Dataset.objects.exists()
    assert not Observation.objects.exists()
    assert not AuditEntry.objects.filter(action="observatory.dataset.imported").exists()
    source = response.content.decode()
    page = text_of(response)
    assert "The file was refused: nothing was saved" in page
    rows = re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td></tr>", source)
    lines = {
        re.sub(r"<[^>]+>", "", line): re.sub(r"<[^>]+>", "", column) for line, column, _ in rows
    }
    assert lines.get("3") == "TIME_PERIOD"
    assert lines.get("4") == "OBS_VALUE"
    # What was typed is kept; the file must be chosen again, and the page says so.
    assert 'value="INE Cabo Verde, RGPH 2021"' in source
    assert 'value="https://ine.cv/censo-2021/"' in source
    assert "a browser never keeps a chosen file" in page


def test_a_file_larger_than_the_limit_is_refused_before_reading_it(
    as_analyst, indicator, settings, english
):
    settings.OBSERVATORY_UPLOAD_MAX_MB = 0

    response = as_analyst.post(url("observatory_import"), import_fields(upload=upload(SDMX_CSV)))

    assert response.status_code == 200
    assert "The file is too large to import here: at most 0 MB." in text_of(response)
    assert "coop4int import_dataset" in text_of(response)
    assert not Dataset.objects.exists()


def test_a_draft_is_not_public(client, login_verified, analyst, indicator, english):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    dataset = draft(indicator, [("2021", ("F", "CV-PR"), 2110.0)])
    login_verified(client, analyst)
    preview = text_of(client.get(url("observatory_dataset", dataset.public_id)))
    assert "nobody outside sees it until it is published" in preview
    assert "Public page of the indicator" not in preview

    client.logout()

    for name in ("opendata_dataset_csv", "opendata_dataset_sdmx", "opendata_datapackage"):
        address = resolves(name, dataset.public_id)
        if address:
            assert client.get(address).status_code == 404, name
    page = resolves("portal:indicator", indicator.code)
    if page:
        assert client.get(page).status_code == 404
    catalogue = resolves("opendata_catalog")
    if catalogue:
        assert dataset.public_id not in client.get(catalogue).content.decode()


def test_a_new_version_shows_what_changes_and_needs_a_note(as_analyst, indicator, english):
    first = draft(
        indicator,
        [
            ("2021", ("F", "CV-PR"), 2110.0),
            ("2021", ("M", "CV-PR"), 2650.0),
            ("2021", ("F", "CV-SV"), None),
            ("2021", ("M", "CV-SV"), 300.0),
        ],
    )
    publish_dataset(dataset=first, actor=None)
    second = draft(
        indicator,
        [
            ("2021", ("F", "CV-PR"), 2110.0),  # the same
            ("2021", ("M", "CV-PR"), 2651.0),  # differs
            ("2021", ("F", "CV-SV"), 12.0),  # was missing: differs
            ("2021", ("_T", "CV-PR"), 4761.0),  # new
            # M CV-SV is gone
        ],
    )
    address = url("observatory_dataset", second.public_id)

    page = as_analyst.get(address)

    changes = dict(re.findall(r'data-count="(\w+)">\s*(\d+)', page.content.decode()))
    assert changes == {"differ": "2", "new": "1", "gone": "1"}
    assert "Compared with version 1" in text_of(page)

    refused = as_analyst.post(address, {"action": "publish", "revision_note": "  "})

    assert refused.status_code == 200
    assert "Say what changed since the published version" in text_of(refused)
    second.refresh_from_db()
    assert second.status == DatasetStatus.DRAFT

    done = as_analyst.post(
        address, {"action": "publish", "revision_note": "INE corrected two figures."}
    )

    assert done.status_code == 302
    second.refresh_from_db()
    first.refresh_from_db()
    assert (second.status, first.status) == (DatasetStatus.PUBLISHED, DatasetStatus.SUPERSEDED)
    assert second.revision_note == "INE corrected two figures."


def test_a_draft_is_discarded_and_never_published(as_analyst, indicator, english):
    dataset = draft(indicator, [("2021", ("F", "CV-PR"), 2110.0)])
    address = url("observatory_dataset", dataset.public_id)

    response = as_analyst.post(address, {"action": "discard"})

    dataset.refresh_from_db()
    assert response.status_code == 302
    assert dataset.status == DatasetStatus.DISCARDED
    again = as_analyst.post(address, {"action": "publish"})
    dataset.refresh_from_db()
    assert dataset.status == DatasetStatus.DISCARDED
    assert again.status_code == 200
    assert "cannot become" in text_of(again)
    assert "will never be public" in text_of(as_analyst.get(address))


def test_a_platform_table_says_what_its_suppressed_cells_are(
    as_analyst, indicator, settings, english
):
    settings.STATISTICS_SMALL_CELL = 10
    dataset = draft(
        indicator,
        [("2026-Q1", ("F", "CV-PR"), 20.0), ("2026-Q1", ("M", "CV-PR"), None, "Q", "C")],
        origin=DatasetOrigin.PLATFORM,
        quarter="2026-Q1",
    )

    response = as_analyst.get(url("observatory_dataset", dataset.public_id))

    page = text_of(response)
    assert "Cells shown as “<10” are suppressed by the disclosure control" in page
    assert "rounded to multiples of 10" in page
    withheld = re.search(r'data-key="M.CV-PR".*?</tr>', response.content.decode(), re.S)
    assert withheld is not None
    assert '<td class="number">&lt;10</td>' in withheld.group(0)


def queries_of(client, address):
    client.get(address)  # the first request of a session writes it
    with CaptureQueriesContext(connection) as queries:
        response = client.get(address)
    assert response.status_code == 200
    return len(queries)


def test_the_observatory_lists_drafts_first_then_published_versions(as_analyst, indicator):
    first = draft(indicator, [("2021", ("F", "CV-PR"), 2110.0)])
    publish_dataset(dataset=first, actor=None)
    second = draft(indicator, [("2021", ("F", "CV-PR"), 2111.0)])
    other = Indicator.objects.create(
        code="FOREIGN_BORN", names={"en": "Born abroad"}, concept=Concept.FOREIGN_BORN, source="INE"
    )
    born = draft(other, [("2021", ("F", "CV-PR"), 9000.0)])
    publish_dataset(dataset=born, actor=None)

    response = as_analyst.get(url("observatory"))

    source = response.content.decode()
    drafts_table = source.split('id="drafts"')[1].split("</table>")[0]
    assert second.public_id in drafts_table
    assert first.public_id not in drafts_table
    assert 'id="published-FOREIGN_BORN"' in source
    assert 'id="published-FOREIGN_NATIONALS"' in source
    assert source.index('id="drafts"') < source.index('id="published-heading"')
    assert url("observatory_import") in source
    assert url("observatory_indicators") in source


@pytest.mark.parametrize("name", ["observatory", "observatory_indicators"])
def test_a_list_page_asks_the_same_queries_whatever_it_lists(as_analyst, indicator, name):
    publish_dataset(dataset=draft(indicator, [("2021", ("F", "CV-PR"), 1.0)]), actor=None)
    before = queries_of(as_analyst, url(name))
    for number in range(3):
        more = Indicator.objects.create(
            code=f"MORE_{number}", names={"en": "More"}, concept=Concept.OTHER, source="INE"
        )
        publish_dataset(dataset=draft(more, [("2021", ("F", "CV-PR"), 1.0)]), actor=None)
        draft(more, [("2021", ("F", "CV-PR"), 2.0)])

    assert queries_of(as_analyst, url(name)) == before


# --- The indicator registry ----------------------------------------------------------------


def indicator_fields(**overrides):
    fields = {
        "code": "MIGRANT_STOCK",
        "name_pt": "Stock de migrantes internacionais",
        "name_kea": "",
        "name_en": "International migrant stock",
        "name_fr": "",
        "definition_en": "UN DESA's estimate of the foreign-born.",
        "concept": Concept.MIGRANT_STOCK,
        "unit_measure": "PS",
        "decimals": "0",
        "dimensions": ["SEX"],
        "other_dimensions": "EDUCATION_LEV",
        "source": "UN DESA, International Migrant Stock 2020",
        "periodicity": Periodicity.QUINQUENNIAL,
    }
    return fields | overrides


def test_an_analyst_adds_an_indicator(as_analyst, english):
    response = as_analyst.post(url("observatory_indicator_new"), indicator_fields())

    indicator = Indicator.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("observatory_indicator", "MIGRANT_STOCK")
    assert indicator.names == {
        "pt": "Stock de migrantes internacionais",
        "en": "International migrant stock",
    }
    assert indicator.dimensions == ["SEX", "EDUCATION_LEV"]
    assert indicator.concept == Concept.MIGRANT_STOCK
    assert AuditEntry.objects.filter(action="observatory.indicator.created").count() == 1
    page = text_of(as_analyst.get(url("observatory_indicators")))
    assert "MIGRANT_STOCK" in page
    assert "International migrant stock" in page


def test_the_concept_is_explained_so_that_analysts_keep_them_apart(as_analyst, english):
    page = text_of(as_analyst.get(url("observatory_indicator_new")))

    assert "Keep these apart: foreign nationals are counted by citizenship" in page
    assert "Foreign-born (country of birth)" in page
    assert "International migrant stock (UN DESA)" in page


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("code", "migrant stock", "A code is 2 to 40 capital letters"),
        ("other_dimensions", "EDUCATION.LEV", "Not a dimension id: EDUCATION.LEV"),
        ("decimals", "9", "Ensure this value is less than or equal to 6."),
    ],
)
def test_bad_input_is_refused_and_what_was_typed_is_kept(as_analyst, english, field, value, error):
    response = as_analyst.post(url("observatory_indicator_new"), indicator_fields(**{field: value}))

    assert response.status_code == 200
    assert not Indicator.objects.exists()
    source = response.content.decode()
    assert error in text_of(response)
    assert 'value="International migrant stock"' in source
    assert 'value="UN DESA, International Migrant Stock 2020"' in source


def test_a_name_in_at_least_one_language_is_needed(as_analyst, english):
    response = as_analyst.post(
        url("observatory_indicator_new"), indicator_fields(name_pt="", name_en=" ")
    )

    assert response.status_code == 200
    assert "Give the indicator a name in at least one language." in text_of(response)
    assert not Indicator.objects.exists()


def test_a_code_taken_already_is_refused(as_analyst, indicator, english):
    response = as_analyst.post(
        url("observatory_indicator_new"), indicator_fields(code="FOREIGN_NATIONALS")
    )

    assert response.status_code == 200
    assert "Another indicator has this code already." in text_of(response)
    assert Indicator.objects.count() == 1


def test_an_analyst_changes_an_indicator(as_analyst, indicator, english):
    address = url("observatory_indicator", indicator.code)
    shown = as_analyst.get(address).content.decode()
    assert 'value="Foreign nationals"' in shown

    response = as_analyst.post(
        address,
        indicator_fields(
            code="FOREIGN_NATIONALS",
            name_fr="Étrangers",
            concept=Concept.FOREIGN_NATIONALS,
            dimensions=["SEX", "MUNICIPALITY"],
            other_dimensions="",
        ),
    )

    assert response.status_code == 302
    indicator.refresh_from_db()
    assert indicator.names["fr"] == "Étrangers"
    assert indicator.periodicity == Periodicity.QUINQUENNIAL
    entry = AuditEntry.objects.get(action="observatory.indicator.updated")
    assert "names" in entry.data["fields"]


def test_the_code_cannot_change_once_a_dataset_is_known_by_it(as_analyst, indicator, english):
    draft(indicator, [("2021", ("F", "CV-PR"), 2110.0)])
    address = url("observatory_indicator", indicator.code)

    shown = as_analyst.get(address).content.decode()
    response = as_analyst.post(
        address, indicator_fields(code="RENAMED", concept=Concept.FOREIGN_NATIONALS)
    )

    assert re.search(r'<input[^>]*name="code"[^>]*disabled', shown)
    assert response.status_code == 302
    indicator.refresh_from_db()
    assert indicator.code == "FOREIGN_NATIONALS"
    assert indicator.source == "UN DESA, International Migrant Stock 2020"


def test_an_unknown_indicator_or_dataset_is_not_found(as_analyst):
    assert as_analyst.get(url("observatory_indicator", "NOPE")).status_code == 404
    assert as_analyst.get(url("observatory_dataset", "NOPE-v1")).status_code == 404


# --- Who may open them -----------------------------------------------------------------------


def every_address(indicator):
    dataset = draft(indicator, [("2021", ("F", "CV-PR"), 2110.0)])
    return [
        url("observatory"),
        url("observatory_import"),
        url("observatory_dataset", dataset.public_id),
        url("observatory_indicators"),
        url("observatory_indicator_new"),
        url("observatory_indicator", indicator.code),
    ]


@pytest.mark.parametrize("role", [Role.FRONT_OFFICE_OFFICER, Role.TRAINER, Role.CONTENT_EDITOR])
def test_another_role_is_refused(client, login_verified, make_staff, unit, indicator, role):
    addresses = every_address(indicator)
    login_verified(client, make_staff(role, unit))

    for address in addresses:
        assert client.get(address).status_code == 403, address
    dataset_address = addresses[2]
    assert client.post(dataset_address, {"action": "publish"}).status_code == 403
    assert client.post(url("observatory_indicator_new"), indicator_fields()).status_code == 403
    assert Dataset.objects.get().status == DatasetStatus.DRAFT
    assert Indicator.objects.count() == 1


def test_an_administrator_may_open_them(
    client, login_verified, make_staff, national_unit, indicator
):
    addresses = every_address(indicator)
    login_verified(client, make_staff(Role.ADMINISTRATOR, national_unit))

    for address in addresses:
        assert client.get(address).status_code == 200, address


def test_a_visitor_not_logged_in_is_sent_to_log_in(client, indicator):
    login = reverse("accounts:login")

    for address in every_address(indicator):
        response = client.get(address)
        assert response.status_code == 302, address
        assert response["Location"].startswith(login), address
