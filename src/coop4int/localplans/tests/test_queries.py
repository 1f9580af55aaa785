"""Reads of local plans: the plans the public reads, and a plan's overview — live in the back
office, as AAI approved it for the public — at a cost that does not grow with the plan."""

from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from coop4int.localplans.domain.queries import (
    get_public_plan,
    plan_history,
    plan_list_for_user,
    plan_overview,
    public_plans,
    public_plans_by_municipality,
)
from coop4int.localplans.enums import (
    Direction,
    LinkKind,
    MeasureStatus,
    PlanStatus,
    ReportStatus,
)
from coop4int.localplans.models import (
    IndicatorTarget,
    Measure,
    MeasureLink,
    MonitoringReport,
    Plan,
    PlanChange,
    ReportEntry,
    ReportValue,
)
from coop4int.localplans.progress import expected_value, under_target
from coop4int.localplans.tests.factories import (
    NOW,
    make_admin,
    make_measure,
    make_objective,
    make_plan,
)

# The most queries an overview costs, whatever the plan holds.
OVERVIEW_QUERIES = 14


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def report(
    plan: Plan,
    year: int,
    semester: int,
    *,
    status: str = ReportStatus.APPROVED,
    progress: dict[str, int | None] | None = None,
    values: dict[str, Decimal | None] | None = None,
) -> MonitoringReport:
    """A report of ``plan`` holding ``progress`` by measure code and ``values`` by indicator
    code (measures not named: not in the report)."""
    made = MonitoringReport.objects.create(plan=plan, year=year, semester=semester, status=status)
    for code, done in (progress or {}).items():
        measure = plan.measures.get(code=code)
        ReportEntry.objects.create(
            report=made, measure=measure, progress=done,
            status=MeasureStatus.IN_PROGRESS if done else MeasureStatus.PLANNED,
            late=done is None, comment=f"On {code}",
        )  # fmt: skip
    for code, value in (values or {}).items():
        indicator = plan.measures.get(indicators__code=code).indicators.get(code=code)
        targets = {target.year: target.value for target in indicator.targets.all()}
        expected = expected_value(
            baseline=indicator.baseline, targets=targets, year=year, semester=semester
        )
        flagged = under_target(
            value=value, expected=expected, direction=Direction(indicator.direction)
        )
        ReportValue.objects.create(
            report=made, indicator=indicator, value=value, under_target=flagged
        )
    return made


def set_progress(plan: Plan, **progress: int) -> None:
    for code, done in progress.items():
        Measure.objects.filter(plan=plan, code=code.replace("_", ".")).update(
            progress=done, status=MeasureStatus.IN_PROGRESS
        )


def test_a_plan_the_public_may_not_read_answers_404(db):
    make_plan(slug="draft", status=PlanStatus.DRAFT)
    make_plan(slug="submitted", status=PlanStatus.SUBMITTED)
    make_plan(slug="in-force", status=PlanStatus.IN_FORCE)
    for slug in ("draft", "submitted", "missing"):
        with pytest.raises(Http404):
            get_public_plan(slug)
    assert get_public_plan("in-force").slug == "in-force"


def test_the_public_list_holds_the_public_plans_by_municipality_newest_first(db):
    make_plan(slug="praia-old", status=PlanStatus.CLOSED, starts_year=2020, ends_year=2022)
    make_plan(slug="praia", status=PlanStatus.IN_FORCE)
    make_plan(slug="boa-vista", status=PlanStatus.APPROVED, municipalities=("CV-BV",))
    make_plan(slug="sal-draft", status=PlanStatus.DRAFT, municipalities=("CV-SL",))
    make_plan(slug="santiago", status=PlanStatus.IN_FORCE, municipalities=("CV-PR", "CV-CR"))
    rows = public_plans()
    assert [row.plan.slug for row in rows] == ["boa-vista", "praia", "santiago", "praia-old"]
    assert rows[2].municipalities == ["Praia", "Santa Cruz"]
    assert rows[1].status_label == "In force"
    groups = public_plans_by_municipality()
    assert [(g.name, [r.plan.slug for r in g.plans]) for g in groups] == [
        ("Boa Vista", ["boa-vista"]),
        ("Praia", ["praia", "santiago", "praia-old"]),
        ("Santa Cruz", ["santiago"]),
    ]


