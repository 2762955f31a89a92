"""Uploads are checked (size, SHA-256, sniffed type) before anything is kept."""

import hashlib
import io
import struct
import zlib
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

import pytest

from tests import factories
from tinhso.core import files
from tinhso.core.errors import DomainError
from tinhso.core.models import AuditEntry, StoredFile

pytestmark = pytest.mark.django_db


def png_bytes(width: int = 2, height: int = 2) -> bytes:
    """A real, decodable PNG: grey pixels, built by hand with zlib."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    pixels = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(pixels))
        + chunk(b"IEND", b"")
    )


def pdf_bytes() -> bytes:
    """A minimal valid one-page PDF with a correct cross-reference table."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n"
        % (len(objects) + 1, xref)
    )
    return out.getvalue()


EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48
CSV = "Mã hồ sơ,Họ và tên,Địa chỉ\nH08.01-260902-0001,Đặng Thị Hường,Thôn Bản Đén, xã Đồng Văn\n".encode()


@pytest.fixture
def storage_dir(settings: Any, tmp_path: Path) -> Path:
    """Files go to a folder of this test's own, so what is kept can be listed."""
    folder = tmp_path / "files"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(folder)},
        },
    }
    return folder


def kept_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def test_the_sample_files_are_what_they_claim() -> None:
    """The hand-built PNG and PDF are well formed (so the tests below mean something)."""
    png = png_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = struct.unpack(">II", png[16:24])
    assert (width, height) == (2, 2)
    idat_length = struct.unpack(">I", png[33:37])[0]
    assert zlib.decompress(png[41 : 41 + idat_length]) == b"\x00\x80\x80" * 2
    pdf = pdf_bytes()
    startxref = int(pdf.rsplit(b"startxref\n", 1)[1].split(b"\n")[0])
    assert pdf[startxref:].startswith(b"xref")
    assert pdf.rstrip().endswith(b"%%EOF")


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("ảnh chụp CCCD.png", png_bytes(), "image/png"),
        ("Quyết định 123.pdf", pdf_bytes(), "application/pdf"),
        ("SCAN.PDF", pdf_bytes(), "application/pdf"),
        ("danh-sach-ho-so.csv", CSV, "text/csv"),
    ],
)
def test_a_real_file_is_kept_with_size_and_sha256(
    storage_dir: Path, name: str, content: bytes, content_type: str
) -> None:
    """A PNG, a PDF or a Vietnamese UTF-8 CSV is kept byte for byte with its facts."""
    user = factories.official()
    stored = files.store(io.BytesIO(content), name, uploaded_by=user)

    stored.refresh_from_db()
    assert stored.name == name
    assert stored.size == len(content)
    assert stored.sha256 == hashlib.sha256(content).hexdigest()
    assert stored.content_type == content_type
    assert stored.uploaded_by == user
    with files.open_file(stored) as handle:
        assert handle.read() == content
    assert kept_files(storage_dir) == [storage_dir / stored.storage_name]
    entry = AuditEntry.objects.get(action="core.file.store")
    assert entry.object_id == str(stored.pk)
    assert entry.actor == user
    assert entry.detail["sha256"] == stored.sha256


def test_a_django_upload_is_kept() -> None:
    """A browser upload (Django's UploadedFile) is accepted like a stream."""
    upload = SimpleUploadedFile("to-trinh.pdf", pdf_bytes(), "application/pdf")
    stored = files.store(upload, "to-trinh.pdf")
    assert stored.sha256 == hashlib.sha256(pdf_bytes()).hexdigest()


def test_two_uploads_of_the_same_file_are_kept_apart(storage_dir: Path) -> None:
    """The same content uploaded twice is two records and two files, one hash."""
    first = files.store(io.BytesIO(png_bytes()), "a.png")
    second = files.store(io.BytesIO(png_bytes()), "a.png")
    assert first.storage_name != second.storage_name
    assert first.sha256 == second.sha256
    assert len(kept_files(storage_dir)) == 2


