"""The back-office pages of local integration plans: the list, a new plan, a plan's page (its
overview, diagnosis, objectives and measures with their progress, and the status actions), the
editor of its texts, governance, consultations and objectives, a measure (edited by the plan's
managers, its progress reported by the partner responsible), the intervention areas, and a
plan's export and import.

Thin views: plans and measures are fetched through ``localplans.domain.queries`` (404 outside
the user's scope), each action is authorised with ``has_perm`` on its object and calls one
function of ``localplans.domain.plans`` / ``measures`` / ``localplans.exchange``. A permission
the role has but not on this plan (a partner submitting it, a coordinator approving it)
answers 403."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from coop4int.accounts.models import User
from coop4int.accounts.roles import Permission
from coop4int.backoffice.localplan_forms import (
    AreaForm,
    ButtonForm,
    ConsultationChoiceForm,
    ConsultationForm,
    GovernanceForm,
    IndicatorChoiceForm,
    IndicatorEditForm,
    IndicatorForm,
    MeasureForm,
    ObjectiveEditForm,
    ObjectiveForm,
    PlanForm,
    PlanImportForm,
    ProgressForm,
    ReturnForm,
    show_refusal,
)
from coop4int.backoffice.observatory_views import reverse_if_known
from coop4int.backoffice.page_actions import Acting, Action, ActionPage, ActionTable, Done
from coop4int.backoffice.views import StaffView
from coop4int.localplans import exchange
from coop4int.localplans.domain import figures, queries
from coop4int.localplans.domain import measures as measure_domain
from coop4int.localplans.domain import plans as plan_domain
from coop4int.localplans.enums import MeasureStatus, PlanStatus
from coop4int.localplans.models import InterventionArea, Measure, Plan
from coop4int.localplans.texts import area_name, plan_editable, progress_updatable
from coop4int.observatory.geography import MUNICIPALITIES
from coop4int.observatory.texts import Text, text_in

EXPORT_TYPES = {"json": "application/json", "csv": "application/zip"}


def _can(user: User, permission: Permission, obj: Any = None) -> bool:
    return bool(user.has_perm(permission, obj))


def _require(user: User, permission: Permission, obj: Any = None) -> None:
    """403 when ``user`` may not take the action on ``obj`` (the page itself they may see)."""
    if not _can(user, permission, obj):
        raise PermissionDenied


def plan_title(plan: Plan) -> Text:
    """The plan's title in the reader's language or the nearest; its short name when none."""
    title = text_in(plan.title)
    return title if title.text else Text(plan.slug, "zxx", title.requested)


def municipality_names(plan: Plan) -> list[str]:
    return [
        MUNICIPALITIES[m.code].name if m.code in MUNICIPALITIES else m.code
        for m in plan.municipalities.all()
    ]


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)  # StaffView let only staff in


class PlanPage(ActionPage[Plan], StaffView):
    """A plan's page that takes actions, at the address named ``page_name`` (the plan's short
    name in it): the plan is fetched among those the user manages (``managed``) or may read,
    and answers 404 outside them."""

    page_name: ClassVar[str]
    managed: ClassVar[bool] = True

    def action_object(self, request: HttpRequest, **kwargs: Any) -> Plan:
        fetch = queries.get_managed_plan if self.managed else queries.get_plan_for_user
        return fetch(_user(request), kwargs["slug"])

    def page_url(self, obj: Plan) -> str:
        return reverse(self.page_name, kwargs={"slug": obj.slug})

    def get(self, request: HttpRequest, slug: str) -> HttpResponse:
        return self.render_page(request, self.action_object(request, slug=slug), {})


# --- The list and a new plan -----------------------------------------------------------------


class PlanListView(StaffView):
    """The plans the user reaches, with their status and progress."""

    permission = Permission.VIEW_LOCAL_PLANS

    def get(self, request: HttpRequest) -> HttpResponse:
        user = self.user
        context = {
            "rows": queries.plan_list_for_user(user),
            "may_manage": _can(user, Permission.MANAGE_LOCAL_PLANS),
            "may_configure": _can(user, Permission.CONFIGURE_PLAN_AREAS),
        }
        return render(request, "backoffice/localplans/plan_list.html", context)


class NewPlanView(StaffView):
    """A new plan, a draft: its short name, texts, period and municipalities."""

    permission = Permission.MANAGE_LOCAL_PLANS

    def _render(self, request: HttpRequest, form: PlanForm, status: int = 200) -> HttpResponse:
        return render(
            request, "backoffice/localplans/plan_form.html", {"form": form}, status=status
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request, PlanForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = PlanForm(request.POST)
        if form.is_valid():
            try:
                plan = plan_domain.create_plan(
                    actor=self.user, slug=form.cleaned_data["slug"], details=form.details()
                )
            except ValidationError as error:
                show_refusal(form, error)
            else:
                messages.success(
                    request,
                    _("The plan was created as a draft. Add its objectives, then its measures."),
                )
                return redirect("backoffice:plan_edit", slug=plan.slug)
        return self._render(request, form, status=200)


# --- A plan's page: overview and status ------------------------------------------------------


def _transition(
    to: PlanStatus, permission: Permission, said: str
) -> Callable[[Acting[Plan]], Done]:
    def perform(act: Acting[Plan]) -> Done:
        _require(act.actor, permission, act.obj)
        plan_domain.transition_plan(
            actor=act.actor,
            plan=act.obj,
            to=to,
            reason=act.data.get("reason", ""),
            now=timezone.now(),
        )
        return Done(said)

    return perform


@dataclass(frozen=True, slots=True)
class StatusAction:
    """A status button the user may press on the plan's page."""

    name: str
    label: str
    needs_reason: bool = False


