"""What a unit needs to know: the contacts, cases and referrals of a period, counted.

Disclosure control: in a breakdown, a count between 1 and ``SMALL_CELL - 1`` is never handed
out — the cell carries ``None`` and is shown as "<5" — so that a figure cannot point at one
person (a single Guinean woman on Brava). Totals stay exact. This is primary suppression only:
where exactly one cell of a breakdown is suppressed, the total minus the others still reveals
it; the observatory's open data needs complementary suppression, a unit's own page does not.

Scope: administrators read every unit or all of them together. Analysts do too, for
statistics only (``cases.rules.reads_statistics_nationwide``): they compare units but never
open a case. Everyone else reads only their own unit; another unit answers 404.

Periods are whole days, both ends included, in the unit's time zone (all units together: the
country's, ``settings.TIME_ZONE``). Whatever the data, the figures cost the same six queries
at most: the unit, the cases of the period, their topics, the contacts, the overdue count and
the referrals (medians are computed in Python from the rows, the same on SQLite and
PostgreSQL).
"""

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from statistics import median
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _

from coop4int.accounts.enums import Island, UnitKind
from coop4int.accounts.models import Unit, User
from coop4int.accounts.roles import Permission
from coop4int.cases.enums import ACTIVE, Channel, Direction, ReferralOutcome, ReferralStatus
from coop4int.cases.models import Case, Interaction, Referral
from coop4int.cases.rules import reads_statistics_nationwide
from coop4int.core.formatting import current_locale
from coop4int.people.enums import Sex

SMALL_CELL = 5
"""Counts from 1 to ``SMALL_CELL - 1`` in a breakdown are suppressed."""

ANONYMOUS = "anonymous"
UNKNOWN = "unknown"
NO_TOPIC = "none"


@dataclass(frozen=True, slots=True)
class Cell:
    key: str
    """A stable code (channel, sex, ISO country code…) or, for topics and services, a name."""
    label: str
    """What the page shows, in the current language."""
    count: int | None
    """``None``: between 1 and 4, suppressed."""

    @property
    def is_suppressed(self) -> bool:
        return self.count is None


@dataclass(frozen=True, slots=True)
class Breakdown:
    code: str
    """The CSV section."""
    title: str
    cells: tuple[Cell, ...]
    total: int
    """Exact, never suppressed."""
    note: str = ""


@dataclass(frozen=True, slots=True)
class UnitStatistics:
    unit: Unit | None
    """``None``: all units together."""
    start: date
    end: date
    time_zone: str
    contacts: int
    cases_opened: int
    cases_closed: int
    overdue_now: int
    median_hours_to_first_reply: float | None
    """Over the cases whose first reply fell in the period; ``None`` without any."""
    median_hours_to_resolution: float | None
    """Over the cases resolved in the period; ``None`` without any."""
    satisfaction_answers: int
    satisfaction_average: float | None
    """``None`` under ``SMALL_CELL`` answers: one answer's average is that answer."""
    contacts_by_channel: Breakdown
    opened_by_topic: Breakdown
    opened_by_nationality: Breakdown
    opened_by_sex: Breakdown
    opened_by_island: Breakdown
    referrals_by_service: Breakdown
    referrals_by_result: Breakdown

    @property
    def breakdowns(self) -> tuple[Breakdown, ...]:
        return (
            self.contacts_by_channel,
            self.opened_by_topic,
            self.opened_by_nationality,
            self.opened_by_sex,
            self.opened_by_island,
            self.referrals_by_service,
            self.referrals_by_result,
        )


def sees_all_units(user: User) -> bool:
    """Whether ``user`` may read every unit's statistics, and all units together."""
    return bool(
        user.has_perm(Permission.VIEW_CASE_STATISTICS) and reads_statistics_nationwide.test(user)
    )


def statistics_units(user: User) -> QuerySet[Unit]:
    """The units whose statistics ``user`` may read (partners hold no cases)."""
    if not user.has_perm(Permission.VIEW_CASE_STATISTICS):
        return Unit.objects.none()
    units = Unit.objects.exclude(kind=UnitKind.PARTNER).order_by("name")
    if sees_all_units(user):
        return units
    return units.filter(pk=user.unit_id) if user.unit_id else Unit.objects.none()


def unit_time_zone(unit: Unit | None) -> str:
    return unit.time_zone if unit is not None and unit.time_zone else settings.TIME_ZONE


def _suppressed(count: int) -> int | None:
    return None if 0 < count < SMALL_CELL else count


