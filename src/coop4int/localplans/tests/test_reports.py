"""Semester monitoring reports: opened from the measures, filled in, deviations found on every
save, submitted, approved (then frozen) or sent back."""

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from coop4int.core.models import AuditEntry
from coop4int.localplans.domain.reports import (
    EntryInput,
    ValueInput,
    deviations,
    latest_approved_report,
    open_report,
    save_report,
    transition_report,
)
from coop4int.localplans.enums import (
    Direction,
    IndicatorSource,
    IndicatorUnit,
    MeasureStatus,
    PlanStatus,
    ReportStatus,
)
from coop4int.localplans.models import (
    Measure,
    MeasureIndicator,
    MonitoringReport,
    Plan,
    PlanChange,
    ReportEntry,
    ReportValue,
)
from coop4int.localplans.tests.factories import (
    NOW,
    make_admin,
    make_coordinator,
    make_indicator,
    make_plan,
)
from coop4int.observatory.enums import Concept, DatasetStatus
from coop4int.observatory.models import Dataset, Indicator, Observation

pytestmark = pytest.mark.django_db


def _running_plan() -> tuple[Plan, Measure, Measure]:
    """A plan in force (2025–2027) whose first measure is under way at 40 % and whose second is
    still planned; each has one indicator (baseline 10, targets 20, 30, 40)."""
    plan = make_plan(status=PlanStatus.IN_FORCE)
    first, second = plan.measures.order_by("position")
    first.status, first.progress = MeasureStatus.IN_PROGRESS, 40
    first.save(update_fields=["status", "progress"])
    return plan, first, second


def _value(report: MonitoringReport, measure: Measure) -> ReportValue:
    return report.values.get(indicator__measure=measure)


def test_a_report_starts_from_the_measures_and_flags_what_is_late() -> None:
    plan, first, second = _running_plan()
    coordinator = make_coordinator()
    report = open_report(actor=coordinator, plan=plan, year=2026, semester=1, now=NOW)
    assert (report.status, report.language) == (ReportStatus.DRAFT, "pt")
    entries = {entry.measure: entry for entry in report.entries.all()}
    assert (entries[first].progress, entries[first].status, entries[first].late) == (
        40, MeasureStatus.IN_PROGRESS, False,
    )  # fmt: skip
    # Due to have started in 2025 and still planned: late.
    assert (entries[second].progress, entries[second].late) == (0, True)
    # Indicators reported by hand start empty, and an empty value is under no target.
    assert [(v.value, v.under_target) for v in report.values.all()] == [(None, False)] * 2
    change = PlanChange.objects.get(plan=plan)
    assert (change.action, change.actor, change.at) == (
        "localplans.report.opened",
        coordinator,
        NOW,
    )
    assert change.details == {
        "report": "2026-S1", "entries": 2, "values": 2, "late": 1, "under_target": 0,
    }  # fmt: skip
    assert AuditEntry.objects.filter(action="localplans.report.opened").count() == 1


def _observatory_indicator(measure: Measure, value: float, period: str) -> MeasureIndicator:
    indicator = Indicator.objects.create(
        code="FOREIGN_RESIDENTS", concept=Concept.FOREIGN_BORN, source="INE"
    )
    dataset = Dataset.objects.create(
        public_id="FOREIGN_RESIDENTS-v1", indicator=indicator, version=1,
        status=DatasetStatus.PUBLISHED, source_name="INE", file_format="sdmx-csv",
        dimensions=["MUNICIPALITY"],
    )  # fmt: skip
    Observation.objects.create(dataset=dataset, period=period, key="CV-PR", value=value)
    return make_indicator(
        measure, code="OBS.1", source=IndicatorSource.OBSERVATORY,
        observatory_code="FOREIGN_RESIDENTS", targets={2026: Decimal(30)},
    )  # fmt: skip


def test_an_observatory_indicator_starts_from_its_published_figure_against_its_target() -> None:
    plan, first, _second = _running_plan()
    # Expected at mid-2026: halfway from the baseline (10) to the year's target (30), 20.
    indicator = _observatory_indicator(first, 19.0, "2026")
    report = open_report(actor=None, plan=plan, year=2026, semester=1, now=NOW)
    value = report.values.get(indicator=indicator)
    assert (value.value, value.under_target) == (Decimal("19.00"), True)


