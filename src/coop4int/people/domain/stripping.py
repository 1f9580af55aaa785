"""Doing what a declaration says to some of its rows — the one step erasure and the retention
schedule share (``coop4int.core.personal_data``): delete them with their files, anonymise
them, or keep them."""

from collections.abc import Collection
from datetime import datetime
from typing import Any

from django.db import models, transaction

from coop4int.core.personal_data import Erasure, PersonalData


def strip_rows(declaration: PersonalData, pks: Collection[Any], now: datetime) -> int:
    """Apply ``declaration.erasure`` to its rows ``pks`` (chosen by the caller through
    ``to_strip``); returns how many rows were deleted or anonymised (0 for kept ones).

    Files of deleted rows leave the storage once the transaction commits: a rolled-back
    erasure must not have lost them, and a committed one must not leave them behind."""
    if not pks or declaration.erasure == Erasure.KEEP:
        return 0
    rows = declaration.model_class._default_manager.filter(pk__in=list(pks))
    if declaration.erasure == Erasure.ANONYMISE:
        if declaration.anonymise is None:
            raise ValueError(f"{declaration.model} is anonymised but says not how.")
        return declaration.anonymise(rows, now)
    files = _stored_files(rows)
    count = len(pks)
    rows.delete()
    if files:
        transaction.on_commit(lambda: _delete_files(files))
    return count


def _stored_files(rows: models.QuerySet[Any]) -> list[tuple[Any, str]]:
    """(storage, name) of every file the rows hold."""
    fields = [
        field for field in rows.model._meta.concrete_fields if isinstance(field, models.FileField)
    ]
    if not fields:
        return []
    found = []
    for values in rows.values_list(*[field.attname for field in fields]):
        for field, name in zip(fields, values, strict=True):
            if name:
                found.append((field.storage, str(name)))
    return found


def _delete_files(files: list[tuple[Any, str]]) -> None:
    for storage, name in files:
        storage.delete(name)
