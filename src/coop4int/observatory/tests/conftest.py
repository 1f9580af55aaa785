"""Fixtures for the observatory's tests: indicators, and datasets stored from rows."""

from collections.abc import Callable, Iterator, Sequence
from typing import Any

import pytest
from django.utils import translation

from coop4int.observatory.domain.datasets import Provenance, Row, store_dataset
from coop4int.observatory.enums import Concept, DatasetOrigin, FileFormat
from coop4int.observatory.models import Dataset, Indicator


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """The domain's messages are compared with their English source: whatever language an
    earlier test's request left active in this thread, these run in English."""
    with translation.override("en"):
        yield


@pytest.fixture
def make_indicator(db: None) -> Callable[..., Indicator]:
    """``make_indicator(code="FOREIGN_NATIONALS", **fields)``: an indicator, foreign nationals
    by sex and municipality unless told otherwise."""

    def make(code: str = "FOREIGN_NATIONALS", **fields: Any) -> Indicator:
        values: dict[str, Any] = {
            "names": {"en": "Foreign nationals", "pt": "Estrangeiros"},
            "definitions": {"en": "Residents without Cabo Verdean citizenship."},
            "concept": Concept.FOREIGN_NATIONALS,
            "dimensions": ["SEX", "MUNICIPALITY"],
            "source": "INE",
        }
        values.update(fields)
        return Indicator.objects.create(code=code, **values)

    return make


@pytest.fixture
def indicator(make_indicator: Callable[..., Indicator]) -> Indicator:
    return make_indicator()


@pytest.fixture
def make_dataset() -> Callable[..., Dataset]:
    """``make_dataset(indicator, rows, dimensions=("SEX", "MUNICIPALITY"))``: a draft version
    stored from ``rows`` (``Row``s, or tuples ``(period, key, value[, obs_status,
    conf_status])``)."""

    def make(
        indicator: Indicator,
        rows: Sequence[Row | tuple[Any, ...]],
        dimensions: Sequence[str] = ("SEX", "MUNICIPALITY"),
        **fields: Any,
    ) -> Dataset:
        return store_dataset(
            indicator=indicator,
            dimensions=dimensions,
            rows=[row if isinstance(row, Row) else Row(*row) for row in rows],
            provenance=fields.pop("provenance", Provenance(source_name="INE")),
            origin=fields.pop("origin", DatasetOrigin.IMPORTED),
            actor=fields.pop("actor", None),
            file_format=fields.pop("file_format", FileFormat.SDMX_CSV),
            **fields,
        )

    return make
