"""A local integration plan's monitoring pages in the back office: its semester reports (opened,
filled in and sent by the municipal coordinator, approved or sent back by AAI, frozen once
approved), the evaluation's questions and answers, the public's comments with their replies,
the plan's change history and its printable summary.

Thin views: plans are fetched through ``localplans.domain.queries`` (404 outside the user's
scope), written through ``localplans.domain.reports``, ``.evaluation`` and ``.comments``.
Reports, the evaluation and the comments are the plan's managers' (``MANAGE_LOCAL_PLANS``);
approving or returning a report is AAI's (``APPROVE_LOCAL_PLANS``); the history and the
summary are for whoever may read the plan (``VIEW_LOCAL_PLANS``)."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db.models import Count, Model, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _

from coop4int.accounts.models import User
from coop4int.accounts.roles import Permission
from coop4int.backoffice.localplan_views import PlanPage
from coop4int.backoffice.page_actions import Acting, Action, ActionPage, ActionTable, Done
from coop4int.backoffice.plan_report_forms import (
    AnswerForm,
    CommentReplyForm,
    EditQuestionForm,
    OpenReportForm,
    QuestionForm,
    ReportButtonForm,
    ReportForm,
    ReturnForm,
)
from coop4int.backoffice.views import StaffView
from coop4int.localplans import progress
from coop4int.localplans.domain import comments, evaluation, figures, queries, reports
from coop4int.localplans.enums import EvaluationStage, PlanStatus, ReportStatus
from coop4int.localplans.models import (
    Consultation,
    EvaluationAnswer,
    EvaluationQuestion,
    IndicatorTarget,
    Measure,
    MeasureIndicator,
    MonitoringReport,
    Objective,
    Plan,
    PlanChange,
    PlanComment,
    ReportEntry,
    ReportValue,
    SteeringMember,
)
from coop4int.observatory.texts import Text, text_in

# The plans whose evaluation may be answered (``evaluation.answer_question``).
ANSWERABLE = (PlanStatus.APPROVED, PlanStatus.IN_FORCE, PlanStatus.CLOSED)


def semester_label(year: int, semester: int) -> str:
    """A semester in words: "2026, first semester"."""
    if semester == 1:
        return _("%(year)s, first semester") % {"year": year}
    return _("%(year)s, second semester") % {"year": year}


def report_url(report: MonitoringReport) -> str:
    return reverse(
        "backoffice:plan_report",
        kwargs={"slug": report.plan.slug, "year": report.year, "semester": report.semester},
    )


def person_label(user: User | None) -> str:
    """Who did something: their name, else their user name; "" for the platform itself."""
    if user is None:
        return ""
    return user.get_full_name() or user.username


# --- The reports ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReportRow:
    """A report in the plan's list, with the deviations found in it."""

    report: MonitoringReport
    label: str
    url: str
    deviations: list[str]


def deviation_sentences(late: int, under: int, missing: int) -> list[str]:
    """The deviations of a report, counted in words."""
    said = []
    if late:
        said.append(
            ngettext("%(count)s measure late", "%(count)s measures late", late) % {"count": late}
        )
    if under:
        said.append(
            ngettext(
                "%(count)s indicator under its target", "%(count)s indicators under their target",
                under,
            ) % {"count": under}
        )  # fmt: skip
    if missing:
        said.append(
            ngettext("%(count)s value missing", "%(count)s values missing", missing)
            % {"count": missing}
        )
    return said


def _open(act: Acting[Plan]) -> Done:
    data = act.data
    report = reports.open_report(
        actor=act.actor, plan=act.obj, year=data["year"], semester=data["semester"],
        language=get_language() or "pt",
    )  # fmt: skip
    return Done(
        _("The report of %(semester)s was opened: fill it in, then send it for approval.")
        % {"semester": semester_label(report.year, report.semester)},
        to=report_url(report),
    )


