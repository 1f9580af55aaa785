"""Addresses: see docs/architecture.md (the Migration Observatory)."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
