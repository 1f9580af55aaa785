"""The Migration Observatory's public pages: the indicators grouped by the concept they
measure, each with its latest figure, and an indicator's page — its definition, a chart drawn
on the server with its data table, the chooser of the comparison, notes on sources and breaks
in series, provenance, earlier versions and the downloads.

Only published versions are read (``observatory.domain.queries``); a draft never shows. The
pages hold nothing for one person, so any cache may keep them, briefly (as the directory's):
a published version never changes, but a new one may replace it at any time."""

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.safestring import SafeString

from coop4int.core.fallback_notes import fallback_notes
from coop4int.core.languages import REGISTRY, Language
from coop4int.observatory import charts, labels
from coop4int.observatory.domain import queries
from coop4int.observatory.domain.figures import (
    Comparison,
    Figure,
    IndicatorFigures,
    Note,
    headline,
)
from coop4int.observatory.domain.platform_tables import shown_provenance, shown_source
from coop4int.observatory.enums import (
    Concept,
    DatasetOrigin,
    Periodicity,
    UnitOfMeasure,
    licence,
)
from coop4int.observatory.models import Dataset, Indicator
from coop4int.observatory.texts import Text, text_in
from coop4int.portal.content_views import reading_language
from coop4int.portal.observatory_forms import ComparisonForm

# A cached copy may be at most this old: a new version may be published at any time.
CACHE_SECONDS = 60
CHART_ID = "indicator-chart"


