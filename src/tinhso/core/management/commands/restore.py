import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tinhso.core.backup import (
    BackupError,
    human_size,
    restore_backup,
    seconds,
    verify_archive,
)


class Command(BaseCommand):
    help = (
        "Restore a `tinhso backup` archive into an empty database and an empty "
        "files folder; every checksum is verified first. Stop the platform before "
        "restoring."
    )
    # The target database may be empty or older than this code: no checks.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="archive written by `tinhso backup`")
        parser.add_argument(
            "--check",
            action="store_true",
            help="only verify the archive's checksums; change nothing",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        try:
            if options["check"]:
                verify_archive(options["file"], progress=self.stdout.write)
                self.stdout.write(
                    self.style.SUCCESS("Archive intact and restorable here.")
                )
                return
            restored = restore_backup(options["file"], progress=self.stdout.write)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        manifest = restored.manifest
        files = manifest.files
        summary = (
            f"Restore complete in {seconds(time.monotonic() - started)}: database "
            f"{human_size(manifest.database.size)}, {len(files):,} "
            f"file{'' if len(files) == 1 else 's'} "
            f"({human_size(sum(m.size for m in files))}) from the backup of "
            f"{manifest.created_at}."
        )
        if restored.audit_problem is not None:
            self.stderr.write(
                f"{summary} The audit log is NOT intact: {restored.audit_problem}."
            )
            sys.exit(1)
        self.stdout.write(self.style.SUCCESS(summary))
