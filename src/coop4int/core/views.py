from pathlib import Path

from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from coop4int.core import health


@never_cache
@require_GET
def health_view(request: HttpRequest) -> JsonResponse:
    healthy, checks = health.report()
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": checks},
        status=200 if healthy else 503,
    )


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker, served from the site's root so that it may keep public pages."""
    path = finders.find("coop4int/sw.js")
    body = Path(str(path)).read_text(encoding="utf-8") if path else ""
    response = HttpResponse(body, content_type="application/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def manifest(request: HttpRequest) -> JsonResponse:
    """The web app manifest: the portal can be installed on a phone's home screen."""
    return JsonResponse(
        {
            "name": "Coop4Int",
            "short_name": "Coop4Int",
            "start_url": "/",
            "scope": "/",
            "display": "standalone",
            "background_color": "#ffffff",
            "theme_color": "#00507a",
            "icons": [
                {"src": static("coop4int/icon.svg"), "sizes": "any", "type": "image/svg+xml"}
            ],
        },
        content_type="application/manifest+json",
    )
