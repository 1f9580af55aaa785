"""The scoping rule for people (``people.scope``), held to one answer everywhere.

A property test builds random worlds — local units, people registered at any unit with phones
and e-mails (some shared), cases at any unit, records linked to units with the person's
consent to share (some consents withdrawn, some given again), merged records, and staff of
every role at any unit (nationwide administrators, accounts without a unit, disabled
accounts) — and checks, for every user and every record:

- the predicate ``person_in_scope``, the query ``people_in_reach`` and the ``rules``
  permission ``people.view_person`` give the same answer, and that answer is the rule as
  ``people/scope.py`` writes it in words, evaluated here in plain Python over the rows;
- ``people.view_sensitive`` is that answer for the roles that may read sensitive fields;
- the lookups by phone and e-mail (``people_reachable_at``, ``duplicates_for_user``) and the
  duplicates shown on a record (``duplicates_in_reach``) never name a record outside the
  reach, name every one inside it, and say "elsewhere" exactly when a record outside the
  scope, not merged away, holds the contact.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from hypothesis import HealthCheck, event, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from coop4int.accounts.enums import Role, UnitKind
from coop4int.accounts.models import Unit, User
from coop4int.accounts.roles import NATIONWIDE_ROLES, Permission, permissions_for
from coop4int.accounts.tests.factories import StaffFactory, UnitFactory
from coop4int.cases.domain.cases import open_case
from coop4int.cases.enums import Channel
from coop4int.cases.models import Case
from coop4int.people.domain.merge import merge_people
from coop4int.people.domain.people import (
    PersonDetails,
    link_to_unit,
    register_person,
    withdraw_consent,
)
from coop4int.people.domain.queries import (
    duplicates_for_user,
    duplicates_in_reach,
    people_for_user,
    people_reachable_at,
)
from coop4int.people.enums import ConsentMethod, ContactKind, Purpose
from coop4int.people.models import ContactPoint, Person, UnitLink
from coop4int.people.scope import people_in_reach, person_in_scope

pytestmark = pytest.mark.django_db

AT = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
PHONES = ("+2389912345", "+2389912346", "+2385801234")
EMAILS = ("aminata@example.cv", "fatou@example.cv")
CONTACTS = [(ContactKind.PHONE, v) for v in PHONES] + [(ContactKind.EMAIL, v) for v in EMAILS]
NAMES = ("Aminata Diallo", "Fatou Ndiaye", "Aminata Dialo", "Maria Lopes")

# --- The world, as plain data drawn by hypothesis ----------------------------------------------

# Unit indices: 0 the national authority, 1..n the local units, n+1 a partner organisation.


@dataclass(frozen=True)
class StaffSpec:
    roles: frozenset[Role]
    unit: int | None
    active: bool


@dataclass(frozen=True)
class World:
    local_units: int
    people: list[tuple[int, str, frozenset[str], frozenset[str]]]  # unit, name, phones, e-mails
    steps: list[tuple[str, int, int]]  # (what, person, unit or other person)
    staff: list[StaffSpec]


@st.composite
def worlds(draw: st.DrawFn) -> World:
    local = draw(st.integers(2, 3))
    unit_index = st.integers(0, local + 1)
    people = draw(
        st.lists(
            st.tuples(
                unit_index,
                st.sampled_from(NAMES),
                st.frozensets(st.sampled_from(PHONES), max_size=2),
                st.frozensets(st.sampled_from(EMAILS), max_size=1),
            ),
            min_size=1,
            max_size=6,
        )
    )
    person_index = st.integers(0, len(people) - 1)
    steps = draw(
        st.lists(
            st.one_of(
                st.tuples(st.just("case"), person_index, unit_index),
                # A link, often followed by the consent's withdrawal (and a new consent).
                st.tuples(st.just("link"), person_index, unit_index),
                st.tuples(st.just("link+withdraw"), person_index, unit_index),
                st.tuples(st.just("link+withdraw+link"), person_index, unit_index),
                st.tuples(st.just("withdraw"), person_index, st.just(0)),
                st.tuples(st.just("merge"), person_index, person_index),
            ),
            max_size=10,
        )
    )
    spec = st.builds(
        StaffSpec,
        roles=st.frozensets(st.sampled_from(list(Role)), min_size=1, max_size=2),
        unit=st.one_of(st.none(), unit_index),
        active=st.booleans(),
    )
    # Every role at least once, active, at a drawn unit; then a few more of any kind.
    staff = [
        StaffSpec(roles=frozenset({role}), unit=draw(unit_index), active=True) for role in Role
    ]
    staff += draw(st.lists(spec, max_size=3))
    return World(local_units=local, people=people, steps=steps, staff=staff)


# --- Building it ---------------------------------------------------------------------------------


def build(world: World) -> tuple[list[Unit], list[Person], list[User]]:
    national = UnitFactory(kind=UnitKind.NATIONAL_AUTHORITY)
    units = [national]
    units += [
        UnitFactory(kind=UnitKind.LOCAL_UNIT, parent=national) for _ in range(world.local_units)
    ]
    units.append(UnitFactory(kind=UnitKind.PARTNER))
    # Who records the links and merges in this world: a nationwide administrator.
    setup = StaffFactory(unit=national, roles=[Role.ADMINISTRATOR], totp=False)

    people = []
    for unit, name, phones, emails in world.people:
        given_names, family_names = name.split(" ", 1)
        people.append(
            register_person(
                actor=None,
                unit=units[unit],
                details=PersonDetails(given_names=given_names, family_names=family_names),
                phones=sorted(phones),
                emails=sorted(emails),
            )
        )
    for kind, a, b in world.steps:
        person = people[a]
        person.refresh_from_db()
        if kind == "case":
            open_case(
                actor=None, unit=units[b], channel=Channel.WALK_IN, subject="Pedido",
                person=person, at=AT,
            )  # fmt: skip
        elif kind.startswith("link"):
            for part in kind.split("+"):
                if part == "link":
                    link_to_unit(
                        actor=setup, person=person, unit=units[b],
                        method=ConsentMethod.IN_PERSON, at=AT,
                    )  # fmt: skip
                else:
                    withdraw_consent(actor=setup, person=person, purpose=Purpose.SHARING)
        elif kind == "withdraw":
            withdraw_consent(actor=setup, person=person, purpose=Purpose.SHARING)
        else:
            other = people[b]
            other.refresh_from_db()
            if a != b and person.merged_into_id is None and other.merged_into_id is None:
                merge_people(actor=setup, keep=person, merge=other)

    staff = [setup]
    for spec in world.staff:
        unit = units[spec.unit] if spec.unit is not None else None
        staff.append(
            StaffFactory(unit=unit, roles=sorted(spec.roles), is_active=spec.active, totp=False)
        )
    for person in people:
        person.refresh_from_db()
    # Fresh objects, as a request would load them (no cached roles).
    return units, people, list(User.objects.filter(pk__in=[u.pk for u in staff]))


# --- The rule in words, evaluated over the rows -------------------------------------------------


@dataclass(frozen=True)
class Rows:
    registered_at: dict[object, int]
    merged: set[object]
    cases_at: set[tuple[object, int]]
    links: set[tuple[object, int]]
    contacts: set[tuple[object, str, str]]

    @classmethod
    def load(cls) -> "Rows":
        return cls(
            registered_at=dict(Person.objects.values_list("pk", "unit_id")),
            merged=set(
                Person.objects.filter(merged_into__isnull=False).values_list("pk", flat=True)
            ),
            cases_at=set(
                Case.objects.filter(person__isnull=False).values_list("person_id", "unit_id")
            ),
            links={
                (link.person_id, link.unit_id)
                for link in UnitLink.objects.select_related("consent")
                if link.consent.withdrawn_at is None
            },
            contacts=set(ContactPoint.objects.values_list("person_id", "kind", "value")),
        )


def may_work_cases(user: User) -> bool:
    roles = (
        frozenset(user.role_assignments.values_list("role", flat=True)) if user.is_active else ()
    )
    return Permission.WORK_CASES in permissions_for(frozenset(Role(r) for r in roles))


def reaches(user: User, person_id: object, rows: Rows) -> bool:
    """Whether ``user`` may open the record: works cases, and is nationwide, or their unit
    registered the person, has a case of theirs, or holds a live link to the record."""
    if not may_work_cases(user):
        return False
    if set(user.role_assignments.values_list("role", flat=True)) & NATIONWIDE_ROLES:
        return True
    if user.unit_id is None:
        return False
    return (
        rows.registered_at[person_id] == user.unit_id
        or (person_id, user.unit_id) in rows.cases_at
        or (person_id, user.unit_id) in rows.links
    )


# --- The property --------------------------------------------------------------------------------


@hypothesis_settings(
    max_examples=30,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(world=worlds())
def test_scope_predicate_query_and_permission_agree_and_lookups_stay_inside(db, world):
    with transaction.atomic():
        _units, people, staff = build(world)
        rows = Rows.load()
        _note_what_the_world_holds(rows)
        for user in staff:
            reach = set(people_in_reach(user).values_list("pk", flat=True))
            reachable = reach - rows.merged  # what lookups may name
            assert reachable == set(people_for_user(user).values_list("pk", flat=True))
            sensitive = Permission.VIEW_PERSON_SENSITIVE in user.granted_permissions
            for person in people:
                expected = reaches(user, person.pk, rows)
                assert person_in_scope(user, person) is expected, (user.roles, person)
                assert (person.pk in reach) is expected
                assert people_in_reach(user).filter(pk=person.pk).exists() is expected
                assert user.has_perm(Permission.VIEW_PERSON, person) is expected
                assert user.has_perm(Permission.VIEW_PERSON_SENSITIVE, person) is (
                    expected and sensitive
                )
            _check_lookups(user, reachable, rows)
            if reachable:
                _check_duplicates_on_a_record(user, reachable, people)
        transaction.set_rollback(True)


def _note_what_the_world_holds(rows: Rows) -> None:
    """Shown by ``--hypothesis-show-statistics``: the worlds reach the cases that matter."""
    reached_by_case_only = {
        (pk, unit) for pk, unit in rows.cases_at if rows.registered_at[pk] != unit
    }
    event(f"records reached through a case at another unit: {bool(reached_by_case_only)}")
    event(f"records reached through a live link: {bool(rows.links)}")
    linked = UnitLink.objects.count()
    event(f"links whose consent was withdrawn: {linked > len(rows.links)}")
    event(f"records merged away: {bool(rows.merged)}")


def _check_lookups(user: User, reachable: set[object], rows: Rows) -> None:
    for kind, value in CONTACTS:
        holders = {pk for pk, k, v in rows.contacts if (k, v) == (kind, value)} - rows.merged
        found = people_reachable_at(user, kind, value)
        assert {p.pk for p in found.people} == holders & reachable
        assert found.elsewhere is bool(holders - reachable)

        phones, emails = ((value,), ()) if kind == ContactKind.PHONE else ((), (value,))
        duplicates, elsewhere = duplicates_for_user(user, phones=phones, emails=emails)
        named = {d.person.pk for d in duplicates}
        assert named <= reachable
        assert named == holders & reachable  # every record in reach with that contact
        assert elsewhere is bool(holders - reachable)

    # Several contacts and a name at once: still nothing outside the reach.
    duplicates, elsewhere = duplicates_for_user(
        user, given_names="Aminata", family_names="Diallo", phones=PHONES, emails=EMAILS
    )
    assert {d.person.pk for d in duplicates} <= reachable
    holders = {pk for pk, _kind, _value in rows.contacts} - rows.merged
    assert elsewhere is bool(holders - reachable)


def _check_duplicates_on_a_record(user: User, reachable: set[object], people: list) -> None:
    for person in people:
        if person.pk in reachable:
            shown = duplicates_in_reach(user, person, with_document=True)
            assert {d.person.pk for d, _unit in shown} <= reachable - {person.pk}


def test_anonymous_visitor_reaches_nobody(unit):
    person = register_person(actor=None, unit=unit, details=PersonDetails(given_names="Ana"))
    visitor = AnonymousUser()
    assert not people_in_reach(visitor).exists()
    assert person_in_scope(visitor, person) is False
    assert visitor.has_perm(Permission.VIEW_PERSON, person) is False
