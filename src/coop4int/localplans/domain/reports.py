"""A plan's semester monitoring reports: opened for a semester of a plan that is running,
filled in by its coordinator (each measure's progress and status, each indicator's value,
with comments), submitted, approved by AAI — or sent back with a reason — and frozen once
approved.

> Deviations are found each time a report is opened or saved, and kept with it as found: a
> measure is *late* (``progress.is_late`` at the semester's last day), an indicator is *under
> target* (``progress.under_target`` against ``progress.expected_value`` for the semester).
> An approved report keeps the deviations it was approved with, whatever changes afterwards.

One function writes a report's status: ``transition_report``."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from coop4int.accounts.models import User
from coop4int.core.bidi import LRI, PDI, is_rtl
from coop4int.core.languages import REGISTRY
from coop4int.localplans.domain.figures import indicator_value
from coop4int.localplans.domain.history import record_change
from coop4int.localplans.enums import (
    Direction,
    IndicatorUnit,
    MeasureStatus,
    PlanStatus,
    ReportStatus,
)
from coop4int.localplans.models import (
    MeasureIndicator,
    MonitoringReport,
    Plan,
    ReportEntry,
    ReportValue,
)
from coop4int.localplans.progress import expected_value, is_late, semester_end, under_target

# The plans whose semesters are reported on: those AAI approved and that are not closed.
REPORTING_PLAN_STATUSES = (PlanStatus.APPROVED, PlanStatus.IN_FORCE)
# A report already opened is finished (saved, submitted, approved) while its plan runs or once
# it has closed — not while the plan is a draft again, in a revision, or waiting for approval.
FINISHING_PLAN_STATUSES = (*REPORTING_PLAN_STATUSES, PlanStatus.CLOSED)


def _require_running_plan(report: MonitoringReport) -> None:
    if report.plan.status not in FINISHING_PLAN_STATUSES:
        raise ValidationError(
            _(
                "The plan is being revised or waits for approval: its reports wait until it "
                "is approved again."
            ),
            code="plan_not_running",
        )


# Status → the statuses it may become, with the audit code of each move.
TRANSITIONS: dict[ReportStatus, dict[ReportStatus, str]] = {
    ReportStatus.DRAFT: {ReportStatus.SUBMITTED: "localplans.report.submitted"},
    ReportStatus.SUBMITTED: {
        ReportStatus.APPROVED: "localplans.report.approved",
        ReportStatus.DRAFT: "localplans.report.returned",
    },
    ReportStatus.APPROVED: {},
}

_CENT = Decimal("0.01")
# ReportValue.value holds 14 digits, 2 of them decimals.
_LARGEST = Decimal("999999999999.99")


@dataclass(frozen=True, slots=True)
class EntryInput:
    """A measure's line of a report as typed: ``measure_id`` names the measure."""

    measure_id: int
    progress: int | None
    status: MeasureStatus
    comment: str


@dataclass(frozen=True, slots=True)
class ValueInput:
    """An indicator's value in a report as typed (None: not known)."""

    indicator_id: int
    value: Decimal | None
    comment: str


@dataclass(frozen=True, slots=True)
class Deviations:
    """What a report flags, as found when it was last saved: the measures late, the indicators
    under their target and the indicators with no value."""

    late: tuple[ReportEntry, ...]
    under_target: tuple[ReportValue, ...]
    missing: tuple[ReportValue, ...]

    @property
    def count(self) -> int:
        return len(self.late) + len(self.under_target) + len(self.missing)

    def __bool__(self) -> bool:
        return self.count > 0


def _isolated(code: object) -> str:
    """A code inside a sentence, kept in its order in right-to-left text."""
    return f"{LRI}{code}{PDI}" if is_rtl(get_language() or "") else str(code)


def _now(now: datetime | None) -> datetime:
    return now if now is not None else timezone.now()


def _details(report: MonitoringReport, **more: object) -> dict[str, object]:
    return {"report": f"{report.year}-S{report.semester}", **more}


def _targets(indicator: MeasureIndicator) -> dict[int, Decimal]:
    # Read from the prefetched targets when they were prefetched.
    return {target.year: target.value for target in indicator.targets.all()}