def status_actions(user: User, plan: Plan) -> list[StatusAction]:
    """The status actions ``user`` may take on ``plan`` in its present status."""
    manages = _can(user, Permission.MANAGE_LOCAL_PLANS, plan)
    approves = _can(user, Permission.APPROVE_LOCAL_PLANS, plan)
    status = plan.status
    shown: list[StatusAction] = []
    if manages and status == PlanStatus.DRAFT:
        shown.append(StatusAction("submit", _("Submit the plan for approval")))
    if approves and status == PlanStatus.SUBMITTED:
        shown.append(StatusAction("approve", _("Approve the plan")))
        shown.append(StatusAction("return", _("Send the plan back"), needs_reason=True))
    if manages and status == PlanStatus.APPROVED:
        shown.append(StatusAction("in_force", _("Put the plan in force")))
    if manages and status in (PlanStatus.APPROVED, PlanStatus.IN_FORCE):
        shown.append(StatusAction("close", _("Close the plan")))
        shown.append(StatusAction("revise", _("Start a revision (a new version)")))
    return shown


def plan_links(plan: Plan, *, manages: bool) -> list[tuple[str, str, str]]:
    """(id, label, address) of the plan's other pages that exist."""
    slug = plan.slug
    links = [
        ("history", _("Change history"), reverse_if_known("backoffice:plan_history", slug)),
        ("print", _("Printable summary"), reverse_if_known("backoffice:plan_print", slug)),
    ]
    if manages:
        links = [
            ("reports", _("Monitoring reports"), reverse_if_known("backoffice:plan_reports", slug)),
            ("evaluation", _("Evaluation"), reverse_if_known("backoffice:plan_evaluation", slug)),
            ("comments", _("Comments from the public"),
             reverse_if_known("backoffice:plan_comments", slug)),
            *links,
        ]  # fmt: skip
    return [link for link in links if link[2]]


