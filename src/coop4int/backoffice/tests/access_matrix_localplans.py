"""The local integration plans' pages in the access matrix (``test_access_matrix.py``): their
GET rows, the addresses with the matrix's objects (``access_matrix_plan_objects.PlanObjects``,
under ``target["localplans"]``) and a POST row for every action they take.

A plan is read by the administrators (AAI, nationwide), the municipal coordinators of its
municipality and the partner users of an organisation responsible for one of its measures;
written by the first two; approved by the administrators alone. Praia's plan is in Praia
(the matrix's unit), so Mindelo's coordinator and partner get 404. A partner reaches the plan
and its measure's progress, but its managers' actions answer 403 (``forbidden``), as approving
it does to its coordinator. Plans are moved to the status an action needs through the models
(``_in_status``), as the matrix makes its other objects."""

import json
from collections.abc import Callable
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from coop4int.accounts.enums import Role
from coop4int.backoffice.tests.access_matrix_plan_objects import PRAIA, PlanObjects
from coop4int.localplans.enums import MeasureStatus, PlanStatus
from coop4int.localplans.exchange import export_plan
from coop4int.localplans.models import (
    Consultation,
    InterventionArea,
    Measure,
    MeasureIndicator,
    Plan,
)

VIEWERS = {Role.ADMINISTRATOR, Role.MUNICIPAL_COORDINATOR, Role.PARTNER_USER}
MANAGERS = {Role.ADMINISTRATOR, Role.MUNICIPAL_COORDINATOR}
# The matrix's scopes of a POST row; "national": the same roles of every unit may act.
OBJECT, FILTERED, NATIONAL = "object", "filtered", "national"
NOT_THE_PARTNERS = frozenset({Role.PARTNER_USER})
NOT_AAI = frozenset({Role.MUNICIPAL_COORDINATOR, Role.PARTNER_USER})

# url name → (method, roles allowed, whether the object is scoped to a unit), as ``MATRIX``.
LOCALPLANS_MATRIX: dict[str, tuple[str, set[Role], bool]] = {
    # Each user's own plans (none for a user of another municipality).
    "backoffice:plans": ("get", VIEWERS, False),
    "backoffice:plan_new": ("get", MANAGERS, False),
    "backoffice:plan_import": ("get", MANAGERS, False),
    "backoffice:plan_areas": ("get", {Role.ADMINISTRATOR}, False),
    "backoffice:plan": ("get", VIEWERS, True),
    "backoffice:plan_edit": ("get", MANAGERS, True),
    "backoffice:plan_measure_new": ("get", MANAGERS, True),
    "backoffice:plan_measure": ("get", VIEWERS, True),
    "backoffice:plan_export": ("get", MANAGERS, True),
}


def localplans_url(name: str, target: dict[str, Any]) -> str:
    """The address of page ``name`` with the matrix's objects."""
    made: PlanObjects = target["localplans"]
    slug = made.plan.slug
    if name in {"backoffice:plan", "backoffice:plan_edit", "backoffice:plan_measure_new"}:
        return reverse(name, args=[slug])
    if name == "backoffice:plan_measure":
        return reverse(name, args=[slug, made.measure.code])
    if name == "backoffice:plan_export":
        return reverse(name, args=[slug, "csv"])
    return reverse(name)


def _fresh(obj: Any) -> Any:
    obj.refresh_from_db()
    return obj


def _in_status(plans: PlanObjects, status: PlanStatus) -> Plan:
    """Praia's plan (with its measure) moved to ``status``."""
    assert plans.measure.pk
    Plan.objects.filter(pk=plans.plan.pk).update(status=status)
    return _fresh(plans.plan)


def _plan_url(plans: PlanObjects, status: PlanStatus | None = None) -> str:
    """Praia's plan (in force unless ``status`` is given), with its measure."""
    plan = _in_status(plans, status) if status else plans.measure.plan
    return reverse("backoffice:plan", args=[plan.slug])


def _edit_url(t: Any) -> str:
    return reverse("backoffice:plan_edit", args=[t.plans.plan.slug])


def _measure_url(t: Any) -> str:
    return reverse("backoffice:plan_measure", args=[t.plans.plan.slug, t.plans.measure.code])


def _consulted(t: Any) -> str:
    """The plan's editor, the plan having one consultation to remove."""
    Consultation.objects.create(
        plan=t.plans.plan, held_on="2024-11-20", kind="meeting", organisations_heard=4,
        people_heard=30, women_heard=18,
    )  # fmt: skip
    return _edit_url(t)


