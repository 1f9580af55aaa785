"""The certificates' machine addresses under /credentials/ (namespace ``credentials``): the
issuer profile with its public keys, each credential as a VC-JWT, and the status lists."""

from django.urls import URLPattern

app_name = "credentials"

urlpatterns: list[URLPattern] = []
