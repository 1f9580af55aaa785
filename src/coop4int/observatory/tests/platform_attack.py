"""The attacker of the platform's published tables: every count of one quarter, all the
indicators together, as a linear programme (HiGHS, through the support desk's ``Attack``).

Variables: the exact count behind every published figure — each table's total and each group
of each one-way breakdown — and the later contacts (the contacts less the cases opened), all
non-negative. What the attacker knows:

- what each published value says of its count: ``rounded_bounds`` for today's rules (a figure
  is its count rounded to a multiple of the base, withheld is 0 to ``base - 1``),
  ``naive_bounds`` for exact publication with "<5" for 1 to 4;
- every relation between the counts that the definitions give: a breakdown that splits a
  table's records adds up to its total; in a breakdown where a record counts under several
  groups (nationalities, topics) each group is at most the total and together they reach it;
  a contacts figure is the cases opened plus the later contacts, by unit and by channel — by
  today's rules each published as its own rounding, so the attacker reads the later contacts'
  rounded figure off as the difference of the two published ones;
- with ``hidden``, the groups that exist in truth: a group a list leaves out (it rounded to
  0) is a count of 0 to ``base - 1`` rather than an unknown — and the open-ended lists get one
  group more, as the tables never say that such a list is complete.

The median waiting times are not counts and are left out. Minimising and maximising each
variable gives the range the attacker narrows it to: the tables are safe when no range is
narrower than ``base - 1``.
"""

from collections.abc import Iterable, Mapping, Sequence

from coop4int.cases.tests.disclosure_attack import (
    ANOTHER,
    Attack,
    naive_bounds,
    narrower_than,
    outside,
    rounded_bounds,
)
from coop4int.observatory.enums import TOTAL

__all__ = ["LATER", "feasible_ranges", "narrower_than", "outside", "variable"]

Key = tuple[str, ...]
Published = Mapping[str, Mapping[Key, str]]
"""Indicator code → series key → the figure as a reader sees it ("15", or "<5" withheld)."""

CASES = "PLATFORM_CASES_OPENED"
CONTACTS = "PLATFORM_CONTACTS"
LATER = "LATER_CONTACTS"
"""The population of the contacts after a case's first: not published, known by difference."""
COUNTED = {
    # table: the breakdowns that split it, and those where a record counts under several groups
    CASES: (("UNIT", "CHANNEL", "ISLAND", "SEX"), ("CITIZENSHIP", "TOPIC")),
    "PLATFORM_APPOINTMENTS": (("UNIT", "SEX", "OUTCOME"), ()),
    "PLATFORM_PEOPLE_TRAINED": (("COURSE", "SEX", "OUTCOME"), ()),
    LATER: (("UNIT", "CHANNEL"), ()),
}
OPEN_ENDED = {CASES: ("CITIZENSHIP", "TOPIC")}
"""The lists that leave out the groups that round to 0."""


def variable(table: str, dimension: str | None = None, code: str = "") -> str:
    """The name of a count: a table's total, or one group of one of its breakdowns."""
    return table if dimension is None else f"{table}:{dimension}={code}"


def cell_of(dimensions: Sequence[str], key: Key) -> tuple[str | None, str]:
    """The breakdown and group of a one-way series key: ``(None, "")`` for the total."""
    named = [(d, code) for d, code in zip(dimensions, key, strict=True) if code != TOTAL]
    assert len(named) <= 1, key
    return named[0] if named else (None, "")


def _number(value: str) -> int:
    return 0 if value.startswith("<") else int(value)


def feasible_ranges(
    published: Published,
    *,
    dimensions: Mapping[str, Sequence[str]],
    base: int,
    rounded: bool,
    hidden: Mapping[str, Mapping[str, Iterable[str]]] | None = None,
) -> dict[str, tuple[float, float]]:
    """The range of every count behind the ``published`` tables of a quarter (``dimensions``:
    each table's). ``rounded``: published by today's rules (else exactly, "<base" for 1 to
    ``base - 1``). ``hidden``: table → breakdown → the groups that exist."""
    bounds = rounded_bounds if rounded else naive_bounds
    attack = Attack()
    cells: dict[tuple[str, str], list[str]] = {}
    present: set[tuple[str, str]] = set()

    def count(table: str, dimension: str | None, code: str, value: str | None) -> None:
        name = variable(table, dimension, code)
        if value is None:
            attack.count(name)
        else:
            attack.count(name, *bounds(value, base))
        if dimension is not None and name not in cells.setdefault((table, dimension), []):
            cells[(table, dimension)].append(name)

    for table, figures in published.items():
        if table not in COUNTED:
            continue  # not counts (the medians)
        count(table, None, "", None)
        for key, value in figures.items():
            dimension, code = cell_of(dimensions[table], key)
            count(table, dimension, code, value)
            if dimension is not None:
                present.add((table, dimension))

    # The contacts: the cases opened plus the later contacts, figure by figure.
    contacts = published.get(CONTACTS, {})
    count(LATER, None, "", None)
    for key, value in contacts.items():
        dimension, code = cell_of(dimensions[CONTACTS], key)
        cases_key = tuple(
            key[dimensions[CONTACTS].index(d)] if d in dimensions[CONTACTS] else TOTAL
            for d in dimensions[CASES]
        )
        cases_value = published[CASES].get(cases_key, f"<{base}")
        contacts_name = variable(CONTACTS, dimension, code)
        if rounded:
            # Each part is rounded on its own: the later contacts' rounding is the difference.
            later = _number(value) - _number(cases_value)
            assert later >= 0, (key, value, cases_value)
            assert later % base == 0, (key, value, cases_value)
            count(LATER, dimension, code, str(later) if later else f"<{base}")
            attack.count(contacts_name)
        else:
            count(LATER, dimension, code, None)
            attack.count(contacts_name, *bounds(value, base))
        if dimension is not None:
            present.add((LATER, dimension))
        if variable(CASES, dimension, code) not in attack.bounds:
            count(CASES, dimension, code, f"<{base}")  # left out of the cases: it rounded to 0
        attack.add_up(
            contacts_name, [variable(CASES, dimension, code), variable(LATER, dimension, code)]
        )

    for table, by_dimension in (hidden or {}).items():
        for dimension, codes in by_dimension.items():
            extra = [ANOTHER] if dimension in OPEN_ENDED.get(table, ()) else []
            for code in [*codes, *extra]:
                if variable(table, dimension, code) not in attack.bounds:
                    count(table, dimension, code, f"<{base}")
            present.add((table, dimension))

    for table, (splits, overlaps) in COUNTED.items():
        for dimension in splits:
            if (table, dimension) in present:
                attack.add_up(variable(table), cells.get((table, dimension), []))
        for dimension in overlaps:
            if (table, dimension) in present:
                attack.overlap(variable(table), cells.get((table, dimension), []))
    return attack.ranges()
