"""Backup and restore of a whole platform: the database, the stored files and
the signing keys.

An archive is a gzip-compressed tar holding, in this order:

- ``database.sqlite3`` (an SQLite online-backup copy) or ``database.pgdump``
  (``pg_dump --format=custom``),
- ``files/<name>`` for every file in Django's default storage,
- ``keys/secret_key`` (the data folder's secret key, when the platform's
  ``SECRET_KEY`` comes from that file) and ``keys/pki/<name>`` for every file
  of the data folder's ``pki`` folder: the PKCS#12 files of signing keys,
  whose passphrases derive from ``SECRET_KEY``. Without both, a restored
  platform could not sign; with both, the archive is as secret as the keys.
- ``manifest.json``: format version, creation time, tinhso version, database
  vendor, applied migrations, a check value of ``SECRET_KEY`` (to tell at
  restore whether the key in use is the one the signing keys need) and the
  size and SHA-256 of every member.

The manifest comes last because a member's checksum is known only once it has
been streamed into the archive; reading the files twice to put it first would
double the I/O of a backup taken while the platform runs.

A restore goes only into an empty database and an empty files folder, and it
checks every member against the manifest before it changes anything.
"""

import hashlib
import hmac
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
import uuid
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path, PurePosixPath
from typing import IO, Any, cast

from django.conf import settings
from django.core.files.base import File
from django.core.files.storage import FileSystemStorage, Storage, default_storage
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.backends.postgresql.client import DatabaseClient
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

from tinhso.core import audit
from tinhso.core.models import AuditEntry
from tinhso.core.search import TABLE_PREFIX as SEARCH_TABLE_PREFIX

# 2: keys/ members and secret_key_check (1 is still read).
FORMAT_VERSION = 2
MANIFEST_NAME = "manifest.json"
FILES_PREFIX = "files/"
KEYS_PREFIX = "keys/"
# In the data folder: the secret key file (conf/env.py) and the folders of
# key files whose passphrases derive from SECRET_KEY (pki/keystore.py).
SECRET_KEY_FILE = "secret_key"  # noqa: S105 - a file name, not a secret
KEY_FOLDERS = ("pki",)
DATABASE_MEMBERS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
VENDOR_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
# Top-level storage folders that hold no platform data (readiness probes).
SKIPPED_FOLDERS = frozenset({"readyz"})
# Tables that `migrate` fills by itself: rows there do not make a target "used".
DERIVED_TABLES = frozenset(
    {"django_migrations", "django_content_type", "auth_permission"}
)
# Already-compressed PDFs and images dominate the files; level 1 keeps a backup
# of a running platform CPU-light while still shrinking the database well.
COMPRESS_LEVEL = 1
_CHUNK = 1024 * 1024

Progress = Callable[[str], None]


class BackupError(Exception):
    """A backup or restore that cannot go on; the message is one sentence."""


@dataclass(frozen=True)
class Member:
    name: str
    size: int
    sha256: str


@dataclass(frozen=True)
class Manifest:
    format_version: int
    created_at: str
    tinhso_version: str
    database_vendor: str
    migrations: dict[str, list[str]]
    members: tuple[Member, ...]
    secret_key_check: str = ""

    @property
    def database(self) -> Member:
        name = DATABASE_MEMBERS[self.database_vendor]
        return next(m for m in self.members if m.name == name)

    @property
    def files(self) -> list[Member]:
        return [m for m in self.members if m.name.startswith(FILES_PREFIX)]

    @property
    def keys(self) -> list[Member]:
        """Key files of the data folder, the secret key among them if kept."""
        return [m for m in self.members if m.name.startswith(KEYS_PREFIX)]

    @property
    def has_secret_key(self) -> bool:
        return any(m.name == KEYS_PREFIX + SECRET_KEY_FILE for m in self.members)

    @property
    def migration_count(self) -> int:
        return sum(len(names) for names in self.migrations.values())

    def to_json(self) -> bytes:
        data = {
            "format_version": self.format_version,
            "created_at": self.created_at,
            "tinhso_version": self.tinhso_version,
            "database_vendor": self.database_vendor,
            "migrations": self.migrations,
            "secret_key_check": self.secret_key_check,
            "members": [
                {"name": m.name, "size": m.size, "sha256": m.sha256}
                for m in self.members
            ],
        }
        return json.dumps(data, indent=1, ensure_ascii=False).encode() + b"\n"

    @classmethod
    def from_json(cls, raw: bytes) -> "Manifest":
        try:
            data = json.loads(raw)
            manifest = cls(
                format_version=int(data["format_version"]),
                created_at=str(data["created_at"]),
                tinhso_version=str(data["tinhso_version"]),
                database_vendor=str(data["database_vendor"]),
                migrations={
                    str(app): [str(n) for n in names]
                    for app, names in data["migrations"].items()
                },
                members=tuple(
                    Member(str(m["name"]), int(m["size"]), str(m["sha256"]))
                    for m in data["members"]
                ),
                secret_key_check=str(data.get("secret_key_check", "")),
            )
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            raise BackupError(
                f"The archive's {MANIFEST_NAME} is not valid ({type(exc).__name__}: {exc})."
            ) from None
        if manifest.format_version > FORMAT_VERSION:
            raise BackupError(
                f"The archive has format version {manifest.format_version}, newer than "
                f"this tinhso reads ({FORMAT_VERSION}); upgrade tinhso to "
                f"{manifest.tinhso_version} or later to restore it."
            )
        if manifest.database_vendor not in DATABASE_MEMBERS:
            raise BackupError(
                f"The archive holds a {manifest.database_vendor!r} database, which "
                "tinhso cannot restore."
            )
        return manifest


