"""`tinhso backup` and `tinhso restore` on the real databases and real files.

The backup runs in-process against the test database; every restore that
should succeed runs the real CLI in a subprocess against a fresh target (a new
SQLite file, or a throwaway PostgreSQL database) with its own data folder.
"""

import base64
import hashlib
import io
import json
import os
import secrets
import subprocess
import sys
import tarfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

import psycopg
import pytest

from tinhso.core import audit, files
from tinhso.core import services as core
from tinhso.core.backup import (
    DATABASE_MEMBERS,
    MANIFEST_NAME,
    BackupError,
    create_backup,
    verify_archive,
)
from tinhso.core.models import AuditEntry, AuditHead, OrgUnit, OrgUnitKind

pytestmark = pytest.mark.django_db(transaction=True)

# A real 1x1 PNG: files.store sniffs the content before keeping it.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)

# Runs in the restored platform; prints one JSON line with what came back.
CHECK_SCRIPT = """
import hashlib, io, json
from django.core.management import call_command
from tinhso.core import audit, files, selectors
from tinhso.core.models import AuditEntry, AuditHead, OrgUnit, StoredFile
call_command("migrate", check_unapplied=True, verbosity=0)
out = io.StringIO()
call_command("audit", "verify", stdout=out)
print(json.dumps({
    "units": sorted([u.code, u.name] for u in OrgUnit.objects.all()),
    "found": [u.code for u in selectors.search_orgunits("xa dong tam")],
    "files": {
        f.storage_name: hashlib.sha256(files.open_file(f).read()).hexdigest()
        for f in StoredFile.objects.all()
    },
    "audit_rows": AuditEntry.objects.count(),
    "audit_head": AuditHead.objects.get(id=1).entry_hash,
    "audit_ok": audit.verify() is None,
    "audit_command": out.getvalue().strip(),
}))
"""


@dataclass(frozen=True)
class Target:
    """An empty platform to restore into: data folder plus database."""

    data_dir: Path
    env: dict[str, str]
    pg_name: str | None

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "tinhso", *args],
            env=self.env,
            cwd=self.data_dir.parent,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    def json(self, script: str) -> Any:
        result = self.run("shell", "-c", script)
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout.strip().splitlines()[-1])

    def tables(self) -> list[str]:
        if self.pg_name is None:
            return ["<file>"] if (self.data_dir / "tinhso.sqlite3").exists() else []
        with _pg_admin(self.pg_name) as conn:
            rows = conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
            ).fetchall()
        return [row[0] for row in rows]

    def stored_files(self) -> list[Path]:
        return [p for p in (self.data_dir / "files").rglob("*") if p.is_file()]


def _pg_admin(dbname: str = "postgres") -> psycopg.Connection[Any]:
    db = connection.settings_dict
    return psycopg.connect(
        host=db["HOST"] or None,
        port=db["PORT"] or None,
        user=db["USER"] or None,
        password=db["PASSWORD"] or None,
        dbname=dbname,
        autocommit=True,
    )


def _pg_url(name: str) -> str:
    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else ""
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{quote(db['USER'])}{password}@{db['HOST']}{port}/{name}"


@pytest.fixture
def target(tmp_path: Path) -> Iterator[Target]:
    data_dir = tmp_path / "target"
    data_dir.mkdir()
    env = {**os.environ, "TINHSO_DATA_DIR": str(data_dir)}
    env.pop("DATABASE_URL", None)
    if connection.vendor == "sqlite":
        yield Target(data_dir, env, None)
        return
    name = f"tinhso_restore_{secrets.token_hex(4)}"
    with _pg_admin() as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield Target(data_dir, {**env, "DATABASE_URL": _pg_url(name)}, name)
    finally:
        with _pg_admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(autouse=True)
def _source_files(
    settings: Any, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """The source platform's files and data folder (its key folder) are this
    test's own."""
    settings.DATA_DIR = tmp_path_factory.mktemp("source-data")
    location = tmp_path / "source-files"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(location)},
        },
    }
    return location


