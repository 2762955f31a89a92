import threading
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections, connection

from tinhso.core import schedule


def _keep_queueing(stop: threading.Event, every: float) -> None:
    """Queue the periodic jobs that fall due, until ``stop`` is set."""
    while not stop.wait(every):
        try:
            close_old_connections()
            schedule.queue_due()
        except Exception:  # a database hiccup must not stop the schedule
            schedule.logger.exception("could not queue periodic jobs")
        finally:
            connection.close()


class Command(BaseCommand):
    help = (
        "Run background tasks (Django's tasks API on the database backend) and "
        "queue the periodic jobs as they fall due."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch",
            action="store_true",
            help="queue the periodic jobs due now, run the tasks waiting, then stop",
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            help="seconds between polls of the queue",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        backend = settings.TASKS["default"]["BACKEND"]
        if backend != "django_tasks_db.DatabaseBackend":
            raise CommandError(
                f"TINHSO_TASKS runs tasks with {backend}; the worker serves only 'db'."
            )
        call_command("migrate", interactive=False, verbosity=0)
        schedule.queue_due()
        worker_args = ["--interval", str(options["interval"])]
        if options["batch"]:
            call_command("db_worker", *worker_args, "--batch")
            return
        stop = threading.Event()
        ticker = threading.Thread(
            target=_keep_queueing, args=(stop, 30.0), name="schedule", daemon=True
        )
        ticker.start()
        try:
            call_command("db_worker", *worker_args)
        finally:
            stop.set()
