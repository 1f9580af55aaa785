"""Browser journeys of the observatory's other staff pages: an analyst adds an indicator to the
registry and finds it offered for import; adds a study, publishes it, and a visitor on a phone
finds it through the site's search in French and downloads it; drafts a quarter's platform
tables, reviews one and publishes it, and the public page shows its suppressed cells."""

import re

import pytest
from django.utils import translation
from playwright.sync_api import Browser, Page, expect
from weasyprint import HTML

from coop4int.accounts.enums import Role
from coop4int.observatory.enums import Concept, DatasetStatus, StudyStatus
from coop4int.observatory.models import Dataset, Indicator, Study
from tests.e2e.steps import in_language, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}
STUDY_TITLE = "Trabalhadores imigrantes na construção civil da Praia"


def pt(message: str) -> str:
    return in_language("pt", message)


def fr(message: str) -> str:
    return in_language("fr", message)


def _page(browser: Browser, base_url: str, locale: str, *, javascript: bool = True) -> Page:
    context = browser.new_context(
        base_url=base_url, viewport=PHONE, locale=locale, java_script_enabled=javascript,
        accept_downloads=True,
    )  # fmt: skip
    page = context.new_page()
    page.set_default_timeout(10_000)
    return page


@pytest.fixture
def analyst_page(browser, live_server, make_staff, national_unit) -> Page:
    page = _page(browser, live_server.url, "pt-PT")
    log_in(page, make_staff(Role.ANALYST, national_unit))
    return page


def test_an_analyst_adds_an_indicator_and_finds_it_offered_for_import(analyst_page):
    page = analyst_page
    page.goto("/staff/observatory/indicators/new/")
    page.get_by_label(re.compile("^" + pt("Code"))).fill("FOREIGN_BORN")
    with translation.override("pt"):
        name_label = translation.gettext("Name in %(language)s") % {
            "language": translation.gettext("Portuguese")
        }
    page.get_by_label(name_label).fill("Residentes nascidos no estrangeiro")
    page.get_by_role("radio", name=in_language("pt", Concept.FOREIGN_BORN.label)).check()
    page.get_by_role("checkbox", name=in_language("pt", "Sex")).check()
    page.locator("input[name=source]").fill("INE Cabo Verde, RGPH 2021")
    page.get_by_role("button", name=pt("Add the indicator")).click()

    indicator = Indicator.objects.get(code="FOREIGN_BORN")
    assert indicator.names["pt"] == "Residentes nascidos no estrangeiro"
    assert (indicator.concept, indicator.dimensions) == (Concept.FOREIGN_BORN, ["SEX"])
    page.goto("/staff/observatory/import/")
    expect(page.locator("select[name=indicator] option[value=FOREIGN_BORN]")).to_have_count(1)


def test_an_analyst_adds_a_study_and_a_visitor_finds_it_in_french_and_downloads_it(
    browser, live_server, analyst_page, tmp_path
):
    page = analyst_page
    pdf = tmp_path / "estudo.pdf"
    pdf.write_bytes(HTML(string=f"<h1>{STUDY_TITLE}</h1><p>Inquérito de 2025.</p>").write_pdf())
    page.goto("/staff/observatory/studies/new/")
    page.get_by_label(pt("Title")).fill(STUDY_TITLE)
    page.get_by_label(pt("Authors")).fill("Observatório das Migrações")
    page.get_by_label(pt("Date of publication")).fill("2025-11-20")
    page.get_by_label(pt("Abstract")).fill(
        "Inquérito aos trabalhadores imigrantes dos estaleiros da Praia: contratos, salários, "
        "segurança no trabalho."
    )
    page.get_by_label(pt("PDF file")).set_input_files(str(pdf))
    page.get_by_role("button", name=pt("Add the study")).click()
    study = Study.objects.get()
    assert study.status == StudyStatus.DRAFT
    expect(page).to_have_url(re.compile(rf"/staff/observatory/studies/{study.slug}/"))

    # A draft is nobody else's yet.
    visitor = _page(browser, live_server.url, "fr-FR", javascript=False)
    response = visitor.goto(f"/fr/observatory/studies/{study.slug}/")
    assert response is not None
    assert response.status == 404

    page.get_by_role("button", name=pt("Publish the study")).click()
    study.refresh_from_db()
    assert study.status == StudyStatus.PUBLISHED

    visitor.goto("/fr/")
    visitor.get_by_role("searchbox").fill("estaleiros")
    visitor.get_by_role("button", name=fr("Search")).first.click()
    result = visitor.get_by_role("link", name=STUDY_TITLE)
    expect(result).to_be_visible()
    expect(visitor.locator("main")).to_contain_text(fr("Study or report"))
    result.click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text(STUDY_TITLE)
    expect(visitor.get_by_role("heading", level=1)).to_have_attribute("lang", "pt")
    with visitor.expect_download() as downloading:
        visitor.get_by_role("link", name=fr("Download the PDF")).click()
    with open(downloading.value.path(), "rb") as stored:
        assert stored.read() == pdf.read_bytes()


def test_an_analyst_drafts_a_quarters_tables_reviews_one_and_publishes_it(
    browser, live_server, analyst_page
):
    page = analyst_page
    page.goto("/staff/observatory/platform/")
    # A quarter long ended whatever the day the test runs.
    page.get_by_role("textbox", name=re.compile("^" + pt("Quarter"))).fill("2020-Q1")
    page.get_by_role("button", name=pt("Draft the tables")).click()
    drafts = Dataset.objects.filter(quarter="2020-Q1", status=DatasetStatus.DRAFT)
    assert drafts.count() >= 4
    cases = drafts.get(indicator__code="PLATFORM_CASES_OPENED")

    page.locator(f"a[data-dataset='{cases.public_id}']").click()
    expect(page).to_have_url(re.compile(rf"/staff/observatory/datasets/{cases.public_id}/$"))
    expect(page.get_by_role("heading", name=pt("First observations"))).to_be_visible()
    page.get_by_role("button", name=pt("Publish"), exact=True).click()
    cases.refresh_from_db()
    assert cases.status == DatasetStatus.PUBLISHED

    # Nobody was counted in 2020: every figure reads "fewer than 5", never a number below it.
    visitor = _page(browser, live_server.url, "fr-FR", javascript=False)
    visitor.goto("/fr/observatory/indicators/PLATFORM_CASES_OPENED/")
    with translation.override("fr"):
        fewer = translation.gettext("fewer than %(count)s") % {"count": 5}
    expect(visitor.locator("main table").first).to_contain_text(fewer)