def _breakdown(
    code: str,
    title: str,
    counts: Counter[str],
    labels: dict[str, str],
    *,
    total: int,
    always: Iterable[str] = (),
    keep_order: bool = False,
    note: str = "",
) -> Breakdown:
    """Cells for the keys counted (and for ``always``, even at zero), small ones suppressed.
    ``keep_order``: in the order of ``labels`` (an enumeration); otherwise the largest first,
    then the suppressed cells by name — their order must not hint at their size."""
    wanted = set(always)
    keys = [k for k in labels if counts[k] or k in wanted] if keep_order else []
    keys += [k for k in counts if k not in keys]
    cells = [Cell(key, labels.get(key, key), _suppressed(counts[key])) for key in keys]
    if not keep_order:
        shown = sorted((c for c in cells if c.count is not None), key=_largest_first)
        hidden = sorted((c for c in cells if c.count is None), key=lambda c: c.label)
        cells = shown + hidden
    return Breakdown(code=code, title=title, cells=tuple(cells), total=total, note=note)


def _largest_first(cell: Cell) -> tuple[int, str]:
    return (-(cell.count or 0), cell.label)


def _median_hours(
    rows: Iterable[Mapping[str, Any]], field: str, since: datetime, until: datetime
) -> float | None:
    """The median time from opening to ``field``, over the rows where ``field`` falls in the
    period."""
    spans = [
        (row[field] - row["opened_at"]).total_seconds() / 3600
        for row in rows
        if _in(row[field], since, until)
    ]
    return round(median(spans), 1) if spans else None


def _country_names() -> dict[str, str]:
    try:
        return dict(Locale.parse(current_locale()).territories)
    except (UnknownLocaleError, ValueError):
        return {}


def _in(moment: datetime | None, since: datetime, until: datetime) -> bool:
    return moment is not None and since <= moment < until


def unit_statistics(user: User, *, unit_id: int | None, start: date, end: date) -> UnitStatistics:
    """The figures of ``unit_id`` (``None``: all units) from ``start`` to ``end``, both days
    included. 404 when ``user`` may not read that unit (or all units), and for a unit that
    does not exist; ``ValueError`` when ``end`` is before ``start``."""
    if end < start:
        raise ValueError("end before start")
    unit: Unit | None = None
    if unit_id is None:
        if not sees_all_units(user):
            raise Http404
    else:
        unit = Unit.objects.exclude(kind=UnitKind.PARTNER).filter(pk=unit_id).first()
        if unit is None or not user.has_perm(Permission.VIEW_CASE_STATISTICS, unit):
            raise Http404
    zone_name = unit_time_zone(unit)
    zone = ZoneInfo(zone_name)
    since = datetime.combine(start, time.min, tzinfo=zone)
    until = datetime.combine(end, time.min, tzinfo=zone) + timedelta(days=1)
    scope = Q() if unit is None else Q(unit=unit)
    case_scope = Q() if unit is None else Q(case__unit=unit)
    now = timezone.now()

    def during(field: str) -> Q:
        return Q(**{f"{field}__gte": since, f"{field}__lt": until})

    rows: list[Mapping[str, Any]] = list(
        Case.objects.filter(scope)
        .filter(
            during("opened_at")
            | during("first_reply_at")
            | during("resolved_at")
            | during("closed_at")
            | (during("satisfaction_asked_at") & Q(satisfaction__isnull=False))
        )
        .values(
            "id", "opened_at", "first_reply_at", "resolved_at", "closed_at", "satisfaction",
            "satisfaction_asked_at", "person_id", "person__sex", "person__nationalities",
            "person__island",
        )
        .order_by()
    )  # fmt: skip
    opened = [row for row in rows if _in(row["opened_at"], since, until)]

    sexes: Counter[str] = Counter()
    nationalities: Counter[str] = Counter()
    islands: Counter[str] = Counter()
    for row in opened:
        if row["person_id"] is None:
            sexes[ANONYMOUS] += 1
            nationalities[ANONYMOUS] += 1
            islands[ANONYMOUS] += 1
            continue
        sexes[row["person__sex"] or Sex.NOT_STATED] += 1
        islands[row["person__island"] or UNKNOWN] += 1
        # A person with two nationalities counts under each.
        codes = {str(code).upper() for code in row["person__nationalities"] or []}
        for code in codes or {UNKNOWN}:
            nationalities[code] += 1

    language = get_language() or settings.LANGUAGE_CODE
    # Keyed by the topic's name in the current language: an id means nothing to a reader.
    topics: Counter[str] = Counter()
    cases_with_topic: set[int] = set()
    for case_id, name, names in (
        Case.topics.through.objects.filter(case_scope)
        .filter(case__opened_at__gte=since, case__opened_at__lt=until)
        .values_list("case_id", "taxonomyterm__name", "taxonomyterm__names")
        .order_by()
    ):
        topics[(names or {}).get(language) or name] += 1
        cases_with_topic.add(case_id)
    if without_topic := len(opened) - len(cases_with_topic):
        topics[NO_TOPIC] = without_topic

    channels = Counter(
        dict(
            Interaction.objects.filter(case_scope, direction=Direction.IN)
            .filter(occurred_at__gte=since, occurred_at__lt=until)
            .values_list("channel")
            .annotate(n=Count("id"))
            .order_by()
        )
    )
    overdue = (
        Case.objects.filter(scope, status__in=ACTIVE, first_reply_at__isnull=True, due_at__lt=now)
        .order_by()
        .count()
    )

    services: Counter[str] = Counter()
    results: Counter[str] = Counter()
    for service, status, outcome, count in (
        Referral.objects.filter(case_scope, sent_at__gte=since, sent_at__lt=until)
        .values_list("service__name", "status", "outcome")
        .annotate(n=Count("id"))
        .order_by()
    ):
        services[service] += count
        results[outcome if status == ReferralStatus.COMPLETED and outcome else status] += count
    referrals = sum(services.values())

    answers = [
        row["satisfaction"]
        for row in rows
        if row["satisfaction"] is not None and _in(row["satisfaction_asked_at"], since, until)
    ]
    countries = _country_names()
    unknown = pgettext("statistics", "Not known")
    anonymous = _("No person record")
    return UnitStatistics(
        unit=unit,
        start=start,
        end=end,
        time_zone=zone_name,
        contacts=sum(channels.values()),
        cases_opened=len(opened),
        cases_closed=sum(1 for row in rows if _in(row["closed_at"], since, until)),
        overdue_now=overdue,
        median_hours_to_first_reply=_median_hours(rows, "first_reply_at", since, until),
        median_hours_to_resolution=_median_hours(rows, "resolved_at", since, until),
        satisfaction_answers=len(answers),
        satisfaction_average=round(sum(answers) / len(answers), 1)
        if len(answers) >= SMALL_CELL
        else None,
        contacts_by_channel=_breakdown(
            "contacts_by_channel",
            _("Contacts from people, by channel"),
            channels,
            {c.value: str(c.label) for c in Channel if c != Channel.NOTE},
            total=sum(channels.values()),
            always=[c.value for c in Channel if c != Channel.NOTE],
            keep_order=True,
        ),
        opened_by_topic=_breakdown(
            "cases_by_topic",
            _("Cases opened by topic"),
            topics,
            {NO_TOPIC: _("No topic")},
            total=len(opened),
            note=_("A case with several topics counts under each."),
        ),
        opened_by_nationality=_breakdown(
            "cases_by_nationality",
            _("Cases opened by nationality"),
            nationalities,
            {code: countries.get(code, code) for code in nationalities}
            | {UNKNOWN: unknown, ANONYMOUS: anonymous},
            total=len(opened),
            note=_("A person with several nationalities counts under each."),
        ),
        opened_by_sex=_breakdown(
            "cases_by_sex",
            _("Cases opened by sex"),
            sexes,
            {s.value: str(s.label) for s in Sex} | {ANONYMOUS: anonymous},
            total=len(opened),
            always=[s.value for s in Sex],
            keep_order=True,
        ),
        opened_by_island=_breakdown(
            "cases_by_island",
            _("Cases opened by island of the person"),
            islands,
            {i.value: str(i.label) for i in Island} | {UNKNOWN: unknown, ANONYMOUS: anonymous},
            total=len(opened),
            keep_order=True,
        ),
        referrals_by_service=_breakdown(
            "referrals_by_service",
            _("Referrals sent, by partner service"),
            services,
            {},
            total=referrals,
        ),
        referrals_by_result=_breakdown(
            "referrals_by_result",
            _("Referrals sent, by status or outcome"),
            results,
            {s.value: str(s.label) for s in ReferralStatus}
            | {o.value: str(o.label) for o in ReferralOutcome},
            total=referrals,
            keep_order=True,
        ),
    )


