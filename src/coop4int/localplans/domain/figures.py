"""The figures a plan reads from elsewhere: its diagnosis from the observatory, the values of
its indicators that come from the observatory or from the platform's own records, and what the
services, campaigns and courses its measures point to delivered.

Rules a reader can rely on:

- A plan's place is its municipalities (ISO 3166-2:CV codes). A record of the platform is in a
  municipality when the unit it belongs to — a case's unit, the unit keeping the service an
  appointment was at, the unit running a course — has a ``municipality`` that
  ``observatory.geography.municipality_code`` maps to that code.
- Every count of people's records (cases opened, appointments attended, people trained) counts
  only the people who agreed to the use of their data in statistics, as the observatory's
  platform tables do (``cases.domain.statistics.consenting``), and is published through the
  support desk's disclosure control: keyed by its records (``Keys``), randomly rounded to a
  multiple of ``settings.STATISTICS_SMALL_CELL`` (``round_count``), a count that rounds to 0
  withheld (``None``, read "fewer than 5"). The same records asked for the same figure always
  round alike, so asking again tells nothing more.
- Information campaigns are no people's records: each one counted is itself published on the
  public site, so their number is given exactly.
- An observatory figure is one the source published, never added up here: a plan covering
  several municipalities reads the value of a series that names its municipality, and a
  withheld figure is no value.
- Periods are whole years (or semesters: 1 January–30 June, 1 July–31 December) in the
  country's time zone (``settings.TIME_ZONE``).
"""

import re
import uuid
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from babel import lists as babel_lists
from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from coop4int.accounts.models import Unit
from coop4int.appointments.enums import BookingStatus
from coop4int.appointments.models import Booking
from coop4int.cases.domain.statistics import Keys, consenting, round_count, small_cell
from coop4int.cases.models import Case, Referral
from coop4int.content.domain.queries import published_revisions
from coop4int.content.enums import ItemKind, TranslationStatus
from coop4int.content.models import ContentItem, Revision
from coop4int.core.formatting import current_locale
from coop4int.core.languages import REGISTRY, fallback_chain
from coop4int.directory.models import Service
from coop4int.learning.enums import EnrolmentStatus
from coop4int.learning.models import Course, Enrolment
from coop4int.localplans.enums import IndicatorSource, LinkKind, PlatformCount
from coop4int.localplans.models import Measure, MeasureIndicator, MeasureLink, Plan
from coop4int.observatory import labels
from coop4int.observatory.domain.datasets import period_sort_key
from coop4int.observatory.domain.figures import Figure, figure_of
from coop4int.observatory.enums import TOTAL, Concept, DatasetStatus, Dimension
from coop4int.observatory.geography import MUNICIPALITIES, municipality_code
from coop4int.observatory.models import Dataset, Indicator, Observation
from coop4int.observatory.texts import Text, text_in

MUNICIPALITY = Dimension.MUNICIPALITY.value
SEX = Dimension.SEX.value
NATIONALITY = Dimension.NATIONALITY.value
# The breakdowns a diagnosis shows beside each municipality's total.
BREAKDOWNS = (SEX, NATIONALITY)
# Where the observatory holds no figure of an indicator for the plan's municipalities, the
# diagnosis gives the country's, for context, for these concepts (the population and its
# migrants; not the platform's own activity).
NATIONAL_CONTEXT = (
    Concept.RESIDENT_POPULATION,
    Concept.FOREIGN_NATIONALS,
    Concept.FOREIGN_BORN,
    Concept.MIGRANT_STOCK,
)
NATIONAL = "CV"
_CENT = Decimal("0.01")
_MUNICIPALITY_CODE = re.compile(r"^CV-[A-Z]{2}$")

# The name each platform count is rounded under (``Keys.count``): the support desk's own name
# where the records are the same population, so that the same records round alike wherever
# they are asked for.
_FIGURES = {
    PlatformCount.CASES: ("case", "cases_opened"),
    PlatformCount.APPOINTMENTS: ("booking", "appointments_attended"),
    PlatformCount.PEOPLE_TRAINED: ("enrolment", "people_trained_completed"),
}


# --- Places and periods ------------------------------------------------------------------------


def plan_codes(plan: Plan) -> list[str]:
    """The plan's municipalities (ISO codes), in order (one query unless prefetched)."""
    return sorted(m.code for m in plan.municipalities.all())


