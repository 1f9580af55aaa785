"""How a plan's words are read: an intervention area's name in the reader's language, and
whether a plan's content may still be written."""

from django.utils import translation
from django.utils.translation import get_language

from coop4int.localplans.enums import DefaultArea, PlanStatus
from coop4int.localplans.models import InterventionArea, Plan
from coop4int.observatory.texts import Text, text_in

# A plan's content (texts, governance, objectives, measures, indicators) is written while it
# is a draft, or approved / in force through a revision; never while AAI reviews it or once
# it is closed.
FROZEN_PLAN_STATUSES = (PlanStatus.SUBMITTED, PlanStatus.CLOSED)
# A measure's progress and status are updated while the plan is being written or run.
PROGRESS_PLAN_STATUSES = (PlanStatus.DRAFT, PlanStatus.APPROVED, PlanStatus.IN_FORCE)


def area_name(area: InterventionArea, language: str | None = None) -> Text:
    """``area``'s name in ``language`` (default: the active one): the names an administrator
    gave it (with their fallbacks), else for a default area its name in the interface's
    translations, else its code."""
    requested = language or get_language() or "pt"
    if any(area.names.values()):
        return text_in(area.names, requested)
    if area.code in DefaultArea.values:
        with translation.override(requested):
            return Text(str(DefaultArea(area.code).label), requested, requested)
    return Text(area.code, "zxx", requested)


def plan_editable(plan: Plan) -> bool:
    """Whether ``plan``'s content may be written: not while submitted for approval nor once
    closed."""
    return plan.status not in FROZEN_PLAN_STATUSES


def progress_updatable(plan: Plan) -> bool:
    """Whether the progress and status of ``plan``'s measures may be updated."""
    return plan.status in PROGRESS_PLAN_STATUSES
