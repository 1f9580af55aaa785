"""Feedback keeps the page it came from by route, and by address only when every part of the
address is public. Rows stored before kept the address as sent, which for a person's tracking
page (``/<language>/follow/<reference>/<secret>/``) holds the secret that opens their request:
they are rewritten here, and cannot be restored."""

from urllib.parse import urlsplit

from django.conf import settings
from django.db import migrations, models
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils import translation
from django.utils.translation import get_language_from_path

# A frozen copy of ``content.domain.feedback.PUBLIC_PARTS`` as it was when this migration was
# written: a migration must not change when the application does. A route missing here, or
# one that no longer resolves, loses its address — the safe side.
PUBLIC_PARTS = {
    "portal:info_detail": {"slug"},
    "portal:info_in_language": {"slug", "content_language"},
    "portal:info_download": {"slug", "attachment_id"},
    "portal:directory_detail": {"sal_id"},
    "portal:leaflet": {"unit_slug"},
}


def public_source(address: str) -> tuple[str, str]:
    """(route, public address) of ``address``; empty strings for what cannot be kept."""
    parts = urlsplit(address)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return "", ""
    language = get_language_from_path(parts.path) or settings.LANGUAGE_CODE
    with translation.override(language):
        try:
            match = resolve(parts.path)
        except Resolver404:
            return "", ""
        route = match.view_name if match.url_name else ""
        if not route or match.args or not set(match.kwargs) <= PUBLIC_PARTS.get(route, set()):
            return route, ""
        try:
            page = reverse(route, kwargs=match.kwargs)
        except NoReverseMatch:
            return route, ""
    return route, page if len(page) <= 500 else ""


def clean_sources(apps, schema_editor):
    Feedback = apps.get_model("content", "Feedback")
    for feedback in Feedback.objects.only("pk", "route", "page").iterator():
        route, page = public_source(feedback.page)
        if (route, page) != (feedback.route, feedback.page):
            feedback.route, feedback.page = route, page
            feedback.save(update_fields=["route", "page"])


class Migration(migrations.Migration):
    dependencies = [
        ("content", "0004_campaigns"),
    ]

    operations = [
        migrations.AddField(
            model_name="feedback",
            name="route",
            field=models.CharField(blank=True, max_length=100, verbose_name="kind of page"),
        ),
        migrations.AlterField(
            model_name="feedback",
            name="page",
            field=models.CharField(blank=True, max_length=500, verbose_name="page"),
        ),
        # Forwards only: the secrets removed are not to be put back.
        migrations.RunPython(clean_sources, migrations.RunPython.noop, elidable=False),
    ]
