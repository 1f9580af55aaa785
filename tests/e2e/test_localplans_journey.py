"""Browser journeys of local integration plans: Praia's municipal coordinator adds a measure to
the plan in force and files a semester report (opens it, fills it, sends it for approval); an
administrator of AAI approves it, after which it is frozen; a visitor on a phone reads the plan
in French — its progress, an indicator's chart with its table — and sends a proposal. The
public plan pages pass axe-core and fit a phone."""

import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import translation
from playwright.sync_api import Browser, Page, expect

from coop4int.accounts.enums import UnitKind
from coop4int.accounts.models import User
from coop4int.content.models import Feedback
from coop4int.directory.models import Organization
from coop4int.localplans.domain import reports
from coop4int.localplans.domain.reports import EntryInput, ValueInput
from coop4int.localplans.enums import (
    CommentKind,
    DefaultArea,
    MeasureStatus,
    PlanStatus,
    ReportStatus,
)
from coop4int.localplans.models import (
    InterventionArea,
    Measure,
    MonitoringReport,
    Plan,
    PlanComment,
)
from coop4int.localplans.tests.factories import (
    NOW,
    make_admin,
    make_coordinator,
    make_indicator,
    make_measure,
    make_objective,
    make_organisation,
    make_plan,
    make_unit,
)
from tests.e2e.steps import in_language, log_in
from tests.e2e.test_accessibility import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}
SLUG = "praia-2025-2027"
TITLE = {
    "pt": "Plano Municipal para a Integração dos Imigrantes da Praia",
    "fr": "Plan municipal pour l'intégration des immigrés de Praia",
    "en": "Praia's Municipal Plan for the Integration of Immigrants",
}
DESK = {
    "pt": "Balcão municipal de atendimento ao imigrante",
    "fr": "Guichet municipal d'accueil des immigrés",
    "en": "Municipal help desk for immigrants",
}
COURSES = {
    "pt": "Cursos de português para o trabalho",
    "fr": "Cours de portugais pour le travail",
    "en": "Portuguese for work courses",
}
PEOPLE_SERVED = {
    "pt": "Pessoas atendidas no balcão",
    "fr": "Personnes reçues au guichet",
    "en": "People seen at the desk",
}


def pt(message: str) -> str:
    return in_language("pt", message)


def pt_in(context: str, message: str) -> str:
    with translation.override("pt"):
        return translation.pgettext(context, message)


def fr(message: str) -> str:
    return in_language("fr", message)


def labelled(label: str) -> re.Pattern[str]:
    """A field's label as its accessible name ("Label:" or "Label :", as Django writes it)."""
    return re.compile("^" + re.escape(label) + r"\s*:?$")


def in_portuguese(label: str) -> str:
    """A per-language field's label for its Portuguese text ("Title in %(language)s")."""
    with translation.override("pt"):
        language = translation.gettext(dict(settings.LANGUAGES)["pt"])
        return translation.gettext(label) % {"language": language}


