"""The Migration Observatory for analysts (``Permission.MANAGE_OBSERVATORY``): the datasets to
review and those published, importing a file as a draft, the preview where a draft is
published or discarded, and the indicator registry.

Importing and publishing are two steps: an upload becomes a *draft* (or is refused with every
problem, nothing saved); nobody outside sees it until an analyst has looked at its preview
and published it. Thin views over ``observatory.domain``: ``registry`` for indicators,
``datasets`` for importing and for the one status writer of a dataset."""

import json
import re
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from babel import numbers as babel_numbers
from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import connection
from django.db.models import Count, Max, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from coop4int.accounts.roles import Permission
from coop4int.backoffice.observatory_forms import (
    AUTO,
    DiscardForm,
    ImportForm,
    IndicatorForm,
    PublishForm,
)
from coop4int.backoffice.page_actions import Acting, Action, ActionPage, ActionTable, Done
from coop4int.backoffice.views import StaffView
from coop4int.cases.domain.statistics import small_cell
from coop4int.core.formatting import current_locale
from coop4int.observatory import enums, labels
from coop4int.observatory.domain import datasets as dataset_domain
from coop4int.observatory.domain import registry
from coop4int.observatory.domain.platform_tables import shown_provenance
from coop4int.observatory.enums import DatasetOrigin, DatasetStatus, FileFormat
from coop4int.observatory.models import Dataset, Indicator, Observation
from coop4int.observatory.texts import Text, text_in

# The observations a preview shows, and the problems of a refused file a page lists.
PREVIEW_ROWS = 50
PROBLEMS_SHOWN = 200
# What an uploaded file is saved as: its own name, reduced to safe characters (a data package
# names its CSV file by it).
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def reverse_if_known(name: str, *args: str) -> str:
    """The address of ``name``, or "" while the page it names does not exist (the open-data
    files, the public pages, the platform's tables and the studies are other pages' work)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def indicator_name(indicator: Indicator) -> Text:
    """The indicator's name in the reader's language or the nearest it has (the page marks
    the language it is in); its code when it has none."""
    name = text_in(indicator.names)
    return name if name.text else Text(indicator.code, name.requested, name.requested)


# --- The datasets ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IndicatorVersions:
    """An indicator's datasets past review, newest first."""

    indicator: Indicator
    name: Text
    versions: list[Dataset]


class ObservatoryView(StaffView):
    """Drafts to review first, newest first; then each indicator's versions past review."""

    permission = Permission.MANAGE_OBSERVATORY

    def get(self, request: HttpRequest) -> HttpResponse:
        datasets = list(
            Dataset.objects.select_related("indicator", "created_by", "published_by").order_by(
                "indicator__code", "-version"
            )
        )
        drafts = sorted(
            (d for d in datasets if d.status == DatasetStatus.DRAFT),
            key=lambda d: d.created_at,
            reverse=True,
        )
        grouped: dict[int, IndicatorVersions] = {}
        for dataset in datasets:
            if dataset.status == DatasetStatus.DRAFT:
                continue
            indicator = dataset.indicator
            if indicator.pk not in grouped:
                grouped[indicator.pk] = IndicatorVersions(indicator, indicator_name(indicator), [])
            grouped[indicator.pk].versions.append(dataset)
        context = {
            "drafts": [(draft, indicator_name(draft.indicator)) for draft in drafts],
            "published": list(grouped.values()),
            "platform_tables_url": reverse_if_known("backoffice:platform_tables"),
            "studies_url": reverse_if_known("backoffice:studies"),
        }
        return render(request, "backoffice/observatory_home.html", context)


# --- Importing a file ------------------------------------------------------------------------


def _safe_name(name: str, default: str) -> str:
    cleaned = _UNSAFE.sub("_", Path(name or "").name).strip("._")
    return cleaned[:200] or default


