"""Demo local plan: Praia's plan in force, written by the municipal coordinator's account, with
measures in at least six areas, indicators from the observatory and from the platform's counts,
the last semester's report approved and the current one in draft — all dated from the moment
of loading."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation
from django.utils.html import escape

from coop4int.accounts.enums import Role, UnitKind
from coop4int.accounts.models import AuthenticatorDevice, User
from coop4int.core.models import AuditEntry
from coop4int.demo import localplans as demo_plans
from coop4int.demo import organisation
from coop4int.demo.organisation import DEMO_PASSWORD
from coop4int.directory.models import Organization
from coop4int.localplans import scope
from coop4int.localplans.enums import (
    IndicatorSource,
    LinkKind,
    PlanStatus,
    PlatformCount,
    ReportStatus,
)
from coop4int.localplans.models import (
    MeasureIndicator,
    MonitoringReport,
    Plan,
    PlanChange,
    ReportEntry,
)

PRAIA = ZoneInfo("Atlantic/Cape_Verde")
# A day of the first semester, and one of the second.
IN_MARCH = datetime(2026, 3, 2, 9, 0, tzinfo=PRAIA)
IN_SEPTEMBER = datetime(2026, 9, 15, 9, 0, tzinfo=PRAIA)


def _load(now: datetime) -> Plan:
    organisation.load()
    plan = demo_plans.load(now=now)
    assert plan is not None
    return plan


@pytest.fixture
def plan(db) -> Plan:
    return _load(IN_MARCH)


def test_the_plan_is_in_force_over_praia_from_last_year_to_next_year(plan):
    assert plan.status == PlanStatus.IN_FORCE
    assert (plan.starts_year, plan.ends_year) == (2025, 2027)
    assert list(plan.municipalities.values_list("code", flat=True)) == ["CV-PR"]
    assert plan.approved_by == User.objects.get(username="admin")
    assert {"pt", "fr", "en", "kea"} <= set(plan.title)
    assert {"pt", "fr", "en"} <= set(plan.summary)


def test_the_plan_has_measures_in_at_least_six_areas_written_in_french_too(plan):
    measures = list(plan.measures.all())
    assert len({measure.area_id for measure in measures}) >= 6
    for measure in measures:
        assert measure.title.get("fr"), measure.code
        assert measure.description.get("fr"), measure.code
        assert measure.objective.title.get("fr"), measure.code
        shares = [funding.share for funding in measure.funding.all()]
        assert sum(shares) == 100, measure.code
    assert plan.consultations.count() == 2
    assert plan.members.filter(organisation__isnull=True).exists()
    kinds = {link.kind for measure in measures for link in measure.links.all()}
    assert {LinkKind.SERVICE, LinkKind.COURSE} <= kinds


def test_indicators_follow_the_census_figures_and_the_platforms_own_counts(plan):
    indicators = MeasureIndicator.objects.filter(measure__plan=plan)
    observatory = indicators.filter(source=IndicatorSource.OBSERVATORY)
    assert set(observatory.values_list("observatory_code", flat=True)) == {
        "FOREIGN_NATIONALS",
        "FOREIGN_NATIONALS_SHARE",
    }
    # The observatory holds the census for the whole country only: the national series.
    assert all(indicator.observatory_series == {} for indicator in observatory)
    counts = set(
        indicators.filter(source=IndicatorSource.PLATFORM).values_list("platform_count", flat=True)
    )
    assert counts == {PlatformCount.CASES, PlatformCount.PEOPLE_TRAINED, PlatformCount.CAMPAIGNS}
    assert indicators.filter(source=IndicatorSource.MANUAL, targets__isnull=False).exists()


@pytest.mark.parametrize(
    ("now", "approved", "draft"),
    [(IN_MARCH, (2025, 2), (2026, 1)), (IN_SEPTEMBER, (2026, 1), (2026, 2))],
)
def test_the_last_ended_semester_is_approved_and_the_current_one_is_a_draft(
    db, now, approved, draft
):
    plan = _load(now)

    reports = {(r.year, r.semester): r for r in MonitoringReport.objects.filter(plan=plan)}
    assert set(reports) == {approved, draft}
    done = reports[approved]
    assert done.status == ReportStatus.APPROVED
    assert done.approved_by == User.objects.get(username="admin")
    assert done.submitted_by == User.objects.get(username=demo_plans.COORDINATOR)
    assert done.summary
    assert reports[draft].status == ReportStatus.DRAFT
    assert done.entries.count() == plan.measures.count()
    # The partners' figures are in the approved report; the campaign's delay is flagged.
    assert done.values.filter(value__isnull=False).count() >= 4
    late = ReportEntry.objects.filter(report=done, late=True)
    assert list(late.values_list("measure__code", flat=True)) == (
        ["M7.1"] if approved == (2026, 1) else []
    )


def test_the_municipal_coordinator_runs_praias_plan_and_the_association_its_measure(plan):
    coordinator = User.objects.get(username=demo_plans.COORDINATOR)
    assert coordinator.is_demo
    assert coordinator.check_password(DEMO_PASSWORD)
    assert coordinator.roles == {Role.MUNICIPAL_COORDINATOR}
    assert (coordinator.unit.kind, coordinator.unit.municipality) == (UnitKind.PARTNER, "Praia")
    assert AuthenticatorDevice.objects.filter(user=coordinator, confirmed=True).count() == 1
    assert list(scope.plans_managed_by(coordinator)) == [plan]
    assert plan.coordinating_body == Organization.objects.get(unit=coordinator.unit)

    partner = User.objects.get(username=demo_plans.ASSOCIATION_USER)
    assert partner.roles == {Role.PARTNER_USER}
    assert list(scope.plans_for_user(partner)) == [plan]
    assert list(scope.measures_updatable_by(partner).values_list("code", flat=True)) == ["M6.1"]


def test_every_change_is_in_the_plans_history_and_the_audit(plan):
    actions = set(PlanChange.objects.filter(plan=plan).values_list("action", flat=True))
    assert {
        "localplans.plan.created",
        "localplans.measure.added",
        "localplans.indicator.added",
        "localplans.plan.approved",
        "localplans.report.approved",
        "localplans.evaluation.answered",
    } <= actions
    assert AuditEntry.objects.filter(action="localplans.report.approved").count() == 1


def test_loading_twice_changes_nothing(plan):
    counted = (
        Plan.objects.count(),
        PlanChange.objects.count(),
        AuditEntry.objects.count(),
        User.objects.count(),
    )

    assert demo_plans.load(now=IN_SEPTEMBER) is None

    assert (
        Plan.objects.count(),
        PlanChange.objects.count(),
        AuditEntry.objects.count(),
        User.objects.count(),
    ) == counted


def test_a_visitor_reads_the_plan_in_french(client, plan):
    with translation.override("fr"):
        response = client.get(f"/fr/plans/{plan.slug}/", HTTP_ACCEPT_LANGUAGE="fr")

    assert response.status_code == 200
    page = response.content.decode()
    assert escape(demo_plans.TITLE["fr"]) in page
    assert escape(demo_plans.MEASURES[0].title["fr"]) in page
