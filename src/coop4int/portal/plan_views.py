"""The public pages of local integration plans: the plans by municipality, with their period,
status and overall progress; a plan — its governance, diagnosis, areas and measures with
their progress, budget and funding, indicators against targets (charts drawn on the server,
each with its data table), the latest approved report — and the form to send its coordinators
a comment or a proposal.

Only plans approved, in force or closed are read (``localplans.domain.queries``); any other
answers 404 as a missing one does. Progress and values are those of the latest report AAI
approved, never the live ones. The list and the plan's page hold nothing for one person, so
any cache may keep them, briefly (as the observatory's); the comment form carries what a
person typed and its token, and is kept by none."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from babel import numbers as babel_numbers
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from coop4int.core.fallback_notes import fallback_notes
from coop4int.core.formatting import current_locale, format_number
from coop4int.core.languages import REGISTRY, Language
from coop4int.core.rate_limits import RateLimit
from coop4int.localplans.charts import target_chart
from coop4int.localplans.domain import public_reads, queries
from coop4int.localplans.domain.comments import send_comment
from coop4int.localplans.domain.figures import diagnosis_figures
from coop4int.localplans.domain.reports import deviations
from coop4int.localplans.enums import (
    CommentKind,
    ConsultationKind,
    Direction,
    GovernanceRole,
    IndicatorSource,
    MemberKind,
    PlanStatus,
)
from coop4int.localplans.models import MonitoringReport, Plan
from coop4int.observatory.texts import Text, text_in
from coop4int.portal.abuse import filled_by_robot
from coop4int.portal.case_views import private
from coop4int.portal.plan_forms import PlanCommentForm

# A cached copy may be at most this old: AAI may approve a report or close a plan any time.
CACHE_SECONDS = 60
# At most this many comments per address per hour, as the feedback form allows.
RATE = RateLimit("plan_comment", limit=5, window=60 * 60)
# The fields of the form a refusal of the domain may be about, by its code.
REFUSAL_FIELDS = {"kind": "kind", "too_long": "message", "email": "contact_email"}


def _public(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Any cache may keep the page briefly, per language — unless it carries a message for
    this visitor alone."""
    if not len(messages.get_messages(request)):
        response["Cache-Control"] = f"public, max-age={CACHE_SECONDS}"
        patch_vary_headers(response, ("Accept-Language",))
    return response


# --- What the pages show ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Shown:
    """A plan's text as a page shows it: marked with its language and direction."""

    text: str
    lang: str
    dir: str
    is_fallback: bool
    language_name: str


def _shown(text: Text) -> Shown:
    language = REGISTRY.get(text.language)
    return Shown(
        text=text.text,
        lang=text.language,
        dir=language.direction.value if language else "ltr",
        is_fallback=text.is_fallback,
        language_name=language.native_name if language else text.language,
    )


@dataclass(frozen=True, slots=True)
class Progress:
    """A progress as a bar (``raw``, the ``value`` of ``<progress>``; "" for none) and in
    words (``text``, "45,5 %")."""

    raw: str
    text: str


def _progress(value: Decimal | int | None) -> Progress:
    if value is None:
        return Progress(raw="", text="")
    share = (Decimal(value) / 100).normalize()
    return Progress(
        raw=f"{Decimal(value):f}",
        text=babel_numbers.format_percent(
            share, locale=current_locale(), decimal_quantization=False
        ),
    )


def _amount(value: Decimal) -> str:
    return format_number(value)


def _period(plan: Plan) -> str:
    if plan.starts_year == plan.ends_year:
        return str(plan.starts_year)
    return f"{plan.starts_year}–{plan.ends_year}"


def _fallback_notes(texts: list[Text]) -> list[tuple[Language, str]]:
    """The notes that some text is not in the reader's language (the first such text's)."""
    fallback = next((text for text in texts if text.is_fallback), None)
    if fallback is None:
        return []
    return fallback_notes(fallback.requested, fallback.language)


def _label(choices: Any, value: str) -> str:
    return str(choices(value).label) if value in choices.values else value


def _semester(report: MonitoringReport) -> str:
    if report.semester == 1:
        return _("the first semester of %(year)s") % {"year": report.year}
    return _("the second semester of %(year)s") % {"year": report.year}


# --- The plans --------------------------------------------------------------------------------


