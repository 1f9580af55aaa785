"""The support desk's statistics: what a unit needs to know about a period, on a page and as
a CSV file. Who is counted, the rounding and the suppression of small counts, and the audit
of each reading are the domain's (``cases.domain.statistics``); these views only show them."""

import csv
from calendar import monthrange
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coop4int.accounts.models import Unit
from coop4int.accounts.roles import Permission
from coop4int.backoffice.views import StaffView
from coop4int.cases.domain.statistics import (
    UnitStatistics,
    sees_all_units,
    statistics_rows,
    statistics_units,
    unit_statistics,
    unit_time_zone,
)

CSV_HEADER = ("section", "key", "value")

# Far enough for any record the service will hold; also keeps the day after ``end`` a date.
EARLIEST, LATEST = date(2000, 1, 1), date(2999, 12, 31)
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class StatisticsForm(forms.Form):
    # Not a choice field on purpose: a unit outside the user's scope is the domain's to refuse
    # (404), not a form error that would confirm the unit exists.
    unit = forms.IntegerField(label=_("Unit"), required=False, min_value=1, widget=forms.Select)
    start = forms.DateField(
        label=_("From"),
        widget=DATE_INPUT,
        validators=[MinValueValidator(EARLIEST), MaxValueValidator(LATEST)],
    )
    end = forms.DateField(
        label=_("To (included)"),
        widget=DATE_INPUT,
        validators=[MinValueValidator(EARLIEST), MaxValueValidator(LATEST)],
    )

    def __init__(self, *args: Any, units: list[Unit], all_units: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        widget = self.fields["unit"].widget
        assert isinstance(widget, forms.Select)
        choices: list[tuple[Any, Any]] = [("", _("All units"))] if all_units else []
        widget.choices = [*choices, *((u.pk, u.name) for u in units)]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            raise ValidationError(_("The end of the period cannot come before its start."))
        return data


def current_month(zone: str) -> tuple[date, date]:
    today = timezone.localdate(timezone=ZoneInfo(zone))
    return today.replace(day=1), today.replace(day=monthrange(today.year, today.month)[1])


def default_unit(all_units: bool, own_unit: Unit | None) -> str:
    """The unit a statistics page opens on: all units for who may read them, else their own."""
    return "" if all_units or own_unit is None else str(own_unit.pk)


def requested(
    request: HttpRequest, unit: str, start: date, end: date, **more: str
) -> dict[str, str]:
    """A statistics form's data: the address's parameters, and the defaults for those it does
    not give, so that the bare address shows something; parameters given but empty or wrong
    are errors."""
    defaults = {"unit": unit, "start": start.isoformat(), "end": end.isoformat()} | more
    return defaults | {name: request.GET[name] for name in defaults if name in request.GET}


def chosen_unit(unit_id: int | None, all_units: bool, own_unit: Unit | None) -> int | None:
    """No unit chosen means all units for who may read them, else the user's own."""
    if unit_id is None and not all_units:
        return own_unit.pk if own_unit is not None else None
    return unit_id


class CaseStatisticsView(StaffView):
    permission = Permission.VIEW_CASE_STATISTICS

    def get(self, request: HttpRequest) -> HttpResponse:
        all_units = sees_all_units(self.user)
        units = list(statistics_units(self.user))
        own_unit = next((u for u in units if u.pk == self.user.unit_id), None)
        start, end = current_month(unit_time_zone(own_unit))
        data = requested(request, default_unit(all_units, own_unit), start, end)
        form = StatisticsForm(data, units=units, all_units=all_units)
        stats: UnitStatistics | None = None
        if form.is_valid():
            unit_id = chosen_unit(form.cleaned_data["unit"], all_units, own_unit)
            exported = request.GET.get("format") == "csv"
            stats = unit_statistics(
                self.user,
                unit_id=unit_id,
                start=form.cleaned_data["start"],
                end=form.cleaned_data["end"],
                exported=exported,
            )
            if exported:
                return self._csv(stats)
        query = request.GET.copy()
        query["format"] = "csv"
        return render(
            request,
            "backoffice/case_statistics.html",
            {
                "form": form,
                "stats": stats,
                "csv_query": query.urlencode(),
            },
        )

    def _csv(self, stats: UnitStatistics) -> HttpResponse:
        unit = stats.unit.slug if stats.unit else "all"
        filename = f"coop4int-cases-{unit}-{stats.start.isoformat()}-{stats.end.isoformat()}.csv"
        return csv_response(filename, statistics_rows(stats), header=CSV_HEADER)


def inert(value: str) -> str:
    """A topic or service name that a spreadsheet would run as a formula is kept as text."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def csv_response(
    filename: str, rows: Iterable[Sequence[str]], *, header: Sequence[str] = ()
) -> HttpResponse:
    """A CSV file of statistics to download as ``filename``: ``header`` (when given) and then
    ``rows``, every value of which is kept ``inert``."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    if header:
        writer.writerow(header)
    writer.writerows(tuple(map(inert, row)) for row in rows)
    return response