def _plan_options(page: Any, plan: Plan) -> dict[str, Any]:
    return {"plan": plan}


class ReportListView(PlanPage):
    """The plan's semester reports, newest first, and opening the report of a semester."""

    permission = Permission.MANAGE_LOCAL_PLANS
    page_name = "backoffice:plan_reports"
    actions = ActionTable[Plan](
        Action("open", OpenReportForm, _open, "open", options=_plan_options, leaves=True),
        default="open",
    )

    def render_page(
        self, request: HttpRequest, obj: Plan, bound: Mapping[str, forms.Form]
    ) -> HttpResponse:
        plan = obj
        listed = plan.reports.annotate(
            late=Count("entries", filter=Q(entries__late=True), distinct=True),
            under=Count("values", filter=Q(values__under_target=True), distinct=True),
            missing=Count("values", filter=Q(values__value__isnull=True), distinct=True),
        ).select_related("plan")
        rows = [
            ReportRow(
                report=report,
                label=semester_label(report.year, report.semester),
                url=report_url(report),
                deviations=deviation_sentences(report.late, report.under, report.missing),
            )
            for report in listed
        ]
        context = {
            "plan": plan,
            "plan_title": text_in(plan.title),
            "rows": rows,
            "may_open": plan.status in (PlanStatus.APPROVED, PlanStatus.IN_FORCE),
            "form": bound.get("open") or OpenReportForm(plan=plan),
        } | self.section_context(request, plan)
        return render(
            request, "backoffice/localplans/report_list.html", context, status=400 if bound else 200
        )


@dataclass(frozen=True, slots=True)
class ValueRow:
    """An indicator in a report: its value against what was expected, and its deviations."""

    value: ReportValue
    name: Text
    expected: Decimal | None
    missing: bool
    under_target: bool
    fields: list[forms.BoundField]


@dataclass(frozen=True, slots=True)
class EntryRow:
    """A measure in a report, with its indicators."""

    entry: ReportEntry
    title: Text
    late: bool
    fields: list[forms.BoundField]
    values: list[ValueRow]


def _expected(value: ReportValue, report: MonitoringReport) -> Decimal | None:
    indicator = value.indicator
    targets = {target.year: target.value for target in indicator.targets.all()}
    return progress.expected_value(
        baseline=indicator.baseline, targets=targets, year=report.year, semester=report.semester
    )


def report_rows(form: ReportForm, *, editable: bool) -> list[EntryRow]:
    """Each measure of ``form``'s report with its indicators (and their fields when the report
    may be written)."""
    report = form.report
    by_measure: dict[int, list[ValueRow]] = {}
    for value in form.values:
        by_measure.setdefault(value.indicator.measure_id, []).append(
            ValueRow(
                value=value,
                name=text_in(value.indicator.name),
                expected=_expected(value, report),
                missing=value.value is None,
                under_target=value.under_target,
                fields=form.value_fields(value) if editable else [],
            )
        )
    return [
        EntryRow(
            entry=entry,
            title=text_in(entry.measure.title),
            late=entry.late,
            fields=form.entry_fields(entry) if editable else [],
            values=by_measure.get(entry.measure_id, []),
        )
        for entry in form.entries
    ]


def _save(act: Acting[MonitoringReport]) -> str:
    form = cast(ReportForm, act.form)
    reports.save_report(
        actor=act.actor, report=act.obj, summary=act.data["summary"].strip(),
        entries=form.entry_inputs(), values=form.value_inputs(),
    )  # fmt: skip
    return _("The report was saved. The deviations were checked again.")


def _submit(act: Acting[MonitoringReport]) -> str:
    reports.transition_report(actor=act.actor, report=act.obj, to=ReportStatus.SUBMITTED)
    return _("The report was sent to AAI for approval. It cannot be changed meanwhile.")


def _approver(actor: User) -> None:
    """Approving or returning a report is AAI's."""
    if not actor.has_perm(Permission.APPROVE_LOCAL_PLANS):
        raise PermissionDenied


