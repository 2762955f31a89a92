"""How edXML messages leave this installation: pluggable transports.

A transport takes a signed package and a recipient's OrganId and hands the
package on; it raises ``DomainError`` with a Vietnamese reason if it cannot.
The one in use is named by the setting ``DOCUMENTS_EDXML_TRANSPORT``:

``folder`` (default)
    Writes each package to ``<folder>/outbox/<recipient OrganId>/`` and reads
    what others left in ``<folder>/inbox/`` (``tinhso documents edxml-pull``).
    ``<folder>`` is ``DOCUMENTS_EDXML_FOLDER`` or ``<data folder>/edxml``.
    Suits a file-based exchange hub, or two installations sharing a folder.
``http``
    POSTs the package (as an upload) to another tinhso's
    ``/api/v1/documents/edxml/import`` (or an exchange hub's) at
    ``DOCUMENTS_EDXML_HTTP_URL`` with the bearer
    token ``DOCUMENTS_EDXML_HTTP_TOKEN``, waiting at most
    ``DOCUMENTS_EDXML_HTTP_TIMEOUT`` seconds (default 15).

Receivers import a package at most once per (agency, DocumentId, business
type), so sending again after a failure is always safe.
"""

import json
import os
import re
import tempfile
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.core.errors import DomainError
from tinhso.core.registry import Registry

SETTING = "DOCUMENTS_EDXML_TRANSPORT"
DEFAULT = "folder"


class Transport(Protocol):
    @property
    def label(self) -> str: ...

    def send(self, package: bytes, *, recipient_code: str, name: str) -> str:
        """Hand ``package`` on towards ``recipient_code``; say where it went."""
        ...


transports: Registry[Transport] = Registry("documents.edxml_transports")


def current() -> Transport:
    """The transport chosen by ``DOCUMENTS_EDXML_TRANSPORT``."""
    code = str(getattr(settings, SETTING, DEFAULT) or DEFAULT)
    if code not in transports:
        raise DomainError(
            "edxml_transport_unknown",
            _(
                "Cách gửi gói tin edXML “%(code)s” chưa được hỗ trợ; các cách có "
                "sẵn: %(codes)s."
            )
            % {"code": code, "codes": ", ".join(c for c, _t in transports.items())},
        )
    return transports.get(code)


def safe_name(text: str) -> str:
    """``text`` usable as one path component (OrganIds hold dots)."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]", "_", text).strip(".")
    return cleaned[:100] or "_"


# Folder -------------------------------------------------------------------


def folder() -> Path:
    configured = getattr(settings, "DOCUMENTS_EDXML_FOLDER", None)
    return Path(configured) if configured else Path(settings.DATA_DIR) / "edxml"


@dataclass(frozen=True)
class FolderTransport:
    label: str = "folder"

    def send(self, package: bytes, *, recipient_code: str, name: str) -> str:
        target = folder() / "outbox" / safe_name(recipient_code)
        # To the microsecond, so names sort in the order packages left.
        stamp = timezone.now().strftime("%Y%m%dT%H%M%S%f")
        path = target / f"{stamp}-{uuid.uuid4().hex[:8]}-{safe_name(name)}.xml"
        try:
            target.mkdir(parents=True, exist_ok=True)
            # Written under a temporary name and renamed, so whoever collects
            # the outbox never picks up half a package.
            handle, temporary = tempfile.mkstemp(dir=target, suffix=".part")
            with os.fdopen(handle, "wb") as stream:
                stream.write(package)
            os.replace(temporary, path)
        except OSError as exc:
            raise DomainError(
                "edxml_transport_failed",
                _("Không ghi được gói tin edXML vào thư mục %(path)s: %(reason)s")
                % {"path": target, "reason": exc.strerror or exc},
            ) from exc
        return str(path)


def inbox_files() -> list[Path]:
    """Packages waiting in the folder transport's inbox, oldest name first."""
    inbox = folder() / "inbox"
    if not inbox.is_dir():
        return []
    return sorted(
        path
        for path in inbox.iterdir()
        if path.is_file() and path.suffix.lower() in (".xml", ".edxml")
    )