@pytest.mark.parametrize(
    ("status", "year", "semester", "language", "code"),
    [(PlanStatus.DRAFT, 2026, 1, "pt", "plan_not_running"),
     (PlanStatus.SUBMITTED, 2026, 1, "pt", "plan_not_running"),
     (PlanStatus.CLOSED, 2026, 1, "pt", "plan_not_running"),
     (PlanStatus.IN_FORCE, 2024, 2, "pt", "year"),
     (PlanStatus.APPROVED, 2028, 1, "pt", "year"),
     (PlanStatus.IN_FORCE, 2026, 3, "pt", "semester"),
     (PlanStatus.IN_FORCE, 2026, 1, "xx", "language")],
)  # fmt: skip
def test_a_report_is_opened_only_for_a_semester_of_a_running_plan(
    status: PlanStatus, year: int, semester: int, language: str, code: str
) -> None:
    plan = make_plan(status=status)
    with pytest.raises(ValidationError) as refused:
        open_report(actor=None, plan=plan, year=year, semester=semester, language=language, now=NOW)
    assert refused.value.code == code
    assert not MonitoringReport.objects.exists()
    assert not PlanChange.objects.exists()


def test_a_semester_has_one_report() -> None:
    plan, _first, _second = _running_plan()
    open_report(actor=None, plan=plan, year=2025, semester=2, now=NOW)
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        open_report(actor=None, plan=plan, year=2025, semester=2, now=NOW)
    assert refused.value.messages == ["The report of semester 2 of 2025 is already open."]
    assert MonitoringReport.objects.count() == 1


def test_saving_a_report_keeps_what_was_typed_and_finds_the_deviations_again() -> None:
    plan, first, second = _running_plan()
    falling = make_indicator(
        second, code="WAIT.1", direction=Direction.DECREASE, baseline=Decimal(60),
        targets={2025: Decimal(50), 2026: Decimal(30)},
    )  # fmt: skip
    report = open_report(actor=None, plan=plan, year=2026, semester=1, now=NOW)
    coordinator = make_coordinator()
    later = NOW + timedelta(days=120)
    saved = save_report(
        actor=coordinator, report=report, summary="  Um semestre de arranque. ",
        entries=[EntryInput(second.pk, 55, MeasureStatus.IN_PROGRESS, " A decorrer. ")],
        values=[
            # Expected at mid-2026: (20 + 30) / 2 = 25 when higher is better…
            ValueInput(_value(report, first).indicator_id, Decimal(24), ""),
            # …and (50 + 30) / 2 = 40 when lower is better.
            ValueInput(falling.pk, Decimal("40.5"), "Esperas mais longas."),
        ],
        now=later,
    )  # fmt: skip
    assert saved.summary == "Um semestre de arranque."
    entry = report.entries.get(measure=second)
    assert (entry.progress, entry.status, entry.comment, entry.late) == (
        55, MeasureStatus.IN_PROGRESS, "A decorrer.", False,
    )  # fmt: skip
    assert report.entries.get(measure=first).progress == 40  # not given: as it was
    first_value = _value(report, first)
    assert (first_value.value, first_value.under_target) == (Decimal(24), True)
    falling_value = report.values.get(indicator=falling)
    assert (falling_value.value, falling_value.under_target) == (Decimal("40.5"), True)
    change = PlanChange.objects.filter(action="localplans.report.saved").get()
    assert change.details == {
        "report": "2026-S1", "entries": 1, "values": 2, "late": 0, "under_target": 2,
    }  # fmt: skip
    assert change.at == later
    # What was typed is no part of the history or the audit.
    assert "arranque" not in str(AuditEntry.objects.values_list("data", flat=True))


