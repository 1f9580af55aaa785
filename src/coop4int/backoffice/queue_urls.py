"""Addresses of the waiting room in the back office (included by the app's urls.py)."""

from django.urls import URLPattern, path

from coop4int.backoffice import queue_views

urlpatterns: list[URLPattern] = [
    path("queue/reception/", queue_views.ReceptionView.as_view(), name="queue_reception"),
    path("queue/desk/", queue_views.DeskView.as_view(), name="queue_desk"),
    path(
        "queue/tickets/<int:ticket_id>/",
        queue_views.TicketView.as_view(),
        name="queue_ticket",
    ),
    path(
        "queue/tickets/<int:ticket_id>/<str:secret>/",
        queue_views.TicketView.as_view(),
        name="queue_ticket_print",
    ),
]
