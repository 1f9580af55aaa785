from django.urls import URLPattern

app_name = "hsds"

urlpatterns: list[URLPattern] = []
