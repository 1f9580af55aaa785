"""Backups that restore: the database and the uploaded files, checked, optionally encrypted.

A backup is a directory:

- ``manifest.json`` — format version, when the backup began, the platform's version, the
  database vendor, the latest applied migration of each app, and every member below with its
  size and SHA-256 (of its content, before any encryption). Written last: a directory without
  it is an unfinished backup.
- ``database.sqlite3`` (SQLite's online backup API: a consistent copy of the live database
  while the platform goes on writing) or ``database.pgdump`` (``pg_dump --format=custom``, one
  snapshot).
- ``files/000001``… — every file of the default storage (``default_storage``, so local disk
  and S3 alike), under numbers; the manifest names each one.

The database is copied first, then the files: a file is stored before the row that names it
is committed, so every file the copied database names is still there to be copied.

Encryption (``--encrypt``): every member is AES-256-GCM in chunks of 1 MiB, each chunk bound to
this backup, its member, its place and whether it is the last (so that chunks cannot be
swapped, reordered or cut off unnoticed); the manifest stays readable but carries a key check
and an HMAC, so a wrong key and an altered manifest are told apart and refused. The key is 32
random bytes in URL-safe base64 (``Fernet.generate_key()``), read from a file or from the
environment (``BACKUP_KEY_FILE``, ``BACKUP_KEY``), never from the command line.

A restore goes into an empty database — one with no tables, never migrated — and a storage
that holds none of the backup's files (or holds them identical). It refuses, before changing
anything, a manifest it cannot read or verify, a wrong or missing key, a backup of another
database vendor, migrations the code does not have (a backup of a newer version), a target
that is not empty and any member whose size or checksum differs. Then it puts the files back,
then the database (SQLite: copied in place through the backup API in one step; PostgreSQL:
``pg_restore --single-transaction``), migrates it to the code's state, and replays the
erasures journalled since the backup (``replay_erasures``, ``core.erasure_journal``), so that
no one who asked to be forgotten comes back.
"""

import base64
import hashlib
import hmac
import io
import json
import os
import posixpath
import shutil
import sqlite3
import subprocess
import tempfile
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from importlib import metadata
from pathlib import Path
from typing import IO, Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core import management
from django.core.files import File
from django.core.files.storage import Storage, default_storage
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from coop4int.core import audit
from coop4int.core.erasure_journal import journal_path

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATABASE_MEMBERS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
FILES_DIR = "files"
CHUNK_SIZE = 1 << 20
REPLAY_COMMAND = "replay_erasures"
# Erasures are replayed from a little before the backup began: an erasure journalled just
# before the backup began may have committed only after the database was copied. Replaying
# an erasure the database already holds changes nothing.
REPLAY_MARGIN = timedelta(hours=1)

_MAGIC = b"C4IBAK1\n"
_NONCE_PREFIX = 8
_TAG = 16
_ALGORITHM = "AES-256-GCM"


class BackupRefused(Exception):
    """A backup or restore that cannot go ahead; nothing was changed. The message says why."""


class RestoreIncomplete(Exception):
    """The data is back but a later step failed; the message says what to do."""


# --- Keys -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class BackupKey:
    """The secret of encrypted backups, and the two keys drawn from it."""

    secret: bytes = field(repr=False)

    def _derive(self, purpose: bytes) -> bytes:
        return HKDF(
            algorithm=hashes.SHA256(), length=32, salt=None, info=b"coop4int-backup/1/" + purpose
        ).derive(self.secret)

    @property
    def encryption(self) -> bytes:
        return self._derive(b"encryption")

    @property
    def authentication(self) -> bytes:
        return self._derive(b"manifest")

    def check_value(self) -> str:
        """Tells a right key from a wrong one without revealing anything of it."""
        return hmac.new(self.authentication, b"key check", hashlib.sha256).hexdigest()