def plan_list(request: HttpRequest) -> HttpResponse:
    """The public plans under each municipality they cover, the newest first, each with its
    period, status and overall progress."""
    municipalities = [
        {
            "code": group.code,
            "name": group.name,
            "plans": [
                {
                    "title": _shown(row.title),
                    "url": reverse("portal:plan", args=[row.plan.slug]),
                    "period": _period(row.plan),
                    "status": row.status_label,
                    "others": [name for name in row.municipalities if name != group.name],
                    "progress": _progress(row.progress),
                }
                for row in group.plans
            ],
        }
        for group in queries.public_plans_by_municipality()
    ]
    return _public(
        request, render(request, "portal/plans/list.html", {"municipalities": municipalities})
    )


# --- A plan -----------------------------------------------------------------------------------


def _indicators(
    overview: queries.PlanOverview, by_year: dict[int, dict[int, Decimal | None]]
) -> list[dict[str, Any]]:
    """Every indicator of the plan's measures with its chart against its targets and the
    chart's table."""
    plan = overview.plan
    years = range(plan.starts_year, plan.ends_year + 1)
    shown = []
    for objective in overview.objectives:
        for row in objective.measures:
            for item in row.indicators:
                indicator = item.indicator
                name = _shown(item.name)
                chart_id = f"indicator-{slugify(indicator.code) or indicator.pk}-{indicator.pk}"
                chart = target_chart(
                    chart_id=chart_id,
                    # The chart's title and description are in the reader's language: the
                    # indicator's own name (perhaps in another language) heads it on the page.
                    title=(
                        name.text
                        if name.text and not name.is_fallback
                        else _("Indicator %(code)s: target and value by year")
                        % {"code": indicator.code}
                    ),
                    years=years,
                    targets=item.targets,
                    values=by_year.get(indicator.pk, {}),
                    baseline=item.baseline,
                    baseline_year=indicator.baseline_year,
                    unit=item.unit_label,
                )
                shown.append(
                    {
                        "code": indicator.code,
                        "measure_code": row.measure.code,
                        "name": name,
                        "unit": item.unit_label,
                        "direction": _label(Direction, indicator.direction),
                        "source": _label(IndicatorSource, indicator.source),
                        "chart_id": chart_id,
                        "chart": chart.svg,
                        "rows": chart.rows,
                    }
                )
    return shown