@dataclass(frozen=True)
class Restored:
    manifest: Manifest
    pending_migrations: list[str] = field(default_factory=list)
    audit_rows: int | None = None
    audit_problem: str | None = None


def human_size(size: float) -> str:
    """Bytes in binary units, e.g. ``1.4 MB``, for operator messages."""
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if size < 1024 or unit == "TB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    raise AssertionError("unreachable")


def seconds(elapsed: float) -> str:
    """A duration for operator messages: ``0.04 s``, ``12.3 s``."""
    return f"{elapsed:.2f} s" if elapsed < 1 else f"{elapsed:.1f} s"


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}" + ("" if count == 1 else "s")


def _silent(message: str) -> None:
    pass


class _Hashing:
    """A reader that hashes and counts the bytes read through it."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.digest = hashlib.sha256()
        self.size = 0

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.digest.update(data)
        self.size += len(data)
        return data

    def drain(self) -> None:
        while self.read(_CHUNK):
            pass

    def matches(self, member: Member) -> bool:
        return self.size == member.size and self.digest.hexdigest() == member.sha256


def _tinhso_version() -> str:
    try:
        return metadata.version("tinhso")
    except metadata.PackageNotFoundError:
        return "unknown"


def _database_settings() -> dict[str, Any]:
    return connections[DEFAULT_DB_ALIAS].settings_dict


def _vendor() -> str:
    vendor = connections[DEFAULT_DB_ALIAS].vendor
    if vendor not in DATABASE_MEMBERS:
        raise BackupError(
            f"Backup and restore support SQLite and PostgreSQL, not {vendor}."
        )
    return vendor


def _describe_database(vendor: str) -> str:
    db = _database_settings()
    if vendor == "sqlite":
        return f"SQLite database {db['NAME']}"
    host = db.get("HOST") or "local socket"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"PostgreSQL database {db['NAME']} on {host}{port}"


def _describe_storage(storage: Storage) -> str:
    if isinstance(storage, FileSystemStorage):
        return f"files folder {storage.location}"
    return f"file storage {type(storage).__name__}"


def _walk(storage: Storage, folder: str = "") -> Iterator[str]:
    """Every file name in ``storage``, sorted, without the probe folders."""
    try:
        dirs, names = storage.listdir(folder)
    except FileNotFoundError:
        return
    prefix = f"{folder}/" if folder else ""
    for name in sorted(names):
        yield prefix + name
    for sub in sorted(dirs):
        if not folder and sub in SKIPPED_FOLDERS:
            continue
        yield from _walk(storage, prefix + sub)


def _migrations_from_rows(rows: list[tuple[str, str]]) -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app, name in rows:
        applied.setdefault(app, []).append(name)
    return applied


# --- PostgreSQL client tools -------------------------------------------------


def _pg_tool(name: str, purpose: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} was not found on PATH; install the PostgreSQL client tools "
            f"(the server's major version or newer) to {purpose}."
        )
    return path


def _pg_arguments(db: dict[str, Any]) -> list[str]:
    args = ["--no-password"]
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    return [*args, "--dbname", str(db["NAME"])]


def _pg_environment(db: dict[str, Any]) -> dict[str, str]:
    # Django's psql mapping carries password, service and TLS options in the
    # environment, so the password never shows in the process list.
    _, extra = DatabaseClient.settings_to_cmd_args_env(db, [])
    return {**os.environ, **(extra or {})}


def _run_pg_tool(command: list[str], db: dict[str, Any]) -> str | None:
    """Run a client tool; return its last error line when it fails."""
    result = subprocess.run(  # noqa: S603 - fixed tool, argument list
        command,
        env=_pg_environment(db),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode == 0:
        return None
    lines = [line.strip() for line in result.stderr.splitlines() if line.strip()]
    # The first "error:" line names the cause; later ones echo the failed SQL.
    errors = [line for line in lines if "error:" in line.lower()]
    if errors:
        return " ".join(errors[0].split())
    return lines[-1] if lines else f"exit status {result.returncode}"


# --- backup -------------------------------------------------------------------


def create_backup(
    path: str | os.PathLike[str],
    progress: Progress | None = None,
    *,
    overwrite: bool = False,
) -> Manifest:
    """Write one archive of the database and the files at ``path``.

    Safe while the platform runs: the database copy is one consistent
    snapshot, and files are copied after it (they are write-once, so files
    stored meanwhile are only extra). The archive appears under ``path`` only
    when it is complete.
    """
    say = progress or _silent
    target = Path(path).expanduser().resolve()
    if target.is_dir():
        raise BackupError(f"{target} is a folder; give the backup a file name.")
    if not target.parent.is_dir():
        raise BackupError(f"The folder {target.parent} does not exist.")
    if target.exists() and not overwrite:
        raise BackupError(
            f"{target} already exists; choose another name or pass --force to replace it."
        )
    vendor = _vendor()
    partial = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.partial")
    try:
        with tempfile.TemporaryDirectory(
            prefix=".tinhso-backup-", dir=target.parent
        ) as scratch:
            snapshot, migrations = _snapshot_database(vendor, Path(scratch), say)
            # Owner-only: the archive holds password hashes and personal data.
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as raw:
                with tarfile.open(
                    fileobj=raw, mode="w:gz", compresslevel=COMPRESS_LEVEL
                ) as tar:
                    with snapshot.open("rb") as handle:
                        members = [_add_member(tar, DATABASE_MEMBERS[vendor], handle)]
                    snapshot.unlink()
                    members += _add_files(tar, default_storage, say)
                    members += _add_keys(tar, say)
                    manifest = Manifest(
                        format_version=FORMAT_VERSION,
                        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
                        tinhso_version=_tinhso_version(),
                        database_vendor=vendor,
                        migrations=migrations,
                        members=tuple(members),
                        secret_key_check=secret_key_check(settings.SECRET_KEY),
                    )
                    _add_bytes(tar, MANIFEST_NAME, manifest.to_json())
                raw.flush()
                os.fsync(raw.fileno())
        if target.exists() and not overwrite:
            raise BackupError(
                f"{target} appeared while the backup ran; the new archive was discarded."
            )
        os.replace(partial, target)
    except BaseException as exc:
        partial.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise BackupError(f"Writing the backup failed: {exc}.") from exc
        raise
    say(f"Archive written: {target} ({human_size(target.stat().st_size)}).")
    return manifest


def _snapshot_database(
    vendor: str, scratch: Path, say: Progress
) -> tuple[Path, dict[str, list[str]]]:
    if vendor == "sqlite":
        copy, migrations = _snapshot_sqlite(scratch)
    else:
        copy, migrations = _snapshot_postgresql(scratch)
    count = sum(len(names) for names in migrations.values())
    say(
        f"Database: {_describe_database(vendor)}, snapshot of "
        f"{human_size(copy.stat().st_size)} with {_plural(count, 'migration')} applied."
    )
    return copy, migrations


def _snapshot_sqlite(scratch: Path) -> tuple[Path, dict[str, list[str]]]:
    source = Path(_database_settings()["NAME"])
    if not source.is_file():
        raise BackupError(
            f"The SQLite database {source} does not exist; run `tinhso migrate` first."
        )
    copy = scratch / DATABASE_MEMBERS["sqlite"]
    live = sqlite3.connect(source, timeout=30)
    try:
        target = sqlite3.connect(copy)
        try:
            # One step (pages=-1) copies every page inside a single read
            # transaction: one consistent state, while WAL lets other
            # processes keep writing meanwhile.
            live.backup(target)
            try:
                rows = target.execute(
                    "SELECT app, name FROM django_migrations ORDER BY id"
                ).fetchall()
            except sqlite3.OperationalError:
                rows = []
        finally:
            target.close()
    except sqlite3.Error as exc:
        raise BackupError(f"The SQLite snapshot of {source} failed: {exc}.") from None
    finally:
        live.close()
    return copy, _migrations_from_rows(rows)


def _snapshot_postgresql(scratch: Path) -> tuple[Path, dict[str, list[str]]]:
    pg_dump = _pg_tool("pg_dump", "back up a PostgreSQL database")
    connection = connections[DEFAULT_DB_ALIAS]
    db = _database_settings()
    copy = scratch / DATABASE_MEMBERS["postgresql"]
    # The migration list and pg_dump share one exported snapshot, so the
    # manifest describes exactly the schema that was dumped.
    import psycopg  # only here: SQLite-only installs never load it

    try:
        raw: Any = connection.get_new_connection(connection.get_connection_params())
    except psycopg.Error as exc:
        raise BackupError(
            f"The {_describe_database('postgresql')} cannot be opened "
            f"({_first_line(exc)})."
        ) from None
    try:
        raw.autocommit = False
        with raw.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot_id = cursor.fetchone()[0]
            cursor.execute("SELECT to_regclass('django_migrations') IS NOT NULL")
            rows: list[tuple[str, str]] = []
            if cursor.fetchone()[0]:
                cursor.execute("SELECT app, name FROM django_migrations ORDER BY id")
                rows = list(cursor.fetchall())
        error = _run_pg_tool(
            [
                pg_dump,
                "--format=custom",
                # The archive's gzip compresses once; a second pass is wasted CPU.
                "--compress=0",
                f"--snapshot={snapshot_id}",
                f"--file={copy}",
                *_pg_arguments(db),
            ],
            db,
        )
    finally:
        raw.rollback()
        raw.close()
    if error is not None:
        raise BackupError(f"pg_dump failed: {error}")
    return copy, _migrations_from_rows(rows)


def _tar_info(name: str, size: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mtime = int(time.time())
    info.mode = 0o600
    return info


def _add_member(tar: tarfile.TarFile, name: str, handle: IO[bytes]) -> Member:
    size = os.fstat(handle.fileno()).st_size
    reader = _Hashing(handle)
    tar.addfile(_tar_info(name, size), cast("IO[bytes]", reader))
    return Member(name, size, reader.digest.hexdigest())


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    tar.addfile(_tar_info(name, len(data)), io.BytesIO(data))


def _add_files(tar: tarfile.TarFile, storage: Storage, say: Progress) -> list[Member]:
    members: list[Member] = []
    vanished = 0
    for name in _walk(storage):
        try:
            handle = storage.open(name, "rb")
        except FileNotFoundError:
            # Deleted between listing and copying (a failed upload cleaning up).
            vanished += 1
            continue
        with handle:
            size = handle.size
            reader = _Hashing(cast("IO[bytes]", handle))
            tar.addfile(_tar_info(FILES_PREFIX + name, size), cast("IO[bytes]", reader))
        members.append(Member(FILES_PREFIX + name, size, reader.digest.hexdigest()))
    total = sum(m.size for m in members)
    note = f"; {_plural(vanished, 'file')} vanished while copying" if vanished else ""
    say(
        f"Files: {_plural(len(members), 'file')}, {human_size(total)} from "
        f"{_describe_storage(storage)}{note}."
    )
    return members


# --- keys ----------------------------------------------------------------------


def secret_key_check(key: str) -> str:
    """A value telling whether two secret keys are the same, revealing neither."""
    return hmac.new(
        key.encode(), b"tinhso backup: secret key check", hashlib.sha256
    ).hexdigest()


def _data_dir() -> Path:
    return Path(settings.DATA_DIR)


def _secret_key_file() -> Path | None:
    """The data folder's secret key file, if it holds the key in use.

    SECRET_KEY may come from elsewhere (the environment); a file that is
    not the key in use protects nothing and is not worth restoring.
    """
    path = _data_dir() / SECRET_KEY_FILE
    try:
        kept = path.read_text().strip()
    except (OSError, UnicodeDecodeError):
        return None
    return path if kept and kept == settings.SECRET_KEY else None


def _key_files() -> Iterator[tuple[str, Path]]:
    data_dir = _data_dir()
    for folder in KEY_FOLDERS:
        root = data_dir / folder
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*")):
            if path.is_file() and not path.is_symlink():
                yield KEYS_PREFIX + path.relative_to(data_dir).as_posix(), path


def _describe_key_folders() -> str:
    return ", ".join(str(_data_dir() / folder) for folder in KEY_FOLDERS)


def _add_keys(tar: tarfile.TarFile, say: Progress) -> list[Member]:
    secret = _secret_key_file()
    sources = list(_key_files())
    if secret is not None:
        sources.insert(0, (KEYS_PREFIX + SECRET_KEY_FILE, secret))
    members: list[Member] = []
    for name, path in sources:
        try:
            handle = path.open("rb")
        except FileNotFoundError:
            continue  # a key removed with its failed certificate meanwhile
        with handle:
            members.append(_add_member(tar, name, handle))
    keys = sum(1 for m in members if m.name != KEYS_PREFIX + SECRET_KEY_FILE)
    say(
        f"Keys: {_plural(keys, 'file')} from {_describe_key_folders()}"
        + (f", and the secret key from {secret}." if secret is not None else ".")
    )
    if secret is not None and keys:
        say(
            "WARNING: this archive holds the signing keys and the secret key that "
            "unlocks them: whoever has it can sign documents in their owners' "
            "names. Keep it as secret as the keys themselves (encrypted, readable "
            "by its owner only, never on a shared drive)."
        )
    elif secret is not None:
        say(
            "WARNING: this archive holds the platform's secret key; keep it "
            "readable by its owner only."
        )
    elif keys:
        say(
            f"WARNING: SECRET_KEY does not come from {_data_dir() / SECRET_KEY_FILE}, "
            "so this archive does not hold it. The signing keys in the archive "
            "open only with that key: keep it safe, apart from the archive, and "
            "give a restored platform the same SECRET_KEY."
        )
    return members


def _key_destination(name: str) -> Path:
    """Where a ``keys/`` member goes; anything else was not written by backup."""
    relative = name.removeprefix(KEYS_PREFIX)
    parts = PurePosixPath(relative).parts
    plain = all(part not in ("", ".", "..") and "\\" not in part for part in parts)
    if not relative.startswith("/") and plain:
        if relative == SECRET_KEY_FILE:
            return _data_dir() / SECRET_KEY_FILE
        if len(parts) >= 2 and parts[0] in KEY_FOLDERS:
            return _data_dir().joinpath(*parts)
    raise BackupError(
        f"The archive member {name} is not a key file tinhso backs up; the "
        "archive was altered."
    )


# --- verify and restore ------------------------------------------------------


def _open_archive(source: Path) -> tarfile.TarFile:
    try:
        return tarfile.open(source, "r|gz")
    except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:
        raise BackupError(
            f"{source} is not a readable tinhso backup archive ({exc})."
        ) from None


def _source(path: str | os.PathLike[str]) -> Path:
    source = Path(path).expanduser().resolve()
    if not source.is_file():
        raise BackupError(f"The backup archive {source} does not exist.")
    return source


def _archive_vendor(source: Path) -> str:
    """The vendor named by the first member, read without a full pass."""
    with _open_archive(source) as tar:
        try:
            first = tar.next()
        except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:
            raise BackupError(
                f"{source} is not a readable tinhso backup archive ({exc})."
            ) from None
    for vendor, name in DATABASE_MEMBERS.items():
        if first is not None and first.name == name:
            return vendor
    raise BackupError(
        f"{source} is not a tinhso backup archive (it does not start with the database)."
    )


def _refuse_other_vendor(archive_vendor: str) -> None:
    vendor = _vendor()
    if archive_vendor != vendor:
        raise BackupError(
            f"The archive holds a {VENDOR_NAMES[archive_vendor]} database but this "
            f"platform runs on {VENDOR_NAMES[vendor]}; restoring across database "
            "types is not supported."
        )


def verify_archive(
    path: str | os.PathLike[str], progress: Progress | None = None
) -> tuple[Manifest, list[str]]:
    """Check every member against the manifest and that this tinhso can restore it.

    Returns the manifest and the migrations this tinhso has that the archive
    lacks (to apply with ``tinhso migrate`` after a restore). Reads the whole
    archive once; changes nothing.
    """
    say = progress or _silent
    source = _source(path)
    _refuse_other_vendor(_archive_vendor(source))
    seen: dict[str, tuple[int, str]] = {}
    manifest_bytes: bytes | None = None
    current = "the archive header"
    with _open_archive(source) as tar:
        try:
            for info in tar:
                current = info.name
                if not info.isfile():
                    raise BackupError(
                        f"The archive member {info.name} is not a regular file; "
                        "the archive was not made by tinhso backup."
                    )
                handle = tar.extractfile(info)
                assert handle is not None  # regular files always have content
                if info.name == MANIFEST_NAME:
                    manifest_bytes = handle.read()
                    continue
                if info.name in seen:
                    raise BackupError(
                        f"The archive holds {info.name} twice; it was altered."
                    )
                reader = _Hashing(handle)
                reader.drain()
                seen[info.name] = (reader.size, reader.digest.hexdigest())
        except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:
            raise BackupError(
                f"The archive is damaged or incomplete at member {current} ({exc})."
            ) from None
    if manifest_bytes is None:
        # A gzip stream cut short can end at a member boundary, where tar
        # sees a normal end of archive: only the missing manifest tells.
        raise BackupError(
            f"The archive is damaged or incomplete (it ends without its "
            f"{MANIFEST_NAME}), or was not made by tinhso backup."
        )
    manifest = Manifest.from_json(manifest_bytes)
    expected = {m.name: m for m in manifest.members}
    for name, (size, sha256) in seen.items():
        member = expected.get(name)
        if member is None:
            raise BackupError(
                f"The archive member {name} is not listed in the manifest; the "
                "archive was altered."
            )
        if (size, sha256) != (member.size, member.sha256):
            raise BackupError(
                f"The archive member {name} does not match its SHA-256 in the "
                "manifest; the archive is damaged or was altered."
            )
    missing = sorted(expected.keys() - seen.keys())
    if missing:
        raise BackupError(
            f"The archive member {missing[0]} listed in the manifest is missing."
        )
    for member in manifest.keys:
        _key_destination(member.name)
    _refuse_other_vendor(manifest.database_vendor)
    pending = _compare_migrations(manifest, say)
    total = sum(m.size for m in manifest.members)
    say(
        f"Archive checked: {_plural(len(manifest.members), 'member')} "
        f"({human_size(total)}), each matching its SHA-256 in {MANIFEST_NAME}; "
        f"made {manifest.created_at} by "
        f"tinhso {manifest.tinhso_version} on "
        f"{VENDOR_NAMES[manifest.database_vendor]}."
    )
    return manifest, pending


def _compare_migrations(manifest: Manifest, say: Progress) -> list[str]:
    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = set(loader.disk_migrations)
    apps_here = {app for app, _ in known}
    archived = {
        (app, name) for app, names in manifest.migrations.items() for name in names
    }
    newer = sorted(key for key in archived - known if key[0] in apps_here)
    if newer:
        app, name = newer[0]
        raise BackupError(
            f"The archive comes from a newer tinhso (migration {app}.{name} is unknown "
            f"here); upgrade tinhso to {manifest.tinhso_version} or later before "
            "restoring it."
        )
    foreign = sorted({app for app, _ in archived} - apps_here)
    if foreign:
        say(
            f"Note: the archive has tables of apps not installed here "
            f"({', '.join(foreign)}); they are restored but unused."
        )
    return [f"{app}.{name}" for app, name in sorted(known - archived)]


@dataclass(frozen=True)
class _Target:
    tables: list[str]
    applied: set[tuple[str, str]]


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return " ".join(lines[0].split()) if lines else type(exc).__name__


def _inspect_target(vendor: str) -> _Target:
    """Refuse a target that holds data; describe the empty one."""
    tables: list[str] = []
    used: list[str] = []
    applied: set[tuple[str, str]] = set()
    # A missing SQLite file is empty; opening it would create it.
    if vendor != "sqlite" or Path(_database_settings()["NAME"]).exists():
        try:
            tables, used, applied = _read_target()
        except DatabaseError as exc:
            raise BackupError(
                f"The target {_describe_database(vendor)} cannot be read "
                f"({_first_line(exc)}); create it empty and try again."
            ) from None
    if used:
        raise BackupError(
            f"The target {_describe_database(vendor)} already holds data in "
            f"{', '.join(used)}; restore only into an empty database."
        )
    first_file = next(_walk(default_storage), None)
    if first_file is not None:
        raise BackupError(
            f"The target {_describe_storage(default_storage)} is not empty (it holds "
            f"{first_file}); restore only into an empty data folder."
        )
    first_key = next(_key_files(), None)
    if first_key is not None:
        raise BackupError(
            f"The target key folder {first_key[1].parent} is not empty (it holds "
            f"{first_key[1].name}); restore only into an empty data folder."
        )
    return _Target(tables, applied)


def _read_target() -> tuple[list[str], list[str], set[tuple[str, str]]]:
    """The target's tables, those holding rows, and its applied migrations."""
    connection = connections[DEFAULT_DB_ALIAS]
    quote = connection.ops.quote_name
    used: list[str] = []
    with connection.cursor() as cursor:
        tables = sorted(connection.introspection.table_names(cursor))
        for table in tables:
            # FTS tables mirror core_searchentry, which is checked.
            if table in DERIVED_TABLES or table.startswith(
                ("sqlite_", SEARCH_TABLE_PREFIX)
            ):
                continue
            # Capped count: naming a full table must not scan all of it.
            cursor.execute(
                f"SELECT COUNT(*) FROM (SELECT 1 FROM {quote(table)} LIMIT 1001) t"  # noqa: S608
            )
            rows = cursor.fetchone()[0]
            if rows:
                label = "1,000+ rows" if rows > 1000 else _plural(rows, "row")
                used.append(f"{table} ({label})")
    recorder = MigrationRecorder(connection)
    applied = set(recorder.applied_migrations()) if recorder.has_table() else set()
    return tables, used, applied