def assert_nothing_kept(folder: Path, audit_rows_before: int) -> None:
    assert not StoredFile.objects.exists()
    assert kept_files(folder) == []
    assert AuditEntry.objects.count() == audit_rows_before


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("quyet-dinh.pdf", png_bytes()),  # an image renamed .pdf
        ("ho-so.pdf", EXE),  # a program renamed .pdf
        ("anh.png", "Đây là văn bản, không phải ảnh.\n".encode()),  # text renamed .png
        ("anh.png", pdf_bytes()),  # a PDF renamed .png
        ("bang-ke.csv", png_bytes()),  # an image renamed .csv
        ("bang-ke.csv", EXE),  # a program renamed .csv
        ("bao-cao.docx", pdf_bytes()),  # a PDF renamed .docx
    ],
)
def test_content_not_matching_the_name_is_refused_and_nothing_kept(
    storage_dir: Path, name: str, content: bytes
) -> None:
    """A file whose content is not what its extension says is refused in Vietnamese."""
    before = AuditEntry.objects.count()
    with pytest.raises(DomainError) as caught:
        files.store(io.BytesIO(content), name)
    assert caught.value.code == "file_type_mismatch"
    assert name in caught.value.message
    assert "không được lưu" in caught.value.message
    assert_nothing_kept(storage_dir, before)


def test_too_large_is_refused_and_nothing_kept(storage_dir: Path) -> None:
    """A file over the limit is refused with file_too_large (HTTP 413)."""
    before = AuditEntry.objects.count()
    content = pdf_bytes()
    with pytest.raises(DomainError) as caught:
        files.store(io.BytesIO(content), "lon.pdf", max_bytes=len(content) - 1)
    assert caught.value.code == "file_too_large"
    assert caught.value.status == 413
    assert "vượt quá dung lượng" in caught.value.message
    assert_nothing_kept(storage_dir, before)
    # Exactly at the limit is fine.
    stored = files.store(io.BytesIO(content), "vua.pdf", max_bytes=len(content))
    assert stored.size == len(content)


def test_the_configured_upload_limit_applies(settings: Any, storage_dir: Path) -> None:
    """Without max_bytes, settings.MAX_UPLOAD_BYTES (TINHSO_MAX_UPLOAD_MB) is the limit."""
    settings.MAX_UPLOAD_BYTES = 100
    with pytest.raises(DomainError) as caught:
        files.store(io.BytesIO(pdf_bytes()), "lon.pdf")
    assert caught.value.code == "file_too_large"
    assert kept_files(storage_dir) == []


@pytest.mark.parametrize("name", ["setup.exe", "ho-so.pdf.exe", "README", "trang.html"])
def test_unknown_extension_is_refused_and_nothing_kept(
    storage_dir: Path, name: str
) -> None:
    """Extensions outside the accepted list are refused with file_type_not_allowed."""
    before = AuditEntry.objects.count()
    with pytest.raises(DomainError) as caught:
        files.store(io.BytesIO(pdf_bytes()), name)
    assert caught.value.code == "file_type_not_allowed"
    assert "không được chấp nhận" in caught.value.message
    assert "pdf" in caught.value.message
    assert_nothing_kept(storage_dir, before)


def test_an_empty_file_is_refused(storage_dir: Path) -> None:
    """A zero-byte upload is refused with file_empty and nothing is kept."""
    with pytest.raises(DomainError) as caught:
        files.store(io.BytesIO(b""), "rong.pdf")
    assert caught.value.code == "file_empty"
    assert_nothing_kept(storage_dir, 0)


def test_long_vietnamese_csv_cut_mid_character_is_text(storage_dir: Path) -> None:
    """A CSV whose 8 KB sample ends inside a Vietnamese letter is still accepted."""
    line = "Nguyễn Thị Ánh Tuyết,Xã Đồng Văn\n".encode()
    content = line * 400
    assert len(content) > 8192
    stored = files.store(io.BytesIO(content), "danh-sach.csv")
    assert stored.size == len(content)
    assert stored.sha256 == hashlib.sha256(content).hexdigest()


def test_a_failure_after_saving_removes_the_kept_file(storage_dir: Path) -> None:
    """If the record cannot be written, the file already saved to storage is removed."""
    from tinhso.accounts.models import User

    never_saved = User(username="chua-luu")
    with pytest.raises(ValueError, match="unsaved"):
        files.store(io.BytesIO(png_bytes()), "anh.png", uploaded_by=never_saved)
    assert_nothing_kept(storage_dir, 0)


def test_a_name_too_long_to_record_is_refused(storage_dir: Path) -> None:
    """A file name over 255 characters is refused in Vietnamese on every database."""
    too_long = "Quyết định " * 30 + ".png"
    assert len(too_long) > 255
    with pytest.raises(DomainError) as caught:
        files.store(io.BytesIO(png_bytes()), too_long)
    assert caught.value.code == "file_name_too_long"
    assert "255" in caught.value.message
    assert_nothing_kept(storage_dir, 0)
    # 255 characters exactly is fine.
    name = "a" * 251 + ".png"
    assert files.store(io.BytesIO(png_bytes()), name).name == name
