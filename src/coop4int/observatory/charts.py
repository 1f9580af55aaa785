"""Charts drawn on the server as SVG: a line chart over periods and a horizontal bar chart over
categories (islands, municipalities, sexes, nationalities).

No JavaScript and nothing from outside: the SVG is part of the page. Each chart is an image
with a name and a text alternative (``role="img"``, ``<title>`` and ``<desc>`` named by
``aria-labelledby``), the sentence of the text alternative saying what a reader would see —
the highest and the lowest figure, where the series starts and ends. The page puts the data
table beside it: the chart never holds a figure the table lacks.

Readable without colour: every bar carries its label and its figure; every series of a line
chart has its own marker shape, named in a legend. A figure that was withheld or is missing
is a gap with words ("confidential", "fewer than 5"), never a bar or a point at zero. Numbers
— ticks, figures, periods — are written for the page's language and, in a right-to-left
language, isolated (U+2066…U+2069) so that they keep their order; the geometry itself runs
left to right (``direction="ltr"``) whatever the page's direction.

The functions are pure: the data in, the markup out, every text escaped. Colours are
presentation attributes, not ``style`` (the content security policy allows no inline
style); the page's stylesheet (``portal/observatory.css``) only sizes the chart."""

import math
from collections.abc import Sequence
from dataclasses import dataclass

from babel import numbers as babel_numbers
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from coop4int.core import bidi
from coop4int.core.formatting import current_locale


@dataclass(frozen=True, slots=True)
class Datum:
    """One figure of a chart: its category (or period) as shown, its value (None when
    withheld or missing), its value as the page writes it (or why there is none), and the
    marks that point to the notes under the table ("e", "p", "r")."""

    label: str
    value: float | None
    text: str
    marks: str = ""


@dataclass(frozen=True, slots=True)
class Series:
    """A line of a line chart: a name and one datum per period, in the chart's order."""

    name: str
    data: Sequence[Datum]


# Geometry, in SVG user units (the chart scales to its box: ``viewBox``).
WIDTH = 480
FONT_SIZE = 14
SMALL_FONT_SIZE = 12
CHAR_WIDTH = 8.2  # an average character at FONT_SIZE (generous), to size the label column
LABEL_MAX_CHARS = 24
BAR_ROW = 30
BAR_HEIGHT = 20
LINE_HEIGHT = 300
MARGIN = 8

INK = "#1b1f24"
MUTED = "#4a5561"
GRID = "#c5ced6"
BAR_FILL = "#00507a"
# Okabe and Ito's palette, told apart by people with any colour vision; markers differ too.
SERIES_COLOURS = ("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9")
MARKERS = ("circle", "square", "triangle", "diamond", "cross", "ring")
FONT_FAMILY = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', sans-serif"


# --- Text -------------------------------------------------------------------------------------


def _rtl() -> bool:
    return bidi.is_rtl(get_language() or "")


def _number_text(text: str) -> str:
    """A number, period or code as drawn: isolated in a right-to-left language."""
    return f"{bidi.LRI}{text}{bidi.PDI}" if _rtl() else text


def _shown(datum: Datum) -> str:
    """A datum's figure with its marks: "1 234 e", or the words saying why there is none."""
    text = _number_text(datum.text) if datum.value is not None else datum.text
    return f"{text} {datum.marks}" if datum.marks else text


def _clip(label: str, chars: int = LABEL_MAX_CHARS) -> str:
    """A label cut in its middle to fit its column, keeping its start and its end, which
    tell apart names that begin alike ("Unidade Local… Espargos"); the table beside the chart
    gives it whole."""
    if len(label) <= chars:
        return label
    head = (chars - 1) // 2
    tail = chars - 1 - head
    return label[:head].rstrip() + "…" + label[-tail:].lstrip()


def _text(x: float, y: float, content: str, **attributes: str | float) -> str:
    extra = "".join(
        f' {name.rstrip("_").replace("_", "-")}="{escape(value)}"'
        for name, value in attributes.items()
    )
    return f'<text x="{x:.1f}" y="{y:.1f}"{extra}>{escape(content)}</text>'


def format_tick(value: float, step: float) -> str:
    """A tick of an axis in the page's language, with as many decimals as its step needs
    (a step of 0.25 needs two, of 5 none)."""
    decimals = 0
    while decimals < 6 and not math.isclose(round(step, decimals), step, rel_tol=1e-9):
        decimals += 1
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return babel_numbers.format_decimal(value, format=pattern, locale=current_locale())


