"""The real server, started as deployed, and keep-alive HTTP clients in
threads of the bench's process that load it for a while."""

import argparse
import http.client
import os
import random
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


class Server:
    def __init__(self, port: int, workers: int, threads: int) -> None:
        self.port = port
        command = ["serve", "--port", str(port), "--workers", str(workers)]
        if threads:
            command += ["--threads", str(threads)]
        self.process = subprocess.Popen(  # noqa: S603 - our own command
            [sys.executable, "-m", "tinhso", *command],
            cwd=ROOT,
            env=os.environ.copy(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                connection.request("GET", "/healthz")
                if connection.getresponse().status == 200:
                    return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("tinhso serve did not start")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


class Load:
    """``users`` threads, each with one keep-alive connection, sending the
    requests ``make`` gives for ``seconds``."""

    def __init__(self, port: int, users: int, seconds: float, make: Any) -> None:
        self.latencies: list[float] = []
        self.errors = 0
        lock = threading.Lock()
        stop = time.monotonic() + seconds

        def user(index: int) -> None:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            mine: list[float] = []
            errors = 0
            pick = random.Random(index)
            while time.monotonic() < stop:
                method, path, body, headers = make(pick)
                began = time.perf_counter()
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
                response.read()
                mine.append(time.perf_counter() - began)
                if response.status >= 400:
                    errors += 1
            with lock:
                self.latencies.extend(mine)
                self.errors += errors

        threads = [threading.Thread(target=user, args=(i,)) for i in range(users)]
        began = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.elapsed = time.monotonic() - began

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.elapsed

    def ms(self, share: float) -> float:
        ordered = sorted(self.latencies)
        return 1000 * ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def row(label: str, users: int, load: Load) -> Load:
    print(
        f"  {label:<34} {users:>3} users  {load.rate:>8.1f}/s  "
        f"p50 {load.ms(0.5):>7.1f} ms  p95 {load.ms(0.95):>7.1f} ms"
        + (f"  errors {load.errors}" if load.errors else "")
    )
    return load


def setup_django(args: argparse.Namespace) -> None:
    """Django on the bench's data folder and database, migrated; the
    SQLite file starts afresh unless ``--keep``."""
    data_dir = Path(args.data_dir).expanduser().resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    os.environ["TINHSO_DATA_DIR"] = str(data_dir)
    if args.db_url:
        os.environ["DATABASE_URL"] = args.db_url
    else:
        os.environ.pop("DATABASE_URL", None)
        if not args.keep:
            for suffix in ("", "-wal", "-shm"):
                (data_dir / f"tinhso.sqlite3{suffix}").unlink(missing_ok=True)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tinhso.settings")
    os.environ.setdefault("TINHSO_TASKS", "immediate")
    os.environ.setdefault("TINHSO_LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