def units_in(codes: Collection[str]) -> list[int]:
    """The ids of the units whose ``municipality`` is one of ``codes`` (one query)."""
    wanted = set(codes)
    if not wanted:
        return []
    return [
        pk
        for pk, text in Unit.objects.exclude(municipality="").values_list("pk", "municipality")
        if municipality_code(text) in wanted
    ]


def _zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def period_dates(year: int, semester: int | None = None) -> tuple[date, date]:
    """The first and last day of ``year``, or of its ``semester`` (1 or 2)."""
    if semester is None:
        return date(year, 1, 1), date(year, 12, 31)
    if semester not in (1, 2):
        raise ValueError(f"semester is 1 or 2, not {semester!r}")
    return (date(year, 1, 1), date(year, 6, 30)) if semester == 1 else (
        date(year, 7, 1), date(year, 12, 31),
    )  # fmt: skip


def day_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """The first moment of ``first`` and the first moment after ``last``, in the country's
    time zone: whole days, both included."""
    zone = _zone()
    since = datetime.combine(first, time.min, tzinfo=zone)
    until = datetime.combine(last + timedelta(days=1), time.min, tzinfo=zone)
    return since, until


# --- Disclosure control ------------------------------------------------------------------------


def published_count(pks: Iterable[Any], *, kind: str, figure: str) -> int | None:
    """The records ``pks`` counted as the support desk publishes a count: rounded to a multiple
    of the base, ``None`` when it rounds to 0 (read "fewer than <base>")."""
    rounded = round_count(Keys(kind).count(pks, figure), base=small_cell())
    return rounded or None


def _fewer(count: int | None) -> dict[str, int]:
    return {"count": count or 0, "base": small_cell()}


def appointments_text(count: int | None) -> str:
    """A published number of appointments attended, in words."""
    if count is None:
        return _("fewer than %(base)s appointments attended") % _fewer(count)
    return ngettext("%(count)s appointment attended", "%(count)s appointments attended", count) % {
        "count": count
    }


def referrals_text(count: int | None) -> str:
    """A published number of people referred, in words."""
    if count is None:
        return _("fewer than %(base)s people referred") % _fewer(count)
    return ngettext("%(count)s person referred", "%(count)s people referred", count) % {
        "count": count
    }


def trained_text(count: int | None) -> str:
    """A published number of people trained, in words."""
    if count is None:
        return _("fewer than %(base)s people trained") % _fewer(count)
    return ngettext("%(count)s person trained", "%(count)s people trained", count) % {
        "count": count
    }


# --- Platform counts ---------------------------------------------------------------------------


def _record_ids(count: str, unit_ids: Sequence[int], since: datetime, until: datetime) -> list[Any]:
    """The records a person-based platform count counts (the module says which)."""
    if count == PlatformCount.CASES:
        return list(
            Case.objects.filter(
                consenting("person"),
                unit_id__in=unit_ids,
                opened_at__gte=since,
                opened_at__lt=until,
            )
            .values_list("pk", flat=True)
            .order_by()
        )
    if count == PlatformCount.APPOINTMENTS:
        return list(
            Booking.objects.filter(
                consenting("person"),
                bookable__service_at_location__service__unit_id__in=unit_ids,
                status=BookingStatus.CHECKED_IN,
                starts_at__gte=since,
                starts_at__lt=until,
            )
            .values_list("pk", flat=True)
            .order_by()
        )
    # People trained: completed enrolments, counted when their session ends.
    return list(
        Enrolment.objects.filter(
            consenting("person"),
            session__course__unit_id__in=unit_ids,
            session__cancelled_at__isnull=True,
            status=EnrolmentStatus.COMPLETED,
            session__ends_at__gte=since,
            session__ends_at__lt=until,
        )
        .values_list("pk", flat=True)
        .order_by()
    )


def _published_campaigns(unit_ids: Sequence[int], first: date, last: date) -> int:
    """The information campaigns of the units, with a published text, running at some time
    between ``first`` and ``last`` (a campaign without dates: when its first text was
    published)."""
    items = ContentItem.objects.filter(kind=ItemKind.CAMPAIGN, unit_id__in=unit_ids)
    published = published_revisions(items)
    first_published: dict[int, datetime] = {}
    for item_id, saved_at in (
        Revision.objects.filter(translation__item__in=items, status=TranslationStatus.PUBLISHED)
        .values_list("translation__item_id", "saved_at")
        .order_by("saved_at")
    ):
        first_published.setdefault(item_id, saved_at)
    zone = _zone()
    found = 0
    for item in items.filter(pk__in=list(published)):
        start = item.period_start
        if start is None:
            start = first_published[item.pk].astimezone(zone).date()
        end = item.period_end or start
        if start <= last and end >= first:
            found += 1
    return found


