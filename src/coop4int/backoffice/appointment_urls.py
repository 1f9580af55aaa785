"""Addresses of this part of the appointments feature (included by the app's urls.py): the
unit's day sheet, booking on behalf of a caller, and one booking (its reference, as
``K7MX-4QF9``, so that the feature's other addresses under ``appointments/`` stay free)."""

from django.urls import URLPattern, path, re_path

from coop4int.backoffice import appointment_views

urlpatterns: list[URLPattern] = [
    path("appointments/", appointment_views.DaySheetView.as_view(), name="appointment_day"),
    path("appointments/new/", appointment_views.NewBookingView.as_view(), name="appointment_new"),
    re_path(
        r"^appointments/(?P<reference>[0-9A-Za-z]{4}-[0-9A-Za-z]{4})/$",
        appointment_views.BookingView.as_view(),
        name="appointment_detail",
    ),
]