def _approve(act: Acting[MonitoringReport]) -> str:
    _approver(act.actor)
    reports.transition_report(actor=act.actor, report=act.obj, to=ReportStatus.APPROVED)
    return _("The report was approved. It is frozen from now on, and the public sees it.")


def _return(act: Acting[MonitoringReport]) -> str:
    _approver(act.actor)
    reports.transition_report(
        actor=act.actor, report=act.obj, to=ReportStatus.DRAFT, reason=act.data["reason"].strip()
    )
    return _("The report was sent back to the coordinator with your reason.")


def _report_options(page: Any, report: MonitoringReport) -> dict[str, Any]:
    return {"report": report}


class ReportView(ActionPage[MonitoringReport], StaffView):
    """A semester's report: each measure's progress, status and comment, each indicator's value
    and comment against what was expected, the deviations in words; saved and sent for
    approval by the plan's managers, approved or sent back by AAI; read-only once sent."""

    permission = Permission.MANAGE_LOCAL_PLANS
    actions = ActionTable[MonitoringReport](
        Action("save", ReportForm, _save, "entries", options=_report_options),
        Action("submit", ReportButtonForm, _submit, "status", shows_form=False),
        Action("approve", ReportButtonForm, _approve, "status", shows_form=False),
        Action("return", ReturnForm, _return, "status"),
        default="save",
    )

    def action_object(self, request: HttpRequest, **kwargs: Any) -> MonitoringReport:
        plan = queries.get_managed_plan(self.user, kwargs["slug"])
        return get_object_or_404(
            MonitoringReport.objects.select_related("plan", "submitted_by", "approved_by"),
            plan=plan, year=kwargs["year"], semester=kwargs["semester"],
        )  # fmt: skip

    def page_url(self, obj: MonitoringReport) -> str:
        return report_url(obj)

    def get(self, request: HttpRequest, slug: str, year: int, semester: int) -> HttpResponse:
        report = self.action_object(request, slug=slug, year=year, semester=semester)
        return self.render_page(request, report, {})

    def render_page(
        self, request: HttpRequest, obj: MonitoringReport, bound: Mapping[str, forms.Form]
    ) -> HttpResponse:
        report = obj
        editable = report.status == ReportStatus.DRAFT
        form = cast(ReportForm, bound.get("save")) or ReportForm(report=report)
        rows = report_rows(form, editable=editable)
        late = sum(row.late for row in rows)
        under = sum(value.under_target for row in rows for value in row.values)
        missing = sum(value.missing for row in rows for value in row.values)
        context = {
            "plan": report.plan,
            "plan_title": text_in(report.plan.title),
            "report": report,
            "label": semester_label(report.year, report.semester),
            "period_end": progress.semester_end(report.year, report.semester),
            "editable": editable,
            "is_submitted": report.status == ReportStatus.SUBMITTED,
            "is_approved": report.status == ReportStatus.APPROVED,
            "may_approve": self.user.has_perm(Permission.APPROVE_LOCAL_PLANS),
            "form": form,
            "rows": rows,
            "deviations": deviation_sentences(late, under, missing),
            "return_form": bound.get("return") or ReturnForm(),
            "submitted_by": person_label(report.submitted_by),
            "approved_by": person_label(report.approved_by),
        } | self.section_context(request, report)
        return render(
            request, "backoffice/localplans/report.html", context, status=400 if bound else 200
        )


# --- The evaluation -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AnswerRow:
    stage: str
    stage_label: str
    answer: EvaluationAnswer | None
    form: forms.Form | None


@dataclass(frozen=True, slots=True)
class QuestionRow:
    question: EvaluationQuestion
    text: Text
    edit_form: forms.Form
    answers: list[AnswerRow]


def _add_question(act: Acting[Plan]) -> str:
    form = cast(QuestionForm, act.form)
    evaluation.add_question(actor=act.actor, plan=act.obj, text=form.texts())
    return _("The question was added.")


