"""The public pages of local integration plans: the plans by municipality, a plan in the
reader's language (texts in another language marked), its governance, diagnosis with sources,
measures with progress in words, indicators as charts with their tables, the latest approved
report — never a draft — and the comment form into the feedback queue."""

from datetime import date
from decimal import Decimal
from html import unescape
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from coop4int.content.models import Feedback
from coop4int.localplans.enums import (
    ConsultationKind,
    GovernanceRole,
    MeasureStatus,
    MemberKind,
    PlanStatus,
    ReportStatus,
)
from coop4int.localplans.models import (
    Consultation,
    Measure,
    MonitoringReport,
    Plan,
    PlanComment,
    ReportEntry,
    ReportValue,
    SteeringMember,
)
from coop4int.localplans.tests.factories import NOW, make_measure, make_organisation, make_plan
from coop4int.observatory.domain.datasets import Provenance, Row, publish_dataset, store_dataset
from coop4int.observatory.enums import Concept, DatasetOrigin, FileFormat, Periodicity
from coop4int.observatory.models import Indicator
from coop4int.portal.plan_views import RATE

pytestmark = pytest.mark.django_db

TITLE = {
    "pt": "Plano Municipal de Integração de Migrantes da Praia",
    "fr": "Plan municipal d'intégration des migrants de Praia",
    "en": "Praia's municipal plan for the integration of migrants",
}
# No summary in French: a French reader gets the Portuguese one, marked.
SUMMARY = {"pt": "Um plano construído com as associações de migrantes."}
ANALYSIS = {"pt": "A Praia acolhe a maioria dos residentes estrangeiros.", "en": "Most live here."}
CENSUS = Provenance(
    source_name="Instituto Nacional de Estatística de Cabo Verde (INE), RGPH 2021",
    source_url="https://ine.cv/",
    retrieved_on=date(2026, 2, 20),
)
# The plan's page: the plan, its overview (municipalities, objectives, measures with partners,
# funding, indicators and targets, links, the approved report's entries and values, the
# coordinating body), the values by year, consultations, governance, the diagnosis (datasets,
# observations; municipalities again) and the report's deviations.
QUERIES = 21
# The list: plans, their municipalities, objectives, measures, approved reports and entries.
LIST_QUERIES = 6
COMMENT = {"kind": "proposal", "message": "Abram o balcão ao sábado.", "contact_email": ""}


def _approved_report(plan: Plan, *, year: int, semester: int, values: list[Decimal]) -> None:
    """An approved report of ``plan``: every measure 40 % in progress (the first one late),
    its indicators' values in order."""
    report = MonitoringReport.objects.create(
        plan=plan,
        year=year,
        semester=semester,
        status=ReportStatus.APPROVED,
        language="pt",
        summary="Progresso conforme previsto, com atraso na medida M1.1.",
        approved_at=NOW,
    )
    for n, measure in enumerate(plan.measures.order_by("position")):
        ReportEntry.objects.create(
            report=report,
            measure=measure,
            progress=40,
            status=MeasureStatus.IN_PROGRESS,
            late=n == 0,
        )
    indicators = [i for m in plan.measures.order_by("position") for i in m.indicators.all()]
    for indicator, value in zip(indicators, values, strict=False):
        ReportValue.objects.create(
            report=report, indicator=indicator, value=value, under_target=value < 20
        )


def _census() -> None:
    """A published census table by sex and municipality (Praia among them)."""
    indicator = Indicator.objects.create(
        code="FOREIGN_NATIONALS",
        names={"pt": "Residentes estrangeiros", "en": "Foreign residents", "fr": "Résidents"},
        concept=Concept.FOREIGN_NATIONALS,
        source="INE",
        periodicity=Periodicity.DECENNIAL,
        dimensions=["SEX", "MUNICIPALITY"],
    )
    dataset = store_dataset(
        indicator=indicator,
        dimensions=("SEX", "MUNICIPALITY"),
        rows=[
            Row("2021", ("_T", "CV-PR"), 6200.0),
            Row("2021", ("F", "CV-PR"), 3000.0),
            Row("2021", ("M", "CV-PR"), 3200.0),
        ],
        provenance=CENSUS,
        origin=DatasetOrigin.IMPORTED,
        actor=None,
        file_format=FileFormat.SDMX_CSV,
    )
    publish_dataset(dataset=dataset, actor=None, now=NOW)


