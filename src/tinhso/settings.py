"""The one settings module; every value comes from the environment (conf.env)."""

import hashlib
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from tinhso.conf import env

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = env.data_dir()

SECRET_KEY = env.secret_key(DATA_DIR)
DEBUG = env.get_bool("TINHSO_DEBUG", default=False)
ALLOWED_HOSTS = env.get_list(
    "TINHSO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"]
)

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_tasks_db",
    "ninja",
    "tinhso.core",
    "tinhso.accounts",
    "tinhso.pki",
    "tinhso.documents",
    "tinhso.dossiers",
    "tinhso.datahub",
    "tinhso.reporting",
    "tinhso.market",
    "tinhso.community",
    "tinhso.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "tinhso.core.middleware.VietnameseFirstMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "tinhso.core.middleware.RequestContextMiddleware",
]

ROOT_URLCONF = "tinhso.urls"
WSGI_APPLICATION = "tinhso.wsgi.application"
ASGI_APPLICATION = "tinhso.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tinhso.core.context_processors.platform",
            ],
        },
    },
]

_database = env.database(DATA_DIR)
DATABASES = {"default": _database.config}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.redis_url()
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "tinhso",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

_tasks_backend = env.get_choice("TINHSO_TASKS", "db", ("db", "immediate"))
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks_db.DatabaseBackend"
            if _tasks_backend == "db"
            else "django.tasks.backends.immediate.ImmediateBackend"
        )
    }
}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["tinhso.accounts.backends.AccountBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "vi"
FORMAT_MODULE_PATH = ["tinhso.conf.formats"]
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
MEDIA_ROOT = DATA_DIR / "files"
_storage = env.get_choice("TINHSO_STORAGE", "local", ("local", "s3"))
if _storage == "s3":
    _bucket = env.get_optional("TINHSO_S3_BUCKET")
    if not _bucket:
        raise env.ConfigError("TINHSO_STORAGE=s3 needs TINHSO_S3_BUCKET.")
    try:
        import storages  # noqa: F401
    except ImportError:
        raise env.ConfigError(
            "TINHSO_STORAGE=s3 needs the s3 extra: pip install 'tinhso[s3]'."
        ) from None
    _default_storage: dict[str, object] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": _bucket,
            "endpoint_url": env.get_optional("TINHSO_S3_ENDPOINT"),
        },
    }
else:
    _default_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(MEDIA_ROOT)},
    }
STORAGES = {
    "default": _default_storage,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
MAX_UPLOAD_BYTES = env.get_int("TINHSO_MAX_UPLOAD_MB", 50, minimum=1) * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

PROVINCE_NAME = env.get_str("TINHSO_PROVINCE_NAME", "")
SMS_BACKEND = env.get_str("TINHSO_SMS_BACKEND", "console")

_email = env.get_str("TINHSO_EMAIL_BACKEND", "console")
if _email == "smtp":
    _smtp = env.smtp()
    _mailer: dict[str, object] = {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": _smtp.host,
            "port": _smtp.port,
            "username": _smtp.username,
            "password": _smtp.password,
            "use_ssl": _smtp.ssl,
            "use_tls": not _smtp.ssl,
            "timeout": 20,
        },
    }
elif _email == "console":
    _mailer = {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
else:
    _mailer = {"BACKEND": _email}
MAILERS = {"default": _mailer}
DEFAULT_FROM_EMAIL = env.get_str("TINHSO_EMAIL_FROM", "no-reply@localhost")

# The account VietQR codes pay fees into. The defaults are a demo account:
# a deployment check warns while they are in use.
DEMO_PAYMENT_ACCOUNT = "9704050000000"
PAYMENT_BANK_BIN = env.get_digits(
    "TINHSO_PAYMENT_BANK_BIN", "970405", length=range(6, 7)
)
PAYMENT_ACCOUNT = env.get_digits(
    "TINHSO_PAYMENT_ACCOUNT", DEMO_PAYMENT_ACCOUNT, length=range(1, 20)
)
PAYMENT_ACCOUNT_NAME = env.get_str(
    "TINHSO_PAYMENT_ACCOUNT_NAME", "TAI KHOAN THU PHI DEMO"
)
# Without a secret agreed with the bank, one derived from the secret key, so
# that nothing outside this installation can sign a notification.
PAYMENT_NOTIFY_SECRET = (
    env.get_optional("TINHSO_PAYMENT_NOTIFY_SECRET")
    or hashlib.sha256(f"bank-notify:{SECRET_KEY}".encode()).hexdigest()
)
# The OCOP market is paid into each producer's own account; the service that
# watches those accounts for the platform signs its notifications with this.
MARKET_NOTIFY_SECRET = (
    env.get_optional("TINHSO_MARKET_NOTIFY_SECRET")
    or hashlib.sha256(f"market-notify:{SECRET_KEY}".encode()).hexdigest()
)

# Signing keys on tokens or an HSM. Only the listed libraries are ever loaded:
# loading one runs its code in this process.
PKI_PKCS11_MODULES = env.get_list("TINHSO_PKI_PKCS11_MODULES", [])
PKI_PKCS11_PIN = env.get_optional("TINHSO_PKI_PKCS11_PIN")

# Documents: how edXML packages travel to systems outside the platform, and
# LibreOffice for turning DOCX drafts into PDF.
DOCUMENTS_EDXML_TRANSPORT = env.get_choice(
    "TINHSO_EDXML_TRANSPORT", "folder", ("folder", "http")
)
DOCUMENTS_EDXML_FOLDER = env.get_str("TINHSO_EDXML_FOLDER", str(DATA_DIR / "edxml"))
DOCUMENTS_EDXML_HTTP_URL = env.get_str("TINHSO_EDXML_HTTP_URL", "")
DOCUMENTS_EDXML_HTTP_TOKEN = env.get_str("TINHSO_EDXML_HTTP_TOKEN", "")
DOCUMENTS_EDXML_HTTP_TIMEOUT = env.get_int("TINHSO_EDXML_HTTP_TIMEOUT", 15, minimum=1)
SOFFICE_PATH = env.get_optional("TINHSO_SOFFICE")

# Data sharing: the national population database the gateway's
# "population" source asks (the simulated one, `tinhso datahub
# simulate-population`, in development and demos).
DATAHUB_POPULATION_URL = env.get_str("TINHSO_POPULATION_URL", "")
DATAHUB_POPULATION_KEY = env.get_str("TINHSO_POPULATION_KEY", "")
DATAHUB_POPULATION_TIMEOUT_MS = env.get_int(
    "TINHSO_POPULATION_TIMEOUT_MS", 3000, minimum=50
)

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 8 * 3600
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Lockout: this many wrong passwords in a row lock the account for a while.
LOGIN_MAX_FAILURES = 5
LOGIN_LOCKOUT_MINUTES = 15

NINJA_PAGINATION_PER_PAGE = 50

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    # pyHanko logs every untrusted chain with a traceback; verify_pdf already
    # reports it in one Vietnamese sentence. fontTools narrates each font
    # subset it cuts for a signature box, some 200 lines per signature.
    # WeasyPrint narrates each step of each printed form.
    "loggers": {
        "pyhanko": {"level": "CRITICAL"},
        "fontTools": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
    },
    "root": {
        "handlers": ["console"],
        "level": env.get_choice(
            "TINHSO_LOG_LEVEL", "INFO", ("debug", "info", "warning", "error")
        ).upper(),
    },
}
