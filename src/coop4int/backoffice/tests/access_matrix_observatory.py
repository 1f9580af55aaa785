"""The observatory's pages in the access matrix (``test_access_matrix.py``): their GET rows,
the objects their addresses name and a POST row for every action they take.

The observatory's figures are national and name no one: its pages are the analysts' and the
administrators', from any unit (no unit scope), and every other role gets 403. The objects
(``ObservatoryObjects``): an indicator of the registry with a draft version of its figures (to
preview, publish or discard), a draft study and a published one."""

from collections.abc import Callable
from datetime import date
from functools import cached_property
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from coop4int.accounts.enums import Role
from coop4int.observatory.domain.datasets import Provenance, Row, store_dataset
from coop4int.observatory.domain.registry import create_indicator
from coop4int.observatory.domain.studies import add_study, publish_study
from coop4int.observatory.enums import Concept, DatasetOrigin, DatasetStatus, FileFormat
from coop4int.observatory.models import Dataset, Indicator, Study

ANALYSTS = {Role.ADMINISTRATOR, Role.ANALYST}
# A row's scope in the matrix: the object belongs to no unit, so the same roles of every unit
# may take the action (``_post_expected`` allows any scope but OBJECT and FILTERED from another
# unit).
NATIONAL = "national"

OBSERVATORY_MATRIX: dict[str, tuple[str, set[Role], bool]] = {
    "backoffice:observatory": ("get", ANALYSTS, False),
    "backoffice:observatory_import": ("get", ANALYSTS, False),
    "backoffice:observatory_dataset": ("get", ANALYSTS, False),
    "backoffice:observatory_indicators": ("get", ANALYSTS, False),
    "backoffice:observatory_indicator_new": ("get", ANALYSTS, False),
    "backoffice:observatory_indicator": ("get", ANALYSTS, False),
    "backoffice:studies": ("get", ANALYSTS, False),
    "backoffice:study_new": ("get", ANALYSTS, False),
    "backoffice:study": ("get", ANALYSTS, False),
    "backoffice:platform_tables": ("get", ANALYSTS, False),
}

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
SDMX_CSV = (
    b"STRUCTURE,STRUCTURE_ID,ACTION,SEX,TIME_PERIOD,OBS_VALUE\n"
    b"dataflow,INE_CV:DF_MATRIX(1.0),I,_T,2021,10875\n"
    b"dataflow,INE_CV:DF_MATRIX(1.0),I,F,2021,5100\n"
)


class ObservatoryObjects:
    """The indicator, its draft figures and the studies, each made when first asked for."""

    def made(self) -> "ObservatoryObjects":
        for name in ("draft", "study", "published_study"):
            getattr(self, name)
        return self

    @cached_property
    def indicator(self) -> Indicator:
        return create_indicator(
            actor=None, code="FOREIGN_NATIONALS", names={"pt": "Estrangeiros residentes"},
            definitions={}, notes={}, concept=Concept.FOREIGN_NATIONALS, unit_measure="PS",
            decimals=0, dimensions=["SEX"], source="INE", periodicity="decennial",
        )  # fmt: skip

    @cached_property
    def draft(self) -> Dataset:
        return store_dataset(
            indicator=self.indicator, dimensions=["SEX"],
            rows=[Row("2021", ("_T",), 10875.0), Row("2021", ("F",), 5100.0)],
            provenance=Provenance(source_name="INE Cabo Verde"), origin=DatasetOrigin.IMPORTED,
            actor=None, file_format=FileFormat.SDMX_CSV,
        )  # fmt: skip

    def _study(self, title: str) -> Study:
        return add_study(
            actor=None, title=title, authors="Observatório das Migrações",
            published_on=date(2025, 6, 30), language="pt", abstract="Resumo.", topics=[],
            licence="CC-BY-4.0", upload=SimpleUploadedFile("estudo.pdf", PDF, "application/pdf"),
        )  # fmt: skip

    @cached_property
    def study(self) -> Study:
        return self._study("Imigração em Cabo Verde")

    @cached_property
    def published_study(self) -> Study:
        return publish_study(study=self._study("Relatório anual"), actor=None)


def observatory_url(name: str, target: dict[str, Any]) -> str:
    """The address of the observatory's page ``name`` with the matrix's objects (``target``:
    its objects, with these under ``"observatory"``)."""
    made: ObservatoryObjects = target["observatory"]
    if name == "backoffice:observatory_dataset":
        return reverse(name, args=[made.draft.public_id])
    if name == "backoffice:observatory_indicator":
        return reverse(name, args=[made.indicator.code])
    if name == "backoffice:study":
        return reverse(name, args=[made.study.slug])
    return reverse(name)


def observatory(t: Any) -> ObservatoryObjects:
    """The observatory's objects of the matrix's POST objects ``t``, kept with them."""
    made = t.__dict__.get("observatory")
    if made is None:
        made = t.__dict__["observatory"] = ObservatoryObjects()
    return made


