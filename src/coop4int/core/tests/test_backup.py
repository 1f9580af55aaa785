"""Backups round-trip on the database the suite runs on (SQLite or PostgreSQL): a backup of
the test database is restored into a second, empty database (a temporary SQLite file, or a
PostgreSQL database created for the test) and an empty file storage, then compared."""

import json
import random
import re
import shutil
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.apps import apps
from django.core import management
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections, transaction
from django.db.migrations.recorder import MigrationRecorder

from coop4int.accounts.models import Unit, User
from coop4int.cases.domain.cases import reply
from coop4int.cases.enums import Channel
from coop4int.cases.models import Case, CaseAttachment
from coop4int.core.backup import (
    MANIFEST,
    make_backup,
    stored_names,
)
from coop4int.core.erasure_journal import erasures_since, record_erasure
from coop4int.core.models import AuditEntry, PeriodicRun
from coop4int.observatory.models import Study
from coop4int.people.domain.erasure import erase_person
from coop4int.people.enums import ErasureGround
from coop4int.people.models import Person

pytestmark = pytest.mark.django_db(transaction=True)

BACKUP_TIME = datetime(2030, 5, 1, 12, 0, tzinfo=UTC)
PNG = b"\x89PNG\r\n\x1a\n" + random.Random(1).randbytes(5_000)
# Larger than one encrypted chunk (1 MiB), so that chunking is exercised.
PDF = b"%PDF-1.4\n" + random.Random(2).randbytes(2_500_000)


# --- Where things are restored to ------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path) -> Callable[[str], Path]:  # type: ignore[no-untyped-def]
    """Point the default storage at a folder of its own; returns the switch."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }

    def use(name: str) -> Path:
        settings.MEDIA_ROOT = tmp_path / name
        return tmp_path / name

    use("media")
    return use


@pytest.fixture(autouse=True)
def journal(settings, tmp_path) -> Path:  # type: ignore[no-untyped-def]
    settings.ERASURE_JOURNAL = tmp_path / "erasure-journal.jsonl"
    return settings.ERASURE_JOURNAL


@contextmanager
def _default_database_named(name: str) -> Iterator[None]:
    """Point the default connection at another database for a while (as Django's test runner
    does to reach the test database)."""
    connection.close()
    original = connection.settings_dict["NAME"]
    connection.settings_dict["NAME"] = name
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["NAME"] = original


@pytest.fixture
def empty_database(tmp_path) -> Iterator[Callable[[], AbstractContextManager[None]]]:  # type: ignore[no-untyped-def]
    """A second, empty database of the suite's vendor; entering it makes it the default."""
    created: list[str] = []

    def target() -> AbstractContextManager[None]:
        number = len(created) + 1
        if connection.vendor == "sqlite":
            name = str(tmp_path / f"restored-{number}.sqlite3")
        else:
            name = f"{connection.settings_dict['NAME']}_restored_{number}"[:63]
            with connection.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
                cursor.execute(f'CREATE DATABASE "{name}"')
        created.append(name)
        return _default_database_named(name)

    yield target
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for name in created:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                    [name],
                )
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')


# --- What is compared ---------------------------------------------------------------------


def database_contents() -> dict[str, list[Any]]:
    """Every model's rows ordered by key, and every other table's rows (full-text indexes,
    migrations), sorted."""
    contents: dict[str, list[Any]] = {}
    model_tables = set()
    for model in apps.get_models(include_auto_created=True):
        model_tables.add(model._meta.db_table)
        contents[model._meta.label] = list(model._base_manager.order_by("pk").values_list())
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            if table in model_tables:
                continue
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 — names from the catalogue
            contents[table] = sorted(repr(row) for row in cursor.fetchall())
    return contents


def stored_files() -> dict[str, bytes]:
    files = {}
    for name in stored_names(default_storage):
        with default_storage.open(name) as stored:
            files[name] = stored.read()
    return files


def restored_contents() -> dict[str, list[Any]]:
    """The restored database's contents, less the one audit entry the restore adds."""
    contents = database_contents()
    restored = set(
        AuditEntry.objects.filter(action="core.backup.restored").values_list("pk", flat=True)
    )
    assert len(restored) == 1, "a restore writes one audit entry"
    return {
        **contents,
        "core.AuditEntry": [row for row in contents["core.AuditEntry"] if row[0] not in restored],
    }