class PlanView(PlanPage):
    """A plan: where it stands, its diagnosis, its objectives with their measures and
    progress, the status actions the user may take and its other pages."""

    permission = Permission.VIEW_LOCAL_PLANS
    page_name, managed = "backoffice:plan", False
    actions = ActionTable[Plan](
        Action("submit", ButtonForm, _transition(
            PlanStatus.SUBMITTED, Permission.MANAGE_LOCAL_PLANS,
            _("The plan was submitted: AAI will approve it or send it back."),
        ), "status", shows_form=False),
        Action("approve", ButtonForm, _transition(
            PlanStatus.APPROVED, Permission.APPROVE_LOCAL_PLANS,
            _("The plan is approved. Its coordinator may now put it in force."),
        ), "status", shows_form=False),
        Action("return", ReturnForm, _transition(
            PlanStatus.DRAFT, Permission.APPROVE_LOCAL_PLANS,
            _("The plan was sent back to its coordinator, with your reason."),
        ), "status"),
        Action("in_force", ButtonForm, _transition(
            PlanStatus.IN_FORCE, Permission.MANAGE_LOCAL_PLANS, _("The plan is in force."),
        ), "status", shows_form=False),
        Action("close", ButtonForm, _transition(
            PlanStatus.CLOSED, Permission.MANAGE_LOCAL_PLANS, _("The plan is closed."),
        ), "status", shows_form=False),
        Action("revise", ButtonForm, _transition(
            PlanStatus.DRAFT, Permission.MANAGE_LOCAL_PLANS,
            _("A revision was started: the plan is a draft again, in a new version."),
        ), "status", shows_form=False),
    )  # fmt: skip

    def render_page(
        self, request: HttpRequest, obj: Plan, bound: Mapping[str, forms.Form]
    ) -> HttpResponse:
        plan, user = obj, self.user
        manages = _can(user, Permission.MANAGE_LOCAL_PLANS, plan)
        context = {
            "plan": plan,
            "title": plan_title(plan),
            "summary": text_in(plan.summary),
            "analysis": text_in(plan.analysis),
            "municipalities": municipality_names(plan),
            "members": list(plan.members.select_related("organisation")),
            "consultations": [
                (consultation, text_in(consultation.findings))
                for consultation in plan.consultations.all()
            ],
            "overview": queries.plan_overview(plan),
            "figures": figures.diagnosis_figures(plan),
            "status_actions": status_actions(user, plan),
            "return_form": bound.get("return") or ReturnForm(),
            "manages": manages,
            "editable": manages and plan_editable(plan),
            "links": plan_links(plan, manages=manages),
            # The whole plan (drafts, who approved, evaluation answers): its managers'.
            "exports": [
                ("json", _("Data package (JSON)")),
                ("csv", _("CSV files (ZIP)")),
            ]
            if manages
            else [],
        } | self.section_context(request, plan)
        return render(request, "backoffice/localplans/plan.html", context, status=200)


# --- Editing a plan --------------------------------------------------------------------------


def _save_plan(act: Acting[Plan]) -> Done:
    form = cast(PlanForm, act.form)
    plan_domain.update_plan(actor=act.actor, plan=act.obj, details=form.details())
    return Done(_("The plan was saved."))


def _set_members(act: Acting[Plan]) -> Done:
    form = cast(GovernanceForm, act.form)
    plan_domain.set_members(actor=act.actor, plan=act.obj, members=form.members())
    return Done(_("The plan's governance was saved."))


def _add_consultation(act: Acting[Plan]) -> Done:
    form = cast(ConsultationForm, act.form)
    data = form.cleaned_data
    plan_domain.add_consultation(
        actor=act.actor, plan=act.obj, held_on=data["held_on"], kind=data["kind"],
        organisations_heard=data["organisations_heard"], people_heard=data["people_heard"],
        women_heard=data["women_heard"], findings=form.texts_of("findings"),
    )  # fmt: skip
    return Done(_("The consultation was added to the diagnosis."))


def _remove_consultation(act: Acting[Plan]) -> Done:
    plan_domain.remove_consultation(actor=act.actor, consultation=act.data["consultation"])
    return Done(_("The consultation was removed from the diagnosis."))


def _add_objective(act: Acting[Plan]) -> Done:
    form = cast(ObjectiveForm, act.form)
    data = form.cleaned_data
    objective = measure_domain.add_objective(
        actor=act.actor, plan=act.obj, code=data["code"].strip(), area=data["area"],
        title=form.texts_of("title"), weight=data["weight"],
    )  # fmt: skip
    return Done(_("Objective %(code)s was added.") % {"code": objective.code})


def _update_objective(act: Acting[Plan]) -> Done:
    form = cast(ObjectiveEditForm, act.form)
    data = form.cleaned_data
    objective = measure_domain.update_objective(
        actor=act.actor, objective=data["objective"], code=data["code"].strip(),
        area=data["area"], title=form.texts_of("title"), weight=data["weight"],
    )  # fmt: skip
    return Done(_("Objective %(code)s was saved.") % {"code": objective.code})


def _plan_option(page: Any, plan: Plan) -> dict[str, Any]:
    return {"plan": plan}


# Forms of one page each give their fields ids of their own (their names may be alike).
def _new_objective_options(page: Any, plan: Plan) -> dict[str, Any]:
    return {"plan": plan, "auto_id": "id_new_objective_%s"}


def _objective_auto_id(pk: Any) -> str:
    return f"id_objective_{pk}_%s"


def _plan_form_options(page: Any, plan: Plan) -> dict[str, Any]:
    return {"new": False, "initial": PlanForm.initial_for(plan)}