def statistics_rows(stats: UnitStatistics) -> Iterator[tuple[str, str, str]]:
    """``(section, key, value)`` rows for a CSV: plain numbers, "<5" where suppressed and an
    empty value where there is nothing to compute."""

    def plain(value: float | None) -> str:
        return "" if value is None else f"{value:g}"

    yield ("period", "start", stats.start.isoformat())
    yield ("period", "end", stats.end.isoformat())
    yield ("period", "unit", stats.unit.slug if stats.unit else "all")
    yield ("period", "time_zone", stats.time_zone)
    yield ("summary", "contacts", str(stats.contacts))
    yield ("summary", "cases_opened", str(stats.cases_opened))
    yield ("summary", "cases_closed", str(stats.cases_closed))
    yield ("summary", "overdue_now", str(stats.overdue_now))
    yield ("summary", "median_hours_to_first_reply", plain(stats.median_hours_to_first_reply))
    yield ("summary", "median_hours_to_resolution", plain(stats.median_hours_to_resolution))
    yield ("summary", "satisfaction_answers", str(stats.satisfaction_answers))
    yield ("summary", "satisfaction_average", plain(stats.satisfaction_average))
    for breakdown in stats.breakdowns:
        for cell in breakdown.cells:
            value = f"<{SMALL_CELL}" if cell.count is None else str(cell.count)
            yield (breakdown.code, cell.key, value)
        yield (breakdown.code, "total", str(breakdown.total))
