"""Writing a plan and moving it through its states: checks, scope of a coordinator, history
and audit, governance and consultations, and the plan's texts (areas' names, editability)."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from coop4int.core.models import AuditEntry
from coop4int.localplans.domain.plans import (
    MemberDetails,
    PlanDetails,
    add_consultation,
    create_plan,
    remove_consultation,
    set_members,
    transition_plan,
    update_plan,
)
from coop4int.localplans.enums import ConsultationKind, GovernanceRole, MemberKind, PlanStatus
from coop4int.localplans.models import (
    Consultation,
    InterventionArea,
    Plan,
    PlanChange,
    SteeringMember,
)
from coop4int.localplans.tests.factories import (
    NOW,
    make_admin,
    make_coordinator,
    make_measure,
    make_organisation,
    make_plan,
    refused,
)
from coop4int.localplans.texts import area_name, plan_editable

pytestmark = pytest.mark.django_db


def details(**changes: object) -> PlanDetails:
    values: dict[str, object] = {
        "title": {"pt": "Plano Municipal de Integração de Migrantes da Praia"},
        "summary": {"pt": "Resumo."},
        "analysis": {"pt": "Análise."},
        "source_language": "pt",
        "starts_year": 2025,
        "ends_year": 2027,
        "municipalities": ["CV-PR"],
        "coordinating_body": None,
    }
    values.update(changes)
    return PlanDetails(**values)  # type: ignore[arg-type]


def actions(plan: Plan) -> list[str]:
    return list(plan.changes.order_by("pk").values_list("action", flat=True))


# --- create_plan ------------------------------------------------------------------------------


def test_a_coordinator_creates_a_draft_plan_of_their_municipality() -> None:
    coordinator = make_coordinator("Praia")
    body = make_organisation("Câmara Municipal da Praia")
    plan = create_plan(
        actor=coordinator,
        slug="praia-2025-2027",
        details=details(
            municipalities=["CV-PR", "CV-SD", "CV-PR"],
            coordinating_body=body,
            title={"pt": "  Plano da Praia ", "en": "", "fr": "Plan de Praia"},
        ),
        now=NOW,
    )
    plan.refresh_from_db()
    assert (plan.status, plan.version) == (PlanStatus.DRAFT, 1)
    assert plan.title == {"pt": "Plano da Praia", "fr": "Plan de Praia"}
    assert plan.coordinating_body == body
    assert sorted(plan.municipalities.values_list("code", flat=True)) == ["CV-PR", "CV-SD"]
    change = plan.changes.get()
    assert (change.action, change.at, change.actor) == ("localplans.plan.created", NOW, coordinator)
    assert change.details == {"version": 1, "municipalities": ["CV-PR", "CV-SD"]}
    entry = AuditEntry.objects.get(action="localplans.plan.created")
    assert entry.actor == coordinator
    assert entry.object_id == str(plan.pk)


def test_a_coordinator_cannot_create_a_plan_for_another_municipality() -> None:
    with refused("municipality_not_coordinated"):
        create_plan(
            actor=make_coordinator("Praia"),
            slug="sal-2025-2027",
            details=details(municipalities=["CV-SL"]),
            now=NOW,
        )
    assert not Plan.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="localplans.").exists()


def test_aai_and_commands_create_plans_for_any_municipality() -> None:
    create_plan(actor=make_admin(), slug="sal", details=details(municipalities=["CV-SL"]), now=NOW)
    create_plan(actor=None, slug="brava", details=details(municipalities=["CV-BR"]), now=NOW)
    assert Plan.objects.count() == 2


@pytest.mark.parametrize(
    ("slug", "changes", "code"),
    [
        ("Praia 2025", {}, "slug_invalid"),
        ("praia", {"title": {"pt": " "}}, "title_missing"),
        ("praia", {"title": {"xx": "Plan"}}, "language_unknown"),
        ("praia", {"title": {"fr": "Plan"}}, "title_missing"),
        ("praia", {"starts_year": 2027, "ends_year": 2025}, "period_invalid"),
        ("praia", {"starts_year": 2025, "ends_year": 2040}, "period_invalid"),
        ("praia", {"municipalities": []}, "municipality_missing"),
        ("praia", {"municipalities": ["CV-PR", "Lisboa"]}, "municipality_unknown"),
    ],
)
def test_bad_plan_details_are_refused_and_nothing_is_saved(
    slug: str, changes: dict[str, object], code: str
) -> None:
    with refused(code):
        create_plan(actor=None, slug=slug, details=details(**changes), now=NOW)
    assert not Plan.objects.exists()
    assert not PlanChange.objects.exists()


def test_a_short_name_is_taken_once() -> None:
    make_plan(slug="praia-2025-2027")
    with refused("slug_taken"):
        create_plan(actor=None, slug="praia-2025-2027", details=details(), now=NOW)
    assert Plan.objects.count() == 1


def test_the_error_is_in_the_users_language() -> None:
    make_plan(slug="praia")
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        create_plan(actor=None, slug="praia", details=details(), now=NOW)
    assert caught.value.messages == ["Another plan has the short name praia already."]


# --- update_plan ------------------------------------------------------------------------------


def test_updating_a_plan_records_the_fields_changed() -> None:
    plan = make_plan(measures=0)
    update_plan(
        actor=None,
        plan=plan,
        details=details(
            title=plan.title,
            summary={"pt": "Outro resumo."},
            analysis=plan.analysis,
            municipalities=["CV-PR", "CV-SD"],
        ),
        now=NOW,
    )
    plan.refresh_from_db()
    assert plan.summary == {"pt": "Outro resumo."}
    assert sorted(plan.municipalities.values_list("code", flat=True)) == ["CV-PR", "CV-SD"]
    change = plan.changes.get()
    assert change.action == "localplans.plan.updated"
    assert change.details == {"fields": ["municipalities", "summary"]}


def test_an_update_changing_nothing_writes_nothing() -> None:
    plan = make_plan(measures=0, title={"pt": "Plano"})
    plan.summary, plan.analysis = {}, {}
    plan.save()
    update_plan(
        actor=None,
        plan=plan,
        details=details(title={"pt": "Plano"}, summary={}, analysis={}),
        now=NOW,
    )
    assert not plan.changes.exists()


def test_a_plan_cannot_be_changed_while_submitted_or_closed() -> None:
    for status in (PlanStatus.SUBMITTED, PlanStatus.CLOSED):
        plan = make_plan(slug=f"plan-{status}", status=status, measures=0)
        with refused("plan_frozen"):
            update_plan(actor=None, plan=plan, details=details(summary={"pt": "Novo"}), now=NOW)
        plan.refresh_from_db()
        assert plan.summary != {"pt": "Novo"}


def test_the_period_cannot_leave_out_the_measures() -> None:
    plan = make_plan(measures=0)
    make_measure(plan, starts_on=date(2027, 1, 1), ends_on=date(2027, 12, 31), indicators=0)
    with refused("period_excludes_content"):
        update_plan(actor=None, plan=plan, details=details(ends_year=2026), now=NOW)
    plan.refresh_from_db()
    assert plan.ends_year == 2027


def test_a_coordinator_cannot_move_a_plan_out_of_their_municipality() -> None:
    plan = make_plan(measures=0)
    with refused("municipality_not_coordinated"):
        update_plan(
            actor=make_coordinator("Praia"),
            plan=plan,
            details=details(municipalities=["CV-SL"]),
            now=NOW,
        )
    assert list(plan.municipalities.values_list("code", flat=True)) == ["CV-PR"]


def test_the_municipalities_of_a_plan_in_force_change_only_in_a_revision() -> None:
    plan = make_plan(measures=0, status=PlanStatus.IN_FORCE)
    with refused("municipalities_approved"):
        update_plan(
            actor=make_admin(),
            plan=plan,
            details=details(municipalities=["CV-PR", "CV-SD"]),
            now=NOW,
        )
    assert list(plan.municipalities.values_list("code", flat=True)) == ["CV-PR"]


# --- transition_plan --------------------------------------------------------------------------


def test_a_plan_goes_from_draft_to_closed() -> None:
    coordinator, admin = make_coordinator(), make_admin()
    plan = make_plan()
    transition_plan(actor=coordinator, plan=plan, to=PlanStatus.SUBMITTED, now=NOW)
    transition_plan(actor=admin, plan=plan, to=PlanStatus.APPROVED, now=NOW + timedelta(days=1))
    transition_plan(actor=coordinator, plan=plan, to=PlanStatus.IN_FORCE, now=NOW)
    transition_plan(actor=coordinator, plan=plan, to=PlanStatus.CLOSED, now=NOW)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.CLOSED
    assert (plan.approved_at, plan.approved_by) == (NOW + timedelta(days=1), admin)
    assert actions(plan) == [
        "localplans.plan.submitted",
        "localplans.plan.approved",
        "localplans.plan.in_force",
        "localplans.plan.closed",
    ]
    assert plan.changes.get(action="localplans.plan.approved").details == {
        "from": "submitted",
        "to": "approved",
        "version": 1,
    }
    assert AuditEntry.objects.filter(action="localplans.plan.approved", actor=admin).exists()


def test_a_plan_without_measures_cannot_be_submitted() -> None:
    plan = make_plan(measures=0)
    with refused("no_measures"):
        transition_plan(actor=None, plan=plan, to=PlanStatus.SUBMITTED, now=NOW)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT
    assert not plan.changes.exists()


def test_a_plan_sent_back_needs_a_reason_kept_until_it_is_submitted_again() -> None:
    plan = make_plan(status=PlanStatus.SUBMITTED)
    with refused("reason_required"):
        transition_plan(actor=None, plan=plan, to=PlanStatus.DRAFT, reason="  ", now=NOW)
    transition_plan(
        actor=None, plan=plan, to=PlanStatus.DRAFT, reason="Falta o orçamento.", now=NOW
    )
    plan.refresh_from_db()
    assert (plan.status, plan.returned_reason) == (PlanStatus.DRAFT, "Falta o orçamento.")
    # The reason (free text) is kept on the plan, not in the history or the audit log.
    returned = plan.changes.get(action="localplans.plan.returned")
    assert "Falta" not in str(returned.details)
    assert "Falta" not in str(AuditEntry.objects.get(action="localplans.plan.returned").data)
    transition_plan(actor=None, plan=plan, to=PlanStatus.SUBMITTED, now=NOW)
    plan.refresh_from_db()
    assert plan.returned_reason == ""


def test_revising_an_approved_plan_makes_a_draft_one_version_higher() -> None:
    for status in (PlanStatus.APPROVED, PlanStatus.IN_FORCE):
        plan = make_plan(slug=f"plan-{status}", status=status)
        transition_plan(actor=None, plan=plan, to=PlanStatus.DRAFT, now=NOW)
        plan.refresh_from_db()
        assert (plan.status, plan.version) == (PlanStatus.DRAFT, 2)
        assert plan.changes.get().action == "localplans.plan.revised"


@pytest.mark.parametrize(
    ("status", "to"),
    [
        (PlanStatus.DRAFT, PlanStatus.APPROVED),
        (PlanStatus.DRAFT, PlanStatus.IN_FORCE),
        (PlanStatus.DRAFT, PlanStatus.DRAFT),
        (PlanStatus.SUBMITTED, PlanStatus.IN_FORCE),
        (PlanStatus.APPROVED, PlanStatus.SUBMITTED),
        (PlanStatus.CLOSED, PlanStatus.DRAFT),
        (PlanStatus.CLOSED, PlanStatus.IN_FORCE),
    ],
)
def test_other_moves_are_refused(status: PlanStatus, to: PlanStatus) -> None:
    plan = make_plan(status=status)
    with refused("transition_refused"):
        transition_plan(actor=None, plan=plan, to=to, reason="why", now=NOW)
    plan.refresh_from_db()
    assert (plan.status, plan.version) == (status, 1)
    assert not plan.changes.exists()


def test_a_stale_plan_object_is_moved_from_its_stored_status() -> None:
    plan = make_plan(status=PlanStatus.SUBMITTED)
    stale = Plan.objects.get(pk=plan.pk)
    transition_plan(actor=None, plan=plan, to=PlanStatus.APPROVED, now=NOW)
    with refused("transition_refused"):
        transition_plan(actor=None, plan=stale, to=PlanStatus.APPROVED, now=NOW)


# --- governance and consultations -------------------------------------------------------------


def test_the_governance_is_replaced_in_order() -> None:
    plan = make_plan(measures=0)
    body = make_organisation("Câmara Municipal da Praia")
    members = [
        MemberDetails(body, "", MemberKind.MUNICIPALITY, GovernanceRole.COORDINATION),
        MemberDetails(None, "Associação dos Guineenses", MemberKind.MIGRANT_ASSOCIATION,
                      GovernanceRole.STEERING),
        MemberDetails(None, "Associação Caboverdiana", MemberKind.MIGRANT_ASSOCIATION,
                      GovernanceRole.STEERING),
    ]  # fmt: skip
    set_members(actor=None, plan=plan, members=members, now=NOW)
    set_members(actor=None, plan=plan, members=members[:2], now=NOW)
    rows = list(plan.members.all())
    assert [(m.organisation, m.name, m.position) for m in rows] == [
        (body, "", 0),
        (None, "Associação dos Guineenses", 1),
    ]
    change = plan.changes.order_by("pk").last()
    assert change is not None
    assert change.action == "localplans.plan.governance_changed"
    assert change.details == {"members": 2, "roles": {"coordination": 1, "steering": 1}}


def test_an_unnamed_member_is_refused_and_the_governance_kept() -> None:
    plan = make_plan(measures=0)
    first = MemberDetails(
        None, "Associação", MemberKind.MIGRANT_ASSOCIATION, GovernanceRole.STEERING
    )
    set_members(actor=None, plan=plan, members=[first], now=NOW)
    unnamed = MemberDetails(None, "  ", MemberKind.OTHER, GovernanceRole.ADVISORY)
    with refused("member_unnamed"):
        set_members(actor=None, plan=plan, members=[first, unnamed], now=NOW)
    assert SteeringMember.objects.filter(plan=plan).count() == 1


def test_a_consultation_counts_the_people_heard_and_never_names_them() -> None:
    plan = make_plan(measures=0)
    consultation = add_consultation(
        actor=None,
        plan=plan,
        held_on=date(2025, 3, 14),
        kind=ConsultationKind.MEETING,
        organisations_heard=6,
        people_heard=23,
        women_heard=12,
        findings={"pt": "Dificuldades no acesso à habitação.", "de": ""},
        now=NOW,
    )
    consultation.refresh_from_db()
    assert consultation.findings == {"pt": "Dificuldades no acesso à habitação."}
    change = plan.changes.get()
    assert change.action == "localplans.consultation.added"
    assert change.details == {
        "consultation": consultation.pk,
        "held_on": "2025-03-14",
        "kind": "meeting",
        "people_heard": 23,
    }
    remove_consultation(actor=None, consultation=consultation, now=NOW)
    assert not Consultation.objects.exists()
    assert actions(plan)[-1] == "localplans.consultation.removed"


@pytest.mark.parametrize(
    ("people", "women", "code"),
    [(10, 11, "women_exceed_people"), (-1, None, "count_invalid")],
)
def test_impossible_counts_are_refused(people: int, women: int | None, code: str) -> None:
    plan = make_plan(measures=0)
    with refused(code):
        add_consultation(
            actor=None,
            plan=plan,
            held_on=date(2025, 3, 14),
            kind=ConsultationKind.SURVEY,
            organisations_heard=0,
            people_heard=people,
            women_heard=women,
            findings={},
            now=NOW,
        )
    assert not Consultation.objects.exists()


# --- texts ------------------------------------------------------------------------------------


def test_a_default_area_is_named_by_the_interface_translations() -> None:
    area = InterventionArea.objects.get(code="health")
    with translation.override("en"):
        name = area_name(area)
    assert (name.text, name.is_fallback) == ("Health", False)


def test_an_area_renamed_is_read_in_the_nearest_language() -> None:
    area = InterventionArea.objects.create(code="sport", names={"pt": "Desporto"}, position=20)
    name = area_name(area, "fr")
    assert (name.text, name.language, name.is_fallback) == ("Desporto", "pt", True)
    assert area_name(InterventionArea.objects.create(code="misc"), "en").text == "misc"


def test_a_plan_is_editable_unless_submitted_or_closed() -> None:
    editable = {status: plan_editable(Plan(status=status)) for status in PlanStatus.values}
    assert editable == {
        "draft": True,
        "submitted": False,
        "approved": True,
        "in_force": True,
        "closed": False,
    }