def _fresh(obj: Any) -> Any:
    obj.refresh_from_db()
    return obj


INDICATOR_FORM = {
    "name_pt": "Nascidos no estrangeiro", "concept": Concept.FOREIGN_BORN.value,
    "unit_measure": "PS", "decimals": "0", "dimensions": ["SEX"], "source": "INE",
    "periodicity": "decennial",
}  # fmt: skip


def _study_form(title: str) -> dict[str, Any]:
    return {
        "title": title, "authors": "Observatório", "published_on": "2025-06-30",
        "language": "pt", "abstract": "Resumo.", "licence": "CC-BY-4.0",
        "upload": SimpleUploadedFile("novo.pdf", PDF, "application/pdf"),
    }  # fmt: skip


def observatory_post_rows(row: Callable[..., Any]) -> dict[str, Any]:
    """The POST rows of the observatory's pages, made with the matrix's ``PostRow``."""

    def dataset_url(t: Any) -> str:
        return reverse("backoffice:observatory_dataset", args=[observatory(t).draft.public_id])

    def study_url(t: Any) -> str:
        return reverse("backoffice:study", args=[observatory(t).study.slug])

    return {
        # The matrix's clock (2026-03-02) is past the last quarter of 2025.
        "backoffice:platform_tables:draft": row(
            lambda t: reverse("backoffice:platform_tables"),
            ANALYSTS,
            NATIONAL,
            lambda t, u: {"action": "draft", "quarter": "2025-Q4"},
            lambda t, u: Dataset.objects.filter(quarter="2025-Q4", status="draft").exists(),
        ),
        "backoffice:observatory_import:create": row(
            lambda t: reverse("backoffice:observatory_import"),
            ANALYSTS,
            NATIONAL,
            lambda t, u: {
                "upload": SimpleUploadedFile("estrangeiros.sdmx.csv", SDMX_CSV, "text/csv"),
                "file_format": "sdmx-csv",
                "indicator": observatory(t).indicator.code,
                "licence": "CC-BY-4.0",
                "source_name": "INE Cabo Verde",
            },
            lambda t, u: Dataset.objects.filter(indicator=observatory(t).indicator).exists(),
        ),
        "backoffice:observatory_dataset:publish": row(
            dataset_url,
            ANALYSTS,
            NATIONAL,
            lambda t, u: {"action": "publish"},
            lambda t, u: _fresh(observatory(t).draft).status == DatasetStatus.PUBLISHED,
        ),
        "backoffice:observatory_dataset:discard": row(
            dataset_url,
            ANALYSTS,
            NATIONAL,
            lambda t, u: {"action": "discard"},
            lambda t, u: _fresh(observatory(t).draft).status == DatasetStatus.DISCARDED,
        ),
        "backoffice:observatory_indicator_new:create": row(
            lambda t: reverse("backoffice:observatory_indicator_new"),
            ANALYSTS,
            NATIONAL,
            lambda t, u: INDICATOR_FORM | {"code": "FOREIGN_BORN"},
            lambda t, u: Indicator.objects.filter(code="FOREIGN_BORN").exists(),
        ),
        "backoffice:observatory_indicator:update": row(
            lambda t: reverse(
                "backoffice:observatory_indicator", args=[observatory(t).indicator.code]
            ),
            ANALYSTS,
            NATIONAL,
            lambda t, u: (
                INDICATOR_FORM
                | {
                    "code": observatory(t).indicator.code,
                    "concept": Concept.FOREIGN_NATIONALS.value,
                }
            ),
            lambda t, u: (
                _fresh(observatory(t).indicator).names.get("pt") == "Nascidos no estrangeiro"
            ),
        ),
        "backoffice:study_new:create": row(
            lambda t: reverse("backoffice:study_new"),
            ANALYSTS,
            NATIONAL,
            lambda t, u: _study_form("Estudo novo"),
            lambda t, u: Study.objects.filter(title="Estudo novo").exists(),
        ),
        "backoffice:study:save": row(
            study_url,
            ANALYSTS,
            NATIONAL,
            lambda t, u: (
                {k: v for k, v in _study_form("Título corrigido").items() if k != "upload"}
                | {"action": "save"}
            ),
            lambda t, u: _fresh(observatory(t).study).title == "Título corrigido",
        ),
        "backoffice:study:publish": row(
            study_url,
            ANALYSTS,
            NATIONAL,
            lambda t, u: {"action": "publish"},
            lambda t, u: _fresh(observatory(t).study).status == "published",
        ),
        "backoffice:study:withdraw": row(
            lambda t: reverse("backoffice:study", args=[observatory(t).published_study.slug]),
            ANALYSTS,
            NATIONAL,
            lambda t, u: {"action": "withdraw"},
            lambda t, u: _fresh(observatory(t).published_study).status == "withdrawn",
        ),
    }