def _populate() -> dict[str, Any]:
    province = core.create_orgunit(
        kind=OrgUnitKind.PROVINCE, code="08", name="Tỉnh Tuyên Quang"
    )
    core.create_orgunit(
        kind=OrgUnitKind.COMMUNE, code="02275", name="Xã Đồng Tâm", parent=province
    )
    stored = files.store(io.BytesIO(PNG), "so-do-vi-tri.png")
    audit.record("test.backup", detail={"ghi_chu": "Sao lưu thử", "so": 3})
    # A readiness probe left behind: not platform data, not in the archive.
    default_storage.save("readyz/left-over", ContentFile(b"ok"))
    return {
        "units": sorted([u.code, u.name] for u in OrgUnit.objects.all()),
        "files": {stored.storage_name: hashlib.sha256(PNG).hexdigest()},
        "audit_rows": AuditEntry.objects.count(),
        "audit_head": AuditHead.objects.get(id=1).entry_hash,
    }


def _backup(path: Path, *args: str) -> str:
    out = io.StringIO()
    call_command("backup", str(path), *args, stdout=out)
    return out.getvalue()


def _rewrite(
    source: Path, destination: Path, change: Callable[[str, bytes], tuple[str, bytes]]
) -> None:
    """Copy an archive member by member, letting ``change`` alter each one."""
    with tarfile.open(source, "r:gz") as old, tarfile.open(destination, "w:gz") as new:
        for info in old.getmembers():
            handle = old.extractfile(info)
            assert handle is not None
            name, data = change(info.name, handle.read())
            copy = tarfile.TarInfo(name)
            copy.size = len(data)
            new.addfile(copy, io.BytesIO(data))


def _edit_manifest(edit: Callable[[dict[str, Any]], None]) -> Callable[..., Any]:
    def change(name: str, data: bytes) -> tuple[str, bytes]:
        if name != MANIFEST_NAME:
            return name, data
        manifest = json.loads(data)
        edit(manifest)
        return name, json.dumps(manifest).encode()

    return change


def test_round_trip_brings_back_rows_files_search_and_audit(
    tmp_path: Path, target: Target
) -> None:
    expected = _populate()
    archive = tmp_path / "backup.tar.gz"

    output = _backup(archive)

    assert "Backup complete" in output
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
    manifest, pending = verify_archive(archive)
    assert pending == []
    assert manifest.database_vendor == connection.vendor
    assert "0002_search_index" in manifest.migrations["core"]
    assert [m.name for m in manifest.files] == [
        f"files/{name}" for name in expected["files"]
    ]

    restored = target.run("restore", str(archive))

    assert restored.returncode == 0, restored.stderr
    assert "Restore complete" in restored.stdout
    assert f"Audit log: {expected['audit_rows']} rows, chain verified." in (
        restored.stdout
    )
    result = target.json(CHECK_SCRIPT)
    assert result["units"] == expected["units"]
    assert result["found"] == ["02275"]
    assert result["files"] == expected["files"]
    assert result["audit_rows"] == expected["audit_rows"]
    assert result["audit_head"] == expected["audit_head"]
    assert result["audit_ok"] is True
    assert result["audit_command"].startswith("Audit log intact")
    assert not (target.data_dir / "files" / "readyz").exists()


def test_backup_while_another_thread_writes_restores_a_verified_chain(
    tmp_path: Path, target: Target
) -> None:
    audit.record("test.start")
    written: list[int] = []
    stop = threading.Event()

    def writer() -> None:
        try:
            while not stop.is_set():
                audit.record("test.concurrent", detail={"n": len(written)})
                written.append(1)
        finally:
            connection.close()

    def wait_for(count: int) -> None:
        deadline = time.monotonic() + 10
        while len(written) < count and time.monotonic() < deadline:
            time.sleep(0.01)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        wait_for(20)
        before = len(written)
        # Between the database snapshot and the files the writer keeps going.
        create_backup(
            tmp_path / "busy.tar.gz",
            progress=lambda line: wait_for(len(written) + 20),
        )
        after = len(written)
    finally:
        stop.set()
        thread.join()
    assert after >= before + 20

    result = target.json(
        f"""
import io, json
from django.core.management import call_command
from tinhso.core.models import AuditEntry
call_command("restore", {str(tmp_path / "busy.tar.gz")!r}, stdout=io.StringIO())
out = io.StringIO()
call_command("audit", "verify", stdout=out)
print(json.dumps({{"rows": AuditEntry.objects.count(), "verify": out.getvalue()}}))
"""
    )

    assert 1 + before <= result["rows"] <= 1 + after
    assert result["verify"].startswith("Audit log intact")