class PlanEditView(PlanPage):
    """A plan's texts, period and municipalities, its governance, the consultations of its
    diagnosis and its objectives."""

    permission = Permission.MANAGE_LOCAL_PLANS
    page_name = "backoffice:plan_edit"
    actions = ActionTable[Plan](
        Action("save", PlanForm, _save_plan, "details", options=_plan_form_options),
        Action("members", GovernanceForm, _set_members, "governance", options=_plan_option),
        Action("add_consultation", ConsultationForm, _add_consultation, "consultations",
               options=lambda page, plan: {"auto_id": "id_consultation_%s"}),
        Action("remove_consultation", ConsultationChoiceForm, _remove_consultation,
               "consultations", shows_form=False, options=_plan_option),
        Action("add_objective", ObjectiveForm, _add_objective, "objectives",
               options=_new_objective_options),
        Action("update_objective", ObjectiveEditForm, _update_objective, "objectives",
               options=_plan_option),
        default="save",
    )  # fmt: skip

    def render_page(
        self, request: HttpRequest, obj: Plan, bound: Mapping[str, forms.Form]
    ) -> HttpResponse:
        plan = obj
        editing = bound.get("update_objective")
        editing_pk = editing.data.get("objective") if editing is not None else None
        objectives = []
        for objective in plan.objectives.select_related("area"):
            if editing is not None and str(editing_pk) == str(objective.pk):
                form = editing
                form.auto_id = _objective_auto_id(objective.pk)
            else:
                form = ObjectiveEditForm(
                    plan=plan,
                    initial=ObjectiveEditForm.initial_for(objective),
                    auto_id=_objective_auto_id(objective.pk),
                )
            objectives.append(
                (objective, text_in(objective.title), area_name(objective.area), form)
            )
        context = {
            "plan": plan,
            "title": plan_title(plan),
            "editable": plan_editable(plan),
            "form": bound.get("save") or PlanForm(**_plan_form_options(self, plan)),
            "governance_form": bound.get("members") or GovernanceForm(plan=plan),
            "consultations": [
                (consultation, text_in(consultation.findings))
                for consultation in plan.consultations.all()
            ],
            "consultation_form": bound.get("add_consultation")
            or ConsultationForm(auto_id="id_consultation_%s"),
            "objectives": objectives,
            "objective_form": bound.get("add_objective")
            or ObjectiveForm(**_new_objective_options(self, plan)),
        } | self.section_context(request, plan)
        return render(request, "backoffice/localplans/plan_edit.html", context, status=200)


# --- Measures --------------------------------------------------------------------------------


class NewMeasureView(StaffView):
    """A new measure of a plan, under one of its objectives."""

    permission = Permission.MANAGE_LOCAL_PLANS

    def _render(
        self, request: HttpRequest, plan: Plan, form: MeasureForm, status: int = 200
    ) -> HttpResponse:
        context = {"plan": plan, "title": plan_title(plan), "form": form, "measure": None}
        return render(request, "backoffice/localplans/measure_form.html", context, status=status)

    def get(self, request: HttpRequest, slug: str) -> HttpResponse:
        plan = queries.get_managed_plan(self.user, slug)
        initial: dict[str, Any] = {}
        objective = plan.objectives.filter(code=request.GET.get("objective", "")).first()
        if objective is not None:
            initial = {"objective": objective.pk, "area": objective.area_id}
        return self._render(request, plan, MeasureForm(plan=plan, initial=initial))

    def post(self, request: HttpRequest, slug: str) -> HttpResponse:
        plan = queries.get_managed_plan(self.user, slug)
        form = MeasureForm(request.POST, plan=plan)
        if form.is_valid():
            try:
                measure = measure_domain.add_measure(
                    actor=self.user, plan=plan, details=form.details()
                )
            except ValidationError as error:
                show_refusal(form, error)
            else:
                messages.success(request, _("Measure %(code)s was added.") % {"code": measure.code})
                return redirect("backoffice:plan_measure", slug=plan.slug, code=measure.code)
        return self._render(request, plan, form, status=200)


def _require_manager(act: Acting[Measure]) -> None:
    _require(act.actor, Permission.MANAGE_LOCAL_PLANS, act.obj.plan)


def _save_measure(act: Acting[Measure]) -> Done:
    _require_manager(act)
    form = cast(MeasureForm, act.form)
    measure = measure_domain.update_measure(
        actor=act.actor, measure=act.obj, details=form.details()
    )
    return Done(
        _("Measure %(code)s was saved.") % {"code": measure.code},
        to=reverse("backoffice:plan_measure", kwargs={"slug": measure.plan.slug,
                                                      "code": measure.code}),
    )  # fmt: skip


