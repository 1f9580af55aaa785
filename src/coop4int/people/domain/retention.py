"""The retention schedule: each kind of record declared with a period
(``coop4int.core.personal_data.Retention``: a setting's number of years after one of its
dates) is anonymised or deleted, as its declaration says, once that period has passed.

``apply_retention`` runs daily (``people.tasks.apply_retention_schedule``,
``settings.PERIODIC_TASKS``); ``now`` is passed in, so it is the same function whatever the
clock says. It is idempotent: rows already anonymised or deleted are not counted again.
Records of a person under a legal hold are skipped and reported. Each run writes one audit
entry, ``people.retention.applied``, with what it did; the administrators' retention page
(``backoffice.person_rights_views.RetentionView``) reads those entries.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils.text import capfirst

from coop4int.core import audit
from coop4int.core.models import AuditEntry
from coop4int.core.personal_data import Erasure, PersonalData, declarations
from coop4int.people.domain.stripping import strip_rows
from coop4int.people.models import ContactPoint

ACTION = "people.retention.applied"

# Held people named in a run's audit entry, at most: the count is always there.
HELD_IDS_KEPT = 100


def years_before(moment: datetime, years: int) -> datetime:
    """``moment`` ``years`` calendar years earlier (29 February gives 28 February)."""
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:
        return moment.replace(year=moment.year - years, day=28)


def years_of(declaration: PersonalData) -> int:
    retention = declaration.retention
    return int(getattr(settings, retention.years_setting, retention.default_years))


@dataclass(frozen=True, slots=True)
class ScheduledKind:
    """One kind of record with a retention period, as configured now."""

    declaration: PersonalData
    years: int

    @property
    def label(self) -> str:
        return str(capfirst(self.declaration.model_class._meta.verbose_name_plural))


def retention_schedule() -> list[ScheduledKind]:
    """Every kind of record that has a retention period, with its years as configured."""
    return [
        ScheduledKind(declaration, years_of(declaration))
        for declaration in declarations()
        if declaration.retention.years_setting and declaration.erasure != Erasure.KEEP
    ]


@dataclass(frozen=True, slots=True)
class RetentionLine:
    """What one run did to one kind of record."""

    model: str
    action: Erasure
    years: int
    count: int
    """Rows anonymised or deleted."""
    held: int
    """Rows past their period left as they are: their person is under a legal hold."""


@dataclass(frozen=True, slots=True)
class RetentionReport:
    ran_at: datetime
    lines: tuple[RetentionLine, ...]
    held_people: tuple[str, ...]
    """The ids of the people under a legal hold whose records were skipped."""

    @property
    def count(self) -> int:
        return sum(line.count for line in self.lines)

    def as_data(self) -> dict[str, Any]:
        """The report as the audit entry keeps it (and as the task returns it)."""
        return {
            "ran_at": self.ran_at.isoformat(),
            "kinds": [
                {
                    "model": line.model,
                    "action": line.action.value,
                    "years": line.years,
                    "count": line.count,
                    "held": line.held,
                }
                for line in self.lines
            ],
            "held_people": len(self.held_people),
            "held_ids": list(self.held_people[:HELD_IDS_KEPT]),
        }


def _held(declaration: PersonalData) -> tuple[models.Q, list[str]]:
    """The condition true of rows whose person is under a legal hold, and the paths that
    lead from a row to its person."""
    paths = [path for path in (declaration.person_path, *declaration.other_person_paths) if path]
    condition = models.Q(pk__in=[])
    for path in paths:
        prefix = "" if path == "pk" else f"{path}__"
        condition |= models.Q(**{f"{prefix}legal_hold_set_at__isnull": False})
    if declaration.contact_fields:
        held_contacts = ContactPoint.objects.filter(person__legal_hold_set_at__isnull=False).values(
            "value"
        )
        for name in declaration.contact_fields:
            condition |= models.Q(**{f"{name}__in": held_contacts})
    return condition, [("" if path == "pk" else f"{path}__") + "pk" for path in paths]


@transaction.atomic
def apply_retention(*, now: datetime) -> RetentionReport:
    """Anonymise or delete, as declared, every record past its retention period at ``now``.

    Side effects, in one transaction: the rows changed (files of deleted rows leave the
    storage on commit); one audit entry ``people.retention.applied`` (by the platform: no
    actor) with the counts per kind, the rows skipped under a legal hold and how many people
    they belong to."""
    lines = []
    held_people: dict[str, None] = {}
    for scheduled in retention_schedule():
        declaration, years = scheduled.declaration, scheduled.years
        due = declaration.model_class._default_manager.filter(
            **{f"{declaration.retention.starts}__lt": years_before(now, years)}
        )
        held, person_keys = _held(declaration)
        held_rows = declaration.to_strip(due.filter(held))
        for key in person_keys:
            for person_id in held_rows.values_list(key, flat=True).distinct():
                if person_id is not None:
                    held_people[str(person_id)] = None
        pks = list(declaration.to_strip(due.exclude(held)).values_list("pk", flat=True))
        lines.append(
            RetentionLine(
                model=declaration.model,
                action=declaration.erasure,
                years=years,
                count=strip_rows(declaration, pks, now),
                held=held_rows.count(),
            )
        )
    report = RetentionReport(ran_at=now, lines=tuple(lines), held_people=tuple(held_people))
    audit.record(action=ACTION, actor=None, data=report.as_data())
    return report


def retention_runs(limit: int = 30) -> list[AuditEntry]:
    """The latest runs of the schedule, newest first: the audit entries they wrote."""
    return list(AuditEntry.objects.filter(action=ACTION).order_by("-created_at", "-pk")[:limit])