def test_tampered_archive_is_refused_and_nothing_changes(
    tmp_path: Path, target: Target
) -> None:
    expected = _populate()
    archive = tmp_path / "backup.tar.gz"
    _backup(archive)
    file_member = f"files/{next(iter(expected['files']))}"
    tampered = tmp_path / "tampered.tar.gz"
    _rewrite(
        archive,
        tampered,
        lambda name, data: (name, data[:-1] + b"\x00" if name == file_member else data),
    )

    with pytest.raises(BackupError, match=file_member):
        verify_archive(tampered)
    refused = target.run("restore", str(tampered))

    assert refused.returncode == 1
    assert file_member in refused.stderr
    assert "does not match its SHA-256" in refused.stderr
    assert target.tables() == []
    assert target.stored_files() == []


def test_damaged_or_foreign_archives_are_refused(tmp_path: Path) -> None:
    _populate()
    archive = tmp_path / "backup.tar.gz"
    _backup(archive)

    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    with pytest.raises(CommandError, match="damaged or incomplete"):
        call_command("restore", "--check", str(truncated))

    newer = tmp_path / "newer.tar.gz"
    _rewrite(
        archive,
        newer,
        _edit_manifest(lambda m: m["migrations"]["core"].append("9999_future")),
    )
    with pytest.raises(
        CommandError, match=r"newer tinhso \(migration core.9999_future"
    ):
        call_command("restore", "--check", str(newer))

    here = connection.vendor
    other = "postgresql" if here == "sqlite" else "sqlite"

    def to_other_vendor(manifest: dict[str, Any]) -> None:
        manifest["database_vendor"] = other
        manifest["members"][0]["name"] = DATABASE_MEMBERS[other]

    def rename(name: str, data: bytes) -> tuple[str, bytes]:
        name = DATABASE_MEMBERS[other] if name == DATABASE_MEMBERS[here] else name
        return _edit_manifest(to_other_vendor)(name, data)

    foreign = tmp_path / "foreign.tar.gz"
    _rewrite(archive, foreign, rename)
    with pytest.raises(CommandError, match="across database types is not supported"):
        call_command("restore", str(foreign))


def test_restore_refuses_a_database_that_holds_data(tmp_path: Path) -> None:
    _populate()
    archive = tmp_path / "backup.tar.gz"
    _backup(archive)
    units = OrgUnit.objects.count()

    with pytest.raises(CommandError, match=r"core_orgunit \(2 rows\)"):
        call_command("restore", str(archive))

    assert OrgUnit.objects.count() == units
    assert audit.verify() is None


def test_restore_refuses_a_files_folder_that_is_not_empty(tmp_path: Path) -> None:
    # The test database starts empty (only what `migrate` fills by itself),
    # so the files folder is what stops this restore.
    archive = tmp_path / "backup.tar.gz"
    _backup(archive)
    default_storage.save("ab/other.pdf", ContentFile(b"%PDF-1.7"))

    with pytest.raises(CommandError, match=r"is not empty \(it holds ab/other.pdf\)"):
        call_command("restore", str(archive))

    assert default_storage.listdir("ab")[1] == ["other.pdf"]


def test_backup_refuses_to_overwrite_unless_forced(tmp_path: Path) -> None:
    archive = tmp_path / "backup.tar.gz"
    archive.write_bytes(b"an older backup")

    with pytest.raises(CommandError, match="already exists"):
        _backup(archive)
    assert archive.read_bytes() == b"an older backup"

    assert "Backup complete" in _backup(archive, "--force")
    verify_archive(archive)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["backup.tar.gz"]


def test_backup_without_pg_dump_says_so_and_leaves_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("pg_dump is used on PostgreSQL only")
    monkeypatch.setenv("PATH", str(tmp_path / "no-tools"))

    with pytest.raises(CommandError, match="pg_dump was not found on PATH"):
        _backup(tmp_path / "backup.tar.gz")

    assert list(tmp_path.iterdir()) == []