def restore_backup(
    path: str | os.PathLike[str], progress: Progress | None = None
) -> Restored:
    """Bring an archive back into an empty database and an empty files folder.

    Nothing is changed unless the target is empty and every member of the
    archive matches the manifest. Stop the platform before restoring.
    """
    say = progress or _silent
    source = _source(path)
    vendor = _vendor()
    _refuse_other_vendor(_archive_vendor(source))
    if vendor == "postgresql":
        # Before the long checksum pass, not after it.
        _pg_tool("pg_restore", "restore a PostgreSQL database")
    target = _inspect_target(vendor)
    say(
        f"Target: {_describe_database(vendor)} and "
        f"{_describe_storage(default_storage)} are empty."
    )
    manifest, pending = verify_archive(source, say)
    archived = {
        (app, name) for app, names in manifest.migrations.items() for name in names
    }
    clean = vendor == "postgresql" and bool(target.tables)
    if clean and target.applied != archived:
        raise BackupError(
            f"The target {_describe_database(vendor)} has empty tables of another "
            "schema version; drop and re-create it empty before restoring."
        )
    key_from_file = _secret_key_file() is not None
    with tempfile.TemporaryDirectory(
        prefix=".tinhso-restore-", dir=settings.DATA_DIR
    ) as scratch:
        _restore_members(source, manifest, vendor, Path(scratch), say, clean=clean)
    _say_about_secret_key(manifest, say, key_from_file=key_from_file)
    if pending:
        say(
            f"Schema: the archive is older than this tinhso; run `tinhso migrate` to "
            f"apply {_plural(len(pending), 'migration')}."
        )
        return Restored(manifest, pending)
    problem = audit.verify()
    rows = AuditEntry.objects.count()
    if problem is None:
        say(f"Audit log: {_plural(rows, 'row')}, chain verified.")
    else:
        say(f"Audit log: NOT intact, {problem.reason} (as it was in the archive).")
    return Restored(
        manifest, pending, rows, problem.reason if problem is not None else None
    )


