"""What a unit needs to know about its appointments and waiting rooms, on a page and as a CSV
file. What is counted, the rounding and suppression of small counts, and the audit of each
reading are the domain's (``appointments.domain.statistics``); these views only show them."""

from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coop4int.accounts.roles import Permission
from coop4int.appointments.domain.statistics import (
    DAY,
    AppointmentStatistics,
    appointment_statistics,
    grouping_choices,
    statistics_rows,
)
from coop4int.backoffice.case_stats_views import (
    StatisticsForm,
    chosen_unit,
    csv_response,
    default_unit,
    requested,
)
from coop4int.backoffice.views import StaffView
from coop4int.cases.domain.statistics import sees_all_units, statistics_units, unit_time_zone

# The default period: the last four weeks, today included.
DEFAULT_DAYS = 28


class AppointmentStatisticsForm(StatisticsForm):
    """The support desk's choice of unit and period, and how to group the figures."""

    grouping = forms.ChoiceField(label=_("Figures by"), choices=())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        grouping = self.fields["grouping"]
        assert isinstance(grouping, forms.ChoiceField)
        grouping.choices = grouping_choices()


def last_four_weeks(zone: str) -> tuple[date, date]:
    today = timezone.localdate(timezone=ZoneInfo(zone))
    return today - timedelta(days=DEFAULT_DAYS - 1), today


class AppointmentStatisticsView(StaffView):
    permission = Permission.VIEW_CASE_STATISTICS

    def get(self, request: HttpRequest) -> HttpResponse:
        all_units = sees_all_units(self.user)
        units = list(statistics_units(self.user))
        own_unit = next((u for u in units if u.pk == self.user.unit_id), None)
        start, end = last_four_weeks(unit_time_zone(own_unit))
        data = requested(request, default_unit(all_units, own_unit), start, end, grouping=str(DAY))
        form = AppointmentStatisticsForm(data, units=units, all_units=all_units)
        stats: AppointmentStatistics | None = None
        if form.is_valid():
            unit_id = chosen_unit(form.cleaned_data["unit"], all_units, own_unit)
            downloaded = request.GET.get("format") == "csv"
            stats = appointment_statistics(
                self.user,
                unit_id=unit_id,
                start=form.cleaned_data["start"],
                end=form.cleaned_data["end"],
                grouping=form.cleaned_data["grouping"],
                now=timezone.now(),
                downloaded=downloaded,
            )
            if downloaded:
                return self._csv(stats)
        query = request.GET.copy()
        query["format"] = "csv"
        return render(
            request,
            "backoffice/appointment_stats/statistics.html",
            {"form": form, "stats": stats, "csv_query": query.urlencode()},
        )

    def _csv(self, stats: AppointmentStatistics) -> HttpResponse:
        unit = stats.unit.slug if stats.unit else "all"
        filename = (
            f"coop4int-appointments-{unit}-{stats.grouping}-"
            f"{stats.start.isoformat()}-{stats.end.isoformat()}.csv"
        )
        # The header is the first of the rows.
        return csv_response(filename, statistics_rows(stats))
