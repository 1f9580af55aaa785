"""Writing the audit log. Every domain function that changes state calls ``record`` once.

The log is append-only and outlives an erasure, so it names people by their record's id and
masked values only: the object's label is never a personal value (``object_label``) and
``data`` holds masked values, counts and codes (``mask``, ``describe_search``).
"""

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import translation
from django.utils.text import capfirst

from coop4int.core import request_context
from coop4int.core.models import AuditEntry
from coop4int.core.personal_data import declaration_for

if TYPE_CHECKING:
    from coop4int.accounts.models import Unit, User

_EMAIL = re.compile(r"^([^@]{0,2})[^@]*(@.*)$")
_PHONE = re.compile(r"^\+?[\d\s().-]{6,}$")


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


def generic_label(model: type[models.Model], pk: object) -> str:
    """``"Person #<pk>"``: the model's name, in the source language so that every entry reads
    the same whoever's request wrote it, and the row's primary key."""
    with translation.override(None):
        return f"{capfirst(str(model._meta.verbose_name))} #{pk}"


def object_label(obj: models.Model) -> str:
    """What the log calls ``obj``: its ``audit_label`` when the model defines one; for a
    record held on a person (declared in a ``personal_data`` module) ``"<verbose name>
    #<pk>"``, since ``str()`` may well be their name; else ``str()``."""
    label = getattr(obj, "audit_label", None)
    if label is not None:
        return str(label() if callable(label) else label)[:200]
    # Through ``_meta``, not ``type()``: the object may be a lazy one (``request.user``).
    model = obj._meta.model
    # A proxy is declared as the model it stands for.
    concrete = model._meta.concrete_model or model
    if declaration_for(model) or declaration_for(concrete):
        return generic_label(model, obj.pk)[:200]
    return str(obj)[:200]


def describe_search(text: str) -> dict[str, Any]:
    """What the log keeps of a search typed by staff: an e-mail address or a phone number
    masked, and of any other text only its length and number of words — the words may be a
    name."""
    query = " ".join(text.split())
    if not query:
        return {"kind": "none"}
    if _EMAIL.match(query) and " " not in query:
        return {"kind": "email", "query": mask(query)}
    if _PHONE.match(query):
        return {"kind": "phone", "query": mask(query)}
    return {"kind": "text", "length": len(query), "words": len(query.split())}


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
        object_repr=object_label(obj) if obj is not None else "",
        data=dict(data or {}),
        ip_address=context.ip_address,
        request_id=context.request_id,
    )
