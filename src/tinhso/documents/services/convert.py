"""DOCX to PDF with LibreOffice headless (Debian's ``libreoffice-writer``).

Each conversion runs its own ``soffice`` with a private profile folder:
two conversions sharing a profile would collide (LibreOffice locks it), and
a profile left by a crashed run must not break the next one. The process
group is killed on timeout, so no ``soffice.bin`` outlives its request.
"""

import logging
import os
import shutil
import signal
import subprocess
import tempfile
import zipfile
from io import BytesIO
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from tinhso.core.errors import DomainError

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 120


def is_docx(data: bytes) -> bool:
    """A Word document: a ZIP container holding ``word/document.xml``."""
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            return "word/document.xml" in archive.namelist()
    except (zipfile.BadZipFile, OSError):
        return False


def soffice_path() -> str | None:
    """The ``soffice`` to run: ``settings.SOFFICE_PATH``, else from PATH."""
    configured = getattr(settings, "SOFFICE_PATH", None)
    if configured:
        return str(configured) if Path(str(configured)).is_file() else None
    return shutil.which("soffice") or shutil.which("libreoffice")


def _missing() -> DomainError:
    return DomainError(
        "outgoing_no_libreoffice",
        _(
            "Máy chủ chưa cài LibreOffice nên chưa chuyển được DOCX sang PDF; "
            "hãy tải lên tệp PDF."
        ),
        status=503,
    )


def _failed() -> DomainError:
    return DomainError(
        "outgoing_convert_failed",
        _(
            "Không chuyển được tệp DOCX sang PDF: tệp có thể bị hỏng. Hãy mở "
            "và lưu lại tệp bằng Word hoặc LibreOffice, hoặc tải lên tệp PDF."
        ),
    )


def docx_to_pdf(data: bytes, *, timeout: float | None = None) -> bytes:
    """The PDF LibreOffice makes of the DOCX ``data``; DomainError if it cannot."""
    soffice = soffice_path()
    if soffice is None:
        raise _missing()
    configured = getattr(settings, "SOFFICE_TIMEOUT", None) or DEFAULT_TIMEOUT
    limit = timeout if timeout is not None else float(configured)
    with tempfile.TemporaryDirectory(prefix="tinhso-docx-") as work:
        folder = Path(work)
        source = folder / "draft.docx"
        source.write_bytes(data)
        command = [
            soffice,
            f"-env:UserInstallation={(folder / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            "pdf:writer_pdf_Export",
            "--outdir",
            str(folder / "out"),
            str(source),
        ]
        try:
            process = subprocess.Popen(  # noqa: S603 - fixed arguments
                command,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                env={**os.environ, "HOME": work},
            )
        except OSError as exc:
            raise _missing() from exc
        try:
            _out, errors = process.communicate(timeout=limit)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise DomainError(
                "outgoing_convert_timeout",
                _(
                    "Chuyển DOCX sang PDF quá %(seconds)s giây nên đã dừng; hãy "
                    "thử lại hoặc tải lên tệp PDF."
                )
                % {"seconds": int(limit)},
                status=503,
            ) from None
        result = folder / "out" / "draft.pdf"
        if process.returncode != 0 or not result.is_file():
            logger.warning(
                "LibreOffice did not convert a DOCX (exit %s): %s",
                process.returncode,
                errors.decode(errors="replace")[-2000:],
            )
            raise _failed()
        pdf = result.read_bytes()
    if not pdf.startswith(b"%PDF"):
        raise _failed()
    return pdf