def _expected(indicator: MeasureIndicator, *, year: int, semester: int) -> Decimal | None:
    return expected_value(
        baseline=indicator.baseline, targets=_targets(indicator), year=year, semester=semester
    )


def _entry_late(entry: ReportEntry, report: MonitoringReport) -> bool:
    measure = entry.measure
    return is_late(
        status=MeasureStatus(entry.status),
        progress=entry.progress,
        starts_on=measure.starts_on,
        ends_on=measure.ends_on,
        period_end=semester_end(report.year, report.semester),
    )


def _value_under_target(value: ReportValue, report: MonitoringReport) -> bool:
    indicator = value.indicator
    return under_target(
        value=value.value,
        expected=_expected(indicator, year=report.year, semester=report.semester),
        direction=Direction(indicator.direction),
    )


def _prefilled_value(indicator: MeasureIndicator, *, year: int, semester: int) -> Decimal | None:
    """An indicator's value as the observatory or the platform's records give it; None for an
    indicator reported by hand. At mid-year it is the first half's figure, at the end of the
    year the whole year's."""
    return indicator_value(indicator, year=year, semester=1 if semester == 1 else None)


def _check_language(language: str) -> None:
    if language not in REGISTRY:
        raise ValidationError(
            _("“%(language)s” is not a language the platform knows.")
            % {"language": _isolated(language)},
            code="language",
        )


@transaction.atomic
def open_report(
    *,
    actor: User | None,
    plan: Plan,
    year: int,
    semester: int,
    language: str = "pt",
    now: datetime | None = None,
) -> MonitoringReport:
    """Open the report of ``semester`` (1 or 2) of ``year`` for ``plan``, approved or in force,
    one per semester within the plan's years. Each entry starts from its measure's current
    progress and status; each indicator's value from the observatory or the platform's counts
    when it is drawn from them, else empty. Deviations are found at once.

    Side effects: one MonitoringReport with a ReportEntry per measure and a ReportValue per
    indicator; history and audit ``localplans.report.opened``."""
    at = _now(now)
    # Two coordinators opening the same semester at once: the second waits, then is refused.
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if plan.status not in REPORTING_PLAN_STATUSES:
        raise ValidationError(
            _("Reports are written for a plan that is approved or in force."),
            code="plan_not_running",
        )
    if semester not in (1, 2):
        raise ValidationError(_("A semester is the first or the second."), code="semester")
    if not plan.starts_year <= year <= plan.ends_year:
        raise ValidationError(
            _("The plan runs from %(first)s to %(last)s: choose a year within them.")
            % {"first": plan.starts_year, "last": plan.ends_year},
            code="year",
        )
    _check_language(language)
    if plan.reports.filter(year=year, semester=semester).exists():
        raise ValidationError(
            _("The report of semester %(semester)s of %(year)s is already open.")
            % {"semester": semester, "year": year},
            code="duplicate",
        )
    report = MonitoringReport.objects.create(
        plan=plan, year=year, semester=semester, language=language
    )
    measures = list(plan.measures.order_by("position", "code"))
    entries = [
        ReportEntry(
            report=report,
            measure=measure,
            progress=measure.progress,
            status=measure.status,
        )
        for measure in measures
    ]
    for entry in entries:
        entry.late = _entry_late(entry, report)
    ReportEntry.objects.bulk_create(entries)
    indicators = MeasureIndicator.objects.filter(measure__plan=plan).select_related("measure")
    values = []
    for indicator in indicators.prefetch_related("targets").order_by(
        "measure__position", "measure__code", "position", "code"
    ):
        value = ReportValue(
            report=report,
            indicator=indicator,
            value=_prefilled_value(indicator, year=year, semester=semester),
        )
        value.under_target = _value_under_target(value, report)
        values.append(value)
    ReportValue.objects.bulk_create(values)
    record_change(
        plan=plan,
        actor=actor,
        action="localplans.report.opened",
        obj=report,
        details=_details(
            report,
            entries=len(entries),
            values=len(values),
            late=sum(entry.late for entry in entries),
            under_target=sum(value.under_target for value in values),
        ),
        at=at,
    )
    return report


