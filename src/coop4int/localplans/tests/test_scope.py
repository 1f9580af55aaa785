"""Who reaches which plan: a municipal coordinator their municipality's plans, a partner the
plans where their organisation is responsible for a measure (and updates only those
measures), AAI every plan; any other plan answers 404. The scope's queries and the
permissions the rules register give the same answer."""

from collections.abc import Iterator

import pytest
from django.db import transaction
from django.http import Http404
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from coop4int.accounts.enums import Role, UnitKind
from coop4int.accounts.models import User
from coop4int.accounts.roles import Permission
from coop4int.localplans import scope
from coop4int.localplans.domain.queries import (
    get_managed_plan,
    get_measure_for_user,
    get_plan_for_user,
    plan_list_for_user,
)
from coop4int.localplans.enums import PlanStatus
from coop4int.localplans.models import Plan
from coop4int.localplans.tests.factories import (
    make_admin,
    make_coordinator,
    make_measure,
    make_organisation,
    make_partner,
    make_plan,
    make_unit,
    make_user,
)
from coop4int.observatory.geography import municipality_code


def fresh(user: User) -> User:
    """``user`` read again (roles and permissions are cached on the instance)."""
    return User.objects.get(pk=user.pk)


@pytest.fixture
def plans(db) -> Iterator[dict[str, Plan]]:
    return {
        "praia": make_plan(slug="praia", municipalities=("CV-PR",)),
        "santiago": make_plan(
            slug="santiago", municipalities=("CV-CR", "CV-PR"), status=PlanStatus.IN_FORCE
        ),
        "sal": make_plan(slug="sal", municipalities=("CV-SL",), status=PlanStatus.IN_FORCE),
    }


def test_a_coordinator_reaches_the_plans_of_their_municipality(plans):
    coordinator = fresh(make_coordinator("Praia"))
    assert get_plan_for_user(coordinator, "praia") == plans["praia"]
    assert get_managed_plan(coordinator, "santiago") == plans["santiago"]
    assert sorted(row.plan.slug for row in plan_list_for_user(coordinator)) == [
        "praia", "santiago",
    ]  # fmt: skip
    measure = get_measure_for_user(coordinator, plans["praia"], "M1.1")
    assert coordinator.has_perm(Permission.UPDATE_PLAN_MEASURES, measure)
    assert coordinator.has_perm(Permission.MANAGE_LOCAL_PLANS, plans["praia"])


def test_another_municipality_s_plan_answers_404_to_a_coordinator(plans):
    coordinator = fresh(make_coordinator("Praia"))
    for slug in ("sal", "no-such-plan"):
        with pytest.raises(Http404):
            get_plan_for_user(coordinator, slug)
        with pytest.raises(Http404):
            get_managed_plan(coordinator, slug)
    with pytest.raises(Http404):
        get_measure_for_user(coordinator, plans["sal"], "M1.1")
    assert not coordinator.has_perm(Permission.VIEW_LOCAL_PLANS, plans["sal"])
    assert not coordinator.has_perm(Permission.APPROVE_LOCAL_PLANS)


def test_a_coordinator_whose_unit_names_no_municipality_reaches_no_plan(plans):
    nowhere = fresh(make_coordinator(""))
    assert plan_list_for_user(nowhere) == []
    with pytest.raises(Http404):
        get_plan_for_user(nowhere, "praia")


def test_a_partner_reaches_only_plans_where_their_organisation_is_responsible(plans):
    clinic = make_organisation("Centro de Saúde")
    theirs = make_measure(plans["sal"], code="M1.9", responsible=clinic)
    # Being a partner of another measure gives no reach.
    make_measure(plans["praia"], code="M1.9", partners=[clinic])
    partner = fresh(make_partner(clinic))
    assert [row.plan.slug for row in plan_list_for_user(partner)] == ["sal"]
    assert get_plan_for_user(partner, "sal") == plans["sal"]
    with pytest.raises(Http404):
        get_plan_for_user(partner, "praia")
    with pytest.raises(Http404):
        get_managed_plan(partner, "sal")
    assert partner.has_perm(Permission.UPDATE_PLAN_MEASURES, theirs)
    others = plans["sal"].measures.exclude(pk=theirs.pk)
    assert others.exists()
    assert not any(partner.has_perm(Permission.UPDATE_PLAN_MEASURES, m) for m in others)
    assert list(scope.measures_updatable_by(partner)) == [theirs]
    # Reaching a plan lets them open any of its measures, not update it.
    other = get_measure_for_user(partner, plans["sal"], others.first().code)
    assert not partner.has_perm(Permission.UPDATE_PLAN_MEASURES, other)