def nice_ticks(low: float, high: float, count: int = 6) -> list[float]:
    """Round ticks covering [low, high] — steps of 1, 2, 2.5 or 5 times a power of ten —
    at most ``count`` steps apart; zero among them whenever the range holds it."""
    if math.isclose(low, high):
        if low == 0:
            high = 1
        else:
            low, high = min(0.0, low), max(0.0, high)
    span = high - low
    magnitude = 10 ** math.floor(math.log10(span / count))
    step = magnitude
    for multiple in (1, 2, 2.5, 5, 10):
        step = multiple * magnitude
        if span / step <= count:
            break
    start = math.floor(low / step + 1e-9) * step
    end = math.ceil(high / step - 1e-9) * step
    steps = round((end - start) / step)
    return [round(start + i * step, 10) for i in range(steps + 1)]


def _value_range(values: Sequence[float]) -> tuple[float, float]:
    """The range an axis covers: zero and every value (bars and lines start from zero, so
    that a length means a quantity)."""
    return min(0.0, *values) if values else 0.0, max(0.0, *values) if values else 1.0


def _svg_open(chart_id: str, width: float, height: float, title: str, description: str) -> str:
    chart = escape(chart_id)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{chart}" role="img" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" direction="ltr" '
        f'font-family="{escape(FONT_FAMILY)}" font-size="{FONT_SIZE}" fill="{INK}" '
        f'aria-labelledby="{chart}-title {chart}-desc">'
        f'<title id="{chart}-title">{escape(title)}</title>'
        f'<desc id="{chart}-desc">{escape(description)}</desc>'
    )


def _withheld_count_sentence(data: Sequence[Datum]) -> str:
    gaps = sum(1 for datum in data if datum.value is None)
    if not gaps:
        return ""
    return ngettext(
        "%(count)s figure is not shown as a number: see the table.",
        "%(count)s figures are not shown as numbers: see the table.",
        gaps,
    ) % {"count": gaps}


# --- Bars -------------------------------------------------------------------------------------


def bar_description(title: str, data: Sequence[Datum]) -> str:
    """The text alternative of a bar chart: what it shows, the highest and the lowest
    figure, and how many figures are gaps."""
    shown = [datum for datum in data if datum.value is not None]
    sentences = [title + "."]
    if len(shown) >= 2:
        highest = max(shown, key=lambda datum: datum.value or 0.0)
        lowest = min(shown, key=lambda datum: datum.value or 0.0)
        sentences.append(
            _("Highest: %(high_label)s, %(high)s. Lowest: %(low_label)s, %(low)s.")
            % {
                "high_label": highest.label,
                "high": _number_text(highest.text),
                "low_label": lowest.label,
                "low": _number_text(lowest.text),
            }
        )
    elif shown:
        sentences.append(
            _("%(label)s: %(value)s.")
            % {"label": shown[0].label, "value": _number_text(shown[0].text)}
        )
    if gaps := _withheld_count_sentence(data):
        sentences.append(gaps)
    return " ".join(sentences)


