"""Addresses of a unit's appointment statistics and settings (included by the app's urls.py)."""

from django.urls import URLPattern, path

from coop4int.backoffice import appointment_settings_views, appointment_stats_views

urlpatterns: list[URLPattern] = [
    path(
        "appointments/statistics/",
        appointment_stats_views.AppointmentStatisticsView.as_view(),
        name="appointment_statistics",
    ),
    path(
        "appointments/settings/",
        appointment_settings_views.AppointmentSettingsView.as_view(),
        name="appointment_settings",
    ),
    path(
        "appointments/settings/<int:unit_id>/",
        appointment_settings_views.AppointmentSettingsView.as_view(),
        name="appointment_settings_unit",
    ),
]
