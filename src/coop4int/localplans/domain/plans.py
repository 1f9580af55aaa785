"""Writing a local integration plan and moving it through its states: its texts, period and
municipalities, its governance and the consultations of its diagnosis.

> A plan is written as a draft by the coordinator of one of its municipalities (or by AAI),
> submitted, then approved by AAI or sent back with a reason; an approved plan is put in force
> and finally closed. Revising an approved plan makes it a draft again, one version higher.
> Its content is never written while AAI reviews it nor once it is closed.

Who may call what is the views' (``has_perm``); these functions check states and data only,
and on bad input raise ``ValidationError`` (translated, with a ``code``) having changed
nothing. Every change is one ``PlanChange`` and one audit entry (``domain.history``)."""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coop4int.accounts.models import User
from coop4int.core.languages import REGISTRY
from coop4int.directory.models import Organization
from coop4int.localplans import scope
from coop4int.localplans.domain.history import record_change
from coop4int.localplans.enums import ConsultationKind, GovernanceRole, MemberKind, PlanStatus
from coop4int.localplans.models import (
    Consultation,
    IndicatorTarget,
    Measure,
    Plan,
    PlanMunicipality,
    SteeringMember,
)
from coop4int.localplans.texts import plan_editable
from coop4int.observatory.geography import MUNICIPALITIES

# The years a plan may run over, and how long at most.
FIRST_YEAR = 2000
LAST_YEAR = 2100
LONGEST_PERIOD = 10
# A plan's short name, in its addresses: lowercase letters and digits, words joined by "-".
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_SLUG_MAX = Plan._meta.get_field("slug").max_length or 80
_MEMBER_NAME_MAX = SteeringMember._meta.get_field("name").max_length or 300
# The statuses a plan may move to from each status, with the audit code of the move.
TRANSITIONS: dict[tuple[str, str], str] = {
    (PlanStatus.DRAFT, PlanStatus.SUBMITTED): "localplans.plan.submitted",
    (PlanStatus.SUBMITTED, PlanStatus.APPROVED): "localplans.plan.approved",
    (PlanStatus.SUBMITTED, PlanStatus.DRAFT): "localplans.plan.returned",
    (PlanStatus.APPROVED, PlanStatus.IN_FORCE): "localplans.plan.in_force",
    (PlanStatus.APPROVED, PlanStatus.CLOSED): "localplans.plan.closed",
    (PlanStatus.IN_FORCE, PlanStatus.CLOSED): "localplans.plan.closed",
    (PlanStatus.APPROVED, PlanStatus.DRAFT): "localplans.plan.revised",
    (PlanStatus.IN_FORCE, PlanStatus.DRAFT): "localplans.plan.revised",
}


@dataclass(frozen=True, slots=True)
class PlanDetails:
    """What a plan says of itself (``create_plan``, ``update_plan``)."""

    title: dict[str, str]
    summary: dict[str, str]
    analysis: dict[str, str]
    source_language: str
    starts_year: int
    ends_year: int
    # ISO 3166-2:CV codes, at least one.
    municipalities: list[str]
    coordinating_body: Organization | None


@dataclass(frozen=True, slots=True)
class MemberDetails:
    """An organisation of the plan's governance: from the directory, or named."""

    organisation: Organization | None
    name: str
    kind: MemberKind
    role: GovernanceRole


# --- Checks shared with ``domain.measures`` ---------------------------------------------------


def checked_texts(
    value: Mapping[str, str] | None, *, required: bool, missing: str, code: str
) -> dict[str, str]:
    """The non-empty texts of ``value`` by language, trimmed. ValidationError ``missing``
    (code ``code``) when ``required`` and there is none; code ``language_unknown`` when a
    language is not one the platform knows."""
    texts: dict[str, str] = {}
    for language, text in (value or {}).items():
        cleaned = str(text or "").strip()
        if not cleaned:
            continue
        if language not in REGISTRY:
            raise ValidationError(
                _("A text is in a language the platform does not know (%(code)s).")
                % {"code": language},
                code="language_unknown",
            )
        texts[language] = cleaned
    if required and not texts:
        raise ValidationError(missing, code=code)
    return texts


def require_editable(plan: Plan) -> None:
    """ValidationError (code ``plan_frozen``) unless ``plan``'s content may be written."""
    if not plan_editable(plan):
        raise ValidationError(
            _(
                "The plan cannot be changed in its present state (%(status)s): its content "
                "is written while it is a draft, approved or in force."
            )
            % {"status": PlanStatus(plan.status).label},
            code="plan_frozen",
        )


def locked(plan: Plan) -> Plan:
    """``plan`` with its stored status and version, its row locked until the transaction ends."""
    row = Plan.objects.select_for_update().get(pk=plan.pk)
    plan.status = row.status
    plan.version = row.version
    return plan


