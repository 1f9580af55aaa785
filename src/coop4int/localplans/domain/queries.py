"""Reads of local integration plans: the plans a member of staff may reach (``scope``), the
plans the public reads, and a plan's overview — its objectives and measures by intervention
area with their progress, indicators against targets, budget and funding, and the links its
measures point to.

> The public reads what AAI approved: a public overview takes the measures' progress and
> status and the indicators' values from the plan's latest *approved* monitoring report, never
> the live values a coordinator or a partner may be changing. Before any report is approved
> the public sees the plan without progress or values. The back office's overview reads the
> live progress and the values of the latest report, whatever its state.

An overview costs the same number of queries whatever the number of objectives, measures,
indicators and links (``plan_overview``)."""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from coop4int.accounts.models import User
from coop4int.localplans import scope
from coop4int.localplans.domain.figures import LinkRow, link_rows
from coop4int.localplans.enums import (
    PUBLIC_PLAN_STATUSES,
    Direction,
    MeasureStatus,
    PlanStatus,
    ReportStatus,
)
from coop4int.localplans.models import (
    FundingSource,
    InterventionArea,
    Measure,
    MeasureIndicator,
    MeasureLink,
    MonitoringReport,
    Objective,
    Plan,
    PlanChange,
    PlanMunicipality,
)
from coop4int.localplans.progress import Weighted, expected_value, under_target, weighted_progress
from coop4int.localplans.texts import area_name
from coop4int.observatory.geography import MUNICIPALITIES
from coop4int.observatory.texts import Text, text_in

# --- Reaching a plan ---------------------------------------------------------------------------


def get_plan_for_user(user: User, slug: str) -> Plan:
    """The plan ``slug`` when ``user`` may reach it (``scope.plans_for_user``); Http404 when
    it does not exist or is out of their reach alike."""
    plan = scope.plans_for_user(user).filter(slug=slug).first()
    if plan is None:
        raise Http404
    return plan


def get_managed_plan(user: User, slug: str) -> Plan:
    """The plan ``slug`` when ``user`` writes and runs it (``scope.plans_managed_by``); else
    Http404."""
    plan = scope.plans_managed_by(user).filter(slug=slug).first()
    if plan is None:
        raise Http404
    return plan


def get_measure_for_user(user: User, plan: Plan, code: str) -> Measure:
    """The measure ``code`` of ``plan`` when ``user`` may reach the plan; else Http404. (Who
    may update it is ``Permission.UPDATE_PLAN_MEASURES`` on the measure.)"""
    if not scope.plans_for_user(user).filter(pk=plan.pk).exists():
        raise Http404
    measure = (
        Measure.objects.filter(plan=plan, code=code)
        .select_related("plan", "objective", "area", "responsible")
        .first()
    )
    if measure is None:
        raise Http404
    return measure


def get_public_plan(slug: str) -> Plan:
    """The plan ``slug`` when the public may read it (``PUBLIC_PLAN_STATUSES``); else Http404,
    as for one that does not exist."""
    plan = Plan.objects.filter(slug=slug, status__in=PUBLIC_PLAN_STATUSES).first()
    if plan is None:
        raise Http404
    return plan


def plan_history(plan: Plan) -> list[PlanChange]:
    """The plan's change history, newest first, with who made each change."""
    return list(plan.changes.select_related("actor").order_by("-at", "-pk"))


# --- Lists -------------------------------------------------------------------------------------


def municipality_name(code: str) -> str:
    """A municipality's name by its ISO code (the code itself when unknown)."""
    return MUNICIPALITIES[code].name if code in MUNICIPALITIES else code


@dataclass(frozen=True, slots=True)
class PlanRow:
    """A plan in a list: its title in the reader's language, its municipalities' names, its
    status and progress (live in the back office; the latest approved report's for the
    public)."""

    plan: Plan
    title: Text
    municipalities: list[str]
    """By name; ``municipality_codes`` in the same order."""
    municipality_codes: list[str]
    status_label: str
    progress: Decimal | None


def _progress_items(
    objectives: Iterable[Objective],
    measures: Iterable[Measure],
    reported: dict[int, tuple[int | None, str]] | None,
) -> tuple[Decimal | None, dict[int, Decimal | None]]:
    """The plan's progress and each objective's: from the measures' own progress and status,
    or — ``reported`` given — from those a report gives (a measure it does not hold has no
    progress)."""
    by_objective: dict[int, list[Weighted]] = defaultdict(list)
    for measure in measures:
        if reported is None:
            progress: int | None = measure.progress
            status = measure.status
        else:
            progress, status = reported.get(measure.pk, (None, measure.status))
        by_objective[measure.objective_id].append(
            Weighted(
                weight=measure.weight,
                progress=progress,
                cancelled=status == MeasureStatus.CANCELLED,
            )
        )
    objective_progress = {
        objective.pk: weighted_progress(by_objective.get(objective.pk, []))
        for objective in objectives
    }
    plan = weighted_progress(
        Weighted(weight=objective.weight, progress=objective_progress[objective.pk])
        for objective in objectives
        if objective_progress[objective.pk] is not None
    )
    return plan, objective_progress