def _save(upload: UploadedFile, path: Path) -> Path:
    """``upload`` written to ``path``, chunk by chunk."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return path


def _inside(folder: Path, relative: str) -> Path | None:
    """``folder``/``relative`` when ``relative`` is a plain relative path that stays inside
    ``folder`` (a data package's path to its CSV file); else None."""
    if not relative or "://" in relative or "\\" in relative:
        return None
    candidate = (folder / relative).resolve()
    return candidate if folder.resolve() in candidate.parents else None


def _table_path(form: ImportForm, folder: Path, name: str) -> Path:
    """Where the uploaded CSV file goes: for a data package, where the package says its
    table is (the path that has the file's name, else its first path) when that stays in the
    folder; else under its own name."""
    if form.package:
        paths = form.package_paths
        named = [path for path in paths if Path(path).name == name]
        for relative in [*named, *paths[:1]]:
            inside = _inside(folder, relative)
            if inside is not None:
                return inside
    return folder / name


def _package_of(table: Path, schema: dict[str, Any]) -> Path:
    """A data package beside ``table`` naming it, with ``schema`` inside: the CSV reader
    reads a package's paths relative to it (frictionless refuses a schema's absolute path
    as unsafe)."""
    package = {
        "name": "upload",
        "resources": [
            {
                "name": "data",
                "path": table.name,
                "format": "csv",
                "profile": "tabular-data-resource",
                "schema": schema,
            }
        ],
    }
    path = table.with_name("datapackage.json")
    path.write_text(json.dumps(package), encoding="utf-8")
    return path


def import_upload(form: ImportForm, actor: Any) -> Dataset:
    """The uploaded file imported as a draft (``DatasetRefused`` when it is not fit, nothing
    saved). It is written to a temporary folder that goes once the import is done, with the
    data package uploaded with it (the CSV file where the package says it is), or a data
    package made of the Table Schema uploaded with it."""
    data = form.cleaned_data
    upload: UploadedFile = data["upload"]
    schema: UploadedFile | None = data.get("schema")
    file_format = FileFormat(data["file_format"]) if data["file_format"] != AUTO else None
    indicator: Indicator | None = data.get("indicator")
    provenance = dataset_domain.Provenance(
        source_name=data["source_name"],
        source_url=data["source_url"],
        licence=data["licence"],
        retrieved_on=data["retrieved_on"],
        note=data["note"],
    )
    name = _safe_name(upload.name or "", "data.csv")
    with tempfile.TemporaryDirectory(prefix="coop4int-import-") as temporary:
        folder = Path(temporary)
        path = _save(upload, _table_path(form, folder, name))
        if schema is not None and form.package:
            path = _save(schema, folder / "datapackage.json")
        elif schema is not None:
            path = _package_of(path, form.table_schema)
        return dataset_domain.import_dataset(
            path=path,
            file_format=file_format,
            indicator_code=indicator.code if indicator is not None else None,
            provenance=provenance,
            actor=actor,
            file_name=Path(upload.name or "").name,
        )


class ImportView(StaffView):
    """A file and its provenance → a draft, then its preview. A refused file is listed with
    every problem (line, column, reason); the fields typed are kept, the files must be
    chosen again (a browser never keeps a chosen file)."""

    permission = Permission.MANAGE_OBSERVATORY

    def _render(
        self,
        request: HttpRequest,
        form: ImportForm,
        problems: Sequence[dataset_domain.Problem] = (),
    ) -> HttpResponse:
        context = {
            "form": form,
            "problems": list(problems[:PROBLEMS_SHOWN]),
            "problems_left": max(0, len(problems) - PROBLEMS_SHOWN),
            "refused": bool(problems),
            "files_lost": request.method == "POST",
        }
        return render(request, "backoffice/observatory_import.html", context)

    def get(self, request: HttpRequest) -> HttpResponse:
        initial: dict[str, Any] = {}
        code = request.GET.get("indicator", "")
        if code and Indicator.objects.filter(code=code).exists():
            initial["indicator"] = code
        return self._render(request, ImportForm(initial=initial))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self._render(request, form)
        try:
            dataset = import_upload(form, self.user)
        except dataset_domain.DatasetRefused as refused:
            return self._render(request, form, refused.problems)
        messages.success(
            request,
            _(
                "The file was imported as draft %(dataset)s: review it below, then publish it "
                "or discard it."
            )
            % {"dataset": dataset.public_id},
        )
        return redirect("backoffice:observatory_dataset", public_id=dataset.public_id)


# --- A dataset: its preview, publishing or discarding it -------------------------------------


@dataclass(frozen=True, slots=True)
class Changes:
    """How a dataset differs from another version of the same indicator, by (key, period)."""

    baseline: Dataset
    differ: int
    new: int
    gone: int


def changes_from(dataset: Dataset, baseline: Dataset) -> Changes:
    """Counted in the database, whatever the number of observations: one join for the
    observations of ``dataset`` that are new or that differ — their value, or whether it is
    withheld, as publishing marks them revised — and one count for those of ``baseline``, so
    that what is gone is what it had and no longer matched."""
    quote = connection.ops.quote_name
    table, key, period, value, conf = (
        quote(name)
        for name in (Observation._meta.db_table, "key", "period", "value", "conf_status")
    )
    withheld = ", ".join(["%s"] * len(enums.WITHHELD))
    # "Differs", written for both databases: NULL <> x is unknown (not counted), so a value
    # that appears or disappears is counted by its own test.
    sql = f"""
        SELECT
            COUNT(*),
            SUM(CASE WHEN b.id IS NULL THEN 1 ELSE 0 END),
            SUM(CASE WHEN b.id IS NOT NULL AND (
                d.{value} <> b.{value}
                OR (d.{value} IS NULL AND b.{value} IS NOT NULL)
                OR (d.{value} IS NOT NULL AND b.{value} IS NULL)
                OR (CASE WHEN d.{conf} IN ({withheld}) THEN 1 ELSE 0 END)
                    <> (CASE WHEN b.{conf} IN ({withheld}) THEN 1 ELSE 0 END)
            ) THEN 1 ELSE 0 END)
        FROM {table} d
        LEFT JOIN {table} b
            ON b.dataset_id = %s AND b.{key} = d.{key} AND b.{period} = d.{period}
        WHERE d.dataset_id = %s
    """  # noqa: S608 — names are the model's, values are parameters
    codes = sorted(enums.WITHHELD)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*codes, *codes, baseline.pk, dataset.pk])
        total, new, differ = cursor.fetchone()
    before = Observation.objects.filter(dataset=baseline).count()
    matched = (total or 0) - (new or 0)
    return Changes(baseline=baseline, differ=differ or 0, new=new or 0, gone=before - matched)


