"""A local integration plan's monitoring pages in the access matrix (``test_access_matrix.py``):
their GET rows, the addresses with the matrix's objects (``access_matrix_plan_objects.PlanObjects``,
under ``target["localplans"]``; ``t.plans`` in the POST rows) and a POST row for every action
they take.

Reports, the evaluation and the public's comments are the plan's managers': administrators
(nationwide) and the municipal coordinator of a municipality the plan covers (Praia's; the
coordinator of São Vicente gets 404). Approving or sending back a report is AAI's: the
coordinator reaches the report but is forbidden (403) to take those two actions. The history
and the printable summary are for whoever reads the plan: the partner users of the
organisation responsible for one of its measures too."""

from collections.abc import Callable
from typing import Any

from django.urls import reverse

from coop4int.accounts.enums import Role
from coop4int.backoffice.tests.access_matrix_plan_objects import PlanObjects
from coop4int.content.models import Feedback
from coop4int.localplans.enums import CommentKind, EvaluationStage, ReportStatus
from coop4int.localplans.models import (
    EvaluationAnswer,
    EvaluationQuestion,
    MonitoringReport,
    PlanComment,
)

MANAGERS = {Role.ADMINISTRATOR, Role.MUNICIPAL_COORDINATOR}
READERS = MANAGERS | {Role.PARTNER_USER}
# The report's page opens for whoever manages the plan; approving and returning are AAI's.
NOT_AAI = frozenset({Role.MUNICIPAL_COORDINATOR})
OBJECT = "object"

# url name → (method, roles allowed, whether the object is scoped to a unit), as ``MATRIX``.
PLAN_REPORTS_MATRIX: dict[str, tuple[str, set[Role], bool]] = {
    "backoffice:plan_reports": ("get", MANAGERS, True),
    "backoffice:plan_report": ("get", MANAGERS, True),
    "backoffice:plan_evaluation": ("get", MANAGERS, True),
    "backoffice:plan_comments": ("get", MANAGERS, True),
    "backoffice:plan_history": ("get", READERS, True),
    "backoffice:plan_print": ("get", READERS, True),
}


def _report_url(report: MonitoringReport) -> str:
    return reverse("backoffice:plan_report", args=[report.plan.slug, report.year, report.semester])


def plan_reports_url(name: str, target: dict[str, Any]) -> str:
    """The address of page ``name`` with the matrix's objects: Praia's plan in force, and its
    draft report (2026, first semester)."""
    made: PlanObjects = target["localplans"]
    if name == "backoffice:plan_report":
        return _report_url(made.draft_report)
    return reverse(name, args=[made.plan.slug])


def _fresh(obj: Any) -> Any:
    obj.refresh_from_db()
    return obj


def _submitted(t: Any) -> MonitoringReport:
    """The plan's draft report, sent for approval."""
    report: MonitoringReport = t.plans.draft_report
    MonitoringReport.objects.filter(pk=report.pk).update(status=ReportStatus.SUBMITTED)
    return report


def _answerable_comment(t: Any) -> PlanComment:
    """A proposal from the public that left an address to reply to (kept with ``t``)."""
    made = t.__dict__.get("answerable_comment")
    if made is None:
        feedback = Feedback.objects.create(
            route="portal:plan", page=f"/pt/plans/{t.plans.plan.slug}/", language="pt",
            message="Falta um balcão em Achada Santo António.", contact_email="ana@example.cv",
        )  # fmt: skip
        made = t.__dict__["answerable_comment"] = PlanComment.objects.create(
            plan=t.plans.plan, feedback=feedback, kind=CommentKind.PROPOSAL
        )
    return made


def _save_data(t: Any) -> dict[str, Any]:
    report: MonitoringReport = t.plans.draft_report
    measure, indicator = t.plans.measure.pk, t.plans.indicator.pk
    assert report.entries.filter(measure_id=measure).exists()
    return {
        "action": "save", "summary": "Semestre com atrasos nas obras.",
        f"progress_{measure}": "45", f"status_{measure}": "in_progress",
        f"comment_{measure}": "Obras atrasadas.",
        f"value_{indicator}": "210", f"vcomment_{indicator}": "",
    }  # fmt: skip


