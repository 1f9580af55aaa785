"""What a unit needs to know: the contacts, cases and referrals of a period, counted — and
published so that no figure points at a person.

Who is counted: only people with a live consent to the use of their data in statistics
(``people.enums.Purpose.STATISTICS``, a ``Consent`` row not withdrawn). Every figure — cases
opened and closed, contacts, referrals, cases overdue, the medians and the satisfaction
answers — counts the cases of those people and nothing else: not the cases of people who did
not agree (or withdrew), not requests without a person record. Channel, topic, partner
service and timing are facts about a person as much as sex or nationality, and one
population for every figure means that no two figures can be subtracted to isolate the
people left out.

Disclosure control: controlled, unbiased random rounding to base ``b``
(``settings.STATISTICS_SMALL_CELL``, 5 by default), every figure and every total included.

1. Each record (case, contact, referral) has a secret key, a keyed hash of its id under
   ``SECRET_KEY``; a count's key is the sum of its records' keys modulo 2**64, hashed with
   the figure's name and read as a number ``u`` in [0, 1) (after the "cell key" method of
   the Australian Bureau of Statistics). The same records always give the same key, so
   asking for the same figure again, or through another period that holds the same
   records, gives the same rounding: repeated requests cannot be averaged back to the exact
   count; and different figures over the same records round independently.
2. A count ``c`` is published as ``b·⌊c/b⌋`` or ``b·⌈c/b⌉``, rounded up when
   ``u < (c mod b)/b`` — on average the exact count. A multiple of ``b`` (zero included)
   stays as it is.
3. Controlled: the breakdowns that split a population (cases opened by sex, by island;
   contacts by channel; referrals by service, by result) are rounded by systematic sampling
   started at the population's key, so their cells add up exactly to the one rounded total
   shown in the summary and under each table. In the breakdowns where a record can count
   under several cells (topics, nationalities) no cell exceeds the rounded total and the
   cells add up to at least it. The rounded contacts are never fewer than the rounded cases
   opened when the exact contacts are not fewer than the exact cases (each case opened at
   the desk or by a message brings its first contact).
4. Primary suppression: a figure that rounds to 0 — any count from 0 to ``b - 1`` that did
   not round up — is never shown as a number but as "<b" ("<5"; ``count`` is ``None``). No
   count from 1 to ``b - 1`` is ever published as such: it reads "<5", or "5" rounded up.
   Lists with open-ended groups (topics, nationalities, partner services) leave out the
   groups shown as "<5", since listing them would tell that someone is there; lists of a
   fixed set (channels, sexes, islands, referral results) always show every group.

Why no figure can be worked out from the others: the published table, read as numbers
("<5" as 0), satisfies every relation that holds between the exact figures — the splits add
up, overlapping cells stay within their total, contacts are not fewer than cases — so it is
itself a possible truth; and so is the table with ``b - 1`` added to every total and to one
cell (any) of each breakdown. Every figure may therefore be anything from its published
value to ``b - 1`` more, whatever an attacker combines from this page: a "<5" may be 0 or 4
(and a "5" anything from 1 to 9) — the exact totals and zeros that let a lone "<5" be
recovered by subtraction are gone. ``cases/tests/test_statistics.py`` checks this with a
linear programme (HiGHS) that narrows each figure as far as the others allow, over random
tables, and shows that the old rules (exact totals and zeros, "<5" for 1 to 4) fail it.
Derived figures follow the same rule: the medians are given only over at least ``b`` cases,
and the average satisfaction only when the rounded number of answers is at least ``2·b``
(decided on the published figure, so that showing it tells nothing more).
Not covered by the proof: figures of other periods or units, each rounded on its own: the
difference of two figures is uncertain by up to ``2·(b - 1)``.

Scope: administrators read every unit or all of them together. Analysts do too, for
statistics only (``cases.rules.reads_statistics_nationwide``): they compare units but never
open a case. Everyone else reads only their own unit; another unit answers 404. Each read
is audited: ``cases.statistics.viewed``, or ``cases.statistics.exported`` for the CSV file
(with its number of rows).

Periods are whole days, both ends included, in the unit's time zone (all units together: the
country's, ``settings.TIME_ZONE``). Whatever the data, the figures cost the same seven
queries at most: the unit, the cases of the period, their topics, the contacts, the overdue
cases, the referrals (consent is a subquery of each; medians are computed in Python from the
rows, the same on SQLite and PostgreSQL) and the audit entry.
"""

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import partial
from statistics import median
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _

