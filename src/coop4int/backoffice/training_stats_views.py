"""The training statistics: the people trained, completion and certificates of a period, on a
page and as a CSV file. Who is counted, the rounding and suppression of small counts, and the
audit of each reading are the domain's (``learning.domain.statistics``); these views only show
them."""

from datetime import date
from zoneinfo import ZoneInfo

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from coop4int.accounts.roles import Permission
from coop4int.backoffice.case_stats_views import (
    CSV_HEADER,
    StatisticsForm,
    chosen_unit,
    csv_response,
    default_unit,
    requested,
)
from coop4int.backoffice.views import StaffView
from coop4int.cases.domain.statistics import unit_time_zone
from coop4int.learning.domain.statistics import (
    TrainingStatistics,
    sees_all_units,
    statistics_rows,
    statistics_units,
    training_statistics,
)


def current_year(zone: str) -> tuple[date, date]:
    """Training runs over months: the page opens on the calendar year so far and to come."""
    today = timezone.localdate(timezone=ZoneInfo(zone))
    return date(today.year, 1, 1), date(today.year, 12, 31)


class TrainingStatisticsView(StaffView):
    permission = Permission.VIEW_TRAINING_STATISTICS
    exported = False

    def get(self, request: HttpRequest) -> HttpResponse:
        all_units = sees_all_units(self.user)
        units = list(statistics_units(self.user))
        own_unit = next((u for u in units if u.pk == self.user.unit_id), None)
        start, end = current_year(unit_time_zone(own_unit))
        data = requested(request, default_unit(all_units, own_unit), start, end)
        form = StatisticsForm(data, units=units, all_units=all_units)
        stats: TrainingStatistics | None = None
        if form.is_valid():
            stats = training_statistics(
                self.user,
                unit_id=chosen_unit(form.cleaned_data["unit"], all_units, own_unit),
                start=form.cleaned_data["start"],
                end=form.cleaned_data["end"],
                exported=self.exported,
            )
            if self.exported:
                return self._csv(stats)
        query = request.GET.copy()
        return render(
            request,
            "backoffice/training_stats.html",
            {
                "form": form,
                "stats": stats,
                "csv_url": f"{reverse('backoffice:training_statistics_csv')}?{query.urlencode()}",
            },
            # A file asked for with a wrong period answers the form, not a file.
            status=400 if self.exported else 200,
        )

    def _csv(self, stats: TrainingStatistics) -> HttpResponse:
        unit = stats.unit.slug if stats.unit else "all"
        filename = f"coop4int-training-{unit}-{stats.start.isoformat()}-{stats.end.isoformat()}.csv"
        return csv_response(filename, statistics_rows(stats), header=CSV_HEADER)


class TrainingStatisticsCsvView(TrainingStatisticsView):
    exported = True
