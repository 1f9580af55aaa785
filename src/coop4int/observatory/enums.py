"""The words of the observatory: what an indicator measures, how often, in which unit, the
dimensions a figure is broken down by, and the states of a dataset."""

import re
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Concept(models.TextChoices):
    """What is counted. Foreign nationals, the foreign-born and an international migrant stock
    are different concepts (a naturalised citizen born abroad is foreign-born, not foreign; a
    child born in the country to foreign parents is foreign, not foreign-born; UN DESA's
    migrant stock is the foreign-born, or foreign nationals where birthplace is not known):
    indicators of different concepts are never compared on one chart."""

    RESIDENT_POPULATION = "resident_population", _("Resident population")
    FOREIGN_NATIONALS = "foreign_nationals", _("Foreign nationals (citizenship)")
    FOREIGN_BORN = "foreign_born", _("Foreign-born (country of birth)")
    MIGRANT_STOCK = "migrant_stock", _("International migrant stock (UN DESA)")
    PLATFORM_ACTIVITY = "platform_activity", _("Work of the support network (platform records)")
    OTHER = "other", _("Other")


class Periodicity(models.TextChoices):
    DECENNIAL = "decennial", _("Every ten years (census)")
    QUINQUENNIAL = "quinquennial", _("Every five years")
    ANNUAL = "annual", _("Every year")
    QUARTERLY = "quarterly", _("Every quarter")
    IRREGULAR = "irregular", _("Irregular")


class UnitOfMeasure(models.TextChoices):
    """SDMX ``UNIT_MEASURE`` codes where one exists."""

    PERSONS = "PS", pgettext_lazy("unit of measure", "persons")
    PERCENT = "PT", pgettext_lazy("unit of measure", "percent")
    NUMBER = "NR", pgettext_lazy("unit of measure", "number")
    DAYS = "DAYS", pgettext_lazy("unit of measure", "days")
    HOURS = "HOURS", pgettext_lazy("unit of measure", "hours")


class DatasetOrigin(models.TextChoices):
    IMPORTED = "imported", _("Imported from a source")
    PLATFORM = "platform", _("Built from the platform's records")


class DatasetStatus(models.TextChoices):
    DRAFT = "draft", _("Draft, to be reviewed")
    PUBLISHED = "published", _("Published")
    SUPERSEDED = "superseded", _("Published, replaced by a newer version")
    DISCARDED = "discarded", _("Discarded without publication")


# The versions anyone may read and download.
PUBLIC_STATUSES = (DatasetStatus.PUBLISHED, DatasetStatus.SUPERSEDED)


class FileFormat(models.TextChoices):
    SDMX_CSV = "sdmx-csv", _("SDMX-CSV (1.0 or 2.0)")
    CSV = "csv", _("CSV described by a Frictionless Table Schema")


class Dimension(models.TextChoices):
    """The dimensions the platform knows by name (SDMX concept ids); a file may bring others,
    any SDMX id (``DIMENSION_ID``), shown by their code."""

    TIME_PERIOD = "TIME_PERIOD", _("Period")
    SEX = "SEX", _("Sex")
    AGE = "AGE", _("Age group")
    NATIONALITY = "CITIZENSHIP", _("Nationality")
    COUNTRY_OF_BIRTH = "COUNTRY_BIRTH", _("Country of birth")
    ISLAND = "ISLAND", _("Island")
    MUNICIPALITY = "MUNICIPALITY", _("Municipality")
    UNIT = "UNIT", _("Local support unit")
    CHANNEL = "CHANNEL", _("Channel")
    TOPIC = "TOPIC", _("Topic")
    SERVICE = "SERVICE", _("Service")
    COURSE = "COURSE", _("Course")
    MEASURE = "MEASURE", _("Measure")


# SDMX identifiers: a letter, then letters, digits, "_", "@", "$" or "-" (SDMX 2.1 IDType
# allows these; no "." — it separates the parts of a series key).
DIMENSION_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_@$-]{0,49}$")
CODE_VALUE = re.compile(r"^[A-Za-z0-9_@$-]{1,80}$")
INDICATOR_CODE = re.compile(r"^[A-Z][A-Z0-9_]{1,39}$")

# The total over a dimension (SDMX's code for "all values").
TOTAL = "_T"

# Attributes kept with each observation.
OBS_STATUS = "OBS_STATUS"
CONF_STATUS = "CONF_STATUS"
OBS_VALUE = "OBS_VALUE"


class ObsStatus(models.TextChoices):
    """SDMX code list CL_OBS_STATUS (the codes shown to readers)."""

    NORMAL = "A", _("Normal value")
    BREAK = "B", _("Break in the series")
    DEFINITION_DIFFERS = "D", _("Definition differs")
    ESTIMATED = "E", _("Estimated value")
    FORECAST = "F", _("Forecast")
    EXPERIMENTAL = "G", _("Experimental value")
    IMPUTED = "I", _("Imputed value")
    MISSING = "M", _("Missing value: cannot exist")
    NOT_SIGNIFICANT = "N", _("Not significant")
    MISSING_OTHER = "O", _("Missing value")
    PROVISIONAL = "P", _("Provisional value")
    SUPPRESSED = "Q", _("Missing value: suppressed")
    LOW_RELIABILITY = "U", _("Low reliability")
    UNVALIDATED = "V", _("Unvalidated value")


class ConfStatus(models.TextChoices):
    """SDMX code list CL_CONF_STATUS."""

    FREE = "F", _("Free")
    CONFIDENTIAL = "C", _("Confidential: not published")
    SECONDARY = "D", _("Secondary confidentiality")
    SMALL_COUNTS = "A", _("Confidential: small counts")
    NOT_FOR_PUBLICATION = "N", _("Not for publication")
    SECONDARY_RECEIVER = "S", _("Secondary confidentiality set by the receiver")


# A value whose confidentiality status is one of these is never published, whatever the file
# holds: it is stored empty.
WITHHELD = frozenset({"C", "D", "A", "N", "S"})


class StudyStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# Licences offered for datasets and studies (SPDX identifiers), CC BY 4.0 by default.
LICENCES = {
    "CC-BY-4.0": (
        "Creative Commons Attribution 4.0",
        "https://creativecommons.org/licenses/by/4.0/",
    ),
    "CC-BY-SA-4.0": (
        "Creative Commons Attribution-ShareAlike 4.0",
        "https://creativecommons.org/licenses/by-sa/4.0/",
    ),
    "CC-BY-3.0-IGO": (
        "Creative Commons Attribution 3.0 IGO",
        "https://creativecommons.org/licenses/by/3.0/igo/",
    ),
    "CC0-1.0": ("Creative Commons Zero 1.0", "https://creativecommons.org/publicdomain/zero/1.0/"),
    "ODbL-1.0": (
        "Open Data Commons Open Database License 1.0",
        "https://opendatacommons.org/licenses/odbl/1-0/",
    ),
    "other": (_("Other: see the source"), ""),
}
DEFAULT_LICENCE = "CC-BY-4.0"


@dataclass(frozen=True, slots=True)
class Licence:
    code: str
    name: str
    url: str
    """Empty for a licence the source sets ("other", or a code not in ``LICENCES``)."""

    @property
    def lang(self) -> str:
        """The open licences' names are their own (English) names."""
        return "en" if self.url else ""


def licence(code: str) -> Licence:
    """The licence ``code`` names, in the active language; an unknown code stands for itself."""
    name, url = LICENCES.get(code, (code, ""))
    return Licence(code=code, name=str(name), url=url)


def licence_choices() -> list[tuple[str, str]]:
    return [(code, str(name)) for code, (name, _url) in LICENCES.items()]
