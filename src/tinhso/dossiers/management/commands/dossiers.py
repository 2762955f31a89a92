import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tinhso.dossiers import metrics


class Command(BaseCommand):
    help = (
        "One-stop dossiers: `tinhso dossiers recount` counts the monthly "
        "tallies of the statistics again from every dossier (after an import "
        "or a restore); it can be stopped and run again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("recount", help="count the monthly tallies again")

    def handle(self, *args: Any, **options: Any) -> None:
        def progress(month: dt.date, rows: int) -> None:
            if options["verbosity"] >= 1:
                self.stdout.write(f"  {month:%m/%Y}: {rows} tallies")

        kept = metrics.recount(progress)
        self.stdout.write(self.style.SUCCESS(f"Recounted: {kept} monthly tallies."))