@pytest.fixture
def plan() -> Plan:
    city = make_organisation("Câmara Municipal da Praia")
    plan = make_plan(
        slug="praia-2025-2027", status=PlanStatus.IN_FORCE, title=TITLE, coordinating_body=city
    )
    plan.summary = SUMMARY
    plan.analysis = ANALYSIS
    plan.save(update_fields=["summary", "analysis"])
    SteeringMember.objects.create(
        plan=plan, organisation=city, kind=MemberKind.MUNICIPALITY, role=GovernanceRole.COORDINATION
    )
    SteeringMember.objects.create(
        plan=plan,
        name="Associação dos Imigrantes da Guiné-Bissau",
        kind=MemberKind.MIGRANT_ASSOCIATION,
        role=GovernanceRole.STEERING,
        position=1,
    )
    Consultation.objects.create(
        plan=plan,
        held_on=date(2024, 11, 12),
        kind=ConsultationKind.MEETING,
        organisations_heard=7,
        people_heard=43,
        women_heard=21,
        findings={"pt": "Falta informação em francês.", "en": "Information in French lacks."},
    )
    _approved_report(plan, year=2025, semester=2, values=[Decimal(18), Decimal(25)])
    _census()
    return plan


def bdi(text: str) -> str:
    return f'<bdi dir="ltr" class="ltr">{text}</bdi>'


def _page(client: Client, url: str, language: str = "en") -> str:
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200, url
    return response.content.decode()


def _url(name: str, language: str, *args: str) -> str:
    with translation.override(language):
        return reverse(f"portal:{name}", args=list(args))


# --- The list ---------------------------------------------------------------------------------


def test_the_list_shows_public_plans_by_municipality_with_period_status_and_progress(
    client: Client, plan: Plan
) -> None:
    make_plan(slug="sal-draft", municipalities=("CV-SL",), status=PlanStatus.DRAFT)
    make_plan(slug="sal-submitted", municipalities=("CV-SL",), status=PlanStatus.SUBMITTED)
    body = _page(client, _url("plans", "en"))
    assert '<h2 id="municipality-CV-PR">Praia</h2>' in body
    assert f'href="{_url("plan", "en", plan.slug)}"' in body
    assert escape(TITLE["en"]) in body
    assert "2025–2027" in body
    assert "In force" in body
    # The progress of the approved report (every measure at 40 %), as a bar and in words.
    assert '<progress max="100" value="40.0" aria-hidden="true"></progress>' in body
    assert f'<span class="progress-words">{bdi("40%")} complete</span>' in body
    assert "sal-draft" not in body
    assert "sal-submitted" not in body
    assert "CV-SL" not in body


def test_the_list_is_cacheable_per_language(client: Client, plan: Plan) -> None:
    response = client.get(_url("plans", "pt"))
    assert response["Cache-Control"] == "public, max-age=60"
    assert "Accept-Language" in response["Vary"]


def test_every_public_page_has_the_local_plans_link(client: Client, plan: Plan) -> None:
    body = _page(client, _url("observatory", "en"))
    assert f'<a href="{_url("plans", "en")}">Local plans</a>' in body
    body = _page(client, _url("plans", "en"))
    assert f'<a href="{_url("plans", "en")}" aria-current="page">Local plans</a>' in body


