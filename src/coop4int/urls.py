from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path

from coop4int.accounts.views import set_language_view
from coop4int.core.views import health_view, manifest, service_worker

urlpatterns = [
    path("health/", health_view, name="health"),
    path("sw.js", service_worker, name="service_worker"),
    path("manifest.webmanifest", manifest, name="manifest"),
    path("hsds/", include("coop4int.api.hsds_urls")),
    path("api/v1/", include("coop4int.api.v1_urls")),
    path("credentials/", include("coop4int.api.credential_urls")),
    path("opendata/", include("coop4int.api.opendata_urls")),
    path("hooks/", include("coop4int.channels.urls")),
    path("i18n/setlang/", set_language_view, name="set_language"),
    path("staff/", include("coop4int.accounts.urls")),
    path("staff/", include("coop4int.backoffice.urls")),
]

# Public pages carry their language in the address: /pt/, /kea/, /en/, /fr/.
urlpatterns += i18n_patterns(
    path("", include("coop4int.portal.urls")),
    prefix_default_language=True,
)