def _update_progress(act: Acting[Measure]) -> Done:
    _require(act.actor, Permission.UPDATE_PLAN_MEASURES, act.obj)
    data = act.data
    measure_domain.update_progress(
        actor=act.actor, measure=act.obj, progress=data["progress"],
        status=MeasureStatus(data["status"]), note=data["note"], now=timezone.now(),
    )  # fmt: skip
    return Done(_("The measure's progress was saved."))


def _add_indicator(act: Acting[Measure]) -> Done:
    _require_manager(act)
    form = cast(IndicatorForm, act.form)
    indicator = measure_domain.add_indicator(
        actor=act.actor, measure=act.obj, details=form.details()
    )
    return Done(_("Indicator %(code)s was added.") % {"code": indicator.code})


def _update_indicator(act: Acting[Measure]) -> Done:
    _require_manager(act)
    form = cast(IndicatorEditForm, act.form)
    indicator = measure_domain.update_indicator(
        actor=act.actor, indicator=act.data["indicator"], details=form.details()
    )
    return Done(_("Indicator %(code)s was saved.") % {"code": indicator.code})


def _remove_indicator(act: Acting[Measure]) -> Done:
    _require_manager(act)
    indicator = act.data["indicator"]
    code = indicator.code
    measure_domain.remove_indicator(actor=act.actor, indicator=indicator)
    return Done(_("Indicator %(code)s was removed.") % {"code": code})


def _measure_plan(page: Any, measure: Measure) -> dict[str, Any]:
    return {"plan": measure.plan, "initial": MeasureForm.initial_for(measure)}


def _measure_option(page: Any, measure: Measure) -> dict[str, Any]:
    return {"measure": measure}


def _progress_options(page: Any, measure: Measure) -> dict[str, Any]:
    return {"auto_id": "id_progress_%s", "initial": ProgressForm.initial_for(measure)}


def _new_indicator_options(page: Any, measure: Measure) -> dict[str, Any]:
    return {"auto_id": "id_new_indicator_%s"}


def _indicator_auto_id(pk: Any) -> str:
    return f"id_indicator_{pk}_%s"


class MeasureView(ActionPage[Measure], StaffView):
    """A measure: the plan's managers edit it and its indicators; the partner responsible for
    it (and the managers) report its progress and status."""

    permission = Permission.VIEW_LOCAL_PLANS
    actions = ActionTable[Measure](
        Action("save", MeasureForm, _save_measure, "details", options=_measure_plan,
               leaves=True),
        Action("progress", ProgressForm, _update_progress, "progress",
               options=_progress_options),
        Action("add_indicator", IndicatorForm, _add_indicator, "indicators",
               options=_new_indicator_options),
        Action("update_indicator", IndicatorEditForm, _update_indicator, "indicators",
               options=_measure_option),
        Action("remove_indicator", IndicatorChoiceForm, _remove_indicator, "indicators",
               shows_form=False, options=_measure_option),
    )  # fmt: skip

    def action_object(self, request: HttpRequest, **kwargs: Any) -> Measure:
        user = _user(request)
        plan = queries.get_plan_for_user(user, kwargs["slug"])
        return queries.get_measure_for_user(user, plan, kwargs["code"])

    def page_url(self, obj: Measure) -> str:
        return reverse("backoffice:plan_measure", kwargs={"slug": obj.plan.slug, "code": obj.code})

    def get(self, request: HttpRequest, slug: str, code: str) -> HttpResponse:
        return self.render_page(request, self.action_object(request, slug=slug, code=code), {})

    def render_page(
        self, request: HttpRequest, obj: Measure, bound: Mapping[str, forms.Form]
    ) -> HttpResponse:
        measure, user = obj, self.user
        plan = measure.plan
        manages = _can(user, Permission.MANAGE_LOCAL_PLANS, plan)
        editable = manages and plan_editable(plan)
        reports = _can(user, Permission.UPDATE_PLAN_MEASURES, measure) and progress_updatable(plan)
        editing = bound.get("update_indicator")
        editing_pk = editing.data.get("indicator") if editing is not None else None
        indicators = []
        for indicator in measure.indicators.prefetch_related("targets"):
            form: IndicatorEditForm | None = None
            if editable and editing is not None and str(editing_pk) == str(indicator.pk):
                form = cast(IndicatorEditForm, editing)
                form.auto_id = _indicator_auto_id(indicator.pk)
            elif editable:
                form = IndicatorEditForm(
                    measure=measure,
                    initial=IndicatorEditForm.initial_for(indicator),
                    auto_id=_indicator_auto_id(indicator.pk),
                )
            indicators.append((indicator, text_in(indicator.name), form))
        context = {
            "plan": plan,
            "plan_title": plan_title(plan),
            "measure": measure,
            "title": text_in(measure.title),
            "description": text_in(measure.description),
            "target_group": text_in(measure.target_group),
            "objective_title": text_in(measure.objective.title),
            "area": area_name(measure.area),
            "partners": list(measure.partners.order_by("name")),
            "funding": list(measure.funding.all()),
            "links": figures.link_delivery(measure),
            "indicators": indicators,
            "manages": manages,
            "editable": editable,
            "reports_progress": reports,
            "progress_form": bound.get("progress")
            or ProgressForm(**_progress_options(self, measure)),
            "form": (bound.get("save") or MeasureForm(**_measure_plan(self, measure)))
            if editable
            else None,
            "indicator_form": (
                bound.get("add_indicator") or IndicatorForm(**_new_indicator_options(self, measure))
            )
            if editable
            else None,
        } | self.section_context(request, measure)
        return render(request, "backoffice/localplans/measure.html", context, status=200)