def platform_value(
    count: str, *, codes: Collection[str], year: int, semester: int | None = None
) -> Decimal | None:
    """A platform count in the municipalities ``codes`` over ``year`` (or its ``semester``),
    as published: people's records rounded (``None`` when withheld), campaigns exact."""
    unit_ids = units_in(codes)
    first, last = period_dates(year, semester)
    if count == PlatformCount.CAMPAIGNS:
        return Decimal(_published_campaigns(unit_ids, first, last))
    if count not in _FIGURES:
        return None
    since, until = day_bounds(first, last)
    kind, figure = _FIGURES[PlatformCount(count)]
    found = published_count(_record_ids(count, unit_ids, since, until), kind=kind, figure=figure)
    return Decimal(found) if found is not None else None


# --- Observatory values ------------------------------------------------------------------------


def observatory_value(
    code: str,
    series: Mapping[str, str],
    *,
    codes: Sequence[str],
    year: int,
    semester: int | None = None,
) -> Decimal | None:
    """The value the published version of the observatory's indicator ``code`` gives for
    ``series`` (dimension → code; the dimensions it leaves out at their total, ``_T``) in the
    period ``year`` — or, for a semester, "<year>-S<semester>" when the source has it. The
    series is placed in the plan's municipality when it names none and the plan covers one;
    a plan of several municipalities needs a series naming one. None when there is no such
    figure, or it is withheld."""
    dataset = (
        Dataset.objects.filter(indicator__code=code, status=DatasetStatus.PUBLISHED)
        .only("pk", "dimensions")
        .first()
    )
    if dataset is None:
        return None
    wanted = dict(series)
    if MUNICIPALITY in dataset.dimensions and MUNICIPALITY not in wanted:
        if len(codes) != 1:
            return None
        wanted[MUNICIPALITY] = codes[0]
    key = ".".join(wanted.get(dimension, TOTAL) for dimension in dataset.dimensions)
    periods = [str(year)]
    if semester is not None:
        periods.insert(0, f"{year}-S{semester}")
    found = dict(
        Observation.objects.filter(dataset=dataset, key=key, period__in=periods).values_list(
            "period", "value"
        )
    )
    for period in periods:
        value = found.get(period)
        if value is not None:
            return Decimal(str(value)).quantize(_CENT)
    return None


def indicator_value(
    indicator: MeasureIndicator, *, year: int, semester: int | None = None
) -> Decimal | None:
    """The value of ``indicator`` for ``year`` (or its ``semester``) from where it comes:
    the observatory's published figure for its series in the plan's municipality; the platform's
    count in the plan's municipalities, through the disclosure control (None when withheld);
    None for an indicator reported by hand."""
    if indicator.source == IndicatorSource.MANUAL:
        return None
    codes = plan_codes(indicator.measure.plan)
    if indicator.source == IndicatorSource.OBSERVATORY:
        return observatory_value(
            indicator.observatory_code,
            indicator.observatory_series,
            codes=codes,
            year=year,
            semester=semester,
        )
    if indicator.source == IndicatorSource.PLATFORM and indicator.platform_count:
        return platform_value(indicator.platform_count, codes=codes, year=year, semester=semester)
    return None


# --- Diagnosis ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MunicipalityFigures:
    """One municipality's figures of an indicator in a period: its total and its figures by
    sex and by nationality, each as the source published them (empty lists when it has no
    such breakdown)."""

    code: str
    name: str
    total: Figure | None
    by_sex: list[Figure] = field(default_factory=list)
    by_nationality: list[Figure] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class DiagnosisFigure:
    """An observatory indicator's latest figures in the plan's municipalities, with where they
    come from."""

    indicator: Indicator
    name: Text
    unit: str
    """The unit's label ("persons", "percent")."""
    period: str
    period_label: str
    source_name: str
    source_url: str
    retrieved_on: date | None
    public_id: str
    municipalities: list[MunicipalityFigures]
    national: bool = False
    """The country's figures, given for context: the observatory holds none of this indicator
    for the plan's municipalities."""


def _municipality_pattern(position: int, codes: Sequence[str]) -> str:
    """A regular expression matching the series keys whose part ``position`` is one of
    ``codes`` (the same on SQLite and PostgreSQL)."""
    alternatives = "|".join(codes)
    return rf"^([^.]*\.){{{position}}}({alternatives})(\.|$)"


