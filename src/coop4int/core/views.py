from pathlib import Path

from csp.decorators import csp
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


# The worker's own policy (a worker is held to the policy it is served with, not the page's):
# it fetches from this site and nothing else, and loads no script.
WORKER_POLICY = {"default-src": ["'none'"], "connect-src": ["'self'"]}


@require_GET
@csp(WORKER_POLICY)
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker, served from the site's root so that it may keep public pages; as
    JavaScript, never sniffed as anything else (``X-Content-Type-Options``), and checked for a
    new version on every visit (``no-cache``)."""
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
