"""Browser journeys of the Migration Observatory: an analyst imports an official table — a
refused file first, which names its line and saves nothing —, previews the draft and publishes
it; a visitor on a small phone, in French and without JavaScript, reads the indicator, compares
its municipalities and downloads the CSV. The observatory's public pages pass axe-core and fit
a phone."""

import csv
import re

import pytest
from django.utils import translation
from playwright.sync_api import Browser, Page, expect

from coop4int.accounts.enums import Role
from coop4int.observatory.domain.datasets import Provenance, import_dataset, publish_dataset
from coop4int.observatory.domain.registry import create_indicator
from coop4int.observatory.enums import Concept, DatasetStatus
from coop4int.observatory.models import Dataset, Indicator, Observation
from tests.e2e.steps import in_language, log_in
from tests.e2e.test_accessibility import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}
NAMES = {
    "pt": "Residentes de nacionalidade estrangeira",
    "kea": "Residentis di nasionalidadi stranjeru",
    "en": "Residents of foreign nationality",
    "fr": "Résidents de nationalité étrangère",
}
HEADER = "STRUCTURE,STRUCTURE_ID,ACTION,SEX,MUNICIPALITY,TIME_PERIOD,OBS_VALUE,OBS_STATUS\n"
ROWS = [
    ("_T", "_T", "2021", "10875", ""),
    ("F", "_T", "2021", "5102", ""),
    ("M", "_T", "2021", "5773", ""),
    ("_T", "CV-PR", "2021", "5210", ""),
    ("_T", "CV-SV", "2021", "1630", "E"),
    ("_T", "CV-SL", "2021", "1904", ""),
    ("_T", "_T", "2010", "14373", ""),
]


def _sdmx(rows: list[tuple[str, ...]]) -> str:
    return HEADER + "".join(f"dataflow,INE_CV:DF_FOREIGN(1.0),I,{','.join(row)}\n" for row in rows)


def pt(message: str) -> str:
    return in_language("pt", message)


def pt_in(context: str, message: str) -> str:
    with translation.override("pt"):
        return translation.pgettext(context, message)


def fr(message: str) -> str:
    return in_language("fr", message)


@pytest.fixture
def indicator(db) -> Indicator:
    return create_indicator(
        actor=None, code="FOREIGN_NATIONALS", names=NAMES,
        definitions={"fr": "Résidents sans la nationalité cap-verdienne."}, notes={},
        concept=Concept.FOREIGN_NATIONALS, unit_measure="PS", decimals=0,
        dimensions=["SEX", "MUNICIPALITY"], source="INE Cabo Verde", periodicity="decennial",
    )  # fmt: skip


def _phone(browser: Browser, base_url: str, locale: str, *, javascript: bool) -> Page:
    context = browser.new_context(
        base_url=base_url, viewport=PHONE, locale=locale, java_script_enabled=javascript,
        accept_downloads=True,
    )  # fmt: skip
    page = context.new_page()
    page.set_default_timeout(10_000)
    return page


def _fits_the_screen(page: Page) -> None:
    page.wait_for_load_state("load")
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"{page.url} scrolls sideways: {width}"


