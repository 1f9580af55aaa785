"""Charts drawn on the server: valid SVG, named and described for a screen reader, scaled so
that a length means a quantity, withheld figures as gaps with words (never zero), labels
escaped, numbers kept in order in a right-to-left language."""

import re
import xml.etree.ElementTree as ET

import pytest
from django.utils import translation

from coop4int.core import bidi
from coop4int.observatory.charts import (
    BAR_FILL,
    Datum,
    Series,
    bar_chart,
    format_tick,
    line_chart,
    nice_ticks,
)

SVG = "{http://www.w3.org/2000/svg}"

ISLANDS = [
    Datum("Santiago", 5200.0, "5,200"),
    Datum("Sal", 2100.0, "2,100", marks="e"),
    Datum("Boa Vista", 1800.0, "1,800"),
    Datum("Brava", None, "fewer than 5"),
]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - our own markup


def texts(root: ET.Element) -> list[str]:
    return ["".join(element.itertext()) for element in root.iter(f"{SVG}text")]


def bars(root: ET.Element) -> list[ET.Element]:
    return [rect for rect in root.iter(f"{SVG}rect") if rect.get("fill") == BAR_FILL]


def test_a_bar_chart_is_an_image_named_and_described_for_screen_readers():
    root = parse(bar_chart(chart_id="c1", title="Foreign residents by island, 2021", data=ISLANDS))
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "c1-title c1-desc"
    title = root.find(f"{SVG}title")
    desc = root.find(f"{SVG}desc")
    assert title is not None
    assert title.get("id") == "c1-title"
    assert title.text == "Foreign residents by island, 2021"
    assert desc is not None
    assert desc.get("id") == "c1-desc"
    assert desc.text == (
        "Foreign residents by island, 2021. Highest: Santiago, 5,200. Lowest: Boa Vista, 1,800. "
        "1 figure is not shown as a number: see the table."
    )


def test_every_bar_is_labelled_with_its_category_and_its_figure():
    root = parse(bar_chart(chart_id="c", title="t", data=ISLANDS))
    shown = texts(root)
    for label in ("Santiago", "Sal", "Boa Vista", "Brava"):
        assert label in shown
    assert "5,200" in shown
    assert "2,100 e" in shown  # the mark that points to its note


def test_bar_lengths_are_proportional_to_the_figures_from_zero():
    root = parse(bar_chart(chart_id="c", title="t", data=ISLANDS[:3]))
    widths = [float(rect.get("width", "0")) for rect in bars(root)]
    assert len(widths) == 3
    assert widths[0] / widths[1] == pytest.approx(5200 / 2100, rel=1e-3)
    assert widths[1] / widths[2] == pytest.approx(2100 / 1800, rel=1e-3)
    starts = {rect.get("x") for rect in bars(root)}
    assert len(starts) == 1  # every bar starts at zero


def test_a_withheld_figure_is_a_gap_with_its_words_never_a_bar_at_zero():
    root = parse(bar_chart(chart_id="c", title="t", data=ISLANDS))
    assert len(bars(root)) == 3  # Brava has no bar, not even an empty one
    gaps = [e for e in root.iter(f"{SVG}text") if e.get("class") == "gap"]
    assert ["".join(gap.itertext()) for gap in gaps] == ["fewer than 5"]


def test_a_chart_with_every_figure_withheld_still_draws_its_labels():
    data = [Datum("Maio", None, "confidential"), Datum("Brava", None, "confidential")]
    root = parse(bar_chart(chart_id="c", title="t", data=data))
    assert bars(root) == []
    assert texts(root).count("confidential") == 2
    assert "2 figures are not shown as numbers" in (root.findtext(f"{SVG}desc") or "")


def test_labels_and_titles_are_escaped():
    data = [Datum("<script>alert(1)</script> & co", 3.0, "3")]
    svg = bar_chart(chart_id='x" onload="y', title="A <b>title</b>", data=data, unit="<u>")
    assert "<script>" not in svg
    assert "<b>" not in svg
    assert 'onload="y"' not in svg
    root = parse(svg)  # still well-formed
    assert root.findtext(f"{SVG}title") == "A <b>title</b>"
    assert any("<script>" in text for text in texts(root))  # shown as text, not markup


def test_negative_figures_run_left_of_zero():
    data = [Datum("In", 40.0, "40"), Datum("Out", -20.0, "-20")]
    root = parse(bar_chart(chart_id="c", title="t", data=data))
    positive, negative = bars(root)
    assert float(negative.get("x", "0")) + float(negative.get("width", "0")) == pytest.approx(
        float(positive.get("x", "0"))
    )


