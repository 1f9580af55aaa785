"""An indicator of a plan drawn against its targets, with the observatory's charts
(``observatory.charts``: SVG on the server, a text alternative, no JavaScript) and the rows of
the data table that stands beside each chart — the chart never holds a figure the table lacks.

A year is a period of the chart: the baseline's year (when it comes before the plan), then
every year of the plan. Two lines — the target and the value reported in approved reports —
or, for a plan of a single year, two bars."""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from coop4int.core.formatting import format_number
from coop4int.observatory import charts


@dataclass(frozen=True, slots=True)
class YearRow:
    """A row of the data table: the year, what it says about the year ("baseline" or ""),
    the target and the value as the page writes them ("" when there is none)."""

    year: int
    note: str
    target: str
    value: str


@dataclass(frozen=True, slots=True)
class TargetChart:
    svg: SafeString
    rows: list[YearRow]


def _text(value: Decimal | None) -> str:
    return "" if value is None else format_number(value)


def _datum(label: str, value: Decimal | None, missing: str) -> charts.Datum:
    if value is None:
        return charts.Datum(label=label, value=None, text=missing)
    return charts.Datum(label=label, value=float(value), text=format_number(value))


def target_chart(
    *,
    chart_id: str,
    title: str,
    years: range,
    targets: Mapping[int, Decimal],
    values: Mapping[int, Decimal | None],
    baseline: Decimal | None,
    baseline_year: int | None,
    unit: str,
) -> TargetChart:
    """The chart of an indicator's ``values`` (by year; a year missing or None has no value
    reported) against its ``targets`` (by year), from its baseline; and the table's rows."""
    shown_years = list(years)
    if baseline is not None and baseline_year is not None and baseline_year < years.start:
        shown_years.insert(0, baseline_year)
    target_by_year = dict(targets)
    value_by_year = dict(values)
    if baseline is not None and baseline_year is not None:
        # The baseline is where both the target and the value start from.
        target_by_year.setdefault(baseline_year, baseline)
        if value_by_year.get(baseline_year) is None:
            value_by_year[baseline_year] = baseline
    no_target = _("no target")
    not_reported = _("not reported")
    target_name = _("Target")
    value_name = _("Value reported")
    rows = [
        YearRow(
            year=year,
            note=_("baseline") if year == baseline_year else "",
            target=_text(target_by_year.get(year)),
            value=_text(value_by_year.get(year)),
        )
        for year in shown_years
    ]
    if len(shown_years) == 1:
        year = shown_years[0]
        svg = charts.bar_chart(
            chart_id=chart_id,
            title=title,
            data=[
                _datum(target_name, target_by_year.get(year), no_target),
                _datum(value_name, value_by_year.get(year), not_reported),
            ],
            unit=unit,
        )
        return TargetChart(svg=svg, rows=rows)
    labels = [str(year) for year in shown_years]
    svg = charts.line_chart(
        chart_id=chart_id,
        title=title,
        periods=labels,
        series=[
            charts.Series(
                name=target_name,
                data=[
                    _datum(label, target_by_year.get(year), no_target)
                    for label, year in zip(labels, shown_years, strict=True)
                ],
            ),
            charts.Series(
                name=value_name,
                data=[
                    _datum(label, value_by_year.get(year), not_reported)
                    for label, year in zip(labels, shown_years, strict=True)
                ],
            ),
        ],
        unit=unit,
    )
    return TargetChart(svg=svg, rows=rows)
