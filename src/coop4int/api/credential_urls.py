"""The certificates' machine addresses under /credentials/ (namespace ``credentials``): the
issuer profile with its public keys, each credential as a VC-JWT, and the status lists."""

from django.urls import URLPattern, path

from coop4int.api import credential_views

app_name = "credentials"

urlpatterns: list[URLPattern] = [
    path("issuer", credential_views.issuer, name="credential_issuer"),
    path("status/<int:list_id>", credential_views.status_list, name="status_list"),
    path("<str:certificate_id>", credential_views.credential, name="credential"),
]