def _frozen_error(report: MonitoringReport) -> ValidationError:
    if report.status == ReportStatus.APPROVED:
        message = _("This report was approved: it is frozen and can no longer be changed.")
    else:
        message = _(
            "This report is waiting for approval: it can be changed again only if it is sent back."
        )
    return ValidationError(message, code="frozen")


def _entry_problems(entry: EntryInput, code: str) -> list[ValidationError]:
    problems = []
    if entry.status not in MeasureStatus.values:
        problems.append(
            ValidationError(
                _("Measure %(code)s: choose one of the statuses offered.")
                % {"code": _isolated(code)},
                code="status",
            )
        )
    if entry.progress is not None and not 0 <= entry.progress <= 100:
        problems.append(
            ValidationError(
                _("Measure %(code)s: progress is a percentage from 0 to 100.")
                % {"code": _isolated(code)},
                code="progress",
            )
        )
    elif entry.status == MeasureStatus.DONE and entry.progress != 100:
        problems.append(
            ValidationError(
                _("Measure %(code)s: a measure that is done has reached 100%%.")
                % {"code": _isolated(code)},
                code="done_incomplete",
            )
        )
    return problems


def _value_problems(value: ValueInput, indicator: MeasureIndicator) -> list[ValidationError]:
    number = value.value
    if number is None:
        return []
    code = indicator.code
    if not number.is_finite() or abs(number) > _LARGEST or number != number.quantize(_CENT):
        return [
            ValidationError(
                _("Indicator %(code)s: write a number with at most two decimals.")
                % {"code": _isolated(code)},
                code="value",
            )
        ]
    if indicator.unit == IndicatorUnit.PERCENT and not 0 <= number <= 100:
        return [
            ValidationError(
                _("Indicator %(code)s: a percentage is from 0 to 100.") % {"code": _isolated(code)},
                code="value",
            )
        ]
    return []


def _duplicates(ids: Iterable[int]) -> bool:
    seen: set[int] = set()
    for item in ids:
        if item in seen:
            return True
        seen.add(item)
    return False


@transaction.atomic
def save_report(
    *,
    actor: User | None,
    report: MonitoringReport,
    summary: str,
    entries: Sequence[EntryInput],
    values: Sequence[ValueInput],
    now: datetime | None = None,
) -> MonitoringReport:
    """Save what was typed into a draft report: its summary, the entries and values given
    (those not given are left as they were); then find the deviations of every entry and
    value again. Refused, with nothing changed, when the report is submitted or approved, or
    when anything typed is wrong (every problem is listed).

    Side effects: the report's summary, entries and values; history and audit
    ``localplans.report.saved`` (counts only)."""
    at = _now(now)
    locked = MonitoringReport.objects.select_for_update().select_related("plan").get(pk=report.pk)
    if locked.status != ReportStatus.DRAFT:
        raise _frozen_error(locked)
    _require_running_plan(locked)
    stored_entries = {
        entry.measure_id: entry
        for entry in locked.entries.select_related("measure").order_by(
            "measure__position", "measure__code"
        )
    }
    stored_values = {
        value.indicator_id: value
        for value in locked.values.select_related("indicator__measure")
        .prefetch_related("indicator__targets")
        .order_by("indicator__measure__position", "indicator__position")
    }
    problems: list[ValidationError] = []
    if _duplicates(entry.measure_id for entry in entries) or _duplicates(
        value.indicator_id for value in values
    ):
        problems.append(ValidationError(_("A measure or an indicator was given twice."), "twice"))
    for entry_input in entries:
        stored_entry = stored_entries.get(entry_input.measure_id)
        if stored_entry is None:
            problems.append(
                ValidationError(_("A measure given is not in this report."), code="unknown")
            )
            continue
        problems += _entry_problems(entry_input, stored_entry.measure.code)
    for value_input in values:
        stored_value = stored_values.get(value_input.indicator_id)
        if stored_value is None:
            problems.append(
                ValidationError(_("An indicator given is not in this report."), code="unknown")
            )
            continue
        problems += _value_problems(value_input, stored_value.indicator)
    if problems:
        raise ValidationError(problems)

    changed_entries = 0
    for entry_input in entries:
        entry = stored_entries[entry_input.measure_id]
        new = (entry_input.progress, str(entry_input.status), entry_input.comment.strip())
        if new != (entry.progress, entry.status, entry.comment):
            entry.progress, entry.status, entry.comment = new
            changed_entries += 1
    changed_values = 0
    for value_input in values:
        value = stored_values[value_input.indicator_id]
        new_value = (value_input.value, value_input.comment.strip())
        if new_value != (value.value, value.comment):
            value.value, value.comment = new_value
            changed_values += 1
    for entry in stored_entries.values():
        entry.late = _entry_late(entry, locked)
    for value in stored_values.values():
        value.under_target = _value_under_target(value, locked)
    ReportEntry.objects.bulk_update(
        list(stored_entries.values()), ["progress", "status", "comment", "late"]
    )
    ReportValue.objects.bulk_update(
        list(stored_values.values()), ["value", "comment", "under_target"]
    )
    locked.summary = summary.strip()
    locked.save(update_fields=["summary"])
    record_change(
        plan=locked.plan,
        actor=actor,
        action="localplans.report.saved",
        obj=locked,
        details=_details(
            locked,
            entries=changed_entries,
            values=changed_values,
            late=sum(entry.late for entry in stored_entries.values()),
            under_target=sum(value.under_target for value in stored_values.values()),
        ),
        at=at,
    )
    return locked


