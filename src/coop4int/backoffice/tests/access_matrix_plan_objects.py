"""The local integration plans' objects of the access matrix (``test_access_matrix.py``,
``access_matrix_localplans.py``, ``access_matrix_plan_reports.py``).

The matrix's unit, Praia, is in the municipality of Praia (CV-PR); the other unit, Mindelo,
in São Vicente (CV-SV). Praia's plan (in force) is coordinated by the municipality; its measure
M1.1 is the responsibility of an association kept in the directory by the matrix's unit (so
that a partner user of Praia updates it, one of Mindelo reaches nothing). The plan has an
approved report (2025, second semester), a draft one (2026, first semester), an evaluation
question and a comment from the public; a second plan of Praia waits for AAI's approval.

Made with the models directly: these are the matrix's fixtures, not the domain's tests."""

from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cached_property

from coop4int.accounts.models import Unit
from coop4int.content.models import Feedback
from coop4int.directory.models import Organization
from coop4int.localplans.enums import (
    CommentKind,
    IndicatorUnit,
    MeasureStatus,
    PlanStatus,
    ReportStatus,
)
from coop4int.localplans.models import (
    EvaluationQuestion,
    IndicatorTarget,
    InterventionArea,
    Measure,
    MeasureIndicator,
    MonitoringReport,
    Objective,
    Plan,
    PlanComment,
    PlanMunicipality,
    ReportEntry,
    ReportValue,
)

PRAIA, SAO_VICENTE = "CV-PR", "CV-SV"
APPROVED_AT = datetime(2026, 2, 1, 12, tzinfo=UTC)


class PlanObjects:
    """Praia's plans and what they hold, each made when first asked for."""

    def __init__(self, unit: Unit) -> None:
        self.unit = unit

    def made(self) -> "PlanObjects":
        for name in ("plan", "measure", "indicator", "approved_report", "draft_report",
                     "question", "comment", "submitted_plan"):  # fmt: skip
            getattr(self, name)
        return self

    @cached_property
    def municipality(self) -> Organization:
        return Organization.objects.create(name="Câmara Municipal da Praia", description="")

    @cached_property
    def association(self) -> Organization:
        return Organization.objects.create(
            name="Associação dos Imigrantes de Praia", description="", unit=self.unit
        )

    def _plan(self, slug: str, status: PlanStatus) -> Plan:
        plan = Plan.objects.create(
            slug=slug, title={"pt": "Plano Municipal de Integração de Migrantes da Praia"},
            starts_year=2025, ends_year=2027, status=status, coordinating_body=self.municipality,
            approved_at=APPROVED_AT if status == PlanStatus.IN_FORCE else None,
        )  # fmt: skip
        PlanMunicipality.objects.create(plan=plan, code=PRAIA)
        return plan

    @cached_property
    def plan(self) -> Plan:
        return self._plan("praia-2025-2027", PlanStatus.IN_FORCE)

    @cached_property
    def submitted_plan(self) -> Plan:
        return self._plan("praia-2028-2030", PlanStatus.SUBMITTED)

    @cached_property
    def area(self) -> InterventionArea:
        # A migration adds the default areas; a test that empties the tables (a browser's live
        # server) has lost them.
        return InterventionArea.objects.get_or_create(code="reception", defaults={"position": 1})[0]

    @cached_property
    def objective(self) -> Objective:
        return Objective.objects.create(
            plan=self.plan, code="1", area=self.area,
            title={"pt": "Melhorar o acolhimento"},
        )  # fmt: skip

    @cached_property
    def measure(self) -> Measure:
        return Measure.objects.create(
            plan=self.plan, objective=self.objective, area=self.objective.area, code="1.1",
            title={"pt": "Balcão de atendimento"}, responsible=self.association,
            starts_on=date(2025, 1, 1), ends_on=date(2027, 12, 31), budget=Decimal(100000),
            status=MeasureStatus.IN_PROGRESS, progress=40,
        )  # fmt: skip

    @cached_property
    def indicator(self) -> MeasureIndicator:
        indicator = MeasureIndicator.objects.create(
            measure=self.measure, code="1.1.1", name={"pt": "Pessoas atendidas"},
            unit=IndicatorUnit.PERSONS, baseline=Decimal(0), baseline_year=2024,
        )  # fmt: skip
        IndicatorTarget.objects.create(indicator=indicator, year=2025, value=Decimal(200))
        IndicatorTarget.objects.create(indicator=indicator, year=2026, value=Decimal(400))
        return indicator

    def _report(self, year: int, semester: int, status: ReportStatus) -> MonitoringReport:
        report = MonitoringReport.objects.create(
            plan=self.plan, year=year, semester=semester, status=status,
            approved_at=APPROVED_AT if status == ReportStatus.APPROVED else None,
        )  # fmt: skip
        ReportEntry.objects.create(
            report=report, measure=self.measure, progress=30, status=MeasureStatus.IN_PROGRESS
        )
        ReportValue.objects.create(report=report, indicator=self.indicator, value=Decimal(150))
        return report

    @cached_property
    def approved_report(self) -> MonitoringReport:
        return self._report(2025, 2, ReportStatus.APPROVED)

    @cached_property
    def draft_report(self) -> MonitoringReport:
        return self._report(2026, 1, ReportStatus.DRAFT)

    @cached_property
    def question(self) -> EvaluationQuestion:
        return EvaluationQuestion.objects.create(
            plan=self.plan, text={"pt": "As medidas chegaram a quem precisava?"}
        )

    @cached_property
    def comment(self) -> PlanComment:
        feedback = Feedback.objects.create(
            route="portal:plan", page="/pt/plans/praia-2025-2027/", language="pt",
            message="Proponho aulas de português ao sábado.",
        )  # fmt: skip
        return PlanComment.objects.create(
            plan=self.plan, feedback=feedback, kind=CommentKind.PROPOSAL
        )
