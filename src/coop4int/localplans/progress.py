"""The arithmetic of a plan's progress, with no database: a measure's progress (a percentage)
weighted into its objective's, the objectives' into the plan's; what an indicator is expected
to reach by the end of a semester; and the deviations a monitoring report flags (a measure
late, an indicator under its target).

> Weighted progress = Σ weight × progress / Σ weight, over the items that count: a cancelled
> item and one of weight 0 are left out; a progress not reported counts as 0. Nothing counts:
> no progress (None). Results are percentages to one decimal, halves rounded up.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from coop4int.localplans.enums import Direction, MeasureStatus
from coop4int.localplans.models import Measure, Objective

_ONE_DECIMAL = Decimal("0.1")
_STOPPED = (MeasureStatus.DONE, MeasureStatus.CANCELLED)


@dataclass(frozen=True, slots=True)
class Weighted:
    """One item of a weighted progress: a measure in its objective, an objective in its plan."""

    weight: Decimal
    progress: int | Decimal | None
    cancelled: bool = False


def weighted_progress(items: Iterable[Weighted]) -> Decimal | None:
    """Σ weight·progress / Σ weight over the items not cancelled with a weight above 0 (a
    progress of None counts as 0); None when no item counts. Quantised to 0.1, halves up."""
    total_weight = Decimal(0)
    total = Decimal(0)
    for item in items:
        weight = Decimal(item.weight)
        if item.cancelled or weight <= 0:
            continue
        total_weight += weight
        total += weight * Decimal(item.progress or 0)
    if total_weight == 0:
        return None
    return (total / total_weight).quantize(_ONE_DECIMAL, rounding=ROUND_HALF_UP)


def measure_item(measure: Measure) -> Weighted:
    """``measure`` as an item of its objective's progress."""
    return Weighted(
        weight=measure.weight,
        progress=measure.progress,
        cancelled=measure.status == MeasureStatus.CANCELLED,
    )


def objective_progress(objective: Objective, measures: Iterable[Measure]) -> Decimal | None:
    """The progress of ``objective`` from ``measures`` (those of another objective are left
    out, so that a plan's measures may be passed whole); None when none counts."""
    return weighted_progress(
        measure_item(measure) for measure in measures if measure.objective_id == objective.pk
    )


def plan_progress(objectives: Iterable[Objective], measures: Iterable[Measure]) -> Decimal | None:
    """The plan's progress: Σ objective weight × objective progress / Σ objective weights, over
    the objectives that have a progress (an objective with no measure counting is left out);
    None when no objective has one. ``measures`` are the plan's (any order)."""
    by_objective: dict[object, list[Measure]] = {}
    for measure in measures:
        by_objective.setdefault(measure.objective_id, []).append(measure)
    items = []
    for objective in objectives:
        progress = objective_progress(objective, by_objective.get(objective.pk, ()))
        if progress is not None:
            items.append(Weighted(weight=objective.weight, progress=progress))
    return weighted_progress(items)


def expected_value(
    *, baseline: Decimal | None, targets: Mapping[int, Decimal], year: int, semester: int
) -> Decimal | None:
    """What an indicator should read at the end of ``semester`` of ``year``: at the end of the
    year (S2) the year's target; halfway through it (S1) halfway between the previous year's
    target (else the baseline) and the year's target — the year's target when there is neither.
    None when the year has no target."""
    target = targets.get(year)
    if target is None:
        return None
    target = Decimal(target)
    if semester == 2:
        return target
    start = targets.get(year - 1)
    if start is None:
        start = baseline
    if start is None:
        return target
    return (Decimal(start) + target) / 2


def under_target(*, value: Decimal | None, expected: Decimal | None, direction: Direction) -> bool:
    """Whether ``value`` falls short of ``expected``: below it when higher is better, above it
    when lower is better. False when either is unknown."""
    if value is None or expected is None:
        return False
    if direction == Direction.DECREASE:
        return value > expected
    return value < expected


def is_late(
    *,
    status: MeasureStatus,
    progress: int | None,
    starts_on: date,
    ends_on: date,
    period_end: date,
) -> bool:
    """Whether a measure is late at ``period_end``: neither done nor cancelled, and either due
    by then and not complete, or due to have started by then and still planned."""
    if status in _STOPPED:
        return False
    overdue = ends_on <= period_end and (progress or 0) < 100
    not_started = starts_on <= period_end and status == MeasureStatus.PLANNED
    return overdue or not_started


def semester_end(year: int, semester: int) -> date:
    """The last day of ``semester`` (1 or 2) of ``year``: 30 June or 31 December."""
    if semester not in (1, 2):
        raise ValueError(f"semester is 1 or 2, not {semester!r}")
    return date(year, 6, 30) if semester == 1 else date(year, 12, 31)