def diagnosis_figures(plan: Plan) -> list[DiagnosisFigure]:
    """For each published observatory indicator whose published version has figures by
    ``MUNICIPALITY`` in the plan's municipalities: the latest period holding one, each
    municipality's total there and its figures by sex and nationality, every other dimension
    at its total. An indicator of the population or its migrants (``NATIONAL_CONTEXT``) without
    such figures gives the country's instead, marked ``national``. Indicators in the order of
    their codes; at most four queries besides the labels."""
    codes = [code for code in plan_codes(plan) if _MUNICIPALITY_CODE.match(code)]
    if not codes:
        return []
    datasets = list(
        Dataset.objects.filter(status=DatasetStatus.PUBLISHED)
        .select_related("indicator")
        .order_by("indicator__code")
    )
    local = [dataset for dataset in datasets if MUNICIPALITY in dataset.dimensions]
    rows: dict[int, list[tuple[str, str, float | None, str, str, bool]]] = defaultdict(list)
    if local:
        wanted = Q(pk__in=[])
        for dataset in local:
            position = dataset.dimensions.index(MUNICIPALITY)
            wanted |= Q(dataset=dataset, key__regex=_municipality_pattern(position, codes))
        _read_rows(Observation.objects.filter(wanted), rows)
    context = [
        dataset
        for dataset in datasets
        if dataset.pk not in rows and dataset.indicator.concept in NATIONAL_CONTEXT
    ]
    national_rows: dict[int, list[tuple[str, str, float | None, str, str, bool]]] = defaultdict(
        list
    )
    if context:
        _read_rows(Observation.objects.filter(dataset__in=context), national_rows)
    figures: list[DiagnosisFigure] = []
    for dataset in datasets:
        if found := rows.get(dataset.pk):
            figures.append(_diagnosis_figure(dataset, codes, found))
        elif found := national_rows.get(dataset.pk):
            national = _diagnosis_figure(dataset, [NATIONAL], found)
            if national.municipalities:
                figures.append(national)
    return figures


def _read_rows(
    observations: Any, rows: dict[int, list[tuple[str, str, float | None, str, str, bool]]]
) -> None:
    for (
        dataset_id,
        period,
        key,
        value,
        obs_status,
        conf_status,
        revised,
    ) in observations.values_list(
        "dataset_id", "period", "key", "value", "obs_status", "conf_status", "revised"
    ).order_by():
        rows[dataset_id].append((period, key, value, obs_status, conf_status, bool(revised)))


def _diagnosis_figure(
    dataset: Dataset,
    codes: Sequence[str],
    rows: Sequence[tuple[str, str, float | None, str, str, bool]],
) -> DiagnosisFigure:
    indicator = dataset.indicator
    dimensions: list[str] = list(dataset.dimensions)
    period = max((row[0] for row in rows), key=period_sort_key)
    cells = {
        key: (value, obs_status, conf_status, revised)
        for row_period, key, value, obs_status, conf_status, revised in rows
        if row_period == period
    }

    national = list(codes) == [NATIONAL]

    def key_of(municipality: str, dimension: str = "", code: str = "") -> str:
        # The country: every municipality together, where the dataset has the dimension.
        place = TOTAL if national else municipality
        return ".".join(
            place if name == MUNICIPALITY else code if name == dimension else TOTAL
            for name in dimensions
        )

    breakdown_codes: dict[str, set[str]] = {dimension: set() for dimension in BREAKDOWNS}
    for key in cells:
        parts = dict(zip(dimensions, key.split("."), strict=False))
        for dimension in BREAKDOWNS:
            code = parts.get(dimension)
            if code and code != TOTAL:
                breakdown_codes[dimension].add(code)
    names = {
        dimension: labels.code_labels(dimension, sorted(found))
        for dimension, found in breakdown_codes.items()
        if found and dimension in dimensions
    }

    def figure(code: str, label: str, key: str) -> Figure | None:
        cell = cells.get(key)
        if cell is None:
            return None
        return figure_of(code, label, cell, indicator=indicator, origin=dataset.origin)

    municipalities: list[MunicipalityFigures] = []
    for code in codes:
        total = figure(TOTAL, str(_("Total")), key_of(code))
        split: dict[str, list[Figure]] = {}
        for dimension in BREAKDOWNS:
            listed = [
                shown
                for value_code, label in names.get(dimension, {}).items()
                if (shown := figure(value_code, label, key_of(code, dimension, value_code)))
            ]
            if dimension != SEX:
                listed.sort(
                    key=lambda f: (
                        f.code in labels.RESERVED_CODES,
                        f.value is None,
                        -(f.value or 0.0),
                        f.label,
                    )
                )
            split[dimension] = listed
        if total is None and not any(split.values()):
            continue
        municipalities.append(
            MunicipalityFigures(
                code=code,
                name=(
                    _("Cabo Verde (the whole country)")
                    if national
                    else MUNICIPALITIES[code].name
                    if code in MUNICIPALITIES
                    else code
                ),
                total=total,
                by_sex=split[SEX],
                by_nationality=split[NATIONALITY],
            )
        )
    return DiagnosisFigure(
        indicator=indicator,
        name=text_in(indicator.names),
        unit=indicator.get_unit_measure_display(),
        period=period,
        period_label=labels.period_label(period),
        source_name=dataset.source_name,
        source_url=dataset.source_url,
        retrieved_on=dataset.retrieved_on,
        public_id=dataset.public_id,
        municipalities=municipalities,
        national=national,
    )