# --- A plan -----------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["pt", "fr"])
def test_a_plan_reads_in_portuguese_and_in_french(
    client: Client, plan: Plan, language: str
) -> None:
    response = client.get(_url("plan", language, plan.slug))
    assert response.status_code == 200
    body = response.content.decode()
    assert f'<html lang="{language}"' in body
    assert response["Content-Language"] == language
    title = escape(TITLE[language])
    assert f'<h1 lang="{language}" dir="ltr">{title}</h1>' in body


def test_a_text_not_in_the_readers_language_is_marked_with_a_note(
    client: Client, plan: Plan
) -> None:
    body = _page(client, _url("plan", "fr", plan.slug), "fr")
    # The summary exists only in Portuguese: shown in it, marked, with a note in French.
    assert f'<p lang="pt" dir="ltr" class="lead">{SUMMARY["pt"]}</p>' in body
    assert '<div class="fallback-note"><p lang="fr" dir="ltr">' in body
    # The title is in French: no mark of another language on it.
    assert '<h1 lang="fr" dir="ltr">' in body


def test_a_plan_in_the_readers_language_has_no_fallback_note(client: Client, plan: Plan) -> None:
    plan.summary = {"pt": SUMMARY["pt"], "en": "Built with migrant associations."}
    plan.save(update_fields=["summary"])
    body = _page(client, _url("plan", "en", plan.slug))
    assert "fallback-note" not in body


@pytest.mark.parametrize(
    "status", [PlanStatus.DRAFT, PlanStatus.SUBMITTED], ids=["draft", "submitted"]
)
def test_a_plan_not_approved_answers_404_on_every_page(client: Client, status: str) -> None:
    plan = make_plan(slug="sal-2026-2028", municipalities=("CV-SL",), status=status)
    for name in ("plan", "plan_comment", "plan_comment_sent"):
        assert client.get(_url(name, "pt", plan.slug)).status_code == 404
    assert client.post(_url("plan_comment", "pt", plan.slug), COMMENT).status_code == 404
    assert not Feedback.objects.exists()


def test_a_missing_plan_answers_404(client: Client, db: None) -> None:
    assert client.get(_url("plan", "pt", "nowhere")).status_code == 404


def test_the_plan_shows_its_governance_and_consultations_counted_never_named(
    client: Client, plan: Plan
) -> None:
    body = unescape(_page(client, _url("plan", "en", plan.slug)))
    assert "Câmara Municipal da Praia" in body
    assert "Associação dos Imigrantes da Guiné-Bissau" in body
    assert "Migrant association" in body
    assert "Member of the steering group" in body
    assert "Meeting with migrant associations" in body
    for count in ("7", "43", "21"):
        assert f'<td class="number">{bdi(count)}</td>' in body
    assert "Information in French lacks." in body
    assert '<caption id="consultations-caption">' in body


def test_the_diagnosis_gives_each_figure_with_its_source_and_date(
    client: Client, plan: Plan
) -> None:
    body = unescape(_page(client, _url("plan", "en", plan.slug)))
    assert "Foreign residents" in body
    assert "Instituto Nacional de Estatística de Cabo Verde (INE), RGPH 2021" in body
    assert "Date retrieved: 20 February 2026" in body
    assert f'<td>Total</td><td class="number">{bdi("6,200")}</td>' in body
    assert f'href="{_url("indicator", "en", "FOREIGN_NATIONALS")}"' in body


def test_measures_have_progress_bars_that_read_in_words(client: Client, plan: Plan) -> None:
    body = _page(client, _url("plan", "en", plan.slug))
    measures = list(plan.measures.order_by("position"))
    for measure in measures:
        assert f'<h4 id="measure-{measure.code.lower().replace(".", "")}">' in body
    assert body.count('<progress max="100" value="40"') >= len(measures)
    assert f'<span class="progress-words">{bdi("40%")} complete</span>' in body
    assert "In progress" in body  # the status the approved report gives