def bar_chart(*, chart_id: str, title: str, data: Sequence[Datum], unit: str = "") -> SafeString:
    """A horizontal bar per datum, in the order given, each with its label before it and its
    figure after it; a datum without a value is a gap with its words. ``unit`` names the
    axis ("persons", "percent")."""
    values = [datum.value for datum in data if datum.value is not None]
    low, high = _value_range(values)
    ticks = nice_ticks(low, high)
    step = ticks[1] - ticks[0] if len(ticks) > 1 else 1.0
    # Short labels are measured generously: a few wide letters ("Women") fill more.
    label_chars = min(LABEL_MAX_CHARS, max((len(datum.label) for datum in data), default=4))
    label_width = max(label_chars, 7) * CHAR_WIDTH + 2 * MARGIN
    figure_chars = max((len(_shown(datum)) for datum in data if datum.value is not None), default=4)
    figure_width = figure_chars * CHAR_WIDTH + 2 * MARGIN
    left, right = label_width, WIDTH - figure_width
    top = MARGIN
    axis_y = top + len(data) * BAR_ROW + 4
    # No figure to draw (every one withheld): no scale either, only the labels and their words.
    scaled = bool(values)
    height = axis_y + MARGIN
    if scaled:
        height += 2 * FONT_SIZE + (FONT_SIZE + MARGIN if unit else 0)

    def x_of(value: float) -> float:
        return left + (value - ticks[0]) / (ticks[-1] - ticks[0]) * (right - left)

    parts = [_svg_open(chart_id, WIDTH, height, title, bar_description(title, data))]
    parts.append('<g class="grid" aria-hidden="true">')
    for tick in ticks if scaled else ():
        x = x_of(tick)
        colour = MUTED if tick == 0 else GRID
        parts.append(
            f'<line x1="{x:.1f}" y1="{top:.1f}" x2="{x:.1f}" y2="{axis_y:.1f}" '
            f'stroke="{colour}" stroke-width="1"/>'
        )
        parts.append(
            _text(
                x,
                axis_y + FONT_SIZE + 2,
                _number_text(format_tick(tick, step)),
                text_anchor="middle",
                font_size=SMALL_FONT_SIZE,
                fill=MUTED,
            )
        )
    if unit and scaled:
        parts.append(
            _text(
                (left + right) / 2,
                axis_y + 2 * FONT_SIZE + MARGIN,
                unit,
                text_anchor="middle",
                font_size=SMALL_FONT_SIZE,
                fill=MUTED,
            )
        )
    parts.append("</g>")
    zero = x_of(0.0)
    parts.append('<g class="bars">')
    for row, datum in enumerate(data):
        y = top + row * BAR_ROW
        middle = y + BAR_ROW / 2 + FONT_SIZE / 3
        parts.append(
            _text(left - MARGIN, middle, _clip(datum.label), text_anchor="end", class_="label")
        )
        if datum.value is None:
            parts.append(
                _text(
                    zero + MARGIN,
                    middle,
                    _shown(datum),
                    class_="gap",
                    font_style="italic",
                    fill=MUTED,
                )
            )
            continue
        end = x_of(datum.value)
        x, width = min(zero, end), abs(end - zero)
        parts.append(
            f'<rect x="{x:.1f}" y="{y + (BAR_ROW - BAR_HEIGHT) / 2:.1f}" width="{width:.1f}" '
            f'height="{BAR_HEIGHT}" fill="{BAR_FILL}"/>'
        )
        if datum.value >= 0:
            parts.append(_text(end + 6, middle, _shown(datum), class_="figure"))
        else:
            parts.append(_text(end - 6, middle, _shown(datum), text_anchor="end", class_="figure"))
    parts.append("</g></svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text escaped above


# --- Lines ------------------------------------------------------------------------------------


def line_description(title: str, series: Sequence[Series]) -> str:
    """The text alternative of a line chart: what it shows, and for each line its first and
    last figure and its highest and lowest (periods named by the data's labels)."""
    sentences = [title + "."]
    for line in series:
        points = [datum for datum in line.data if datum.value is not None]
        if not points:
            sentences.append(_("%(series)s: no figure to show.") % {"series": line.name})
            continue
        if len(points) == 1:
            sentences.append(
                _("%(series)s: %(value)s in %(period)s.")
                % {
                    "series": line.name,
                    "value": _number_text(points[0].text),
                    "period": points[0].label,
                }
            )
            continue
        first, last = points[0], points[-1]
        high = max(points, key=lambda datum: datum.value or 0.0)
        low = min(points, key=lambda datum: datum.value or 0.0)
        sentences.append(
            _(
                "%(series)s: %(first)s in %(first_period)s and %(last)s in %(last_period)s; "
                "highest %(high)s in %(high_period)s, lowest %(low)s in %(low_period)s."
            )
            % {
                "series": line.name,
                "first": _number_text(first.text),
                "first_period": first.label,
                "last": _number_text(last.text),
                "last_period": last.label,
                "high": _number_text(high.text),
                "high_period": high.label,
                "low": _number_text(low.text),
                "low_period": low.label,
            }
        )
    if gaps := _withheld_count_sentence([datum for line in series for datum in line.data]):
        sentences.append(gaps)
    return " ".join(sentences)


def _marker(shape: str, x: float, y: float, colour: str) -> str:
    size = 5.0
    if shape == "square":
        return (
            f'<rect x="{x - size:.1f}" y="{y - size:.1f}" width="{2 * size:.1f}" '
            f'height="{2 * size:.1f}" fill="{colour}"/>'
        )
    if shape == "triangle":
        return (
            f'<path d="M{x:.1f},{y - size - 1:.1f} L{x + size + 1:.1f},{y + size:.1f} '
            f'L{x - size - 1:.1f},{y + size:.1f} Z" fill="{colour}"/>'
        )
    if shape == "diamond":
        return (
            f'<path d="M{x:.1f},{y - size - 1:.1f} L{x + size + 1:.1f},{y:.1f} '
            f'L{x:.1f},{y + size + 1:.1f} L{x - size - 1:.1f},{y:.1f} Z" fill="{colour}"/>'
        )
    if shape == "cross":
        return (
            f'<path d="M{x - size:.1f},{y - size:.1f} L{x + size:.1f},{y + size:.1f} '
            f'M{x - size:.1f},{y + size:.1f} L{x + size:.1f},{y - size:.1f}" '
            f'stroke="{colour}" stroke-width="3"/>'
        )
    if shape == "ring":
        return (
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{size:.1f}" fill="#ffffff" '
            f'stroke="{colour}" stroke-width="3"/>'
        )
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{size:.1f}" fill="{colour}"/>'


# A line with more figures than this has only its first, last, highest and lowest written by
# their points (the table beside gives every one).
MAX_POINT_LABELS = 8


def _labelled_points(data: Sequence[Datum]) -> set[int]:
    """The positions of the figures a single line writes by its points."""
    shown = [index for index, datum in enumerate(data) if datum.value is not None]
    if len(shown) <= MAX_POINT_LABELS:
        return set(shown)
    highest = max(shown, key=lambda index: data[index].value or 0.0)
    lowest = min(shown, key=lambda index: data[index].value or 0.0)
    return {shown[0], shown[-1], highest, lowest}


def line_chart(
    *,
    chart_id: str,
    title: str,
    periods: Sequence[str],
    series: Sequence[Series],
    unit: str = "",
) -> SafeString:
    """A line per series over ``periods`` (short labels for the axis, such as "2026-Q3"; the
    data's own labels name the periods in the text alternative), a marker of its own shape at
    each figure; a line breaks where a figure is missing or withheld, and the gap is named
    at the foot of the chart. One series has its figures written by its points; several
    have a legend, and each line its last figure at its end."""
    values = [d.value for line in series for d in line.data if d.value is not None]
    low, high = _value_range(values)
    ticks = nice_ticks(low, high)
    step = ticks[1] - ticks[0] if len(ticks) > 1 else 1.0
    tick_texts = [_number_text(format_tick(tick, step)) for tick in ticks]
    left = max(len(text) for text in tick_texts) * CHAR_WIDTH + 2 * MARGIN
    several = len(series) > 1
    # Room for the figures written by the points (one series) or at the lines' ends.
    widest = max(
        (len(_shown(d)) for line in series for d in line.data if d.value is not None), default=0
    )
    right = WIDTH - MARGIN - (widest * CHAR_WIDTH + 10 + MARGIN if several else 0)
    pad = 12.0 if several else widest * CHAR_WIDTH / 2 + 4
    top = MARGIN + (FONT_SIZE + 6 if not several else 0)
    bottom = top + LINE_HEIGHT - 2 * FONT_SIZE
    legend_rows = len(series) if several else 0
    height = bottom + 2 * FONT_SIZE + 4
    height += (FONT_SIZE + MARGIN) if unit else 0
    legend_top = height
    height += legend_rows * (FONT_SIZE + 8) + MARGIN

    count = len(periods)

    def x_of(index: int) -> float:
        if count == 1:
            return (left + right) / 2
        return left + pad + index * (right - left - 2 * pad) / (count - 1)

    def y_of(value: float) -> float:
        return bottom - (value - ticks[0]) / (ticks[-1] - ticks[0]) * (bottom - top)

    description = line_description(title, series)
    parts = [_svg_open(chart_id, WIDTH, height, title, description)]
    parts.append('<g class="grid" aria-hidden="true">')
    for tick, text in zip(ticks, tick_texts, strict=True):
        y = y_of(tick)
        colour = MUTED if tick == 0 else GRID
        parts.append(
            f'<line x1="{left:.1f}" y1="{y:.1f}" x2="{right:.1f}" y2="{y:.1f}" '
            f'stroke="{colour}" stroke-width="1"/>'
        )
        parts.append(
            _text(
                left - 6,
                y + FONT_SIZE / 3,
                text,
                text_anchor="end",
                font_size=SMALL_FONT_SIZE,
                fill=MUTED,
            )
        )
    # Every period is named when there is room; otherwise about twelve of them, always the
    # first and the last (and none crowding the last).
    every = max(1, math.ceil(count / 12))
    for index, period in enumerate(periods):
        last = index == count - 1
        if (index % every and not last) or (
            not last and index % every == 0 and 0 < count - 1 - index < every
        ):
            continue
        parts.append(
            _text(
                x_of(index),
                bottom + FONT_SIZE + 4,
                _number_text(period),
                text_anchor="middle",
                font_size=SMALL_FONT_SIZE,
                fill=MUTED,
            )
        )
    if unit:
        parts.append(
            _text(
                left, bottom + 2 * FONT_SIZE + MARGIN, unit, font_size=SMALL_FONT_SIZE, fill=MUTED
            )
        )
    parts.append("</g>")
    # Gaps: a period where some line has no figure is named at the foot of the plot.
    gap_words: dict[int, str] = {}
    for line in series:
        for index, datum in enumerate(line.data[:count]):
            if datum.value is None and index not in gap_words:
                gap_words[index] = _shown(datum)
    parts.append('<g class="gaps">')
    for index, words in gap_words.items():
        x = x_of(index)
        parts.append(
            f'<line x1="{x:.1f}" y1="{top:.1f}" x2="{x:.1f}" y2="{bottom:.1f}" '
            f'stroke="{GRID}" stroke-width="1" stroke-dasharray="4 4"/>'
        )
        parts.append(
            _text(
                x + 4,
                bottom - 6,
                words,
                transform=f"rotate(-90 {x + 4:.1f} {bottom - 6:.1f})",
                font_size=SMALL_FONT_SIZE,
                font_style="italic",
                fill=MUTED,
            )
        )
    parts.append("</g>")
    for number, line in enumerate(series):
        colour = SERIES_COLOURS[number % len(SERIES_COLOURS)]
        shape = MARKERS[number % len(MARKERS)]
        parts.append(f'<g class="series series-{number + 1}">')
        labelled = _labelled_points(line.data[:count])
        path: list[str] = []
        pen_down = False
        for index, datum in enumerate(line.data[:count]):
            if datum.value is None:
                pen_down = False
                continue
            command = "L" if pen_down else "M"
            path.append(f"{command}{x_of(index):.1f},{y_of(datum.value):.1f}")
            pen_down = True
        if path:
            parts.append(
                f'<path d="{" ".join(path)}" fill="none" stroke="{colour}" stroke-width="2.5" '
                'stroke-linejoin="round"/>'
            )
        for index, datum in enumerate(line.data[:count]):
            if datum.value is None:
                continue
            x, y = x_of(index), y_of(datum.value)
            parts.append(_marker(shape, x, y, colour))
            if not several and index in labelled:
                parts.append(_text(x, y - 10, _shown(datum), text_anchor="middle", class_="figure"))
        if several:
            final = max(
                (i for i, d in enumerate(line.data[:count]) if d.value is not None), default=None
            )
            if final is not None:
                value = line.data[final].value or 0.0
                parts.append(
                    _text(
                        x_of(final) + 10,
                        y_of(value) + FONT_SIZE / 3,
                        _shown(line.data[final]),
                        class_="figure",
                    )
                )
        parts.append("</g>")
    if several:
        parts.append('<g class="legend">')
        for number, line in enumerate(series):
            colour = SERIES_COLOURS[number % len(SERIES_COLOURS)]
            y = legend_top + number * (FONT_SIZE + 8) + FONT_SIZE / 2
            parts.append(
                f'<line x1="{left:.1f}" y1="{y:.1f}" x2="{left + 28:.1f}" y2="{y:.1f}" '
                f'stroke="{colour}" stroke-width="2.5"/>'
            )
            parts.append(_marker(MARKERS[number % len(MARKERS)], left + 14, y, colour))
            parts.append(_text(left + 36, y + FONT_SIZE / 3, line.name))
        parts.append("</g>")
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text escaped above