def test_a_report_with_anything_wrong_is_refused_whole_listing_every_problem() -> None:
    plan, first, second = _running_plan()
    share = make_indicator(first, code="PCT.1", unit=IndicatorUnit.PERCENT)
    report = open_report(actor=None, plan=plan, year=2026, semester=2, now=NOW)
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        save_report(
            actor=None, report=report, summary="Changed",
            entries=[
                EntryInput(first.pk, 120, MeasureStatus.IN_PROGRESS, ""),
                EntryInput(second.pk, 90, MeasureStatus.DONE, ""),
                EntryInput(987654, 10, MeasureStatus.IN_PROGRESS, ""),
            ],
            values=[
                ValueInput(share.pk, Decimal(150), ""),
                ValueInput(_value(report, second).indicator_id, Decimal("1.234"), ""),
            ],
            now=NOW,
        )  # fmt: skip
    assert refused.value.messages == [
        "Measure M1.1: progress is a percentage from 0 to 100.",
        "Measure M1.2: a measure that is done has reached 100%.",
        "A measure given is not in this report.",
        "Indicator PCT.1: a percentage is from 0 to 100.",
        "Indicator M1.2.1: write a number with at most two decimals.",
    ]
    report.refresh_from_db()
    assert report.summary == ""
    assert list(report.entries.values_list("progress", flat=True)) == [40, 0]
    assert not report.values.exclude(value=None).exists()
    assert not PlanChange.objects.filter(action="localplans.report.saved").exists()


def _submitted(plan: Plan) -> MonitoringReport:
    report = open_report(actor=None, plan=plan, year=2025, semester=2, now=NOW)
    return transition_report(actor=None, report=report, to=ReportStatus.SUBMITTED, now=NOW)


@pytest.mark.parametrize(
    ("approve", "message"),
    [(False, "This report is waiting for approval: it can be changed again only if it is "
              "sent back."),
     (True, "This report was approved: it is frozen and can no longer be changed.")],
)  # fmt: skip
def test_a_submitted_or_approved_report_is_not_saved(approve: bool, message: str) -> None:
    plan, first, _second = _running_plan()
    report = _submitted(plan)
    if approve:
        transition_report(actor=make_admin(), report=report, to=ReportStatus.APPROVED, now=NOW)
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        save_report(
            actor=None, report=report, summary="Late change",
            entries=[EntryInput(first.pk, 100, MeasureStatus.DONE, "")], values=[], now=NOW,
        )  # fmt: skip
    assert refused.value.messages == [message]
    assert refused.value.code == "frozen"
    report.refresh_from_db()
    assert report.summary == ""
    assert report.entries.get(measure=first).progress == 40


def test_a_report_is_submitted_sent_back_with_a_reason_and_approved() -> None:
    plan, _first, _second = _running_plan()
    coordinator, admin = make_coordinator(), make_admin()
    report = open_report(actor=coordinator, plan=plan, year=2025, semester=2, now=NOW)
    submitted = transition_report(
        actor=coordinator, report=report, to=ReportStatus.SUBMITTED, now=NOW
    )
    assert (submitted.status, submitted.submitted_by, submitted.submitted_at) == (
        ReportStatus.SUBMITTED, coordinator, NOW,
    )  # fmt: skip
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        transition_report(actor=admin, report=report, to=ReportStatus.DRAFT, reason=" ", now=NOW)
    assert refused.value.code == "reason_required"
    returned = transition_report(
        actor=admin, report=report, to=ReportStatus.DRAFT, reason="Falta o resumo.", now=NOW
    )
    assert (returned.status, returned.returned_reason) == (ReportStatus.DRAFT, "Falta o resumo.")
    again = transition_report(actor=coordinator, report=report, to=ReportStatus.SUBMITTED, now=NOW)
    assert again.returned_reason == ""
    approved_at = NOW + timedelta(days=3)
    approved = transition_report(
        actor=admin, report=report, to=ReportStatus.APPROVED, now=approved_at
    )
    assert (approved.status, approved.approved_by, approved.approved_at) == (
        ReportStatus.APPROVED, admin, approved_at,
    )  # fmt: skip
    actions = list(
        PlanChange.objects.filter(plan=plan).order_by("at", "pk").values_list("action", flat=True)
    )
    assert actions == [
        "localplans.report.opened", "localplans.report.submitted", "localplans.report.returned",
        "localplans.report.submitted", "localplans.report.approved",
    ]  # fmt: skip
    # The reason is kept on the report, not in the history.
    assert "resumo" not in str(PlanChange.objects.values_list("details", flat=True))


