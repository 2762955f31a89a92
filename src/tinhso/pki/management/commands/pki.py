import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q

from tinhso.accounts.models import User
from tinhso.core.errors import DomainError
from tinhso.core.models import OrgUnit
from tinhso.pki import keystore, pkcs11, selectors, services, signing
from tinhso.pki.models import Certificate, TrustedRoot


class Command(BaseCommand):
    help = (
        "Certificates: `tinhso pki demo` makes the demo root CA and certificates "
        "for every leader and agency seal; `import-root FILE`; `export-root FILE` "
        "(PEM for `pyhanko sign validate --trust FILE`); `verify PDF`; "
        "`token-keys` and `import-pkcs11` for keys on a PKCS#11 token or HSM."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        demo = sub.add_parser("demo", help="demo root CA and demo certificates")
        demo.add_argument("--key-type", choices=["ec", "rsa"], default="ec")
        root = sub.add_parser("import-root", help="trust a CA certificate")
        root.add_argument("file", type=Path)
        root.add_argument("--name", default="")
        export = sub.add_parser(
            "export-root", help="write a trusted root as PEM ('-' for stdout)"
        )
        export.add_argument("file")
        export.add_argument(
            "--root",
            default="",
            help="fingerprint (or its first characters) of the root; default: "
            "the demo root, or the only trusted root",
        )
        verify = sub.add_parser("verify", help="check the signatures of a PDF")
        verify.add_argument("pdf", type=Path)
        for name, text in (
            ("token-keys", "list the signing keys on a PKCS#11 token"),
            ("import-pkcs11", "sign with a key on a PKCS#11 token from now on"),
        ):
            token = sub.add_parser(name, help=text)
            token.add_argument(
                "--module",
                required=True,
                help="PKCS#11 library, one of TINHSO_PKI_PKCS11_MODULES",
            )
            token.add_argument("--token", required=True, help="token label")
            if name == "import-pkcs11":
                token.add_argument("--key", required=True, help="key label")
                token.add_argument(
                    "--cert",
                    type=Path,
                    help="certificate file (PEM or DER); default: read from the "
                    "token, stored under the key's label",
                )
                owner = token.add_mutually_exclusive_group(required=True)
                owner.add_argument("--user", help="username of the official")
                owner.add_argument("--unit", help="code of the agency (its seal)")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        try:
            if action == "demo":
                self._demo(options["key_type"])
            elif action == "import-root":
                root = services.import_trusted_root(
                    options["file"].read_bytes(), name=options["name"]
                )
                self.stdout.write(
                    f"Trusted root added: {root.name} ({root.fingerprint})"
                )
            elif action == "export-root":
                self._export_root(options["file"], options["root"])
            elif action == "token-keys":
                self._token_keys(options["module"], options["token"])
            elif action == "import-pkcs11":
                self._import_pkcs11(options)
            else:
                self._verify(options["pdf"])
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        except OSError as exc:
            raise CommandError(str(exc)) from exc

    def _demo(self, key_type: str) -> None:
        root = services.create_demo_root()
        # Public, so anyone may point `pyhanko sign validate --trust` at it.
        pem_path = keystore.folder() / "demo-root.pem"
        pem_path.write_bytes(selectors.root_pem(root))
        people, units = services.issue_missing_demo_certificates(key_type=key_type)
        total = Certificate.objects.filter(
            Q(demo=True), Q(user__isnull=False) | Q(org_unit__isnull=False)
        ).count()
        self.stdout.write(
            f"Demo root CA: {root.fingerprint} (PEM: {pem_path}). "
            f"Issued {people} personal and {units} agency seal certificates "
            f"({total} demo certificates in all)."
        )

    def _pick_root(self, prefix: str) -> TrustedRoot:
        if prefix:
            matches = list(
                TrustedRoot.objects.filter(fingerprint__startswith=prefix.lower())
            )
            if len(matches) != 1:
                raise CommandError(
                    f"{len(matches)} roots have a fingerprint starting with "
                    f"{prefix!r}; give more characters."
                )
            return matches[0]
        demo = selectors.demo_root()
        if demo is not None:
            return demo
        active = list(selectors.active_roots())
        if len(active) != 1:
            raise CommandError(
                f"There are {len(active)} trusted roots; choose one with --root "
                "FINGERPRINT (see the PKI page)."
            )
        return active[0]

    def _export_root(self, target: str, prefix: str) -> None:
        root = self._pick_root(prefix)
        pem = selectors.root_pem(root)
        if target == "-":
            self.stdout.write(pem.decode(), ending="")
            return
        Path(target).write_bytes(pem)
        self.stdout.write(
            f"Root {root.name} ({root.fingerprint}) written to {target}. Check a "
            f"signed PDF with: pyhanko sign validate --trust {target} "
            "--trust-replace --no-revocation-check FILE.pdf"
        )

    def _token_keys(self, module: str, token: str) -> None:
        keys = pkcs11.token_keys(module, token)
        if not keys:
            self.stdout.write(f"No signing keys on token {token}.")
        for key in keys:
            cert = "with certificate" if key.certificate_der else "no certificate"
            self.stdout.write(f"{key.label}\tid {key.key_id or '-'}\t{cert}")

    def _import_pkcs11(self, options: dict[str, Any]) -> None:
        owner: User | OrgUnit | None
        if options["user"]:
            owner = User.objects.filter(username=options["user"]).first()
            missing = f"No account named {options['user']!r}."
        else:
            owner = OrgUnit.objects.filter(code=options["unit"], legacy=False).first()
            missing = f"No current unit with code {options['unit']!r}."
        if owner is None:
            raise CommandError(missing)
        cert_file = options["cert"]
        certificate = services.register_pkcs11_certificate(
            owner,
            module_path=options["module"],
            token_label=options["token"],
            key_label=options["key"],
            certificate_data=cert_file.read_bytes() if cert_file else None,
        )
        self.stdout.write(
            f"Registered {certificate.common_name} ({certificate.fingerprint}) on "
            f"token {certificate.pkcs11_token_label}, key "
            f"{certificate.pkcs11_key_label}."
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