def _reception() -> int:
    return InterventionArea.objects.get(code="reception").pk


def plan_form(slug: str = "", title: str = "Plano da Praia") -> dict[str, Any]:
    """What the plan's form posts: a plan of Praia, 2025–2027."""
    form = {
        "title_pt": title, "summary_pt": "Resumo", "source_language": "pt",
        "starts_year": "2025", "ends_year": "2027", "municipalities": [PRAIA],
    }  # fmt: skip
    return form | ({"slug": slug} if slug else {})


def measure_form(t: Any, code: str, title: str) -> dict[str, Any]:
    """What the measure's form posts: a measure of objective 1 of Praia's plan."""
    plans: PlanObjects = t.plans
    return {
        "objective": plans.objective.pk, "area": _reception(), "code": code, "title_pt": title,
        "responsible": plans.association.pk, "starts_on": "2025-03-01", "ends_on": "2026-12-31",
        "budget": "5000", "weight": "1", "funding": "Fundo europeu: 75\nCâmara Municipal: 25",
    }  # fmt: skip


def indicator_form(code: str, name: str) -> dict[str, Any]:
    return {
        "code": code, "name_pt": name, "unit": "persons", "direction": "increase",
        "source": "manual", "targets": "2025: 10\n2026: 20",
    }  # fmt: skip


def _export(t: Any) -> SimpleUploadedFile:
    """Praia's plan as exported (JSON), under another short name: a plan to import."""
    plans: PlanObjects = t.plans
    assert plans.indicator.pk
    package = export_plan(plans.plan, "json").decode()
    package = package.replace(json.dumps(plans.plan.slug), json.dumps("praia-copia"))
    return SimpleUploadedFile("praia.json", package.encode(), "application/json")


