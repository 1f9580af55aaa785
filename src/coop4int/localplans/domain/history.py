"""A plan's change history: every change to a plan's content or state is one ``PlanChange``
(what its readers see: when, by whom, which audit code, what it touched) and one entry of the
security audit (``core.audit``), written together by the domain function making the change.

``details`` hold codes, field names, counts and versions — never a person's name or a text
typed by someone (a reason given is kept on the plan, not here)."""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.db.models import Model

from coop4int.accounts.models import User
from coop4int.core import audit
from coop4int.localplans.models import Plan, PlanChange


def record_change(
    *,
    plan: Plan,
    actor: User | None,
    action: str,
    obj: Model | None = None,
    details: Mapping[str, Any] | None = None,
    at: datetime,
) -> None:
    """Write one ``PlanChange`` of ``plan`` (``action`` an audit code, ``details``) and the
    audit entry for it, about ``obj`` (default: the plan).

    Side effects: one PlanChange row, one AuditEntry row."""
    data = dict(details or {})
    PlanChange.objects.create(
        plan=plan,
        at=at,
        actor=actor if actor is not None and actor.pk else None,
        actor_username=actor.get_username() if actor is not None else "",
        action=action,
        details=data,
    )
    audit.record(
        action=action,
        actor=actor,
        obj=obj if obj is not None else plan,
        data={"plan": plan.slug, **data},
    )
