"""Addresses of local integration plans' pages (docs/architecture.md, local integration plans)."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
