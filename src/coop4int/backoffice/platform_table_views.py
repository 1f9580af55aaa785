"""The platform's own tables, for analysts (``Permission.MANAGE_OBSERVATORY``): the quarters
with the state of each table (published in which version, drafted and waiting for review),
and the form that drafts a quarter's tables — or corrects a quarter already published, with
a note. What is counted, the rounding, the versions and the audit are the domain's
(``observatory.domain.platform_tables``); each draft is reviewed and published on its own page
(``backoffice:observatory_dataset``)."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coop4int.accounts.roles import Permission
from coop4int.backoffice.page_actions import Acting, Action, ActionPage, ActionTable, Done
from coop4int.backoffice.views import StaffView
from coop4int.cases.domain.statistics import small_cell
from coop4int.observatory.domain.datasets import DatasetRefused
from coop4int.observatory.domain.platform_tables import (
    QuarterState,
    TablesRefused,
    TableState,
    draft_platform_tables,
    last_ended_quarter,
    parse_quarter,
    quarter_overview,
)
from coop4int.observatory.labels import period_label
from coop4int.observatory.models import Dataset
from coop4int.observatory.texts import Text, text_in

SECTION = "draft"


class DraftForm(forms.Form):
    quarter = forms.CharField(
        label=gettext_lazy("Quarter"),
        max_length=20,
        help_text=gettext_lazy("The year and the quarter, as 2026-Q3: a quarter that has ended."),
    )
    correction_note = forms.CharField(
        label=gettext_lazy("Correction note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "Only to correct a quarter already published: say what was wrong. The note is "
            "published with the new version; the version it corrects stays available."
        ),
    )

    def clean_quarter(self) -> str:
        quarter = str(self.cleaned_data["quarter"]).strip()
        try:
            parse_quarter(quarter)
        except TablesRefused as refused:
            raise ValidationError(str(refused)) from None
        return quarter


def _draft(act: Acting[None]) -> Done:
    quarter = act.data["quarter"]
    try:
        drafted = draft_platform_tables(
            quarter=quarter,
            actor=act.actor,
            now=timezone.now(),
            correction_note=act.data["correction_note"],
        )
    except TablesRefused as refused:
        raise ValidationError(str(refused)) from None
    except DatasetRefused as refused:
        raise ValidationError([problem.message for problem in refused.problems]) from None
    return Done(
        _(
            "The %(count)s tables of %(quarter)s were drafted: review each one, then publish "
            "it. Nobody outside sees them before."
        )
        % {"count": len(drafted), "quarter": period_label(quarter)}
    )


def _review_url(dataset: Dataset) -> str:
    """The page where a dataset is reviewed and published, when it exists."""
    try:
        return reverse("backoffice:observatory_dataset", args=[dataset.public_id])
    except NoReverseMatch:
        return ""


@dataclass(frozen=True, slots=True)
class VersionLink:
    dataset: Dataset
    url: str


@dataclass(frozen=True, slots=True)
class TableRow:
    code: str
    name: Text | None
    published: VersionLink | None
    drafts: tuple[VersionLink, ...]


@dataclass(frozen=True, slots=True)
class QuarterRow:
    quarter: str
    label: str
    is_published: bool
    waits_for_review: bool
    tables: tuple[TableRow, ...]


def _table_row(table: TableState) -> TableRow:
    return TableRow(
        code=table.code,
        name=text_in(table.indicator.names) if table.indicator is not None else None,
        published=VersionLink(table.published, _review_url(table.published))
        if table.published is not None
        else None,
        drafts=tuple(VersionLink(draft, _review_url(draft)) for draft in table.drafts),
    )


def _quarter_row(state: QuarterState) -> QuarterRow:
    return QuarterRow(
        quarter=state.quarter,
        label=period_label(state.quarter),
        is_published=state.is_published,
        waits_for_review=state.waits_for_review,
        tables=tuple(_table_row(table) for table in state.tables),
    )


class PlatformTablesView(ActionPage[None], StaffView):
    permission = Permission.MANAGE_OBSERVATORY
    actions = ActionTable[None](Action("draft", DraftForm, _draft, SECTION), default="draft")

    def action_object(self, request: HttpRequest, **kwargs: Any) -> None:
        return None

    def page_url(self, obj: None) -> str:
        return reverse("backoffice:platform_tables")

    def render_page(
        self, request: HttpRequest, obj: None, bound: Mapping[str, forms.Form]
    ) -> HttpResponse:
        now = timezone.now()
        base = small_cell()
        context: dict[str, Any] = {
            "quarters": [_quarter_row(state) for state in quarter_overview(now=now)],
            "form": bound.get("draft") or DraftForm(initial={"quarter": last_ended_quarter(now)}),
            "base": base,
            "below": base - 1,
            "twice": 2 * base,
        } | self.section_context(request, None)
        return render(request, "backoffice/platform_tables.html", context)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render_page(request, None, {})