# --- Export and import -----------------------------------------------------------------------


class PlanExportView(StaffView):
    """A plan as a data package: JSON, or a ZIP of CSV files — the whole plan, drafts and who
    approved what included: for those who manage it."""

    permission = Permission.MANAGE_LOCAL_PLANS

    def get(self, request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
        if fmt not in EXPORT_TYPES:
            raise Http404
        plan = queries.get_managed_plan(self.user, slug)
        chosen: exchange.Format = "json" if fmt == "json" else "csv"
        content = exchange.export_plan(plan, chosen)
        exchange.record_export(plan=plan, fmt=chosen, actor=self.user)
        response = HttpResponse(content, content_type=EXPORT_TYPES[chosen])
        name = exchange.export_filename(plan, chosen)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


class _OutOfScope(Exception):
    """An imported plan covers no municipality the user manages: undone."""


class PlanImportView(StaffView):
    """An exported plan uploaded: imported whole, or refused with what is wrong and nothing
    saved. A coordinator imports only plans of the municipality they coordinate."""

    permission = Permission.MANAGE_LOCAL_PLANS

    def _render(
        self, request: HttpRequest, form: PlanImportForm, status: int = 200
    ) -> HttpResponse:
        return render(
            request, "backoffice/localplans/import.html",
            {"form": form, "files_lost": request.method == "POST"}, status=status,
        )  # fmt: skip

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request, PlanImportForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = PlanImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["upload"]
            try:
                with transaction.atomic():
                    plan = exchange.import_plan(
                        upload.read(), actor=self.user, filename=upload.name or ""
                    )
                    if not _can(self.user, Permission.MANAGE_LOCAL_PLANS, plan):
                        raise _OutOfScope
            except ValidationError as error:
                show_refusal(form, error)
            except _OutOfScope:
                form.add_error(
                    None, _("The plan in this file does not cover the municipality you coordinate.")
                )
            else:
                messages.success(
                    request, _("The plan %(slug)s was imported.") % {"slug": plan.slug}
                )
                return redirect("backoffice:plan", slug=plan.slug)
        return self._render(request, form, status=200)


# --- Intervention areas ----------------------------------------------------------------------


class PlanAreasView(StaffView):
    """The list of intervention areas offered to measures: renamed, added, retired."""

    permission = Permission.CONFIGURE_PLAN_AREAS

    def _render(self, request: HttpRequest, form: AreaForm, status: int = 200) -> HttpResponse:
        areas = [(area, area_name(area)) for area in InterventionArea.objects.all()]
        context = {"areas": areas, "form": form}
        return render(request, "backoffice/localplans/areas.html", context, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        area = InterventionArea.objects.filter(code=request.GET.get("area", "")).first()
        form = AreaForm(initial=AreaForm.initial_for(area)) if area is not None else AreaForm()
        return self._render(request, form)

    def post(self, request: HttpRequest) -> HttpResponse:
        form = AreaForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                area = measure_domain.configure_area(
                    actor=self.user, code=data["code"], names=form.texts_of("name"),
                    position=data["position"], active=data["active"],
                )  # fmt: skip
            except ValidationError as error:
                show_refusal(form, error)
            else:
                messages.success(
                    request, _("The area %(area)s was saved.") % {"area": area_name(area).text}
                )
                return redirect("backoffice:plan_areas")
        return self._render(request, form, status=200)
