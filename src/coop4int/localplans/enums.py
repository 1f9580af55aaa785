"""The words of a local integration plan: its states and those of its measures and reports,
the default intervention areas, where an indicator's values come from, the parts of its
governance and the stages of its evaluation."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class PlanStatus(models.TextChoices):
    """Draft (written by the municipal coordinator) → submitted → approved (by AAI, or sent
    back to draft with a reason) → in force → closed. A revision of an approved plan is a
    draft again, its version one higher."""

    DRAFT = "draft", pgettext_lazy("plan status", "Draft")
    SUBMITTED = "submitted", pgettext_lazy("plan status", "Submitted for approval")
    APPROVED = "approved", pgettext_lazy("plan status", "Approved")
    IN_FORCE = "in_force", pgettext_lazy("plan status", "In force")
    CLOSED = "closed", pgettext_lazy("plan status", "Closed")


# The plans the public reads.
PUBLIC_PLAN_STATUSES = (PlanStatus.APPROVED, PlanStatus.IN_FORCE, PlanStatus.CLOSED)


class MeasureStatus(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("measure status", "Planned")
    IN_PROGRESS = "in_progress", pgettext_lazy("measure status", "In progress")
    DONE = "done", pgettext_lazy("measure status", "Done")
    SUSPENDED = "suspended", pgettext_lazy("measure status", "Suspended")
    # A cancelled measure counts in no progress (its weight is left out).
    CANCELLED = "cancelled", pgettext_lazy("measure status", "Cancelled")


class ReportStatus(models.TextChoices):
    """Draft → submitted (by the coordinator) → approved (by AAI, then frozen); a submitted
    report may be sent back to draft with a reason."""

    DRAFT = "draft", pgettext_lazy("report status", "Draft")
    SUBMITTED = "submitted", pgettext_lazy("report status", "Submitted for approval")
    APPROVED = "approved", pgettext_lazy("report status", "Approved")


class DefaultArea(models.TextChoices):
    """The fourteen intervention areas of Portugal's municipal plans (PMIM), the default list;
    administrators may rename, add or retire areas (``InterventionArea``)."""

    RECEPTION = "reception", _("Reception and integration services")
    LABOUR = "labour", _("Labour market and entrepreneurship")
    HOUSING = "housing", _("Urban planning and housing")
    EDUCATION = "education", _("Education and language")
    TRAINING = "training", _("Capacity-building and training")
    CULTURE = "culture", _("Culture")
    HEALTH = "health", _("Health")
    SOLIDARITY = "solidarity", _("Solidarity and social response")
    CITIZENSHIP = "citizenship", _("Citizenship and civic participation")
    MEDIA = "media", _("Media and awareness")
    RACISM = "racism", _("Racism and discrimination")
    INTERNATIONAL = "international", _("International relations")
    RELIGION = "religion", _("Religion")
    JUSTICE = "justice", _("Justice")


class IndicatorSource(models.TextChoices):
    """Where an indicator's values come from."""

    MANUAL = "manual", _("Reported by the plan's partners")
    OBSERVATORY = "observatory", _("An indicator of the Migration Observatory")
    PLATFORM = "platform", _("A count from the platform's records")


class PlatformCount(models.TextChoices):
    """Counts from the platform's own records in the plan's municipalities, through the
    disclosure control."""

    CASES = "cases", _("Requests for support (cases opened)")
    APPOINTMENTS = "appointments", _("Appointments attended")
    PEOPLE_TRAINED = "people_trained", _("People trained (courses completed)")
    CAMPAIGNS = "campaigns", _("Information campaigns published")


class IndicatorUnit(models.TextChoices):
    NUMBER = "number", pgettext_lazy("unit of measure", "number")
    PERSONS = "persons", pgettext_lazy("unit of measure", "persons")
    PERCENT = "percent", pgettext_lazy("unit of measure", "percent")
    EVENTS = "events", pgettext_lazy("unit of measure", "events")
    CVE = "cve", pgettext_lazy("unit of measure", "escudos (CVE)")


class Direction(models.TextChoices):
    """Whether the target is reached by going up (people served) or down (waiting days)."""

    INCREASE = "increase", _("Higher is better")
    DECREASE = "decrease", _("Lower is better")


class MemberKind(models.TextChoices):
    MUNICIPALITY = "municipality", _("Municipality")
    PUBLIC_BODY = "public_body", _("Public body")
    CIVIL_SOCIETY = "civil_society", _("Civil society organisation")
    MIGRANT_ASSOCIATION = "migrant_association", _("Migrant association")
    OTHER = "other", pgettext_lazy("kind of organisation", "Other")


class GovernanceRole(models.TextChoices):
    COORDINATION = "coordination", _("Coordinates the plan")
    STEERING = "steering", _("Member of the steering group")
    TECHNICAL = "technical", _("Technical team")
    ADVISORY = "advisory", _("Advisory member")


class ConsultationKind(models.TextChoices):
    MEETING = "meeting", _("Meeting with migrant associations")
    PUBLIC_SESSION = "public_session", _("Public session")
    SURVEY = "survey", _("Survey")
    INTERVIEWS = "interviews", _("Interviews")
    FOCUS_GROUP = "focus_group", _("Focus group")


class EvaluationStage(models.TextChoices):
    MID_TERM = "mid_term", _("Mid-term evaluation")
    FINAL = "final", _("Final evaluation")


class CommentKind(models.TextChoices):
    COMMENT = "comment", _("Comment")
    PROPOSAL = "proposal", _("Proposal")


class LinkKind(models.TextChoices):
    """What a measure may point to; the reference is kept as text (a service's id, an item's
    or a course's short name), so that an export re-imports as it was."""

    SERVICE = "service", _("Service in the directory")
    CAMPAIGN = "campaign", _("Information campaign")
    COURSE = "course", _("Training course")