def _latest_reports(plans: Sequence[Plan], *, approved: bool) -> dict[int, MonitoringReport]:
    """The latest report of each plan (approved ones only, when ``approved``), in one query."""
    reports = MonitoringReport.objects.filter(plan__in=plans).order_by(
        "plan_id", "-year", "-semester"
    )
    if approved:
        reports = reports.filter(status=ReportStatus.APPROVED)
    latest: dict[int, MonitoringReport] = {}
    for report in reports:
        latest.setdefault(report.plan_id, report)
    return latest


def _plan_rows(plans: Sequence[Plan], *, public: bool) -> list[PlanRow]:
    """The rows of ``plans`` (prefetched with ``_with_content``): a constant number of
    queries."""
    reported: dict[int, dict[int, tuple[int | None, str]]] = {}
    if public:
        latest = _latest_reports(plans, approved=True)
        for report_plan, measure_id, entry_progress, status in (
            MonitoringReport.objects.filter(pk__in=[r.pk for r in latest.values()])
            .values_list("plan_id", "entries__measure_id", "entries__progress", "entries__status")
            .order_by()
        ):
            entries = reported.setdefault(report_plan, {})
            if measure_id is not None:
                entries[measure_id] = (entry_progress, status)
    rows = []
    for plan in plans:
        codes = sorted(
            (m.code for m in plan.municipalities.all()),
            key=lambda code: municipality_name(code).casefold(),
        )
        if public and plan.pk not in reported:
            progress = None
        else:
            progress, _objectives = _progress_items(
                plan.objectives.all(),
                plan.measures.all(),
                reported.get(plan.pk) if public else None,
            )
        rows.append(
            PlanRow(
                plan=plan,
                title=text_in(plan.title),
                municipalities=[municipality_name(code) for code in codes],
                municipality_codes=codes,
                status_label=str(PlanStatus(plan.status).label),
                progress=progress,
            )
        )
    return rows


def _with_content(plans: QuerySet[Plan]) -> list[Plan]:
    """``plans`` with what their rows need, prefetched (four queries)."""
    return list(
        plans.prefetch_related(
            Prefetch("municipalities", queryset=PlanMunicipality.objects.order_by("code")),
            Prefetch("objectives", queryset=Objective.objects.order_by("position", "code")),
            Prefetch(
                "measures",
                queryset=Measure.objects.only(
                    "pk", "plan_id", "objective_id", "weight", "progress", "status"
                ),
            ),
        )
    )


def plan_list_for_user(user: User) -> list[PlanRow]:
    """The plans ``user`` may reach, newest first, each with its live progress."""
    plans = _with_content(scope.plans_for_user(user).order_by("-starts_year", "-version", "slug"))
    return _plan_rows(plans, public=False)


def public_plans() -> list[PlanRow]:
    """The plans the public reads (approved, in force or closed), by municipality (the first
    each covers, by name), the newest first within one; each with the progress of its latest
    approved report."""
    plans = _with_content(Plan.objects.filter(status__in=PUBLIC_PLAN_STATUSES))
    rows = _plan_rows(plans, public=True)
    rows.sort(key=lambda row: -row.plan.version)
    rows.sort(key=lambda row: -row.plan.starts_year)
    rows.sort(key=lambda row: (row.municipalities[:1] or [""])[0].casefold())
    return rows


@dataclass(frozen=True, slots=True)
class MunicipalityPlans:
    code: str
    name: str
    plans: list[PlanRow]


def public_plans_by_municipality() -> list[MunicipalityPlans]:
    """The public plans under each municipality they cover (a plan of several municipalities
    under each), municipalities by name, the newest plan first."""
    grouped: dict[str, list[PlanRow]] = defaultdict(list)
    for row in public_plans():
        for code in row.municipality_codes:
            grouped[code].append(row)
    return sorted(
        (
            MunicipalityPlans(
                code=code,
                name=municipality_name(code),
                plans=sorted(rows, key=lambda r: (-r.plan.starts_year, -r.plan.version)),
            )
            for code, rows in grouped.items()
        ),
        key=lambda group: group.name.casefold(),
    )


