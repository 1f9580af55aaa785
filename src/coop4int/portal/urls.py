from django.urls import path

from coop4int.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
]
