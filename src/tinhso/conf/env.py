"""Typed readers for the environment, the only source of configuration.

Each reader raises ``ConfigError`` with one sentence naming the variable, so a
wrong setting stops start-up with a message an operator can act on.
"""

import contextlib
import os
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

# Every variable read here, with its default and meaning; the README lists the
# same names and a test keeps the two in step.
VARIABLES: dict[str, str] = {
    "TINHSO_DATA_DIR": "data folder (database, files, secret key); default ./var",
    "DATABASE_URL": "sqlite:///path or postgres://user@host:port/db; default SQLite",
    "REDIS_URL": "redis://host:port/db for cache and rate limits; default none",
    "TINHSO_DEBUG": "1 to show debug pages; default off",
    "TINHSO_ALLOWED_HOSTS": "comma-separated host names; default localhost names",
    "TINHSO_PROVINCE_NAME": "name shown in the page header; default from org tree",
    "TINHSO_STORAGE": "local (default) or s3",
    "TINHSO_S3_BUCKET": "bucket name when TINHSO_STORAGE=s3",
    "TINHSO_S3_ENDPOINT": "S3-compatible endpoint URL when TINHSO_STORAGE=s3",
    "TINHSO_MAX_UPLOAD_MB": "largest accepted upload in megabytes; default 50",
    "TINHSO_SMS_BACKEND": "console (default) or a dotted path to a gateway class",
    "TINHSO_TASKS": "db (default) or immediate",
    "TINHSO_LOG_LEVEL": "INFO (default), DEBUG, WARNING or ERROR",
    "TINHSO_PKI_PKCS11_MODULES": "comma-separated PKCS#11 libraries the server may load",
    "TINHSO_PKI_PKCS11_PIN": "user PIN of the PKCS#11 tokens; default none",
    "TINHSO_EDXML_TRANSPORT": "folder (default) or http: how edXML packages leave",
    "TINHSO_EDXML_FOLDER": "outbox/inbox folder of the folder transport",
    "TINHSO_EDXML_HTTP_URL": "import endpoint of the receiving system (http)",
    "TINHSO_EDXML_HTTP_TOKEN": "bearer token for that endpoint (http)",
    "TINHSO_EDXML_HTTP_TIMEOUT": "seconds to wait for it; default 15",
    "TINHSO_SOFFICE": "LibreOffice's soffice for DOCX drafts; default from PATH",
    "TINHSO_EMAIL_BACKEND": "console (default), smtp, or a dotted path to a backend",
    "TINHSO_SMTP_URL": "smtp://user:password@host:port for the smtp e-mail backend",
    "TINHSO_EMAIL_FROM": "sender address of the platform's e-mail",
    "TINHSO_PAYMENT_BANK_BIN": "NAPAS BIN of the bank holding the fee account",
    "TINHSO_PAYMENT_ACCOUNT": "account number fees are paid into by VietQR",
    "TINHSO_PAYMENT_ACCOUNT_NAME": "name of that account, shown to payers",
    "TINHSO_PAYMENT_NOTIFY_SECRET": "secret shared with the bank to sign notifications",
    "TINHSO_MARKET_NOTIFY_SECRET": "secret signing credits on OCOP producers' accounts",
    "TINHSO_POPULATION_URL": "address of the national population database's service",
    "TINHSO_POPULATION_KEY": "key the population database gave the platform",
    "TINHSO_POPULATION_TIMEOUT_MS": "milliseconds to wait for the population database",
}


class ConfigError(Exception):
    """A setting in the environment that the platform cannot start with."""


def _raw(name: str) -> str | None:
    if name not in VARIABLES:  # pragma: no cover - guards against typos here
        raise KeyError(name)
    value = os.environ.get(name)
    return value.strip() if value is not None and value.strip() else None


def get_str(name: str, default: str) -> str:
    return _raw(name) or default


def get_optional(name: str) -> str | None:
    return _raw(name)


def get_bool(name: str, *, default: bool) -> bool:
    value = _raw(name)
    if value is None:
        return default
    lowered = value.lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name} must be 1 or 0 (true/false), not {value!r}.")


