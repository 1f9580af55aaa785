"""Webhooks of the outside world, mounted under /hooks/ (no language prefix)."""

from django.urls import path

from coop4int.channels import views

app_name = "channels"

urlpatterns = [
    path("messaging/<slug:provider>/", views.inbound_message, name="messaging_webhook"),
]