def parse_key(text: str) -> BackupKey:
    try:
        secret = base64.urlsafe_b64decode(text.strip().encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        secret = b""
    if len(secret) != 32:
        raise BackupRefused(
            "The backup key is not a key: it must be 32 random bytes in URL-safe base64 "
            "(make one with: python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())')."
        )
    return BackupKey(secret)


def load_key(key_file: str | Path | None = None) -> BackupKey | None:
    """The key from ``key_file``, else from the file ``BACKUP_KEY_FILE``, else from the
    variable ``BACKUP_KEY``; None when none is given."""
    path = key_file or settings.BACKUP_KEY_FILE
    if path:
        try:
            return parse_key(Path(path).read_text(encoding="ascii"))
        except OSError as error:
            raise BackupRefused(f"Cannot read the key file {path}: {error.strerror}.") from None
        except UnicodeDecodeError:
            raise BackupRefused(f"The key file {path} does not hold a backup key.") from None
    if settings.BACKUP_KEY:
        return parse_key(settings.BACKUP_KEY)
    return None


# --- The manifest ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Member:
    """One file of the backup directory: where, and its content's size and SHA-256."""

    path: str
    size: int
    sha256: str


@dataclass(frozen=True)
class StoredFile:
    """One file of the storage: its name there, and the member that holds it."""

    name: str
    member: Member


@dataclass(frozen=True)
class Manifest:
    backup_id: str
    created_at: datetime
    platform_version: str
    vendor: str
    migrations: dict[str, str]
    database: Member
    files: tuple[StoredFile, ...]
    encryption: dict[str, Any] | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "format_version": FORMAT_VERSION,
            "backup_id": self.backup_id,
            "created_at": self.created_at.isoformat(),
            "platform_version": self.platform_version,
            "database": {"vendor": self.vendor, **_member_json(self.database)},
            "migrations": dict(sorted(self.migrations.items())),
            "files": [{"name": f.name, **_member_json(f.member)} for f in self.files],
            "encryption": self.encryption,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Manifest":
        created_at = datetime.fromisoformat(data["created_at"])
        if created_at.tzinfo is None:
            raise ValueError("created_at has no time zone")
        database = data["database"]
        encryption = data["encryption"]
        if encryption is not None and not isinstance(encryption, dict):
            raise ValueError("encryption")
        migrations = data["migrations"]
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in migrations.items()):
            raise ValueError("migrations")
        return cls(
            backup_id=str(data["backup_id"]),
            created_at=created_at,
            platform_version=str(data["platform_version"]),
            vendor=str(database["vendor"]),
            migrations=dict(migrations),
            database=_member(database),
            files=tuple(StoredFile(name=str(f["name"]), member=_member(f)) for f in data["files"]),
            encryption=encryption,
        )


def _member_json(member: Member) -> dict[str, Any]:
    return {"path": member.path, "size": member.size, "sha256": member.sha256}


def _member(data: dict[str, Any]) -> Member:
    path = str(data["path"])
    # A manifest only ever names members inside its own directory.
    if path.startswith(("/", "\\")) or ".." in Path(path).parts:
        raise ValueError(f"member outside the backup: {path}")
    return Member(path=path, size=int(data["size"]), sha256=str(data["sha256"]))


def _manifest_mac(key: BackupKey, data: dict[str, Any]) -> str:
    unsigned = {name: value for name, value in data.items() if name != "mac"}
    canonical = json.dumps(unsigned, sort_keys=True, separators=(",", ":")).encode()
    return hmac.new(key.authentication, canonical, hashlib.sha256).hexdigest()


def read_manifest(directory: Path, key: BackupKey | None) -> Manifest:
    """The backup's manifest, verified with ``key`` when the backup is encrypted."""
    path = directory / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BackupRefused(
            f"{directory} is not a backup, or an unfinished one: it has no {MANIFEST}."
        ) from None
    except (OSError, ValueError) as error:
        raise BackupRefused(f"Cannot read {path}: {error}.") from None
    if not isinstance(data, dict) or "format_version" not in data:
        raise BackupRefused(f"{path} is not a backup manifest.")
    if data["format_version"] != FORMAT_VERSION:
        raise BackupRefused(
            f"{path} is of backup format {data['format_version']!r}; this version of the "
            f"platform reads format {FORMAT_VERSION} only."
        )
    try:
        manifest = Manifest.from_json(data)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise BackupRefused(f"{path} is not a valid backup manifest ({error}).") from None
    if manifest.encryption is not None:
        if manifest.encryption.get("algorithm") != _ALGORITHM:
            raise BackupRefused(f"{path} names an unknown encryption.")
        if key is None:
            raise BackupRefused(
                "This backup is encrypted: give its key (--key-file, or the environment "
                "variable BACKUP_KEY_FILE or BACKUP_KEY)."
            )
        if not hmac.compare_digest(str(manifest.encryption.get("key_check")), key.check_value()):
            raise BackupRefused("Wrong key: this backup was encrypted with another key.")
        if not hmac.compare_digest(str(data.get("mac")), _manifest_mac(key, data)):
            raise BackupRefused(f"{path} was altered after the backup was made.")
    return manifest


