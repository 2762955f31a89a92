"""`tinhso backup` keeps the signing keys and the secret key that opens them.

A platform restored from an archive must still sign: its PKCS#12 key files
live in <data folder>/pki and their passphrases derive from SECRET_KEY (the
data folder's secret_key file). The restore runs the real CLI in a
subprocess against a fresh data folder and database, then signs there.
"""

import secrets
import stat
import tarfile
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import CommandError

import pytest

from tests import factories
from tests.core.test_backup import (  # noqa: F401 - _source_files is autouse
    Target,
    _backup,
    _edit_manifest,
    _rewrite,
    _source_files,
    target,
)
from tinhso.accounts.models import Role
from tinhso.core.backup import (
    KEYS_PREFIX,
    MANIFEST_NAME,
    BackupError,
    secret_key_check,
    verify_archive,
)
from tinhso.pki import services

pytestmark = pytest.mark.django_db(transaction=True)

# Runs in the restored platform: sign with the leader's certificate, check it.
SIGN_SCRIPT = """
import json
from io import BytesIO
from reportlab.pdfgen import canvas
from tinhso.accounts.models import User
from tinhso.pki import selectors, signing
buffer = BytesIO()
page = canvas.Canvas(buffer)
page.drawString(72, 760, "QUYET DINH sau khi khoi phuc")
page.save()
certificate = selectors.certificate_of(User.objects.get(username="lanhdao"))
try:
    [result] = signing.verify_pdf(signing.sign_pdf(buffer.getvalue(), certificate))
    print(json.dumps({"ok": result.ok, "summary": result.summary}))
except Exception as exc:
    print(json.dumps({"ok": False, "summary": f"{type(exc).__name__}: {exc}"}))
"""


@pytest.fixture
def fresh(request: pytest.FixtureRequest) -> Target:
    """An empty platform to restore into (test_backup's ``target``)."""
    platform: Target = request.getfixturevalue("target")
    return platform


@pytest.fixture
def source(settings: Any) -> Path:
    """The backed-up platform's data folder, its secret key in secret_key."""
    data_dir = Path(settings.DATA_DIR)  # test_backup's own, made empty
    settings.SECRET_KEY = secrets.token_urlsafe(50)
    (data_dir / "secret_key").write_text(settings.SECRET_KEY)
    return data_dir


def _signing_platform() -> list[str]:
    """A leader with a demo certificate; returns the key files made."""
    agency = factories.orgunit(name="Sở Khoa học và Công nghệ")
    leader = factories.official(
        unit=agency, role=Role.LEADER, username="lanhdao", full_name="Nguyễn Văn Ân"
    )
    root = services.create_demo_root()
    certificate = services.issue_demo_certificate(leader)
    return sorted([root.key_file, certificate.key_file])


def _members(archive: Path) -> list[str]:
    with tarfile.open(archive, "r:gz") as tar:
        return tar.getnames()


def test_restored_platform_signs_with_the_backed_up_keys(
    source: Path, tmp_path: Path, fresh: Target, settings: Any
) -> None:
    key_files = _signing_platform()
    archive = tmp_path / "backup.tar.gz"

    output = _backup(archive)

    assert "Keys: 2 files from" in output and "and the secret key from" in output
    assert "WARNING: this archive holds the signing keys and the secret key" in output
    assert _members(archive)[-4:] == [
        f"{KEYS_PREFIX}secret_key",
        *(f"{KEYS_PREFIX}pki/{name}" for name in key_files),
        MANIFEST_NAME,
    ]
    manifest, _pending = verify_archive(archive)
    assert manifest.has_secret_key and len(manifest.keys) == 3
    assert all(len(m.sha256) == 64 for m in manifest.keys)
    assert manifest.secret_key_check == secret_key_check(settings.SECRET_KEY)

    # Before the restore the target has a key of its own, made when it started.
    assert fresh.run("check").returncode == 0
    own_key = (fresh.data_dir / "secret_key").read_text()
    restored = fresh.run("restore", str(archive))

    assert restored.returncode == 0, restored.stderr
    assert "Keys: restored 2 files into" in restored.stdout
    assert "Secret key: restored into" in restored.stdout
    assert (fresh.data_dir / "secret_key").read_text() == settings.SECRET_KEY != own_key
    folder = fresh.data_dir / "pki"
    assert sorted(p.name for p in folder.iterdir()) == key_files
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for name in key_files:
        path = folder / name
        assert path.read_bytes() == (source / "pki" / name).read_bytes()
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE((fresh.data_dir / "secret_key").stat().st_mode) == 0o600

    signed = fresh.json(SIGN_SCRIPT)

    assert signed["ok"] is True, signed["summary"]


