import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tinhso.core.backup import BackupError, create_backup, human_size, seconds


class Command(BaseCommand):
    help = (
        "Write a consistent backup of the database and the stored files to FILE "
        "(a .tar.gz with a manifest of SHA-256 checksums); safe while the platform runs."
    )
    # The backup reads data, not code: system checks would only slow it down.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "file", help="archive to write, e.g. tinhso-2026-01-31.tar.gz"
        )
        parser.add_argument(
            "--force", action="store_true", help="replace FILE if it already exists"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        try:
            manifest = create_backup(
                options["file"], progress=self.stdout.write, overwrite=options["force"]
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        files = manifest.files
        self.stdout.write(
            self.style.SUCCESS(
                f"Backup complete in {seconds(time.monotonic() - started)}: database "
                f"{human_size(manifest.database.size)}, {len(files):,} "
                f"file{'' if len(files) == 1 else 's'} "
                f"({human_size(sum(m.size for m in files))})."
            )
        )