# --- Members: plain or sealed ---------------------------------------------------------------


@dataclass
class _Writer:
    """Writes one member, hashing its content and sealing it when there is a key."""

    path: Path
    member: str
    key: BackupKey | None
    backup_id: str
    _out: IO[bytes] | None = None
    _digest: Any = None
    _size: int = 0
    _pending: bytearray = field(default_factory=bytearray)
    _index: int = 0
    _prefix: bytes = b""
    _cipher: AESGCM | None = None

    def __enter__(self) -> "_Writer":
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        # Readable by the platform's user alone, like the database it copies.
        descriptor = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        self._out = os.fdopen(descriptor, "wb")
        self._digest = hashlib.sha256()
        if self.key is not None:
            self._cipher = AESGCM(self.key.encryption)
            self._prefix = os.urandom(_NONCE_PREFIX)
            self._out.write(_MAGIC + self._prefix)
        return self

    def write(self, data: bytes) -> None:
        assert self._out is not None
        self._digest.update(data)
        self._size += len(data)
        if self._cipher is None:
            self._out.write(data)
            return
        self._pending += data
        # Keep at least one byte back: the last chunk is sealed as the last.
        while len(self._pending) > CHUNK_SIZE:
            self._seal(bytes(self._pending[:CHUNK_SIZE]), final=False)
            del self._pending[:CHUNK_SIZE]

    def _seal(self, chunk: bytes, *, final: bool) -> None:
        assert self._out is not None
        assert self._cipher is not None
        nonce = self._prefix + self._index.to_bytes(4, "big")
        ad = _associated_data(self.backup_id, self.member, self._index, final)
        self._out.write(self._cipher.encrypt(nonce, chunk, ad))
        self._index += 1

    def finish(self) -> Member:
        assert self._out is not None
        if self._cipher is not None:
            self._seal(bytes(self._pending), final=True)
            self._pending.clear()
        self._out.flush()
        os.fsync(self._out.fileno())
        return Member(path=self.member, size=self._size, sha256=self._digest.hexdigest())

    def __exit__(self, *exc: object) -> None:
        if self._out is not None:
            self._out.close()


def _associated_data(backup_id: str, member: str, index: int, final: bool) -> bytes:
    return f"coop4int-backup\0{backup_id}\0{member}\0{index}\0{int(final)}".encode()


def _read_member(
    directory: Path, manifest: Manifest, member: Member, key: BackupKey | None
) -> Iterator[bytes]:
    """The content of ``member``, opened (and checked chunk by chunk) when sealed."""
    path = directory / member.path
    try:
        stream = open(path, "rb")  # noqa: SIM115 — closed below
    except FileNotFoundError:
        raise BackupRefused(f"The backup is incomplete: {member.path} is missing.") from None
    with stream:
        if manifest.encryption is None:
            while chunk := stream.read(CHUNK_SIZE):
                yield chunk
            return
        assert key is not None
        if stream.read(len(_MAGIC)) != _MAGIC:
            raise BackupRefused(f"{member.path} is damaged or was altered (not encrypted).")
        prefix = stream.read(_NONCE_PREFIX)
        cipher = AESGCM(key.encryption)
        index = 0
        sealed = stream.read(CHUNK_SIZE + _TAG)
        while True:
            following = stream.read(CHUNK_SIZE + _TAG)
            final = not following
            ad = _associated_data(manifest.backup_id, member.path, index, final)
            try:
                yield cipher.decrypt(prefix + index.to_bytes(4, "big"), sealed, ad)
            except (InvalidTag, ValueError):
                raise BackupRefused(
                    f"{member.path} is damaged or was altered (it does not decrypt)."
                ) from None
            if final:
                return
            sealed = following
            index += 1


def _verify_member(
    directory: Path, manifest: Manifest, member: Member, key: BackupKey | None
) -> None:
    digest = hashlib.sha256()
    size = 0
    for chunk in _read_member(directory, manifest, member, key):
        digest.update(chunk)
        size += len(chunk)
    if size != member.size or not hmac.compare_digest(digest.hexdigest(), member.sha256):
        raise BackupRefused(
            f"{member.path} does not match the manifest (size or SHA-256): the backup is "
            "damaged, cut short or was altered."
        )