def _objectives(
    overview: queries.PlanOverview, indicators: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    by_code = {(item["measure_code"], item["code"]): item for item in indicators}
    return [
        {
            "code": objective.objective.code,
            "title": _shown(objective.title),
            "area": _shown(objective.area_name),
            "progress": _progress(objective.progress),
            "measures": [
                {
                    "code": row.measure.code,
                    "title": _shown(row.title),
                    "description": _shown(row.description),
                    "target_group": _shown(row.target_group),
                    "responsible": row.responsible_name,
                    "partners": row.partner_names,
                    "starts_on": row.measure.starts_on,
                    "ends_on": row.measure.ends_on,
                    "status": row.status_label,
                    "progress": _progress(row.progress),
                    "budget": _amount(row.measure.budget),
                    "funding": [
                        (
                            share.name,
                            babel_numbers.format_percent(
                                (share.share / 100).normalize(),
                                locale=current_locale(),
                                decimal_quantization=False,
                            ),
                        )
                        for share in row.funding
                    ],
                    "indicators": [
                        by_code[(row.measure.code, item.indicator.code)] for item in row.indicators
                    ],
                    "links": row.links,
                }
                for row in objective.measures
            ],
        }
        for objective in overview.objectives
    ]


def _diagnosis(plan: Plan) -> list[dict[str, Any]]:
    return [
        {
            "figure": figure,
            "name": _shown(figure.name),
            "url": reverse("portal:indicator", args=[figure.indicator.code]),
        }
        for figure in diagnosis_figures(plan)
    ]


def _report(report: MonitoringReport | None) -> dict[str, Any] | None:
    """The latest approved report: its period, summary and the deviations it flagged."""
    if report is None:
        return None
    found = deviations(report)
    language = REGISTRY.get(report.language)
    return {
        "period": _semester(report),
        "approved_at": report.approved_at,
        "summary": report.summary,
        "lang": report.language,
        "dir": language.direction.value if language else "ltr",
        "late": [
            {"code": entry.measure.code, "title": _shown(text_in(entry.measure.title))}
            for entry in found.late
        ],
        "under_target": [
            {"code": value.indicator.code, "title": _shown(text_in(value.indicator.name))}
            for value in found.under_target
        ],
        "missing": len(found.missing),
    }


def plan_page(request: HttpRequest, slug: str) -> HttpResponse:
    """A public plan in the reader's language (texts in another language marked), with what
    its latest approved report says."""
    plan = queries.get_public_plan(slug)
    overview = queries.plan_overview(plan, public=True)
    indicators = _indicators(overview, public_reads.approved_values_by_year(plan))
    analysis = text_in(plan.analysis)
    consultations = [
        {
            "held_on": consultation.held_on,
            "kind": _label(ConsultationKind, consultation.kind),
            "organisations": consultation.organisations_heard,
            "people": consultation.people_heard,
            "women": consultation.women_heard,
            "findings": _shown(text_in(consultation.findings)),
        }
        for consultation in public_reads.consultations(plan)
    ]
    members = [
        {
            "name": member.name or (member.organisation.name if member.organisation else ""),
            "kind": _label(MemberKind, member.kind),
            "role": _label(GovernanceRole, member.role),
        }
        for member in public_reads.governance(plan)
    ]
    context = {
        "plan": plan,
        "title": _shown(overview.title),
        "summary": _shown(overview.summary),
        "analysis": _shown(analysis),
        "fallback_notes": _fallback_notes([overview.title, overview.summary, analysis]),
        "municipalities": overview.municipalities,
        "period": _period(plan),
        "status": _label(PlanStatus, plan.status),
        "progress": _progress(overview.progress),
        "coordinating_body": overview.coordinating_body_name,
        "members": members,
        "diagnosis": _diagnosis(plan),
        "consultations": consultations,
        "areas": [
            {
                "name": _shown(area.name),
                "measure_count": area.measure_count,
                "budget": _amount(area.budget),
                "progress": _progress(area.progress),
            }
            for area in overview.areas
        ],
        "objectives": _objectives(overview, indicators),
        "indicators": indicators,
        "budget_total": _amount(overview.budget),
        "funding": [
            (total.name or _("Without a funding source"), _amount(total.amount))
            for total in overview.funding
        ],
        "report": _report(overview.report),
        "plans_url": reverse("portal:plans"),
        "comment_url": reverse("portal:plan_comment", args=[plan.slug]),
    }
    return _public(request, render(request, "portal/plans/detail.html", context))


# --- A comment or a proposal ------------------------------------------------------------------


@private()
def comment(request: HttpRequest, slug: str) -> HttpResponse:
    """The form to send the plan's coordinators a comment or a proposal. A robot is shown the
    page a person would see and nothing is kept; what is refused is said in the page's
    language, and the form keeps what was typed."""
    plan = queries.get_public_plan(slug)
    form = PlanCommentForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        if filled_by_robot(form):
            return redirect("portal:plan_comment_sent", plan.slug)
        if RATE.exceeded(request):
            form.add_error(
                None, _("Too many messages from your connection. Please try again in an hour.")
            )
            status = 429
        else:
            try:
                send_comment(
                    plan=plan,
                    kind=CommentKind(form.cleaned_data["kind"]),
                    message=form.cleaned_data["message"],
                    contact_email=form.cleaned_data["contact_email"],
                    language=get_language() or "pt",
                    page=reverse("portal:plan", args=[plan.slug]),
                )
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    form.add_error(None, error)  # by field, as the domain names them
                else:
                    field = REFUSAL_FIELDS.get(str(getattr(error, "code", "")))
                    form.add_error(field, error.messages)
                status = 400
            else:
                RATE.count(request)
                return redirect("portal:plan_comment_sent", plan.slug)
    elif request.method == "POST":
        status = 400
    context = {
        "plan": plan,
        "title": _shown(text_in(plan.title)),
        "form": form,
        "plan_url": reverse("portal:plan", args=[plan.slug]),
    }
    return render(request, "portal/plans/comment.html", context, status=status)


@private()
def comment_sent(request: HttpRequest, slug: str) -> HttpResponse:
    """What happens to a comment once sent."""
    plan = queries.get_public_plan(slug)
    context = {
        "plan": plan,
        "title": _shown(text_in(plan.title)),
        "plan_url": reverse("portal:plan", args=[plan.slug]),
    }
    return render(request, "portal/plans/comment_sent.html", context)
