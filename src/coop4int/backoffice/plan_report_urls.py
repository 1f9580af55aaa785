"""Addresses of a local integration plan's monitoring pages (included by the back office's
urls.py, under /staff/): its semester reports, one report, the evaluation, the public's
comments, the change history and the printable summary. See docs/architecture.md (local
integration plans)."""

from django.urls import URLPattern, URLResolver, path

from coop4int.backoffice import plan_report_views as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("plans/<slug:slug>/reports/", views.ReportListView.as_view(), name="plan_reports"),
    path(
        "plans/<slug:slug>/reports/<int:year>-<int:semester>/",
        views.ReportView.as_view(),
        name="plan_report",
    ),
    path("plans/<slug:slug>/evaluation/", views.EvaluationView.as_view(), name="plan_evaluation"),
    path("plans/<slug:slug>/comments/", views.CommentsView.as_view(), name="plan_comments"),
    path("plans/<slug:slug>/history/", views.HistoryView.as_view(), name="plan_history"),
    path("plans/<slug:slug>/print/", views.PrintView.as_view(), name="plan_print"),
]