# --- The overview ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IndicatorRow:
    """An indicator against its targets: the value the report read gives (None when none or
    not known), what it was expected to reach at the end of that semester, and whether it fell
    short."""

    indicator: MeasureIndicator
    name: Text
    unit_label: str
    baseline: Decimal | None
    targets: dict[int, Decimal]
    value: Decimal | None
    expected: Decimal | None
    under_target: bool
    comment: str = ""


@dataclass(frozen=True, slots=True)
class FundingShare:
    name: str
    share: Decimal
    amount: Decimal


@dataclass(frozen=True, slots=True)
class MeasureRow:
    measure: Measure
    title: Text
    description: Text
    target_group: Text
    area_name: Text
    progress: int | None
    status: str
    status_label: str
    responsible_name: str
    partner_names: list[str]
    funding: list[FundingShare]
    indicators: list[IndicatorRow]
    links: list[LinkRow]
    late: bool = False
    comment: str = ""


@dataclass(frozen=True, slots=True)
class ObjectiveRow:
    objective: Objective
    area_name: Text
    title: Text
    progress: Decimal | None
    measures: list[MeasureRow]


@dataclass(frozen=True, slots=True)
class AreaRow:
    """An intervention area of the plan: how many measures it holds, their budget and the
    area's weighted progress (its measures', by their weights)."""

    area: InterventionArea
    name: Text
    measure_count: int
    budget: Decimal
    progress: Decimal | None


@dataclass(frozen=True, slots=True)
class FundingTotal:
    """What a funding source pays over the plan (``name`` empty: budget without a source)."""

    name: str
    amount: Decimal


@dataclass(frozen=True, slots=True)
class PlanOverview:
    plan: Plan
    public: bool
    title: Text
    summary: Text
    municipalities: list[str]
    municipality_codes: list[str]
    progress: Decimal | None
    objectives: list[ObjectiveRow]
    areas: list[AreaRow]
    budget: Decimal
    funding: list[FundingTotal]
    report: MonitoringReport | None
    """The report the progress (public) and the indicators' values come from."""
    measure_count: int = 0
    late_count: int = 0
    under_target_count: int = 0
    coordinating_body_name: str = ""
    notes: list[str] = field(default_factory=list)


def _shares(measure: Measure) -> list[FundingShare]:
    return [
        FundingShare(
            name=source.name,
            share=source.share,
            amount=(measure.budget * source.share / 100).quantize(Decimal("0.01")),
        )
        for source in measure.funding.all()
    ]