def file_away(path: Path, *, ok: bool, reason: str = "") -> Path:
    """Move an inbox package to ``done/`` or ``failed/`` (with its reason)."""
    target = path.parent / ("done" if ok else "failed")
    target.mkdir(parents=True, exist_ok=True)
    moved = target / path.name
    if moved.exists():
        moved = target / f"{path.stem}-{uuid.uuid4().hex[:6]}{path.suffix}"
    os.replace(path, moved)
    if reason:
        moved.with_suffix(moved.suffix + ".txt").write_text(reason + "\n", "utf-8")
    return moved


# HTTP ---------------------------------------------------------------------


def _remote_reason(error: urllib.error.HTTPError) -> str:
    try:
        body = json.loads(error.read(64 * 1024).decode("utf-8"))
        return str(body.get("detail") or body.get("title") or error.reason)
    except (ValueError, AttributeError, OSError):
        return str(error.reason)


def _multipart(package: bytes, filename: str) -> tuple[bytes, str]:
    """The package as the ``file`` field of a form upload.

    An upload, not a raw body: Django caps raw bodies at
    DATA_UPLOAD_MAX_MEMORY_SIZE, while uploaded files stream to disk.
    """
    boundary = f"tinhso-{uuid.uuid4().hex}"
    head = (
        f"--{boundary}\r\n"
        f'Content-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        "Content-Type: application/xml\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    return head + package + tail, f"multipart/form-data; boundary={boundary}"


@dataclass(frozen=True)
class HttpTransport:
    label: str = "http"

    def send(self, package: bytes, *, recipient_code: str, name: str) -> str:
        url = str(getattr(settings, "DOCUMENTS_EDXML_HTTP_URL", "") or "")
        token = str(getattr(settings, "DOCUMENTS_EDXML_HTTP_TOKEN", "") or "")
        timeout = float(getattr(settings, "DOCUMENTS_EDXML_HTTP_TIMEOUT", 15) or 15)
        if not url.startswith(("http://", "https://")) or not token:
            raise DomainError(
                "edxml_transport_not_configured",
                _(
                    "Chưa cấu hình gửi gói tin edXML qua HTTP: cần địa chỉ "
                    "(DOCUMENTS_EDXML_HTTP_URL) và mã truy cập "
                    "(DOCUMENTS_EDXML_HTTP_TOKEN)."
                ),
            )
        body, content_type = _multipart(package, f"{safe_name(name)}.xml")
        request = urllib.request.Request(  # noqa: S310 - scheme checked above
            url,
            data=body,
            method="POST",
            headers={
                "Authorization": f"Bearer {token}",
                "Content-Type": content_type,
                "Accept": "application/json, application/problem+json",
                "X-Edxml-Recipient": recipient_code,
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
                response.read(64 * 1024)
                return f"{url} ({response.status})"
        except urllib.error.HTTPError as exc:
            raise DomainError(
                "edxml_transport_refused",
                _("Nơi nhận %(url)s từ chối gói tin (HTTP %(status)s): %(reason)s")
                % {"url": url, "status": exc.code, "reason": _remote_reason(exc)},
            ) from exc
        except OSError as exc:  # URLError, timeouts, refused connections
            reason = getattr(exc, "reason", None) or exc.strerror or exc
            if isinstance(exc, TimeoutError) or isinstance(reason, TimeoutError):
                raise DomainError(
                    "edxml_transport_timeout",
                    _(
                        "Quá %(seconds)s giây mà %(url)s chưa trả lời; gói tin "
                        "chưa được gửi."
                    )
                    % {"seconds": int(timeout), "url": url},
                ) from exc
            raise DomainError(
                "edxml_transport_failed",
                _("Không kết nối được tới %(url)s: %(reason)s; gói tin chưa được gửi.")
                % {"url": url, "reason": reason},
            ) from exc


transports.register("folder", FolderTransport())
transports.register("http", HttpTransport())
