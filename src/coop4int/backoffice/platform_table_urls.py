"""Addresses: see docs/architecture.md (the Migration Observatory)."""

from django.urls import URLPattern, URLResolver, path

from coop4int.backoffice import platform_table_views

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "observatory/platform/",
        platform_table_views.PlatformTablesView.as_view(),
        name="platform_tables",
    ),
]
