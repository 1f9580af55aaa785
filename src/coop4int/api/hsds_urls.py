"""The HSDS API under /hsds/. HSDS paths have no trailing slash; one is accepted too."""

from django.urls import URLPattern, re_path

from coop4int.api import hsds_views as views

app_name = "hsds"

_ID = r"(?P<id>[^/]+)"

urlpatterns: list[URLPattern] = [
    re_path(r"^$", views.RootView.as_view(), name="root"),
    re_path(r"^services/?$", views.ServiceListView.as_view(), name="services"),
    re_path(rf"^services/{_ID}/?$", views.ServiceDetailView.as_view(), name="service"),
    re_path(
        r"^service_at_locations/?$",
        views.ServiceAtLocationListView.as_view(),
        name="service_at_locations",
    ),
    re_path(
        rf"^service_at_locations/{_ID}/?$",
        views.ServiceAtLocationDetailView.as_view(),
        name="service_at_location",
    ),
    re_path(r"^organizations/?$", views.OrganizationListView.as_view(), name="organizations"),
    re_path(
        rf"^organizations/{_ID}/?$", views.OrganizationDetailView.as_view(), name="organization"
    ),
    re_path(r"^taxonomies/?$", views.TaxonomyListView.as_view(), name="taxonomies"),
    re_path(rf"^taxonomies/{_ID}/?$", views.TaxonomyDetailView.as_view(), name="taxonomy"),
    re_path(r"^taxonomy_terms/?$", views.TaxonomyTermListView.as_view(), name="taxonomy_terms"),
    re_path(
        rf"^taxonomy_terms/{_ID}/?$", views.TaxonomyTermDetailView.as_view(), name="taxonomy_term"
    ),
    re_path(r"^(?P<path>.*)$", views.NotFoundView.as_view(), name="not_found"),
]
