"""``tinhso documents …``: edXML exchange from the command line.

``edxml-pull`` imports what the folder transport's inbox holds (schedule it,
or run it after the exchange hub syncs the folder); ``edxml-import FILE…``
imports given packages; ``edxml-export DISPATCH_ID`` writes a dispatch's
package. Imports run as the system: the package's own signature is checked.
"""

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tinhso.core.errors import DomainError
from tinhso.documents.models import Dispatch
from tinhso.documents.services import exchange, transports


class Command(BaseCommand):
    help = (
        "Document exchange: `tinhso documents edxml-pull` imports the edXML "
        "inbox folder; `edxml-import FILE...`; `edxml-export DISPATCH_ID [-o FILE]`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("edxml-pull", help="import packages from the inbox folder")
        load = sub.add_parser("edxml-import", help="import edXML packages")
        load.add_argument("files", nargs="+", type=Path)
        export = sub.add_parser("edxml-export", help="write a dispatch's package")
        export.add_argument("dispatch", type=int)
        export.add_argument("-o", "--output", type=Path, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "edxml-pull":
            self._pull()
        elif action == "edxml-import":
            self._import(options["files"])
        else:
            self._export(options["dispatch"], options["output"])

    def _pull(self) -> None:
        result = exchange.pull_inbox()
        for name, reason in result.refused:
            self.stderr.write(f"{name}: {reason}")
        self.stdout.write(
            f"Imported {result.imported}, already there {result.repeated}, "
            f"refused {len(result.refused)} "
            f"(inbox: {transports.folder() / 'inbox'})."
        )
        if result.refused:
            sys.exit(1)

    def _import(self, paths: list[Path]) -> None:
        failed = 0
        for path in paths:
            try:
                result = exchange.import_edxml(path.read_bytes(), actor=None)
            except OSError as exc:
                self.stderr.write(f"{path}: {exc.strerror or exc}")
                failed += 1
                continue
            except DomainError as exc:
                self.stderr.write(f"{path}: {exc.message}")
                failed += 1
                continue
            if result.kind == "status":
                self.stdout.write(f"{path}: status {result.status} recorded")
            else:
                ids = ", ".join(str(m.pk) for m in result.messages)
                state = "imported" if result.created else "already there"
                self.stdout.write(f"{path}: {state} (inbox message {ids})")
        if failed:
            sys.exit(1)

    def _export(self, dispatch_id: int, output: Path | None) -> None:
        dispatch = (
            Dispatch.objects.select_related("document").filter(pk=dispatch_id).first()
        )
        if dispatch is None:
            raise CommandError(f"No dispatch {dispatch_id}.")
        try:
            package = exchange.export_package(dispatch)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        if output is None:
            sys.stdout.buffer.write(package)
        else:
            output.write_bytes(package)
            self.stdout.write(f"Wrote {output} ({len(package)} bytes).")