def test_before_any_approved_report_the_plan_shows_no_progress(client: Client, db: None) -> None:
    plan = make_plan(slug="sal-2025-2027", municipalities=("CV-SL",), status=PlanStatus.APPROVED)
    body = _page(client, _url("plan", "en", plan.slug))
    assert "<progress" not in body
    assert "No progress reported yet" in body
    assert "No report has been approved yet." in body


def test_each_indicator_has_a_chart_and_its_data_table(client: Client, plan: Plan) -> None:
    body = unescape(_page(client, _url("plan", "en", plan.slug)))
    indicators = [i for m in plan.measures.order_by("position") for i in m.indicators.all()]
    assert len(indicators) == 2
    for indicator in indicators:
        chart_id = f"indicator-{indicator.code.lower().replace('.', '')}-{indicator.pk}"
        assert f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{chart_id}"' in body
        assert f'<caption id="{chart_id}-caption">Target and value by year (persons)' in body
    # The chart's lines are named, and its table holds the baseline, targets and values.
    assert "Value reported" in body
    assert "Target" in body
    assert f'<th scope="row">{bdi(2024)} (baseline)</th>' in body
    assert f'<td class="number">{bdi(18)}</td>' in body  # 2025's value
    assert f'<td class="number">{bdi(30)}</td>' in body  # 2026's target
    assert "<em>not reported</em>" in body  # 2026, 2027: no approved report yet


def test_budget_and_funding_are_totalled(client: Client, plan: Plan) -> None:
    body = unescape(_page(client, _url("plan", "en", plan.slug)))
    # Two measures of 100,000 CVE, each funded 75 % by an EU fund and 25 % by the municipality.
    assert f"Total budget: {bdi('200,000')} CVE." in body
    assert f'<th scope="row">EU fund</th><td class="number">{bdi("150,000")}</td>' in body
    assert f"EU fund: {bdi('75%')}" in body


def test_the_latest_approved_report_gives_its_summary_and_deviations(
    client: Client, plan: Plan
) -> None:
    MonitoringReport.objects.create(
        plan=plan, year=2026, semester=1, status=ReportStatus.DRAFT, summary="Rascunho secreto."
    )
    body = unescape(_page(client, _url("plan", "en", plan.slug)))
    assert "Report for the second semester of 2025, approved on 2 March 2026." in body
    assert '<p lang="pt" dir="ltr">Progresso conforme previsto, com atraso na medida' in body
    assert "Measures behind schedule:" in body
    assert "Indicators below their target:" in body
    assert "Rascunho secreto." not in body


def test_a_draft_reports_progress_is_never_shown(client: Client, plan: Plan) -> None:
    report = MonitoringReport.objects.create(
        plan=plan, year=2026, semester=1, status=ReportStatus.SUBMITTED
    )
    for measure in plan.measures.all():
        ReportEntry.objects.create(
            report=report, measure=measure, progress=90, status=MeasureStatus.IN_PROGRESS
        )
    Measure.objects.filter(plan=plan).update(progress=95)
    body = _page(client, _url("plan", "en", plan.slug))
    assert 'value="90' not in body
    assert 'value="95' not in body
    assert '<progress max="100" value="40.0"' in body


def test_the_plan_page_is_cacheable_and_links_to_the_comment_form(
    client: Client, plan: Plan
) -> None:
    response = client.get(_url("plan", "pt", plan.slug))
    assert response["Cache-Control"] == "public, max-age=60"
    body = response.content.decode()
    assert f'href="{_url("plan_comment", "pt", plan.slug)}"' in body
    assert "csrfmiddlewaretoken" not in body  # no form: a cached copy holds no one's token


def test_the_plan_page_runs_a_fixed_number_of_queries(
    client: Client, plan: Plan, django_assert_num_queries: Any
) -> None:
    url = _url("plan", "en", plan.slug)
    client.get(url)  # sessions, content types, caches warmed
    with django_assert_num_queries(QUERIES) as captured:
        client.get(url)
    # Three more measures, each with its indicator, funding and report entry: no more queries.
    for _n in range(3):
        make_measure(plan, objective=plan.objectives.get())
    with django_assert_num_queries(len(captured)):
        client.get(url)