def test_the_public_list_shows_the_progress_of_the_latest_approved_report(db):
    plan = make_plan(status=PlanStatus.IN_FORCE)
    set_progress(plan, M1_1=100, M1_2=100)
    assert public_plans()[0].progress is None
    report(plan, 2025, 1, progress={"M1.1": 40, "M1.2": 20})
    report(plan, 2025, 2, progress={"M1.1": 90, "M1.2": 90}, status=ReportStatus.SUBMITTED)
    assert public_plans()[0].progress == Decimal("30.0")
    # Staff read the live progress.
    assert plan_list_for_user(make_admin())[0].progress == Decimal("100.0")


def test_the_overview_weighs_measures_into_objectives_areas_and_the_plan(db):
    plan = make_plan(status=PlanStatus.IN_FORCE, measures=0)
    first = make_objective(plan, code="O1", area_code="reception", weight=Decimal(3))
    second = make_objective(plan, code="O2", area_code="health", position=1)
    make_measure(plan, objective=first, code="M1.1", weight=Decimal(1), progress=100,
                 budget=Decimal(1000))  # fmt: skip
    make_measure(plan, objective=first, code="M1.2", weight=Decimal(3), progress=20,
                 status=MeasureStatus.IN_PROGRESS, budget=Decimal(3000),
                 funding=[("EU fund", Decimal(100))])  # fmt: skip
    make_measure(plan, objective=second, code="M2.1", progress=80, budget=Decimal(500),
                 funding=[])  # fmt: skip
    make_measure(plan, objective=second, code="M2.2", progress=0, status=MeasureStatus.CANCELLED)
    overview = plan_overview(plan)
    o1, o2 = overview.objectives
    # O1: (1·100 + 3·20) / 4 = 40; O2: the cancelled measure left out = 80.
    assert (o1.progress, o2.progress) == (Decimal("40.0"), Decimal("80.0"))
    # Plan: (3·40 + 1·80) / 4 = 50.
    assert overview.progress == Decimal("50.0")
    assert [str(o.area_name) for o in overview.objectives] == [
        "Reception and integration services", "Health",
    ]  # fmt: skip
    assert [(str(a.name), a.measure_count, a.budget, a.progress) for a in overview.areas] == [
        ("Reception and integration services", 2, Decimal(4000), Decimal("40.0")),
        ("Health", 2, Decimal(100500), Decimal("80.0")),
    ]
    assert overview.budget == Decimal(104500)
    # M1.1 75/25, M1.2 all EU; M2.2 75/25 of 100 000; M2.1 without a source.
    assert [(f.name, f.amount) for f in overview.funding] == [
        ("EU fund", Decimal("78750.00")),
        ("Municipality", Decimal("25250.00")),
        ("", Decimal("500")),
    ]
    measure = o1.measures[1]
    assert (measure.measure.code, str(measure.title), measure.status_label) == (
        "M1.2", "Measure M1.2", "In progress",
    )  # fmt: skip
    assert measure.responsible_name.startswith("Responsible for")


def test_the_public_reads_a_deviation_as_the_approved_report_found_it(db):
    plan = make_plan(status=PlanStatus.IN_FORCE)
    report(plan, 2025, 1, progress={"M1.1": 50}, values={"M1.1.1": Decimal(12)})
    # The targets are lowered after AAI approved the report: the value would now be on target.
    IndicatorTarget.objects.filter(indicator__code="M1.1.1").update(value=Decimal(1))

    public = plan_overview(plan, public=True)
    staff = plan_overview(plan)

    assert public.objectives[0].measures[0].indicators[0].under_target is True
    assert staff.objectives[0].measures[0].indicators[0].under_target is False


