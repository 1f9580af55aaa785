"""The observatory's open data under ``/opendata/`` (no account, any origin may read it):

- ``catalog.jsonld``: the DCAT-AP catalogue (``application/ld+json``), kept by caches for
  ``CATALOG_MAX_AGE`` seconds, its ETag the time of the latest publication;
- ``datasets/<public_id>.sdmx.csv``: a public dataset version as SDMX-CSV 2.0;
- ``datasets/<public_id>.csv``: the same as plain CSV, described by
- ``datasets/<public_id>/datapackage.json``: its Frictionless Data Package.

A published version never changes (a correction is a new version), so its files are kept by
any cache for a day and marked immutable, with an ETag and Last-Modified from its publication:
a client asking again with ``If-None-Match`` or ``If-Modified-Since`` gets ``304`` (Django's
``condition``). The CSV files are streamed from the database. Only published and superseded
versions are served; a draft, a discarded version or an unknown id is ``404``.

These answers are for anybody, so they are compressed (``core.compression``) and keep their
public caching — except for a logged-in member of staff, whose every response
``core.middleware.PersonalPagesMiddleware`` marks ``private, no-store``.
"""

import hashlib
import json
from collections.abc import Callable, Iterator
from datetime import datetime
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    StreamingHttpResponse,
)
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import condition

from coop4int.api.public_reads import View, problem, public_read
from coop4int.observatory import enums, opendata
from coop4int.observatory.domain.queries import get_public_dataset
from coop4int.observatory.models import Dataset

JSON_LD = "application/ld+json"
SDMX_CSV = opendata.SDMX_CSV_MEDIA_TYPE
CSV = "text/csv; charset=utf-8; header=present"
JSON = "application/json; charset=utf-8"
# A published version never changes: caches keep its files a day without asking again.
DATASET_MAX_AGE = 24 * 60 * 60
# The catalogue changes when something is published: caches ask again after five minutes.
CATALOG_MAX_AGE = 5 * 60
# Part of every ETag: changed when what the writers produce changes, so that no cache keeps
# a file written the old way.
WRITER_VERSION = "1"

CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
    "Access-Control-Allow-Headers": "Accept, If-None-Match, If-Modified-Since",
    "Access-Control-Expose-Headers": "ETag, Content-Disposition",
    "Access-Control-Max-Age": "86400",
}


def open_data(*, max_age: int, immutable: bool = False) -> Callable[[View], View]:
    """A public read (``api.public_reads``) whose successful answer — a file or ``304 Not
    Modified`` — public caches keep for ``max_age`` seconds; a missing dataset a JSON ``404``
    that no cache keeps."""

    def decorator(view: View) -> View:
        @wraps(view)
        def answered(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            try:
                response = view(request, *args, **kwargs)
            except Http404:
                return problem(_("No such dataset is published."), 404)
            if response.status_code in (200, 304):
                patch_cache_control(response, public=True, max_age=max_age)
                if immutable:
                    patch_cache_control(response, immutable=True)
            return response

        return public_read(cors=CORS_HEADERS)(answered)

    return decorator


def _base_url() -> str:
    """Addresses in the files are the platform's public one, whatever host the request named:
    identifiers in a catalogue must not change with the way it was reached."""
    return str(settings.PUBLIC_URL).rstrip("/")


def _published_at(public_id: str) -> datetime | None:
    published_at: datetime | None = (
        Dataset.objects.filter(public_id=public_id, status__in=enums.PUBLIC_STATUSES)
        .values_list("published_at", flat=True)
        .first()
    )
    return published_at


def _settings_digest() -> str:
    """What the files take from the settings besides the data: the public address and the
    publisher (a change of either is a new ETag)."""
    named = "|".join(
        (_base_url(), settings.OPENDATA_PUBLISHER_NAME, settings.OPENDATA_PUBLISHER_URL)
    )
    return hashlib.sha256(named.encode()).hexdigest()[:12]


def _dataset_etag(request: HttpRequest, public_id: str) -> str | None:
    published_at = _published_at(public_id)
    if published_at is None:
        return None
    stamp = int(published_at.timestamp())
    return f"{public_id}-{stamp}-{_settings_digest()}-w{WRITER_VERSION}"


def _dataset_last_modified(request: HttpRequest, public_id: str) -> datetime | None:
    return _published_at(public_id)


def _catalog_etag(request: HttpRequest) -> str:
    modified = opendata.catalog_modified()
    stamp = int(modified.timestamp()) if modified else 0
    return f"catalog-{stamp}-{_settings_digest()}-w{WRITER_VERSION}"


def _catalog_last_modified(request: HttpRequest) -> datetime | None:
    return opendata.catalog_modified()


def _attachment(response: HttpResponseBase, name: str) -> None:
    response["Content-Disposition"] = f'attachment; filename="{name}"'


def _encoded(chunks: Iterator[str]) -> Iterator[bytes]:
    for chunk in chunks:
        yield chunk.encode("utf-8")


@open_data(max_age=CATALOG_MAX_AGE)
@condition(etag_func=_catalog_etag, last_modified_func=_catalog_last_modified)
def catalog(request: HttpRequest) -> HttpResponseBase:
    document = opendata.dcat_catalog(base_url=_base_url())
    return HttpResponse(json.dumps(document, ensure_ascii=False, indent=2), content_type=JSON_LD)


@open_data(max_age=DATASET_MAX_AGE, immutable=True)
@condition(etag_func=_dataset_etag, last_modified_func=_dataset_last_modified)
def dataset_sdmx_csv(request: HttpRequest, public_id: str) -> HttpResponseBase:
    dataset = get_public_dataset(public_id)
    response = StreamingHttpResponse(
        _encoded(opendata.sdmx_csv_chunks(dataset)), content_type=SDMX_CSV
    )
    _attachment(response, opendata.file_name(dataset, "sdmx.csv"))
    return response


@open_data(max_age=DATASET_MAX_AGE, immutable=True)
@condition(etag_func=_dataset_etag, last_modified_func=_dataset_last_modified)
def dataset_csv(request: HttpRequest, public_id: str) -> HttpResponseBase:
    dataset = get_public_dataset(public_id)
    response = StreamingHttpResponse(_encoded(opendata.csv_chunks(dataset)), content_type=CSV)
    _attachment(response, opendata.file_name(dataset, "csv"))
    return response


@open_data(max_age=DATASET_MAX_AGE, immutable=True)
@condition(etag_func=_dataset_etag, last_modified_func=_dataset_last_modified)
def data_package(request: HttpRequest, public_id: str) -> HttpResponseBase:
    dataset = get_public_dataset(public_id)
    package = opendata.data_package(dataset, base_url=_base_url())
    return HttpResponse(json.dumps(package, ensure_ascii=False, indent=2), content_type=JSON)