def baseline_of(dataset: Dataset) -> Dataset | None:
    """What a dataset is compared with: a draft with the version published now; a version
    past review with the one it replaced."""
    if dataset.status == DatasetStatus.DRAFT:
        return (
            Dataset.objects.filter(indicator=dataset.indicator, status=DatasetStatus.PUBLISHED)
            .exclude(pk=dataset.pk)
            .first()
        )
    return dataset.replaces


def format_value(value: float | None) -> str:
    """A value as the file gave it, every decimal kept, written as the page's language
    writes numbers."""
    if value is None:
        return ""
    return babel_numbers.format_decimal(value, locale=current_locale(), decimal_quantization=False)


def _flag_label(choices: type[enums.ObsStatus] | type[enums.ConfStatus], code: str) -> str:
    return str(choices(code).label) if code in choices.values else code


@dataclass(frozen=True, slots=True)
class Cell:
    """One code of a series key, with its label."""

    code: str
    label: str


@dataclass(frozen=True, slots=True)
class PreviewRow:
    observation: Observation
    period: str
    cells: list[Cell]
    value: str
    withheld: bool
    flags: list[tuple[str, str]]
    """(code, label) of its observation status and confidentiality status."""


def _flags(observation: Observation) -> list[tuple[str, str]]:
    flags = []
    if observation.obs_status:
        flags.append((observation.obs_status, _flag_label(enums.ObsStatus, observation.obs_status)))
    if observation.conf_status:
        flags.append(
            (observation.conf_status, _flag_label(enums.ConfStatus, observation.conf_status))
        )
    return flags


def preview_rows(dataset: Dataset) -> list[PreviewRow]:
    """The first observations of ``dataset``, in key and period order (its index's), each
    code with its label (looked up once per dimension)."""
    observations = list(dataset.observations.order_by("key", "period")[:PREVIEW_ROWS])
    keys = [labels.split_key(dataset, observation.key) for observation in observations]
    named = {
        dimension: labels.code_labels(dimension, [codes.get(dimension, "") for codes in keys])
        for dimension in dataset.dimensions
    }
    return [
        PreviewRow(
            observation=observation,
            period=labels.period_label(observation.period),
            cells=[
                Cell(codes.get(dimension, ""), named[dimension][codes.get(dimension, "")])
                for dimension in dataset.dimensions
            ],
            value=format_value(observation.value),
            withheld=observation.conf_status in enums.WITHHELD,
            flags=_flags(observation),
        )
        for observation, codes in zip(observations, keys, strict=True)
    ]