# --- Data ------------------------------------------------------------------------------------


def add_case_files() -> Case:
    """Two files on a demo case of Aminata's, as an officer's reply."""
    officer = User.objects.get(username="tecnico.praia")
    case = Case.objects.filter(person__family_names="Diallo (demo)").order_by("opened_at").last()
    assert case is not None
    reply(
        actor=officer,
        case=case,
        body="Seguem os formulários.",
        channel=Channel.EMAIL,
        files=[
            SimpleUploadedFile("formulario.png", PNG, content_type="image/png"),
            SimpleUploadedFile("guia.pdf", PDF, content_type="application/pdf"),
        ],
    )
    return case


def small_dataset() -> None:
    Unit.objects.create(slug="praia", name="Praia", kind="local")
    default_storage.save("cases/2030/05/a.png", ContentFile(PNG))
    default_storage.save("content/2030/05/b.pdf", ContentFile(PDF))


# --- Round trips ----------------------------------------------------------------------------


def test_the_demo_with_cases_and_files_comes_back_identical(
    media, empty_database, tmp_path, capsys
) -> None:  # type: ignore[no-untyped-def]
    call_command("load_demo")
    demo_files = stored_files()
    assert demo_files, "the demo holds a case file"
    add_case_files()
    # The demo's files: a case's attachment and the study in the observatory's library.
    assert CaseAttachment.objects.count() + Study.objects.count() == len(demo_files) + 2
    before = database_contents()
    files_before = stored_files()
    assert len(files_before) == len(demo_files) + 2
    backup = tmp_path / "backup"

    call_command("backup", str(backup))

    manifest = json.loads((backup / MANIFEST).read_text())
    assert manifest["database"]["vendor"] == connection.vendor
    assert manifest["migrations"]["people"] == max(
        name for app, name in _applied() if app == "people"
    )
    assert sorted(f["name"] for f in manifest["files"]) == sorted(files_before)
    assert {f["size"] for f in manifest["files"]} == {len(PNG), len(PDF)} | {
        len(data) for data in demo_files.values()
    }
    assert AuditEntry.objects.filter(action="core.backup.created").count() == 1

    media("restored-media")
    with empty_database():
        call_command("restore", str(backup))
        output = capsys.readouterr()
        assert "Restored the backup" in output.out
        # Nobody was ever erased here, so there is no journal: the operator is told.
        assert "There is no erasure journal" in output.err
        after = restored_contents()
        files_after = stored_files()
        # The restored sequences go on from where they were: a new row takes a free key.
        Unit.objects.create(slug="nova", name="Nova unidade", kind="local")

    assert after == before
    assert files_after == files_before


def test_an_encrypted_backup_holds_nothing_readable_and_needs_its_key(
    media, empty_database, tmp_path, settings
) -> None:  # type: ignore[no-untyped-def]
    small_dataset()
    before = database_contents()
    files_before = stored_files()
    key = Fernet.generate_key().decode()
    key_file = tmp_path / "backup.key"
    key_file.write_text(key + "\n")
    backup = tmp_path / "backup"

    call_command("backup", str(backup), encrypt=True, key_file=str(key_file))

    manifest = json.loads((backup / MANIFEST).read_text())
    assert manifest["encryption"]["algorithm"] == "AES-256-GCM"
    stored = b"".join(p.read_bytes() for p in (backup / "files").iterdir())
    assert PNG[:200] not in stored
    assert PDF[:200] not in stored
    database = (backup / manifest["database"]["path"]).read_bytes()
    assert b"Praia" not in database

    media("restored-media")
    with empty_database():
        with pytest.raises(CommandError, match="encrypted: give its key"):
            call_command("restore", str(backup))
        other_key = tmp_path / "other.key"
        other_key.write_text(Fernet.generate_key().decode())
        with pytest.raises(CommandError, match="Wrong key"):
            call_command("restore", str(backup), key_file=str(other_key))
        assert connection.introspection.table_names() == []
        assert stored_files() == {}
        # Moving the backup's time later would replay fewer erasures: the manifest is signed.
        altered = tmp_path / "altered"
        shutil.copytree(backup, altered)
        _edit_manifest(altered, lambda m: m.update(created_at="2099-01-01T00:00:00+00:00"))
        with pytest.raises(CommandError, match="altered"):
            call_command("restore", str(altered), key_file=str(key_file))
        assert connection.introspection.table_names() == []

        settings.BACKUP_KEY = key  # the key from the environment
        call_command("restore", str(backup))
        after = restored_contents()
        files_after = stored_files()

    assert after == before
    assert files_after == files_before