def test_the_list_runs_a_fixed_number_of_queries(
    client: Client, plan: Plan, django_assert_num_queries: Any
) -> None:
    url = _url("plans", "en")
    client.get(url)
    with django_assert_num_queries(LIST_QUERIES):
        client.get(url)
    make_plan(slug="sal-2025-2027", municipalities=("CV-SL",), status=PlanStatus.CLOSED)
    with django_assert_num_queries(LIST_QUERIES):
        client.get(url)


# --- A comment or a proposal ------------------------------------------------------------------


def test_a_proposal_reaches_the_feedback_queue_linked_to_the_plan(
    client: Client, plan: Plan
) -> None:
    response = client.post(
        _url("plan_comment", "fr", plan.slug), COMMENT | {"contact_email": "ana@example.org"}
    )
    assert response.status_code == 302
    assert response["Location"] == _url("plan_comment_sent", "fr", plan.slug)
    comment = PlanComment.objects.select_related("feedback").get()
    assert (comment.plan, comment.kind) == (plan, "proposal")
    feedback = comment.feedback
    assert (feedback.message, feedback.language, feedback.contact_email) == (
        COMMENT["message"],
        "fr",
        "ana@example.org",
    )
    assert feedback.route == "portal:plan"
    body = _page(client, response["Location"], "fr")
    assert "csrfmiddlewaretoken" not in body


def test_the_comment_form_is_kept_by_no_cache(client: Client, plan: Plan) -> None:
    response = client.get(_url("plan_comment", "en", plan.slug))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    body = response.content.decode()
    assert "<legend>What would you like to send?</legend>" in body
    assert '<label for="id_message">Your message:</label>' in body


@pytest.mark.parametrize(
    ("changes", "field", "error"),
    [
        ({"message": ""}, "message", "This field is required."),
        ({"kind": "complaint"}, "kind", "Select a valid choice."),
        ({"contact_email": "not-an-address"}, "contact_email", "Enter a valid email address."),
    ],
    ids=["empty message", "unknown kind", "bad e-mail"],
)
def test_bad_input_keeps_what_was_typed_and_saves_nothing(
    client: Client, plan: Plan, changes: dict[str, str], field: str, error: str
) -> None:
    typed = COMMENT | {"message": "Mais aulas de português, por favor."} | changes
    response = client.post(_url("plan_comment", "en", plan.slug), typed, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    body = unescape(response.content.decode())
    assert error in body
    assert f"{field}_errors" in body
    if changes.get("message", "x"):
        assert typed["message"] in body
    assert 'role="alert"' in body
    assert not Feedback.objects.exists()
    assert not PlanComment.objects.exists()


def test_a_robot_filling_the_hidden_field_is_thanked_and_ignored(
    client: Client, plan: Plan
) -> None:
    response = client.post(
        _url("plan_comment", "pt", plan.slug), COMMENT | {"website": "http://spam.example"}
    )
    assert response.status_code == 302
    assert not Feedback.objects.exists()


def test_too_many_comments_from_one_address_are_refused(client: Client, plan: Plan) -> None:
    url = _url("plan_comment", "en", plan.slug)
    for _n in range(RATE.limit):
        assert client.post(url, COMMENT).status_code == 302
    response = client.post(url, COMMENT, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 429
    assert "Too many messages from your connection" in response.content.decode()
    assert COMMENT["message"] in unescape(response.content.decode())
    assert PlanComment.objects.count() == RATE.limit


def test_a_closed_plan_still_takes_comments(client: Client, plan: Plan) -> None:
    Plan.objects.filter(pk=plan.pk).update(status=PlanStatus.CLOSED)
    assert client.post(_url("plan_comment", "pt", plan.slug), COMMENT).status_code == 302
    assert PlanComment.objects.filter(plan=plan).count() == 1
