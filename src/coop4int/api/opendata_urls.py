"""The observatory's open data under /opendata/ (plain URL names, no namespace): the DCAT-AP
catalogue and each public dataset version as SDMX-CSV 2.0, CSV and a Frictionless Data
Package (``api.opendata_views``). A version's address is stable: ``<INDICATOR>-v<version>``."""

from django.urls import URLPattern, URLResolver, re_path

from coop4int.api import opendata_views

# A dataset's public id: an indicator code, "-v", the version (``Dataset.public_id``).
PUBLIC_ID = r"(?P<public_id>[A-Z][A-Z0-9_]{1,39}-v[1-9][0-9]{0,8})"

urlpatterns: list[URLPattern | URLResolver] = [
    re_path(r"^catalog\.jsonld$", opendata_views.catalog, name="opendata_catalog"),
    re_path(
        rf"^datasets/{PUBLIC_ID}\.sdmx\.csv$",
        opendata_views.dataset_sdmx_csv,
        name="opendata_dataset_sdmx",
    ),
    re_path(
        rf"^datasets/{PUBLIC_ID}\.csv$", opendata_views.dataset_csv, name="opendata_dataset_csv"
    ),
    re_path(
        rf"^datasets/{PUBLIC_ID}/datapackage\.json$",
        opendata_views.data_package,
        name="opendata_datapackage",
    ),
]
