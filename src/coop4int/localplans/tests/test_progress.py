"""The progress arithmetic: weights, cancelled and unreported measures, objectives into the
plan, expected values by semester, deviations (under target, late). No database."""

from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from coop4int.localplans.enums import Direction, MeasureStatus
from coop4int.localplans.models import Measure, Objective
from coop4int.localplans.progress import (
    Weighted,
    expected_value,
    is_late,
    objective_progress,
    plan_progress,
    semester_end,
    under_target,
    weighted_progress,
)


def _measure(
    objective: Objective, weight: str, progress: int, status: str = "in_progress"
) -> Measure:
    return Measure(
        objective_id=objective.pk, weight=Decimal(weight), progress=progress, status=status
    )


# --- weighted_progress ------------------------------------------------------------------------


def test_equal_weights_give_the_mean() -> None:
    items = [Weighted(Decimal(1), 20), Weighted(Decimal(1), 60)]
    assert weighted_progress(items) == Decimal("40.0")


def test_weights_pull_the_progress_towards_the_heavier_item() -> None:
    items = [Weighted(Decimal(3), 100), Weighted(Decimal(1), 0)]
    assert weighted_progress(items) == Decimal("75.0")


def test_a_cancelled_item_is_left_out() -> None:
    items = [Weighted(Decimal(1), 80), Weighted(Decimal(5), 0, cancelled=True)]
    assert weighted_progress(items) == Decimal("80.0")


def test_an_item_of_weight_zero_is_left_out() -> None:
    items = [Weighted(Decimal(1), 30), Weighted(Decimal(0), 100)]
    assert weighted_progress(items) == Decimal("30.0")


def test_a_progress_not_reported_counts_as_zero() -> None:
    items = [Weighted(Decimal(1), 90), Weighted(Decimal(2), None)]
    assert weighted_progress(items) == Decimal("30.0")


def test_no_progress_when_nothing_counts() -> None:
    assert weighted_progress([]) is None
    assert weighted_progress([Weighted(Decimal(0), 50), Weighted(Decimal(1), 50, True)]) is None


def test_progress_is_rounded_to_one_decimal_halves_up() -> None:
    # (100 + 2·50) / 3 = 66.666… → 66.7; 1 / 4 = 0.25 → 0.3 (half up, not to even).
    assert weighted_progress([Weighted(Decimal(1), 100), Weighted(Decimal(2), 50)]) == Decimal(
        "66.7"
    )
    items = [Weighted(Decimal(1), 1)] + [Weighted(Decimal(1), 0)] * 3
    assert weighted_progress(items) == Decimal("0.3")


weights = st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False)
progresses = st.one_of(st.none(), st.integers(min_value=0, max_value=100))
items_strategy = st.lists(
    st.builds(Weighted, weight=weights, progress=progresses, cancelled=st.booleans()),
    max_size=12,
)


@hypothesis_settings(max_examples=200, deadline=None)
@given(items_strategy)
def test_weighted_progress_lies_between_the_least_and_greatest_progress_counted(
    items: list[Weighted],
) -> None:
    counted = [item for item in items if not item.cancelled and item.weight > 0]
    result = weighted_progress(items)
    if not counted:
        assert result is None
        return
    values = [Decimal(item.progress or 0) for item in counted]
    assert result is not None
    assert min(values) <= result <= max(values)
    # Leaving out what does not count changes nothing.
    assert weighted_progress(counted) == result
    # Unreported is the same as 0.
    assert weighted_progress(Weighted(i.weight, i.progress or 0) for i in counted) == result


# --- objectives and plans ---------------------------------------------------------------------


def test_objective_progress_weighs_its_own_measures_only() -> None:
    first, second = Objective(pk=1, weight=Decimal(1)), Objective(pk=2, weight=Decimal(1))
    measures = [
        _measure(first, "1", 40),
        _measure(first, "3", 80),
        _measure(second, "1", 0),
        _measure(first, "2", 100, MeasureStatus.CANCELLED),
    ]
    assert objective_progress(first, measures) == Decimal("70.0")
    assert objective_progress(second, measures) == Decimal("0.0")