# --- What a measure's links delivered ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LinkRow:
    """A service, campaign or course a measure points to: what it is (``label``, in the
    reader's language where it has one), its public page (``url``, empty when none), whether
    it still exists (``found``), and what it delivered over the measure's period, in words."""

    kind: str
    ref: str
    label: str
    url: str
    found: bool
    delivered: str
    languages: tuple[str, ...] = ()
    """For a campaign: the languages its text is published in."""

    @property
    def kind_label(self) -> str:
        return str(LinkKind(self.kind).label) if self.kind in LinkKind.values else self.kind


def _measure_bounds(measure: Measure) -> tuple[datetime, datetime]:
    return day_bounds(measure.starts_on, measure.ends_on)


def _within(moment: datetime | None, bounds: tuple[datetime, datetime]) -> bool:
    return moment is not None and bounds[0] <= moment < bounds[1]


def _service_ids(refs: Iterable[str]) -> list[uuid.UUID]:
    found = []
    for ref in refs:
        try:
            found.append(uuid.UUID(ref))
        except ValueError:
            continue
    return found


def _service_label(service: Service, language: str) -> str:
    names = {t.language: t.name for t in service.translations.all()}
    for code in fallback_chain(language):
        if names.get(code):
            return names[code]
        if code == service.language:
            break
    return service.name


def _language_names(codes: Iterable[str]) -> list[str]:
    return [REGISTRY[code].native_name if code in REGISTRY else code for code in codes]


def link_rows(links: Sequence[MeasureLink], measures: Mapping[int, Measure]) -> list[LinkRow]:
    """The rows of ``links`` (of the ``measures`` given by id), in their order: a constant
    number of queries whatever their number."""
    language = get_language() or "pt"
    by_kind: dict[str, list[MeasureLink]] = defaultdict(list)
    for link in links:
        by_kind[link.kind].append(link)
    rows: dict[int, LinkRow] = {}
    rows |= _service_rows(by_kind.get(LinkKind.SERVICE, []), measures, language)
    rows |= _campaign_rows(by_kind.get(LinkKind.CAMPAIGN, []), language)
    rows |= _course_rows(by_kind.get(LinkKind.COURSE, []), measures, language)
    return [rows.get(link.pk) or _not_found(link) for link in links]


def _not_found(link: MeasureLink) -> LinkRow:
    return LinkRow(
        kind=link.kind,
        ref=link.ref,
        label=link.ref,
        url="",
        found=False,
        delivered=_("Not found: it may have been removed."),
    )