def _page(browser: Browser, base_url: str, locale: str, *, javascript: bool = True) -> Page:
    context = browser.new_context(
        base_url=base_url, viewport=PHONE, locale=locale, java_script_enabled=javascript
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    return page


def _fits_the_screen(page: Page) -> None:
    page.wait_for_load_state("load")
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"{page.url} scrolls sideways: {width}"


def _areas() -> None:
    """The default intervention areas (a test that empties the database takes the migration's
    rows with it)."""
    for position, code in enumerate(DefaultArea.values, start=1):
        InterventionArea.objects.get_or_create(code=code, defaults={"position": position})


@pytest.fixture
def municipality() -> Organization:
    return make_organisation(
        "Câmara Municipal da Praia", make_unit(municipality="Praia", kind=UnitKind.PARTNER)
    )


@pytest.fixture
def plan(db, municipality) -> Plan:
    """Praia's plan, 2025–2027, in force: one objective (reception), one measure with an
    indicator whose targets are 20, 30 and 40."""
    _areas()
    plan = make_plan(
        slug=SLUG, status=PlanStatus.IN_FORCE, measures=0, title=TITLE,
        coordinating_body=municipality,
    )  # fmt: skip
    plan.summary = {"pt": "O plano da Praia.", "fr": "Le plan de Praia.", "en": "Praia's plan."}
    plan.save(update_fields=["summary"])
    objective = make_objective(
        plan, title={"pt": "Acolher e informar", "fr": "Accueillir et informer",
                     "en": "Welcome and inform"},
    )  # fmt: skip
    measure = make_measure(
        plan, code="M1.1", objective=objective, title=DESK, responsible=municipality,
        status=MeasureStatus.IN_PROGRESS, progress=40, indicators=0,
    )  # fmt: skip
    make_indicator(measure, code="I1.1.1", name=PEOPLE_SERVED)
    return plan


@pytest.fixture
def coordinator(plan) -> User:
    return make_coordinator("Praia")


@pytest.fixture
def administrator(plan) -> User:
    return make_admin()


def _filed_report(plan: Plan, coordinator: User, *, year: int, semester: int) -> MonitoringReport:
    """A report opened, filled and sent for approval through the domain."""
    report = reports.open_report(
        actor=coordinator, plan=plan, year=year, semester=semester, now=NOW
    )
    measure = plan.measures.get(code="M1.1")
    indicator = measure.indicators.get()
    reports.save_report(
        actor=coordinator, report=report, summary="O balcão abriu em março.",
        entries=[EntryInput(measure_id=measure.pk, progress=50,
                            status=MeasureStatus.IN_PROGRESS, comment="")],
        values=[ValueInput(indicator_id=indicator.pk, value=Decimal(25), comment="")],
        now=NOW,
    )  # fmt: skip
    return reports.transition_report(
        actor=coordinator, report=report, to=ReportStatus.SUBMITTED, now=NOW
    )


def test_the_coordinator_adds_a_measure_and_files_a_semester_report(
    browser, live_server, plan, coordinator, municipality
):
    page = _page(browser, live_server.url, "pt-PT")
    log_in(page, coordinator)
    page.get_by_role("link", name=pt("Local plans")).first.click()
    page.get_by_role("link", name=TITLE["pt"]).first.click()
    expect(page).to_have_url(re.compile(rf"/staff/plans/{SLUG}/$"))

    # A new measure under the plan's objective, in the area of education and language.
    page.get_by_role("link", name=pt("Add a measure")).click()
    objective = plan.objectives.get()
    education = InterventionArea.objects.get(code=DefaultArea.EDUCATION)
    page.get_by_label(labelled(pt("Objective"))).select_option(str(objective.pk))
    page.get_by_label(labelled(pt("Intervention area"))).select_option(str(education.pk))
    page.get_by_label(labelled(pt("Number"))).fill("M1.2")
    page.get_by_label(labelled(in_portuguese("Title in %(language)s"))).fill(COURSES["pt"])
    page.get_by_label(labelled(pt("Organisation responsible"))).select_option(str(municipality.pk))
    page.get_by_label(labelled(pt("Start"))).fill("2025-09-01")
    page.get_by_label(labelled(pt("End"))).fill("2026-06-30")
    page.get_by_label(labelled(pt("Budget (CVE)"))).fill("1800000")
    page.get_by_label(labelled(pt("Funding sources"))).fill(
        "Fundo europeu: 75\nCâmara Municipal da Praia: 25"
    )
    page.get_by_role("button", name=pt("Add the measure")).click()

    expect(page).to_have_url(re.compile(rf"/staff/plans/{SLUG}/measures/M1\.2/$"))
    added = Measure.objects.get(plan=plan, code="M1.2")
    assert (added.area, added.title["pt"], added.budget) == (
        education,
        COURSES["pt"],
        Decimal(1800000),
    )
    assert sorted(added.funding.values_list("share", flat=True)) == [Decimal(25), Decimal(75)]

    # The report of the first semester of 2025: opened, filled, sent to AAI.
    page.goto(f"/staff/plans/{SLUG}/")
    page.get_by_role("link", name=pt("Monitoring reports")).first.click()
    page.get_by_label(labelled(pt("Year"))).select_option("2025")
    page.get_by_label(labelled(pt("Semester"))).select_option("1")
    page.get_by_role("button", name=pt("Open the report")).click()
    expect(page).to_have_url(re.compile(rf"/staff/plans/{SLUG}/reports/2025-1/"))
    report = MonitoringReport.objects.get(plan=plan, year=2025, semester=1)
    assert report.entries.count() == 2

    page.get_by_label(labelled(pt("Summary of the semester"))).fill(
        "O balcão abriu; os cursos começam."
    )
    desk = page.get_by_role("group", name=re.compile(re.escape(DESK["pt"])))
    desk.get_by_label(
        re.compile("^" + re.escape(pt_in("report field", "Progress (%)")))
    ).first.fill("50")
    served = page.get_by_role("group", name=re.compile(re.escape(PEOPLE_SERVED["pt"])))
    served.get_by_label(labelled(pt_in("report field", "Value"))).first.fill("12")
    page.get_by_role("button", name=pt("Save the report")).click()
    # 12 people where 15 were expected by June (halfway from the baseline, 10, to the year's
    # target, 20): flagged under target.
    expect(page.locator("main")).to_contain_text(pt("Under target:"))

    page.get_by_role("button", name=pt("Send the report for approval")).click()
    expect(page.locator("#report-status")).to_have_text(
        pt_in("report status", "Submitted for approval")
    )
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    assert report.submitted_by == coordinator
    assert report.summary == "O balcão abriu; os cursos começam."
    entry = report.entries.get(measure__code="M1.1")
    assert entry.progress == 50
    value = report.values.get(indicator__code="I1.1.1")
    assert (value.value, value.under_target) == (Decimal(12), True)


def test_an_administrator_of_aai_approves_the_report_which_is_then_frozen(
    browser, live_server, plan, coordinator, administrator
):
    report = _filed_report(plan, coordinator, year=2025, semester=1)
    page = _page(browser, live_server.url, "pt-PT")
    log_in(page, administrator)
    page.get_by_role("link", name=pt("Local plans")).first.click()
    page.get_by_role("link", name=TITLE["pt"]).first.click()
    page.get_by_role("link", name=pt("Monitoring reports")).first.click()
    page.locator("#report-list a").first.click()
    expect(page).to_have_url(re.compile(rf"/staff/plans/{SLUG}/reports/2025-1/"))

    page.get_by_role("button", name=pt("Approve the report")).click()

    expect(page.locator("#frozen")).to_contain_text(pt("Frozen."))
    report.refresh_from_db()
    assert report.status == ReportStatus.APPROVED
    assert report.approved_by == administrator
    # Nothing on the page writes to it any more.
    expect(page.get_by_role("button", name=pt("Save the report"))).to_have_count(0)


@pytest.fixture
def reported(plan, coordinator, administrator) -> Plan:
    """The plan with its second semester of 2025 reported and approved."""
    report = _filed_report(plan, coordinator, year=2025, semester=2)
    reports.transition_report(actor=administrator, report=report, to=ReportStatus.APPROVED, now=NOW)
    return plan


def test_a_visitor_on_a_phone_reads_the_plan_in_french_and_sends_a_proposal(
    browser, live_server, reported
):
    page = _page(browser, live_server.url, "fr-FR", javascript=False)
    page.goto("/fr/plans/")
    _fits_the_screen(page)
    page.get_by_role("link", name=TITLE["fr"]).first.click()
    expect(page).to_have_url(re.compile(rf"/fr/plans/{SLUG}/$"))
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE["fr"])
    main = page.locator("main")
    expect(main).to_contain_text(DESK["fr"])
    # The progress AAI approved: the measure at 50 %, as the report says.
    expect(main.locator(".progress-words").first).to_contain_text(re.compile(r"\b50([,.]0)?\s?%"))
    # The indicator's chart is a picture with its words, its figures in a table beside it.
    chart = page.get_by_role("img").filter(has=page.locator("title")).first
    expect(chart).to_be_visible()
    indicator = page.locator("section.indicator").first
    expect(indicator.locator("table caption")).not_to_be_empty()
    expect(indicator.locator("table")).to_contain_text("2025")
    expect(indicator.locator("table")).to_contain_text("25")
    _fits_the_screen(page)

    page.get_by_role("link", name=fr("Send a comment or a proposal")).first.click()
    expect(page).to_have_url(re.compile(rf"/fr/plans/{SLUG}/comment/$"))
    page.get_by_role("radio", name=in_language("fr", CommentKind.PROPOSAL.label)).check()
    proposal = "Ouvrir le guichet le samedi matin pour celles et ceux qui travaillent."
    page.get_by_label(labelled(fr("Your message"))).fill(proposal)
    page.get_by_role("button", name=fr("Send"), exact=True).click()

    expect(page).to_have_url(re.compile(rf"/fr/plans/{SLUG}/comment/sent/$"))
    _fits_the_screen(page)
    comment = PlanComment.objects.get(plan=reported)
    assert comment.kind == CommentKind.PROPOSAL
    assert Feedback.objects.get(pk=comment.feedback_id).message == proposal


def test_the_public_plan_pages_pass_axe_and_fit_a_phone(browser, live_server, reported):
    page = _page(browser, live_server.url, "fr-FR")
    for path in (
        "/fr/plans/",
        f"/fr/plans/{SLUG}/",
        f"/kea/plans/{SLUG}/",
        f"/fr/plans/{SLUG}/comment/",
    ):
        response = page.goto(path)
        assert response is not None, path
        assert response.status == 200, path
        _fits_the_screen(page)
        assert serious_violations(page) == [], path


def test_another_municipalitys_coordinator_finds_no_such_plan(browser, live_server, plan):
    stranger = make_coordinator("São Vicente")
    page = _page(browser, live_server.url, "pt-PT")
    log_in(page, stranger)
    response = page.goto(f"/staff/plans/{SLUG}/")
    assert response is not None
    assert response.status == 404
