"""Writing the audit log. Every domain function that changes state calls ``record`` once."""

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from coop4int.core import request_context
from coop4int.core.models import AuditEntry

if TYPE_CHECKING:
    from coop4int.accounts.models import Unit, User

_EMAIL = re.compile(r"^([^@]{0,2})[^@]*(@.*)$")


def mask(value: str) -> str:
    """A recognisable but not readable form of a personal value: ``ma***@example.org``,
    ``***4567``."""
    if not value:
        return value
    email = _EMAIL.match(value)
    if email:
        return f"{email.group(1)}***{email.group(2)}"
    compact = "".join(value.split())
    if len(compact) <= 4:
        return "***"
    return "***" + compact[-4:]


def record(
    *,
    action: str,
    actor: "User | None",
    obj: models.Model | None = None,
    unit: "Unit | None" = None,
    data: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry. ``unit`` defaults to the actor's unit; the address and request id come
    from the current request, if any. ``data`` must already be masked where it is personal."""
    context = request_context.current()
    if unit is None and actor is not None:
        unit = actor.unit
    return AuditEntry.objects.create(
        action=action,
        actor=actor if actor is not None and actor.pk else None,
        actor_label=actor.get_username() if actor is not None else "",
        unit=unit,
        object_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        data=dict(data or {}),
        ip_address=context.ip_address,
        request_id=context.request_id,
    )