def _update_question(act: Acting[Plan]) -> str:
    form = cast(EditQuestionForm, act.form)
    evaluation.update_question(actor=act.actor, question=act.data["question"], text=form.texts())
    return _("The question was saved.")


def _answer(act: Acting[Plan]) -> str:
    data = act.data
    evaluation.answer_question(
        actor=act.actor, question=data["question"], stage=EvaluationStage(data["stage"]),
        answer=data["answer"].strip(), language=data["language"],
    )  # fmt: skip
    return _("The answer was saved.")


class EvaluationView(PlanPage):
    """The plan's evaluation: its questions, written and translated per language, and their
    answers at mid-term and at the end (once the plan is approved)."""

    permission = Permission.MANAGE_LOCAL_PLANS
    page_name = "backoffice:plan_evaluation"
    actions = ActionTable[Plan](
        Action("add_question", QuestionForm, _add_question, "questions", options=_plan_options),
        Action(
            "update_question",
            EditQuestionForm,
            _update_question,
            "questions",
            options=_plan_options,
        ),
        Action("answer", AnswerForm, _answer, "answers", options=_plan_options),
    )

    def render_page(
        self, request: HttpRequest, obj: Plan, bound: Mapping[str, forms.Form]
    ) -> HttpResponse:
        plan = obj
        answerable = plan.status in ANSWERABLE
        edited, answered = bound.get("update_question"), bound.get("answer")
        rows = []
        for question in plan.questions.prefetch_related("answers"):
            edit_form: forms.Form = EditQuestionForm(
                plan=plan, auto_id=f"id_q{question.pk}_%s",
                initial=EditQuestionForm.initial_for(question) | {"question": question.pk},
            )  # fmt: skip
            if edited is not None and edited.data.get("question") == str(question.pk):
                edit_form = edited
            given = {answer.stage: answer for answer in question.answers.all()}
            answers = []
            for stage, stage_label in EvaluationStage.choices:
                answer = given.get(stage)
                form: forms.Form | None = None
                if answerable:
                    form = AnswerForm(
                        plan=plan, auto_id=f"id_q{question.pk}_{stage}_%s",
                        initial={"question": question.pk, "stage": stage,
                                 "answer": answer.answer if answer else "",
                                 "language": answer.language if answer else get_language()},
                    )  # fmt: skip
                    posted = answered.data if answered is not None else {}
                    if posted.get("question") == str(question.pk) and posted.get("stage") == stage:
                        form = answered
                answers.append(AnswerRow(stage, str(stage_label), answer, form))
            rows.append(QuestionRow(question, text_in(question.text), edit_form, answers))
        context = {
            "plan": plan,
            "plan_title": text_in(plan.title),
            "rows": rows,
            "answerable": answerable,
            "add_form": bound.get("add_question") or QuestionForm(plan=plan, auto_id="id_new_%s"),
        } | self.section_context(request, plan)
        return render(
            request, "backoffice/localplans/evaluation.html", context, status=400 if bound else 200
        )


# --- The public's comments ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CommentRow:
    comment: PlanComment
    replied_by: str
    form: forms.Form | None


def _reply(act: Acting[Plan]) -> str:
    comments.reply_to_comment(
        actor=act.actor, comment=act.data["comment"], text=act.data["reply"].strip()
    )
    return _("Your reply was sent by e-mail.")


