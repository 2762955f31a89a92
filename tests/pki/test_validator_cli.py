"""A PDF signed here validates with pyHanko's own command-line validator
against the demo root, exported by `tinhso pki export-root`; a change to any
byte of the signed ranges is detected, by that validator and by ours.
"""

import os
import random
import re
import shutil
import subprocess
import sys
from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import CommandError

import pytest

from tests.pki.conftest import BODY_TEXT
from tinhso.core.errors import DomainError
from tinhso.pki import selectors, services, signing
from tinhso.pki.models import Certificate, TrustedRoot

pytestmark = pytest.mark.django_db

BYTE_RANGE = re.compile(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]")


def _pyhanko() -> str:
    return shutil.which("pyhanko") or str(Path(sys.executable).parent / "pyhanko")


def _validate(pdf: Path, root: Path, *mode: str) -> subprocess.CompletedProcess[str]:
    """`pyhanko sign validate` as a user would run it against the demo root."""
    return subprocess.run(
        [
            _pyhanko(),
            "sign",
            "validate",
            "--trust",
            str(root),
            "--trust-replace",
            "--no-revocation-check",
            *mode,
            str(pdf),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )


def _signed_ranges(pdf: bytes) -> list[range]:
    matches = BYTE_RANGE.findall(pdf)
    assert len(matches) == 1, matches
    start1, length1, start2, length2 = (int(n) for n in matches[0])
    # The two ranges cover the whole file except the signature value.
    assert start1 == 0 and start2 + length2 == len(pdf)
    return [range(start1, start1 + length1), range(start2, start2 + length2)]


def _flipped(pdf: bytes, at: int) -> bytes:
    changed = bytearray(pdf)
    changed[at] ^= 0x01
    return bytes(changed)


@pytest.fixture
def signed(certificate: Certificate, pdf: bytes) -> bytes:
    return signing.sign_pdf(
        pdf,
        certificate,
        field_name="ChuKyLanhDao",
        reason="Ký ban hành",
        location="Tuyên Quang",
        appearance={"position": "Giám đốc"},
    )


@pytest.fixture
def root_pem(demo_root: TrustedRoot, tmp_path: Path) -> Path:
    path = tmp_path / "ca-goc.pem"
    out = StringIO()
    call_command("pki", "export-root", str(path), stdout=out)
    assert "pyhanko sign validate --trust" in out.getvalue()
    return path


def test_export_root_writes_the_demo_root_pem(
    root_pem: Path, demo_root: TrustedRoot
) -> None:
    assert root_pem.read_bytes() == selectors.root_pem(demo_root)
    out = StringIO()
    call_command("pki", "export-root", "-", stdout=out)
    assert out.getvalue().encode() == root_pem.read_bytes()


def test_export_root_asks_which_when_several(
    demo_root: TrustedRoot, tmp_path: Path
) -> None:
    TrustedRoot.objects.filter(pk=demo_root.pk).update(demo=False)
    other = TrustedRoot.objects.create(
        name="CA khác",
        certificate_der=bytes(demo_root.certificate_der),
        fingerprint="ab" * 32,
        not_after=demo_root.not_after,
    )
    with pytest.raises(CommandError, match="choose one with --root"):
        call_command("pki", "export-root", str(tmp_path / "x.pem"))
    call_command(
        "pki", "export-root", str(tmp_path / "x.pem"), "--root", other.fingerprint[:8]
    )
    assert (tmp_path / "x.pem").exists()


def test_pyhanko_validator_accepts_a_pdf_signed_here(
    signed: bytes, root_pem: Path, tmp_path: Path
) -> None:
    path = tmp_path / "signed.pdf"
    path.write_bytes(signed)

    summary = _validate(path, root_pem, "--executive-summary")
    details = _validate(path, root_pem, "--pretty-print")

    assert summary.returncode == 0, summary.stdout + summary.stderr
    assert summary.stdout.strip().startswith("ChuKyLanhDao:")
    assert summary.stdout.strip().endswith(":VALID")
    assert details.returncode == 0, details.stdout + details.stderr
    assert "The signature is cryptographically sound." in details.stdout
    assert "The signature covers the entire file." in details.stdout
    assert "The signature is judged VALID." in details.stdout
    assert "CA thử nghiệm tinhso" in details.stdout


def test_pyhanko_validator_refuses_a_changed_signed_byte(
    signed: bytes, root_pem: Path, tmp_path: Path
) -> None:
    first, second = _signed_ranges(signed)
    body = signed.index(BODY_TEXT.encode())
    assert body in first  # the page text is signed
    # The page text, the signer's /Reason in the signature dictionary, and
    # the last byte of the file (end of the final cross-reference section).
    reason = signed.index(b"/Reason")
    assert reason in first or reason in second
    for at in (body, reason + 3, second.stop - 1):
        path = tmp_path / f"changed-{at}.pdf"
        path.write_bytes(_flipped(signed, at))

        result = _validate(path, root_pem, "--executive-summary")

        assert result.returncode != 0, (at, result.stdout)
        assert ":VALID" not in result.stdout, (at, result.stdout)


def test_our_verifier_detects_a_change_anywhere_in_the_signed_ranges(
    signed: bytes,
) -> None:
    """Every one of 120 bytes spread over both ranges, flipped alone."""
    first, second = _signed_ranges(signed)
    picks = random.Random(30).sample(list(first), 80) + random.Random(102).sample(
        list(second), 40
    )
    assert signing.verify_pdf(signed)[0].ok
    unreadable = 0
    for at in picks:
        try:
            results = signing.verify_pdf(_flipped(signed, at))
        except Exception:  # no longer a readable PDF: refused
            unreadable += 1
            continue
        assert not any(result.ok for result in results), at
    # Most changes leave a readable PDF whose signature no longer matches.
    assert unreadable < len(picks) // 4


def test_a_pdf_broken_by_the_change_is_refused_in_vietnamese(signed: bytes) -> None:
    """A flipped byte in the last cross-reference table makes the file unreadable."""
    xref = signed.rindex(b"\nxref") + len(b"\nxref\n")
    first_entry = signed.index(b"\n", xref) + 1
    broken = _flipped(signed, first_entry + 10)  # the space after the offset

    with pytest.raises(DomainError) as caught:
        signing.verify_pdf(broken)

    assert caught.value.code == "pki_pdf_unreadable"
    assert "Không đọc được tệp PDF" in caught.value.message


def test_demo_then_validate_end_to_end(tmp_path: Path, settings, pdf: bytes) -> None:  # type: ignore[no-untyped-def]
    """`tinhso pki demo`, sign, `tinhso pki export-root`, `pyhanko sign validate`."""
    from tests import factories
    from tinhso.accounts.models import Role

    settings.DATA_DIR = tmp_path / "data"
    agency = factories.orgunit(name="UBND xã Minh Xuân")
    leader = factories.official(unit=agency, role=Role.LEADER, full_name="Lê Thị Hà")
    call_command("pki", "demo", stdout=StringIO())
    certificate = selectors.certificate_of(leader)
    assert certificate is not None
    path = tmp_path / "signed.pdf"
    path.write_bytes(signing.sign_pdf(pdf, certificate))
    call_command("pki", "export-root", str(tmp_path / "root.pem"), stdout=StringIO())
    # The PEM `pki demo` leaves in the key folder is the same root.
    assert (settings.DATA_DIR / "pki" / "demo-root.pem").read_bytes() == (
        tmp_path / "root.pem"
    ).read_bytes()

    result = _validate(path, tmp_path / "root.pem", "--executive-summary")

    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().endswith(":VALID")
    assert services.DEMO_ROOT_NAME == "CA thử nghiệm tinhso"