def get_int(name: str, default: int, *, minimum: int = 0) -> int:
    value = _raw(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {value!r}.") from None
    if number < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, not {number}.")
    return number


def get_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = (_raw(name) or default).lower()
    if value not in choices:
        raise ConfigError(f"{name} must be one of {', '.join(choices)}, not {value!r}.")
    return value


def get_list(name: str, default: list[str]) -> list[str]:
    value = _raw(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def data_dir() -> Path:
    path = Path(get_str("TINHSO_DATA_DIR", "var")).expanduser().resolve()
    if path.exists() and not path.is_dir():
        raise ConfigError(f"TINHSO_DATA_DIR points to {path}, which is not a folder.")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(
            f"TINHSO_DATA_DIR {path} cannot be created: {exc.strerror}."
        ) from None
    return path


def secret_key(folder: Path) -> str:
    """Return the key kept in the data folder, making it on first start."""
    key_file = folder / "secret_key"
    if not key_file.exists():
        _make_secret_key(key_file)
    key = key_file.read_text().strip()
    if len(key) < 32:
        raise ConfigError(f"The secret key in {key_file} is too short; delete it.")
    return key


def _make_secret_key(key_file: Path) -> None:
    # Written whole to a private temporary file (owner-only rights: the key
    # signs sessions and tokens), then linked into place. A server and a
    # worker starting together on a fresh folder: one links first, the other
    # finds the file there and reads the complete key; nobody sees half a key.
    try:
        fd, temporary = tempfile.mkstemp(dir=key_file.parent, prefix=".secret_key.")
    except OSError as exc:
        raise ConfigError(
            f"TINHSO_DATA_DIR {key_file.parent} is not writable, so the secret key "
            f"cannot be kept there: {exc.strerror}."
        ) from None
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(50))
        # If another process linked first, everyone uses that one.
        with contextlib.suppress(FileExistsError):
            os.link(temporary, key_file)
    finally:
        os.unlink(temporary)


@dataclass(frozen=True)
class Database:
    vendor: str
    config: dict[str, object]


def database(folder: Path) -> Database:
    url = get_optional("DATABASE_URL")
    if url is None:
        return _sqlite(folder / "tinhso.sqlite3")
    scheme = urlsplit(url).scheme.lower()
    if scheme == "sqlite":
        path = url.split("://", 1)[1]
        if not path or path == "/":
            raise ConfigError("DATABASE_URL sqlite:// needs a file path.")
        file = Path(path.removeprefix("/") if path.startswith("//") else path)
        if not file.expanduser().resolve().parent.is_dir():
            raise ConfigError(
                f"DATABASE_URL names the SQLite database {file}, "
                "but its folder does not exist."
            )
        return _sqlite(file)
    if scheme in {"postgres", "postgresql", "pgsql"}:
        import dj_database_url

        config = dict(dj_database_url.parse(url, conn_max_age=60))
        if not config.get("NAME"):
            raise ConfigError("DATABASE_URL must name a database after the last /.")
        config["CONN_HEALTH_CHECKS"] = True
        return Database("postgresql", config)
    # Only the scheme is repeated: the rest of the URL may hold a password.
    raise ConfigError(
        "DATABASE_URL must start with sqlite:// or postgres://, "
        f"not {scheme + '://' if scheme else 'a bare path'}."
    )


def _sqlite(path: Path) -> Database:
    path = path.expanduser().resolve()
    if not path.parent.is_dir():
        raise ConfigError(f"The folder for the SQLite database {path} does not exist.")
    return Database(
        "sqlite",
        {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(path),
            "OPTIONS": {
                # IMMEDIATE takes the write lock when a transaction starts, so
                # concurrent writers queue on the timeout instead of failing
                # with "database is locked" when a reader upgrades.
                "transaction_mode": "IMMEDIATE",
                "timeout": 30,
                # A 32 MB page cache (the default is 2 MB) keeps the pages a
                # search revisits, such as the rows behind its matches.
                "init_command": (
                    "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;"
                    "PRAGMA foreign_keys=ON;PRAGMA busy_timeout=30000;"
                    "PRAGMA cache_size=-32768;"
                ),
            },
            # Kept open across requests, as for PostgreSQL: a new connection
            # reads the schema again and starts with an empty page cache.
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
            "TEST": {"NAME": str(path.with_name("test_" + path.name))},
        },
    )


def redis_url() -> str | None:
    url = get_optional("REDIS_URL")
    scheme = urlsplit(url).scheme.lower() if url is not None else "redis"
    if scheme not in {"redis", "rediss"}:
        # Only the scheme is repeated: the rest of the URL may hold a password.
        raise ConfigError(
            "REDIS_URL must start with redis:// or rediss://, "
            f"not {scheme + '://' if scheme else 'a bare address'}."
        )
    return url


@dataclass(frozen=True)
class Smtp:
    host: str
    port: int
    username: str
    password: str
    ssl: bool


def smtp() -> Smtp:
    url = get_optional("TINHSO_SMTP_URL")
    if url is None:
        raise ConfigError("TINHSO_EMAIL_BACKEND=smtp needs TINHSO_SMTP_URL.")
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in {"smtp", "smtps"} or not parts.hostname:
        # As with REDIS_URL, never echo the URL: it may hold a password.
        raise ConfigError(
            "TINHSO_SMTP_URL must look like smtp://user:password@host:587 "
            "or smtps://user:password@host:465."
        )
    try:
        port = parts.port
    except ValueError:
        raise ConfigError("TINHSO_SMTP_URL has a port that is not a number.") from None
    return Smtp(
        host=parts.hostname,
        port=port or (465 if scheme == "smtps" else 587),
        username=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        ssl=scheme == "smtps",
    )


def get_digits(name: str, default: str, *, length: range) -> str:
    value = get_str(name, default)
    if not value.isdigit() or len(value) not in length:
        size = (
            f"{length.start}"
            if len(length) == 1
            else f"{length.start} to {length.stop - 1}"
        )
        raise ConfigError(f"{name} must be {size} digits, not {value!r}.")
    return value