# --- Storage --------------------------------------------------------------------------------


def stored_names(storage: Storage, path: str = "") -> list[str]:
    """Every file name in ``storage``, through its own listing (local disk and S3 alike)."""
    try:
        directories, files = storage.listdir(path)
    except FileNotFoundError:
        return []
    names = [posixpath.join(path, name) for name in files]
    for directory in directories:
        names += stored_names(storage, posixpath.join(path, directory))
    return sorted(names)


def _chunks(stream: IO[bytes]) -> Iterator[bytes]:
    while chunk := stream.read(CHUNK_SIZE):
        yield chunk


def _storage_digest(storage: Storage, name: str) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    with storage.open(name, "rb") as stream:
        for chunk in _chunks(stream):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


# --- The database ---------------------------------------------------------------------------


def _sqlite_path(connection: BaseDatabaseWrapper) -> Path:
    name = str(connection.settings_dict["NAME"])
    if name in ("", ":memory:") or "mode=memory" in name:
        raise BackupRefused("An in-memory SQLite database cannot be backed up or restored.")
    return Path(name)


def _sqlite_snapshot(connection: BaseDatabaseWrapper, out: Path) -> None:
    """A consistent copy of the live database, taken by SQLite while others keep writing."""
    path = _sqlite_path(connection)
    if not path.exists():
        raise BackupRefused(f"There is no database at {path}.")
    source = sqlite3.connect(path, timeout=20)
    target = sqlite3.connect(out)
    try:
        # One step (pages=-1) reads one snapshot; in WAL mode writers are not held up by it.
        source.backup(target)
    finally:
        target.close()
        source.close()


def _pg_environment(connection: BaseDatabaseWrapper) -> dict[str, str]:
    """libpq's variables for ``pg_dump``/``pg_restore``: the password never reaches argv."""
    settings_dict = connection.settings_dict
    environment = dict(os.environ)
    for variable, value in (
        ("PGHOST", settings_dict.get("HOST")),
        ("PGPORT", settings_dict.get("PORT")),
        ("PGUSER", settings_dict.get("USER")),
        ("PGPASSWORD", settings_dict.get("PASSWORD")),
        ("PGDATABASE", settings_dict.get("NAME")),
    ):
        if value:
            environment[variable] = str(value)
    options = settings_dict.get("OPTIONS") or {}
    for option, variable in (
        ("sslmode", "PGSSLMODE"),
        ("sslrootcert", "PGSSLROOTCERT"),
        ("sslcert", "PGSSLCERT"),
        ("sslkey", "PGSSLKEY"),
        ("service", "PGSERVICE"),
        ("passfile", "PGPASSFILE"),
    ):
        if options.get(option):
            environment[variable] = str(options[option])
    return environment


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupRefused(
            f"{name} was not found: install PostgreSQL's client programs "
            "(Debian: postgresql-client-15, or the server's major version)."
        )
    return path


def _pg_dump(connection: BaseDatabaseWrapper, write: Callable[[bytes], None]) -> None:
    command = [_pg_tool("pg_dump"), "--format=custom", "--no-password"]
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(  # noqa: S603 — a fixed program and fixed arguments
            command, stdout=subprocess.PIPE, stderr=errors, env=_pg_environment(connection)
        )
        assert process.stdout is not None
        with process.stdout:
            for chunk in _chunks(process.stdout):
                write(chunk)
        if process.wait() != 0:
            errors.seek(0)
            message = errors.read().decode(errors="replace").strip()
            raise BackupRefused(f"pg_dump failed: {message}")


def _run_fed(
    command: list[str], connection: BaseDatabaseWrapper, chunks: Iterable[bytes], output: IO[bytes]
) -> None:
    """Run ``command`` with ``chunks`` on its standard input and its output in ``output``
    (a file, never a pipe: a full pipe would stall it while we are still writing)."""
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(  # noqa: S603 — a fixed program and fixed arguments
            command, stdin=subprocess.PIPE, stdout=output, stderr=errors,
            env=_pg_environment(connection),
        )  # fmt: skip
        assert process.stdin is not None
        try:
            with process.stdin:
                for chunk in chunks:
                    process.stdin.write(chunk)
        except BrokenPipeError:
            pass  # it stopped reading; its exit status and message say why
        except BaseException:
            process.kill()
            process.wait()
            raise
        if process.wait() != 0:
            errors.seek(0)
            message = errors.read().decode(errors="replace").strip()
            raise BackupRefused(f"{Path(command[0]).name} failed: {message}")


