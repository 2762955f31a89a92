import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tinhso.accounts.models import User
from tinhso.core.errors import DomainError
from tinhso.reporting.models import Indicator
from tinhso.reporting.services import alerts, catalog, facts, reports


class Command(BaseCommand):
    help = (
        "Reporting tools: `refresh` brings the computed indicators' facts up to "
        "today (also a worker job every 5 minutes); `rounds` opens the report "
        "rounds whose period has begun and sends deadline reminders (hourly job); "
        "`load-shapes FILE` loads the communes' boundaries from GeoJSON."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        refresh = actions.add_parser("refresh", help="refresh computed facts")
        refresh.add_argument(
            "--full",
            action="store_true",
            help="recompute the whole history (five years), not just recent days",
        )
        refresh.add_argument("codes", nargs="*", help="indicator codes (default all)")
        actions.add_parser("rounds", help="open due rounds, send reminders")
        shapes = actions.add_parser("load-shapes", help="load commune boundaries")
        shapes.add_argument("file", type=Path)
        shapes.add_argument("--code-property", default="code")
        shapes.add_argument(
            "--as", dest="username", required=True, help="administrator's user name"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "refresh":
            self._refresh(options)
        elif action == "rounds":
            opened = reports.open_due_rounds()
            sent = reports.send_reminders()
            self.stdout.write(
                f"{len(opened)} rounds opened; reminders: {sent['before']} before "
                f"the deadline, {sent['after']} after."
            )
        else:
            self._shapes(options)

    def _refresh(self, options: dict[str, Any]) -> None:
        codes = options["codes"] or None
        if codes:
            unknown = set(codes) - set(
                Indicator.objects.filter(code__in=codes).values_list("code", flat=True)
            )
            if unknown:
                raise CommandError(f"No such indicator: {', '.join(sorted(unknown))}")

        def said(indicator: Indicator, through: Any, rows: int) -> None:
            self.stdout.write(f"  {indicator.code}: through {through}, {rows} facts")

        done = facts.refresh(codes, full=options["full"], progress=said)
        raised, cleared = alerts.evaluate()
        failed = [r for r in done if r.error]
        for r in failed:
            self.stderr.write(f"{r.indicator}: {r.error}")
        self.stdout.write(
            f"{len(done)} indicators refreshed, {sum(r.rows for r in done)} facts "
            f"written; alerts raised {raised}, cleared {cleared}."
        )
        if failed:
            sys.exit(1)

    def _shapes(self, options: dict[str, Any]) -> None:
        admin = User.objects.filter(username=options["username"]).first()
        if admin is None:
            raise CommandError(f"No such user: {options['username']}")
        try:
            done = catalog.import_shapes(
                admin,
                options["file"].read_bytes(),
                code_property=options["code_property"],
            )
        except (OSError, DomainError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Boundaries of {done['communes']} communes loaded.")
