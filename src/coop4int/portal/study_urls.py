"""Addresses of the observatory's library of studies (included by the portal's urls.py,
language-prefixed): the list, a study's page and its PDF. See docs/architecture.md (the
Migration Observatory)."""

from django.urls import URLPattern, URLResolver, path

from coop4int.portal import study_views

urlpatterns: list[URLPattern | URLResolver] = [
    path("observatory/studies/", study_views.study_list, name="studies"),
    path("observatory/studies/<slug:slug>/", study_views.study_page, name="study"),
    path("observatory/studies/<slug:slug>/file/", study_views.study_file, name="study_file"),
]