def plan_reports_post_rows(row: Callable[..., Any]) -> dict[str, Any]:
    """The POST rows of these pages, made with the matrix's ``PostRow``."""

    def plan_page(name: str) -> Callable[[Any], str]:
        return lambda t: reverse(name, args=[t.plans.plan.slug])

    return {
        "backoffice:plan_reports:open": row(
            plan_page("backoffice:plan_reports"),
            MANAGERS,
            OBJECT,
            lambda t, u: {"action": "open", "year": "2025", "semester": "1"},
            lambda t, u: t.plans.plan.reports.filter(year=2025, semester=1).exists(),
        ),
        "backoffice:plan_report:save": row(
            lambda t: _report_url(t.plans.draft_report),
            MANAGERS,
            OBJECT,
            lambda t, u: _save_data(t),
            lambda t, u: _fresh(t.plans.draft_report).summary == "Semestre com atrasos nas obras.",
        ),
        "backoffice:plan_report:submit": row(
            lambda t: _report_url(t.plans.draft_report),
            MANAGERS,
            OBJECT,
            lambda t, u: {"action": "submit"},
            lambda t, u: _fresh(t.plans.draft_report).status == ReportStatus.SUBMITTED,
        ),
        "backoffice:plan_report:approve": row(
            lambda t: _report_url(_submitted(t)),
            MANAGERS,
            OBJECT,
            lambda t, u: {"action": "approve"},
            lambda t, u: _fresh(t.plans.draft_report).status == ReportStatus.APPROVED,
            forbidden=NOT_AAI,
        ),
        "backoffice:plan_report:return": row(
            lambda t: _report_url(_submitted(t)),
            MANAGERS,
            OBJECT,
            lambda t, u: {"action": "return", "reason": "Faltam os valores do indicador."},
            lambda t, u: (
                _fresh(t.plans.draft_report).status == ReportStatus.DRAFT
                and t.plans.draft_report.returned_reason == "Faltam os valores do indicador."
            ),
            forbidden=NOT_AAI,
        ),
        "backoffice:plan_evaluation:add_question": row(
            plan_page("backoffice:plan_evaluation"),
            MANAGERS,
            OBJECT,
            lambda t, u: {"action": "add_question", "text_pt": "O plano chegou às mulheres?"},
            lambda t, u: EvaluationQuestion.objects.filter(
                plan=t.plans.plan, text__pt="O plano chegou às mulheres?"
            ).exists(),
        ),
        "backoffice:plan_evaluation:update_question": row(
            plan_page("backoffice:plan_evaluation"),
            MANAGERS,
            OBJECT,
            lambda t, u: {
                "action": "update_question",
                "question": t.plans.question.pk,
                "text_pt": "As medidas chegaram a quem precisava?",
                "text_fr": "Les mesures ont-elles atteint ceux qui en avaient besoin ?",
            },
            lambda t, u: "fr" in _fresh(t.plans.question).text,
        ),
        "backoffice:plan_evaluation:answer": row(
            plan_page("backoffice:plan_evaluation"),
            MANAGERS,
            OBJECT,
            lambda t, u: {
                "action": "answer",
                "question": t.plans.question.pk,
                "stage": EvaluationStage.MID_TERM.value,
                "language": "pt",
                "answer": "Em parte: faltou chegar aos bairros periféricos.",
            },
            lambda t, u: EvaluationAnswer.objects.filter(
                question=t.plans.question, stage=EvaluationStage.MID_TERM
            ).exists(),
        ),
        "backoffice:plan_comments:reply": row(
            plan_page("backoffice:plan_comments"),
            MANAGERS,
            OBJECT,
            lambda t, u: {
                "action": "reply",
                "comment": _answerable_comment(t).pk,
                "reply": "Obrigado: a proposta vai à próxima reunião do grupo.",
            },
            lambda t, u: _fresh(_answerable_comment(t).feedback).replied_at is not None,
        ),
    }