class CommentsView(PlanPage):
    """The comments and proposals the public sent on the plan, newest first, with a reply to
    those who left an address."""

    permission = Permission.MANAGE_LOCAL_PLANS
    page_name = "backoffice:plan_comments"
    actions = ActionTable[Plan](
        Action("reply", CommentReplyForm, _reply, "comments", options=_plan_options),
        default="reply",
    )

    def render_page(
        self, request: HttpRequest, obj: Plan, bound: Mapping[str, forms.Form]
    ) -> HttpResponse:
        plan = obj
        replying = bound.get("reply")
        rows = []
        for comment in plan.comments.select_related("feedback", "feedback__replied_by"):
            feedback = comment.feedback
            form: forms.Form | None = None
            if feedback.contact_email and not feedback.replied_at:
                form = CommentReplyForm(
                    plan=plan, auto_id=f"id_c{comment.pk}_%s", initial={"comment": comment.pk}
                )
                if replying is not None and replying.data.get("comment") == str(comment.pk):
                    form = replying
            rows.append(CommentRow(comment, person_label(feedback.replied_by), form))
        context = {"plan": plan, "plan_title": text_in(plan.title), "rows": rows}
        context |= self.section_context(request, plan)
        return render(
            request, "backoffice/localplans/comments.html", context, status=400 if bound else 200
        )


# --- The change history ---------------------------------------------------------------------

# What each change of a plan is, in words (the audit codes of ``localplans``).
CHANGES: dict[str, Any] = {
    "localplans.plan.created": gettext_lazy("The plan was created."),
    "localplans.plan.updated": gettext_lazy("The plan's texts or period were changed."),
    "localplans.plan.submitted": gettext_lazy("The plan was sent to AAI for approval."),
    "localplans.plan.approved": gettext_lazy("AAI approved the plan."),
    "localplans.plan.returned": gettext_lazy("AAI sent the plan back to the coordinator."),
    "localplans.plan.in_force": gettext_lazy("The plan was put in force."),
    "localplans.plan.closed": gettext_lazy("The plan was closed."),
    "localplans.plan.revised": gettext_lazy("A revision of the plan was begun."),
    "localplans.plan.governance_changed": gettext_lazy("The plan's governance was changed."),
    "localplans.plan.imported": gettext_lazy("The plan was imported from a file."),
    "localplans.plan.exported": gettext_lazy("The plan was exported to a file."),
    "localplans.consultation.added": gettext_lazy("A consultation was added to the diagnosis."),
    "localplans.consultation.removed": gettext_lazy(
        "A consultation was removed from the diagnosis."
    ),
    "localplans.objective.added": gettext_lazy("An objective was added."),
    "localplans.objective.updated": gettext_lazy("An objective was changed."),
    "localplans.measure.added": gettext_lazy("A measure was added."),
    "localplans.measure.updated": gettext_lazy("A measure was changed."),
    "localplans.measure.progress_updated": gettext_lazy(
        "A measure's progress or status was updated."
    ),
    "localplans.indicator.added": gettext_lazy("An indicator was added."),
    "localplans.indicator.updated": gettext_lazy("An indicator or its targets were changed."),
    "localplans.indicator.removed": gettext_lazy("An indicator was removed."),
    "localplans.area.configured": gettext_lazy("An intervention area was configured."),
    "localplans.report.opened": gettext_lazy("A semester's report was opened."),
    "localplans.report.saved": gettext_lazy("A semester's report was saved."),
    "localplans.report.submitted": gettext_lazy(
        "A semester's report was sent to AAI for approval."
    ),
    "localplans.report.approved": gettext_lazy("AAI approved a semester's report."),
    "localplans.report.returned": gettext_lazy(
        "AAI sent a semester's report back to the coordinator."
    ),
    "localplans.evaluation.question_added": gettext_lazy("An evaluation question was added."),
    "localplans.evaluation.question_updated": gettext_lazy("An evaluation question was changed."),
    "localplans.evaluation.answered": gettext_lazy("An evaluation question was answered."),
    "localplans.comment.received": gettext_lazy("A comment or proposal came from the public."),
    "localplans.comment.replied": gettext_lazy("A comment from the public was answered."),
}
# The models whose fields a change names, looked up in this order for the field's name.
FIELD_MODELS: tuple[type[Model], ...] = (
    Measure, Plan, Objective, MeasureIndicator, IndicatorTarget, MonitoringReport,
    SteeringMember, Consultation,
)  # fmt: skip
# What a change's details say besides its fields: the detail's key → its label.
DETAIL_LABELS: dict[str, Any] = {
    "report": gettext_lazy("Report"),
    "objective": gettext_lazy("Objective"),
    "measure": gettext_lazy("Measure"),
    "indicator": gettext_lazy("Indicator"),
    "version": gettext_lazy("Version"),
    "year": gettext_lazy("Year"),
    "semester": gettext_lazy("Semester"),
    "reason": gettext_lazy("Reason"),
}


