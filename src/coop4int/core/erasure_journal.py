"""The erasure journal: which person records were erased, and when, kept outside the database.

A backup is a copy of the database as it was. Restoring one made before someone was erased
would bring their record back; the journal lets a restore erase them again
(`coop4int restore` runs `replay_erasures` with the backup's time). So the journal lives in a
file (``settings.ERASURE_JOURNAL``), not in the database a restore replaces, and it holds a
person's id and the time of the erasure only: nothing that identifies anyone once the record
is erased, so it may be kept and copied freely.

One JSON object a line, appended and fsynced before ``record_erasure`` returns. Writers take
an exclusive lock on the file, so that lines from several processes never interleave; a line
cut short by a crash (no newline at its end) is removed by the next writer, and readers never
count it — the erasure it was recording had not returned.
"""

import fcntl
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID

from django.conf import settings


class JournalError(Exception):
    """The journal holds a line that cannot be read: refuse rather than forget an erasure."""


# A person's key: people's records are keyed by UUID; an integer key is accepted as well.
PersonKey = int | UUID


@dataclass(frozen=True)
class Erasure:
    person_id: PersonKey
    at: datetime


def journal_path() -> Path:
    return Path(settings.ERASURE_JOURNAL)


def record_erasure(*, person_id: PersonKey, at: datetime) -> None:
    """Append that ``person_id`` was erased at ``at`` (an aware datetime), durably."""
    if at.tzinfo is None:
        raise ValueError("The time of an erasure must be aware of its time zone.")
    if isinstance(person_id, bool) or not isinstance(person_id, int | UUID):
        raise TypeError(f"A person's key is an int or a UUID, not {type(person_id).__name__}.")
    # JSON tells the two apart: a number, or the UUID as text.
    key: int | str = person_id if isinstance(person_id, int) else str(person_id)
    line = json.dumps({"person_id": key, "at": at.astimezone(UTC).isoformat()}, sort_keys=True)
    path = journal_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    created = not path.exists()
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        _drop_torn_line(fd)
        os.write(fd, (line + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)  # closing releases the lock
    if created:
        # The file's name must survive a crash too, not only its contents.
        directory = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)


def erasures_since(at: datetime) -> list[Erasure]:
    """The erasures recorded at or after ``at``, in the order they were written."""
    if at.tzinfo is None:
        raise ValueError("The time must be aware of its time zone.")
    return [erasure for erasure in read_journal() if erasure.at >= at]


def read_journal() -> list[Erasure]:
    """Every erasure in the journal (none when there is no journal yet)."""
    path = journal_path()
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return []
    try:
        fcntl.flock(fd, fcntl.LOCK_SH)
        with os.fdopen(os.dup(fd), "rb") as journal:
            data = journal.read()
    finally:
        os.close(fd)
    lines = data.split(b"\n")
    # What follows the last newline is a line a crashed writer never finished.
    complete = lines[:-1]
    erasures = []
    for number, raw in enumerate(complete, start=1):
        if not raw.strip():
            continue
        try:
            entry = json.loads(raw)
            erasures.append(Erasure(person_id=_key(entry["person_id"]), at=_time(entry["at"])))
        except (ValueError, KeyError, TypeError) as error:
            raise JournalError(f"{path}, line {number}: not an erasure ({error}).") from error
    return erasures


def _key(value: object) -> PersonKey:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        return UUID(value)
    raise ValueError(f"not a person's key: {value!r}")


def _time(value: object) -> datetime:
    moment = datetime.fromisoformat(str(value))
    if moment.tzinfo is None:
        raise ValueError(f"a time without a time zone: {value!r}")
    return moment


def _drop_torn_line(fd: int) -> None:
    """Cut the file back to its last newline: a line without one was never finished."""
    size = os.fstat(fd).st_size
    if size == 0:
        return
    if os.pread(fd, 1, size - 1) == b"\n":
        return
    end = size
    block = 4096
    while end > 0:
        start = max(0, end - block)
        chunk = os.pread(fd, end - start, start)
        newline = chunk.rfind(b"\n")
        if newline >= 0:
            os.ftruncate(fd, start + newline + 1)
            return
        end = start
    os.ftruncate(fd, 0)