def _when(now: datetime | None) -> datetime:
    return now or timezone.now()


# --- The plan --------------------------------------------------------------------------------


def _checked_details(details: PlanDetails) -> dict[str, Any]:
    """``details`` checked and in their stored form (the plan's fields, and ``municipalities``
    as a sorted list of codes)."""
    title = checked_texts(
        details.title,
        required=True,
        missing=_("Give the plan a title in at least one language."),
        code="title_missing",
    )
    summary = checked_texts(details.summary, required=False, missing="", code="")
    analysis = checked_texts(details.analysis, required=False, missing="", code="")
    if details.source_language not in REGISTRY:
        raise ValidationError(
            _("Choose the language the plan is written in."), code="language_unknown"
        )
    if details.source_language not in title:
        raise ValidationError(
            _("Give the plan's title in the language it is written in."),
            code="title_missing",
        )
    starts, ends = details.starts_year, details.ends_year
    if not (
        isinstance(starts, int)
        and isinstance(ends, int)
        and FIRST_YEAR <= starts <= ends <= LAST_YEAR
        and ends - starts < LONGEST_PERIOD
    ):
        raise ValidationError(
            _(
                "The period is a first and a last year from %(first)d to %(last)d, the last "
                "not before the first, %(longest)d years at most."
            )
            % {"first": FIRST_YEAR, "last": LAST_YEAR, "longest": LONGEST_PERIOD},
            code="period_invalid",
        )
    codes = sorted({str(code).strip() for code in details.municipalities if str(code).strip()})
    if not codes:
        raise ValidationError(
            _("Choose at least one municipality the plan covers."), code="municipality_missing"
        )
    unknown = [code for code in codes if code not in MUNICIPALITIES]
    if unknown:
        raise ValidationError(
            _("Not a municipality of Cabo Verde: %(codes)s.") % {"codes": ", ".join(unknown)},
            code="municipality_unknown",
        )
    body = details.coordinating_body
    if body is not None and not (isinstance(body, Organization) and body.pk):
        raise ValidationError(
            _("Choose the coordinating body from the directory."), code="organisation_unknown"
        )
    return {
        "title": title,
        "summary": summary,
        "analysis": analysis,
        "source_language": details.source_language,
        "starts_year": starts,
        "ends_year": ends,
        "coordinating_body": body,
        "municipalities": codes,
    }


def _require_coordinates(actor: User | None, codes: Sequence[str]) -> None:
    """A coordinator (not nationwide) writes plans of their own municipality only."""
    if actor is None or actor.is_nationwide:
        return
    if not scope.coordinated_municipalities(actor) & set(codes):
        raise ValidationError(
            _("A plan you write must cover the municipality you coordinate."),
            code="municipality_not_coordinated",
        )


@transaction.atomic
def create_plan(
    *, actor: User | None, slug: str, details: PlanDetails, now: datetime | None = None
) -> Plan:
    """A new plan, a draft in version 1, covering ``details.municipalities``. The short name
    is lower-case letters, digits and hyphens, not taken; an actor who is not nationwide must
    coordinate one of the municipalities.

    Side effects: the Plan and its PlanMunicipality rows; history and audit
    ``localplans.plan.created``."""
    at = _when(now)
    slug = (slug or "").strip()
    if not SLUG.match(slug) or len(slug) > _SLUG_MAX:
        raise ValidationError(
            _(
                "The short name is at most %(most)d lower-case letters, digits and hyphens "
                "(for example praia-2025-2027)."
            )
            % {"most": _SLUG_MAX},
            code="slug_invalid",
        )
    if Plan.objects.filter(slug=slug).exists():
        raise ValidationError(
            _("Another plan has the short name %(slug)s already.") % {"slug": slug},
            code="slug_taken",
        )
    fields = _checked_details(details)
    codes = fields.pop("municipalities")
    _require_coordinates(actor, codes)
    plan = Plan.objects.create(slug=slug, status=PlanStatus.DRAFT, version=1, **fields)
    PlanMunicipality.objects.bulk_create(PlanMunicipality(plan=plan, code=code) for code in codes)
    record_change(
        plan=plan,
        actor=actor,
        action="localplans.plan.created",
        details={"version": plan.version, "municipalities": codes},
        at=at,
    )
    return plan


def _outside_period(plan: Plan, starts_year: int, ends_year: int) -> bool:
    """Whether a measure's dates or an indicator's target fall outside the years given."""
    first, last = date(starts_year, 1, 1), date(ends_year, 12, 31)
    measures = Measure.objects.filter(plan=plan)
    if measures.filter(starts_on__lt=first).exists() or measures.filter(ends_on__gt=last).exists():
        return True
    targets = IndicatorTarget.objects.filter(indicator__measure__plan=plan)
    return targets.exclude(year__gte=starts_year, year__lte=ends_year).exists()


