"""Configuration from the environment: a wrong setting stops start-up with one sentence."""

import os
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tinhso.conf import env

ROOT = Path(__file__).resolve().parents[2]


def clean_environment(data_dir: Path, **extra: str) -> dict[str, str]:
    """The caller's environment without any tinhso setting, plus ``extra``."""
    base = {
        key: value
        for key, value in os.environ.items()
        if key not in env.VARIABLES and key != "DJANGO_SETTINGS_MODULE"
    }
    return {**base, "TINHSO_DATA_DIR": str(data_dir), **extra}


def run_tinhso(
    args: list[str], environment: dict[str, str], cwd: Path
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tinhso", *args],
        env=environment,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _bad_settings(tmp_path: Path) -> list[tuple[str, dict[str, str]]]:
    a_file = tmp_path / "not-a-folder"
    a_file.write_text("x")
    return [
        ("DATABASE_URL", {"DATABASE_URL": "mysql://tinhso:mat-khau@db/tinhso"}),
        ("DATABASE_URL", {"DATABASE_URL": "postgres://postgres@127.0.0.1:5432"}),
        ("DATABASE_URL", {"DATABASE_URL": "sqlite:////no/such/folder/db.sqlite3"}),
        ("TINHSO_DEBUG", {"TINHSO_DEBUG": "maybe"}),
        ("REDIS_URL", {"REDIS_URL": "http://:mat-khau@cache:6379/0"}),
        ("TINHSO_DATA_DIR", {"TINHSO_DATA_DIR": str(a_file)}),
        ("TINHSO_MAX_UPLOAD_MB", {"TINHSO_MAX_UPLOAD_MB": "nhieu"}),
        ("TINHSO_MAX_UPLOAD_MB", {"TINHSO_MAX_UPLOAD_MB": "0"}),
        ("TINHSO_STORAGE", {"TINHSO_STORAGE": "ftp"}),
        ("TINHSO_S3_BUCKET", {"TINHSO_STORAGE": "s3"}),
        ("TINHSO_TASKS", {"TINHSO_TASKS": "celery"}),
        ("TINHSO_LOG_LEVEL", {"TINHSO_LOG_LEVEL": "verbose"}),
        ("TINHSO_PAYMENT_BANK_BIN", {"TINHSO_PAYMENT_BANK_BIN": "VCB"}),
        ("TINHSO_PAYMENT_ACCOUNT", {"TINHSO_PAYMENT_ACCOUNT": "0011-0000-1"}),
        ("TINHSO_SMTP_URL", {"TINHSO_EMAIL_BACKEND": "smtp"}),
        (
            "TINHSO_SMTP_URL",
            {
                "TINHSO_EMAIL_BACKEND": "smtp",
                "TINHSO_SMTP_URL": "http://thu:mat-khau@mail.tinh.gov.vn",
            },
        ),
    ]


def test_each_bad_setting_stops_start_up_with_one_sentence(tmp_path: Path) -> None:
    """`tinhso check` exits non-zero, names the variable, prints no traceback or secret."""
    cases = _bad_settings(tmp_path)

    def run(index: int) -> subprocess.CompletedProcess[str]:
        _variable, extra = cases[index]
        environment = clean_environment(tmp_path / f"data{index}", **extra)
        return run_tinhso(["check"], environment, tmp_path)

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(run, range(len(cases))))

    for (variable, extra), result in zip(cases, results, strict=True):
        label = f"{variable} with {extra}"
        assert result.returncode != 0, label
        message = result.stderr.strip()
        assert "Traceback" not in result.stderr, f"{label}:\n{result.stderr}"
        assert message.count("\n") == 0, f"{label}: more than one line:\n{message}"
        assert variable in message, f"{label}: {message}"
        assert re.search(r"[.!]$", message), f"{label}: not a sentence: {message}"
        assert "mat-khau" not in message, f"{label}: password shown: {message}"
        assert result.stdout == "", label


