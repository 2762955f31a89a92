"""Uploads checked before they are kept: size, SHA-256, sniffed type.

A file whose content does not match what it claims to be is refused and
nothing is written to storage or to the database. Kept files go back to
browsers through ``response``, which never lets one run in the platform's
origin.
"""

import hashlib
import uuid
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import FileResponse
from django.http.response import HttpResponseBase
from django.template.defaultfilters import filesizeformat
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

import filetype

from tinhso.core import audit
from tinhso.core.errors import DomainError
from tinhso.core.models import StoredFile

# Types accepted by default, by the extension a user sees.
ALLOWED_TYPES: dict[str, str] = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "zip": "application/zip",
    "xml": "application/xml",
    "csv": "text/csv",
    "txt": "text/plain",
    "json": "application/json",
}
# Office formats are ZIP containers; a sniffer may only see the ZIP.
_CONTAINERS = {
    "application/zip": {
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
    }
}
_TEXT_TYPES = {"application/xml", "text/csv", "text/plain", "application/json"}


@dataclass(frozen=True)
class Checked:
    name: str
    size: int
    sha256: str
    content_type: str


def _extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _sniff(head: bytes) -> str | None:
    kind = filetype.guess(head)
    return kind.mime if kind is not None else None


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the sample is fine.
        return exc.start >= len(head) - 3
    return True


def check(
    stream: IO[bytes],
    name: str,
    *,
    allowed: dict[str, str] | None = None,
    max_bytes: int | None = None,
) -> Checked:
    """Read ``stream`` once and decide whether it may be kept; raise if not."""
    allowed = allowed if allowed is not None else ALLOWED_TYPES
    limit = max_bytes if max_bytes is not None else settings.MAX_UPLOAD_BYTES
    name_limit = StoredFile._meta.get_field("name").max_length or 255
    if len(name) > name_limit:
        raise DomainError(
            "file_name_too_long",
            _("Tên tệp dài quá %(limit)s ký tự; hãy đặt tên ngắn hơn rồi gửi lại.")
            % {"limit": name_limit},
        )
    ext = _extension(name)
    claimed = allowed.get(ext)
    if claimed is None:
        raise DomainError(
            "file_type_not_allowed",
            _(
                "Tệp %(name)s có định dạng không được chấp nhận. Định dạng được nhận: %(list)s."
            )
            % {"name": name, "list": ", ".join(sorted(allowed))},
        )
    digest = hashlib.sha256()
    size = 0
    head = b""
    stream.seek(0)
    while chunk := stream.read(1024 * 1024):
        if len(head) < 8192:
            head += chunk[: 8192 - len(head)]
        size += len(chunk)
        if size > limit:
            raise DomainError(
                "file_too_large",
                _("Tệp %(name)s vượt quá dung lượng cho phép (%(limit)s).")
                % {"name": name, "limit": filesizeformat(limit)},
                status=413,
            )
        digest.update(chunk)
    stream.seek(0)
    if size == 0:
        raise DomainError("file_empty", _("Tệp %(name)s rỗng.") % {"name": name})
    sniffed = _sniff(head)
    if claimed in _TEXT_TYPES:
        matches = sniffed is None and _looks_like_text(head)
    else:
        matches = sniffed == claimed or claimed in _CONTAINERS.get(sniffed or "", set())
    if not matches:
        raise DomainError(
            "file_type_mismatch",
            _(
                "Nội dung tệp %(name)s không phải là tệp %(ext)s như tên tệp cho biết; "
                "tệp không được lưu."
            )
            % {"name": name, "ext": ext.upper()},
        )
    return Checked(
        name=name, size=size, sha256=digest.hexdigest(), content_type=claimed
    )


def store(
    stream: IO[bytes],
    name: str,
    *,
    uploaded_by: Any = None,
    allowed: dict[str, str] | None = None,
    max_bytes: int | None = None,
) -> StoredFile:
    """Check and keep an upload; nothing is kept when the check fails."""
    checked = check(stream, name, allowed=allowed, max_bytes=max_bytes)
    ext = _extension(name)
    storage_name = f"{checked.sha256[:2]}/{uuid.uuid4().hex}.{ext}"
    saved = default_storage.save(storage_name, File(stream, name=name))
    try:
        with transaction.atomic():
            stored = StoredFile.objects.create(
                name=name,
                storage_name=saved,
                size=checked.size,
                sha256=checked.sha256,
                content_type=checked.content_type,
                uploaded_by=uploaded_by,
            )
            audit.record(
                "core.file.store",
                obj=stored,
                actor=uploaded_by,
                detail={"name": name, "size": checked.size, "sha256": checked.sha256},
            )
    except BaseException:
        default_storage.delete(saved)
        raise
    return stored


def open_file(stored: StoredFile) -> IO[bytes]:
    return default_storage.open(stored.storage_name, "rb")


# Shown in the browser rather than downloaded: types whose viewers run
# nothing from the file in the platform's origin. ``content_type`` is the
# checked one (``check``: the sniffed bytes matched it), never the upload's
# claim. Everything else (XML, text, office files) is a download: an XHTML
# or SVG file opened in place would run its scripts as the official.
INLINE_TYPES = frozenset({"application/pdf", "image/png", "image/jpeg"})
# No scripts, no loads, an opaque origin: whatever the bytes hold.
SANDBOXED = "sandbox; default-src 'none'"
# WebKit refuses to show a PDF in a sandboxed document, so a PDF shown in
# place gets no sandbox; its viewer is the browser's, not the file's.
PDF_SHOWN = "default-src 'none'; object-src 'self'"


def protect(response: HttpResponseBase, *, pdf_shown: bool = False) -> None:
    """Headers every file handed to a browser carries."""
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = PDF_SHOWN if pdf_shown else SANDBOXED


def response(
    stored: StoredFile,
    *,
    download: bool = False,
    filename: str | None = None,
    no_store: bool = False,
) -> FileResponse:
    """A kept file for the browser: shown in place only if it is a PDF or
    an image (``INLINE_TYPES``) and ``download`` is not asked, otherwise a
    download. Private to the user; ``no_store`` keeps it out of any cache.
    """
    shown = not download and stored.content_type in INLINE_TYPES
    served = FileResponse(
        open_file(stored),
        content_type=stored.content_type,
        filename=filename or stored.name,
        as_attachment=not shown,
    )
    protect(served, pdf_shown=shown and stored.content_type == "application/pdf")
    if no_store:
        patch_cache_control(served, private=True, no_store=True)
    else:
        patch_cache_control(served, private=True)
    return served