@dataclass(frozen=True, slots=True)
class Detail:
    label: str
    value: str
    is_code: bool
    """A code, a number or a reference: shown as such (``lang="zxx"``), not as words."""


@dataclass(frozen=True, slots=True)
class ChangeRow:
    change: PlanChange
    description: str
    actor: str
    fields: list[tuple[str, bool]]
    """The fields changed: (name, whether it is a code shown as such)."""
    details: list[Detail]


def field_name(name: str) -> tuple[str, bool]:
    """A field's name in the reader's language, else its code (and True)."""
    for model in FIELD_MODELS:
        try:
            return str(model._meta.get_field(name).verbose_name), False  # type: ignore[union-attr]
        except FieldDoesNotExist:
            continue
    return name, True


def change_row(change: PlanChange) -> ChangeRow:
    details = change.details if isinstance(change.details, dict) else {}
    fields = details.get("fields")
    shown = [
        Detail(str(label), str(details[key]), key != "reason")
        for key, label in DETAIL_LABELS.items()
        if details.get(key) not in (None, "", [])
    ]
    return ChangeRow(
        change=change,
        description=str(CHANGES.get(change.action, _("Another change."))),
        actor=person_label(change.actor),
        fields=[field_name(str(name)) for name in fields] if isinstance(fields, list) else [],
        details=shown,
    )


class HistoryView(StaffView):
    """What changed in the plan, when and by whom, newest first."""

    permission = Permission.VIEW_LOCAL_PLANS

    def get(self, request: HttpRequest, slug: str) -> HttpResponse:
        plan = queries.get_plan_for_user(self.user, slug)
        rows = [change_row(change) for change in queries.plan_history(plan)]
        return render(
            request,
            "backoffice/localplans/history.html",
            {"plan": plan, "plan_title": text_in(plan.title), "rows": rows},
        )


# --- The printable summary ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PrintedMember:
    member: SteeringMember
    name: str


def _members(plan: Plan) -> list[PrintedMember]:
    return [
        PrintedMember(
            member, member.name or (member.organisation.name if member.organisation else "")
        )
        for member in plan.members.select_related("organisation")
    ]


def _report_rows(report: MonitoringReport | None) -> Sequence[EntryRow]:
    if report is None:
        return []
    return report_rows(ReportForm(report=report), editable=False)


class PrintView(StaffView):
    """The plan on paper: its governance, diagnosis, areas, objectives and measures with their
    progress, budget and funding, indicators against their targets and the latest approved
    report."""

    permission = Permission.VIEW_LOCAL_PLANS

    def get(self, request: HttpRequest, slug: str) -> HttpResponse:
        plan = queries.get_plan_for_user(self.user, slug)
        latest = reports.latest_approved_report(plan)
        context = {
            "plan": plan,
            "plan_title": text_in(plan.title),
            "summary": text_in(plan.summary),
            "analysis": text_in(plan.analysis),
            "overview": queries.plan_overview(plan),
            "members": _members(plan),
            "consultations": [
                (consultation, text_in(consultation.findings))
                for consultation in plan.consultations.all()
            ],
            "figures": figures.diagnosis_figures(plan),
            "latest": latest,
            "latest_label": semester_label(latest.year, latest.semester) if latest else "",
            "latest_rows": _report_rows(latest),
        }
        return render(request, "backoffice/localplans/print.html", context)
