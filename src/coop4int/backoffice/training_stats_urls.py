"""Addresses of the training statistics (included by the app's urls.py)."""

from django.urls import URLPattern, path

from coop4int.backoffice import training_stats_views

urlpatterns: list[URLPattern] = [
    path(
        "training/statistics/",
        training_stats_views.TrainingStatisticsView.as_view(),
        name="training_statistics",
    ),
    path(
        "training/statistics.csv",
        training_stats_views.TrainingStatisticsCsvView.as_view(),
        name="training_statistics_csv",
    ),
]