from coop4int.accounts.enums import Island, UnitKind
from coop4int.accounts.models import Unit, User
from coop4int.accounts.roles import Permission
from coop4int.cases.enums import ACTIVE, Channel, Direction, ReferralOutcome, ReferralStatus
from coop4int.cases.models import Case, Interaction, Referral
from coop4int.cases.rules import reads_statistics_nationwide
from coop4int.core import audit
from coop4int.core.formatting import current_locale
from coop4int.people.enums import Purpose, Sex
from coop4int.people.models import Consent

UNKNOWN = "unknown"
NO_TOPIC = "none"
_MODULUS = 2**64


def small_cell() -> int:
    """The rounding base: every count is published as a multiple of it, and a count that
    rounds to 0 is shown as "<base"."""
    base = settings.STATISTICS_SMALL_CELL
    if not isinstance(base, int) or base < 2:
        raise ImproperlyConfigured("STATISTICS_SMALL_CELL must be an integer of at least 2.")
    return base


# --- Rounding: pure functions on exact counts ----------------------------------------------


@dataclass(frozen=True, slots=True)
class Counted:
    """An exact count and its key, a number from 0 to 2**64 - 1 that decides which way the
    count is rounded (in ``unit_statistics``, a hash of the sum of its records' keys)."""

    n: int = 0
    key: int = 0


