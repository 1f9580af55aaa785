"""The attacker of the statistics page, as a linear programme (HiGHS through ``highspy``).

Variables: the exact counts behind every published figure — each cell, each population total
and each figure of the summary — non-negative. Constraints: what each published value says of
its count (``rounded_bounds`` for today's rules, ``naive_bounds`` for the old ones), and every
relation known to hold between counts: the breakdowns that split a population add up to its
total, a cell of a breakdown where a record counts under several cells is at most the total
and those cells add up to at least it, and the contacts are not fewer than the cases opened
(each case opened brings its first contact) when that holds. Minimising and maximising each
variable gives the range an attacker can narrow it to; the statistics are safe when no range
is narrower than the rounding base less one.

The attacker may be given more than the page says (``hidden``): the key of every group that
exists, so that the groups left out of the open-ended lists (topics, nationalities, services)
are variables bounded by "<base" rather than unknowns — and one group more in each such list,
as the page never says that a list is complete (without it, an empty list of groups would
tell that its population is empty). Fewer possible groups than in truth only narrows the
ranges: this attacker knows at least as much as any reader.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import highspy

Published = Mapping[tuple[str, str], str]
"""(section, key) → value, as in the CSV file."""


@dataclass(frozen=True)
class Population:
    name: str
    summary: str | None
    """The summary row that publishes its total, if any."""
    splits: tuple[str, ...]
    overlaps: tuple[str, ...] = ()


POPULATIONS = (
    Population(
        "cases",
        "cases_opened",
        splits=("cases_by_sex", "cases_by_island"),
        overlaps=("cases_by_topic", "cases_by_nationality"),
    ),
    Population("contacts", "contacts", splits=("contacts_by_channel",)),
    Population("referrals", None, splits=("referrals_by_service", "referrals_by_result")),
)
SINGLES = ("cases_closed", "overdue_now", "satisfaction_answers")
BREAKDOWNS = {section: p for p in POPULATIONS for section in (*p.splits, *p.overlaps)}
OPEN_ENDED = ("cases_by_topic", "cases_by_nationality", "referrals_by_service")
"""The lists that leave out the groups shown as "<base"."""
ANOTHER = "(another group)"


def rounded_bounds(value: str, base: int) -> tuple[int, int]:
    """Today's rules: "<base" is 0 to base - 1; a number is a multiple of base rounded from
    anything less than base away (and is at least 1, a count of 0 never rounding up)."""
    if value == f"<{base}":
        return (0, base - 1)
    number = int(value)
    assert number % base == 0, value
    return (max(1, number - base + 1), number + base - 1)


def naive_bounds(value: str, base: int) -> tuple[int, int]:
    """The old rules: "<base" is 1 to base - 1; every other number, zero and totals included,
    is exact."""
    if value == f"<{base}":
        return (1, base - 1)
    return (int(value), int(value))


def variable(section: str, key: str) -> str:
    return f"{section}:{key}"


class Attack:
    """Counts with bounds and relations, collected first, then solved."""

    def __init__(self) -> None:
        self.bounds: dict[str, tuple[float, float]] = {}
        self.relations: list[tuple[str, str, list[str]]] = []

    def count(self, name: str, low: float = 0, high: float = highspy.kHighsInf) -> None:
        """A count (non-negative), its bounds narrowed to ``low``..``high``."""
        was_low, was_high = self.bounds.get(name, (0, highspy.kHighsInf))
        self.bounds[name] = (max(low, was_low), min(high, was_high))

    def add_up(self, total: str, cells: Iterable[str]) -> None:
        self.relations.append(("=", total, list(cells)))

    def overlap(self, total: str, cells: Iterable[str]) -> None:
        cells = list(cells)
        self.relations.extend(("<=", total, [cell]) for cell in cells)
        self.relations.append((">=", total, cells))

    def at_least(self, larger: str, smaller: str) -> None:
        self.relations.append(("<=", larger, [smaller]))

    def ranges(self) -> dict[str, tuple[float, float]]:
        highs = highspy.Highs()
        highs.setOptionValue("output_flag", False)
        variables = {
            name: highs.addVariable(lb=low, ub=high) for name, (low, high) in self.bounds.items()
        }
        for sense, total, cells in self.relations:
            # sum(cells) (sense) total
            terms = highs.qsum(variables[cell] for cell in cells)
            if sense == "=":
                highs.addConstr(terms == variables[total])
            elif sense == "<=":
                highs.addConstr(terms <= variables[total])
            else:
                highs.addConstr(terms >= variables[total])
        found: dict[str, tuple[float, float]] = {}
        for name, var in variables.items():
            ends = []
            for solve in (highs.minimize, highs.maximize):
                solve(var)
                status = highs.getModelStatus()
                assert status == highspy.HighsModelStatus.kOptimal, (name, status)
                ends.append(highs.getObjectiveValue())
            found[name] = (ends[0], ends[1])
        return found


def feasible_ranges(
    published: Published,
    *,
    base: int,
    bounds: Callable[[str, int], tuple[int, int]],
    hidden: Mapping[str, Iterable[str]] | None = None,
    contacts_cover_cases: bool = False,
) -> dict[str, tuple[float, float]]:
    """The range of every count behind ``published``. ``hidden``: for each section, the keys
    of the groups that exist (those not listed are "<base"; the open-ended lists get one more
    group). ``contacts_cover_cases``: the exact contacts are at least the exact cases
    opened."""
    attack = Attack()
    cells: dict[str, list[str]] = {section: [] for section in BREAKDOWNS}
    for population in POPULATIONS:
        attack.count(population.name)
        if population.summary is not None:
            attack.count(population.name, *bounds(published[("summary", population.summary)], base))
    for (section, key), value in published.items():
        if section in BREAKDOWNS:
            population = BREAKDOWNS[section].name
            if key == "total":
                attack.count(population, *bounds(value, base))
            else:
                attack.count(variable(section, key), *bounds(value, base))
                cells[section].append(variable(section, key))
        elif section == "summary" and key in SINGLES:
            attack.count(variable(section, key), *bounds(value, base))
    if hidden is not None:
        hidden = {section: [*hidden.get(section, ()), ANOTHER] for section in OPEN_ENDED} | {
            section: keys for section, keys in hidden.items() if section not in OPEN_ENDED
        }
    for section, keys in (hidden or {}).items():
        for key in keys:
            if (section, key) not in published:
                attack.count(variable(section, key), 0, base - 1)
                cells[section].append(variable(section, key))
    # A breakdown not published at all tells nothing; one published with no group listed
    # (and none hidden) says its population is empty.
    present = {section for section, _key in published} | set(hidden or {})
    for population in POPULATIONS:
        for section in population.splits:
            if section in present:
                attack.add_up(population.name, cells[section])
        for section in population.overlaps:
            if section in present:
                attack.overlap(population.name, cells[section])
    if contacts_cover_cases:
        attack.at_least("contacts", "cases")
    return attack.ranges()


def narrower_than(
    ranges: Mapping[str, tuple[float, float]], width: int
) -> dict[str, tuple[float, float]]:
    """The counts an attacker pins down to a range narrower than ``width`` (the safe width
    being the base less one: "<5" may be 0 or 4)."""
    return {name: (low, high) for name, (low, high) in ranges.items() if high - low < width - 1e-6}


def outside(
    ranges: Mapping[str, tuple[float, float]], truth: Mapping[str, int]
) -> dict[str, tuple[int, tuple[float, float]]]:
    """The exact counts that the programme wrongly rules out (its constraints would then not
    be true of the data): must be empty."""
    return {
        name: (value, ranges[name])
        for name, value in truth.items()
        if not ranges[name][0] - 1e-6 <= value <= ranges[name][1] + 1e-6
    }