def test_plan_progress_weighs_objectives_and_leaves_out_those_without_progress() -> None:
    heavy, light = Objective(pk=1, weight=Decimal(3)), Objective(pk=2, weight=Decimal(1))
    empty = Objective(pk=3, weight=Decimal(10))
    measures = [
        _measure(heavy, "1", 100),
        _measure(light, "1", 20),
        _measure(empty, "1", 100, MeasureStatus.CANCELLED),
    ]
    # (3·100 + 1·20) / 4 = 80; the objective whose only measure is cancelled is left out.
    assert plan_progress([heavy, light, empty], measures) == Decimal("80.0")


def test_plan_progress_is_none_without_measures_that_count() -> None:
    objective = Objective(pk=1, weight=Decimal(1))
    assert plan_progress([objective], []) is None
    assert plan_progress([], []) is None


# --- expected values and deviations -----------------------------------------------------------


def test_expected_value_at_the_end_of_the_year_is_its_target() -> None:
    targets = {2025: Decimal(20), 2026: Decimal(40)}
    assert expected_value(baseline=Decimal(0), targets=targets, year=2026, semester=2) == 40


def test_expected_value_midyear_is_halfway_from_the_previous_target() -> None:
    targets = {2025: Decimal(20), 2026: Decimal(40)}
    assert expected_value(baseline=Decimal(0), targets=targets, year=2026, semester=1) == 30


def test_expected_value_midyear_of_the_first_year_starts_from_the_baseline() -> None:
    targets = {2025: Decimal(20)}
    assert expected_value(baseline=Decimal(10), targets=targets, year=2025, semester=1) == 15


def test_expected_value_midyear_without_baseline_or_previous_target_is_the_target() -> None:
    targets = {2025: Decimal(20)}
    assert expected_value(baseline=None, targets=targets, year=2025, semester=1) == 20


def test_no_expected_value_without_a_target_for_the_year() -> None:
    assert (
        expected_value(baseline=Decimal(5), targets={2025: Decimal(1)}, year=2026, semester=2)
        is None
    )


def test_under_target_depends_on_the_direction() -> None:
    assert under_target(value=Decimal(9), expected=Decimal(10), direction=Direction.INCREASE)
    assert not under_target(value=Decimal(10), expected=Decimal(10), direction=Direction.INCREASE)
    assert under_target(value=Decimal(11), expected=Decimal(10), direction=Direction.DECREASE)
    assert not under_target(value=Decimal(9), expected=Decimal(10), direction=Direction.DECREASE)


def test_not_under_target_when_the_value_or_the_expectation_is_unknown() -> None:
    assert not under_target(value=None, expected=Decimal(10), direction=Direction.INCREASE)
    assert not under_target(value=Decimal(1), expected=None, direction=Direction.INCREASE)


def _late(status: str, progress: int | None, starts: date, ends: date, period_end: date) -> bool:
    return is_late(
        status=MeasureStatus(status),
        progress=progress,
        starts_on=starts,
        ends_on=ends,
        period_end=period_end,
    )


def test_a_measure_due_and_incomplete_is_late() -> None:
    june = semester_end(2026, 1)
    assert _late("in_progress", 90, date(2025, 1, 1), date(2026, 3, 31), june)
    assert _late("suspended", None, date(2025, 1, 1), date(2026, 6, 30), june)


def test_a_measure_still_planned_after_its_start_is_late() -> None:
    assert _late("planned", 0, date(2026, 1, 1), date(2027, 12, 31), semester_end(2026, 1))


def test_a_measure_on_time_is_not_late() -> None:
    june = semester_end(2026, 1)
    assert not _late("in_progress", 10, date(2026, 1, 1), date(2027, 12, 31), june)
    assert not _late("planned", 0, date(2026, 7, 1), date(2027, 12, 31), june)
    assert not _late("in_progress", 100, date(2025, 1, 1), date(2026, 3, 31), june)


def test_done_or_cancelled_measures_are_never_late() -> None:
    june = semester_end(2026, 1)
    assert not _late("done", 100, date(2025, 1, 1), date(2025, 12, 31), june)
    assert not _late("cancelled", 0, date(2025, 1, 1), date(2025, 12, 31), june)


def test_semesters_end_on_30_june_and_31_december() -> None:
    assert semester_end(2026, 1) == date(2026, 6, 30)
    assert semester_end(2026, 2) == date(2026, 12, 31)