def _pg_restore(connection: BaseDatabaseWrapper, dump: Callable[[], Iterable[bytes]]) -> None:
    """Restore the dump that ``dump()`` reads (twice: its table of contents, then all)."""
    pg_restore = _pg_tool("pg_restore")
    with tempfile.NamedTemporaryFile(suffix=".list") as contents:
        _run_fed([pg_restore, "--list"], connection, dump(), contents)
        contents.seek(0)
        # Extensions belong to whoever created them (rum: a superuser, beforehand, when the
        # platform's role may not): commenting on one would fail for anyone else.
        kept = [
            line
            for line in contents.read().splitlines(keepends=True)
            if b" COMMENT - EXTENSION " not in line
        ]
        contents.seek(0)
        contents.truncate()
        contents.write(b"".join(kept))
        contents.flush()
        command = [
            pg_restore,
            "--no-password",
            # The restoring role owns what it restores: the backup's roles may not exist here.
            "--no-owner",
            "--no-privileges",
            # All or nothing: a failure leaves the database as empty as it was.
            "--single-transaction",
            "--exit-on-error",
            f"--use-list={contents.name}",
            f"--dbname={connection.settings_dict['NAME']}",
        ]
        with open(os.devnull, "wb") as nowhere:
            _run_fed(command, connection, dump(), nowhere)


def _restore_sqlite(connection: BaseDatabaseWrapper, chunks: Iterable[bytes]) -> None:
    target = _sqlite_path(connection)
    connection.close()
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".restore-") as staging:
        staged = Path(staging) / "database.sqlite3"
        with open(staged, "wb") as out:
            for chunk in chunks:
                out.write(chunk)
        source = sqlite3.connect(staged)
        try:
            verdict = source.execute("PRAGMA integrity_check").fetchone()
            if verdict != ("ok",):
                raise BackupRefused(f"The database in the backup is damaged: {verdict[0]}.")
            destination = sqlite3.connect(target, timeout=20)
            try:
                # Through SQLite rather than a file copy: one write transaction, so the target
                # is either empty or whole, and its write-ahead log stays consistent.
                source.backup(destination)
            finally:
                destination.close()
        finally:
            source.close()


def latest_migrations(connection: BaseDatabaseWrapper) -> dict[str, str]:
    """The latest applied migration of each app (migration names are numbered)."""
    latest: dict[str, str] = {}
    for app, name in MigrationRecorder(connection).applied_migrations():
        if name > latest.get(app, ""):
            latest[app] = name
    return latest


def _has_tables(connection: BaseDatabaseWrapper) -> bool:
    with connection.cursor() as cursor:
        return bool(connection.introspection.table_names(cursor))


# --- Backup ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class BackupResult:
    manifest: Manifest
    directory: Path
    missing: tuple[str, ...] = ()


def platform_version() -> str:
    try:
        return metadata.version("coop4int")
    except metadata.PackageNotFoundError:
        return "unknown"


def make_backup(
    directory: Path,
    *,
    key: BackupKey | None = None,
    storage: Storage | None = None,
    now: datetime | None = None,
) -> BackupResult:
    """Write a backup of the default database and of ``storage`` (the default storage) into
    ``directory``, which must not exist or be empty. Side effect: one audit entry,
    ``core.backup.created``, in the live database."""
    storage = storage if storage is not None else default_storage
    connection = connections[DEFAULT_DB_ALIAS]
    vendor = connection.vendor
    if vendor not in DATABASE_MEMBERS:
        raise BackupRefused(f"Backups of a {vendor} database are not supported.")
    directory = Path(directory)
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise BackupRefused(f"{directory} is not an empty directory: a backup never overwrites.")
    created = not directory.exists()
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        result = _write_backup(directory, key=key, storage=storage, now=now, vendor=vendor)
    except BaseException:
        if created:
            shutil.rmtree(directory, ignore_errors=True)
        else:
            for child in directory.iterdir():
                if child.is_dir():
                    shutil.rmtree(child)
                else:
                    child.unlink()
        raise
    audit.record(
        action="core.backup.created",
        actor=None,
        data={
            "backup_id": result.manifest.backup_id,
            "vendor": vendor,
            "files": len(result.manifest.files),
            "encrypted": key is not None,
        },
    )
    return result