@transaction.atomic
def transition_report(
    *,
    actor: User | None,
    report: MonitoringReport,
    to: ReportStatus,
    reason: str = "",
    now: datetime | None = None,
) -> MonitoringReport:
    """Move ``report`` to status ``to`` — the one writer of a report's status:
    draft → submitted (by its coordinator; the reason it was last sent back is cleared);
    submitted → approved (by AAI; frozen from then on); submitted → draft (sent back, with a
    reason, which the report keeps). Anything else is refused, nothing changed.

    Side effects: the report's status and its submitted/approved/returned fields; history and
    audit ``localplans.report.submitted`` / ``.approved`` / ``.returned``."""
    at = _now(now)
    locked = MonitoringReport.objects.select_for_update().select_related("plan").get(pk=report.pk)
    _require_running_plan(locked)
    current = ReportStatus(locked.status)
    action = TRANSITIONS[current].get(ReportStatus(to))
    if action is None:
        raise ValidationError(
            _("A report that is “%(current)s” cannot become “%(to)s”.")
            % {"current": current.label, "to": ReportStatus(to).label},
            code="transition",
        )
    fields = ["status"]
    if to == ReportStatus.SUBMITTED:
        locked.submitted_at, locked.submitted_by = at, actor
        locked.submitted_by_username = actor.get_username() if actor is not None else ""
        locked.returned_reason = ""
        fields += ["submitted_at", "submitted_by", "submitted_by_username", "returned_reason"]
    elif to == ReportStatus.APPROVED:
        locked.approved_at, locked.approved_by = at, actor
        locked.approved_by_username = actor.get_username() if actor is not None else ""
        fields += ["approved_at", "approved_by", "approved_by_username"]
    else:
        if not reason.strip():
            raise ValidationError(
                _("Say why the report is sent back, so that it can be put right."),
                code="reason_required",
            )
        locked.returned_reason = reason.strip()
        fields += ["returned_reason"]
    locked.status = ReportStatus(to)
    locked.save(update_fields=fields)
    record_change(
        plan=locked.plan,
        actor=actor,
        action=action,
        obj=locked,
        details=_details(locked, status=str(locked.status)),
        at=at,
    )
    return locked


def deviations(report: MonitoringReport) -> Deviations:
    """The deviations ``report`` flags, as found when it was last saved, in the order of the
    plan's measures and indicators."""
    entries = report.entries.select_related("measure").order_by(
        "measure__position", "measure__code"
    )
    values = report.values.select_related("indicator__measure").order_by(
        "indicator__measure__position", "indicator__measure__code", "indicator__position"
    )
    all_values = list(values)
    return Deviations(
        late=tuple(entries.filter(late=True)),
        under_target=tuple(value for value in all_values if value.under_target),
        missing=tuple(value for value in all_values if value.value is None),
    )


def latest_approved_report(plan: Plan) -> MonitoringReport | None:
    """The last semester's report that AAI approved, if any."""
    return plan.reports.filter(status=ReportStatus.APPROVED).order_by("-year", "-semester").first()
