"""MEDIA_STORAGE_URL: empty keeps uploads in the data directory; s3://… puts them in a bucket."""

import re

import pytest
from django.core.exceptions import ImproperlyConfigured

from coop4int.core.media_storage import FILESYSTEM, S3, media_storage


def test_no_address_keeps_uploads_in_the_data_directory():
    assert media_storage("") == {"BACKEND": FILESYSTEM}
    assert media_storage("  ") == {"BACKEND": FILESYSTEM}


def test_an_s3_address_names_the_bucket_prefix_and_endpoint():
    storage = media_storage(
        "s3://coop4int-media/uploads/?endpoint_url=https://s3.example.org"
        "&region_name=eu-west-1&addressing_style=path"
    )

    assert storage["BACKEND"] == S3
    assert storage["OPTIONS"] == {
        "bucket_name": "coop4int-media",
        "location": "uploads",
        "endpoint_url": "https://s3.example.org",
        "region_name": "eu-west-1",
        "addressing_style": "path",
        "file_overwrite": False,
        "default_acl": None,
        "querystring_auth": True,
        "querystring_expire": 300,
    }


def test_a_bare_bucket_has_no_prefix_and_leaves_the_rest_to_the_aws_defaults():
    options = media_storage("s3://media")["OPTIONS"]

    assert options["bucket_name"] == "media"
    assert options["location"] == ""
    assert "endpoint_url" not in options
    assert "access_key" not in options  # keys come from AWS_ACCESS_KEY_ID / the machine


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("file:///srv/media", "must start with s3://"),
        ("https://s3.example.org/media", "must start with s3://"),
        ("s3://KEY:SECRET@media", "must not hold keys"),
        ("s3:///uploads", "names no bucket"),
        ("s3://media?endpoint=https://s3.example.org", "unknown option(s) endpoint"),
        ("s3://media?addressing_style=sideways", "addressing_style is one of"),
    ],
)
def test_a_wrong_address_stops_start_up_with_the_reason(url, reason):
    with pytest.raises(ImproperlyConfigured, match=re.escape(reason)):
        media_storage(url)
