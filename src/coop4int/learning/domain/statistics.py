"""What the training gave over a period: the people trained by audience, course, island, sex
and nationality, how many completed, and the certificates issued and revoked — published so
that no figure points at a person.

What is counted:

- people trained: the enrolments that held a place (accepted, completed or not completed) in
  a session that was not cancelled and whose first day falls in the period, of a course run by
  the unit (all units: every course). One per enrolment: someone trained in two sessions
  counts in each. Sex and nationality are the enrolment's (copied from the person's record
  when it was linked, else as the participant gave them); the island is the session's place's
  (``Location.island`` read as one of the nine islands), "online" for a session without a
  place;
- by audience: the audiences of the course taken together — a course for staff and civil
  society counts its participants once, under "staff and civil society";
- completed and ended: the enrolments above whose outcome was recorded as completed, and those
  with any outcome (completed or not completed); an enrolment still without an outcome has not
  ended;
- certificates issued, and certificates revoked, in the period (``issued_at``, ``revoked_at``)
  for a course run by the unit; a certificate revoked because its holder's record was erased
  is not counted as revoked (that figure would count erasures).

Who is counted: a person's enrolment only while the person has a live consent to the use of
their data in statistics (``people.enums.Purpose.STATISTICS``, as the support desk's figures
``cases.domain.statistics``); a member of staff's enrolment always (professional training of
the network's own staff, which their employer records: no consent is asked, and the page says
so); an anonymised enrolment (``anonymised_at``: its person erased or past retention) still
counts through the sex and nationality it keeps — it no longer leads to anyone. An enrolment
that names no one (an application from the public site not linked to a record) is never
counted. The certificates follow their enrolment's rule.

Disclosure control: the support desk's (``cases.domain.statistics``), every figure and every
total included. Each enrolment and certificate has a secret key (a keyed hash of its id); a
count's key is drawn from its records' keys, so asking again for the same figures — or for
another period holding the same records — gives the same numbers, and repeated requests
cannot be averaged. A count ``c`` is published as the multiple of the base
(``small_cell()``, 5) just below or just above it, above with probability ``(c mod b)/b`` —
on average the exact count; a figure that rounds to 0 is shown as "<5", and no count from 1
to 4 is ever shown as such.

Controlled: what a reader knows of the exact counts holds of the published ones. Which course
is given on which island and for whom is public (the catalogue lists the sessions), so the
total, the audience groups, the courses, the (course, island) cells — not published — and
the islands are rounded together as one network, total → audience group → course → island →
total, by dependent rounding (``round_circulation``): each is rounded to a multiple next to
it, and each level still adds up exactly to the one above — rounding courses and islands each
on their own could give "course A: 5, Santiago: <5" when course A is given only on Santiago,
pinning both between 1 and 4. The sex, nationality and outcome tables split the same rounded
total by systematic sampling (``round_tally``); completed and not completed are laid side by
side there, so that ended, their sum, is itself rounded to a multiple next to the exact
count, completed never exceeds ended, nor ended the people trained. The published table is
then itself a possible truth, and so is the table with ``base - 1`` more in the total and in
one cell (with its course, island and audience group) of each table: every figure may be
anything from its published value to ``base - 1`` more. ``learning/tests/test_statistics.py``
attacks the published figures with a linear programme (HiGHS) holding every relation the
catalogue gives, and narrows no count below ``base - 1``. The certificates issued and revoked
are each rounded on their own.

The completion rate is computed from the two published figures (completed / ended, in whole
per cent), never from the exact counts — it tells nothing the figures do not — and is given
only when the published number of ended enrolments reaches ``2 · base`` (10): below that the
rounding of each figure would make it meaningless.

Lists: islands, sexes and outcomes are fixed lists, every group shown, "<5" included; the
courses and audience groups are those of every course with a session in the period (the
catalogue's own facts), "<5" included; nationalities are an open-ended list that leaves out
the groups shown as "<5", since listing them would tell that someone is there.

Not covered: figures of other periods or units, each rounded on its own (the difference of two
may be off by up to ``2 · (base - 1)``); and what the public catalogue tells of a session
(the places left while it takes applications) is outside these figures' control.

Scope: the support desk's rule (``cases.domain.statistics.statistics_units``) with the
training permission: administrators and analysts read every unit, or all together; others
with ``VIEW_TRAINING_STATISTICS`` their own unit; another unit answers 404. Periods are whole
days, both ends included, in the unit's time zone. Each reading is audited:
``learning.statistics.viewed``, or ``learning.statistics.exported`` for the CSV file with its
number of rows. Whatever the data, a reading costs the same seven queries at most.
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from functools import partial
from random import Random
from typing import Any
from zoneinfo import ZoneInfo

from babel.lists import format_list
from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _

from coop4int.accounts.enums import Island
from coop4int.accounts.models import Unit, User
from coop4int.accounts.roles import Permission
from coop4int.cases.domain import statistics as desk_statistics
from coop4int.cases.domain.statistics import (
    Breakdown,
    Cell,
    Counted,
    Keys,
    PeriodFigures,
    Tally,
    breakdown_rows,
    build_breakdown,
    consenting,
    count_text,
    country_names,
    period_bounds,
    period_rows,
    record_reading,
    round_count,
    round_tally,
    shown,
    small_cell,
    unit_time_zone,
)
from coop4int.content.models import Translation
from coop4int.core.formatting import current_locale
from coop4int.core.text_search import fold
from coop4int.learning.enums import HOLDING, Audience, EnrolmentStatus, RevocationReason
from coop4int.learning.models import Certificate, CourseSession, Enrolment
from coop4int.people.enums import Sex

ONLINE = "online"
UNKNOWN = "unknown"
COMPLETED = EnrolmentStatus.COMPLETED.value
NOT_COMPLETED = EnrolmentStatus.NOT_COMPLETED.value
NO_OUTCOME = "no_outcome"
OUTCOMES = (COMPLETED, NOT_COMPLETED, NO_OUTCOME)

_ISLAND_CODES = {
    **{fold(str(island.label)): island.value for island in Island},
    **{fold(island.value.replace("_", " ")): island.value for island in Island},
}
_AUDIENCE_ORDER = {audience.value: n for n, audience in enumerate(Audience)}
# The outcomes in the order their cells are laid out: the two that ended side by side, so
# that their sum is rounded like a cell of its own.
_OUTCOME_CELLS = {"1": COMPLETED, "2": NOT_COMPLETED, "3": NO_OUTCOME}
_MODULUS = 2**64


def island_of(name: str | None, *, online: bool) -> str:
    """The island code of a session's place, whatever its spelling ("Santo Antão", "santo
    antao", "santo_antao"); ``ONLINE`` for a session without a place, ``UNKNOWN`` for a place
    whose island is not one of the nine (or not given)."""
    if online:
        return ONLINE
    return _ISLAND_CODES.get(fold((name or "").strip()).replace("_", " "), UNKNOWN)


# --- Rounding: pure functions on the enrolments counted ----------------------------------------


@dataclass(frozen=True, slots=True)
class Participation:
    """One enrolment counted among the people trained, with what the figures split it by."""

    pk: int
    course: int
    island: str
    """An ``Island`` code, ``ONLINE`` or ``UNKNOWN``."""
    sex: str
    nationality: str
    """An ISO 3166 code in capitals, or ``UNKNOWN``."""
    outcome: str
    """``COMPLETED``, ``NOT_COMPLETED`` or ``NO_OUTCOME``."""


def audience_group(codes: Iterable[str]) -> str:
    """The key of a course's audiences taken together ("staff+civil_society"), in the order of
    ``Audience``; ``UNKNOWN`` for a course that names none."""
    found = sorted(set(codes), key=lambda code: (_AUDIENCE_ORDER.get(code, len(Audience)), code))
    return "+".join(found) or UNKNOWN


def _group_order(group: str) -> list[int]:
    return [_AUDIENCE_ORDER.get(code, len(Audience)) for code in group.split("+")]


@dataclass(frozen=True, slots=True)
class RoundedParticipants:
    """The people trained, rounded: every figure a multiple of the base (0: "<base")."""

    total: int
    by_pair: dict[tuple[int, str], int]
    """By course and island: not published, the cells the course and island figures add up."""
    by_course: dict[int, int]
    by_island: dict[str, int]
    by_audience: dict[str, int]
    """By ``audience_group`` of the course."""
    by_sex: dict[str, int]
    by_nationality: dict[str, int]
    by_outcome: dict[str, int]

    @property
    def completed(self) -> int:
        return self.by_outcome.get(COMPLETED, 0)

    @property
    def ended(self) -> int:
        return self.by_outcome.get(COMPLETED, 0) + self.by_outcome.get(NOT_COMPLETED, 0)


Arc = tuple[str, str, int]
"""From, to, and how many: an arc of a circulation (at every node, what comes in goes out)."""


def _cycle(arcs: Sequence[Arc], fractional: Sequence[int]) -> list[tuple[int, int]]:
    """A cycle of the ``fractional`` arcs, as (arc, +1 forwards or -1 backwards). At every
    node the fractional parts coming in and going out differ by a whole number, so a node
    that one fractional arc touches has another: walking on finds a node already seen."""
    touching: dict[str, list[int]] = defaultdict(list)
    for index in fractional:
        tail, head, _n = arcs[index]
        touching[tail].append(index)
        touching[head].append(index)
    node = arcs[fractional[0]][0]
    seen = {node: 0}
    steps: list[tuple[int, int]] = []
    came: int | None = None
    while True:
        index = next(i for i in touching[node] if i != came)
        tail, head, _n = arcs[index]
        direction, node = (1, head) if tail == node else (-1, tail)
        steps.append((index, direction))
        came = index
        if node in seen:
            return steps[seen[node] :]
        seen[node] = len(steps)


def round_circulation(arcs: Sequence[Arc], *, base: int, seed: int) -> list[int]:
    """Every arc's count rounded down or up to a multiple of ``base`` — up with probability
    ``(n mod base)/base`` — so that at every node what comes in still goes out: controlled
    rounding of a network, by dependent rounding (Gandhi, Khuller, Parthasarathy and
    Srinivasan, J. ACM 53, 2006) on a circulation. The fractional parts ``(n mod base)/base``
    are moved round cycles of fractional arcs, by the most that keeps them in [0, 1] one way or
    the other, the way drawn so that each part keeps its mean, until none is left. ``seed``
    draws the ways: the same arcs and seed round the same."""
    draws = Random(seed)
    parts = [Fraction(n % base, base) for _tail, _head, n in arcs]
    while fractional := [index for index, part in enumerate(parts) if 0 < part < 1]:
        cycle = _cycle(arcs, fractional)
        up = min(1 - parts[i] if d > 0 else parts[i] for i, d in cycle)
        down = min(parts[i] if d > 0 else 1 - parts[i] for i, d in cycle)
        step = up if Fraction(draws.getrandbits(64), _MODULUS) * (up + down) < down else -down
        for index, direction in cycle:
            parts[index] += direction * step
    return [
        n - n % base + base * int(part) for (_tail, _head, n), part in zip(arcs, parts, strict=True)
    ]


def _start_key(key: int, *, n: int, base: int, up: bool) -> int:
    """A total's key for ``round_tally`` that rounds ``n`` up (or down) as ``up`` says, drawn
    from ``key`` evenly over the keys that do: the splits then start at a point as even as the
    total's own."""
    residue = n % base
    if residue == 0:
        return key
    if up:
        return key * residue // base
    start = residue * _MODULUS + key * (base - residue)
    return min(-(-start // base), _MODULUS - 1)


def round_participants(
    participations: Iterable[Participation],
    *,
    audiences: Mapping[int, Sequence[str]],
    base: int,
) -> RoundedParticipants:
    """The people trained rounded as the module describes. ``audiences``: the audiences of
    every course listed (those with a session in the period), which are all the courses the
    participations may name.

    Total, audience groups, courses, (course, island) cells and islands are one circulation
    (total → audience group → course → island → total) rounded by ``round_circulation``; sex,
    nationality and outcome split the same rounded total (``round_tally``, from a start on the
    side of the total's rounding)."""
    rows = list(participations)
    keys = Keys("enrolment")
    pairs: dict[tuple[int, str], int] = defaultdict(int)
    sexes: dict[str, list[int]] = defaultdict(list)
    nationalities: dict[str, list[int]] = defaultdict(list)
    outcomes: dict[str, list[int]] = {cell: [] for cell in _OUTCOME_CELLS}
    cell_of = {outcome: cell for cell, outcome in _OUTCOME_CELLS.items()}
    for row in rows:
        pairs[(row.course, row.island)] += 1
        sexes[row.sex].append(row.pk)
        nationalities[row.nationality].append(row.pk)
        outcomes[cell_of[row.outcome]].append(row.pk)
    total = keys.count((row.pk for row in rows), "training_participants")
    groups = {course: audience_group(audiences.get(course) or ()) for course in audiences}
    for course, _island in pairs:
        groups.setdefault(course, UNKNOWN)
    courses: dict[int, int] = dict.fromkeys(sorted(groups), 0)
    islands: dict[str, int] = {}
    for (course, island), n in pairs.items():
        courses[course] += n
        islands[island] = islands.get(island, 0) + n
    by_group: dict[str, int] = dict.fromkeys(sorted(set(groups.values())), 0)
    for course, n in courses.items():
        by_group[groups[course]] += n
    arcs: list[Arc] = [("t", "s", total.n)]
    arcs += [("s", f"g:{group}", n) for group, n in by_group.items()]
    arcs += [(f"g:{groups[course]}", f"c:{course}", n) for course, n in courses.items()]
    arcs += [(f"c:{c}", f"i:{i}", n) for (c, i), n in sorted(pairs.items())]
    arcs += [(f"i:{island}", "t", n) for island, n in sorted(islands.items())]
    rounded = iter(round_circulation(arcs, base=base, seed=total.key))
    rounded_total = next(rounded)
    by_audience = {group: next(rounded) for group in by_group}
    by_course = {course: next(rounded) for course in courses}
    by_pair = {pair: next(rounded) for pair in sorted(pairs)}
    by_island = {island: next(rounded) for island in sorted(islands)}

    start = keys.count((row.pk for row in rows), "training_participants_splits").key
    splits = round_tally(
        Tally(
            total=Counted(
                total.n,
                _start_key(start, n=total.n, base=base, up=rounded_total > total.n),
            ),
            splits={
                "sex": keys.cells(sexes, "sex"),
                "nationality": keys.cells(nationalities, "nationality"),
                "outcome": keys.cells(outcomes, "outcome"),
            },
        ),
        base=base,
    )
    assert splits.total == rounded_total, (splits.total, rounded_total)
    return RoundedParticipants(
        total=rounded_total,
        by_pair=by_pair,
        by_course=by_course,
        by_island=by_island,
        by_audience=by_audience,
        by_sex=splits.breakdowns["sex"],
        by_nationality=splits.breakdowns["nationality"],
        by_outcome={_OUTCOME_CELLS[cell]: n for cell, n in splits.breakdowns["outcome"].items()},
    )


def completion_rate(completed: int, ended: int, *, base: int) -> int | None:
    """Completed out of ended, in whole per cent, from the *published* figures; ``None`` when
    the published ended enrolments are fewer than ``2 · base``."""
    if ended < 2 * base:
        return None
    return round(100 * completed / ended)


# --- What the page shows ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TrainingStatistics(PeriodFigures):
    participants: int | None
    completed: int | None
    ended: int | None
    """Completed or not completed: an outcome recorded."""
    completion_rate: int | None
    """Per cent, from the published ``completed`` and ``ended``; ``None`` under ``rate_from``
    ended."""
    certificates_issued: int | None
    certificates_revoked: int | None
    by_audience: Breakdown
    by_course: Breakdown
    by_island: Breakdown
    by_sex: Breakdown
    by_nationality: Breakdown
    by_outcome: Breakdown

    @property
    def rate_from(self) -> int:
        """The published number of ended enrolments from which the rate is given."""
        return 2 * self.small_cell

    @property
    def breakdowns(self) -> tuple[Breakdown, ...]:
        return (
            self.by_audience,
            self.by_course,
            self.by_island,
            self.by_sex,
            self.by_nationality,
            self.by_outcome,
        )


def sees_all_units(user: User) -> bool:
    """Whether ``user`` may read every unit's training statistics, and all units together."""
    return desk_statistics.sees_all_units(user, Permission.VIEW_TRAINING_STATISTICS)


def statistics_units(user: User) -> QuerySet[Unit]:
    """The units whose training statistics ``user`` may read. Partner organisations run no
    courses: a course they give is run by a unit and names them as its organisation."""
    return desk_statistics.statistics_units(user, Permission.VIEW_TRAINING_STATISTICS)


def _readable_unit(user: User, unit_id: int | None) -> Unit | None:
    """The unit asked for, or ``None`` for all units; 404 outside the user's reach."""
    if unit_id is None:
        if not sees_all_units(user):
            raise Http404
        return None
    unit = statistics_units(user).filter(pk=unit_id).first()
    if unit is None:
        raise Http404
    return unit


def counted_enrolments(prefix: str = "") -> Q:
    """The enrolments (at ``prefix``, e.g. ``"enrolment__"``) the figures may count: staff's,
    anonymised ones, and people's with a live consent to statistics."""
    return (
        Q(**{f"{prefix}staff__isnull": False})
        | Q(**{f"{prefix}anonymised_at__isnull": False})
        | Q(consenting(f"{prefix}person"))
    )


def _outcome(status: str) -> str:
    return status if status in (COMPLETED, NOT_COMPLETED) else NO_OUTCOME


def _cells(
    rounded: Mapping[str, int], labels: Mapping[str, str], keys: Iterable[str]
) -> tuple[Cell, ...]:
    return tuple(Cell(key, labels.get(key, key), shown(rounded.get(key, 0))) for key in keys)


def _course_titles(courses: Mapping[int, tuple[str, Any, str]]) -> dict[int, str]:
    """Each course's title in the current language, else in its source language, else its
    short name: one query."""
    language = get_language() or settings.LANGUAGE_CODE
    by_item: dict[Any, dict[str, str]] = defaultdict(dict)
    items = {item for _slug, item, _source in courses.values()}
    for item, code, title in Translation.objects.filter(item_id__in=items).values_list(
        "item_id", "language", "title"
    ):
        by_item[item][code] = title
    titles = {}
    for course, (slug, item, source) in courses.items():
        texts = by_item.get(item, {})
        titles[course] = texts.get(language) or texts.get(source) or slug
    return titles


def training_statistics(
    user: User, *, unit_id: int | None, start: date, end: date, exported: bool = False
) -> TrainingStatistics:
    """The training figures of ``unit_id`` (``None``: all units) from ``start`` to ``end``,
    both days included, counted and rounded as the module describes. 404 when ``user`` may
    not read that unit (or all units), and for a unit that does not exist; ``ValueError``
    when ``end`` is before ``start``.

    Side effects: audit ``learning.statistics.viewed``, or ``learning.statistics.exported``
    when ``exported`` (with the number of rows ``statistics_rows`` gives)."""
    if end < start:
        raise ValueError("end before start")
    unit = _readable_unit(user, unit_id)
    base = small_cell()
    zone_name = unit_time_zone(unit)
    since, until = period_bounds(start, end, ZoneInfo(zone_name))
    course_scope = Q() if unit is None else Q(course__unit=unit)

    # The courses with a session in the period: listed whoever took part.
    courses: dict[int, tuple[str, Any, str]] = {}
    audiences: dict[int, list[str]] = {}
    for course, slug, item, source, course_audiences in (
        CourseSession.objects.filter(
            course_scope, cancelled_at__isnull=True, starts_at__gte=since, starts_at__lt=until
        )
        .values_list(
            "course_id", "course__slug", "course__description_id",
            "course__description__source_language", "course__audiences",
        )
        .order_by()
    ):  # fmt: skip
        courses[course] = (slug, item, source)
        audiences[course] = [str(code) for code in course_audiences or []]

    participations = [
        Participation(
            pk=pk,
            course=course,
            island=island_of(island, online=location is None),
            sex=sex or Sex.NOT_STATED,
            nationality=(nationality or "").upper() or UNKNOWN,
            outcome=_outcome(status),
        )
        for pk, status, sex, nationality, course, location, island in Enrolment.objects.filter(
            Q() if unit is None else Q(session__course__unit=unit),
            counted_enrolments(),
            status__in=HOLDING,
            session__cancelled_at__isnull=True,
            session__starts_at__gte=since,
            session__starts_at__lt=until,
        )
        .values_list(
            "id", "status", "sex", "nationality", "session__course_id", "session__location_id",
            "session__location__island",
        )
        .order_by()
    ]  # fmt: skip
    trained = round_participants(participations, audiences=audiences, base=base)

    certificates = Keys("certificate")
    certificate_scope = Q() if unit is None else Q(enrolment__session__course__unit=unit)
    counted = Certificate.objects.filter(certificate_scope, counted_enrolments("enrolment__"))
    issued = round_count(
        certificates.count(
            counted.filter(issued_at__gte=since, issued_at__lt=until)
            .values_list("id", flat=True)
            .order_by(),
            "certificates_issued",
        ),
        base=base,
    )
    revoked = round_count(
        certificates.count(
            counted.filter(revoked_at__gte=since, revoked_at__lt=until)
            .exclude(revocation_reason=RevocationReason.ERASED)
            .values_list("id", flat=True)
            .order_by(),
            "certificates_revoked",
        ),
        base=base,
    )

    titles = _course_titles(courses) if courses else {}
    countries = country_names()
    unknown = pgettext("statistics", "Not known")
    total = shown(trained.total)
    course_order = sorted(trained.by_course, key=lambda course: (titles.get(course, ""), course))
    nationality_order = sorted(
        (code for code, count in trained.by_nationality.items() if count),
        key=lambda code: (-trained.by_nationality[code], countries.get(code, code)),
    )
    island_labels: dict[str, str] = {i.value: str(i.label) for i in Island} | {
        ONLINE: _("Online"),
        UNKNOWN: unknown,
    }
    audience_labels = {a.value: str(a.label) for a in Audience} | {UNKNOWN: unknown}
    # A group of audiences reads as the list of them ("Staff… and Civil society…").
    group_labels = {
        group: format_list(
            [audience_labels.get(code, code) for code in group.split("+")],
            locale=current_locale(),
        )
        for group in trained.by_audience
    }
    sex_labels: dict[str, str] = {s.value: str(s.label) for s in Sex}
    outcome_labels = {
        COMPLETED: _("Completed"),
        NOT_COMPLETED: _("Did not complete"),
        NO_OUTCOME: _("No outcome recorded yet"),
    }

    stats = TrainingStatistics(
        unit=unit,
        start=start,
        end=end,
        time_zone=zone_name,
        small_cell=base,
        participants=total,
        completed=shown(trained.completed),
        ended=shown(trained.ended),
        completion_rate=completion_rate(trained.completed, trained.ended, base=base),
        certificates_issued=shown(issued),
        certificates_revoked=shown(revoked),
        by_audience=Breakdown(
            code="trained_by_audience",
            title=_("People trained, by audience of the course"),
            cells=_cells(
                trained.by_audience,
                group_labels,
                sorted(trained.by_audience, key=lambda group: (_group_order(group), group)),
            ),
            total=total,
            note=_(
                "A course for several audiences counts its participants once, under all of "
                "them together."
            ),
        ),
        by_course=Breakdown(
            code="trained_by_course",
            title=_("People trained, by course"),
            cells=tuple(
                Cell(slug, titles.get(course, slug), shown(trained.by_course[course]))
                for course in course_order
                for slug in [courses[course][0] if course in courses else str(course)]
            ),
            total=total,
            note=_("Every course with a session starting in the period is listed."),
        ),
        by_island=build_breakdown(
            "trained_by_island",
            _("People trained, by island of the session"),
            trained.by_island,
            island_labels,
            total=trained.total,
            fixed=True,
        ),
        by_sex=build_breakdown(
            "trained_by_sex",
            _("People trained, by sex"),
            trained.by_sex,
            sex_labels,
            total=trained.total,
            fixed=True,
        ),
        by_nationality=Breakdown(
            code="trained_by_nationality",
            title=_("People trained, by nationality"),
            cells=_cells(
                trained.by_nationality,
                {code: countries.get(code, code) for code in nationality_order}
                | {UNKNOWN: unknown},
                nationality_order,
            ),
            total=total,
            lists_all=False,
        ),
        by_outcome=build_breakdown(
            "trained_by_outcome",
            _("People trained, by outcome"),
            trained.by_outcome,
            outcome_labels,
            total=trained.total,
            fixed=True,
        ),
    )
    record_reading(
        "learning.statistics.exported" if exported else "learning.statistics.viewed",
        user=user,
        stats=stats,
        rows=sum(1 for _row in statistics_rows(stats)) if exported else None,
    )
    return stats


def statistics_rows(stats: TrainingStatistics) -> Iterator[tuple[str, str, str]]:
    """``(section, key, value)`` rows for a CSV file, the header aside: the rounded numbers,
    "<5" where a figure rounded to 0, and an empty value for a rate too few to give. The
    period section says the rounding base."""

    count = partial(count_text, base=stats.small_cell)
    yield from period_rows(stats)
    yield ("summary", "people_trained", count(stats.participants))
    yield ("summary", "completed", count(stats.completed))
    yield ("summary", "ended", count(stats.ended))
    rate = "" if stats.completion_rate is None else str(stats.completion_rate)
    yield ("summary", "completion_rate_percent", rate)
    yield ("summary", "certificates_issued", count(stats.certificates_issued))
    yield ("summary", "certificates_revoked", count(stats.certificates_revoked))
    yield from breakdown_rows(stats.breakdowns, base=stats.small_cell)