@transaction.atomic
def update_plan(
    *, actor: User | None, plan: Plan, details: PlanDetails, now: datetime | None = None
) -> Plan:
    """Change what ``plan`` says of itself. Refused unless its content may be written
    (``texts.plan_editable``), when its measures' dates or its indicators' targets would fall
    outside the new period, when a coordinator would leave their own municipality out, or when
    the municipalities of a plan past its draft would change.
    Nothing changed: nothing written.

    Side effects: the Plan's fields, its PlanMunicipality rows; history and audit
    ``localplans.plan.updated`` with the names of the fields changed."""
    at = _when(now)
    locked(plan)
    require_editable(plan)
    fields = _checked_details(details)
    codes = fields.pop("municipalities")
    changed = sorted(name for name, value in fields.items() if getattr(plan, name) != value)
    current = sorted(plan.municipalities.values_list("code", flat=True))
    if codes != current:
        # The municipalities are what AAI approved the plan for: changed in a draft only (a
        # revision of an approved plan is one).
        if plan.status != PlanStatus.DRAFT:
            raise ValidationError(
                _(
                    "The municipalities of an approved plan change only in a revision: start "
                    "one, then change them."
                ),
                code="municipalities_approved",
            )
        _require_coordinates(actor, codes)
    if ("starts_year" in changed or "ends_year" in changed) and _outside_period(
        plan, fields["starts_year"], fields["ends_year"]
    ):
        raise ValidationError(
            _(
                "Measures or indicator targets of the plan fall outside the new period: "
                "change them first."
            ),
            code="period_excludes_content",
        )
    if not changed and codes == current:
        return plan
    for name in changed:
        setattr(plan, name, fields[name])
    if changed:
        plan.save(update_fields=[*changed, "updated_at"])
    if codes != current:
        plan.municipalities.exclude(code__in=codes).delete()
        PlanMunicipality.objects.bulk_create(
            PlanMunicipality(plan=plan, code=code) for code in codes if code not in current
        )
        changed = sorted([*changed, "municipalities"])
    record_change(
        plan=plan,
        actor=actor,
        action="localplans.plan.updated",
        details={"fields": changed},
        at=at,
    )
    return plan


@transaction.atomic
def transition_plan(
    *,
    actor: User | None,
    plan: Plan,
    to: PlanStatus,
    reason: str = "",
    now: datetime | None = None,
) -> Plan:
    """Move ``plan`` to status ``to`` — the one writer of a plan's status:

    - draft → submitted (it needs a measure; a reason it was sent back is cleared);
    - submitted → approved (approval date and approver kept) or back to draft (a reason is
      needed, kept on the plan until it is submitted again);
    - approved → in force; approved or in force → closed;
    - approved or in force → draft: a revision, its version one higher.

    Any other move is a ValidationError (code ``transition_refused``).

    Side effects: the Plan's status (and approval, reason, version); history and audit
    ``localplans.plan.<submitted|approved|returned|in_force|closed|revised>`` with the states
    and the version."""
    at = _when(now)
    locked(plan)
    before = plan.status
    action = TRANSITIONS.get((before, to))
    if action is None:
        raise ValidationError(
            _("The plan cannot go from “%(status)s” to “%(to)s”.")
            % {
                "status": PlanStatus(before).label,
                "to": PlanStatus(to).label if to in PlanStatus.values else to,
            },
            code="transition_refused",
        )
    reason = (reason or "").strip()
    updated = ["status"]
    if to == PlanStatus.SUBMITTED:
        if not Measure.objects.filter(plan=plan).exists():
            raise ValidationError(
                _("Add at least one measure before submitting the plan."), code="no_measures"
            )
        plan.returned_reason = ""
        updated.append("returned_reason")
    elif to == PlanStatus.APPROVED:
        plan.approved_at = at
        plan.approved_by = actor if actor is not None and actor.pk else None
        plan.approved_by_username = actor.get_username() if actor is not None else ""
        plan.returned_reason = ""
        updated += ["approved_at", "approved_by", "approved_by_username", "returned_reason"]
    elif before == PlanStatus.SUBMITTED and to == PlanStatus.DRAFT:
        if not reason:
            raise ValidationError(
                _("Say why the plan is sent back, so that it can be put right."),
                code="reason_required",
            )
        plan.returned_reason = reason
        updated.append("returned_reason")
    elif to == PlanStatus.DRAFT:
        plan.version += 1
        updated.append("version")
    plan.status = to
    plan.save(update_fields=[*updated, "updated_at"])
    record_change(
        plan=plan,
        actor=actor,
        action=action,
        details={"from": str(before), "to": str(to), "version": plan.version},
        at=at,
    )
    return plan


