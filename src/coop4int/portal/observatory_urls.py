"""Addresses of the Migration Observatory's public pages (included by the portal's urls.py,
language-prefixed): the indicators, and one indicator's page. The studies are in
``study_urls``; the open data, not language-prefixed, in ``api.opendata_urls``."""

from django.urls import URLPattern, URLResolver, path

from coop4int.portal import observatory_views

urlpatterns: list[URLPattern | URLResolver] = [
    path("observatory/", observatory_views.observatory, name="observatory"),
    path("observatory/indicators/<str:code>/", observatory_views.indicator, name="indicator"),
]
