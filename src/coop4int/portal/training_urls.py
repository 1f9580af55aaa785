"""Addresses of the public training pages (included by the portal's urls.py,
language-prefixed): the catalogue, a course, its application form and the page after it."""

from django.urls import URLPattern, path

from coop4int.portal import training_views

urlpatterns: list[URLPattern] = [
    path("training/", training_views.catalogue, name="training"),
    path("training/<slug:slug>/", training_views.course_page, name="training_course"),
    path("training/<slug:slug>/apply/", training_views.apply, name="training_apply"),
    path("training/<slug:slug>/applied/", training_views.applied, name="training_applied"),
]
