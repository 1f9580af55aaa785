"""Addresses of the analyst's observatory pages (included by the app's urls.py), all under
``observatory/``: the datasets, importing a file, a dataset's preview (by its public id,
"<INDICATOR>-v<version>") and the indicator registry. See docs/architecture.md (the
Migration Observatory)."""

from django.urls import URLPattern, URLResolver, path

from coop4int.backoffice import observatory_views as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("observatory/", views.ObservatoryView.as_view(), name="observatory"),
    path("observatory/import/", views.ImportView.as_view(), name="observatory_import"),
    path(
        "observatory/datasets/<str:public_id>/",
        views.DatasetView.as_view(),
        name="observatory_dataset",
    ),
    path(
        "observatory/indicators/",
        views.IndicatorListView.as_view(),
        name="observatory_indicators",
    ),
    path(
        "observatory/indicators/new/",
        views.NewIndicatorView.as_view(),
        name="observatory_indicator_new",
    ),
    path(
        "observatory/indicators/<str:code>/",
        views.IndicatorView.as_view(),
        name="observatory_indicator",
    ),
]
