"""The public app API v1 under /api/v1/ (namespace ``api_v1``) and its OpenAPI document."""

from django.urls import URLPattern, URLResolver, include, path, re_path

from coop4int.api import v1_views as views

app_name = "api_v1"

endpoints: list[URLPattern | URLResolver] = [
    path("appointments/slots/", views.SlotsView.as_view(), name="appointment_slots"),
    path("appointments/", views.BookView.as_view(), name="appointments"),
    path("appointments/<str:reference>/", views.BookingView.as_view(), name="appointment"),
]

urlpatterns: list[URLPattern | URLResolver] = [
    # The document describes the endpoints above only, at their full address.
    path(
        "schema/",
        views.SchemaView.as_view(patterns=[path("api/v1/", include(endpoints))]),
        name="schema",
    ),
    *endpoints,
    re_path(r"^(?P<path>.*)$", views.NotFoundView.as_view(), name="not_found"),
]