def test_a_line_chart_draws_a_marker_per_figure_and_breaks_at_a_gap():
    data = [
        Datum("2019", 10.0, "10"),
        Datum("2020", 12.0, "12"),
        Datum("2021", None, "confidential"),
        Datum("2022", 15.0, "15", marks="p"),
    ]
    svg = line_chart(
        chart_id="l",
        title="Residents born abroad",
        periods=["2019", "2020", "2021", "2022"],
        series=[Series("Residents born abroad", data)],
        unit="persons",
    )
    root = parse(svg)
    assert root.get("role") == "img"
    assert len(list(root.iter(f"{SVG}circle"))) == 3  # one marker per figure, none for the gap
    line = next(p for p in root.iter(f"{SVG}path") if p.get("fill") == "none")
    assert line.get("d", "").count("M") == 2  # two pieces: the gap is not drawn through
    shown = texts(root)
    assert "confidential" in shown
    assert "15 p" in shown
    assert "persons" in shown
    desc = root.findtext(f"{SVG}desc") or ""
    assert "10 in 2019 and 15 in 2022" in desc
    assert "highest 15 in 2022, lowest 10 in 2019" in desc


def test_several_lines_have_their_own_markers_and_a_legend():
    periods = ["2020", "2021"]
    series = [
        Series("Women", [Datum("2020", 3.0, "3"), Datum("2021", 4.0, "4")]),
        Series("Men", [Datum("2020", 5.0, "5"), Datum("2021", 6.0, "6")]),
    ]
    root = parse(line_chart(chart_id="l", title="t", periods=periods, series=series))
    legend = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "legend")
    assert ["".join(t.itertext()) for t in legend.iter(f"{SVG}text")] == ["Women", "Men"]
    assert len(list(root.iter(f"{SVG}circle"))) == 2 + 1  # Women's two and the legend's
    assert len([r for r in root.iter(f"{SVG}rect")]) == 2 + 1  # Men's squares


def test_ticks_are_round_and_cover_zero_and_every_figure():
    assert nice_ticks(0, 5200) == [0, 1000, 2000, 3000, 4000, 5000, 6000]
    assert nice_ticks(0, 2.84) == [0, 0.5, 1, 1.5, 2, 2.5, 3]
    assert nice_ticks(-20, 40) == [-20, -10, 0, 10, 20, 30, 40]
    assert nice_ticks(0, 0)[0] == 0
    assert nice_ticks(0, 0)[-1] == 1
    assert nice_ticks(7, 7)[0] == 0


def test_numbers_are_written_in_the_page_language():
    with translation.override("fr"):
        assert format_tick(12000, 2000) == "12\u202f000"
        assert format_tick(2.5, 0.5) == "2,5"
    with translation.override("pt"):
        root = parse(bar_chart(chart_id="c", title="t", data=[Datum("Sal", 12000.0, "12 000")]))
    assert "12\xa0000" in texts(root)  # the pt-CV axis


def test_numbers_keep_their_order_in_a_right_to_left_language():
    with translation.override("ar"):
        svg = bar_chart(chart_id="c", title="t", data=[Datum("سال", 1234.5, "1,234.5")])
    root = parse(svg)
    assert root.get("direction") == "ltr"  # the geometry runs left to right
    assert f"{bidi.LRI}1,234.5{bidi.PDI}" in texts(root)
    ticks = [t for t in texts(root) if re.search(r"\d", t) and t != f"{bidi.LRI}1,234.5{bidi.PDI}"]
    assert ticks
    assert all(t.startswith(bidi.LRI) and t.endswith(bidi.PDI) for t in ticks)
    with translation.override("en"):
        plain = parse(bar_chart(chart_id="c", title="t", data=[Datum("Sal", 1234.5, "1,234.5")]))
    assert bidi.LRI not in "".join(texts(plain))


def test_a_long_line_writes_only_its_first_last_highest_and_lowest_figures():
    values = [5.0, 9.0, 2.0, 6.0, 6.5, 7.0, 7.5, 8.0, 8.5, 6.0]
    periods = [str(2012 + n) for n in range(len(values))]
    data = [Datum(p, v, f"{v:g}") for p, v in zip(periods, values, strict=True)]
    root = parse(line_chart(chart_id="l", title="t", periods=periods, series=[Series("x", data)]))
    written = ["".join(t.itertext()) for t in root.iter(f"{SVG}text") if t.get("class") == "figure"]
    assert written == ["5", "9", "2", "6"]  # by position: first, highest, lowest, last
    assert len(list(root.iter(f"{SVG}circle"))) == len(values)  # every figure has its marker