# --- Refusals: each changes nothing ---------------------------------------------------------


def _edit_manifest(backup: Path, change: Callable[[dict[str, Any]], None]) -> None:
    manifest = json.loads((backup / MANIFEST).read_text())
    change(manifest)
    (backup / MANIFEST).write_text(json.dumps(manifest))


def _flip_a_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[100] ^= 0x01
    path.write_bytes(bytes(data))


def _first_file(backup: Path) -> Path:
    return sorted((backup / "files").iterdir())[0]


def _database_member(backup: Path) -> Path:
    return backup / json.loads((backup / MANIFEST).read_text())["database"]["path"]


def _cut_short(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:-1000])


def _other_vendor() -> str:
    return "postgresql" if connection.vendor == "sqlite" else "sqlite"


# What is wrong, how to make it so in a copy of a good backup, what the refusal says.
DAMAGE: list[tuple[str, Callable[[Path], None], str]] = [
    ("a file changed", lambda b: _flip_a_byte(_first_file(b)), "does not match the manifest"),
    ("the database changed", lambda b: _flip_a_byte(_database_member(b)), "does not match"),
    ("the database cut short", lambda b: _cut_short(_database_member(b)), "does not match"),
    ("a file missing", lambda b: _first_file(b).unlink(), "incomplete"),
    ("no manifest (unfinished)", lambda b: (b / MANIFEST).unlink(), "unfinished"),
    (
        "migrations the code lacks",
        lambda b: _edit_manifest(b, lambda m: m["migrations"].update(people="9999_future")),
        r"newer version.*people\.9999_future",
    ),
    (
        "another database vendor",
        lambda b: _edit_manifest(b, lambda m: m["database"].update(vendor=_other_vendor())),
        "backup of a (sqlite|postgresql) database",
    ),
]


