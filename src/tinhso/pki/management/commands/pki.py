import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from tinhso.core.errors import DomainError
from tinhso.pki import keystore, selectors, services, signing
from tinhso.pki.models import Certificate


class Command(BaseCommand):
    help = (
        "Certificates: `tinhso pki demo` makes the demo root CA and certificates "
        "for every leader and agency seal; `tinhso pki import-root FILE`; "
        "`tinhso pki verify PDF`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        demo = sub.add_parser("demo", help="demo root CA and demo certificates")
        demo.add_argument("--key-type", choices=["ec", "rsa"], default="ec")
        root = sub.add_parser("import-root", help="trust a CA certificate")
        root.add_argument("file", type=Path)
        root.add_argument("--name", default="")
        verify = sub.add_parser("verify", help="check the signatures of a PDF")
        verify.add_argument("pdf", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "demo":
                self._demo(options["key_type"])
            elif options["action"] == "import-root":
                root = services.import_trusted_root(
                    options["file"].read_bytes(), name=options["name"]
                )
                self.stdout.write(
                    f"Trusted root added: {root.name} ({root.fingerprint})"
                )
            else:
                self._verify(options["pdf"])
        except DomainError as exc:
            raise CommandError(exc.message) from exc

    def _demo(self, key_type: str) -> None:
        root = services.create_demo_root()
        pem = x509.load_der_x509_certificate(bytes(root.certificate_der)).public_bytes(
            serialization.Encoding.PEM
        )
        # Public, so anyone may point `pyhanko sign validate --trust` at it.
        pem_path = keystore.folder() / "demo-root.pem"
        pem_path.write_bytes(pem)
        people = units = 0
        seen_units: set[int] = set()
        for assignment in selectors.leaders():
            if selectors.certificate_of(assignment.user) is None:
                services.issue_demo_certificate(assignment.user, key_type=key_type)
                people += 1
            unit = assignment.org_unit
            if unit.pk in seen_units:
                continue
            seen_units.add(unit.pk)
            if selectors.certificate_of(unit) is None:
                services.issue_demo_certificate(unit, key_type=key_type)
                units += 1
        total = Certificate.objects.filter(
            Q(demo=True), Q(user__isnull=False) | Q(org_unit__isnull=False)
        ).count()
        self.stdout.write(
            f"Demo root CA: {root.fingerprint} (PEM: {pem_path}). "
            f"Issued {people} personal and {units} agency seal certificates "
            f"({total} demo certificates in all)."
        )

    def _verify(self, path: Path) -> None:
        results = signing.verify_pdf(path.read_bytes())
        if not results:
            self.stderr.write("No signatures in this PDF.")
            sys.exit(1)
        for result in results:
            self.stdout.write(
                f"{result.field_name}: {result.signer_common_name} "
                f"[{result.fingerprint[:16]}] — {result.summary}"
            )
        if not all(result.ok for result in results):
            sys.exit(1)