def test_an_analyst_imports_a_table_previews_it_and_publishes_it(
    browser, live_server, make_staff, national_unit, indicator, tmp_path
):
    analyst = make_staff(Role.ANALYST, national_unit)
    page = _phone(browser, live_server.url, "pt-PT", javascript=True)
    log_in(page, analyst)
    page.get_by_role("link", name=pt("Observatory")).first.click()
    page.get_by_role("link", name=pt("Import a file")).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(pt("Import a file"))

    # A figure that is no number, on the file's fourth line: refused, nothing saved.
    bad = tmp_path / "estrangeiros.sdmx.csv"
    bad.write_text(_sdmx([*ROWS[:2], ("M", "_T", "2021", "cinco mil", ""), *ROWS[3:]]))
    page.get_by_label(pt("Data file")).set_input_files(str(bad))
    page.get_by_label(pt("Indicator")).select_option("FOREIGN_NATIONALS")
    page.get_by_label(re.compile("^" + pt_in("where figures come from", "Source"))).fill(
        "INE Cabo Verde, RGPH 2021"
    )
    page.get_by_role("button", name=pt("Import as a draft")).click()
    problems = page.get_by_role("heading", name=pt("The file was refused: nothing was saved"))
    expect(problems).to_be_visible()
    with translation.override("pt"):
        reason = translation.gettext(
            "“%(value)s” is not a number (write it with a decimal point, or leave it empty)."
        ) % {"value": "cinco mil"}
    expect(page.get_by_text(reason)).to_be_visible()
    expect(page.locator("main")).to_contain_text("4")  # the line, counted from the header
    assert not Dataset.objects.exists()
    assert not Observation.objects.exists()
    # What was typed is kept; the file is chosen again.
    expect(
        page.get_by_label(re.compile("^" + pt_in("where figures come from", "Source")))
    ).to_have_value("INE Cabo Verde, RGPH 2021")

    good = tmp_path / "estrangeiros-2.sdmx.csv"
    good.write_text(_sdmx(ROWS))
    page.get_by_label(pt("Data file")).set_input_files(str(good))
    page.get_by_label(pt("Indicator")).select_option("FOREIGN_NATIONALS")
    page.get_by_role("button", name=pt("Import as a draft")).click()

    # The preview of the draft: its observations with their labels and flags.
    expect(page).to_have_url(re.compile(r"/staff/observatory/datasets/FOREIGN_NATIONALS-v1/$"))
    expect(page.get_by_role("heading", name=pt("First observations"))).to_be_visible()
    table = page.locator("main table").last
    expect(table).to_contain_text("Praia")
    expect(table).to_contain_text("São Vicente")
    dataset = Dataset.objects.get()
    assert (dataset.status, dataset.observation_count) == (DatasetStatus.DRAFT, len(ROWS))
    # Nobody outside sees a draft.
    visitor = _phone(browser, live_server.url, "fr-FR", javascript=False)
    response = visitor.goto("/fr/observatory/indicators/FOREIGN_NATIONALS/")
    assert response is not None
    assert response.status == 404

    page.get_by_role("button", name=pt("Publish"), exact=True).click()
    dataset.refresh_from_db()
    assert dataset.status == DatasetStatus.PUBLISHED
    assert dataset.published_by == analyst
    response = visitor.goto("/fr/observatory/indicators/FOREIGN_NATIONALS/")
    assert response is not None
    assert response.status == 200
    expect(visitor.get_by_role("heading", level=1)).to_have_text(NAMES["fr"])


@pytest.fixture
def published(indicator, tmp_path) -> Dataset:
    path = tmp_path / "estrangeiros.sdmx.csv"
    path.write_text(_sdmx(ROWS))
    dataset = import_dataset(
        path=path, indicator_code=indicator.code,
        provenance=Provenance(source_name="INE Cabo Verde, RGPH 2021",
                              source_url="https://ine.cv/"),
    )  # fmt: skip
    return publish_dataset(dataset=dataset, actor=None)


def test_a_visitor_on_a_phone_reads_the_indicator_in_french_and_downloads_the_csv(
    browser, live_server, published
):
    page = _phone(browser, live_server.url, "fr-FR", javascript=False)
    page.goto("/fr/observatory/")
    _fits_the_screen(page)
    page.get_by_role("link", name=NAMES["fr"]).click()
    expect(page).to_have_url(re.compile(r"/fr/observatory/indicators/FOREIGN_NATIONALS/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(NAMES["fr"])
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    # The chart is a picture with its words, and the figures are in a table beside it.
    chart = page.get_by_role("img").filter(has=page.locator("title")).first
    expect(chart).to_be_visible()
    expect(page.locator("main table caption").first).not_to_be_empty()
    _fits_the_screen(page)

    # Compare the municipalities: a form that works without JavaScript.
    page.get_by_label(fr("Compare"), exact=True).select_option("MUNICIPALITY")
    page.get_by_role("button", name=fr("Show")).click()
    table = page.locator("main table").first
    expect(table).to_contain_text("Praia")
    expect(table).to_contain_text("São Vicente")
    expect(table).to_contain_text("Sal")
    _fits_the_screen(page)

    with page.expect_download() as downloading:
        page.get_by_role("link", name="CSV", exact=True).click()
    download = downloading.value
    with open(download.path(), encoding="utf-8") as data:
        rows = list(csv.DictReader(data))
    assert {(row["SEX"], row["MUNICIPALITY"], row["TIME_PERIOD"], row["OBS_VALUE"])
            for row in rows} == {(sex, place, period, value)
                                 for sex, place, period, value, _flag in ROWS}  # fmt: skip
    assert {row["OBS_STATUS"] for row in rows if row["MUNICIPALITY"] == "CV-SV"} == {"E"}


def test_the_observatorys_public_pages_pass_axe_and_fit_a_phone(browser, live_server, published):
    page = _phone(browser, live_server.url, "fr-FR", javascript=True)
    for path in (
        "/fr/observatory/",
        "/fr/observatory/indicators/FOREIGN_NATIONALS/",
        "/fr/observatory/indicators/FOREIGN_NATIONALS/?compare=MUNICIPALITY",
        "/kea/observatory/indicators/FOREIGN_NATIONALS/?compare=SEX",
        "/fr/observatory/studies/",
    ):
        response = page.goto(path)
        assert response is not None, path
        assert response.status == 200, path
        _fits_the_screen(page)
        assert serious_violations(page) == [], path
