"""Addresses of this part of the appointments feature (included by the app's urls.py): the
waiting room's screen and its feed, and a person's ticket."""

from django.urls import URLPattern, path

from coop4int.portal import queue_views

urlpatterns: list[URLPattern] = [
    path("queue/display/<uuid:location_id>/", queue_views.display, name="queue_display"),
    path(
        "queue/display/<uuid:location_id>/feed/",
        queue_views.display_feed,
        name="queue_display_feed",
    ),
    path(
        "queue/ticket/<int:ticket_id>/<str:secret>/",
        queue_views.ticket_page,
        name="queue_ticket",
    ),
]
