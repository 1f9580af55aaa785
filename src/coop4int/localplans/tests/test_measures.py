"""Objectives, measures, progress, indicators and intervention areas: what is checked, what is
written to the history and the audit log, and that a refusal changes nothing."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from coop4int.core.models import AuditEntry
from coop4int.localplans.domain.measures import (
    Funding,
    IndicatorDetails,
    MeasureDetails,
    add_indicator,
    add_measure,
    add_objective,
    configure_area,
    remove_indicator,
    update_indicator,
    update_measure,
    update_objective,
    update_progress,
)
from coop4int.localplans.enums import (
    Direction,
    IndicatorSource,
    IndicatorUnit,
    LinkKind,
    MeasureStatus,
    PlanStatus,
    PlatformCount,
    ReportStatus,
)
from coop4int.localplans.models import (
    InterventionArea,
    Measure,
    MeasureIndicator,
    MonitoringReport,
    Objective,
    Plan,
    PlanChange,
    ReportValue,
)
from coop4int.localplans.tests.factories import (
    NOW,
    area,
    make_coordinator,
    make_objective,
    make_organisation,
    make_partner,
    make_plan,
    refused,
)

pytestmark = pytest.mark.django_db


def measure_details(plan: Plan, **changes: object) -> MeasureDetails:
    objective = plan.objectives.first() or make_objective(plan)
    values: dict[str, object] = {
        "objective": objective,
        "area": area("labour"),
        "code": "M1.9",
        "title": {"pt": "Balcão de emprego para migrantes"},
        "description": {"pt": "Orientação para o emprego."},
        "target_group": {"pt": "Migrantes à procura de emprego"},
        "responsible": make_organisation("Centro de Emprego da Praia"),
        "partners": [],
        "starts_on": date(2025, 3, 1),
        "ends_on": date(2026, 12, 31),
        "budget": Decimal("250000.00"),
        "weight": Decimal(2),
        "funding": [Funding("FAMI", Decimal(75)), Funding("Câmara Municipal", Decimal(25))],
        "links": [(LinkKind.COURSE, "portugues-a1"), (LinkKind.SERVICE, "svc-1")],
    }
    values.update(changes)
    return MeasureDetails(**values)  # type: ignore[arg-type]


def indicator_details(**changes: object) -> IndicatorDetails:
    values: dict[str, object] = {
        "code": "I1",
        "name": {"pt": "Pessoas orientadas"},
        "unit": IndicatorUnit.PERSONS,
        "direction": Direction.INCREASE,
        "baseline": Decimal(40),
        "baseline_year": 2024,
        "source": IndicatorSource.MANUAL,
        "observatory_code": "",
        "observatory_series": {},
        "platform_count": "",
        "targets": {2025: Decimal(60), 2026: Decimal(90)},
    }
    values.update(changes)
    return IndicatorDetails(**values)  # type: ignore[arg-type]


def last_change(plan: Plan) -> PlanChange:
    change = plan.changes.order_by("pk").last()
    assert change is not None
    return change


# --- objectives -------------------------------------------------------------------------------


def test_objectives_are_added_in_order_and_recorded() -> None:
    plan = make_plan(measures=0)
    first = add_objective(
        actor=None, plan=plan, code="O1", area=area("health"), title={"pt": "Saúde"}, now=NOW
    )
    second = add_objective(
        actor=None,
        plan=plan,
        code="O2",
        area=area("housing"),
        title={"pt": "Habitação"},
        weight=Decimal("2.5"),
        now=NOW,
    )
    assert (first.position, second.position, second.weight) == (0, 1, Decimal("2.5"))
    assert last_change(plan).details == {"objective": "O2", "area": "housing"}
    assert AuditEntry.objects.filter(action="localplans.objective.added").count() == 2


def test_an_objective_number_is_used_once_in_a_plan() -> None:
    plan = make_plan(measures=0)
    make_objective(plan, code="O1")
    with refused("code_taken"):
        add_objective(actor=None, plan=plan, code="O1", area=area(), title={"pt": "X"}, now=NOW)
    assert plan.objectives.count() == 1


def test_a_retired_area_is_not_offered_but_may_stay() -> None:
    plan = make_plan(measures=0)
    objective = make_objective(plan, area_code="religion")
    InterventionArea.objects.filter(code="religion").update(active=False)
    retired = InterventionArea.objects.get(code="religion")
    with refused("area_retired"):
        add_objective(actor=None, plan=plan, code="O2", area=retired, title={"pt": "X"}, now=NOW)
    update_objective(
        actor=None,
        objective=objective,
        code="O1",
        area=retired,
        title={"pt": "Diálogo inter-religioso"},
        weight=Decimal(1),
        now=NOW,
    )
    objective.refresh_from_db()
    assert objective.title == {"pt": "Diálogo inter-religioso"}
    assert last_change(plan).details == {"objective": "O1", "fields": ["title"]}


# --- measures ---------------------------------------------------------------------------------


def test_a_measure_is_added_with_its_funding_partners_and_links() -> None:
    plan = make_plan(measures=0)
    partner = make_organisation("Associação dos Imigrantes")
    measure = add_measure(
        actor=None, plan=plan, details=measure_details(plan, partners=[partner, partner]), now=NOW
    )
    measure.refresh_from_db()
    assert (measure.status, measure.progress, measure.weight) == ("planned", 0, Decimal(2))
    assert list(measure.partners.all()) == [partner]
    assert [(f.name, f.share) for f in measure.funding.all()] == [
        ("FAMI", Decimal(75)),
        ("Câmara Municipal", Decimal(25)),
    ]
    assert [(link.kind, link.ref) for link in measure.links.all()] == [
        ("course", "portugues-a1"),
        ("service", "svc-1"),
    ]
    change = last_change(plan)
    assert change.action == "localplans.measure.added"
    assert change.details == {"measure": "M1.9", "objective": "O1", "area": "labour"}


def test_a_measure_may_have_no_funding_but_given_shares_add_up_to_100() -> None:
    plan = make_plan(measures=0)
    add_measure(actor=None, plan=plan, details=measure_details(plan, funding=[]), now=NOW)
    with refused("shares_not_100"):
        add_measure(
            actor=None,
            plan=plan,
            details=measure_details(plan, code="M1.10", funding=[Funding("FAMI", Decimal(75))]),
            now=NOW,
        )
    assert plan.measures.count() == 1


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"starts_on": date(2024, 12, 1)}, "dates_outside_plan"),
        ({"ends_on": date(2028, 1, 1)}, "dates_outside_plan"),
        ({"starts_on": date(2026, 1, 1), "ends_on": date(2025, 1, 1)}, "dates_unordered"),
        ({"code": "M 1"}, "code_invalid"),
        ({"title": {}}, "title_missing"),
        ({"budget": Decimal(-1)}, "budget_invalid"),
        ({"budget": Decimal("0.001")}, "budget_invalid"),
        ({"weight": Decimal(-1)}, "weight_invalid"),
        ({"funding": [Funding("", Decimal(100))]}, "funding_unnamed"),
        ({"funding": [Funding("A", Decimal(120))]}, "share_invalid"),
        ({"links": [("video", "x")]}, "link_kind_unknown"),
        ({"links": [(LinkKind.SERVICE, " ")]}, "link_ref_invalid"),
    ],
)
def test_bad_measure_details_are_refused_and_nothing_is_saved(
    changes: dict[str, object], code: str
) -> None:
    plan = make_plan(measures=0)
    with refused(code):
        add_measure(actor=None, plan=plan, details=measure_details(plan, **changes), now=NOW)
    assert not Measure.objects.exists()
    assert not plan.changes.filter(action="localplans.measure.added").exists()


def test_a_measure_belongs_to_an_objective_of_its_plan() -> None:
    plan, other = make_plan(measures=0), make_plan(slug="sal", measures=0)
    foreign = make_objective(other)
    with refused("objective_unknown"):
        add_measure(
            actor=None, plan=plan, details=measure_details(plan, objective=foreign), now=NOW
        )


def test_updating_a_measure_records_the_fields_changed() -> None:
    plan = make_plan(measures=0)
    measure = add_measure(actor=None, plan=plan, details=measure_details(plan), now=NOW)
    details = measure_details(
        plan,
        responsible=measure.responsible,
        budget=Decimal(300000),
        funding=[Funding("FAMI", Decimal(50)), Funding("Câmara Municipal", Decimal(50))],
        links=[(LinkKind.COURSE, "portugues-a1"), (LinkKind.SERVICE, "svc-1")],
    )
    update_measure(actor=None, measure=measure, details=details, now=NOW)
    measure.refresh_from_db()
    assert measure.budget == Decimal(300000)
    assert [f.share for f in measure.funding.all()] == [Decimal(50), Decimal(50)]
    change = last_change(plan)
    assert change.action == "localplans.measure.updated"
    assert change.details == {"measure": "M1.9", "fields": ["budget", "funding"]}
    # The same again changes nothing and writes nothing.
    update_measure(actor=None, measure=measure, details=details, now=NOW)
    assert plan.changes.filter(action="localplans.measure.updated").count() == 1


def test_measures_cannot_be_written_while_the_plan_is_reviewed() -> None:
    plan = make_plan(status=PlanStatus.SUBMITTED, measures=1)
    with refused("plan_frozen"):
        add_measure(actor=None, plan=plan, details=measure_details(plan), now=NOW)
    measure = plan.measures.get()
    with refused("plan_frozen"):
        update_measure(
            actor=None,
            measure=measure,
            details=measure_details(plan, code=measure.code, responsible=measure.responsible),
            now=NOW,
        )
    assert plan.measures.count() == 1


# --- progress ---------------------------------------------------------------------------------


def test_a_partner_reports_progress_on_a_plan_in_force() -> None:
    plan = make_plan(status=PlanStatus.IN_FORCE, measures=1)
    measure = plan.measures.get()
    partner = make_partner(measure.responsible)
    update_progress(
        actor=partner,
        measure=measure,
        progress=45,
        status=MeasureStatus.IN_PROGRESS,
        note="Two sessions held.",
        now=NOW,
    )
    measure.refresh_from_db()
    assert (measure.progress, measure.status, measure.progress_note) == (
        45,
        "in_progress",
        "Two sessions held.",
    )
    assert measure.progress_updated_at == NOW
    change = last_change(plan)
    assert (change.action, change.actor) == ("localplans.measure.progress_updated", partner)
    assert change.details == {
        "measure": measure.code,
        "from": {"progress": 0, "status": "planned"},
        "to": {"progress": 45, "status": "in_progress"},
    }
    assert "sessions" not in str(AuditEntry.objects.get(action=change.action).data)


@pytest.mark.parametrize(
    ("progress", "status", "code"),
    [
        (90, MeasureStatus.DONE, "done_not_complete"),
        (101, MeasureStatus.IN_PROGRESS, "progress_invalid"),
        (-5, MeasureStatus.IN_PROGRESS, "progress_invalid"),
        (10, "finished", "status_unknown"),
    ],
)
def test_impossible_progress_is_refused(progress: int, status: MeasureStatus, code: str) -> None:
    plan = make_plan(status=PlanStatus.IN_FORCE, measures=1)
    measure = plan.measures.get()
    with refused(code):
        update_progress(actor=None, measure=measure, progress=progress, status=status, now=NOW)
    measure.refresh_from_db()
    assert (measure.progress, measure.status) == (0, "planned")


def test_a_done_measure_is_at_100() -> None:
    plan = make_plan(status=PlanStatus.APPROVED, measures=1)
    measure = update_progress(
        actor=None, measure=plan.measures.get(), progress=100, status=MeasureStatus.DONE, now=NOW
    )
    assert (measure.progress, measure.status) == (100, "done")


def test_no_progress_is_reported_while_the_plan_is_reviewed_or_closed() -> None:
    for status in (PlanStatus.SUBMITTED, PlanStatus.CLOSED):
        plan = make_plan(slug=f"plan-{status}", status=status, measures=1)
        with refused("plan_frozen"):
            update_progress(
                actor=make_coordinator(),
                measure=plan.measures.get(),
                progress=50,
                status=MeasureStatus.IN_PROGRESS,
                now=NOW,
            )


# --- indicators -------------------------------------------------------------------------------


def test_an_indicator_is_added_with_its_targets() -> None:
    plan = make_plan(measures=1)
    measure = plan.measures.get()
    indicator = add_indicator(actor=None, measure=measure, details=indicator_details(), now=NOW)
    assert indicator.position == 1  # after the factory's own
    assert sorted(indicator.targets.values_list("year", "value")) == [
        (2025, Decimal(60)),
        (2026, Decimal(90)),
    ]
    assert last_change(plan).details == {
        "measure": measure.code,
        "indicator": "I1",
        "source": "manual",
    }


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"targets": {2030: Decimal(1)}}, "target_year_outside_plan"),
        ({"source": IndicatorSource.OBSERVATORY}, "observatory_code_missing"),
        (
            {"source": IndicatorSource.PLATFORM, "platform_count": "visits"},
            "platform_count_missing",
        ),
        ({"name": {"pt": ""}}, "name_missing"),
        ({"unit": "litres"}, "unit_unknown"),
        ({"baseline": Decimal("1.234")}, "baseline_invalid"),
        ({"code": "M1.1.1"}, "code_taken"),
    ],
)
def test_bad_indicator_details_are_refused(changes: dict[str, object], code: str) -> None:
    plan = make_plan(measures=1)
    measure = plan.measures.get()
    with refused(code):
        add_indicator(actor=None, measure=measure, details=indicator_details(**changes), now=NOW)
    assert measure.indicators.count() == 1


def test_an_indicator_keeps_only_what_its_source_needs() -> None:
    plan = make_plan(measures=1)
    details = indicator_details(
        source=IndicatorSource.PLATFORM,
        platform_count=PlatformCount.PEOPLE_TRAINED,
        observatory_code="FOREIGN_NATIONALS",
        observatory_series={"SEX": "_T"},
    )
    indicator = add_indicator(actor=None, measure=plan.measures.get(), details=details, now=NOW)
    indicator.refresh_from_db()
    assert (indicator.platform_count, indicator.observatory_code) == ("people_trained", "")
    assert indicator.observatory_series == {}
    observatory = add_indicator(
        actor=None,
        measure=plan.measures.get(),
        details=replace(details, code="I2", source=IndicatorSource.OBSERVATORY, platform_count=""),
        now=NOW,
    )
    assert (observatory.observatory_code, observatory.observatory_series) == (
        "FOREIGN_NATIONALS",
        {"SEX": "_T"},
    )


def test_updating_an_indicator_replaces_its_targets() -> None:
    plan = make_plan(measures=1)
    indicator = add_indicator(
        actor=None, measure=plan.measures.get(), details=indicator_details(), now=NOW
    )
    update_indicator(
        actor=None,
        indicator=indicator,
        details=indicator_details(targets={2027: Decimal(120)}, direction=Direction.DECREASE),
        now=NOW,
    )
    assert list(indicator.targets.values_list("year", "value")) == [(2027, Decimal(120))]
    assert last_change(plan).details["fields"] == ["direction", "targets"]


def test_an_indicator_reported_in_an_approved_report_stays() -> None:
    plan = make_plan(status=PlanStatus.IN_FORCE, measures=1)
    indicator = MeasureIndicator.objects.get(measure__plan=plan)
    report = MonitoringReport.objects.create(
        plan=plan, year=2025, semester=2, status=ReportStatus.APPROVED
    )
    ReportValue.objects.create(report=report, indicator=indicator, value=Decimal(30))
    with refused("indicator_reported"):
        remove_indicator(actor=None, indicator=indicator, now=NOW)
    assert MeasureIndicator.objects.filter(pk=indicator.pk).exists()


def test_an_indicator_only_in_a_draft_report_is_removed() -> None:
    plan = make_plan(status=PlanStatus.IN_FORCE, measures=1)
    indicator = MeasureIndicator.objects.get(measure__plan=plan)
    report = MonitoringReport.objects.create(plan=plan, year=2025, semester=2)
    ReportValue.objects.create(report=report, indicator=indicator, value=None)
    code = indicator.code
    remove_indicator(actor=None, indicator=indicator, now=NOW)
    assert not MeasureIndicator.objects.filter(measure__plan=plan).exists()
    change = last_change(plan)
    assert change.action == "localplans.indicator.removed"
    assert change.details["indicator"] == code


# --- areas ------------------------------------------------------------------------------------


def test_an_administrator_adds_renames_and_retires_areas() -> None:
    created = configure_area(
        actor=None, code="sport", names={"pt": "Desporto", "en": "Sport"}, position=15, active=True
    )
    assert (created.names, created.position, created.active) == (
        {"pt": "Desporto", "en": "Sport"},
        15,
        True,
    )
    configure_area(actor=None, code="religion", names={}, position=13, active=False)
    assert not InterventionArea.objects.get(code="religion").active
    assert AuditEntry.objects.filter(action="localplans.area.configured").count() == 2
    assert not PlanChange.objects.exists()


def test_a_new_area_needs_a_name_and_a_clean_code() -> None:
    with refused("name_missing"):
        configure_area(actor=None, code="sport", names={}, position=1, active=True)
    with refused("code_invalid"):
        configure_area(
            actor=None, code="Sport Area", names={"en": "Sport"}, position=1, active=True
        )
    assert not InterventionArea.objects.filter(code__startswith="sport").exists()


def test_the_test_plan_has_one_objective_and_numbered_measures() -> None:
    plan = make_plan(measures=2)
    assert Objective.objects.filter(plan=plan).count() == 1
    assert list(plan.measures.values_list("code", flat=True)) == ["M1.1", "M1.2"]
