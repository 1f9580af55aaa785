"""Reads of the privacy app. The breach log is the administrators' (nationwide): no unit
scope, the view's permission keeps the door."""

from django.db.models import QuerySet
from django.http import Http404

from coop4int.privacy.models import Breach


def breach_log() -> QuerySet[Breach]:
    """Every breach, open ones first, newest discovery first."""
    return (
        Breach.objects.select_related("recorded_by")
        .prefetch_related("units")
        .order_by("closed_at", "-discovered_at", "-pk")
    )


def get_breach(breach_id: int) -> Breach:
    breach = breach_log().filter(pk=breach_id).first()
    if breach is None:
        raise Http404
    return breach