def _say_about_secret_key(
    manifest: Manifest, say: Progress, *, key_from_file: bool
) -> None:
    """Tell whether the restored signing keys will open with the key in use."""
    keys = sum(1 for m in manifest.keys if m.name != KEYS_PREFIX + SECRET_KEY_FILE)
    path = _data_dir() / SECRET_KEY_FILE
    if manifest.has_secret_key:
        if key_from_file:
            say(
                f"Secret key: restored into {path}; start the platform again so "
                "it uses the restored key."
            )
        else:
            say(
                f"WARNING: this platform takes SECRET_KEY from its environment, "
                f"not from {path}: set SECRET_KEY to the backed-up platform's key "
                f"(restored into {path}), or the {_plural(keys, 'signing key file')} "
                "cannot be opened."
            )
        return
    if not keys:
        return
    if manifest.secret_key_check == secret_key_check(settings.SECRET_KEY):
        say(
            "Secret key: the archive holds none, and this platform's SECRET_KEY "
            "is the one the restored signing keys need."
        )
    else:
        say(
            "WARNING: the archive holds no secret key (the backed-up platform "
            "took SECRET_KEY from its environment) and this platform's "
            f"SECRET_KEY is another one: give it the same SECRET_KEY, or the "
            f"{_plural(keys, 'restored signing key file')} cannot be opened."
        )