def localplans_post_rows(row: Callable[..., Any]) -> dict[str, Any]:
    """The POST rows of these pages, made with the matrix's ``PostRow``."""

    def status(name: str, before: PlanStatus | None, after: PlanStatus, **more: Any) -> Any:
        data = more.pop("data", {})
        return row(
            lambda t: _plan_url(t.plans, before), VIEWERS, OBJECT,
            lambda t, u: {"action": name, **data},
            lambda t, u: _fresh(t.plans.plan).status == after, **more,
        )  # fmt: skip

    return {
        "backoffice:plan_new:create": row(
            lambda t: reverse("backoffice:plan_new"),
            MANAGERS,
            FILTERED,
            lambda t, u: plan_form("praia-2031"),
            lambda t, u: Plan.objects.filter(slug="praia-2031").exists(),
        ),
        # A coordinator imports plans of their own municipality only.
        "backoffice:plan_import:upload": row(
            lambda t: reverse("backoffice:plan_import"),
            MANAGERS,
            FILTERED,
            lambda t, u: {"upload": _export(t)},
            lambda t, u: Plan.objects.filter(slug="praia-copia").exists(),
        ),
        "backoffice:plan_areas:configure": row(
            lambda t: reverse("backoffice:plan_areas"),
            {Role.ADMINISTRATOR},
            NATIONAL,
            lambda t, u: {
                "code": "languages",
                "name_pt": "Línguas",
                "position": "20",
                "active": "on",
            },
            lambda t, u: InterventionArea.objects.filter(code="languages").exists(),
        ),
        "backoffice:plan:submit": status(
            "submit", PlanStatus.DRAFT, PlanStatus.SUBMITTED, forbidden=NOT_THE_PARTNERS
        ),
        "backoffice:plan:approve": status(
            "approve", PlanStatus.SUBMITTED, PlanStatus.APPROVED, forbidden=NOT_AAI
        ),
        "backoffice:plan:return": status(
            "return",
            PlanStatus.SUBMITTED,
            PlanStatus.DRAFT,
            forbidden=NOT_AAI,
            data={"reason": "Faltam indicadores."},
        ),
        "backoffice:plan:in_force": status(
            "in_force", PlanStatus.APPROVED, PlanStatus.IN_FORCE, forbidden=NOT_THE_PARTNERS
        ),
        "backoffice:plan:close": status(
            "close", None, PlanStatus.CLOSED, forbidden=NOT_THE_PARTNERS
        ),
        "backoffice:plan:revise": status(
            "revise", None, PlanStatus.DRAFT, forbidden=NOT_THE_PARTNERS
        ),
        "backoffice:plan_edit:save": row(
            _edit_url,
            MANAGERS,
            OBJECT,
            lambda t, u: plan_form(title="Plano revisto") | {"action": "save"},
            lambda t, u: _fresh(t.plans.plan).title.get("pt") == "Plano revisto",
        ),
        "backoffice:plan_edit:members": row(
            _edit_url,
            MANAGERS,
            OBJECT,
            lambda t, u: {
                "action": "members",
                "member-0-name": "Associação Caboverdiana",
                "member-0-kind": "migrant_association",
                "member-0-role": "steering",
            },
            lambda t, u: t.plans.plan.members.filter(name="Associação Caboverdiana").exists(),
        ),
        "backoffice:plan_edit:add_consultation": row(
            _edit_url,
            MANAGERS,
            OBJECT,
            lambda t, u: {
                "action": "add_consultation",
                "held_on": "2024-10-05",
                "kind": "public_session",
                "organisations_heard": "3",
                "people_heard": "25",
                "findings_pt": "Falta habitação.",
            },
            lambda t, u: t.plans.plan.consultations.filter(kind="public_session").exists(),
        ),
        "backoffice:plan_edit:remove_consultation": row(
            _consulted,
            MANAGERS,
            OBJECT,
            lambda t, u: {
                "action": "remove_consultation",
                "consultation": t.plans.plan.consultations.get().pk,
            },
            lambda t, u: not t.plans.plan.consultations.exists(),
        ),
        "backoffice:plan_edit:add_objective": row(
            _edit_url,
            MANAGERS,
            OBJECT,
            lambda t, u: {
                "action": "add_objective",
                "code": "2",
                "area": _reception(),
                "title_pt": "Ensinar português",
                "weight": "1",
            },
            lambda t, u: t.plans.plan.objectives.filter(code="2").exists(),
        ),
        "backoffice:plan_edit:update_objective": row(
            _edit_url,
            MANAGERS,
            OBJECT,
            lambda t, u: {
                "action": "update_objective",
                "objective": t.plans.objective.pk,
                "code": "1",
                "area": _reception(),
                "title_pt": "Acolher melhor",
                "weight": "2",
            },
            lambda t, u: _fresh(t.plans.objective).title.get("pt") == "Acolher melhor",
        ),
        "backoffice:plan_measure_new:create": row(
            lambda t: reverse("backoffice:plan_measure_new", args=[t.plans.plan.slug]),
            MANAGERS,
            OBJECT,
            lambda t, u: measure_form(t, "1.2", "Mediadores interculturais"),
            lambda t, u: Measure.objects.filter(plan=t.plans.plan, code="1.2").exists(),
        ),
        "backoffice:plan_measure:save": row(
            _measure_url,
            VIEWERS,
            OBJECT,
            lambda t, u: measure_form(t, "1.1", "Balcão renovado") | {"action": "save"},
            lambda t, u: _fresh(t.plans.measure).title.get("pt") == "Balcão renovado",
            forbidden=NOT_THE_PARTNERS,
        ),
        # The partner responsible for the measure reports its progress.
        "backoffice:plan_measure:progress": row(
            _measure_url,
            VIEWERS,
            OBJECT,
            lambda t, u: {
                "action": "progress",
                "progress": "60",
                "status": MeasureStatus.IN_PROGRESS.value,
                "note": "Em curso",
            },
            lambda t, u: _fresh(t.plans.measure).progress == 60,
        ),
        "backoffice:plan_measure:add_indicator": row(
            _measure_url,
            VIEWERS,
            OBJECT,
            lambda t, u: indicator_form("1.1.2", "Atendimentos") | {"action": "add_indicator"},
            lambda t, u: t.plans.measure.indicators.filter(code="1.1.2").exists(),
            forbidden=NOT_THE_PARTNERS,
        ),
        "backoffice:plan_measure:update_indicator": row(
            _measure_url,
            VIEWERS,
            OBJECT,
            lambda t, u: (
                indicator_form("1.1.1", "Pessoas acolhidas")
                | {"action": "update_indicator", "indicator": t.plans.indicator.pk}
            ),
            lambda t, u: _fresh(t.plans.indicator).name.get("pt") == "Pessoas acolhidas",
            forbidden=NOT_THE_PARTNERS,
        ),
        "backoffice:plan_measure:remove_indicator": row(
            _measure_url,
            VIEWERS,
            OBJECT,
            lambda t, u: {"action": "remove_indicator", "indicator": t.plans.indicator.pk},
            lambda t, u: not MeasureIndicator.objects.filter(code="1.1.1").exists(),
            forbidden=NOT_THE_PARTNERS,
        ),
    }