def _write_backup(
    directory: Path, *, key: BackupKey | None, storage: Storage, now: datetime | None, vendor: str
) -> BackupResult:
    connection = connections[DEFAULT_DB_ALIAS]
    backup_id = uuid.uuid4().hex
    # Taken before the database is copied: erasures from this moment on are replayed.
    created_at = now or timezone.now()
    migrations = latest_migrations(connection)

    database_member = DATABASE_MEMBERS[vendor]
    with _Writer(directory / database_member, database_member, key, backup_id) as writer:
        if vendor == "sqlite":
            snapshot_dir = _sqlite_path(connection).parent
            with tempfile.TemporaryDirectory(dir=snapshot_dir, prefix=".backup-") as staging:
                snapshot = Path(staging) / "snapshot.sqlite3"
                _sqlite_snapshot(connection, snapshot)
                with open(snapshot, "rb") as copied:
                    for chunk in _chunks(copied):
                        writer.write(chunk)
        else:
            _pg_dump(connection, writer.write)
        database = writer.finish()

    files: list[StoredFile] = []
    missing: list[str] = []
    for name in stored_names(storage):
        member_path = f"{FILES_DIR}/{len(files) + 1:06d}"
        try:
            stream = storage.open(name, "rb")
        except FileNotFoundError:
            missing.append(name)  # deleted since it was listed
            continue
        with stream, _Writer(directory / member_path, member_path, key, backup_id) as writer:
            for chunk in _chunks(stream):
                writer.write(chunk)
            files.append(StoredFile(name=name, member=writer.finish()))

    manifest = Manifest(
        backup_id=backup_id,
        created_at=created_at,
        platform_version=platform_version(),
        vendor=vendor,
        migrations=migrations,
        database=database,
        files=tuple(files),
        encryption=(
            None
            if key is None
            else {"algorithm": _ALGORITHM, "chunk_size": CHUNK_SIZE, "key_check": key.check_value()}
        ),
    )
    data = manifest.as_json()
    if key is not None:
        data["mac"] = _manifest_mac(key, data)
    partial = directory / f"{MANIFEST}.partial"
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as out:
        json.dump(data, out, indent=2, ensure_ascii=False)
        out.write("\n")
        out.flush()
        os.fsync(out.fileno())
    partial.rename(directory / MANIFEST)
    _fsync_directory(directory)
    return BackupResult(manifest=manifest, directory=directory, missing=tuple(missing))


def _fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# --- Restore --------------------------------------------------------------------------------


def _check_migrations(manifest: Manifest) -> None:
    loader = MigrationLoader(None, load=False)
    loader.load_disk()  # the migrations in the code, without checking their graph
    known = loader.disk_migrations
    newer = sorted(
        f"{app}.{name}" for app, name in manifest.migrations.items() if (app, name) not in known
    )
    if newer:
        raise BackupRefused(
            "This backup was made by a newer version of the platform (platform "
            f"{manifest.platform_version}): these migrations are not in this code: "
            f"{', '.join(newer)}. Restore it with that version or a later one."
        )


def _check_storage(directory: Path, manifest: Manifest, storage: Storage) -> list[StoredFile]:
    """The files still to put back; refuses when the storage holds a different file under
    one of their names."""
    to_restore = []
    for stored in manifest.files:
        if not storage.exists(stored.name):
            to_restore.append(stored)
            continue
        if _storage_digest(storage, stored.name) != (stored.member.size, stored.member.sha256):
            raise BackupRefused(
                f"The file storage is not empty: it holds another file named {stored.name}."
            )
    return to_restore