def _restore_members(
    source: Path,
    manifest: Manifest,
    vendor: str,
    scratch: Path,
    say: Progress,
    *,
    clean: bool,
) -> None:
    expected = {m.name: m for m in manifest.members}
    database_name = DATABASE_MEMBERS[vendor]
    restored = False
    written: list[Member] = []
    keys: list[Member] = []
    try:
        with _open_archive(source) as tar:
            for info in tar:
                if info.name == MANIFEST_NAME:
                    continue
                member = expected.get(info.name)
                handle = tar.extractfile(info)
                if member is None or handle is None:
                    raise BackupError(
                        f"The archive member {info.name} changed since it was checked."
                    )
                if info.name == database_name:
                    _restore_database(handle, member, vendor, scratch, clean=clean)
                    say(f"Database: restored {human_size(member.size)}.")
                    restored = True
                elif info.name.startswith(KEYS_PREFIX):
                    _restore_key(handle, member)
                    keys.append(member)
                else:
                    _restore_file(handle, member)
                    written.append(member)
    except (tarfile.TarError, OSError, EOFError, zlib.error, BackupError) as exc:
        if not restored and isinstance(exc, BackupError):
            raise
        if not restored:
            raise BackupError(
                f"The restore failed before the database was written ({exc})."
            ) from exc
        raise BackupError(
            f"The restore stopped after the database, {_plural(len(written), 'file')} "
            f"and {_plural(len(keys), 'key file')} were written ({exc}); empty the "
            "target database, files folder and key folder before trying again."
        ) from None
    say(
        f"Files: restored {_plural(len(written), 'file')}, "
        f"{human_size(sum(m.size for m in written))} into "
        f"{_describe_storage(default_storage)}."
    )
    signing_keys = [m for m in keys if m.name != KEYS_PREFIX + SECRET_KEY_FILE]
    if signing_keys:
        say(
            f"Keys: restored {_plural(len(signing_keys), 'file')} into "
            f"{_describe_key_folders()}."
        )