def _service_rows(
    links: Sequence[MeasureLink], measures: Mapping[int, Measure], language: str
) -> dict[int, LinkRow]:
    if not links:
        return {}
    ids = _service_ids(link.ref for link in links)
    services = {
        str(service.pk): service
        for service in Service.objects.filter(pk__in=ids).prefetch_related(
            "translations", "at_locations"
        )
    }
    attended: dict[str, list[tuple[int, datetime]]] = defaultdict(list)
    for pk, service_id, starts_at in (
        Booking.objects.filter(
            consenting("person"),
            bookable__service_at_location__service_id__in=ids,
            status=BookingStatus.CHECKED_IN,
        )
        .values_list("pk", "bookable__service_at_location__service_id", "starts_at")
        .order_by()
    ):
        attended[str(service_id)].append((pk, starts_at))
    referred: dict[str, list[tuple[int, datetime]]] = defaultdict(list)
    for pk, service_id, sent_at in (
        Referral.objects.filter(consenting("case__person"), service_id__in=ids)
        .values_list("pk", "service_id", "sent_at")
        .order_by()
    ):
        referred[str(service_id)].append((pk, sent_at))
    rows: dict[int, LinkRow] = {}
    for link in links:
        service = services.get(link.ref.strip().lower())
        if service is None:
            rows[link.pk] = _not_found(link)
            continue
        bounds = _measure_bounds(measures[link.measure_id])
        appointments = published_count(
            (pk for pk, at in attended.get(str(service.pk), []) if _within(at, bounds)),
            kind="booking",
            figure="appointments_attended",
        )
        referrals = published_count(
            (pk for pk, at in referred.get(str(service.pk), []) if _within(at, bounds)),
            kind="referral",
            figure="referrals",
        )
        places = list(service.at_locations.all())
        url = reverse("portal:directory_detail", kwargs={"sal_id": places[0].pk}) if places else ""
        parts = [appointments_text(appointments), referrals_text(referrals)]
        rows[link.pk] = LinkRow(
            kind=link.kind,
            ref=link.ref,
            label=_service_label(service, language),
            url=url,
            found=True,
            delivered=babel_lists.format_list(parts, locale=current_locale()),
        )
    return rows


def _campaign_rows(links: Sequence[MeasureLink], language: str) -> dict[int, LinkRow]:
    if not links:
        return {}
    items = ContentItem.objects.filter(
        kind=ItemKind.CAMPAIGN, slug__in=[link.ref for link in links]
    )
    by_slug = {item.slug: item for item in items}
    published = published_revisions(items)
    rows: dict[int, LinkRow] = {}
    for link in links:
        item = by_slug.get(link.ref)
        if item is None:
            rows[link.pk] = _not_found(link)
            continue
        texts = published.get(item.pk, {})
        shown = next(
            (code for code in (*fallback_chain(language), item.source_language) if code in texts),
            next(iter(sorted(texts)), None),
        )
        languages = tuple(sorted(texts))
        if languages:
            delivered = _("Published in %(languages)s") % {
                "languages": babel_lists.format_list(
                    _language_names(languages), locale=current_locale()
                )
            }
        else:
            delivered = _("Not published yet")
        rows[link.pk] = LinkRow(
            kind=link.kind,
            ref=link.ref,
            label=texts[shown].title if shown else item.slug,
            url=reverse("portal:info_detail", kwargs={"slug": item.slug}) if languages else "",
            found=True,
            delivered=delivered,
            languages=languages,
        )
    return rows


def _course_rows(
    links: Sequence[MeasureLink], measures: Mapping[int, Measure], language: str
) -> dict[int, LinkRow]:
    if not links:
        return {}
    courses = {
        course.slug: course
        for course in Course.objects.filter(slug__in=[link.ref for link in links]).select_related(
            "description"
        )
    }
    published = published_revisions(
        ContentItem.objects.filter(pk__in=[c.description_id for c in courses.values()])
    )
    completed: dict[str, list[tuple[int, datetime | None]]] = defaultdict(list)
    for pk, slug, ends_at in (
        Enrolment.objects.filter(
            consenting("person"),
            session__course__slug__in=list(courses),
            session__cancelled_at__isnull=True,
            status=EnrolmentStatus.COMPLETED,
        )
        .values_list("pk", "session__course__slug", "session__ends_at")
        .order_by()
    ):
        completed[slug].append((pk, ends_at))
    rows: dict[int, LinkRow] = {}
    for link in links:
        course = courses.get(link.ref)
        if course is None:
            rows[link.pk] = _not_found(link)
            continue
        texts = published.get(course.description_id, {})
        shown = next(
            (
                code
                for code in (*fallback_chain(language), course.description.source_language)
                if code in texts
            ),
            None,
        )
        bounds = _measure_bounds(measures[link.measure_id])
        trained = published_count(
            (pk for pk, at in completed.get(course.slug, []) if _within(at, bounds)),
            kind="enrolment",
            figure="people_trained_completed",
        )
        rows[link.pk] = LinkRow(
            kind=link.kind,
            ref=link.ref,
            label=texts[shown].title if shown else course.slug,
            url=reverse("portal:training_course", kwargs={"slug": course.slug})
            if course.published
            else "",
            found=True,
            delivered=trained_text(trained),
        )
    return rows


def link_delivery(measure: Measure) -> list[LinkRow]:
    """What the services, campaigns and courses ``measure`` points to are and delivered over
    its period (``LinkRow``), in the order of its links."""
    return link_rows(list(measure.links.all()), {measure.pk: measure})
