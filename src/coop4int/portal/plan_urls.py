"""Addresses of local integration plans' public pages (included by the portal's urls.py,
language-prefixed): the plans, one plan, its comment form and the page after it."""

from django.urls import URLPattern, URLResolver, path

from coop4int.portal import plan_views

urlpatterns: list[URLPattern | URLResolver] = [
    path("plans/", plan_views.plan_list, name="plans"),
    path("plans/<slug:slug>/", plan_views.plan_page, name="plan"),
    path("plans/<slug:slug>/comment/", plan_views.comment, name="plan_comment"),
    path("plans/<slug:slug>/comment/sent/", plan_views.comment_sent, name="plan_comment_sent"),
]