@pytest.mark.parametrize(
    ("steps", "to"),
    [((), ReportStatus.APPROVED), ((), ReportStatus.DRAFT),
     ((ReportStatus.SUBMITTED,), ReportStatus.SUBMITTED),
     ((ReportStatus.SUBMITTED, ReportStatus.APPROVED), ReportStatus.DRAFT),
     ((ReportStatus.SUBMITTED, ReportStatus.APPROVED), ReportStatus.SUBMITTED)],
)  # fmt: skip
def test_any_other_move_of_a_report_is_refused(
    steps: tuple[ReportStatus, ...], to: ReportStatus
) -> None:
    plan, _first, _second = _running_plan()
    report = open_report(actor=None, plan=plan, year=2025, semester=1, now=NOW)
    for step in steps:
        report = transition_report(actor=None, report=report, to=step, now=NOW)
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        transition_report(actor=None, report=report, to=to, reason="Because.", now=NOW)
    assert refused.value.code == "transition"
    assert "cannot become" in refused.value.messages[0]
    report.refresh_from_db()
    assert report.status == (steps[-1] if steps else ReportStatus.DRAFT)


def test_deviations_list_the_late_the_under_target_and_the_missing() -> None:
    plan, first, second = _running_plan()
    report = open_report(actor=None, plan=plan, year=2026, semester=2, now=NOW)
    save_report(
        actor=None, report=report, summary="",
        entries=[], values=[ValueInput(_value(report, first).indicator_id, Decimal(29), "")],
        now=NOW,
    )  # fmt: skip
    found = deviations(report)
    assert [entry.measure for entry in found.late] == [second]
    assert [value.indicator.measure for value in found.under_target] == [first]
    assert [value.indicator.measure for value in found.missing] == [second]
    assert (found.count, bool(found)) == (3, True)


def test_an_approved_report_keeps_the_deviations_it_was_approved_with() -> None:
    plan, _first, second = _running_plan()
    report = _submitted(plan)
    transition_report(actor=None, report=report, to=ReportStatus.APPROVED, now=NOW)
    Measure.objects.filter(pk=second.pk).update(status=MeasureStatus.DONE, progress=100)
    assert [entry.measure for entry in deviations(report).late] == [second]
    assert ReportEntry.objects.get(report=report, measure=second).status == MeasureStatus.PLANNED


def test_the_latest_approved_report_is_the_last_semester_approved() -> None:
    plan, _first, _second = _running_plan()
    assert latest_approved_report(plan) is None
    reports: dict[tuple[int, int], Any] = {}
    for year, semester in [(2025, 1), (2025, 2), (2026, 1)]:
        reports[year, semester] = open_report(
            actor=None, plan=plan, year=year, semester=semester, now=NOW
        )
    for key in [(2025, 2), (2025, 1)]:
        transition_report(actor=None, report=reports[key], to=ReportStatus.SUBMITTED, now=NOW)
        transition_report(actor=None, report=reports[key], to=ReportStatus.APPROVED, now=NOW)
    # The 2026 report is still a draft.
    assert latest_approved_report(plan) == reports[2025, 2]


def test_a_report_waits_while_its_plan_is_revised() -> None:
    plan, _first, _second = _running_plan()
    coordinator = make_coordinator()
    report = open_report(actor=coordinator, plan=plan, year=2025, semester=2, now=NOW)
    Plan.objects.filter(pk=plan.pk).update(status=PlanStatus.DRAFT)  # a revision began
    report.refresh_from_db()

    with pytest.raises(ValidationError) as refused:
        save_report(actor=coordinator, report=report, summary="Novo", entries=[], values=[])
    assert refused.value.code == "plan_not_running"
    with pytest.raises(ValidationError) as refused:
        transition_report(actor=coordinator, report=report, to=ReportStatus.SUBMITTED, now=NOW)
    assert refused.value.code == "plan_not_running"
    report.refresh_from_db()
    assert (report.status, report.summary) == (ReportStatus.DRAFT, "")