def public_links(dataset: Dataset) -> list[tuple[str, str]]:
    """(label, address) of what the public reads of a dataset past review: its page and its
    open-data files — those that exist."""
    code, public_id = dataset.indicator.code, dataset.public_id
    links = [
        (_("Public page of the indicator"), reverse_if_known("portal:indicator", code)),
        (_("SDMX-CSV 2.0"), reverse_if_known("opendata_dataset_sdmx", public_id)),
        (_("CSV"), reverse_if_known("opendata_dataset_csv", public_id)),
        (_("Data package (Frictionless)"), reverse_if_known("opendata_datapackage", public_id)),
    ]
    return [(label, url) for label, url in links if url]


def _refusal(refused: dataset_domain.DatasetRefused) -> ValidationError:
    return ValidationError([problem.message for problem in refused.problems])


def _publish(act: Acting[Dataset]) -> Done:
    try:
        dataset = dataset_domain.publish_dataset(
            dataset=act.obj,
            actor=act.actor,
            revision_note=act.data.get("revision_note", ""),
            now=timezone.now(),
        )
    except dataset_domain.DatasetRefused as refused:
        raise _refusal(refused) from refused
    return Done(
        _("%(dataset)s is published: anyone may read and download it.")
        % {"dataset": dataset.public_id}
    )


def _discard(act: Acting[Dataset]) -> Done:
    try:
        dataset = dataset_domain.discard_dataset(dataset=act.obj, actor=act.actor)
    except dataset_domain.DatasetRefused as refused:
        raise _refusal(refused) from refused
    return Done(
        _("%(dataset)s was discarded: it will never be published.") % {"dataset": dataset.public_id}
    )


def _publish_options(page: Any, dataset: Dataset) -> dict[str, Any]:
    """A version after the first says what changed, unless the draft says it already (a
    correction of the platform's tables is drafted with its note)."""
    return {
        "later_version": dataset.version > 1,
        "needs_note": dataset.version > 1 and not dataset.revision_note.strip(),
        "initial": {"revision_note": dataset.revision_note},
    }


class DatasetView(ActionPage[Dataset], StaffView):
    """A dataset's preview: provenance, dimensions, periods, its first observations with
    their flags, what changes against the published version; a draft is published (a new
    version saying what changed) or discarded here; a version past review links to what the
    public reads of it."""

    permission = Permission.MANAGE_OBSERVATORY
    actions = ActionTable[Dataset](
        Action("publish", PublishForm, _publish, "review", options=_publish_options),
        Action("discard", DiscardForm, _discard, "review", shows_form=False),
    )

    def action_object(self, request: HttpRequest, **kwargs: Any) -> Dataset:
        return get_object_or_404(
            Dataset.objects.select_related("indicator", "created_by", "published_by", "replaces"),
            public_id=kwargs["public_id"],
        )

    def page_url(self, obj: Dataset) -> str:
        return reverse("backoffice:observatory_dataset", kwargs={"public_id": obj.public_id})

    def get(self, request: HttpRequest, public_id: str) -> HttpResponse:
        return self.render_page(request, self.action_object(request, public_id=public_id), {})

    def render_page(
        self, request: HttpRequest, obj: Dataset, bound: Mapping[str, forms.Form]
    ) -> HttpResponse:
        dataset = obj
        is_draft = dataset.status == DatasetStatus.DRAFT
        is_public = dataset.status in enums.PUBLIC_STATUSES
        base = small_cell() if dataset.origin == DatasetOrigin.PLATFORM else None
        baseline = baseline_of(dataset)
        shown_licence = enums.licence(dataset.licence)
        source, note = shown_provenance(dataset)
        context = {
            "dataset": dataset,
            "source": source,
            "provenance_note": note,
            "indicator": dataset.indicator,
            "indicator_name": indicator_name(dataset.indicator),
            "is_draft": is_draft,
            "is_platform": dataset.origin == DatasetOrigin.PLATFORM,
            # A cell the disclosure control withheld rounded to 0: fewer than the base.
            "suppressed_mark": f"<{base}" if base else "",
            "small_cell": base,
            "is_public": is_public,
            "licence_name": shown_licence.name,
            "licence_url": shown_licence.url,
            "dimensions": [
                (dimension, labels.dimension_label(dimension)) for dimension in dataset.dimensions
            ],
            "first_period": labels.period_label(dataset.period_start)
            if dataset.period_start
            else "",
            "last_period": labels.period_label(dataset.period_end) if dataset.period_end else "",
            "rows": preview_rows(dataset),
            "preview_size": PREVIEW_ROWS,
            "changes": changes_from(dataset, baseline) if baseline is not None else None,
            "publish_form": bound.get("publish") or PublishForm(**_publish_options(self, dataset)),
            "public_links": public_links(dataset)
            if dataset.status in enums.PUBLIC_STATUSES
            else [],
            "newer": dataset.replaced_by.order_by("-version").first()
            if dataset.status == DatasetStatus.SUPERSEDED
            else None,
        } | self.section_context(request, dataset)
        return render(request, "backoffice/observatory_dataset.html", context)