# --- Governance and diagnosis ----------------------------------------------------------------


def _checked_member(member: MemberDetails) -> SteeringMember:
    name = " ".join((member.name or "").split())
    organisation = member.organisation
    if organisation is not None and not (
        isinstance(organisation, Organization) and organisation.pk
    ):
        raise ValidationError(
            _("Choose the organisation from the directory."), code="organisation_unknown"
        )
    if organisation is None and not name:
        raise ValidationError(
            _("Name each member of the governance, or choose it from the directory."),
            code="member_unnamed",
        )
    if len(name) > _MEMBER_NAME_MAX:
        raise ValidationError(
            _("A member's name is at most %(most)d characters long.") % {"most": _MEMBER_NAME_MAX},
            code="member_name_too_long",
        )
    if member.kind not in MemberKind.values:
        raise ValidationError(_("Choose what kind of body each member is."), code="kind_unknown")
    if member.role not in GovernanceRole.values:
        raise ValidationError(_("Choose each member's role."), code="role_unknown")
    return SteeringMember(organisation=organisation, name=name, kind=member.kind, role=member.role)


@transaction.atomic
def set_members(
    *,
    actor: User | None,
    plan: Plan,
    members: Sequence[MemberDetails],
    now: datetime | None = None,
) -> None:
    """Make ``members`` (in that order) the plan's governance, replacing what it was. Each is
    an organisation of the directory or a name, with its kind and role.

    Side effects: SteeringMember rows replaced; history and audit
    ``localplans.plan.governance_changed`` with the number of members by role."""
    at = _when(now)
    locked(plan)
    require_editable(plan)
    rows = [_checked_member(member) for member in members]
    for position, row in enumerate(rows):
        row.plan = plan
        row.position = position
    SteeringMember.objects.filter(plan=plan).delete()
    SteeringMember.objects.bulk_create(rows)
    roles: dict[str, int] = {}
    for row in rows:
        roles[str(row.role)] = roles.get(str(row.role), 0) + 1
    record_change(
        plan=plan,
        actor=actor,
        action="localplans.plan.governance_changed",
        details={"members": len(rows), "roles": dict(sorted(roles.items()))},
        at=at,
    )


@transaction.atomic
def add_consultation(
    *,
    actor: User | None,
    plan: Plan,
    held_on: date,
    kind: ConsultationKind,
    organisations_heard: int,
    people_heard: int,
    women_heard: int | None,
    findings: dict[str, str],
    now: datetime | None = None,
) -> Consultation:
    """A consultation of the plan's diagnosis: when, how, how many organisations and people
    were heard (of whom women, when known — never who) and what was found.

    Side effects: one Consultation; history and audit ``localplans.consultation.added``."""
    at = _when(now)
    locked(plan)
    require_editable(plan)
    if kind not in ConsultationKind.values:
        raise ValidationError(_("Choose the kind of consultation."), code="kind_unknown")
    if not isinstance(held_on, date):
        raise ValidationError(_("Give the date of the consultation."), code="date_missing")
    counts = [organisations_heard, people_heard] + ([] if women_heard is None else [women_heard])
    if any(not isinstance(n, int) or isinstance(n, bool) or n < 0 for n in counts):
        raise ValidationError(
            _("The numbers heard are whole numbers, 0 or more."), code="count_invalid"
        )
    if women_heard is not None and women_heard > people_heard:
        raise ValidationError(
            _("The women heard cannot be more than the people heard."), code="women_exceed_people"
        )
    texts = checked_texts(findings, required=False, missing="", code="")
    consultation = Consultation.objects.create(
        plan=plan,
        held_on=held_on,
        kind=kind,
        organisations_heard=organisations_heard,
        people_heard=people_heard,
        women_heard=women_heard,
        findings=texts,
    )
    record_change(
        plan=plan,
        actor=actor,
        action="localplans.consultation.added",
        obj=consultation,
        details={
            "consultation": consultation.pk,
            "held_on": held_on.isoformat(),
            "kind": str(kind),
            "people_heard": people_heard,
        },
        at=at,
    )
    return consultation


@transaction.atomic
def remove_consultation(
    *, actor: User | None, consultation: Consultation, now: datetime | None = None
) -> None:
    """Remove a consultation from its plan's diagnosis.

    Side effects: the Consultation deleted; history and audit
    ``localplans.consultation.removed``."""
    at = _when(now)
    plan = locked(consultation.plan)
    require_editable(plan)
    details = {
        "consultation": consultation.pk,
        "held_on": consultation.held_on.isoformat(),
        "kind": str(consultation.kind),
    }
    consultation.delete()
    record_change(
        plan=plan,
        actor=actor,
        action="localplans.consultation.removed",
        details=details,
        at=at,
    )
