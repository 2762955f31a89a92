"""`tinhso serve` on one machine brings its own background-task worker and
stops it when the server stops."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found |= {int(c) for c in (task / "children").read_text().split()}
    return found


def _command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except FileNotFoundError:
        return ""


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc")
def test_serve_starts_a_worker_and_stops_it(tmp_path: Path) -> None:
    port = _free_port()
    env = os.environ | {
        "TINHSO_DATA_DIR": str(tmp_path),
        "TINHSO_TASKS": "db",
        "TINHSO_LOG_LEVEL": "WARNING",
    }
    env.pop("DATABASE_URL", None)  # its own SQLite file, not the test database
    server = subprocess.Popen(
        [sys.executable, "-m", "tinhso", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/healthz", timeout=2
                ):
                    break
            except OSError:
                assert time.monotonic() < deadline, "the server did not start"
                assert server.poll() is None, server.stdout.read().decode()  # type: ignore[union-attr]
                time.sleep(0.3)
        workers = [p for p in _children(server.pid) if " worker" in _command_line(p)]
        assert len(workers) == 1
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=60)
    for _ in range(50):
        if not _command_line(workers[0]):
            break
        time.sleep(0.2)
    assert not _command_line(workers[0]), "the worker outlived the server"