def test_secret_key_from_elsewhere_is_not_archived_and_is_asked_for(
    source: Path, tmp_path: Path, fresh: Target, settings: Any
) -> None:
    # SECRET_KEY comes from the environment: the file holds another key.
    (source / "secret_key").write_text(secrets.token_urlsafe(50))
    key_files = _signing_platform()
    archive = tmp_path / "backup.tar.gz"

    output = _backup(archive)

    assert "WARNING: SECRET_KEY does not come from" in output
    names = _members(archive)
    assert f"{KEYS_PREFIX}secret_key" not in names
    assert [n for n in names if n.startswith(KEYS_PREFIX)] == [
        f"{KEYS_PREFIX}pki/{name}" for name in key_files
    ]

    # Restored with another key, the platform is told and cannot sign.
    restored = fresh.run("restore", str(archive))
    assert restored.returncode == 0, restored.stderr
    assert "WARNING: the archive holds no secret key" in restored.stdout
    assert "2 restored signing key files cannot be opened" in restored.stdout
    signed = fresh.json(SIGN_SCRIPT)
    assert signed["ok"] is False

    # Given the same SECRET_KEY, it signs.
    (fresh.data_dir / "secret_key").write_text(settings.SECRET_KEY)
    assert fresh.json(SIGN_SCRIPT)["ok"] is True


def test_same_secret_key_from_elsewhere_is_recognised(
    source: Path, tmp_path: Path, fresh: Target, settings: Any
) -> None:
    (source / "secret_key").unlink()
    _signing_platform()
    archive = tmp_path / "backup.tar.gz"
    _backup(archive)
    # The operator gives the new platform the old key before restoring.
    fresh.run("check")
    (fresh.data_dir / "secret_key").write_text(settings.SECRET_KEY)

    restored = fresh.run("restore", str(archive))

    assert restored.returncode == 0, restored.stderr
    assert "this platform's SECRET_KEY is the one the restored signing keys need" in (
        restored.stdout
    )
    assert fresh.json(SIGN_SCRIPT)["ok"] is True


def test_restore_refuses_a_key_folder_that_is_not_empty(
    source: Path, tmp_path: Path
) -> None:
    archive = tmp_path / "backup.tar.gz"
    _backup(archive)
    (source / "pki").mkdir(exist_ok=True)
    (source / "pki" / "other.p12").write_bytes(b"key")

    with pytest.raises(
        CommandError, match=r"key folder .*pki is not empty \(it holds other.p12\)"
    ):
        call_command("restore", str(archive))

    assert (source / "pki" / "other.p12").read_bytes() == b"key"


def test_a_key_member_outside_the_key_folders_is_refused(
    source: Path, tmp_path: Path
) -> None:
    _signing_platform()
    archive = tmp_path / "backup.tar.gz"
    _backup(archive)
    evil = f"{KEYS_PREFIX}pki/../../escaped"
    secret = f"{KEYS_PREFIX}secret_key"

    def rename(manifest: dict[str, Any]) -> None:
        for member in manifest["members"]:
            if member["name"] == secret:
                member["name"] = evil

    def change(name: str, data: bytes) -> tuple[str, bytes]:
        name = evil if name == secret else name
        return _edit_manifest(rename)(name, data)

    altered = tmp_path / "altered.tar.gz"
    _rewrite(archive, altered, change)

    with pytest.raises(BackupError, match="is not a key file tinhso backs up"):
        verify_archive(altered)


def test_an_archive_of_format_1_still_verifies(source: Path, tmp_path: Path) -> None:
    (source / "secret_key").unlink()  # nothing under keys/, as in format 1
    archive = tmp_path / "backup.tar.gz"
    _backup(archive)

    def older(manifest: dict[str, Any]) -> None:
        assert manifest["format_version"] == 2
        manifest["format_version"] = 1
        del manifest["secret_key_check"]

    old = tmp_path / "old.tar.gz"
    _rewrite(archive, old, _edit_manifest(older))

    manifest, _pending = verify_archive(old)

    assert manifest.format_version == 1 and manifest.keys == []
    assert manifest.secret_key_check == ""
