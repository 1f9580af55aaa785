"""Reads of the audit log."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from coop4int.core.models import AuditEntry


@dataclass(frozen=True, slots=True)
class AuditFilter:
    actor: str = ""
    unit_id: int | None = None
    action: str = ""
    object_ref: str = ""
    ip_address: str = ""
    since: date | None = None
    until: date | None = None


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def audit_entries(criteria: AuditFilter) -> QuerySet[AuditEntry]:
    """Entries matching every given criterion, newest first; dates are whole local days."""
    entries = AuditEntry.objects.select_related("unit", "object_type")
    if criteria.actor:
        entries = entries.filter(actor_label__icontains=criteria.actor)
    if criteria.unit_id:
        entries = entries.filter(unit_id=criteria.unit_id)
    if criteria.action:
        entries = entries.filter(action__startswith=criteria.action)
    if criteria.object_ref:
        entries = entries.filter(object_repr__icontains=criteria.object_ref)
    if criteria.ip_address:
        entries = entries.filter(ip_address=criteria.ip_address)
    if criteria.since:
        entries = entries.filter(created_at__gte=_start_of(criteria.since))
    if criteria.until:
        entries = entries.filter(created_at__lt=_start_of(criteria.until + timedelta(days=1)))
    return entries.order_by("-created_at", "-id")


def audit_action_codes() -> list[str]:
    return sorted(AuditEntry.objects.values_list("action", flat=True).distinct())
