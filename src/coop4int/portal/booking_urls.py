"""Addresses of the public booking pages (included by the portal's urls.py, language-prefixed).

The steps come first: an appointment's own address (``appointments/<reference>/<secret>/``)
would otherwise also match theirs."""

from django.urls import URLPattern, path

from coop4int.portal import booking_views

urlpatterns: list[URLPattern] = [
    path("appointments/", booking_views.appointments, name="appointments"),
    path(
        "appointments/service/<uuid:service_id>/",
        booking_views.appointment_places,
        name="appointment_places",
    ),
    path("appointments/at/<uuid:sal_id>/", booking_views.appointment_days, name="appointment_days"),
    path(
        "appointments/at/<uuid:sal_id>/<str:day>/",
        booking_views.appointment_times,
        name="appointment_times",
    ),
    path(
        "appointments/at/<uuid:sal_id>/<str:day>/book/",
        booking_views.appointment_book,
        name="appointment_book",
    ),
    path(
        "appointments/at/<uuid:sal_id>/<str:day>/waiting-list/",
        booking_views.appointment_waiting_list,
        name="appointment_waiting_list",
    ),
    path(
        "appointments/waiting-list/joined/",
        booking_views.appointment_waiting_joined,
        name="appointment_waiting_joined",
    ),
    path(
        "appointments/<str:reference>/<str:secret>/",
        booking_views.appointment_manage,
        name="appointment_manage",
    ),
    path(
        "appointments/<str:reference>/<str:secret>/appointment.ics",
        booking_views.appointment_ics,
        name="appointment_ics",
    ),
    path(
        "appointments/<str:reference>/<str:secret>/move/",
        booking_views.appointment_move,
        name="appointment_move",
    ),
    path(
        "appointments/<str:reference>/<str:secret>/cancel/",
        booking_views.appointment_cancel,
        name="appointment_cancel",
    ),
    path(
        "appointments/<str:reference>/<str:secret>/accept/",
        booking_views.appointment_accept,
        name="appointment_accept",
    ),
]
