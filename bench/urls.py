from pathlib import Path

from django.http import HttpRequest, HttpResponse
from django.urls import path

from coop4int.urls import urlpatterns as platform_urls

# The bytes of the cached directory page, saved by bench/directory_load.py before the run.
SNAPSHOT = Path(__file__).resolve().parent.parent / "var" / "bench" / "directory.html"


def bare(request: HttpRequest) -> HttpResponse:
    """Returns the same bytes as the directory page, doing nothing else."""
    return HttpResponse(SNAPSHOT.read_bytes())


urlpatterns = [path("bench/bare/", bare), *platform_urls]
