"""Reads the public page of a plan needs beside its overview (``queries.plan_overview``): its
governance, its consultations (counted, never named) and its indicators' values year by year
as the approved reports give them. Each is one query."""

from collections import defaultdict
from decimal import Decimal

from coop4int.localplans.enums import ReportStatus
from coop4int.localplans.models import Consultation, Plan, ReportValue, SteeringMember


def governance(plan: Plan) -> list[SteeringMember]:
    """The organisations of ``plan``'s governance, in their order, with their directory
    entries."""
    return list(plan.members.select_related("organisation").order_by("position", "pk"))


def consultations(plan: Plan) -> list[Consultation]:
    """The consultations of ``plan``'s diagnosis, oldest first."""
    return list(plan.consultations.order_by("held_on", "pk"))


def approved_values_by_year(plan: Plan) -> dict[int, dict[int, Decimal | None]]:
    """Each indicator's value by year (indicator id → year → value) as ``plan``'s approved
    reports give it: a year's value is its latest approved semester's (the second when both
    are approved); a year with no approved report is absent, one whose report holds no value
    is None."""
    rows = (
        ReportValue.objects.filter(report__plan=plan, report__status=ReportStatus.APPROVED)
        .values_list("indicator_id", "report__year", "report__semester", "value")
        .order_by("report__year", "report__semester")
    )
    values: dict[int, dict[int, Decimal | None]] = defaultdict(dict)
    for indicator_id, year, _semester, value in rows:
        values[indicator_id][year] = value
    return dict(values)
