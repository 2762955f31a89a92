import os
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = (
        "Apply migrations, optionally load the demo province, and serve the platform."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--demo", action="store_true", help="load the demo province first"
        )
        parser.add_argument(
            "--province", default=None, help="demo province code (default 08)"
        )
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=1, help="server processes")
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="do not start a background-task worker beside the server "
            "(when `tinhso worker` runs elsewhere)",
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=None,
            help="threads per process (default: 2 per CPU core, plus one)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        if options["demo"]:
            demo_options = (
                {"province": options["province"]} if options["province"] else {}
            )
            call_command("demo", **demo_options)
        from tinhso.core import serving

        for hook in serving.hooks:
            said = hook(demo=options["demo"])
            if said:
                self.stdout.write(said)
        worker = None
        queued = (
            settings.TASKS["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend"
        )
        if queued and not options["no_worker"]:
            # One machine, no services: the tasks run in a worker process
            # of our own, stopped with the server.
            worker = subprocess.Popen([sys.executable, "-m", "tinhso", "worker"])
            self.stdout.write("tinhso: background-task worker started")
        self.stdout.write(
            f"tinhso: http://{options['host']}:{options['port']}/ "
            f"(data: {settings.DATA_DIR}; Ctrl+C to stop)"
        )
        try:
            self._serve(options)
        finally:
            if worker is not None:
                worker.terminate()
                worker.wait(timeout=30)

    def _serve(self, options: dict[str, Any]) -> None:
        from granian import Granian
        from granian.constants import Interfaces

        # Granian runs the WSGI app in its own worker processes with a thread
        # pool; static files come from WhiteNoise inside the same app.
        Granian(
            target="tinhso.wsgi:application",
            address=options["host"],
            port=options["port"],
            interface=Interfaces.WSGI,
            workers=options["workers"],
            # Views wait on the database more than they compute; Granian's own
            # guidance is at most two threads per core, plus one.
            blocking_threads=options["threads"] or (os.cpu_count() or 1) * 2 + 1,
            log_access=False,
        ).serve()