@dataclass(frozen=True, slots=True)
class Tally:
    """One population counted exactly: its total; the breakdowns that split it (each record
    in exactly one cell: the cells add up to the total); the breakdowns where a record may
    count under several cells (each cell at most the total, together at least the total)."""

    total: Counted
    splits: Mapping[str, Mapping[str, Counted]] = field(default_factory=dict)
    overlaps: Mapping[str, Mapping[str, Counted]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Rounded:
    total: int
    breakdowns: dict[str, dict[str, int]]


def round_count(count: Counted, *, base: int) -> int:
    """``count`` rounded down or up to a multiple of ``base``, up with probability
    ``(n mod base)/base`` over the key."""
    residue = count.n % base
    up = count.key * base < residue * _MODULUS
    return count.n - residue + (base if up else 0)


def _points_below(edge: int, start: int, step: int) -> int:
    """How many of ``start``, ``start + step``, ``start + 2·step``… lie below ``edge``."""
    return 0 if edge <= start else -((start - edge) // step)


def _round_split(cells: Mapping[str, Counted], *, start: int, base: int) -> dict[str, int]:
    """Systematic sampling: the residues ``n mod base`` laid end to end, in the order of the
    cells' names, and points every ``base`` from ``start``; a cell holding a point rounds up.
    Every cell rounds up with probability residue/base, and the cells add up to the total
    rounded by the same start (``round_tally``). Lengths are in units of 2**-64."""
    step = base * _MODULUS
    rounded: dict[str, int] = {}
    edge = 0
    for name in sorted(cells):
        n = cells[name].n
        before = _points_below(edge * _MODULUS, start, step)
        edge += n % base
        rounded[name] = n - n % base + base * (_points_below(edge * _MODULUS, start, step) - before)
    return rounded


def _round_overlap(cells: Mapping[str, Counted], *, total: int, base: int) -> dict[str, int]:
    """Each cell rounded on its own key but never above ``total``; then, while the cells add
    up to less than ``total``, those nearest to rounding up do. Always possible: when
    ``total`` is the exact total rounded up, every cell may round up and their sum is then at
    least the total; when it is rounded down, a cell above it rounds to it."""
    rounded: dict[str, int] = {}
    waiting: list[tuple[int, str]] = []
    for name, count in cells.items():
        low = count.n - count.n % base
        rounded[name] = min(round_count(count, base=base), total)
        if rounded[name] == low and count.n % base and low + base <= total:
            # How far the key was from rounding this cell up.
            waiting.append((count.key * base - (count.n % base) * _MODULUS, name))
    waiting.sort()
    for _distance, name in waiting:
        if sum(rounded.values()) >= total:
            break
        rounded[name] += base
    return rounded


def round_tally(tally: Tally, *, base: int, at_least: int = 0) -> Rounded:
    """The total and every breakdown of ``tally``, rounded so that the splits add up to the
    total and overlapping cells stay within it. ``at_least``: a rounded figure the total must
    not fall under (the exact total being at least the exact figure it comes from)."""
    n = tally.total.n
    residue = n % base
    start = tally.total.key * base
    low = n - residue
    if start >= residue * _MODULUS and low < at_least:
        # Rounding down would break the order of the exact figures: take the start from the
        # part of the range that rounds up (the exact figures then share a multiple of base).
        start = tally.total.key * residue
    total = low + (base if start < residue * _MODULUS else 0)
    breakdowns = {
        code: _round_split(cells, start=start, base=base) for code, cells in tally.splits.items()
    }
    breakdowns |= {
        code: _round_overlap(cells, total=total, base=base)
        for code, cells in tally.overlaps.items()
    }
    return Rounded(total=total, breakdowns=breakdowns)


class Keys:
    """The secret key of each record, and the keyed counts of groups of records."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.secret = salted_hmac(
            "coop4int.cases.statistics", "record keys", algorithm="sha256"
        ).digest()
        self.cache: dict[Any, int] = {}

    def of(self, pk: Any) -> int:
        if pk not in self.cache:
            digest = hashlib.blake2b(
                f"{self.kind}:{pk}".encode(), key=self.secret, digest_size=8
            ).digest()
            self.cache[pk] = int.from_bytes(digest, "big")
        return self.cache[pk]

    def count(self, records: Iterable[Any], figure: str) -> Counted:
        """The records counted, keyed by the sum of their keys — mixed with the name of the
        figure, so that the same records round independently in different figures (their
        noise does not tie two figures together) and alike wherever the figure is asked."""
        n = key = 0
        for pk in records:
            n += 1
            key += self.of(pk)
        mixed = hashlib.blake2b(
            f"{figure}:{key % _MODULUS}".encode(), key=self.secret, digest_size=8
        ).digest()
        return Counted(n, int.from_bytes(mixed, "big"))

    def cells(self, groups: Mapping[str, Iterable[Any]], figure: str) -> dict[str, Counted]:
        return {name: self.count(records, figure) for name, records in groups.items()}


# --- What the page shows --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Cell:
    key: str
    """A stable code (channel, sex, ISO country code…) or, for topics and services, a name."""
    label: str
    """What the page shows, in the current language."""
    count: int | None
    """Rounded to a multiple of the base; ``None``: rounded to 0, shown as "<5"."""

    @property
    def is_suppressed(self) -> bool:
        return self.count is None


@dataclass(frozen=True, slots=True)
class Breakdown:
    code: str
    """The CSV section."""
    title: str
    cells: tuple[Cell, ...]
    total: int | None
    """Rounded like the cells (``None``: shown as "<5"); a split's cells add up to it."""
    note: str = ""
    lists_all: bool = True
    """``False``: the groups shown as "<5" are left out of the list."""


@dataclass(frozen=True, slots=True)
class PeriodFigures:
    """Which figures these are: of a unit (or all units), over a period of whole days in a
    time zone, rounded to a base."""

    unit: Unit | None
    """``None``: all units together."""
    start: date
    end: date
    time_zone: str
    small_cell: int
    """The rounding base. Every count below is a multiple of it, or ``None`` ("<base")."""


@dataclass(frozen=True, slots=True)
class UnitStatistics(PeriodFigures):
    contacts: int | None
    cases_opened: int | None
    cases_closed: int | None
    """Closed, as the glossary has it: resolved or closed. The cases whose resolution fell in
    the period (``resolved_at``: a case closed without being resolved first is resolved when
    it is closed, and a reopened one is counted when it is resolved again) — the cases the
    median time to resolution is taken over."""
    overdue_now: int | None
    median_hours_to_first_reply: float | None
    """Over the cases whose first reply fell in the period; ``None`` under ``small_cell``
    cases."""
    median_hours_to_resolution: float | None
    """Over the cases resolved in the period; ``None`` under ``small_cell`` cases."""
    satisfaction_answers: int | None
    satisfaction_average: float | None
    """``None`` unless the rounded number of answers reaches ``average_from``."""
    contacts_by_channel: Breakdown
    opened_by_topic: Breakdown
    opened_by_nationality: Breakdown
    opened_by_sex: Breakdown
    opened_by_island: Breakdown
    referrals_by_service: Breakdown
    referrals_by_result: Breakdown

    @property
    def average_from(self) -> int:
        """The rounded number of answers from which their average is shown."""
        return 2 * self.small_cell

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


def sees_all_units(user: User, permission: Permission = Permission.VIEW_CASE_STATISTICS) -> bool:
    """Whether ``user`` may read every unit's statistics, and all units together: the
    statistics that ``permission`` opens, the support desk's unless it says otherwise."""
    return bool(user.has_perm(permission) and reads_statistics_nationwide.test(user))


def statistics_units(
    user: User, permission: Permission = Permission.VIEW_CASE_STATISTICS
) -> QuerySet[Unit]:
    """The units whose statistics (those ``permission`` opens) ``user`` may read (partners
    hold no cases)."""
    if not user.has_perm(permission):
        return Unit.objects.none()
    units = Unit.objects.exclude(kind=UnitKind.PARTNER).order_by("name")
    if sees_all_units(user, permission):
        return units
    return units.filter(pk=user.unit_id) if user.unit_id else Unit.objects.none()


def unit_time_zone(unit: Unit | None) -> str:
    return unit.time_zone if unit is not None and unit.time_zone else settings.TIME_ZONE


def period_bounds(start: date, end: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The first moment of ``start`` and the first moment after ``end`` in ``zone``: a period
    of whole days, both ends included."""
    since = datetime.combine(start, time.min, tzinfo=zone)
    until = datetime.combine(end, time.min, tzinfo=zone) + timedelta(days=1)
    return since, until


def shown(count: int) -> int | None:
    """A rounded count as published: ``None`` (shown as "<base") for one rounded to 0."""
    return count or None


def build_breakdown(
    code: str,
    title: str,
    rounded: Mapping[str, int],
    labels: Mapping[str, str],
    *,
    total: int,
    fixed: bool,
    note: str = "",
) -> Breakdown:
    """``fixed``: every group of ``labels`` (an enumeration), in its order, "<5" included;
    otherwise the groups that did not round to 0, the largest first, then by name."""
    if fixed:
        keys = [*labels, *(key for key in rounded if key not in labels)]
        cells = [Cell(key, labels.get(key, key), shown(rounded.get(key, 0))) for key in keys]
    else:
        cells = sorted(
            (Cell(key, labels.get(key, key), count) for key, count in rounded.items() if count),
            key=lambda cell: (-(cell.count or 0), cell.label),
        )
    return Breakdown(
        code=code,
        title=title,
        cells=tuple(cells),
        total=shown(total),
        note=note,
        lists_all=fixed,
    )


def _median_hours(
    rows: Iterable[Mapping[str, Any]], field: str, since: datetime, until: datetime, least: int
) -> float | None:
    """The median time from opening to ``field``, over the rows where ``field`` falls in the
    period; ``None`` under ``least`` such rows (the median of one case is that case)."""
    spans = [
        (row[field] - row["opened_at"]).total_seconds() / 3600
        for row in rows
        if _in(row[field], since, until)
    ]
    return round(median(spans), 1) if len(spans) >= least else None


def country_names() -> dict[str, str]:
    """The names of countries by their ISO code, in the page's language."""
    try:
        return dict(Locale.parse(current_locale()).territories)
    except (UnknownLocaleError, ValueError):
        return {}


def _in(moment: datetime | None, since: datetime, until: datetime) -> bool:
    return moment is not None and since <= moment < until


def consenting(person: str) -> Exists:
    """Whether the person at ``person`` (a path from the queried model) lets their data be
    used in statistics."""
    return Exists(
        Consent.objects.filter(
            person=OuterRef(person), purpose=Purpose.STATISTICS, withdrawn_at__isnull=True
        )
    )


def unit_statistics(
    user: User, *, unit_id: int | None, start: date, end: date, exported: bool = False
) -> UnitStatistics:
    """The figures of ``unit_id`` (``None``: all units) from ``start`` to ``end``, both days
    included, rounded as the module describes. 404 when ``user`` may not read that unit (or
    all units), and for a unit that does not exist; ``ValueError`` when ``end`` is before
    ``start``.

    Side effects: audit ``cases.statistics.viewed``, or ``cases.statistics.exported`` when
    ``exported`` (the figures leave as a file: with how many rows ``statistics_rows`` gives)."""
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
    base = small_cell()
    zone_name = unit_time_zone(unit)
    since, until = period_bounds(start, end, ZoneInfo(zone_name))
    scope = Q() if unit is None else Q(unit=unit)
    case_scope = Q() if unit is None else Q(case__unit=unit)
    now = timezone.now()

    def during(field: str) -> Q:
        return Q(**{f"{field}__gte": since, f"{field}__lt": until})

    rows: list[Mapping[str, Any]] = list(
        Case.objects.filter(scope, consenting("person"))
        .filter(
            during("opened_at")
            | during("first_reply_at")
            | during("resolved_at")
            | during("closed_at")
            | (during("satisfaction_asked_at") & Q(satisfaction__isnull=False))
        )
        .values(
            "id", "opened_at", "first_reply_at", "resolved_at", "closed_at", "satisfaction",
            "satisfaction_asked_at", "person__sex", "person__nationalities", "person__island",
        )
        .order_by()
    )  # fmt: skip
    opened = [row for row in rows if _in(row["opened_at"], since, until)]

    sexes: dict[str, list[int]] = defaultdict(list)
    nationalities: dict[str, list[int]] = defaultdict(list)
    islands: dict[str, list[int]] = defaultdict(list)
    for row in opened:
        sexes[row["person__sex"] or Sex.NOT_STATED].append(row["id"])
        islands[row["person__island"] or UNKNOWN].append(row["id"])
        # A person with two nationalities counts under each.
        codes = {str(code).upper() for code in row["person__nationalities"] or []}
        for code in codes or {UNKNOWN}:
            nationalities[code].append(row["id"])

    language = get_language() or settings.LANGUAGE_CODE
    # Keyed by the topic's name in the current language: an id means nothing to a reader. A
    # set, so that two topics of the same name count a case once.
    topics: dict[str, set[int]] = defaultdict(set)
    for case_id, name, names in (
        Case.topics.through.objects.filter(case_scope, consenting("case__person"))
        .filter(case__opened_at__gte=since, case__opened_at__lt=until)
        .values_list("case_id", "taxonomyterm__name", "taxonomyterm__names")
        .order_by()
    ):
        topics[(names or {}).get(language) or name].add(case_id)
    with_topic: set[int] = set().union(*topics.values())
    if without_topic := [row["id"] for row in opened if row["id"] not in with_topic]:
        topics[NO_TOPIC] = set(without_topic)

    channels: dict[str, list[int]] = defaultdict(list)
    for interaction_id, channel in (
        Interaction.objects.filter(case_scope, consenting("case__person"), direction=Direction.IN)
        .exclude(channel=Channel.NOTE)
        .filter(occurred_at__gte=since, occurred_at__lt=until)
        .values_list("id", "channel")
        .order_by()
    ):
        channels[channel].append(interaction_id)
    overdue = (
        Case.objects.filter(scope, consenting("person"), status__in=ACTIVE)
        .filter(first_reply_at__isnull=True, due_at__lt=now)
        .values_list("id", flat=True)
        .order_by()
    )

    services: dict[str, list[int]] = defaultdict(list)
    results: dict[str, list[int]] = defaultdict(list)
    for referral_id, service, status, outcome in (
        Referral.objects.filter(case_scope, consenting("case__person"))
        .filter(sent_at__gte=since, sent_at__lt=until)
        .values_list("id", "service__name", "status", "outcome")
        .order_by()
    ):
        services[service].append(referral_id)
        results[outcome if status == ReferralStatus.COMPLETED and outcome else status].append(
            referral_id
        )

    cases, contacts, referrals = Keys("case"), Keys("interaction"), Keys("referral")
    # Only the totals' and the overlapping cells' keys count: a split follows its total's.
    opened_cases = round_tally(
        Tally(
            total=cases.count((row["id"] for row in opened), "cases_opened"),
            splits={"sex": cases.cells(sexes, "sex"), "island": cases.cells(islands, "island")},
            overlaps={
                "topic": cases.cells(topics, "topic"),
                "nationality": cases.cells(nationalities, "nationality"),
            },
        ),
        base=base,
    )
    contacts_total = contacts.count(
        (pk for records in channels.values() for pk in records), "contacts"
    )
    by_channel = round_tally(
        Tally(total=contacts_total, splits={"channel": contacts.cells(channels, "channel")}),
        base=base,
        at_least=opened_cases.total if contacts_total.n >= len(opened) else 0,
    )
    sent = round_tally(
        Tally(
            total=referrals.count(
                (pk for records in services.values() for pk in records), "referrals"
            ),
            splits={
                "service": referrals.cells(services, "service"),
                "result": referrals.cells(results, "result"),
            },
        ),
        base=base,
    )
    answers = [
        (row["id"], row["satisfaction"])
        for row in rows
        if row["satisfaction"] is not None and _in(row["satisfaction_asked_at"], since, until)
    ]
    answers_shown = round_count(
        cases.count((pk for pk, _score in answers), "satisfaction_answers"), base=base
    )
    # One definition of closed: resolved or closed, dated by the resolution (see the field).
    closed = cases.count(
        (row["id"] for row in rows if _in(row["resolved_at"], since, until)), "cases_closed"
    )
    overdue_shown = round_count(cases.count(overdue, "overdue_now"), base=base)

    countries = country_names()
    unknown = pgettext("statistics", "Not known")
    opened_total = opened_cases.total
    stats = UnitStatistics(
        unit=unit,
        start=start,
        end=end,
        time_zone=zone_name,
        small_cell=base,
        contacts=shown(by_channel.total),
        cases_opened=shown(opened_total),
        cases_closed=shown(round_count(closed, base=base)),
        overdue_now=shown(overdue_shown),
        median_hours_to_first_reply=_median_hours(rows, "first_reply_at", since, until, base),
        median_hours_to_resolution=_median_hours(rows, "resolved_at", since, until, base),
        satisfaction_answers=shown(answers_shown),
        satisfaction_average=round(sum(score for _pk, score in answers) / len(answers), 1)
        if answers_shown >= 2 * base
        else None,
        contacts_by_channel=build_breakdown(
            "contacts_by_channel",
            _("Contacts from people, by channel"),
            by_channel.breakdowns["channel"],
            {c.value: str(c.label) for c in Channel if c != Channel.NOTE},
            total=by_channel.total,
            fixed=True,
        ),
        opened_by_topic=build_breakdown(
            "cases_by_topic",
            _("Cases opened by topic"),
            opened_cases.breakdowns["topic"],
            {NO_TOPIC: _("No topic")},
            total=opened_total,
            fixed=False,
            note=_("A case with several topics counts under each."),
        ),
        opened_by_nationality=build_breakdown(
            "cases_by_nationality",
            _("Cases opened by nationality"),
            opened_cases.breakdowns["nationality"],
            {code: countries.get(code, code) for code in nationalities} | {UNKNOWN: unknown},
            total=opened_total,
            fixed=False,
            note=_("A person with several nationalities counts under each."),
        ),
        opened_by_sex=build_breakdown(
            "cases_by_sex",
            _("Cases opened by sex"),
            opened_cases.breakdowns["sex"],
            {s.value: str(s.label) for s in Sex},
            total=opened_total,
            fixed=True,
        ),
        opened_by_island=build_breakdown(
            "cases_by_island",
            _("Cases opened by island of the person"),
            opened_cases.breakdowns["island"],
            {i.value: str(i.label) for i in Island} | {UNKNOWN: unknown},
            total=opened_total,
            fixed=True,
        ),
        referrals_by_service=build_breakdown(
            "referrals_by_service",
            _("Referrals sent, by partner service"),
            sent.breakdowns["service"],
            {},
            total=sent.total,
            fixed=False,
        ),
        referrals_by_result=build_breakdown(
            "referrals_by_result",
            _("Referrals sent, by status or outcome"),
            sent.breakdowns["result"],
            {s.value: str(s.label) for s in ReferralStatus}
            | {o.value: str(o.label) for o in ReferralOutcome},
            total=sent.total,
            fixed=True,
        ),
    )
    record_reading(
        "cases.statistics.exported" if exported else "cases.statistics.viewed",
        user=user,
        stats=stats,
        # What left as a file: its rows of figures (``statistics_rows``, the header aside).
        rows=sum(1 for _row in statistics_rows(stats)) if exported else None,
    )
    return stats


def record_reading(action: str, *, user: User, stats: PeriodFigures, rows: int | None) -> None:
    """Audit ``action``, a reading of ``stats`` by ``user``: the period, the unit ("all":
    every unit) and, for a file, its number of ``rows``."""
    data: dict[str, Any] = {
        "period": f"{stats.start.isoformat()}/{stats.end.isoformat()}",
        "unit": stats.unit.slug if stats.unit is not None else "all",
    }
    if rows is not None:
        data["rows"] = rows
    audit.record(action=action, actor=user, unit=stats.unit, data=data)


def statistics_rows(stats: UnitStatistics) -> Iterator[tuple[str, str, str]]:
    """``(section, key, value)`` rows for a CSV: the rounded numbers, "<5" where a figure
    rounded to 0, and an empty value where there is nothing to compute (or too little to
    show). The period section says the rounding base."""

    def plain(value: float | None) -> str:
        return "" if value is None else f"{value:g}"

    count = partial(count_text, base=stats.small_cell)
    yield from period_rows(stats)
    yield ("summary", "contacts", count(stats.contacts))
    yield ("summary", "cases_opened", count(stats.cases_opened))
    yield ("summary", "cases_closed", count(stats.cases_closed))
    yield ("summary", "overdue_now", count(stats.overdue_now))
    yield ("summary", "median_hours_to_first_reply", plain(stats.median_hours_to_first_reply))
    yield ("summary", "median_hours_to_resolution", plain(stats.median_hours_to_resolution))
    yield ("summary", "satisfaction_answers", count(stats.satisfaction_answers))
    yield ("summary", "satisfaction_average", plain(stats.satisfaction_average))
    yield from breakdown_rows(stats.breakdowns, base=stats.small_cell)


def count_text(count: int | None, *, base: int) -> str:
    """A published count as a CSV file gives it: "<base" for one rounded to 0."""
    return f"<{base}" if count is None else str(count)


def period_rows(stats: PeriodFigures) -> Iterator[tuple[str, str, str]]:
    """The CSV rows of the ``period`` section: which figures these are and the rounding
    base."""
    yield ("period", "start", stats.start.isoformat())
    yield ("period", "end", stats.end.isoformat())
    yield ("period", "unit", stats.unit.slug if stats.unit else "all")
    yield ("period", "time_zone", stats.time_zone)
    yield ("period", "rounding_base", str(stats.small_cell))


def breakdown_rows(breakdowns: Iterable[Breakdown], *, base: int) -> Iterator[tuple[str, str, str]]:
    """The CSV rows of each breakdown, a section of its own: its cells, then its total."""
    for breakdown in breakdowns:
        for cell in breakdown.cells:
            yield (breakdown.code, cell.key, count_text(cell.count, base=base))
        yield (breakdown.code, "total", count_text(breakdown.total, base=base))