def test_the_public_overview_reads_what_the_latest_approved_report_gives(db):
    plan = make_plan(status=PlanStatus.IN_FORCE)
    set_progress(plan, M1_1=100, M1_2=100)
    report(plan, 2025, 1, progress={"M1.1": 50, "M1.2": None},
           values={"M1.1.1": Decimal(12), "M1.2.1": Decimal(40)})  # fmt: skip
    report(plan, 2025, 2, status=ReportStatus.DRAFT, progress={"M1.1": 100, "M1.2": 100},
           values={"M1.1.1": Decimal(99)})  # fmt: skip
    public = plan_overview(plan, public=True)
    assert (public.report.year, public.report.semester) == (2025, 1)
    assert public.progress == Decimal("25.0")
    first, second = public.objectives[0].measures
    assert (first.progress, first.comment, second.progress, second.late) == (
        50, "On M1.1", None, True,
    )  # fmt: skip
    assert public.late_count == 1
    [value] = first.indicators
    # Targets 20, 30, 40 from a baseline of 10: halfway through 2025 it should read 15.
    assert (value.value, value.expected, value.under_target) == (Decimal(12), Decimal(15), True)
    assert second.indicators[0].under_target is False
    assert public.under_target_count == 1
    # The back office reads the live progress and the latest report's values.
    staff = plan_overview(plan)
    assert staff.progress == Decimal("100.0")
    assert staff.objectives[0].measures[0].indicators[0].value == Decimal(99)


def test_before_any_approved_report_the_public_overview_shows_no_progress(db):
    plan = make_plan(status=PlanStatus.APPROVED)
    set_progress(plan, M1_1=70)
    report(plan, 2025, 1, status=ReportStatus.SUBMITTED, progress={"M1.1": 70})
    overview = plan_overview(plan, public=True)
    assert overview.report is None
    assert overview.progress is None
    assert overview.objectives[0].progress is None
    assert overview.areas[0].progress is None
    assert [m.progress for m in overview.objectives[0].measures] == [None, None]


def _grow(plan: Plan, measures: int) -> None:
    objective = make_objective(plan, code=f"O{plan.objectives.count() + 1}", area_code="health")
    for _n in range(measures):
        measure = make_measure(plan, objective=objective, indicators=2)
        MeasureLink.objects.create(measure=measure, kind=LinkKind.COURSE, ref="missing")
        MeasureLink.objects.create(measure=measure, kind=LinkKind.CAMPAIGN, ref="missing")


def test_the_overview_costs_the_same_queries_whatever_the_number_of_measures(
    db, django_assert_max_num_queries
):
    plan = make_plan(status=PlanStatus.IN_FORCE, measures=1)
    _grow(plan, 1)
    report(plan, 2025, 1, progress={"M1.1": 10}, values={"M1.1.1": Decimal(1)})
    with CaptureQueriesContext(connection) as small:
        plan_overview(plan, public=True)
    _grow(plan, 8)
    with django_assert_max_num_queries(OVERVIEW_QUERIES):
        overview = plan_overview(plan, public=True)
    assert overview.measure_count == 10
    with CaptureQueriesContext(connection) as large:
        plan_overview(plan)
    assert len(large) == len(small) <= OVERVIEW_QUERIES


def test_the_history_is_newest_first(db):
    plan = make_plan()
    for n, action in enumerate(["localplans.plan.created", "localplans.measure.added"]):
        PlanChange.objects.create(plan=plan, at=NOW + timedelta(minutes=n), action=action)
    assert [c.action for c in plan_history(plan)] == [
        "localplans.measure.added", "localplans.plan.created",
    ]  # fmt: skip


def test_a_measure_outside_the_plan_s_years_still_shows(db):
    plan = make_plan(status=PlanStatus.IN_FORCE, measures=0)
    make_measure(plan, code="M1.1", starts_on=date(2025, 3, 1), ends_on=date(2025, 9, 30))
    [objective] = plan_overview(plan).objectives
    assert [m.measure.code for m in objective.measures] == ["M1.1"]
