import json
import os
import subprocess
import sys
import textwrap
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from coop4int.core.erasure_journal import (
    Erasure,
    JournalError,
    erasures_since,
    read_journal,
    record_erasure,
)

T0 = datetime(2030, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def journal(settings, tmp_path) -> Path:  # type: ignore[no-untyped-def]
    settings.ERASURE_JOURNAL = tmp_path / "journal" / "erasure-journal.jsonl"
    return settings.ERASURE_JOURNAL


def test_no_journal_yet_means_no_erasures(journal: Path) -> None:
    assert erasures_since(T0) == []


def test_each_erasure_is_one_line_of_ids_and_times_only(journal: Path) -> None:
    person = uuid.UUID("6b1f6a53-0f3b-4b47-9d1e-5f8a2c3b4d5e")
    record_erasure(person_id=person, at=T0)
    record_erasure(person_id=42, at=T0 + timedelta(hours=1))

    lines = journal.read_text().splitlines()
    assert [json.loads(line) for line in lines] == [
        {"person_id": str(person), "at": "2030-03-01T09:00:00+00:00"},
        {"person_id": 42, "at": "2030-03-01T10:00:00+00:00"},
    ]
    assert read_journal() == [
        Erasure(person_id=person, at=T0),
        Erasure(person_id=42, at=T0 + timedelta(hours=1)),
    ]


def test_recording_appends_and_never_rewrites_what_was_there(journal: Path) -> None:
    record_erasure(person_id=1, at=T0)
    first = journal.read_bytes()
    record_erasure(person_id=2, at=T0)
    record_erasure(person_id=1, at=T0 + timedelta(days=1))

    assert journal.read_bytes().startswith(first)
    assert [e.person_id for e in read_journal()] == [1, 2, 1]


def test_erasures_since_keeps_those_at_or_after_the_time(journal: Path) -> None:
    for hours, person in ((0, 1), (1, 2), (2, 3)):
        record_erasure(person_id=person, at=T0 + timedelta(hours=hours))

    assert [e.person_id for e in erasures_since(T0 + timedelta(hours=1))] == [2, 3]
    # The same instant written in Cabo Verde's time (UTC-1) compares equal.
    praia = (T0 + timedelta(hours=1)).astimezone(ZoneInfo("Atlantic/Cape_Verde"))
    assert [e.person_id for e in erasures_since(praia)] == [2, 3]
    assert erasures_since(T0 + timedelta(hours=2, seconds=1)) == []


def test_times_without_a_zone_are_refused(journal: Path) -> None:
    with pytest.raises(ValueError, match="time zone"):
        record_erasure(person_id=1, at=datetime(2030, 3, 1, 9, 0))  # noqa: DTZ001 — the point
    with pytest.raises(ValueError, match="time zone"):
        erasures_since(datetime(2030, 3, 1))  # noqa: DTZ001 — the point
    assert not journal.exists()


def test_only_keys_are_journalled(journal: Path) -> None:
    with pytest.raises(TypeError):
        record_erasure(person_id="Maria Silva", at=T0)  # type: ignore[arg-type]
    assert not journal.exists()


def test_a_line_cut_short_by_a_crash_is_not_read_and_the_next_writer_removes_it(
    journal: Path,
) -> None:
    record_erasure(person_id=1, at=T0)
    with open(journal, "ab") as out:
        out.write(b'{"at": "2030-03-01T09:')  # the writer died here

    assert [e.person_id for e in read_journal()] == [1]
    record_erasure(person_id=2, at=T0)
    assert [e.person_id for e in read_journal()] == [1, 2]
    assert journal.read_text().count("\n") == 2


def test_a_damaged_line_is_an_error_not_a_forgotten_erasure(journal: Path) -> None:
    record_erasure(person_id=1, at=T0)
    with open(journal, "ab") as out:
        out.write(b"not json\n")
    record_erasure(person_id=2, at=T0)

    with pytest.raises(JournalError, match="line 2"):
        erasures_since(T0)


WRITER = textwrap.dedent(
    """
    import sys, time
    from datetime import UTC, datetime
    from pathlib import Path
    from coop4int.core.erasure_journal import record_erasure

    process, count, start = int(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3])
    while not start.exists():
        time.sleep(0.001)
    for n in range(count):
        record_erasure(person_id=process * 1_000_000 + n, at=datetime(2030, 3, 1, tzinfo=UTC))
    """
)


def test_two_processes_appending_at_once_lose_and_mix_no_line(journal: Path, tmp_path) -> None:  # type: ignore[no-untyped-def]
    count = 300
    start = tmp_path / "start"
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "coop4int.settings",
        "ERASURE_JOURNAL": str(journal),
    }
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(process), str(count), str(start)], env=environment
        )
        for process in (1, 2)
    ]
    start.touch()  # both begin together
    assert [writer.wait(timeout=120) for writer in writers] == [0, 0]

    entries = read_journal()
    assert len(entries) == 2 * count
    for process in (1, 2):
        mine = [e.person_id for e in entries if int(e.person_id) // 1_000_000 == process]
        assert mine == [process * 1_000_000 + n for n in range(count)]
