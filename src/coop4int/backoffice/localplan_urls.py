"""Addresses of local integration plans' pages (docs/architecture.md, local integration plans),
all under ``plans/``: the list, a new plan, importing one, the intervention areas, a plan's page,
its editor, its measures and its export."""

from django.urls import URLPattern, URLResolver, path

from coop4int.backoffice import localplan_views as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("plans/", views.PlanListView.as_view(), name="plans"),
    path("plans/new/", views.NewPlanView.as_view(), name="plan_new"),
    path("plans/import/", views.PlanImportView.as_view(), name="plan_import"),
    path("plans/areas/", views.PlanAreasView.as_view(), name="plan_areas"),
    path("plans/<slug:slug>/", views.PlanView.as_view(), name="plan"),
    path("plans/<slug:slug>/edit/", views.PlanEditView.as_view(), name="plan_edit"),
    path(
        "plans/<slug:slug>/measures/new/",
        views.NewMeasureView.as_view(),
        name="plan_measure_new",
    ),
    path(
        "plans/<slug:slug>/measures/<str:code>/",
        views.MeasureView.as_view(),
        name="plan_measure",
    ),
    path(
        "plans/<slug:slug>/export/<str:fmt>/",
        views.PlanExportView.as_view(),
        name="plan_export",
    ),
]
