import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tinhso.datahub import accesslog
from tinhso.datahub.models import AccessEntry
from tinhso.datahub.simulated.population import SimulatedPopulation


class Command(BaseCommand):
    help = (
        "Data-sharing platform tools: `verify-log` checks the access log's hash "
        "chain; `simulate-population` serves the SIMULATED national population "
        "database for development and demos."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        actions.add_parser("verify-log", help="check the access log's hash chain")
        sim = actions.add_parser(
            "simulate-population",
            help="serve the simulated population database (not the real one)",
        )
        sim.add_argument("--host", default="127.0.0.1")
        sim.add_argument("--port", type=int, default=8701)
        sim.add_argument("--key", required=True, help="API key callers must send")
        sim.add_argument("--people", type=int, default=10_000)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "verify-log":
            self._verify()
        else:
            self._simulate(options)

    def _verify(self) -> None:
        total = AccessEntry.objects.count()
        problem = accesslog.verify()
        if problem is not None:
            self.stderr.write(f"Access log is NOT intact: {problem.reason}.")
            sys.exit(1)
        self.stdout.write(f"Access log intact: {total} calls, chain verified.")

    def _simulate(self, options: dict[str, Any]) -> None:
        sim = SimulatedPopulation(
            api_key=options["key"],
            host=options["host"],
            port=options["port"],
            count=options["people"],
        )
        self.stdout.write(
            f"SIMULATED national population database on {sim.url} "
            f"({len(sim.register)} made-up people; not the real system). "
            "Point the platform at it with "
            f"TINHSO_POPULATION_URL={sim.url} TINHSO_POPULATION_KEY=<key>. "
            "Ctrl+C stops it."
        )
        try:
            sim.serve_forever()
        except KeyboardInterrupt:
            sim.stop()
