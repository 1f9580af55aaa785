from django.urls import path

from coop4int.portal import directory_views, views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("directory/", directory_views.directory_list, name="directory"),
    path("directory/<uuid:sal_id>/", directory_views.directory_detail, name="directory_detail"),
    path("directory/leaflet/<slug:unit_slug>/", directory_views.leaflet, name="leaflet"),
]
