from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection

from tinhso.core import search


class Command(BaseCommand):
    help = (
        "Search index tools: `tinhso search optimize` merges the full-text "
        "index (SQLite) for faster searches; schedule it for a quiet hour."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["optimize"])

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "sqlite":
            self.stdout.write(
                "PostgreSQL keeps its search index itself: nothing to do."
            )
            return
        for table, seconds in search.optimize():
            self.stdout.write(f"{table}: merged in {seconds:.1f} s")
