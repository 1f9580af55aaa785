"""Addresses of this part of the training feature (included by the app's urls.py)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
