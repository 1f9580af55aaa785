"""What an indicator's page shows: the published version's observations, read once
(``queries.observation_rows``), compared across the years or across the values of one
dimension — islands, municipalities, sexes, nationalities — with every other dimension held
at one value (its total ``_T`` when the source published one, else its first value).

Rules a reader can rely on:

- Every figure shown is one the source published. Nothing is added up here: a total the
  source did not publish is simply absent, and the comparison of municipalities shows each
  municipality's own figure, next to the source's own total when it has one.
- One indicator measures one concept (``enums.Concept``); a page never brings two together.
- A withheld figure (confidentiality status, ``enums.WITHHELD``) is shown as withheld, never
  as zero: "confidential" in a source's table. The platform's own tables
  (``platform_tables``) round every count to a multiple of ``settings.STATISTICS_SMALL_CELL``
  and withhold, as "C", a count that rounds to zero: such a cell reads "fewer than 5", as the
  support desk's statistics say it; a cell withheld to protect another ("D"), or a figure
  that is no count (a median over too few people), reads "withheld".
- Status flags (estimated, provisional, break in series…) and revised values carry a mark
  that points to a note under the table.
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from babel import Locale
from babel import lists as babel_lists
from babel import numbers as babel_numbers
from django.conf import settings
from django.utils.translation import gettext as _

from coop4int.accounts.enums import Island
from coop4int.core.formatting import current_locale
from coop4int.core.text_search import fold
from coop4int.observatory import labels
from coop4int.observatory.domain.datasets import period_sort_key
from coop4int.observatory.domain.queries import ObservationRow
from coop4int.observatory.enums import (
    TOTAL,
    WITHHELD,
    DatasetOrigin,
    Dimension,
    ObsStatus,
    UnitOfMeasure,
)
from coop4int.observatory.models import Dataset, Indicator

# The comparison over the periods; every other comparison is named by its dimension's id.
ACROSS_YEARS = "TIME_PERIOD"
# Dimensions whose values have an order of their own, kept in charts; the others' bars run
# from the largest figure down.
ORDERED_DIMENSIONS = frozenset({Dimension.SEX.value, Dimension.AGE.value})
# The chart of a comparison shows at most this many bars (the largest); the table lists all.
MAX_BARS = 25
# Statuses that need no note.
PLAIN_STATUSES = frozenset({"", ObsStatus.NORMAL.value})
# The mark of a value revised since the previous version (no OBS_STATUS code is "r").
REVISED_MARK = "r"
# Confidentiality statuses of a platform table's cells too small to show (primary
# suppression); the others protect another cell.
SMALL_COUNT_STATUSES = frozenset({"A", "C"})
# Units of the figures that count people or things.
COUNT_UNITS = frozenset({UnitOfMeasure.PERSONS.value, UnitOfMeasure.NUMBER.value})

_SEX_ORDER = {"F": 0, "M": 1}
_AGE_START = re.compile(r"^Y(?:_LT|_GE)?(\d{1,3})")
_ISLAND_ORDER = {code: position for position, code in enumerate(Island.values)}


@dataclass(frozen=True, slots=True)
class Figure:
    """One figure as a page shows it: its category (or period) code and label, its value
    (None when withheld or missing), its text in the page's language (or the words saying
    why there is none), and the marks pointing to the notes."""

    code: str
    label: str
    value: float | None
    text: str
    marks: tuple[str, ...] = ()
    revised: bool = False
    withheld: bool = False

    @property
    def marks_text(self) -> str:
        return " ".join(self.marks)


@dataclass(frozen=True, slots=True)
class Note:
    """What a mark means ("e" — "Estimated value"); a note without a mark explains words
    that stand for a figure ("confidential")."""

    mark: str
    text: str


@dataclass(frozen=True, slots=True)
class DimensionValues:
    """A dimension of the dataset and the codes its observations hold, as a reader picks
    from them: the total first, then in the dimension's order or by name, the reserved codes
    (unknown, other…) last."""

    dimension: str
    label: str
    values: list[tuple[str, str]]

    @property
    def codes(self) -> list[str]:
        return [code for code, _label in self.values]

    @property
    def default(self) -> str:
        return self.values[0][0] if self.values else ""

    def label_of(self, code: str) -> str:
        return dict(self.values).get(code, code)


@dataclass(frozen=True, slots=True)
class Selection:
    """What the page shows: the comparison (``ACROSS_YEARS`` or a dimension's id), the code
    every other dimension is held at, and the period of a comparison across a dimension."""

    compare: str
    filters: Mapping[str, str]
    period: str


@dataclass(frozen=True, slots=True)
class Comparison:
    """A chart and its table: ``figures`` in the order both show them (the chart draws the
    first ``MAX_BARS`` of a comparison across a dimension), and the source's own total of
    the compared dimension where it published one."""

    selection: Selection
    kind: str  # "line" or "bar"
    title: str
    category_label: str
    figures: list[Figure]
    total: Figure | None = None
    held: list[tuple[str, str]] = field(default_factory=list)

    @property
    def charted(self) -> list[Figure]:
        return self.figures if self.kind == "line" else self.figures[:MAX_BARS]

    @property
    def truncated(self) -> bool:
        return len(self.figures) > len(self.charted)

    @property
    def empty(self) -> bool:
        return not self.figures or all(
            figure.value is None and not figure.withheld for figure in self.figures
        )

    @property
    def all_figures(self) -> list[Figure]:
        return [*self.figures, *([self.total] if self.total else [])]


def format_value(value: float, *, decimals: int, unit: str = "") -> str:
    """``value`` as the page's language writes it, with the indicator's decimals; a
    percentage with the language's percent sign ("2,84%", "2,84 %")."""
    locale = current_locale()
    digits = "." + "0" * decimals if decimals else ""
    if unit == UnitOfMeasure.PERCENT:
        pattern = Locale.parse(locale).percent_formats[None].pattern
        if "#,##0" in pattern:
            return babel_numbers.format_percent(
                value / 100, format=pattern.replace("#,##0", "#,##0" + digits, 1), locale=locale
            )
    return babel_numbers.format_decimal(value, format="#,##0" + digits, locale=locale)


def withheld_text(origin: str, conf_status: str, unit: str = UnitOfMeasure.PERSONS) -> str:
    """The words that stand for a withheld figure. Only a count of the platform's own
    records is known to be small when withheld; a median or a rate is withheld because too
    few people are behind it, whatever its size."""
    if origin == DatasetOrigin.PLATFORM:
        if conf_status in SMALL_COUNT_STATUSES and unit in COUNT_UNITS:
            return _("fewer than %(count)s") % {"count": settings.STATISTICS_SMALL_CELL}
        return _("withheld")
    return _("confidential")


def status_label(code: str) -> str:
    """What an OBS_STATUS code means, in words."""
    if code in ObsStatus.values:
        return str(ObsStatus(code).label)
    return _("Status %(code)s") % {"code": code}


def figure_of(
    code: str,
    label: str,
    cell: tuple[float | None, str, str, bool] | None,
    *,
    indicator: Indicator,
    origin: str,
) -> Figure:
    """The figure of one observation (``cell``: value, OBS_STATUS, CONF_STATUS, revised),
    or of none ("not available")."""
    if cell is None:
        return Figure(code=code, label=label, value=None, text=_("not available"))
    value, obs_status, conf_status, revised = cell
    withheld = value is None and conf_status in WITHHELD
    # "Suppressed" says nothing the words of a withheld figure do not.
    plain = obs_status in PLAIN_STATUSES or (withheld and obs_status == ObsStatus.SUPPRESSED)
    marks = [] if plain else [obs_status.lower()]
    if revised:
        marks.append(REVISED_MARK)
    if value is not None:
        text = format_value(value, decimals=indicator.decimals, unit=indicator.unit_measure)
    elif withheld:
        text = withheld_text(origin, conf_status, indicator.unit_measure)
    else:
        text = _("not available")
    return Figure(
        code=code,
        label=label,
        value=value,
        text=text,
        marks=tuple(marks),
        revised=revised,
        withheld=withheld,
    )


def _code_order(dimension: str, code: str, label: str) -> tuple[int, float, str]:
    """Where a code stands in a list to choose from."""
    if code == TOTAL:
        return (0, 0, "")
    if code in labels.RESERVED_CODES:
        return (3, 0, code)
    if dimension == Dimension.SEX:
        return (1, _SEX_ORDER.get(code, 9), code)
    if dimension == Dimension.AGE:
        match = _AGE_START.match(code)
        start = int(match[1]) if match else 999
        # "Under 15" before "15 to 64".
        return (1, start - (0.5 if code.startswith("Y_LT") else 0), code)
    if dimension == Dimension.ISLAND:
        return (1, _ISLAND_ORDER.get(code, 99), fold(label))
    return (2, 0, fold(label))


Cell = tuple[float | None, str, str, bool]


class IndicatorFigures:
    """The observations of a dataset with the periods and the codes of each dimension they
    hold: built once per page from the rows of one query, then asked for the comparison a
    reader chose. A comparison needs a few dozen of the rows: they are picked by one pass
    over them, cheaper than indexing thousands that will not be shown."""

    def __init__(
        self, *, indicator: Indicator, dataset: Dataset, rows: Sequence[ObservationRow]
    ) -> None:
        self.indicator = indicator
        self.dataset = dataset
        self.rows = rows
        self.dimension_ids: list[str] = list(dataset.dimensions)
        self.periods: list[str] = sorted({row[0] for row in rows}, key=period_sort_key)
        keys = {row[1] for row in rows}
        breaks = {row[0] for row in rows if row[3] == ObsStatus.BREAK}
        self.breaks: list[str] = sorted(breaks, key=period_sort_key)
        self.period_labels = {period: labels.period_label(period) for period in self.periods}
        codes: list[dict[str, None]] = [{} for _dimension in self.dimension_ids]
        count = len(self.dimension_ids)
        for key in keys if count else ():
            for position, code in enumerate(key.split(".")[:count]):
                codes[position][code] = None
        self.dimensions: list[DimensionValues] = []
        for dimension, held in zip(self.dimension_ids, codes, strict=True):
            names = labels.code_labels(dimension, held)
            ordered = sorted(held, key=lambda code: _code_order(dimension, code, names[code]))
            self.dimensions.append(
                DimensionValues(
                    dimension=dimension,
                    label=labels.dimension_label(dimension),
                    values=[(code, names[code]) for code in ordered],
                )
            )

    # --- Choices ------------------------------------------------------------------------------

    @property
    def comparable(self) -> list[DimensionValues]:
        """The dimensions with at least two values besides their total."""
        return [
            values
            for values in self.dimensions
            if len([code for code in values.codes if code != TOTAL]) >= 2
        ]

    def comparisons(self) -> list[tuple[str, str]]:
        """The comparisons this dataset allows, as (value, label): across the years when it
        has several periods, and across each dimension with several values."""
        choices = [(ACROSS_YEARS, _("Years"))] if len(self.periods) > 1 else []
        choices += [(values.dimension, values.label) for values in self.comparable]
        return choices or [(ACROSS_YEARS, _("Years"))]

    def selection(
        self,
        *,
        compare: str | None = None,
        filters: Mapping[str, str] | None = None,
        period: str | None = None,
    ) -> Selection:
        """The selection asked for, each part that is missing or not in the data replaced by
        its default: across the years when there are several periods (else across the
        first dimension that has several values); each other dimension at its total, else at
        its first value; the last period that has a figure for the comparison."""
        allowed = [value for value, _label in self.comparisons()]
        chosen = compare if compare in allowed else allowed[0]
        asked = filters or {}
        held = {
            values.dimension: (
                asked[values.dimension]
                if asked.get(values.dimension) in values.codes
                else values.default
            )
            for values in self.dimensions
            if values.dimension != chosen
        }
        if period not in self.periods:
            period = self._latest_period_with_figures(chosen, held)
        return Selection(compare=chosen, filters=held, period=period or "")

    def _key(self, held: Mapping[str, str], compared: str = "", code: str = "") -> str:
        return ".".join(
            code if dimension == compared else held.get(dimension, "")
            for dimension in self.dimension_ids
        )

    def _cells(self, keys: set[str], period: str | None = None) -> dict[tuple[str, str], Cell]:
        """The observations of ``keys`` (in ``period`` only, when given), by key and period."""
        return {
            (key, row_period): (value, obs_status, conf_status, bool(revised))
            for row_period, key, value, obs_status, conf_status, revised in self.rows
            if key in keys and (period is None or row_period == period)
        }

    def _latest_period_with_figures(self, compare: str, held: Mapping[str, str]) -> str:
        if compare == ACROSS_YEARS:
            return self.periods[-1] if self.periods else ""
        values = next(v for v in self.dimensions if v.dimension == compare)
        keys = {self._key(held, compare, code) for code in values.codes if code != TOTAL}
        found = {period for _key, period in self._cells(keys)}
        for period in reversed(self.periods):
            if period in found:
                return period
        return self.periods[-1] if self.periods else ""

    # --- The comparison -----------------------------------------------------------------------

    def _figure(self, code: str, label: str, cell: Cell | None) -> Figure:
        return figure_of(code, label, cell, indicator=self.indicator, origin=self.dataset.origin)

    def held_labels(self, selection: Selection) -> list[tuple[str, str]]:
        """Each dimension held at one value, as (dimension, value) labels."""
        return [
            (values.label, values.label_of(selection.filters[values.dimension]))
            for values in self.dimensions
            if values.dimension in selection.filters
        ]

    def _title(self, selection: Selection, name: str, compared_label: str) -> str:
        held = [
            _("%(dimension)s: %(value)s")
            % {"dimension": values.label, "value": values.label_of(selection.filters[dim])}
            for values in self.dimensions
            if (dim := values.dimension) in selection.filters and selection.filters[dim] != TOTAL
        ]
        held_text = babel_lists.format_list(held, locale=current_locale()) if held else ""
        if selection.compare == ACROSS_YEARS:
            first = self.period_labels.get(self.periods[0], "") if self.periods else ""
            last = self.period_labels.get(self.periods[-1], "") if self.periods else ""
            if held_text:
                return _("%(indicator)s (%(held)s), %(first)s to %(last)s") % {
                    "indicator": name,
                    "held": held_text,
                    "first": first,
                    "last": last,
                }
            return _("%(indicator)s, %(first)s to %(last)s") % {
                "indicator": name,
                "first": first,
                "last": last,
            }
        period = self.period_labels.get(selection.period, selection.period)
        if held_text:
            return _("%(indicator)s by %(dimension)s (%(held)s), %(period)s") % {
                "indicator": name,
                "dimension": compared_label,
                "held": held_text,
                "period": period,
            }
        return _("%(indicator)s by %(dimension)s, %(period)s") % {
            "indicator": name,
            "dimension": compared_label,
            "period": period,
        }

    def comparison(self, selection: Selection, *, name: str) -> Comparison:
        """The figures of ``selection`` (from ``selection()``) for a chart and its table;
        ``name`` is the indicator's name as the page shows it, for the chart's title."""
        if selection.compare == ACROSS_YEARS:
            key = self._key(selection.filters)
            cells = self._cells({key})
            figures = [
                self._figure(period, self.period_labels[period], cells.get((key, period)))
                for period in self.periods
            ]
            return Comparison(
                selection=selection,
                kind="line",
                title=self._title(selection, name, ""),
                category_label=str(Dimension.TIME_PERIOD.label),
                figures=figures,
                held=self.held_labels(selection),
            )
        values = next(v for v in self.dimensions if v.dimension == selection.compare)
        keys = {code: self._key(selection.filters, values.dimension, code) for code in values.codes}
        cells = self._cells(set(keys.values()), selection.period)
        figures = [
            self._figure(code, label, cells[(keys[code], selection.period)])
            for code, label in values.values
            if code != TOTAL and (keys[code], selection.period) in cells
        ]
        if values.dimension not in ORDERED_DIMENSIONS:
            # Largest first; figures that are not numbers, and the reserved codes (unknown,
            # other), after them in the order of the list.
            figures.sort(
                key=lambda figure: (
                    figure.code in labels.RESERVED_CODES,
                    figure.value is None,
                    -(figure.value or 0.0),
                )
            )
        total_cell = cells.get((keys.get(TOTAL, ""), selection.period)) if TOTAL in keys else None
        total = self._figure(TOTAL, values.label_of(TOTAL), total_cell) if total_cell else None
        return Comparison(
            selection=selection,
            kind="bar",
            title=self._title(selection, name, values.label),
            category_label=values.label,
            figures=figures,
            total=total,
            held=self.held_labels(selection),
        )

    # --- Notes ------------------------------------------------------------------------------

    def notes(self, comparison: Comparison) -> list[Note]:
        """The notes the figures of ``comparison`` need: each mark used, then what the words
        standing for figures mean."""
        shown = comparison.all_figures
        notes: list[Note] = []
        statuses = sorted({mark for figure in shown for mark in figure.marks} - {REVISED_MARK})
        for mark in statuses:
            notes.append(Note(mark=mark, text=status_label(mark.upper())))
        if any(figure.revised for figure in shown):
            notes.append(
                Note(
                    mark=REVISED_MARK,
                    text=_("Revised: the figure differs from the one the previous version gave."),
                )
            )
        if any(figure.withheld for figure in shown):
            if self.dataset.origin == DatasetOrigin.PLATFORM:
                text = _(
                    "“Fewer than %(base)s”: a count too small to show; “withheld”: a figure "
                    "not shown, to protect the people counted."
                ) % {"base": settings.STATISTICS_SMALL_CELL}
            else:
                text = _("“Confidential”: the source did not publish the figure.")
            notes.append(Note(mark="", text=text))
        if any(figure.value is None and not figure.withheld for figure in shown):
            notes.append(
                Note(mark="", text=_("“Not available”: the source gives no figure for it."))
            )
        return notes


def headline(
    *, indicator: Indicator, dataset: Dataset, row: ObservationRow | None
) -> Figure | None:
    """An indicator's latest total, from ``queries.latest_totals``: the figure the overview
    shows beside its name (None when the source published no total)."""
    if row is None:
        return None
    period, _key, value, obs_status, conf_status, revised = row
    return figure_of(
        period,
        labels.period_label(period),
        (value, obs_status, conf_status, revised),
        indicator=indicator,
        origin=dataset.origin,
    )
