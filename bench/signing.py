"""Signatures per second: tinhso.pki.signing.sign_pdf vs pyHanko used directly.

    TINHSO_DATA_DIR=/tmp/bench_pki .venv/bin/python bench/signing.py [N]

Both sign the same one-page PDF with the same demo key, loaded once, with a
visible text box; pyHanko direct uses its default Courier box (no embedded
font), so the gap is the cost of our Vietnamese font and checks.
"""

import os
import sys
import time
from collections.abc import Callable
from io import BytesIO

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tinhso.settings")
os.environ.setdefault("TINHSO_TASKS", "immediate")

import django

django.setup()

from django.core.management import call_command  # noqa: E402

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter  # noqa: E402
from pyhanko.sign import fields, signers  # noqa: E402
from pyhanko.stamp import TextStampStyle  # noqa: E402
from reportlab.pdfgen import canvas  # noqa: E402

from tinhso.accounts.models import User  # noqa: E402
from tinhso.pki import selectors, services, signing  # noqa: E402
from tinhso.pki.models import Certificate  # noqa: E402


def _pdf() -> bytes:
    buffer = BytesIO()
    page = canvas.Canvas(buffer)
    page.drawString(72, 760, "QUYET DINH")
    page.showPage()
    page.save()
    return buffer.getvalue()


def _rates(fns: dict[str, Callable[[], bytes]], n: int) -> list[float]:
    """Signatures per second of each of ``fns``, called n times each.

    The calls take turns, one of each in every round: on a shared machine
    a burst of other work then slows both sides alike instead of whichever
    was being timed.
    """
    for fn in fns.values():
        fn()  # warm-up: key load, font outlines
    elapsed = dict.fromkeys(fns, 0.0)
    for _ in range(n):
        for label, fn in fns.items():
            start = time.perf_counter()
            fn()
            elapsed[label] += time.perf_counter() - start
    for label, seconds in elapsed.items():
        print(
            f"{label:<28} {n / seconds:7.1f} sig/s  ({1000 * seconds / n:6.1f} ms each)"
        )
    return [n / seconds for seconds in elapsed.values()]


def compare(certificate: Certificate, n: int) -> tuple[float, float, bytes]:
    """Signatures per second through sign_pdf and through bare pyHanko, and
    one PDF signed by ours (for timing verification)."""
    pdf = _pdf()
    signer = signing.signer_for(certificate)

    def ours() -> bytes:
        return signing.sign_pdf(pdf, certificate, appearance={"position": "Giám đốc"})

    def direct() -> bytes:
        out = BytesIO()
        signers.PdfSigner(
            signers.PdfSignatureMetadata(
                field_name="Signature1", subfilter=fields.SigSeedSubFilter.PADES
            ),
            signer=signer,
            stamp_style=TextStampStyle(stamp_text="%(signer)s\n%(ts)s"),
            new_field_spec=fields.SigFieldSpec("Signature1", box=signing.DEFAULT_BOX),
        ).sign_pdf(
            IncrementalPdfFileWriter(BytesIO(pdf)),
            output=out,
            bytes_reserved=signing.BYTES_RESERVED,
        )
        return out.getvalue()

    a, b = _rates({"tinhso sign_pdf": ours, "pyHanko direct": direct}, n)
    return a, b, ours()


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    call_command("migrate", verbosity=0)
    services.create_demo_root()
    user = User.objects.filter(username="bench-signer").first() or User.objects.create(
        username="bench-signer", full_name="Nguyễn Văn Ân"
    )
    certificate = selectors.certificate_of(user) or services.issue_demo_certificate(
        user
    )
    a, b, signed = compare(certificate, n)
    start = time.perf_counter()
    for _ in range(n):
        signing.verify_pdf(signed)
    print(
        f"{'tinhso verify_pdf':<28} {1000 * (time.perf_counter() - start) / n:6.1f} ms each"
    )
    print(f"ratio tinhso/direct: {a / b:.2f}")


if __name__ == "__main__":
    main()
