"""Indicators, the datasets that hold their figures (each a numbered version, imported from a
source or built from the platform's records), their observations, and the studies library.

Nothing here names a person served: observations are counts and rates, a study names its
authors as the publication does."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from coop4int.observatory.enums import (
    DEFAULT_LICENCE,
    Concept,
    DatasetOrigin,
    DatasetStatus,
    FileFormat,
    Periodicity,
    StudyStatus,
    UnitOfMeasure,
)


class Indicator(models.Model):
    code = models.CharField(_("code"), max_length=40, unique=True)
    # Per registry language: {"pt": "...", "en": "..."}; read with ``observatory.texts``.
    names = models.JSONField(_("name"), default=dict)
    definitions = models.JSONField(_("definition"), default=dict, blank=True)
    # Notes on sources and breaks in series, per language.
    notes = models.JSONField(_("notes on sources and breaks in series"), default=dict, blank=True)
    concept = models.CharField(_("concept measured"), max_length=32, choices=Concept.choices)
    unit_measure = models.CharField(
        _("unit"), max_length=8, choices=UnitOfMeasure.choices, default=UnitOfMeasure.PERSONS
    )
    decimals = models.PositiveSmallIntegerField(_("decimals shown"), default=0)
    # Dimension ids besides TIME_PERIOD that its datasets may break figures down by.
    dimensions = models.JSONField(_("dimensions"), default=list, blank=True)
    source = models.CharField(_("source"), max_length=300)
    periodicity = models.CharField(
        _("periodicity"), max_length=16, choices=Periodicity.choices, default=Periodicity.ANNUAL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self) -> str:
        return self.code


class Dataset(models.Model):
    """One version of an indicator's figures. A published version never changes: a new
    release or a correction is a new version (``version`` + 1, ``replaces`` the previous one,
    with a note), and the observations whose value changed are marked ``revised``."""

    # Stable public identifier, in addresses: "<INDICATOR>-v<version>".
    public_id = models.CharField(max_length=60, unique=True)
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="datasets", verbose_name=_("indicator")
    )
    version = models.PositiveIntegerField(_("version"))
    origin = models.CharField(
        _("origin"), max_length=16, choices=DatasetOrigin.choices, default=DatasetOrigin.IMPORTED
    )
    status = models.CharField(
        _("status"), max_length=16, choices=DatasetStatus.choices, default=DatasetStatus.DRAFT
    )
    # Provenance.
    source_name = models.CharField(_("source"), max_length=300)
    source_url = models.URLField(_("source address"), max_length=500, blank=True)
    licence = models.CharField(_("licence"), max_length=40, default=DEFAULT_LICENCE)
    retrieved_on = models.DateField(_("date retrieved"), null=True, blank=True)
    provenance_note = models.TextField(_("note on the source"), blank=True)
    # What was read: the SDMX structure (dataflow or data structure), the file's format,
    # name and digest.
    structure = models.CharField(_("SDMX structure"), max_length=200, blank=True)
    file_format = models.CharField(_("format"), max_length=16, choices=FileFormat.choices)
    file_name = models.CharField(_("file"), max_length=255, blank=True)
    file_sha256 = models.CharField(max_length=64, blank=True)
    # Dimension ids besides TIME_PERIOD, in the file's order; a key joins their values by ".".
    dimensions = models.JSONField(_("dimensions"), default=list)
    observation_count = models.PositiveIntegerField(_("observations"), default=0)
    period_start = models.CharField(_("first period"), max_length=20, blank=True)
    period_end = models.CharField(_("last period"), max_length=20, blank=True)
    # For a table built from the platform's records: the quarter it covers ("2026-Q3").
    quarter = models.CharField(_("quarter"), max_length=8, blank=True)
    replaces = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaced_by",
        verbose_name=_("replaces"),
    )
    revision_note = models.TextField(_("what changed"), blank=True)
    revised_count = models.PositiveIntegerField(_("revised observations"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("imported"), auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    class Meta:
        ordering = ["indicator__code", "-version"]
        verbose_name = _("dataset")
        verbose_name_plural = _("datasets")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "version"], name="observatory_dataset_version"
            ),
            # One version of an indicator is the current one.
            models.UniqueConstraint(
                fields=["indicator"],
                condition=Q(status=DatasetStatus.PUBLISHED),
                name="observatory_one_current_version",
            ),
        ]

    def __str__(self) -> str:
        return self.public_id


class Observation(models.Model):
    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="observations")
    period = models.CharField(max_length=20)
    # The values of the dataset's dimensions in their order, joined by "." (an SDMX series key).
    key = models.CharField(max_length=400)
    # Empty when missing or withheld (a confidentiality status in ``enums.WITHHELD``).
    value = models.FloatField(null=True, blank=True)
    obs_status = models.CharField(max_length=2, blank=True)
    conf_status = models.CharField(max_length=2, blank=True)
    # The value differs from the one the previous published version gave for the same key.
    revised = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["dataset", "key", "period"], name="observatory_one_value_per_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.key} {self.period}"


class Study(models.Model):
    slug = models.SlugField(_("short name"), max_length=100, unique=True)
    title = models.CharField(_("title"), max_length=300)
    authors = models.CharField(_("authors"), max_length=500)
    published_on = models.DateField(_("date of publication"))
    language = models.CharField(_("language"), max_length=10)
    abstract = models.TextField(_("abstract"))
    topics = models.ManyToManyField(
        "directory.TaxonomyTerm", blank=True, related_name="studies", verbose_name=_("topics")
    )
    licence = models.CharField(_("licence"), max_length=40, default=DEFAULT_LICENCE)
    file = models.FileField(_("PDF file"), upload_to="observatory/studies/%Y/")
    file_size = models.PositiveIntegerField(default=0)
    file_sha256 = models.CharField(max_length=64, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=StudyStatus.choices, default=StudyStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-published_on", "title"]
        verbose_name = _("study")
        verbose_name_plural = _("studies")

    def __str__(self) -> str:
        return self.title
