"""Where uploaded files are kept: the data directory, or one S3 bucket that every app server
reaches (``MEDIA_STORAGE_URL``), so that a file uploaded through one server is served by any.

    MEDIA_STORAGE_URL=s3://BUCKET[/PREFIX]?endpoint_url=https://s3.example.org&region_name=…

The keys are never part of the address (it ends up in process listings and logs): they come
from ``AWS_ACCESS_KEY_ID`` and ``AWS_SECRET_ACCESS_KEY``, or from the machine's role.
"""

from typing import Any
from urllib.parse import parse_qsl, urlsplit

from django.core.exceptions import ImproperlyConfigured

FILESYSTEM = "django.core.files.storage.FileSystemStorage"
S3 = "storages.backends.s3.S3Storage"

# What the address may say; everything else about the bucket is fixed below.
S3_OPTIONS = ("endpoint_url", "region_name", "addressing_style")
ADDRESSING_STYLES = ("auto", "path", "virtual")


def media_storage(url: str) -> dict[str, Any]:
    """The ``STORAGES["default"]`` entry for ``url``; the data directory when it is empty.

    Raises ImproperlyConfigured, naming what is wrong, for any other address."""
    url = url.strip()
    if not url:
        return {"BACKEND": FILESYSTEM}
    parts = urlsplit(url)
    if parts.scheme != "s3":
        raise ImproperlyConfigured(
            f"MEDIA_STORAGE_URL must start with s3:// (or be empty for the data directory), "
            f"not {parts.scheme or 'nothing'}://."
        )
    if parts.username or parts.password:
        raise ImproperlyConfigured(
            "MEDIA_STORAGE_URL must not hold keys: set AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY instead."
        )
    bucket = parts.hostname or ""
    if not bucket:
        raise ImproperlyConfigured("MEDIA_STORAGE_URL names no bucket: s3://BUCKET/….")
    query = parse_qsl(parts.query, keep_blank_values=True, strict_parsing=False)
    unknown = sorted({name for name, _value in query} - set(S3_OPTIONS))
    if unknown:
        raise ImproperlyConfigured(
            f"MEDIA_STORAGE_URL: unknown option(s) {', '.join(unknown)}; "
            f"known: {', '.join(S3_OPTIONS)}."
        )
    chosen = {name: value for name, value in query if value}
    style = chosen.get("addressing_style")
    if style is not None and style not in ADDRESSING_STYLES:
        raise ImproperlyConfigured(
            f"MEDIA_STORAGE_URL: addressing_style is one of {', '.join(ADDRESSING_STYLES)}."
        )
    return {
        "BACKEND": S3,
        "OPTIONS": {
            "bucket_name": bucket,
            "location": parts.path.strip("/"),
            **chosen,
            # A new upload never replaces an older one that happens to have the same name:
            # the bucket gets a free name, as the data directory does.
            "file_overwrite": False,
            # Objects take the bucket's own (private) access; files reach people only through
            # the platform's views, which check who may have them.
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": 300,
        },
    }
