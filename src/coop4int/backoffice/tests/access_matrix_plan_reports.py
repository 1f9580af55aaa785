"""The local integration plans' pages in the access matrix (``test_access_matrix.py``): their
GET rows, the addresses with the matrix's objects (``access_matrix_plan_objects.PlanObjects``,
under ``target["localplans"]``) and a POST row for every action they take."""

from collections.abc import Callable
from typing import Any

from django.urls import reverse

from coop4int.accounts.enums import Role

# url name → (method, roles allowed, whether the object is scoped to a unit), as ``MATRIX``.
PLAN_REPORTS_MATRIX: dict[str, tuple[str, set[Role], bool]] = {}


def plan_reports_url(name: str, target: dict[str, Any]) -> str:
    """The address of page ``name`` with the matrix's objects."""
    return reverse(name)


def plan_reports_post_rows(row: Callable[..., Any]) -> dict[str, Any]:
    """The POST rows of these pages, made with the matrix's ``PostRow``."""
    return {}
