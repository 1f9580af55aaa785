"""Reads of the observatory for anyone: the indicators with a published version, that version
and the earlier ones it replaced, and its observations.

Only published and superseded versions are public (``enums.PUBLIC_STATUSES``): a draft or a
discarded version is never read here, and asking for one answers 404 as for one that does not
exist."""

from dataclasses import dataclass

from django.db import connections
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from coop4int.observatory.domain.datasets import period_sort_key
from coop4int.observatory.enums import PUBLIC_STATUSES, TOTAL, Concept, DatasetStatus
from coop4int.observatory.models import Dataset, Indicator, Observation

# One observation as the pages read it: period, series key, value, OBS_STATUS, CONF_STATUS,
# revised.
ObservationRow = tuple[str, str, float | None, str, str, bool]


def published_indicators() -> QuerySet[Indicator]:
    """The indicators that have a published version, by code."""
    current = Dataset.objects.filter(indicator=OuterRef("pk"), status=DatasetStatus.PUBLISHED)
    return Indicator.objects.filter(Exists(current)).order_by("code")


def current_dataset(indicator: Indicator) -> Dataset | None:
    """The published version of ``indicator`` (there is at most one), else None."""
    return (
        Dataset.objects.filter(indicator=indicator, status=DatasetStatus.PUBLISHED)
        .select_related("indicator")
        .first()
    )


def get_public_dataset(public_id: str) -> Dataset:
    """The version ``public_id`` ("FOREIGN_BORN-v2") when it is published or superseded, with
    its indicator; Http404 otherwise (missing, draft or discarded alike)."""
    dataset = (
        Dataset.objects.filter(public_id=public_id, status__in=PUBLIC_STATUSES)
        .select_related("indicator")
        .first()
    )
    if dataset is None:
        raise Http404
    return dataset


def get_public_indicator(code: str) -> Indicator:
    """The indicator ``code`` when it has a published version; Http404 otherwise."""
    indicator = published_indicators().filter(code=code).first()
    if indicator is None:
        raise Http404
    return indicator


@dataclass(frozen=True, slots=True)
class PublicVersions:
    """An indicator's published version and the versions it replaced, newest first."""

    indicator: Indicator
    current: Dataset
    earlier: list[Dataset]


def public_versions(code: str) -> PublicVersions:
    """The indicator ``code`` with its published version and its superseded ones (one query);
    Http404 when it has no published version."""
    datasets = list(
        Dataset.objects.filter(indicator__code=code, status__in=PUBLIC_STATUSES)
        .select_related("indicator")
        .order_by("-version")
    )
    current = next((d for d in datasets if d.status == DatasetStatus.PUBLISHED), None)
    if current is None:
        raise Http404
    earlier = [d for d in datasets if d.status == DatasetStatus.SUPERSEDED]
    return PublicVersions(indicator=current.indicator, current=current, earlier=earlier)


def observation_rows(dataset: Dataset) -> list[ObservationRow]:
    """Every observation of ``dataset`` as a tuple (``ObservationRow``; ``revised`` may come
    as 0 or 1 on SQLite), in one query, in no order.

    The rows are read straight from the cursor, with the SQL the ORM writes: a page reads
    thousands of them, and the ORM's per-row work (converters, then the ordering, which the
    unique index does not serve) took more time than the database's."""
    query = Observation.objects.filter(dataset=dataset).values_list(
        "period", "key", "value", "obs_status", "conf_status", "revised"
    )
    sql, params = query.query.sql_with_params()
    with connections[query.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def current_datasets() -> list[Dataset]:
    """The published version of every indicator, with its indicator, in the order of the
    concepts they measure (``enums.Concept``), then by code."""
    order = {value: position for position, value in enumerate(Concept.values)}
    datasets = Dataset.objects.filter(status=DatasetStatus.PUBLISHED).select_related("indicator")
    return sorted(
        datasets,
        key=lambda d: (order.get(d.indicator.concept, len(order)), d.indicator.code),
    )


def total_key(dataset: Dataset) -> str:
    """The series key of the total over every dimension ("_T._T"; "" without dimensions)."""
    return ".".join(TOTAL for _dimension in dataset.dimensions)


def latest_totals(datasets: list[Dataset]) -> dict[int, ObservationRow]:
    """For each dataset, its total over every dimension in its last period that has one,
    when the source published it (a total the source did not publish is never made up by
    adding): one query for all of them, keyed by dataset id."""
    if not datasets:
        return {}
    wanted = Q(pk__in=[])
    for dataset in datasets:
        wanted |= Q(dataset=dataset, key=total_key(dataset))
    found = Observation.objects.filter(wanted).values_list(
        "dataset_id", "period", "key", "value", "obs_status", "conf_status", "revised"
    )
    latest: dict[int, ObservationRow] = {}
    for dataset_id, period, key, value, obs_status, conf_status, revised in found:
        if dataset_id not in latest or period_sort_key(period) > period_sort_key(
            latest[dataset_id][0]
        ):
            latest[dataset_id] = (period, key, value, obs_status, conf_status, revised)
    return latest