def plan_overview(plan: Plan, *, public: bool = False) -> PlanOverview:
    """``plan``'s objectives and measures, by intervention area, with their progress, status,
    indicators against targets, funding and links (what they delivered).

    ``public``: the progress, status and indicator values of the latest approved report (none
    before one is approved); otherwise the measures' live progress and status, and the values
    of the latest report of any state. A constant number of queries (fourteen) whatever the
    plan holds."""
    codes = sorted(
        PlanMunicipality.objects.filter(plan=plan).values_list("code", flat=True),
        key=lambda code: municipality_name(code).casefold(),
    )
    objectives = list(
        Objective.objects.filter(plan=plan).select_related("area").order_by("position", "code")
    )
    measures = list(
        Measure.objects.filter(plan=plan)
        .select_related("area", "responsible")
        .prefetch_related(
            "partners",
            Prefetch("funding", queryset=FundingSource.objects.order_by("position", "pk")),
            Prefetch(
                "indicators",
                queryset=MeasureIndicator.objects.order_by("position", "code").prefetch_related(
                    "targets"
                ),
            ),
        )
        .order_by("position", "code")
    )
    by_id = {measure.pk: measure for measure in measures}
    links = list(
        MeasureLink.objects.filter(measure__plan=plan).order_by("measure_id", "kind", "ref")
    )
    link_by_measure: dict[int, list[LinkRow]] = defaultdict(list)
    for link, row in zip(links, link_rows(links, by_id), strict=True):
        link_by_measure[link.measure_id].append(row)

    reports = MonitoringReport.objects.filter(plan=plan).order_by("-year", "-semester")
    if public:
        reports = reports.filter(status=ReportStatus.APPROVED)
    report = reports.first()
    entries: dict[int, tuple[int | None, str, bool, str]] = {}
    values: dict[int, tuple[Decimal | None, str, bool]] = {}
    if report is not None:
        for measure_id, entry_progress, status, late, comment in report.entries.values_list(
            "measure_id", "progress", "status", "late", "comment"
        ):
            entries[measure_id] = (entry_progress, status, late, comment)
        for indicator_id, value, comment, flagged in report.values.values_list(
            "indicator_id", "value", "comment", "under_target"
        ):
            values[indicator_id] = (value, comment, flagged)

    reported: dict[int, tuple[int | None, str]] | None = None
    if public:
        reported = {pk: (entry[0], entry[1]) for pk, entry in entries.items()}
    if public and report is None:
        progress: Decimal | None = None
        objective_progress: dict[int, Decimal | None] = {o.pk: None for o in objectives}
    else:
        progress, objective_progress = _progress_items(objectives, measures, reported)

    measure_rows: dict[int, list[MeasureRow]] = defaultdict(list)
    area_items: dict[int, list[Weighted]] = defaultdict(list)
    area_budget: dict[int, Decimal] = defaultdict(Decimal)
    area_count: dict[int, int] = defaultdict(int)
    areas: dict[int, InterventionArea] = {}
    funding_totals: dict[str, Decimal] = defaultdict(Decimal)
    budget = Decimal(0)
    late_count = under_count = 0
    for measure in measures:
        entry = entries.get(measure.pk)
        if public:
            shown_progress = entry[0] if entry else None
            status = entry[1] if entry else measure.status
        else:
            shown_progress, status = measure.progress, measure.status
        late = bool(entry and entry[2])
        late_count += late
        indicator_rows = []
        for indicator in measure.indicators.all():
            targets = {target.year: target.value for target in indicator.targets.all()}
            value, comment, flagged = values.get(indicator.pk, (None, "", False))
            expected = (
                expected_value(
                    baseline=indicator.baseline,
                    targets=targets,
                    year=report.year,
                    semester=report.semester,
                )
                if report is not None
                else None
            )
            # The public reads the deviation as the approved report found it (targets may have
            # changed since); the back office, as it stands now.
            short = (
                flagged
                if public
                else under_target(
                    value=value, expected=expected, direction=Direction(indicator.direction)
                )
            )
            under_count += short
            indicator_rows.append(
                IndicatorRow(
                    indicator=indicator,
                    name=text_in(indicator.name),
                    unit_label=indicator.get_unit_display(),
                    baseline=indicator.baseline,
                    targets=targets,
                    value=value,
                    expected=expected,
                    under_target=short,
                    comment=comment,
                )
            )
        shares = _shares(measure)
        for share in shares:
            funding_totals[share.name] += share.amount
        unfunded = measure.budget - sum((s.amount for s in shares), Decimal(0))
        if unfunded > 0:
            funding_totals[""] += unfunded
        budget += measure.budget
        areas[measure.area_id] = measure.area
        area_count[measure.area_id] += 1
        area_budget[measure.area_id] += measure.budget
        area_items[measure.area_id].append(
            Weighted(
                weight=measure.weight,
                progress=shown_progress,
                cancelled=status == MeasureStatus.CANCELLED,
            )
        )
        measure_rows[measure.objective_id].append(
            MeasureRow(
                measure=measure,
                title=text_in(measure.title),
                description=text_in(measure.description),
                target_group=text_in(measure.target_group),
                area_name=area_name(measure.area),
                progress=shown_progress,
                status=status,
                status_label=str(MeasureStatus(status).label),
                responsible_name=measure.responsible.name,
                partner_names=sorted(p.name for p in measure.partners.all()),
                funding=shares,
                indicators=indicator_rows,
                links=link_by_measure.get(measure.pk, []),
                late=late,
                comment=entry[3] if entry else "",
            )
        )
    no_progress = public and report is None
    area_rows = [
        AreaRow(
            area=area,
            name=area_name(area),
            measure_count=area_count[pk],
            budget=area_budget[pk],
            progress=None if no_progress else weighted_progress(area_items[pk]),
        )
        for pk, area in sorted(areas.items(), key=lambda item: (item[1].position, item[1].code))
    ]
    coordinating = plan.coordinating_body
    return PlanOverview(
        plan=plan,
        public=public,
        title=text_in(plan.title),
        summary=text_in(plan.summary),
        municipalities=[municipality_name(code) for code in codes],
        municipality_codes=codes,
        progress=progress,
        objectives=[
            ObjectiveRow(
                objective=objective,
                area_name=area_name(objective.area),
                title=text_in(objective.title),
                progress=objective_progress.get(objective.pk),
                measures=measure_rows.get(objective.pk, []),
            )
            for objective in objectives
        ],
        areas=area_rows,
        budget=budget,
        funding=sorted(
            (FundingTotal(name=name, amount=amount) for name, amount in funding_totals.items()),
            key=lambda total: (total.name == "", -total.amount, total.name),
        ),
        report=report,
        measure_count=len(measures),
        late_count=late_count,
        under_target_count=under_count,
        coordinating_body_name=coordinating.name if coordinating else "",
    )