def _public(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Any cache may keep the page briefly, per language — unless it carries a message for
    this visitor alone."""
    if not len(messages.get_messages(request)):
        response["Cache-Control"] = f"public, max-age={CACHE_SECONDS}"
        patch_vary_headers(response, ("Accept-Language",))
    return response


def _shown_text(text: Text) -> dict[str, Any]:
    return {
        "text": text.text,
        "language": REGISTRY.get(text.language),
        "code": text.language,
        "is_fallback": text.is_fallback,
    }


def _fallback_notes(texts: list[Text]) -> list[tuple[Language, str]]:
    """The notes that some text is not in the reader's language (the first such text's)."""
    fallback = next((text for text in texts if text.is_fallback), None)
    if fallback is None:
        return []
    return fallback_notes(fallback.requested, fallback.language)


def _unit_label(indicator: Indicator) -> str:
    if indicator.unit_measure in UnitOfMeasure.values:
        return str(UnitOfMeasure(indicator.unit_measure).label)
    return indicator.unit_measure


def _downloads(dataset: Dataset) -> list[dict[str, str]]:
    """The files of a version (``api.opendata_urls``)."""
    return [
        {"url": reverse("opendata_dataset_csv", args=[dataset.public_id]), "kind": "CSV"},
        {"url": reverse("opendata_dataset_sdmx", args=[dataset.public_id]), "kind": "SDMX-CSV 2.0"},
        {
            "url": reverse("opendata_datapackage", args=[dataset.public_id]),
            "kind": "Frictionless Data Package (JSON)",
        },
    ]


# --- The observatory ----------------------------------------------------------------------


def observatory(request: HttpRequest) -> HttpResponse:
    """Every indicator with a published version, grouped by the concept it measures, with
    its latest total (when the source published one) and its period."""
    language = reading_language(request)
    datasets = queries.current_datasets()
    totals = queries.latest_totals(datasets)
    groups: dict[str, dict[str, Any]] = {}
    for dataset in datasets:
        indicator = dataset.indicator
        concept = indicator.concept
        group = groups.setdefault(
            concept,
            {
                "concept": concept,
                "label": str(Concept(concept).label) if concept in Concept.values else concept,
                "explanation": labels.concept_explanation(concept),
                "indicators": [],
            },
        )
        name = text_in(indicator.names, language)
        group["indicators"].append(
            {
                "indicator": indicator,
                "dataset": dataset,
                "source": shown_source(indicator),
                "name": _shown_text(name),
                "url": reverse("portal:indicator", args=[indicator.code]),
                "figure": headline(
                    indicator=indicator, dataset=dataset, row=totals.get(dataset.pk)
                ),
                # A percentage says so by its sign, and a count of things needs no unit.
                "unit": ""
                if indicator.unit_measure in (UnitOfMeasure.PERCENT, UnitOfMeasure.NUMBER)
                else _unit_label(indicator),
                "periods": [
                    labels.period_label(dataset.period_start),
                    labels.period_label(dataset.period_end),
                ],
            }
        )
    context = {
        "groups": list(groups.values()),
        "studies_url": reverse("portal:studies"),
        "catalogue_url": reverse("opendata_catalog"),
    }
    return _public(request, render(request, "portal/observatory_index.html", context))


# --- An indicator -------------------------------------------------------------------------


def _chart(comparison: Comparison, unit: str, name: str) -> SafeString:
    """The chart of ``comparison``; its line, over the years, is named ``name`` (the
    indicator's)."""
    data = [
        charts.Datum(
            label=figure.label, value=figure.value, text=figure.text, marks=figure.marks_text
        )
        for figure in comparison.charted
    ]
    if comparison.kind == "line":
        return charts.line_chart(
            chart_id=CHART_ID,
            title=comparison.title,
            periods=[figure.code for figure in comparison.charted],
            series=[charts.Series(name=name, data=data)],
            unit=unit,
        )
    return charts.bar_chart(chart_id=CHART_ID, title=comparison.title, data=data, unit=unit)


def _table_rows(shown: list[Figure], notes: list[Note]) -> list[dict[str, Any]]:
    """The rows of the data table: each figure with its marks and what they mean."""
    meanings = {note.mark: note.text for note in notes if note.mark}
    return [
        {"figure": figure, "marks": [(mark, meanings.get(mark, mark)) for mark in figure.marks]}
        for figure in shown
    ]


def _provenance(dataset: Dataset) -> dict[str, Any]:
    source, note = shown_provenance(dataset)
    return {
        "source": source,
        "note": note,
        "origin": DatasetOrigin(dataset.origin).label
        if dataset.origin in DatasetOrigin.values
        else dataset.origin,
        "licence": licence(dataset.licence),
    }


def indicator(request: HttpRequest, code: str) -> HttpResponse:
    """An indicator's published version: what it counts, the comparison the reader chose
    (``?compare=`` the years or a dimension, ``?period=``, and a value per other dimension)
    as a chart with its table, its notes, where the figures come from, and the files."""
    versions = queries.public_versions(code)
    indicator, dataset = versions.indicator, versions.current
    language = reading_language(request)
    figures = IndicatorFigures(
        indicator=indicator, dataset=dataset, rows=queries.observation_rows(dataset)
    )
    form = ComparisonForm(request.GET or None, figures=figures)
    selection = figures.selection(**form.choice())
    if not form.is_bound or form.is_valid():
        form = ComparisonForm.showing(
            figures,
            compare=selection.compare,
            period=selection.period,
            filters=selection.filters,
        )
    name = text_in(indicator.names, language)
    definition = text_in(indicator.definitions, language)
    notes = text_in(indicator.notes, language)
    comparison = figures.comparison(selection, name=name.text or indicator.code)
    unit = _unit_label(indicator)
    figure_notes = figures.notes(comparison)
    context = {
        "indicator": indicator,
        "dataset": dataset,
        "earlier": [{"dataset": d, "downloads": _downloads(d)} for d in versions.earlier],
        "name": _shown_text(name),
        "definition": _shown_text(definition),
        "notes": _shown_text(notes),
        "fallback_notes": _fallback_notes([name, definition, notes]),
        "concept": str(Concept(indicator.concept).label)
        if indicator.concept in Concept.values
        else indicator.concept,
        "concept_explanation": labels.concept_explanation(indicator.concept),
        "unit": unit,
        "periodicity": str(Periodicity(indicator.periodicity).label)
        if indicator.periodicity in Periodicity.values
        else indicator.periodicity,
        "form": form,
        "comparison": comparison,
        "chart": None if comparison.empty else _chart(comparison, unit, name.text or code),
        "chart_id": CHART_ID,
        "figure_notes": figure_notes,
        "rows": _table_rows(comparison.figures, figure_notes),
        "total_row": _table_rows([comparison.total], figure_notes)[0] if comparison.total else None,
        "breaks": [figures.period_labels[period] for period in figures.breaks],
        "coverage": [figures.period_labels[p] for p in figures.periods[:1] + figures.periods[-1:]],
        "provenance": _provenance(dataset),
        "downloads": _downloads(dataset),
        "observatory_url": reverse("portal:observatory"),
    }
    return _public(request, render(request, "portal/observatory_indicator.html", context))