def test_nationwide_users_reach_every_plan(plans):
    admin = fresh(make_admin())
    assert sorted(row.plan.slug for row in plan_list_for_user(admin)) == [
        "praia", "sal", "santiago",
    ]  # fmt: skip
    for slug in plans:
        assert get_plan_for_user(admin, slug).slug == slug
        assert get_managed_plan(admin, slug).slug == slug
    assert admin.has_perm(Permission.APPROVE_LOCAL_PLANS)


def test_staff_without_a_plan_role_reach_no_plan(plans):
    officer = fresh(make_user(Role.FRONT_OFFICE_OFFICER, unit=make_unit(municipality="Praia")))
    assert plan_list_for_user(officer) == []
    with pytest.raises(Http404):
        get_plan_for_user(officer, "praia")


# --- The scope and the rules agree -----------------------------------------------------------

ROLES = [Role.ADMINISTRATOR, Role.MUNICIPAL_COORDINATOR, Role.PARTNER_USER, Role.ANALYST,
         Role.FRONT_OFFICE_OFFICER]  # fmt: skip
PLACES = ["Praia", "Sal", "São Vicente", "", "Atlantis"]
CODES = ["CV-PR", "CV-SL", "CV-SV", "CV-BR"]
USERS = st.lists(
    st.tuples(st.sets(st.sampled_from(ROLES), max_size=2), st.sampled_from(PLACES),
              st.sampled_from([UnitKind.LOCAL_UNIT, UnitKind.PARTNER])),
    min_size=1, max_size=4,
)  # fmt: skip
PLANS = st.lists(
    st.tuples(
        st.sets(st.sampled_from(CODES), min_size=1, max_size=2),
        # The users (by position) whose unit keeps the organisation responsible for a measure.
        st.lists(st.integers(0, 3), max_size=2),
    ),
    min_size=1, max_size=3,
)  # fmt: skip


@hypothesis_settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(users=USERS, plan_specs=PLANS)
def test_the_scope_and_the_view_permission_give_the_same_answer(db, users, plan_specs):
    """Random users (roles, their unit's municipality and kind) and plans (municipalities,
    measures whose responsible organisation some user's unit keeps): for every pair, the plan
    is in ``scope.plans_for_user`` exactly when ``has_perm(VIEW_LOCAL_PLANS, plan)`` — and
    both say what the rule in ``scope``'s docstring says. Each example is rolled back."""
    with transaction.atomic():
        made = [
            make_user(*roles, unit=make_unit(municipality=place, kind=kind))
            for roles, place, kind in users
        ]
        organisations = [make_organisation(f"Org {n}", unit=u.unit) for n, u in enumerate(made)]
        plans = []
        for n, (codes, responsible) in enumerate(plan_specs):
            plan = make_plan(slug=f"plan-{n}", municipalities=sorted(codes), measures=1)
            for m, who in enumerate(responsible):
                if who < len(organisations):
                    make_measure(plan, code=f"R{m}", responsible=organisations[who],
                                 indicators=0)  # fmt: skip
            plans.append(plan)
        for user in map(fresh, made):
            reached = set(scope.plans_for_user(user).values_list("pk", flat=True))
            for plan in plans:
                allowed = user.has_perm(Permission.VIEW_LOCAL_PLANS, plan)
                assert (plan.pk in reached) == allowed
                assert allowed == expected_reach(user, plan)
        transaction.set_rollback(True)


def expected_reach(user: User, plan: Plan) -> bool:
    """The rule, written out: AAI's administrators reach every plan; a coordinator the plans
    of their unit's municipality; a partner the plans where an organisation of their unit is
    responsible for a measure."""
    roles = set(user.roles)
    if Role.ADMINISTRATOR in roles:
        return True
    assert user.unit is not None
    if Role.MUNICIPAL_COORDINATOR in roles:
        code = municipality_code(user.unit.municipality)
        if code and plan.municipalities.filter(code=code).exists():
            return True
    if Role.PARTNER_USER in roles:
        return plan.measures.filter(responsible__unit=user.unit).exists()
    return False
