"""Addresses of this part of the appointments feature (included by the app's urls.py)."""

from django.urls import URLPattern, path  # noqa: F401

urlpatterns: list[URLPattern] = []