# --- The indicator registry ------------------------------------------------------------------


class IndicatorListView(StaffView):
    """Every indicator, with its published version and how many datasets it has."""

    permission = Permission.MANAGE_OBSERVATORY

    def get(self, request: HttpRequest) -> HttpResponse:
        indicators = Indicator.objects.annotate(
            dataset_count=Count("datasets"),
            current_version=Max(
                "datasets__version", filter=Q(datasets__status=DatasetStatus.PUBLISHED)
            ),
        ).order_by("code")
        rows = [(indicator, indicator_name(indicator)) for indicator in indicators]
        return render(request, "backoffice/observatory_indicators.html", {"rows": rows})


def _indicator_page(
    request: HttpRequest,
    form: IndicatorForm,
    indicator: Indicator | None = None,
    datasets: Sequence[Dataset] = (),
) -> HttpResponse:
    return render(
        request,
        "backoffice/observatory_indicator.html",
        {
            "form": form,
            "indicator": indicator,
            "indicator_name": indicator_name(indicator) if indicator is not None else "",
            "datasets": datasets,
        },
    )


class NewIndicatorView(StaffView):
    permission = Permission.MANAGE_OBSERVATORY

    def get(self, request: HttpRequest) -> HttpResponse:
        return _indicator_page(request, IndicatorForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = IndicatorForm(request.POST)
        if form.is_valid():
            try:
                indicator = registry.create_indicator(actor=self.user, **form.values())
            except ValidationError as error:
                form.show_refusal(error)
            else:
                messages.success(
                    request,
                    _("The indicator %(code)s was added to the registry.")
                    % {"code": indicator.code},
                )
                return redirect("backoffice:observatory_indicator", code=indicator.code)
        return _indicator_page(request, form)


class IndicatorView(StaffView):
    """An indicator of the registry, to change, with its datasets. Its code is fixed once a
    dataset is known by it."""

    permission = Permission.MANAGE_OBSERVATORY

    def _indicator(self, code: str) -> tuple[Indicator, list[Dataset]]:
        indicator = get_object_or_404(Indicator, code=code)
        return indicator, list(indicator.datasets.order_by("-version"))

    def get(self, request: HttpRequest, code: str) -> HttpResponse:
        indicator, datasets = self._indicator(code)
        form = IndicatorForm(
            initial=IndicatorForm.initial_for(indicator), code_fixed=bool(datasets)
        )
        return _indicator_page(request, form, indicator, datasets)

    def post(self, request: HttpRequest, code: str) -> HttpResponse:
        indicator, datasets = self._indicator(code)
        form = IndicatorForm(
            request.POST, initial=IndicatorForm.initial_for(indicator), code_fixed=bool(datasets)
        )
        if form.is_valid():
            try:
                indicator = registry.update_indicator(
                    indicator=indicator, actor=self.user, **form.values()
                )
            except ValidationError as error:
                form.show_refusal(error)
            else:
                messages.success(request, _("The indicator was saved."))
                return redirect("backoffice:observatory_indicator", code=indicator.code)
        return _indicator_page(request, form, indicator, datasets)