def test_a_damaged_or_unsuitable_backup_is_refused_and_nothing_changes(
    media, empty_database, tmp_path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    small_dataset()
    good = tmp_path / "backup"
    make_backup(good, now=BACKUP_TIME)
    units = list(Unit.objects.values_list("slug", flat=True))
    media("restored-media")

    def refused(backup: Path, match: str) -> None:
        with pytest.raises(CommandError, match=match) as refusal:
            call_command("restore", str(backup))
        assert "Nothing was changed" in str(refusal.value)
        assert connection.introspection.table_names() == []
        assert stored_files() == {}

    with empty_database():
        for number, (what, damage, match) in enumerate(DAMAGE):
            damaged = tmp_path / f"damaged-{number}"
            shutil.copytree(good, damaged)
            damage(damaged)
            try:
                refused(damaged, match)
            except AssertionError as failure:
                raise AssertionError(f"{what}: {failure}") from failure

        # The code cannot replay the erasures made since the backup.
        known = management.get_commands()
        with monkeypatch.context() as patch:
            patch.setattr(
                management,
                "get_commands",
                lambda: {name: app for name, app in known.items() if name != "replay_erasures"},
            )
            refused(good, "replay_erasures is not installed")

        # The storage holds another file under a name the backup restores.
        default_storage.save("cases/2030/05/a.png", ContentFile(b"another file"))
        with pytest.raises(
            CommandError, match=re.escape("holds another file named cases/2030/05/a.png")
        ):
            call_command("restore", str(good))
        assert connection.introspection.table_names() == []
        assert stored_files() == {"cases/2030/05/a.png": b"another file"}

    # The database is not empty: the test database itself.
    with pytest.raises(CommandError, match="is not empty") as refusal:
        call_command("restore", str(good))
    assert "Nothing was changed" in str(refusal.value)
    assert list(Unit.objects.values_list("slug", flat=True)) == units


@pytest.mark.django_db
def test_backup_refuses_a_directory_that_is_not_empty_and_encryption_without_a_key(
    media, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    backup = tmp_path / "backup"
    backup.mkdir()
    (backup / "earlier.txt").write_text("keep me")

    with pytest.raises(CommandError, match="not an empty directory"):
        call_command("backup", str(backup))
    assert [p.name for p in backup.iterdir()] == ["earlier.txt"]

    with pytest.raises(CommandError, match="needs a key"):
        call_command("backup", str(tmp_path / "other"), encrypt=True)
    assert not (tmp_path / "other").exists()

    (tmp_path / "bad.key").write_text("not-a-key")
    with pytest.raises(CommandError, match="key is not a key"):
        call_command("backup", str(tmp_path / "other"), encrypt=True, key_file=tmp_path / "bad.key")


# --- Erasures made after the backup -------------------------------------------------------


def test_a_person_erased_after_the_backup_stays_erased_when_it_is_restored(
    media, empty_database, tmp_path, journal
) -> None:  # type: ignore[no-untyped-def]
    call_command("load_demo")
    case = add_case_files()
    aminata = Person.objects.get(family_names="Diallo (demo)")
    files = set(
        CaseAttachment.objects.filter(interaction__case=case).values_list("file", flat=True)
    )

    ibrahima = Person.objects.get(family_names="Sow (demo)")
    backup = tmp_path / "backup"
    make_backup(backup, now=BACKUP_TIME)
    # Journalled a little before the backup began, committed only after the database was
    # copied: the backup holds him un-erased.
    record_erasure(person_id=ibrahima.pk, at=BACKUP_TIME - timedelta(minutes=10))

    erase_person(
        person=aminata,
        actor=None,
        ground=ErasureGround.PERSON_ASKED,
        now=BACKUP_TIME + timedelta(days=1),
    )
    assert [e.person_id for e in erasures_since(BACKUP_TIME)] == [aminata.pk]
    journalled = journal.read_text()
    assert not files & set(stored_files())

    media("restored-media")
    with empty_database():
        call_command("restore", str(backup))
        restored = Person.objects.get(pk=aminata.pk)
        assert restored.is_erased
        assert restored.given_names == ""
        assert not files & set(stored_files())
        erased = set(Person.objects.filter(erased_at__isnull=False).values_list("pk", flat=True))
        assert erased == {aminata.pk, ibrahima.pk}
    # The restore leaves the journal as it was; erasing again only appends to it.
    assert journal.read_text().startswith(journalled)


# --- Online backup -----------------------------------------------------------------------


def test_a_backup_taken_while_the_platform_writes_is_consistent(
    media, empty_database, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    """A writer adds rows in pairs, one transaction per pair, all through the backup: the
    backup holds whole pairs only, and at least those written before it began."""
    started = threading.Event()
    stop = threading.Event()
    errors: list[BaseException] = []
    stamp = datetime(2030, 1, 1, tzinfo=UTC)

    def write_pairs() -> None:
        try:
            for number in range(100_000):
                with transaction.atomic():
                    PeriodicRun.objects.create(name=f"pair-{number}-a", last_run_at=stamp)
                    PeriodicRun.objects.create(name=f"pair-{number}-b", last_run_at=stamp)
                if number == 20:
                    started.set()
                if stop.is_set():
                    return
        except BaseException as error:
            errors.append(error)
            started.set()
        finally:
            connections.close_all()

    small_dataset()
    writer = threading.Thread(target=write_pairs)
    writer.start()
    try:
        assert started.wait(timeout=60)
        written_before = PeriodicRun.objects.count()
        make_backup(tmp_path / "backup", now=BACKUP_TIME)
    finally:
        stop.set()
        writer.join(timeout=60)
    assert errors == []

    media("restored-media")
    with empty_database():
        call_command("restore", str(tmp_path / "backup"))
        names = list(PeriodicRun.objects.values_list("name", flat=True))

    assert len(names) >= written_before
    pairs = {name.rsplit("-", 1)[0] for name in names}
    assert {f"{pair}-a" for pair in pairs} | {f"{pair}-b" for pair in pairs} == set(names)


def _applied() -> set[tuple[str, str]]:
    return set(MigrationRecorder(connection).applied_migrations())