def test_good_settings_start(tmp_path: Path) -> None:
    """With sound settings `tinhso check` passes and the data folder is created."""
    data = tmp_path / "new" / "var"
    gateways = {
        "TINHSO_SMS_BACKEND": "tinhso.accounts.sms.ConsoleSMS",
        "TINHSO_PAYMENT_ACCOUNT": "115000123456",
        "TINHSO_PAYMENT_BANK_BIN": "970415",
    }
    environment = clean_environment(data, **gateways)
    result = run_tinhso(["check"], environment, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout
    assert data.is_dir()


def test_console_sms_in_production_is_flagged(tmp_path: Path) -> None:
    """Without a real SMS gateway, a production start warns that codes go to the log."""
    result = run_tinhso(["check"], clean_environment(tmp_path / "var"), tmp_path)
    assert result.returncode == 0, result.stderr
    assert "tinhso.W001" in result.stderr + result.stdout


def test_demo_fee_account_in_production_is_flagged(tmp_path: Path) -> None:
    """Without the agency's own account, a production start warns that fees
    would be paid into the demo one."""
    result = run_tinhso(["check"], clean_environment(tmp_path / "var"), tmp_path)
    assert result.returncode == 0, result.stderr
    assert "tinhso.W002" in result.stderr + result.stdout


def _settings_value(data: Path, cwd: Path, name: str, **extra: str) -> str:
    """One value of the real settings module, loaded in a fresh process."""
    code = (
        "import os; os.environ['DJANGO_SETTINGS_MODULE'] = 'tinhso.settings'\n"
        f"from django.conf import settings; print(settings.{name})"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=clean_environment(data, **extra),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_secret_key_is_made_once_and_reused(tmp_path: Path) -> None:
    """The first start writes a private secret key to the data folder; later starts reuse it."""
    data = tmp_path / "var"
    first = _settings_value(data, tmp_path, "SECRET_KEY")
    key_file = data / "secret_key"
    assert key_file.read_text().strip() == first
    assert len(first) >= 50
    assert key_file.stat().st_mode & 0o777 == 0o600
    second = _settings_value(data, tmp_path, "SECRET_KEY")
    assert second == first
    other = _settings_value(tmp_path / "other", tmp_path, "SECRET_KEY")
    assert other != first


def test_debug_is_off_unless_asked(tmp_path: Path) -> None:
    """DEBUG is False with no setting and True only with TINHSO_DEBUG=1."""
    data = tmp_path / "var"
    assert _settings_value(data, tmp_path, "DEBUG") == "False"
    on = _settings_value(data, tmp_path, "DEBUG", TINHSO_DEBUG="1")
    assert on == "True"


def test_processes_starting_together_share_one_secret_key(tmp_path: Path) -> None:
    """Server and worker started at the same moment on a fresh folder agree on the key."""
    # Each process opens a FIFO and waits on it; closing the writing end
    # releases them all at once, so the first start's race really happens.
    code = (
        "import os, sys; from pathlib import Path; from tinhso.conf import env\n"
        "folder, signals = Path(sys.argv[1]), Path(sys.argv[2])\n"
        "with open(signals / 'go') as go:\n"
        "    (signals / f'ready-{os.getpid()}').touch()\n"
        "    go.read()\n"
        "print(env.secret_key(folder))"
    )
    count = 8
    folder, signals = tmp_path / "var", tmp_path / "signals"
    folder.mkdir()
    signals.mkdir()
    os.mkfifo(signals / "go")
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", code, str(folder), str(signals)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(count)
    ]
    go = os.open(signals / "go", os.O_WRONLY)
    try:
        deadline = time.monotonic() + 60
        while len(list(signals.glob("ready-*"))) < count:
            assert time.monotonic() < deadline, "processes did not start"
            time.sleep(0.01)
    finally:
        os.close(go)
    outputs = [process.communicate(timeout=60) for process in processes]
    for process, (_out, err) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, err
    keys = {out.strip() for out, _err in outputs}
    assert keys == {(folder / "secret_key").read_text().strip()}
    assert [p.name for p in folder.iterdir()] == ["secret_key"]


def test_a_damaged_secret_key_stops_start_up(tmp_path: Path) -> None:
    """A truncated key file is reported, not silently replaced (sessions would break)."""
    data = tmp_path / "var"
    data.mkdir()
    (data / "secret_key").write_text("short\n")
    result = run_tinhso(["check"], clean_environment(data), tmp_path)
    assert result.returncode != 0
    assert "secret key" in result.stderr
    assert "Traceback" not in result.stderr
    assert (data / "secret_key").read_text() == "short\n"


def test_every_variable_is_documented_in_the_readme() -> None:
    """Each variable read by conf.env appears in README.md for operators."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [name for name in env.VARIABLES if name not in readme]
    assert missing == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1", True), ("true", True), ("YES", True), ("0", False), ("off", False)],
)
def test_debug_spellings(
    monkeypatch: pytest.MonkeyPatch, value: str, *, expected: bool
) -> None:
    """TINHSO_DEBUG accepts the usual spellings of yes and no."""
    monkeypatch.setenv("TINHSO_DEBUG", value)
    assert env.get_bool("TINHSO_DEBUG", default=False) is expected