def _copy_checked(
    handle: IO[bytes], member: Member, destination: Path, *, mode: int = 0o666
) -> None:
    reader = _Hashing(handle)
    # O_EXCL: never over another file; ``mode`` from the first byte written.
    fd = os.open(destination, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(fd, "wb") as out:
        while chunk := reader.read(_CHUNK):
            out.write(chunk)
        out.flush()
        os.fsync(out.fileno())
    if not reader.matches(member):
        raise BackupError(
            f"The archive member {member.name} changed since it was checked; "
            "nothing was restored."
        )


def _restore_database(
    handle: IO[bytes], member: Member, vendor: str, scratch: Path, *, clean: bool
) -> None:
    db = _database_settings()
    if vendor == "sqlite":
        live = Path(db["NAME"])
        # Next to the live file, so the final rename is atomic.
        incoming = live.with_name(f".{live.name}.{uuid.uuid4().hex[:8]}.restoring")
        try:
            _copy_checked(handle, member, incoming)
            connections.close_all()
            # A WAL left from the old file would be replayed onto the new one.
            for suffix in ("-wal", "-shm", "-journal"):
                live.with_name(live.name + suffix).unlink(missing_ok=True)
            os.replace(incoming, live)
        finally:
            incoming.unlink(missing_ok=True)
        return
    pg_restore = _pg_tool("pg_restore", "restore a PostgreSQL database")
    dump = scratch / member.name
    _copy_checked(handle, member, dump)
    connections.close_all()
    error = _run_pg_tool(
        [
            pg_restore,
            # One transaction: a failure leaves the database as it was.
            "--single-transaction",
            "--exit-on-error",
            "--no-owner",
            # Grants name roles of the old server that may not exist here.
            "--no-privileges",
            *(["--clean", "--if-exists"] if clean else []),
            *_pg_arguments(db),
            str(dump),
        ],
        db,
    )
    dump.unlink()
    if error is not None:
        raise BackupError(f"pg_restore failed and left the database unchanged: {error}")


def _restore_file(handle: IO[bytes], member: Member) -> None:
    name = member.name.removeprefix(FILES_PREFIX)
    reader = _Hashing(handle)
    saved = default_storage.save(name, File(cast("IO[bytes]", reader)))
    if saved != name or not reader.matches(member):
        default_storage.delete(saved)
        raise BackupError(
            f"The file {name} could not be restored under its own name or changed "
            "since it was checked."
        )


def _restore_key(handle: IO[bytes], member: Member) -> None:
    """A key file, owner-only like the original, into an empty key folder.

    The secret key replaces the one this platform made when it first
    started: the database is empty, so nothing depends on that one yet.
    """
    destination = _key_destination(member.name)
    destination.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if member.name != KEYS_PREFIX + SECRET_KEY_FILE:
        _copy_checked(handle, member, destination, mode=0o600)
        return
    incoming = destination.with_name(
        f".{destination.name}.{uuid.uuid4().hex[:8]}.restoring"
    )
    try:
        _copy_checked(handle, member, incoming, mode=0o600)
        os.replace(incoming, destination)
    finally:
        incoming.unlink(missing_ok=True)