def check_restorable(
    directory: Path, *, key: BackupKey | None, storage: Storage | None = None
) -> tuple[Manifest, list[StoredFile]]:
    """Every check a restore makes before it changes anything; the manifest and the files to
    put back."""
    storage = storage if storage is not None else default_storage
    directory = Path(directory)
    manifest = read_manifest(directory, key)
    connection = connections[DEFAULT_DB_ALIAS]
    if manifest.vendor != connection.vendor:
        raise BackupRefused(
            f"This is a backup of a {manifest.vendor} database; the database configured here "
            f"is {connection.vendor}."
        )
    if manifest.database.path != DATABASE_MEMBERS.get(manifest.vendor):
        raise BackupRefused(f"{MANIFEST} names an unexpected database member.")
    _check_migrations(manifest)
    if REPLAY_COMMAND not in management.get_commands():
        raise BackupRefused(
            f"The command {REPLAY_COMMAND} is not installed, so the erasures made since this "
            "backup could not be replayed: restoring would bring back people who asked to be "
            "erased."
        )
    if _has_tables(connection):
        raise BackupRefused(
            f"The database {connection.settings_dict['NAME']} is not empty: restore only into "
            "a new, empty database (never migrated)."
        )
    to_restore = _check_storage(directory, manifest, storage)
    for member in (manifest.database, *(stored.member for stored in manifest.files)):
        _verify_member(directory, manifest, member, key)
    return manifest, to_restore


@dataclass(frozen=True)
class RestoreResult:
    manifest: Manifest
    files_restored: int
    replayed_since: datetime
    # No journal here (a new machine?): nothing could be replayed from it.
    journal_missing: bool


def restore_backup(
    directory: Path, *, key: BackupKey | None = None, storage: Storage | None = None
) -> RestoreResult:
    """Restore the backup in ``directory`` into the default database (empty) and ``storage``
    (the default storage), migrate it to this code, and replay the erasures journalled since
    the backup. Refusals (``BackupRefused``) change nothing. Side effects: the files, the
    database, one audit entry ``core.backup.restored`` in the restored database, and whatever
    ``replay_erasures`` erases."""
    storage = storage if storage is not None else default_storage
    directory = Path(directory)
    manifest, to_restore = check_restorable(directory, key=key, storage=storage)
    connection = connections[DEFAULT_DB_ALIAS]

    # Files first: if the database step fails, a second try finds the files identical and
    # goes on; the database is restored in one transaction, so it is empty or whole.
    for stored in to_restore:
        chunks = _read_member(directory, manifest, stored.member, key)
        content = File(io.BufferedReader(_ChunkReader(chunks)), name=stored.name)
        saved = storage.save(stored.name, content)
        if saved != stored.name:
            raise RestoreIncomplete(
                f"The storage saved {stored.name} as {saved}: empty the database and the "
                "storage, then restore again."
            )

    def dump() -> Iterator[bytes]:
        return _read_member(directory, manifest, manifest.database, key)

    try:
        if manifest.vendor == "sqlite":
            _restore_sqlite(connection, dump())
        else:
            _pg_restore(connection, dump)
    except BackupRefused as refusal:
        raise RestoreIncomplete(
            f"{refusal} The database is still empty; the files were put back. Restore again "
            "once the cause is fixed: files already there are accepted when identical."
        ) from None
    connection.close()

    since = manifest.created_at - REPLAY_MARGIN
    try:
        management.call_command("migrate", interactive=False, verbosity=0)
        audit.record(
            action="core.backup.restored",
            actor=None,
            data={
                "backup_id": manifest.backup_id,
                "created_at": manifest.created_at.isoformat(),
                "files": len(manifest.files),
            },
        )
        management.call_command(REPLAY_COMMAND, since=since)
    except Exception as error:
        raise RestoreIncomplete(
            f"The backup was restored, but the step after it failed ({error}). Do not start "
            f"the platform: run `coop4int migrate`, then `coop4int {REPLAY_COMMAND} --since "
            f"{since.isoformat()}`, until both succeed."
        ) from error
    return RestoreResult(
        manifest=manifest,
        files_restored=len(to_restore),
        replayed_since=since,
        journal_missing=not journal_path().exists(),
    )


class _ChunkReader(io.RawIOBase):
    """A read-only, unseekable file over an iterator of chunks, for ``Storage.save`` (which
    copies in chunks, so no file is held whole in memory)."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._chunks = iter(chunks)
        self._buffer = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._buffer:
            try:
                self._buffer = next(self._chunks)
            except StopIteration:
                return 0
        size = min(len(buffer), len(self._buffer))
        buffer[:size] = self._buffer[:size]
        self._buffer = self._buffer[size:]
        return size
