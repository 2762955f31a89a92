import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tinhso.core import audit
from tinhso.core.models import AuditEntry


class Command(BaseCommand):
    help = "Audit log tools: `tinhso audit verify` checks the hash chain."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args: Any, **options: Any) -> None:
        total = AuditEntry.objects.count()
        problem = audit.verify()
        if problem is not None:
            self.stderr.write(f"Audit log is NOT intact: {problem.reason}.")
            sys.exit(1)
        self.stdout.write(f"Audit log intact: {total} rows, chain verified.")
