"""Addresses of the analysts' pages of the studies library (included by the back office's
urls.py, under /staff/): the list, adding a study, a study's page. See docs/architecture.md
(the Migration Observatory)."""

from django.urls import URLPattern, URLResolver, path

from coop4int.backoffice import study_views as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("observatory/studies/", views.StudyListView.as_view(), name="studies"),
    path("observatory/studies/new/", views.NewStudyView.as_view(), name="study_new"),
    path("observatory/studies/<slug:slug>/", views.StudyView.as_view(), name="study"),
]
